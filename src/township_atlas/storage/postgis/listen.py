"""Change notification across processes: one LISTEN connection per process and database.

Every save bumps the township's ``rev`` and sends ``NOTIFY atlas_changes`` with
``{"township": code, "rev": n}`` in the same transaction, so the notification arrives
only if the save committed. A daemon thread per process listens and keeps the newest rev
of each township; a store's fingerprint is then a dictionary look-up, cheap enough for
every page run and the live-refresh watcher. When the listener is not connected
(starting, or the server restarted) the store asks the database instead, and the thread
reconnects with back-off; whatever was cached is dropped, as notifications may have been
missed meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import threading

import psycopg

from township_atlas.storage.postgis.tables import CHANNEL, libpq_dsn, normalise_url, on_dispose

_LOG = logging.getLogger(__name__)
# How long one wait for notifications lasts: also how long stop() may take.
_WAIT = 1.0
# Check the connection is alive after this many quiet waits.
_PING_EVERY = 10
# How the listening connection shows in pg_stat_activity.
APPLICATION_NAME = "atlas-listen"


class ChangeListener:
    """The newest ``rev`` of each township, as notified by the database.

    ``cached`` answers only while connected; ``token`` and ``remember`` let a reader that
    asked the database itself store its answer without racing a notification.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self._lock = threading.Lock()
        self._revs: dict[str, int] = {}
        self._epoch = 0
        self._ready = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.received = 0  # notifications seen (for tests)
        self.connected = threading.Event()

    def start(self) -> ChangeListener:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._run, name="atlas-pg-listen", daemon=True
                )
                self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(_WAIT * 5)

    def cached(self, township: str) -> int | None:
        with self._lock:
            return self._revs.get(township) if self._ready else None

    def token(self) -> int | None:
        """An opaque token to pass to :meth:`remember` (None: not listening now)."""
        with self._lock:
            return self._epoch if self._ready else None

    def remember(self, township: str, rev: int, token: int | None) -> None:
        """Store a rev read from the database, if the listener was up since ``token``."""
        with self._lock:
            if token is not None and self._ready and token == self._epoch:
                self._revs[township] = max(rev, self._revs.get(township, rev))

    def _note(self, payload: str) -> None:
        try:
            doc = json.loads(payload)
            township, rev = str(doc["township"]), int(doc["rev"])
        except (ValueError, KeyError, TypeError):
            _LOG.warning("ignoring notification %r", payload)
            return
        with self._lock:
            self._revs[township] = max(rev, self._revs.get(township, rev))
            self.received += 1

    def _set_ready(self, ready: bool) -> None:
        with self._lock:
            self._epoch += 1
            self._revs.clear()
            self._ready = ready
        (self.connected.set if ready else self.connected.clear)()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    libpq_dsn(self.url),
                    autocommit=True,
                    connect_timeout=10,
                    application_name=APPLICATION_NAME,
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._set_ready(True)
                    backoff = 0.5
                    quiet = 0
                    while not self._stopping.is_set():
                        got = False
                        for note in conn.notifies(timeout=_WAIT):
                            self._note(note.payload)
                            got = True
                        quiet = 0 if got else quiet + 1
                        if quiet >= _PING_EVERY:
                            conn.execute("SELECT 1")
                            quiet = 0
            except psycopg.Error as exc:
                _LOG.warning("change listener on %s: %s; reconnecting", self.url, exc)
            finally:
                self._set_ready(False)
            self._stopping.wait(backoff)
            backoff = min(backoff * 2, 15.0)


_LISTENERS: dict[str, ChangeListener] = {}
_LISTENERS_LOCK = threading.Lock()


def listener_for(url: str) -> ChangeListener:
    """The process's listener for ``url``, started on first use."""
    listener = _LISTENERS.get(url)
    if listener is not None:
        return listener.start()
    url = normalise_url(url)
    with _LISTENERS_LOCK:
        listener = _LISTENERS.get(url)
        if listener is None:
            listener = _LISTENERS[url] = ChangeListener(url)
    return listener.start()


def stop(url: str) -> None:
    with _LISTENERS_LOCK:
        listener = _LISTENERS.pop(normalise_url(url), None)
    if listener is not None:
        listener.stop()


def _forget_after_fork() -> None:
    # Threads do not survive a fork: the child starts its own listeners when it needs them.
    _LISTENERS.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
on_dispose(stop)
