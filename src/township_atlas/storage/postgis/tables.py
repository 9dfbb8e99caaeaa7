"""The database tables, ``init_db``, and one SQLAlchemy engine per database URL.

Properties and documents are ``json``, not ``jsonb``: jsonb reorders keys, and the key
order of a plan or of the report is what their YAML files show (a township copied out
must come back byte for byte). Nothing queries inside them on the hot path.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    create_engine,
    text,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from township_atlas.errors import AtlasError
from township_atlas.storage.datastore import StorageError

CHANNEL = "atlas_changes"
# Any constant: init_db holds this advisory lock so two processes do not race to create.
_INIT_LOCK = 0x41544C53

metadata = MetaData()


def _township_fk() -> ForeignKey:
    return ForeignKey("townships.code", ondelete="CASCADE")


townships = Table(
    "townships",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
)

# One row per feature of a layer, row of a table (key: edits.record_key) or village plan
# (layer "plans", fid = village code). ``pos`` keeps the file's order; ``version`` counts
# the row's saves (optimistic concurrency in SQL, next to the content hashes the UI uses).
features = Table(
    "features",
    metadata,
    Column("township", Text, _township_fk(), nullable=False),
    Column("layer", Text, nullable=False),
    Column("fid", Text, nullable=False),
    Column("pos", BigInteger, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("props", JSON, nullable=False),
    Column("geom", Geometry(srid=4326, spatial_index=False), nullable=True),
    PrimaryKeyConstraint("township", "layer", "fid"),
    Index("features_order", "township", "layer", "pos"),
    Index("features_geom", "geom", postgresql_using="gist"),
)

# The report, the plans file without its villages, and any other file of the folder.
# ``text`` is the file as it was (what is served and copied out); ``doc`` the same parsed,
# for SQL, where it is JSON.
documents = Table(
    "documents",
    metadata,
    Column("township", Text, _township_fk(), nullable=False),
    Column("name", Text, nullable=False),
    Column("doc", JSON, nullable=True),
    Column("text", Text, nullable=True),
    PrimaryKeyConstraint("township", "name"),
)

history = Table(
    "history",
    metadata,
    Column("township", Text, _township_fk(), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("user", Text, nullable=False, server_default=""),
    Column("layer", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("changes", JSON, nullable=False),
    # Other keys of a history file copied in (e.g. file hashes), to copy them out again.
    Column("extra", JSON, nullable=True),
    PrimaryKeyConstraint("township", "seq"),
)

# The pictures and thumbnails of photos, by content name (``photos/ab/<sha256>.jpg``, see
# storage/photo_files.py): written before their ``photos`` index rows are saved, never
# changed (the name is the content's hash), so a row no index names is a harmless orphan.
# Created by init_db in an existing database too (create_all adds missing tables).
photo_files = Table(
    "photo_files",
    metadata,
    Column("township", Text, _township_fk(), nullable=False),
    Column("name", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
    PrimaryKeyConstraint("township", "name"),
)

# The township's data version: bumped by every save, in the same transaction.
revisions = Table(
    "revisions",
    metadata,
    Column("township", Text, _township_fk(), primary_key=True),
    Column("rev", BigInteger, nullable=False),
)


# One row per save: the rev it made, the rev it started from, the layer it changed and the
# findings of the new state. Another process at ``prev_rev`` then re-reads only that layer
# and takes the findings instead of checking the county again (PgStore.load). Anything
# that bumps ``rev`` without a row here (copy-in) breaks the chain: a full reload follows.
# Rows older than a day are dropped by the next save.
changes = Table(
    "changes",
    metadata,
    Column("township", Text, _township_fk(), nullable=False),
    Column("rev", BigInteger, nullable=False),
    Column("prev_rev", BigInteger, nullable=False),
    Column("layer", Text, nullable=False),
    Column("time", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("findings", JSON, nullable=True),
    PrimaryKeyConstraint("township", "rev"),
)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def normalise_url(url: str) -> str:
    """``postgresql://…`` means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def libpq_dsn(url: str) -> str:
    """The URL as libpq takes it (for psycopg's own connections)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """The process's engine for ``url`` (made once; pooled connections)."""
    engine = _ENGINES.get(url)
    if engine is not None:
        return engine
    url = normalise_url(url)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = create_engine(
                url,
                pool_size=4,
                max_overflow=4,
                pool_pre_ping=True,
                json_serializer=_dumps,
                connect_args={"connect_timeout": 10},
            )
            _ENGINES[url] = engine
        return engine


# Called with each URL :func:`dispose` closes (the listener module stops its listener).
_DISPOSE_HOOKS: list[Callable[[str], None]] = []


def on_dispose(hook: Callable[[str], None]) -> None:
    """Call ``hook(url)`` whenever :func:`dispose` closes ``url`` (listeners stop so)."""
    _DISPOSE_HOOKS.append(hook)


def dispose(url: str | None = None) -> None:
    """Close the pooled connections and the listener of ``url`` (of all URLs: None)."""
    with _ENGINES_LOCK:
        urls = [normalise_url(url)] if url else list(_ENGINES)
        engines = [_ENGINES.pop(u) for u in urls if u in _ENGINES]
    for u in urls:
        for hook in _DISPOSE_HOOKS:
            hook(u)
    for engine in engines:
        engine.dispose()


def _forget_after_fork() -> None:
    # A forked child must not use its parent's connections (SQLAlchemy's advice).
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def init_db(engine: Engine) -> None:
    """Create what is missing: the PostGIS extension (if allowed) and the tables.

    Raises
    ------
    StorageError : PostGIS is not installed in the database and this user cannot add it
    """
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _INIT_LOCK})
        has_postgis = conn.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        ).scalar()
        if not has_postgis:
            available = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            ).scalar()
            if not available:
                raise StorageError(
                    "数据库服务器未安装 PostGIS(Debian:apt-get install postgis)。",
                    "PostGIS is not installed on the database server "
                    "(Debian: apt-get install postgis).",
                )
            try:
                with conn.begin_nested():
                    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            except DBAPIError as exc:
                raise StorageError(
                    "当前数据库用户无权启用 PostGIS。请数据库管理员执行:CREATE EXTENSION postgis;",
                    "This database user may not enable PostGIS. Ask the database "
                    f"administrator to run: CREATE EXTENSION postgis; ({exc.__class__.__name__})",
                ) from exc
        metadata.create_all(conn, checkfirst=True)


@contextmanager
def db_errors(url: str) -> Iterator[None]:
    """Database failures as StorageError, with a message for people."""
    try:
        yield
    except AtlasError:
        raise
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None) or ""
        where = display_url(url)
        if state == "55P03":  # lock_not_available
            raise StorageError(
                "同一乡镇的另一项保存正在进行,请稍后再试。",
                "Another save of this township is in progress; try again in a moment.",
            ) from exc
        if state == "42P01":  # undefined_table
            raise StorageError(
                f"数据库 {where} 缺少本程序的数据表(新建的库,或升级后新增的表)。"
                "请运行 python -m township_atlas.storage.postgis init(不会改动已有数据)。",
                f"The database {where} lacks atlas tables (a new database, or tables added "
                "by an upgrade). Run python -m township_atlas.storage.postgis init (it keeps the "
                "data there).",
            ) from exc
        if exc.connection_invalidated or state.startswith("08") or not state:
            raise StorageError(
                f"无法连接 PostGIS 数据库 {where}:{exc.orig}",
                f"Cannot reach the PostGIS database {where}: {exc.orig}",
            ) from exc
        raise
