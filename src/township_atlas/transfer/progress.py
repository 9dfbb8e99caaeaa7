"""Progress reporting: ``callback(fraction, message)`` with the message in the caller's language.

Long steps take ``progress`` (a callable or None) and ``lang``; a :class:`Reporter` maps
their own 0..1 onto a slice of the caller's bar, so nested steps share one bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from township_atlas.text.bilingual import pick
from township_atlas.transfer.messages import text

ProgressCallback = Callable[[float, str], None]


class Reporter:
    """Calls ``callback`` with fractions mapped into [start, end] and translated messages."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        lang: str = "zh",
        start: float = 0.0,
        end: float = 1.0,
    ) -> None:
        self.callback = callback
        self.lang = lang
        self.start = start
        self.end = end

    def __call__(self, fraction: float, key: str, **params: Any) -> None:
        if self.callback is None:
            return
        zh, en = text(key, **params)
        value = self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)
        self.callback(round(value, 4), pick(self.lang, zh, en))

    def part(self, start: float, end: float) -> Reporter:
        """A reporter for a sub-step covering [start, end] of this one."""
        span = self.end - self.start
        return Reporter(
            self.callback, self.lang, self.start + span * start, self.start + span * end
        )

    def raw(self) -> ProgressCallback | None:
        """A plain ``(fraction, message)`` callback onto this reporter's slice."""
        if self.callback is None:
            return None

        def report(fraction: float, message: str) -> None:
            self(fraction, "xfer_progress_item", item=message)

        return report
