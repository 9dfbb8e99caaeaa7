"""导入 — names to fix: the names of an import plan that matched several things or nothing,
listed once each with their rows and choices, and a select box per name whose choice plans
the import again with it (kept per upload in the session; see
:func:`township_atlas.transfer.name_match.name_fixes`). Text from the file is shown in a
table or escaped, never as markup."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import streamlit as st

from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.text.labels import tr
from township_atlas.transfer.name_match import candidate_id, name_fixes
from township_atlas.ui.text import md_escape

if TYPE_CHECKING:
    from township_atlas.transfer.plan import ImportPlan

NAMES = "edit_import_names"  # (upload digest, {field: {written name: chosen id}})


def chosen_names(digest: str) -> dict[str, dict[str, str]]:
    """The planner's choices for names of this upload (field -> {written name: id})."""
    kept = st.session_state.get(NAMES)
    return kept[1] if isinstance(kept, tuple) and kept[0] == digest else {}


def choose_name(digest: str, field: str, value: str, widget: str) -> None:
    """on_change of a name's select box: remember (or forget) the chosen id."""
    names = {f: dict(m) for f, m in chosen_names(digest).items()}
    label = st.session_state.get(widget)
    if label is None:
        names.get(field, {}).pop(value, None)
    else:
        names.setdefault(field, {})[value] = candidate_id(label)
    st.session_state[NAMES] = (digest, names)


def names_to_fix(plan: ImportPlan, lang: str, digest: str) -> None:
    """Names that matched several things or nothing, once each with their rows and
    choices, so the planner corrects the sheet in one pass (shown as a table: no markup),
    or picks a choice per name here, which plans the import again with it."""
    fixes = name_fixes(plan.problems)
    names = chosen_names(digest)
    pairs = [f"{n} → {i}" for m in names.values() for n, i in m.items()]
    if pairs:
        st.caption(md_escape(tr("xfer_ui_names_chosen", lang).format(pairs="、".join(pairs))))
    if not fixes:
        return
    st.markdown(f"**{tr('xfer_ui_names_title', lang)}**")
    st.warning(tr("xfer_ui_names_help", lang), icon=":material/edit_note:")
    labels = {f.name: f.label(lang) for f in LAYERS_BY_NAME[plan.layer].fields}
    rows = [
        {
            tr("xfer_ui_names_name", lang): fix.value,
            tr("xfer_ui_names_field", lang): labels.get(fix.field, fix.field),
            tr("xfer_ui_names_problem", lang): tr(
                "xfer_ui_names_ambiguous" if fix.ambiguous else "xfer_ui_names_unknown", lang
            ),
            tr("xfer_ui_names_rows", lang): "、".join(map(str, fix.rows)),
            tr("xfer_ui_names_choices", lang): "、".join(fix.candidates) or "—",
        }
        for fix in fixes
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    for fix in (f for f in fixes if f.candidates):
        name = hashlib.sha256(fix.value.encode()).hexdigest()[:12]  # a stable widget key
        widget = f"edit_import_name_{digest}_{fix.field}_{name}"
        st.selectbox(
            tr("xfer_ui_names_pick", lang).format(
                value=md_escape(fix.value),
                field=md_escape(labels.get(fix.field, fix.field)),
                rows="、".join(map(str, fix.rows)),
            ),
            [None, *fix.candidates],
            format_func=lambda c: tr("xfer_ui_names_pick_none", lang) if c is None else c,
            key=widget,
            placeholder=tr("choose_placeholder", lang),
            on_change=choose_name,
            args=(digest, fix.field, fix.value, widget),
        )
