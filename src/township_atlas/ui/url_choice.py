"""Selections kept in the URL (``?village=V03&year=2025``), so a link shows the same view
and the browser's back and forward buttons step through the choices.

The URL wins whenever it changed since the last run (a shared link, back, forward): the
widget is set from it. When the user picks another option, the script writes it to the
URL, and Streamlit pushes a history entry. A page opened without the parameter shows the
default and adds nothing to the history, so "back" never traps the user on the page.

Streamlit's own ``bind="query-params"`` puts the *displayed label* in the URL, which
changes with the language; this keeps the option's code (V03) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

_UNSET = object()


def url_selectbox(
    label: str,
    options: Sequence[Any],
    *,
    param: str,
    format_func: Callable[[Any], str] = str,
    default: Any = None,
    help: str | None = None,
    container: Any = None,
    width: int | str = "stretch",
    placeholder: str | None = None,
) -> tuple[Any, str | None]:
    """A selectbox whose choice lives in the URL parameter ``param``.

    Returns ``(choice, rejected)``: ``rejected`` is the URL's value when it has just
    arrived and names no option (the page should say so), else None. Options are matched
    by ``str(option)``; without a parameter the choice is ``default`` (or the first option).
    """
    options = list(options)
    key, seen_key = f"url_{param}", f"url_{param}__seen"
    default = default if default in options else options[0]
    by_text = {str(o): o for o in options}
    raw = st.query_params.get(param)
    from_url = by_text.get(raw, default) if raw is not None else default
    rejected = None
    if raw != st.session_state.get(seen_key, _UNSET) or key not in st.session_state:
        # The URL changed outside this page (first visit, a link, back or forward).
        st.session_state[seen_key] = raw
        st.session_state[key] = from_url
        if raw is not None and raw not in by_text:
            rejected = raw
    if st.session_state.get(key) not in options:
        st.session_state[key] = from_url
    where = container if container is not None else st
    choice = where.selectbox(
        label,
        options,
        key=key,
        format_func=format_func,
        help=help,
        width=width,
        placeholder=placeholder,
    )
    if choice != from_url:  # the user picked something else: that goes into the URL
        st.query_params[param] = str(choice)
        st.session_state[seen_key] = str(choice)
    return choice, rejected
