"""The NAIVE map, for comparison only: what a first folium + st_folium version would be.

Loads the data folder with ``township_atlas.storage.files.store.Store`` and draws every layer as plain
folium objects (villages as ``folium.GeoJson`` with a ``GeoJsonTooltip``; every site and
Party organisation as a ``folium.Marker`` with a ``folium.Popup``), rebuilt on every run,
and shown with ``st_folium(m)`` defaults (all ``returned_objects``, so every pan and zoom
reruns the script).

The only concessions are the ones that make it paint at all with no internet:
``township_atlas.maps.offline_assets.make_map`` (local Leaflet/jQuery, no CDN) and ``install_assets``
into this script's own ``static/`` folder. ``bench/map_bench.py`` copies this file into a
temporary folder with ``.streamlit/config.toml`` (``enableStaticServing = true``) and runs
it there; nothing of that folder is committed. The data load is cached, like the real app
does, so the comparison is about the map, not about reading files.

Run by hand (from a folder prepared as above):
``TOWNSHIP_ATLAS_DATA_DIR=/tmp/county streamlit run naive_app.py``
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from township_atlas import settings
from township_atlas.maps.offline_assets import install_assets, make_map
from township_atlas.model.bundle import LoadResult
from township_atlas.storage.files.store import Store

STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner=False)
def _install() -> bool:
    # Copies Leaflet & co. into ./static/vendor once per process (served by Streamlit).
    return install_assets(STATIC_DIR).ok


@st.cache_resource(show_spinner=False)
def _load(path: str) -> LoadResult:
    # Same loader as the app; cached so that each run measures only the map.
    return Store(path).load()


def _point(geom: Any) -> list[float]:
    # folium wants [lat, lon]; a site with an area gets its marker inside the polygon.
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    return [p.y, p.x]


def build_map(result: LoadResult) -> folium.Map:
    """Every layer as plain folium objects, one Python object per feature."""
    b = result.bundle
    minx, miny, maxx, maxy = b.villages.total_bounds
    m = make_map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=12, max_zoom=18)
    folium.GeoJson(
        b.township[["name_zh", "geometry"]].to_json(),
        name="township",
        style_function=lambda _f: {"color": "#6D4C41", "weight": 3, "fill": False},
    ).add_to(m)
    folium.GeoJson(
        b.villages[["code", "name_zh", "leading_industry_zh", "geometry"]].to_json(),
        name="villages",
        tooltip=folium.GeoJsonTooltip(fields=["name_zh", "leading_industry_zh"]),
        style_function=lambda _f: {"color": "#8D6E63", "weight": 1.5, "fillOpacity": 0.4},
    ).add_to(m)
    for s in b.sites.itertuples(index=False):
        if s.geometry is None or s.geometry.is_empty:
            continue
        folium.Marker(
            _point(s.geometry),
            popup=folium.Popup(f"{s.name_zh}<br>{s.kind}", max_width=260),
        ).add_to(m)
    for o in b.party_orgs.itertuples(index=False):
        if o.geometry is None or o.geometry.is_empty:
            continue
        folium.Marker(
            _point(o.geometry),
            popup=folium.Popup(f"{o.name_zh}<br>{o.level}", max_width=260),
        ).add_to(m)
    folium.LayerControl().add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


st.set_page_config(page_title="naive map", layout="wide")
if not _install():
    st.error("map assets missing")
    st.stop()
result = _load(str(settings.data_dir()))
st.title(f"Naive map: {len(result.bundle.sites)} sites")
st_folium(build_map(result))
