"""The file's features under each candidate coordinate system, for the import preview to
draw over the township's villages (issue 17.7: "let the preview overlay each candidate").

When nothing decides the coordinate system, or the planner wants to compare, the map shows
where the file would land as WGS84/CGCS2000, GCJ-02, BD-09 and the Gauss–Krüger zones
that apply, one colour each. Computed in the upload worker (the geometries come from the
upload) and returned as plain values, capped: at most :data:`MAX_FEATURES` features and
:data:`MAX_VERTICES` vertices per candidate, simplified, coordinates rounded to 1e-6°
(about 0.1 m), at most :data:`MAX_CANDIDATES` candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import mapping

from township_atlas.errors import AtlasError
from township_atlas.transfer.crs_choice import CrsChoice, CrsSuggestion, to_wgs84
from township_atlas.transfer.raw import RawLayer

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

MAX_CANDIDATES = 6
MAX_PROBED = 2_000  # features converted per candidate (the first ones of the file)
MAX_FEATURES = 300
MAX_VERTICES = 10_000
SIMPLIFY_DEG = 0.00005  # about 5 m: far below the 300–600 m between the candidates
# Okabe–Ito colours (told apart with colour-blindness too), none the preview's red or grey.
PALETTE = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


@dataclass
class CandidateLayer:
    """The file under one coordinate system: ``choice`` (its label names it), the colour
    it is drawn in, its features as GeoJSON geometries in WGS84 (capped), how many were
    looked at (``total``, at most :data:`MAX_PROBED`) and how many of those land inside the
    township (``inside``; None without a township); ``suggested`` marks the suggestion."""

    choice: CrsChoice
    colour: str
    geometries: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    inside: int | None = None
    suggested: bool = False


def _plausible(geoms: np.ndarray) -> bool:
    """Most features are finite longitude/latitude after conversion."""
    present = [g for g in geoms if g is not None]
    if not present:
        return False
    bounds = shapely.bounds(np.asarray(present, dtype=object))
    ok = np.isfinite(bounds).all(axis=1)
    ok &= (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1)
    ok &= (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)
    return bool(ok.mean() >= 0.5)


def _signature(geoms: np.ndarray) -> tuple[float, ...]:
    """Rounded coordinates of the first features: two candidates giving the same places
    (WGS84 and CGCS2000, or a declared WGS84) are drawn once."""
    present = [g for g in geoms[:20] if g is not None]
    xy = shapely.get_coordinates(np.asarray(present, dtype=object))[:200]
    return tuple(np.round(xy, 6).ravel().tolist())


def _capped(geoms: np.ndarray) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    vertices = 0
    for geom in geoms:
        if geom is None or len(out) >= MAX_FEATURES:
            continue
        small = shapely.simplify(geom, SIMPLIFY_DEG, preserve_topology=True)
        small = shapely.set_precision(small, 1e-6)
        count = int(shapely.get_num_coordinates(small))
        if small.is_empty or vertices + count > MAX_VERTICES:
            continue
        vertices += count
        out.append(mapping(small))
    return out


def candidate_layers(
    raw: RawLayer, suggestion: CrsSuggestion, bundle: Bundle | None = None
) -> list[CandidateLayer]:
    """Where ``raw``'s features land under each of the suggestion's options that gives
    longitude/latitude (an option that cannot be applied, or puts most features off the
    globe, is left out; options landing on the same places are drawn once), the suggested
    one first. Each has its colour from :data:`PALETTE`."""
    present = np.array([g is not None for g in raw.geometries], dtype=bool)
    if not present.any():
        return []
    first = raw.geometries[present][:MAX_PROBED]
    probe = RawLayer(raw.name, raw.format, [], [{}] * len(first), first, [])
    options = list(suggestion.options)
    if suggestion.choice is not None:
        options = [suggestion.choice, *(o for o in options if o != suggestion.choice)]
    township = None
    if bundle is not None and len(bundle.township):
        township = shapely.union_all(np.asarray(list(bundle.township.geometry), dtype=object))
        shapely.prepare(township)
    out: list[CandidateLayer] = []
    seen: set[tuple[float, ...]] = set()
    for choice in options:
        if len(out) >= MAX_CANDIDATES:
            break
        try:
            with np.errstate(all="ignore"):
                geoms = to_wgs84(probe, choice)
        except (AtlasError, ValueError, TypeError, shapely.errors.GEOSException):
            continue
        if not _plausible(geoms):
            continue
        signature = _signature(geoms)
        if signature in seen:
            continue
        seen.add(signature)
        inside = None
        if township is not None:
            valid = np.asarray([g is not None for g in geoms], dtype=bool)
            inside = int(shapely.intersects(township, geoms[valid]).sum())
        out.append(
            CandidateLayer(
                choice=choice,
                colour=PALETTE[len(out) % len(PALETTE)],
                geometries=_capped(geoms),
                total=len(geoms),
                inside=inside,
                suggested=choice == suggestion.choice,
            )
        )
    return out
