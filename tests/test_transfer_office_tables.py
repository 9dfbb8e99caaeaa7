"""Office tables as township offices make them (issue 17.3): a title row, a two-row merged
header, units in header cells, a 合计 row, "—" for missing, thousands separators, full-width
digits, DMS coordinates, several sheets; XLSX and CSV in UTF-8 and GBK. Every example file
is made here by code; each goes through the import tab's path, and nothing is written."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import openpyxl
import pytest

from township_atlas.storage.files.store import Store
from township_atlas.transfer import (
    CrsChoice,
    Limits,
    UnreadableFile,
    Upload,
    UploadRefused,
    WorkerLimits,
    plan_import,
    preview_import,
    read_upload,
    suggest_mapping,
)
from township_atlas.transfer.units import cell_number, conversion, header_unit, is_missing

from .test_transfer_support import sample_bundle

BUNDLE = sample_bundle()
WGS84 = CrsChoice("wgs84")
FAST = WorkerLimits(seconds=20, memory_mb=512)
TITLE = "某某乡2025年产业基地统计表"
_VILLAGES = BUNDLE.villages.set_index("code")
P1 = _VILLAGES.loc["V01"].geometry.representative_point()  # 上庄村
P3 = _VILLAGES.loc["V03"].geometry.representative_point()  # 杏树坪村


def dms(value: float, hemi: str) -> str:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}°{minutes}′{seconds:.3f}″{hemi}"


def office_rows(output_header: str = "产值(万元)", total: tuple = (1554.5, 47, 101)) -> list:
    """The header's two rows, three sites and a 合计 row, as an office types them."""
    return [
        ["名称", "类型", "所在村", "面积(亩)", "带动户数", output_header, "位置", None],
        [None, None, None, None, None, None, "经度", "纬度"],
        ["花椒示范园", "示范基地", "上庄村", "1,234", "３５", 88.5, dms(P1.x, "E"), dms(P1.y, "N")],
        ["肉牛养殖基地", "产业基地", "杏树坪村", 200, "—", "12.5", f"{P3.x:.6f}", f"{P3.y:.6f}"],
        ["蔬菜合作社", "合作社", "上庄村", "１２０．５", 12, "—", None, None],
        ["合计", None, None, *total, None, None],
    ]


def office_xlsx(rows: list | None = None, *, extra_sheets: bool = False) -> bytes:
    """The workbook: a merged title row, a header whose "位置" is merged over 经度/纬度 and
    whose other names are merged down over two rows."""
    book = openpyxl.Workbook()
    if extra_sheets:
        book.active.title = "说明"
        book.active.append(["本表由农业办填报"])
        book.create_sheet("空表")
        sheet = book.create_sheet("基地")
    else:
        sheet = book.active
        sheet.title = "基地"
    sheet.append([TITLE])
    sheet.merge_cells("A1:H1")
    for row in rows or office_rows():
        sheet.append(row)
    for column in "ABCDEF":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("G2:H2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def office_csv(rows: list | None = None) -> str:
    lines = [TITLE]
    for row in rows or office_rows():
        lines.append(",".join("" if c is None else f'"{c}"' for c in row))
    return "\n".join(lines) + "\n"


def sites_mapping(filename: str, data: bytes):
    """The import tab's mapping: suggested, plus one 产业 for every row (the table has none)."""
    with Upload(filename, data) as upload:  # the default sheet: the first listed
        raw = upload.read(upload.layers[0].key)
    mapping = suggest_mapping(raw, "sites")
    mapping.constants["industry_zh"] = "特色种植"
    return mapping


def office_plan(filename: str, data: bytes):
    mapping = sites_mapping(filename, data)
    return plan_import(filename, data, "sites", BUNDLE, crs=WGS84, mapping=mapping)


def by_name(plan) -> dict[str, dict]:
    return {f["properties"]["name_zh"]: f["properties"] for f in plan.features}


def notes_zh(plan) -> str:
    return "\n".join(n.message_zh for n in plan.notes)


def assert_office_sites(plan) -> None:
    sites = by_name(plan)
    assert set(sites) == {"花椒示范园", "肉牛养殖基地"}  # no 合计, no row without coordinates
    first, second = sites["花椒示范园"], sites["肉牛养殖基地"]
    assert (first["area_mu"], first["households"], first["output_wan"]) == (1234.0, 35, 88.5)
    assert (second["area_mu"], second["households"], second["output_wan"]) == (200.0, None, 12.5)
    assert (first["village_code"], second["village_code"]) == ("V01", "V03")
    assert (first["kind"], second["kind"]) == ("demo_base", "industry_base")
    lon, lat = next(f for f in plan.features if f["properties"]["name_zh"] == "花椒示范园")[
        "geometry"
    ]["coordinates"]
    assert abs(lon - P1.x) < 1e-5 and abs(lat - P1.y) < 1e-5  # DMS read to ~0.1 m
    assert plan.rows == [4, 5]  # spreadsheet rows: title 1, header 2-3
    (missing,) = [p for p in plan.errors]
    assert missing.row == 6 and missing.field == "geometry"  # 蔬菜合作社 has no coordinates
    assert not plan.warnings, [p.message_zh for p in plan.warnings]
    text = notes_zh(plan)
    assert TITLE in text and "表头占两行" in text
    assert "第 7 行“合计”是合计行" in text and "合计行与各行之和一致" in text
    assert "面积(亩)" in text.split("合计行与各行之和一致")[1]


def test_an_office_workbook_is_read_as_it_was_made() -> None:
    data = office_xlsx()
    raw = read_upload("产业基地.xlsx", data)
    assert raw.columns == ["名称", "类型", "所在村", "面积(亩)", "带动户数", "产值(万元)"]
    assert (raw.coordinates.lon, raw.coordinates.lat) == ("经度", "纬度")
    assert raw.header_rows == (2, 3) and raw.row_numbers == [4, 5, 6]
    assert {c.column: (c.total, c.computed, c.agrees) for c in raw.total_checks} == {
        "面积(亩)": (1554.5, 1554.5, True),
        "带动户数": (47.0, 47.0, True),
        "产值(万元)": (101.0, 101.0, True),
    }
    assert_office_sites(office_plan("产业基地.xlsx", data))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_the_same_table_as_csv_reads_the_same(encoding: str) -> None:
    # Excel's "save as CSV" of the workbook: merged cells become blanks (found by shape).
    data = office_csv().encode(encoding)
    raw = read_upload("产业基地.csv", data)
    assert raw.columns == ["名称", "类型", "所在村", "面积(亩)", "带动户数", "产值(万元)"]
    assert_office_sites(office_plan("产业基地.csv", data))


def test_the_sheet_that_looks_like_the_data_is_listed_first_and_empty_sheets_not_at_all() -> None:
    data = office_xlsx(extra_sheets=True)
    with Upload("产业基地.xlsx", data) as upload:
        names = [layer.name.split(" › ")[-1] for layer in upload.layers]
        notes = [n.message_zh for n in upload.notes]
        assert names == ["基地", "说明"]  # 空表 is empty
        assert upload.layers[0].feature_count == 4  # rows below the header, 合计 included
        with pytest.raises(UnreadableFile) as info:
            upload.read(upload.layers[1].key)
    assert any("“基地”像是数据表" in n for n in notes)
    assert info.value.key in ("xfer_no_coordinate_columns", "xfer_table_no_header")
    mapping = sites_mapping("产业基地.xlsx", data)  # the first listed: the data sheet
    source = "产业基地.xlsx::基地"
    plan = plan_import(
        "产业基地.xlsx", data, "sites", BUNDLE, source_layer=source, crs=WGS84, mapping=mapping
    )
    assert_office_sites(plan)


def test_units_in_headers_are_converted_to_the_unit_the_field_stores() -> None:
    rows = office_rows("产值（元）", total=("15,545", 47, "1,010,000"))
    rows[0][3] = "面积（公顷）"
    rows[2][5], rows[3][5] = "880,000", "13万元"  # a unit in the cell wins over the header's
    rows[2][3], rows[3][3], rows[4][3] = "82.2667", 13.3333, "８．０３３３"
    rows[5][3] = "103.63"
    data = office_csv(rows).encode("gbk")
    plan = office_plan("基地.csv", data)
    sites = by_name(plan)
    assert sites["花椒示范园"]["output_wan"] == pytest.approx(88.0)
    assert sites["肉牛养殖基地"]["output_wan"] == pytest.approx(13.0)
    assert sites["花椒示范园"]["area_mu"] == pytest.approx(82.2667 * 15)
    text = notes_zh(plan)
    assert "“产值（元）”的单位是元,年产值按万元保存" in text and "0.0001" in text
    assert "“面积（公顷）”的单位是公顷,面积按亩保存:数值已乘以 15" in text
    assert not plan.warnings, [p.message_zh for p in plan.warnings]  # 13万元 counted as 元


def test_square_metres_and_percentages_and_missing_marks() -> None:
    assert conversion("平方米", "亩").factor == pytest.approx(1 / 666.67)
    assert conversion("公顷", "亩").factor == 15 and conversion("元", "万元").factor == 1e-4
    assert conversion("美元", "万元").factor is None and conversion("亩", "万元").factor is None
    assert header_unit("面积(平方米)") == ("面积", "平方米")
    assert header_unit("产值/万元") == ("产值", "万元") and header_unit("带动农户") == (
        "带动农户",
        None,
    )
    assert cell_number("1,234.5") == (1234.5, None) and cell_number("１，２３４．５") == (
        1234.5,
        None,
    )
    assert cell_number("12%") == (12.0, "%") and cell_number("1,23") is None
    assert [is_missing(v) for v in ("—", "-", "/", "无", " ", None, "0", 0)] == [True] * 6 + [
        False
    ] * 2
    rows = office_rows()
    rows[0][3] = "面积(平方米)"
    rows[2][3], rows[3][3], rows[4][3], rows[5][3] = "66,667", "6667", "—", None
    plan = office_plan("基地.csv", office_csv(rows).encode())
    assert by_name(plan)["花椒示范园"]["area_mu"] == pytest.approx(100.0, abs=0.01)


def test_an_unknown_unit_is_a_row_problem_never_a_wrong_value() -> None:
    data = office_xlsx(office_rows("产值(美元)"))
    plan = office_plan("基地.xlsx", data)
    unit_errors = [p for p in plan.errors if p.code == "unit"]
    assert [p.row for p in unit_errors] == [4, 5]  # the two rows with a value
    assert "年产值的单位“美元”无法换算,请改为万元、元、千元或亿元" in unit_errors[0].message_zh
    assert "cannot be converted" in unit_errors[0].message_en
    assert "无法换算" in notes_zh(plan)
    assert all(f["properties"]["output_wan"] is None for f in plan.features)


def test_a_total_that_does_not_add_up_is_a_warning_naming_the_column_and_both_numbers() -> None:
    data = office_xlsx(office_rows(total=(1554.5, 50, 101)))
    plan = office_plan("基地.xlsx", data)
    (warning,) = plan.warnings
    assert warning.row == 7 and warning.field == "households" and warning.code == "total_mismatch"
    assert "“合计”行的“带动户数”为 50,而上面各行之和为 47" in warning.message_zh
    assert "gives 50 for “带动户数”, but the rows above add up to 47" in warning.message_en
    assert "带动户数" not in notes_zh(plan).split("合计行与各行之和一致")[1]
    assert len(plan.features) == 2  # a warning: the sites are still imported


def test_subtotals_sum_their_own_rows() -> None:
    rows = office_rows()
    rows.insert(4, ["小计", None, None, "1,434", 35, 101, None, None])
    rows[-1] = ["全乡合计", None, None, 1554.5, 47, 101, None, None]
    raw = read_upload("基地.csv", office_csv(rows).encode())
    assert raw.row_numbers == [4, 5, 7]
    checks = {(c.label, c.column): (c.computed, c.agrees) for c in raw.total_checks}
    assert checks[("小计", "面积(亩)")] == (1434.0, True)
    assert checks[("全乡合计", "面积(亩)")] == (1554.5, True)


def test_a_table_without_a_header_says_so() -> None:
    data = "\n".join(f"{105.6 + i / 100},{35.9 + i / 100},{i}" for i in range(30)).encode()
    with pytest.raises(UnreadableFile) as info:
        read_upload("坐标.csv", data)
    assert info.value.key == "xfer_table_no_header"
    assert "找不到表头" in info.value.message_zh and "no header row" in info.value.message_en


def test_limits_hold_for_office_tables() -> None:
    data = office_xlsx()
    with pytest.raises(UploadRefused) as info:
        read_upload("基地.xlsx", data, limits=Limits(max_cells=30))
    assert info.value.key == "xfer_too_many_cells"
    rows = office_rows()
    rows[2][0] = "花" * 200
    with pytest.raises(UploadRefused) as info:
        read_upload("基地.csv", office_csv(rows).encode(), limits=Limits(max_text_chars=100))
    assert info.value.key == "xfer_text_too_long"


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_through_the_worker_nothing_is_written_until_accepted(sample_dir: Path) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    data = office_xlsx(extra_sheets=True)
    mapping = sites_mapping("产业基地.xlsx", data)
    preview = preview_import(
        "产业基地.xlsx", data, "sites", bundle, crs=WGS84, mapping=mapping, worker=FAST
    )
    assert preview.source.endswith("基地") and preview.plan is not None
    assert any("像是数据表" in n.message_zh for n in preview.upload_notes)
    assert_office_sites(preview.plan)
    assert _digest(sample_dir) == before


def test_a_text_only_first_row_is_data_not_a_second_header() -> None:
    # A blank header cell and a first row of text only (DMS coordinates, no numbers).
    lon, lat = dms(P1.x, "E"), dms(P1.y, "N")
    data = f"名称,类型,,经度,纬度\n花椒示范园,示范基地,见附件,{lon},{lat}\n".encode()
    raw = read_upload("a.csv", data)
    assert raw.columns == ["名称", "类型", "column_3"] and raw.row_numbers == [2]
    assert raw.values("名称") == ["花椒示范园"] and raw.header_rows == (1,)
    assert abs(raw.geometries[0].x - P1.x) < 1e-5


def test_a_site_called_like_a_total_with_coordinates_stays_data() -> None:
    rows = office_rows()
    rows[3][0] = "合计"  # coordinates present: a site, however oddly named
    raw = read_upload("a.csv", office_csv(rows).encode())
    assert raw.row_numbers == [4, 5, 6] and raw.values("名称")[1] == "合计"


def test_an_organisation_office_sheet_imports_party_organisations() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某某乡党组织基本情况统计表"])
    sheet.append(["党组织名称", "类别", "上级党组织", "党员数(人)", "所在村", "位置", None])
    sheet.append([None, None, None, None, None, "经度", "纬度"])
    sheet.append(["上庄村第二党支部", "党支部", "P00", "２８", "上庄村", P1.x, P1.y])
    sheet.append(["杏树坪村老年党小组", "党小组", "—", "12人", "杏树坪村", P3.x, P3.y])
    sheet.append(["杏树坪村青年党小组", "党小组", "B03", "1,2", "杏树坪村", P3.x, P3.y])
    sheet.append(["总 计", None, None, 41, None, None, None])
    for column in "ABCDE":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("F2:G2")
    out = io.BytesIO()
    book.save(out)
    sheet["D6"] = 13
    fixed = io.BytesIO()
    book.save(fixed)
    plan = plan_import("党组织.xlsx", fixed.getvalue(), "party_orgs", BUNDLE, crs=WGS84)
    (warning,) = plan.warnings  # 28 + 12 + 13 is not 41
    assert warning.row == 7 and warning.field == "members"
    assert "“总 计”行的“党员数(人)”为 41,而上面各行之和为 53" in warning.message_zh
    plan = plan_import("党组织.xlsx", out.getvalue(), "party_orgs", BUNDLE, crs=WGS84)
    orgs = {f["properties"]["name_zh"]: f["properties"] for f in plan.features}
    first = orgs["上庄村第二党支部"]
    assert (first["level"], first["parent_id"], first["members"]) == ("branch", "P00", 28)
    assert first["village_code"] == "V01"
    second = orgs["杏树坪村老年党小组"]
    assert (second["level"], second["parent_id"], second["members"]) == ("group", None, 12)
    (bad,) = plan.errors  # "1,2" is not 12 members: said, not guessed
    assert bad.row == 6 and bad.field == "members" and "不是整数" in bad.message_zh
    assert not plan.warnings  # a column with an unreadable cell is not summed
    assert "合计行与各行之和一致" not in notes_zh(plan)


def test_a_township_row_above_the_total_is_not_added_into_it() -> None:
    rows = office_rows()
    rows.insert(-1, ["全乡", None, None, 9999, 999, None, None, None])
    raw = read_upload("基地.csv", office_csv(rows).encode())
    checks = {c.column: c.agrees for c in raw.total_checks}
    assert checks["面积(亩)"] and checks["带动户数"]
