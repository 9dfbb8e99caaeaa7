"""Saving changes to a layer safely: versions, conflicts, checks, atomic writes, history.

A change names, for every feature it touches, the version it started from (a hash of the
feature as it was read). Saving re-reads the file under a lock; a feature changed since is
a conflict and nothing is written. Otherwise the new layer is checked (a change may not add
errors), written to a temporary file, recorded in the history as *pending*, moved into place
with ``os.replace`` (atomic), and the history entry is then marked done. A crash at any
step leaves the old file or the new one, never a mix, and the history matches the file.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from township_atlas import history
from township_atlas.bundle import Finding, LoadResult
from township_atlas.checks import run_checks
from township_atlas.errors import AtlasError
from township_atlas.layers_io import (
    csv_text,
    geojson_text,
    parse_csv_table,
    parse_geojson,
    parse_yaml,
    plain,
    typed_table,
    yaml_text,
)
from township_atlas.schema import LAYERS_BY_NAME, PLANS_FILE, LayerSpec

LOCK_FILE = ".atlas.lock"


class ConflictError(AtlasError):
    """Features were changed by someone else since this change started from them."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        ids = "、".join(c.feature_id for c in conflicts)
        super().__init__(
            f"要素 {ids} 在您编辑期间已被他人修改,未保存。请对照两个版本后选择保留哪一个。",
            f"Features {ids.replace('、', ', ')} were changed by someone else while you "
            "edited; nothing was saved. Compare both versions and choose.",
        )
        self.conflicts = conflicts


class CheckFailedError(AtlasError):
    """The change would break a rule of the data; nothing was saved."""

    def __init__(self, findings: list[Finding]) -> None:
        zh = ";".join(f.message_zh for f in findings[:5])
        en = "; ".join(f.message_en for f in findings[:5])
        super().__init__(
            f"修改未保存,因为它会带来以下问题:{zh}",
            f"Not saved: the change would cause these problems: {en}",
        )
        self.findings = findings


@dataclass(frozen=True)
class Conflict:
    """One feature both sides changed: what the editor started from, what is stored now,
    and what the editor wants to save (None = absent/deleted)."""

    feature_id: str
    base: dict[str, Any] | None
    theirs: dict[str, Any] | None
    mine: dict[str, Any] | None


@dataclass
class ChangeSet:
    """Upserts and deletions in one layer, each with the version it started from.

    ``base`` maps feature id -> version (from :func:`feature_version`) as read by the
    editor, or None for a feature that did not exist (a new one).
    """

    layer: str
    user: str
    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    base: dict[str, str | None] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class SaveResult:
    seq: int
    versions: dict[str, str | None]


def feature_version(feature: dict[str, Any] | None) -> str | None:
    """A short hash of a feature's properties and geometry (None for no feature)."""
    if feature is None:
        return None
    text = json.dumps(
        {"p": feature.get("properties"), "g": feature.get("geometry")},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def frame_features(frame: gpd.GeoDataFrame, spec: LayerSpec) -> dict[str, dict[str, Any]]:
    """Features of a layer frame as GeoJSON dicts keyed by id, exactly as the file holds them."""
    doc = json.loads(geojson_text(frame, spec))
    return {str(f["properties"][spec.id_field]): f for f in doc["features"]}


def _frame_from(features: list[dict[str, Any]], spec: LayerSpec) -> gpd.GeoDataFrame:
    rows = [dict(f.get("properties") or {}) for f in features]
    geoms = [shape(f["geometry"]) if f.get("geometry") else None for f in features]
    # Typed like a read (an int column with blanks stays Int64, never 1949.0), so a saved
    # file is byte-identical to what saving it again would write.
    frame = typed_table(rows, spec)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


class _Codec:
    """How one editable file is read into records keyed by id, written back as text and
    put into a Bundle for checking. A record is a GeoJSON-like dict: ``properties`` and,
    for spatial layers, ``geometry``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.spec = LAYERS_BY_NAME.get(name)
        self.filename = self.spec.filename if self.spec else PLANS_FILE

    def key(self, record: dict[str, Any]) -> str:
        if self.spec is None:
            if not record.get("id"):
                raise ValueError("a plan record needs its village code as 'id'")
            return str(record["id"])
        return record_key(self.name, record.get("properties") or {})

    def parse(self, text: str) -> dict[str, dict[str, Any]]:
        spec = self.spec
        if spec is None:
            doc = parse_yaml(text, self.filename)
            villages = doc.get("villages") or {}
            return {str(c): {"id": str(c), "properties": p} for c, p in villages.items()}
        if spec.is_spatial:
            return frame_features(parse_geojson(text, spec, self.filename), spec)
        rows = parse_csv_table(text, spec, self.filename)
        records = [{"properties": row} for row in json.loads(_rows_json(rows, spec))]
        return {self.key(r): r for r in records}

    def text(self, records: list[dict[str, Any]], before_text: str) -> str:
        spec = self.spec
        if spec is None:
            doc = parse_yaml(before_text, self.filename)
            doc["villages"] = {self.key(r): r["properties"] for r in records}
            return yaml_text(doc)
        if spec.is_spatial:
            return geojson_text(_frame_from(records, spec), spec)
        rows = [dict(r.get("properties") or {}) for r in records]
        return csv_text(typed_table(rows, spec), spec)

    def put(self, bundle: Any, text: str) -> None:
        spec = self.spec
        if spec is None:
            bundle.plans = parse_yaml(text, self.filename)
        elif spec.is_spatial:
            setattr(bundle, self.name, parse_geojson(text, spec, self.filename))
        else:
            setattr(bundle, self.name, parse_csv_table(text, spec, self.filename))


def _rows_json(frame: pd.DataFrame, spec: LayerSpec) -> str:
    return json.dumps(
        [
            {f.name: plain(v) for f, v in zip(spec.fields, row, strict=True)}
            for row in frame[spec.field_names()].itertuples(index=False)
        ],
        ensure_ascii=False,
    )


#: What can be edited: every layer of the schema, and the village plans.
EDITABLE: tuple[str, ...] = (*LAYERS_BY_NAME, "plans")


def record_key(layer: str, props: dict[str, Any]) -> str:
    """The id of a record: its id field, or its key fields joined with "|" (indicators:
    place|year|indicator), or the village code for a plan."""
    if layer == "plans":
        raise KeyError("a plan's key is its village code; give it as the record id")
    spec = LAYERS_BY_NAME[layer]
    return "|".join(str(plain(props.get(k))) for k in spec.key_fields)


def codec(layer: str) -> _Codec:
    if layer not in EDITABLE:
        raise ValueError(f"{layer} cannot be edited")
    return _Codec(layer)


def read_records(folder: Path, layer: str) -> dict[str, dict[str, Any]]:
    """Every record of ``layer`` as stored, keyed by id (what a ChangeSet's base refers to)."""
    c = codec(layer)
    return c.parse((Path(folder) / c.filename).read_text(encoding="utf-8"))


def _fsync_write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the data folder, across processes (saves are serialised)."""
    with open(folder / LOCK_FILE, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class FaultInjector:
    """Tests set ``fail_at`` to a step name to simulate a crash there."""

    fail_at: str | None = None

    def step(self, name: str) -> None:
        if self.fail_at == name:
            raise OSError(f"injected failure at {name}")


FAULTS = FaultInjector()
STEPS = ("read", "check", "temp_written", "history_pending", "replaced", "history_done")


def _finding_key(f: Finding) -> tuple:
    return (f.check, f.layer, f.feature, f.message_en)


# Per folder: the load a save ended with, reused by the next save while the files are
# unchanged (a save then checks the data once, not twice).
_LAST: dict[str, LoadResult] = {}


def _load_cached(folder: Path) -> LoadResult:
    from township_atlas.store import Store

    store = Store(folder)
    last = _LAST.get(str(folder))
    if last is not None and last.fingerprint == store.fingerprint():
        return last
    return store.load()


def save(folder: Path, change: ChangeSet, *, loader=None) -> SaveResult:
    """Apply ``change`` to its layer file in ``folder``, or refuse it whole.

    ``change.layer`` is any layer of the schema (GeoJSON layers and CSV tables) or
    ``"plans"``. Record ids are the layer's id field, its key fields joined with "|"
    (:func:`record_key`), or a plan's village code.

    Raises
    ------
    ConflictError : a touched feature differs from the version the change started from
    CheckFailedError : the new layer would add an error finding (see checks.py)
    DataFileError : the layer file on disk cannot be read (fix it first)
    """
    from township_atlas.store import Store

    c = codec(change.layer)
    folder = Path(folder)
    path = folder / c.filename
    with folder_lock(folder):
        history.recover(folder, {change.layer: path})
        FAULTS.step("read")
        before_text = path.read_text(encoding="utf-8")
        current = c.parse(before_text)
        mine = {c.key(f): f for f in change.upserts}
        conflicts = []
        for fid in [*mine, *change.deletes]:
            base = change.base.get(fid)
            now = feature_version(current.get(fid))
            if now != base:
                conflicts.append(Conflict(fid, None, current.get(fid), mine.get(fid)))
        if conflicts:
            raise ConflictError(conflicts)
        after = dict(current)
        for fid, feat in mine.items():
            after[fid] = feat
        for fid in change.deletes:
            after.pop(fid, None)
        new_text = c.text(list(after.values()), before_text)
        FAULTS.step("check")
        old = (loader or (lambda: _load_cached(folder)))()
        bundle = copy.copy(old.bundle)
        c.put(bundle, new_text)
        old_keys = {_finding_key(f) for f in old.findings if f.severity == "error"}
        new_findings = run_checks(bundle)
        added = [
            f for f in new_findings if f.severity == "error" and _finding_key(f) not in old_keys
        ]
        if added:
            raise CheckFailedError(added)
        seq = history.next_seq(folder)
        tmp = Path(tempfile.mkstemp(dir=folder, prefix=f".{c.filename}.", suffix=".tmp")[1])
        try:
            _fsync_write(tmp, new_text)
            FAULTS.step("temp_written")
            stored_by_id = c.parse(new_text)
            doc = {
                "seq": seq,
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "user": change.user,
                "layer": change.layer,
                "note": change.note,
                "changes": [
                    {"id": fid, "before": current.get(fid), "after": stored_by_id.get(fid)}
                    for fid in [*mine, *change.deletes]
                ],
                "file_sha_before": hashlib.sha256(before_text.encode()).hexdigest(),
                "file_sha_after": hashlib.sha256(new_text.encode()).hexdigest(),
            }
            pending = history.write_pending(folder, doc)
            FAULTS.step("history_pending")
            os.replace(tmp, path)
            _fsync_dir(folder)
            FAULTS.step("replaced")
            history.mark_done(pending)
            FAULTS.step("history_done")
            # The new state was just checked in full: the next save starts from it.
            _LAST[str(folder)] = LoadResult(bundle, new_findings, Store(folder).fingerprint())
        finally:
            tmp.unlink(missing_ok=True)
        return SaveResult(
            seq, {fid: feature_version(stored_by_id.get(fid)) for fid in [*mine, *change.deletes]}
        )


def change_undoing(entry: history.Entry | None, seq: int, user: str = "") -> ChangeSet:
    """The change that reverses history ``entry`` (number ``seq``), on any backend."""
    if entry is None:
        raise AtlasError(f"没有编号为 {seq} 的修改记录。", f"There is no change number {seq}.")
    change = ChangeSet(entry.layer, user, note=f"undo #{seq}")
    for c in entry.changes:
        change.base[c["id"]] = feature_version(c["after"])
        if c["before"] is None:
            change.deletes.append(c["id"])
        else:
            change.upserts.append(c["before"])
    return change


def records_after(
    records: dict[str, dict[str, Any]], entries: list[history.Entry], seq: int
) -> dict[str, dict[str, Any]]:
    """A layer's current ``records`` turned back into what they were right after change
    ``seq``, by reversing the later ``entries`` of that layer (oldest first)."""
    for entry in reversed(entries):
        if entry.seq <= seq:
            break
        for c in entry.changes:
            if c["before"] is None:
                records.pop(c["id"], None)
            else:
                records[c["id"]] = c["before"]
    return records


def change_restoring(
    layer: str,
    current: dict[str, dict[str, Any]],
    target: dict[str, dict[str, Any]],
    seq: int,
    user: str = "",
) -> ChangeSet:
    """The change that turns ``current`` records of ``layer`` into ``target`` (as after
    change ``seq``)."""
    change = ChangeSet(layer, user, note=f"restore to #{seq}")
    for fid in [*current, *[k for k in target if k not in current]]:
        if feature_version(current.get(fid)) != feature_version(target.get(fid)):
            change.base[fid] = feature_version(current.get(fid))
            if fid in target:
                change.upserts.append(target[fid])
            else:
                change.deletes.append(fid)
    return change


def undo_change(folder: Path, seq: int, user: str = "") -> ChangeSet:
    """The change that reverses change ``seq`` (to be saved; it conflicts if the features
    have changed since)."""
    return change_undoing(history.entry(Path(folder), seq), seq, user)


def undo(folder: Path, seq: int, user: str) -> SaveResult:
    """Reverse change ``seq`` as a new change; refused as a conflict if its features have
    changed since."""
    return save(folder, undo_change(folder, seq, user))


def layer_at(folder: Path, layer: str, seq: int) -> dict[str, dict[str, Any]]:
    """The layer's features as they were right after change ``seq`` (0: before any change
    recorded), rebuilt from the current file by reversing later changes."""
    return records_after(read_records(folder, layer), history.entries(Path(folder), layer), seq)


def restore_change(folder: Path, layer: str, seq: int, user: str = "") -> ChangeSet:
    """The change that brings ``layer`` back to how it was after change ``seq``."""
    target = layer_at(folder, layer, seq)
    return change_restoring(layer, read_records(folder, layer), target, seq, user)


def restore(folder: Path, layer: str, seq: int, user: str) -> SaveResult:
    """Bring ``layer`` back to how it was after change ``seq``, as a new (undoable) change."""
    return save(folder, restore_change(folder, layer, seq, user))
