"""PgStore: one township of a PostGIS database, behind the same interface as a data folder.

Reading builds each layer's text from its rows exactly as the folder would hold it and
parses it with the same readers, so a Bundle, its findings and the records the editing UI
sees are those of the files backend. Saving is the one save sequence
(:mod:`township_atlas.storage.saving`) with :mod:`.saving` as its backend.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, LargeBinary, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Engine

from township_atlas.checks import run_checks
from township_atlas.errors import DataFileError, DataFolderError
from township_atlas.model.bundle import Bundle, Finding, LoadResult
from township_atlas.model.schema import LAYERS, PLANS_FILE, REPORT_FILE
from township_atlas.storage.changes import (
    ChangeSet,
    Entry,
    SaveResult,
    change_restoring,
    change_undoing,
    records_after,
)
from township_atlas.storage.datastore import TownshipRef
from township_atlas.storage.formats import empty_layer, parse_csv_table, parse_geojson, parse_yaml
from township_atlas.storage.layer_codec import codec, is_spatial, layer_text
from township_atlas.storage.load_findings import unreadable_finding
from township_atlas.storage.photo_files import (
    PHOTO_DIR,
    THUMB_DIR,
    check_photo_name,
    content_name,
    missing_photo_error,
)
from township_atlas.storage.postgis import listen
from township_atlas.storage.postgis.records import geometries_from_wkb, make_record
from township_atlas.storage.postgis.saving import PgSave, findings_from_doc
from township_atlas.storage.postgis.tables import (
    changes,
    db_errors,
    display_url,
    documents,
    engine_for,
    features,
    history,
    normalise_url,
    photo_files,
    revisions,
    townships,
)
from township_atlas.storage.saving import last_load, remember_load, save_change, sorted_findings


def list_townships(url: str) -> list[TownshipRef]:
    """The townships the database holds, by code."""
    with db_errors(url), engine_for(url).connect() as conn:
        rows = conn.execute(select(townships.c.code, townships.c.name).order_by(townships.c.code))
        return [TownshipRef(code, name) for code, name in rows]


def _iso(time: datetime) -> str:
    return time.astimezone(UTC).isoformat(timespec="seconds")


def entry_from_row(row: Any) -> Entry:
    """A ``history`` row as a history entry (its time as saved, ISO, in UTC)."""
    time = (row.extra or {}).get("time") or _iso(row.time)
    return Entry(row.seq, time, row.user, row.layer, row.note, list(row.changes))


class PgStore:
    """One township of a PostGIS database (see the module docstring)."""

    def __init__(self, url: str, township: str) -> None:
        self.url = normalise_url(url)
        self.township = township

    @property
    def engine(self) -> Engine:
        """The database's engine (one per URL and process)."""
        # Looked up each time: after a fork, or dispose(), the process gets a new one.
        return engine_for(self.url)

    @property
    def label(self) -> str:
        return f"{self.township} @ {display_url(self.url)}"

    @property
    def key(self) -> str:
        return f"postgis:{display_url(self.url)}#{self.township}"

    def list_townships(self) -> list[TownshipRef]:
        return list_townships(self.url)

    def put_photo_files(self, image: bytes, thumb: bytes) -> tuple[str, str]:
        """Store a processed photo and its thumbnail in ``photo_files`` under their content
        names (the folder's names; see :mod:`township_atlas.storage.photo_files`), before
        the index row is saved; returns the names. Bytes already there are kept (the name
        is their hash). Does not change the township's revision: a row no index names is
        an orphan, never shown.

        Raises
        ------
        DataFolderError : the database holds no such township
        StorageError : the database cannot be reached
        """
        files = (content_name(PHOTO_DIR, image), content_name(THUMB_DIR, thumb))
        rows = [
            {"township": self.township, "name": files[0], "data": image},
            {"township": self.township, "name": files[1], "data": thumb},
        ]
        with db_errors(self.url), self.engine.begin() as conn:
            if self.rev(conn) is None:
                raise self.missing_error()
            conn.execute(pg_insert(photo_files).on_conflict_do_nothing(), rows)
        return files

    def photo_file(self, name: str) -> bytes:
        """The bytes of a photo or thumbnail the index names (after the role check).

        Raises
        ------
        PhotoFileError : ``name`` is not a content name of ours, or is not stored
        """
        check_photo_name(name)
        query = select(photo_files.c.data).where(
            photo_files.c.township == self.township, photo_files.c.name == name
        )
        with db_errors(self.url), self.engine.connect() as conn:
            data = conn.execute(query).scalar()
        if data is None:
            raise missing_photo_error(name)
        return bytes(data)

    # --- reading -------------------------------------------------------------------
    def fingerprint(self) -> str:
        """``pg:<rev>``: from the process's listener when it is connected, else asked."""
        listener = listen.listener_for(self.url)
        rev = listener.cached(self.township)
        if rev is None:
            token = listener.token()
            with db_errors(self.url), self.engine.connect() as conn:
                rev = self.rev(conn)
            if rev is None:
                return "pg:-"
            listener.remember(self.township, rev, token)
        return f"pg:{rev}"

    def load(self, *, strict: bool = False, fallback: LoadResult | None = None) -> LoadResult:
        """The township as a checked Bundle, identical to loading its copied-out folder.

        ``fallback`` is accepted for the interface: rows are never half-written here.
        With ``strict``, a stored layer that cannot be read raises instead of becoming an
        error finding.

        Raises
        ------
        DataFolderError : the database holds no such township
        StorageError : the database cannot be reached or has no atlas tables
        """
        with db_errors(self.url), self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                rev = self.rev(conn)
                if rev is None:
                    raise self.missing_error()
                # A save in this process already checked this very version in full.
                last = last_load(self.key)
                if last is not None and last.fingerprint == f"pg:{rev}" and not strict:
                    return last
                result = None if strict else self._load_changed(conn, rev, last)
                if result is None:
                    result = self.load_at(conn, rev, strict=strict)
        remember_load(self.key, result)
        return result

    def read_records(self, layer: str) -> dict[str, dict[str, Any]]:
        codec(layer)  # refuses a layer that cannot be edited, as the files backend does
        with db_errors(self.url), self.engine.connect() as conn:
            return {r_fid: rec for r_fid, rec, _ in self.rows(conn, layer)}

    def entries(self, layer: str | None = None) -> list[Entry]:
        query = select(history).where(history.c.township == self.township)
        if layer is not None:
            query = query.where(history.c.layer == layer)
        with db_errors(self.url), self.engine.connect() as conn:
            return [entry_from_row(r) for r in conn.execute(query.order_by(history.c.seq))]

    def entry(self, seq: int) -> Entry | None:
        query = select(history).where(history.c.township == self.township, history.c.seq == seq)
        with db_errors(self.url), self.engine.connect() as conn:
            row = conn.execute(query).first()
        return entry_from_row(row) if row is not None else None

    # --- history as changes -----------------------------------------------------------
    def undo_change(self, seq: int, user: str = "") -> ChangeSet:
        """The change that reverses change ``seq`` (to be saved)."""
        return change_undoing(self.entry(seq), seq, user)

    def layer_at(self, layer: str, seq: int) -> dict[str, dict[str, Any]]:
        """The layer's records right after change ``seq`` (0: before any change)."""
        return records_after(self.read_records(layer), self.entries(layer), seq)

    def restore_change(self, layer: str, seq: int, user: str = "") -> ChangeSet:
        """The change that brings ``layer`` back to how it was after change ``seq``."""
        target = self.layer_at(layer, seq)
        return change_restoring(layer, self.read_records(layer), target, seq, user)

    # --- saving ----------------------------------------------------------------------
    def save(
        self, change: ChangeSet, *, loader: Callable[[], LoadResult] | None = None
    ) -> SaveResult:
        """Apply ``change`` in one transaction, or refuse it whole (see
        :mod:`township_atlas.storage.saving` and :mod:`.saving`).

        Raises
        ------
        ConflictError : a touched record differs from the version the change started from
        CheckFailedError : the new state would add an error finding (see checks.py)
        StorageError : the database cannot be reached, or another save held the township
            longer than ``LOCK_TIMEOUT``
        """
        return save_change(PgSave(self), change, loader=loader)

    def missing_error(self) -> DataFolderError:
        """The error to raise when the database holds no such township."""
        return DataFolderError(
            f"数据库 {display_url(self.url)} 中没有乡镇 {self.township}。"
            "请检查设置 TOWNSHIP_ATLAS_TOWNSHIP,或先用 copy-in 导入。",
            f"The database {display_url(self.url)} holds no township {self.township}. Check "
            "TOWNSHIP_ATLAS_TOWNSHIP, or copy the township in first.",
        )

    def rev(self, conn: Connection) -> int | None:
        """The township's revision now (None: no such township)."""
        return conn.execute(
            select(revisions.c.rev).where(revisions.c.township == self.township)
        ).scalar()

    def rows(
        self,
        conn: Connection,
        layer: str,
        *,
        fids: list[str] | None = None,
        lock: bool = False,
    ) -> list[tuple[str, dict[str, Any], int]]:
        """(fid, record, version) of ``layer`` in file order (only ``fids``, if given;
        locked for update with ``lock``)."""
        query = select(
            features.c.fid,
            features.c.version,
            features.c.props,
            func.ST_AsBinary(features.c.geom, type_=LargeBinary).label("wkb"),
        ).where(features.c.township == self.township, features.c.layer == layer)
        if fids is not None:
            if not fids:
                return []
            query = query.where(features.c.fid.in_(fids))
        if lock:
            query = query.with_for_update()
        rows = conn.execute(query.order_by(features.c.pos)).all()
        spatial = is_spatial(layer)
        geoms = geometries_from_wkb([r.wkb for r in rows]) if spatial else [None] * len(rows)
        return [
            (r.fid, make_record(layer, r.fid, r.props, g), r.version)
            for r, g in zip(rows, geoms, strict=True)
        ]

    def all_records(self, conn: Connection) -> dict[str, list[dict[str, Any]]]:
        """Every editable layer's records in file order, by layer."""
        query = (
            select(
                features.c.layer,
                features.c.fid,
                features.c.props,
                func.ST_AsBinary(features.c.geom, type_=LargeBinary).label("wkb"),
            )
            .where(features.c.township == self.township)
            .order_by(features.c.layer, features.c.pos)
        )
        by_layer: dict[str, list] = defaultdict(list)
        for row in conn.execute(query):
            by_layer[row.layer].append(row)
        out: dict[str, list[dict[str, Any]]] = {}
        for layer, rows in by_layer.items():
            if layer not in (*(s.name for s in LAYERS), "plans"):
                continue
            geoms = geometries_from_wkb([r.wkb for r in rows]) if is_spatial(layer) else None
            out[layer] = [
                make_record(layer, r.fid, r.props, geoms[i] if geoms else None)
                for i, r in enumerate(rows)
            ]
        return out

    def document_texts(self, conn: Connection) -> dict[str, str | None]:
        """The township's documents' texts by name (``report``, ``plans``' rest, others)."""
        rows = conn.execute(
            select(documents.c.name, documents.c.text).where(documents.c.township == self.township)
        )
        return dict(rows.all())

    def plans_rest(self, conn: Connection) -> str:
        """The plans file's text without its villages."""
        return self.document_texts(conn).get("plans") or ""

    def _change_that_made(self, conn: Connection, rev: int) -> Any | None:
        """The ``changes`` row of the save that made ``rev``, if any."""
        query = select(changes).where(changes.c.township == self.township, changes.c.rev == rev)
        return conn.execute(query).first()

    def _changes_since(self, conn: Connection, since: int, rev: int) -> list[Any] | None:
        """The ``changes`` rows leading from ``since`` to ``rev``, oldest first; None when
        they do not lead there (something else bumped the rev, or the rows are gone)."""
        query = select(changes).where(
            changes.c.township == self.township, changes.c.rev > since, changes.c.rev <= rev
        )
        rows = conn.execute(query.order_by(changes.c.rev)).all()
        at = since
        for row in rows:
            if row.prev_rev != at:
                return None
            at = row.rev
        return rows if rows and at == rev else None

    def _load_changed(
        self, conn: Connection, rev: int, last: LoadResult | None
    ) -> LoadResult | None:
        """``last`` brought to ``rev`` by re-reading only the layers saved since, with the
        findings the saving process stored; None when that cannot be done (see changes)."""
        if last is None or not last.fingerprint.startswith("pg:") or not last.all_parts_read:
            return None
        try:
            since = int(last.fingerprint[3:])
        except ValueError:
            return None
        rows = self._changes_since(conn, since, rev)
        if rows is None or rows[-1].findings is None:
            return None
        bundle = copy.copy(last.bundle)
        for layer in dict.fromkeys(row.layer for row in rows):
            try:
                records = [record for _, record, _ in self.rows(conn, layer)]
                rest = self.plans_rest(conn) if layer == "plans" else ""
                codec(layer).put(bundle, layer_text(layer, records, rest))
            except (DataFileError, ValueError):
                return None  # a full load reports it
        findings = findings_from_doc(rows[-1].findings)
        return LoadResult(bundle, sorted_findings(findings), f"pg:{rev}")

    def load_at(self, conn: Connection, rev: int, *, strict: bool = False) -> LoadResult:
        """The township at ``rev`` (read in ``conn``) as a checked Bundle."""
        records = self.all_records(conn)
        docs = self.document_texts(conn)
        findings: list[Finding] = []
        layers: dict[str, Any] = {}
        for spec in LAYERS:
            try:
                text_ = layer_text(spec.name, records.get(spec.name, []))
                if spec.is_spatial:
                    layers[spec.name] = parse_geojson(text_, spec, spec.filename)
                else:
                    layers[spec.name] = parse_csv_table(text_, spec, spec.filename)
            except DataFileError as exc:
                if strict:
                    raise
                findings.append(unreadable_finding(spec.name, exc))
                layers[spec.name] = empty_layer(spec)
        parts: dict[str, Any] = {}
        for key, name in (("plans", PLANS_FILE), ("report", REPORT_FILE)):
            try:
                if key == "plans":
                    source = layer_text("plans", records.get("plans", []), docs.get("plans") or "")
                elif docs.get("report") is None:
                    raise DataFileError(REPORT_FILE, "文件不存在", "file not found")
                else:
                    source = docs["report"]
                parts[key] = parse_yaml(source, name)
            except DataFileError as exc:
                if strict:
                    raise
                findings.append(unreadable_finding(key, exc))
                parts[key] = {}
        bundle = Bundle(**layers, **parts)
        made_by = None if findings else self._change_that_made(conn, rev)
        if made_by is not None and made_by.findings is not None:
            # The saving process checked this very state: its findings stand.
            findings = findings_from_doc(made_by.findings)
        else:
            findings.extend(run_checks(bundle))
        return LoadResult(bundle, sorted_findings(findings), f"pg:{rev}")
