"""The FLOOR map, for comparison only: the least a map page on this stack can be.

A title and an empty ``st_folium`` map (local Leaflet via ``township_atlas.maps.offline_assets``, no
tiles, no layers, no other widget). Whatever a real map page adds is on top of its paint
time, so it shows how much of our map's paint is the fixed stack (Streamlit's front end,
streamlit-folium's iframe and Leaflet) and how much is ours. ``bench/map_bench.py`` runs
it from a temporary folder with static serving, as it does the naive map.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from township_atlas.maps.offline_assets import install_assets, make_map

STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner=False)
def _install() -> bool:
    return install_assets(STATIC_DIR).ok


_install()
st.title("floor")
st_folium(
    make_map(location=[35.9, 105.7], zoom_start=12),
    key="floor",
    height=620,
    use_container_width=True,
    returned_objects=[],
)
