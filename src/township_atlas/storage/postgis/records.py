"""Records as the database holds them: rows to records and geometries to WKB and back.

A record is what the files backend's ``read_records`` returns for the same data (see
:mod:`township_atlas.storage.layer_codec`). The database keeps ``properties`` as written
(key order included) and the geometry in PostGIS; reading it back rounds coordinates to
7 decimals and maps them to GeoJSON as the GeoJSON writer does, so records, versions and
layer texts are those of the files backend.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from township_atlas.storage.formats import COORD_DECIMALS
from township_atlas.storage.layer_codec import is_spatial


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
    """The record of a row of ``layer`` (see the module docstring)."""
    if layer == "plans":
        return {"id": fid, "properties": props}
    if is_spatial(layer):
        return {"type": "Feature", "properties": props, "geometry": geometry}
    return {"properties": props}


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept (as stored in the database)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
