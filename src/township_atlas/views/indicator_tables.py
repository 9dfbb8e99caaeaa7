"""Indicator figures as a reader sees them: status words, the catalogue's groups in order,
and the township totals table of the indicators page.

Tables have stable English column keys; a page turns them into zh/en headers with
:func:`township_atlas.text.labels.headers` and the ``*_HEADERS`` mapping next to each table.
"""

from __future__ import annotations

import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.text.labels import tr
from township_atlas.text.numbers import signed_change
from township_atlas.views.charts import RAG_MARKS
from township_atlas.views.indicators import (
    STATUSES,
    Indicator,
    catalogue,
    township_totals,
    village_codes,
)

GROUP_ORDER: tuple[str, ...] = ("economy", "funding", "cadre", "party")

# Column key of totals_table -> label key of its header.
TOTALS_HEADERS: dict[str, str] = {
    "indicator": "indicator",
    "township_total": "township_total",
    "target": "target",
    "status": "status",
    "change": "change_from_previous",
    "aggregate": "aggregate",
    "villages": "reporting_villages",
    "township_record": "township_record",
}


def group_label(group: str, lang: str) -> str:
    """The catalogue group's name ("economy" → 经济发展); unknown groups show their code."""
    return tr(f"group_{group}", lang) if group in GROUP_ORDER else group


def indicator_groups(cat: dict[str, Indicator]) -> list[str]:
    """The groups the catalogue uses: the known ones in :data:`GROUP_ORDER`, then the rest
    alphabetically.

    Parameters
    ----------
    cat : dict[str, Indicator]
        The catalogue, from :func:`township_atlas.views.indicators.catalogue`.

    Returns
    -------
    list[str]
        Group codes, each once.
    """
    used = {i.group for i in cat.values()}
    known = [g for g in GROUP_ORDER if g in used]
    return known + sorted(used - set(known))


def group_keys(cat: dict[str, Indicator], group: str | None) -> list[str]:
    """The catalogue's indicator keys in ``group``, in catalogue order; every key for
    ``"all"`` or None."""
    return [k for k, i in cat.items() if group in (None, "all") or i.group == group]


def group_indicators(cat: dict[str, Indicator], group: str) -> list[Indicator]:
    """The catalogue's indicators of ``group`` (exactly that group), in catalogue order."""
    return [i for i in cat.values() if i.group == group]


def shown_keys(values: pd.DataFrame, keys: list[str]) -> list[str]:
    """The columns of a villages × indicators table (``wide``) that are among ``keys``, in
    the table's order."""
    return [k for k in values.columns if k in keys]


def trend_places(bundle: Bundle, lang: str) -> list[tuple[str | None, str]]:
    """(place code, title) of every small multiple: the township total (code None) first,
    then every village in order."""
    places: list[tuple[str | None, str]] = [(None, tr("township_name_total", lang))]
    places += [(c, bundle.village_name(c, lang)) for c in village_codes(bundle)]
    return places


def status_text(status: str | None, lang: str) -> str:
    """ "✓ 达到目标" etc.: the mark and the words, so colour is never the only signal."""
    key = status if status in RAG_MARKS else "none"
    mark = RAG_MARKS.get(key, "–")
    return f"{mark} {tr(f'status_{key}', lang)}"


def status_counts(statuses: pd.DataFrame) -> dict[str, int]:
    """How many cells of a status table are green, amber and red (0 for none).

    Parameters
    ----------
    statuses : pandas.DataFrame
        Villages × indicators of status codes or None, as
        ``indicators.wide(bundle, year, "status")``.

    Returns
    -------
    dict[str, int]
        One count per status of :data:`township_atlas.views.indicators.STATUSES`, in order.
    """
    counts = statuses.stack().value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def totals_table(bundle: Bundle, year: int, keys: list[str], lang: str) -> pd.DataFrame:
    """The township totals of ``year`` for the indicators ``keys``, as text to read.

    Parameters
    ----------
    bundle : Bundle
        The township's data.
    year : int
        The year shown.
    keys : list[str]
        Indicator keys to keep (the chosen group), in any order; rows follow the catalogue.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, township_total, target, status, change, aggregate, villages``,
        and ``township_record`` only when some indicator has a township-wide record (see
        :data:`TOTALS_HEADERS` for their headers). Empty when nothing was recorded.
    """
    cat = catalogue(bundle)
    totals = township_totals(bundle, year)
    totals = totals[totals["indicator"].isin(keys)]
    inds = [cat[k] for k in totals["indicator"]]
    frame = pd.DataFrame(
        {
            "indicator": [i.label(lang) for i in inds],
            "township_total": [
                i.format(v, lang) for i, v in zip(inds, totals["value"], strict=True)
            ],
            "target": [i.format(v, lang) for i, v in zip(inds, totals["target"], strict=True)],
            "status": [status_text(s, lang) for s in totals["status"]],
            "change": [
                signed_change(v, i.unit_zh, i.unit_en, lang)
                for i, v in zip(inds, totals["change"], strict=True)
            ],
            "aggregate": [tr(f"aggregate_{a}", lang) for a in totals["aggregate"]],
            "villages": totals["villages"].to_numpy(),
        }
    )
    if totals["township_record"].notna().any():
        frame["township_record"] = [
            i.format(v, lang) for i, v in zip(inds, totals["township_record"], strict=True)
        ]
    return frame
