"""Finding the coordinate columns of a table and turning each row into a geometry.

Longitude/latitude columns are recognised by common names (lon/lng/longitude/x/经度,
lat/latitude/y/纬度, with or without a CRS tag such as ``gcj_lng``); survey tables'
X坐标/Y坐标 are taken as they come (the CRS step detects northing-first). A column of WKT
(or GeoJSON geometry text) is also accepted; where both exist, a row's WKT wins and rows
without it use their longitude/latitude. Degrees-minutes-seconds such as 105°41'2.3"E or
105度41分2.3秒 are understood.
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
from township_atlas.transfer.errors import UploadRefused
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


@dataclass(frozen=True)
class CoordinateColumns:
    """Which columns hold a table's geometry: ``lon``/``lat`` (first/second coordinate as
    written; may be metres) and/or ``wkt``; ``wkt_parts`` are continuation columns of a WKT
    too long for one spreadsheet cell (``wkt_2``, ``wkt_3`` …, as our XLSX export writes)."""

    lon: str | None = None
    lat: str | None = None
    wkt: str | None = None
    wkt_parts: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return bool(self.wkt or (self.lon and self.lat))


def _axis(name: str) -> str | None:
    key = norm_header(name)
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


def detect_columns(table: Table) -> CoordinateColumns:
    """Suggest the coordinate columns of ``table`` from headers, then from WKT-looking values."""
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
    if cols.lon and cols.lat:
        x, y, point_bad = _point_numbers(table, cols)
        usable = ~(np.isnan(x) & np.isnan(y))
        points = shapely.points(x, y)
        for index in np.flatnonzero(usable):
            if int(index) not in wkt_rows:
                geoms[int(index)] = points[index]
        bad.update({i: r for i, r in point_bad.items() if i not in wkt_rows})
    return geoms, bad
