"""KML placemarks as attribute rows and shapely geometries, read without GDAL.

The document is parsed with defusedxml (see :mod:`.xmlsafe`) and walked here, so nothing in
it is ever fetched: a ``NetworkLink`` (which exists to load another document), overlays and
models whose links point at another host or an absolute path are refused. Remote *icon*
images in styles are only decoration and are ignored, with a note. Each folder that holds
placemarks is one layer; placemarks directly in the document form a layer of their own.
Fields: ``name``, every ``ExtendedData`` ``Data``/``SimpleData`` value, ``description``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from township_atlas.transfer.errors import UploadRefused
from township_atlas.transfer.limits import Limits
from township_atlas.transfer.messages import Note
from township_atlas.transfer.xmlsafe import parse_xml

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_REFUSED_ELEMENTS = ("NetworkLink", "NetworkLinkControl")
_LINKING_ELEMENTS = ("GroundOverlay", "ScreenOverlay", "PhotoOverlay", "Model", "Link", "Url")
_GEOMETRIES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiGeometry",
    "Track",
    "MultiTrack",
)


@dataclass
class KmlLayer:
    """The placemarks of one folder."""

    name: str
    columns: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    geometries: list[BaseGeometry | None] = field(default_factory=list)
    bad_rows: dict[int, str] = field(default_factory=dict)  # row (1-based) -> reason


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in elem if _local(c.tag) == name), None)


def _children(elem: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in elem if _local(c.tag) == name]


def _href_kind(href: str) -> str:
    """'local' (a file inside the upload), 'embedded' (data: URI) or 'outside'."""
    value = href.strip()
    if not value:
        return "local"
    if value.lower().startswith("data:"):
        return "embedded"
    if _SCHEME.match(value) or value.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", value):
        return "outside"
    return "local"


def _vet_links(root: ET.Element, name: str, notes: list[Note]) -> None:
    """Refuse anything that would make a KML viewer fetch another document or file.

    One depth-first pass with enter/leave events: the enclosing styles and linking
    elements are counters and a stack, not a copied list of ancestors per element (which
    made deep documents quadratic).
    """
    ignored_icons = 0
    in_style = 0  # IconStyle / ListStyle elements we are inside
    linking: list[str] = []  # the enclosing linking elements, innermost last
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        elem, leaving = stack.pop()
        tag = _local(elem.tag)
        if leaving:
            if tag in ("IconStyle", "ListStyle"):
                in_style -= 1
            if tag in _LINKING_ELEMENTS:
                linking.pop()
            continue
        if tag in _REFUSED_ELEMENTS:
            raise UploadRefused("xfer_kml_network_link", name=name)
        if tag in ("href", "styleUrl") and elem.text and _href_kind(elem.text) == "outside":
            if in_style or tag == "styleUrl":
                ignored_icons += 1
            else:
                where = linking[-1] if linking else tag
                raise UploadRefused(
                    "xfer_kml_remote_href", name=name, element=where, href=elem.text.strip()[:200]
                )
        if tag in ("IconStyle", "ListStyle"):
            in_style += 1
        if tag in _LINKING_ELEMENTS:
            linking.append(tag)
        stack.append((elem, True))
        stack.extend((child, False) for child in reversed(elem))
    if ignored_icons:
        notes.append(Note.of("xfer_kml_icons_ignored", count=ignored_icons))


def _coords(text: str | None) -> list[tuple[float, float]]:
    points = []
    for token in (text or "").split():
        parts = token.split(",")
        if len(parts) < 2:
            raise ValueError(f"not a coordinate: {token[:40]!r}")
        points.append((float(parts[0]), float(parts[1])))
    if not points:
        raise ValueError("no coordinates")
    return points


def _ring(boundary: ET.Element | None) -> list[tuple[float, float]]:
    ring = _child(boundary, "LinearRing") if boundary is not None else None
    if ring is None:
        raise ValueError("polygon boundary without LinearRing")
    return _coords(
        _child(ring, "coordinates").text if _child(ring, "coordinates") is not None else None
    )


def _geometry(elem: ET.Element) -> BaseGeometry:
    tag = _local(elem.tag)
    if tag == "Point":
        return shapely.Point(_coords(_text(elem, "coordinates"))[0])
    if tag in ("LineString", "LinearRing"):
        return shapely.LineString(_coords(_text(elem, "coordinates")))
    if tag == "Polygon":
        outer = _ring(_child(elem, "outerBoundaryIs"))
        inner = [_ring(b) for b in _children(elem, "innerBoundaryIs")]
        return shapely.Polygon(outer, inner)
    if tag == "Track":
        coords = [tuple(map(float, (c.text or "").split()[:2])) for c in _children(elem, "coord")]
        return shapely.LineString(coords)
    parts = [_geometry(c) for c in elem if _local(c.tag) in _GEOMETRIES]
    if not parts:
        raise ValueError("empty MultiGeometry")
    types = {p.geom_type for p in parts}
    if types == {"Point"}:
        return shapely.MultiPoint(parts)
    if types <= {"Polygon", "MultiPolygon"}:
        return shapely.MultiPolygon([g for p in parts for g in getattr(p, "geoms", [p])])
    if types == {"LineString"}:
        return shapely.MultiLineString(parts)
    return shapely.GeometryCollection(parts)


def _text(elem: ET.Element, name: str) -> str | None:
    child = _child(elem, name)
    return child.text if child is not None else None


def _placemark(pm: ET.Element, layer: KmlLayer) -> None:
    record: dict[str, Any] = {}
    name = _text(pm, "name")
    if name is not None:
        record["name"] = name.strip()
    extended = _child(pm, "ExtendedData")
    if extended is not None:
        for data in _children(extended, "Data"):
            if data.get("name"):
                value = _text(data, "value")
                record[data.get("name")] = value
        for schema_data in _children(extended, "SchemaData"):
            for simple in _children(schema_data, "SimpleData"):
                if simple.get("name"):
                    record[simple.get("name")] = simple.text
    description = _text(pm, "description")
    if description is not None and description.strip():
        record["description"] = description.strip()
    for key in record:
        if key not in layer.columns:
            layer.columns.append(key)
    geom_elem = next((c for c in pm if _local(c.tag) in _GEOMETRIES), None)
    geometry = None
    if geom_elem is not None:
        try:
            geometry = _geometry(geom_elem)
        except (ValueError, TypeError, IndexError, shapely.errors.GEOSException) as exc:
            layer.bad_rows[len(layer.records) + 1] = str(exc)[:200]
    layer.records.append(record)
    layer.geometries.append(geometry)


def read_kml(data: bytes, name: str, limits: Limits) -> tuple[list[KmlLayer], list[Note]]:
    """Parse a KML document into layers (one per folder with placemarks).

    Raises
    ------
    UploadRefused : DTD/entities (see :func:`parse_xml`), NetworkLink, remote links
    UnreadableFile : malformed XML
    """
    root = parse_xml(data, name, limits)
    notes: list[Note] = []
    _vet_links(root, name, notes)
    layers: dict[str, KmlLayer] = {}
    count = [0]

    def visit(elem: ET.Element, path: tuple[str, ...]) -> None:
        for child in elem:
            tag = _local(child.tag)
            if tag == "Placemark":
                count[0] += 1
                if count[0] > limits.max_features:
                    raise UploadRefused(
                        "xfer_too_many_features", name=name, limit=limits.max_features
                    )
                key = " / ".join(path) or "KML"
                layers.setdefault(key, KmlLayer(key))
                _placemark(child, layers[key])
            elif tag in ("Folder", "Document"):
                label = (_text(child, "name") or "").strip()
                if not label and tag == "Folder":
                    label = f"Folder {len(layers) + 1}"
                visit(child, (*path, label) if label else path)

    visit(root, ())
    return list(layers.values()), notes
