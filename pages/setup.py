"""建立本乡数据: the guide from an empty data folder to a checked township, for planners and
administrators; anyone else is told the township is being set up (or refused, once it is)."""

import streamlit as st

from township_atlas.errors import AtlasError
from township_atlas.onboard import needs_setup
from township_atlas.text.labels import tr
from township_atlas.ui.auth import allowed, require_action
from township_atlas.ui.chrome import current_lang
from township_atlas.ui.data import load_current
from township_atlas.ui.setup_guide import setup_guide, setup_notice

lang = current_lang()
require_action("view")
st.title(tr("page_setup", lang))
if not allowed("edit"):
    try:
        being_set_up = needs_setup(load_current().bundle)
    except AtlasError:  # an empty or missing folder (or one that cannot be opened)
        being_set_up = True
    if being_set_up:
        setup_notice(lang)
        st.stop()
    require_action("edit")  # the township is set up: the plain refusal, saying who may
setup_guide(lang)
