"""Shared page chrome: language, title, sample-data notice, and errors shown plainly."""

from __future__ import annotations

import logging
import threading
from typing import Any, NoReturn

import streamlit as st

from township_atlas import settings
from township_atlas.errors import AtlasError, EmptyDataFolder
from township_atlas.maps.datafile import unpublish_all
from township_atlas.model.bundle import LoadResult
from township_atlas.onboard.steps import needs_setup
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.ui import app_paths
from township_atlas.ui.data import choose_township, chosen_township, load_current, townships
from township_atlas.ui.live import follow_data_changes
from township_atlas.ui.text import ERROR_SHOWN, md_escape

LANGS = {"zh": "中文", "en": "English"}
log = logging.getLogger(__name__)


_left_legacy_mode = False


def ensure_app_navigation() -> None:
    """Make sure app.py's navigation runs, not Streamlit's legacy multipage mode.

    With a ``pages/`` folder beside app.py, Streamlit 1.67 starts in its v1 multipage mode
    until some session calls st.navigation: a cold server whose first request is a shared
    link like ``/map?sel=…`` runs the page file alone — no chrome, no login gate, a menu
    of file names. Seeing that here, switch the mode off and rerun, which runs app.py and
    opens the same page through our navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    global _left_legacy_mode
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        # Once per process is enough on a server, where the flag then stays off. AppTest
        # resets it before every run; rerunning each time would swallow button clicks.
        if not _left_legacy_mode:
            _left_legacy_mode = True
            st.rerun()


def _accept_widget_state(metadata: Any, widget_state: Any) -> bool:
    """Whether a widget value the browser sent is one of this app's widgets' values."""
    from streamlit.runtime.state.common import is_element_id

    if metadata is None:
        # No widget drawn with this id (yet): only Streamlit's element ids ("$$ID-…") can
        # be one, e.g. after a reconnect; anything else (``auth_login``) is made up.
        return is_element_id(widget_state.id)
    sent = widget_state.WhichOneof("value")
    return sent == metadata.value_type or (sent, metadata.value_type) in _ALSO_ACCEPTED


# Kinds the browser sends for a widget registered as another, which Streamlit itself takes:
# an integer number box with no value yet (value=None) is registered as double_value, and
# the browser sends what is typed as int_value.
_ALSO_ACCEPTED = {("int_value", "double_value")}


def guard_widget_states() -> None:
    """Drop widget values the browser sends for widgets the app never drew, or of the
    wrong kind, before Streamlit stores them (once per process).

    A client may send a value under any id. Streamlit 1.67 keeps one whose id is not an
    element id (e.g. ``auth_login``), and the next widget the page draws fails reading
    the session's state (KeyError in ``SessionState.filtered_state``); a value of another
    kind than the widget's (JSON for a text box) fails its deserializer, also in a
    callback before the page runs. Either was a crash with a traceback. There is no public
    hook, so the one method every sent value goes through (``WStates.set_widget_from_proto``)
    is wrapped; Streamlit is pinned (constraints.txt) and tests/test_hostile_widgets.py
    proves the wrapper is in place and works.
    """
    from streamlit.runtime.state.session_state import WStates

    original = WStates.set_widget_from_proto
    if getattr(original, "_atlas_guard", False):
        return

    def set_widget_from_proto(self: Any, widget_state: Any) -> None:
        if _accept_widget_state(self.widget_metadata.get(widget_state.id), widget_state):
            original(self, widget_state)

    set_widget_from_proto._atlas_guard = True  # type: ignore[attr-defined]
    WStates.set_widget_from_proto = set_widget_from_proto  # type: ignore[method-assign]


guard_widget_states()


_start_up_lock = threading.Lock()
_started = False


def start_up_once() -> None:
    """Work done once per server process, at its first script run.

    With anonymous viewing off, the map's public data folder is emptied: files published
    while it was on (every layer, including features deleted since) would otherwise stay
    served to anyone who knows or guesses the name, with no login (issue 15).
    """
    global _started
    if _started:
        return
    with _start_up_lock:
        if _started:
            return
        try:
            public = settings.anonymous_viewing()
        except AtlasError:  # the page says what is wrong; meanwhile publish nothing
            public = False
        if not public:
            try:
                removed = unpublish_all(app_paths.static_dir())
            except OSError as exc:  # shown in the log; the next process start tries again
                log.error("Could not empty the public map data folder: %s", exc)
            else:
                if removed:
                    log.info("Anonymous viewing is off: removed %d public map data files", removed)
        _started = True


def current_lang(*, in_app: bool = False) -> str:
    """The session's language: from the URL (?lang=en), else the session, else the setting.

    Every page calls this first, so it also makes sure app.py's navigation is in charge
    (see :func:`ensure_app_navigation`); app.py itself passes ``in_app=True``: its own
    st.navigation call, later in the same run, takes care of that."""
    start_up_once()
    if not in_app:
        ensure_app_navigation()
    if "lang" not in st.session_state:
        from_url = st.query_params.get("lang")
        st.session_state["lang"] = from_url if from_url in LANGS else settings.default_lang()
    return st.session_state["lang"]


def _on_language_change() -> None:
    choice = st.session_state.get("lang_switch")
    if choice not in LANGS:  # clicking the selected option again clears it: keep the language
        st.session_state["lang_switch"] = st.session_state["lang"]
        return
    st.session_state["lang"] = choice
    if choice == "zh":
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = choice


def language_switch() -> None:
    """A sidebar control to switch language; the choice is kept in the URL for sharing."""
    lang = current_lang()
    if st.session_state.get("lang_switch") not in LANGS:
        st.session_state["lang_switch"] = lang
    st.sidebar.segmented_control(
        tr("language", lang),
        options=list(LANGS),
        format_func=LANGS.get,
        key="lang_switch",
        on_change=_on_language_change,
    )


def township_switch(lang: str) -> None:
    """County → township: a sidebar choice when the storage holds several townships (a
    county's PostGIS database); every page then shows the chosen one."""
    try:
        options = townships()
    except AtlasError:
        return  # the page itself says what is wrong with the storage
    if len(options) < 2:
        return
    names = {t.code: t.name for t in options}
    current = chosen_township()
    if current not in names:
        current = options[0].code
    st.session_state["township_switch"] = current
    st.sidebar.selectbox(
        tr("township_switch", lang).format(n=len(options)),
        options=list(names),
        format_func=lambda c: f"{names[c]}({c})",
        key="township_switch",
        on_change=lambda: choose_township(st.session_state["township_switch"]),
        placeholder=tr("choose_placeholder", lang),
    )


# On a phone (Streamlit stacks columns below 640 px) Streamlit's headings are sized for a
# desk: a page title took three lines of a 390 px screen. Sized down there only.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 1rem; padding-right: 1rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.5rem; line-height: 1.3; }
  [data-testid="stMainBlockContainer"] h2 { font-size: 1.3rem; }
  [data-testid="stMainBlockContainer"] h3 { font-size: 1.15rem; }
  [data-testid="stMainBlockContainer"] h4 { font-size: 1.05rem; }
  [data-testid="stMetricValue"] { font-size: 1.6rem; }
}
</style>"""


def phone_layout() -> None:
    """Headings and margins for a phone's width (a style only: it takes no room)."""
    st.html(PHONE_CSS)


def page_header(title: str, *, sample: bool, lang: str) -> None:
    """Title and, for sample data, a notice that the figures are fictional.

    First it checks that this session may view data at all, and stops the page if not:
    app.py's navigation is not enough on its own, because while a ``pages/`` folder sits
    beside app.py, Streamlit's legacy multipage mode can run a page script without app.py
    (a cold server's first request for ``/overview``, say).
    """
    from township_atlas.ui.auth import require_action  # here: auth imports this module

    require_action("view")
    st.title(title)
    if sample:  # one short line under the title, not a box: the map needs the height
        st.caption(
            ":blue[:material/info:] " + tr("sample_notice_short", lang),
            help=tr("sample_notice", lang),
        )


def show_error(exc: AtlasError, lang: str, title_key: str | None = None) -> None:
    """An error for the user: Chinese first, what is wrong and what to do."""
    title = tr(title_key, lang) + ":" if title_key else ""
    # Messages name files, values and features from outside: shown as text.
    st.error(title + md_escape(exc.message(lang), ERROR_SHOWN), icon=":material/error:")


def to_setup(title_key: str, lang: str) -> NoReturn:
    """No township to show yet: planners go to the set-up guide, others get a notice."""
    from township_atlas.ui.auth import require_action  # here: auth imports this module
    from township_atlas.ui.setup_guide import send_to_guide

    require_action("view")
    st.title(tr(title_key, lang))
    send_to_guide(lang)


def start_page(title_key: str) -> tuple[str, LoadResult]:
    """Every page's start: the language, the current data, and the title with the
    township's name and the sample notice. If the data folder cannot be opened, the page
    says why and stops; while there is no township yet (an empty or missing folder, no
    boundary), planners are sent to the set-up guide and anyone else is told to come back
    later."""
    lang = current_lang()
    try:
        result = load_current()
    except EmptyDataFolder:  # a township still to set up: the guide, or a notice
        to_setup(title_key, lang)
    except AtlasError as exc:
        st.title(tr(title_key, lang))
        show_error(exc, lang, "data_folder_error")
        st.stop()
    if needs_setup(result.bundle):
        to_setup(title_key, lang)
    props = result.bundle.township_props
    name = props.get(pick(lang, "name_zh", "name_en")) or tr("app_title", lang)
    page_header(
        f"{md_escape(name)} · {tr(title_key, lang)}", sample=bool(props.get("sample")), lang=lang
    )
    follow_data_changes(result.fingerprint)
    return lang, result
