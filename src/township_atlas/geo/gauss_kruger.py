"""CGCS2000 Gauss-Krüger zones, and guessing what CRS an uploaded table of coordinates is in.

Chinese survey data (村界, 宗地 tables from 自然资源 offices) is usually CGCS2000 Gauss-Krüger
in metres, with the zone number written in front of the easting: 38 512 345.6 is 512 345.6 m
in 3-degree zone 38 (central meridian 114°E). Those "with zone prefix" CRSs have EPSG codes:

* 3-degree zones 25-45 (CM 75°E-135°E): EPSG:4513-4533;
* 6-degree zones 13-23 (CM 75°E-135°E): EPSG:4491-4501.

The two ranges do not overlap, so the prefix alone says which family a value belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from township_atlas.geo.china_shifts import CoordinateSystemError

# zone width (degrees) -> (first zone, last zone, EPSG code of the first zone)
_GK_ZONES = {3: (25, 45, 4513), 6: (13, 23, 4491)}
_WGS84 = 4326

CrsKind = Literal["geographic", "swapped", "gauss_kruger", "projected_unknown"]


def _zone_epsg(zone: int) -> tuple[int, int] | None:
    """(zone width, EPSG code) of a zone prefix, or None if it is not a CGCS2000 GK zone."""
    for width, (first, last, first_epsg) in _GK_ZONES.items():
        if first <= zone <= last:
            return width, first_epsg + zone - first
    return None


def _bad_zone_messages(easting: float, zone: int) -> tuple[str, str]:
    return (
        f"东坐标 {easting:.0f} 的前两位 {zone} 不是 CGCS2000 高斯-克吕格带号"
        "(3 度带为 25-45,6 度带为 13-23)",
        f"easting {easting:.0f}: prefix {zone} is not a CGCS2000 Gauss-Kruger zone "
        "(3-degree zones are 25-45, 6-degree zones 13-23)",
    )


def gauss_kruger_epsg(easting: float, *, zone_width: int | None = None) -> int:
    """EPSG code of the CGCS2000 Gauss-Krüger CRS an easting with zone prefix belongs to.

    Parameters
    ----------
    easting : float
        Easting in metres including the zone prefix, e.g. 38 500 000.0 (zone 38).
    zone_width : {3, 6}, optional
        Expected zone width in degrees; if given, a prefix of the other family is an error.

    Returns
    -------
    int
        EPSG code: 4513-4533 for 3-degree zones 25-45, 4491-4501 for 6-degree zones 13-23.

    Raises
    ------
    CoordinateSystemError
        If the prefix is not one of those zones or does not match ``zone_width``.
    """
    if zone_width is not None and zone_width not in _GK_ZONES:
        raise CoordinateSystemError(
            f"投影带宽度应为 3 或 6 度,而不是 {zone_width}",
            f"zone width must be 3 or 6 degrees, not {zone_width}",
        )
    zone = int(easting // 1_000_000) if np.isfinite(easting) else -1
    found = _zone_epsg(zone)
    if found is None:
        raise CoordinateSystemError(*_bad_zone_messages(easting, zone))
    width, epsg = found
    if zone_width is not None and zone_width != width:
        raise CoordinateSystemError(
            f"东坐标 {easting:.0f} 的带号 {zone} 属于 {width} 度带,不是 {zone_width} 度带",
            f"easting {easting:.0f} has zone prefix {zone}, a {width}-degree zone, "
            f"not a {zone_width}-degree one",
        )
    return epsg


@dataclass(frozen=True)
class CrsGuess:
    """What a set of coordinates most likely is, with an explanation for the user."""

    kind: CrsKind
    epsg: int | None  # EPSG code of the source CRS if it could be told, else None
    message_zh: str
    message_en: str


def _gk_guess(eastings: np.ndarray, swapped: bool) -> CrsGuess:
    prefixes = np.unique(eastings // 1_000_000).astype(int)
    axes_zh = "(X/Y 两列颠倒:测绘习惯中 X 为北坐标)" if swapped else ""
    axes_en = " (X and Y columns swapped: in survey tables X is northing)" if swapped else ""
    if prefixes.size > 1:
        return CrsGuess(
            "projected_unknown",
            None,
            f"东坐标的带号不一致 ({', '.join(map(str, prefixes))}),请检查数据{axes_zh}",
            f"eastings carry different zone prefixes ({', '.join(map(str, prefixes))}); "
            f"check the data{axes_en}",
        )
    found = _zone_epsg(int(prefixes[0]))
    if found is None:
        return CrsGuess("projected_unknown", None, *_bad_zone_messages(eastings[0], prefixes[0]))
    epsg = found[1]
    return CrsGuess(
        "swapped" if swapped else "gauss_kruger",
        epsg,
        f"CGCS2000 高斯-克吕格投影,第 {prefixes[0]} 带 (EPSG:{epsg}){axes_zh}",
        f"CGCS2000 Gauss-Kruger, zone {prefixes[0]} (EPSG:{epsg}){axes_en}",
    )


def guess_source_crs(xs: ArrayLike, ys: ArrayLike) -> CrsGuess:
    """Guess the CRS of coordinate columns from their value ranges.

    Parameters
    ----------
    xs, ys : array_like
        The first and second coordinate of each point as found in the file (degrees or
        metres, unknown). Non-finite values are ignored.

    Returns
    -------
    CrsGuess
        ``geographic`` (EPSG:4326; CGCS2000 lon/lat differ by centimetres) if xs/ys fit
        lon/lat, ``swapped`` if they only fit China with the columns exchanged (lat/lon, or
        northing/easting as in Chinese survey tables, where X is north), ``gauss_kruger``
        with the zone's EPSG code if eastings carry a valid zone prefix, else
        ``projected_unknown`` (metres that need an explicit EPSG code from the user).

    Raises
    ------
    CoordinateSystemError
        If there is no finite coordinate pair at all.
    """
    x, y = np.broadcast_arrays(np.asarray(xs, np.float64), np.asarray(ys, np.float64))
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size == 0:
        raise CoordinateSystemError("没有可用的坐标值", "there are no usable coordinate values")

    def fits(a: np.ndarray, lo: float, hi: float) -> bool:
        return bool(a.min() >= lo and a.max() <= hi)

    if fits(x, 73, 135) and fits(y, 18, 54):
        return CrsGuess("geographic", _WGS84, "经纬度坐标 (WGS84)", "longitude/latitude (WGS84)")
    if fits(x, 18, 54) and fits(y, 73, 135):
        return CrsGuess(
            "swapped",
            _WGS84,
            "经纬度两列颠倒:第一列是纬度,第二列是经度",
            "longitude and latitude are swapped: the first column holds latitude",
        )
    if fits(x, -180, 180) and fits(y, -90, 90):
        # Valid lon/lat, just not (all) in mainland China: e.g. South China Sea islands.
        return CrsGuess(
            "geographic",
            _WGS84,
            "经纬度坐标 (WGS84),部分点不在中国大陆范围内",
            "longitude/latitude (WGS84); some points lie outside mainland China",
        )
    if fits(x, 13_000_000, 45_999_999.999) and fits(y, 1_000_000, 6_000_000):
        return _gk_guess(x, swapped=False)
    if fits(y, 13_000_000, 45_999_999.999) and fits(x, 1_000_000, 6_000_000):
        return _gk_guess(y, swapped=True)
    return CrsGuess(
        "projected_unknown",
        None,
        "投影坐标(米),无法判断坐标系;若为不带带号的高斯-克吕格坐标,请指定中央经线对应的 EPSG 代码",
        "projected coordinates (metres) of unknown CRS; for Gauss-Kruger without zone prefix, "
        "give the EPSG code for its central meridian",
    )
