"""Unit tests of the editing helpers on a tiny township built in code."""

from __future__ import annotations

import pytest

from township_atlas.model.schema import SITES
from township_atlas.views.edit_forms import (
    coerce,
    differences,
    next_id,
    point,
    record,
    validate,
    village_at,
)
from township_atlas.views.edit_tables import table_changes

from .factory import E, M, N, S, W, make_bundle

INSIDE_V1 = point((W + M) / 2, (S + N) / 2)
INSIDE_V2 = point((M + E) / 2, (S + N) / 2)
OUTSIDE = point(E + 0.05, N + 0.05)


def _site(**over):
    props = {
        "site_id": "S9",
        "name_zh": "新基地",
        "kind": "demo_base",
        "industry_zh": "蔬菜",
        "village_code": "V1",
    }
    return {**props, **over}


def test_a_good_new_site_passes_and_is_typed():
    typed, problems = validate(
        "sites", _site(area_mu="12.5", households="30"), make_bundle(), geometry=INSIDE_V1, new=True
    )
    assert problems == []
    assert typed["area_mu"] == 12.5 and typed["households"] == 30


@pytest.mark.parametrize(
    ("over", "geometry", "field", "words"),
    [
        ({"name_zh": ""}, INSIDE_V1, "name_zh", "请填写"),
        ({"kind": "castle"}, INSIDE_V1, "kind", "不是可选值"),
        ({"area_mu": -1}, INSIDE_V1, "area_mu", "不能小于"),
        ({"established": 1800}, INSIDE_V1, "established", "不能小于"),
        ({"households": "很多"}, INSIDE_V1, "households", "应为数字"),
        ({"households": 2.5}, INSIDE_V1, "households", "整数"),
        ({"village_code": "V9"}, INSIDE_V1, "village_code", "不存在"),
        ({"site_id": "S1"}, INSIDE_V1, "site_id", "已被使用"),
        ({}, None, "geometry", "画出位置"),
        ({}, OUTSIDE, "geometry", "边界之外"),
        ({}, {"type": "LineString", "coordinates": [[W, S], [M, N]]}, "geometry", "应为"),
        (
            {},
            {"type": "Polygon", "coordinates": [[[W, S], [M, N], [M, S], [W, N], [W, S]]]},
            "geometry",
            "无效",
        ),
    ],
)
def test_each_problem_names_its_field(over, geometry, field, words):
    _, problems = validate("sites", _site(**over), make_bundle(), geometry=geometry, new=True)
    assert [p.field for p in problems] == [field]
    assert words in problems[0].message("zh") and problems[0].message("en")


def test_links_of_party_orgs_and_indicators_must_resolve():
    bundle = make_bundle()
    org = {
        "org_id": "G9",
        "name_zh": "新党小组",
        "level": "group",
        "parent_id": "B9",
        "members": 3,
        "site_id": "S404",
        "village_code": "V1",
    }
    _, problems = validate("party_orgs", org, bundle, geometry=INSIDE_V1, new=True)
    assert {p.field for p in problems} == {"parent_id", "site_id"}
    row = {"place_code": "X", "year": 2025, "indicator": "nope", "value": 1}
    _, problems = validate("indicators", row, bundle)
    assert {p.field for p in problems} == {"indicator", "place_code"}


def test_the_village_comes_from_the_location():
    bundle = make_bundle()
    assert village_at(bundle, INSIDE_V1) == "V1"
    assert village_at(bundle, INSIDE_V2) == "V2"
    assert village_at(bundle, OUTSIDE) is None
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [M + 0.001, S + 0.001],
                [M + 0.003, S + 0.001],
                [M + 0.003, S + 0.003],
                [M + 0.001, S + 0.001],
            ]
        ],
    }
    assert village_at(bundle, square) == "V2"


def test_new_ids_follow_the_layers_style():
    bundle = make_bundle()
    assert next_id(bundle, "sites") == "S5"
    assert next_id(bundle, "party_orgs") in {"B4", "G3"}
    bundle.sites["site_id"] = ["S001", "S002", "S010", "S003"]
    assert next_id(bundle, "sites") == "S011"


def test_coerce_reads_what_people_type():
    flag = next(f for f in SITES.fields if f.name == "established")
    assert coerce(" 2020 ", flag) == (2020, None)
    assert coerce("", flag) == (None, None)
    assert coerce("二〇二〇", flag)[1] is not None


def test_table_changes_find_new_changed_and_deleted_rows():
    original = {
        "V1|2024|x": record(
            "indicators", {"place_code": "V1", "year": 2024, "indicator": "x", "value": 1.0}, None
        ),
        "V1|2025|x": record(
            "indicators", {"place_code": "V1", "year": 2025, "indicator": "x", "value": 2.0}, None
        ),
    }
    rows = [
        {"place_code": "V1", "year": 2024, "indicator": "x", "value": 1.0},  # unchanged
        {"place_code": "V1", "year": "2026", "indicator": "x", "value": "3"},  # new, typed
        {"place_code": None, "year": None, "indicator": None, "value": None},  # empty row
    ]
    upserts, deletes = table_changes("indicators", original, rows)
    assert [u["properties"]["year"] for u in upserts] == [2026]
    assert upserts[0]["properties"]["value"] == 3.0
    assert deletes == ["V1|2025|x"]


def test_differences_list_fields_and_geometry():
    a = record("sites", _site(), INSIDE_V1)
    b = record("sites", _site(name_zh="改名"), INSIDE_V2)
    assert [d[0] for d in differences("sites", a, b)] == ["name_zh", "geometry"]
    assert differences("sites", a, a) == []
    assert len(differences("sites", a, None)) >= 5
