"""Roles and actions: who may do what, what a refusal says, how SSO users get a role."""

from __future__ import annotations

import pytest

from township_atlas import settings
from township_atlas.authz import (
    ACTIONS,
    ANONYMOUS,
    ROLES,
    PermissionDenied,
    User,
    audit_name,
    can,
    oidc_user,
    require,
)
from township_atlas.errors import SettingError

# Written out by hand, not derived from ACTIONS: changing a permission must change a test.
ALLOWED = {
    "viewer": {"view"},
    "planner": {"view", "edit", "import", "export"},
    "admin": {"view", "edit", "import", "export", "manage_accounts", "restore_history"},
}


def test_the_table_covers_every_action():
    assert set(ACTIONS) == ALLOWED["admin"]


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("source", ["local", "oidc"])
def test_each_role_on_each_action(role, action, source):
    user = User("someone", role, source)
    if action in ALLOWED[role]:
        assert require(user, action) is user
    else:
        with pytest.raises(PermissionDenied) as refused:
            require(user, action)
        assert refused.value.action == action


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_anonymous_viewers_may_only_look(action):
    assert can(ANONYMOUS, action) is (action == "view")
    assert not can(None, action)
    if action != "view":
        with pytest.raises(PermissionDenied, match="log in"):
            require(ANONYMOUS, action)


def test_an_unknown_action_is_allowed_to_nobody():
    assert not can(User("root", "admin", "local"), "drop_everything")


def test_a_refusal_names_the_user_the_action_and_the_role_needed():
    exc = PermissionDenied(User("pia", "planner", "local"), "manage_accounts")
    assert exc.message("zh") == (
        "“pia”的角色是规划员,不能管理账户:需要管理员或更高的角色。如需权限,请联系管理员。"
    )
    assert "pia is a Planner and may not manage accounts" in exc.message("en")
    anonymous = PermissionDenied(ANONYMOUS, "export")
    assert anonymous.message("zh") == "导出数据需要先登录,且账户角色为规划员或更高。"


@pytest.mark.parametrize(
    ("user", "recorded"),
    [
        (User("pia", "planner", "local"), "pia"),
        (User("pia@example.org", "planner", "oidc"), "oidc:pia@example.org"),
        (User("root", "admin", "console"), "console:root"),
    ],
)
def test_audit_name_records_who_and_how(user, recorded):
    assert audit_name(user) == recorded


def test_anonymous_changes_carry_no_name_because_there_are_none():
    with pytest.raises(PermissionDenied):
        audit_name(ANONYMOUS)
    with pytest.raises(PermissionDenied):
        audit_name(None)


@pytest.mark.parametrize(
    ("claims", "role_map", "expected"),
    [
        ({"sub": "li", "role": "planner"}, {}, "planner"),
        ({"sub": "li", "role": "ADMIN"}, {}, "admin"),
        ({"sub": "li", "role": ["viewer", "planner", "x"]}, {}, "planner"),
        ({"sub": "li", "role": "superuser"}, {}, "viewer"),
        ({"sub": "li"}, {}, "viewer"),
        ({"sub": "Li", "role": "admin"}, {"li": "viewer"}, "viewer"),
        ({"sub": "123"}, {"123": "planner"}, "planner"),
        # Only the one configured claim (sub) names the user: another claim's value that
        # happens to be mapped gives nothing.
        (
            {"sub": "123", "email": "wang@example.org", "email_verified": True},
            {"wang@example.org": "admin"},
            "viewer",
        ),
        ({"sub": "123", "preferred_username": "boss"}, {"boss": "admin"}, "viewer"),
    ],
)
def test_sso_role_from_mapping_then_claim_else_viewer(claims, role_map, expected):
    user = oidc_user(claims, "role", role_map)
    assert (user.role, user.source) == (expected, "oidc")


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "wang@example.org", "email_verified": True}, "admin"),
        ({"email": "Wang@Example.org", "email_verified": "true"}, "admin"),
        ({"email": "wang@example.org", "email_verified": False}, None),
        ({"email": "wang@example.org", "email_verified": "false"}, None),
        ({"email": "wang@example.org"}, None),  # the provider did not say: not trusted
        ({"email": "wang@example.org", "email_verified": 1}, None),
        ({"sub": "wang@example.org", "email_verified": True}, None),  # not the email claim
    ],
)
def test_an_email_names_the_user_only_when_verified(claims, expected):
    if expected is None:
        with pytest.raises(PermissionDenied):
            oidc_user(claims, "role", {"wang@example.org": "admin"}, "email")
    else:
        user = oidc_user(claims, "role", {"wang@example.org": "admin"}, "email")
        assert (user.name.lower(), user.role) == ("wang@example.org", expected)


def test_sso_role_claim_name_is_configurable_and_display_name_is_kept():
    claims = {"sub": "li", "groups": ["admin"], "role": "viewer", "name": "李明"}
    user = oidc_user(claims, "groups", {})
    assert (user.name, user.role, user.label) == ("li", "admin", "李明")


def test_a_token_without_the_user_claim_is_refused():
    for claims in ({"preferred_username": "li"}, {"sub": ""}, {"sub": ["a"]}, {}):
        with pytest.raises(PermissionDenied):
            oidc_user(claims, "role", {})


def test_oidc_roles_setting_is_parsed_and_checked(monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_OIDC_ROLES", " Alice=planner, bob@x.org=ADMIN ,")
    assert settings.oidc_roles() == {"alice": "planner", "bob@x.org": "admin"}
    monkeypatch.setenv("TOWNSHIP_ATLAS_OIDC_ROLES", "alice=boss")
    with pytest.raises(SettingError, match="TOWNSHIP_ATLAS_OIDC_ROLES"):
        settings.oidc_roles()


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("FALSE", False), ("0", False), ("yes", True)]
)
def test_anonymous_viewing_setting(monkeypatch, value, expected):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", value)
    assert settings.anonymous_viewing() is expected


def test_settings_defaults_and_bad_values(monkeypatch):
    for name in ("ANONYMOUS_VIEWING", "SESSION_IDLE_MINUTES", "LOGIN_MAX_FAILURES"):
        monkeypatch.delenv(f"TOWNSHIP_ATLAS_{name}", raising=False)
    for name in ("LOGIN_LOCK_MINUTES", "ACCOUNTS_FILE"):
        monkeypatch.delenv(f"TOWNSHIP_ATLAS_{name}", raising=False)
    assert settings.anonymous_viewing() is True
    assert settings.session_idle_minutes() == 60
    assert (settings.login_max_failures(), settings.login_lock_minutes()) == (5, 15)
    assert settings.accounts_file().parts[-2:] == ("accounts", "accounts.json")
    monkeypatch.setenv("TOWNSHIP_ATLAS_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(SettingError):
        settings.session_idle_minutes()
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "maybe")
    with pytest.raises(SettingError):
        settings.anonymous_viewing()
