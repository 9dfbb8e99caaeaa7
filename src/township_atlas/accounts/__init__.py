"""Local accounts for a township without single sign-on.

``AccountStore`` keeps accounts in one JSON file (setting ``accounts_file``); the
command ``python -m township_atlas.accounts`` adds, disables, enables, resets and lists
them, and creates the first administrator.
"""

from __future__ import annotations

from township_atlas import settings
from township_atlas.accounts.errors import (
    AccountError,
    AccountsFileError,
    LoginDisabled,
    LoginError,
    LoginFailed,
    LoginLocked,
    LoginThrottled,
)
from township_atlas.accounts.lockout import LockoutPolicy
from township_atlas.accounts.passwords import PASSWORD_MIN_LENGTH, check_password, normalise_name
from township_atlas.accounts.store import AccountInfo, AccountStore


def policy_from_settings() -> LockoutPolicy:
    """The lockout policy set by the ``login_*`` settings."""
    return LockoutPolicy(
        max_failures=settings.login_max_failures(),
        lock_seconds=settings.login_lock_minutes() * 60,
        account_max_delay=settings.login_account_max_delay_seconds(),
        client_max_failures=settings.login_client_max_failures(),
    )


def store_from_settings() -> AccountStore:
    """The account store at the ``accounts_file`` setting, with the configured lockout."""
    return AccountStore(settings.accounts_file(), policy=policy_from_settings())


__all__ = [
    "PASSWORD_MIN_LENGTH",
    "AccountError",
    "AccountInfo",
    "AccountStore",
    "AccountsFileError",
    "LockoutPolicy",
    "LoginDisabled",
    "LoginError",
    "LoginFailed",
    "LoginLocked",
    "LoginThrottled",
    "check_password",
    "normalise_name",
    "policy_from_settings",
    "store_from_settings",
]
