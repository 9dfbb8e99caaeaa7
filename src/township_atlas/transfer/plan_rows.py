"""Attributes of an import, row by row: take each field from its column (or constant),
map coded values, coerce types, check ranges; then ids: duplicates and new ones."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from township_atlas.model.schema import LayerSpec
from township_atlas.transfer.ids import DEFAULT_PREFIX, IdAllocator
from township_atlas.transfer.mapping import FieldMapping, allowed_text, code_for, coerce, is_blank
from township_atlas.transfer.problems import ProblemLog

# A field the mapping does not provide: a replaced feature keeps its current value.
UNMAPPED = object()
_TYPE_KEYS = {
    "int": "xfer_row_not_int",
    "float": "xfer_row_not_number",
    "bool": "xfer_row_not_bool",
}


def row_properties(spec: LayerSpec, mapping: FieldMapping, log: ProblemLog) -> list[dict[str, Any]]:
    """Typed properties per row (UNMAPPED where the mapping gives nothing)."""
    sources = []
    for fld in spec.fields:
        col = mapping.columns.get(fld.name)
        if col is not None:
            sources.append((fld, "column", col))
        elif fld.name in mapping.constants:
            sources.append((fld, "constant", mapping.constants[fld.name]))
        else:
            sources.append((fld, "none", None))
    out = []
    for index, record in enumerate(log.raw.records):
        props: dict[str, Any] = {}
        for fld, how, what in sources:
            if how == "none":
                props[fld.name] = UNMAPPED
                continue
            value = record.get(what) if how == "column" else what
            props[fld.name] = _field_value(index, fld, value, mapping, log)
        out.append(props)
    return out


def _field_value(index: int, fld: Any, value: Any, mapping: FieldMapping, log: ProblemLog) -> Any:
    if is_blank(value):
        return None
    if fld.allowed:
        code = code_for(fld, str(value).strip(), mapping)
        if code is None:
            log.add(
                index,
                "allowed",
                "xfer_row_not_allowed",
                fld=fld,
                value=value,
                allowed_zh=allowed_text(fld, "zh"),
                allowed_en=allowed_text(fld, "en"),
            )
            return None
        value = code
    try:
        typed = coerce(value, fld)
    except ValueError:
        log.add(
            index, "type", _TYPE_KEYS.get(fld.dtype, "xfer_row_not_number"), fld=fld, value=value
        )
        return None
    if isinstance(typed, int | float) and not isinstance(typed, bool):
        low = fld.min is not None and typed < fld.min
        high = fld.max is not None and typed > fld.max
        if low or high:
            log.add(
                index,
                "range",
                "xfer_row_out_of_range",
                fld=fld,
                value=value,
                min="" if fld.min is None else f"{fld.min:g}",
                max="" if fld.max is None else f"{fld.max:g}",
            )
            return None
    return typed


def assign_ids(
    spec: LayerSpec,
    rows: list[dict[str, Any]],
    existing: list[tuple[str, str | None]],
    log: ProblemLog,
) -> None:
    """Flag ids used twice in the file; give rows without an id a new one in the layer's style."""
    id_field = spec.id_field
    assert id_field is not None
    where: dict[str, list[int]] = defaultdict(list)
    for index, props in enumerate(rows):
        fid = props.get(id_field)
        if fid not in (None, UNMAPPED):
            where[str(fid)].append(index)
    fld = next(f for f in spec.fields if f.name == id_field)
    for fid, indexes in where.items():
        if len(indexes) > 1:
            shown = "、".join(str(log.raw.row_numbers[i]) for i in indexes[:20])
            for index in indexes:
                log.ids[index] = fid
                log.add(
                    index, "duplicate_id", "xfer_row_duplicate_id", fld=fld, value=fid, rows=shown
                )
        else:
            log.ids[indexes[0]] = fid
    if spec.name not in DEFAULT_PREFIX:
        return
    allocator = IdAllocator(spec.name, existing, where.keys())
    for index, props in enumerate(rows):
        if props.get(id_field) in (None, UNMAPPED):
            level = props.get("level") if spec.name == "party_orgs" else None
            new = allocator.new(level if isinstance(level, str) else None)
            props[id_field] = new
            log.ids[index] = new
            log.add(
                index, "id_generated", "xfer_row_id_generated", fld=fld, severity="info", id=new
            )


def merge_current(
    spec: LayerSpec, rows: list[dict[str, Any]], current: dict[str, dict[str, Any]]
) -> None:
    """Unmapped fields: a replaced feature keeps its current value, a new one gets None."""
    id_field = spec.id_field
    for props in rows:
        stored = current.get(str(props.get(id_field)))
        old = stored["properties"] if stored else {}
        for name, value in props.items():
            if value is UNMAPPED:
                props[name] = old.get(name)
