"""Reading one listed layer of an upload into a :class:`~.raw.RawLayer`, per format."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from township_atlas.transfer import gdal_read
from township_atlas.transfer.coordinates import (
    LATLON,
    LONLAT,
    CoordinateColumns,
    detect_columns,
    row_geometries,
)
from township_atlas.transfer.encodings import EncodingChoice, shapefile_encoding
from township_atlas.transfer.errors import CoordinateOrderNeeded, UnreadableFile, UploadRefused
from township_atlas.transfer.geojson_read import read_geojson
from township_atlas.transfer.kml_read import read_kml
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.messages import Note
from township_atlas.transfer.raw import RawLayer, geometry_array
from township_atlas.transfer.tables import Table, read_csv, read_xls, read_xlsx

if TYPE_CHECKING:
    from township_atlas.transfer.upload import Entry

Progress = Callable[[float, str], None]


def _table_layer(
    table: Table,
    label: str,
    fmt: str,
    coordinates: CoordinateColumns | None,
    limits: Limits = DEFAULT_LIMITS,
) -> RawLayer:
    chosen = coordinates is not None and not coordinates.usable and bool(coordinates.pair_order)
    if chosen:
        assert coordinates is not None
        cols = detect_columns(table, coordinates.pair_order)  # the user said the order only
    else:
        cols = coordinates or detect_columns(table)
    for name in cols.names:
        if name not in table.columns:
            raise UnreadableFile("xfer_column_unknown", name=label, column=name)
    if cols.pair and cols.pair_order not in (LONLAT, LATLON):
        raise CoordinateOrderNeeded("xfer_pair_order_unknown", column=cols.pair)
    if not cols.usable:
        error = UnreadableFile(
            "xfer_no_coordinate_columns", name=label, columns="、".join(table.columns[:40])
        )
        error.params["column_list"] = list(table.columns)
        raise error
    geoms, bad = row_geometries(table, cols, label, limits)
    used = set(cols.names)
    notes = [
        *table.notes,
        Note.of(
            "xfer_coordinate_columns",
            columns="、".join(c for c in (cols.lon, cols.lat, cols.wkt, cols.pair) if c),
        ),
    ]
    if cols.pair:
        how = "_chosen" if chosen else ""
        notes.append(Note.of(f"xfer_pair_{cols.pair_order}{how}", column=cols.pair))
    return RawLayer(
        name=label,
        format=fmt,
        columns=[c for c in table.columns if c not in used],
        records=table.records,
        geometries=geometry_array(geoms),
        row_numbers=table.row_numbers,
        row_kind="row",
        encoding=table.encoding,
        coordinates=cols,
        bad_geometry=bad,
        notes=notes,
        total_checks=table.total_checks,
        header_rows=table.header_rows,
    )


def _shapefile(entry: Entry, limits: Limits, encoding: str | None) -> RawLayer:
    paths = entry.paths or ((entry.path,) if entry.path else ())
    columns: list[str] = []
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    crs = None
    choice: EncodingChoice | None = None
    rename = entry.group.fields if entry.group else {}
    for shp in paths:
        choice = shapefile_encoding(shp, encoding)
        cols, recs, arr, crs = gdal_read.read_layer(shp, None, shp.name, limits, choice.codec)
        if rename:
            cols = [rename.get(c, c) for c in cols]
            recs = [{rename.get(k, k): v for k, v in r.items()} for r in recs]
        columns += [c for c in cols if c not in columns]
        records += recs
        geoms += list(arr) if arr is not None else [None] * len(recs)
    notes = [choice.reason] if choice else []
    if crs is None:
        notes.append(Note.of("xfer_no_prj"))
    return RawLayer(
        name=entry.label,
        format="shapefile",
        columns=columns,
        records=records,
        geometries=geometry_array(geoms),
        row_numbers=list(range(1, len(records) + 1)),
        declared_crs=crs,
        encoding=choice,
        notes=notes,
    )


def _gpkg(entry: Entry, limits: Limits, coordinates: CoordinateColumns | None) -> RawLayer:
    assert entry.path is not None
    cols, recs, arr, crs = gdal_read.read_layer(entry.path, entry.layer, entry.label, limits)
    if arr is None:  # an attribute table: coordinates are in columns
        table = Table(cols, recs, list(range(2, len(recs) + 2)))
        raw = _table_layer(table, entry.label, "gpkg", coordinates, limits)
        raw.row_kind = "feature"
        raw.row_numbers = list(range(1, len(recs) + 1))
        return raw
    return RawLayer(
        name=entry.label,
        format="gpkg",
        columns=cols,
        records=recs,
        geometries=arr,
        row_numbers=list(range(1, len(recs) + 1)),
        declared_crs=crs,
    )


def read_entry(
    entry: Entry,
    limits: Limits,
    *,
    encoding: str | None = None,
    coordinates: CoordinateColumns | None = None,
    progress: Progress | None = None,
) -> RawLayer:
    """Read the layer ``entry`` describes (see :meth:`Upload.read`)."""
    if progress is not None:
        progress(0.0, entry.label)
    if entry.format == "shapefile":
        raw = _shapefile(entry, limits, encoding)
    elif entry.format == "gpkg":
        raw = _gpkg(entry, limits, coordinates)
    elif entry.format == "geojson":
        assert entry.data is not None
        layer = entry.parsed if encoding is None and entry.parsed is not None else None
        layer = layer or read_geojson(entry.data, entry.label, limits, encoding)
        raw = RawLayer(
            name=entry.label,
            format="geojson",
            columns=layer.columns,
            records=layer.records,
            geometries=geometry_array(layer.geometries),
            row_numbers=list(range(1, len(layer.records) + 1)),
            declared_crs=layer.declared_crs,
            encoding=layer.encoding,
            bad_geometry=layer.bad_rows,
        )
    elif entry.format == "kml":
        assert entry.data is not None
        kl, notes = entry.parsed, []
        if kl is None:
            layers, notes = read_kml(entry.data, entry.label, limits)
            kl = next((k for k in layers if k.name == entry.layer), None)
        if kl is None:
            raise UnreadableFile("xfer_layer_unknown", name=entry.label, layer=entry.layer)
        raw = RawLayer(
            name=entry.label,
            format="kml",
            columns=kl.columns,
            records=kl.records,
            geometries=geometry_array(kl.geometries),
            row_numbers=list(range(1, len(kl.records) + 1)),
            declared_crs="EPSG:4326",  # KML is WGS84 longitude/latitude by definition
            bad_geometry={k - 1: v for k, v in kl.bad_rows.items()},
            notes=notes,
        )
    elif entry.format == "csv":
        assert entry.data is not None
        raw = _table_layer(
            read_csv(entry.data, entry.label, limits, encoding),
            entry.label,
            "csv",
            coordinates,
            limits,
        )
    elif entry.format == "xlsx":
        assert entry.data is not None
        table = read_xlsx(entry.data, entry.label, entry.layer, limits)
        raw = _table_layer(table, entry.label, "xlsx", coordinates, limits)
    elif entry.format == "xls":
        assert entry.data is not None
        table = read_xls(entry.data, entry.label, entry.layer, limits)
        raw = _table_layer(table, entry.label, "xls", coordinates, limits)
    else:  # pragma: no cover - sniff() only returns the formats above
        raise UnreadableFile("xfer_unknown_format", name=entry.label, ext=entry.format)
    if progress is not None:
        progress(1.0, entry.label)
    if not len(raw):
        raise UnreadableFile("xfer_layer_empty", name=entry.label)
    _check_text(raw, limits)
    _check_vertices(raw, limits)
    return raw


def _check_text(raw: RawLayer, limits: Limits) -> None:
    """Refuse an attribute value longer than ``limits.max_text_chars`` (the coordinate
    columns of a table are bounded by ``max_geometry_text_chars`` instead)."""
    skip = set()
    if raw.coordinates is not None:
        skip = set(raw.coordinates.names)
    limit = limits.max_text_chars
    for index, record in enumerate(raw.records):
        for column, value in record.items():
            if isinstance(value, str) and len(value) > limit and column not in skip:
                raise UploadRefused(
                    "xfer_text_too_long",
                    name=raw.name,
                    row=raw.row_numbers[index],
                    column=str(column)[:80],
                    length=len(value),
                    limit=limit,
                )


def _check_vertices(raw: RawLayer, limits: Limits) -> None:
    """Leave out geometries with more vertices than allowed (each gets a message); refuse
    the layer when their sum is above the layer's limit."""
    import shapely

    geoms = raw.geometries
    present = np.array([g is not None for g in geoms], dtype=bool)
    if not present.any():
        return
    counts = np.zeros(len(geoms), dtype=np.int64)
    counts[present] = shapely.get_num_coordinates(geoms[present])
    total = int(counts.sum())
    if total > limits.max_layer_vertices:
        raise UploadRefused(
            "xfer_layer_too_many_vertices",
            name=raw.name,
            count=total,
            limit=limits.max_layer_vertices,
        )
    large = np.flatnonzero(counts > limits.max_vertices)
    if len(large):
        raw.too_many_vertices = (int(counts.max()), limits.max_vertices)
    for index in large:
        raw.bad_geometry[int(index)] = Note.of(
            "xfer_row_too_many_vertices", count=int(counts[index]), limit=limits.max_vertices
        )
        raw.geometries[index] = None


def no_geometry_left(raw: RawLayer) -> UploadRefused | None:
    """When every geometry was left out for having too many vertices, the error saying so
    (instead of "choose the coordinate system", all a CRS suggestion could then say)."""
    if raw.too_many_vertices is None or any(g is not None for g in raw.geometries):
        return None
    count, limit = raw.too_many_vertices
    return UploadRefused("xfer_too_many_vertices", name=raw.name, count=count, limit=limit)
