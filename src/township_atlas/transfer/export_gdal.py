"""GeoPackage and zipped-Shapefile members, written by pyogrio into a private temporary
folder and returned as bytes (nothing is left on disk)."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd

from township_atlas.model.schema import LayerSpec
from township_atlas.transfer.gdal_env import lock_down_gdal
from township_atlas.transfer.namemap import ShapefileGroup, short_names

# Shapefiles hold one geometry family per file.
_FAMILIES = {
    "Point": "point",
    "MultiPoint": "point",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "LineString": "line",
    "MultiLineString": "line",
}


def _frame(frame: pd.DataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    columns = [*spec.field_names(), "geometry"] if spec.is_spatial else spec.field_names()
    out = frame[columns].copy()
    if spec.is_spatial:
        return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)
    return out


def gpkg_bytes(layers: list[tuple[LayerSpec, pd.DataFrame]]) -> bytes:
    """One GeoPackage holding every given layer (tables as attribute-only layers)."""
    lock_down_gdal()
    tmp = Path(tempfile.mkdtemp(prefix="atlas-export-"))
    try:
        path = tmp / "export.gpkg"
        for spec, frame in layers:
            data = _frame(frame, spec)
            kinds = set(data.geometry.geom_type.dropna()) if spec.is_spatial else set()
            kwargs = {"geometry_type": "Unknown"} if len(kinds) > 1 else {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                data.to_file(path, layer=spec.name, driver="GPKG", engine="pyogrio", **kwargs)
        return path.read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def shapefile_members(
    spec: LayerSpec, frame: pd.DataFrame
) -> tuple[dict[str, bytes], ShapefileGroup]:
    """The files of ``spec``'s Shapefile(s), UTF-8 (.cpg) with .prj, and its name-map group.

    A layer with points and polygons becomes ``<layer>_point.shp`` and ``<layer>_polygon.shp``.
    """
    lock_down_gdal()
    names = short_names(spec.field_names())
    data = _frame(frame, spec).rename(columns=names)
    family = data.geometry.geom_type.map(_FAMILIES).fillna("point")
    groups = sorted(set(family)) or ["point"]
    tmp = Path(tempfile.mkdtemp(prefix="atlas-export-"))
    files: dict[str, bytes] = {}
    shps: list[str] = []
    try:
        for fam in groups:
            stem = spec.name if len(groups) == 1 else f"{spec.name}_{fam}"
            part = data[family == fam] if len(data) else data
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                part.to_file(
                    tmp / f"{stem}.shp", driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8"
                )
            shps.append(f"{stem}.shp")
        for path in sorted(tmp.iterdir()):
            files[path.name] = path.read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    group = ShapefileGroup(spec.name, tuple(shps), {short: full for full, short in names.items()})
    return files, group
