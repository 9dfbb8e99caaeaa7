"""Widget values kept in the URL with stable ids (``?sel=village:V03&ind=collective_income``)
so a shared link opens the same view in either language.

Streamlit's ``bind="query-params"`` writes the *displayed* label into the URL, which
changes with the language; this keeps the option's own value instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st


def init_from_url(key: str, options: Sequence[Any], default: Any = None) -> None:
    """Before the widget is made: take its value from the URL if it is a valid option."""
    if key in st.session_state and st.session_state[key] in options:
        return
    raw = st.query_params.get(key)
    by_text = {str(o): o for o in options}
    if raw is not None and raw in by_text:
        st.session_state[key] = by_text[raw]
    else:
        st.session_state[key] = default if default in options else None


def write_to_url(key: str, default: Any = None) -> None:
    """After the widget: put its value in the URL (and drop it when it is the default)."""
    value = st.session_state.get(key)
    if value is None or value == default or value == "":
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
