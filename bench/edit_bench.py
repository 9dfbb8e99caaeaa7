"""Edit benchmark (issue #6): how long a saved change takes to show in other open sessions,
and how long a save takes.

Starts the app on a copy of the sample (or the generated county with ``--county DIR``),
opens two observer sessions in headless Chromium — the map (the meeting screen) and a
village page — then saves ``--runs`` changes (a village renamed, through
``township_atlas.storage.files.store.save``, exactly what the editing page calls) and times each from the
start of the save until both observers show the new name, without any reload. Prints the
median, p90 and max, and the save times, and writes ``bench/out/edit_bench.json``.

    .venv/bin/python bench/edit_bench.py            # 20 edits on the sample
    .venv/bin/python bench/edit_bench.py --runs 5   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "src"))

from helpers import block_remote, launch_chromium, streamlit_server  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from township_atlas.storage import changes  # noqa: E402
from township_atlas.storage.files import store as files_store  # noqa: E402

FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _rename(folder: Path, code: str, name: str) -> float:
    rec = files_store.read_records(folder, "villages")[code]
    new = {**rec, "properties": {**rec["properties"], "name_zh": name}}
    change = changes.ChangeSet(
        "villages", "bench", upserts=[new], base={code: changes.feature_version(rec)}, note="bench"
    )
    started = time.perf_counter()
    files_store.save(folder, change)
    return time.perf_counter() - started


def _map_shows(page, name: str) -> bool:
    return page.evaluate(
        """([sel, name]) => {
            const frames = document.querySelectorAll(sel);
            if (!frames.length) return false;
            const doc = frames[frames.length - 1].contentDocument;
            return !!doc && [...doc.querySelectorAll('.atlas-village-label')]
                .some(e => e.textContent.includes(name));
        }""",
        [FRAME, name],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--county", help="a generated data folder to use instead of the sample")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--live", type=float, default=1.0, help="live_refresh_seconds")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="edit-bench-"))
    data = tmp / "geodata"
    shutil.copytree(Path(args.county) if args.county else ROOT / "geodata", data)
    code = json.loads((data / "villages.geojson").read_text(encoding="utf-8"))["features"][0][
        "properties"
    ]["code"]
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(data),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": str(args.live),
    }
    visible, saves, load = [], [], os.getloadavg()
    with streamlit_server(ROOT / "app.py", env=env) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        block_remote(context)
        screen, village = context.new_page(), context.new_page()
        screen.goto(url)
        village.goto(f"{url}/village?village={code}")
        screen.frame_locator(FRAME).last.locator(".atlas-village-label").first.wait_for(
            timeout=90_000
        )
        village.get_by_role("heading").first.wait_for(timeout=90_000)
        time.sleep(3)
        for i in range(args.runs):
            name = f"基准村{i:02d}"
            started = time.perf_counter()
            saves.append(_rename(data, code, name))
            seen = {"map": None, "village": None}
            while None in seen.values() and time.perf_counter() - started < args.timeout:
                if seen["map"] is None and _map_shows(screen, name):
                    seen["map"] = time.perf_counter() - started
                if seen["village"] is None and village.get_by_text(name).count():
                    seen["village"] = time.perf_counter() - started
                time.sleep(0.05)
            if None in seen.values():
                print(f"run {i}: not visible within {args.timeout} s: {seen}")
                visible.append(float("inf"))
            else:
                visible.append(max(seen.values()))
                print(
                    f"run {i}: save {saves[-1] * 1000:.0f} ms, visible in both after "
                    f"{visible[-1]:.2f} s (map {seen['map']:.2f}, village {seen['village']:.2f})"
                )
            time.sleep(1.5)
        browser.close()
    ok = sorted(v for v in visible if v != float("inf"))
    result = {
        "runs": args.runs,
        "data": "county" if args.county else "sample",
        "edit_to_visible_s": visible,
        "median_s": statistics.median(visible),
        "p90_s": ok[int(0.9 * (len(ok) - 1))] if ok else None,
        "max_s": max(visible),
        "save_ms_median": statistics.median(saves) * 1000,
        "save_ms_max": max(saves) * 1000,
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs",
        "load_before": load,
        "load_after": os.getloadavg(),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "edit_bench.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "edit_to_visible_s"}, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
