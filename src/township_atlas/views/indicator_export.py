"""Indicator tables for download: Excel (xlsx, via openpyxl) and CSV, headers in the
reader's language (Chinese by default).

CSV is UTF-8 with a byte-order mark, which is what makes Excel on Windows open Chinese
text correctly. Cells come from user data, so nothing is ever written as a formula: in
xlsx every text cell is stored as text, and in CSV a text cell that Excel would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from township_atlas.model.bundle import Bundle
from township_atlas.text.labels import tr
from township_atlas.text.numbers import is_blank, unit_label, with_unit_header
from township_atlas.views.indicators import (
    catalogue,
    township_totals,
    village_codes,
    wide,
    year_table,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
HEADER_FILL = "F6F3EE"


def _cell(value: object) -> object:
    """A plain Python value for a cell: None for missing, int/float/str otherwise."""
    if is_blank(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV: UTF-8 with BOM, header row, no index; missing cells empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            value = _cell(value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                value = "'" + value
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def sheet_title(name: str) -> str:
    """A valid Excel sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return (str(name).translate(_SHEET_FORBIDDEN).strip("'") or "Sheet")[:31]


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    # CJK characters are about two Latin characters wide in Excel's default font.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An xlsx workbook with one sheet per frame: bold header, frozen, columns sized.

    Numbers stay numbers (so Excel can sum them); text is always stored as text.
    """
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(sheet_title(name))
        widths = [_width(c) for c in frame.columns]
        for col, header in enumerate(frame.columns, start=1):
            cell = sheet.cell(row=1, column=col, value=str(header))
            cell.data_type = TYPE_STRING
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for col, value in enumerate(row, start=1):
                value = _cell(value)
                cell = sheet.cell(row=r, column=col)
                if isinstance(value, str):
                    cell.value = value
                    cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
                else:
                    cell.value = value
                widths[col - 1] = max(widths[col - 1], _width(value))
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 40)
        sheet.freeze_panes = "C2" if frame.shape[1] > 2 else "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _village_names(bundle: Bundle, lang: str) -> list[str]:
    return [bundle.village_name(code, lang) for code in village_codes(bundle)]


def indicator_sheet(bundle: Bundle, year: int, lang: str = "zh") -> pd.DataFrame:
    """Villages × indicators of one year as plain numbers, headers "指标(单位)"."""
    cat = catalogue(bundle)
    values = wide(bundle, year)
    frame = pd.DataFrame(
        {
            tr("export_village_code", lang): village_codes(bundle),
            tr("village", lang): _village_names(bundle, lang),
        }
    )
    for key in values.columns:
        ind = cat[key]
        header = with_unit_header(ind.label(lang), unit_label(ind.unit_zh, ind.unit_en, lang))
        frame[header] = values[key].astype("float64").to_numpy()
    return frame


def totals_sheet(bundle: Bundle, year: int, lang: str = "zh") -> pd.DataFrame:
    """The township totals of one year, one row per indicator."""
    cat = catalogue(bundle)
    totals = township_totals(bundle, year)
    return pd.DataFrame(
        {
            tr("indicator", lang): [cat[k].label(lang) for k in totals["indicator"]],
            tr("unit", lang): [cat[k].unit(lang) for k in totals["indicator"]],
            tr("aggregate", lang): [tr(f"aggregate_{a}", lang) for a in totals["aggregate"]],
            tr("township_total", lang): totals["value"].to_numpy(),
            tr("target", lang): totals["target"].to_numpy(),
            tr("status", lang): [_status_text(s, lang) for s in totals["status"]],
            tr("change_from_previous", lang): totals["change"].to_numpy(),
            tr("reporting_villages", lang): totals["villages"].to_numpy(),
        }
    )


def detail_sheet(bundle: Bundle, year: int, lang: str = "zh") -> pd.DataFrame:
    """One row per village and indicator: value, target, change, status."""
    cat = catalogue(bundle)
    table = year_table(bundle, year)
    return pd.DataFrame(
        {
            tr("export_village_code", lang): table["place_code"].to_numpy(),
            tr("village", lang): [bundle.village_name(c, lang) for c in table["place_code"]],
            tr("indicator", lang): [cat[k].label(lang) for k in table["indicator"]],
            tr("unit", lang): [cat[k].unit(lang) for k in table["indicator"]],
            tr("value", lang): table["value"].to_numpy(),
            tr("target", lang): table["target"].to_numpy(),
            tr("change_from_previous", lang): table["change"].to_numpy(),
            tr("status", lang): [_status_text(s, lang) for s in table["status"]],
        }
    )


def _status_text(value: object, lang: str) -> str:
    return "" if is_blank(value) else tr(f"status_{value}", lang)


def indicator_workbook(bundle: Bundle, year: int, lang: str = "zh") -> bytes:
    """The xlsx download of the indicators page: values, township totals, detail."""
    return xlsx_bytes(
        {
            tr("sheet_values", lang).format(year=year): indicator_sheet(bundle, year, lang),
            tr("sheet_totals", lang).format(year=year): totals_sheet(bundle, year, lang),
            tr("sheet_detail", lang).format(year=year): detail_sheet(bundle, year, lang),
        }
    )
