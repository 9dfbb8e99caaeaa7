"""The data as it is drawn: outlines simplified and capped, names shortened.

Whatever the stored data holds (an import, an edit in QGIS, a file already on disk), one
feature must not make every page heavy: a site of 200,000 vertices or a name of ten
million characters would otherwise travel to every browser and into every slide.
:func:`display_bundle` gives a copy of a Bundle for drawing in which

- every outline is simplified by ``SIMPLIFY_M`` metres (villages as a coverage, so
  neighbours keep their shared edges), then simplified harder, feature by feature, until
  it has at most ``MAX_VERTICES`` vertices;
- every name-like text (the ``*_zh`` / ``*_en`` columns) is at most
  :data:`township_atlas.text.numbers.PANEL_CHARS` characters; the map and slides shorten
  further where they show it (labels, tooltips).

The stored data and the loaded Bundle are never changed. A layer's display copy is made
once per loaded layer object (a save loads new ones) and goes with it.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import shapely

from township_atlas.maps.per_frame import PerFrameCache
from township_atlas.model.bundle import Bundle
from township_atlas.text.numbers import PANEL_CHARS, shorten

# Tolerance of display outlines, metres: well under a pixel at a village's zoom (about
# 2 m a pixel at zoom 16), so a normal outline looks the same.
SIMPLIFY_M = 1.0
# The most vertices one feature may have on a map or a slide. A village outline of the
# sample has under 100, the township under 300; 1,000 is a detailed surveyed outline
# (about 11 kB of GeoJSON), and more is not seen at a village's zoom.
MAX_VERTICES = 1_000
METRES_PER_DEGREE = 111_000.0
# Doubling the tolerance from 1 m this many times reaches ~1,000 km: beyond any township.
_MAX_DOUBLINGS = 30

_CACHE: PerFrameCache[pd.DataFrame] = PerFrameCache()


def vertex_count(geom) -> int:
    """Vertices of ``geom`` (0 for None)."""
    return 0 if geom is None else int(shapely.get_num_coordinates(geom))


def cap_vertices(geom, tolerance_deg: float, cap: int = MAX_VERTICES):
    """``geom`` simplified harder and harder (the tolerance doubling from
    ``tolerance_deg``) until it has at most ``cap`` vertices.

    First Douglas-Peucker without topology checks (0.05 s for 200,000 vertices), kept
    when the result is a valid shape of the same kind; otherwise the topology-preserving
    simplifier (ten times slower); a shape made of so many parts that even that is too
    many loses its smallest parts, and at last becomes its simplified convex hull. A
    multi-point keeps every k-th point. Never returns more than ``cap`` vertices.
    """
    if geom is None or geom.is_empty or vertex_count(geom) <= cap:
        return geom
    if geom.geom_type == "MultiPoint":
        points = shapely.get_parts(geom)
        step = -(-len(points) // cap)
        return shapely.MultiPoint(list(points[::step]))
    if geom.geom_type == "GeometryCollection":
        geom = geom.convex_hull
    start = max(tolerance_deg, 1e-9)
    tolerance, out = start, geom
    for _ in range(_MAX_DOUBLINGS):
        # From the last result: each pass works on fewer vertices (the error stays under
        # twice the last tolerance).
        out = shapely.simplify(out, tolerance, preserve_topology=False)
        if vertex_count(out) <= cap:
            break
        tolerance *= 2
    if not out.is_empty and out.is_valid and _same_kind(out, geom) and vertex_count(out) <= cap:
        return out
    tolerance, out = start, geom
    for _ in range(_MAX_DOUBLINGS):
        out = shapely.simplify(out, tolerance, preserve_topology=True)
        if vertex_count(out) <= cap:
            return out
        tolerance *= 2
    out = shapely.simplify(geom, tolerance, preserve_topology=False)
    if out.is_empty or vertex_count(out) > cap:
        out = shapely.simplify(geom.convex_hull, tolerance, preserve_topology=False)
    return out if vertex_count(out) <= cap else geom.envelope


def _same_kind(a, b) -> bool:
    """Both polygonal, both lines, or both points (a polygon may become a multi-polygon)."""
    return a.geom_type.replace("Multi", "") == b.geom_type.replace("Multi", "")


def light_geometries(
    geoms, tolerance_m: float = SIMPLIFY_M, *, coverage: bool = False, cap: int = MAX_VERTICES
) -> np.ndarray:
    """Display versions of ``geoms`` (an array or sequence of shapely geometries or None):
    simplified by ``tolerance_m`` metres and capped at ``cap`` vertices each. With
    ``coverage`` (polygons that tile, like villages) shared edges stay shared, as long as
    the input is a valid coverage."""
    arr = np.array(list(geoms), dtype=object)
    if arr.size == 0:
        return arr
    tol = tolerance_m / METRES_PER_DEGREE
    present = np.array([g is not None and not g.is_empty for g in arr], dtype=bool)
    out = arr.copy()
    if not present.any():
        return out
    shapes = arr[present]
    polygonal = np.isin(
        shapely.get_type_id(shapes),
        [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON],
    )
    simple = shapes.copy()
    if tol > 0:
        if coverage and polygonal.all() and _is_coverage(shapes):
            simple = shapely.coverage_simplify(shapes, tol)
        else:
            # The topology-preserving simplifier is slow on a huge shape; those are thinned
            # by cap_vertices below, starting from the same tolerance.
            todo = (shapely.get_dimensions(shapes) > 0) & (
                shapely.get_num_coordinates(shapes) <= cap
            )
            simple[todo] = shapely.simplify(shapes[todo], tol, preserve_topology=True)
    simple = np.array([cap_vertices(g, tol or 1e-6, cap) for g in simple], dtype=object)
    out[present] = simple
    return out


def _is_coverage(shapes: np.ndarray) -> bool:
    """True when ``shapes`` tile without overlaps (what coverage simplification needs);
    False for anything GEOS cannot judge (an invalid polygon, say)."""
    try:
        return bool(shapely.coverage_is_valid(shapes))
    except shapely.errors.GEOSException:
        return False


def _display_frame(frame: pd.DataFrame, kind: str):
    if frame is None or not hasattr(frame, "geometry"):
        return frame
    light = frame.copy()
    if len(light):
        light = light.set_geometry(
            light.geometry.__class__(
                light_geometries(frame.geometry.values, coverage=kind == "villages"),
                index=frame.index,
                crs=frame.crs,
            )
        )
    for column in light.columns:
        if (column.endswith("_zh") or column.endswith("_en")) and light[column].dtype == object:
            light[column] = [
                shorten(v, PANEL_CHARS) if isinstance(v, str) else v for v in light[column]
            ]
    return light


def display_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The display copy of one layer (``kind``: "villages", "sites", …), made once per
    loaded layer object and shared read-only."""
    return _CACHE.get(frame, kind, lambda: _display_frame(frame, kind))


def display_bundle(bundle: Bundle) -> Bundle:
    """``bundle`` for drawing: the same tables, with the township, villages, sites and
    Party organisations replaced by their display copies (see the module's docstring)."""
    return dataclasses.replace(
        bundle,
        township=display_frame(bundle.township, "township"),
        villages=display_frame(bundle.villages, "villages"),
        sites=display_frame(bundle.sites, "sites"),
        party_orgs=display_frame(bundle.party_orgs, "party_orgs"),
    )
