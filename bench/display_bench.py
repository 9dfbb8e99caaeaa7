"""What hostile data costs the display: a 10-million-character site name and ten sites of
200,000 vertices each, in a temporary copy of the sample.

Prints (and with ``--json`` saves) for the sample and for the hostile copy:

* ``layers_file_bytes``: the layers file the map fetches (anonymous viewing on);
* ``map_inline_bytes``: the map element's HTML with the layers inside (viewing off);
* ``selection_bytes``: the outline sent when the hostile site is selected;
* ``page_bytes``: every element a page sends (the protos' sizes, through AppTest) for the
  map page with the hostile site selected, the village page of the hostile sites, and the
  meeting slide of that village;
* ``slide_s``: building the deck and drawing that village's slide picture, cold;
* ``rss_mib`` / ``peak_mib``: the measuring process's memory after all that (it loads the
  data and runs the pages as the server would).

Each data folder is measured in a fresh child process. Runs against whichever
``township_atlas`` is on PYTHONPATH, so the same script measures before and after:

    PYTHONPATH=$PWD/src .venv/bin/python bench/display_bench.py
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "geodata"
NAME_CHARS = 10_000_000
HOSTILE_SITES = 10
VERTICES = 200_000


def _ring(x: float, y: float, n: int, radius_deg: float = 0.0015) -> list[list[float]]:
    """A closed ring of ``n`` vertices around (x, y): a wobbly circle, so no vertex is
    redundant (a straight run would simplify away for free)."""
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        r = radius_deg * (1 + 0.05 * math.sin(37 * a) + 0.02 * math.sin(1013 * a))
        pts.append([round(x + r * math.cos(a), 9), round(y + r * math.sin(a), 9)])
    pts.append(pts[0])
    return pts


def make_hostile(folder: Path) -> dict[str, str]:
    """Make ``folder`` (a copy of the sample) hostile: the first site's Chinese and English
    names become ``NAME_CHARS`` characters, and the first ``HOSTILE_SITES`` sites of one
    village polygons of ``VERTICES`` vertices. Returns the site and village concerned."""
    path = folder / "sites.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    feats = doc["features"]
    village = feats[0]["properties"]["village_code"]
    mine = [f for f in feats if f["properties"]["village_code"] == village]
    others = [f for f in feats if f["properties"]["village_code"] != village]
    chosen = (mine + others)[:HOSTILE_SITES]
    for f in chosen:
        geom = f["geometry"]
        if geom["type"] == "Point":
            x, y = geom["coordinates"]
        else:
            ring = (
                geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]
            )
            x = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
            y = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
        f["geometry"] = {"type": "Polygon", "coordinates": [_ring(x, y, VERTICES)]}
    feats[0]["properties"]["name_zh"] = "长" * NAME_CHARS
    feats[0]["properties"]["name_en"] = "L" * NAME_CHARS
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return {"site": str(feats[0]["properties"]["site_id"]), "village": str(village)}


def _proto_bytes(at: Any) -> int:
    """Bytes of every element the run produced (what the page sends to the browser)."""
    total = 0
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
    return total


def _page(page: str, **query: str) -> dict[str, Any]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    start = time.perf_counter()
    at.switch_page(page).run()
    seconds = round(time.perf_counter() - start, 2)
    size = _proto_bytes(at)
    if at.exception:  # the bytes the page sent before it failed, and why it failed
        return {"bytes": size, "s": seconds, "error": at.exception[0].message[:60]}
    return {"bytes": size, "s": seconds}


def _rss() -> dict[str, float]:
    status = dict(
        ln.split(":", 1) for ln in Path("/proc/self/status").read_text().splitlines() if ":" in ln
    )
    kib = {k: int(status[k].split()[0]) for k in ("VmRSS", "VmHWM")}
    return {"rss_mib": round(kib["VmRSS"] / 1024, 1), "peak_mib": round(kib["VmHWM"] / 1024, 1)}


def worker(folder: Path, site: str, village: str) -> dict[str, Any]:
    """Measure one data folder (run in a child process: its memory is the figure)."""
    from township_atlas.briefing.pictures import slide_picture
    from township_atlas.briefing.slides import build_deck
    from township_atlas.maps.basemaps import available_basemaps
    from township_atlas.maps.build import layers_file, static_data, static_map
    from township_atlas.maps.selection import highlight
    from township_atlas.storage.files.store import Store

    out: dict[str, Any] = {}
    start = time.perf_counter()
    result = Store(folder).load()
    out["load_s"] = round(time.perf_counter() - start, 2)
    bundle = result.bundle
    basemap = available_basemaps(None, folder / "no-tiles")[0]
    start = time.perf_counter()
    data = static_data(bundle, "zh", basemap, result.findings)
    out["layers_build_s"] = round(time.perf_counter() - start, 2)
    out["layers_file_bytes"] = len(layers_file(data))
    out["map_inline_bytes"] = len(static_map(data, "zh", basemap).get_root().render().encode())
    out["selection_bytes"] = len(json.dumps(highlight(bundle, [f"site:{site}"]) or {}).encode())

    start = time.perf_counter()
    deck = build_deck(bundle, "zh")
    slide_no, slide = next(
        (i, s)
        for i, s in enumerate(deck.slides)
        if s.kind == "village" and s.village_code == village
    )
    png = slide_picture(bundle, slide, "zh", width_in=8.0, height_in=7.4, dpi=120, font_pt=13)
    out["slide_s"] = round(time.perf_counter() - start, 2)
    out["slide_png_bytes"] = len(png or b"")

    os.environ["TOWNSHIP_ATLAS_DATA_DIR"] = str(folder)
    os.environ["TOWNSHIP_ATLAS_ANONYMOUS_VIEWING"] = "true"
    out["page_bytes"] = {
        "map_selected": _page("pages/map.py", sel=f"site:{site}"),
        "village": _page("pages/village.py", village=village),
        "meeting_slide": _page("pages/meeting.py", slide=str(slide_no + 1)),
    }
    out.update(_rss())
    return out


def _child(folder: Path, ids: dict[str, str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder)]
    cmd += ["--site", ids["site"], "--village", ids["village"]]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    return {"nproc": os.cpu_count(), "cpu": model, "python": sys.version.split()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", type=Path)
    parser.add_argument("--site", default="")
    parser.add_argument("--village", default="")
    parser.add_argument("--json", type=Path, help="also save the results here")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.site, args.village)))
        return
    import township_atlas

    results: dict[str, Any] = {"machine": machine(), "code": township_atlas.__file__}
    with tempfile.TemporaryDirectory(prefix="display-bench-") as tmp:
        sample = Path(tmp) / "sample"
        shutil.copytree(SAMPLE, sample)
        hostile = Path(tmp) / "hostile"
        shutil.copytree(SAMPLE, hostile)
        ids = make_hostile(hostile)
        results["ids"] = ids
        for name, folder in (("sample", sample), ("hostile", hostile)):
            results[name] = _child(folder, ids)
            print(name, json.dumps(results[name]), flush=True)
    print(json.dumps(results["machine"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
