"""AppTest of the 会议汇报 page: every slide, the slide number in the URL, next and
previous, figures that follow the data, and the exports offered only to planners."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from township_atlas.ui import auth

from .accounts_helpers import Clock, install_accounts
from .apptest import open_page

MEETING = "pages/meeting.py"
SLIDES = 12  # overview, indicators, 7 villages, organisation, problems, measures


def open_meeting(login_as: str | None = None, clock: Clock | None = None, **query) -> AppTest:
    return open_page(MEETING, login_as=login_as, last_seen=clock() if clock else 0, query=query)


def slide(at: AppTest) -> str:
    """The slide's HTML (the last st.html block; the first holds the page's CSS)."""
    blocks = [h.proto.body for h in at.get("html") if 'class="mtg-slide' in h.proto.body]
    assert len(blocks) == 1
    return blocks[0]


def shown_number(at: AppTest) -> int:
    body = slide(at)
    return int(body.split('data-slide="')[1].split('"')[0])


def test_every_slide_runs_and_shows_its_number_and_township(data_env):
    at = open_meeting()
    assert not at.exception
    for n in range(1, SLIDES + 1):
        at.query_params["slide"] = str(n)
        at.run()
        assert not at.exception, (n, at.exception)
        body = slide(at)
        assert f"{n} / {SLIDES}" in body and "青禾乡(示例)会议汇报" in body
        assert "data:image/png;base64," in body or n >= 11  # a map or chart, or report items
    assert "上庄村 · 肉牛养殖" in slide(open_meeting(slide="3"))


def test_next_and_previous_move_through_the_slides_and_keep_the_url(data_env):
    at = open_meeting()
    assert shown_number(at) == 1 and at.button(key="mtg_prev").disabled
    at.button(key="mtg_next").click().run()
    assert shown_number(at) == 2 and at.query_params["slide"] == "2"
    at.button(key="mtg_page_down").click().run()  # what a clicker sends
    assert shown_number(at) == 3
    at.button(key="mtg_page_up").click().run()
    assert shown_number(at) == 2
    at.button(key="mtg_end").click().run()
    assert shown_number(at) == SLIDES and at.button(key="mtg_next").disabled
    at.button(key="mtg_home").click().run()
    assert shown_number(at) == 1


@pytest.mark.parametrize(
    ("raw", "expected", "warned"), [("99", SLIDES, False), ("0", 1, False), ("abc", 1, True)]
)
def test_a_slide_number_out_of_range_or_garbled_in_the_url(data_env, raw, expected, warned):
    at = open_meeting(slide=raw)
    assert not at.exception and shown_number(at) == expected
    assert bool(at.warning) == warned


def test_the_slide_shows_a_corrected_figure(data_env):
    at = open_meeting(slide="3")
    assert "26.9 万元" in slide(at)
    path = data_env / "indicators.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = (
        (rows.place_code == "V01") & (rows.year == "2025") & (rows.indicator == "collective_income")
    )
    rows.loc[mask, "value"] = "29.6"
    rows.to_csv(path, index=False)
    at.run()  # the live-data fragment reruns the page like this when the folder changes
    assert "29.6 万元" in slide(at) and "26.9 万元" not in slide(at)


def test_a_village_with_no_plan_and_no_figures_still_has_its_slide(data_env):
    (data_env / "plans.yaml").write_text("villages: {}\n", encoding="utf-8")
    at = open_meeting(slide="5")
    assert not at.exception
    assert "plans.yaml" in slide(at)


def test_english_slides(data_env):
    at = open_meeting(slide="1", lang="en")
    assert not at.exception
    assert "Qinghe Township (sample) at a glance" in slide(at)


def test_exports_are_offered_to_planners_only(data_env, tmp_path, monkeypatch):
    install_accounts(tmp_path, monkeypatch)
    clock = Clock()
    monkeypatch.setattr(auth, "clock", clock)
    keys = ["mtg_pptx", "mtg_sheets", "mtg_sheet"]
    anonymous = open_meeting(slide="3")
    assert not [b for b in anonymous.button if b.key in keys]
    assert any("规划员" in c.value for c in anonymous.caption)
    viewer = open_meeting("vic", clock, slide="3")
    assert not [b for b in viewer.button if b.key in keys]
    planner = open_meeting("pia", clock, slide="3")
    assert [planner.button(key=k).label for k in keys] == [
        "汇报 PPT",
        "全部村档案 PDF",
        "本村档案 PDF",
    ]
    # Made only when clicked, after the login is checked again on the server
    # (tests/test_downloads.py); the file names are tested in test_briefing.
    assert not planner.get("download_button")
