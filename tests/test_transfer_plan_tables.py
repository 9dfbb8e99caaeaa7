"""Plans (一村一业) and industry chains from Excel (issue 17): the per-village plan template
read back (round trip, edits, added rows, Chinese statuses and dates typed as text, bad
cells), and office chain tables (title row, merged two-row header, sites by name, new ids).
Every workbook is made here with openpyxl; each bad case checks the message and that the
stored data is unchanged."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
import yaml

from township_atlas.storage.files.store import Store
from township_atlas.transfer import TransferError, UnreadableFile
from township_atlas.transfer.plan_tables import (
    chains_template_xlsx,
    parse_date,
    parse_status,
    plan_chains,
    plan_plans,
    plans_template_xlsx,
)
from township_atlas.transfer.worker_jobs import plan_chains_isolated, plan_plans_isolated
from township_atlas.views.plans import village_plan


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _find(ws, text: str) -> int:
    """The row whose first cell is ``text``."""
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == text)


def _plans_file(folder: Path) -> dict:
    return yaml.safe_load((folder / "plans.yaml").read_text(encoding="utf-8"))["villages"]


# --- plans ------------------------------------------------------------------------------
def test_the_template_has_a_sheet_per_village_with_drop_downs(sample_dir):
    bundle = Store(sample_dir).load().bundle
    book = _book(plans_template_xlsx(bundle))
    assert book.sheetnames[0] == "说明"
    assert book.sheetnames[1:] == list(bundle.villages["name_zh"])
    ws = book["上庄村"]
    assert "上庄村" in ws["A1"].value and ws["A2"].value == "主导产业"
    assert ws["B2"].value == "肉牛养殖"
    head = _find(ws, "年度")
    assert [ws.cell(head, c).value for c in range(1, 5)] == ["年度", "目标", "指标", "目标值"]
    assert ws.cell(head + 1, 3).value == "土地流转面积"  # the catalogue's label, not its key
    lists = [v.formula1 for v in ws.data_validations.dataValidation]
    assert any("说明" in f for f in lists) and any("已完成" in f for f in lists)
    guide = book["说明"]
    labels = [guide.cell(r, 1).value for r in range(5, guide.max_row + 1)]
    assert labels == list(bundle.indicator_catalogue["label_zh"])


def test_the_template_read_back_unchanged_changes_nothing(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    plan = plan_plans("规划.xlsx", plans_template_xlsx(bundle), bundle)
    assert plan.problems == ()
    assert len(plan.villages) == len(bundle.villages)
    assert plan.changed == ()
    change = plan.to_change_set(store.read_records("plans"), "pia")
    assert change.upserts == [] and change.layer == "plans"


def test_an_edited_template_gives_exactly_the_edits(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    before = _plans_file(sample_dir)
    book = _book(plans_template_xlsx(bundle))
    ws = book["河湾村"]
    ws["B2"] = "设施蔬菜和食用菌"
    goals = _find(ws, "年度")
    ws.cell(goals + 1, 2, "育苗中心建成投用")  # a goal's text
    milestones = _find(ws, "节点")
    ws.cell(milestones + 4, 3, "已完成")  # in progress -> done, in Chinese
    ws.cell(milestones + 4, 2, "2026年6月")  # a date typed as text: the month's last day
    measures = _find(ws, "措施")
    ws.cell(measures + 2, 1).value = None  # a measure deleted (its row left blank)
    plan = plan_plans("规划.xlsx", _bytes(book), bundle)
    assert plan.problems == ()
    assert [v.code for v in plan.changed] == ["V02"]
    items = {d.item for d in plan.changed[0].differences}
    assert items == {"industry", "goals", "measures", "milestones"}
    change = plan.to_change_set(store.read_records("plans"), "pia")
    assert [u["id"] for u in change.upserts] == ["V02"]
    store.save(change)
    after = _plans_file(sample_dir)
    assert {c: p for c, p in after.items() if c != "V02"} == {
        c: p for c, p in before.items() if c != "V02"
    }
    new, old = after["V02"], before["V02"]
    assert new["leading_industry_zh"] == "设施蔬菜和食用菌"
    assert new["goals"][0]["text_zh"] == "育苗中心建成投用"
    assert new["goals"][0]["year"] == old["goals"][0]["year"]
    assert new["goals"][1:] == old["goals"][1:]
    assert new["measures_zh"] == old["measures_zh"][:1] + old["measures_zh"][2:]
    assert new["milestones"][3]["status"] == "done"
    assert new["milestones"][3]["due"] == "2026-06-30"
    assert new["milestones"][:3] == old["milestones"][:3]
    assert new["problems"] == old["problems"]  # what the sheet does not show is kept


def test_added_goal_rows_with_text_years_targets_and_excel_dates(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    book = _book(plans_template_xlsx(bundle))
    ws = book["石岔村"]
    goals = _find(ws, "年度")
    old_count = _find(ws, "措施") - goals - 8  # goal rows before the spare rows
    ws.insert_rows(goals + 2)  # a row inserted between two goals
    ws.cell(goals + 2, 1, "２０２８年")
    ws.cell(goals + 2, 2, "马铃薯全粉加工线投产")
    ws.cell(goals + 2, 3, "主导产业产值")
    ws.cell(goals + 2, 4, "1,200")
    spare = goals + 2 + old_count + 1  # first spare row under the goals
    ws.cell(spare, 1, 2029)
    ws.cell(spare, 2, "合作社入社农户翻番")
    ws.cell(spare, 3, "Cooperatives")  # the English label is understood too
    milestones = _find(ws, "节点")
    row = milestones + 1
    while ws.cell(row, 1).value:
        row += 1
    ws.cell(row, 1, "全粉加工线试产")
    ws.cell(row, 2, dt.datetime(2027, 3, 15))
    ws.cell(milestones, 1, "节点名称")  # a retitled header still starts the table
    ws.cell(row + 1, 1, "品牌注册")
    ws.cell(row + 1, 2, "2027年")
    ws.cell(row + 1, 3, "进行中")
    plan = plan_plans("规划.xlsx", _bytes(book), bundle)
    assert plan.problems == ()
    change = plan.to_change_set(store.read_records("plans"), "pia")
    assert [u["id"] for u in change.upserts] == ["V04"]
    new = change.upserts[0]["properties"]
    added = new["goals"][1]
    assert added == {
        "year": 2028,
        "text_zh": "马铃薯全粉加工线投产",
        "indicator": "industry_output",
        "target": 1200,
    }
    assert new["goals"][-1] == {
        "year": 2029,
        "text_zh": "合作社入社农户翻番",
        "indicator": "cooperatives",
    }
    assert new["milestones"][-2:] == [
        {"name_zh": "全粉加工线试产", "due": "2027-03-15", "status": "not_started", "done": None},
        {"name_zh": "品牌注册", "due": "2027-12-31", "status": "in_progress", "done": None},
    ]
    store.save(change)
    assert _plans_file(sample_dir)["V04"]["goals"][1]["target"] == 1200
    # With no target recorded for 2028, the village page shows the plan's own.
    shown = village_plan(store.load().bundle, "V04")
    assert next(g for g in shown.goals if g.year == 2028).target == 1200.0


def _bad_case(sample_dir, edit) -> tuple:
    store = Store(sample_dir)
    bundle = store.load().bundle
    book = _book(plans_template_xlsx(bundle))
    edit(book)
    before = _files(sample_dir)
    plan = plan_plans("规划.xlsx", _bytes(book), bundle)
    change = plan.to_change_set(store.read_records("plans"), "pia")
    return plan, change, before


def test_an_unknown_indicator_label_is_a_problem_and_that_village_is_not_imported(sample_dir):
    def edit(book):
        ws = book["新堡村"]
        ws.cell(_find(ws, "年度") + 1, 3, "村集体收入")
        ws["B2"] = "苹果和桃"  # an edit on the same sheet: not imported either
        book["上庄村"]["B2"] = "肉牛和饲草"  # another village's edit still goes through

    plan, change, before = _bad_case(sample_dir, edit)
    (problem,) = plan.problems
    assert problem.sheet == "新堡村" and problem.code == "unknown_indicator"
    assert "指标“村集体收入”不在指标目录中" in problem.message_zh
    assert "村集体经济收入" in problem.candidates
    assert "not in the catalogue" in problem.message_en
    assert [v.code for v in plan.blocked] == ["V05"]
    assert [u["id"] for u in change.upserts] == ["V01"]
    assert _files(sample_dir) == before  # reading wrote nothing


def test_a_bad_date_year_target_or_status_names_its_row(sample_dir):
    def edit(book):
        ws = book["红柳村"]
        goals = _find(ws, "年度")
        ws.cell(goals + 1, 1, "明年")
        ws.cell(goals + 2, 4, "很多")
        milestones = _find(ws, "节点")
        ws.cell(milestones + 1, 2, "2025年13月")
        ws.cell(milestones + 2, 3, "差不多了")
        ws.cell(milestones + 3, 1).value = None  # a milestone without its name

    plan, change, before = _bad_case(sample_dir, edit)
    codes = [p.code for p in plan.problems]
    assert codes == ["bad_year", "bad_target", "bad_date", "bad_status", "no_name"]
    messages = [p.message_zh for p in plan.problems]
    assert "年度“明年”不是年份" in messages[0]
    assert "完成时间“2025年13月”不是日期" in messages[2]
    assert "工作表“红柳村”第" in messages[2]
    assert "状态“差不多了”无法识别" in messages[3]
    assert change.upserts == []
    assert _files(sample_dir) == before


def test_a_sheet_for_an_unknown_village_is_listed_and_the_rest_read(sample_dir):
    def edit(book):
        book["塬头村"].title = "塬上村"
        book["杏树坪村"].title = "杏树坪"  # without 村 it is still that village
        book["杏树坪"]["B2"] = "中药材和蜂蜜"

    plan, change, before = _bad_case(sample_dir, edit)
    (problem,) = plan.problems
    assert problem.code == "unknown" and problem.row == 0
    assert "工作表名“塬上村”不是本乡的村名" in problem.message_zh
    assert "塬头村(V07)" in problem.candidates
    assert [u["id"] for u in change.upserts] == ["V03"]
    assert _files(sample_dir) == before


def test_a_file_that_is_not_a_workbook_is_refused(sample_dir):
    bundle = Store(sample_dir).load().bundle
    before = _files(sample_dir)
    with pytest.raises(TransferError) as err:
        plan_plans("规划.csv", "村,主导产业\n上庄村,肉牛\n".encode(), bundle)
    assert err.value.key == "xfer_pt_not_xlsx"
    assert "不是 Excel 工作簿" in err.value.message_zh
    assert _files(sample_dir) == before


def test_dates_and_statuses_as_people_write_them():
    assert parse_date("2025年6月") == "2025-06-30"
    assert parse_date("2024年2月") == "2024-02-29"
    assert parse_date("2025年6月15日") == "2025-06-15"
    assert parse_date("2025/6/5") == "2025-06-05"
    assert parse_date("２０２５年底") == "2025-12-31"
    assert parse_date(dt.date(2025, 1, 2)) == "2025-01-02"
    assert parse_date(45658) == "2025-01-01"  # an Excel day number
    assert parse_date("2025-02-30") is None and parse_date("下半年") is None
    assert parse_status("已完成") == "done" and parse_status("进行中") == "in_progress"
    assert parse_status("推进中") == "in_progress" and parse_status(None) == "not_started"
    assert parse_status("Delayed") == "delayed" and parse_status("快了") is None


# --- chains -----------------------------------------------------------------------------
def _office_chains(rows: list[tuple]) -> bytes:
    """An office's chains sheet: a title row, a two-row header whose 产业环节 cell is merged
    over 环节序号/环节/依托基地, chain names merged down their stages."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "产业链"
    ws["A1"] = "青禾乡2025年产业链统计表"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["B2"], ws["C2"] = "产业链", "主导产业", "产业环节"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:E2")
    ws["C3"], ws["D3"], ws["E3"] = "环节序号", "环节", "依托基地"
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    return _bytes(book)


APPLE = [
    ("苹果全产业链", "苹果", 1, "种苗繁育", "新堡苹果种苗致富项目"),
    (None, None, 2, "标准化果园", "新堡苹果基地"),
    (None, None, 3, "烘干加工", "新堡 苹果烘干致富项目"),  # spaces: still that site
]


def test_a_chain_table_with_a_title_row_and_merged_header_adds_a_chain_with_the_next_id(
    sample_dir,
):
    store = Store(sample_dir)
    bundle = store.load().bundle
    plan = plan_chains("产业链.xlsx", _office_chains(APPLE), bundle)
    assert plan.problems == ()
    (chain,) = plan.chains
    assert chain.chain_id == "C04" and chain.new and chain.industry_zh == "苹果"
    assert [(s.seq, s.stage_zh, s.site_id) for s in chain.stages] == [
        (1, "种苗繁育", "S028"),
        (2, "标准化果园", "S025"),
        (3, "烘干加工", "S027"),
    ]
    records = {layer: store.read_records(layer) for layer in ("chains", "chain_stages")}
    chains, stages = plan.to_change_sets(records, "pia")
    assert [u["properties"]["chain_id"] for u in chains.upserts] == ["C04"]
    assert len(stages.upserts) == 3 and stages.deletes == []
    store.save(chains)
    store.save(stages)
    text = (sample_dir / "chain_stages.csv").read_text(encoding="utf-8")
    assert "C04,2,标准化果园,,S025" in text
    assert "C04,苹果全产业链,,苹果" in (sample_dir / "chains.csv").read_text(encoding="utf-8")


def test_two_new_chains_continue_the_numbering_and_an_existing_one_is_replaced(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    rows = [
        *APPLE,
        ("小杂粮产业链", "小杂粮", None, "订单种植", "塬头小杂粮基地"),
        (None, None, None, "杂粮加工", "塬头小杂粮加工致富项目"),
        ("肉牛全产业链", "肉牛养殖", 1, "饲草种植", "上庄肉牛养殖专业合作社"),
        (None, None, 2, "规模养殖", "上庄肉牛养殖基地"),
    ]
    plan = plan_chains("产业链.xlsx", _office_chains(rows), bundle)
    assert plan.problems == ()
    assert [(c.chain_id, c.new) for c in plan.chains] == [
        ("C04", True),
        ("C05", True),
        ("C01", False),
    ]
    assert [s.seq for s in plan.chains[1].stages] == [1, 2]  # blank numbers: the rows' order
    records = {layer: store.read_records(layer) for layer in ("chains", "chain_stages")}
    chains, stages = plan.to_change_sets(records, "pia")
    assert sorted(u["properties"]["chain_id"] for u in chains.upserts) == ["C04", "C05"]
    # C01's first two stages are as before (English names kept); stages 3 and 4 go.
    assert sorted(stages.deletes) == ["C01|3", "C01|4"]
    assert not any(u["properties"]["chain_id"] == "C01" for u in stages.upserts)


def test_the_chains_template_read_back_changes_nothing(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    plan = plan_chains("产业链.xlsx", chains_template_xlsx(bundle), bundle)
    assert plan.problems == () and len(plan.chains) == len(bundle.chains)
    records = {layer: store.read_records(layer) for layer in ("chains", "chain_stages")}
    chains, stages = plan.to_change_sets(records, "pia")
    assert chains.upserts == [] and stages.upserts == [] and stages.deletes == []


def test_unknown_and_ambiguous_site_names_are_listed_with_candidates_never_guessed(sample_dir):
    store = Store(sample_dir)
    bundle = store.load().bundle
    # Two sites written alike: "新堡苹果示范基地" and a second one of the same name.
    bundle.sites.loc[bundle.sites["site_id"] == "S030", "name_zh"] = "新堡苹果示范基地"
    rows = [
        ("苹果全产业链", "苹果", 1, "示范", "新堡苹果示范基地"),
        (None, None, 2, "果园", "新堡苹果大基地"),
        ("小杂粮产业链", "小杂粮", 1, "订单种植", "塬头小杂粮基地"),
    ]
    before = _files(sample_dir)
    plan = plan_chains("产业链.xlsx", _office_chains(rows), bundle)
    ambiguous, unknown = plan.problems
    assert ambiguous.code == "name_ambiguous" and ambiguous.row == 4
    assert set(ambiguous.candidates) == {"新堡苹果示范基地(S026)", "新堡苹果示范基地(S030)"}
    assert "对应多个点位" in ambiguous.message_zh and "(S026)" in ambiguous.message_zh
    assert unknown.code == "link" and unknown.row == 5
    assert "依托基地“新堡苹果大基地”在点位中找不到" in unknown.message_zh
    assert "新堡苹果基地(S025)" in unknown.candidates
    assert plan.skipped == ("苹果全产业链",)
    assert [c.chain_id for c in plan.chains] == ["C04"]  # the sound chain still goes
    assert _files(sample_dir) == before
    # Written with its id, as the message suggests, the name is no longer ambiguous.
    rows[0] = ("苹果全产业链", "苹果", 1, "示范", "新堡苹果示范基地(S030)")
    rows[1] = (None, None, 2, "果园", "新堡苹果基地")
    fixed = plan_chains("产业链.xlsx", _office_chains(rows), bundle)
    assert fixed.problems == ()
    assert [s.site_id for s in fixed.chains[0].stages] == ["S030", "S025"]


def test_a_chain_table_without_the_site_column_says_which_columns_it_needs(sample_dir):
    bundle = Store(sample_dir).load().bundle
    data = "产业链,环节\n苹果全产业链,种苗\n".encode()
    before = _files(sample_dir)
    with pytest.raises(UnreadableFile) as err:
        plan_chains("产业链.csv", data, bundle)
    assert err.value.key == "xfer_ct_missing_columns"
    assert "缺少列:依托基地" in err.value.message_zh
    assert _files(sample_dir) == before


def test_both_imports_run_in_the_worker_with_the_same_result(sample_dir):
    bundle = Store(sample_dir).load().bundle
    book = _book(plans_template_xlsx(bundle))
    book["上庄村"]["B2"] = "肉牛和饲草"
    data = _bytes(book)
    assert plan_plans_isolated("规划.xlsx", data, bundle) == plan_plans("规划.xlsx", data, bundle)
    chains = _office_chains(APPLE)
    assert plan_chains_isolated("产业链.xlsx", chains, bundle) == plan_chains(
        "产业链.xlsx", chains, bundle
    )


def test_a_hand_written_plans_file_with_bare_dates_reads_back_unchanged_in_the_worker(
    sample_dir,
):
    path = sample_dir / "plans.yaml"
    text = path.read_text(encoding="utf-8").replace("due: '2023-10-31'", "due: 2023-10-31")
    assert "due: 2023-10-31" in text  # YAML loads it as a date, not as text
    path.write_text(text, encoding="utf-8")
    store = Store(sample_dir)
    bundle = store.load().bundle
    before = _files(sample_dir)
    plan = plan_plans_isolated("规划.xlsx", plans_template_xlsx(bundle), bundle)
    assert plan.problems == () and plan.changed == ()
    assert plan.to_change_set(store.read_records("plans"), "pia").upserts == []
    assert _files(sample_dir) == before


def test_one_chain_written_under_two_names_is_a_problem(sample_dir):
    bundle = Store(sample_dir).load().bundle
    before = _files(sample_dir)
    rows = [
        ("肉牛全产业链", "肉牛养殖", 1, "饲草种植", "上庄肉牛养殖专业合作社"),
        ("C01", "肉牛养殖", 2, "规模养殖", "上庄肉牛养殖基地"),
    ]
    plan = plan_chains("产业链.xlsx", _office_chains(rows), bundle)
    first, second = plan.problems
    assert first.code == second.code == "duplicate_chain"
    assert (first.row, second.row) == (4, 5)
    assert "产业链“C01”与“肉牛全产业链”是同一条产业链" in second.message_zh
    assert plan.skipped == ("肉牛全产业链", "C01") and plan.chains == ()
    assert _files(sample_dir) == before
