"""The village page's tables and figures, built from a small township without Streamlit."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tests.factory import make_bundle
from township_atlas.views.funding import funding
from township_atlas.views.organisation import village_branch
from township_atlas.views.plans import village_plan
from township_atlas.views.summary import village_table
from township_atlas.views.village_profile import (
    GOAL_HEADERS,
    GROUP_HEADERS,
    MILESTONE_HEADERS,
    chain_name,
    fact_cards,
    funding_cards,
    funding_series,
    goal_table,
    group_table,
    indicator_rows,
    milestone_table,
    trend_defaults,
    village_site_ids,
)


def _with_funding(bundle):
    rows = [
        ("funding_shortfall", 10.0),
        ("paid_by_higher_level", 4.0),
        ("paid_by_donors", 1.0),
        ("collective_income", 6.0),
    ]
    extra = pd.DataFrame(
        [
            {"place_code": "V1", "year": 2025, "indicator": k, "value": v, "target": None}
            for k, v in rows
        ]
    )
    bundle.indicators = pd.concat([bundle.indicators, extra], ignore_index=True)
    payers = pd.DataFrame(
        [
            {"key": k, "label_zh": zh, "label_en": en, "unit_zh": "万元", "group": "funding"}
            for k, zh, en in (
                ("funding_shortfall", "缺口", "Shortfall"),
                ("paid_by_higher_level", "上级解决", "Higher level"),
                ("paid_by_donors", "社会捐助", "Donors"),
            )
        ]
    )
    bundle.indicator_catalogue = pd.concat([bundle.indicator_catalogue, payers], ignore_index=True)
    return bundle


def test_goal_table_has_stable_keys_and_says_not_yet_without_a_value():
    bundle = make_bundle()
    plan = village_plan(bundle, "V1")
    goals = goal_table(bundle, plan, "en")
    assert list(goals.columns) == list(GOAL_HEADERS)
    row = goals.iloc[0]
    # The 2025 goal measures collective income, recorded for 2024 only.
    assert (row["year"], row["goal"], row["actual"]) == ("2025", "目标", "—")
    assert row["progress"] is None and row["status"] == "Not due yet"


def test_goal_table_shows_progress_and_status_against_the_recorded_target():
    bundle = make_bundle()
    bundle.plans["villages"]["V1"]["goals"] = [
        {"year": 2024, "indicator": "collective_income", "text_zh": "三万", "text_en": "Three"}
    ]
    goals = goal_table(bundle, village_plan(bundle, "V1"), "zh")
    row = goals.iloc[0]
    assert row["actual"] == "3 万元" and row["target"] == "4 万元"
    assert row["progress"] == 75
    assert row["status"] == "✗ 落后于目标"
    assert goal_table(bundle, village_plan(bundle, "V1"), "en").iloc[0]["goal"] == "Three"


def test_milestone_table_marks_an_open_milestone_past_its_date_as_overdue():
    bundle = make_bundle()
    bundle.plans["villages"]["V1"]["milestones"] = [
        {"name_zh": "冷库", "name_en": "Cold store", "due": "2020-05-01", "status": "delayed"},
        {"name_zh": "基地", "due": "2020-01-01", "status": "done", "done": "2019-12-30"},
    ]
    plan = village_plan(bundle, "V1", today=dt.date(2024, 1, 1))
    table = milestone_table(plan, "en")
    assert list(table.columns) == list(MILESTONE_HEADERS)
    assert table.to_dict("records") == [
        {"milestone": "Cold store", "due": "2020-05-01", "done": "—", "status": "Delayed(overdue)"},
        {"milestone": "基地", "due": "2020-01-01", "done": "2019-12-30", "status": "Done"},
    ]


def test_group_table_names_each_groups_site_and_keeps_an_unknown_site_id():
    bundle = make_bundle()
    bundle.party_orgs.loc[bundle.party_orgs["org_id"] == "G1", "site_id"] = "S9"
    branch = village_branch(bundle, "V1")
    table = group_table(bundle, branch, "zh")
    assert list(table.columns) == list(GROUP_HEADERS)
    assert table.to_dict("records")[0] | {"leader_role": None} == {
        "group": "甲村党小组",
        "members": 4,
        "built_on": "S9",
        "kind": "—",
        "leader_role": None,
    }


def test_group_table_falls_back_to_the_chinese_site_name_in_english():
    bundle = make_bundle()
    site = bundle.sites.loc[bundle.sites["site_id"] == "S1"].iloc[0]
    bundle.sites.loc[bundle.sites["site_id"] == "S1", "name_en"] = None
    row = group_table(bundle, village_branch(bundle, "V1"), "en").iloc[0]
    assert row["built_on"] == site["name_zh"]
    assert row["kind"] == "Wealth project"


def test_chain_name_of_a_branch_on_a_chain_and_of_one_without():
    bundle = make_bundle()
    assert chain_name(bundle, village_branch(bundle, "V1"), "zh") == "苹果产业链"
    assert chain_name(bundle, village_branch(bundle, "V2"), "en") == "not built on a chain"


def test_indicator_rows_are_empty_for_a_year_without_values():
    bundle = make_bundle()
    assert indicator_rows(bundle, "V1", 2025)["party_members"]["value"] == 10.0
    assert indicator_rows(bundle, "V1", 2024)["collective_income"]["target"] == 4.0
    assert indicator_rows(bundle, "V1", 2030) == {}


def test_trends_start_with_the_plans_goals_else_the_first_indicators():
    bundle = make_bundle()
    assert trend_defaults(bundle, village_plan(bundle, "V1")) == ["collective_income"]
    assert trend_defaults(bundle, None) == ["collective_income", "party_members"]


def test_facts_carry_their_units_in_chinese_and_none_in_english():
    bundle = make_bundle()
    row = village_table(bundle, "zh").set_index("code").loc["V1"]
    zh = dict(fact_cards(row, "zh"))
    assert zh["户籍人口"] == "1,000 人" and zh["党小组"] == "1 个"
    en = dict(fact_cards(row, "en"))
    assert en["Population"] == "1,000" and en["Party groups"] == "1"


def test_village_site_ids_are_the_sites_in_that_village():
    bundle = make_bundle()
    expected = bundle.sites.loc[bundle.sites["village_code"] == "V2", "site_id"].tolist()
    assert village_site_ids(bundle, "V2") == [str(s) for s in expected] and expected


def test_funding_cards_of_a_year_end_with_the_unpaid_part():
    bundle = _with_funding(make_bundle())
    money = funding(bundle, "V1")
    cards = funding_cards(bundle, money, 2025, "en")
    assert cards[0] == ("Collective income", "6")
    assert cards[-1] == ("Unpaid", "5")
    assert ("Donors", "1") in cards
    assert funding_cards(bundle, money, 2019, "en") == []
    assert funding_cards(bundle, money, None, "en") == []


def test_funding_series_stacks_the_payers_in_the_catalogue_and_the_unpaid_part():
    bundle = _with_funding(make_bundle())
    years, series = funding_series(bundle, funding(bundle, "V1"), "zh")
    # 2024 has collective income only: a year of the chart with no payers.
    assert years == ["2024", "2025"]
    assert [name for name, _ in series] == ["上级解决", "社会捐助", "尚无着落"]
    assert [values[-1] for _, values in series] == [4.0, 1.0, 5.0]
