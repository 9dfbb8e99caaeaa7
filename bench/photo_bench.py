"""Photos (issue 20, "done when"): the time from upload to shown for a 12-megapixel phone
photo, and the storage each photo takes.

    PYTHONPATH=$PWD/src .venv/bin/python bench/photo_bench.py [--runs 5] [--skip-browser]

The photo is made by code like a phone's: 4000×3000, textured (a smooth scene plus sensor
noise, so it compresses like a real photo, 4–6 MB at quality 92), with EXIF (date, GPS a
few metres from the site, camera serial, maker note, orientation) and an ICC profile.

* **pipeline**: in this process, on a copy of the sample: the upload worker's check and
  re-encoding (``prepare_photo``: a fresh sandboxed worker, decode, orientation, resize to
  2048 px, thumbnail, metadata gone, files written), then the index change saved and the
  data loaded again with the thumbnail read back, as the page does. Median of ``--runs``;
  the worker's peak memory as ``process_photo`` alone in a fresh process.
* **browser**: a planner on a 390×844 phone context (Debian's Chromium) opens the map at
  the site, chooses the photo in the details panel and taps 添加照片; the time runs from the
  tap until the new thumbnail is loaded in the panel (the whole path a user waits through:
  upload over the websocket, the worker, the save, the rerun, the picture fetched).
* **storage**: bytes of the stored picture and thumbnail, and the index row, per photo.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

ROOT = Path(__file__).resolve().parent.parent
SITE = "S002"  # 上庄肉牛养殖示范基地, a demonstration base


def phone_photo(lon: float, lat: float, seed: int = 0) -> bytes:
    """A 12 MP JPEG with a phone's metadata (see the module docstring)."""
    rng = np.random.default_rng(seed)
    h, w = 3000, 4000
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    scene = np.stack(
        [
            120 + 60 * np.sin(x / 310.0 + seed) * np.cos(y / 270.0),
            140 + 50 * np.sin((x + y) / 420.0),
            90 + 70 * np.cos(x / 190.0) * np.sin(y / 230.0 + seed),
        ],
        axis=-1,
    )
    scene += rng.normal(0, 7, scene.shape).astype(np.float32)  # sensor noise and texture
    image = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8), "RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone upright: the picture must be turned
    exif[0x010F] = "ACME"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2025:04:30 09:15:00"
    sub[0xA431] = "SERIAL-0042"
    sub[0x927C] = b"MAKERNOTE" * 200
    gps = exif.get_ifd(0x8825)

    def dms(v: float) -> tuple[float, float, float]:
        d, m = int(v), (v - int(v)) * 60
        return (float(d), float(int(m)), round((m - int(m)) * 60, 4))

    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=92, exif=exif, icc_profile=icc)
    return buf.getvalue()


def worker_peak_mb(photo_path: Path) -> tuple[float, float]:
    """(before, after) ``process_photo`` of the photo alone in a fresh process, in MB of
    peak memory: the libraries' share, and with the work on top (the sandboxed worker's own
    peak is not reported to the server)."""
    # VmHWM, not getrusage: a child's ru_maxrss starts at its parent's peak (fork).
    code = (
        "import sys\n"
        "from township_atlas.transfer.photos import process_photo\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            print(int(line.split()[1]) / 1024)\n"
        "hwm()\n"
        "process_photo('IMG.jpg', data)\n"
        "hwm()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(photo_path)], capture_output=True, check=True
    )
    before, after = (float(x) for x in done.stdout.decode().split())
    return before, after


def pipeline(folder: Path, photo: bytes, runs: int) -> dict:
    from township_atlas.storage.files.store import Store
    from township_atlas.transfer.photo_add import PhotoQuota, add_photos_change, prepare_photo
    from township_atlas.views.photos import photo_items

    store = Store(folder)
    quota = PhotoQuota(max_per_feature=100)
    work, save, show, total, sizes = [], [], [], [], []
    for n in range(runs):
        bundle = store.load().bundle
        t0 = time.perf_counter()
        prepared = prepare_photo(
            store, bundle, "sites", SITE, f"IMG_{n:04}.jpg", photo, quota=quota
        )
        t1 = time.perf_counter()
        store.save(
            add_photos_change(store, bundle, "sites", SITE, [prepared], user="bench", quota=quota)
        )
        t2 = time.perf_counter()
        items = photo_items(store.load().bundle, "sites", SITE)
        store.photo_file(items[-1].thumb)
        t3 = time.perf_counter()
        work.append(t1 - t0)
        save.append(t2 - t1)
        show.append(t3 - t2)
        total.append(t3 - t0)
        sizes.append(prepared)
    last = sizes[-1]
    index = folder / "photos.csv"
    rows = index.read_text(encoding="utf-8").count("\n") - 1
    return {
        "worker_s": statistics.median(work),
        "save_s": statistics.median(save),
        "load_show_s": statistics.median(show),
        "total_s": statistics.median(total),
        "picture_bytes": len(store.photo_file(last.file)),
        "thumb_bytes": len(store.photo_file(last.thumb)),
        "pixels": f"{last.width}×{last.height}",
        "index_row_bytes": index.stat().st_size / max(rows, 1),
    }


def browser(folder: Path, photo_path: Path, runs: int) -> list[tuple[float, float]]:
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from helpers import block_remote, launch_chromium, streamlit_server
    from playwright.sync_api import sync_playwright

    from township_atlas.accounts import AccountStore
    from township_atlas.authz import User

    accounts = folder.parent / "accounts.json"
    AccountStore(accounts).add(
        "pia", "pia-planner-pass-2", "planner", actor=User("b", "admin", "console")
    )
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(folder),
        "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(accounts),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0",
        "TOWNSHIP_ATLAS_PHOTO_MAX_PER_FEATURE": "100",
        # The shared link asks for the login on the spot (a new page load is a new session).
        "TOWNSHIP_ATLAS_ANONYMOUS_VIEWING": "false",
    }
    pictures = '[data-testid="stImage"] img'
    times = []
    with streamlit_server(ROOT / "app.py", env=env, timeout=120) as url, sync_playwright() as p:
        b = launch_chromium(p)
        context = b.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        block_remote(context)
        page = context.new_page()
        page.goto(f"{url}/map?sel=site:{SITE}")
        page.get_by_label("用户名").fill("pia")
        page.get_by_label("密码").fill("pia-planner-pass-2")
        page.get_by_role("button", name="登录").click()
        page.locator("h4", has_text="示范基地").wait_for(timeout=60_000)
        for _ in range(runs):
            before = page.locator(pictures).count()
            if not page.get_by_text("选择照片或拍照").is_visible():
                # The panel's 添加照片 part closes on a save.
                page.get_by_text("添加照片", exact=True).first.click()
                page.get_by_text("选择照片或拍照").wait_for(timeout=20_000)
            chosen = time.perf_counter()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                str(photo_path)
            )
            button = page.get_by_role("button", name="添加照片", exact=True).last
            try:
                button.wait_for(timeout=60_000)
            except Exception:
                page.screenshot(path="/tmp/photo-bench-fail.png", full_page=True)
                raise
            start = time.perf_counter()
            button.click()
            page.wait_for_function(
                """([sel, n]) => {
                    const imgs = [...document.querySelectorAll(sel)];
                    return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
                }""",
                arg=[pictures, before + 1],
                timeout=120_000,
            )
            end = time.perf_counter()
            times.append((end - chosen, end - start))
        b.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()

    from township_atlas.storage.files.store import Store
    from township_atlas.transfer.photo_add import feature_point

    tmp = Path(tempfile.mkdtemp(prefix="photo-bench-"))
    try:
        folder = tmp / "geodata"
        shutil.copytree(ROOT / "geodata", folder)
        lon, lat = feature_point(Store(folder).load().bundle, "sites", SITE)
        photo = phone_photo(lon + 0.0002, lat)
        photo_path = tmp / "IMG_0001.jpg"
        photo_path.write_bytes(photo)
        with Image.open(io.BytesIO(photo)) as im:
            size = f"{im.width}×{im.height}"
        print(f"photo: {size}, {len(photo) / 2**20:.2f} MB JPEG with EXIF/GPS/ICC")
        r = pipeline(folder, photo, args.runs)
        print(f"\npipeline (median of {args.runs}):")
        print(f"  worker (check, turn, resize, thumbnail, strip, write) {r['worker_s']:.2f} s")
        print(f"  index change saved                                  {r['save_s']:.3f} s")
        print(f"  data loaded again + thumbnail read                  {r['load_show_s']:.3f} s")
        print(f"  upload to shown (server side)                       {r['total_s']:.2f} s")
        base, peak = worker_peak_mb(photo_path)
        print(f"  worker peak memory (libraries {base:.0f} MB)           {peak:.0f} MB")
        print("\nstorage per photo:")
        print(f"  picture ({r['pixels']})  {r['picture_bytes'] / 1024:.0f} kB")
        print(f"  thumbnail            {r['thumb_bytes'] / 1024:.1f} kB")
        print(f"  index row            {r['index_row_bytes']:.0f} B")
        total = r["picture_bytes"] + r["thumb_bytes"] + r["index_row_bytes"]
        print(f"  together             {total / 1024:.0f} kB ({len(photo) / total:.1f}× smaller)")
        big_path = tmp / "IMG_48MP.jpg"
        with Image.open(io.BytesIO(photo)) as im:
            big = im.resize((8000, 6000))
            big.save(big_path, "JPEG", quality=90, exif=im.info["exif"])
        t0 = time.perf_counter()
        from township_atlas.transfer.worker_jobs import process_photo_isolated

        process_photo_isolated(big_path.name, big_path.read_bytes())
        big_s = time.perf_counter() - t0
        base, peak = worker_peak_mb(big_path)
        print(
            f"\n48 MP (8000×6000, {big_path.stat().st_size / 2**20:.1f} MB): worker {big_s:.2f} s, "
            f"peak memory {peak:.0f} MB (libraries {base:.0f} MB)"
        )
        if not args.skip_browser:
            fresh = tmp / "browser" / "geodata"
            shutil.copytree(ROOT / "geodata", fresh)
            times = browser(fresh, photo_path, args.runs)
            print(f"\nbrowser, 390×844 phone ({args.runs} runs, the first on a fresh server):")
            for label, k in (("photo chosen → thumbnail loaded", 0), ("tap 添加照片 → loaded", 1)):
                runs = [t[k] for t in times]
                print(
                    f"  {label:32} "
                    + ", ".join(f"{t:.2f}" for t in runs)
                    + f" s; median {statistics.median(runs):.2f} s"
                )
        load = os.getloadavg()
        print(
            f"\nmachine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, load {load[0]:.2f}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
