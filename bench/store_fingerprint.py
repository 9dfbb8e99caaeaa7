"""A fingerprint of everything the store writes and answers, to prove a refactor kept it.

Loads the shipped sample (``geodata/``) and a generated county through the store, on a
temporary copy, applies a fixed sequence of saves (a site renamed, a plan edited, a site
added and one deleted, an indicator row changed, the township renamed), a refused
conflict, a change the checks refuse, an undo and a restore, and prints one hash per
output: the records of every editable layer, the findings, the history (entries without
their times), the data files written (for PostGIS: the folder ``copy-out`` writes) and
the results of each step. Run it before and after a change and compare the output::

    PYTHONPATH=$PWD/src .venv/bin/python bench/store_fingerprint.py --backend files
    PYTHONPATH=$PWD/src .venv/bin/python bench/store_fingerprint.py --backend postgis

PostGIS uses a throwaway server (``tests/pg_server.py``). The script runs against the
storage package; ``--legacy`` makes it import the modules by their names before the
``storage`` package existed (commit 3369cf7), to fingerprint that code.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from shapely.affinity import translate  # noqa: E402
from shapely.geometry import mapping, shape  # noqa: E402

from township_atlas import sample  # noqa: E402


class Api:
    """The store's names, from the storage package or (``legacy``) the old modules."""

    def __init__(self, legacy: bool) -> None:
        if legacy:
            from township_atlas import edits, store  # type: ignore[attr-defined]

            self.files_store = store.Store
            self.changes = edits
        else:
            from township_atlas.storage import changes
            from township_atlas.storage.files.store import Store

            self.files_store = Store
            self.changes = changes
        self.legacy = legacy

    def postgis(self):
        if self.legacy:
            from township_atlas.pg import copying, tables  # type: ignore[import-not-found]
            from township_atlas.pg.store import PgStore  # type: ignore[import-not-found]
        else:
            from township_atlas.storage.postgis import copying, tables
            from township_atlas.storage.postgis.store import PgStore
        return copying, tables, PgStore


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def findings_of(result) -> list:
    return [
        (f.severity, f.check, f.layer, f.feature, f.message_en, f.message_zh)
        for f in result.findings
    ]


def folder_files(folder: Path) -> dict[str, str]:
    """Hash of every data file of a folder (history files: their JSON minus the time)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".atlas") or path.suffix == ".tmp":
            continue
        rel = str(path.relative_to(folder))
        if rel.startswith(".history/"):
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc.pop("time", None)
            out[rel] = digest(doc)
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out


def run_steps(api: Api, store, editable: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The fixed sequence of saves on ``store``; (step name, hash of its outcome)."""
    c = api.changes
    out: list[tuple[str, Any]] = []

    def state(name: str) -> None:
        records = {layer: store.read_records(layer) for layer in editable}
        out.append((f"{name}:records", digest(records)))
        entries = [(e.seq, e.user, e.layer, e.note, e.changes) for e in store.entries()]
        out.append((f"{name}:history", digest(entries)))

    def attempt(name: str, make: Callable[[], Any], **kwargs) -> Any:
        try:
            result = store.save(make(), **kwargs)
            out.append((name, digest(["saved", result.seq, result.versions])))
            return result
        except c.ConflictError as exc:
            out.append(
                (
                    name,
                    digest(["conflict", [(x.feature_id, x.theirs, x.mine) for x in exc.conflicts]]),
                )
            )
        except c.CheckFailedError as exc:
            out.append(
                (
                    name,
                    digest(["check", [(f.check, f.feature, f.message_en) for f in exc.findings]]),
                )
            )
        return None

    first = store.load()
    out.append(("load:findings", digest(findings_of(first))))
    state("start")

    sites = store.read_records("sites")
    ids = list(sites)
    s0, s1, s2 = ids[0], ids[1], ids[2]
    v0 = c.feature_version(sites[s0])

    def rename_site():
        feat = copy.deepcopy(sites[s0])
        feat["properties"]["name_zh"] = "指纹测试基地"
        return c.ChangeSet("sites", "alice", upserts=[feat], base={s0: v0}, note="rename")

    attempt("save:rename_site", rename_site, loader=lambda: first)

    plans = store.read_records("plans")
    p0 = next(iter(plans))

    def edit_plan():
        plan = copy.deepcopy(plans[p0])
        plan["properties"]["summary_zh"] = "指纹测试规划"
        return c.ChangeSet("plans", "bob", upserts=[plan], base={p0: c.feature_version(plans[p0])})

    attempt("save:edit_plan", edit_plan)

    now = store.read_records("sites")

    def add_and_delete():
        new = copy.deepcopy(now[s1])
        new["properties"]["site_id"] = "S9999"
        new["properties"]["name_zh"] = "新增基地"
        # Moved by an amount finer than the 7 decimals kept: the save rounds it.
        moved = translate(shape(new["geometry"]), 0.000123456789, 0.000098765432)
        new["geometry"] = json.loads(json.dumps(mapping(moved)))
        return c.ChangeSet(
            "sites",
            "carol",
            upserts=[new],
            deletes=[s2],
            base={"S9999": None, s2: c.feature_version(now[s2])},
        )

    attempt("save:add_delete", add_and_delete)

    rows = store.read_records("indicators")
    r0 = next(iter(rows))

    def edit_row():
        row = copy.deepcopy(rows[r0])
        row["properties"]["value"] = 123.4
        return c.ChangeSet(
            "indicators", "dan", upserts=[row], base={r0: c.feature_version(rows[r0])}
        )

    attempt("save:edit_indicator", edit_row)

    town = store.read_records("township")
    t0 = next(iter(town))

    def rename_town():
        feat = copy.deepcopy(town[t0])
        feat["properties"]["name_zh"] = feat["properties"]["name_zh"] + "镇"
        return c.ChangeSet(
            "township", "erin", upserts=[feat], base={t0: c.feature_version(town[t0])}
        )

    attempt("save:rename_township", rename_town)
    # The stale base of the first rename: a conflict, nothing written.
    attempt("save:conflict", rename_site)

    def break_rule():
        cur = store.read_records("sites")
        feat = copy.deepcopy(cur[s1])
        feat["properties"]["village_code"] = "NO-SUCH-VILLAGE"
        return c.ChangeSet("sites", "frank", upserts=[feat], base={s1: c.feature_version(cur[s1])})

    attempt("save:breaks_rule", break_rule)
    attempt("save:undo_1", lambda: store.undo_change(1, "gina"))
    out.append(("layer_at:sites@2", digest(store.layer_at("sites", 2))))
    attempt("save:restore_sites_to_0", lambda: store.restore_change("sites", 0, "hana"))
    attempt("save:undo_again_conflicts", lambda: store.undo_change(3, "ivan"))
    state("end")
    out.append(("load:end:findings", digest(findings_of(store.load()))))
    return out


def fingerprint_files(api: Api, source: Path, work: Path) -> list[tuple[str, Any]]:
    folder = work / "files"
    shutil.copytree(source, folder)
    out = run_steps(api, api.files_store(folder), api.changes.EDITABLE)
    out.extend((f"file:{k}", v) for k, v in folder_files(folder).items())
    return out


def fingerprint_postgis(api: Api, source: Path, work: Path, server) -> list[tuple[str, Any]]:
    copying, tables, PgStore = api.postgis()
    url = server.new_database()
    try:
        engine = tables.engine_for(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        tables.init_db(engine)
        report = copying.copy_in(url, source)
        out = run_steps(api, PgStore(url, report.township), api.changes.EDITABLE)
        out_dir = work / "copied-out"
        copying.copy_out(url, report.township, out_dir)
        out.extend((f"file:{k}", v) for k, v in folder_files(out_dir).items())
        tables.dispose(url)
        return out
    finally:
        server.drop_database(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("files", "postgis"), default="files")
    parser.add_argument("--villages", type=int, default=100, help="villages of the county")
    parser.add_argument("--sites", type=int, default=2000, help="sites of the county")
    parser.add_argument("--legacy", action="store_true", help="the modules before storage/")
    args = parser.parse_args(argv)
    api = Api(args.legacy)
    with tempfile.TemporaryDirectory(prefix="atlas-fp-") as tmp:
        work = Path(tmp)
        county = sample.generate(work / "county-src", n_villages=args.villages, n_sites=args.sites)
        datasets = {"sample": ROOT / "geodata", "county": county}
        results: dict[str, list] = {}
        if args.backend == "files":
            for name, source in datasets.items():
                (work / name).mkdir()
                results[name] = fingerprint_files(api, source, work / name)
        else:
            import pg_server

            with pg_server.running_server() as server:
                server.make_template(ROOT / "geodata", "FP-TEMPLATE")
                for name, source in datasets.items():
                    (work / name).mkdir()
                    results[name] = fingerprint_postgis(api, source, work / name, server)
    for name, rows in results.items():
        for step, value in rows:
            print(f"{args.backend}\t{name}\t{step}\t{value}")
        print(f"{args.backend}\t{name}\tTOTAL\t{digest(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
