"""Tests for township_atlas.geo.china_shifts (GCJ-02 / BD-09 shifts, geometry helpers) and crs_gk."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod, Transformer

from township_atlas.geo.china_shifts import (
    CoordinateSystemError,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_display_crs,
    transform_geometries,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from township_atlas.geo.gauss_kruger import gauss_kruger_epsg, guess_source_crs

GEOD = Geod(ellps="WGS84")
CONVERSIONS = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]
ROUND_TRIPS = [
    (wgs84_to_gcj02, gcj02_to_wgs84),
    (wgs84_to_bd09, bd09_to_wgs84),
    (gcj02_to_bd09, bd09_to_gcj02),
]


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance on WGS84 in metres."""
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --- published reference points -------------------------------------------------------------

# (wgs lon, wgs lat, gcj lon, gcj lat) from googollee/eviltransform, python/test.py and
# go/transform_test.go (Shanghai, Shenzhen, Beijing); its tests check 6 decimal places.
EVILTRANSFORM_WGS_GCJ = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]
# wandergis/coordtransform README "result" block, all for the input (116.404, 39.915).
# (Not eviltransform's BD-09 pairs: its Python port uses sin(lat*pi), not the standard x_pi.)
COORDTRANSFORM = [
    (wgs84_to_gcj02, (116.41024449916938, 39.91640428150164)),
    (gcj02_to_bd09, (116.41036949371029, 39.92133699351021)),
    # The README value comes from the one-step BD-09 -> GCJ-02 formula; our refined inverse
    # differs from it by < 0.05 m here, well within 1e-6 degrees.
    (bd09_to_gcj02, (116.39762729119315, 39.90865673957631)),
]


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_eviltransform(wlon, wlat, glon, glat):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-6)
    assert lat == pytest.approx(glat, abs=1e-6)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_inverts_eviltransform_pairs(wlon, wlat, glon, glat):
    # eviltransform's gcj2wgs_exact test allows 0.5 m; we are far inside that.
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert lon == pytest.approx(wlon, abs=1e-6)
    assert lat == pytest.approx(wlat, abs=1e-6)
    assert metres(lon, lat, wlon, wlat) < 0.01


@pytest.mark.parametrize(("func", "expected"), COORDTRANSFORM)
def test_matches_coordtransform_readme(func, expected):
    lon, lat = func(116.404, 39.915)
    assert lon == pytest.approx(expected[0], abs=1e-6)
    assert lat == pytest.approx(expected[1], abs=1e-6)


# --- properties -------------------------------------------------------------------------------

china_lon = st.floats(73.0, 135.0)
china_lat = st.floats(18.0, 54.0)
any_lon = st.floats(-180.0, 180.0)
any_lat = st.floats(-90.0, 90.0)


@pytest.mark.parametrize(("forward", "inverse"), ROUND_TRIPS)
@settings(max_examples=300, deadline=None)
@given(lon=china_lon, lat=china_lat)
def test_round_trip_under_half_a_metre(forward, inverse, lon, lat):
    back = inverse(*forward(lon, lat))
    assert metres(lon, lat, *back) < 0.5


@pytest.mark.parametrize(("forward", "inverse"), ROUND_TRIPS)
def test_round_trip_on_dense_grid(forward, inverse):
    lon, lat = np.meshgrid(np.arange(73.0, 135.0, 0.05), np.arange(18.0, 54.0, 0.05))
    error = metres(lon, lat, *inverse(*forward(lon, lat)))
    print(f"\n{forward.__name__} round trip: max error {error.max():.2e} m")
    assert error.max() < 0.005  # the inverses are exact to well under a centimetre


@pytest.mark.parametrize("func", CONVERSIONS)
@settings(max_examples=50, deadline=None)
@given(
    points=st.lists(
        st.one_of(st.tuples(china_lon, china_lat), st.tuples(any_lon, any_lat)),
        min_size=1,
        max_size=40,
    )
)
def test_array_call_equals_scalar_calls(func, points):
    lon, lat = np.array(points).T
    out_lon, out_lat = func(lon, lat)
    scalar = np.array([func(x, y) for x, y in points])
    # 1e-12 deg is 0.1 micrometre: equal for every purpose, without relying on libm giving
    # bit-identical results for 1-element and long arrays on every CPU.
    np.testing.assert_allclose(out_lon, scalar[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(out_lat, scalar[:, 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("func", CONVERSIONS)
@pytest.mark.parametrize(("lon", "lat"), [(-0.1276, 51.5072), (-74.006, 40.7128), (0.0, 0.0)])
def test_outside_china_passes_through(func, lon, lat):
    assert not in_china(lon, lat)
    assert func(lon, lat) == (lon, lat)


@pytest.mark.parametrize("func", CONVERSIONS)
def test_shapes_scalars_and_nan(func):
    lon = np.array([[116.4, 120.1], [np.nan, 30.0]])
    lat = np.array([[39.9, 30.2], [35.0, np.nan]])
    out_lon, out_lat = func(lon, lat)
    assert out_lon.shape == out_lat.shape == (2, 2)
    assert np.isnan(out_lon[1, 0]) and np.isnan(out_lat[1, 1])  # NaN stays NaN
    assert out_lon[1, 1] == 30.0  # its point is not in China, so untouched
    scalar = func(116.4, 39.9)
    assert all(isinstance(v, float) for v in scalar)
    assert np.array_equal(func([116.4], 39.9)[0], [scalar[0]])  # broadcasting


def test_shift_sizes_are_plausible():
    # GCJ-02 moves points by some hundreds of metres; BD-09 adds roughly another kilometre.
    lon, lat = 116.404, 39.915
    assert 100 < metres(lon, lat, *wgs84_to_gcj02(lon, lat)) < 1000
    assert 500 < metres(lon, lat, *wgs84_to_bd09(lon, lat)) < 2000


# --- geometries -------------------------------------------------------------------------------

GEOMETRIES = [
    "POINT (116.4 39.9)",
    "POINT Z (116.4 39.9 52.5)",
    "LINESTRING (116.4 39.9, 116.5 40.0, 116.6 39.8)",
    "POLYGON ((116 39, 117 39, 117 40, 116 40, 116 39), "
    "(116.2 39.2, 116.2 39.4, 116.4 39.4, 116.2 39.2))",
    "MULTIPOLYGON (((116 39, 117 39, 117 40, 116 39)), ((118 30, 119 30, 119 31, 118 30)))",
    "MULTIPOINT ((116.4 39.9), (-0.12 51.5))",
    "GEOMETRYCOLLECTION (POINT (116.4 39.9), LINESTRING (116 39, 117 40))",
    "POINT EMPTY",
    "POLYGON EMPTY",
    "MULTILINESTRING EMPTY",
]


def test_transform_geometries_keeps_structure():
    geoms = np.append(shapely.from_wkt(GEOMETRIES), None)
    out = transform_geometries(geoms, wgs84_to_gcj02)
    assert out[-1] is None
    assert shapely.get_type_id(out[:-1]).tolist() == shapely.get_type_id(geoms[:-1]).tolist()
    assert shapely.is_empty(out[:-1]).tolist() == shapely.is_empty(geoms[:-1]).tolist()
    assert shapely.has_z(out[:-1]).tolist() == shapely.has_z(geoms[:-1]).tolist()
    assert shapely.get_num_interior_rings(out[3]) == 1
    before = shapely.get_coordinates(geoms, include_z=True)
    after = shapely.get_coordinates(out, include_z=True)
    expected = np.column_stack([*wgs84_to_gcj02(before[:, 0], before[:, 1]), before[:, 2]])
    np.testing.assert_array_equal(after, expected)  # Z (and its NaN for 2-D) untouched
    assert before[0, 0] != after[0, 0]  # and the input was not modified in place
    single = transform_geometries(shapely.Point(116.4, 39.9), wgs84_to_gcj02)
    assert single.equals(out[0])


def test_transform_geometries_geoseries():
    series = gpd.GeoSeries.from_wkt(GEOMETRIES, index=list("abcdefghij"), crs=4326, name="g")
    out = transform_geometries(series, wgs84_to_bd09)
    assert isinstance(out, gpd.GeoSeries)
    assert out.index.tolist() == series.index.tolist()
    assert out.crs == series.crs and out.name == "g"
    back = transform_geometries(out, bd09_to_wgs84)
    assert back.geom_equals_exact(series, tolerance=1e-8).all()


def _villages() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["村委会", "村界"]},
        geometry=shapely.from_wkt(
            ["POINT (114.3 30.6)", "POLYGON ((114 30, 114.1 30, 114.1 30.1, 114 30))"]
        ),
        crs=4326,
    )


@pytest.mark.parametrize(
    ("target", "func"), [("wgs84", None), ("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)]
)
def test_to_display_crs(target, func):
    gdf = _villages()
    original = gdf.copy()
    out = to_display_crs(gdf, target)
    assert out is not gdf and out.attrs["display_crs"] == target
    assert out.crs == gdf.crs and out["name"].tolist() == gdf["name"].tolist()
    assert gdf.geom_equals_exact(original, tolerance=0).all()  # input untouched
    expected = gdf.geometry if func is None else transform_geometries(gdf.geometry, func)
    assert out.geometry.geom_equals_exact(expected, tolerance=0).all()


def test_to_display_crs_reprojects_other_crs_first():
    gdf = _villages()
    out = to_display_crs(gdf.to_crs(4526), "gcj02")
    expected = to_display_crs(gdf, "gcj02")
    assert out.crs.to_epsg() == 4326
    assert out.geometry.geom_equals_exact(expected.geometry, tolerance=1e-7).all()


def test_to_display_crs_errors():
    with pytest.raises(CoordinateSystemError, match="unknown display"):
        to_display_crs(_villages(), "utm")  # type: ignore[arg-type]
    with pytest.raises(CoordinateSystemError) as err:
        to_display_crs(_villages().set_crs(None, allow_override=True), "gcj02")
    assert "坐标系" in err.value.message_zh


# --- Gauss-Krüger -----------------------------------------------------------------------------


@pytest.mark.parametrize("zone", range(25, 46))
def test_three_degree_zone_codes(zone):
    epsg = gauss_kruger_epsg(zone * 1_000_000 + 500_000.0)
    assert CRS.from_epsg(epsg).name == f"CGCS2000 / 3-degree Gauss-Kruger zone {zone}"
    assert gauss_kruger_epsg(zone * 1_000_000 + 321_987.6, zone_width=3) == epsg


@pytest.mark.parametrize("zone", range(13, 24))
def test_six_degree_zone_codes(zone):
    epsg = gauss_kruger_epsg(zone * 1_000_000 + 500_000.0)
    assert CRS.from_epsg(epsg).name == f"CGCS2000 / Gauss-Kruger zone {zone}"
    assert gauss_kruger_epsg(zone * 1_000_000 + 700_000.0, zone_width=6) == epsg


def test_zone_38_example():
    assert gauss_kruger_epsg(38_500_000) == 4526


@pytest.mark.parametrize("easting", [24_500_000, 12_900_000, 46_000_000, 500_000, -1, np.nan])
def test_invalid_zone_prefix(easting):
    with pytest.raises(CoordinateSystemError) as err:
        gauss_kruger_epsg(easting)
    assert isinstance(err.value, ValueError)
    assert "带号" in err.value.message_zh and "zone" in err.value.message_en


@pytest.mark.parametrize(("easting", "width"), [(38_500_000, 6), (19_500_000, 3), (38_500_000, 4)])
def test_zone_width_mismatch(easting, width):
    with pytest.raises(CoordinateSystemError, match="degree"):
        gauss_kruger_epsg(easting, zone_width=width)


def test_guess_geographic_and_swapped():
    lon, lat = [114.3, 114.35, np.nan], [30.6, 30.62, 30.0]
    geo = guess_source_crs(lon, lat)
    assert (geo.kind, geo.epsg) == ("geographic", 4326)
    swapped = guess_source_crs(lat, lon)
    assert (swapped.kind, swapped.epsg) == ("swapped", 4326)
    assert "颠倒" in swapped.message_zh and "swapped" in swapped.message_en
    abroad = guess_source_crs([-0.12, 2.35], [51.5, 48.86])
    assert abroad.kind == "geographic"


@pytest.mark.parametrize(("epsg", "zone"), [(4526, 38), (4497, 19)])
def test_guess_gauss_kruger_round_trip(epsg, zone):
    # Wuhan area: 114.3 E lies in 3-degree zone 38 (CM 114) and 6-degree zone 19 (CM 111).
    to_gk = Transformer.from_crs(4326, epsg, always_xy=True)
    xs, ys = to_gk.transform([114.3, 114.5, 113.9], [30.6, 30.4, 30.9])
    assert int(xs[0] // 1_000_000) == zone
    guess = guess_source_crs(xs, ys)
    assert (guess.kind, guess.epsg) == ("gauss_kruger", epsg)
    assert str(zone) in guess.message_zh and f"EPSG:{epsg}" in guess.message_en
    # Survey tables list X (northing) first: the same values swapped are recognised too.
    swapped = guess_source_crs(ys, xs)
    assert (swapped.kind, swapped.epsg) == ("swapped", epsg)


@pytest.mark.parametrize(
    ("xs", "ys"),
    [
        ([500_000.0, 512_000.0], [3_400_000.0, 3_410_000.0]),  # GK/UTM without zone prefix
        ([24_500_000.0], [3_400_000.0]),  # prefix 24 is no CGCS2000 zone
        ([38_500_000.0, 39_500_000.0], [3_400_000.0, 3_400_000.0]),  # two zones mixed
        ([12_958_000.0], [4_852_000.0]),  # Web Mercator metres (Beijing), not GK
    ],
)
def test_guess_projected_unknown(xs, ys):
    guess = guess_source_crs(xs, ys)
    assert (guess.kind, guess.epsg) == ("projected_unknown", None)
    assert guess.message_zh and guess.message_en


def test_guess_without_coordinates():
    with pytest.raises(CoordinateSystemError):
        guess_source_crs([np.nan], [np.nan])
    with pytest.raises(CoordinateSystemError):
        guess_source_crs([], [])
