"""Village boundaries that don't quite fit: gaps, overlaps and spill found with their areas
and places, the narrow ones snapped to a clean tiling, the wide ones explained and left; the
villages import plan notes them and snaps on request; the tiling check says where and how much.

Every polygon is built here, in WGS84 around the sample's township (about 105.7°E, 36°N).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import box, mapping, shape

from tests.factory import E, M, N, S, W, make_bundle
from township_atlas import settings
from township_atlas.checks.geography import check_tiling
from township_atlas.errors import SettingError
from township_atlas.geo.measure import local_utm_epsg
from township_atlas.geo.tiling import explain, find_pieces, snap_villages
from township_atlas.model.schema import M2_PER_MU
from township_atlas.storage.changes import CheckFailedError
from township_atlas.storage.files.store import Store, save
from township_atlas.transfer import CrsChoice, export_layer, plan_import

from .test_transfer_support import sample_bundle

GEOD = Geod(ellps="WGS84")
H = (S + N) / 2  # the two halves of the shared edge between the villages


def east(lon: float, lat: float, metres: float) -> float:
    """The longitude ``metres`` east of (lon, lat)."""
    x, _, _ = GEOD.fwd(lon, lat, 90, metres)
    return float(x)


def metres_between(lat_a: float, lat_b: float) -> float:
    _, _, d = GEOD.inv(M, lat_a, M, lat_b)
    return float(d)


HALF = metres_between(S, H)  # length (m) of one half of the shared edge
FULL = metres_between(S, N)
TOWNSHIP = box(W, S, E, N)


def two_villages(gap_m: float = 2.0, overlap_m: float = 1.0, spill_m: float = 1.0):
    """V1 west, V2 east: a gap in the south half, an overlap in the north half, and V2
    reaching ``spill_m`` beyond the township's east edge."""
    v1 = box(W, S, east(M, H, -gap_m), H).union(box(W, H, east(M, H, overlap_m), N))
    v2 = box(M, S, east(E, H, spill_m), N)
    return {"V1": v1, "V2": v2}


def _transformers(geom):
    c = geom.representative_point()
    epsg = local_utm_epsg(c.x, c.y)
    return (
        Transformer.from_crs(4326, epsg, always_xy=True),
        Transformer.from_crs(epsg, 4326, always_xy=True),
    )


def _apply(transformer: Transformer, geom):
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(*xy.T)))


def hausdorff_m(a, b) -> float:
    fwd, _ = _transformers(TOWNSHIP)
    return float(_apply(fwd, a).hausdorff_distance(_apply(fwd, b)))


def test_gap_overlap_and_spill_are_found_with_their_areas_and_places() -> None:
    pieces = find_pieces(two_villages(), TOWNSHIP)
    assert [p.kind for p in pieces] == ["gap", "overlap", "spill"]
    gap, overlap, spill = pieces
    assert gap.area_m2 == pytest.approx(2 * HALF, rel=0.01)
    assert overlap.area_m2 == pytest.approx(1 * HALF, rel=0.01)
    assert spill.area_m2 == pytest.approx(1 * FULL, rel=0.01)
    assert gap.area_mu == pytest.approx(gap.area_m2 / M2_PER_MU)
    assert overlap.villages == ("V1", "V2") and spill.villages == ("V2",)
    assert set(gap.villages) == {"V1", "V2"}
    for p in pieces:
        assert p.narrow
        assert p.geometry.buffer(1e-9).contains(shapely.Point(p.point))
    assert gap.point[1] < H < overlap.point[1] and spill.point[0] > E


def test_the_tiling_check_says_each_pieces_area_and_place() -> None:
    bundle = make_bundle()
    bundle.villages["geometry"] = [two_villages()[c] for c in bundle.villages["code"]]
    findings = {f.check: f for f in check_tiling(bundle)}
    assert set(findings) == {"tiling_gap", "tiling_overlap", "village_outside"}
    gap = findings["tiling_gap"]
    assert f"{2 * HALF:,.0f}"[:3] in gap.message_zh and "亩" in gap.message_zh
    assert "位于 105.7" in gap.message_zh and gap.location is not None and gap.location[1] < H
    assert "V1" in findings["tiling_overlap"].message_zh
    assert "V2" in findings["tiling_overlap"].message_zh
    assert findings["village_outside"].feature == "V2"
    assert findings["village_outside"].location[0] > E


def test_narrow_pieces_snap_to_a_clean_tiling_that_passes_the_check() -> None:
    villages = two_villages()
    result = snap_villages(villages, TOWNSHIP, 5.0)
    assert len(result.fixed) == 3 and result.left == []
    assert sorted(result.changed) == ["V1", "V2"]
    bundle = make_bundle()
    bundle.villages["geometry"] = [result.villages[c] for c in bundle.villages["code"]]
    assert check_tiling(bundle) == []
    for code, geom in result.villages.items():
        assert geom.is_valid and geom.geom_type == "Polygon"
        assert hausdorff_m(geom, villages[code]) <= 5.0
        # on the stored 7-decimal grid: storing does not move anything again
        coords = shapely.get_coordinates(geom)
        assert (abs(coords * 1e7 - (coords * 1e7).round()) < 1e-3).all()
    assert find_pieces(result.villages, TOWNSHIP, min_area_m2=0.01) == []


def test_a_wide_gap_is_explained_not_forced() -> None:
    villages = two_villages(gap_m=50.0, overlap_m=0.0, spill_m=0.0)
    villages["V1"] = box(W, S, east(M, H, -50), N)  # 50 m gap along the whole edge
    result = snap_villages(villages, TOWNSHIP, 5.0)
    assert result.changed == [] and result.fixed == []
    (gap,) = result.left
    assert gap.kind == "gap" and not gap.narrow
    assert gap.area_m2 == pytest.approx(50 * FULL, rel=0.01)
    zh, en = explain(gap, 1, 5.0)
    assert zh.startswith(f"第 1 处缺口约 {gap.area_mu:,.1f} 亩") and "宽于 5 米,需人工核对" in zh
    assert "wider than 5 m" in en
    bundle = make_bundle()
    bundle.villages["geometry"] = [villages[c] for c in bundle.villages["code"]]
    (finding,) = check_tiling(bundle)
    (found,) = find_pieces(villages, TOWNSHIP)
    assert finding.check == "tiling_gap" and f"{found.area_m2:,.0f} 平方米" in finding.message_zh


def test_a_gap_goes_to_the_neighbour_with_the_longest_shared_edge() -> None:
    # A notch 3 m deep and 100 m long cut from V1's edge: V1 runs along three of its sides
    # (about 206 m), V2 along one (100 m), so the notch goes back to V1.
    lat = S + 0.005
    notch = box(east(M, lat, -3), lat, M, lat + 0.0009)
    villages = {"V1": box(W, S, M, N).difference(notch), "V2": box(M, S, E, N)}
    result = snap_villages(villages, TOWNSHIP, 5.0)
    assert result.changed == ["V1"] and result.left == []
    assert result.villages["V1"].contains(notch.centroid)
    assert result.villages["V2"].equals(villages["V2"])


def test_the_sample_villages_tile_the_township() -> None:
    bundle = sample_bundle()
    villages = dict(zip(bundle.villages["code"], bundle.villages.geometry, strict=True))
    assert find_pieces(villages, bundle.township.geometry.iloc[0]) == []
    assert check_tiling(bundle) == []


def test_the_snapping_tolerance_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.tiling_snap_metres() == 5.0
    monkeypatch.setenv("TOWNSHIP_ATLAS_TILING_SNAP_METRES", "2.5")
    assert settings.tiling_snap_metres() == 2.5
    monkeypatch.setenv("TOWNSHIP_ATLAS_TILING_SNAP_METRES", "五米")
    with pytest.raises(SettingError) as info:
        settings.tiling_snap_metres()
    assert "TOWNSHIP_ATLAS_TILING_SNAP_METRES" in info.value.message_zh


# --- the villages import plan -------------------------------------------------------------


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".atlas.lock"  # the store's (empty) lock file
    }


def _shrunk_villages(bundle, code: str, metres: float) -> bytes:
    """The bundle's villages as GeoJSON with ``code`` shrunk by ``metres`` on every side."""
    _, data = export_layer(bundle, "villages", "geojson")
    doc = json.loads(data)
    fwd, inv = _transformers(bundle.township.geometry.iloc[0])
    for f in doc["features"]:
        if f["properties"]["code"] == code:
            g = _apply(fwd, shape(f["geometry"])).buffer(-metres, join_style="mitre")
            g = shapely.transform(_apply(inv, g), lambda xy: np.round(xy, 7))
            f["geometry"] = mapping(g)
    return json.dumps(doc).encode()


def test_villages_with_a_3_m_gap_are_noted_and_left_alone_without_the_option(
    sample_dir: Path,
) -> None:
    before = _digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    data = _shrunk_villages(bundle, "V01", 3.0)
    plan = plan_import("村界.geojson", data, "villages", bundle, crs=CrsChoice("wgs84"))
    assert plan.ok and plan.snapping is not None and not plan.snapping.apply
    assert plan.snapping.count >= 1 and plan.snapping.area_m2 > 100
    keys = [n.key for n in plan.notes]
    assert "xfer_plan_snap_possible" in keys and "xfer_plan_snap_fixed" not in keys
    gap = next(n for n in plan.notes if n.key == "xfer_plan_tiling_gap")
    assert "平方米" in gap.message_zh and "亩" in gap.message_zh and "V01" in gap.message_zh
    assert [p.kind for p in plan.tiling] == ["gap"]
    assert f"{plan.tiling[0].area_m2:,.0f}" in gap.message_zh
    v01 = next(f for f in plan.features if f["properties"]["code"] == "V01")
    uploaded = next(f for f in json.loads(data)["features"] if f["properties"]["code"] == "V01")
    assert shape(v01["geometry"]).normalize() == shape(uploaded["geometry"]).normalize()
    assert not any(p.code == "geometry_snapped" for p in plan.problems)
    assert _digest(sample_dir) == before
    # Accepting it as it is would open the gap: the save refuses, saying where and how much.
    with pytest.raises(CheckFailedError) as info:
        save(sample_dir, plan.to_change_set("li.ming"))
    assert f"{plan.tiling[0].area_m2:,.0f} 平方米" in info.value.message_zh
    assert _digest(sample_dir) == before


def test_villages_with_a_3_m_gap_tile_the_township_once_snapped_and_accepted(
    sample_dir: Path,
) -> None:
    bundle = Store(sample_dir).load().bundle
    data = _shrunk_villages(bundle, "V01", 3.0)
    # Saving through the app refuses a change that opens a gap (the save runs the checks),
    # so the gapped villages are written straight into the folder, as by hand.
    (sample_dir / "villages.geojson").write_bytes(data)
    gapped = Store(sample_dir).load().bundle
    (finding,) = check_tiling(gapped)
    assert finding.check == "tiling_gap" and "平方米" in finding.message_zh
    before = _digest(sample_dir)
    plan = plan_import(
        "村界.geojson", data, "villages", gapped, crs=CrsChoice("wgs84"), snap_tolerance_m=5.0
    )
    assert plan.ok and plan.snapping is not None and plan.snapping.apply
    assert plan.snapping.count >= 1 and plan.tiling == []
    assert "xfer_plan_snap_fixed" in [n.key for n in plan.notes]
    assert plan.replaced_ids == ["V01"]  # snapped back onto its neighbours and the edge
    assert any(p.code == "geometry_snapped" and p.severity == "warning" for p in plan.problems)
    assert _digest(sample_dir) == before  # nothing written until accepted
    save(sample_dir, plan.to_change_set("li.ming"))
    assert check_tiling(Store(sample_dir).load().bundle) == []


def test_a_60_m_gap_in_an_import_is_explained_and_not_snapped(sample_dir: Path) -> None:
    bundle = Store(sample_dir).load().bundle
    data = _shrunk_villages(bundle, "V01", 60.0)
    plan = plan_import(
        "村界.geojson", data, "villages", bundle, crs=CrsChoice("wgs84"), snap_tolerance_m=5.0
    )
    assert plan.ok and plan.snapping is not None and plan.snapping.count == 0
    (left,) = [n for n in plan.notes if n.key == "xfer_plan_snap_left"]
    (gap,) = plan.tiling
    assert left.message_zh.startswith(f"第 1 处缺口约 {gap.area_mu:,.1f} 亩")
    assert "宽于 5 米,需人工核对" in left.message_zh and "check it by hand" in left.message_en
    assert gap.area_m2 > 60 * 1000  # a 60 m ring around a village several km round
    assert not any(p.code == "geometry_snapped" for p in plan.problems)
    v01 = next(f for f in plan.features if f["properties"]["code"] == "V01")
    uploaded = next(f for f in json.loads(data)["features"] if f["properties"]["code"] == "V01")
    assert shape(v01["geometry"]).normalize() == shape(uploaded["geometry"]).normalize()


def _jittered_grid(columns: int, rows: int, sigma_m: float, seed: int) -> dict:
    """Villages in a grid over TOWNSHIP whose every vertex (one each ~20 m) was digitised
    by hand: moved at random by about ``sigma_m`` — slivers, gaps and overlaps everywhere."""
    rng = np.random.default_rng(seed)
    fwd, inv = _transformers(TOWNSHIP)
    dx, dy = (E - W) / columns, (N - S) / rows
    out = {}
    for i in range(columns):
        for j in range(rows):
            cell = box(W + i * dx, S + j * dy, W + (i + 1) * dx, S + (j + 1) * dy)
            xy = np.array(_apply(fwd, cell).segmentize(20).exterior.coords)[:-1]
            moved = shapely.Polygon(xy + rng.normal(0, sigma_m, xy.shape))
            back = shapely.transform(_apply(inv, moved), lambda c: np.round(c, 7))
            out[f"V{i}{j}"] = shapely.make_valid(back)
    return out


def test_hand_digitised_grid_snaps_clean_and_nothing_moves_more_than_the_tolerance() -> None:
    villages = _jittered_grid(3, 2, 0.6, seed=17)
    before = find_pieces(villages, TOWNSHIP)
    assert {p.kind for p in before} == {"gap", "overlap", "spill"}
    result = snap_villages(villages, TOWNSHIP, 5.0)
    assert result.left == []
    fwd, _ = _transformers(TOWNSHIP)
    for code, geom in result.villages.items():
        assert geom.is_valid and geom.geom_type == "Polygon"
        old, new = _apply(fwd, villages[code]), _apply(fwd, geom)
        # every vertex of either outline lies within 5 m of the other outline
        for a, b in ((old, new), (new, old)):
            vertices = shapely.points(shapely.get_coordinates(a))
            assert shapely.distance(vertices, b.boundary).max() <= 5.0
    bundle = make_bundle()
    bundle.villages = bundle.villages.iloc[:0]
    frame = make_bundle().villages
    rows = frame.iloc[[0] * len(result.villages)].copy()
    rows["code"] = list(result.villages)
    rows["geometry"] = list(result.villages.values())
    bundle.villages = rows.set_geometry("geometry").reset_index(drop=True)
    assert check_tiling(bundle) == []


# --- the import page ------------------------------------------------------------------


def test_a_planner_ticks_snapping_on_the_import_page_and_the_villages_tile(
    data_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.accounts_helpers import install_accounts
    from tests.test_edit_page import _import_tab, edit_page, texts, widget

    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    install_accounts(tmp_path, monkeypatch)
    before = _digest(data_env)
    doc = json.loads(_shrunk_villages(Store(data_env).load().bundle, "V01", 3.0))
    v01 = next(f for f in doc["features"] if f["properties"]["code"] == "V01")
    v01["properties"]["name_en"] = "Renamed"
    data = json.dumps(doc).encode()
    at = _import_tab(edit_page("pia"))
    at.file_uploader[0].set_value(("村界.geojson", data, "application/geo+json")).run()
    at.selectbox(key="edit_import_layer").set_value("villages").run()
    assert not at.exception, at.exception
    assert "勾选“对齐”可一并修正" in texts(at) and "导入后第 1 处缺口" in texts(at)
    box_ = widget(at, "checkbox", "把小于 5 米的缝隙和重叠对齐")
    box_.check().run()
    assert not at.exception, at.exception
    assert "已对齐" in texts(at) and "导入后第 1 处缺口" not in texts(at)
    assert _digest(data_env) == before  # previews write nothing
    assert [m.value for m in at.metric] == ["0", "1", "6", "0"]  # V01: snapped, renamed
    widget(at, "button", "接受导入").click().run()
    assert not at.exception, at.exception
    after = Store(data_env).load().bundle
    assert check_tiling(after) == []
    assert after.villages.set_index("code").loc["V01", "name_en"] == "Renamed"


def test_a_village_reaching_30_m_outside_is_refused_saying_how_far_and_explained() -> None:
    bundle = make_bundle()
    doc = json.loads(export_layer(bundle, "villages", "geojson")[1])
    v1 = next(f for f in doc["features"] if f["properties"]["code"] == "V1")
    v1["geometry"] = mapping(box(east(W, H, -30), S, M, N))
    data = json.dumps(doc).encode()
    plan = plan_import(
        "村界.geojson", data, "villages", bundle, crs=CrsChoice("wgs84"), snap_tolerance_m=5.0
    )
    (problem,) = plan.errors
    assert problem.code == "outside_township"
    assert "最远伸出约 30 米" in problem.message_zh and "about 30 m beyond" in problem.message_en
    (left,) = [n for n in plan.notes if n.key == "xfer_plan_snap_left"]
    assert left.message_zh.startswith("第 1 处出界部分约") and "宽于 5 米" in left.message_zh
    assert plan.snapping is not None and plan.snapping.count == 0


def test_an_overlap_stays_with_the_village_that_holds_more_of_its_edge() -> None:
    # V2 pokes a tongue 3 m deep and 100 m long into V1: V1 runs along three of its sides,
    # V2 along one, so V1 keeps it and V2 is cut back to the straight line.
    lat = S + 0.005
    tongue = box(east(M, lat, -3), lat, M, lat + 0.0009)
    villages = {"V1": box(W, S, M, N), "V2": box(M, S, E, N).union(tongue)}
    result = snap_villages(villages, TOWNSHIP, 5.0)
    assert result.changed == ["V2"] and result.left == []
    assert [p.kind for p in result.fixed] == ["overlap"]
    assert result.villages["V2"].equals(box(M, S, E, N))  # the same shape (extra nodes aside)
    assert result.villages["V1"].equals(villages["V1"])
