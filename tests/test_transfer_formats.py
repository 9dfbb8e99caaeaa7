"""Reading the formats planners bring: Shapefiles in GBK or UTF-8 (with and without .cpg,
with a language-driver byte), KML and KMZ from field apps, CSV in UTF-8 and GBK, XLSX,
GeoPackages with several layers; and the GDAL lock-down."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import openpyxl
import pyogrio
import pytest
import shapely

from township_atlas.transfer import (
    GDAL_OPTIONS,
    CoordinateColumns,
    LayerChoiceNeeded,
    UnreadableFile,
    Upload,
    lock_down_gdal,
    read_upload,
    suggest_mapping,
)

from .test_transfer_support import shapefile_zip, zip_bytes

NAMES = ["上庄肉牛示范基地", "河湾村蔬菜合作社", "东岭花椒致富项目"]
POINTS = [shapely.Point(105.69, 35.97), shapely.Point(105.70, 35.975), shapely.Point(105.71, 35.98)]


def chinese_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"名称": NAMES, "类型": ["示范基地", "合作社", "致富项目"], "户数": [10, 20, 30]},
        geometry=POINTS,
        crs=4326,
    )


@pytest.mark.parametrize(
    ("encoding", "cpg", "ldid", "used", "source"),
    [
        ("GBK", False, None, "GB18030", "detected"),  # the common case: GBK, no .cpg
        ("GBK", True, None, "GBK", "cpg"),
        ("GBK", False, 0x4D, "CP936", "ldid"),  # language driver 0x4D = GBK
        ("GBK", False, 0x57, "GB18030", "detected"),  # 0x57 "ANSI" is not trusted
        ("UTF-8", False, None, "UTF-8", "detected"),
        ("UTF-8", True, None, "UTF-8", "cpg"),
    ],
)
def test_shapefile_text_decodes_in_every_encoding_case(
    tmp_path: Path, encoding: str, cpg: bool, ldid: int | None, used: str, source: str
) -> None:
    data = shapefile_zip(tmp_path, chinese_frame(), encoding=encoding, cpg=cpg, ldid=ldid)
    raw = read_upload("村界.zip", data)
    assert raw.columns == ["名称", "类型", "户数"]
    assert raw.values("名称") == NAMES
    assert raw.encoding is not None
    assert (raw.encoding.codec, raw.encoding.source) == (used, source)
    assert used in raw.encoding.reason.message_zh or raw.encoding.source == "cpg"


def test_caller_can_override_the_shapefile_encoding(tmp_path: Path) -> None:
    data = shapefile_zip(tmp_path, chinese_frame(), encoding="GBK", cpg=True)
    with Upload("data.zip", data) as upload:
        wrong = upload.read(encoding="latin-1")
        right = upload.read(encoding="gbk")
    assert wrong.values("名称") != NAMES if "名称" in wrong.columns else True
    assert right.values("名称") == NAMES and right.encoding.source == "caller"


def test_chinese_columns_of_a_shapefile_map_to_our_fields(tmp_path: Path) -> None:
    raw = read_upload(
        "data.zip", shapefile_zip(tmp_path, chinese_frame(), encoding="GBK", cpg=False)
    )
    mapping = suggest_mapping(raw, "sites")
    assert mapping.columns["name_zh"] == "名称"
    assert mapping.columns["kind"] == "类型"
    assert mapping.columns["households"] == "户数"


def test_zip_member_names_in_gbk_are_decoded(tmp_path: Path) -> None:
    import zipfile

    inner = shapefile_zip(tmp_path, chinese_frame())
    members = {}
    with zipfile.ZipFile(io.BytesIO(inner)) as zf:
        for info in zf.infolist():
            members["村界" + info.filename[4:]] = zf.read(info)

    class GbkName(zipfile.ZipInfo):
        """What zip tools on Chinese Windows write: GBK names, no UTF-8 flag."""

        def _encodeFilenameFlags(self) -> tuple[bytes, int]:
            return self.filename.encode("gbk"), self.flag_bits

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, blob in members.items():
            zf.writestr(GbkName(name), blob)
    with Upload("村界.zip", buffer.getvalue()) as upload:
        assert [sl.key for sl in upload.layers] == ["村界.shp"]


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>两步路导出</name>
 <Style id="s"><IconStyle><Icon><href>http://maps.google.com/mapfiles/kml/pushpin/red.png</href></Icon></IconStyle></Style>
 <Folder><name>点位</name>
  <Placemark><name>上庄肉牛示范基地</name><description>&lt;b&gt;备注&lt;/b&gt;</description>
   <ExtendedData><Data name="类型"><value>示范基地</value></Data></ExtendedData>
   <Point><coordinates>105.69,35.97,1520</coordinates></Point></Placemark>
  <Placemark><name>河湾合作社</name><Point><coordinates> 105.70,35.975 </coordinates></Point></Placemark>
 </Folder>
 <Folder><name>边界</name>
  <Placemark><name>地块</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
   105.69,35.97 105.70,35.97 105.70,35.98 105.69,35.97</coordinates></LinearRing></outerBoundaryIs>
   <innerBoundaryIs><LinearRing><coordinates>105.692,35.972 105.695,35.972 105.695,35.974 105.692,35.972
   </coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
  <Placemark><name>轨迹</name><gx:Track><gx:coord>105.69 35.97 0</gx:coord><gx:coord>105.70 35.98 0</gx:coord></gx:Track></Placemark>
 </Folder>
</Document></kml>"""


def test_kml_folders_are_layers_with_names_extended_data_and_2d_geometry() -> None:
    with Upload("导出.kml", KML.encode()) as upload:
        layers = {sl.name.split(" › ")[-1]: sl for sl in upload.layers}
        assert set(layers) == {"两步路导出 / 点位", "两步路导出 / 边界"}
        assert layers["两步路导出 / 点位"].feature_count == 2
        points = upload.read(layers["两步路导出 / 点位"].key)
        shapes = upload.read(layers["两步路导出 / 边界"].key)
    assert points.values("name") == ["上庄肉牛示范基地", "河湾合作社"]
    assert points.values("类型") == ["示范基地", None]
    assert points.values("description")[0] == "<b>备注</b>"
    assert points.declared_crs == "EPSG:4326"
    assert [g.geom_type for g in shapes.geometries] == ["Polygon", "LineString"]
    assert len(shapes.geometries[0].interiors) == 1
    assert any(n.key == "xfer_kml_icons_ignored" for n in points.notes)


def test_kmz_is_read_like_its_kml() -> None:
    data = zip_bytes({"doc.kml": KML.encode(), "files/icon.png": b"\x89PNG\r\n\x1a\n"})
    with Upload("导出.kmz", data) as upload:
        assert len(upload.layers) == 2
        raw = upload.read(upload.layers[0].key)
    assert raw.values("name")[0] == "上庄肉牛示范基地"


def test_kml_declaring_gbk_is_recoded() -> None:
    text = KML.replace('encoding="UTF-8"', 'encoding="GBK"')
    with Upload("gbk.kml", text.encode("gbk")) as upload:
        raw = upload.read(upload.layers[0].key)
    assert raw.values("name")[0] == "上庄肉牛示范基地"


CSV_TEXT = (
    "名称,类型,经度,纬度\n上庄肉牛示范基地,示范基地,105.69,35.97\n河湾合作社,合作社,105.70,35.975\n"
)


@pytest.mark.parametrize(
    ("encoded", "codec"),
    [
        (CSV_TEXT.encode("utf-8"), "UTF-8"),
        (CSV_TEXT.encode("utf-8-sig"), "UTF-8-SIG"),
        (CSV_TEXT.encode("gbk"), "GB18030"),
        (CSV_TEXT.encode("utf-16"), "UTF-16"),
        (CSV_TEXT.replace(",", ";").encode("utf-8"), "UTF-8"),
        (CSV_TEXT.replace(",", "\t").encode("gbk"), "GB18030"),
    ],
)
def test_csv_in_utf8_bom_gbk_utf16_and_other_delimiters(encoded: bytes, codec: str) -> None:
    raw = read_upload("点位.csv", encoded)
    assert raw.encoding.codec == codec
    assert raw.values("名称") == ["上庄肉牛示范基地", "河湾合作社"]
    assert raw.coordinates == CoordinateColumns("经度", "纬度", None)
    assert [(g.x, g.y) for g in raw.geometries] == [(105.69, 35.97), (105.70, 35.975)]
    assert raw.row_numbers == [2, 3]


@pytest.mark.parametrize(
    ("lon", "lat"),
    [("lng", "lat"), ("Longitude", "Latitude"), ("X", "Y"), ("经度(°)", "纬度(°)"),
     ("gcj_lng", "gcj_lat"), ("POINT_X", "POINT_Y"), ("东经", "北纬")],
)  # fmt: skip
def test_common_coordinate_column_names_are_recognised(lon: str, lat: str) -> None:
    raw = read_upload("a.csv", f"name,{lon},{lat}\na,105.69,35.97\n".encode())
    assert (raw.coordinates.lon, raw.coordinates.lat) == (lon, lat)


def test_degrees_minutes_seconds_and_full_width_digits_are_read() -> None:
    data = "名称,经度,纬度\na,105°41'24\"E,35°58'12\"N\nb,１０５．６９,３５．９７\nc,105度41分24秒,35度58分12秒\n"
    raw = read_upload("a.csv", data.encode())
    xy = [(round(g.x, 6), round(g.y, 6)) for g in raw.geometries]
    assert xy == [(105.69, 35.97), (105.69, 35.97), (105.69, 35.97)]


def test_caller_chooses_coordinate_columns_and_wkt_columns_are_found() -> None:
    data = 'name,e,n,shape\na,105.69,35.97,\nb,,,"POLYGON ((105.69 35.97, 105.7 35.97, 105.7 35.98, 105.69 35.97))"\n'
    raw = read_upload("a.csv", data.encode(), coordinates=CoordinateColumns("e", "n", "shape"))
    assert [g.geom_type for g in raw.geometries] == ["Point", "Polygon"]
    auto = read_upload("a.csv", data.encode())
    assert auto.coordinates.wkt == "shape"


def test_xlsx_is_read_without_evaluating_formulas(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "点位"
    sheet.append(["乡村点位表"])  # a title row above the header is common
    sheet.append([])
    sheet.append(["名称", "经度", "纬度", "公式"])
    sheet.append(["上庄肉牛示范基地", 105.69, 35.97, "=1+1"])
    sheet["D4"] = '=HYPERLINK("http://example.invalid","x")'
    book.create_sheet("说明").append(["这里没有数据"])
    buffer = io.BytesIO()
    book.save(buffer)
    with Upload("点位.xlsx", buffer.getvalue()) as upload:
        assert [sl.name.split(" › ")[-1] for sl in upload.layers] == ["点位", "说明"]
        with pytest.raises(UnreadableFile) as info:  # a sheet of notes: no coordinates
            upload.read(upload.layers[1].key)
        assert info.value.key in (
            "xfer_no_coordinate_columns",
            "xfer_layer_empty",
            "xfer_table_no_header",
        )
        raw = upload.read(upload.layers[0].key)  # the title row above the header is skipped
    assert raw.columns == ["名称", "公式"] and raw.row_numbers == [4]
    assert raw.values("名称") == ["上庄肉牛示范基地"]
    assert raw.records[0]["公式"] is None  # formulas are never evaluated (no cached value)
    assert (raw.geometries[0].x, raw.geometries[0].y) == (105.69, 35.97)


def test_geopackage_layers_are_listed_and_one_must_be_chosen(tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    chinese_frame().to_file(path, layer="点位", engine="pyogrio")
    chinese_frame().iloc[:1].to_file(path, layer="其他", engine="pyogrio")
    data = path.read_bytes()
    with Upload("two.gpkg", data) as upload:
        assert sorted((sl.name.split(" › ")[-1], sl.feature_count) for sl in upload.layers) == [
            ("其他", 1),
            ("点位", 3),
        ]
        with pytest.raises(LayerChoiceNeeded) as info:
            upload.read()
        assert "点位" in info.value.message_zh
        raw = upload.read("two.gpkg::点位")
    assert raw.values("名称") == NAMES and raw.declared_crs == "EPSG:4326"


def test_upload_temp_folder_is_private_and_removed(tmp_path: Path) -> None:
    data = shapefile_zip(tmp_path, chinese_frame())
    upload = Upload("a.zip", data)
    folder = upload._dir
    assert folder is not None and folder.exists() and (folder.stat().st_mode & 0o077) == 0
    upload.close()
    assert not folder.exists()


def test_gdal_is_kept_off_the_network() -> None:
    lock_down_gdal()
    for key, value in GDAL_OPTIONS.items():
        got = pyogrio.get_gdal_config_option(key)  # pyogrio turns "NO"/"TRUE"/"1" into Python
        assert got == {"NO": False, "TRUE": True}.get(value, value) or str(got) == value, key
    with pytest.raises(Exception):  # noqa: B017 - any failure is fine, as long as it is quick
        pyogrio.read_info("/vsicurl/http://127.0.0.1:9/x.geojson")
