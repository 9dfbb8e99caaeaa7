"""A township set up from nothing: the empty folder, the township's own record from a
boundary file and a form, which steps are done, and checks that say what is still to
import instead of failing every count."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box, mapping

from township_atlas.errors import DataFolderError, EmptyDataFolder
from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.onboard import (
    OnboardError,
    TownshipForm,
    needs_setup,
    start_township,
    step_states,
    township_change,
)
from township_atlas.onboard.township import boundary_mapping
from township_atlas.storage.files.store import DATA_FILES, Store, create_folder
from township_atlas.transfer import plan_import, suggest_mapping
from township_atlas.transfer.crs_choice import CrsChoice
from township_atlas.transfer.upload import Upload

TOWN = box(105.70, 35.96, 105.74, 35.98)
OTHER = box(105.74, 35.96, 105.78, 35.98)
WGS84 = CrsChoice("wgs84")


def _form(**changes) -> TownshipForm:
    reported = {
        "reported_area_km2": round(geodesic_area_m2(TOWN) / 1e6, 3),
        "reported_villages": 2,
        "reported_branches": 3,
        "reported_members": 23,
        "reported_rural_branches": 2,
        "reported_rural_members": 18,
    }
    reported.update(changes.pop("reported", {}))
    return TownshipForm(changes.pop("name_zh", "测试乡"), changes.pop("code", "T1"), reported)


def _boundary_file(*named: tuple[str, object]) -> bytes:
    features = [
        {"type": "Feature", "properties": {"乡镇名称": name}, "geometry": mapping(geom)}
        for name, geom in named
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _plan(store: Store, data: bytes, form: TownshipForm):
    bundle = store.load().bundle
    with Upload("乡界.geojson", data) as upload:
        raw = upload.read()
    mapping_ = boundary_mapping(suggest_mapping(raw, "township"), form, len(raw.records))
    return plan_import("乡界.geojson", data, "township", bundle, crs=WGS84, mapping=mapping_)


def _files(folder) -> dict[str, bytes]:
    # None: a file the folder does not have (photos.csv is optional).
    return {
        name: (folder / name).read_bytes() if (folder / name).exists() else None
        for name in DATA_FILES
    }


def test_an_empty_or_missing_folder_is_a_township_to_set_up(tmp_path):
    with pytest.raises(EmptyDataFolder):
        Store(tmp_path / "nothing").load()
    with pytest.raises(EmptyDataFolder):
        Store(tmp_path).load()


def test_a_new_folder_holds_every_file_and_the_reports_catalogue(tmp_path):
    store = start_township(tmp_path / "new", "planner")
    result = store.load()
    assert needs_setup(result.bundle)
    assert set(result.bundle.indicator_catalogue["key"]) >= {"collective_income", "party_members"}
    assert [f.check for f in result.errors] == ["township_count"]
    states = {s.step.key: s for s in step_states(result.bundle, result.findings)}
    assert not any(s.done for s in states.values())
    assert states["chains"].step.optional


def test_a_folder_with_data_is_never_overwritten(sample_dir):
    before = _files(sample_dir)
    with pytest.raises(DataFolderError, match="never overwritten"):
        create_folder(sample_dir)
    assert _files(sample_dir) == before


def test_the_township_is_made_from_a_one_feature_file_and_the_form(tmp_path):
    store = start_township(tmp_path, "planner")
    form = _form()
    plan = _plan(store, _boundary_file(("随便什么名字", TOWN)), form)
    store.save(township_change(plan, form, store.read_records("township"), "planner"))
    result = store.load()
    row = result.bundle.township.iloc[0]
    assert (row.code, row.name_zh, int(row.reported_members)) == ("T1", "测试乡", 23)
    assert not result.errors
    states = {s.step.key: s for s in step_states(result.bundle, result.findings)}
    assert states["township"].done and not states["villages"].done
    # Villages and organisations still to come: one note each, not failed counts.
    assert {f.check for f in result.warnings} == {"not_yet_imported"}
    assert not needs_setup(result.bundle)


def test_a_county_file_is_chosen_from_by_name(tmp_path):
    store = start_township(tmp_path, "planner")
    form = _form(name_zh="测试乡")
    data = _boundary_file(("邻乡", OTHER), ("测试 乡", TOWN))
    plan = _plan(store, data, form)
    store.save(township_change(plan, form, store.read_records("township"), "planner"))
    geom = store.load().bundle.township.geometry.iloc[0]
    assert geom.equals_exact(TOWN, 1e-6)


def test_a_name_that_fits_no_feature_lists_the_names_and_writes_nothing(tmp_path):
    store = start_township(tmp_path, "planner")
    before = _files(tmp_path)
    form = _form(name_zh="远方乡")
    plan = _plan(store, _boundary_file(("邻乡", OTHER), ("测试乡", TOWN)), form)
    with pytest.raises(OnboardError) as caught:
        township_change(plan, form, store.read_records("township"), "planner")
    assert "邻乡" in caught.value.message_zh and "测试乡" in caught.value.message_zh
    assert _files(tmp_path) == before


def test_several_polygons_without_a_name_column_are_explained(tmp_path):
    store = start_township(tmp_path, "planner")
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": mapping(g)} for g in (TOWN, OTHER)
            ],
        }
    ).encode()
    with pytest.raises(OnboardError, match="no column naming them"):
        _plan(store, data, _form())


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name_zh": " "}, "township's name"),
        ({"code": "62 05"}, "letters, digits"),
        ({"reported": {"reported_villages": 2.5}}, "whole number"),
        ({"reported": {"reported_area_km2": 0}}, "above 0"),
        ({"reported": {"reported_members": None}}, "Party members"),
    ],
)
def test_an_incomplete_form_says_what_to_fill_and_writes_nothing(tmp_path, changes, expected):
    store = start_township(tmp_path, "planner")
    plan = _plan(store, _boundary_file(("测试乡", TOWN)), _form())
    before = _files(tmp_path)
    with pytest.raises(OnboardError, match=expected):
        township_change(plan, _form(**changes), store.read_records("township"), "planner")
    assert _files(tmp_path) == before


def test_a_boundary_that_does_not_match_the_reported_area_is_refused(tmp_path):
    from township_atlas.storage.changes import CheckFailedError

    store = start_township(tmp_path, "planner")
    form = _form(reported={"reported_area_km2": 42.5})
    plan = _plan(store, _boundary_file(("测试乡", TOWN)), form)
    before = _files(tmp_path)
    with pytest.raises(CheckFailedError, match=r"reported 42\.5"):
        store.save(township_change(plan, form, store.read_records("township"), "planner"))
    assert _files(tmp_path) == before
