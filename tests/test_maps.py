"""Map building without a browser: payload, choropleth, selection details, basemaps, and the
generated script (escaping), through AppTest where a page is involved."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page
from tests.conftest import SAMPLE_DIR
from tests.factory import make_bundle
from township_atlas.geo.china_shifts import wgs84_to_gcj02
from township_atlas.maps import datafile, payload
from township_atlas.maps.basemaps import available_basemaps
from township_atlas.maps.build import (
    LAYER_KEYS,
    display_shift,
    dynamic_layer,
    static_data,
    static_map,
)
from township_atlas.maps.choropleth import choropleth
from township_atlas.maps.selection import (
    details,
    find_sites,
    fly_bounds,
    parse,
    search_options,
    selected_site_options,
)
from township_atlas.maps.style import RAG, SEQUENTIAL
from township_atlas.model.target_status import status_against_target
from township_atlas.storage.files.store import Store

NONE = available_basemaps()[0]


@pytest.fixture(scope="module")
def sample():
    return Store(SAMPLE_DIR).load().bundle


@pytest.mark.parametrize(
    ("value", "target", "higher", "status"),
    [
        (10, 10, True, "green"),
        (9.5, 10, True, "amber"),
        (8.9, 10, True, "red"),
        (10, 10, False, "green"),
        (10.5, 10, False, "amber"),
        (11.5, 10, False, "red"),
        (0, 0, False, "green"),
        (0.5, 0, False, "amber"),
        (2, 0, False, "red"),
        (None, 10, True, "none"),
        (5, None, True, "none"),
    ],
)
def test_status_against_target(value, target, higher, status):
    assert status_against_target(value, target, higher) == status


def test_every_feature_carries_a_selection_key(sample):
    sites, footprints = payload.site_layers(sample, "zh", None)
    orgs = payload.org_layer(sample, "zh", None)
    villages = payload.village_features(sample, "zh", None)
    assert len(sites["features"]) == len(sample.sites)
    assert len(footprints["features"]) == int((sample.sites.geom_type != "Point").sum())
    assert len(orgs["features"]) == len(sample.party_orgs)
    for feat in sites["features"] + orgs["features"] + villages:
        assert parse(feat["properties"]["sel"]) is not None


def test_links_tie_each_group_to_its_site_and_chain_branches_to_their_chain(sample):
    chains, links = payload.chain_layers(sample, "zh", None)
    groups = (sample.party_orgs["level"] == "group").sum()
    on_chains = sample.party_orgs["chain_id"].notna().sum()
    kinds = [f["properties"]["kind"] for f in links["features"]]
    assert kinds.count("group_site") == groups
    assert kinds.count("branch_chain") == on_chains
    assert len(chains["features"]) == len(sample.chains)


def test_choropleth_against_targets_uses_red_amber_green(sample):
    choro = choropleth(sample, "collective_income", 2025, "zh")
    ind = sample.indicators
    rows = ind[(ind["indicator"] == "collective_income") & (ind["year"] == 2025)]
    for r in rows.itertuples():
        expected = status_against_target(r.value, r.target, True)
        assert choro.fills[r.place_code] == RAG[expected]
    assert "2025" in choro.title and "万元" in choro.title
    assert {label for _, label in choro.rows} == {"达到目标", "接近目标", "落后于目标"}


def test_choropleth_without_targets_uses_value_classes_and_says_no_data(sample):
    choro = choropleth(sample, "market_turnover", 2025, "en")
    assert set(choro.fills.values()) <= set(SEQUENTIAL) | {RAG["none"]}
    assert choro.rows and "10k yuan" in choro.rows[0][1]
    empty = choropleth(sample, "market_turnover", 1999, "en")
    assert set(empty.fills.values()) == {RAG["none"]} and empty.rows == [(RAG["none"], "no data")]


def test_details_of_a_village_site_and_organisation(sample):
    village = details(sample, "village:V03", "zh")
    assert village.title == "杏树坪村" and dict(village.facts)["branches"] == "杏树坪村党支部(43)"
    site_id = sample.sites.iloc[0]["site_id"]
    site = details(sample, f"site:{site_id}", "zh")
    group = sample.party_orgs[sample.party_orgs["site_id"] == site_id]
    assert dict(site.facts)["party_group"] == (
        "尚无党小组" if group.empty else f"{group.iloc[0]['name_zh']}({group.iloc[0]['members']})"
    )
    branch = details(sample, "org:B01", "en")
    assert dict(branch.facts)["members"] == "52" and dict(branch.facts)["parent"]
    assert details(sample, "site:NOPE", "zh") is None
    assert details(sample, "garbage", "zh") is None


def test_search_lists_every_feature(sample):
    options = search_options(sample, "zh")
    assert len(options) == len(sample.villages) + len(sample.sites) + len(sample.party_orgs)
    assert options["village:V01"].startswith("上庄村")


def test_amap_shifts_overlays_to_gcj02(sample):
    amap = next(b for b in available_basemaps() if b.key == "amap")
    shifted = payload.bounds(sample, display_shift(amap))
    plain = payload.bounds(sample, None)
    lon, lat = wgs84_to_gcj02(np.array(plain[0][1]), np.array(plain[0][0]))
    # GCJ-02 moves points here by a few hundred metres; the bounds move by about as much.
    assert shifted[0] == pytest.approx([float(lat), float(lon)], abs=2e-4)
    assert abs(shifted[0][1] - plain[0][1]) > 1e-3


def test_tianditu_needs_a_token_and_local_tiles_need_the_folder(tmp_path):
    keys = {b.key for b in available_basemaps()}
    assert "tianditu_vec" not in keys and "local" not in keys
    keys = {b.key for b in available_basemaps("abc", tmp_path)}
    assert {"tianditu_vec", "tianditu_img", "local"} <= keys
    tdt = next(b for b in available_basemaps("abc") if b.key == "tianditu_vec")
    assert len(tdt.tiles) == 2 and all("tk=abc" in t.url for t in tdt.tiles)


def test_hostile_names_reach_the_script_only_as_escaped_json():
    bundle = make_bundle()
    bundle.villages.loc[0, "name_zh"] = "<img src=x onerror=alert(1)>`${alert(2)}`</script>"
    m = static_map(static_data(bundle, "zh", NONE), "zh", NONE)
    html = m.get_root().render()
    assert "<img src=x" not in html and "</script>`" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    with_fill = static_map(static_data(bundle, "zh", NONE), "zh", NONE)
    dynamic_layer(
        bundle,
        "zh",
        NONE,
        choro=choropleth(bundle, "collective_income", 2024, "zh"),
        selection=None,
    ).add_to(with_fill)
    html = with_fill.get_root().render()
    assert "<img" not in html and r"\u003cimg" in html


def test_fly_bounds_cover_the_selection(sample):
    (south, west), (north, east) = fly_bounds(sample, ["village:V02"])
    minx, miny, maxx, maxy = sample.villages[sample.villages.code == "V02"].total_bounds
    assert (west, south, east, north) == pytest.approx((minx, miny, maxx, maxy))


def test_selections_follow_a_new_version_of_a_layer_and_skip_what_has_no_shape():
    from shapely.geometry import Point

    from township_atlas.maps.selection import geometry_of

    bundle = make_bundle()
    site = bundle.sites.iloc[0]
    assert geometry_of(bundle, f"site:{site.site_id}").equals(site.geometry)
    # An edit loads a new layer object: the site's new place, not the one looked up before.
    moved = bundle.sites.copy()
    moved.loc[moved.index[0], "geometry"] = Point(site.geometry.x + 0.001, site.geometry.y)
    bundle.sites = moved
    assert geometry_of(bundle, f"site:{site.site_id}").equals(moved.geometry.iloc[0])
    # A duplicated id outlines its first feature, as the details panel shows it.
    twice = pd.concat([moved.iloc[[0]], moved.iloc[[0]].assign(geometry=[Point(0, 0)])])
    bundle.sites = twice
    assert geometry_of(bundle, f"site:{site.site_id}").equals(moved.geometry.iloc[0])
    # Unknown ids, empty geometries and empty layers give nothing to outline.
    bundle.sites = moved.assign(geometry=[Point()] * len(moved))
    assert geometry_of(bundle, f"site:{site.site_id}") is None
    assert geometry_of(bundle, "site:NOPE") is None and geometry_of(bundle, "nonsense") is None
    bundle.sites = moved.iloc[0:0]
    assert geometry_of(bundle, f"site:{site.site_id}") is None
    assert fly_bounds(bundle, [f"site:{site.site_id}"]) is None


def test_the_selection_index_goes_with_its_version_of_the_data():
    import gc

    from township_atlas.maps import selection

    bundle = make_bundle()
    site = bundle.sites.iloc[0].site_id
    assert selection.geometry_of(bundle, f"site:{site}") is not None
    key = (id(bundle.sites), "site_id")
    assert key in selection._GEOMETRY_INDEX
    bundle.sites = bundle.sites.copy()  # a new version replaces the layer
    gc.collect()
    assert key not in selection._GEOMETRY_INDEX  # no old geometries kept alive


def _map_args(at: AppTest) -> dict:
    element = next(e for e in at.main if type(e).__name__ == "UnknownElement")
    return json.loads(element.proto.json_args)


def _map_data_file(args: dict) -> Path:
    """The layers' file the map script fetches (under the app's static folder)."""
    from township_atlas.ui.app_paths import static_dir

    url = re.search(r'"data_url": "([^"]+)"', args["script"]).group(1)
    assert url.startswith(datafile.URL_PREFIX + "/")
    return static_dir() / datafile.FOLDER / url.rsplit("/", 1)[1]


def test_map_page_search_selects_and_shows_details(data_env):
    at = open_page()
    assert not at.exception
    assert "点击地图" in at.caption[-1].value
    at.selectbox(key="url_sel").set_value("village:V03").run()
    assert "杏树坪村" in " ".join(m.value for m in at.markdown)
    assert at.query_params["sel"] == "village:V03"
    args = _map_args(at)
    assert '"fly": [[' in args["feature_group"].replace("\n", "")


def test_map_page_colours_villages_by_the_chosen_indicator(data_env):
    at = open_page()
    key_before = _map_args(at)["script"]
    at.selectbox(key="url_ind").set_value("collective_income").run()
    at.selectbox(key="url_year").set_value(2024).run()
    args = _map_args(at)
    assert json.dumps("村集体经济收入(2024年,万元)")[1:-1] in args["feature_group"]
    assert RAG["green"] in args["feature_group"]
    # Colours travel in the feature group: the map script (and its component key) is unchanged.
    assert args["script"] == key_before
    assert at.query_params["ind"] == "collective_income" and at.query_params["year"] == "2024"


def test_map_page_offers_the_same_years_as_the_other_pages_latest_first(data_env):
    from township_atlas.views.indicators import latest_year, years

    bundle = Store(data_env).load().bundle
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    year_box = at.selectbox(key="url_year")
    # Plan years (targets only) are offered too; the box opens on the latest recorded year.
    assert [int(y) for y in year_box.options] == years(bundle)[::-1]
    assert year_box.value == latest_year(bundle) != max(years(bundle))


def test_findings_with_a_location_are_drawn_on_the_map():
    bundle = make_bundle()
    from township_atlas.checks import run_checks

    bundle.sites.loc[bundle.sites.site_id == "S4", "village_code"] = "V1"
    findings = run_checks(bundle)
    data = static_data(bundle, "zh", NONE, findings)
    marks = data["findings"]["features"]
    assert marks and all(m["properties"]["severity"] == "error" for m in marks)
    assert any("S4" in m["properties"]["name"] for m in marks)


def test_map_page_says_when_map_files_are_missing(data_env, monkeypatch):
    from pathlib import Path

    from township_atlas.maps import offline_assets as assets
    from township_atlas.ui import map_view

    report = assets.install_assets(Path(data_env) / "static", specs=())
    missing = assets.AssetReport(
        static_dir=report.static_dir,
        assets=(assets.AssetStatus(assets.ASSETS[0], None, "not_installed"),),
    )
    monkeypatch.setattr(map_view, "_install_assets_once", lambda _dir: missing)
    at = open_page()
    assert not at.exception
    assert "地图组件文件缺失" in at.error[0].value and "XStatic-Leaflet" in at.error[0].value
    assert not [e for e in at.main if type(e).__name__ == "UnknownElement"]


def test_every_tile_url_is_https():
    for basemap in available_basemaps("abc"):
        assert all(t.url.startswith("https://") for t in basemap.tiles), basemap.key


@pytest.mark.parametrize(
    "name", ["石{#岔村", "{{ 7*7 }}村", "{% raw %}村", "{{ lipsum.__globals__ }}"]
)
def test_template_syntax_in_names_is_never_compiled_on_the_server(name):
    # branca re-reads a MacroElement's output as a Jinja template; ours must not, or a
    # name could crash the page or run code in the server process.
    bundle = make_bundle()
    bundle.villages.loc[0, "name_zh"] = name
    m = static_map(static_data(bundle, "zh", NONE), "zh", NONE)
    dynamic_layer(bundle, "zh", NONE).add_to(m)
    html = m.get_root().render()
    assert json.dumps(name)[1:-1] in html
    assert "49村" not in html and "<function" not in html


def test_map_page_survives_template_syntax_in_a_name(data_env):
    path = data_env / "villages.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["name_zh"] = "{{ 7*7 }}石{#岔村"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    at = open_page()
    assert not at.exception
    layers = _map_data_file(_map_args(at)).read_text(encoding="utf-8")
    assert (
        "{{ 7*7 }}石{#岔村"
        in json.loads(layers)["village_labels"]["features"][0]["properties"]["name"]
    )


def test_the_layers_travel_as_a_file_and_a_click_resends_only_the_selection(data_env):
    at = open_page()
    first = _map_args(at)
    path = _map_data_file(first)
    content = path.read_bytes()
    # Named by its content; the map's frame fetches it (the prefetch script first of all).
    assert path.name == datafile.file_name(content, Store(data_env).load().fingerprint)
    assert first["js_links"][0].endswith(f"/{datafile.PREFETCH_NAME}?{path.name}")
    assert not any("jquery" in link for link in first["js_links"])
    layers = json.loads(content)
    assert set(layers) == set(LAYER_KEYS)
    assert len(layers["villages"]["features"]) == 7 and len(layers["sites"]["sel"]) == 42
    assert len(first["script"]) < 60_000  # atlas.js and the settings, not the layers
    at.selectbox(key="url_sel").set_value("village:V03").run()
    second = _map_args(at)
    # Byte-identical static part (the component keeps its state); the selection is small.
    for part in ("script", "header", "html", "js_links", "css_links"):
        assert second[part] == first[part], part
    assert second["feature_group"] != first["feature_group"]
    assert len(second["feature_group"]) < 5_000


def test_without_anonymous_viewing_the_layers_stay_inside_the_page(monkeypatch):
    # A static file is served to anyone; with a login required, the layers go only to
    # sessions that passed it, inside the map's script.
    from township_atlas import settings
    from township_atlas.ui import map_view

    result = Store(SAMPLE_DIR).load()
    monkeypatch.setattr(settings, "anonymous_viewing", lambda: False)
    monkeypatch.setattr(map_view, "publish", lambda *_, **__: pytest.fail("published a file"))
    m, url = map_view._static_map(result, "zh", NONE, "atlas_map")
    assert url is None
    html = m.get_root().render()
    assert '"data_url": null' in html and datafile.PREFETCH_NAME not in html
    assert "\\u4e0a\\u5e84\\u6751" in html  # 上庄村, escaped inside the script


def test_a_data_file_is_written_once_and_old_ones_are_cleaned_up(tmp_path):
    urls = [datafile.publish(tmp_path, f'{{"v": {i}}}'.encode(), "v1", keep=3) for i in range(5)]
    folder = tmp_path / datafile.FOLDER
    names = [u.rsplit("/", 1)[1] for u in urls]
    for i, name in enumerate(names):  # distinct mtimes, oldest first
        if (folder / name).exists():
            os.utime(folder / name, (1_000 + i, 1_000 + i))
    assert datafile.publish(tmp_path, b'{"v": 4}', "v1", keep=3) == urls[4]  # already there
    datafile.publish(tmp_path, b'{"v": 5}', "v1", keep=3)
    kept = sorted(p.name for p in folder.glob("*.json"))
    assert kept == sorted([names[3], names[4], datafile.file_name(b'{"v": 5}', "v1")])
    assert (folder / datafile.PREFETCH_NAME).read_bytes() == datafile.PREFETCH_JS
    assert oct((folder / names[4]).stat().st_mode & 0o777) == "0o644"


def test_many_sites_are_clustered_on_a_canvas_with_simplified_villages(monkeypatch):
    from township_atlas.maps import build

    bundle = make_bundle()
    small = static_data(bundle, "zh", NONE)
    assert not small["cluster"] and not small["canvas"]
    monkeypatch.setattr(build, "CLUSTER_THRESHOLD", 0)
    monkeypatch.setattr(build, "SIMPLIFY_ABOVE_VILLAGES", 0)
    big = static_data(bundle, "zh", NONE)
    assert big["cluster"] and big["canvas"]
    sites = big["sites"]
    assert sites["sel"] == [f"site:{s}" for s in bundle.sites.site_id]
    assert [sites["kinds"][k] for k in sites["kind"]] == list(bundle.sites.kind)
    assert len(sites["lon"]) == len(sites["lat"]) == len(bundle.sites)
    vertices = lambda d: sum(  # noqa: E731
        len(ring) for f in d["villages"]["features"] for ring in f["geometry"]["coordinates"]
    )
    assert vertices(big) <= vertices(small)


def test_site_search_by_part_of_a_name(sample):
    options = search_options(sample, "zh", sites=False)
    assert not any(k.startswith("site:") for k in options)
    assert len(options) == len(sample.villages) + len(sample.party_orgs)
    found = find_sites(sample, "zh", "肉牛")
    assert found and all("肉牛" in label for label in found.values())
    assert find_sites(sample, "zh", "  ") == {} and find_sites(sample, "zh", "无此点位") == {}
    assert len(find_sites(sample, "zh", "基地", limit=3)) == 3


def test_with_many_sites_the_search_box_lists_sites_found_by_name(tmp_path, monkeypatch):
    # Past SEARCH_ALL_SITES (pages/map.py) the box lists villages and organisations, plus
    # the sites whose name contains what was typed, plus the selected site.
    from township_atlas.sample import generate

    data = generate(tmp_path / "county", n_villages=60, n_sites=600)
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(data))
    bundle = Store(data).load().bundle
    at = open_page(timeout=120)
    assert not at.exception
    assert len(at.selectbox(key="url_sel").options) == 1 + len(bundle.villages) + len(
        bundle.party_orgs
    )
    part = bundle.sites.iloc[7]["name_zh"][:3]
    at.text_input(key="map_site_query").input(part).run()
    found = find_sites(bundle, "zh", part)
    assert found and f"找到 {len(found)} 个点位" in " ".join(c.value for c in at.caption)
    labels = at.selectbox(key="url_sel").options
    assert all(label in labels for label in found.values())
    site = next(iter(found))
    at.selectbox(key="url_sel").set_value(site).run()
    assert at.query_params["sel"] == site and not at.exception
    # A link to a site that was never searched for still shows it as the choice.
    other = f"site:{bundle.sites.iloc[-1]['site_id']}"
    link = open_page(query={"sel": other}, timeout=120)
    assert link.selectbox(key="url_sel").value == other


def test_a_data_change_redraws_in_place_without_remounting_the_map(data_env):
    at = open_page()
    first = _map_args(at)
    old_file = _map_data_file(first)
    path = data_env / "villages.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["name_zh"] = "改名后的村"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    at.run()
    second = _map_args(at)
    # The frame is the same (no remount, the view is kept) ...
    for part in ("script", "header", "html", "js_links", "css_links"):
        assert second[part] == first[part], part
    # ... and the dynamic part names the new layers' file, which the map fetches.
    assert old_file.name not in second["feature_group"]
    new_name = next(
        p.name for p in old_file.parent.glob("*.json") if p.name in second["feature_group"]
    )
    assert "改名后的村" in (old_file.parent / new_name).read_text(encoding="utf-8")


def test_the_selected_site_is_a_search_option_and_nothing_else_is():
    bundle = make_bundle()
    chosen = selected_site_options(bundle, "zh", "site:S2")
    assert list(chosen) == ["site:S2"] and "甲村示范基地" in chosen["site:S2"]
    assert selected_site_options(bundle, "zh", "site:S9") == {}  # unknown site
    assert selected_site_options(bundle, "zh", "village:V01") == {}
    assert selected_site_options(bundle, "zh", None) == {}


def test_the_details_figures_table_has_stable_keys_and_formats_each_figure():
    from township_atlas.maps.details_table import FIGURE_COLUMNS, figure_headers, figures_table
    from township_atlas.text.labels import tr

    figure = {
        "label_zh": "党员数",
        "label_en": "Party members",
        "unit_zh": "人",
        "unit_en": "",
        "year": 2024,
        "value": 12.0,
        "target": None,
        "status": "none",
    }
    income = {**figure, "label_zh": "集体收入", "value": 12.25, "target": 1500.0}
    table = figures_table([figure, {**income, "status": "red"}], "en")
    assert list(table.columns) == list(FIGURE_COLUMNS)
    assert table.iloc[0].to_dict() == {
        "indicator": "Party members(2024)",
        "value": "12",
        "target": "—",
        "status": "– " + tr("status_none", "en"),
    }
    assert table.iloc[1]["value"] == "12.2" and table.iloc[1]["target"] == "1,500"
    # Marks every CJK font has, the indicator tables' own (no colour emoji, shown as boxes).
    assert table.iloc[1]["status"] == "✗ " + tr("status_red", "en")
    assert figures_table([figure], "zh").iloc[0]["value"] == "12 人"
    assert figures_table([], "zh").empty
    assert figure_headers("zh")["target"] == tr("target", "zh")
