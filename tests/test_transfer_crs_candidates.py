"""Each candidate coordinate system drawn on the import preview (issue 17.7): when nothing
decides the system (or the planner wants to compare), the preview overlays the file's
features as WGS84/CGCS2000, GCJ-02, BD-09 and the Gauss–Krüger zones that apply, one
colour each, with a legend, over the township's villages. The layers are made in the
worker and come back capped. Every file is made here by code."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from township_atlas.storage.files.store import Store
from township_atlas.transfer import CrsChoice, preview_import, read_upload, suggest_crs
from township_atlas.transfer.crs_candidates import (
    MAX_FEATURES,
    MAX_VERTICES,
    PALETTE,
    candidate_layers,
)

from .test_edit_page import _import_tab, accounts, edit_page, widget  # noqa: F401 (a fixture)
from .test_transfer_crs_evidence import BUNDLE, GCJ, XY, table
from .test_transfer_office_tables import FAST, _digest

NEW_NAMES = [f"点{i}" for i in range(len(XY))]  # nothing to match: the system is not decided


def _xy(layer) -> np.ndarray:
    return np.array([g["coordinates"] for g in layer.geometries], dtype=float)


def test_an_undecided_file_gets_one_layer_per_candidate_in_distinct_colours() -> None:
    raw = read_upload("points.csv", table(*GCJ, names=NEW_NAMES))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice is None
    layers = candidate_layers(raw, suggestion, BUNDLE)
    kinds = [layer.choice.kind for layer in layers]
    # CGCS2000 lands where WGS84 does, so it is drawn once; Gauss–Krüger cannot apply to
    # degrees and is left out.
    assert kinds == ["wgs84", "gcj02", "bd09"]
    assert [layer.colour for layer in layers] == list(PALETTE[:3])
    assert all(layer.total == len(XY) and len(layer.geometries) == len(XY) for layer in layers)
    assert not any(layer.suggested for layer in layers)
    by_kind = {layer.choice.kind: layer for layer in layers}
    # As WGS84 the numbers are drawn as written; as GCJ-02 they land on the true places.
    assert np.abs(_xy(by_kind["wgs84"]) - np.column_stack(GCJ)).max() < 2e-6
    assert np.abs(_xy(by_kind["gcj02"]) - XY).max() < 2e-5  # ~2 m: the inverse shift
    assert by_kind["gcj02"].inside == len(XY)
    assert by_kind["bd09"].inside < len(XY)  # some land outside: the map shows which


def test_a_decided_file_lists_the_suggestion_first_and_marked() -> None:
    raw = read_upload("sites.csv", table(*GCJ))  # stored names: GCJ-02 is decided
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gcj02")
    layers = candidate_layers(raw, suggestion, BUNDLE)
    assert layers[0].choice == CrsChoice("gcj02") and layers[0].suggested
    assert [layer.suggested for layer in layers[1:]] == [False] * (len(layers) - 1)


def test_gauss_kruger_numbers_get_the_zone_not_the_lonlat_candidates() -> None:
    to_gk = pyproj.Transformer.from_crs(4326, 4523, always_xy=True)  # CGCS2000 3° zone 35
    e, n = to_gk.transform(XY[:, 0], XY[:, 1])
    raw = read_upload("gk.csv", table(e, n, names=NEW_NAMES))
    layers = candidate_layers(raw, suggest_crs(raw, BUNDLE), BUNDLE)
    assert layers and layers[0].choice.kind == "gauss_kruger" and layers[0].suggested
    assert {layer.choice.kind for layer in layers} <= {"gauss_kruger", "epsg", "declared"}
    assert np.abs(_xy(layers[0]) - XY).max() < 1e-6


def test_candidate_layers_are_capped_and_simplified() -> None:
    rng = np.random.default_rng(7)
    lon = XY[:, 0].mean() + rng.uniform(-0.01, 0.01, 2_000)
    lat = XY[:, 1].mean() + rng.uniform(-0.01, 0.01, 2_000)
    raw = read_upload("many.csv", table(lon, lat, names=[f"点{i}" for i in range(2_000)]))
    layers = candidate_layers(raw, suggest_crs(raw, BUNDLE), BUNDLE)
    assert layers and all(len(layer.geometries) == MAX_FEATURES for layer in layers)
    assert all(layer.total == 2_000 for layer in layers)
    ring = shapely.buffer(shapely.Point(XY[0]), 0.01, quad_segs=4_000)  # 16,000 vertices
    wkt = f'名称,WKT\n大片,"{ring.wkt}"\n'.encode()
    (layer, *_) = candidate_layers(
        read_upload("big.csv", wkt), suggest_crs(read_upload("big.csv", wkt), BUNDLE), BUNDLE
    )
    count = len(layer.geometries[0]["coordinates"][0])
    assert count < MAX_VERTICES and count < 2_000  # simplified by about 5 m


def test_the_worker_returns_the_candidate_layers_and_writes_nothing(sample_dir: Path) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    data = table(*GCJ, names=NEW_NAMES)
    preview = preview_import("points.csv", data, "sites", bundle, worker=FAST)
    assert preview.crs is None and preview.plan is None
    assert [c.choice.kind for c in preview.candidates] == ["wgs84", "gcj02", "bd09"]
    assert all(isinstance(c.geometries[0]["coordinates"], tuple | list) for c in preview.candidates)
    chosen = preview_import(
        "points.csv", data, "sites", bundle, crs=CrsChoice("gcj02"), worker=FAST
    )
    assert chosen.plan is not None and chosen.candidates == []  # chosen: no map to choose with
    assert _digest(sample_dir) == before


def _map_script(at) -> str:
    """The script of the candidates' map (the other custom elements have no json_args)."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    scripts = []
    for element in walk(at.main):
        if type(element).__name__ == "UnknownElement":
            args = getattr(element.proto, "json_args", "")
            if "atlas-candidates-legend" in args:
                scripts.append(json.loads(args)["script"])
    assert len(scripts) == 1
    return scripts[0]


@pytest.mark.usefixtures("accounts")
def test_the_import_preview_shows_the_candidate_legend_for_an_undecided_file(data_env) -> None:
    before = _digest(data_env)
    at = _import_tab(edit_page("pia"))
    data = table(*GCJ, names=NEW_NAMES)
    at.file_uploader[0].set_value(("点位.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    legend = [c.value.replace("\\", "") for c in at.caption if "落在乡内" in c.value]
    assert len(legend) == 1
    lines = legend[0].split("\n")
    assert len(lines) == 3
    assert lines[0].startswith("- 橙色:WGS84") and f"落在乡内 {len(XY)}/{len(XY)}" in lines[0]
    assert "蓝色:GCJ-02" in lines[1] and "绿色:BD-09" in lines[2]
    script = _map_script(at)
    for colour in PALETTE[:3]:
        assert colour in script
    assert "textContent" in script and "innerHTML" not in script
    assert "\\u7eff\\u8272" in script or "绿色" in script  # the legend's labels travel as data
    assert _digest(data_env) == before


@pytest.mark.usefixtures("accounts")
def test_a_decided_file_offers_the_comparison_behind_a_switch(data_env) -> None:
    at = _import_tab(edit_page("pia"))
    at.file_uploader[0].set_value(("sites.csv", table(*GCJ), "text/csv")).run()
    assert not at.exception, at.exception
    assert not any("落在乡内" in c.value for c in at.caption)
    widget(at, "toggle", "在地图上对比各坐标系").set_value(True).run()
    assert not at.exception, at.exception
    legend = next(c.value.replace("\\", "") for c in at.caption if "落在乡内" in c.value)
    assert legend.startswith("- 橙色:GCJ-02") and "(建议)" in legend.split("\n")[0]
