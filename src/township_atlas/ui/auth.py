"""Who is using this session, at the Streamlit edge: local login, single sign-on, anonymous.

A local login lives in the session's server-side state (never in a cookie or the URL) and
ends after ``session_idle_minutes`` without activity, when the account is disabled, or
when its password is reset. Single sign-on uses ``st.login``; the role comes from a claim
or the ``oidc_roles`` setting. Without a login, the session is an anonymous viewer when
``anonymous_viewing`` is on, else nobody (and app.py shows only the login page).

Pages check before they change or export anything::

    user = require_action("export")  # shows the refusal and stops the page if not allowed

Downloads go through :func:`export_button`, which checks when the file is made.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import streamlit as st

from township_atlas import settings
from township_atlas.accounts import AccountsFileError, AccountStore, policy_from_settings
from township_atlas.authz import ANONYMOUS, PermissionDenied, User, can, oidc_user, require
from township_atlas.errors import AtlasError
from township_atlas.text.labels import tr
from township_atlas.ui.chrome import current_lang, show_error
from township_atlas.ui.text import md_escape

#: Seconds since the epoch; tests replace it to move time on without sleeping.
clock: Callable[[], float] = time.time

#: The session-state key of the login: {"source", "last_seen", and for local "name", "epoch"}.
LOGIN_KEY = "auth_login"
_NOTICE = "auth_notice"  # a labels key to show once in the sidebar (e.g. session expired)
log = logging.getLogger(__name__)


def _now() -> float:
    return clock()


def account_store() -> AccountStore:
    """The local account store named by the settings."""
    return AccountStore(settings.accounts_file(), policy=policy_from_settings(), clock=_now)


# --- single sign-on -----------------------------------------------------------------
def sso_providers() -> list[str | None]:
    """The configured OIDC providers: ``[]`` if none, ``[None]`` for the unnamed one.

    Streamlit reads the ``[auth]`` section of ``.streamlit/secrets.toml``; named providers
    are its sub-tables that have a ``client_id``.
    """
    if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
        return []
    auth = st.secrets["auth"]
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and "client_id" in v]
    return [*named] if named else [None] if "client_id" in auth else []


def sso_installed() -> bool:
    """Whether Authlib, which ``st.login`` needs, is installed (the ``sso`` extra)."""
    return importlib.util.find_spec("authlib") is not None


def start_sso(provider: str | None) -> None:
    """Send the browser to the identity provider."""
    st.login(provider) if provider else st.login()


def _end_sso() -> None:
    st.logout()


def _oidc_claims() -> Mapping[str, Any] | None:
    """The identity token's claims when this session is logged in by single sign-on."""
    if "is_logged_in" in st.user and st.user.is_logged_in:
        return st.user.to_dict()
    return None


# --- the current user ---------------------------------------------------------------
def _local_user(login: dict[str, Any]) -> User | None:
    try:
        return account_store().active_user(login["name"], login["epoch"])
    except AccountsFileError as exc:  # the login page says what is wrong with the file
        log.error("%s", exc.message_en)
        return None


def _sso_user() -> User | None:
    claims = _oidc_claims()
    if not claims:
        return None
    try:
        return oidc_user(
            claims, settings.oidc_role_claim(), settings.oidc_roles(), settings.oidc_user_claim()
        )
    except PermissionDenied:  # no usable user claim (missing, or an unverified email)
        log.warning("single sign-on refused: no usable %r claim", settings.oidc_user_claim())
        st.session_state[_NOTICE] = "sso_no_user_claim"
        return None


def current_user() -> User | None:
    """The user of this session, or ``None`` when a login is required and nobody is in.

    Each call counts as activity; a login idle longer than ``session_idle_minutes`` ends
    here (with a notice for the sidebar), and so does a local login whose account was
    disabled or whose password was reset meanwhile.
    """
    now = clock()
    login = st.session_state.get(LOGIN_KEY)
    if login is None and _oidc_claims():  # back from the identity provider
        login = st.session_state[LOGIN_KEY] = {"source": "oidc", "last_seen": now}
    if login is not None:
        if now - login["last_seen"] > settings.session_idle_minutes() * 60:
            logout()
            st.session_state[_NOTICE] = "session_expired"
        else:
            user = _local_user(login) if login["source"] == "local" else _sso_user()
            if user is not None:
                login["last_seen"] = now
                return user
            logout()
    return ANONYMOUS if settings.anonymous_viewing() else None


def session_user(lang: str) -> User | None:
    """:func:`current_user` for app.py: a setting that cannot be used is shown, not raised."""
    try:
        return current_user()
    except AtlasError as exc:
        show_error(exc, lang)
        st.stop()


def client_address() -> str:
    """Where this session's browser connects from, for throttling logins per client.

    The websocket's peer address (``st.context.ip_address``, which headers cannot change).
    Streamlit reports a loopback peer as ``None``; that is a reverse proxy on the same
    machine (README: nginx) or a local user, so then the last ``X-Forwarded-For`` entry,
    the one the proxy itself added, names the browser. Without either: ``"local"``.
    """
    ip = st.context.ip_address
    if isinstance(ip, str) and ip:
        return ip[:64]
    forwarded = st.context.headers.get("X-Forwarded-For")
    last = forwarded.rsplit(",", 1)[-1].strip() if isinstance(forwarded, str) else ""
    return last[:64] if last else "local"


def login(name: str, password: str) -> User:
    """Log this session in with a local account.

    Raises
    ------
    township_atlas.accounts.LoginError
        Wrong name or password (one message for both), too many failures, or disabled.
    """
    store = account_store()
    user = store.authenticate(name, password, client_address())
    info = store.get(user.name)
    epoch = info.session_epoch if info else -1
    st.session_state[LOGIN_KEY] = {
        "source": "local",
        "name": user.name,
        "epoch": epoch,
        "last_seen": clock(),
    }
    st.session_state.pop(_NOTICE, None)
    return user


def logout() -> None:
    """End this session's login (and the single sign-on cookie, if that is how it began)."""
    login = st.session_state.pop(LOGIN_KEY, None)
    if login is not None and login["source"] == "oidc":
        _end_sso()


# --- checks for pages ---------------------------------------------------------------
def allowed(action: str) -> User | None:
    """The current user if they may perform ``action``, else ``None``; shows nothing.

    Use it to decide what to offer. The check that protects an action is
    :func:`require_action`, called right before it runs.
    """
    user = current_user()
    return user if can(user, action) else None


def require_action(action: str, *, stop: bool = True) -> User | None:
    """The current user, checked on the server to be allowed ``action``.

    If they are not, the refusal is shown plainly (in the session's language, saying
    which role is needed) and the page stops (``stop=True``) or ``None`` is returned.
    """
    user = current_user()
    try:
        return require(user, action)
    except PermissionDenied as exc:
        show_error(exc, current_lang())
        if stop:
            st.stop()
        return None


def export_button(
    label: str,
    make: Callable[[], bytes],
    *,
    key: str,
    file_name: str,
    mime: str,
    lang: str,
    icon: str = ":material/download:",
) -> bool:
    """A button that makes a file only when clicked, for a session allowed to export *then*.

    On the click this session's login is checked afresh on the server (the account read
    again from the accounts file: disabled? role now? idle too long?) before ``make`` runs;
    a refusal is shown and nothing is made. The file is then offered for this run only,
    never kept in the session or made ahead of the click (a button drawn for an earlier
    user cannot fetch it). Returns whether a file was made.
    """
    if not st.button(label, key=key, icon=icon):
        return False
    if require_action("export", stop=False) is None:
        return False
    st.download_button(
        tr("download_ready", lang).format(name=file_name),
        make(),
        file_name=file_name,
        mime=mime,
        key=f"{key}__file",
        type="primary",
        icon=":material/save:",
        on_click="ignore",
    )
    return True


def show_notice() -> None:
    """Show, once, why this session was logged out (e.g. it was idle too long)."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.info(tr(notice, current_lang()), icon=":material/schedule:")


# --- chrome ---------------------------------------------------------------------------
def pages_for(
    user: User | None,
    pages: Sequence[Any],
    *,
    login_page: Any,
    admin_pages: Sequence[Any],
    login_script: str = "pages/login.py",
) -> list[Any]:
    """The navigation for ``user``. The login page stays reachable (hidden); admin pages
    are listed but refuse non-admins themselves.

    When nobody is in (a login is required), every page's address opens the login form
    (``login_script``) and keeps its address: a shared link like ``/village?village=V03``
    shows the form at that address — no "Page not found", no detour — and once the login
    succeeds, the rerun at the same address opens the page itself.
    """
    if user is None:
        stand_ins = [
            st.Page(
                login_script,
                title=p.title,
                url_path=p.url_path or "home",
                default=not p.url_path,
                visibility="hidden",
            )
            for p in [*pages, *admin_pages]
            if p.url_path != login_page.url_path
        ]
        return [login_page, *stand_ins]
    return [*pages, *admin_pages, login_page]


def menu_visibility(user: User | None, action: str) -> Literal["visible", "hidden"]:
    """Show a page in the menu only to those allowed ``action`` (a convenience, not a check)."""
    return "visible" if can(user, action) else "hidden"


def account_sidebar(user: User | None, lang: str, *, login_page: Any) -> None:
    """The sidebar block: who is using the app, in which role, and log in / log out.

    When nobody is logged in (a login is required) the login page shows any notice instead.
    """
    if user is None:
        return
    with st.sidebar:
        show_notice()
        if user.is_anonymous:
            st.markdown(f":gray[{tr('anonymous_user', lang)}]")
            st.page_link(login_page, label=tr("page_login", lang), icon=":material/login:")
            return
        st.markdown(
            f":material/account_circle: **{md_escape(user.label)}** · "
            f"{tr(f'role_{user.role}', lang)}",
            help=tr("signed_in_as", lang),
        )
        st.button(tr("logout_button", lang), on_click=logout, icon=":material/logout:")
