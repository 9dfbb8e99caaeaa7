"""The details panel beside a map: plain text and tables, never HTML from the data."""

from __future__ import annotations

import streamlit as st

from township_atlas.maps.details_table import figure_headers, figures_table
from township_atlas.maps.selection import details, parse
from township_atlas.model.bundle import Bundle
from township_atlas.text.labels import tr
from township_atlas.ui.app_paths import app_dir
from township_atlas.ui.auth import allowed
from township_atlas.ui.edit_common import show_flash
from township_atlas.ui.edit_photos import photo_adder
from township_atlas.ui.photos import photo_gallery
from township_atlas.ui.text import md_escape
from township_atlas.views.photos import photo_items

# The selection's kind -> the layer its photos are indexed under.
PHOTO_LAYER_OF = {"site": "sites", "org": "party_orgs"}


def _village_page_exists() -> bool:
    return (app_dir() / "pages" / "village.py").exists()


def show_details(bundle: Bundle, sel: str | None, lang: str) -> None:
    """Details of the selection, or a hint how to select something."""
    st.subheader(tr("map_details", lang))
    if not sel:
        st.caption(tr("map_click_hint", lang))
        return
    d = details(bundle, sel, lang)
    if d is None:
        st.warning(tr("map_selection_gone", lang))
        return
    # st.text never interprets markup, whatever a name contains.
    st.markdown(f"#### {md_escape(d.title)}")
    st.caption(md_escape(d.subtitle))
    st.markdown("  \n".join(f"**{tr(k, lang)}**:{md_escape(v)}" for k, v in d.facts))
    kind, ident = parse(sel) or ("", "")
    photos = photo_items(bundle, PHOTO_LAYER_OF[kind], ident) if kind in PHOTO_LAYER_OF else []
    if photos:
        st.markdown(f"**{tr('photo_heading', lang)}**")
        photo_gallery(photos, lang, key=f"details_photo_{kind}_{ident}")
    if kind in PHOTO_LAYER_OF and allowed("edit") is not None:
        _planner_photos(bundle, lang, PHOTO_LAYER_OF[kind], ident)
    if d.figures:
        table = figures_table(d.figures, lang).rename(columns=figure_headers(lang))
        st.dataframe(table, hide_index=True, width="stretch")
    for key, items in d.lists:
        st.markdown(f"**{tr(key, lang)}**")
        for item in items:
            st.text("· " + item)
    if d.village_code and _village_page_exists():
        st.page_link(
            "pages/village.py",
            label=tr("map_open_village", lang),
            icon=":material/arrow_forward:",
            query_params={"village": d.village_code},
        )


def _planner_photos(bundle: Bundle, lang: str, layer: str, fid: str) -> None:
    """For planners: add photos here (on a phone the picker offers the camera), and a link
    to the feature's form on the editing page for captions, order and deleting."""
    with st.container():  # one slot, present or empty, so what follows keeps its place
        show_flash()  # "n photos added" after the rerun that follows a save
    # Keyed: the part stays open while photos are chosen (without a key, the flash going
    # away on the next rerun made it a new element, closed, hiding the add button).
    with st.expander(
        tr("photo_add_heading", lang), icon=":material/add_a_photo:", key=f"photo_add_{layer}_{fid}"
    ):
        photo_adder(bundle, lang, layer, fid)
    st.page_link(
        "pages/edit.py",
        label=tr("photo_manage_link", lang),
        icon=":material/photo_library:",
        query_params={"tab": "map", "layer": layer, "id": fid},
    )
