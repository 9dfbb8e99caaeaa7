"""Which text encoding a Shapefile's .dbf or a CSV file is in.

Chinese Shapefiles are often GBK without a ``.cpg``; CSVs from Excel on Chinese Windows are
GBK, newer ones UTF-8 with a BOM. The rules, in order: what the caller says; the ``.cpg``;
the .dbf language-driver byte when it names a CJK code page; else the bytes decide: strict
UTF-8 if every text value decodes as UTF-8, else GB18030 (a superset of GBK and GB2312).
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from pathlib import Path

from township_atlas.transfer.errors import UnreadableFile
from township_atlas.transfer.messages import Note

# .dbf byte 29 "language driver id" -> code page, for those that name one unambiguously.
# 0x00 (none) and 0x57 ("ANSI": the writer's Windows code page, GBK on Chinese Windows) and
# the Latin ones are not trusted: the bytes decide.
LDID_CODEPAGES = {
    0x4D: "CP936",  # Chinese GBK (PRC)
    0x7A: "CP936",
    0x4F: "CP950",  # Chinese Big5 (Taiwan)
    0x78: "CP950",
    0x4E: "CP949",  # Korean
    0x79: "CP949",
    0x13: "CP932",  # Japanese
    0x7B: "CP932",
}
# .cpg contents (case-insensitive) that are not codec names Python knows.
_CPG_ALIASES = {
    "65001": "UTF-8",
    "UTF8": "UTF-8",
    "936": "CP936",
    "ANSI 936": "CP936",
    "MS936": "CP936",
    "54936": "GB18030",
    "950": "CP950",
    "ANSI 950": "CP950",
    "88591": "ISO-8859-1",
    "8859-1": "ISO-8859-1",
    "1252": "CP1252",
    "ANSI 1252": "CP1252",
}
GBK_FALLBACK = "GB18030"
# How much of a .dbf we look at to tell UTF-8 from GBK.
_SNIFF_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding used to read text, and why (shown to the planner).

    ``codec`` is a name both Python and GDAL (iconv) understand, e.g. "UTF-8", "GB18030".
    """

    codec: str
    source: str  # "caller", "cpg", "ldid", "bom", "detected"
    reason: Note


# Python's canonical codec names -> the names GDAL (iconv, and its own ISO-8859-1 path) knows.
_GDAL_NAMES = {
    "utf-8": "UTF-8",
    "iso8859-1": "ISO-8859-1",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
}


def normalise(name: str) -> str | None:
    """A codec name usable by Python and GDAL for ``name``, or None if it is unknown."""
    key = name.strip().upper()
    key = _CPG_ALIASES.get(key, key)
    try:
        info = codecs.lookup(key)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib: not encodings
        return None
    canonical = info.name
    return _GDAL_NAMES.get(canonical, canonical.upper())


def _decodes(values: list[bytes], codec: str) -> bool:
    decoder_factory = codecs.getincrementaldecoder(codec)
    for value in values:
        try:
            # final=False: a multi-byte character cut off by a too-narrow field is not fatal.
            decoder_factory().decode(value, final=False)
        except UnicodeDecodeError:
            return False
    return True


def detect(values: list[bytes]) -> tuple[str, str]:
    """("UTF-8" or GB18030, key of the reason) from raw text values."""
    non_ascii = [v for v in values if not v.isascii()]
    if not non_ascii:
        return "UTF-8", "xfer_encoding_ascii"
    if _decodes(non_ascii, "utf-8"):
        return "UTF-8", "xfer_encoding_utf8_detected"
    return GBK_FALLBACK, "xfer_encoding_gbk_detected"


def dbf_text_values(dbf: Path) -> tuple[int, list[bytes]]:
    """The .dbf's language-driver byte and the raw bytes of its field names and text cells."""
    with open(dbf, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            raise UnreadableFile("xfer_dbf_damaged", name=dbf.name)
        ldid = head[29]
        records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        descriptors = fh.read(max(header_len - 32, 0))
        fields: list[tuple[int, int, bool]] = []  # (offset, length, is_text)
        names: list[bytes] = []
        offset = 1  # byte 0 of a record is the deletion flag
        for pos in range(0, len(descriptors) - 31, 32):
            desc = descriptors[pos : pos + 32]
            if desc[0] == 0x0D:
                break
            names.append(desc[:11].split(b"\x00", 1)[0])
            fields.append((offset, desc[16], desc[11:12] in (b"C", b"M")))
            offset += desc[16]
        fh.seek(header_len)
        body = fh.read(min(records * record_len, _SNIFF_BYTES))
    values = list(names)
    text_fields = [(o, n) for o, n, is_text in fields if is_text]
    for start in range(0, len(body) - record_len + 1, max(record_len, 1)):
        for off, length in text_fields:
            cell = body[start + off : start + off + length].rstrip(b" \x00")
            if cell:
                values.append(cell)
    return ldid, values


def shapefile_encoding(shp: Path, override: str | None = None) -> EncodingChoice:
    """The encoding of a Shapefile's attribute text (see the module docstring for the rules)."""
    if override:
        codec = normalise(override)
        if codec is None:
            raise UnreadableFile("xfer_encoding_unknown", encoding=override)
        return EncodingChoice(codec, "caller", Note.of("xfer_encoding_caller", encoding=codec))
    cpg = shp.with_suffix(".cpg")
    if not cpg.exists():
        cpg = next((p for p in shp.parent.glob(shp.stem + ".*") if p.suffix.lower() == ".cpg"), cpg)
    unknown = None
    if cpg.exists():
        declared = cpg.read_bytes()[:64].decode("ascii", "replace").strip()
        codec = normalise(declared)
        if codec is not None:
            return EncodingChoice(codec, "cpg", Note.of("xfer_encoding_cpg", encoding=codec))
        unknown = "".join(c for c in declared if c.isprintable())[:40]

    def chosen(codec: str, source: str, note: Note) -> EncodingChoice:
        if unknown is not None:  # say the .cpg was ignored, and what was used instead
            note = Note.of("xfer_encoding_cpg_unknown", declared=unknown, encoding=codec)
        return EncodingChoice(codec, source, note)

    dbf = next((p for p in shp.parent.glob(shp.stem + ".*") if p.suffix.lower() == ".dbf"), None)
    if dbf is None:
        return chosen("UTF-8", "detected", Note.of("xfer_encoding_ascii"))
    ldid, values = dbf_text_values(dbf)
    if ldid in LDID_CODEPAGES:
        codec = LDID_CODEPAGES[ldid]
        return chosen(
            codec, "ldid", Note.of("xfer_encoding_ldid", encoding=codec, ldid=f"0x{ldid:02X}")
        )
    codec, reason = detect(values)
    return chosen(codec, "detected", Note.of(reason, encoding=codec))


def decode_text(data: bytes, name: str, override: str | None = None) -> tuple[str, EncodingChoice]:
    """Decode a whole text file (CSV): BOM, else strict UTF-8, else GB18030; or as told.

    Raises
    ------
    UnreadableFile : the bytes are not valid in the chosen encoding; says on which line and
        what encoding the file looks like instead
    """
    if override:
        codec = normalise(override)
        if codec is None:
            raise UnreadableFile("xfer_encoding_unknown", encoding=override)
        choice = EncodingChoice(codec, "caller", Note.of("xfer_encoding_caller", encoding=codec))
        return _strict(data, codec, name, choice), choice
    for bom, codec in (
        (b"\xef\xbb\xbf", "UTF-8-SIG"),
        (b"\xff\xfe\x00\x00", "UTF-32"),  # before UTF-16: it starts with the same bytes
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if data.startswith(bom):
            choice = EncodingChoice(codec, "bom", Note.of("xfer_encoding_bom", encoding=codec))
            return _strict(data, codec, name, choice), choice
    try:
        text = data.decode("utf-8")
        key = "xfer_encoding_ascii" if data.isascii() else "xfer_encoding_utf8_detected"
        return text, EncodingChoice("UTF-8", "detected", Note.of(key, encoding="UTF-8"))
    except UnicodeDecodeError:
        pass
    mixed = _mixed_line(data)
    if mixed:  # some lines are UTF-8 Chinese, others are not: GB18030 would garble them
        raise UnreadableFile("xfer_encoding_mixed", name=name, line=mixed)
    try:
        text = data.decode(GBK_FALLBACK)
    except UnicodeDecodeError as exc:
        line = _bad_line(data, GBK_FALLBACK)
        raise UnreadableFile("xfer_encoding_mixed", name=name, line=line) from exc
    note = Note.of("xfer_encoding_gbk_detected", encoding=GBK_FALLBACK)
    return text, EncodingChoice(GBK_FALLBACK, "detected", note)


def _mixed_line(data: bytes) -> int:
    """The first non-UTF-8 line of a file whose other non-ASCII lines are UTF-8, or 0."""
    utf8_lines = 0
    first_bad = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            first_bad = first_bad or number
    return first_bad if utf8_lines and first_bad else 0


def _bad_line(data: bytes, codec: str) -> int:
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode(codec)
        except UnicodeDecodeError:
            return number
    return 0


def _strict(data: bytes, codec: str, name: str, choice: EncodingChoice) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        other = "UTF-8" if codec.upper().replace("-", "") not in ("UTF8", "UTF8SIG") else "GBK"
        raise UnreadableFile(
            "xfer_encoding_wrong",
            name=name,
            encoding=choice.codec,
            line=_bad_line(data, codec),
            other=other,
        ) from exc
