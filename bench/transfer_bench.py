"""Import and export timings on a generated county (run by hand, never part of the tests).

    .venv/bin/python bench/transfer_bench.py [--county /tmp/county]

Import = read + CRS suggestion + field mapping + plan, for the county's 10,000 sites as
GeoJSON, as a zipped GBK Shapefile without .cpg, and as CSV (lon/lat + WKT). Export = the
whole dataset in every format. The county is generated once with
``python -m township_atlas.sample /tmp/county --villages 100 --sites 10000`` and reused.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyogrio

from township_atlas.storage.files.store import Store
from township_atlas.transfer import (
    EXPORT_FORMATS,
    Upload,
    build_plan,
    export_dataset,
    export_layer,
    suggest_crs,
    suggest_mapping,
)


def county(path: Path) -> Path:
    if not (path / "sites.geojson").exists():
        cmd = [
            sys.executable,
            "-m",
            "township_atlas.sample",
            str(path),
            "--villages",
            "100",
            "--sites",
            "10000",
        ]
        subprocess.run(cmd, check=True)
    return path


def gbk_shapefile_zip(bundle) -> bytes:
    """The sites as a Shapefile in GBK without .cpg (points only: one file)."""
    with tempfile.TemporaryDirectory() as tmp:
        sites = bundle.sites[bundle.sites.geometry.geom_type == "Point"]
        with warnings.catch_warnings():  # GDAL cuts the long field names to 10 characters
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_dataframe(sites, Path(tmp) / "sites.shp", encoding="GBK")
        (Path(tmp) / "sites.cpg").unlink()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).iterdir()):
                zf.write(path, path.name)
        return buffer.getvalue()


def timed(func: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def import_once(name: str, data: bytes, bundle):
    times = {}
    t0 = time.perf_counter()
    with Upload(name, data) as upload:
        raw = upload.read(upload.layers[0].key)
    t1 = time.perf_counter()
    crs = suggest_crs(raw, bundle).choice
    t2 = time.perf_counter()
    mapping = suggest_mapping(raw, "sites")
    t3 = time.perf_counter()
    plan = build_plan(raw, "sites", bundle, crs=crs, mapping=mapping)
    t4 = time.perf_counter()
    times.update(read=t1 - t0, crs=t2 - t1, mapping=t3 - t2, plan=t4 - t3, total=t4 - t0)
    return times, plan, len(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", type=Path, default=Path("/tmp/county"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    bundle = Store(county(args.county)).load().bundle
    print(f"county: {len(bundle.villages)} villages, {len(bundle.sites)} sites "
          f"(loaded in {time.perf_counter() - t:.1f} s, not counted)")  # fmt: skip
    sources = {
        "GeoJSON": export_layer(bundle, "sites", "geojson"),
        "Shapefile (GBK, zipped, no .cpg)": ("sites.zip", gbk_shapefile_zip(bundle)),
        "CSV (UTF-8, lon/lat + WKT)": export_layer(bundle, "sites", "csv"),
    }
    print("\nimport of the sites layer: read + CRS + mapping + plan (best of "
          f"{args.repeat}, seconds)")  # fmt: skip
    print(
        f"{'source':34} {'rows':>6} {'MB':>5} {'read':>6} {'crs':>6} {'map':>6} {'plan':>6} {'total':>6}"
    )
    for label, (name, data) in sources.items():
        runs = [import_once(name, data, bundle) for _ in range(args.repeat)]
        times, plan, rows = min(runs, key=lambda r: r[0]["total"])
        print(f"{label:34} {rows:6d} {len(data) / 2**20:5.1f} {times['read']:6.2f} {times['crs']:6.2f} "
              f"{times['mapping']:6.2f} {times['plan']:6.2f} {times['total']:6.2f}"
              f"   ({len(plan.features)} accepted, {len(plan.errors)} errors)")  # fmt: skip
    print(f"\nexport of the whole dataset (best of {args.repeat}, seconds)")
    for fmt in EXPORT_FORMATS:
        seconds, (name, data) = timed(lambda fmt=fmt: export_dataset(bundle, fmt), args.repeat)
        print(f"{fmt:10} {seconds:6.2f} s  {len(data) / 2**20:5.1f} MB  {name}")


if __name__ == "__main__":
    main()
