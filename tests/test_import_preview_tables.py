"""The import preview's tables (transfer.preview_tables), built from a small plan."""

from __future__ import annotations

from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.text.labels import tr
from township_atlas.transfer import plan_import
from township_atlas.transfer.preview_tables import (
    PROBLEM_HEADERS,
    features_table,
    field_headers,
    problems_table,
    replaced_before,
)

from .factory import make_bundle
from .test_transfer_support import geojson_bytes, point_feature


def _plan():
    bundle = make_bundle()
    site = {"kind": "wealth_project", "village_code": "V1"}
    data = geojson_bytes(
        [
            point_feature(
                {**site, "site_id": "S1", "name_zh": "甲村致富项目(新)"}, 105.706, 35.966
            ),
            point_feature({**site, "site_id": "S9", "name_zh": "新项目"}, 105.707, 35.967),
            point_feature({**site, "site_id": "S8", "name_zh": "", "kind": "??"}, 105.708, 35.968),
        ]
    )
    return bundle, plan_import("a.geojson", data, "sites", bundle)


def test_the_preview_tables_have_stable_keys_and_the_replaced_geometry():
    bundle, plan = _plan()
    assert plan.replaced_ids == ["S1"] and plan.problems
    problems = problems_table(plan, "en")
    assert list(problems.columns) == list(PROBLEM_HEADERS)
    first = plan.problems[0]
    assert problems.iloc[0].to_dict() == {
        "row": first.row,
        "severity": tr(f"xfer_ui_sev_{first.severity}", "en"),
        "field": first.field or "",
        "message": first.message("en"),
    }
    assert len(problems_table(plan, "en", limit=1)) == 1
    features = features_table(plan)
    assert "geometry" not in features and {"site_id", "_row", "_status"} <= set(features)
    assert len(features_table(plan, limit=1)) == 1
    assert field_headers("sites", "zh")["site_id"] == LAYERS_BY_NAME["sites"].fields[0].label("zh")
    before = replaced_before(bundle, plan)
    assert before == [{"geometry": {"type": "Point", "coordinates": (105.705, 35.965)}}]
