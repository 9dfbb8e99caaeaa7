"""The PostGIS backend's part of a save: one transaction, or nothing.

The save sequence (:mod:`township_atlas.storage.saving`) runs inside one transaction that
first locks the township's ``revisions`` row (saves of a township queue up there) and the
touched rows. Writing the layer updates its rows (each row's ``version`` + 1, refused in
SQL if it moved), the history is a row of ``history``, and committing bumps ``rev``, logs
the change with its findings (``changes``) and sends ``NOTIFY``. Any failure rolls the
whole save back: rows, history and rev stay as they were, and no notification is sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, func, select, text, tuple_
from sqlalchemy.engine import Engine

from township_atlas.errors import DataFolderError
from township_atlas.model.bundle import Finding, LoadResult
from township_atlas.storage.changes import ChangeSet, Conflict, ConflictError
from township_atlas.storage.layer_codec import LayerCodec, is_spatial
from township_atlas.storage.postgis import listen
from township_atlas.storage.postgis.records import dumps, geometry_wkb
from township_atlas.storage.postgis.tables import (
    CHANNEL,
    changes,
    db_errors,
    features,
    history,
    revisions,
    townships,
)
from township_atlas.storage.saving import FaultInjector, SaveBackend, SaveTransaction

#: Tests set ``PG_FAULTS.fail_at`` to one of these to fail a save there (it rolls back).
PG_FAULTS = FaultInjector()
PG_STEPS = ("locked", "checked", "rows_written", "history_written", "rev_bumped")
# A save waits this long for another save of the township before giving up.
LOCK_TIMEOUT = "30s"
# The save sequence's points, by the names this backend's steps have always had.
_STEP_AT = {"opened": "locked", "checked": "checked"}


def findings_doc(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as JSON (for the ``changes`` table)."""
    return [dataclasses.asdict(f) for f in findings]


def findings_from_doc(doc: list[dict[str, Any]]) -> list[Finding]:
    """Findings from their JSON (see :func:`findings_doc`)."""
    return [
        Finding(**{**d, "location": tuple(d["location"]) if d.get("location") else None})
        for d in doc
    ]


def log_change(
    conn: Connection, township: str, prev_rev: int, rev: int, layer: str, findings: list[Finding]
) -> None:
    """Record that the save from ``prev_rev`` to ``rev`` changed ``layer`` and left
    ``findings`` (see ``tables.changes``); drop the rows older than a day."""
    conn.execute(
        changes.insert().values(
            township=township,
            rev=rev,
            prev_rev=prev_rev,
            layer=layer,
            findings=findings_doc(findings),
        )
    )
    conn.execute(
        changes.delete().where(
            changes.c.township == township,
            changes.c.time < func.now() - text("interval '1 day'"),
        )
    )


def new_rev_sql() -> Any:
    """The next rev: one more, and never below the clock in ms (so a re-created township
    never repeats a rev a cache may still hold)."""
    clock_ms = func.floor(func.extract("epoch", func.clock_timestamp()) * 1000).cast(
        revisions.c.rev.type
    )
    return func.greatest(revisions.c.rev + 1, clock_ms)


def notify(conn: Connection, township: str, rev: int) -> None:
    """Tell every listening process that ``township`` is at ``rev`` (sent on commit)."""
    conn.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": dumps({"township": township, "rev": rev})},
    )


class TownshipStore(Protocol):
    """What a save needs of the township's store (:class:`~.store.PgStore`)."""

    url: str
    township: str

    @property
    def key(self) -> str: ...

    @property
    def engine(self) -> Engine: ...

    def missing_error(self) -> DataFolderError: ...

    def rows(
        self, conn: Connection, layer: str, *, fids: list[str] | None = None, lock: bool = False
    ) -> list[tuple[str, dict[str, Any], int]]: ...

    def plans_rest(self, conn: Connection) -> str: ...

    def load_at(self, conn: Connection, rev: int) -> LoadResult: ...


class PgSave(SaveBackend):
    """The PostGIS backend for :func:`~township_atlas.storage.saving.save_change`.

    Its transaction waits at most ``LOCK_TIMEOUT`` for another save of the township
    (then StorageError), and raises the store's DataFolderError if the township is gone.
    """

    def __init__(self, store: TownshipStore) -> None:
        self.store = store

    @property
    def key(self) -> str:
        return self.store.key

    @contextmanager
    def transaction(self, layer: LayerCodec) -> Iterator[SaveTransaction]:
        store = self.store
        token = listen.listener_for(store.url).token()
        with db_errors(store.url), store.engine.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            rev = conn.execute(
                select(revisions.c.rev)
                .where(revisions.c.township == store.township)
                .with_for_update()
            ).scalar()
            if rev is None:
                raise store.missing_error()
            tx = _PgTransaction(store, conn, rev)
            yield tx
        # Committed: this process knows the new rev without waiting for the notification.
        if tx.new_rev is not None:
            listen.listener_for(store.url).remember(store.township, tx.new_rev, token)


class _PgTransaction(SaveTransaction):
    def __init__(self, store: TownshipStore, conn: Connection, rev: int) -> None:
        self.store = store
        self.conn = conn
        self.rev = rev
        self.versions: dict[str, int] = {}
        self.new_rev: int | None = None

    def reached(self, point: str) -> None:
        if point in _STEP_AT:
            PG_FAULTS.step(_STEP_AT[point])

    def version(self) -> str:
        return f"pg:{self.rev}"

    def load(self) -> LoadResult:
        return self.store.load_at(self.conn, self.rev)

    def read_current(self, layer: LayerCodec, touched: list[str]) -> tuple[dict, str]:
        store, conn = self.store, self.conn
        for fid, _, version in store.rows(conn, layer.name, fids=touched, lock=True):
            self.versions[fid] = version
        rest = store.plans_rest(conn) if layer.name == "plans" else ""
        return {fid: record for fid, record, _ in store.rows(conn, layer.name)}, rest

    def write(
        self, layer: LayerCodec, stored: dict[str, dict], deletes: list[str], text: str
    ) -> None:
        write_rows(self.store, self.conn, layer.name, stored, deletes, self.versions)
        PG_FAULTS.step("rows_written")

    def append_history(self, change: ChangeSet, records: list[dict[str, Any]]) -> int:
        township = self.store.township
        seq = (
            self.conn.execute(
                select(func.coalesce(func.max(history.c.seq), 0)).where(
                    history.c.township == township
                )
            ).scalar_one()
            + 1
        )
        self.conn.execute(
            history.insert().values(
                township=township,
                seq=seq,
                time=datetime.now(UTC).replace(microsecond=0),
                user=change.user,
                layer=change.layer,
                note=change.note,
                changes=records,
            )
        )
        PG_FAULTS.step("history_written")
        return seq

    def commit(self, layer: LayerCodec, stored: dict[str, dict], findings: list[Finding]) -> str:
        township, conn = self.store.township, self.conn
        new_rev = conn.execute(
            revisions.update()
            .where(revisions.c.township == township)
            .values(rev=new_rev_sql())
            .returning(revisions.c.rev)
        ).scalar_one()
        if layer.name == "township":
            _sync_name(self.store, conn, stored)
        log_change(conn, township, self.rev, new_rev, layer.name, findings)
        notify(conn, township, new_rev)
        PG_FAULTS.step("rev_bumped")
        self.new_rev = new_rev
        return f"pg:{new_rev}"


# --- helpers ---------------------------------------------------------------------


def write_rows(
    store: TownshipStore,
    conn: Connection,
    layer: str,
    stored: dict[str, dict],
    deletes: list[str],
    versions: dict[str, int],
) -> None:
    """Upsert ``stored`` and delete ``deletes`` among ``layer``'s rows; a row whose version
    is not the one read (``versions``) is refused here too (ConflictError)."""
    where = (features.c.township == store.township) & (features.c.layer == layer)
    next_pos = conn.execute(
        select(func.coalesce(func.max(features.c.pos), 0)).where(where)
    ).scalar_one()
    for fid, record in stored.items():
        if fid in deletes:
            continue
        values = {"props": record["properties"], "geom": _geom_param(layer, record)}
        if fid in versions:
            done = conn.execute(
                features.update()
                .where(where, features.c.fid == fid, features.c.version == versions[fid])
                .values(**values, version=features.c.version + 1)
            ).rowcount
            if done != 1:  # the row moved on since it was read: refuse in SQL too
                raise ConflictError([Conflict(fid, None, None, record)])
        else:
            next_pos += 1
            conn.execute(
                features.insert().values(
                    township=store.township, layer=layer, fid=fid, pos=next_pos, **values
                )
            )
    gone = [fid for fid in deletes if fid in versions]
    if gone:
        done = conn.execute(
            features.delete().where(
                where,
                tuple_(features.c.fid, features.c.version).in_(
                    [(fid, versions[fid]) for fid in gone]
                ),
            )
        ).rowcount
        if done != len(gone):
            raise ConflictError([Conflict(fid, None, None, None) for fid in gone])


def _sync_name(store: TownshipStore, conn: Connection, stored: dict[str, dict]) -> None:
    for record in stored.values():
        name = (record.get("properties") or {}).get("name_zh")
        if name:
            conn.execute(
                townships.update().where(townships.c.code == store.township).values(name=name)
            )


def _geom_param(layer: str, record: dict) -> Any:
    if not is_spatial(layer):
        return None
    wkb = geometry_wkb(record)
    return None if wkb is None else func.ST_GeomFromWKB(wkb, 4326)
