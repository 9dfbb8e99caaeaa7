"""Showing data strings safely: names and notes from the data are text, never markup."""

from __future__ import annotations

import re

# Every character Markdown (CommonMark, GFM, Streamlit's :color[..] and :icon: directives,
# $LaTeX$) could read as syntax; ASCII punctuation may always be backslash-escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def md_escape(text: object) -> str:
    """``text`` made inert for ``st.markdown`` and markdown labels: shown exactly as written.

    Line breaks are flattened to spaces, so a value cannot start a heading or list.
    """
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
