"""User-facing messages of the transfer package: (zh, en) pairs from ``text.labels.transfer.TEXT``.

Every text a planner reads comes from that one table, so the Chinese and English stay
together and a test can check that every key used here exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from township_atlas.text.bilingual import Messaged
from township_atlas.text.labels.transfer import TEXT


def text(key: str, **params: Any) -> tuple[str, str]:
    """The (zh, en) text for ``key`` with ``str.format`` fields filled from ``params``."""
    zh, en = TEXT[key]
    return zh.format(**params), en.format(**params)


@dataclass(frozen=True)
class Note(Messaged):
    """A plain message for the planner (not an error): why something was chosen or done."""

    key: str
    message_zh: str
    message_en: str

    @classmethod
    def of(cls, key: str, **params: Any) -> Note:
        return cls(key, *text(key, **params))
