"""The files backend's part of a save: the folder lock, atomic file writes, pending history.

The save sequence (:mod:`township_atlas.storage.saving`) runs holding an exclusive lock
on the folder (saves of processes queue up there), after settling what a crashed save
left (:func:`~township_atlas.storage.files.history.recover`). The new layer is written to
a temporary file beside it (fsynced, with the file's mode and owner), the history entry
is recorded *pending*, the file is moved into place with ``os.replace`` (atomic) and the
entry is then marked done. A crash at any step leaves the old file or the new one, never
a mix, and the history matches the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from township_atlas.model.bundle import Finding, LoadResult
from township_atlas.storage.changes import ChangeSet
from township_atlas.storage.files import history
from township_atlas.storage.layer_codec import LayerCodec
from township_atlas.storage.saving import FaultInjector, SaveBackend, SaveTransaction

LOCK_FILE = ".atlas.lock"

#: Tests set ``FAULTS.fail_at`` to one of ``STEPS`` to fail a save there (or replace
#: ``FAULTS`` with an object whose ``step`` kills the process).
FAULTS = FaultInjector()
STEPS = ("read", "check", "temp_written", "history_pending", "replaced", "history_done")
# The save sequence's points, by the names this backend's steps have always had.
_STEP_AT = {"opened": "read", "checking": "check"}


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the data folder, across processes (saves are serialised)."""
    with open(folder / LOCK_FILE, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def recover_if_idle(folder: Path) -> list[int] | None:
    """Settle what a crashed save left, unless a save holds the folder now.

    Opening a store calls it, so the history matches the files from the start; it never
    waits (a running save settles the folder itself) and does nothing in a folder it may
    not write. Returns the seqs kept as done, or None when it did not run.
    """
    if not (Path(folder) / history.HISTORY_DIR).is_dir():
        return []  # nothing was ever saved here: nothing to settle
    try:
        fh = open(Path(folder) / LOCK_FILE, "a+")  # noqa: SIM115 (closed below)
    except OSError:
        return None  # a read-only folder: no save ran here to leave anything
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        try:
            return history.recover(Path(folder))
        except OSError:
            return None  # e.g. the history is read-only: the next save settles it
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _take_mode(fd: int, path: Path) -> None:
    """Give the temporary file ``fd`` the permissions ``path`` has (its mode, and its owner
    and group where this process may set them), or a new file's default permissions.

    ``mkstemp`` makes files 0600: without this every save would lock QGIS, backups or a
    replica running as another user out of the layer.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        os.fchmod(fd, 0o666 & ~_umask())
        return
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        # Not root, and not of the owner's group: the file becomes ours. Before chmod: a
        # chown may clear the set-id bits the mode then restores.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, st.st_uid, st.st_gid)
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def write_temp_beside(path: Path, text: str) -> Path:
    """Write ``text`` durably to a new temporary file beside ``path`` with ``path``'s mode
    and owner (see :func:`replace_file`); returns the temporary file."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            _take_mode(fh.fileno(), path)
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def replace_file(tmp: Path, path: Path) -> None:
    """Move ``tmp`` into place as ``path`` atomically and durably."""
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Folder(Protocol):
    """What a save needs of the files store (:class:`~.store.Store`)."""

    path: Path

    @property
    def key(self) -> str: ...

    def fingerprint(self) -> str: ...

    def load(self) -> LoadResult: ...


class FolderSave(SaveBackend):
    """The files backend for :func:`~township_atlas.storage.saving.save_change`."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder

    @property
    def key(self) -> str:
        return self.folder.key

    @contextmanager
    def transaction(self, layer: LayerCodec) -> Iterator[SaveTransaction]:
        path = self.folder.path / layer.filename
        with folder_lock(self.folder.path):
            history.recover(self.folder.path, {layer.name: path})
            tx = _FolderTransaction(self.folder, path)
            try:
                yield tx
            finally:
                if tx.tmp is not None:
                    tx.tmp.unlink(missing_ok=True)


class _FolderTransaction(SaveTransaction):
    def __init__(self, folder: Folder, path: Path) -> None:
        self.folder = folder
        self.path = path
        self.before_text = ""
        self.text = ""
        self.tmp: Path | None = None
        self.pending: Path | None = None

    def reached(self, point: str) -> None:
        if point in _STEP_AT:
            FAULTS.step(_STEP_AT[point])

    def version(self) -> str:
        return self.folder.fingerprint()

    def load(self) -> LoadResult:
        return self.folder.load()

    def read_current(self, layer: LayerCodec, touched: list[str]) -> tuple[dict, str]:
        self.before_text = self.path.read_text(encoding="utf-8")
        # The whole plans file is the plans' "rest": the codec replaces its villages.
        return layer.parse(self.before_text), self.before_text

    def write(
        self, layer: LayerCodec, stored: dict[str, dict], deletes: list[str], text: str
    ) -> None:
        self.text = text
        self.tmp = write_temp_beside(self.path, text)
        FAULTS.step("temp_written")

    def append_history(self, change: ChangeSet, records: list[dict[str, Any]]) -> int:
        seq = history.next_seq(self.folder.path)
        doc = {
            "seq": seq,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "user": change.user,
            "layer": change.layer,
            "note": change.note,
            "changes": records,
            "file_sha_before": hashlib.sha256(self.before_text.encode()).hexdigest(),
            "file_sha_after": hashlib.sha256(self.text.encode()).hexdigest(),
        }
        self.pending = history.write_pending(self.folder.path, doc)
        FAULTS.step("history_pending")
        return seq

    def commit(self, layer: LayerCodec, stored: dict[str, dict], findings: list[Finding]) -> str:
        assert self.tmp is not None and self.pending is not None, "write and history first"
        replace_file(self.tmp, self.path)
        FAULTS.step("replaced")
        history.mark_done(self.pending)
        FAULTS.step("history_done")
        return self.folder.fingerprint()
