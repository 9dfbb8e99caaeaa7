"""数据编辑: planners change the geodata — on the map, in tables, by importing files — and
see every change recorded, undoable and restorable. Viewers are refused on the server."""

import streamlit as st

from township_atlas.text.labels import tr
from township_atlas.ui.auth import require_action
from township_atlas.ui.chrome import start_page
from township_atlas.ui.edit_common import show_flash
from township_atlas.ui.edit_export import export_tab
from township_atlas.ui.edit_feature import feature_tab
from township_atlas.ui.edit_history import history_tab
from township_atlas.ui.edit_import import import_tab
from township_atlas.ui.edit_tables import tables_tab

lang, result = start_page("page_edit")
require_action("edit")
bundle = result.bundle
if result.errors:
    st.warning(
        tr("edit_data_has_errors", lang).format(n=len(result.errors)), icon=":material/rule:"
    )
show_flash()

TABS = {
    "map": ("edit_tab_map", feature_tab),
    "tables": ("edit_tab_tables", tables_tab),
    "import": ("edit_tab_import", import_tab),
    "export": ("edit_tab_export", export_tab),
    "history": ("edit_tab_history", history_tab),
}
# A link may open a tab (the set-up guide links to ?tab=import); anything else: the map.
linked = st.query_params.get("tab")
tab = (
    st.segmented_control(
        tr("edit_tab", lang),
        list(TABS),
        format_func=lambda k: tr(TABS[k][0], lang),
        default=linked if linked in TABS else "map",
        key="edit_tab",
        label_visibility="collapsed",
    )
    or "map"
)
TABS[tab][1](bundle, lang)
