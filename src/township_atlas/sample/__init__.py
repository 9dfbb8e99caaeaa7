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
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from township_atlas.model.schema import (
    CATALOGUE,
    CHAIN_STAGES,
    CHAINS,
    INDICATORS,
    PARTY_ORGS,
    PLANS_FILE,
    REPORT_FILE,
    SITES,
    TOWNSHIP,
    VILLAGES,
)
from township_atlas.sample import content
from township_atlas.sample.figures import make_indicators, make_plans
from township_atlas.sample.geometry import make_geometry
from township_atlas.sample.villages import make_chains, make_orgs, make_sites, village_profiles
from township_atlas.storage.formats import csv_text, geojson_text, yaml_text

DEFAULT_SEED = 20220821  # the report's date


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
    profiles = village_profiles(n_villages, rng)
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

    sites = make_sites(rng, geometry, villages, seeds, n_sites, profiles)
    chains, stages = make_chains(sites, codes) if is_sample else ([], [])
    orgs = make_orgs(rng, geometry, villages, seeds, sites, profiles, chains, is_sample)
    indicators = make_indicators(rng, villages, profiles, orgs, sites)
    plans = make_plans(villages, profiles)

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
