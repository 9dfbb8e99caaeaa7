"""Seeded generator of the fictional sample township (and of larger counties for benchmarks).

    python -m township_atlas.sample geodata/                    # the shipped sample
    python -m township_atlas.sample /tmp/county --villages 100 --sites 10000

How the geometry is made, in a local equal-area projection (metres): a wavy outline;
village seeds spread by Lloyd relaxation; Voronoi cells clipped to the outline; every
vertex then moved by one smooth displacement field, so shared edges stay shared (the
villages tile the township exactly) while looking less like straight lines. The result is
scaled so the geodesic area is the target (42.5 km²) and rounded to 7 decimals.
The same seed always gives the same files.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.affinity import rotate
from shapely.geometry import MultiPoint, Point, Polygon, box

from township_atlas import sample_content as content
from township_atlas.geo import geodesic_area_m2
from township_atlas.schema import (
    CATALOGUE,
    CHAIN_STAGES,
    CHAINS,
    INDICATORS,
    M2_PER_MU,
    PARTY_ORGS,
    PLANS_FILE,
    REPORT_FILE,
    SITES,
    TOWNSHIP,
    VILLAGES,
)
from township_atlas.storage.formats import COORD_DECIMALS, csv_text, geojson_text, yaml_text

DEFAULT_SEED = 20220821  # the report's date
YEARS = list(range(2021, 2026))  # recorded years
PLAN_YEARS = [2026, 2027]  # target-only years of the plan


@dataclass
class Geometry:
    """The generated geometry, in WGS84 lon/lat."""

    township: Polygon
    villages: list[Polygon]
    seeds: list[Point]
    to_wgs84: Any
    to_metric: Any


def _outline(rng: np.random.Generator, radius: float) -> Polygon:
    angles = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    r = np.ones_like(angles)
    for k in range(2, 7):
        r += rng.uniform(0.03, 0.12) / k * 2 * np.sin(k * angles + rng.uniform(0, 2 * math.pi))
    r *= radius
    # Slightly elongated east-west, as valley townships often are.
    return Polygon(np.c_[1.25 * r * np.cos(angles), 0.85 * r * np.sin(angles)])


def _lloyd_seeds(rng: np.random.Generator, outline: Polygon, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = outline.bounds
    pts: list[tuple[float, float]] = []
    while len(pts) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(Point(x, y)):
            pts.append((x, y))
    seeds = np.array(pts)
    for _ in range(12):
        cells = _cells(outline, seeds)
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return seeds


def _cells(outline: Polygon, seeds: np.ndarray) -> list[Polygon]:
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(1000))
    cells = []
    for seed in seeds:
        p = Point(seed)
        cell = next(g for g in regions.geoms if g.contains(p))
        clipped = cell.intersection(outline)
        if clipped.geom_type != "Polygon":  # keep the piece holding the seed
            clipped = next(g for g in clipped.geoms if g.contains(p))
        cells.append(clipped)
    return cells


def _warp(rng: np.random.Generator, amplitude: float, wavelength: float):
    """A smooth displacement field with |gradient| < 1, so it keeps polygons valid."""
    phases = rng.uniform(0, 2 * math.pi, 4)

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        dx = amplitude * np.sin(x / wavelength + phases[0]) * np.cos(y / wavelength + phases[1])
        dy = amplitude * np.cos(x / wavelength + phases[2]) * np.sin(y / wavelength + phases[3])
        return np.c_[x + dx, y + dy]

    return apply


def make_geometry(
    seed: int, n_villages: int, area_km2: float, center: tuple[float, float]
) -> Geometry:
    """Township and village polygons in WGS84 with the exact geodesic area."""
    lon0, lat0 = center
    laea = f"+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m"
    to_wgs84 = Transformer.from_crs(laea, "EPSG:4326", always_xy=True)
    to_metric = Transformer.from_crs("EPSG:4326", laea, always_xy=True)
    rng = np.random.default_rng(seed)
    outline = _outline(rng, 1000.0)
    seeds = _lloyd_seeds(rng, outline, n_villages)
    cells = _cells(outline, seeds)
    warp = _warp(rng, amplitude=45.0, wavelength=220.0)
    cells = [shapely.transform(shapely.segmentize(c, 40.0), warp) for c in cells]
    seeds = warp(seeds)
    scale = 1.0
    for _ in range(4):

        def project(xy: np.ndarray, s: float = scale) -> np.ndarray:
            lon, lat = to_wgs84.transform(xy[:, 0] * s, xy[:, 1] * s)
            return np.round(np.c_[lon, lat], COORD_DECIMALS)

        villages = [shapely.transform(c, project) for c in cells]
        township = shapely.union_all(villages)
        area = geodesic_area_m2(township) / 1e6
        if abs(area / area_km2 - 1) < 2e-5:
            break
        scale *= math.sqrt(area_km2 / area)
    seed_pts = [Point(*project(np.array([s]))[0]) for s in seeds]
    return Geometry(township, villages, seed_pts, to_wgs84, to_metric)


def _metric(geom, geometry: Geometry):
    return shapely.transform(geom, lambda xy: np.c_[geometry.to_metric.transform(*xy.T)])


def _wgs(geom, geometry: Geometry):
    return shapely.transform(
        geom, lambda xy: np.round(np.c_[geometry.to_wgs84.transform(*xy.T)], COORD_DECIMALS)
    )


class _Placer:
    """Places points and small polygons inside a village, apart from each other."""

    def __init__(self, rng: np.random.Generator, village_m: Polygon, margin: float) -> None:
        self.rng = rng
        self.inner = village_m.buffer(-margin)
        if self.inner.is_empty:
            self.inner = village_m.buffer(-margin / 4)
        self.taken: list[Point] = []

    def point(self, spacing: float = 260.0) -> Point:
        minx, miny, maxx, maxy = self.inner.bounds
        best = None
        for attempt in range(400):
            p = Point(self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy))
            if not self.inner.contains(p):
                continue
            gap = min((p.distance(t) for t in self.taken), default=1e9)
            if gap >= spacing or attempt > 300:
                best = p
                break
        best = best or self.inner.representative_point()
        self.taken.append(best)
        return best

    def rectangle(self, area_m2: float) -> Polygon:
        for _ in range(50):
            c = self.point(spacing=320.0)
            ratio = self.rng.uniform(1.2, 2.2)
            w = math.sqrt(area_m2 * ratio)
            h = area_m2 / w
            rect = rotate(
                box(c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2), self.rng.uniform(0, 180)
            )
            if self.inner.contains(rect):
                return rect
            self.taken.pop()
        # The village is too small for this base: fall back to a point.
        return self.point()


KIND_WORDS = {
    "industry_base": ("基地", "base"),
    "demo_base": ("示范基地", "demonstration base"),
    "wealth_project": ("致富项目", "wealth project"),
    "cooperative": ("专业合作社", "cooperative"),
    "market": ("交易市场", "market"),
}
WEALTH_WORDS = ["育肥", "加工", "冷链", "电商", "烘干", "种苗", "托管"]
SYLLABLES_ZH = list("东西南北上下前后新旧大小高低李王张刘杨赵陈马何吴柳杏榆槐杨桃梨")
SYLLABLES_ZH2 = ["庄", "湾", "坪", "岔", "堡", "沟", "塬", "川", "台", "滩", "峪", "寨"]
INDUSTRIES = [(v["industry_zh"], v["industry_en"]) for v in content.VILLAGES]


def _village_profiles(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    if n == len(content.VILLAGES):
        return [dict(v) for v in content.VILLAGES]
    profiles = []
    used: set[str] = set()
    for i in range(n):
        while True:
            name = rng.choice(SYLLABLES_ZH) + rng.choice(SYLLABLES_ZH) + rng.choice(SYLLABLES_ZH2)
            if name not in used:
                used.add(name)
                break
        ind_zh, ind_en = INDUSTRIES[i % len(INDUSTRIES)]
        profiles.append(
            {
                "name_zh": f"{name}村",
                "name_en": f"Village {i + 1:03d}",
                "industry_zh": ind_zh,
                "industry_en": ind_en,
                "members": int(rng.integers(25, 60)),
                "population": int(rng.integers(900, 3500)),
                "strength": float(rng.uniform(0.2, 0.9)),
                "support_zh": "",
                "support_en": "",
            }
        )
    return profiles


def generate(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    n_villages: int = 7,
    n_sites: int | None = None,
    area_km2: float | None = None,
) -> Path:
    """Write a complete data folder. With the defaults it is the shipped sample township.

    Parameters
    ----------
    out_dir : folder to write (created; existing data files are overwritten)
    seed : random seed; the same seed gives byte-identical files
    n_villages : number of villages (7 for the sample; 100 for the benchmark county)
    n_sites : total sites; default about 6 per village
    area_km2 : geodesic area of the whole territory; default 42.5 km² for 7 villages,
        6 km² per village otherwise
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    is_sample = n_villages == len(content.VILLAGES) and n_sites is None and area_km2 is None
    area = area_km2 or (content.TOWNSHIP["area_km2"] if is_sample else 6.0 * n_villages)
    geometry = make_geometry(seed, n_villages, area, content.TOWNSHIP["center"])
    profiles = _village_profiles(n_villages, rng)
    # Order villages west to east so codes read naturally on the map.
    order = np.argsort([s.x for s in geometry.seeds])
    villages_geo = [geometry.villages[i] for i in order]
    seeds = [geometry.seeds[i] for i in order]
    codes = [f"V{i + 1:02d}" if n_villages < 100 else f"V{i + 1:03d}" for i in range(n_villages)]

    villages = []
    for code, prof, poly in zip(codes, profiles, villages_geo, strict=True):
        villages.append(
            {
                "code": code,
                "name_zh": prof["name_zh"],
                "name_en": prof["name_en"],
                "population": prof["population"],
                "households": int(prof["population"] / rng.uniform(3.3, 3.9)),
                "leading_industry_zh": prof["industry_zh"],
                "leading_industry_en": prof["industry_en"],
                "support_unit_zh": prof["support_zh"] or None,
                "support_unit_en": prof["support_en"] or None,
                "geometry": poly,
            }
        )

    sites = _make_sites(rng, geometry, villages, seeds, n_sites, profiles)
    chains, stages = _make_chains(sites, codes) if is_sample else ([], [])
    orgs = _make_orgs(rng, geometry, villages, seeds, sites, profiles, chains, is_sample)
    indicators = _make_indicators(rng, villages, profiles, orgs, sites)
    plans = _make_plans(villages, profiles)

    t = content.TOWNSHIP
    branches = [o for o in orgs if o["level"] == "branch"]
    rural = [o for o in branches if o["branch_kind"] == "rural"]
    township = {
        "code": t["code"] if is_sample else "COUNTY-SAMPLE",
        "name_zh": t["name_zh"] if is_sample else f"示例县({n_villages}村)",
        "name_en": t["name_en"] if is_sample else f"Sample county ({n_villages} villages)",
        "flagship_zh": t["flagship_zh"],
        "flagship_en": t["flagship_en"],
        # What the report states; the checks compare the geodata with these.
        "reported_area_km2": area,
        "reported_villages": n_villages,
        "reported_branches": len(branches),
        "reported_members": sum(o["members"] for o in branches),
        "reported_rural_branches": len(rural),
        "reported_rural_members": sum(o["members"] for o in rural),
        "sample": True,
        "geometry": geometry.township,
    }

    def write(name: str, text: str) -> None:
        (out_dir / name).write_text(text, encoding="utf-8")

    def gdf(rows):
        return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)

    write(TOWNSHIP.filename, geojson_text(gdf([township]), TOWNSHIP))
    write(VILLAGES.filename, geojson_text(gdf(villages), VILLAGES))
    write(SITES.filename, geojson_text(gdf(sites), SITES))
    write(PARTY_ORGS.filename, geojson_text(gdf(orgs), PARTY_ORGS))
    write(CHAINS.filename, csv_text(pd.DataFrame(chains, columns=CHAINS.field_names()), CHAINS))
    write(
        CHAIN_STAGES.filename,
        csv_text(pd.DataFrame(stages, columns=CHAIN_STAGES.field_names()), CHAIN_STAGES),
    )
    catalogue = pd.DataFrame(
        [
            dict(
                zip(
                    CATALOGUE.field_names(),
                    (k, zh, en, uzh, uen, hib, grp, src, agg),
                    strict=True,
                )
            )
            for k, zh, en, uzh, uen, hib, grp, _has_target, src, agg in content.CATALOGUE
        ]
    )
    write(CATALOGUE.filename, csv_text(catalogue, CATALOGUE))
    write(INDICATORS.filename, csv_text(pd.DataFrame(indicators), INDICATORS))
    write(PLANS_FILE, yaml_text({"villages": plans}))
    write(REPORT_FILE, yaml_text(content.REPORT))
    return out_dir


def _make_sites(rng, geometry, villages, seeds, n_sites, profiles) -> list[dict[str, Any]]:
    n_villages = len(villages)
    per_village = [6] * n_villages
    if n_sites is not None:
        base, extra = divmod(n_sites, n_villages)
        per_village = [base + (1 if i < extra else 0) for i in range(n_villages)]
    sites: list[dict[str, Any]] = []
    counter = 0
    for vi, (village, prof) in enumerate(zip(villages, profiles, strict=True)):
        placer = _Placer(rng, _metric(village["geometry"], geometry), margin=120.0)
        # Reserve the village office (the branch sits there) so no site lands on it.
        placer.taken.append(_metric(seeds[vi], geometry))
        kinds = ["industry_base", "demo_base", "wealth_project", "wealth_project", "cooperative"]
        if vi in (0, 1) or (n_villages > 7 and vi % 10 == 0):
            kinds.append("market")
        else:
            kinds.append("demo_base" if vi % 2 else "wealth_project")
        while len(kinds) < per_village[vi]:
            kinds.append(rng.choice(list(KIND_WORDS)))
        kinds = kinds[: per_village[vi]]
        short = village["name_zh"].removesuffix("村")
        wealth_i = 0
        for kind in kinds:
            counter += 1
            ind_zh = prof["industry_zh"]
            area_mu = None
            if kind in ("industry_base", "demo_base") and n_villages <= 20:
                area_mu = float(
                    round(
                        rng.uniform(150, 900) if kind == "industry_base" else rng.uniform(60, 300)
                    )
                )
                shape_m = placer.rectangle(area_mu * M2_PER_MU)
            else:
                shape_m = placer.point(spacing=260.0 if n_villages <= 20 else 20.0)
            if kind == "wealth_project":
                word = WEALTH_WORDS[(vi + wealth_i) % len(WEALTH_WORDS)]
                wealth_i += 1
                name = f"{short}{ind_zh}{word}{KIND_WORDS[kind][0]}"
            elif kind == "market":
                name = f"{short}农畜产品{KIND_WORDS[kind][0]}"
                ind_zh = "农畜产品流通"
            else:
                name = f"{short}{ind_zh}{KIND_WORDS[kind][0]}"
            if any(s["name_zh"] == name for s in sites):
                name = f"{name}{counter}"
            households = int(rng.integers(12, 160))
            sites.append(
                {
                    "site_id": f"S{counter:03d}" if n_villages <= 20 else f"S{counter:05d}",
                    "name_zh": name,
                    "name_en": f"{village['name_en']} {prof['industry_en'].lower()} "
                    f"{KIND_WORDS[kind][1]}",
                    "kind": kind,
                    "industry_zh": ind_zh,
                    "village_code": village["code"],
                    "area_mu": area_mu,
                    "households": households,
                    "output_wan": float(round(households * rng.uniform(1.5, 6.0), 1)),
                    "established": int(rng.integers(2012, 2025)),
                    "note_zh": None,
                    "geometry": _wgs(shape_m, geometry),
                }
            )
    return sites


def _make_chains(sites, codes) -> tuple[list[dict], list[dict]]:
    chains, stages = [], []
    for ci, chain in enumerate(content.CHAINS, start=1):
        chain_id = f"C{ci:02d}"
        chains.append(
            {
                "chain_id": chain_id,
                "name_zh": chain["name_zh"],
                "name_en": chain["name_en"],
                "industry_zh": chain["industry_zh"],
            }
        )
        used: set[str] = set()
        for seq, (stage_zh, stage_en, kind, vi) in enumerate(chain["stages"], start=1):
            site = next(
                s
                for s in sites
                if s["village_code"] == codes[vi] and s["kind"] == kind and s["site_id"] not in used
            )
            used.add(site["site_id"])
            stages.append(
                {
                    "chain_id": chain_id,
                    "seq": seq,
                    "stage_zh": stage_zh,
                    "stage_en": stage_en,
                    "site_id": site["site_id"],
                }
            )
    return chains, stages


def _make_orgs(rng, geometry, villages, seeds, sites, profiles, chains, is_sample):
    seat = seeds[0]
    orgs: list[dict[str, Any]] = [
        {
            "org_id": "P00",
            "name_zh": "乡党委",
            "name_en": "Township Party committee",
            "level": "committee",
            "branch_kind": None,
            "parent_id": None,
            "village_code": villages[0]["code"],
            "members": 0,
            "leader_role_zh": "乡党委书记",
            "site_id": None,
            "chain_id": None,
            "founded": 1956,
            "geometry": _wgs(shapely.affinity.translate(_metric(seat, geometry), 0, 90), geometry),
        }
    ]
    chain_for = {}
    if is_sample:
        for ci, chain in enumerate(content.CHAINS, start=1):
            chain_for[chain["branch"]] = f"C{ci:02d}"
    group_no = 0
    width = 2 if len(villages) < 100 else 3
    for vi, (village, prof) in enumerate(zip(villages, profiles, strict=True)):
        branch_id = f"B{vi + 1:0{width}d}"
        orgs.append(
            {
                "org_id": branch_id,
                "name_zh": f"{village['name_zh']}党支部",
                "name_en": f"{village['name_en']} village branch",
                "level": "branch",
                "branch_kind": "rural",
                "parent_id": "P00",
                "village_code": village["code"],
                "members": prof["members"],
                "leader_role_zh": "村党支部书记(兼村委会主任)",
                "site_id": None,
                "chain_id": chain_for.get(("rural", vi)),
                "founded": 1958,
                "geometry": seeds[vi],
            }
        )
        # Groups on wealth projects and demonstration bases; the last such site of some
        # villages is left without one, so the coverage view has something to show.
        hosts = [
            s
            for s in sites
            if s["village_code"] == village["code"] and s["kind"] in ("wealth_project", "demo_base")
        ]
        n_groups = len(hosts) - (1 if vi % 3 == 2 and len(hosts) > 2 else 0)
        n_groups = min(n_groups, 3 if len(villages) <= 20 else 2)
        remaining = prof["members"] - 6  # the branch committee belongs to no group here
        for gi, host in enumerate(hosts[:n_groups]):
            group_no += 1
            members = int(min(remaining - 2 * (n_groups - gi - 1), rng.integers(5, 11)))
            remaining -= members
            host_m = _metric(host["geometry"].centroid, geometry)
            village_m = _metric(village["geometry"], geometry)
            for _ in range(30):
                angle = rng.uniform(0, 2 * math.pi)
                spot = Point(host_m.x + 160 * math.cos(angle), host_m.y + 160 * math.sin(angle))
                if village_m.buffer(-30).contains(spot):
                    break
            else:
                spot = host_m
            orgs.append(
                {
                    "org_id": f"G{group_no:02d}" if len(villages) < 100 else f"G{group_no:04d}",
                    "name_zh": f"{host['name_zh']}党小组",
                    "name_en": f"{host['name_en']} Party group",
                    "level": "group",
                    "branch_kind": None,
                    "parent_id": branch_id,
                    "village_code": village["code"],
                    "members": members,
                    "leader_role_zh": "党小组组长",
                    "site_id": host["site_id"],
                    "chain_id": None,
                    "founded": int(max(host["established"], 2015)),
                    "geometry": _wgs(spot, geometry),
                }
            )
    seat_m = _metric(seat, geometry)
    if len(villages) == len(content.VILLAGES):
        for oi, other in enumerate(content.OTHER_BRANCHES, start=1):
            orgs.append(
                {
                    "org_id": f"B{len(villages) + oi:02d}",
                    "name_zh": other["name_zh"],
                    "name_en": other["name_en"],
                    "level": "branch",
                    "branch_kind": other["key"],
                    "parent_id": "P00",
                    "village_code": None,
                    "members": other["members"],
                    "leader_role_zh": other["role_zh"],
                    "site_id": None,
                    "chain_id": chain_for.get((other["key"], None)),
                    "founded": 1985,
                    "geometry": _wgs(
                        shapely.affinity.translate(seat_m, 110 * oi, -60 * oi), geometry
                    ),
                }
            )
    return orgs


def _make_indicators(rng, villages, profiles, orgs, sites) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    members_now = {
        o["village_code"]: o["members"]
        for o in orgs
        if o["level"] == "branch" and o["branch_kind"] == "rural"
    }
    all_years = YEARS + PLAN_YEARS
    has_target = {row[0]: row[7] for row in content.CATALOGUE}
    for village, prof in zip(villages, profiles, strict=True):
        s = prof["strength"]
        code = village["code"]
        n_coops = sum(1 for x in sites if x["village_code"] == code and x["kind"] == "cooperative")
        cadres = int(rng.integers(5, 9))
        new_members = [int(rng.integers(0, 3)) for _ in YEARS]
        members = members_now[code]
        series: dict[str, list[float | None]] = {}
        growth = 1 + 0.06 + 0.1 * s
        income0 = 1.0 + 18 * s**2 * rng.uniform(0.8, 1.2)
        series["collective_income"] = [round(income0 * growth**i, 1) for i in range(5)]
        series["per_capita_income"] = [
            round((9500 + 5000 * s) * (1.07 + 0.02 * s) ** i, -1) for i in range(5)
        ]
        land0 = village["population"] * rng.uniform(0.1, 0.25) * (0.5 + s)
        series["land_transferred"] = [round(land0 * (1.1 + 0.1 * s) ** i) for i in range(5)]
        series["cooperatives"] = [max(1, n_coops - 2 + min(i, 2)) for i in range(5)]
        series["market_turnover"] = [
            round((120 + 900 * s) * 1.1**i) if s > 0.55 else 0 for i in range(5)
        ]
        series["industry_output"] = [
            round((300 + 1800 * s) * (1.08 + 0.07 * s) ** i) for i in range(5)
        ]
        series["office_funds"] = [round(2.0 + 1.5 * s + 0.2 * i, 1) for i in range(5)]
        need = [
            round((12 + 10 * (1 - s)) * (1 - 0.1 * s) ** i + rng.uniform(-1, 1), 1)
            for i in range(len(YEARS))
        ]
        shortfall = [
            max(0.0, round(n - series["office_funds"][i] - 0.3 * series["collective_income"][i], 1))
            for i, n in enumerate(need)
        ]
        series["funding_shortfall"] = shortfall
        series["paid_by_higher_level"] = [round(x * 0.45, 1) for x in shortfall]
        series["paid_by_donors"] = [round(x * (0.15 + 0.1 * s), 1) for x in shortfall]
        series["paid_by_cadres"] = [round(x * 0.15 * (1 - s), 1) for x in shortfall]
        series["unfunded_projects"] = [max(0, round(4 * (1 - s) - i * 0.5)) for i in range(5)]
        series["fixed_subsidy"] = [round(cadres * 1.8, 1)] * 5
        series["performance_bonus"] = [
            round(cadres * (0.3 + 0.5 * s) * (1 + 0.1 * i), 1) for i in range(5)
        ]
        series["year_end_reward"] = [round(1 + 3 * s * rng.uniform(0.8, 1.2), 1) for _ in YEARS]
        series["performance_pay"] = [1 if (s > 0.5 or i >= 3) else 0 for i in range(5)]
        series["assessment_score"] = [
            round(min(98, 70 + 20 * s + 1.5 * i + rng.uniform(-2, 2)), 1) for i in range(5)
        ]
        series["cadres"] = [cadres] * 5
        series["cadres_trained"] = [cadres - (1 if (s < 0.4 and i < 2) else 0) for i in range(5)]
        series["cadres_trained_away"] = [int(i >= 1) + int(s > 0.6 and i >= 3) for i in range(5)]
        series["responsibility_signed"] = [1] * 5
        # Members counted backwards from today's branch, so the latest year agrees.
        counts = [members]
        for n in reversed(new_members[1:]):
            counts.insert(0, counts[0] - n)
        series["party_members"] = counts
        series["new_members"] = new_members
        targets = _targets(series, s, cadres)
        for key, values in series.items():
            for i, year in enumerate(all_years):
                value = values[i] if i < len(values) else None
                target = targets.get(key, [None] * 7)[i] if has_target.get(key) else None
                if value is None and target is None:
                    continue
                rows.append(
                    {
                        "place_code": code,
                        "year": year,
                        "indicator": key,
                        "value": value,
                        "target": target,
                    }
                )
    return rows


def _targets(series, s, cadres) -> dict[str, list[float | None]]:
    """Targets the report implies: grow the economy, train every cadre yearly, close gaps."""

    def grow(key: str, rate: float, digits: int = 1) -> list[float | None]:
        first = series[key][0]
        return [None] + [round(first * rate**i, digits) for i in range(1, 7)]

    return {
        # Targets grow a little faster for weak villages' plans than they manage, and a
        # little slower for strong ones: the map then shows green, amber and red.
        "collective_income": grow("collective_income", 1.06 + 0.1 * s + (0.55 - s) * 0.12),
        "per_capita_income": grow("per_capita_income", 1.07 + 0.02 * s + (0.55 - s) * 0.04, -1),
        "land_transferred": grow("land_transferred", 1.1 + 0.1 * s + (0.55 - s) * 0.1, 0),
        "cooperatives": [None] + [series["cooperatives"][0] + min(i, 3) for i in range(1, 7)],
        "industry_output": grow("industry_output", 1.14, 0),
        "funding_shortfall": [None]
        + [round(series["funding_shortfall"][0] * (1 - 0.06 * i), 1) for i in range(1, 7)],
        "paid_by_cadres": [None] + [0.0] * 6,
        "unfunded_projects": [None]
        + [max(0, series["unfunded_projects"][0] - i) for i in range(1, 7)],
        "performance_pay": [None, None, 1, 1, 1, 1, 1],
        "assessment_score": [None] + [85.0] * 6,
        "cadres_trained": [None] + [float(cadres)] * 6,
        "cadres_trained_away": [None] + [1.0] * 6,
        "responsibility_signed": [1] * 7,
        "new_members": [None] + [1.0 if s < 0.5 else 2.0] * 6,
    }


def _make_plans(villages, profiles) -> dict[str, Any]:
    plans: dict[str, Any] = {}
    for village, prof in zip(villages, profiles, strict=True):
        ind = prof["industry_zh"]
        s = prof["strength"]
        weak = s < 0.5
        plans[village["code"]] = {
            "leading_industry_zh": ind,
            "leading_industry_en": prof["industry_en"],
            "summary_zh": f"以{ind}为主导产业,党支部引领、合作社带动、基地示范,"
            f"{'先补齐集体经济短板' if weak else '做大做强品牌'}。",
            "goals": [
                {
                    "year": 2023,
                    "indicator": "land_transferred",
                    "text_zh": f"{ind}基地土地流转稳步扩大",
                    "text_en": "Expand land transfer",
                },
                {
                    "year": 2024,
                    "indicator": "cooperatives",
                    "text_zh": "合作社规范运营,带动农户入社",
                    "text_en": "Cooperatives run well",
                },
                {
                    "year": 2025,
                    "indicator": "collective_income",
                    "text_zh": "村集体经济收入达到目标",
                    "text_en": "Collective income on target",
                },
                {
                    "year": 2026,
                    "indicator": "industry_output",
                    "text_zh": f"{ind}产值持续增长",
                    "text_en": "Grow the industry's output",
                },
                {
                    "year": 2027,
                    "indicator": "per_capita_income",
                    "text_zh": "农民人均收入达到规划目标",
                    "text_en": "Per-capita income target",
                },
            ],
            "measures_zh": [
                f"党支部领办{ind}专业合作社,推行“支部+合作社+农户”模式",
                "通过土地流转推进集约化、规模化经营",
                "党员示范户结对带动脱贫户、监测户",
                "争取帮扶单位和在外乡贤支持,化解村级公益事业资金缺口"
                if weak
                else "培育农畜产品流通市场,打造区域品牌",
            ],
            "milestones": [
                {
                    "name_zh": f"{ind}标准化基地建成",
                    "due": "2023-10-31",
                    "status": "done",
                    "done": "2023-10-20",
                },
                {
                    "name_zh": "党支部领办合作社",
                    "due": "2024-06-30",
                    "status": "done",
                    "done": "2024-05-15",
                },
                {
                    "name_zh": "村集体经济收入突破目标",
                    "due": "2025-12-31",
                    "status": "delayed" if weak else "done",
                    "done": None if weak else "2025-11-30",
                },
                {
                    "name_zh": "冷链仓储或加工车间投产",
                    "due": "2026-12-31",
                    "status": "in_progress",
                    "done": None,
                },
                {
                    "name_zh": "区域公共品牌认证",
                    "due": "2027-10-31",
                    "status": "not_started",
                    "done": None,
                },
            ],
            "problems": (
                ["no_money", "cohesion"]
                if s < 0.35
                else ["no_money"]
                if weak
                else ["cadre_quality"]
            ),
        }
    return plans


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--villages", type=int, default=7)
    parser.add_argument("--sites", type=int, default=None)
    parser.add_argument("--area-km2", type=float, default=None)
    args = parser.parse_args(argv)
    path = generate(
        args.out_dir,
        seed=args.seed,
        n_villages=args.villages,
        n_sites=args.sites,
        area_km2=args.area_km2,
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
