"""Showing outside strings safely: names and notes from the data, and values from the URL,
are text, never markup, and never long enough to swamp a page.

``md_escape`` is the one way such a string reaches anything Streamlit renders as Markdown
(``st.markdown``, ``st.warning`` and the other alerts, ``st.caption``, headers, metric
labels and help, expander titles, tab names). A ``?village=[log in](http://evil)`` link
then shows its brackets instead of a working link, ``![x](http://host/x.png)`` fetches no
image, and ``<img src=…>`` stays text.
"""

from __future__ import annotations

import re

from township_atlas.text import numbers
from township_atlas.text.numbers import PANEL_CHARS

# What Markdown (CommonMark, GFM, Streamlit's :color[..] and :icon: directives, $LaTeX$)
# reads as syntax anywhere in a line; ASCII punctuation may always be backslash-escaped.
# Brackets escaped, "(...)" and "!" cannot make a link or an image.
_MARKDOWN_SPECIAL = re.compile(
    r"([\\`*\[\]<>~$&{}])"  # code, emphasis, links and images, HTML, strike, math, entities
    r"|(?<![^\W_])_|_(?![^\W_])"  # "_" that could open or close emphasis (not intraword)
    r"|:(?=[A-Za-z])"  # a directive (:red[..], :material/x:, :smile:), not "EPSG:4326"
)
# What Markdown reads as syntax only at the start of a line (headings, lists, quotes).
_LINE_START = re.compile(r"^(?:[#>+=-]|\d+[.)])")
#: The most characters of one outside string shown; beyond it the text ends in "…".
#: A name longer than this is a mistake or an attack, and a page must stay readable; error
#: messages (which name files and values) still fit. The same bound as the map's panel.
MAX_SHOWN = PANEL_CHARS


def shorten(text: object, limit: int = MAX_SHOWN) -> str:
    """``text`` flattened to one line (runs of whitespace -> one space) and cut to at most
    ``limit`` characters by :func:`township_atlas.text.numbers.shorten` (the one rule)."""
    return numbers.shorten(" ".join(numbers.text(text).split()), limit)


# Streamlit's renderer (remark-gfm) turns web and mail addresses in *text* into links after
# parsing, so escaping cannot stop it: a word joiner (U+2060, invisible) after "http",
# "www" or "@" breaks the pattern it looks for, and the text still reads the same.
_AUTOLINK_START = re.compile(r"(?i)(https?|ftp|www|mailto|xmpp)(?=[:.])|(@)")
WORD_JOINER = "\u2060"


def md_escape(text: object, limit: int = MAX_SHOWN) -> str:
    """``text`` made inert for Markdown and shortened: shown exactly as written, up to
    ``limit`` characters (see :func:`shorten`), with no working link, image or HTML.

    Line breaks are flattened to spaces, so a value cannot start a heading or list.
    """
    defanged = _AUTOLINK_START.sub(lambda m: m.group(0) + WORD_JOINER, shorten(text, limit))
    escaped = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), defanged)
    return _LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], escaped)


#: Values from the link are shown shorter still: a warning about a bad link names it.
URL_SHOWN = 60
#: Paragraphs from the data (a plan's summary, a problem's description).
PARAGRAPH_SHOWN = 2000


def url_value(text: object) -> str:
    """A value from the URL, for a message saying it was not understood: escaped and cut
    to :data:`URL_SHOWN` characters."""
    return md_escape(text, URL_SHOWN)


#: An error message: long enough for a list of what is wrong.
ERROR_SHOWN = 1500
