"""Display stays light whatever the data holds: outlines simplified and capped in
vertices, texts shortened, before anything is encoded; the stored data untouched."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPoint, Polygon, box

from tests.factory import make_bundle
from township_atlas.briefing.pictures import slide_picture
from township_atlas.briefing.slides import build_deck
from township_atlas.maps.basemaps import available_basemaps
from township_atlas.maps.build import layers_file, static_data, static_map
from township_atlas.maps.choropleth import choropleth
from township_atlas.maps.display import (
    MAX_VERTICES,
    cap_vertices,
    display_bundle,
    vertex_count,
)
from township_atlas.maps.selection import details, highlight, search_options
from township_atlas.storage.files.store import Store
from township_atlas.text.numbers import (
    ELLIPSIS,
    LABEL_CHARS,
    PANEL_CHARS,
    TOOLTIP_CHARS,
    shorten,
)

NONE = next(b for b in available_basemaps(None, Path("/nonexistent")) if b.key == "none")
LONG = 10_000_000  # characters of the hostile name
VERTICES = 200_000  # of each hostile site
BOUND = 1_500_000  # bytes: what any one hostile page part may cost


def wobbly(x: float, y: float, n: int = VERTICES, r: float = 0.0015) -> Polygon:
    """A closed ring of ``n`` vertices around (x, y), no vertex redundant."""
    a = np.linspace(0, 2 * math.pi, n, endpoint=False)
    rr = r * (1 + 0.05 * np.sin(37 * a) + 0.02 * np.sin(1013 * a))
    return Polygon(np.column_stack([x + rr * np.cos(a), y + rr * np.sin(a)]))


def hostile_bundle():
    """The factory township with site S1 named ten million characters and ten more sites
    of 200,000 vertices each in village V1."""
    bundle = make_bundle()
    sites = bundle.sites
    s1 = sites.index[sites.site_id == "S1"][0]
    sites.loc[s1, "name_zh"] = "长" * LONG
    sites.loc[s1, "name_en"] = "L" * LONG
    template = sites[sites.site_id == "S2"]
    extra = [
        template.assign(site_id=f"H{i:02d}", geometry=[wobbly(105.703 + 0.0015 * i, 35.97)])
        for i in range(10)
    ]
    bundle.sites = pd.concat([sites, *extra], ignore_index=True).set_crs(4326, allow_override=True)
    return bundle


@pytest.fixture(scope="module")
def sample():
    from tests.conftest import SAMPLE_DIR

    return Store(SAMPLE_DIR).load().bundle


@pytest.fixture(scope="module")
def hostile():
    return hostile_bundle()


def test_shorten_cuts_long_text_with_an_ellipsis_and_leaves_short_text_alone():
    assert shorten("甲村", LABEL_CHARS) == "甲村"
    assert shorten(None) == "" and shorten(float("nan")) == ""
    cut = shorten("长" * LONG, LABEL_CHARS)
    assert len(cut) == LABEL_CHARS and cut.endswith(ELLIPSIS)
    assert shorten("a" * TOOLTIP_CHARS) == "a" * TOOLTIP_CHARS
    assert shorten("a" * (TOOLTIP_CHARS + 1)) == "a" * (TOOLTIP_CHARS - 1) + ELLIPSIS


def test_a_200k_vertex_outline_is_capped_and_keeps_its_shape():
    big = wobbly(105.7, 35.97)
    light = cap_vertices(big, 1 / 111_000)
    assert vertex_count(light) <= MAX_VERTICES and light.is_valid
    # Still the same place and size: the capped outline stays within ~10 m of the original.
    assert shapely.hausdorff_distance(big, light) * 111_000 < 10
    assert light.area == pytest.approx(big.area, rel=0.02)


def test_shapes_that_simplification_cannot_thin_are_capped_too():
    many_parts = shapely.MultiPolygon(
        [
            box(x * 1e-4, y * 1e-4, x * 1e-4 + 5e-5, y * 1e-4 + 5e-5)
            for x in range(60)
            for y in range(60)
        ]
    )
    assert vertex_count(many_parts) > MAX_VERTICES
    assert vertex_count(cap_vertices(many_parts, 1 / 111_000)) <= MAX_VERTICES
    points = MultiPoint(np.random.default_rng(1).random((50_000, 2)))
    capped = cap_vertices(points, 1 / 111_000)
    assert capped.geom_type == "MultiPoint" and 0 < vertex_count(capped) <= MAX_VERTICES


def test_the_sample_looks_the_same_and_villages_keep_their_shared_edges(sample):
    light = display_bundle(sample)
    for name in ("township", "villages", "sites", "party_orgs"):
        before, after = getattr(sample, name).geometry, getattr(light, name).geometry
        assert len(before) == len(after)
        for b, a in zip(before, after, strict=True):
            assert vertex_count(a) <= min(vertex_count(b), MAX_VERTICES)
            # Within 2 m: nothing a reader could see at any zoom the map allows.
            assert shapely.hausdorff_distance(b, a) * 111_000 < 2
    assert bool(shapely.coverage_is_valid(sample.villages.geometry.values))
    assert bool(shapely.coverage_is_valid(light.villages.geometry.values))


def test_the_display_copy_is_made_once_per_loaded_layer_and_leaves_the_bundle_alone(hostile):
    before = [vertex_count(g) for g in hostile.sites.geometry]
    first, again = display_bundle(hostile), display_bundle(hostile)
    assert first.sites is again.sites and first.villages is again.villages
    assert [vertex_count(g) for g in hostile.sites.geometry] == before
    assert len(hostile.sites.loc[hostile.sites.site_id == "S1", "name_zh"].iloc[0]) == LONG
    # A new version of a layer (a save loads new frames) gets a new display copy.
    bundle = make_bundle()
    old = display_bundle(bundle).sites
    bundle.sites = bundle.sites.copy()
    assert display_bundle(bundle).sites is not old


def test_hostile_layers_stay_small_and_their_texts_short(hostile):
    data = static_data(hostile, "zh", NONE)
    size = len(layers_file(data))
    assert size < BOUND, size
    inline = len(static_map(data, "zh", NONE).get_root().render().encode())
    assert inline < BOUND, inline
    names = data["sites"]["name"]
    assert all(len(n) <= TOOLTIP_CHARS for n in names)
    assert names[0].endswith(ELLIPSIS) and names[0].startswith("长长")
    for f in data["footprints"]["features"]:
        assert vertex_count(shapely.geometry.shape(f["geometry"])) <= MAX_VERTICES
        assert len(f["properties"]["name"]) <= TOOLTIP_CHARS
    data_en = static_data(hostile, "en", NONE)
    assert data_en["sites"]["name"][0] == "L" * (TOOLTIP_CHARS - 1) + ELLIPSIS


def test_village_labels_legend_and_tooltips_are_shortened():
    bundle = make_bundle()
    bundle.villages.loc[0, "name_zh"] = "村" * 1000
    bundle.villages.loc[0, "leading_industry_zh"] = "业" * 1000
    cat = bundle.indicator_catalogue
    cat.loc[cat.index[0], "label_zh"] = "指" * 1000
    data = static_data(bundle, "zh", NONE)
    label = data["village_labels"]["features"][0]["properties"]["name"]
    assert len(label) == LABEL_CHARS and label.endswith(ELLIPSIS)
    tip = data["villages"]["features"][0]["properties"]
    assert len(tip["name"]) == len(tip["sub"]) == TOOLTIP_CHARS
    year = int(bundle.indicators.year.max())
    choro = choropleth(bundle, cat["key"].iloc[0], year, "zh")
    assert len(choro.title) <= TOOLTIP_CHARS and choro.title.endswith(ELLIPSIS)
    assert all(len(t) <= TOOLTIP_CHARS for t in choro.texts.values())
    assert all(len(label) <= TOOLTIP_CHARS for _, label in choro.rows)


def test_selection_search_and_details_of_a_hostile_site_are_small(hostile):
    outline = json.dumps(highlight(hostile, ["site:S1", *(f"site:H{i:02d}" for i in range(10))]))
    assert len(outline) < BOUND, len(outline)
    options = search_options(hostile, "zh")
    assert all(len(o) <= TOOLTIP_CHARS for o in options.values())
    assert options["site:S1"].startswith("长长") and ELLIPSIS in options["site:S1"]
    d = details(hostile, "site:S1", "zh")
    assert len(d.title) == PANEL_CHARS and d.title.endswith(ELLIPSIS)
    village = details(hostile, "village:V1", "zh")
    assert all(len(v) <= PANEL_CHARS for _, v in village.facts)


def test_a_slide_of_hostile_data_has_short_texts_and_a_light_picture():
    bundle = hostile_bundle()
    bundle.villages.loc[bundle.villages.code == "V1", "name_zh"] = "村" * LONG
    deck = build_deck(bundle, "zh")
    slide = next(s for s in deck.slides if s.kind == "village" and s.village_code == "V1")
    assert len(slide.title) <= 60 and slide.title.endswith(ELLIPSIS)
    for s in deck.slides:
        for table in s.tables:
            assert all(len(c) <= TOOLTIP_CHARS for row in table.rows for c in row)
        assert len(s.notes("zh")) < 100_000
    png = slide_picture(bundle, slide, "zh", width_in=4, height_in=3, dpi=60)
    assert png and png.startswith(b"\x89PNG")


def _write_hostile(folder: Path) -> None:
    path = folder / "sites.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    feats = doc["features"]
    feats[0]["properties"]["name_zh"] = "长" * LONG
    village = feats[0]["properties"]["village_code"]
    mine = [f for f in feats if f["properties"]["village_code"] == village][:10]
    for f in mine:
        c = shapely.geometry.shape(f["geometry"]).representative_point()
        f["geometry"] = shapely.geometry.mapping(wobbly(c.x, c.y))
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    from tests.conftest import SAMPLE_DIR

    folder = tmp_path_factory.mktemp("hostile") / "geodata"
    import shutil

    shutil.copytree(SAMPLE_DIR, folder)
    _write_hostile(folder)
    return folder


def test_drawing_hostile_data_leaves_the_stored_layers_byte_identical(hostile_folder):
    before = _digest(hostile_folder)
    result = Store(hostile_folder).load()
    bundle = result.bundle
    site = bundle.sites.site_id.iloc[0]
    data = static_data(bundle, "zh", NONE, result.findings)
    assert len(layers_file(data)) < BOUND
    highlight(bundle, [f"site:{site}"])
    deck = build_deck(bundle, "zh")
    village = next(s for s in deck.slides if s.kind == "village")
    slide_picture(bundle, village, "zh", width_in=3, height_in=2, dpi=50)
    assert _digest(hostile_folder) == before
    assert len(bundle.sites.name_zh.iloc[0]) == LONG  # the loaded data is the stored data


def _page_bytes(at) -> int:
    total, stack = 0, [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
    return total


def test_the_map_and_village_pages_of_hostile_data_send_little(hostile_folder, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("TOWNSHIP_ATLAS_DATA_DIR", str(hostile_folder))
    doc = json.loads((hostile_folder / "sites.geojson").read_text(encoding="utf-8"))
    props = doc["features"][0]["properties"]
    for page, query in (
        ("pages/map.py", {"sel": f"site:{props['site_id']}"}),
        ("pages/village.py", {"village": props["village_code"]}),
    ):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()  # the home page is the map, opened with the link's selection
        if page != "pages/map.py":
            at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        size = _page_bytes(at)
        assert size < BOUND, (page, size)
        if page == "pages/map.py":
            shown = [e.value for e in at.text] + [e.value for e in at.markdown]
            assert any(ELLIPSIS in t and "长长" in t for t in shown)


def test_the_edit_map_shows_other_features_light_and_never_the_edited_one(hostile):
    from township_atlas.ui.edit_map import _features

    shown = _features(hostile, "sites", skip="H00")
    assert "H00" not in {f["properties"]["fid"] for f in shown}
    for f in shown:
        assert vertex_count(shapely.geometry.shape(f["geometry"])) <= MAX_VERTICES
        assert len(f["properties"]["label"]) <= TOOLTIP_CHARS
    assert len(json.dumps(shown)) < BOUND
    # The feature being edited is drawn from the data itself, not from the display copy.
    edited = hostile.sites.geometry[hostile.sites.site_id == "H00"].iloc[0]
    assert vertex_count(edited) == VERTICES + 1  # the ring closed
