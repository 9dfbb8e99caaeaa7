"""The 会议汇报 page in real Chromium: full screen at 1920×1080 with nothing of
Streamlit's chrome, turned by the keys a presenter clicker sends, staying on its slide
across a reload, offline, and usable on a phone."""

from __future__ import annotations

from typing import Any

from helpers import block_remote, is_local_url

SLIDES = 12


def _open(browser, url: str, width: int = 1920, height: int = 1080) -> tuple[Any, Any, dict]:
    context = browser.new_context(viewport={"width": width, "height": height})
    seen: dict[str, list[str]] = {"requests": [], "errors": [], "failed": []}
    context.on("request", lambda r: seen["requests"].append(r.url))
    block_remote(context)
    page = context.new_page()
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("response", lambda r: seen["failed"].append(r.url) if r.status >= 400 else None)
    page.goto(url)
    return context, page, seen


def _on_slide(page, n: int) -> None:
    page.locator(f'.mtg-slide[data-slide="{n}"]').wait_for(timeout=45_000)


def test_the_slide_fills_the_screen_with_no_streamlit_chrome_and_nothing_remote(browser, app_url):
    context, page, seen = _open(browser, app_url + "/meeting?slide=3")
    _on_slide(page, 3)
    page.locator(".mtg-slide img").wait_for()
    slide = page.locator(".mtg-slide")
    assert "上庄村 · 肉牛养殖" in slide.inner_text() and "3 / 12" in slide.inner_text()
    box = slide.bounding_box()
    assert box["width"] > 1800 and box["y"] + box["height"] <= 1080
    nav = page.locator(".st-key-mtg_nav").bounding_box()
    assert nav["y"] + nav["height"] <= 1080  # the buttons are on the screen, no scrolling
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert not page.locator("header[data-testid=stHeader]").is_visible()
    # The title reads from the back of the room: at least 48 px at 1920×1080.
    size = page.locator(".mtg-head h1").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 48
    page.wait_for_timeout(500)
    assert [u for u in seen["requests"] if not is_local_url(u)] == []
    assert seen["errors"] == []
    # Streamlit probes its base path from a deep link (/meeting/_stcore/...): only those fail.
    assert all("/_stcore/" in u for u in seen["failed"]), seen["failed"]
    context.close()


def test_clicker_and_arrow_keys_turn_the_slides_and_a_reload_stays(browser, app_url):
    context, page, _seen = _open(browser, app_url + "/meeting")
    _on_slide(page, 1)
    page.locator(".st-key-mtg_next kbd").wait_for()
    page.wait_for_timeout(1000)  # the shortcut listeners attach just after the buttons draw
    for key, expected in (
        ("ArrowRight", 2),
        ("PageDown", 3),
        ("PageDown", 4),
        ("PageUp", 3),
        ("ArrowLeft", 2),
        ("End", SLIDES),
        ("ArrowRight", SLIDES),  # the last slide stays the last
        ("Home", 1),
        ("ArrowLeft", 1),
    ):
        page.keyboard.press(key)
        _on_slide(page, expected)
        page.wait_for_timeout(700)
    page.locator(".st-key-mtg_next button").click()
    _on_slide(page, 2)
    page.wait_for_function("() => location.search.includes('slide=2')", timeout=10_000)
    page.reload()
    _on_slide(page, 2)
    context.close()


def test_on_a_phone_the_slide_is_one_readable_column(browser, app_url):
    context, page, _seen = _open(browser, app_url + "/meeting?slide=4", 390, 844)
    _on_slide(page, 4)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    value = page.locator(".mtg-fig-value").first
    assert value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 20
    assert value.bounding_box()["width"] < 390
    context.close()
