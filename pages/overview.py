"""数据概况: headline figures computed from the geodata, and the data-check report."""

import streamlit as st

from township_atlas.text.labels import headers, tr
from township_atlas.ui.chrome import start_page
from township_atlas.ui.data import current_store
from township_atlas.ui.setup_guide import missing_note
from township_atlas.ui.text import md_escape
from township_atlas.views.summary import (
    COMPARISON_HEADERS,
    FINDING_HEADERS,
    comparison_table,
    findings_table,
    headline,
    headline_cards,
    kind_table,
    report_title,
    village_table,
)

lang, result = start_page("page_overview")
bundle = result.bundle
head = headline(bundle)
missing = missing_note(bundle, lang, ("villages", "sites", "party_orgs", "indicators"))

st.subheader(tr("headline", lang))
# A wrapping row: four or eight cards across on a projector, two across on a phone.
with st.container(horizontal=True, wrap=True, gap="small"):
    for label, value, help_text in headline_cards(head, lang):
        st.metric(label, value, help=help_text, border=True, width=170)

left, right = st.columns([3, 2])
with left:
    st.subheader(tr("computed_vs_reported", lang))
    st.dataframe(
        comparison_table(bundle, head, lang).rename(columns=headers(COMPARISON_HEADERS, lang)),
        hide_index=True,
        width="stretch",
    )
with right:
    st.subheader(tr("sites_by_kind", lang))
    kinds = kind_table(head, lang)
    if "sites" in missing:
        st.caption(tr("setup_no_data_yet", lang))
    else:
        st.bar_chart(
            kinds,
            x="kind",
            y="count",
            x_label="",
            y_label=tr("count", lang),
            horizontal=True,
            color="#C8161D",
            height=230,
            sort="-count",
        )

st.subheader(tr("village_table", lang))
villages = village_table(bundle, lang)
if "villages" in missing:
    st.caption(tr("setup_no_data_yet", lang))
else:
    st.dataframe(
        villages.rename(
            columns={
                "code": tr("village", lang) + " ID",
                "name": tr("village", lang),
                "area_km2": f"{tr('area', lang)}({tr('unit_km2', lang)})",
                "area_mu": f"{tr('area', lang)}({tr('unit_mu', lang)})",
                "population": tr("population", lang),
                "households": tr("households", lang),
                "leading_industry": tr("leading_industry", lang),
                "members": tr("members", lang),
                "sites": tr("sites", lang),
                "groups": tr("groups", lang),
                "support_unit": tr("support_unit", lang),
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(tr("data_check", lang))
if not result.findings:
    st.success(tr("data_sound", lang), icon=":material/check_circle:")
else:
    (st.error if result.errors else st.warning)(
        tr("data_problems", lang).format(errors=len(result.errors), warnings=len(result.warnings))
    )
    st.dataframe(
        findings_table(result.findings, lang).rename(columns=headers(FINDING_HEADERS, lang)),
        hide_index=True,
        width="stretch",
    )
title = report_title(bundle, lang)
st.caption(
    f"{tr('data_folder', lang)}: {md_escape(current_store().label)} · "
    f"{tr('data_version', lang)}: `{result.fingerprint}`"
    + (
        " · " + tr("source_report", lang).format(title=md_escape(title))
        if title is not None
        else ""
    )
)
