"""指标对比: every village on every indicator for one year — against targets, ranked, totalled
for the township, over the years — and downloadable as Excel or CSV."""

import streamlit as st

from township_atlas.text.labels import headers, tr
from township_atlas.transfer.indicator_template import indicator_template_xlsx, template_year
from township_atlas.ui.auth import allowed, export_button
from township_atlas.ui.chrome import start_page
from township_atlas.ui.indicator_views import status_legend, status_table, trend_chart
from township_atlas.ui.setup_guide import missing_note
from township_atlas.ui.text import md_escape, url_value
from township_atlas.ui.url_choice import url_selectbox
from township_atlas.views import charts
from township_atlas.views.indicator_export import csv_bytes, indicator_sheet, indicator_workbook
from township_atlas.views.indicator_tables import (
    TOTALS_HEADERS,
    group_keys,
    group_label,
    indicator_groups,
    shown_keys,
    status_counts,
    status_text,
    totals_table,
    trend_places,
)
from township_atlas.views.indicators import (
    STATUSES,
    catalogue,
    latest_year,
    rank_table,
    ranking,
    village_codes,
    wide,
    years,
)

lang, result = start_page("page_indicators")
bundle = result.bundle
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_download() -> None:
    """下载明年填报模板: next year's Excel template (planners and admins only)."""
    if not allowed("export") or not village_codes(bundle):
        return
    next_year = template_year(bundle)
    export_button(
        tr("imp_ind_template", lang),
        lambda: indicator_template_xlsx(bundle, next_year),
        key="indicators_template",
        file_name=tr("imp_ind_template_filename", lang).format(year=next_year) + ".xlsx",
        mime=XLSX,
        lang=lang,
    )
    st.caption(tr("imp_ind_template_help", lang).format(year=next_year))


if missing_note(bundle, lang, ("villages", "indicators")):
    st.stop()
cat = catalogue(bundle)
all_years = years(bundle)
if not all_years or not cat or not village_codes(bundle):
    st.info(tr("no_indicators", lang), icon=":material/info:")
    if cat:
        template_download()
    st.stop()

groups = indicator_groups(cat)
with st.container(horizontal=True, wrap=True, gap="medium", vertical_alignment="bottom"):
    year, bad_year = url_selectbox(
        tr("choose_year", lang),
        all_years,
        param="year",
        default=latest_year(bundle),
        format_func=lambda y: tr("year_n", lang).format(year=y),
        width=150,
        placeholder=tr("choose_placeholder", lang),
    )
    # Pills wrap onto a second line on a phone instead of scrolling sideways.
    group = st.pills(
        tr("indicator_group", lang),
        ["all", *groups],
        default="all",
        format_func=lambda g: tr("all_groups", lang) if g == "all" else group_label(g, lang),
        key="indicators_group",
        required=True,
        wrap=True,
    )
    show_ranks = (
        st.segmented_control(
            tr("show_as", lang),
            ["values", "ranks"],
            default="values",
            format_func=lambda v: tr(f"show_{v}", lang),
            key="indicators_show",
            required=True,
            wrap=True,
        )
        == "ranks"
    )
keys = group_keys(cat, group)
with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
    key, bad_key = url_selectbox(
        tr("ranking_indicator", lang),
        keys,
        param="indicator",
        format_func=lambda k: cat[k].label(lang),
        width=320,
        placeholder=tr("choose_placeholder", lang),
    )
for param, value in (("year", bad_year), ("indicator", bad_key)):
    if value is not None:
        st.warning(
            tr("url_rejected", lang).format(param=param, value=url_value(value)),
            icon=":material/link_off:",
        )
ind = cat[key]

values = wide(bundle, year)
has_values = values.notna().any().any() if not values.empty else False
if not has_values:
    st.info(tr("no_values_year", lang).format(year=year), icon=":material/info:")
else:
    # --- the villages × indicators table ------------------------------------
    st.subheader(tr("values_table", lang).format(year=year))
    shown = shown_keys(values, keys)
    statuses = wide(bundle, year, "status")[shown]
    counts = status_counts(statuses)
    st.markdown(" · ".join(f"{status_text(s, lang)} **{counts[s]}**" for s in STATUSES))
    status_legend(lang)
    table = rank_table(bundle, year)[shown] if show_ranks else values[shown]
    st.dataframe(
        status_table(bundle, table, statuses, cat, lang, as_ranks=show_ranks),
        hide_index=True,
        width="stretch",
        key="indicators_table",
    )

    # --- township totals ----------------------------------------------------
    st.subheader(tr("township_totals", lang).format(year=year))
    frame = totals_table(bundle, year, keys, lang).rename(columns=headers(TOTALS_HEADERS, lang))
    # Tall enough for every row: the totals are read in full, not scrolled.
    height = 38 + 35 * len(frame)
    st.dataframe(frame, hide_index=True, width="stretch", height=height, key="indicators_totals")

    # --- ranking ------------------------------------------------------------
    st.subheader(
        tr("ranking_heading", lang).format(indicator=md_escape(ind.label(lang)), year=year)
    )
    ranked = ranking(bundle, year, key)
    st.caption(tr("rank_higher" if ind.higher_is_better else "rank_lower", lang))
    st.echarts_chart(
        charts.ranking(
            [bundle.village_name(c, lang) for c in ranked["place_code"]],
            ranked["value"].tolist(),
            ranked["status"].tolist(),
            ranked["target"].tolist(),
            value_name=ind.label(lang),
            target_name=tr("target", lang),
            unit=ind.unit(lang),
        ),
        height=60 + 34 * len(ranked),
        key="indicators_ranking",
        alt=tr("ranking_heading", lang).format(indicator=ind.label(lang), year=year),
    )

    # --- downloads: planners and admins only, checked here on the server -----
    stem = tr("export_filename", lang).format(year=year)
    if not allowed("export"):
        st.caption(tr("export_needs_planner", lang))
    else:
        with st.container(horizontal=True, gap="small"):
            # Made only when clicked, after checking the login afresh (ui/auth.py).
            export_button(
                tr("download_xlsx", lang),
                lambda: indicator_workbook(bundle, year, lang),
                key="indicators_xlsx",
                file_name=f"{stem}.xlsx",
                mime=XLSX,
                lang=lang,
            )
            export_button(
                tr("download_csv", lang),
                lambda: csv_bytes(indicator_sheet(bundle, year, lang)),
                key="indicators_csv",
                file_name=f"{stem}.csv",
                mime="text/csv",
                lang=lang,
            )
        template_download()

# --- small multiples: the township and every village over the years ---------
st.subheader(tr("small_multiples", lang).format(indicator=md_escape(ind.label(lang))))
with st.container(horizontal=True, wrap=True, gap="small"):
    for place, title in trend_places(bundle, lang):
        with st.container(border=True, width=330):
            trend_chart(bundle, place, ind, lang, title=title, compact=True, height=200)
