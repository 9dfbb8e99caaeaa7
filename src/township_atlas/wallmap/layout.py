"""Where everything goes on the sheet, in millimetres, for each paper size and orientation.

The sheet is a title band across the top, the map frame, and a panel (right of the map in
landscape, below it in portrait) holding the legend, the headline figures and the village
table, with a footer line (data year, source, date, scale) at the bottom. Text sizes are
given as the height of the type's em in millimetres; the smallest, :attr:`Layout.text_mm`,
is chosen per paper so that the sheet reads at the distance it hangs from
(:data:`MIN_TEXT_MM`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from township_atlas.wallmap.errors import WallMapError

Paper = Literal["A0", "A1", "A2", "A3"]
Orientation = Literal["landscape", "portrait"]

#: ISO 216 sizes, short × long side, millimetres.
PAPERS: dict[str, tuple[float, float]] = {
    "A0": (841.0, 1189.0),
    "A1": (594.0, 841.0),
    "A2": (420.0, 594.0),
    "A3": (297.0, 420.0),
}
ORIENTATIONS: tuple[str, ...] = ("landscape", "portrait")
#: Smallest text on the sheet (em height, mm) per paper: about 1/250 of the distance the
#: sheet is read from (A0 on a wall from 1 m, A3 on a desk or notice board from 0.6 m).
MIN_TEXT_MM: dict[str, float] = {"A0": 4.0, "A1": 3.4, "A2": 2.9, "A3": 2.5}
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Box:
    """A rectangle on the sheet: left, top, width, height in millimetres."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Layout:
    """The sheet's size and the boxes of its parts (millimetres, origin top left)."""

    paper: str
    orientation: str
    width: float
    height: float
    margin: float
    text_mm: float  # the smallest text, em height
    title: Box
    map: Box
    panel: Box
    footer: Box

    @property
    def landscape(self) -> bool:
        return self.orientation == "landscape"

    def pt(self, times: float = 1.0) -> float:
        """A text size in points: ``times`` the smallest text."""
        return self.text_mm * times * PT_PER_MM

    def mm(self, times: float = 1.0) -> float:
        """A length in millimetres: ``times`` the smallest text's height."""
        return self.text_mm * times


def check_choice(paper: str, orientation: str) -> None:
    """Raise :class:`WallMapError` for a paper or orientation we do not print."""
    if paper not in PAPERS:
        raise WallMapError("wall_err_paper", paper=paper)
    if orientation not in ORIENTATIONS:
        raise WallMapError("wall_err_orientation", orientation=orientation)


def layout(paper: str, orientation: str) -> Layout:
    """The boxes of a ``paper`` sheet (A0–A3) in ``orientation`` (landscape/portrait).

    Raises
    ------
    WallMapError
        An unknown paper size or orientation.
    """
    check_choice(paper, orientation)
    short, long = PAPERS[paper]
    width, height = (long, short) if orientation == "landscape" else (short, long)
    text = MIN_TEXT_MM[paper]
    margin = round(max(8.0, short * 0.02), 1)
    gap = text * 2.0
    title_h = text * 11.0
    footer_h = text * 2.2
    inner_w = width - 2 * margin
    body_top = margin + title_h + gap
    body_h = height - body_top - margin - footer_h - gap
    title = Box(margin, margin, inner_w, title_h)
    footer = Box(margin, height - margin - footer_h, inner_w, footer_h)
    if orientation == "landscape":
        panel_w = max(inner_w * 0.27, text * 60)
        map_box = Box(margin, body_top, inner_w - panel_w - gap, body_h)
        panel = Box(map_box.right + gap, body_top, panel_w, body_h)
    else:
        panel_h = max(body_h * 0.30, text * 50)
        map_box = Box(margin, body_top, inner_w, body_h - panel_h - gap)
        panel = Box(margin, map_box.bottom + gap, inner_w, panel_h)
    return Layout(paper, orientation, width, height, margin, text, title, map_box, panel, footer)
