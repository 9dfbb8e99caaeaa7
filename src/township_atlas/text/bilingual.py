"""One bilingual helper: the Chinese or English one of a pair, and mixins for records.

``pick`` is the one place the app branches on ``lang``; ``bilingual`` and the mixins read the
``<field>_zh`` / ``<field>_en`` pair of a record.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def pick(lang: str, zh: T, en: T, *, fallback: bool = False) -> T:
    """The Chinese or English one of a pair: the one place the app branches on ``lang``.

    Parameters
    ----------
    lang : str
        ``"zh"`` for Chinese; anything else is English.
    zh, en : T
        The Chinese and the English value.
    fallback : bool
        When true, an empty English value (``""``, ``None``, an empty tuple) gives the
        Chinese one instead, for data whose English is optional.

    Returns
    -------
    T
        ``zh`` or ``en``.
    """
    if lang == "zh" or (fallback and _empty(en)):
        return zh
    return en


def _empty(value: object) -> bool:
    """None, empty text or an empty tuple, NaN or pandas' NA (a missing English value in a
    data frame), without importing pandas here."""
    if value is None:
        return True
    if isinstance(value, str | tuple | list):
        return not value
    try:
        return bool(value != value)  # NaN is the only value unequal to itself
    except TypeError:  # pandas' NA cannot be a bool: it is missing too
        return True


def bilingual(obj: object, field: str, lang: str) -> str:
    """``obj.<field>_zh`` or ``obj.<field>_en`` for ``lang``, Chinese when English is empty.

    Parameters
    ----------
    obj : object
        Anything with ``<field>_zh`` and ``<field>_en`` attributes (a dataclass record).
    field : str
        The attribute's stem, e.g. ``"name"`` or ``"title"``.
    lang : str
        ``"zh"`` or ``"en"``.
    """
    return pick(lang, getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en"), fallback=True)


class Named:
    """Mixin for records with ``name_zh`` / ``name_en``: ``.name(lang)``."""

    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        """The name in ``lang``; the Chinese name when there is no English one."""
        return pick(lang, self.name_zh, self.name_en, fallback=True)


class Labelled:
    """Mixin for records with ``label_zh`` / ``label_en``: ``.label(lang)``."""

    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        """The label in ``lang``; the Chinese label when there is no English one."""
        return pick(lang, self.label_zh, self.label_en, fallback=True)


class Messaged:
    """Mixin for findings with ``message_zh`` / ``message_en``: ``.message(lang)``."""

    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang``; the Chinese message when there is no English one."""
        return pick(lang, self.message_zh, self.message_en, fallback=True)
