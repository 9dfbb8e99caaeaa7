"""Tables with coordinates: CSV (UTF-8 with or without BOM, GBK, UTF-16) and XLSX sheets.

Rows come back as dicts keyed by the header, with the row number a planner sees in Excel
(the header is row 1). XLSX is read with openpyxl in read-only mode with cached values:
formulas are never evaluated, and openpyxl parses the workbook's XML with defusedxml.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException

from township_atlas.transfer.encodings import EncodingChoice, decode_text
from township_atlas.transfer.errors import UnreadableFile, UploadRefused
from township_atlas.transfer.limits import Limits
from township_atlas.transfer.xmlsafe import check_xml_prolog

# WKT of a large polygon easily exceeds csv's default 128 KB field limit; raise it (the
# upload-size limit still bounds everything).
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """Rows of a CSV file or sheet, keyed by header; ``row_numbers`` as the planner sees them."""

    columns: list[str]
    records: list[dict[str, Any]]
    row_numbers: list[int]
    encoding: EncodingChoice | None = None


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


def _header_index(rows: list[tuple[int, list[Any]]]) -> int:
    """The header row: the first with two or more filled cells (a title row above a table,
    with a single cell, is skipped), else the first."""
    for index, (_, row) in enumerate(rows[:20]):
        if sum(c not in (None, "") for c in row) >= 2:
            return index
    return 0


def _rows_to_table(rows: list[tuple[int, list[Any]]], limits: Limits, name: str) -> Table:
    """Header row (see :func:`_header_index`), then data rows; fully empty rows are skipped."""
    rows = [(n, r) for n, r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise UnreadableFile("xfer_table_empty", name=name)
    start = _header_index(rows)
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
    return Table(columns, records, numbers)


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


def xlsx_sheets(
    data: bytes, name: str, limits: Limits | None = None
) -> list[tuple[str, int | None]]:
    """(sheet name, rows below the header if known) of every worksheet; a sheet whose
    declared size is above ``limits.max_cells`` is refused before it is read."""
    book = _open_workbook(data, name)
    try:
        out = []
        for sheet in book.worksheets:
            rows = sheet.max_row if isinstance(sheet.max_row, int) else None
            width = sheet.max_column if isinstance(sheet.max_column, int) else None
            if limits is not None and rows and width and rows * width > limits.max_cells:
                raise too_many_cells(f"{name} › {sheet.title}", rows, width, limits.max_cells)
            out.append((sheet.title, max(rows - 1, 0) if rows else None))
        return out
    finally:
        book.close()


def read_xlsx(data: bytes, name: str, sheet: str | None, limits: Limits) -> Table:
    """Read one worksheet (the first if ``sheet`` is None)."""
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
        return _rows_to_table(rows, limits, f"{name} › {ws.title}")
    except DefusedXmlException as exc:
        raise UploadRefused("xfer_xml_dtd", name=name) from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("xfer_xlsx_damaged", name=name, detail=str(exc)[:200]) from exc
    finally:
        book.close()


@functools.lru_cache(maxsize=4096)
def norm_header(name: str) -> str:
    """A header reduced for matching: NFKC, lower case, no spaces/underscores/brackets/units."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = re.sub(r"[(\[（【].*?[)\]）】]", "", text)  # "面积(亩)" -> "面积"
    return re.sub(r"[\s_\-./:：·]", "", text)
