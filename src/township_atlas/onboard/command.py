"""The set-up command: a new township's data folder from its offices' files.

    python -m township_atlas.onboard OUT_DIR --name NAME --code CODE \\
        --reported area_km2=42.5 --reported villages=7 --reported branches=10 \\
        --reported members=353 --reported rural_branches=7 --reported rural_members=301 \\
        --boundary FILE --villages FILE [--sites FILE] [--orgs FILE] \\
        [--<input>-crs auto|wgs84|cgcs2000|gcj02|bd09|EPSG:n] [--boundary-feature NAME] \\
        [--names CSV] [--snap-m M] [--lang zh|en] [--user NAME] [--resume]

The folder is made with :func:`~township_atlas.onboard.start_township`; then each input
runs as one step (:mod:`.runners`), in the order of :data:`.runners.RUNNERS`, each saved as
one undoable change. A refused step writes nothing; the steps before it stay, and
``--resume`` continues the folder later, skipping the steps already done. Exit status: 0
all done with no error finding left, 1 a step refused or errors left, 2 bad arguments or
a folder that is not empty (nothing written).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from township_atlas.errors import AtlasError, DataFolderError
from township_atlas.onboard.folder import START_NOTE, start_township
from township_atlas.onboard.runners import (
    RUNNERS,
    TABLE_RUNNERS,
    Context,
    Runner,
    Said,
    Say,
    TableRunner,
    crs_from_flag,
    read_names,
    run_step,
    run_table_step,
)
from township_atlas.onboard.steps import STEPS, STEPS_BY_KEY, step_states
from township_atlas.onboard.township import REPORTED_FIGURES, OnboardError, TownshipForm
from township_atlas.storage.files.store import Store
from township_atlas.text.labels import tr
from township_atlas.transfer.crs_choice import CrsChoice
from township_atlas.transfer.indicator_template import indicator_template_xlsx, template_year
from township_atlas.transfer.plan_tables import plans_template_xlsx
from township_atlas.transfer.worker_sandbox import WorkerLimits

PROG = "python -m township_atlas.onboard"
_MARKS = {
    "head": "",
    "info": "  ",
    "note": "  · ",
    "warning": "  ! ",
    "error": "  ✗ ",
    "done": "  ✓ ",
}
_KEYS = tuple(key for _f, key, _zh, _en, _int in REPORTED_FIGURES)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help lines wrapped at spaces only, so an example flag (--sites-crs) or a value
    (cgcs2000) inside Chinese text stays whole."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        words = " ".join(text.split())
        return textwrap.wrap(words, width, break_on_hyphens=False, break_long_words=False)


class BadArguments(OnboardError):
    """The command line cannot be used as given (exit status 2; nothing is written)."""


def _language(argv: Sequence[str]) -> str:
    """The ``--lang`` given, looked at before parsing so ``--help`` speaks it too."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1] if args[i + 1] in ("zh", "en") else "zh"
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1] if arg.endswith(("zh", "en")) else "zh"
    return "zh"


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The command's arguments, with help (and examples) in ``lang``."""

    def h(key: str, **params: str) -> str:
        return tr(key, lang).format(**params).replace("%", "%%")

    parser = argparse.ArgumentParser(
        prog=PROG,
        description=h("onb_cmd_description"),
        epilog=tr("onb_cmd_epilog", lang),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help=h("onb_help_out"))
    parser.add_argument("--name", required=True, help=h("onb_help_name"))
    parser.add_argument("--code", required=True, help=h("onb_help_code"))
    parser.add_argument(
        "--reported",
        action="append",
        default=[],
        metavar="KEY=NUMBER",
        help=h("onb_help_reported", keys=", ".join(_KEYS)),
    )
    for runner in RUNNERS:
        parser.add_argument(
            f"--{runner.flag}",
            type=Path,
            required=runner.required,
            metavar="FILE",
            help=h(f"onb_help_{runner.flag}"),
        )
        parser.add_argument(
            f"--{runner.flag}-crs",
            default="auto",
            metavar="CRS",
            help=h("onb_help_crs", flag=runner.flag),
        )
    for table in TABLE_RUNNERS:
        parser.add_argument(
            f"--{table.flag}", type=Path, metavar="FILE", help=h(f"onb_help_{table.flag}")
        )
    parser.add_argument(
        "--plans-template", type=Path, metavar="FILE", help=h("onb_help_plans_template")
    )
    parser.add_argument(
        "--indicators-template", type=Path, metavar="FILE", help=h("onb_help_ind_template")
    )
    parser.add_argument("--boundary-feature", metavar="NAME", help=h("onb_help_feature"))
    parser.add_argument("--names", type=Path, metavar="CSV", help=h("onb_help_names"))
    parser.add_argument("--snap-m", type=float, metavar="M", help=h("onb_help_snap"))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=h("onb_help_lang"))
    parser.add_argument("--user", default="onboard", help=h("onb_help_user"))
    parser.add_argument("--resume", action="store_true", help=h("onb_help_resume"))
    return parser


def _bad(key: str, **params: object) -> BadArguments:
    return BadArguments(*(t.format(**params) for t in _pair(key)))


def _pair(key: str) -> tuple[str, str]:
    return tr(key, "zh"), tr(key, "en")


def _form(args: argparse.Namespace) -> TownshipForm:
    fields = {key: fname for fname, key, _zh, _en, _int in REPORTED_FIGURES}
    reported: dict[str, float] = {}
    keys = ", ".join(_KEYS)
    for item in args.reported:
        key, sep, value = item.partition("=")
        fname = fields.get(key.strip())
        if not sep or fname is None or fname in reported:
            raise _bad("onb_bad_reported", keys=keys, value=item)
        try:
            reported[fname] = float(value)
        except ValueError as exc:
            raise _bad("onb_bad_reported", keys=keys, value=item) from exc
    form = TownshipForm(args.name, args.code, reported)
    problems = form.problems()
    if problems:
        hint = (
            _bad("onb_bad_reported", keys=keys, value="…") if len(reported) < len(_KEYS) else None
        )
        zh = "".join(z for z, _ in problems) + (hint.message_zh if hint else "")
        en = " ".join(e for _, e in problems) + (" " + hint.message_en if hint else "")
        raise BadArguments(zh, en)
    return form


def _inputs(args: argparse.Namespace) -> dict[str, tuple[Path | None, CrsChoice | None]]:
    out = {}
    for runner in RUNNERS:
        path = getattr(args, runner.flag)
        value = getattr(args, f"{runner.flag}_crs")
        try:
            choice = crs_from_flag(value)
        except ValueError as exc:
            raise _bad("onb_bad_crs", flag=runner.flag, value=value) from exc
        if path is not None and not path.is_file():
            raise _bad("onb_no_file", flag=runner.flag, path=path)
        out[runner.flag] = (path, choice)
    for table in TABLE_RUNNERS:
        path = getattr(args, table.flag)
        if path is not None and not path.is_file():
            raise _bad("onb_no_file", flag=table.flag, path=path)
        out[table.flag] = (path, None)
    if args.snap_m is not None and not args.snap_m > 0:
        raise _bad("onb_bad_snap")
    return out


def _open_folder(args: argparse.Namespace, form: TownshipForm, say: Say) -> Store:
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise _bad("onb_folder_not_empty", path=out)
    if args.resume and out.is_dir() and any(out.iterdir()):
        store = Store(out)
        entries = _entries(store)
        if not entries or entries[0].note != START_NOTE:
            raise _bad("onb_resume_not_setup", path=out)
        township = store.read_records("township")
        for record in township.values():
            props = record["properties"]
            if props.get("code") != form.code.strip():
                raise _bad("onb_resume_other", path=out, name=props["name_zh"], code=props["code"])
        return store
    if out.is_dir() and any(out.iterdir()):
        raise _bad("onb_folder_not_empty", path=out)
    store = start_township(out, args.user)
    say(Said.of("done", "onb_started", path=out))
    return store


def _entries(store: Store) -> list:
    try:
        return store.entries()
    except AtlasError:
        return []


def _printer(lang: str, stream: TextIO) -> Say:
    def say(line: Said) -> None:
        mark = _MARKS[line.kind]
        text = line.message(lang).replace("\n", "\n" + " " * len(mark))
        print(("\n" if line.kind == "head" else "") + mark + text, file=stream, flush=True)

    return say


def run(args: argparse.Namespace, say: Say, *, worker: WorkerLimits | None = None) -> int:
    """Run the command on parsed ``args``, printing through ``say``; the exit status.

    Raises
    ------
    BadArguments : before anything is written (exit status 2)
    """
    form = _form(args)
    names = read_names(args.names) if args.names is not None else {}
    inputs = _inputs(args)
    store = _open_folder(args, form, say)
    ctx = Context(
        store,
        form,
        user=args.user,
        names=names,
        boundary_feature=args.boundary_feature,
        snap_m=args.snap_m,
        lang=args.lang,
        worker=worker,
    )
    refused = False
    for n, runner in enumerate(_in_step_order(), 1):
        step = STEPS_BY_KEY[runner.step]
        label = step.label(args.lang)
        path, crs = inputs[runner.flag]
        result = store.load()
        state = next(s for s in step_states(result.bundle, result.findings) if s.step is step)
        if state.done:
            say(Said.of("head", "onb_step_skipped", n=n, label=label, count=state.count))
            continue
        if path is None:
            say(Said.of("head", "onb_step_not_given", n=n, label=label))
            continue
        say(Said.of("head", "onb_step_head", n=n, label=label, file=path))
        try:
            if isinstance(runner, TableRunner):
                run_table_step(runner, ctx, path, say)
            else:
                run_step(runner, ctx, path, crs, say)
        except AtlasError as exc:
            say(Said.of("error", "onb_refused", n=n, label=label, message=exc.message(args.lang)))
            say(Said.of("note", "onb_kept", path=args.out))
            refused = True
            break
    result = store.load()
    _templates(args, result.bundle, say)
    say(Said.of("head", "onb_final_head"))
    for finding in result.findings:
        kind = "error" if finding.severity == "error" else "warning"
        say(Said.from_messaged(kind if finding.severity != "info" else "note", finding))
    for state in step_states(result.bundle, result.findings):
        mark = "✓" if state.done else ("·" if state.step.optional else "✗")
        label = state.step.label(args.lang)
        say(Said.of("info", "onb_steps_state", mark=mark, label=label, count=state.count))
    if result.errors:
        say(Said.of("error", "onb_final_errors", count=len(result.errors)))
    elif not refused:
        say(Said.of("done", "onb_final_ok", path=args.out))
    return 1 if refused or result.errors else 0


def _templates(args: argparse.Namespace, bundle: Any, say: Say) -> None:
    """Write the Excel templates asked for, made from the villages saved so far: the plans
    workbook (one sheet per village) and the indicator sheet for the coming year."""
    made = []
    if args.plans_template is not None:
        made.append((args.plans_template, plans_template_xlsx(bundle)))
    if args.indicators_template is not None:
        year = template_year(bundle)
        made.append((args.indicators_template, indicator_template_xlsx(bundle, year)))
    for path, data in made:
        path.write_bytes(data)
        say(Said.of("done", "onb_template_written", path=path))


def _in_step_order() -> list[Runner | TableRunner]:
    """Every input, in the order of the set-up steps (a chain's stages name sites; an
    organisation names its chain; indicators and plans name villages)."""
    order = [step.key for step in STEPS]
    return sorted([*RUNNERS, *TABLE_RUNNERS], key=lambda r: order.index(r.step))


def main(argv: Sequence[str] | None = None, *, worker: WorkerLimits | None = None) -> int:
    """Run the command; returns the exit status (0 done with no error left, 1 a step
    refused or errors left, 2 bad arguments or a folder that is not empty)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _language(argv)
    try:
        args = build_parser(lang).parse_args(argv)
    except SystemExit as exc:  # --help (0) or argparse's own usage error (2)
        return int(exc.code or 0)
    say = _printer(args.lang, sys.stdout)
    try:
        return run(args, say, worker=worker)
    except (OnboardError, DataFolderError) as exc:  # bad arguments: nothing was written
        print(exc.message(args.lang), file=sys.stderr)
        return 2


__all__ = ["PROG", "BadArguments", "build_parser", "main", "run"]
