"""The township's invariants, checked on every load and before every save.

Each check takes a Bundle and returns findings; it never raises on bad data (a check that
cannot run because a layer is unusable says so and stops). ``run_checks`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable

from township_atlas.checks.geography import (
    check_sites,
    check_tiling,
    check_township_area,
    check_village_count,
)
from township_atlas.checks.layers import (
    check_coordinates,
    check_geometries,
    check_schema,
)
from township_atlas.checks.party import (
    check_groups,
    check_member_indicator,
    check_org_counts,
    check_org_tree,
)
from township_atlas.checks.references import check_links, check_photos, check_plans
from township_atlas.model.bundle import SEVERITY_ORDER, Bundle, Finding

CHECKS: list[Callable[[Bundle], list[Finding]]] = [
    check_coordinates,
    check_schema,
    check_geometries,
    check_township_area,
    check_village_count,
    check_tiling,
    check_org_counts,
    check_org_tree,
    check_groups,
    check_sites,
    check_links,
    check_plans,
    check_member_indicator,
    check_photos,
]


def run_checks(bundle: Bundle) -> list[Finding]:
    """All invariants, errors first. A check that fails unexpectedly becomes a finding."""
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(bundle))
        except Exception as exc:  # noqa: BLE001 - a broken check must not hide the others
            findings.append(
                Finding(
                    "error",
                    check.__name__,
                    "-",
                    f"检查“{check.__name__}”无法完成:{type(exc).__name__}: {exc}",
                    f"Check {check.__name__} could not run: {type(exc).__name__}: {exc}",
                )
            )
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
