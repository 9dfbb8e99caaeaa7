"""GeoJSON read with the standard library and shapely (GDAL never sees it).

Accepts a FeatureCollection, a single Feature or a bare geometry; the old (2008) ``crs``
member is honoured when it names a CRS and refused when it links to one on the web.
Non-finite numbers (``NaN``, ``Infinity``, not valid JSON but written by some tools) are
read so the row can be reported, not the whole file refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from township_atlas.transfer.depth import check_depth, too_deep
from township_atlas.transfer.encodings import EncodingChoice, decode_text
from township_atlas.transfer.errors import UnreadableFile, UnsupportedFormat, UploadRefused
from township_atlas.transfer.limits import Limits

_EPSG_IN_NAME = re.compile(r"EPSG:+(?:[\d.]*:)?(\d+)$", re.IGNORECASE)
_GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


@dataclass
class JsonLayer:
    columns: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    geometries: list[BaseGeometry | None] = field(default_factory=list)
    bad_rows: dict[int, str] = field(default_factory=dict)  # row index (0-based) -> reason
    declared_crs: str | None = None
    encoding: EncodingChoice | None = None


def _declared_crs(doc: dict[str, Any], name: str) -> str | None:
    crs = doc.get("crs")
    if not isinstance(crs, dict):
        return None
    props = crs.get("properties") if isinstance(crs.get("properties"), dict) else {}
    if crs.get("type") == "link" or "href" in props:
        raise UploadRefused("xfer_geojson_linked_crs", name=name)
    value = str(props.get("name", "")).strip()
    if value.upper().endswith("CRS84"):
        return "EPSG:4326"
    match = _EPSG_IN_NAME.search(value)
    return f"EPSG:{match.group(1)}" if match else (value or None)


def _plain(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


class _NumberTooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def load_json(text: str, name: str, limits: Limits) -> Any:
    """``json.loads`` with numbers of at most ``limits.max_json_digits`` digits; the depth
    must have been checked (:func:`.depth.check_depth`).

    Raises
    ------
    UnreadableFile : invalid JSON (with line and column)
    UploadRefused : a number with too many digits, or nested too deep
    """

    def number(kind: type) -> Any:
        def parse(value: str) -> Any:
            if len(value) > limits.max_json_digits:
                raise _NumberTooLong(len(value))
            return kind(value)

        return parse

    try:
        return json.loads(
            text, parse_constant=float, parse_int=number(int), parse_float=number(float)
        )
    except _NumberTooLong as exc:
        raise UploadRefused("xfer_json_number_too_long", name=name, digits=exc.digits) from exc
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            "xfer_json_malformed", name=name, line=exc.lineno, column=exc.colno
        ) from exc
    except RecursionError as exc:  # the depth check comes first; this is a second guard
        raise too_deep("json", name, limits.max_nesting) from exc


def read_geojson(data: bytes, name: str, limits: Limits, encoding: str | None = None) -> JsonLayer:
    """Parse GeoJSON bytes into rows and shapely geometries (source coordinates).

    Raises
    ------
    UnreadableFile : invalid JSON (with line and column), or not GeoJSON at all
    UnsupportedFormat : Esri JSON or TopoJSON (with advice)
    UploadRefused : a linked CRS, or more features than allowed
    """
    text, choice = decode_text(data, name, encoding)
    text = text.lstrip("\ufeff")
    check_depth(text, "json", name, limits.max_nesting)
    doc = load_json(text, name, limits)
    if not isinstance(doc, dict):
        raise UnreadableFile("xfer_not_geojson", name=name)
    if doc.get("type") == "Topology" or "geometryType" in doc or "spatialReference" in doc:
        raise UnsupportedFormat("xfer_esri_or_topojson", name=name)
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise UnreadableFile("xfer_not_geojson", name=name)
    elif kind == "Feature":
        features = [doc]
    elif kind in _GEOMETRY_TYPES:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    else:
        raise UnreadableFile("xfer_not_geojson", name=name)
    if len(features) > limits.max_features:
        raise UploadRefused("xfer_too_many_features", name=name, limit=limits.max_features)
    layer = JsonLayer(declared_crs=_declared_crs(doc, name), encoding=choice)
    seen: dict[str, None] = {}
    for index, feat in enumerate(features):
        props = feat.get("properties") if isinstance(feat, dict) else None
        record = {str(k): _plain(v) for k, v in props.items()} if isinstance(props, dict) else {}
        if isinstance(feat, dict) and "id" in feat and "id" not in record:
            record["id"] = _plain(feat["id"])
        for key in record:
            seen.setdefault(key, None)
        geometry = None
        raw = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            layer.bad_rows[index] = "not a GeoJSON Feature"
        elif raw is not None:
            try:
                if not isinstance(raw, dict) or raw.get("type") not in _GEOMETRY_TYPES:
                    raise ValueError(
                        f"unknown geometry type {str(raw.get('type'))[:40]!r}"
                        if isinstance(raw, dict)
                        else "geometry is not an object"
                    )
                geometry = shape(raw)
            except (
                KeyError,
                TypeError,
                ValueError,
                IndexError,
                AttributeError,
                shapely.errors.GEOSException,
            ) as exc:
                layer.bad_rows[index] = str(exc)[:200] or type(exc).__name__
        layer.records.append(record)
        layer.geometries.append(geometry)
    layer.columns = list(seen)
    return layer
