"""Headline figures of the township, computed from the geodata (never typed in)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from township_atlas.bundle import Bundle
from township_atlas.checks import org_counts
from township_atlas.formatting import text
from township_atlas.geo import geodesic_area_m2, m2_to_mu
from township_atlas.labels import pick
from township_atlas.schema import SITE_KIND_LABELS, SITE_KINDS, code_label


@dataclass(frozen=True)
class Headline:
    """The figures the report states, as computed from the data."""

    area_km2: float
    area_mu: float
    villages: int
    branches: int
    members: int
    rural_branches: int
    rural_members: int
    groups: int
    sites: int
    sites_by_kind: dict[str, int]


def headline(bundle: Bundle) -> Headline:
    """Compute the headline figures; an empty or broken layer counts as zero."""
    area_m2 = sum(geodesic_area_m2(g) for g in bundle.township.geometry)
    counts = org_counts(bundle)
    by_kind = bundle.sites["kind"].value_counts()
    return Headline(
        area_km2=area_m2 / 1e6,
        area_mu=m2_to_mu(area_m2),
        villages=len(bundle.villages),
        branches=counts["branches"],
        members=counts["members"],
        rural_branches=counts["rural_branches"],
        rural_members=counts["rural_members"],
        groups=counts["groups"],
        sites=len(bundle.sites),
        sites_by_kind={kind: int(by_kind.get(kind, 0)) for kind in SITE_KINDS},
    )


# (headline attribute, label key, township property with the reported figure)
REPORTED_FIGURES = (
    ("area_km2", "area", "reported_area_km2"),
    ("villages", "villages", "reported_villages"),
    ("branches", "branches", "reported_branches"),
    ("members", "members", "reported_members"),
    ("rural_branches", "rural_branches", "reported_rural_branches"),
    ("rural_members", "rural_members", "reported_rural_members"),
)


def reported_comparison(
    bundle: Bundle, head: Headline
) -> list[tuple[str, float, float | None, bool | None]]:
    """(label key, computed, reported, agrees) for each figure the report states.

    Area agrees within ±0.2 %, counts exactly; ``None`` where nothing was reported.
    """
    props = bundle.township_props
    rows = []
    for attr, key, prop in REPORTED_FIGURES:
        computed = getattr(head, attr)
        reported = props.get(prop)
        if reported is None or pd.isna(reported):
            rows.append((key, computed, None, None))
            continue
        if attr == "area_km2":
            agrees = reported > 0 and abs(computed / reported - 1) <= 0.002
        else:
            agrees = computed == reported
        rows.append((key, computed, float(reported), bool(agrees)))
    return rows


def village_table(bundle: Bundle, lang: str) -> pd.DataFrame:
    """One row per village: area, population, industry, branch members, sites, groups."""
    orgs = bundle.party_orgs
    branches = orgs[(orgs["level"] == "branch") & (orgs["branch_kind"] == "rural")]
    members = dict(zip(branches["village_code"], branches["members"], strict=True))
    sites = bundle.sites["village_code"].value_counts()
    groups = orgs[orgs["level"] == "group"]["village_code"].value_counts()
    rows = []
    for v in bundle.villages.itertuples(index=False):
        m2 = geodesic_area_m2(v.geometry)
        rows.append(
            {
                "code": v.code,
                "name": pick(lang, v.name_zh, v.name_en),
                "area_km2": round(m2 / 1e6, 2),
                "area_mu": round(m2_to_mu(m2)),
                "population": v.population,
                "households": v.households,
                "leading_industry": pick(lang, v.leading_industry_zh, v.leading_industry_en),
                "members": members.get(v.code),
                "sites": int(sites.get(v.code, 0)),
                "groups": int(groups.get(v.code, 0)),
                "support_unit": text(pick(lang, v.support_unit_zh, v.support_unit_en)),
            }
        )
    return pd.DataFrame(rows)


def kind_table(head: Headline, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": [code_label(SITE_KIND_LABELS, k, lang) for k in head.sites_by_kind],
            "count": list(head.sites_by_kind.values()),
        }
    )
