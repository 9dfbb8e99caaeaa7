"""What a source layer holds once read: rows, geometries in the file's coordinates, and how
it was read (format, declared CRS, encoding, coordinate columns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from township_atlas.transfer.coordinates import CoordinateColumns
from township_atlas.transfer.encodings import EncodingChoice
from township_atlas.transfer.messages import Note
from township_atlas.transfer.office_tables import TotalCheck


@dataclass(frozen=True)
class SourceLayer:
    """A layer (or sheet, or folder) of an upload that can be imported.

    ``key`` is what :meth:`Upload.read` takes; ``name`` is what the planner sees.
    ``geometry_type`` is e.g. "Point", "Polygon", "mixed", or None for a table whose
    coordinates are in columns.
    """

    key: str
    name: str
    format: str
    feature_count: int | None
    geometry_type: str | None


@dataclass
class RawLayer:
    """One source layer as read, before any coordinate conversion or field mapping.

    Attributes
    ----------
    name : the upload and layer, for messages ("村界.zip › 村界.shp")
    format : "geojson", "shapefile", "gpkg", "kml", "csv", "xlsx" or "xls"
    columns : source column names, in source order (full names restored for our exports)
    records : one dict per row, source column -> value as read
    geometries : object array of shapely geometries (or None) in the *source* coordinates
    row_numbers : per row, the number the planner finds it by: the spreadsheet row for
        CSV/XLSX (header = row 1), else the feature's position (1-based)
    row_kind : "row" for tables, "feature" otherwise (for messages)
    declared_crs : the CRS the file declares (.prj, GeoPackage SRS, GeoJSON ``crs``) as
        "EPSG:n" or WKT, or None
    encoding : the text encoding used, with the reason (Shapefile, CSV, GeoJSON)
    coordinates : the coordinate columns used (tables only)
    bad_geometry : row index (0-based) -> why its geometry could not be read (the
        reader's technical detail, or a Note)
    notes : anything the planner should know about how the file was read
    too_many_vertices : (largest vertex count, limit) when geometries were left out for
        having more vertices than allowed
    total_checks : tables only: the 合计/小计 rows (left out of ``records``) against the sum
        of the rows above, per numeric column
    header_rows : tables only: the row numbers of the header (two for a two-row header)
    """

    name: str
    format: str
    columns: list[str]
    records: list[dict[str, Any]]
    geometries: np.ndarray
    row_numbers: list[int]
    row_kind: Literal["row", "feature"] = "feature"
    declared_crs: str | None = None
    encoding: EncodingChoice | None = None
    coordinates: CoordinateColumns | None = None
    bad_geometry: dict[int, str | Note] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    too_many_vertices: tuple[int, int] | None = None
    total_checks: list[TotalCheck] = field(default_factory=list)
    header_rows: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.records)

    def values(self, column: str) -> list[Any]:
        return [r.get(column) for r in self.records]


def geometry_array(geoms: list[Any]) -> np.ndarray:
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    return arr
