"""A cache of values derived from one loaded layer object, kept as long as that object lives.

The loaded data is shared by every session and never changed in place (an edit loads a new
version: new frames), so a value derived from a frame (its display copy, an id → geometry
index) is good for as long as the frame lives. After a save every open page asks at once,
so a value is made once, under a lock; its entry goes when its frame does (a weakref
callback), so no old version's geometries are kept alive.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

#: A safety net: entries go with their frames anyway.
MAX_ENTRIES = 64


class PerFrameCache(Generic[V]):
    """``cache.get(frame, extra, make)``: ``make()`` once per (frame object, ``extra``)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, Hashable], tuple[weakref.ref, V]] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def _hit(self, key: tuple[int, Hashable], frame: Any) -> tuple[bool, V | None]:
        hit = self._entries.get(key)
        if hit is not None and hit[0]() is frame:
            return True, hit[1]
        return False, None

    def get(self, frame: Any, extra: Hashable, make: Callable[[], V]) -> V:
        key = (id(frame), extra)
        found, value = self._hit(key, frame)
        if found:
            return value  # type: ignore[return-value]
        with self._lock:
            found, value = self._hit(key, frame)
            if found:
                return value  # type: ignore[return-value]
            made = make()
            if len(self._entries) > MAX_ENTRIES:
                self._entries.clear()
            ref = weakref.ref(frame, lambda _ref, k=key: self._entries.pop(k, None))
            self._entries[key] = (ref, made)
            return made
