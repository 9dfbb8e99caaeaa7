"""The village sheet (一村一档): one A4 page per village, from the deck's village slides.

Map, facts, figures against targets, the "one village, one industry" plan (measures, goals
by year, milestones), the Party branch and its groups, the problems to solve; a village
with photos gets a photo page after its sheet (up to six, with caption, site or
organisation and date). Each page's content ends above its foot line: what does not
fit (a long English sheet, many Party groups) continues on a page "… (续)" / "(cont.)"
(:class:`_Flow`). fpdf2 embeds
a subset of the system's Chinese font (see :mod:`township_atlas.briefing.fonts`), so the
PDF shows the same on any computer and no font file is kept in the project.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Callable, Sequence

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from township_atlas.briefing.fonts import cjk_font
from township_atlas.briefing.model import Deck, Figure, Slide
from township_atlas.briefing.pictures import SHEET_PHOTOS, PhotoReader, shown_photos, slide_picture
from township_atlas.briefing.sized import print_px, sized_jpeg
from township_atlas.maps.style import PARTY_RED, RAG
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.views.charts import RAG_TINTS

FONT = "cjk"
MARGIN = 12.0  # mm
PAGE_W = 210.0
INNER = PAGE_W - 2 * MARGIN
TEXT = (31, 35, 40)
GREY = (87, 96, 106)
HEAD_FILL = (237, 232, 223)
MAP_W, MAP_H = 98.0, 78.0  # mm
# Status said in words here: the Chinese font has no ✗, and print may be black and white.


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


#: Where the foot line of a page is drawn (mm from the top); content ends above it.
FOOT_Y = 297 - MARGIN - 8
#: The lowest a page's content may end (mm from the top): 2 mm clear of the foot line.
BOTTOM = FOOT_Y - 2


class Sheets(FPDF):
    """The village sheets as an fpdf2 document; ``content_bottom`` holds, per page, where
    its content ended (mm from the top), to check it against :data:`BOTTOM`.

    Text wraps at any character in Chinese and between words in English (a word longer
    than its cell still breaks inside). ``fonts_of``: share that document's fonts (the
    scratch document :meth:`measure` draws on) instead of loading them again.
    """

    def __init__(self, deck: Deck, fonts_of: Sheets | None = None) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.deck = deck
        self.content_bottom: list[float] = []
        self.wrap = pick(deck.lang, WrapMode.CHAR, WrapMode.WORD)
        self._scratch: Sheets | None = None
        if fonts_of is not None:
            self.fonts.update(fonts_of.fonts)
        else:
            font = cjk_font()
            self.add_font(FONT, "", str(font.regular), collection_font_number=font.regular_index)
            self.add_font(FONT, "B", str(font.bold), collection_font_number=font.bold_index)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_title(deck.title)
        self.set_lang(pick(deck.lang, "zh-CN", "en"))
        self.set_creator("Township Atlas")

    def measure(self, draw: Callable[[Sheets], object]) -> float:
        """The height (mm) ``draw(pdf)`` takes, drawn from the top margin of a scratch
        document with the same fonts (never this one), to decide where a block goes."""
        if self._scratch is None:
            self._scratch = Sheets(self.deck, fonts_of=self)
            self._scratch.add_page()
        scratch = self._scratch
        scratch.set_xy(MARGIN, MARGIN)
        draw(scratch)
        return scratch.get_y() - MARGIN

    # --- small writers ----------------------------------------------------------------
    def style(self, size: float, bold: bool = False, colour=TEXT) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)

    def heading(self, text: str, x: float, w: float) -> None:
        self.set_x(x)
        self.style(10.5, True, _hex(PARTY_RED))
        self.cell(w, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(self, text: str, x: float, w: float, size: float = 9, colour=TEXT, h: float = 4.6):
        self.set_x(x)
        self.style(size, False, colour)
        self.multi_cell(
            w, h, text, wrapmode=self.wrap, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def grid(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        x: float,
        w: float,
        widths: Sequence[float],
        fills: Sequence[tuple[int, int, int] | None] = (),
        size: float = 8.5,
        headings: bool = True,
    ) -> None:
        """A table at ``x``, ``w`` wide, light horizontal rules, optional row fills."""
        left = self.l_margin
        self.set_left_margin(x)
        self.set_x(x)
        self.style(size)
        with self.table(
            width=w,
            col_widths=tuple(widths),
            align="LEFT",
            text_align="LEFT",
            line_height=4.4,
            padding=(0.8, 1.2),
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(
                emphasis="BOLD", color=GREY, fill_color=HEAD_FILL, size_pt=size
            ),
            wrapmode=self.wrap,
            first_row_as_headings=headings,
        ) as table:
            self.set_draw_color(215, 215, 215)
            if headings:
                table.row(list(columns))
            for i, cells in enumerate(rows):
                fill = fills[i] if i < len(fills) else None
                style = FontFace(fill_color=fill or (255, 255, 255))
                row = table.row()
                for cell in cells:
                    row.cell(str(cell), style=style)
        self.set_left_margin(left)
        self.set_x(left)


def _fill(status: str | None) -> tuple[int, int, int] | None:
    return _hex(RAG_TINTS[status]) if status in RAG_TINTS else None


def _status_word(figure: Figure, lang: str) -> str:
    return tr(f"status_{figure.status}", lang) if figure.status in RAG and figure.target else ""


def _page(pdf: Sheets, bundle: Bundle, slide: Slide, lang: str) -> None:
    deck = pdf.deck
    pdf.add_page()
    # Header: the sheet's name, township and date on the right; the village and its plan.
    pdf.set_fill_color(*_hex(PARTY_RED))
    pdf.rect(MARGIN, MARGIN, INNER, 1.2, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(MARGIN, MARGIN + 2.5)
    pdf.style(9, True, _hex(PARTY_RED))
    pdf.cell(INNER / 2, 5, tr("mtg_sheet_title", lang))
    pdf.style(8.5, False, GREY)
    right = " · ".join(
        p
        for p in (
            deck.township,
            tr("mtg_year_data", lang).format(year=deck.year) if deck.year else "",
            tr("mtg_made_on", lang).format(date=deck.made.isoformat()),
            tr("mtg_sample", lang) if deck.sample else "",
        )
        if p
    )
    pdf.cell(INNER / 2, 5, right, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.style(19, True)
    pdf.cell(INNER, 10, slide.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if slide.subtitle:
        pdf.para(slide.subtitle, MARGIN, INNER, 9.5, GREY)
    top = pdf.get_y() + 2

    # Map on the left; facts and figures against targets on the right.
    png = slide_picture(
        bundle, slide, lang, width_in=MAP_W / 25.4, height_in=MAP_H / 25.4, dpi=220, font_pt=8
    )
    if png:
        pdf.image(
            io.BytesIO(png),
            x=MARGIN,
            y=top,
            w=MAP_W,
            h=MAP_H,
            alt_text=tr("mtg_map_alt", lang).format(title=slide.title),
        )
    x = MARGIN + MAP_W + 5
    w = PAGE_W - MARGIN - x
    pdf.set_y(top)
    if slide.facts:
        pdf.heading(tr("mtg_facts", lang), x, w)
    facts = [(f.label, f.value + (f"({f.note})" if f.note else "")) for f in slide.facts]
    if facts:
        pdf.grid(("", ""), facts, x, w, (30, w - 30), headings=False)
    pdf.set_y(pdf.get_y() + 2)
    figures = [f for f in slide.figures if f.target or f.status]
    others = [f for f in slide.figures if not (f.target or f.status)]
    if figures:
        heading = tr("mtg_figures", lang) + (f"({deck.year})" if deck.year else "")
        pdf.heading(heading, x, w)
        rows = [(f.label, f.value, f.target, _status_word(f, lang)) for f in figures]
        columns = (
            tr("indicator", lang),
            tr("mtg_actual", lang),
            tr("target", lang),
            tr("status", lang),
        )
        # English words are longer: smaller type, and room for "Close to target" on a line.
        widths = pick(lang, (27, 19, 22, w - 68), (24, 18.5, 18.5, w - 61))
        fills = [_fill(f.status) for f in figures]
        pdf.grid(columns, rows, x, w, widths, fills, size=pick(lang, 8.5, 8))
    for f in others:
        pdf.para(f"{f.label}:{f.value}" + (f" · {f.note}" if f.note else ""), x, w, 8.5)
    pdf.set_y(max(pdf.get_y(), top + MAP_H) + 3)

    # Below the map, block by block; what does not fit continues on a page "… (续)".
    flow = _Flow(pdf, slide, lang)
    plan = slide.plan
    if plan is not None:
        plan_heading = (
            f"{tr('mtg_plan', lang)} · {tr('leading_industry', lang)}:{plan.leading_industry}"
        )
        measures = [f"• {m}" for m in plan.measures] or [None]
        for n, measure in enumerate(measures):
            flow.block(
                lambda p, first=n == 0, text=measure: (
                    first and p.heading(plan_heading, MARGIN, INNER),
                    text and p.para(text, MARGIN + 2, INNER - 2, 9),
                ),
                cont=(lambda p: p.heading(plan_heading + tr("mtg_continued", lang), MARGIN, INNER))
                if n
                else None,
            )
        if plan.problems:
            problems = f"{tr('mtg_weak_points', lang)}:{';'.join(plan.problems)}"
            flow.block(lambda p: p.para(problems, MARGIN + 2, INNER - 2, 9, _hex(PARTY_RED)))
        pdf.set_y(pdf.get_y() + 2)
        left_w = 106.0
        x = MARGIN + left_w + 4
        w = PAGE_W - MARGIN - x
        side = []
        if plan.steps:
            side.append(
                _Grid(
                    MARGIN,
                    left_w,
                    tr("mtg_steps", lang),
                    tuple(tr(k, lang) for k in ("year", "goal", "mtg_actual", "target", "status")),
                    [(str(s.year), s.text, s.actual, s.target, s.state) for s in plan.steps],
                    pick(lang, (10, 40, 19, 19, 18), (10, 36, 18.5, 18.5, 23)),
                    [_fill(s.status) for s in plan.steps],
                    size=pick(lang, 8.5, 8),
                )
            )
        if plan.milestones:
            side.append(
                _Grid(
                    x,
                    w,
                    tr("mtg_milestones", lang),
                    (tr("milestone", lang), tr("due", lang), tr("status", lang)),
                    list(plan.milestones),
                    pick(lang, (w - 37, 19, 18), (w - 41, 19, 22)),
                    size=pick(lang, 8.5, 8),
                )
            )
        if side:
            flow.grids(side)
        pdf.set_y(pdf.get_y() + 3)

    # A continuation page carries only the rest of the plan (see briefing/fit.py).
    branch = next((f for f in slide.figures if f.label == tr("mtg_branch", lang)), None)
    branch_line = " · ".join(p for p in (branch.value, branch.note) if p) if branch else ""
    groups = [
        _Grid(
            MARGIN,
            INNER,
            None,
            table.columns,
            list(table.rows),
            pick(lang, (62, 14, 80, INNER - 156), (78.5, 16, 62.5, INNER - 157)),
            note=table.title,
            size=pick(lang, 8.5, 8),
        )
        for table in slide.tables
    ]
    if not slide.continued or branch_line:
        flow.block(
            lambda p: (
                not slide.continued and p.heading(tr("mtg_groups_heading", lang), MARGIN, INNER),
                branch_line and p.para(branch_line, MARGIN, INNER, 9),
            ),
            keep=flow.kept_height(groups[0]) if groups else 0.0,
        )
    for grid in groups:
        flow.grids([grid])
    for line in slide.missing:
        flow.block(lambda p, line=line: p.para(line, MARGIN, INNER, 9, (138, 90, 0)))

    # Foot: where the figures come from, and the page's village code.
    pdf.content_bottom.append(pdf.get_y())
    _foot(pdf, slide)


@dataclasses.dataclass
class _Grid:
    """One table of a sheet: at ``x``, ``w`` wide, under its section ``heading`` (or a grey
    ``note``), with its column heads; drawn whole or split between pages by :class:`_Flow`."""

    x: float
    w: float
    heading: str | None
    columns: Sequence[str]
    rows: list[Sequence[str]]
    widths: Sequence[float]
    fills: Sequence[tuple[int, int, int] | None] = ()
    note: str | None = None
    size: float = 8.5

    def draw(self, pdf: Sheets, start: int, stop: int, cont: bool) -> None:
        """Rows ``start:stop`` under the heading (with "(续)" when ``cont``) and the
        column heads."""
        more = tr("mtg_continued", pdf.deck.lang) if cont else ""
        if self.heading:
            pdf.heading(self.heading + more, self.x, self.w)
        if self.note:
            pdf.para(self.note + more, self.x, self.w, 8.5, GREY)
        fills = list(self.fills[start:stop])
        rows = self.rows[start:stop]
        pdf.grid(self.columns, rows, self.x, self.w, self.widths, fills, self.size)


class _Flow:
    """Draws the blocks of a village's page below its map in reading order; a block that
    does not fit above the foot line goes, whole, onto a continuation page titled
    "… (续)" / "… (cont.)" (a table row by row, its heads and heading repeated), so
    nothing is cut and nothing runs into the foot."""

    def __init__(self, pdf: Sheets, slide: Slide, lang: str) -> None:
        self.pdf, self.slide, self.lang = pdf, slide, lang
        self.fresh = False  # on a continuation page, nothing drawn below its header yet

    def room(self) -> float:
        return BOTTOM - self.pdf.get_y()

    def next_page(self) -> None:
        """Ends this page with its foot and starts a continuation page."""
        pdf, slide = self.pdf, self.slide
        pdf.content_bottom.append(pdf.get_y())
        _foot(pdf, slide)
        pdf.add_page()
        title = slide.title if slide.continued else slide.title + tr("mtg_continued", self.lang)
        _header(pdf, title, self.lang)
        pdf.set_y(pdf.get_y() + 3)
        self.fresh = True

    def fresh_room(self) -> float:
        """The room a continuation page has below its header."""
        return BOTTOM - MARGIN - self.pdf.measure(lambda p: _header(p, "", self.lang)) - 3

    def block(self, draw, keep: float = 0.0, cont=None) -> None:
        """``draw(pdf)`` here if it (and ``keep`` mm of what follows) fits, else on a
        continuation page, after ``cont(pdf)`` (e.g. its section's heading "(续)")."""
        pdf = self.pdf
        height = pdf.measure(draw)
        if height + keep > self.room() and not self.fresh:
            self.next_page()
            if cont is not None:
                cont(pdf)
        draw(pdf)
        self.fresh = False

    def kept_height(self, grid: _Grid) -> float:
        """How much of ``grid`` a heading before it keeps with it: all of it when it fits
        on a page (:meth:`grids` does not split it then), else its heads and first row."""
        whole = self.pdf.measure(lambda p: grid.draw(p, 0, len(grid.rows), False))
        if whole <= self.fresh_room():
            return whole
        return self.pdf.measure(lambda p: grid.draw(p, 0, 1, False))

    def _fitting(self, grid: _Grid, start: int, cont: bool, room: float) -> int:
        """How many of ``grid``'s rows from ``start`` fit in ``room`` mm under its heads."""
        measure = self.pdf.measure
        stop = start
        while stop < len(grid.rows):
            if measure(lambda p, stop=stop: grid.draw(p, start, stop + 1, cont)) > room:
                break
            stop += 1
        return stop - start

    def grids(self, grids: list[_Grid]) -> None:
        """``grids`` side by side from here, each split between pages as it must be;
        whole on the next page when they do not fit here but fit there."""
        pdf = self.pdf
        starts = [0] * len(grids)
        cont = False
        while True:
            room = self.room()
            counts = [self._fitting(g, s, cont, room) for g, s in zip(grids, starts, strict=True)]
            rest = [len(g.rows) - s for g, s in zip(grids, starts, strict=True)]
            done = counts == rest
            if not done and not self.fresh:
                whole = max(
                    pdf.measure(lambda p, g=g, s=s, c=cont: g.draw(p, s, len(g.rows), c))
                    for g, s in zip(grids, starts, strict=True)
                )
                if whole <= self.fresh_room() or any(
                    n == 0 and r > 0 for n, r in zip(counts, rest, strict=True)
                ):
                    self.next_page()
                    cont = cont or any(starts)
                    continue
            # A single row taller than a whole page is drawn anyway (never cut).
            counts = [max(n, 1) if r > 0 else 0 for n, r in zip(counts, rest, strict=True)]
            top, ends = pdf.get_y(), []
            for g, s, n in zip(grids, starts, counts, strict=True):
                pdf.set_y(top)
                if n or not cont:
                    g.draw(pdf, s, s + n, cont)
                ends.append(pdf.get_y())
            pdf.set_y(max(ends))
            self.fresh = False
            starts = [s + n for s, n in zip(starts, counts, strict=True)]
            if all(s == len(g.rows) for g, s in zip(grids, starts, strict=True)):
                return
            self.next_page()
            cont = True


#: The photo page: columns of the grid, the caption's height under each picture (mm).
PHOTO_COLUMNS = 2
PHOTO_GAP = 6.0
PHOTO_CAPTION_H = 15.0


def _header(pdf: Sheets, title: str, lang: str) -> None:
    """The red rule, the sheet's name and ``title`` at the top of a photo page."""
    pdf.set_fill_color(*_hex(PARTY_RED))
    pdf.rect(MARGIN, MARGIN, INNER, 1.2, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(MARGIN, MARGIN + 2.5)
    pdf.style(9, True, _hex(PARTY_RED))
    pdf.cell(INNER, 5, tr("mtg_sheet_title", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.style(16, True)
    pdf.cell(INNER, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _photo_page(
    pdf: Sheets, bundle: Bundle, slide: Slide, reader: PhotoReader | None, lang: str
) -> None:
    """The village's photos (at most :data:`SHEET_PHOTOS`) in a grid of
    :data:`PHOTO_COLUMNS`, each scaled to fit its cell whole, with its caption, site or
    organisation and date; a file that cannot be read is a note in its cell. Nothing
    when the village has no photos (or no reader is given)."""
    shown, more = shown_photos(slide, reader, SHEET_PHOTOS, thumb=False)
    if not shown:
        return
    pdf.add_page()
    village = bundle.village_name(slide.village_code, lang)
    _header(pdf, tr("mtg_photos_heading", lang).format(village=village), lang)
    top = pdf.get_y() + 3
    rows = -(-SHEET_PHOTOS // PHOTO_COLUMNS)
    cell_w = (INNER - PHOTO_GAP * (PHOTO_COLUMNS - 1)) / PHOTO_COLUMNS
    cell_h = (FOOT_Y - 8 - top - PHOTO_GAP * (rows - 1)) / rows
    box_h = cell_h - PHOTO_CAPTION_H
    for i, item in enumerate(shown):
        photo = item.photo
        r, c = divmod(i, PHOTO_COLUMNS)
        x, y = MARGIN + c * (cell_w + PHOTO_GAP), top + r * (cell_h + PHOTO_GAP)
        # The stored picture (up to 2048 px) made the size of its box at 300 dpi.
        data = (
            None if item.data is None else sized_jpeg(item.data, print_px(cell_w), print_px(box_h))
        )
        if data is None:
            pdf.set_fill_color(255, 244, 214)
            pdf.rect(x, y, cell_w, box_h, style="F")
            pdf.set_fill_color(255, 255, 255)
            pdf.set_xy(x, y + box_h / 2 - 3)
            pdf.style(9, False, (138, 90, 0))
            pdf.cell(cell_w, 6, tr("mtg_photo_missing", lang), align="C")
        else:
            w, h = photo.fitted(cell_w, box_h)
            alt = tr("mtg_photo_alt", lang).format(feature=photo.feature, label=photo.label())
            pdf.image(
                io.BytesIO(data),
                x=x + (cell_w - w) / 2,
                y=y + (box_h - h),
                w=w,
                h=h,
                alt_text=alt,
            )
        pdf.set_xy(x, y + box_h + 1)
        for n, line in enumerate(photo.lines()):
            first = n == 0 and bool(photo.caption)
            pdf.style(9 if first else 8, first, TEXT if first else GREY)
            pdf.cell(cell_w, 4.3, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if more:
        pdf.set_xy(MARGIN, FOOT_Y - 7)
        pdf.style(8.5, False, GREY)
        pdf.cell(INNER, 5, tr("mtg_photos_more", lang).format(n=more))
    pdf.content_bottom.append(FOOT_Y - 2 if more else pdf.get_y())
    _foot(pdf, slide)


def _foot(pdf: Sheets, slide: Slide) -> None:
    """The foot line: where the figures come from, and the page's village code."""
    pdf.set_y(FOOT_Y)
    pdf.set_draw_color(208, 215, 222)
    pdf.line(MARGIN, pdf.get_y(), PAGE_W - MARGIN, pdf.get_y())
    pdf.set_y(pdf.get_y() + 1)
    pdf.style(7.5, False, GREY)
    sources = tr("mtg_sheet_sources", pdf.deck.lang)
    pdf.cell(INNER - 20, 5, sources)
    pdf.cell(20, 5, slide.village_code, align="R")


def village_sheets(
    bundle: Bundle,
    deck: Deck,
    codes: Sequence[str] | None = None,
    photo_bytes: PhotoReader | None = None,
) -> Sheets:
    """One A4 page per village slide of ``deck`` (all villages, or those in ``codes``): a
    village whose plan continues on a second slide "(续)" gets a second page, split at the
    same goal as the slides; a page whose content still does not fit above its foot line
    continues on one more page "(续)" (see :class:`_Flow`). With ``photo_bytes(name)`` (a
    reader of stored photos the caller makes from its store after its role check), a
    village with photos gets one more page, its photos; without it, or without photos, no
    photo page.

    Raises
    ------
    FontMissingError
        No Chinese font is installed (Debian: ``apt-get install fonts-noto-cjk``).
    """
    pdf = Sheets(deck)
    slides = [s for s in deck.village_slides() if codes is None or s.village_code in codes]
    for _code, parts in itertools.groupby(slides, key=lambda s: s.village_code):
        parts = list(parts)
        for slide in parts:
            _page(pdf, bundle, slide, deck.lang)
        _photo_page(pdf, bundle, parts[0], photo_bytes, deck.lang)
    return pdf


def village_sheets_pdf(
    bundle: Bundle,
    deck: Deck,
    codes: Sequence[str] | None = None,
    photo_bytes: PhotoReader | None = None,
) -> bytes:
    """:func:`village_sheets` as PDF bytes (the download)."""
    return bytes(village_sheets(bundle, deck, codes, photo_bytes).output())
