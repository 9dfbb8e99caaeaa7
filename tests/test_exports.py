"""Downloads: the xlsx reads back equal to what was shown, the CSV opens in Excel with
Chinese headers, and nothing from the data becomes a formula."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from township_atlas.storage.files.store import Store
from township_atlas.views import indicator_export as exports


@pytest.fixture
def bundle(sample_dir):
    return Store(sample_dir).load().bundle


def test_indicator_sheet_has_chinese_headers_with_units(bundle):
    sheet = exports.indicator_sheet(bundle, 2025)
    assert list(sheet.columns[:3]) == ["村代码", "村", "村集体经济收入(万元)"]
    assert "土地流转面积(亩)" in sheet.columns
    assert sheet["村"].tolist()[:2] == ["上庄村", "河湾村"]
    english = exports.indicator_sheet(bundle, 2025, "en")
    assert list(english.columns[:3]) == ["Village code", "Village", "Collective income(10k yuan)"]


def test_xlsx_reads_back_equal(bundle):
    sheets = {
        "values": exports.indicator_sheet(bundle, 2025),
        "totals": exports.totals_sheet(bundle, 2025),
        "detail": exports.detail_sheet(bundle, 2025),
    }
    data = exports.xlsx_bytes(sheets)
    back = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl")
    assert list(back) == list(sheets)
    for name, frame in sheets.items():
        got = back[name]
        assert list(got.columns) == list(frame.columns)
        for column in frame.columns:
            want = frame[column]
            if pd.api.types.is_numeric_dtype(want):
                np.testing.assert_allclose(
                    got[column].to_numpy(float), want.to_numpy(float), equal_nan=True
                )
            else:
                assert got[column].fillna("").astype(str).tolist() == want.fillna("").tolist()


def test_indicator_workbook_has_the_three_sheets_and_numbers_stay_numbers(bundle):
    book = load_workbook(io.BytesIO(exports.indicator_workbook(bundle, 2025)))
    assert book.sheetnames == ["2025年各村指标", "2025年全乡合计", "2025年明细"]
    sheet = book["2025年各村指标"]
    assert sheet["A1"].value == "村代码" and sheet["C1"].value == "村集体经济收入(万元)"
    assert isinstance(sheet["C2"].value, (int, float))
    assert sheet.freeze_panes == "C2"


def test_csv_is_utf8_with_bom_and_reads_back_equal(bundle):
    frame = exports.indicator_sheet(bundle, 2025)
    data = exports.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read Chinese
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == list(frame.columns)
    assert back["村代码"].tolist() == frame["村代码"].tolist()
    for column in frame.columns[2:]:
        np.testing.assert_allclose(
            back[column].to_numpy(float), frame[column].to_numpy(float), equal_nan=True
        )


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_text_from_the_data_never_becomes_a_formula(text):
    frame = pd.DataFrame({"村": [text], "数值": [1.5]})
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes({"s": frame})))["s"]
    assert sheet["A2"].value == text and sheet["A2"].data_type == "s"
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1][0] == "'" + text


def test_negative_numbers_are_numbers_not_escaped_text():
    frame = pd.DataFrame({"较上年": [-1.5, 2.0]})
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[1:] == [["-1.5"], ["2"]]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("2025年各村指标", "2025年各村指标"), ("a/b:c*d?[e]", "a_b_c_d__e_"), ("x" * 40, "x" * 31)],
)
def test_sheet_titles_are_valid_in_excel(name, expected):
    assert exports.sheet_title(name) == expected
