"""The meeting deck: slides built from the data, and the same slides as HTML, PowerPoint
and village sheets (PDF) — following the data, surviving missing data, escaping names."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pptx import Presentation
from pptx.util import Emu

from township_atlas.briefing import fonts
from township_atlas.briefing.files import deck_file_name, safe_name, sheets_file_name
from township_atlas.briefing.html import slide_html
from township_atlas.briefing.model import Deck, Slide
from township_atlas.briefing.pdf_export import village_sheets_pdf
from township_atlas.briefing.pptx_export import deck_pptx
from township_atlas.briefing.slides import build_deck
from township_atlas.storage.files.store import Store

from .conftest import SAMPLE_DIR

TODAY = dt.date(2026, 3, 15)
KINDS = ["overview", "indicators", *["village"] * 7, "organisation", "problems", "measures"]


def deck_of(folder: Path, lang: str = "zh"):
    bundle = Store(folder).load().bundle
    return bundle, build_deck(bundle, lang, TODAY)


@pytest.fixture(scope="module")
def sample():
    """The shipped sample, read only: (bundle, deck)."""
    return deck_of(SAMPLE_DIR)


@pytest.fixture(scope="module")
def sample_pptx(sample) -> bytes:
    return deck_pptx(*sample)


def no_picture(_slide):
    return None


def test_the_deck_walks_through_the_township_in_order(sample):
    _bundle, deck = sample
    assert [s.kind for s in deck.slides] == KINDS
    assert deck.township == "青禾乡(示例)" and deck.year == 2025 and deck.sample
    titles = [s.title for s in deck.village_slides()]
    assert titles[0] == "上庄村 · 肉牛养殖" and titles[2] == "杏树坪村 · 中药材"
    assert deck.footer(3) == "青禾乡(示例)会议汇报 · 2025 年数据 · 示例数据 · 4 / 12"


def test_headline_figures_are_computed_and_checked_against_the_report(sample):
    _bundle, deck = sample
    shown = {f.label: (f.value, f.note) for f in deck.slides[0].figures}
    assert shown["乡域面积"] == ("42.5 平方公里", "报告数 42.5 · 一致")
    assert shown["党员"] == ("353 名", "报告数 353 · 一致")
    assert shown["农村党员"] == ("301 名", "报告数 301 · 一致")
    assert shown["行政村"][0] == "7 个" and shown["党支部"][0] == "10 个"


def test_every_figure_has_a_value_and_a_source_and_the_notes_list_them(sample):
    _bundle, deck = sample
    for slide in deck.slides:
        figures = [*slide.figures, *slide.facts, *(f for i in slide.items for f in i.figures)]
        for figure in figures:
            assert figure.label and figure.value and figure.source, (slide.key, figure)
            assert figure.source in slide.notes("zh")


def test_a_village_slide_has_its_plan_and_figures_against_targets(sample):
    _bundle, deck = sample
    v01 = deck.village_slides()[0]
    figures = {f.label: f for f in v01.figures}
    # Computed in the test from the file: V01's collective income in 2025 and its target.
    rows = pd.read_csv(SAMPLE_DIR / "indicators.csv")
    row = rows[(rows.place_code == "V01") & (rows.year == 2025)]
    row = row[row.indicator == "collective_income"].iloc[0]
    income = figures["村集体经济收入"]
    assert income.value == f"{row.value:g} 万元" and income.target == f"{row.target:g} 万元"
    assert income.status == (
        "green" if row.value >= row.target else "red" if row.value < 0.9 * row.target else "amber"
    )
    assert figures["村党支部"].value == "52 名党员 · 3 个党小组"
    assert v01.plan is not None and v01.plan.leading_industry == "肉牛养殖"
    assert [s.year for s in v01.plan.steps] == [2023, 2024, 2025, 2026, 2027]
    assert v01.plan.steps[-1].state == "未到年份"  # 2027 is after TODAY
    assert v01.map is not None and v01.map.focus_village == "V01"
    assert v01.tables[0].rows[0][0] == "上庄肉牛养殖示范基地党小组"


def test_organisation_and_report_slides(sample):
    _bundle, deck = sample
    org, problems, measures = deck.slides[-3:]
    coverage = next(f for f in org.figures if f.label == "党小组覆盖率")
    assert coverage.value == "81%" and coverage.note.startswith("21 / 26")
    assert len(org.tables[0].rows) == 10 and len(org.tables[1].rows) == 5
    assert [i.title for i in problems.items][2] == "村办公经费紧张,无钱办事"
    assert problems.items[2].detail == "涉及:杏树坪村、石岔村、红柳村"
    assert len(measures.items) == 5 and measures.items[1].detail == "针对:村办公经费紧张,无钱办事"


def _edit_indicator(folder: Path, place: str, year: int, key: str, value: float) -> None:
    path = folder / "indicators.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = (rows.place_code == place) & (rows.year == str(year)) & (rows.indicator == key)
    assert mask.sum() == 1
    rows.loc[mask, "value"] = str(value)
    rows.to_csv(path, index=False)


def test_slides_follow_the_data(sample_dir):
    _edit_indicator(sample_dir, "V01", 2025, "collective_income", 31.4)
    path = sample_dir / "party_orgs.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    branch = next(f for f in doc["features"] if f["properties"]["org_id"] == "B01")
    branch["properties"]["members"] += 5
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    _bundle, deck = deck_of(sample_dir)
    shown = {f.label: f for f in deck.slides[0].figures}
    assert shown["党员"].value == "358 名" and shown["党员"].note == "报告数 353 · 不一致"
    assert shown["党员"].status == "red"
    v01 = {f.label: f.value for f in deck.village_slides()[0].figures}
    assert v01["村集体经济收入"] == "31.4 万元"
    assert v01["村党支部"] == "57 名党员 · 3 个党小组"
    html = slide_html(deck, 2, no_picture)
    assert "31.4 万元" in html


@pytest.fixture
def village_without_data(sample_dir) -> Path:
    """V03 with no plan, no indicator rows and no Party branch or groups."""
    plans = yaml.safe_load((sample_dir / "plans.yaml").read_text(encoding="utf-8"))
    del plans["villages"]["V03"]
    (sample_dir / "plans.yaml").write_text(yaml.safe_dump(plans, allow_unicode=True), "utf-8")
    rows = pd.read_csv(sample_dir / "indicators.csv", dtype=str, keep_default_na=False)
    rows[rows.place_code != "V03"].to_csv(sample_dir / "indicators.csv", index=False)
    path = sample_dir / "party_orgs.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"].get("village_code") != "V03"]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return sample_dir


def test_a_village_with_missing_data_still_gets_its_slide_sheet_and_pptx(village_without_data):
    bundle, deck = deck_of(village_without_data)
    v03 = next(s for s in deck.village_slides() if s.village_code == "V03")
    assert v03.plan is None and v03.title == "杏树坪村 · 中药材"
    assert any("plans.yaml" in m for m in v03.missing)
    assert any("indicators.csv" in m for m in v03.missing)
    assert any("支部" in m for m in v03.missing)
    assert [f.value for f in v03.figures] == ["—"]  # the branch, missing
    index = deck.slides.index(v03)
    assert "plans.yaml" in slide_html(deck, index, no_picture)
    pdf = village_sheets_pdf(bundle, deck, ["V03"])
    assert _pages(pdf) == 1
    prs = Presentation(io.BytesIO(deck_pptx(bundle, deck)))
    assert "plans.yaml" in _slide_text(prs.slides[index])


def test_an_empty_data_folder_still_makes_a_deck(tmp_path):
    empty = tmp_path / "geodata"
    shutil.copytree(SAMPLE_DIR, empty)
    for name in ("indicators.csv",):
        header = (empty / name).read_text(encoding="utf-8").splitlines()[0]
        (empty / name).write_text(header + "\n", encoding="utf-8")
    (empty / "report.yaml").write_text("{}\n", encoding="utf-8")
    bundle, deck = deck_of(empty)
    assert deck.year is None
    assert deck.slides[1].missing and deck.slides[-1].missing
    for index in range(len(deck.slides)):
        slide_html(deck, index, no_picture)
    assert len(Presentation(io.BytesIO(deck_pptx(bundle, deck))).slides) == len(deck.slides)


def test_names_from_the_data_are_escaped_in_the_slide(sample_dir):
    path = sample_dir / "villages.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    hostile = '<img src=x onerror="alert(1)">村'
    doc["features"][0]["properties"]["name_zh"] = hostile
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    _bundle, deck = deck_of(sample_dir)
    html = slide_html(deck, 2, no_picture)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;村" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_slide_renders_as_html_with_its_number_and_township(sample, lang):
    bundle = sample[0]
    deck = build_deck(bundle, lang, TODAY)
    for index in range(len(deck.slides)):
        html = slide_html(deck, index, no_picture)
        assert f"{index + 1} / {len(deck.slides)}" in html
        assert deck.title in html


# --- PowerPoint -------------------------------------------------------------------------
def _slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(parts)


def test_the_pptx_reads_back_with_every_title_figure_picture_and_source(sample, sample_pptx):
    _bundle, deck = sample
    prs = Presentation(io.BytesIO(sample_pptx))
    assert (Emu(prs.slide_width).inches, Emu(prs.slide_height).inches) == pytest.approx(
        (13.333, 7.5), abs=0.01
    )
    assert len(prs.slides) == len(deck.slides)
    for index, (slide, model) in enumerate(zip(prs.slides, deck.slides, strict=True)):
        text = _slide_text(slide)
        assert model.title in text
        assert deck.number(index) in text and deck.title in text
        for figure in model.figures:
            assert figure.value in text, (model.key, figure.value)
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        if model.map is not None or model.chart is not None:
            assert len(pictures) == 1, model.key
        notes = slide.notes_slide.notes_text_frame.text
        for figure in model.figures:
            assert figure.source in notes


def test_the_pptx_names_a_chinese_font_for_east_asian_text(sample_pptx):
    xml = Presentation(io.BytesIO(sample_pptx)).slides[0].shapes[0]._element.xml
    assert '<a:ea typeface="Microsoft YaHei"/>' in xml and 'lang="zh-CN"' in xml


@pytest.mark.skipif(
    not shutil.which("soffice") and os.environ.get("TOWNSHIP_ATLAS_REQUIRE_OFFICE") != "1",
    reason="LibreOffice (soffice) not installed: apt-get install libreoffice-impress",
)
def test_libreoffice_converts_the_pptx_to_pdf(sample, sample_pptx, tmp_path):
    source = tmp_path / "deck.pptx"
    source.write_bytes(sample_pptx)
    profile = tmp_path / "profile"  # its own profile: no clash with a running LibreOffice
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert _pages((tmp_path / "deck.pdf").read_bytes()) == len(sample[1].slides)


# --- village sheets (PDF) ---------------------------------------------------------------
def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_village_sheets_are_one_a4_page_each_with_an_embedded_font_subset(sample):
    bundle, deck = sample
    pdf = village_sheets_pdf(bundle, deck)
    assert pdf.startswith(b"%PDF") and _pages(pdf) == 7
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 in points
    assert re.search(rb"/BaseFont /[A-Z]{6}\+", pdf)  # a subset, embedded
    assert b"/FontFile" in pdf
    one = village_sheets_pdf(bundle, deck, ["V02"])
    assert _pages(one) == 1


def test_a_missing_chinese_font_is_a_plain_error_naming_the_package(monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    fonts.cjk_font.cache_clear()
    try:
        with pytest.raises(fonts.FontMissingError) as caught:
            fonts.cjk_font()
        assert "fonts-noto-cjk" in caught.value.message("zh")
        assert "fonts-noto-cjk" in caught.value.message("en")
    finally:
        fonts.cjk_font.cache_clear()


def test_file_names_carry_township_and_date_and_are_safe(sample):
    _bundle, deck = sample
    assert deck_file_name(deck) == "青禾乡(示例)_会议汇报_2026-03-15.pptx"
    assert sheets_file_name(deck) == "青禾乡(示例)_一村一档_2026-03-15.pdf"
    assert sheets_file_name(deck, "上庄村") == "青禾乡(示例)_上庄村_一村一档_2026-03-15.pdf"
    assert safe_name('a/b\\c:d*e?"f<g>h|i j') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_name("../..") == "briefing"


@pytest.mark.parametrize(
    ("number", "expected"), [("1", 0), ("3", 2), ("0", 0), ("-4", 0), ("99", 2), ("x", None)]
)
def test_the_slide_number_of_the_url_is_kept_within_the_deck(number, expected):
    slides = tuple(Slide("overview", f"s{i}", f"第{i}页") for i in range(3))
    deck = Deck("测试乡", "zh", 2024, dt.date(2025, 1, 1), sample=False, slides=slides)
    assert deck.slide_index(number) == expected
