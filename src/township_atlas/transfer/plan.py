"""The import plan: what accepting an upload would change in one layer, and why not more.

:func:`build_plan` takes a read source layer, the chosen CRS and field mapping, and the
current :class:`~township_atlas.model.bundle.Bundle`, and returns an :class:`ImportPlan`: the
features to write (GeoJSON dicts in the stored shape, ready for ``ChangeSet.upserts``),
which ids are new, replaced or unchanged, and every problem per row. Rows with an error
are left out and listed. Nothing is written anywhere; :meth:`ImportPlan.to_change_set`
gives the editing page what ``edits.save`` takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from township_atlas import settings
from township_atlas.geo.measure import m2_to_mu
from township_atlas.geo.tiling import Piece, find_pieces
from township_atlas.model.schema import LAYERS_BY_NAME, LayerSpec
from township_atlas.storage.changes import ChangeSet, feature_version
from township_atlas.transfer.crs_choice import CrsChoice, to_wgs84
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.mapping import FieldMapping, suggest_mapping
from township_atlas.transfer.messages import Note
from township_atlas.transfer.plan_geometry import Snapping, check_geometries
from township_atlas.transfer.plan_links import check_links, check_required
from township_atlas.transfer.plan_rows import assign_ids, merge_current, row_properties
from township_atlas.transfer.problems import ProblemLog, RowProblem
from township_atlas.transfer.progress import ProgressCallback, Reporter
from township_atlas.transfer.raw import RawLayer
from township_atlas.transfer.values import geometry_dicts, plain, stored_features

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

IMPORTABLE_LAYERS = ("township", "villages", "sites", "party_orgs")


@dataclass(frozen=True)
class TilingPiece:
    """A gap, overlap or spill of the villages after accepting, as plain values (the plan
    comes back from the upload worker, which may send no geometry objects).

    See :class:`township_atlas.geo.tiling.Piece`.
    """

    kind: str
    villages: tuple[str, ...]
    area_m2: float
    point: tuple[float, float]
    narrow: bool

    @property
    def area_mu(self) -> float:
        return m2_to_mu(self.area_m2)

    @classmethod
    def of(cls, piece: Piece) -> TilingPiece:
        return cls(piece.kind, tuple(piece.villages), piece.area_m2, piece.point, piece.narrow)


@dataclass
class ImportPlan:
    """What importing a source layer into ``layer`` would do (nothing is written).

    Attributes
    ----------
    layer : our layer name
    source : the upload and source layer, for display
    crs, mapping : the choices the plan was built with
    features : accepted rows as GeoJSON Feature dicts exactly as the layer file stores them
        (schema-ordered properties, 7-decimal WGS84 coordinates)
    rows : the source row number of each feature (parallel to ``features``)
    new_ids, replaced_ids, unchanged_ids : feature ids by what accepting does to them
        (unchanged: the same properties and geometry as now; nothing to write)
    base : id -> version of the current feature (None for new ones), for ``ChangeSet.base``
    problems : every problem, row by row (errors, warnings, infos)
    notes : about the plan as a whole (e.g. most features outside: wrong CRS?)
    total_rows : rows in the source layer
    snapping : villages only: the snapping tolerance and what it fixed (``apply``) or
        would fix (count, area in m²)
    tiling : villages only: the gaps, overlaps and spill of the villages after accepting
        (the accepted features with the current villages the file does not touch)
    """

    layer: str
    source: str
    crs: CrsChoice
    mapping: FieldMapping
    features: list[dict[str, Any]]
    rows: list[int]
    new_ids: list[str]
    replaced_ids: list[str]
    unchanged_ids: list[str]
    base: dict[str, str | None]
    problems: list[RowProblem]
    notes: list[Note] = field(default_factory=list)
    total_rows: int = 0
    snapping: Snapping | None = None
    tiling: list[TilingPiece] = field(default_factory=list)

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def rejected_rows(self) -> list[int]:
        """Source rows left out of the plan because of an error."""
        return sorted({p.row for p in self.errors})

    @property
    def ok(self) -> bool:
        """True when every row can be imported."""
        return not self.errors

    def to_change_set(
        self, user: str, note: str = "", *, include_unchanged: bool = False
    ) -> ChangeSet:
        """The accepted features as a :class:`~township_atlas.storage.changes.ChangeSet` to save."""
        skip = set() if include_unchanged else set(self.unchanged_ids)
        id_field = LAYERS_BY_NAME[self.layer].id_field
        upserts = [f for f in self.features if str(f["properties"][id_field]) not in skip]
        ids = [str(f["properties"][id_field]) for f in upserts]
        return ChangeSet(
            self.layer, user, upserts=upserts, base={i: self.base.get(i) for i in ids}, note=note
        )

    def preview(self) -> gpd.GeoDataFrame:
        """The accepted features as a WGS84 GeoDataFrame with ``_row`` and ``_status``
        (new / replace / unchanged) columns, for a preview table or map."""
        spec = LAYERS_BY_NAME[self.layer]
        status = {
            **dict.fromkeys(self.new_ids, "new"),
            **dict.fromkeys(self.replaced_ids, "replace"),
            **dict.fromkeys(self.unchanged_ids, "unchanged"),
        }
        records = [dict(f["properties"]) for f in self.features]
        frame = pd.DataFrame(records, columns=spec.field_names())
        frame["_row"] = self.rows
        frame["_status"] = [status.get(str(r.get(spec.id_field)), "new") for r in records]
        geoms = [shape(f["geometry"]) if f.get("geometry") else None for f in self.features]
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def _township(bundle: Bundle) -> Any:
    if len(bundle.township) != 1:
        return None
    geom = bundle.township.geometry.iloc[0]
    return geom if geom is not None and not geom.is_empty and geom.is_valid else None


def _feature(
    spec: LayerSpec,
    props: dict[str, Any],
    geom: Any,
    geometry: dict[str, Any],
    current: dict[str, Any] | None,
) -> dict[str, Any]:
    properties = {f.name: plain(props.get(f.name)) for f in spec.fields}
    stored = current.get("geometry") if current is not None else None
    if stored is not None and geometry != stored:
        same = shapely.equals_exact(
            shapely.normalize(geom), shapely.normalize(shape(stored)), tolerance=1e-9
        )
        if same:
            geometry = stored  # other ring order/orientation only: no spurious change
    if geometry != stored and geom.geom_type in ("Polygon", "MultiPolygon"):
        # RFC 7946: exterior rings counter-clockwise.
        geometry = geometry_dicts(np.array([shapely.orient_polygons(geom)], dtype=object))[0]
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def build_plan(
    raw: RawLayer,
    layer: str,
    bundle: Bundle,
    *,
    crs: CrsChoice,
    mapping: FieldMapping | None = None,
    repair_invalid: bool = False,
    snap_tolerance_m: float | None = None,
    progress: ProgressCallback | None = None,
    lang: str = "zh",
) -> ImportPlan:
    """Plan importing ``raw`` into ``layer`` of ``bundle`` (see the module docstring).

    Parameters
    ----------
    raw : a source layer from :meth:`Upload.read`
    layer : "township", "villages", "sites" or "party_orgs"
    bundle : the current data (ids, villages, township boundary, links); not modified
    crs : the source CRS (see :func:`suggest_crs`); geometries end up in WGS84
    mapping : source columns for our fields (default: :func:`suggest_mapping`)
    repair_invalid : fix invalid polygons with make_valid (a warning per row) instead of
        refusing them
    snap_tolerance_m : villages only: snap gaps, overlaps and spill narrower than this
        (metres) before checking (:func:`township_atlas.geo.tiling.snap_villages`); None
        leaves the boundaries as they are and only notes what snapping at the
        ``tiling_snap_metres`` setting would fix
    progress : ``callback(fraction, message)``; ``lang`` chooses the message language

    Raises
    ------
    TransferError : ``layer`` cannot be imported into; AtlasError : the CRS cannot be
        applied (e.g. eastings without a Gauss-Krüger zone prefix)
    """
    if layer not in IMPORTABLE_LAYERS:
        raise TransferError("xfer_layer_not_importable", layer=layer)
    spec = LAYERS_BY_NAME[layer]
    assert spec.id_field is not None
    report = Reporter(progress, lang)
    mapping = mapping or suggest_mapping(raw, layer)
    log = ProblemLog(raw)
    notes: list[Note] = []
    frame = bundle.layer(layer)
    report(0.05, "xfer_progress_attributes")
    rows = row_properties(spec, mapping, log, notes)
    levels = frame["level"] if layer == "party_orgs" else [None] * len(frame)
    assign_ids(spec, rows, list(zip(frame[spec.id_field].astype(str), levels, strict=True)), log)
    # Only the features the file touches are serialised for comparison.
    touched = frame[frame[spec.id_field].astype(str).isin({str(r[spec.id_field]) for r in rows})]
    current = {str(f["properties"][spec.id_field]): f for f in stored_features(touched, spec)}
    merge_current(spec, rows, current)
    report(0.35, "xfer_progress_convert")
    snapping = None
    if layer == "villages" and _township(bundle) is not None:
        tolerance = snap_tolerance_m or settings.tiling_snap_metres()
        snapping = Snapping(tolerance, apply=snap_tolerance_m is not None)
    geoms = check_geometries(
        to_wgs84(raw, crs),
        spec,
        _township(bundle),
        log,
        repair=repair_invalid,
        notes=notes,
        snapping=snapping,
    )
    if _township(bundle) is None and layer != "township":
        notes.append(Note.of("xfer_plan_no_township"))
    report(0.7, "xfer_progress_links")
    village_given = (
        mapping.columns.get("village_code") is not None or "village_code" in mapping.constants
    )
    check_links(
        spec, rows, geoms, bundle, log, village_given=village_given, chosen=mapping.value_maps
    )
    check_required(spec, rows, log)
    report(0.85, "xfer_progress_compose")
    features, numbers, new, replaced, unchanged = [], [], [], [], []
    dicts = geometry_dicts(geoms)
    for index, props in enumerate(rows):
        if index in log.error_rows or geoms[index] is None:
            continue
        fid = str(props[spec.id_field])
        feature = _feature(spec, props, geoms[index], dicts[index], current.get(fid))
        features.append(feature)
        numbers.append(raw.row_numbers[index])
        if fid not in current:
            new.append(fid)
        elif feature == current[fid]:
            unchanged.append(fid)
        else:
            replaced.append(fid)
    base = {fid: feature_version(current.get(fid)) for fid in (*new, *replaced, *unchanged)}
    tiling: list[TilingPiece] = []
    if snapping is not None and features:
        pieces = _tiling_after(bundle, features, snapping.tolerance_m)
        notes.extend(_tiling_notes(pieces))
        tiling = [TilingPiece.of(p) for p in pieces]
    report(1.0, "xfer_progress_done")
    problems = sorted(
        log.items, key=lambda p: (p.row, {"error": 0, "warning": 1, "info": 2}[p.severity])
    )
    return ImportPlan(
        layer=layer,
        source=raw.name,
        crs=crs,
        mapping=mapping,
        features=features,
        rows=numbers,
        new_ids=new,
        replaced_ids=replaced,
        unchanged_ids=unchanged,
        base=base,
        problems=problems,
        notes=[*raw.notes, *notes],
        total_rows=len(raw),
        snapping=snapping,
        tiling=tiling,
    )


MAX_TILING_NOTES = 10


def _tiling_after(
    bundle: Bundle, features: list[dict[str, Any]], tolerance_m: float
) -> list[Piece]:
    """Gaps, overlaps and spill of the villages as they would be after accepting."""
    villages = {
        str(c): g
        for c, g in zip(bundle.villages["code"], bundle.villages.geometry, strict=True)
        if g is not None and not g.is_empty and g.is_valid
    }
    for f in features:
        villages[str(f["properties"]["code"])] = shape(f["geometry"])
    return find_pieces(villages, _township(bundle), tolerance_m=tolerance_m)


def _tiling_notes(pieces: list[Piece]) -> list[Note]:
    """One note per piece (the largest first within each kind), the rest summed up."""
    notes = []
    for n, p in enumerate(pieces[:MAX_TILING_NOTES], 1):
        params = {
            "n": n,
            "area_m2": f"{p.area_m2:,.0f}",
            "mu": f"{p.area_mu:,.1f}",
            "lon": f"{p.point[0]:.5f}",
            "lat": f"{p.point[1]:.5f}",
            "villages": "/".join(p.villages),
        }
        if p.kind == "gap":
            params["beside"] = f" ({'/'.join(p.villages)})" if p.villages else ""
        notes.append(Note.of(f"xfer_plan_tiling_{p.kind}", **params))
    rest = pieces[MAX_TILING_NOTES:]
    if rest:
        area = sum(p.area_m2 for p in rest)
        notes.append(
            Note.of(
                "xfer_plan_tiling_more",
                count=len(rest),
                area_m2=f"{area:,.0f}",
                mu=f"{m2_to_mu(area):,.1f}",
            )
        )
    return notes
