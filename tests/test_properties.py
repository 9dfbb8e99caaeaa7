"""Property-based tests (hypothesis): every layer survives a save and a load unchanged, the
checks never crash whatever the geometry, and a change saved and undone leaves the file as
it was. (Coordinate round trips are in test_crs.py.)"""

from __future__ import annotations

import copy
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, mapping

from township_atlas.checks import run_checks
from township_atlas.model.schema import LAYERS, Field, LayerSpec
from township_atlas.storage import changes, layer_codec
from township_atlas.storage.files import store as files_store
from township_atlas.storage.formats import (
    csv_text,
    geojson_text,
    parse_csv_table,
    parse_geojson,
    typed_table,
)

from .factory import E, N, S, W, make_bundle

SAMPLE = Path(__file__).resolve().parent.parent / "geodata"
HOSTILE = ["<img src=x onerror=alert(1)>", "</script>", "${alert(1)}", "`", "{{7*7}}", "\"',\n"]
text = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=30).filter(str.strip))


def value(fld: Field):
    if fld.allowed:
        return st.sampled_from(fld.allowed)
    if fld.dtype == "str":
        return text.map(str.strip).filter(bool)
    if fld.dtype == "bool":
        return st.booleans()
    lo = fld.min if fld.min is not None else -1e6
    hi = fld.max if fld.max is not None else 1e6
    if fld.dtype == "int":
        return st.integers(int(lo), int(hi))
    return st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 6))


def row(spec: LayerSpec):
    return st.fixed_dictionaries(
        {f.name: value(f) if f.required else st.one_of(st.none(), value(f)) for f in spec.fields}
    )


lon = st.floats(W, E, allow_nan=False)
lat = st.floats(S, N, allow_nan=False)
points = st.builds(lambda x, y: Point(x, y), lon, lat)
polygons = st.lists(st.tuples(lon, lat), min_size=3, max_size=8).map(lambda c: Polygon(c))


def _geom_for(spec: LayerSpec):
    return points if spec.geometry_types == ("Point",) else st.one_of(points, polygons)


def _equal(fld: Field, expected, actual, csv: bool = False) -> bool:
    """A value as written against the value read back (typed by the schema)."""
    if expected is None:  # CSV keeps no difference between blank and missing text
        return actual is None or bool(pd.isna(actual)) or (csv and actual == "")
    if actual is None or bool(pd.isna(actual)):
        return False
    if fld.dtype == "float":
        return math.isclose(float(expected), float(actual), rel_tol=1e-12, abs_tol=1e-9)
    if fld.dtype == "int":
        return int(expected) == int(actual)
    if fld.dtype == "bool":
        return bool(expected) == bool(actual)
    if csv:  # CSV keeps line breaks as "\n"
        expected = str(expected).replace("\r\n", "\n").replace("\r", "\n")
    return str(actual) == str(expected)


@pytest.mark.parametrize("spec", [s for s in LAYERS if s.is_spatial], ids=lambda s: s.name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_spatial_layer_round_trips_through_its_file(spec, data):
    rows = data.draw(st.lists(row(spec), min_size=1, max_size=4))
    geoms = [data.draw(_geom_for(spec)) for _ in rows]
    features = [
        {"type": "Feature", "properties": r, "geometry": mapping(g)}
        for r, g in zip(rows, geoms, strict=True)
    ]
    frame = layer_codec.frame_from(features, spec)
    text_once = geojson_text(frame, spec)
    again = parse_geojson(text_once, spec, spec.filename)
    assert geojson_text(again, spec) == text_once  # stable: a second save changes nothing
    for r, (_, got) in zip(rows, again.iterrows(), strict=True):
        for f in spec.fields:
            assert _equal(f, r[f.name], got[f.name]), f.name
    for g, got in zip(geoms, again.geometry, strict=True):
        assert g.equals_exact(got, 1e-7) or (not g.is_valid)


@pytest.mark.parametrize("spec", [s for s in LAYERS if not s.is_spatial], ids=lambda s: s.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_table_round_trips_through_its_csv(spec, data):
    rows = data.draw(st.lists(row(spec), min_size=1, max_size=5))
    frame = typed_table(rows, spec)
    once = csv_text(frame, spec)
    again = parse_csv_table(once, spec, spec.filename)
    assert csv_text(again, spec) == once
    for r, (_, got) in zip(rows, again.iterrows(), strict=True):
        for f in spec.fields:
            assert _equal(f, r[f.name], got[f.name], csv=True), f.name


anything = st.one_of(
    points,
    polygons,
    st.builds(lambda x, y: Point(x * 1e5, y), lon, lat),  # projected-looking
    st.builds(lambda y, x: Point(x, y), lon, lat),  # swapped
    st.just(Polygon()),
    st.just(None),
)


@settings(max_examples=60, deadline=None)
@given(
    villages=st.lists(anything, min_size=2, max_size=2),
    sites=st.lists(anything, min_size=4, max_size=4),
)
def test_the_checks_never_crash_on_any_geometry(villages, sites):
    bundle = make_bundle()
    bundle.villages = bundle.villages.set_geometry(villages)
    bundle.sites = bundle.sites.set_geometry(sites)
    findings = run_checks(bundle)
    crashed = [f for f in findings if "could not run" in f.message_en]
    assert not crashed, crashed[0].message_en


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=text, area=st.floats(0, 1e5, allow_nan=False))
def test_a_saved_and_undone_change_leaves_the_file_byte_for_byte(tmp_path_factory, name, area):
    folder = tmp_path_factory.mktemp("prop") / "geodata"
    shutil.copytree(SAMPLE, folder)
    before = (folder / "sites.geojson").read_bytes()
    rec = files_store.read_records(folder, "sites")["S002"]
    new = copy.deepcopy(rec)
    new["properties"]["name_zh"] = name.strip()
    new["properties"]["area_mu"] = round(area, 3)
    result = files_store.save(
        folder,
        changes.ChangeSet("sites", "p", upserts=[new], base={"S002": changes.feature_version(rec)}),
    )
    assert (
        files_store.read_records(folder, "sites")["S002"]["properties"]["name_zh"] == name.strip()
    )
    files_store.undo(folder, result.seq, "p")
    assert (folder / "sites.geojson").read_bytes() == before
