"""A planner draws a new demonstration base on the editing map, fills in its form and
saves; the meeting screen (another session, on the map) shows it without a reload. And a
hostile name typed into the form shows as text everywhere and never runs."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parent))

from helpers import block_remote, streamlit_server

from township_atlas.accounts import AccountStore
from township_atlas.authz import User
from township_atlas.maps.draw_plugin import ensure
from township_atlas.storage.files import store as files_store

ROOT = Path(__file__).resolve().parents[2]
FRAME = 'iframe[title="streamlit_folium.st_folium"]'
PASSWORD = "pia-planner-pass-2"
HOSTILE = "<img src=x onerror=window.__pwned=1>${window.__pwned=2}`"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    status = ensure(ROOT / "static")
    if not status.ready:
        pytest.fail(status.message("en"))  # CI installs it; a missing tool is not a skip here
    tmp = tmp_path_factory.mktemp("edit")
    data = tmp / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    accounts = tmp / "accounts.json"
    AccountStore(accounts).add("pia", PASSWORD, "planner", actor=User("t", "admin", "console"))
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(data),
        "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(accounts),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "1",
    }
    with streamlit_server(ROOT / "app.py", env=env) as url:
        yield url, data


def _login(page, url: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("用户名").fill("pia")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("规划员").first.wait_for(timeout=30_000)


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).click()


def wait_for_symbols(page, n: int, timeout: int = 20_000) -> None:
    """Wait until the page's (newest) map shows exactly ``n`` site symbols."""
    page.wait_for_function(
        """([sel, n]) => {
            const frames = document.querySelectorAll(sel);
            const doc = frames[frames.length - 1].contentDocument;
            return doc && doc.querySelectorAll('.atlas-icon').length === n;
        }""",
        arg=[FRAME, n],
        timeout=timeout,
    )


def draw_and_save_demo_base(page, name: str) -> float:
    """On the editing page: draw a point in the middle of the map, fill in a demonstration
    base called ``name`` and save it as S043; returns when the save was clicked."""
    frame = page.frame_locator(FRAME).first
    frame.locator(".leaflet-draw-draw-marker").wait_for(timeout=45_000)
    frame.locator(".leaflet-draw-draw-marker").click()
    box = page.locator(FRAME).first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # The drawn point comes back to Python: the coordinates fill in.
    page.get_by_text("新增产业点位").wait_for(timeout=20_000)
    expect(page.get_by_label("经度(WGS84)").last).not_to_have_value("", timeout=20_000)
    page.wait_for_timeout(1500)  # let the rerun settle (stale widgets fade out)
    page.get_by_label("名称 *").fill(name)
    _choose(page, "类型 *", "示范基地")
    page.get_by_label("产业 *").fill("设施蔬菜")
    started = time.monotonic()
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存 S043").wait_for(timeout=30_000)
    return started


def test_a_drawn_demo_base_is_saved_and_shows_on_another_open_map(browser, server):
    url, data = server
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    block_remote(context)
    screen = context.new_page()  # the meeting screen: anonymous, on the map
    errors: list[str] = []
    screen.on("pageerror", lambda e: errors.append(str(e)))
    screen.goto(url)
    screen_map = screen.frame_locator(FRAME).last
    screen_map.locator(".atlas-village-label").first.wait_for(timeout=45_000)
    markers_before = screen_map.locator(".atlas-icon").count()

    planner = browser.new_context(viewport={"width": 1500, "height": 1100})
    block_remote(planner)
    page = planner.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, url)
    # In the app, not page.goto: a new page load is a new session, logged out.
    page.get_by_role("link", name="数据编辑").click()
    started = draw_and_save_demo_base(page, HOSTILE)
    saved = files_store.read_records(data, "sites")["S043"]
    assert saved["properties"]["name_zh"] == HOSTILE
    assert saved["properties"]["kind"] == "demo_base"
    assert saved["properties"]["village_code"]  # filled in from where it lies
    # The meeting screen shows one more symbol, with no reload.
    wait_for_symbols(screen, markers_before + 1)
    print(f"saved edit visible on the other map after {time.monotonic() - started:.2f} s")
    # The hostile name is text on the editing page, and ran nowhere.
    page.get_by_text(HOSTILE, exact=False).first.wait_for(timeout=10_000)
    for p in (page, screen):
        assert p.evaluate("window.__pwned") is None
        for f in p.frames:
            assert f.evaluate("window.__pwned") is None
    assert not errors, errors
    planner.close()
    context.close()
