"""The edit page's history and difference tables, without Streamlit."""

from __future__ import annotations

from township_atlas.storage.changes import Entry
from township_atlas.views.change_tables import (
    HISTORY_HEADERS,
    cell_text,
    change_kind,
    difference_table,
    field_label,
    history_table,
    layer_label,
    local_time,
)


def _site(name: str, lon: float = 105.7) -> dict:
    props = {"site_id": "S1", "name_zh": name, "kind": "market"}
    return {"properties": props, "geometry": {"type": "Point", "coordinates": [lon, 35.9]}}


def test_history_table_has_one_row_per_change_with_its_layer_named():
    entries = [
        Entry(2, "not a time", "pia", "plans", "", [{"id": "V1"}]),
        Entry(1, "2025-01-01T08:00:00+00:00", "ann", "sites", "fix", [{"id": "a"}, {"id": "b"}]),
    ]
    table = history_table(entries, "en")
    assert list(table.columns) == list(HISTORY_HEADERS)
    assert table["seq"].tolist() == [2, 1]
    assert table["layer"].tolist() == [layer_label("plans", "en"), layer_label("sites", "en")]
    assert table["count"].tolist() == [1, 2] and table["time"].iloc[0] == "not a time"
    assert len(table["time"].iloc[1]) == len("2025-01-01 08:00:00")
    assert history_table([], "zh").empty


def test_difference_table_lists_changed_fields_then_the_geometry():
    before, after = _site("旧名"), _site("新名", lon=105.8)
    table = difference_table("sites", before, after, "en")
    assert table.to_dict("records") == [
        {"field": field_label("sites", "name_zh", "en"), "a": "旧名", "b": "新名"},
        {
            "field": field_label("sites", "geometry", "en"),
            "a": "Point (105.700000, 35.900000)",
            "b": "Point (105.800000, 35.900000)",
        },
    ]
    assert difference_table("sites", before, before, "zh").empty


def test_a_deleted_record_differs_in_every_field_it_had():
    table = difference_table("sites", _site("甲"), None, "zh")
    assert set(table["b"]) == {"—"}
    assert "甲" in table["a"].tolist()


def test_change_kind_says_added_removed_or_changed():
    kinds = {
        change_kind({"before": None, "after": {}}, "en"),
        change_kind({"before": {}, "after": None}, "en"),
        change_kind({"before": {}, "after": {}}, "en"),
    }
    assert len(kinds) == 3


def test_cells_and_labels_of_unknown_things_stay_readable():
    assert cell_text(None) == "—" and cell_text({"type": "Polygon"}) == "Polygon"
    assert cell_text(3) == "3"
    assert layer_label("nope", "zh") == "nope" and field_label("sites", "nope", "en") == "nope"
    assert local_time("yesterday") == "yesterday"
