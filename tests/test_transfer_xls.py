"""Excel 97–2003 (.xls) as township offices still send it (issue 17.3): the office workbook
of test_transfer_office_tables (title row, two-row merged header, 合计 row, DMS) saved as
.xls by LibreOffice reads like the .xlsx; broken, encrypted and non-workbook files are
refused with a message before calamine parses them, and nothing is written.

The .xls bytes are made here by code: openpyxl writes the .xlsx and LibreOffice Calc
(``soffice --convert-to xls``) saves it as BIFF8. CI installs LibreOffice Calc
(``.ci/run``) and sets TOWNSHIP_ATLAS_REQUIRE_OFFICE=1, so there a missing converter is
a failure, not a skip.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

from township_atlas.storage.files.store import Store
from township_atlas.transfer import (
    Limits,
    TransferError,
    UnreadableFile,
    Upload,
    UploadRefused,
    preview_import,
    read_upload,
)
from township_atlas.transfer.xls_read import vet_xls

from .test_edit_page import _import_tab, accounts, edit_page, widget  # noqa: F401 (a fixture)
from .test_transfer_office_tables import (
    FAST,
    WGS84,
    _digest,
    assert_office_sites,
    office_plan,
    office_xlsx,
    sites_mapping,
)

REQUIRED = os.environ.get("TOWNSHIP_ATLAS_REQUIRE_OFFICE") == "1"


def _convert(tmp: Path, books: dict[str, bytes]) -> dict[str, bytes] | None:
    """The workbooks saved as .xls by LibreOffice Calc; None when it cannot convert."""
    if not shutil.which("soffice"):
        return None
    for stem, data in books.items():
        (tmp / f"{stem}.xlsx").write_bytes(data)
    profile = tmp / "profile"  # its own profile: no clash with a running LibreOffice
    command = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless"]
    sources = [str(tmp / f"{s}.xlsx") for s in books]
    subprocess.run(
        [*command, "--convert-to", "xls", "--outdir", str(tmp / "out"), *sources],
        check=False,
        capture_output=True,
        timeout=180,
    )
    out = {s: tmp / "out" / f"{s}.xls" for s in books}
    if not all(p.is_file() for p in out.values()):
        return None  # soffice without Calc (libreoffice-calc) writes nothing
    return {s: p.read_bytes() for s, p in out.items()}


@pytest.fixture(scope="module")
def xls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    books = {"plain": office_xlsx(), "sheets": office_xlsx(extra_sheets=True)}
    made = _convert(tmp_path_factory.mktemp("xls"), books)
    if made is None:
        if REQUIRED:
            pytest.fail(
                "LibreOffice Calc could not convert to .xls (apt-get install libreoffice-calc)"
            )
        pytest.skip("LibreOffice Calc (soffice) not installed: apt-get install libreoffice-calc")
    assert all(b.startswith(b"\xd0\xcf\x11\xe0") for b in made.values())  # BIFF8 in OLE2
    return made


def _records_after_bof(data: bytes) -> list[tuple[int, int, int]]:
    """(offset in the file, type, length) of the records following the workbook's first
    BOF, as far as they lie in one piece in the file."""
    start = data.index(b"\x09\x08\x10\x00\x00\x06\x05\x00")  # BOF, BIFF8, workbook globals
    out, pos = [], start
    while pos < start + 400:
        kind, length = struct.unpack_from("<HH", data, pos)
        out.append((pos, kind, length))
        pos += 4 + length
    return out


def encrypted(data: bytes) -> bytes:
    """The workbook as Excel marks one with an open password: a FILEPASS record among the
    globals (here in place of the 2-byte INTERFACEHDR record, so no offset moves)."""
    pos = next(p for p, kind, length in _records_after_bof(data) if kind == 0x00E1 and length == 2)
    return data[:pos] + struct.pack("<HHH", 0x002F, 2, 0) + data[pos + 6 :]


def renamed_stream(data: bytes) -> bytes:
    """The compound file with its workbook stream renamed: an OLE file that is no workbook
    (as a Word .doc is)."""
    name = "Workbook".encode("utf-16-le")
    assert data.count(name) == 1
    return data.replace(name, "WordDocx".encode("utf-16-le"))


def test_an_office_xls_reads_like_the_same_xlsx(xls: dict[str, bytes]) -> None:
    from_xlsx = read_upload("产业基地.xlsx", office_xlsx())
    raw = read_upload("产业基地.xls", xls["plain"])
    assert raw.format == "xls"
    assert (
        raw.columns
        == from_xlsx.columns
        == ["名称", "类型", "所在村", "面积(亩)", "带动户数", "产值(万元)"]
    )
    assert (raw.coordinates.lon, raw.coordinates.lat) == ("经度", "纬度")
    assert raw.header_rows == (2, 3) and raw.row_numbers == [4, 5, 6]
    assert raw.records == from_xlsx.records
    assert [n.key for n in raw.notes] == [n.key for n in from_xlsx.notes]
    assert {c.column: (c.total, c.computed, c.agrees) for c in raw.total_checks} == {
        "面积(亩)": (1554.5, 1554.5, True),
        "带动户数": (47.0, 47.0, True),
        "产值(万元)": (101.0, 101.0, True),
    }
    assert_office_sites(office_plan("产业基地.xls", xls["plain"]))


def test_sheets_of_an_xls_are_listed_like_those_of_the_xlsx(xls: dict[str, bytes]) -> None:
    with Upload("产业基地.xlsx", office_xlsx(extra_sheets=True)) as upload:
        expected = [(s.name.replace(".xlsx", ".xls"), s.feature_count) for s in upload.layers]
        expected_notes = [n.message_zh for n in upload.notes]
    with Upload("产业基地.xls", xls["sheets"]) as upload:
        assert [(s.name, s.feature_count) for s in upload.layers] == expected
        assert upload.layers[0].name == "产业基地.xls › 基地"  # the data sheet, listed first
        assert [n.message_zh for n in upload.notes] == expected_notes
        assert "空表" not in " ".join(s.name for s in upload.layers)
        raw = upload.read(upload.layers[0].key)
    assert raw.row_numbers == [4, 5, 6]


def test_an_xls_goes_through_the_worker_and_nothing_is_written(
    xls: dict[str, bytes], sample_dir: Path
) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    data = xls["sheets"]
    mapping = sites_mapping("产业基地.xls", data)
    preview = preview_import(
        "产业基地.xls", data, "sites", bundle, crs=WGS84, mapping=mapping, worker=FAST
    )
    assert preview.source.endswith("基地") and preview.plan is not None
    assert_office_sites(preview.plan)
    assert _digest(sample_dir) == before


def test_a_truncated_xls_is_refused_with_a_message(xls: dict[str, bytes], sample_dir: Path) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    with pytest.raises(UnreadableFile) as info:
        preview_import("基地.xls", xls["plain"][:3000], "sites", bundle, crs=WGS84, worker=FAST)
    assert info.value.key == "xfer_xls_damaged"
    assert "无法读取旧版 Excel 文件 基地.xls" in info.value.message_zh
    assert "save it again as .xlsx or .xls" in info.value.message_en
    assert _digest(sample_dir) == before


def test_an_encrypted_xls_is_refused_saying_how_to_remove_the_password(
    xls: dict[str, bytes], sample_dir: Path
) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    locked = encrypted(xls["plain"])
    with pytest.raises(UploadRefused) as info:
        preview_import("基地.xls", locked, "sites", bundle, crs=WGS84, worker=FAST)
    assert info.value.key == "xfer_xls_encrypted"
    assert "设置了打开密码" in info.value.message_zh and "删除密码" in info.value.message_zh
    assert "protected with a password" in info.value.message_en
    assert _digest(sample_dir) == before
    with pytest.raises(UploadRefused):  # the vetting itself finds it, before calamine
        vet_xls(locked, "基地.xls", Limits())


def test_a_compound_file_without_a_workbook_stream_is_refused(xls: dict[str, bytes]) -> None:
    with pytest.raises(UnreadableFile) as info:
        read_upload("会议纪要.xls", renamed_stream(xls["plain"]))
    assert info.value.key == "xfer_xls_not_workbook"
    assert "不是 Excel 工作簿" in info.value.message_zh and "Word" in info.value.message_en


def test_the_cell_limit_holds_before_the_xls_is_parsed(xls: dict[str, bytes]) -> None:
    extents = vet_xls(xls["plain"], "基地.xls", Limits())
    assert [(e.name, e.rows, e.columns) for e in extents] == [("基地", 7, 8)]
    with pytest.raises(UploadRefused) as info:
        read_upload("基地.xls", xls["plain"], limits=Limits(max_cells=30))
    assert info.value.key == "xfer_too_many_cells"
    assert "基地.xls › 基地" in info.value.message_zh


def test_an_xlsx_named_xls_is_read_by_its_content_with_a_note() -> None:
    with Upload("产业基地.xls", office_xlsx()) as upload:
        assert [s.format for s in upload.layers] == ["xlsx"]
        assert any("已按内容识别为 xlsx" in n.message_zh for n in upload.notes)
        raw = upload.read()
    assert raw.row_numbers == [4, 5, 6] and raw.header_rows == (2, 3)


def test_faked_dimensions_are_refused_before_calamine_reserves_them(xls: dict[str, bytes]) -> None:
    data = xls["plain"]
    record = b"\x00\x02\x0e\x00" + struct.pack("<IIHH", 0, 7, 0, 8)  # DIMENSIONS: rows 0–7
    assert data.count(record) == 1
    # First row after the last: calamine would reserve (7 - 48896) wrapped × 8 cells (TBs).
    upside_down = data.replace(record, record[:4] + struct.pack("<IIHH", 48896, 7, 0, 8))
    with pytest.raises(UnreadableFile) as info:
        read_upload("基地.xls", upside_down)
    assert info.value.key == "xfer_xls_damaged" and "sheet dimensions" in info.value.message_en
    huge = data.replace(record, record[:4] + struct.pack("<IIHH", 0, 65536, 0, 256))
    with pytest.raises(UploadRefused) as info:
        read_upload("基地.xls", huge)
    assert info.value.key == "xfer_too_many_cells"


def _outcome(data: bytes) -> int:
    """Read ``data`` in a forked child: 0 read, 1 a TransferError, 2 any other exception,
    or the negative signal that killed it (a crash must not take the test run with it)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 2
        try:
            read_upload("a.xls", data)
            code = 0
        except TransferError:
            code = 1
        finally:
            os._exit(code)
    for _ in range(600):  # a child that hangs (a lock held at fork) fails, not blocks
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -signal.SIGKILL


def test_damaged_xls_files_are_messages_never_crashes(xls: dict[str, bytes]) -> None:
    # Truncations and random byte changes of a real file (seeded): each one is read or
    # refused with a message; none crashes the reader or escapes as another error.
    rng = random.Random(17)
    data = xls["plain"]
    outcomes = []
    for case in range(80):
        damaged = bytearray(data)
        if case < 20:
            damaged = damaged[: rng.randrange(1, len(data))]
        else:
            for _ in range(rng.randrange(1, 20)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        outcomes.append(_outcome(bytes(damaged)))
    assert set(outcomes) <= {0, 1}, outcomes
    assert outcomes.count(1) >= 20  # most damage is noticed


@pytest.mark.usefixtures("accounts")
def test_the_import_page_takes_an_xls_and_previews_its_data_sheet(
    xls: dict[str, bytes], data_env: Path
) -> None:
    before = _digest(data_env)
    at = _import_tab(edit_page("pia"))
    assert ".xls" in at.file_uploader[0].proto.type
    at.file_uploader[0].set_value(("产业基地.xls", xls["sheets"], "application/vnd.ms-excel"))
    at.run()
    assert not at.exception, at.exception
    sheet = widget(at, "selectbox", "文件中的图层")
    assert sheet.value.endswith("基地") and len(sheet.options) == 2  # 空表 is not listed
    if widget(at, "selectbox", "源文件的坐标系").value is None:
        widget(at, "selectbox", "源文件的坐标系").set_value(WGS84).run()
    widget(at, "selectbox", "产业").set_value("类型").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["新增"], metrics["有错误未导入"]) == ("2", "1")  # 蔬菜合作社: no coordinates
    assert any("表头占两行" in c.value for c in at.caption)
    assert _digest(data_env) == before
