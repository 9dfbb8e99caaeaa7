"""Photos of sites and organisations: checked, turned upright, resized and re-encoded with
no metadata, in the upload worker (:func:`process_photo_isolated`).

What is accepted: JPEG, PNG, WebP, and HEIC/HEIF when ``pillow-heif`` is installed. The
magic bytes must match the extension; the declared size is checked from the header before
any pixel is decoded (our own limit and Pillow's ``Image.MAX_IMAGE_PIXELS``); a truncated
or malformed file is refused. The picture is turned upright (EXIF orientation), converted
to sRGB, resized to :attr:`PhotoLimits.max_side` and written as a **new** JPEG with no
EXIF, GPS, maker notes, XMP, comments or ICC profile (JPEG without a profile is read as
sRGB), and a thumbnail likewise. A polyglot file (an image that is also a zip or HTML) is
defeated by the re-encoding: only decoded pixels are stored.

Kept on purpose: the date taken (EXIF DateTimeOriginal). The GPS position never leaves the
worker: it is only compared with the feature's location and the distance returned.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from township_atlas.transfer.errors import UnreadableFile, UnsupportedFormat, UploadRefused
from township_atlas.transfer.worker_results import ProcessedPhoto

# Extension -> the format its magic bytes must show.
EXTENSIONS: dict[str, str] = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jfif": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "heic": "HEIF",
    "heif": "HEIF",
}
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATE_ORIGINAL = 0x9003
_DATE_TIME = 0x0132
JPEG_QUALITY = 85
THUMB_QUALITY = 80
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class PhotoLimits:
    """What a photo upload may be.

    Attributes
    ----------
    max_bytes : size of the uploaded file (setting ``photo_max_file_mb``)
    max_pixels : pixels the header may declare (checked before decoding); Pillow's own
        ``Image.MAX_IMAGE_PIXELS`` is set to it in the worker as a second guard
    max_dimension : pixels along either side
    max_side : the stored picture's longest side
    thumb_side : the thumbnail's longest side
    """

    max_bytes: int = 20 * 2**20
    max_pixels: int = 50_000_000
    max_dimension: int = 20_000
    max_side: int = 2048
    thumb_side: int = 320


def heif_available() -> bool:
    """Whether HEIC/HEIF photos can be read (``pillow-heif`` is installed)."""
    try:
        import pillow_heif  # noqa: F401
    except ImportError:
        return False
    return True


def _sniff(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml")):
        return "HTML/XML"
    if data[:4] == b"PK\x03\x04":
        return "ZIP"
    if data[:5] == b"%PDF-":
        return "PDF"
    return "?"


def check_photo_file(filename: str, data: bytes, limits: PhotoLimits) -> str:
    """The format ``data`` must be read as, after the checks that need no decoding.

    Raises
    ------
    UploadRefused : empty, or larger than ``limits.max_bytes``
    UnsupportedFormat : not an accepted extension, HEIC without a decoder, or the magic
        bytes are not the extension's format
    """
    if not data:
        raise UploadRefused("xfer_photo_empty", name=filename)
    if len(data) > limits.max_bytes:
        raise UploadRefused(
            "xfer_photo_too_large",
            name=filename,
            size_mb=f"{len(data) / 2**20:.1f}",
            limit_mb=f"{limits.max_bytes / 2**20:.0f}",
        )
    ext = Path(filename).suffix.lower().lstrip(".")
    expected = EXTENSIONS.get(ext)
    heif = heif_available()
    if expected is None:
        raise UnsupportedFormat(
            "xfer_photo_format",
            name=filename,
            ext=ext or "-",
            heic_zh="、HEIC" if heif else "",
            heic_en=", HEIC" if heif else "",
        )
    if expected == "HEIF" and not heif:
        raise UnsupportedFormat("xfer_photo_heic_unavailable", name=filename)
    found = _sniff(data)
    if found != expected:
        raise UnsupportedFormat("xfer_photo_magic", name=filename, ext=ext.upper(), found=found)
    return expected


def _unreadable(filename: str, exc: BaseException) -> UnreadableFile:
    reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return UnreadableFile("xfer_photo_unreadable", name=filename, reason=reason)


def _rational(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]) / float(value[1])
    return float(value)


def _gps_point(exif: Any) -> tuple[float, float] | None:
    """(lon, lat) in degrees from the EXIF GPS block, or None."""
    try:
        gps = exif.get_ifd(_GPS_IFD)
        lat_dms, lon_dms = gps.get(2), gps.get(4)
        if not lat_dms or not lon_dms:
            return None
        lat = sum(_rational(v) / 60**i for i, v in enumerate(lat_dms))
        lon = sum(_rational(v) / 60**i for i, v in enumerate(lon_dms))
        if str(gps.get(1, "N")).upper().startswith("S"):
            lat = -lat
        if str(gps.get(3, "E")).upper().startswith("W"):
            lon = -lon
    except (TypeError, ValueError, ZeroDivisionError, KeyError, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lon, lat


def _taken(exif: Any) -> str:
    """The date taken as ``YYYY-MM-DD HH:MM:SS`` (EXIF's local time), or ""."""
    try:
        raw = exif.get_ifd(_EXIF_IFD).get(_DATE_ORIGINAL) or exif.get(_DATE_TIME) or ""
    except (TypeError, ValueError, KeyError, AttributeError):
        return ""
    text = str(raw).strip("\x00 ")
    if len(text) >= 19 and text[4] == ":" and text[7] == ":":
        text = f"{text[:4]}-{text[5:7]}-{text[8:10]}{text[10:19]}"
        if text[:4].isdigit() and text[5:7].isdigit() and text[8:10].isdigit():
            return text
    return ""


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _to_srgb(im: Any) -> Any:
    """The picture as RGB pixels in sRGB (an embedded profile is applied, then dropped)."""
    from PIL import Image, ImageCms

    icc = im.info.get("icc_profile")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        im = flat
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            im = ImageCms.profileToProfile(
                im, src, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unusable profile: the pixels are taken as sRGB
    return im


def _fitted(im: Any, side: int) -> Any:
    """``im`` reduced to fit in ``side``×``side`` (never enlarged), as a new picture; the
    original is left as it is (no full-size copy is made on the way)."""
    from PIL import Image

    factor = side / max(im.size)
    if factor >= 1:
        return im
    size = (max(1, round(im.width * factor)), max(1, round(im.height * factor)))
    # reducing_gap: a fast box reduction first, then Lanczos over the last factor of 3.
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _clean_jpeg(im: Any, quality: int) -> tuple[bytes, int, int]:
    """A new JPEG of ``im``: fresh pixels, no metadata."""
    from PIL import Image

    # A new image from raw pixels carries no info dict (no EXIF, XMP, ICC or comment).
    bare = Image.frombytes("RGB", im.size, im.tobytes())
    buf = io.BytesIO()
    bare.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
    return buf.getvalue(), bare.width, bare.height


def process_photo(
    filename: str,
    data: bytes,
    *,
    feature_point: tuple[float, float] | None = None,
    limits: PhotoLimits | None = None,
) -> ProcessedPhoto:
    """Check and re-encode one uploaded photo (run it in the worker: see
    :func:`process_photo_isolated`).

    Parameters
    ----------
    filename : the upload's name (its extension must match its content)
    data : the uploaded bytes
    feature_point : the (lon, lat) of the site or organisation, to compare with the
        photo's GPS position
    limits : size and pixel limits (:class:`PhotoLimits` defaults)

    Returns
    -------
    ProcessedPhoto : the stored picture and thumbnail (JPEG, no metadata), their size,
        the date taken and the distance from ``feature_point`` (None: no GPS or no point)

    Raises
    ------
    UploadRefused, UnsupportedFormat : see :func:`check_photo_file`
    UnreadableFile : the header declares too many pixels or too long a side (read from
        the header, nothing decoded), or the file is truncated or malformed
    """
    from PIL import Image, ImageOps

    limits = limits or PhotoLimits()
    kind = check_photo_file(filename, data, limits)
    if kind == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=[kind])
            width, height = im.size
            if (
                width * height > limits.max_pixels
                or max(width, height) > limits.max_dimension
                or min(width, height) < 1
            ):
                raise UnreadableFile(
                    "xfer_photo_pixels",
                    name=filename,
                    width=width,
                    height=height,
                    limit_mp=f"{limits.max_pixels / 1e6:.0f}",
                    limit_side=limits.max_dimension,
                )
            exif = im.getexif()
            taken = _taken(exif)
            gps = _gps_point(exif)
            if kind == "JPEG":
                # Decode at the smallest scale (1/2, 1/4, 1/8) that still covers the stored
                # picture: a 48 MP phone photo decodes at a quarter of its pixels.
                scale = limits.max_side / max(width, height)
                im.draft(None, (max(1, int(width * scale)), max(1, int(height * scale))))
            im.load()
            ImageOps.exif_transpose(im, in_place=True)
            rgb = _to_srgb(im)
            del im  # one full-size picture at a time
        except UnreadableFile:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UnreadableFile(
                "xfer_photo_pixels",
                name=filename,
                width="?",
                height="?",
                limit_mp=f"{limits.max_pixels / 1e6:.0f}",
                limit_side=limits.max_dimension,
            ) from exc
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, MemoryError) as exc:
            raise _unreadable(filename, exc) from exc
    stored = _fitted(rgb, limits.max_side)
    del rgb
    image, w, h = _clean_jpeg(stored, JPEG_QUALITY)
    thumb, _, _ = _clean_jpeg(_fitted(stored, limits.thumb_side), THUMB_QUALITY)
    distance = None
    if gps is not None and feature_point is not None:
        distance = round(distance_m(gps, feature_point), 1)
    return ProcessedPhoto(
        image=image,
        thumb=thumb,
        width=w,
        height=h,
        taken=taken,
        distance_m=distance,
        source_format=kind,
        has_gps=gps is not None,
    )
