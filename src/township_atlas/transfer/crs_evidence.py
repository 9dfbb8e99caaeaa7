"""How well a file fits what the township already holds, read as each candidate CRS.

A 360 m GCJ-02 shift leaves almost every feature inside the township, so inside-counts
cannot tell GCJ-02 from WGS84. What can: features the township already has (matched by id
or by normalised name) lie within metres of their stored position only under the right
candidate; points that name their village land in it; outlines repeat the stored township
edge or village lines. Inside-counts are kept as the last, weakest evidence.

:func:`measure_fit` measures; :func:`decide` applies the margins (a measure decides only when
the best candidate is clearly better than the next, see :data:`MATCH_MAX_M` and
:data:`MARGIN`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from township_atlas.geo.measure import WGS84_GEOD

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

# A candidate decides by distance only when its median distance is at most this many metres
# and the next candidate's is at least MARGIN times larger.
MATCH_MAX_M = 30.0
MARGIN = 3.0
MIN_MATCHES = 3  # features matched by id or name needed before their distances count
MIN_NAMED = 3  # points naming their village needed before the village test counts
_PROBES = 2000
_ID_FIELDS = ("site_id", "org_id", "code")
_NAME_SUFFIXES = ("村民委员会", "村委会", "社区", "党委", "党总支", "党支部", "党小组", "村")
_VILLAGE_COLUMNS = ("所在村", "所属村", "行政村", "村名", "村庄", "村", "village", "village_code")
_SPACE = re.compile(r"[\s\u3000·・\-_()()]+")

Convert = Callable[[np.ndarray], np.ndarray]


def normalise_name(value: Any) -> str:
    """A name for loose matching: NFKC (full width → half), no spaces, lower case, without
    a trailing 村/社区/党支部… suffix ("杏树坪村党支部" and "杏树坪党支部" → "杏树坪")."""
    if value is None:
        return ""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", str(value))).lower()
    changed = True
    while changed and text:
        changed = False
        for suffix in _NAME_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


@dataclass
class Fit:
    """Per-candidate measures (candidate key -> value); empty dicts where not measured.

    Attributes
    ----------
    match_m : median geodesic distance (m) from matched features to their stored ones
    matched : how many features were matched by id or name (and what they matched)
    village_hits : points that land in the village they name
    named : how many points name a known village
    outline_m : median distance (m) of the file's outline vertices to stored outlines
    inside : features inside the township
    probed : features looked at for ``inside``
    """

    match_m: dict[str, float] = field(default_factory=dict)
    matched: int = 0
    match_layer: str = ""
    village_hits: dict[str, int] = field(default_factory=dict)
    named: int = 0
    outline_m: dict[str, float] = field(default_factory=dict)
    inside: dict[str, int] = field(default_factory=dict)
    probed: int = 0


@dataclass(frozen=True)
class Verdict:
    """The candidate a measure decided on (None: no measure decided), and which measure."""

    key: str | None
    basis: str | None  # "match", "outline", "village", "inside"


def _points(geoms: np.ndarray) -> np.ndarray:
    """A representative point per geometry (centroid; a point stays itself)."""
    return shapely.centroid(geoms)


def _geodesic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xa, xb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    _, _, dist = WGS84_GEOD.inv(xa[:, 0], xa[:, 1], xb[:, 0], xb[:, 1])
    return np.abs(dist)


def _stored_index(bundle: Bundle) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Per stored point-like layer: (layer, id -> geometry, normalised unique name -> geometry)."""
    out = []
    for layer in ("sites", "party_orgs", "villages"):
        try:
            frame = bundle.layer(layer)
        except (KeyError, AttributeError):
            continue
        if frame is None or not len(frame):
            continue
        geoms = list(frame.geometry)
        ids: dict[str, Any] = {}
        id_field = next((f for f in _ID_FIELDS if f in frame.columns), None)
        if id_field is not None:
            ids = {str(v): g for v, g in zip(frame[id_field], geoms, strict=True) if g is not None}
        names: dict[str, Any] = {}
        seen: set[str] = set()
        for v, g in zip(frame.get("name_zh", [None] * len(frame)), geoms, strict=True):
            key = normalise_name(v)
            if not key or g is None:
                continue
            if key in seen:
                names.pop(key, None)  # ambiguous: never matched
            else:
                names[key] = g
            seen.add(key)
        out.append((layer, ids, names))
    return out


def _matches(
    records: Sequence[dict[str, Any]], columns: Sequence[str], bundle: Bundle
) -> tuple[str, list[int], list[Any]]:
    """The stored layer and column that match the most rows: (layer, row indexes, geometries)."""
    best: tuple[str, list[int], list[Any]] = ("", [], [])
    for layer, ids, names in _stored_index(bundle):
        for col in columns:
            values = [r.get(col) for r in records]
            for table, key_of in ((ids, lambda v: str(v).strip()), (names, normalise_name)):
                if not table:
                    continue
                rows, geoms = [], []
                for i, v in enumerate(values):
                    if v is None or str(v).strip() == "":
                        continue
                    g = table.get(key_of(v))
                    if g is not None:
                        rows.append(i)
                        geoms.append(g)
                if len(rows) > len(best[1]):
                    best = (layer, rows, geoms)
    return best


def _village_column(columns: Sequence[str]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    for name in _VILLAGE_COLUMNS:
        if name in lowered:
            return lowered[name]
    return None


def _village_targets(records: Sequence[dict[str, Any]], column: str, bundle: Bundle) -> dict:
    """Row index -> the polygon of the village it names (by code or loosely by name)."""
    villages = bundle.villages
    if villages is None or not len(villages):
        return {}
    by_key: dict[str, Any] = {}
    for code, name, geom in zip(
        villages["code"], villages["name_zh"], villages.geometry, strict=True
    ):
        if geom is None:
            continue
        by_key[str(code).strip().lower()] = geom
        by_key.setdefault(normalise_name(name), geom)
    out = {}
    for i, r in enumerate(records):
        v = r.get(column)
        if v is None:
            continue
        geom = by_key.get(str(v).strip().lower())
        if geom is None:
            geom = by_key.get(normalise_name(v))
        if geom is not None:
            out[i] = geom
    return out


def _stored_lines(bundle: Bundle) -> Any:
    parts = [g.boundary for g in bundle.township.geometry if g is not None]
    if bundle.villages is not None:
        parts += [g.boundary for g in bundle.villages.geometry if g is not None]
    return shapely.union_all(parts) if parts else None


def _outline_m(lines: Any, geoms: np.ndarray) -> float:
    """Median distance (m) of the outlines' vertices to ``lines`` (local metric scale)."""
    xy = shapely.get_coordinates(shapely.boundary(geoms))
    if len(xy) > 5000:
        xy = xy[:: len(xy) // 5000 + 1]
    lat = float(np.mean(xy[:, 1]))
    deg = shapely.distance(lines, shapely.points(xy))
    # 1° of latitude ~ 111.2 km; a nearest line may lie in any direction, so take the
    # shorter (east-west) scale: an underestimate of at most cos(lat).
    return float(np.median(deg)) * 111_195.0 * np.cos(np.radians(lat))


def measure_fit(
    records: Sequence[dict[str, Any]],
    columns: Sequence[str],
    geoms: np.ndarray,
    bundle: Bundle,
    candidates: dict[str, Convert],
) -> Fit:
    """Measure each candidate (key -> function turning source geometries into WGS84).

    ``geoms`` are the source geometries, one per record (None where missing); of a big
    file, an even spread of at most 2000 rows is measured.
    """
    fit = Fit()
    present = np.array([g is not None for g in geoms], dtype=bool)
    if not present.any():
        return fit
    rows = np.flatnonzero(present)
    if len(rows) > _PROBES:  # a big file: an even spread of its rows is plenty of evidence
        rows = rows[np.linspace(0, len(rows) - 1, _PROBES).astype(int)]
        records = [records[i] for i in rows]
        geoms, present = geoms[rows], np.ones(len(rows), dtype=bool)
    converted = {}
    for key, func in candidates.items():
        out = np.empty(len(geoms), dtype=object)
        out[:] = None
        out[present] = func(geoms[present])
        converted[key] = out
    layer, rows, stored = _matches(records, columns, bundle)
    rows_ok = [(i, g) for i, g in zip(rows, stored, strict=True) if present[i]]
    if len(rows_ok) >= MIN_MATCHES:
        idx = np.array([i for i, _ in rows_ok])
        truth = _points(np.array([g for _, g in rows_ok], dtype=object))
        fit.matched, fit.match_layer = len(idx), layer
        for key, out in converted.items():
            fit.match_m[key] = float(np.median(_geodesic(_points(out[idx]), truth)))
    column = _village_column(columns)
    targets = _village_targets(records, column, bundle) if column else {}
    targets = {i: g for i, g in targets.items() if present[i]}
    if len(targets) >= MIN_NAMED:
        idx = np.array(sorted(targets))
        homes = np.array([targets[i] for i in idx], dtype=object)
        fit.named = len(idx)
        for key, out in converted.items():
            probe = shapely.point_on_surface(out[idx])
            fit.village_hits[key] = int(shapely.covers(homes, probe).sum())
    types = set(shapely.get_type_id(geoms[present]).tolist())
    lines = _stored_lines(bundle) if types <= {3, 6} else None
    if lines is not None and not lines.is_empty:
        for key, out in converted.items():
            fit.outline_m[key] = _outline_m(lines, out[present])
    if len(bundle.township) == 1 and bundle.township.geometry.iloc[0] is not None:
        township = bundle.township.geometry.iloc[0].buffer(1e-6)
        shapely.prepare(township)
        probe_idx = np.flatnonzero(present)
        fit.probed = len(probe_idx)
        for key, out in converted.items():
            pts = shapely.point_on_surface(out[probe_idx])
            fit.inside[key] = int(shapely.contains(township, pts).sum())
    return fit


def _by_distance(values: dict[str, float]) -> str | None:
    if len(values) < 2:
        return None
    ranked = sorted(values, key=values.__getitem__)
    best, second = values[ranked[0]], values[ranked[1]]
    if best <= MATCH_MAX_M and second >= MARGIN * max(best, 1.0):
        return ranked[0]
    return None


def decide(fit: Fit) -> Verdict:
    """The candidate the strongest deciding measure points to, in the order: matched
    features, outlines, named villages, inside-counts (only when exactly one candidate puts
    every feature inside)."""
    if fit.match_m and (key := _by_distance(fit.match_m)):
        return Verdict(key, "match")
    if fit.outline_m and (key := _by_distance(fit.outline_m)):
        return Verdict(key, "outline")
    if fit.village_hits:
        misses = {k: fit.named - h for k, h in fit.village_hits.items()}
        ranked = sorted(misses, key=misses.__getitem__)
        best, second = misses[ranked[0]], misses[ranked[1]]
        if (
            best <= 0.1 * fit.named
            and second >= MARGIN * max(best, 1)
            and second - best >= max(2, 0.1 * fit.named)
        ):
            return Verdict(ranked[0], "village")
    if fit.inside and fit.probed:
        full = [k for k, n in fit.inside.items() if n == fit.probed]
        if len(full) == 1:
            return Verdict(full[0], "inside")
    return Verdict(None, None)
