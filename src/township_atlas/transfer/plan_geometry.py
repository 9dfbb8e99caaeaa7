"""Geometry checks of an import, vectorised over all rows: present, readable, finite,
longitude/latitude, of the layer's type, valid (or repairable), inside the township."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
import shapely.ops
from shapely.geometry.base import BaseGeometry

from township_atlas.geo.measure import m2_to_mu
from township_atlas.geo.tiling import KIND_EN, KIND_ZH, snap_villages
from township_atlas.model.schema import LayerSpec
from township_atlas.storage.formats import COORD_DECIMALS
from township_atlas.transfer.messages import Note
from township_atlas.transfer.problems import ProblemLog

# Same tolerance as the store's check that sites lie in the township (checks.check_sites).
TOWNSHIP_TOLERANCE_DEG = 1e-6
_POLYGONAL = ("Polygon", "MultiPolygon")
# shapely.get_type_id -> geometry type name
_TYPE_NAMES = np.array(
    ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
     "MultiPolygon", "GeometryCollection"]
)  # fmt: skip


@dataclass
class Snapping:
    """Snapping of imported village boundaries (see :func:`township_atlas.geo.tiling.snap_villages`).

    ``apply`` False only counts what snapping at ``tolerance_m`` would fix (``count``,
    ``area_m2`` are filled in either way).
    """

    tolerance_m: float
    apply: bool
    count: int = 0
    area_m2: float = 0.0


def _simplify_parts(geom: BaseGeometry, allowed: tuple[str, ...]) -> BaseGeometry:
    """A one-part multi-geometry (or collection) as its single part when only that fits."""
    kind = geom.geom_type
    if kind in allowed:
        return geom
    if kind in ("MultiPoint", "MultiPolygon", "MultiLineString", "GeometryCollection"):
        parts = list(geom.geoms)
        if len(parts) == 1 and parts[0].geom_type in allowed:
            return parts[0]
        if kind == "GeometryCollection" and parts and all(p.geom_type in _POLYGONAL for p in parts):
            merged = shapely.multipolygons([q for p in parts for q in getattr(p, "geoms", [p])])
            if merged.geom_type in allowed:
                return merged
    return geom


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygonal part of a make_valid result, or None when there is none."""
    if geom.geom_type in _POLYGONAL:
        return geom
    if geom.geom_type == "GeometryCollection":
        polys = [
            q for p in geom.geoms if p.geom_type in _POLYGONAL for q in getattr(p, "geoms", [p])
        ]
        if polys:
            return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    return None


def _round(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))


def _reach_m(township: BaseGeometry, geom: BaseGeometry) -> float:
    """How far ``geom`` reaches outside ``township``, in metres: the largest distance from a
    vertex of its outside part to the township (not the distance to the nearest point,
    which is 0 for a polygon that overlaps the boundary). Measured in a transverse Mercator
    projection centred on the township (a few metres' error over a township's extent)."""
    centre = township.centroid
    local = pyproj.CRS.from_proj4(
        f"+proj=tmerc +lon_0={centre.x} +lat_0={centre.y} +ellps=WGS84 +units=m"
    )
    to_local = pyproj.Transformer.from_crs(4326, local, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = to_local.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    town, part = shapely.transform(np.array([township, geom], dtype=object), project)
    outside = shapely.difference(part, town) if part.geom_type != "Point" else part
    xy = shapely.get_coordinates(outside)
    if not len(xy):
        return float(shapely.distance(town, part))
    return float(np.max(shapely.distance(town, shapely.points(xy))))


def _reach_text(metres: float) -> dict[str, str]:
    if metres < 1000:
        return {"reach_zh": f"{metres:,.0f} 米", "reach_en": f"{metres:,.0f} m"}
    return {"reach_zh": f"{metres / 1000:,.2f} 公里", "reach_en": f"{metres / 1000:,.2f} km"}


def check_geometries(
    geoms: np.ndarray,
    spec: LayerSpec,
    township: BaseGeometry | None,
    log: ProblemLog,
    *,
    repair: bool,
    notes: list[Note],
    snapping: Snapping | None = None,
) -> np.ndarray:
    """Final WGS84 geometries (rounded as stored); rows with a geometry error get None."""
    raw = log.raw
    out = np.empty(len(geoms), dtype=object)
    out[:] = None
    for index, reason in raw.bad_geometry.items():
        if isinstance(reason, Note):
            log.add(
                index,
                "geometry_too_large",
                "xfer_row_note",
                field_name="geometry",
                note_zh=reason.message_zh,
                note_en=reason.message_en,
            )
        else:
            log.add(
                index,
                "geometry_unreadable",
                "xfer_row_geometry_unreadable",
                field_name="geometry",
                detail=reason,
            )
    todo = [
        i
        for i, g in enumerate(geoms)
        if i not in raw.bad_geometry and g is not None and not g.is_empty
    ]
    for i, g in enumerate(geoms):
        if i not in raw.bad_geometry and (g is None or g.is_empty):
            log.add(i, "geometry_missing", "xfer_row_geometry_missing", field_name="geometry")
    if not todo:
        return out
    idx = np.asarray(todo)
    part = shapely.force_2d(geoms[idx])
    part = np.array([_simplify_parts(g, spec.geometry_types) for g in part], dtype=object)
    xy, owner = shapely.get_coordinates(part, return_index=True)
    nonfinite = np.zeros(len(part), dtype=bool)
    np.logical_or.at(nonfinite, owner, ~np.isfinite(xy).all(axis=1))
    outside = np.zeros(len(part), dtype=bool)
    with np.errstate(invalid="ignore"):
        np.logical_or.at(outside, owner, (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90))
    owners, first_vertex = np.unique(owner, return_index=True)
    first = dict(zip(owners.tolist(), xy[first_vertex], strict=True))
    keep = np.ones(len(part), dtype=bool)
    for k in np.flatnonzero(nonfinite):
        log.add(int(idx[k]), "coordinates_not_finite", "xfer_row_not_finite", field_name="geometry")
        keep[k] = False
    for k in np.flatnonzero(outside & ~nonfinite):
        x, y = first[int(k)]
        log.add(
            int(idx[k]),
            "coordinates_not_lonlat",
            "xfer_row_not_lonlat",
            field_name="geometry",
            x=f"{x:.6g}",
            y=f"{y:.6g}",
        )
        keep[k] = False
    types = shapely.get_type_id(part)
    names = _TYPE_NAMES[types]
    for k in np.flatnonzero(keep & ~np.isin(names, spec.geometry_types)):
        log.add(
            int(idx[k]),
            "geometry_type",
            "xfer_row_geometry_type",
            field_name="geometry",
            found=names[k],
            expected="/".join(spec.geometry_types),
        )
        keep[k] = False
    part = part.copy()
    part[keep] = _round(part[keep])
    valid = np.ones(len(part), dtype=bool)
    valid[keep] = shapely.is_valid(part[keep])
    for k in np.flatnonzero(keep & ~valid):
        geom = part[k]
        reason = shapely.is_valid_reason(geom)
        fixed = _polygonal(shapely.make_valid(geom)) if geom.geom_type in _POLYGONAL else None
        if fixed is not None:
            fixed = _round(np.array([fixed], dtype=object))[0]
            if not fixed.is_valid or fixed.geom_type not in spec.geometry_types or fixed.area <= 0:
                fixed = None
        if repair and fixed is not None:
            part[k] = fixed
            log.add(
                int(idx[k]),
                "geometry_repaired",
                "xfer_row_geometry_repaired",
                field_name="geometry",
                severity="warning",
                reason=reason,
            )
            continue
        key = (
            "xfer_row_geometry_invalid_fixable"
            if fixed is not None
            else "xfer_row_geometry_invalid"
        )
        log.add(
            int(idx[k]),
            "geometry_invalid",
            key,
            field_name="geometry",
            fixable=fixed is not None,
            reason=reason,
        )
        keep[k] = False
    if township is not None and snapping is not None and spec.name == "villages":
        _snap(part, idx, keep, township, snapping, log, notes)
    if township is not None and spec.name != "township":
        _check_township(part, idx, keep, township, log, notes)
    for k in np.flatnonzero(keep):
        out[int(idx[k])] = part[k]
    return out


def _check_township(
    part: np.ndarray,
    idx: np.ndarray,
    keep: np.ndarray,
    township: BaseGeometry,
    log: ProblemLog,
    notes: list[Note],
) -> None:
    area = township.buffer(TOWNSHIP_TOLERANCE_DEG)
    shapely.prepare(area)
    inside = np.ones(len(part), dtype=bool)
    inside[keep] = shapely.contains(area, part[keep])
    bad = np.flatnonzero(keep & ~inside)
    for k in bad:
        log.add(
            int(idx[k]),
            "outside_township",
            "xfer_row_outside_township",
            field_name="geometry",
            **_reach_text(_reach_m(township, part[k])),
        )
        keep[k] = False
    if len(bad) and len(bad) >= 0.5 * max(int(keep.sum()) + len(bad), 1):
        notes.append(Note.of("xfer_plan_mostly_outside", count=len(bad)))


def _snap(
    part: np.ndarray,
    idx: np.ndarray,
    keep: np.ndarray,
    township: BaseGeometry,
    snapping: Snapping,
    log: ProblemLog,
    notes: list[Note],
) -> None:
    """Count (and with ``snapping.apply``, fix) the narrow gaps, overlaps and spill."""
    rows = {str(int(k)): part[k] for k in np.flatnonzero(keep)}
    if not rows:
        return
    result = snap_villages(rows, township, snapping.tolerance_m)
    snapping.count = len(result.fixed)
    snapping.area_m2 = sum(p.area_m2 for p in result.fixed)
    tol = f"{snapping.tolerance_m:g}"
    area = {"area_m2": f"{snapping.area_m2:,.0f}", "mu": f"{m2_to_mu(snapping.area_m2):,.1f}"}
    if not snapping.apply:
        if result.fixed:
            notes.append(Note.of("xfer_plan_snap_possible", count=snapping.count, tol=tol, **area))
        return
    for key in result.changed:
        k = int(key)
        part[k] = result.villages[key]
        log.add(int(idx[k]), "geometry_snapped", "xfer_row_snapped", field_name="geometry",
                severity="warning", tol=tol)  # fmt: skip
    if result.fixed:
        notes.append(Note.of("xfer_plan_snap_fixed", count=snapping.count, tol=tol, **area))
    wide = [p for p in result.left if not p.narrow]
    for n, piece in enumerate(wide, 1):
        notes.append(
            Note.of(
                "xfer_plan_snap_left",
                n=n,
                kind_zh=KIND_ZH[piece.kind],
                kind_en=KIND_EN[piece.kind],
                mu=f"{piece.area_mu:,.1f}",
                area_m2=f"{piece.area_m2:,.0f}",
                lon=f"{piece.point[0]:.5f}",
                lat=f"{piece.point[1]:.5f}",
                tol=tol,
            )
        )
