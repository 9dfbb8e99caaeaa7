"""The upload worker's process sandbox: a job runs in a child process with a wall-time and a
memory limit.

Reading, sniffing, listing layers, suggesting the coordinate system and the field mapping
and planning all run in a child process, so a file that crashes a C library (a deeply
nested geometry crashing GEOS), loops in SQLite or exhausts memory kills only that child:
the server receives either the parsed, capped result or a clear :class:`WorkerFailed`
naming the limit, and keeps answering.

How a job runs (:func:`run_isolated`):

- the server creates the upload's private temporary folder (``atlas-upload-*``, mode 0700),
  writes the uploaded bytes into it and removes it in a ``finally`` whatever happens (a
  killed worker cannot clean up after itself);
- the child is forked from a ``multiprocessing`` *forkserver*: a small process started once
  (by exec, never by forking the multi-threaded Streamlit server) with the transfer modules
  already imported, so a job starts in about 0.1 s instead of the 3-4 s a fresh
  interpreter takes to import GDAL, pandas and pyproj (measured in ``bench/README.md``);
- first thing in the child: a new session (its own process group), then
  ``resource.setrlimit``: address space (RLIMIT_AS: what the preloaded libraries already
  map plus ``memory_mb``), CPU seconds, the size of any file it writes, open files, and no
  core dumps; its temporary folder is the upload's;
- the server waits on a pipe with the wall-time deadline, relays progress messages to the
  page's progress bar, and kills the child's process group when the time is up;
- the result is pickled by the child but unpickled on the server by
  :class:`.worker_results.RestrictedUnpickler`, which only builds our own result dataclasses and plain
  Python values: a compromised worker cannot make the server run code. Errors come back
  as JSON (the message key and its Chinese and English texts).

Inputs (server -> worker: the job, the bundle needed for CRS suggestion and planning) are
pickled by multiprocessing; they come from the server itself. The import jobs are in
:mod:`.worker_jobs`, the results the server accepts in :mod:`.worker_results`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import resource
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from township_atlas.errors import AtlasError
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.limits import DEFAULT_LIMITS
from township_atlas.transfer.progress import ProgressCallback
from township_atlas.transfer.worker_results import (
    ErrorInfo,
    ImportPreview,
    rebuild_error,
    safe_loads,
)

log = logging.getLogger(__name__)

TEMP_PREFIX = "atlas-upload-"
INPUT_NAME = "upload.bin"
# Modules the forkserver imports once, so each job starts with them loaded.
PRELOAD = [
    "township_atlas.transfer.worker_jobs",
    "township_atlas.model.bundle",
    "township_atlas.transfer.gdal_read",
    "township_atlas.transfer.tables",
    "PIL.Image",  # photos (transfer.photos)
    "python_calamine",  # .xls (an ImportError here is ignored by the forkserver)
]
_KEPT_ENV = {"PATH", "LANG", "HOME", "TZ", "PYTHONPATH"}
_FILES_OPEN = 256  # RLIMIT_NOFILE of a job: GDAL opens a few files per layer
# Jobs running at once in one server process: with the memory limit this bounds what
# uploads can take from the machine (2 × 1 GiB by default), however many people upload.
MAX_JOBS = 2
_SLOTS = threading.BoundedSemaphore(MAX_JOBS)


@dataclass(frozen=True)
class WorkerLimits:
    """The limits one worker job runs under (settings ``upload_worker_seconds`` and
    ``upload_worker_memory_mb``).

    Attributes
    ----------
    seconds : wall time from start to result; the child is killed after it (its CPU time
        is capped at the same figure plus one second)
    memory_mb : memory the job may allocate on top of what the preloaded libraries map
    """

    seconds: float = 60.0
    memory_mb: int = 1024

    @classmethod
    def from_settings(cls) -> WorkerLimits:
        from township_atlas import settings

        return cls(float(settings.upload_worker_seconds()), int(settings.upload_worker_memory_mb()))


class WorkerFailed(TransferError):
    """The worker crashed, ran out of time or memory, or sent something unusable."""


# --- the child ------------------------------------------------------------------------
def _vm_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0  # pragma: no cover - Linux always reports VmSize


def _set_limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (value, hard if hard != resource.RLIM_INFINITY else value))


def apply_limits(seconds: float, memory_mb: int, file_bytes: int) -> None:
    """The resource limits of a job, applied in the child before anything is parsed.

    RLIMIT_NPROC is left alone: it counts every process *and thread* of the user, so a
    bound low enough to matter would also stop GDAL's threads and the server's own.
    """
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_CPU, int(seconds) + 1)
    _set_limit(resource.RLIMIT_FSIZE, file_bytes)
    _set_limit(resource.RLIMIT_NOFILE, _FILES_OPEN)
    _set_limit(resource.RLIMIT_AS, _vm_bytes() + memory_mb * 2**20)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _send(conn: multiprocessing.connection.Connection, kind: bytes, payload: bytes) -> None:
    conn.send_bytes(kind + payload)


def _child_main(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    conn: multiprocessing.connection.Connection,
    workdir: str,
    seconds: float,
    memory_mb: int,
    file_bytes: int,
) -> None:
    os.setsid()  # its own process group: the server kills the whole group
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too large a file: an OSError, not death
    apply_limits(seconds, memory_mb, file_bytes)
    for name in list(os.environ):  # no database URL, key or token is the worker's business
        if name not in _KEPT_ENV and not name.startswith(("LC_", "PROJ", "GDAL_")):
            del os.environ[name]
    os.environ["TMPDIR"] = workdir
    tempfile.tempdir = workdir
    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and fraction < 1.0:
            return
        last[0] = now
        _send(conn, b"P", json.dumps([float(fraction), str(message)[:300]]).encode())

    try:
        result = func(Path(workdir) / INPUT_NAME, progress, *args, **kwargs)
        if isinstance(result, ImportPreview):
            result.peak_rss_mb = _peak_mb()
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        del result
        _send(conn, b"R", payload)
    except AtlasError as exc:
        info = {**ErrorInfo.of(exc).__dict__, "peak_rss_mb": _peak_mb()}
        _send(conn, b"E", json.dumps(info).encode())
    except MemoryError:
        _send(conn, b"M", b"")
    except RecursionError:
        _send(conn, b"D", b"")
    except Exception as exc:  # noqa: BLE001 - reported to the server as a plain message
        traceback.print_exc()
        detail = f"{type(exc).__name__}: {str(exc)[:300]}"
        _send(conn, b"X", json.dumps(detail).encode())
    finally:
        conn.close()


# --- the server side ------------------------------------------------------------------
_CONTEXT: Any = None
_CONTEXT_LOCK = threading.Lock()


def _context() -> Any:
    """The forkserver context, preloaded with the transfer modules (created once)."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            ctx = multiprocessing.get_context("forkserver")
            # Arrow (pandas' string columns) allocates with malloc in the workers: its
            # default, mimalloc, reserves 1 GiB of address space at its first allocation,
            # which used up a job's whole RLIMIT_AS allowance (1024 MB by default) and
            # refused tiny uploads "for memory". Read when the forkserver starts.
            os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
            # Neither the forkserver nor a job imports the server's main module (see
            # _keep_main_out_of_workers): only the transfer modules are preloaded.
            _keep_main_out_of_workers()
            ctx.set_forkserver_preload(list(PRELOAD))
            _CONTEXT = ctx
        return _CONTEXT


WORKER_NAME = "atlas-upload-worker"


def _keep_main_out_of_workers() -> None:
    """A job never runs the server's main module again.

    multiprocessing hands every child the path of ``sys.modules["__main__"]`` to import
    first. Streamlit replaces that module on every script run, and a test's
    ``AppTest.from_function`` leaves a temporary script there, which a worker started later
    ran and died on ("crashed"). Jobs are functions of importable modules, so a worker
    needs no main module: its preparation data goes without it. This wraps
    ``multiprocessing.spawn.get_preparation_data`` (public since Python 3.4) for this
    process name only; ``tests/test_transfer_worker.py`` pins it.
    """
    from multiprocessing import spawn

    if getattr(spawn.get_preparation_data, "_atlas", False):
        return
    original = spawn.get_preparation_data

    def preparation_data(name: str) -> dict[str, Any]:
        data = original(name)
        if name == WORKER_NAME:
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    preparation_data._atlas = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = preparation_data


def _kill(proc: Any) -> None:
    if proc.pid is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the group exists once the child ran setsid
    with contextlib.suppress(ProcessLookupError, AttributeError, ValueError):
        proc.kill()


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return str(-code)


def run_isolated(
    func: Callable[..., Any],
    /,
    *args: Any,
    data: bytes = b"",
    worker: WorkerLimits | None = None,
    progress: ProgressCallback | None = None,
    result_bytes: int | None = None,
    file_bytes: int | None = None,
    **kwargs: Any,
) -> Any:
    """Run ``func(input_path, progress, *args, **kwargs)`` in a worker process and return
    its result (see the module docstring).

    ``func`` must be a module-level function; ``input_path`` is the file holding ``data``
    inside the job's private temporary folder. ``progress(fraction, message)`` is called on
    the server with what the worker reports.

    Raises
    ------
    TransferError : what the job raised (rebuilt from its message key and texts)
    WorkerFailed : the job crashed (e.g. a segmentation fault), used more memory than
        ``worker.memory_mb`` or more time than ``worker.seconds``, or sent a result the
        server does not accept; or :data:`MAX_JOBS` other uploads kept the workers busy
        for ``worker.seconds``
    """
    worker = worker or WorkerLimits.from_settings()
    if not _SLOTS.acquire(timeout=worker.seconds):
        raise WorkerFailed("xfer_worker_busy", seconds=_seconds(worker.seconds), jobs=MAX_JOBS)
    try:
        return _run(func, args, kwargs, data, worker, progress, result_bytes, file_bytes)
    finally:
        _SLOTS.release()


def _run(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    data: bytes,
    worker: WorkerLimits,
    progress: ProgressCallback | None,
    result_bytes: int | None,
    file_bytes: int | None,
) -> Any:
    memory = worker.memory_mb
    cap = result_bytes or memory * 2**20
    workdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    proc: Any = None
    recv = None
    started = False
    try:
        path = workdir / INPUT_NAME
        with open(path, "xb") as fh:
            fh.write(data)
        os.chmod(path, 0o600)
        ctx = _context()
        recv, send = ctx.Pipe(duplex=False)
        limit_files = file_bytes or max(4 * len(data), 0) + DEFAULT_LIMITS.max_uncompressed_bytes
        proc = ctx.Process(
            target=_child_main,
            args=(func, args, kwargs, send, str(workdir), worker.seconds, memory, limit_files),
            name=WORKER_NAME,
            daemon=True,
        )
        try:
            proc.start()
            started = True
        finally:
            send.close()
        deadline = time.monotonic() + worker.seconds
        message: bytes | None = None
        while message is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(proc)
                raise WorkerFailed("xfer_worker_timeout", seconds=_seconds(worker.seconds))
            if not recv.poll(min(remaining, 0.2)):
                continue
            try:
                chunk = recv.recv_bytes(cap + 1)
            except EOFError:
                break
            except OSError as exc:  # larger than the cap
                _kill(proc)
                raise WorkerFailed("xfer_worker_result_too_large", limit_mb=memory) from exc
            if chunk[:1] == b"P":
                if progress is not None:
                    with contextlib.suppress(ValueError, TypeError):
                        fraction, text = json.loads(chunk[1:])
                        progress(min(max(float(fraction), 0.0), 1.0), str(text)[:300])
                continue
            message = chunk
        proc.join(timeout=max(deadline - time.monotonic(), 1.0))
        if proc.exitcode is None:
            _kill(proc)
            proc.join(timeout=5)
        return _outcome(message, proc.exitcode, worker)
    finally:
        try:
            if started and proc.exitcode is None:
                _kill(proc)
                proc.join(timeout=5)
            if recv is not None:
                recv.close()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _seconds(value: float) -> str:
    return f"{value:g}"


def _outcome(message: bytes | None, exitcode: int | None, worker: WorkerLimits) -> Any:
    if message is None:
        code = exitcode if exitcode is not None else 0
        if code == -signal.SIGXCPU:
            raise WorkerFailed("xfer_worker_timeout", seconds=_seconds(worker.seconds))
        if code == -signal.SIGKILL:
            raise WorkerFailed("xfer_worker_killed", limit_mb=worker.memory_mb)
        reason = _signal_name(code) if code < 0 else f"exit {code}"
        log.warning("upload worker ended without a result (%s)", reason)
        raise WorkerFailed("xfer_worker_crashed", reason=reason, limit_mb=worker.memory_mb)
    kind, body = message[:1], message[1:]
    if kind == b"R":
        try:
            return safe_loads(body)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
            log.warning("upload worker sent a result that was refused: %s", exc)
            raise WorkerFailed("xfer_worker_bad_result", detail=str(exc)[:200]) from exc
    if kind == b"E":
        try:
            info = json.loads(body)
            exc = rebuild_error(
                str(info["kind"]),
                str(info["key"]),
                str(info["message_zh"]),
                str(info["message_en"]),
            )
            exc.worker_peak_mb = float(info.get("peak_rss_mb") or 0.0)
            return _raise(exc)
        except (ValueError, KeyError, TypeError) as exc:
            raise WorkerFailed("xfer_worker_bad_result", detail=str(exc)[:200]) from exc
    if kind == b"M":
        raise WorkerFailed("xfer_worker_memory", limit_mb=worker.memory_mb)
    if kind == b"D":
        raise WorkerFailed("xfer_worker_recursion")
    detail = "?"
    with contextlib.suppress(ValueError):
        detail = str(json.loads(body))[:300]
    log.warning("upload worker failed: %s", detail)
    raise WorkerFailed("xfer_worker_failed", detail=detail)


def _raise(exc: BaseException) -> Any:
    raise exc
