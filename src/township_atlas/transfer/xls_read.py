"""Excel 97–2003 workbooks (.xls, BIFF8): vetted by our own small scan, read with calamine.

The office path is the same as for .xlsx (:mod:`.tables`): title rows, two-row merged
headers, units and 合计 rows. Reading is done by ``python-calamine`` (the Rust calamine
reader), which builds each sheet as a dense grid when the workbook is opened. So before
it sees the bytes, :func:`vet_xls` walks the file's compound-document structure and the
workbook stream's records itself (bounded loops, no recursion) and

- refuses an encrypted workbook (a ``FILEPASS`` record) with a message saying how to save
  it without a password;
- refuses a file without a workbook stream (a Word ``.doc``, a damaged file);
- computes each sheet's extent from its cell records (a file may fake its DIMENSIONS
  record) and refuses a sheet above ``limits.max_cells`` before any grid is built; a
  DIMENSIONS record or string-table count that would make calamine reserve more than that
  (it trusts them) is refused too;
- turns a panic inside calamine (a damaged record it slices past) into the same message.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from township_atlas.transfer.errors import UnreadableFile, UploadRefused
from township_atlas.transfer.limits import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_STREAM_NAMES = ("workbook", "book")  # BIFF8 (Excel 97+); BIFF5 (Excel 95)
# BIFF record types
_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _SST = 0x0809, 0x000A, 0x002F, 0x0085, 0x00FC
_DIMENSIONS = 0x0200
_CELLS = {0x0203, 0x00FD, 0x027E, 0x0201, 0x0006, 0x0204, 0x0205, 0x00D6}  # row, col first
_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first col, ..., last col


@dataclass(frozen=True)
class XlsSheetExtent:
    """A worksheet as its cell records span it: ``rows`` × ``columns`` from A1."""

    name: str
    rows: int
    columns: int


def _damaged(name: str, detail: str) -> UnreadableFile:
    return UnreadableFile("xfer_xls_damaged", name=name, detail=detail)


def _workbook_stream(data: bytes, name: str) -> bytes:
    """The workbook stream of an OLE2 compound file (bounded: every chain is followed at
    most as many steps as the file has sectors)."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise _damaged(name, "not a compound document")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _damaged(name, "unusual sector size")
    size = 1 << shift
    n_sectors = len(data) // size - 1  # whole sectors after the header
    dir_start, cutoff, minifat_start = struct.unpack_from("<I4xII", data, 0x30)
    difat_start, n_difat = struct.unpack_from("<II", data, 0x44)

    def sector(index: int) -> bytes:
        if index >= n_sectors:
            raise _damaged(name, "sector out of range")
        offset = (index + 1) * size
        return data[offset : offset + size]

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s != _FREE]
    nxt, steps = difat_start, 0
    while nxt not in (_FREE, _END) and steps < min(n_difat, n_sectors) + 1:
        block = struct.unpack(f"<{size // 4}I", sector(nxt))
        fat_sectors += [s for s in block[:-1] if s != _FREE]
        nxt, steps = block[-1], steps + 1
    # One 4-byte entry per sector (an array, not a list: a 50 MB file has 100,000 sectors).
    fat = np.frombuffer(b"".join(sector(s) for s in fat_sectors[:n_sectors]), dtype="<u4")

    def chain(start: int, table: Any, limit: int) -> list[int]:
        out, seen = [], set()
        while start not in (_FREE, _END):
            if start in seen or start >= len(table) or len(out) > limit:
                raise _damaged(name, "broken sector chain")
            seen.add(start)
            out.append(start)
            start = int(table[start])
        return out

    directory = b"".join(sector(s) for s in chain(dir_start, fat, n_sectors))
    entries = []
    for offset in range(0, len(directory) - 127, 128):
        raw = directory[offset : offset + 128]
        length = min(struct.unpack_from("<H", raw, 0x40)[0], 64)
        kind = raw[0x42]
        start, stream_size = struct.unpack_from("<II", raw, 0x74)
        label = raw[: max(length - 2, 0)].decode("utf-16-le", "replace")
        entries.append((label, kind, start, stream_size))
    if not entries:
        raise _damaged(name, "no directory")
    if any(e[1] == 2 and e[3] > len(data) for e in entries):  # calamine would reserve it
        raise _damaged(name, "stream larger than the file")
    found = [e for e in entries if e[1] == 2 and e[0].lower() in _STREAM_NAMES]
    if not found:
        raise UnreadableFile("xfer_xls_not_workbook", name=name)
    _, _, start, stream_size = found[0]
    if stream_size > len(data):
        raise _damaged(name, "stream larger than the file")
    if stream_size >= cutoff:
        body = b"".join(sector(s) for s in chain(start, fat, n_sectors))
        return body[:stream_size]
    minifat = np.frombuffer(
        b"".join(sector(s) for s in chain(minifat_start, fat, n_sectors)), dtype="<u4"
    )
    root = b"".join(sector(s) for s in chain(entries[0][2], fat, n_sectors))
    mini = 1 << mini_shift
    parts = [root[i * mini : (i + 1) * mini] for i in chain(start, minifat, len(minifat))]
    return b"".join(parts)[:stream_size]


def _sheet_name(body: bytes) -> str:
    """The name in a BOUNDSHEET record (BIFF8 short Unicode string)."""
    if len(body) < 8:
        return "?"
    count, flags = body[6], body[7]
    text = body[8:]
    if flags & 1:
        return text[: count * 2].decode("utf-16-le", "replace")
    return text[:count].decode("latin-1")


def vet_xls(data: bytes, name: str, limits: Limits) -> list[XlsSheetExtent]:
    """Check an .xls before it is parsed (see the module docstring); each worksheet's
    extent as its cell records span it.

    Raises
    ------
    UploadRefused : "xfer_xls_encrypted" (a password-protected workbook), or
        "xfer_too_many_cells" (a sheet larger than ``limits.max_cells``)
    UnreadableFile : "xfer_xls_not_workbook" (an OLE file that is no workbook) or
        "xfer_xls_damaged"
    """
    stream = _workbook_stream(data, name)
    names: dict[int, str] = {}
    extents: list[XlsSheetExtent] = []
    pos, depth, sheet_depth = 0, 0, 0
    current: list[Any] | None = None  # [name, max row, max col]
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == _FILEPASS:
            raise UploadRefused("xfer_xls_encrypted", name=name)
        if kind == _SST and len(body) >= 8:
            # calamine reserves room for the declared count of unique strings up front;
            # each takes at least 3 bytes of the stream, so a larger count is a damaged file.
            unique = struct.unpack_from("<I", body, 4)[0]
            if unique * 3 > len(stream):
                raise _damaged(name, "string table count")
        if kind == _BOUNDSHEET and len(body) >= 6:
            offset, _hidden, sheet_type = struct.unpack_from("<IBB", body, 0)
            if sheet_type == 0:  # a worksheet (not a chart, macro or VB module)
                names[offset] = _sheet_name(body)
        elif kind == _BOF:
            depth += 1
            if pos in names:
                current, sheet_depth = [names[pos], 0, 0], depth
        elif kind == _EOF:
            if current is not None and depth == sheet_depth:  # not an embedded chart's
                extents.append(XlsSheetExtent(current[0], current[1], current[2]))
                current = None
            depth -= 1
        elif kind == _DIMENSIONS and current is not None and len(body) >= 12:
            # calamine reserves the declared rows × columns: check them as declared.
            first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", body, 0)
            if first_row > end_row or first_col > end_col:
                raise _damaged(name, "sheet dimensions")
            declared = XlsSheetExtent(current[0], end_row - first_row, end_col - first_col)
            _check_cells(name, declared, limits)
        elif current is not None and len(body) >= 4 and (kind in _CELLS or kind in _MULTI):
            row, col = struct.unpack_from("<HH", body, 0)
            if kind in _MULTI and len(body) >= 6:
                col = max(col, struct.unpack_from("<H", body, len(body) - 2)[0])
            current[1] = max(current[1], row + 1)
            current[2] = max(current[2], col + 1)
            if current[1] * current[2] > limits.max_cells:
                _check_cells(name, XlsSheetExtent(current[0], current[1], current[2]), limits)
        pos += 4 + length
    if not names:
        raise _damaged(name, "no worksheet")
    return extents


def _check_cells(name: str, extent: XlsSheetExtent, limits: Limits) -> None:
    from township_atlas.transfer.tables import too_many_cells

    if extent.rows * extent.columns > limits.max_cells:
        raise too_many_cells(
            f"{name} › {extent.name}", extent.rows, extent.columns, limits.max_cells
        )


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic in calamine (pyo3's PanicException derives from BaseException, so it
    is caught by name; KeyboardInterrupt and SystemExit pass)."""
    return type(exc).__name__ == "PanicException"


def open_xls(data: bytes, name: str) -> Any:
    """The workbook, opened with calamine (call :func:`vet_xls` first)."""
    import python_calamine  # only .xls needs it: imported when one is read

    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise UploadRefused("xfer_xls_encrypted", name=name) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise _damaged(name, str(exc)[:200]) from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise _damaged(name, str(exc)[:200]) from exc


def sheet_rows(
    book: Any, sheet: str, name: str
) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """The rows of ``sheet`` from A1 (empty cells as None) and its merged ranges as
    (first row, first column, last row, last column), 1-based."""
    import python_calamine

    try:
        ws = book.get_sheet_by_name(sheet)
        rows = ws.to_python(skip_empty_area=False)
        ranges = ws.merged_cell_ranges or []
    except python_calamine.CalamineError as exc:
        raise _damaged(name, str(exc)[:200]) from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise _damaged(name, str(exc)[:200]) from exc
    out = [[None if c == "" else c for c in row] for row in rows]
    merges = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges]
    return out, merges
