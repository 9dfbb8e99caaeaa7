"""A slide's picture — its map or its chart — as PNG bytes, drawn locally."""

from __future__ import annotations

from township_atlas.briefing.chart_image import render_chart
from township_atlas.briefing.model import Slide
from township_atlas.briefing.static_map import render_map
from township_atlas.model.bundle import Bundle


def slide_picture(
    bundle: Bundle,
    slide: Slide,
    lang: str,
    *,
    width_in: float,
    height_in: float,
    dpi: int = 150,
    font_pt: float = 12.0,
) -> bytes | None:
    """The slide's chart if it has one, else its map, else None (``width_in`` ×
    ``height_in`` inches at ``dpi``; ``font_pt`` is the size of names and labels)."""
    if slide.chart is not None:
        return render_chart(
            slide.chart, lang, width_in=width_in, height_in=height_in, dpi=dpi, font_pt=font_pt
        )
    if slide.map is not None:
        return render_map(
            bundle,
            slide.map,
            lang,
            width_in=width_in,
            height_in=height_in,
            dpi=dpi,
            font_pt=font_pt,
        )
    return None
