"""Shared fixtures: every test works on a copy of the shipped sample, never on geodata/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "geodata"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the PostgreSQL server (directly or through pg_url or the store
    fixture's PostGIS case) is a PostGIS test: `-m "not postgis"` leaves it out."""
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgis)


@pytest.hookimpl(optionalhook=True)  # without xdist (-p no:xdist) there is no such hook
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist (``-n 2`` in pyproject's addopts) hands out whole test files, and all
    real-browser tests as one unit: they run one after another on one worker (a Chromium
    and a server at a time, on a 2-core runner) while the other worker runs the rest, and a
    file's module fixtures are made once. (xdist's own ``--dist loadgroup`` cannot do it
    with pytest 9.2: it marks a group by rewriting ``item._nodeid``, which pytest 9.2 no
    longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndBrowser(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/browser" if path.startswith("tests/browser/") else path

    return FilesAndBrowser(config, log)


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    """A fresh copy of the shipped sample data folder."""
    target = tmp_path / "geodata"
    shutil.copytree(SAMPLE_DIR, target)
    return target


@pytest.fixture
def data_env(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a copy of the sample (for AppTest runs)."""
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(sample_dir))
    return sample_dir


# --- storage backends: the same tests on a data folder and on PostGIS -------------------
@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL + PostGIS server for the session (see tests/pg_server.py), with a
    template database holding the shipped sample."""
    from tests.pg_server import running_server

    with running_server() as server:
        server.make_template(SAMPLE_DIR, None)
        yield server


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh database (PostGIS, the atlas tables, the sample copied in) for one test."""
    from township_atlas.storage.postgis import tables

    url = pg_server.new_database()
    yield url
    tables.dispose(url)
    pg_server.drop_database(url)


def sample_township() -> str:
    """The code of the shipped sample township."""
    from township_atlas.storage.files.store import Store

    return Store(SAMPLE_DIR).list_townships()[0].code


@pytest.fixture(params=["files", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request):
    """The shipped sample in each storage backend: a folder copy, and a PostGIS township."""
    if request.param == "files":
        from township_atlas.storage.files.store import Store

        return Store(request.getfixturevalue("sample_dir"))
    from township_atlas.storage.postgis.store import PgStore

    return PgStore(request.getfixturevalue("pg_url"), sample_township())
