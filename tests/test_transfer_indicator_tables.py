"""Indicator tables as township offices make them, planned and saved as indicator changes
(transfer/indicator_tables.py), and the Excel template for next year read back.

Every table is made here with openpyxl (or as CSV text); nothing is copied from elsewhere.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from township_atlas.storage.files.store import Store
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.indicator_preview import figures_table
from township_atlas.transfer.indicator_tables import NewIndicator, plan_indicators
from township_atlas.transfer.indicator_template import indicator_template_xlsx
from township_atlas.transfer.worker_jobs import plan_indicators_isolated

LAYERS = ("indicator_catalogue", "indicators")


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored(folder: Path) -> dict[str, bytes]:
    return {layer: (folder / f"{layer}.csv").read_bytes() for layer in LAYERS}


def figures(folder: Path) -> dict[tuple[str, int, str], tuple[str, str]]:
    with (folder / "indicators.csv").open(encoding="utf-8") as fh:
        return {
            (r["place_code"], int(r["year"]), r["indicator"]): (r["value"], r["target"])
            for r in csv.DictReader(fh)
        }


def save(folder: Path, plan) -> None:
    store = Store(folder)
    records = {layer: store.read_records(layer) for layer in LAYERS}
    for change in plan.to_change_sets(records, "pia"):
        store.save(change)


def bundle_of(folder: Path):
    return Store(folder).load().bundle


def values(plan) -> dict[tuple[str, int, str], tuple[float | None, float | None]]:
    return {(r.place_code, r.year, r.indicator): (r.value, r.target) for r in plan.rows}


def messages(plan, severity: str = "error") -> str:
    return "\n".join(p.message_zh for p in plan.problems if p.severity == severity)


# --- shapes -------------------------------------------------------------------------------
def test_a_wide_office_sheet_is_read_converted_and_saved(sample_dir):
    data = workbook(
        {
            "Sheet1": [
                ["青禾乡2025年各村经济情况统计表"],
                ["村名", "村集体经济收入(元)", "土地流转面积(公顷)", "备注"],
                ["上庄", "123,456", 10, None],
                ["河湾村", "２００，０００", "—", "待核"],
                ["杏树坪 村", 50000, "/", None],
                ["全乡", 400000, 30, None],
            ]
        }
    )
    plan = plan_indicators("2025统计.xlsx", data, bundle_of(sample_dir))
    assert plan.ok, messages(plan)
    got = values(plan)
    assert got[("V01", 2025, "collective_income")][0] == pytest.approx(12.3456)
    assert got[("V02", 2025, "collective_income")][0] == pytest.approx(20.0)
    assert got[("V03", 2025, "collective_income")][0] == pytest.approx(5.0)
    assert got[("620000-QH", 2025, "collective_income")][0] == pytest.approx(40.0)
    assert got[("V01", 2025, "land_transferred")][0] == pytest.approx(150.0)  # 10 ha = 150 mu
    assert ("V02", 2025, "land_transferred") not in got  # "—" is missing, not zero
    notes = "\n".join(n.message_zh for n in plan.notes)
    assert "从 元 换算为 万元" in notes and "从 公顷 换算为 亩" in notes
    assert "4 个村没有数据" in notes and "石岔村" in notes
    # the stored target stays when only the value is given; the value is a replacement
    row = next(r for r in plan.rows if r.key == "V01|2025|collective_income")
    assert row.status == "replace" and row.before_value == pytest.approx(26.9)
    assert row.target == row.before_target == pytest.approx(23.7)
    table = figures_table(plan, bundle_of(sample_dir), "zh")
    shown = table[(table["place"] == "上庄村") & (table["indicator"] == "村集体经济收入")]
    assert shown.iloc[0][["value", "target", "status"]].tolist() == [
        "26.9 → 12.3456",
        "23.7",
        "替换",
    ]
    township = table[table["place"] == "青禾乡(示例)"].iloc[0]
    assert township["value"] == "40" and township["status"] == "新增"
    save(sample_dir, plan)
    after = figures(sample_dir)
    assert float(after[("V01", 2025, "collective_income")][0]) == pytest.approx(12.3456)
    assert float(after[("V01", 2025, "collective_income")][1]) == pytest.approx(23.7)
    assert float(after[("620000-QH", 2025, "collective_income")][0]) == pytest.approx(40.0)


def test_a_transposed_sheet_has_indicators_as_rows_and_villages_as_columns(sample_dir):
    data = workbook(
        {
            "2024年": [
                ["指标", "单位", "上庄村", "河湾村", "V03", "合计"],
                ["村集体经济收入", "元", 100000, 200000, 300000, 600000],
                ["专业合作社", "个", 2, 3, None, 5],
            ]
        }
    )
    plan = plan_indicators("transposed.xlsx", data, bundle_of(sample_dir))
    assert plan.ok, messages(plan)
    assert plan.sheets[0][:2] == ("2024年", "transposed")
    got = values(plan)
    assert got[("V01", 2024, "collective_income")][0] == pytest.approx(10.0)
    assert got[("V03", 2024, "collective_income")][0] == pytest.approx(30.0)
    assert got[("V02", 2024, "cooperatives")][0] == 3.0
    assert ("V03", 2024, "cooperatives") not in got


def test_a_long_table_gives_values_and_targets_of_several_years(sample_dir):
    text = "村,年度,指标,数值,目标\n上庄村,2030,村集体经济收入,30.5,32\n"
    text += 'V02,2031,农民人均可支配收入,"12,000",13000\n河湾,2031,党员数,25,\n'
    plan = plan_indicators("long.csv", text.encode("gbk"), bundle_of(sample_dir))
    assert plan.ok, messages(plan)
    assert plan.sheets[0][1] == "long" and plan.sheets[0][2] == (2030, 2031)
    assert values(plan) == {
        ("V01", 2030, "collective_income"): (30.5, 32.0),
        ("V02", 2031, "per_capita_income"): (12000.0, 13000.0),
        ("V02", 2031, "party_members"): (25.0, None),
    }
    assert all(r.status == "new" for r in plan.rows)
    save(sample_dir, plan)
    assert figures(sample_dir)[("V02", 2031, "per_capita_income")] == ("12000", "13000")


def test_one_sheet_per_year_and_a_target_sheet_are_read_as_years_and_targets(sample_dir):
    head = ["村代码", "村名", "村集体经济收入(万元)"]
    data = workbook(
        {
            "2031年": [head, ["V01", "上庄村", 1.5], ["V02", "河湾村", 2.5]],
            "2032": [head, ["V01", "上庄村", 3.5]],
            "2032年目标": [head, ["V01", "上庄村", 4]],
            "说明": [["这一页是说明", "不是数据"]],
            "图表数据": [["月份", "降水量"], ["一月", 3]],
        }
    )
    plan = plan_indicators("years.xlsx", data, bundle_of(sample_dir))
    assert plan.ok, messages(plan)
    assert any("“图表数据”没有村名或村代码列,已跳过" in n.message_zh for n in plan.notes)
    assert values(plan) == {
        ("V01", 2031, "collective_income"): (1.5, None),
        ("V02", 2031, "collective_income"): (2.5, None),
        ("V01", 2032, "collective_income"): (3.5, 4.0),
    }
    assert [s[0] for s in plan.sheets] == ["2031年", "2032", "2032年目标"]


def test_target_columns_and_years_in_headers(sample_dir):
    data = workbook(
        {
            "统计": [
                ["村名", "2033年村集体经济收入", "目标值", "人均收入(元)", "人均收入目标"],
                ["上庄村", 11, 12, 9000, 9500],
            ]
        }
    )
    plan = plan_indicators("h.xlsx", data, bundle_of(sample_dir))
    assert messages(plan) == ""
    assert values(plan) == {
        ("V01", 2033, "collective_income"): (11.0, 12.0),
        ("V01", 2033, "per_capita_income"): (9000.0, 9500.0),
    }


def test_the_worker_gives_the_same_plan_as_in_process(sample_dir):
    data = workbook({"2025": [["村名", "村集体经济收入(元)"], ["上庄村", 50000]]})
    bundle = bundle_of(sample_dir)
    isolated = plan_indicators_isolated("w.xlsx", data, bundle)
    assert isolated == plan_indicators("w.xlsx", data, bundle)
    assert values(isolated)[("V01", 2025, "collective_income")][0] == pytest.approx(5.0)


# --- refused ------------------------------------------------------------------------------
def refused(folder: Path, plan, code: str) -> str:
    """Nothing of ``plan`` can be saved, and nothing was written."""
    before = stored(folder)
    assert not plan.ok
    with pytest.raises(TransferError) as exc:
        save(folder, plan)
    assert exc.value.key == "xfer_ind_not_ok"
    assert stored(folder) == before
    assert any(p.code == code for p in plan.errors)
    return messages(plan)


def test_a_unit_that_cannot_be_converted_is_refused_naming_column_and_units(sample_dir):
    data = workbook({"2025": [["村名", "村集体经济收入(美元)"], ["上庄村", 500]]})
    plan = plan_indicators("usd.xlsx", data, bundle_of(sample_dir))
    text = refused(sample_dir, plan, "unit")
    assert "村集体经济收入(美元)" in text and "“美元”" in text and "“万元”" in text
    assert not plan.rows


def test_a_total_that_does_not_add_up_is_refused(sample_dir):
    data = workbook(
        {
            "2025": [
                ["村名", "村集体经济收入(万元)"],
                ["上庄村", 10],
                ["河湾村", 20],
                ["合计", 35],
            ]
        }
    )
    plan = plan_indicators("total.xlsx", data, bundle_of(sample_dir))
    text = refused(sample_dir, plan, "total")
    assert "合计为 35" in text and "相加为 30" in text


def test_an_unknown_village_is_refused_with_candidates_never_guessed(sample_dir):
    data = workbook({"2025": [["村名", "村集体经济收入"], ["上庄沟", 1], ["河湾", 2]]})
    plan = plan_indicators("unknown.xlsx", data, bundle_of(sample_dir))
    text = refused(sample_dir, plan, "link")
    problem = next(p for p in plan.errors if p.code == "link")
    assert problem.value == "上庄沟" and "上庄村(V01)" in problem.candidates
    assert "“上庄沟”不是本乡的村" in text
    assert ("V01", 2025, "collective_income") not in values(plan)
    chosen = plan_indicators("unknown.xlsx", data, bundle_of(sample_dir), names={"上庄沟": "V01"})
    assert chosen.ok and values(chosen)[("V01", 2025, "collective_income")][0] == 1.0


def test_an_ambiguous_village_is_refused_listing_both(sample_dir):
    bundle = bundle_of(sample_dir)
    bundle.villages.loc[bundle.villages["code"] == "V02", "name_zh"] = "上庄社区"
    data = workbook({"2025": [["村名", "村集体经济收入"], ["上庄", 1]]})
    plan = plan_indicators("ambiguous.xlsx", data, bundle)
    text = refused(sample_dir, plan, "name_ambiguous")
    problem = plan.errors[0]
    assert set(problem.candidates) == {"上庄村(V01)", "上庄社区(V02)"}
    assert "“上庄”可以指几个村" in text


def test_no_year_anywhere_is_refused_saying_where_to_write_it(sample_dir):
    data = workbook({"Sheet1": [["村名", "村集体经济收入"], ["上庄村", 1]]})
    plan = plan_indicators("noyear.xlsx", data, bundle_of(sample_dir))
    assert "加一列“年度”" in refused(sample_dir, plan, "year")


def test_a_figure_changed_after_the_preview_is_not_overwritten(sample_dir):
    data = workbook({"2025": [["村名", "村集体经济收入"], ["上庄村", 1]]})
    plan = plan_indicators("stale.xlsx", data, bundle_of(sample_dir))
    assert plan.ok
    other = workbook({"2025": [["村名", "村集体经济收入"], ["上庄村", 2]]})
    save(sample_dir, plan_indicators("other.xlsx", other, bundle_of(sample_dir)))
    before = stored(sample_dir)
    with pytest.raises(TransferError) as exc:
        save(sample_dir, plan)
    assert exc.value.key == "xfer_ind_stale" and "V01|2025|collective_income" in str(exc.value)
    assert stored(sample_dir) == before


# --- new indicators -------------------------------------------------------------------------
def test_an_unmatched_column_is_listed_then_added_to_the_catalogue_in_the_same_step(sample_dir):
    data = workbook({"2025": [["村名", "光伏发电收入(元)", "备注"], ["上庄村", 25000, "x"]]})
    plan = plan_indicators("solar.xlsx", data, bundle_of(sample_dir))
    assert plan.ok and not plan.rows  # listed, not imported, not an error
    assert [u.name for u in plan.unmatched] == ["光伏发电收入(元)"]
    assert "光伏发电收入(元)" in messages(plan, "warning")
    new = NewIndicator("solar_income", "光伏发电收入", "Solar income", "万元", "10k yuan",
                       True, "sum")  # fmt: skip
    plan = plan_indicators(
        "solar.xlsx", data, bundle_of(sample_dir), new_indicators={"光伏发电收入(元)": new}
    )
    assert plan.ok and not plan.unmatched and plan.new_indicators == (new,)
    assert values(plan) == {("V01", 2025, "solar_income"): (2.5, None)}
    changes = plan.to_change_sets(bundle_of(sample_dir), "pia")
    assert [c.layer for c in changes] == ["indicator_catalogue", "indicators"]
    save(sample_dir, plan)
    catalogue = (sample_dir / "indicator_catalogue.csv").read_text(encoding="utf-8")
    assert "solar_income,光伏发电收入,Solar income,万元,10k yuan,true" in catalogue
    assert figures(sample_dir)[("V01", 2025, "solar_income")] == ("2.5", "")
    assert not [f for f in Store(sample_dir).load().findings if f.severity == "error"]


@pytest.mark.parametrize(
    ("new", "key"),
    [
        (NewIndicator("Solar Income", "光伏", "Solar"), "xfer_ind_new_key"),
        (NewIndicator("collective_income", "光伏", "Solar"), "xfer_ind_new_exists"),
        (NewIndicator("solar", "光伏", "Solar", aggregate="max"), "xfer_ind_new_aggregate"),
        (NewIndicator("solar", "", "Solar"), "xfer_ind_new_label"),
    ],
)
def test_a_badly_formed_new_indicator_is_refused(sample_dir, new, key):
    data = workbook({"2025": [["村名", "光伏"], ["上庄村", 1]]})
    with pytest.raises(TransferError) as exc:
        plan_indicators("solar.xlsx", data, bundle_of(sample_dir), new_indicators={"光伏": new})
    assert exc.value.key == key and "光伏" in exc.value.message_zh


# --- the template ---------------------------------------------------------------------------
def test_the_template_imported_back_unchanged_gives_no_error_and_no_change(sample_dir):
    bundle = bundle_of(sample_dir)
    data = indicator_template_xlsx(bundle, 2026)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["指标填报 2026", "说明"]
    sheet = book["指标填报 2026"]
    assert "2026" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["村代码", "村名", "村集体经济收入(万元)", "村集体经济收入目标(万元)"]
    codes = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert codes == ["V01", "V02", "V03", "V04", "V05", "V06", "V07", "620000-QH"]
    assert sheet["D3"].value == pytest.approx(26.3)  # V01's 2026 target, pre-filled
    plan = plan_indicators("template.xlsx", data, bundle)
    assert plan.ok and not plan.problems and not plan.unmatched
    assert plan.rows and not plan.changes
    assert plan.to_change_sets(bundle, "pia") == []


def test_the_filled_template_gives_exactly_the_typed_values(sample_dir):
    bundle = bundle_of(sample_dir)
    book = openpyxl.load_workbook(io.BytesIO(indicator_template_xlsx(bundle, 2026)))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[2]]
    typed = {
        (3, "村集体经济收入(万元)"): 30.2,
        (4, "土地流转面积(亩)"): 1500,
        (10, "村集体经济收入(万元)"): 210.5,
        (3, "村集体经济收入目标(万元)"): 28,
    }
    for (row, column), value in typed.items():
        sheet.cell(row=row, column=header.index(column) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    plan = plan_indicators("filled.xlsx", buffer.getvalue(), bundle)
    assert plan.ok, messages(plan)
    assert {(r.place_code, r.indicator): (r.value, r.target) for r in plan.changes} == {
        ("V01", "collective_income"): (30.2, 28.0),
        ("V02", "land_transferred"): (1500.0, 1106.0),
        ("620000-QH", "collective_income"): (210.5, None),
    }
    before = figures(sample_dir)
    save(sample_dir, plan)
    after = figures(sample_dir)
    assert {k for k in after if after[k] != before.get(k)} == {
        ("V01", 2026, "collective_income"),
        ("V02", 2026, "land_transferred"),
        ("620000-QH", 2026, "collective_income"),
    }
    assert after[("V01", 2026, "collective_income")] == ("30.2", "28")


def test_a_single_sheet_without_a_village_column_is_refused_saying_what_to_add(sample_dir):
    data = workbook({"2025": [["月份", "村集体经济收入"], ["一月", 3]]})
    with pytest.raises(TransferError) as exc:
        plan_indicators("months.xlsx", data, bundle_of(sample_dir))
    assert exc.value.key == "xfer_ind_no_place_column"
    assert "加一列“村名”或“村代码”" in exc.value.message_zh and "月份" in exc.value.message_zh


def test_a_two_row_merged_header_gives_values_and_targets_with_the_groups_unit(sample_dir):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2034年"
    sheet.append(["村名", "村集体经济收入(元)", None, "土地流转面积(亩)", None])
    sheet.append([None, "数值", "目标", "数值", "目标"])
    sheet.append(["上庄村", 100000, 120000, 800, 900])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet.merge_cells("D1:E1")
    buffer = io.BytesIO()
    book.save(buffer)
    plan = plan_indicators("merged.xlsx", buffer.getvalue(), bundle_of(sample_dir))
    assert plan.ok, messages(plan)
    assert values(plan) == {
        ("V01", 2034, "collective_income"): (10.0, 12.0),
        ("V01", 2034, "land_transferred"): (800.0, 900.0),
    }
