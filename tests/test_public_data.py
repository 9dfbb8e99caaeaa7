"""Published map data follows the data and the setting: a new data version removes the
files of the versions before it (deleted features never stay public), and a server
started with anonymous viewing off serves none of what was published before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from township_atlas.maps import datafile
from township_atlas.ui import app_paths, chrome


def test_a_new_data_version_removes_the_files_of_the_old_one(tmp_path):
    folder = tmp_path / datafile.FOLDER
    old_zh = datafile.publish(tmp_path, b'{"deleted site": 1, "lang": "zh"}', "version-1")
    old_en = datafile.publish(tmp_path, b'{"deleted site": 1, "lang": "en"}', "version-1")
    # Both languages of the current version stay (pages in either language use them).
    assert {p.name for p in folder.glob("*.json")} == {
        old_zh.rsplit("/", 1)[1],
        old_en.rsplit("/", 1)[1],
    }
    new_zh = datafile.publish(tmp_path, b'{"lang": "zh"}', "version-2")
    new_en = datafile.publish(tmp_path, b'{"lang": "en"}', "version-2")
    names = {p.name for p in folder.glob("*.json")}
    assert names == {new_zh.rsplit("/", 1)[1], new_en.rsplit("/", 1)[1]}
    assert not any(b"deleted site" in p.read_bytes() for p in folder.glob("*.json"))
    # A file from before version tags (an older release) goes too.
    (folder / ("0" * 32 + ".json")).write_bytes(b"{}")
    datafile.publish(tmp_path, b'{"lang": "zh", "v": 3}', "version-3")
    assert len(list(folder.glob("*.json"))) == 1


def test_the_prefetch_script_accepts_the_new_names():
    name = datafile.file_name(b"{}", "v")
    assert name.split("-")[0] == datafile.version_tag("v") and name.endswith(".json")
    pattern = re.search(rb"/\^(.*)\$/", datafile.PREFETCH_JS).group(1).decode()
    assert re.fullmatch(pattern, name)  # the script starts the fetch for this file


@pytest.fixture
def static_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(app_paths, "static_dir", lambda: tmp_path)
    monkeypatch.setattr(chrome, "_started", False)
    datafile.publish(tmp_path, b'{"site": "secret"}', "version-1")
    (tmp_path / datafile.FOLDER / ".half-written.json.123.tmp").write_bytes(b"{")
    return tmp_path


def test_start_up_with_anonymous_viewing_off_empties_the_public_folder(static_dir, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    chrome.start_up_once()
    folder = static_dir / datafile.FOLDER
    assert not list(folder.glob("*.json")) and not list(folder.glob(".*.tmp"))
    # Once per process: a file published later (the setting cannot change meanwhile) is
    # not looked for on every run.
    datafile.publish(static_dir, b"{}", "version-2")
    chrome.start_up_once()
    assert len(list(folder.glob("*.json"))) == 1


def test_start_up_with_anonymous_viewing_on_keeps_the_files(static_dir, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "true")
    chrome.start_up_once()
    assert len(list((static_dir / datafile.FOLDER).glob("*.json"))) == 1


def test_a_setting_that_cannot_be_read_publishes_nothing(static_dir, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "maybe")
    chrome.start_up_once()
    assert not list((static_dir / datafile.FOLDER).glob("*.json"))
