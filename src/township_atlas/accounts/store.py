"""Local accounts in one JSON file: argon2id password hashes, roles, and login lockout state.

The file holds no password, only argon2id hashes (salted, slow, memory-hard) made by
argon2-cffi. Every write goes to a temporary file that replaces the old one, so a crash
never leaves half a file; writers take a lock so two sessions cannot lose each other's
changes. Failed-login counts live in the same file, so a restart does not unlock anyone.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from township_atlas.accounts import jsonfile, lockout
from township_atlas.accounts.errors import (
    AccountError,
    LoginDisabled,
    LoginFailed,
    LoginLocked,
    LoginThrottled,
)
from township_atlas.authz import Role, User, audit_name, parse_role, require

log = logging.getLogger(__name__)

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024  # hashing a megabyte "password" would be a cheap way to load the server
_NAME = re.compile(r"^[\w.@-]{1,64}$")
# Failure records for names nobody has: kept bounded so guessing cannot grow the file forever.
_MAX_FAILURE_RECORDS = 1000
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def default_hasher() -> PasswordHasher:
    """argon2-cffi's defaults: argon2id, RFC 9106 low-memory profile (t=3, 64 MiB, p=4)."""
    return PasswordHasher()


def normalise_name(name: str) -> str:
    """The canonical form of a user name: NFKC, trimmed, lower case.

    One person cannot get around a lock by typing ``Alice`` instead of ``alice``.
    """
    return unicodedata.normalize("NFKC", name).strip().lower()


def check_password(password: str) -> None:
    """Raise :class:`AccountError` if ``password`` is too short or too long."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError("password_too_short", n=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError("password_too_long", n=PASSWORD_MAX_LENGTH)


@dataclass(frozen=True)
class AccountInfo:
    """What may be shown about an account: never the password or its hash."""

    name: str
    role: Role
    disabled: bool
    locked: bool
    session_epoch: int
    created_at: str
    created_by: str
    changed_at: str
    changed_by: str


class AccountStore:
    """The local accounts file.

    Parameters
    ----------
    path
        The JSON file; it and its folder are created on the first write (mode 0600/0700).
    policy
        How failed logins are slowed and locked.
    hasher
        The argon2 hasher (tests pass a cheap one).
    clock
        Seconds since the epoch (tests pass their own).
    """

    def __init__(
        self,
        path: Path,
        *,
        policy: lockout.LockoutPolicy | None = None,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.policy = policy or lockout.LockoutPolicy()
        self.hasher = hasher or default_hasher()
        self.clock = clock

    # --- reading ---------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        return jsonfile.read(self.path)

    def _info(self, name: str, record: dict[str, Any], data: dict[str, Any]) -> AccountInfo:
        state = lockout.FailureState.from_json(data["failures"].get(name, {}))
        return AccountInfo(
            name=name,
            role=record["role"],
            disabled=bool(record.get("disabled")),
            locked=lockout.is_locked(state, self.policy, self.clock()),
            session_epoch=int(record.get("session_epoch", 0)),
            created_at=record.get("created_at", ""),
            created_by=record.get("created_by", ""),
            changed_at=record.get("changed_at", ""),
            changed_by=record.get("changed_by", ""),
        )

    def has_accounts(self) -> bool:
        """Whether any account exists."""
        return bool(self._read()["users"])

    def accounts(self) -> list[AccountInfo]:
        """Every account, by name."""
        data = self._read()
        return [self._info(n, r, data) for n, r in sorted(data["users"].items())]

    def get(self, name: str) -> AccountInfo | None:
        """The account called ``name``, or ``None``."""
        data = self._read()
        key = normalise_name(name)
        record = data["users"].get(key)
        return self._info(key, record, data) if record else None

    def active_user(self, name: str, session_epoch: int) -> User | None:
        """The user for a login made at ``session_epoch``, if it still stands.

        ``None`` when the account is gone or disabled, or its password was reset since.
        """
        info = self.get(name)
        if info is None or info.disabled or info.session_epoch != session_epoch:
            return None
        return User(info.name, info.role, "local")

    # --- writing ---------------------------------------------------------------
    def _stamp(self, record: dict[str, Any], actor: User, *, created: bool = False) -> None:
        when = datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="seconds")
        record["changed_at"], record["changed_by"] = when, audit_name(actor)
        if created:
            record["created_at"], record["created_by"] = when, audit_name(actor)

    def _record(self, data: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
        key = normalise_name(name)
        if key not in data["users"]:
            raise AccountError("account_unknown", name=key)
        return key, data["users"][key]

    @staticmethod
    def _keep_an_admin(data: dict[str, Any], name: str) -> None:
        others = [
            n
            for n, r in data["users"].items()
            if n != name and r["role"] == "admin" and not r.get("disabled")
        ]
        if not others:
            raise AccountError("last_admin")

    def add(self, name: str, password: str, role: str, *, actor: User) -> AccountInfo:
        """Add an account. Needs ``actor`` to be allowed ``manage_accounts``."""
        require(actor, "manage_accounts")
        key = normalise_name(name)
        if not _NAME.match(key):
            raise AccountError("account_bad_name", name=name)
        checked_role = parse_role(role)
        if checked_role is None:
            raise AccountError("account_bad_role", role=role)
        check_password(password)
        password_hash = self.hasher.hash(password)
        with jsonfile.transaction(self.path) as data:
            if key in data["users"]:
                raise AccountError("account_exists", name=key)
            record = {"role": checked_role, "password_hash": password_hash, "disabled": False}
            record["session_epoch"] = 0
            self._stamp(record, actor, created=True)
            data["users"][key] = record
            data["failures"].pop(key, None)
        log.info("account %s added as %s by %s", key, checked_role, audit_name(actor))
        return self.get(key)  # type: ignore[return-value]

    def set_disabled(self, name: str, disabled: bool, *, actor: User) -> None:
        """Disable (ending any login at once) or enable an account; enabling also unlocks."""
        require(actor, "manage_accounts")
        with jsonfile.transaction(self.path) as data:
            key, record = self._record(data, name)
            if disabled and record["role"] == "admin":
                self._keep_an_admin(data, key)
            record["disabled"] = disabled
            record["session_epoch"] = int(record.get("session_epoch", 0)) + 1
            data["failures"].pop(key, None)
            self._stamp(record, actor)
        log.info(
            "account %s %s by %s", key, "disabled" if disabled else "enabled", audit_name(actor)
        )

    def reset_password(self, name: str, password: str, *, actor: User) -> None:
        """Give an account a new password; it ends the account's logins and unlocks it."""
        require(actor, "manage_accounts")
        check_password(password)
        password_hash = self.hasher.hash(password)
        with jsonfile.transaction(self.path) as data:
            key, record = self._record(data, name)
            record["password_hash"] = password_hash
            record["session_epoch"] = int(record.get("session_epoch", 0)) + 1
            data["failures"].pop(key, None)
            self._stamp(record, actor)
        log.info("password of %s reset by %s", key, audit_name(actor))

    def set_role(self, name: str, role: str, *, actor: User) -> None:
        """Change an account's role; the last active administrator cannot be demoted."""
        require(actor, "manage_accounts")
        checked_role = parse_role(role)
        if checked_role is None:
            raise AccountError("account_bad_role", role=role)
        with jsonfile.transaction(self.path) as data:
            key, record = self._record(data, name)
            if record["role"] == "admin" and checked_role != "admin" and not record.get("disabled"):
                self._keep_an_admin(data, key)
            record["role"] = checked_role
            self._stamp(record, actor)
        log.info("account %s is now %s, by %s", key, checked_role, audit_name(actor))

    # --- logging in ------------------------------------------------------------
    def _dummy_hash(self) -> str:
        params = (self.hasher.time_cost, self.hasher.memory_cost, self.hasher.parallelism)
        if params not in _DUMMY_HASHES:
            _DUMMY_HASHES[params] = self.hasher.hash(secrets.token_urlsafe(16))
        return _DUMMY_HASHES[params]

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            log.error("an account in %s has a damaged password hash", self.path)
            return False

    def authenticate(self, name: str, password: str) -> User:
        """The user for ``name`` and ``password``, or a :class:`LoginError`.

        An unknown name costs the same hash check as a known one and is slowed and locked
        the same way, so neither the answer nor its timing tells whether the name exists.
        The lock is held while checking, so parallel guesses cannot dodge the slowing.
        """
        key = normalise_name(name)[:64] or "-"
        password = password[:PASSWORD_MAX_LENGTH]
        refusal: Exception | None = None
        with jsonfile.transaction(
            self.path
        ) as data:  # raising inside would skip the write: refuse after
            now = self.clock()
            state = lockout.current(
                lockout.FailureState.from_json(data["failures"].get(key, {})), self.policy, now
            )
            wait = lockout.wait_seconds(state, self.policy, now)
            record = data["users"].get(key)
            if wait > 0:
                refusal = (LoginLocked if state.locked_until > now else LoginThrottled)(wait)
            elif not (
                self._verify(record["password_hash"] if record else self._dummy_hash(), password)
                and record
            ):
                state = lockout.after_failure(state, self.policy, now)
                data["failures"][key] = state.to_json()
                self._forget_old_failures(data, now)
                # Never log an unknown name: it is often a password typed in the wrong box.
                log.warning(
                    "failed login for %s (%d in a row%s)",
                    key if record else "an unknown user name",
                    state.failures,
                    ", now locked" if state.locked_until else "",
                )
                refusal = LoginFailed()
            else:
                data["failures"].pop(key, None)
                if record.get("disabled"):
                    log.warning("login refused: account %s is disabled", key)
                    refusal = LoginDisabled()
                elif self.hasher.check_needs_rehash(record["password_hash"]):
                    record["password_hash"] = self.hasher.hash(password)
        if refusal is not None:
            raise refusal
        log.info("login: %s (%s)", key, record["role"])
        return User(key, record["role"], "local")

    def _forget_old_failures(self, data: dict[str, Any], now: float) -> None:
        failures = data["failures"]
        for key in list(failures):
            state = lockout.FailureState.from_json(failures[key])
            if lockout.current(state, self.policy, now) == lockout.CLEAR:
                del failures[key]
        unknown = sorted(
            (k for k in failures if k not in data["users"]),
            key=lambda k: failures[k].get("last_failure", 0),
        )
        for key in unknown[: max(0, len(unknown) - _MAX_FAILURE_RECORDS)]:
            del failures[key]
