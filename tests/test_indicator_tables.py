"""The indicators page's tables, built from a small township without Streamlit."""

from __future__ import annotations

import pandas as pd

from tests.factory import make_bundle
from township_atlas.text.labels import tr
from township_atlas.views.indicator_tables import (
    TOTALS_HEADERS,
    group_indicators,
    group_keys,
    indicator_groups,
    shown_keys,
    status_counts,
    status_text,
    totals_table,
    trend_places,
)
from township_atlas.views.indicators import catalogue, wide


def test_groups_follow_the_fixed_order_then_unknown_ones_alphabetically():
    bundle = make_bundle()
    extra = pd.DataFrame(
        [{"key": k, "label_zh": k, "group": g} for k, g in (("z", "zoo"), ("a", "art"))]
    )
    bundle.indicator_catalogue = pd.concat([bundle.indicator_catalogue, extra], ignore_index=True)
    assert indicator_groups(catalogue(bundle)) == ["economy", "party", "art", "zoo"]


def test_status_text_has_a_mark_and_words_and_a_dash_for_no_status():
    assert status_text("green", "zh") == "✓ 达到目标"
    assert status_text("red", "en") == "✗ Behind target"
    assert status_text(None, "en") == "– No target"


def test_status_counts_count_each_status_once_per_cell():
    statuses = pd.DataFrame({"a": ["green", "red", None], "b": ["green", None, None]})
    assert status_counts(statuses) == {"green": 2, "amber": 0, "red": 1}


def test_totals_table_has_stable_keys_and_readable_cells():
    bundle = make_bundle()
    table = totals_table(bundle, 2025, ["party_members"], "zh")
    assert list(table.columns) == [k for k in TOTALS_HEADERS if k != "township_record"]
    row = table.iloc[0]
    assert (row["indicator"], row["township_total"], row["villages"]) == ("党员数", "18 名", 2)
    assert row["target"] == "—" and row["status"] == "– 无目标"
    # Only the chosen indicators are listed.
    assert totals_table(bundle, 2025, ["collective_income"], "zh").empty


def test_totals_table_adds_the_township_record_column_only_when_there_is_one():
    bundle = make_bundle()
    town = pd.DataFrame(
        [{"place_code": "T1", "year": 2025, "indicator": "party_members", "value": 30.0}]
    )
    bundle.indicators = pd.concat([bundle.indicators, town], ignore_index=True)
    table = totals_table(bundle, 2025, ["party_members"], "en")
    assert list(table.columns) == list(TOTALS_HEADERS)
    assert table.iloc[0]["township_record"] == "30"
    assert table.iloc[0]["township_total"] == "18"


def test_wide_status_table_feeds_status_counts():
    bundle = make_bundle()
    assert status_counts(wide(bundle, 2024, "status")) == {"green": 0, "amber": 0, "red": 1}


def test_group_keys_keep_catalogue_order_and_all_means_every_key():
    cat = catalogue(make_bundle())
    assert group_keys(cat, "party") == ["party_members"]
    assert group_keys(cat, "all") == group_keys(cat, None) == list(cat)
    assert group_keys(cat, "nope") == []


def test_group_indicators_are_those_of_exactly_that_group_in_catalogue_order():
    cat = catalogue(make_bundle())
    assert [i.key for i in group_indicators(cat, "party")] == ["party_members"]
    assert group_indicators(cat, "all") == [] and group_indicators(cat, "nope") == []


def test_shown_keys_keep_the_table_order_and_trend_places_start_with_the_township():
    values = pd.DataFrame(columns=["party_members", "collective_income", "other"])
    assert shown_keys(values, ["collective_income", "party_members"]) == [
        "party_members",
        "collective_income",
    ]
    assert shown_keys(values, []) == []
    bundle = make_bundle()
    assert trend_places(bundle, "en") == [
        (None, tr("township_name_total", "en")),
        ("V1", "Jia"),
        ("V2", "Yi"),
    ]
