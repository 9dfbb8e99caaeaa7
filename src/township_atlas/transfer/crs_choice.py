"""The source coordinate system: the choices a planner has, a suggestion with its reason,
and converting every geometry to WGS84 longitude/latitude (EPSG:4326).

Choices: WGS84 or CGCS2000 longitude/latitude (the same to well under a metre), GCJ-02
(AMap/Tencent), BD-09 (Baidu), CGCS2000 Gauss-Krüger 3° or 6° zones with the zone read
from the eastings' prefix, any EPSG code, and "as declared by the file" (.prj, GeoPackage
SRS, GeoJSON ``crs``). Each may have its axes swapped (latitude or northing first).
"""

from __future__ import annotations

import re
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
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.messages import Note, text
from township_atlas.transfer.raw import RawLayer

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

CrsKind = Literal["declared", "wgs84", "cgcs2000", "gcj02", "bd09", "gauss_kruger", "epsg"]

_GK3 = range(4513, 4534)  # CGCS2000 3-degree zones 25-45 with zone prefix
_GK6 = range(4491, 4502)  # CGCS2000 6-degree zones 13-23 with zone prefix
_SAMPLE = 200_000  # vertices looked at to suggest a CRS
_GCJ_HINTS = ("gcj", "gaode", "amap", "高德", "火星", "腾讯", "tencent", "qq地图")
_BD_HINTS = ("bd09", "baidu", "百度")


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


def _declared(raw: RawLayer) -> pyproj.CRS | None:
    if not raw.declared_crs:
        return None
    try:
        return pyproj.CRS.from_user_input(raw.declared_crs)
    except CRSError:
        return None


def _wgs_like(crs: pyproj.CRS) -> bool:
    """Geographic WGS84 or CGCS2000 (EPSG:4326/4490, CRS84): no conversion needed."""
    return _datum_family(crs) in ("wgs84", "cgcs2000")


_CGCS_DATUM = re.compile(
    r"china.?(geodetic.?coordinate.?system.?)?2000|cgcs.?2000|^d_2000$|^s_2000$"
)


def _datum_family(crs: pyproj.CRS) -> str | None:
    """For a geographic CRS: "wgs84", "cgcs2000", "beijing1954", "xian1980" or "other";
    None for a projected one. ESRI names (GCS_China_Geodetic_Coordinate_System_2000,
    CGCS_2000 / D_2000, D_China_2000, D_Beijing_1954, D_Xian_1980) are recognised."""
    if not crs.is_geographic:
        return None
    epsg = crs.to_epsg()
    if epsg in (4326, 4979):
        return "wgs84"
    if epsg in (4490, 4480):
        return "cgcs2000"
    if epsg == 4214:
        return "beijing1954"
    if epsg == 4610:
        return "xian1980"
    names = [(crs.datum.name if crs.datum else ""), crs.name]
    names += [crs.ellipsoid.name if crs.ellipsoid else ""]
    low = [n.lower().replace(" ", "_") for n in names]
    if any(_CGCS_DATUM.search(n) for n in low):
        return "cgcs2000"
    if any("beijing" in n and "1954" in n for n in low):
        return "beijing1954"
    if any(("xian" in n or "xi_an" in n) and "1980" in n for n in low):
        return "xian1980"
    if any("wgs" in n and "84" in n for n in low):
        return "wgs84"
    return "other"


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


def _clues(raw: RawLayer) -> list[tuple[str, str, bool]]:
    """GCJ-02/BD-09 words in the file name or column names: (kind, word, whether it is in a
    coordinate column's name). Evidence only, never a verdict."""
    coord_cols = []
    if raw.coordinates is not None:
        coord_cols = [(c or "").lower() for c in (raw.coordinates.lon, raw.coordinates.lat)]
    words = " ".join([raw.name, *raw.columns]).lower()
    found: list[tuple[str, str, bool]] = []
    for kind, hints in (("bd09", _BD_HINTS), ("gcj02", _GCJ_HINTS)):
        for word in hints:
            in_coord = any(word in c for c in coord_cols)
            if in_coord or word in words:
                found.append((kind, word, in_coord))
    return found


_SOURCE_WORD = {"shapefile": ".prj", "gpkg": "GeoPackage", "geojson": "GeoJSON crs"}
_SHORT = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}


def _evidence_notes(
    raw: RawLayer, declared: pyproj.CRS | None, described: str | None
) -> tuple[list[Note], str | None]:
    """What the file says about its CRS, as notes, and the lon/lat kind its labels declare
    ("wgs84", "cgcs2000", "gcj02", "bd09"; None when they declare none)."""
    notes: list[Note] = []
    label: str | None = None
    family = _datum_family(declared) if declared is not None else None
    source = _SOURCE_WORD.get(raw.format, raw.format)
    if raw.format == "kml":
        notes.append(Note.of("xfer_crs_ev_kml"))
        label = "wgs84"
    elif raw.format == "geojson" and declared is None:
        notes.append(Note.of("xfer_crs_ev_geojson"))
        label = "wgs84"
    elif family in ("wgs84", "cgcs2000"):
        notes.append(Note.of(f"xfer_crs_ev_declared_{family}", source=source, crs=described))
        label = family
    elif family is not None:  # Beijing 1954, Xian 1980 or another geographic datum
        notes.append(Note.of("xfer_crs_ev_declared_old", source=source, crs=described))
    for kind, word, in_coord in _clues(raw):
        where = "coord" if in_coord else "name"
        notes.append(Note.of(f"xfer_crs_ev_{where}_{kind}", word=word))
        if in_coord and label is None:
            label = kind
    return notes, label


def _fit_notes(fit: Fit, keys: list[str]) -> list[Note]:
    def dists(values: dict[str, float]) -> str:
        return ", ".join(f"{_SHORT[k]} {values[k]:,.0f} m" for k in keys)

    def counts(values: dict[str, int]) -> str:
        return ", ".join(f"{_SHORT[k]} {values[k]}" for k in keys)

    notes = []
    if fit.match_m:
        notes.append(Note.of("xfer_crs_ev_match", n=fit.matched, dists=dists(fit.match_m)))
    if fit.outline_m:
        notes.append(Note.of("xfer_crs_ev_outline", dists=dists(fit.outline_m)))
    if fit.village_hits:
        notes.append(Note.of("xfer_crs_ev_village", n=fit.named, hits=counts(fit.village_hits)))
    if fit.inside:
        notes.append(Note.of("xfer_crs_ev_inside", total=fit.probed, counts=counts(fit.inside)))
    return notes


def _joined(key: str, heads: list[Note], notes: list[Note]) -> Note:
    """One note: the decision first, then the evidence it rests on, one per line."""
    zh = "".join(h.message_zh for h in heads) + "".join(f"\n- {n.message_zh}" for n in notes)
    en = " ".join(h.message_en for h in heads) + "".join(f"\n- {n.message_en}" for n in notes)
    return Note(key, zh, en)


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
    evidence, label = _evidence_notes(raw, declared, described)
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
    notes = evidence + _fit_notes(fit, keys)
    heads = list(pre)
    if verdict.key is not None:
        name = _SHORT[verdict.key]
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
            heads.append(Note.of("xfer_crs_conflict", label=_SHORT[label], choice=name))
        clues = {k for k, _, in_coord in _clues(raw) if not in_coord} - {verdict.key}
        if clues:
            heads.append(Note.of("xfer_crs_name_overruled", choice=name))
        return CrsSuggestion(cands[verdict.key], _joined(key, heads, notes), described, options)
    clue_kinds = {k for k, _, _ in _clues(raw)}
    if label is not None and clue_kinds <= {label}:
        heads.append(Note.of("xfer_crs_follow_label", choice=_SHORT[label]))
        chosen = cands.get(label) or CrsChoice(label, swap_axes=swap)  # type: ignore[arg-type]
        return CrsSuggestion(
            chosen, _joined("xfer_crs_follow_label", heads, notes), described, options
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
    return CrsSuggestion(None, _joined(key, heads, notes), described, options)


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
    if declared is not None and _datum_family(declared) is None:  # a projected declaration
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


def to_wgs84(raw: RawLayer, choice: CrsChoice) -> np.ndarray:
    """Every geometry of ``raw`` in WGS84 longitude/latitude degrees (None stays None).

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
        with np.errstate(all="ignore"):
            part = shapely.transform(part, func)
    out[present] = part
    return out
