"""A village plan entered in its form is checked in editing.validate_plan, without Streamlit."""

from __future__ import annotations

import pandas as pd

from township_atlas.views.edit_tables import editor_rows, validate_plan

GOALS = ["year", "indicator", "text_zh", "text_en"]
MILESTONES = ["name_zh", "due", "status", "done"]


def _check(goals=(), milestones=(), industry="苹果", stored=None):
    return validate_plan(
        stored or {"extra": "kept"},
        leading_industry_zh=industry,
        leading_industry_en=" Apples ",
        summary_zh=" 摘要 ",
        measures_zh="修路\n\n  建冷库 \n",
        goals=pd.DataFrame(list(goals), columns=GOALS),
        milestones=pd.DataFrame(list(milestones), columns=MILESTONES),
        problems=["p1"],
    )


def test_a_complete_plan_has_no_problems_and_is_tidied():
    plan, problems = _check(
        goals=[{"year": 2026.0, "indicator": "collective_income", "text_zh": "十万"}],
        milestones=[{"name_zh": "冷库", "due": "2026-05-01", "status": "in_progress"}],
    )
    assert problems == []
    assert plan["extra"] == "kept"
    assert plan["leading_industry_en"] == "Apples" and plan["summary_zh"] == "摘要"
    assert plan["measures_zh"] == ["修路", "建冷库"]
    assert plan["goals"] == [
        {"year": 2026, "indicator": "collective_income", "text_zh": "十万", "text_en": None}
    ]
    assert isinstance(plan["goals"][0]["year"], int)
    assert plan["milestones"][0]["done"] is None
    assert plan["problems"] == ["p1"]


def test_each_incomplete_goal_and_milestone_and_a_missing_industry_is_a_problem():
    _, problems = _check(
        goals=[{"text_zh": "无年份"}, {"year": 2026}],
        milestones=[{"due": "2026-01-01", "status": "done"}],
        industry="  ",
    )
    assert [p.message("en") for p in problems] == [
        "Every goal needs a year",
        "Every goal needs its text",
        "Every milestone needs a name",
        "Give the leading industry",
    ]
    assert problems[0].message("zh") == "每个目标都要填写年份"


def test_rows_the_editor_added_and_left_empty_are_dropped():
    frame = pd.DataFrame([{"a": None, "b": ""}, {"a": 1, "b": float("nan")}])
    assert editor_rows(frame) == [{"a": 1, "b": None}]
    _, problems = _check(goals=[{}], milestones=[{}])
    assert problems == []


def test_table_rows_are_checked_like_the_form_and_numbered_as_shown():
    from tests.factory import make_bundle
    from township_atlas.views.edit_tables import validate_rows

    bundle = make_bundle()
    good = {"place_code": "V1", "year": 2025, "indicator": "party_members", "value": 9}
    rows = [
        good,
        {"place_code": None, "year": None, "indicator": None, "value": None},  # left empty
        {**good, "place_code": "V9"},
        {**good, "indicator": "nope"},
    ]
    found = validate_rows("indicators", rows, {}, bundle)
    assert [n for n, _ in found] == [3, 4]
    assert [p.field for _, p in found] == ["place_code", "indicator"]
    assert validate_rows("indicators", [good], {}, bundle) == []
