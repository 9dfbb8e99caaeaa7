"""村情档案: one village — its map, plan, indicators, Party branch, funding and problems.

The village is in the URL (``?village=V03``), so a link opens it and the browser's back
button returns to the previous village.
"""

import pandas as pd
import streamlit as st

from township_atlas import charts
from township_atlas.formatting import mu, number
from township_atlas.funding import PAYER_KEYS, funding
from township_atlas.indicators import catalogue, latest_year, year_table, years
from township_atlas.labels import tr
from township_atlas.organisation import chains, village_branch
from township_atlas.plans import problems_with_measures, village_plan
from township_atlas.schema import MILESTONE_STATUS_LABELS, SITE_KIND_LABELS, code_label
from township_atlas.summary import village_table
from township_atlas.ui.chrome import start_page
from township_atlas.ui.indicator_views import (
    GROUP_ORDER,
    group_label,
    indicator_card,
    status_text,
    trend_chart,
)
from township_atlas.ui.map_view import map_panel
from township_atlas.ui.text import PARAGRAPH_SHOWN, md_escape, url_value
from township_atlas.ui.url_choice import url_selectbox

lang, result = start_page("page_village")
bundle = result.bundle
props = bundle.township_props
facts = village_table(bundle, lang).set_index("code")

if facts.empty:
    st.warning(tr("no_villages", lang), icon=":material/warning:")
    st.stop()

all_years = years(bundle)
with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
    code, bad_code = url_selectbox(
        tr("choose_village", lang),
        list(facts.index),
        param="village",
        format_func=lambda c: f"{facts.at[c, 'name']}({c})",
        width=280,
        placeholder=tr("choose_placeholder", lang),
    )
    year, bad_year = (
        url_selectbox(
            tr("choose_year", lang),
            all_years,
            param="year",
            default=latest_year(bundle),
            format_func=lambda y: tr("year_n", lang).format(year=y),
            width=160,
            placeholder=tr("choose_placeholder", lang),
        )
        if all_years
        else (None, None)
    )
for param, value in (("village", bad_code), ("year", bad_year)):
    if value is not None:
        st.warning(
            tr("url_rejected", lang).format(param=param, value=url_value(value)),
            icon=":material/link_off:",
        )

village = facts.loc[code]
name = str(village["name"])
industry = str(village["leading_industry"] or "")
st.header(md_escape(f"{name} · {industry}" if industry else name), divider="red")

# --- facts -----------------------------------------------------------------
with st.container(horizontal=True, wrap=True, gap="small"):
    for label_key, value in (
        ("population", f"{number(village['population'])} {tr('unit_people_plain', lang)}".strip()),
        ("households", f"{number(village['households'])} {tr('unit_households', lang)}".strip()),
        ("village_area_km2", f"{village['area_km2']:.2f}"),
        ("branch_members", f"{number(village['members'])} {tr('unit_people', lang)}".strip()),
        ("groups", f"{village['groups']} {tr('unit_count', lang)}".strip()),
    ):
        st.metric(tr(label_key, lang), value, border=True, width=170)
st.caption(tr("village_area_help", lang).format(mu=mu(village["area_mu"], lang)))

# --- map and plan ----------------------------------------------------------
plan = village_plan(bundle, code)
map_col, plan_col = st.columns([3, 2], gap="medium")
with map_col:
    st.subheader(tr("village_map", lang))
    village_sites = bundle.sites.loc[bundle.sites["village_code"] == code, "site_id"]
    map_panel(
        bundle,
        lang,
        key="village_map",
        focus_village=code,
        highlight_sites=[str(s) for s in village_sites],
        height=420,
    )
with plan_col:
    st.subheader(tr("plan_heading", lang))
    if plan is None:
        st.info(tr("no_plan", lang).format(code=code), icon=":material/info:")
    else:
        st.markdown(f"**{tr('leading_industry', lang)}:** {md_escape(plan.leading_industry(lang))}")
        if plan.summary(lang):
            st.markdown(md_escape(plan.summary(lang), PARAGRAPH_SHOWN))
        st.markdown(f"**{tr('measures', lang)}**")
        for measure in plan.measures(lang) or (tr("none_listed", lang),):
            st.markdown(f"- {md_escape(measure)}")

cat = catalogue(bundle)
if plan is not None:
    goals_col, milestones_col = st.columns([3, 2], gap="medium")
    with goals_col:
        st.subheader(tr("goals", lang))
        goals = pd.DataFrame(
            {
                tr("year", lang): [str(g.year) for g in plan.goals],
                tr("goal", lang): [g.text(lang) for g in plan.goals],
                tr("actual", lang): [
                    cat[g.indicator].format(g.value, lang)
                    if g.indicator in cat
                    else number(g.value)
                    for g in plan.goals
                ],
                tr("target_value", lang): [
                    cat[g.indicator].format(g.target, lang)
                    if g.indicator in cat
                    else number(g.target)
                    for g in plan.goals
                ],
                tr("progress", lang): [
                    None if g.progress is None else round(100 * g.progress) for g in plan.goals
                ],
                tr("status", lang): [
                    status_text(g.status, lang) if g.value is not None else tr("not_yet", lang)
                    for g in plan.goals
                ],
            }
        )
        st.dataframe(
            goals,
            hide_index=True,
            width="stretch",
            column_config={
                tr("progress", lang): st.column_config.ProgressColumn(
                    format="%d%%", min_value=0, max_value=100, width="small"
                )
            },
        )
    with milestones_col:
        st.subheader(tr("milestones", lang))
        milestone_rows = pd.DataFrame(
            {
                tr("milestone", lang): [m.name(lang) for m in plan.milestones],
                tr("due", lang): [m.due.isoformat() if m.due else "—" for m in plan.milestones],
                tr("done_on", lang): [
                    m.done.isoformat() if m.done else "—" for m in plan.milestones
                ],
                tr("status", lang): [
                    code_label(MILESTONE_STATUS_LABELS, m.status, lang)
                    + (f"({tr('overdue', lang)})" if m.overdue else "")
                    for m in plan.milestones
                ],
            }
        )
        st.dataframe(milestone_rows, hide_index=True, width="stretch")

# --- indicator cards -------------------------------------------------------
st.subheader(tr("indicator_cards", lang).format(year=year if year is not None else "—"))
rows = year_table(bundle, year, [code]) if year is not None else pd.DataFrame()
recorded = rows[rows["value"].notna()] if not rows.empty else rows
if year is None:
    st.info(tr("no_indicators", lang), icon=":material/info:")
elif recorded.empty:
    st.info(tr("no_values_year", lang).format(year=year), icon=":material/info:")
else:
    st.caption(tr("card_legend", lang))
    by_key = {r["indicator"]: r for r in rows.to_dict("records")}
    groups = [g for g in GROUP_ORDER if any(i.group == g for i in cat.values())]
    groups += sorted({i.group for i in cat.values()} - set(groups))
    for tab, group in zip(
        st.tabs([md_escape(group_label(g, lang)) for g in groups]), groups, strict=True
    ):
        with tab, st.container(horizontal=True, wrap=True, gap="small"):
            for ind in (i for i in cat.values() if i.group == group):
                indicator_card(ind, by_key.get(ind.key), lang)

# --- trends ----------------------------------------------------------------
st.subheader(tr("trends", lang))
goal_keys = [g.indicator for g in plan.goals if g.indicator in cat] if plan else []
default_trends = list(dict.fromkeys(goal_keys)) or list(cat)[:4]
chosen = st.multiselect(
    tr("trend_indicators", lang),
    list(cat),
    default=default_trends,
    format_func=lambda k: cat[k].label(lang),
    key="village_trends",
)
if not chosen:
    st.info(tr("choose_trends_hint", lang), icon=":material/info:")
with st.container(horizontal=True, wrap=True, gap="small"):
    for key in chosen:
        with st.container(border=True, width=430):
            trend_chart(bundle, code, cat[key], lang, title=cat[key].label(lang), height=250)

# --- Party branch and groups ----------------------------------------------
st.subheader(tr("branch_heading", lang))
branch = village_branch(bundle, code)
if branch is None:
    st.warning(tr("no_branch", lang), icon=":material/warning:")
else:
    chain_names = {c.chain_id: c.name(lang) for c in chains(bundle)}
    st.markdown(
        f"**{md_escape(branch.name(lang))}** · {tr('members', lang)} {branch.members} · "
        f"{tr('leader_role', lang)}: {md_escape(branch.leader_role_zh or '—')} · "
        f"{tr('built_on_chain', lang)}: "
        + md_escape(chain_names.get(branch.chain_id, tr("no_chain", lang)))
    )
    sites = bundle.sites.set_index(bundle.sites["site_id"].astype(str))
    names_col = "name_zh" if lang == "zh" else "name_en"

    def site_name(site_id: str) -> str:
        if site_id not in sites.index:
            return site_id or "—"
        text = sites.at[site_id, names_col]
        return str(text) if isinstance(text, str) and text else str(sites.at[site_id, "name_zh"])

    st.dataframe(
        pd.DataFrame(
            {
                tr("party_group", lang): [g.name(lang) for g in branch.children],
                tr("members", lang): [g.members for g in branch.children],
                tr("built_on", lang): [site_name(g.site_id) for g in branch.children],
                tr("kind", lang): [
                    code_label(SITE_KIND_LABELS, str(sites.at[g.site_id, "kind"]), lang)
                    if g.site_id in sites.index
                    else "—"
                    for g in branch.children
                ],
                tr("leader_role", lang): [g.leader_role_zh for g in branch.children],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if not branch.children:
        st.info(tr("no_groups", lang), icon=":material/info:")

# --- funding ---------------------------------------------------------------
st.subheader(tr("funding_heading", lang))
money = funding(bundle, code)
this_year = money[money["year"] == year] if year is not None else money.iloc[0:0]
if money.empty:
    st.info(tr("no_funding", lang), icon=":material/info:")
else:
    if this_year.empty:
        st.info(tr("no_funding_year", lang).format(year=year), icon=":material/info:")
    else:
        row = this_year.iloc[0]
        # The unit is said once, so seven cards fit two across on a phone.
        st.caption(tr("funding_unit", lang).format(year=year))
        with st.container(horizontal=True, wrap=True, gap="small"):
            for key in (*[k for k in money.columns if k in cat], "unpaid"):
                label = cat[key].label(lang) if key in cat else tr("unpaid", lang)
                st.metric(md_escape(label), number(row[key]), border=True, width=170)
    payers = [k for k in PAYER_KEYS if k in cat]
    st.caption(tr("funding_caption", lang))
    st.echarts_chart(
        charts.stacked_bars(
            [str(y) for y in money["year"]],
            [(cat[k].label(lang), money[k].tolist()) for k in payers]
            + [(tr("unpaid", lang), money["unpaid"].tolist())],
            unit=tr("unit_wan", lang),
            colours=[
                charts.CATEGORICAL[0],
                charts.CATEGORICAL[2],
                charts.CATEGORICAL[5],
                "#9E9E9E",
            ],
        ),
        height=300,
        key="village_funding",
        alt=tr("funding_caption", lang),
    )

# --- problems and measures -------------------------------------------------
st.subheader(tr("problems_heading", lang))
if plan is None or not plan.problems:
    st.info(tr("no_problems", lang), icon=":material/info:")
else:
    for problem, measures in problems_with_measures(bundle, plan.problems):
        with st.container(border=True):
            st.markdown(f"**{md_escape(problem.title(lang))}**")
            if problem.text(lang):
                st.markdown(md_escape(problem.text(lang), PARAGRAPH_SHOWN))
            if measures:
                st.markdown(
                    f"*{tr('related_measures', lang)}:* "
                    + ";".join(md_escape(m.title(lang)) for m in measures)
                )

# --- pairing support -------------------------------------------------------
st.subheader(tr("support_heading", lang))
if village["support_unit"]:
    st.markdown(f"**{md_escape(village['support_unit'])}**")
    st.caption(tr("support_help", lang))
else:
    st.info(tr("no_support", lang), icon=":material/info:")
