"""The source coordinate system: the choices a planner has, a suggestion with its reason,
and converting every geometry to WGS84 longitude/latitude (EPSG:4326).

Choices: WGS84 or CGCS2000 longitude/latitude (the same to well under a metre), GCJ-02
(AMap/Tencent), BD-09 (Baidu), CGCS2000 Gauss-Krüger 3° or 6° zones with the zone read
from the eastings' prefix, any EPSG code, and "as declared by the file" (.prj, GeoPackage
SRS, GeoJSON ``crs``). Each may have its axes swapped (latitude or northing first).

Longitude/latitude candidates are judged by how the file fits the township's data
(:mod:`township_atlas.transfer.crs_evidence`); what the file says about itself is evidence
worded by :mod:`township_atlas.transfer.crs_reasons`, never a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyproj
import shapely
from pyproj.exceptions import CRSError

from township_atlas.geo import china_shifts as gcj
from township_atlas.geo.gauss_kruger import CrsGuess, gauss_kruger_epsg, guess_source_crs
from township_atlas.text.bilingual import pick
from township_atlas.transfer.crs_evidence import MARGIN, MATCH_MAX_M, Fit, decide, measure_fit
from township_atlas.transfer.crs_reasons import (
    SHORT_NAMES,
    clues,
    datum_family,
    evidence_notes,
    fit_notes,
    joined,
)
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.messages import Note, text
from township_atlas.transfer.raw import RawLayer

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

CrsKind = Literal["declared", "wgs84", "cgcs2000", "gcj02", "bd09", "gauss_kruger", "epsg"]

_GK3 = range(4513, 4534)  # CGCS2000 3-degree zones 25-45 with zone prefix
_GK6 = range(4491, 4502)  # CGCS2000 6-degree zones 13-23 with zone prefix
_SAMPLE = 200_000  # vertices looked at to suggest a CRS


@dataclass(frozen=True)
class CrsChoice:
    """A source coordinate system.

    Attributes
    ----------
    kind : "declared" (what the file says), "wgs84", "cgcs2000", "gcj02", "bd09",
        "gauss_kruger" or "epsg"
    zone_width : 3 or 6 for "gauss_kruger"
    epsg : the EPSG code for "epsg"; for "gauss_kruger" the zone's code, or None to read
        the zone from the eastings' prefix
    swap_axes : the file has latitude (or northing) first
    """

    kind: CrsKind
    zone_width: int | None = None
    epsg: int | None = None
    swap_axes: bool = False

    def label(self, lang: str = "zh") -> str:
        zh, en = text(f"xfer_crs_{self.kind}", epsg=self.epsg or "", width=self.zone_width or "")
        if self.swap_axes:
            szh, sen = text("xfer_crs_swapped_suffix")
            zh, en = zh + szh, en + sen
        return pick(lang, zh, en)


WGS84 = CrsChoice("wgs84")
CHOICES: tuple[CrsChoice, ...] = (
    WGS84,
    CrsChoice("cgcs2000"),
    CrsChoice("gcj02"),
    CrsChoice("bd09"),
    CrsChoice("gauss_kruger", zone_width=3),
    CrsChoice("gauss_kruger", zone_width=6),
)


@dataclass(frozen=True)
class CrsSuggestion:
    """The suggested choice (None: cannot tell, the planner must give an EPSG code), why,
    the CRS the file declares (described) and the choices to offer."""

    choice: CrsChoice | None
    reason: Note
    declared: str | None
    options: tuple[CrsChoice, ...]

    def needed(self) -> TransferError:
        """The error when no CRS was given and none is suggested: it carries the reason."""
        return TransferError(
            "xfer_crs_needed",
            reason_zh=self.reason.message_zh,
            reason_en=self.reason.message_en,
        )


def _declared(raw: RawLayer) -> pyproj.CRS | None:
    if not raw.declared_crs:
        return None
    try:
        return pyproj.CRS.from_user_input(raw.declared_crs)
    except CRSError:
        return None


def _wgs_like(crs: pyproj.CRS) -> bool:
    """Geographic WGS84 or CGCS2000 (EPSG:4326/4490, CRS84): no conversion needed."""
    return datum_family(crs) in ("wgs84", "cgcs2000")


def describe_declared(raw: RawLayer) -> str | None:
    """The declared CRS for display, e.g. "EPSG:4527 CGCS2000 / 3-degree Gauss-Kruger zone 39"."""
    crs = _declared(raw)
    if crs is None:
        return raw.declared_crs
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} {crs.name}" if epsg else crs.name


def _coordinates(raw: RawLayer) -> np.ndarray:
    present = np.array([g is not None for g in raw.geometries], dtype=bool)
    if not present.any():
        return np.empty((0, 2))
    geoms = raw.geometries[present]
    counts = shapely.get_num_coordinates(geoms)
    if counts.sum() > _SAMPLE:  # big polygons: every k-th feature is plenty for a guess
        geoms = geoms[:: int(counts.sum() // _SAMPLE) + 1]
    xy = shapely.get_coordinates(geoms)
    return xy[np.isfinite(xy).all(axis=1)]


def _guess(xy: np.ndarray) -> CrsGuess | None:
    if not len(xy):
        return None
    lonlat = (np.abs(xy[:, 0]) <= 180) & (np.abs(xy[:, 1]) <= 90)
    # Majority rules: stray rows in another system become row errors, not the file's CRS.
    core = xy[lonlat] if lonlat.mean() >= 0.5 else xy[~lonlat & (np.abs(xy) < 1e8).all(axis=1)]
    if not len(core):
        return None
    return guess_source_crs(core[:, 0], core[:, 1])


def _from_guess(guess: CrsGuess) -> CrsChoice | None:
    swapped = guess.kind == "swapped"
    if guess.epsg == 4326:
        return CrsChoice("wgs84", swap_axes=swapped)
    if guess.epsg in _GK3 or guess.epsg in _GK6:
        width = 3 if guess.epsg in _GK3 else 6
        return CrsChoice("gauss_kruger", zone_width=width, epsg=guess.epsg, swap_axes=swapped)
    return None


def _lonlat_suggestion(
    raw: RawLayer,
    bundle: Bundle | None,
    guessed: CrsChoice,
    declared: pyproj.CRS | None,
    described: str | None,
    pre: tuple[Note, ...] = (),
) -> CrsSuggestion:
    """Weigh the fit of WGS84/CGCS2000, GCJ-02 and BD-09 against the file's own labels."""
    swap = guessed.swap_axes
    evidence, label = evidence_notes(raw, declared, described)
    base: CrsKind = "cgcs2000" if label == "cgcs2000" else "wgs84"
    cands = {k: CrsChoice(k, swap_axes=swap) for k in (base, "gcj02", "bd09")}
    keys = list(cands)
    first = ((CrsChoice("declared"),) if declared is not None else ()) + tuple(cands.values())
    options = first + tuple(c for c in CHOICES if c not in first)
    if swap:
        evidence.insert(0, Note.of("xfer_crs_reason_swapped"))
    fit = Fit()
    if bundle is not None and len(bundle.township):
        funcs = {k: (lambda g, c=c: to_wgs84(_probe(raw, g), c)) for k, c in cands.items()}
        fit = measure_fit(raw.records, raw.columns, raw.geometries, bundle, funcs)
    verdict = decide(fit)
    notes = evidence + fit_notes(fit, keys)
    heads = list(pre)
    if verdict.key is not None:
        name = SHORT_NAMES[verdict.key]
        if verdict.basis == "inside":
            others = [k for k in keys if k != verdict.key]
            key = f"xfer_crs_reason_fit_{verdict.key}"
            if verdict.key not in ("gcj02", "bd09"):
                key = "xfer_crs_reason_fit_inside"
            heads.append(
                Note.of(
                    key,
                    inside=fit.inside[verdict.key],
                    wgs=max(fit.inside[k] for k in others),
                    total=fit.probed,
                    choice=name,
                )
            )
        else:
            key = f"xfer_crs_choose_{verdict.basis}"
            heads.append(Note.of(key, choice=name, limit=int(MATCH_MAX_M), margin=int(MARGIN)))
        same = {label, verdict.key} <= {"wgs84", "cgcs2000"}
        if label is not None and label != verdict.key and not same:
            heads.append(Note.of("xfer_crs_conflict", label=SHORT_NAMES[label], choice=name))
        overruled = {k for k, _, in_coord in clues(raw) if not in_coord} - {verdict.key}
        if overruled:
            heads.append(Note.of("xfer_crs_name_overruled", choice=name))
        return CrsSuggestion(cands[verdict.key], joined(key, heads, notes), described, options)
    clue_kinds = {k for k, _, _ in clues(raw)}
    if label is not None and clue_kinds <= {label}:
        heads.append(Note.of("xfer_crs_follow_label", choice=SHORT_NAMES[label]))
        chosen = cands.get(label) or CrsChoice(label, swap_axes=swap)  # type: ignore[arg-type]
        return CrsSuggestion(
            chosen, joined("xfer_crs_follow_label", heads, notes), described, options
        )
    if label is not None or clue_kinds:
        key = "xfer_crs_ask_conflict"
    elif bundle is None or not len(bundle.township):
        key = "xfer_crs_ask_no_township"
    elif fit.match_m or fit.outline_m or fit.village_hits:
        key = "xfer_crs_ask_unclear"
    else:
        key = "xfer_crs_ask_nothing"
    heads.append(Note.of(key, limit=int(MATCH_MAX_M), margin=int(MARGIN)))
    return CrsSuggestion(None, joined(key, heads, notes), described, options)


def _gk_candidates(bundle: Bundle) -> dict[str, CrsChoice]:
    """CGCS2000 Gauss-Krüger without zone prefix around the township: the 3° central
    meridians nearest to it and on either side, and the nearest 6° one unless it is the same
    meridian (then the numbers are the same)."""
    lon = float(bundle.township.geometry.iloc[0].centroid.x)
    cm3 = int(round(lon / 3) * 3)
    cms3 = [c for c in (cm3, cm3 - 3, cm3 + 3) if 75 <= c <= 135]
    out = {
        f"EPSG:{4534 + (c - 75) // 3}": CrsChoice("epsg", epsg=4534 + (c - 75) // 3) for c in cms3
    }
    cm6 = int(round((lon - 3) / 6) * 6 + 3)
    if 75 <= cm6 <= 135 and cm6 not in cms3:
        out[f"EPSG:{4502 + (cm6 - 75) // 6}"] = CrsChoice("epsg", epsg=4502 + (cm6 - 75) // 6)
    return out


def _gk_without_prefix(
    raw: RawLayer,
    bundle: Bundle,
    unknown: Note,
    described: str | None,
    options: tuple[CrsChoice, ...],
) -> CrsSuggestion:
    """Projected metres without a zone prefix: try the Gauss-Krüger meridians near the
    township and keep one only when it fits clearly better (same rules as lon/lat)."""
    cands = _gk_candidates(bundle)
    funcs = {k: (lambda g, c=c: to_wgs84(_probe(raw, g), c)) for k, c in cands.items()}
    fit = measure_fit(raw.records, raw.columns, raw.geometries, bundle, funcs)
    verdict = decide(fit)
    notes = [Note.of("xfer_crs_gk_tried", codes=", ".join(cands)), *fit_notes(fit, list(cands))]
    opts = tuple(cands.values()) + options
    if verdict.key is None:
        return CrsSuggestion(None, joined(unknown.key, [unknown], notes), described, opts)
    chosen = cands[verdict.key]
    name = f"{verdict.key} {pyproj.CRS.from_epsg(chosen.epsg or 0).name}"
    if verdict.basis == "inside":
        key = "xfer_crs_reason_fit_inside"
        others = max((n for k, n in fit.inside.items() if k != verdict.key), default=0)
        head = Note.of(key, inside=fit.probed, wgs=others, total=fit.probed, choice=name)
    else:
        key = f"xfer_crs_choose_{verdict.basis}"
        head = Note.of(key, choice=name, limit=int(MATCH_MAX_M), margin=int(MARGIN))
    return CrsSuggestion(chosen, joined(key, [head], notes), described, opts)


def _probe(raw: RawLayer, geoms: np.ndarray) -> RawLayer:
    return RawLayer(raw.name, raw.format, [], [{}] * len(geoms), geoms, [])


def suggest_crs(raw: RawLayer, bundle: Bundle | None = None) -> CrsSuggestion:
    """Suggest the source CRS of ``raw`` with a reason the planner can check.

    Projected numbers: the declared CRS when the numbers agree with it, else the
    Gauss-Krüger zone from the eastings' prefix (see
    :func:`township_atlas.geo.gauss_kruger.guess_source_crs`). Longitude/latitude: WGS84
    (or CGCS2000), GCJ-02 and BD-09 are judged by how well the file fits what ``bundle``
    holds (:mod:`township_atlas.transfer.crs_evidence`); the file's own labels (.prj, KML,
    ``crs`` member, coordinate column names) are followed only when the fit cannot tell,
    and a file name never decides. When nothing decides, ``choice`` is None and the reason
    says why: the planner chooses among ``options``.
    """
    declared = _declared(raw)
    described = describe_declared(raw)
    options = ((CrsChoice("declared"),) if declared is not None else ()) + CHOICES
    guess = _guess(_coordinates(raw))
    guessed = _from_guess(guess) if guess else None
    if guess is None:
        return CrsSuggestion(None, Note.of("xfer_crs_no_coordinates"), described, options)
    lonlat = guessed is not None and guessed.kind == "wgs84"
    if declared is not None and datum_family(declared) is None:  # a projected declaration
        if not lonlat:
            note = Note.of("xfer_crs_reason_declared", crs=described)
            return CrsSuggestion(CrsChoice("declared"), note, described, options)
        found = {"found": guess.message_zh, "found_en": guess.message_en}
        mismatch = Note.of("xfer_crs_reason_declared_mismatch", crs=described, **found)
        result = _lonlat_suggestion(raw, bundle, guessed, None, None, (mismatch,))
        key = mismatch.key if result.choice is not None else result.reason.key
        reason = Note(key, result.reason.message_zh, result.reason.message_en)
        opts = (CrsChoice("declared"), *result.options)
        return CrsSuggestion(result.choice, reason, described, opts)
    if guessed is None:
        note = Note.of("xfer_crs_reason_unknown", found=guess.message_zh, found_en=guess.message_en)
        if guess.kind == "projected_unknown" and bundle is not None and len(bundle.township):
            return _gk_without_prefix(raw, bundle, note, described, options)
        return CrsSuggestion(None, note, described, options)
    if guessed.kind == "gauss_kruger":
        note = Note.of("xfer_crs_reason_gk", found=guess.message_zh, found_en=guess.message_en)
        return CrsSuggestion(guessed, note, described, options)
    return _lonlat_suggestion(raw, bundle, guessed, declared, described)


def _pyproj_func(source: pyproj.CRS) -> Callable[[np.ndarray], np.ndarray]:
    transformer = pyproj.Transformer.from_crs(source, 4326, always_xy=True)

    def func(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return func


def _shift_func(shift: gcj.LonLatFunc) -> Callable[[np.ndarray], np.ndarray]:
    def func(xy: np.ndarray) -> np.ndarray:
        lon, lat = shift(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return func


def _converter(
    raw: RawLayer, choice: CrsChoice, geoms: np.ndarray
) -> Callable[[np.ndarray], np.ndarray] | None:
    if choice.kind in ("wgs84", "cgcs2000"):
        return None
    if choice.kind == "gcj02":
        return _shift_func(gcj.gcj02_to_wgs84)
    if choice.kind == "bd09":
        return _shift_func(gcj.bd09_to_wgs84)
    if choice.kind == "declared":
        declared = _declared(raw)
        if declared is None:
            raise TransferError("xfer_crs_no_declared", name=raw.name)
        return None if _wgs_like(declared) else _pyproj_func(declared)
    epsg = choice.epsg
    if choice.kind == "gauss_kruger" and epsg is None:
        xy = shapely.get_coordinates(geoms)
        xy = xy[np.isfinite(xy).all(axis=1)]
        if not len(xy):
            return None
        epsg = gauss_kruger_epsg(float(np.median(xy[:, 0])), zone_width=choice.zone_width)
    try:
        return _pyproj_func(pyproj.CRS.from_epsg(int(epsg or 0)))
    except (CRSError, ValueError, TypeError) as exc:
        raise TransferError("xfer_crs_unknown_epsg", epsg=epsg) from exc


#: Longest edge (metres) of projected geometries converted to degrees (see :func:`to_wgs84`).
DENSIFY_M = 50.0
DENSIFY_MAX_VERTICES = 500_000


def _projected(raw: RawLayer, choice: CrsChoice) -> bool:
    """The choice converts from projected metres (Gauss-Krüger, a projected EPSG code or a
    projected declaration)."""
    if choice.kind == "gauss_kruger":
        return True
    try:
        if choice.kind == "epsg":
            return bool(pyproj.CRS.from_epsg(int(choice.epsg or 0)).is_projected)
        if choice.kind == "declared":
            declared = _declared(raw)
            return bool(declared is not None and declared.is_projected)
    except (CRSError, ValueError, TypeError):
        return False
    return False


def _densified(geoms: np.ndarray) -> np.ndarray:
    """Edges cut to at most :data:`DENSIFY_M` metres. A straight edge in metres is a curve
    in degrees: without this a village corner lying on a long township edge leaves slivers
    of hundreds of m² along a few km. Left as they are when that would add more than
    :data:`DENSIFY_MAX_VERTICES` vertices (absurd extents, refused later anyway)."""
    with np.errstate(all="ignore"):
        length = float(np.nansum(shapely.length(geoms)))
    if not np.isfinite(length) or length / DENSIFY_M > DENSIFY_MAX_VERTICES:
        return geoms
    with np.errstate(all="ignore"):
        return shapely.segmentize(geoms, DENSIFY_M)


def to_wgs84(raw: RawLayer, choice: CrsChoice) -> np.ndarray:
    """Every geometry of ``raw`` in WGS84 longitude/latitude degrees (None stays None);
    edges of projected geometries are first cut to at most :data:`DENSIFY_M` metres.

    Raises
    ------
    AtlasError : the choice cannot be applied (no declared CRS, unknown EPSG code, eastings
        without a valid Gauss-Krüger zone prefix)
    """
    geoms = raw.geometries
    present = np.array([g is not None for g in geoms], dtype=bool)
    out = np.empty(len(geoms), dtype=object)
    out[:] = None
    if not present.any():
        return out
    part = geoms[present]
    if choice.swap_axes:
        part = shapely.transform(part, lambda xy: xy[:, ::-1].copy())
    func = _converter(raw, choice, part)
    if func is not None:
        if _projected(raw, choice):
            part = _densified(part)
        with np.errstate(all="ignore"):
            part = shapely.transform(part, func)
    out[present] = part
    return out
