"""Safe saves: versions and conflicts, checks before saving, atomic writes under injected
failures, history with undo and restore, and two processes saving at once."""

from __future__ import annotations

import copy
import json
import multiprocessing
from pathlib import Path

import pytest

from township_atlas import history
from township_atlas.edits import (
    FAULTS,
    STEPS,
    ChangeSet,
    CheckFailedError,
    ConflictError,
    feature_version,
    frame_features,
    layer_at,
    read_records,
    restore,
    save,
    undo,
)
from township_atlas.layers_io import read_geojson
from township_atlas.schema import SITES
from township_atlas.store import Store


def _sites(folder: Path) -> dict:
    return frame_features(read_geojson(folder / "sites.geojson", SITES), SITES)


def _renamed(folder: Path, site_id: str, name: str) -> tuple[dict, str]:
    feature = copy.deepcopy(_sites(folder)[site_id])
    version = feature_version(feature)
    feature["properties"]["name_zh"] = name
    return feature, version


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


def _placed(folder: Path, feature: dict, village: str = "V03") -> dict:
    b = Store(folder).load().bundle
    p = b.villages[b.villages.code == village].geometry.iloc[0].representative_point()
    feature["geometry"]["coordinates"] = [round(p.x, 7), round(p.y, 7)]
    return feature


def test_a_new_site_is_saved_and_recorded_with_its_user(sample_dir):
    feature = _placed(sample_dir, _new_demo_base())
    result = save(
        sample_dir, ChangeSet("sites", "planner-li", upserts=[feature], base={"S900": None})
    )
    assert "S900" in _sites(sample_dir)
    entry = history.entry(sample_dir, result.seq)
    assert entry.user == "planner-li" and entry.changes[0]["before"] is None
    assert Store(sample_dir).load().findings == []


def test_saves_of_different_features_both_land(sample_dir):
    a, va = _renamed(sample_dir, "S001", "甲")
    b, vb = _renamed(sample_dir, "S002", "乙")  # both read before either saved
    save(sample_dir, ChangeSet("sites", "one", upserts=[a], base={"S001": va}))
    save(sample_dir, ChangeSet("sites", "two", upserts=[b], base={"S002": vb}))
    sites = _sites(sample_dir)
    assert sites["S001"]["properties"]["name_zh"] == "甲"
    assert sites["S002"]["properties"]["name_zh"] == "乙"


def test_a_stale_save_of_the_same_feature_is_refused_with_both_versions(sample_dir):
    first, v = _renamed(sample_dir, "S001", "先保存的名字")
    second, _ = _renamed(sample_dir, "S001", "后保存的名字")
    save(sample_dir, ChangeSet("sites", "one", upserts=[first], base={"S001": v}))
    before = (sample_dir / "sites.geojson").read_bytes()
    with pytest.raises(ConflictError) as caught:
        save(sample_dir, ChangeSet("sites", "two", upserts=[second], base={"S001": v}))
    conflict = caught.value.conflicts[0]
    assert conflict.theirs["properties"]["name_zh"] == "先保存的名字"
    assert conflict.mine["properties"]["name_zh"] == "后保存的名字"
    assert "S001" in caught.value.message_zh
    assert (sample_dir / "sites.geojson").read_bytes() == before


def test_a_change_that_breaks_a_rule_is_refused_and_nothing_is_written(sample_dir):
    feature, v = _renamed(sample_dir, "S001", "S001")
    feature["geometry"] = {"type": "Point", "coordinates": [106.5, 36.5]}  # far outside
    before = (sample_dir / "sites.geojson").read_bytes()
    with pytest.raises(CheckFailedError) as caught:
        save(sample_dir, ChangeSet("sites", "x", upserts=[feature], base={"S001": v}))
    assert {f.check for f in caught.value.findings} >= {"site_in_township"}
    assert (sample_dir / "sites.geojson").read_bytes() == before
    assert history.entries(sample_dir) == []


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


def test_undo_restores_the_feature_and_is_itself_recorded(sample_dir):
    original = _sites(sample_dir)["S001"]
    feature, v = _renamed(sample_dir, "S001", "改过的")
    first = save(sample_dir, ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    second = undo(sample_dir, first.seq, "b")
    assert _sites(sample_dir)["S001"] == original
    assert history.entry(sample_dir, second.seq).note == f"undo #{first.seq}"


def test_undo_of_a_feature_changed_since_is_a_conflict(sample_dir):
    feature, v = _renamed(sample_dir, "S001", "一")
    first = save(sample_dir, ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    again, v2 = _renamed(sample_dir, "S001", "二")
    save(sample_dir, ChangeSet("sites", "a", upserts=[again], base={"S001": v2}))
    with pytest.raises(ConflictError):
        undo(sample_dir, first.seq, "b")


def test_undo_of_an_added_feature_deletes_it(sample_dir):
    added = save(
        sample_dir,
        ChangeSet(
            "sites", "a", upserts=[_placed(sample_dir, _new_demo_base())], base={"S900": None}
        ),
    )
    undo(sample_dir, added.seq, "a")
    assert "S900" not in _sites(sample_dir)


def test_any_earlier_version_of_a_layer_can_be_rebuilt_and_restored(sample_dir):
    original = _sites(sample_dir)
    for name in ("一", "二", "三"):
        feature, v = _renamed(sample_dir, "S001", name)
        save(sample_dir, ChangeSet("sites", "a", upserts=[feature], base={"S001": v}))
    assert layer_at(sample_dir, "sites", 0) == original
    assert layer_at(sample_dir, "sites", 2)["S001"]["properties"]["name_zh"] == "二"
    restore(sample_dir, "sites", 0, "admin")
    assert _sites(sample_dir) == original
    assert history.entries(sample_dir)[-1].note == "restore to #0"


def _rename_in_process(folder: str, site_id: str, name: str, version: str, out) -> None:
    feature = json.loads(Path(folder, "sites.geojson").read_text(encoding="utf-8"))
    feat = next(f for f in feature["features"] if f["properties"]["site_id"] == site_id)
    feat["properties"]["name_zh"] = name
    try:
        save(Path(folder), ChangeSet("sites", name, upserts=[feat], base={site_id: version}))
        out.put("ok")
    except ConflictError:
        out.put("conflict")


def test_two_processes_saving_at_once_are_serialised(sample_dir):
    sites = _sites(sample_dir)
    out = multiprocessing.get_context("fork").Queue()
    procs = [
        multiprocessing.get_context("fork").Process(
            target=_rename_in_process,
            args=(str(sample_dir), sid, f"进程{sid}", feature_version(sites[sid]), out),
        )
        for sid in ("S001", "S002", "S003", "S004")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sorted(out.get() for _ in procs) == ["ok"] * 4
    now = _sites(sample_dir)
    assert all(
        now[s]["properties"]["name_zh"] == f"进程{s}" for s in ("S001", "S002", "S003", "S004")
    )
    assert [e.seq for e in history.entries(sample_dir)] == [1, 2, 3, 4]


# --- tables and plans -----------------------------------------------------------------
def test_an_indicator_row_is_keyed_by_place_year_and_indicator(sample_dir):
    rows = read_records(sample_dir, "indicators")
    key = "V01|2023|collective_income"
    assert key in rows
    row = copy.deepcopy(rows[key])
    row["properties"]["value"] = 99.5
    change = ChangeSet("indicators", "planner1", upserts=[row])
    change.base[key] = feature_version(rows[key])
    save(sample_dir, change)
    text = (sample_dir / "indicators.csv").read_text(encoding="utf-8")
    assert "V01,2023,collective_income,99.5," in text
    assert Store(sample_dir).load(strict=True).bundle.indicators.shape[0] == len(rows)
    entry = history.entries(sample_dir, "indicators")[-1]
    assert entry.user == "planner1" and entry.changes[0]["id"] == key


def test_a_stale_indicator_save_is_a_conflict(sample_dir):
    rows = read_records(sample_dir, "indicators")
    key = "V02|2024|collective_income"
    base = feature_version(rows[key])
    first = copy.deepcopy(rows[key])
    first["properties"]["value"] = 1.0
    save(sample_dir, ChangeSet("indicators", "a", upserts=[first], base={key: base}))
    second = copy.deepcopy(rows[key])
    second["properties"]["value"] = 2.0
    before = (sample_dir / "indicators.csv").read_bytes()
    with pytest.raises(ConflictError) as err:
        save(sample_dir, ChangeSet("indicators", "b", upserts=[second], base={key: base}))
    assert err.value.conflicts[0].theirs["properties"]["value"] == 1.0
    assert (sample_dir / "indicators.csv").read_bytes() == before


def test_an_indicator_for_an_unknown_village_is_refused(sample_dir):
    row = {
        "properties": {
            "place_code": "V99",
            "year": 2025,
            "indicator": "collective_income",
            "value": 3.0,
            "target": None,
        }
    }
    before = (sample_dir / "indicators.csv").read_bytes()
    with pytest.raises(CheckFailedError):
        save(
            sample_dir,
            ChangeSet("indicators", "a", upserts=[row], base={"V99|2025|collective_income": None}),
        )
    assert (sample_dir / "indicators.csv").read_bytes() == before


def test_a_plan_is_saved_undone_and_the_rest_of_the_file_kept(sample_dir):
    plans = read_records(sample_dir, "plans")
    plan = copy.deepcopy(plans["V02"])
    plan["properties"]["summary_zh"] = "新的规划摘要 <b>粗体</b> ${x}"
    result = save(
        sample_dir,
        ChangeSet("plans", "p", upserts=[plan], base={"V02": feature_version(plans["V02"])}),
    )
    loaded = Store(sample_dir).load(strict=True).bundle.plans["villages"]
    assert loaded["V02"]["summary_zh"] == "新的规划摘要 <b>粗体</b> ${x}"
    assert loaded["V01"] == plans["V01"]["properties"]
    undo(sample_dir, result.seq, "p")
    assert (
        Store(sample_dir).load(strict=True).bundle.plans["villages"]["V02"]
        == (plans["V02"]["properties"])
    )


def test_a_chain_stage_row_can_be_deleted_and_restored(sample_dir):
    rows = read_records(sample_dir, "chain_stages")
    key = next(iter(rows))
    result = save(
        sample_dir,
        ChangeSet("chain_stages", "p", deletes=[key], base={key: feature_version(rows[key])}),
    )
    assert key not in read_records(sample_dir, "chain_stages")
    restore(sample_dir, "chain_stages", result.seq - 1 if result.seq > 1 else 0, "admin")
    assert read_records(sample_dir, "chain_stages") == rows


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
    from township_atlas.transfer import plan_import

    bundle = Store(sample_dir).load().bundle
    p = bundle.villages.geometry.iloc[0].representative_point()
    csv = f"名称,类型,产业,经度,纬度\n导入点,示范基地,蔬菜,{p.x:.6f},{p.y:.6f}\n".encode()
    change = plan_import("a.csv", csv, "sites", bundle).to_change_set("p")
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

    from township_atlas import edits

    class Killer:
        def step(self, name: str) -> None:
            if name == step:
                os._exit(9)

    edits.FAULTS = Killer()
    edits.save(Path(folder), ChangeSet("sites", "x", upserts=[feature], base={"S001": version}))


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
