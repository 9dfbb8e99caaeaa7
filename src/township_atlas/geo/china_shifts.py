"""Coordinate handling for Chinese geodata: WGS84 / GCJ-02 / BD-09 shifts and display helpers.

Chinese web tiles are not drawn in WGS84: AMap (高德), Tencent and Google China use GCJ-02
("Mars coordinates", 火星坐标), Baidu uses BD-09, which is a further shift of GCJ-02. Our data
is kept in WGS84 (EPSG:4326); to line it up with such tiles it is shifted just before display.
GCJ-02 and BD-09 are not real CRSs (no EPSG code, no PROJ pipeline): they are the published,
reverse-engineered point shifts implemented here, so all values are degrees of longitude and
latitude, and shifted data keeps the EPSG:4326 label.

Gauss-Krüger (CGCS2000) zone handling lives in :mod:`township_atlas.geo.gauss_kruger`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from township_atlas.errors import AtlasError

FloatArray = NDArray[np.float64]
LonLatFunc = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]
DisplayCrs = Literal["wgs84", "gcj02", "bd09"]
# What transform_geometries takes and gives back: one geometry, an array of them, a GeoSeries.
Geoms = TypeVar("Geoms", shapely.Geometry, NDArray[np.object_], gpd.GeoSeries)

# Krasovsky 1940 ellipsoid, as in every published GCJ-02 implementation.
_A = 6378245.0
_EE = 0.00669342162296594323
# BD-09 uses "x_pi" = pi * 3000 / 180 inside its sin/cos terms (eviltransform's Python port
# uses plain pi, which is a known deviation; we follow the majority, e.g. coordtransform).
_X_PI = np.pi * 3000.0 / 180.0
# Fixed iteration counts for the inverses (see _gcj_inverse / _bd_inverse): a data-dependent
# stopping rule would let an array call and element-wise scalar calls differ in the last bits.
_GCJ_INVERSE_STEPS = 3
_BD_INVERSE_STEPS = 2
_CHUNK = 8192


class CoordinateSystemError(AtlasError, ValueError):
    """Coordinates or a coordinate-system choice that cannot be used (message in zh and en)."""


def _as_float(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    return lon_a, lat_a


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Whether points (degrees) fall in the rough China box used by the standard implementations.

    The box (lon 72.004-137.8347, lat 0.8293-55.8271) is the one in eviltransform and
    coordTransform_py; it is deliberately generous, so border areas are still shifted.
    """
    lon_a, lat_a = _as_float(lon, lat)
    return (lon_a >= 72.004) & (lon_a <= 137.8347) & (lat_a >= 0.8293) & (lat_a <= 55.8271)


def _sin_multiples(t: FloatArray) -> tuple[FloatArray, ...]:
    """sin(k*pi*t/60) for k = 2, 5, 20, 60, 120, 360: the angles of the GCJ-02 series.

    np.sin costs ~25 ns a value and the series needs 12 of them per point; exact multiple-
    angle identities from one sin/cos pair do the same in ~1/3 of the time, agreeing with
    direct np.sin calls to ~1e-13, i.e. ~1e-18 degrees of shift.
    """
    s, c = np.sin(t * (np.pi / 60.0)), np.cos(t * (np.pi / 60.0))
    s2 = 2.0 * s * c
    ss, cc = s * s, c * c
    s5 = s * (5.0 - 20.0 * ss + 16.0 * ss * ss)  # sin(5a) = 16s^5 - 20s^3 + 5s
    c5 = c * (5.0 - 20.0 * cc + 16.0 * cc * cc)
    s10, c10 = 2.0 * s5 * c5, 1.0 - 2.0 * s5 * s5
    s20, c20 = 2.0 * s10 * c10, 1.0 - 2.0 * s10 * s10
    s60 = s20 * (3.0 - 4.0 * s20 * s20)  # sin(3a) = 3s - 4s^3
    c60 = c20 * (4.0 * c20 * c20 - 3.0)
    s120 = 2.0 * s60 * c60
    return s2, s5, s20, s60, s120, s120 * (3.0 - 4.0 * s120 * s120)


def _gcj_delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset (dlon, dlat) in degrees at WGS84 (lon, lat), without the China test.

    The published series, term for term: e.g. sin(6*x*pi) is ``sx360``, sin(y/12*pi) ``sy5``.
    """
    x, y = lon - 105.0, lat - 35.0
    sx2, sx5, sx20, sx60, sx120, sx360 = _sin_multiples(x)
    sy2, sy5, sy20, sy60, _, _ = _sin_multiples(y)
    common = (20.0 * sx360 + 20.0 * sx120) * (2.0 / 3.0)
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat += common + (20.0 * sy60 + 40.0 * sy20) * (2.0 / 3.0)
    dlat += (160.0 * sy5 + 320.0 * sy2) * (2.0 / 3.0)
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon += common + (20.0 * sx60 + 40.0 * sx20) * (2.0 / 3.0)
    dlon += (150.0 * sx5 + 300.0 * sx2) * (2.0 / 3.0)
    # The series are metres-like offsets on the Krasovsky ellipsoid; turn them into degrees
    # with the meridian and prime-vertical radii of curvature at this latitude.
    sin_lat = np.sin(np.radians(lat))
    magic = 1.0 - _EE * sin_lat * sin_lat
    sqrt_magic = np.sqrt(magic)
    cos_lat = np.sqrt(1.0 - sin_lat * sin_lat)  # |lat| <= 90 so cos >= 0; saves a cos call
    dlat *= 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon *= 180.0 / (_A / sqrt_magic * cos_lat * np.pi)
    return dlon, dlat


def _gcj_forward(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def _bd_forward(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Published form: z = r + 2e-5 sin(lat x_pi), theta = atan2(lat, lon) + 3e-6 cos(lon x_pi),
    # result (z cos theta + 0.0065, z sin theta + 0.006). The rotation by d = 3e-6 cos(..) is
    # applied through cos(d) = 1 - d^2/2 and sin(d) = d - d^3/6 (exact in float64 for so small
    # a d), which skips atan2/cos/sin: same result to ~1e-14 deg at under half the cost.
    r = np.hypot(lon, lat)
    z = r + 0.00002 * np.sin(lat * _X_PI)
    d = 0.000003 * np.cos(lon * _X_PI)
    cos_d, sin_d = 1.0 - 0.5 * d * d, d - d * d * d / 6.0
    scale = z / r
    return scale * (lon * cos_d - lat * sin_d) + 0.0065, scale * (lat * cos_d + lon * sin_d) + 0.006


def _gcj_inverse(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Solve w + delta(w) = g by the fixed-point step w <- g - delta(w). The shift's gradient is
    # below ~6e-3, so each step gains >2 digits: 1 step (the common one-step formula) is off
    # by up to ~5 m, 2 by ~4 cm, 3 by ~0.3 mm anywhere in China.
    wlon, wlat = lon, lat
    for _ in range(_GCJ_INVERSE_STEPS):
        dlon, dlat = _gcj_delta(wlon, wlat)
        wlon, wlat = lon - dlon, lat - dlat
    return wlon, wlat


def _bd_inverse(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Start from the published one-step BD-09 -> GCJ-02 formula (off by up to ~0.25 m) and
    # refine with the same fixed-point step against the forward formula (~1e-5 m after 2).
    x, y = lon - 0.0065, lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_BD_INVERSE_STEPS):
        flon, flat = _bd_forward(glon, glat)
        glon, glat = glon - (flon - lon), glat - (flat - lat)
    return glon, glat


def _masked(
    func: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: ArrayLike,
    lat: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Apply ``func`` to points inside the China box, in chunks; leave the rest unchanged."""
    lon_a, lat_a = _as_float(lon, lat)
    flat_lon, flat_lat = lon_a.ravel(), lat_a.ravel()
    out_lon, out_lat = flat_lon.copy(), flat_lat.copy()
    inside = np.flatnonzero(in_china(flat_lon, flat_lat))
    # Chunks keep the ~40 temporaries of the series in cache instead of allocating (and
    # page-faulting) 8 MB arrays for each: twice as fast on 1e6 points.
    for start in range(0, inside.size, _CHUNK):
        sel = inside[start : start + _CHUNK]
        out_lon[sel], out_lat[sel] = func(flat_lon[sel], flat_lat[sel])
    # ``[()]`` turns 0-d results into NumPy float scalars, so scalar calls return scalars.
    return out_lon.reshape(lon_a.shape)[()], out_lat.reshape(lat_a.shape)[()]


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift WGS84 (EPSG:4326) lon/lat in degrees to GCJ-02 lon/lat in degrees.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude, degrees; scalars or arrays (broadcast together).

    Returns
    -------
    lon, lat : ndarray
        GCJ-02 longitude and latitude, degrees; NumPy scalars for scalar input. Points outside
        the rough China box (see :func:`in_china`) are returned unchanged.
    """
    return _masked(_gcj_forward, lon, lat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift GCJ-02 lon/lat (degrees) back to WGS84 (EPSG:4326) lon/lat (degrees).

    Uses an iterative inverse of :func:`wgs84_to_gcj02` (round trip within ~1 mm), not the
    common one-step ``g - delta(g)`` approximation, which is off by up to ~5 m.
    Points outside the China box are returned unchanged.
    """
    return _masked(_gcj_inverse, lon, lat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift GCJ-02 lon/lat (degrees) to Baidu BD-09 lon/lat (degrees); outside China unchanged."""
    return _masked(_bd_forward, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift Baidu BD-09 lon/lat (degrees) to GCJ-02 lon/lat (degrees); outside China unchanged.

    The published one-step formula is refined iteratively so that this inverts
    :func:`gcj02_to_bd09` to ~1e-5 m (the one-step formula alone is off by up to ~0.25 m).
    """
    return _masked(_bd_inverse, lon, lat)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift WGS84 (EPSG:4326) lon/lat (degrees) to BD-09 lon/lat (degrees) via GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift BD-09 lon/lat (degrees) to WGS84 (EPSG:4326) lon/lat (degrees) via GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def transform_geometries(geoms: Geoms, func: LonLatFunc) -> Geoms:
    """Apply a (lon, lat) -> (lon, lat) function to every vertex of shapely geometries.

    Parameters
    ----------
    geoms : shapely geometry, array of geometries, or GeoSeries
        Geometries in degrees (any type, including empty, multi-part and polygons with holes).
    func : callable
        Vectorised ``func(lon, lat) -> (lon, lat)``, e.g. :func:`wgs84_to_gcj02`.

    Returns
    -------
    Same kind as ``geoms``: types, part structure, Z values, missing values and (for a
    GeoSeries) index and ``crs`` are kept; only x and y of each vertex change.
    """

    def shift(coords: FloatArray) -> FloatArray:
        out = coords.copy()  # column 2 (Z, NaN for 2-D geometries) passes through untouched
        out[:, 0], out[:, 1] = func(coords[:, 0], coords[:, 1])
        return out

    if isinstance(geoms, gpd.GeoSeries):
        values = shapely.transform(geoms.to_numpy(), shift, include_z=True)
        return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs, name=geoms.name)
    # include_z=True keeps each geometry's own dimensionality (2-D stays 2-D).
    return shapely.transform(geoms, shift, include_z=True)


_DISPLAY_FUNCS: dict[str, LonLatFunc | None] = {
    "wgs84": None,
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def to_display_crs(gdf: gpd.GeoDataFrame, target: DisplayCrs) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` shifted to lie on web tiles drawn in ``target``.

    Parameters
    ----------
    gdf : GeoDataFrame
        Data with a CRS set; anything other than EPSG:4326 is first reprojected to WGS84.
    target : {"wgs84", "gcj02", "bd09"}
        Coordinate system of the base map tiles: "wgs84" for OSM/Tianditu (天地图 uses
        CGCS2000, within centimetres of WGS84), "gcj02" for AMap/Tencent, "bd09" for Baidu.

    Returns
    -------
    GeoDataFrame
        A copy whose geometry is in ``target`` degrees. Its ``crs`` stays EPSG:4326 because
        GCJ-02/BD-09 have no CRS definition; ``attrs["display_crs"]`` records ``target``.
    """
    if target not in _DISPLAY_FUNCS:
        raise CoordinateSystemError(
            f"未知的底图坐标系 {target!r},应为 wgs84、gcj02 或 bd09",
            f"unknown display coordinate system {target!r}; expected wgs84, gcj02 or bd09",
        )
    if gdf.crs is None:
        # Guessing here would silently misplace data by up to hundreds of kilometres.
        raise CoordinateSystemError(
            "数据没有坐标系信息,无法在地图上定位",
            "data has no CRS, so it cannot be placed on a map",
        )
    out = gdf.to_crs(4326) if gdf.crs.to_epsg() != 4326 else gdf.copy()
    func = _DISPLAY_FUNCS[target]
    if func is not None:
        out[out.geometry.name] = transform_geometries(out.geometry, func)
    out.attrs["display_crs"] = target
    return out
