"""Fixtures for real-browser tests: one Chromium and one app server on a copy of the
sample per test module."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import launch_chromium, require_browser, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/browser is a real-browser test: `-m "not browser"` leaves them out."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = require_browser()
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("app") / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    # Live refresh off: its timer sends a message every second, and test_map checks that
    # panning and zooming send none (tests/browser/test_live.py runs with it on).
    env = {"TOWNSHIP_ATLAS_DATA_DIR": str(data), "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0"}
    with streamlit_server(ROOT / "app.py", env=env) as url:
        yield url
