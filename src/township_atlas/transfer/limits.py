"""The bounds every upload must respect, checked before anything is extracted or parsed."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one upload. The defaults suit a township's or a county's layers.

    Attributes
    ----------
    max_upload_bytes : size of the uploaded file itself
    max_members : entries in a zip (files and folders)
    max_uncompressed_bytes : all members of a zip together, once extracted
    max_compression_ratio : uncompressed / compressed size of one member; deflate tops out
        near 1000:1, which is what a zip bomb uses, while real data stays far below 200:1
    ratio_floor_bytes : members smaller than this are not ratio-checked (tiny, repetitive
        files such as a .cpg or an empty .dbf compress extremely well and are harmless)
    max_xml_bytes : one KML document (parsed in memory)
    max_features : features or table rows in one layer
    max_vertices : vertices of one geometry (larger ones are left out, with a message)
    max_layer_vertices : vertices of all geometries of one layer together
    max_nesting : nesting depth of geometry text (WKT), JSON and XML, checked in linear
        time before parsing: real data nests fewer than 15 levels, while a few thousand
        crash recursive parsers (GEOS segfaults on a WKT GEOMETRYCOLLECTION 50,000 deep)
    max_cells : rows × columns of a table (CSV, XLSX): memory grows with cells, not rows
    max_text_chars : characters of one attribute value (a name, a note): every map page
        sends them to every browser
    max_geometry_text_chars : characters of one geometry written as text in a table cell
        (WKT or GeoJSON): about ``max_vertices`` vertices of 40 characters
    max_json_digits : digits of one number in JSON (Python refuses more than 4,300 and a
        coordinate or value never needs 100)
    gpkg_check_steps : SQLite steps allowed for looking at a GeoPackage's schema before
        GDAL opens it (a crafted schema cannot make the check itself run long)
    """

    max_upload_bytes: int = 50 * MB
    max_members: int = 200
    max_uncompressed_bytes: int = 200 * MB
    max_compression_ratio: float = 200.0
    ratio_floor_bytes: int = 1 * MB
    max_xml_bytes: int = 100 * MB
    max_features: int = 200_000
    max_vertices: int = 200_000
    max_layer_vertices: int = 2_000_000
    max_nesting: int = 64
    max_cells: int = 2_000_000
    max_text_chars: int = 10_000
    max_geometry_text_chars: int = 8_000_000
    max_json_digits: int = 100
    gpkg_check_steps: int = 1_000_000


DEFAULT_LIMITS = Limits()
