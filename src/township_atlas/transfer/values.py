"""Plain Python values for JSON, CSV and spreadsheet cells, and layer records as stored."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import shapely
import yaml
from shapely.geometry import mapping

from township_atlas.model.schema import LayerSpec
from township_atlas.storage.formats import COORD_DECIMALS, geojson_text, yaml_text


def plain(value: Any) -> Any:
    """None for missing (None, NaN, pd.NA); numpy scalars as Python scalars."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def geometry_dicts(geoms: np.ndarray) -> list[dict[str, Any] | None]:
    """GeoJSON geometry dicts (lists, not tuples) of shapely geometries; None for missing.

    Points, the bulk of most layers, are done in one vectorised step.
    """
    out: list[dict[str, Any] | None] = [None] * len(geoms)
    kinds = np.array(
        [-1 if g is None or g.is_empty else shapely.get_type_id(g) for g in geoms], dtype=int
    )
    points = np.flatnonzero(kinds == 0)
    if len(points):
        xy = shapely.get_coordinates(geoms[points]).tolist()
        for index, coords in zip(points, xy, strict=True):
            out[index] = {"type": "Point", "coordinates": coords}
    for index in np.flatnonzero(kinds > 0):
        out[index] = json.loads(json.dumps(mapping(geoms[index])))
    return out


def stored_features(frame: pd.DataFrame, spec: LayerSpec) -> list[dict[str, Any]]:
    """A spatial layer's features exactly as the data folder stores them (GeoJSON dicts).

    The same result as parsing ``storage.formats.geojson_text`` (a test checks it), built without
    the text: coordinates rounded for all geometries at once, properties in schema order.
    """
    if not len(frame):
        return []
    geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
    present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    rounded = np.empty(len(geoms), dtype=object)
    rounded[:] = None
    if present.any():
        rounded[present] = shapely.transform(
            geoms[present], lambda xy: np.round(xy, COORD_DECIMALS)
        )
    geometries = geometry_dicts(rounded)
    columns = {f.name: frame[f.name].to_numpy(dtype=object) for f in spec.fields}
    return [
        {
            "type": "Feature",
            "properties": {name: plain(values[index]) for name, values in columns.items()},
            "geometry": geometries[index],
        }
        for index in range(len(frame))
    ]


def stored_features_slow(frame: pd.DataFrame, spec: LayerSpec) -> list[dict[str, Any]]:
    """The reference for :func:`stored_features`: the store's own writer, parsed back."""
    if not len(frame):
        return []
    return json.loads(geojson_text(frame, spec))["features"]


def yaml_bytes(doc: dict[str, Any]) -> bytes:
    """``storage.formats.yaml_text`` of ``doc`` as UTF-8, with libyaml's emitter when available
    (the same text, a test checks it, several times faster for a county's plans)."""
    dumper = getattr(yaml, "CSafeDumper", None)
    if dumper is None:
        return yaml_text(doc).encode("utf-8")
    text = yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
    return text.encode("utf-8")
