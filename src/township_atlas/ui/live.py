"""Live data: every open page follows changes to the data within about half a second.

Two ways, the second a safety net for the first:

- **Pushed from the server.** One thread per process watches the data (a stat of the data
  files every ``_TICK`` seconds: cheap) for every store a page is drawn from. When a
  planner saved in another session, or QGIS wrote a file, it asks each session drawn from
  an older version to rerun, on that session's event loop, exactly as Streamlit's own
  "run on save" does. A session in the middle of a run is left alone (a rerun would drop
  the widget change that started it) and asked again on the next tick.
- **Asked by the browser.** A small fragment re-runs on a timer in each session and
  compares the fingerprint with the one the page was drawn from. With the push working
  it runs every ``_SLOW`` × the setting; without it (a Streamlit that no longer has the
  internals the push uses, or AppTest) at the setting.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from township_atlas import settings
from township_atlas.ui.data import current_store

_LOG = logging.getLogger(__name__)
_TICK = 0.1
_SLOW = 5.0


def _seconds() -> float:
    try:
        return max(0.0, float(settings.get("live_refresh_seconds")))
    except ValueError:
        return 1.0


@dataclass
class _Watch:
    store: Any  # anything with .fingerprint() and .key (or .path)
    drawn_from: str


class LiveHub:
    """Per process: which session was drawn from which version of which store."""

    def __init__(self, tick: float = _TICK) -> None:
        self.tick = tick
        self._lock = threading.Lock()
        self._watches: dict[str, _Watch] = {}
        self._thread: threading.Thread | None = None

    def follow(self, session_id: str, store: Any, drawn_from: str) -> None:
        with self._lock:
            self._watches[session_id] = _Watch(store, drawn_from)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="atlas-live", daemon=True)
                self._thread.start()

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._watches.pop(session_id, None)

    def _run(self) -> None:
        while True:
            time.sleep(self.tick)
            try:
                self.check()
            except Exception:  # noqa: BLE001 - never let the watcher die; the fragment still works
                _LOG.exception("live data watcher")

    def check(self) -> list[str]:
        """Ask every session drawn from an older version to rerun; return their ids."""
        with self._lock:
            watches = dict(self._watches)
        now: dict[str, str] = {}
        asked = []
        for sid, watch in watches.items():
            key = _store_key(watch.store)
            if key not in now:
                try:
                    now[key] = watch.store.fingerprint()
                except Exception:  # noqa: BLE001 - unreadable now (any backend): ask again later
                    _LOG.warning("live data: cannot read %s", key, exc_info=True)
                    now[key] = watch.drawn_from
            if now[key] == watch.drawn_from:
                continue
            outcome = _ask_rerun(sid)
            if outcome == "gone":
                self.forget(sid)
            elif outcome == "asked":
                asked.append(sid)
                with self._lock:
                    if self._watches.get(sid) is watch:
                        # The rerun registers the new version; until then, do not ask twice.
                        watch.drawn_from = now[key]
        return asked


def _store_key(store: Any) -> str:
    return str(getattr(store, "key", None) or getattr(store, "path", id(store)))


def _ask_rerun(session_id: str) -> str:
    """'asked', 'busy' (a run is going on: try again later) or 'gone'."""
    from streamlit import runtime

    info = runtime.get_instance()._session_mgr.get_active_session_info(session_id)
    if info is None:
        return "gone"
    session = info.session
    if session._scriptrunner is not None:
        return "busy"
    session._call_soon_on_event_loop(lambda: _rerun_if_idle(session))
    return "asked"


def _rerun_if_idle(session: Any) -> None:
    # On the session's event loop, like a message from its browser: nothing else can
    # start a run between this check and the request.
    if session._scriptrunner is not None:
        return
    from streamlit.proto.ClientState_pb2 import ClientState

    state = ClientState()
    state.CopyFrom(session._client_state)
    state.fragment_id = ""  # the last run may have been the fallback fragment
    state.is_auto_rerun = False
    session.request_rerun(state)


HUB = LiveHub()


def _push_available() -> bool:
    try:
        from streamlit import runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if not runtime.exists() or get_script_run_ctx() is None:
            return False
        rt = runtime.get_instance()
        info = rt._session_mgr.get_active_session_info(get_script_run_ctx().session_id)
        return info is not None and hasattr(info.session, "_client_state")
    except Exception:  # noqa: BLE001 - Streamlit internals moved: poll instead
        return False


def _fallback(period: float):
    @st.fragment(run_every=period)
    def _watch(drawn_from: str) -> None:
        if current_store().fingerprint() != drawn_from:
            st.rerun(scope="app")

    return _watch


_FRAGMENTS: dict[float, Any] = {}


def follow_data_changes(fingerprint: str) -> None:
    """Rerun this page when the data no longer matches ``fingerprint``.

    Off when the setting ``live_refresh_seconds`` is 0.
    """
    seconds = _seconds()
    if seconds <= 0:
        return
    if _push_available():
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        HUB.follow(get_script_run_ctx().session_id, current_store(), fingerprint)
        seconds *= _SLOW
    if seconds not in _FRAGMENTS:
        _FRAGMENTS[seconds] = _fallback(seconds)
    _FRAGMENTS[seconds](fingerprint)
