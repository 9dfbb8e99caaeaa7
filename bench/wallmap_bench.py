"""Wall map speed (issue 19): A0 of the sample under 20 s, A0 of a 100-village county
(10,000 sites) under 60 s, each the whole command in a fresh process.

    PYTHONPATH=$PWD/src .venv/bin/python bench/wallmap_bench.py [--county DIR] [--png]

Runs ``python -m township_atlas.wallmap`` once per case (the cost a user meets: Python's
start, imports, loading and checking the data, the sheet) and prints the wall time with
the command's own split, the file's size and the load average. The county is generated
once under /tmp (``python -m township_atlas.sample DIR --villages 100 --sites 10000``)
and reused; ``--png`` adds the 300 dpi PNG of the sample's A0 (pdftoppm).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "geodata"
COUNTY = Path(tempfile.gettempdir()) / "township-atlas-county-100v-10000s"


def county(path: Path) -> Path:
    if not (path / "villages.geojson").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "township_atlas.sample",
                str(path),
                "--villages",
                "100",
                "--sites",
                "10000",
            ],
            check=True,
        )
    return path


def run(data: Path, out: Path, *flags: str) -> tuple[float, str, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "township_atlas.wallmap", str(data), *flags, "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, done.stdout.strip(), out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--county", type=Path, default=COUNTY)
    parser.add_argument("--png", action="store_true", help="also the sample's A0 as PNG")
    args = parser.parse_args()
    big = county(args.county)
    cases = [
        ("sample A0 landscape", SAMPLE, "pdf", ["--size", "A0"], 20),
        ("sample A3 landscape", SAMPLE, "pdf", ["--size", "A3"], 20),
        (
            "sample A0 portrait, indicator, graticule",
            SAMPLE,
            "pdf",
            [
                "--size",
                "A0",
                "--orientation",
                "portrait",
                "--indicator",
                "collective_income",
                "--year",
                "2025",
                "--graticule",
            ],
            20,
        ),
        ("county A0 landscape", big, "pdf", ["--size", "A0"], 60),
        (
            "county A0 portrait, graticule",
            big,
            "pdf",
            ["--size", "A0", "--orientation", "portrait", "--graticule"],
            60,
        ),
    ]
    if args.png:
        cases.append(("sample A0 landscape PNG 300 dpi", SAMPLE, "png", ["--size", "A0"], None))
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"load average at start: {os.getloadavg()}")
    print(f"{'case':44} {'wall s':>7} {'limit':>6} {'MB':>6}  command's own split")
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, fmt, flags, limit in cases:
            seconds, said, size = run(data, Path(tmp) / f"sheet.{fmt}", *flags)
            split = said.split(", ", 2)[-1] if said else ""
            lim = f"{limit}" if limit else "—"
            print(f"{name:44} {seconds:7.1f} {lim:>6} {size / 1e6:6.2f}  {split}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
