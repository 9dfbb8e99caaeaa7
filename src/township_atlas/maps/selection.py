"""What can be selected on the map ("village:V01", "site:S001", "org:B01"), how to find it
by name, and the details shown beside the map."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from township_atlas.geo.measure import geodesic_area_m2, m2_to_mu
from township_atlas.maps.payload import display_geojson
from township_atlas.maps.per_frame import PerFrameCache
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import (
    BRANCH_KIND_LABELS,
    MILESTONE_STATUS_LABELS,
    ORG_LEVEL_LABELS,
    SITE_KIND_LABELS,
    code_label,
)
from township_atlas.model.target_status import status_against_target
from township_atlas.text.bilingual import pick
from township_atlas.text.numbers import LABEL_CHARS, PANEL_CHARS, TOOLTIP_CHARS, shorten

KINDS = ("village", "site", "org")
KEY_FIGURES = (
    "collective_income",
    "per_capita_income",
    "land_transferred",
    "funding_shortfall",
    "assessment_score",
)


def parse(sel: str | None) -> tuple[str, str] | None:
    """("site", "S001") from "site:S001"; None for anything else."""
    if not sel or ":" not in sel:
        return None
    kind, _, ident = sel.partition(":")
    return (kind, ident) if kind in KINDS and ident else None


def _name(row: Any, lang: str) -> str:
    en = getattr(row, "name_en", None)
    return pick(lang, str(row.name_zh), en if isinstance(en, str) else "", fallback=True)


def _option(name: str, kind: str) -> str:
    """A search entry, "name · kind", at most ``TOOLTIP_CHARS`` characters (the kind kept)."""
    return f"{shorten(name, TOOLTIP_CHARS - len(kind) - 3)} · {kind}"


def search_options(bundle: Bundle, lang: str, *, sites: bool = True) -> dict[str, str]:
    """Selectable features: selection key -> "name · kind", villages first, then Party
    organisations, then (if ``sites``) every site."""
    out: dict[str, str] = {}
    for v in bundle.villages.itertuples(index=False):
        out[f"village:{v.code}"] = _option(_name(v, lang), pick(lang, "行政村", "village"))
    for o in bundle.party_orgs.itertuples(index=False):
        out[f"org:{o.org_id}"] = _option(
            _name(o, lang), shorten(code_label(ORG_LEVEL_LABELS, o.level, lang), LABEL_CHARS)
        )
    if sites:
        out.update(site_options(bundle, lang, bundle.sites))
    return out


def site_options(bundle: Bundle, lang: str, frame: pd.DataFrame) -> dict[str, str]:
    """The sites of ``frame`` (rows of ``bundle.sites``) as search options."""
    return {
        f"site:{s.site_id}": _option(
            _name(s, lang), shorten(code_label(SITE_KIND_LABELS, s.kind, lang), LABEL_CHARS)
        )
        for s in frame.itertuples(index=False)
    }


def selected_site_options(bundle: Bundle, lang: str, sel: str | None) -> dict[str, str]:
    """The site a selection names (``"site:<id>"``: clicked, or from a link) as a search
    option, so the search box can show it; {} for any other selection or an unknown site.
    """
    chosen = parse(sel)
    if not chosen or chosen[0] != "site":
        return {}
    return site_options(bundle, lang, bundle.sites[bundle.sites.site_id == chosen[1]])


def find_sites(bundle: Bundle, lang: str, query: str, limit: int = 50) -> dict[str, str]:
    """Up to ``limit`` sites whose name (Chinese or English) contains ``query`` (any case),
    as search options; {} for an empty query."""
    query = query.strip().lower()
    if not query:
        return {}
    sites = bundle.sites
    hit = sites["name_zh"].astype(str).str.lower().str.contains(query, regex=False)
    if "name_en" in sites:
        hit |= sites["name_en"].fillna("").astype(str).str.lower().str.contains(query, regex=False)
    return site_options(bundle, lang, sites[hit].head(limit))


def _row(frame: pd.DataFrame, column: str, ident: str):
    match = frame[frame[column] == ident]
    return None if match.empty else match.iloc[0]


# {id: geometry} per layer object: a page outlines and flies to up to a dozen features a
# run, and a boolean filter of the layer for each took most of the village page's map.
_GEOMETRY_INDEX: PerFrameCache[dict[Any, Any]] = PerFrameCache()


def _index(frame: pd.DataFrame, column: str) -> dict[Any, Any]:
    index: dict[Any, Any] = {}
    for ident, geom in zip(frame[column], frame.geometry, strict=True):
        index.setdefault(ident, geom)  # the first row with the id, as a filter's iloc[0]
    return index


def _geometries(frame: pd.DataFrame, column: str) -> dict[Any, Any]:
    return _GEOMETRY_INDEX.get(frame, column, lambda: _index(frame, column))


def geometry_of(bundle: Bundle, sel: str | None):
    """The shapely geometry of a selection, or None."""
    parsed = parse(sel)
    if parsed is None:
        return None
    kind, ident = parsed
    frame, column = {
        "village": (bundle.villages, "code"),
        "site": (bundle.sites, "site_id"),
        "org": (bundle.party_orgs, "org_id"),
    }[kind]
    if column not in frame or frame.empty:
        return None
    geom = _geometries(frame, column).get(ident)
    if geom is None or geom.is_empty:
        return None
    return geom


def display_geometry_of(bundle: Bundle, sel: str | None):
    """The geometry of a selection as drawn (simplified, at most ``MAX_VERTICES``
    vertices: :mod:`township_atlas.maps.display`), or None."""
    from township_atlas.maps.display import display_bundle

    return geometry_of(display_bundle(bundle), sel)


def _shifted(geom, shift):
    if shift is None:
        return geom
    import shapely

    return shapely.transform(geom, shift)


def highlight(bundle: Bundle, sels: list[str] | None, shift=None) -> dict[str, Any] | None:
    """GeoJSON of the selected features, for the selection outline; None if nothing.
    The outlines as drawn (:func:`display_geometry_of`), never the stored vertices."""
    geoms = [g for g in (display_geometry_of(bundle, s) for s in sels or []) if g is not None]
    if not geoms:
        return None
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": display_geojson(g, shift)}
            for g in geoms
        ],
    }


def fly_bounds(bundle: Bundle, sels: list[str] | None, shift=None) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the selections (a lone point gets ~300 m)."""
    import shapely

    geoms = [g for g in (display_geometry_of(bundle, s) for s in sels or []) if g is not None]
    if not geoms:
        return None
    union = _shifted(shapely.union_all(geoms), shift)
    if union.geom_type == "Point":
        union = union.buffer(0.003)
    minx, miny, maxx, maxy = union.bounds
    return [[miny, minx], [maxy, maxx]]


@dataclass
class Details:
    """What the panel beside the map shows for a selection."""

    kind: str
    title: str
    subtitle: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label key, value)
    figures: list[dict[str, Any]] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)  # (label key, items)
    village_code: str | None = None


def _latest(bundle: Bundle, code: str, key: str) -> dict[str, Any] | None:
    ind = bundle.indicators
    rows = ind[(ind["place_code"] == code) & (ind["indicator"] == key) & ind["value"].notna()]
    if rows.empty:
        return None
    row = rows.sort_values("year").iloc[-1]
    cat = bundle.indicator_catalogue
    meta = cat[cat["key"] == key]
    meta = meta.iloc[0] if not meta.empty else None
    target = None if pd.isna(row["target"]) else float(row["target"])
    higher = True if meta is None else bool(meta["higher_is_better"])
    return {
        "key": key,
        "year": int(row["year"]),
        "value": float(row["value"]),
        "target": target,
        "label_zh": key if meta is None else meta["label_zh"],
        "label_en": key if meta is None else meta["label_en"],
        "unit_zh": "" if meta is None or pd.isna(meta["unit_zh"]) else meta["unit_zh"],
        "unit_en": "" if meta is None or pd.isna(meta["unit_en"]) else meta["unit_en"],
        "status": status_against_target(float(row["value"]), target, higher),
    }


def details(bundle: Bundle, sel: str | None, lang: str) -> Details | None:
    """The details of a selection, or None if it does not exist (any more)."""
    parsed = parse(sel)
    if parsed is None:
        return None
    kind, ident = parsed
    if kind == "village":
        d = _village(bundle, ident, lang)
    elif kind == "site":
        d = _site(bundle, ident, lang)
    else:
        d = _org(bundle, ident, lang)
    return None if d is None else _shortened(d)


def _shortened(d: Details) -> Details:
    """Every text of ``d`` at most ``PANEL_CHARS`` characters (the edit form shows the
    full text): a name of any length leaves the panel, and the page, small."""
    d.title = shorten(d.title, PANEL_CHARS)
    d.subtitle = shorten(d.subtitle, PANEL_CHARS)
    d.facts = [(key, shorten(value, PANEL_CHARS)) for key, value in d.facts]
    d.lists = [(key, [shorten(item, PANEL_CHARS) for item in items]) for key, items in d.lists]
    for figure in d.figures:
        for key in ("label_zh", "label_en", "unit_zh", "unit_en"):
            figure[key] = shorten(figure[key], TOOLTIP_CHARS)
    return d


def _village(bundle: Bundle, code: str, lang: str) -> Details | None:
    v = _row(bundle.villages, "code", code)
    if v is None:
        return None
    orgs = bundle.party_orgs
    branch = orgs[(orgs["level"] == "branch") & (orgs["village_code"] == code)]
    groups = orgs[(orgs["level"] == "group") & (orgs["village_code"] == code)]
    m2 = geodesic_area_m2(v.geometry)
    industry = pick(lang, v.leading_industry_zh, v.leading_industry_en, fallback=True)
    d = Details("village", _name(v, lang), str(industry), village_code=code)
    d.facts = [
        ("village_area", f"{m2 / 1e6:.2f} km² / {m2_to_mu(m2):,.0f} 亩"),
        ("population", f"{int(v.population):,}" if not pd.isna(v.population) else "—"),
        ("households", f"{int(v.households):,}" if not pd.isna(v.households) else "—"),
        (
            "branches",
            ", ".join(f"{_name(b, lang)}({int(b.members)})" for b in branch.itertuples(index=False))
            or "—",
        ),
        ("sites", str(int((bundle.sites["village_code"] == code).sum()))),
        ("groups", str(len(groups))),
    ]
    support = pick(lang, v.support_unit_zh, v.support_unit_en, fallback=True)
    if isinstance(support, str) and support:
        d.facts.append(("support_unit", support))
    d.figures = [f for f in (_latest(bundle, code, k) for k in KEY_FIGURES) if f]
    plan = (bundle.plans.get("villages") or {}).get(code)
    if isinstance(plan, dict):
        summary = pick(lang, plan.get("summary_zh"), None)
        if summary:
            d.lists.append(("plan", [str(summary)]))
        stones = [m for m in plan.get("milestones") or [] if isinstance(m, dict)]
        if stones:
            d.lists.append(
                (
                    "milestones",
                    [
                        f"{m.get('name_zh', '')} · {m.get('due', '')} · "
                        f"{code_label(MILESTONE_STATUS_LABELS, str(m.get('status')), lang)}"
                        for m in stones
                    ],
                )
            )
    return d


def _site(bundle: Bundle, site_id: str, lang: str) -> Details | None:
    s = _row(bundle.sites, "site_id", site_id)
    if s is None:
        return None
    d = Details(
        "site",
        _name(s, lang),
        code_label(SITE_KIND_LABELS, s.kind, lang),
        village_code=s.village_code,
    )
    d.facts = [
        ("village", bundle.village_name(s.village_code, lang)),
        ("industry", str(s.industry_zh)),
    ]
    if not pd.isna(s.area_mu):
        d.facts.append(("site_area", f"{s.area_mu:,.0f} 亩"))
    if not pd.isna(s.households):
        d.facts.append(("households_involved", f"{int(s.households):,}"))
    if not pd.isna(s.output_wan):
        d.facts.append(("output", f"{s.output_wan:,.1f} 万元"))
    if not pd.isna(s.established):
        d.facts.append(("established", str(int(s.established))))
    orgs = bundle.party_orgs
    groups = orgs[(orgs["level"] == "group") & (orgs["site_id"] == site_id)]
    d.facts.append(
        (
            "party_group",
            ", ".join(f"{_name(g, lang)}({int(g.members)})" for g in groups.itertuples(index=False))
            or (pick(lang, "尚无党小组", "no Party group yet")),
        )
    )
    stages = bundle.chain_stages[bundle.chain_stages["site_id"] == site_id]
    if not stages.empty:
        names = dict(zip(bundle.chains["chain_id"], bundle.chains["name_zh"], strict=True))
        d.facts.append(
            (
                "chain",
                ", ".join(
                    f"{names.get(r.chain_id, r.chain_id)} · {r.stage_zh}"
                    for r in stages.itertuples(index=False)
                ),
            )
        )
    return d


def _org(bundle: Bundle, org_id: str, lang: str) -> Details | None:
    orgs = bundle.party_orgs
    o = _row(orgs, "org_id", org_id)
    if o is None:
        return None
    sub = (
        code_label(BRANCH_KIND_LABELS, o.branch_kind, lang)
        if isinstance(o.branch_kind, str)
        else code_label(ORG_LEVEL_LABELS, o.level, lang)
    )
    d = Details(
        "org",
        _name(o, lang),
        sub,
        village_code=o.village_code if isinstance(o.village_code, str) else None,
    )
    parent = _row(orgs, "org_id", o.parent_id) if isinstance(o.parent_id, str) else None
    d.facts = [
        ("members", str(int(o.members)) if not pd.isna(o.members) else "—"),
        ("parent", _name(parent, lang) if parent is not None else "—"),
    ]
    if isinstance(o.leader_role_zh, str) and o.leader_role_zh:
        d.facts.append(("leader_role", o.leader_role_zh))
    if isinstance(o.site_id, str) and o.site_id:
        site = _row(bundle.sites, "site_id", o.site_id)
        d.facts.append(("built_on", _name(site, lang) if site is not None else o.site_id))
    if isinstance(o.chain_id, str) and o.chain_id:
        chain = _row(bundle.chains, "chain_id", o.chain_id)
        d.facts.append(("built_on_chain", str(chain.name_zh) if chain is not None else o.chain_id))
    children = orgs[orgs["parent_id"] == org_id]
    if not children.empty:
        d.lists.append(
            (
                "children",
                [f"{_name(c, lang)}({int(c.members)})" for c in children.itertuples(index=False)],
            )
        )
    return d
