"""The Party organisation: committee → branches → groups, the report's counts, which wealth
projects and demonstration bases have a Party group, and the chains branches are built on.

Branches are built on industry chains (把党支部建在产业链上) and Party groups on wealth
projects and demonstration bases (把党小组建在致富项目、示范基地上); this module answers
"which sites still have no group" and "which branch stands on which chain".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from township_atlas.checks.party import org_counts
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import GROUP_SITE_KINDS
from township_atlas.text.bilingual import Named, bilingual
from township_atlas.text.numbers import is_blank, text

# (count key in checks.org_counts, township property holding the reported figure)
REPORTED_COUNTS: tuple[tuple[str, str], ...] = (
    ("branches", "reported_branches"),
    ("members", "reported_members"),
    ("rural_branches", "reported_rural_branches"),
    ("rural_members", "reported_rural_members"),
)


@dataclass
class OrgNode(Named):
    """One Party organisation and the organisations under it."""

    org_id: str
    name_zh: str
    name_en: str
    level: str
    branch_kind: str
    members: int
    village_code: str
    leader_role_zh: str
    site_id: str
    chain_id: str
    children: list[OrgNode] = field(default_factory=list)


def _nodes(bundle: Bundle) -> list[OrgNode]:
    orgs = bundle.party_orgs.drop(columns="geometry", errors="ignore")
    out = []
    for row in orgs.to_dict("records"):
        members = row.get("members")
        out.append(
            OrgNode(
                org_id=text(row.get("org_id")),
                name_zh=text(row.get("name_zh")),
                name_en=text(row.get("name_en")),
                level=text(row.get("level")),
                branch_kind=text(row.get("branch_kind")),
                members=0 if is_blank(members) else int(members),
                village_code=text(row.get("village_code")),
                leader_role_zh=text(row.get("leader_role_zh")),
                site_id=text(row.get("site_id")),
                chain_id=text(row.get("chain_id")),
            )
        )
    return out


def org_tree(bundle: Bundle) -> list[OrgNode]:
    """The organisation as a forest: normally one root, the township committee.

    Branches are ordered rural first, in village order, then the others by id; groups by
    id. An organisation whose parent does not resolve becomes a root of its own (the
    data check reports it), so nothing is silently dropped.
    """
    nodes = _nodes(bundle)
    by_id = {n.org_id: n for n in nodes}
    parents = dict(
        zip(
            bundle.party_orgs["org_id"].astype(str),
            bundle.party_orgs["parent_id"].map(text),
            strict=True,
        )
    )
    village_order = {c: i for i, c in enumerate(bundle.villages["code"].astype(str))}

    def order(n: OrgNode) -> tuple:
        rural = n.branch_kind == "rural"
        return (not rural, village_order.get(n.village_code, 10**6) if rural else 0, n.org_id)

    roots = []
    for node in sorted(nodes, key=order):
        parent = by_id.get(parents.get(node.org_id, ""))
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)
    return roots


def walk(roots: list[OrgNode]) -> list[tuple[int, OrgNode]]:
    """Every node with its depth, parents before children (depth-first)."""
    out: list[tuple[int, OrgNode]] = []

    def visit(node: OrgNode, depth: int) -> None:
        out.append((depth, node))
        for child in node.children:
            visit(child, depth + 1)

    for root in roots:
        visit(root, 0)
    return out


def branch_nodes(roots: list[OrgNode]) -> list[OrgNode]:
    """Every branch (level "branch") of the tree, in :func:`walk` order."""
    return [node for _, node in walk(roots) if node.level == "branch"]


def only_branch(roots: list[OrgNode], org_id: str) -> list[OrgNode]:
    """The tree cut down to one branch and its groups, still under its committee."""
    out = []
    for root in roots:
        kept = [child for child in root.children if child.org_id == org_id]
        if kept:
            out.append(replace(root, children=kept))
        elif root.org_id == org_id:
            out.append(root)
    return out


@dataclass(frozen=True)
class CountCheck:
    """A count the report states, computed from the organisation data."""

    key: str
    computed: int
    reported: int | None
    passes: bool | None  # None when the report states no figure


def count_checks(bundle: Bundle) -> list[CountCheck]:
    """Branches, members, rural branches and rural members: computed against reported."""
    counts = org_counts(bundle)
    props = bundle.township_props
    out = []
    for key, prop in REPORTED_COUNTS:
        reported = props.get(prop)
        if is_blank(reported):
            out.append(CountCheck(key, counts[key], None, None))
        else:
            out.append(CountCheck(key, counts[key], int(reported), counts[key] == int(reported)))
    return out


@dataclass(frozen=True)
class Coverage:
    """How many sites of one kind (or ``"all"``) have a Party group built on them."""

    kind: str
    total: int
    covered: int

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    @property
    def share(self) -> float | None:
        """Covered / total, or None when there are no such sites."""
        return self.covered / self.total if self.total else None


def groups_by_site(bundle: Bundle) -> dict[str, list[str]]:
    """Site id → ids of the Party groups built on it."""
    orgs = bundle.party_orgs
    groups = orgs[(orgs["level"] == "group") & orgs["site_id"].notna()]
    out: dict[str, list[str]] = {}
    for site, org in zip(groups["site_id"].astype(str), groups["org_id"].astype(str), strict=True):
        out.setdefault(site, []).append(org)
    return out


def _group_sites(bundle: Bundle) -> pd.DataFrame:
    sites = bundle.sites
    return sites[sites["kind"].isin(GROUP_SITE_KINDS)]


def coverage(bundle: Bundle) -> list[Coverage]:
    """Coverage of wealth projects, of demonstration bases, and of both together ("all")."""
    sites = _group_sites(bundle)
    covered = sites["site_id"].astype(str).isin(groups_by_site(bundle))
    out = [
        Coverage(
            kind, int((sites["kind"] == kind).sum()), int(covered[sites["kind"] == kind].sum())
        )
        for kind in GROUP_SITE_KINDS
    ]
    out.append(Coverage("all", len(sites), int(covered.sum())))
    return out


def uncovered_sites(bundle: Bundle) -> pd.DataFrame:
    """Wealth projects and demonstration bases with no Party group, by village then id.

    Columns: ``site_id, name_zh, name_en, kind, village_code, industry_zh, households,
    output_wan`` (no geometry).
    """
    sites = _group_sites(bundle)
    mask = ~sites["site_id"].astype(str).isin(groups_by_site(bundle))
    columns = [
        "site_id",
        "name_zh",
        "name_en",
        "kind",
        "village_code",
        "industry_zh",
        "households",
        "output_wan",
    ]
    out = pd.DataFrame(sites.loc[mask, columns])
    return out.sort_values(["village_code", "site_id"]).reset_index(drop=True)


@dataclass(frozen=True)
class ChainStage:
    seq: int
    stage_zh: str
    stage_en: str
    site_id: str
    site_name_zh: str
    site_name_en: str
    village_code: str

    def stage(self, lang: str) -> str:
        return bilingual(self, "stage", lang)

    def site_name(self, lang: str) -> str:
        return bilingual(self, "site_name", lang)


@dataclass(frozen=True)
class Chain(Named):
    """An industry chain: its ordered stages and the branches built on it."""

    chain_id: str
    name_zh: str
    name_en: str
    industry_zh: str
    stages: tuple[ChainStage, ...]
    branches: tuple[OrgNode, ...]


def chains(bundle: Bundle) -> list[Chain]:
    """Every chain with its stages in order (unknown sites keep their id as the name)."""
    sites = bundle.sites.set_index(bundle.sites["site_id"].astype(str))
    nodes = _nodes(bundle)
    out = []
    for row in bundle.chains.to_dict("records"):
        chain_id = text(row.get("chain_id"))
        rows = bundle.chain_stages[bundle.chain_stages["chain_id"] == chain_id]
        stages = []
        for st in rows.sort_values("seq").to_dict("records"):
            site_id = text(st.get("site_id"))
            site = sites.loc[site_id] if site_id in sites.index else None
            stages.append(
                ChainStage(
                    seq=int(st["seq"]),
                    stage_zh=text(st.get("stage_zh")),
                    stage_en=text(st.get("stage_en")),
                    site_id=site_id,
                    site_name_zh=text(site["name_zh"]) if site is not None else site_id,
                    site_name_en=text(site["name_en"]) if site is not None else "",
                    village_code=text(site["village_code"]) if site is not None else "",
                )
            )
        branches = tuple(n for n in nodes if n.level == "branch" and n.chain_id == chain_id)
        out.append(
            Chain(
                chain_id=chain_id,
                name_zh=text(row.get("name_zh")) or chain_id,
                name_en=text(row.get("name_en")),
                industry_zh=text(row.get("industry_zh")),
                stages=tuple(stages),
                branches=branches,
            )
        )
    return out


def village_branch(bundle: Bundle, village_code: str) -> OrgNode | None:
    """The village's rural branch with its groups, or None when it has none."""
    for _depth, node in walk(org_tree(bundle)):
        rural = node.level == "branch" and node.branch_kind == "rural"
        if rural and node.village_code == village_code:
            return node
    return None
