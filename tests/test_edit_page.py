"""AppTest of 数据编辑: who may open it, the form on the map tab (edit, add, validation,
delete), conflicts between two sessions, tables and plans, history with undo and restore."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from township_atlas import transfer
from township_atlas.storage import changes
from township_atlas.storage.files import history
from township_atlas.storage.files import store as files_store
from township_atlas.storage.files.store import Store

from .accounts_helpers import install_accounts
from .apptest import log_in, open_page

ROOT = Path(__file__).resolve().parent.parent
EDIT = "pages/edit.py"


@pytest.fixture
def accounts(data_env, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    return install_accounts(tmp_path, monkeypatch)


def edit_page(login_as: str | None, **params: str) -> AppTest:
    return open_page(EDIT, login_as=login_as, last_seen=time.time(), query=params)


def texts(at: AppTest) -> str:
    parts = [e.value for e in [*at.error, *at.warning, *at.info, *at.success]]
    return "\n".join(str(p) for p in parts)


def widget(at: AppTest, kind: str, label_start: str):
    return next(w for w in getattr(at, kind) if w.label.startswith(label_start))


def site(folder: Path, site_id: str) -> dict:
    return files_store.read_records(folder, "sites")[site_id]


@pytest.mark.parametrize("who", [None, "vic"])
def test_viewers_and_anonymous_are_refused_on_the_server(accounts, data_env, who):
    before = (data_env / "sites.geojson").read_bytes()
    at = edit_page(who)
    assert not at.exception
    assert "规划员" in texts(at) or "planner" in texts(at).lower()
    assert not at.button and not at.text_input  # nothing to edit is offered
    assert (data_env / "sites.geojson").read_bytes() == before


def test_a_planner_changes_a_site_in_its_form_and_the_change_carries_their_name(accounts, data_env):
    at = edit_page("pia", layer="sites", id="S003")
    assert not at.exception, at.exception
    assert "S003" in at.subheader[0].value
    widget(at, "text_input", "名称").set_value("新名字 <b>示范</b> ${x}")
    widget(at, "button", "保存").click().run()
    assert not at.exception
    assert site(data_env, "S003")["properties"]["name_zh"] == "新名字 <b>示范</b> ${x}"
    entry = history.entries(data_env, "sites")[-1]
    assert entry.user == "pia" and entry.changes[0]["id"] == "S003"
    assert "已保存 S003" in texts(at)


def test_a_new_site_from_typed_coordinates_gets_its_village_from_the_location(accounts, data_env):
    bundle = Store(data_env).load().bundle
    v = bundle.villages.iloc[2]
    inside = v.geometry.representative_point()
    at = edit_page("pia", layer="sites")
    assert "新增" in at.subheader[0].value
    widget(at, "text_input", "名称").set_value("新建示范基地")
    widget(at, "selectbox", "类型").set_value("demo_base")
    widget(at, "text_input", "产业").set_value("肉牛")
    widget(at, "number_input", "经度").set_value(round(inside.x, 6))
    widget(at, "number_input", "纬度").set_value(round(inside.y, 6))
    widget(at, "button", "保存").click().run()
    assert not at.exception
    new = [
        r
        for r in files_store.read_records(data_env, "sites").values()
        if r["properties"]["name_zh"] == "新建示范基地"
    ]
    assert len(new) == 1
    assert new[0]["properties"]["village_code"] == v["code"]
    assert new[0]["properties"]["site_id"] == "S043"


def test_a_form_with_a_missing_required_field_is_refused_and_nothing_written(accounts, data_env):
    before = (data_env / "sites.geojson").read_bytes()
    at = edit_page("pia", layer="sites", id="S004")
    widget(at, "text_input", "名称").set_value("")
    widget(at, "button", "保存").click().run()
    assert "请填写名称" in texts(at)
    assert (data_env / "sites.geojson").read_bytes() == before


def test_a_location_outside_the_township_is_refused(accounts, data_env):
    before = (data_env / "sites.geojson").read_bytes()
    at = edit_page("pia", layer="sites", id="S004")
    widget(at, "number_input", "经度").set_value(100.0)
    widget(at, "button", "保存").click().run()
    assert "乡镇边界之外" in texts(at)
    assert (data_env / "sites.geojson").read_bytes() == before


def test_two_planners_editing_the_same_site_the_second_sees_both_versions(accounts, data_env):
    first = edit_page("pia", layer="sites", id="S005")
    second = edit_page("ada", layer="sites", id="S005")
    widget(first, "text_input", "名称").set_value("甲的版本")
    widget(first, "button", "保存").click().run()
    widget(second, "text_input", "名称").set_value("乙的版本")
    widget(second, "button", "保存").click().run()
    assert not second.exception
    assert "他人已修改" in texts(second)
    shown = " ".join(str(df.value.to_dict()) for df in second.dataframe)
    assert "甲的版本" in shown and "乙的版本" in shown
    assert site(data_env, "S005")["properties"]["name_zh"] == "甲的版本"
    widget(second, "button", "用我的版本覆盖").click().run()
    assert site(data_env, "S005")["properties"]["name_zh"] == "乙的版本"
    assert [e.user for e in history.entries(data_env, "sites")][-2:] == ["pia", "ada"]


def test_two_planners_editing_different_sites_both_land(accounts, data_env):
    first = edit_page("pia", layer="sites", id="S006")
    second = edit_page("ada", layer="sites", id="S007")
    widget(first, "text_input", "名称").set_value("六")
    widget(second, "text_input", "名称").set_value("七")
    widget(first, "button", "保存").click().run()
    widget(second, "button", "保存").click().run()
    assert site(data_env, "S006")["properties"]["name_zh"] == "六"
    assert site(data_env, "S007")["properties"]["name_zh"] == "七"


def _unlinked_site(folder: Path) -> str:
    bundle = Store(folder).load().bundle
    linked = {*bundle.party_orgs["site_id"].dropna(), *bundle.chain_stages["site_id"]}
    return next(s for s in bundle.sites["site_id"] if s not in linked)


def test_deleting_a_site_a_group_is_built_on_is_refused(accounts, data_env):
    bundle = Store(data_env).load().bundle
    used = bundle.party_orgs["site_id"].dropna().iloc[0]
    before = (data_env / "sites.geojson").read_bytes()
    at = edit_page("pia", layer="sites", id=used)
    widget(at, "button", "确定删除").click().run()
    assert "不存在" in texts(at)  # the group would point at a missing site
    assert (data_env / "sites.geojson").read_bytes() == before


def test_a_site_is_deleted_and_the_deletion_undone_from_history(accounts, data_env):
    sid = _unlinked_site(data_env)
    at = edit_page("pia", layer="sites", id=sid)
    widget(at, "button", "确定删除").click().run()
    assert sid not in files_store.read_records(data_env, "sites")
    seq = history.entries(data_env, "sites")[-1].seq
    at.segmented_control[0].set_value("history").run()
    assert not at.exception
    widget(at, "button", f"撤销修改 #{seq}").click().run()
    assert sid in files_store.read_records(data_env, "sites")


def test_only_an_administrator_may_restore_a_layer(accounts, data_env):
    sid = _unlinked_site(data_env)
    files_store.save(
        data_env,
        changes.ChangeSet(
            "sites", "pia", deletes=[sid], base={sid: changes.feature_version(site(data_env, sid))}
        ),
    )
    planner = edit_page("pia")
    planner.segmented_control[0].set_value("history").run()
    assert not [b for b in planner.button if b.label.startswith("确定恢复")]
    admin = edit_page("ada")
    admin.segmented_control[0].set_value("history").run()
    widget(admin, "button", "确定恢复").click().run()
    assert not admin.exception
    assert sid in files_store.read_records(data_env, "sites")


def test_a_village_plan_is_edited_in_its_form(accounts, data_env):
    at = edit_page("pia")
    at.segmented_control[0].set_value("tables").run()
    widget(at, "selectbox", "表格").set_value("plans").run()
    assert not at.exception
    widget(at, "text_area", "规划摘要").set_value("新的摘要")
    widget(at, "button", "保存").click().run()
    assert not at.exception
    plans = Store(data_env).load().bundle.plans["villages"]
    assert plans["V01"]["summary_zh"] == "新的摘要"
    assert history.entries(data_env, "plans")[-1].user == "pia"


def test_a_village_plan_without_its_industry_is_not_saved_and_says_why(accounts, data_env):
    at = edit_page("pia")
    at.segmented_control[0].set_value("tables").run()
    widget(at, "selectbox", "表格").set_value("plans").run()
    widget(at, "text_input", "主导产业").set_value("  ")
    widget(at, "text_area", "规划摘要").set_value("不应保存")
    widget(at, "button", "保存").click().run()
    assert not at.exception
    assert any("请填写主导产业" in e.value for e in at.error)
    plans = Store(data_env).load().bundle.plans["villages"]
    assert plans["V01"]["summary_zh"] != "不应保存"


def test_every_table_opens_in_the_editor(accounts, data_env):
    at = edit_page("pia")
    at.segmented_control[0].set_value("tables").run()
    from township_atlas.ui.edit_tables import TABLES

    for table in TABLES:
        widget(at, "selectbox", "表格").set_value(table).run()
        assert not at.exception, table


def _editor_key(at: AppTest, prefix: str) -> str:
    from township_atlas.ui.edit_tables import SNAP

    return f"{prefix}_{at.session_state[SNAP]['nonce']}"


def test_an_indicator_value_is_edited_in_the_table(accounts, data_env):
    at = edit_page("pia")
    at.segmented_control[0].set_value("tables").run()
    widget(at, "selectbox", "村(乡)").set_value("V02").run()
    key = _editor_key(at, "edit_table_indicators_V02")
    first = next(
        iter(
            r
            for r in files_store.read_records(data_env, "indicators").values()
            if r["properties"]["place_code"] == "V02"
        )
    )["properties"]
    at.session_state[key] = {
        "edited_rows": {0: {"value": 123.4}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    widget(at, "button", "保存表格修改").click().run()
    assert not at.exception
    rows = files_store.read_records(data_env, "indicators")
    k = f"V02|{first['year']}|{first['indicator']}"
    assert rows[k]["properties"]["value"] == 123.4
    assert history.entries(data_env, "indicators")[-1].user == "pia"


def test_a_table_row_with_a_broken_link_is_refused_and_a_good_one_added(accounts, data_env):
    at = edit_page("pia")
    at.segmented_control[0].set_value("tables").run()
    widget(at, "selectbox", "表格").set_value("chain_stages").run()
    key = _editor_key(at, "edit_table_chain_stages_all")
    before = (data_env / "chain_stages.csv").read_bytes()
    bad = {"chain_id": "C01", "seq": 9, "stage_zh": "加工", "site_id": "S999"}
    at.session_state[key] = {"edited_rows": {}, "added_rows": [bad], "deleted_rows": []}
    at.run()
    widget(at, "button", "保存表格修改").click().run()
    assert "S999" in texts(at) and "不存在" in texts(at)
    assert (data_env / "chain_stages.csv").read_bytes() == before
    good = {**bad, "site_id": "S002"}
    at.session_state[key] = {"edited_rows": {}, "added_rows": [good], "deleted_rows": []}
    at.run()
    widget(at, "button", "保存表格修改").click().run()
    assert "C01|9" in files_store.read_records(data_env, "chain_stages")


def _save_as_script() -> None:
    """Runs in AppTest: try to save a renamed site straight through the page's save path."""
    import streamlit as st

    from township_atlas.storage import changes
    from township_atlas.storage.files import store as files_store
    from township_atlas.ui.data import current_store
    from township_atlas.ui.edit_common import try_save

    rec = files_store.read_records(current_store().path, "sites")["S001"]
    new = {**rec, "properties": {**rec["properties"], "name_zh": "越权修改"}}
    change = changes.ChangeSet(
        "sites", "", upserts=[new], base={"S001": changes.feature_version(rec)}
    )
    result = try_save(change, "zh", action=st.session_state.get("action", "edit"))
    st.write("saved" if result else "refused")


@pytest.mark.parametrize(
    ("who", "action", "saved"),
    [
        (None, "edit", False),
        ("vic", "edit", False),
        ("pia", "edit", True),
        ("pia", "restore_history", False),
        ("ada", "restore_history", True),
    ],
)
def test_the_save_path_itself_checks_the_role(accounts, data_env, who, action, saved):
    before = (data_env / "sites.geojson").read_bytes()
    at = AppTest.from_function(_save_as_script, default_timeout=60)
    if who:
        log_in(at, who, last_seen=time.time())
    at.session_state["action"] = action
    at.run()
    assert not at.exception
    assert at.markdown[-1].value == ("saved" if saved else "refused")
    assert ((data_env / "sites.geojson").read_bytes() == before) != saved
    if not saved:
        assert at.error and ("规划员" in at.error[0].value or "管理员" in at.error[0].value)


# --- import and export ----------------------------------------------------------------
def _import_tab(at: AppTest) -> AppTest:
    return at.segmented_control[0].set_value("import").run()


def _csv_of_new_sites(folder: Path) -> bytes:
    bundle = Store(folder).load().bundle
    pts = [v.representative_point() for v in bundle.villages.geometry[:2]]
    lines = ["名称,类型,产业,经度,纬度"]
    lines += [f"导入基地{i},示范基地,蔬菜,{p.x:.6f},{p.y:.6f}" for i, p in enumerate(pts)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_planner_imports_a_csv_after_a_preview(accounts, data_env):
    at = _import_tab(edit_page("pia"))
    before = (data_env / "sites.geojson").read_bytes()
    at.file_uploader[0].set_value(("新基地.csv", _csv_of_new_sites(data_env), "text/csv")).run()
    assert not at.exception, at.exception
    # Two new sites match nothing of the township: the page asks for the coordinate system,
    # gives the reason with its evidence, and offers the options; nothing is planned yet.
    assert any("无法确定坐标系" in w.value for w in at.warning)
    assert any("尚未选择坐标系" in w.value for w in at.warning) and not at.metric
    crs = widget(at, "selectbox", "源文件的坐标系")
    assert crs.value is None and "GCJ-02 火星坐标(高德、腾讯地图)" in crs.options
    crs.set_value(transfer.CrsChoice("wgs84")).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["新增"] == "2" and metrics["有错误未导入"] == "0"
    assert (data_env / "sites.geojson").read_bytes() == before  # a preview writes nothing
    widget(at, "button", "接受导入").click().run()
    assert not at.exception
    names = [
        r["properties"]["name_zh"] for r in files_store.read_records(data_env, "sites").values()
    ]
    assert "导入基地0" in names and "导入基地1" in names
    entry = history.entries(data_env, "sites")[-1]
    assert entry.user == "pia" and "新基地.csv" in entry.note


def test_a_hostile_archive_is_refused_with_a_message_and_nothing_written(accounts, data_env):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../etc/evil.shp", b"x")
    before = {p.name: p.read_bytes() for p in data_env.iterdir() if p.is_file()}
    at = _import_tab(edit_page("pia"))
    at.file_uploader[0].set_value(("村界.zip", buf.getvalue(), "application/zip")).run()
    assert not at.exception
    assert at.error and "没有写入" in " ".join(c.value for c in at.caption)
    assert {p.name: p.read_bytes() for p in data_env.iterdir() if p.is_file()} == before


def test_a_planner_exports_a_layer_and_the_dataset(accounts, data_env):
    at = edit_page("pia")
    at.segmented_control[0].set_value("export").run()
    assert not at.exception
    widget(at, "button", "生成文件").click().run()
    assert not at.exception
    assert at.get("download_button"), "a download is offered"
    widget(at, "selectbox", "导出内容").set_value("sites").run()
    widget(at, "selectbox", "格式").set_value("kml").run()
    widget(at, "button", "生成文件").click().run()
    assert not at.exception
