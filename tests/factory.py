"""A tiny, clean township built in code, for tests that break one rule at a time.

Two square villages side by side (about 1.8 km × 2.2 km each), one wealth project and one
demonstration base in each, a committee, two rural branches and one organs branch, a
Party group on each wealth project, one chain, a few indicators and a plan per village.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.storage.formats import empty_layer

W, M, E = 105.70, 105.72, 105.74
S, N = 35.96, 35.98


def _gdf(rows: list[dict], layer: str) -> gpd.GeoDataFrame:
    spec = LAYERS_BY_NAME[layer]
    base = empty_layer(spec)
    frame = pd.DataFrame(rows)
    for column in spec.field_names():
        if column not in frame:
            frame[column] = None
        frame[column] = frame[column].astype(base[column].dtype)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=4326)


def _df(rows: list[dict], layer: str) -> pd.DataFrame:
    spec = LAYERS_BY_NAME[layer]
    base = empty_layer(spec)
    frame = pd.DataFrame(rows, columns=spec.field_names())
    return frame.astype({c: base[c].dtype for c in spec.field_names()})


def make_bundle() -> Bundle:
    township_geom = box(W, S, E, N)
    area_km2 = geodesic_area_m2(township_geom) / 1e6
    township = _gdf(
        [
            {
                "code": "T1",
                "name_zh": "测试乡",
                "name_en": "Test",
                "reported_area_km2": area_km2,
                "reported_villages": 2,
                "reported_branches": 3,
                "reported_members": 23,
                "reported_rural_branches": 2,
                "reported_rural_members": 18,
                "sample": True,
                "geometry": township_geom,
            }
        ],
        "township",
    )
    villages = _gdf(
        [
            {
                "code": "V1",
                "name_zh": "甲村",
                "name_en": "Jia",
                "population": 1000,
                "households": 300,
                "leading_industry_zh": "苹果",
                "leading_industry_en": "Apples",
                "geometry": box(W, S, M, N),
            },
            {
                "code": "V2",
                "name_zh": "乙村",
                "name_en": "Yi",
                "population": 800,
                "households": 250,
                "leading_industry_zh": "肉牛",
                "leading_industry_en": "Cattle",
                "geometry": box(M, S, E, N),
            },
        ],
        "villages",
    )
    sites = _gdf(
        [
            {
                "site_id": "S1",
                "name_zh": "甲村致富项目",
                "kind": "wealth_project",
                "industry_zh": "苹果",
                "village_code": "V1",
                "geometry": Point(105.705, 35.965),
            },
            {
                "site_id": "S2",
                "name_zh": "甲村示范基地",
                "kind": "demo_base",
                "industry_zh": "苹果",
                "village_code": "V1",
                "area_mu": 50.0,
                "geometry": box(105.712, 35.972, 105.714, 35.974),
            },
            {
                "site_id": "S3",
                "name_zh": "乙村致富项目",
                "kind": "wealth_project",
                "industry_zh": "肉牛",
                "village_code": "V2",
                "geometry": Point(105.73, 35.97),
            },
            {
                "site_id": "S4",
                "name_zh": "乙村交易市场",
                "kind": "market",
                "industry_zh": "肉牛",
                "village_code": "V2",
                "geometry": Point(105.735, 35.975),
            },
        ],
        "sites",
    )
    orgs = _gdf(
        [
            {
                "org_id": "P0",
                "name_zh": "乡党委",
                "level": "committee",
                "members": 0,
                "village_code": "V1",
                "geometry": Point(105.71, 35.971),
            },
            {
                "org_id": "B1",
                "name_zh": "甲村党支部",
                "level": "branch",
                "branch_kind": "rural",
                "parent_id": "P0",
                "village_code": "V1",
                "members": 10,
                "chain_id": "C1",
                "geometry": Point(105.71, 35.97),
            },
            {
                "org_id": "B2",
                "name_zh": "乙村党支部",
                "level": "branch",
                "branch_kind": "rural",
                "parent_id": "P0",
                "village_code": "V2",
                "members": 8,
                "geometry": Point(105.73, 35.971),
            },
            {
                "org_id": "B3",
                "name_zh": "机关党支部",
                "level": "branch",
                "branch_kind": "organ",
                "parent_id": "P0",
                "members": 5,
                "geometry": Point(105.711, 35.972),
            },
            {
                "org_id": "G1",
                "name_zh": "甲村党小组",
                "level": "group",
                "parent_id": "B1",
                "village_code": "V1",
                "members": 4,
                "site_id": "S1",
                "geometry": Point(105.706, 35.966),
            },
            {
                "org_id": "G2",
                "name_zh": "乙村党小组",
                "level": "group",
                "parent_id": "B2",
                "village_code": "V2",
                "members": 3,
                "site_id": "S3",
                "geometry": Point(105.731, 35.969),
            },
        ],
        "party_orgs",
    )
    chains = _df([{"chain_id": "C1", "name_zh": "苹果产业链", "industry_zh": "苹果"}], "chains")
    stages = _df(
        [
            {"chain_id": "C1", "seq": 1, "stage_zh": "示范", "site_id": "S2"},
            {"chain_id": "C1", "seq": 2, "stage_zh": "致富", "site_id": "S1"},
        ],
        "chain_stages",
    )
    catalogue = _df(
        [
            {
                "key": "collective_income",
                "label_zh": "村集体经济收入",
                "label_en": "Collective income",
                "unit_zh": "万元",
                "higher_is_better": True,
                "group": "economy",
            },
            {
                "key": "party_members",
                "label_zh": "党员数",
                "label_en": "Members",
                "unit_zh": "名",
                "higher_is_better": True,
                "group": "party",
            },
        ],
        "indicator_catalogue",
    )
    indicators = _df(
        [
            {
                "place_code": "V1",
                "year": 2024,
                "indicator": "collective_income",
                "value": 3.0,
                "target": 4.0,
            },
            {"place_code": "V1", "year": 2025, "indicator": "party_members", "value": 10.0},
            {"place_code": "V2", "year": 2025, "indicator": "party_members", "value": 8.0},
        ],
        "indicators",
    )
    plan = {
        "leading_industry_zh": "苹果",
        "goals": [{"year": 2025, "indicator": "collective_income", "text_zh": "目标"}],
        "milestones": [{"name_zh": "基地建成", "due": "2025-01-01", "status": "done"}],
    }
    return Bundle(
        township,
        villages,
        sites,
        orgs,
        chains,
        stages,
        catalogue,
        indicators,
        plans={"villages": {"V1": plan, "V2": dict(plan)}},
        report={},
    )
