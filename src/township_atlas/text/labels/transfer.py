"""Texts of importing and exporting files, in Chinese and English (merged into labels.TEXT).

Keys start with ``xfer_``. Messages about a problem say what is wrong and what to do;
``{name}``-style fields are filled by ``township_atlas.transfer.messages.text``.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # --- upload: size, format ---
    "xfer_upload_too_large": (
        "文件 {name} 有 {size_mb} MB,超过上传上限 {limit_mb} MB。请只导出需要的图层,或压缩后再上传。",
        "{name} is {size_mb} MB, above the upload limit of {limit_mb} MB. Export only the "
        "layer you need, or zip it, and upload again.",
    ),
    "xfer_empty_file": (
        "文件 {name} 是空的(没有内容)。请检查导出是否成功,重新导出后再上传。",
        "{name} is empty. Check that the export worked, export again and upload the new file.",
    ),
    "xfer_unknown_format": (
        "无法识别文件 {name} 的格式(扩展名 {ext})。支持:压缩的 Shapefile(.zip)、KML/KMZ、"
        "GeoPackage(.gpkg)、GeoJSON、带经纬度列的 CSV 或 Excel(.xlsx)。请另存为其中一种。",
        "{name} (extension {ext}) is not a format we can read. Supported: zipped Shapefile "
        "(.zip), KML/KMZ, GeoPackage (.gpkg), GeoJSON, CSV or Excel (.xlsx) with "
        "longitude/latitude columns. Save it as one of these.",
    ),
    "xfer_unknown_binary": (
        "文件 {name}(扩展名 {ext})是无法识别的二进制文件,不是支持的地理数据格式。"
        "请在原软件中导出为 Shapefile(压缩为 zip)、KML、GeoPackage、GeoJSON、CSV 或 Excel。",
        "{name} (extension {ext}) is a binary file we do not recognise. Export it from its "
        "program as a zipped Shapefile, KML, GeoPackage, GeoJSON, CSV or Excel file.",
    ),
    "xfer_content_not_format": (
        "文件 {name} 的扩展名是 {ext},但内容不是这种格式(文件可能已损坏或被改了扩展名)。"
        "请从原软件重新导出。",
        "{name} is named {ext} but its content is not in that format (the file may be "
        "damaged or renamed). Export it again from its program.",
    ),
    "xfer_extension_mismatch": (
        "文件 {name} 的扩展名与内容不符,已按内容识别为 {format} 读取。",
        "The name of {name} does not match its content; it was read as {format}.",
    ),
    "xfer_shapefile_not_zipped": (
        "{name} 只是 Shapefile 的一部分:Shapefile 由 .shp、.shx、.dbf、.prj(及 .cpg)等多个文件组成。"
        "请把这些同名文件一起压缩成一个 zip 再上传。",
        "{name} is only one part of a Shapefile, which consists of .shp, .shx, .dbf, .prj "
        "(and .cpg) files. Put all files of the same name into one zip and upload that.",
    ),
    "xfer_sqlite_not_gpkg": (
        "{name} 是 SQLite 数据库,但不是 GeoPackage。请在 QGIS 中导出为 GeoPackage(.gpkg)后再上传。",
        "{name} is an SQLite database but not a GeoPackage. Export it as a GeoPackage "
        "(.gpkg) from QGIS and upload that.",
    ),
    "xfer_gpx": (
        "{name} 是 GPX 轨迹文件,暂不支持。请在两步路、奥维等软件中导出为 KML/KMZ 后再上传。",
        "{name} is a GPX track, which is not supported. Export it as KML/KMZ from the "
        "field app (两步路, 奥维 …) and upload that.",
    ),
    "xfer_unknown_xml": (
        "{name} 是 XML 文件(根元素 {root}),但不是 KML。请导出为 KML/KMZ 或其他支持的格式。",
        "{name} is XML (root element {root}) but not KML. Export it as KML/KMZ or another "
        "supported format.",
    ),
    "xfer_esri_or_topojson": (
        "{name} 是 Esri JSON 或 TopoJSON,不是标准 GeoJSON。请在 QGIS 或 ArcGIS 中导出为 GeoJSON 或 Shapefile。",
        "{name} is Esri JSON or TopoJSON, not standard GeoJSON. Export it as GeoJSON or "
        "Shapefile from QGIS or ArcGIS.",
    ),
    "xfer_not_geojson": (
        "{name} 是 JSON,但不是 GeoJSON(缺少 FeatureCollection/Feature 或 features 列表)。请导出为 GeoJSON。",
        "{name} is JSON but not GeoJSON (no FeatureCollection/Feature or features list). "
        "Export it as GeoJSON.",
    ),
    "xfer_json_malformed": (
        "{name} 的 JSON 格式错误(第 {line} 行第 {column} 列附近),可能文件不完整。请重新导出。",
        "{name} is not valid JSON (near line {line}, column {column}); the file may be "
        "incomplete. Export it again.",
    ),
    # --- refused: references to other files or the network ---
    "xfer_vrt": (
        "出于安全考虑拒绝 {name}:GDAL 虚拟数据集(VRT)会引用其他文件或网络地址。"
        "请上传实际的数据文件(如压缩的 Shapefile 或 GeoPackage)。",
        "{name} was refused for safety: a GDAL virtual dataset (VRT) refers to other files "
        "or network addresses. Upload the actual data (e.g. a zipped Shapefile or GeoPackage).",
    ),
    "xfer_remote_path": (
        "出于安全考虑拒绝 {name}:它的内容是一个网络或虚拟文件路径,而不是数据。请上传数据文件本身。",
        "{name} was refused for safety: it contains a network or virtual file path, not "
        "data. Upload the data file itself.",
    ),
    "xfer_geojson_linked_crs": (
        "出于安全考虑拒绝 {name}:它的坐标系通过网络链接(crs 的 link 类型)指定。"
        "请删除 crs 一项(默认即 WGS84),或另存为标准 GeoJSON。",
        "{name} was refused for safety: its coordinate system is a web link (a 'link' crs). "
        "Remove the crs member (WGS84 is the default) or save it as standard GeoJSON.",
    ),
    "xfer_kml_network_link": (
        "出于安全考虑拒绝 {name}:它含有网络链接(NetworkLink),会从别处加载数据。"
        "请在原软件中把数据本身导出为 KML/KMZ。",
        "{name} was refused for safety: it contains a NetworkLink, which loads data from "
        "elsewhere. Export the data itself as KML/KMZ from its program.",
    ),
    "xfer_kml_remote_href": (
        "出于安全考虑拒绝 {name}:其中的 {element} 引用了外部地址 {href}。"
        "请删除该链接,或只导出点、线、面要素。",
        "{name} was refused for safety: its {element} refers to {href} outside the file. "
        "Remove that link, or export only the placemarks.",
    ),
    "xfer_kml_icons_ignored": (
        "已忽略 {count} 个指向外部地址的图标或样式(不会下载,不影响数据)。",
        "{count} icons or styles pointing to outside addresses were ignored (never fetched; "
        "the data is not affected).",
    ),
    "xfer_xml_dtd": (
        "出于安全考虑拒绝 {name}:它含有文档类型定义(DOCTYPE/DTD),可能用于实体炸弹或读取其他文件。"
        "正常的 KML 不需要它;请从原软件重新导出。",
        "{name} was refused for safety: it declares a document type (DOCTYPE/DTD), which can "
        "hide entity bombs or read other files. Normal KML needs none; export it again.",
    ),
    "xfer_xml_entities": (
        "出于安全考虑拒绝 {name}:它定义了 XML 实体(可用于“十亿笑声”攻击)。请从原软件重新导出。",
        "{name} was refused for safety: it defines XML entities (as used in 'billion "
        "laughs' attacks). Export it again from its program.",
    ),
    "xfer_xml_external": (
        "出于安全考虑拒绝 {name}:它引用了外部文件或网址。请从原软件重新导出,不要包含外部引用。",
        "{name} was refused for safety: it refers to outside files or URLs. Export it again "
        "without external references.",
    ),
    "xfer_xml_malformed": (
        "{name} 的 XML 格式错误(第 {line} 行第 {column} 列附近),可能文件不完整。请重新导出。",
        "{name} is not well-formed XML (near line {line}, column {column}); the file may be "
        "incomplete. Export it again.",
    ),
    "xfer_xml_encoding": (
        "{name} 声明的字符编码 {encoding} 无法识别或与内容不符。请另存为 UTF-8 编码的 KML。",
        "{name} declares the text encoding {encoding}, which is unknown or does not match "
        "its content. Save it as UTF-8 KML.",
    ),
    "xfer_xml_too_large": (
        "{name} 超过 {limit_mb} MB,太大,无法作为 KML 读取。请分图层导出,或改用 GeoPackage/Shapefile。",
        "{name} is above {limit_mb} MB, too large to read as KML. Export fewer layers at "
        "once, or use GeoPackage/Shapefile.",
    ),
    # --- zip archives ---
    "xfer_zip_damaged": (
        "{name} 不是完整的 zip 压缩包(可能上传中断或文件损坏:{detail})。请重新压缩后上传。",
        "{name} is not a complete zip archive (the upload may have been cut off, or the "
        "file is damaged: {detail}). Zip it again and upload.",
    ),
    "xfer_zip_member_damaged": (
        "压缩包中的 {member} 无法解压(文件损坏或压缩方式不支持:{detail})。请用普通 zip 格式重新压缩。",
        "{member} in the archive cannot be extracted (damaged, or an unsupported "
        "compression: {detail}). Zip the files again with ordinary zip compression.",
    ),
    "xfer_zip_too_many_members": (
        "压缩包 {name} 有 {count} 个文件,超过上限 {limit} 个。请只压缩需要导入的图层文件。",
        "{name} holds {count} files, more than the limit of {limit}. Zip only the files "
        "of the layer to import.",
    ),
    "xfer_zip_too_large": (
        "压缩包 {name} 解压后有 {size_mb} MB,超过上限 {limit_mb} MB。请只压缩需要导入的图层。",
        "{name} would unpack to {size_mb} MB, above the limit of {limit_mb} MB. Zip only "
        "the layer to import.",
    ),
    "xfer_zip_bomb": (
        "出于安全考虑拒绝:压缩包中的 {member} 压缩比为 {ratio}:1(上限 {limit:.0f}:1),像是“压缩炸弹”。"
        "请检查文件来源,重新压缩真实数据后上传。",
        "Refused for safety: {member} in the archive is compressed {ratio}:1 (limit "
        "{limit:.0f}:1), like a zip bomb. Check where the file came from and zip the real data.",
    ),
    "xfer_zip_bomb_inflated": (
        "出于安全考虑拒绝:压缩包中的 {member} 解压后比声明的大,或超过 {limit_mb} MB 上限(“压缩炸弹”)。"
        "请检查文件来源。",
        "Refused for safety: {member} inflates beyond its declared size or the {limit_mb} MB "
        "limit (a zip bomb). Check where the file came from.",
    ),
    "xfer_zip_traversal": (
        "出于安全考虑拒绝:压缩包中的 {member} 的路径含“..”,会写到解压目录之外。请重新压缩,只包含数据文件。",
        "Refused for safety: the path of {member} in the archive contains '..' and would "
        "escape the extraction folder. Zip only the data files again.",
    ),
    "xfer_zip_absolute": (
        "出于安全考虑拒绝:压缩包中的 {member} 使用绝对路径。请在数据所在文件夹内重新压缩。",
        "Refused for safety: {member} in the archive has an absolute path. Zip the files "
        "again from inside their folder.",
    ),
    "xfer_zip_symlink": (
        "出于安全考虑拒绝:压缩包中的 {member} 是符号链接(指向其他文件)。请只压缩真实的数据文件。",
        "Refused for safety: {member} in the archive is a symbolic link to another file. "
        "Zip only real data files.",
    ),
    "xfer_zip_nested": (
        "压缩包中又含压缩文件 {member}(zip、kmz、xlsx 等),不支持嵌套。请先解开它,单独上传。",
        "The archive contains another archive, {member} (zip, kmz, xlsx …); nested archives "
        "are not supported. Unpack it and upload it on its own.",
    ),
    "xfer_zip_encrypted": (
        "压缩包中的 {member} 有密码保护。请不加密重新压缩。",
        "{member} in the archive is password-protected. Zip it again without encryption.",
    ),
    "xfer_zip_duplicate": (
        "压缩包中 {member} 出现了两次(文件名仅大小写不同也算)。请删除重复的文件后重新压缩。",
        "{member} appears twice in the archive (names differing only in case count). "
        "Remove the duplicate and zip again.",
    ),
    "xfer_zip_bad_name": (
        "出于安全考虑拒绝:压缩包中的文件名 {member} 含控制字符。请改名后重新压缩。",
        "Refused for safety: the file name {member} in the archive contains control "
        "characters. Rename it and zip again.",
    ),
    "xfer_zip_no_data": (
        "压缩包 {name} 中没有可导入的数据文件(找到:{members})。需要 .shp(连同 .shx、.dbf)、.kml、"
        ".gpkg、.geojson 或 .csv 文件。",
        "{name} holds no data file we can import (found: {members}). It needs a .shp (with "
        "its .shx and .dbf), .kml, .gpkg, .geojson or .csv file.",
    ),
    # --- Shapefile, GeoPackage, GDAL ---
    "xfer_shapefile_incomplete": (
        "Shapefile {name} 缺少同名的 {missing} 文件。请把 .shp、.shx、.dbf、.prj、.cpg 一起压缩后上传。",
        "The Shapefile {name} lacks its {missing} file. Zip .shp, .shx, .dbf, .prj and .cpg "
        "together and upload again.",
    ),
    "xfer_shp_damaged": (
        "{name} 不是有效的 Shapefile(.shp 文件头错误),可能已损坏。请重新导出。",
        "{name} is not a valid Shapefile (bad .shp header); it may be damaged. Export it again.",
    ),
    "xfer_dbf_damaged": (
        "属性表 {name} 已损坏(文件太短)。请重新导出 Shapefile。",
        "The attribute table {name} is damaged (too short). Export the Shapefile again.",
    ),
    "xfer_gdal_unreadable": (
        "无法读取 {name}:{detail}。文件可能已损坏;请在 QGIS 中打开检查并重新导出。",
        "{name} cannot be read: {detail}. The file may be damaged; open it in QGIS, check "
        "it and export it again.",
    ),
    "xfer_no_prj": (
        "该 Shapefile 没有 .prj 坐标系文件,请确认下面选择的坐标系。",
        "This Shapefile has no .prj file; please confirm the coordinate system below.",
    ),
    # --- layers, tables ---
    "xfer_no_layers": (
        "{name} 中没有可导入的图层或要素。请检查文件是否包含数据。",
        "{name} holds no layer or feature to import. Check that the file contains data.",
    ),
    "xfer_layer_empty": (
        "{name} 中没有要素(0 行)。请选择有数据的图层,或检查导出设置。",
        "{name} has no features (0 rows). Choose a layer with data, or check the export.",
    ),
    "xfer_layer_unknown": (
        "{name} 中没有名为“{layer}”的图层。请从列表中选择。",
        "{name} has no layer called '{layer}'. Choose one from the list.",
    ),
    "xfer_choose_layer": (
        "{name} 含有多个图层:{layers}。请选择要导入的一个。",
        "{name} holds several layers: {layers}. Choose the one to import.",
    ),
    "xfer_too_many_features": (
        "{name} 的要素超过 {limit} 个,太多。请分批导入。",
        "{name} has more than {limit} features, too many. Import it in parts.",
    ),
    "xfer_table_empty": (
        "表格 {name} 是空的(没有表头和数据行)。请检查是否选错了工作表。",
        "The table {name} is empty (no header and no rows). Check that the right sheet was chosen.",
    ),
    "xfer_csv_malformed": (
        "{name} 第 {line} 行附近的 CSV 格式错误({detail})。请在 Excel 中打开后另存为“CSV UTF-8”。",
        "{name} is not valid CSV near line {line} ({detail}). Open it in Excel and save it "
        "as 'CSV UTF-8'.",
    ),
    "xfer_xlsx_damaged": (
        "无法读取 Excel 文件 {name}({detail})。请在 Excel 中打开后重新另存为 .xlsx。",
        "The Excel file {name} cannot be read ({detail}). Open it in Excel and save it "
        "again as .xlsx.",
    ),
    "xfer_no_coordinate_columns": (
        "{name} 中找不到经纬度列或 WKT 几何列(现有列:{columns})。请把列名改为“经度”“纬度”"
        "(或 lon/lat、x/y、WKT),或在下方指定哪一列是经度、哪一列是纬度。",
        "{name} has no longitude/latitude or WKT geometry column (columns: {columns}). Name "
        "them 经度/纬度 (or lon/lat, x/y, WKT), or choose which column holds longitude and "
        "which latitude below.",
    ),
    "xfer_column_unknown": (
        "{name} 中没有“{column}”这一列。请从现有列中选择。",
        "{name} has no column '{column}'. Choose one of its columns.",
    ),
    "xfer_coordinate_columns": (
        "坐标取自列:{columns}。",
        "Coordinates are taken from the columns: {columns}.",
    ),
    # --- text encodings ---
    "xfer_encoding_caller": (
        "按您选择的 {encoding} 编码读取文字。",
        "Text read as {encoding}, as chosen.",
    ),
    "xfer_encoding_cpg": (
        "按 .cpg 文件声明的 {encoding} 编码读取文字。",
        "Text read as {encoding}, as the .cpg file says.",
    ),
    "xfer_encoding_ldid": (
        "属性表未附 .cpg,按 .dbf 语言驱动标记 {ldid} 判断为 {encoding} 编码。",
        "No .cpg file; the .dbf language-driver byte {ldid} says {encoding}.",
    ),
    "xfer_encoding_bom": (
        "文件开头的字节顺序标记(BOM)表明是 {encoding} 编码。",
        "The byte-order mark at the start says {encoding}.",
    ),
    "xfer_encoding_utf8_detected": (
        "未声明编码;文字是有效的 UTF-8,按 UTF-8 读取。如有乱码,请改选 GBK。",
        "No encoding declared; the text is valid UTF-8 and was read as such. If it looks "
        "garbled, choose GBK.",
    ),
    "xfer_encoding_gbk_detected": (
        "未声明编码;文字不是 UTF-8,按中文 GBK(GB18030)读取。如有乱码,请改选其他编码。",
        "No encoding declared; the text is not UTF-8 and was read as Chinese GBK (GB18030). "
        "If it looks garbled, choose another encoding.",
    ),
    "xfer_encoding_ascii": (
        "文字只含英文字符,编码不影响读取。",
        "The text is plain ASCII; the encoding does not matter.",
    ),
    "xfer_encoding_unknown": (
        "无法识别编码名称“{encoding}”。请选择 UTF-8 或 GBK。",
        "'{encoding}' is not a known text encoding. Choose UTF-8 or GBK.",
    ),
    "xfer_encoding_wrong": (
        "{name} 不是 {encoding} 编码(第 {line} 行有无法识别的字节)。请改选 {other} 编码,"
        "或在 Excel 中另存为“CSV UTF-8”。",
        "{name} is not {encoding} (line {line} has bytes that are not). Choose {other} "
        "instead, or save it from Excel as 'CSV UTF-8'.",
    ),
    "xfer_encoding_mixed": (
        "{name} 既不是 UTF-8 也不是 GBK(从第 {line} 行起),可能混合了两种编码。"
        "请在文本编辑器或 Excel 中统一另存为“CSV UTF-8”。",
        "{name} is neither UTF-8 nor GBK (from line {line} on); it may mix both. Save it "
        "again as 'CSV UTF-8' from a text editor or Excel.",
    ),
    # --- coordinate systems ---
    "xfer_crs_declared": ("按文件声明的坐标系", "As declared by the file"),
    "xfer_crs_wgs84": (
        "WGS84 经纬度(GPS、天地图、奥维默认)",
        "WGS84 longitude/latitude (GPS, Tianditu)",
    ),
    "xfer_crs_cgcs2000": ("CGCS2000 经纬度(EPSG:4490)", "CGCS2000 longitude/latitude (EPSG:4490)"),
    "xfer_crs_gcj02": ("GCJ-02 火星坐标(高德、腾讯地图)", "GCJ-02 (AMap, Tencent maps)"),
    "xfer_crs_bd09": ("BD-09 百度坐标", "BD-09 (Baidu maps)"),
    "xfer_crs_gauss_kruger": (
        "CGCS2000 高斯-克吕格 {width} 度带(带号取自东坐标)",
        "CGCS2000 Gauss-Krüger {width}° zone (zone from the easting)",
    ),
    "xfer_crs_epsg": ("EPSG:{epsg}", "EPSG:{epsg}"),
    "xfer_crs_swapped_suffix": (
        "(两列颠倒:纬度/北坐标在前)",
        " (axes swapped: latitude/northing first)",
    ),
    "xfer_crs_no_coordinates": (
        "文件中没有可用的坐标,无法判断坐标系。",
        "The file has no usable coordinates, so the coordinate system cannot be told.",
    ),
    "xfer_crs_reason_declared": (
        "文件声明坐标系为 {crs},坐标数值与之相符。",
        "The file declares {crs}, and the numbers fit it.",
    ),
    "xfer_crs_reason_declared_wgs": (
        "文件声明坐标系为 {crs},坐标是经纬度。",
        "The file declares {crs}, and the coordinates are longitude/latitude.",
    ),
    "xfer_crs_reason_declared_mismatch": (
        "文件声明坐标系为 {crs},但坐标数值是:{found}。已按数值建议,请确认。",
        "The file declares {crs}, but the numbers are: {found_en}. The suggestion follows "
        "the numbers; please confirm.",
    ),
    "xfer_crs_reason_lonlat": (
        "坐标数值是经纬度,按 WGS84 读取。如数据来自高德/腾讯地图请选 GCJ-02,来自百度地图请选 BD-09。",
        "The numbers are longitude/latitude, read as WGS84. Choose GCJ-02 if the data came "
        "from AMap/Tencent, BD-09 if from Baidu.",
    ),
    "xfer_crs_reason_swapped": (
        "第一列的数值是纬度、第二列是经度(两列颠倒),将自动交换。",
        "The first coordinate holds latitude and the second longitude (swapped); they will "
        "be exchanged.",
    ),
    "xfer_crs_reason_gk": (
        "坐标数值是以米为单位的投影坐标:{found}。",
        "The numbers are projected metres: {found_en}.",
    ),
    "xfer_crs_reason_unknown": (
        "无法判断坐标系:{found}。请输入数据的 EPSG 代码。",
        "The coordinate system cannot be told: {found_en}. Enter the data's EPSG code.",
    ),
    "xfer_crs_reason_hint_gcj02": (
        "文件名或列名提到高德/腾讯/GCJ-02,按 GCJ-02 火星坐标转换。",
        "The file or column names mention AMap/Tencent/GCJ-02, so it is converted from GCJ-02.",
    ),
    "xfer_crs_reason_hint_bd09": (
        "文件名或列名提到百度/BD-09,按 BD-09 坐标转换。",
        "The file or column names mention Baidu/BD-09, so it is converted from BD-09.",
    ),
    "xfer_crs_reason_fit_gcj02": (
        "按 GCJ-02 解读时 {total} 个要素中有 {inside} 个落在乡域内,按 WGS84 只有 {wgs} 个:数据很可能来自高德/腾讯地图。",
        "Read as GCJ-02, {inside} of {total} features fall inside the township, as WGS84 only "
        "{wgs}: the data most likely comes from AMap/Tencent.",
    ),
    "xfer_crs_reason_fit_bd09": (
        "按 BD-09 解读时 {total} 个要素中有 {inside} 个落在乡域内,按 WGS84 只有 {wgs} 个:数据很可能来自百度地图。",
        "Read as BD-09, {inside} of {total} features fall inside the township, as WGS84 only "
        "{wgs}: the data most likely comes from Baidu maps.",
    ),
    "xfer_crs_no_declared": (
        "{name} 没有声明坐标系。请选择具体的坐标系。",
        "{name} declares no coordinate system. Choose one.",
    ),
    "xfer_crs_unknown_epsg": (
        "EPSG:{epsg} 不是已知的坐标系代码。请核对后重新输入。",
        "EPSG:{epsg} is not a known coordinate system code. Check it and enter it again.",
    ),
    "xfer_crs_needed": (
        "需要您选择坐标系:{reason_zh}",
        "Please choose the coordinate system: {reason_en}",
    ),
    # --- field mapping ---
    "xfer_map_exact": ("列名“{column}”与字段名相同。", "Column '{column}' has the field's name."),
    "xfer_map_label": (
        "列名“{column}”与字段的中文或英文名称相同。",
        "Column '{column}' has the field's label.",
    ),
    "xfer_map_alias": (
        "列名“{column}”是该字段的常用名称。",
        "Column '{column}' is a common name for the field.",
    ),
    "xfer_map_truncated": (
        "列名“{column}”是该字段名被 Shapefile 截短后的形式。",
        "Column '{column}' is the field's name cut short by the Shapefile format.",
    ),
    # --- row problems ---
    "xfer_where_row": ("第 {n} 行", "Row {n}"),
    "xfer_where_feature": ("第 {n} 个要素", "Feature {n}"),
    "xfer_row_note": ("{note_zh}", "{note_en}"),
    "xfer_row_too_many_vertices": (
        "几何有 {count} 个顶点,超过上限 {limit}。请在 QGIS 中简化后再导入。",
        "the geometry has {count} vertices, more than the limit of {limit}. Simplify it in "
        "QGIS and import again.",
    ),
    "xfer_row_geometry_unreadable": (
        "几何无法读取({detail})。请在原软件中检查该要素的坐标。",
        "the geometry cannot be read ({detail}). Check this feature's coordinates in its program.",
    ),
    "xfer_row_geometry_missing": (
        "没有几何(位置或边界为空)。请补上坐标,或删除这一行。",
        "has no geometry (empty location or boundary). Add its coordinates or remove the row.",
    ),
    "xfer_row_not_finite": (
        "坐标含非数值(NaN 或无穷大)。请在原软件中修正该要素的位置。",
        "the coordinates contain non-numbers (NaN or infinity). Fix this feature's position "
        "in its program.",
    ),
    "xfer_row_not_lonlat": (
        "坐标 ({x}, {y}) 按所选坐标系换算后不是有效的经纬度:这一行可能用了另一种坐标系,或数值有误。"
        "请检查该行坐标,或改选坐标系。",
        "the coordinates ({x}, {y}) are not a valid longitude/latitude in the chosen "
        "coordinate system: this row may use another system, or the numbers are wrong. "
        "Check them, or choose another coordinate system.",
    ),
    "xfer_row_geometry_type": (
        "几何类型为 {found},本图层只接受 {expected}。请导入到合适的图层,或在 QGIS 中转换几何类型。",
        "the geometry is a {found}; this layer takes only {expected}. Import it into a "
        "fitting layer, or convert it in QGIS.",
    ),
    "xfer_row_geometry_invalid": (
        "边界无效({reason}),且无法自动修复。请在 QGIS 中用“修复几何”处理后再导入。",
        "the boundary is invalid ({reason}) and cannot be repaired automatically. Use 'Fix "
        "geometries' in QGIS and import again.",
    ),
    "xfer_row_geometry_invalid_fixable": (
        "边界无效({reason}),可以自动修复:勾选“自动修复无效几何”即可导入修复后的边界。",
        "the boundary is invalid ({reason}) but can be repaired: tick 'repair invalid "
        "geometries' to import the repaired boundary.",
    ),
    "xfer_row_geometry_repaired": (
        "边界无效({reason}),已自动修复。请在预览中核对修复后的形状。",
        "the boundary was invalid ({reason}) and has been repaired. Check the repaired "
        "shape in the preview.",
    ),
    "xfer_row_outside_township": (
        "位于乡镇边界之外(最远伸出约 {reach_zh}),不予导入。请检查坐标或所选坐标系(几百米的偏差多为 GCJ-02/BD-09 坐标)。",
        "lies outside the township (reaching about {reach_en} beyond it), so it is not "
        "imported. Check the "
        "coordinates or the coordinate system (a few hundred metres off usually means "
        "GCJ-02/BD-09).",
    ),
    "xfer_row_required": (
        "缺少必填字段“{label_zh}”({field})。请在文件中补上,或在字段对应中为它选择一列或一个固定值。",
        "the required field '{label_en}' ({field}) is missing. Fill it in the file, or map "
        "a column or a fixed value to it.",
    ),
    "xfer_row_not_allowed": (
        "“{label_zh}”的值“{value}”不在允许范围内,应为:{allowed_zh}。请修改,或在字段对应中指定它对应哪个值。",
        "'{label_en}' is '{value}', which is not allowed; use one of: {allowed_en}. Change "
        "it, or say in the mapping which value it stands for.",
    ),
    "xfer_row_not_int": (
        "“{label_zh}”的值“{value}”不是整数。请改为整数。",
        "'{label_en}' is '{value}', not a whole number. Enter a whole number.",
    ),
    "xfer_row_not_number": (
        "“{label_zh}”的值“{value}”不是数字。请改为数字(不带单位)。",
        "'{label_en}' is '{value}', not a number. Enter a number (without unit).",
    ),
    "xfer_row_not_bool": (
        "“{label_zh}”的值“{value}”应为“是”或“否”。",
        "'{label_en}' is '{value}'; it must be yes or no (true/false).",
    ),
    "xfer_row_out_of_range": (
        "“{label_zh}”的值 {value} 超出允许范围 {min}–{max}。请核对数值。",
        "'{label_en}' is {value}, outside the allowed range {min}–{max}. Check the number.",
    ),
    "xfer_row_duplicate_id": (
        "编号“{value}”在文件中出现了多次(第 {rows} 行/个)。每个编号只能用一次,请修改重复的编号。",
        "the id '{value}' is used more than once in the file (rows/features {rows}). Each "
        "id may be used once: change the duplicates.",
    ),
    "xfer_row_id_generated": ("没有编号,已自动分配 {id}。", "had no id; it was given {id}."),
    "xfer_row_link_broken": (
        "“{label_zh}”的值“{value}”找不到对应的对象。请填写已有的编号或名称,或先导入它引用的对象。",
        "'{label_en}' is '{value}', which matches nothing that exists. Use an existing id or "
        "name, or import what it refers to first.",
    ),
    "xfer_row_link_by_name": (
        "“{label_zh}”的值“{value}”是名称,已换为编号 {id}。",
        "'{label_en}' was the name '{value}'; it was replaced by the id {id}.",
    ),
    "xfer_row_village_assigned": (
        "文件中没有所在村,按位置确定为 {id}。",
        "the file gives no village; by its location it is in {id}.",
    ),
    "xfer_row_village_mismatch": (
        "标为 {value},但位置在 {id} 境内。请核对所在村或坐标。",
        "is marked {value} but lies in {id}. Check the village or the coordinates.",
    ),
    # --- plan notes ---
    "xfer_plan_mostly_outside": (
        "有 {count} 个要素落在乡镇边界之外,超过一半:很可能选错了坐标系(如高德 GCJ-02、百度 BD-09 或投影坐标)。请改选坐标系后再看。",
        "{count} features fall outside the township, more than half: the coordinate system "
        "is most likely wrong (e.g. AMap GCJ-02, Baidu BD-09 or projected). Choose another "
        "and look again.",
    ),
    "xfer_plan_no_township": (
        "当前没有有效的乡镇边界,无法检查要素是否在乡域内。",
        "There is no valid township boundary now, so features cannot be checked against it.",
    ),
    "xfer_layer_not_importable": (
        "不能向“{layer}”导入地理要素;可导入的图层为乡镇边界、行政村、产业点位和党组织。",
        "Features cannot be imported into '{layer}'; the importable layers are the township, "
        "villages, sites and Party organisations.",
    ),
    # --- export ---
    "xfer_export_unknown_format": (
        "未知的导出格式“{format}”,可选:{formats}。",
        "Unknown export format '{format}'; choose one of: {formats}.",
    ),
    "xfer_export_table_format": (
        "“{layer}”是表格,没有几何,不能导出为 {format}。请选择 CSV、Excel 或 GeoPackage。",
        "'{layer}' is a table without geometry and cannot be exported as {format}. Choose "
        "CSV, Excel or GeoPackage.",
    ),
    "xfer_export_shp_truncated": (
        "字段 {field} 的“{value}…”超过 254 字节,Shapefile 中会被截断。需要完整文字请导出 GeoPackage 或 GeoJSON。",
        "Field {field}: '{value}…' is longer than 254 bytes and will be cut in a Shapefile. "
        "Export GeoPackage or GeoJSON to keep it whole.",
    ),
    "xfer_export_shp_split": (
        "“{layer}”既有点又有面,Shapefile 每个文件只能有一种几何,将分成 _point 和 _polygon 两个文件。",
        "'{layer}' has both points and polygons; a Shapefile holds one geometry type, so it "
        "is split into _point and _polygon files.",
    ),
    "xfer_export_kml_replaced": (
        "字段 {field} 的“{value}…”含 KML(XML)无法保存的控制字符,已替换为 �。",
        "Field {field}: '{value}…' contains control characters KML (XML) cannot hold; they "
        "are replaced by �.",
    ),
    "xfer_export_csv_apostrophe": (
        "字段 {field} 的“{value}…”以 = + - @ 开头,为防止 Excel 把它当公式执行,前面加了单引号(本系统导入时会去掉)。",
        "Field {field}: '{value}…' starts with = + - @; an apostrophe is put in front so "
        "Excel does not run it as a formula (our importer removes it).",
    ),
    "xfer_export_xlsx_long": (
        "字段 {field} 有超过 32767 个字符的文字,Excel 单元格放不下,会被截断。",
        "Field {field} has text longer than 32,767 characters, which an Excel cell cannot hold.",
    ),
    "xfer_export_readme": (
        "乡村党建产业地图 · 全部数据导出\n格式:{format};导出日期:{date}\n坐标系:WGS84 经纬度(EPSG:4326)。"
        "\n图层文件之外,chains.csv 等表格、plans.yaml、report.yaml 与数据文件夹中的完全相同。",
        "Township Atlas · full data export\nFormat: {format}; exported on {date}\nCoordinates: "
        "WGS84 longitude/latitude (EPSG:4326).\nBesides the layer files, chains.csv and the "
        "other tables, plans.yaml and report.yaml are exactly as in the data folder.",
    ),
    "xfer_export_readme_photos": (
        "photos/ 与 thumbs/ 中是 photos.csv 所列照片的图片和缩略图({count} 个文件),文件名与数据文件夹中相同。",
        "photos/ and thumbs/ hold the pictures and thumbnails photos.csv names ({count} "
        "files), under the same names as in the data folder.",
    ),
    "xfer_export_readme_photos_missing": (
        "以下 {count} 个照片文件无法读取,未包含在本导出中(可从备份恢复,或删除相应照片):\n{names}",
        "These {count} photo files could not be read and are not in this export (restore "
        "them from a backup, or delete those photos):\n{names}",
    ),
    "xfer_export_readme_no_photos": (
        "本导出不含照片图片(photos.csv 列出的 {count} 个文件)。",
        "This export does not hold the photo pictures ({count} files photos.csv names).",
    ),
    "xfer_export_photos_missing": (
        "有 {count} 个照片文件无法读取,未包含在导出中({names});其余内容已完整导出,"
        "README.txt 中列出了全部缺失文件。可从备份恢复这些文件,或删除相应照片。",
        "{count} photo files could not be read and are not in the export ({names}); "
        "everything else is. README.txt lists every missing file. Restore them from a "
        "backup, or delete those photos.",
    ),
    "xfer_export_readme_photos_over_limit": (
        "照片合计 {size_mb} MB,超过网页导出的上限 {limit_mb} MB,本导出不含 {count} 个照片文件"
        "(列在本文件末尾;photos.csv 仍完整列出全部照片)。要取得全部照片,请管理员在服务器上:复制数据文件夹中的"
        " photos/ 与 thumbs/;或运行 python -m township_atlas.transfer export --out 文件夹,"
        "把含全部照片的 zip 写到磁盘;PostGIS 存储时也可用 python -m township_atlas.storage.postgis"
        " copy-out 取出数据文件夹。",
        "The photos come to {size_mb} MB, above the page export's limit of {limit_mb} MB: "
        "{count} photo files are not in this export (listed at the end of this file; "
        "photos.csv still lists every "
        "photo). To get them all, an administrator on the server copies photos/ and thumbs/ "
        "of the data folder, or runs python -m township_atlas.transfer export --out FOLDER, "
        "which writes the zip with every photo to disk; with PostGIS storage, python -m "
        "township_atlas.storage.postgis copy-out gives the data folder.",
    ),
    "xfer_export_readme_left_out": ("未包含的照片文件:", "Photo files not in this export:"),
    "xfer_export_photos_over_limit": (
        "照片合计 {size_mb} MB,超过网页导出的上限 {limit_mb} MB(设置 "
        "TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB),太大,无法通过浏览器下载:整个数据集的 zip 不含照片"
        "图片({count} 个文件),其余内容(包括照片索引 photos.csv)完整导出,README.txt 列出未包含的"
        "文件。要取得全部照片,请管理员在服务器上复制数据文件夹,或运行 python -m "
        "township_atlas.transfer export(把完整的 zip 写到磁盘);PostGIS 存储时也可用 copy-out。",
        "The photos come to {size_mb} MB, above the page export's limit of {limit_mb} MB "
        "(setting TOWNSHIP_ATLAS_EXPORT_PHOTO_MAX_MB): too large to download through the "
        "browser. The dataset zip leaves out the pictures ({count} files) and holds "
        "everything else, the photo index photos.csv included; README.txt lists the files "
        "left out. To get every photo, an administrator copies the data folder on the "
        "server, or runs python -m township_atlas.transfer export there (the whole zip "
        "written to disk); with PostGIS storage, copy-out works too.",
    ),
    # --- the export command (python -m township_atlas.transfer export) ---
    "xfer_export_cli_written": (
        "已写入 {path}({size_mb} MB,照片文件 {photos} 个),用时 {seconds} 秒。",
        "Wrote {path} ({size_mb} MB, {photos} photo files) in {seconds} s.",
    ),
    "xfer_export_cli_exists": (
        "{path} 已存在;请换一个文件名,或先删除它。",
        "{path} exists already; give another name, or remove it first.",
    ),
    "xfer_export_cli_folder": (
        "无法写入 {path}({detail});请检查文件夹是否存在、是否可写、剩余空间是否足够。",
        "Cannot write {path} ({detail}); check that the folder exists, is writable and has "
        "enough free space.",
    ),
    # --- progress ---
    # --- the worker process and the limits checked before parsing ---
    "xfer_worker_timeout": (
        "读取和检查这个文件超过了 {seconds} 秒的时间上限,已停止(服务器不受影响)。"
        "请只导出需要的图层或范围,或把文件分成几个较小的文件再导入。",
        "Reading and checking this file took longer than the limit of {seconds} seconds and "
        "was stopped (the server is not affected). Export only the layer or area you need, "
        "or split the file into smaller ones.",
    ),
    "xfer_worker_memory": (
        "读取这个文件需要的内存超过了 {limit_mb} MB 的上限,已停止(服务器不受影响)。"
        "请只导出需要的图层或范围,或把文件分成几个较小的文件再导入。",
        "Reading this file needed more than the memory limit of {limit_mb} MB and was "
        "stopped (the server is not affected). Export only the layer or area you need, or "
        "split the file into smaller ones.",
    ),
    "xfer_worker_killed": (
        "读取这个文件的进程被终止(可能超过了 {limit_mb} MB 的内存上限)。服务器不受影响。"
        "请把文件分成几个较小的文件再导入。",
        "The process reading this file was killed (probably above the memory limit of "
        "{limit_mb} MB). The server is not affected. Split the file into smaller ones.",
    ),
    "xfer_worker_crashed": (
        "读取这个文件时读取程序崩溃了({reason}),可能文件已损坏或被故意构造,或超过了 "
        "{limit_mb} MB 的内存上限。服务器不受影响,没有写入任何数据。请在原软件中重新导出。",
        "The reader crashed on this file ({reason}): it may be damaged or crafted, or above "
        "the memory limit of {limit_mb} MB. The server is not affected and nothing was "
        "written. Export it again from the program that made it.",
    ),
    "xfer_worker_busy": (
        "同时在读取的上传文件已有 {jobs} 个,{seconds} 秒内没有空出位置。请稍后再试。",
        "{jobs} other uploads are being read and none finished within {seconds} seconds. "
        "Try again in a moment.",
    ),
    "xfer_worker_recursion": (
        "这个文件的结构嵌套太深,无法读取。请在原软件中重新导出。",
        "This file is nested too deep to be read. Export it again from the program that made it.",
    ),
    "xfer_worker_failed": (
        "读取这个文件时出错({detail})。没有写入任何数据。请在原软件中重新导出,或换一种格式。",
        "Reading this file failed ({detail}). Nothing was written. Export it again, or in "
        "another format.",
    ),
    "xfer_worker_result_too_large": (
        "这个文件读取后的结果超过了 {limit_mb} MB 的上限。请把文件分成几个较小的文件再导入。",
        "What this file holds is above the limit of {limit_mb} MB once read. Split it into "
        "smaller files.",
    ),
    "xfer_worker_bad_result": (
        "读取程序返回了无法接受的结果({detail}),已丢弃。没有写入任何数据。",
        "The reader returned a result that is not accepted ({detail}); it was discarded. "
        "Nothing was written.",
    ),
    "xfer_too_deep": (
        "{name} 的{what}嵌套太深(超过 {limit} 层),为了安全不予读取。正常的地理数据不会嵌套这么多层;"
        "请在原软件中重新导出。",
        "The {what_en} in {name} is nested too deep (more than {limit} levels) and is refused "
        "for safety. Real geodata is never nested this deep; export it again from the "
        "program that made it.",
    ),
    "xfer_too_many_cells": (
        "{name} 有 {rows} 行 × {columns} 列 = {cells} 个单元格,超过上限 {limit} 个。"
        "请删去不需要的列或行,或分成几个文件。",
        "{name} has {rows} rows × {columns} columns = {cells} cells, above the limit of "
        "{limit}. Remove the columns or rows you do not need, or split the file.",
    ),
    "xfer_text_too_long": (
        "{name} 第 {row} 行的“{column}”有 {length} 个字符,超过每个字段 {limit} 个字符的上限。"
        "请缩短这段文字(长说明可以放在附件里)。",
        "{name}, row {row}, '{column}' holds {length} characters, above the limit of {limit} "
        "per field. Shorten it (long descriptions belong in an attachment).",
    ),
    "xfer_geometry_text_too_long": (
        "{name} 第 {row} 行的几何文本有 {length} 个字符,超过上限 {limit}(约 {vertices} 个顶点)。"
        "请先在 GIS 软件中简化这个要素。",
        "{name}, row {row}: the geometry text holds {length} characters, above the limit of "
        "{limit} (about {vertices} vertices). Simplify the feature in a GIS first.",
    ),
    "xfer_too_many_vertices": (
        "{name} 的要素顶点太多:最多的一个有 {count} 个顶点,上限是每个要素 {limit} 个。"
        "这些要素没有读入;请先在 GIS 软件中简化(例如 QGIS“简化”工具)再导入。",
        "{name}: features have too many vertices (the largest has {count}; the limit is "
        "{limit} per feature). They were not read; simplify them in a GIS first (e.g. the "
        "QGIS Simplify tool).",
    ),
    "xfer_layer_too_many_vertices": (
        "{name} 共有 {count} 个顶点,超过每个图层 {limit} 个的上限。请先简化几何,或分成几个文件导入。",
        "{name} holds {count} vertices in all, above the limit of {limit} per layer. "
        "Simplify the geometries or split the file.",
    ),
    "xfer_json_number_too_long": (
        "{name} 中有一个 {digits} 位的数字,不是正常的坐标或属性值,为了安全不予读取。请重新导出。",
        "{name} holds a number of {digits} digits, which is no real coordinate or value; it "
        "is refused for safety. Export the file again.",
    ),
    "xfer_gpkg_views": (
        "GeoPackage {name} 中有视图或触发器({objects}),为了安全不予读取(它们会在打开时执行查询)。"
        "请在 QGIS 中把需要的图层另存为新的 GeoPackage 再导入。",
        "The GeoPackage {name} holds views or triggers ({objects}), which run queries when "
        "opened; it is refused for safety. Save the layers you need into a new GeoPackage "
        "in QGIS and import that.",
    ),
    "xfer_gpkg_too_complex": (
        "检查 GeoPackage {name} 的结构超过了时间上限,为了安全不予读取。请在 QGIS 中另存为新的 "
        "GeoPackage 再导入。",
        "Checking the structure of the GeoPackage {name} took too long; it is refused for "
        "safety. Save it as a new GeoPackage in QGIS and import that.",
    ),
    "xfer_shp_dbf_mismatch": (
        "Shapefile {name} 的 .shp 有 {shapes} 个几何,而 .dbf 有 {records} 条属性记录,两者对不上,"
        "文件不完整或已损坏。请在原软件中重新导出整个 Shapefile(.shp .shx .dbf 一起)。",
        "The Shapefile {name} has {shapes} geometries in its .shp but {records} attribute "
        "records in its .dbf; they do not match, so the file is incomplete or damaged. Export "
        "the whole Shapefile again (.shp, .shx and .dbf together).",
    ),
    "xfer_encoding_cpg_unknown": (
        ".cpg 文件写的编码“{declared}”不是可用的文字编码,已忽略;按检测结果使用 {encoding}。"
        "中文乱码时请在“文字编码”中选择正确的编码。",
        "The .cpg names '{declared}', which is not a text encoding we know; it was ignored "
        "and {encoding} (detected) was used. If Chinese text looks garbled, choose the "
        "encoding yourself.",
    ),
    "xfer_zip_name_too_long": (
        "压缩包中的文件名太长({length} 字节,上限 {limit}):{member}。请缩短文件名后重新打包。",
        "A file name in the zip is too long ({length} bytes, limit {limit}): {member}. "
        "Shorten it and zip again.",
    ),
    "xfer_zip_file_and_folder": (
        "压缩包中“{member}”既是文件又是文件夹,无法解压。请重新打包。",
        "The zip holds '{member}' both as a file and as a folder, which cannot be "
        "extracted. Zip the data again.",
    ),
    "xfer_progress_read": ("正在读取 {name}…", "Reading {name}…"),
    "xfer_progress_item": ("{item}", "{item}"),
    "xfer_progress_attributes": ("正在核对属性…", "Checking attributes…"),
    "xfer_progress_convert": (
        "正在转换坐标并检查几何…",
        "Converting coordinates and checking geometries…",
    ),
    "xfer_progress_links": ("正在核对所在村和关联…", "Checking villages and links…"),
    "xfer_progress_compose": ("正在生成导入预览…", "Building the import preview…"),
    "xfer_progress_export": ("正在导出 {layer}…", "Exporting {layer}…"),
    "xfer_progress_zip": ("正在打包…", "Packing the zip…"),
    "xfer_progress_done": ("完成", "Done"),
}

# The 数据编辑 page's import and export tabs.
TEXT.update(
    {
        "xfer_ui_help": (
            "支持 GeoJSON、GeoPackage、Shapefile(把 .shp .dbf .shx .prj .cpg 打成一个 zip)、KML/KMZ、"
            "带经纬度列的 CSV 和 Excel。导入前会先预览,点“接受导入”之前不会写入任何数据。",
            "GeoJSON, GeoPackage, Shapefile (the .shp .dbf .shx .prj .cpg in one zip), KML/KMZ, CSV "
            "and Excel with longitude/latitude columns. You see a preview first; nothing is written "
            "until you accept.",
        ),
        "xfer_ui_file": ("选择文件(不超过 50 MB)", "File (up to 50 MB)"),
        "xfer_ui_target": ("导入到图层", "Into layer"),
        "xfer_ui_encoding": ("文字编码", "Text encoding"),
        "xfer_ui_encoding_auto": ("自动识别", "Detect"),
        "xfer_ui_encoding_help": (
            "中文乱码时改选 GB18030(GBK)或 UTF-8。",
            "If Chinese text looks garbled, choose GB18030 (GBK) or UTF-8.",
        ),
        "xfer_ui_source_layer": ("文件中的图层", "Layer in the file"),
        "xfer_ui_reading": ("正在读取文件…", "Reading the file…"),
        "xfer_ui_nothing_written": ("没有写入任何数据。", "Nothing was written."),
        "xfer_ui_read": (
            "已读取 {name}:{n} 条,编码 {encoding}。",
            "Read {name}: {n} rows, encoding {encoding}.",
        ),
        "xfer_ui_crs": ("1. 确认坐标系", "1. Confirm the coordinate system"),
        "xfer_ui_declared": ("文件自带的坐标系:{crs}", "The file declares: {crs}"),
        "xfer_ui_crs_confirm": ("源文件的坐标系", "The file's coordinate system"),
        "xfer_ui_crs_epsg": ("其他(输入 EPSG 代码)", "Other (give an EPSG code)"),
        "xfer_ui_need_epsg": ("请输入 EPSG 代码。", "Give the EPSG code."),
        "xfer_ui_fields": ("2. 对应字段", "2. Match the fields"),
        "xfer_ui_no_column": ("(无)", "(none)"),
        "xfer_ui_unused": ("未使用的列:{cols}", "Columns not used: {cols}"),
        "xfer_ui_repair": (
            "自动修复无效的面(自相交等)",
            "Repair invalid polygons (self-intersections etc.)",
        ),
        "xfer_ui_checking": ("正在核对…", "Checking…"),
        "xfer_ui_preview": ("3. 预览并确认", "3. Preview and accept"),
        "xfer_ui_new": ("新增", "New"),
        "xfer_ui_replaced": ("替换现有", "Replace existing"),
        "xfer_ui_unchanged": ("无变化", "Unchanged"),
        "xfer_ui_rejected": ("有错误未导入", "Rows with errors"),
        "xfer_ui_preview_legend": (
            "红色:将导入的要素;灰色虚线:将被替换的现有要素。",
            "Red: what would be imported; grey dashed: existing features it replaces.",
        ),
        "xfer_ui_problems": ("逐行检查结果", "Row by row"),
        "xfer_ui_row": ("行", "Row"),
        "xfer_ui_severity": ("级别", "Severity"),
        "xfer_ui_sev_error": ("错误(不导入)", "error (left out)"),
        "xfer_ui_sev_warning": ("注意", "warning"),
        "xfer_ui_sev_info": ("说明", "info"),
        "xfer_ui_message": ("说明", "Message"),
        "xfer_ui_nothing_to_import": ("没有可导入的新内容。", "Nothing new to import."),
        "xfer_ui_accept": ("接受导入({n} 个要素)", "Accept the import ({n} features)"),
        "xfer_ui_accept_partial": (
            "接受导入 {n} 个要素(另有 {rejected} 行有错误,不导入)",
            "Import {n} features (leave out {rejected} rows with errors)",
        ),
        "xfer_ui_note_default": ("导入 {source}", "import of {source}"),
        "xfer_ui_imported": (
            "已导入 {n} 个要素(修改记录 #{seq},可撤销)。",
            "Imported {n} features (change #{seq}, undoable).",
        ),
        "xfer_ui_export_help": (
            "导出的文件可在 QGIS、ArcGIS、奥维、Excel 中打开;整个数据集导出为一个 zip。",
            "Exports open in QGIS, ArcGIS, Ovi maps or Excel; the whole dataset is one zip.",
        ),
        "xfer_ui_export_what": ("导出内容", "What"),
        "xfer_ui_dataset": ("整个数据集", "The whole dataset"),
        "xfer_ui_format": ("格式", "Format"),
        "xfer_ui_headers": ("表头", "Headers"),
        "xfer_ui_headers_field": ("字段名(可再导入)", "Field names (re-importable)"),
        "xfer_ui_headers_zh": ("中文", "Chinese"),
        "xfer_ui_headers_en": ("英文", "English"),
        "xfer_ui_make_file": ("生成文件", "Make the file"),
        "xfer_ui_exporting": ("正在生成…", "Making the file…"),
        "xfer_ui_download": ("下载 {name}({kb} KB)", "Download {name} ({kb} KB)"),
    }
)

# Office tables: title rows, two-row headers, units in headers, 合计 rows, sheets.
TEXT.update(
    {
        "xfer_table_no_header": (
            "{name}:前 {rows} 行里找不到表头(一行列名,如 名称、经度、纬度)。"
            "请在数据上方加一行列名后再上传。",
            "{name}: no header row (a row of column names such as 名称, 经度, 纬度) in the "
            "first {rows} rows. Add a row of column names above the data and upload again.",
        ),
        "xfer_office_title_skipped": (
            "表头上方的标题行已跳过:“{title}”。",
            "The title row above the header was skipped: “{title}”.",
        ),
        "xfer_office_two_rows": (
            "表头占两行(合并单元格),已合并为一行列名:{columns}。",
            "The header takes two rows (merged cells); joined into one row of names: {columns}.",
        ),
        "xfer_office_total_left_out": (
            "第 {row} 行“{label}”是合计行,不作为数据导入。",
            "Row {row} (“{label}”) is a total row and is not imported as data.",
        ),
        "xfer_office_total_agrees": (
            "第 {row} 行“{label}”:合计行与各行之和一致({columns})。",
            "Row {row} (“{label}”): the total row agrees with the sum of the rows ({columns}).",
        ),
        "xfer_office_total_mismatch": (
            "“{label}”行的“{column}”为 {total},而上面各行之和为 {sum},两者不一致。"
            "请核对合计或各行的数字(合计行本身不会导入)。",
            "“{label}” gives {total} for “{column}”, but the rows above add up to {sum}. "
            "Check the total or the rows (the total row itself is not imported).",
        ),
        "xfer_unit_converted": (
            "“{column}”的单位是{unit},{label_zh}按{target}保存:数值已乘以 {factor} 换算。",
            "“{column}” is in {unit}; {label_en} is stored in {target}: values were "
            "multiplied by {factor}.",
        ),
        "xfer_unit_unknown_note": (
            "“{column}”:{label_zh}的单位“{unit}”无法换算,请改为{units_zh}。这一列的数值不会导入。",
            "“{column}”: the unit “{unit}” of {label_en} cannot be converted; use one of "
            "{units_en}. The values of this column are not imported.",
        ),
        "xfer_row_unit_unknown": (
            "{label_zh}的单位“{unit}”无法换算,请改为{units_zh}(值“{value}”)。",
            "the unit “{unit}” of {label_en} cannot be converted; use one of {units_en} "
            "(value “{value}”).",
        ),
        "xfer_sheet_likely": (
            "工作表“{sheet}”像是数据表(表头可识别,{rows} 行),已排在最前;如不对请另选。",
            "Sheet “{sheet}” looks like the data (a recognised header, {rows} rows) and is "
            "listed first; choose another if it is not.",
        ),
        "xfer_row_name_ambiguous": (
            "“{label_zh}”的值“{value}”可以指不止一个对象,不会替您猜测。请在表中改为以下之一"
            "(名称或括号中的编号):{choices}。",
            "'{label_en}' is '{value}', which fits more than one thing; it is not guessed. "
            "Write one of these in the sheet instead (the name or the id in brackets): {choices}.",
        ),
        "xfer_row_name_unknown": (
            "“{label_zh}”的值“{value}”找不到对应的对象。请在表中改为以下之一(名称或括号中的编号):"
            "{choices};如果它还不存在,请先导入它。",
            "'{label_en}' is '{value}', which matches nothing that exists. Write one of these "
            "in the sheet instead (the name or the id in brackets): {choices}; if it does not "
            "exist yet, import it first.",
        ),
        "xfer_row_link_by_normalised_name": (
            "“{label_zh}”的值“{value}”去掉空格、全半角差别和“村”“党支部”等后缀后对应到 {id}。",
            "'{label_en}' was '{value}'; ignoring spaces, full/half width and suffixes such as "
            "村 or 党支部, it is {id}.",
        ),
        "xfer_ui_names_title": ("需要在表中改正的名称", "Names to correct in the sheet"),
        "xfer_ui_names_help": (
            "下列名称对应不到唯一的对象,这些行不会导入。请在表中把每个名称改为“可选”中的一项"
            "(名称或编号),保存后重新上传。",
            "These names do not match exactly one thing, so their rows are not imported. In "
            "the sheet, change each name to one of its choices (name or id), save and upload "
            "again.",
        ),
        "xfer_ui_names_name": ("表中的名称", "Name in the sheet"),
        "xfer_ui_names_field": ("字段", "Field"),
        "xfer_ui_names_problem": ("问题", "Problem"),
        "xfer_ui_names_rows": ("行号", "Rows"),
        "xfer_ui_names_choices": ("可选(按相似度)", "Choices (most similar first)"),
        "xfer_ui_names_ambiguous": ("不止一个对象", "fits several"),
        "xfer_ui_names_unknown": ("找不到", "matches nothing"),
        "xfer_row_link_chosen": (
            "“{label_zh}”的值“{value}”按您在导入页的选择对应到 {id}。",
            "'{label_en}' was '{value}'; it is {id}, as you chose on the import page.",
        ),
        "xfer_ui_names_pick": (
            "或在这里为“{value}”({field},第 {rows} 行)选一项,然后重新检查:",
            "Or choose what “{value}” ({field}, rows {rows}) is here, and it is checked again:",
        ),
        "xfer_ui_names_pick_none": ("不选(在表中改正)", "None (correct the sheet)"),
        "xfer_ui_names_chosen": ("已选择:{pairs}", "Chosen: {pairs}"),
        # --- coordinate systems judged by evidence (crs_evidence) ---
        "xfer_crs_ev_kml": (
            "KML 规定为 WGS84 经纬度(但很多软件导出的 KML 实为 GCJ-02)。",
            "KML is defined as WGS84 longitude/latitude (but many tools export GCJ-02 into it).",
        ),
        "xfer_crs_ev_declared_wgs84": (
            "{source} 声明 WGS84({crs})。",
            "The {source} declares WGS84 ({crs}).",
        ),
        "xfer_crs_ev_declared_cgcs2000": (
            "{source} 声明 CGCS2000 经纬度({crs}),与 WGS84 相差不到 1 米。",
            "The {source} declares CGCS2000 longitude/latitude ({crs}), within a metre of WGS84.",
        ),
        "xfer_crs_ev_declared_old": (
            "{source} 声明经纬度坐标系 {crs}:北京54/西安80 的经纬度与 WGS84 相差可达约 100 米,"
            "且没有已知的转换参数,因此按经纬度原样读取,由与本乡数据的吻合程度或由您来判断。",
            "The {source} declares the geographic CRS {crs}: Beijing 1954/Xian 1980 longitude/"
            "latitude differ from WGS84 by up to about 100 m and no transformation parameters "
            "are known, so the numbers are read as they are; the fit with the township's data, "
            "or you, decide.",
        ),
        "xfer_crs_ev_name_gcj02": (
            "文件名或列名含'{word}'(高德/腾讯地图用 GCJ-02)——仅作线索。",
            "The file or column names contain '{word}' (AMap/Tencent use GCJ-02): a clue only.",
        ),
        "xfer_crs_ev_name_bd09": (
            "文件名或列名含'{word}'(百度地图用 BD-09)——仅作线索。",
            "The file or column names contain '{word}' (Baidu uses BD-09): a clue only.",
        ),
        "xfer_crs_ev_coord_gcj02": (
            "坐标列名含'{word}',标明是 GCJ-02 坐标。",
            "The coordinate columns' names contain '{word}', labelling them GCJ-02.",
        ),
        "xfer_crs_ev_coord_bd09": (
            "坐标列名含'{word}',标明是 BD-09 坐标。",
            "The coordinate columns' names contain '{word}', labelling them BD-09.",
        ),
        "xfer_crs_ev_match": (
            "{n} 个要素按编号或名称对应到本乡已有要素,与其位置的中位距离:{dists}。",
            "{n} features match existing ones by id or name; median distance to them: {dists}.",
        ),
        "xfer_crs_ev_outline": (
            "边界顶点到已有乡界/村界的中位距离:{dists}。",
            "Median distance of the outline vertices to the stored township/village lines: "
            "{dists}.",
        ),
        "xfer_crs_ev_village": (
            "{n} 个点写明了所在村,落在该村内的:{hits}。",
            "{n} points name their village; landing in it: {hits}.",
        ),
        "xfer_crs_ev_inside": (
            "落在乡域内的要素(共 {total} 个,最弱的依据):{counts}。",
            "Features inside the township (of {total}; the weakest evidence): {counts}.",
        ),
        "xfer_crs_choose_match": (
            "按 {choice} 读取:与已有要素的中位距离不超过 {limit} 米,且比其他坐标系至少好 {margin} 倍。",
            "Read as {choice}: the median distance to the existing features is at most "
            "{limit} m and at least {margin}× better than any other coordinate system.",
        ),
        "xfer_crs_choose_outline": (
            "按 {choice} 读取:边界与已有乡界/村界的中位距离不超过 {limit} 米,且比其他坐标系至少好 {margin} 倍。",
            "Read as {choice}: the outlines lie within {limit} m (median) of the stored "
            "township/village lines, at least {margin}× closer than under any other system.",
        ),
        "xfer_crs_choose_village": (
            "按 {choice} 读取:写明所在村的点按它读取时明显更多地落在各自的村内。",
            "Read as {choice}: clearly more of the points that name their village land in it.",
        ),
        "xfer_crs_reason_fit_inside": (
            "按 {choice} 读取:只有它使全部 {total} 个要素都落在乡域内(其他最多 {wgs} 个)。这是较弱的依据,请在预览中核对。",
            "Read as {choice}: only it puts all {total} features inside the township (the "
            "others at most {wgs}). This is weak evidence; check the preview.",
        ),
        "xfer_crs_conflict": (
            "文件标明的是 {label},但与本乡数据的吻合程度表明是 {choice},两者不一致:已按吻合程度选择 {choice},请核对。",
            "The file is labelled {label}, but the fit with the township's data says "
            "{choice}; they disagree, and {choice} was chosen because it fits. Please check.",
        ),
        "xfer_crs_name_overruled": (
            "文件名或列名中的线索与吻合程度不符,未采用。",
            "The clue in the file or column names does not fit the data and was not followed.",
        ),
        "xfer_crs_follow_label": (
            "按文件标明的 {choice} 读取:与本乡已有数据比较无法区分各坐标系(没有可对应的要素)。"
            "如数据实际来自高德/腾讯或百度地图,请改选 GCJ-02 或 BD-09。",
            "Read as {choice}, as the file is labelled: comparing with the township's data "
            "cannot tell the systems apart (nothing to match). If the data really came from "
            "AMap/Tencent or Baidu, choose GCJ-02 or BD-09.",
        ),
        "xfer_crs_ask_nothing": (
            "无法确定坐标系:WGS84、GCJ-02、BD-09 相差只有几百米,而文件中没有能与本乡已有数据对应的要素"
            "(编号、名称、所在村),也没有标明坐标系。请在下面选择(数据取自高德/腾讯地图选 GCJ-02,"
            "百度地图选 BD-09,GPS/天地图/奥维选 WGS84),并在预览中核对位置。",
            "The coordinate system cannot be told: WGS84, GCJ-02 and BD-09 differ by only a "
            "few hundred metres, and the file has nothing that matches the township's data "
            "(ids, names, villages) and no label. Choose below (GCJ-02 for AMap/Tencent, "
            "BD-09 for Baidu, WGS84 for GPS/Tianditu) and check the positions in the preview.",
        ),
        "xfer_crs_ask_conflict": (
            "无法确定坐标系:文件中的线索互相矛盾或只有文件名提示,而与本乡已有数据比较无法区分"
            "(需中位距离不超过 {limit} 米且好 {margin} 倍以上)。请在下面选择,并在预览中核对位置。",
            "The coordinate system cannot be told: the file's clues disagree or only its name "
            "hints, and comparing with the township's data does not decide (that needs a "
            "median distance of at most {limit} m, {margin}× better than the next). Choose "
            "below and check the positions in the preview.",
        ),
        "xfer_crs_ask_no_township": (
            "无法确定坐标系:本乡还没有可比较的数据(乡界、村、点位),而文件没有标明坐标系。"
            "请在下面选择(高德/腾讯地图选 GCJ-02,百度地图选 BD-09,GPS/天地图/奥维选 WGS84)。",
            "The coordinate system cannot be told: the township has no data to compare with "
            "yet and the file declares none. Choose below (GCJ-02 for AMap/Tencent, BD-09 "
            "for Baidu, WGS84 for GPS/Tianditu).",
        ),
        "xfer_crs_ui_undecided": (
            "尚未选择坐标系:请从下列选项中选择。",
            "No coordinate system chosen yet: choose one of the options.",
        ),
        "xfer_crs_ev_geojson": (
            "GeoJSON 规定为 WGS84 经纬度(但网上地图导出的 GeoJSON 常为 GCJ-02)。",
            "GeoJSON is defined as WGS84 longitude/latitude (but GeoJSON from online maps is "
            "often GCJ-02).",
        ),
        "xfer_crs_ask_unclear": (
            "无法确定坐标系:与本乡已有数据比较后,没有一个坐标系明显更吻合(需中位距离不超过 {limit} 米,"
            "且比其他坐标系好 {margin} 倍以上)。请在下面选择,并在预览中核对位置。",
            "The coordinate system cannot be told: compared with the township's data, none "
            "fits clearly better (that needs a median distance of at most {limit} m, {margin}× "
            "better than the next). Choose below and check the positions in the preview.",
        ),
        "xfer_crs_gk_tried": (
            "坐标是不带带号的投影坐标(米),已按本乡附近的 CGCS2000 高斯-克吕格中央经线试算:{codes}。",
            "The numbers are projected metres without a zone prefix; the CGCS2000 "
            "Gauss-Krüger central meridians near the township were tried: {codes}.",
        ),
        "xfer_plan_snap_possible": (
            "有 {count} 处窄于 {tol} 米的缝隙、重叠或出界部分(共 {area_m2} 平方米,约 {mu} 亩),勾选“对齐”可一并修正。",
            "{count} gaps, overlaps or slivers outside the township narrower than {tol} m "
            "({area_m2} m², about {mu} mu) can be snapped: tick the snapping option.",
        ),
        "xfer_plan_snap_fixed": (
            "已对齐 {count} 处窄于 {tol} 米的缝隙、重叠和出界部分,共 {area_m2} 平方米(约 {mu} 亩)。请在预览中核对。",
            "Snapped {count} gaps, overlaps and slivers outside the township narrower than "
            "{tol} m, {area_m2} m² (about {mu} mu) in all. Check them in the preview.",
        ),
        "xfer_row_snapped": (
            "边界已与相邻村和乡界对齐(窄于 {tol} 米的缝隙、重叠或出界部分)。",
            "the boundary was snapped to its neighbours and the township edge (gaps, overlaps "
            "or slivers narrower than {tol} m).",
        ),
        "xfer_plan_tiling_gap": (
            "导入后第 {n} 处缺口:{area_m2} 平方米(约 {mu} 亩)不属于任何村,位于 {lon}, {lat} 附近{beside}。",
            "After the import, gap no. {n}: {area_m2} m² (about {mu} mu) belongs to no village, "
            "near {lon}, {lat}{beside}.",
        ),
        "xfer_plan_tiling_overlap": (
            "导入后第 {n} 处重叠:{villages} 重叠 {area_m2} 平方米(约 {mu} 亩),位于 {lon}, {lat} 附近。",
            "After the import, overlap no. {n}: {villages} overlap by {area_m2} m² (about {mu} "
            "mu), near {lon}, {lat}.",
        ),
        "xfer_plan_tiling_spill": (
            "导入后第 {n} 处出界:{villages} 有 {area_m2} 平方米(约 {mu} 亩)在乡镇边界之外,位于 {lon}, {lat} 附近。",
            "After the import, part no. {n} outside the township: {villages} extends {area_m2} "
            "m² (about {mu} mu) beyond the boundary, near {lon}, {lat}.",
        ),
        "xfer_plan_tiling_more": (
            "另有 {count} 处缺口、重叠或出界,共 {area_m2} 平方米(约 {mu} 亩),见数据检查。",
            "{count} more gaps, overlaps or parts outside, {area_m2} m² (about {mu} mu) in all; "
            "see the data check.",
        ),
        "xfer_ui_snap": (
            "把小于 {tol} 米的缝隙和重叠对齐",
            "Snap gaps and overlaps narrower than {tol} m",
        ),
        "xfer_plan_snap_left": (
            "第 {n} 处{kind_zh}约 {mu} 亩({area_m2} 平方米),位于 {lon}, {lat} 附近,宽于 {tol} 米,需人工核对。",
            "Wide {kind_en} no. {n}: about {mu} mu ({area_m2} m²) near {lon}, {lat}, wider than "
            "{tol} m: check it by hand.",
        ),
        # --- plans (一村一业) and industry chains from Excel ---
        "xfer_pt_where": ("工作表“{sheet}”第 {row} 行", "Sheet '{sheet}', row {row}"),
        "xfer_pt_where_sheet": ("工作表“{sheet}”", "Sheet '{sheet}'"),
        "xfer_pt_not_xlsx": (
            "文件 {name} 不是 Excel 工作簿(.xlsx)。请用下载的规划模板填写后上传。",
            "{name} is not an Excel workbook (.xlsx). Fill in the downloaded plan template "
            "and upload it.",
        ),
        "xfer_pt_unknown_village": (
            "工作表名“{sheet}”不是本乡的村名,该表未导入。请把工作表改名为村名(相近的有:{candidates})。",
            "The sheet name '{sheet}' is not a village of the township, so the sheet was not "
            "imported. Rename the sheet to the village's name (similar: {candidates}).",
        ),
        "xfer_pt_ambiguous_village": (
            "工作表名“{sheet}”可指多个村:{candidates}。请改为完整村名或村代码。",
            "The sheet name '{sheet}' fits several villages: {candidates}. Rename it to the "
            "full village name or its code.",
        ),
        "xfer_pt_duplicate_village": (
            "工作表“{sheet}”与“{other}”都是{village}的规划,只读取了“{other}”。请删去重复的工作表。",
            "Sheets '{sheet}' and '{other}' are both the plan of {village}; only '{other}' was "
            "read. Delete the duplicate sheet.",
        ),
        "xfer_pt_no_blocks": (
            "没有找到“主导产业”“年度”“措施”“节点”等标题,无法读取本表。请使用下载的模板填写。",
            "None of the headings 主导产业, 年度, 措施 or 节点 was found, so the sheet cannot be "
            "read. Fill in the downloaded template.",
        ),
        "xfer_pt_no_industry": (
            "没有填写主导产业。请在“主导产业”右侧的格子中填写。",
            "The leading industry is missing. Fill in the cell right of 主导产业.",
        ),
        "xfer_pt_bad_year": (
            "年度“{value}”不是年份。请填写四位年份,如 2025。",
            "The year '{value}' is not a year. Write four digits, such as 2025.",
        ),
        "xfer_pt_no_year": (
            "目标“{value}”没有填写年度。请填写年份,或删除该行。",
            "The goal '{value}' has no year. Fill in the year or delete the row.",
        ),
        "xfer_pt_no_goal_text": (
            "年度 {value} 的目标内容为空。请填写目标,或删除该行。",
            "The goal of year {value} has no text. Write the goal or delete the row.",
        ),
        "xfer_pt_unknown_indicator": (
            "指标“{value}”不在指标目录中。请从下拉列表中选择(相近的有:{candidates})。",
            "The indicator '{value}' is not in the catalogue. Pick one from the drop-down "
            "list (similar: {candidates}).",
        ),
        "xfer_pt_bad_target": (
            "目标值“{value}”不是数字。请只填写数字(单位见“说明”表),或留空。",
            "The target '{value}' is not a number. Write only the number (units are on the "
            "说明 sheet) or leave it blank.",
        ),
        "xfer_pt_bad_date": (
            "完成时间“{value}”不是日期。请写成 2025-06-30、2025年6月30日 或 2025年6月。",
            "The due date '{value}' is not a date. Write it as 2025-06-30, 2025年6月30日 or "
            "2025年6月.",
        ),
        "xfer_pt_bad_status": (
            "状态“{value}”无法识别。请填写 已完成、推进中、未开始 或 滞后。",
            "The status '{value}' is not known. Write 已完成 (done), 推进中 (in progress), "
            "未开始 (not started) or 滞后 (delayed).",
        ),
        "xfer_pt_no_milestone_name": (
            "完成时间为“{value}”的节点没有名称。请填写节点,或删除该行。",
            "The milestone due '{value}' has no name. Name it or delete the row.",
        ),
        "xfer_pt_item_new": ("新建规划", "New plan"),
        "xfer_pt_item_industry": ("主导产业", "Leading industry"),
        "xfer_pt_item_summary": ("发展思路", "Summary"),
        "xfer_pt_item_goals": ("发展目标", "Goals"),
        "xfer_pt_item_measures": ("主要措施", "Measures"),
        "xfer_pt_item_milestones": ("时间节点", "Milestones"),
        "xfer_pt_guide": (
            "填写说明:每个村一张工作表,工作表名为村名,请勿改名。"
            "“主导产业”“发展思路”填在右侧格子;目标、措施、节点表可增删行,空行会被忽略。"
            "“指标”请从下拉列表选择(见下方指标目录);完成时间可写 2025-06-30、2025年6月30日 或 2025年6月;"
            "状态填 已完成、推进中、未开始 或 滞后。删除某村的工作表不会删除该村现有规划。",
            "How to fill in: one sheet per village, named by the village; do not rename it. "
            "Write the leading industry and the summary in the cell to their right; goals, "
            "measures and milestones may gain or lose rows (empty rows are ignored). Pick the "
            "indicator from the drop-down list (catalogue below); dates as 2025-06-30, "
            "2025年6月30日 or 2025年6月; status 已完成, 推进中, 未开始 or 滞后. Deleting a "
            "village's sheet does not delete its plan.",
        ),
        "xfer_ct_missing_columns": (
            "表格 {name} 缺少列:{missing}(找到的列:{columns})。请使用下载的产业链模板,"
            "或把列名改为 产业链、主导产业、环节序号、环节、依托基地。",
            "{name} lacks the columns {missing} (found: {columns}). Use the downloaded chains "
            "template, or name the columns 产业链, 主导产业, 环节序号, 环节, 依托基地.",
        ),
        "xfer_ct_empty": (
            "表格 {name} 中没有产业链环节。请在表头下按行填写,每行一个环节。",
            "{name} holds no chain stages. Write one stage per row under the header.",
        ),
        "xfer_ct_no_chain": (
            "没有产业链名称。请填写“产业链”,或删除该行。",
            "The chain's name is missing. Fill in 产业链 or delete the row.",
        ),
        "xfer_ct_no_stage": (
            "环节名称为空。请填写“环节”,或删除该行。",
            "The stage's name is missing. Fill in 环节 or delete the row.",
        ),
        "xfer_ct_bad_seq": (
            "环节序号“{value}”不是正整数。请填写 1、2、3 …,或留空按行的顺序排列。",
            "The stage number '{value}' is not a positive whole number. Write 1, 2, 3 … or "
            "leave it blank to keep the rows' order.",
        ),
        "xfer_ct_duplicate_seq": (
            "产业链“{chain}”的第 {value} 环节出现了两次。请改正环节序号。",
            "Chain '{chain}' has stage {value} twice. Correct the stage numbers.",
        ),
        "xfer_ct_no_industry": (
            "产业链“{value}”没有填写主导产业。请在“主导产业”列填写。",
            "Chain '{value}' has no leading industry. Fill in the 主导产业 column.",
        ),
        "xfer_ct_no_site": (
            "环节“{value}”没有填写依托基地。请填写点位名称。",
            "Stage '{value}' has no site. Write the site's name.",
        ),
        "xfer_ct_unknown_site": (
            "依托基地“{value}”在点位中找不到(相近的有:{candidates})。请改为准确的名称,或先导入该点位。",
            "The site '{value}' is not among the sites (similar: {candidates}). Write its "
            "exact name, or import the site first.",
        ),
        "xfer_ct_ambiguous_site": (
            "依托基地“{value}”对应多个点位:{candidates}。请写成带编号的形式,如“{example}”。",
            "The site '{value}' fits several sites: {candidates}. Write it with its id, such "
            "as '{example}'.",
        ),
        "xfer_ct_ambiguous_chain": (
            "产业链“{value}”对应多条现有产业链:{candidates}。请写成带编号的形式,如“{example}”。",
            "The chain '{value}' fits several chains: {candidates}. Write it with its id, "
            "such as '{example}'.",
        ),
        "xfer_ui_import_what": ("导入内容", "What to import"),
        "xfer_ui_kind_layers": ("地理数据", "Geodata"),
        "xfer_ui_kind_plans": ("一村一业规划", "Village plans"),
        "xfer_ui_kind_chains": ("产业链", "Industry chains"),
        "xfer_ui_kind_indicators": ("指标", "Indicators"),
        "xfer_ui_plans_help": (
            "下载规划模板(每个村一张工作表,已填入现有规划),请村党支部书记填写后上传。"
            "预览每个村的修改,确认后才保存。",
            "Download the plan template (one sheet per village, filled with the current "
            "plans), have each village fill it in, and upload it. Each village's changes are "
            "previewed; nothing is saved until you accept.",
        ),
        "xfer_ui_plans_template": ("生成规划模板(Excel)", "Make the plan template (Excel)"),
        "xfer_ui_plans_file": ("上传填好的规划表(.xlsx)", "Upload the filled-in plans (.xlsx)"),
        "xfer_ui_plans_reading": ("正在读取规划表…", "Reading the plans…"),
        "xfer_ui_plans_village": ("{village}:{n} 项修改", "{village}: {n} changes"),
        "xfer_ui_plans_unchanged": (
            "没有变化的村:{villages}",
            "Villages without changes: {villages}",
        ),
        "xfer_ui_plans_blocked": (
            "以下村的规划有问题,本次不导入:{villages}。改正后重新上传。",
            "These villages' plans have problems and are not imported: {villages}. Correct "
            "them and upload again.",
        ),
        "xfer_ui_plans_nothing": (
            "规划表与现有规划一致,没有需要保存的修改。",
            "The workbook matches the current plans; there is nothing to save.",
        ),
        "xfer_ui_plans_accept": ("接受并保存 {n} 个村的规划", "Accept and save {n} village plans"),
        "xfer_ui_plans_saved": (
            "已保存 {n} 个村的规划(修改记录 #{seq})。",
            "Saved {n} village plans (change #{seq}).",
        ),
        "xfer_ui_plans_note": ("从 {source} 导入规划", "Plans imported from {source}"),
        "xfer_ui_item": ("项目", "Item"),
        "xfer_ui_before": ("原来", "Before"),
        "xfer_ui_after": ("导入后", "After"),
        "xfer_ui_message": ("问题", "Problem"),
        "xfer_ui_chains_help": (
            "下载产业链模板(已填入现有产业链和环节),或直接上传业务科室的产业链表格:"
            "列为 产业链、主导产业、环节序号、环节、依托基地(点位名称)。表中的产业链整条替换,其余不变。",
            "Download the chains template (filled with the current chains and stages), or "
            "upload the office's own table with the columns 产业链, 主导产业, 环节序号, 环节, "
            "依托基地 (the site's name). Each chain in the table is replaced whole; others stay.",
        ),
        "xfer_ui_chains_template": ("生成产业链模板(Excel)", "Make the chains template (Excel)"),
        "xfer_ui_chains_file": (
            "上传产业链表格(.xlsx 或 .csv)",
            "Upload the chains table (.xlsx or .csv)",
        ),
        "xfer_ui_chains_reading": ("正在读取产业链表格…", "Reading the chains table…"),
        "xfer_ui_chain_new": ("{chain}(新增,编号 {id})", "{chain} (new, id {id})"),
        "xfer_ui_chain_existing": ("{chain}(编号 {id})", "{chain} (id {id})"),
        "xfer_ui_chains_nothing": (
            "表格与现有产业链一致,没有需要保存的修改。",
            "The table matches the current chains; there is nothing to save.",
        ),
        "xfer_ui_chains_accept": (
            "接受并保存 {chains} 条产业链的修改",
            "Accept and save the changes to {chains} chains",
        ),
        "xfer_ui_chains_saved": (
            "已保存 {chains} 条产业链的修改。",
            "Saved the changes to {chains} chains.",
        ),
        "xfer_ui_chains_note": ("从 {source} 导入产业链", "Chains imported from {source}"),
        "xfer_ui_stage_headers": ("环节序号|环节|依托基地", "Order|Stage|Site"),
        "xfer_ui_candidates": ("可选", "Could be"),
        "xfer_ui_chains_skipped": (
            "以下产业链有问题,本次不导入:{chains}。改正后重新上传。",
            "These chains have problems and are not imported: {chains}. Correct them and "
            "upload again.",
        ),
        "xfer_pt_item_other": ("其他(表中未显示的内容)", "Other (not shown in the sheet)"),
        "xfer_ct_duplicate_chain": (
            "产业链“{value}”与“{other}”是同一条产业链。请把它的环节写在同一个名称下。",
            "The chain '{value}' is the same chain as '{other}'. Write its stages under one name.",
        ),
        # --- indicator tables (transfer/indicator_tables.py) ---
        "xfer_ind_where": ("工作表“{sheet}”第 {row} 行", "sheet '{sheet}', row {row}"),
        "xfer_ind_place_unknown": (
            "“{name}”不是本乡的村或乡本身。请改成村名或村代码(可能是:{choices}),或在下方选择。",
            "'{name}' is not a village of the township nor the township itself. Write a "
            "village name or code (perhaps: {choices}), or choose below.",
        ),
        "xfer_ind_place_ambiguous": (
            "“{name}”可以指几个村:{choices}。请在表中写村代码或完整村名,或在下方选择。",
            "'{name}' could be several villages: {choices}. Write the village code or full "
            "name in the sheet, or choose below.",
        ),
        "xfer_ind_column_unmatched": (
            "列“{column}”不是指标目录中的指标,未导入。如需导入,请改成目录中的指标名,或作为新指标加入目录。",
            "Column '{column}' is not an indicator of the catalogue and was not imported. "
            "Rename it to a catalogue indicator, or add it to the catalogue as a new one.",
        ),
        "xfer_ind_unit": (
            "列“{column_name}”的单位“{unit}”无法换算为指标“{label}”的单位“{catalogue_unit}”。"
            "请把表头改成可换算的单位(如 元、万元、亩、公顷),或把数值换算后再上传。",
            "Column '{column_name}': unit '{unit}' cannot be converted to the unit "
            "'{catalogue_unit}' of indicator '{label}'. Use a unit that converts (such as 元, "
            "万元, 亩, 公顷) in the header, or convert the values before uploading.",
        ),
        "xfer_ind_not_number": (
            "列“{column_name}”的“{value_text}”不是数字。请填数字,没有数据的留空或写“—”。",
            "Column '{column_name}': '{value_text}' is not a number. Type a number, or leave "
            "it blank (or '—') where there is no figure.",
        ),
        "xfer_ind_no_year": (
            "不知道工作表“{sheet_name}”是哪一年的数据。请加一列“年度”,或在标题、工作表名或表头中写明年份(如 2025年)。",
            "The year of sheet '{sheet_name}' is not given. Add a 年度 (year) column, or write "
            "the year in the title, the sheet name or the header (e.g. 2025年).",
        ),
        "xfer_ind_bad_year": (
            "年份“{year}”不是 1949 至 2100 之间的年份。请改正。",
            "'{year}' is not a year between 1949 and 2100. Correct it.",
        ),
        "xfer_ind_duplicate": (
            "{place} {year} 年的“{label}”出现两次且不相同:{first}(工作表“{first_sheet}”第 "
            "{first_row} 行)和 {second}。请只保留一个。",
            "{place}, {year}, '{label}' is given twice with different figures: {first} (sheet "
            "'{first_sheet}', row {first_row}) and {second}. Keep only one.",
        ),
        "xfer_ind_total_mismatch": (
            "“{label}”行的“{column_name}”合计为 {total},但上面各行相加为 {computed}。"
            "请核对各村数字或合计后再上传;合计不会被导入。",
            "The '{label}' row gives {total} for '{column_name}', but the rows above add up "
            "to {computed}. Check the villages' figures or the total and upload again; totals "
            "are never imported.",
        ),
        "xfer_ind_sheet_wide": (
            "工作表“{sheet}”:村为行、指标为列,{rows} 行,年份 {years}。",
            "Sheet '{sheet}': villages as rows, indicators as columns; {rows} rows, years {years}.",
        ),
        "xfer_ind_sheet_transposed": (
            "工作表“{sheet}”:指标为行、村为列,{rows} 行,年份 {years}。",
            "Sheet '{sheet}': indicators as rows, villages as columns; {rows} rows, years {years}.",
        ),
        "xfer_ind_sheet_long": (
            "工作表“{sheet}”:每行一个数(村、年度、指标、数值),{rows} 行,年份 {years}。",
            "Sheet '{sheet}': one figure per row (village, year, indicator, value); {rows} "
            "rows, years {years}.",
        ),
        "xfer_ind_no_place_column": (
            "工作表“{sheet}”中找不到村名或村代码列(现有列:{columns})。请加一列“村名”或“村代码”。",
            "Sheet '{sheet}' has no village name or code column (columns: {columns}). Add a "
            "村名 (village) or 村代码 (code) column.",
        ),
        "xfer_ind_no_place": (
            "这一行有数字但没有村名或村代码。请填写是哪个村。",
            "This row has figures but no village name or code. Say which village it is.",
        ),
        "xfer_ind_no_indicator": (
            "这一行没有写指标。请填写指标名称。",
            "This row names no indicator. Fill in the indicator.",
        ),
        "xfer_ind_unit_converted": (
            "列“{column}”的数值从 {unit} 换算为 {to}(× {factor})。",
            "Column '{column}': values converted from {unit} to {to} (× {factor}).",
        ),
        "xfer_ind_villages_without": (
            "{year} 年有 {n} 个村没有数据:{names}。",
            "{year}: {n} villages without figures: {names}.",
        ),
        "xfer_ind_rows_checked": (
            "共检查 {sheets} 个工作表的 {rows} 行数据。",
            "{rows} data rows checked in {sheets} sheets.",
        ),
        "xfer_ind_not_ok": (
            "表格还有 {n} 个错误,未导入任何数据。请改正后重新上传。",
            "The table still has {n} errors; nothing was imported. Correct them and upload again.",
        ),
        "xfer_ind_stale": (
            "预览之后数据已被修改({record}),未导入。请重新预览后再接受。",
            "The data changed after the preview ({record}); nothing was imported. Preview again "
            "and accept.",
        ),
        "xfer_ind_new_key": (
            "新指标(列“{column}”)的代码“{code}”无效:请用 2 到 40 个小写英文字母、数字或下划线,以字母开头。",
            "New indicator for column '{column}': key '{code}' is not valid. Use 2 to 40 "
            "lower-case letters, digits or underscores, starting with a letter.",
        ),
        "xfer_ind_new_exists": (
            "新指标(列“{column}”)的代码“{code}”已在指标目录中。请换一个代码,或把列名改成该指标的名称。",
            "New indicator for column '{column}': key '{code}' is already in the catalogue. "
            "Choose another key, or rename the column to that indicator.",
        ),
        "xfer_ind_new_label": (
            "新指标(列“{column}”)需要中文和英文名称。",
            "New indicator for column '{column}' needs a Chinese and an English name.",
        ),
        "xfer_ind_new_aggregate": (
            "新指标(列“{column}”)的全乡合计方式“{aggregate}”无效,应为 {allowed}。",
            "New indicator for column '{column}': township total '{aggregate}' is not valid; "
            "use {allowed}.",
        ),
        # --- indicator template (transfer/indicator_template.py) ---
        "xfer_tpl_title": (
            "{township}{year}年各村指标填报表",
            "{township}: indicators of {year} by village",
        ),
        "xfer_tpl_code": ("村代码", "Village code"),
        "xfer_tpl_name": ("村名", "Village"),
        "xfer_tpl_note_1": (
            "在“指标填报 {year}”工作表中,每个村一行,最后一行是全乡。请在各指标列填写 {year} 年的数字,没有数据的留空。",
            "In the sheet '指标填报 {year}', each village has a row and the last row is the "
            "township. Type {year}'s figures in the indicator columns; leave a cell blank "
            "where there is no figure.",
        ),
        "xfer_tpl_note_2": (
            "表头括号中是单位(如 万元)。数字可以按表头的单位填写;如用其他单位(如 元),把表头括号中的单位一并改掉,导入时会换算。",
            "The unit is in brackets in the header (such as 万元). Type figures in that unit; "
            "if you use another (such as 元), change the unit in the header too and it is "
            "converted on import.",
        ),
        "xfer_tpl_note_3": (
            "“目标”列已填入现有的 {year} 年目标,可以修改。不要改动村代码、村名和表头中的指标名。",
            "The 目标 (target) columns hold the targets already set for {year}; you may change "
            "them. Do not change the village codes, names or the indicator names in the header.",
        ),
        "xfer_tpl_note_4": (
            "填好后在“数据编辑 → 导入 → 指标”中上传本文件,预览无误后点“接受导入”。",
            "When done, upload this file under 数据编辑 (Edit data) → Import → Indicators, "
            "check the preview and accept.",
        ),
        # --- indicator import preview (transfer/indicator_preview.py) ---
        "xfer_ind_col_place": ("村(乡)", "Village or township"),
        "xfer_ind_col_year": ("年份", "Year"),
        "xfer_ind_col_indicator": ("指标", "Indicator"),
        "xfer_ind_col_value": ("数值(原 → 新)", "Value (before → after)"),
        "xfer_ind_col_target": ("目标(原 → 新)", "Target (before → after)"),
        "xfer_ind_col_status": ("变化", "Change"),
        "xfer_ind_col_row": ("来源(工作表 · 行)", "From (sheet · row)"),
        "xfer_ind_status_new": ("新增", "New"),
        "xfer_ind_status_replace": ("替换", "Replaced"),
        "xfer_ind_status_unchanged": ("不变", "Unchanged"),
        "xfer_ind_sheet_skipped": (
            "工作表“{sheet}”没有村名或村代码列,已跳过。",
            "Sheet '{sheet}' has no village name or code column and was skipped.",
        ),
        "xfer_xls_damaged": (
            "无法读取旧版 Excel 文件 {name}({detail})。请在 Excel 或 WPS 中打开,另存为 .xlsx 或 .xls 后再上传。",
            "The old-style Excel file {name} cannot be read ({detail}). Open it in Excel or "
            "WPS, save it again as .xlsx or .xls and upload that.",
        ),
        "xfer_xls_not_workbook": (
            "{name} 是 Office 97–2003 格式的文件,但不是 Excel 工作簿(可能是 Word 文档)。"
            "请上传 Excel 表格(.xls、.xlsx)或 CSV。",
            "{name} is an Office 97–2003 file but not an Excel workbook (a Word document?). "
            "Upload the Excel table (.xls, .xlsx) or a CSV.",
        ),
        "xfer_xls_encrypted": (
            "{name} 设置了打开密码,无法读取。请在 Excel 或 WPS 中输入密码打开,在“文件 › 信息 › 保护工作簿”"
            "(WPS:“文件 › 文档加密”)中删除密码并保存,再上传。",
            "{name} is protected with a password and cannot be read. Open it in Excel or WPS "
            "with the password, remove it (File › Info › Protect Workbook; WPS: File › "
            "Document Encryption), save and upload again.",
        ),
        "xfer_pair_order_unknown": (
            "“{column}”列每格是一对坐标,但从数值看不出哪个是经度、哪个是纬度(都在 ±90 之内,"
            "且不像中国范围:经度 73–135,纬度 18–54)。请在下方选择顺序:高德拾取器是“经度,纬度”,"
            "百度、腾讯拾取器常是“纬度,经度”。",
            "The column “{column}” holds a coordinate pair in each cell, but the values do not "
            "tell which is the longitude (both are within ±90 and do not look like China: "
            "longitude 73–135, latitude 18–54). Choose the order below: AMap's picker writes "
            "“longitude,latitude”, Baidu's and Tencent's pickers often “latitude,longitude”.",
        ),
        "xfer_pair_lonlat": (
            "“{column}”列每格一对坐标,按数值判断为“经度,纬度”顺序(如高德坐标拾取器)。",
            "The column “{column}” holds one pair per cell, read as “longitude,latitude” "
            "by its values (as AMap's picker writes it).",
        ),
        "xfer_pair_latlon": (
            "“{column}”列每格一对坐标,按数值判断为“纬度,经度”顺序(如百度、腾讯坐标拾取器)。",
            "The column “{column}” holds one pair per cell, read as “latitude,longitude” "
            "by its values (as Baidu's and Tencent's pickers write it).",
        ),
        "xfer_ui_pair_order": (
            "每格坐标的顺序",
            "Order of the numbers in each cell",
        ),
        "xfer_ui_pair_lonlat": (
            "经度,纬度(高德)",
            "longitude,latitude (AMap)",
        ),
        "xfer_ui_pair_latlon": (
            "纬度,经度(百度、腾讯)",
            "latitude,longitude (Baidu, Tencent)",
        ),
        "xfer_pair_lonlat_chosen": (
            "“{column}”列每格一对坐标,按您的选择读作“经度,纬度”。",
            "The column “{column}” holds one pair per cell, read as “longitude,latitude” "
            "as you chose.",
        ),
        "xfer_pair_latlon_chosen": (
            "“{column}”列每格一对坐标,按您的选择读作“纬度,经度”。",
            "The column “{column}” holds one pair per cell, read as “latitude,longitude” "
            "as you chose.",
        ),
        "xfer_ui_candidates_compare": (
            "在地图上对比各坐标系",
            "Compare the coordinate systems on the map",
        ),
        "xfer_ui_candidates_title": (
            "各坐标系下的位置",
            "Where the file lands under each system",
        ),
        "xfer_ui_candidates_help": (
            "下图把文件按每种可能的坐标系各画一遍(不同颜色),叠在本乡现有的村界上:哪种颜色落在它应在的"
            "位置(点在所写的村里、边界与已有乡界重合),就选哪种坐标系。",
            "The map draws the file once under each possible coordinate system (one colour "
            "each) over the township's villages: choose the system whose colour lands where "
            "the features belong (points in the village they name, outlines on the boundary).",
        ),
        "xfer_ui_candidate_line": (
            "{colour}:{crs} — 落在乡内 {inside}/{total}{mark}",
            "{colour}: {crs} — {inside} of {total} inside the township{mark}",
        ),
        "xfer_ui_candidate_line_no_township": (
            "{colour}:{crs}{mark}",
            "{colour}: {crs}{mark}",
        ),
        "xfer_ui_candidate_suggested": ("(建议)", " (suggested)"),
        "xfer_colour_0": ("橙色", "orange"),
        "xfer_colour_1": ("蓝色", "blue"),
        "xfer_colour_2": ("绿色", "green"),
        "xfer_colour_3": ("粉色", "pink"),
        "xfer_colour_4": ("天蓝色", "sky blue"),
        "xfer_colour_5": ("朱红色", "vermilion"),
    }
)

# --- photos (issue 20): checked and re-encoded in the upload worker ---
TEXT.update(
    {
        "xfer_photo_format": (
            "文件 {name} 不是支持的照片格式(扩展名 {ext})。支持 JPEG、PNG、WebP{heic_zh}。"
            "请在手机或电脑上另存为 JPEG 后再上传。",
            "{name} (extension {ext}) is not a photo format we accept. Accepted: JPEG, PNG, "
            "WebP{heic_en}. Save it as JPEG on the phone or computer and upload again.",
        ),
        "xfer_photo_heic_unavailable": (
            "本系统无法读取 HEIC 照片 {name}。请在手机上把照片导出为 JPEG(iPhone:设置 → 相机 → "
            "格式 → 兼容性最佳),再上传。",
            "HEIC photos such as {name} cannot be read here. Export the photo as JPEG on the "
            "phone (iPhone: Settings → Camera → Formats → Most Compatible) and upload again.",
        ),
        "xfer_photo_magic": (
            "文件 {name} 的内容不是它的扩展名所说的 {ext} 图片(内容像是 {found})。"
            "文件可能被改了名或已损坏;请用相机或相册原文件重新上传。",
            "{name} is not the {ext} image its name says (its content looks like {found}). "
            "It may have been renamed or damaged; upload the original from the camera or "
            "album.",
        ),
        "xfer_photo_too_large": (
            "照片 {name} 有 {size_mb} MB,超过每张 {limit_mb} MB 的上限。请在手机上选择较小的尺寸,"
            "或压缩后再上传。",
            "The photo {name} is {size_mb} MB, above the limit of {limit_mb} MB per photo. "
            "Choose a smaller size on the phone, or compress it, and upload again.",
        ),
        "xfer_photo_pixels": (
            "照片 {name} 声明的尺寸为 {width}×{height} 像素,超过上限({limit_mp} 百万像素,"
            "每边最多 {limit_side} 像素),未读取。这可能是“解压炸弹”;请上传普通相机照片。",
            "The photo {name} declares {width}×{height} pixels, above the limit ({limit_mp} "
            "megapixels, at most {limit_side} pixels a side), so it was not read. It may be a "
            "decompression bomb; upload an ordinary camera photo.",
        ),
        "xfer_photo_unreadable": (
            "照片 {name} 已损坏或不完整,无法读取({reason})。请重新从相机或相册上传原文件。",
            "The photo {name} is damaged or incomplete and cannot be read ({reason}). Upload "
            "the original from the camera or album again.",
        ),
        "xfer_photo_empty": (
            "文件 {name} 是空的。请重新选择照片。",
            "{name} is empty. Choose the photo again.",
        ),
        "xfer_photo_limit_count": (
            "{feature} 已有 {existing} 张照片,再加 {adding} 张会超过每处 {limit} 张的上限。"
            "请先删除几张旧照片,或少选几张。",
            "{feature} has {existing} photos; {adding} more would pass the limit of {limit} "
            "per site or organisation. Delete some old photos first, or choose fewer.",
        ),
        "xfer_photo_limit_township": (
            "全乡镇照片已用 {used_mb} MB,再加 {adding_mb} MB 会超过 {limit_mb} MB 的上限。"
            "请删除不再需要的照片,或请管理员调高设置 TOWNSHIP_ATLAS_PHOTO_MAX_TOWNSHIP_MB。",
            "The township's photos take {used_mb} MB; {adding_mb} MB more would pass the limit "
            "of {limit_mb} MB. Delete photos no longer needed, or ask the administrator to "
            "raise TOWNSHIP_ATLAS_PHOTO_MAX_TOWNSHIP_MB.",
        ),
        "xfer_photo_no_feature": (
            "{layer} 中没有编号为 {feature} 的对象,照片未保存。请刷新页面后重新选择。",
            "There is no {feature} in {layer}; the photos were not saved. Reload the page and "
            "choose again.",
        ),
    }
)
