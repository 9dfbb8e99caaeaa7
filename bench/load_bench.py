"""Load benchmark (issue #8): many browser sessions browsing while a planner saves edits.

Starts the app on a copy of the sample, opens ``--sessions`` headless-Chromium sessions
(one browser, one context each: separate Streamlit sessions), and for ``--seconds`` keeps
them moving between the map, the overview and the village page by clicking the menu (an
in-app page change: a rerun, not a reload) while the planner (this process, through
``township_atlas.storage.files.store.save``, what the editing page calls) renames the township (its name heads every page) every
``--edit-every`` seconds. After each edit every session must show the new name on the page
it is on, without a reload, within ``--visible-timeout`` seconds.

Reports: errors (page errors, exceptions shown), edits seen by every session, page-change
time (click until the page's title is drawn: median and p95), the server's memory before
the sessions, with all of them open, and per extra session. Writes
``bench/out/load_bench.json``.

    .venv/bin/python bench/load_bench.py                       # 30 sessions, 2 minutes
    .venv/bin/python bench/load_bench.py --sessions 5 --seconds 40   # a quick look
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
sys.path.insert(0, str(ROOT / "bench"))

from helpers import block_remote, launch_chromium, streamlit_server  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from server_proc import server_pid, server_rss  # noqa: E402

from township_atlas.storage import changes  # noqa: E402
from township_atlas.storage.files import store as files_store  # noqa: E402

# Menu label -> text the page's title holds once drawn.
VIEWPORT = {"width": 1280, "height": 800}
PAGES = [("总览地图", "总览地图"), ("数据概况", "数据概况"), ("村情档案", "村情档案")]


def rename(folder: Path, name: str) -> None:
    """Rename the township: its name heads every page, so every session must show it."""
    code, rec = next(iter(files_store.read_records(folder, "township").items()))
    new = {**rec, "properties": {**rec["properties"], "name_zh": name}}
    change = changes.ChangeSet(
        "township", "planner", upserts=[new], base={code: changes.feature_version(rec)}
    )
    files_store.save(folder, change)


_WATCH = """(name) => {
    // Polls in the page itself and notes when the name first shows: asking 30 busy pages
    // one after another from here would take longer than the edit does to arrive.
    const has = () => {
        if (document.body.textContent.includes(name)) return true;
        for (const f of document.querySelectorAll('iframe')) {
            try { if (f.contentDocument && f.contentDocument.body.textContent.includes(name))
                return true; } catch (e) {}
        }
        return false;
    };
    window.__atlasSeen = null;
    clearInterval(window.__atlasWatch);
    window.__atlasWatch = setInterval(() => {
        if (has()) { window.__atlasSeen = Date.now(); clearInterval(window.__atlasWatch); }
    }, 250);
}"""


def watch(page, name: str) -> None:
    """Start noting, in the page, when ``name`` first shows on it."""
    page.evaluate(_WATCH, name)


def seen_at(page) -> float | None:
    """When the watched name showed (seconds since the epoch), or None."""
    ms = page.evaluate("() => window.__atlasSeen")
    return None if ms is None else ms / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--edit-every", type=float, default=15)
    parser.add_argument("--visible-timeout", type=float, default=30)
    parser.add_argument("--batch", type=int, default=5, help="sessions opened at a time")
    parser.add_argument(
        "--shared-cache",
        action="store_true",
        help="all sessions as tabs of one browser context: still one Streamlit session each, "
        "but Streamlit's JavaScript is fetched once (as for people who visited before)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    data = tmp / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    code = "V01"
    env = {"TOWNSHIP_ATLAS_DATA_DIR": str(data), "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "1"}
    errors: list[str] = []
    switch_times: list[float] = []
    edits_seen: list[dict] = []
    load_before = os.getloadavg()
    with streamlit_server(ROOT / "app.py", env=env) as url, sync_playwright() as p:
        pid = server_pid(url)
        browser = launch_chromium(p)
        warm = browser.new_context()
        block_remote(warm)
        first = warm.new_page()
        first.goto(url)
        first.get_by_role("heading").first.wait_for(timeout=120_000)
        time.sleep(3)
        memory = {"one_session": server_rss(pid)}
        pages = []
        shared = None
        opening = time.monotonic()
        # In batches: 30 cold page loads at once on 2 CPUs starve each other (and the
        # browser) for minutes; a batch is drawn before the next one opens.
        for first_i in range(0, args.sessions, args.batch):
            batch = []
            for i in range(first_i, min(args.sessions, first_i + args.batch)):
                ctx = shared
                if ctx is None:
                    ctx = browser.new_context(viewport=VIEWPORT)
                    block_remote(ctx)
                    shared = ctx if args.shared_cache else None
                page = ctx.new_page()
                page.on("pageerror", lambda e, i=i: errors.append(f"session {i}: {e}"))
                page.goto(
                    url + ("/village?village=" + code if i % 3 == 2 else ""),
                    timeout=300_000,
                    wait_until="domcontentloaded",
                )
                batch.append(page)
            for page in batch:
                page.get_by_role("heading").first.wait_for(timeout=300_000)
            pages += batch
            print(f"{len(pages)} sessions open after {time.monotonic() - opening:.0f} s")
        time.sleep(5)
        memory["all_sessions"] = server_rss(pid)
        started = time.monotonic()
        next_edit = started + args.edit_every
        step, n_edit = 0, 0
        while time.monotonic() - started < args.seconds:
            page = pages[step % len(pages)]
            label, title = PAGES[(step // len(pages)) % len(PAGES)]
            t0 = time.perf_counter()
            try:
                page.get_by_role("link", name=label).first.click(timeout=30_000)
                page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
                switch_times.append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
                errors.append(f"session {step % len(pages)} switching to {label}: {exc}"[:300])
            step += 1
            if time.monotonic() >= next_edit:
                name = f"负载乡{n_edit:02d}"
                for page in pages:
                    watch(page, name)
                t_edit = time.time()
                rename(data, name)
                seen = {}
                deadline = time.monotonic() + args.visible_timeout
                while len(seen) < len(pages) and time.monotonic() < deadline:
                    time.sleep(1)
                    for i, page in enumerate(pages):
                        if i not in seen and (at := seen_at(page)) is not None:
                            seen[i] = at - t_edit
                edits_seen.append(
                    {
                        "edit": name,
                        "sessions_seen": len(seen),
                        "median_s": statistics.median(seen.values()) if seen else None,
                        "max_s": max(seen.values()) if seen else None,
                    }
                )
                print(
                    f"edit {name}: seen by {len(seen)}/{len(pages)} sessions, "
                    f"max {edits_seen[-1]['max_s']}"
                )
                n_edit += 1
                next_edit = time.monotonic() + args.edit_every
        for page in pages:
            errors += [
                f"exception shown: {t}"[:300]
                for t in page.locator('[data-testid="stException"]').all_inner_texts()
            ]
        memory["end"] = server_rss(pid)
        browser.close()
    times = sorted(switch_times)
    per_session = None
    if memory["all_sessions"] and memory["one_session"]:
        per_session = (memory["all_sessions"]["rss_mib"] - memory["one_session"]["rss_mib"]) / max(
            1, args.sessions
        )
    result = {
        "sessions": args.sessions,
        "shared_cache": args.shared_cache,
        "seconds": args.seconds,
        "page_changes": len(times),
        "page_change_median_s": statistics.median(times) if times else None,
        "page_change_p95_s": times[int(0.95 * (len(times) - 1))] if times else None,
        "edits": edits_seen,
        "every_session_saw_every_edit": all(
            e["sessions_seen"] == args.sessions for e in edits_seen
        ),
        "errors": errors,
        "memory": memory,
        "mib_per_extra_session": per_session,
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs",
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "load_bench.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")
    print(
        json.dumps({k: v for k, v in result.items() if k != "edits"}, indent=1, ensure_ascii=False)
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
