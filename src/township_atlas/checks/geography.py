"""Geographic invariants: the township's area, the number of villages, villages tiling
the township without gaps or overlaps, and every site inside its village.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from township_atlas.checks.layers import (
    layers_usable,
    not_yet_imported,
    point_of,
    rows_by,
    valid_geometry,
)
from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.geo.tiling import Piece, find_pieces
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
    if n == 0 and len(bundle.township):
        return [not_yet_imported("villages", "村界", "village boundaries")]
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


def _tiling_finding(piece: Piece) -> Finding:
    """One finding for one gap, overlap or spill piece: its area (m², 亩) and its place."""
    area = f"{piece.area_m2:,.0f} 平方米(约 {piece.area_mu:,.1f} 亩)"
    area_en = f"{piece.area_m2:,.0f} m² (about {piece.area_mu:,.1f} mu)"
    where = f"位于 {piece.point[0]:.5f}, {piece.point[1]:.5f} 附近"
    where_en = f"near {piece.point[0]:.5f}, {piece.point[1]:.5f}"
    names = "/".join(piece.villages) or None
    if piece.kind == "overlap":
        who = "、".join(f"村 {c}" for c in piece.villages)
        return Finding(
            "error",
            "tiling_overlap",
            "villages",
            f"{who} 的边界重叠 {area},{where}。",
            f"Villages {', '.join(piece.villages)} overlap by {area_en}, {where_en}.",
            names,
            piece.point,
        )
    if piece.kind == "gap":
        beside = f"(在 {'、'.join(piece.villages)} 之间或旁边)" if piece.villages else ""
        return Finding(
            "error",
            "tiling_gap",
            "villages",
            f"乡镇范围内有一处 {area} 不属于任何村{beside},{where}(村界之间有缝隙)。",
            f"A gap of {area_en} belongs to no village, {where_en}"
            + (f" (beside {', '.join(piece.villages)})" if piece.villages else "")
            + ".",
            names,
            piece.point,
        )
    code = piece.villages[0]
    return Finding(
        "error",
        "village_outside",
        "villages",
        f"村 {code} 有 {area} 在乡镇边界之外,{where}。",
        f"Village {code} extends {area_en} outside the township boundary, {where_en}.",
        code,
        piece.point,
    )


def check_tiling(bundle: Bundle) -> list[Finding]:
    """Villages tile the township: no overlaps, no gaps, nothing outside (< 1 m² each).

    One finding per piece of at least 1 m² (see :func:`township_atlas.geo.tiling.find_pieces`),
    with its area and a point inside it; gaps smaller than that but adding up to more than
    1 m² are reported once, together.
    """
    if not layers_usable(bundle, "township", "villages") or len(bundle.township) != 1:
        return []
    township = bundle.township.geometry.iloc[0]
    villages = {
        str(c): g
        for c, g in zip(bundle.villages["code"], bundle.villages.geometry, strict=True)
        if valid_geometry(g)
    }
    if not valid_geometry(township) or not villages:
        return []
    pieces = find_pieces(villages, township, min_area_m2=0.0)
    out = [_tiling_finding(p) for p in pieces if p.area_m2 > TILING_TOLERANCE_M2]
    small_gaps = [p for p in pieces if p.kind == "gap" and p.area_m2 <= TILING_TOLERANCE_M2]
    small_total = sum(p.area_m2 for p in small_gaps)
    if small_total > TILING_TOLERANCE_M2:
        largest = max(small_gaps, key=lambda p: p.area_m2)
        out.append(
            Finding(
                "error",
                "tiling_gap",
                "villages",
                f"乡镇范围内有 {len(small_gaps)} 处细小缝隙,共 {small_total:,.1f} 平方米不属于任何村。",
                f"{len(small_gaps)} tiny gaps, {small_total:,.1f} m² in all, belong to no village.",
                None,
                largest.point,
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
