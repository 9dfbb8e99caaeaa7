"""The bounds every upload must respect, checked before anything is extracted or parsed."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one upload. The defaults suit a township's or a county's layers.

    Attributes
    ----------
    max_upload_bytes : size of the uploaded file itself
    max_members : entries in a zip (files and folders)
    max_uncompressed_bytes : all members of a zip together, once extracted
    max_compression_ratio : uncompressed / compressed size of one member; deflate tops out
        near 1000:1, which is what a zip bomb uses, while real data stays far below 200:1
    ratio_floor_bytes : members smaller than this are not ratio-checked (tiny, repetitive
        files such as a .cpg or an empty .dbf compress extremely well and are harmless)
    max_xml_bytes : one KML document (parsed in memory)
    max_features : features or table rows in one layer
    max_vertices : vertices of one geometry
    """

    max_upload_bytes: int = 50 * MB
    max_members: int = 200
    max_uncompressed_bytes: int = 200 * MB
    max_compression_ratio: float = 200.0
    ratio_floor_bytes: int = 1 * MB
    max_xml_bytes: int = 100 * MB
    max_features: int = 200_000
    max_vertices: int = 200_000


DEFAULT_LIMITS = Limits()
