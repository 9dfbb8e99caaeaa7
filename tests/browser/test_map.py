"""The township map in real Chromium, offline: every layer drawn, no request leaves the
machine, clicks select, and hostile names show literally without running."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from helpers import block_remote, is_local_url, streamlit_server

from township_atlas.text.numbers import LABEL_CHARS, shorten

ROOT = Path(__file__).resolve().parents[2]
FRAME = 'iframe[title="streamlit_folium.st_folium"]'
HOSTILE = {
    "village": '<img src=x onerror="window.__pwned=1">',
    "site": "${window.__pwned=2}`; window.__pwned=3; `",
    "org": "</script><script>window.__pwned=4</script>\"'",
    "legend": "<b onmouseover=window.__pwned=5>${window.__pwned=6}</b>",
}


def _open(browser, url: str, sent: list | None = None) -> tuple[Any, Any, list[str], list[str]]:
    """Open the app; ``sent`` collects every websocket message the page sends (a rerun
    request is one)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    block_remote(context)
    page = context.new_page()
    if sent is not None:
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(1)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    frame = page.frame_locator(FRAME)
    # Ready: every layer from the fetched data file is on the map.
    frame.locator(".leaflet-container[data-atlas-ready]").wait_for(timeout=45_000)
    # The villages: SVG paths, or one canvas for large data.
    frame.locator(
        ".leaflet-atlasVillages-pane path, .leaflet-atlasVillages-pane canvas"
    ).first.wait_for(timeout=15_000)
    return context, page, requests, errors


def test_map_draws_every_layer_offline_with_no_request_to_another_host(browser, app_url):
    context, page, requests, errors = _open(browser, app_url)
    frame = page.frame_locator(FRAME)
    villages = frame.locator(".leaflet-atlasVillages-pane path.leaflet-interactive")
    assert villages.count() == 7
    assert frame.locator(".atlas-village-label").count() == 7
    assert frame.locator(".leaflet-atlasSites-pane .atlas-sym").count() == 42
    assert frame.locator(".leaflet-atlasOrgs-pane .atlas-sym").count() == 1 + 10 + 21
    assert frame.locator(".leaflet-atlasChains-pane path").count() == 3
    legend = frame.locator(".atlas-legend").first
    assert legend.is_visible() and "图例" in legend.inner_text()
    assert frame.locator(".leaflet-control-scale").is_visible()
    assert frame.locator(".atlas-fullscreen").is_visible()
    page.wait_for_timeout(1000)
    remote = [u for u in requests if not is_local_url(u)]
    assert remote == [], remote
    assert errors == [], errors
    context.close()


def test_clicking_a_village_and_a_site_shows_their_details(browser, app_url):
    context, page, _, _ = _open(browser, app_url)
    frame = page.frame_locator(FRAME)
    frame.locator(".atlas-village-label", has_text="石岔村").wait_for()
    # Click the middle of a village polygon (labels do not catch clicks).
    frame.locator(".leaflet-atlasVillages-pane path.leaflet-interactive").nth(3).click(force=True)
    page.get_by_text("户籍人口").wait_for(timeout=15_000)
    assert "sel=village" in page.url
    frame.locator(".leaflet-atlasSites-pane .atlas-sym").first.click(force=True)
    page.get_by_text("带动农户").wait_for(timeout=15_000)
    assert "sel=site" in page.url
    context.close()


def test_pan_and_zoom_do_not_rerun_the_page(browser, app_url):
    sent: list = []
    context, page, _, _ = _open(browser, app_url, sent)
    frame = page.frame_locator(FRAME)
    page.wait_for_timeout(1500)
    before = len(sent)
    assert before > 0  # the page did talk to the server while loading
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(800)
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 420, box["y"] + 360, steps=8)
    page.mouse.up()
    page.wait_for_timeout(1500)
    # No rerun: the browser sent nothing to the server while the user panned and zoomed.
    assert len(sent) == before
    context.close()


def _hostile_copy(root: Path) -> Path:
    data = root / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    # The first village and site, and the third organisation (a Party group standing alone;
    # the committee and branches overlap at the township seat).
    for name, index, value in (
        ("villages.geojson", 0, HOSTILE["village"]),
        ("sites.geojson", 0, HOSTILE["site"]),
        ("party_orgs.geojson", 2, HOSTILE["org"]),
    ):
        path = data / name
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["features"][index]["properties"]["name_zh"] = value
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    # The indicator label reaches the choropleth legend.
    catalogue = data / "indicator_catalogue.csv"
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(
        text.replace("村集体经济收入", HOSTILE["legend"].replace(",", " ")), encoding="utf-8"
    )
    return data


def test_hostile_names_show_literally_and_run_nothing(browser, tmp_path):
    data = _hostile_copy(tmp_path)
    with streamlit_server(ROOT / "app.py", env={"TOWNSHIP_ATLAS_DATA_DIR": str(data)}) as url:
        dialogs: list[str] = []
        context, page, _, _ = _open(browser, url + "/?sel=village:V01&ind=collective_income")
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        frame = page.frame_locator(FRAME)
        labels = frame.locator(".atlas-village-label").all_inner_texts()
        # Shown literally, shortened to a label's length (maps.display: the display stays light).
        assert shorten(HOSTILE["village"], LABEL_CHARS) in labels
        # Tooltips of the hostile site and organisation.
        frame.locator(".leaflet-atlasSites-pane .atlas-sym").first.hover(force=True)
        frame.locator(".atlas-tip", has_text="window.__pwned=2").wait_for(timeout=5_000)
        frame.locator(".leaflet-atlasOrgs-pane .atlas-sym").nth(2).hover(force=True)
        frame.locator(".atlas-tip", has_text="</script>").wait_for(timeout=5_000)
        legend = frame.locator(".atlas-legend summary", has_text="window.__pwned=6")
        assert HOSTILE["legend"] in legend.inner_text()
        # The details panel shows the village name literally.
        page.get_by_text(HOSTILE["village"]).first.wait_for(timeout=10_000)
        page.wait_for_timeout(500)
        pwned = [page.evaluate("() => window.__pwned")]
        for f in page.frames:
            pwned.append(f.evaluate("() => window.__pwned"))
        assert pwned == [None] * len(pwned)
        assert dialogs == []
        assert frame.locator("img[src=x]").count() == 0
        assert frame.locator(".atlas-legend b").count() == 0
        context.close()


def test_a_county_draws_villages_on_a_canvas_and_clusters_its_sites(browser, tmp_path):
    # 60 villages and 400 sites: past the thresholds where sites are clustered, the vector
    # layers go on one canvas and the village outlines are simplified (maps/build.py).
    from township_atlas.sample import generate

    data = generate(tmp_path / "county", n_villages=60, n_sites=400)
    env = {"TOWNSHIP_ATLAS_DATA_DIR": str(data), "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0"}
    with streamlit_server(ROOT / "app.py", env=env) as url:
        sent: list = []
        context, page, requests, errors = _open(browser, url, sent)
        frame = page.frame_locator(FRAME)
        assert frame.locator(".leaflet-atlasVillages-pane canvas").count() == 1
        assert frame.locator(".leaflet-atlasVillages-pane path").count() == 0
        assert frame.locator(".atlas-village-label").count() == 60
        map_frame = next(f for f in page.frames if "st_folium" in f.url)
        # A click on the canvas selects the village under it (symbols hidden for a moment,
        # so nothing else is hit).
        hide = map_frame.add_style_tag(
            content=".leaflet-atlasSites-pane,.leaflet-atlasOrgs-pane{display:none}"
        )
        label = frame.locator(".atlas-village-label").nth(5)
        name = label.inner_text()
        box = label.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.get_by_text("户籍人口").wait_for(timeout=15_000)
        assert "sel=village" in page.url
        assert page.get_by_role("heading", name=name).count() >= 1
        hide.evaluate("e => e.remove()")
        # A cluster zooms in and reruns nothing; then single sites show their symbols.
        clusters = frame.locator(".marker-cluster")
        assert clusters.count() > 0
        zoom = map_frame.evaluate("() => map.getZoom()")
        page.wait_for_timeout(1000)
        before = len(sent)
        # One that no symbol covers (a Party organisation may sit on top of a count).
        index = map_frame.evaluate(
            """() => Array.from(document.querySelectorAll(".marker-cluster")).findIndex(e => {
                 const r = e.getBoundingClientRect();
                 return e.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
               })"""
        )
        assert index >= 0
        clusters.nth(index).click(force=True)
        map_frame.wait_for_function("z => map.getZoom() > z", arg=zoom, timeout=10_000)
        frame.locator(".leaflet-atlasSites-pane .atlas-sym").first.wait_for(timeout=10_000)
        page.wait_for_timeout(800)
        assert len(sent) == before
        assert [u for u in requests if not is_local_url(u)] == []
        assert errors == [], errors
        context.close()
