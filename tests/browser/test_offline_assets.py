"""Real browser, no internet: a Streamlit page with a localized st_folium map draws it.

Every request from other hosts is recorded (iframes included, at the context level) and then
aborted, so the test behaves the same on a machine that is online.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # helpers.py, whatever pytest's import mode

from helpers import block_remote, is_local_url, launch_chromium, require_browser, streamlit_server

SRC = Path(__file__).resolve().parents[2] / "src"

APP = textwrap.dedent(
    """
    from pathlib import Path

    import folium
    import streamlit as st
    from folium.plugins import MarkerCluster
    from streamlit_folium import st_folium

    from township_atlas.maps.offline_assets import (
        FullscreenControl, install_assets, make_map, missing_assets_message,
    )

    report = install_assets(Path(__file__).parent / "static")
    if not report.ok:
        st.error(missing_assets_message(report, "en"))
        st.stop()
    m = make_map(location=[30.0, 120.05], zoom_start=11, control_scale=True)
    cluster = MarkerCluster().add_to(m)
    folium.Marker([30.0, 120.0], popup="a").add_to(cluster)
    folium.Marker([30.001, 120.001], popup="b").add_to(cluster)
    folium.Marker([30.03, 120.08], popup=folium.Popup("<b>村委会</b>")).add_to(m)
    folium.GeoJson({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
        "coordinates": [[[120.0, 29.95], [120.1, 29.95], [120.1, 30.05], [120.0, 29.95]]]}}
    ).add_to(m)
    FullscreenControl(title="Full screen", title_cancel="Exit full screen").add_to(m)
    st.title("offline map")
    st_folium(m, height=400, width=600, returned_objects=[], key="map")
    """
)


def _check_map(page: Any) -> None:
    """Wait until the st_folium iframe shows the drawn map; raises Playwright's TimeoutError."""
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]')
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    # The polygon's SVG path only exists once every script loaded and the map ran.
    frame.locator(".leaflet-container path.leaflet-interactive").wait_for(timeout=30_000)
    frame.locator(".marker-cluster").wait_for(timeout=10_000)
    frame.locator(".atlas-fullscreen a").wait_for(timeout=10_000)
    marker = frame.locator("img.leaflet-marker-icon")
    marker.wait_for(timeout=10_000)
    page.wait_for_function(
        "el => el.getBoundingClientRect().height > 0", arg=iframe.element_handle()
    )
    container = frame.locator(".leaflet-container").bounding_box()
    assert container is not None and container["height"] > 0
    # Default marker images come from our copy (L.Icon.Default.imagePath).
    src, width = marker.evaluate("img => [img.src, img.naturalWidth]")
    assert "/app/static/vendor/leaflet-" in src and width > 0
    # jQuery is needed for folium.Popup: clicking a marker must open its popup.
    marker.click()
    frame.locator(".leaflet-popup-content b").wait_for(timeout=5_000)


def test_map_draws_offline_with_local_assets(tmp_path: Path) -> None:
    sync_playwright = require_browser()
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    app = tmp_path / "app.py"
    app.write_text(APP, encoding="utf-8")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(
        "[server]\nenableStaticServing = true\n[browser]\ngatherUsageStats = false\n"
    )
    pythonpath = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))

    requests: list[str] = []
    vendor_status: dict[str, int] = {}
    errors: list[str] = []
    with streamlit_server(app, env={"PYTHONPATH": pythonpath}) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            context = browser.new_context()
            context.on("request", lambda r: requests.append(r.url))
            context.on(
                "response",
                lambda r: (
                    vendor_status.__setitem__(r.url, r.status)
                    if "/app/static/vendor/" in r.url
                    else None
                ),
            )
            block_remote(context)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            page.goto(url + "/")
            try:
                _check_map(page)
            except PlaywrightTimeoutError as exc:
                remote = [u for u in requests if not is_local_url(u)]
                pytest.fail(f"map not drawn: {exc}\nremote: {remote}\nerrors: {errors}")
            page.wait_for_timeout(500)  # let late requests (if any) show up
        finally:
            browser.close()

    remote = [u for u in requests if not is_local_url(u)]
    assert remote == [], f"requests to other hosts: {remote}"
    assert vendor_status and all(s == 200 for s in vendor_status.values()), vendor_status
    assert {u.rsplit("/", 1)[1] for u in vendor_status} >= {
        "leaflet.js",
        "leaflet.css",
        "jquery.min.js",
        "leaflet.markercluster.js",
        "marker-icon.png",
    }
    assert errors == [], errors
