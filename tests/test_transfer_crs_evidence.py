"""Coordinate systems judged by evidence (issue 17, deliverable 7): GCJ-02 points inside the
township are recognised by how they fit the stored sites, not imported ~360 m off; .prj,
KML and file names are evidence shown in the reason, never a verdict; geographic CGCS2000
and Xian 1980 .prj are lon/lat; "outside the township" says how far a feature reaches out.

Every input file is made here, from the sample township (copied by the ``sample_dir``
fixture where it is saved to)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from township_atlas.geo import china_shifts as shifts
from township_atlas.storage.files.store import Store
from township_atlas.transfer import CrsChoice, build_plan, read_upload, suggest_crs, to_wgs84

from .test_transfer_support import max_distance_m, sample_bundle, shapefile_zip

BUNDLE = sample_bundle()
SITES = BUNDLE.sites
# The truth: one point per stored site (its centroid; point sites stay themselves), WGS84.
TRUTH = np.asarray(list(shapely.centroid(np.asarray(list(SITES.geometry), dtype=object))))
XY = shapely.get_coordinates(TRUTH)
NAMES = list(SITES["name_zh"])
GCJ = shifts.wgs84_to_gcj02(XY[:, 0], XY[:, 1])
BD = shifts.wgs84_to_bd09(XY[:, 0], XY[:, 1])

D_2000 = (
    'GEOGCS["CGCS_2000",DATUM["D_2000",SPHEROID["S_2000",6378137.0,298.2572221010041]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
XIAN_1980 = (
    'GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)


def table(x, y, names=NAMES, extra: dict[str, list[str]] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    extra = extra or {}
    writer.writerow(["名称", *extra, "经度", "纬度"])
    for i, (a, b) in enumerate(zip(x, y, strict=True)):
        writer.writerow([names[i], *(v[i] for v in extra.values()), repr(float(a)), repr(float(b))])
    return out.getvalue().encode("utf-8")


def kml(x, y, names=NAMES) -> bytes:
    marks = "".join(
        f"<Placemark><name>{n}</name><Point><coordinates>{a!r},{b!r}</coordinates></Point>"
        "</Placemark>"
        for n, a, b in zip(names, map(float, x), map(float, y), strict=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document>{marks}</Document></kml>"
    ).encode()


def shapefile_with_prj(tmp_path: Path, x, y, prj: str | None = None) -> bytes:
    frame = gpd.GeoDataFrame({"名称": NAMES}, geometry=gpd.points_from_xy(x, y), crs=4326)
    if prj is None:
        return shapefile_zip(tmp_path, frame)
    folder = tmp_path / "custom_prj"
    folder.mkdir()
    frame.to_file(folder / "pts.shp", encoding="UTF-8")
    (folder / "pts.prj").write_text(prj)
    from .test_transfer_support import zip_bytes

    return zip_bytes({p.name: p.read_bytes() for p in sorted(folder.iterdir())})


def test_gcj02_sites_with_a_neutral_name_are_recognised_and_land_within_a_metre() -> None:
    raw = read_upload("基地.csv", table(*GCJ))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gcj02"), suggestion.reason.message_en
    assert suggestion.reason.key == "xfer_crs_choose_match"
    # The reason gives the evidence: every candidate's median distance to the stored sites.
    reason = suggestion.reason.message_en
    assert f"{len(NAMES)} features match" in reason or "features match" in reason
    wgs_m = float(re.search(r"WGS84 ([\d,]+) m", reason).group(1).replace(",", ""))
    assert 250 <= wgs_m <= 700  # read as WGS84 they would be this far off
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1.0


@pytest.mark.parametrize("kind", ["shapefile", "kml"])
def test_a_wgs84_declaration_does_not_hide_gcj02_data(tmp_path: Path, kind: str) -> None:
    if kind == "kml":
        raw = read_upload("points.kml", kml(*GCJ))
        said = ("KML 规定为 WGS84", "KML is defined as WGS84")
    else:
        raw = read_upload("points.zip", shapefile_with_prj(tmp_path, *GCJ))
        said = (".prj 声明 WGS84", "The .prj declares WGS84")
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gcj02"), suggestion.reason.message_en
    zh, en = suggestion.reason.message_zh, suggestion.reason.message_en
    assert said[0] in zh and said[1] in en  # the declaration is shown as evidence ...
    assert "不一致" in zh and "disagree" in en  # ... which the fit overrules, and says so
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1.0


def test_a_baidu_file_name_is_evidence_that_the_fit_overrules() -> None:
    raw = read_upload("百度POI.csv", table(XY[:, 0], XY[:, 1]))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("wgs84"), suggestion.reason.message_en
    zh, en = suggestion.reason.message_zh, suggestion.reason.message_en
    assert "含'百度'" in zh and "'百度'" in en
    assert "未采用" in zh and "not followed" in en


def test_bd09_points_are_recognised() -> None:
    raw = read_upload("points.csv", table(*BD))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("bd09"), suggestion.reason.message_en
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1.0


def test_points_that_name_their_village_decide_by_landing_in_it() -> None:
    # New points (names the township does not know) 100 m inside their village's edge,
    # the village written loosely ("上庄" for 上庄村): as GCJ-02 all land in it.
    points, villages = [], []
    for name, geom in zip(BUNDLE.villages["name_zh"], BUNDLE.villages.geometry, strict=True):
        ring = geom.buffer(-0.001).exterior
        for f in np.linspace(0, 1, 6, endpoint=False):
            points.append(ring.interpolate(f, normalized=True))
            villages.append(name.removesuffix("村"))
    xy = shapely.get_coordinates(np.asarray(points, dtype=object))
    x, y = shifts.wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    names = [f"新点{i}" for i in range(len(points))]
    raw = read_upload("points.csv", table(x, y, names, {"所在村": villages}))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gcj02"), suggestion.reason.message_en
    assert suggestion.reason.key == "xfer_crs_choose_village"
    assert f"{len(points)} points name their village" in suggestion.reason.message_en


def test_points_with_nothing_to_match_are_not_guessed() -> None:
    # New names, no village column, all well inside: every candidate fits equally well.
    names = [f"点{i}" for i in range(len(NAMES))]
    raw = read_upload("points.csv", table(*GCJ, names=names))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice is None
    assert suggestion.reason.key == "xfer_crs_ask_nothing"
    assert "GCJ-02" in suggestion.reason.message_zh and "Choose" in suggestion.reason.message_en
    offered = suggestion.options
    assert {CrsChoice("wgs84"), CrsChoice("gcj02"), CrsChoice("bd09")} <= set(offered)
    # A file name alone does not decide either: it is shown, and the planner is asked.
    named = suggest_crs(read_upload("高德点位.csv", table(*GCJ, names=names)), BUNDLE)
    assert named.choice is None and named.reason.key == "xfer_crs_ask_conflict"
    assert "含'高德'" in named.reason.message_zh


@pytest.mark.parametrize(
    ("prj", "kind", "said"),
    [(D_2000, "cgcs2000", "CGCS2000"), (XIAN_1980, "wgs84", "100 m")],
)
def test_geographic_cgcs2000_and_xian_1980_prj_are_longitude_latitude(
    tmp_path: Path, prj: str, kind: str, said: str
) -> None:
    raw = read_upload("points.zip", shapefile_with_prj(tmp_path, XY[:, 0], XY[:, 1], prj))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice(kind), suggestion.reason.message_en
    assert suggestion.reason.key == "xfer_crs_choose_match"  # not "the .prj contradicts"
    assert said in suggestion.reason.message_en
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1e-6
    alone = suggest_crs(raw)  # nothing to compare with: CGCS2000 is followed, Xian 80 asked
    assert alone.choice == (CrsChoice("cgcs2000") if kind == "cgcs2000" else None)


def test_a_polygon_reaching_400_m_outside_says_how_far(sample_dir: Path) -> None:
    bundle = Store(sample_dir).load().bundle
    township = bundle.township.geometry.iloc[0]
    xy = shapely.get_coordinates(township)
    east = xy[np.argmax(xy[:, 0])]  # nothing of the township lies further east
    local = pyproj.CRS.from_proj4(f"+proj=tmerc +lon_0={east[0]} +lat_0={east[1]} +ellps=WGS84")
    back = pyproj.Transformer.from_crs(local, 4326, always_xy=True)
    lon, lat = back.transform([-300.0, -300.0, 400.0], [-60.0, 60.0, 0.0])
    poly = shapely.Polygon(zip(lon, lat, strict=True))  # tip exactly 400 m east of the edge
    assert poly.intersects(township)  # overlapping: the nearest distance would be 0
    frame = gpd.GeoDataFrame({"code": ["V99"], "name_zh": ["新村"]}, geometry=[poly], crs=4326)
    raw = read_upload("v.geojson", frame.to_json().encode())
    plan = build_plan(raw, "villages", bundle, crs=CrsChoice("wgs84"))
    (problem,) = [p for p in plan.problems if p.code == "outside_township"]
    metres = re.search(r"reaching about ([\d,.]+) m beyond it", problem.message_en).group(1)
    assert float(metres.replace(",", "")) == pytest.approx(400, abs=11)
    assert "最远伸出约" in problem.message_zh
    assert Store(sample_dir).load().bundle.villages.equals(bundle.villages)  # nothing written


def test_village_outlines_in_gcj02_are_recognised_by_the_stored_lines() -> None:
    # Village outlines without any attribute that matches: their vertices lie on the stored
    # village lines only when read as GCJ-02.
    geoms = shifts.transform_geometries(BUNDLE.villages.geometry, shifts.wgs84_to_gcj02)
    frame = gpd.GeoDataFrame({"fid": range(len(geoms))}, geometry=list(geoms), crs=4326)
    raw = read_upload("outlines.geojson", frame.to_json().encode())
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gcj02"), suggestion.reason.message_en
    assert suggestion.reason.key == "xfer_crs_choose_outline"
    assert "GeoJSON 规定为 WGS84" in suggestion.reason.message_zh  # the format's rule, overruled
    truth = np.asarray(list(BUNDLE.villages.geometry), dtype=object)
    assert max_distance_m(to_wgs84(raw, suggestion.choice), truth) < 1.0


def test_matches_that_fit_no_candidate_ask_instead_of_choosing() -> None:
    # Names of stored sites at positions ~2 km away from them: no candidate fits within
    # 30 m, so nothing is chosen, and the reason gives the distances measured.
    raw = read_upload("points.csv", table(XY[:, 0] + 0.02, XY[:, 1]))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice is None
    assert suggestion.reason.key == "xfer_crs_ask_unclear"
    assert "features match existing ones" in suggestion.reason.message_en


def test_gauss_kruger_metres_without_zone_prefix_are_judged_by_the_fit() -> None:
    # CGCS2000 3° Gauss-Krüger CM 105°E without zone prefix (EPSG:4544): before, only
    # "give the EPSG code"; now the meridians near the township are tried on the stored sites.
    x, y = pyproj.Transformer.from_crs(4326, 4544, always_xy=True).transform(XY[:, 0], XY[:, 1])
    raw = read_upload("survey.csv", table(x, y))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("epsg", epsg=4544), suggestion.reason.message_en
    assert suggestion.reason.key == "xfer_crs_choose_match"
    assert "EPSG:4543" in suggestion.reason.message_en  # the others tried are named
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1.0
    # Without anything to match, it is still asked (same numbers, new names, no township).
    assert suggest_crs(raw).choice is None
