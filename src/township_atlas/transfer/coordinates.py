"""Finding the coordinate columns of a table and turning each row into a geometry.

Longitude/latitude columns are recognised by common names (lon/lng/longitude/x/经度,
lat/latitude/y/纬度, with or without a CRS tag such as ``gcj_lng``); survey tables'
X坐标/Y坐标 are taken as they come (the CRS step detects northing-first). A column of WKT
(or GeoJSON geometry text) is also accepted; where both exist, a row's WKT wins and rows
without it use their longitude/latitude. Degrees-minutes-seconds such as 105°41'2.3"E or
105度41分2.3秒 are understood.

A map picker's pair in one cell (坐标/经纬度/位置坐标: AMap copies "105.208472,35.123456",
Baidu's and Tencent's pickers "35.123456,105.208472"; full-width commas and spaces too) is
read as a point; which number is the longitude is decided by the values
(:func:`pair_order`), and when they cannot tell, the import asks
(:class:`~.errors.CoordinateOrderNeeded`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from township_atlas.transfer.depth import check_depth
from township_atlas.transfer.errors import CoordinateOrderNeeded, UploadRefused
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.tables import Table, norm_header
from township_atlas.transfer.units import is_missing

_LON = {
    "lon",
    "lng",
    "long",
    "longitude",
    "x",
    "pointx",
    "xcoord",
    "x坐标",
    "东坐标",
    "东经",
    "经度",
}
_LAT = {"lat", "latitude", "y", "pointy", "ycoord", "y坐标", "北坐标", "北纬", "纬度"}
_CRS_TAG = re.compile(
    r"^(wgs84|wgs|gcj02|gcj|bd09|bd|gd|cgcs2000)|(wgs84|wgs|gcj02|gcj|bd09|bd|gd|cgcs2000)$"
)
_WKT_NAMES = {"wkt", "geometry", "geom", "thegeom", "shape", "几何", "图形", "geojson"}
_WKT_START = re.compile(
    r"^\s*(SRID=\d+;\s*)?(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|"
    r"GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
_DMS = re.compile(
    r"^\s*([NSEW东西南北])?\s*(\d+(?:\.\d+)?)\s*[°度]\s*(?:(\d+(?:\.\d+)?)\s*['′’分])?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|”|''|′′|’’|秒))?\s*([NSEW东西南北])?\s*$",
    re.IGNORECASE,
)


# A column holding both numbers of a point in one cell ("105.2,35.1"), by its header.
_PAIR_NAMES = {
    "坐标", "经纬度", "位置坐标", "坐标位置", "经纬度坐标", "地理坐标", "gps坐标", "gps",
    "高德坐标", "百度坐标", "腾讯坐标", "中心点坐标", "lnglat", "lonlat", "latlng", "latlon",
    "location", "coordinate", "coordinates", "coords",
}  # fmt: skip
_PAIR_SPLIT = re.compile(r"\s*[,;，；、/]\s*")
LONLAT, LATLON = "lonlat", "latlon"
# China's extent (deg): what decides the order of a pair when both numbers are within ±90.
CHINA_LON = (73.0, 135.0)
CHINA_LAT = (18.0, 54.0)


@dataclass(frozen=True)
class CoordinateColumns:
    """Which columns hold a table's geometry: ``lon``/``lat`` (first/second coordinate as
    written; may be metres) and/or ``wkt``; ``wkt_parts`` are continuation columns of a WKT
    too long for one spreadsheet cell (``wkt_2``, ``wkt_3`` …, as our XLSX export writes);
    ``pair`` a column with both numbers in one cell, ``pair_order`` "lonlat" or "latlon"
    (None: not decided; given alone, it is the order for the detected pair column)."""

    lon: str | None = None
    lat: str | None = None
    wkt: str | None = None
    wkt_parts: tuple[str, ...] = ()
    pair: str | None = None
    pair_order: str | None = None

    @property
    def usable(self) -> bool:
        return bool(self.wkt or (self.lon and self.lat) or self.pair)

    @property
    def names(self) -> tuple[str, ...]:
        """The columns used for the geometry."""
        found = (self.lon, self.lat, self.wkt, *self.wkt_parts, self.pair)
        return tuple(c for c in found if c)


def _axis(name: str) -> str | None:
    key = norm_header(name)
    if "经纬度" in key:  # both in one cell (it contains 纬度): see _is_pair_name
        return None
    bare = _CRS_TAG.sub("", key) or key
    if "经度" in key or key in _LON or bare in _LON:
        return "lon"
    if "纬度" in key or key in _LAT or bare in _LAT:
        return "lat"
    return None


def _looks_like_wkt(value: Any) -> bool:
    return isinstance(value, str) and bool(
        _WKT_START.match(value) or value.lstrip().startswith('{"type"')
    )


def _is_pair_name(name: str) -> bool:
    key = norm_header(name)
    return key in _PAIR_NAMES or "经纬度" in key or (key.endswith("坐标") and _axis(name) is None)


def parse_pair(value: Any) -> tuple[float, float] | None:
    """The two numbers of a cell like "105.208472,35.123456" (full-width comma, semicolon,
    、 or spaces between; DMS allowed) as written; None for a blank cell.

    Raises
    ------
    ValueError : not two numbers
    """
    if _blank(value):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().strip("()[]")
    parts = [p for p in _PAIR_SPLIT.split(text) if p]
    if len(parts) == 1:  # "105.2 35.1": separated by spaces only
        parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"not a longitude,latitude pair: {str(value)[:40]!r}")
    return parse_number(parts[0]), parse_number(parts[1])


def _vote(a: float, b: float) -> str | None:
    if abs(a) > 90 >= abs(b):
        return LONLAT
    if abs(b) > 90 >= abs(a):
        return LATLON
    china = (CHINA_LON[0] <= a <= CHINA_LON[1], CHINA_LAT[0] <= b <= CHINA_LAT[1])
    swapped = (CHINA_LON[0] <= b <= CHINA_LON[1], CHINA_LAT[0] <= a <= CHINA_LAT[1])
    if all(china) and not all(swapped):
        return LONLAT
    if all(swapped) and not all(china):
        return LATLON
    return None


def pair_order(pairs: list[tuple[float, float]]) -> str | None:
    """Which number of the pairs is the longitude, by evidence: a number beyond ±90 can
    only be a longitude; else China's extent (longitude 73–135, latitude 18–54) tells
    them apart. "lonlat" or "latlon" when every pair that tells agrees (and one does);
    None when none tells or they disagree (the user must say)."""
    votes = {_vote(a, b) for a, b in pairs} - {None}
    return votes.pop() if len(votes) == 1 else None


def _pair_values(values: list[Any]) -> list[tuple[float, float]]:
    """The values that read as pairs (blank and unreadable ones left out)."""
    out = []
    for value in values:
        try:
            pair = parse_pair(value)
        except (ValueError, TypeError):
            continue
        if pair is not None:
            out.append(pair)
    return out


def _pair_column(table: Table) -> str | None:
    """The first column named like a coordinate pair whose filled cells (of the first 50)
    mostly read as two numbers."""
    for name in table.columns:
        if not _is_pair_name(name):
            continue
        sample = [r.get(name) for r in table.records[:50] if not _blank(r.get(name))]
        if sample and len(_pair_values(sample)) * 2 >= len(sample):
            return name
    return None


def detect_columns(table: Table, order: str | None = None) -> CoordinateColumns:
    """Suggest the coordinate columns of ``table`` from headers, then from WKT-looking values;
    without longitude and latitude columns, a column holding both in one cell, its order
    decided by :func:`pair_order` (or ``order`` when the user gave it).

    Raises
    ------
    CoordinateOrderNeeded : a pair column whose order the values cannot tell, no ``order``
    """
    lon = lat = wkt = None
    for name in table.columns:
        axis = _axis(name)
        if axis == "lon" and lon is None:
            lon = name
        elif axis == "lat" and lat is None:
            lat = name
        elif norm_header(name) in _WKT_NAMES and wkt is None:
            wkt = name
    if wkt is None:
        sample = table.records[:20]
        for name in table.columns:
            if name not in (lon, lat) and any(_looks_like_wkt(r.get(name)) for r in sample):
                wkt = name
                break
    parts: tuple[str, ...] = ()
    if wkt is not None:
        parts = tuple(c for c in table.columns if re.fullmatch(re.escape(wkt) + r"_\d+", c))
        parts = tuple(sorted(parts, key=lambda c: int(c.rsplit("_", 1)[1])))
    if not (lon and lat) and wkt is None and (pair := _pair_column(table)) is not None:
        found = order or pair_order(_pair_values([r.get(pair) for r in table.records]))
        if found is None:
            raise CoordinateOrderNeeded("xfer_pair_order_unknown", column=pair)
        return CoordinateColumns(pair=pair, pair_order=found)
    return CoordinateColumns(lon, lat, wkt, parts)


def parse_number(value: Any) -> float:
    """A coordinate from a cell: a number, numeric text (full-width digits too) or DMS text."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    match = _DMS.match(text)
    if match is None:
        raise ValueError(f"not a coordinate: {str(value)[:40]!r}")
    hemi = (match.group(1) or match.group(5) or "").upper()
    degrees = (
        float(match.group(2)) + float(match.group(3) or 0) / 60 + float(match.group(4) or 0) / 3600
    )
    return -degrees if hemi in ("S", "W", "南", "西") else degrees


def parse_geometry_text(
    value: str, name: str = "", limits: Limits = DEFAULT_LIMITS
) -> BaseGeometry:
    """A geometry from WKT (EWKT's ``SRID=n;`` prefix allowed) or GeoJSON text, nesting
    checked first (GEOS crashes on deep WKT).

    Raises
    ------
    UploadRefused : nested deeper than ``limits.max_nesting``
    ValueError : not a geometry (the reason is shown for the row)
    """
    text = value.strip()
    if text.startswith("{"):
        check_depth(text, "json", name, limits.max_nesting)
        doc = json.loads(text)
        if isinstance(doc, dict) and doc.get("type") == "Feature":
            doc = doc.get("geometry")
        if not isinstance(doc, dict) or not isinstance(doc.get("type"), str):
            raise ValueError("GeoJSON text without a geometry")
        return shapely.from_geojson(json.dumps(doc))
    check_depth(text, "wkt", name, limits.max_nesting)
    return shapely.from_wkt(re.sub(r"^SRID=\d+;\s*", "", text, flags=re.IGNORECASE))


def _blank(value: Any) -> bool:
    """Blank, or a mark people type for "no value" ("—", "/", "无"): no coordinate."""
    return is_missing(value)


def _point_numbers(
    table: Table, cols: CoordinateColumns
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """x, y per row (NaN where blank) and {row index: reason} for unreadable ones."""
    n = len(table.records)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    bad: dict[int, str] = {}
    for index, record in enumerate(table.records):
        if cols.pair:
            try:
                pair = parse_pair(record.get(cols.pair))
            except (ValueError, TypeError) as exc:
                bad[index] = str(exc)[:200]
                continue
            if pair is not None:
                x[index], y[index] = pair if cols.pair_order == LONLAT else pair[::-1]
            continue
        a, b = record.get(cols.lon), record.get(cols.lat)
        if _blank(a) and _blank(b):
            continue
        try:
            x[index], y[index] = parse_number(a), parse_number(b)
        except (ValueError, TypeError) as exc:
            bad[index] = str(exc)[:200]
    return x, y, bad


def row_geometries(
    table: Table, cols: CoordinateColumns, name: str = "", limits: Limits = DEFAULT_LIMITS
) -> tuple[list[BaseGeometry | None], dict[int, str]]:
    """One geometry per row (None where missing) and {row index: reason} for unreadable ones."""
    n = len(table.records)
    geoms: list[BaseGeometry | None] = [None] * n
    bad: dict[int, str] = {}
    wkt_rows: set[int] = set()
    if cols.wkt:
        for index, record in enumerate(table.records):
            text = record.get(cols.wkt)
            if _blank(text):
                continue
            wkt_rows.add(index)
            try:
                text = str(text) + "".join(str(record.get(p) or "") for p in cols.wkt_parts)
                if len(text) > limits.max_geometry_text_chars:
                    raise UploadRefused(
                        "xfer_geometry_text_too_long",
                        name=name,
                        row=table.row_numbers[index],
                        length=len(text),
                        limit=limits.max_geometry_text_chars,
                        vertices=limits.max_vertices,
                    )
                geoms[index] = parse_geometry_text(text, name, limits)
            except (
                ValueError,
                TypeError,
                shapely.errors.GEOSException,
                json.JSONDecodeError,
            ) as exc:
                bad[index] = str(exc)[:200]
    if (cols.lon and cols.lat) or cols.pair:
        x, y, point_bad = _point_numbers(table, cols)
        usable = ~(np.isnan(x) & np.isnan(y))
        points = shapely.points(x, y)
        for index in np.flatnonzero(usable):
            if int(index) not in wkt_rows:
                geoms[int(index)] = points[index]
        bad.update({i: r for i, r in point_bad.items() if i not in wkt_rows})
    return geoms, bad
