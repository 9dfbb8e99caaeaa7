"""Attributes of an import, row by row: take each field from its column (or constant),
map coded values, coerce types, check ranges; then ids: duplicates and new ones."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from township_atlas.model.schema import Field, LayerSpec
from township_atlas.transfer.ids import DEFAULT_PREFIX, IdAllocator
from township_atlas.transfer.mapping import (
    FieldMapping,
    allowed_text,
    code_for,
    coerce,
    is_blank,
)
from township_atlas.transfer.messages import Note, text
from township_atlas.transfer.office_tables import total_text
from township_atlas.transfer.problems import ProblemLog, RowProblem
from township_atlas.transfer.units import (
    Conversion,
    cell_number,
    conversion,
    convertible_units,
    header_unit,
    is_missing,
)

# A field the mapping does not provide: a replaced feature keeps its current value.
UNMAPPED = object()
_TYPE_KEYS = {
    "int": "xfer_row_not_int",
    "float": "xfer_row_not_number",
    "bool": "xfer_row_not_bool",
}


def row_properties(
    spec: LayerSpec, mapping: FieldMapping, log: ProblemLog, notes: list[Note] | None = None
) -> list[dict[str, Any]]:
    """Typed properties per row (UNMAPPED where the mapping gives nothing).

    A unit in a column's header ("产值(元)") is converted to the unit the field stores
    (万元), with a note in ``notes``; a unit that cannot be converted makes every value of
    that column a row error. 合计 rows that do not add up become warnings.
    """
    notes = notes if notes is not None else []
    sources = []
    for fld in spec.fields:
        col = mapping.columns.get(fld.name)
        if col is not None:
            sources.append((fld, "column", col, _column_conversion(fld, col, notes)))
        elif fld.name in mapping.constants:
            sources.append((fld, "constant", mapping.constants[fld.name], None))
        else:
            sources.append((fld, "none", None, None))
    out = []
    for index, record in enumerate(log.raw.records):
        props: dict[str, Any] = {}
        for fld, how, what, conv in sources:
            if how == "none":
                props[fld.name] = UNMAPPED
                continue
            value = record.get(what) if how == "column" else what
            props[fld.name] = _field_value(index, fld, value, mapping, log, conv)
        out.append(props)
    _total_warnings(mapping, log)
    return out


def _numeric(fld: Field) -> bool:
    return fld.dtype in ("int", "float") and not fld.allowed


def _column_conversion(fld: Field, column: str, notes: list[Note]) -> Conversion | None:
    """How a column's values become ``fld``'s unit, from the unit in its header."""
    if not _numeric(fld):
        return None
    unit = header_unit(column)[1]
    conv = conversion(unit, fld.unit_zh)
    if conv.factor is None:
        notes.append(Note.of("xfer_unit_unknown_note", **_unit_params(fld, column, unit)))
    elif conv.converts:
        notes.append(
            Note.of(
                "xfer_unit_converted",
                column=column,
                unit=unit,
                target=fld.unit_zh,
                factor=f"{conv.factor:g}",
                label_zh=fld.label_zh,
                label_en=fld.label_en,
            )
        )
    return conv


def _unit_params(fld: Field, column: str, unit: str | None) -> dict[str, Any]:
    units = convertible_units(fld.unit_zh)
    return {
        "column": column,
        "unit": unit or "",
        "label_zh": fld.label_zh,
        "label_en": fld.label_en,
        "units_zh": "或".join(["、".join(units[:-1]), units[-1]]) if len(units) > 1 else units[0],
        "units_en": ", ".join(units),
    }


def _in_field_unit(
    index: int, fld: Field, value: Any, conv: Conversion | None, log: ProblemLog
) -> Any:
    """A numeric cell as a number in ``fld``'s unit, or ``_UNIT_ERROR`` after logging why
    it is not one (not a number, or a unit that cannot be converted)."""
    parsed = cell_number(value)
    if parsed is None:  # "1,2" is not 12: said, not guessed
        key = _TYPE_KEYS.get(fld.dtype, "xfer_row_not_number")
        log.add(index, "type", key, fld=fld, value=value)
        return _UNIT_ERROR
    number, unit = parsed
    if unit == "%":
        return number if fld.unit_zh == "%" else number / 100
    step = conversion(unit, fld.unit_zh) if unit else conv
    if step is None or step.factor == 1.0:
        return number
    if step.factor is None:
        params = _unit_params(fld, "", step.unit)
        del params["column"], params["label_zh"], params["label_en"]  # add() sets the labels
        log.add(index, "unit", "xfer_row_unit_unknown", fld=fld, value=value, **params)
        return _UNIT_ERROR
    return round(number * step.factor, 10)


_UNIT_ERROR = object()


def _field_value(
    index: int,
    fld: Any,
    value: Any,
    mapping: FieldMapping,
    log: ProblemLog,
    conv: Conversion | None = None,
) -> Any:
    # "无"/"×" mean "no" in a yes/no column; elsewhere "—", "/", "无" mean no value.
    if is_blank(value) if fld.dtype == "bool" else is_missing(value):
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
    elif _numeric(fld):
        value = _in_field_unit(index, fld, value, conv, log)
        if value is _UNIT_ERROR:
            return None
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


def _total_warnings(mapping: FieldMapping, log: ProblemLog) -> None:
    """A warning per 合计/小计 row and column whose number is not the sum of the rows."""
    by_column = {col: name for name, col in mapping.columns.items() if col is not None}
    for check in log.raw.total_checks:
        if check.agrees:
            continue
        where = text("xfer_where_row", n=check.row)
        zh, en = text(
            "xfer_office_total_mismatch",
            label=check.label,
            column=check.column,
            total=total_text(check.total),
            sum=total_text(check.computed),
        )
        log.items.append(
            RowProblem(
                check.row,
                by_column.get(check.column),
                "warning",
                "total_mismatch",
                f"{where[0]}:{zh}",
                f"{where[1]}: {en}",
                check.total,
            )
        )


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
