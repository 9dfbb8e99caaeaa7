"""Units written in office tables, and the one place a cell becomes a number.

Header cells carry units ("面积(亩)", "产值（万元）", "面积/公顷", "产值万元"); cells carry
them too ("1,200亩", "3000元"). :func:`header_unit` reads a header's unit,
:func:`conversion` gives the factor from it to the unit a field stores (``Field.unit_zh``),
and :func:`cell_number` reads a number as people type it: thousands separators,
full-width digits and punctuation, a trailing unit, percentages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# unit -> (dimension, size in the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "亩": ("area", 1.0),
    "万亩": ("area", 10_000.0),
    "公顷": ("area", 15.0),
    "ha": ("area", 15.0),
    "hm2": ("area", 15.0),
    "平方米": ("area", 1 / 666.67),
    "m2": ("area", 1 / 666.67),
    "㎡": ("area", 1 / 666.67),
    "平方公里": ("area", 1500.0),
    "平方千米": ("area", 1500.0),
    "km2": ("area", 1500.0),
    "元": ("money", 1.0),
    "千元": ("money", 1_000.0),
    "万元": ("money", 10_000.0),
    "亿元": ("money", 100_000_000.0),
    "户": ("households", 1.0),
    "人": ("people", 1.0),
    "名": ("people", 1.0),
    "万人": ("people", 10_000.0),
    "人次": ("visits", 1.0),
    "个": ("count", 1.0),
    "年": ("year", 1.0),
    "%": ("percent", 1.0),
    "‰": ("percent", 0.1),
}
# Spellings of the same unit.
_SPELLINGS = {"平米": "平方米", "m²": "m2", "km²": "km2", "hm²": "hm2", "百分比": "%"}
# Longest first, so "万元" is found before "元" and "平方公里" before "公里".
_BY_LENGTH = sorted({*UNITS, *_SPELLINGS}, key=len, reverse=True)
_BRACKETED = re.compile(r"[(\[【]\s*(?:单位\s*[:：]\s*)?([^()\[\]【】]*?)\s*[)\]】]\s*$")
_SEPARATED = re.compile(r"^(.+?)\s*[/／_·]\s*(?:单位\s*[:：]\s*)?([^/／_·]+?)\s*$")
# Marks people type for "no value".
MISSING_MARKS = frozenset(
    {"-", "--", "—", "——", "–", "―", "/", "\\", "无", "暂无", "空", "na", "n/a", "none", "null",
     "…", "...", "#n/a", "#value!", "#div/0!", "#ref!"}
)  # fmt: skip
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def canonical_unit(text: str) -> str:
    """A unit as we spell it ("平米" -> "平方米", "m²" -> "m2"); other text as given."""
    unit = unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")
    unit = {"m2": "m2", "km2": "km2", "hm2": "hm2"}.get(unit, unit)
    return _SPELLINGS.get(unit, unit)


def header_unit(name: str) -> tuple[str, str | None]:
    """The name without its unit, and the unit (None if the header names none).

    A bracketed last part is always taken as the unit, known or not ("产值(美元)" ->
    ("产值", "美元")), so an unknown one can be reported; a unit after "/" or "_", or a
    known unit written straight after the name ("产值万元"), is taken when it is one we know.
    """
    text = unicodedata.normalize("NFKC", str(name)).strip()
    match = _BRACKETED.search(text)
    if match and match.start() > 0:
        return text[: match.start()].strip(), canonical_unit(match.group(1)) or None
    match = _SEPARATED.match(text)
    if match and canonical_unit(match.group(2)) in UNITS:
        return match.group(1).strip(), canonical_unit(match.group(2))
    for unit in _BY_LENGTH:
        if unit.isascii():
            continue  # "alpha" does not end in hectares
        if len(text) > len(unit) and text.endswith(unit):
            if canonical_unit(unit) in ("个", "人", "户", "名", "年"):
                continue  # 带动农户, 党员人, 建成年 are names, not units
            return text[: -len(unit)].strip(), canonical_unit(unit)
    return text, None


@dataclass(frozen=True)
class Conversion:
    """How values of one column become values in a field's unit.

    ``factor`` multiplies a value in ``unit``; None when the unit cannot be converted
    (``unit`` unknown or of another kind of quantity than ``target``).
    """

    unit: str | None
    target: str
    factor: float | None

    @property
    def converts(self) -> bool:
        return self.factor is not None and self.factor != 1.0


def conversion(unit: str | None, target: str) -> Conversion:
    """The factor from ``unit`` to ``target`` (a field's ``unit_zh``); 1 when either is
    missing or they are the same; None when they cannot be converted."""
    unit = canonical_unit(unit) if unit else None
    if not unit or not target or unit == target:
        return Conversion(unit, target, 1.0)
    have, want = UNITS.get(unit), UNITS.get(target)
    if have is None or want is None or have[0] != want[0]:
        return Conversion(unit, target, None)
    return Conversion(unit, target, have[1] / want[1])


def convertible_units(target: str) -> list[str]:
    """Units a value for a field stored in ``target`` may be given in, ``target`` first."""
    kind = UNITS.get(target, ("", 0.0))[0]
    others = [u for u, (k, _) in UNITS.items() if k == kind and u != target and not u.isascii()]
    others = [u for u in others if u != "㎡"]
    return [target, *others]


def is_missing(value: Any) -> bool:
    """A blank cell or a mark people type for "no value" ("—", "-", "/", "无", "#N/A")."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().lower()
        return not text or text in MISSING_MARKS
    return False


def cell_text(value: str) -> str:
    """Text of a cell for reading a number: NFKC (full-width digits and punctuation to
    ASCII), no spaces, Chinese and ASCII thousands separators dropped."""
    text = unicodedata.normalize("NFKC", value).strip()
    text = text.replace("\u3000", "").replace(" ", "").replace("'", "")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")
    return text


def cell_number(value: Any) -> tuple[float, str | None] | None:
    """A number typed in a cell and the unit written after it ("1,200亩" -> (1200.0, "亩"),
    "12%" -> (12.0, "%")); None when the cell is not a number.

    Numbers from Excel pass through; text may use thousands separators (only in groups of
    three), full-width digits and a decimal comma-free point.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return (number, None) if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = cell_text(value)
    unit: str | None = None
    for candidate in _BY_LENGTH:
        if len(text) > len(candidate) and text.lower().endswith(candidate.lower()):
            unit, text = canonical_unit(candidate), text[: -len(candidate)]
            break
    if "," in text and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return None
    number = float(text)
    return (number, unit) if math.isfinite(number) else None


def decimals(value: Any) -> int:
    """Decimal places a number was written with ("1,234.50" -> 2; 88.5 -> 1)."""
    text = cell_text(value) if isinstance(value, str) else repr(float(value))
    match = re.search(r"\.(\d+)", text)
    if not match or (set(match.group(1)) == {"0"} and not isinstance(value, str)):
        return 0
    return len(match.group(1))
