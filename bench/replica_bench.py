"""Replica benchmark (issue #9): two app processes on one PostGIS database holding the
generated county; page time on each, and edit → visible on the other process.

Starts a throwaway PostgreSQL + PostGIS cluster (as the tests do: tests/pg_server.py),
copies the county folder in (``--county DIR``, default the map benchmark's
``/tmp/atlas-county-100v-10000s``, made if missing), starts two Streamlit servers with
``TOWNSHIP_ATLAS_STORAGE=postgis`` on it, and in headless Chromium:

- page time: ``page.goto`` → the map painted (``data-atlas-ready``), fresh context each
  time, alternately on process A and B (``--page-runs`` each);
- edit → visible: a map open on process B, a village renamed through ``PgStore.save`` in
  this process (what process A's editing page calls), timed from the start of the save
  until B's map shows the name (``--runs``), plus the save alone.

    .venv/bin/python bench/replica_bench.py             # ~5 min on 2 CPUs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from edit_bench import FRAME, _map_shows  # noqa: E402
from helpers import block_remote, launch_chromium, streamlit_server  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.pg_server import running_server  # noqa: E402
from township_atlas.sample import generate  # noqa: E402
from township_atlas.storage import changes  # noqa: E402
from township_atlas.storage.postgis import copying, tables  # noqa: E402
from township_atlas.storage.postgis.store import PgStore  # noqa: E402

READY = ".leaflet-container[data-atlas-ready]"


def _paint(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    block_remote(context)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.frame_locator(FRAME).last.locator(READY).wait_for(timeout=120_000)
    took = time.perf_counter() - started
    context.close()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", default="/tmp/atlas-county-100v-10000s")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page-runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=90.0)
    args = parser.parse_args()
    county = Path(args.county)
    if not (county / "villages.geojson").exists():
        generate(county, n_villages=100, n_sites=10_000)
    load_before = os.getloadavg()
    result: dict = {"county": str(county)}
    with running_server() as server, sync_playwright() as p:
        server.make_template(ROOT / "geodata", None)  # PostGIS and the tables
        url = server.new_database()
        started = time.perf_counter()
        report = copying.copy_in(url, county)
        result["copy_in_s"] = time.perf_counter() - started
        code = report.township
        store = PgStore(url, code)
        started = time.perf_counter()
        store.load()
        result["load_cold_s"] = time.perf_counter() - started
        env = {
            "TOWNSHIP_ATLAS_STORAGE": "postgis",
            "TOWNSHIP_ATLAS_DATABASE_URL": url,
            "TOWNSHIP_ATLAS_TOWNSHIP": code,
        }
        with (
            streamlit_server(ROOT / "app.py", env=env, timeout=180) as url_a,
            streamlit_server(ROOT / "app.py", env=env, timeout=180) as url_b,
        ):
            browser = launch_chromium(p)
            first = {"A": _paint(browser, url_a), "B": _paint(browser, url_b)}
            print(f"first visits: {first}")
            paints = {"A": [], "B": []}
            for _ in range(args.page_runs):
                for name, u in (("A", url_a), ("B", url_b)):
                    paints[name].append(_paint(browser, u))
            print(f"page (map painted): {paints}")
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            block_remote(context)
            screen = context.new_page()
            screen.goto(url_b)
            screen.frame_locator(FRAME).last.locator(READY).wait_for(timeout=120_000)
            time.sleep(3)
            village = next(iter(store.read_records("villages")))
            visible, saves = [], []
            for i in range(args.runs):
                name = f"副本基准村{i:02d}"
                rec = store.read_records("villages")[village]
                new = {**rec, "properties": {**rec["properties"], "name_zh": name}}
                change = changes.ChangeSet(
                    "villages", "bench", upserts=[new], base={village: changes.feature_version(rec)}
                )
                t0 = time.perf_counter()
                store.save(change)
                saves.append(time.perf_counter() - t0)
                seen = None
                while time.perf_counter() - t0 < args.timeout:
                    if _map_shows(screen, name):
                        seen = time.perf_counter() - t0
                        break
                    time.sleep(0.05)
                visible.append(seen if seen is not None else float("inf"))
                print(f"edit {i}: save {saves[-1]:.2f} s, visible on B after {visible[-1]:.2f} s")
                time.sleep(2)
            browser.close()
        tables.dispose(url)
    result.update(
        {
            "first_visit_s": first,
            "paint_s": paints,
            "paint_median_s": {k: statistics.median(v) for k, v in paints.items()},
            "save_s": saves,
            "save_median_s": statistics.median(saves),
            "edit_to_visible_s": visible,
            "edit_to_visible_median_s": statistics.median(visible),
            "visible_after_save_median_s": statistics.median(
                v - s for v, s in zip(visible, saves, strict=True)
            ),
            "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs",
            "load_before": load_before,
            "load_after": os.getloadavg(),
        }
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "replica_bench.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
