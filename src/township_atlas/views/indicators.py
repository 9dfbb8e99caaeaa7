"""Indicator values per village and year: change from the previous year, status against the
target, ranking, and township totals.

Status against a target (red / amber / green)
---------------------------------------------
One rule for the whole app, defined in :mod:`township_atlas.model.target_status` (the map colours by
it too), and respecting the catalogue's ``higher_is_better``:

- **green**: on or better than target;
- **amber**: short of it by at most 10 % of the target (``targets.AMBER_BAND``); for a
  lower-is-better indicator with a target of 0, up to 1 unit over;
- **red**: further off.

Without a value or a target there is no status (``None`` here).

Township totals add the villages up as the catalogue's ``aggregate`` column says: ``sum``
(incomes, areas, counts) or ``mean`` (per-capita income, scores; a plain mean of the
villages that report). Records whose ``place_code`` is the township's code are
township-wide figures; they are shown beside the total, never added into it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from township_atlas.model.bundle import Bundle
from township_atlas.model.target_status import status_against_target
from township_atlas.text.bilingual import Labelled, pick
from township_atlas.text.numbers import is_blank, is_missing, text, value_with_unit

Status = str  # "green" | "amber" | "red"
STATUSES: tuple[str, ...] = ("green", "amber", "red")


@dataclass(frozen=True)
class Indicator(Labelled):
    """One row of the indicator catalogue."""

    key: str
    label_zh: str
    label_en: str
    unit_zh: str
    unit_en: str
    higher_is_better: bool
    group: str
    aggregate: str
    source_zh: str

    def unit(self, lang: str) -> str:
        return pick(lang, self.unit_zh, self.unit_en)

    def format(self, value: object, lang: str) -> str:
        """``value`` with this indicator's unit, for a reader (see formatting)."""
        return value_with_unit(value, self.unit_zh, self.unit_en, lang)


def catalogue(bundle: Bundle) -> dict[str, Indicator]:
    """The catalogue as ``{key: Indicator}``, in file order; a blank aggregate is "sum"."""
    out: dict[str, Indicator] = {}
    for row in bundle.indicator_catalogue.to_dict("records"):
        key = text(row.get("key"))
        if not key:
            continue
        hib = row.get("higher_is_better")
        out[key] = Indicator(
            key=key,
            label_zh=text(row.get("label_zh")) or key,
            label_en=text(row.get("label_en")),
            unit_zh=text(row.get("unit_zh")),
            unit_en=text(row.get("unit_en")),
            higher_is_better=True if is_blank(hib) else bool(hib),
            group=text(row.get("group")),
            aggregate=text(row.get("aggregate")) or "sum",
            source_zh=text(row.get("source_zh")),
        )
    return out


def status(value: float | None, target: float | None, higher_is_better: bool) -> Status | None:
    """Red, amber or green for a value against its target; None without value or target."""
    if is_missing(value) or is_missing(target):
        return None
    result = status_against_target(float(value), float(target), bool(higher_is_better))
    return None if result == "none" else result


def village_codes(bundle: Bundle) -> list[str]:
    """Village codes in the order of the villages layer."""
    return [str(c) for c in bundle.villages["code"].dropna()]


def township_code(bundle: Bundle) -> str | None:
    code = bundle.township_props.get("code")
    return None if is_blank(code) else str(code)


# The last few results of records(), by the indicator frame they came from (kept alive
# here, so its id is not reused): a page asks for them a dozen times per run.
_RECORDS: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}


def records(bundle: Bundle) -> pd.DataFrame:
    """The indicator table with plain float values (NaN for missing) and int years.

    The result is shared between callers for the same indicator frame: do not change it
    in place."""
    source = bundle.indicators
    hit = _RECORDS.get(id(source))
    if hit is not None and hit[0] is source:
        return hit[1]
    result = _records(source)
    if len(_RECORDS) >= 8:
        _RECORDS.pop(next(iter(_RECORDS)))
    _RECORDS[id(source)] = (source, result)
    return result


def _records(indicators: pd.DataFrame) -> pd.DataFrame:
    ind = indicators.dropna(subset=["place_code", "year", "indicator"])
    return pd.DataFrame(
        {
            "place_code": ind["place_code"].astype(str).to_numpy(),
            "year": ind["year"].astype("int64").to_numpy(),
            "indicator": ind["indicator"].astype(str).to_numpy(),
            "value": ind["value"].to_numpy(dtype="float64", na_value=np.nan),
            "target": ind["target"].to_numpy(dtype="float64", na_value=np.nan),
        }
    )


def years(bundle: Bundle) -> list[int]:
    """Every year with a value or a target, ascending (plan years have targets only)."""
    rec = records(bundle)
    rec = rec[rec["value"].notna() | rec["target"].notna()]
    return sorted(int(y) for y in rec["year"].unique())


def latest_year(bundle: Bundle) -> int | None:
    """The latest year in which any village has a recorded value."""
    rec = records(bundle)
    rec = rec[rec["place_code"].isin(village_codes(bundle)) & rec["value"].notna()]
    return int(rec["year"].max()) if not rec.empty else None


def _lookup(rec: pd.DataFrame, column: str) -> dict[tuple[str, int, str], float]:
    return {
        (p, int(y), k): v
        for p, y, k, v in zip(
            rec["place_code"], rec["year"], rec["indicator"], rec[column], strict=True
        )
        if not np.isnan(v)
    }


def year_table(bundle: Bundle, year: int, places: list[str] | None = None) -> pd.DataFrame:
    """Long table of one year: every village × catalogue indicator with a value or target.

    Columns: ``place_code, indicator, value, target, previous, change, status``, where
    ``previous`` is the value of ``year - 1`` and ``change`` the difference.
    """
    places = village_codes(bundle) if places is None else places
    rec = records(bundle)
    values, targets = _lookup(rec, "value"), _lookup(rec, "target")
    cat = catalogue(bundle)
    rows = []
    for place in places:
        for key, ind in cat.items():
            value = values.get((place, year, key), np.nan)
            target = targets.get((place, year, key), np.nan)
            if np.isnan(value) and np.isnan(target):
                continue
            previous = values.get((place, year - 1, key), np.nan)
            rows.append(
                {
                    "place_code": place,
                    "indicator": key,
                    "value": value,
                    "target": target,
                    "previous": previous,
                    "change": value - previous,
                    "status": status(value, target, ind.higher_is_better),
                }
            )
    columns = ["place_code", "indicator", "value", "target", "previous", "change", "status"]
    return pd.DataFrame(rows, columns=columns)


def wide(bundle: Bundle, year: int, column: str = "value") -> pd.DataFrame:
    """Villages (rows, in layer order) × indicators (columns, in catalogue order).

    ``column`` is one of the :func:`year_table` columns (value, target, status, change …).
    Indicators nobody recorded that year are left out.
    """
    table = year_table(bundle, year)
    keys = [k for k in catalogue(bundle) if k in set(table["indicator"])]
    if table.empty:
        return pd.DataFrame(index=pd.Index(village_codes(bundle), name="place_code"))
    pivot = table.pivot(index="place_code", columns="indicator", values=column)
    return pivot.reindex(index=village_codes(bundle), columns=keys)


def ranking(bundle: Bundle, year: int, key: str) -> pd.DataFrame:
    """Villages ranked on one indicator in one year, best first.

    Best means highest, or lowest where the catalogue says lower is better. Equal values
    share the better rank (1, 2, 2, 4); villages without a value come last, unranked.
    Columns: ``place_code, value, target, status, rank`` (rank is a nullable integer).
    """
    ind = catalogue(bundle)[key]
    table = year_table(bundle, year)
    table = table[table["indicator"] == key].set_index("place_code")
    out = pd.DataFrame(index=pd.Index(village_codes(bundle), name="place_code"))
    for column in ("value", "target", "status"):
        out[column] = table[column].reindex(out.index)
    out["value"] = out["value"].astype("float64")
    ranks = out["value"].rank(method="min", ascending=not ind.higher_is_better)
    out["rank"] = ranks.astype("Int64")
    return out.sort_values(["rank", "place_code"], na_position="last").reset_index()


def rank_table(bundle: Bundle, year: int) -> pd.DataFrame:
    """Villages × indicators of ranks (1 = best), like :func:`wide`."""
    values = wide(bundle, year)
    cat = catalogue(bundle)
    ranks = {
        key: values[key]
        .astype("float64")
        .rank(method="min", ascending=not cat[key].higher_is_better)
        for key in values.columns
    }
    return pd.DataFrame(ranks, index=values.index).astype("Int64")


def _totals_by_year(bundle: Bundle) -> pd.DataFrame:
    """Township totals of every indicator and year, indexed by (indicator, year).

    Columns: ``value, target`` (aggregated as the catalogue says), ``villages`` (how many
    villages have a value) and ``complete`` (every village with a value has a target).
    """
    cat = catalogue(bundle)
    rec = records(bundle)
    rec = rec[rec["place_code"].isin(village_codes(bundle)) & rec["indicator"].isin(cat)]
    rec = rec.assign(untargeted=rec["value"].notna() & rec["target"].isna())
    grouped = rec.groupby(["indicator", "year"])
    sums = grouped[["value", "target"]].sum(min_count=1)
    means = grouped[["value", "target"]].mean()
    out = pd.DataFrame(index=sums.index)
    use_mean = np.array([cat[k].aggregate == "mean" for k in sums.index.get_level_values(0)])
    for column in ("value", "target"):
        out[column] = np.where(use_mean, means[column], sums[column])
    out["villages"] = grouped["value"].count()
    out["complete"] = (out["villages"] > 0) & (grouped["untargeted"].sum() == 0)
    return out


def township_totals(bundle: Bundle, year: int) -> pd.DataFrame:
    """One row per indicator with any village value or target in ``year``.

    Columns: ``indicator, aggregate, value`` (sum or mean of the villages' values),
    ``villages`` (how many reported), ``target`` (the villages' targets aggregated the same
    way), ``status`` (only when every reporting village has a target), ``previous``,
    ``change``, and ``township_record`` (a figure recorded for the township as a whole).
    """
    cat = catalogue(bundle)
    totals = _totals_by_year(bundle)
    town = township_code(bundle)
    town_values = _lookup(records(bundle).query("place_code == @town"), "value") if town else {}
    rows = []
    for key, ind in cat.items():
        if (key, year) not in totals.index:
            continue
        this = totals.loc[(key, year)]
        if np.isnan(this["value"]) and np.isnan(this["target"]):
            continue
        previous = (
            totals.loc[(key, year - 1), "value"] if (key, year - 1) in totals.index else np.nan
        )
        rows.append(
            {
                "indicator": key,
                "aggregate": ind.aggregate,
                "value": this["value"],
                "villages": int(this["villages"]),
                "target": this["target"],
                "status": status(this["value"], this["target"], ind.higher_is_better)
                if this["complete"]
                else None,
                "previous": previous,
                "change": this["value"] - previous,
                "township_record": town_values.get((town, year, key), np.nan),
            }
        )
    columns = [
        "indicator",
        "aggregate",
        "value",
        "villages",
        "target",
        "status",
        "previous",
        "change",
        "township_record",
    ]
    return pd.DataFrame(rows, columns=columns)


def series(bundle: Bundle, place_code: str, key: str) -> pd.DataFrame:
    """One place's values and targets of one indicator over the years (``year, value, target``)."""
    rec = records(bundle)
    rec = rec[(rec["place_code"] == place_code) & (rec["indicator"] == key)]
    return rec[["year", "value", "target"]].sort_values("year").reset_index(drop=True)


def township_series(bundle: Bundle, key: str) -> pd.DataFrame:
    """The township total of one indicator over the years (``year, value, target``)."""
    totals = _totals_by_year(bundle)
    if key not in totals.index.get_level_values(0):
        return pd.DataFrame(columns=["year", "value", "target"])
    return totals.loc[key, ["value", "target"]].reset_index().sort_values("year", ignore_index=True)
