"""会议汇报: the township walked through on the projector, one full-screen slide at a time.

The slide number is in the URL (``?slide=3``), so a reload stays on the slide. Buttons and
the keys a presenter clicker sends (← →, Page Up / Page Down, Home / End) turn the pages.
Streamlit's own chrome is hidden; a small bar at the foot leads back and holds the menu
(go to a slide, downloads for planners). The slides follow the data like every page.
"""

import datetime as dt

import streamlit as st

from township_atlas.briefing.files import MIME, deck_file_name, sheets_file_name
from township_atlas.briefing.html import CSS, slide_html
from township_atlas.briefing.model import Deck, Slide
from township_atlas.briefing.pdf_export import village_sheets_pdf
from township_atlas.briefing.pictures import slide_picture
from township_atlas.briefing.pptx_export import deck_pptx
from township_atlas.briefing.slides import build_deck
from township_atlas.errors import AtlasError, EmptyDataFolder
from township_atlas.model.bundle import LoadResult
from township_atlas.onboard import needs_setup
from township_atlas.text.labels import tr
from township_atlas.ui.auth import allowed, export_button, require_action
from township_atlas.ui.chrome import current_lang, show_error, to_setup
from township_atlas.ui.data import current_store, load_current
from township_atlas.ui.live import follow_data_changes
from township_atlas.ui.setup_guide import missing_note
from township_atlas.ui.text import url_value

# Streamlit's header, toolbar and sidebar hidden; the slide uses the whole screen.
CHROME_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.4rem 1rem 0 !important; max-width: 100% !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.3rem; }
.st-key-mtg_keys { display: none !important; }
.st-key-mtg_nav { opacity: 0.55; }
.st-key-mtg_nav:hover, .st-key-mtg_nav:focus-within { opacity: 1; }
</style>
"""


@st.cache_resource(max_entries=4, show_spinner=False)
def _deck(_result: LoadResult, fingerprint: str, lang: str, today: dt.date) -> Deck:
    # One deck per data version, language and day, shared by every session.
    return build_deck(_result.bundle, lang, today)


@st.cache_resource(max_entries=64, show_spinner=False)
def _picture(_result: LoadResult, _slide: Slide, fingerprint: str, lang: str, key: str):
    return slide_picture(
        _result.bundle, _slide, lang, width_in=8.0, height_in=7.4, dpi=120, font_pt=13
    )


def _go(n: int) -> None:
    st.query_params["slide"] = str(n + 1)


def _go_to_chosen() -> None:
    _go(int(st.session_state["mtg_goto"]))


lang = current_lang()
try:
    result = load_current()
except EmptyDataFolder:  # no township yet: planners to the set-up guide, others a notice
    to_setup("page_meeting", lang)
except AtlasError as exc:
    st.title(tr("page_meeting", lang))
    show_error(exc, lang, "data_folder_error")
    st.stop()
if needs_setup(result.bundle):
    to_setup("page_meeting", lang)
require_action("view")
follow_data_changes(result.fingerprint)
missing_note(result.bundle, lang, ("villages", "sites", "party_orgs", "indicators"))
st.html(CHROME_CSS + CSS)

deck = _deck(result, result.fingerprint, lang, dt.date.today())
total = len(deck.slides)
raw = st.query_params.get("slide", "1")
index = deck.slide_index(raw)
if index is None:
    index = 0
    st.warning(
        tr("url_rejected", lang).format(param="slide", value=url_value(raw)),
        icon=":material/link_off:",
    )

slide = deck.slides[index]
# The village's photos are read by the server from the store, only for someone allowed to
# view (checked above and again here), and embedded in the slide; never from static/.
photo_bytes = current_store().photo_file if allowed("view") is not None else None
st.html(
    slide_html(
        deck,
        index,
        lambda s: _picture(result, s, result.fingerprint, lang, s.key),
        photo_bytes,
    )
)

last = total - 1
with st.container(horizontal=True, key="mtg_nav", vertical_alignment="center", gap="small"):
    st.page_link("pages/map.py", label=tr("mtg_exit", lang), icon=":material/close:")
    st.space("stretch")
    st.button(
        tr("mtg_prev", lang),
        icon=":material/chevron_left:",
        shortcut="Left",
        on_click=_go,
        args=(max(index - 1, 0),),
        disabled=index == 0,
        key="mtg_prev",
    )
    st.markdown(f"**{deck.number(index)}**", width="content")
    st.button(
        tr("mtg_next", lang),
        icon=":material/chevron_right:",
        shortcut="Right",
        on_click=_go,
        args=(min(index + 1, last),),
        disabled=index == last,
        key="mtg_next",
    )
    st.space("stretch")
    with st.popover(tr("mtg_menu", lang), icon=":material/more_horiz:"):
        st.session_state["mtg_goto"] = index
        st.selectbox(
            tr("mtg_go_to", lang),
            range(total),
            format_func=lambda i: f"{i + 1}. {deck.slides[i].title}",
            key="mtg_goto",
            on_change=_go_to_chosen,
            placeholder=tr("choose_placeholder", lang),
        )
        st.caption(tr("mtg_keys_help", lang))
        if allowed("export") is None:
            st.caption(tr("mtg_export_needs_planner", lang))
        else:
            # Each file is made only when its button is clicked, after checking the
            # login afresh on the server (ui/auth.py export_button).
            export_button(
                tr("mtg_download_pptx", lang),
                lambda: deck_pptx(result.bundle, deck, photo_bytes),
                key="mtg_pptx",
                file_name=deck_file_name(deck),
                mime=MIME["pptx"],
                lang=lang,
            )
            export_button(
                tr("mtg_download_sheets", lang),
                lambda: village_sheets_pdf(result.bundle, deck, None, photo_bytes),
                key="mtg_sheets",
                file_name=sheets_file_name(deck),
                mime=MIME["pdf"],
                lang=lang,
            )
            if slide.kind == "village":
                name = result.bundle.village_name(slide.village_code, lang)
                export_button(
                    tr("mtg_download_sheet", lang),
                    lambda: village_sheets_pdf(
                        result.bundle, deck, [slide.village_code], photo_bytes
                    ),
                    key="mtg_sheet",
                    file_name=sheets_file_name(deck, name),
                    mime=MIME["pdf"],
                    lang=lang,
                )

# The keys a presenter clicker sends, and Home / End; hidden, the bar above has the buttons.
with st.container(key="mtg_keys"):
    for key, shortcut, target in (
        ("mtg_page_down", "PageDown", min(index + 1, last)),
        ("mtg_page_up", "PageUp", max(index - 1, 0)),
        ("mtg_home", "Home", 0),
        ("mtg_end", "End", last),
    ):
        st.button(key, key=key, shortcut=shortcut, on_click=_go, args=(target,))
