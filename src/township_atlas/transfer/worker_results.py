"""What an upload worker sends back and the server accepts: the result dataclasses, and the
restricted unpickler that builds only those and plain Python values, so a compromised
worker cannot make the server run code (see :mod:`.worker_sandbox`)."""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, field
from typing import Any

from township_atlas.errors import AtlasError
from township_atlas.text.bilingual import Messaged
from township_atlas.transfer.crs_candidates import CandidateLayer
from township_atlas.transfer.crs_choice import CrsChoice, CrsSuggestion
from township_atlas.transfer.encodings import EncodingChoice
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.mapping import FieldMapping
from township_atlas.transfer.messages import Note
from township_atlas.transfer.plan import ImportPlan
from township_atlas.transfer.raw import SourceLayer


@dataclass(frozen=True)
class ErrorInfo(Messaged):
    """An error the worker hit (its class name, message key and both texts)."""

    kind: str
    key: str
    message_zh: str
    message_en: str

    @classmethod
    def of(cls, exc: AtlasError) -> ErrorInfo:
        return cls(type(exc).__name__, getattr(exc, "key", ""), exc.message_zh, exc.message_en)

    def error(self) -> TransferError:
        return rebuild_error(self.kind, self.key, self.message_zh, self.message_en)


@dataclass
class ImportPreview:
    """What the import page needs from one upload and its choices: small and capped.

    Attributes
    ----------
    layers : the upload's importable layers; ``source`` the one read
    upload_notes : notes about the upload as a whole (e.g. extension does not match)
    name, format, columns, count, encoding, notes, declared : the source layer as read
    suggestion : the suggested coordinate system with its reason
    mapping : the suggested field mapping for ``target``
    crs : the coordinate system the plan used (the caller's, else the suggestion)
    plan : the plan, or None when no coordinate system could be chosen or planning failed
        (then ``plan_error`` says why)
    candidates : the features under each candidate coordinate system, capped, for the
        preview map (:mod:`.crs_candidates`)
    peak_rss_mb : the worker's peak resident memory (for the bench and the log)
    """

    layers: list[SourceLayer]
    source: str
    upload_notes: list[Note]
    name: str
    format: str
    columns: list[str]
    count: int
    encoding: EncodingChoice | None
    notes: list[Note]
    declared: str | None
    suggestion: CrsSuggestion
    target: str
    mapping: FieldMapping
    crs: CrsChoice | None
    plan: ImportPlan | None
    plan_error: ErrorInfo | None = None
    candidates: list[CandidateLayer] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo as the worker re-encoded it (see :mod:`.photos`): only fresh JPEG bytes and
    plain values; the GPS position stays in the worker, only its distance comes back.

    Attributes
    ----------
    image, thumb : the stored picture and its thumbnail, JPEG without any metadata
    width, height : the stored picture's size in pixels
    taken : the date taken (``YYYY-MM-DD HH:MM:SS``) or ""
    distance_m : metres from the feature's location to where the photo says it was taken
        (None: the photo has no GPS position, or no location was given)
    source_format : what the upload was (JPEG, PNG, WEBP, HEIF)
    has_gps : the upload carried a GPS position (now dropped)
    """

    image: bytes
    thumb: bytes
    width: int
    height: int
    taken: str
    distance_m: float | None
    source_format: str
    has_gps: bool = False


_ALLOWED_GLOBALS = {
    ("township_atlas.transfer.worker_results", "ProcessedPhoto"),
    ("township_atlas.transfer.worker_results", "ImportPreview"),
    ("township_atlas.transfer.worker_results", "ErrorInfo"),
    ("township_atlas.transfer.raw", "SourceLayer"),
    ("township_atlas.transfer.messages", "Note"),
    ("township_atlas.transfer.encodings", "EncodingChoice"),
    ("township_atlas.transfer.crs_choice", "CrsChoice"),
    ("township_atlas.transfer.crs_choice", "CrsSuggestion"),
    ("township_atlas.transfer.mapping", "FieldMapping"),
    ("township_atlas.transfer.plan", "ImportPlan"),
    ("township_atlas.transfer.plan", "TilingPiece"),
    ("township_atlas.transfer.plan_geometry", "Snapping"),
    ("township_atlas.transfer.problems", "RowProblem"),
    ("township_atlas.transfer.coordinates", "CoordinateColumns"),
    ("township_atlas.transfer.indicator_tables", "IndicatorPlan"),
    ("township_atlas.transfer.indicator_tables", "IndicatorRow"),
    ("township_atlas.transfer.indicator_tables", "NewIndicator"),
    ("township_atlas.transfer.indicator_tables", "UnmatchedColumn"),
    ("township_atlas.transfer.plan_tables", "PlansPlan"),
    ("township_atlas.transfer.plan_tables", "VillagePlan"),
    ("township_atlas.transfer.plan_tables", "Difference"),
    ("township_atlas.transfer.plan_tables", "PlanProblem"),
    ("township_atlas.transfer.plan_tables", "ChainsPlan"),
    ("township_atlas.transfer.plan_tables", "ChainPlan"),
    ("township_atlas.transfer.plan_tables", "StagePlan"),
    ("township_atlas.transfer.crs_candidates", "CandidateLayer"),
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles only our result dataclasses and plain values (str, numbers, lists, dicts,
    tuples, sets, bytes, None); anything else (a function, a module attribute such as
    ``os.system``, a class with a dangerous ``__reduce__``) is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed")


def safe_loads(payload: bytes) -> Any:
    """Unpickle what a worker sent, allowing only :data:`_ALLOWED_GLOBALS`."""
    return RestrictedUnpickler(io.BytesIO(payload)).load()


def rebuild_error(kind: str, key: str, zh: str, en: str) -> TransferError:
    """The error a worker hit, as its class in :mod:`.errors` (``TransferError`` when the
    name is not one of them), built from its message key and both texts."""
    from township_atlas.transfer import errors

    cls = getattr(errors, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, TransferError)):
        cls = TransferError
    exc = cls.__new__(cls)
    AtlasError.__init__(exc, zh, en)
    exc.key = key
    exc.params = {}
    return exc
