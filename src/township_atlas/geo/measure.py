"""Geodesic measures on WGS84 geometries: areas in km² and 亩, lengths in metres."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from township_atlas.model.schema import M2_PER_MU

WGS84_GEOD = Geod(ellps="WGS84")


def geodesic_area_m2(geom: BaseGeometry | None) -> float:
    """Area of a lon/lat geometry on the WGS84 ellipsoid, in m² (0 for points and empties)."""
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return 0.0
    area, _ = WGS84_GEOD.geometry_area_perimeter(geom)
    # pyproj signs the area by ring orientation; the size is what we want.
    return abs(float(area))


def geodesic_areas_m2(geoms) -> np.ndarray:
    """Geodesic areas in m² for an array-like of lon/lat geometries."""
    return np.array([geodesic_area_m2(g) for g in geoms], dtype=float)


def m2_to_km2(m2: float) -> float:
    return m2 / 1e6


def m2_to_mu(m2: float) -> float:
    """Square metres to 亩 (1 亩 = 666.67 m²)."""
    return m2 / M2_PER_MU


def geodesic_length_m(geom: BaseGeometry | None) -> float:
    """Length of a lon/lat line in metres on the WGS84 ellipsoid."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(WGS84_GEOD.geometry_length(geom))


def local_utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 UTM zone holding (lon, lat): a metric CRS for buffers."""
    zone = int((lon + 180) // 6) + 1
    return (32600 if lat >= 0 else 32700) + zone


def bounds_of(geoms) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) over non-empty geometries, or None if there are none."""
    arr = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if arr.size == 0:
        return None
    b = shapely.total_bounds(arr)
    return tuple(float(v) for v in b)  # type: ignore[return-value]
