"""A slide as HTML for the 会议汇报 page: one full-screen block per slide.

Sized for a 1920×1080 projector from the back of the room: every length is a multiple of
``--u``, 1 % of the slide's width (capped by its height), so the slide fills the screen at
any size without scrolling; under 800 px wide (a phone) it becomes one readable column.
Every text from the data is escaped here (``html.escape``); pictures are PNG data URIs
drawn on the server, and a village's photos are JPEG data URIs of the thumbnails the page
read from the store after its role check, so the page needs nothing from the internet and
no photo is ever published under ``static/``.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable

from township_atlas.briefing.fit import (
    BOX_PAD_LINES,
    FIGURE_GAP_LINES,
    FIGURE_ROW_LINES,
    GAP_LINES,
    ITEM_FIGURES_PER_ROW,
    ITEM_GAP_LINES,
    problems_line,
    uncovered_text,
)
from township_atlas.briefing.model import Deck, Figure, Item, Slide, Table
from township_atlas.briefing.pictures import SLIDE_PHOTOS, PhotoReader, ShownPhoto, shown_photos
from township_atlas.maps.style import PARTY_RED, RAG
from township_atlas.text.labels import tr
from township_atlas.views.charts import RAG_MARKS, RAG_TINTS

#: Rows of a table shown on a slide; the rest are counted ("and 3 more").
MAX_TABLE_ROWS = 10
#: A line of a village slide's side column, in --u (see briefing/fit.py).
LINE_U = 1.95

# The village slide's side column in lines of --line, as briefing/fit.py counts them: a
# heading, a list line and a table row are one line each, a row of cards FIGURE_ROW_LINES,
# GAP_LINES between blocks; SIDE_LINES of them fit above the footer from 1366×768 up.
VILLAGE_CSS = f"""
.mtg-village, .mtg-problems, .mtg-measures {{ --line: calc({LINE_U} * var(--u)); }}
.mtg-village .mtg-side {{ gap: calc({GAP_LINES} * var(--line)); }}
.mtg-village .mtg-figs {{ grid-auto-rows: calc({FIGURE_ROW_LINES} * var(--line));
  gap: calc({FIGURE_GAP_LINES} * var(--line)); }}
.mtg-village .mtg-fig, .mtg-item .mtg-fig {{ padding: calc(0.3 * var(--u)) calc(0.8 * var(--u)); }}
.mtg-item-figs {{ display: grid; grid-template-columns: repeat({ITEM_FIGURES_PER_ROW}, minmax(0, 1fr));
  grid-auto-rows: calc({FIGURE_ROW_LINES} * var(--line)); gap: calc(0.6 * var(--u));
  margin-top: calc({FIGURE_GAP_LINES} * var(--line)); }}
.mtg-slide .mtg-item .mtg-fig {{ margin: 0; }}
.mtg-village .mtg-fig-label, .mtg-village .mtg-fig-note,
.mtg-item .mtg-fig-label, .mtg-item .mtg-fig-note {{ font-size: calc(1.2 * var(--u));
  line-height: 1.25; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  contain: inline-size; }}
.mtg-village .mtg-fig-value {{ font-size: calc(2 * var(--u)); line-height: 1.2; }}
.mtg-slide .mtg-items {{ gap: calc({ITEM_GAP_LINES} * var(--line)) calc(1.2 * var(--u)); }}
.mtg-slide .mtg-item {{ padding: calc(0.8 * var(--u)) calc(1 * var(--u)); }}
.mtg-slide .mtg-item h2 {{ line-height: var(--line); margin: 0; }}
.mtg-slide .mtg-item p {{ line-height: var(--line); margin: 0; }}
.mtg-village .mtg-block h2, .mtg-village .mtg-block li, .mtg-village .mtg-block p {{
  line-height: var(--line); margin: 0; }}
.mtg-village .mtg-weak b {{ color: {PARTY_RED}; }}
.mtg-village .mtg-table {{ table-layout: fixed; }}
.mtg-village .mtg-table th, .mtg-village .mtg-table td {{ height: var(--line); padding-top: 0;
  padding-bottom: 0; line-height: 1.2; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.mtg-photos {{ flex: 0 0 auto; width: 100%; display: grid; gap: calc(0.6 * var(--u));
  grid-template-columns: repeat({SLIDE_PHOTOS}, minmax(0, 1fr)); }}
.mtg-photo {{ margin: 0; min-width: 0; }}
.mtg-visual .mtg-photo img, .mtg-photo-gone {{ display: block; width: 100%; max-height: none;
  height: calc(8.6 * var(--u)); object-fit: cover; border-radius: calc(0.3 * var(--u)); }}
.mtg-photo-gone {{ display: flex; align-items: center; justify-content: center;
  background: #FFF4D6; color: #8A5A00; text-align: center; padding: calc(0.4 * var(--u)); }}
.mtg-photo figcaption, .mtg-photo-gone, .mtg-photos-more {{ font-size: calc(1.2 * var(--u));
  line-height: 1.25; }}
.mtg-photo figcaption div {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.mtg-photo figcaption, .mtg-photos-more {{ color: #57606A; }}
.mtg-photo figcaption b {{ color: #1F2328; }}
.mtg-photos-more {{ width: 100%; flex: 0 0 auto; }}
.mtg-village .mtg-missing {{ padding: calc({BOX_PAD_LINES / 2} * var(--line)) calc(0.8 * var(--u));
  line-height: var(--line); }}
"""

CSS = f"""
<style>
.mtg-slide {{
  --u: max(min(1vw, 1.6vh), 7px);
  box-sizing: border-box; height: calc(100vh - 4.2rem); display: flex; flex-direction: column;
  gap: calc(1 * var(--u)); padding: calc(0.6 * var(--u)) calc(1.2 * var(--u)) 0;
  font-size: calc(1.45 * var(--u)); line-height: 1.35; color: #1F2328;
}}
.mtg-slide * {{ box-sizing: border-box; }}
.mtg-slide p, .mtg-slide li, .mtg-slide ul {{ font-size: calc(1.45 * var(--u)); line-height: 1.35; }}
.mtg-head {{ border-bottom: calc(0.3 * var(--u)) solid {PARTY_RED}; padding-bottom: calc(0.5 * var(--u)); }}
.mtg-head h1 {{ font-size: calc(3 * var(--u)); font-weight: 700; margin: 0; padding: 0; line-height: 1.2; }}
.mtg-head p {{ font-size: calc(1.5 * var(--u)); color: #57606A; margin: calc(0.3 * var(--u)) 0 0; }}
.mtg-head h1, .mtg-head p {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.mtg-body {{ flex: 1 1 auto; min-height: 0; display: grid; gap: calc(1.6 * var(--u));
  grid-template-columns: 46fr 54fr; }}
.mtg-overview .mtg-body, .mtg-indicators .mtg-body {{ grid-template-columns: 52fr 48fr; }}
.mtg-problems .mtg-body, .mtg-measures .mtg-body {{ grid-template-columns: 1fr; }}
.mtg-visual {{ min-height: 0; display: flex; flex-direction: column; align-items: center;
  justify-content: center; gap: calc(0.6 * var(--u)); }}
.mtg-visual img {{ max-width: 100%; max-height: 100%; min-height: 0; flex: 0 1 auto; object-fit: contain;
  border-radius: calc(0.4 * var(--u)); }}
.mtg-visual .mtg-block {{ width: 100%; }}
.mtg-side {{ min-height: 0; display: flex; flex-direction: column; gap: calc(1 * var(--u)); }}
.mtg-figs {{ display: grid; gap: calc(0.8 * var(--u)); grid-template-columns: repeat(3, 1fr); }}
.mtg-overview .mtg-figs, .mtg-indicators .mtg-figs {{ grid-template-columns: repeat(2, 1fr); }}
.mtg-fig {{ background: #F6F3EE; border-left: calc(0.5 * var(--u)) solid #BDBDBD;
  border-radius: calc(0.4 * var(--u)); padding: calc(0.5 * var(--u)) calc(0.9 * var(--u)); }}
.mtg-fig-label {{ font-size: calc(1.3 * var(--u)); color: #444C56; }}
.mtg-fig-value {{ font-size: calc(2.5 * var(--u)); font-weight: 700; line-height: 1.2;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.mtg-village .mtg-fig-value {{ font-size: calc(2.1 * var(--u)); }}
.mtg-fig-note {{ font-size: calc(1.2 * var(--u)); color: #444C56; }}
.mtg-mark {{ font-weight: 700; }}
{"".join(f".mtg-s-{s} {{ border-left-color: {RAG[s]}; background: {RAG_TINTS[s]}; }} .mtg-s-{s} .mtg-mark {{ color: {RAG[s]}; }}" for s in ("green", "amber", "red"))}
.mtg-s-amber .mtg-mark {{ color: #8A5A00; }}
.mtg-block h2 {{ font-size: calc(1.6 * var(--u)); margin: 0 0 calc(0.3 * var(--u)); padding: 0;
  color: {PARTY_RED}; font-weight: 700; }}
.mtg-block ul {{ margin: 0; padding-left: calc(1.6 * var(--u)); }}
.mtg-block li {{ margin: 0 0 calc(0.2 * var(--u)); }}
.mtg-block p {{ margin: 0; }}
.mtg-table {{ width: 100%; border-collapse: collapse; font-size: calc(1.3 * var(--u)); }}
.mtg-table th {{ text-align: left; color: #57606A; font-weight: 600;
  border-bottom: 2px solid #D0D7DE; padding: calc(0.2 * var(--u)) calc(0.5 * var(--u)); }}
.mtg-table td {{ border-bottom: 1px solid #EAEEF2; padding: calc(0.2 * var(--u)) calc(0.5 * var(--u)); }}
.mtg-table td.mtg-num {{ text-align: right; white-space: nowrap; }}
.mtg-items {{ display: grid; gap: calc(1.2 * var(--u)); grid-template-columns: repeat(3, 1fr);
  align-content: start; }}
.mtg-item {{ background: #F6F3EE; border-top: calc(0.4 * var(--u)) solid {PARTY_RED};
  border-radius: calc(0.4 * var(--u)); padding: calc(0.8 * var(--u)) calc(1 * var(--u)); }}
.mtg-item h2 {{ font-size: calc(1.8 * var(--u)); margin: 0 0 calc(0.4 * var(--u)); padding: 0; font-weight: 700; }}
.mtg-item p {{ margin: 0 0 calc(0.4 * var(--u)); }}
.mtg-item .mtg-detail {{ color: #57606A; font-size: calc(1.3 * var(--u)); }}
.mtg-item .mtg-fig {{ margin-top: calc(0.5 * var(--u)); }}
.mtg-item .mtg-fig-value {{ font-size: calc(1.9 * var(--u)); }}
.mtg-missing {{ background: #FFF4D6; border-left: calc(0.4 * var(--u)) solid #F9A825;
  padding: calc(0.4 * var(--u)) calc(0.8 * var(--u)); font-size: calc(1.3 * var(--u)); }}
{VILLAGE_CSS}
.mtg-foot {{ display: flex; justify-content: space-between; gap: 1em; color: #57606A;
  font-size: calc(1.2 * var(--u)); border-top: 1px solid #D0D7DE; padding: calc(0.3 * var(--u)) 0; }}
.mtg-foot .mtg-num {{ font-weight: 700; color: #1F2328; white-space: nowrap; }}
@media (max-width: 800px) {{
  .mtg-slide {{ --u: 11px; height: auto; padding: 0; }}
  .mtg-body, .mtg-overview .mtg-body, .mtg-indicators .mtg-body {{ grid-template-columns: 1fr; }}
  .mtg-figs {{ grid-template-columns: repeat(2, 1fr); }}
  .mtg-items {{ grid-template-columns: 1fr; }}
  .mtg-fig-value {{ white-space: normal; }}
  .mtg-head h1, .mtg-head p {{ white-space: normal; }}
  .mtg-village .mtg-figs, .mtg-item-figs {{ grid-auto-rows: auto; }}
  .mtg-photos {{ grid-template-columns: repeat(2, minmax(0, 1fr)); }}
}}
</style>
"""


def esc(value: object) -> str:
    """Data text for HTML: ``<``, ``>``, ``&`` and quotes escaped."""
    return html.escape(str(value), quote=True)


def data_uri(png: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(png).decode("ascii")


def _photo_html(shown: ShownPhoto, lang: str) -> str:
    """One photo under the map: the thumbnail (or a note when its file is gone), then its
    caption (bold), the site or organisation and the date, a line each."""
    photo = shown.photo
    alt = tr("mtg_photo_alt", lang).format(feature=photo.feature, label=photo.label())
    if shown.data is None:
        picture = f'<div class="mtg-photo-gone">{esc(tr("mtg_photo_missing", lang))}</div>'
    else:
        picture = f'<img src="{data_uri(shown.data, "image/jpeg")}" alt="{esc(alt)}">'
    text = "".join(
        f"<div><b>{esc(line)}</b></div>" if n == 0 and photo.caption else f"<div>{esc(line)}</div>"
        for n, line in enumerate(photo.lines())
    )
    return (
        f'<figure class="mtg-photo" title="{esc(alt)}">{picture}'
        f"<figcaption>{text}</figcaption></figure>"
    )


def photos_html(slide: Slide, lang: str, photo_bytes: PhotoReader | None) -> str:
    """A village slide's photo strip (at most :data:`SLIDE_PHOTOS`, one per feature
    first), with "n more photos" when the village has more; "" without photos."""
    shown, more = shown_photos(slide, photo_bytes, SLIDE_PHOTOS)
    if not shown:
        return ""
    strip = "".join(_photo_html(s, lang) for s in shown)
    note = (
        f'<div class="mtg-photos-more">{esc(tr("mtg_photos_more", lang).format(n=more))}</div>'
        if more
        else ""
    )
    return f'<div class="mtg-photos">{strip}</div>{note}'


def figure_html(figure: Figure, lang: str, words: bool = True) -> str:
    """A figure card; narrow cards (``words=False``, three across) say the status by mark
    and colour only, as in the PowerPoint."""
    status = figure.status or "none"
    mark = ""
    if figure.status in RAG_MARKS and figure.target and words:
        mark = (
            f'<span class="mtg-mark">{RAG_MARKS[figure.status]} '
            f"{esc(tr(f'status_{figure.status}', lang))}</span> · "
        )
    elif figure.status in RAG_MARKS:
        mark = f'<span class="mtg-mark">{RAG_MARKS[figure.status]}</span> '
    target = tr("mtg_target", lang).format(target=figure.target) if figure.target else ""
    note = " · ".join(x for x in (target, figure.note) if x)
    note_html = f'<div class="mtg-fig-note">{mark}{esc(note)}</div>' if note or mark else ""
    return (
        f'<div class="mtg-fig mtg-s-{status}" title="{esc(figure.source)}">'
        f'<div class="mtg-fig-label">{esc(figure.label)}</div>'
        f'<div class="mtg-fig-value">{esc(figure.value)}</div>{note_html}</div>'
    )


def _figures(figures: tuple[Figure, ...], lang: str, words: bool = True) -> str:
    if not figures:
        return ""
    cards = "".join(figure_html(f, lang, words) for f in figures)
    return f'<div class="mtg-figs">{cards}</div>'


def table_html(table: Table, lang: str, max_rows: int = MAX_TABLE_ROWS) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    body = []
    for row in table.rows[:max_rows]:
        cells = "".join(
            f'<td class="mtg-num">{esc(c)}</td>' if _numeric(c) else f"<td>{esc(c)}</td>"
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    more = len(table.rows) - max_rows
    if more > 0:
        extra = esc(tr("mtg_more", lang).format(n=more))
        body.append(f'<tr><td colspan="{len(table.columns)}">{extra}</td></tr>')
    title = f"<h2>{esc(table.title)}</h2>" if table.title else ""
    return (
        f'<div class="mtg-block">{title}<table class="mtg-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").isdigit()


def _list_block(title: str, lines: tuple[str, ...] | list[str]) -> str:
    """A heading and a bulleted list (all of it: the model put on this slide what fits)."""
    if not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return f'<div class="mtg-block"><h2>{esc(title)}</h2><ul>{items}</ul></div>'


#: Widths of the goals table's columns (year, goal, actual / target, status), in %.
STEP_COLUMNS = (9, 41, 31, 19)


def _steps(slide: Slide, lang: str) -> str:
    if slide.plan is None or not slide.plan.steps:
        return ""
    rows = []
    for step in slide.plan.steps:
        mark = RAG_MARKS.get(step.status or "", "")
        cls = f' class="mtg-s-{step.status}"' if step.status else ""
        actual = f"{step.actual} / {step.target}"
        # One line per row (cut with "…" if need be); the whole text is the cell's tooltip.
        rows.append(
            f'<tr><td>{step.year}</td><td title="{esc(step.text)}">{esc(step.text)}</td>'
            f'<td class="mtg-num" title="{esc(actual)}">{esc(actual)}</td>'
            f'<td{cls}><span class="mtg-mark">{mark}</span> {esc(step.state)}</td></tr>'
        )
    head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("year", "goal", "mtg_actual", "status"))
    cols = "".join(f'<col style="width: {w}%">' for w in STEP_COLUMNS)
    return (
        f'<div class="mtg-block"><h2>{esc(tr("mtg_steps", lang))}</h2>'
        f'<table class="mtg-table"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _item_html(item: Item, lang: str) -> str:
    detail = f'<p class="mtg-detail">{esc(item.detail)}</p>' if item.detail else ""
    figures = "".join(figure_html(f, lang, words=False) for f in item.figures)
    figures = f'<div class="mtg-item-figs">{figures}</div>' if figures else ""
    return (
        f'<div class="mtg-item"><h2>{esc(item.title)}</h2><p>{esc(item.text)}</p>'
        f"{detail}{figures}</div>"
    )


def _inline_list(table: Table, lang: str) -> str:
    """A table of names as one wrapped line (the uncovered sites on the organisation slide)."""
    if not table.rows:
        return ""
    names = uncovered_text(table.rows)
    return f'<div class="mtg-block"><h2>{esc(table.title)}</h2><p>{esc(names)}</p></div>'


def slide_html(
    deck: Deck,
    index: int,
    picture: Callable[[Slide], bytes | None],
    photo_bytes: PhotoReader | None = None,
) -> str:
    """Slide ``index`` of ``deck`` as one HTML block.

    ``picture(slide)`` returns the slide's map or chart as PNG bytes (or None); the page
    passes a cached renderer. ``photo_bytes(name)`` reads a stored photo thumbnail (the
    page makes it from its store after the role check); without it, or for a village
    without photos, the slide is drawn as before. The photos go in a strip under the map,
    outside the side column that briefing/fit.py counts, so the plan keeps its room.
    """
    slide = deck.slides[index]
    lang = deck.lang
    png = picture(slide)
    alt_key = "mtg_chart_alt" if slide.chart is not None else "mtg_map_alt"
    # The organisation slide names the sites without a group under its map.
    under = (
        "".join(_inline_list(t, lang) for t in slide.tables[1:])
        if slide.kind == "organisation"
        else photos_html(slide, lang, photo_bytes)
    )
    image = (
        f'<img src="{data_uri(png)}" alt="{esc(tr(alt_key, lang).format(title=slide.title))}">'
        if png
        else ""
    )
    visual = f'<div class="mtg-visual">{image}{under}</div>' if image or under else ""
    side: list[str] = []
    if slide.kind in ("problems", "measures"):
        side.append('<div class="mtg-items">' + "".join(_item_html(i, lang) for i in slide.items))
        side.append("</div>")
    else:
        side.append(_figures(slide.figures, lang, words=slide.kind != "village"))
    if slide.kind == "village" and slide.plan is not None:
        # Blocks in the order and at the size briefing/fit.py counts them.
        side.append(_list_block(tr("mtg_measures", lang), slide.plan.measures))
        if slide.plan.problems:
            head = tr("mtg_weak_points", lang)
            rest = problems_line(slide.plan.problems, lang).removeprefix(head)
            side.append(
                f'<div class="mtg-block"><p class="mtg-weak"><b>{esc(head)}</b>{esc(rest)}</p></div>'
            )
        side.append(_steps(slide, lang))
    # A continuation slide may carry only the rest of the sites, not of the branches.
    if (
        slide.kind == "organisation"
        and slide.tables
        and (slide.tables[0].rows or not slide.continued)
    ):
        side.append(table_html(slide.tables[0], lang))
    if slide.missing:
        lines = "".join(f"<div>{esc(m)}</div>" for m in slide.missing)
        side.append(f'<div class="mtg-missing">{lines}</div>')
    subtitle = f"<p>{esc(slide.subtitle)}</p>" if slide.subtitle else ""
    footer_left = esc(deck.footer(index).rsplit(" · ", 1)[0])
    return (
        f'<div class="mtg-slide mtg-{slide.kind}" data-slide="{index + 1}">'
        f'<div class="mtg-head"><h1>{esc(slide.title)}</h1>{subtitle}</div>'
        f'<div class="mtg-body">{visual}<div class="mtg-side">{"".join(side)}</div></div>'
        f'<div class="mtg-foot"><span>{footer_left}</span>'
        f'<span class="mtg-num">{esc(deck.number(index))}</span></div></div>'
    )
