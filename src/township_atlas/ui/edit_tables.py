"""表格编辑: attributes, indicators, chains and plans in ``st.data_editor``, checked like the
form and saved row by row against the version each row had when editing began."""

from __future__ import annotations

from typing import Any

import streamlit as st

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME, MILESTONE_STATUSES, Field
from township_atlas.storage import changes
from township_atlas.text.labels import tr
from township_atlas.ui.data import current_store
from township_atlas.ui.edit_common import conflict_panel, flash, try_save
from township_atlas.views.edit_tables import (
    blanks_as_none,
    column_options,
    goals_frame,
    in_scope,
    indicator_keys,
    milestones_frame,
    place_codes,
    report_problems,
    table_changes,
    table_frame,
    validate_plan,
    validate_rows,
    village_names,
)

TABLES = (
    "indicators",
    "sites",
    "party_orgs",
    "villages",
    "chains",
    "chain_stages",
    "indicator_catalogue",
    "plans",
)
SNAP = "edit_table_snapshot"


def _column(bundle: Bundle, layer: str, fld: Field, lang: str):
    label = fld.label(lang) + (" *" if fld.required else "")
    options = column_options(bundle, layer, fld)
    if options is not None:
        return st.column_config.SelectboxColumn(label, options=options, required=fld.required)
    if fld.dtype == "bool":
        return st.column_config.CheckboxColumn(label)
    if fld.dtype in ("int", "float"):
        return st.column_config.NumberColumn(
            label,
            min_value=fld.min,
            max_value=fld.max,
            step=1 if fld.dtype == "int" else None,
            required=fld.required,
        )
    return st.column_config.TextColumn(label, required=fld.required)


def _snapshot(layer: str, scope: str) -> dict[str, Any]:
    """The rows as they were when editing began (re-read after a save or on request)."""
    snap = st.session_state.get(SNAP)
    if snap and snap["layer"] == layer and snap["scope"] == scope:
        return snap
    snap = {
        "layer": layer,
        "scope": scope,
        "records": current_store().read_records(layer),
        "fingerprint": current_store().fingerprint(),
        "nonce": (snap or {}).get("nonce", 0) + 1,
    }
    st.session_state[SNAP] = snap
    return snap


def _reset() -> None:
    st.session_state.pop(SNAP, None)


def tables_tab(bundle: Bundle, lang: str) -> None:
    layer = st.selectbox(
        tr("edit_table", lang),
        TABLES,
        format_func=lambda n: (
            tr("edit_plans", lang) if n == "plans" else LAYERS_BY_NAME[n].label(lang)
        ),
        key="edit_table_choice",
        placeholder=tr("choose_placeholder", lang),
    )
    if conflict_panel(lang, on_resolved=_reset):
        return
    if layer == "plans":
        _plans(bundle, lang)
        return
    spec = LAYERS_BY_NAME[layer]
    scope = "all"
    if layer == "indicators":
        places = ["", *place_codes(bundle)]
        names = village_names(bundle)
        scope = (
            st.selectbox(
                tr("edit_indicator_place", lang),
                places,
                format_func=lambda c: names.get(c, c) if c else tr("edit_all_places", lang),
                key="edit_indicator_place",
                placeholder=tr("choose_placeholder", lang),
            )
            or "all"
        )
    snap = _snapshot(layer, scope)
    records = in_scope(snap["records"], scope)
    if snap["fingerprint"] != current_store().fingerprint():
        st.info(tr("edit_table_changed_meanwhile", lang), icon=":material/sync_problem:")
    frame = table_frame(layer, records)
    config = {f.name: _column(bundle, layer, f, lang) for f in spec.fields}
    edited = st.data_editor(
        frame,
        column_config=config,
        num_rows="fixed" if spec.is_spatial else "dynamic",
        disabled=[spec.id_field] if spec.is_spatial else False,
        hide_index=True,
        width="stretch",
        key=f"edit_table_{layer}_{scope}_{snap['nonce']}",
    )
    st.caption(tr("edit_table_help_spatial" if spec.is_spatial else "edit_table_help", lang))
    note = st.text_input(tr("edit_note", lang), key=f"edit_table_note_{layer}")
    save_col, reload_col = st.columns(2)
    if reload_col.button(tr("edit_reload", lang), icon=":material/refresh:", width="stretch"):
        _reset()
        st.rerun()
    if not save_col.button(
        tr("edit_save_table", lang), type="primary", icon=":material/save:", width="stretch"
    ):
        return
    rows = blanks_as_none(edited)
    problems = [
        f"{tr('edit_row', lang).format(n=n)}:{p.message(lang)}"
        for n, p in validate_rows(layer, rows, records, bundle)
    ]
    if problems:
        st.error(
            tr("edit_fix_fields", lang) + "\n" + "\n".join(f"- {p}" for p in problems[:20]),
            icon=":material/error:",
        )
        return
    upserts, deletes = table_changes(layer, records, rows)
    if not upserts and not deletes:
        st.info(tr("edit_nothing_changed", lang))
        return
    change = changes.ChangeSet(layer, "", upserts=upserts, deletes=deletes, note=note)
    for r in upserts:
        key = changes.record_key(layer, r["properties"])
        change.base[key] = changes.feature_version(snap["records"].get(key))
    for key in deletes:
        change.base[key] = changes.feature_version(snap["records"].get(key))
    result = try_save(change, lang)
    if result is not None:
        flash(tr("edit_table_saved", lang).format(n=len(upserts) + len(deletes), seq=result.seq))
        _reset()
        st.rerun()
    elif st.session_state.get("edit_conflict"):
        st.rerun()


def _plans(bundle: Bundle, lang: str) -> None:
    villages = village_names(bundle)
    if not villages:
        st.info(tr("edit_no_villages", lang))
        return
    code = st.selectbox(
        tr("village", lang),
        list(villages),
        format_func=lambda c: f"{c} · {villages[c]}",
        key="edit_plan_village",
        placeholder=tr("choose_placeholder", lang),
    )
    snap = _snapshot("plans", code)
    stored = snap["records"].get(code)
    plan = dict((stored or {}).get("properties") or {})
    nonce = snap["nonce"]
    catalogue = indicator_keys(bundle)
    problems_known = report_problems(bundle)
    with st.form(f"plan_{code}_{nonce}", enter_to_submit=False):
        c1, c2 = st.columns(2)
        industry_zh = c1.text_input(
            tr("plan_industry_zh", lang), plan.get("leading_industry_zh") or ""
        )
        industry_en = c2.text_input(
            tr("plan_industry_en", lang), plan.get("leading_industry_en") or ""
        )
        summary = st.text_area(tr("plan_summary", lang), plan.get("summary_zh") or "")
        measures = st.text_area(
            tr("plan_measures", lang),
            "\n".join(plan.get("measures_zh") or []),
            help=tr("plan_measures_help", lang),
        )
        st.markdown(f"**{tr('plan_goals', lang)}**")
        goals = st.data_editor(
            goals_frame(plan),
            column_config={
                "year": st.column_config.NumberColumn(
                    tr("year", lang), min_value=2000, max_value=2100, step=1, required=True
                ),
                "indicator": st.column_config.SelectboxColumn(
                    tr("indicator", lang), options=catalogue
                ),
                "text_zh": st.column_config.TextColumn(tr("plan_goal_zh", lang), required=True),
                "text_en": st.column_config.TextColumn(tr("plan_goal_en", lang)),
            },
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            key=f"plan_goals_{code}_{nonce}",
        )
        st.markdown(f"**{tr('plan_milestones', lang)}**")
        milestones = st.data_editor(
            milestones_frame(plan),
            column_config={
                "name_zh": st.column_config.TextColumn(tr("plan_milestone", lang), required=True),
                "due": st.column_config.TextColumn(
                    tr("plan_due", lang), validate=r"^\d{4}-\d{2}-\d{2}$"
                ),
                "status": st.column_config.SelectboxColumn(
                    tr("plan_status", lang), options=list(MILESTONE_STATUSES), required=True
                ),
                "done": st.column_config.TextColumn(
                    tr("plan_done", lang), validate=r"^(\d{4}-\d{2}-\d{2})?$"
                ),
            },
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            key=f"plan_ms_{code}_{nonce}",
        )
        chosen_problems = st.multiselect(
            tr("plan_problems", lang),
            problems_known,
            default=[p for p in plan.get("problems") or [] if p in problems_known],
        )
        note = st.text_input(tr("edit_note", lang))
        submitted = st.form_submit_button(
            tr("edit_save", lang), type="primary", icon=":material/save:"
        )
    if not submitted:
        return

    updated, problems = validate_plan(
        plan,
        leading_industry_zh=industry_zh,
        leading_industry_en=industry_en,
        summary_zh=summary,
        measures_zh=measures,
        goals=goals,
        milestones=milestones,
        problems=chosen_problems,
    )
    if problems:
        st.error(
            tr("edit_fix_fields", lang)
            + "\n"
            + "\n".join(f"- {p.message(lang)}" for p in problems),
            icon=":material/error:",
        )
        return
    change = changes.ChangeSet(
        "plans",
        "",
        upserts=[{"id": code, "properties": updated}],
        base={code: changes.feature_version(stored)},
        note=note,
    )
    result = try_save(change, lang)
    if result is not None:
        flash(tr("edit_plan_saved", lang).format(name=villages[code], seq=result.seq))
        _reset()
        st.rerun()
    elif st.session_state.get("edit_conflict"):
        st.rerun()
