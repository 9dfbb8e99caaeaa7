"""Shapefile field names (at most 10 characters) and the small map that restores ours.

Our exports shorten long field names uniquely (``leading_industry_zh`` -> ``leading_in``)
and put ``township_atlas_fields.json`` in the zip: for each of our layers, the .shp files
that hold it (a layer with points and polygons needs one file per geometry type) and
short name -> full name. The importer reads it back, so such a zip imports as one layer
with its full field names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MANIFEST_NAME = "township_atlas_fields.json"
MANIFEST_VERSION = 1
DBF_NAME_LIMIT = 10


@dataclass(frozen=True)
class ShapefileGroup:
    """One of our layers as stored in a zipped Shapefile export."""

    layer: str
    files: tuple[str, ...]  # .shp member names
    fields: dict[str, str]  # short name -> full name


def short_names(names: list[str], limit: int = DBF_NAME_LIMIT) -> dict[str, str]:
    """Full name -> a unique (case-insensitively) name of at most ``limit`` characters."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        candidate = name[:limit]
        counter = 1
        while candidate.lower() in used:
            suffix = f"_{counter}"
            candidate = name[: limit - len(suffix)] + suffix
            counter += 1
        used.add(candidate.lower())
        out[name] = candidate
    return out


def manifest_bytes(groups: list[ShapefileGroup]) -> bytes:
    doc = {
        "township_atlas_fields": MANIFEST_VERSION,
        "layers": {g.layer: {"files": list(g.files), "fields": g.fields} for g in groups},
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def read_manifest(data: bytes) -> list[ShapefileGroup]:
    """The groups of a manifest; an unreadable or foreign one gives an empty list."""
    try:
        doc: Any = json.loads(data.decode("utf-8"))
        layers = doc["layers"] if doc.get("township_atlas_fields") == MANIFEST_VERSION else {}
        return [
            ShapefileGroup(
                str(layer),
                tuple(str(f) for f in spec["files"]),
                {str(k): str(v) for k, v in spec["fields"].items()},
            )
            for layer, spec in layers.items()
        ]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return []
