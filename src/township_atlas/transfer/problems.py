"""Per-row problems of an import: which row, which field, how bad, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from township_atlas.model.schema import Field
from township_atlas.text.bilingual import Messaged
from township_atlas.transfer.messages import text
from township_atlas.transfer.raw import RawLayer

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class RowProblem(Messaged):
    """One thing about one source row.

    Attributes
    ----------
    row : the row's number in the source as the planner finds it (spreadsheet row for
        CSV/XLSX with the header as row 1; feature position, from 1, otherwise)
    field : our field name, "geometry", or None for the row as a whole
    severity : "error" (the row is left out of the plan), "warning" (imported, but look at
        it) or "info" (something was filled in or converted for you)
    code : a stable name of the kind of problem, e.g. "required", "geometry_invalid"
    message_zh, message_en : the full message, naming the row, what is wrong, what to do
    value : the offending source value, where there is one
    fixable : an invalid geometry that ``repair_invalid=True`` would fix with make_valid
    feature_id : the row's feature id, when known
    candidates : for a name that matched nothing or several things, what it may refer to
        ("杏树坪村党支部(B03)", most similar first), for the planner to choose from
    """

    row: int
    field: str | None
    severity: Severity
    code: str
    message_zh: str
    message_en: str
    value: Any = None
    fixable: bool = False
    feature_id: str | None = None
    candidates: tuple[str, ...] = ()


class ProblemLog:
    """Collects :class:`RowProblem` for the rows of one source layer."""

    def __init__(self, raw: RawLayer) -> None:
        self.raw = raw
        self.items: list[RowProblem] = []
        self.error_rows: set[int] = set()  # 0-based indexes
        self.ids: dict[int, str] = {}
        self.field_errors: set[tuple[int, str]] = set()

    def add(
        self,
        index: int,
        code: str,
        key: str,
        *,
        fld: Field | None = None,
        field_name: str | None = None,
        severity: Severity = "error",
        value: Any = None,
        fixable: bool = False,
        candidates: tuple[str, ...] = (),
        **params: Any,
    ) -> None:
        row = self.raw.row_numbers[index] if index < len(self.raw.row_numbers) else index + 1
        where = text(f"xfer_where_{self.raw.row_kind}", n=row)
        if fld is not None:
            params.setdefault("field", fld.name)
            params.setdefault("label_zh", fld.label_zh)
            params.setdefault("label_en", fld.label_en)
        shown = "" if value is None else str(value)
        params.setdefault("value", shown[:80] + ("…" if len(shown) > 80 else ""))
        zh, en = text(key, **params)
        self.items.append(
            RowProblem(
                row,
                fld.name if fld is not None else field_name,
                severity,
                code,
                f"{where[0]}:{zh}",
                f"{where[1]}: {en}",
                value,
                fixable,
                self.ids.get(index),
                candidates,
            )
        )
        if severity == "error":
            self.error_rows.add(index)
            self.field_errors.add((index, fld.name if fld is not None else str(field_name)))
