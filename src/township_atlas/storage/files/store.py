"""The files backend's store: load a data folder into a Bundle, check it, fingerprint it,
and save changes to it with history (see :mod:`.saving` for the backend's part of a save).

Pages and map builders receive a Bundle; they never open files. A file that cannot be
read becomes an error finding (naming file and feature) and an empty layer, so the app
still starts and can say what is wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from township_atlas.checks import run_checks
from township_atlas.errors import DataFileError, DataFolderError, EmptyDataFolder
from township_atlas.model.bundle import Bundle, Finding, LoadResult
from township_atlas.model.schema import LAYERS, PLANS_FILE, REPORT_FILE, TOWNSHIP
from township_atlas.storage.changes import (
    change_restoring,
    change_undoing,
    records_after,
)
from township_atlas.storage.datastore import TownshipRef
from township_atlas.storage.files import history
from township_atlas.storage.files.saving import FolderSave, recover_if_idle
from township_atlas.storage.formats import (
    csv_text,
    empty_layer,
    geojson_text,
    read_layer,
    read_yaml,
    yaml_text,
)
from township_atlas.storage.layer_codec import codec
from township_atlas.storage.load_findings import stale_finding, unreadable_finding
from township_atlas.storage.photo_files import read_photo_file, write_photo_files
from township_atlas.storage.saving import save_change

if TYPE_CHECKING:
    from township_atlas.storage.changes import ChangeSet, Entry, SaveResult

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
        EmptyDataFolder : the folder does not exist or holds none of our files (a
            township to set up: see :func:`create_folder`)
        """
        if not self.path.is_dir():
            raise EmptyDataFolder(
                f"数据文件夹 {self.path} 不存在。请检查设置 TOWNSHIP_ATLAS_DATA_DIR。",
                f"The data folder {self.path} does not exist. Check TOWNSHIP_ATLAS_DATA_DIR.",
            )
        if not any((self.path / name).exists() for name in DATA_FILES):
            raise EmptyDataFolder(
                f"文件夹 {self.path} 中没有乡镇数据文件(如 township.geojson)。",
                f"The folder {self.path} holds no township data files (e.g. township.geojson).",
            )
        fingerprint = self.fingerprint()
        findings: list[Finding] = []
        layers = {}
        for spec in LAYERS:
            file = self.path / spec.filename
            if not spec.required and not file.exists():
                layers[spec.name] = empty_layer(spec)  # e.g. no photos yet
                continue
            try:
                layers[spec.name] = read_layer(file, spec)
            except DataFileError as exc:
                if strict:
                    raise
                previous = _usable_fallback(fallback, spec.name)
                if previous is not None:
                    findings.append(stale_finding(spec.name, exc))
                    layers[spec.name] = previous
                else:
                    findings.append(unreadable_finding(spec.name, exc))
                    layers[spec.name] = empty_layer(spec)
        documents = {}
        for key, name in (("plans", PLANS_FILE), ("report", REPORT_FILE)):
            try:
                documents[key] = read_yaml(self.path / name)
            except DataFileError as exc:
                if strict:
                    raise
                if fallback is not None and getattr(fallback.bundle, key):
                    findings.append(stale_finding(key, exc))
                    documents[key] = getattr(fallback.bundle, key)
                else:
                    findings.append(unreadable_finding(key, exc))
                    documents[key] = {}
        bundle = Bundle(**layers, **documents)
        findings.extend(run_checks(bundle))
        findings.sort(key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity])
        return LoadResult(bundle, findings, fingerprint)

    def settle_history(self) -> list[int] | None:
        """Settle what a crashed save left (pending history entries, temporary files),
        unless a save is running; see :func:`.saving.recover_if_idle`."""
        return recover_if_idle(self.path)

    # Editing and history: the save sequence and the change model on this folder.
    def save(
        self, change: ChangeSet, *, loader: Callable[[], LoadResult] | None = None
    ) -> SaveResult:
        """Apply ``change`` to its layer file, or refuse it whole.

        ``change.layer`` is any layer of the schema (GeoJSON layers and CSV tables) or
        ``"plans"``. Record ids are the layer's id field, its key fields joined with "|"
        (:func:`~township_atlas.storage.changes.record_key`), or a plan's village code.

        Raises
        ------
        ConflictError : a touched feature differs from the version the change started from
        CheckFailedError : the new layer would add an error finding (see checks.py)
        DataFileError : the layer file on disk cannot be read (fix it first)
        """
        return save_change(FolderSave(self), change, loader=loader)

    def read_records(self, layer: str) -> dict[str, dict[str, Any]]:
        """Every record of ``layer`` as stored, keyed by id (what a ChangeSet's base
        refers to)."""
        c = codec(layer)
        file = self.path / c.filename
        if c.spec is not None and not c.spec.required and not file.exists():
            return {}
        return c.parse(file.read_text(encoding="utf-8"))

    def undo_change(self, seq: int, user: str = "") -> ChangeSet:
        """The change that reverses change ``seq`` (to be saved; it conflicts if the
        features have changed since)."""
        return change_undoing(self.entry(seq), seq, user)

    def restore_change(self, layer: str, seq: int, user: str = "") -> ChangeSet:
        """The change that brings ``layer`` back to how it was after change ``seq``."""
        target = self.layer_at(layer, seq)
        return change_restoring(layer, self.read_records(layer), target, seq, user)

    def layer_at(self, layer: str, seq: int) -> dict[str, dict[str, Any]]:
        """The layer's records right after change ``seq`` (0: before any change),
        rebuilt from the current file by reversing later changes."""
        return records_after(self.read_records(layer), self.entries(layer), seq)

    def entries(self, layer: str | None = None) -> list[Entry]:
        """The folder's change history, oldest first."""
        return history.entries(self.path, layer)

    def entry(self, seq: int) -> Entry | None:
        """One change of the folder's history, or None."""
        return history.entry(self.path, seq)

    def put_photo_files(self, image: bytes, thumb: bytes) -> tuple[str, str]:
        """Write a processed photo and its thumbnail as content-named files (see
        :mod:`township_atlas.storage.photo_files`); returns their names for the index."""
        return write_photo_files(self.path, image, thumb)

    def photo_file(self, name: str) -> bytes:
        """The bytes of a photo or thumbnail the index names (after the role check)."""
        return read_photo_file(self.path, name)

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


def create_folder(path: Path | str) -> Store:
    """A new, empty data folder at ``path``: every layer file with no features or rows and
    empty plan and report documents, ready for the set-up guide to fill step by step.

    The folder may exist already but must hold none of the data files: an existing
    township is never overwritten.

    Raises
    ------
    DataFolderError : the folder already holds data files, or cannot be created
    """
    folder = Path(path)
    present = [name for name in DATA_FILES if (folder / name).exists()]
    if present:
        raise DataFolderError(
            f"文件夹 {folder} 已有乡镇数据({present[0]} 等),不会覆盖。请选一个空文件夹。",
            f"The folder {folder} already holds township data ({present[0]}, ...); it is "
            "never overwritten. Choose an empty folder.",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for spec in LAYERS:
            frame = empty_layer(spec)
            text = geojson_text(frame, spec) if spec.is_spatial else csv_text(frame, spec)
            (folder / spec.filename).write_text(text, encoding="utf-8")
        for name in (PLANS_FILE, REPORT_FILE):
            (folder / name).write_text(yaml_text({}), encoding="utf-8")
    except OSError as exc:
        raise DataFolderError(
            f"无法在 {folder} 建立数据文件夹:{exc.strerror}。请检查路径和写入权限。",
            f"Cannot create the data folder {folder}: {exc.strerror}. Check the path and "
            "the permission to write there.",
        ) from exc
    return Store(folder)


def _usable_fallback(fallback: LoadResult | None, layer: str):
    """The fallback's copy of ``layer`` if it was read fine there, else None."""
    if fallback is None:
        return None
    if any(f.check == "file_unreadable" and f.layer == layer for f in fallback.findings):
        return None
    return fallback.bundle.layer(layer)


# The editing functions on a folder, for scripts and tests that hold a path, not a Store.
def save(folder: Path | str, change: ChangeSet, *, loader=None) -> SaveResult:
    """:meth:`Store.save` on ``folder``."""
    return Store(folder).save(change, loader=loader)


def read_records(folder: Path | str, layer: str) -> dict[str, dict[str, Any]]:
    """:meth:`Store.read_records` on ``folder``."""
    return Store(folder).read_records(layer)


def undo_change(folder: Path | str, seq: int, user: str = "") -> ChangeSet:
    """:meth:`Store.undo_change` on ``folder``."""
    return Store(folder).undo_change(seq, user)


def undo(folder: Path | str, seq: int, user: str) -> SaveResult:
    """Reverse change ``seq`` as a new change; refused as a conflict if its features have
    changed since."""
    return save(folder, undo_change(folder, seq, user))


def layer_at(folder: Path | str, layer: str, seq: int) -> dict[str, dict[str, Any]]:
    """:meth:`Store.layer_at` on ``folder``."""
    return Store(folder).layer_at(layer, seq)


def restore_change(folder: Path | str, layer: str, seq: int, user: str = "") -> ChangeSet:
    """:meth:`Store.restore_change` on ``folder``."""
    return Store(folder).restore_change(layer, seq, user)


def restore(folder: Path | str, layer: str, seq: int, user: str) -> SaveResult:
    """Bring ``layer`` back to how it was after change ``seq``, as a new (undoable) change."""
    return save(folder, restore_change(folder, layer, seq, user))
