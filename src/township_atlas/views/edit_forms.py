"""What the editing page needs besides saving: checking a form, placing a feature in its
village, new ids, table differences and the fields two versions disagree on.

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
from township_atlas.model.schema import LAYERS_BY_NAME, Field, LayerSpec
from township_atlas.storage.formats import plain
from township_atlas.text.bilingual import Messaged
from township_atlas.text.labels import TEXT
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


def table_changes(
    layer: str,
    original: dict[str, dict[str, Any]],
    rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """What an edited table changes: records to write (new or changed) and keys to delete.

    ``original`` is the table as it was when editing began (key -> record); ``rows`` are
    the edited rows' properties. Geometry is kept from the original (tables edit attributes
    only). A row whose key fields were changed is a delete of the old key and a new record.
    """
    from township_atlas.storage.changes import record_key

    spec = LAYERS_BY_NAME[layer]
    upserts, seen = [], set()
    for row in rows:
        if all(is_blank(row.get(k)) for k in spec.field_names()):
            continue  # an empty row the editor added and left
        typed = {f.name: coerce(row.get(f.name), f)[0] for f in spec.fields}
        key = record_key(layer, typed)
        seen.add(key)
        old = original.get(key)
        geometry = old.get("geometry") if old else None
        new = record(layer, typed, geometry)
        if old is None or new["properties"] != old.get("properties"):
            upserts.append(new)
    deletes = [k for k in original if k not in seen]
    return upserts, deletes


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


def editor_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of an edited table the user filled in, blanks as None; empty rows dropped."""
    rows = []
    for row in frame.to_dict("records"):
        row = {k: (None if is_blank(v) else v) for k, v in row.items()}
        if any(v is not None for v in row.values()):
            rows.append(row)
    return rows


def validate_rows(
    layer: str,
    rows: list[dict[str, Any]],
    original: dict[str, dict[str, Any]],
    bundle: Bundle,
) -> list[tuple[int, Problem]]:
    """Check every filled row of an edited table with :func:`validate`.

    Parameters
    ----------
    layer : str
        The table's layer.
    rows : list[dict]
        The edited rows' properties, in table order (empty rows are skipped but counted).
    original : dict
        The table as it was when editing began (key -> record): a spatial row keeps the
        geometry its key had, which its checks need.
    bundle : Bundle
        The data the rows' links must resolve in.

    Returns
    -------
    list[tuple[int, Problem]]
        (row number from 1, problem) for each problem; empty when the table can be saved.
    """
    spec = LAYERS_BY_NAME[layer]
    found = []
    for n, row in enumerate(rows, start=1):
        if all(is_blank(v) for v in row.values()):
            continue
        key = "|".join(str(row.get(k)) for k in spec.key_fields)
        geometry = (original.get(key) or {}).get("geometry") if spec.is_spatial else None
        _, problems = validate(layer, row, bundle, geometry=geometry)
        found += [(n, p) for p in problems]
    return found


def _plan_problem(field: str, key: str) -> Problem:
    return Problem(field, *TEXT[key])


def validate_plan(
    stored: dict[str, Any],
    *,
    leading_industry_zh: str,
    leading_industry_en: str,
    summary_zh: str,
    measures_zh: str,
    goals: pd.DataFrame,
    milestones: pd.DataFrame,
    problems: list[str],
) -> tuple[dict[str, Any], list[Problem]]:
    """Check a village plan as entered in its form, like :func:`validate` checks a record.

    Parameters
    ----------
    stored : dict
        The plan's properties as stored (kept where the form does not edit them).
    leading_industry_zh, leading_industry_en, summary_zh : str
        The text fields as typed.
    measures_zh : str
        The measures, one a line.
    goals : pandas.DataFrame
        The goals table (``year, indicator, text_zh, text_en``) as edited.
    milestones : pandas.DataFrame
        The milestones table (``name_zh, due, status, done``) as edited.
    problems : list[str]
        The report's problem keys chosen.

    Returns
    -------
    tuple[dict, list[Problem]]
        The plan's new properties, and the problems (empty when it can be saved): every
        goal needs a year and a text, every milestone a name, the plan a leading industry.
    """
    goal_rows = [
        {**g, "year": int(g["year"])} if g.get("year") is not None else g
        for g in editor_rows(goals)
    ]
    milestone_rows = editor_rows(milestones)
    found = [
        _plan_problem("goals", "edit_goal_needs_year") for g in goal_rows if g.get("year") is None
    ]
    found += [
        _plan_problem("goals", "edit_goal_needs_text") for g in goal_rows if not g.get("text_zh")
    ]
    found += [
        _plan_problem("milestones", "edit_milestone_needs_name")
        for m in milestone_rows
        if not m.get("name_zh")
    ]
    if not leading_industry_zh.strip():
        found.append(_plan_problem("leading_industry_zh", "edit_plan_needs_industry"))
    updated = {
        **stored,
        "leading_industry_zh": leading_industry_zh.strip(),
        "leading_industry_en": leading_industry_en.strip(),
        "summary_zh": summary_zh.strip(),
        "goals": goal_rows,
        "measures_zh": [line.strip() for line in measures_zh.splitlines() if line.strip()],
        "milestones": milestone_rows,
        "problems": list(problems),
    }
    return updated, found
