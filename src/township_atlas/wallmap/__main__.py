"""Make a wall map (挂图) from a data folder, on the server, without the app:

    python -m township_atlas.wallmap geodata/ --size A0 --orientation landscape \\
        [--village CODE] [--indicator KEY --year YEAR] [--graticule] [--tiles DIR] \\
        [--lang zh|en] [--date YYYY-MM-DD] --out FILE.pdf|FILE.png

The file's format follows --out's extension: .pdf (vector, fonts embedded) or .png
(300 dpi, rendered with poppler's pdftoppm). The page's "挂图 / Wall map" button makes the
same file for the same choices. Whoever can run this can read the data folder anyway, so
no login is asked (as with the briefing command). Exits 1 with a message on a bad choice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from township_atlas.errors import AtlasError
from township_atlas.storage.files.store import Store
from township_atlas.wallmap.content import WallMapOptions
from township_atlas.wallmap.files import wall_map_bytes
from township_atlas.wallmap.layout import ORIENTATIONS, PAPERS
from township_atlas.wallmap.raster import PNG_DPI
from township_atlas.wallmap.sheet import map_frame


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from exc


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m township_atlas.wallmap",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", type=Path, help="the data folder (e.g. geodata/)")
    p.add_argument("--size", choices=list(PAPERS), default="A0", help="paper size (default A0)")
    p.add_argument(
        "--orientation",
        choices=ORIENTATIONS,
        default="landscape",
        help="landscape (default) or portrait",
    )
    p.add_argument("--village", metavar="CODE", help="map this village only (its code)")
    p.add_argument("--indicator", metavar="KEY", help="colour the villages by this indicator")
    p.add_argument("--year", type=int, help="the indicator's year (with --indicator)")
    p.add_argument("--graticule", action="store_true", help="draw a longitude/latitude grid")
    p.add_argument(
        "--tiles",
        type=Path,
        metavar="DIR",
        help="a local tile folder ({z}/{x}/{y}.png) to draw under the map",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the date printed on the sheet (default today)",
    )
    p.add_argument("--dpi", type=int, default=PNG_DPI, help="PNG resolution (default 300)")
    p.add_argument("--out", type=Path, required=True, help="the file to write (.pdf or .png)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    fmt = "png" if args.out.suffix.lower() == ".png" else "pdf"
    options = WallMapOptions(
        paper=args.size,
        orientation=args.orientation,
        village=args.village,
        indicator=args.indicator,
        year=args.year,
        graticule=args.graticule,
        lang=args.lang,
    )
    try:
        start = time.perf_counter()
        bundle = Store(args.data).load().bundle
        loaded = time.perf_counter()
        data = wall_map_bytes(
            bundle, options, args.date or dt.date.today(), fmt, tiles=args.tiles, dpi=args.dpi
        )
        if args.out.parent != Path():
            args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        scale = map_frame(bundle, options).scale
    except AtlasError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    done = time.perf_counter()
    print(
        f"{args.out}: {args.size} {args.orientation}, 1:{scale:,}, "
        f"load {loaded - start:.1f} s, sheet {done - loaded:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
