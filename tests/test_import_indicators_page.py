"""AppTest of 数据编辑 → 导入 → 指标: a planner uploads an office's statistics sheet, sees
the figures before and after, chooses a village the sheet names oddly, accepts, and the
stored indicators hold the figures; a table that is wrong writes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from township_atlas.storage.files import history

from .accounts_helpers import install_accounts
from .test_edit_page import edit_page, texts, widget

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def accounts(data_env, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    return install_accounts(tmp_path, monkeypatch)


def sheet(rows: list[list[object]], title: str = "2031年") -> bytes:
    book = openpyxl.Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in ("indicators.csv", "indicator_catalogue.csv")}


def figures(folder: Path) -> dict[tuple[str, str, str], tuple[str, str]]:
    with (folder / "indicators.csv").open(encoding="utf-8") as fh:
        return {
            (r["place_code"], r["year"], r["indicator"]): (r["value"], r["target"])
            for r in csv.DictReader(fh)
        }


def indicator_import(login: str = "pia") -> AppTest:
    at = edit_page(login)
    at.segmented_control[0].set_value("import").run()
    next(c for c in at.segmented_control if c.label == "导入内容").set_value("indicators").run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, XLSX)).run()
    assert not at.exception, at.exception
    return at


def test_a_planner_imports_a_wide_sheet_after_choosing_a_village(accounts, data_env):
    data = sheet(
        [
            ["青禾乡2031年各村统计表"],
            ["村名", "村集体经济收入(元)", "专业合作社(个)"],
            ["上庄村", "123,456", 2],
            ["河湾", 200000, "—"],
            ["上庄沟", 10000, 1],
        ]
    )
    before = stored(data_env)
    at = upload(indicator_import(), "统计表.xlsx", data)
    # "上庄沟" is no village: the page asks, offers the nearest ones, and writes nothing
    assert "“上庄沟”不是本乡的村" in " ".join(str(d.value) for d in at.dataframe)
    assert not any(b.label.startswith("接受导入") for b in at.button)
    assert stored(data_env) == before
    pick = widget(at, "selectbox", "“上庄沟”")
    assert "塬头村(V07)" in pick.options
    pick.set_value("塬头村(V07)").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["新增"] == "5" and metrics["错误"] == "0"
    assert "换算为 万元" in " ".join(c.value for c in at.caption)
    assert stored(data_env) == before  # a preview writes nothing
    widget(at, "button", "接受导入").click().run()
    assert not at.exception, at.exception
    after = figures(data_env)
    assert after[("V01", "2031", "collective_income")] == ("12.3456", "")
    assert after[("V02", "2031", "collective_income")] == ("20", "")
    assert after[("V07", "2031", "collective_income")] == ("1", "")
    assert after[("V07", "2031", "cooperatives")] == ("1", "")
    assert ("V02", "2031", "cooperatives") not in after
    entry = history.entries(data_env, "indicators")[-1]
    assert entry.user == "pia" and "统计表.xlsx" in entry.note and len(entry.changes) == 5
    assert "已导入 5 个指标数字" in texts(at)


def test_a_new_column_is_added_to_the_catalogue_in_the_same_step(accounts, data_env):
    data = sheet([["村代码", "光伏发电收入(万元)"], ["V03", 4.5]])
    at = upload(indicator_import(), "光伏.xlsx", data)
    assert "光伏发电收入(万元)" in " ".join(str(d.value) for d in at.dataframe)
    widget(at, "text_input", "指标代码").set_value("solar_income")
    widget(at, "text_input", "英文名称").set_value("Solar income")
    widget(at, "text_input", "单位(英文)").set_value("10k yuan")
    widget(at, "button", "加入并重新检查").click().run()
    assert not at.exception, at.exception
    widget(at, "button", "接受导入").click().run()
    assert not at.exception, at.exception
    catalogue = (data_env / "indicator_catalogue.csv").read_text(encoding="utf-8")
    assert "solar_income,光伏发电收入,Solar income,万元,10k yuan,true,economy,,sum" in catalogue
    assert figures(data_env)[("V03", "2031", "solar_income")] == ("4.5", "")


def test_a_table_whose_total_does_not_add_up_writes_nothing(accounts, data_env):
    data = sheet([["村名", "村集体经济收入(万元)"], ["上庄村", 10], ["河湾村", 20], ["合计", 99]])
    before = stored(data_env)
    at = upload(indicator_import(), "错的合计.xlsx", data)
    assert any("合计为 99" in str(d.value) for d in at.dataframe)
    assert any("不能导入" in e.value for e in at.error)
    assert not any(b.label.startswith("接受导入") for b in at.button)
    assert stored(data_env) == before


def test_an_unreadable_upload_is_refused_with_a_message_and_nothing_written(accounts, data_env):
    before = stored(data_env)
    at = upload(indicator_import(), "坏.xlsx", b"PK\x03\x04 not really a workbook")
    assert at.error and "没有写入" in " ".join(c.value for c in at.caption)
    assert stored(data_env) == before
