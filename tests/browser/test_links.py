"""Every link the app puts in the address bar opens the same view in a fresh browser.

A table of links — every page (the map at ``/`` and ``/map``, overview, village,
indicators, organisation, meeting, login, edit, accounts) with the query parameters it
reads, in Chinese and English — is opened each in a fresh browser context:

* on a server with anonymous viewing on (the sample's default), as a visitor;
* on a server that requires a login, where the link first shows the login form at the
  same address and, once logged in, the page itself.

The first link on each server is its first request (a cold server, where Streamlit starts
in its legacy ``pages/`` mode); the rest find it warm. Each link fails on any dialog
("Page not found" is one), any request to another host, and any detour: the final address
is the one opened, with every parameter kept.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import block_remote, is_local_url, streamlit_server

from township_atlas.accounts import AccountStore
from township_atlas.authz import User
from township_atlas.text.labels import tr

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "links-admin-pass-7"
READY = "[data-test-script-state=notRunning]"

# (path, query, the heading's label key or None for the meeting page, which has none).
LINKS: list[tuple[str, dict[str, str], str | None]] = [
    ("/", {}, "page_map"),
    ("/", {"sel": "village:V03", "ind": "collective_income", "year": "2025"}, "page_map"),
    ("/map", {}, "page_map"),
    ("/map", {"year": "2025"}, "page_map"),
    ("/map", {"sel": "site:S002", "ind": "collective_income", "year": "2024"}, "page_map"),
    ("/map", {"sel": "village:V03", "basemap": "none"}, "page_map"),
    ("/overview", {}, "page_overview"),
    ("/village", {"village": "V03", "year": "2024"}, "page_village"),
    ("/indicators", {"indicator": "collective_income", "year": "2025"}, "page_indicators"),
    ("/organisation", {"branch": "B01"}, "page_organisation"),
    ("/meeting", {"slide": "3"}, None),
    ("/edit", {"layer": "sites", "id": "S002"}, "page_edit"),
    ("/accounts", {}, "page_accounts"),
    ("/login", {}, "login_heading"),
]
# Pages a visitor may not use: the link still opens there, with the refusal.
NEEDS_LOGIN = {"/edit", "/accounts"}


def _server(tmp_path_factory, *, anonymous: bool):
    tmp = tmp_path_factory.mktemp("links")
    data = tmp / "geodata"
    shutil.copytree(ROOT / "geodata", data)
    accounts = tmp / "accounts.json"
    AccountStore(accounts).add("ada", PASSWORD, "admin", actor=User("t", "admin", "console"))
    env = {
        "TOWNSHIP_ATLAS_DATA_DIR": str(data),
        "TOWNSHIP_ATLAS_ACCOUNTS_FILE": str(accounts),
        "TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS": "0",
        "TOWNSHIP_ATLAS_ANONYMOUS_VIEWING": "true" if anonymous else "false",
    }
    return streamlit_server(ROOT / "app.py", env=env)


@pytest.fixture(scope="module")
def public_url(tmp_path_factory):
    with _server(tmp_path_factory, anonymous=True) as url:
        yield url


@pytest.fixture(scope="module")
def private_url(tmp_path_factory):
    with _server(tmp_path_factory, anonymous=False) as url:
        yield url


def _with_lang(query: dict[str, str], lang: str) -> dict[str, str]:
    return {**query, "lang": "en"} if lang == "en" else dict(query)


def visitor_links() -> list[tuple[str, dict[str, str], str | None, str]]:
    """Every link in Chinese, and each page's fullest link in English (``lang=en`` is what
    the language switch writes)."""
    fullest: dict[str, tuple[dict[str, str], str | None]] = {}
    for path, query, key in LINKS:
        if query or path not in fullest:
            fullest[path] = (query, key)
    return [(path, query, key, "zh") for path, query, key in LINKS] + [
        (path, _with_lang(query, "en"), key, "en") for path, (query, key) in fullest.items()
    ]


def login_links() -> list[tuple[str, dict[str, str], str | None, str]]:
    """Every link once, the languages taking turns (so each page is opened in both)."""
    return [
        (path, _with_lang(query, lang), key, lang)
        for i, (path, query, key) in enumerate(LINKS)
        for lang in [("zh", "en")[i % 2]]
    ]


class Visit:
    """One fresh browser context on one link, recording what would be a failure."""

    def __init__(self, browser, base: str, path: str, query: dict[str, str]) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 768})
        self.requests: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        block_remote(self.context)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: self.dialogs.append(d.message))
        self.path, self.query = path, query
        self.page.goto(f"{base}{path}" + (f"?{urlencode(query)}" if query else ""))

    def settle(self, heading: str | None, lang: str) -> None:
        """Wait for the page's heading (or the meeting's exit link) and the end of the run."""
        if heading is None:
            marker = self.page.get_by_role("link", name=tr("mtg_exit", lang))
        else:
            marker = self.page.locator("h1", has_text=heading)
        marker.first.wait_for(timeout=60_000)
        self.page.locator(READY).wait_for(timeout=60_000)

    def check(self, *, expect_path: str | None = None) -> None:
        """No dialog, nothing from another host, no "Page not found", no detour."""
        where = f"{self.path}?{urlencode(self.query)}"
        modal = self.page.locator("[role=dialog]")
        assert modal.count() == 0, (where, modal.first.inner_text())
        assert not self.dialogs, (where, self.dialogs)
        # No main menu: its items are Streamlit's, in English only (client.toolbarMode).
        assert self.page.locator("[data-testid=stMainMenu]").count() == 0, where
        body = self.page.locator("body").inner_text()
        assert "Page not found" not in body and "does not seem to exist" not in body, where
        assert not [u for u in self.requests if not is_local_url(u)], (where, self.requests)
        final = urlsplit(self.page.url)
        assert final.path == (expect_path or self.path), (where, self.page.url)
        if expect_path is None:
            kept = dict(parse_qsl(final.query))
            assert {k: kept.get(k) for k in self.query} == self.query, (where, self.page.url)

    def close(self) -> None:
        self.context.close()


def test_every_link_opens_its_page_for_a_visitor(browser, public_url):
    for path, query, key, lang in visitor_links():
        visit = Visit(browser, public_url, path, query)
        try:
            visit.settle(tr(key, lang) if key else None, lang)
            visit.check()
            if path in NEEDS_LOGIN:  # the refusal, said on the page itself
                assert visit.page.locator("[data-testid=stAlertContentError]").count(), path
        finally:
            visit.close()


def test_every_link_opens_the_login_form_there_and_then_its_page(browser, private_url):
    for path, query, key, lang in login_links():
        visit = Visit(browser, private_url, path, query)
        try:
            visit.settle(tr("login_heading", lang), lang)
            visit.check()  # the form, at the address opened
            visit.page.get_by_label(tr("user_name", lang), exact=True).fill("ada")
            visit.page.get_by_label(tr("password", lang), exact=True).fill(PASSWORD)
            visit.page.get_by_role("button", name=tr("login_button", lang)).click()
            if path == "/login":  # logged in there: on to the map, at the menu's address
                visit.settle(tr("page_map", lang), lang)
                visit.check(expect_path="/map")
            else:
                visit.settle(tr(key, lang) if key else None, lang)
                visit.check()
        finally:
            visit.close()
