"""导入规划和产业链: the village plans (一村一业) and the industry chains from Excel, on the
数据编辑 page's import tab (:func:`township_atlas.ui.edit_import.import_tab`).

A planner downloads the template (pre-filled with the current data), uploads the filled
one, sees per village (or per chain) what changes and the problems by sheet and row, and
accepts. The upload is parsed only in the worker (:mod:`township_atlas.transfer.worker_jobs`);
nothing is written until the planner accepts, and then through the one save path
(:func:`township_atlas.ui.edit_common.try_save`). Text from the upload is shown in tables
or escaped, never as markup.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Bundle
from township_atlas.text.labels import tr
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.plan_tables import (
    XLSX_MIME,
    ChainsPlan,
    PlanProblem,
    PlansPlan,
    chains_template_xlsx,
    plans_template_xlsx,
)
from township_atlas.transfer.worker_jobs import plan_chains_isolated, plan_plans_isolated
from township_atlas.ui.auth import export_button
from township_atlas.ui.data import current_store
from township_atlas.ui.edit_common import ProgressBar, flash, try_save
from township_atlas.ui.text import md_escape

RESULT = "import_tables_result"  # (kind, upload digest, id(bundle)) -> worker result


def _refused(exc: AtlasError, lang: str) -> None:
    st.error(md_escape(exc.message(lang)), icon=":material/block:")
    st.caption(tr("xfer_ui_nothing_written", lang))


def _worker_result(
    kind: str, upload: Any, bundle: Bundle, lang: str, run: Callable[..., Any]
) -> Any:
    """The worker's plan of this upload against this load of the data (kept for reruns);
    an error is returned, not raised."""
    data = upload.getvalue()
    key = (kind, hashlib.sha256(data).hexdigest()[:16], id(bundle))
    kept = st.session_state.get(RESULT)
    if isinstance(kept, tuple) and kept[0] == key:
        return kept[1]
    progress = ProgressBar(tr(f"xfer_ui_{kind}_reading", lang))
    try:
        result: Any = run(upload.name, data, bundle, progress=progress)
    except TransferError as exc:
        result = exc
    finally:
        progress.done()
    st.session_state[RESULT] = (key, result)
    return result


def _problems(problems: tuple[PlanProblem, ...], lang: str) -> None:
    if not problems:
        return
    st.markdown(f"**{tr('xfer_ui_problems', lang)}**")
    table = pd.DataFrame(
        {
            tr("xfer_ui_message", lang): [p.message(lang) for p in problems],
            tr("xfer_ui_candidates", lang): ["、".join(p.candidates) for p in problems],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def _done(file_key: str) -> None:
    st.session_state.pop(RESULT, None)
    st.session_state.pop(file_key, None)
    st.rerun()


def plans_import(bundle: Bundle, lang: str) -> None:
    """The village plans: template, upload, preview per village, accept."""
    st.caption(tr("xfer_ui_plans_help", lang))
    export_button(
        tr("xfer_ui_plans_template", lang),
        lambda: plans_template_xlsx(bundle),
        key="import_plans_template",
        file_name="一村一业规划.xlsx",
        mime=XLSX_MIME,
        lang=lang,
    )
    upload = st.file_uploader(
        tr("xfer_ui_plans_file", lang), type=["xlsx"], key="import_plans_file"
    )
    if upload is None:
        return
    plan = _worker_result("plans", upload, bundle, lang, plan_plans_isolated)
    if isinstance(plan, AtlasError):
        _refused(plan, lang)
        return
    _plans_preview(plan, lang)


def _plans_preview(plan: PlansPlan, lang: str) -> None:
    st.subheader(tr("xfer_ui_preview", lang))
    for village in plan.changed:
        st.markdown(
            md_escape(
                tr("xfer_ui_plans_village", lang).format(
                    village=village.name, n=len(village.differences)
                )
            )
        )
        table = pd.DataFrame(
            {
                tr("xfer_ui_item", lang): [d.message(lang) for d in village.differences],
                tr("xfer_ui_before", lang): [d.before for d in village.differences],
                tr("xfer_ui_after", lang): [d.after for d in village.differences],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
    unchanged = [v.name for v in plan.villages if v.plan is not None and not v.changed]
    if unchanged:
        st.caption(
            md_escape(tr("xfer_ui_plans_unchanged", lang).format(villages="、".join(unchanged)))
        )
    if plan.blocked:
        names = "、".join(v.name for v in plan.blocked)
        st.warning(md_escape(tr("xfer_ui_plans_blocked", lang).format(villages=names)))
    _problems(plan.problems, lang)
    change = plan.to_change_set(current_store().read_records("plans"), "")
    if not change.upserts:
        st.info(tr("xfer_ui_plans_nothing", lang))
        return
    label = tr("xfer_ui_plans_accept", lang).format(n=len(change.upserts))
    if st.button(label, type="primary", icon=":material/done_all:", key="import_plans_accept"):
        change.note = tr("xfer_ui_plans_note", lang).format(source=plan.source)
        result = try_save(change, lang, action="import")
        if result is not None:
            flash(tr("xfer_ui_plans_saved", lang).format(n=len(change.upserts), seq=result.seq))
            _done("import_plans_file")


def chains_import(bundle: Bundle, lang: str) -> None:
    """The industry chains: template, upload (the office's own table too), preview per
    chain, accept."""
    st.caption(tr("xfer_ui_chains_help", lang))
    export_button(
        tr("xfer_ui_chains_template", lang),
        lambda: chains_template_xlsx(bundle),
        key="import_chains_template",
        file_name="产业链.xlsx",
        mime=XLSX_MIME,
        lang=lang,
    )
    upload = st.file_uploader(
        tr("xfer_ui_chains_file", lang), type=["xlsx", "csv"], key="import_chains_file"
    )
    if upload is None:
        return
    plan = _worker_result("chains", upload, bundle, lang, plan_chains_isolated)
    if isinstance(plan, AtlasError):
        _refused(plan, lang)
        return
    _chains_preview(plan, lang)


def _chains_preview(plan: ChainsPlan, lang: str) -> None:
    st.subheader(tr("xfer_ui_preview", lang))
    store = current_store()
    records = {layer: store.read_records(layer) for layer in ("chains", "chain_stages")}
    chains, stages = plan.to_change_sets(records, "")
    touched = {u["properties"]["chain_id"] for u in chains.upserts + stages.upserts}
    touched |= {key.split("|")[0] for key in stages.deletes}
    headers = tr("xfer_ui_stage_headers", lang).split("|")
    for chain in plan.chains:
        if chain.chain_id not in touched:
            continue
        key = "xfer_ui_chain_new" if chain.new else "xfer_ui_chain_existing"
        st.markdown(md_escape(tr(key, lang).format(chain=chain.name_zh, id=chain.chain_id)))
        table = pd.DataFrame(
            [(s.seq, s.stage_zh, f"{s.site_written} ({s.site_id})") for s in chain.stages],
            columns=headers,
        )
        st.dataframe(table, hide_index=True, width="stretch")
    if plan.skipped:
        names = "、".join(plan.skipped)
        st.warning(md_escape(tr("xfer_ui_chains_skipped", lang).format(chains=names)))
    _problems(plan.problems, lang)
    if not touched:
        st.info(tr("xfer_ui_chains_nothing", lang))
        return
    label = tr("xfer_ui_chains_accept", lang).format(chains=len(touched))
    if st.button(label, type="primary", icon=":material/done_all:", key="import_chains_accept"):
        note = tr("xfer_ui_chains_note", lang).format(source=plan.source)
        # The chains first: the stages refer to them.
        for change in (chains, stages):
            if not change.upserts and not change.deletes:
                continue
            change.note = note
            if try_save(change, lang, action="import") is None:
                return
        flash(tr("xfer_ui_chains_saved", lang).format(chains=len(touched)))
        _done("import_chains_file")
