"""A hostile upload through the real page, as a planner: the server keeps answering its
health check (each within 1 s) while the worker deals with the file, the page shows the
message, nothing in the data folder changes and no temporary upload folder is left."""

from __future__ import annotations

import hashlib
import shutil
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import block_remote, streamlit_server

from township_atlas.accounts import AccountStore
from township_atlas.authz import User

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pia-planner-pass-2"


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("upload")
    data = tmp / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    accounts = tmp / "accounts.json"
    AccountStore(accounts).add("pia", PASSWORD, "planner", actor=User("t", "admin", "console"))
    uploads = tmp / "tmp"
    uploads.mkdir()
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(data),
        "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(accounts),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0",
        "TOWNSHIP_ATLAS_UPLOAD_WORKER_SECONDS": "2",
        "TOWNSHIP_ATLAS_UPLOAD_WORKER_MEMORY_MB": "256",
        "TMPDIR": str(uploads),  # the server's temporary folders: checked empty at the end
    }
    with streamlit_server(ROOT / "app.py", env=env) as url:
        yield url, data, uploads


class HealthProbe:
    """Polls /_stcore/health in a thread and records how long each answer took."""

    def __init__(self, url: str) -> None:
        self.url = url + "/_stcore/health"
        self.times: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=1.0) as resp:
                    assert resp.read().strip() == b"ok"
                self.times.append(time.monotonic() - started)
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                self.failures.append(repr(exc))
            time.sleep(0.1)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def nested_collection_csv(depth: int = 50_000) -> bytes:
    """The upload that used to segfault the whole server (issue 15)."""
    wkt = "GEOMETRYCOLLECTION(" * depth + "POINT(105.7 35.9)" + ")" * depth
    return f'名称,wkt\n点,"{wkt}"\n'.encode()


def many_rows_csv(rows: int = 199_000) -> bytes:
    """Within every size limit (features, cells, bytes), but more work than the 2 s the
    test server allows: reading alone takes about 3 s on the 2-CPU machine."""
    lines = [f"点{i},示范基地,花椒,{105.7 + i * 1e-6:.6f},35.9" for i in range(rows)]
    return ("名称,类型,产业,经度,纬度\n" + "\n".join(lines) + "\n").encode()


def _login(page, url: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("用户名").fill("pia")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("规划员").first.wait_for(timeout=30_000)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("gc.csv", nested_collection_csv(), "嵌套太深"),
        ("big.csv", many_rows_csv(), "超过了 2 秒"),
    ],
    ids=["geometrycollection-50000-deep", "worker-killed-at-its-time-limit"],
)
def test_a_hostile_upload_leaves_the_server_answering_and_shows_a_message(
    browser, server, name, data, message
):
    url, folder, uploads = server
    before = _digest(folder)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    block_remote(context)
    page = context.new_page()
    _login(page, url)
    page.get_by_role("link", name="数据编辑").click()
    page.get_by_text("导入", exact=True).first.click()
    chooser = page.locator('input[type="file"]')
    chooser.wait_for(state="attached", timeout=30_000)
    with HealthProbe(url) as probe:
        chooser.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
        page.get_by_text(message).first.wait_for(timeout=60_000)
        time.sleep(0.5)
    assert not probe.failures, probe.failures
    assert probe.times and max(probe.times) < 1.0, probe.times
    print(f"{name}: {len(probe.times)} health checks, slowest {max(probe.times) * 1000:.0f} ms")
    page.get_by_text("没有写入任何数据").first.wait_for(timeout=5_000)
    assert _digest(folder) == before
    assert not list(uploads.glob("atlas-upload-*"))
    # still the same server, answering
    with urllib.request.urlopen(url + "/_stcore/health", timeout=1.0) as resp:
        assert resp.read().strip() == b"ok"
    context.close()
