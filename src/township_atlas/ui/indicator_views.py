"""Indicator widgets shared by the village and indicator pages: cards, trend charts and
the red/amber/green table."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import (
    BOOLEAN_UNITS,
    is_missing,
    number,
    signed_change,
    unit_label,
    value_with_unit,
    with_unit_header,
)
from township_atlas.ui.text import md_escape
from township_atlas.views import charts
from township_atlas.views.indicator_tables import status_text
from township_atlas.views.indicators import Indicator, series, township_series, years

# Streamlit's markdown colour names for the status marks.
_MD_COLOUR = {"green": "green", "amber": "orange", "red": "red"}


def status_legend(lang: str) -> None:
    st.caption(tr("rag_legend", lang))


def indicator_card(ind: Indicator, row: dict[str, Any] | None, lang: str) -> None:
    """One metric card: value, change from the previous year, status mark; target in help."""
    row = row or {}
    value, target, change = row.get("value"), row.get("target"), row.get("change")
    status = row.get("status")
    label = md_escape(ind.label(lang))
    if status in _MD_COLOUR:
        label += f" :{_MD_COLOUR[status]}[{charts.RAG_MARKS[status]}]"
    help_lines = [
        f"{tr('target', lang)}: {value_with_unit(target, ind.unit_zh, ind.unit_en, lang)}",
        status_text(status, lang),
    ]
    if not ind.higher_is_better:
        help_lines.append(tr("lower_is_better", lang))
    # The report is in Chinese: its wording is cited only on the Chinese page.
    if source := pick(lang, ind.source_zh, ""):
        help_lines.append(f"{tr('report_basis', lang)}: {source}")
    if is_missing(change):
        delta: Any = None
    elif float(change) == 0:
        delta = 0
    else:
        delta = signed_change(change, ind.unit_zh, ind.unit_en, lang)
    st.metric(
        label,
        value_with_unit(value, ind.unit_zh, ind.unit_en, lang),
        delta=delta,
        delta_color="normal" if ind.higher_is_better else "inverse",
        delta_description=tr("vs_previous_year", lang) if delta is not None else None,
        help="  \n".join(md_escape(line) for line in help_lines),
        border=True,
        width=210,
    )


def trend_chart(
    bundle: Bundle,
    place: str | None,
    ind: Indicator,
    lang: str,
    *,
    title: str | None = None,
    compact: bool = False,
    height: int = 260,
    width: int | str = "stretch",
    key: str | None = None,
) -> None:
    """Values and targets of one indicator over every year in the data.

    ``place`` is a village code, or None for the township total.
    """
    all_years = years(bundle)
    unit = ind.unit(lang) if ind.unit_zh not in BOOLEAN_UNITS else ""
    if title and unit:
        title = with_unit_header(title, unit)
    data = township_series(bundle, ind.key) if place is None else series(bundle, place, ind.key)
    by_year = data.set_index("year")
    spec = charts.trend(
        all_years,
        [by_year["value"].get(y) for y in all_years],
        [by_year["target"].get(y) for y in all_years],
        value_name=tr("actual", lang),
        target_name=tr("target", lang),
        unit=unit,
        title=title,
        compact=compact,
    )
    st.echarts_chart(spec, height=height, width=width, key=key, alt=title or ind.label(lang))


def status_table(
    bundle: Bundle,
    values: pd.DataFrame,
    statuses: pd.DataFrame,
    cat: dict[str, Indicator],
    lang: str,
    *,
    as_ranks: bool = False,
) -> Styler:
    """Villages × indicators, headers "指标(单位)", cells tinted and marked by status.

    ``values`` and ``statuses`` are indexed by village code with indicator keys as
    columns; ``as_ranks`` shows integers (1 = best) instead of values.
    """
    headers = {
        key: with_unit_header(
            cat[key].label(lang),
            "" if as_ranks else unit_label(cat[key].unit_zh, cat[key].unit_en, lang),
        )
        for key in values.columns
    }
    village_col = tr("village", lang)
    frame = values.rename(columns=headers)
    frame.insert(0, village_col, [bundle.village_name(c, lang) for c in values.index])
    frame = frame.reset_index(drop=True)
    marks = statuses.rename(columns=headers).reset_index(drop=True)

    def tint(column: pd.Series) -> list[str]:
        if column.name not in marks:
            return [""] * len(column)
        return [
            f"background-color: {charts.RAG_TINTS[s]}" if s in charts.RAG_TINTS else ""
            for s in marks[column.name]
        ]

    styler = frame.style.apply(tint, axis=0)
    # The numbers stay numbers (the table sorts by them); only their display text gets the
    # status mark, so colour is never the only signal. One format per column and status.
    for column in frame.columns[1:]:
        column_marks = marks[column] if column in marks else pd.Series(None, index=frame.index)
        for mark in [*column_marks.dropna().unique().tolist(), None]:
            rows = column_marks.isna() if mark is None else column_marks == mark
            if rows.any():
                styler = styler.format(
                    lambda v, m=mark: _cell_text(v, m, as_ranks),
                    subset=pd.IndexSlice[frame.index[rows.to_numpy()], [column]],
                )
    return styler


def _cell_text(value: Any, status: str | None, as_ranks: bool) -> str:
    if is_missing(value):
        return "—"
    text = str(int(value)) if as_ranks else number(value)
    return f"{text} {charts.RAG_MARKS[status]}" if status in charts.RAG_MARKS else text
