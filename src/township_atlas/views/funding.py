"""A village's funding picture: collective income, office funds, the shortfall for public
works, and who met it — higher levels, donors, or cadres out of their own pockets
(the report's "no money to get things done", 无钱办事)."""

from __future__ import annotations

import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.views.indicators import records

# Indicators that together make a village's funding picture, in display order (万元).
FUNDING_KEYS: tuple[str, ...] = (
    "collective_income",
    "office_funds",
    "funding_shortfall",
    "paid_by_higher_level",
    "paid_by_donors",
    "paid_by_cadres",
)
PAYER_KEYS: tuple[str, ...] = ("paid_by_higher_level", "paid_by_donors", "paid_by_cadres")


def funding(bundle: Bundle, place_code: str) -> pd.DataFrame:
    """A village's funding picture by year (万元): income, office funds, shortfall, payers.

    One row per year with a recorded shortfall or income; columns are
    :data:`FUNDING_KEYS` plus ``unpaid``: the part of the shortfall nobody paid
    (shortfall minus the three payers, never below zero).
    """
    rec = records(bundle)
    rec = rec[(rec["place_code"] == place_code) & rec["indicator"].isin(FUNDING_KEYS)]
    rec = rec[rec["value"].notna()]
    if rec.empty:
        return pd.DataFrame(columns=["year", *FUNDING_KEYS, "unpaid"])
    table = rec.pivot(index="year", columns="indicator", values="value")
    table = table.reindex(columns=list(FUNDING_KEYS)).sort_index()
    paid = table[list(PAYER_KEYS)].fillna(0).sum(axis=1)
    table["unpaid"] = (table["funding_shortfall"] - paid).clip(lower=0).round(1)
    return table.reset_index()
