"""The change history of a data folder: one JSON file per saved change, in ``.history/``.

An entry holds who, when, which layer, and every feature before and after, so any change
can be undone and any earlier version of a layer rebuilt. Entries are written *pending*
before the layer file is replaced and marked done after; :func:`recover` settles pending
entries left by a crash against the file actually on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from township_atlas.model.schema import LAYERS, PLANS_FILE
from township_atlas.storage.changes import Entry

HISTORY_DIR = ".history"


def file_sha(path: Path) -> str | None:
    """The SHA-256 of a file's bytes (None: no such file)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _dir(folder: Path) -> Path:
    d = folder / HISTORY_DIR
    d.mkdir(exist_ok=True)
    return d


def next_seq(folder: Path) -> int:
    """The number the next entry of ``folder`` gets."""
    seqs = [
        int(p.name.split(".")[0])
        for p in _dir(folder).glob("*.json")
        if p.name.split(".")[0].isdigit()
    ]
    return max(seqs, default=0) + 1


def write_pending(folder: Path, doc: dict[str, Any]) -> Path:
    """Write ``doc`` as a pending entry (durably); returns its path for :func:`mark_done`."""
    path = _dir(folder) / f"{doc['seq']:06d}.pending.json"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def mark_done(pending: Path) -> Path:
    """Turn a pending entry into a done one (its change has landed)."""
    done = pending.with_name(pending.name.replace(".pending", ""))
    os.replace(pending, done)
    return done


def _layer_files(folder: Path) -> dict[str, Path]:
    return {**{s.name: folder / s.filename for s in LAYERS}, "plans": folder / PLANS_FILE}


def recover(folder: Path, layer_files: dict[str, Path] | None = None) -> list[int]:
    """Settle what a crashed or killed save left; returns the seqs kept as done.

    Call it holding the folder lock. The file on disk decides: if it is a pending entry's
    "after", the change landed (keep it); otherwise it did not (drop the entry). Temporary
    files of dead saves are removed. ``layer_files`` adds to (or overrides) the layers'
    own files.
    """
    kept = []
    files = {**_layer_files(folder), **(layer_files or {})}
    for path in files.values():
        for tmp in folder.glob(f".{path.name}.*.tmp"):
            tmp.unlink(missing_ok=True)
    d = folder / HISTORY_DIR
    if not d.is_dir():
        return kept
    for tmp in d.glob("*.tmp"):
        tmp.unlink(missing_ok=True)
    for pending in sorted(d.glob("*.pending.json")):
        try:
            doc = json.loads(pending.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            pending.unlink(missing_ok=True)
            continue
        path = files.get(doc.get("layer", ""))
        if path is not None and file_sha(path) == doc.get("file_sha_after"):
            mark_done(pending)
            kept.append(int(doc["seq"]))
        else:
            pending.unlink(missing_ok=True)
    return kept


def entries(folder: Path, layer: str | None = None) -> list[Entry]:
    """Done entries, oldest first (optionally of one layer)."""
    d = folder / HISTORY_DIR
    out = []
    for path in sorted(d.glob("[0-9]*.json")) if d.is_dir() else []:
        if ".pending" in path.name:
            continue
        entry = Entry.from_json(json.loads(path.read_text(encoding="utf-8")))
        if layer is None or entry.layer == layer:
            out.append(entry)
    return out


def entry(folder: Path, seq: int) -> Entry | None:
    """Done entry number ``seq``, or None."""
    path = folder / HISTORY_DIR / f"{seq:06d}.json"
    if not path.exists():
        return None
    return Entry.from_json(json.loads(path.read_text(encoding="utf-8")))
