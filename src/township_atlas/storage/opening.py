"""Opening the store the settings name: ``storage`` (files or postgis), and for PostGIS the
database URL and the township.
"""

from __future__ import annotations

from township_atlas import settings
from township_atlas.errors import SettingError
from township_atlas.storage.datastore import DataStore, StorageError, TownshipRef

STORAGES: tuple[str, ...] = ("files", "postgis")
# Data folders whose history this process has settled (see open_store).
_SETTLED: set[str] = set()


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
        from township_atlas.storage.files.store import Store

        store = Store(settings.data_dir())
        # A save killed mid-way is settled at start-up, not only by the next save: the
        # history the pages show matches the files from the first run. Once per folder and
        # process (a page run opens the store every time); again if a save was running.
        if store.key not in _SETTLED and store.settle_history() is not None:
            _SETTLED.add(store.key)
        return store
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
                "数据库中还没有乡镇数据。请先用 python -m township_atlas.storage.postgis copy-in 导入。",
                "The database holds no township yet. Copy one in first with "
                "python -m township_atlas.storage.postgis copy-in.",
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
        from township_atlas.storage.postgis import store as pg_store
    except ImportError as exc:
        raise SettingError(
            '使用 PostGIS 存储需要安装附加组件:pip install -e ".[postgis]"。',
            'PostGIS storage needs its extra packages: pip install -e ".[postgis]".',
        ) from exc
    return pg_store
