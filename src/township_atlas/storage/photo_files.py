"""The image files of photos: content-named files in the data folder, beside the index.

A photo's stored bytes are written under ``photos/<ab>/<sha256>.jpg`` and its thumbnail
under ``thumbs/<ab>/<sha256>.jpg`` (``ab``: the hash's first two digits) **before** the
index row (``photos.csv``, :data:`~township_atlas.model.schema.PHOTOS`) is saved through
the one save sequence. A crash or a refused save between the two leaves a file no row
names: an orphan is harmless (never shown, never listed; the same bytes saved again reuse
it), and undoing an add removes the row while the file may stay. The PostGIS backend
keeps the same names and bytes in its ``photo_files`` table (``PgStore.put_photo_files``);
both read a name back only if it has the form above (:func:`is_photo_name`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from township_atlas.model.schema import PHOTOS
from township_atlas.storage.datastore import StorageError
from township_atlas.storage.formats import csv_text, empty_layer

PHOTO_DIR = "photos"
THUMB_DIR = "thumbs"
_NAME = re.compile(r"^(photos|thumbs)/[0-9a-f]{2}/[0-9a-f]{64}\.jpg$")


class PhotoFileError(StorageError):
    """A photo file is missing, or a name is not one of ours."""


def is_photo_name(rel: object) -> bool:
    """Whether ``rel`` is a content name of ours (``photos/ab/<sha256>.jpg`` or
    ``thumbs/…``): the only names a photo file is ever read or written under."""
    if not isinstance(rel, str) or _NAME.fullmatch(rel) is None:
        return False
    _kind, folder, file = rel.split("/")
    return file.startswith(folder)  # ``ab`` is the hash's first two digits


def check_photo_name(rel: str) -> None:
    """Refuse a name that is not a content name of ours.

    Raises
    ------
    PhotoFileError : ``rel`` is not of the form ``photos/ab/<sha256>.jpg`` (or ``thumbs/…``)
    """
    if not is_photo_name(rel):
        raise PhotoFileError(
            f"照片文件名 {rel!r} 无效。", f"{rel!r} is not a photo file name of the atlas."
        )


def missing_photo_error(rel: str) -> PhotoFileError:
    """The error for a photo file the index names but the store does not hold."""
    return PhotoFileError(
        f"照片文件 {rel} 不存在或无法读取;可从备份恢复该文件,或删除这张照片后重新添加。",
        f"The photo file {rel} is missing or unreadable; restore it from a backup, or "
        "delete the photo and add it again.",
    )


def content_name(kind: str, data: bytes) -> str:
    """The relative file name of ``data`` under ``kind`` (``photos`` or ``thumbs``)."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{kind}/{digest[:2]}/{digest}.jpg"


def _write_once(folder: Path, rel: str, data: bytes) -> None:
    path = folder / rel
    if path.exists():
        return  # content-named: the same name holds the same bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_photo_files(folder: Path, image: bytes, thumb: bytes) -> tuple[str, str]:
    """Write a photo's image and thumbnail (if not there yet) and return their relative
    names; also makes an empty ``photos.csv`` when the folder has none, so the index can
    be saved through the save sequence.

    Raises
    ------
    PhotoFileError : the folder cannot be written
    """
    files = (content_name(PHOTO_DIR, image), content_name(THUMB_DIR, thumb))
    try:
        _write_once(folder, files[0], image)
        _write_once(folder, files[1], thumb)
        index = folder / PHOTOS.filename
        if not index.exists():
            # Header only: the same as no file, so writing it outside a save is harmless.
            fd, name = tempfile.mkstemp(dir=folder, prefix=".photos.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(csv_text(empty_layer(PHOTOS), PHOTOS))
            if not index.exists():
                os.replace(name, index)
            else:
                Path(name).unlink(missing_ok=True)
    except OSError as exc:
        raise PhotoFileError(
            f"无法写入照片文件({exc.strerror}),请检查数据文件夹的权限和剩余空间。",
            f"Cannot write the photo file ({exc.strerror}); check the data folder's "
            "permissions and free space.",
        ) from exc
    return files


def read_photo_file(folder: Path, rel: str) -> bytes:
    """The bytes of a photo or thumbnail named by the index.

    Raises
    ------
    PhotoFileError : ``rel`` is not a content name of ours (no path is ever built from
        anything else), or the file is missing
    """
    check_photo_name(rel)
    try:
        return (folder / rel).read_bytes()
    except OSError as exc:
        raise missing_photo_error(rel) from exc
