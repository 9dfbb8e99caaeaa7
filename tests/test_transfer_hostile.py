"""The hostile-input corpus: malformed, unsafe and misleading files. Every case is refused
(or its rows are) with a Chinese and an English message naming what is wrong and what to do.
All inputs are built here in code."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from township_atlas.transfer import (
    CoordinateColumns,
    CrsChoice,
    Limits,
    TransferError,
    UnreadableFile,
    UnsupportedFormat,
    Upload,
    UploadRefused,
    build_plan,
    read_upload,
)

from .test_transfer_support import (
    geojson_bytes,
    point_feature,
    sample_bundle,
    symlink_zip,
    zip_bytes,
)

BUNDLE = sample_bundle()
WGS84 = CrsChoice("wgs84")
IN_V03 = BUNDLE.villages.set_index("code").loc["V03"].geometry.representative_point()
X, Y = IN_V03.x, IN_V03.y
CJK = re.compile(r"[\u4e00-\u9fff]")

KML_HEAD = '<?xml version="1.0"?>\n'
PLACEMARK = (
    f"<Placemark><name>a</name><Point><coordinates>{X},{Y}</coordinates></Point></Placemark>"
)


def kml(body: str, head: str = KML_HEAD) -> bytes:
    return (
        head + f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{body}</Document></kml>'
    ).encode()


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&lol3;</name>
<Point><coordinates>105.7,35.97</coordinates></Point></Placemark></Document></kml>"""
XXE = """<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&x;</name></Placemark></Document></kml>"""
VRT = b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/http://example.invalid/x.shp</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'
SHP_FRAME = gpd.GeoDataFrame({"名称": ["a"]}, geometry=[shapely.Point(X, Y)], crs=4326)


def shapefile_members(tmp: Path) -> dict[str, bytes]:
    folder = tmp / "shp"
    folder.mkdir(exist_ok=True)
    SHP_FRAME.to_file(folder / "a.shp", engine="pyogrio")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def bomb() -> bytes:
    return zip_bytes({"a.csv": b"lon,lat\n" + b"0" * (30 * 1024 * 1024)})


def lying_sizes() -> bytes:
    """A zip whose headers claim 10 bytes for a member that inflates to 1 MB."""
    data = bytearray(zip_bytes({"a.csv": b"lon,lat\n" + b"1" * 1_000_000}))
    real = (1_000_008).to_bytes(4, "little")
    fake = (10).to_bytes(4, "little")
    return bytes(data.replace(real, fake))


def many_members() -> bytes:
    return zip_bytes({f"f{i}.txt": b"x" for i in range(3000)})


def xlsx_with_doctype() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["经度", "纬度"])
    buffer = io.BytesIO()
    book.save(buffer)
    src = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    members = {i.filename: src.read(i) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + sheet
    )
    return zip_bytes(members)


def sqlite_db(tmp: Path, gpkg_header: bool) -> bytes:
    path = tmp / "db.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("create table t (x)")
    data = bytearray(path.read_bytes())
    if gpkg_header:  # claims to be a GeoPackage but holds no GeoPackage tables
        data[68:72] = b"GPKG"
    return bytes(data)


Case = tuple[
    str,
    Callable[[Path], tuple[str, bytes]],
    type[TransferError],
    str,
    tuple[str, ...],
    Limits | None,
]

# (id, build -> (filename, bytes), error class, message key, words both messages contain, limits)
FILE_CASES: list[Case] = [
    ("empty-geojson", lambda t: ("a.geojson", b""), UnreadableFile, "xfer_empty_file", ("a.geojson",), None),
    ("blank-csv", lambda t: ("a.csv", b"  \r\n \n"), UnreadableFile, "xfer_empty_file", ("a.csv",), None),
    ("empty-zip", lambda t: ("a.zip", zip_bytes({})), UnreadableFile, "xfer_zip_no_data", ("a.zip",), None),
    ("truncated-json", lambda t: ("a.geojson", b'{"type":"FeatureCollection","features":[{"type":'),
     UnreadableFile, "xfer_json_malformed", ("a.geojson", "JSON"), None),
    ("json-not-geojson", lambda t: ("a.json", b'{"hello": 1}'), UnreadableFile, "xfer_not_geojson", ("GeoJSON",), None),
    ("esri-json", lambda t: ("a.json", b'{"geometryType":"esriGeometryPoint","features":[]}'),
     UnsupportedFormat, "xfer_esri_or_topojson", ("Esri",), None),
    ("topojson", lambda t: ("a.json", b'{"type":"Topology","objects":{}}'), UnsupportedFormat,
     "xfer_esri_or_topojson", ("TopoJSON",), None),
    ("geojson-linked-crs", lambda t: ("a.geojson", json.dumps({"type": "FeatureCollection", "features": [],
     "crs": {"type": "link", "properties": {"href": "http://example.invalid/crs"}}}).encode()),
     UploadRefused, "xfer_geojson_linked_crs", ("crs",), None),
    ("malformed-kml", lambda t: ("a.kml", b"<kml><Document><Placemark></Document></kml>"), UnreadableFile,
     "xfer_xml_malformed", ("a.kml", "XML"), None),
    ("kml-billion-laughs", lambda t: ("a.kml", BILLION_LAUGHS.encode()), UploadRefused, "xfer_xml_dtd", ("DTD",), None),
    ("kml-external-entity", lambda t: ("a.kml", XXE.encode()), UploadRefused, "xfer_xml_dtd", ("DOCTYPE",), None),
    ("kml-network-link", lambda t: ("a.kml", kml("<NetworkLink><Link><href>http://example.invalid/a.kml</href>"
     "</Link></NetworkLink>")), UploadRefused, "xfer_kml_network_link", ("NetworkLink",), None),
    ("kml-remote-overlay", lambda t: ("a.kml", kml(PLACEMARK + "<GroundOverlay><Icon><href>https://example.invalid/"
     "x.png</href></Icon></GroundOverlay>")), UploadRefused, "xfer_kml_remote_href",
     ("https://example.invalid/x.png",), None),
    ("kml-local-file-href", lambda t: ("a.kml", kml(PLACEMARK + "<ScreenOverlay><Icon><href>file:///etc/passwd"
     "</href></Icon></ScreenOverlay>")), UploadRefused, "xfer_kml_remote_href", ("file:///etc/passwd",), None),
    ("kmz-network-link", lambda t: ("a.kmz", zip_bytes({"doc.kml": kml("<NetworkLink><Link><href>x.kml</href>"
     "</Link></NetworkLink>")})), UploadRefused, "xfer_kml_network_link", ("NetworkLink",), None),
    ("vrt-file", lambda t: ("a.vrt", VRT), UploadRefused, "xfer_vrt", ("VRT",), None),
    ("vrt-named-geojson", lambda t: ("a.geojson", VRT), UploadRefused, "xfer_vrt", ("VRT",), None),
    ("vrt-in-zip", lambda t: ("a.zip", zip_bytes({"layer.vrt": VRT, "a.csv": b"lon,lat\n1,2\n"})), UploadRefused,
     "xfer_vrt", ("layer.vrt",), None),
    ("vsicurl-text", lambda t: ("a.csv", b"/vsicurl/http://example.invalid/data.shp"), UploadRefused,
     "xfer_remote_path", ("a.csv",), None),
    ("url-as-geojson", lambda t: ("a.geojson", b"https://example.invalid/data.geojson"), UploadRefused,
     "xfer_remote_path", ("a.geojson",), None),
    ("png-named-geojson", lambda t: ("photo.geojson", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), UnsupportedFormat,
     "xfer_unknown_binary", (".geojson",), None),
    ("word-named-kml", lambda t: ("a.kml", b"just some text, not xml"), UnreadableFile,
     "xfer_content_not_format", (".kml",), None),
    ("unknown-extension", lambda t: ("a.dwg", b"AC1027 drawing"), UnsupportedFormat, "xfer_unknown_format",
     (".dwg",), None),
    ("old-excel-truncated", lambda t: ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
     UnreadableFile, "xfer_xls_damaged", ("a.xls", ".xlsx"), None),
    ("lone-shp", lambda t: ("村界.shp", b"\x00\x00\x27\x0a" + b"\x00" * 96), UnsupportedFormat,
     "xfer_shapefile_not_zipped", (".dbf", "zip"), None),
    ("gpx", lambda t: ("track.gpx", b'<?xml version="1.0"?><gpx version="1.1"></gpx>'), UnsupportedFormat,
     "xfer_gpx", ("GPX", "KML"), None),
    ("other-xml", lambda t: ("a.kml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"), UnsupportedFormat,
     "xfer_unknown_xml", ("svg",), None),
    ("truncated-zip", lambda t: ("a.zip", zip_bytes({"a.csv": b"lon,lat\n1,2\n" * 50})[:-30]), UnreadableFile,
     "xfer_zip_damaged", ("a.zip", "zip"), None),
    ("zip-bomb", lambda t: ("a.zip", bomb()), UploadRefused, "xfer_zip_bomb", ("a.csv",), None),
    ("zip-too-large-unpacked", lambda t: ("a.zip", zip_bytes({"a.csv": b"x" * 300_000})), UploadRefused,
     "xfer_zip_too_large", ("a.zip",), Limits(max_uncompressed_bytes=100_000)),
    ("zip-lying-sizes", lambda t: ("a.zip", lying_sizes()), UnreadableFile, "xfer_zip_member_damaged",
     ("a.csv",), None),
    ("zip-dotdot", lambda t: ("a.zip", zip_bytes({"../../evil.csv": b"lon,lat\n1,2\n"})), UploadRefused,
     "xfer_zip_traversal", ("../../evil.csv",), None),
    ("zip-dotdot-backslash", lambda t: ("a.zip", zip_bytes({"data\\..\\..\\evil.csv": b"x"})), UploadRefused,
     "xfer_zip_traversal", ("evil.csv",), None),
    ("zip-absolute", lambda t: ("a.zip", zip_bytes({"/etc/cron.d/evil": b"x"})), UploadRefused,
     "xfer_zip_absolute", ("/etc/cron.d/evil",), None),
    ("zip-windows-absolute", lambda t: ("a.zip", zip_bytes({"C:/Windows/evil.csv": b"x"})), UploadRefused,
     "xfer_zip_absolute", ("C:/Windows/evil.csv",), None),
    ("zip-symlink", lambda t: ("a.zip", symlink_zip("link.csv", "/etc/passwd")), UploadRefused,
     "xfer_zip_symlink", ("link.csv",), None),
    ("zip-thousands-of-members", lambda t: ("a.zip", many_members()), UploadRefused,
     "xfer_zip_too_many_members", ("3000",), None),
    ("zip-nested", lambda t: ("a.zip", zip_bytes({"inner.zip": zip_bytes({"a.csv": b"x"})})), UploadRefused,
     "xfer_zip_nested", ("inner.zip",), None),
    ("zip-nested-disguised", lambda t: ("a.zip", zip_bytes({"data.csv": zip_bytes({"a.csv": b"x"})})),
     UploadRefused, "xfer_zip_nested", ("data.csv",), None),
    ("zip-duplicate-names", lambda t: ("a.zip", zip_bytes({"A.csv": b"lon,lat\n1,2\n", "a.CSV": b"lon,lat\n1,2\n"})),
     UploadRefused, "xfer_zip_duplicate", ("a.CSV",), None),
    ("zip-without-data", lambda t: ("a.zip", zip_bytes({"readme.txt": b"hi", "photo.jpg": b"\xff\xd8"})),
     UnreadableFile, "xfer_zip_no_data", ("readme.txt",), None),
    ("shapefile-without-dbf", lambda t: ("a.zip", zip_bytes({k: v for k, v in shapefile_members(t).items()
     if not k.endswith(".dbf")})), UnreadableFile, "xfer_shapefile_incomplete", (".dbf",), None),
    ("shapefile-bad-header", lambda t: ("a.zip", zip_bytes({**shapefile_members(t), "a.shp": b"not a shapefile"})),
     UnreadableFile, "xfer_shp_damaged", ("a.shp",), None),
    ("oversize-upload", lambda t: ("a.geojson", b" " * 2000 + b"{}"), UploadRefused, "xfer_upload_too_large",
     ("a.geojson", "MB"), Limits(max_upload_bytes=1000)),
    ("sqlite-not-gpkg", lambda t: ("a.gpkg", sqlite_db(t, False)), UnsupportedFormat, "xfer_sqlite_not_gpkg",
     ("GeoPackage",), None),
    ("gpkg-without-tables", lambda t: ("a.gpkg", sqlite_db(t, True)), UnreadableFile, "xfer_gdal_unreadable",
     ("a.gpkg", "QGIS"), None),
    ("xlsx-damaged", lambda t: ("a.xlsx", zip_bytes({"[Content_Types].xml": b"<Types/>"})), UnreadableFile,
     "xfer_xlsx_damaged", ("a.xlsx", "Excel"), None),
    ("xlsx-with-doctype", lambda t: ("a.xlsx", xlsx_with_doctype()), UploadRefused, "xfer_xml_dtd",
     ("sheet1.xml",), None),
    ("too-many-features", lambda t: ("a.geojson", geojson_bytes([point_feature({}, X, Y)] * 20)), UploadRefused,
     "xfer_too_many_features", ("10",), Limits(max_features=10)),
]  # fmt: skip

# Reading succeeds as a file but fails for this layer/choice.
READ_CASES: list[tuple[str, str, bytes, dict, str, tuple[str, ...]]] = [
    ("csv-without-coordinates", "a.csv", "名称,地址\n上庄基地,上庄村\n".encode(), {}, "xfer_no_coordinate_columns",
     ("名称", "地址")),
    ("csv-gbk-utf8-mix", "a.csv", "名称,经度,纬度\n".encode() + "上庄,105.7,35.97\n".encode("gbk") +
     "下庄,105.7,35.97\n".encode() + "中庄,105.7,35.97\n".encode("gbk"), {}, "xfer_encoding_mixed",
     ("UTF-8", "GBK")),
    ("gbk-read-as-utf8", "a.csv", "名称,经度,纬度\n上庄,105.7,35.97\n".encode("gbk"), {"encoding": "utf-8"},
     "xfer_encoding_wrong", ("UTF-8", "GBK")),
    ("unknown-encoding", "a.csv", b"lon,lat\n1,2\n", {"encoding": "klingon"}, "xfer_encoding_unknown", ("klingon",)),
    ("header-only-csv", "a.csv", "名称,经度,纬度\n".encode(), {}, "xfer_layer_empty", ("a.csv",)),
    ("empty-collection", "a.geojson", b'{"type":"FeatureCollection","features":[]}', {}, "xfer_layer_empty", ()),
    ("unknown-column", "a.csv", b"lon,lat\n1,2\n", {"coordinates": CoordinateColumns("east", "north")}, "xfer_column_unknown", ("east",)),
]  # fmt: skip


def _assert_message(error: TransferError, key: str, words: tuple[str, ...]) -> None:
    assert error.key == key, (error.key, error.message_en)
    assert CJK.search(error.message_zh), error.message_zh
    assert re.search(r"[A-Za-z]{3,}", error.message_en), error.message_en
    for word in words:
        assert word in error.message_zh and word in error.message_en, (
            word,
            error.message_zh,
            error.message_en,
        )


@pytest.mark.parametrize(
    ("case", "build", "kind", "key", "words", "limits"), FILE_CASES, ids=[c[0] for c in FILE_CASES]
)
def test_hostile_files_are_refused_with_a_clear_message(
    tmp_path, case, build, kind, key, words, limits
) -> None:
    name, data = build(tmp_path)
    with pytest.raises(kind) as info, Upload(name, data, limits=limits or Limits()) as upload:
        upload.read(upload.layers[0].key)
    _assert_message(info.value, key, words)


@pytest.mark.parametrize(
    ("case", "name", "data", "kwargs", "key", "words"), READ_CASES, ids=[c[0] for c in READ_CASES]
)
def test_unreadable_layers_are_refused_with_a_clear_message(
    case, name, data, kwargs, key, words
) -> None:
    with pytest.raises(TransferError) as info:
        read_upload(name, data, **kwargs)
    _assert_message(info.value, key, words)


def _site(x: float = X, y: float = Y, **props) -> dict:
    return point_feature(
        {"name_zh": "点", "kind": "demo_base", "industry_zh": "花椒", **props}, x, y
    )


def _geom(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "properties": {"name_zh": "面", "kind": "demo_base", "industry_zh": "花椒", **props},
            "geometry": geometry}  # fmt: skip


SQUARE = [[X, Y], [X + 0.001, Y], [X + 0.001, Y + 0.001], [X, Y + 0.001], [X, Y]]
ROW_CASES: list[tuple[str, str, list[dict], str, str, tuple[str, ...]]] = [
    ("nan-coordinates", "sites", [_site(float("nan"), float("nan"))], "coordinates_not_finite", "geometry", ("NaN",)),
    ("infinite-coordinates", "sites", [_site(float("inf"), Y)], "coordinates_not_finite", "geometry", ("NaN",)),
    ("absurd-coordinates", "sites", [_site(), _site(1e300, -1e300)], "coordinates_not_lonlat", "geometry", ("1e+300",)),
    ("null-geometry", "sites", [_geom(None)], "geometry_missing", "geometry", ()),
    ("empty-geometry", "sites", [_geom({"type": "Polygon", "coordinates": []})], "geometry_missing", "geometry", ()),
    ("unreadable-geometry", "sites", [_geom({"type": "Point", "coordinates": ["a", "b"]})], "geometry_unreadable",
     "geometry", ()),
    ("unknown-geometry-type", "sites", [_geom({"type": "Circle", "coordinates": [X, Y]})], "geometry_unreadable",
     "geometry", ("Circle",)),
    ("huge-geometry", "sites", [_geom({"type": "LineString", "coordinates": [[X + i * 1e-6, Y] for i in range(300_001)]})],
     "geometry_too_large", "geometry", ("300001",)),
    ("world-sized-polygon", "sites", [_geom({"type": "Polygon", "coordinates": [[[-170, -80], [170, -80], [170, 80],
     [-170, 80], [-170, -80]]]})], "outside_township", "geometry", ()),
    ("self-intersecting", "sites", [_geom({"type": "Polygon", "coordinates": [[[X, Y], [X + 0.001, Y + 0.001],
     [X + 0.001, Y], [X, Y + 0.001], [X, Y]]]})], "geometry_invalid", "geometry", ("Self-intersection",)),
    ("ring-too-short", "villages", [_geom({"type": "Polygon", "coordinates": [[[X, Y], [X + 0.001, Y], [X, Y]]]})],
     "geometry_invalid", "geometry", ("Too few points", "QGIS")),
    ("outside-township", "sites", [_site(116.39, 39.91)], "outside_township", "geometry", ("GCJ-02",)),
    ("mixed-crs-row", "sites", [_site(), _site(36_512_345.0, 3_981_234.0)], "coordinates_not_lonlat", "geometry",
     ("3.65123e+07",)),
    ("wrong-geometry-type", "party_orgs", [_geom({"type": "Polygon", "coordinates": [SQUARE]}, level="group",
     members=3)], "geometry_type", "geometry", ("Polygon", "Point")),
    ("line-into-sites", "sites", [_geom({"type": "LineString", "coordinates": SQUARE[:2]})], "geometry_type",
     "geometry", ("LineString",)),
    ("duplicate-ids", "sites", [_site(site_id="S900"), _site(site_id="S900")], "duplicate_id", "site_id", ("S900",)),
    ("broken-village-link", "sites", [_site(village_code="V99")], "link", "village_code", ("V99",)),
    ("broken-parent-link", "party_orgs", [point_feature({"name_zh": "组", "level": "group", "members": 2,
     "parent_id": "B99"}, X, Y)], "link", "parent_id", ("B99",)),
    ("broken-site-link", "party_orgs", [point_feature({"name_zh": "组", "level": "group", "members": 2,
     "parent_id": "B03", "site_id": "S999"}, X, Y)], "link", "site_id", ("S999",)),
    ("value-not-allowed", "sites", [_site(kind="银行")], "allowed", "kind", ("银行", "demo_base")),
    ("out-of-range", "party_orgs", [point_feature({"name_zh": "组", "level": "group", "members": -5}, X, Y)],
     "range", "members", ("-5",)),
    ("not-a-number", "sites", [_site(households="很多")], "type", "households", ("很多",)),
    ("required-missing", "sites", [_site(name_zh="  ")], "required", "name_zh", ("name_zh",)),
    ("village-mismatch", "sites", [_site(village_code="V01")], "village_mismatch", "village_code", ("V01", "V03")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "layer", "rows", "code", "field", "words"), ROW_CASES, ids=[c[0] for c in ROW_CASES]
)
def test_hostile_rows_are_left_out_with_a_clear_message(
    case, layer, rows, code, field, words
) -> None:
    raw = read_upload("rows.geojson", geojson_bytes(rows))  # json writes NaN/Infinity as-is
    plan = build_plan(raw, layer, BUNDLE, crs=WGS84)
    problem = next((p for p in plan.errors if p.code == code and p.row == len(rows)), None)
    assert problem is not None, [p.message_en for p in plan.problems]
    assert problem.field == field
    assert problem.message_zh.startswith(f"第 {problem.row} 个要素") and CJK.search(
        problem.message_zh
    )
    assert problem.message_en.startswith(f"Feature {problem.row}:")
    for word in words:
        assert word in problem.message_zh and word in problem.message_en, (word, problem.message_en)
    assert problem.row in plan.rejected_rows and len(plan.features) == len(rows) - len(
        plan.rejected_rows
    )


def test_a_wrong_coordinate_system_is_named_for_the_whole_plan() -> None:
    import pyproj

    forward = pyproj.Transformer.from_crs(4326, 4523, always_xy=True)
    x, y = forward.transform([X, X + 0.001], [Y, Y])
    rows = [_site(float(a), float(b)) for a, b in zip(x, y, strict=True)]
    plan = build_plan(read_upload("gk.geojson", geojson_bytes(rows)), "sites", BUNDLE, crs=WGS84)
    assert {p.code for p in plan.errors} == {"coordinates_not_lonlat"}  # not also "no village"
    gcj = build_plan(
        read_upload("p.geojson", geojson_bytes([_site(X + 0.3, Y)] * 3)), "sites", BUNDLE, crs=WGS84
    )
    assert any(n.key == "xfer_plan_mostly_outside" for n in gcj.notes)


def test_importing_into_a_table_is_refused() -> None:
    raw = read_upload("a.geojson", geojson_bytes([_site()]))
    with pytest.raises(TransferError) as info:
        build_plan(raw, "indicators", BUNDLE, crs=WGS84)
    _assert_message(info.value, "xfer_layer_not_importable", ("indicators",))


def test_hostile_corpus_is_large_enough() -> None:
    assert len(FILE_CASES) + len(READ_CASES) + len(ROW_CASES) >= 40
