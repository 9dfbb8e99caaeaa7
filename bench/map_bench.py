"""Benchmark of the home page's map (issue #3): ours vs the naive folium version.

For the shipped sample and a generated county it measures
  * server: warm runs of the page with Streamlit's AppTest (median), in a subprocess;
  * browser: page.goto → painted map in headless Chromium (median of fresh contexts),
    bytes received (HTTP transfer + websocket frames), and websocket frames the page sends
    on a zoom-in click and a drag (a rerun request is one);
  * bytes of the st_folium component arguments (script + feature_group + header + html),
    and websocket bytes the page receives after a click on the map (ours);
  * RSS of each Streamlit server after its runs.
Servers run on free loopback ports and are stopped at the end; every non-loopback request
of the browser is aborted. Prints a table and writes bench/out/map_bench.json.

    .venv/bin/python bench/map_bench.py              # everything (about 20 minutes)
    .venv/bin/python bench/map_bench.py --only sample --runs 10 --browser-runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(HERE))

from browser_bench import (  # noqa: E402
    FLOOR,
    FRAME,
    OURS,
    VIEWPORT,
    measure_app,
    naive_target,
    shell_paint,
)
from helpers import block_remote, launch_chromium, streamlit_server  # noqa: E402
from server_proc import server_pid, server_rss, wait_idle  # noqa: E402

PACKAGES = ("streamlit", "streamlit-folium", "folium", "branca", "Jinja2", "playwright")
ARG_PARTS = ("script", "feature_group", "header", "html")


def apptest_worker(app: str, runs: int) -> None:
    """Child-process mode: one cold run, then ``runs`` warm reruns of the same session
    (what a click costs); prints one JSON line. A separate process keeps the big caches
    and the interpreter's memory out of the parent, and the timings out of its noise."""
    import streamlit_folium as sf
    from streamlit.testing.v1 import AppTest

    sizes: dict[str, int] = {}
    original = sf._component_func

    def spy(**kwargs: Any) -> Any:
        # What st_folium hands to the component, i.e. what travels to the browser.
        for part in ARG_PARTS:
            sizes[part] = len((kwargs.get(part) or "").encode())
        return original(**kwargs)

    sf._component_func = spy
    at = AppTest.from_file(app, default_timeout=1800)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    if at.exception:
        raise SystemExit(f"{app} raised: {[e.message for e in at.exception]}")
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    print(json.dumps({"cold_s": cold, "warm_s": warm, "component_args": sizes}))


def app_env(data: Path) -> dict[str, str]:
    # The data folder, and the map open to anyone (the default, stated in case the
    # environment says otherwise: a login page has no map to time).
    return {"TOWNSHIP_ATLAS_DATA_DIR": str(data), "TOWNSHIP_ATLAS_ANONYMOUS_VIEWING": "true"}


def server_side(app: Path, data: Path, runs: int) -> dict[str, Any]:
    """AppTest timings of ``app`` on ``data`` (run in a child process)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--apptest-worker", str(app)]
    cmd += ["--runs", str(runs)]
    env = {**os.environ, **app_env(data)}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    raw = json.loads(out.strip().splitlines()[-1])
    sizes = raw["component_args"]
    return {
        "cold_s": round(raw["cold_s"], 3),
        "warm_s": [round(t, 3) for t in raw["warm_s"]],
        "warm_median_s": round(statistics.median(raw["warm_s"]), 3),
        "component_args_bytes": {**sizes, "total": sum(sizes.values())},
    }


def county_dir(args: argparse.Namespace) -> Path:
    """The generated county (seeded, so reused when already there)."""
    path = Path(
        args.county or Path(tempfile.gettempdir()) / f"atlas-county-{args.villages}v-{args.sites}s"
    )
    if not (path / "sites.geojson").exists():
        cmd = [sys.executable, "-m", "township_atlas.sample", str(path)]
        cmd += ["--villages", str(args.villages), "--sites", str(args.sites)]
        subprocess.run(cmd, check=True, cwd=ROOT)
    return path


def marker_count(data: Path) -> int:
    """Sites and organisations with a geometry: the naive map's markers."""
    n = 0
    for name in ("sites.geojson", "party_orgs.geojson"):
        doc = json.loads((data / name).read_text(encoding="utf-8"))
        n += sum(1 for f in doc["features"] if f.get("geometry"))
    return n


def naive_folder(tmp: Path, script: str = "naive_app.py") -> Path:
    """A folder to run a comparison script from (the naive or the floor map): its own
    static serving and static/ (filled by install_assets at start-up), so nothing of it
    lands in the repository."""
    folder = tmp / Path(script).stem
    (folder / ".streamlit").mkdir(parents=True)
    (folder / ".streamlit" / "config.toml").write_text(
        "[server]\nenableStaticServing = true\nheadless = true\n"
        "[browser]\ngatherUsageStats = false\n"
    )
    shutil.copy(HERE / script, folder / script)
    return folder / script


def floor_baseline(tmp: Path, browser: Any, runs: int, timeout: float) -> dict[str, Any]:
    """Paint time of an empty st_folium map (``floor_app.py``): the fixed stack's floor
    under any map page."""
    app = naive_folder(tmp, "floor_app.py")
    with streamlit_server(app, timeout=120) as url:
        return measure_app(browser, url, FLOOR, runs, timeout)


def repeat_visits(url: str, browser: Any, runs: int, timeout: float) -> dict[str, Any]:
    """Our map opened again in the same browser context (its HTTP cache warm, as for a
    leader's second visit of the day): page.goto → painted, ``runs`` times."""
    context = browser.new_context(viewport=VIEWPORT)
    block_remote(context)
    page = context.new_page()
    frame = page.frame_locator(FRAME)
    times = []
    for _ in range(runs + 1):  # the first visit fills the cache; not counted
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        frame.locator(OURS.ready).first.wait_for(state="attached", timeout=timeout * 1000)
        frame.locator(OURS.paths).first.wait_for(state="attached", timeout=timeout * 1000)
        times.append(time.perf_counter() - start)
        page.goto("about:blank")
    context.close()
    return {
        "paint_s": [round(t, 3) for t in times[1:]],
        "paint_median_s": round(statistics.median(times[1:]), 3),
    }


def bench_app(app: Path, data: Path, target: Any, browser: Any, runs: int, browser_runs: int,
              timeout: float, repeat_runs: int = 0) -> dict[str, Any]:  # fmt: skip
    result = {"server": server_side(app, data, runs)}  # before the server: no CPU contention
    with streamlit_server(app, env=app_env(data), timeout=120) as url:
        pid = server_pid(url)
        idle = lambda: wait_idle(pid)  # noqa: E731
        result["browser"] = measure_app(browser, url, target, browser_runs, timeout, idle)
        if target is OURS and repeat_runs:
            idle()
            result["repeat"] = repeat_visits(url, browser, repeat_runs, timeout)
        result["memory"] = server_rss(pid)
    return result


def shell_baseline(tmp: Path, browser: Any, runs: int) -> dict[str, Any]:
    """Paint time of a one-line Streamlit page: what no map can go below."""
    app = tmp / "shell" / "shell_app.py"
    app.parent.mkdir()
    app.write_text('import streamlit as st\n\nst.write("shell-ready")\n')
    with streamlit_server(app) as url:
        return shell_paint(browser, url, "shell-ready", runs)


def machine(browser_version: str) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "free_h": free,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "chromium": browser_version,
    }


def _fmt(value: float | None, scale: float = 1.0, spec: str = ".2f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value / scale:{spec}}{unit}"


def table(results: dict[str, Any]) -> str:
    """The figures as a Markdown table (also pasted into bench/README.md)."""
    rows = [
        "| data | map | server warm run (median) | first visit | paint (median) | "
        "component args | received (HTTP + ws) | click rerun received | "
        "reruns on pan/zoom (all frames sent) | server RSS |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for data, apps in results["data"].items():
        for app, r in apps.items():
            s, b, m = r["server"], r["browser"], r.get("memory", {})
            timeouts = f" ({b['timeouts']} timed out)" if b["timeouts"] else ""
            rows.append(
                f"| {data} | {app} | {_fmt(s['warm_median_s'], spec='.3f', unit=' s')} "
                f"| {_fmt(b['first_visit_s'], unit=' s')} "
                f"| **{_fmt(b['paint_median_s'], unit=' s')}**{timeouts} "
                f"| {_fmt(s['component_args_bytes']['total'], 1e6, unit=' MB')} "
                f"| {_fmt(b['total_received_bytes'], 1e6, unit=' MB')} "
                f"| {_fmt(b.get('click_rerun_received_bytes'), 1e3, '.0f', ' kB')} "
                f"| {_fmt(b['pan_zoom_reruns'], spec='.0f')} "
                f"({_fmt(b['pan_zoom_frames_sent'], spec='.0f')}) | {m.get('rss_mib', 'n/a')} MiB |"
            )
    for data, apps in results["data"].items():
        if repeat := apps["ours"].get("repeat"):
            rows.append(
                f"| {data} | ours, visited again (cache warm) | | "
                f"| {repeat['paint_median_s']:.2f} s | | | | | |"
            )
    if floor := results.get("floor"):
        rows.append(
            f"| - | empty st_folium map | | | {_fmt(floor['paint_median_s'], unit=' s')} "
            "| | | | | |"
        )
    if shell := results.get("shell"):
        rows.append(
            f"| - | one-line Streamlit page | | | {shell['paint_median_s']:.2f} s | | | | | |"
        )
    return "\n".join(rows)


def verdicts(results: dict[str, Any]) -> list[str]:
    """The issue's targets, checked."""
    out = []
    for data, apps in results["data"].items():
        ours, naive = apps["ours"]["browser"], apps.get("naive", {}).get("browser")
        paint = ours["paint_median_s"]
        if data == "county":
            ok = paint is not None and paint < 3
            out.append(
                f"county: our map paints in {_fmt(paint)} s (< 3 s): {'PASS' if ok else 'FAIL'}"
            )
        out.append(f"{data}: reruns on pan/zoom: ours {ours['pan_zoom_reruns']} (want 0)"
                   + (f", naive {naive['pan_zoom_reruns']} (want > 0)" if naive else ""))  # fmt: skip
        if naive and paint and naive["paint_median_s"]:
            ratio = naive["paint_median_s"] / paint
            results.setdefault("ratios", {})[data] = round(ratio, 1)
            # The issue's >= 5x target is for the county; on 7 villages both are small.
            goal = f" (>= 5x): {'PASS' if ratio >= 5 else 'FAIL'}" if data == "county" else ""
            out.append(f"{data}: naive/ours paint {ratio:.1f}x{goal}")
    return out


def save(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


OPTIONS: tuple[tuple[str, type, Any, str], ...] = (
    ("--runs", int, 10, "warm AppTest runs of our page per data set"),
    ("--browser-runs", int, 5, "fresh browser contexts for our map"),
    ("--naive-runs", int, 5, "fresh browser contexts for the naive map"),
    ("--naive-apptest-runs", int, 3, "warm AppTest runs of the naive app (~1 min each, county)"),
    ("--shell-runs", int, 5, "fresh contexts for the one-line Streamlit page (0: skip)"),
    ("--floor-runs", int, 5, "fresh contexts for an empty st_folium map (0: skip)"),
    ("--repeat-runs", int, 5, "repeat visits of our map in one context, cache warm (0: skip)"),
    ("--villages", int, 100, "villages of the generated county"),
    ("--sites", int, 10000, "sites of the generated county"),
    ("--timeout", float, 120.0, "seconds to wait for our map to paint"),
    ("--naive-timeout", float, 900.0, "seconds to wait for the naive map to paint"),
    ("--county", str, None, "data folder of the county (default: generated under /tmp)"),
    ("--out", Path, HERE / "out" / "map_bench.json", "where to write the JSON"),
)


def main() -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    for flag, kind, default, text in OPTIONS:
        ap.add_argument(flag, type=kind, default=default, help=f"{text} (default {default})")
    ap.add_argument("--only", choices=("sample", "county"), help="one data set only")
    ap.add_argument("--skip-naive", action="store_true", help="measure our map only")
    ap.add_argument("--apptest-worker", help=argparse.SUPPRESS)  # internal: child-process mode
    args = ap.parse_args()
    if args.apptest_worker:
        return apptest_worker(args.apptest_worker, args.runs)

    from playwright.sync_api import sync_playwright

    datasets = {name: None for name in ("sample", "county") if args.only in (None, name)}
    datasets = {n: ROOT / "geodata" if n == "sample" else county_dir(args) for n in datasets}
    log = lambda text: print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr)  # noqa: E731
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M:%S %z"), "data": {}}
    # Load average before and after: the figures mean little on a busy machine.
    results["loadavg_start"] = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp, sync_playwright() as p:
        naive_app = naive_folder(Path(tmp))
        browser = launch_chromium(p)
        results["machine"] = machine(browser.version)
        if args.shell_runs:
            log("one-line Streamlit page")
            results["shell"] = shell_baseline(Path(tmp), browser, args.shell_runs)
        if args.floor_runs:
            log("empty st_folium map")
            results["floor"] = floor_baseline(Path(tmp), browser, args.floor_runs, args.timeout)
        for name, data in datasets.items():
            log(f"{name}: ours")
            ours = bench_app(ROOT / "app.py", data, OURS, browser, args.runs, args.browser_runs,
                             args.timeout, args.repeat_runs)  # fmt: skip
            results["data"][name] = {"ours": ours}
            save(args.out, results)  # partial results survive a later failure
            if not args.skip_naive:
                log(f"{name}: naive")
                results["data"][name]["naive"] = bench_app(
                    naive_app, data, naive_target(marker_count(data)), browser,
                    args.naive_apptest_runs, args.naive_runs, args.naive_timeout,
                )  # fmt: skip
                save(args.out, results)
        browser.close()
    results["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    results["verdicts"] = verdicts(results)
    save(args.out, results)
    print(table(results))
    print("\n".join(results["verdicts"]))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
