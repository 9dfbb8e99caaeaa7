"""A throwaway PostgreSQL + PostGIS server for the tests, and fresh databases from it.

``TOWNSHIP_ATLAS_TEST_DATABASE_URL`` (a superuser's SQLAlchemy URL, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) uses a server that is already
running. Otherwise Debian's binaries (``apt-get install postgresql postgis``) make a
cluster in a temporary folder, started on a free loopback port and removed at the end.
Without them the PostGIS tests skip, except where ``TOWNSHIP_ATLAS_REQUIRE_POSTGIS=1``
(CI): there a missing server is a failure.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

URL_ENV = "TOWNSHIP_ATLAS_TEST_DATABASE_URL"
REQUIRE_ENV = "TOWNSHIP_ATLAS_REQUIRE_POSTGIS"
TEMPLATE = "atlas_test_template"
# The tests never need the server to survive a crash: trade durability for speed.
FAST_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def absent(reason: str) -> None:
    """Skip, or fail where CI requires PostGIS."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostGIS required ({REQUIRE_ENV}=1): {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    return Path(found[-1]).parent if found else None


def _version_key(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _as_server_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as ``postgres`` then."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@dataclass
class Cluster:
    """A running throwaway cluster."""

    bindir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            _as_server_user(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + pg_ctl start on 127.0.0.1 and a free port; skips (or fails) if impossible."""
    bindir = _bindir()
    if bindir is None:
        absent("PostgreSQL is not installed (apt-get install postgresql postgis)")
    if not glob.glob(f"/usr/share/postgresql/{bindir.parent.name}/extension/postgis.control"):
        absent(
            f"PostGIS for PostgreSQL {bindir.parent.name} is not installed (apt-get install postgis)"
        )
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            absent("running as root and there is no 'postgres' user to run the server as")
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    if os.geteuid() == 0:
        os.chown(root, server_user.pw_uid, server_user.pw_gid)
    cluster = Cluster(bindir, root, _free_port())
    init = subprocess.run(
        _as_server_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        absent(f"initdb failed: {init.stderr.strip()[-500:]}")
    options = " ".join(
        [f"-c {o}" for o in FAST_OPTIONS]
        + [
            f"-p {cluster.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={root}",
            "-c max_connections=200",
        ]
    )
    started = subprocess.run(
        _as_server_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(cluster.data),
                "-l",
                str(root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        log = (
            (root / "server.log").read_text(errors="replace")[-800:]
            if (root / "server.log").exists()
            else ""
        )
        cluster.stop()
        absent(f"PostgreSQL did not start: {started.stderr.strip()[-300:]} {log}")
    return cluster


class Server:
    """A superuser connection to a server, handing out fresh databases made from a
    template that already holds PostGIS, the atlas tables and (optionally) the sample."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.url = url
        self._base = make_url(url)
        self._names = itertools.count(1)
        self._prefix = f"atlas_t{os.getpid()}_"

    def admin(self):
        """A psycopg autocommit connection to the maintenance database."""
        import psycopg

        return psycopg.connect(self.dsn(self._base.database or "postgres"), autocommit=True)

    def dsn(self, database: str) -> str:
        return self._base.set(drivername="postgresql", database=database).render_as_string(
            hide_password=False
        )

    def url_of(self, database: str) -> str:
        return self._base.set(database=database).render_as_string(hide_password=False)

    def make_template(self, sample_dir: Path, township: str) -> None:
        """The template database: PostGIS, the tables, and the sample copied in."""
        from township_atlas.storage.postgis import copying, tables

        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
            conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
        url = self.url_of(TEMPLATE)
        engine = tables.engine_for(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        tables.init_db(engine)
        copying.copy_in(url, sample_dir, township=township)
        tables.dispose(url)

    def new_database(self) -> str:
        """A fresh database cloned from the template; returns its URL."""
        name = f"{self._prefix}{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}" STRATEGY FILE_COPY')
        return self.url_of(name)

    def drop_database(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_server() -> Iterator[Server]:
    """The server to test against: the one named by the environment, or a throwaway one."""
    try:
        import psycopg  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError:
        absent('the PostGIS extra is not installed (pip install -e ".[test]")')
    url = os.environ.get(URL_ENV)
    if url:
        yield Server(url)
        return
    cluster = start_cluster()
    try:
        deadline = time.monotonic() + 30
        server = Server(cluster.url)
        while True:
            try:
                server.admin().close()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        cluster.stop()
