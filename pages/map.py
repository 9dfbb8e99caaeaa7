"""总览地图: the whole township on one map; click or find a feature to see its details."""

import streamlit as st

from township_atlas.labels import tr
from township_atlas.maps.choropleth import choropleth
from township_atlas.selection import search_options
from township_atlas.ui.chrome import start_page
from township_atlas.ui.details import show_details
from township_atlas.ui.map_view import basemaps, clicked_selection, show_map
from township_atlas.ui.url_state import init_from_url, write_to_url

MAP_KEY = "atlas_map"
lang, result = start_page("page_map")
bundle = result.bundle


def _on_map_click() -> None:
    # Runs before the next script run, so the bound "sel" widget may still be changed.
    sel = clicked_selection(MAP_KEY)
    if sel:
        st.session_state["sel"] = sel
        st.session_state["fly"] = False


def _on_search() -> None:
    st.session_state["fly"] = True


options = search_options(bundle, lang)
catalogue = bundle.indicator_catalogue
indicator_labels = dict(
    zip(catalogue["key"], catalogue["label_zh" if lang == "zh" else "label_en"], strict=True)
)
years = sorted({int(y) for y in bundle.indicators.dropna(subset=["value"])["year"]}) or [0]
maps = {b.key: b for b in basemaps()}

year_options = years[::-1]
init_from_url("sel", list(options))
init_from_url("ind", ["", *indicator_labels], default="")
init_from_url("year", year_options, default=year_options[0])
init_from_url("basemap", list(maps), default="none")

# Search stays in view; colouring and basemap sit in a popover, so on a phone the map
# comes right after the search box. The popover's label says what is shown.
search_col, layers_col = st.columns([3, 2], vertical_alignment="bottom")
search_col.selectbox(
    tr("map_search", lang),
    options=list(options),
    format_func=options.get,
    index=None,
    key="sel",
    placeholder=tr("map_search_placeholder", lang),
    on_change=_on_search,
)
current = st.session_state.get("ind")
summary = (
    f"{indicator_labels[current]} · {st.session_state.get('year')}"
    if current
    else tr("map_indicator_none", lang)
)
with layers_col.popover(
    f"{tr('map_layers', lang)}:{summary}", icon=":material/layers:", width="stretch"
):
    indicator = st.selectbox(
        tr("map_indicator", lang),
        options=["", *indicator_labels],
        format_func=lambda k: indicator_labels.get(k) or tr("map_indicator_none", lang),
        key="ind",
    )
    year = st.selectbox(tr("map_year", lang), options=year_options, key="year")
    basemap_key = st.selectbox(
        tr("map_basemap", lang),
        options=list(maps),
        format_func=lambda k: maps[k].label(lang),
        key="basemap",
    )
write_to_url("sel")
write_to_url("ind", default="")
write_to_url("year", default=year_options[0])
write_to_url("basemap", default="none")
if maps[basemap_key].needs_network:
    st.caption(
        tr("map_basemap_network", lang)
        + (" " + tr("map_basemap_gcj", lang) if maps[basemap_key].display_crs == "gcj02" else "")
    )

sel = st.session_state.get("sel")
choro = choropleth(bundle, indicator, int(year), lang) if indicator else None
fly = bool(st.session_state.pop("fly", False))

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
    )
with right:
    show_details(bundle, sel, lang)
