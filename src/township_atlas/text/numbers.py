"""Numbers for people: 万元, 亩, %, thousands separators, in Chinese and English.

Chinese readers count money in 万 (10 000) and 亿 (100 000 000) and land in 亩; English
readers get yuan with k/m suffixes and "mu". Every function returns display text and
never raises on a missing value: ``None`` and NaN become an em dash.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from township_atlas.text.bilingual import pick

MISSING = "—"
# Longest texts shown, in characters, whatever the data holds (a name may be ten million
# characters): a label on a map or picture, a tooltip or list entry, a panel or table text.
# Longer texts end with ELLIPSIS; the full text stays in the data and the edit form.
ELLIPSIS = "…"
LABEL_CHARS = 30
TOOLTIP_CHARS = 80
PANEL_CHARS = 300
# Units of a yes/no indicator (1 = yes, 0 = no), as the catalogue writes them.
BOOLEAN_UNITS: frozenset[str] = frozenset({"是=1", "yes=1"})


def is_blank(value: Any) -> bool:
    """True for None, NaN, pandas' NA and empty text: a cell with nothing in it."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN is the only value unequal to itself
    except TypeError:
        return False


def text(value: Any) -> str:
    """A cell as display text: nothing (None, NaN, NA, blank) becomes ""."""
    return "" if is_blank(value) else str(value)


def shorten(value: Any, limit: int = TOOLTIP_CHARS) -> str:
    """``value`` as display text (see :func:`text`) of at most ``limit`` characters: a
    longer text is cut and ends with "…".

    Examples
    --------
    >>> shorten("甲村", 30), shorten("abcdefgh", 5)
    ('甲村', 'abcd…')
    """
    s = text(value)
    if len(s) <= limit:
        return s
    return s[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def is_missing(value: Any) -> bool:
    """True for a number that is not there: None, NaN, pandas' NA (and anything not a number)."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return True


def number(value: Any, digits: int | None = None) -> str:
    """A number with thousands separators.

    Parameters
    ----------
    value : the number (None/NaN gives "—")
    digits : decimals to show; by default whole numbers show none and others one

    Examples
    --------
    >>> number(12345.0), number(26.94), number(3.25, 2)
    ('12,345', '26.9', '3.25')
    """
    if is_missing(value):
        return MISSING
    x = float(value)
    if digits is None:
        digits = 0 if round(x, 1).is_integer() else 1
    text = f"{x:,.{digits}f}"
    return "0" if text in ("-0", "-0.0") else text


def wan_yuan(value_wan: Any, lang: str = "zh") -> str:
    """Money given in 万元 (10 000 yuan).

    Chinese: "26.9 万元", and "1.25 亿元" from 10 000 万元 up. English: yuan with a
    k or m suffix ("269k yuan", "1.3m yuan").
    """
    if is_missing(value_wan):
        return MISSING
    wan = float(value_wan)
    return pick(lang, _money_zh(wan), _money_en(wan))


def _money_zh(wan: float) -> str:
    if abs(wan) >= 10_000:
        return f"{number(wan / 10_000, 2)} 亿元"
    return f"{number(wan)} 万元"


def _money_en(wan: float) -> str:
    yuan = wan * 10_000
    if abs(yuan) >= 1_000_000:
        return f"{number(yuan / 1_000_000, 1)}m yuan"
    if abs(yuan) >= 1_000:
        return f"{number(yuan / 1_000)}k yuan"
    return f"{number(yuan, 0)} yuan"


def mu(value: Any, lang: str = "zh") -> str:
    """Land area in 亩 (1 亩 = 666.67 m²), whole mu: "1,313 亩" / "1,313 mu"."""
    if is_missing(value):
        return MISSING
    return f"{number(value, 0)} {pick(lang, '亩', 'mu')}"


def percent(fraction: Any, digits: int = 0) -> str:
    """A fraction as a percentage: 0.857 → "86%"."""
    if is_missing(fraction):
        return MISSING
    return f"{number(float(fraction) * 100, digits)}%"


def value_with_unit(value: Any, unit_zh: str | None, unit_en: str | None, lang: str = "zh") -> str:
    """An indicator value with its catalogue unit, formatted for the reader.

    万元 and 亩 use :func:`wan_yuan` and :func:`mu`; a yes/no indicator (unit "是=1")
    reads 是/否 (yes/no); any other unit is appended after the number ("19,200 元").
    """
    if is_missing(value):
        return MISSING
    unit_zh = "" if is_blank(unit_zh) else str(unit_zh)
    unit_en = "" if is_blank(unit_en) else str(unit_en)
    if unit_zh == "万元":
        return wan_yuan(value, lang)
    if unit_zh == "亩":
        return mu(value, lang)
    if unit_zh in BOOLEAN_UNITS and float(value) in (0.0, 1.0):
        yes = float(value) == 1.0
        return pick(lang, "是" if yes else "否", "yes" if yes else "no")
    unit = pick(lang, unit_zh, unit_en)
    if unit in BOOLEAN_UNITS:
        unit = ""
    return f"{number(value)} {unit}".strip()


def signed_change(delta: Any, unit_zh: str | None, unit_en: str | None, lang: str = "zh") -> str:
    """A change from one year to the next, always signed: "+3.4 万元", "−12 亩"."""
    if is_missing(delta):
        return MISSING
    x = float(delta)
    body = value_with_unit(abs(x), unit_zh, unit_en, lang)
    if unit_zh in BOOLEAN_UNITS:
        body = number(abs(x))
    if x > 0:
        return "+" + body
    if x < 0:
        return "-" + body
    return "±0"


def unit_label(unit_zh: str | None, unit_en: str | None, lang: str = "zh") -> str:
    """The unit for a column header: "万元" / "10k yuan"; yes/no units read "是=1"."""
    unit = pick(lang, unit_zh, unit_en)
    return "" if is_blank(unit) else str(unit)


def with_unit_header(label: str, unit: str) -> str:
    """A column header with its unit in brackets: "村集体经济收入(万元)"."""
    return f"{label}({unit})" if unit else label
