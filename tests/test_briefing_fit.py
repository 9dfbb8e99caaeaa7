"""Slides that fit: the model splits a village plan (and the report's cards) that is too
long for one slide onto continuation slides "(续)", and the page, the PowerPoint and the
village sheets follow that split. The PowerPoint's slides carry real titles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import yaml
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Emu, Inches

from township_atlas.briefing.fit import (
    ORG_ROWS,
    SIDE_LINES,
    UNCOVERED_CHARS,
    clip,
    items_lines,
    paginate,
    side_lines,
    text_lines,
    text_width,
    uncovered_text,
)
from township_atlas.briefing.html import slide_html
from township_atlas.briefing.model import Figure, Item, Slide, Table
from township_atlas.briefing.pdf_export import BOTTOM, FOOT_Y, village_sheets, village_sheets_pdf
from township_atlas.briefing.pptx_export import TITLE_BOX, TITLE_PT, deck_pptx
from township_atlas.briefing.slides import build_deck
from township_atlas.storage.files.store import Store
from township_atlas.text.labels import tr

from .conftest import SAMPLE_DIR
from .pdf_bounds import overruns, page_lines

TODAY = dt.date(2026, 3, 15)
GOALS = 12


def _deck(folder: Path, lang: str = "zh"):
    bundle = Store(folder).load().bundle
    return bundle, build_deck(bundle, lang, TODAY)


@pytest.fixture(scope="module")
def sample():
    return _deck(SAMPLE_DIR)


@pytest.fixture(scope="module")
def sample_prs(sample):
    return Presentation(io.BytesIO(deck_pptx(*sample)))


@pytest.fixture
def long_plan(sample_dir: Path) -> Path:
    """V02 (河湾村) with twelve yearly goals."""
    path = sample_dir / "plans.yaml"
    plans = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = plans["villages"]["V02"]
    indicators = [g["indicator"] for g in plan["goals"]]
    plan["goals"] = [
        {"year": 2020 + i, "indicator": indicators[i % 5], "text_zh": f"第{i + 1}年目标"}
        for i in range(GOALS)
    ]
    path.write_text(yaml.safe_dump(plans, allow_unicode=True), encoding="utf-8")
    return sample_dir


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


# --- the rule, in the model -------------------------------------------------------------
def test_every_sample_slide_fits_and_the_sample_needs_no_continuation(sample):
    _bundle, deck = sample
    assert len(deck.slides) == 12 and not any(s.continued for s in deck.slides)
    for slide in deck.village_slides():
        assert side_lines(slide, "zh") <= SIDE_LINES, slide.key
        assert slide.plan is not None and len(slide.plan.steps) == 5


def test_a_village_with_twelve_goals_continues_on_a_second_slide(long_plan):
    _bundle, deck = _deck(long_plan)
    parts = [s for s in deck.slides if s.village_code == "V02"]
    assert [p.key for p in parts] == ["village-V02", "village-V02-2"]
    assert [p.part for p in parts] == [1, 2]
    first, rest = parts
    assert rest.title == first.title + "(续)" == "河湾村 · 设施蔬菜(续)"
    # Every goal once, in order, split between the two; each part fits its side column.
    years = [s.year for p in parts for s in p.plan.steps]
    assert years == list(range(2020, 2020 + GOALS))
    assert 0 < len(first.plan.steps) < GOALS
    for part in parts:
        assert side_lines(part, "zh") <= SIDE_LINES
    # Figures, facts, milestones and the groups stay on the first part; the map on both.
    assert first.figures and first.facts and first.plan.milestones and first.tables
    assert not (rest.figures or rest.facts or rest.plan.milestones or rest.tables)
    assert rest.map == first.map and rest.plan.leading_industry == first.plan.leading_industry
    # The deck numbers the continuation like any slide.
    assert len(deck.slides) == 13
    index = deck.slides.index(rest)
    assert deck.number(index) == f"{index + 1} / 13"
    html = slide_html(deck, index, lambda _s: None)
    assert "河湾村 · 设施蔬菜(续)" in html and "2031" in html and "2020" not in html


def test_the_powerpoint_and_the_sheets_have_the_pages_the_page_has(long_plan):
    bundle, deck = _deck(long_plan)
    prs = Presentation(io.BytesIO(deck_pptx(bundle, deck)))
    assert len(prs.slides) == len(deck.slides) == 13
    village = deck.village_slides()
    assert _pages(village_sheets_pdf(bundle, deck)) == len(village) == 8
    assert _pages(village_sheets_pdf(bundle, deck, ["V02"])) == 2
    # The goals are split at the same year in all three.
    for model, slide in zip(deck.slides, prs.slides, strict=True):
        if model.village_code == "V02":
            tables = [s.table for s in slide.shapes if s.has_table]
            years = [r.cells[0].text for r in tables[0].rows][1:]
            assert years == [str(s.year) for s in model.plan.steps]
    sheets = village_sheets(bundle, deck, ["V02"])
    assert all(bottom <= FOOT_Y for bottom in sheets.content_bottom), sheets.content_bottom


def test_a_long_plan_in_english_continues_too(long_plan):
    _bundle, deck = _deck(long_plan, "en")
    titles = [s.title for s in deck.slides if s.village_code == "V02"]
    assert titles[1] == titles[0] + " (cont.)"


def test_the_report_cards_continue_when_they_do_not_fit():
    long = "措施内容较长,需要多行显示。" * 6
    items = tuple(Item(title=f"措施{i}", text=long, detail="针对:问题") for i in range(11))
    slide = Slide("measures", "measures", "对策措施", items=items)
    assert items_lines(items) > SIDE_LINES
    parts = paginate(slide, "zh")
    assert len(parts) > 1
    assert [i for p in parts for i in p.items] == list(items)
    assert [p.title for p in parts[1:]] == ["对策措施(续)"] * (len(parts) - 1)
    for part in parts:
        assert items_lines(part.items) <= SIDE_LINES
    assert all(len(p.items) % 3 == 0 for p in parts[:-1])  # a row of cards is never split
    short = Slide("measures", "measures", "对策措施", items=items[:3])
    assert paginate(short, "zh") == (short,)


def test_text_is_measured_in_chinese_characters():
    assert text_width("河湾村") == 3 and text_width("abcd") == pytest.approx(2.2)
    assert text_lines("字" * 36) == 1 and text_lines("字" * 37) == 2 and text_lines("") == 1
    assert clip("设施蔬菜基地土地流转稳步扩大", 8) == "设施蔬菜基地土…"
    assert clip("短", 8) == "短"


# --- the PowerPoint: titles and bounds --------------------------------------------------
def test_every_powerpoint_slide_has_its_title_in_a_title_placeholder(sample, sample_prs):
    _bundle, deck = sample
    for model, slide in zip(deck.slides, sample_prs.slides, strict=True):
        assert slide.slide_layout.name == "Title Only"
        title = slide.shapes.title
        assert title is not None and title.is_placeholder
        assert title.placeholder_format.type == PP_PLACEHOLDER.TITLE
        assert title.text_frame.text == model.title
        # Styled and placed as before: 30 pt bold on the left, in the title band.
        run = title.text_frame.paragraphs[0].runs[0]
        assert run.font.size.pt == TITLE_PT and run.font.bold
        box = [Emu(v).inches for v in (title.left, title.top, title.width, title.height)]
        assert box == pytest.approx(list(TITLE_BOX), abs=0.01)
        # The title is not written twice (once as a placeholder, once as a text box).
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert texts.count(model.title) == 1


def test_every_powerpoint_shape_ends_above_the_footer_line(sample_prs, long_plan):
    bundle, deck = _deck(long_plan)
    long_prs = Presentation(io.BytesIO(deck_pptx(bundle, deck)))
    footer_line = Inches(7.0)
    for prs in (sample_prs, long_prs):
        for number, slide in enumerate(prs.slides, start=1):
            for shape in slide.shapes:
                if shape.top >= footer_line:
                    continue  # the footer itself
                bottom = shape.top + shape.height
                assert bottom <= footer_line, (number, shape.name, Emu(bottom).inches)


def test_a_long_branches_table_and_sites_list_continue_on_the_next_slide():
    branches = Table(
        columns=("党支部", "党员", "党小组", "依托产业链"),
        rows=tuple((f"第{i}党支部", "30", "2", "—") for i in range(23)),
        title="各党支部",
    )
    sites = Table(
        columns=("村", "点位", "类型"),
        rows=tuple(("上庄村", f"产业示范点{i}", "产业基地") for i in range(40)),
        title="尚未建立党小组的点位(40 个)",
    )
    figure = Figure("党支部", "23 个", "party_orgs")
    slide = Slide(
        "organisation",
        "organisation",
        "党组织建设与覆盖",
        figures=(figure,),
        tables=(branches, sites),
    )
    parts = paginate(slide, "zh")
    assert [p.key for p in parts][:2] == ["organisation", "organisation-2"]
    assert [p.title for p in parts[1:]] == ["党组织建设与覆盖(续)"] * (len(parts) - 1)
    assert [r for p in parts for r in p.tables[0].rows] == list(branches.rows)
    assert [r for p in parts for r in p.tables[1].rows] == list(sites.rows)
    assert [len(p.tables[0].rows) for p in parts[:3]] == [ORG_ROWS, ORG_ROWS, 3]
    for part in parts:
        assert text_width(uncovered_text(part.tables[1].rows)) <= UNCOVERED_CHARS
    assert parts[0].figures == (figure,) and not any(p.figures for p in parts[1:])
    ten = dataclasses.replace(branches, rows=branches.rows[:ORG_ROWS])
    short = Slide("organisation", "organisation", "党组织建设与覆盖", tables=(ten,))
    assert paginate(short, "zh") == (short,)


def test_a_long_powerpoint_title_is_set_smaller_to_stay_one_line(sample):
    bundle, deck = sample
    long = "上庄村 · 肉牛养殖与饲草种植、屠宰加工、冷链物流一体化发展示范"
    slides = (dataclasses.replace(deck.slides[0], title=long),)
    prs = Presentation(io.BytesIO(deck_pptx(bundle, dataclasses.replace(deck, slides=slides))))
    title = prs.slides[0].shapes.title
    assert title.text_frame.text == long
    size = title.text_frame.paragraphs[0].runs[0].font.size.pt
    assert 20 <= size < TITLE_PT
    assert text_width(long) * size / 72 <= Emu(title.width).inches


# --- the village sheets: nothing runs into the foot -------------------------------------
def _foot_problems(deck, pdf: bytes, folder: Path) -> list[str]:
    foot = tr("mtg_sheet_sources", deck.lang)
    return overruns(pdf, folder, FOOT_Y, foot, {s.village_code for s in deck.slides})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sample_sheet_ends_above_its_foot_in_both_languages(lang, tmp_path):
    bundle, deck = _deck(SAMPLE_DIR, lang)
    sheets = village_sheets(bundle, deck)
    pdf = bytes(sheets.output())
    assert _foot_problems(deck, pdf, tmp_path) == []
    # English words are longer: the type and columns are tightened so that every sample
    # village still has one page, as in Chinese.
    assert _pages(pdf) == len(deck.village_slides()) == 7
    assert all(bottom <= BOTTOM for bottom in sheets.content_bottom), sheets.content_bottom


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_sheet_too_long_for_its_page_continues_on_the_next(lang, tmp_path):
    """Thirty Party groups: the groups table continues, row by row, on pages titled
    "… (续)" with its column heads repeated; every group is printed once."""
    bundle, deck = _deck(SAMPLE_DIR, lang)
    slide = deck.village_slides()[0]
    table = slide.tables[0]
    rows = tuple((f"G{n:02d} {table.rows[0][0]}", *table.rows[0][1:]) for n in range(30))
    long = dataclasses.replace(slide, tables=(dataclasses.replace(table, rows=rows),))
    deck = dataclasses.replace(deck, slides=(long,))
    pdf = village_sheets_pdf(bundle, deck)
    assert _foot_problems(deck, pdf, tmp_path) == []
    pages = page_lines(pdf, tmp_path)
    assert len(pages) >= 2
    cont = slide.title + tr("mtg_continued", lang)
    text = ["\n".join(t for t, _, _ in lines) for lines in pages]
    assert all(cont in page for page in text[1:]) and cont not in text[0]
    assert all(table.columns[-1] in page for page in text[1:])  # the heads, repeated
    everything = "".join(text)
    assert all(everything.count(f"G{n:02d}") == 1 for n in range(30))
