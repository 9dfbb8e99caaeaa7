"""KML of a layer: one placemark per feature, named by ``name_zh``, every field in a typed
``ExtendedData``/``SchemaData`` (so Google Earth, QGIS and our importer all read them).

ElementTree escapes ``& < > "``; characters XML 1.0 cannot hold at all (most control
characters, lone surrogates) are replaced by U+FFFD, and :func:`kml_unsafe_text` tells
the exporter where that happens.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from township_atlas.model.schema import LayerSpec

KML_NS = "http://www.opengis.net/kml/2.2"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_KML_TYPES = {"str": "string", "int": "int", "float": "double", "bool": "bool"}
_STYLE = "atlas"


def xml_text(value: str) -> str:
    return _ILLEGAL_XML.sub("\ufffd", value)


def kml_unsafe_text(value: Any) -> bool:
    return isinstance(value, str) and bool(_ILLEGAL_XML.search(value))


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return xml_text(str(value))


def _coords(points: list[list[float]]) -> str:
    return " ".join(f"{float(x)!r},{float(y)!r}" for x, y, *_ in points)


def _geometry(parent: ET.Element, geom: dict[str, Any]) -> None:
    kind, coords = geom["type"], geom.get("coordinates")
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _coords([coords])
    elif kind == "LineString":
        ET.SubElement(ET.SubElement(parent, "LineString"), "coordinates").text = _coords(coords)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        for index, ring in enumerate(coords):
            boundary = ET.SubElement(poly, "outerBoundaryIs" if index == 0 else "innerBoundaryIs")
            ET.SubElement(ET.SubElement(boundary, "LinearRing"), "coordinates").text = _coords(ring)
    elif kind.startswith("Multi"):
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in coords:
            _geometry(multi, {"type": kind[5:], "coordinates": part})
    elif kind == "GeometryCollection":
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.get("geometries", []):
            _geometry(multi, part)


def kml_bytes(spec: LayerSpec, features: list[dict[str, Any]], title: str) -> bytes:
    """A KML document of one layer's stored features (see the module docstring)."""
    root = ET.Element("kml", xmlns=KML_NS)
    doc = ET.SubElement(root, "Document")
    ET.SubElement(doc, "name").text = spec.name
    ET.SubElement(doc, "description").text = xml_text(title)
    style = ET.SubElement(doc, "Style", id=_STYLE)
    line = ET.SubElement(style, "LineStyle")
    ET.SubElement(line, "color").text = "ff1f1fc8"  # aabbggrr: Party red
    ET.SubElement(line, "width").text = "2"
    ET.SubElement(ET.SubElement(style, "PolyStyle"), "color").text = "401f1fc8"
    schema = ET.SubElement(doc, "Schema", name=spec.name, id=spec.name)
    for fld in spec.fields:
        field = ET.SubElement(schema, "SimpleField", name=fld.name, type=_KML_TYPES[fld.dtype])
        ET.SubElement(field, "displayName").text = xml_text(fld.label_zh)
    for feat in features:
        props = feat["properties"]
        placemark = ET.SubElement(doc, "Placemark")
        name = props.get("name_zh") or props.get(spec.id_field or "") or ""
        ET.SubElement(placemark, "name").text = xml_text(str(name))
        ET.SubElement(placemark, "styleUrl").text = f"#{_STYLE}"
        data = ET.SubElement(
            ET.SubElement(placemark, "ExtendedData"), "SchemaData", schemaUrl=f"#{spec.name}"
        )
        for fld in spec.fields:
            value = props.get(fld.name)
            if value is not None:  # a missing SimpleData is a null value
                ET.SubElement(data, "SimpleData", name=fld.name).text = _value_text(value)
        if feat.get("geometry"):
            _geometry(placemark, feat["geometry"])
    ET.indent(root, space=" ")
    # Serialising to str and encoding once is several times faster than encoding="utf-8".
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")
