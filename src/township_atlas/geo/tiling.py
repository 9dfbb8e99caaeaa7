"""Do the villages tile the township? Gaps, overlaps and spill, and snapping the narrow ones.

Hand-digitised village lines rarely fit: between two villages there is a thin gap here and a
thin overlap there, and along the township edge a village pokes out or stops short.
:func:`find_pieces` lists every such piece (WGS84 polygon, geodesic area in m² and 亩, a
representative point, the villages it concerns, and whether it is *narrow*: it vanishes
under a negative buffer of half the tolerance in a local metric projection).
:func:`snap_villages` fixes the narrow pieces only — a gap goes to the neighbouring village
with the longest shared edge (as far as it lies within the tolerance of it; the rest to the
next neighbour, so a gap running past a village corner is shared out), an overlap stays with the village that shares the longer edge
with it (then the larger one) and is cut from the others, spill outside the township is
clipped — and returns the wider ones untouched, each with an explanation for a person to
check. Overlay runs on the stored coordinate grid (7 decimals), so the result is stored
without a further rounding that could open new slivers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from township_atlas.geo.measure import (
    geodesic_area_m2,
    geodesic_length_m,
    local_utm_epsg,
    m2_to_mu,
)

GRID_DEG = 1e-7  # the stored coordinate precision (7 decimals)
MIN_PIECE_M2 = 1.0  # pieces smaller than this are noise (same as the tiling check)
DEFAULT_SNAP_M = 5.0
MAX_ROUNDS = 3
# Metres in a degree of latitude (a degree of longitude is shorter): a reach of
# tolerance / METRES_PER_DEGREE degrees is at most the tolerance in every direction.
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Piece:
    """One part of the township that does not fit.

    Attributes
    ----------
    kind : "gap" (in no village), "overlap" (in two or more) or "spill" (a village outside
        the township)
    geometry : the piece, WGS84
    villages : the village codes concerned (overlap: all covering it; spill: the village;
        gap: the villages it touches)
    area_m2 : geodesic area
    point : (lon, lat) of a point inside the piece
    narrow : True when the piece is narrower than the tolerance it was judged with
    """

    kind: str
    geometry: BaseGeometry
    villages: tuple[str, ...]
    area_m2: float
    point: tuple[float, float]
    narrow: bool

    @property
    def area_mu(self) -> float:
        return m2_to_mu(self.area_m2)


@dataclass
class SnapResult:
    """Snapped villages and what was fixed or left.

    Attributes
    ----------
    villages : code -> WGS84 polygon, every input village (changed or not)
    changed : codes whose geometry changed
    fixed : the narrow pieces that were resolved
    left : the pieces still there after snapping (of at least 1 m²): the wider ones, left as
        they were for a person to check, and any narrow one no village borders
    tolerance_m : the tolerance used
    """

    villages: dict[str, BaseGeometry]
    changed: list[str] = field(default_factory=list)
    fixed: list[Piece] = field(default_factory=list)
    left: list[Piece] = field(default_factory=list)
    tolerance_m: float = DEFAULT_SNAP_M


KIND_ZH = {"gap": "缺口", "overlap": "重叠", "spill": "出界部分"}
KIND_EN = {"gap": "gap", "overlap": "overlap", "spill": "part outside the township"}


def explain(piece: Piece, number: int, tolerance_m: float) -> tuple[str, str]:
    """(zh, en) sentence for a piece left to a person: "第 N 处缺口约 1.2 亩,宽于 5 米,需人工核对"."""
    who = "、".join(piece.villages)
    where = f"(约 {piece.point[0]:.5f}, {piece.point[1]:.5f})"
    zh = (
        f"第 {number} 处{KIND_ZH[piece.kind]}约 {piece.area_mu:,.1f} 亩"
        f"({piece.area_m2:,.0f} 平方米){where}"
        + (f",涉及 {who}" if who else "")
        + f",宽于 {tolerance_m:g} 米,需人工核对。"
    )
    en = (
        f"{KIND_EN[piece.kind].capitalize()} no. {number}: about {piece.area_mu:,.1f} mu "
        f"({piece.area_m2:,.0f} m²) at ({piece.point[0]:.5f}, {piece.point[1]:.5f})"
        + (f", villages {', '.join(piece.villages)}" if who else "")
        + f"; wider than {tolerance_m:g} m, check it by hand."
    )
    return zh, en


def _polygons(geom: BaseGeometry | None) -> list[BaseGeometry]:
    """The polygon parts of any geometry (collections from overlay included)."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def _polygonal(geom: BaseGeometry | None) -> BaseGeometry:
    """The polygonal part of ``geom`` as a valid (Multi)Polygon (empty when none)."""
    if geom is None:
        return shapely.Polygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = _polygons(geom)
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


class _Metric:
    """Local UTM projection around the township, for judging widths in metres."""

    def __init__(self, township: BaseGeometry) -> None:
        c = township.representative_point()
        self._fwd = Transformer.from_crs(4326, local_utm_epsg(c.x, c.y), always_xy=True)

    def project(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda xy: _stack(*self._fwd.transform(xy[:, 0], xy[:, 1])))

    def narrow(self, geom: BaseGeometry, tolerance_m: float) -> bool:
        return bool(self.project(geom).buffer(-tolerance_m / 2).is_empty)


def _stack(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.column_stack([x, y])


def _touch_length_m(piece: BaseGeometry, body: BaseGeometry) -> float:
    """Length (m) of ``body``'s outline that runs along the piece (within a grid step or so).

    The small piece is buffered, not the village, so this stays cheap for big villages.
    """
    if body.is_empty:
        return 0.0
    shared = body.boundary.intersection(piece.buffer(GRID_DEG * 5))
    return geodesic_length_m(shared)


def _piece(
    kind: str,
    geom: BaseGeometry,
    villages: tuple[str, ...],
    metric: _Metric,
    tolerance_m: float,
) -> Piece:
    point = geom.representative_point()
    return Piece(
        kind,
        geom,
        villages,
        geodesic_area_m2(geom),
        (float(point.x), float(point.y)),
        metric.narrow(geom, tolerance_m),
    )


def find_pieces(
    villages: Mapping[str, BaseGeometry],
    township: BaseGeometry,
    *,
    tolerance_m: float = DEFAULT_SNAP_M,
    min_area_m2: float = MIN_PIECE_M2,
    kinds: tuple[str, ...] = ("gap", "overlap", "spill"),
) -> list[Piece]:
    """Gaps, overlaps and spill of ``villages`` (code -> WGS84 polygon) against ``township``.

    Each connected piece of at least ``min_area_m2`` is one :class:`Piece`, in the order
    gaps, overlaps, spill, largest first within each kind. ``narrow`` is judged with
    ``tolerance_m``. Invalid or empty village geometries are skipped. ``kinds`` limits
    the search to some kinds.
    """
    polys = {c: _polygonal(g) for c, g in villages.items()}
    polys = {c: g for c, g in polys.items() if not g.is_empty}
    township = _polygonal(township)
    if township.is_empty:
        return []
    metric = _Metric(township)
    codes = list(polys)
    geoms = [polys[c] for c in codes]
    out: list[Piece] = []
    array = np.array(geoms, dtype=object)
    tree = shapely.STRtree(array)
    gaps = []
    if "gap" not in kinds:
        union = township
    else:
        union = shapely.union_all(geoms) if geoms else shapely.Polygon()
    for part in _polygons(township.difference(union)):
        if geodesic_area_m2(part) < min_area_m2:
            continue
        close = tree.query(part, predicate="dwithin", distance=GRID_DEG * 5)
        near = tuple(codes[k] for k in sorted(close) if _touch_length_m(part, geoms[k]) > 0)
        gaps.append(_piece("gap", part, near, metric, tolerance_m))
    overlaps = []
    pairs = tree.query(array, predicate="intersects") if "overlap" in kinds else [[], []]
    for i, j in zip(*pairs, strict=True):
        if i >= j:
            continue
        for part in _polygons(geoms[i].intersection(geoms[j])):
            if geodesic_area_m2(part) < min_area_m2:
                continue
            covering = tuple(
                codes[k]
                for k in sorted(tree.query(part, predicate="intersects"))
                if geoms[k].intersection(part).area >= 0.5 * part.area
            )
            overlaps.append(_piece("overlap", part, covering, metric, tolerance_m))
    spill = []
    for code, geom in polys.items() if "spill" in kinds else ():
        for part in _polygons(geom.difference(township)):
            if geodesic_area_m2(part) >= min_area_m2:
                spill.append(_piece("spill", part, (code,), metric, tolerance_m))
    for group in (gaps, overlaps, spill):
        out.extend(sorted(group, key=lambda p: -p.area_m2))
    return out


def _on_grid(geom: BaseGeometry) -> BaseGeometry:
    return _polygonal(shapely.set_precision(_polygonal(geom), GRID_DEG))


def _tidy(geom: BaseGeometry) -> BaseGeometry:
    """Drop crumbs (parts under 1 m²) that an overlay on the grid leaves beside a real part."""
    geom = _polygonal(geom)
    parts = _polygons(geom)
    if len(parts) < 2:
        return geom
    kept = [p for p in parts if geodesic_area_m2(p) >= MIN_PIECE_M2] or parts
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def _cut(geom: BaseGeometry, piece: BaseGeometry) -> BaseGeometry:
    return _tidy(shapely.difference(geom, piece, grid_size=GRID_DEG))


def _add(geom: BaseGeometry, piece: BaseGeometry) -> BaseGeometry:
    return _tidy(shapely.union(geom, piece, grid_size=GRID_DEG))


def _fix(piece: Piece, current: dict[str, BaseGeometry], tolerance_m: float) -> bool:
    """Resolve one narrow piece in ``current`` (see :func:`snap_villages`); False if it cannot."""
    if piece.kind == "spill":
        code = piece.villages[0]
        current[code] = _cut(current[code], piece.geometry)
        return True
    if piece.kind == "overlap":
        owners = [c for c in piece.villages if c in current]
        if len(owners) < 2:
            return False
        keep = max(
            owners,
            key=lambda c: (
                _touch_length_m(piece.geometry, _cut(current[c], piece.geometry)),
                geodesic_area_m2(current[c]),
                c,
            ),
        )
        for c in owners:
            if c != keep:
                current[c] = _cut(current[c], piece.geometry)
        return True
    near = [c for c in piece.villages if c in current]
    near.sort(key=lambda c: (-_touch_length_m(piece.geometry, current[c]), c))
    # The neighbour with the longest shared edge takes what lies within the tolerance of
    # it, the next one what is left within reach of it, and so on: a gap running past a
    # corner is shared out, and no boundary moves further than the tolerance.
    reach = tolerance_m / METRES_PER_DEGREE
    x0, y0, x1, y1 = piece.geometry.bounds
    window = shapely.box(x0 - 2 * reach, y0 - 2 * reach, x1 + 2 * reach, y1 + 2 * reach)
    left = piece.geometry
    taken = False
    for c in near:
        zone = current[c].intersection(window).buffer(reach)
        share = _polygonal(shapely.intersection(left, zone, grid_size=GRID_DEG))
        if share.is_empty or geodesic_area_m2(share) == 0:
            continue
        current[c] = _add(current[c], share)
        left = _polygonal(shapely.difference(left, share, grid_size=GRID_DEG))
        taken = True
        if left.is_empty:
            break
    return taken


def snap_villages(
    villages: Mapping[str, BaseGeometry],
    township: BaseGeometry,
    tolerance_m: float = DEFAULT_SNAP_M,
) -> SnapResult:
    """Fix the gaps, overlaps and spill narrower than ``tolerance_m`` (see the module doc).

    Spill is clipped first, then overlaps are resolved, then gaps are filled, each from a
    fresh look at the current villages. Wider pieces are returned in ``left`` unchanged.
    Every output polygon is valid and on the 7-decimal grid; no village boundary moves
    further than the width of the piece that changed it (below ``tolerance_m``).
    """
    township = _on_grid(township)
    current = {c: _on_grid(g) for c, g in villages.items()}
    original = dict(current)
    result = SnapResult(villages=current, tolerance_m=tolerance_m)
    if township.is_empty:
        return result
    for _ in range(MAX_ROUNDS):  # a cut or a fill can leave a crumb for the next round
        before = len(result.fixed)
        for kind in ("spill", "overlap", "gap"):
            found = find_pieces(
                current, township, tolerance_m=tolerance_m, min_area_m2=0.0, kinds=(kind,)
            )
            for piece in found:
                if piece.narrow and _fix(piece, current, tolerance_m):
                    result.fixed.append(piece)
        if len(result.fixed) == before:
            break
    result.left = find_pieces(current, township, tolerance_m=tolerance_m)
    result.changed = [c for c in current if not current[c].equals(original[c])]
    return result
