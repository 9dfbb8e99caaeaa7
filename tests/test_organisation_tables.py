"""The organisation page's tables, built from a small township without Streamlit."""

from __future__ import annotations

from tests.factory import make_bundle
from township_atlas.text.labels import tr
from township_atlas.views.organisation import chains, org_tree, uncovered_sites, walk
from township_atlas.views.organisation_tables import (
    BRANCH_HEADERS,
    CHAIN_HEADERS,
    UNCOVERED_HEADERS,
    branch_table,
    chain_table,
    uncovered_table,
)


def _branches(bundle):
    return [n for _, n in walk(org_tree(bundle)) if n.level == "branch"]


def test_branch_table_counts_each_branchs_groups_and_names_its_chain():
    bundle = make_bundle()
    table = branch_table(bundle, _branches(bundle), "zh").set_index("branch")
    assert list(table.reset_index().columns) == list(BRANCH_HEADERS)
    assert table.loc["甲村党支部"].to_dict() == {
        "kind": "农村党支部",
        "members": 10,
        "groups": 1,
        "group_members": 4,
        "chain": "苹果产业链",
    }
    assert table.loc["机关党支部", "chain"] == "—"
    assert table.loc["机关党支部", "groups"] == 0


def test_uncovered_table_names_sites_in_english_or_else_in_chinese():
    bundle = make_bundle()
    orgs = bundle.party_orgs
    bundle.party_orgs = orgs[orgs["org_id"] != "G1"].reset_index(drop=True)
    missing = uncovered_sites(bundle)
    site = missing.iloc[0]
    zh = uncovered_table(bundle, missing, "zh")
    assert list(zh.columns) == list(UNCOVERED_HEADERS)
    assert zh.iloc[0]["site"] == site["name_zh"] and zh.iloc[0]["village"] == "甲村"
    missing.loc[0, "name_en"] = None
    en = uncovered_table(bundle, missing, "en")
    assert en.iloc[0]["site"] == site["name_zh"] and en.iloc[0]["village"] == "Jia"
    missing.loc[0, "name_en"] = "Orchard"
    assert uncovered_table(bundle, missing, "en").iloc[0]["site"] == "Orchard"


def test_chain_table_lists_stages_in_order_and_says_when_no_branch_stands_on_it():
    bundle = make_bundle()
    table = chain_table(chains(bundle), "zh")
    assert list(table.columns) == list(CHAIN_HEADERS)
    assert table.to_dict("records") == [
        {"chain": "苹果产业链", "stages": "示范 → 致富", "branches": "甲村党支部"}
    ]
    bundle.party_orgs["chain_id"] = None
    assert chain_table(chains(bundle), "en").iloc[0]["branches"] == tr("no_chain_branch", "en")
