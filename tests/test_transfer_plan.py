"""Building an import plan: field mapping from Chinese files, coded values, new and replaced
ids, villages from location, links, the ChangeSet the editing page saves, progress, and that
nothing is ever written into the data folder."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

import pytest

import township_atlas.transfer as transfer_pkg
from township_atlas.model.schema import LAYERS_BY_NAME, SITES
from township_atlas.storage.changes import feature_version
from township_atlas.storage.files.store import Store, save
from township_atlas.storage.layer_codec import frame_features
from township_atlas.text.labels.transfer import TEXT
from township_atlas.transfer import (
    EXPORT_FORMATS,
    CrsChoice,
    FieldMapping,
    TransferError,
    Upload,
    build_plan,
    export_dataset,
    export_layer,
    plan_import,
    read_upload,
    suggest_crs,
    suggest_mapping,
)

from .test_transfer_support import (
    SPATIAL,
    geojson_bytes,
    import_plan,
    point_feature,
    sample_bundle,
)

BUNDLE = sample_bundle()
WGS84 = CrsChoice("wgs84")
# Inside village V03 of the sample, and inside V01.
IN_V03 = BUNDLE.villages.set_index("code").loc["V03"].geometry.representative_point()
IN_V01 = BUNDLE.villages.set_index("code").loc["V01"].geometry.representative_point()

CHINESE_CSV = f"""名称,类型,产业,所在村,面积(亩),带动农户,年产值(万元),经度,纬度
新建花椒示范园,示范基地,花椒,上庄村,"1,200亩",３５,88.5,{IN_V01.x},{IN_V01.y}
新建合作社,专业合作社,蔬菜,,20,12,,{IN_V03.x},{IN_V03.y}
"""


def test_chinese_columns_and_labels_become_our_fields_and_codes() -> None:
    plan = plan_import("新点位.csv", CHINESE_CSV.encode("gbk"), "sites", BUNDLE, crs=WGS84)
    assert plan.errors == [], [p.message_zh for p in plan.errors]
    first, second = (f["properties"] for f in plan.features)
    assert first["name_zh"] == "新建花椒示范园" and first["kind"] == "demo_base"
    assert first["village_code"] == "V01"  # written as a name, resolved
    assert first["area_mu"] == 1200.0 and first["households"] == 35 and first["output_wan"] == 88.5
    assert second["kind"] == "cooperative" and second["village_code"] == "V03"  # from location
    assert [f["properties"]["site_id"] for f in plan.features] == ["S043", "S044"]  # S001 style
    codes = {p.code for p in plan.problems}
    assert {"link_by_name", "village_assigned", "id_generated"} <= codes
    assert all(p.severity == "info" for p in plan.problems)
    mapping = plan.mapping
    assert (
        mapping.columns["area_mu"] == "面积(亩)" and mapping.reasons["kind"].key == "xfer_map_label"
    )


def test_features_have_exactly_the_stored_shape() -> None:
    plan = plan_import("新点位.csv", CHINESE_CSV.encode(), "sites", BUNDLE, crs=WGS84)
    feature = plan.features[0]
    assert list(feature) == ["type", "properties", "geometry"]
    assert list(feature["properties"]) == SITES.field_names()
    assert feature["geometry"]["type"] == "Point"
    x, y = feature["geometry"]["coordinates"]
    assert (x, y) == (round(x, 7), round(y, 7)) and isinstance(
        feature["geometry"]["coordinates"], list
    )


def test_party_organisation_ids_follow_the_style_of_their_level() -> None:
    rows = [
        point_feature({"组织名称": "新党小组", "层级": "党小组", "上级组织": "B03", "党员数": 4},
                      IN_V03.x, IN_V03.y),
        point_feature({"组织名称": "新支部", "层级": "branch", "支部类别": "非公企业",
                       "上级组织": "乡党委", "党员数": 8}, IN_V03.x, IN_V03.y),
    ]  # fmt: skip
    plan = plan_import("orgs.geojson", geojson_bytes(rows), "party_orgs", BUNDLE)
    assert plan.errors == [], [p.message_en for p in plan.errors]
    group, branch = (f["properties"] for f in plan.features)
    assert group["org_id"].startswith("G") and len(group["org_id"]) == 3
    assert branch["org_id"] == "B11" and branch["parent_id"] == "P00"  # name -> id
    assert branch["branch_kind"] == "enterprise" and group["level"] == "group"
    assert group["village_code"] == "V03"  # no village column: from location
    assert branch["village_code"] is None  # an enterprise branch belongs to no village


def test_replaced_new_and_unchanged_features_and_their_base_versions() -> None:
    current = frame_features(BUNDLE.sites, SITES)
    changed = dict(current["S001"]["properties"], name_zh="改名后的基地")
    rows = [
        {"type": "Feature", "properties": changed, "geometry": current["S001"]["geometry"]},
        current["S002"],
        point_feature(
            {"name_zh": "新的", "kind": "market", "industry_zh": "综合"}, IN_V03.x, IN_V03.y
        ),
    ]
    plan = build_plan(read_upload("s.geojson", geojson_bytes(rows)), "sites", BUNDLE, crs=WGS84)
    assert (
        plan.replaced_ids == ["S001"]
        and plan.unchanged_ids == ["S002"]
        and plan.new_ids == ["S043"]
    )
    assert plan.base == {
        "S001": feature_version(current["S001"]),
        "S002": feature_version(current["S002"]),
        "S043": None,
    }
    change = plan.to_change_set("li.ming", "导入")
    assert [f["properties"]["site_id"] for f in change.upserts] == ["S001", "S043"]
    assert change.base == {"S001": feature_version(current["S001"]), "S043": None}


def test_unmapped_fields_of_a_replaced_feature_keep_their_values() -> None:
    data = f"site_id,name_zh,lon,lat\nS003,只改名称,{IN_V01.x},{IN_V01.y}\n".encode()
    plan = build_plan(read_upload("a.csv", data), "sites", BUNDLE, crs=WGS84)
    props = plan.features[0]["properties"]
    assert props["name_zh"] == "只改名称"
    assert props["kind"] == "wealth_project" and props["households"] == 107


def test_the_change_set_saves_through_the_editing_layer(sample_dir: Path) -> None:
    bundle = Store(sample_dir).load().bundle
    data = (
        f"名称,类型,产业,经度,纬度\n新建示范基地,示范基地,中药材,{IN_V03.x},{IN_V03.y}\n".encode()
    )
    plan = plan_import("a.csv", data, "sites", bundle, crs=WGS84)
    assert plan.ok
    save(sample_dir, plan.to_change_set("li.ming"))
    saved = Store(sample_dir).load().bundle.sites.set_index("site_id").loc["S043"]
    assert saved.name_zh == "新建示范基地" and saved.village_code == "V03"


def test_constants_and_value_maps_fill_what_the_file_lacks() -> None:
    data = f"市场名称,规模,x,y\n东关集市,大,{IN_V03.x},{IN_V03.y}\n".encode()
    raw = read_upload("a.csv", data)
    mapping = suggest_mapping(raw, "sites")
    mapping.columns["name_zh"] = "市场名称"
    mapping.constants.update(kind="集市", industry_zh="综合")
    mapping.value_maps["kind"] = {"集市": "market"}
    plan = build_plan(raw, "sites", BUNDLE, crs=WGS84, mapping=mapping)
    assert plan.ok and plan.features[0]["properties"]["kind"] == "market"
    assert "规模" in mapping.unused_columns(raw)


def test_invalid_polygons_are_refused_or_repaired_on_request() -> None:
    x, y = IN_V03.x, IN_V03.y
    d = 0.001
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]],
    }
    rows = [{"type": "Feature", "properties": {"name_zh": "自相交", "kind": "demo_base", "industry_zh": "a"},
             "geometry": bowtie}]  # fmt: skip
    raw = read_upload("bad.geojson", geojson_bytes(rows))
    refused = build_plan(raw, "sites", BUNDLE, crs=WGS84)
    assert refused.features == [] and refused.errors[0].fixable
    assert (
        "自动修复" in refused.errors[0].message_zh
        and "Self-intersection" in refused.errors[0].message_en
    )
    repaired = build_plan(raw, "sites", BUNDLE, crs=WGS84, repair_invalid=True)
    assert len(repaired.features) == 1 and repaired.warnings[0].code == "geometry_repaired"
    assert repaired.features[0]["geometry"]["type"] == "MultiPolygon"


def test_truncated_shapefile_names_without_our_name_map_still_map() -> None:
    import io
    import zipfile

    _, data = export_layer(BUNDLE, "villages", "shapefile")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith(".json"):
                dst.writestr(info, src.read(info))
    raw = read_upload("villages.zip", buffer.getvalue())
    assert "leading_in" in raw.columns
    mapping = suggest_mapping(raw, "villages")
    assert mapping.columns["leading_industry_zh"] == "leading_in"
    assert mapping.reasons["leading_industry_zh"].key == "xfer_map_truncated"
    plan = build_plan(raw, "villages", BUNDLE, crs=WGS84, mapping=mapping)
    assert sorted(plan.unchanged_ids) == [f"V0{i}" for i in range(1, 8)]


def test_progress_is_reported_in_order_and_in_the_chosen_language() -> None:
    calls: list[tuple[float, str]] = []
    plan_import("a.csv", CHINESE_CSV.encode(), "sites", BUNDLE, crs=WGS84,
                progress=lambda f, m: calls.append((f, m)), lang="en")  # fmt: skip
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] >= 0.0 and fractions[-1] == 1.0
    assert any("Checking attributes" in m for _, m in calls) and calls[-1][1] == "Done"


PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "`${document.cookie}`",
    "{{7*7}}",
    '=HYPERLINK("http://x")',
    "'; DROP TABLE sites; --",
    "\\u0000 & < > \" ' 上庄",
]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_script_and_template_payloads_come_through_as_literal_text(fmt: str) -> None:
    bundle = sample_bundle()
    for index, payload in enumerate(PAYLOADS):
        bundle.sites.loc[index, "name_zh"] = payload
        bundle.sites.loc[index, "note_zh"] = payload + " 备注"
    name, data = export_layer(bundle, "sites", fmt)
    plan = import_plan(name, data, "sites", bundle)
    got = {f["properties"]["site_id"]: f["properties"] for f in plan.features}
    for index, payload in enumerate(PAYLOADS):
        site = bundle.sites.iloc[index].site_id
        assert got[site]["name_zh"] == payload and got[site]["note_zh"] == payload + " 备注"
    assert len(plan.unchanged_ids) == len(bundle.sites)


def _folder_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    } | {"__entries__": ",".join(sorted(str(p.relative_to(folder)) for p in folder.rglob("*")))}


def test_importing_and_exporting_never_write_into_the_data_folder(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    before = _folder_digest(sample_dir)
    bundle = Store(sample_dir).load().bundle
    for fmt in EXPORT_FORMATS:
        for layer in SPATIAL:
            name, data = export_layer(bundle, layer, fmt)
            plan = import_plan(name, data, layer, bundle)
            plan.to_change_set("x")
        export_dataset(bundle, fmt)
    plan_import("a.csv", CHINESE_CSV.encode(), "sites", bundle, crs=WGS84)
    assert _folder_digest(sample_dir) == before
    assert list(private_tmp.iterdir()) == []  # every temporary folder was removed


def test_upload_layers_report_their_counts_and_types() -> None:
    _, data = export_layer(BUNDLE, "party_orgs", "kml")
    with Upload("orgs.kml", data) as upload:
        (layer,) = upload.layers
    assert (layer.format, layer.feature_count, layer.geometry_type) == ("kml", 32, "Point")


def test_suggested_crs_and_mapping_are_what_plan_import_uses() -> None:
    raw = read_upload("a.csv", CHINESE_CSV.encode())
    # Two new points, nothing matching the township's data, no label: WGS84, GCJ-02 and
    # BD-09 all put them inside, so the planner is asked (it used to be WGS84 silently) ...
    suggestion = suggest_crs(raw, BUNDLE)
    assert suggestion.choice is None and suggestion.reason.key == "xfer_crs_ask_nothing"
    with pytest.raises(TransferError) as caught:
        plan_import("a.csv", CHINESE_CSV.encode(), "sites", BUNDLE)
    assert caught.value.key == "xfer_crs_needed"  # ... and plan_import needs ``crs``
    assert isinstance(suggest_mapping(raw, "sites"), FieldMapping)


# --- the message table -------------------------------------------------------------------
_SOURCES = Path(transfer_pkg.__file__).parent
# The import and export tabs of the edit page draw their texts from the same table.
_UI_SOURCES = [
    _SOURCES.parent / "ui" / name
    for name in (
        "edit_import.py",
        "import_names.py",
        "edit_export.py",
        "import_indicators.py",
        "import_plans.py",
        "edit_photos.py",
        "photos.py",
        "setup_guide.py",
    )
    if (_SOURCES.parent / "ui" / name).exists()
]


def test_every_message_key_used_exists_and_every_text_is_used() -> None:
    files = [*_SOURCES.glob("*.py"), *_UI_SOURCES]
    code = "\n".join(p.read_text(encoding="utf-8") for p in files)
    used = set(re.findall(r"[\"'](xfer_[a-z0-9_]+)[\"']", code))
    prefixes = set(re.findall(r'f"(xfer_[a-z0-9_]+_)\{', code))
    assert used - set(TEXT) == set()
    unused = {k for k in TEXT if k not in used and not any(k.startswith(p) for p in prefixes)}
    assert unused == set()


@pytest.mark.parametrize("key", sorted(TEXT))
def test_chinese_and_english_texts_take_the_same_fields(key: str) -> None:
    zh, en = TEXT[key]
    fields_zh = {f.removesuffix("_zh") for f in re.findall(r"\{(\w+)", zh)}
    fields_en = {f.removesuffix("_en") for f in re.findall(r"\{(\w+)", en)}
    assert fields_zh == fields_en, key
    assert zh.strip() and en.strip()


def test_layer_labels_are_unique_so_label_headers_map_back() -> None:
    for layer in SPATIAL:
        spec = LAYERS_BY_NAME[layer]
        for lang in ("zh", "en"):
            labels = [f.label(lang) for f in spec.fields]
            assert len(labels) == len(set(labels)), (layer, lang)


def test_preview_frame_has_rows_and_statuses() -> None:
    current = frame_features(BUNDLE.sites, SITES)
    rows = [
        current["S002"],
        point_feature(
            {"name_zh": "新", "kind": "market", "industry_zh": "综合"}, IN_V03.x, IN_V03.y
        ),
    ]
    plan = build_plan(read_upload("s.geojson", geojson_bytes(rows)), "sites", BUNDLE, crs=WGS84)
    preview = plan.preview()
    assert list(preview["_status"]) == ["unchanged", "new"] and list(preview["_row"]) == [1, 2]
    assert (
        preview.crs.to_epsg() == 4326
        and list(preview.columns[: len(SITES.fields)]) == SITES.field_names()
    )


def test_ids_start_in_the_layers_style_when_the_layer_is_empty() -> None:
    bundle = sample_bundle()
    bundle.sites = bundle.sites.iloc[0:0]
    data = f"名称,类型,产业,经度,纬度\n甲,合作社,蔬菜,{IN_V03.x},{IN_V03.y}\n".encode()
    plan = plan_import("a.csv", data, "sites", bundle, crs=WGS84)
    assert [f["properties"]["site_id"] for f in plan.features] == ["S001"]


def test_export_warnings_name_what_a_format_cannot_hold() -> None:
    from township_atlas.transfer import export_warnings

    bundle = sample_bundle()
    bundle.sites.loc[0, "note_zh"] = "很长的说明" * 30  # 450 bytes in UTF-8
    bundle.sites.loc[1, "note_zh"] = "=SUM(A1:A9)"
    bundle.sites.loc[2, "note_zh"] = "bell\x07"
    assert any(
        n.key == "xfer_export_shp_truncated" for n in export_warnings(bundle, "sites", "shapefile")
    )
    assert any(
        n.key == "xfer_export_csv_apostrophe" for n in export_warnings(bundle, "sites", "csv")
    )
    assert any(n.key == "xfer_export_kml_replaced" for n in export_warnings(bundle, "sites", "kml"))
    assert export_warnings(bundle, "villages", "geojson") == []
    _, kml = export_layer(bundle, "sites", "kml")
    assert b"bell\xef\xbf\xbd" in kml  # U+FFFD: the document stays well-formed XML
