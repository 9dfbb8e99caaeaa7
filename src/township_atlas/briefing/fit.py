"""How much of a village's plan fits on one slide: decided here, once, for all three
renderers.

A village slide's side column (beside its map) holds :data:`SIDE_LINES` lines of body
text. Each block costs lines: a row of figure cards :data:`FIGURE_ROW_LINES`, a heading
one line, a measure as many lines as it wraps to (:func:`text_lines`), a table row one
line, and :data:`GAP_LINES` between blocks. What does not fit moves, in order, to a
continuation slide "(续)" with the same map: the page (``html.py``), the PowerPoint
(``pptx_export.py``) and the village sheets (``pdf_export.py``) draw each part as one
slide or page, sized so that :data:`SIDE_LINES` lines fill their side column, so the
three always have the same number of slides and pages, split at the same row (the sheets
add one photo page for a village with photos, and a page "(续)" where an A4 page still
overflows, e.g. many Party groups; see ``pdf_export._Flow``). A village's photos are drawn under its map,
outside the side column, so they cost no lines here; they stay on the first part.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Sequence

from township_atlas.briefing.model import Deck, Item, Plan, PlanStep, Slide
from township_atlas.text.labels import tr

#: Lines of body text in the side column of a village slide. On the page a line is
#: ``html.LINE_U`` (1.95) of its unit ``--u``, and 22.5 of them fit above the footer at 16:9
#: from 1366×768 up (tests/browser/test_meeting_fit.py); in the PowerPoint a line is the
#: body's height / 22.5; the A4 sheet has room to spare.
SIDE_LINES = 22.5
#: One row of (at most three) figure cards, and the gap between two rows.
FIGURE_ROW_LINES = 3.25
FIGURE_GAP_LINES = 0.4
#: Between two blocks of the side column.
GAP_LINES = 0.5
#: The width of a side-column line, in CJK characters (Latin letters count
#: :data:`LATIN_WIDTH`).
LINE_CHARS = 36.0
LATIN_WIDTH = 0.55
FIGURES_PER_ROW = 3
#: Heading and column heads of the goals table; and the padding of the "missing" box.
TABLE_HEAD_LINES = 2.0
BOX_PAD_LINES = 0.4
#: The problems and measures slides: cards three to a row across the whole body (the
#: same 22.5 lines tall); a card's width in CJK characters for its title (larger type),
#: text and detail (smaller type); its padding; the gap between rows.
ITEMS_PER_ROW = 3
ITEM_TITLE_CHARS = 18.0
ITEM_CHARS = 22.0
ITEM_DETAIL_CHARS = 25.0
ITEM_PAD_LINES = 1.1
#: A card's figures, side by side.
ITEM_FIGURES_PER_ROW = 2
#: The organisation slide: rows of the branches table, and the width (in CJK characters)
#: of the list of sites without a Party group under the map, per slide.
ORG_ROWS = 10
UNCOVERED_CHARS = 110.0
ITEM_GAP_LINES = 0.6


def text_width(text: str) -> float:
    """The width of ``text`` in CJK characters: wide and ambiguous characters count 1,
    others :data:`LATIN_WIDTH` (a Latin letter is about half a Chinese character)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else LATIN_WIDTH for c in text)


def text_lines(text: str, chars: float = LINE_CHARS) -> int:
    """How many lines ``text`` wraps to in a column ``chars`` CJK characters wide (≥ 1)."""
    return max(1, math.ceil(text_width(text) / chars))


def clip(text: str, chars: float) -> str:
    """``text`` cut to at most ``chars`` CJK characters wide, ending with "…" when cut
    (for renderers that cannot clip a table cell themselves, like PowerPoint)."""
    if text_width(text) <= chars:
        return text
    out, width = "", 0.0
    for c in text:
        step = text_width(c)
        if width + step > chars - 1:
            break
        out += c
        width += step
    return out + "…"


def figure_lines(n: int) -> float:
    """Lines taken by ``n`` figure cards, three to a row."""
    rows = math.ceil(n / FIGURES_PER_ROW)
    return rows * FIGURE_ROW_LINES + max(rows - 1, 0) * FIGURE_GAP_LINES


def problems_line(problems: Sequence[str], lang: str) -> str:
    """The weak points as one paragraph: "需解决的问题:a;b"."""
    return f"{tr('mtg_weak_points', lang)}:{';'.join(problems)}"


def missing_lines(missing: Sequence[str]) -> float:
    return sum(text_lines(m) for m in missing) + BOX_PAD_LINES if missing else 0.0


def _measure_cost(measure: str) -> float:
    return float(text_lines(measure))


@dataclasses.dataclass
class _Column:
    """One side column being filled, block by block, in reading order."""

    used: float
    measures: list[str] = dataclasses.field(default_factory=list)
    problems: tuple[str, ...] = ()
    steps: list[PlanStep] = dataclasses.field(default_factory=list)
    full: bool = False

    def room(self, lines: float) -> bool:
        gap = GAP_LINES if self.used > 0 else 0.0
        return not self.full and self.used + gap + lines <= SIDE_LINES

    def start_block(self) -> None:
        self.used += GAP_LINES if self.used > 0 else 0.0


def _fill(plan: Plan, used: float, lang: str, first: bool) -> tuple[_Column, Plan | None]:
    """Fill one side column with as much of ``plan`` (measures, problems, goals by year)
    as fits after ``used`` lines; return the column and what is left (None: nothing)."""
    col = _Column(used)
    measures, steps = list(plan.measures), list(plan.steps)
    problems = plan.problems
    # At least one item on every continuation, so a single very long one cannot loop.
    force = not first
    if measures and (col.room(1 + _measure_cost(measures[0])) or force):
        col.start_block()
        col.used += 1
        while measures and (col.used + _measure_cost(measures[0]) <= SIDE_LINES or force):
            col.used += _measure_cost(measures[0])
            col.measures.append(measures.pop(0))
            force = False
    col.full = bool(measures)
    if problems and (col.room(text_lines(problems_line(problems, lang))) or force):
        col.start_block()
        col.used += text_lines(problems_line(problems, lang))
        col.problems, problems = problems, ()
        force = False
    col.full = col.full or bool(problems)
    if steps and (col.room(TABLE_HEAD_LINES + 1) or force):
        col.start_block()
        col.used += TABLE_HEAD_LINES
        while steps and (col.used + 1 <= SIDE_LINES or force):
            col.used += 1
            col.steps.append(steps.pop(0))
            force = False
    if not (measures or problems or steps):
        return col, None
    rest = dataclasses.replace(
        plan, measures=tuple(measures), problems=problems, steps=tuple(steps), milestones=()
    )
    return col, rest


def item_lines(item: Item) -> float:
    """Lines one card of the problems or measures slide takes."""
    lines = ITEM_PAD_LINES + text_lines(item.title, ITEM_TITLE_CHARS)
    lines += text_lines(item.text, ITEM_CHARS) if item.text else 0
    lines += text_lines(item.detail, ITEM_DETAIL_CHARS) if item.detail else 0
    rows = math.ceil(len(item.figures) / ITEM_FIGURES_PER_ROW)
    return lines + rows * (FIGURE_GAP_LINES + FIGURE_ROW_LINES)


def _item_rows(items: Sequence[Item]) -> list[tuple[Item, ...]]:
    return [tuple(items[i : i + ITEMS_PER_ROW]) for i in range(0, len(items), ITEMS_PER_ROW)]


def items_lines(items: Sequence[Item], missing: Sequence[str] = ()) -> float:
    """Lines the cards of a problems or measures slide take, row by row (a row is as tall
    as its tallest card), with its missing-data box."""
    rows = [max(item_lines(i) for i in row) for row in _item_rows(items)]
    blocks = [*rows, missing_lines(missing)] if missing else rows
    return sum(blocks) + ITEM_GAP_LINES * max(len(blocks) - 1, 0)


def _paginate_items(slide: Slide, lang: str) -> tuple[Slide, ...]:
    parts: list[list[Item]] = [[]]
    for row in _item_rows(slide.items):
        missing = slide.missing if len(parts) == 1 else ()
        if parts[-1] and items_lines([*parts[-1], *row], missing) > SIDE_LINES:
            parts.append([])
        parts[-1].extend(row)
    if len(parts) == 1:
        return (slide,)
    return tuple(
        dataclasses.replace(
            slide,
            key=slide.key if n == 1 else f"{slide.key}-{n}",
            title=slide.title if n == 1 else slide.title + tr("mtg_continued", lang),
            items=tuple(items),
            missing=slide.missing if n == 1 else (),
            part=n,
        )
        for n, items in enumerate(parts, start=1)
    )


def uncovered_text(rows: Sequence[Sequence[str]]) -> str:
    """The organisation slide's sites without a group as one line: "site(village)、…"."""
    return "、".join(f"{row[1]}({row[0]})" for row in rows)


def _chunks_by_width(rows: Sequence[tuple[str, ...]]) -> list[tuple[tuple[str, ...], ...]]:
    chunks: list[list[tuple[str, ...]]] = [[]]
    for row in rows:
        if chunks[-1] and text_width(uncovered_text([*chunks[-1], row])) > UNCOVERED_CHARS:
            chunks.append([])
        chunks[-1].append(row)
    return [tuple(c) for c in chunks]


def _paginate_org(slide: Slide, lang: str) -> tuple[Slide, ...]:
    if not slide.tables:
        return (slide,)
    branches, *others = slide.tables
    rows = branches.rows
    table_parts = [rows[i : i + ORG_ROWS] for i in range(0, len(rows), ORG_ROWS)] or [()]
    site_parts = _chunks_by_width(others[0].rows) if others else [()]
    count = max(len(table_parts), len(site_parts))
    if count == 1:
        return (slide,)
    parts = []
    for n in range(count):
        tables = [
            dataclasses.replace(branches, rows=table_parts[n] if n < len(table_parts) else ())
        ]
        if others:
            sites = site_parts[n] if n < len(site_parts) else ()
            tables.append(dataclasses.replace(others[0], rows=sites))
        first = n == 0
        parts.append(
            dataclasses.replace(
                slide,
                key=slide.key if first else f"{slide.key}-{n + 1}",
                title=slide.title if first else slide.title + tr("mtg_continued", lang),
                figures=slide.figures if first else (),
                tables=tuple(tables),
                missing=slide.missing if first else (),
                part=n + 1,
            )
        )
    return tuple(parts)


def paginate(slide: Slide, lang: str) -> tuple[Slide, ...]:
    """A slide as one or more slides that each fit.

    A village slide's plan, the cards of the problems and measures slides, and the
    organisation slide's branches table (:data:`ORG_ROWS` rows a slide) and list of sites
    without a group (:data:`UNCOVERED_CHARS` wide) continue on slides titled "… (续)"
    when they do not fit; other slides are returned unchanged.

    Parameters
    ----------
    slide : Slide
        Any slide of the deck; only a village slide with a plan can be too long.
    lang : str
        The deck's language (for "(续)" and the wording of the weak points).

    Returns
    -------
    tuple of Slide
        The slide with the part of its plan that fits after its figures (the missing-data
        box is kept on the first part, below everything), then continuation slides titled
        "… (续)", keyed ``village-V03-2`` …, with the same map and the rest of the plan's
        measures, weak points and goals by year, in order. Milestones, figures, facts,
        the groups table and the photos (shown under the map, outside the side column)
        stay on the first part.
    """
    if slide.kind in ("problems", "measures"):
        return _paginate_items(slide, lang)
    if slide.kind == "organisation":
        return _paginate_org(slide, lang)
    if slide.kind != "village" or slide.plan is None:
        return (slide,)
    used = figure_lines(len(slide.figures)) + missing_lines(slide.missing)
    if slide.figures and slide.missing:
        used += GAP_LINES
    col, rest = _fill(slide.plan, used, lang, first=True)
    parts = [_with(slide, slide.plan, col)]
    while rest is not None:
        col, after = _fill(rest, 0.0, lang, first=False)
        part = len(parts) + 1
        parts.append(
            _with(
                dataclasses.replace(
                    slide,
                    key=f"{slide.key}-{part}",
                    title=slide.title + tr("mtg_continued", lang),
                    figures=(),
                    facts=(),
                    tables=(),
                    missing=(),
                    photos=(),
                    part=part,
                ),
                rest,
                col,
            )
        )
        rest = after
    return tuple(parts)


def _with(slide: Slide, plan: Plan, col: _Column) -> Slide:
    part = dataclasses.replace(
        plan, measures=tuple(col.measures), problems=col.problems, steps=tuple(col.steps)
    )
    return dataclasses.replace(slide, plan=part)


def paginate_deck(deck: Deck) -> Deck:
    """``deck`` with every slide split by :func:`paginate` (numbers follow the new count)."""
    slides = tuple(part for slide in deck.slides for part in paginate(slide, deck.lang))
    return dataclasses.replace(deck, slides=slides)


def side_lines(slide: Slide, lang: str) -> float:
    """The lines a (paginated) village slide's side column takes; at most
    :data:`SIDE_LINES` for every slide :func:`paginate` returns (tests check this)."""
    used = figure_lines(len(slide.figures))
    blocks = [used] if slide.figures else []
    plan = slide.plan
    if plan is not None:
        if plan.measures:
            blocks.append(1 + sum(_measure_cost(m) for m in plan.measures))
        if plan.problems:
            blocks.append(text_lines(problems_line(plan.problems, lang)))
        if plan.steps:
            blocks.append(TABLE_HEAD_LINES + len(plan.steps))
    if slide.missing:
        blocks.append(missing_lines(slide.missing))
    return sum(blocks) + GAP_LINES * max(len(blocks) - 1, 0)
