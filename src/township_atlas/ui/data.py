"""Cached access to the store for pages: the folder is loaded once per process and per
version of its files, and shared by every session."""

from __future__ import annotations

import streamlit as st

from township_atlas import settings
from township_atlas.bundle import LoadResult
from township_atlas.store import Store

# The last load per folder with every file readable, shared by all sessions of the process:
# a half-written file is then served from it instead of as an empty layer.
_last_good: dict[str, LoadResult] = {}


@st.cache_resource(max_entries=4, show_spinner=False)
def _load(path: str, fingerprint: str) -> LoadResult:
    # The fingerprint is part of the cache key: a changed file gives a fresh load.
    result = Store(path).load(fallback=_last_good.get(path))
    if not any(f.check in ("file_unreadable", "file_stale") for f in result.findings):
        _last_good[path] = result
    return result


def current_store() -> Store:
    return Store(settings.data_dir())


def load_current() -> LoadResult:
    """The current data, reloaded only when a file in the folder changed."""
    store = current_store()
    return _load(str(store.path), store.fingerprint())
