"""Size of the village sheets (PDF) and the deck (PPTX) with photos: what a township
cadre sends over WeChat or e-mail from a phone.

    PYTHONPATH=$PWD/src .venv/bin/python bench/sheet_size_bench.py [--keep DIR]

A copy of the sample gets six photos in each of its seven villages (one on each of the
village's six sites), added through the real pipeline (the upload worker, the index
change, the save) from 12 MP phone-like JPEGs: a smooth scene with texture at the stored
picture's scale and sensor noise, so the stored 2048-px pictures are 500–600 kB, like a
real phone photo's 300–700 kB (``bench/photo_bench.py``'s smoother scene stores at
~230 kB); every sixth photo is taken upright (EXIF orientation 6), so each village has a
portrait picture too. Then the all-villages PDF and the PowerPoint are built with the
store's reader, each three times (median time), and read back: bytes, and the pixels of
the embedded photos (``pdfimages -list``; python-pptx + Pillow).

*before*: the sheets as they were before the pictures were sized (the stored file
embedded as it is: ``pdf_export.sized_jpeg`` replaced by "return the bytes"); *after*:
as shipped. The PowerPoint embeds the 320-px thumbnails in both.

``--keep DIR`` keeps the data folder with its photos in DIR (made once, ~3 minutes; later
runs with the same DIR reuse it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = 7
PER_VILLAGE = 6  # the sample's sites S001–S006 are V01's, S007–S012 V02's, …
TODAY = dt.date(2026, 3, 15)
RUNS = 3


def textured_photo(seed: int, orientation: int = 1) -> bytes:
    """A 4000 × 3000 JPEG (quality 92, 5–6 MB) that compresses like a phone photo."""
    rng = np.random.default_rng(seed)
    h, w = 3000, 4000
    y, x = np.ogrid[0:h, 0:w]
    x, y = x.astype(np.float32), y.astype(np.float32)
    scene = np.empty((h, w, 3), np.float32)
    scene[..., 0] = 120 + 60 * np.sin(x / 310.0 + seed) * np.cos(y / 270.0)
    scene[..., 1] = 140 + 50 * np.sin((x + y) / 420.0)
    scene[..., 2] = 90 + 70 * np.cos(x / 190.0) * np.sin(y / 230.0 + seed)
    # Texture (grass, brick, leaves) drawn at a quarter of the pixels and enlarged, so the
    # resize to 2048 px keeps it, as it keeps a real scene's detail; then sensor noise.
    grain = rng.normal(0, 6, (h // 2, w // 2, 1)).astype(np.float32)
    scene += np.repeat(np.repeat(grain, 2, axis=0), 2, axis=1)
    scene += rng.normal(0, 12, scene.shape).astype(np.float32)
    image = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8), "RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=92, exif=exif)
    return buf.getvalue()


def make_folder(folder: Path) -> None:
    """The sample with :data:`PER_VILLAGE` photos in each village, through the pipeline."""
    from township_atlas.storage.files.store import Store
    from township_atlas.transfer.photo_add import PhotoQuota, add_photos_change, prepare_photo

    shutil.copytree(ROOT / "geodata", folder)
    store = Store(folder)
    quota = PhotoQuota()
    for n in range(VILLAGES * PER_VILLAGE):
        site = f"S{n + 1:03}"
        photo = textured_photo(n, orientation=6 if n % PER_VILLAGE == 5 else 1)
        bundle = store.load().bundle
        prepared = prepare_photo(
            store, bundle, "sites", site, f"IMG_{n:04}.jpg", photo, quota=quota
        )
        change = add_photos_change(
            store, bundle, "sites", site, [prepared], captions=[f"照片 {n + 1}"], user="bench"
        )
        store.save(change)
        print(f"  photo {n + 1}/{VILLAGES * PER_VILLAGE} added to {site}", flush=True)


def pdf_pictures(pdf: bytes) -> list[tuple[int, int, int]]:
    """(width, height, bytes) of each JPEG drawn in ``pdf`` (``pdfimages -list``)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        out = subprocess.run(
            ["pdfimages", "-list", fh.name], capture_output=True, text=True, check=True
        ).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    return [(int(r[3]), int(r[4]), _bytes(r[14])) for r in rows if r[8] == "jpeg"]


def _bytes(size: str) -> int:
    units = {"B": 1, "K": 1024, "M": 1024**2}
    return round(float(size[:-1]) * units[size[-1]])


def pptx_pictures(pptx: bytes) -> list[tuple[int, int, int]]:
    """(width, height, bytes) of each JPEG in ``pptx``'s slides."""
    from pptx import Presentation

    out = []
    for slide in Presentation(io.BytesIO(pptx)).slides:
        for shape in slide.shapes:
            if shape.shape_type == 13 and shape.image.content_type == "image/jpeg":
                with Image.open(io.BytesIO(shape.image.blob)) as im:
                    out.append((im.width, im.height, len(shape.image.blob)))
    return out


def timed(make) -> tuple[bytes, float]:
    times, out = [], b""
    for _ in range(RUNS):
        t0 = time.perf_counter()
        out = make()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def measure(folder: Path) -> None:
    from township_atlas.briefing import pdf_export
    from township_atlas.briefing.pptx_export import deck_pptx
    from township_atlas.briefing.slides import build_deck
    from township_atlas.storage.files.store import Store

    store = Store(folder)
    bundle = store.load().bundle
    deck = build_deck(bundle, "zh", TODAY)
    stored = [len(store.photo_file(p.file)) for s in deck.village_slides() for p in s.photos]
    print(
        f"\nstored pictures: {len(stored)}, median {statistics.median(stored) / 1000:.0f} kB, "
        f"total {sum(stored) / 1e6:.1f} MB"
    )

    def sheets() -> bytes:
        return pdf_export.village_sheets_pdf(bundle, deck, None, store.photo_file)

    sized = pdf_export.sized_jpeg
    pdf_export.sized_jpeg = lambda data, _w, _h: data  # before: the stored file as it is
    try:
        before, t_before = timed(sheets)
    finally:
        pdf_export.sized_jpeg = sized
    after, t_after = timed(sheets)
    pptx, t_pptx = timed(lambda: deck_pptx(bundle, deck, store.photo_file))

    print(f"\n{'file':34} {'bytes':>9} {'time':>7}  pictures: n, largest px, total")
    for name, data, secs, pics in (
        ("all-villages PDF, before", before, t_before, pdf_pictures(before)),
        ("all-villages PDF, after", after, t_after, pdf_pictures(after)),
        ("PowerPoint (320-px thumbnails)", pptx, t_pptx, pptx_pictures(pptx)),
    ):
        w, h, _ = max(pics, key=lambda p: p[0] * p[1])
        total = sum(p[2] for p in pics)
        print(
            f"{name:34} {len(data) / 1e6:7.2f} MB {secs:6.2f} s  "
            f"{len(pics)}, {w}×{h}, {total / 1e6:.2f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the data folder here")
    args = parser.parse_args()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line),
        platform.machine(),
    )
    load = os.getloadavg()[0]
    print(f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "geodata"
        if not (folder / "photos.csv").exists():
            print(f"adding {VILLAGES * PER_VILLAGE} photos to {folder} …")
            make_folder(folder)
        measure(folder)


if __name__ == "__main__":
    main()
