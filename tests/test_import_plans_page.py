"""AppTest of 导入规划和产业链 on the 数据编辑 page's import tab: a planner downloads the plan
template, uploads it edited, sees the village's changes, accepts and plans.yaml holds the
edit; a bad file writes nothing; a chains table from the office adds a chain."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from township_atlas.storage.files import history
from township_atlas.storage.files.store import Store
from township_atlas.transfer.plan_tables import plans_template_xlsx
from township_atlas.ui import import_plans

from .test_edit_page import (
    accounts,  # noqa: F401 - the page tests' fixture
    edit_page,
    texts,
    widget,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _import(at: AppTest, kind: str) -> AppTest:
    at.segmented_control[0].set_value("import").run()
    control = next(c for c in at.segmented_control if c.label == "导入内容")
    return control.set_value(kind).run()


def _capture_templates(monkeypatch) -> list[bytes]:
    """The template files the page makes (the bytes behind its download button)."""
    made: list[bytes] = []

    def make(bundle):
        made.append(plans_template_xlsx(bundle))
        return made[-1]

    monkeypatch.setattr(import_plans, "plans_template_xlsx", make)
    return made


@pytest.mark.usefixtures("accounts")
def test_a_planner_downloads_the_template_uploads_an_edit_and_accepts(data_env, monkeypatch):
    made = _capture_templates(monkeypatch)
    at = _import(edit_page("pia"), "plans")
    assert not at.exception, at.exception
    widget(at, "button", "生成规划模板").click().run()
    assert not at.exception, at.exception
    (offered,) = at.get("download_button")
    assert offered.proto.label.endswith("一村一业规划.xlsx")
    (data,) = made
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["塬头村"]["B2"] = "小杂粮和中药材"
    out = io.BytesIO()
    book.save(out)
    before = _files(data_env)
    at.file_uploader(key="import_plans_file").set_value(("规划.xlsx", out.getvalue(), XLSX)).run()
    assert not at.exception, at.exception
    assert any("塬头村:1 项修改" in m.value for m in at.markdown)
    assert any("小杂粮和中药材" in str(df.value.to_dict()) for df in at.dataframe)
    assert _files(data_env) == before  # the preview writes nothing
    widget(at, "button", "接受并保存 1 个村的规划").click().run()
    assert not at.exception, at.exception
    plans = yaml.safe_load((data_env / "plans.yaml").read_text(encoding="utf-8"))["villages"]
    assert plans["V07"]["leading_industry_zh"] == "小杂粮和中药材"
    entry = history.entries(data_env, "plans")[-1]
    assert entry.user == "pia" and "规划.xlsx" in entry.note
    assert [c["id"] for c in entry.changes] == ["V07"]
    assert any("已保存 1 个村的规划" in s.value for s in at.success)


@pytest.mark.usefixtures("accounts")
def test_a_bad_plans_file_writes_nothing_and_says_why(data_env):
    at = _import(edit_page("pia"), "plans")
    before = _files(data_env)
    template = plans_template_xlsx(Store(data_env).load().bundle)
    book = openpyxl.load_workbook(io.BytesIO(template))
    ws = book["上庄村"]
    ws.cell(6, 3, "不存在的指标")
    ws["B2"] = "肉牛和饲草"
    out = io.BytesIO()
    book.save(out)
    at.file_uploader(key="import_plans_file").set_value(("规划.xlsx", out.getvalue(), XLSX)).run()
    assert not at.exception, at.exception
    assert "以下村的规划有问题,本次不导入:上庄村" in texts(at)
    assert any("不在指标目录中" in str(df.value.to_dict()) for df in at.dataframe)
    assert "没有需要保存的修改" in texts(at)
    assert not [b for b in at.button if b.label.startswith("接受并保存")]
    # Not a workbook at all: refused with the reason.
    at.file_uploader(key="import_plans_file").set_value(("规划.xlsx", b"not excel", XLSX)).run()
    assert not at.exception, at.exception
    assert at.error and "没有写入" in " ".join(c.value for c in at.caption)
    assert _files(data_env) == before


@pytest.mark.usefixtures("accounts")
def test_a_chains_table_from_the_office_adds_a_chain(data_env):
    at = _import(edit_page("pia"), "chains")
    assert not at.exception, at.exception
    table = "\n".join(
        [
            "新堡村产业链统计表,,,,",
            "产业链,主导产业,环节序号,环节,依托基地",
            "苹果全产业链,苹果,1,种苗繁育,新堡苹果种苗致富项目",
            ",,2,标准化果园,新堡苹果基地",
        ]
    ).encode("utf-8")
    at.file_uploader(key="import_chains_file").set_value(("产业链.csv", table, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("苹果全产业链(新增,编号 C04)" in m.value for m in at.markdown)
    widget(at, "button", "接受并保存 1 条产业链").click().run()
    assert not at.exception, at.exception
    assert "C04,苹果全产业链,,苹果" in (data_env / "chains.csv").read_text(encoding="utf-8")
    stages = (data_env / "chain_stages.csv").read_text(encoding="utf-8")
    assert "C04,1,种苗繁育,,S028" in stages and "C04,2,标准化果园,,S025" in stages
