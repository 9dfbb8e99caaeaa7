"""Real server: map layers published while anonymous viewing was on are not served after a
restart with it off (issue 15: HTTP 200 with no login before)."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from helpers import streamlit_server

from township_atlas.maps import datafile

ROOT = Path(__file__).resolve().parents[2]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_server_restarted_without_anonymous_viewing_serves_no_old_layers(browser, tmp_path):
    """The attack of issue 15: publish with anonymous viewing on, restart with it off,
    fetch the old file by its name with no login."""
    data = tmp_path / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    app = tmp_path / "app"
    skip = shutil.ignore_patterns(
        ".git", "tests", "bench", "docs", "geodata", "__pycache__", "static"
    )
    shutil.copytree(ROOT, app, ignore=skip)
    # The app's static folder is the copy's (map_view: beside the package's src folder).
    published = app / "static" / datafile.FOLDER
    published.mkdir(parents=True)
    name = datafile.file_name(b'{"site": "deleted"}', "v1")
    (published / name).write_bytes(b'{"site": "deleted"}')
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(data),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0",
        "PYTHONPATH": str(app / "src"),
        "TOWNSHIP_ATLAS_ANONYMOUS_VIEWING": "true",
    }
    file_url = f"/app/static/{datafile.FOLDER}/{name}"
    with streamlit_server(app / "app.py", env=env) as url:
        assert status(url + file_url) == 200  # public while anonymous viewing is on
    env["TOWNSHIP_ATLAS_ANONYMOUS_VIEWING"] = "false"
    with streamlit_server(app / "app.py", env=env) as url:
        # Start-up work runs with the process's first script run: the first page opened.
        page = browser.new_page()
        page.goto(url + "/login")
        page.locator("h1").first.wait_for(timeout=45_000)
        page.close()
        assert status(url + file_url) == 404
    assert not list(published.glob("*.json"))
