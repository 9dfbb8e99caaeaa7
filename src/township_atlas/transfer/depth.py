"""Nesting depth of text, measured in linear time before a parser sees it.

Recursive parsers (GEOS's WKT reader, the ``json`` module, our own KML walk) crash or
raise ``RecursionError`` on deeply nested input; GEOS even segfaults. These functions
count brackets with NumPy in fixed-size chunks (so memory stays small), after string
literals are blanked out for JSON; XML depth is counted by expat's streaming callbacks in
:mod:`.xmlsafe`.
"""

from __future__ import annotations

import re

import numpy as np

from township_atlas.transfer.errors import UploadRefused

_CHUNK = 1 << 20
# A JSON string literal (unrolled loop: linear, no backtracking).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_WHAT = {
    "wkt": ("几何文本", "geometry text"),
    "json": ("JSON", "JSON"),
    "xml": ("XML", "XML"),
}


def bracket_depth(data: bytes, opens: bytes, closes: bytes) -> int:
    """The deepest nesting of ``opens`` / ``closes`` bytes in ``data`` (0 if none)."""
    deepest = 0
    level = 0
    open_codes = np.frombuffer(opens, dtype=np.uint8)
    close_codes = np.frombuffer(closes, dtype=np.uint8)
    for start in range(0, len(data), _CHUNK):
        arr = np.frombuffer(
            data, dtype=np.uint8, count=min(_CHUNK, len(data) - start), offset=start
        )
        step = np.isin(arr, open_codes).astype(np.int32) - np.isin(arr, close_codes)
        if not step.any():
            continue
        running = np.cumsum(step, dtype=np.int64) + level
        deepest = max(deepest, int(running.max()))
        level = int(running[-1])
    return deepest


def _as_bytes(text: str | bytes) -> bytes:
    # Brackets are ASCII: in UTF-8 no byte of another character can be mistaken for one.
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def wkt_depth(text: str | bytes) -> int:
    return bracket_depth(_as_bytes(text), b"(", b")")


def json_depth(text: str | bytes) -> int:
    data = _as_bytes(text)
    if data.count(b"[") + data.count(b"{") == 0:
        return 0
    return bracket_depth(_JSON_STRING.sub(b'""', data), b"[{", b"]}")


def check_depth(text: str | bytes, kind: str, name: str, limit: int) -> None:
    """Refuse ``text`` (``kind`` "wkt" or "json") nested deeper than ``limit``.

    Cheap when the text has fewer brackets than the limit (it cannot nest deeper).
    """
    data = _as_bytes(text)
    opens = data.count(b"(") if kind == "wkt" else data.count(b"[") + data.count(b"{")
    if opens <= limit:
        return
    depth = wkt_depth(data) if kind == "wkt" else json_depth(data)
    if depth > limit:
        raise too_deep(kind, name, limit)


def too_deep(kind: str, name: str, limit: int) -> UploadRefused:
    zh, en = _WHAT[kind]
    return UploadRefused("xfer_too_deep", name=name, what=zh, what_en=en, limit=limit)
