"""Static maps for slides and sheets, drawn with matplotlib from our geodata (no tiles).

The township, its villages with their names in Chinese, the sites with the map's own
symbols and colours (:mod:`township_atlas.maps.style`), and on request the Party
organisations and the sites still without a Party group. Drawn in longitude/latitude with
the aspect of the township's latitude, so shapes look as on the interactive map; a scale
bar in km and a north mark. Uses matplotlib's object API (no pyplot), so it is safe to
call from Streamlit's threads.
"""

from __future__ import annotations

import io
import math

import matplotlib

from township_atlas.text.bilingual import pick

matplotlib.use("Agg")

from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from township_atlas.briefing.fonts import font_properties
from township_atlas.briefing.model import MapSpec
from township_atlas.geo.measure import WGS84_GEOD
from township_atlas.maps.display import display_bundle
from township_atlas.maps.style import (
    BACKGROUND,
    PARTY_RED,
    SITE_SYMBOLS,
    TOWNSHIP_LINE,
    VILLAGE_FILL,
    VILLAGE_LINE,
)
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import SITE_KIND_LABELS, code_label
from township_atlas.text.labels import tr
from township_atlas.text.numbers import LABEL_CHARS, shorten

# The map's shapes as matplotlib markers.
MARKERS = {"square": "s", "star": "*", "diamond": "D", "circle": "o", "triangle": "^"}
FADED_FILL = "#E4E0D8"
HALO = [patheffects.withStroke(linewidth=3, foreground="white")]


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    """A compound path (exterior and holes) for a Polygon or MultiPolygon."""
    polys = getattr(geom, "geoms", [geom])
    vertices, codes = [], []
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = list(ring.coords)
            vertices += xy
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(vertices, codes) if vertices else None


def _add_polygon(ax, geom, **style) -> None:
    if geom is None or geom.is_empty:
        return
    path = _polygon_path(geom)
    if path is not None:
        ax.add_patch(PathPatch(path, **style))


def _extent(bundle: Bundle, spec: MapSpec) -> tuple[float, float, float, float] | None:
    frames = []
    if spec.focus_village:
        focus = bundle.villages[bundle.villages["code"] == spec.focus_village]
        frames.append(focus)
    if not frames or frames[0].empty or frames[0].geometry.isna().all():
        frames = [bundle.township if not bundle.township.empty else bundle.villages]
    bounds = frames[0].geometry.dropna()
    bounds = bounds[~bounds.is_empty]
    if bounds.empty:
        return None
    minx, miny, maxx, maxy = bounds.total_bounds
    pad = 0.12 if spec.focus_village else 0.04
    dx, dy = (maxx - minx) or 0.01, (maxy - miny) or 0.01
    return minx - pad * dx, miny - pad * dy, maxx + pad * dx, maxy + pad * dy


def _fit(extent, width: float, height: float):
    """Widen the extent so it fills a ``width`` × ``height`` frame at the true aspect."""
    minx, miny, maxx, maxy = extent
    kx = math.cos(math.radians((miny + maxy) / 2))  # degrees of lon are shorter
    w, h = (maxx - minx) * kx, maxy - miny
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if w / h < width / height:
        w = h * width / height
    else:
        h = w * height / width
    return cx - w / kx / 2, cy - h / 2, cx + w / kx / 2, cy + h / 2, kx


def _nice_km(span_km: float) -> float:
    """The longest round length (km) up to a quarter of the map's width."""
    steps = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
    return max((s for s in steps if s <= span_km / 4), default=steps[0])


def _scale_bar(ax, extent, lang: str, size: float) -> None:
    minx, miny, maxx, maxy, _kx = extent
    _az, _baz, width_m = WGS84_GEOD.inv(minx, miny, maxx, miny)
    km = _nice_km(width_m / 1000)
    deg = (maxx - minx) * km * 1000 / width_m
    x0 = maxx - (maxx - minx) * 0.04 - deg
    y0 = miny + (maxy - miny) * 0.05
    ax.plot([x0, x0 + deg], [y0, y0], color="#333333", lw=3, solid_capstyle="butt", zorder=9)
    label = f"{km:g} {pick(lang, '公里', 'km')}"
    ax.text(
        x0 + deg / 2,
        y0 + (maxy - miny) * 0.015,
        label,
        ha="center",
        va="bottom",
        fontproperties=font_properties(size=size),
        color="#333333",
        path_effects=HALO,
        zorder=9,
    )
    north_x, north_y = maxx - (maxx - minx) * 0.05, maxy - (maxy - miny) * 0.06
    ax.annotate(
        tr("mtg_north", lang),
        xy=(north_x, north_y),
        xytext=(north_x, north_y - (maxy - miny) * 0.07),
        ha="center",
        va="center",
        fontproperties=font_properties(bold=True, size=size),
        arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.5},
        zorder=9,
    )


def render_map(
    bundle: Bundle,
    spec: MapSpec,
    lang: str = "zh",
    *,
    width_in: float = 8.0,
    height_in: float = 6.0,
    dpi: int = 150,
    font_pt: float = 11.0,
    legend: bool = True,
) -> bytes:
    """The map as PNG bytes, ``width_in`` × ``height_in`` inches at ``dpi``.

    Parameters
    ----------
    spec : what to show (focus village, highlighted and ringed sites, Party organisations)
    font_pt : size of the village names in points (other text scales from it)
    legend : draw the legend of site kinds (and Party symbols)

    Drawn from the display copy of ``bundle`` (outlines simplified and capped in vertices,
    :mod:`township_atlas.maps.display`); village names at most ``LABEL_CHARS``.
    """
    bundle = display_bundle(bundle)
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_facecolor(BACKGROUND)
    extent = _extent(bundle, spec)
    if extent is None:
        return _png(fig)
    fitted = _fit(extent, width_in, height_in)
    minx, miny, maxx, maxy, kx = fitted
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect(1 / kx)

    focus = spec.focus_village
    for row in bundle.villages.itertuples(index=False):
        mine = focus is None or row.code == focus
        _add_polygon(
            ax,
            row.geometry,
            facecolor=VILLAGE_FILL if mine else FADED_FILL,
            edgecolor=VILLAGE_LINE,
            lw=2.4 if focus and mine else 0.9,
            zorder=1,
        )
    for geom in bundle.township.geometry:
        _add_polygon(ax, geom, facecolor="none", edgecolor=TOWNSHIP_LINE, lw=2.2, zorder=2)

    highlight = set(spec.highlight_sites)
    kinds_shown: list[str] = []
    for row in bundle.sites.itertuples(index=False):
        geom = row.geometry
        if geom is None or geom.is_empty or row.kind not in SITE_SYMBOLS:
            continue
        shape, colour = SITE_SYMBOLS[row.kind]
        strong = not focus or str(row.site_id) in highlight
        alpha = 1.0 if strong else 0.35
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            _add_polygon(
                ax, geom, facecolor=colour, edgecolor=colour, alpha=0.28 * alpha, lw=1, zorder=3
            )
        point = geom.representative_point()
        size = (11 if strong else 7) * (1.3 if shape == "star" else 1.0)
        ax.plot(
            point.x,
            point.y,
            marker=MARKERS.get(shape, "o"),
            ms=size,
            mfc=colour,
            mec="white",
            mew=1.2,
            alpha=alpha,
            zorder=5,
            linestyle="none",
        )
        if strong and row.kind not in kinds_shown:
            kinds_shown.append(row.kind)

    ringed = set(spec.mark_sites)
    if ringed:
        sites = bundle.sites[bundle.sites["site_id"].astype(str).isin(ringed)]
        for geom in sites.geometry.dropna():
            p = geom.representative_point()
            ax.plot(
                p.x,
                p.y,
                marker="o",
                ms=24,
                mfc="none",
                mec=PARTY_RED,
                mew=2.2,
                linestyle="none",
                zorder=6,
            )

    if spec.show_orgs:
        orgs = bundle.party_orgs
        if focus:  # a village's map shows its own branch and groups
            orgs = orgs[(orgs["village_code"] == focus) & (orgs["level"] != "committee")]
        for level, ms in (("committee", 13), ("branch", 10), ("group", 6)):
            chosen = orgs[orgs["level"] == level].geometry.dropna()
            if chosen.empty:
                continue
            ax.plot(
                chosen.x,
                chosen.y,
                marker="o",
                ms=ms,
                mfc=PARTY_RED,
                mec="white",
                mew=1.2,
                linestyle="none",
                zorder=7,
            )

    names = pick(lang, "name_zh", "name_en")
    for row in bundle.villages.itertuples(index=False):
        if row.geometry is None or row.geometry.is_empty:
            continue
        mine = focus is None or row.code == focus
        p = row.geometry.representative_point()
        if not (minx <= p.x <= maxx and miny <= p.y <= maxy):
            continue
        ax.text(
            p.x,
            p.y,
            shorten(getattr(row, names), LABEL_CHARS) or shorten(row.name_zh, LABEL_CHARS),
            ha="center",
            va="center",
            fontproperties=font_properties(
                bold=mine, size=font_pt * (1.5 if focus and mine else 1)
            ),
            color="#1F2328" if mine else "#6E6E6E",
            path_effects=HALO,
            zorder=8,
        )

    _scale_bar(ax, fitted, lang, font_pt * 0.85)
    if legend:
        _legend(ax, kinds_shown, spec, lang, font_pt * 0.85)
    return _png(fig)


def _legend(ax, kinds: list[str], spec: MapSpec, lang: str, size: float) -> None:
    handles = []
    for kind in sorted(kinds, key=list(SITE_SYMBOLS).index):
        shape, colour = SITE_SYMBOLS[kind]
        handles.append(
            Line2D(
                [],
                [],
                marker=MARKERS[shape],
                ms=14 if shape == "star" else 10,
                mfc=colour,
                mec="white",
                linestyle="none",
                label=code_label(SITE_KIND_LABELS, kind, lang),
            )
        )
    if spec.show_orgs:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ms=10,
                mfc=PARTY_RED,
                mec="white",
                linestyle="none",
                label=tr("mtg_legend_party", lang),
            )
        )
    if spec.mark_sites:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ms=14,
                mfc="none",
                mec=PARTY_RED,
                mew=2,
                linestyle="none",
                label=tr("mtg_legend_uncovered", lang),
            )
        )
    if handles:
        legend_box = ax.legend(
            handles=handles,
            loc="lower left",
            prop=font_properties(size=size),
            frameon=True,
            framealpha=0.9,
            facecolor="white",
            edgecolor="#CCCCCC",
            borderpad=0.6,
        )
        legend_box.set_zorder(20)  # above the names of neighbouring villages


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor=fig.get_facecolor())
    return buffer.getvalue()
