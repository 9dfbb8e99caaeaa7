"""The wall map as a vector PDF, drawn with fpdf2 (no raster except an optional tile
underlay).

Why fpdf2 and not matplotlib's PDF backend: the system's Chinese font is an OpenType
collection with CFF outlines (Noto Sans CJK ``.ttc``), which fpdf2 already embeds as a
subset for the village sheets (:mod:`township_atlas.briefing.pdf_export`), with a
ToUnicode map so every text stays selectable and searchable; matplotlib's ``fonttype 42``
embeds TrueType outlines only. fpdf2 also works in millimetres on the page, so every
size is exact, and 10,000 site symbols are written as a few path operators each (one
fill per kind), which keeps an A0 sheet of a county within seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from fpdf import FPDF

from township_atlas.briefing.fonts import cjk_font
from township_atlas.maps.display import display_bundle
from township_atlas.maps.style import (
    BACKGROUND,
    CHAIN_COLOUR,
    ORG_SYMBOLS,
    PARTY_RED,
    SITE_SYMBOLS,
    TOWNSHIP_LINE,
    VILLAGE_FILL,
    VILLAGE_LINE,
)
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import LABEL_CHARS, shorten, text
from township_atlas.wallmap.content import (
    LegendEntry,
    SheetContent,
    WallMapOptions,
    sheet_content,
)
from township_atlas.wallmap.frame import (
    MapFrame,
    dms,
    fit_frame,
    grid_step,
    metres_text,
    scale_bar_m,
    scale_text,
)
from township_atlas.wallmap.layout import Box, Layout, layout

FONT = "cjk"
INK = (31, 35, 40)
GREY = (96, 104, 112)
RULE = (200, 200, 200)
WHITE = (255, 255, 255)
FADED_FILL = "#E4E0D8"
HEAD_FILL = (237, 232, 223)
#: Site symbols at their largest, as times the smallest text's height.
SITE_SIZE = 2.0
SITE_SIZE_MIN = 0.45
#: Room left around the township (or village) in the frame, as a share of its size.
FRAME_PAD = 0.02


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v == v else "0"


# Unit shapes of the map's site symbols (radius 1, y down), as on the web map.
def _star(points: int = 5, inner: float = 0.45) -> list[tuple[float, float]]:
    out = []
    for i in range(points * 2):
        r = 1.0 if i % 2 == 0 else inner
        a = math.pi * i / points - math.pi / 2
        out.append((r * math.cos(a), r * math.sin(a)))
    return out


SHAPES: dict[str, list[tuple[float, float]]] = {
    "square": [(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)],
    "diamond": [(0, -1), (1, 0), (0, 1), (-1, 0)],
    "triangle": [(0, -1), (0.95, 0.75), (-0.95, 0.75)],
    "star": _star(),
}
_KAPPA = 0.5523


class _Sheet(FPDF):
    """An fpdf2 document in millimetres with the CJK font and raw path writers."""

    def __init__(self, lay: Layout, title: str, lang: str, today: dt.date) -> None:
        short, long = sorted((lay.width, lay.height))
        super().__init__(orientation="L" if lay.landscape else "P", unit="mm", format=(short, long))
        font = cjk_font()
        self.add_font(FONT, "", str(font.regular), collection_font_number=font.regular_index)
        self.add_font(FONT, "B", str(font.bold), collection_font_number=font.bold_index)
        self.set_auto_page_break(False)
        self.set_margins(lay.margin, lay.margin, lay.margin)
        self.set_title(title)
        self.set_lang(pick(lang, "zh-CN", "en"))
        self.set_creator("Township Atlas")
        self.set_producer("Township Atlas")
        self.set_creation_date(dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC))
        self.lay = lay
        self.ui_lang = lang

    # --- raw paths (millimetres, y down) ---------------------------------------------
    def _xy(self, x: float, y: float) -> str:
        return f"{x * self.k:.2f} {(self.h - y) * self.k:.2f}"

    def ring_ops(self, coords: np.ndarray) -> list[str]:
        if len(coords) < 3:
            return []
        ops = [self._xy(*coords[0]) + " m"]
        ops += [self._xy(x, y) + " l" for x, y in coords[1:]]
        ops.append("h")
        return ops

    def paint(self, ops: list[str], op: str) -> None:
        """Write the path ``ops`` and paint them with ``op`` ("f*", "B*", "S", "B")."""
        if ops:
            self._out("\n".join([*ops, op]))

    def style(self, size_pt: float, bold: bool = False, colour=INK) -> None:
        self.set_font(FONT, "B" if bold else "", size_pt)
        self.set_text_color(*colour)

    def fit(self, value: str, width: float) -> str:
        """``value`` cut with "…" to fit ``width`` mm in the current font."""
        if self.get_string_width(value) <= width:
            return value
        while value and self.get_string_width(value + "…") > width:
            value = value[:-1]
        return value + "…" if value else ""

    def put(self, x: float, y: float, value: str, align: str = "L", width: float = 0) -> None:
        """Text with its top at ``y`` (mm), left/centre/right of ``x`` (or in ``width``)."""
        if not value:
            return
        w = self.get_string_width(value)
        if align == "C":
            x = x + (width - w) / 2 if width else x - w / 2
        elif align == "R":
            x = x + width - w if width else x - w
        self.text(x, y + self.font_size * 0.88, value)


def _polygon_ops(sheet: _Sheet, geom) -> list[str]:
    ops: list[str] = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            ops += sheet.ring_ops(np.asarray(ring.coords)[:-1])
    return ops


def _line_ops(sheet: _Sheet, coords: np.ndarray) -> list[str]:
    if len(coords) < 2:
        return []
    return [sheet._xy(*coords[0]) + " m", *(sheet._xy(x, y) + " l" for x, y in coords[1:])]


def _marker_ops(sheet: _Sheet, shape: str, x: float, y: float, r: float) -> list[str]:
    if shape in SHAPES:
        return sheet.ring_ops(np.array([(x + r * dx, y + r * dy) for dx, dy in SHAPES[shape]]))
    c = r * _KAPPA  # a circle as four Bézier arcs
    pts = [
        f"{sheet._xy(x + r, y)} m",
        f"{sheet._xy(x + r, y + c)} {sheet._xy(x + c, y + r)} {sheet._xy(x, y + r)} c",
        f"{sheet._xy(x - c, y + r)} {sheet._xy(x - r, y + c)} {sheet._xy(x - r, y)} c",
        f"{sheet._xy(x - r, y - c)} {sheet._xy(x - c, y - r)} {sheet._xy(x, y - r)} c",
        f"{sheet._xy(x + c, y - r)} {sheet._xy(x + r, y - c)} {sheet._xy(x + r, y)} c",
        "h",
    ]
    return pts


# --- the map ----------------------------------------------------------------------------
def _extent(bundle: Bundle, village: str | None) -> tuple[float, float, float, float]:
    if village is not None:
        focus = bundle.villages[bundle.villages["code"] == village].geometry.dropna()
        if not focus.empty and not focus.is_empty.all():
            minx, miny, maxx, maxy = focus.total_bounds
            dx, dy = (maxx - minx) * 0.08, (maxy - miny) * 0.08
            return minx - dx, miny - dy, maxx + dx, maxy + dy
    return tuple(bundle.township.geometry.dropna().total_bounds)


def site_radius(lay: Layout, frame: MapFrame, n_sites: int) -> float:
    """Half a site symbol's size (mm): full size when sites are few, smaller when dense
    (about half the spacing they would have spread evenly), never under
    ``SITE_SIZE_MIN`` × the smallest text."""
    spacing = math.sqrt(frame.box.w * frame.box.h / max(n_sites, 1))
    size = min(lay.mm(SITE_SIZE), max(lay.mm(SITE_SIZE_MIN), spacing * 0.5))
    return size / 2


def _draw_map(
    sheet: _Sheet,
    lay: Layout,
    bundle: Bundle,
    frame: MapFrame,
    content: SheetContent,
    options: WallMapOptions,
    underlay: bytes | None,
) -> None:
    box = frame.box
    focus = options.village
    fills = content.choropleth.fills if content.choropleth else {}
    # local_context restores fpdf2's remembered colours with the PDF state after the clip.
    with sheet.local_context(), sheet.rect_clip(box.x, box.y, box.w, box.h):
        sheet.set_fill_color(*_rgb(BACKGROUND))
        sheet.rect(box.x, box.y, box.w, box.h, style="F")
        if underlay is not None:
            sheet.image(underlay, x=box.x, y=box.y, w=box.w, h=box.h)
        # Villages: fill (the indicator's colour when chosen), then their lines.
        villages = bundle.villages
        shapes = frame.project(villages.geometry.values)
        sheet.set_line_width(lay.mm(0.08))
        sheet.set_draw_color(*_rgb(VILLAGE_LINE))
        for code, geom in zip(villages["code"], shapes, strict=True):
            if geom is None or geom.is_empty:
                continue
            mine = focus is None or code == focus
            colour = fills.get(code, VILLAGE_FILL) if mine else FADED_FILL
            sheet.set_fill_color(*_rgb(colour))
            # As on the web map: an indicator's colour at 0.72, the plain fill lighter
            # over a tile underlay.
            opacity = 0.72 if code in fills and mine else (0.45 if underlay else 1.0)
            with sheet.local_context(fill_opacity=opacity):
                sheet.paint(_polygon_ops(sheet, geom), "f*")
            sheet.paint(_polygon_ops(sheet, geom), "S")
        if focus is not None:
            sheet.set_line_width(lay.mm(0.3))
            for code, geom in zip(villages["code"], shapes, strict=True):
                if code == focus and geom is not None:
                    sheet.paint(_polygon_ops(sheet, geom), "S")
        # The township's boundary.
        sheet.set_draw_color(*_rgb(TOWNSHIP_LINE))
        sheet.set_line_width(lay.mm(0.3))
        for geom in frame.project(bundle.township.geometry.values):
            if geom is not None:
                sheet.paint(_polygon_ops(sheet, geom), "S")
        _draw_chains(sheet, lay, bundle, frame)  # under the symbols they link
        _draw_sites(sheet, lay, bundle, frame)
        _draw_orgs(sheet, lay, bundle, frame, focus)
        if options.graticule:
            _draw_graticule(sheet, lay, frame)
        discs = _org_discs(lay, bundle, frame, focus)
        _draw_village_names(sheet, lay, bundle, shapes, focus, options.lang, discs, box)
    sheet.set_draw_color(*INK)
    sheet.set_line_width(lay.mm(0.12))
    sheet.rect(box.x, box.y, box.w, box.h)
    _draw_scale_bar(sheet, lay, frame, options.lang)
    _draw_north(sheet, lay, frame, options.lang)


def _points(frame: MapFrame, geoms) -> tuple[np.ndarray, np.ndarray]:
    pts = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    xy = shapely.get_coordinates(pts)
    return frame.lonlat_to_page(xy[:, 0], xy[:, 1])


def _draw_sites(sheet: _Sheet, lay: Layout, bundle: Bundle, frame: MapFrame) -> None:
    sites = bundle.sites[bundle.sites.geometry.notna() & ~bundle.sites.geometry.is_empty]
    if sites.empty:
        return
    areas = sites[sites.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    sheet.set_line_width(lay.mm(0.05))
    for kind, group in areas.groupby("kind"):
        colour = SITE_SYMBOLS.get(str(kind), ("circle", "#7A7A7A"))[1]
        sheet.set_fill_color(*_rgb(colour))
        sheet.set_draw_color(*_rgb(colour))
        ops = [op for g in frame.project(group.geometry.values) for op in _polygon_ops(sheet, g)]
        with sheet.local_context(fill_opacity=0.28):
            sheet.paint(ops, "f*")
        sheet.paint(ops, "S")
    r = site_radius(lay, frame, len(sites))
    sheet.set_draw_color(*WHITE)
    sheet.set_line_width(max(r * 0.15, 0.1))
    for kind in SITE_SYMBOLS:
        group = sites[sites["kind"] == kind]
        if group.empty:
            continue
        shape, colour = SITE_SYMBOLS[kind]
        px, py = _points(frame, group.geometry.values)
        scale = 1.25 if shape == "star" else 1.0
        ops = [
            op
            for x, y in zip(px, py, strict=True)
            for op in _marker_ops(sheet, shape, float(x), float(y), r * scale)
        ]
        sheet.set_fill_color(*_rgb(colour))
        sheet.paint(ops, "B")


def _draw_chains(sheet: _Sheet, lay: Layout, bundle: Bundle, frame: MapFrame) -> None:
    stages = bundle.chain_stages
    if stages.empty:
        return
    sites = bundle.sites.dropna(subset=["geometry"])
    px, py = _points(frame, sites.geometry.values) if not sites.empty else ([], [])
    where = {str(s): (float(x), float(y)) for s, x, y in zip(sites["site_id"], px, py, strict=True)}
    sheet.set_draw_color(*_rgb(CHAIN_COLOUR))
    sheet.set_line_width(lay.mm(0.12))
    sheet.set_dash_pattern(dash=lay.mm(0.6), gap=lay.mm(0.3))
    for _chain, group in stages.sort_values("seq").groupby("chain_id"):
        pts = [where[s] for s in group["site_id"].astype(str) if s in where]
        sheet.paint(_line_ops(sheet, np.array(pts)), "S")
    sheet.set_dash_pattern()


def org_radii(lay: Layout) -> dict[str, float]:
    """Radius (mm) of each level's red disc, in the web map's proportions."""
    return {level: lay.mm(0.085 * px) / 2 for level, (_zh, _en, px) in ORG_SYMBOLS.items()}


def _draw_orgs(sheet: _Sheet, lay: Layout, bundle: Bundle, frame: MapFrame, focus) -> None:
    orgs = bundle.party_orgs.dropna(subset=["geometry"])
    if focus is not None:
        orgs = orgs[(orgs["village_code"] == focus) | (orgs["level"] == "committee")]
    if orgs.empty:
        return
    radii = org_radii(lay)
    sheet.set_fill_color(*_rgb(PARTY_RED))
    sheet.set_draw_color(*WHITE)
    sheet.set_text_color(*WHITE)
    sheet.set_line_width(lay.mm(0.06))
    for level in ("group", "branch", "committee"):
        chosen = orgs[orgs["level"] == level]
        if chosen.empty or level not in radii:
            continue
        px, py = _points(frame, chosen.geometry.values)
        r = radii[level]
        ops = [
            op for x, y in zip(px, py, strict=True) for op in _marker_ops(sheet, "circle", x, y, r)
        ]
        sheet.paint(ops, "B")
        char, size_mm = org_mark(sheet, lay, level, r)
        sheet.set_font(FONT, "B", size_mm * 72 / 25.4)
        w = sheet.get_string_width(char)
        for x, y in zip(px, py, strict=True):
            sheet.text(float(x) - w / 2, float(y) + size_mm * 0.36, char)


def org_mark(sheet: _Sheet, lay: Layout, level: str, r: float) -> tuple[str, float]:
    """The character in a level's disc and its size (mm): 委/支/组, or C/B/G in English
    (one letter, so it fits the disc at no less than the smallest text)."""
    zh, en, _px = ORG_SYMBOLS[level]
    char = pick(sheet_lang(sheet), zh, en[:1])
    return char, max(r * 1.15, lay.mm(1.0))


def sheet_lang(sheet: _Sheet) -> str:
    return sheet.ui_lang


def _org_discs(lay: Layout, bundle: Bundle, frame: MapFrame, focus) -> np.ndarray:
    """(x, y, r) on the sheet of every Party organisation's disc drawn."""
    orgs = bundle.party_orgs.dropna(subset=["geometry"])
    if focus is not None:
        orgs = orgs[(orgs["village_code"] == focus) | (orgs["level"] == "committee")]
    radii = org_radii(lay)
    orgs = orgs[orgs["level"].isin(list(radii))]
    if orgs.empty:
        return np.zeros((0, 3))
    px, py = _points(frame, orgs.geometry.values)
    r = np.array([radii[level] for level in orgs["level"]])
    return np.column_stack([px, py, r])


def _clear_of(discs: np.ndarray, x: float, y: float, w: float, h: float) -> float:
    """How far up (mm) a label box centred at (x, y) must move to leave every disc whole."""
    if len(discs) == 0:
        return 0.0
    dx, dy, r = discs[:, 0], discs[:, 1], discs[:, 2]
    hit = (np.abs(dx - x) < w / 2 + r) & (np.abs(dy - y) < h / 2 + r)
    if not hit.any():
        return 0.0
    return float(np.max(y + h / 2 - (dy[hit] - r[hit])))


def _draw_village_names(
    sheet, lay: Layout, bundle: Bundle, shapes, focus, lang: str, discs: np.ndarray, frame_box: Box
) -> None:
    names = bundle.villages[pick(lang, "name_zh", "name_en")].fillna("")
    for code, name, name_zh, geom in zip(
        bundle.villages["code"], names, bundle.villages["name_zh"], shapes, strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        label = shorten(text(name) or text(name_zh), LABEL_CHARS)
        mine = focus is None or code == focus
        size = lay.mm(3.2 if focus is not None and mine else (2.4 if len(shapes) <= 30 else 1.5))
        sheet.style(size * 72 / 25.4, bold=mine, colour=INK if mine else GREY)
        p = geom.representative_point()
        w = sheet.get_string_width(label)
        pad = size * 0.2
        # Above a Party organisation's disc rather than over it (when a short move does).
        lift = _clear_of(discs, p.x, p.y, w + 2 * pad, size * 1.2)
        x, y = p.x, p.y - (lift + size * 0.1 if 0 < lift < size * 3 else 0.0)
        if not (frame_box.x <= x - w / 2 - pad and x + w / 2 + pad <= frame_box.right):
            continue  # a neighbour's name cut by the frame is left out
        if not (frame_box.y <= y - size * 0.6 and y + size * 0.6 <= frame_box.bottom):
            continue
        sheet.set_fill_color(*WHITE)
        with sheet.local_context(fill_opacity=0.75):
            sheet.rect(x - w / 2 - pad, y - size * 0.6, w + 2 * pad, size * 1.2, style="F")
        sheet.text(x - w / 2, y + size * 0.36, label)


def _draw_graticule(sheet: _Sheet, lay: Layout, frame: MapFrame) -> None:
    box = frame.box
    corners = frame.page_to_lonlat(
        np.array([box.x, box.right, box.x, box.right]),
        np.array([box.y, box.y, box.bottom, box.bottom]),
    )
    lon_min, lon_max = float(corners[0].min()), float(corners[0].max())
    lat_min, lat_max = float(corners[1].min()), float(corners[1].max())
    step = grid_step(frame)
    sheet.set_draw_color(120, 120, 120)
    sheet.set_line_width(lay.mm(0.04))
    sheet.style(lay.pt(1.0), colour=GREY)
    sheet.set_fill_color(*WHITE)
    lon = math.ceil(lon_min / step) * step
    while lon <= lon_max:
        lats = np.linspace(lat_min, lat_max, 40)
        x, y = frame.lonlat_to_page(np.full_like(lats, lon), lats)
        sheet.paint(_line_ops(sheet, np.column_stack([x, y])), "S")
        bx = float(np.interp(box.bottom, y[::-1], x[::-1]))
        label = dms(lon, "E", "W")
        w = sheet.get_string_width(label)
        sheet.rect(bx - w / 2, box.bottom - lay.mm(1.4), w, lay.mm(1.2), style="F")
        sheet.put(bx, box.bottom - lay.mm(1.35), label, align="C")
        lon += step
    lat = math.ceil(lat_min / step) * step
    while lat <= lat_max:
        lons = np.linspace(lon_min, lon_max, 40)
        x, y = frame.lonlat_to_page(lons, np.full_like(lons, lat))
        sheet.paint(_line_ops(sheet, np.column_stack([x, y])), "S")
        ly = float(np.interp(box.x, x, y))
        label = dms(lat, "N", "S")
        w = sheet.get_string_width(label)
        sheet.rect(box.x + lay.mm(0.2), ly - lay.mm(0.6), w, lay.mm(1.2), style="F")
        sheet.put(box.x + lay.mm(0.2), ly - lay.mm(0.55), label)
        lat += step


def _draw_scale_bar(sheet: _Sheet, lay: Layout, frame: MapFrame, lang: str) -> None:
    metres = scale_bar_m(frame)
    length = metres * frame.mm_per_m
    u = lay.mm()
    x0 = frame.box.x + u * 1.5
    y0 = frame.box.bottom - u * 6.0
    sheet.set_fill_color(*WHITE)
    sheet.set_draw_color(*RULE)
    sheet.set_line_width(lay.mm(0.05))
    width = max(length + u * 3, u * 14)
    sheet.rect(x0 - u, y0 - u * 0.6, width, u * 5.4, style="DF")
    sheet.style(lay.pt(1.2), bold=True)
    sheet.put(x0, y0, tr("wall_scale", lang).format(n=scale_text(frame.scale)))
    bar_y = y0 + u * 2.0
    seg = length / 4
    sheet.set_draw_color(*INK)
    sheet.set_line_width(lay.mm(0.05))
    for i in range(4):
        sheet.set_fill_color(*(INK if i % 2 == 0 else WHITE))
        sheet.rect(x0 + i * seg, bar_y, seg, u * 0.6, style="DF")
    value, km = metres_text(metres)
    unit = tr("wall_km" if km else "wall_m", lang)
    sheet.style(lay.pt(1.0))
    sheet.put(x0, bar_y + u * 0.9, "0", align="C")
    sheet.put(x0 + length, bar_y + u * 0.9, f"{value:g} {unit}", align="C")


def _draw_north(sheet: _Sheet, lay: Layout, frame: MapFrame, lang: str) -> None:
    u = lay.mm()
    cx = frame.box.right - u * 3.5
    top = frame.box.y + u * 3.0
    h, w = u * 4.5, u * 1.6
    sheet.set_draw_color(*INK)
    sheet.set_line_width(lay.mm(0.05))
    sheet.set_fill_color(*INK)
    sheet.polygon([(cx, top), (cx, top + h), (cx - w, top + h * 1.15)], style="DF")
    sheet.set_fill_color(*WHITE)
    sheet.polygon([(cx, top), (cx, top + h), (cx + w, top + h * 1.15)], style="DF")
    sheet.style(lay.pt(1.8), bold=True)
    sheet.put(cx, top - u * 2.3, tr("wall_north", lang), align="C")


# --- the panel --------------------------------------------------------------------------
def _legend_swatch(sheet: _Sheet, lay: Layout, entry: LegendEntry, x: float, y: float) -> None:
    """The entry's symbol in a box 3u × 1.6u at (x, y)."""
    u = lay.mm()
    w, h = u * 3.0, u * 1.6
    cx, cy = x + w / 2, y + h / 2
    kind = entry.kind
    if kind.startswith("line:"):
        colour = TOWNSHIP_LINE if kind == "line:township" else VILLAGE_LINE
        sheet.set_fill_color(*_rgb(VILLAGE_FILL))
        sheet.set_draw_color(*_rgb(colour))
        sheet.set_line_width(lay.mm(0.3 if kind == "line:township" else 0.08))
        sheet.rect(x, y, w, h, style="DF")
    elif kind.startswith("site:"):
        shape, colour = SITE_SYMBOLS[kind.split(":", 1)[1]]
        sheet.set_fill_color(*_rgb(colour))
        sheet.set_draw_color(*WHITE)
        sheet.set_line_width(lay.mm(0.05))
        r = lay.mm(SITE_SIZE) / 2 * (1.25 if shape == "star" else 1.0)
        sheet.paint(_marker_ops(sheet, shape, cx, cy, min(r, h * 0.62)), "B")
    elif kind == "area":
        sheet.set_fill_color(*_rgb(SITE_SYMBOLS["industry_base"][1]))
        sheet.set_draw_color(*_rgb(SITE_SYMBOLS["industry_base"][1]))
        sheet.set_line_width(lay.mm(0.05))
        with sheet.local_context(fill_opacity=0.28):
            sheet.rect(x, y, w, h, style="F")
        sheet.rect(x, y, w, h)
    elif kind.startswith("org:"):
        level = kind.split(":", 1)[1]
        r = min(org_radii(lay)[level], h * 0.62)
        sheet.set_fill_color(*_rgb(PARTY_RED))
        sheet.paint(_marker_ops(sheet, "circle", cx, cy, r), "f")
        char, size_mm = org_mark(sheet, lay, level, r)
        sheet.set_font(FONT, "B", size_mm * 72 / 25.4)
        sheet.set_text_color(*WHITE)
        sheet.text(cx - sheet.get_string_width(char) / 2, cy + size_mm * 0.36, char)
    elif kind == "chain":
        sheet.set_draw_color(*_rgb(CHAIN_COLOUR))
        sheet.set_line_width(lay.mm(0.12))
        sheet.set_dash_pattern(dash=lay.mm(0.6), gap=lay.mm(0.3))
        sheet.line(x, cy, x + w, cy)
        sheet.set_dash_pattern()
    elif kind == "fill":
        sheet.set_fill_color(*_rgb(entry.colour))
        sheet.set_draw_color(*_rgb(VILLAGE_LINE))
        sheet.set_line_width(lay.mm(0.08))
        sheet.rect(x, y, w, h, style="DF")


def _heading(sheet: _Sheet, lay: Layout, value: str, box: Box, y: float) -> float:
    sheet.style(lay.pt(1.6), bold=True, colour=_rgb(PARTY_RED))
    sheet.put(box.x, y, sheet.fit(value, box.w))
    return y + lay.mm(2.4)


def _draw_legend(sheet: _Sheet, lay: Layout, content: SheetContent, box: Box, y: float) -> float:
    u = lay.mm()
    y = _heading(sheet, lay, tr("wall_legend", sheet_lang(sheet)), box, y)
    entries = content.legend
    cols = 2 if box.w > u * 50 else 1
    col_w = box.w / cols
    row_h = u * 2.1
    per_col = math.ceil(len([e for e in entries if e.kind != "fill"]) / cols)
    plain = [e for e in entries if e.kind != "fill"]
    for i, entry in enumerate(plain):
        col, row = divmod(i, per_col)
        x, yy = box.x + col * col_w, y + row * row_h
        _legend_swatch(sheet, lay, entry, x, yy)
        sheet.style(lay.pt(1.0))
        sheet.put(x + u * 3.6, yy + u * 0.25, sheet.fit(entry.label, col_w - u * 4))
    y += per_col * row_h + u * 0.6
    if content.choropleth is not None:
        sheet.style(lay.pt(1.1), bold=True)
        sheet.put(box.x, y, sheet.fit(content.choropleth.title, box.w))
        y += u * 1.9
        fills = [e for e in entries if e.kind == "fill"]
        per_col = math.ceil(len(fills) / cols)
        for i, entry in enumerate(fills):
            col, row = divmod(i, per_col)
            x, yy = box.x + col * col_w, y + row * row_h
            _legend_swatch(sheet, lay, entry, x, yy)
            sheet.style(lay.pt(1.0))
            sheet.put(x + u * 3.6, yy + u * 0.25, sheet.fit(entry.label, col_w - u * 4))
        y += per_col * row_h + u * 0.6
    return y


def _table(
    sheet: _Sheet,
    lay: Layout,
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    x: float,
    y: float,
    widths: Sequence[float],
    aligns: str,
) -> float:
    """A table with a shaded header row; returns the y below it."""
    u = lay.mm()
    row_h = u * 1.55
    total = sum(widths)
    sheet.set_fill_color(*HEAD_FILL)
    sheet.rect(x, y, total, row_h, style="F")
    sheet.style(lay.pt(1.0), bold=True, colour=GREY)
    cx = x
    for name, w, a in zip(columns, widths, aligns, strict=True):
        sheet.put(
            cx + u * 0.3, y + u * 0.25, sheet.fit(name, w - u * 0.6), align=a, width=w - u * 0.6
        )
        cx += w
    y += row_h
    sheet.set_draw_color(*RULE)
    sheet.set_line_width(lay.mm(0.03))
    for cells in rows:
        cx = x
        for i, (cell, w, a) in enumerate(zip(cells, widths, aligns, strict=True)):
            sheet.style(lay.pt(1.0), bold=i == 0)
            sheet.put(
                cx + u * 0.3, y + u * 0.25, sheet.fit(cell, w - u * 0.6), align=a, width=w - u * 0.6
            )
            cx += w
        y += row_h
        sheet.line(x, y, x + total, y)
    return y


def _draw_headline(sheet: _Sheet, lay: Layout, content: SheetContent, box: Box, y: float) -> float:
    lang = sheet_lang(sheet)
    y = _heading(sheet, lay, tr("wall_headline", lang), box, y)
    columns = [
        tr(k, lang)
        for k in ("wall_col_figure", "wall_col_computed", "wall_col_reported", "wall_col_check")
    ]
    widths = [box.w * f for f in HEADLINE_WIDTHS]
    rows = [[r.label, r.computed, r.reported, r.check] for r in content.headline]
    return _table(sheet, lay, columns, rows, box.x, y, widths, "LRRC") + lay.mm(1.2)


VILLAGE_WIDTHS = (0.21, 0.23, 0.15, 0.12, 0.11, 0.18)


def _village_blocks(lay: Layout, box: Box, y: float) -> tuple[int, int, float]:
    """(columns of blocks, rows per block, block width) for a village table in ``box``."""
    u = lay.mm()
    blocks = max(1, int(box.w // (u * 38)))
    rows = int((box.bottom - y - u * 2.4 - u * 1.55) // (u * 1.55))
    return blocks, max(rows, 0), (box.w - (blocks - 1) * u) / blocks


def _draw_villages(
    sheet: _Sheet, lay: Layout, content: SheetContent, box: Box, y: float, title_key: str
) -> list[list[str]]:
    """The village table flowed into blocks within ``box``; returns the rows left over."""
    lang = sheet_lang(sheet)
    y = _heading(sheet, lay, tr(title_key, lang), box, y)
    blocks, per_block, block_w = _village_blocks(lay, box, y - lay.mm(2.4))
    rows = content.village_rows
    if per_block * blocks >= len(rows):  # all fit: balance the blocks
        per_block = math.ceil(len(rows) / blocks)
    fits = blocks * per_block
    shown, rest = rows[:fits], rows[fits:]
    if rest and shown:  # the last line says where the others are
        shown, rest = rows[: fits - 1], rows[fits - 1 :]
    for b in range(blocks):
        part = shown[b * per_block : (b + 1) * per_block]
        if not part:
            break
        x = box.x + b * (block_w + lay.mm())
        _table(
            sheet,
            lay,
            content.village_columns,
            part,
            x,
            y,
            [block_w * f for f in VILLAGE_WIDTHS],
            "LLRRRR",
        )
    if rest:
        sheet.style(lay.pt(1.0), colour=GREY)
        last = min(len(shown), per_block * blocks)
        row_in_block = last % per_block if per_block else 0
        b = last // per_block if per_block else 0
        x = box.x + min(b, blocks - 1) * (block_w + lay.mm())
        sheet.put(
            x,
            y + (row_in_block + 1) * lay.mm(1.55) + lay.mm(0.3),
            tr("wall_villages_continued", lang).format(n=len(rest)),
        )
    return rest


def title_lines(title: str) -> tuple[str, str]:
    """A long title in two lines: after ": " or "," if there is one, else at the space
    (or character) nearest the middle."""
    for mark in (": ", ":", ", "):
        if mark in title:
            head, tail = title.split(mark, 1)
            return head + mark.strip(), tail
    spaces = [i for i, c in enumerate(title) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(title) / 2)) if spaces else len(title) // 2
    return title[:cut].rstrip(), title[cut:].lstrip()


def _draw_title(sheet: _Sheet, lay: Layout, content: SheetContent) -> None:
    box = lay.title
    u = lay.mm()
    room = box.w
    if content.sample:  # the mark first, at the right; the title takes what is left
        mark = tr("wall_sample_mark", sheet_lang(sheet))
        sheet.style(lay.pt(1.6), bold=True, colour=_rgb(PARTY_RED))
        w = min(sheet.get_string_width(mark) + u * 2, box.w * 0.4)
        x = box.right - w
        sheet.set_draw_color(*_rgb(PARTY_RED))
        sheet.set_line_width(lay.mm(0.15))
        sheet.rect(x, box.y + u * 1.0, w, u * 3.2)
        sheet.put(x + u, box.y + u * 1.75, sheet.fit(mark, w - u * 2))
        room = box.w - w - u * 2
    size = 6.0  # the title's size: smaller (to 3.5×) on one line, else two lines at 3×
    sheet.style(lay.pt(size), bold=True)
    while size > 3.5 and sheet.get_string_width(content.title) > room:
        size -= 0.25
        sheet.style(lay.pt(size), bold=True)
    if sheet.get_string_width(content.title) <= room:
        sheet.put(box.x, box.y + u * 0.5 + (6.0 - size) * u * 0.5, content.title)
    else:
        size = 3.0
        sheet.style(lay.pt(size), bold=True)
        for i, line in enumerate(title_lines(content.title)):
            sheet.put(box.x, box.y + u * 0.3 + i * u * 3.4, sheet.fit(line, room))
    sheet.style(lay.pt(2.0), colour=GREY)
    sheet.put(box.x, box.y + u * 7.6, content.subtitle)
    sheet.set_draw_color(*_rgb(PARTY_RED))
    sheet.set_line_width(lay.mm(0.25))
    sheet.line(box.x, box.bottom, box.right, box.bottom)


def _draw_footer(sheet: _Sheet, lay: Layout, content: SheetContent, frame: MapFrame) -> None:
    lang = sheet_lang(sheet)
    parts = [
        *content.footer,
        tr("wall_projection", lang).format(lon=f"{frame.lon0:.4f}"),
        tr("wall_made_by", lang),
    ]
    sheet.style(lay.pt(1.0), colour=GREY)
    box = lay.footer
    sheet.put(box.x, box.y + lay.mm(0.6), sheet.fit(" · ".join(parts), box.w))


def _rows_u(n_rows: int) -> float:
    """Height of a table of ``n_rows`` with its heading, in smallest-text heights."""
    return 2.4 + (n_rows + 1) * 1.55


def _legend_u(content: SheetContent, width_u: float) -> float:
    cols = 2 if width_u > 50 else 1
    plain = len([e for e in content.legend if e.kind != "fill"])
    fills = len(content.legend) - plain
    out = 2.4 + math.ceil(plain / cols) * 2.1 + 0.6
    return out + (1.9 + math.ceil(fills / cols) * 2.1 + 0.6 if fills else 0.0)


#: Zooms tried for the panel's text, largest first (times the smallest text).
PANEL_ZOOMS: tuple[float, ...] = (2.0, 1.8, 1.6, 1.4, 1.2)
HEADLINE_WIDTHS = (0.40, 0.22, 0.22, 0.16)


def _panel_boxes(lay: Layout) -> tuple[Box, Box, Box]:
    """(legend, headline, villages) boxes; in landscape all three are the whole panel."""
    box = lay.panel
    if lay.landscape:
        return box, box, box
    gap = lay.mm(2.0)
    left = Box(box.x, box.y, (box.w - 2 * gap) * 0.24, box.h)
    mid = Box(left.right + gap, box.y, (box.w - 2 * gap) * 0.34, box.h)
    right = Box(mid.right + gap, box.y, box.right - mid.right - gap, box.h)
    return left, mid, right


def _texts_fit(sheet: _Sheet, lay: Layout, content: SheetContent) -> bool:
    """Whether headings, headline labels and column headers fit whole at ``lay``'s size."""
    legend, mid, right = _panel_boxes(lay)
    lang = sheet_lang(sheet)
    u = lay.mm()
    sheet.style(lay.pt(1.6), bold=True)
    for box, key in (
        (legend, "wall_legend"),
        (mid, "wall_headline"),
        (right, "wall_villages_title"),
    ):
        if sheet.get_string_width(tr(key, lang)) > box.w:
            return False
    sheet.style(lay.pt(1.0), bold=True)
    label_w = mid.w * HEADLINE_WIDTHS[0] - u * 0.6
    if any(sheet.get_string_width(r.label) > label_w for r in content.headline):
        return False
    _blocks, _rows, block_w = _village_blocks(lay, right, right.y)
    widths = [block_w * f - u * 0.6 for f in VILLAGE_WIDTHS]
    return all(
        sheet.get_string_width(name) <= w
        for name, w in zip(content.village_columns, widths, strict=True)
    )


def panel_zoom(sheet: _Sheet, lay: Layout, content: SheetContent) -> float:
    """How much larger than the smallest text the panel can be set (1.0–2.0): the largest
    of :data:`PANEL_ZOOMS` with the whole village table on the sheet and every heading,
    figure name and column header whole; 1.0 when none qualifies."""
    villages = len(content.village_rows)
    for zoom in PANEL_ZOOMS:
        zoomed = dataclasses.replace(lay, text_mm=lay.text_mm * zoom)
        legend, _mid, right = _panel_boxes(zoomed)
        u = zoomed.text_mm
        blocks = max(1, int(right.w // (u * 38)))
        tables = _rows_u(math.ceil(villages / blocks)) + 1.6
        if lay.landscape:
            need = _legend_u(content, legend.w / u) + 1 + _rows_u(len(content.headline)) + 2.2
            need += tables
        else:
            need = max(_legend_u(content, legend.w / u), _rows_u(len(content.headline)), tables)
        if need * u <= lay.panel.h and _texts_fit(sheet, zoomed, content):
            return zoom
    return 1.0


def _draw_panel(sheet: _Sheet, lay: Layout, content: SheetContent) -> list[list[str]]:
    lay = dataclasses.replace(lay, text_mm=lay.text_mm * panel_zoom(sheet, lay, content))
    u = lay.mm()
    legend, mid, right = _panel_boxes(lay)
    if lay.landscape:
        y = _draw_legend(sheet, lay, content, legend, legend.y)
        y = _draw_headline(sheet, lay, content, mid, y + u)
        return _draw_villages(sheet, lay, content, right, y + u, "wall_villages_title")
    _draw_legend(sheet, lay, content, legend, legend.y)
    _draw_headline(sheet, lay, content, mid, mid.y)
    return _draw_villages(sheet, lay, content, right, right.y, "wall_villages_title")


def wall_map_pdf(
    bundle: Bundle,
    options: WallMapOptions,
    today: dt.date,
    *,
    version: str = "",
    underlay: bytes | None = None,
) -> bytes:
    """The wall map as PDF bytes (one page; a second when the village table overflows).

    Parameters
    ----------
    bundle : the loaded data (drawn from its display copy, outlines simplified)
    options : paper, orientation, village, indicator and year, graticule, language
    today : the date printed on the sheet (and the PDF's creation date)
    version : the data's version to print in the footer, if known
    underlay : a PNG of local tiles covering the map frame (see :mod:`.raster`)

    Raises
    ------
    WallMapError
        A choice the data cannot map (unknown village or indicator, no boundary, ...).
    """
    content = sheet_content(bundle, options, today, version)
    lay = layout(options.paper, options.orientation)
    shown = display_bundle(bundle)
    frame = map_frame(bundle, options)
    sheet = _Sheet(lay, content.title, options.lang, today)
    sheet.add_page()
    _draw_title(sheet, lay, content)
    _draw_map(sheet, lay, shown, frame, content, options, underlay)
    rest = _draw_panel(sheet, lay, content)
    _draw_footer(sheet, lay, content, frame)
    while rest:
        sheet.add_page()
        page = Box(lay.margin, lay.margin, lay.width - 2 * lay.margin, lay.height - 2 * lay.margin)
        more = SheetContent(**{**content.__dict__, "village_rows": rest})
        rest = _draw_villages(sheet, lay, more, page, page.y, "wall_villages_more")
    return bytes(sheet.output())


def map_frame(bundle: Bundle, options: WallMapOptions) -> MapFrame:
    """The map frame (scale, centre) of ``options`` for ``bundle``."""
    lay = layout(options.paper, options.orientation)
    return fit_frame(lay.map, _extent(bundle, options.village), pad=FRAME_PAD)
