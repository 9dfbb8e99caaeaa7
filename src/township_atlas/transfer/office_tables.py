"""Tables as township offices make them: title rows, two-row merged headers, 合计 rows.

Works on the rows of a CSV file or sheet as read (``(row number, cells)``, fully empty
rows already dropped): :func:`find_header` finds the header under title rows,
:func:`header_names` joins a two-row header ("位置" over "经度"/"纬度" -> "经度", "纬度";
"面积" over "(亩)" -> "面积(亩)"), and :func:`split_totals` takes 合计/小计/总计 rows out
of the data and checks them against the sum of the rows above.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from township_atlas.transfer.errors import UnreadableFile
from township_atlas.transfer.units import (
    UNITS,
    canonical_unit,
    cell_number,
    conversion,
    decimals,
    header_unit,
    is_missing,
)

Rows = list[tuple[int, list[Any]]]
# (first row, first column, last row, last column), 1-based as in the sheet
Merge = tuple[int, int, int, int]

HEADER_SEARCH_ROWS = 20
MAX_MERGES = 5_000
_TOTAL = re.compile(
    r"^(全[乡镇村]|全乡镇|本[乡镇村]|[乡镇村])?(合计|小计|总计|共计|总合计|累计)[:：]?$"
)
_COORDINATE_WORDS = ("经度", "纬度", "经纬度", "坐标")
_COORDINATE_NAMES = {"lon", "lng", "long", "longitude", "lat", "latitude", "x", "y", "wkt"}
_MERGE_REF = re.compile(
    rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})\""
)


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _label(cell: Any) -> bool:
    """A cell that reads as a column name: text that is not a number, a missing mark or a
    coordinate in degrees-minutes-seconds."""
    if not isinstance(cell, str) or is_missing(cell) or re.search(r"\d\s*[°度]", cell):
        return False
    return cell_number(cell) is None and not re.fullmatch(r"[\d.,\s度分秒'\"′″]+", cell)


def _looks_like_header(row: list[Any]) -> bool:
    filled = [c for c in row if _filled(c)]
    labels = [c for c in filled if _label(c)]
    return len(labels) >= 2 and len(labels) * 2 >= len(filled)


def find_header(rows: Rows, name: str) -> int:
    """Index of the header row in ``rows``: the first of the first 20 with two or more
    column names making up at least half of its filled cells (a title row above it, one
    cell wide, is skipped); a lone row of names when there is nothing else.

    Raises
    ------
    UnreadableFile : "xfer_table_no_header" when no such row is found
    """
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _looks_like_header(row):
            return index
    first = [c for c in rows[0][1] if _filled(c)]
    if first and all(_label(c) for c in first):
        return 0
    raise UnreadableFile("xfer_table_no_header", name=name, rows=HEADER_SEARCH_ROWS)


# A row of the township's own figures (not a village's): never part of a total's sum.
TOWNSHIP_WORDS = ("全乡", "全镇", "全乡镇", "乡本级", "镇本级")


def _is_township_row(record: dict[str, Any]) -> bool:
    return any(isinstance(v, str) and v.strip() in TOWNSHIP_WORDS for v in record.values())


def _is_total_label(cell: Any) -> bool:
    if not isinstance(cell, str) or "计" not in cell or len(cell) > 20:
        return False
    text = unicodedata.normalize("NFKC", cell).replace(" ", "").replace("\u3000", "")
    return bool(_TOTAL.match(text))


def _is_unit_only(cell: Any) -> bool:
    if not isinstance(cell, str):
        return False
    text = unicodedata.normalize("NFKC", cell).strip().strip("()[]【】").strip()
    text = re.sub(r"^单位[:：]", "", text)
    return canonical_unit(text) in UNITS


def second_header_row(
    head: tuple[int, list[Any]], below: tuple[int, list[Any]] | None, merges: list[Merge]
) -> bool:
    """Whether ``below`` continues the header ``head``: a merged cell of the header spans
    both rows or several columns over names in ``below`` (XLSX), or, by shape (CSV),
    ``below`` holds only names and fills columns the header leaves blank, or only units."""
    if below is None:
        return False
    number, row = head
    under = below[1]
    filled = [c for c in under if _filled(c)]
    if not filled or not all(_label(c) or _is_unit_only(c) for c in filled):
        return False
    if any(_is_total_label(c) for c in filled):
        return False
    for first_row, first_col, last_row, last_col in merges:
        if first_row != number:
            continue
        if last_row >= below[0]:
            return True
        span = under[first_col - 1 : last_col]
        if last_col > first_col and any(_filled(c) for c in span):
            return True
    if all(_is_unit_only(c) for c in filled):
        return True
    return _group_shape(row, under)


def _group_shape(top: list[Any], under: list[Any]) -> bool:
    """A CSV's second header row (merged cells saved as blanks): some name in ``top`` is
    followed by blanks over names in ``under`` (a group of two or more columns), and every
    other filled cell of ``under`` is a unit. A data row is denser than that."""
    width = max(len(top), len(under))
    top = top + [None] * (width - len(top))
    under = under + [None] * (width - len(under))
    in_group = [False] * width
    grouped = False
    for k in range(width):
        if not (_filled(top[k]) and _filled(under[k])):
            continue
        j = k + 1
        while j < width and not _filled(top[j]) and _filled(under[j]):
            j += 1
        if j - k >= 2:
            grouped = True
            for i in range(k, j):
                in_group[i] = True
    if not grouped:
        return False
    return all(in_group[j] or not _filled(c) or _is_unit_only(c) for j, c in enumerate(under))


def _text(cell: Any) -> str:
    return "" if not _filled(cell) else str(cell).strip()


def header_names(
    head: tuple[int, list[Any]], below: tuple[int, list[Any]], merges: list[Merge]
) -> list[str]:
    """One name per column of a two-row header.

    A group cell over sub-columns (merged across them, or followed by blanks in a CSV)
    gives "group·sub", or just "sub" when that name is unique in the header and the group
    carries no unit; a unit under a name gives "name(unit)"; a name in one row only is
    taken as it is.
    """
    number, top = head
    sub = below[1]
    width = max(len(top), len(sub))
    top = [_text(c) for c in top] + [""] * (width - len(top))
    low = [_text(c) for c in sub] + [""] * (width - len(sub))
    group = list(top)
    for first_row, first_col, _last_row, last_col in merges:
        if first_row == number and last_col > first_col:
            for j in range(first_col, min(last_col, width)):
                group[j] = top[first_col - 1]
    for j in range(width):  # CSV: a group name followed by blanks over sub-names
        if not group[j] and low[j]:
            k = j
            while k > 0 and not top[k] and low[k]:
                k -= 1
            if top[k] and low[k] and k < j:
                group[j] = top[k]
    counts: dict[str, int] = {}
    for j in range(width):
        if low[j]:
            counts[low[j]] = counts.get(low[j], 0) + 1
    names = []
    for g, s in zip(group, low, strict=True):
        if not s or s == g:
            names.append(g)
        elif not g:
            names.append(s)
        elif _is_unit_only(s):
            unit = unicodedata.normalize("NFKC", s).strip().strip("()[]【】").strip()
            names.append(f"{g}({re.sub(r'^单位[:：]', '', unit)})")
        elif counts[s] == 1 and "(" not in unicodedata.normalize("NFKC", g):
            names.append(s)
        else:
            names.append(f"{g}·{s}")
    return names


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def sheet_merges(zf: zipfile.ZipFile, path: str, max_row: int) -> list[Merge]:
    """Merged ranges of one sheet that start in its first ``max_row`` rows.

    openpyxl's read-only worksheets do not expose merged cells, so the sheet's XML part is
    scanned for ``<mergeCell ref="A1:C2"/>`` in chunks (memory stays bounded; the part was
    vetted for DTDs and entities when the upload was opened). At most 5,000 are kept.
    """
    merges: list[Merge] = []
    tail = b""
    try:
        fh = zf.open(path.lstrip("/"))
    except KeyError:
        return merges
    with fh:
        while len(merges) < MAX_MERGES:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            buffer = tail + chunk
            end = 0
            for match in _MERGE_REF.finditer(buffer):
                end = match.end()
                c1, r1, c2, r2 = match.groups()
                if int(r1) <= max_row:
                    merges.append((int(r1), _column_number(c1), int(r2), _column_number(c2)))
            tail = buffer[max(end, len(buffer) - 200) :]
    return merges[:MAX_MERGES]


@dataclass(frozen=True)
class TotalCheck:
    """A 合计/小计 row compared with the rows it sums, for one numeric column.

    ``total`` is the number in the 合计 row, ``computed`` the sum of the rows it covers;
    ``agrees`` allows for the rounding the total was written with.
    """

    row: int
    label: str
    column: str
    total: float
    computed: float
    agrees: bool


def _is_coordinate(column: str) -> bool:
    key = unicodedata.normalize("NFKC", column).lower().replace(" ", "")
    if any(word in key for word in _COORDINATE_WORDS):
        return True
    return re.sub(r"[^a-z]", "", key) in _COORDINATE_NAMES


def _fmt(number: float) -> str:
    return f"{number:,.6f}".rstrip("0").rstrip(".")


def split_totals(
    columns: list[str], records: list[dict[str, Any]], numbers: list[int]
) -> tuple[list[dict[str, Any]], list[int], list[tuple[int, str]], list[TotalCheck]]:
    """Take 合计/小计/总计 rows out of the data and check each numeric column against them.

    A total row has a cell such as 合计, 小计, 全乡合计 and no coordinates. A 小计 sums the
    rows since the previous 小计; other totals sum all data rows above them, except a row
    of the township's own figures (全乡, 乡本级 …), which a total never includes.

    Returns
    -------
    records and row numbers without the total rows, the total rows as (row number,
    label), and one :class:`TotalCheck` per total row and numeric column
    """
    coordinate_columns = [c for c in columns if _is_coordinate(c)]
    kept: list[dict[str, Any]] = []
    kept_numbers: list[int] = []
    totals: list[tuple[int, str]] = []
    checks: list[TotalCheck] = []
    since_subtotal = 0
    for record, number in zip(records, numbers, strict=True):
        label = next((str(v).strip() for v in record.values() if _is_total_label(v)), None)
        if label is None or any(not is_missing(record.get(c)) for c in coordinate_columns):
            kept.append(record)
            kept_numbers.append(number)
            continue
        totals.append((number, label))
        covered = kept[since_subtotal:] if "小计" in label else kept
        covered = [r for r in covered if not _is_township_row(r)]
        if "小计" in label:
            since_subtotal = len(kept)
        checks.extend(_check_total(columns, coordinate_columns, record, covered, number, label))
    return kept, kept_numbers, totals, checks


def _check_total(
    columns: list[str],
    skip: list[str],
    total_row: dict[str, Any],
    covered: list[dict[str, Any]],
    number: int,
    label: str,
) -> list[TotalCheck]:
    out = []
    for column in columns:
        if column in skip or is_missing(total_row.get(column)):
            continue
        total = cell_number(total_row[column])
        if total is None:
            continue
        values = [r.get(column) for r in covered if not is_missing(r.get(column))]
        parsed = [cell_number(v) for v in values]
        if not values or any(p is None for p in parsed):
            continue  # a text column, or nothing to add up
        unit = header_unit(column)[1]
        computed = sum(_in_unit(p, unit) for p in parsed if p is not None)
        tolerance = max(0.5 * 10.0 ** -decimals(total_row[column]), abs(total[0]) * 1e-9)
        agrees = abs(computed - total[0]) <= tolerance + 1e-9
        out.append(TotalCheck(number, label, column, total[0], computed, agrees))
    return out


def _in_unit(parsed: tuple[float, str | None], unit: str | None) -> float:
    """A cell's number in its column's unit ("13万元" in a column of 元: 130,000)."""
    number, own = parsed
    factor = conversion(own, unit).factor if own and unit else None
    return number * factor if factor else number


def total_text(value: float) -> str:
    """A number for a message: thousands separators, no trailing zeros."""
    return _fmt(value)
