"""References by name (issue 17.4): one normaliser, matching by exact id, exact name, then
normalised name, and names that fit several things or nothing listed with candidates,
never guessed. The organisation office's sheet is made here by code."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import openpyxl
import pytest

from township_atlas.storage.files import store as files_store
from township_atlas.storage.files.store import Store
from township_atlas.transfer import CrsChoice, plan_import
from township_atlas.transfer.name_match import (
    Candidate,
    NameIndex,
    candidate_id,
    compatible,
    name_fixes,
    normalise,
)

from .test_edit_page import _import_tab, accounts, edit_page, widget  # noqa: F401 (a fixture)

WGS84 = CrsChoice("wgs84")


@pytest.mark.parametrize(
    ("written", "key", "kind"),
    [
        ("杏树坪", "杏树坪", None),
        ("杏树坪村", "杏树坪", None),
        ("杏树坪 村", "杏树坪", None),
        ("杏树坪村委会", "杏树坪", None),
        ("杏树坪社区", "杏树坪", None),
        ("杏树坪居委会", "杏树坪", None),
        ("杏树坪村党支部", "杏树坪", "branch"),
        ("杏树坪党支部", "杏树坪", "branch"),
        ("杏树坪 村 党支部", "杏树坪", "branch"),
        ("杏树坪村支部", "杏树坪", "branch"),
        ("“杏树坪村”党支部。", "杏树坪", "branch"),
        ("杏树坪村党总支", "杏树坪", "general"),
        ("杏树坪村老年党小组", "杏树坪村老年", "group"),
        ("杏树坪小组", "杏树坪", "group"),
        ("ＡＢＣ村", "abc", None),  # full width letters
        ("河湾村（二组）", "河湾村二组", None),  # brackets dropped, 村 inside kept
        ("乡党委", "乡", "committee"),  # a suffix is stripped only when something is left
        ("村", "村", None),
    ],
)
def test_the_normaliser_on_names_as_offices_write_them(written: str, key: str, kind: str) -> None:
    assert normalise(written) == (normalise(written).__class__(key, kind))


def test_township_names_also_lose_xiang_or_zhen() -> None:
    assert normalise("青禾乡党委", township=True).key == "青禾"
    assert normalise("青禾镇党委", township=True).key == "青禾"
    assert normalise("青禾乡党委").key == "青禾乡"
    assert normalise("乡党委", township=True).key == "乡"


def test_a_branch_name_fits_a_branch_not_a_group() -> None:
    assert compatible("branch", "branch") and compatible(None, "group")
    assert compatible("branch", None) and compatible("general", "branch")
    assert not compatible("branch", "group") and not compatible("group", "committee")


ORGS = NameIndex(
    [
        Candidate("P00", "乡党委", "committee"),
        Candidate("B03", "杏树坪村党支部", "branch"),
        Candidate("G07", "杏树坪中药材示范基地党小组", "group"),
        Candidate("B11", "杏树坪社区党支部", "branch"),
        Candidate("B01", "上庄村党支部", "branch"),
        Candidate("B02", "河湾村党支部", "branch"),
        Candidate("G20", "同名党小组", "group"),
        Candidate("G21", "同名党小组", "group"),
    ],
    township=True,
)


@pytest.mark.parametrize(
    ("written", "fid", "how"),
    [
        ("B03", "B03", "id"),
        ("ｂ03", "B03", "id"),
        ("杏树坪村党支部", "B03", "name"),
        ("上庄党支部", "B01", "normalised"),
        ("上庄 村 支部", "B01", "normalised"),
        ("乡党委", "P00", "name"),
    ],
)
def test_exact_id_then_exact_name_then_normalised_name(written: str, fid: str, how: str) -> None:
    match = ORGS.match(written)
    assert (match.id, match.how, match.candidates) == (fid, how, ())


def test_a_name_that_fits_two_things_is_not_guessed() -> None:
    match = ORGS.match("杏树坪党支部")  # the village's branch or the community's
    assert match.id is None and match.how == "ambiguous"
    assert {c.id for c in match.candidates} == {"B03", "B11"}
    assert match.candidates[0].label() in (
        "杏树坪村党支部(B03)",
        "杏树坪社区党支部(B11)",
    )
    same = ORGS.match("同名党小组")  # two with the very same name
    assert same.how == "ambiguous" and {c.id for c in same.candidates} == {"G20", "G21"}


def test_an_unknown_name_lists_the_most_similar_first_and_at_most_five() -> None:
    match = ORGS.match("杏树坪党小组")  # a group: the branches do not fit
    assert match.id is None and match.how == "unknown"
    assert 1 <= len(match.candidates) <= 5
    assert {"B03", "B11"} <= {c.id for c in match.candidates}
    nothing = ORGS.match("红柳村党支部")
    assert nothing.how == "unknown" and nothing.candidates[0].id in ("B01", "B02", "B03", "B11")
    unrelated = ORGS.match("zzz")
    assert unrelated.how == "unknown" and unrelated.candidates == ()


# --- the organisation office's sheet, imported into a copy of the sample ------------


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def _point(bundle, code: str) -> tuple[float, float]:
    p = bundle.villages.set_index("code").loc[code].geometry.representative_point()
    return p.x, p.y


def org_sheet(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某某乡基层党组织情况统计表"])
    sheet.append(
        [
            "党组织名称",
            "类别",
            "上级党组织",
            "党员数",
            "所在村",
            "依托项目",
            "产业链",
            "经度",
            "纬度",
        ]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(bundle) -> list[list]:
    x3, y3 = _point(bundle, "V03")
    x1, y1 = _point(bundle, "V01")
    return [
        [
            "杏树坪村中药材党小组",
            "党小组",
            "杏树坪党支部",
            5,
            "杏树坪",
            "杏树坪中药材基地",
            None,
            x3,
            y3,
        ],
        ["杏树坪村电商党小组", "党小组", "杏树坪 村 党支部", 4, "杏树坪村", "S016", None, x3, y3],
        [
            "上庄村养殖党小组",
            "党小组",
            "上庄村党支部",
            6,
            "上庄",
            "上庄肉牛养殖示范基地",
            None,
            x1,
            y1,
        ],
        ["乡合作社联合党支部", "党支部", "乡党委", 9, None, None, "肉牛全产业链", x1, y1],
        ["合作社党小组", "党小组", "乡合作社联合支部", 3, "上庄村", None, None, x1, y1],
        ["乡电商服务站党支部", "党支部", "青禾乡党委", 7, None, None, "设施蔬菜产业链", x1, y1],
    ]


def test_an_office_sheet_with_names_written_inconsistently_links_to_the_right_ids(
    sample_dir: Path,
) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    plan = plan_import("党组织.xlsx", org_sheet(good_rows(bundle)), "party_orgs", bundle, crs=WGS84)
    assert plan.ok, [p.message_zh for p in plan.errors]
    orgs = {f["properties"]["name_zh"]: f["properties"] for f in plan.features}
    links = {
        n: (o["parent_id"], o["village_code"], o["site_id"], o["chain_id"]) for n, o in orgs.items()
    }
    new_branch = orgs["乡合作社联合党支部"]["org_id"]
    assert new_branch not in set(bundle.party_orgs["org_id"])
    assert links == {
        "杏树坪村中药材党小组": ("B03", "V03", "S013", None),
        "杏树坪村电商党小组": ("B03", "V03", "S016", None),
        "上庄村养殖党小组": ("B01", "V01", "S002", None),
        "乡合作社联合党支部": ("P00", None, None, "C01"),
        "合作社党小组": (new_branch, "V01", None, None),  # a branch made by the same sheet
        "乡电商服务站党支部": ("P00", None, None, "C02"),
    }
    said = [p.message_zh for p in plan.problems if p.code == "link_by_name"]
    assert any("“杏树坪党支部”" in m and "对应到 B03" in m for m in said)
    assert not name_fixes(plan.problems)
    assert _digest(sample_dir) == before


def test_ambiguous_and_unknown_names_are_row_errors_with_candidates_and_nothing_is_written(
    sample_dir: Path,
) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    x3, y3 = _point(bundle, "V03")
    rows = [
        *good_rows(bundle)[:2],
        # a community branch made by the same sheet: "杏树坪党支部" now fits two
        ["杏树坪社区党支部", "党支部", "乡党委", 8, "杏树坪", None, None, x3, y3],
        ["杏树坪社区老年党小组", "党小组", "杏树坪党支部", 2, "杏树坪", None, None, x3, y3],
        ["杏树坪社区青年党小组", "党小组", "杏树坪党支部", 2, "杏树坪", None, None, x3, y3],
        ["和湾村党小组", "党小组", "河湾村党支部", 2, "和湾", None, None, x3, y3],
    ]
    plan = plan_import("党组织.xlsx", org_sheet(rows), "party_orgs", bundle, crs=WGS84)
    assert not plan.ok
    fixes = {(f.field, f.value): f for f in name_fixes(plan.problems)}
    # every row with "杏树坪党支部" is refused, the first two included: never guessed
    ambiguous = fixes[("parent_id", "杏树坪党支部")]
    assert ambiguous.ambiguous and ambiguous.rows == (3, 6, 7)
    assert ambiguous.candidates[:2] in (
        ("杏树坪村党支部(B03)", "杏树坪社区党支部(B11)"),
        ("杏树坪社区党支部(B11)", "杏树坪村党支部(B03)"),
    )
    unknown = fixes[("village_code", "和湾")]
    assert not unknown.ambiguous and unknown.rows == (8,)
    assert unknown.candidates[0] == "河湾村(V02)" and len(unknown.candidates) <= 5
    messages = {p.row: p.message_zh for p in plan.errors}
    assert "不会替您猜测" in messages[6] and "杏树坪村党支部(B03)" in messages[6]
    assert "请在表中改为以下之一" in messages[8] and "河湾村(V02)" in messages[8]
    assert plan.rejected_rows == [3, 4, 6, 7, 8]
    assert {f["properties"]["name_zh"] for f in plan.features} == {"杏树坪社区党支部"}
    assert _digest(sample_dir) == before


def test_a_site_village_written_without_cun_or_in_full_width_is_matched(sample_dir: Path) -> None:
    bundle = Store(sample_dir).load().bundle
    x, y = _point(bundle, "V02")
    book = openpyxl.Workbook()
    book.active.append(["名称", "类型", "产业", "所在村", "经度", "纬度"])
    book.active.append(["河湾冷库", "基地", "蔬菜", "河湾", x, y])
    book.active.append(["河湾菜园", "基地", "蔬菜", "河 湾 村", x, y])
    book.active.append(["河湾果园", "基地", "蔬菜", "河洼村", x, y])
    out = io.BytesIO()
    book.save(out)
    plan = plan_import("基地.xlsx", out.getvalue(), "sites", bundle, crs=WGS84)
    assert [f["properties"]["village_code"] for f in plan.features] == ["V02", "V02"]
    (bad,) = plan.errors
    assert bad.row == 4 and bad.candidates[0] == "河湾村(V02)"


# --- the import page ---------------------------------------------------------------


@pytest.mark.usefixtures("accounts")
def test_the_import_page_lists_each_name_to_fix_once_with_rows_and_choices(data_env):
    bundle = Store(data_env).load().bundle
    x, y = _point(bundle, "V02")
    lines = ["名称,类型,产业,所在村,经度,纬度"]
    lines += [f"河湾基地{i},示范基地,蔬菜,和湾,{x:.6f},{y:.6f}" for i in range(3)]
    x3, y3 = _point(bundle, "V03")
    lines += [f"杏树坪基地,示范基地,药材,杏树坪,{x3:.6f},{y3:.6f}"]  # matched: not listed
    before = _digest(data_env)
    at = _import_tab(edit_page("pia"))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    at.file_uploader[0].set_value(("基地.csv", data, "text/csv")).run()
    # New points that match nothing stored: the page asks for the coordinate system.
    widget(at, "selectbox", "源文件的坐标系").set_value(WGS84).run()
    assert not at.exception, at.exception
    assert any("需要在表中改正的名称" in m.value for m in at.markdown)
    assert any("保存后重新上传" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "表中的名称" in d.value.columns)
    assert table.to_dict("records") == [
        {
            "表中的名称": "和湾",
            "字段": "所在村",
            "问题": "找不到",
            "行号": "2、3、4",
            "可选(按相似度)": table["可选(按相似度)"].iloc[0],
        }
    ]
    assert table["可选(按相似度)"].iloc[0].startswith("河湾村(V02)")
    assert {m.label: m.value for m in at.metric}["新增"] == "1"  # 杏树坪 is 杏树坪村
    assert _digest(data_env) == before


@pytest.mark.usefixtures("accounts")
def test_a_choice_on_the_import_page_plans_again_with_it_and_is_saved(data_env):
    bundle = Store(data_env).load().bundle
    x, y = _point(bundle, "V02")
    lines = ["名称,类型,产业,所在村,经度,纬度"]
    lines += [f"河湾基地{i},示范基地,蔬菜,和湾,{x:.6f},{y:.6f}" for i in range(2)]
    at = _import_tab(edit_page("pia"))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    at.file_uploader[0].set_value(("基地.csv", data, "text/csv")).run()
    # New points that match nothing stored: the page asks for the coordinate system.
    widget(at, "selectbox", "源文件的坐标系").set_value(WGS84).run()
    assert {m.label: m.value for m in at.metric}["有错误未导入"] == "2"
    pick = next(s for s in at.selectbox if s.label.startswith("或在这里为“和湾”"))
    assert pick.options[1].startswith("河湾村(V02)")
    pick.set_value(pick.options[1]).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["新增"], metrics["有错误未导入"]) == ("2", "0")
    assert not any("需要在表中改正的名称" in m.value for m in at.markdown)
    assert any("和湾 → V02" in c.value for c in at.caption)
    widget(at, "button", "接受导入").click().run()
    assert not at.exception
    saved = files_store.read_records(data_env, "sites").values()
    assert {
        r["properties"]["village_code"] for r in saved if "河湾基地" in r["properties"]["name_zh"]
    } == {"V02"}


def test_a_planners_choice_is_used_only_when_its_id_exists() -> None:
    chosen = ORGS.match("杏树坪党支部", {"杏树坪党支部": "B11"})
    assert (chosen.id, chosen.how) == ("B11", "chosen")
    stale = ORGS.match("杏树坪党支部", {"杏树坪党支部": "B99"})
    assert (stale.id, stale.how) == (None, "ambiguous")
    assert candidate_id("河湾村(二组)(V02)") == "V02" and candidate_id("V02") == "V02"
