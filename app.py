"""Township Atlas: page config and navigation. Nothing else lives here."""

import streamlit as st

from township_atlas.labels import tr
from township_atlas.ui.chrome import current_lang, language_switch

lang = current_lang()
# An emoji favicon is drawn inline; a ":material/...:" one would be fetched from Google.
st.set_page_config(page_title=tr("app_title", lang), page_icon="🗺️", layout="wide")

PAGES = [
    st.Page(
        "pages/map.py",
        title=tr("page_map", lang),
        icon=":material/map:",
        url_path="map",
        default=True,
    ),
    st.Page(
        "pages/overview.py",
        title=tr("page_overview", lang),
        icon=":material/dashboard:",
        url_path="overview",
    ),
]

page = st.navigation(PAGES)
st.sidebar.markdown(f"### {tr('app_title', lang)}\n{tr('app_subtitle', lang)}")
language_switch()
page.run()
