"""What a change is, on every backend: change sets, conflicts, results, history entries.

A change names, for every record it touches, the version it started from (a hash of the
record as it was read: :func:`feature_version`). A save refuses it whole if any of those
records has changed since (:class:`ConflictError`) or if it would add an error finding
(:class:`CheckFailedError`). Every saved change becomes a history :class:`Entry` with each
record before and after, so undo and restore are themselves changes, built here from the
entries (:func:`change_undoing`, :func:`change_restoring`) whatever backend holds them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Finding
from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.storage.formats import plain


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


#: Properties of fields written only when used (``Field.written_when_used``): added to the
#: schema after records were saved, so a record (or a history entry) from before has no
#: such key where a record read now has it null.
_LATER_FIELDS = frozenset(
    f.name for spec in LAYERS_BY_NAME.values() for f in spec.fields if f.written_when_used
)


def feature_version(feature: dict[str, Any] | None) -> str | None:
    """A short hash of a feature's properties and geometry (None for no feature).

    A field added to the schema later that is null counts as absent, so a record saved
    before the field existed has the version it had then (its undo does not conflict).
    """
    if feature is None:
        return None
    props = feature.get("properties")
    if isinstance(props, dict) and _LATER_FIELDS.intersection(props):
        props = {k: v for k, v in props.items() if not (k in _LATER_FIELDS and v is None)}
    text = json.dumps(
        {"p": props, "g": feature.get("geometry")},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


#: What can be edited: every layer of the schema, and the village plans.
EDITABLE: tuple[str, ...] = (*LAYERS_BY_NAME, "plans")


def record_key(layer: str, props: dict[str, Any]) -> str:
    """The id of a record: its id field, or its key fields joined with "|" (indicators:
    place|year|indicator), or the village code for a plan."""
    if layer == "plans":
        raise KeyError("a plan's key is its village code; give it as the record id")
    spec = LAYERS_BY_NAME[layer]
    return "|".join(str(plain(props.get(k))) for k in spec.key_fields)


@dataclass(frozen=True)
class Entry:
    """One saved change of the history: who, when, which layer, every record before and
    after (``changes``: ``{"id", "before", "after"}``, None = absent)."""

    seq: int
    time: str
    user: str
    layer: str
    note: str
    changes: list[dict[str, Any]]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Entry:
        return cls(
            int(doc["seq"]),
            str(doc["time"]),
            str(doc["user"]),
            str(doc["layer"]),
            str(doc.get("note", "")),
            list(doc["changes"]),
        )


def change_undoing(entry: Entry | None, seq: int, user: str = "") -> ChangeSet:
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
    records: dict[str, dict[str, Any]], entries: list[Entry], seq: int
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
