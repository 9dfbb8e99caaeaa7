"""One way for tests to open the app in Streamlit's AppTest: log in, set the URL's query,
run the home page, switch to a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def log_in(at: AppTest, name: str, *, last_seen: float = 0.0) -> AppTest:
    """Start ``at``'s session logged in as the local account ``name`` (epoch 0: an account
    whose password was never reset), last active at ``last_seen``."""
    from township_atlas.ui import auth

    at.session_state[auth.LOGIN_KEY] = {
        "source": "local",
        "name": name,
        "epoch": 0,
        "last_seen": last_seen,
    }
    return at


def open_page(
    page: str | None = None,
    *,
    login_as: str | None = None,
    last_seen: float = 0.0,
    query: dict[str, Any] | None = None,
    direct: bool = False,
    secrets: dict[str, Any] | None = None,
    script: str = "app.py",
    timeout: float = 60,
) -> AppTest:
    """The app (``script``, relative to the repository) opened and run.

    ``login_as``/``last_seen``: see :func:`log_in`. ``query``: the URL's parameters.
    ``secrets``: entries of ``.streamlit/secrets.toml``. Without ``page`` the home page runs.
    With ``page``, the home page runs first and then the session switches to ``page`` with
    the same query, as a user following the menu; with ``direct=True`` the page is opened
    at once, as a shared link does (the home page, which rewrites parameters it also uses,
    never runs).
    """
    at = AppTest.from_file(str(ROOT / script), default_timeout=timeout)
    if login_as:
        log_in(at, login_as, last_seen=last_seen)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    query = query or {}
    for key, value in query.items():
        at.query_params[key] = value
    if page is None:
        return at.run()
    if not direct:
        at.run()
        for key, value in query.items():  # the first run was the home page's
            at.query_params[key] = value
    return at.switch_page(page).run()
