"""What each sample village holds: its profile (name, industry, population), its sites,
the industry chains and the Party organisation (committee, branches, groups).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from township_atlas.model.schema import (
    M2_PER_MU,
)
from township_atlas.sample import content
from township_atlas.sample.geometry import Placer, in_metres, in_wgs84

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


def village_profiles(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
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


def make_sites(rng, geometry, villages, seeds, n_sites, profiles) -> list[dict[str, Any]]:
    n_villages = len(villages)
    per_village = [6] * n_villages
    if n_sites is not None:
        base, extra = divmod(n_sites, n_villages)
        per_village = [base + (1 if i < extra else 0) for i in range(n_villages)]
    sites: list[dict[str, Any]] = []
    counter = 0
    for vi, (village, prof) in enumerate(zip(villages, profiles, strict=True)):
        placer = Placer(rng, in_metres(village["geometry"], geometry), margin=120.0)
        # Reserve the village office (the branch sits there) so no site lands on it.
        placer.taken.append(in_metres(seeds[vi], geometry))
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
                    "geometry": in_wgs84(shape_m, geometry),
                }
            )
    return sites


def make_chains(sites, codes) -> tuple[list[dict], list[dict]]:
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


def make_orgs(rng, geometry, villages, seeds, sites, profiles, chains, is_sample):
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
            "geometry": in_wgs84(
                shapely.affinity.translate(in_metres(seat, geometry), 0, 90), geometry
            ),
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
            host_m = in_metres(host["geometry"].centroid, geometry)
            village_m = in_metres(village["geometry"], geometry)
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
                    "geometry": in_wgs84(spot, geometry),
                }
            )
    seat_m = in_metres(seat, geometry)
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
                    "geometry": in_wgs84(
                        shapely.affinity.translate(seat_m, 110 * oi, -60 * oi), geometry
                    ),
                }
            )
    return orgs
