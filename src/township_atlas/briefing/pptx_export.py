"""The meeting deck as PowerPoint (python-pptx): 16:9, one slide per slide of the deck.

Text stays text (editable in PowerPoint and WPS), maps and charts are pictures drawn
locally, tables are real tables, and each slide's speaker notes list its figures with
their sources. A village slide shows its photos (one per site or organisation first) in a
strip under its map, read through the reader the caller passes (never from a path). Fonts
are named, not embedded: "Microsoft YaHei" (微软雅黑) for Latin and East Asian text, which
Windows, PowerPoint and WPS have; other systems substitute their own Chinese font.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from township_atlas.briefing.fit import (
    BOX_PAD_LINES,
    FIGURE_GAP_LINES,
    GAP_LINES,
    SIDE_LINES,
    clip,
    figure_lines,
    problems_line,
    text_lines,
    text_width,
    uncovered_text,
)
from township_atlas.briefing.model import Deck, Figure, Item, Slide, Table
from township_atlas.briefing.pictures import (
    SLIDE_PHOTOS,
    PhotoReader,
    ShownPhoto,
    shown_photos,
    slide_picture,
)
from township_atlas.maps.style import PARTY_RED, RAG
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.views.charts import RAG_MARKS, RAG_TINTS

FONT = "Microsoft YaHei"
WIDTH, HEIGHT = 13.333, 7.5  # inches, 16:9
MARGIN = 0.45
BODY_TOP, BODY_BOTTOM = 1.62, 6.92
TEXT = "1F2328"
GREY = "57606A"
CARD = "F6F3EE"
MAX_TABLE_ROWS = 10
#: One line of a village slide's side column (briefing/fit.py counts in these).
LINE = (BODY_BOTTOM - BODY_TOP) / SIDE_LINES
#: The layout whose title placeholder holds each slide's title (outline, "go to slide",
#: the accessibility checker read it).
TITLE_LAYOUT = "Title Only"
TITLE_BOX = (MARGIN, 0.25, WIDTH - 2 * MARGIN, 0.8)  # x, y, w, h in inches
TITLE_PT = 30

Para = tuple[str, float, bool, str]  # (text, size pt, bold, colour hex)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _font(run, size: float, bold: bool, colour: str) -> None:
    """Size, weight, colour, and the typeface for Latin, East Asian and complex scripts."""
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.name = FONT
    font.color.rgb = _rgb(colour)
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    for tag in ("a:ea", "a:cs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = rpr.makeelement(qn(tag), {})
            rpr.append(element)
        element.set("typeface", FONT)


def _text(
    slide,
    x: float,
    y: float,
    w: float,
    h: float,
    paragraphs: Sequence[Para],
    *,
    fill: str | None = None,
    align=PP_ALIGN.LEFT,
    anchor=MSO_ANCHOR.TOP,
    bullets: bool = False,
):
    """A text box (or a filled rectangle when ``fill`` is given) with one run per paragraph."""
    if fill:
        shape = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(w), Inches(h)
        )
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(fill)
        shape.line.fill.background()
        shape.shadow.inherit = False
    else:
        shape = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right"):
        setattr(frame, side, Inches(0.12))
    frame.margin_top = frame.margin_bottom = Inches(0.05)
    for i, (content, size, bold, colour) in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = ("• " if bullets else "") + content
        _font(run, size, bold, colour)
    return shape


def _bar(slide, x: float, y: float, w: float, h: float, colour: str) -> None:
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(w), Inches(h))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(colour)
    bar.line.fill.background()
    bar.shadow.inherit = False


def _status_line(figure: Figure, lang: str, words: bool = True) -> str:
    """ "✓ 达到目标 · 目标 23.7 万元": the status (mark, and word if ``words``), target, note."""
    target = tr("mtg_target", lang).format(target=figure.target) if figure.target else ""
    parts = [p for p in (target, figure.note) if p]
    if figure.status in RAG_MARKS and figure.target and words:
        parts.insert(0, tr(f"status_{figure.status}", lang))
    line = " · ".join(parts)
    if figure.status in RAG_MARKS:
        line = f"{RAG_MARKS[figure.status]} {line}".strip()
    return line


#: Text is measured as briefing/fit.py does, with room to spare for a substituted font
#: (WPS or LibreOffice without Microsoft YaHei set CJK and Latin a little wider).
FONT_SLACK = 0.85


def _one_line_pt(text: str, width_in: float, size: float, smallest: float = 10) -> float:
    """``size``, or smaller (not below ``smallest``) so ``text`` fits ``width_in`` on one line."""
    fits = FONT_SLACK * width_in * 72 / max(text_width(text), 1)
    return max(min(size, fits), smallest)


def _chars(width_in: float, size: float) -> float:
    """How many CJK characters of ``size`` pt fit ``width_in`` (with :data:`FONT_SLACK`)."""
    return FONT_SLACK * width_in * 72 / size


def _card(slide, figure: Figure, x, y, w, h, lang: str, sizes=(14, 26, 12), words=True) -> None:
    status = figure.status if figure.status in RAG_TINTS else None
    fill = RAG_TINTS[status] if status else CARD
    paragraphs: list[Para] = [
        (figure.label, sizes[0], False, GREY),
        # A long value ("52 名党员 · 3 个党小组") gets a smaller size so it stays one line.
        (figure.value, _one_line_pt(figure.value, w - 0.36, sizes[1]), True, TEXT),
    ]
    line = _status_line(figure, lang, words)
    if line:
        paragraphs.append((line, sizes[2], False, GREY))
    _text(slide, x, y, w, h, paragraphs, fill=fill.lstrip("#"), anchor=MSO_ANCHOR.MIDDLE)
    _bar(slide, x, y, 0.08, h, RAG.get(status or "none", "#BDBDBD"))


def _cards(
    slide, figures, x, y, w, h, cols: int, lang: str, sizes=(14, 26, 12), gap: float = 0.12
) -> float:
    """Figures in a grid of ``cols`` columns filling ``w``; returns the y below it."""
    # Narrow cards (three across) say the status by mark and colour, without the word.
    words = cols < 3
    if not figures:
        return y
    rows = -(-len(figures) // cols)
    cw, ch = (w - gap * (cols - 1)) / cols, (h - gap * (rows - 1)) / rows
    for i, figure in enumerate(figures):
        r, c = divmod(i, cols)
        _card(slide, figure, x + c * (cw + gap), y + r * (ch + gap), cw, ch, lang, sizes, words)
    return y + h


def _table(
    slide,
    table: Table,
    x,
    y,
    w,
    row_h: float,
    size: float,
    widths: Sequence[float],
    lang,
    max_rows: int = MAX_TABLE_ROWS,
):
    rows = list(table.rows[:max_rows])
    more = len(table.rows) - len(rows)
    if more > 0:
        rows.append((tr("mtg_more", lang).format(n=more),) + ("",) * (len(table.columns) - 1))
    shape = slide.shapes.add_table(
        len(rows) + 1,
        len(table.columns),
        Inches(x),
        Inches(y),
        Inches(w),
        Inches(row_h * (len(rows) + 1)),
    )
    grid = shape.table
    total = sum(widths)
    for i, part in enumerate(widths):
        grid.columns[i].width = Emu(int(Inches(w) * part / total))
    for r, cells in enumerate([table.columns, *rows]):
        grid.rows[r].height = Inches(row_h)
        for c, content in enumerate(cells):
            cell = grid.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(0.06)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(
                "EDE8DF" if r == 0 else ("FFFFFF" if r % 2 else "FAF8F4")
            )
            para = cell.text_frame.paragraphs[0]
            run = para.add_run()
            run.text = str(content)
            _font(run, size, r == 0, GREY if r == 0 else TEXT)
    return y + row_h * (len(rows) + 1)


def _frame(slide, deck: Deck, index: int, model: Slide) -> None:
    """Title, subtitle, the red rule, and the footer with township and slide number."""
    lang = deck.lang
    _title(slide, model.title)
    if model.subtitle:
        size = _one_line_pt(model.subtitle, WIDTH - 2 * MARGIN - 0.24, 15, smallest=11)
        _text(slide, MARGIN, 1.03, WIDTH - 2 * MARGIN, 0.42, [(model.subtitle, size, False, GREY)])
    _bar(slide, MARGIN, 1.47, WIDTH - 2 * MARGIN, 0.04, PARTY_RED)
    footer = deck.footer(index).rsplit(" · ", 1)[0]
    _bar(slide, MARGIN, 7.0, WIDTH - 2 * MARGIN, 0.01, "D0D7DE")
    _text(slide, MARGIN, 7.03, 10.5, 0.38, [(footer, 11, False, GREY)])
    _text(
        slide,
        WIDTH - MARGIN - 2.0,
        7.03,
        2.0,
        0.38,
        [(deck.number(index), 12, True, TEXT)],
        align=PP_ALIGN.RIGHT,
    )
    del lang


def _title(slide, title: str) -> None:
    """The slide's title in the layout's title placeholder, placed and styled as the
    rest of the deck (left, bottom-aligned, 30 pt bold), so PowerPoint knows it."""
    shape = slide.shapes.title
    x, y, w, h = TITLE_BOX
    shape.left, shape.top, shape.width, shape.height = Inches(x), Inches(y), Inches(w), Inches(h)
    frame = shape.text_frame
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    frame.margin_left = frame.margin_right = Inches(0.12)
    frame.margin_top = frame.margin_bottom = Inches(0.05)
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    run = para.add_run()
    run.text = title
    # A long title is set smaller (down to 20 pt) so it stays one line in its band.
    _font(run, _one_line_pt(title, w - 0.24, TITLE_PT, smallest=20), True, TEXT)


def _layout(prs):
    """The default template's "Title Only" layout."""
    return next(layout for layout in prs.slide_layouts if layout.name == TITLE_LAYOUT)


def _picture(slide, png: bytes | None, x, y, w, h) -> None:
    if png:
        slide.shapes.add_picture(io.BytesIO(png), Inches(x), Inches(y), Inches(w), Inches(h))


def _missing(slide, model: Slide, x, y, w) -> None:
    if model.missing:
        lines = [(m, 12, False, TEXT) for m in model.missing]
        _text(slide, x, y, w, 0.3 + 0.28 * len(lines), lines, fill="FFF4D6")


def _items(slide, items: Sequence[Item], lang: str) -> None:
    cols = 3
    rows = max(1, -(-len(items) // cols))
    gap = 0.2
    w = (WIDTH - 2 * MARGIN - gap * (cols - 1)) / cols
    h = (BODY_BOTTOM - BODY_TOP - gap * (rows - 1)) / rows
    for i, item in enumerate(items):
        r, c = divmod(i, cols)
        x, y = MARGIN + c * (w + gap), BODY_TOP + r * (h + gap)
        paragraphs: list[Para] = [(item.title, 17, True, TEXT), (item.text, 13, False, TEXT)]
        if item.detail:
            paragraphs.append((item.detail, 12, False, GREY))
        for f in item.figures:
            line = _status_line(f, lang)
            paragraphs.append(
                (f"{f.label}:{f.value}" + (f"({line})" if line else ""), 13, True, TEXT)
            )
        _text(slide, x, y, w, h, paragraphs, fill=CARD)
        _bar(slide, x, y, w, 0.06, PARTY_RED)


def _lines(slide, x, y, w, lines: float, paragraphs: Sequence[Sequence[Para]], fill=None):
    """A text box ``lines`` lines of the side column tall; each paragraph one or more runs,
    at exactly one line of spacing, as briefing/fit.py counts them."""
    if fill:
        shape = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(w), Inches(lines * LINE)
        )
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(fill)
        shape.line.fill.background()
        shape.shadow.inherit = False
    else:
        shape = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(lines * LINE))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE if fill else MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = Inches(0.12)
    frame.margin_top = frame.margin_bottom = 0
    for i, runs in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.line_spacing = Pt(LINE * 72)
        for content, size, bold, colour in runs:
            run = para.add_run()
            run.text = content
            _font(run, size, bold, colour)
    return shape


STEP_WIDTHS = (0.55, 2.55, 2.05, 1.55)
STEP_PT = 11


#: The photo strip under a village's map: gap between photos, the picture box's height
#: over its width, the caption's three lines (caption, site or organisation, date).
PHOTO_GAP = 0.1
PHOTO_BOX = 0.75
PHOTO_CAPTION_H = 0.5
PHOTO_PT = 9


def _photo(slide, shown: ShownPhoto, x: float, y: float, w: float, h: float, lang: str) -> None:
    """One photo fitted (whole, centred) in the box ``w`` × ``h`` at ``x``, ``y``, with
    its caption and feature · date under it; a note in its place when the file is gone."""
    photo = shown.photo
    if shown.data is None:
        _text(
            slide,
            x,
            y,
            w,
            h,
            [(tr("mtg_photo_missing", lang), PHOTO_PT, False, "8A5A00")],
            fill="FFF4D6",
            align=PP_ALIGN.CENTER,
            anchor=MSO_ANCHOR.MIDDLE,
        )
    else:
        pw, ph = photo.fitted(w, h)
        picture = slide.shapes.add_picture(
            io.BytesIO(shown.data),
            Inches(x + (w - pw) / 2),
            Inches(y + (h - ph) / 2),
            Inches(pw),
            Inches(ph),
        )
        alt = tr("mtg_photo_alt", lang).format(feature=photo.feature, label=photo.label())
        picture._element._nvXxPr.cNvPr.set("descr", alt)
    chars = _chars(w - 0.04, PHOTO_PT)
    lines: list[Para] = [
        (clip(line, chars), PHOTO_PT, n == 0 and bool(photo.caption), TEXT if n == 0 else GREY)
        for n, line in enumerate(photo.lines())
    ]
    box = _text(slide, x, y + h, w, PHOTO_CAPTION_H, lines)
    box.text_frame.margin_left = box.text_frame.margin_right = Inches(0.02)


def _photos(
    slide, model: Slide, reader: PhotoReader | None, x: float, bottom: float, w: float, lang
) -> float:
    """The village's photo strip ending at ``bottom``; returns its top (``bottom`` when
    there are no photos to show)."""
    shown, more = shown_photos(model, reader, SLIDE_PHOTOS)
    if not shown:
        return bottom
    pw = (w - PHOTO_GAP * (SLIDE_PHOTOS - 1)) / SLIDE_PHOTOS
    ph = pw * PHOTO_BOX
    more_h = 0.3 if more else 0.0
    top = bottom - ph - PHOTO_CAPTION_H - more_h
    for i, item in enumerate(shown):
        _photo(slide, item, x + i * (pw + PHOTO_GAP), top, pw, ph, lang)
    if more:
        line = tr("mtg_photos_more", lang).format(n=more)
        _text(slide, x, bottom - more_h, w, more_h, [(line, PHOTO_PT, False, GREY)])
    return top


def _village(
    slide, bundle: Bundle, model: Slide, lang: str, photo_bytes: PhotoReader | None = None
) -> None:
    """Map on the left, the photos under it; the side column block by block, in lines of
    :data:`LINE`, in the order and at the size briefing/fit.py counted when it split the
    plan."""
    map_w = 5.5
    top = _photos(slide, model, photo_bytes, MARGIN, BODY_BOTTOM, map_w, lang)
    map_h = top - BODY_TOP - (0.1 if top < BODY_BOTTOM else 0.0)
    _picture(
        slide,
        slide_picture(bundle, model, lang, width_in=map_w, height_in=map_h, dpi=200, font_pt=10),
        MARGIN,
        BODY_TOP,
        map_w,
        map_h,
    )
    x = MARGIN + map_w + 0.3
    w = WIDTH - MARGIN - x
    red = PARTY_RED.lstrip("#")
    y = BODY_TOP
    gap = GAP_LINES * LINE
    if model.figures:
        h = figure_lines(len(model.figures)) * LINE
        _cards(slide, model.figures, x, y, w, h, 3, lang, (11, 18, 10), FIGURE_GAP_LINES * LINE)
        y += h + gap
    plan = model.plan
    if plan is not None and plan.measures:
        lines = 1 + sum(text_lines(m) for m in plan.measures)
        heading = [[(tr("mtg_measures", lang), 13, True, red)]]
        measures = [[("• " + m, 12, False, TEXT)] for m in plan.measures]
        _lines(slide, x, y, w, lines, heading + measures)
        y += lines * LINE + gap
    if plan is not None and plan.problems:
        head = tr("mtg_weak_points", lang)
        line = problems_line(plan.problems, lang)
        runs = [(head, 12, True, red), (line.removeprefix(head), 12, False, TEXT)]
        _lines(slide, x, y, w, text_lines(line), [runs])
        y += text_lines(line) * LINE + gap
    if plan is not None and plan.steps:
        _lines(slide, x, y, w, 1, [[(tr("mtg_steps", lang), 13, True, red)]])
        total = sum(STEP_WIDTHS)
        chars = [_chars(w * part / total - 0.12, STEP_PT) for part in STEP_WIDTHS]
        rows = tuple(
            tuple(
                clip(text, n)
                for text, n in zip(
                    (
                        str(s.year),
                        s.text,
                        f"{s.actual} / {s.target}",
                        f"{RAG_MARKS.get(s.status or '', '')} {s.state}".strip(),
                    ),
                    chars,
                    strict=True,
                )
            )
            for s in plan.steps
        )
        columns = tuple(tr(k, lang) for k in ("year", "goal", "mtg_actual", "status"))
        steps = Table(columns=columns, rows=rows)
        y = _table(slide, steps, x, y + LINE, w, LINE, STEP_PT, STEP_WIDTHS, lang, len(rows))
        y += gap
    if model.missing:
        lines = sum(text_lines(m) for m in model.missing) + BOX_PAD_LINES
        _lines(slide, x, y, w, lines, [[(m, 12, False, TEXT)] for m in model.missing], "FFF4D6")


def _render(
    slide, bundle: Bundle, deck: Deck, model: Slide, photo_bytes: PhotoReader | None = None
) -> None:
    lang = deck.lang
    if model.kind in ("problems", "measures"):
        _items(slide, model.items, lang)
        if not model.items:
            _missing(slide, model, MARGIN, BODY_TOP, 8)
        return
    if model.kind == "village":
        _village(slide, bundle, model, lang, photo_bytes)
        return
    left_w = 6.5 if model.kind in ("overview", "indicators") else 5.6
    # The organisation slide names the sites without a group under its map.
    left_h = BODY_BOTTOM - BODY_TOP - (1.0 if model.kind == "organisation" else 0)
    png = slide_picture(bundle, model, lang, width_in=left_w, height_in=left_h, dpi=200, font_pt=11)
    _picture(slide, png, MARGIN, BODY_TOP, left_w, left_h)
    x = MARGIN + left_w + 0.3
    w = WIDTH - MARGIN - x
    if model.kind == "organisation":
        y = _cards(slide, model.figures, x, BODY_TOP, w, 1.9, 3, lang, sizes=(12, 20, 10)) + 0.12
        if model.tables and (model.tables[0].rows or not model.continued):
            branches = model.tables[0]
            _text(slide, x, y, w, 0.3, [(branches.title, 13, True, PARTY_RED.lstrip("#"))])
            _table(slide, branches, x, y + 0.32, w, 0.25, 10, (2.2, 0.8, 0.8, 2.4), lang)
        for extra in model.tables[1:]:
            names = uncovered_text(extra.rows)
            if names:
                _text(
                    slide,
                    MARGIN,
                    BODY_TOP + left_h + 0.05,
                    left_w,
                    0.95,
                    [(extra.title, 12, True, PARTY_RED.lstrip("#")), (names, 11, False, TEXT)],
                )
    else:
        rows = max(1, -(-len(model.figures) // 2))
        _cards(
            slide, model.figures, x, BODY_TOP, w, min(BODY_BOTTOM - BODY_TOP, 1.3 * rows), 2, lang
        )
    if model.missing:
        _missing(slide, model, x, BODY_BOTTOM - 0.7, w)


def deck_pptx(bundle: Bundle, deck: Deck, photo_bytes: PhotoReader | None = None) -> bytes:
    """The deck as a .pptx file (bytes): 16:9, text, tables, pictures, speaker notes.

    ``photo_bytes(name)`` reads a stored photo thumbnail (the caller makes it from its
    store after its role check); with it each village slide shows its photos under its
    map, one per site or organisation first (a file that cannot be read is a short note
    in its place). Without it the deck has no photos."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
    prs.core_properties.title = deck.title
    prs.core_properties.language = pick(deck.lang, "zh-CN", "en-GB")
    layout = _layout(prs)
    for index, model in enumerate(deck.slides):
        slide = prs.slides.add_slide(layout)
        _frame(slide, deck, index, model)
        _render(slide, bundle, deck, model, photo_bytes)
        slide.notes_slide.notes_text_frame.text = model.notes(deck.lang)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
