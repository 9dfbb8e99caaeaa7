"""Shared by the editing tabs: saving with the role checked on the server, and showing a
refused save (conflict or broken rule) the same way everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from township_atlas.authz import PermissionDenied, audit_name, require
from township_atlas.errors import AtlasError
from township_atlas.maps.draw_plugin import DrawStatus, ensure
from township_atlas.storage import changes
from township_atlas.text.labels import headers, tr
from township_atlas.ui.app_paths import static_dir
from township_atlas.ui.auth import current_user
from township_atlas.ui.chrome import show_error
from township_atlas.ui.data import current_store, load_current
from township_atlas.ui.text import md_escape
from township_atlas.views.change_tables import CONFLICT_HEADERS, difference_table

FLASH = "edit_flash"
CONFLICT = "edit_conflict"
PROBLEMS = "edit_problems"


class ProgressBar:
    """A progress bar for steps that take more than a moment (reading an upload, making
    an export file): call it with the fraction done and a message; ``done`` removes it."""

    def __init__(self, text: str) -> None:
        self.bar = st.progress(0.0, text=text)
        self.started = time.monotonic()

    def __call__(self, fraction: float, message: str = "") -> None:
        self.bar.progress(min(max(float(fraction), 0.0), 1.0), text=message or None)

    def done(self) -> None:
        self.bar.empty()


@st.cache_resource(show_spinner=False)
def draw_tools() -> DrawStatus:
    """Leaflet.draw, installed once per process (fetched on first use if need be)."""
    return ensure(static_dir())


def flash(message: str) -> None:
    """A success message shown once, on the next run."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    if message := st.session_state.pop(FLASH, None):
        st.success(message, icon=":material/check_circle:")


def try_save(
    change: changes.ChangeSet, lang: str, *, action: str = "edit", retry: Callable | None = None
) -> changes.SaveResult | None:
    """Save ``change`` as the current user, checked on the server for ``action``.

    A refusal is shown and remembered: a conflict keeps both versions for the
    side-by-side view (:func:`conflict_panel`), a broken rule keeps the findings to mark on
    the map. Returns the result, or None when nothing was saved.
    """
    st.session_state.pop(PROBLEMS, None)
    try:
        user = require(current_user(), action)
        change.user = audit_name(user)
        # The current load is cached per version of the files (and the save re-checks
        # under its lock that it still matches), so a save need not read everything again.
        return current_store().save(change, loader=load_current)
    except PermissionDenied as exc:
        show_error(exc, lang)
    except changes.ConflictError as exc:
        st.session_state[CONFLICT] = {"change": change, "conflicts": exc.conflicts}
    except changes.CheckFailedError as exc:
        st.session_state[PROBLEMS] = exc.findings
        show_error(exc, lang)
    except AtlasError as exc:
        show_error(exc, lang)
    return None


def conflict_panel(lang: str, on_resolved: Callable[[], None]) -> bool:
    """If the last save met a conflict: both versions side by side and the choice.

    Returns True while a conflict is shown (the caller then shows nothing else to save).
    """
    state = st.session_state.get(CONFLICT)
    if not state:
        return False
    change: changes.ChangeSet = state["change"]
    conflicts: list[changes.Conflict] = state["conflicts"]
    st.error(tr("edit_conflict", lang), icon=":material/merge_type:")
    for c in conflicts:
        st.markdown(f"**{tr('edit_conflict_feature', lang).format(id=md_escape(c.feature_id))}**")
        if c.theirs is None:
            st.caption(tr("edit_conflict_deleted", lang))
        frame = difference_table(change.layer, c.mine, c.theirs, lang).rename(
            columns=headers(CONFLICT_HEADERS, lang)
        )
        if frame.empty:
            st.caption(tr("edit_conflict_same", lang))
        else:
            st.dataframe(frame, hide_index=True, width="stretch")
    keep_theirs, keep_mine = st.columns(2)
    if keep_theirs.button(tr("edit_keep_theirs", lang), icon=":material/undo:", width="stretch"):
        st.session_state.pop(CONFLICT, None)
        flash(tr("edit_kept_theirs", lang))
        on_resolved()
        st.rerun()
    if keep_mine.button(
        tr("edit_keep_mine", lang), icon=":material/save:", type="primary", width="stretch"
    ):
        retry = changes.ChangeSet(
            change.layer,
            change.user,
            upserts=list(change.upserts),
            deletes=list(change.deletes),
            base={c.feature_id: changes.feature_version(c.theirs) for c in conflicts}
            | {k: v for k, v in change.base.items() if k not in {c.feature_id for c in conflicts}},
            note=change.note,
        )
        st.session_state.pop(CONFLICT, None)
        if try_save(retry, lang) is not None:
            flash(tr("edit_saved_over", lang))
            on_resolved()
            st.rerun()
        if CONFLICT in st.session_state:  # changed yet again meanwhile: show the new one
            st.rerun()
    return True
