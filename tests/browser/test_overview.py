"""The overview page in real Chromium shows the headline figures computed from the data."""

from __future__ import annotations


def test_overview_shows_the_headline_figures(browser, app_url):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(app_url + "/overview")
    page.get_by_text("数据检查通过").wait_for(timeout=45_000)
    # The figures' tab may draw a moment after the check's notice: wait for each to show.
    main = page.locator("[data-testid=stMain]")
    for figure in ("42.5", "353 名", "301 名", "10 个", "7 个"):
        main.get_by_text(figure).first.wait_for(timeout=30_000)
        assert figure in main.inner_text(), figure
    # This module's server is new and this was its first request: a deep link still gets
    # app.py's navigation (page titles, language switch), not a menu of file names.
    nav = page.locator("[data-testid=stSidebarNav]").inner_text()
    assert "总览地图" in nav and "数据概况" in nav and "overview" not in nav
    assert page.get_by_text("语言 / Language").is_visible()
    page.close()
