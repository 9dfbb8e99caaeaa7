"""Local accounts in one JSON file: argon2id password hashes, roles, and login lockout state.

The file holds no password, only argon2id hashes (salted, slow, memory-hard) made by
argon2-cffi. Every write goes to a temporary file that replaces the old one, so a crash
never leaves half a file; writers take a lock so two sessions cannot lose each other's
changes. Failed-login counts live in the same file, so a restart does not unlock anyone.

Failed logins are counted under keyed hashes (HMAC-SHA-256 with a per-install secret in
``<accounts file>.key``, mode 0600), never under the name typed: an unknown name is often
a password typed into the wrong box, and it must not reach the disk. The client (its IP
address) is kept the same way. See :mod:`township_atlas.accounts.lockout` for the policy.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import time
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
from township_atlas.accounts.passwords import PASSWORD_MAX_LENGTH, check_password, normalise_name
from township_atlas.authz import Role, User, audit_name, parse_role, require

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[\w.@-]{1,64}$")
# Failure records for names nobody has: kept bounded so guessing cannot grow the file forever.
_MAX_FAILURE_RECORDS = 1000
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}
# Kinds of failure records (keys in the file's "failures"): see lockout.
PAIR, ACCOUNT, CLIENT = "pair:", "account:", "client:"


def _clear_failures(data: dict[str, Any], account: str) -> None:
    """Forget the failed logins at ``account`` (from every client): an admin unlocked it."""
    failures = data["failures"]
    for key in [k for k, v in failures.items() if v.get("account") == account]:
        del failures[key]
    failures.pop(account, None)  # an older file's record


def default_hasher() -> PasswordHasher:
    """argon2-cffi's defaults: argon2id, RFC 9106 low-memory profile (t=3, 64 MiB, p=4)."""
    return PasswordHasher()


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
        now = self.clock()
        locked = any(  # locked for some client (see lockout): the admin may unlock it
            lockout.is_locked(lockout.FailureState.from_json(v), self.policy, now)
            for k, v in data["failures"].items()
            if k.startswith(PAIR) and v.get("account") == name
        )
        return AccountInfo(
            name=name,
            role=record["role"],
            disabled=bool(record.get("disabled")),
            locked=locked,
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
        check_password(password, key)
        password_hash = self.hasher.hash(password)
        with jsonfile.transaction(self.path) as data:
            if key in data["users"]:
                raise AccountError("account_exists", name=key)
            record = {"role": checked_role, "password_hash": password_hash, "disabled": False}
            record["session_epoch"] = 0
            self._stamp(record, actor, created=True)
            data["users"][key] = record
            _clear_failures(data, key)
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
            _clear_failures(data, key)
            self._stamp(record, actor)
        log.info(
            "account %s %s by %s", key, "disabled" if disabled else "enabled", audit_name(actor)
        )

    def reset_password(self, name: str, password: str, *, actor: User) -> None:
        """Give an account a new password; it ends the account's logins and unlocks it."""
        require(actor, "manage_accounts")
        check_password(password, name)
        password_hash = self.hasher.hash(password)
        with jsonfile.transaction(self.path) as data:
            key, record = self._record(data, name)
            record["password_hash"] = password_hash
            record["session_epoch"] = int(record.get("session_epoch", 0)) + 1
            _clear_failures(data, key)
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

    def authenticate(self, name: str, password: str, client: str = "") -> User:
        """The user for ``name`` and ``password``, or a :class:`LoginError`.

        ``client`` names where the attempt comes from (the browser's IP address); failed
        attempts are slowed and locked per (name, client), slowed a little per name and
        locked per client (:mod:`township_atlas.accounts.lockout`). An unknown name costs
        the same hash check as a known one and is slowed and locked the same way, so
        neither the answer nor its timing tells whether the name exists. The lock is held
        while checking, so parallel guesses cannot dodge the slowing.
        """
        key = normalise_name(name)[:64] or "-"
        password = password[:PASSWORD_MAX_LENGTH]
        refusal: Exception | None = None
        # raising inside the transaction would skip the write: refuse after it
        with jsonfile.transaction(self.path) as data:
            now = self.clock()
            record = data["users"].get(key)
            account = key if record else "#" + self._digest("name", key)
            keys = {
                PAIR: PAIR + self._digest("pair", account, client),
                ACCOUNT: ACCOUNT + account,
                CLIENT: CLIENT + self._digest("client", client),
            }
            policies = {
                PAIR: self.policy,
                ACCOUNT: self.policy.for_account(),
                CLIENT: self.policy.for_client(),
            }
            states = {
                kind: lockout.current(
                    lockout.FailureState.from_json(data["failures"].get(k, {})),
                    policies[kind],
                    now,
                )
                for kind, k in keys.items()
            }
            waits = {kind: lockout.wait_seconds(states[kind], policies[kind], now) for kind in keys}
            locked = [k for k in (PAIR, CLIENT) if states[k].locked_until > now]
            if locked:
                refusal = LoginLocked(max(waits[k] for k in locked))
            elif max(waits.values()) > 0:
                refusal = LoginThrottled(max(waits.values()))
            elif not (
                self._verify(record["password_hash"] if record else self._dummy_hash(), password)
                and record
            ):
                for kind, k in keys.items():
                    states[kind] = lockout.after_failure(states[kind], policies[kind], now)
                    data["failures"][k] = states[kind].to_json()
                    if kind != CLIENT:  # so that an admin's unlock finds them
                        data["failures"][k]["account"] = account
                self._forget_old_failures(data, now)
                # Never log an unknown name: it is often a password typed in the wrong box.
                log.warning(
                    "failed login for %s (%d in a row from this client%s)",
                    key if record else "an unknown user name",
                    states[PAIR].failures,
                    ", now locked for this client" if states[PAIR].locked_until else "",
                )
                refusal = LoginFailed()
            else:
                data["failures"].pop(keys[PAIR], None)
                data["failures"].pop(keys[ACCOUNT], None)
                if record.get("disabled"):
                    log.warning("login refused: account %s is disabled", key)
                    refusal = LoginDisabled()
                elif self.hasher.check_needs_rehash(record["password_hash"]):
                    record["password_hash"] = self.hasher.hash(password)
        if refusal is not None:
            raise refusal
        log.info("login: %s (%s)", key, record["role"])
        return User(key, record["role"], "local")

    # --- keyed hashes of what is typed ------------------------------------------------
    @property
    def secret_path(self) -> Path:
        """The per-install secret of the keyed hashes, beside the accounts file."""
        return self.path.with_name(self.path.name + ".key")

    def _secret(self) -> bytes:
        path = self.secret_path
        try:
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            pass
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        secret = secrets.token_bytes(32)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secret.hex() + "\n")
        return secret

    def _digest(self, *parts: str) -> str:
        message = "\0".join(parts).encode("utf-8")
        return hmac.new(self._secret(), message, "sha256").hexdigest()[:32]

    def _forget_old_failures(self, data: dict[str, Any], now: float) -> None:
        failures = data["failures"]
        policies = {
            PAIR: self.policy,
            ACCOUNT: self.policy.for_account(),
            CLIENT: self.policy.for_client(),
        }
        for key in list(failures):
            kind = key.split(":", 1)[0] + ":"
            if kind not in policies:  # an older file's record under the plain name typed
                del failures[key]
                continue
            state = lockout.FailureState.from_json(failures[key])
            if lockout.current(state, policies[kind], now) == lockout.CLEAR:
                del failures[key]
        # Records of names nobody has, and of clients, are capped (oldest go first).
        unknown = sorted(
            (k for k in failures if failures[k].get("account", "#").startswith("#")),
            key=lambda k: failures[k].get("last_failure", 0),
        )
        for key in unknown[: max(0, len(unknown) - 3 * _MAX_FAILURE_RECORDS)]:
            del failures[key]
