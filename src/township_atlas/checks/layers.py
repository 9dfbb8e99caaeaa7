"""Layer-level checks: schema (required, allowed, ranges, unique ids), geometry validity and
coordinate plausibility, and the helpers the other checks use to read layers safely. The
township-level invariants are in ``checks_geography``, ``checks_party`` and ``checks_references``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.validation import explain_validity

from township_atlas.model.bundle import Bundle, Finding
from township_atlas.model.schema import LAYERS, LayerSpec


def _fid(spec: LayerSpec, frame: pd.DataFrame, pos: int) -> str:
    if spec.id_field and spec.id_field in frame.columns:
        value = frame[spec.id_field].iloc[pos]
        if value is not None and value is not pd.NA and str(value) != "":
            return str(value)
    return f"#{pos + 1}"


def point_of(geom) -> tuple[float, float] | None:
    if geom is None or geom.is_empty:
        return None
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    return (float(p.x), float(p.y))


def check_schema(bundle: Bundle) -> list[Finding]:
    """Required fields are filled, coded values are allowed, numbers in range, ids unique."""
    out: list[Finding] = []
    for spec in LAYERS:
        frame = bundle.layer(spec.name)
        geoms = frame.geometry if spec.is_spatial else None
        for fld in spec.fields:
            col = frame[fld.name]
            for pos in np.flatnonzero(col.isna().to_numpy()) if fld.required else []:
                out.append(
                    Finding(
                        "error",
                        "required",
                        spec.name,
                        f"{spec.label_zh} {_fid(spec, frame, pos)} 缺少必填字段“{fld.label_zh}”({fld.name})。",
                        f"{spec.label_en} {_fid(spec, frame, pos)} lacks the required field "
                        f"'{fld.label_en}' ({fld.name}).",
                        _fid(spec, frame, pos),
                        point_of(geoms.iloc[pos]) if geoms is not None else None,
                    )
                )
            if fld.allowed:
                bad = col.notna() & ~col.isin(fld.allowed)
                for pos in np.flatnonzero(bad.to_numpy()):
                    out.append(
                        Finding(
                            "error",
                            "allowed",
                            spec.name,
                            f"{spec.label_zh} {_fid(spec, frame, pos)} 的“{fld.label_zh}”为"
                            f"“{col.iloc[pos]}”,应为以下之一:{'、'.join(fld.allowed)}。",
                            f"{spec.label_en} {_fid(spec, frame, pos)}: {fld.name} is "
                            f"'{col.iloc[pos]}'; allowed: {', '.join(fld.allowed)}.",
                            _fid(spec, frame, pos),
                        )
                    )
            if fld.min is not None or fld.max is not None:
                numbers = pd.to_numeric(col, errors="coerce").astype("Float64")
                low = numbers < fld.min if fld.min is not None else False
                high = numbers > fld.max if fld.max is not None else False
                bad = (low | high).fillna(False)
                for pos in np.flatnonzero(np.asarray(bad, dtype=bool)):
                    out.append(
                        Finding(
                            "error",
                            "range",
                            spec.name,
                            f"{spec.label_zh} {_fid(spec, frame, pos)} 的“{fld.label_zh}”为 "
                            f"{col.iloc[pos]},超出允许范围 {fld.min}–{fld.max}。",
                            f"{spec.label_en} {_fid(spec, frame, pos)}: {fld.name} = "
                            f"{col.iloc[pos]} is outside {fld.min}–{fld.max}.",
                            _fid(spec, frame, pos),
                        )
                    )
        if spec.id_field:
            ids = frame[spec.id_field]
            for value in sorted(set(ids[ids.duplicated() & ids.notna()].astype(str))):
                out.append(
                    Finding(
                        "error",
                        "unique_id",
                        spec.name,
                        f"{spec.label_zh} 中编号“{value}”重复出现,每个编号只能用一次。",
                        f"{spec.label_en}: id '{value}' is used more than once.",
                        value,
                    )
                )
    return out


def coordinate_problem(geoms) -> tuple[str, str] | None:
    """Whether a layer's coordinates are not WGS84 lon/lat: (zh, en) reason, or None.

    Metres (a projected CRS written as if it were WGS84) give values far outside ±180/±90;
    swapped axes put latitude first, which for China means x in 18–54 and y in 73–135.
    """
    arr = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if arr.size == 0:
        return None
    xy = shapely.get_coordinates(arr)
    x, y = xy[:, 0], xy[:, 1]
    in_china = (x > 73) & (x < 135) & (y > 18) & (y < 54)
    swapped = (y > 73) & (y < 135) & (x > 18) & (x < 54)
    if swapped.mean() > 0.5 and in_china.mean() < 0.5:
        return (
            "坐标的经度和纬度顺序颠倒了(纬度在前)。GeoJSON 要求经度在前、纬度在后,请交换两列后再保存。",
            "longitude and latitude are swapped (latitude first). GeoJSON puts longitude "
            "first: swap the two and save again.",
        )
    if (np.abs(x) > 180).any() or (np.abs(y) > 90).any():
        return (
            f"坐标值(如 {x[0]:.0f}, {y[0]:.0f})不是经纬度,像是以米为单位的投影坐标。"
            "请在导入时选择正确的坐标系(如 CGCS2000 高斯-克吕格),或在 QGIS 中转换为 WGS84 后再保存。",
            f"coordinates (e.g. {x[0]:.0f}, {y[0]:.0f}) are not longitude/latitude: they look "
            "like projected metres. Choose the right CRS on import, or reproject to WGS84.",
        )
    return None


def unusable_spatial_layers(bundle: Bundle) -> dict[str, tuple[str, str]]:
    """Spatial layers whose coordinates are not lon/lat; spatial checks skip them."""
    bad = {}
    for spec in LAYERS:
        if spec.is_spatial:
            problem = coordinate_problem(bundle.layer(spec.name).geometry)
            if problem:
                bad[spec.name] = problem
    return bad


def check_coordinates(bundle: Bundle) -> list[Finding]:
    """Every spatial layer holds WGS84 longitude/latitude."""
    return [
        Finding(
            "error",
            "coordinates",
            name,
            f"{_spec(name).label_zh}:{zh}",
            f"{_spec(name).label_en}: {en}",
        )
        for name, (zh, en) in unusable_spatial_layers(bundle).items()
    ]


def _spec(name: str) -> LayerSpec:
    return next(s for s in LAYERS if s.name == name)


def check_geometries(bundle: Bundle) -> list[Finding]:
    """Geometries exist, are of the layer's types, and are valid (no self-intersections)."""
    out: list[Finding] = []
    skip = unusable_spatial_layers(bundle)
    for spec in LAYERS:
        if not spec.is_spatial or spec.name in skip:
            continue
        frame = bundle.layer(spec.name)
        geoms = np.asarray(frame.geometry.array, dtype=object)
        # Only the geometries that fail a vectorised test are looked at one by one.
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        wrong_type = np.zeros(len(geoms), dtype=bool)
        wrong_type[~missing] = ~np.isin(
            shapely.get_type_id(geoms[~missing]),
            [shapely.GeometryType[t.upper()] for t in spec.geometry_types],
        )
        suspect = missing | wrong_type
        suspect[~suspect] = ~shapely.is_valid(geoms[~suspect])
        for pos in np.flatnonzero(suspect):
            geom = geoms[pos]
            fid = _fid(spec, frame, pos)
            if geom is None or geom.is_empty:
                out.append(
                    Finding(
                        "error",
                        "geometry_missing",
                        spec.name,
                        f"{spec.label_zh} {fid} 没有几何图形(位置或边界)。",
                        f"{spec.label_en} {fid} has no geometry.",
                        fid,
                    )
                )
            elif geom.geom_type not in spec.geometry_types:
                out.append(
                    Finding(
                        "error",
                        "geometry_type",
                        spec.name,
                        f"{spec.label_zh} {fid} 的几何类型是 {geom.geom_type},"
                        f"应为 {'/'.join(spec.geometry_types)}。",
                        f"{spec.label_en} {fid} is a {geom.geom_type}; expected "
                        f"{'/'.join(spec.geometry_types)}.",
                        fid,
                        point_of(geom),
                    )
                )
            elif not geom.is_valid:
                reason = explain_validity(geom)
                where = shapely.get_coordinates(shapely.validation.make_valid(geom).boundary)
                loc = _location_in_reason(reason) or (
                    (float(where[0][0]), float(where[0][1])) if len(where) else point_of(geom)
                )
                out.append(
                    Finding(
                        "error",
                        "geometry_invalid",
                        spec.name,
                        f"{spec.label_zh} {fid} 的边界无效({_reason_zh(reason)}),请在编辑器或 QGIS 中修复。",
                        f"{spec.label_en} {fid} has an invalid geometry ({reason}); fix it in the "
                        "editor or in QGIS.",
                        fid,
                        loc,
                    )
                )
    return out


def _location_in_reason(reason: str) -> tuple[float, float] | None:
    # GEOS says e.g. "Self-intersection[105.71 35.96]".
    if "[" in reason and reason.endswith("]"):
        try:
            x, y = reason[reason.index("[") + 1 : -1].split()[:2]
            return (float(x), float(y))
        except ValueError:
            return None
    return None


def _reason_zh(reason: str) -> str:
    if reason.startswith("Self-intersection"):
        return "边界自相交"
    if reason.startswith("Ring Self-intersection"):
        return "环自相交"
    if reason.startswith("Too few points"):
        return "顶点太少"
    if reason.startswith("Hole lies outside shell"):
        return "内洞在外边界之外"
    return reason


def valid_geometry(geom) -> bool:
    """True for a present, non-empty, valid geometry."""
    return geom is not None and not geom.is_empty and geom.is_valid


def rows_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows keyed by ``column``; duplicates (reported by the schema check) keep the first."""
    return frame[frame[column].notna()].drop_duplicates(column).set_index(column, drop=False)


def layers_usable(bundle: Bundle, *layers: str) -> bool:
    """True if none of ``layers`` is too broken for spatial checks (see unusable_spatial_layers)."""
    bad = unusable_spatial_layers(bundle)
    return not any(name in bad for name in layers)


def not_yet_imported(layer: str, what_zh: str, what_en: str) -> Finding:
    """The one finding for a layer that is still empty while the township is being set
    up: a warning naming what to import, instead of the counts the layer would fail."""
    return Finding(
        "warning",
        "not_yet_imported",
        layer,
        f"尚未导入{what_zh}。请在“建立本乡数据”中导入,或在数据编辑页的“导入”中上传文件。",
        f"No {what_en} yet. Import them in 'Set up your township', or upload a file in the "
        "editing page's Import tab.",
    )
