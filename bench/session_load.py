"""Server load (issue #8) with many sessions and no browsers: what the server does for each.

``load_bench.py`` drives real Chromium sessions; on a 2-CPU machine 30 of them, with the
server beside them, saturate it (load average above 20) and measure the browsers more than
the server. This benchmark speaks Streamlit's own websocket protocol instead (the protobuf
``BackMsg``/``ForwardMsg`` a browser tab sends and receives): each of ``--sessions``
clients is a real Streamlit session on the server — its own session state, script runs,
live-data watcher entry and message stream — without a renderer.

Starts the app on a copy of the sample, opens the sessions (a third each on the map, the
overview and a village page), then for ``--seconds`` each session changes page every
``--think-min`` to ``--think-max`` seconds (a script run, timed from the request to the run's ``script_finished``) while the
planner (this process, through ``edits.save``) renames the township every
``--edit-every`` seconds. Every session must receive the new name, pushed by the server
with no request of its own, within ``--visible-timeout``. Reports errors (an exception
element in any page), page-change time (median, p95), edit → received by every session
(median, max), server memory with one session, with all of them and per extra session, and
the server's CPU time. For each edit it also times, per session, until the run that showed
the new name had finished (``pages_redrawn``, ``redrawn_median_s``/``redrawn_max_s``: the
whole page drawn from the new data), and an edit counts as seen by a session only then.
Writes ``bench/out/session_load.json``.

    .venv/bin/python bench/session_load.py                      # 30 sessions, 2 minutes
    .venv/bin/python bench/session_load.py --sessions 100       # more than a township has
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
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

import websockets  # noqa: E402  (installed with Streamlit's server)
from helpers import streamlit_server  # noqa: E402
from load_bench import rename  # noqa: E402
from server_proc import server_pid, server_rss  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

# (url path of the page, query string): the map (the default page), the overview, a village.
PAGES = [("", ""), ("overview", ""), ("village", "village=V01")]  # "": the map, the default


_WHOLE_RUN = (
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR,
)


class Session:
    """One Streamlit session over the websocket, as a browser tab opens it."""

    def __init__(self, url: str, number: int) -> None:
        self.url, self.number = url, number
        self.hashes: dict[str, str] = {}  # url path -> page_script_hash
        self.finished = asyncio.Event()
        self.errors: list[str] = []
        self.watch: bytes | None = None
        self.seen_at: float | None = None
        self.done_at: float | None = None  # the run that showed the edit has finished
        self.received_bytes = 0

    async def open(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=self.url, max_size=None
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.received_bytes += len(raw)
            if self.watch is not None and self.seen_at is None and self.watch in raw:
                self.seen_at = time.time()
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":  # the pages st.navigation offers
                for page in msg.navigation.app_pages:
                    self.hashes[page.url_pathname] = page.page_script_hash
            elif kind == "script_finished" and msg.script_finished in _WHOLE_RUN:
                if self.seen_at is not None and self.done_at is None:
                    self.done_at = time.time()
                self.finished.set()  # not a fragment's run (the live-data safety net)
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "exception":
                    self.errors.append(f"session {self.number}: {element.exception.message}"[:300])

    async def run(self, page: int) -> float:
        """Ask for page ``page`` of PAGES; seconds until its run finished."""
        if not self.hashes:  # a new tab: the default page first, which lists the pages
            await self._request("", "")
            if not self.hashes:
                raise RuntimeError(f"session {self.number}: the app listed no pages")
        path, query = PAGES[page]
        if path not in self.hashes:
            raise RuntimeError(f"session {self.number}: no page {path!r} in {self.hashes}")
        return await self._request(self.hashes[path], query)

    async def _request(self, page_hash: str, query: str) -> float:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = page_hash
        self.finished.clear()
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self.finished.wait(), 120)
        return time.perf_counter() - started

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _browse(
    session: Session, until: float, times: list[float], think: tuple[float, float]
) -> None:
    page = session.number % len(PAGES)
    while True:
        pause = random.uniform(*think)
        if time.monotonic() + pause >= until:
            break
        await asyncio.sleep(pause)
        page = (page + 1) % len(PAGES)
        try:
            times.append(await session.run(page))
        except (TimeoutError, websockets.ConnectionClosed) as exc:
            session.errors.append(f"session {session.number}: page change: {exc!r}")


async def _edits(
    sessions: list[Session], data: Path, until: float, every: float, timeout: float
) -> list[dict]:
    out = []
    n = 0
    while time.monotonic() + every < until:
        await asyncio.sleep(every)
        name = f"会话负载乡{n:02d}"
        n += 1
        for s in sessions:
            s.watch, s.seen_at, s.done_at = name.encode(), None, None
        saved = time.time()
        await asyncio.to_thread(rename, data, name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(s.done_at is None for s in sessions):
            await asyncio.sleep(0.05)
        seen = [s.seen_at - saved for s in sessions if s.seen_at is not None]
        done = [s.done_at - saved for s in sessions if s.done_at is not None]
        out.append(
            {
                "edit": name,
                "sessions_seen": len(seen),
                "median_s": round(statistics.median(seen), 3) if seen else None,
                "max_s": round(max(seen), 3) if seen else None,
                "pages_redrawn": len(done),
                "redrawn_median_s": round(statistics.median(done), 3) if done else None,
                "redrawn_max_s": round(max(done), 3) if done else None,
            }
        )
        print(f"edit {name}: received by {len(seen)}/{len(sessions)}, {out[-1]}", flush=True)
    return out


async def _main(args: argparse.Namespace, url: str, data: Path) -> dict:
    pid = server_pid(url)
    first = Session(url, 0)
    await first.open()
    await first.run(0)  # the first run fills the caches
    await asyncio.sleep(2)
    memory = {"one_session": server_rss(pid)}
    sessions = [first]
    opening = time.monotonic()
    for start in range(1, args.sessions, 10):
        batch = [Session(url, i) for i in range(start, min(args.sessions, start + 10))]
        await asyncio.gather(*(s.open() for s in batch))
        await asyncio.gather(*(s.run(s.number % len(PAGES)) for s in batch))
        sessions += batch
    opened_s = time.monotonic() - opening
    print(f"{len(sessions)} sessions open after {opened_s:.1f} s", flush=True)
    await asyncio.sleep(3)
    memory["all_sessions"] = server_rss(pid)
    cpu_before, wall_before = _cpu_seconds(pid), time.monotonic()
    until = time.monotonic() + args.seconds
    times: list[float] = []
    think = (args.think_min, args.think_max)
    browsing = [asyncio.create_task(_browse(s, until, times, think)) for s in sessions]
    edits = await _edits(sessions, data, until, args.edit_every, args.visible_timeout)
    await asyncio.gather(*browsing)
    cpu = _cpu_seconds(pid) - cpu_before
    wall = time.monotonic() - wall_before
    memory["end"] = server_rss(pid)
    for s in sessions:
        await s.close()
    times.sort()
    per_session = None
    if memory["all_sessions"] and memory["one_session"]:
        grown = memory["all_sessions"]["rss_mib"] - memory["one_session"]["rss_mib"]
        per_session = round(grown / max(1, args.sessions - 1), 2)
    return {
        "sessions": args.sessions,
        "seconds": args.seconds,
        "think_s": [args.think_min, args.think_max],
        "opened_s": round(opened_s, 1),
        "page_changes": len(times),
        "page_change_median_s": round(statistics.median(times), 3) if times else None,
        "page_change_p95_s": round(times[int(0.95 * (len(times) - 1))], 3) if times else None,
        "edits": edits,
        "every_session_received_every_edit": bool(edits)
        and all(e["sessions_seen"] == e["pages_redrawn"] == args.sessions for e in edits),
        "errors": [e for s in sessions for e in s.errors],
        "memory": memory,
        "mib_per_extra_session": per_session,
        "server_cpu_share": round(cpu / wall, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--edit-every", type=float, default=15)
    parser.add_argument("--visible-timeout", type=float, default=15)
    parser.add_argument(
        "--think-min", type=float, default=10, help="least seconds between page changes"
    )
    parser.add_argument(
        "--think-max", type=float, default=30, help="most seconds between page changes"
    )
    args = parser.parse_args()
    random.seed(8)
    tmp = Path(tempfile.mkdtemp(prefix="session-load-"))
    data = tmp / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    env = {"TOWNSHIP_ATLAS_DATA_DIR": str(data)}
    load_before = os.getloadavg()
    with streamlit_server(ROOT / "app.py", env=env) as url:
        result = asyncio.run(_main(args, url, data))
    result.update(
        {
            "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs",
            "load_before": load_before,
            "load_after": os.getloadavg(),
        }
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "session_load.json").write_text(
        json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    print(
        json.dumps({k: v for k, v in result.items() if k != "edits"}, indent=1, ensure_ascii=False)
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if not result["errors"] and result["every_session_received_every_edit"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
