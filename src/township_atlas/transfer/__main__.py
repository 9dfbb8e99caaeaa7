"""Export the whole dataset, photos included, to a zip file on disk, on the server:

    python -m township_atlas.transfer export [FOLDER] --out PATH [--format geojson]
                                             [--township CODE] [--url URL]

The zip is the page's whole-dataset export (:func:`~township_atlas.transfer.export.write_dataset`)
with every photo, whatever their volume: it is written straight into the file, a picture
at a time, so the command holds one picture in memory, never the zip (the page's export
is built in the server's memory and leaves the pictures out above the setting
``TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB``). ``FOLDER`` is a data folder; without it the store
the settings name is read (a data folder, or with ``TOWNSHIP_ATLAS_STORAGE=postgis`` the
township ``--township`` or the setting names, in the database ``--url`` or the setting
names). ``--out`` is a folder (the file is named like the page's download) or a file name
ending in ``.zip``; an existing file is never replaced, and the zip appears under its name
only once complete. Whoever can run this can read the data anyway, so no login is asked
(as with the account and briefing commands).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from township_atlas.errors import AtlasError
from township_atlas.storage.datastore import DataStore
from township_atlas.storage.photo_files import is_photo_name
from township_atlas.transfer.errors import ExportError
from township_atlas.transfer.export import (
    EXPORT_FORMATS,
    dataset_file_name,
    write_dataset,
)
from township_atlas.transfer.messages import Note


def _say(note: Note) -> None:
    print(f"{note.message_zh}\n  {note.message_en}")


def _open(args: argparse.Namespace) -> DataStore:
    if args.folder is not None:
        from township_atlas.storage.files.store import Store

        return Store(args.folder)
    from township_atlas.storage.opening import open_store

    return open_store(database_url=args.url, township=args.township)


def _target(out: Path, name: str) -> Path:
    return out if out.suffix.lower() == ".zip" else out / name


def export_command(args: argparse.Namespace) -> int:
    """Write the dataset zip as ``args`` say; 0 on success, 1 (message printed) if not."""
    start = time.perf_counter()
    store = _open(args)
    bundle = store.load().bundle
    target = _target(args.out, dataset_file_name(bundle, args.format))
    if target.exists():
        raise ExportError("xfer_export_cli_exists", path=target)
    notes: list[Note] = []
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".tmp")
    except OSError as exc:
        raise ExportError(
            "xfer_export_cli_folder", path=target, detail=exc.strerror or str(exc)
        ) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write_dataset(bundle, args.format, fh, photo_bytes=store.photo_file, notes=notes)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():  # made while we wrote: still never replaced
            raise ExportError("xfer_export_cli_exists", path=target)
        os.replace(temp, target)
    except OSError as exc:
        raise ExportError(
            "xfer_export_cli_folder", path=target, detail=exc.strerror or str(exc)
        ) from exc
    finally:
        Path(temp).unlink(missing_ok=True)
    for note in notes:
        _say(note)
    with zipfile.ZipFile(target) as zf:  # the central directory only
        photos = sum(1 for n in zf.namelist() if is_photo_name(n))
    _say(
        Note.of(
            "xfer_export_cli_written",
            path=target,
            size_mb=f"{target.stat().st_size / 2**20:.1f}",
            photos=photos,
            seconds=f"{time.perf_counter() - start:.1f}",
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m township_atlas.transfer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="the whole dataset, photos included, as a zip")
    export.add_argument("folder", type=Path, nargs="?", help="a data folder (else: the settings)")
    export.add_argument("--out", type=Path, required=True, help="a folder, or a .zip file name")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="geojson")
    export.add_argument("--township", help="with PostGIS storage: the township's code")
    export.add_argument("--url", help="with PostGIS storage: the database (else the setting)")
    args = parser.parse_args(argv)
    try:
        return export_command(args)
    except AtlasError as exc:
        print(f"{exc.message_zh}\n  {exc.message_en}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
