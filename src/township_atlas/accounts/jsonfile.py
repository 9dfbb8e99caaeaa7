"""The accounts file on disk: read it, or change it under a lock and replace it atomically."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from township_atlas.accounts.errors import AccountsFileError

try:  # a file lock between processes (the app and the account command); POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock still guards the app
    fcntl = None  # type: ignore[assignment]

FORMAT = "township-atlas-accounts"

_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def empty() -> dict[str, Any]:
    """The content of a new accounts file."""
    return {"format": FORMAT, "version": 1, "users": {}, "failures": {}}


def read(path: Path) -> dict[str, Any]:
    """The file's content; a missing file reads as :func:`empty`.

    Raises
    ------
    AccountsFileError
        If the file exists but cannot be read or is not an accounts file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty()
    except OSError as exc:
        raise AccountsFileError(str(path), exc.strerror or type(exc).__name__) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AccountsFileError(str(path), f"JSON line {exc.lineno}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AccountsFileError(str(path), "not a Township Atlas accounts file")
    data.setdefault("users", {})
    data.setdefault("failures", {})
    return data


@contextlib.contextmanager
def transaction(path: Path) -> Iterator[dict[str, Any]]:
    """Read the file, let the caller change the content, and write it back if changed.

    One writer at a time, across threads (a thread lock) and processes (``flock`` on a
    ``.lock`` file beside it). If the caller raises, nothing is written.
    """
    key = str(path.resolve())
    with _THREAD_LOCKS_GUARD:
        thread_lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with thread_lock, open(path.with_name(path.name + ".lock"), "a") as lock_file:
        if fcntl is not None:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        data = read(path)
        before = copy.deepcopy(data)
        yield data
        if data != before:
            write(path, data)


def write(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to a temporary file (mode 0600) and move it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".accounts-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
