"""Village colours for an indicator and year: red/amber/green against targets where
targets exist, otherwise five value classes (quantiles)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from township_atlas.maps.style import RAG, SEQUENTIAL
from township_atlas.model.bundle import Bundle
from township_atlas.model.target_status import STATUS_LABELS, status_against_target
from township_atlas.text.bilingual import pick
from township_atlas.text.numbers import TOOLTIP_CHARS, shorten


@dataclass(frozen=True)
class Choropleth:
    """Per-village fill colour and tooltip text, and the legend that explains them."""

    fills: dict[str, str]
    texts: dict[str, str]
    title: str
    rows: list[tuple[str, str]]  # (colour, label)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.4g}"


def _catalogue_row(bundle: Bundle, key: str) -> dict:
    cat = bundle.indicator_catalogue
    match = cat[cat["key"] == key]
    return match.iloc[0].to_dict() if not match.empty else {"label_zh": key, "label_en": key}


def choropleth(bundle: Bundle, key: str, year: int, lang: str) -> Choropleth:
    """Colour the villages by indicator ``key`` in ``year``.

    Villages with no value are grey and say so. When every village with a value also has
    a target, the colours are the status against target (see targets.status_against_target);
    otherwise the values are split into up to five quantile classes.
    """
    row = _catalogue_row(bundle, key)
    label = row.get(pick(lang, "label_zh", "label_en")) or key
    unit = row.get(pick(lang, "unit_zh", "unit_en")) or ""
    higher = bool(row.get("higher_is_better", True))
    ind = bundle.indicators
    ind = ind[(ind["indicator"] == key) & (ind["year"] == year)].drop_duplicates("place_code")
    by_code = ind.set_index("place_code")
    none_text = pick(lang, "无数据", "no data")
    fills: dict[str, str] = {}
    texts: dict[str, str] = {}
    codes = list(bundle.villages["code"])
    values = {c: by_code.loc[c, "value"] for c in codes if c in by_code.index}
    values = {c: float(v) for c, v in values.items() if not pd.isna(v)}
    targets = {c: by_code.loc[c, "target"] for c in values}
    with_target = all(not pd.isna(t) for t in targets.values()) and bool(values)
    unit_sfx = f" {unit}" if unit else ""
    title = pick(
        lang,
        f"{label}({year}年{',' + unit if unit else ''})",
        f"{label} ({year}{', ' + unit if unit else ''})",
    )
    if with_target:
        for code in codes:
            if code not in values:
                fills[code], texts[code] = RAG["none"], none_text
                continue
            status = status_against_target(values[code], float(targets[code]), higher)
            fills[code] = RAG[status]
            vs = pick(lang, "目标", "target")
            texts[code] = (
                f"{label}: {_fmt(values[code])}{unit_sfx}({vs} "
                f"{_fmt(float(targets[code]))}{unit_sfx})"
            )
        rows = [(RAG[s], STATUS_LABELS[s][pick(lang, 0, 1)]) for s in ("green", "amber", "red")]
        title = f"{title} · {pick(lang, '对照目标', 'against target')}"
    else:
        rows = []
        if values:
            arr = np.array(sorted(set(values.values())))
            n = min(len(SEQUENTIAL), len(arr))
            edges = np.quantile(arr, np.linspace(0, 1, n + 1)) if n > 1 else np.array([arr[0]] * 2)
            palette = SEQUENTIAL[-n:] if n < len(SEQUENTIAL) else SEQUENTIAL
            for code, value in values.items():
                idx = int(np.searchsorted(edges[1:-1], value, side="right")) if n > 1 else 0
                fills[code] = palette[idx]
                texts[code] = f"{label}: {_fmt(value)}{unit_sfx}"
            for i in range(n):
                low, high = edges[i], edges[i + 1]
                rows.append((palette[i], f"{_fmt(low)} – {_fmt(high)}{unit_sfx}"))
        for code in codes:
            if code not in values:
                fills[code], texts[code] = RAG["none"], none_text
    if any(f == RAG["none"] for f in fills.values()):
        rows.append((RAG["none"], none_text))
    # The legend and tooltips show catalogue texts (label, unit) that may be any length.
    return Choropleth(
        fills,
        {code: shorten(t, TOOLTIP_CHARS) for code, t in texts.items()},
        shorten(title, TOOLTIP_CHARS),
        [(colour, shorten(label, TOOLTIP_CHARS)) for colour, label in rows],
    )
