"""登录: a local account form and, when configured, single sign-on."""

import streamlit as st

from township_atlas.accounts import AccountsFileError, LoginError
from township_atlas.text.labels import tr
from township_atlas.ui.auth import (
    account_store,
    current_user,
    login,
    show_notice,
    sso_installed,
    sso_providers,
    start_sso,
)
from township_atlas.ui.chrome import current_lang, show_error

lang = current_lang()


def submit() -> None:
    """Try the login before the page runs; the password is wiped from the session first."""
    name = st.session_state.get("login_name") or ""
    password = st.session_state.get("login_password") or ""
    st.session_state["login_password"] = ""
    try:
        login(name, password)
    except LoginError as exc:
        st.session_state["login_refused"] = exc


user = current_user()
if user is not None and not user.is_anonymous:
    st.switch_page("pages/map.py")  # logged in: on to the map

st.title(tr("login_heading", lang))
show_notice()
if user is None:
    st.info(tr("login_required_notice", lang), icon=":material/lock:")

providers = sso_providers()
if providers:
    if not sso_installed():
        st.error(tr("sso_missing_authlib", lang), icon=":material/error:")
    else:
        for provider in providers:
            label = (
                tr("sso_button_named", lang).format(provider=provider)
                if provider
                else tr("sso_button", lang)
            )
            if st.button(label, key=f"sso_{provider}", type="primary", icon=":material/badge:"):
                start_sso(provider)

try:
    has_accounts = account_store().has_accounts()
except AccountsFileError as exc:
    show_error(exc, lang)
    st.stop()

if has_accounts:
    if providers:
        st.subheader(tr("local_login_heading", lang))
    with st.form("login_form", width=420):
        st.text_input(
            tr("user_name", lang), key="login_name", autocomplete="username", max_chars=64
        )
        st.text_input(
            tr("password", lang),
            key="login_password",
            type="password",  # never echoed
            autocomplete="current-password",
        )
        st.form_submit_button(
            tr("login_button", lang), type="primary", icon=":material/login:", on_click=submit
        )
    refused = st.session_state.pop("login_refused", None)
    if refused is not None:
        show_error(refused, lang)
elif not providers:
    st.warning(tr("no_accounts_yet", lang), icon=":material/person_add:")
    st.code(".venv/bin/python -m township_atlas.accounts add <name> --role admin", language="bash")
