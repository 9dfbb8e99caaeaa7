"""The store: loading the sample, bad files reported by file and feature, fingerprints."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from pyproj import Transformer

from tests.conftest import SAMPLE_DIR
from township_atlas.errors import DataFileError, DataFolderError
from township_atlas.model.schema import SITES, VILLAGES
from township_atlas.sample import generate
from township_atlas.storage.changes import ChangeSet, feature_version
from township_atlas.storage.datastore import DataStore
from township_atlas.storage.files.store import DATA_FILES, Store
from township_atlas.storage.formats import geojson_text, read_geojson


def _features(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_shipped_sample_passes_every_check(store):
    result = store.load()
    assert result.findings == []
    b = result.bundle
    assert len(b.villages) == 7 and len(b.sites) >= 35
    assert set(b.sites["kind"]) == {
        "industry_base",
        "demo_base",
        "wealth_project",
        "cooperative",
        "market",
    }
    assert b.sites["village_code"].value_counts().min() >= 3
    groups = b.party_orgs[b.party_orgs["level"] == "group"]
    assert len(groups) >= 14
    assert len(b.chains) >= 3
    assert b.party_orgs["chain_id"].notna().sum() >= 1
    years = set(b.indicators.dropna(subset=["value"])["year"])
    assert set(range(2021, 2026)) <= years
    assert set(b.plans["villages"]) == set(b.villages["code"])
    assert b.report["problems"] and b.report["measures"]
    assert bool(b.township_props["sample"]) is True


def test_shipped_sample_is_exactly_what_the_generator_makes(tmp_path):
    generate(tmp_path / "regen")
    for name in DATA_FILES:
        made, shipped = tmp_path / "regen" / name, SAMPLE_DIR / name
        assert made.exists() == shipped.exists(), name  # photos.csv: in neither
        if shipped.exists():
            assert made.read_bytes() == shipped.read_bytes(), name
    assert not (SAMPLE_DIR / "photos.csv").exists()


def test_generator_makes_a_larger_county_that_loads(tmp_path):
    generate(tmp_path / "county", n_villages=30, n_sites=600)
    result = Store(tmp_path / "county").load()
    assert len(result.bundle.villages) == 30 and len(result.bundle.sites) == 600
    assert result.errors == [], [f.message_en for f in result.errors[:5]]


def test_geojson_round_trip_is_byte_identical(sample_dir):
    for spec in (VILLAGES, SITES):
        path = sample_dir / spec.filename
        assert geojson_text(read_geojson(path, spec), spec) == path.read_text(encoding="utf-8")


def test_invalid_json_names_the_file_and_line_and_the_rest_still_loads(sample_dir):
    path = sample_dir / "sites.geojson"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    result = Store(sample_dir).load()
    finding = next(f for f in result.findings if f.check == "file_unreadable")
    assert "sites.geojson" in finding.message_zh and "JSON" in finding.message_zh
    assert "line" in finding.message_en
    assert len(result.bundle.villages) == 7 and result.bundle.sites.empty
    with pytest.raises(DataFileError, match=r"sites\.geojson"):
        Store(sample_dir).load(strict=True)


def test_missing_required_field_names_the_feature(sample_dir):
    path = sample_dir / "sites.geojson"
    doc = _features(path)
    del doc["features"][4]["properties"]["kind"]
    _write(path, doc)
    findings = Store(sample_dir).load().findings
    hit = next(f for f in findings if f.check == "required")
    assert hit.feature == "S005" and "S005" in hit.message_zh and "kind" in hit.message_zh


def test_unreadable_value_names_file_and_feature(sample_dir):
    path = sample_dir / "villages.geojson"
    doc = _features(path)
    doc["features"][2]["properties"]["population"] = "很多"
    _write(path, doc)
    finding = next(f for f in Store(sample_dir).load().findings if f.check == "file_unreadable")
    assert "villages.geojson" in finding.message_zh and "V03" in finding.message_zh
    assert "population" in finding.message_en


def test_self_intersecting_village_is_reported_with_its_code(sample_dir):
    path = sample_dir / "villages.geojson"
    doc = _features(path)
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    ring[1], ring[len(ring) // 2] = ring[len(ring) // 2], ring[1]
    _write(path, doc)
    findings = Store(sample_dir).load().findings
    hit = next(f for f in findings if f.check == "geometry_invalid")
    assert hit.feature == "V01" and hit.location is not None


def test_village_outside_the_township_is_reported(sample_dir):
    path = sample_dir / "villages.geojson"
    doc = _features(path)
    ring = doc["features"][6]["geometry"]["coordinates"][0]
    doc["features"][6]["geometry"]["coordinates"][0] = [[x + 0.01, y] for x, y in ring]
    _write(path, doc)
    checks = {f.check for f in Store(sample_dir).load().findings}
    assert {"village_outside", "tiling_gap"} <= checks


def test_lat_lon_swapped_file_is_recognised(sample_dir):
    path = sample_dir / "sites.geojson"
    doc = _features(path)
    for feat in doc["features"]:
        g = feat["geometry"]
        if g["type"] == "Point":
            g["coordinates"] = g["coordinates"][::-1]
        else:
            g["coordinates"] = [[pt[::-1] for pt in ring] for ring in g["coordinates"]]
    _write(path, doc)
    hit = next(f for f in Store(sample_dir).load().findings if f.check == "coordinates")
    assert hit.layer == "sites" and "颠倒" in hit.message_zh


def test_projected_metres_in_a_file_claiming_wgs84_is_recognised(sample_dir):
    path = sample_dir / "villages.geojson"
    doc = _features(path)
    to_gk = Transformer.from_crs(4326, 4523, always_xy=True)  # CGCS2000 3° GK zone 35
    for feat in doc["features"]:
        ring = feat["geometry"]["coordinates"][0]
        feat["geometry"]["coordinates"][0] = [list(to_gk.transform(x, y)) for x, y in ring]
    _write(path, doc)
    hit = next(f for f in Store(sample_dir).load().findings if f.check == "coordinates")
    assert hit.layer == "villages" and "米" in hit.message_zh


def test_missing_folder_and_empty_folder_are_clear_errors(tmp_path):
    with pytest.raises(DataFolderError, match="does not exist"):
        Store(tmp_path / "nowhere").load()
    with pytest.raises(DataFolderError, match="no township data"):
        Store(tmp_path).load()


def test_fingerprint_changes_when_the_data_is_saved_and_only_then(store):
    before = store.fingerprint()
    assert store.fingerprint() == before
    assert store.load().fingerprint == before
    rows = store.read_records("indicators")
    key = "V01|2023|collective_income"
    row = copy.deepcopy(rows[key])
    row["properties"]["value"] = 1.5
    store.save(ChangeSet("indicators", "a", upserts=[row], base={key: feature_version(rows[key])}))
    after = store.fingerprint()
    assert after != before and store.load().fingerprint == after


def test_every_store_names_itself_and_its_township(store):
    assert isinstance(store, DataStore)
    assert store.label and store.key
    assert [(t.code, t.name) for t in store.list_townships()] == [("620000-QH", "青禾乡(示例)")]


def test_fingerprint_changes_when_a_file_changes(sample_dir):
    store = Store(sample_dir)
    before = store.fingerprint()
    assert store.fingerprint() == before
    path = sample_dir / "indicators.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "V01,2030,collective_income,1,\n", encoding="utf-8"
    )
    os.utime(path, ns=(1, 1))
    assert store.fingerprint() != before


def test_a_half_written_file_is_served_from_the_last_good_load(sample_dir):
    good = Store(sample_dir).load()
    path = sample_dir / "sites.geojson"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # QGIS mid-write
    result = Store(sample_dir).load(fallback=good)
    assert len(result.bundle.sites) == len(good.bundle.sites)
    stale = [f for f in result.findings if f.check == "file_stale"]
    assert stale and stale[0].severity == "warning" and "QGIS" in stale[0].message_zh
    assert not result.errors
    path.write_text(text, encoding="utf-8")
    assert Store(sample_dir).load(fallback=good).findings == []
