"""Cross-references: chains, stages, branches, indicators and plans refer to things that
exist, and every village has a valid plan.
"""

from __future__ import annotations

from township_atlas.model.bundle import Bundle, Finding
from township_atlas.model.schema import MILESTONE_STATUSES


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


def check_photos(bundle: Bundle) -> list[Finding]:
    """Each photo belongs to a site or organisation that exists (a warning: deleting a
    feature keeps its photos' rows, which undoing the delete brings back to use)."""
    photos = bundle.photos
    if photos.empty:
        return []
    ids = {
        "sites": set(bundle.sites["site_id"].astype(str)),
        "party_orgs": set(bundle.party_orgs["org_id"].astype(str)),
    }
    out = []
    for p in photos.itertuples(index=False):
        if str(p.feature_id) not in ids.get(str(p.layer), set()):
            out.append(
                Finding(
                    "warning",
                    "photo_feature",
                    "photos",
                    f"照片 {p.photo_id} 所属的“{p.feature_id}”已不存在。若误删了该点位或党组织,"
                    "可在修改记录中撤销;否则可删除这张照片的记录。",
                    f"Photo {p.photo_id} belongs to '{p.feature_id}', which no longer exists. "
                    "If it was deleted by mistake, undo that change in the history; otherwise "
                    "delete the photo's row.",
                    str(p.photo_id),
                )
            )
    return out
