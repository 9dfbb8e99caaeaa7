"""AppTest: every page runs without an exception; the overview shows computed figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def run_app(page: str | None = None, **query) -> AppTest:
    return open_page(page, query=query)


OVERVIEW = "pages/overview.py"


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_runs_without_exception(data_env, page, lang):
    at = run_app(page, lang=lang)
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", PAGES)
def test_every_drop_down_says_choose_in_the_pages_language(data_env, page):
    # Streamlit's own placeholder ("Choose an option") shows while a user types to filter.
    for lang, text in (("zh", "请选择,或输入文字筛选"), ("en", "Choose, or type to filter")):
        at = run_app(page, lang=lang)
        for box in at.selectbox:
            assert box.proto.placeholder == text, (page, box.label)


def test_every_drop_down_in_the_code_is_given_a_placeholder():
    # Also the ones only some roles or states reach (editing, import, accounts).
    import ast

    missing = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("src/township_atlas/ui/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            if (
                name in ("selectbox", "url_selectbox")
                and path.name != "url_choice.py"
                and not any(k.arg == "placeholder" for k in node.keywords)
            ):
                missing.append(f"{path.name}:{node.lineno}")
    assert not missing, missing


def test_overview_shows_the_report_figures_computed_from_data(data_env):
    shown = metrics(run_app(OVERVIEW))
    assert shown["乡域面积(平方公里)"] == "42.5"
    assert shown["行政村"] == "7 个"
    assert shown["党支部"] == "10 个"
    assert shown["党员"] == "353 名"
    assert shown["农村党支部"] == "7 个"
    assert shown["农村党员"] == "301 名"
    at = run_app(OVERVIEW)
    assert "数据检查通过" in at.success[0].value


def test_overview_follows_the_data_when_a_branch_changes(data_env):
    path = data_env / "party_orgs.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    branch = next(f for f in doc["features"] if f["properties"]["org_id"] == "B01")
    branch["properties"]["members"] += 5
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    at = run_app(OVERVIEW)
    shown = metrics(at)
    assert shown["党员"] == "358 名" and shown["农村党员"] == "306 名"
    # The data check now says the members no longer match the report.
    messages = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "按组织数据计算的党员总数为 358,报告为 353" in messages
    assert "数据检查发现" in at.error[0].value


def test_overview_in_english(data_env):
    at = run_app(OVERVIEW, lang="en")
    assert metrics(at)["Party members"] == "353"
    notice = at.caption[0]
    assert "Sample data" in notice.value and "fictional" in notice.help  # one short line


def test_broken_file_is_shown_and_the_page_still_runs(data_env):
    (data_env / "sites.geojson").write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    at = run_app(OVERVIEW)
    assert not at.exception
    text = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "sites.geojson" in text
    assert metrics(at)["产业点位"] == "0 个"


def test_a_missing_data_folder_is_a_township_being_set_up_for_a_visitor(tmp_path, monkeypatch):
    # Not an error page: the township is still to be set up (planners get the guide,
    # tests/test_setup_guide.py); a visitor is told to come back later.
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(tmp_path / "nowhere"))
    at = run_app(OVERVIEW)
    assert not at.exception
    assert not at.error
    assert at.info[0].value == "本乡数据正在建立中,请稍后再来或联系管理员。"


def test_a_data_folder_that_cannot_be_read_is_still_a_plain_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("TOWNSHIP_ATLAS_STORAGE", "nonsense")
    at = run_app(OVERVIEW)
    assert not at.exception
    assert any("TOWNSHIP_ATLAS_STORAGE" in e.value for e in at.error)


def test_language_switch_changes_the_labels(data_env):
    # AppTest shows the sidebar only for the default page (the map).
    at = run_app()
    assert at.selectbox[0].label == "查找村、点位或党组织"
    at.sidebar.segmented_control[0].set_value("en").run()
    assert at.selectbox[0].label == "Find a village, site or Party organisation"
    assert at.query_params["lang"] == "en"


def test_the_data_is_loaded_once_per_version_and_shared_by_every_session(data_env, monkeypatch):
    """Thirty people watching cost one load, not thirty: sessions share the loaded data,
    and a change is loaded once more, for all of them."""
    from township_atlas.storage.files.store import Store

    loads: list[str] = []
    real = Store.load

    def counted(self, *args, **kwargs):
        loads.append(str(self.path))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "load", counted)
    sessions = [run_app(OVERVIEW), run_app("pages/village.py"), run_app()]
    assert loads == [str(data_env)]
    assert not any(at.exception for at in sessions)

    path = data_env / "party_orgs.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["members"] += 1
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for at in sessions:
        at.run()
        assert not at.exception
    assert loads == [str(data_env)] * 2
