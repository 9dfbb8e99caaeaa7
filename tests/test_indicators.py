"""Indicators: status against targets, change, ranking and township totals — each checked
against figures computed here straight from the CSV files, not through the module."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.factory import make_bundle
from township_atlas.storage.files.store import Store
from township_atlas.text import numbers as fmt
from township_atlas.views import indicators as ind
from township_atlas.views.funding import funding


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def values_from_csv(folder: Path) -> dict[tuple[str, int, str], float]:
    return {
        (r["place_code"], int(r["year"]), r["indicator"]): float(r["value"])
        for r in read_csv(folder / "indicators.csv")
        if r["value"] != ""
    }


def catalogue_from_csv(folder: Path) -> dict[str, dict[str, str]]:
    return {r["key"]: r for r in read_csv(folder / "indicator_catalogue.csv")}


@pytest.fixture
def sample(sample_dir):
    return sample_dir, Store(sample_dir).load().bundle


# --- status against target ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "higher_is_better", "expected"),
    [
        (100, 100, True, "green"),
        (120, 100, True, "green"),
        (95, 100, True, "amber"),
        (90, 100, True, "amber"),
        (89.9, 100, True, "red"),
        (100, 100, False, "green"),
        (80, 100, False, "green"),
        (110, 100, False, "amber"),
        (110.1, 100, False, "red"),
        (0, 0, False, "green"),  # cadres paid nothing out of pocket, as targeted
        (0.8, 0, False, "amber"),  # a zero target allows one unit of slack
        (3, 0, False, "red"),
        (None, 100, True, None),
        (100, None, True, None),
        (float("nan"), 100, True, None),
        (pd.NA, 100, True, None),
    ],
)
def test_status_against_target_respects_direction(value, target, higher_is_better, expected):
    assert ind.status(value, target, higher_is_better) == expected


def test_lower_is_better_indicators_are_read_from_the_catalogue(sample):
    _, bundle = sample
    cat = ind.catalogue(bundle)
    assert cat["funding_shortfall"].higher_is_better is False
    assert cat["paid_by_cadres"].higher_is_better is False
    assert cat["collective_income"].higher_is_better is True


# --- values, change, ranking ---------------------------------------------------


def test_wide_table_holds_the_csv_values_in_village_order(sample):
    folder, bundle = sample
    values = values_from_csv(folder)
    table = ind.wide(bundle, 2025)
    assert list(table.index) == ind.village_codes(bundle)
    for code in table.index:
        for key in table.columns:
            expected = values.get((code, 2025, key))
            got = table.at[code, key]
            assert (expected is None and pd.isna(got)) or got == pytest.approx(expected)


def test_change_is_this_year_minus_the_year_before(sample):
    folder, bundle = sample
    values = values_from_csv(folder)
    table = ind.year_table(bundle, 2025)
    checked = 0
    for row in table.itertuples():
        before = values.get((row.place_code, 2024, row.indicator))
        now = values.get((row.place_code, 2025, row.indicator))
        if before is None or now is None:
            assert pd.isna(row.change)
        else:
            assert row.change == pytest.approx(now - before)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("key", ["collective_income", "funding_shortfall", "paid_by_cadres"])
def test_ranking_puts_the_best_first_for_the_indicators_direction(sample, key):
    folder, bundle = sample
    values = values_from_csv(folder)
    better_high = catalogue_from_csv(folder)[key]["higher_is_better"] == "true"
    mine = {c: values[(c, 2025, key)] for c in ind.village_codes(bundle)}
    ranked = ind.ranking(bundle, 2025, key)
    ordered = sorted(mine.values(), reverse=better_high)
    assert ranked["value"].tolist() == pytest.approx(ordered)
    for row in ranked.itertuples():
        better = sum(1 for v in mine.values() if (v > row.value if better_high else v < row.value))
        assert row.rank == better + 1  # ties share the better rank


def test_ranking_leaves_villages_without_a_value_unranked_at_the_end():
    bundle = make_bundle()
    ranked = ind.ranking(bundle, 2025, "party_members")
    assert ranked["place_code"].tolist() == ["V1", "V2"]
    ranked = ind.ranking(bundle, 2024, "collective_income")
    assert ranked["place_code"].tolist() == ["V1", "V2"]
    assert ranked["rank"].iloc[0] == 1 and pd.isna(ranked["rank"].iloc[1])


def test_rank_table_matches_ranking(sample):
    _, bundle = sample
    table = ind.rank_table(bundle, 2025)
    ranked = ind.ranking(bundle, 2025, "funding_shortfall").set_index("place_code")
    assert table["funding_shortfall"].to_dict() == ranked["rank"].to_dict()


# --- township totals -----------------------------------------------------------


def test_township_totals_agree_with_the_villages_in_the_csv(sample):
    folder, bundle = sample
    values = values_from_csv(folder)
    cat = catalogue_from_csv(folder)
    villages = set(ind.village_codes(bundle))
    for year in (2021, 2024, 2025):
        by_key = defaultdict(list)
        for (place, y, key), value in values.items():
            if y == year and place in villages:
                by_key[key].append(value)
        totals = ind.township_totals(bundle, year).set_index("indicator")
        assert set(by_key) == set(totals.index[totals["value"].notna()])
        for key, vals in by_key.items():
            how = cat[key]["aggregate"] or "sum"
            expected = sum(vals) / len(vals) if how == "mean" else sum(vals)
            assert totals.at[key, "value"] == pytest.approx(expected), (key, year)
            assert totals.at[key, "villages"] == len(vals)


def test_per_capita_income_is_averaged_and_income_is_summed(sample):
    _, bundle = sample
    cat = ind.catalogue(bundle)
    assert cat["per_capita_income"].aggregate == "mean"
    assert cat["assessment_score"].aggregate == "mean"
    assert cat["collective_income"].aggregate == "sum"


def test_a_township_wide_record_is_shown_beside_the_total_not_added_to_it(sample_dir):
    path = sample_dir / "indicators.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("620000-QH,2025,collective_income,12.5,\n")
    bundle = Store(sample_dir).load().bundle
    values = values_from_csv(sample_dir)
    villages = [
        v
        for (place, year, key), v in values.items()
        if year == 2025 and key == "collective_income" and place.startswith("V")
    ]
    total = ind.township_totals(bundle, 2025).set_index("indicator").loc["collective_income"]
    assert total["value"] == pytest.approx(sum(villages))
    assert total["township_record"] == 12.5
    assert "620000-QH" not in ind.wide(bundle, 2025).index


def test_township_status_needs_every_reporting_village_to_have_a_target(sample):
    _, bundle = sample
    totals = ind.township_totals(bundle, 2025).set_index("indicator")
    assert pd.isna(totals.at["office_funds", "status"])  # office funds have no targets
    assert totals.at["collective_income", "status"] in ind.STATUSES


def test_township_series_is_the_totals_year_by_year(sample):
    _, bundle = sample
    series = ind.township_series(bundle, "collective_income").set_index("year")
    for year in (2022, 2025):
        total = ind.township_totals(bundle, year).set_index("indicator")
        assert series.at[year, "value"] == pytest.approx(total.at["collective_income", "value"])


# --- years and empty years -----------------------------------------------------


def test_plan_years_have_targets_but_no_values(sample):
    _, bundle = sample
    assert ind.years(bundle) == list(range(2021, 2028))
    assert ind.latest_year(bundle) == 2025
    empty = ind.wide(bundle, 2026)
    assert empty.isna().all().all()


def test_a_year_nobody_recorded_gives_empty_tables_not_errors(sample):
    _, bundle = sample
    assert ind.wide(bundle, 1990).empty or ind.wide(bundle, 1990).isna().all().all()
    assert ind.township_totals(bundle, 1990).empty
    assert ind.year_table(bundle, 1990).empty
    assert ind.ranking(bundle, 1990, "collective_income")["rank"].isna().all()


def test_no_indicator_records_at_all():
    bundle = make_bundle()
    bundle.indicators = bundle.indicators.iloc[0:0]
    assert ind.years(bundle) == [] and ind.latest_year(bundle) is None


# --- funding ---------------------------------------------------------------------


def test_funding_unpaid_is_the_shortfall_nobody_met(sample):
    folder, bundle = sample
    values = values_from_csv(folder)
    money = funding(bundle, "V03").set_index("year")
    for year in money.index:
        short = values[("V03", year, "funding_shortfall")]
        paid = sum(
            values.get(("V03", year, k), 0.0)
            for k in ("paid_by_higher_level", "paid_by_donors", "paid_by_cadres")
        )
        assert money.at[year, "unpaid"] == pytest.approx(max(0.0, short - paid), abs=0.051)
        assert money.at[year, "collective_income"] == values[("V03", year, "collective_income")]


def test_a_blank_aggregate_means_sum():
    bundle = make_bundle()
    assert {i.aggregate for i in ind.catalogue(bundle).values()} == {"sum"}


# --- formatting for Chinese and English readers ------------------------------------


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        (fmt.number, (12345.0,), "12,345"),
        (fmt.number, (26.94,), "26.9"),
        (fmt.number, (-0.04,), "0"),
        (fmt.number, (None,), "—"),
        (fmt.wan_yuan, (26.9, "zh"), "26.9 万元"),
        (fmt.wan_yuan, (12500, "zh"), "1.25 亿元"),
        (fmt.wan_yuan, (26.9, "en"), "269k yuan"),
        (fmt.wan_yuan, (350, "en"), "3.5m yuan"),
        (fmt.mu, (1312.6, "zh"), "1,313 亩"),
        (fmt.mu, (1312.6, "en"), "1,313 mu"),
        (fmt.percent, (0.8571,), "86%"),
        (fmt.percent, (math.nan,), "—"),
        (fmt.value_with_unit, (19200.0, "元", "yuan", "zh"), "19,200 元"),
        (fmt.value_with_unit, (1.0, "是=1", "yes=1", "zh"), "是"),
        (fmt.value_with_unit, (0.0, "是=1", "yes=1", "en"), "no"),
        (fmt.value_with_unit, (5.0, "是=1", "yes=1", "zh"), "5"),
        (fmt.value_with_unit, (3.0, "个", "", "en"), "3"),
        (fmt.value_with_unit, (np.nan, "万元", "10k yuan", "zh"), "—"),
        (fmt.signed_change, (3.4, "万元", "10k yuan", "zh"), "+3.4 万元"),
        (fmt.signed_change, (-12.0, "亩", "mu", "zh"), "-12 亩"),
        (fmt.signed_change, (0.0, "亩", "mu", "zh"), "±0"),
    ],
)
def test_numbers_are_formatted_for_the_reader(func, args, expected):
    assert func(*args) == expected


@pytest.mark.parametrize("blank", [None, np.nan, pd.NA, "", "  "])
def test_blank_cells(blank):
    assert fmt.is_blank(blank)
    assert not fmt.is_blank("万元") and not fmt.is_blank(0)
