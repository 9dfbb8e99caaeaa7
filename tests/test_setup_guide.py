"""AppTest of the set-up guide "建立本乡数据": from an empty data folder to a township that
passes its checks (township, villages, sites, organisations), who gets the guide and who a
notice, and bad boundaries that are explained and write nothing."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import openpyxl
import pytest
from shapely.geometry import box, mapping
from streamlit.testing.v1 import AppTest

from township_atlas.geo.measure import geodesic_area_m2
from township_atlas.onboard import needs_setup, step_states
from township_atlas.onboard.command import main as onboard_main
from township_atlas.storage.files import history
from township_atlas.storage.files.store import DATA_FILES, Store
from township_atlas.transfer.plan_tables import plans_template_xlsx

from .accounts_helpers import install_accounts
from .apptest import log_in, open_page

SETUP = "pages/setup.py"
TOWN = box(105.70, 35.96, 105.74, 35.98)
EAST, WEST = box(105.70, 35.96, 105.72, 35.98), box(105.72, 35.96, 105.74, 35.98)
AREA_KM2 = round(geodesic_area_m2(TOWN) / 1e6, 3)
FIGURES = {
    "reported_area_km2": AREA_KM2,
    "reported_villages": 2,
    "reported_branches": 3,
    "reported_members": 23,
    "reported_rural_branches": 2,
    "reported_rural_members": 18,
}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """The app pointed at a data folder that does not exist yet, with one account per role."""
    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    install_accounts(tmp_path, monkeypatch)
    path = tmp_path / "new-township"
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(path))
    return path


def geojson(*features: tuple[dict, object]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props, "geometry": mapping(geom)}
                for props, geom in features
            ],
        }
    ).encode()


SITES_CSV = (
    "名称,类型,产业,所在村,经度,纬度\n"
    "东村蔬菜基地,产业基地,蔬菜,东村,105.71,35.97\n"
    "西村示范园,示范基地,中药材,西村,105.73,35.97\n"
).encode()
ORGS_CSV = (
    "组织名称,层级,支部类别,上级组织,党员数,所在村,经度,纬度\n"
    "测试乡党委,党委,,,23,,105.715,35.975\n"
    "东村党支部,党支部,农村,测试乡党委,10,东村,105.705,35.97\n"
    "西村党支部,党支部,农村,测试乡党委,8,西村,105.735,35.97\n"
    "乡机关党支部,党支部,机关,测试乡党委,5,,105.716,35.976\n"
).encode()


CHAINS_CSV = (
    "产业链,主导产业,环节序号,环节,依托基地\n"
    "蔬菜产业链,蔬菜,1,种植,东村蔬菜基地\n"
    "蔬菜产业链,蔬菜,2,示范,西村示范园\n"
).encode()
INDICATORS_CSV = "测试乡2025年各村统计表\n村名,村集体经济收入(万元)\n东村,12\n西村,8\n".encode()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plans_workbook(folder: Path) -> bytes:
    """The guide's plan template for the villages, each village's industry filled in."""
    book = openpyxl.load_workbook(io.BytesIO(plans_template_xlsx(Store(folder).load().bundle)))
    for name in ("东村", "西村"):
        book[name]["B2"] = "设施蔬菜"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def texts(at: AppTest) -> str:
    parts = [e.value for e in [*at.error, *at.warning, *at.info, *at.success, *at.markdown]]
    return "\n".join(str(p) for p in parts)


def files(path: Path) -> dict[str, bytes]:
    return {n: (path / n).read_bytes() for n in DATA_FILES if (path / n).exists()}


def fill_form(at: AppTest, **figures: float) -> AppTest:
    at.text_input(key="setup_name_zh").set_value("测试乡")
    at.text_input(key="setup_code").set_value("T1")
    for name, value in {**FIGURES, **figures}.items():
        at.number_input(key=f"setup_{name}").set_value(value)
    return at.run()


def upload(at: AppTest, name: str, data: bytes, mime: str = "application/geo+json") -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


def choose_wgs84_if_asked(at: AppTest) -> AppTest:
    crs = next(s for s in at.selectbox if s.label.startswith("源文件的坐标系"))
    if crs.value is None:
        choice = next(o for o in crs.options if o.startswith("WGS84"))
        crs.select(choice).run()
        assert not at.exception, at.exception
    return at


def accept(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label.startswith("接受导入")).click().run()
    assert not at.exception, at.exception
    return at


def step(at: AppTest):
    """The guide's choice of step."""
    return next(r for r in at.radio if r.label == "当前步骤")


def as_planner(folder: Path) -> AppTest:
    """A planner on the guide (AppTest stays on the page it opened, so after the home page
    sent the planner to the guide, the test switches there as the browser's URL did)."""
    return open_page(SETUP, login_as="pia", last_seen=time.time())


def with_township(folder: Path) -> AppTest:
    """A planner who created the folder and saved the township through the guide."""
    at = as_planner(folder)
    at.button(key="setup_create_folder").click().run()
    fill_form(at)
    upload(at, "乡界.geojson", geojson(({"名称": "测试乡"}, TOWN)))
    at.button(key="setup_save_township").click().run()
    assert not at.exception, at.exception
    return at


def test_a_planner_sets_up_a_township_from_an_empty_folder(folder, tmp_path, capsys):
    home = open_page(login_as="pia", last_seen=time.time())
    assert not home.exception, home.exception
    # The home page sent the planner to the guide, which offers to create the folder.
    assert home.title[0].value == "建立本乡数据"
    assert [b.key for b in home.button if b.key == "setup_create_folder"]
    at = as_planner(folder)
    assert not folder.exists()
    at.button(key="setup_create_folder").click().run()
    assert not at.exception, at.exception
    assert "数据文件夹已建立" in texts(at)
    assert needs_setup(Store(folder).load().bundle)
    assert "⬜ **1. 乡镇边界和报告数字** — 未完成" in texts(at)

    fill_form(at)
    upload(at, "乡界.geojson", geojson(({"名称": "随便"}, TOWN)))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["按边界计算的面积(平方公里)"] == f"{AREA_KM2:.3f}"
    assert metrics["报告面积(平方公里)"] == f"{AREA_KM2:.3f}"
    at.button(key="setup_save_township").click().run()
    assert not at.exception, at.exception
    assert "已保存乡镇“测试乡”" in texts(at)
    row = Store(folder).load().bundle.township.iloc[0]
    assert (row.code, row.name_zh, int(row.reported_members)) == ("T1", "测试乡", 23)
    assert history.entries(folder, "township")[-1].user == "pia"
    assert "✅ **1. 乡镇边界和报告数字** — 已完成 · 1 条" in texts(at)
    assert "⬜ **2. 村界** — 未完成 · 0 条" in texts(at)

    # The guide moved on to the villages: the import with the layer fixed.
    assert step(at).value == "villages"
    upload(
        at,
        "村界.geojson",
        geojson(({"村名": "东村", "村代码": "V1"}, EAST), ({"村名": "西村", "村代码": "V2"}, WEST)),
    )
    accept(choose_wgs84_if_asked(at))
    assert step(at).value == "sites"
    upload(at, "基地.csv", SITES_CSV, "text/csv")
    accept(choose_wgs84_if_asked(at))
    assert step(at).value == "party_orgs"
    upload(at, "党组织.csv", ORGS_CSV, "text/csv")
    accept(choose_wgs84_if_asked(at))

    result = Store(folder).load()
    assert not result.errors, [f.message("en") for f in result.errors]
    states = {s.step.key: s for s in step_states(result.bundle, result.findings)}
    assert [k for k, s in states.items() if s.done] == [
        "township",
        "villages",
        "sites",
        "party_orgs",
    ]
    assert (states["villages"].count, states["sites"].count, states["party_orgs"].count) == (
        2,
        2,
        4,
    )
    shown = texts(at)
    for n, label, count in ((2, "村界", 2), (3, "产业基地和示范点", 2), (5, "党组织", 4)):
        assert f"✅ **{n}. {label}** — 已完成 · {count} 条" in shown
    # References by name became ids.
    orgs = result.bundle.party_orgs.set_index("name_zh")
    assert orgs.at["东村党支部", "village_code"] == "V1"
    assert orgs.at["东村党支部", "parent_id"] == orgs.at["测试乡党委", "org_id"]
    # The chain, the indicators and the plans, each with the 数据编辑 page's own importer.
    step(at).set_value("chains").run()
    at.file_uploader(key="import_chains_file").set_value(("产业链.csv", CHAINS_CSV, "text/csv"))
    at.run()
    at.button(key="import_chains_accept").click().run()
    assert not at.exception, at.exception
    step(at).set_value("indicators").run()
    at.file_uploader(key="import_indicators_file").set_value(
        ("统计表.csv", INDICATORS_CSV, "text/csv")
    )
    at.run()
    at.button(key="import_ind_accept").click().run()
    assert not at.exception, at.exception
    step(at).set_value("plans").run()
    at.file_uploader(key="import_plans_file").set_value(("规划.xlsx", plans_workbook(folder), XLSX))
    at.run()
    at.button(key="import_plans_accept").click().run()
    assert not at.exception, at.exception

    result = Store(folder).load()
    assert not result.errors, [f.message("en") for f in result.errors]
    assert all(s.done for s in step_states(result.bundle, result.findings))
    stages = result.bundle.chain_stages.sort_values("seq")
    assert list(stages["site_id"]) == list(result.bundle.sites.sort_values("name_zh")["site_id"])
    figures = result.bundle.indicators.set_index("place_code")
    assert figures.at["V1", "value"] == 12 and figures.at["V2", "value"] == 8
    assert result.bundle.plans["villages"]["V1"]["leading_industry_zh"] == "设施蔬菜"
    assert "完成:所有步骤都已完成,数据检查没有错误。" in texts(at)

    # The command, given the same files, writes the same folder byte for byte.
    given = {
        "boundary": ("乡界.geojson", geojson(({"名称": "随便"}, TOWN))),
        "villages": (
            "村界.geojson",
            geojson(
                ({"村名": "东村", "村代码": "V1"}, EAST), ({"村名": "西村", "村代码": "V2"}, WEST)
            ),
        ),
        "sites": ("基地.csv", SITES_CSV),
        "orgs": ("党组织.csv", ORGS_CSV),
        "chains": ("产业链.csv", CHAINS_CSV),
        "indicators": ("统计表.csv", INDICATORS_CSV),
        "plans": ("规划.xlsx", plans_workbook(folder)),
    }
    argv = [str(tmp_path / "by-command"), "--name", "测试乡", "--code", "T1", "--user", "pia"]
    for name, value in FIGURES.items():
        argv += ["--reported", f"{name.removeprefix('reported_')}={value!r}"]
    for flag, (name, data) in given.items():
        (tmp_path / name).write_bytes(data)
        argv += [f"--{flag}", str(tmp_path / name)]
    for flag in ("boundary", "villages", "sites", "orgs"):
        argv += [f"--{flag}-crs", "wgs84"]
    assert onboard_main(argv) == 0, capsys.readouterr().out
    assert files(tmp_path / "by-command") == files(folder)


@pytest.mark.parametrize("who", [None, "vic"])
def test_a_viewer_on_an_empty_folder_gets_a_notice_and_cannot_create_it(folder, monkeypatch, who):
    monkeypatch.setenv("TOWNSHIP_ATLAS_ANONYMOUS_VIEWING", "true")
    for page in (None, SETUP):
        at = open_page(page, login_as=who, last_seen=time.time())
        assert not at.exception, at.exception
        assert "本乡数据正在建立中,请稍后再来或联系管理员。" in texts(at)
        assert not [b for b in at.button if b.key == "setup_create_folder"]
        assert any(link.label == "登录" for link in at.get("page_link"))
    assert not folder.exists()


def test_the_create_button_checks_the_role_on_the_server_at_the_click(folder):
    at = as_planner(folder)
    button = at.button(key="setup_create_folder")
    log_in(at, "vic", last_seen=time.time())  # the session became a viewer meanwhile
    button.click().run()
    assert not at.exception, at.exception
    assert "本乡数据正在建立中" in texts(at)
    assert not folder.exists()


def test_a_boundary_whose_area_differs_from_the_report_is_refused_and_nothing_written(folder):
    at = as_planner(folder)
    at.button(key="setup_create_folder").click().run()
    before = files(folder)
    fill_form(at, reported_area_km2=42.5)
    upload(at, "乡界.geojson", geojson(({"名称": "测试乡"}, TOWN)))
    at.button(key="setup_save_township").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "42.5" in errors
    assert "没有写入任何数据" in " ".join(c.value for c in at.caption)
    assert files(folder) == before


def test_several_polygons_without_names_are_explained_and_nothing_written(folder):
    at = as_planner(folder)
    at.button(key="setup_create_folder").click().run()
    before = files(folder)
    fill_form(at)
    upload(at, "县界.geojson", geojson(({}, TOWN), ({}, box(105.74, 35.96, 105.78, 35.98))))
    assert "2 个面,但没有可以区分它们的名称列" in " ".join(e.value for e in at.error)
    assert not [b for b in at.button if b.key == "setup_save_township"]
    assert files(folder) == before


def test_a_county_file_asks_which_township_and_saves_the_chosen_one(folder):
    at = as_planner(folder)
    at.button(key="setup_create_folder").click().run()
    fill_form(at)
    other = box(105.74, 35.96, 105.78, 35.98)
    upload(
        at, "县界.geojson", geojson(({"乡镇名称": "邻乡"}, other), ({"乡镇名称": "测试乡"}, TOWN))
    )
    choice = next(s for s in at.selectbox if s.label.startswith("文件中有 2 个面"))
    assert choice.value == "测试乡" and choice.options == ["邻乡", "测试乡"]
    at.button(key="setup_save_township").click().run()
    assert not at.exception, at.exception
    geom = Store(folder).load().bundle.township.geometry.iloc[0]
    assert geom.equals_exact(TOWN, 1e-6)


def test_an_incomplete_form_says_what_is_missing_and_offers_no_save(folder):
    at = as_planner(folder)
    at.button(key="setup_create_folder").click().run()
    before = files(folder)
    at.text_input(key="setup_name_zh").set_value("测试乡").run()
    upload(at, "乡界.geojson", geojson(({"名称": "测试乡"}, TOWN)))
    shown = " ".join(w.value for w in at.warning)
    assert "保存前还需" in shown and "乡镇代码只能由字母" in shown and "党员总数" in shown
    assert at.button(key="setup_save_township").disabled
    assert files(folder) == before


def test_a_township_with_data_opens_its_pages_not_the_guide(folder):
    with_township(folder)
    at = open_page(login_as="pia", last_seen=time.time())
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("测试乡 · ")


def test_a_geopackage_of_several_layers_asks_which_layer_holds_the_boundary(folder, tmp_path):
    import geopandas as gpd

    gpkg = tmp_path / "乡镇.gpkg"
    gpd.GeoDataFrame(
        {"名称": ["某路"]}, geometry=[box(105.71, 35.965, 105.711, 35.975)], crs=4326
    ).to_file(gpkg, layer="道路", driver="GPKG")
    gpd.GeoDataFrame({"名称": ["测试乡"]}, geometry=[TOWN], crs=4326).to_file(
        gpkg, layer="乡界", driver="GPKG"
    )
    at = as_planner(folder)
    at.button(key="setup_create_folder").click().run()
    fill_form(at)
    upload(at, "乡镇.gpkg", gpkg.read_bytes(), "application/geopackage+sqlite3")
    layers = next(s for s in at.selectbox if s.label == "文件中的图层")
    assert sorted(layers.options) == ["乡镇.gpkg › 乡界 (1)", "乡镇.gpkg › 道路 (1)"]
    area = "按边界计算的面积(平方公里)"
    assert next(m.value for m in at.metric if m.label == area) != f"{AREA_KM2:.3f}"  # the road
    from township_atlas.transfer.upload import Upload

    with Upload("乡镇.gpkg", gpkg.read_bytes()) as parsed:  # the test's own look at its file
        boundary_layer = next(sl.key for sl in parsed.layers if sl.name.endswith("乡界"))
    at.session_state[layers.key] = boundary_layer  # AppTest cannot pick by a shown label
    at.run()
    assert not at.exception, at.exception
    assert next(m.value for m in at.metric if m.label == area) == f"{AREA_KM2:.3f}"
    at.button(key="setup_save_township").click().run()
    assert not at.exception, at.exception
    geom = Store(folder).load().bundle.township.geometry.iloc[0]
    assert geom.equals_exact(TOWN, 1e-6)


def test_a_complete_township_without_errors_is_done_and_links_to_the_map(
    data_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    install_accounts(tmp_path, monkeypatch)
    assert not Store(data_env).load().errors
    at = open_page(SETUP, login_as="pia", last_seen=time.time())
    assert not at.exception, at.exception
    assert "完成:所有步骤都已完成,数据检查没有错误。" in texts(at)
    assert any(link.label == "查看总览地图" for link in at.get("page_link"))
    assert not [b for b in at.button if b.key == "setup_create_folder"]
    # Nothing to do: the step shown is the first one, with the township's record to edit.
    assert step(at).value == "township"
    assert (
        at.text_input(key="setup_name_zh").value
        == Store(data_env).load().bundle.township_props["name_zh"]
    )


def test_a_viewer_who_opens_the_guide_of_a_set_up_township_is_refused(
    data_env, tmp_path, monkeypatch
):
    install_accounts(tmp_path, monkeypatch)
    at = open_page(SETUP, login_as="vic", last_seen=time.time())
    assert not at.exception, at.exception
    assert "规划员" in " ".join(e.value for e in at.error)
    assert not at.radio and not at.file_uploader
