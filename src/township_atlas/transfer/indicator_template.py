"""An Excel template for next year's indicator figures, made to be read back by
:func:`~.indicator_tables.plan_indicators` unchanged.

One sheet "指标填报 {year}": a title row naming the township and the year, then a header
of 村代码, 村名 and, per catalogue indicator, "指标(单位)" and "指标目标(单位)"; one row per
village (code and name) and one for the township itself; the target columns pre-filled
with the targets the data already holds for that year. A 说明 sheet says how to fill it.
Read back unchanged, it changes nothing; filled, it gives exactly the typed figures.
"""

from __future__ import annotations

import datetime
import io
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from township_atlas.text.labels import tr
from township_atlas.views.indicator_export import HEADER_FILL, sheet_title
from township_atlas.views.indicators import (
    catalogue,
    latest_year,
    records,
    township_code,
    village_codes,
)

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

TEMPLATE_SHEET = "指标填报 {year}"
NOTES_SHEET = "说明"
TARGET_FILL = "EEF4EA"


def template_headers(label: str, unit: str) -> tuple[str, str]:
    """The value and target headers of one indicator: "村集体经济收入(万元)" and
    "村集体经济收入目标(万元)" (no brackets for an indicator without a unit)."""
    suffix = f"({unit})" if unit else ""
    return f"{label}{suffix}", f"{label}目标{suffix}"


def template_year(bundle: Bundle, today: datetime.date | None = None) -> int:
    """The year a template is for: the one after the latest with village figures, or
    this year when there are none yet."""
    latest = latest_year(bundle)
    return latest + 1 if latest is not None else (today or datetime.date.today()).year


def _targets(bundle: Bundle, year: int) -> dict[tuple[str, str], float]:
    rec = records(bundle)
    rec = rec[(rec["year"] == year) & rec["target"].notna()]
    return {
        (str(p), str(k)): float(t)
        for p, k, t in zip(rec["place_code"], rec["indicator"], rec["target"], strict=True)
    }


def indicator_template_xlsx(bundle: Bundle, year: int) -> bytes:
    """The template for ``year``'s figures as xlsx bytes (see the module docstring)."""
    cat = catalogue(bundle)
    targets = _targets(bundle, year)
    props = bundle.township_props
    township = str(props.get("name_zh") or "")
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(TEMPLATE_SHEET.format(year=year))
    width = 2 + 2 * len(cat)
    title = sheet.cell(
        row=1, column=1, value=tr("xfer_tpl_title").format(township=township, year=year)
    )
    title.data_type = TYPE_STRING
    title.font = Font(bold=True, size=14)
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    headers = [tr("xfer_tpl_code"), tr("xfer_tpl_name")]
    for ind in cat.values():
        headers.extend(template_headers(ind.label_zh, ind.unit_zh))
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=col, value=header)
        cell.data_type = TYPE_STRING
        cell.font = Font(bold=True)
        cell.fill = PatternFill(
            "solid", fgColor=TARGET_FILL if col > 2 and col % 2 else HEADER_FILL
        )
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    places = [(c, bundle.village_name(c, "zh")) for c in village_codes(bundle)]
    code = township_code(bundle)
    if code:
        places.append((code, township))
    for r, (place, name) in enumerate(places, start=3):
        for col, value in ((1, place), (2, name)):
            cell = sheet.cell(row=r, column=col, value=value)
            cell.data_type = TYPE_STRING
        for i, key in enumerate(cat):
            target = targets.get((place, key))
            if target is not None:
                value = int(target) if target.is_integer() else target
                sheet.cell(row=r, column=4 + 2 * i, value=value)
    for col, header in enumerate(headers, start=1):
        size = sum(2 if ord(ch) > 0x2E7F else 1 for ch in header)
        sheet.column_dimensions[get_column_letter(col)].width = min(max(size + 2, 8), 30)
    sheet.freeze_panes = "C3"
    notes = book.create_sheet(NOTES_SHEET)
    for r, key in enumerate(
        ("xfer_tpl_note_1", "xfer_tpl_note_2", "xfer_tpl_note_3", "xfer_tpl_note_4"), start=1
    ):
        zh, en = tr(key, "zh"), tr(key, "en")
        for col, line in ((1, zh.format(year=year)), (2, en.format(year=year))):
            cell = notes.cell(row=r, column=col, value=line)
            cell.data_type = TYPE_STRING
    notes.column_dimensions["A"].width = 90
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
