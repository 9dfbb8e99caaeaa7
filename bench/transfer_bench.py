"""Import and export timings on a generated county (run by hand, never part of the tests).

    .venv/bin/python bench/transfer_bench.py [--county /tmp/county]
    .venv/bin/python bench/transfer_bench.py --hostile    # the worst uploads, in the worker

``--hostile`` sends the worst uploads of the hostile corpus (issue 15) through the upload
worker with the default limits (60 s, 1024 MB) and prints, for each, the outcome, the wall
time, the worker's peak memory and the growth of this (the server's) process, plus what
starting a job costs (forkserver) against a fresh interpreter.

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


def _rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _noop(path, progress) -> int:
    return 0


def hostile_corpus(tmp: Path) -> dict[str, tuple[str, bytes]]:
    """The worst uploads of the corpus (the tests build the same kinds, smaller)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import test_transfer_worker as t

    deep = 50_000
    return {
        "CSV: GEOMETRYCOLLECTION 50,000 deep": ("gc.csv", t.nested_collection_csv(deep)),
        "XLSX: GEOMETRYCOLLECTION 50,000 deep": ("gc.xlsx", t.nested_collection_xlsx(deep)),
        "KML: Folders 600,000 deep": ("a.kml", t.kml_nested(600_000)),
        "GeoJSON: [ 1,000,000 deep": ("a.geojson", t.deep_json(1_000_000)),
        "GeoJSON: number of 5,000 digits": ("a.geojson", t.geojson_long_number()),
        "GeoPackage: recursive view": ("a.gpkg", t.gpkg_with(tmp, t.RECURSIVE_VIEW)),
        "XLSX: 200k rows x 46 cells": ("a.xlsx", t.wide_xlsx(200_000, 46)),
        "CSV: 200k rows x 72 cells": ("a.csv", t.wide_csv(200_000, 72)),
        "GeoJSON: line of 1.2M vertices": ("a.geojson", t.long_line(1_200_000)),
        "CSV: 190k points (accepted)": ("a.csv", many_points(190_000)),
    }


def many_points(rows: int) -> bytes:
    lines = [f"点{i},示范基地,花椒,{105.7 + i * 1e-6:.6f},35.9" for i in range(rows)]
    return ("名称,类型,产业,经度,纬度\n" + "\n".join(lines) + "\n").encode()


def hostile(bundle) -> None:
    from township_atlas.transfer import TransferError, WorkerLimits, preview_import, run_isolated

    worker = WorkerLimits()  # the defaults: 60 s, 1024 MB
    print(f"upload worker limits: {worker.seconds:g} s, {worker.memory_mb} MB")
    t = time.perf_counter()
    run_isolated(_noop, data=b"", worker=worker)
    first = time.perf_counter() - t
    starts = []
    for _ in range(5):
        t = time.perf_counter()
        run_isolated(_noop, data=b"", worker=worker)
        starts.append(time.perf_counter() - t)
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import township_atlas.transfer.worker_jobs, township_atlas.model.bundle",
        ],
        check=True,
    )
    fresh = time.perf_counter() - t
    print(f"job start: forkserver {min(starts) * 1000:.0f} ms a job (first job, starting "
          f"the forkserver: {first:.1f} s); a fresh interpreter importing the same: "
          f"{fresh:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        corpus = hostile_corpus(Path(tmp))
        print(f"(corpus generated in {time.perf_counter() - t:.0f} s, not counted)")
        print(
            f"\n{'upload':38} {'MB':>5} {'wall s':>7} {'worker MB':>9} {'server +MB':>10}  outcome"
        )
        for label, (name, data) in corpus.items():
            rss = _rss_mb()
            t = time.perf_counter()
            peak = 0.0
            try:
                preview = preview_import(name, data, "sites", bundle, worker=worker)
                peak = preview.peak_rss_mb
                outcome = (
                    f"planned: {len(preview.plan.features)} accepted" if preview.plan else "read"
                )
                del preview
            except TransferError as exc:
                peak = getattr(exc, "worker_peak_mb", 0.0)
                outcome = f"{exc.key}"
            wall = time.perf_counter() - t
            grown = _rss_mb() - rss
            shown = f"{peak:9.0f}" if peak else f"{'killed':>9}"
            print(f"{label:38} {len(data) / 2**20:5.1f} {wall:7.2f} {shown} {grown:10.1f}  "
                  f"{outcome}")  # fmt: skip
    print(
        f"\nserver process: peak RSS {_rss_mb('VmHWM'):.0f} MB (includes the corpus "
        "held in memory to send it)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", type=Path, default=Path("/tmp/county"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hostile", action="store_true", help="the worst uploads, in the worker")
    args = parser.parse_args()
    if args.hostile:
        hostile(Store(Path(__file__).resolve().parents[1] / "geodata").load().bundle)
        return
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
