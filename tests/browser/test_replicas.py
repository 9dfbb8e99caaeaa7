"""Two app processes on one PostGIS database (issue #9): a planner saves a new
demonstration base through one of them, and a map open on the other shows it without a
reload (PostgreSQL LISTEN/NOTIFY → the other process's live-data watcher → rerun)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import block_remote, streamlit_server
from test_edit import FRAME, PASSWORD, _login, draw_and_save_demo_base, wait_for_symbols

from township_atlas.accounts import AccountStore
from township_atlas.authz import User
from township_atlas.maps.draw_plugin import ensure

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgis


def _symbols(page) -> int:
    return page.evaluate(
        """(sel) => {
            const frames = document.querySelectorAll(sel);
            const doc = frames.length && frames[frames.length - 1].contentDocument;
            return doc ? doc.querySelectorAll('.atlas-icon').length : -1;
        }""",
        FRAME,
    )


def test_an_edit_saved_through_one_replica_shows_on_the_other(browser, pg_url, tmp_path):
    status = ensure(ROOT / "static")
    if not status.ready:
        pytest.fail(status.message("en"))
    accounts = tmp_path / "accounts.json"
    AccountStore(accounts).add("pia", PASSWORD, "planner", actor=User("t", "admin", "console"))
    env = {
        "TOWNSHIP_ATLAS_STORAGE": "postgis",
        "TOWNSHIP_ATLAS_DATABASE_URL": pg_url,
        "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(accounts),
        # The browsers' own check would come only after 5 × 60 s: what shows is pushed.
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "60",
    }
    with (
        streamlit_server(ROOT / "app.py", env=env) as url_a,
        streamlit_server(ROOT / "app.py", env=env) as url_b,
    ):
        assert url_a != url_b
        viewer = browser.new_context(viewport={"width": 1400, "height": 900})
        block_remote(viewer)
        screen = viewer.new_page()
        screen.goto(url_b)
        screen.frame_locator(FRAME).last.locator(".atlas-village-label").first.wait_for(
            timeout=60_000
        )
        before = _symbols(screen)
        assert before > 0

        planner = browser.new_context(viewport={"width": 1500, "height": 1100})
        block_remote(planner)
        page = planner.new_page()
        _login(page, url_a)
        page.get_by_role("link", name="数据编辑").click()
        draw_and_save_demo_base(page, "复制测试示范基地")
        started = time.monotonic()
        wait_for_symbols(screen, before + 1)
        print(f"visible on the other replica {time.monotonic() - started:.2f} s after saving")
        planner.close()
        viewer.close()
