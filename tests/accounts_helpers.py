"""Shared pieces for the account tests: a cheap hasher, a clock that tests move, and a
store in ``tmp_path`` with one account per role."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from township_atlas.accounts import AccountStore, LockoutPolicy
from township_atlas.accounts import store as store_module
from township_atlas.authz import User

# Real argon2id, with tiny costs so a test hashes in microseconds.
FAST_HASHER_ARGS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
CONSOLE = User("tester", "admin", "console")
PASSWORDS = {
    "ada": "ada-admin-pass-1",
    "pia": "pia-planner-pass-2",
    "vic": "vic-viewer-pass-3",
}
ROLE_OF = {"ada": "admin", "pia": "planner", "vic": "viewer"}
NAME_OF = {role: name for name, role in ROLE_OF.items()}


class Clock:
    """Seconds since the epoch that only move when a test says so."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fast_hasher() -> PasswordHasher:
    return PasswordHasher(**FAST_HASHER_ARGS)


def make_store(path: Path, clock: Clock, **policy: float) -> AccountStore:
    return AccountStore(path, policy=LockoutPolicy(**policy), hasher=fast_hasher(), clock=clock)


def seed_accounts(store: AccountStore) -> None:
    for name, password in PASSWORDS.items():
        store.add(name, password, ROLE_OF[name], actor=CONSOLE)


def install_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An accounts file with ada (admin), pia (planner) and vic (viewer), used by the app.

    The app's own stores hash cheaply too, so page tests stay fast.
    """
    path = tmp_path / "accounts" / "accounts.json"
    monkeypatch.setenv("TOWNSHIP_ATLAS_ACCOUNTS_FILE", str(path))
    monkeypatch.setattr(store_module, "default_hasher", fast_hasher)
    seed_accounts(AccountStore(path, hasher=fast_hasher()))
    return path
