"""Browser half of the map benchmark: paint time, bytes received, reruns on pan/zoom.

Drives Debian's /usr/bin/chromium through Playwright with the helpers of the real-browser
tests (``tests/browser/helpers.py``): every non-loopback request is aborted, so the figures
are the offline ones and nothing leaves the machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from helpers import block_remote

FRAME = 'iframe[title="streamlit_folium.st_folium"]'
VIEWPORT = {"width": 1600, "height": 1000}  # the size the browser tests use


@dataclass(frozen=True)
class PaintTarget:
    """What "painted" means for one app, as selectors inside the map iframe."""

    ready: str  # must exist
    paths: str  # at least one must exist (the village polygons)
    markers: str = ""  # if set, ``marker_count`` of these must exist
    marker_count: int = 0
    click: str = ""  # a feature to click to measure what a click rerun sends back


# Ours: atlas.js marks the container when every layer from the fetched data file is on
# the map (the sites clustered, on the county); the villages are SVG paths on the sample
# and one canvas on the county. A click goes to the middle of a village's name (the label
# pane lets clicks through to what lies under it: the village, or a symbol on top of it).
OURS = PaintTarget(
    ".leaflet-container[data-atlas-ready]",
    ".leaflet-atlasVillages-pane path, .leaflet-atlasVillages-pane canvas",
    click=".atlas-village-label",
)


# The empty st_folium map of ``floor_app.py``: painted when Leaflet has drawn its controls.
FLOOR = PaintTarget(".leaflet-container", ".leaflet-control-zoom a")


def naive_target(markers: int) -> PaintTarget:
    """The naive map adds all its markers in one synchronous script, so it is painted
    when the last of them is in the DOM (and the village polygons are drawn)."""
    return PaintTarget(
        ".leaflet-container", ".leaflet-overlay-pane path", ".leaflet-marker-icon", markers
    )


@dataclass
class Session:
    """An open context after a visit, kept for the pan/zoom check."""

    context: Any
    page: Any
    sent: list[bytes]  # live: the websocket handlers keep appending to these
    received: list[int]


@dataclass
class Visit:
    """One navigation in a fresh browser context."""

    paint_s: float
    resource_bytes: int  # HTTP transfer: response headers + encoded bodies
    ws_received_bytes: int  # websocket payloads the page received (Streamlit deltas)
    ws_received_frames: int
    requests: int
    remote_requests: int  # non-loopback requests (aborted); must be 0

    @property
    def total_bytes(self) -> int:
        return self.resource_bytes + self.ws_received_bytes


def visit(browser: Any, url: str, target: PaintTarget, timeout_s: float) -> tuple[Visit, Session]:
    """Open ``url`` in a new context and time page.goto → painted map. Returns the visit
    and the still-open session (the caller closes it), so pan/zoom can follow."""
    from helpers import is_local_url

    context = browser.new_context(viewport=VIEWPORT)
    finished: list[Any] = []
    urls: list[str] = []
    context.on("request", lambda r: urls.append(r.url))
    context.on("requestfinished", lambda r: finished.append(r))
    block_remote(context)
    page = context.new_page()
    received: list[int] = []
    sent: list[bytes] = []

    def on_ws(ws: Any) -> None:
        ws.on("framereceived", lambda p: received.append(len(p)))
        ws.on("framesent", lambda p: sent.append(p if isinstance(p, bytes) else p.encode()))

    page.on("websocket", on_ws)
    timeout_ms = timeout_s * 1000
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    frame = page.frame_locator(FRAME)
    try:
        frame.locator(target.ready).first.wait_for(state="attached", timeout=timeout_ms)
        frame.locator(target.paths).first.wait_for(state="attached", timeout=timeout_ms)
        if target.markers:
            last = frame.locator(target.markers).nth(target.marker_count - 1)
            last.wait_for(state="attached", timeout=timeout_ms)
    except Exception:
        # Keep evidence of a map that never painted: a screenshot and which frames exist.
        shot = Path(tempfile.mkdtemp(prefix="atlas-bench-timeout-")) / "page.png"
        page.screenshot(path=str(shot))
        state = [f.url[-70:] for f in page.frames]  # no evaluate: a hung frame would hang it
        print(
            f"no paint: screenshot {shot}; frames {state}; ws frames {len(received)}",
            file=sys.stderr,
        )
        context.close()
        raise
    paint = time.perf_counter() - start
    # Sizes are read after the fact: a sync call inside an event handler would deadlock.
    resource = 0
    for req in finished:
        sizes = req.sizes()
        resource += max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
    result = Visit(
        paint_s=paint,
        resource_bytes=resource,
        ws_received_bytes=sum(received),
        ws_received_frames=len(received),
        requests=len(urls),
        remote_requests=sum(not is_local_url(u) for u in urls),
    )
    return result, Session(context, page, sent, received)


def user_reruns(frames: list[bytes]) -> int:
    """Rerun requests among websocket frames the page sent, leaving out timer reruns: the
    page's live-data fragment (``st.fragment(run_every=...)``) asks every second, with
    ``is_auto_rerun`` set, whether the data folder changed; that is not a pan/zoom rerun."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    count = 0
    for payload in frames:
        msg = BackMsg()
        msg.ParseFromString(payload)
        count += msg.WhichOneof("type") == "rerun_script" and not msg.rerun_script.is_auto_rerun
    return count


def pan_zoom(session: Session, settle_s: float = 2.0) -> tuple[int, int]:
    """After the page settled, click zoom-in and drag the map; return (rerun requests,
    all websocket frames) the page sent meanwhile."""
    page = session.page
    page.wait_for_timeout(settle_s * 1000)
    before = len(session.sent)
    frame = page.frame_locator(FRAME)
    # Real mouse events at the control's position, as a user would: Playwright's
    # locator.click() waits for the element to be "stable", which never happens while the
    # naive page is busy rerunning (its first rerun starts right after the map loads).
    zoom = frame.locator(".leaflet-control-zoom-in").bounding_box(timeout=60_000)
    page.mouse.click(zoom["x"] + zoom["width"] / 2, zoom["y"] + zoom["height"] / 2)
    page.wait_for_timeout(800)
    box = frame.locator(".leaflet-container").bounding_box(timeout=60_000)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 120, cy + 60, steps=8)
    page.mouse.up()
    page.wait_for_timeout(1500)
    frames = session.sent[before:]
    return user_reruns(frames), len(frames)


def click_rerun_bytes(session: Session, selector: str, wait_s: float = 8.0) -> int:
    """Websocket bytes the page receives in ``wait_s`` after clicking a feature (a rerun
    that selects it): does the unchanged 3 MB map travel again, or only a reference to
    Streamlit's message cache?"""
    before = sum(session.received)
    session.page.frame_locator(FRAME).locator(selector).nth(3).click(force=True)
    session.page.wait_for_timeout(wait_s * 1000)
    return sum(session.received) - before


def _try_visit(
    browser: Any, url: str, target: PaintTarget, timeout_s: float
) -> tuple[Visit | None, Session | None]:
    # A map that never paints is a result too (counted as a timeout), not a crash.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        return visit(browser, url, target, timeout_s)
    except PlaywrightTimeout as exc:
        print(f"map did not paint in {timeout_s:.0f} s: {exc}", file=sys.stderr)
        return None, None


def measure_app(
    browser: Any,
    url: str,
    target: PaintTarget,
    runs: int,
    timeout_s: float,
    idle: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """One warm-up visit (fills the server's caches; reported as ``first_visit_s``), then
    ``runs`` fresh contexts, then a pan/zoom check in one more context. ``idle`` is called
    before each visit (it waits until the server has finished leftover work)."""
    from playwright.sync_api import Error as PlaywrightError

    results: list[Visit | None] = []
    reruns: tuple[int, int] | None = None
    click_bytes = None
    for i in range(runs + 2):
        idle()
        v, session = _try_visit(browser, url, target, timeout_s)
        results.append(v)
        if session is not None and i == runs + 1:
            try:
                reruns = pan_zoom(session)
                if target.click:
                    click_bytes = click_rerun_bytes(session, target.click)
            except PlaywrightError as exc:  # reported as n/a, the other figures still count
                print(f"pan/zoom failed: {exc}", file=sys.stderr)
        if session is not None:
            session.context.close()
        else:  # close whatever the timed-out visit left open
            for ctx in browser.contexts:
                ctx.close()
    first, visits = results[0], [v for v in results[1 : runs + 1] if v is not None]
    paints = [x.paint_s for x in visits]

    def med(values: list[int]) -> int | None:
        return int(statistics.median(values)) if values else None

    return {
        "first_visit_s": round(first.paint_s, 3) if first else None,
        "paint_s": [round(p, 3) for p in paints],
        "paint_median_s": round(statistics.median(paints), 3) if paints else None,
        "timeouts": runs - len(visits),
        "resource_bytes": med([x.resource_bytes for x in visits]),
        "ws_received_bytes": med([x.ws_received_bytes for x in visits]),
        "ws_received_frames": med([x.ws_received_frames for x in visits]),
        "total_received_bytes": med([x.total_bytes for x in visits]),
        "requests": med([x.requests for x in visits]),
        "remote_requests": max((x.remote_requests for x in visits), default=None),
        "pan_zoom_reruns": reruns[0] if reruns else None,
        "pan_zoom_frames_sent": reruns[1] if reruns else None,
        "click_rerun_received_bytes": click_bytes,
    }


def shell_paint(browser: Any, url: str, text: str, runs: int) -> dict[str, Any]:
    """Baseline: page.goto → a one-line Streamlit page shows ``text``. This is Streamlit's
    own front end (about 70 JS files) before any script output, the floor under every map."""
    times = []
    for _ in range(runs + 1):  # the first visit warms the browser; not counted
        context = browser.new_context(viewport=VIEWPORT)
        block_remote(context)
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.get_by_text(text).wait_for(timeout=120_000)
        times.append(time.perf_counter() - start)
        context.close()
    return {
        "paint_s": [round(t, 3) for t in times[1:]],
        "paint_median_s": round(statistics.median(times[1:]), 3),
    }
