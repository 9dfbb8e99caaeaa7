"""The PostGIS backend's command: set up a database, list townships, copy them in and out.

    python -m township_atlas.storage.postgis init     --url URL
    python -m township_atlas.storage.postgis list     --url URL
    python -m township_atlas.storage.postgis copy-in  FOLDER --url URL [--township CODE]
    python -m township_atlas.storage.postgis copy-out CODE FOLDER --url URL [--force]

``--url`` defaults to the setting TOWNSHIP_ATLAS_DATABASE_URL, e.g.
``postgresql+psycopg://atlas@127.0.0.1:5432/atlas``. copy-in replaces the township's data
(photo pictures and thumbnails included) in the database in one transaction; copy-out
writes a data folder the files backend opens, byte for byte what was copied in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from township_atlas import settings
from township_atlas.errors import AtlasError
from township_atlas.storage.postgis.store import list_townships


def _say(zh: str, en: str) -> None:
    print(f"{zh}\n  {en}")


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}"


def _cmd_init(url: str, _args: argparse.Namespace) -> None:
    from township_atlas.storage.postgis.tables import display_url, engine_for, init_db

    init_db(engine_for(url))
    _say(
        f"数据库 {display_url(url)} 已就绪(PostGIS 与数据表)。",
        f"The database {display_url(url)} is ready (PostGIS and the tables).",
    )


def _cmd_list(url: str, _args: argparse.Namespace) -> None:
    townships = list_townships(url)
    if not townships:
        _say("数据库中还没有乡镇。", "The database holds no township yet.")
    for ref in townships:
        print(f"{ref.code}\t{ref.name}")


def _cmd_copy_in(url: str, args: argparse.Namespace) -> None:
    from township_atlas.storage.postgis.copying import copy_in

    report = copy_in(url, args.folder, township=args.township)
    rows = sum(report.rows.values())
    _say(
        f"已将 {args.folder} 复制为乡镇 {report.township}({report.name}):{rows} 条要素/记录,"
        f"{report.history} 条修改记录,照片文件 {report.photo_files} 个({_mb(report.photo_bytes)} MB),"
        f"其他文件 {len(report.files)} 个。",
        f"Copied {args.folder} in as township {report.township} ({report.name}): {rows} "
        f"features/rows, {report.history} history entries, {report.photo_files} photo files "
        f"({_mb(report.photo_bytes)} MB), {len(report.files)} other files.",
    )
    for zh, en in report.notes:
        _say("注意:" + zh, "Note: " + en)


def _cmd_copy_out(url: str, args: argparse.Namespace) -> None:
    from township_atlas.storage.postgis.copying import copy_out

    report = copy_out(url, args.code, args.folder, force=args.force)
    rows = sum(report.rows.values())
    _say(
        f"已将乡镇 {args.code} 写到 {args.folder}:{rows} 条要素/记录,{report.history} 条修改记录,"
        f"照片文件 {report.photo_files} 个({_mb(report.photo_bytes)} MB)。",
        f"Wrote township {args.code} to {args.folder}: {rows} features/rows, "
        f"{report.history} history entries, {report.photo_files} photo files "
        f"({_mb(report.photo_bytes)} MB).",
    )
    for zh, en in report.notes:
        _say("注意:" + zh, "Note: " + en)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 done, 1 failed, 2 no database given)."""
    parser = argparse.ArgumentParser(
        prog="python -m township_atlas.storage.postgis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--url",
        default=None,
        help="database URL (default: TOWNSHIP_ATLAS_DATABASE_URL)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="enable PostGIS and create the tables")
    commands.add_parser("list", help="list the townships (code, name)")
    copy_in = commands.add_parser("copy-in", help="copy a data folder into the database")
    copy_in.add_argument("folder", type=Path)
    copy_in.add_argument("--township", help="township code (default: the folder's own)")
    copy_out = commands.add_parser("copy-out", help="write a township as a data folder")
    copy_out.add_argument("code")
    copy_out.add_argument("folder", type=Path)
    copy_out.add_argument("--force", action="store_true", help="write into a non-empty folder")
    # --url is accepted before or after the command.
    for sub in (copy_in, copy_out, *(commands.choices[c] for c in ("init", "list"))):
        sub.add_argument("--url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = (args.url or settings.get("database_url")).strip()
    if not url:
        _say(
            "请用 --url 或设置 TOWNSHIP_ATLAS_DATABASE_URL 指定数据库。",
            "Give the database with --url or TOWNSHIP_ATLAS_DATABASE_URL.",
        )
        return 2
    handler = {
        "init": _cmd_init,
        "list": _cmd_list,
        "copy-in": _cmd_copy_in,
        "copy-out": _cmd_copy_out,
    }[args.command]
    try:
        handler(url, args)
    except AtlasError as exc:
        print(f"错误:{exc.message_zh}\nError: {exc.message_en}", file=sys.stderr)
        return 1
    return 0
