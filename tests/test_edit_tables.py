"""The editing page's data, shaped without Streamlit: the table editor's frame and option
lists (views.edit_tables) and the feature form's choices (views.edit_forms)."""

from __future__ import annotations

import pandas as pd

from township_atlas.model.schema import LAYERS_BY_NAME, SITE_KIND_LABELS
from township_atlas.views.edit_forms import feature_names, field_choices
from township_atlas.views.edit_tables import (
    GOAL_COLUMNS,
    MILESTONE_COLUMNS,
    blanks_as_none,
    column_options,
    goals_frame,
    in_scope,
    indicator_keys,
    milestones_frame,
    place_codes,
    report_problems,
    table_frame,
    village_names,
)

from .factory import make_bundle


def _field(layer: str, name: str):
    return next(f for f in LAYERS_BY_NAME[layer].fields if f.name == name)


def _indicator(place: str, year: int, value: float | None) -> dict:
    props = {"place_code": place, "year": year, "indicator": "party_members", "value": value}
    return {"properties": props, "geometry": None}


def test_a_column_offers_its_codes_the_ids_it_links_to_or_the_places():
    bundle = make_bundle()
    kinds = column_options(bundle, "sites", _field("sites", "kind"))
    assert kinds is not None and set(kinds) == set(SITE_KIND_LABELS)
    assert column_options(bundle, "party_orgs", _field("party_orgs", "parent_id")) == sorted(
        ["P0", "B1", "B2", "B3", "G1", "G2"]
    )
    places = column_options(bundle, "indicators", _field("indicators", "place_code"))
    assert places == place_codes(bundle) == ["V1", "V2", "T1"]
    assert column_options(bundle, "indicators", _field("indicators", "value")) is None
    assert village_names(bundle) == {"V1": "甲村", "V2": "乙村"}


def test_the_table_shows_the_records_of_its_scope_as_a_typed_frame():
    records = {
        "V1|2023|party_members": _indicator("V1", 2023, 10.0),
        "V2|2023|party_members": _indicator("V2", 2023, None),
    }
    assert list(in_scope(records, "all")) == list(records)
    assert list(in_scope(records, "V2")) == ["V2|2023|party_members"]
    frame = table_frame("indicators", records)
    assert list(frame.columns) == LAYERS_BY_NAME["indicators"].field_names()
    assert str(frame["year"].dtype) == "Int64" and str(frame["value"].dtype) == "Float64"
    assert frame["value"].isna().tolist() == [False, True]
    rows = blanks_as_none(frame)
    assert rows[1]["value"] is None and rows[1]["target"] is None and rows[0]["value"] == 10.0
    assert len(blanks_as_none(pd.DataFrame([{"a": None}, {"a": ""}]))) == 2  # rows counted


def test_a_plan_form_gets_its_tables_and_choices():
    bundle = make_bundle()
    bundle.report = {"problems": [{"key": "water"}, {"title": "no key"}, {"key": "roads"}]}
    plan = {"goals": [{"year": 2025, "text_zh": "增收"}], "milestones": []}
    goals = goals_frame(plan)
    assert list(goals.columns) == GOAL_COLUMNS and goals.loc[0, "text_zh"] == "增收"
    assert list(milestones_frame({}).columns) == MILESTONE_COLUMNS and milestones_frame({}).empty
    assert indicator_keys(bundle) == ["collective_income", "party_members"]
    assert report_problems(bundle) == ["water", "roads"]


def test_the_feature_form_offers_codes_and_linked_features_by_name():
    bundle = make_bundle()
    names = feature_names(bundle, "villages", "en")
    assert names == {"V1": "V1 · Jia", "V2": "V2 · Yi"}
    assert feature_names(bundle, "sites", "en")["S1"] == "S1 · 甲村致富项目"  # no English name
    kinds = field_choices(bundle, "sites", _field("sites", "kind"), "zh", {})
    assert kinds is not None and kinds["demo_base"] == SITE_KIND_LABELS["demo_base"][0]
    parents = field_choices(
        bundle, "party_orgs", _field("party_orgs", "parent_id"), "zh", {"org_id": "B1"}
    )
    assert parents is not None and "B1" not in parents and parents["P0"] == "P0 · 乡党委"
    sites = field_choices(bundle, "party_orgs", _field("party_orgs", "site_id"), "zh", {})
    assert sites is not None and "S4" not in sites  # a market is no place for a Party group
    assert field_choices(bundle, "sites", _field("sites", "name_zh"), "zh", {}) is None
