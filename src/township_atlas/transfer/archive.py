"""Zip archives from uploads: vetted in full before a single byte is extracted.

A zip is checked against :class:`~township_atlas.transfer.limits.Limits` from its central
directory (member count, declared sizes, compression ratio, names), and extraction then
counts the bytes it really inflates, because declared sizes can lie. Members are written
only as regular files under a fresh private folder; names with absolute paths or ``..``,
symbolic links, encrypted members and archives inside the archive are refused outright.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from township_atlas.transfer.errors import UnreadableFile, UploadRefused
from township_atlas.transfer.limits import Limits

CHUNK = 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Archives and compressed files: refused inside an upload (no recursion, no second bomb).
NESTED_SUFFIXES = (
    ".zip", ".kmz", ".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".gz", ".tgz", ".tar",
    ".7z", ".rar", ".bz2", ".xz", ".zst", ".jar", ".cab",
)  # fmt: skip
NESTED_MAGIC = (*ZIP_MAGIC, b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"BZh", b"\xfd7zXZ")
# Files that operating systems add to zips; never data.
_JUNK = re.compile(r"(^|/)(__MACOSX/|\._|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Member:
    """One file in a vetted zip: its decoded, normalised relative name and its entry."""

    name: str
    info: zipfile.ZipInfo

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


NAME_MAX_BYTES = 255  # one file or folder name on Linux file systems


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The member name as the person who zipped it typed it.

    Zips made on Chinese Windows store names in GBK without the UTF-8 flag; zipfile then
    decodes them as CP437 (mojibake). Undo that and try UTF-8, then GB18030.
    """
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def _vet_name(raw_name: str, name: str) -> str:
    if "\x00" in raw_name or any(ord(c) < 32 for c in name):
        raise UploadRefused("xfer_zip_bad_name", member=name.encode("unicode_escape").decode())
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified):
        raise UploadRefused("xfer_zip_absolute", member=name)
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UploadRefused("xfer_zip_traversal", member=name)
    longest = max((len(p.encode("utf-8", "surrogateescape")) for p in parts), default=0)
    if longest > NAME_MAX_BYTES:
        raise UploadRefused(
            "xfer_zip_name_too_long", member=name[:80] + "…", length=longest, limit=NAME_MAX_BYTES
        )
    return "/".join(parts)


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def open_zip(data: bytes, label: str, limits: Limits) -> tuple[zipfile.ZipFile, list[Member]]:
    """Open and vet a zip held in memory; return it with its data members (junk skipped).

    Raises
    ------
    UnreadableFile : not a zip, or a damaged (e.g. truncated) one
    UploadRefused : too many members, too large inflated, zip bomb, unsafe names,
        symbolic links, encrypted or nested archives
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise UnreadableFile("xfer_zip_damaged", name=label, detail=str(exc)) from exc
    if len(infos) > limits.max_members:
        raise UploadRefused(
            "xfer_zip_too_many_members", name=label, count=len(infos), limit=limits.max_members
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise UploadRefused(
            "xfer_zip_too_large",
            name=label,
            size_mb=round(total / 2**20, 1),
            limit_mb=round(limits.max_uncompressed_bytes / 2**20),
        )
    members: list[Member] = []
    seen: set[str] = set()
    for info in infos:
        name = _vet_name(info.filename, _decoded_name(info))
        if _is_symlink(info):
            raise UploadRefused("xfer_zip_symlink", member=name)
        if info.is_dir() or not name or _JUNK.search(name):
            continue
        if info.flag_bits & 0x1:
            raise UploadRefused("xfer_zip_encrypted", member=name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_floor_bytes and ratio > limits.max_compression_ratio:
            raise UploadRefused(
                "xfer_zip_bomb", member=name, ratio=round(ratio), limit=limits.max_compression_ratio
            )
        if name.lower().endswith(NESTED_SUFFIXES):
            raise UploadRefused("xfer_zip_nested", member=name)
        if name.lower() in seen:
            raise UploadRefused("xfer_zip_duplicate", member=name)
        seen.add(name.lower())
        members.append(Member(name, info))
    # A member that is also the folder of another ("x.csv" and "x.csv/y.csv") cannot be
    # extracted: one of them would have to replace the other.
    files = {m.name.lower() for m in members}
    for member in members:
        parts = member.name.lower().split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in files:
                raise UploadRefused("xfer_zip_file_and_folder", member=folder)
    return zf, members


def read_member(zf: zipfile.ZipFile, member: Member, limits: Limits, budget: list[int]) -> bytes:
    """Inflate one member, counting real bytes against its declared size and ``budget[0]``.

    ``budget`` is a one-item list holding the bytes still allowed for the whole archive.
    """
    out = bytearray()
    try:
        with zf.open(member.info) as src:
            while chunk := src.read(CHUNK):
                if not out and chunk.startswith(NESTED_MAGIC):
                    raise UploadRefused("xfer_zip_nested", member=member.name)
                out += chunk
                if len(out) > member.info.file_size or len(out) > budget[0]:
                    raise UploadRefused(
                        "xfer_zip_bomb_inflated",
                        member=member.name,
                        limit_mb=round(limits.max_uncompressed_bytes / 2**20),
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnreadableFile(
            "xfer_zip_member_damaged", member=member.name, detail=str(exc)
        ) from exc
    budget[0] -= len(out)
    return bytes(out)


def extract(
    zf: zipfile.ZipFile,
    members: list[Member],
    dest: Path,
    limits: Limits,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Write ``members`` as regular files under the empty private folder ``dest``.

    Returns member name -> path. Every path is checked to stay inside ``dest``; files are
    created exclusively (never overwriting, never following an existing link).
    """
    root = dest.resolve()
    budget = [limits.max_uncompressed_bytes]
    paths: dict[str, Path] = {}
    for index, member in enumerate(members):
        target = (root / member.name).resolve()
        if not target.is_relative_to(root):
            raise UploadRefused("xfer_zip_traversal", member=member.name)
        data = read_member(zf, member, limits, budget)
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(target, "xb") as fh:
                fh.write(data)
        except OSError as exc:  # vetted above; a last guard so it is a message, not a crash
            raise UnreadableFile(
                "xfer_zip_member_damaged", member=member.name, detail=exc.strerror or str(exc)
            ) from exc
        paths[member.name] = target
        if progress is not None:
            progress((index + 1) / max(len(members), 1), member.name)
    return paths
