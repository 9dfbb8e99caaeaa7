"""The store interface every storage backend offers, and the setting that picks one.

Two backends keep a township's data: a folder of files (:class:`~township_atlas.store.Store`,
the default) and a PostGIS database holding many townships of a county
(:class:`~township_atlas.pg.store.PgStore`, optional: it needs the ``postgis`` extra).
Pages and the editing UI use only what :class:`DataStore` names, so they work on either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from township_atlas import settings
from township_atlas.errors import AtlasError, SettingError

if TYPE_CHECKING:
    from collections.abc import Callable

    from township_atlas.bundle import LoadResult
    from township_atlas.edits import ChangeSet, SaveResult
    from township_atlas.history import Entry

STORAGES: tuple[str, ...] = ("files", "postgis")


class StorageError(AtlasError):
    """The storage cannot be used now (the database is unreachable or not set up)."""


@dataclass(frozen=True)
class TownshipRef:
    """A township a backend holds: its code and its (Chinese) name."""

    code: str
    name: str


@runtime_checkable
class DataStore(Protocol):
    """One township's data: load and check it, notice changes, save changes with history.

    Record ids, :class:`~township_atlas.edits.ChangeSet` versions, conflicts and history
    entries mean the same on every backend (see :mod:`township_atlas.edits`).
    """

    @property
    def label(self) -> str:
        """Where the data is, for people (a folder path; a township in a database)."""
        ...

    @property
    def key(self) -> str:
        """A stable string naming this store, for caches."""
        ...

    def load(self, *, strict: bool = False, fallback: LoadResult | None = None) -> LoadResult:
        """Every layer and document as a checked Bundle, with the data's fingerprint."""
        ...

    def fingerprint(self) -> str:
        """A cheap token that changes whenever the data changes (call it on every run)."""
        ...

    def save(
        self, change: ChangeSet, *, loader: Callable[[], LoadResult] | None = None
    ) -> SaveResult:
        """Apply ``change`` whole or refuse it (ConflictError, CheckFailedError)."""
        ...

    def read_records(self, layer: str) -> dict[str, dict[str, Any]]:
        """Every record of ``layer`` as stored, keyed by id."""
        ...

    def undo_change(self, seq: int, user: str = "") -> ChangeSet:
        """The change that reverses change ``seq`` (to be saved)."""
        ...

    def restore_change(self, layer: str, seq: int, user: str = "") -> ChangeSet:
        """The change that brings ``layer`` back to how it was after change ``seq``."""
        ...

    def layer_at(self, layer: str, seq: int) -> dict[str, dict[str, Any]]:
        """The layer's records as they were right after change ``seq`` (0: before any)."""
        ...

    def entries(self, layer: str | None = None) -> list[Entry]:
        """The change history, oldest first (optionally of one layer)."""
        ...

    def entry(self, seq: int) -> Entry | None:
        """One change of the history, or None."""
        ...

    def list_townships(self) -> list[TownshipRef]:
        """The townships this backend holds (a folder holds one)."""
        ...


def storage() -> str:
    """The ``storage`` setting: ``files`` or ``postgis``."""
    value = settings.get("storage").strip().lower() or "files"
    if value not in STORAGES:
        env = settings.ENV_PREFIX + "STORAGE"
        raise SettingError(
            f"{env} 只能是 files 或 postgis,现为“{value}”。",
            f"{env} must be files or postgis, not '{value}'.",
        )
    return value


def open_store(
    *,
    storage_name: str | None = None,
    database_url: str | None = None,
    township: str | None = None,
) -> DataStore:
    """The store the settings name (arguments override them).

    With ``storage=postgis`` and no township set, the first township of the database (by
    code) is opened. Importing the PostGIS backend happens only here, so the app runs
    without its packages when it stores files.

    Raises
    ------
    SettingError : a setting has an unusable value, or the PostGIS packages are missing
    StorageError : the database cannot be reached or holds no township
    """
    kind = storage_name or storage()
    if kind == "files":
        from township_atlas.store import Store

        return Store(settings.data_dir())
    url = (database_url or settings.get("database_url")).strip()
    if not url:
        raise SettingError(
            "使用 PostGIS 存储时须设置 TOWNSHIP_ATLAS_DATABASE_URL,"
            "如 postgresql+psycopg://atlas@127.0.0.1:5432/atlas。",
            "With PostGIS storage, set TOWNSHIP_ATLAS_DATABASE_URL, e.g. "
            "postgresql+psycopg://atlas@127.0.0.1:5432/atlas.",
        )
    pg_store = _pg_module()
    code = (township if township is not None else settings.get("township")).strip()
    if not code:
        townships = pg_store.list_townships(url)
        if not townships:
            raise StorageError(
                "数据库中还没有乡镇数据。请先用 python -m township_atlas.pgstore copy-in 导入。",
                "The database holds no township yet. Copy one in first with "
                "python -m township_atlas.pgstore copy-in.",
            )
        code = townships[0].code
    return pg_store.PgStore(url, code)


def list_townships(
    *, storage_name: str | None = None, database_url: str | None = None
) -> list[TownshipRef]:
    """The townships the configured backend holds (for a county → township switcher)."""
    if (storage_name or storage()) == "files":
        return open_store(storage_name="files").list_townships()
    pg_store = _pg_module()
    return pg_store.list_townships((database_url or settings.get("database_url")).strip())


def _pg_module():
    try:
        from township_atlas.pg import store as pg_store
    except ImportError as exc:
        raise SettingError(
            '使用 PostGIS 存储需要安装附加组件:pip install -e ".[postgis]"。',
            'PostGIS storage needs its extra packages: pip install -e ".[postgis]".',
        ) from exc
    return pg_store
