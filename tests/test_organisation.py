"""The Party organisation: tree, the report's counts, group coverage of sites, chains and
the DOT diagrams — checked against figures read here straight from the GeoJSON/CSV."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.factory import make_bundle
from township_atlas.storage.files.store import Store
from township_atlas.views import organisation as org
from township_atlas.views.diagrams import chains_dot, dot_text, node_width, org_tree_dot


def features(path: Path) -> list[dict]:
    return [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]


@pytest.fixture
def sample(sample_dir):
    return sample_dir, Store(sample_dir).load().bundle


def test_tree_is_committee_then_branches_then_groups_as_in_the_geojson(sample):
    folder, bundle = sample
    orgs = features(folder / "party_orgs.geojson")
    roots = org.org_tree(bundle)
    assert [r.level for r in roots] == ["committee"]
    branches = roots[0].children
    assert sorted(b.org_id for b in branches) == sorted(
        o["org_id"] for o in orgs if o["level"] == "branch"
    )
    for branch in branches:
        expected = {o["org_id"]: o["members"] for o in orgs if o["parent_id"] == branch.org_id}
        assert {g.org_id: g.members for g in branch.children} == expected
    # rural branches first, in village order
    assert [b.village_code for b in branches[:7]] == [f"V0{i}" for i in range(1, 8)]
    assert len(org.walk(roots)) == len(orgs)


def test_an_orphan_is_a_root_of_its_own_not_dropped():
    bundle = make_bundle()
    bundle.party_orgs.loc[bundle.party_orgs["org_id"] == "G2", "parent_id"] = "NOPE"
    roots = org.org_tree(bundle)
    assert {r.org_id for r in roots} == {"P0", "G2"}


def test_counts_are_computed_and_checked_against_the_report(sample):
    folder, bundle = sample
    orgs = features(folder / "party_orgs.geojson")
    branches = [o for o in orgs if o["level"] == "branch"]
    rural = [o for o in branches if o["branch_kind"] == "rural"]
    computed = {c.key: c for c in org.count_checks(bundle)}
    assert computed["branches"].computed == len(branches) == 10
    assert computed["members"].computed == sum(o["members"] for o in branches) == 353
    assert computed["rural_branches"].computed == len(rural) == 7
    assert computed["rural_members"].computed == sum(o["members"] for o in rural) == 301
    assert all(c.passes for c in computed.values())


def test_a_changed_branch_fails_the_member_checks():
    bundle = make_bundle()
    bundle.party_orgs.loc[bundle.party_orgs["org_id"] == "B1", "members"] = 11
    checks = {c.key: c for c in org.count_checks(bundle)}
    assert checks["members"].computed == 24 and checks["members"].passes is False
    assert checks["rural_members"].passes is False
    assert checks["branches"].passes is True


def test_coverage_of_wealth_projects_and_demonstration_bases(sample):
    folder, bundle = sample
    sites = features(folder / "sites.geojson")
    built_on = {
        o["site_id"] for o in features(folder / "party_orgs.geojson") if o["level"] == "group"
    }
    cover = {c.kind: c for c in org.coverage(bundle)}
    for kind in ("wealth_project", "demo_base"):
        of_kind = [s["site_id"] for s in sites if s["kind"] == kind]
        assert cover[kind].total == len(of_kind)
        assert cover[kind].covered == len([s for s in of_kind if s in built_on])
    assert cover["all"].total == cover["wealth_project"].total + cover["demo_base"].total
    assert cover["all"].share == pytest.approx(cover["all"].covered / cover["all"].total)
    uncovered = {
        s["site_id"]
        for s in sites
        if s["kind"] in ("wealth_project", "demo_base") and s["site_id"] not in built_on
    }
    assert set(org.uncovered_sites(bundle)["site_id"]) == uncovered
    assert uncovered  # the sample leaves some sites without a group, to show the gap


def test_coverage_with_no_sites_has_no_share():
    bundle = make_bundle()
    bundle.sites = bundle.sites.iloc[0:0]
    assert all(c.total == 0 and c.share is None for c in org.coverage(bundle))
    assert org.uncovered_sites(bundle).empty


def test_chains_have_ordered_stages_and_the_branches_built_on_them(sample):
    folder, bundle = sample
    with (folder / "chain_stages.csv").open(encoding="utf-8") as f:
        stages = list(csv.DictReader(f))
    orgs = features(folder / "party_orgs.geojson")
    for chain in org.chains(bundle):
        expected = sorted(
            (int(s["seq"]), s["site_id"]) for s in stages if s["chain_id"] == chain.chain_id
        )
        assert [(s.seq, s.site_id) for s in chain.stages] == expected
        assert {b.org_id for b in chain.branches} == {
            o["org_id"] for o in orgs if o["chain_id"] == chain.chain_id
        }


def test_village_branch_and_only_branch():
    bundle = make_bundle()
    branch = org.village_branch(bundle, "V1")
    assert branch.org_id == "B1" and [g.org_id for g in branch.children] == ["G1"]
    assert org.village_branch(bundle, "V9") is None
    pruned = org.only_branch(org.org_tree(bundle), "B2")
    assert [c.org_id for c in pruned[0].children] == ["B2"]
    assert len(org.org_tree(bundle)[0].children) == 3  # the original is untouched


# --- diagrams -----------------------------------------------------------------------


EVIL = 'Evil"]; x -> y [label="\\N\nnext line <b>bold</b>'


def quoted_strings_are_balanced(dot: str) -> bool:
    """Every line has an even number of unescaped double quotes."""
    return all(
        len(re.findall(r'(?<!\\)"', line.replace("\\\\", ""))) % 2 == 0 for line in dot.splitlines()
    )


def test_dot_text_escapes_quotes_backslashes_and_newlines():
    text = dot_text(EVIL)
    assert "\n" not in text
    assert text == 'Evil\\"]; x -> y [label=\\"\\\\N next line <b>bold</b>'


def test_names_from_the_data_cannot_break_the_diagrams():
    bundle = make_bundle()
    bundle.party_orgs.loc[bundle.party_orgs["org_id"] == "B1", "name_zh"] = EVIL
    bundle.chains.loc[0, "name_zh"] = EVIL
    tree = org_tree_dot(org.org_tree(bundle), "zh", "{n} 名党员", "{branches} 个支部 · {n} 名党员")
    chains = chains_dot(org.chains(bundle), "zh", "建在产业链上")
    for dot in (tree, chains):
        assert quoted_strings_are_balanced(dot)
        # the only edges are between generated ids
        for edge in re.findall(r"^(\w+) -> (\w+)", dot, flags=re.M):
            assert all(re.fullmatch(r"n\d+|c\d+[sb]\d+", node) for node in edge)


def test_tree_dot_shows_members_and_the_committee_total():
    bundle = make_bundle()
    dot = org_tree_dot(org.org_tree(bundle), "zh", "{n} 名党员", "{branches} 个支部 · {n} 名党员")
    assert "乡党委\\n3 个支部 · 23 名党员" in dot
    assert "甲村党支部\\n10 名党员" in dot
    assert dot.count(" -> ") == 5


def test_node_width_grows_with_chinese_text():
    assert node_width(["党小组"], 10) > node_width(["abc"], 10)
    assert node_width(["一二三四五六七八九十"], 10) >= 10 * 10 / 72


def test_branch_nodes_are_the_branches_of_the_tree_in_walk_order():
    roots = org.org_tree(make_bundle())
    assert [b.org_id for b in org.branch_nodes(roots)] == ["B1", "B2", "B3"]
    assert org.branch_nodes(org.only_branch(roots, "B2"))[0].org_id == "B2"
    assert org.branch_nodes([]) == []
