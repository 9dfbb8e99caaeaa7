"""The Streamlit servers the benchmark started, seen through /proc (psutil is not
installed): which process serves a port, its memory, and when it has gone idle."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit


def server_pid(url: str) -> int | None:
    """The Streamlit server we started on ``url``'s port: our own child whose command line
    names that port (from /proc; psutil is not installed)."""
    port = str(urlsplit(url).port).encode()
    for proc in Path("/proc").iterdir():
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == os.getpid() and port in (proc / "cmdline").read_bytes().split(b"\0"):
                return int(proc.name)
        except (OSError, IndexError, ValueError):
            continue  # not a process, gone meanwhile, or not ours
    return None


def server_rss(pid: int | None) -> dict[str, float]:
    """RSS and peak RSS (MiB) of process ``pid``."""
    if pid is None:
        return {}
    status = dict(ln.split(":", 1) for ln in Path(f"/proc/{pid}/status").read_text().splitlines())
    kib = {k: int(status[k].split()[0]) for k in ("VmRSS", "VmHWM")}
    return {"rss_mib": round(kib["VmRSS"] / 1024, 1), "peak_mib": round(kib["VmHWM"] / 1024, 1)}


def wait_idle(pid: int | None, limit_s: float = 600) -> None:
    """Wait until the server uses < 10 % CPU over a second. A closed tab does not stop a
    rerun already running (the naive map reruns right after it loads), and timing the next
    visit against that leftover work would measure the leftover, not the visit."""
    if pid is None:
        return
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = cpu()
        time.sleep(1)
        if cpu() - before < 0.1 * ticks:
            return
