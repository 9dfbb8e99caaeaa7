"""A layer as a table for CSV and Excel: the fields, then ``lon``/``lat`` for points and
``wkt`` for other geometries (continued in ``wkt_2``, ``wkt_3`` … where a WKT is longer
than an Excel cell holds)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import shape

from township_atlas.model.schema import LayerSpec
from township_atlas.storage.formats import COORD_DECIMALS
from township_atlas.transfer.values import stored_features

XLSX_CELL_LIMIT = 32_767
_WKT_CHUNK = 32_000


def _header(spec: LayerSpec, headers: str) -> dict[str, str]:
    if headers == "field":
        return {}
    out = {f.name: f.label_zh if headers == "zh" else f.label_en for f in spec.fields}
    out.update(
        {
            "lon": "经度" if headers == "zh" else "Longitude",
            "lat": "纬度" if headers == "zh" else "Latitude",
        }
    )
    return out


def layer_table(
    frame: pd.DataFrame, spec: LayerSpec, *, headers: str = "field", split_wkt: bool = False
) -> pd.DataFrame:
    """The layer as a plain table (see the module docstring).

    ``headers`` is "field" (our field names: what the importer reads back exactly), "zh"
    or "en" (labels; the importer recognises them too).
    """
    if not spec.is_spatial:
        table = frame[spec.field_names()].astype(object)
        return table.where(table.notna(), None).rename(columns=_header(spec, headers))
    features = stored_features(frame, spec)
    rows: list[dict[str, Any]] = [dict(f["properties"]) for f in features]
    geoms = [shape(f["geometry"]) if f.get("geometry") else None for f in features]
    kinds = {g.geom_type for g in geoms if g is not None}
    if "Point" in kinds:
        for row, geom in zip(rows, geoms, strict=True):
            point = geom is not None and geom.geom_type == "Point"
            row["lon"] = geom.x if point else None
            row["lat"] = geom.y if point else None
    if kinds - {"Point"}:
        wkts = [
            shapely.to_wkt(g, rounding_precision=COORD_DECIMALS, trim=True)
            if g is not None and g.geom_type != "Point"
            else None
            for g in geoms
        ]
        longest = max((len(w) for w in wkts if w), default=0)
        parts = max(1, math.ceil(longest / _WKT_CHUNK)) if split_wkt else 1
        for row, wkt in zip(rows, wkts, strict=True):
            for part in range(parts):
                name = "wkt" if part == 0 else f"wkt_{part + 1}"
                chunk = (
                    wkt[part * _WKT_CHUNK : (part + 1) * _WKT_CHUNK] if wkt and split_wkt else wkt
                )
                row[name] = (chunk or None) if (part == 0 or split_wkt) else None
    columns = list(rows[0]) if rows else spec.field_names()
    return pd.DataFrame(rows, columns=columns).rename(columns=_header(spec, headers))
