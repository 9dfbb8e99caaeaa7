"""Photos made by code for the photo tests: JPEG with EXIF (GPS, camera serial, maker
note, orientation), PNG, WebP, HEIC, and hostile files."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

SERIAL = "SERIAL-CAMERA-0042"
MAKER_NOTE = b"MAKERNOTE-SECRET-BLOB"
SOFTWARE = "SecretPhoneOS 9"


def _dms(value: float) -> tuple[float, float, float]:
    deg = int(value)
    minutes = (value - deg) * 60
    return (float(deg), float(int(minutes)), round((minutes - int(minutes)) * 60, 4))


def picture(width: int = 400, height: int = 200) -> Image.Image:
    """A red picture with a blue top-left corner (to see which way it is turned)."""
    im = Image.new("RGB", (width, height), (200, 30, 30))
    im.paste((0, 0, 255), (0, 0, width // 4, height // 4))
    return im


def camera_jpeg(
    lon: float | None = None,
    lat: float | None = None,
    *,
    orientation: int = 1,
    taken: str = "2025:04:30 09:15:00",
    width: int = 400,
    height: int = 200,
) -> bytes:
    """A JPEG as a phone writes it: EXIF with the date, GPS, camera serial, maker note,
    software and orientation, and an ICC profile and comment."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "ACME"
    exif[0x0131] = SOFTWARE
    exif[0x0132] = "2025:05:01 10:00:00"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = taken
    sub[0xA431] = SERIAL
    sub[0x927C] = MAKER_NOTE
    if lon is not None and lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(abs(lat))
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(abs(lon))
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    picture(width, height).save(
        buf, "JPEG", exif=exif, icc_profile=icc, comment=b"COMMENT-SECRET", quality=95
    )
    return buf.getvalue()


def encoded(fmt: str, width: int = 300, height: int = 300, mode: str = "RGB") -> bytes:
    im = picture(width, height).convert(mode)
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def bomb_png(side: int = 20_000) -> bytes:
    """A tiny PNG that declares side×side pixels (a decompression bomb)."""
    buf = io.BytesIO()
    Image.new("1", (side, side)).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def jpeg_with_zip() -> bytes:
    """A polyglot: a valid JPEG that is also a zip (an archive appended)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("evil.html", "<script>alert('POLYGLOT-PAYLOAD')</script>")
    return camera_jpeg() + archive.getvalue()


def add_photos(
    folder,
    layer: str,
    feature_id: str,
    images: list[bytes],
    captions: list[str] | None = None,
    *,
    captions_en: list[str] | None = None,
    user: str = "li",
) -> None:
    """Add ``images`` to a site or organisation of the data folder through the real
    pipeline: the upload worker (``prepare_photo``), the index change and the save, with
    Chinese ``captions`` and English ``captions_en``."""
    from township_atlas.storage.files.store import Store
    from township_atlas.transfer.photo_add import PhotoQuota, add_photos_change, prepare_photo

    store = Store(folder)
    bundle = store.load().bundle
    quota = PhotoQuota()
    prepared = [
        prepare_photo(
            store,
            bundle,
            layer,
            feature_id,
            f"p{n}.png" if data.startswith(b"\x89PNG") else f"p{n}.jpg",
            data,
            quota=quota,
            already=n,
        )
        for n, data in enumerate(images)
    ]
    change = add_photos_change(
        store,
        bundle,
        layer,
        feature_id,
        prepared,
        captions=captions,
        captions_en=captions_en,
        user=user,
        quota=quota,
    )
    store.save(change)
