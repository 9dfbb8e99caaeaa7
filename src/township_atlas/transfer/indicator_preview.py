"""What the indicator import preview shows of an :class:`~.indicator_tables.IndicatorPlan`,
as a table with stable column keys: each figure with what it replaces (before → after)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import is_blank

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle
    from township_atlas.transfer.indicator_tables import IndicatorPlan

# Column key of the figures table -> label key of its header (labels.headers).
FIGURE_HEADERS = {
    "place": "xfer_ind_col_place",
    "year": "xfer_ind_col_year",
    "indicator": "xfer_ind_col_indicator",
    "value": "xfer_ind_col_value",
    "target": "xfer_ind_col_target",
    "status": "xfer_ind_col_status",
    "row": "xfer_ind_col_row",
}


def _number(value: float | None) -> str:
    if value is None or is_blank(value):
        return "—"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def _change(before: float | None, after: float | None, existed: bool) -> str:
    if not existed or _number(before) == _number(after):
        return _number(after)
    return f"{_number(before)} → {_number(after)}"


def figures_table(
    plan: IndicatorPlan, bundle: Bundle, lang: str, *, changed_only: bool = True, limit: int = 2000
) -> pd.DataFrame:
    """The plan's figures (only those accepting changes, by default), one a row.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FIGURE_HEADERS`' keys: ``place`` (village or township name),
        ``year``, ``indicator`` (its label in ``lang``), ``value`` and ``target`` ("12.3",
        or "10.5 → 12.3" for a replaced figure), ``status`` (new / replaced / unchanged, as
        text) and ``row`` (sheet and row it was read from).
    """
    labels = _labels(plan, bundle, lang)
    township = bundle.township_props
    rows = plan.changes if changed_only else list(plan.rows)
    out = []
    for r in rows[:limit]:
        if r.place_code == township.get("code"):
            place = str(township.get(pick(lang, "name_zh", "name_en")) or r.place_code)
        else:
            place = bundle.village_name(r.place_code, lang)
        out.append(
            {
                "place": place,
                "year": r.year,
                "indicator": labels.get(r.indicator, r.indicator),
                "value": _change(r.before_value, r.value, r.existed),
                "target": _change(r.before_target, r.target, r.existed),
                "status": tr(f"xfer_ind_status_{r.status}", lang),
                "row": f"{r.sheet} · {r.row}",
            }
        )
    return pd.DataFrame(out, columns=list(FIGURE_HEADERS))


def _labels(plan: IndicatorPlan, bundle: Bundle, lang: str) -> dict[str, str]:
    out = {}
    for r in bundle.indicator_catalogue.to_dict("records"):
        zh, en = str(r.get("label_zh") or r["key"]), r.get("label_en")
        out[str(r["key"])] = pick(lang, zh, str(en) if isinstance(en, str) and en else zh)
    for new in plan.new_indicators:
        out[new.key] = pick(lang, new.label_zh, new.label_en or new.label_zh)
    return out
