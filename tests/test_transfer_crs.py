"""Coordinate systems on import: GCJ-02, BD-09 and CGCS2000 Gauss-Krüger inputs land within
1 m of the truth; swapped axes, declared CRSs and GCJ-02 data are recognised."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from township_atlas.geo import china_shifts as shifts
from township_atlas.transfer import CrsChoice, read_upload, suggest_crs, to_wgs84

from .test_transfer_support import max_distance_m, sample_bundle, shapefile_zip

BUNDLE = sample_bundle()
# The truth: every Party organisation's point (WGS84).
TRUTH = np.asarray(list(BUNDLE.party_orgs.geometry), dtype=object)
XY = shapely.get_coordinates(TRUTH)


def csv_of(x: np.ndarray, y: np.ndarray, names: tuple[str, str] = ("经度", "纬度")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["名称", *names])
    for i, (a, b) in enumerate(zip(x, y, strict=True)):
        writer.writerow([f"点{i}", repr(float(a)), repr(float(b))])
    return out.getvalue().encode("utf-8")


def gk(epsg: int) -> tuple[np.ndarray, np.ndarray]:
    forward = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    return forward.transform(XY[:, 0], XY[:, 1])


@pytest.mark.parametrize(
    ("label", "make", "choice"),
    [
        ("gcj02", lambda: shifts.wgs84_to_gcj02(XY[:, 0], XY[:, 1]), CrsChoice("gcj02")),
        ("bd09", lambda: shifts.wgs84_to_bd09(XY[:, 0], XY[:, 1]), CrsChoice("bd09")),
        ("gk3", lambda: gk(4523), CrsChoice("gauss_kruger", zone_width=3)),  # zone 35, CM 105°E
        ("gk6", lambda: gk(4496), CrsChoice("gauss_kruger", zone_width=6)),  # zone 18, CM 105°E
        ("cgcs2000", lambda: (XY[:, 0], XY[:, 1]), CrsChoice("cgcs2000")),
    ],
)
def test_converted_inputs_land_within_a_metre_of_the_truth(label, make, choice) -> None:
    x, y = make()
    raw = read_upload(f"{label}.csv", csv_of(x, y))
    assert max_distance_m(to_wgs84(raw, choice), TRUTH) < 1.0


@pytest.mark.parametrize(("epsg", "width", "zone"), [(4523, 3, 35), (4496, 6, 18)])
def test_gauss_kruger_metres_are_suggested_with_their_zone(
    epsg: int, width: int, zone: int
) -> None:
    x, y = gk(epsg)
    raw = read_upload("survey.csv", csv_of(x, y, ("X坐标", "Y坐标")))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gauss_kruger", zone_width=width, epsg=epsg)
    assert str(zone) in suggestion.reason.message_zh
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1.0


def test_survey_tables_with_northing_first_are_swapped() -> None:
    x, y = gk(4523)
    raw = read_upload("survey.csv", csv_of(y, x, ("X坐标", "Y坐标")))  # X = northing
    suggestion = suggest_crs(raw)
    assert suggestion.choice == CrsChoice("gauss_kruger", zone_width=3, epsg=4523, swap_axes=True)
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1.0


def test_swapped_latitude_longitude_is_detected_and_fixed() -> None:
    raw = read_upload("swapped.csv", csv_of(XY[:, 1], XY[:, 0], ("x", "y")))
    suggestion = suggest_crs(raw, BUNDLE)
    # Nothing in the file matches the township's data (names "点0"...), so WGS84, GCJ-02 and
    # BD-09 cannot be told apart: the planner is asked, with the swapped choices offered.
    assert suggestion.choice is None
    assert suggestion.options[0] == CrsChoice("wgs84", swap_axes=True)
    assert CrsChoice("gcj02", swap_axes=True) in suggestion.options
    assert "颠倒" in suggestion.reason.message_zh and "swapped" in suggestion.reason.message_en
    assert max_distance_m(to_wgs84(raw, suggestion.options[0]), TRUTH) < 1e-6


def test_declared_projected_crs_of_a_shapefile_is_used(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"名称": ["a"] * len(TRUTH)}, geometry=list(TRUTH), crs=4326).to_crs(
        4523
    )
    raw = read_upload("gk.zip", shapefile_zip(tmp_path, frame))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("declared")
    assert "4523" in suggestion.declared and "4523" in suggestion.reason.message_en
    assert CrsChoice("declared") in suggestion.options
    assert max_distance_m(to_wgs84(raw, suggestion.choice), TRUTH) < 1.0


def test_declared_crs_that_contradicts_the_numbers_is_overruled(tmp_path: Path) -> None:
    names = list(BUNDLE.party_orgs["name_zh"])
    frame = gpd.GeoDataFrame({"名称": names}, geometry=list(TRUTH), crs=4326)
    frame = frame.set_crs(4523, allow_override=True)  # wrong .prj: says GK, holds degrees
    raw = read_upload("wrong.zip", shapefile_zip(tmp_path, frame))
    suggestion = suggest_crs(raw, BUNDLE)  # the names match the stored organisations
    assert suggestion.choice == CrsChoice("wgs84")
    assert suggestion.reason.key == "xfer_crs_reason_declared_mismatch"
    # Without the township to compare with, the degrees are not silently taken as WGS84
    # (they could be GCJ-02): the planner is asked, and told the declaration is wrong.
    alone = suggest_crs(raw)
    assert alone.choice is None and CrsChoice("declared") in alone.options
    assert "4523" in alone.reason.message_zh and "4523" in alone.reason.message_en


def test_geojson_crs_member_declares_cgcs2000() -> None:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [105.69, 35.97]},
            }
        ],
    }
    raw = read_upload("a.geojson", json.dumps(doc).encode())
    assert raw.declared_crs == "EPSG:4490"
    assert suggest_crs(raw).choice == CrsChoice("cgcs2000")


def test_gcj02_is_suggested_from_column_names() -> None:
    x, y = shifts.wgs84_to_gcj02(XY[:, 0], XY[:, 1])
    raw = read_upload("amap.csv", csv_of(x, y, ("gcj_lng", "gcj_lat")))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gcj02")
    assert "高德" in suggestion.reason.message_zh


def test_gcj02_is_suggested_when_it_puts_the_features_inside_the_township() -> None:
    # Points all along the inside of the boundary: shifted ~0.5 km as GCJ-02, about half of
    # them fall outside when read as WGS84, none when read as GCJ-02.
    township = BUNDLE.township.geometry.iloc[0]
    ring = township.buffer(-0.003).exterior
    points = [ring.interpolate(f, normalized=True) for f in np.linspace(0, 1, 60, endpoint=False)]
    truth = np.asarray(points, dtype=object)
    xy = shapely.get_coordinates(truth)
    x, y = shifts.wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    raw = read_upload("points.csv", csv_of(x, y))
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice == CrsChoice("gcj02"), suggestion.reason.message_en
    assert suggestion.reason.key == "xfer_crs_reason_fit_gcj02"
    assert max_distance_m(to_wgs84(raw, suggestion.choice), truth) < 1.0


def test_metres_of_unknown_crs_ask_for_an_epsg_code() -> None:
    raw = read_upload("m.csv", csv_of(XY[:, 0] * 1000 + 400_000, XY[:, 1] * 1000, ("x", "y")))
    suggestion = suggest_crs(raw)
    assert suggestion.choice is None
    assert "EPSG" in suggestion.reason.message_zh and "EPSG" in suggestion.reason.message_en


def test_an_explicit_epsg_code_is_applied() -> None:
    x, y = gk(4544)  # CGCS2000 3-degree CM 105°E, without zone prefix
    raw = read_upload("a.csv", csv_of(x, y, ("x", "y")))
    assert max_distance_m(to_wgs84(raw, CrsChoice("epsg", epsg=4544)), TRUTH) < 1.0


def test_choices_have_labels_in_both_languages() -> None:
    choice = CrsChoice("gauss_kruger", zone_width=3, swap_axes=True)
    assert "3 度带" in choice.label("zh") and "颠倒" in choice.label("zh")
    assert "3°" in choice.label("en") and "swapped" in choice.label("en")
    assert CrsChoice("epsg", epsg=4544).label("en") == "EPSG:4544"
