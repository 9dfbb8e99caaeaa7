"""导入 → 指标: a township office's statistics sheet (or the template for next year) into
the indicators, previewed figure by figure before anything is written.

Upload → the worker plans it (:func:`township_atlas.transfer.worker_jobs.plan_indicators_isolated`;
the server never parses the upload) → figures with before → after, problems, a choice per
village name that matched several villages or none, a small form per unmatched column to
add it to the catalogue → accept: the catalogue change (if any) and the indicator change,
each saved with :func:`township_atlas.ui.edit_common.try_save`. Text from the file is shown
in tables or escaped, never as markup.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import INDICATOR_AGGREGATES
from township_atlas.text.labels import headers, tr
from township_atlas.transfer.errors import TransferError
from township_atlas.transfer.indicator_preview import FIGURE_HEADERS, figures_table
from township_atlas.transfer.indicator_tables import (
    IndicatorContext,
    IndicatorPlan,
    NewIndicator,
    check_new_indicators,
)
from township_atlas.transfer.name_match import candidate_id, name_fixes
from township_atlas.transfer.preview_tables import PROBLEM_HEADERS, problems_table
from township_atlas.transfer.worker_jobs import plan_indicators_isolated
from township_atlas.ui.edit_common import CONFLICT, ProgressBar, flash, try_save
from township_atlas.ui.text import md_escape
from township_atlas.views.indicator_tables import GROUP_ORDER, group_label

PLANS = "import_indicators_plans"  # (digest, {choices: plan or error})
NAMES = "import_indicators_names"  # (digest, {written name: place code})
NEW = "import_indicators_new"  # (digest, {column: NewIndicator})
FILE = "import_indicators_file"
UPLOAD_TYPES = ["xlsx", "csv", "txt"]


def _kept(key: str, digest: str) -> dict[str, Any]:
    kept = st.session_state.get(key)
    return dict(kept[1]) if isinstance(kept, tuple) and kept[0] == digest else {}


def _keep(key: str, digest: str, value: dict[str, Any]) -> None:
    st.session_state[key] = (digest, value)


def clear() -> None:
    """Forget the upload's plans and choices (a new file, or after accepting)."""
    for key in (PLANS, NAMES, NEW):
        st.session_state.pop(key, None)


def _plan(
    name: str, data: bytes, bundle: Bundle, lang: str, digest: str
) -> IndicatorPlan | AtlasError:
    """The worker's plan for the upload and the choices made (cached per choices)."""
    names = _kept(NAMES, digest)
    new = _kept(NEW, digest)
    key = (id(bundle), tuple(sorted(names.items())), tuple(sorted(new.items())))
    plans = _kept(PLANS, digest)
    if key in plans:
        return plans[key]
    progress = ProgressBar(tr("imp_ind_checking", lang))
    try:
        result: IndicatorPlan | AtlasError = plan_indicators_isolated(
            name, data, bundle, new_indicators=new, names=names, lang=lang, progress=progress
        )
    except TransferError as exc:
        result = exc
    finally:
        progress.done()
    plans = {k: v for k, v in plans.items() if k[0] == id(bundle)}
    plans[key] = result
    _keep(PLANS, digest, plans)
    return result


def _choose_name(digest: str, value: str, widget: str) -> None:
    names = _kept(NAMES, digest)
    label = st.session_state.get(widget)
    if label is None:
        names.pop(value, None)
    else:
        names[value] = candidate_id(label)
    _keep(NAMES, digest, names)


def _places(bundle: Bundle) -> list[str]:
    """Every village and the township as a choice, "上庄村(V01)"."""
    codes = [str(c) for c in bundle.villages["code"].dropna()]
    out = [f"{bundle.village_name(c, 'zh')}({c})" for c in codes]
    township = bundle.township_props
    if township.get("code"):
        out.append(f"{township.get('name_zh') or township['code']}({township['code']})")
    return out


def _names(plan: IndicatorPlan, bundle: Bundle, lang: str, digest: str) -> None:
    """A choice per village name that matched several villages or none: the likely ones
    first, then (for a name that matched none) every other place."""
    fixes = name_fixes(plan.problems)
    if not fixes:
        return
    places = _places(bundle)
    st.markdown(f"**{tr('xfer_ui_names_title', lang)}**")
    st.warning(tr("xfer_ui_names_help", lang), icon=":material/edit_note:")
    for fix in fixes:
        others = [] if fix.ambiguous else [p for p in places if p not in fix.candidates]
        widget = f"import_ind_name_{digest}_{hashlib.sha256(fix.value.encode()).hexdigest()[:12]}"
        st.selectbox(
            tr("imp_ind_pick_place", lang).format(
                value=md_escape(fix.value), rows="、".join(map(str, fix.rows))
            ),
            [None, *fix.candidates, *others],
            format_func=lambda c: tr("xfer_ui_names_pick_none", lang) if c is None else c,
            key=widget,
            placeholder=tr("choose_placeholder", lang),
            on_change=_choose_name,
            args=(digest, fix.value, widget),
        )


def _new_indicator_forms(plan: IndicatorPlan, bundle: Bundle, lang: str, digest: str) -> None:
    """Per unmatched column, a small form adding it to the catalogue in the same step."""
    added = _kept(NEW, digest)
    if added:
        st.caption(
            md_escape(
                tr("imp_ind_new_added", lang).format(
                    names="、".join(f"{c} → {n.key}" for c, n in added.items())
                )
            )
        )
        if st.button(tr("imp_ind_new_clear", lang), key=f"import_ind_new_clear_{digest}"):
            _keep(NEW, digest, {})
            st.rerun()
    if not plan.unmatched:
        return
    st.markdown(f"**{tr('imp_ind_unmatched_title', lang)}**")
    st.dataframe(
        [{tr("imp_ind_column", lang): u.name, tr("imp_ind_sheet", lang): u.sheet}
         for u in plan.unmatched],
        hide_index=True,
        width="stretch",
    )  # fmt: skip
    for n, column in enumerate(plan.unmatched):
        title = tr("imp_ind_add_as_new", lang).format(column=md_escape(column.name))
        with st.expander(title), st.form(f"import_ind_new_{digest}_{n}", border=False):
            c1, c2 = st.columns(2)
            key = c1.text_input(tr("imp_ind_new_key", lang), key=f"import_ind_nk_{digest}_{n}")
            label_zh = c1.text_input(
                tr("imp_ind_new_label_zh", lang),
                value=column.name.split("(")[0],
                key=f"import_ind_nzh_{digest}_{n}",
            )
            label_en = c2.text_input(
                tr("imp_ind_new_label_en", lang), key=f"import_ind_nen_{digest}_{n}"
            )
            unit_zh = c1.text_input(
                tr("imp_ind_new_unit_zh", lang),
                value=column.unit or "",
                key=f"import_ind_nuzh_{digest}_{n}",
            )
            unit_en = c2.text_input(
                tr("imp_ind_new_unit_en", lang), key=f"import_ind_nuen_{digest}_{n}"
            )
            aggregate = c1.selectbox(
                tr("aggregate", lang),
                INDICATOR_AGGREGATES,
                format_func=lambda a: tr(f"aggregate_{a}", lang),
                key=f"import_ind_nagg_{digest}_{n}",
                placeholder=tr("choose_placeholder", lang),
            )
            group = c2.selectbox(
                tr("indicator_group", lang),
                GROUP_ORDER,
                format_func=lambda g: group_label(g, lang),
                key=f"import_ind_ngroup_{digest}_{n}",
                placeholder=tr("choose_placeholder", lang),
            )
            higher = st.checkbox(
                tr("imp_ind_new_higher", lang), value=True, key=f"import_ind_nhib_{digest}_{n}"
            )
            if st.form_submit_button(tr("imp_ind_new_submit", lang)):
                new = NewIndicator(
                    key.strip(), label_zh.strip(), label_en.strip(), unit_zh.strip(),
                    unit_en.strip(), higher, aggregate, group,
                )  # fmt: skip
                wanted = {**added, column.name: new}
                try:
                    check_new_indicators(IndicatorContext.of(bundle), wanted)
                except TransferError as exc:
                    st.error(md_escape(exc.message(lang)), icon=":material/block:")
                else:
                    _keep(NEW, digest, wanted)
                    st.rerun()


def _accept(plan: IndicatorPlan, bundle: Bundle, lang: str) -> None:
    if not plan.ok:
        st.error(tr("imp_ind_fix_first", lang), icon=":material/block:")
        st.caption(tr("xfer_ui_nothing_written", lang))
        return
    if not plan.changes and not plan.new_indicators:
        st.info(tr("xfer_ui_nothing_to_import", lang))
        return
    note = st.text_input(tr("edit_note", lang), key="import_ind_note")
    label = tr("imp_ind_accept", lang).format(n=len(plan.changes))
    if not st.button(label, type="primary", icon=":material/done_all:", key="import_ind_accept"):
        return
    text = note or tr("xfer_ui_note_default", lang).format(source=plan.source)
    try:
        change_sets = plan.to_change_sets(bundle, "", text)
    except TransferError as exc:
        st.error(md_escape(exc.message(lang)), icon=":material/block:")
        return
    seqs = []
    for change in change_sets:
        result = try_save(change, lang, action="import")
        if result is None:
            if st.session_state.get(CONFLICT):  # shown side by side by the import tab
                st.rerun()
            return
        seqs.append(str(result.seq))
    flash(tr("imp_ind_imported", lang).format(n=len(plan.changes), seq="、".join(seqs)))
    clear()
    st.session_state.pop(FILE, None)
    st.rerun()


def indicators_import(bundle: Bundle, lang: str) -> None:
    """The indicator import: upload, preview, choices, accept (see the module docstring).
    The caller has checked that the user may import."""
    st.caption(tr("imp_ind_help", lang))
    upload = st.file_uploader(tr("imp_ind_file", lang), type=UPLOAD_TYPES, key=FILE)
    if upload is None:
        clear()
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    plan = _plan(upload.name, data, bundle, lang, digest)
    if isinstance(plan, AtlasError):
        st.error(md_escape(plan.message(lang)), icon=":material/block:")
        st.caption(tr("xfer_ui_nothing_written", lang))
        if _kept(NEW, digest) and st.button(
            tr("imp_ind_new_clear", lang), key=f"import_ind_new_reset_{digest}"
        ):
            _keep(NEW, digest, {})
            st.rerun()
        return
    st.subheader(tr("xfer_ui_preview", lang))
    m = st.columns(4)
    m[0].metric(tr("xfer_ui_new", lang), plan.count("new"))
    m[1].metric(tr("xfer_ui_replaced", lang), plan.count("replace"))
    m[2].metric(tr("xfer_ui_unchanged", lang), plan.count("unchanged"))
    m[3].metric(tr("imp_ind_errors", lang), len(plan.errors))
    st.caption("\n".join(f"- {md_escape(n.message(lang))}" for n in plan.notes))
    _names(plan, bundle, lang, digest)
    if plan.problems:
        st.markdown(f"**{tr('xfer_ui_problems', lang)}**")
        st.dataframe(
            problems_table(plan, lang).rename(columns=headers(PROBLEM_HEADERS, lang)),  # type: ignore[arg-type]
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(plan.problems), 300),
        )
    _new_indicator_forms(plan, bundle, lang, digest)
    if plan.changes:
        st.markdown(f"**{tr('imp_ind_figures', lang)}**")
        st.dataframe(
            figures_table(plan, bundle, lang).rename(columns=headers(FIGURE_HEADERS, lang)),
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(plan.changes), 400),
        )
    _accept(plan, bundle, lang)
