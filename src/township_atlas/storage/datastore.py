"""The store interface every storage backend offers.

Two backends keep a township's data: a folder of files
(:class:`~township_atlas.storage.files.store.Store`, the default) and a PostGIS database
holding many townships of a county (:class:`~township_atlas.storage.postgis.store.PgStore`,
optional: it needs the ``postgis`` extra). Pages and the editing UI use only what
:class:`DataStore` names, so they work on either; :mod:`.opening` opens the one the
settings name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from township_atlas.errors import AtlasError

if TYPE_CHECKING:
    from collections.abc import Callable

    from township_atlas.model.bundle import LoadResult
    from township_atlas.storage.changes import ChangeSet, Entry, SaveResult


class StorageError(AtlasError):
    """The storage cannot be used now (the database is unreachable or not set up)."""


@dataclass(frozen=True)
class TownshipRef:
    """A township a backend holds: its code and its (Chinese) name."""

    code: str
    name: str


@runtime_checkable
class DataStore(Protocol):
    """One township's data: load and check it, notice changes, save changes with history.

    Record ids, :class:`~township_atlas.storage.changes.ChangeSet` versions, conflicts and history
    entries mean the same on every backend (see :mod:`township_atlas.storage.changes`).
    """

    @property
    def label(self) -> str:
        """Where the data is, for people (a folder path; a township in a database)."""
        ...

    @property
    def key(self) -> str:
        """A stable string naming this store, for caches."""
        ...

    def load(self, *, strict: bool = False, fallback: LoadResult | None = None) -> LoadResult:
        """Every layer and document as a checked Bundle, with the data's fingerprint."""
        ...

    def fingerprint(self) -> str:
        """A cheap token that changes whenever the data changes (call it on every run)."""
        ...

    def save(
        self, change: ChangeSet, *, loader: Callable[[], LoadResult] | None = None
    ) -> SaveResult:
        """Apply ``change`` whole or refuse it (ConflictError, CheckFailedError)."""
        ...

    def read_records(self, layer: str) -> dict[str, dict[str, Any]]:
        """Every record of ``layer`` as stored, keyed by id."""
        ...

    def undo_change(self, seq: int, user: str = "") -> ChangeSet:
        """The change that reverses change ``seq`` (to be saved)."""
        ...

    def restore_change(self, layer: str, seq: int, user: str = "") -> ChangeSet:
        """The change that brings ``layer`` back to how it was after change ``seq``."""
        ...

    def layer_at(self, layer: str, seq: int) -> dict[str, dict[str, Any]]:
        """The layer's records as they were right after change ``seq`` (0: before any)."""
        ...

    def entries(self, layer: str | None = None) -> list[Entry]:
        """The change history, oldest first (optionally of one layer)."""
        ...

    def entry(self, seq: int) -> Entry | None:
        """One change of the history, or None."""
        ...

    def list_townships(self) -> list[TownshipRef]:
        """The townships this backend holds (a folder holds one)."""
        ...

    def put_photo_files(self, image: bytes, thumb: bytes) -> tuple[str, str]:
        """Write a processed photo and its thumbnail (before its index row is saved);
        their content names (files in the folder; rows of ``photo_files`` in PostGIS)."""
        ...

    def photo_file(self, name: str) -> bytes:
        """The bytes of a photo or thumbnail named by the photos index."""
        ...
