"""The whole import in one call, with every choice defaulting to its suggestion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from township_atlas.transfer.coordinates import CoordinateColumns
from township_atlas.transfer.crs_choice import CrsChoice, suggest_crs
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.mapping import FieldMapping
from township_atlas.transfer.plan import ImportPlan, build_plan
from township_atlas.transfer.progress import ProgressCallback, Reporter
from township_atlas.transfer.readers import no_geometry_left
from township_atlas.transfer.upload import Upload

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle


def plan_import(
    filename: str,
    data: bytes,
    layer: str,
    bundle: Bundle,
    *,
    source_layer: str | None = None,
    crs: CrsChoice | None = None,
    mapping: FieldMapping | None = None,
    encoding: str | None = None,
    coordinates: CoordinateColumns | None = None,
    repair_invalid: bool = False,
    snap_tolerance_m: float | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    lang: str = "zh",
) -> ImportPlan:
    """Read an upload and plan importing it into ``layer``: :class:`Upload`,
    :meth:`Upload.read`, :func:`suggest_crs` (unless ``crs`` is given),
    :func:`suggest_mapping` (unless ``mapping`` is given) and :func:`build_plan`.

    Raises
    ------
    TransferError (UploadRefused, UnsupportedFormat, UnreadableFile, LayerChoiceNeeded),
    or "xfer_crs_needed" when the CRS cannot be suggested and ``crs`` was not given
    """
    report = Reporter(progress, lang)
    report(0.0, "xfer_progress_read", name=filename)
    with Upload(filename, data, limits=limits, progress=report.part(0.0, 0.2).raw()) as upload:
        raw = upload.read(
            source_layer,
            encoding=encoding,
            coordinates=coordinates,
            progress=report.part(0.2, 0.4).raw(),
        )
    if crs is None:
        suggestion = suggest_crs(raw, bundle)
        if suggestion.choice is None and (refusal := no_geometry_left(raw)) is not None:
            raise refusal
        if suggestion.choice is None:
            raise suggestion.needed()
        crs = suggestion.choice
    return build_plan(
        raw,
        layer,
        bundle,
        crs=crs,
        mapping=mapping,
        repair_invalid=repair_invalid,
        snap_tolerance_m=snap_tolerance_m,
        progress=report.part(0.4, 1.0).raw(),
        lang=lang,
    )
