"""Mapping source columns to our fields, coded values to our codes, and text to our types.

:func:`suggest_mapping` proposes, for every field of the target layer, a source column:
first by exact field name, then by our Chinese/English label, then by common aliases
(名称, 村名, 类型, 面积, 党员数 …), then by Shapefile-truncated names (``leading_in`` for
``leading_industry_zh``); each column is used once. The planner may change any of it.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from township_atlas.model.schema import (
    BRANCH_KIND_LABELS,
    LAYERS_BY_NAME,
    ORG_LEVEL_LABELS,
    SITE_KIND_LABELS,
    Field,
    LayerSpec,
)
from township_atlas.text.bilingual import pick
from township_atlas.transfer.aliases import (
    FALSE_WORDS,
    FIELD_ALIASES,
    IGNORED_COLUMNS,
    TRUE_WORDS,
    VALUE_ALIASES,
)
from township_atlas.transfer.messages import Note
from township_atlas.transfer.namemap import DBF_NAME_LIMIT
from township_atlas.transfer.raw import RawLayer
from township_atlas.transfer.tables import norm_header

CODE_LABELS = {
    "kind": SITE_KIND_LABELS,
    "level": ORG_LEVEL_LABELS,
    "branch_kind": BRANCH_KIND_LABELS,
}
_UNIT_SUFFIX = re.compile(r"\s*(亩|万元|元|户|人|名|个|年|平方米|公顷|km2|m2)\s*$")


@dataclass
class FieldMapping:
    """Where each field of a layer comes from.

    Attributes
    ----------
    layer : our layer name
    columns : our field -> source column, or None (not in the source)
    constants : our field -> one value for every row (e.g. ``{"kind": "market"}`` for a
        file of markets only); used where ``columns`` gives no column
    value_maps : our field -> {source text: stored value}, for coded values the automatic
        recognition does not know; for link fields (village_code, parent_id, site_id,
        chain_id), the id the planner chose for a name that matched several things or none
    reasons : our field -> why the column was suggested
    """

    layer: str
    columns: dict[str, str | None]
    constants: dict[str, Any] = field(default_factory=dict)
    value_maps: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: dict[str, Note] = field(default_factory=dict)

    def unused_columns(self, raw: RawLayer) -> list[str]:
        """Source columns no field takes (shown so the planner can spot a missed one)."""
        used = set(self.columns.values())
        return [c for c in raw.columns if c not in used]


def _key(text: str) -> str:
    return norm_header(text)


def suggest_mapping(raw: RawLayer, layer: str) -> FieldMapping:
    """Suggest a source column for every field of ``layer`` (see the module docstring)."""
    spec = LAYERS_BY_NAME[layer]
    columns = [c for c in raw.columns if _key(c) not in IGNORED_COLUMNS]
    by_key: dict[str, str] = {}
    for col in columns:
        by_key.setdefault(_key(col), col)
    chosen: dict[str, str | None] = dict.fromkeys(spec.field_names())
    reasons: dict[str, Note] = {}
    taken: set[str] = set()

    def take(fld: Field, col: str | None, reason: str) -> None:
        if col is not None and col not in taken and chosen[fld.name] is None:
            chosen[fld.name] = col
            taken.add(col)
            reasons[fld.name] = Note.of(reason, column=col)

    for fld in spec.fields:  # 1. exact field name (case-insensitive)
        take(
            fld, next((c for c in columns if c.lower() == fld.name.lower()), None), "xfer_map_exact"
        )
    for fld in spec.fields:  # 2. our own labels
        for label in (fld.label_zh, fld.label_en):
            take(fld, by_key.get(_key(label)), "xfer_map_label")
    for fld in spec.fields:  # 3. common aliases
        for alias in FIELD_ALIASES.get(fld.name, ()):
            take(fld, by_key.get(_key(alias)), "xfer_map_alias")
    for fld in spec.fields:  # 4. names cut to 10 characters by the Shapefile format
        if len(fld.name) > DBF_NAME_LIMIT:
            cut = [
                c
                for c in columns
                if len(c) == DBF_NAME_LIMIT and fld.name.lower().startswith(c.lower())
            ]
            if len(cut) == 1:
                take(fld, cut[0], "xfer_map_truncated")
    return FieldMapping(layer, chosen, reasons=reasons)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return value is pd.NA


def _number_text(value: Any, fld: Field) -> Any:
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if fld.unit_zh and text.endswith(fld.unit_zh):
            text = text[: -len(fld.unit_zh)].strip()
        return _UNIT_SUFFIX.sub("", text)
    return value


def coerce(value: Any, fld: Field) -> Any:
    """Convert a source value to ``fld``'s type; raises ValueError saying what was expected.

    Blank text is None. Numbers may carry thousands separators, full-width digits or the
    field's unit ("735亩"); booleans accept true/false, 1/0, 是/否.
    """
    if is_blank(value):
        return None
    if fld.dtype == "str":
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code read as a number from Excel: 101.0 -> "101"
        return str(value).strip() if isinstance(value, str) else str(value)
    if fld.dtype == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS or word == "1.0":
            return True
        if word in FALSE_WORDS or word == "0.0":
            return False
        raise ValueError("bool")
    if isinstance(value, bool):
        raise ValueError(fld.dtype)
    try:
        number = float(_number_text(value, fld))
    except (TypeError, ValueError) as exc:
        raise ValueError(fld.dtype) from exc
    if not math.isfinite(number):
        raise ValueError(fld.dtype)
    if fld.dtype == "int":
        if not number.is_integer():
            raise ValueError("int")
        return int(number)
    return number


@functools.cache
def _codes(field_name: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """Normalised spelling -> code, for codes, then their labels, then common aliases."""
    out: dict[str, str] = {}
    for alias, code in VALUE_ALIASES.get(field_name, {}).items():
        out[_key(alias)] = code
    for code, (zh, en) in CODE_LABELS.get(field_name, {}).items():
        out[_key(zh)] = out[_key(en)] = code
    for code in allowed:
        out[_key(code)] = code
    return out


def code_for(fld: Field, value: str, mapping: FieldMapping) -> str | None:
    """Our code for a coded value written as code, label (zh/en) or common alias."""
    custom = mapping.value_maps.get(fld.name, {})
    if value in custom:
        return custom[value]
    return _codes(fld.name, fld.allowed or ()).get(_key(value))


def allowed_text(fld: Field, lang: str) -> str:
    labels = CODE_LABELS.get(fld.name, {})
    sep = pick(lang, "、", ", ")
    parts = []
    for code in fld.allowed or ():
        zh, en = labels.get(code, (code, code))
        parts.append(pick(lang, f"{code}({zh})", f"{code} ({en})"))
    return sep.join(parts)


def spec_of(layer: str) -> LayerSpec:
    return LAYERS_BY_NAME[layer]
