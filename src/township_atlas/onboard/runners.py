"""The set-up command's steps as a table of runners: input flag -> layer -> how to plan and
save.

Each :class:`Runner` names its ``--<flag>`` (and ``--<flag>-crs``), the layer it fills, how
the field mapping is made from the suggested one, and how the plan becomes a change.
:func:`run_step` does the same for every runner: read the file in the sandboxed upload
worker (as the browser does), choose the coordinate system (never guessed: with ``auto``
a system the evidence cannot decide is a :class:`StepRefused` naming the flag to give),
plan against the data saved so far, refuse the step on any row error, and save it as one
undoable change. Everything it finds is handed to ``say`` as a :class:`Said` line, so the
command prints it and a test reads it. Adding a step (industry chains, indicators, plans)
is one more :class:`Runner` in :data:`RUNNERS`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.onboard.township import (
    OnboardError,
    TownshipForm,
    boundary_mapping,
    boundary_names,
    township_change,
)
from township_atlas.storage.changes import ChangeSet, CheckFailedError
from township_atlas.storage.datastore import DataStore
from township_atlas.text.bilingual import Messaged
from township_atlas.text.labels import TEXT
from township_atlas.transfer.crs_choice import CrsChoice, CrsSuggestion
from township_atlas.transfer.indicator_tables import IndicatorPlan
from township_atlas.transfer.mapping import FieldMapping
from township_atlas.transfer.name_match import candidate_id, name_fixes, normalise
from township_atlas.transfer.plan import ImportPlan
from township_atlas.transfer.plan_tables import ChainsPlan, PlansPlan
from township_atlas.transfer.worker_jobs import (
    plan_chains_isolated,
    plan_import_isolated,
    plan_indicators_isolated,
    plan_plans_isolated,
    preview_import,
)
from township_atlas.transfer.worker_results import ImportPreview
from township_atlas.transfer.worker_sandbox import WorkerLimits


def text(key: str, **params: Any) -> tuple[str, str]:
    """The (zh, en) text for ``key`` of :mod:`township_atlas.text.labels.onboard`, filled."""
    zh, en = TEXT[key]
    return zh.format(**params), en.format(**params)


Kind = Literal["head", "info", "note", "warning", "error", "done"]

#: Values of ``--<input>-crs`` besides ``EPSG:n``.
CRS_WORDS: tuple[str, ...] = ("auto", "wgs84", "cgcs2000", "gcj02", "bd09")
#: Reasons of a suggestion that made a choice without deciding between the candidates: the
#: fit with the township's data could not tell them apart, so the file's label was followed.
UNDECIDED_REASONS: frozenset[str] = frozenset({"xfer_crs_follow_label"})
#: Link fields a ``--names`` file may choose ids for, with the headers people write.
NAME_FIELDS: tuple[str, ...] = ("village_code", "parent_id", "site_id", "chain_id")


@dataclass(frozen=True)
class Said(Messaged):
    """One line the command prints: a heading, a note, a finding or what was done."""

    kind: Kind
    message_zh: str
    message_en: str

    @classmethod
    def of(cls, kind: Kind, key: str, **params: Any) -> Said:
        return cls(kind, *text(key, **params))

    @classmethod
    def from_messaged(cls, kind: Kind, item: Messaged) -> Said:
        return cls(kind, item.message_zh, item.message_en)


Say = Callable[[Said], None]


class StepRefused(OnboardError):
    """A step was refused: nothing of it was written; the message says what to do."""


@dataclass
class Context:
    """What every step shares: the store, the form, the choices given on the command line.

    Attributes
    ----------
    store : the data folder being set up
    form : the township's name, code and the report's figures
    user : recorded in the history
    names : the ``--names`` choices, field -> {name as written -> id}
    boundary_feature : which feature of a county boundary file (default: the form's name)
    snap_m : villages: snap gaps and overlaps narrower than this (metres)
    lang : the language of the messages the worker writes
    worker : the upload worker's limits (None: the defaults)
    """

    store: DataStore
    form: TownshipForm
    user: str = "onboard"
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    boundary_feature: str | None = None
    snap_m: float | None = None
    lang: str = "zh"
    worker: WorkerLimits | None = None


@dataclass(frozen=True)
class Runner:
    """One input of the command.

    Attributes
    ----------
    flag : the input's flag without dashes (``--sites FILE``, ``--sites-crs ...``)
    step : the set-up step it does (:data:`township_atlas.onboard.STEPS` key)
    layer : the layer it is planned into
    mapping : (context, preview) -> the field mapping to plan with
    change : (context, plan) -> the change to save
    check : (plan) -> more reasons to refuse the plan, beyond its row errors
    required : the command needs this input
    """

    flag: str
    step: str
    layer: str
    mapping: Callable[[Context, ImportPreview], FieldMapping]
    change: Callable[[Context, ImportPlan], ChangeSet]
    check: Callable[[ImportPlan], list[Said]] = lambda _plan: []
    required: bool = False


def _with_names(ctx: Context, preview: ImportPreview) -> FieldMapping:
    mapping = preview.mapping
    spec = LAYERS_BY_NAME[preview.target]
    chosen = {f: ids for f, ids in ctx.names.items() if f in spec.field_names()}
    if chosen:
        merged = {f: {**mapping.value_maps.get(f, {}), **ids} for f, ids in chosen.items()}
        mapping = replace(mapping, value_maps={**mapping.value_maps, **merged})
    return mapping


def _boundary(ctx: Context, preview: ImportPreview) -> FieldMapping:
    return boundary_mapping(preview.mapping, ctx.form, preview.count)


def _township(ctx: Context, plan: ImportPlan) -> ChangeSet:
    try:
        return township_change(
            plan,
            ctx.form,
            ctx.store.read_records("township"),
            ctx.user,
            feature_name=ctx.boundary_feature,
            note=text("onb_note_township", name=ctx.form.name_zh, file=plan.source)[0],
        )
    except OnboardError as exc:
        if len(plan.features) < 2:
            raise
        names = [n for n in boundary_names(plan) if n]
        zh, en = text("onb_boundary_choose", example=names[0] if names else "NAME")
        raise StepRefused(exc.message_zh + zh, exc.message_en + " " + en) from exc


def _imported(ctx: Context, plan: ImportPlan) -> ChangeSet:
    note = text("onb_note_import", file=plan.source, count=len(plan.features))[0]
    return plan.to_change_set(ctx.user, note)


def duplicate_names(plan: ImportPlan) -> list[Said]:
    """Names used by two or more features of a villages plan (normalised: 杏树坪 and
    杏树坪村 are the same village), each with the source rows using it."""
    rows: dict[str, list[tuple[int, str]]] = {}
    for row, feature in zip(plan.rows, plan.features, strict=True):
        name = str(feature["properties"].get("name_zh") or "")
        rows.setdefault(normalise(name).key, []).append((row, name))
    out = []
    for used in rows.values():
        if len(used) > 1:
            shown = "、".join(str(r) for r, _ in used)
            names = "、".join(dict.fromkeys(n for _, n in used))
            out.append(Said.of("error", "onb_duplicate_village", name=names, rows=shown))
    return out


def _villages_check(plan: ImportPlan) -> list[Said]:
    return duplicate_names(plan)


RUNNERS: tuple[Runner, ...] = (
    Runner("boundary", "township", "township", _boundary, _township, required=True),
    Runner("villages", "villages", "villages", _with_names, _imported, _villages_check, True),
    Runner("sites", "sites", "sites", _with_names, _imported),
    Runner("orgs", "party_orgs", "party_orgs", _with_names, _imported),
)


@dataclass(frozen=True)
class TableRunner:
    """One input of the command that is a table, not a map layer (no coordinate system):
    industry chains, indicators, village plans.

    Attributes
    ----------
    flag : the input's flag without dashes (``--indicators FILE``)
    step : the set-up step it does
    plan : (context, file name, bytes, bundle) -> the plan, made in the upload worker
    changes : (context, plan) -> the changes to save, in order
    problems : (plan) -> its problems (each with a zh/en message) and whether each is an error
    count : (plan) -> how many items the file gives, for the report
    """

    flag: str
    step: str
    plan: Callable[[Context, str, bytes, Bundle], Any]
    changes: Callable[[Context, Any], list[ChangeSet]]
    problems: Callable[[Any], list[tuple[Messaged, bool]]]
    count: Callable[[Any], int]
    required: bool = False


def _chains_plan(ctx: Context, name: str, data: bytes, bundle: Bundle) -> ChainsPlan:
    return plan_chains_isolated(name, data, bundle, worker=ctx.worker)


def _chains_changes(ctx: Context, plan: ChainsPlan) -> list[ChangeSet]:
    records = {layer: ctx.store.read_records(layer) for layer in ("chains", "chain_stages")}
    return [c for c in plan.to_change_sets(records, ctx.user) if c.upserts or c.deletes]


def _indicators_plan(ctx: Context, name: str, data: bytes, bundle: Bundle) -> IndicatorPlan:
    names = ctx.names.get("village_code") or None
    return plan_indicators_isolated(
        name, data, bundle, names=names, lang=ctx.lang, worker=ctx.worker
    )


def _indicators_changes(ctx: Context, plan: IndicatorPlan) -> list[ChangeSet]:
    return plan.to_change_sets(ctx.store.load().bundle, ctx.user)


def _plans_plan(ctx: Context, name: str, data: bytes, bundle: Bundle) -> PlansPlan:
    return plan_plans_isolated(name, data, bundle, worker=ctx.worker)


def _plans_changes(ctx: Context, plan: PlansPlan) -> list[ChangeSet]:
    change = plan.to_change_set(ctx.store.read_records("plans"), ctx.user)
    return [change] if change.upserts or change.deletes else []


TABLE_RUNNERS: tuple[TableRunner, ...] = (
    TableRunner(
        "chains",
        "chains",
        _chains_plan,
        _chains_changes,
        lambda plan: [(p, True) for p in plan.problems],
        lambda plan: len(plan.chains),
    ),
    TableRunner(
        "indicators",
        "indicators",
        _indicators_plan,
        _indicators_changes,
        lambda plan: [
            *((p, p.severity == "error") for p in plan.problems),
            *((n, False) for n in plan.notes),
        ],
        lambda plan: len(plan.rows),
    ),
    TableRunner(
        "plans",
        "plans",
        _plans_plan,
        _plans_changes,
        lambda plan: [(p, True) for p in plan.problems],
        lambda plan: len(plan.villages),
    ),
)


def run_table_step(runner: TableRunner, ctx: Context, path: Path, say: Say) -> Any:
    """Plan the table ``path`` in the upload worker against the data saved so far and save
    its changes; any problem that is an error refuses the whole step (nothing written).

    Raises
    ------
    StepRefused : a row has an error, or the saved data would break a rule
    AtlasError : the file cannot be read (the reader's message)
    """
    data = path.read_bytes()
    plan = runner.plan(ctx, path.name, data, ctx.store.load().bundle)
    say(Said.of("info", "onb_table_read", name=path.name, count=runner.count(plan)))
    errors = 0
    for item, is_error in runner.problems(plan):
        errors += is_error
        say(Said.from_messaged("error" if is_error else "note", item))
    if errors:
        raise StepRefused(*text("onb_step_rows", errors=errors))
    changes = runner.changes(ctx, plan)
    if not changes:
        raise StepRefused(*text("onb_table_nothing", name=path.name))
    for change in changes:
        save_step(ctx, change, say)
    return plan


def save_step(ctx: Context, change: ChangeSet, say: Say) -> None:
    """Save one change of a step and say so; a check it would break refuses the step,
    each finding said.

    Raises
    ------
    StepRefused : the saved data would break a rule (nothing of this change is written)
    """
    try:
        result = ctx.store.save(change)
    except CheckFailedError as exc:
        for finding in exc.findings:
            say(Said.from_messaged("error", finding))
        raise StepRefused(*text("onb_step_checks", count=len(exc.findings))) from exc
    count = len(change.upserts) + len(change.deletes)
    say(Said.of("done", "onb_saved", count=count, seq=result.seq, layer=change.layer))


def crs_from_flag(value: str) -> CrsChoice | None:
    """The choice a ``--<input>-crs`` value names; None for ``auto``.

    Raises
    ------
    ValueError : not one of auto, wgs84, cgcs2000, gcj02, bd09, EPSG:n
    """
    word = value.strip().lower()
    if word == "auto":
        return None
    if word in CRS_WORDS:
        return CrsChoice(word)  # type: ignore[arg-type]
    if word.startswith("epsg:") and word[5:].isdigit():
        return CrsChoice("epsg", epsg=int(word[5:]))
    raise ValueError(value)


def flag_value(choice: CrsChoice) -> str | None:
    """The ``--<input>-crs`` value that gives ``choice`` (None: no flag value does)."""
    if choice.kind in CRS_WORDS:
        return choice.kind
    if choice.epsg is not None and choice.kind in ("epsg", "gauss_kruger"):
        return f"EPSG:{choice.epsg}"
    return None


def undecided(suggestion: CrsSuggestion) -> bool:
    """True when the suggestion did not decide between the candidates (see
    :data:`UNDECIDED_REASONS`): the command then asks instead of following it."""
    return suggestion.choice is None or suggestion.reason.key in UNDECIDED_REASONS


def crs_options(suggestion: CrsSuggestion) -> list[str]:
    """The flag values of the suggestion's options, most likely first, each once."""
    return list(dict.fromkeys(v for c in suggestion.options if (v := flag_value(c)) is not None))


def _choose_crs(runner: Runner, given: CrsChoice | None, preview: ImportPreview) -> CrsChoice:
    suggestion = preview.suggestion
    if given is not None:
        guessed = suggestion.choice
        lonlat = given.kind in ("wgs84", "cgcs2000", "gcj02", "bd09")
        if lonlat and guessed is not None and guessed.swap_axes:
            given = replace(given, swap_axes=True)
        return given
    if undecided(suggestion) or suggestion.choice is None:
        options = crs_options(suggestion)
        flags = "、".join(f"--{runner.flag}-crs {o}" for o in options)
        flags_en = ", ".join(f"--{runner.flag}-crs {o}" for o in options)
        zh, en = text(
            "onb_crs_ask",
            flag=runner.flag,
            name=preview.name,
            reason_zh=suggestion.reason.message_zh,
            reason_en=suggestion.reason.message_en,
            flags=flags,
            flags_en=flags_en,
            example=f"--{runner.flag}-crs {options[0] if options else 'wgs84'}",
        )
        raise StepRefused(zh, en)
    return suggestion.choice


def read_names(path: Path) -> dict[str, dict[str, str]]:
    """The ``--names`` file: a CSV (UTF-8 or GBK) with the columns 字段/field,
    名称/name and 编号/id, one name as written per line with the id it means. The field
    is our field name or its label (所在村, 上级组织, 依托点位, 依托产业链); the id may be
    written as the candidate was listed ("河湾村(V02)").

    Raises
    ------
    OnboardError : unreadable, a column missing, an unknown field or an empty name or id
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OnboardError(*text("onb_names_unreadable", path=path, reason=exc.strerror)) from exc
    for codec in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise OnboardError(*text("onb_names_unreadable", path=path, reason="UTF-8/GBK"))
    rows = list(csv.reader(io.StringIO(content)))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    where = {}
    for key, heads in (
        ("field", ("字段", "field")),
        ("name", ("名称", "name")),
        ("id", ("编号", "id")),
    ):
        found = [i for i, h in enumerate(header) if h in heads]
        if not found:
            raise OnboardError(*text("onb_names_columns", path=path))
        where[key] = found[0]
    fields = _name_field_words()
    out: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in where.items()}
        fld = fields.get(cells["field"].lower())
        if fld is None or not cells["name"] or not cells["id"]:
            known = "、".join(sorted({f for f in fields if not f.isascii()}))
            raise OnboardError(
                *text("onb_names_row", path=path, row=number, field=cells["field"], known=known)
            )
        out.setdefault(fld, {})[cells["name"]] = candidate_id(cells["id"])
    return out


def _name_field_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for spec_name in ("sites", "party_orgs"):
        for fld in LAYERS_BY_NAME[spec_name].fields:
            if fld.name in NAME_FIELDS:
                for word in (fld.name, fld.label_zh, fld.label_en):
                    words[word.lower()] = fld.name
    return words


def _plan_lines(plan: ImportPlan, runner: Runner) -> Iterable[Said]:
    for problem in plan.problems:
        yield Said.from_messaged(
            problem.severity if problem.severity != "info" else "info", problem
        )
    for note in plan.notes:
        yield Said.from_messaged("note", note)
    if plan.tiling:  # each piece is in the plan's notes above, with its area and place
        wide = [p for p in plan.tiling if not p.narrow]
        area = sum(p.area_m2 for p in plan.tiling)
        yield Said.of("warning", "onb_tiling_hint", count=len(plan.tiling), wide=len(wide),
                      area_m2=f"{area:,.0f}")  # fmt: skip
    for fix in name_fixes(plan.problems):
        first = fix.candidates[0] if fix.candidates else "ID"
        label = LAYERS_BY_NAME[plan.layer].get_field(fix.field).label_zh
        yield Said.of(
            "error",
            "onb_name_fix_ambiguous" if fix.ambiguous else "onb_name_fix_unknown",
            value=fix.value,
            rows="、".join(map(str, fix.rows)),
            choices="、".join(fix.candidates) or "-",
            line=f"{label},{fix.value},{candidate_id(first)}",
            line_en=f"{fix.field},{fix.value},{candidate_id(first)}",
            flag=runner.flag,
        )


def run_step(
    runner: Runner, ctx: Context, path: Path, given: CrsChoice | None, say: Say
) -> ImportPlan:
    """Plan ``path`` into the runner's layer against the data saved so far and save it.

    Every finding goes to ``say``. Nothing of the step is written unless it is saved whole.

    Raises
    ------
    StepRefused : the coordinate system or a name must be chosen, a row has an error, or
        the saved data would break a rule (the message says what to do)
    AtlasError : the file cannot be read (the reader's message)
    """
    said: set[tuple[str, str]] = set()
    outer = say

    def say(line: Said) -> None:  # each message once (the reader's notes recur in the plan)
        if (line.kind, line.message_zh) not in said:
            said.add((line.kind, line.message_zh))
            outer(line)

    data = path.read_bytes()
    bundle = ctx.store.load().bundle
    preview = preview_import(
        path.name,
        data,
        runner.layer,
        bundle,
        crs=given,
        plan=False,
        worker=ctx.worker,
        lang=ctx.lang,
    )
    say(Said.of("info", "onb_read", name=preview.name, format=preview.format, count=preview.count))
    if len(preview.layers) > 1:
        chosen = next(sl.name for sl in preview.layers if sl.key == preview.source)
        others = "、".join(sl.name for sl in preview.layers if sl.key != preview.source)
        say(Said.of("note", "onb_layer_chosen", name=path.name, chosen=chosen, others=others))
    if preview.encoding is not None:
        say(Said.from_messaged("note", preview.encoding.reason))
    for note in [*preview.upload_notes, *preview.notes]:
        say(Said.from_messaged("note", note))
    suggestion = preview.suggestion
    say(Said.of("note", "onb_crs_reason", reason_zh=suggestion.reason.message_zh,
                reason_en=suggestion.reason.message_en))  # fmt: skip
    crs = _choose_crs(runner, given, preview)
    say(Said.of("info", "onb_crs_used", crs_zh=crs.label("zh"), crs_en=crs.label("en")))
    mapping = runner.mapping(ctx, preview)
    plan = plan_import_isolated(
        path.name,
        data,
        runner.layer,
        bundle,
        source_layer=preview.source,
        crs=crs,
        mapping=mapping,
        snap_tolerance_m=ctx.snap_m if runner.layer == "villages" else None,
        worker=ctx.worker,
        lang=ctx.lang,
    )
    lines = list(_plan_lines(plan, runner))
    refusals = runner.check(plan)
    for line in [*lines, *refusals]:
        say(line)
    if plan.errors or refusals:
        raise StepRefused(*text("onb_step_rows", errors=len(plan.errors) + len(refusals)))
    if not plan.features:
        raise StepRefused(*text("onb_step_empty", name=preview.name))
    if runner.layer == "township" and len(plan.features) > 1:
        names = "、".join(n for n in boundary_names(plan) if n)
        say(Said.of("note", "onb_boundary_several", count=len(plan.features), names=names))
    try:
        change = runner.change(ctx, plan)
    except OnboardError as exc:
        raise StepRefused(exc.message_zh, exc.message_en) from exc
    save_step(ctx, change, say)
    return plan


__all__ = [
    "CRS_WORDS",
    "RUNNERS",
    "TABLE_RUNNERS",
    "Context",
    "Runner",
    "Said",
    "StepRefused",
    "TableRunner",
    "crs_from_flag",
    "crs_options",
    "duplicate_names",
    "flag_value",
    "read_names",
    "run_step",
    "run_table_step",
    "undecided",
]
