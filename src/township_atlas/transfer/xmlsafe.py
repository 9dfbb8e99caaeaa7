"""XML from uploads, parsed with defusedxml: no DTDs, no entities, no external references.

A billion-laughs document or one that pulls in a file or URL through an entity is refused
before any element is built. Documents declaring a Chinese encoding (GBK, GB2312, GB18030),
which the XML parser does not know, are recoded to UTF-8 first.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from typing import Any
from xml.parsers import expat

from defusedxml import (
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
    NotSupportedError,
)
from defusedxml import ElementTree as SafeET

from township_atlas.transfer.depth import too_deep
from township_atlas.transfer.errors import UnreadableFile, UploadRefused
from township_atlas.transfer.limits import Limits

_DECL = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']")
_EXPAT_CODECS = {"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii", "iso-8859-1", "latin-1"}
_DANGEROUS_PROLOG = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _recode(data: bytes, name: str) -> bytes:
    match = _DECL.match(data[:512])
    if match is None:
        return data
    declared = match.group(2).decode("ascii").lower()
    if declared in _EXPAT_CODECS:
        return data
    try:
        text = data.decode(codecs.lookup(declared).name)
    except (LookupError, UnicodeDecodeError) as exc:
        raise UnreadableFile("xfer_xml_encoding", name=name, encoding=declared) from exc
    # Swap the declared name for UTF-8 and re-encode, so expat can read the document.
    return text.replace(match.group(2).decode("ascii"), "UTF-8", 1).encode("utf-8")


def parse_xml(data: bytes, name: str, limits: Limits) -> ET.Element:
    """Parse an XML document safely and return its root element.

    Raises
    ------
    UploadRefused : a DTD, entity declaration or external reference, or too large
    UnreadableFile : malformed XML (with line and column) or an unknown encoding
    """
    if len(data) > limits.max_xml_bytes:
        raise UploadRefused(
            "xfer_xml_too_large", name=name, limit_mb=round(limits.max_xml_bytes / 2**20)
        )
    data = _recode(data, name)
    check_xml_depth(data, name, limits.max_nesting)
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as exc:
        raise UploadRefused("xfer_xml_dtd", name=name) from exc
    except EntitiesForbidden as exc:
        raise UploadRefused("xfer_xml_entities", name=name) from exc
    except (ExternalReferenceForbidden, NotSupportedError) as exc:
        raise UploadRefused("xfer_xml_external", name=name) from exc
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise UnreadableFile("xfer_xml_malformed", name=name, line=line, column=column) from exc


class _TooDeep(Exception):
    pass


class _Doctype(Exception):
    pass


def check_xml_depth(data: bytes, name: str, limit: int) -> None:
    """Refuse a document nested deeper than ``limit`` elements, or declaring a DTD, in one
    streaming pass of expat (linear time, no tree built): the recursive walks of the
    reader then never meet deep nesting.

    Raises
    ------
    UploadRefused : too deep, or a DTD
    UnreadableFile : malformed XML (with line and column)
    """
    parser = expat.ParserCreate()
    level = [0]

    def start(_tag: str, _attrs: Any) -> None:
        level[0] += 1
        if level[0] > limit:
            raise _TooDeep

    def end(_tag: str) -> None:
        level[0] -= 1

    def doctype(*_args: Any) -> None:
        raise _Doctype

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except _TooDeep as exc:
        raise too_deep("xml", name, limit) from exc
    except _Doctype as exc:
        raise UploadRefused("xfer_xml_dtd", name=name) from exc
    except expat.ExpatError as exc:
        raise UnreadableFile(
            "xfer_xml_malformed", name=name, line=exc.lineno, column=exc.offset
        ) from exc


def _head_text(head: bytes) -> str:
    """The start of an XML part as text, whatever its encoding (BOM or the first bytes of
    ``<?xml``, as in appendix F of the XML specification)."""
    for marks, codec in (
        ((b"\xff\xfe\x00\x00", b"<\x00\x00\x00"), "utf-32-le"),
        ((b"\x00\x00\xfe\xff", b"\x00\x00\x00<"), "utf-32-be"),
        ((b"\xff\xfe", b"<\x00"), "utf-16-le"),
        ((b"\xfe\xff", b"\x00<"), "utf-16-be"),
    ):
        if head.startswith(marks):
            return head.decode(codec, "ignore")
    return head.decode("utf-8", "ignore")


def check_xml_prolog(data: bytes, name: str) -> None:
    """Refuse an XML part (e.g. inside an .xlsx) that declares a DTD or entities, in UTF-8
    or in UTF-16/32 (the DTD is looked for in the decoded text).

    A DTD can only come before the root element, so the first 64 KB decide.
    """
    if _DANGEROUS_PROLOG.search(_head_text(data[:65536])):
        raise UploadRefused("xfer_xml_dtd", name=name)
