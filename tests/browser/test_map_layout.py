"""The home map on a projector and a phone, measured in real Chromium by bounding boxes
(no timings): it fills the window below its controls, and its names and symbols do not
hide one another; a page's title fits a phone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import block_remote

FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SIZES = [(1920, 1080), (1366, 768), (390, 844)]


def _open(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    block_remote(context)
    page = context.new_page()
    page.goto(url)
    frame = page.frame_locator(FRAME)
    frame.locator(".leaflet-container[data-atlas-ready][data-atlas-fill]").wait_for(timeout=60_000)
    page.locator("[data-test-script-state=notRunning]").wait_for(timeout=60_000)
    return context, page


def _map_box(page) -> dict:
    """The Leaflet map's box in the page's coordinates (the frame's offset added)."""
    frame_box = page.locator(FRAME).bounding_box()
    inner = page.frame_locator(FRAME).locator(".leaflet-container").bounding_box()
    assert frame_box and inner
    assert abs(inner["width"] - frame_box["width"]) <= 2, (inner, frame_box)  # full width
    assert abs(inner["height"] - frame_box["height"]) <= 2, (inner, frame_box)
    return inner


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_home_map_fills_the_window_below_its_controls(browser, app_url, width, height):
    context, page = _open(browser, app_url, width, height)
    try:
        # Leaflet follows its frame's size; wait until the frame has taken the window's.
        page.wait_for_function(
            """([sel, vh]) => {
                const f = document.querySelector(sel);
                const r = f && f.getBoundingClientRect();
                return r && r.bottom > vh - 40 && r.bottom <= vh + 1;
            }""",
            arg=[FRAME, height],
            timeout=30_000,
        )
        box = _map_box(page)
        controls = page.get_by_text("查找村、点位或党组织").bounding_box()
        assert controls and box["y"] > controls["y"]  # below the search box
        bottom = box["y"] + box["height"]
        assert height - 40 < bottom <= height + 1, (box, height)  # down to the window's foot
        # The map is most of the first screen: on a phone too, nothing to scroll for.
        share = 0.5 if width < 640 else 0.65
        assert box["height"] >= share * height, (box, height)
        assert box["y"] < height * (0.45 if width < 640 else 0.3), box
    finally:
        context.close()


def _boxes(page, selector: str) -> list[dict]:
    return (
        page.frame_locator(FRAME)
        .locator(selector)
        .evaluate_all(
            """els => els.map(e => {
            const r = e.getBoundingClientRect();
            return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
                    text: e.textContent || e.className};
        })"""
        )
    )


def _overlap(a: dict, b: dict) -> tuple[float, float]:
    return (
        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]),
        min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]),
    )


def _settled(page) -> None:
    """Wait until the names stand still (a fit or zoom of the view has ended)."""
    page.wait_for_function(
        """(sel) => {
            const doc = document.querySelector(sel).contentDocument;
            const now = [...doc.querySelectorAll(".atlas-village-label")]
                .map(e => { const r = e.getBoundingClientRect(); return r.left + "," + r.top; })
                .join(";");
            const same = now === window.__atlasLabels;
            window.__atlasLabels = now;
            return same && !doc.querySelector(".leaflet-zoom-anim");
        }""",
        arg=FRAME,
        polling=300,
        timeout=15_000,
    )


def _assert_nothing_hidden(page, view: dict) -> None:
    _settled(page)
    symbols = _boxes(
        page, ".leaflet-atlasSites-pane .atlas-icon svg, .leaflet-atlasOrgs-pane .atlas-icon svg"
    )
    labels = _boxes(page, ".atlas-village-label")
    assert len(symbols) == 42 + 32 and len(labels) == 7
    # Zoomed in, names at or beyond the map's edge are a pan away: only whole ones count.
    labels = [
        b
        for b in labels
        if b["x0"] >= view["x"] and b["x1"] <= view["x"] + view["width"]
        if b["y0"] >= view["y"] and b["y1"] <= view["y"] + view["height"]
    ]
    for i, a in enumerate(symbols):
        for b in symbols[i + 1 :]:
            w, h = _overlap(a, b)
            assert w <= 3 or h <= 3, ("symbols overlap", a, b)
    controls = _boxes(page, ".leaflet-control")  # legend, zoom, layers, scale: on top
    for i, label in enumerate(labels):
        for c in controls:
            w, h = _overlap(label, c)
            assert w <= 1 or h <= 1, ("a name under the map's controls", label, c)
        for s in symbols:
            w, h = _overlap(label, s)
            assert w <= 1 or h <= 1, ("a name covers a symbol", label, s, view)
        for other in labels[i + 1 :]:
            w, h = _overlap(label, other)
            assert w <= 1 or h <= 1, ("names overlap", label, other)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_names_and_symbols_never_hide_one_another(browser, app_url, width, height):
    context, page = _open(browser, app_url, width, height)
    try:
        frame = page.frame_locator(FRAME)
        container = frame.locator(".leaflet-container")
        zoom = container.get_attribute("data-atlas-placed")
        assert zoom is not None
        _settled(page)
        # In the frame's own coordinates, as the names and symbols are measured.
        box = _boxes(page, ".leaflet-container")[0]
        view = {"x": box["x0"], "y": box["y0"], "width": box["x1"] - box["x0"]}
        view["height"] = box["y1"] - box["y0"]
        # The default view, the whole township: every name is on the map, none cut off.
        for b in _boxes(page, ".atlas-village-label"):
            assert b["x0"] >= view["x"] - 1 and b["x1"] <= view["x"] + view["width"] + 1, b
            assert b["y0"] >= view["y"] - 1 and b["y1"] <= view["y"] + view["height"] + 1, b
        _assert_nothing_hidden(page, view)
        for _ in range(2):  # and closer in, as a leader zooms to a village
            frame.locator(".leaflet-control-zoom-in").click()
            page.wait_for_function(
                """([sel, before]) => {
                    const doc = document.querySelector(sel).contentDocument;
                    const placed = doc.querySelector(".leaflet-container").dataset.atlasPlaced;
                    return Number(placed) > Number(before);
                }""",
                arg=[FRAME, zoom],
                timeout=15_000,
            )
            zoom = container.get_attribute("data-atlas-placed")
            _assert_nothing_hidden(page, view)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "width", "height"),
    [("/village?village=V01", 390, 844), ("/overview", 390, 844), ("/overview", 1920, 1080)],
)
def test_a_page_title_fits_a_phone_and_keeps_its_size_on_a_projector(
    browser, app_url, path, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height})
    block_remote(context)
    page = context.new_page()
    page.goto(app_url + path)
    title = page.locator('[data-testid="stMainBlockContainer"] h1').first
    title.wait_for(timeout=45_000)
    page.locator("[data-test-script-state=notRunning]").wait_for(timeout=60_000)
    # The style arrives with the app's run, as the title does; wait for the page to settle
    # to it rather than read one moment of a rerun.
    phone = width <= 640
    page.wait_for_function(
        """([sel, phone]) => {
            const h = document.querySelector(sel);
            const size = h && parseFloat(getComputedStyle(h).fontSize);
            return h && (phone ? size <= 24.5 : size >= 32);
        }""",
        arg=['[data-testid="stMainBlockContainer"] h1', phone],
        timeout=15_000,
    )
    size = float(
        page.evaluate("(h) => parseFloat(getComputedStyle(h).fontSize)", title.element_handle())
    )
    lines = title.bounding_box()["height"] / size
    if phone:
        # No larger than 1.5rem: the township's name and the page on at most two lines.
        assert size <= 24.5 and lines < 3.2, (size, lines)
    else:
        assert size >= 32, size  # the projector keeps Streamlit's large title
    context.close()
