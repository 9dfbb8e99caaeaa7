"""Slowing and locking repeated failed logins: a pure policy over small state records.

Three counts are kept, so that guessing is slow but nobody can lock someone else out:

* per (user name, client): after each failure that client's next attempt at that name
  waits twice as long (1 s, 2 s, 4 s, ...); after ``max_failures`` in a row the *pair* is
  locked for ``lock_seconds``. A stranger locks only themselves out of that account.
* per user name, from any client: a short growing wait (1 s, 2 s, 4 s, capped at
  ``account_max_delay``, 8 s by default), never a lock. Many clients together get at most
  one guess per 8 s at an account; its owner waits at most that long.
* per client, at any names: after ``client_max_failures`` failures that client is locked
  for ``lock_seconds`` (spraying many names from one address).

Unknown user names are treated exactly like known ones, so the answers never tell whether
an account exists. Times are seconds since the epoch, passed in by the caller so tests can
use their own clock.
"""

from __future__ import annotations

from dataclasses import dataclass

NEVER = 2**62  # failures that would lock: never


@dataclass(frozen=True)
class LockoutPolicy:
    """How failed logins are slowed and locked.

    Parameters
    ----------
    max_failures
        Failures in a row that lock the user name.
    lock_seconds
        How long a lock lasts, in seconds. A failure streak older than this is forgotten.
    base_delay
        Wait after the first failure, in seconds; it doubles with each further failure.
    max_delay
        Longest wait between attempts before the lock, in seconds.
    account_max_delay
        Longest wait between attempts at one user name from all clients together.
    client_max_failures
        Failures from one client, at any names, that lock that client.
    """

    max_failures: int = 5
    lock_seconds: float = 15 * 60
    base_delay: float = 1.0
    max_delay: float = 60.0
    account_max_delay: float = 8.0
    client_max_failures: int = 20

    def for_account(self) -> LockoutPolicy:
        """The per-name policy, whatever the client: a short growing wait, never a lock."""
        return LockoutPolicy(
            max_failures=NEVER,
            lock_seconds=self.lock_seconds,
            base_delay=self.base_delay,
            max_delay=self.account_max_delay,
        )

    def for_client(self) -> LockoutPolicy:
        """The per-client policy, at any names: a lock after ``client_max_failures``."""
        return LockoutPolicy(
            max_failures=self.client_max_failures,
            lock_seconds=self.lock_seconds,
            base_delay=0.0,
            max_delay=0.0,
        )

    def delay_after(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row (0 for none)."""
        if failures <= 0:
            return 0.0
        return min(self.base_delay * 2 ** (failures - 1), self.max_delay)


@dataclass(frozen=True)
class FailureState:
    """Failed logins in a row for one user name.

    ``last_failure`` and ``locked_until`` are seconds since the epoch (0 for never).
    """

    failures: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0

    def to_json(self) -> dict[str, float]:
        return {
            "failures": self.failures,
            "last_failure": self.last_failure,
            "locked_until": self.locked_until,
        }

    @classmethod
    def from_json(cls, data: dict[str, float]) -> FailureState:
        return cls(
            int(data.get("failures", 0)),
            float(data.get("last_failure", 0.0)),
            float(data.get("locked_until", 0.0)),
        )


CLEAR = FailureState()


def current(state: FailureState, policy: LockoutPolicy, now: float) -> FailureState:
    """The state as it stands at ``now``: an expired lock or a stale streak is forgotten."""
    if state.locked_until and now >= state.locked_until:
        return CLEAR
    if state.failures and not state.locked_until and now - state.last_failure > policy.lock_seconds:
        return CLEAR
    return state


def is_locked(state: FailureState, policy: LockoutPolicy, now: float) -> bool:
    """Whether the user name is locked at ``now``."""
    return current(state, policy, now).locked_until > now


def wait_seconds(state: FailureState, policy: LockoutPolicy, now: float) -> float:
    """Seconds before the next attempt may be made (0 if it may be made now)."""
    state = current(state, policy, now)
    if state.locked_until > now:
        return state.locked_until - now
    return max(0.0, state.last_failure + policy.delay_after(state.failures) - now)


def after_failure(state: FailureState, policy: LockoutPolicy, now: float) -> FailureState:
    """The state after a failed attempt at ``now``; the last allowed failure locks."""
    failures = current(state, policy, now).failures + 1
    locked_until = now + policy.lock_seconds if failures >= policy.max_failures else 0.0
    return FailureState(failures, now, locked_until)
