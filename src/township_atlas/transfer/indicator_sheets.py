"""The sheets of an indicator upload as office tables, with what their titles say.

An annual statistics workbook may hold one sheet per year ("2024年", "2025年"), a 目标
sheet and a 说明 sheet; a CSV file is one sheet. Each sheet is read with
:mod:`.tables` (header under title rows, a two-row merged header joined, 合计/小计 rows
left out and checked) and comes back as a :class:`Sheet` with its title rows' text, so
the year written in "某乡2025年统计表" can be found.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException

from township_atlas.transfer.encodings import decode_text
from township_atlas.transfer.errors import UnreadableFile, UploadRefused
from township_atlas.transfer.limits import Limits
from township_atlas.transfer.office_tables import Merge, find_header, sheet_merges
from township_atlas.transfer.tables import (
    MERGE_ROWS,
    Table,
    _CellCount,
    _open_workbook,
    _rows_to_table,
    vet_xlsx,
)

#: Sheets that explain the workbook rather than hold figures (compared after NFKC, lower case).
NOTE_SHEETS = ("说明", "填报说明", "readme", "instructions", "notes", "注意事项")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass
class Sheet:
    """One sheet read as a table.

    Attributes
    ----------
    name : the sheet's name (the file name for a CSV file)
    table : the rows below the header, keyed by column
    titles : the text of the title rows above the header, top first
    """

    name: str
    table: Table
    titles: list[str]

    @property
    def is_target_sheet(self) -> bool:
        """A sheet of targets (named 目标, 2026年目标, 目标值 ...)."""
        text = unicodedata.normalize("NFKC", self.name).lower()
        return "目标" in text or "target" in text


def year_in(text: str) -> int | None:
    """The one year (1900-2099) written in ``text``; None when there is none or several."""
    found = {int(y) for y in _YEAR.findall(unicodedata.normalize("NFKC", str(text)))}
    return found.pop() if len(found) == 1 else None


def is_note_sheet(name: str) -> bool:
    text = unicodedata.normalize("NFKC", name).strip().lower()
    return any(word in text for word in NOTE_SHEETS)


def _titles(rows: list[tuple[int, list[Any]]], name: str) -> list[str]:
    filled = [(n, r) for n, r in rows if any(c not in (None, "") for c in r)]
    if not filled:
        return []
    try:
        start = find_header(filled, name)
    except UnreadableFile:
        return []
    return [" ".join(str(c) for c in r if c not in (None, "")) for _, r in filled[:start]]


def _csv_rows(data: bytes, name: str, limits: Limits) -> list[tuple[int, list[Any]]]:
    text, _choice = decode_text(data, name)
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
            rows.append((reader.line_num, list(row)))
            cells.add(len(rows), len(row))
            if len(rows) > limits.max_features + 50:
                raise UploadRefused("xfer_too_many_features", name=name, limit=limits.max_features)
    except csv.Error as exc:
        raise UnreadableFile(
            "xfer_csv_malformed", name=name, line=reader.line_num, detail=str(exc)
        ) from exc
    return rows


def _is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_sheets(data: bytes, name: str, limits: Limits, sheet: str | None = None) -> list[Sheet]:
    """Every sheet of an XLSX workbook (or the one named ``sheet``), or the CSV file, read
    as an office table; 说明 sheets and empty sheets are left out.

    Raises
    ------
    UnreadableFile : a damaged workbook, an unknown ``sheet``, or no sheet with a header
    UploadRefused : too many rows or cells, or XML with a DTD
    """
    if not data:
        raise UnreadableFile("xfer_empty_file", name=name)
    if not _is_xlsx(data):
        rows = _csv_rows(data, name, limits)
        if not any(any(c not in (None, "") for c in r) for _, r in rows):
            raise UnreadableFile("xfer_table_empty", name=name)
        return [Sheet(name, _rows_to_table(rows, limits, name), _titles(rows, name))]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            vet_xlsx(data, name, zf)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("xfer_xlsx_damaged", name=name, detail=str(exc)[:200]) from exc
    book = _open_workbook(data, name)
    out: list[Sheet] = []
    skipped: list[UnreadableFile] = []
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UnreadableFile("xfer_layer_unknown", name=name, layer=sheet)
        for ws in book.worksheets:
            if (sheet is not None and ws.title != sheet) or (
                sheet is None and is_note_sheet(ws.title)
            ):
                continue
            label = f"{name} › {ws.title}"
            rows: list[tuple[int, list[Any]]] = []
            cells = _CellCount(label, limits)
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                rows.append((number, list(row)))
                cells.add(len(rows), len(row))
                if len(rows) > limits.max_features + 50:
                    raise UploadRefused(
                        "xfer_too_many_features", name=name, limit=limits.max_features
                    )
            if not any(any(c not in (None, "") for c in r) for _, r in rows):
                continue
            merges: list[Merge] = []
            path = getattr(ws, "_worksheet_path", None)
            if isinstance(path, str):
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    merges = sheet_merges(zf, path, MERGE_ROWS)
            try:
                table = _rows_to_table(rows, limits, label, merges)
            except UnreadableFile as exc:
                if sheet is not None:
                    raise
                skipped.append(exc)
                continue
            out.append(Sheet(ws.title, table, _titles(rows, label)))
    except DefusedXmlException as exc:
        raise UploadRefused("xfer_xml_dtd", name=name) from exc
    except (KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("xfer_xlsx_damaged", name=name, detail=str(exc)[:200]) from exc
    finally:
        book.close()
    if not out:
        if skipped:
            raise skipped[0]
        raise UnreadableFile("xfer_table_empty", name=name)
    return out
