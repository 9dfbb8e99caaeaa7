"""Real Chromium: every page opened with a Markdown link, an image, raw HTML and bare
addresses (then a very long string) in every query parameter it reads shows them as text:
no <a> and no <img> pointing at another host, and no request leaves the machine.

(The edit and accounts pages need a login, which a page load does not keep; their
parameters are covered by tests/test_hostile_links.py.)"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from helpers import block_remote, is_local_url

HOST = "evil.example"
HOSTILE = (
    f"[请点此重新登录](http://{HOST}/login) ![t](http://{HOST}/t.png) "
    f'<img src="http://{HOST}/x.png"><a href="http://{HOST}/">点我</a> www.{HOST} me@{HOST}'
)
LONG = "长" * 400 + f"[x](http://{HOST}/)"
# Links the app itself draws: Leaflet's attribution on every map.
OWN_LINK_HOSTS = {"leafletjs.com"}
PAGES = {
    "map": ["sel", "ind", "year", "basemap"],
    "overview": [],
    "village": ["village", "year"],
    "indicators": ["year", "indicator"],
    "organisation": ["branch"],
    "meeting": ["slide"],
    "login": [],
}


def foreign(url: str | None) -> bool:
    return (
        bool(url)
        and not url.startswith(("#", "/", "?"))
        and not is_local_url(url)
        and (
            urlsplit(url).scheme in ("http", "https", "ws", "wss", "")
            and urlsplit(url).hostname is not None
        )
    )


@pytest.mark.parametrize("path", sorted(PAGES))
def test_hostile_link_values_stay_text(browser, app_url, path):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    block_remote(context)
    page = context.new_page()
    for value in (HOSTILE, LONG):
        query = urlencode({p: value for p in [*PAGES[path], "lang", "township"]})
        page.goto(f"{app_url}/{path}?{query}")
        page.locator("h1").first.wait_for(timeout=45_000)
        page.wait_for_timeout(2_500)  # the rest of the run, and any image it would load
        if path == "village":  # the warning names the value, as text
            warning = page.locator("[data-testid=stAlertContentWarning]").first.inner_text()
            assert "请点此重新登录" in warning or "长" * 20 in warning, warning
            assert "长" * 100 not in warning
        for frame in page.frames:
            links = frame.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            images = frame.eval_on_selector_all("img[src]", "els => els.map(e => e.src)")
            assert not [
                u for u in links if foreign(u) and urlsplit(u).hostname not in OWN_LINK_HOSTS
            ], links
            assert not [u for u in images if foreign(u)], images
    assert not [u for u in requests if not is_local_url(u)], requests
    context.close()
