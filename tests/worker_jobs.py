"""Test-only worker jobs, in a module that imports little: the worker unpickles a job by
importing its module, and a heavy test module would eat the job's time limit."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

import shapely


def nested_wkt(depth: int = 50_000) -> str:
    return "GEOMETRYCOLLECTION(" * depth + "POINT(105.7 35.9)" + ")" * depth


def _segfault(path: Path, progress) -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _parse_deep_wkt(path: Path, progress) -> None:
    """What reading the file did before the depth check: GEOS crashes the process."""
    shapely.from_wkt(nested_wkt())


def _hang(path: Path, progress) -> None:
    progress(0.0, str(os.getpid()))
    while True:
        time.sleep(0.05)


def _eat_memory(path: Path, progress) -> int:
    blocks = [bytearray(64 * 2**20) for _ in range(40)]  # 2.5 GB
    return len(blocks)


def _spin(path: Path, progress) -> None:
    progress(0.0, str(os.getpid()))
    while True:
        pass


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def _evil_result(path: Path, progress) -> Evil:
    return Evil()


def _echo(path: Path, progress, suffix: str) -> dict:
    progress(0.5, "half way")
    return {"data": path.read_bytes() + suffix.encode(), "limits": _limits()}


def _limits() -> dict:
    import resource

    return {
        "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0],
        "as": resource.getrlimit(resource.RLIMIT_AS)[0],
        "core": resource.getrlimit(resource.RLIMIT_CORE)[0],
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        "tmp": tempfile.gettempdir(),
        "pgid": os.getpgid(0) == os.getpid(),
        "env": sorted(os.environ),
    }


def _arrow_strings(path: Path, progress) -> str:
    """What planning into an empty layer does first: pandas turns ids into Arrow strings."""
    import pyarrow as pa

    pa.array(["杏树坪村"] * 10, type=pa.large_string())
    return str(pa.default_memory_pool().backend_name)
