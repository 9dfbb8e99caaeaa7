"""Photos in a real browser (issue 20, "done when"): a planner on a 390×844 phone adds
three photos to a demonstration base from the map's details panel, and the leaders' map,
the village page, the meeting slide and the village sheet (PDF) show them; a hostile
caption stays text; someone without the right to view gets no picture, neither on the page
nor by guessing a URL."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from helpers import block_remote, streamlit_server

from tests.photo_images import SERIAL, camera_jpeg
from township_atlas.accounts import AccountStore
from township_atlas.authz import User
from township_atlas.storage.files.store import Store
from township_atlas.transfer.photo_add import feature_point
from township_atlas.views.photos import feature_photos

ROOT = Path(__file__).resolve().parents[2]
SITE = "S002"  # 上庄肉牛养殖示范基地, a demonstration base of V01
VILLAGE = "V01"
PLANNER, PLANNER_PASSWORD = "pia", "pia-planner-pass-2"
LEADER, LEADER_PASSWORD = "lea", "lea-leader-pass-2"
HOSTILE = "<img src=x onerror=window.__pwned=1>牛舍"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
PICTURES = '[data-testid="stImage"] img'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("photos")
    data = tmp / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    accounts = tmp / "accounts.json"
    admin = User("t", "admin", "console")
    AccountStore(accounts).add(PLANNER, PLANNER_PASSWORD, "planner", actor=admin)
    AccountStore(accounts).add(LEADER, LEADER_PASSWORD, "viewer", actor=admin)
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(data),
        "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(accounts),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0",
        # Photos only for those who log in: the public static folder must not serve them.
        "TOWNSHIP_ATLAS_ANONYMOUS_VIEWING": "false",
    }
    with streamlit_server(ROOT / "app.py", env=env) as url:
        yield url, data


def _context(browser, size: dict, errors: list[str]):
    context = browser.new_context(**size, locale="zh-CN")
    block_remote(context)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


def _login(page, link: str, user: str, password: str) -> None:
    """Open a shared link and log in where it asks (a page load is a new session, so the
    link is opened first; the login keeps its page and parameters)."""
    page.goto(link)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # In the sidebar, which a phone keeps closed: there, not necessarily visible.
    page.get_by_text("退出登录").first.wait_for(state="attached", timeout=30_000)


def _wait_for_pictures(page, n: int, timeout: int = 30_000) -> None:
    """Wait until the page shows exactly ``n`` pictures, each loaded (not a broken image)."""
    page.wait_for_function(
        """([sel, n]) => {
            const imgs = [...document.querySelectorAll(sel)];
            return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
        }""",
        arg=[PICTURES, n],
        timeout=timeout,
    )


def _photos(folder: Path, lon: float, lat: float) -> list[dict]:
    """Three phone photos taken at the base (EXIF with GPS, serial, maker note)."""
    return [
        {
            "name": f"IMG_000{n}.jpg",
            "mimeType": "image/jpeg",
            "buffer": camera_jpeg(lon + n * 0.0003, lat, width=1600, height=1200),
        }
        for n in range(1, 4)
    ]


def _fetch(url: str) -> bytes:
    """What a request without a session gets ("" for an error status). Streamlit answers
    an unknown path with its page (200, HTML), so the body is what must be checked."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.read()
    except urllib.error.HTTPError:
        return b""


def test_a_planner_on_a_phone_adds_three_photos_and_the_leaders_see_them(browser, server, tmp_path):
    url, data = server
    lon, lat = feature_point(Store(data).load().bundle, "sites", SITE)
    errors: list[str] = []

    phone, page = _context(browser, PHONE, errors)
    _login(page, f"{url}/map?sel=site:{SITE}", PLANNER, PLANNER_PASSWORD)
    # The details panel, below the map on a phone: the base's name as its heading.
    page.locator("h4", has_text="上庄肉牛养殖示范基地").wait_for(timeout=45_000)
    page.screenshot(path=str(tmp_path / "phone-map.png"), full_page=True)
    page.get_by_text("添加照片", exact=True).first.click()  # the panel's expander
    chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    chooser.wait_for(state="attached", timeout=15_000)
    # Several at once, images only: a phone's picker then offers the camera and the gallery.
    assert chooser.get_attribute("multiple") is not None
    assert ".jpg" in (chooser.get_attribute("accept") or "")
    chooser.set_input_files(_photos(tmp_path, lon, lat))
    page.get_by_label("IMG_0001.jpg 的说明").fill(HOSTILE)
    page.get_by_label("IMG_0002.jpg 的说明").fill("基地全景")
    started = time.monotonic()
    page.get_by_role("button", name="添加照片", exact=True).last.click()
    page.get_by_text("已添加 3 张照片").wait_for(timeout=60_000)
    _wait_for_pictures(page, 3)
    shown = time.monotonic() - started
    page.screenshot(path=str(tmp_path / "phone-panel.png"), full_page=True)
    print(f"3 photos, upload to shown on the phone: {shown:.1f} s")
    # The hostile caption is text under its picture, never markup.
    page.get_by_text(HOSTILE).first.wait_for(timeout=10_000)
    assert page.evaluate("window.__pwned") is None

    rows = feature_photos(Store(data).load().bundle, "sites", SITE)
    assert len(rows) == 3 and list(rows["caption_zh"].fillna(""))[:2] == [HOSTILE, "基地全景"]
    for name in rows["file"]:
        stored = (data / name).read_bytes()
        assert SERIAL.encode() not in stored and b"MAKERNOTE" not in stored
        with Image.open(io.BytesIO(stored)) as im:
            assert not im.getexif() and max(im.size) <= 2048
    phone.close()

    # The leaders, logged in as viewers on the projector: the map's panel and the village.
    desk, page = _context(browser, PROJECTOR, errors)
    _login(page, f"{url}/map?sel=site:{SITE}", LEADER, LEADER_PASSWORD)
    _wait_for_pictures(page, 3)
    assert page.get_by_text("基地全景").count() >= 1
    assert not page.locator('[data-testid="stFileUploaderDropzoneInput"]').count()
    page.get_by_role("link", name="打开村情档案").click()  # in the app: the same session
    page.get_by_text("点位和党组织照片").wait_for(timeout=45_000)
    _wait_for_pictures(page, 3)
    page.get_by_role("button", name="查看大图").first.click()
    page.get_by_role("dialog").locator(PICTURES).wait_for(timeout=20_000)
    page.screenshot(path=str(tmp_path / "leader-village.png"))
    media = {page.evaluate("(i) => i.src", el) for el in page.locator(PICTURES).element_handles()}
    desk.close()

    # The meeting: V01's slide (3) on the projector, as a shared link opened by a planner,
    # who also takes the village's sheet (PDF) from the slide's menu.
    desk, page = _context(browser, PROJECTOR, errors)
    _login(page, f"{url}/meeting?slide=3", PLANNER, PLANNER_PASSWORD)
    slide = page.locator('.mtg-slide[data-slide="3"]')
    slide.wait_for(timeout=60_000)
    page.wait_for_function(
        """() => {
            const imgs = [...document.querySelectorAll('.mtg-photo img')];
            return imgs.length === 3 && imgs.every((i) => i.complete && i.naturalWidth > 0);
        }""",
        timeout=30_000,
    )
    assert "上庄村" in slide.inner_text() and "基地全景" in slide.inner_text()
    assert HOSTILE in slide.inner_text()  # the caption as text, on the slide too
    page.screenshot(path=str(tmp_path / "meeting-slide.png"))
    page.get_by_role("button", name="更多").click()
    page.get_by_role("button", name="本村档案 PDF").click()
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="文件已生成").click()
    sheet = tmp_path / "sheet.pdf"
    download.value.save_as(sheet)
    images = subprocess.run(
        ["pdfimages", "-list", str(sheet)], capture_output=True, text=True, check=True
    ).stdout
    assert sum(" jpeg " in line for line in images.splitlines()) >= 3
    words = subprocess.run(
        ["pdftotext", str(sheet), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "基地全景" in words and "上庄肉牛养殖示范基地" in words
    for p in (page, *page.frames):
        assert p.evaluate("window.__pwned") is None
    desk.close()

    # Someone not logged in (anonymous viewing is off) gets no picture on the page …
    anon, page = _context(browser, PROJECTOR, errors)
    page.goto(f"{url}/map?sel=site:{SITE}")
    page.get_by_text("登录").first.wait_for(timeout=45_000)
    page.wait_for_timeout(1500)
    assert page.locator(PICTURES).count() == 0
    anon.close()
    # … nor by guessing: a stored file's content name is no URL anywhere, and Streamlit's
    # media URLs are a hash of bytes the guesser does not have (see README 照片).
    for name in [*rows["file"], *rows["thumb"]]:
        digest = Path(name).stem
        for guess in (
            f"/app/static/{name}",
            f"/app/static/photos/{Path(name).name}",
            f"/media/{digest}.jpg",
            f"/media/{hashlib.sha224(digest.encode()).hexdigest()}.jpg",
            f"/{name}",
        ):
            body = _fetch(url + guess)
            assert not body.startswith(b"\xff\xd8") and (data / name).read_bytes() not in body
        assert not any(digest in m for m in media)
    assert errors == []
