"""Errors from the account store and from logging in; each has a zh and en message."""

from __future__ import annotations

import math

from township_atlas.errors import AtlasError
from township_atlas.text.labels import tr


def _text(key: str, **fields: object) -> tuple[str, str]:
    return tr(key, "zh").format(**fields), tr(key, "en").format(**fields)


class AccountError(AtlasError):
    """An account cannot be added or changed as asked (bad name, weak password, ...)."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(*_text(key, **fields))
        self.key = key


class AccountsFileError(AtlasError):
    """The accounts file exists but cannot be read."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(*_text("accounts_file_bad", path=path, reason=reason))
        self.path = path


class LoginError(AtlasError):
    """A login was refused; the message never says whether the user name exists."""


class LoginFailed(LoginError):
    """Wrong user name or password (deliberately the same message for both)."""

    def __init__(self) -> None:
        super().__init__(*_text("login_failed"))


class LoginThrottled(LoginError):
    """Too soon after a failed login: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(*_text("login_throttled", seconds=math.ceil(retry_after)))
        self.retry_after = retry_after


class LoginLocked(LoginError):
    """Too many failed logins from this client: locked for ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(*_text("login_locked", minutes=math.ceil(retry_after / 60)))
        self.retry_after = retry_after


class LoginDisabled(LoginError):
    """The password was right but the account is disabled."""

    def __init__(self) -> None:
        super().__init__(*_text("login_disabled"))
