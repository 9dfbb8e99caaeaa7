"""A village's slide: its map, its "one village, one industry" plan, its figures against
targets, its Party branch and groups, and the background facts the village sheet prints."""

from __future__ import annotations

from township_atlas.briefing.context import DeckData
from township_atlas.briefing.model import (
    Figure,
    MapSpec,
    Photo,
    Plan,
    PlanStep,
    Slide,
    Table,
    report_source,
    target_text,
)
from township_atlas.model.schema import MILESTONE_STATUS_LABELS, code_label
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import mu, number, text
from township_atlas.views.indicators import Indicator, status
from township_atlas.views.photos import village_photos
from township_atlas.views.plans import VillagePlan, problems_with_measures

#: At most this many figures against targets on a village slide (they must read from afar).
MAX_FIGURES = 6


def indicator_figure(data: DeckData, ind: Indicator, code: str) -> Figure:
    """The village's value of ``ind`` in the data year against its target, with its source."""
    lang = data.lang
    value, target = data.value_target(code, ind.key)
    return Figure(
        label=ind.label(lang),
        value=ind.format(value, lang),
        target=target_text(ind.format(target, lang)),
        status=status(value, target, ind.higher_is_better),
        source=tr("mtg_src_indicator", lang).format(place=code, year=data.year or "—", key=ind.key)
        + report_source(ind.source_zh, lang),
    )


def _figure_keys(data: DeckData, code: str) -> list[str]:
    """The plan's goal indicators (in plan order); without a plan, the catalogue's
    indicators the village has a value or target for in the data year."""
    cat, plan = data.catalogue, data.plans.get(code)
    keys = [g.indicator for g in plan.goals if g.indicator in cat] if plan else []
    if not keys and data.year is not None:
        rec = data.records
        rec = rec[(rec["place_code"] == code) & (rec["year"] == data.year)]
        present = set(rec.loc[rec["value"].notna() | rec["target"].notna(), "indicator"])
        keys = [k for k in cat if k in present]
    return list(dict.fromkeys(keys))[:MAX_FIGURES]


def _plan(data: DeckData, plan: VillagePlan) -> Plan:
    bundle, lang, today, cat = data.bundle, data.lang, data.today, data.catalogue
    steps = []
    for goal in plan.goals:
        ind = cat.get(goal.indicator)

        def fmt(v: float | None, ind: Indicator | None = ind) -> str:
            return ind.format(v, lang) if ind else number(v)

        if goal.status is not None:
            state = tr(f"status_{goal.status}", lang)
        elif goal.value is None and goal.year > today.year:
            state = tr("not_yet", lang)
        else:
            state = tr("mtg_no_data", lang)
        steps.append(
            PlanStep(
                year=goal.year,
                text=goal.text(lang),
                actual=fmt(goal.value),
                target=fmt(goal.target),
                status=goal.status,
                state=state,
            )
        )
    milestones = tuple(
        (
            m.name(lang),
            m.due.isoformat() if m.due else "—",
            code_label(MILESTONE_STATUS_LABELS, m.status, lang)
            + (f"({tr('overdue', lang)})" if m.overdue else ""),
        )
        for m in plan.milestones
    )
    problems = tuple(p.title(lang) for p, _m in problems_with_measures(bundle, plan.problems))
    return Plan(
        leading_industry=plan.leading_industry(lang),
        summary=plan.summary(lang),
        measures=plan.measures(lang),
        steps=tuple(steps),
        milestones=milestones,
        problems=problems,
    )


def _branch(data: DeckData, code: str) -> tuple[Figure, Table | None, list[str]]:
    """The branch as a figure, its groups as a table, and what is missing."""
    lang = data.lang
    branch = data.branches.get(code)
    if branch is None:
        figure = Figure(tr("mtg_branch", lang), "—", tr("mtg_src_orgs", lang))
        return figure, None, [tr("no_branch", lang)]
    chain_names = data.chain_names
    groups = branch.children
    figure = Figure(
        label=tr("mtg_branch", lang),
        value=tr("mtg_branch_value", lang).format(members=branch.members, groups=len(groups)),
        source=tr("mtg_src_branch", lang).format(org=branch.org_id),
        note=tr("mtg_branch_chain", lang).format(
            chain=chain_names.get(branch.chain_id, tr("no_chain", lang))
        ),
    )
    sites = data.site_names
    table = Table(
        title=f"{branch.name(lang)} · {tr('leader_role', lang)}:{branch.leader_role_zh or '—'}",
        columns=(
            tr("party_group", lang),
            tr("members", lang),
            tr("built_on", lang),
            tr("kind", lang),
        ),
        rows=tuple(
            (
                g.name(lang),
                str(g.members),
                sites.get(g.site_id, (g.site_id or "—", ""))[0],
                sites.get(g.site_id, ("", "—"))[1],
            )
            for g in groups
        ),
    )
    return figure, table, [] if groups else [tr("no_groups", lang)]


def _facts(data: DeckData, code: str) -> tuple[Figure, ...]:
    lang, table = data.lang, data.village_facts
    if code not in table.index:
        return ()
    row = table.loc[code]
    source = tr("mtg_src_village", lang).format(code=code)
    support = text(row["support_unit"]) or "—"
    return (
        Figure(
            tr("population", lang),
            f"{number(row['population'])} {tr('unit_people_plain', lang)}".strip(),
            source,
        ),
        Figure(
            tr("households", lang),
            f"{number(row['households'])} {tr('unit_households', lang)}".strip(),
            source,
        ),
        Figure(
            tr("mtg_village_area", lang),
            f"{row['area_km2']:.2f} {tr('unit_km2', lang)}",
            tr("mtg_src_village_area", lang).format(code=code),
            note=mu(row["area_mu"], lang),
        ),
        Figure(tr("support_unit", lang), support, source),
    )


def village_photo_list(data: DeckData, code: str) -> tuple[Photo, ...]:
    """The village's photos as the village page lists them: its sites', then its
    organisations', each feature's in their order (names of stored files, no bytes),
    captioned in the deck's language (Chinese where a photo has no English caption)."""
    return tuple(
        Photo(
            feature=feature,
            caption=item.caption(data.lang),
            taken=item.taken[:10],
            file=item.file,
            thumb=item.thumb,
            width=item.width,
            height=item.height,
            group=group,
        )
        for group, (feature, items) in enumerate(village_photos(data.bundle, code, data.lang))
        for item in items
    )


def village_slide(data: DeckData, code: str) -> Slide:
    """One village: map, plan, figures against targets, branch and groups, facts, and the
    photos of its sites and organisations."""
    bundle, lang = data.bundle, data.lang
    name = bundle.village_name(code, lang)
    row = bundle.villages[bundle.villages["code"] == code]
    industry = ""
    if not row.empty:
        industry = text(row.iloc[0][pick(lang, "leading_industry_zh", "leading_industry_en")])
    raw_plan = data.plans.get(code)
    plan = _plan(data, raw_plan) if raw_plan else None
    industry = industry or (plan.leading_industry if plan else "")
    cat = data.catalogue
    figures = [indicator_figure(data, cat[k], code) for k in _figure_keys(data, code)]
    branch_figure, groups, missing = _branch(data, code)
    if raw_plan is None:
        missing.insert(0, tr("no_plan", lang).format(code=code))
    if not figures:
        missing.append(tr("mtg_no_village_values", lang))
    sites = bundle.sites.loc[bundle.sites["village_code"] == code, "site_id"]
    return Slide(
        kind="village",
        key=f"village-{code}",
        title=f"{name} · {industry}" if industry else name,
        subtitle=plan.summary if plan else "",
        figures=(*figures, branch_figure),
        facts=_facts(data, code),
        plan=plan,
        tables=(groups,) if groups is not None else (),
        map=MapSpec(
            focus_village=code, highlight_sites=tuple(str(s) for s in sites), show_orgs=True
        ),
        missing=tuple(missing),
        village_code=code,
        photos=village_photo_list(data, code),
    )


__all__ = ["indicator_figure", "village_photo_list", "village_slide"]
