"""The wall map file: its name, and the bytes in the format asked (the page and the
command call the same function, so they give the same file for the same choices)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from township_atlas.briefing.files import safe_name
from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import pick
from township_atlas.text.labels import tr
from township_atlas.text.numbers import text
from township_atlas.wallmap.content import WallMapOptions
from township_atlas.wallmap.raster import PNG_DPI, png_from_pdf, tile_underlay
from township_atlas.wallmap.sheet import map_frame, wall_map_pdf

FORMATS: tuple[str, ...] = ("pdf", "png")
MIME = {"pdf": "application/pdf", "png": "image/png"}


def wall_map_file_name(bundle: Bundle, options: WallMapOptions, today: dt.date, fmt: str) -> str:
    """ "青禾乡(示例)_挂图_A0横向_2026-12-02.pdf" (the village's name added for one village)."""
    props = bundle.township_props
    lang = options.lang
    township = text(pick(lang, props.get("name_zh"), props.get("name_en"), fallback=True))
    if options.village:
        township += "_" + bundle.village_name(options.village, lang)
    paper = options.paper + tr(f"wall_{options.orientation}", lang)
    stem = tr("wall_file", lang).format(township=township, paper=paper, date=today.isoformat())
    return safe_name(stem) + "." + fmt


def wall_map_bytes(
    bundle: Bundle,
    options: WallMapOptions,
    today: dt.date,
    fmt: str = "pdf",
    *,
    tiles: Path | None = None,
    dpi: int = PNG_DPI,
) -> bytes:
    """The wall map as PDF or PNG (``dpi``) bytes, over local ``tiles`` when given.

    Raises
    ------
    WallMapError
        A choice the data cannot map, a tile folder without tiles, no pdftoppm for a PNG.
    """
    underlay = tile_underlay(tiles, map_frame(bundle, options)) if tiles is not None else None
    pdf = wall_map_pdf(bundle, options, today, underlay=underlay)
    return png_from_pdf(pdf, dpi) if fmt == "png" else pdf
