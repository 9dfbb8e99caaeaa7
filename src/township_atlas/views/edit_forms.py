"""What the editing page's feature form needs besides saving: the choices of a coded or
link field, checking a form, placing a feature in its village, new ids and the fields two
versions disagree on (the table editor's part is :mod:`township_atlas.views.edit_tables`).

All pure functions over a Bundle and GeoJSON-like records (``{"properties", "geometry"}``),
so they are tested without Streamlit. Saving itself (versions, conflicts, history) is
:mod:`township_atlas.storage.changes`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import (
    BRANCH_KIND_LABELS,
    GROUP_SITE_KINDS,
    LAYERS_BY_NAME,
    ORG_LEVEL_LABELS,
    SITE_KIND_LABELS,
    Field,
    LayerSpec,
    code_label,
)
from township_atlas.storage.formats import plain
from township_atlas.text.bilingual import Messaged, pick
from township_atlas.text.numbers import is_blank

# Link fields: (layer, field) -> (layer it points to, that layer's key field).
LINKS: dict[tuple[str, str], tuple[str, str]] = {
    ("sites", "village_code"): ("villages", "code"),
    ("party_orgs", "village_code"): ("villages", "code"),
    ("party_orgs", "parent_id"): ("party_orgs", "org_id"),
    ("party_orgs", "site_id"): ("sites", "site_id"),
    ("party_orgs", "chain_id"): ("chains", "chain_id"),
    ("chain_stages", "chain_id"): ("chains", "chain_id"),
    ("chain_stages", "site_id"): ("sites", "site_id"),
    ("indicators", "indicator"): ("indicator_catalogue", "key"),
}
# Coded fields: field -> its codes and their Chinese and English labels.
CODED = {"kind": SITE_KIND_LABELS, "level": ORG_LEVEL_LABELS, "branch_kind": BRANCH_KIND_LABELS}
# Layers whose features belong to the village they lie in.
VILLAGE_FROM_LOCATION = ("sites", "party_orgs")
# The geometry a layer's draw tool makes.
DRAW_KIND = {"township": "polygon", "villages": "polygon", "sites": "any", "party_orgs": "point"}


@dataclass(frozen=True)
class Problem(Messaged):
    """Why a value cannot be saved, for one field (or the geometry, field ``geometry``)."""

    field: str
    message_zh: str
    message_en: str


def feature_names(bundle: Bundle, layer: str, lang: str) -> dict[str, str]:
    """Feature id -> "id · name" (the name in ``lang``, else the Chinese one; the id alone
    when the feature has no name), for every feature of ``layer``."""
    spec = LAYERS_BY_NAME[layer]
    frame = bundle.layer(layer)
    name_col = pick(lang, "name_zh", "name_en" if "name_en" in frame else "name_zh")
    out = {}
    for row in frame.itertuples(index=False):
        ident = str(getattr(row, spec.id_field))
        name = getattr(row, name_col, None) or getattr(row, "name_zh", None) or ""
        out[ident] = f"{ident} · {name}" if name else ident
    return out


def field_choices(
    bundle: Bundle, layer: str, fld: Field, lang: str, props: dict[str, Any]
) -> dict[str, str] | None:
    """The choices of a coded or link field in the feature form; None for a free field.

    Parameters
    ----------
    bundle : Bundle
        The data a link field points into.
    layer : str
        The form's layer.
    fld : Field
        The field.
    lang : str
        "zh" or "en", for the choices' labels.
    props : dict
        The feature's properties: a Party organisation is not offered as its own parent.

    Returns
    -------
    dict[str, str] or None
        Code or id -> label, in the order offered: a Party group's site is one of the
        kinds a group can be set up at.
    """
    if fld.name in CODED:
        table = CODED[fld.name]
        return {c: code_label(table, c, lang) for c in table}
    target = LINKS.get((layer, fld.name))
    if target is None:
        return None
    names = feature_names(bundle, target[0], lang)
    options = list(names)
    if layer == "party_orgs" and fld.name == "site_id":
        kinds = dict(zip(bundle.sites["site_id"].astype(str), bundle.sites["kind"], strict=True))
        options = [o for o in options if kinds.get(o) in GROUP_SITE_KINDS]
    if layer == "party_orgs" and fld.name == "parent_id":
        options = [o for o in options if o != props.get("org_id")]
    return {o: names[o] for o in options}


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def coerce(value: Any, fld: Field) -> tuple[Any, Problem | None]:
    """A form or table value as the field's type, or a problem saying why not."""
    if is_blank(value):
        return None, None
    if fld.dtype == "str":
        return str(value).strip(), None
    if fld.dtype == "bool":
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "是"):
            return True, None
        if text in ("false", "0", "no", "否"):
            return False, None
        return None, Problem(
            fld.name, f"{fld.label_zh}应为“是”或“否”", f"{fld.label_en}: yes or no"
        )
    number = _number(value) if not isinstance(value, bool) else None
    if number is None:
        return None, Problem(
            fld.name, f"{fld.label_zh}应为数字,而不是“{value}”", f"{fld.label_en}: not a number"
        )
    if fld.dtype == "int":
        if not number.is_integer():
            return None, Problem(
                fld.name, f"{fld.label_zh}应为整数", f"{fld.label_en} must be a whole number"
            )
        return int(number), None
    return number, None


def validate(
    layer: str,
    props: dict[str, Any],
    bundle: Bundle,
    *,
    geometry: dict[str, Any] | None = None,
    new: bool = False,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check one record's values against the schema and the data it links to.

    Returns the typed properties and the problems (empty when it can be saved): required
    fields, allowed values, ranges, links that must resolve, a new id not yet used, and for
    spatial layers a geometry of an allowed type inside the township.
    """
    spec = LAYERS_BY_NAME[layer]
    typed: dict[str, Any] = {}
    problems: list[Problem] = []
    for fld in spec.fields:
        value, problem = coerce(props.get(fld.name), fld)
        typed[fld.name] = value
        if problem:
            problems.append(problem)
            continue
        if value is None:
            if fld.required:
                problems.append(
                    Problem(fld.name, f"请填写{fld.label_zh}", f"{fld.label_en} is required")
                )
            continue
        if fld.allowed and value not in fld.allowed:
            problems.append(
                Problem(
                    fld.name,
                    f"{fld.label_zh}“{value}”不是可选值之一",
                    f"{fld.label_en} '{value}' is not one of the allowed values",
                )
            )
        if fld.min is not None and isinstance(value, (int, float)) and value < fld.min:
            problems.append(
                Problem(
                    fld.name,
                    f"{fld.label_zh}不能小于 {fld.min:g}",
                    f"{fld.label_en} must be at least {fld.min:g}",
                )
            )
        if fld.max is not None and isinstance(value, (int, float)) and value > fld.max:
            problems.append(
                Problem(
                    fld.name,
                    f"{fld.label_zh}不能大于 {fld.max:g}",
                    f"{fld.label_en} must be at most {fld.max:g}",
                )
            )
        target = LINKS.get((layer, fld.name))
        if target and str(value) not in _keys(bundle, *target):
            problems.append(
                Problem(
                    fld.name,
                    f"{fld.label_zh}“{value}”不存在,请从列表中选择",
                    f"{fld.label_en} '{value}' does not exist; pick one from the list",
                )
            )
    if layer == "indicators" and typed.get("place_code") not in (
        _keys(bundle, "villages", "code") | _keys(bundle, "township", "code")
    ):
        problems.append(
            Problem("place_code", "村(乡)代码不存在", "No village or township has this code")
        )
    if new and spec.id_field and typed.get(spec.id_field) in _keys(bundle, layer, spec.id_field):
        problems.append(
            Problem(
                spec.id_field,
                f"编号 {typed[spec.id_field]} 已被使用",
                f"The id {typed[spec.id_field]} is already used",
            )
        )
    if spec.is_spatial:
        problems += _geometry_problems(spec, geometry, bundle)
    return typed, problems


def _keys(bundle: Bundle, layer: str, column: str) -> set[str]:
    frame = bundle.layer(layer)
    if column not in frame:
        return set()
    return {str(v) for v in frame[column].dropna()}


def _geometry_problems(
    spec: LayerSpec, geometry: dict[str, Any] | None, bundle: Bundle
) -> list[Problem]:
    if not geometry:
        return [
            Problem(
                "geometry", "请在地图上画出位置或填写坐标", "Draw it on the map or give coordinates"
            )
        ]
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError):
        return [Problem("geometry", "几何无法识别", "The geometry cannot be read")]
    if geom.geom_type not in spec.geometry_types:
        allowed = "、".join(spec.geometry_types)
        return [
            Problem(
                "geometry",
                f"{spec.label_zh}的几何应为 {allowed},而不是 {geom.geom_type}",
                f"{spec.label_en} must be {', '.join(spec.geometry_types)}, not {geom.geom_type}",
            )
        ]
    if geom.is_empty or not geom.is_valid:
        return [
            Problem(
                "geometry",
                "多边形无效(边线自相交或点数不足),请重新绘制",
                "The polygon is invalid (edges cross or too few points); redraw it",
            )
        ]
    if spec.name != "township" and not bundle.township.empty:
        boundary = bundle.township.geometry.iloc[0]
        if boundary is not None and not boundary.buffer(1e-6).covers(geom):
            return [
                Problem(
                    "geometry",
                    "位置在乡镇边界之外,请检查坐标或重新绘制",
                    "It lies outside the township boundary; check the coordinates or redraw",
                )
            ]
    return []


def village_at(bundle: Bundle, geometry: dict[str, Any] | BaseGeometry | None) -> str | None:
    """The code of the village a point (or a shape's interior point) lies in."""
    if geometry is None or bundle.villages.empty:
        return None
    geom = shape(geometry) if isinstance(geometry, dict) else geometry
    if geom.is_empty:
        return None
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    hits = bundle.villages[bundle.villages.geometry.covers(point)]
    return str(hits["code"].iloc[0]) if not hits.empty else None


def next_id(bundle: Bundle, layer: str) -> str:
    """A new id in the layer's style: the most common prefix, the next number, same width
    (S042 -> S043); "<prefix>1" for an empty layer."""
    spec = LAYERS_BY_NAME[layer]
    default_prefix = {"sites": "S", "party_orgs": "P", "villages": "V", "chains": "C"}
    ids = [str(v) for v in bundle.layer(layer)[spec.id_field].dropna()] if spec.id_field else []
    parsed = [m.groups() for i in ids if (m := re.fullmatch(r"(.*?)(\d+)", i))]
    if not parsed:
        return f"{default_prefix.get(layer, 'X')}{len(ids) + 1:03d}"
    prefixes = pd.Series([p for p, _ in parsed]).value_counts()
    prefix = str(prefixes.index[0])
    numbers = [(int(n), len(n)) for p, n in parsed if p == prefix]
    width = max(w for _, w in numbers)
    used = set(ids)
    n = max(k for k, _ in numbers) + 1
    while f"{prefix}{n:0{width}d}" in used:
        n += 1
    return f"{prefix}{n:0{width}d}"


def record(layer: str, props: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    """A record as stored: properties in schema order (plain values), geometry if spatial."""
    spec = LAYERS_BY_NAME[layer]
    out: dict[str, Any] = {"properties": {f.name: plain(props.get(f.name)) for f in spec.fields}}
    if spec.is_spatial:
        out = {"type": "Feature", **out, "geometry": geometry}
    return out


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


def same_geometry(a: dict[str, Any] | None, b: dict[str, Any] | None, tol: float = 1e-7) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return shape(a).equals_exact(shape(b), tol)
    except (ValueError, TypeError, AttributeError):
        return False


def rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    """GeoJSON geometry as the store keeps it (7 decimals), so versions compare equal."""
    geom = shapely.transform(shape(geometry), lambda xy: xy.round(7))
    return json.loads(json.dumps(mapping(geom)))


def differences(
    layer: str, a: dict[str, Any] | None, b: dict[str, Any] | None
) -> list[tuple[str, Any, Any]]:
    """(field, value in a, value in b) for every field two versions disagree on, with
    ``geometry`` last; a missing version (deleted) differs in every field."""
    pa = (a or {}).get("properties") or {}
    pb = (b or {}).get("properties") or {}
    spec = LAYERS_BY_NAME.get(layer)
    names = spec.field_names() if spec else sorted(set(pa) | set(pb))
    out = [(n, pa.get(n), pb.get(n)) for n in names if pa.get(n) != pb.get(n)]
    if spec is not None and spec.is_spatial:
        ga, gb = (a or {}).get("geometry"), (b or {}).get("geometry")
        if not same_geometry(ga, gb):
            out.append(("geometry", ga, gb))
    return out
