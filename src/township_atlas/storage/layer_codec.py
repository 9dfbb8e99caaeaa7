"""An editable layer as records keyed by id, and as its file text exactly as the files hold it.

A record is a GeoJSON-like dict: a feature (``type``, ``properties``, ``geometry``) for
spatial layers, ``{"properties": row}`` for tables, ``{"id": code, "properties": plan}``
for a village's plan. Both backends compare, store and check the layer through this text:
the files backend writes it, the PostGIS backend rebuilds it from rows, so records,
versions and findings are the same on either.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from township_atlas.model.schema import LAYERS_BY_NAME, PLANS_FILE, LayerSpec
from township_atlas.storage.changes import EDITABLE, record_key
from township_atlas.storage.formats import (
    csv_text,
    geojson_text,
    parse_csv_table,
    parse_geojson,
    parse_yaml,
    plain,
    typed_table,
    yaml_text,
)

_FEATURE_HEAD = '{"type":"FeatureCollection","features":[\n'
_FEATURE_TAIL = "\n]}\n"


def frame_features(frame: gpd.GeoDataFrame, spec: LayerSpec) -> dict[str, dict[str, Any]]:
    """Features of a layer frame as GeoJSON dicts keyed by id, exactly as the file holds them."""
    doc = json.loads(geojson_text(frame, spec))
    return {str(f["properties"][spec.id_field]): f for f in doc["features"]}


def frame_from(features: list[dict[str, Any]], spec: LayerSpec) -> gpd.GeoDataFrame:
    """A layer frame from GeoJSON feature dicts, typed as reading the file types it."""
    rows = [dict(f.get("properties") or {}) for f in features]
    geoms = [shape(f["geometry"]) if f.get("geometry") else None for f in features]
    # Typed like a read (an int column with blanks stays Int64, never 1949.0), so a saved
    # file is byte-identical to what saving it again would write.
    frame = typed_table(rows, spec)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


class LayerCodec:
    """How one editable file is read into records keyed by id, written back as text and
    put into a Bundle for checking."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.spec = LAYERS_BY_NAME.get(name)
        self.filename = self.spec.filename if self.spec else PLANS_FILE

    def key(self, record: dict[str, Any]) -> str:
        """The record's id (see :func:`~township_atlas.storage.changes.record_key`)."""
        if self.spec is None:
            if not record.get("id"):
                raise ValueError("a plan record needs its village code as 'id'")
            return str(record["id"])
        return record_key(self.name, record.get("properties") or {})

    def parse(self, text: str) -> dict[str, dict[str, Any]]:
        """The file text's records keyed by id, in file order."""
        spec = self.spec
        if spec is None:
            doc = parse_yaml(text, self.filename)
            villages = doc.get("villages") or {}
            return {str(c): {"id": str(c), "properties": p} for c, p in villages.items()}
        if spec.is_spatial:
            return frame_features(parse_geojson(text, spec, self.filename), spec)
        rows = parse_csv_table(text, spec, self.filename)
        records = [{"properties": row} for row in json.loads(_rows_json(rows, spec))]
        return {self.key(r): r for r in records}

    def text(self, records: list[dict[str, Any]], before_text: str) -> str:
        """The file text of ``records`` (for plans: ``before_text`` with its villages
        replaced)."""
        spec = self.spec
        if spec is None:
            doc = parse_yaml(before_text, self.filename)
            doc["villages"] = {self.key(r): r["properties"] for r in records}
            return yaml_text(doc)
        if spec.is_spatial:
            return geojson_text(frame_from(records, spec), spec)
        rows = [dict(r.get("properties") or {}) for r in records]
        return csv_text(typed_table(rows, spec), spec)

    def put(self, bundle: Any, text: str) -> None:
        """Replace this layer of ``bundle`` with the one ``text`` holds."""
        spec = self.spec
        if spec is None:
            bundle.plans = parse_yaml(text, self.filename)
        elif spec.is_spatial:
            setattr(bundle, self.name, parse_geojson(text, spec, self.filename))
        else:
            setattr(bundle, self.name, parse_csv_table(text, spec, self.filename))


def _rows_json(frame: pd.DataFrame, spec: LayerSpec) -> str:
    return json.dumps(
        [
            {f.name: plain(v) for f, v in zip(spec.fields, row, strict=True)}
            for row in frame[spec.field_names()].itertuples(index=False)
        ],
        ensure_ascii=False,
    )


def codec(layer: str) -> LayerCodec:
    """The codec of an editable layer.

    Raises
    ------
    ValueError : ``layer`` cannot be edited
    """
    if layer not in EDITABLE:
        raise ValueError(f"{layer} cannot be edited")
    return LayerCodec(layer)


def is_spatial(layer: str) -> bool:
    """Whether the editable ``layer`` has geometries."""
    spec = codec(layer).spec
    return spec is not None and spec.is_spatial


def layer_text(layer: str, records: list[dict[str, Any]], plans_rest: str = "") -> str:
    """The layer's file text from its records in order (``plans_rest``: the rest of the
    plans file as YAML text; its villages, if any, are replaced).

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
