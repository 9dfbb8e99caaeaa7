"""Annual indicator figures from a township office's table, planned as a change of the
``indicators`` layer (and of the catalogue, for indicators added in the same step).

:func:`plan_indicators` reads an upload's sheets (:mod:`.indicator_sheets`: title rows,
two-row headers, 合计 rows checked and left out, full-width digits, "—" for missing) in
one of three shapes:

- **wide**: villages as rows (a code or name column), indicators as columns;
- **transposed**: indicators as rows (the first column, or 指标), villages as columns;
- **long**: one figure per row (村, 年度, 指标, 数值[, 目标][, 单位]).

The year comes from a year column, a header ("2025年村集体经济收入"), a title row
("某乡2025年统计表") or the sheet's name ("2025年"); a workbook with one sheet per year is
read as several years, and a sheet named 目标 holds targets. Villages are matched by code
or name (:mod:`.name_match`, never guessed); the township's own row (its name, 全乡) is
the township code. Columns are matched to the catalogue by key, label and
:data:`INDICATOR_ALIASES`, their unit read from the header and converted to the
catalogue's (元 → 万元 ÷ 10,000). Target columns are "村集体经济收入目标" or a 目标/目标值
column after a value column.

Nothing is written: :meth:`IndicatorPlan.to_change_sets` gives the change sets to save
(catalogue first). The plan holds only plain values and frozen dataclasses, so it can come
back from the upload worker (:func:`.worker_jobs.plan_indicators_isolated`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from township_atlas.model.schema import INDICATOR_AGGREGATES, LAYERS_BY_NAME
from township_atlas.storage.changes import ChangeSet, feature_version
from township_atlas.storage.formats import csv_text
from township_atlas.storage.layer_codec import codec
from township_atlas.text.bilingual import Messaged
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.indicator_sheets import Sheet, read_sheets, year_in
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.messages import Note, text
from township_atlas.transfer.name_match import Candidate, NameIndex
from township_atlas.transfer.office_tables import TOWNSHIP_WORDS, _is_total_label, total_text
from township_atlas.transfer.problems import RowProblem, Severity
from township_atlas.transfer.tables import norm_header
from township_atlas.transfer.units import cell_number, conversion, header_unit, is_missing

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

Shape = Literal["wide", "transposed", "long"]

#: Other names of the catalogue's indicators in office tables (compared after
#: :func:`~.tables.norm_header`: NFKC, lower case, no spaces, units dropped).
INDICATOR_ALIASES: dict[str, tuple[str, ...]] = {
    "collective_income": ("集体经济收入", "村集体收入", "村级集体经济收入", "集体收入", "村集体经济"),
    "per_capita_income": ("人均可支配收入", "农民人均收入", "农村居民人均可支配收入", "人均纯收入",
                          "农民人均纯收入", "人均收入"),
    "land_transferred": ("土地流转", "流转面积", "土地流转亩数", "流转土地面积"),
    "cooperatives": ("合作社", "合作社数", "专业合作社数", "农民专业合作社"),
    "market_turnover": ("市场交易额", "农产品市场交易额", "交易额"),
    "industry_output": ("主导产业产值", "产业产值"),
    "party_members": ("党员", "党员人数", "党员总数"),
    "new_members": ("新发展党员", "发展党员数"),
    "cadres": ("村干部", "村干部数"),
    "assessment_score": ("考核得分", "年度考核分"),
}  # fmt: skip

_CODE_COLUMNS = {
    "代码",
    "编码",
    "村代码",
    "村编码",
    "行政区划代码",
    "区划代码",
    "placecode",
    "code",
    "村乡代码",
    "地点代码",
    "村居代码",
}
_NAME_COLUMNS = {
    "村名",
    "村",
    "村庄",
    "行政村",
    "村庄名称",
    "村名称",
    "名称",
    "村社区",
    "村居",
    "单位",
    "单位名称",
    "村乡",
    "place",
    "village",
    "地点",
    "村别",
    "村委会",
}
_YEAR_COLUMNS = {"年度", "年份", "年", "year", "统计年度"}
_INDICATOR_COLUMNS = {"指标", "指标名称", "项目", "indicator", "统计指标", "指标项", "项目名称"}
_VALUE_COLUMNS = {"数值", "值", "value", "数量", "实际值", "完成值", "数据", "完成数"}
_TARGET_COLUMNS = {"目标", "目标值", "target", "计划值", "计划"}
_UNIT_COLUMNS = {"单位", "计量单位", "unit"}
_IGNORED_COLUMNS = {"序号", "备注", "说明", "填报人", "note", "notes", "no", "排名"}
_TARGET_SUFFIX = re.compile(r"[\s·_\-]*(目标值|目标|target)$", re.IGNORECASE)
_VALUE_SUFFIX = re.compile(r"[\s·_\-]+(数值|实际值|完成值|实际数|完成数|value)$", re.IGNORECASE)
_YEAR_WORD = re.compile(r"((?:19|20)\d{2})\s*年度?")
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class NewIndicator:
    """An indicator the caller adds to the catalogue for an unmatched column.

    ``aggregate`` is "sum" or "mean" (how villages make the township figure); ``group``
    one of the catalogue's groups (economy, funding, cadre, party) or a new one.
    """

    key: str
    label_zh: str
    label_en: str
    unit_zh: str = ""
    unit_en: str = ""
    higher_is_better: bool = True
    aggregate: str = "sum"
    group: str = "economy"

    def record(self) -> dict[str, Any]:
        """The catalogue record this adds (``{"properties": …}``)."""
        return {
            "properties": {
                "key": self.key,
                "label_zh": self.label_zh,
                "label_en": self.label_en,
                "unit_zh": self.unit_zh or None,
                "unit_en": self.unit_en or None,
                "higher_is_better": bool(self.higher_is_better),
                "group": self.group,
                "source_zh": None,
                "aggregate": self.aggregate,
            }
        }


@dataclass(frozen=True)
class UnmatchedColumn(Messaged):
    """A column (or, in a transposed or long table, an indicator name) that matched no
    indicator of the catalogue; ``name`` is how :class:`NewIndicator` is given for it."""

    name: str
    sheet: str
    unit: str | None
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class IndicatorRow:
    """One figure to write: a village's (or the township's) value and target of a year.

    ``status`` is "new", "replace" or "unchanged"; ``before_value``/``before_target`` the
    stored figures it replaces (``existed`` False: no record yet); ``row``/``sheet`` where
    it was read (the first cell that gave it).
    """

    place_code: str
    year: int
    indicator: str
    value: float | None
    target: float | None
    status: str
    existed: bool
    before_value: float | None
    before_target: float | None
    sheet: str
    row: int

    @property
    def key(self) -> str:
        return f"{self.place_code}|{self.year}|{self.indicator}"

    def properties(self) -> dict[str, Any]:
        return {
            "place_code": self.place_code,
            "year": self.year,
            "indicator": self.indicator,
            "value": self.value,
            "target": self.target,
        }


@dataclass(frozen=True)
class IndicatorPlan:
    """What importing an indicator table would do; nothing is written.

    Attributes
    ----------
    source : the upload's name
    rows : every figure the file gives, by what accepting does (see :class:`IndicatorRow`)
    problems : row by row; any error means nothing can be accepted (``ok`` False)
    notes : how the file was read (sheets, shapes, years, units converted, 合计 rows
        checked, villages without figures)
    unmatched : columns not matched to the catalogue (left out unless added as new)
    new_indicators : catalogue entries added in the same step
    sheets : (sheet, shape, years) as read
    total_rows : data rows checked in all sheets
    """

    source: str
    rows: tuple[IndicatorRow, ...]
    problems: tuple[RowProblem, ...]
    notes: tuple[Note, ...]
    unmatched: tuple[UnmatchedColumn, ...] = ()
    new_indicators: tuple[NewIndicator, ...] = ()
    sheets: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    total_rows: int = 0

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when the table can be accepted as it is (no error)."""
        return not self.errors

    @property
    def changes(self) -> list[IndicatorRow]:
        """The figures accepting would write (new or replacing)."""
        return [r for r in self.rows if r.status != "unchanged"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def to_change_sets(
        self,
        current: Bundle | Mapping[str, Mapping[str, dict[str, Any]]],
        user: str,
        note: str = "",
    ) -> list[ChangeSet]:
        """The change sets to save, in order: the catalogue (when indicators are added),
        then the indicators; each record with the version it replaces in ``current``.

        Parameters
        ----------
        current : the data now (a Bundle, or ``{layer: {key: record}}`` as a store's
            ``read_records`` gives); every replaced figure must still be what the plan saw
        user, note : for the history

        Raises
        ------
        TransferError : the plan has errors ("xfer_ind_not_ok"), or a figure or catalogue
            entry changed since the plan was made ("xfer_ind_stale": preview again)
        """
        if not self.ok:
            raise TransferError("xfer_ind_not_ok", n=len(self.errors))
        catalogue = _records(current, "indicator_catalogue")
        indicators = _records(current, "indicators")
        out: list[ChangeSet] = []
        if self.new_indicators:
            change = ChangeSet("indicator_catalogue", user, note=note)
            for new in self.new_indicators:
                if new.key in catalogue:
                    raise TransferError("xfer_ind_stale", record=new.key)
                change.upserts.append(new.record())
                change.base[new.key] = None
            out.append(change)
        change = ChangeSet("indicators", user, note=note)
        for row in self.changes:
            stored = indicators.get(row.key)
            if (stored is not None) != row.existed or (
                stored is not None
                and not (
                    _same(_number(stored, "value"), row.before_value)
                    and _same(_number(stored, "target"), row.before_target)
                )
            ):
                raise TransferError("xfer_ind_stale", record=row.key)
            change.upserts.append({"properties": row.properties()})
            change.base[row.key] = feature_version(stored)
        if change.upserts:
            out.append(change)
        return out


def _records(
    current: Bundle | Mapping[str, Mapping[str, dict[str, Any]]], layer: str
) -> Mapping[str, dict[str, Any]]:
    """A layer's records keyed by id, exactly as the store holds them."""
    if isinstance(current, Mapping):
        return current.get(layer, {})
    frame = current.layer(layer)
    return codec(layer).parse(csv_text(frame, LAYERS_BY_NAME[layer]))


def _number(record: dict[str, Any], name: str) -> float | None:
    value = (record.get("properties") or {}).get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _plain_number(value: float) -> float:
    """A converted number without binary noise (12.345600000000001 -> 12.3456)."""
    return float(f"{value:.12g}")


@dataclass(frozen=True)
class IndicatorContext:
    """What planning needs from the data, as plain values (sent to the upload worker,
    which then touches no data frame).

    Attributes
    ----------
    township : the township's code ("" without a township) and its names
    villages : (code, name_zh, name_en) in the villages layer's order
    catalogue : (key, label_zh, label_en, unit_zh) per catalogue indicator
    indicators : "place|year|indicator" -> (value, target) as stored
    """

    township: str
    township_names: tuple[str, ...]
    villages: tuple[tuple[str, str, str], ...]
    catalogue: tuple[tuple[str, str, str, str], ...]
    indicators: dict[str, tuple[float | None, float | None]]

    @classmethod
    def of(cls, bundle: Bundle) -> IndicatorContext:
        """The context of ``bundle``."""
        props = bundle.township_props
        code = props.get("code")
        names = tuple(
            str(props[k]).strip()
            for k in ("name_zh", "name_en")
            if isinstance(props.get(k), str) and str(props[k]).strip()
        )
        villages = tuple(
            (str(c), _text(n), _text(e))
            for c, n, e in zip(
                bundle.villages["code"],
                bundle.villages["name_zh"],
                bundle.villages["name_en"],
                strict=True,
            )
            if _text(c)
        )
        catalogue = tuple(
            (str(r["key"]), _text(r.get("label_zh")) or str(r["key"]), _text(r.get("label_en")),
             _text(r.get("unit_zh")))
            for r in bundle.indicator_catalogue.to_dict("records")
            if _text(r.get("key"))
        )  # fmt: skip
        current = {
            key: (_number(rec, "value"), _number(rec, "target"))
            for key, rec in _records(bundle, "indicators").items()
        }
        return cls(_text(code), names, villages, catalogue, current)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


# --- matching -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    """What a column or row label refers to: an indicator's value or its target."""

    key: str
    role: Literal["value", "target"]
    unit: str | None
    catalogue_unit: str
    label: str
    year: int | None


def _strip_year(name: str) -> tuple[str, int | None]:
    text = unicodedata.normalize("NFKC", name)
    match = _YEAR_WORD.search(text)
    if not match:
        return text, None
    return (text[: match.start()] + text[match.end() :]).strip(), int(match.group(1))


class _Catalogue:
    """The catalogue (and indicators added in this step) by every name they go by."""

    def __init__(self, context: IndicatorContext, new: Mapping[str, NewIndicator]) -> None:
        self.units: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for key, label_zh, label_en, unit in context.catalogue:
            self._add(key, label_zh, unit)
            for name in (label_en, *INDICATOR_ALIASES.get(key, ())):
                if name:
                    self.by_name.setdefault(norm_header(name), key)
        self.new = dict(new)
        self.targets_only = False  # a 目标 sheet: every indicator column holds targets
        for name, ind in self.new.items():
            self._add(ind.key, ind.label_zh, ind.unit_zh)
            self.by_name[norm_header(name)] = ind.key

    def _add(self, key: str, label: str, unit: str) -> None:
        self.units[key] = unit
        self.labels[key] = label
        self.by_name.setdefault(norm_header(key), key)
        self.by_name.setdefault(norm_header(label), key)

    def match(self, header: str, previous: _Target | None) -> _Target | str | None:
        """What ``header`` refers to: a :class:`_Target`, or the name to list as unmatched
        (a str), or None for a column that is not an indicator at all."""
        name, unit = header_unit(str(header))
        name, year = _strip_year(name)
        base = _TARGET_SUFFIX.sub("", name).strip()
        role: Literal["value", "target"] = (
            "target" if base != name or self.targets_only else "value"
        )
        # a two-row header: "村集体经济收入(万元)" over 数值 / 目标
        base = _VALUE_SUFFIX.sub("", base).strip()
        base, inner = header_unit(base)
        unit = unit or inner
        if role == "target" and not base:
            if previous is None:
                return None
            return _Target(
                previous.key,
                "target",
                unit or previous.unit,
                previous.catalogue_unit,
                previous.label,
                year or previous.year,
            )
        normed = norm_header(base)
        if not normed:
            return None
        key = self.by_name.get(normed)
        if key is None and str(header) in self.new:
            key = self.new[str(header)].key
        if key is None:
            return base
        return _Target(key, role, unit, self.units[key], self.labels[key], year)


class _Places:
    """Villages and the township by code and by name."""

    def __init__(self, context: IndicatorContext, chosen: Mapping[str, str]) -> None:
        self.chosen = dict(chosen)
        self.township = context.township
        found: list[Candidate] = []
        for code, name_zh, name_en in context.villages:
            found.append(Candidate(code, code))  # so a code is a candidate too
            found.extend(Candidate(code, n) for n in (name_zh, name_en) if n)
        if self.township:
            code = self.township
            found.append(Candidate(code, code))
            for name in (*context.township_names, *TOWNSHIP_WORDS):
                found.append(Candidate(code, name))
                bare = re.sub(r"[(（][^)）]*[)）]", "", name).strip()
                if bare and bare != name:
                    found.append(Candidate(code, bare))
        self.index = NameIndex(found)
        self.villages = [code for code, _, _ in context.villages]
        self.names = {code: name or code for code, name, _ in context.villages}

    def match(self, value: Any) -> Any:
        return self.index.match(value, self.chosen)


# --- reading ------------------------------------------------------------------------------
@dataclass
class _Figure:
    value: float | None = None
    target: float | None = None
    sheet: str = ""
    row: int = 0
    given: set[str] = field(default_factory=set)


class _Planner:
    def __init__(
        self,
        context: IndicatorContext,
        source: str,
        new_indicators: Mapping[str, NewIndicator],
        names: Mapping[str, str],
    ) -> None:
        self.context = context
        self.source = source
        self.catalogue = _Catalogue(context, new_indicators)
        self.places = _Places(context, names)
        self.problems: list[RowProblem] = []
        self.notes: list[Note] = []
        self.figures: dict[tuple[str, int, str], _Figure] = {}
        self.unmatched: dict[str, UnmatchedColumn] = {}
        self.used_new: set[str] = set()
        self.converted: dict[tuple[str, str, str], float] = {}
        self.sheets: list[tuple[str, str, tuple[int, ...]]] = []
        self.total_rows = 0
        self.no_year: set[tuple[str, str]] = set()

    # problems ---------------------------------------------------------------------------
    def problem(
        self,
        sheet: str,
        row: int,
        code: str,
        key: str,
        *,
        column: str | None = None,
        severity: Severity = "error",
        value: Any = None,
        candidates: tuple[str, ...] = (),
        **params: Any,
    ) -> None:
        where = text("xfer_ind_where", sheet=sheet, row=row)
        zh, en = text(key, **params)
        shown = None if value is None else str(value)[:200]
        self.problems.append(
            RowProblem(
                row,
                column,
                severity,
                code,
                f"{where[0]}:{zh}",
                f"{where[1]}: {en}",
                shown,
                False,
                None,
                candidates,
            )
        )

    def place(self, sheet: str, row: int, value: Any, column: str | None = None) -> str | None:
        """The place code ``value`` names, or None (a problem is listed)."""
        found = self.places.match(value)
        if found.matched:
            return str(found.id)
        labels = tuple(c.label() for c in found.candidates)
        ambiguous = found.how == "ambiguous"
        self.problem(
            sheet,
            row,
            "name_ambiguous" if ambiguous else "link",
            "xfer_ind_place_ambiguous" if ambiguous else "xfer_ind_place_unknown",
            column="place_code",
            value=found.value,
            candidates=labels,
            name=found.value,
            choices="、".join(labels) or "—",
        )
        return None

    def unmatched_column(self, name: str, sheet: str, unit: str | None, row: int) -> None:
        if name in self.unmatched:
            return
        zh, en = text("xfer_ind_column_unmatched", column=name)
        self.unmatched[name] = UnmatchedColumn(name, sheet, unit, zh, en)
        where = text("xfer_ind_where", sheet=sheet, row=row)
        self.problems.append(
            RowProblem(
                row, name, "warning", "column_unmatched", f"{where[0]}:{zh}", f"{where[1]}: {en}"
            )
        )

    # figures ----------------------------------------------------------------------------
    def factor(
        self, sheet: str, row: int, target: _Target, unit: str | None, column: str
    ) -> float | None:
        """The factor from ``unit`` to the indicator's unit; None (and a problem) when it
        cannot be converted."""
        conv = conversion(unit, target.catalogue_unit)
        if conv.factor is None:
            self.problem(
                sheet,
                row,
                "unit",
                "xfer_ind_unit",
                column=column,
                value=unit,
                column_name=column,
                unit=unit,
                label=target.label,
                catalogue_unit=target.catalogue_unit or "—",
            )
            return None
        if conv.converts and unit:
            self.converted[(column, unit, target.catalogue_unit)] = conv.factor
        return conv.factor

    def cell(
        self,
        sheet: str,
        row: int,
        column: str,
        raw: Any,
        target: _Target,
        unit: str | None,
        year: int | None,
        place: str,
    ) -> None:
        """Read one cell into the figures."""
        if is_missing(raw):
            return
        parsed = cell_number(raw)
        if parsed is None:
            self.problem(
                sheet,
                row,
                "number",
                "xfer_ind_not_number",
                column=column,
                value=raw,
                column_name=column,
                value_text=str(raw)[:80],
            )
            return
        number, own = parsed
        factor = self.factor(sheet, row, target, own or unit, column)
        if factor is None:
            return
        if year is None:
            if (sheet, column) not in self.no_year:
                self.no_year.add((sheet, column))
                self.problem(
                    sheet, row, "year", "xfer_ind_no_year", column=column, sheet_name=sheet
                )
            return
        if not 1949 <= year <= 2100:
            self.problem(
                sheet, row, "year", "xfer_ind_bad_year", column=column, value=year, year=year
            )
            return
        value = _plain_number(number * factor)
        figure = self.figures.setdefault((place, year, target.key), _Figure(sheet=sheet, row=row))
        if target.role in figure.given:
            old = figure.value if target.role == "value" else figure.target
            if not _same(old, value):
                self.problem(
                    sheet,
                    row,
                    "duplicate",
                    "xfer_ind_duplicate",
                    column=column,
                    value=raw,
                    place=place,
                    year=year,
                    label=target.label,
                    first=total_text(old or 0.0),
                    second=total_text(value),
                    first_row=figure.row,
                    first_sheet=figure.sheet,
                )
            return
        figure.given.add(target.role)
        if target.role == "value":
            figure.value = value
        else:
            figure.target = value
        if target.key in {n.key for n in self.catalogue.new.values()}:
            self.used_new.add(target.key)

    # shapes -----------------------------------------------------------------------------
    def read(self, sheet: Sheet) -> None:
        table = sheet.table
        self.total_rows += len(table.records)
        self.notes.extend(table.notes)
        for check in table.total_checks:
            if not check.agrees:
                self.problem(
                    sheet.name,
                    check.row,
                    "total",
                    "xfer_ind_total_mismatch",
                    column=check.column,
                    value=check.total,
                    label=check.label,
                    column_name=check.column,
                    total=total_text(check.total),
                    computed=total_text(check.computed),
                )
        roles = {c: norm_header(c) for c in table.columns}
        header_row = table.header_rows[-1] if table.header_rows else 1
        default_year = year_in(" ".join(sheet.titles)) if sheet.titles else None
        if default_year is None:
            default_year = year_in(sheet.name)
        first = next(iter(roles.values()), "")
        if any(r in _INDICATOR_COLUMNS for r in roles.values()) and any(
            r in _VALUE_COLUMNS or r in _TARGET_COLUMNS for r in roles.values()
        ):
            shape: Shape = "long"
            years = self.read_long(sheet, roles, default_year)
        elif self.looks_transposed(table.columns, roles) or first in _INDICATOR_COLUMNS:
            shape = "transposed"
            years = self.read_transposed(sheet, roles, default_year, header_row)
        else:
            shape = "wide"
            years = self.read_wide(sheet, roles, default_year, header_row)
        self.sheets.append((sheet.name, shape, tuple(sorted(years))))
        self.notes.append(
            Note.of(
                f"xfer_ind_sheet_{shape}",
                sheet=sheet.name,
                rows=len(table.records),
                years="、".join(map(str, sorted(years))) or "—",
            )
        )

    def looks_transposed(self, columns: list[str], roles: dict[str, str]) -> bool:
        places = 0
        indicators = 0
        for column in columns:
            if roles[column] in _CODE_COLUMNS | _NAME_COLUMNS:
                return False
            found = self.places.index.match(column)
            if found.matched:
                places += 1
            elif isinstance(self.catalogue.match(column, None), _Target):
                indicators += 1
        return places >= 2 and places > indicators

    def _roles(self, roles: dict[str, str], wanted: set[str]) -> str | None:
        return next((c for c, r in roles.items() if r in wanted), None)

    def read_wide(
        self, sheet: Sheet, roles: dict[str, str], default_year: int | None, header_row: int
    ) -> set[int]:
        table = sheet.table
        code_col = self._roles(roles, _CODE_COLUMNS)
        name_col = self._roles(roles, _NAME_COLUMNS - _UNIT_COLUMNS) or self._roles(
            roles, _NAME_COLUMNS
        )
        year_col = self._roles(roles, _YEAR_COLUMNS)
        if code_col is None and name_col is None:
            raise TransferError(
                "xfer_ind_no_place_column", sheet=sheet.name, columns="、".join(table.columns[:12])
            )
        targets: dict[str, _Target] = {}
        previous: _Target | None = None
        skip = {code_col, name_col, year_col}
        for column in table.columns:
            if column in skip or roles[column] in _IGNORED_COLUMNS or not roles[column]:
                continue
            if column.startswith("column_"):
                continue
            found = self.catalogue.match(column, previous)
            if isinstance(found, _Target):
                targets[column] = found
                if found.role == "value":
                    previous = found
                if self.factor(sheet.name, header_row, found, found.unit, column) is None:
                    targets.pop(column)
            elif isinstance(found, str):
                self.unmatched_column(column, sheet.name, header_unit(column)[1], header_row)
        header_years = {t.year for t in targets.values() if t.year is not None}
        if default_year is None and len(header_years) == 1:
            default_year = header_years.pop()  # "2025年村集体经济收入" dates the whole sheet
        years: set[int] = set()
        for record, row in zip(table.records, table.row_numbers, strict=True):
            code = record.get(code_col) if code_col else None
            name = record.get(name_col) if name_col else None
            given = [c for c in targets if not is_missing(record.get(c))]
            if is_missing(code) and is_missing(name):
                if given:
                    self.problem(sheet.name, row, "place", "xfer_ind_no_place", column="place_code")
                continue
            written = code if not is_missing(code) else name
            place = self.place(sheet.name, row, str(written).strip(), code_col or name_col)
            if place is None:
                continue
            row_year = default_year
            if year_col is not None and not is_missing(record.get(year_col)):
                row_year = _year_cell(record.get(year_col))
                if row_year is None:
                    self.problem(
                        sheet.name,
                        row,
                        "year",
                        "xfer_ind_bad_year",
                        column=year_col,
                        value=record.get(year_col),
                        year=record.get(year_col),
                    )
                    continue
            for column in given:
                t = targets[column]
                year = t.year or row_year
                self.cell(sheet.name, row, column, record[column], t, t.unit, year, place)
                if year is not None:
                    years.add(year)
        return years

    def read_transposed(
        self, sheet: Sheet, roles: dict[str, str], default_year: int | None, header_row: int
    ) -> set[int]:
        table = sheet.table
        label_col = self._roles(roles, _INDICATOR_COLUMNS) or table.columns[0]
        unit_col = self._roles(roles, _UNIT_COLUMNS)
        year_col = self._roles(roles, _YEAR_COLUMNS)
        places: dict[str, str] = {}
        totals: list[str] = []
        for column in table.columns:
            if column in (label_col, unit_col, year_col) or roles[column] in _IGNORED_COLUMNS:
                continue
            if column.startswith("column_"):
                continue
            if _is_total_label(column):
                totals.append(column)
                continue
            place = self.place(sheet.name, header_row, column, column)
            if place is not None:
                places[column] = place
        years: set[int] = set()
        previous: _Target | None = None
        for record, row in zip(table.records, table.row_numbers, strict=True):
            label = record.get(label_col)
            if is_missing(label):
                continue
            found = self.catalogue.match(str(label), previous)
            if not isinstance(found, _Target):
                if isinstance(found, str):
                    self.unmatched_column(str(label), sheet.name, header_unit(str(label))[1], row)
                continue
            if found.role == "value":
                previous = found
            unit = found.unit
            if unit_col is not None and not is_missing(record.get(unit_col)):
                unit = str(record.get(unit_col)).strip()
            if self.factor(sheet.name, row, found, unit, str(label)) is None:
                continue
            year = found.year or default_year
            if year_col is not None and not is_missing(record.get(year_col)):
                year = _year_cell(record.get(year_col))
            self.check_total_columns(sheet.name, row, record, places, totals, str(label))
            for column, place in places.items():
                if not is_missing(record.get(column)):
                    self.cell(sheet.name, row, column, record[column], found, unit, year, place)
                    if year is not None:
                        years.add(year)
        return years

    def check_total_columns(
        self,
        sheet: str,
        row: int,
        record: dict[str, Any],
        places: dict[str, str],
        totals: list[str],
        label: str,
    ) -> None:
        """A 合计 column of a transposed table against the sum of the village columns."""
        for column in totals:
            total = cell_number(record.get(column))
            if total is None:
                continue
            parts = [
                cell_number(record.get(c)) for c in places if places[c] != self.places.township
            ]
            numbers = [p[0] for p in parts if p is not None]
            if not numbers:
                continue
            computed = sum(numbers)
            if not math.isclose(computed, total[0], rel_tol=1e-9, abs_tol=0.5e-6 + 1e-9):
                self.problem(
                    sheet,
                    row,
                    "total",
                    "xfer_ind_total_mismatch",
                    column=column,
                    value=total[0],
                    label=f"{column}({label})",
                    column_name=label,
                    total=total_text(total[0]),
                    computed=total_text(computed),
                )

    def read_long(self, sheet: Sheet, roles: dict[str, str], default_year: int | None) -> set[int]:
        table = sheet.table
        code_col = self._roles(roles, _CODE_COLUMNS)
        name_col = self._roles(roles, _NAME_COLUMNS - _UNIT_COLUMNS)
        ind_col = self._roles(roles, _INDICATOR_COLUMNS)
        value_col = self._roles(roles, _VALUE_COLUMNS)
        target_col = self._roles(roles, _TARGET_COLUMNS)
        unit_col = self._roles(roles, _UNIT_COLUMNS - _NAME_COLUMNS) or (
            self._roles(roles, _UNIT_COLUMNS) if name_col else None
        )
        year_col = self._roles(roles, _YEAR_COLUMNS)
        if code_col is None and name_col is None:
            raise TransferError(
                "xfer_ind_no_place_column", sheet=sheet.name, columns="、".join(table.columns[:12])
            )
        years: set[int] = set()
        for record, row in zip(table.records, table.row_numbers, strict=True):
            label = record.get(ind_col) if ind_col else None
            code = record.get(code_col) if code_col else None
            name = record.get(name_col) if name_col else None
            if is_missing(label) and is_missing(code) and is_missing(name):
                continue
            if is_missing(label):
                self.problem(sheet.name, row, "indicator", "xfer_ind_no_indicator", column=ind_col)
                continue
            found = self.catalogue.match(str(label), None)
            if not isinstance(found, _Target):
                if isinstance(found, str):
                    self.unmatched_column(str(label), sheet.name, header_unit(str(label))[1], row)
                continue
            written = code if not is_missing(code) else name
            if is_missing(written):
                self.problem(sheet.name, row, "place", "xfer_ind_no_place", column="place_code")
                continue
            place = self.place(sheet.name, row, str(written).strip(), code_col or name_col)
            if place is None:
                continue
            unit = found.unit
            if unit_col is not None and not is_missing(record.get(unit_col)):
                unit = str(record.get(unit_col)).strip()
            year = found.year or default_year
            if year_col is not None and not is_missing(record.get(year_col)):
                year = _year_cell(record.get(year_col))
                if year is None:
                    self.problem(
                        sheet.name,
                        row,
                        "year",
                        "xfer_ind_bad_year",
                        column=year_col,
                        value=record.get(year_col),
                        year=record.get(year_col),
                    )
                    continue
            for column, role in ((value_col, found.role), (target_col, "target")):
                if column is None or is_missing(record.get(column)):
                    continue
                as_role = _Target(found.key, role, unit, found.catalogue_unit, found.label, year)  # type: ignore[arg-type]
                self.cell(sheet.name, row, column, record[column], as_role, unit, year, place)
                if year is not None:
                    years.add(year)
        return years

    # result -----------------------------------------------------------------------------
    def plan(self) -> IndicatorPlan:
        current = self.context.indicators
        rows: list[IndicatorRow] = []
        for (place, year, key), figure in sorted(self.figures.items()):
            record_key = f"{place}|{year}|{key}"
            stored = current.get(record_key)
            before_value, before_target = stored if stored is not None else (None, None)
            value = figure.value if "value" in figure.given else before_value
            target = figure.target if "target" in figure.given else before_target
            if stored is not None and _same(value, before_value) and _same(target, before_target):
                status = "unchanged"
            else:
                status = "replace" if stored is not None else "new"
            rows.append(
                IndicatorRow(
                    place,
                    year,
                    key,
                    value,
                    target,
                    status,
                    stored is not None,
                    before_value,
                    before_target,
                    figure.sheet,
                    figure.row,
                )
            )
        for (column, unit, to), factor in self.converted.items():
            self.notes.append(
                Note.of(
                    "xfer_ind_unit_converted",
                    column=column,
                    unit=unit,
                    to=to,
                    factor=total_text(factor),
                )
            )
        years = sorted({y for _, y, _ in self.figures})
        for year in years:
            given = {p for p, y, _ in self.figures if y == year}
            missing = [self.places.names.get(c, c) for c in self.places.villages if c not in given]
            if missing:
                self.notes.append(
                    Note.of(
                        "xfer_ind_villages_without",
                        year=year,
                        n=len(missing),
                        names="、".join(missing[:12]),
                    )
                )
        self.notes.insert(
            0, Note.of("xfer_ind_rows_checked", rows=self.total_rows, sheets=len(self.sheets))
        )
        new = tuple(n for n in self.catalogue.new.values() if n.key in self.used_new)
        problems = sorted(
            self.problems, key=lambda p: ({"error": 0, "warning": 1, "info": 2}[p.severity], p.row)
        )
        return IndicatorPlan(
            source=self.source,
            rows=tuple(rows),
            problems=tuple(problems),
            notes=tuple(self.notes),
            unmatched=tuple(u for n, u in self.unmatched.items() if n not in self.catalogue.new),
            new_indicators=new,
            sheets=tuple(self.sheets),
            total_rows=self.total_rows,
        )


def _year_cell(value: Any) -> int | None:
    parsed = cell_number(value)
    if parsed is not None and parsed[0].is_integer():
        return int(parsed[0])
    return year_in(str(value))


def check_new_indicators(context: IndicatorContext, new: Mapping[str, NewIndicator]) -> None:
    """Refuse indicators to add that are not well formed or clash with the catalogue.

    Raises
    ------
    TransferError : naming the column and what to change (a bad key, a key already in
        the catalogue, a missing name, an aggregate other than sum or mean)
    """
    keys = {c[0] for c in context.catalogue}
    seen: set[str] = set()
    for column, ind in new.items():
        if not _KEY.match(ind.key):
            raise TransferError("xfer_ind_new_key", column=column, code=ind.key)
        if ind.key in keys or ind.key in seen:
            raise TransferError("xfer_ind_new_exists", column=column, code=ind.key)
        if not ind.label_zh.strip() or not ind.label_en.strip():
            raise TransferError("xfer_ind_new_label", column=column)
        if ind.aggregate not in INDICATOR_AGGREGATES:
            raise TransferError(
                "xfer_ind_new_aggregate",
                column=column,
                aggregate=ind.aggregate,
                allowed="|".join(INDICATOR_AGGREGATES),
            )
        seen.add(ind.key)


def plan_indicator_sheets(
    sheets: list[Sheet],
    context: IndicatorContext,
    *,
    source: str,
    new_indicators: Mapping[str, NewIndicator] | None = None,
    names: Mapping[str, str] | None = None,
) -> IndicatorPlan:
    """Plan importing sheets already read (see :func:`plan_indicators`)."""
    new = dict(new_indicators or {})
    check_new_indicators(context, new)
    planner = _Planner(context, source, new, names or {})
    skipped: list[TransferError] = []
    # Figures first, then 目标 sheets, whose every indicator column (or row) is a target.
    for sheet in sorted(sheets, key=lambda s: s.is_target_sheet):
        planner.catalogue.targets_only = sheet.is_target_sheet
        try:
            planner.read(sheet)
        except TransferError as exc:
            if len(sheets) == 1 or exc.key != "xfer_ind_no_place_column":
                raise
            skipped.append(exc)
            planner.notes.append(Note.of("xfer_ind_sheet_skipped", sheet=sheet.name))
    if len(skipped) == len(sheets):
        raise skipped[0]
    return planner.plan()


def plan_indicators(
    filename: str,
    data: bytes,
    bundle: Bundle | IndicatorContext,
    *,
    sheet: str | None = None,
    new_indicators: Mapping[str, NewIndicator] | None = None,
    names: Mapping[str, str] | None = None,
    lang: str = "zh",
    limits: Limits = DEFAULT_LIMITS,
) -> IndicatorPlan:
    """Read an indicator table (XLSX or CSV) and plan importing it (in this process: for
    tests and scripts; the server uses :func:`.worker_jobs.plan_indicators_isolated`).

    Parameters
    ----------
    filename, data : the upload
    bundle : the current data (villages, township, catalogue, indicators), or its
        :class:`IndicatorContext` (what the upload worker gets); not modified
    sheet : read only this sheet (default: every sheet but 说明 sheets)
    new_indicators : unmatched column (or indicator name) -> the indicator to add for it
    names : a written village name -> the place code the planner chose for it
    lang : unused (messages carry both languages); kept for the worker's signature

    Raises
    ------
    TransferError : the file cannot be read, has no header or no village column, or a
        new indicator is not well formed
    """
    del lang
    sheets = read_sheets(data, filename, limits, sheet)
    return plan_indicator_sheets(
        sheets,
        bundle if isinstance(bundle, IndicatorContext) else IndicatorContext.of(bundle),
        source=filename,
        new_indicators=new_indicators,
        names=names,
    )
