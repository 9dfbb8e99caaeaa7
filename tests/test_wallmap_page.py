"""AppTest of the map page's wall map: a viewer gets no button, a planner gets the file on
the click (the same bytes as the command for the same choices), and a planner demoted
between drawing and clicking gets a refusal and no file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from township_atlas.accounts import AccountStore
from township_atlas.ui import auth
from township_atlas.wallmap import __main__ as command

from .accounts_helpers import CONSOLE, Clock, fast_hasher, install_accounts
from .apptest import open_page

MAKE = "wallmap_make"


@pytest.fixture
def accounts(data_env, tmp_path, monkeypatch) -> AccountStore:
    return AccountStore(install_accounts(tmp_path, monkeypatch), hasher=fast_hasher())


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth, "clock", clock)
    return clock


@pytest.fixture
def files(monkeypatch) -> list[tuple[bytes, str | None]]:
    """The bytes of every file the app hands to the browser in this test."""
    made: list[tuple[bytes, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            made.append((path_or_data, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return made


def map_page(name: str, clock: Clock):
    at = open_page("pages/map.py", login_as=name, last_seen=clock(), timeout=180)
    assert not at.exception
    return at


def test_a_viewer_gets_no_wall_map(accounts, clock):
    at = map_page("vic", clock)
    assert MAKE not in [b.key for b in at.button]
    assert not [e for e in at.expander if "挂图" in e.label]


def test_a_planner_gets_the_same_file_as_the_command(accounts, clock, files, data_env, tmp_path):
    at = map_page("pia", clock)
    at.selectbox(key="wallmap_paper").set_value("A3")
    at.selectbox(key="wallmap_orientation").set_value("portrait")
    at.selectbox(key="wallmap_village").set_value("V02")
    at.run()
    assert not at.get("download_button")  # nothing made before the click
    at.button(key=MAKE).click()
    at.run()
    assert not at.exception
    (offered,) = at.get("download_button")
    assert offered.proto.label.endswith(".pdf")
    (made, _name) = files[-1]
    out = tmp_path / "wall.pdf"
    args = [str(data_env), "--size", "A3", "--orientation", "portrait", "--village", "V02"]
    assert command.main([*args, "--date", dt.date.today().isoformat(), "--out", str(out)]) == 0
    assert made.startswith(b"%PDF") and made == out.read_bytes()


def test_a_planner_demoted_before_the_click_gets_no_file(accounts, clock, files):
    at = map_page("pia", clock)
    accounts.set_role("pia", "viewer", actor=CONSOLE)
    at.button(key=MAKE).click()
    at.run()
    assert not at.exception
    assert not at.get("download_button") and not files
    assert MAKE not in [b.key for b in at.button]  # and the button is gone for a viewer


def test_the_page_script_stays_small():
    """The map page only calls the wall map's helper (others edit the page too)."""
    page = (Path(__file__).resolve().parent.parent / "pages" / "map.py").read_text("utf-8")
    assert page.count("wall_map") == 2
