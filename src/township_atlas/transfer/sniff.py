"""Telling what a file is from its first bytes and its name.

Content decides; the extension only breaks ties (a CSV has no magic bytes) and explains
refusals (a lone ``.shp`` needs its ``.dbf`` and ``.shx``). A file whose name says one
thing and whose content another is read by its content, with a note saying so.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from township_atlas.transfer.archive import ZIP_MAGIC
from township_atlas.transfer.errors import UnreadableFile, UnsupportedFormat, UploadRefused

# What we import; "zip" covers zipped Shapefiles, KMZ and zips of other supported files.
FORMATS = ("zip", "xlsx", "xls", "geojson", "gpkg", "kml", "csv")

SQLITE_MAGIC = b"SQLite format 3\x00"
# GeoPackage application_id (SQLite header offset 68): "GPKG", or "GP10"/"GP11" (1.0/1.1).
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls/.doc (a compound document)
SHP_MAGIC = b"\x00\x00\x27\x0a"

EXTENSIONS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".kmz": "zip",
    ".zip": "zip",
    ".gpkg": "gpkg",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xls": "xls",
}
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".sbn", ".sbx", ".qix")
_REMOTE = re.compile(rb"^\s*(/vsi[a-z0-9_]+/|[a-z][a-z0-9+.-]*://)", re.IGNORECASE)
_XML_ROOT = re.compile(rb"<\s*([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def suffix_of(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def _text_head(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes, BOMs removed (UTF-16 folded to its low bytes)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
            return head[2 : len(head) - len(head) % 2].decode(codec).encode("utf-8", "replace")
        except UnicodeDecodeError:
            return head
    return head


def xml_root_name(head: bytes) -> str | None:
    """Local name of the first element of an XML document (skipping the prolog), or None."""
    text = _text_head(head)
    pos = 0
    while True:
        start = text.find(b"<", pos)
        if start < 0:
            return None
        if text[start : start + 2] in (b"<?", b"<!"):
            end = text.find(b">", start)
            if end < 0:
                return None
            pos = end + 1
            continue
        match = _XML_ROOT.match(text, start)
        return match.group(2).decode("ascii", "replace") if match else None


def sniff(name: str, head: bytes, size: int) -> str:
    """The format of a file named ``name`` starting with ``head`` (the first few KB).

    Returns one of :data:`FORMATS`.

    Raises
    ------
    UnreadableFile : the file is empty
    UploadRefused : a GDAL VRT, or text that points at a network or virtual path
    UnsupportedFormat : anything else we do not import, with advice where we have some
    """
    ext = suffix_of(name)
    if size == 0 or not head.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise UnreadableFile("xfer_empty_file", name=name)
    if head.startswith(ZIP_MAGIC):
        # An .xls that is really an .xlsx (renamed, or saved so by some software) too.
        return "xlsx" if ext in (".xlsx", ".xlsm", ".xls") else "zip"
    if head.startswith(SQLITE_MAGIC):
        if head[68:72] in GPKG_APPLICATION_IDS:
            return "gpkg"
        raise UnsupportedFormat("xfer_sqlite_not_gpkg", name=name)
    if head.startswith(OLE_MAGIC):
        # Excel 97–2003 (WPS's .et too); a .doc or other compound document is refused
        # when no workbook stream is found in it (transfer.xls_read.vet_xls).
        return "xls"
    if ext in _SHAPEFILE_PARTS or head.startswith(SHP_MAGIC):
        raise UnsupportedFormat("xfer_shapefile_not_zipped", name=name)
    if ext == ".vrt":
        raise UploadRefused("xfer_vrt", name=name)
    text = _text_head(head).lstrip()
    if _REMOTE.match(text):
        raise UploadRefused("xfer_remote_path", name=name)
    if text.startswith((b"{", b"[")):
        return "geojson"
    if text.startswith(b"<"):
        root = (xml_root_name(text) or "").lower()
        if root in ("ogrvrtdatasource", "vrtdataset"):
            raise UploadRefused("xfer_vrt", name=name)
        if root == "kml":
            return "kml"
        if root == "gpx":
            raise UnsupportedFormat("xfer_gpx", name=name)
        raise UnsupportedFormat("xfer_unknown_xml", name=name, root=root or "?")
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedFormat("xfer_unknown_binary", name=name, ext=ext or "-")
    if ext in (".csv", ".txt", ".tsv"):
        return "csv"
    if ext in EXTENSIONS and EXTENSIONS[ext] != "csv":
        # Named .geojson/.kml/.gpkg/.xlsx/.zip but the content is none of those.
        raise UnreadableFile("xfer_content_not_format", name=name, ext=ext)
    raise UnsupportedFormat("xfer_unknown_format", name=name, ext=ext or "-")


def extension_mismatch(name: str, fmt: str) -> bool:
    """Whether ``name``'s extension names a different format than the content ``fmt``."""
    expected = EXTENSIONS.get(suffix_of(name))
    return expected is not None and expected != fmt and not (fmt == "xlsx" and expected == "zip")
