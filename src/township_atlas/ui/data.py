"""Cached access to the store for pages: each township's data is loaded once per process
and per version of its data, and shared by every session.

The store is the one the settings name (a data folder, or a township of a PostGIS
database); with a database holding several townships, the session's choice (the
``township`` query parameter, so a link keeps it) picks one.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from township_atlas import settings
from township_atlas.model.bundle import LoadResult
from township_atlas.storage import opening
from township_atlas.storage.datastore import DataStore, TownshipRef

TOWNSHIP_PARAM = "township"

# The last load per store with every part readable, shared by all sessions of the process:
# a half-written file is then served from it instead of as an empty layer.
_last_good: dict[str, LoadResult] = {}


@st.cache_resource(max_entries=16, show_spinner=False)
def _load(key: str, fingerprint: str, _store: Any) -> LoadResult:
    # The fingerprint is part of the cache key: changed data gives a fresh load.
    result = _store.load(fallback=_last_good.get(key))
    if result.all_parts_read:
        _last_good[key] = result
    return result


@st.cache_data(ttl=10, show_spinner=False)
def _townships(storage: str, where: str) -> list[TownshipRef]:
    if storage == "files":
        return opening.list_townships(storage_name="files")
    return opening.list_townships(storage_name=storage, database_url=where)


def townships() -> list[TownshipRef]:
    """The townships the storage holds (a data folder holds one); asked again every 10 s."""
    storage = opening.storage()
    where = str(settings.data_dir()) if storage == "files" else settings.get("database_url")
    return _townships(storage, where)


def chosen_township() -> str | None:
    """The township this session looks at (None: the storage's default): from the link
    (``?township=``), else the session's last choice."""
    if opening.storage() == "files":
        return None
    code = st.query_params.get(TOWNSHIP_PARAM) or st.session_state.get(TOWNSHIP_PARAM)
    if code and st.query_params.get(TOWNSHIP_PARAM) != code:
        st.query_params[TOWNSHIP_PARAM] = code  # a page change dropped it: keep links whole
    return code or None


def choose_township(code: str) -> None:
    st.session_state[TOWNSHIP_PARAM] = code
    st.query_params[TOWNSHIP_PARAM] = code


def current_store() -> DataStore:
    """The store of the township this session looks at."""
    code = chosen_township()
    if code is not None and code not in {t.code for t in townships()}:
        code = None  # an old link to a township that is gone: the default one
    return opening.open_store(township=code)


def load_current() -> LoadResult:
    """The current data, reloaded only when it changed."""
    store = current_store()
    return _load(store.key, store.fingerprint(), store)
