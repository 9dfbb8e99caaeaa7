"""The whole-dataset export with photos: time and peak memory, with and without the cap.

    PYTHONPATH=$PWD/src .venv/bin/python bench/export_photos_bench.py [--photo-mb 200] [--cap-mb 100]

Makes a copy of the sample with ``--photo-mb`` of photos (random bytes of 250 kB, about a
stored phone photo, and 5 kB thumbnails, under their content names with their rows in
``photos.csv``; the export never decodes them), then runs each way of exporting it in a
fresh child process, so one's memory does not hide another's:

* **page, no cap**: ``export_dataset`` (the zip built in an ``io.BytesIO``), every
  picture: what the page did before the cap;
* **page, cap**: the same with ``photo_limit_bytes`` = ``--cap-mb`` (the page's setting
  ``TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB``), below the photos' volume: no pictures;
* **command**: ``write_dataset`` into a file on disk (``python -m township_atlas.transfer
  export``), every picture.

Peak memory is the child's ``VmHWM`` during the export alone (reset with
``/proc/self/clear_refs`` once the data is loaded), less its ``VmRSS`` just before; the
page's figures include the returned bytes, which Streamlit then keeps for the download.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 2**20
WAYS = ("page, no cap", "page, cap", "command")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def make_folder(target: Path, photo_mb: int) -> int:
    """A copy of the sample with about ``photo_mb`` MB of photos; returns their count."""
    import pandas as pd

    from township_atlas.model.schema import PHOTOS
    from township_atlas.storage.formats import csv_text
    from township_atlas.storage.photo_files import write_photo_files

    shutil.copytree(ROOT / "geodata", target)
    count = photo_mb * MB // (255 * 1024)
    rows = []
    for k in range(count):
        image, thumb = os.urandom(250 * 1024), os.urandom(5 * 1024)
        file, thumb_name = write_photo_files(target, image, thumb)
        rows.append(
            {
                "photo_id": f"PH{k:05d}",
                "layer": "sites",
                "feature_id": f"S{k % 40 + 1:03d}",
                "seq": k // 40 + 1,
                "file": file,
                "thumb": thumb_name,
                "width": 2048,
                "height": 1536,
                "bytes": len(image) + len(thumb),
            }
        )
    frame = pd.DataFrame(rows, columns=PHOTOS.field_names())
    (target / PHOTOS.filename).write_text(csv_text(frame, PHOTOS), encoding="utf-8")
    return count


def child(folder: Path, way: str, cap_mb: int, out: Path) -> dict:
    """Export ``folder`` the ``way`` named; the figures as a dict."""
    from township_atlas.storage.files.store import Store
    from township_atlas.transfer.export import export_dataset, write_dataset

    store = Store(folder)
    bundle = store.load().bundle
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status("VmRSS")
    start = time.perf_counter()
    if way in ("page, no cap", "page, cap"):
        limit = cap_mb * MB if way == "page, cap" else None
        _, data = export_dataset(
            bundle, "geojson", photo_bytes=store.photo_file, photo_limit_bytes=limit
        )
        size = len(data)
    else:
        with open(out, "wb") as fh:
            write_dataset(bundle, "geojson", fh, photo_bytes=store.photo_file)
        size = out.stat().st_size
    seconds = time.perf_counter() - start
    peak = _status("VmHWM")
    if way == "command":
        with zipfile.ZipFile(out) as zf:
            pictures = sum(1 for n in zf.namelist() if n.startswith(("photos/", "thumbs/")))
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            pictures = sum(1 for n in zf.namelist() if n.startswith(("photos/", "thumbs/")))
    return {
        "way": way,
        "seconds": round(seconds, 2),
        "zip_mb": round(size / MB, 1),
        "photo_files": pictures,
        "rss_before_mb": round(before / MB, 1),
        "peak_above_mb": round((peak - before) / MB, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photo-mb", type=int, default=200)
    parser.add_argument("--cap-mb", type=int, default=100)
    parser.add_argument(
        "--child", nargs=3, metavar=("FOLDER", "WAY", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        folder, way, out = args.child
        print(json.dumps(child(Path(folder), way, args.cap_mb, Path(out))))
        return 0
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        folder = Path(tmp) / "geodata"
        start = time.perf_counter()
        count = make_folder(folder, args.photo_mb)
        volume = sum(p.stat().st_size for p in folder.rglob("*.jpg"))
        print(
            f"{count} photos, {volume / MB:.0f} MB of pictures and thumbnails "
            f"(made in {time.perf_counter() - start:.1f} s); cap {args.cap_mb} MB"
        )
        print(f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
        print(f"load average {os.getloadavg()[0]:.2f}")
        print("| way | time | zip | photo files | RSS before | peak above it |")
        print("|---|---:|---:|---:|---:|---:|")
        for way in WAYS:
            out = Path(tmp) / "out.zip"
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--cap-mb",
                    str(args.cap_mb),
                    "--child",
                    str(folder),
                    way,
                    str(out),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(result.stdout.strip().splitlines()[-1])
            out.unlink(missing_ok=True)
            print(
                f"| {r['way']} | {r['seconds']:.2f} s | {r['zip_mb']} MB | {r['photo_files']} "
                f"| {r['rss_before_mb']} MB | **{r['peak_above_mb']} MB** |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
