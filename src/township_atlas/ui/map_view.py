"""The map on a page: render with st_folium, return clicks only, keep the view.

Only ``last_active_drawing`` comes back from the browser, so panning and zooming cause no
rerun. The static map's content (and so the component key) changes only with the data,
language or basemap; colours and the selection travel in ``feature_group_to_add``. The
layers themselves are a static file the map fetches (:mod:`township_atlas.maps.datafile`)
when anyone may look at the app; with anonymous viewing off they stay inside the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from township_atlas import settings
from township_atlas.maps.basemaps import Basemap, available_basemaps
from township_atlas.maps.build import (
    CONFIG_KEYS,
    display_shift,
    dynamic_layer,
    layers_file,
    layers_inline,
    static_data,
    static_map,
)
from township_atlas.maps.choropleth import Choropleth
from township_atlas.maps.datafile import publish
from township_atlas.maps.offline_assets import install_assets, missing_assets_message
from township_atlas.maps.selection import fly_bounds, highlight, parse
from township_atlas.model.bundle import Bundle, LoadResult
from township_atlas.text.labels import tr
from township_atlas.ui.app_paths import static_dir

RETURNED = ["last_active_drawing"]

# The home map fills the window below its controls (a projector, a phone): its frame is
# sized by CSS to the window's height less where the frame starts, which atlas.js measures
# and writes into --atlas-fill-top (maps/atlas.js, fillFrame). Until then, and if the
# script cannot run, the 240 px guess holds; never shorter than 320 px. The title row
# and the top padding are made compact on that page too.
FILL_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.75rem; padding: 0; }
.st-key-atlas_fill_%(key)s iframe {
  height: max(320px, calc(100dvh - var(--atlas-fill-top, 240px))) !important;
}
</style>"""


@st.cache_resource(show_spinner=False)
def _install_assets_once(static_dir: str):
    # Once per process: copying is idempotent, but a stat of every file per run is waste.
    return install_assets(Path(static_dir))


def assets_ready(lang: str) -> bool:
    """Install the map's files; if any is missing, say what and how to fix it."""
    report = _install_assets_once(str(static_dir()))
    if not report.ok:
        st.error(
            f"{tr('map_assets_missing', lang)}:{missing_assets_message(report, lang)}",
            icon=":material/error:",
        )
    return report.ok


def basemaps() -> list[Basemap]:
    return available_basemaps(settings.get("tianditu_token"), static_dir() / "tiles")


@st.cache_resource(max_entries=8, show_spinner=False)
def _static_data(
    _result: LoadResult, fingerprint: str, lang: str, basemap_key: str, as_file: bool
) -> tuple[dict, bytes | str]:
    # Keyed by the data's fingerprint: built once per data version, language and basemap,
    # and shared (read-only) by every session. The layers serialised once: as a file's
    # bytes, or as JSON for inside the page.
    basemap = next(b for b in basemaps() if b.key == basemap_key)
    data = static_data(_result.bundle, lang, basemap, _result.findings)
    return data, layers_file(data) if as_file else layers_inline(data)


def _static_map(result: LoadResult, lang: str, basemap: Basemap, key: str):
    """The static map and the URL of the current layers' file (None when inline).

    Layers go in a file when anyone may see them anyway. Then the map a session first drew
    (its "frame") is kept while only the data changes: the new file's URL travels in the
    dynamic part and the map redraws in place within a second of a save — no remount,
    no lost view. Without a file (private data) a new data version remounts the map.
    """
    public = settings.anonymous_viewing()
    data, layers = _static_data(result, result.fingerprint, lang, basemap.key, public)
    if public:
        try:
            # Cheap when the file is there (one stat); rewritten if it was cleaned away.
            url = publish(static_dir(), layers, result.fingerprint)
        except OSError:
            # A read-only static folder: the layers go inside the page, as before.
            return static_map(data, lang, basemap, layers_inline(data)), None
        frame_key = f"{key}__frame"
        frame = st.session_state.get(frame_key)
        if not frame or frame[0] != (lang, basemap.key):
            # Only what the frame needs (not the layers: sessions must stay light).
            light = {k: data[k] for k in CONFIG_KEYS}
            light["findings"] = {"features": data["findings"]["features"][:1]}
            frame = st.session_state[frame_key] = ((lang, basemap.key), light, url)
        return static_map(frame[1], lang, basemap, data_url=frame[2]), url
    return static_map(data, lang, basemap, layers), None


def clicked_selection(map_key: str) -> str | None:
    """The selection key of the feature last clicked on map ``map_key``, if any."""
    state = st.session_state.get(map_key) or {}
    drawing = state.get("last_active_drawing") or {}
    sel = (drawing.get("properties") or {}).get("sel")
    return sel if parse(sel) else None


def show_map(
    result: LoadResult,
    lang: str,
    *,
    key: str,
    basemap_key: str = "none",
    choro: Choropleth | None = None,
    selections: list[str] | None = None,
    fly: bool = False,
    height: int = 620,
    on_click=None,
    fill_window: bool = False,
) -> None:
    """Render the township map with ``selections`` outlined (and flown to if ``fly``).
    ``on_click`` runs (as a callback, before the next run)
    when a feature is clicked; read it with :func:`clicked_selection`.
    ``fill_window``: the map fills the window's height below where it starts (``height``
    only until the map's script has measured that); for the one map of a page."""
    if not assets_ready(lang):
        return
    bundle = result.bundle
    basemap = next((b for b in basemaps() if b.key == basemap_key), basemaps()[0])
    shift = display_shift(basemap)
    m, data_url = _static_map(result, lang, basemap, key)
    dynamic = dynamic_layer(
        bundle,
        lang,
        basemap,
        choro=choro,
        selection=highlight(bundle, selections, shift),
        fly_to=fly_bounds(bundle, selections, shift) if fly else None,
        data_url=data_url,
    )
    box = st.container(key=f"atlas_fill_{key}") if fill_window else st.container()
    if fill_window:
        st.html(FILL_CSS % {"key": key})
    with box:
        st_folium(
            m,
            key=key,
            height=height,
            use_container_width=True,
            returned_objects=RETURNED,
            feature_group_to_add=dynamic,
            on_change=on_click,
        )


def map_panel(
    bundle: Bundle,
    lang: str,
    *,
    key: str,
    focus_village: str | None = None,
    highlight_sites: list[str] | None = None,
    height: int = 420,
) -> None:
    """A smaller map for other pages: the township, flown to a village, with one village
    or a set of sites outlined."""
    from township_atlas.ui.data import load_current

    result = load_current()
    selections = [f"village:{focus_village}"] if focus_village else []
    selections += [f"site:{s}" for s in highlight_sites or []]
    # ``bundle`` is the page's copy of the current data; the map needs the whole load result
    # (fingerprint and findings), which is the same cached object.
    show_map(
        result,
        lang,
        key=key,
        selections=selections,
        fly=bool(selections),
        height=height,
    )
