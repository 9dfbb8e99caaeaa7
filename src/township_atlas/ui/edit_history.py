"""修改记录: every saved change with who and when; its before and after, on the map where
spatial; undo it (planners), or bring a layer back to how it was (administrators)."""

from __future__ import annotations

import streamlit as st

from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS_BY_NAME
from township_atlas.storage import changes
from township_atlas.text.labels import headers, tr
from township_atlas.ui.auth import allowed
from township_atlas.ui.data import current_store
from township_atlas.ui.edit_common import flash, try_save
from township_atlas.ui.edit_map import diff_map
from township_atlas.ui.text import md_escape
from township_atlas.views.change_tables import (
    CHANGE_HEADERS,
    HISTORY_HEADERS,
    change_kind,
    difference_table,
    history_table,
    layer_label,
    local_time,
)


def history_tab(bundle: Bundle, lang: str) -> None:
    store = current_store()
    entries = list(reversed(store.entries()))
    if not entries:
        st.info(tr("edit_no_history", lang), icon=":material/history:")
        return
    table = history_table(entries, lang).rename(columns=headers(HISTORY_HEADERS, lang))
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 * (len(table) + 1), 320))
    by_seq = {e.seq: e for e in entries}
    seq = st.selectbox(
        tr("edit_pick_change", lang),
        list(by_seq),
        format_func=lambda s: (
            f"#{s} · {layer_label(by_seq[s].layer, lang)} · {by_seq[s].user} · "
            f"{local_time(by_seq[s].time)}"
        ),
        key="edit_history_seq",
        placeholder=tr("choose_placeholder", lang),
    )
    entry = by_seq[seq]
    spatial = LAYERS_BY_NAME.get(entry.layer) is not None and LAYERS_BY_NAME[entry.layer].is_spatial
    if spatial:
        st.caption(tr("edit_diff_legend", lang))
        diff_map(
            bundle,
            [c["before"] for c in entry.changes if c["before"]],
            [c["after"] for c in entry.changes if c["after"]],
            key=f"edit_diff_{seq}",
        )
    for c in entry.changes:
        st.markdown(f"**{md_escape(c['id'])}** · {change_kind(c, lang)}")
        rows = difference_table(entry.layer, c["before"], c["after"], lang)
        if not rows.empty:
            st.dataframe(
                rows.rename(columns=headers(CHANGE_HEADERS, lang)),
                hide_index=True,
                width="stretch",
            )
    undo_col, restore_col = st.columns(2)
    if undo_col.button(
        tr("edit_undo", lang).format(seq=seq), icon=":material/undo:", width="stretch"
    ):
        change = store.undo_change(seq)
        if (result := try_save(change, lang)) is not None:
            flash(tr("edit_undone", lang).format(seq=seq, new=result.seq))
            st.rerun()
    if allowed("restore_history"):
        label = tr("edit_restore", lang).format(seq=seq, layer=layer_label(entry.layer, lang))
        with restore_col.popover(label, icon=":material/settings_backup_restore:", width="stretch"):
            _restore_preview(bundle, lang, store, entry.layer, seq, spatial)
    else:
        restore_col.caption(tr("edit_restore_admin_only", lang))


def _restore_preview(bundle: Bundle, lang: str, store, layer: str, seq: int, spatial: bool):
    """What restoring would change (current → as before ``seq``), then the confirmation."""
    st.caption(tr("edit_restore_help", lang))
    change = store.restore_change(layer, seq - 1)
    if not change.upserts and not change.deletes:
        st.info(tr("edit_nothing_changed", lang))
        return
    current = store.read_records(layer)
    ids = [
        changes.record_key(layer, r["properties"]) if layer != "plans" else r["id"]
        for r in change.upserts
    ] + change.deletes
    st.write(
        tr("edit_restore_changes", lang).format(n=len(ids), ids=md_escape("、".join(ids[:12])))
    )
    if spatial:
        st.caption(tr("edit_restore_legend", lang))
        diff_map(
            bundle,
            [current[i] for i in ids if i in current],
            list(change.upserts),
            key=f"edit_restore_diff_{seq}",
            height=300,
        )
    if not st.button(tr("edit_restore_confirm", lang), type="primary", key=f"edit_restore_{seq}"):
        return
    if (result := try_save(change, lang, action="restore_history")) is not None:
        flash(tr("edit_restored", lang).format(seq=seq, new=result.seq))
        st.rerun()
