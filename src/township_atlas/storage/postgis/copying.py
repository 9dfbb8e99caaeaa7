"""Copying a township between a data folder and the database, losing nothing.

``copy_in`` reads a folder (every file must be readable) and replaces the township's rows,
documents, history and photo files in one transaction; ``copy_out`` writes them back as a
folder. The layers are stored as records and written out by the same writers as the files
backend, so a folder in the app's own format (every folder the app or the generator wrote)
comes back byte for byte; the report, other text files (e.g. README.md), the history and
the photo pictures and thumbnails (``photos/ab/<sha256>.jpg``, ``thumbs/…``) are kept as
they were.

Photo files are read and written only under names of that form
(:func:`~township_atlas.storage.photo_files.is_photo_name`): no path is built from
anything else. Every file ``photos.csv`` names must be there and hold the bytes its name
is the hash of, or nothing is copied; files no row names (orphans an undo may bring back)
are copied too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import LargeBinary, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from township_atlas.errors import AtlasError
from township_atlas.model.schema import PHOTOS, PLANS_FILE, REPORT_FILE, TOWNSHIP
from township_atlas.storage.changes import EDITABLE
from township_atlas.storage.files.history import HISTORY_DIR
from township_atlas.storage.files.store import DATA_FILES, Store
from township_atlas.storage.formats import parse_yaml
from township_atlas.storage.layer_codec import codec, is_spatial, layer_text, plans_rest_text
from township_atlas.storage.photo_files import PHOTO_DIR, THUMB_DIR, content_name, is_photo_name
from township_atlas.storage.postgis import listen
from township_atlas.storage.postgis.records import geometry_wkb
from township_atlas.storage.postgis.saving import new_rev_sql, notify
from township_atlas.storage.postgis.store import PgStore, entry_from_row
from township_atlas.storage.postgis.tables import (
    db_errors,
    documents,
    engine_for,
    features,
    history,
    init_db,
    photo_files,
    revisions,
    townships,
)

_FILE_PREFIX = "file:"
_INSERT_FEATURE = features.insert().values(
    geom=func.ST_GeomFromWKB(bindparam("wkb", type_=LargeBinary), 4326)
)
_BATCH = 2000
_PHOTO_BATCH_BYTES = 32 * 2**20  # photo files are inserted in batches of about this size


class CopyError(AtlasError):
    """A township cannot be copied as asked (nothing was changed)."""


@dataclass
class CopyReport:
    township: str
    name: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    history: int = 0
    photo_files: int = 0  # pictures and thumbnails
    photo_bytes: int = 0
    files: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)


def _township_code(folder: Path, township: str | None) -> tuple[str, str]:
    """The code (given, or the township layer's) and the name to store the folder under."""
    refs = Store(folder).list_townships()
    if township:
        return township, refs[0].name if len(refs) == 1 else township
    if len(refs) != 1:
        raise CopyError(
            f"{folder / TOWNSHIP.filename} 中应正好有一个乡镇;请用 --township 指定代码。",
            f"{folder / TOWNSHIP.filename} should hold exactly one township; give its code "
            "with --township.",
        )
    return refs[0].code, refs[0].name


def _json_safe(value, what: str) -> None:
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise CopyError(
            f"{what} 含有无法存为 JSON 的值(如未加引号的日期):{exc}。请加引号后重试。",
            f"{what} holds a value that cannot be stored as JSON (e.g. an unquoted date): "
            f"{exc}. Quote it and try again.",
        ) from exc


def copy_in(url: str, folder: Path | str, *, township: str | None = None) -> CopyReport:
    """Copy a data folder into the database as ``township`` (default: the code in its
    township layer), replacing whatever that township held, in one transaction.

    Raises
    ------
    DataFolderError, DataFileError : the folder, or one of its files, cannot be read
    CopyError : the township code is unclear, a plan holds a value JSON cannot hold, or
        ``photos.csv`` names a photo file that is missing, damaged or not of our form
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CopyError(f"文件夹 {folder} 不存在。", f"The folder {folder} does not exist.")
    Store(folder).load(strict=True)  # every file must be readable before anything changes
    code, name = _township_code(folder, township)
    report = CopyReport(code, name)
    rows: list[dict] = []
    for layer in EDITABLE:
        c = codec(layer)
        if c.spec is not None and not c.spec.required and not (folder / c.filename).exists():
            continue  # an optional layer the folder does not have (e.g. no photos yet)
        source = (folder / c.filename).read_text(encoding="utf-8")
        records = c.parse(source)
        rest = ""
        if layer == "plans":
            doc = parse_yaml(source, PLANS_FILE)
            _json_safe(doc.get("villages"), PLANS_FILE)
            rest = plans_rest_text(doc)
        if layer_text(layer, list(records.values()), rest) != source:
            report.notes.append(
                (
                    f"{c.filename} 将按本程序的统一格式写出:程序读取的内容全部保留,"
                    "程序不读取的部分(排版、额外的属性)不保留。",
                    f"{c.filename} will be written in the app's own format: everything the "
                    "app reads from it is kept; what it does not read (layout, extra "
                    "properties) is not.",
                )
            )
        for pos, (fid, record) in enumerate(records.items(), start=1):
            rows.append(
                {
                    "township": code,
                    "layer": layer,
                    "fid": fid,
                    "pos": pos,
                    "version": 1,
                    "props": record["properties"],
                    "wkb": _geom(layer, record),
                }
            )
        report.rows[layer] = len(records)
    docs = _documents(folder, code, report)
    entries = _history(folder, code, report)
    pictures = _photo_paths(folder, report)

    engine = engine_for(url)
    init_db(engine)
    token = listen.listener_for(url).token()
    with db_errors(url), engine.begin() as conn:
        conn.execute(_upsert_township(code, name))
        conn.execute(_insert_revision(code))
        conn.execute(select(revisions.c.rev).where(revisions.c.township == code).with_for_update())
        for table in (features, documents, history, photo_files):
            conn.execute(table.delete().where(table.c.township == code))
        for start in range(0, len(rows), _BATCH):
            conn.execute(_INSERT_FEATURE, rows[start : start + _BATCH])
        if docs:
            conn.execute(documents.insert(), docs)
        if entries:
            conn.execute(history.insert(), entries)
        for batch in _photo_rows(folder, code, pictures, report):
            conn.execute(photo_files.insert(), batch)
        rev = conn.execute(
            revisions.update()
            .where(revisions.c.township == code)
            .values(rev=new_rev_sql())
            .returning(revisions.c.rev)
        ).scalar_one()
        notify(conn, code, rev)
    # This process knows at once; the others by the notification.
    listen.listener_for(url).remember(code, rev, token)
    report.history = len(entries)
    return report


def _missing_photo(folder: Path, name: str, why_zh: str, why_en: str) -> CopyError:
    return CopyError(
        f"{folder / PHOTOS.filename} 中的照片文件 {name} {why_zh}。未复制任何内容。请从备份恢复"
        "该文件,或在程序中删除这张照片(或删去 photos.csv 中的这一行)后再复制。",
        f"{folder / PHOTOS.filename} names the photo file {name}, which {why_en}. Nothing "
        "was copied. Restore the file from a backup, or delete the photo in the app (or its "
        "row in photos.csv), then copy again.",
    )


def _photo_paths(folder: Path, report: CopyReport) -> dict[str, bool]:
    """The photo files to copy, by content name (True: ``photos.csv`` names it).

    Every file the index names must be a regular file under a name of our form; other
    files under ``photos/`` and ``thumbs/`` are copied when their name has our form (an
    undo may bring their rows back) and otherwise left, with a note.

    Raises
    ------
    CopyError : the index names a file that is missing or a name not of our form
    """
    named: dict[str, bool] = {}
    if (folder / PHOTOS.filename).exists():
        for record in Store(folder).read_records(PHOTOS.name).values():
            for column in ("file", "thumb"):
                name = record["properties"].get(column)
                if not is_photo_name(name):
                    raise _missing_photo(
                        folder, repr(name), "不是本程序的照片文件名", "is not a photo file name"
                    )
                if not (folder / name).is_file() or (folder / name).is_symlink():
                    raise _missing_photo(folder, name, "不存在", "does not exist")
                named[name] = True
    for top in (PHOTO_DIR, THUMB_DIR):
        base = folder / top
        for path in sorted(base.rglob("*")) if base.is_dir() and not base.is_symlink() else []:
            if path.is_dir() and not path.is_symlink():
                continue
            rel = path.relative_to(folder).as_posix()
            if path.name.startswith("."):
                continue  # a temporary file a crashed write left
            if rel in named:
                continue
            if is_photo_name(rel) and path.is_file() and not path.is_symlink():
                named[rel] = False
                continue
            report.notes.append(
                (
                    f"{rel} 不是本程序的照片文件,未复制。",
                    f"{rel} is not a photo file of the atlas and was not copied.",
                )
            )
    return named


def _photo_rows(
    folder: Path, code: str, pictures: dict[str, bool], report: CopyReport
) -> Iterator[list[dict]]:
    """``photo_files`` rows of ``pictures`` in batches of about ``_PHOTO_BATCH_BYTES``,
    read as they are inserted. A file whose bytes are not what its name says is refused
    when the index names it (CopyError) and left with a note otherwise."""
    batch: list[dict] = []
    size = 0
    for name, indexed in sorted(pictures.items()):
        try:
            data = (folder / name).read_bytes()
        except OSError as exc:
            raise _missing_photo(folder, name, "无法读取", "cannot be read") from exc
        if content_name(name.split("/", 1)[0], data) != name:
            if indexed:
                raise _missing_photo(
                    folder,
                    name,
                    "已损坏(内容与文件名不符)",
                    "is damaged (its content does not match its name)",
                )
            report.notes.append(
                (
                    f"{name} 已损坏(内容与文件名不符),且没有照片使用它,未复制。",
                    f"{name} is damaged (its content does not match its name) and no photo "
                    "uses it; it was not copied.",
                )
            )
            continue
        batch.append({"township": code, "name": name, "data": data})
        size += len(data)
        report.photo_files += 1
        report.photo_bytes += len(data)
        if size >= _PHOTO_BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _upsert_township(code: str, name: str):
    stmt = pg_insert(townships).values(code=code, name=name)
    return stmt.on_conflict_do_update(index_elements=["code"], set_={"name": name})


def _insert_revision(code: str):
    return (
        pg_insert(revisions)
        .values(township=code, rev=func.floor(func.extract("epoch", func.clock_timestamp()) * 1000))
        .on_conflict_do_nothing(index_elements=["township"])
    )


def _geom(layer: str, record: dict) -> bytes | None:
    return geometry_wkb(record) if is_spatial(layer) else None


def _documents(folder: Path, code: str, report: CopyReport) -> list[dict]:
    report_text = (folder / REPORT_FILE).read_text(encoding="utf-8")
    report_doc = parse_yaml(report_text, REPORT_FILE)
    plans_doc = parse_yaml((folder / PLANS_FILE).read_text(encoding="utf-8"), PLANS_FILE)
    rest = {k: v for k, v in plans_doc.items() if k != "villages"}
    docs = [
        {"township": code, "name": "report", "doc": _as_json(report_doc), "text": report_text},
        {
            "township": code,
            "name": "plans",
            "doc": _as_json(rest),
            "text": plans_rest_text(plans_doc),
        },
    ]
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in DATA_FILES:
            continue
        if path.name in (PHOTO_DIR, THUMB_DIR) and path.is_dir():
            continue  # the photo files: see _photo_paths
        try:
            if not path.is_file():
                raise UnicodeDecodeError("utf-8", b"", 0, 1, "not a file")
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            report.notes.append(
                (
                    f"{path.name} 不是文本文件,未复制。",
                    f"{path.name} is not a text file and was not copied.",
                )
            )
            continue
        docs.append(
            {"township": code, "name": _FILE_PREFIX + path.name, "doc": None, "text": content}
        )
        report.files.append(path.name)
    return docs


def _as_json(doc):
    try:
        json.dumps(doc, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None  # kept as text only
    return doc


_ENTRY_KEYS = ("seq", "time", "user", "layer", "note", "changes")


def _history(folder: Path, code: str, report: CopyReport) -> list[dict]:
    out = []
    directory = folder / HISTORY_DIR
    for path in sorted(directory.glob("[0-9]*.json")) if directory.is_dir() else []:
        if ".pending" in path.name:
            report.notes.append(
                (
                    f"未完成的修改记录 {path.name} 未复制(请先在文件夹上保存一次以整理)。",
                    f"The unfinished history entry {path.name} was not copied (save once on "
                    "the folder to settle it).",
                )
            )
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        time = datetime.fromisoformat(doc["time"])
        if time.tzinfo is None:
            time = time.replace(tzinfo=UTC)
        extra = {k: v for k, v in doc.items() if k not in _ENTRY_KEYS}
        if time.astimezone(UTC).isoformat(timespec="seconds") != doc["time"]:
            extra["time"] = doc["time"]  # keep the text exactly
        out.append(
            {
                "township": code,
                "seq": int(doc["seq"]),
                "time": time,
                "user": str(doc.get("user", "")),
                "layer": str(doc["layer"]),
                "note": str(doc.get("note", "")),
                "changes": doc["changes"],
                "extra": extra or None,
            }
        )
    return out


def _write_photo_files(conn, township: str, folder: Path, report: CopyReport) -> None:
    """Write the township's photo files under their names (read a few at a time); a row
    whose name is not of our form is left out, with a note (no path is built from it)."""
    query = (
        select(photo_files.c.name, photo_files.c.data)
        .where(photo_files.c.township == township)
        .order_by(photo_files.c.name)
    )
    for name, data in conn.execute(query, execution_options={"yield_per": 16}):
        if not is_photo_name(name):
            report.notes.append(
                (
                    f"数据库中的照片文件名 {name!r} 无效,未写出。",
                    f"The photo file name {name!r} in the database is not ours; not written.",
                )
            )
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(data))
        report.photo_files += 1
        report.photo_bytes += len(data)


def copy_out(url: str, township: str, folder: Path | str, *, force: bool = False) -> CopyReport:
    """Write ``township`` as a data folder (layers, plans, report, other files, history,
    photo files).

    Raises
    ------
    CopyError : the folder holds files and ``force`` is not set
    DataFolderError : the database holds no such township
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not force:
        raise CopyError(
            f"文件夹 {folder} 不是空的;如确需覆盖其中的数据文件,请加 --force。",
            f"The folder {folder} is not empty; add --force to overwrite its data files.",
        )
    store = PgStore(url, township)
    report = CopyReport(township)
    with db_errors(store.url), store.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if store.rev(conn) is None:
                raise store.missing_error()
            records = store.all_records(conn)
            docs = {
                r.name: r.text
                for r in conn.execute(
                    select(documents.c.name, documents.c.text).where(
                        documents.c.township == township
                    )
                )
            }
            entries = conn.execute(
                select(history).where(history.c.township == township).order_by(history.c.seq)
            ).all()
            folder.mkdir(parents=True, exist_ok=True)
            _write_photo_files(conn, township, folder, report)
    for layer in EDITABLE:
        spec = codec(layer).spec
        if spec is not None and not spec.required and not records.get(layer):
            continue  # an optional layer without rows is no file (as in the folder)
        rest = docs.get("plans") or "" if layer == "plans" else ""
        text = layer_text(layer, records.get(layer, []), rest)
        (folder / codec(layer).filename).write_text(text, encoding="utf-8")
        report.rows[layer] = len(records.get(layer, []))
    if docs.get("report") is not None:
        (folder / REPORT_FILE).write_text(docs["report"], encoding="utf-8")
    for name, content in docs.items():
        if name.startswith(_FILE_PREFIX) and content is not None:
            (folder / name.removeprefix(_FILE_PREFIX)).write_text(content, encoding="utf-8")
            report.files.append(name.removeprefix(_FILE_PREFIX))
    directory = folder / HISTORY_DIR
    if directory.is_dir():
        for old in directory.glob("[0-9]*.json"):
            old.unlink()
    if entries:
        directory.mkdir(exist_ok=True)
    for row in entries:
        entry = entry_from_row(row)
        doc = {
            "seq": entry.seq,
            "time": entry.time,
            "user": entry.user,
            "layer": entry.layer,
            "note": entry.note,
            "changes": entry.changes,
            **(row.extra or {}),
        }
        with open(directory / f"{entry.seq:06d}.json", "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False)
    report.history = len(entries)
    return report
