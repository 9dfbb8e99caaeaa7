"""Helpers shared by the transfer tests (no tests here): in-memory zips, Shapefiles built
with pyogrio, and comparing imported features with the stored ones."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import shape

from township_atlas.geo.measure import WGS84_GEOD
from township_atlas.model.bundle import Bundle
from township_atlas.storage.files.store import Store
from township_atlas.transfer import CrsChoice, ImportPlan, Upload, build_plan, suggest_crs
from township_atlas.transfer.values import stored_features

ROOT = Path(__file__).resolve().parent.parent
SPATIAL = ("township", "villages", "sites", "party_orgs")


def sample_bundle() -> Bundle:
    return Store(ROOT / "geodata").load().bundle


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def symlink_zip(name: str, target: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, target)
        zf.writestr("a.csv", "lon,lat\n105.69,35.97\n")
    return buffer.getvalue()


def shapefile_zip(
    tmp: Path,
    frame: gpd.GeoDataFrame,
    *,
    encoding: str = "UTF-8",
    cpg: bool = True,
    ldid: int | None = None,
    stem: str = "data",
) -> bytes:
    """A zipped Shapefile written by GDAL; optionally without .cpg or with a given LDID byte."""
    folder = tmp / f"shp-{stem}-{encoding}-{cpg}-{ldid}"
    folder.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(frame, folder / f"{stem}.shp", encoding=encoding)
    if not cpg:
        (folder / f"{stem}.cpg").unlink()
    if ldid is not None:
        dbf = bytearray((folder / f"{stem}.dbf").read_bytes())
        dbf[29] = ldid
        (folder / f"{stem}.dbf").write_bytes(bytes(dbf))
    return zip_bytes({p.name: p.read_bytes() for p in sorted(folder.iterdir())})


def import_plan(
    filename: str,
    data: bytes,
    layer: str,
    bundle: Bundle,
    *,
    source: str | None = None,
    crs: CrsChoice | None = None,
    **read_kwargs: Any,
) -> ImportPlan:
    with Upload(filename, data) as upload:
        if source is None and len(upload.layers) > 1:
            source = next(sl.key for sl in upload.layers if layer in sl.key)
        raw = upload.read(source, **read_kwargs)
    choice = crs or suggest_crs(raw, bundle).choice
    assert choice is not None
    return build_plan(raw, layer, bundle, crs=choice)


def by_id(features: list[dict[str, Any]], id_field: str) -> dict[str, dict[str, Any]]:
    return {str(f["properties"][id_field]): f for f in features}


def assert_same_features(
    plan: ImportPlan, bundle: Bundle, id_field: str, tol: float = 1e-7
) -> None:
    """Every stored feature came back: same ids, identical properties, geometry within tol."""
    from township_atlas.model.schema import LAYERS_BY_NAME

    spec = LAYERS_BY_NAME[plan.layer]
    expected = by_id(stored_features(bundle.layer(plan.layer), spec), id_field)
    got = by_id(plan.features, id_field)
    assert plan.errors == [], [p.message_en for p in plan.errors]
    assert set(got) == set(expected)
    for fid, feature in expected.items():
        assert got[fid]["properties"] == feature["properties"], fid
        a = shapely.normalize(shape(got[fid]["geometry"]))
        b = shapely.normalize(shape(feature["geometry"]))
        assert shapely.equals_exact(a, b, tolerance=tol), fid


def max_distance_m(a: np.ndarray, b: np.ndarray) -> float:
    """Largest geodesic distance (metres) between matching vertices of two geometry arrays."""
    xa = shapely.get_coordinates(a)
    xb = shapely.get_coordinates(b)
    _, _, dist = WGS84_GEOD.inv(xa[:, 0], xa[:, 1], xb[:, 0], xb[:, 1])
    return float(np.max(dist))


def geojson_bytes(features: list[dict[str, Any]], **extra: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features, **extra}).encode()


def point_feature(props: dict[str, Any], x: float, y: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [x, y]},
    }
