"""The one save sequence: conflicts → apply → checks → write → history, on either backend.

A backend supplies only a :class:`SaveBackend`: ``transaction`` opens what makes the save
all-or-nothing (the folder lock for files, one database transaction for PostGIS) and
yields a :class:`SaveTransaction` that can *read the current layer*, *write the new layer
atomically* and *append the history entry*, and finally *commit*. Everything else, in
this order, is here:

1. ask the caller's loader for the state the editor saw (before any lock is taken);
2. open the transaction; read the layer as stored now;
3. compare every touched record with the version the change started from: any
   difference is a conflict and nothing is written (:class:`ConflictError`);
4. apply the change to the stored records (normalised as a write would store them);
5. check the new state with every rule: a change may not add an error finding
   (:class:`CheckFailedError`); the state it is compared with is the caller's load or this
   process's last one if either is of the version just locked, else a fresh load;
6. write the layer, append the history entry, commit;
7. remember the checked new state, so the next save (and a PostGIS load) need not check
   it again.
"""

from __future__ import annotations

import copy
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from township_atlas.checks import run_checks
from township_atlas.model.bundle import Finding, LoadResult
from township_atlas.storage.changes import (
    ChangeSet,
    CheckFailedError,
    Conflict,
    ConflictError,
    SaveResult,
    feature_version,
)
from township_atlas.storage.layer_codec import LayerCodec, codec, layer_text, normalised

#: The points of the sequence a backend's fault injector may name (see ``reached``).
POINTS = ("opened", "checking", "checked")


class FaultInjector:
    """Tests set ``fail_at`` to a step name to simulate a crash there."""

    fail_at: str | None = None

    def step(self, name: str) -> None:
        """Fail here if this is the step named by ``fail_at``."""
        if self.fail_at == name:
            raise OSError(f"injected failure at {name}")


def finding_key(f: Finding) -> tuple:
    """What makes two findings the same problem (to tell a new error from an old one)."""
    return (f.check, f.layer, f.feature, f.message_en)


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes (stable otherwise)."""
    return sorted(findings, key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity])


# The last checked state of each store in this process (a save's result, or a PostGIS
# load), keyed by ``DataStore.key``: a save whose store is still at that version checks
# against it instead of loading again. A few stores per process; bounded all the same.
_LAST: OrderedDict[str, LoadResult] = OrderedDict()
_LAST_MAX = 8
_LAST_LOCK = threading.Lock()


def last_load(key: str) -> LoadResult | None:
    """The last checked state of the store ``key`` in this process, or None."""
    with _LAST_LOCK:
        return _LAST.get(key)


def remember_load(key: str, result: LoadResult) -> None:
    """Keep ``result`` as the store ``key``'s last checked state."""
    with _LAST_LOCK:
        _LAST[key] = result
        _LAST.move_to_end(key)
        while len(_LAST) > _LAST_MAX:
            _LAST.popitem(last=False)


def forget_load(key: str) -> None:
    """Drop the store ``key``'s remembered state (the next save or load reads afresh)."""
    with _LAST_LOCK:
        _LAST.pop(key, None)


class SaveTransaction(ABC):
    """A backend's part of one save, valid while its transaction is open."""

    @abstractmethod
    def reached(self, point: str) -> None:
        """The sequence reached ``point`` (one of :data:`POINTS`): fault injection."""

    @abstractmethod
    def version(self) -> str:
        """The fingerprint of the state locked now (as ``DataStore.fingerprint``)."""

    @abstractmethod
    def load(self) -> LoadResult:
        """The whole locked state, loaded and checked."""

    @abstractmethod
    def read_current(self, layer: LayerCodec, touched: list[str]) -> tuple[dict, str]:
        """The layer's records as stored now, keyed by id in stored order, and the text a
        plans file keeps besides its villages (the whole plans file will do; "" else).
        ``touched`` are the ids the save will write (locked, where the backend can)."""

    @abstractmethod
    def write(
        self, layer: LayerCodec, stored: dict[str, dict], deletes: list[str], text: str
    ) -> None:
        """Write the layer atomically: ``stored`` records upserted, ``deletes`` gone, the
        whole new layer being ``text``."""

    @abstractmethod
    def append_history(self, change: ChangeSet, records: list[dict[str, Any]]) -> int:
        """Add the history entry of ``change`` (``records``: ``{"id", "before",
        "after"}``); returns its number."""

    @abstractmethod
    def commit(self, layer: LayerCodec, stored: dict[str, dict], findings: list[Finding]) -> str:
        """Make the save visible (it lands now, or never); returns the new version."""


class SaveBackend(ABC):
    """What a backend gives the save sequence."""

    @property
    @abstractmethod
    def key(self) -> str:
        """The store's ``DataStore.key`` (for the findings cache)."""

    @abstractmethod
    def transaction(self, layer: LayerCodec) -> AbstractContextManager[SaveTransaction]:
        """Open a save of ``layer``: it either lands whole on commit, or not at all."""


def save_change(
    backend: SaveBackend, change: ChangeSet, *, loader: Callable[[], LoadResult] | None = None
) -> SaveResult:
    """Apply ``change`` through ``backend``, or refuse it whole (see the module docstring).

    Parameters
    ----------
    backend : the store's save backend
    change : upserts and deletions in one editable layer, with their base versions
    loader : the load the editor worked from; used for the checks if it is of the
        version being changed (asked before any lock is taken)

    Raises
    ------
    ConflictError : a touched record differs from the version the change started from
    CheckFailedError : the new state would add an error finding (see checks.py)
    """
    c = codec(change.layer)
    mine = {c.key(f): f for f in change.upserts}
    touched = [*mine, *change.deletes]
    offered = loader() if loader is not None else None
    with backend.transaction(c) as tx:
        tx.reached("opened")
        current, rest = tx.read_current(c, touched)
        conflicts = [
            Conflict(fid, None, current.get(fid), mine.get(fid))
            for fid in touched
            if feature_version(current.get(fid)) != change.base.get(fid)
        ]
        if conflicts:
            raise ConflictError(conflicts)

        stored = normalised(change.layer, list(mine.values()), rest)
        after = dict(current)
        after.update(stored)
        for fid in change.deletes:
            after.pop(fid, None)
        text = layer_text(change.layer, list(after.values()), rest)

        tx.reached("checking")
        old = _state_before(backend.key, tx, offered)
        bundle = copy.copy(old.bundle)
        c.put(bundle, text)
        old_keys = {finding_key(f) for f in old.errors}
        new_findings = run_checks(bundle)
        added = [
            f for f in new_findings if f.severity == "error" and finding_key(f) not in old_keys
        ]
        if added:
            raise CheckFailedError(added)
        tx.reached("checked")

        tx.write(c, stored, change.deletes, text)
        seq = tx.append_history(
            change,
            [{"id": fid, "before": current.get(fid), "after": after.get(fid)} for fid in touched],
        )
        findings = sorted_findings(new_findings)
        version = tx.commit(c, stored, findings)
    # The new state was just checked in full: the next save starts from it.
    remember_load(backend.key, LoadResult(bundle, findings, version))
    return SaveResult(seq, {fid: feature_version(after.get(fid)) for fid in touched})


def _state_before(key: str, tx: SaveTransaction, offered: LoadResult | None) -> LoadResult:
    """The state before the save, for its checks: the caller's or this process's last
    load if it is of the locked version, else loaded now (under the lock)."""
    wanted = tx.version()
    if offered is not None and offered.fingerprint == wanted:
        return offered
    last = last_load(key)
    if last is not None and last.fingerprint == wanted:
        return last
    return tx.load()
