"""One test per invariant: a tiny clean township passes; breaking one rule is reported."""

from __future__ import annotations

import pytest
import shapely
from shapely.affinity import translate
from shapely.geometry import LineString, Point, Polygon, box

from tests.factory import E, M, N, S, W, make_bundle
from township_atlas.checks import run_checks
from township_atlas.checks.party import org_counts


def test_clean_tiny_township_passes_every_check():
    assert run_checks(make_bundle()) == []


def _set(frame, key_col, key, col, value):
    frame.loc[frame[key_col] == key, col] = value


def _set_geom(frame, key_col, key, geom):
    frame.loc[frame[key_col] == key, "geometry"] = geom


def reported_area_off(b):
    b.township.loc[0, "reported_area_km2"] = b.township.loc[0, "reported_area_km2"] * 1.01


def reported_villages_off(b):
    b.township.loc[0, "reported_villages"] = 3


def villages_overlap(b):
    _set_geom(b.villages, "code", "V2", box(M - 0.002, S, E, N))


def villages_gap(b):
    _set_geom(b.villages, "code", "V1", box(W, S, M - 0.002, N))


def village_outside(b):
    _set_geom(b.villages, "code", "V2", box(M, S, E + 0.01, N))


def branch_count_off(b):
    b.township.loc[0, "reported_branches"] = 10


def members_off(b):
    _set(b.party_orgs, "org_id", "B3", "members", 6)


def rural_branches_off(b):
    b.township.loc[0, "reported_rural_branches"] = 7


def rural_members_off(b):
    b.township.loc[0, "reported_rural_members"] = 301


def second_committee(b):
    _set(b.party_orgs, "org_id", "B3", "level", "committee")


def village_without_branch(b):
    _set(b.party_orgs, "org_id", "B2", "branch_kind", "organ")


def parent_missing(b):
    _set(b.party_orgs, "org_id", "G1", "parent_id", "B9")


def group_under_committee(b):
    _set(b.party_orgs, "org_id", "G1", "parent_id", "P0")


def group_site_missing(b):
    _set(b.party_orgs, "org_id", "G1", "site_id", "S99")


def group_on_market(b):
    _set(b.party_orgs, "org_id", "G2", "site_id", "S4")


def group_site_other_village(b):
    _set(b.party_orgs, "org_id", "G1", "site_id", "S3")


def group_outside_village(b):
    _set_geom(b.party_orgs, "org_id", "G1", Point(105.73, 35.965))


def groups_exceed_branch(b):
    _set(b.party_orgs, "org_id", "G2", "members", 9)


def site_outside_township(b):
    _set_geom(b.sites, "site_id", "S4", Point(105.80, 35.975))


def site_in_wrong_village(b):
    _set(b.sites, "site_id", "S4", "village_code", "V1")


def site_unknown_village(b):
    _set(b.sites, "site_id", "S4", "village_code", "V7")


def stage_site_missing(b):
    b.chain_stages.loc[0, "site_id"] = "S99"


def stage_chain_missing(b):
    b.chain_stages.loc[0, "chain_id"] = "C9"


def stage_order_duplicate(b):
    b.chain_stages.loc[1, "seq"] = 1


def org_chain_missing(b):
    _set(b.party_orgs, "org_id", "B1", "chain_id", "C9")


def indicator_place_unknown(b):
    b.indicators.loc[0, "place_code"] = "V9"


def indicator_key_unknown(b):
    b.indicators.loc[0, "indicator"] = "happiness"


def indicator_duplicate(b):
    b.indicators.loc[2, "place_code"] = "V1"


def plan_missing(b):
    del b.plans["villages"]["V2"]


def plan_unknown_village(b):
    b.plans["villages"]["V9"] = {}


def plan_bad_indicator(b):
    b.plans["villages"]["V2"] = {"goals": [{"year": 2025, "indicator": "nope"}]}


def milestone_bad_status(b):
    b.plans["villages"]["V2"] = {"milestones": [{"name_zh": "x", "status": "finished"}]}


def member_indicator_off(b):
    b.indicators.loc[2, "value"] = 7.0


def required_missing(b):
    _set(b.villages, "code", "V1", "name_zh", None)


def kind_not_allowed(b):
    _set(b.sites, "site_id", "S4", "kind", "factory")


def population_out_of_range(b):
    _set(b.villages, "code", "V1", "population", -5)


def duplicate_site_id(b):
    _set(b.sites, "site_id", "S4", "site_id", "S3")


def self_intersecting_village(b):
    bowtie = Polygon([(W, S), (M, N), (M, S), (W, N), (W, S)])
    _set_geom(b.villages, "code", "V1", bowtie)


def site_without_geometry(b):
    _set_geom(b.sites, "site_id", "S4", None)


def village_as_line(b):
    _set_geom(b.villages, "code", "V1", LineString([(W, S), (M, N)]))


def sites_in_metres(b):
    b.sites["geometry"] = [translate(g, 38_500_000, 3_980_000) for g in b.sites.geometry]


def sites_lat_lon_swapped(b):
    b.sites["geometry"] = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in b.sites.geometry]


BROKEN = [
    (reported_area_off, "township_area"),
    (reported_villages_off, "village_count"),
    (villages_overlap, "tiling_overlap"),
    (villages_gap, "tiling_gap"),
    (village_outside, "village_outside"),
    (branch_count_off, "count_branches"),
    (members_off, "count_members"),
    (rural_branches_off, "count_rural_branches"),
    (rural_members_off, "count_rural_members"),
    (second_committee, "committee_count"),
    (village_without_branch, "rural_branch_per_village"),
    (parent_missing, "org_parent"),
    (group_under_committee, "org_parent_level"),
    (group_site_missing, "group_site"),
    (group_on_market, "group_site_kind"),
    (group_site_other_village, "group_site_village"),
    (group_outside_village, "group_in_village"),
    (groups_exceed_branch, "group_members"),
    (site_outside_township, "site_in_township"),
    (site_in_wrong_village, "site_in_village"),
    (site_unknown_village, "site_village"),
    (stage_site_missing, "stage_site"),
    (stage_chain_missing, "stage_chain"),
    (stage_order_duplicate, "stage_order"),
    (org_chain_missing, "org_chain"),
    (indicator_place_unknown, "indicator_place"),
    (indicator_key_unknown, "indicator_key"),
    (indicator_duplicate, "indicator_duplicate"),
    (plan_missing, "plan_missing"),
    (plan_unknown_village, "plan_village"),
    (plan_bad_indicator, "plan_indicator"),
    (milestone_bad_status, "milestone_status"),
    (member_indicator_off, "member_indicator"),
    (required_missing, "required"),
    (kind_not_allowed, "allowed"),
    (population_out_of_range, "range"),
    (duplicate_site_id, "unique_id"),
    (self_intersecting_village, "geometry_invalid"),
    (site_without_geometry, "geometry_missing"),
    (village_as_line, "geometry_type"),
    (sites_in_metres, "coordinates"),
    (sites_lat_lon_swapped, "coordinates"),
]


@pytest.mark.parametrize(("breakage", "check"), BROKEN, ids=[b.__name__ for b, _ in BROKEN])
def test_breaking_one_rule_is_reported_in_plain_words(breakage, check):
    bundle = make_bundle()
    breakage(bundle)
    findings = run_checks(bundle)
    hits = [f for f in findings if f.check == check]
    assert hits, f"expected a '{check}' finding, got {[f.check for f in findings]}"
    for f in hits:
        assert f.message_zh and f.message_en
        assert "Traceback" not in f.message_en
    # A rule's failure never crashes another check.
    assert not [f for f in findings if f.check.startswith("check_")]


def test_spatial_findings_carry_a_location_for_the_map():
    bundle = make_bundle()
    self_intersecting_village(bundle)
    site_outside_township(bundle)
    located = {f.check: f.location for f in run_checks(bundle)}
    assert located["geometry_invalid"] is not None
    lon, lat = located["site_in_township"]
    assert (lon, lat) == pytest.approx((105.80, 35.975))


def test_projected_layer_is_reported_once_and_skips_spatial_checks():
    bundle = make_bundle()
    sites_in_metres(bundle)
    findings = run_checks(bundle)
    assert [f.layer for f in findings if f.check == "coordinates"] == ["sites"]
    assert not [f for f in findings if f.check in ("site_in_township", "site_in_village")]
    message = next(f.message_zh for f in findings if f.check == "coordinates")
    assert "投影坐标" in message


def test_org_counts_are_computed_from_the_organisations():
    assert org_counts(make_bundle()) == {
        "branches": 3,
        "members": 23,
        "rural_branches": 2,
        "rural_members": 18,
        "groups": 2,
        "committees": 1,
    }
