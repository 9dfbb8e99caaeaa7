"""What the table editor shows and saves: the rows of a layer as a typed frame with its
columns' option lists, the edited rows checked like the form, and what they change.

Pure functions over a Bundle and GeoJSON-like records (``{"properties", "geometry"}``), so
they are tested without Streamlit; the page (:mod:`township_atlas.ui.edit_tables`) only
lays them out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME, Field
from township_atlas.text.labels import TEXT
from township_atlas.text.numbers import is_blank
from township_atlas.views.edit_forms import LINKS, Problem, coerce, record, validate

# The columns of a plan's goals and milestones tables, in the order the editor shows them.
GOAL_COLUMNS = ["year", "indicator", "text_zh", "text_en"]
MILESTONE_COLUMNS = ["name_zh", "due", "status", "done"]


def column_options(bundle: Bundle, layer: str, fld: Field) -> list[str] | None:
    """The values a table column may take, for a select box; None for free entry.

    Parameters
    ----------
    bundle : Bundle
        The data the links point into.
    layer : str
        The table's layer.
    fld : Field
        The column's field.

    Returns
    -------
    list[str] or None
        The field's allowed codes; else the ids of the layer a link field points to
        (sorted); else, for an indicator's place, the village codes then the township's;
        None for any other field.
    """
    target = LINKS.get((layer, fld.name))
    if fld.allowed:
        return list(fld.allowed)
    if target:
        return sorted(str(v) for v in bundle.layer(target[0])[target[1]].dropna())
    if layer == "indicators" and fld.name == "place_code":
        return place_codes(bundle)
    return None


def place_codes(bundle: Bundle) -> list[str]:
    """The codes indicators are kept for: every village, then the township."""
    return [*bundle.villages["code"].astype(str), *bundle.township["code"].astype(str)]


def village_names(bundle: Bundle) -> dict[str, str]:
    """Village code -> Chinese name, in the villages' order."""
    return dict(zip(bundle.villages["code"].astype(str), bundle.villages["name_zh"], strict=True))


def in_scope(records: dict[str, dict[str, Any]], scope: str) -> dict[str, dict[str, Any]]:
    """The records the table shows: all for ``scope`` "all", else those whose
    ``place_code`` is ``scope`` (the indicators of one place)."""
    return {
        k: r
        for k, r in records.items()
        if scope == "all" or r["properties"].get("place_code") == scope
    }


def table_frame(layer: str, records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The records' properties as the editor's frame: one column per field of the layer,
    in the schema's order, whole numbers as ``Int64`` and decimals as ``Float64`` (blanks
    stay blank)."""
    spec = LAYERS_BY_NAME[layer]
    frame = pd.DataFrame([r["properties"] for r in records.values()], columns=spec.field_names())
    for fld in spec.fields:
        if fld.dtype == "int":
            frame[fld.name] = frame[fld.name].astype("Int64")
        elif fld.dtype == "float":
            frame[fld.name] = frame[fld.name].astype("Float64")
    return frame


def blanks_as_none(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Every row of an edited frame, blanks as None (empty rows kept: rows are counted)."""
    return [
        {k: (None if is_blank(v) else v) for k, v in r.items()} for r in frame.to_dict("records")
    ]


def goals_frame(plan: dict[str, Any]) -> pd.DataFrame:
    """A plan's goals as the editor's frame (columns :data:`GOAL_COLUMNS`)."""
    return pd.DataFrame(plan.get("goals") or [], columns=GOAL_COLUMNS)


def milestones_frame(plan: dict[str, Any]) -> pd.DataFrame:
    """A plan's milestones as the editor's frame (columns :data:`MILESTONE_COLUMNS`)."""
    return pd.DataFrame(plan.get("milestones") or [], columns=MILESTONE_COLUMNS)


def indicator_keys(bundle: Bundle) -> list[str]:
    """The keys of the indicator catalogue, a goal's choices of indicator."""
    return list(bundle.indicator_catalogue["key"].astype(str))


def report_problems(bundle: Bundle) -> list[str]:
    """The keys of the problems the report names, a plan's choices of problem."""
    return [str(p.get("key")) for p in bundle.report.get("problems", []) if p.get("key")]


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
