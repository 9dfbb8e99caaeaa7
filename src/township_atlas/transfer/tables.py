"""Tables with coordinates: CSV (UTF-8 with or without BOM, GBK, UTF-16), XLSX and XLS sheets.

Rows come back as dicts keyed by the header, with the row number a planner sees in Excel
(the header is row 1). XLSX is read with openpyxl in read-only mode with cached values:
formulas are never evaluated, and openpyxl parses the workbook's XML with defusedxml.
XLS (Excel 97–2003) is vetted by :mod:`.xls_read` and read with calamine into the same
rows, so both go the same office-table way (title rows, merged headers, 合计 rows).
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException

from township_atlas.transfer.aliases import FIELD_ALIASES
from township_atlas.transfer.encodings import EncodingChoice, decode_text
from township_atlas.transfer.errors import UnreadableFile, UploadRefused
from township_atlas.transfer.limits import Limits
from township_atlas.transfer.messages import Note
from township_atlas.transfer.office_tables import (
    Merge,
    TotalCheck,
    find_header,
    header_names,
    second_header_row,
    sheet_merges,
    split_totals,
)
from township_atlas.transfer.units import header_unit
from township_atlas.transfer.xls_read import open_xls, sheet_rows, vet_xls
from township_atlas.transfer.xmlsafe import check_xml_prolog

# WKT of a large polygon easily exceeds csv's default 128 KB field limit; raise it (the
# upload-size limit still bounds everything).
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """Rows of a CSV file or sheet, keyed by header; ``row_numbers`` as the planner sees them.

    ``notes`` say how an office table was read (title rows skipped, a two-row header
    joined, 合计 rows left out and checked); ``total_checks`` are the 合计 rows' sums per
    numeric column; ``header_rows`` the row numbers of the header.
    """

    columns: list[str]
    records: list[dict[str, Any]]
    row_numbers: list[int]
    encoding: EncodingChoice | None = None
    notes: list[Note] = field(default_factory=list)
    total_checks: list[TotalCheck] = field(default_factory=list)
    header_rows: tuple[int, ...] = ()


def _headers(raw: list[Any]) -> list[str]:
    names: list[str] = []
    for index, cell in enumerate(raw, start=1):
        name = "" if cell is None else str(cell).strip()
        name = name or f"column_{index}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _cell_text(value: Any) -> Any:
    """Cells as Python values; dates as ISO text; our own CSV's formula guard undone."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, str):
        # exports.csv_bytes writes "'=..." for text starting like a formula; restore it.
        if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS):
            return value[1:]
        return value
    return value


def _rows_to_table(
    rows: list[tuple[int, list[Any]]], limits: Limits, name: str, merges: list[Merge] | None = None
) -> Table:
    """The header (under any title rows, joined when it takes two rows), then data rows
    without 合计/小计 rows; fully empty rows are skipped. See :mod:`.office_tables`."""
    rows = [(n, r) for n, r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise UnreadableFile("xfer_table_empty", name=name)
    merges = merges or []
    start = find_header(rows, name)
    notes = [
        Note.of("xfer_office_title_skipped", title=_short(" ".join(str(c) for c in r if c)))
        for _, r in rows[:start]
    ]
    below = rows[start + 1] if start + 1 < len(rows) else None
    header_rows: tuple[int, ...] = (rows[start][0],)
    if below is not None and second_header_row(rows[start], below, merges):
        columns = _headers(header_names(rows[start], below, merges))
        header_rows = (rows[start][0], below[0])
        notes.append(Note.of("xfer_office_two_rows", columns=_short("、".join(columns))))
        start += 1
    else:
        columns = _headers(rows[start][1])
    if len(rows) - 1 - start > limits.max_features:
        raise UploadRefused("xfer_too_many_features", name=name, limit=limits.max_features)
    records = []
    numbers = []
    width = len(columns)
    for number, row in rows[start + 1 :]:
        cells = [_cell_text(c) for c in row[:width]] + [None] * (width - len(row))
        records.append(dict(zip(columns, cells, strict=True)))
        numbers.append(number)
    records, numbers, totals, checks = split_totals(columns, records, numbers)
    for row, label in totals:
        notes.append(Note.of("xfer_office_total_left_out", row=row, label=_short(label)))
    agreeing = [c for c in checks if c.agrees]
    for row, label in totals:
        shown = [c.column for c in agreeing if c.row == row]
        if shown:
            notes.append(
                Note.of("xfer_office_total_agrees", row=row, label=label, columns="、".join(shown))
            )
    table = Table(columns, records, numbers, notes=notes, total_checks=checks)
    table.header_rows = header_rows
    return table


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


class _CellCount:
    """Refuses a table once rows × widest row exceeds ``limits.max_cells`` (checked row by
    row while reading, so memory stays bounded by the limit)."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limit = limits.max_cells
        self.width = 0

    def add(self, rows: int, width: int) -> None:
        self.width = max(self.width, width)
        if rows * self.width > self.limit:
            raise too_many_cells(self.name, rows, self.width, self.limit)


def too_many_cells(name: str, rows: int, columns: int, limit: int) -> UploadRefused:
    return UploadRefused(
        "xfer_too_many_cells",
        name=name,
        rows=f"{rows:,}",
        columns=columns,
        cells=f"{rows * columns:,}",
        limit=f"{limit:,}",
    )


def read_csv(data: bytes, name: str, limits: Limits, encoding: str | None = None) -> Table:
    """Read a delimited text file (comma, semicolon, tab or |, sniffed from the start)."""
    text, choice = decode_text(data, name, encoding)
    text = text.lstrip("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:16384], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[Any]]] = []
    cells = _CellCount(name, limits)
    try:
        for row in reader:
            rows.append((reader.line_num, row))
            cells.add(len(rows), len(row))
            if len(rows) > limits.max_features + 1:
                raise UploadRefused("xfer_too_many_features", name=name, limit=limits.max_features)
    except csv.Error as exc:
        raise UnreadableFile(
            "xfer_csv_malformed", name=name, line=reader.line_num, detail=str(exc)
        ) from exc
    table = _rows_to_table(rows, limits, name)
    table.encoding = choice
    return table


def vet_xlsx(data: bytes, name: str, zf: zipfile.ZipFile) -> None:
    """Refuse an xlsx whose XML parts declare DTDs/entities or that lacks a workbook."""
    names = {i.filename for i in zf.infolist()}
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("xfer_xlsx_damaged", name=name, detail="xl/workbook.xml missing")
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels")):
            with zf.open(info) as fh:
                check_xml_prolog(fh.read(65536), f"{name}:{info.filename}")


def _open_workbook(data: bytes, name: str) -> Any:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException as exc:  # a DTD or entity in a part (any encoding)
        raise UploadRefused("xfer_xml_dtd", name=name) from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise UnreadableFile("xfer_xlsx_damaged", name=name, detail=str(exc)[:200]) from exc


@dataclass(frozen=True)
class SheetSummary:
    """A worksheet as listed for the planner to choose from.

    ``rows`` are the rows below the header (None if unknown); ``header`` tells whether a
    header row was found; ``recognised`` counts its column names we know (名称, 经度 …).
    """

    title: str
    rows: int | None
    header: bool
    recognised: int


SURVEY_ROWS = 40


def xlsx_sheets(data: bytes, name: str, limits: Limits | None = None) -> list[SheetSummary]:
    """Every worksheet that is not empty, with what its first rows look like; a sheet whose
    declared size is above ``limits.max_cells`` is refused before it is read.

    Only the first 40 rows of each sheet are read (the rows below the header are counted
    from the sheet's declared size when it has one, else by reading the sheet).
    """
    book = _open_workbook(data, name)
    try:
        out = []
        for sheet in book.worksheets:
            rows = sheet.max_row if isinstance(sheet.max_row, int) else None
            width = sheet.max_column if isinstance(sheet.max_column, int) else None
            if limits is not None and rows and width and rows * width > limits.max_cells:
                raise too_many_cells(f"{name} › {sheet.title}", rows, width, limits.max_cells)
            out.append(_survey(sheet, rows, limits))
        return [s for s in out if s is not None]
    finally:
        book.close()


def _survey(sheet: Any, declared: int | None, limits: Limits | None) -> SheetSummary | None:
    return _survey_rows(sheet.title, sheet.iter_rows(values_only=True), declared, limits)


def _survey_rows(
    title: str, sheet_rows: Iterable[Sequence[Any]], declared: int | None, limits: Limits | None
) -> SheetSummary | None:
    first: list[tuple[int, list[Any]]] = []
    count = 0
    for number, row in enumerate(sheet_rows, start=1):
        if any(c not in (None, "") for c in row):
            count += 1
            if len(first) < SURVEY_ROWS:
                first.append((number, list(row[:200])))
            elif declared:
                break
        if limits is not None and number > limits.max_features + 50:
            break
    if not first:
        return None
    try:
        start = find_header(first, title)
    except UnreadableFile:
        return SheetSummary(title, max((declared or count) - 1, 0), False, 0)
    if start + 1 < len(first) and second_header_row(first[start], first[start + 1], []):
        start += 1  # a two-row header (merged cells read as blanks)
    below = max(declared - first[start][0], 0) if declared else max(count - start - 1, 0)
    known = sum(1 for c in first[start][1] if isinstance(c, str) and _known(c))
    return SheetSummary(title, below, True, known)


@functools.cache
def _alias_keys() -> frozenset[str]:
    return frozenset(norm_header(a) for aliases in FIELD_ALIASES.values() for a in aliases)


def _known(name: str) -> bool:
    key = norm_header(name)
    return key in _alias_keys() or any(w in key for w in ("经度", "纬度", "lon", "lat", "wkt"))


def likely_data_sheet(sheets: list[SheetSummary]) -> SheetSummary | None:
    """The sheet that looks like the data: a header with names we know, then most rows."""
    found = [s for s in sheets if s.header and s.recognised]
    if not found:
        return None
    return max(found, key=lambda s: (s.rows or 0, s.recognised))


def read_xlsx(data: bytes, name: str, sheet: str | None, limits: Limits) -> Table:
    """Read one worksheet (the first if ``sheet`` is None); merged cells of its first rows
    are read from the sheet's XML to join a two-row header."""
    book = _open_workbook(data, name)
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise UnreadableFile("xfer_layer_unknown", name=name, layer=sheet)
        rows: list[tuple[int, list[Any]]] = []
        cells = _CellCount(f"{name} › {ws.title}", limits)
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((number, list(row)))
            cells.add(len(rows), len(row))
            if len(rows) > limits.max_features + 50:
                raise UploadRefused("xfer_too_many_features", name=name, limit=limits.max_features)
        merges: list[Merge] = []
        path = getattr(ws, "_worksheet_path", None)
        if isinstance(path, str):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                merges = sheet_merges(zf, path, MERGE_ROWS)
        return _rows_to_table(rows, limits, f"{name} › {ws.title}", merges)
    except DefusedXmlException as exc:
        raise UploadRefused("xfer_xml_dtd", name=name) from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("xfer_xlsx_damaged", name=name, detail=str(exc)[:200]) from exc
    finally:
        book.close()


# Merged cells are looked for in the first rows only (where a header can be).
MERGE_ROWS = 200


def xls_sheets(data: bytes, name: str, limits: Limits) -> list[SheetSummary]:
    """Every worksheet of an .xls that is not empty, as :func:`xlsx_sheets` lists them;
    vetted first (:func:`.xls_read.vet_xls`: encrypted, not a workbook, too many cells)."""
    extents = vet_xls(data, name, limits)
    book = open_xls(data, name)
    try:
        out = []
        for extent in extents:
            if not extent.rows:
                continue
            rows, _ = sheet_rows(book, extent.name, name)
            out.append(_survey_rows(extent.name, rows, extent.rows, limits))
        return [s for s in out if s is not None]
    finally:
        book.close()


def read_xls(data: bytes, name: str, sheet: str | None, limits: Limits) -> Table:
    """Read one worksheet of an .xls (the first if ``sheet`` is None) the way
    :func:`read_xlsx` reads one of an .xlsx, merged cells included."""
    extents = vet_xls(data, name, limits)
    titles = [e.name for e in extents]
    if not titles:
        raise UnreadableFile("xfer_table_empty", name=name)
    title = titles[0] if sheet is None else sheet
    if title not in titles:
        raise UnreadableFile("xfer_layer_unknown", name=name, layer=title)
    book = open_xls(data, name)
    try:
        cells, merges = sheet_rows(book, title, name)
    finally:
        book.close()
    label = f"{name} › {title}"
    if len(cells) > limits.max_features + 50:
        raise UploadRefused("xfer_too_many_features", name=name, limit=limits.max_features)
    rows = list(enumerate(cells, start=1))
    merges = [m for m in merges if m[0] <= MERGE_ROWS]
    return _rows_to_table(rows, limits, label, merges)


@functools.lru_cache(maxsize=4096)
def norm_header(name: str) -> str:
    """A header reduced for matching: NFKC, lower case, no spaces/underscores/brackets/units
    ("面积(亩)", "产值/元", "产值万元" -> "面积", "产值", "产值")."""
    text = header_unit(unicodedata.normalize("NFKC", str(name)).strip())[0].lower()
    text = re.sub(r"[(\[（【].*?[)\]）】]", "", text)  # "面积(亩)" -> "面积"
    return re.sub(r"[\s_\-./:：·]", "", text)
