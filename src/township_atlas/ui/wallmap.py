"""The map page's "挂图 / Wall map" download: paper, orientation, extent, colouring, grid
and format, then the file made on the click for a planner or administrator (the role
checked on the server at the click, by :func:`township_atlas.ui.auth.export_button`)."""

from __future__ import annotations

import datetime as dt
import shutil

import streamlit as st

from township_atlas.authz import can
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import text
from township_atlas.ui.app_paths import static_dir
from township_atlas.ui.auth import current_user, export_button
from township_atlas.ui.chrome import show_error
from township_atlas.wallmap.content import WallMapOptions, validate
from township_atlas.wallmap.errors import WallMapError
from township_atlas.wallmap.files import FORMATS, MIME, wall_map_bytes, wall_map_file_name
from township_atlas.wallmap.layout import ORIENTATIONS, PAPERS
from township_atlas.wallmap.raster import tile_zooms

KEY = "wallmap"


def wall_map_download(
    bundle: Bundle, lang: str, *, indicator: str | None, year: int | None
) -> None:
    """The wall map's choices and its button, for those who may export (others see none;
    the click is checked again on the server)."""
    if not can(current_user(), "export"):
        return
    with st.expander(tr("wall_expander", lang), icon=":material/print:"):
        left, right = st.columns(2)
        paper = left.selectbox(
            tr("wall_paper", lang),
            list(PAPERS),
            key=f"{KEY}_paper",
            placeholder=tr("choose_placeholder", lang),
        )
        orientation = right.selectbox(
            tr("wall_orientation", lang),
            list(ORIENTATIONS),
            format_func=lambda o: tr(f"wall_{o}", lang),
            key=f"{KEY}_orientation",
            placeholder=tr("choose_placeholder", lang),
        )
        names = {
            str(code): text(pick(lang, zh, en, fallback=True))
            for code, zh, en in zip(
                bundle.villages["code"],
                bundle.villages["name_zh"],
                bundle.villages["name_en"],
                strict=True,
            )
        }
        extent = st.selectbox(
            tr("wall_extent", lang),
            ["", *names],
            format_func=lambda c: names.get(c) or tr("wall_whole", lang),
            key=f"{KEY}_village",
            placeholder=tr("choose_placeholder", lang),
        )
        colour = st.checkbox(
            tr("wall_with_indicator", lang),
            value=bool(indicator),
            disabled=not indicator,
            key=f"{KEY}_colour",
        )
        grid = st.checkbox(tr("wall_grid", lang), key=f"{KEY}_grid")
        tiles_dir = static_dir() / "tiles"
        tiles = tiles_dir if tile_zooms(tiles_dir) else None
        if tiles is not None and not st.checkbox(tr("wall_tiles", lang), key=f"{KEY}_tiles"):
            tiles = None
        # PNG is rendered by poppler's pdftoppm: offered only where it is installed.
        formats = [f for f in FORMATS if f == "pdf" or shutil.which("pdftoppm")]
        fmt = st.radio(
            tr("wall_format", lang),
            formats,
            format_func=lambda f: (
                pick(lang, "PDF(矢量)", "PDF (vector)")
                if f == "pdf"
                else pick(lang, "PNG(300 dpi)", "PNG (300 dpi)")
            ),
            horizontal=True,
            key=f"{KEY}_format",
        )
        options = WallMapOptions(
            paper=paper,
            orientation=orientation,
            village=extent or None,
            indicator=indicator if colour and indicator else None,
            year=year if colour and indicator else None,
            graticule=grid,
            lang=lang,
        )
        try:
            validate(bundle, options)
        except WallMapError as exc:
            show_error(exc, lang)
            return
        today = dt.date.today()
        export_button(
            tr("wall_make", lang),
            lambda: wall_map_bytes(bundle, options, today, fmt, tiles=tiles),
            key=f"{KEY}_make",
            file_name=wall_map_file_name(bundle, options, today, fmt),
            mime=MIME[fmt],
            lang=lang,
            icon=":material/print:",
        )
