"""Importing geodata files into a layer, and exporting layers or the whole dataset.

Import, step by step (what the 数据编辑 page does)::

    with Upload(filename, data) as upload:          # vetted; zips extracted privately
        upload.layers                                # -> [SourceLayer]; pick one
        raw = upload.read(key, encoding=None)        # -> RawLayer (source coordinates)
    suggestion = suggest_crs(raw, bundle)            # -> CrsSuggestion (choice + reason)
    mapping = suggest_mapping(raw, "sites")          # -> FieldMapping (editable)
    plan = build_plan(raw, "sites", bundle, crs=suggestion.choice, mapping=mapping)
    plan.problems, plan.new_ids, plan.replaced_ids   # preview
    change = plan.to_change_set(user)                # -> edits.ChangeSet for edits.save

or all at once: ``plan_import(filename, data, "sites", bundle)``. Nothing here writes to
the data folder. The server (the 数据编辑 page) never parses an upload itself: it calls
``preview_import`` / ``plan_import_isolated``, which run the steps above in a worker
process with a time and memory limit (:mod:`.worker`); ``Upload`` and ``plan_import`` stay
usable in-process for tests and scripts. Export: ``export_layer(bundle, "sites", "shapefile")`` and
``export_dataset(bundle, "geojson")`` return ``(file name, bytes)``.

Indicators from an office's statistics sheet: ``plan_indicators_isolated(filename, data,
bundle)`` (in the worker; ``plan_indicators`` in-process) -> ``IndicatorPlan`` whose
``to_change_sets(bundle, user)`` gives the catalogue and indicator changes to save;
``indicator_template_xlsx(bundle, year)`` is the Excel template that reads back unchanged.

Every error is a :class:`TransferError` (an ``AtlasError``) with a Chinese and English
message saying what is wrong and what to do.
"""

from township_atlas.transfer.coordinates import CoordinateColumns
from township_atlas.transfer.crs_choice import (
    CHOICES,
    CrsChoice,
    CrsSuggestion,
    describe_declared,
    suggest_crs,
    to_wgs84,
)
from township_atlas.transfer.encodings import EncodingChoice
from township_atlas.transfer.errors import (
    CoordinateOrderNeeded,
    ExportError,
    LayerChoiceNeeded,
    TransferError,
    UnreadableFile,
    UnsupportedFormat,
    UploadRefused,
)
from township_atlas.transfer.export import (
    EXPORT_FORMATS,
    export_dataset,
    export_formats,
    export_layer,
    export_warnings,
)
from township_atlas.transfer.gdal_env import GDAL_OPTIONS, lock_down_gdal
from township_atlas.transfer.indicator_tables import (
    IndicatorPlan,
    IndicatorRow,
    NewIndicator,
    plan_indicators,
)
from township_atlas.transfer.indicator_template import indicator_template_xlsx
from township_atlas.transfer.limits import DEFAULT_LIMITS, Limits
from township_atlas.transfer.mapping import FieldMapping, suggest_mapping
from township_atlas.transfer.messages import Note
from township_atlas.transfer.plan import IMPORTABLE_LAYERS, ImportPlan, build_plan
from township_atlas.transfer.problems import RowProblem
from township_atlas.transfer.raw import RawLayer, SourceLayer
from township_atlas.transfer.upload import Upload, read_upload
from township_atlas.transfer.worker_jobs import (
    plan_import_isolated,
    plan_indicators_isolated,
    preview_import,
)
from township_atlas.transfer.worker_results import ImportPreview
from township_atlas.transfer.worker_sandbox import WorkerFailed, WorkerLimits, run_isolated
from township_atlas.transfer.workflow import plan_import

__all__ = [
    "CHOICES",
    "DEFAULT_LIMITS",
    "EXPORT_FORMATS",
    "GDAL_OPTIONS",
    "IMPORTABLE_LAYERS",
    "CoordinateColumns",
    "CoordinateOrderNeeded",
    "CrsChoice",
    "CrsSuggestion",
    "EncodingChoice",
    "ExportError",
    "FieldMapping",
    "ImportPlan",
    "ImportPreview",
    "IndicatorPlan",
    "IndicatorRow",
    "LayerChoiceNeeded",
    "Limits",
    "NewIndicator",
    "Note",
    "RawLayer",
    "RowProblem",
    "SourceLayer",
    "TransferError",
    "UnreadableFile",
    "UnsupportedFormat",
    "Upload",
    "UploadRefused",
    "WorkerFailed",
    "WorkerLimits",
    "build_plan",
    "describe_declared",
    "export_dataset",
    "export_formats",
    "export_layer",
    "export_warnings",
    "indicator_template_xlsx",
    "lock_down_gdal",
    "plan_import",
    "plan_import_isolated",
    "plan_indicators",
    "plan_indicators_isolated",
    "preview_import",
    "read_upload",
    "run_isolated",
    "suggest_crs",
    "suggest_mapping",
    "to_wgs84",
]
