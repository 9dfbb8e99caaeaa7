"""Photos in the meeting deck (issue 20): a village slide carries its sites' and
organisations' photos, the 会议汇报 page embeds the thumbnails (captions escaped), the
village sheet gets a photo page, the PowerPoint a photo strip under the map; all read
through a reader made from the store, a lost file is a note, and a village without photos
is drawn as before. The photos are added with the real pipeline (upload worker, index
change, save) to a copy of the sample; every image is made by code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation

from township_atlas.briefing.__main__ import main as briefing_main
from township_atlas.briefing.fit import paginate
from township_atlas.briefing.html import slide_html
from township_atlas.briefing.model import pick_photos
from township_atlas.briefing.pdf_export import FOOT_Y, village_sheets, village_sheets_pdf
from township_atlas.briefing.pptx_export import deck_pptx
from township_atlas.briefing.slides import build_deck
from township_atlas.storage.files.store import Store
from township_atlas.text.labels import tr
from township_atlas.ui import auth

from .accounts_helpers import Clock, install_accounts
from .apptest import open_page
from .conftest import SAMPLE_DIR
from .pdf_bounds import overruns
from .photo_images import add_photos, camera_jpeg, encoded

TODAY = dt.date(2026, 3, 15)
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_EN = "<script>alert('en')</script>"  # the English caption of the same photo
BASE = "S002"  # 上庄肉牛养殖示范基地, a demonstration base of V01 (slide 3)
BASE_NAME = "上庄肉牛养殖示范基地"


def _add(
    folder: Path,
    layer: str,
    feature: str,
    images: list[bytes],
    captions: list[str],
    captions_en: list[str] | None = None,
):
    add_photos(folder, layer, feature, images, captions, captions_en=captions_en)


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> Path:
    """The sample with three photos added to the demonstration base S002 (V01), the first
    two with English captions too."""
    folder = tmp_path_factory.mktemp("three") / "geodata"
    shutil.copytree(SAMPLE_DIR, folder)
    images = [camera_jpeg(), encoded("PNG", 300, 400), camera_jpeg(width=500, height=300)]
    _add(folder, "sites", BASE, images, ["牛舍", HOSTILE, ""], ["Cowshed", HOSTILE_EN, ""])
    return folder


@pytest.fixture(scope="module")
def six(three, tmp_path_factory) -> Path:
    """``three`` plus one photo of the base S001 and two of the branch B01 (all in V01)."""
    folder = tmp_path_factory.mktemp("six") / "geodata"
    shutil.copytree(three, folder)
    _add(folder, "sites", "S001", [encoded("PNG", 320, 240)], ["育肥牛舍"])
    _add(folder, "party_orgs", "B01", [encoded("PNG", 200, 200), encoded("PNG", 210, 200)], [])
    return folder


def _deck(folder: Path, lang: str = "zh"):
    store = Store(folder)
    bundle = store.load().bundle
    return store, bundle, build_deck(bundle, lang, TODAY)


def _index(deck, code: str) -> int:
    return next(i for i, s in enumerate(deck.slides) if s.village_code == code)


def no_picture(_slide):
    return None


# --- the model -------------------------------------------------------------------------
def test_the_village_slide_holds_its_photos_in_order(three):
    _store, _bundle, deck = _deck(three)
    slide = deck.slides[_index(deck, "V01")]
    assert [(p.feature, p.caption, p.taken) for p in slide.photos] == [
        (BASE_NAME, "牛舍", "2025-04-30"),
        (BASE_NAME, HOSTILE, ""),
        (BASE_NAME, "", "2025-04-30"),
    ]
    for photo in slide.photos:
        assert photo.file.startswith("photos/") and photo.thumb.startswith("thumbs/")
        assert photo.group == 0
    assert slide.photos[1].aspect == pytest.approx(300 / 400)
    assert not any(s.photos for s in deck.slides if s.village_code != "V01")


def test_a_slide_shows_one_photo_per_feature_first_then_the_rest_in_order(six):
    _store, _bundle, deck = _deck(six)
    photos = deck.slides[_index(deck, "V01")].photos
    # Sites (S001, then S002), then organisations (B01), each feature's in its order.
    assert [p.caption for p in photos] == ["育肥牛舍", "牛舍", HOSTILE, "", "", ""]
    assert [p.group for p in photos] == [0, 1, 1, 1, 2, 2]
    shown = pick_photos(photos, 4)
    assert shown == (photos[0], photos[1], photos[2], photos[4])
    assert pick_photos(photos, 6) == photos


def test_a_continuation_slide_neither_loses_nor_repeats_the_photos(three):
    _store, _bundle, deck = _deck(three)
    slide = deck.slides[_index(deck, "V01")]
    steps = tuple(dataclasses.replace(slide.plan.steps[0], year=2020 + n) for n in range(30))
    long = dataclasses.replace(slide, plan=dataclasses.replace(slide.plan, steps=steps))
    parts = paginate(long, "zh")
    assert len(parts) >= 2
    assert parts[0].photos == slide.photos
    assert all(p.photos == () for p in parts[1:])


# --- the 会议汇报 slide (HTML) ------------------------------------------------------------
def test_the_slide_embeds_the_thumbnails_and_escapes_the_captions(three):
    store, _bundle, deck = _deck(three)
    index = _index(deck, "V01")
    html = slide_html(deck, index, no_picture, store.photo_file)
    assert html.count('src="data:image/jpeg;base64,') == 3
    assert "牛舍" in html and BASE_NAME in html and "2025-04-30" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html and "onerror=alert" not in html.replace(
        "&lt;img src=x onerror=alert(1)&gt;", ""
    )
    # Neither a file name nor a path reaches the page: only the bytes.
    assert "thumbs/" not in html and "photos/" not in html and "static" not in html
    assert "另有" not in html  # all three shown


def test_more_photos_than_a_slide_shows_are_counted(six):
    store, _bundle, deck = _deck(six)
    html = slide_html(deck, _index(deck, "V01"), no_picture, store.photo_file)
    assert html.count('src="data:image/jpeg;base64,') == 4
    assert "另有 2 张照片,见村情档案页" in html


def test_a_lost_photo_file_is_a_note_and_the_rest_is_drawn(three, tmp_path):
    folder = tmp_path / "geodata"
    shutil.copytree(three, folder)
    store, bundle, deck = _deck(folder)
    slide = deck.slides[_index(deck, "V01")]
    (folder / slide.photos[0].thumb).unlink()
    (folder / slide.photos[0].file).unlink()
    html = slide_html(deck, _index(deck, "V01"), no_picture, store.photo_file)
    assert html.count('src="data:image/jpeg;base64,') == 2
    assert "照片文件缺失" in html and "牛舍" in html and "上庄村" in html
    # A reader that returns something that is not a JPEG is treated the same.
    html = slide_html(deck, _index(deck, "V01"), no_picture, lambda _name: b"<html>")
    assert "data:image/jpeg" not in html and html.count("照片文件缺失") == 3
    # The PowerPoint and the sheet are made too, with the note in place of the picture.
    prs = Presentation(io.BytesIO(deck_pptx(bundle, deck, store.photo_file)))
    village = prs.slides[_index(deck, "V01")]
    assert sum(s.shape_type == 13 for s in village.shapes) == 3  # the map and two photos
    assert any("照片文件缺失" in s.text_frame.text for s in village.shapes if s.has_text_frame)
    pdf = village_sheets_pdf(bundle, deck, ["V01"], store.photo_file)
    assert "照片文件缺失" in _pdf_text(pdf, tmp_path, page=2)
    assert _jpeg_images(pdf, tmp_path, page=2) == 2


def test_a_village_without_photos_is_drawn_exactly_as_before(three):
    store, bundle, deck = _deck(three)
    _s, _b, plain = _deck(SAMPLE_DIR)
    for code in ("V02", "V05"):
        index = _index(deck, code)
        assert slide_html(deck, index, no_picture, store.photo_file) == slide_html(
            plain, index, no_picture
        )
    # Without a reader no photo is drawn at all, and nothing is read.
    index = _index(deck, "V01")
    html = slide_html(deck, index, no_picture)
    assert "mtg-photo" not in html and "data:image/jpeg" not in html
    pdf = village_sheets_pdf(bundle, deck, ["V02"], store.photo_file)
    assert _pages(pdf) == 1


# --- the village sheet (PDF) ------------------------------------------------------------
def _pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def _pdf_file(pdf: bytes, folder: Path) -> Path:
    path = folder / "sheet.pdf"
    path.write_bytes(pdf)
    return path


def _pdf_text(pdf: bytes, folder: Path, page: int) -> str:
    path = _pdf_file(pdf, folder)
    args = ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _jpeg_images(pdf: bytes, folder: Path, page: int) -> int:
    """The JPEG (DCT) images drawn on ``page``, as poppler's pdfimages lists them."""
    path = _pdf_file(pdf, folder)
    args = ["pdfimages", "-list", "-f", str(page), "-l", str(page), str(path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return sum(1 for line in out.splitlines()[2:] if line.split()[8] == "jpeg")


def test_the_village_sheet_has_a_photo_page_with_pictures_and_captions(three, tmp_path):
    store, bundle, deck = _deck(three)
    pdf = village_sheets_pdf(bundle, deck, ["V01"], store.photo_file)
    assert _pages(pdf) == 2
    assert _jpeg_images(pdf, tmp_path, page=1) == 0  # the sheet itself: the map (PNG)
    assert _jpeg_images(pdf, tmp_path, page=2) == 3
    text = _pdf_text(pdf, tmp_path, page=2)
    assert "上庄村 · 点位和党组织照片" in text
    assert "牛舍" in text and BASE_NAME in text and "2025-04-30" in text
    assert "<img src=x onerror=alert(1)>" in text  # a caption is text, in the same font
    sheets = village_sheets(bundle, deck, ["V01"], store.photo_file)
    assert all(bottom <= FOOT_Y for bottom in sheets.content_bottom), sheets.content_bottom
    # All villages: one more page, for the one village with photos.
    assert _pages(village_sheets_pdf(bundle, deck, None, store.photo_file)) == 8


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sheet_and_its_photo_page_end_above_the_foot(six, lang, tmp_path):
    store, bundle, deck = _deck(six, lang)
    pdf = village_sheets_pdf(bundle, deck, ["V01"], store.photo_file)
    assert _pages(pdf) == 2
    foot = tr("mtg_sheet_sources", lang)
    assert overruns(pdf, tmp_path, FOOT_Y, foot, {"V01"}) == []


def test_the_sheet_shows_six_photos_and_counts_the_rest(six, tmp_path):
    folder = tmp_path / "geodata"
    shutil.copytree(six, folder)
    _add(folder, "party_orgs", "B01", [encoded("PNG", 100, 100)], ["第七张"])
    store, bundle, deck = _deck(folder)
    pdf = village_sheets_pdf(bundle, deck, ["V01"], store.photo_file)
    assert _jpeg_images(pdf, tmp_path, page=2) == 6
    assert "另有 1 张照片" in _pdf_text(pdf, tmp_path, page=2)


# --- the PowerPoint ---------------------------------------------------------------------
def test_the_powerpoint_village_slide_has_the_photos_under_its_map(three):
    store, bundle, deck = _deck(three)
    prs = Presentation(io.BytesIO(deck_pptx(bundle, deck, store.photo_file)))
    index = _index(deck, "V01")
    village = prs.slides[index]
    pictures = [s for s in village.shapes if s.shape_type == 13]
    (the_map,) = [p for p in pictures if p.image.content_type == "image/png"]
    photos = [p for p in pictures if p.image.content_type == "image/jpeg"]
    assert len(photos) == 3
    texts = " ".join(s.text_frame.text for s in village.shapes if s.has_text_frame)
    assert "牛舍" in texts and "2025-04-30" in texts and "上庄肉牛养殖" in texts
    assert "<img src=x" in texts  # a caption is plain text, cut to the picture's width
    # The photos sit under the map, above the footer line, inside the map's column.
    for photo in photos:
        assert photo.top >= the_map.top + the_map.height
        assert photo.left + photo.width <= the_map.left + the_map.width + 1
        assert photo.top + photo.height < prs.slide_height * 7.0 / 7.5
    # The speaker notes name every photo in full (the slide cuts them to the picture).
    notes = village.notes_slide.notes_text_frame.text
    assert f"• {BASE_NAME}:{HOSTILE}" in notes and f"• {BASE_NAME}:牛舍 · 2025-04-30" in notes
    # Another village's slide has just its map.
    other = prs.slides[_index(deck, "V02")]
    assert sum(s.shape_type == 13 for s in other.shapes) == 1


def test_the_briefing_command_puts_the_photos_in_the_files(three, tmp_path):
    assert briefing_main([str(three), "--out", str(tmp_path)]) == 0
    (pptx,) = tmp_path.glob("*.pptx")
    (pdf,) = tmp_path.glob("*.pdf")
    _s, _b, deck = _deck(three)
    prs = Presentation(str(pptx))
    village = prs.slides[_index(deck, "V01")]
    assert sum(s.shape_type == 13 for s in village.shapes) == 4
    assert _pages(pdf.read_bytes()) == 8


# --- the page ---------------------------------------------------------------------------
def test_the_meeting_page_shows_the_photos_on_the_village_slide(three, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(three))
    at = open_page("pages/meeting.py", query={"slide": "3"})
    assert not at.exception
    (body,) = [h.proto.body for h in at.get("html") if 'class="mtg-slide' in h.proto.body]
    assert "上庄村" in body and body.count('src="data:image/jpeg;base64,') == 3
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_only_people_allowed_to_view_reach_the_photos(three, tmp_path, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(three))
    install_accounts(tmp_path, monkeypatch)
    clock = Clock()
    monkeypatch.setattr(auth, "clock", clock)
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    # Without a login the page is not offered at all (and would stop before any slide).
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("pages/meeting.py", query={"slide": "3"})
    at = open_page("pages/meeting.py", login_as="vic", last_seen=clock(), query={"slide": "3"})
    assert not at.exception
    (body,) = [h.proto.body for h in at.get("html") if 'class="mtg-slide' in h.proto.body]
    assert body.count('src="data:image/jpeg;base64,') == 3


# --- an English deck ----------------------------------------------------------------------
BASE_EN = "Shangzhuang beef cattle demonstration base"


def test_an_english_deck_captions_in_english_escaped_with_the_chinese_as_fallback(six, tmp_path):
    store, bundle, deck = _deck(six, "en")
    index = _index(deck, "V01")
    photos = deck.slides[index].photos
    # S001's photo has only a Chinese caption: shown as it is; S002's in English.
    assert [p.caption for p in photos] == ["育肥牛舍", "Cowshed", HOSTILE_EN, "", "", ""]
    assert photos[1].feature == BASE_EN

    html = slide_html(deck, index, no_picture, store.photo_file)
    assert "<b>Cowshed</b>" in html and "<b>育肥牛舍</b>" in html and "<b>牛舍</b>" not in html
    assert "&lt;script&gt;alert(&#x27;en&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html and HOSTILE not in html

    pdf = village_sheets_pdf(bundle, deck, ["V01"], store.photo_file)
    text = _pdf_text(pdf, tmp_path, page=2)
    assert "Cowshed" in text and HOSTILE_EN in text and "育肥牛舍" in text

    prs = Presentation(io.BytesIO(deck_pptx(bundle, deck, store.photo_file)))
    village = prs.slides[index]
    texts = " ".join(s.text_frame.text for s in village.shapes if s.has_text_frame)
    assert "Cowshed" in texts and "<script>" in texts  # plain text, cut to the picture
    notes = village.notes_slide.notes_text_frame.text
    assert f"• {BASE_EN}:{HOSTILE_EN}" in notes and f"• {BASE_EN}:Cowshed · 2025-04-30" in notes


def test_the_english_meeting_page_shows_the_english_captions_escaped(three, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(three))
    at = open_page("pages/meeting.py", query={"slide": "3", "lang": "en"})
    assert not at.exception
    (body,) = [h.proto.body for h in at.get("html") if 'class="mtg-slide' in h.proto.body]
    assert "Cowshed" in body and body.count('src="data:image/jpeg;base64,') == 3
    assert "&lt;script&gt;alert(&#x27;en&#x27;)&lt;/script&gt;" in body
    assert "<script>alert" not in body
