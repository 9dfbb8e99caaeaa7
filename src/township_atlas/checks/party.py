"""Invariants of the Party organisation: the counts the report states, the committee →
branch → group tree, groups built on their village's projects, and member indicators.

Checks of the data only; the organisation *view* (tables for pages) is ``organisation``.
"""

from __future__ import annotations

import pandas as pd
import shapely

from township_atlas.checks.layers import (
    layers_usable,
    not_yet_imported,
    point_of,
    rows_by,
    valid_geometry,
)
from township_atlas.model.bundle import Bundle, Finding
from township_atlas.model.schema import GROUP_SITE_KINDS


def _branches(bundle: Bundle) -> pd.DataFrame:
    orgs = bundle.party_orgs
    return orgs[orgs["level"] == "branch"]


def org_counts(bundle: Bundle) -> dict[str, int]:
    """Branches, members, rural branches and rural members, computed from party_orgs."""
    branches = _branches(bundle)
    rural = branches[branches["branch_kind"] == "rural"]
    groups = bundle.party_orgs[bundle.party_orgs["level"] == "group"]
    return {
        "branches": len(branches),
        "members": int(branches["members"].fillna(0).sum()),
        "rural_branches": len(rural),
        "rural_members": int(rural["members"].fillna(0).sum()),
        "groups": len(groups),
        "committees": int((bundle.party_orgs["level"] == "committee").sum()),
    }


COUNT_LABELS = {
    "branches": ("党支部数", "branches", "reported_branches"),
    "members": ("党员总数", "members", "reported_members"),
    "rural_branches": ("农村党支部数", "rural branches", "reported_rural_branches"),
    "rural_members": ("农村党员数", "rural members", "reported_rural_members"),
}


def check_org_counts(bundle: Bundle) -> list[Finding]:
    """One committee; branch and member counts equal the reported 10 / 353 / 7 / 301.

    While the organisations are still to be imported (none at all, in a township being set
    up), one warning says so instead of a failed count per figure and village."""
    if bundle.party_orgs.empty:
        return [not_yet_imported("party_orgs", "党组织", "Party organisations")]
    counts = org_counts(bundle)
    props = bundle.township_props
    out = []
    if counts["committees"] != 1:
        out.append(
            Finding(
                "error",
                "committee_count",
                "party_orgs",
                f"应有 1 个乡党委,现有 {counts['committees']} 个。",
                f"There must be 1 township committee; found {counts['committees']}.",
            )
        )
    for key, (zh, en, reported_key) in COUNT_LABELS.items():
        reported = props.get(reported_key)
        if reported is None or pd.isna(reported) or counts[key] == reported:
            continue
        out.append(
            Finding(
                "error",
                f"count_{key}",
                "party_orgs",
                f"按组织数据计算的{zh}为 {counts[key]},报告为 {reported}。",
                f"Computed {en}: {counts[key]}; the report says {reported}.",
            )
        )
    rural = _branches(bundle)
    rural = rural[rural["branch_kind"] == "rural"]
    per_village = rural["village_code"].value_counts()
    for code in bundle.villages["code"]:
        n = int(per_village.get(code, 0))
        if n != 1:
            out.append(
                Finding(
                    "error",
                    "rural_branch_per_village",
                    "party_orgs",
                    f"村 {code} 应有 1 个农村党支部,现有 {n} 个。",
                    f"Village {code} should have 1 rural branch; it has {n}.",
                    code,
                )
            )
    return out


def check_org_tree(bundle: Bundle) -> list[Finding]:
    """Parents resolve: committee → branches → groups, with no cycles."""
    orgs = bundle.party_orgs
    level = dict(zip(orgs["org_id"], orgs["level"], strict=True))  # duplicates: last wins
    expected_parent = {"branch": "committee", "group": "branch"}
    out = []
    for org_id, lvl, parent in zip(orgs["org_id"], orgs["level"], orgs["parent_id"], strict=True):
        if lvl == "committee":
            continue
        if pd.isna(parent) or parent not in level:
            out.append(
                Finding(
                    "error",
                    "org_parent",
                    "party_orgs",
                    f"党组织 {org_id} 的上级组织“{parent}”不存在。",
                    f"Organisation {org_id}: parent '{parent}' does not exist.",
                    str(org_id),
                )
            )
        elif lvl in expected_parent and level[parent] != expected_parent[lvl]:
            out.append(
                Finding(
                    "error",
                    "org_parent_level",
                    "party_orgs",
                    f"党组织 {org_id}({lvl})的上级 {parent} 层级不对,应为{expected_parent[lvl]}。",
                    f"Organisation {org_id} ({lvl}) has parent {parent} of the wrong level; "
                    f"expected a {expected_parent[lvl]}.",
                    str(org_id),
                )
            )
    return out


def check_groups(bundle: Bundle) -> list[Finding]:
    """Every group is built on a wealth project or demo base in its branch's village, lies
    in that village, and groups do not hold more members than their branch."""
    orgs = bundle.party_orgs
    sites = rows_by(bundle.sites, "site_id")
    villages = rows_by(bundle.villages, "code")
    branches = rows_by(orgs[orgs["level"] == "branch"], "org_id")
    spatial = layers_usable(bundle, "party_orgs", "villages")
    out = []
    groups = orgs[orgs["level"] == "group"]
    grown: dict = {}
    for g in groups.itertuples(index=False):
        branch = branches.loc[g.parent_id] if g.parent_id in branches.index else None
        village = branch.village_code if branch is not None else None
        where = point_of(g.geometry)
        if pd.isna(g.site_id) or g.site_id not in sites.index:
            out.append(
                Finding(
                    "error",
                    "group_site",
                    "party_orgs",
                    f"党小组 {g.org_id} 依托的点位“{g.site_id}”不存在。",
                    f"Party group {g.org_id}: its site '{g.site_id}' does not exist.",
                    g.org_id,
                    where,
                )
            )
        else:
            site = sites.loc[g.site_id]
            if site.kind not in GROUP_SITE_KINDS:
                out.append(
                    Finding(
                        "error",
                        "group_site_kind",
                        "party_orgs",
                        f"党小组 {g.org_id} 建在 {g.site_id} 上,但它不是致富项目或示范基地。",
                        f"Party group {g.org_id} is built on {g.site_id}, which is not a wealth "
                        "project or demonstration base.",
                        g.org_id,
                        where,
                    )
                )
            if village is not None and site.village_code != village:
                out.append(
                    Finding(
                        "error",
                        "group_site_village",
                        "party_orgs",
                        f"党小组 {g.org_id} 依托的 {g.site_id} 不在其党支部所在村 {village}。",
                        f"Party group {g.org_id}: site {g.site_id} is not in its branch's village "
                        f"{village}.",
                        g.org_id,
                        where,
                    )
                )
        if spatial and village in villages.index and valid_geometry(g.geometry):
            if village not in grown:  # one buffered, prepared polygon per village
                poly = villages.loc[village].geometry
                grown[village] = poly.buffer(1e-6) if valid_geometry(poly) else None
                if grown[village] is not None:
                    shapely.prepare(grown[village])
            if grown[village] is not None and not grown[village].contains(g.geometry):
                out.append(
                    Finding(
                        "error",
                        "group_in_village",
                        "party_orgs",
                        f"党小组 {g.org_id} 的位置不在其党支部所在村 {village} 内。",
                        f"Party group {g.org_id} lies outside its branch's village {village}.",
                        g.org_id,
                        where,
                    )
                )
    sums = groups.groupby("parent_id")["members"].sum()
    for parent, total in sums.items():
        if parent in branches.index and total > (branches.loc[parent].members or 0):
            out.append(
                Finding(
                    "error",
                    "group_members",
                    "party_orgs",
                    f"党支部 {parent} 下各党小组党员合计 {total} 名,多于支部党员数 "
                    f"{branches.loc[parent].members} 名。",
                    f"Groups of branch {parent} hold {total} members, more than the branch's "
                    f"{branches.loc[parent].members}.",
                    str(parent),
                )
            )
    return out


def check_member_indicator(bundle: Bundle) -> list[Finding]:
    """The latest recorded Party-member count of each village equals its branch's members."""
    ind = bundle.indicators
    ind = ind[(ind["indicator"] == "party_members") & ind["value"].notna()]
    if ind.empty:
        return []
    latest = ind.sort_values("year").groupby("place_code").last()
    branches = _branches(bundle)
    rural = rows_by(branches[branches["branch_kind"] == "rural"], "village_code")
    out = []
    for code, row in latest.iterrows():
        if code in rural.index and rural.loc[code, "members"] != row["value"]:
            out.append(
                Finding(
                    "warning",
                    "member_indicator",
                    "indicators",
                    f"村 {code} {row['year']} 年的党员数指标为 {row['value']:g},与党支部现有党员"
                    f" {rural.loc[code, 'members']} 名不一致。",
                    f"Village {code}: {row['year']} member indicator {row['value']:g} differs "
                    f"from the branch's {rural.loc[code, 'members']} members.",
                    str(code),
                )
            )
    return out
