"""Saved changes as tables to read: the change history, and what two versions of a record
disagree on (a change's before and after, or a conflict's mine and theirs).

Tables have stable English column keys; the edit page turns them into zh/en headers with
:func:`township_atlas.text.labels.headers` and the ``*_HEADERS`` mappings here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.storage.changes import Entry
from township_atlas.text.labels import tr
from township_atlas.views.edit_forms import differences

# Column key -> label key of the header.
HISTORY_HEADERS: dict[str, str] = {
    "seq": "edit_seq",
    "time": "edit_time",
    "user": "changed_by",
    "layer": "edit_layer",
    "count": "edit_count",
    "note": "edit_note",
}
# The same difference table, headed as a change (before/after) or a conflict (mine/theirs).
CHANGE_HEADERS: dict[str, str] = {"field": "edit_field", "a": "edit_before", "b": "edit_after"}
CONFLICT_HEADERS: dict[str, str] = {"field": "edit_field", "a": "edit_mine", "b": "edit_theirs"}


def layer_label(layer: str, lang: str) -> str:
    """A layer's name to read ("plans" included); an unknown layer keeps its name."""
    if layer == "plans":
        return tr("edit_plans", lang)
    spec = LAYERS_BY_NAME.get(layer)
    return spec.label(lang) if spec else layer


def field_label(layer: str, name: str, lang: str) -> str:
    """A field's label in ``layer`` ("geometry" included); an unknown field keeps its name."""
    if name == "geometry":
        return tr("edit_geometry", lang)
    spec = LAYERS_BY_NAME.get(layer)
    fld = next((f for f in spec.fields if f.name == name), None) if spec else None
    return fld.label(lang) if fld else name


def cell_text(value: Any) -> str:
    """A stored value as text: "—" for none, a geometry as its type (a point with its
    coordinates)."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        kind = value.get("type", "")
        coords = value.get("coordinates")
        if kind == "Point" and coords:
            return f"{kind} ({coords[0]:.6f}, {coords[1]:.6f})"
        return kind or "—"
    return str(value)


def local_time(iso: str) -> str:
    """An ISO timestamp in the server's local time, to the second; other text unchanged."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def history_table(entries: list[Entry], lang: str) -> pd.DataFrame:
    """One row per saved change, in the order given: number, time, who, layer, how many
    records, note.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HISTORY_HEADERS`.
    """
    return pd.DataFrame(
        [
            {
                "seq": e.seq,
                "time": local_time(e.time),
                "user": e.user,
                "layer": layer_label(e.layer, lang),
                "count": len(e.changes),
                "note": e.note,
            }
            for e in entries
        ],
        columns=list(HISTORY_HEADERS),
    )


def change_kind(change: dict[str, Any], lang: str) -> str:
    """Whether one record of a saved change was added, removed or changed, to read."""
    if change["before"] is None:
        return tr("edit_added", lang)
    if change["after"] is None:
        return tr("edit_removed", lang)
    return tr("edit_changed", lang)


def difference_table(
    layer: str, a: dict[str, Any] | None, b: dict[str, Any] | None, lang: str
) -> pd.DataFrame:
    """The fields two versions of a record disagree on, geometry last, values as text.

    Parameters
    ----------
    layer : str
        The record's layer.
    a, b : dict or None
        The two versions (GeoJSON-like records); None is a deleted record.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``field, a, b``; head them with :data:`CHANGE_HEADERS` or
        :data:`CONFLICT_HEADERS`. Empty when the versions agree.
    """
    return pd.DataFrame(
        [
            {"field": field_label(layer, n, lang), "a": cell_text(x), "b": cell_text(y)}
            for n, x, y in differences(layer, a, b)
        ],
        columns=["field", "a", "b"],
    )
