"""Exporting a layer, or the whole dataset, as GeoJSON, GeoPackage, zipped Shapefile, KML,
CSV or Excel. Every function returns ``(file name, bytes)`` for a download button and
writes nothing outside a private temporary folder it removes again;
:func:`write_dataset` writes the dataset's zip into a file the caller gives (the command
``python -m township_atlas.transfer export``), a picture at a time.

* GeoJSON is the data folder's own text (RFC 7946, WGS84, 7 decimals).
* Shapefile: a zip with .shp/.shx/.dbf, .cpg saying UTF-8, .prj (WGS84), field names cut
  to 10 characters and ``township_atlas_fields.json`` mapping them back (our importer reads
  it); a layer with points and polygons is split into one file per geometry type.
* KML: placemarks named by ``name_zh``, every field in ExtendedData.
* CSV (UTF-8 with BOM, for Excel) and XLSX: fields, then lon/lat for points and WKT for
  other geometries; text is never written as a formula (see :mod:`township_atlas.views.indicator_export`).
* The whole dataset: a zip of every spatial layer in the chosen format, plus the CSV
  tables, ``plans.yaml`` and ``report.yaml`` as the data folder holds them, and the photo
  pictures and thumbnails ``photos.csv`` names under the same names (``photos/ab/…jpg``,
  ``thumbs/…``; stored, not compressed again: they are JPEG already), named after the
  township and the date. As GeoJSON, the zip unpacked *is* a data folder, photos included.
  A picture that cannot be read is left out and named in ``README.txt`` and in the notes.
  Pictures are read and written into the zip one at a time: making it holds one picture
  in memory besides the zip (in memory for a download, on disk for the command).
  With ``photo_limit_bytes`` (the page: setting ``export_photo_max_mb``) a township whose
  photos are larger gets a zip without the pictures: ``README.txt`` lists them and says how
  to get them all (the data folder, ``copy-out``, or the command above).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from typing import IO, TYPE_CHECKING

from township_atlas.errors import AtlasError
from township_atlas.model.schema import LAYERS, LAYERS_BY_NAME, PLANS_FILE, REPORT_FILE, LayerSpec
from township_atlas.storage.formats import csv_text, geojson_text
from township_atlas.storage.photo_files import is_photo_name
from township_atlas.transfer.errors import ExportError
from township_atlas.transfer.export_gdal import gpkg_bytes, shapefile_members
from township_atlas.transfer.export_tables import XLSX_CELL_LIMIT, layer_table
from township_atlas.transfer.kml_write import kml_bytes, kml_unsafe_text
from township_atlas.transfer.messages import Note, text
from township_atlas.transfer.namemap import MANIFEST_NAME, manifest_bytes
from township_atlas.transfer.progress import ProgressCallback, Reporter
from township_atlas.transfer.values import stored_features, yaml_bytes
from township_atlas.views.indicator_export import FORMULA_STARTS, csv_bytes, xlsx_bytes
from township_atlas.views.photos import photo_volume

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

EXPORT_FORMATS: tuple[str, ...] = ("geojson", "gpkg", "shapefile", "kml", "csv", "xlsx")
TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx", "gpkg")
EXTENSIONS = {"geojson": "geojson", "gpkg": "gpkg", "kml": "kml", "csv": "csv", "xlsx": "xlsx"}
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SHP_TEXT_BYTES = 254


def export_formats(layer: str) -> tuple[str, ...]:
    """The formats ``layer`` can be exported in (tables have no geometry)."""
    return EXPORT_FORMATS if LAYERS_BY_NAME[layer].is_spatial else TABLE_FORMATS


def safe_filename(name: str, fallback: str = "township") -> str:
    """``name`` without path separators, reserved or control characters (at most 60)."""
    cleaned = _UNSAFE_FILENAME.sub("_", str(name)).strip(" ._")
    return cleaned[:60] or fallback


def _township_name(bundle: Bundle) -> str:
    return safe_filename(str(bundle.township_props.get("name_zh") or "township"))


def _check_format(spec: LayerSpec, fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ExportError(
            "xfer_export_unknown_format", format=fmt, formats=", ".join(EXPORT_FORMATS)
        )
    if fmt not in export_formats(spec.name):
        raise ExportError("xfer_export_table_format", layer=spec.name, format=fmt)


def layer_files(
    bundle: Bundle, layer: str, fmt: str, *, headers: str = "field"
) -> dict[str, bytes]:
    """The file(s) of one layer in ``fmt``: name -> bytes (several for Shapefiles)."""
    spec = LAYERS_BY_NAME[layer]
    _check_format(spec, fmt)
    frame = bundle.layer(layer)
    stem = spec.filename.rsplit(".", 1)[0]
    if fmt == "geojson":
        return {f"{stem}.geojson": geojson_text(frame, spec).encode("utf-8")}
    if fmt == "gpkg":
        return {f"{stem}.gpkg": gpkg_bytes([(spec, frame)])}
    if fmt == "shapefile":
        files, group = shapefile_members(spec, frame)
        return {**files, MANIFEST_NAME: manifest_bytes([group])}
    if fmt == "kml":
        title = f"{bundle.township_props.get('name_zh', '')} · {spec.label_zh} / {spec.label_en}"
        return {f"{stem}.kml": kml_bytes(spec, stored_features(frame, spec), title)}
    if fmt == "csv":
        return {f"{stem}.csv": csv_bytes(layer_table(frame, spec, headers=headers))}
    sheet = layer_table(frame, spec, headers=headers, split_wkt=True)
    return {f"{stem}.xlsx": xlsx_bytes({spec.name: sheet})}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def photo_file_names(bundle: Bundle) -> list[str]:
    """The picture and thumbnail names ``photos.csv`` gives, once each, in row order."""
    names: dict[str, None] = {}
    for column in ("file", "thumb"):
        for value in bundle.photos[column].dropna():
            names[str(value)] = None
    return list(names)


def photos_over_limit(bundle: Bundle, limit_bytes: int) -> Note | None:
    """What the page tells a planner before the export when the township's photos (by
    the index, :func:`photo_volume`) pass ``limit_bytes`` and will be left out; None
    when they fit."""
    volume = photo_volume(bundle)
    if volume <= limit_bytes:
        return None
    return Note.of(
        "xfer_export_photos_over_limit",
        size_mb=f"{volume / 2**20:.0f}",
        limit_mb=f"{limit_bytes / 2**20:.0f}",
        count=len(photo_file_names(bundle)),
    )


def _write_photos(
    zf: zipfile.ZipFile,
    names: list[str],
    photo_bytes: Callable[[str], bytes],
    limit: int | None,
    report: Reporter,
) -> tuple[int, int, list[str], list[str]]:
    """Read each photo file and write it into ``zf``, one at a time; returns the number
    written, the bytes read, the names that could not be read (not of our form, never a
    zip member name, or ``AtlasError``) and the names left out because the files read
    passed ``limit`` bytes (the index said less: from there on nothing more is read)."""
    written, total = 0, 0
    missing: list[str] = []
    for index, name in enumerate(names):
        if index % 20 == 0:
            report(0.8 + 0.15 * index / len(names), "xfer_progress_export", layer="photos")
        if not is_photo_name(name):
            missing.append(name)
            continue
        try:
            data = photo_bytes(name)
        except AtlasError:
            missing.append(name)
            continue
        total += len(data)
        if limit is not None and total > limit:
            return written, total, missing, names[index:]
        # JPEG does not compress further: stored, so the export is not slowed.
        zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        written += 1
    return written, total, missing, []


def export_layer(
    bundle: Bundle,
    layer: str,
    fmt: str,
    *,
    headers: str = "field",
    progress: ProgressCallback | None = None,
    lang: str = "zh",
) -> tuple[str, bytes]:
    """One layer (or CSV table) as a download: ``(file name, bytes)``.

    Parameters
    ----------
    layer : a layer or table name of the schema, e.g. "sites" or "indicators"
    fmt : one of :data:`EXPORT_FORMATS` (tables: csv, xlsx, gpkg)
    headers : CSV/XLSX column headers: "field" names (default), or "zh"/"en" labels

    Raises
    ------
    ExportError : unknown format, or a geometry format for a table
    """
    report = Reporter(progress, lang)
    report(0.0, "xfer_progress_export", layer=layer)
    files = layer_files(bundle, layer, fmt, headers=headers)
    name = _township_name(bundle)
    if len(files) == 1:
        ((member, data),) = files.items()
        result = (f"{name}_{member}", data)
    else:
        result = (f"{name}_{layer}_shp.zip", _zip(files))
    report(1.0, "xfer_progress_done")
    return result


def dataset_file_name(bundle: Bundle, fmt: str, today: date | None = None) -> str:
    """The dataset zip's name: township, format and date, e.g. ``青禾乡_geojson_2025-06-01.zip``."""
    return f"{_township_name(bundle)}_{fmt}_{(today or date.today()).isoformat()}.zip"


def export_dataset(
    bundle: Bundle,
    fmt: str,
    *,
    today: date | None = None,
    progress: ProgressCallback | None = None,
    lang: str = "zh",
    photo_bytes: Callable[[str], bytes] | None = None,
    notes: list[Note] | None = None,
    photo_limit_bytes: int | None = None,
) -> tuple[str, bytes]:
    """Every layer in ``fmt`` plus the tables, YAML documents and photo files, as one zip.

    The file name holds the township's name, the format and the date (``today``, default
    the current date), e.g. ``青禾乡_geojson_2025-06-01.zip``. The zip is built in memory
    (``getvalue`` hands the buffer over without a copy: ``bench/export_photos_bench.py``
    measures a peak of the zip's size), so it is as large as the pictures included: the
    page passes ``photo_limit_bytes`` (see :func:`write_dataset` for the parameters).
    """
    buffer = io.BytesIO()
    name = write_dataset(
        bundle,
        fmt,
        buffer,
        today=today,
        progress=progress,
        lang=lang,
        photo_bytes=photo_bytes,
        notes=notes,
        photo_limit_bytes=photo_limit_bytes,
    )
    return name, buffer.getvalue()


def write_dataset(
    bundle: Bundle,
    fmt: str,
    out: IO[bytes],
    *,
    today: date | None = None,
    progress: ProgressCallback | None = None,
    lang: str = "zh",
    photo_bytes: Callable[[str], bytes] | None = None,
    notes: list[Note] | None = None,
    photo_limit_bytes: int | None = None,
) -> str:
    """Write the dataset's zip (see :func:`export_dataset`) into ``out``, a binary file
    open for writing (and seeking); returns the zip's file name.

    Parameters
    ----------
    photo_bytes : reads a photo file by the name ``photos.csv`` gives (the store's
        ``photo_file``, called after the caller's role check); None: no pictures, and
        ``README.txt`` says so. A file it cannot read (``AtlasError``) is left out: the
        export completes and ``README.txt`` and ``notes`` name it.
    notes : if given, receives what the planner should know about the export made
        (photo files left out)
    photo_limit_bytes : None: every picture. Otherwise, if the photos are larger (by the
        index, :func:`photo_volume`; or, should the index say less, by the bytes read),
        the pictures are left out and everything else is written: ``README.txt`` lists
        the pictures left out and how to get them all, and ``notes`` says so.

    Raises
    ------
    ExportError : an unknown format
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(
            "xfer_export_unknown_format", format=fmt, formats=", ".join(EXPORT_FORMATS)
        )
    report = Reporter(progress, lang)
    spatial = [s for s in LAYERS if s.is_spatial]
    tables = [s for s in LAYERS if not s.is_spatial]
    files: dict[str, bytes] = {}
    if fmt == "gpkg":
        report(0.1, "xfer_progress_export", layer="gpkg")
        files["township_atlas.gpkg"] = gpkg_bytes([(s, bundle.layer(s.name)) for s in spatial])
    elif fmt == "xlsx":
        report(0.1, "xfer_progress_export", layer="xlsx")
        sheets = {s.name: layer_table(bundle.layer(s.name), s, split_wkt=True) for s in LAYERS}
        files["township_atlas.xlsx"] = xlsx_bytes(sheets)
    else:
        groups = []
        for index, spec in enumerate(spatial):
            report(index / len(spatial) * 0.8, "xfer_progress_export", layer=spec.name)
            if fmt == "shapefile":
                members, group = shapefile_members(spec, bundle.layer(spec.name))
                files.update(members)
                groups.append(group)
            else:
                files.update(layer_files(bundle, spec.name, fmt))
        if groups:
            files[MANIFEST_NAME] = manifest_bytes(groups)
    for spec in tables:  # exactly as the data folder holds them, with a BOM for Excel
        files[spec.filename] = ("\ufeff" + csv_text(bundle.layer(spec.name), spec)).encode("utf-8")
    files[PLANS_FILE] = yaml_bytes(bundle.plans)
    files[REPORT_FILE] = yaml_bytes(bundle.report)
    stamp = (today or date.today()).isoformat()
    readme = [text("xfer_export_readme", format=fmt, date=stamp)]
    left_out: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
        files.clear()  # written: not held while the pictures are
        names = photo_file_names(bundle)
        if names and photo_bytes is None:
            readme.append(text("xfer_export_readme_no_photos", count=len(names)))
        elif names:
            volume = photo_volume(bundle)
            if photo_limit_bytes is not None and volume > photo_limit_bytes:
                written, read, missing, left_out = 0, 0, [], names
            else:
                written, read, missing, left_out = _write_photos(
                    zf, names, photo_bytes, photo_limit_bytes, report
                )
            if written or not left_out:
                readme.append(text("xfer_export_readme_photos", count=written))
            if left_out:
                size = {
                    "size_mb": f"{max(volume, read) / 2**20:.0f}",
                    "limit_mb": f"{(photo_limit_bytes or 0) / 2**20:.0f}",
                    "count": len(left_out),
                }
                readme.append(text("xfer_export_readme_photos_over_limit", **size))
                if notes is not None:
                    notes.append(Note.of("xfer_export_photos_over_limit", **size))
            if missing:
                shown = "\n".join(missing)
                readme.append(
                    text("xfer_export_readme_photos_missing", count=len(missing), names=shown)
                )
                if notes is not None:
                    notes.append(
                        Note.of(
                            "xfer_export_photos_missing",
                            count=len(missing),
                            names="、".join(missing[:5]) + ("…" if len(missing) > 5 else ""),
                        )
                    )
        report(0.95, "xfer_progress_zip")
        readme_zh = "\n".join(zh for zh, _ in readme)
        readme_en = "\n".join(en for _, en in readme)
        listed = ""
        if left_out:  # once, after both languages: thousands of names at the limit
            listed = "\n{}\n{}\n".format(*text("xfer_export_readme_left_out")) + "\n".join(left_out)
        zf.writestr("README.txt", f"{readme_zh}\n\n{readme_en}\n{listed}".encode())
    report(1.0, "xfer_progress_done")
    return dataset_file_name(bundle, fmt, today)


def export_warnings(bundle: Bundle, layer: str, fmt: str) -> list[Note]:
    """What the planner should know before exporting ``layer`` as ``fmt`` (may be empty):
    text a Shapefile will cut at 254 bytes, geometry types split into several files,
    characters KML cannot hold, cells starting like a formula."""
    spec = LAYERS_BY_NAME[layer]
    _check_format(spec, fmt)
    frame = bundle.layer(layer)
    notes: list[Note] = []
    text_fields = [f.name for f in spec.fields if f.dtype == "str"]
    for fld in text_fields:
        for value in frame[fld].dropna():
            value = str(value)
            if fmt == "shapefile" and len(value.encode("utf-8")) > _SHP_TEXT_BYTES:
                notes.append(Note.of("xfer_export_shp_truncated", field=fld, value=value[:30]))
            if fmt == "kml" and kml_unsafe_text(value):
                notes.append(Note.of("xfer_export_kml_replaced", field=fld, value=value[:30]))
            if fmt == "csv" and value.startswith(FORMULA_STARTS):
                notes.append(Note.of("xfer_export_csv_apostrophe", field=fld, value=value[:30]))
            if fmt == "xlsx" and len(value) > XLSX_CELL_LIMIT:
                notes.append(Note.of("xfer_export_xlsx_long", field=fld))
    if fmt == "shapefile" and spec.is_spatial:
        kinds = {"point" if "Point" in k else "polygon" for k in frame.geometry.geom_type.dropna()}
        if len(kinds) > 1:
            notes.append(Note.of("xfer_export_shp_split", layer=layer))
    return notes
