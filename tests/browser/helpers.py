"""Helpers for real-browser tests: a Streamlit server on a free port and Debian's chromium.

Playwright cannot download its own browsers here, so tests drive /usr/bin/chromium and skip
only when it (or the playwright package) is genuinely absent.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM_PATH = "/usr/bin/chromium"
# No background traffic of chromium's own, so any request we record comes from the page.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_local_url(url: str) -> bool:
    """True for loopback http(s)/ws(s) URLs and for data:, blob:, about: URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


ROOT = Path(__file__).resolve().parents[2]


def _private_copy(app: Path) -> Path:
    """The repository's ``app.py`` runs from a private copy of the app folder (the script,
    ``pages/``, ``.streamlit/``; ``geodata`` linked), so each server has its own ``static/``.

    Streamlit serves ``static/`` beside the main script, and the app empties its published
    layers there when anonymous viewing is off: servers (and AppTests) run in parallel by
    pytest-xdist must not share it. Another script is run where it is. The copy is removed
    when the server stops.
    """
    app = Path(app).resolve()
    if app.parent != ROOT:
        return app
    copy = Path(tempfile.mkdtemp(prefix="atlas-app-"))
    shutil.copy2(app, copy / app.name)
    for folder in ("pages", ".streamlit"):
        shutil.copytree(
            ROOT / folder,
            copy / folder,
            ignore=shutil.ignore_patterns("__pycache__", "secrets.toml"),
        )
    (copy / "geodata").symlink_to(ROOT / "geodata")
    # The map's vendored files (and Leaflet.draw, fetched once) come along; the published
    # layers do not.
    if (ROOT / "static" / "vendor").is_dir():
        shutil.copytree(ROOT / "static" / "vendor", copy / "static" / "vendor")
    return copy / app.name


@contextmanager
def streamlit_server(
    app: Path,
    *,
    port: int | None = None,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[str]:
    """Run ``python -m streamlit run app`` on 127.0.0.1 and yield its base URL.

    Parameters
    ----------
    app : Path
        Main script; the server runs with its folder as working directory, so that folder's
        ``.streamlit/config.toml`` and ``static/`` apply.
    port : int, optional
        Defaults to :func:`free_port`.
    args : sequence of str
        Extra command-line options, e.g. ``["--server.baseUrlPath", "atlas"]``.
    env : dict, optional
        Extra environment variables (added to os.environ).
    timeout : float
        Seconds to wait for ``/_stcore/health`` to answer "ok".

    Yields
    ------
    str
        ``http://127.0.0.1:<port>`` (plus the base path if one was given in ``args``).
        The server log is in ``<app folder>/streamlit.log``; it is shown if start-up fails.
    """
    given, app = app, _private_copy(app)
    port = port or free_port()
    base_path = ""
    if "--server.baseUrlPath" in args:
        base_path = "/" + args[list(args).index("--server.baseUrlPath") + 1].strip("/")
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", *args,
    ]  # fmt: skip
    log_path = app.parent / "streamlit.log"
    url = f"http://127.0.0.1:{port}{base_path}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=app.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # own process group, so we stop exactly what we started
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"streamlit did not become healthy at {url}:\n{log_path.read_text()}"
                )
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if app != Path(given).resolve():
            shutil.rmtree(app.parent, ignore_errors=True)


def require_browser() -> Any:
    """Return ``playwright.sync_api.sync_playwright``, or skip if chromium/playwright is absent."""
    # CI sets TOWNSHIP_ATLAS_REQUIRE_BROWSER=1: there a missing browser fails, never skips.
    absent = pytest.fail if os.environ.get("TOWNSHIP_ATLAS_REQUIRE_BROWSER") == "1" else pytest.skip
    if not Path(CHROMIUM_PATH).exists():
        absent(f"{CHROMIUM_PATH} not installed (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        absent("playwright not installed")
    return sync_playwright


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's chromium headless through a started Playwright instance."""
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)


def block_remote(context: Any) -> None:
    """Abort every non-loopback request, so the test sees the same thing online and offline.

    Requests are still reported to ``context.on("request")`` before they are aborted.
    """
    context.route(
        "**/*",
        lambda route: route.continue_() if is_local_url(route.request.url) else route.abort(),
    )
