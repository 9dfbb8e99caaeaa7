"""Slowing and locking repeated failed logins: a pure policy over a small state record.

After each failed login the next attempt for that user name must wait twice as long as
the last (1 s, 2 s, 4 s, ...); after ``max_failures`` failures in a row the name is locked
for ``lock_seconds``. Unknown user names are treated exactly like known ones, so the
answers never tell whether an account exists. Times are seconds since the epoch, passed
in by the caller so tests can use their own clock.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """

    max_failures: int = 5
    lock_seconds: float = 15 * 60
    base_delay: float = 1.0
    max_delay: float = 60.0

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
