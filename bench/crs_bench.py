"""Time the vectorised GCJ-02 / BD-09 shifts (township_atlas.geo.china_shifts) on a million points.

Run by hand, not by pytest:  .venv/bin/python bench/crs_bench.py [--points N] [--runs R]
Prints, for each conversion, the best and median of R runs over N random points in China's
bounding box (numpy arrays in, arrays out), and points per second.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from township_atlas.geo.china_shifts import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

CONVERSIONS = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    lon = rng.uniform(73, 135, args.points)
    lat = rng.uniform(18, 54, args.points)
    print(f"{args.points:,} points, {args.runs} runs")
    print(f"{'conversion':16} {'best s':>8} {'median s':>9} {'Mpoints/s':>10}")
    for func in CONVERSIONS:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            func(lon, lat)
            times.append(time.perf_counter() - start)
        best = min(times)
        print(
            f"{func.__name__:16} {best:8.3f} {statistics.median(times):9.3f}"
            f" {args.points / best / 1e6:10.1f}"
        )


if __name__ == "__main__":
    main()
