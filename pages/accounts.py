"""账户管理: list the local accounts, add one, disable or enable, reset a password, change a
role. Each change runs in a button callback that checks the role again on the server, and
the account store checks it once more; password fields are wiped before anything else."""

from collections.abc import Callable

import streamlit as st

from township_atlas.accounts import PASSWORD_MIN_LENGTH, AccountError
from township_atlas.accounts.tables import ACCOUNT_HEADERS, account_table
from township_atlas.authz import ROLES, User, require
from township_atlas.errors import AtlasError
from township_atlas.text.labels import headers, tr
from township_atlas.ui.auth import account_store, current_user, require_action
from township_atlas.ui.chrome import current_lang, show_error
from township_atlas.ui.text import md_escape

lang = current_lang()
st.title(tr("page_accounts", lang))
require_action("manage_accounts")  # everyone else sees why and the page stops here
store = account_store()


def role_name(role: str) -> str:
    return tr(f"role_{role}", lang)


def take_password(prefix: str) -> str:
    """The two password fields' value (wiped from the session); mismatch raises."""
    first = st.session_state.get(f"{prefix}_pw1") or ""
    second = st.session_state.get(f"{prefix}_pw2") or ""
    st.session_state[f"{prefix}_pw1"] = st.session_state[f"{prefix}_pw2"] = ""
    if first != second:
        raise AccountError("password_mismatch")
    return first


def change(action: Callable[[User], object], done_key: str, name: str, role: str = "") -> None:
    """Run one change as the current user, who must still be allowed to manage accounts."""
    try:
        action(require(current_user(), "manage_accounts"))
    except AtlasError as exc:
        st.session_state["accounts_refused"] = exc
        return
    st.session_state["accounts_done"] = tr(done_key, lang).format(
        name=md_escape(name), role=role_name(role) if role else ""
    )


def add_account() -> None:
    name, role = st.session_state.get("add_name") or "", st.session_state["add_role"]
    try:
        password = take_password("add")
    except AccountError as exc:
        st.session_state["accounts_refused"] = exc
        return
    change(lambda actor: store.add(name, password, role, actor=actor), "account_added", name, role)
    if "accounts_refused" not in st.session_state:
        st.session_state["add_name"] = ""


def reset_password(name: str) -> None:
    try:
        password = take_password("reset")
    except AccountError as exc:
        st.session_state["accounts_refused"] = exc
        return
    change(lambda a: store.reset_password(name, password, actor=a), "password_was_reset", name)


def set_disabled(name: str, disabled: bool) -> None:
    key = "account_disabled" if disabled else "account_enabled"
    change(lambda actor: store.set_disabled(name, disabled, actor=actor), key, name)


def set_role(name: str) -> None:
    role = st.session_state[f"new_role_{name}"]
    change(lambda actor: store.set_role(name, role, actor=actor), "role_changed", name, role)


def password_fields(prefix: str) -> None:
    rule = tr("password_rule", lang).format(n=PASSWORD_MIN_LENGTH)
    for suffix, label in (("pw1", "new_password"), ("pw2", "password_again")):
        st.text_input(
            tr(label, lang),
            key=f"{prefix}_{suffix}",
            type="password",  # never echoed
            autocomplete="new-password",
            help=rule if suffix == "pw1" else None,
        )


if (done := st.session_state.pop("accounts_done", None)) is not None:
    st.success(done, icon=":material/check_circle:")
if (refused := st.session_state.pop("accounts_refused", None)) is not None:
    show_error(refused, lang)

try:
    accounts = store.accounts()
except AtlasError as exc:
    show_error(exc, lang)
    st.stop()

st.subheader(tr("accounts_list", lang))
st.dataframe(
    account_table(accounts, lang).rename(columns=headers(ACCOUNT_HEADERS, lang)),
    hide_index=True,
    width="stretch",
)

add_col, edit_col = st.columns(2, gap="large")
with add_col:
    st.subheader(tr("add_account", lang))
    with st.form("add_account"):
        st.text_input(tr("user_name", lang), key="add_name", max_chars=64, autocomplete="off")
        st.selectbox(
            tr("role", lang),
            ROLES,
            key="add_role",
            format_func=role_name,
            placeholder=tr("choose_placeholder", lang),
        )
        password_fields("add")
        st.form_submit_button(
            tr("add_account_button", lang), icon=":material/person_add:", on_click=add_account
        )

with edit_col:
    st.subheader(tr("edit_account", lang))
    if accounts:
        chosen = st.selectbox(
            tr("choose_account", lang),
            [a.name for a in accounts],
            key="chosen_account",
            placeholder=tr("choose_placeholder", lang),
        )
        info = next(a for a in accounts if a.name == chosen)
        disabled = not info.disabled
        st.button(
            tr("disable_account" if disabled else "enable_account", lang),
            icon=":material/block:" if disabled else ":material/lock_open:",
            on_click=set_disabled,
            args=(chosen, disabled),
        )
        with st.form("change_role"):
            st.selectbox(
                tr("role", lang),
                ROLES,
                index=ROLES.index(info.role),
                key=f"new_role_{chosen}",  # one per account: shows its current role
                format_func=role_name,
                placeholder=tr("choose_placeholder", lang),
            )
            st.form_submit_button(
                tr("change_role", lang), icon=":material/badge:", on_click=set_role, args=(chosen,)
            )
        with st.form("reset_password"):
            st.markdown(f"**{tr('reset_password', lang)}**")
            password_fields("reset")
            st.form_submit_button(
                tr("reset_password", lang),
                icon=":material/key:",
                on_click=reset_password,
                args=(chosen,),
            )
