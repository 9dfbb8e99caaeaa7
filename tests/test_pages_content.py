"""AppTest: the village, indicator and organisation pages show figures computed here,
independently, from the data files; every selector is driven; a changed value changes
the page; empty years and missing plans give a plain message, never an exception."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

VILLAGE = "pages/village.py"
INDICATORS = "pages/indicators.py"
ORGANISATION = "pages/organisation.py"


def run_app(page: str, **query: str) -> AppTest:
    """Open ``page`` directly with ``query`` in the URL, as a shared link does.

    (Running the default page first would let it rewrite parameters it also uses.)
    """
    return open_page(page, query=query, direct=True)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def values(folder: Path) -> dict[tuple[str, int, str], float]:
    return {
        (r["place_code"], int(r["year"]), r["indicator"]): float(r["value"])
        for r in read_csv(folder / "indicators.csv")
        if r["value"] != ""
    }


def features(path: Path) -> list[dict]:
    return [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]


def set_value(folder: Path, place: str, year: int, key: str, value: float) -> None:
    path = folder / "indicators.csv"
    rows = read_csv(path)
    for row in rows:
        if (row["place_code"], int(row["year"]), row["indicator"]) == (place, year, key):
            row["value"] = f"{value:g}"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def metrics(at) -> dict[str, object]:
    """Metric cards by label (status marks stripped); the first card of a label wins."""
    out: dict[str, object] = {}
    for m in at.metric:
        out.setdefault(m.label.split(" :")[0], m)
    return out


def texts(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "info", "warning", "caption", "header")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def selectbox(at, label: str):
    return next(s for s in at.selectbox if s.label == label)


def no_exception(at) -> None:
    assert not at.exception, at.exception


# --- 村情档案 -------------------------------------------------------------------------


def test_village_from_the_url_shows_its_own_figures(data_env):
    at = run_app(VILLAGE, village="V03")
    no_exception(at)
    village = next(v for v in features(data_env / "villages.geojson") if v["code"] == "V03")
    branch = next(
        o
        for o in features(data_env / "party_orgs.geojson")
        if o["level"] == "branch" and o["village_code"] == "V03"
    )
    assert selectbox(at, "选择村").value == "V03"
    assert at.header[0].value.startswith(village["name_zh"])
    shown = metrics(at)
    assert shown["户籍人口"].value == f"{village['population']:,} 人"
    assert shown["村党支部党员"].value == f"{branch['members']} 名"
    groups = at.dataframe[2].value  # goals, milestones, then the branch's groups
    expected = {
        o["name_zh"]: o["members"]
        for o in features(data_env / "party_orgs.geojson")
        if o["parent_id"] == branch["org_id"]
    }
    assert dict(zip(groups["党小组"], groups["党员"], strict=True)) == expected


def test_indicator_cards_show_the_csv_value_and_the_change(data_env):
    v = values(data_env)
    at = run_app(VILLAGE, village="V03", year="2025")
    card = metrics(at)["村集体经济收入"]
    assert card.value == f"{v[('V03', 2025, 'collective_income')]:g} 万元"
    change = v[("V03", 2025, "collective_income")] - v[("V03", 2024, "collective_income")]
    assert card.proto.delta == f"+{change:.1f} 万元"
    land = metrics(at)["土地流转面积"]
    assert land.value == f"{v[('V03', 2025, 'land_transferred')]:,.0f} 亩"


def test_a_changed_indicator_value_changes_the_village_page(data_env):
    set_value(data_env, "V03", 2025, "collective_income", 42.0)
    at = run_app(VILLAGE, village="V03", year="2025")
    no_exception(at)
    assert metrics(at)["村集体经济收入"].value == "42 万元"
    goals = at.dataframe[0].value
    row = goals[goals["年份"] == "2025"].iloc[0]
    assert row["实际"] == "42 万元"


def test_choosing_a_village_and_a_year_goes_into_the_url(data_env):
    at = run_app(VILLAGE)
    assert selectbox(at, "选择村").value == "V01"
    selectbox(at, "选择村").set_value("V05").run()
    no_exception(at)
    assert at.query_params["village"] == ["V05"] or at.query_params["village"] == "V05"
    assert at.header[0].value.startswith("新堡村")
    selectbox(at, "年份").set_value(2023).run()
    assert str(at.query_params["year"]).strip("[]'") == "2023"
    v = values(data_env)
    assert metrics(at)["村集体经济收入"].value == f"{v[('V05', 2023, 'collective_income')]:g} 万元"


def test_an_unknown_village_in_the_link_is_said_plainly(data_env):
    at = run_app(VILLAGE, village="V99")
    no_exception(at)
    assert "village=V99" in at.warning[0].value
    assert selectbox(at, "选择村").value == "V01"


def test_a_year_with_no_values_gives_a_clear_message(data_env):
    at = run_app(VILLAGE, village="V02", year="2026")
    no_exception(at)
    assert "2026 年还没有录入任何指标数值" in texts(at)


def test_a_village_with_no_plan_gives_a_clear_message(data_env):
    path = data_env / "plans.yaml"
    plans = yaml.safe_load(path.read_text(encoding="utf-8"))
    del plans["villages"]["V02"]
    path.write_text(yaml.safe_dump(plans, allow_unicode=True), encoding="utf-8")
    at = run_app(VILLAGE, village="V02")
    no_exception(at)
    assert "该村还没有“一村一业”发展规划" in texts(at)
    assert "规划中没有列出该村的问题" in texts(at)


def test_goals_compare_actual_with_target_from_the_csv(data_env):
    rows = {
        (r["place_code"], int(r["year"]), r["indicator"]): r
        for r in read_csv(data_env / "indicators.csv")
    }
    plan = yaml.safe_load((data_env / "plans.yaml").read_text(encoding="utf-8"))["villages"]["V04"]
    at = run_app(VILLAGE, village="V04")
    goals = at.dataframe[0].value.set_index("年份")
    for goal in plan["goals"]:
        record = rows[("V04", goal["year"], goal["indicator"])]
        shown = goals.loc[str(goal["year"])]
        if record["value"] and record["target"]:
            progress = 100 * float(record["value"]) / float(record["target"])
            assert shown["完成率"] == round(progress)
        else:
            assert shown["状态"] == "未到年份"


def test_funding_problems_and_support_unit(data_env):
    v = values(data_env)
    at = run_app(VILLAGE, village="V03", year="2025")
    # The funding section's cards come after the indicator cards of the same names.
    shown = {m.label: m for m in at.metric}
    assert shown["公益事业资金缺口"].value == f"{v[('V03', 2025, 'funding_shortfall')]:g}"
    assert shown["村干部垫付"].value == f"{v[('V03', 2025, 'paid_by_cadres')]:g}"
    report = yaml.safe_load((data_env / "report.yaml").read_text(encoding="utf-8"))
    plan = yaml.safe_load((data_env / "plans.yaml").read_text(encoding="utf-8"))["villages"]["V03"]
    titles = {p["key"]: p["title_zh"] for p in report["problems"]}
    for key in plan["problems"]:
        assert titles[key] in texts(at).replace("\\", "")
    village = next(v for v in features(data_env / "villages.geojson") if v["code"] == "V03")
    assert village["support_unit_zh"] in texts(at).replace("\\", "")


def test_trend_selector_draws_one_chart_per_indicator(data_env):
    at = run_app(VILLAGE, village="V01")
    at.multiselect[0].set_value(["collective_income"]).run()
    no_exception(at)
    charts = [json.loads(e.proto.spec) for e in at.get("echarts_chart")]
    trends = [c for c in charts if c.get("title", {}).get("text") == "村集体经济收入(万元)"]
    assert len(trends) == 1
    v = values(data_env)
    assert trends[0]["series"][0]["data"][:5] == [
        v[("V01", y, "collective_income")] for y in range(2021, 2026)
    ]
    at.multiselect[0].set_value([]).run()
    assert "请至少选择一个指标" in texts(at)


def test_village_names_are_not_markup(data_env):
    path = data_env / "villages.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["name_zh"] = "**粗体**[链接](http://x)<b>"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    at = run_app(VILLAGE, village="V01")
    no_exception(at)
    assert "\\*\\*粗体\\*\\*\\[链接\\](http" in at.header[0].value


# --- 指标对比 -------------------------------------------------------------------------


def test_indicator_table_equals_the_csv_for_the_chosen_year(data_env):
    v = values(data_env)
    at = run_app(INDICATORS, year="2024")
    no_exception(at)
    table = at.dataframe[0].value
    names = {f["name_zh"]: f["code"] for f in features(data_env / "villages.geojson")}
    for _, row in table.iterrows():
        code = names[row["村"]]
        assert row["村集体经济收入(万元)"] == pytest.approx(v[(code, 2024, "collective_income")])
        assert row["土地流转面积(亩)"] == pytest.approx(v[(code, 2024, "land_transferred")])


def test_township_totals_equal_the_sum_of_the_villages(data_env):
    v = values(data_env)
    at = run_app(INDICATORS, year="2025")
    totals = at.dataframe[1].value.set_index("指标")
    income = sum(val for (p, y, k), val in v.items() if y == 2025 and k == "collective_income")
    land = sum(val for (p, y, k), val in v.items() if y == 2025 and k == "land_transferred")
    per_capita = [val for (p, y, k), val in v.items() if y == 2025 and k == "per_capita_income"]
    assert totals.loc["村集体经济收入", "全乡合计"] == f"{income:,.1f} 万元".replace(".0 ", " ")
    assert totals.loc["土地流转面积", "全乡合计"] == f"{land:,.0f} 亩"
    mean = sum(per_capita) / len(per_capita)
    assert totals.loc["农民人均可支配收入", "全乡合计"] == f"{mean:,.0f} 元"
    assert totals.loc["农民人均可支配收入", "合计方式"] == "各村平均"


def test_a_changed_value_changes_the_table_and_the_total(data_env):
    before = run_app(INDICATORS, year="2025").dataframe[1].value.set_index("指标")
    set_value(data_env, "V02", 2025, "land_transferred", 9999)
    at = run_app(INDICATORS, year="2025")
    table = at.dataframe[0].value.set_index("村")
    assert table.loc["河湾村", "土地流转面积(亩)"] == 9999
    after = at.dataframe[1].value.set_index("指标")
    assert after.loc["土地流转面积", "全乡合计"] != before.loc["土地流转面积", "全乡合计"]


def test_an_empty_year_is_a_message_not_an_exception(data_env):
    at = run_app(INDICATORS, year="2027")
    no_exception(at)
    assert "2027 年还没有录入任何指标数值" in at.info[-1].value + texts(at)
    assert not at.dataframe  # no empty table, no download of nothing


def test_group_and_rank_selectors(data_env):
    at = run_app(INDICATORS, year="2025")
    at.get("button_group")[0].set_value("funding").run()
    no_exception(at)
    columns = list(at.dataframe[0].value.columns)
    assert "公益事业资金缺口(万元)" in columns and "村集体经济收入(万元)" not in columns
    at.get("button_group")[1].set_value("ranks").run()
    ranks = at.dataframe[0].value.set_index("村")["公益事业资金缺口"]
    v = values(data_env)
    names = {f["code"]: f["name_zh"] for f in features(data_env / "villages.geojson")}
    shortfall = {
        names[p]: val for (p, y, k), val in v.items() if y == 2025 and k == "funding_shortfall"
    }
    for name, value in shortfall.items():  # lower is better: the smallest shortfall ranks first
        assert ranks[name] == 1 + sum(1 for other in shortfall.values() if other < value)


def test_ranking_indicator_goes_into_the_url_and_drives_the_charts(data_env):
    at = run_app(INDICATORS, year="2025")
    selectbox(at, "排名与趋势指标").set_value("per_capita_income").run()
    no_exception(at)
    assert str(at.query_params["indicator"]).strip("[]'") == "per_capita_income"
    charts = [json.loads(e.proto.spec) for e in at.get("echarts_chart")]
    ranking = charts[0]
    v = values(data_env)
    best_first = sorted(
        (val for (p, y, k), val in v.items() if y == 2025 and k == "per_capita_income"),
        reverse=True,
    )
    assert [d["value"] for d in ranking["series"][0]["data"]] == best_first
    assert len(charts) == 1 + 1 + 7  # ranking, township trend, one per village


def test_downloads_need_a_planner_and_say_so(data_env):
    # Anonymous viewers see the table but no download (planners: tests/test_auth_pages.py).
    at = run_app(INDICATORS, year="2025")
    assert not at.get("download_button")
    assert "规划员" in " ".join(c.value for c in at.caption)


def test_an_unknown_year_in_the_link_is_said_plainly(data_env):
    at = run_app(INDICATORS, year="1999")
    no_exception(at)
    assert "year=1999" in at.warning[0].value


# --- 组织体系 -------------------------------------------------------------------------


def test_organisation_counts_are_computed_and_pass(data_env):
    orgs = features(data_env / "party_orgs.geojson")
    branches = [o for o in orgs if o["level"] == "branch"]
    rural = [o for o in branches if o["branch_kind"] == "rural"]
    at = run_app(ORGANISATION)
    no_exception(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown["党支部"] == f"{len(branches)} 个"
    assert shown["党员"] == f"{sum(o['members'] for o in branches)} 名"
    assert shown["农村党支部"] == f"{len(rural)} 个"
    assert shown["农村党员"] == f"{sum(o['members'] for o in rural)} 名"
    badges = [m.value for m in at.markdown if "badge" in m.value]
    assert len(badges) == 4 and all("✓ 一致" in b for b in badges)


def test_a_changed_branch_fails_its_check_on_the_page(data_env):
    path = data_env / "party_orgs.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    branch = next(f for f in doc["features"] if f["properties"]["org_id"] == "B08")
    branch["properties"]["members"] += 2
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    at = run_app(ORGANISATION)
    no_exception(at)
    assert {m.label: m.value for m in at.metric}["党员"] == "355 名"
    badges = [m.value for m in at.markdown if "badge" in m.value]
    assert ":red-badge[报告 353 · ✗ 不一致]" in badges
    assert ":green-badge[报告 301 · ✓ 一致]" in badges  # B08 is not rural


def test_coverage_and_the_uncovered_sites(data_env):
    sites = features(data_env / "sites.geojson")
    built_on = {o["site_id"] for o in features(data_env / "party_orgs.geojson") if o["site_id"]}
    eligible = [s for s in sites if s["kind"] in ("wealth_project", "demo_base")]
    uncovered = [s["name_zh"] for s in eligible if s["site_id"] not in built_on]
    at = run_app(ORGANISATION)
    shown = {m.label: m for m in at.metric}
    share = round(100 * (len(eligible) - len(uncovered)) / len(eligible))
    assert shown["合计建有党小组"].value == f"{share}%"
    assert (
        shown["合计建有党小组"].proto.delta
        == f"{len(eligible) - len(uncovered)} / {len(eligible)} 个"
    )
    table = next(df.value for df in at.dataframe if "点位" in df.value.columns)
    assert sorted(table["点位"]) == sorted(uncovered)


def test_tree_focus_selector_shows_one_branch(data_env):
    at = run_app(ORGANISATION)
    full = at.get("graphviz_chart")[0].proto.spec
    assert "上庄村党支部" in full and "河湾村党支部" in full
    selectbox(at, "显示").set_value("B02").run()
    no_exception(at)
    one = at.get("graphviz_chart")[0].proto.spec
    assert "河湾村党支部" in one and "上庄村党支部" not in one
    groups = [
        o["name_zh"] for o in features(data_env / "party_orgs.geojson") if o["parent_id"] == "B02"
    ]
    assert all(g in one for g in groups)
    assert str(at.query_params["branch"]).strip("[]'") == "B02"


def test_chains_table_lists_stages_and_branches(data_env):
    at = run_app(ORGANISATION)
    chains = at.dataframe[-1].value.set_index("产业链")
    stages = [r for r in read_csv(data_env / "chain_stages.csv") if r["chain_id"] == "C01"]
    expected = " → ".join(r["stage_zh"] for r in sorted(stages, key=lambda r: int(r["seq"])))
    assert chains.loc["肉牛全产业链", "环节"] == expected
    assert chains.loc["肉牛全产业链", "依托支部"] == "上庄村党支部"


@pytest.mark.parametrize("page", [VILLAGE, INDICATORS, ORGANISATION])
def test_pages_in_english(data_env, page):
    at = run_app(page, lang="en", village="V03")
    no_exception(at)
    title = at.title[0].value
    assert title.startswith("Qinghe Township (sample) · ")
    assert title.endswith(("Village profile", "Indicator comparison", "Party organisation"))
