"""Reading and writing the data folder's own files: GeoJSON layers, CSV tables, YAML documents.

The store's files are read strictly, feature by feature, so an error names the file and
the feature ("sites.geojson, feature 12 (S-012): …"). GeoJSON is written one feature per
line with 7-decimal coordinates (about 1 cm), so a change shows as a small diff in git.
Importing other people's files (Shapefile, KML, Excel …) is a different job, done with
pyogrio elsewhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml
from shapely.geometry import mapping, shape

from township_atlas.errors import DataFileError
from township_atlas.model.schema import Field, LayerSpec

COORD_DECIMALS = 7
# libyaml's safe loader when PyYAML was built with it (about 10x faster); same semantics.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _coerce(value: Any, fld: Field) -> Any:
    """Convert one raw value to the field's type; raises ValueError with the reason."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.strip() == "" and fld.dtype != "str":
        return None
    if fld.dtype == "str":
        if isinstance(value, (dict, list)):
            raise ValueError("expected text")
        return str(value)
    if fld.dtype == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "是"):
            return True
        if text in ("false", "0", "no", "否"):
            return False
        raise ValueError(f"expected true/false, got {value!r}")
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if fld.dtype == "int":
        number = float(value)
        if not number.is_integer():
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(number)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _column_dtype(fld: Field) -> str:
    return {"str": "object", "int": "Int64", "float": "Float64", "bool": "boolean"}[fld.dtype]


def _typed_frame(records: list[dict[str, Any]], spec: LayerSpec) -> pd.DataFrame:
    columns = spec.field_names()
    frame = (
        pd.DataFrame.from_records(records, columns=columns)
        if records
        else pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
    )
    for fld in spec.fields:
        frame[fld.name] = frame[fld.name].astype(_column_dtype(fld))
    return frame


def _coerce_record(
    raw: dict[str, Any], spec: LayerSpec, path: Path, feature_label: str
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for fld in spec.fields:
        try:
            value = _coerce(raw.get(fld.name), fld)
            # Blank or absent: the same, as the column is only written when used.
            record[fld.name] = None if fld.written_when_used and value == "" else value
        except (TypeError, ValueError) as exc:
            raise DataFileError(
                path.name,
                f"字段 {fld.name}({fld.label_zh})的值无法识别:{exc}",
                f"field {fld.name} ({fld.label_en}) has an unreadable value: {exc}",
                feature=feature_label,
            ) from exc
    return record


def empty_layer(spec: LayerSpec) -> pd.DataFrame:
    """An empty frame (GeoDataFrame for spatial layers) with the layer's typed columns."""
    frame = _typed_frame([], spec)
    if spec.is_spatial:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    return frame


def read_geojson(path: Path, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Read a GeoJSON FeatureCollection of the store (WGS84 lon/lat) strictly.

    Unknown properties are ignored; missing ones become null (the checks report required
    fields). Raises DataFileError naming the file and feature on anything unreadable.
    """
    return parse_geojson(_text(_bytes(path), path, table=False), spec, path.name)


def parse_geojson(text: str, spec: LayerSpec, name: str) -> gpd.GeoDataFrame:
    """Parse GeoJSON text strictly (see :func:`read_geojson`); ``name`` is for messages."""
    path = Path(name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            path.name,
            f"JSON 格式错误(第 {exc.lineno} 行第 {exc.colno} 列):{exc.msg}",
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataFileError(
            path.name,
            "不是 GeoJSON 要素集合(FeatureCollection)",
            "is not a GeoJSON FeatureCollection",
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise DataFileError(path.name, "缺少 features 列表", "has no list of features")
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for index, feat in enumerate(features, start=1):
        if not isinstance(feat, dict):
            raise DataFileError(path.name, "要素不是对象", "feature is not an object", str(index))
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        fid = props.get(spec.id_field) if spec.id_field else None
        label = f"{index}" + (f" ({fid})" if fid not in (None, "") else "")
        try:
            geom = shape(feat["geometry"]) if feat.get("geometry") else None
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            shapely.errors.GEOSException,
        ) as exc:
            raise DataFileError(
                path.name, f"几何无法读取:{exc}", f"unreadable geometry: {exc}", label
            ) from exc
        records.append(_coerce_record(props, spec, path, label))
        geoms.append(geom)
    frame = _typed_frame(records, spec)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def read_csv_table(path: Path, spec: LayerSpec) -> pd.DataFrame:
    """Read a UTF-8 CSV table (a BOM, as Excel writes, is accepted) with typed columns."""
    return parse_csv_table(_text(_bytes(path), path, table=True), spec, path.name)


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise DataFileError(path.name, "文件不存在", "file not found") from exc


def _text(raw: bytes, path: Path, *, table: bool) -> str:
    """UTF-8 text; a table may start with the BOM Excel writes."""
    try:
        return raw.decode("utf-8-sig" if table else "utf-8")
    except UnicodeDecodeError as exc:
        if table:
            raise DataFileError(
                path.name,
                "不是 UTF-8 编码(若由 Excel 保存,请选择“CSV UTF-8”格式)",
                "is not UTF-8 (if saved from Excel, choose 'CSV UTF-8')",
            ) from exc
        raise DataFileError(path.name, "不是 UTF-8 编码的文本", "is not UTF-8 text") from exc


# Per file: the digest of its bytes and the frame they parsed to. Loading a folder after
# one file changed then parses that file only (frames are never changed in place: pages
# and saves build new ones).
_PARSED: dict[str, tuple[bytes, pd.DataFrame]] = {}
_PARSED_MAX = 256


def read_layer(path: Path, spec: LayerSpec) -> pd.DataFrame:
    """:func:`read_geojson` or :func:`read_csv_table`, reusing the last parse of the same
    bytes of the same file."""
    raw = _bytes(path)
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    key = f"{path.resolve()}|{spec.name}"
    hit = _PARSED.get(key)
    if hit is not None and hit[0] == digest:
        # A copy: a caller that changes its frame must not change every later load.
        return hit[1].copy()
    text = _text(raw, path, table=not spec.is_spatial)
    if spec.is_spatial:
        frame = parse_geojson(text, spec, path.name)
    else:
        frame = parse_csv_table(text, spec, path.name)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[key] = (digest, frame)
    return frame.copy()


def parse_csv_table(text: str, spec: LayerSpec, name: str) -> pd.DataFrame:
    """A CSV table's text as a typed frame; errors name ``name`` and the row."""
    try:
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    except csv.Error as exc:
        raise DataFileError(name, f"CSV 格式错误:{exc}", f"invalid CSV: {exc}") from exc
    return typed_table(rows, spec, name, first_row=2)  # row 1 is the header


def typed_table(
    rows: list[dict[str, Any]], spec: LayerSpec, name: str = "", *, first_row: int = 1
) -> pd.DataFrame:
    """Rows (raw values) as a frame with the layer's typed columns; a value that cannot
    be read raises DataFileError naming the row."""
    path = Path(name or spec.filename)
    records = []
    for index, row in enumerate(rows, start=first_row):
        fid = row.get(spec.id_field) if spec.id_field else None
        label = f"第{index}行" if not fid else f"第{index}行 ({fid})"
        records.append(_coerce_record(row, spec, path, label))
    return _typed_frame(records, spec)


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML document with the safe loader; an empty file is an empty mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFileError(path.name, "文件不存在", "file not found") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path.name, "不是 UTF-8 编码的文本", "is not UTF-8 text") from exc
    return parse_yaml(text, path.name)


def parse_yaml(text: str, name: str) -> dict[str, Any]:
    """A YAML document's text (safe loader) as a mapping; errors name ``name``."""
    try:
        doc = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise DataFileError(name, f"YAML 格式错误:{exc}", f"invalid YAML: {exc}") from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise DataFileError(name, "顶层应为键值映射", "top level must be a mapping")
    return doc


def plain(value: Any) -> Any:
    """A JSON/CSV-ready Python value: no numpy scalars, no pandas NA."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _round_coords(geom):
    return shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))


def geojson_text(frame: gpd.GeoDataFrame, spec: LayerSpec) -> str:
    """RFC 7946 GeoJSON text, one feature per line, properties in schema order."""
    lines = []
    for row in frame.itertuples(index=False):
        props = {f.name: plain(getattr(row, f.name)) for f in spec.fields}
        geom = row.geometry
        geometry = mapping(_round_coords(geom)) if geom is not None and not geom.is_empty else None
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def _blank(value: Any) -> bool:
    value = plain(value)
    return value is None or value == ""


def csv_fields(frame: pd.DataFrame, spec: LayerSpec) -> list[Field]:
    """The columns a CSV table of ``frame`` has: the schema's, less a column
    :attr:`~township_atlas.model.schema.Field.written_when_used` that no row uses."""
    return [
        fld
        for fld in spec.fields
        if not fld.written_when_used or not frame[fld.name].map(_blank).all()
    ]


def csv_text(frame: pd.DataFrame, spec: LayerSpec) -> str:
    """CSV text with the schema's columns (see :func:`csv_fields`); numbers without
    trailing '.0' where whole."""
    fields = csv_fields(frame, spec)
    names = [f.name for f in fields]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in frame[names].itertuples(index=False):
        cells = []
        for fld, value in zip(fields, row, strict=True):
            value = plain(value)
            if value is None:
                cells.append("")
            elif fld.dtype == "float" and float(value).is_integer():
                cells.append(str(int(value)))
            elif fld.dtype == "bool":
                cells.append("true" if value else "false")
            else:
                # Line breaks kept as "\n" (quoted by the writer); a lone "\r" would not be.
                cells.append(str(value).replace("\r\n", "\n").replace("\r", "\n"))
        writer.writerow(cells)
    return out.getvalue()


def yaml_text(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
