"""The village sheet embeds each photo at the size it is printed (its box at 300 dpi), not
the stored 2048-px picture, so a sheet with many photos can be sent from a phone; the
PowerPoint keeps the 320-px thumbnails. Read back with poppler's ``pdfimages -list`` and
python-pptx + Pillow. A picture that cannot be decoded is the "photo file missing" note.
Photos are added to a copy of the sample through the real pipeline; images made by code."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation

from township_atlas.briefing.pdf_export import village_sheets_pdf
from township_atlas.briefing.pptx_export import deck_pptx
from township_atlas.briefing.sized import MAX_STORED_PIXELS, QUALITY, print_px, sized_jpeg
from township_atlas.briefing.slides import build_deck
from township_atlas.storage.files.store import Store

from .conftest import SAMPLE_DIR
from .photo_images import add_photos, camera_jpeg

TODAY = dt.date(2026, 3, 15)
#: The photo page's two columns: (186 mm - 6 mm gap) / 2 = 90 mm wide, at 300 dpi.
CELL_PX = print_px(90.0)
CAPTIONS = ["牛舍全景", "饲草料库", "竖拍的入口", "育肥区", "小图", "粪污处理"]


def _jpeg(width: int, height: int) -> bytes:
    """A JPEG with detail everywhere (so a resize is visible in its bytes)."""
    im = Image.effect_mandelbrot((width, height), (-2.0, -1.2, 0.8, 1.2), 60).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """The sample with six photos of the base S002 (V01): four large landscape ones, a
    portrait one (a phone held upright) and a small one, stored as the worker makes them."""
    folder = tmp_path_factory.mktemp("big") / "geodata"
    shutil.copytree(SAMPLE_DIR, folder)
    images = [
        camera_jpeg(width=3000, height=2000),
        camera_jpeg(width=2800, height=2100),
        camera_jpeg(orientation=6, width=2400, height=1800),
        camera_jpeg(width=2600, height=1300),
        camera_jpeg(width=400, height=300),
        camera_jpeg(width=2200, height=2200),
    ]
    add_photos(folder, "sites", "S002", images, CAPTIONS)
    return folder


def _deck(folder: Path):
    store = Store(folder)
    bundle = store.load().bundle
    return store, bundle, build_deck(bundle, "zh", TODAY)


def _photos(deck):
    return next(s for s in deck.village_slides() if s.village_code == "V01").photos


def _pdf_images(pdf: bytes, folder: Path, page: int) -> list[dict]:
    """The images on ``page`` as ``pdfimages -list`` shows them (size and resolution)."""
    path = folder / "sheet.pdf"
    path.write_bytes(pdf)
    args = ["pdfimages", "-list", "-f", str(page), "-l", str(page), str(path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    return [
        {"w": int(r[3]), "h": int(r[4]), "enc": r[8], "xppi": int(r[12]), "yppi": int(r[13])}
        for r in rows
    ]


def _pdf_text(pdf: bytes, folder: Path, page: int) -> str:
    path = folder / "sheet.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


# --- the function -----------------------------------------------------------------------
def test_a_picture_larger_than_its_box_is_made_to_fit_it_with_its_aspect():
    data = _jpeg(2048, 1536)
    out = sized_jpeg(data, 1063, 711)
    assert out is not None and out.startswith(b"\xff\xd8\xff")
    with Image.open(io.BytesIO(out)) as im:
        assert im.format == "JPEG" and im.size == (948, 711)
        assert not im.info.get("exif") and not im.info.get("icc_profile")
    assert len(out) < len(data) / 2
    with Image.open(io.BytesIO(sized_jpeg(_jpeg(1536, 2048), 1063, 711))) as im:
        assert im.size == (533, 711)  # a portrait picture fills the box's height


def test_a_picture_that_fits_its_box_is_kept_byte_for_byte():
    data = _jpeg(640, 480)
    assert sized_jpeg(data, 1063, 711) is data
    assert sized_jpeg(data, 640, 480) is data


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(b"\xff\xd8\xff" + b"not a picture" * 50, id="jpeg-magic-then-garbage"),
        pytest.param(None, id="truncated"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, id="png"),
    ],
)
def test_bytes_that_do_not_decode_as_a_jpeg_give_none(bad):
    if bad is None:
        whole = _jpeg(1200, 900)
        bad = whole[: len(whole) // 2]
    assert sized_jpeg(bad, 300, 200) is None
    assert sized_jpeg(bad, 5000, 5000) is None  # even when it would have fitted


def test_a_picture_with_more_pixels_than_the_worker_stores_is_not_decoded():
    side = int(MAX_STORED_PIXELS**0.5) + 1
    buf = io.BytesIO()
    Image.new("RGB", (side, side), (90, 120, 60)).save(buf, "JPEG", quality=QUALITY)
    assert sized_jpeg(buf.getvalue(), 1000, 1000) is None


# --- the village sheet ------------------------------------------------------------------
def test_the_sheet_embeds_each_photo_at_its_box_size_at_300_dpi(big, tmp_path):
    store, bundle, deck = _deck(big)
    photos = _photos(deck)
    assert len(photos) == 6
    stored = [Image.open(io.BytesIO(store.photo_file(p.file))).size for p in photos]
    assert max(max(s) for s in stored) == 2048  # the worker's bound: what was embedded before
    pdf = village_sheets_pdf(bundle, deck, ["V01"], store.photo_file)
    images = _pdf_images(pdf, tmp_path, page=2)
    assert [i["enc"] for i in images] == ["jpeg"] * 6  # every picture is there
    for image, size in zip(images, stored, strict=True):
        assert image["w"] <= CELL_PX and image["h"] <= CELL_PX
        if size[0] > CELL_PX or size[1] > CELL_PX:
            # Reduced to its box at 300 dpi (rounded up), not below.
            assert 295 <= image["xppi"] <= 301 and 295 <= image["yppi"] <= 301, image
        else:
            assert (image["w"], image["h"]) == size  # the small photo as it was stored
    # Portrait stays portrait, landscape landscape.
    assert [i["w"] > i["h"] for i in images] == [w > h for w, h in stored]
    text = _pdf_text(pdf, tmp_path, page=2)
    for caption in CAPTIONS:
        assert caption in text
    assert "照片文件缺失" not in text


def test_a_stored_picture_that_does_not_decode_is_the_note_and_the_rest_is_drawn(big, tmp_path):
    store, bundle, deck = _deck(big)
    photos = _photos(deck)
    before = {p.file: store.photo_file(p.file) for p in photos}
    damaged = {photos[1].file: before[photos[1].file][:2000], photos[4].file: b"\xff\xd8\xff"}

    def reader(name: str) -> bytes:
        return damaged.get(name) or store.photo_file(name)

    pdf = village_sheets_pdf(bundle, deck, ["V01"], reader)
    assert [i["enc"] for i in _pdf_images(pdf, tmp_path, page=2)] == ["jpeg"] * 4
    text = _pdf_text(pdf, tmp_path, page=2)
    assert text.count("照片文件缺失") == 2
    for caption in CAPTIONS:  # each cell keeps its caption, the damaged ones too
        assert caption in text
    # Drawing the sheet changed no stored file.
    assert {p.file: store.photo_file(p.file) for p in photos} == before


# --- the PowerPoint ---------------------------------------------------------------------
def test_the_powerpoint_strip_embeds_the_thumbnails_not_the_stored_pictures(big):
    store, bundle, deck = _deck(big)
    prs = Presentation(io.BytesIO(deck_pptx(bundle, deck, store.photo_file)))
    index = next(i for i, s in enumerate(deck.slides) if s.village_code == "V01")
    blobs = [
        s.image.blob
        for s in prs.slides[index].shapes
        if s.shape_type == 13 and s.image.content_type == "image/jpeg"
    ]
    assert len(blobs) == 4  # the strip's four
    thumbs = {store.photo_file(p.thumb) for p in _photos(deck)}
    for blob in blobs:
        assert blob in thumbs
        with Image.open(io.BytesIO(blob)) as im:
            assert max(im.size) <= 320
    texts = " ".join(s.text_frame.text for s in prs.slides[index].shapes if s.has_text_frame)
    for caption in CAPTIONS[:4]:
        assert caption in texts
