"""A county's PostGIS database with several townships (issue #9): the sidebar switches
county → township, every page shows the chosen one, and a link keeps the choice."""

from __future__ import annotations

import pytest

from tests.test_pages import PAGES, run_app
from township_atlas.sample import generate
from township_atlas.storage.opening import list_townships as townships
from township_atlas.storage.postgis import copying

pytestmark = pytest.mark.postgis

OTHER = "620000-XT"
# What anyone may open (editing and accounts first ask for a login: tested elsewhere).
# The pages that show a township's data (the set-up guide shows the steps instead).
NOT_VIEWS = ("pages/edit.py", "pages/accounts.py", "pages/login.py", "pages/setup.py")
VIEW_PAGES = [p for p in PAGES if p not in NOT_VIEWS]


@pytest.fixture
def county(pg_url, tmp_path, monkeypatch):
    """The sample and a second, generated township in one database; the app pointed at it."""
    generate(tmp_path / "second", n_villages=4, n_sites=20)
    copying.copy_in(pg_url, tmp_path / "second", township=OTHER)
    monkeypatch.setenv("TOWNSHIP_ATLAS_STORAGE", "postgis")
    monkeypatch.setenv("TOWNSHIP_ATLAS_DATABASE_URL", pg_url)
    monkeypatch.setenv("TOWNSHIP_ATLAS_LIVE_REFRESH_SECONDS", "0")
    from tests.conftest import sample_township

    return sample_township(), OTHER


def _switch(at):
    return next(s for s in at.sidebar.selectbox if s.key == "township_switch")


def test_the_sidebar_lists_the_county_townships_and_switches(county):
    sample, other = county
    at = run_app()  # app.py itself draws the sidebar (a page run alone in AppTest may not)
    assert not at.exception, at.exception
    switch = _switch(at)
    assert switch.options[:0] == [] and len(switch.options) == 2
    assert "全县 2 个" in switch.label
    assert switch.value == min(sample, other)
    first_title = at.title[0].value
    switch.set_value(other if switch.value == sample else sample).run()
    assert not at.exception, at.exception
    assert at.query_params["township"] in (sample, other)
    assert at.title[0].value != first_title  # the township's name heads every page


def test_a_link_with_a_township_opens_it_on_every_page(county):
    _, other = county
    names = {t.code: t.name for t in townships()}
    for page in VIEW_PAGES:
        at = run_app(page, township=other)
        assert not at.exception, (page, at.exception)
        # The meeting slides are HTML: look in the element tree's text as a whole there.
        shown = " ".join(str(e.value) for e in (*at.title, *at.markdown))
        if page == "pages/meeting.py":
            shown = " ".join(str(e.proto) for e in at.get("html"))
        assert names[other] in shown and names[county[0]] not in shown, page


def test_a_link_to_a_township_that_is_gone_opens_the_default(county):
    first = min(county)
    at = run_app("pages/overview.py", township="999999-XX")
    assert not at.exception, at.exception
    assert not at.error
    names = {t.code: t.name for t in townships()}
    assert names[first] in at.title[0].value
