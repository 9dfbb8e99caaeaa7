"""Township Atlas: page config and navigation. Nothing else lives here."""

import streamlit as st

from township_atlas.text.labels import tr
from township_atlas.ui.auth import account_sidebar, menu_visibility, pages_for, session_user
from township_atlas.ui.chrome import current_lang, language_switch, phone_layout, township_switch

lang = current_lang(in_app=True)
# An emoji favicon is drawn inline; a ":material/...:" one would be fetched from Google.
st.set_page_config(page_title=tr("app_title", lang), page_icon="🗺️", layout="wide")

# The map answers at "/" (the default page, hidden from the menu) and at "/map" (the menu's
# entry): a link copied from the address bar after choosing the map in the menu is
# "/map?…", and Streamlit serves a default page only at "/" — "/map" alone would open
# with its "Page not found" dialog. Two pages of one script, told apart by URL.
HOME = st.Page(
    "pages/map.py",
    title=tr("page_map", lang),
    icon=":material/map:",
    url_path="home",
    default=True,
    visibility="hidden",
)
PAGES = [
    st.Page(
        "pages/map.py",
        title=tr("page_map", lang),
        icon=":material/map:",
        url_path="map",
    ),
    st.Page(
        "pages/overview.py",
        title=tr("page_overview", lang),
        icon=":material/dashboard:",
        url_path="overview",
    ),
    st.Page(
        "pages/village.py",
        title=tr("page_village", lang),
        icon=":material/home_work:",
        url_path="village",
    ),
    st.Page(
        "pages/indicators.py",
        title=tr("page_indicators", lang),
        icon=":material/leaderboard:",
        url_path="indicators",
    ),
    st.Page(
        "pages/organisation.py",
        title=tr("page_organisation", lang),
        icon=":material/account_tree:",
        url_path="organisation",
    ),
    st.Page(
        "pages/meeting.py",
        title=tr("page_meeting", lang),
        icon=":material/co_present:",
        url_path="meeting",
    ),
]

# Hidden from the menu (the sidebar links to it) but always reachable, also by URL.
LOGIN = st.Page(
    "pages/login.py",
    title=tr("page_login", lang),
    icon=":material/login:",
    url_path="login",
    visibility="hidden",
)
# With anonymous viewing off, nobody logged in sees only the login page.
user = session_user(lang)
# In the menu for those allowed (planners edit, administrators manage accounts); anyone
# else who opens one by URL is told why not, on the server.
ADMIN_PAGES = [
    st.Page(
        "pages/setup.py",
        title=tr("page_setup", lang),
        icon=":material/checklist:",
        url_path="setup",
        visibility=menu_visibility(user, "edit"),
    ),
    st.Page(
        "pages/edit.py",
        title=tr("page_edit", lang),
        icon=":material/edit_location_alt:",
        url_path="edit",
        visibility=menu_visibility(user, "edit"),
    ),
    st.Page(
        "pages/accounts.py",
        title=tr("page_accounts", lang),
        icon=":material/manage_accounts:",
        url_path="accounts",
        visibility=menu_visibility(user, "manage_accounts"),
    ),
]
# HOME after the map's entry: st.switch_page/st.page_link("pages/map.py") name the first
# page of that script, so they go to "/map", the address the menu shows.
page = st.navigation(pages_for(user, [*PAGES, HOME], login_page=LOGIN, admin_pages=ADMIN_PAGES))
st.sidebar.markdown(f"### {tr('app_title', lang)}\n{tr('app_subtitle', lang)}")
language_switch()
township_switch(lang)
account_sidebar(user, lang, login_page=LOGIN)
phone_layout()
page.run()
