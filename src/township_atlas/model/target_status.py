"""Status of a value against its target: green (met), amber (close), red (behind).

Higher-is-better: green at or above the target, amber from 90 % of it, red below.
Lower-is-better (a funding gap, cadres paying out of pocket): green at or below the
target, amber up to 10 % above it (or up to 1 unit above a zero target), red beyond.
"""

from __future__ import annotations

import math
from typing import Literal

Status = Literal["green", "amber", "red", "none"]
AMBER_BAND = 0.10

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "green": ("达到目标", "On target"),
    "amber": ("接近目标", "Close to target"),
    "red": ("落后于目标", "Behind target"),
    "none": ("无目标或无数据", "No target or no data"),
}


def status_against_target(
    value: float | None, target: float | None, higher_is_better: bool = True
) -> Status:
    """The status of ``value`` against ``target``; "none" if either is missing."""
    if value is None or target is None or math.isnan(value) or math.isnan(target):
        return "none"
    if higher_is_better:
        if value >= target:
            return "green"
        return "amber" if value >= target - AMBER_BAND * abs(target) else "red"
    if value <= target:
        return "green"
    slack = AMBER_BAND * abs(target) if target else 1.0
    return "amber" if value <= target + slack else "red"
