"""The key figures of a selection's details panel as a table with stable column keys."""

from __future__ import annotations

from typing import Any

import pandas as pd

from township_atlas.maps.style import RAG_MARKS
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import number

# The indicator tables' marks (fonts without colour emoji showed 🟢🟡🔴 as boxes).
STATUS_ICON = {**RAG_MARKS, "none": "–"}
FIGURE_COLUMNS = ("indicator", "value", "target", "status")


def figure_number(value: float) -> str:
    """A figure as the panel shows it: large or whole values without decimals, others with
    one."""
    return number(value, 0 if abs(value) >= 1000 or float(value).is_integer() else 1)


def figures_table(figures: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """One row per key figure of a selection (``Details.figures``).

    Parameters
    ----------
    figures : list[dict]
        The figures: ``label_zh/_en``, ``unit_zh/_en``, ``year``, ``value``, ``target``
        (None when there is none) and ``status``.
    lang : str
        "zh" or "en".

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FIGURE_COLUMNS`: the indicator with its year, the value with its
        unit, the target ("—" when none), and the status as an icon and words.
    """
    rows = [
        {
            "indicator": f"{f[pick(lang, 'label_zh', 'label_en')]}({f['year']})",
            "value": f"{figure_number(f['value'])} {f[pick(lang, 'unit_zh', 'unit_en')]}".strip(),
            "target": "—" if f["target"] is None else figure_number(f["target"]),
            "status": STATUS_ICON[f["status"]] + " " + tr(f"status_{f['status']}", lang),
        }
        for f in figures
    ]
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))


def figure_headers(lang: str) -> dict[str, str]:
    """Column key -> header of :func:`figures_table`: only the target is named (the other
    columns speak for themselves; blank headers of different widths keep them apart)."""
    return {"indicator": "", "value": " ", "target": tr("target", lang), "status": "  "}
