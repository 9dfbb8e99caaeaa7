"""数据概况: headline figures computed from the geodata, and the data-check report."""

import pandas as pd
import streamlit as st

from township_atlas.labels import tr
from township_atlas.schema import LAYERS_BY_NAME
from township_atlas.summary import headline, kind_table, reported_comparison, village_table
from township_atlas.ui.chrome import start_page
from township_atlas.ui.data import current_store
from township_atlas.ui.text import md_escape

lang, result = start_page("page_overview")
bundle = result.bundle
head = headline(bundle)


def with_unit(value: object, unit_key: str) -> str:
    return f"{value} {tr(unit_key, lang)}".strip()


st.subheader(tr("headline", lang))
# A wrapping row: four or eight cards across on a projector, two across on a phone.
with st.container(horizontal=True, wrap=True, gap="small"):
    for label_key, value, help_text in (
        (
            # The unit goes in the label so the card stays narrow enough for a phone.
            "area_km2",
            f"{head.area_km2:.1f}",
            tr("area_help", lang) + f" ≈ {head.area_mu:,.0f} {tr('unit_mu', lang)}",
        ),
        ("villages", with_unit(head.villages, "unit_count"), None),
        ("branches", with_unit(head.branches, "unit_count"), None),
        ("members", with_unit(head.members, "unit_people"), None),
        ("rural_branches", with_unit(head.rural_branches, "unit_count"), None),
        ("rural_members", with_unit(head.rural_members, "unit_people"), None),
        ("groups", with_unit(head.groups, "unit_count"), None),
        ("sites", with_unit(head.sites, "unit_count"), None),
    ):
        st.metric(tr(label_key, lang), value, help=help_text, border=True, width=170)

left, right = st.columns([3, 2])
with left:
    st.subheader(tr("computed_vs_reported", lang))
    rows = reported_comparison(bundle, head)
    st.dataframe(
        pd.DataFrame(
            {
                tr("figure", lang): [tr(key, lang) for key, *_ in rows],
                tr("computed", lang): [
                    f"{c:.2f}" if key == "area" else f"{c:.0f}" for key, c, *_ in rows
                ],
                tr("reported", lang): ["—" if r is None else f"{r:g}" for _, _, r, _ in rows],
                tr("agrees", lang): [
                    "—" if a is None else tr("yes" if a else "no", lang) for *_, a in rows
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
with right:
    st.subheader(tr("sites_by_kind", lang))
    kinds = kind_table(head, lang)
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
errors = [f for f in result.findings if f.severity == "error"]
warnings = [f for f in result.findings if f.severity == "warning"]
if not result.findings:
    st.success(tr("data_sound", lang), icon=":material/check_circle:")
else:
    (st.error if errors else st.warning)(
        tr("data_problems", lang).format(errors=len(errors), warnings=len(warnings))
    )
    st.dataframe(
        pd.DataFrame(
            {
                tr("severity", lang): [tr(f"severity_{f.severity}", lang) for f in result.findings],
                tr("layer", lang): [
                    LAYERS_BY_NAME[f.layer].label(lang) if f.layer in LAYERS_BY_NAME else f.layer
                    for f in result.findings
                ],
                tr("feature", lang): [f.feature or "" for f in result.findings],
                tr("message", lang): [f.message(lang) for f in result.findings],
                tr("location", lang): [
                    f"{f.location[0]:.5f}, {f.location[1]:.5f}" if f.location else ""
                    for f in result.findings
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
report = bundle.report
st.caption(
    f"{tr('data_folder', lang)}: {md_escape(current_store().label)} · "
    f"{tr('data_version', lang)}: `{result.fingerprint}`"
    + (
        " · "
        + tr("source_report", lang).format(
            title=md_escape(report.get("title_zh" if lang == "zh" else "title_en", ""))
        )
        if report
        else ""
    )
)
