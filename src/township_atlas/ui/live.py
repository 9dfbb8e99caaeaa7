"""Live data: every open page follows changes to the data folder within about a second.

A small fragment re-runs on a timer in each session and compares the folder's fingerprint
(a stat of the data files: cheap) with the one the page was drawn from; when a planner
saved in another session, or QGIS wrote a file, it reruns the whole page. Nothing is
pushed from the server: Streamlit has no such channel, so the browser asks.
"""

from __future__ import annotations

import streamlit as st

from township_atlas import settings
from township_atlas.ui.data import current_store


def _seconds() -> float:
    try:
        return max(0.0, float(settings.get("live_refresh_seconds")))
    except ValueError:
        return 1.0


@st.fragment(run_every=_seconds() or None)
def _watch(drawn_from: str) -> None:
    if current_store().fingerprint() != drawn_from:
        st.rerun(scope="app")


def follow_data_changes(fingerprint: str) -> None:
    """Rerun this page when the data folder no longer matches ``fingerprint``.

    Off when the setting ``live_refresh_seconds`` is 0.
    """
    if _seconds() > 0:
        _watch(fingerprint)
