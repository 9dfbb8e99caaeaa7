"""AppTest: logging in and out, anonymous viewing on and off, idle expiry, the accounts page
for every role, single sign-on, and that no password or hash reaches a page."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from township_atlas.accounts import AccountStore
from township_atlas.authz import ACTIONS, User
from township_atlas.ui import auth

from .accounts_helpers import NAME_OF, PASSWORDS, Clock, fast_hasher, install_accounts
from .apptest import log_in, open_page

ROOT = Path(__file__).resolve().parent.parent
LOGIN, ACCOUNTS, INDICATORS = "pages/login.py", "pages/accounts.py", "pages/indicators.py"
SECRETS = [*PASSWORDS.values(), "$argon2"]


@pytest.fixture
def accounts(data_env, tmp_path, monkeypatch) -> Path:
    return install_accounts(tmp_path, monkeypatch)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth, "clock", clock)
    return clock


def store(path: Path) -> AccountStore:
    return AccountStore(path, hasher=fast_hasher())


def app(login_as: str | None = None, clock: Clock | None = None) -> AppTest:
    """The app, run once; ``login_as`` starts the session logged in (epoch 0: a new account)."""
    return open_page(login_as=login_as, last_seen=clock() if clock else 0)


def page_text(at: AppTest) -> str:
    """Everything the session would send to the browser, as text."""
    parts: list[str] = []

    def walk(node) -> None:
        if getattr(node, "proto", None) is not None:
            parts.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts.append(repr(at.session_state.to_dict()))  # user state and widget values
    return "\n".join(parts)


def sidebar_text(at: AppTest) -> str:
    return " ".join(
        [m.value for m in at.sidebar.markdown]
        + [c.value for c in at.sidebar.caption]
        + [b.label for b in at.sidebar.button]
        + [i.value for i in at.sidebar.info]
    )


# --- anonymous viewing ----------------------------------------------------------------
def test_anonymous_viewing_is_on_by_default_with_a_way_to_log_in(accounts):
    at = app()
    assert not at.exception and "总览地图" in at.title[0].value
    assert "访客(未登录)" in sidebar_text(at)
    assert at.sidebar.get("page_link")


def test_with_anonymous_viewing_off_only_the_login_page_is_reachable(accounts, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    at = app()
    assert at.title[0].value == "登录 · 乡村党建产业地图"
    assert "需要登录" in at.info[0].value
    for page in ("pages/overview.py", "pages/map.py", ACCOUNTS):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_without_accounts_the_login_page_says_how_to_create_the_first_admin(
    data_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ACCOUNTS_FILE", str(tmp_path / "none.json"))
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    at = app()
    assert "还没有任何账户" in at.warning[0].value
    assert "township_atlas.accounts add <name> --role admin" in at.code[0].value
    assert not at.text_input


# --- logging in -----------------------------------------------------------------------
def test_login_flow_wrong_password_then_right_one(accounts, clock, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    at = app()
    at.text_input(key="login_name").set_value("pia")
    at.text_input(key="login_password").set_value("wrong-password")
    at.button[0].click().run()
    assert at.error[0].value == "用户名或密码错误。"
    assert at.text_input(key="login_password").value == ""  # wiped, not kept in the session
    assert (
        at.text_input(key="login_password").proto.type
        == at.text_input(key="login_password").proto.PASSWORD
    )  # never echoed

    at.text_input(key="login_password").set_value(PASSWORDS["pia"])
    at.button[0].click().run()
    assert "请 1 秒后再试" in at.error[0].value  # slowed after a failure

    clock.advance(2)
    at.text_input(key="login_password").set_value(PASSWORDS["pia"])
    at.button[0].click().run()
    assert not at.exception and "总览地图" in at.title[0].value  # on to the map
    assert at.session_state[auth.LOGIN_KEY]["name"] == "pia"
    for secret in SECRETS:
        assert secret not in page_text(at) and secret not in caplog.text


def test_sidebar_shows_name_and_role_and_logs_out(accounts, clock):
    at = app("pia", clock)
    assert "pia" in sidebar_text(at) and "规划员" in sidebar_text(at)
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert auth.LOGIN_KEY not in at.session_state
    assert not at.exception and "总览地图" in at.title[0].value  # still looking, anonymously


def test_after_logging_out_with_anonymous_viewing_off_nothing_is_shown(
    accounts, clock, monkeypatch
):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    at = app("ada", clock)
    assert "管理员" in sidebar_text(at)
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert auth.LOGIN_KEY not in at.session_state
    assert not at.metric and not at.dataframe
    shown = " ".join(t.value for t in at.title) + " ".join(e.value for e in at.error)
    assert "登录" in shown and "总览地图" not in shown


DATA_PAGES = ["pages/map.py", "pages/overview.py", "pages/village.py", INDICATORS]
DATA_PAGES += ["pages/organisation.py"]


@pytest.mark.parametrize("page", DATA_PAGES)
def test_data_pages_refuse_by_themselves_when_a_login_is_required(accounts, monkeypatch, page):
    """While pages/ sits beside app.py, Streamlit's legacy multipage mode can run a page
    without app.py (a cold server's first request for /overview): the page checks too."""
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    at = open_page(script=page)
    assert not at.exception
    assert "查看数据需要先登录" in at.error[0].value
    assert not at.metric and not at.dataframe and not at.title


def who_page() -> None:
    import streamlit as st

    from township_atlas.ui.auth import current_user, show_notice

    user = current_user()
    show_notice()
    st.markdown(f"user: {user.name if user else None}")


def who(at: AppTest) -> str:
    return at.run().markdown[-1].value


def test_an_idle_session_expires(accounts, clock, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_SESSION_IDLE_MINUTES", "30")
    at = AppTest.from_function(who_page, default_timeout=30)
    log_in(at, "pia", last_seen=clock())
    assert who(at) == "user: pia"
    for _ in range(3):  # each run is activity: the 30 minutes start again
        clock.advance(29 * 60)
        assert who(at) == "user: pia"
    clock.advance(31 * 60)
    assert who(at) == "user: anonymous"
    assert at.info[0].value == "长时间未操作,已自动退出登录。"
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    assert who(at) == "user: None" and not at.info  # the notice is shown once


def test_disabling_an_account_or_resetting_its_password_ends_its_session(accounts, clock):
    console = User("root", "admin", "console")
    at = AppTest.from_function(who_page, default_timeout=30)
    for name, change in (
        ("pia", lambda: store(accounts).set_disabled("pia", True, actor=console)),
        ("vic", lambda: store(accounts).reset_password("vic", "new-password-1", actor=console)),
    ):
        log_in(at, name, last_seen=clock())
        assert who(at) == f"user: {name}"
        change()
        assert who(at) == "user: anonymous"


# --- the check pages call -------------------------------------------------------------
def guarded_page() -> None:
    import streamlit as st

    from township_atlas.ui.auth import require_action

    user = require_action(st.session_state["action"])
    st.success(f"allowed {user.name}")


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", ["anonymous", "viewer", "planner", "admin"])
def test_require_action_for_each_role_on_each_action(accounts, clock, who, action):
    at = AppTest.from_function(guarded_page, default_timeout=30)
    at.session_state["action"] = action
    if who != "anonymous":
        log_in(at, NAME_OF[who], last_seen=clock())
    at.run()
    role = "viewer" if who == "anonymous" else who
    allowed = {"viewer": 0, "planner": 1, "admin": 2}[role] >= {
        "viewer": 0,
        "planner": 1,
        "admin": 2,
    }[ACTIONS[action]] and (who != "anonymous" or action == "view")
    assert bool(at.success) is allowed
    assert bool(at.error) is not allowed
    if not allowed:
        assert ("需要先登录" if who == "anonymous" else "不能") in at.error[0].value


# --- the accounts page ----------------------------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "viewer", "planner"])
def test_the_accounts_page_refuses_everyone_but_admins(accounts, clock, who):
    at = app(None if who == "anonymous" else NAME_OF[who], clock)
    at.switch_page(ACCOUNTS).run()
    assert not at.exception
    assert "管理账户" in at.error[0].value
    assert not at.main.dataframe and not at.main.text_input and not at.main.button


def test_admins_see_the_accounts_but_never_a_hash(accounts, clock):
    at = app("ada", clock)
    at.switch_page(ACCOUNTS).run()
    table = at.dataframe[0].value
    assert list(table["用户名"]) == ["ada", "pia", "vic"]
    assert list(table["角色"]) == ["管理员", "规划员", "浏览者"]
    for secret in SECRETS:
        assert secret not in page_text(at)


def fill_new_account(at: AppTest, name: str, password: str, again: str) -> None:
    at.text_input(key="add_name").set_value(name)
    at.selectbox(key="add_role").set_value("planner")
    at.text_input(key="add_pw1").set_value(password)
    at.text_input(key="add_pw2").set_value(again)
    next(b for b in at.button if b.label == "添加").click().run()


def test_an_admin_adds_a_planner_who_can_then_log_in(accounts, clock):
    at = app("ada", clock)
    at.switch_page(ACCOUNTS).run()
    fill_new_account(at, "lin", "lin-password-1", "lin-password-2")
    assert "两次输入的密码不一致" in at.error[0].value
    assert not store(accounts).get("lin")
    fill_new_account(at, "lin", "lin-password-1", "lin-password-1")
    assert "已添加账户“lin”(规划员)" in at.success[0].value
    assert at.text_input(key="add_pw1").value == ""  # wiped
    info = store(accounts).get("lin")
    assert (info.role, info.created_by) == ("planner", "ada")
    assert store(accounts).authenticate("lin", "lin-password-1").role == "planner"
    assert "lin-password-1" not in page_text(at)


def test_an_admin_demoted_meanwhile_is_refused_at_the_moment_of_the_change(accounts, clock):
    at = app("ada", clock)
    at.switch_page(ACCOUNTS).run()
    console = User("root", "admin", "console")
    store(accounts).add("bea", "bea-admin-pass", "admin", actor=console)
    store(accounts).set_role("ada", "viewer", actor=console)  # in another session
    fill_new_account(at, "lin", "lin-password-1", "lin-password-1")
    assert not store(accounts).get("lin")
    assert "管理账户" in at.error[0].value


def test_an_admin_disables_resets_and_changes_roles(accounts, clock):
    at = app("ada", clock)
    at.switch_page(ACCOUNTS).run()
    at.selectbox(key="chosen_account").set_value("vic").run()
    next(b for b in at.button if b.label == "停用账户").click().run()
    assert "已停用账户“vic”" in at.success[0].value and store(accounts).get("vic").disabled
    next(b for b in at.button if b.label == "启用账户").click().run()
    assert not store(accounts).get("vic").disabled
    at.selectbox(key="new_role_vic").set_value("planner")
    next(b for b in at.button if b.label == "更改角色").click().run()
    assert store(accounts).get("vic").role == "planner"
    at.text_input(key="reset_pw1").set_value("vic-new-password")
    at.text_input(key="reset_pw2").set_value("vic-new-password")
    next(b for b in at.button if b.label == "重置密码").click().run()
    assert store(accounts).authenticate("vic", "vic-new-password")
    assert store(accounts).get("vic").changed_by == "ada"
    assert "vic-new-password" not in page_text(at)
    assert "$argon2" not in json.dumps(at.dataframe[0].value.to_dict())


# --- single sign-on -------------------------------------------------------------------
SSO_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "placeholder",
    "client_id": "placeholder",
    "client_secret": "placeholder",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}


def test_single_sign_on_button_starts_st_login(accounts, monkeypatch):
    started = []
    monkeypatch.setattr(auth, "sso_installed", lambda: True)
    monkeypatch.setattr(auth, "start_sso", started.append)
    at = open_page(LOGIN, secrets={"auth": SSO_SECRETS})
    next(b for b in at.button if b.label == "单点登录").click().run()
    assert started == [None]
    assert at.text_input(key="login_name")  # local accounts still work beside it


def test_single_sign_on_without_authlib_says_what_to_install(accounts, monkeypatch):
    monkeypatch.setattr(auth, "sso_installed", lambda: False)
    at = open_page(LOGIN, secrets={"auth": SSO_SECRETS})
    assert "Authlib" in at.error[0].value


@pytest.mark.parametrize(
    ("claims", "mapping", "shown"),
    [
        ({"sub": "li", "name": "李明", "role": "planner"}, "", "李明 · 规划员"),
        ({"email": "wang@example.org", "sub": "1"}, "1=admin", "管理员"),
        ({"preferred_username": "zhao", "sub": "2"}, "", "浏览者"),
    ],
)
def test_single_sign_on_users_get_their_role(accounts, monkeypatch, claims, mapping, shown):
    monkeypatch.setenv("TOWNSHIP_ATLAS_OIDC_ROLES", mapping)
    monkeypatch.setattr(auth, "_oidc_claims", lambda: claims)
    ended = []
    monkeypatch.setattr(auth, "_end_sso", lambda: ended.append(True))
    at = app()
    assert shown in sidebar_text(at).replace("**", "")
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert ended == [True]


# --- exports ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "viewer"])
def test_viewers_get_no_export_on_the_indicators_page(accounts, clock, who):
    at = app(None if who == "anonymous" else NAME_OF[who], clock)
    at.switch_page(INDICATORS).run()
    assert not at.exception
    assert not at.get("download_button")
    assert not [b for b in at.button if b.key in ("indicators_xlsx", "indicators_csv")]


@pytest.mark.parametrize("who", ["planner", "admin"])
def test_planners_and_admins_get_the_indicator_downloads(accounts, clock, who):
    at = app(NAME_OF[who], clock)
    at.switch_page(INDICATORS).run()
    assert not at.exception
    # Offered as buttons; the file is made on the click (tests/test_downloads.py).
    assert [at.button(key=k).label for k in ("indicators_xlsx", "indicators_csv")] == [
        "下载 Excel",
        "下载 CSV",
    ]
    assert not at.get("download_button")
    at.button(key="indicators_csv").click().run()
    assert not at.exception
    (made,) = at.get("download_button")
    assert made.proto.label.endswith(".csv") and not made.proto.deferred_file_id


@pytest.mark.parametrize("verified", [True, False, None])
def test_single_sign_on_by_email_needs_a_verified_email(accounts, monkeypatch, verified):
    monkeypatch.setenv("TOWNSHIP_ATLAS_OIDC_USER_CLAIM", "email")
    monkeypatch.setenv("TOWNSHIP_ATLAS_OIDC_ROLES", "wang@example.org=admin")
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "false")
    claims = {"email": "wang@example.org", "sub": "9", "name": "王"}
    if verified is not None:
        claims["email_verified"] = verified
    monkeypatch.setattr(auth, "_oidc_claims", lambda: claims)
    ended = []
    monkeypatch.setattr(auth, "_end_sso", lambda: ended.append(True))
    at = app()
    assert not at.exception
    if verified:
        assert "管理员" in sidebar_text(at).replace("**", "")
    else:  # not logged in: the login page says why, and the sign-on is ended
        assert ended and auth.LOGIN_KEY not in at.session_state  # (fake claims stay)
        assert "邮箱未经身份提供方验证" in " ".join(i.value for i in at.info)


@pytest.mark.parametrize(
    ("ip", "headers", "expected"),
    [
        ("203.0.113.9", {"X-Forwarded-For": "1.2.3.4"}, "203.0.113.9"),  # headers ignored
        (None, {"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}, "198.51.100.7"),  # nginx's own
        (None, {}, "local"),
    ],
)
def test_the_login_client_is_the_peer_or_what_the_local_proxy_added(
    monkeypatch, ip, headers, expected
):
    from types import SimpleNamespace

    import streamlit

    monkeypatch.setattr(streamlit, "context", SimpleNamespace(ip_address=ip, headers=headers))
    assert auth.client_address() == expected
