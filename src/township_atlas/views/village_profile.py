"""One village's profile (村情档案) as tables and figures to read: its facts, plan goals and
milestones, indicator values of a year, Party groups, and funding.

Everything here is text or numbers for the village page, with no Streamlit. Tables have
stable English column keys; the page turns them into zh/en headers with
:func:`township_atlas.text.labels.headers` and the ``*_HEADERS`` mapping next to each table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import MILESTONE_STATUS_LABELS, SITE_KIND_LABELS, code_label
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import number
from township_atlas.views.funding import PAYER_KEYS
from township_atlas.views.indicator_tables import status_text
from township_atlas.views.indicators import Indicator, catalogue, year_table
from township_atlas.views.organisation import OrgNode, chains
from township_atlas.views.plans import VillagePlan

# Column key -> label key of the header, for each table below.
GOAL_HEADERS: dict[str, str] = {
    "year": "year",
    "goal": "goal",
    "actual": "actual",
    "target": "target_value",
    "progress": "progress",
    "status": "status",
}
MILESTONE_HEADERS: dict[str, str] = {
    "milestone": "milestone",
    "due": "due",
    "done": "done_on",
    "status": "status",
}
GROUP_HEADERS: dict[str, str] = {
    "group": "party_group",
    "members": "members",
    "built_on": "built_on",
    "kind": "kind",
    "leader_role": "leader_role",
}
# How many indicators the trend charts show when the plan names none.
DEFAULT_TRENDS = 4


def fact_cards(village: dict[str, Any] | pd.Series, lang: str) -> list[tuple[str, str]]:
    """The village's headline facts as (label, value) pairs, units included.

    Parameters
    ----------
    village : dict or pandas.Series
        One row of :func:`township_atlas.views.summary.village_table`.
    lang : str
        ``"zh"`` or ``"en"``.
    """

    def with_unit(value: object, unit_key: str) -> str:
        return f"{value} {tr(unit_key, lang)}".strip()

    return [
        (tr("population", lang), with_unit(number(village["population"]), "unit_people_plain")),
        (tr("households", lang), with_unit(number(village["households"]), "unit_households")),
        (tr("village_area_km2", lang), f"{village['area_km2']:.2f}"),
        (tr("branch_members", lang), with_unit(number(village["members"]), "unit_people")),
        (tr("groups", lang), with_unit(village["groups"], "unit_count")),
    ]


def village_site_ids(bundle: Bundle, code: str) -> list[str]:
    """The ids of the sites in village ``code``, in layer order."""
    sites = bundle.sites
    return [str(s) for s in sites.loc[sites["village_code"] == code, "site_id"]]


def _formatted(cat: dict[str, Indicator], key: str, value: float | None, lang: str) -> str:
    return cat[key].format(value, lang) if key in cat else number(value)


def goal_table(bundle: Bundle, plan: VillagePlan, lang: str) -> pd.DataFrame:
    """The plan's goals: year, goal, actual value, target, progress (%) and status.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GOAL_HEADERS`; ``progress`` is a whole percentage or None, the
        rest text. A goal without a recorded value says "not yet".
    """
    cat = catalogue(bundle)
    goals = plan.goals
    return pd.DataFrame(
        {
            "year": [str(g.year) for g in goals],
            "goal": [g.text(lang) for g in goals],
            "actual": [_formatted(cat, g.indicator, g.value, lang) for g in goals],
            "target": [_formatted(cat, g.indicator, g.target, lang) for g in goals],
            "progress": [None if g.progress is None else round(100 * g.progress) for g in goals],
            "status": [
                status_text(g.status, lang) if g.value is not None else tr("not_yet", lang)
                for g in goals
            ],
        },
        columns=list(GOAL_HEADERS),
    )


def milestone_table(plan: VillagePlan, lang: str) -> pd.DataFrame:
    """The plan's milestones: name, due date, date done ("—" when none) and status.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MILESTONE_HEADERS`, all text; an overdue milestone's status says so.
    """
    ms = plan.milestones
    return pd.DataFrame(
        {
            "milestone": [m.name(lang) for m in ms],
            "due": [m.due.isoformat() if m.due else "—" for m in ms],
            "done": [m.done.isoformat() if m.done else "—" for m in ms],
            "status": [
                code_label(MILESTONE_STATUS_LABELS, m.status, lang)
                + (f"({tr('overdue', lang)})" if m.overdue else "")
                for m in ms
            ],
        },
        columns=list(MILESTONE_HEADERS),
    )


def indicator_rows(bundle: Bundle, code: str, year: int) -> dict[str, dict[str, Any]]:
    """The village's indicator rows of ``year`` by indicator key (see
    :func:`township_atlas.views.indicators.year_table`); empty when no value was recorded."""
    rows = year_table(bundle, year, [code])
    if rows.empty or not rows["value"].notna().any():
        return {}
    return {r["indicator"]: r for r in rows.to_dict("records")}


def trend_defaults(bundle: Bundle, plan: VillagePlan | None) -> list[str]:
    """Indicators the trend charts start with: those the plan's goals measure, else the
    first :data:`DEFAULT_TRENDS` of the catalogue."""
    cat = catalogue(bundle)
    goal_keys = [g.indicator for g in plan.goals if g.indicator in cat] if plan else []
    return list(dict.fromkeys(goal_keys)) or list(cat)[:DEFAULT_TRENDS]


def chain_name(bundle: Bundle, branch: OrgNode, lang: str) -> str:
    """The name of the chain the branch is built on, or "no chain"."""
    names = {c.chain_id: c.name(lang) for c in chains(bundle)}
    return names.get(branch.chain_id, tr("no_chain", lang))


def group_table(bundle: Bundle, branch: OrgNode, lang: str) -> pd.DataFrame:
    """The branch's Party groups: name, members, the site each is built on and its kind.

    A site id the sites layer does not know is shown as it is, with kind "—".

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GROUP_HEADERS`.
    """
    sites = bundle.sites.set_index(bundle.sites["site_id"].astype(str))

    def site_name(site_id: str) -> str:
        if site_id not in sites.index:
            return site_id or "—"
        zh = str(sites.at[site_id, "name_zh"])
        name = pick(lang, zh, sites.at[site_id, "name_en"])
        return str(name) if isinstance(name, str) and name else zh

    groups = branch.children
    return pd.DataFrame(
        {
            "group": [g.name(lang) for g in groups],
            "members": [g.members for g in groups],
            "built_on": [site_name(g.site_id) for g in groups],
            "kind": [
                code_label(SITE_KIND_LABELS, str(sites.at[g.site_id, "kind"]), lang)
                if g.site_id in sites.index
                else "—"
                for g in groups
            ],
            "leader_role": [g.leader_role_zh for g in groups],
        },
        columns=list(GROUP_HEADERS),
    )


def funding_cards(
    bundle: Bundle, money: pd.DataFrame, year: int | None, lang: str
) -> list[tuple[str, str]]:
    """The funding figures of ``year`` as (label, value in 万元) pairs, the unpaid part last.

    Parameters
    ----------
    money : pandas.DataFrame
        The village's :func:`township_atlas.views.funding.funding`.
    year : int or None
        The year shown; None (no indicator years at all) gives no cards.

    Returns
    -------
    list[tuple[str, str]]
        Empty when nothing was recorded that year.
    """
    this_year = money[money["year"] == year] if year is not None else money.iloc[0:0]
    if this_year.empty:
        return []
    cat = catalogue(bundle)
    row = this_year.iloc[0]
    keys = [*[k for k in money.columns if k in cat], "unpaid"]
    return [(cat[k].label(lang) if k in cat else tr("unpaid", lang), number(row[k])) for k in keys]


def funding_series(
    bundle: Bundle, money: pd.DataFrame, lang: str
) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """Who paid the shortfall, year by year: the years and one (name, values) per payer
    in the catalogue, then the unpaid part, for a stacked bar chart."""
    cat = catalogue(bundle)
    payers = [k for k in PAYER_KEYS if k in cat]
    series = [(cat[k].label(lang), money[k].tolist()) for k in payers]
    series.append((tr("unpaid", lang), money["unpaid"].tolist()))
    return [str(y) for y in money["year"]], series
