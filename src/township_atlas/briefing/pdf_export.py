"""The village sheet (一村一档): one A4 page per village, from the deck's village slides.

Map, facts, figures against targets, the "one village, one industry" plan (measures, goals
by year, milestones), the Party branch and its groups, the problems to solve; a village
with photos gets a photo page after its sheet (up to six, with caption, site or
organisation and date). fpdf2 embeds
a subset of the system's Chinese font (see :mod:`township_atlas.briefing.fonts`), so the
PDF shows the same on any computer and no font file is kept in the project.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from township_atlas.briefing.fonts import cjk_font
from township_atlas.briefing.model import Deck, Figure, Slide
from township_atlas.briefing.pictures import SHEET_PHOTOS, PhotoReader, shown_photos, slide_picture
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


class Sheets(FPDF):
    """The village sheets as an fpdf2 document; ``content_bottom`` holds, per page, where
    its content ended (mm from the top), to check it against :data:`FOOT_Y`."""

    def __init__(self, deck: Deck) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.deck = deck
        self.content_bottom: list[float] = []
        font = cjk_font()
        self.add_font(FONT, "", str(font.regular), collection_font_number=font.regular_index)
        self.add_font(FONT, "B", str(font.bold), collection_font_number=font.bold_index)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_title(deck.title)
        self.set_lang(pick(deck.lang, "zh-CN", "en"))
        self.set_creator("Township Atlas")

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
            w, h, text, wrapmode=WrapMode.CHAR, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
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
            wrapmode=WrapMode.CHAR,
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
        pdf.grid(columns, rows, x, w, (27, 19, 22, w - 68), [_fill(f.status) for f in figures])
    for f in others:
        pdf.para(f"{f.label}:{f.value}" + (f" · {f.note}" if f.note else ""), x, w, 8.5)
    pdf.set_y(max(pdf.get_y(), top + MAP_H) + 3)

    plan = slide.plan
    if plan is not None:
        pdf.heading(
            f"{tr('mtg_plan', lang)} · {tr('leading_industry', lang)}:{plan.leading_industry}",
            MARGIN,
            INNER,
        )
        for measure in plan.measures:
            pdf.para(f"• {measure}", MARGIN + 2, INNER - 2, 9)
        if plan.problems:
            pdf.para(
                f"{tr('mtg_weak_points', lang)}:{';'.join(plan.problems)}",
                MARGIN + 2,
                INNER - 2,
                9,
                _hex(PARTY_RED),
            )
        pdf.set_y(pdf.get_y() + 2)
        y = pdf.get_y()
        left_w = 106.0
        if plan.steps:
            pdf.heading(tr("mtg_steps", lang), MARGIN, left_w)
            columns = tuple(tr(k, lang) for k in ("year", "goal", "mtg_actual", "target", "status"))
            rows = [(str(s.year), s.text, s.actual, s.target, s.state) for s in plan.steps]
            pdf.grid(
                columns,
                rows,
                MARGIN,
                left_w,
                (10, 40, 19, 19, 18),
                [_fill(s.status) for s in plan.steps],
            )
        below_steps = pdf.get_y()
        if plan.milestones:
            x = MARGIN + left_w + 4
            w = PAGE_W - MARGIN - x
            pdf.set_y(y)
            pdf.heading(tr("mtg_milestones", lang), x, w)
            columns = (tr("milestone", lang), tr("due", lang), tr("status", lang))
            pdf.grid(columns, plan.milestones, x, w, (w - 37, 19, 18))
        pdf.set_y(max(below_steps, pdf.get_y()) + 3)

    # A continuation page carries only the rest of the plan (see briefing/fit.py).
    if not slide.continued:
        pdf.heading(tr("mtg_groups_heading", lang), MARGIN, INNER)
    branch = next((f for f in slide.figures if f.label == tr("mtg_branch", lang)), None)
    if branch is not None:
        pdf.para(" · ".join(p for p in (branch.value, branch.note) if p), MARGIN, INNER, 9)
    for table in slide.tables:
        pdf.para(table.title, MARGIN, INNER, 8.5, GREY)
        pdf.grid(table.columns, table.rows, MARGIN, INNER, (62, 14, 80, INNER - 156))
    for line in slide.missing:
        pdf.para(line, MARGIN, INNER, 9, (138, 90, 0))

    # Foot: where the figures come from, and the page's village code.
    pdf.content_bottom.append(pdf.get_y())
    _foot(pdf, slide)


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
        if item.data is None:
            pdf.set_fill_color(255, 244, 214)
            pdf.rect(x, y, cell_w, box_h, style="F")
            pdf.set_fill_color(255, 255, 255)
            pdf.set_xy(x, y + box_h / 2 - 3)
            pdf.style(9, False, (138, 90, 0))
            pdf.cell(cell_w, 6, tr("mtg_photo_missing", lang), align="C")
        else:
            aspect = photo.aspect
            w, h = (
                (cell_w, cell_w / aspect) if aspect >= cell_w / box_h else (box_h * aspect, box_h)
            )
            alt = tr("mtg_photo_alt", lang).format(feature=photo.feature, label=photo.label())
            pdf.image(
                io.BytesIO(item.data),
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
    same goal as the slides. With ``photo_bytes(name)`` (a reader of stored photos the
    caller makes from its store after its role check), a village with photos gets one
    more page, its photos; without it, or without photos, no photo page.

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
