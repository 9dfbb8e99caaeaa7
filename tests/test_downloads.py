"""AppTest: every download is made only when its button is clicked, after this session's
login is checked afresh on the server. A user demoted, disabled, or idle past the limit
between the page being drawn and the click gets a refusal and no file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from township_atlas.accounts import AccountStore
from township_atlas.ui import auth

from .accounts_helpers import CONSOLE, Clock, fast_hasher, install_accounts

ROOT = Path(__file__).resolve().parent.parent
# (page, query, the button's key, what the file's name ends with)
DOWNLOADS = [
    ("pages/indicators.py", {"year": "2025"}, "indicators_xlsx", ".xlsx"),
    ("pages/indicators.py", {"year": "2025"}, "indicators_csv", ".csv"),
    ("pages/meeting.py", {"slide": "5"}, "mtg_pptx", ".pptx"),
    ("pages/meeting.py", {"slide": "5"}, "mtg_sheets", ".pdf"),
    ("pages/meeting.py", {"slide": "5"}, "mtg_sheet", ".pdf"),
    ("pages/indicators.py", {"year": "2025"}, "indicators_template", ".xlsx"),
]


@pytest.fixture
def accounts(data_env, tmp_path, monkeypatch) -> AccountStore:
    path = install_accounts(tmp_path, monkeypatch)
    return AccountStore(path, hasher=fast_hasher())


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth, "clock", clock)
    return clock


def drawn_for(page: str, query: dict[str, str], clock: Clock) -> AppTest:
    """``page`` drawn for pia, a planner who may export."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[auth.LOGIN_KEY] = {
        "source": "local",
        "name": "pia",
        "epoch": 0,
        "last_seen": clock(),
    }
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def click(at: AppTest, key: str) -> AppTest:
    """Click the button as the browser would, even if this run would no longer draw it."""
    at.button(key=key).click()
    return at.run()


@pytest.mark.parametrize(("page", "query", "key", "suffix"), DOWNLOADS)
def test_the_file_is_made_on_the_click_for_a_planner(accounts, clock, page, query, key, suffix):
    at = drawn_for(page, query, clock)
    assert not at.get("download_button")  # nothing made before the click
    click(at, key)
    assert not at.exception
    (made,) = at.get("download_button")
    assert made.proto.label.endswith(suffix)
    assert made.proto.url and not made.proto.deferred_file_id  # made now, not later


def change_account(store: AccountStore, how: str, clock: Clock) -> None:
    if how == "demoted":
        store.set_role("pia", "viewer", actor=CONSOLE)
    elif how == "disabled":
        store.set_disabled("pia", True, actor=CONSOLE)
    else:
        clock.advance(10 * 24 * 3600)  # far past session_idle_minutes


@pytest.mark.parametrize("how", ["demoted", "disabled", "idle"])
@pytest.mark.parametrize(("page", "query", "key", "suffix"), DOWNLOADS[::2])
def test_a_user_changed_before_the_click_gets_no_file(
    accounts, clock, how, page, query, key, suffix
):
    at = drawn_for(page, query, clock)
    change_account(accounts, how, clock)
    click(at, key)
    assert not at.exception
    assert not at.get("download_button"), "a file was made"
    refusal = " ".join(
        e.value for kind in ("error", "caption", "info") for e in at.get(kind)
    ) + " ".join(e.value for e in at.sidebar.info)
    assert "规划员" in refusal or "登录" in refusal or "过期" in refusal or "长时间" in refusal, (
        refusal
    )


def _export_script() -> None:
    # Draws the button whatever the user: the click's own check is what is tested.
    import streamlit as st

    from township_atlas.ui.auth import export_button

    made = export_button(
        "下载", lambda: b"secret figures", key="x", file_name="x.csv", mime="text/csv", lang="zh"
    )
    st.session_state["made"] = made


@pytest.mark.parametrize("how", ["demoted", "disabled", "idle"])
def test_the_click_itself_is_checked_on_the_server(accounts, clock, how):
    at = AppTest.from_function(_export_script, default_timeout=30)
    at.session_state[auth.LOGIN_KEY] = {
        "source": "local",
        "name": "pia",
        "epoch": 0,
        "last_seen": clock(),
    }
    at.run()
    click(at, "x")
    assert at.session_state["made"] and at.get("download_button")  # a planner gets it
    at.run()
    assert not at.get("download_button")  # offered for that run only
    change_account(accounts, how, clock)
    click(at, "x")
    assert not at.exception
    assert at.session_state["made"] is False and not at.get("download_button")
    assert at.error and "规划员" in at.error[0].value


def _edit_export_tab(clock: Clock) -> AppTest:
    at = drawn_for("pages/edit.py", {}, clock)
    at.segmented_control[0].set_value("export").run()
    assert not at.exception
    return at


def test_the_edit_pages_export_is_offered_in_the_run_that_made_it_only(accounts, clock):
    at = _edit_export_tab(clock)
    click(at, "edit_export_make")
    assert not at.exception
    assert at.get("download_button"), "a planner gets the file"
    at.run()
    assert not at.get("download_button"), "the file stays in the session"


@pytest.mark.parametrize("how", ["demoted", "disabled", "idle"])
def test_the_edit_pages_export_checks_the_user_at_the_click(accounts, clock, how):
    at = _edit_export_tab(clock)
    change_account(accounts, how, clock)
    click(at, "edit_export_make")
    assert not at.exception
    assert not at.get("download_button"), "a file was made"


def test_the_dataset_export_with_a_lost_picture_is_made_and_the_page_says_which(
    accounts, clock, data_env
):

    from township_atlas.storage.files.store import Store
    from township_atlas.transfer.photo_add import PhotoQuota, add_photos_change, prepare_photo

    from .photo_images import encoded

    store = Store(data_env)
    bundle = store.load().bundle
    photo = prepare_photo(
        store, bundle, "sites", "S001", "a.png", encoded("PNG"), quota=PhotoQuota()
    )
    store.save(add_photos_change(store, bundle, "sites", "S001", [photo], user="pia"))
    (data_env / photo.file).unlink()
    at = _edit_export_tab(clock)
    click(at, "edit_export_make")
    assert not at.exception
    (warning,) = at.warning
    assert photo.file in warning.value and "README.txt" in warning.value
    (made,) = at.get("download_button")
    assert made.proto.label.endswith("KB)")
