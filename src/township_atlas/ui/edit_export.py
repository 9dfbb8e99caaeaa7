"""导出: any layer or the whole dataset as a file (GeoJSON, GeoPackage, Shapefile, KML, CSV,
Excel), checked on the server (the ``export`` action) when the file is made."""

from __future__ import annotations

import streamlit as st

from township_atlas import settings, transfer
from township_atlas.authz import PermissionDenied
from township_atlas.errors import AtlasError
from township_atlas.model.bundle import Bundle
from township_atlas.model.schema import LAYERS, LAYERS_BY_NAME
from township_atlas.text.labels import tr
from township_atlas.transfer.export import photos_over_limit
from township_atlas.ui.auth import allowed, current_user, require_action
from township_atlas.ui.chrome import show_error
from township_atlas.ui.data import current_store
from township_atlas.ui.edit_common import ProgressBar
from township_atlas.ui.text import md_escape

DATASET = "__dataset__"
FORMAT_LABELS = {
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shapefile": "Shapefile (.zip)",
    "kml": "KML",
    "csv": "CSV",
    "xlsx": "Excel (.xlsx)",
}


def export_tab(bundle: Bundle, lang: str) -> None:
    if not allowed("export"):
        show_error(PermissionDenied(current_user(), "export"), lang)
        return
    st.caption(tr("xfer_ui_export_help", lang))
    c1, c2, c3 = st.columns(3)
    what = c1.selectbox(
        tr("xfer_ui_export_what", lang),
        [DATASET, *[s.name for s in LAYERS]],
        format_func=lambda n: (
            tr("xfer_ui_dataset", lang) if n == DATASET else LAYERS_BY_NAME[n].label(lang)
        ),
        key="edit_export_what",
        placeholder=tr("choose_placeholder", lang),
    )
    formats = transfer.EXPORT_FORMATS if what == DATASET else transfer.export_formats(what)
    fmt = c2.selectbox(
        tr("xfer_ui_format", lang),
        formats,
        format_func=lambda f: FORMAT_LABELS.get(f, f),
        key="edit_export_format",
        placeholder=tr("choose_placeholder", lang),
    )
    headers = "field"
    if what != DATASET and fmt in ("csv", "xlsx"):
        headers = c3.selectbox(
            tr("xfer_ui_headers", lang),
            ["field", "zh", "en"],
            format_func=lambda h: tr(f"xfer_ui_headers_{h}", lang),
            key="edit_export_headers",
            placeholder=tr("choose_placeholder", lang),
        )
    if what != DATASET:
        for note in transfer.export_warnings(bundle, what, fmt):
            st.caption(md_escape(note.message(lang)))
    photo_limit, over = None, None
    if what == DATASET:
        # The zip is built in this process and Streamlit keeps it for the download: above
        # the setting the pictures stay out, and the planner is told before asking.
        try:
            photo_limit = settings.export_photo_max_mb() * 2**20
        except AtlasError as exc:
            show_error(exc, lang)
            return
        over = photos_over_limit(bundle, photo_limit)
        if over is not None:
            st.warning(md_escape(over.message(lang)), icon=":material/photo_library:")
    if not st.button(
        tr("xfer_ui_make_file", lang), icon=":material/file_export:", key="edit_export_make"
    ):
        return
    # The login is checked afresh (account re-read: disabled? role now? idle?) when the file
    # is made, and the file is offered in this run only: never kept in the session, so a
    # later run of a demoted or logged-out user cannot fetch it.
    if require_action("export", stop=False) is None:
        return
    try:
        progress = ProgressBar(tr("xfer_ui_exporting", lang))
        notes: list = []
        if what == DATASET:
            # The photo files are read from the store now, after the check above.
            name, data = transfer.export_dataset(
                bundle,
                fmt,
                progress=progress,
                lang=lang,
                photo_bytes=current_store().photo_file,
                notes=notes,
                photo_limit_bytes=photo_limit,
            )
        else:
            name, data = transfer.export_layer(
                bundle, what, fmt, headers=headers, progress=progress, lang=lang
            )
        progress.done()
    except AtlasError as exc:
        show_error(exc, lang)
        return
    for note in notes:
        if note.key == "xfer_export_photos_over_limit" and over is not None:
            continue  # said above the button already
        st.warning(md_escape(note.message(lang)), icon=":material/warning:")
    st.download_button(
        tr("xfer_ui_download", lang).format(name=name, kb=max(1, len(data) // 1024)),
        data,
        file_name=name,
        icon=":material/download:",
        on_click="ignore",
        type="primary",
    )
