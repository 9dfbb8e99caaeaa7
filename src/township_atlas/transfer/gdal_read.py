"""Shapefiles and GeoPackages read with pyogrio (GDAL), from files we extracted ourselves.

Only paths inside the upload's private folder reach GDAL, after the magic bytes were
checked, with the network options of :mod:`.gdal_env` in force. Text of a Shapefile is
decoded with the encoding chosen in :mod:`.encodings` and reported.
"""

from __future__ import annotations

import re
import sqlite3
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from township_atlas.transfer.errors import UnreadableFile, UploadRefused
from township_atlas.transfer.gdal_env import lock_down_gdal
from township_atlas.transfer.limits import Limits
from township_atlas.transfer.sniff import SHP_MAGIC, SQLITE_MAGIC

_SIDECARS_REQUIRED = (".shx", ".dbf")


def sidecar(shp: Path, suffix: str) -> Path | None:
    """The file next to ``shp`` with ``suffix``, matched case-insensitively."""
    exact = shp.with_suffix(suffix)
    if exact.exists():
        return exact
    for path in shp.parent.iterdir():
        if path.stem == shp.stem and path.suffix.lower() == suffix:
            return path
    return None


def vet_shapefile(shp: Path, label: str) -> None:
    """Refuse a .shp that is not one, or lacks its .shx or .dbf."""
    with open(shp, "rb") as fh:
        if fh.read(4) != SHP_MAGIC:
            raise UnreadableFile("xfer_shp_damaged", name=label)
    for suffix in _SIDECARS_REQUIRED:
        if sidecar(shp, suffix) is None:
            raise UnreadableFile("xfer_shapefile_incomplete", name=label, missing=suffix)
    shx, dbf = sidecar(shp, ".shx"), sidecar(shp, ".dbf")
    assert shx is not None and dbf is not None
    shapes = max(shx.stat().st_size - 100, 0) // 8  # the index: 8 bytes per record
    with open(dbf, "rb") as fh:
        head = fh.read(8)
    if len(head) < 8:
        raise UnreadableFile("xfer_dbf_damaged", name=dbf.name)
    records = struct.unpack("<I", head[4:8])[0]
    if shapes != records:
        raise UnreadableFile("xfer_shp_dbf_mismatch", name=label, shapes=shapes, records=records)


# Triggers every GeoPackage written by GDAL or QGIS has (spatial index, feature counts,
# the tile-matrix checks of the specification). They only fire on writes, and GDAL opens
# uploads read-only; any other trigger, and every view, is refused.
_STANDARD_TRIGGER = re.compile(
    r"^(gpkg_\w+|rtree_\w+_(insert|delete|update\d*)|trigger_(insert|delete)_feature_count_\w+)$"
)


def vet_gpkg(path: Path, label: str, limits: Limits | None = None) -> None:
    """Refuse a file that is not SQLite, or a GeoPackage holding views (a view runs its
    query, possibly a recursive one that never ends, whenever GDAL reads it) or triggers
    of its own. The schema is read with Python's sqlite3, read-only, with a bound on the
    steps SQLite may take, before GDAL opens the file."""
    with open(path, "rb") as fh:
        head = fh.read(100)
    if not head.startswith(SQLITE_MAGIC):
        raise UnreadableFile("xfer_content_not_format", name=label, ext=".gpkg")
    steps = (limits or Limits()).gpkg_check_steps
    calls = [0]

    def bound() -> int:
        calls[0] += 1
        return 1 if calls[0] * 1000 > steps else 0

    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise UnreadableFile("xfer_gdal_unreadable", name=label, detail=str(exc)[:300]) from exc
    try:
        db.set_progress_handler(bound, 1000)
        rows = db.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if calls[0] * 1000 > steps:
            raise UploadRefused("xfer_gpkg_too_complex", name=label) from exc
        raise UnreadableFile("xfer_gdal_unreadable", name=label, detail=str(exc)[:300]) from exc
    except sqlite3.Error as exc:
        raise UnreadableFile("xfer_gdal_unreadable", name=label, detail=str(exc)[:300]) from exc
    finally:
        db.close()
    bad = [
        f"{kind} {name}"
        for kind, name in rows
        if kind == "view" or not _STANDARD_TRIGGER.match(str(name))
    ]
    if bad:
        shown = "、".join(str(b)[:60] for b in bad[:5]) + ("…" if len(bad) > 5 else "")
        raise UploadRefused("xfer_gpkg_views", name=label, objects=shown)


def _info(path: Path, layer: str | None, label: str, encoding: str | None = None) -> dict[str, Any]:
    lock_down_gdal()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_info(path, layer=layer, encoding=encoding)
    except (DataSourceError, DataLayerError, RuntimeError, ValueError, OSError) as exc:
        raise UnreadableFile("xfer_gdal_unreadable", name=label, detail=str(exc)[:300]) from exc


def gpkg_layers(path: Path, label: str) -> list[tuple[str, int | None, str | None]]:
    """(layer name, features, geometry type or None for attribute tables) of a GeoPackage."""
    lock_down_gdal()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            listed = pyogrio.list_layers(path)
    except (DataSourceError, RuntimeError, OSError) as exc:
        raise UnreadableFile("xfer_gdal_unreadable", name=label, detail=str(exc)[:300]) from exc
    out = []
    for name, geom_type in listed:
        info = _info(path, str(name), label)
        out.append((str(name), info.get("features"), geom_type or None))
    return out


def layer_count(path: Path, layer: str | None, label: str) -> tuple[int | None, str | None]:
    info = _info(path, layer, label)
    return info.get("features"), info.get("geometry_type")


def _plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    obj = frame.astype(object)
    obj = obj.where(frame.notna(), None)
    return obj.to_dict("records")


def read_layer(
    path: Path, layer: str | None, label: str, limits: Limits, encoding: str | None = None
) -> tuple[list[str], list[dict[str, Any]], np.ndarray | None, str | None]:
    """(columns, records, geometries or None for a table, declared CRS) of one layer.

    Geometries are a NumPy object array of shapely geometries in the file's coordinates.
    """
    info = _info(path, layer, label, encoding)
    count = info.get("features") or 0
    if count > limits.max_features:
        raise UploadRefused("xfer_too_many_features", name=label, limit=limits.max_features)
    width = len(info.get("fields", ())) + 1  # the attributes and the geometry
    if count * width > limits.max_cells:
        from township_atlas.transfer.tables import too_many_cells

        raise too_many_cells(label, count, width, limits.max_cells)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(path, layer=layer, encoding=encoding)
    except (DataSourceError, DataLayerError, RuntimeError, ValueError, OSError) as exc:
        raise UnreadableFile("xfer_gdal_unreadable", name=label, detail=str(exc)[:300]) from exc
    geoms = None
    crs = None
    if "geometry" in frame.columns and hasattr(frame, "geometry"):
        geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
        if frame.crs is not None:
            epsg = frame.crs.to_epsg()
            crs = f"EPSG:{epsg}" if epsg else frame.crs.to_wkt()
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    columns = [str(c) for c in frame.columns]
    return columns, _plain_records(frame), geoms, crs
