"""The one way into the data folder: load it into a Bundle, check it, fingerprint it.

Pages and map builders receive a Bundle; they never open files. A file that cannot be
read becomes an error finding (naming file and feature) and an empty layer, so the app
still starts and can say what is wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from township_atlas import edits, history
from township_atlas.backend import TownshipRef
from township_atlas.bundle import Bundle, Finding, LoadResult
from township_atlas.checks import run_checks
from township_atlas.errors import DataFileError, DataFolderError
from township_atlas.layers_io import empty_layer, read_layer, read_yaml
from township_atlas.schema import LAYERS, PLANS_FILE, REPORT_FILE, TOWNSHIP

if TYPE_CHECKING:
    from township_atlas.edits import ChangeSet, SaveResult
    from township_atlas.history import Entry

DATA_FILES: tuple[str, ...] = (*tuple(s.filename for s in LAYERS), PLANS_FILE, REPORT_FILE)


class Store:
    """A data folder of GeoJSON layers, CSV tables and YAML documents."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @property
    def label(self) -> str:
        """The folder, for people."""
        return str(self.path)

    @property
    def key(self) -> str:
        """A stable name of this store for caches."""
        return f"files:{self.path}"

    def fingerprint(self) -> str:
        """A cheap token that changes when any data file changes (name, size, mtime).

        It only stats files, so it can be called on every page run.
        """
        digest = hashlib.blake2b(digest_size=12)
        for name in DATA_FILES:
            try:
                st = (self.path / name).stat()
                digest.update(f"{name}:{st.st_size}:{st.st_mtime_ns};".encode())
            except FileNotFoundError:
                digest.update(f"{name}:-;".encode())
        return digest.hexdigest()

    def load(self, *, strict: bool = False, fallback: LoadResult | None = None) -> LoadResult:
        """Read and check every file of the folder.

        Parameters
        ----------
        strict : raise the first DataFileError instead of reporting it as a finding
        fallback : the last good load; a file that cannot be read now (half-written by
            QGIS, or broken) is then served from it, with a warning, instead of as empty

        Raises
        ------
        DataFolderError : the folder does not exist or holds none of our files
        """
        if not self.path.is_dir():
            raise DataFolderError(
                f"数据文件夹 {self.path} 不存在。请检查设置 TOWNSHIP_ATLAS_DATA_DIR。",
                f"The data folder {self.path} does not exist. Check TOWNSHIP_ATLAS_DATA_DIR.",
            )
        if not any((self.path / name).exists() for name in DATA_FILES):
            raise DataFolderError(
                f"文件夹 {self.path} 中没有乡镇数据文件(如 township.geojson)。",
                f"The folder {self.path} holds no township data files (e.g. township.geojson).",
            )
        fingerprint = self.fingerprint()
        findings: list[Finding] = []
        layers = {}
        for spec in LAYERS:
            file = self.path / spec.filename
            try:
                layers[spec.name] = read_layer(file, spec)
            except DataFileError as exc:
                if strict:
                    raise
                previous = _usable_fallback(fallback, spec.name)
                if previous is not None:
                    findings.append(_stale_finding(spec.name, exc))
                    layers[spec.name] = previous
                else:
                    findings.append(_file_finding(spec.name, exc))
                    layers[spec.name] = empty_layer(spec)
        documents = {}
        for key, name in (("plans", PLANS_FILE), ("report", REPORT_FILE)):
            try:
                documents[key] = read_yaml(self.path / name)
            except DataFileError as exc:
                if strict:
                    raise
                if fallback is not None and getattr(fallback.bundle, key):
                    findings.append(_stale_finding(key, exc))
                    documents[key] = getattr(fallback.bundle, key)
                else:
                    findings.append(_file_finding(key, exc))
                    documents[key] = {}
        bundle = Bundle(**layers, **documents)
        findings.extend(run_checks(bundle))
        findings.sort(key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity])
        return LoadResult(bundle, findings, fingerprint)

    # Editing and history: the functions of edits.py and history.py on this folder.
    def save(
        self, change: ChangeSet, *, loader: Callable[[], LoadResult] | None = None
    ) -> SaveResult:
        """Apply ``change`` or refuse it whole; see :func:`township_atlas.edits.save`."""
        return edits.save(self.path, change, loader=loader)

    def read_records(self, layer: str) -> dict[str, dict[str, Any]]:
        """Every record of ``layer`` as stored, keyed by id."""
        return edits.read_records(self.path, layer)

    def undo_change(self, seq: int, user: str = "") -> ChangeSet:
        """The change that reverses change ``seq``."""
        return edits.undo_change(self.path, seq, user)

    def restore_change(self, layer: str, seq: int, user: str = "") -> ChangeSet:
        """The change that brings ``layer`` back to how it was after change ``seq``."""
        return edits.restore_change(self.path, layer, seq, user)

    def layer_at(self, layer: str, seq: int) -> dict[str, dict[str, Any]]:
        """The layer's records right after change ``seq`` (0: before any change)."""
        return edits.layer_at(self.path, layer, seq)

    def entries(self, layer: str | None = None) -> list[Entry]:
        """The folder's change history, oldest first."""
        return history.entries(self.path, layer)

    def entry(self, seq: int) -> Entry | None:
        return history.entry(self.path, seq)

    def list_townships(self) -> list[TownshipRef]:
        """The folder's township (its code and Chinese name), or none if unreadable."""
        try:
            frame = read_layer(self.path / TOWNSHIP.filename, TOWNSHIP)
        except DataFileError:
            return []
        return [
            TownshipRef(str(row.code), str(row.name_zh or row.code))
            for row in frame.itertuples(index=False)
            if row.code
        ]


def _file_finding(layer: str, exc: DataFileError) -> Finding:
    return Finding(
        "error",
        "file_unreadable",
        layer,
        f"{exc.message_zh}。该图层暂按空图层处理,请修复文件后刷新。",
        f"{exc.message_en}. The layer is treated as empty until the file is fixed.",
        exc.feature,
    )


def _usable_fallback(fallback: LoadResult | None, layer: str):
    """The fallback's copy of ``layer`` if it was read fine there, else None."""
    if fallback is None:
        return None
    if any(f.check == "file_unreadable" and f.layer == layer for f in fallback.findings):
        return None
    return fallback.bundle.layer(layer)


def _stale_finding(layer: str, exc: DataFileError) -> Finding:
    return Finding(
        "warning",
        "file_stale",
        layer,
        f"{exc.message_zh}。可能正在被其他软件(如 QGIS)写入;"
        "在文件恢复正常之前,仍显示上一次读取的有效数据。",
        f"{exc.message_en}. It may be being written by another program (e.g. "
        "QGIS); the last good data is shown until the file is readable again.",
        exc.feature,
    )
