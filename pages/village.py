"""村情档案: one village — its map, plan, indicators, Party branch, funding and problems.

The village is in the URL (``?village=V03``), so a link opens it and the browser's back
button returns to the previous village.
"""

import streamlit as st

from township_atlas.text.labels import headers, tr
from township_atlas.text.numbers import mu
from township_atlas.ui.chrome import start_page
from township_atlas.ui.indicator_views import indicator_card, trend_chart
from township_atlas.ui.map_view import map_panel
from township_atlas.ui.photos import photo_gallery
from township_atlas.ui.setup_guide import missing_note
from township_atlas.ui.text import PARAGRAPH_SHOWN, md_escape, url_value
from township_atlas.ui.url_choice import url_selectbox
from township_atlas.views import charts
from township_atlas.views.funding import funding
from township_atlas.views.indicator_tables import group_indicators, group_label, indicator_groups
from township_atlas.views.indicators import catalogue, latest_year, years
from township_atlas.views.organisation import village_branch
from township_atlas.views.photos import village_photos
from township_atlas.views.plans import problems_with_measures, village_plan
from township_atlas.views.summary import village_table
from township_atlas.views.village_profile import (
    GOAL_HEADERS,
    GROUP_HEADERS,
    MILESTONE_HEADERS,
    chain_name,
    fact_cards,
    funding_cards,
    funding_series,
    goal_table,
    group_table,
    indicator_rows,
    milestone_table,
    trend_defaults,
    village_site_ids,
)

lang, result = start_page("page_village")
bundle = result.bundle
props = bundle.township_props
facts = village_table(bundle, lang).set_index("code")

if "villages" in missing_note(bundle, lang, ("villages", "indicators", "plans")):
    st.stop()
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
    for label, value in fact_cards(village, lang):
        st.metric(label, value, border=True, width=170)
st.caption(tr("village_area_help", lang).format(mu=mu(village["area_mu"], lang)))

# --- map and plan ----------------------------------------------------------
plan = village_plan(bundle, code)
map_col, plan_col = st.columns([3, 2], gap="medium")
with map_col:
    st.subheader(tr("village_map", lang))
    map_panel(
        bundle,
        lang,
        key="village_map",
        focus_village=code,
        highlight_sites=village_site_ids(bundle, code),
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
        goals = goal_table(bundle, plan, lang).rename(columns=headers(GOAL_HEADERS, lang))
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
        milestone_rows = milestone_table(plan, lang).rename(
            columns=headers(MILESTONE_HEADERS, lang)
        )
        st.dataframe(milestone_rows, hide_index=True, width="stretch")

# --- indicator cards -------------------------------------------------------
st.subheader(tr("indicator_cards", lang).format(year=year if year is not None else "—"))
by_key = indicator_rows(bundle, code, year) if year is not None else {}
if year is None:
    st.info(tr("no_indicators", lang), icon=":material/info:")
elif not by_key:
    st.info(tr("no_values_year", lang).format(year=year), icon=":material/info:")
else:
    st.caption(tr("card_legend", lang))
    groups = indicator_groups(cat)
    for tab, group in zip(
        st.tabs([md_escape(group_label(g, lang)) for g in groups]), groups, strict=True
    ):
        with tab, st.container(horizontal=True, wrap=True, gap="small"):
            for ind in group_indicators(cat, group):
                indicator_card(ind, by_key.get(ind.key), lang)

# --- trends ----------------------------------------------------------------
st.subheader(tr("trends", lang))
chosen = st.multiselect(
    tr("trend_indicators", lang),
    list(cat),
    default=trend_defaults(bundle, plan),
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
    st.markdown(
        f"**{md_escape(branch.name(lang))}** · {tr('members', lang)} {branch.members} · "
        f"{tr('leader_role', lang)}: {md_escape(branch.leader_role_zh or '—')} · "
        f"{tr('built_on_chain', lang)}: " + md_escape(chain_name(bundle, branch, lang))
    )
    st.dataframe(
        group_table(bundle, branch, lang).rename(columns=headers(GROUP_HEADERS, lang)),
        hide_index=True,
        width="stretch",
    )
    if not branch.children:
        st.info(tr("no_groups", lang), icon=":material/info:")

# --- photos of the village's sites and organisations -----------------------
village_photo_groups = village_photos(bundle, code, lang)
if village_photo_groups:
    st.subheader(tr("photo_village_heading", lang))
    for n, (feature, items) in enumerate(village_photo_groups):
        st.markdown(f"**{md_escape(feature)}**")
        photo_gallery(items, lang, key=f"village_photo_{n}")

# --- funding ---------------------------------------------------------------
st.subheader(tr("funding_heading", lang))
money = funding(bundle, code)
if money.empty:
    st.info(tr("no_funding", lang), icon=":material/info:")
else:
    if not (cards := funding_cards(bundle, money, year, lang)):
        st.info(tr("no_funding_year", lang).format(year=year), icon=":material/info:")
    else:
        # The unit is said once, so seven cards fit two across on a phone.
        st.caption(tr("funding_unit", lang).format(year=year))
        with st.container(horizontal=True, wrap=True, gap="small"):
            for label, value in cards:
                st.metric(md_escape(label), value, border=True, width=170)
    st.caption(tr("funding_caption", lang))
    st.echarts_chart(
        charts.stacked_bars(
            *funding_series(bundle, money, lang),
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
