"""The charts' palette, and Apache ECharts option objects for the dashboard's charts.

Streamlit-free: each function returns a JSON-ready dict for ``st.echarts_chart``. Text
from the data (village names, units) only ever goes where ECharts draws plain text
(axis labels, legend, titles, series names); no ``formatter`` template carries data,
because ECharts tooltip templates are HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from township_atlas.maps.style import PARTY_RED, RAG
from township_atlas.maps.style import RAG_MARKS as RAG_MARKS  # shared with the map panel
from township_atlas.text.numbers import is_missing

# Party red and the status colours are the map's (maps/style.py), so map and charts agree.
# Okabe–Ito, the colour-blind-safe categorical palette (yellow and black last: they read
# worst on a white projector screen).
CATEGORICAL: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
RAG_COLOURS: dict[str, str] = {k: RAG[k] for k in ("green", "amber", "red")}
# Light tints of the status colours, for table cells (dark text stays readable on them).
RAG_TINTS: dict[str, str] = {"green": "#E3F1E4", "amber": "#FFF4D6", "red": "#FBE3E3"}
TARGET_GREY = "#6E6E6E"
NO_STATUS_GREY = RAG["none"]
FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


def _num(value: Any) -> float | None:
    """A JSON-ready number: NaN/NA/None become null."""
    return None if is_missing(value) else float(value)


def _base(*, legend: bool = True, top: int = 36) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "color": [PARTY_RED, *CATEGORICAL],
        "textStyle": {"fontFamily": FONT},
        "tooltip": {"trigger": "axis", "valueFormatter": "localized"},
        "grid": {"left": 8, "right": 16, "top": top, "bottom": 8, "containLabel": True},
    }
    if legend:
        spec["legend"] = {"top": 0, "left": 0, "type": "scroll"}
    return spec


def trend(
    years: Sequence[int],
    values: Sequence[Any],
    targets: Sequence[Any],
    *,
    value_name: str,
    target_name: str,
    unit: str = "",
    title: str | None = None,
    compact: bool = False,
) -> dict[str, Any]:
    """A line of recorded values with the target as a dashed grey line.

    Years are category labels (strings), so a plan year with only a target still gets
    its place on the axis. ``compact`` is for small multiples: no legend, a title.
    """
    spec = _base(legend=not compact, top=30 if compact or title else 36)
    if title:
        spec["title"] = {"text": title, "left": 0, "top": 0, "textStyle": {"fontSize": 13}}
        if not compact:
            spec["legend"]["left"] = "right"
    spec["xAxis"] = {"type": "category", "data": [str(y) for y in years], "boundaryGap": False}
    spec["yAxis"] = {
        "type": "value",
        # A titled chart carries the unit in its title; the axis name would collide with it.
        "name": "" if compact or title else unit,
        "nameTextStyle": {"align": "left"},
        "scale": True,
        "splitLine": {"lineStyle": {"type": "dashed", "opacity": 0.5}},
    }
    spec["series"] = [
        {
            "name": value_name,
            "type": "line",
            "data": [_num(v) for v in values],
            "connectNulls": False,
            "symbolSize": 6,
            "lineStyle": {"width": 2.5, "color": PARTY_RED},
            "itemStyle": {"color": PARTY_RED},
        },
        {
            "name": target_name,
            "type": "line",
            "data": [_num(v) for v in targets],
            "connectNulls": True,
            "symbol": "emptyCircle",
            "symbolSize": 5,
            "lineStyle": {"type": "dashed", "width": 1.5, "color": TARGET_GREY},
            "itemStyle": {"color": TARGET_GREY},
        },
    ]
    return spec


def ranking(
    names: Sequence[str],
    values: Sequence[Any],
    statuses: Sequence[str | None],
    targets: Sequence[Any],
    *,
    value_name: str,
    target_name: str,
    unit: str = "",
) -> dict[str, Any]:
    """Horizontal bars, best at the top, coloured by status; targets as grey ticks."""
    spec = _base()
    spec["tooltip"]["axisPointer"] = {"type": "shadow"}
    spec["yAxis"] = {"type": "category", "data": list(names), "inverse": True}
    spec["xAxis"] = {
        "type": "value",
        "name": unit,
        "splitLine": {"lineStyle": {"type": "dashed", "opacity": 0.5}},
    }
    spec["series"] = [
        {
            "name": value_name,
            "type": "bar",
            "barMaxWidth": 26,
            "data": [
                {
                    "value": _num(v),
                    "itemStyle": {"color": RAG_COLOURS.get(s or "", NO_STATUS_GREY)},
                }
                for v, s in zip(values, statuses, strict=True)
            ],
            "label": {"show": True, "position": "right", "fontSize": 11},
        },
        {
            "name": target_name,
            "type": "scatter",
            "symbol": "rect",
            "symbolSize": [3, 22],
            "itemStyle": {"color": TARGET_GREY},
            "data": [_num(t) for t in targets],
        },
    ]
    return spec


def stacked_bars(
    categories: Sequence[str],
    stacks: Sequence[tuple[str, Sequence[Any]]],
    *,
    unit: str = "",
    colours: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Stacked vertical bars: one stack per category, one band per (name, values) pair."""
    spec = _base()
    spec["legend"].update(left="right")  # the unit sits at the top left, above the axis
    if colours:
        spec["color"] = list(colours)
    spec["tooltip"]["axisPointer"] = {"type": "shadow"}
    spec["xAxis"] = {"type": "category", "data": list(categories)}
    spec["yAxis"] = {
        "type": "value",
        "name": unit,
        "nameTextStyle": {"align": "left"},
        "splitLine": {"lineStyle": {"type": "dashed", "opacity": 0.5}},
    }
    spec["series"] = [
        {
            "name": name,
            "type": "bar",
            "stack": "total",
            "barMaxWidth": 48,
            "data": [_num(v) for v in vals],
        }
        for name, vals in stacks
    ]
    return spec


def gauge_bar(shares: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Horizontal 0–100 % bars, one per (label, share as a fraction)."""
    spec = _base(legend=False, top=8)
    spec["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    spec["yAxis"] = {"type": "category", "data": [label for label, _ in shares], "inverse": True}
    spec["xAxis"] = {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}}
    spec["series"] = [
        {
            "type": "bar",
            "barMaxWidth": 22,
            "data": [None if is_missing(s) else round(float(s) * 100, 1) for _, s in shares],
            "itemStyle": {"color": PARTY_RED},
            "label": {"show": True, "position": "right", "formatter": "{c}%"},
            "showBackground": True,
        }
    ]
    return spec
