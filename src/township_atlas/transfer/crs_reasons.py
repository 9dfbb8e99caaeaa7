"""The words of a coordinate-system suggestion: what the file itself says (.prj, KML,
GeoJSON, coordinate column names, file name) as evidence notes, the datum family of a
declared geographic CRS (CGCS2000, Beijing 1954 and Xian 1980 under their ESRI names too),
and the measured fit as notes, joined into one reason."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyproj

from township_atlas.transfer.messages import Note

if TYPE_CHECKING:
    from township_atlas.transfer.crs_evidence import Fit
    from township_atlas.transfer.raw import RawLayer

GCJ_HINTS = ("gcj", "gaode", "amap", "高德", "火星", "腾讯", "tencent", "qq地图")
BD_HINTS = ("bd09", "baidu", "百度")
_CGCS_DATUM = re.compile(
    r"china.?(geodetic.?coordinate.?system.?)?2000|cgcs.?2000|^d_2000$|^s_2000$"
)


def datum_family(crs: pyproj.CRS) -> str | None:
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


def clues(raw: RawLayer) -> list[tuple[str, str, bool]]:
    """GCJ-02/BD-09 words in the file name or column names: (kind, word, whether it is in a
    coordinate column's name). Evidence only, never a verdict."""
    coord_cols = []
    if raw.coordinates is not None:
        c = raw.coordinates
        coord_cols = [n.lower() for n in (c.lon, c.lat, c.pair) if n]
    words = " ".join([raw.name, *raw.columns]).lower()
    found: list[tuple[str, str, bool]] = []
    for kind, hints in (("bd09", BD_HINTS), ("gcj02", GCJ_HINTS)):
        for word in hints:
            in_coord = any(word in c for c in coord_cols)
            if in_coord or word in words:
                found.append((kind, word, in_coord))
    return found


_SOURCE_WORD = {"shapefile": ".prj", "gpkg": "GeoPackage", "geojson": "GeoJSON crs"}
SHORT_NAMES = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}


def evidence_notes(
    raw: RawLayer, declared: pyproj.CRS | None, described: str | None
) -> tuple[list[Note], str | None]:
    """What the file says about its CRS, as notes, and the lon/lat kind its labels declare
    ("wgs84", "cgcs2000", "gcj02", "bd09"; None when they declare none)."""
    notes: list[Note] = []
    label: str | None = None
    family = datum_family(declared) if declared is not None else None
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
    for kind, word, in_coord in clues(raw):
        where = "coord" if in_coord else "name"
        notes.append(Note.of(f"xfer_crs_ev_{where}_{kind}", word=word))
        if in_coord and label is None:
            label = kind
    return notes, label


def fit_notes(fit: Fit, keys: list[str]) -> list[Note]:
    def dists(values: dict[str, float]) -> str:
        return ", ".join(f"{SHORT_NAMES.get(k, k)} {values[k]:,.0f} m" for k in keys)

    def counts(values: dict[str, int]) -> str:
        return ", ".join(f"{SHORT_NAMES.get(k, k)} {values[k]}" for k in keys)

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


def joined(key: str, heads: list[Note], notes: list[Note]) -> Note:
    """One note: the decision first, then the evidence it rests on, one per line."""
    zh = "".join(h.message_zh for h in heads) + "".join(f"\n- {n.message_zh}" for n in notes)
    en = " ".join(h.message_en for h in heads) + "".join(f"\n- {n.message_en}" for n in notes)
    return Note(key, zh, en)
