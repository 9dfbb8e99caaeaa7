"""Make the briefing files from a data folder, on the server, without the app:

    .venv/bin/python -m township_atlas.briefing geodata/ --out /tmp/briefing [--lang en]

writes the meeting deck (PowerPoint) and every village's sheet (one PDF), with the photos
of each village's sites and organisations, named with the township and the date, and says
how long each took. Whoever can run this can read the
data folder anyway, so no login is asked (as with the account command).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from township_atlas.briefing.files import deck_file_name, sheets_file_name
from township_atlas.briefing.pdf_export import village_sheets_pdf
from township_atlas.briefing.pptx_export import deck_pptx
from township_atlas.briefing.slides import build_deck
from township_atlas.errors import AtlasError
from township_atlas.storage.files.store import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m township_atlas.briefing", description=__doc__)
    parser.add_argument("data", type=Path, help="the data folder (e.g. geodata/)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the files")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args(argv)
    try:
        start = time.perf_counter()
        store = Store(args.data)
        bundle = store.load().bundle
        deck = build_deck(bundle, args.lang)
        photos = store.photo_file
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"data and slides: {time.perf_counter() - start:.1f} s")
        for name, make in (
            (deck_file_name(deck), lambda: deck_pptx(bundle, deck, photos)),
            (sheets_file_name(deck), lambda: village_sheets_pdf(bundle, deck, None, photos)),
        ):
            start = time.perf_counter()
            (args.out / name).write_bytes(make())
            print(f"{args.out / name}: {time.perf_counter() - start:.1f} s")
    except AtlasError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
