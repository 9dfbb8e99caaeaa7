"""The township-wide slides after the villages: the Party organisation and its coverage,
and the report's problems and measures, each with the township figures that track it."""

from __future__ import annotations

import pandas as pd

from township_atlas.briefing.context import DeckData
from township_atlas.briefing.model import (
    Figure,
    Item,
    MapSpec,
    Slide,
    Table,
    report_source,
    target_text,
)
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import SITE_KIND_LABELS, code_label
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import number, percent, text
from township_atlas.views.organisation import (
    chains,
    count_checks,
    coverage,
    org_tree,
    uncovered_sites,
)
from township_atlas.views.plans import ReportItem, report_items

#: Township figures shown under one problem or measure.
FIGURES_PER_ITEM = 2


def reported_note(reported: float | None, agrees: bool | None, lang: str) -> str:
    """ "报告数 353 · 一致" — the report's figure and whether the data agrees."""
    if reported is None:
        return ""
    key = "mtg_reported_agrees" if agrees else "mtg_reported_differs"
    return tr(key, lang).format(reported=number(reported))


def org_slide(bundle: Bundle, lang: str) -> Slide:
    """The counts checked against the report, group coverage, branches, uncovered sites."""
    source = tr("mtg_src_orgs", lang)
    units = {"members": "unit_people", "rural_members": "unit_people"}
    figures = [
        Figure(
            label=tr(check.key, lang),
            value=f"{number(check.computed)} {tr(units.get(check.key, 'unit_count'), lang)}".strip(),
            source=source,
            note=reported_note(check.reported, check.passes, lang),
            status=None if check.passes is None else ("green" if check.passes else "red"),
        )
        for check in count_checks(bundle)
    ]
    all_sites = next(c for c in coverage(bundle) if c.kind == "all")
    figures.append(
        Figure(
            label=tr("mtg_coverage", lang),
            value=percent(all_sites.share),
            source=tr("mtg_src_coverage", lang),
            note=tr("mtg_coverage_note", lang).format(
                covered=all_sites.covered, total=all_sites.total
            ),
        )
    )
    chain_names = {c.chain_id: c.name(lang) for c in chains(bundle)}
    branches = [b for root in org_tree(bundle) for b in root.children if b.level == "branch"]
    branch_table = Table(
        title=tr("mtg_branches_table", lang),
        columns=(
            tr("mtg_branch_col", lang),
            tr("members", lang),
            tr("groups", lang),
            tr("built_on_chain", lang),
        ),
        rows=tuple(
            (
                b.name(lang),
                str(b.members),
                str(sum(1 for g in b.children if g.level == "group")),
                chain_names.get(b.chain_id, "—"),
            )
            for b in branches
        ),
    )
    uncovered = uncovered_sites(bundle)
    names_col = pick(lang, "name_zh", "name_en")
    uncovered_table = Table(
        title=tr("mtg_uncovered", lang).format(n=len(uncovered)),
        columns=(tr("village", lang), tr("mtg_site", lang), tr("kind", lang)),
        rows=tuple(
            (
                bundle.village_name(text(row["village_code"]), lang),
                text(row[names_col]) or text(row["name_zh"]),
                code_label(SITE_KIND_LABELS, text(row["kind"]), lang),
            )
            for _i, row in uncovered.iterrows()
        ),
    )
    missing = () if branches else (tr("mtg_no_orgs", lang),)
    return Slide(
        kind="organisation",
        key="organisation",
        title=tr("mtg_org_title", lang),
        subtitle=tr("mtg_org_subtitle", lang),
        figures=tuple(figures),
        tables=(branch_table, uncovered_table),
        map=MapSpec(show_orgs=True, mark_sites=tuple(str(s) for s in uncovered["site_id"])),
        missing=missing,
    )


def township_figures(data: DeckData, keys: tuple[str, ...]) -> tuple[Figure, ...]:
    """Township totals of ``keys`` in the data year: those with a target first, at most
    :data:`FIGURES_PER_ITEM`."""
    year, lang, cat = data.year, data.lang, data.catalogue
    if year is None or data.totals.empty:
        return ()
    totals = data.totals.set_index("indicator")
    rows = [(k, totals.loc[k]) for k in keys if k in cat and k in totals.index]
    rows.sort(key=lambda kv: pd.isna(kv[1]["target"]))
    out = []
    for key, row in rows[:FIGURES_PER_ITEM]:
        ind = cat[key]
        aggregate = tr(f"aggregate_{row['aggregate']}", lang)
        out.append(
            Figure(
                label=ind.label(lang),
                value=ind.format(row["value"], lang),
                target=target_text(ind.format(row["target"], lang)),
                status=row["status"] if isinstance(row["status"], str) else None,
                source=tr("mtg_src_total", lang).format(
                    key=key, year=year, aggregate=aggregate, n=int(row["villages"])
                )
                + report_source(ind.source_zh, lang),
            )
        )
    return tuple(out)


def _villages_naming(data: DeckData, key: str) -> list[str]:
    return [
        data.bundle.village_name(code, data.lang)
        for code, plan in data.plans.items()
        if plan is not None and key in plan.problems
    ]


def problems_slide(data: DeckData) -> Slide:
    """The report's problems, the villages whose plans name each, and its figures."""
    bundle, lang = data.bundle, data.lang
    items = []
    for problem in report_items(bundle, "problems"):
        villages = _villages_naming(data, problem.key)
        detail = (
            tr("mtg_villages_naming", lang).format(villages="、".join(villages))
            if villages
            else tr("mtg_no_village_names", lang)
        )
        items.append(_item(data, problem, detail))
    return Slide(
        kind="problems",
        key="problems",
        title=tr("mtg_problems_title", lang),
        subtitle=_report_title(bundle, lang),
        items=tuple(items),
        missing=() if items else (tr("mtg_no_report_items", lang),),
    )


def measures_slide(data: DeckData) -> Slide:
    """The report's measures, the problems each answers, and the figures that track it."""
    bundle, lang = data.bundle, data.lang
    problems = report_items(bundle, "problems")
    items = []
    for measure in report_items(bundle, "measures"):
        answers = [p.title(lang) for p in problems if set(p.indicators) & set(measure.indicators)]
        detail = tr("mtg_answers", lang).format(problems=";".join(answers)) if answers else ""
        items.append(_item(data, measure, detail))
    return Slide(
        kind="measures",
        key="measures",
        title=tr("mtg_measures_title", lang),
        subtitle=_report_title(bundle, lang),
        items=tuple(items),
        missing=() if items else (tr("mtg_no_report_items", lang),),
    )


def _item(data: DeckData, item: ReportItem, detail: str) -> Item:
    return Item(
        title=item.title(data.lang),
        text=item.text(data.lang),
        detail=detail,
        figures=township_figures(data, item.indicators),
    )


def _report_title(bundle: Bundle, lang: str) -> str:
    report = bundle.report if isinstance(bundle.report, dict) else {}
    title = text(report.get(pick(lang, "title_zh", "title_en"))) or text(report.get("title_zh"))
    return tr("source_report", lang).format(title=title) if title else ""
