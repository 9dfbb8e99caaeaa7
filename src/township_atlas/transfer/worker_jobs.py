"""The import jobs the upload worker runs: read an upload, suggest the coordinate system
and the field mapping, and plan the import, all in a worker process
(:func:`.worker_sandbox.run_isolated`), so nothing is parsed in the server."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from township_atlas.errors import AtlasError
from township_atlas.transfer.coordinates import CoordinateColumns
from township_atlas.transfer.crs_candidates import candidate_layers
from township_atlas.transfer.crs_choice import CrsChoice, describe_declared, suggest_crs
from township_atlas.transfer.errors import LayerChoiceNeeded
from township_atlas.transfer.indicator_tables import (
    IndicatorContext,
    IndicatorPlan,
    NewIndicator,
    plan_indicators,
)
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.mapping import FieldMapping, suggest_mapping
from township_atlas.transfer.name_match import MAX_CANDIDATES
from township_atlas.transfer.photos import PhotoLimits, check_photo_file, process_photo
from township_atlas.transfer.plan import ImportPlan, build_plan
from township_atlas.transfer.plan_tables import ChainsPlan, PlansPlan, plan_chains, plan_plans
from township_atlas.transfer.progress import ProgressCallback, Reporter
from township_atlas.transfer.readers import no_geometry_left
from township_atlas.transfer.upload import Upload
from township_atlas.transfer.worker_results import ErrorInfo, ImportPreview, ProcessedPhoto
from township_atlas.transfer.worker_sandbox import WorkerLimits, run_isolated

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:200]


def _capped_plan(plan: ImportPlan) -> ImportPlan:
    """The plan with problem values reduced to short plain values (they are only shown)."""
    plan.problems = [
        dataclasses.replace(
            p,
            value=_plain(p.value),
            candidates=tuple(str(c)[:200] for c in p.candidates[:MAX_CANDIDATES]),
        )
        for p in plan.problems
    ]
    return plan


def _preview_job(
    path: Path,
    progress: ProgressCallback,
    filename: str,
    target: str,
    bundle: Bundle,
    *,
    source: str | None,
    encoding: str | None,
    coordinates: CoordinateColumns | None,
    crs: CrsChoice | None,
    mapping: FieldMapping | None,
    repair_invalid: bool,
    limits: Limits,
    lang: str,
    plan: bool,
    snap_tolerance_m: float | None = None,
) -> ImportPreview:
    report = Reporter(progress, lang)
    report(0.0, "xfer_progress_read", name=filename)
    data = path.read_bytes()
    path.unlink()
    with Upload(filename, data, limits=limits, progress=report.part(0.0, 0.2).raw()) as upload:
        del data
        layers = list(upload.layers)
        keys = [sl.key for sl in layers]
        chosen = source if source in keys else keys[0]
        raw = upload.read(
            chosen,
            encoding=encoding,
            coordinates=coordinates,
            progress=report.part(0.2, 0.4).raw(),
        )
        upload_notes = list(upload.notes)
    suggestion = suggest_crs(raw, bundle)
    if suggestion.choice is None and (refusal := no_geometry_left(raw)) is not None:
        raise refusal
    suggested = suggest_mapping(raw, target)
    use_crs = crs or suggestion.choice
    result = ImportPreview(
        layers=layers,
        source=chosen,
        upload_notes=upload_notes,
        name=raw.name,
        format=raw.format,
        columns=list(raw.columns),
        count=len(raw.records),
        encoding=raw.encoding,
        notes=[n for n in raw.notes if n not in upload_notes],
        declared=describe_declared(raw),
        suggestion=suggestion,
        target=target,
        mapping=copy.deepcopy(suggested),
        crs=use_crs,
        plan=None,
        # For the map that helps choose; once a system was given, not made again.
        candidates=candidate_layers(raw, suggestion, bundle) if crs is None else [],
    )
    if plan and use_crs is not None:
        try:
            result.plan = _capped_plan(
                build_plan(
                    raw,
                    target,
                    bundle,
                    crs=use_crs,
                    mapping=mapping or suggested,
                    repair_invalid=repair_invalid,
                    snap_tolerance_m=snap_tolerance_m,
                    progress=report.part(0.4, 1.0).raw(),
                    lang=lang,
                )
            )
        except AtlasError as exc:
            result.plan_error = ErrorInfo.of(exc)
    return result


def preview_import(
    filename: str,
    data: bytes,
    target: str,
    bundle: Bundle,
    *,
    source: str | None = None,
    encoding: str | None = None,
    coordinates: CoordinateColumns | None = None,
    crs: CrsChoice | None = None,
    mapping: FieldMapping | None = None,
    repair_invalid: bool = False,
    snap_tolerance_m: float | None = None,
    plan: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    worker: WorkerLimits | None = None,
    progress: ProgressCallback | None = None,
    lang: str = "zh",
) -> ImportPreview:
    """Read an upload in a worker process and plan importing it into ``target``.

    ``source`` is the layer to read (its key; the first when None or not in the upload);
    ``crs`` and ``mapping`` default to the suggestions. When no coordinate system can be
    suggested and none was given, the preview has no plan (``crs`` is None). An error of
    planning (not of reading) comes back as ``plan_error`` so the page can still offer
    the choices.

    Raises
    ------
    TransferError : the upload cannot be read (with the reason)
    WorkerFailed : the worker crashed or hit its time or memory limit
    """
    return run_isolated(
        _preview_job,
        filename,
        target,
        bundle,
        data=data,
        worker=worker,
        progress=progress,
        file_bytes=len(data) + limits.max_uncompressed_bytes + 2**20,
        source=source,
        encoding=encoding,
        coordinates=coordinates,
        crs=crs,
        mapping=mapping,
        repair_invalid=repair_invalid,
        limits=limits,
        lang=lang,
        plan=plan,
        snap_tolerance_m=snap_tolerance_m,
    )


def plan_import_isolated(
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
    worker: WorkerLimits | None = None,
    progress: ProgressCallback | None = None,
    lang: str = "zh",
) -> ImportPlan:
    """:func:`~.workflow.plan_import` run in a worker process (same arguments, plus
    ``worker``): the whole import planned without parsing anything in the server.

    Raises
    ------
    TransferError : as ``plan_import``; "xfer_crs_needed" when no CRS can be suggested
    WorkerFailed : the worker crashed or hit its time or memory limit
    """
    preview = preview_import(
        filename,
        data,
        layer,
        bundle,
        source=source_layer,
        encoding=encoding,
        coordinates=coordinates,
        crs=crs,
        mapping=mapping,
        repair_invalid=repair_invalid,
        snap_tolerance_m=snap_tolerance_m,
        limits=limits,
        worker=worker,
        progress=progress,
        lang=lang,
    )
    if source_layer is None and len(preview.layers) > 1:
        names = "、".join(sl.name for sl in preview.layers[:20])
        raise LayerChoiceNeeded("xfer_choose_layer", name=filename, layers=names)
    if preview.plan_error is not None:
        raise preview.plan_error.error()
    if preview.plan is None:
        raise preview.suggestion.needed()
    return preview.plan


def _plans_job(
    path: Path, progress: ProgressCallback, filename: str, bundle: Bundle, *, limits: Limits
) -> PlansPlan:
    data = path.read_bytes()
    path.unlink()
    return plan_plans(filename, data, bundle, limits=limits)


def plan_plans_isolated(
    filename: str,
    data: bytes,
    bundle: Bundle,
    *,
    limits: Limits = DEFAULT_LIMITS,
    worker: WorkerLimits | None = None,
    progress: ProgressCallback | None = None,
) -> PlansPlan:
    """:func:`~.plan_tables.plan_plans` run in a worker process (same arguments, plus
    ``worker`` and ``progress``): the plans workbook is never parsed in the server.

    Raises
    ------
    TransferError : as ``plan_plans``
    WorkerFailed : the worker crashed or hit its time or memory limit
    """
    return run_isolated(
        _plans_job,
        filename,
        bundle,
        data=data,
        worker=worker,
        progress=progress,
        file_bytes=len(data) + 2**20,
        limits=limits,
    )


def _chains_job(
    path: Path,
    progress: ProgressCallback,
    filename: str,
    bundle: Bundle,
    *,
    sheet: str | None,
    limits: Limits,
) -> ChainsPlan:
    data = path.read_bytes()
    path.unlink()
    return plan_chains(filename, data, bundle, sheet=sheet, limits=limits)


def plan_chains_isolated(
    filename: str,
    data: bytes,
    bundle: Bundle,
    *,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    worker: WorkerLimits | None = None,
    progress: ProgressCallback | None = None,
) -> ChainsPlan:
    """:func:`~.plan_tables.plan_chains` run in a worker process (same arguments, plus
    ``worker`` and ``progress``): the chains table is never parsed in the server.

    Raises
    ------
    TransferError : as ``plan_chains``
    WorkerFailed : the worker crashed or hit its time or memory limit
    """
    return run_isolated(
        _chains_job,
        filename,
        bundle,
        data=data,
        worker=worker,
        progress=progress,
        file_bytes=len(data) + 2**20,
        sheet=sheet,
        limits=limits,
    )


def _indicators_job(
    path: Path,
    progress: ProgressCallback,
    filename: str,
    context: IndicatorContext,
    *,
    sheet: str | None,
    new_indicators: dict[str, NewIndicator] | None,
    names: dict[str, str] | None,
    limits: Limits,
    lang: str,
) -> IndicatorPlan:
    report = Reporter(progress, lang)
    report(0.0, "xfer_progress_read", name=filename)
    data = path.read_bytes()
    path.unlink()
    plan = plan_indicators(
        filename,
        data,
        context,
        sheet=sheet,
        new_indicators=new_indicators,
        names=names,
        lang=lang,
        limits=limits,
    )
    report(1.0, "xfer_progress_done")
    problems = tuple(
        dataclasses.replace(
            p,
            value=_plain(p.value),
            candidates=tuple(str(c)[:200] for c in p.candidates[:MAX_CANDIDATES]),
        )
        for p in plan.problems
    )
    return dataclasses.replace(plan, problems=problems)


def plan_indicators_isolated(
    filename: str,
    data: bytes,
    bundle: Bundle,
    *,
    sheet: str | None = None,
    new_indicators: dict[str, NewIndicator] | None = None,
    names: dict[str, str] | None = None,
    lang: str = "zh",
    limits: Limits = DEFAULT_LIMITS,
    worker: WorkerLimits | None = None,
    progress: ProgressCallback | None = None,
) -> IndicatorPlan:
    """:func:`~.indicator_tables.plan_indicators` run in a worker process (same arguments,
    plus ``worker`` and ``progress``): the server never parses the upload itself. The
    worker gets only the plain :class:`~.indicator_tables.IndicatorContext` of ``bundle``.

    Raises
    ------
    TransferError : the table cannot be read or planned (with the reason)
    WorkerFailed : the worker crashed or hit its time or memory limit
    """
    return run_isolated(
        _indicators_job,
        filename,
        IndicatorContext.of(bundle),
        data=data,
        worker=worker,
        progress=progress,
        file_bytes=len(data) + 2**20,
        sheet=sheet,
        new_indicators=dict(new_indicators) if new_indicators else None,
        names=dict(names) if names else None,
        limits=limits,
        lang=lang,
    )


def _photo_job(
    path: Path,
    progress: ProgressCallback,
    filename: str,
    *,
    feature_point: tuple[float, float] | None,
    limits: PhotoLimits,
) -> ProcessedPhoto:
    data = path.read_bytes()
    path.unlink()
    return process_photo(filename, data, feature_point=feature_point, limits=limits)


def process_photo_isolated(
    filename: str,
    data: bytes,
    *,
    feature_point: tuple[float, float] | None = None,
    limits: PhotoLimits | None = None,
    worker: WorkerLimits | None = None,
) -> ProcessedPhoto:
    """:func:`process_photo` run in the sandboxed upload worker: the server never decodes
    an uploaded image. Same arguments and errors, plus ``WorkerFailed`` when the worker
    crashed or hit its time or memory limit."""
    limits = limits or PhotoLimits()
    if len(data) > limits.max_bytes:  # refused before a worker starts
        check_photo_file(filename, data, limits)
    return run_isolated(
        _photo_job,
        filename,
        data=data,
        worker=worker,
        file_bytes=len(data) + 2**20,
        feature_point=feature_point,
        limits=limits,
    )
