"""Geographic invariants: the township's area, the number of villages, villages tiling
the township without gaps or overlaps, and every site inside its village.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.strtree import STRtree

from township_atlas.checks.layers import (
    layers_usable,
    point_of,
    rows_by,
    valid_geometry,
)
from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.model.bundle import Bundle, Finding

AREA_TOLERANCE = 0.002  # ±0.2 % of the reported area
TILING_TOLERANCE_M2 = 1.0  # gaps or overlaps in total


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
    if not layers_usable(bundle, "township") or not valid_geometry(geom) or pd.isna(reported):
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
                point_of(geom),
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
    if not layers_usable(bundle, "township", "villages") or len(bundle.township) != 1:
        return []
    township = bundle.township.geometry.iloc[0]
    polys = [g for g in bundle.villages.geometry if valid_geometry(g)]
    codes = [
        c
        for c, g in zip(bundle.villages["code"], bundle.villages.geometry, strict=True)
        if valid_geometry(g)
    ]
    if not valid_geometry(township) or not polys:
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
                    point_of(overlap),
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
                point_of(gap),
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
                    point_of(outside),
                )
            )
    return out


def check_sites(bundle: Bundle) -> list[Finding]:
    """Every site lies inside the township and inside the village it names.

    Vectorised (one prepared township polygon, one containment test per site against its
    own village): 10,000 sites are checked in a few tens of milliseconds.
    """
    if not layers_usable(bundle, "sites", "villages", "township"):
        return []
    villages = rows_by(bundle.villages, "code")
    township = bundle.township.geometry.iloc[0] if len(bundle.township) == 1 else None
    sites = bundle.sites
    geoms = np.asarray(sites.geometry.array, dtype=object)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    usable[usable] = shapely.is_valid(geoms[usable])
    outside_township = np.zeros(len(sites), dtype=bool)
    if valid_geometry(township):
        area = township.buffer(1e-6)
        shapely.prepare(area)
        outside_township[usable] = ~shapely.contains(area, geoms[usable])
    codes = sites["village_code"].to_numpy(dtype=object)
    known = np.array([not pd.isna(c) and c in villages.index for c in codes], dtype=bool)
    outside_village = np.zeros(len(sites), dtype=bool)
    village_geom = {
        code: geom
        for code, geom in zip(villages.index, villages.geometry, strict=True)
        if valid_geometry(geom)
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
        where = point_of(geoms[pos])
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
