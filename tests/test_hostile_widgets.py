"""AppTest: widget values a client sends cannot crash a page, and a crash shows users no
traceback or server path (``client.showErrorDetails``) while the log keeps the detail."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from township_atlas.ui import auth

from .accounts_helpers import install_accounts

ROOT = Path(__file__).resolve().parent.parent
# Ids the app uses as session-state keys, and one it never uses.
FOREIGN_IDS = [auth.LOGIN_KEY, "login_refused", "no_such_widget"]
VALUES = [
    ("string_value", "x"),
    ("json_value", '{"source": "local"}'),
    ("int_value", 3),
    ("bool_value", True),
]


def send(at: AppTest, wid: str, kind: str, value) -> AppTest:
    """Rerun ``at`` as if the browser had sent ``value`` for widget ``wid``."""
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = wid
    setattr(widget, kind, value)
    return at._run(states)


@pytest.mark.parametrize("page", ["pages/login.py", "pages/map.py", "pages/meeting.py"])
def test_client_sent_widget_ids_do_not_crash_the_page(data_env, tmp_path, monkeypatch, page):
    install_accounts(tmp_path, monkeypatch)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    at.run()
    assert not at.exception
    for wid in FOREIGN_IDS:
        for kind, value in VALUES:
            send(at, wid, kind, value)
            assert not at.exception, (wid, kind, at.exception)
            at._run(at._tree.get_widget_states())  # and the run after it
            assert not at.exception, (wid, kind, at.exception)
    assert auth.LOGIN_KEY not in at.session_state  # nobody was logged in by it


def test_wrong_typed_values_for_the_login_form_do_not_crash_or_log_in(
    data_env, tmp_path, monkeypatch
):
    install_accounts(tmp_path, monkeypatch)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/login.py")
    at.run()
    ids = [w.id for w in at._tree.get_widget_states().widgets] + [e.id for e in at.text_input]
    assert ids
    for wid in ids:
        for kind, value in VALUES:
            send(at, wid, kind, value)
            assert not at.exception, (wid, kind, at.exception)
    assert auth.LOGIN_KEY not in at.session_state


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text += self.format(record) + "\n"


def test_users_see_no_error_details_and_the_log_keeps_them(capfd):
    declared = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert declared["client"]["showErrorDetails"] == "none"
    assert declared["client"]["showErrorDetails"] in set(config.ShowErrorDetailsConfigOptions)
    assert config.get_option("client.showErrorDetails") == "none"  # read from the same file
    at = AppTest.from_string("raise ValueError('/srv/secret/path.py is broken')")
    records = _Records()
    logger = logging.getLogger("streamlit.error_util")
    logger.addHandler(records)
    try:
        at.run()
    finally:
        logger.removeHandler(records)
    shown = str(at.exception[0].proto)
    assert "/srv/secret" not in shown and "ValueError" not in shown
    assert not at.exception[0].stack_trace
    # Streamlit logs it through logging, or with rich to the console (logger.enableRich).
    out, err = capfd.readouterr()
    logged = records.text + out + err
    assert "/srv/secret/" in logged and "path.py" in logged and "ValueError" in logged


def test_the_widget_guard_is_installed():
    from streamlit.runtime.state.session_state import WStates

    assert getattr(WStates.set_widget_from_proto, "_atlas_guard", False)


def _empty_whole_number_box() -> None:
    import streamlit as st

    import township_atlas.ui.chrome  # noqa: F401  (installs the guard)

    value = st.number_input("n", min_value=0, value=None, step=1, key="n")
    st.markdown(f"value={value!r}")


def test_a_whole_number_typed_into_an_empty_number_box_is_kept():
    # Registered as double_value, sent by the browser as int_value (the set-up guide's
    # figures, the import's EPSG code): the guard must let it through.
    at = AppTest.from_function(_empty_whole_number_box, default_timeout=30).run()
    wid = at.number_input(key="n").id
    send(at, wid, "int_value", 7)
    assert not at.exception
    assert at.markdown[-1].value == "value=7"
    send(at, wid, "string_value", "7")  # a kind Streamlit would not take is still dropped
    assert not at.exception
    assert at.markdown[-1].value == "value=7"
