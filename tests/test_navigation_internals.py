"""The one Streamlit internal the app's navigation relies on, pinned by tests that fail
when an upgrade moves or renames it.

With a ``pages/`` folder beside app.py, Streamlit 1.67 starts each server in its legacy
("v1") multipage mode, decided by the class attribute ``PagesManager.uses_pages_directory``
and read by the script runner. ``ui.chrome.ensure_app_navigation`` — the only place that
touches it — switches it off when a page script runs without app.py, so a cold server's
first shared link still goes through app.py's navigation."""

from __future__ import annotations

import inspect

import pytest
from streamlit.runtime import pages_manager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from township_atlas.ui import chrome


def test_the_legacy_mode_flag_is_still_a_class_attribute_of_pages_manager():
    assert "uses_pages_directory" in vars(PagesManager)
    assert pages_manager.PagesManager is PagesManager


def test_the_script_runner_still_chooses_the_legacy_mode_by_that_flag():
    source = inspect.getsource(script_runner.ScriptRunner)
    assert "PagesManager.uses_pages_directory" in source
    assert "_mpa_v1(" in source


@pytest.mark.parametrize(("folder", "expected"), [(True, True), (False, False)])
def test_a_pages_folder_beside_the_main_script_turns_the_legacy_mode_on(
    tmp_path, monkeypatch, folder, expected
):
    main = tmp_path / "app.py"
    main.write_text("")
    if folder:
        (tmp_path / "pages").mkdir()
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(main))
    assert PagesManager.uses_pages_directory is expected


def test_ensure_app_navigation_switches_the_legacy_mode_off(monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    # Already left once in this process: no rerun (which needs a running script).
    monkeypatch.setattr(chrome, "_left_legacy_mode", True)
    chrome.ensure_app_navigation()
    assert PagesManager.uses_pages_directory is False


def test_ensure_app_navigation_leaves_app_navigation_alone(monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    monkeypatch.setattr(chrome, "_left_legacy_mode", False)
    chrome.ensure_app_navigation()  # no rerun asked for: nothing to leave
    assert PagesManager.uses_pages_directory is False
    assert chrome._left_legacy_mode is False
