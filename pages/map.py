"""总览地图: the whole township on one map; click or find a feature to see its details."""

import streamlit as st

from township_atlas.maps.choropleth import choropleth
from township_atlas.maps.selection import find_sites, search_options, selected_site_options
from township_atlas.text.labels import tr
from township_atlas.ui.chrome import start_page
from township_atlas.ui.details import show_details
from township_atlas.ui.map_view import basemaps, clicked_selection, show_map
from township_atlas.ui.setup_guide import missing_note
from township_atlas.ui.url_choice import url_selectbox
from township_atlas.ui.wallmap import wall_map_download
from township_atlas.views.indicators import catalogue, latest_year, years

MAP_KEY = "atlas_map"
lang, result = start_page("page_map")
bundle = result.bundle
missing_note(bundle, lang, ("villages", "sites", "party_orgs"))


def _on_map_click() -> None:
    # Runs before the next script run: the click goes into the URL (which the selectbox
    # follows) and is remembered, so the map does not fly to what the user just clicked.
    sel = clicked_selection(MAP_KEY)
    if sel:
        st.query_params["sel"] = sel
        st.session_state["map_clicked"] = sel


# Up to this many sites every site is in the search box. A county's 10,000 would be a
# 570 kB list, sent again with every click (the box's value changes with the selection);
# there the sites are found by part of their name instead.
SEARCH_ALL_SITES = 500
many_sites = len(bundle.sites) > SEARCH_ALL_SITES
options = search_options(bundle, lang, sites=not many_sites)
indicator_labels = {key: ind.label(lang) for key, ind in catalogue(bundle).items()}
# The same years as every page (indicators.years), latest first; a township with no
# indicator records still gets a year box (the colouring is off then anyway).
year_options = years(bundle)[::-1] or [0]
default_year = latest_year(bundle) or year_options[0]
maps = {b.key: b for b in basemaps()}


def _from_url(param: str, choices: list, default):
    raw = st.query_params.get(param)
    return next((c for c in choices if str(c) == raw), default)


# Search stays in view; colouring and basemap sit in a popover, so on a phone the map
# comes right after the search box. The popover's label says what is shown (from the URL,
# which is where the choices live).
search_col, layers_col = st.columns([3, 2], vertical_alignment="bottom")
search_box = search_col.container()
if many_sites:
    query = search_col.text_input(
        tr("map_find_site", lang),
        key="map_site_query",
        placeholder=tr("map_find_site_placeholder", lang),
    )
    found = find_sites(bundle, lang, query)
    if query.strip():
        search_col.caption(
            tr("map_find_site_found", lang).format(n=len(found))
            if found
            else tr("map_find_site_none", lang).format(q=query.strip())
        )
    options.update(found)
    # The selected site (clicked, or from a link) must be an option to be shown.
    options.update(selected_site_options(bundle, lang, st.query_params.get("sel")))
sel, _ = url_selectbox(
    tr("map_search", lang),
    [None, *options],
    param="sel",
    default=None,
    format_func=lambda k: options.get(k, tr("map_search_placeholder", lang)),
    container=search_box,
    placeholder=tr("choose_placeholder", lang),
)
shown_ind = _from_url("ind", list(indicator_labels), None)
summary = (
    f"{indicator_labels[shown_ind]} · {_from_url('year', year_options, default_year)}"
    if shown_ind
    else tr("map_indicator_none", lang)
)
with layers_col.popover(
    f"{tr('map_layers', lang)}:{summary}", icon=":material/layers:", width="stretch"
):
    indicator, _ = url_selectbox(
        tr("map_indicator", lang),
        ["", *indicator_labels],
        param="ind",
        default="",
        format_func=lambda k: indicator_labels.get(k) or tr("map_indicator_none", lang),
        placeholder=tr("choose_placeholder", lang),
    )
    year, _ = url_selectbox(
        tr("map_year", lang),
        year_options,
        param="year",
        default=default_year,
        placeholder=tr("choose_placeholder", lang),
    )
    basemap_key, _ = url_selectbox(
        tr("map_basemap", lang),
        list(maps),
        param="basemap",
        default="none",
        format_func=lambda k: maps[k].label(lang),
        placeholder=tr("choose_placeholder", lang),
    )
if maps[basemap_key].needs_network:
    st.caption(
        tr("map_basemap_network", lang)
        + (" " + tr("map_basemap_gcj", lang) if maps[basemap_key].display_crs == "gcj02" else "")
    )

# Fly to a feature chosen by name or opened from a link, not to one just clicked.
fly = (
    sel is not None
    and sel != st.session_state.get("map_shown_sel")
    and sel != (st.session_state.get("map_clicked"))
)
st.session_state["map_shown_sel"] = sel
choro = choropleth(bundle, indicator, int(year), lang) if indicator else None

left, right = st.columns([7, 3], gap="medium")
with left:
    show_map(
        result,
        lang,
        key=MAP_KEY,
        basemap_key=basemap_key,
        choro=choro,
        selections=[sel] if sel else [],
        fly=fly,
        on_click=_on_map_click,
        fill_window=True,
    )
with right:
    show_details(bundle, sel, lang)
    wall_map_download(bundle, lang, indicator=indicator or None, year=int(year))
