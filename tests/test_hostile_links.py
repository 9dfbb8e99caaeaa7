"""AppTest: every page opened with a hostile value in every query parameter it reads
(a Markdown link, an image, raw HTML, bare web and mail addresses, a very long string)
renders none of it as markup: no link, no image, no HTML, nothing over the length cap.

Each string a page sends for Markdown rendering (alerts, markdown, captions, headings,
metric labels, expander and tab titles, widget labels and help) is rendered here with a
CommonMark parser (raw HTML on) and checked; the browser test
(tests/browser/test_hostile_links.py) checks the same in Chromium with Streamlit's own
renderer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from township_atlas.ui import auth
from township_atlas.ui.text import MAX_SHOWN, md_escape, shorten, url_value

from .accounts_helpers import install_accounts

ROOT = Path(__file__).resolve().parent.parent
HOST = "evil.example"
PAYLOADS = {
    "link": f"[请点此重新登录](http://{HOST}/login)",
    "image": f"![t](http://{HOST}/t.png)",
    "html": f'<img src="http://{HOST}/x.png"><b>粗</b><a href="http://{HOST}/">x</a>',
    "bare": f"www.{HOST} http://{HOST}/a user@{HOST} <http://{HOST}/>",
    "long": "长" * 5000 + f"[x](http://{HOST}/)",
}
# Every parameter each page reads (``lang`` and ``township`` on all of them).
PARAMS = {
    "pages/map.py": ["sel", "ind", "year", "basemap"],
    "pages/overview.py": [],
    "pages/village.py": ["village", "year"],
    "pages/indicators.py": ["year", "indicator"],
    "pages/organisation.py": ["branch"],
    "pages/meeting.py": ["slide"],
    "pages/edit.py": ["layer", "id", "tab"],
    "pages/setup.py": [],
    "pages/login.py": [],
    "pages/accounts.py": [],
}
COMMON = ["lang", "township"]
RENDERED_FIELDS = {"body", "label", "help", "labels", "caption", "title", "placeholder"}
MD = MarkdownIt("commonmark", {"html": True})


def test_every_page_is_covered():
    assert sorted(PARAMS) == sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py")
    )


def rendered_strings(at: AppTest) -> list[str]:
    """Every string field the browser renders as Markdown, from the whole element tree."""
    found: list[str] = []

    def from_proto(msg) -> None:
        if msg.DESCRIPTOR.name == "Html":  # st.html: escaped HTML, not Markdown (browser test)
            return
        for field, value in msg.ListFields():
            if field.message_type is not None:
                for item in value if field.is_repeated else [value]:
                    from_proto(item)
            elif field.name in RENDERED_FIELDS:
                found.extend(value if field.is_repeated else [value])

    def walk(node) -> None:
        if getattr(node, "proto", None) is not None:
            from_proto(node.proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [s for s in found if isinstance(s, str)]


def assert_inert(text: str) -> None:
    html = MD.render(text)
    assert "<a" not in html and "<img" not in html and "<b>" not in html, (text, html)
    # Streamlit's GFM renderer links bare web and mail addresses found in the *text* (after
    # escapes are read), with the patterns of mdast-util-gfm-autolink-literal.
    plain = re.sub(r"\\(.)", r"\1", text)
    assert not re.search(r"(?i)https?://|www(?=\.)|@[-\w]+\.", plain), text
    assert len(text) < MAX_SHOWN * 2 + 2000, len(text)


def open_page(page: str, value: str, login_as: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if login_as:
        at.session_state[auth.LOGIN_KEY] = {
            "source": "local",
            "name": login_as,
            "epoch": 0,
            "last_seen": auth.clock(),
        }
    for param in [*PARAMS[page], *COMMON]:
        at.query_params[param] = value
    at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("page", sorted(PARAMS))
def test_hostile_query_values_render_as_text(data_env, tmp_path, monkeypatch, page):
    install_accounts(tmp_path, monkeypatch)
    login_as = "ada" if page in {"pages/edit.py", "pages/accounts.py"} else None
    for name, value in PAYLOADS.items():
        at = open_page(page, value, login_as)
        assert not at.exception, (name, at.exception)
        strings = rendered_strings(at)
        assert strings, "the page rendered nothing"
        for text in strings:
            assert_inert(text)


def test_a_rejected_link_value_is_named_escaped_and_cut(data_env):
    at = open_page("pages/village.py", PAYLOADS["long"], None)
    warning = at.warning[0].value
    assert "长" * 50 in warning and "…" in warning and "长" * 61 not in warning
    at = open_page("pages/village.py", PAYLOADS["link"], None)
    assert "\\[请点此重新登录\\](http\u2060://evil.example/login)" in at.warning[0].value


def test_md_escape_shortens_and_escapes():
    assert shorten("a  b\n c") == "a b c"
    assert shorten("x" * 10, 5) == "xxxx…"
    assert md_escape("x" * 1000) == "x" * (MAX_SHOWN - 1) + "…"
    assert url_value("[a](b)") == "\\[a\\](b)"
    assert md_escape("http://h.example/") == "http\u2060://h.example/"
    assert md_escape("me@h.example") == "me@\u2060h.example"
    assert md_escape("TOWNSHIP_ATLAS_DATA_DIR EPSG:4326") == "TOWNSHIP_ATLAS_DATA_DIR EPSG:4326"
    assert md_escape("_a_ :red[x] <b> $x$ # 1. - ") == (
        "\\_a\\_ \\:red\\[x\\] \\<b\\> \\$x\\$ # 1. -"
    )
    assert md_escape("- x") == "\\- x" and md_escape("12. x") == "12\\. x"
