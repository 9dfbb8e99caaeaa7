"""Headline figures of the township, computed from the geodata (never typed in)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from township_atlas.checks.party import org_counts
from township_atlas.geo.measure import geodesic_area_m2, m2_to_mu
from township_atlas.model.bundle import Bundle, Finding
from township_atlas.model.schema import LAYERS_BY_NAME, SITE_KIND_LABELS, SITE_KINDS, code_label
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import text


@dataclass(frozen=True)
class Headline:
    """The figures the report states, as computed from the data."""

    area_km2: float
    area_mu: float
    villages: int
    branches: int
    members: int
    rural_branches: int
    rural_members: int
    groups: int
    sites: int
    sites_by_kind: dict[str, int]


def headline(bundle: Bundle) -> Headline:
    """Compute the headline figures; an empty or broken layer counts as zero."""
    area_m2 = sum(geodesic_area_m2(g) for g in bundle.township.geometry)
    counts = org_counts(bundle)
    by_kind = bundle.sites["kind"].value_counts()
    return Headline(
        area_km2=area_m2 / 1e6,
        area_mu=m2_to_mu(area_m2),
        villages=len(bundle.villages),
        branches=counts["branches"],
        members=counts["members"],
        rural_branches=counts["rural_branches"],
        rural_members=counts["rural_members"],
        groups=counts["groups"],
        sites=len(bundle.sites),
        sites_by_kind={kind: int(by_kind.get(kind, 0)) for kind in SITE_KINDS},
    )


# (headline attribute, label key, township property with the reported figure)
REPORTED_FIGURES = (
    ("area_km2", "area", "reported_area_km2"),
    ("villages", "villages", "reported_villages"),
    ("branches", "branches", "reported_branches"),
    ("members", "members", "reported_members"),
    ("rural_branches", "rural_branches", "reported_rural_branches"),
    ("rural_members", "rural_members", "reported_rural_members"),
)


def reported_comparison(
    bundle: Bundle, head: Headline
) -> list[tuple[str, float, float | None, bool | None]]:
    """(label key, computed, reported, agrees) for each figure the report states.

    Area agrees within ±0.2 %, counts exactly; ``None`` where nothing was reported.
    """
    props = bundle.township_props
    rows = []
    for attr, key, prop in REPORTED_FIGURES:
        computed = getattr(head, attr)
        reported = props.get(prop)
        if reported is None or pd.isna(reported):
            rows.append((key, computed, None, None))
            continue
        if attr == "area_km2":
            agrees = reported > 0 and abs(computed / reported - 1) <= 0.002
        else:
            agrees = computed == reported
        rows.append((key, computed, float(reported), bool(agrees)))
    return rows


def village_table(bundle: Bundle, lang: str) -> pd.DataFrame:
    """One row per village: area, population, industry, branch members, sites, groups."""
    orgs = bundle.party_orgs
    branches = orgs[(orgs["level"] == "branch") & (orgs["branch_kind"] == "rural")]
    members = dict(zip(branches["village_code"], branches["members"], strict=True))
    sites = bundle.sites["village_code"].value_counts()
    groups = orgs[orgs["level"] == "group"]["village_code"].value_counts()
    rows = []
    for v in bundle.villages.itertuples(index=False):
        m2 = geodesic_area_m2(v.geometry)
        rows.append(
            {
                "code": v.code,
                "name": pick(lang, v.name_zh, v.name_en, fallback=True),
                "area_km2": round(m2 / 1e6, 2),
                "area_mu": round(m2_to_mu(m2)),
                "population": v.population,
                "households": v.households,
                "leading_industry": pick(
                    lang, v.leading_industry_zh, v.leading_industry_en, fallback=True
                ),
                "members": members.get(v.code),
                "sites": int(sites.get(v.code, 0)),
                "groups": int(groups.get(v.code, 0)),
                "support_unit": text(
                    pick(lang, v.support_unit_zh, v.support_unit_en, fallback=True)
                ),
            }
        )
    columns = ["code", "name", "area_km2", "area_mu", "population", "households"]
    columns += ["leading_industry", "members", "sites", "groups", "support_unit"]
    return pd.DataFrame(rows, columns=columns)


def kind_table(head: Headline, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": [code_label(SITE_KIND_LABELS, k, lang) for k in head.sites_by_kind],
            "count": list(head.sites_by_kind.values()),
        }
    )


# Column key -> label key of the header, for the overview page's tables.
COMPARISON_HEADERS: dict[str, str] = {
    "figure": "figure",
    "computed": "computed",
    "reported": "reported",
    "agrees": "agrees",
}
FINDING_HEADERS: dict[str, str] = {
    "severity": "severity",
    "layer": "layer",
    "feature": "feature",
    "message": "message",
    "location": "location",
}


def headline_cards(head: Headline, lang: str) -> list[tuple[str, str, str | None]]:
    """The headline figures as (label, value with unit, help or None) for metric cards.

    The area's unit is in its label, so the card stays narrow enough for a phone; its help
    says how it was computed and gives it in mu.
    """

    def with_unit(value: object, unit_key: str) -> str:
        return f"{value} {tr(unit_key, lang)}".strip()

    area_help = tr("area_help", lang) + f" ≈ {head.area_mu:,.0f} {tr('unit_mu', lang)}"
    cards = [(tr("area_km2", lang), f"{head.area_km2:.1f}", area_help)]
    for key, unit_key in (
        ("villages", "unit_count"),
        ("branches", "unit_count"),
        ("members", "unit_people"),
        ("rural_branches", "unit_count"),
        ("rural_members", "unit_people"),
        ("groups", "unit_count"),
        ("sites", "unit_count"),
    ):
        cards.append((tr(key, lang), with_unit(getattr(head, key), unit_key), None))
    return cards


def comparison_table(bundle: Bundle, head: Headline, lang: str) -> pd.DataFrame:
    """The report's figures beside those computed from the data, as text to read.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_HEADERS`: the figure's name, the computed value (area
        to two decimals, counts whole), the reported one and whether they agree ("—"
        where nothing was reported).
    """
    rows = reported_comparison(bundle, head)
    return pd.DataFrame(
        {
            "figure": [tr(key, lang) for key, *_ in rows],
            "computed": [f"{c:.2f}" if key == "area" else f"{c:.0f}" for key, c, *_ in rows],
            "reported": ["—" if r is None else f"{r:g}" for _, _, r, _ in rows],
            "agrees": ["—" if a is None else tr("yes" if a else "no", lang) for *_, a in rows],
        },
        columns=list(COMPARISON_HEADERS),
    )


def findings_table(findings: list[Finding], lang: str) -> pd.DataFrame:
    """The data check's findings, one row each: severity, layer, feature, message, place.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FINDING_HEADERS`, all text; ``location`` is "lon, lat" to five
        decimals, or empty for a finding that is not spatial.
    """
    return pd.DataFrame(
        {
            "severity": [tr(f"severity_{f.severity}", lang) for f in findings],
            "layer": [
                LAYERS_BY_NAME[f.layer].label(lang) if f.layer in LAYERS_BY_NAME else f.layer
                for f in findings
            ],
            "feature": [f.feature or "" for f in findings],
            "message": [f.message(lang) for f in findings],
            "location": [
                f"{f.location[0]:.5f}, {f.location[1]:.5f}" if f.location else "" for f in findings
            ],
        },
        columns=list(FINDING_HEADERS),
    )


def report_title(bundle: Bundle, lang: str) -> str | None:
    """The title of the report the data follows, or None when there is no report."""
    report = bundle.report
    if not report:
        return None
    return report.get(pick(lang, "title_zh", "title_en"), "")
