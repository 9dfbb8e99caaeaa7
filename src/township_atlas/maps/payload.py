"""The map's data, as plain JSON-ready dicts built from a Bundle.

Every feature carries ``sel`` ("village:V01", "site:S001", "org:B01"): a click returns the
feature to Python (st_folium's ``last_active_drawing``) and ``sel`` says what was clicked.
Coordinates may be shifted for display (GCJ-02 for AMap tiles) by ``shift``.

Give these functions the display copy of a Bundle (:func:`township_atlas.maps.display.
display_bundle`): outlines simplified and capped in vertices. Texts are shortened here,
before any JSON is made: labels to ``LABEL_CHARS``, tooltip texts to ``TOOLTIP_CHARS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, mapping

from township_atlas.model.bundle import Bundle, Finding
from township_atlas.model.schema import (
    BRANCH_KIND_LABELS,
    ORG_LEVEL_LABELS,
    SITE_KIND_LABELS,
    code_label,
)
from township_atlas.text.bilingual import pick
from township_atlas.text.numbers import LABEL_CHARS, TOOLTIP_CHARS, shorten, text

Shift = Callable[[np.ndarray], np.ndarray] | None
DISPLAY_DECIMALS = 6  # 0.1 m: plenty for display, and a smaller page
# A data-check message names features and says what is wrong: twice a tooltip's length.
FINDING_CHARS = 2 * TOOLTIP_CHARS


def display_geojson(geom, shift: Shift, simplify_m: float = 0.0) -> dict[str, Any] | None:
    """GeoJSON of ``geom`` as the map's layers draw it: simplified by ``simplify_m`` metres
    (0: not at all), shifted for the basemap (``shift``, None for none) and rounded to
    :data:`DISPLAY_DECIMALS`; None for a missing or empty geometry."""
    if geom is None or geom.is_empty:
        return None
    if simplify_m:
        # Degrees per metre at mid latitudes; only for display of large areas.
        geom = shapely.simplify(geom, simplify_m / 111_000, preserve_topology=True)
    if shift is not None:
        geom = shapely.transform(geom, shift)
    geom = shapely.transform(geom, lambda xy: np.round(xy, DISPLAY_DECIMALS))
    return mapping(geom)


def _tip(value) -> str:
    """A tooltip's text: at most ``TOOLTIP_CHARS`` characters."""
    return shorten(value, TOOLTIP_CHARS)


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``features``."""
    return {"type": "FeatureCollection", "features": features}


def _feature(geom, props: dict[str, Any], shift: Shift, simplify_m: float = 0.0):
    geometry = display_geojson(geom, shift, simplify_m)
    if geometry is None:
        return None
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _anchor(geom):
    """Where a symbol sits: the point itself, or a point inside a polygon."""
    return geom if geom.geom_type == "Point" else geom.representative_point()


def point_columns(fc: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    """A FeatureCollection of points as columns: ``lon``, ``lat`` and one list per property
    in ``fields`` (missing ones as ""). For thousands of sites this is a fraction of the
    bytes of GeoJSON, and the browser builds its markers straight from it."""
    feats = [f for f in fc["features"] if f["geometry"]["type"] == "Point"]
    cols: dict[str, list[Any]] = {
        "lon": [f["geometry"]["coordinates"][0] for f in feats],
        "lat": [f["geometry"]["coordinates"][1] for f in feats],
    }
    for name in fields:
        cols[name] = [f["properties"].get(name, "") for f in feats]
    return cols


def township_layer(bundle: Bundle, lang: str, shift: Shift) -> dict[str, Any]:
    props = bundle.township_props
    feats = [
        _feature(
            g,
            {"sel": "", "name": _tip(props.get(pick(lang, "name_zh", "name_en")))},
            shift,
        )
        for g in bundle.township.geometry
    ]
    return feature_collection([f for f in feats if f])


def village_features(bundle: Bundle, lang: str, shift: Shift, simplify_m: float = 0.0):
    """Village polygons with name and industry (styling is added by the choropleth)."""
    out = []
    for v in bundle.villages.itertuples(index=False):
        name = pick(lang, v.name_zh, v.name_en, fallback=True)
        industry = pick(lang, v.leading_industry_zh, v.leading_industry_en, fallback=True)
        feat = _feature(
            v.geometry,
            {
                "sel": f"village:{text(v.code)}",
                "code": text(v.code),
                "name": _tip(name),
                "sub": _tip(industry),
            },
            shift,
            simplify_m,
        )
        if feat:
            out.append(feat)
    return out


def village_labels(bundle: Bundle, lang: str, shift: Shift) -> dict[str, Any]:
    feats = []
    for v in bundle.villages.itertuples(index=False):
        if v.geometry is None or v.geometry.is_empty:
            continue
        feats.append(
            _feature(
                v.geometry.representative_point(),
                {"name": shorten(pick(lang, v.name_zh, v.name_en, fallback=True), LABEL_CHARS)},
                shift,
            )
        )
    return feature_collection([f for f in feats if f])


def site_layers(bundle: Bundle, lang: str, shift: Shift) -> tuple[dict, dict]:
    """(points, footprints): a symbol for every site, and the outline of sites with an area."""
    groups = bundle.party_orgs[bundle.party_orgs["level"] == "group"]
    group_of = dict(zip(groups["site_id"], groups[pick(lang, "name_zh", "name_en")], strict=True))
    point_props, anchors, footprints = [], [], []
    for s in bundle.sites.itertuples(index=False):
        if s.geometry is None or s.geometry.is_empty:
            continue
        props = {
            "sel": f"site:{text(s.site_id)}",
            "kind": text(s.kind),
            "name": _tip(pick(lang, s.name_zh, text(s.name_en), fallback=True)),
            "sub": _tip(code_label(SITE_KIND_LABELS, text(s.kind), lang)),
            "group": _tip(group_of.get(s.site_id)),
        }
        point_props.append(props)
        anchors.append(s.geometry)
        if s.geometry.geom_type != "Point":
            footprints.append(_feature(s.geometry, dict(props), shift))
    return feature_collection(_point_features(anchors, point_props, shift)), feature_collection(
        [f for f in footprints if f]
    )


def _point_features(geoms: list, props: list[dict[str, Any]], shift: Shift) -> list[dict]:
    """Point features at the anchors of ``geoms`` (none empty), as ``_feature`` makes them,
    shifted and rounded for all at once: a county's 10,000 sites in ~10 ms, not 0.4 s."""
    if not geoms:
        return []
    arr = np.asarray(geoms, dtype=object)
    polys = shapely.get_type_id(arr) != shapely.GeometryType.POINT
    arr[polys] = shapely.point_on_surface(arr[polys])
    xy = shapely.get_coordinates(arr)
    if shift is not None:
        xy = shift(xy)
    xy = np.round(xy, DISPLAY_DECIMALS)
    return [
        {"type": "Feature", "properties": p, "geometry": {"type": "Point", "coordinates": (x, y)}}
        for p, (x, y) in zip(props, xy.tolist(), strict=True)
    ]


def org_layer(bundle: Bundle, lang: str, shift: Shift) -> dict[str, Any]:
    feats = []
    for o in bundle.party_orgs.itertuples(index=False):
        if o.geometry is None or o.geometry.is_empty:
            continue
        kind = text(o.branch_kind)
        sub = (
            code_label(BRANCH_KIND_LABELS, kind, lang)
            if kind
            else code_label(ORG_LEVEL_LABELS, text(o.level), lang)
        )
        members = "" if pd.isna(o.members) else int(o.members)
        feats.append(
            _feature(
                o.geometry,
                {
                    "sel": f"org:{text(o.org_id)}",
                    "level": _tip(o.level),
                    "name": _tip(pick(lang, o.name_zh, text(o.name_en), fallback=True)),
                    "sub": _tip(sub),
                    "members": members,
                },
                shift,
            )
        )
    return feature_collection([f for f in feats if f])


def _anchors(frame: pd.DataFrame, key: str) -> dict[Any, Any]:
    """Where each row's symbol sits, by ``key`` (the first row of a duplicated key, as the
    checks report duplicates); rows without a geometry left out. One pass: a boolean
    filter per lookup cost 5 ms each, a tenth of a page's rerun on the sample."""
    anchors: dict[Any, Any] = {}
    for value, geom in zip(frame[key], frame.geometry, strict=True):
        if value not in anchors and geom is not None and not geom.is_empty:
            anchors[value] = _anchor(geom)
    return anchors


def chain_layers(bundle: Bundle, lang: str, shift: Shift) -> tuple[dict, dict]:
    """(chains, links): each chain as a line through its stages in order; the links
    group → site it is built on, and branch → the first stage of its chain."""
    site_points = _anchors(bundle.sites, "site_id")
    chains, links = [], []
    names = dict(
        zip(
            bundle.chains["chain_id"],
            bundle.chains[pick(lang, "name_zh", "name_en")],
            strict=True,
        )
    )
    first_stage = {}
    for chain_id, stages in bundle.chain_stages.sort_values("seq").groupby("chain_id"):
        pts = [p for p in (site_points.get(s) for s in stages["site_id"]) if p]
        if pts:
            first_stage[chain_id] = pts[0]
        if len(pts) >= 2:
            chains.append(
                _feature(
                    LineString(pts),
                    {
                        "sel": "",
                        "name": _tip(names.get(chain_id, chain_id)),
                        "sub": _tip(
                            " → ".join(
                                shorten(s, TOOLTIP_CHARS)
                                for s in stages[pick(lang, "stage_zh", "stage_en")]
                            )
                        ),
                    },
                    shift,
                )
            )
    orgs = bundle.party_orgs
    for o in orgs.itertuples(index=False):
        if o.geometry is None or o.geometry.is_empty:
            continue
        target, kind = None, ""
        if o.level == "group" and text(o.site_id):
            target, kind = site_points.get(o.site_id), "group_site"
        elif o.level == "branch" and text(o.chain_id):
            target, kind = first_stage.get(o.chain_id), "branch_chain"
        if target is not None:
            links.append(
                _feature(LineString([o.geometry, target]), {"sel": "", "kind": kind}, shift)
            )
    return feature_collection([c for c in chains if c]), feature_collection(
        [link for link in links if link]
    )


def bounds(bundle: Bundle, shift: Shift) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the township (or of the villages)."""
    geoms = [g for g in bundle.township.geometry if g is not None and not g.is_empty]
    geoms = geoms or [g for g in bundle.villages.geometry if g is not None and not g.is_empty]
    if not geoms:
        return None
    union = shapely.union_all(geoms)
    if shift is not None:
        union = shapely.transform(union, shift)
    minx, miny, maxx, maxy = union.bounds
    return [[miny, minx], [maxy, maxx]]


def finding_layer(findings: list[Finding], lang: str, shift: Shift) -> dict[str, Any]:
    """Data-check findings that have a location, as points with their message."""
    feats = []
    for f in findings:
        if f.location is None:
            continue
        feats.append(
            _feature(
                shapely.Point(f.location),
                {
                    "sel": "",
                    "name": shorten(f.message(lang), FINDING_CHARS),
                    "sub": f.severity,
                    "severity": f.severity,
                },
                shift,
            )
        )
    return feature_collection([f for f in feats if f])
