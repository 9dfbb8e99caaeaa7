"""Records as the database holds them, and each layer's text exactly as the files hold it.

A record is what :func:`township_atlas.edits.read_records` returns for the same data: a
GeoJSON feature (``type``, ``properties``, ``geometry``) for spatial layers,
``{"properties": row}`` for tables, ``{"id": code, "properties": plan}`` for plans. The
database keeps ``properties`` as written (key order included) and the geometry in
PostGIS; reading it back rounds coordinates to 7 decimals and maps them to GeoJSON as the
GeoJSON writer does, so records, versions and texts are those of the files backend.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from township_atlas.edits import codec
from township_atlas.layers_io import COORD_DECIMALS, yaml_text

_FEATURE_HEAD = '{"type":"FeatureCollection","features":[\n'
_FEATURE_TAIL = "\n]}\n"


def is_spatial(layer: str) -> bool:
    spec = codec(layer).spec
    return spec is not None and spec.is_spatial


def geometries_from_wkb(blobs: list[bytes | None]) -> list[dict[str, Any] | None]:
    """GeoJSON geometry dicts from WKB, as ``geojson_text`` writes them (7 decimals)."""
    if not blobs:
        return []
    geoms = shapely.from_wkb(np.array([b if b is None else bytes(b) for b in blobs], dtype=object))
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))
    out: list[dict[str, Any] | None] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            out.append(None)
        else:
            # Through JSON, as the files backend's records are: lists, not tuples.
            out.append(json.loads(json.dumps(mapping(geom))))
    return out


def geometry_wkb(record: dict[str, Any]) -> bytes | None:
    """A record's geometry as WKB for PostGIS (None: no geometry)."""
    geometry = record.get("geometry")
    if not geometry:
        return None
    geom = shape(geometry)
    return None if geom.is_empty else shapely.to_wkb(geom)


def make_record(layer: str, fid: str, props: dict[str, Any], geometry: dict | None) -> dict:
    if layer == "plans":
        return {"id": fid, "properties": props}
    if is_spatial(layer):
        return {"type": "Feature", "properties": props, "geometry": geometry}
    return {"properties": props}


def layer_text(layer: str, records: list[dict[str, Any]], plans_rest: str = "") -> str:
    """The layer's file text from its records in order (``plans_rest``: the plans file
    without its villages, as YAML text).

    For spatial layers the records are already what the GeoJSON writer makes, so their
    lines are written directly (byte-identical to ``codec(layer).text``, which a test
    checks) instead of through a GeoDataFrame.
    """
    if is_spatial(layer):
        lines = [
            json.dumps(
                {"type": "Feature", "properties": r["properties"], "geometry": r.get("geometry")},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for r in records
        ]
        return _FEATURE_HEAD + ",\n".join(lines) + _FEATURE_TAIL
    return codec(layer).text(records, plans_rest)


def normalised(layer: str, records: list[dict[str, Any]], plans_rest: str = "") -> dict[str, dict]:
    """Records as they will be stored (typed, in schema order, coordinates rounded),
    keyed by id: written and read back, as a save to a file does."""
    c = codec(layer)
    if not records:
        return {}
    return c.parse(c.text(records, plans_rest))


def plans_rest_text(doc: dict[str, Any]) -> str:
    """The plans file's text with its villages emptied (they are rows of their own)."""
    return yaml_text({**doc, "villages": None} if "villages" in doc else doc)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
