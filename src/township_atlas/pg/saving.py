"""Saving a change to a PostGIS township: one transaction, or nothing.

Lock the township's ``revisions`` row (saves of a township queue up there), lock the
touched rows, compare them with the versions the change started from (the same content
hashes as the files backend, so the editing UI is unchanged), check the new state with the
same rules, write the rows (each row's ``version`` + 1, refused in SQL if it moved), add
the history row, bump ``rev`` and ``NOTIFY``. Any failure rolls the whole save back: rows,
history and rev stay as they were, and no notification is sent.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, text, tuple_

from township_atlas.bundle import Finding, LoadResult
from township_atlas.checks import run_checks
from township_atlas.edits import (
    ChangeSet,
    CheckFailedError,
    Conflict,
    ConflictError,
    FaultInjector,
    SaveResult,
    codec,
    feature_version,
)
from township_atlas.pg import listen
from township_atlas.pg.records import dumps, geometry_wkb, is_spatial, layer_text, normalised
from township_atlas.pg.tables import (
    CHANNEL,
    changes,
    db_errors,
    features,
    history,
    revisions,
    townships,
)

if TYPE_CHECKING:
    from township_atlas.pg.store import PgStore

#: Tests set ``PG_FAULTS.fail_at`` to one of these to fail a save there (it rolls back).
PG_FAULTS = FaultInjector()
PG_STEPS = ("locked", "checked", "rows_written", "history_written", "rev_bumped")
# A save waits this long for another save of the township before giving up.
LOCK_TIMEOUT = "30s"
# Loads kept per process for the next save's checks (one per township store).
_LAST: OrderedDict[str, LoadResult] = OrderedDict()
_LAST_MAX = 8
_LAST_LOCK = threading.Lock()


def _finding_key(f: Finding) -> tuple:
    return (f.check, f.layer, f.feature, f.message_en)


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity])


def last_load(key: str) -> LoadResult | None:
    """The last load or save result of the store ``key`` in this process."""
    with _LAST_LOCK:
        return _LAST.get(key)


def remember_load(key: str, result: LoadResult) -> None:
    with _LAST_LOCK:
        _LAST[key] = result
        _LAST.move_to_end(key)
        while len(_LAST) > _LAST_MAX:
            _LAST.popitem(last=False)


def findings_doc(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as JSON (for the ``changes`` table)."""
    return [dataclasses.asdict(f) for f in findings]


def findings_from_doc(doc: list[dict[str, Any]]) -> list[Finding]:
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


def save(
    store: PgStore, change: ChangeSet, *, loader: Callable[[], LoadResult] | None = None
) -> SaveResult:
    """Apply ``change`` in one transaction, or refuse it whole.

    Raises
    ------
    ConflictError : a touched record differs from the version the change started from
    CheckFailedError : the new state would add an error finding (see checks.py)
    StorageError : the database cannot be reached, or another save held the township
        longer than ``LOCK_TIMEOUT``
    """
    c = codec(change.layer)
    layer = change.layer
    mine = {c.key(f): f for f in change.upserts}
    touched = [*mine, *change.deletes]
    token = listen.listener_for(store.url).token()
    # Asked before taking the lock (it may load); used only if it is of the locked version.
    offered = loader() if loader is not None else None
    with db_errors(store.url), store._engine.begin() as conn:
        conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        rev = conn.execute(
            select(revisions.c.rev).where(revisions.c.township == store.township).with_for_update()
        ).scalar()
        if rev is None:
            raise store._missing()
        PG_FAULTS.step("locked")
        current: dict[str, dict] = {}
        versions: dict[str, int] = {}
        for fid, record, version in store._rows(conn, layer, fids=touched, lock=True):
            current[fid] = record
            versions[fid] = version
        conflicts = [
            Conflict(fid, None, current.get(fid), mine.get(fid))
            for fid in touched
            if feature_version(current.get(fid)) != change.base.get(fid)
        ]
        if conflicts:
            raise ConflictError(conflicts)

        plans_rest = store._plans_rest(conn) if layer == "plans" else ""
        stored = normalised(layer, list(mine.values()), plans_rest)
        old = _old_load(store, conn, rev, offered)
        after = {fid: record for fid, record, _ in store._rows(conn, layer)}
        for fid, record in stored.items():
            after[fid] = record
        for fid in change.deletes:
            after.pop(fid, None)
        bundle = copy.copy(old.bundle)
        c.put(bundle, layer_text(layer, list(after.values()), plans_rest))
        old_keys = {_finding_key(f) for f in old.errors}
        new_findings = run_checks(bundle)
        added = [
            f for f in new_findings if f.severity == "error" and _finding_key(f) not in old_keys
        ]
        if added:
            raise CheckFailedError(added)
        PG_FAULTS.step("checked")

        _write_rows(store, conn, layer, stored, change.deletes, versions)
        PG_FAULTS.step("rows_written")
        seq = (
            conn.execute(
                select(func.coalesce(func.max(history.c.seq), 0)).where(
                    history.c.township == store.township
                )
            ).scalar_one()
            + 1
        )
        conn.execute(
            history.insert().values(
                township=store.township,
                seq=seq,
                time=datetime.now(UTC).replace(microsecond=0),
                user=change.user,
                layer=layer,
                note=change.note,
                changes=[
                    {"id": fid, "before": current.get(fid), "after": after.get(fid)}
                    for fid in touched
                ],
            )
        )
        PG_FAULTS.step("history_written")
        new_rev = conn.execute(
            revisions.update()
            .where(revisions.c.township == store.township)
            .values(rev=new_rev_sql())
            .returning(revisions.c.rev)
        ).scalar_one()
        if layer == "township":
            _sync_name(store, conn, stored)
        findings = sorted_findings(new_findings)
        log_change(conn, store.township, rev, new_rev, layer, findings)
        notify(conn, store.township, new_rev)
        PG_FAULTS.step("rev_bumped")
    listen.listener_for(store.url).remember(store.township, new_rev, token)
    remember_load(store.key, LoadResult(bundle, findings, f"pg:{new_rev}"))
    return SaveResult(seq, {fid: feature_version(after.get(fid)) for fid in touched})


# --- helpers ---------------------------------------------------------------------


def _old_load(store: PgStore, conn: Connection, rev: int, offered: LoadResult | None) -> LoadResult:
    """The state before the save, for its checks: the caller's or this process's last
    load if it is of the locked rev, else read now (under the township lock)."""
    wanted = f"pg:{rev}"
    if offered is not None and offered.fingerprint == wanted:
        return offered
    last = last_load(store.key)
    if last is not None and last.fingerprint == wanted:
        return last
    return store._load_in(conn, rev)


def _write_rows(
    store: PgStore,
    conn: Connection,
    layer: str,
    stored: dict[str, dict],
    deletes: list[str],
    versions: dict[str, int],
) -> None:
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


def _sync_name(store: PgStore, conn: Connection, stored: dict[str, dict]) -> None:
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
