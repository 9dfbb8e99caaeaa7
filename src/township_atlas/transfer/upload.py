"""An uploaded file, vetted and opened: its importable layers, and reading one of them.

``Upload(filename, data)`` checks the size, tells the format from the content (and name),
vets zips in full and extracts them into a private temporary folder (mode 0700) that is
removed on :meth:`Upload.close` (or leaving the ``with`` block). Nothing is written
anywhere else. GeoJSON, KML and CSV are parsed in memory without GDAL; only Shapefiles
and GeoPackages we extracted ourselves reach GDAL.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from township_atlas.model.schema import LAYERS
from township_atlas.transfer import gdal_read
from township_atlas.transfer.archive import Member, extract, open_zip
from township_atlas.transfer.coordinates import CoordinateColumns
from township_atlas.transfer.errors import LayerChoiceNeeded, UnreadableFile, UploadRefused
from township_atlas.transfer.geojson_read import read_geojson
from township_atlas.transfer.kml_read import read_kml
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.messages import Note
from township_atlas.transfer.namemap import MANIFEST_NAME, ShapefileGroup, read_manifest
from township_atlas.transfer.raw import RawLayer, SourceLayer
from township_atlas.transfer.readers import read_entry
from township_atlas.transfer.sniff import extension_mismatch, sniff
from township_atlas.transfer.tables import (
    SheetSummary,
    likely_data_sheet,
    vet_xlsx,
    xls_sheets,
    xlsx_sheets,
)

Progress = Callable[[float, str], None]
_DATA_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv", ".tsv")
# The data folder's own tables: in a dataset export they are not layers to import.
_OWN_TABLES = {s.filename for s in LAYERS if not s.is_spatial}


@dataclass
class Entry:
    """How to read one listed layer: its format, the bytes or path, and the layer inside."""

    format: str
    label: str
    data: bytes | None = None
    path: Path | None = None
    layer: str | None = None
    group: ShapefileGroup | None = None
    paths: tuple[Path, ...] = ()
    parsed: Any = None  # a KML folder parsed while listing, so it is not parsed twice


class Upload:
    """A vetted upload (see the module docstring). Use as a context manager.

    Parameters
    ----------
    filename : the name the file was uploaded under (only its extension is used, and only
        to tell formats apart; it never becomes a path)
    data : the file's bytes
    limits : size and archive limits (defaults: :data:`~.limits.DEFAULT_LIMITS`)

    Raises
    ------
    UploadRefused, UnsupportedFormat, UnreadableFile : with a message saying what to do
    """

    def __init__(
        self,
        filename: str,
        data: bytes,
        *,
        limits: Limits = DEFAULT_LIMITS,
        progress: Progress | None = None,
    ) -> None:
        self.filename = PurePosixPath(str(filename).replace("\\", "/")).name or "upload"
        self.limits = limits
        self.notes: list[Note] = []
        self._dir: Path | None = None
        self._entries: dict[str, Entry] = {}
        self.layers: list[SourceLayer] = []
        if len(data) > limits.max_upload_bytes:
            raise UploadRefused(
                "xfer_upload_too_large",
                name=self.filename,
                size_mb=round(len(data) / 2**20, 1),
                limit_mb=round(limits.max_upload_bytes / 2**20),
            )
        self.format = sniff(self.filename, data[:8192], len(data))
        if extension_mismatch(self.filename, self.format):
            self.notes.append(
                Note.of("xfer_extension_mismatch", name=self.filename, format=self.format)
            )
        try:
            self._open(data, progress)
        except BaseException:
            self.close()
            raise

    # --- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> Upload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the private temporary folder (idempotent)."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _workdir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="atlas-upload-"))
        return self._dir

    # --- listing ---------------------------------------------------------------------
    def _open(self, data: bytes, progress: Progress | None) -> None:
        if self.format == "zip":
            self._open_zip(data, progress)
        elif self.format == "xlsx":
            self._open_xlsx(data, self.filename)
        elif self.format == "xls":
            self._open_xls(data, self.filename)
        elif self.format == "gpkg":
            path = self._workdir() / "upload.gpkg"
            path.write_bytes(data)
            self._add_file("gpkg", self.filename, path=path)
        else:
            self._add_file(self.format, self.filename, data=data)
        if not self.layers:
            raise UnreadableFile("xfer_no_layers", name=self.filename)

    def _add(self, key: str, name: str, entry: Entry, count: int | None, geom: str | None) -> None:
        self._entries[key] = entry
        self.layers.append(SourceLayer(key, name, entry.format, count, geom))

    def _add_file(
        self, fmt: str, label: str, *, data: bytes | None = None, path: Path | None = None
    ) -> None:
        if fmt == "gpkg":
            assert path is not None
            gdal_read.vet_gpkg(path, label, self.limits)
            for layer, count, geom in gdal_read.gpkg_layers(path, label):
                entry = Entry("gpkg", f"{label} › {layer}", path=path, layer=layer)
                self._add(f"{label}::{layer}", f"{label} › {layer}", entry, count, geom)
            return
        if data is None and path is not None:
            data = path.read_bytes()
        assert data is not None
        if fmt == "xlsx":
            self._open_xlsx(data, label)
            return
        if fmt == "xls":
            self._open_xls(data, label)
            return
        entry = Entry(fmt, label, data=data)
        if fmt == "geojson":
            parsed = read_geojson(data, label, self.limits)
            entry.parsed = parsed
            kinds = {g.geom_type for g in parsed.geometries if g is not None}
            geom = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else None)
            self._add(label, label, entry, len(parsed.records), geom)
            return
        if fmt == "kml":
            kml_layers, notes = read_kml(data, label, self.limits)
            self.notes.extend(notes)
            for kl in kml_layers:
                sub = Entry("kml", f"{label} › {kl.name}", data=data, layer=kl.name, parsed=kl)
                kinds = {g.geom_type for g in kl.geometries if g is not None}
                geom = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else None)
                self._add(f"{label}::{kl.name}", sub.label, sub, len(kl.records), geom)
            return
        self._add(label, label, entry, None, None)

    def _open_xlsx(self, data: bytes, label: str) -> None:
        zf, _members = open_zip(data, label, self.limits)
        with zf:
            vet_xlsx(data, label, zf)
        sheets = xlsx_sheets(data, label, self.limits)  # empty sheets are not listed
        self._add_sheets("xlsx", data, label, sheets)

    def _open_xls(self, data: bytes, label: str) -> None:
        self._add_sheets("xls", data, label, xls_sheets(data, label, self.limits))

    def _add_sheets(self, fmt: str, data: bytes, label: str, sheets: list[SheetSummary]) -> None:
        best = likely_data_sheet(sheets)
        if best is not None and len(sheets) > 1:  # listed first, so it is the default
            sheets = [best, *(s for s in sheets if s is not best)]
            self.notes.append(Note.of("xfer_sheet_likely", sheet=best.title, rows=best.rows))
        for sheet in sheets:
            entry = Entry(fmt, f"{label} › {sheet.title}", data=data, layer=sheet.title)
            self._add(f"{label}::{sheet.title}", entry.label, entry, sheet.rows, None)

    def _open_zip(self, data: bytes, progress: Progress | None) -> None:
        zf, members = open_zip(data, self.filename, self.limits)
        with zf:
            if any(m.name.lower().endswith(".vrt") for m in members):
                vrt = next(m.name for m in members if m.name.lower().endswith(".vrt"))
                raise UploadRefused("xfer_vrt", name=vrt)
            paths = extract(zf, members, self._workdir(), self.limits, progress)
        groups = self._manifest(members, paths)
        grouped = {f.lower() for g in groups for f in g.files}
        for group in groups:
            shps = [
                p for name, p in paths.items() if name.lower() in {f.lower() for f in group.files}
            ]
            for shp in shps:
                gdal_read.vet_shapefile(shp, shp.name)
            infos = [gdal_read.layer_count(p, None, p.name) for p in shps]
            count = sum(c or 0 for c, _ in infos)
            types = {t for _, t in infos}
            entry = Entry(
                "shapefile", f"{self.filename} › {group.layer}", group=group, paths=tuple(shps)
            )
            self._add(
                group.layer, entry.label, entry, count, types.pop() if len(types) == 1 else "mixed"
            )
        for member in members:
            suffix = member.suffix
            name = member.name
            base = PurePosixPath(name).name
            if name.lower() in grouped or suffix not in _DATA_SUFFIXES:
                continue
            if base == MANIFEST_NAME or base in _OWN_TABLES:
                continue
            path = paths[name]
            label = f"{self.filename} › {name}"
            if suffix == ".shp":
                gdal_read.vet_shapefile(path, name)
                count, geom = gdal_read.layer_count(path, None, name)
                self._add(name, label, Entry("shapefile", label, path=path), count, geom)
                continue
            head = path.read_bytes()[:8192]
            fmt = sniff(name, head, path.stat().st_size)
            self._add_file(fmt, label, path=path)
        if not self.layers:
            shown = "、".join(m.name for m in members[:10]) or "-"
            raise UnreadableFile("xfer_zip_no_data", name=self.filename, members=shown)

    def _manifest(self, members: list[Member], paths: dict[str, Path]) -> list[ShapefileGroup]:
        manifest = next((m for m in members if PurePosixPath(m.name).name == MANIFEST_NAME), None)
        if manifest is None:
            return []
        groups = read_manifest(paths[manifest.name].read_bytes())
        prefix = str(PurePosixPath(manifest.name).parent)
        prefix = "" if prefix == "." else prefix + "/"
        known = {m.name.lower() for m in members}
        out = []
        for g in groups:
            files = tuple(prefix + f for f in g.files)
            if files and all(f.lower() in known for f in files):
                out.append(ShapefileGroup(g.layer, files, g.fields))
        return out

    # --- reading ---------------------------------------------------------------------
    def read(
        self,
        layer: str | None = None,
        *,
        encoding: str | None = None,
        coordinates: CoordinateColumns | None = None,
        progress: Progress | None = None,
    ) -> RawLayer:
        """Read one layer (``SourceLayer.key``; may be omitted when there is only one).

        Parameters
        ----------
        encoding : text encoding to use instead of the detected one (Shapefile, CSV,
            GeoJSON), e.g. "GBK" or "UTF-8"
        coordinates : the coordinate columns of a table, instead of the recognised ones

        Raises
        ------
        LayerChoiceNeeded : ``layer`` omitted but there are several
        UnreadableFile : e.g. a table without recognisable coordinate columns (the
            error's ``params["columns"]`` lists the columns to choose from)
        """
        if layer is None:
            if len(self.layers) != 1:
                names = "、".join(sl.name for sl in self.layers[:20])
                raise LayerChoiceNeeded("xfer_choose_layer", name=self.filename, layers=names)
            layer = self.layers[0].key
        entry = self._entries.get(layer)
        if entry is None:
            raise UnreadableFile("xfer_layer_unknown", name=self.filename, layer=layer)
        raw = read_entry(
            entry, self.limits, encoding=encoding, coordinates=coordinates, progress=progress
        )
        raw.notes[:0] = self.notes
        return raw


def read_upload(filename: str, data: bytes, layer: str | None = None, **kwargs: Any) -> RawLayer:
    """Open, read one layer and clean up in one call (see :class:`Upload` and :meth:`Upload.read`)."""
    limits = kwargs.pop("limits", DEFAULT_LIMITS)
    with Upload(filename, data, limits=limits) as upload:
        return upload.read(layer, **kwargs)
