"""What one deck is built from, computed once: the catalogue, the indicator records, the
township totals of the data year, and every village's plan (pandas look-ups are the slow
part of building a deck, so no slide repeats them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import SITE_KIND_LABELS, code_label
from township_atlas.text.bilingual import pick
from township_atlas.text.numbers import text
from township_atlas.views.indicators import (
    Indicator,
    catalogue,
    latest_year,
    records,
    township_totals,
    village_codes,
)
from township_atlas.views.organisation import OrgNode, chains, org_tree, walk
from township_atlas.views.plans import VillagePlan, village_plan
from township_atlas.views.summary import village_table


@dataclass(frozen=True)
class DeckData:
    bundle: Bundle
    lang: str
    today: dt.date
    year: int | None
    catalogue: dict[str, Indicator]
    records: pd.DataFrame
    totals: pd.DataFrame  # township totals of ``year`` (empty without a year)
    plans: dict[str, VillagePlan | None]

    @classmethod
    def build(cls, bundle: Bundle, lang: str, today: dt.date) -> DeckData:
        year = latest_year(bundle)
        return cls(
            bundle=bundle,
            lang=lang,
            today=today,
            year=year,
            catalogue=catalogue(bundle),
            records=records(bundle),
            totals=township_totals(bundle, year) if year is not None else pd.DataFrame(),
            plans={code: village_plan(bundle, code, today) for code in village_codes(bundle)},
        )

    def value_target(self, place: str, key: str) -> tuple[float | None, float | None]:
        """The recorded value and target of ``key`` for ``place`` in the data year."""
        if self.year is None:
            return None, None
        rec = self.records
        rec = rec[
            (rec["place_code"] == place) & (rec["year"] == self.year) & (rec["indicator"] == key)
        ]
        if rec.empty:
            return None, None
        value, target = rec.iloc[0]["value"], rec.iloc[0]["target"]
        return (None if pd.isna(value) else float(value)), (
            None if pd.isna(target) else float(target)
        )

    @cached_property
    def chain_names(self) -> dict[str, str]:
        """Chain id → name."""
        return {c.chain_id: c.name(self.lang) for c in chains(self.bundle)}

    @cached_property
    def site_names(self) -> dict[str, tuple[str, str]]:
        """Site id → (name, kind label)."""
        out = {}
        sites = self.bundle.sites.drop(columns="geometry", errors="ignore")
        for row in sites.to_dict("records"):
            name = text(row.get(pick(self.lang, "name_zh", "name_en")))
            kind = code_label(SITE_KIND_LABELS, text(row.get("kind")), self.lang)
            out[text(row.get("site_id"))] = (name or text(row.get("name_zh")), kind)
        return out

    @cached_property
    def branches(self) -> dict[str, OrgNode]:
        """Village code → its rural branch (with its groups)."""
        out: dict[str, OrgNode] = {}
        for _depth, node in walk(org_tree(self.bundle)):
            if node.level == "branch" and node.branch_kind == "rural":
                out.setdefault(node.village_code, node)
        return out

    @cached_property
    def village_facts(self) -> pd.DataFrame:
        """:func:`township_atlas.views.summary.village_table`, indexed by village code."""
        return village_table(self.bundle, self.lang).set_index("code")
