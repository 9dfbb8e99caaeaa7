"""The files backend's own part of a save: file modes and owners kept, history settled on
opening (issue 15, deliverable 9 and item 12)."""

from __future__ import annotations

import copy
import fcntl
import os
import stat
from pathlib import Path

import pytest

from township_atlas.storage.changes import ChangeSet, feature_version
from township_atlas.storage.files import history
from township_atlas.storage.files.saving import FAULTS, LOCK_FILE, replace_file, write_temp_beside
from township_atlas.storage.files.store import Store
from township_atlas.storage.opening import open_store


def _rename_site(folder: Path, name: str) -> None:
    store = Store(folder)
    site = store.read_records("sites")["S001"]
    feature = copy.deepcopy(site)
    feature["properties"]["name_zh"] = name
    store.save(ChangeSet("sites", "t", upserts=[feature], base={"S001": feature_version(site)}))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640])
def test_a_save_keeps_the_layer_files_mode(sample_dir, mode):
    layer = sample_dir / "sites.geojson"
    layer.chmod(mode)
    _rename_site(sample_dir, "权限不变")
    assert "权限不变" in layer.read_text(encoding="utf-8")
    assert _mode(layer) == mode


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_gets_the_umasks_default_mode(tmp_path, umask):
    old = os.umask(umask)
    try:
        new = tmp_path / "new.yaml"
        replace_file(write_temp_beside(new, "a: 1\n"), new)
        # What open() would have made, not mkstemp's 0600.
        (tmp_path / "plain.yaml").write_text("a: 1\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.yaml") == 0o666 & ~umask == _mode(tmp_path / "plain.yaml")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_a_save_keeps_the_layer_files_owner_where_it_may(sample_dir):
    layer = sample_dir / "sites.geojson"
    os.chown(layer, 65534, 65534)
    layer.chmod(0o664)
    _rename_site(sample_dir, "属主不变")
    st = layer.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o664)


def _crash_at(folder: Path, step: str, name: str) -> None:
    FAULTS.fail_at = step
    try:
        with pytest.raises(OSError, match="injected"):
            _rename_site(folder, name)
    finally:
        FAULTS.fail_at = None


def _pending(folder: Path) -> list[Path]:
    return sorted((folder / history.HISTORY_DIR).glob("*.pending.json"))


def test_opening_the_store_settles_a_save_that_landed_before_a_crash(data_env):
    _crash_at(data_env, "replaced", "替换后崩溃")  # the file is new, its entry pending
    assert _pending(data_env) and Store(data_env).entries() == []
    store = open_store(storage_name="files")
    assert not _pending(data_env)
    assert [e.note for e in store.entries()] == [""] and store.entries()[0].user == "t"


def test_opening_the_store_drops_the_entry_of_a_save_that_did_not_land(data_env):
    before = (data_env / "sites.geojson").read_bytes()
    _crash_at(data_env, "history_pending", "未落地")  # entry pending, file still old
    assert _pending(data_env) and list(data_env.glob(".sites.geojson.*.tmp")) == []
    store = open_store(storage_name="files")
    assert not _pending(data_env) and store.entries() == []
    assert (data_env / "sites.geojson").read_bytes() == before


def test_opening_never_waits_for_a_running_save_and_settles_on_a_later_open(data_env):
    _crash_at(data_env, "replaced", "稍后核对")
    with open(data_env / LOCK_FILE, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a save of another process is running
        open_store(storage_name="files")
        assert _pending(data_env)  # left to that save
        fcntl.flock(held, fcntl.LOCK_UN)
    assert [e.seq for e in open_store(storage_name="files").entries()] == [1]
    assert not _pending(data_env)
