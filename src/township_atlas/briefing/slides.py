"""The meeting deck as data: one list of slides, built from a Bundle, drawn three ways.

The 会议汇报 page, the PowerPoint export and the village sheets (PDF) all render the
same :class:`Deck`, so what the room sees on the screen, what goes to the county as a
file and what is printed for a village never disagree. Every figure is computed here
from the data and carries its source (file, place, year, indicator, and the report's
wording), which the PowerPoint puts in the speaker notes.

The slides, in order: the township at a glance; the township's indicators against their
targets; one slide per village (map, "one village, one industry" plan, figures against
targets); the Party organisation and its coverage; the report's problems; its measures.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from township_atlas.briefing.context import DeckData
from township_atlas.briefing.fit import paginate_deck
from township_atlas.briefing.model import (
    ChartSpec,
    Deck,
    Figure,
    Item,
    MapSpec,
    Plan,
    PlanStep,
    Slide,
    Table,
    float_or_none,
    report_source,
    shortened,
    target_text,
)
from township_atlas.briefing.slides_report import (
    measures_slide,
    org_slide,
    problems_slide,
    reported_note,
)
from township_atlas.briefing.slides_village import village_slide
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import number, text
from township_atlas.views.indicators import (
    ranking,
)
from township_atlas.views.summary import headline, reported_comparison

__all__ = [
    "ChartSpec",
    "Deck",
    "Figure",
    "Item",
    "MapSpec",
    "Plan",
    "PlanStep",
    "Slide",
    "Table",
    "build_deck",
]


def township_name(bundle: Bundle, lang: str) -> str:
    props = bundle.township_props
    name = text(props.get(pick(lang, "name_zh", "name_en")))
    return name or text(props.get("name_zh")) or tr("app_title", lang)


def build_deck(bundle: Bundle, lang: str = "zh", today: dt.date | None = None) -> Deck:
    """The meeting's slides from the data, in ``lang``; ``today`` dates the deck."""
    today = today or dt.date.today()
    data = DeckData.build(bundle, lang, today)
    year = data.year
    slides = [overview_slide(bundle, lang), indicators_slide(data)]
    slides += [village_slide(data, code) for code in data.plans]
    slides += [org_slide(bundle, lang), problems_slide(data), measures_slide(data)]
    # Every text shortened once here, before any renderer sees it (see model.shortened);
    # then a village plan too long for one slide continues on the next (see fit.py), so
    # the page, the PowerPoint and the sheets split it at the same place.
    deck = shortened(
        Deck(
            township=township_name(bundle, lang),
            lang=lang,
            year=year,
            made=today,
            sample=bool(bundle.township_props.get("sample")),
            slides=tuple(slides),
        )
    )
    return paginate_deck(deck)


# --- the township ----------------------------------------------------------------------
# (headline attribute, label key, unit key, source key)
_HEADLINE = (
    ("area_km2", "area", "unit_km2", "mtg_src_area"),
    ("villages", "villages", "unit_count", "mtg_src_villages"),
    ("branches", "branches", "unit_count", "mtg_src_orgs"),
    ("members", "members", "unit_people", "mtg_src_orgs"),
    ("rural_branches", "rural_branches", "unit_count", "mtg_src_orgs"),
    ("rural_members", "rural_members", "unit_people", "mtg_src_orgs"),
    ("groups", "groups", "unit_count", "mtg_src_orgs"),
    ("sites", "sites", "unit_count", "mtg_src_sites"),
)


def _with_unit(value: str, unit_key: str, lang: str) -> str:
    return f"{value} {tr(unit_key, lang)}".strip()


def overview_slide(bundle: Bundle, lang: str) -> Slide:
    """The township at a glance: the map and the report's headline figures."""
    head = headline(bundle)
    checks = {key: (rep, ok) for key, _c, rep, ok in reported_comparison(bundle, head)}
    figures = []
    for attr, key, unit, source in _HEADLINE:
        value = getattr(head, attr)
        shown = f"{value:.1f}" if attr == "area_km2" else number(value)
        reported, agrees = checks.get(key, (None, None))
        figures.append(
            Figure(
                label=tr(key, lang),
                value=_with_unit(shown, unit, lang),
                source=tr(source, lang),
                note=reported_note(reported, agrees, lang),
                status=None if agrees is None else ("green" if agrees else "red"),
            )
        )
    props = bundle.township_props
    flagship = text(props.get(pick(lang, "flagship_zh", "flagship_en")))
    subtitle = tr("mtg_overview_subtitle", lang).format(
        flagship=flagship or "—", villages=head.villages
    )
    return Slide(
        kind="overview",
        key="overview",
        title=tr("mtg_overview_title", lang).format(township=township_name(bundle, lang)),
        subtitle=subtitle,
        figures=tuple(figures),
        map=MapSpec(),
        missing=() if not bundle.township.empty else (tr("mtg_no_township", lang),),
    )


def chart_indicator(data: DeckData) -> str | None:
    """The indicator this year's village plans aim at most (the meeting's focus), else
    the first catalogue indicator with a village value in the data year."""
    goals: Counter[str] = Counter()
    for plan in data.plans.values():
        for goal in plan.goals if plan else ():
            if goal.year == data.year and goal.indicator in data.catalogue:
                goals[goal.indicator] += 1
    if goals:
        return goals.most_common(1)[0][0]
    return str(data.totals["indicator"].iloc[0]) if not data.totals.empty else None


def indicators_slide(data: DeckData) -> Slide:
    """The township totals against their targets, and the focus indicator by village."""
    bundle, lang, year = data.bundle, data.lang, data.year
    title = tr("mtg_indicators_title", lang).format(year=year if year is not None else "—")
    if year is None:
        return Slide("indicators", "indicators", title, missing=(tr("mtg_no_indicators", lang),))
    cat = data.catalogue
    totals = data.totals
    # Indicators with a target first (those say how the township is doing), in catalogue order.
    totals = totals.assign(has_target=totals["target"].notna())
    totals = totals.sort_values("has_target", ascending=False, kind="stable")
    figures = []
    for row in totals.head(8).to_dict("records"):
        ind = cat[row["indicator"]]
        aggregate = tr(f"aggregate_{row['aggregate']}", lang)
        figures.append(
            Figure(
                label=ind.label(lang),
                value=ind.format(row["value"], lang),
                target=target_text(ind.format(row["target"], lang)),
                status=row["status"],
                source=tr("mtg_src_total", lang).format(
                    key=ind.key, year=year, aggregate=aggregate, n=row["villages"]
                )
                + report_source(ind.source_zh, lang),
            )
        )
    chart = None
    key = chart_indicator(data)
    if key is not None:
        ind = cat[key]
        ranked = ranking(bundle, year, key)
        chart = ChartSpec(
            title=tr("mtg_chart_title", lang).format(indicator=ind.label(lang), year=year),
            unit=ind.unit(lang),
            categories=tuple(bundle.village_name(c, lang) for c in ranked["place_code"]),
            values=tuple(float_or_none(v) for v in ranked["value"]),
            targets=tuple(float_or_none(v) for v in ranked["target"]),
            statuses=tuple(s if isinstance(s, str) else None for s in ranked["status"]),
            value_label=tr("mtg_actual", lang),
            target_label=tr("target", lang),
        )
    return Slide(
        "indicators",
        "indicators",
        title,
        subtitle=tr("mtg_indicators_subtitle", lang),
        figures=tuple(figures),
        chart=chart,
        missing=() if figures else (tr("mtg_no_values", lang).format(year=year),),
    )
