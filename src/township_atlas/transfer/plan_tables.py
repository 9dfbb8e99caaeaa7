"""Village plans (一村一业) and industry chains from the Excel sheets a township office fills.

Plans: :func:`plans_template_xlsx` writes one sheet per village (named by the village, plus
a 说明 sheet with the instructions and the indicator catalogue), pre-filled from the
current plans; :func:`plan_plans` reads such a workbook back into a :class:`PlansPlan`
(per village the new plan and what changes, and the problems by sheet and row), and
:meth:`PlansPlan.to_change_set` makes the ``plans`` change of the villages whose plan
changed. The template of the current plans read back gives no change.

Chains: :func:`plan_chains` reads an office table (title rows, merged headers: see
:mod:`.office_tables`) with the columns 产业链 / 主导产业 / 环节序号 / 环节 / 依托基地
into a :class:`ChainsPlan`; sites are matched by name (:mod:`.name_match`), never guessed.
Each chain in the table replaces that chain's stages; chains not in it stay.

Everything here is plain Python (no Streamlit); uploads are parsed only in the worker
(:func:`.worker_jobs.plan_plans_isolated`, :func:`.worker_jobs.plan_chains_isolated`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import MILESTONE_STATUS_LABELS
from township_atlas.storage.changes import ChangeSet, feature_version
from township_atlas.text.bilingual import Messaged
from township_atlas.transfer.archive import open_zip
from township_atlas.transfer.errors import UnreadableFile, UnsupportedFormat, UploadRefused
from township_atlas.transfer.ids import IdAllocator
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.messages import text
from township_atlas.transfer.name_match import (
    MAX_CANDIDATES,
    NameIndex,
    NameMatch,
    candidate_id,
)
from township_atlas.transfer.sniff import sniff
from township_atlas.transfer.tables import Table, norm_header, read_csv, read_xlsx, vet_xlsx
from township_atlas.transfer.units import cell_number, is_missing

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GUIDE_SHEET = "说明"
INDUSTRY = "主导产业"
SUMMARY = "发展思路"
GOAL_HEADERS = ("年度", "目标", "指标", "目标值")
MEASURE_HEADER = "措施"
MILESTONE_HEADERS = ("节点", "完成时间", "状态")
# The first header cell of each table as people may retitle it.
GOAL_FIRST = frozenset({"年度", "年份", "目标年度"})
MEASURE_FIRST = frozenset({"措施", "主要措施", "工作措施", "发展措施"})
MILESTONE_FIRST = frozenset({"节点", "节点名称", "时间节点", "关键节点"})
SPARE_ROWS = 5  # empty rows with drop-downs left in each table for additions
# Status words people write, beyond the labels of MILESTONE_STATUS_LABELS.
STATUS_WORDS: dict[str, str] = {
    "完成": "done",
    "已完成": "done",
    "已完工": "done",
    "进行中": "in_progress",
    "推进中": "in_progress",
    "正在推进": "in_progress",
    "在建": "in_progress",
    "未开始": "not_started",
    "未启动": "not_started",
    "尚未开始": "not_started",
    "滞后": "delayed",
    "延期": "delayed",
    "延误": "delayed",
}
CHAIN_COLUMNS: dict[str, tuple[str, ...]] = {
    "chain": ("产业链", "产业链名称", "链条", "chain"),
    "industry": ("主导产业", "产业", "industry"),
    "seq": ("环节序号", "序号", "环节顺序", "顺序", "seq", "order"),
    "stage": ("环节", "环节名称", "产业链环节", "stage"),
    "site": ("依托基地", "基地", "依托点位", "点位", "依托项目", "site"),
}
CHAIN_REQUIRED = ("chain", "stage", "site")
CHAIN_HEADERS = ("产业链", "主导产业", "环节序号", "环节", "依托基地")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


# --- results ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanProblem(Messaged):
    """One thing wrong in the workbook or table: where (sheet, row: 0 for the sheet as a
    whole), what and what to do, and for a name, what it may refer to."""

    sheet: str
    row: int
    code: str
    message_zh: str
    message_en: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Difference(Messaged):
    """One part of a village's plan that an import changes, as shown before and after."""

    item: str
    message_zh: str
    message_en: str
    before: str
    after: str


@dataclass(frozen=True)
class VillagePlan:
    """A village's plan as read from its sheet.

    Attributes
    ----------
    code, name, sheet : the village and the sheet it was read from
    plan : the plan's new properties (plain values), or None when the sheet has problems
        (then nothing of this village is imported)
    differences : what changes against the stored plan (empty: unchanged)
    problems : how many problems the sheet has (see :attr:`PlansPlan.problems`)
    """

    code: str
    name: str
    sheet: str
    plan: dict[str, Any] | None
    differences: tuple[Difference, ...] = ()
    problems: int = 0

    @property
    def changed(self) -> bool:
        return self.plan is not None and bool(self.differences)


@dataclass(frozen=True)
class PlansPlan:
    """What importing a plans workbook would do: per village its new plan, and problems."""

    source: str
    villages: tuple[VillagePlan, ...]
    problems: tuple[PlanProblem, ...]

    @property
    def changed(self) -> tuple[VillagePlan, ...]:
        return tuple(v for v in self.villages if v.changed)

    @property
    def blocked(self) -> tuple[VillagePlan, ...]:
        """Villages whose sheet has problems: nothing of them is imported."""
        return tuple(v for v in self.villages if v.problems)

    def to_change_set(self, records: dict[str, dict[str, Any]], user: str) -> ChangeSet:
        """The ``plans`` change of the villages whose plan changed.

        Parameters
        ----------
        records : the plans layer's current records keyed by village code (as the store's
            ``records("plans")`` gives them); their versions are what the change starts
            from, and a plan equal to its record is left out
        user : who makes the change
        """
        change = ChangeSet("plans", user)
        for village in self.villages:
            if village.plan is None:
                continue
            stored = records.get(village.code)
            if stored is not None and plain_doc(stored.get("properties") or {}) == village.plan:
                continue
            change.upserts.append({"id": village.code, "properties": village.plan})
            change.base[village.code] = feature_version(stored)
        return change


@dataclass(frozen=True)
class StagePlan:
    """One stage of a chain as imported: its number, name, site (id and the name written)."""

    seq: int
    stage_zh: str
    site_id: str
    site_written: str
    row: int


@dataclass(frozen=True)
class ChainPlan:
    """A chain of the table: its id (existing or new), name, industry and stages."""

    chain_id: str
    name_zh: str
    industry_zh: str
    new: bool
    stages: tuple[StagePlan, ...]
    rows: tuple[int, ...]


@dataclass(frozen=True)
class ChainsPlan:
    """What importing a chains table would do: the chains without problems, and the
    problems (a chain with any problem is left out whole)."""

    source: str
    chains: tuple[ChainPlan, ...]
    problems: tuple[PlanProblem, ...]
    skipped: tuple[str, ...] = ()

    def to_change_sets(
        self, records_by_layer: dict[str, dict[str, dict[str, Any]]], user: str
    ) -> list[ChangeSet]:
        """[the ``chains`` change, the ``chain_stages`` change] (either may be empty).

        ``records_by_layer`` holds the current records of "chains" and "chain_stages"
        keyed by id (the store's ``records``); English names are kept where the Chinese
        one did not change, and a chain's stages not in the table are deleted.
        """
        chain_records = records_by_layer.get("chains") or {}
        stage_records = records_by_layer.get("chain_stages") or {}
        chains = ChangeSet("chains", user)
        stages = ChangeSet("chain_stages", user)
        for chain in self.chains:
            old = chain_records.get(chain.chain_id)
            old_props = (old or {}).get("properties") or {}
            name_en = (
                old_props.get("name_en") if old_props.get("name_zh") == chain.name_zh else None
            )
            props = {
                "chain_id": chain.chain_id,
                "name_zh": chain.name_zh,
                "name_en": name_en,
                "industry_zh": chain.industry_zh,
            }
            if old is None or old_props != props:
                chains.upserts.append({"properties": props})
                chains.base[chain.chain_id] = feature_version(old)
            kept: set[str] = set()
            for stage in chain.stages:
                key = f"{chain.chain_id}|{stage.seq}"
                kept.add(key)
                before = stage_records.get(key)
                bprops = (before or {}).get("properties") or {}
                stage_en = (
                    bprops.get("stage_en") if bprops.get("stage_zh") == stage.stage_zh else None
                )
                sprops = {
                    "chain_id": chain.chain_id,
                    "seq": stage.seq,
                    "stage_zh": stage.stage_zh,
                    "stage_en": stage_en,
                    "site_id": stage.site_id,
                }
                if before is None or bprops != sprops:
                    stages.upserts.append({"properties": sprops})
                    stages.base[key] = feature_version(before)
            for key, rec in stage_records.items():
                if (rec.get("properties") or {}).get(
                    "chain_id"
                ) == chain.chain_id and key not in kept:
                    stages.deletes.append(key)
                    stages.base[key] = feature_version(rec)
        return [chains, stages]


# --- small readers of cells -------------------------------------------------------------
def _text(value: Any) -> str | None:
    """A cell as stripped text; None when blank or a missing mark."""
    if value is None or is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return _iso(value)
    out = str(value).strip()
    return out or None


def _iso(value: dt.date | dt.datetime) -> str:
    day = value.date() if isinstance(value, dt.datetime) else value
    return day.isoformat()


def _norm(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def parse_year(value: Any) -> int | None:
    """A year from a cell: 2025, 2025.0, "2025", "２０２５年"; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        year = int(value)
    elif isinstance(value, dt.datetime | dt.date):
        year = value.year
    else:
        match = re.fullmatch(r"(\d{4})\s*年?(度)?", _norm(value))
        if not match:
            return None
        year = int(match.group(1))
    return year if 1949 <= year <= 2100 else None


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> str | None:
    """A due date from a cell as ISO text: an Excel date, "2025-06-30", "2025/6/30",
    "2025年6月30日", "2025年6月" (the month's last day), "2025年" or "2025年底" (31
    December), an Excel day number; None when it is none of these."""
    if isinstance(value, dt.datetime | dt.date):
        return _iso(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and 1949 <= number <= 2100:
            return f"{int(number)}-12-31"
        if number.is_integer() and 10_000 < number < 80_000:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(number))).isoformat()
        return None
    raw = _norm(value)
    raw = re.sub(r"(T|\s)00:00(:00)?$", "", raw)
    patterns = (
        (r"(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?", "day"),
        (r"(\d{4})[年\-/.](\d{1,2})月?(底|末)?", "month"),
        (r"(\d{4})年?(底|末)?", "year"),
    )
    for pattern, kind in patterns:
        match = re.fullmatch(pattern, raw)
        if not match:
            continue
        year = int(match.group(1))
        try:
            if kind == "day":
                day = dt.date(year, int(match.group(2)), int(match.group(3)))
            elif kind == "month":
                month = int(match.group(2))
                day = dt.date(year, month, calendar.monthrange(year, month)[1])
            else:
                day = dt.date(year, 12, 31)
        except ValueError:
            return None
        return day.isoformat() if 1949 <= day.year <= 2100 else None
    return None


def parse_status(value: Any) -> str | None:
    """A milestone status code from what people write (已完成, 进行中, in progress…); None
    when it is not one. A blank cell is "not_started"."""
    if value is None or is_missing(value):
        return "not_started"
    word = _norm(value)
    if word in STATUS_WORDS:
        return STATUS_WORDS[word]
    lowered = word.lower().replace("_", "").replace("-", "")
    for code, (zh, en) in MILESTONE_STATUS_LABELS.items():
        if word == zh or lowered in (code.replace("_", ""), en.lower().replace(" ", "")):
            return code
    return None


def _number(value: Any) -> float | int | None:
    parsed = cell_number(value)
    if parsed is None:
        return None
    number = parsed[0]
    return int(number) if float(number).is_integer() else number


def _candidates(text_value: str, names: list[str]) -> str:
    found = difflib.get_close_matches(text_value, names, n=MAX_CANDIDATES, cutoff=0.3)
    return "、".join(found) if found else "—"


def plain_doc(value: Any) -> Any:
    """A YAML document with plain values only: dates (a hand-written ``due: 2025-06-30``
    loads as a date) as ISO text, so plans compare as the sheet reads them and the worker's
    result holds nothing but plain values."""
    if isinstance(value, dict):
        return {str(k): plain_doc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_doc(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- the plans template ---------------------------------------------------------------
def _catalogue(bundle: Bundle) -> list[tuple[str, str, str, str]]:
    """(key, label_zh, label_en, unit_zh) of every catalogue indicator."""
    cat = bundle.indicator_catalogue
    out = []
    for row in cat.itertuples(index=False):
        unit = row.unit_zh if isinstance(row.unit_zh, str) else ""
        out.append((str(row.key), str(row.label_zh), str(row.label_en), unit))
    return out


def village_sheet_names(bundle: Bundle) -> dict[str, str]:
    """Village code -> its sheet's name: the village's name, or "name(code)" when the name
    is not a valid, unique sheet name."""
    out: dict[str, str] = {}
    used = {GUIDE_SHEET}
    for row in bundle.villages.itertuples(index=False):
        code = str(row.code)
        name = str(row.name_zh).strip() if isinstance(row.name_zh, str) else code
        sheet = _BAD_SHEET_CHARS.sub("", name)[:31] or code
        if sheet in used or sheet != name:
            sheet = f"{_BAD_SHEET_CHARS.sub('', name)[:20]}({code})"[:31]
        used.add(sheet)
        out[code] = sheet
    return out


def _plans(bundle: Bundle) -> dict[str, Any]:
    villages = bundle.plans.get("villages") if isinstance(bundle.plans, dict) else None
    return villages if isinstance(villages, dict) else {}


_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _head(ws: Any, row: int, names: tuple[str, ...]) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL


def plans_template_xlsx(bundle: Bundle) -> bytes:
    """The plans workbook a village secretary fills in, pre-filled with the current plans.

    One sheet per village (named by :func:`village_sheet_names`): a title row, 主导产业 and
    发展思路 (the value in the cell to the right), then the tables 年度 | 目标 | 指标 |
    目标值, 措施 and 节点 | 完成时间 | 状态, each with a few empty rows; the 指标 column
    offers the catalogue's labels and the 状态 column the statuses as drop-down lists. The
    说明 sheet holds the instructions and the catalogue.

    Returns
    -------
    bytes
        The .xlsx file.
    """
    catalogue = _catalogue(bundle)
    labels = {key: zh for key, zh, _en, _unit in catalogue}
    plans = _plans(bundle)
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = GUIDE_SHEET
    zh, en = text("xfer_pt_guide")
    guide["A1"] = zh
    guide["A2"] = en
    for cell in ("A1", "A2"):
        guide[cell].alignment = _WRAP
    guide.merge_cells("A1:D1")
    guide.merge_cells("A2:D2")
    guide.row_dimensions[1].height = 90
    guide.row_dimensions[2].height = 90
    _head(guide, 4, ("指标", "单位", "英文名称", "代码"))
    for i, (key, label_zh, label_en, unit) in enumerate(catalogue, start=5):
        guide.cell(row=i, column=1, value=label_zh)
        guide.cell(row=i, column=2, value=unit)
        guide.cell(row=i, column=3, value=label_en)
        guide.cell(row=i, column=4, value=key)
    last = 4 + max(len(catalogue), 1)
    for col, width in zip("ABCD", (28, 10, 32, 22), strict=True):
        guide.column_dimensions[col].width = width
    statuses = ",".join(zh for zh, _ in MILESTONE_STATUS_LABELS.values())
    names = village_sheet_names(bundle)
    for row in bundle.villages.itertuples(index=False):
        code = str(row.code)
        plan = plans.get(code) if isinstance(plans.get(code), dict) else {}
        ws = book.create_sheet(names[code])
        _village_sheet(ws, str(row.name_zh), code, plan, labels, statuses, last)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _village_sheet(
    ws: Any,
    name: str,
    code: str,
    plan: dict[str, Any],
    labels: dict[str, str],
    statuses: str,
    catalogue_last: int,
) -> None:
    ws["A1"] = f"{name}({code})“一村一业”发展规划"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:D1")
    ws["A2"], ws["B2"] = INDUSTRY, plan.get("leading_industry_zh")
    ws["A3"], ws["B3"] = SUMMARY, plan.get("summary_zh")
    for cell in ("A2", "A3"):
        ws[cell].font = _HEAD_FONT
        ws[cell].fill = _HEAD_FILL
    ws.merge_cells("B2:D2")
    ws.merge_cells("B3:D3")
    ws["B3"].alignment = _WRAP
    ws.row_dimensions[3].height = 60
    r = 5
    _head(ws, r, GOAL_HEADERS)
    indicator_list = DataValidation(
        type="list", formula1=f"'{GUIDE_SHEET}'!$A$5:$A${catalogue_last}", allow_blank=True
    )
    status_list = DataValidation(type="list", formula1=f'"{statuses}"', allow_blank=True)
    ws.add_data_validation(indicator_list)
    ws.add_data_validation(status_list)
    goals = [g for g in plan.get("goals") or [] if isinstance(g, dict)]
    first = r + 1
    for goal in goals:
        r += 1
        key = goal.get("indicator")
        ws.cell(row=r, column=1, value=goal.get("year"))
        ws.cell(row=r, column=2, value=goal.get("text_zh"))
        ws.cell(row=r, column=3, value=labels.get(str(key), key) if key else None)
        ws.cell(row=r, column=4, value=goal.get("target"))
    r += SPARE_ROWS
    indicator_list.add(f"C{first}:C{r}")
    r += 2
    _head(ws, r, (MEASURE_HEADER,))
    for measure in plan.get("measures_zh") or []:
        r += 1
        ws.cell(row=r, column=1, value=measure)
    r += SPARE_ROWS + 2
    _head(ws, r, MILESTONE_HEADERS)
    first = r + 1
    for ms in plan.get("milestones") or []:
        if not isinstance(ms, dict):
            continue
        r += 1
        due = ms.get("due")
        day = parse_date(due) if due else None
        cell = ws.cell(row=r, column=2, value=dt.date.fromisoformat(day) if day else due)
        cell.number_format = "yyyy-mm-dd"
        ws.cell(row=r, column=1, value=ms.get("name_zh"))
        status = ms.get("status")
        ws.cell(row=r, column=3, value=MILESTONE_STATUS_LABELS.get(status, (status,))[0])
    r += SPARE_ROWS
    for row in range(first, r + 1):
        ws.cell(row=row, column=2).number_format = "yyyy-mm-dd"
    status_list.add(f"C{first}:C{r}")
    for col, width in zip("ABCD", (36, 44, 24, 12), strict=True):
        ws.column_dimensions[col].width = width


# --- reading plans back ---------------------------------------------------------------
def _open_book(filename: str, data: bytes, limits: Limits) -> Any:
    """The workbook of a vetted .xlsx upload (read-only, cached values)."""
    if len(data) > limits.max_upload_bytes:
        raise UploadRefused(
            "xfer_upload_too_large",
            name=filename,
            size_mb=round(len(data) / 2**20, 1),
            limit_mb=round(limits.max_upload_bytes / 2**20),
        )
    if sniff(filename, data[:8192], len(data)) != "xlsx":
        raise UnreadableFile("xfer_pt_not_xlsx", name=filename)
    zf, _members = open_zip(data, filename, limits)
    with zf:
        vet_xlsx(data, filename, zf)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException as exc:
        raise UploadRefused("xfer_xml_dtd", name=filename) from exc
    except (KeyError, ValueError, OSError, TypeError) as exc:
        raise UnreadableFile("xfer_xlsx_damaged", name=filename, detail=str(exc)[:200]) from exc


def _sheet_rows(ws: Any, limits: Limits) -> list[tuple[int, list[Any]]]:
    rows = []
    cells = 0
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells += len(row)
        if cells > limits.max_cells or number > limits.max_features:
            raise UploadRefused("xfer_too_many_features", name=ws.title, limit=limits.max_features)
        values = list(row[:8])
        if any(not is_missing(v) for v in values):
            rows.append((number, values))
    return rows


class _SheetLog:
    """Problems of one sheet."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.items: list[PlanProblem] = []

    def add(
        self, row: int, code: str, key: str, choices: tuple[str, ...] = (), **params: Any
    ) -> None:
        shown = str(params.get("value", ""))
        params["value"] = shown[:80] + ("…" if len(shown) > 80 else "")
        zh, en = text(key, **params)
        if row:
            wzh, wen = text("xfer_pt_where", sheet=self.sheet, row=row)
        else:
            wzh, wen = text("xfer_pt_where_sheet", sheet=self.sheet)
        self.items.append(
            PlanProblem(self.sheet, row, code, f"{wzh}:{zh}", f"{wen}: {en}", choices)
        )


class _Indicators:
    """Catalogue indicators found by label (zh or en) or key, after NFKC and spaces."""

    def __init__(self, bundle: Bundle) -> None:
        self.by_name: dict[str, str] = {}
        self.labels: list[str] = []
        for key, zh, en, _unit in _catalogue(bundle):
            self.labels.append(zh)
            for name in (zh, en, key):
                self.by_name.setdefault(_norm(name).casefold(), key)

    def find(self, value: str) -> str | None:
        return self.by_name.get(_norm(value).casefold())


def _read_village(
    rows: list[tuple[int, list[Any]]],
    stored: dict[str, Any],
    indicators: _Indicators,
    log: _SheetLog,
) -> dict[str, Any] | None:
    """The plan a village sheet holds (built on the stored plan, keeping what the sheet
    does not show), or None when the sheet holds no plan at all."""
    section = None
    seen = False
    industry = summary = None
    goals: list[dict[str, Any]] = []
    measures: list[str] = []
    milestones: list[dict[str, Any]] = []
    old_goals = [g for g in stored.get("goals") or [] if isinstance(g, dict)]
    old_ms = [m for m in stored.get("milestones") or [] if isinstance(m, dict)]
    used_goals: set[int] = set()
    used_ms: set[int] = set()
    for number, cells in rows:
        cells = cells + [None] * (4 - len(cells))
        first = _norm(cells[0]) if cells[0] is not None else ""
        if first in (INDUSTRY, SUMMARY):
            seen = True
            value = next((_text(c) for c in cells[1:] if _text(c) is not None), None)
            if first == INDUSTRY:
                industry = value
            else:
                summary = value
            section = None
            continue
        if first in GOAL_FIRST:
            section, seen = "goals", True
            continue
        if first in MEASURE_FIRST and all(_text(c) is None for c in cells[1:]):
            section, seen = "measures", True
            continue
        if first in MILESTONE_FIRST:
            section, seen = "milestones", True
            continue
        if section == "goals":
            goal = _goal(number, cells, indicators, log, old_goals, used_goals)
            if goal is not None:
                goals.append(goal)
        elif section == "measures":
            measure = _text(cells[0])
            if measure is not None:
                measures.append(measure)
        elif section == "milestones":
            ms = _milestone(number, cells, log, old_ms, used_ms)
            if ms is not None:
                milestones.append(ms)
    if not seen:
        log.add(0, "no_blocks", "xfer_pt_no_blocks")
        return None
    empty = not (industry or summary or goals or measures or milestones)
    if empty and not stored:
        return None
    if not industry:
        log.add(0, "no_industry", "xfer_pt_no_industry")
    plan = dict(stored)
    if industry != stored.get("leading_industry_zh"):
        plan["leading_industry_zh"] = industry
        plan["leading_industry_en"] = ""  # the English name was of the old industry
    if summary is not None or stored.get("summary_zh"):
        plan["summary_zh"] = summary or ""
    for key, items in (("goals", goals), ("measures_zh", measures), ("milestones", milestones)):
        if items or stored.get(key):
            plan[key] = items
    return plan


def _matching(old: list[dict[str, Any]], used: set[int], key: str, value: Any) -> dict[str, Any]:
    for i, item in enumerate(old):
        if i not in used and item.get(key) == value:
            used.add(i)
            return dict(item)
    return {}


def _goal(
    number: int,
    cells: list[Any],
    indicators: _Indicators,
    log: _SheetLog,
    old: list[dict[str, Any]],
    used: set[int],
) -> dict[str, Any] | None:
    year_cell, text_cell, indicator_cell, target_cell = cells[:4]
    goal_text = _text(text_cell)
    if all(_text(c) is None for c in (year_cell, text_cell, indicator_cell, target_cell)):
        return None
    problems = len(log.items)
    year = None
    if _text(year_cell) is None:
        log.add(number, "no_year", "xfer_pt_no_year", value=goal_text or "")
    else:
        year = parse_year(year_cell)
        if year is None:
            log.add(number, "bad_year", "xfer_pt_bad_year", value=_text(year_cell))
    if goal_text is None:
        log.add(number, "no_text", "xfer_pt_no_goal_text", value=_text(year_cell) or "")
    key = None
    if (written := _text(indicator_cell)) is not None:
        key = indicators.find(written)
        if key is None:
            near = _candidates(written, indicators.labels)
            log.add(
                number,
                "unknown_indicator",
                "xfer_pt_unknown_indicator",
                tuple(near.split("、")) if near != "—" else (),
                value=written,
                candidates=near,
            )
    target = None
    if _text(target_cell) is not None:
        target = _number(target_cell)
        if target is None:
            log.add(number, "bad_target", "xfer_pt_bad_target", value=_text(target_cell))
    if len(log.items) > problems:
        return None
    goal = _matching(old, used, "text_zh", goal_text)
    goal["year"] = year
    goal["text_zh"] = goal_text
    _put(goal, "indicator", key)
    _put(goal, "target", target)
    return goal


def _put(record: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``, or leave it out when blank and not there before."""
    if value is None and key not in record:
        return
    record[key] = value


def _milestone(
    number: int, cells: list[Any], log: _SheetLog, old: list[dict[str, Any]], used: set[int]
) -> dict[str, Any] | None:
    name_cell, due_cell, status_cell = cells[:3]
    if all(_text(c) is None for c in (name_cell, due_cell, status_cell)):
        return None
    problems = len(log.items)
    name = _text(name_cell)
    if name is None:
        log.add(number, "no_name", "xfer_pt_no_milestone_name", value=_text(due_cell) or "")
    due = None
    if _text(due_cell) is not None:
        due = parse_date(due_cell)
        if due is None:
            log.add(number, "bad_date", "xfer_pt_bad_date", value=_text(due_cell))
    status = parse_status(status_cell)
    if status is None:
        log.add(number, "bad_status", "xfer_pt_bad_status", value=_text(status_cell))
    if len(log.items) > problems:
        return None
    ms = _matching(old, used, "name_zh", name)
    if not ms:
        return {"name_zh": name, "due": due, "status": status, "done": None}
    _put(ms, "due", due)
    ms["status"] = status
    return ms


def _goal_line(goal: dict[str, Any]) -> str:
    parts = [str(goal.get("year") or ""), str(goal.get("text_zh") or "")]
    if goal.get("indicator"):
        parts.append(str(goal["indicator"]))
    if goal.get("target") is not None:
        parts.append(f"→ {goal['target']}")
    return " · ".join(p for p in parts if p)


def _ms_line(ms: dict[str, Any]) -> str:
    status = MILESTONE_STATUS_LABELS.get(str(ms.get("status")), (str(ms.get("status")),))[0]
    return " · ".join(str(p) for p in (ms.get("name_zh"), ms.get("due"), status) if p)


def _lines(items: list[str]) -> str:
    shown = "\n".join(items[:30])
    return shown + ("\n…" if len(items) > 30 else "")


def plan_differences(before: dict[str, Any] | None, after: dict[str, Any]) -> list[Difference]:
    """What changes from a stored plan to a new one, part by part (industry, summary,
    goals, measures, milestones); one "new plan" line when there was none."""
    parts = (
        ("industry", "xfer_pt_item_industry", lambda p: str(p.get("leading_industry_zh") or "")),
        ("summary", "xfer_pt_item_summary", lambda p: str(p.get("summary_zh") or "")),
        (
            "goals",
            "xfer_pt_item_goals",
            lambda p: _lines([_goal_line(g) for g in p.get("goals") or [] if isinstance(g, dict)]),
        ),
        ("measures", "xfer_pt_item_measures", lambda p: _lines(list(p.get("measures_zh") or []))),
        (
            "milestones",
            "xfer_pt_item_milestones",
            lambda p: _lines(
                [_ms_line(m) for m in p.get("milestones") or [] if isinstance(m, dict)]
            ),
        ),
    )
    old = before or {}
    out = []
    if before is None:
        out.append(Difference("new", *text("xfer_pt_item_new"), "", ""))
    elif old == after:
        return []
    for item, key, show in parts:
        a, b = show(old), show(after)
        if a != b:
            out.append(Difference(item, *text(key), a, b))
    if not out:  # a change the sheet does not show (e.g. the English industry name)
        out.append(Difference("other", *text("xfer_pt_item_other"), "", ""))
    return out


def _village_index(bundle: Bundle) -> NameIndex:
    return NameIndex.from_frame(bundle.villages, "code")


def _match(index: NameIndex, value: str) -> NameMatch:
    """A name, or "name(id)" as the templates write an ambiguous one."""
    written = candidate_id(value)
    if written != value and written in index.ids:
        return NameMatch(value, written, "id")
    return index.match(value)


def plan_plans(
    filename: str, data: bytes, bundle: Bundle, *, limits: Limits = DEFAULT_LIMITS
) -> PlansPlan:
    """Read a plans workbook (see :func:`plans_template_xlsx`) against ``bundle``.

    Rows may have been added, deleted or left blank; years and dates may be typed as text
    ("2025年", "2025年6月") or be Excel dates; statuses in Chinese (已完成, 进行中/推进中,
    未开始, 滞后) or English. A sheet whose name is no village, a second sheet of one
    village, an unknown indicator label, a bad year, target, date or status is a
    :class:`PlanProblem`; a village with any problem is not imported at all. Sheets left
    out of the workbook leave their village's plan as it is.

    Raises
    ------
    TransferError : the file is not a readable .xlsx workbook, or too large
    """
    book = _open_book(filename, data, limits)
    try:
        index = _village_index(bundle)
        # Plain Python, not pandas: pyarrow's allocator fails under the worker's limit.
        names = {str(r.code): str(r.name_zh) for r in bundle.villages.itertuples(index=False)}
        stored_plans = plain_doc(_plans(bundle))
        indicators = _Indicators(bundle)
        problems: list[PlanProblem] = []
        villages: list[VillagePlan] = []
        read_from: dict[str, str] = {}
        for ws in book.worksheets:
            sheet = str(ws.title)
            if _norm(sheet) == GUIDE_SHEET:
                continue
            log = _SheetLog(sheet)
            rows = _sheet_rows(ws, limits)
            if not rows:
                continue
            found = _match(index, sheet.strip())
            if found.id is None:
                labels = tuple(c.label() for c in found.candidates)
                key = (
                    "xfer_pt_ambiguous_village"
                    if found.how == "ambiguous"
                    else "xfer_pt_unknown_village"
                )
                log.add(0, found.how, key, labels, sheet=sheet, candidates="、".join(labels) or "—")
                problems.extend(log.items)
                continue
            code = found.id
            name = str(names.get(code, code))
            if code in read_from:
                log.add(
                    0,
                    "duplicate",
                    "xfer_pt_duplicate_village",
                    sheet=sheet,
                    other=read_from[code],
                    village=name,
                )
                problems.extend(log.items)
                continue
            read_from[code] = sheet
            raw = stored_plans.get(code)
            stored = raw if isinstance(raw, dict) else {}
            plan = _read_village(rows, stored, indicators, log)
            problems.extend(log.items)
            if log.items:
                villages.append(VillagePlan(code, name, sheet, None, (), len(log.items)))
                continue
            if plan is None:
                continue
            diffs = plan_differences(raw if isinstance(raw, dict) else None, plan)
            villages.append(VillagePlan(code, name, sheet, plan, tuple(diffs)))
        return PlansPlan(filename, tuple(villages), tuple(problems))
    finally:
        book.close()


# --- chains -----------------------------------------------------------------------------
def chains_template_xlsx(bundle: Bundle) -> bytes:
    """The chains table pre-filled with the current chains and stages: a title row, the
    header 产业链 | 主导产业 | 环节序号 | 环节 | 依托基地 (the site's name, or "name(id)"
    where two sites share it), one row per stage. Read back unchanged, it changes nothing."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "产业链"
    township = bundle.township["name_zh"].iloc[0] if not bundle.township.empty else ""
    ws["A1"] = f"{township}产业链环节表"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    _head(ws, 2, CHAIN_HEADERS)
    site_names = _site_labels(bundle)
    chains = bundle.chains.set_index("chain_id")
    stages = bundle.chain_stages.sort_values(["chain_id", "seq"])
    r = 2
    for chain_id, group in stages.groupby("chain_id", sort=False):
        chain = chains.loc[chain_id] if chain_id in chains.index else None
        for st in group.itertuples(index=False):
            r += 1
            ws.cell(row=r, column=1, value=chain["name_zh"] if chain is not None else chain_id)
            ws.cell(row=r, column=2, value=chain["industry_zh"] if chain is not None else None)
            ws.cell(row=r, column=3, value=int(st.seq))
            ws.cell(row=r, column=4, value=st.stage_zh)
            ws.cell(row=r, column=5, value=site_names.get(str(st.site_id), str(st.site_id)))
    for col, width in zip("ABCDE", (24, 16, 10, 20, 30), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _site_labels(bundle: Bundle) -> dict[str, str]:
    """Site id -> the name a table writes for it ("name(id)" when the name is shared)."""
    sites = bundle.sites
    counts = sites["name_zh"].value_counts()
    out = {}
    for row in sites.itertuples(index=False):
        name = row.name_zh if isinstance(row.name_zh, str) else str(row.site_id)
        out[str(row.site_id)] = f"{name}({row.site_id})" if counts.get(name, 0) > 1 else name
    return out


def _read_chain_table(filename: str, data: bytes, sheet: str | None, limits: Limits) -> Table:
    if len(data) > limits.max_upload_bytes:
        raise UploadRefused(
            "xfer_upload_too_large",
            name=filename,
            size_mb=round(len(data) / 2**20, 1),
            limit_mb=round(limits.max_upload_bytes / 2**20),
        )
    fmt = sniff(filename, data[:8192], len(data))
    if fmt == "xlsx":
        zf, _members = open_zip(data, filename, limits)
        with zf:
            vet_xlsx(data, filename, zf)
        return read_xlsx(data, filename, sheet, limits)
    if fmt == "csv":
        return read_csv(data, filename, limits)
    raise UnsupportedFormat("xfer_unknown_format", name=filename, ext=fmt)


def _chain_columns(table: Table, filename: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in table.columns:
        key = norm_header(column)
        for role, aliases in CHAIN_COLUMNS.items():
            if role not in found and key in {norm_header(a) for a in aliases}:
                found[role] = column
                break
    missing = [CHAIN_COLUMNS[r][0] for r in CHAIN_REQUIRED if r not in found]
    if missing:
        raise UnreadableFile(
            "xfer_ct_missing_columns",
            name=filename,
            missing="、".join(missing),
            columns="、".join(str(c) for c in table.columns[:30]),
        )
    return found


def plan_chains(
    filename: str,
    data: bytes,
    bundle: Bundle,
    *,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ChainsPlan:
    """Read an office table of chains and their stages (.xlsx sheet or .csv) against
    ``bundle``.

    Columns (title rows above and two-row merged headers are fine): 产业链, 主导产业,
    环节序号 (blank: the rows' order), 环节, 依托基地 (a site's name). A chain name left
    blank under a merged cell continues the chain above. A chain matching an existing one
    by name keeps its id; a new one gets the next id (C04 after C03). Site names are
    matched after normalising; an unknown or ambiguous one is a problem listing the
    candidates, and a chain with any problem is left out whole.

    Raises
    ------
    TransferError : unreadable, no header, or a required column missing
    """
    table = _read_chain_table(filename, data, sheet, limits)
    columns = _chain_columns(table, filename)
    if not table.records:
        raise UnreadableFile("xfer_ct_empty", name=filename)
    sheet_name = filename if sheet is None else f"{filename} › {sheet}"
    log = _SheetLog(sheet_name)
    sites = NameIndex.from_frame(bundle.sites, "site_id")
    chain_index = NameIndex.from_frame(bundle.chains, "chain_id")
    # Plain dicts, not pandas lookups: the worker's memory limit does not suit pyarrow's.
    existing = {str(r.chain_id): r._asdict() for r in bundle.chains.itertuples(index=False)}
    groups: dict[str, dict[str, Any]] = {}
    last_chain = last_industry = None
    for record, row in zip(table.records, table.row_numbers, strict=True):
        cells = {role: record.get(col) for role, col in columns.items()}
        if all(_text(v) is None for v in cells.values()):
            continue
        chain_name = _text(cells.get("chain"))
        industry = _text(cells.get("industry"))
        if chain_name is None:
            chain_name = last_chain  # a merged cell above
            industry = industry or last_industry
        elif chain_name != last_chain:
            last_industry = None
        if chain_name is None:
            log.add(row, "no_chain", "xfer_ct_no_chain")
            continue
        last_chain = chain_name
        last_industry = industry or last_industry
        group = groups.setdefault(
            chain_name, {"industry": None, "stages": [], "rows": [], "problems": 0}
        )
        group["rows"].append(row)
        group["industry"] = group["industry"] or industry
        before = len(log.items)
        stage = _stage(row, cells, len(group["stages"]) + 1, sites, log)
        group["problems"] += len(log.items) - before
        if stage is not None:
            group["stages"].append(stage)
    allocator = IdAllocator("chains", [(i, None) for i in existing], ())
    chains: list[ChainPlan] = []
    skipped: list[str] = []
    found_by_name = {name: _match(chain_index, name) for name in groups}
    written: dict[str, list[str]] = {}  # existing chain id -> the names it was written as
    for name, found in found_by_name.items():
        if found.id is not None:
            written.setdefault(found.id, []).append(name)
    for chain_name, group in groups.items():
        before = len(log.items)
        first = group["rows"][0]
        found = found_by_name[chain_name]
        if found.how == "ambiguous":
            labels = tuple(c.label() for c in found.candidates)
            log.add(
                first,
                "ambiguous",
                "xfer_ct_ambiguous_chain",
                labels,
                value=chain_name,
                candidates="、".join(labels),
                example=labels[0] if labels else chain_name,
            )
        others = [n for n in written.get(str(found.id), []) if n != chain_name]
        if others:  # one chain under two names: neither is imported
            log.add(
                first,
                "duplicate_chain",
                "xfer_ct_duplicate_chain",
                value=chain_name,
                other="、".join(others),
            )
        seqs: dict[int, int] = {}
        for stage in group["stages"]:
            if stage.seq in seqs:
                log.add(
                    stage.row,
                    "duplicate_seq",
                    "xfer_ct_duplicate_seq",
                    chain=chain_name,
                    value=stage.seq,
                )
            seqs[stage.seq] = stage.row
        industry = group["industry"]
        if industry is None and found.id is not None:
            industry = str(existing[found.id]["industry_zh"])
        if industry is None:
            log.add(first, "no_industry", "xfer_ct_no_industry", value=chain_name)
        if group["problems"] or len(log.items) > before:
            skipped.append(chain_name)
            continue
        new = found.id is None
        chain_id = allocator.new() if new else str(found.id)
        # Written as an id ("C01", "肉牛全产业链(C01)"): the chain keeps its name.
        name_zh = str(existing[chain_id]["name_zh"]) if found.how == "id" else chain_name
        chains.append(
            ChainPlan(
                chain_id,
                name_zh,
                str(industry),
                new,
                tuple(sorted(group["stages"], key=lambda s: s.seq)),
                tuple(group["rows"]),
            )
        )
    return ChainsPlan(sheet_name, tuple(chains), tuple(log.items), tuple(skipped))


def _stage(
    row: int, cells: dict[str, Any], position: int, sites: NameIndex, log: _SheetLog
) -> StagePlan | None:
    problems = len(log.items)
    stage_zh = _text(cells.get("stage"))
    if stage_zh is None:
        log.add(row, "no_stage", "xfer_ct_no_stage")
    seq = position
    if _text(cells.get("seq")) is not None:
        number = _number(cells.get("seq"))
        if not isinstance(number, int) or not 1 <= number <= 100:
            log.add(row, "bad_seq", "xfer_ct_bad_seq", value=_text(cells.get("seq")))
        else:
            seq = number
    written = _text(cells.get("site"))
    site_id = None
    if written is None:
        log.add(row, "no_site", "xfer_ct_no_site", value=stage_zh or "")
    else:
        found = _match(sites, written)
        labels = tuple(c.label() for c in found.candidates)
        if found.how == "ambiguous":
            log.add(
                row,
                "name_ambiguous",
                "xfer_ct_ambiguous_site",
                labels,
                value=written,
                candidates="、".join(labels),
                example=labels[0] if labels else written,
            )
        elif found.id is None:
            log.add(
                row,
                "link",
                "xfer_ct_unknown_site",
                labels,
                value=written,
                candidates="、".join(labels) or "—",
            )
        site_id = found.id
    if len(log.items) > problems or stage_zh is None or site_id is None:
        return None
    return StagePlan(seq, stage_zh, site_id, written or "", row)


__all__ = [
    "XLSX_MIME",
    "ChainPlan",
    "ChainsPlan",
    "Difference",
    "PlanProblem",
    "PlansPlan",
    "StagePlan",
    "VillagePlan",
    "chains_template_xlsx",
    "parse_date",
    "parse_status",
    "parse_year",
    "plan_chains",
    "plan_differences",
    "plan_plans",
    "plans_template_xlsx",
    "village_sheet_names",
]
