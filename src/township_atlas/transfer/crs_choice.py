"""The source coordinate system: the choices a planner has, a suggestion with its reason,
and converting every geometry to WGS84 longitude/latitude (EPSG:4326).

Choices: WGS84 or CGCS2000 longitude/latitude (the same to well under a metre), GCJ-02
(AMap/Tencent), BD-09 (Baidu), CGCS2000 Gauss-Krüger 3° or 6° zones with the zone read
from the eastings' prefix, any EPSG code, and "as declared by the file" (.prj, GeoPackage
SRS, GeoJSON ``crs``). Each may have its axes swapped (latitude or northing first).
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
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.messages import Note, text
from township_atlas.transfer.raw import RawLayer

if TYPE_CHECKING:
    from township_atlas.model.bundle import Bundle

CrsKind = Literal["declared", "wgs84", "cgcs2000", "gcj02", "bd09", "gauss_kruger", "epsg"]

_GK3 = range(4513, 4534)  # CGCS2000 3-degree zones 25-45 with zone prefix
_GK6 = range(4491, 4502)  # CGCS2000 6-degree zones 13-23 with zone prefix
_SAMPLE = 200_000  # vertices looked at to suggest a CRS
_FIT_PROBES = 2000  # features tried against the township boundary
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
    if not crs.is_geographic:
        return False
    if crs.to_epsg() in (4326, 4490, 4979, 4480):
        return True
    datum = (crs.datum.name if crs.datum else "").lower()
    return "wgs" in datum or "china geodetic coordinate system 2000" in datum


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


def _name_hint(raw: RawLayer) -> CrsChoice | None:
    words = " ".join([raw.name, *raw.columns]).lower()
    if raw.coordinates is not None:
        words += " " + " ".join(c or "" for c in (raw.coordinates.lon, raw.coordinates.lat)).lower()
    if any(h in words for h in _BD_HINTS):
        return CrsChoice("bd09")
    if any(h in words for h in _GCJ_HINTS):
        return CrsChoice("gcj02")
    return None


def _fit_counts(raw: RawLayer, bundle: Bundle, base: CrsChoice) -> dict[str, int] | None:
    """How many features land inside the township as WGS84, GCJ-02 and BD-09."""
    if len(bundle.township) != 1 or bundle.township.geometry.iloc[0] is None:
        return None
    township = bundle.township.geometry.iloc[0].buffer(1e-6)
    shapely.prepare(township)
    present = [i for i, g in enumerate(raw.geometries) if g is not None][:_FIT_PROBES]
    if not present:
        return None
    probe = RawLayer(raw.name, raw.format, [], [{}] * len(present), raw.geometries[present], [])
    counts = {}
    for kind in ("wgs84", "gcj02", "bd09"):
        geoms = to_wgs84(probe, CrsChoice(kind, swap_axes=base.swap_axes))
        points = shapely.point_on_surface(geoms)
        counts[kind] = int(shapely.contains(township, points).sum())
    return counts


def suggest_crs(raw: RawLayer, bundle: Bundle | None = None) -> CrsSuggestion:
    """Suggest the source CRS of ``raw`` with a reason the planner can check.

    Uses, in order: the declared CRS when the coordinates agree with it; the value ranges
    (degrees, swapped degrees, Gauss-Krüger metres with a zone prefix, see
    :func:`township_atlas.geo.gauss_kruger.guess_source_crs`); GCJ-02/BD-09 hints in the file and
    column names; and, given the ``bundle``, which of WGS84/GCJ-02/BD-09 puts clearly more
    features inside the township.
    """
    declared = _declared(raw)
    described = describe_declared(raw)
    options = ((CrsChoice("declared"),) if declared is not None else ()) + CHOICES
    guess = _guess(_coordinates(raw))
    guessed = _from_guess(guess) if guess else None
    if guess is None:
        return CrsSuggestion(None, Note.of("xfer_crs_no_coordinates"), described, options)
    if declared is not None and not _wgs_like(declared):
        if guessed is None or guessed.kind != "wgs84":
            return CrsSuggestion(
                CrsChoice("declared"),
                Note.of("xfer_crs_reason_declared", crs=described),
                described,
                options,
            )
        found = {"found": guess.message_zh, "found_en": guess.message_en}
        note = Note.of("xfer_crs_reason_declared_mismatch", crs=described, **found)
        return CrsSuggestion(guessed, note, described, options)
    if guessed is None:
        note = Note.of("xfer_crs_reason_unknown", found=guess.message_zh, found_en=guess.message_en)
        return CrsSuggestion(None, note, described, options)
    if guessed.kind == "gauss_kruger":
        note = Note.of("xfer_crs_reason_gk", found=guess.message_zh, found_en=guess.message_en)
        return CrsSuggestion(guessed, note, described, options)
    if guessed.swap_axes:
        return CrsSuggestion(guessed, Note.of("xfer_crs_reason_swapped"), described, options)
    if declared is not None and declared.to_epsg() == 4490:
        guessed = CrsChoice("cgcs2000")
    hint = _name_hint(raw)
    if hint is not None:
        return CrsSuggestion(hint, Note.of(f"xfer_crs_reason_hint_{hint.kind}"), described, options)
    counts = _fit_counts(raw, bundle, guessed) if bundle is not None else None
    if counts:
        total = min(len(raw), _FIT_PROBES)
        best = max(("gcj02", "bd09"), key=lambda k: counts[k])
        if counts[best] >= 0.9 * total and counts[best] - counts["wgs84"] >= max(1, 0.05 * total):
            note = Note.of(
                f"xfer_crs_reason_fit_{best}", inside=counts[best], wgs=counts["wgs84"], total=total
            )
            return CrsSuggestion(
                CrsChoice(best, swap_axes=guessed.swap_axes), note, described, options
            )
    key = "xfer_crs_reason_declared_wgs" if declared is not None else "xfer_crs_reason_lonlat"
    return CrsSuggestion(guessed, Note.of(key, crs=described or ""), described, options)


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
