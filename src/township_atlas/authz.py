"""Who may do what: roles, the protected actions, and the one check every action goes through.

Roles are ordered ``viewer < planner < admin``; each action names the least role that may
perform it. Pages may hide a button for convenience, but the check that counts is
:func:`require`, called on the server right before the action runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from township_atlas.errors import AtlasError
from township_atlas.text.labels import tr

Role = Literal["viewer", "planner", "admin"]
Source = Literal["local", "oidc", "anonymous", "console"]

#: Roles from least to most privileged.
ROLES: tuple[Role, ...] = ("viewer", "planner", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}

#: Every protected action and the least role that may perform it.
ACTIONS: dict[str, Role] = {
    "view": "viewer",
    "edit": "planner",
    "import": "planner",
    "export": "planner",
    "manage_accounts": "admin",
    "restore_history": "admin",
}


class PermissionDenied(AtlasError):
    """The user's role does not allow the action (or nobody is logged in)."""

    def __init__(self, user: User | None, action: str) -> None:
        needed = ACTIONS.get(action, "admin")
        fields = {"needed": "", "action": "", "user": "", "role": ""}
        texts = []
        for lang in ("zh", "en"):
            fields["needed"] = tr(f"role_{needed}", lang)
            fields["action"] = tr(f"action_{action}", lang) if action in ACTIONS else action
            if user is None or user.source == "anonymous":
                texts.append(tr("permission_needs_login", lang).format(**fields))
            else:
                fields["user"] = user.label
                fields["role"] = tr(f"role_{user.role}", lang)
                texts.append(tr("permission_denied", lang).format(**fields))
        super().__init__(*texts)
        self.user = user
        self.action = action


@dataclass(frozen=True)
class User:
    """Someone using the app.

    Parameters
    ----------
    name
        The account name (local), the identity provider's user name (OIDC), or
        ``"anonymous"``.
    role
        One of :data:`ROLES`.
    source
        ``"local"`` account, ``"oidc"`` single sign-on, ``"anonymous"`` viewing, or
        ``"console"`` for the account command run on the server.
    display_name
        A friendlier name to show, if the identity provider gives one.
    """

    name: str
    role: Role
    source: Source
    display_name: str = ""

    def __post_init__(self) -> None:
        if self.role not in _RANK:
            raise ValueError(f"unknown role {self.role!r}")

    @property
    def label(self) -> str:
        """The name to show on a page."""
        return self.display_name or self.name

    @property
    def is_anonymous(self) -> bool:
        return self.source == "anonymous"


ANONYMOUS = User("anonymous", "viewer", "anonymous")


def can(user: User | None, action: str) -> bool:
    """Whether ``user`` may perform ``action``; an unknown action is allowed to nobody."""
    if user is None or action not in ACTIONS:
        return False
    if user.is_anonymous and action != "view":
        return False
    return _RANK[user.role] >= _RANK[ACTIONS[action]]


def require(user: User | None, action: str) -> User:
    """Return ``user`` if they may perform ``action``, else raise :class:`PermissionDenied`.

    Call this on the server immediately before the action changes or exports anything.
    """
    if not can(user, action):
        raise PermissionDenied(user, action)
    assert user is not None  # for the type checker: can() refused None
    return user


def audit_name(user: User | None) -> str:
    """The string recorded with a data change as the user who made it.

    Local accounts are recorded by name (``"alice"``), single sign-on users with a prefix
    so they cannot be mistaken for a local account (``"oidc:alice@example.org"``), and the
    server console as ``"console:<os user>"``. Anonymous viewers change nothing, so asking
    for their name raises :class:`PermissionDenied`.
    """
    if user is None or user.is_anonymous:
        raise PermissionDenied(user, "edit")
    return user.name if user.source == "local" else f"{user.source}:{user.name}"


def parse_role(value: str) -> Role | None:
    """A role name as written in a claim or setting (any case), or ``None``."""
    cleaned = value.strip().lower()
    return cleaned if cleaned in _RANK else None  # type: ignore[return-value]


def highest_role(values: Iterable[str]) -> Role | None:
    """The most privileged recognised role among ``values``, or ``None``."""
    roles = [r for r in (parse_role(v) for v in values) if r is not None]
    return max(roles, key=_RANK.__getitem__) if roles else None


#: Claims that hold an email address: trusted only with ``email_verified`` true.
EMAIL_CLAIMS = frozenset({"email", "upn"})


def _verified(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def oidc_user(
    claims: Mapping[str, object],
    role_claim: str,
    role_map: Mapping[str, Role],
    name_claim: str = "sub",
) -> User:
    """The user described by an identity token's claims.

    The user is named by ONE claim, ``name_claim`` (setting ``oidc_user_claim``, default
    ``sub``, the provider's fixed id); no other claim can stand in for it, so a user who
    can set their own ``preferred_username`` or an unverified email cannot take another's
    role. An email claim counts only when the provider says ``email_verified`` is true.
    The role comes from ``role_map`` when that name (compared case-insensitively) is
    listed there; otherwise from the claim named ``role_claim`` (a string or a list of
    strings; the highest recognised role wins); otherwise the user is a viewer.

    Raises
    ------
    PermissionDenied
        The token has no usable ``name_claim`` (missing, empty, or an unverified email).
    """
    raw_name = claims.get(name_claim)
    if name_claim in EMAIL_CLAIMS and not _verified(claims.get("email_verified")):
        raw_name = None
    if raw_name is None or isinstance(raw_name, Mapping | list | tuple) or not str(raw_name):
        raise PermissionDenied(None, "view")
    name = str(raw_name).strip()
    lowered = {k.strip().lower(): v for k, v in role_map.items()}
    role: Role | None = lowered.get(name.lower())
    if role is None:
        raw = claims.get(role_claim)
        values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
        role = highest_role(str(v) for v in values)
    display = claims.get("name") or claims.get("preferred_username")
    return User(name, role or "viewer", "oidc", str(display) if display else "")
