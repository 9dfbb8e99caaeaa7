"""Shapefiles and GeoPackages read with pyogrio (GDAL), from files we extracted ourselves.

Only paths inside the upload's private folder reach GDAL, after the magic bytes were
checked, with the network options of :mod:`.gdal_env` in force. Text of a Shapefile is
decoded with the encoding chosen in :mod:`.encodings` and reported.
"""

from __future__ import annotations

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


def vet_gpkg(path: Path, label: str) -> None:
    with open(path, "rb") as fh:
        head = fh.read(100)
    if not head.startswith(SQLITE_MAGIC):
        raise UnreadableFile("xfer_content_not_format", name=label, ext=".gpkg")


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
