"""The township's invariants, checked on every load and before every save.

Each check takes a Bundle and returns findings; it never raises on bad data (a check that
cannot run because a layer is unusable says so and stops). ``run_checks`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import shapely
from shapely.strtree import STRtree

from township_atlas.bundle import SEVERITY_ORDER, Bundle, Finding
from township_atlas.checks_basic import (
    _point_of,
    check_coordinates,
    check_geometries,
    check_schema,
    unusable_spatial_layers,
)
from township_atlas.geo import geodesic_area_m2
from township_atlas.schema import GROUP_SITE_KINDS, MILESTONE_STATUSES

AREA_TOLERANCE = 0.002  # ±0.2 % of the reported area
TILING_TOLERANCE_M2 = 1.0  # gaps or overlaps in total


def _valid(geom) -> bool:
    return geom is not None and not geom.is_empty and geom.is_valid


def _index(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows keyed by ``column``; duplicates (reported by the schema check) keep the first."""
    return frame[frame[column].notna()].drop_duplicates(column).set_index(column, drop=False)


def _usable(bundle: Bundle, *layers: str) -> bool:
    bad = unusable_spatial_layers(bundle)
    return not any(name in bad for name in layers)


def check_township_area(bundle: Bundle) -> list[Finding]:
    """One township polygon whose geodesic area matches the reported area within 0.2 %."""
    t = bundle.township
    if len(t) != 1:
        return [
            Finding(
                "error",
                "township_count",
                "township",
                f"乡镇边界图层应恰好有 1 个面,现有 {len(t)} 个。",
                f"The township layer must hold exactly 1 polygon; it holds {len(t)}.",
            )
        ]
    geom = t.geometry.iloc[0]
    reported = t["reported_area_km2"].iloc[0]
    if not _usable(bundle, "township") or not _valid(geom) or pd.isna(reported):
        return []
    area = geodesic_area_m2(geom) / 1e6
    if abs(area / reported - 1) > AREA_TOLERANCE:
        return [
            Finding(
                "error",
                "township_area",
                "township",
                f"乡镇面积按边界计算为 {area:.2f} 平方公里,与报告的 {reported:g} 平方公里相差"
                f" {abs(area / reported - 1):.1%}(允许 ±0.2%)。请检查边界是否完整。",
                f"The boundary encloses {area:.2f} km², {abs(area / reported - 1):.1%} off the "
                f"reported {reported:g} km² (±0.2 % allowed). Check the boundary.",
                str(t["code"].iloc[0]),
                _point_of(geom),
            )
        ]
    return []


def check_village_count(bundle: Bundle) -> list[Finding]:
    """The number of village polygons equals the reported number of villages."""
    reported = bundle.township_props.get("reported_villages")
    n = len(bundle.villages)
    if reported is None or pd.isna(reported) or n == reported:
        return []
    return [
        Finding(
            "error",
            "village_count",
            "villages",
            f"行政村有 {n} 个,报告为 {reported} 个。",
            f"There are {n} villages; the report says {reported}.",
        )
    ]


def check_tiling(bundle: Bundle) -> list[Finding]:
    """Villages tile the township: no overlaps, no gaps, nothing outside (< 1 m² in total)."""
    if not _usable(bundle, "township", "villages") or len(bundle.township) != 1:
        return []
    township = bundle.township.geometry.iloc[0]
    polys = [g for g in bundle.villages.geometry if _valid(g)]
    codes = [
        c
        for c, g in zip(bundle.villages["code"], bundle.villages.geometry, strict=True)
        if _valid(g)
    ]
    if not _valid(township) or not polys:
        return []
    out: list[Finding] = []
    tree = STRtree(polys)
    for i, j in zip(*tree.query(polys, predicate="intersects"), strict=True):
        if i >= j:
            continue
        overlap = polys[i].intersection(polys[j])
        area = geodesic_area_m2(overlap)
        if area > TILING_TOLERANCE_M2:
            out.append(
                Finding(
                    "error",
                    "tiling_overlap",
                    "villages",
                    f"村 {codes[i]} 与村 {codes[j]} 的边界重叠 {area:,.0f} 平方米。",
                    f"Villages {codes[i]} and {codes[j]} overlap by {area:,.0f} m².",
                    f"{codes[i]}/{codes[j]}",
                    _point_of(overlap),
                )
            )
    union = shapely.union_all(polys)
    gap = township.difference(union)
    gap_area = geodesic_area_m2(gap)
    if gap_area > TILING_TOLERANCE_M2:
        out.append(
            Finding(
                "error",
                "tiling_gap",
                "villages",
                f"乡镇范围内有 {gap_area:,.0f} 平方米不属于任何村(村界之间有缝隙)。",
                f"{gap_area:,.0f} m² of the township belongs to no village (gaps between villages).",
                None,
                _point_of(gap),
            )
        )
    for code, poly in zip(codes, polys, strict=True):
        outside = poly.difference(township)
        area = geodesic_area_m2(outside)
        if area > TILING_TOLERANCE_M2:
            out.append(
                Finding(
                    "error",
                    "village_outside",
                    "villages",
                    f"村 {code} 有 {area:,.0f} 平方米在乡镇边界之外。",
                    f"Village {code} extends {area:,.0f} m² outside the township boundary.",
                    code,
                    _point_of(outside),
                )
            )
    return out


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
    """One committee; branch and member counts equal the reported 10 / 353 / 7 / 301."""
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
    sites = _index(bundle.sites, "site_id")
    villages = _index(bundle.villages, "code")
    branches = _index(orgs[orgs["level"] == "branch"], "org_id")
    spatial = _usable(bundle, "party_orgs", "villages")
    out = []
    groups = orgs[orgs["level"] == "group"]
    grown: dict = {}
    for g in groups.itertuples(index=False):
        branch = branches.loc[g.parent_id] if g.parent_id in branches.index else None
        village = branch.village_code if branch is not None else None
        where = _point_of(g.geometry)
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
        if spatial and village in villages.index and _valid(g.geometry):
            if village not in grown:  # one buffered, prepared polygon per village
                poly = villages.loc[village].geometry
                grown[village] = poly.buffer(1e-6) if _valid(poly) else None
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


def check_sites(bundle: Bundle) -> list[Finding]:
    """Every site lies inside the township and inside the village it names.

    Vectorised (one prepared township polygon, one containment test per site against its
    own village): 10,000 sites are checked in a few tens of milliseconds.
    """
    if not _usable(bundle, "sites", "villages", "township"):
        return []
    villages = _index(bundle.villages, "code")
    township = bundle.township.geometry.iloc[0] if len(bundle.township) == 1 else None
    sites = bundle.sites
    geoms = np.asarray(sites.geometry.array, dtype=object)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    usable[usable] = shapely.is_valid(geoms[usable])
    outside_township = np.zeros(len(sites), dtype=bool)
    if _valid(township):
        area = township.buffer(1e-6)
        shapely.prepare(area)
        outside_township[usable] = ~shapely.contains(area, geoms[usable])
    codes = sites["village_code"].to_numpy(dtype=object)
    known = np.array([not pd.isna(c) and c in villages.index for c in codes], dtype=bool)
    outside_village = np.zeros(len(sites), dtype=bool)
    village_geom = {
        code: geom
        for code, geom in zip(villages.index, villages.geometry, strict=True)
        if _valid(geom)
    }
    for geom in village_geom.values():
        shapely.prepare(geom)
    probe_rows = np.flatnonzero(usable & known)
    if len(probe_rows):
        homes = np.array([village_geom.get(codes[i]) for i in probe_rows], dtype=object)
        has_home = ~shapely.is_missing(homes)
        rows = probe_rows[has_home]
        probes = shapely.point_on_surface(geoms[rows])
        outside_village[rows] = ~shapely.contains(homes[has_home], probes)
    out = []
    for pos in np.flatnonzero(usable & (outside_township | ~known | outside_village)):
        s = sites.iloc[pos]
        where = _point_of(geoms[pos])
        if outside_township[pos]:
            out.append(
                Finding(
                    "error",
                    "site_in_township",
                    "sites",
                    f"点位 {s.site_id}({s.name_zh})在乡镇边界之外。",
                    f"Site {s.site_id} ({s.name_zh}) lies outside the township.",
                    s.site_id,
                    where,
                )
            )
        if not known[pos]:
            out.append(
                Finding(
                    "error",
                    "site_village",
                    "sites",
                    f"点位 {s.site_id} 所属村“{s.village_code}”不存在。",
                    f"Site {s.site_id}: village '{s.village_code}' does not exist.",
                    s.site_id,
                    where,
                )
            )
        elif outside_village[pos]:
            out.append(
                Finding(
                    "error",
                    "site_in_village",
                    "sites",
                    f"点位 {s.site_id}({s.name_zh})标为 {s.village_code},但位置不在该村内。",
                    f"Site {s.site_id} ({s.name_zh}) is marked {s.village_code} but lies "
                    "outside that village.",
                    s.site_id,
                    where,
                )
            )
    return out


def check_links(bundle: Bundle) -> list[Finding]:
    """Chains, stages, branch→chain, indicators and plans refer to things that exist."""
    site_ids = set(bundle.sites["site_id"])
    chain_ids = set(bundle.chains["chain_id"])
    places = set(bundle.villages["code"]) | set(bundle.township["code"])
    keys = set(bundle.indicator_catalogue["key"])
    out = []

    def missing(check, layer, what_zh, what_en, value, fid=None):
        out.append(
            Finding(
                "error",
                check,
                layer,
                f"{what_zh}“{value}”不存在。",
                f"{what_en} '{value}' does not exist.",
                fid,
            )
        )

    for st in bundle.chain_stages.itertuples(index=False):
        if st.chain_id not in chain_ids:
            missing(
                "stage_chain",
                "chain_stages",
                "产业链环节引用的产业链",
                "Stage's chain",
                st.chain_id,
            )
        if st.site_id not in site_ids:
            missing(
                "stage_site",
                "chain_stages",
                f"产业链 {st.chain_id} 第 {st.seq} 环节的点位",
                f"Chain {st.chain_id} stage {st.seq}: site",
                st.site_id,
            )
    dup = bundle.chain_stages.duplicated(["chain_id", "seq"])
    for st in bundle.chain_stages[dup].itertuples(index=False):
        out.append(
            Finding(
                "error",
                "stage_order",
                "chain_stages",
                f"产业链 {st.chain_id} 的第 {st.seq} 环节重复。",
                f"Chain {st.chain_id} has stage {st.seq} twice.",
                st.chain_id,
            )
        )
    orgs = bundle.party_orgs
    for o in orgs[orgs["chain_id"].notna()].itertuples(index=False):
        if o.chain_id not in chain_ids:
            missing(
                "org_chain",
                "party_orgs",
                f"党组织 {o.org_id} 依托的产业链",
                f"Organisation {o.org_id}: chain",
                o.chain_id,
                o.org_id,
            )
    ind = bundle.indicators
    for value in sorted(set(ind["place_code"].dropna()) - places):
        missing("indicator_place", "indicators", "指标表中的村", "Indicator place", value)
    for value in sorted(set(ind["indicator"].dropna()) - keys):
        missing("indicator_key", "indicators", "指标目录中没有指标", "Catalogue indicator", value)
    dups = ind[ind.duplicated(["place_code", "year", "indicator"])]
    for r in dups.itertuples(index=False):
        out.append(
            Finding(
                "error",
                "indicator_duplicate",
                "indicators",
                f"指标 {r.indicator} 在 {r.place_code} {r.year} 年有重复记录。",
                f"Indicator {r.indicator} is recorded twice for {r.place_code} {r.year}.",
                r.place_code,
            )
        )
    return out


def check_plans(bundle: Bundle) -> list[Finding]:
    """Every village has a plan; plan codes, indicators and milestone statuses are valid."""
    plans = bundle.plans.get("villages") or {}
    codes = set(bundle.villages["code"])
    keys = set(bundle.indicator_catalogue["key"])
    out = []
    if not isinstance(plans, dict):
        return [
            Finding(
                "error",
                "plans_format",
                "plans",
                "plans.yaml 中的 villages 应为映射。",
                "plans.yaml: 'villages' must be a mapping.",
            )
        ]
    for code in sorted(codes - set(plans)):
        out.append(
            Finding(
                "warning",
                "plan_missing",
                "plans",
                f"村 {code} 还没有“一村一业”发展规划。",
                f"Village {code} has no one-village-one-industry plan yet.",
                code,
            )
        )
    for code, plan in plans.items():
        if code not in codes:
            out.append(
                Finding(
                    "error",
                    "plan_village",
                    "plans",
                    f"规划中的村“{code}”不存在。",
                    f"Plan for unknown village '{code}'.",
                    str(code),
                )
            )
            continue
        if not isinstance(plan, dict):
            continue
        for goal in plan.get("goals") or []:
            key = goal.get("indicator") if isinstance(goal, dict) else None
            if key and key not in keys:
                out.append(
                    Finding(
                        "error",
                        "plan_indicator",
                        "plans",
                        f"村 {code} 规划目标引用的指标“{key}”不在指标目录中。",
                        f"Village {code}: goal indicator '{key}' is not in the catalogue.",
                        str(code),
                    )
                )
        for ms in plan.get("milestones") or []:
            status = ms.get("status") if isinstance(ms, dict) else None
            if status not in MILESTONE_STATUSES:
                out.append(
                    Finding(
                        "error",
                        "milestone_status",
                        "plans",
                        f"村 {code} 的节点“{ms}”状态“{status}”无效。",
                        f"Village {code}: milestone status '{status}' is invalid.",
                        str(code),
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
    rural = _index(branches[branches["branch_kind"] == "rural"], "village_code")
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
