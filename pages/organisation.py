"""组织体系: committee → branches → groups, the report's counts checked, which wealth
projects and demonstration bases still have no Party group, and the chains branches are
built on."""

import streamlit as st

from township_atlas.model.schema import SITE_KIND_LABELS, code_label
from township_atlas.text.labels import headers, tr
from township_atlas.text.numbers import percent
from township_atlas.ui.chrome import start_page
from township_atlas.ui.map_view import map_panel
from township_atlas.ui.photos import photo_gallery
from township_atlas.ui.setup_guide import missing_note
from township_atlas.ui.text import md_escape, url_value
from township_atlas.ui.url_choice import url_selectbox
from township_atlas.views.diagrams import chains_dot, org_tree_dot
from township_atlas.views.organisation import (
    branch_nodes,
    chains,
    count_checks,
    coverage,
    only_branch,
    org_tree,
    uncovered_sites,
    walk,
)
from township_atlas.views.organisation_tables import (
    BRANCH_HEADERS,
    CHAIN_HEADERS,
    UNCOVERED_HEADERS,
    branch_table,
    chain_table,
    uncovered_table,
)
from township_atlas.views.photos import photo_items

lang, result = start_page("page_organisation")
bundle = result.bundle
if "party_orgs" in missing_note(bundle, lang, ("villages", "party_orgs", "sites", "chains")):
    st.stop()

# --- the report's counts, computed ------------------------------------------
st.subheader(tr("org_checks", lang))
with st.container(horizontal=True, wrap=True, gap="small"):
    for check in count_checks(bundle):
        unit = tr("unit_people" if "members" in check.key else "unit_count", lang)
        with st.container(border=True, width=170, gap="xxsmall"):
            st.metric(tr(check.key, lang), f"{check.computed} {unit}".strip())
            if check.passes is None:
                st.badge(tr("not_reported", lang), color="gray")
            else:
                st.badge(
                    tr("reported_n", lang).format(n=check.reported)
                    + " · "
                    + tr("yes" if check.passes else "no", lang),
                    color="green" if check.passes else "red",
                )

# --- the tree ---------------------------------------------------------------
st.subheader(tr("org_tree", lang))
roots = org_tree(bundle)
nodes = walk(roots)
branches = branch_nodes(roots)
if not nodes:
    st.warning(tr("no_orgs", lang), icon=":material/warning:")
else:
    focus, bad_focus = url_selectbox(
        tr("tree_focus", lang),
        ["all", *[b.org_id for b in branches]],
        param="branch",
        format_func=lambda o: (
            tr("tree_all", lang)
            if o == "all"
            else next(b.name(lang) for b in branches if b.org_id == o)
        ),
        width=320,
        placeholder=tr("choose_placeholder", lang),
    )
    if bad_focus is not None:
        st.warning(
            tr("url_rejected", lang).format(param="branch", value=url_value(bad_focus)),
            icon=":material/link_off:",
        )
    shown_roots = roots if focus == "all" else only_branch(roots, focus)
    dot = org_tree_dot(shown_roots, lang, tr("members_n", lang), tr("committee_summary", lang))
    # Natural size: stretched to the page, the tall tree would be several screens high.
    st.graphviz_chart(dot, width="content")
    st.caption(tr("tree_hint", lang))
    with st.expander(tr("branch_table", lang)):
        st.dataframe(
            branch_table(bundle, branches, lang).rename(columns=headers(BRANCH_HEADERS, lang)),
            hide_index=True,
            width="stretch",
        )

    # --- photos of the organisations shown (activity rooms, meetings …) -------
    shown_photos = [
        (node.name(lang), items)
        for _, node in walk(shown_roots)
        if (items := photo_items(bundle, "party_orgs", node.org_id))
    ]
    if shown_photos:
        st.subheader(tr("photo_org_heading", lang))
        for n, (name, items) in enumerate(shown_photos):
            st.markdown(f"**{md_escape(name)}**")
            photo_gallery(items, lang, key=f"org_photo_{n}")

# --- coverage ---------------------------------------------------------------
st.subheader(tr("coverage_heading", lang))
cover = coverage(bundle)
missing = uncovered_sites(bundle)
with st.container(horizontal=True, wrap=True, gap="small"):
    for c in cover:
        label = (
            tr("coverage_all", lang)
            if c.kind == "all"
            else tr("coverage_kind", lang).format(kind=code_label(SITE_KIND_LABELS, c.kind, lang))
        )
        st.metric(
            label,
            percent(c.share),
            delta=tr("coverage_counts", lang).format(covered=c.covered, total=c.total),
            delta_arrow="off",
            delta_color="off",
            border=True,
            width=170,
        )
left, right = st.columns([2, 3], gap="medium")
with left:
    st.markdown(f"**{tr('uncovered_heading', lang)}**")
    if missing.empty:
        st.success(tr("all_covered", lang), icon=":material/check_circle:")
    else:
        st.dataframe(
            uncovered_table(bundle, missing, lang).rename(columns=headers(UNCOVERED_HEADERS, lang)),
            hide_index=True,
            width="stretch",
        )
with right:
    map_panel(
        bundle,
        lang,
        key="organisation_uncovered_map",
        highlight_sites=[str(s) for s in missing["site_id"]],
        height=360,
    )
    st.caption(tr("uncovered_map_caption", lang))

# --- chains -----------------------------------------------------------------
st.subheader(tr("chains_heading", lang))
chain_list = chains(bundle)
if not chain_list:
    st.info(tr("no_chains", lang), icon=":material/info:")
else:
    st.graphviz_chart(
        chains_dot(chain_list, lang, tr("built_on_chain_edge", lang)), width="content"
    )
    st.dataframe(
        chain_table(chain_list, lang).rename(columns=headers(CHAIN_HEADERS, lang)),
        hide_index=True,
        width="stretch",
    )
