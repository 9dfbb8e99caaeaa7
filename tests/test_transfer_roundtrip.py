"""Every spatial layer of the sample through every export format and back through the
importer: nothing lost (ids, every attribute incl. Chinese text, geometry within 1e-7°)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from township_atlas.model.schema import LAYERS, LAYERS_BY_NAME
from township_atlas.storage.files.store import Store
from township_atlas.transfer import (
    EXPORT_FORMATS,
    ExportError,
    Upload,
    export_dataset,
    export_formats,
    export_layer,
    export_warnings,
)
from township_atlas.transfer.namemap import MANIFEST_NAME

from .test_transfer_support import SPATIAL, assert_same_features, import_plan, sample_bundle

BUNDLE = sample_bundle()


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize("layer", SPATIAL)
def test_every_layer_survives_export_and_import_in_every_format(layer: str, fmt: str) -> None:
    name, data = export_layer(BUNDLE, layer, fmt)
    plan = import_plan(name, data, layer, BUNDLE)
    assert_same_features(plan, BUNDLE, LAYERS_BY_NAME[layer].id_field)
    # Identical to what is stored: accepting the import would change nothing.
    assert sorted(plan.unchanged_ids) == sorted(plan.base)
    assert plan.new_ids == [] and plan.replaced_ids == []


@pytest.mark.parametrize("headers", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tables_with_label_headers_map_back_to_the_fields(fmt: str, headers: str) -> None:
    for layer in SPATIAL:
        name, data = export_layer(BUNDLE, layer, fmt, headers=headers)
        plan = import_plan(name, data, layer, BUNDLE)
        assert_same_features(plan, BUNDLE, LAYERS_BY_NAME[layer].id_field)


@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f != "xlsx"])
def test_dataset_zip_reimports_every_layer(fmt: str) -> None:
    name, data = export_dataset(BUNDLE, fmt, today=date(2025, 6, 1))
    assert name == f"青禾乡(示例)_{fmt}_2025-06-01.zip"
    with Upload(name, data) as upload:
        keys = [sl.key for sl in upload.layers]
    assert len(keys) == len(SPATIAL)
    for layer in SPATIAL:
        source = next(k for k in keys if k == layer or f"{layer}." in k or k.endswith(f"::{layer}"))
        plan = import_plan(name, data, layer, BUNDLE, source=source)
        assert_same_features(plan, BUNDLE, LAYERS_BY_NAME[layer].id_field)


def test_geojson_dataset_zip_unpacked_is_a_data_folder(tmp_path: Path) -> None:
    _, data = export_dataset(BUNDLE, "geojson", today=date(2025, 6, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(tmp_path)
        names = set(zf.namelist())
    assert {s.filename for s in LAYERS} | {"plans.yaml", "report.yaml"} <= names
    result = Store(tmp_path).load()
    assert result.ok, [f.message_en for f in result.errors]
    for spec in LAYERS:
        exported, original = result.bundle.layer(spec.name), BUNDLE.layer(spec.name)
        assert exported.drop(columns="geometry", errors="ignore").equals(
            original.drop(columns="geometry", errors="ignore")
        ), spec.name
    assert result.bundle.plans == BUNDLE.plans and result.bundle.report == BUNDLE.report


def test_xlsx_dataset_has_one_sheet_per_layer_and_the_tables() -> None:
    import openpyxl

    _, data = export_dataset(BUNDLE, "xlsx", today=date(2025, 6, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = openpyxl.load_workbook(io.BytesIO(zf.read("township_atlas.xlsx")), read_only=True)
        assert book.sheetnames == [s.name for s in LAYERS]
        assert {"chains.csv", "plans.yaml", "report.yaml"} <= set(zf.namelist())
        # Each sheet of the workbook imports like a single-layer export.
        workbook = zf.read("township_atlas.xlsx")
    for layer in SPATIAL:
        plan = import_plan("dataset.xlsx", workbook, layer, BUNDLE, source=f"dataset.xlsx::{layer}")
        assert_same_features(plan, BUNDLE, LAYERS_BY_NAME[layer].id_field)


def test_shapefile_zip_has_utf8_cpg_prj_short_names_and_name_map() -> None:
    _, data = export_layer(BUNDLE, "villages", "shapefile")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {
            "villages.shp",
            "villages.shx",
            "villages.dbf",
            "villages.prj",
            "villages.cpg",
        } <= names
        assert zf.read("villages.cpg").decode().strip() == "UTF-8"
        assert "WGS" in zf.read("villages.prj").decode()
        assert MANIFEST_NAME in names
        dbf = zf.read("villages.dbf")
    fields = [dbf[32 + 32 * i : 32 + 32 * i + 11].split(b"\0")[0].decode() for i in range(9)]
    assert all(len(f) <= 10 for f in fields)
    assert len({f.lower() for f in fields}) == len(fields)
    assert "leading_in" in fields


def test_mixed_geometry_layer_is_split_into_one_shapefile_per_type_and_imports_as_one() -> None:
    _, data = export_layer(BUNDLE, "sites", "shapefile")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {"sites_point.shp", "sites_polygon.shp"} <= set(zf.namelist())
    with Upload("sites.zip", data) as upload:
        assert [(sl.key, sl.feature_count) for sl in upload.layers] == [("sites", 42)]
    assert any(
        n.key == "xfer_export_shp_split" for n in export_warnings(BUNDLE, "sites", "shapefile")
    )


def test_kml_names_placemarks_after_name_zh_and_keeps_every_field() -> None:
    _, data = export_layer(BUNDLE, "villages", "kml")
    text = data.decode("utf-8")
    assert "<name>上庄村</name>" in text
    for fld in LAYERS_BY_NAME["villages"].fields:
        assert f'<SimpleField name="{fld.name}"' in text


def test_csv_is_utf8_with_bom_points_as_lon_lat_polygons_as_wkt() -> None:
    _, data = export_layer(BUNDLE, "sites", "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[-3:] == ["lon", "lat", "wkt"]
    _, orgs = export_layer(BUNDLE, "party_orgs", "csv")
    assert orgs.decode("utf-8-sig").splitlines()[0].endswith("lon,lat")


@pytest.mark.parametrize("table", [s.name for s in LAYERS if not s.is_spatial])
def test_tables_export_as_csv_xlsx_and_not_as_geometry_formats(table: str) -> None:
    assert export_formats(table) == ("csv", "xlsx", "gpkg")
    name, data = export_layer(BUNDLE, table, "csv")
    assert name.endswith(f"{table}.csv") and data.startswith(b"\xef\xbb\xbf")
    assert export_layer(BUNDLE, table, "xlsx")[1][:2] == b"PK"
    with pytest.raises(ExportError) as info:
        export_layer(BUNDLE, table, "kml")
    assert info.value.key == "xfer_export_table_format" and "CSV" in info.value.message_zh


def test_unknown_export_format_is_refused_with_the_choices() -> None:
    with pytest.raises(ExportError) as info:
        export_dataset(BUNDLE, "dxf")
    assert "geojson" in info.value.message_en and "dxf" in info.value.message_zh


def test_dataset_file_name_is_safe_even_for_a_hostile_township_name() -> None:
    bundle = sample_bundle()
    bundle.township.loc[0, "name_zh"] = '../../etc/<x>:"乡"|?*'
    name, _ = export_dataset(bundle, "geojson", today=date(2025, 6, 1))
    assert "/" not in name and "\\" not in name and ".." not in name.split("_")[0]
    assert name.endswith("_geojson_2025-06-01.zip") and "乡" in name


def test_export_reports_progress_in_the_chosen_language() -> None:
    calls: list[tuple[float, str]] = []
    export_dataset(BUNDLE, "kml", progress=lambda f, m: calls.append((f, m)), lang="en")
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert calls[-1][1] == "Done" and any("sites" in m for _, m in calls)


@pytest.mark.parametrize("layer", SPATIAL)
def test_fast_stored_features_equal_the_stores_own_writer(layer: str) -> None:
    from township_atlas.transfer.values import stored_features, stored_features_slow

    spec = LAYERS_BY_NAME[layer]
    frame = BUNDLE.layer(layer)
    assert stored_features(frame, spec) == stored_features_slow(frame, spec)


def test_fast_yaml_equals_the_stores_own_writer() -> None:
    from township_atlas.storage.formats import yaml_text
    from township_atlas.transfer.values import yaml_bytes

    for doc in (BUNDLE.plans, BUNDLE.report):
        assert yaml_bytes(doc) == yaml_text(doc).encode("utf-8")
