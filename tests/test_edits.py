"""Safe saves: versions and conflicts, checks before saving, atomic writes under injected
failures, history with undo and restore, and two processes saving at once."""

from __future__ import annotations

import copy
import multiprocessing
from pathlib import Path

import pytest

from township_atlas.model.schema import SITES
from township_atlas.storage.changes import (
    ChangeSet,
    CheckFailedError,
    ConflictError,
    feature_version,
)
from township_atlas.storage.files import history
from township_atlas.storage.files.saving import FAULTS, STEPS
from township_atlas.storage.files.store import Store, read_records, save, undo
from township_atlas.storage.formats import read_geojson
from township_atlas.storage.layer_codec import codec, frame_features


def _sites(folder: Path) -> dict:
    return frame_features(read_geojson(folder / "sites.geojson", SITES), SITES)


def _renamed(folder: Path, site_id: str, name: str) -> tuple[dict, str]:
    feature = copy.deepcopy(_sites(folder)[site_id])
    version = feature_version(feature)
    feature["properties"]["name_zh"] = name
    return feature, version


def _renamed_in(store, site_id: str, name: str) -> tuple[dict, str]:
    feature = copy.deepcopy(store.read_records("sites")[site_id])
    version = feature_version(feature)
    feature["properties"]["name_zh"] = name
    return feature, version


def _layer_text(store, layer: str) -> str:
    """The layer's file: the folder's, or what copying the township out would write."""
    if isinstance(store, Store):
        return (store.path / codec(layer).filename).read_text(encoding="utf-8")
    from township_atlas.storage.layer_codec import layer_text

    return layer_text(layer, list(store.read_records(layer).values()))


def _untouched(store, layer: str) -> tuple:
    """What a refused save must leave as it was: the records, the history and, in a
    folder, the layer file's bytes."""
    state = (store.read_records(layer), [e.seq for e in store.entries()])
    if isinstance(store, Store):
        state += ((store.path / codec(layer).filename).read_bytes(),)
    return state


def _new_demo_base(site_id: str = "S900") -> dict:
    # Inside village V03 of the sample (its representative point).
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [0, 0]},
        "properties": {
            "site_id": site_id,
            "name_zh": "新建示范基地",
            "kind": "demo_base",
            "industry_zh": "中药材",
            "village_code": "V03",
        },
    }


def _placed(store, feature: dict, village: str = "V03") -> dict:
    b = store.load().bundle
    p = b.villages[b.villages.code == village].geometry.iloc[0].representative_point()
    feature["geometry"]["coordinates"] = [round(p.x, 7), round(p.y, 7)]
    return feature


def test_a_new_site_is_saved_and_recorded_with_its_user(store):
    feature = _placed(store, _new_demo_base())
    result = store.save(ChangeSet("sites", "planner-li", upserts=[feature], base={"S900": None}))
    assert "S900" in store.read_records("sites")
    entry = store.entry(result.seq)
    assert entry.user == "planner-li" and entry.changes[0]["before"] is None
    assert store.load().findings == []


def test_saves_of_different_features_both_land(store):
    a, va = _renamed_in(store, "S001", "甲")
    b, vb = _renamed_in(store, "S002", "乙")  # both read before either saved
    store.save(ChangeSet("sites", "one", upserts=[a], base={"S001": va}))
    store.save(ChangeSet("sites", "two", upserts=[b], base={"S002": vb}))
    sites = store.read_records("sites")
    assert sites["S001"]["properties"]["name_zh"] == "甲"
    assert sites["S002"]["properties"]["name_zh"] == "乙"


def test_a_stale_save_of_the_same_feature_is_refused_with_both_versions(store):
    first, v = _renamed_in(store, "S001", "先保存的名字")
    second, _ = _renamed_in(store, "S001", "后保存的名字")
    store.save(ChangeSet("sites", "one", upserts=[first], base={"S001": v}))
    before = _untouched(store, "sites")
    with pytest.raises(ConflictError) as caught:
        store.save(ChangeSet("sites", "two", upserts=[second], base={"S001": v}))
    conflict = caught.value.conflicts[0]
    assert conflict.theirs["properties"]["name_zh"] == "先保存的名字"
    assert conflict.mine["properties"]["name_zh"] == "后保存的名字"
    assert "S001" in caught.value.message_zh
    assert _untouched(store, "sites") == before


def test_a_change_that_breaks_a_rule_is_refused_and_nothing_is_written(store):
    feature, v = _renamed_in(store, "S001", "S001")
    feature["geometry"] = {"type": "Point", "coordinates": [106.5, 36.5]}  # far outside
    before = _untouched(store, "sites")
    with pytest.raises(CheckFailedError) as caught:
        store.save(ChangeSet("sites", "x", upserts=[feature], base={"S001": v}))
    assert {f.check for f in caught.value.findings} >= {"site_in_township"}
    assert _untouched(store, "sites") == before
    assert store.entries() == []


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_leaves_the_old_or_the_new_state(sample_dir, step):
    path = sample_dir / "sites.geojson"
    old = path.read_bytes()
    feature, v = _renamed(sample_dir, "S001", "新名字")
    FAULTS.fail_at = step
    try:
        with pytest.raises(OSError, match="injected"):
            save(sample_dir, ChangeSet("sites", "x", upserts=[feature], base={"S001": v}))
    finally:
        FAULTS.fail_at = None
    history.recover(sample_dir, {"sites": path})
    now = path.read_bytes()
    landed = now != old
    assert Store(sample_dir).load().findings == []
    assert ("新名字" in now.decode()) == landed
    # The history says exactly what the file says.
    assert len(history.entries(sample_dir)) == (1 if landed else 0)
    assert not list((sample_dir / ".history").glob("*.pending.json"))
    assert not list(sample_dir.glob(".*.tmp"))


def test_undo_restores_the_feature_and_is_itself_recorded(store):
    original = store.read_records("sites")["S001"]
    feature, v = _renamed_in(store, "S001", "改过的")
    first = store.save(ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    second = store.save(store.undo_change(first.seq, "b"))
    assert store.read_records("sites")["S001"] == original
    assert store.entry(second.seq).note == f"undo #{first.seq}"
    assert store.entry(second.seq).user == "b"


def test_undo_of_a_feature_changed_since_is_a_conflict(store):
    feature, v = _renamed_in(store, "S001", "一")
    first = store.save(ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    again, v2 = _renamed_in(store, "S001", "二")
    store.save(ChangeSet("sites", "a", upserts=[again], base={"S001": v2}))
    with pytest.raises(ConflictError):
        store.save(store.undo_change(first.seq, "b"))


def test_undo_of_an_added_feature_deletes_it(store):
    added = store.save(
        ChangeSet("sites", "a", upserts=[_placed(store, _new_demo_base())], base={"S900": None})
    )
    store.save(store.undo_change(added.seq, "a"))
    assert "S900" not in store.read_records("sites")


def test_any_earlier_version_of_a_layer_can_be_rebuilt_and_restored(store):
    original = store.read_records("sites")
    for name in ("一", "二", "三"):
        feature, v = _renamed_in(store, "S001", name)
        store.save(ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    assert store.layer_at("sites", 0) == original
    assert store.layer_at("sites", 2)["S001"]["properties"]["name_zh"] == "二"
    store.save(store.restore_change("sites", 0, "admin"))
    assert store.read_records("sites") == original
    assert store.entries()[-1].note == "restore to #0"
    # The layer comes back in its original order too (what a file shows).
    assert list(store.read_records("sites")) == list(original)


def _rename_in_process(store, site_id: str, name: str, version: str, out) -> None:
    feat = copy.deepcopy(store.read_records("sites")[site_id])
    feat["properties"]["name_zh"] = name
    try:
        store.save(ChangeSet("sites", name, upserts=[feat], base={site_id: version}))
        out.put("ok")
    except ConflictError:
        out.put("conflict")


def test_two_processes_saving_at_once_are_serialised(store):
    sites = store.read_records("sites")
    out = multiprocessing.get_context("fork").Queue()
    procs = [
        multiprocessing.get_context("fork").Process(
            target=_rename_in_process,
            args=(store, sid, f"进程{sid}", feature_version(sites[sid]), out),
        )
        for sid in ("S001", "S002", "S003", "S004")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sorted(out.get() for _ in procs) == ["ok"] * 4
    now = store.read_records("sites")
    assert all(
        now[s]["properties"]["name_zh"] == f"进程{s}" for s in ("S001", "S002", "S003", "S004")
    )
    assert [e.seq for e in store.entries()] == [1, 2, 3, 4]


# --- tables and plans -----------------------------------------------------------------
def test_an_indicator_row_is_keyed_by_place_year_and_indicator(store):
    rows = store.read_records("indicators")
    key = "V01|2023|collective_income"
    assert key in rows
    row = copy.deepcopy(rows[key])
    row["properties"]["value"] = 99.5
    change = ChangeSet("indicators", "planner1", upserts=[row])
    change.base[key] = feature_version(rows[key])
    store.save(change)
    assert "V01,2023,collective_income,99.5," in _layer_text(store, "indicators")
    assert store.load(strict=True).bundle.indicators.shape[0] == len(rows)
    entry = store.entries("indicators")[-1]
    assert entry.user == "planner1" and entry.changes[0]["id"] == key


def test_a_stale_indicator_save_is_a_conflict(store):
    rows = store.read_records("indicators")
    key = "V02|2024|collective_income"
    base = feature_version(rows[key])
    first = copy.deepcopy(rows[key])
    first["properties"]["value"] = 1.0
    store.save(ChangeSet("indicators", "a", upserts=[first], base={key: base}))
    second = copy.deepcopy(rows[key])
    second["properties"]["value"] = 2.0
    before = _untouched(store, "indicators")
    with pytest.raises(ConflictError) as err:
        store.save(ChangeSet("indicators", "b", upserts=[second], base={key: base}))
    assert err.value.conflicts[0].theirs["properties"]["value"] == 1.0
    assert _untouched(store, "indicators") == before


def test_an_indicator_for_an_unknown_village_is_refused(store):
    row = {
        "properties": {
            "place_code": "V99",
            "year": 2025,
            "indicator": "collective_income",
            "value": 3.0,
            "target": None,
        }
    }
    before = _untouched(store, "indicators")
    with pytest.raises(CheckFailedError):
        store.save(
            ChangeSet("indicators", "a", upserts=[row], base={"V99|2025|collective_income": None}),
        )
    assert _untouched(store, "indicators") == before


def test_a_plan_is_saved_undone_and_the_rest_of_the_file_kept(store):
    plans = store.read_records("plans")
    plan = copy.deepcopy(plans["V02"])
    plan["properties"]["summary_zh"] = "新的规划摘要 <b>粗体</b> ${x}"
    result = store.save(
        ChangeSet("plans", "p", upserts=[plan], base={"V02": feature_version(plans["V02"])}),
    )
    loaded = store.load(strict=True).bundle.plans["villages"]
    assert loaded["V02"]["summary_zh"] == "新的规划摘要 <b>粗体</b> ${x}"
    assert loaded["V01"] == plans["V01"]["properties"]
    store.save(store.undo_change(result.seq, "p"))
    assert store.load(strict=True).bundle.plans["villages"]["V02"] == (plans["V02"]["properties"])


def test_a_chain_stage_row_can_be_deleted_and_restored(store):
    rows = store.read_records("chain_stages")
    key = next(iter(rows))
    result = store.save(
        ChangeSet("chain_stages", "p", deletes=[key], base={key: feature_version(rows[key])}),
    )
    assert key not in store.read_records("chain_stages")
    store.save(
        store.restore_change("chain_stages", result.seq - 1 if result.seq > 1 else 0, "admin")
    )
    assert store.read_records("chain_stages") == rows


# --- faults in undo, import, tables, and a real kill ---------------------------------
def _consistent(folder: Path, layer_file: str, layer: str, expect_entries: set[int]) -> bool:
    """After recovery: every file loads, the history matches the files, no leftovers.
    Returns whether the last change landed."""
    history.recover(folder, {layer: folder / layer_file})
    assert [f for f in Store(folder).load().findings if f.severity == "error"] == []
    assert not list((folder / ".history").glob("*.pending.json"))
    assert not list(folder.glob(".*.tmp"))
    seqs = {e.seq for e in history.entries(folder)}
    assert seqs in (expect_entries, expect_entries | {max(expect_entries, default=0) + 1})
    return len(seqs) > len(expect_entries)


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_of_an_undo_leaves_a_consistent_store(sample_dir, step):
    feature, v = _renamed(sample_dir, "S001", "要撤销的")
    first = save(sample_dir, ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    FAULTS.fail_at = step
    try:
        with pytest.raises(OSError, match="injected"):
            undo(sample_dir, first.seq, "b")
    finally:
        FAULTS.fail_at = None
    landed = _consistent(sample_dir, "sites.geojson", "sites", {first.seq})
    assert ("要撤销的" in (sample_dir / "sites.geojson").read_text(encoding="utf-8")) != landed


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_of_an_import_leaves_a_consistent_store(sample_dir, step):
    from township_atlas.transfer import CrsChoice, plan_import

    bundle = Store(sample_dir).load().bundle
    p = bundle.villages.geometry.iloc[0].representative_point()
    csv = f"名称,类型,产业,经度,纬度\n导入点,示范基地,蔬菜,{p.x:.6f},{p.y:.6f}\n".encode()
    change = plan_import("a.csv", csv, "sites", bundle, crs=CrsChoice("wgs84")).to_change_set("p")
    FAULTS.fail_at = step
    try:
        with pytest.raises(OSError, match="injected"):
            save(sample_dir, change)
    finally:
        FAULTS.fail_at = None
    landed = _consistent(sample_dir, "sites.geojson", "sites", set())
    assert ("导入点" in (sample_dir / "sites.geojson").read_text(encoding="utf-8")) == landed


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_of_a_plan_save_leaves_a_consistent_store(sample_dir, step):
    plans = read_records(sample_dir, "plans")
    plan = copy.deepcopy(plans["V01"])
    plan["properties"]["summary_zh"] = "中途失败的摘要"
    change = ChangeSet("plans", "p", upserts=[plan], base={"V01": feature_version(plans["V01"])})
    FAULTS.fail_at = step
    try:
        with pytest.raises(OSError, match="injected"):
            save(sample_dir, change)
    finally:
        FAULTS.fail_at = None
    landed = _consistent(sample_dir, "plans.yaml", "plans", set())
    assert ("中途失败的摘要" in (sample_dir / "plans.yaml").read_text(encoding="utf-8")) == landed


def _save_and_die_at(folder: str, step: str, feature: dict, version: str) -> None:
    """In a child process: save, and be killed (os._exit, no cleanup) at ``step``."""
    import os

    from township_atlas.storage.files import saving as files_saving
    from township_atlas.storage.files import store as files_store

    class Killer:
        def step(self, name: str) -> None:
            if name == step:
                os._exit(9)

    files_saving.FAULTS = Killer()
    files_store.save(
        Path(folder), ChangeSet("sites", "x", upserts=[feature], base={"S001": version})
    )


@pytest.mark.parametrize("step", STEPS)
def test_a_process_killed_at_any_step_leaves_the_old_or_the_new_state(sample_dir, step):
    feature, v = _renamed(sample_dir, "S001", "被杀死时")
    proc = multiprocessing.get_context("spawn").Process(
        target=_save_and_die_at, args=(str(sample_dir), step, feature, v)
    )
    proc.start()
    proc.join(60)
    assert proc.exitcode == 9
    # The lock died with the process; the next save recovers and works.
    landed = _consistent(sample_dir, "sites.geojson", "sites", set())
    assert ("被杀死时" in (sample_dir / "sites.geojson").read_text(encoding="utf-8")) == landed
    again, v2 = _renamed(sample_dir, "S002", "之后的保存")
    save(sample_dir, ChangeSet("sites", "y", upserts=[again], base={"S002": v2}))


def test_a_crashed_save_of_one_layer_is_settled_by_the_next_save_of_another(sample_dir):
    feature, v = _renamed(sample_dir, "S001", "崩溃在替换之后")
    FAULTS.fail_at = "replaced"  # the file was replaced, the entry still pending
    try:
        with pytest.raises(OSError):
            save(sample_dir, ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    finally:
        FAULTS.fail_at = None
    plans = read_records(sample_dir, "plans")
    plan = copy.deepcopy(plans["V02"])
    plan["properties"]["summary_zh"] = "另一个图层"
    save(
        sample_dir,
        ChangeSet("plans", "b", upserts=[plan], base={"V02": feature_version(plans["V02"])}),
    )
    # The sites change landed, so its history entry must survive the plans save's recovery.
    assert [(e.layer, e.user) for e in history.entries(sample_dir)] == [
        ("sites", "a"),
        ("plans", "b"),
    ]
