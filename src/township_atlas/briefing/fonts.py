"""The Chinese font for drawn maps, charts and PDFs: found on the system, never shipped.

matplotlib's font manager (which reads the fonts fontconfig knows) is asked for the first
installed family of :data:`PREFERRED`; the result names the file and, for a collection
(``.ttc``), the face in it, which fpdf2 needs to embed a subset. Without any CJK font the
error names the Debian package to install.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from township_atlas.errors import AtlasError
from township_atlas.text.labels import TEXT

#: CJK sans-serif families in order of preference (Simplified Chinese forms first).
PREFERRED: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
)
#: Latin fallback for glyphs the CJK font lacks (matplotlib ships DejaVu Sans).
LATIN_FALLBACK = "DejaVu Sans"


class FontMissingError(AtlasError):
    """No Chinese (CJK) font is installed to draw maps and write PDFs."""

    def __init__(self) -> None:
        super().__init__(*TEXT["mtg_font_missing"])


@dataclass(frozen=True)
class CjkFont:
    """An installed CJK family: regular and bold files with their face index."""

    family: str
    regular: Path
    regular_index: int
    bold: Path
    bold_index: int


def _weight(entry) -> int:
    from matplotlib.font_manager import weight_dict

    w = entry.weight
    return int(w) if isinstance(w, int | float) else int(weight_dict.get(str(w), 400))


@functools.cache
def cjk_font() -> CjkFont:
    """The first installed family of :data:`PREFERRED` (cached for the process).

    Raises
    ------
    FontMissingError
        None is installed (Debian: ``apt-get install fonts-noto-cjk``).
    """
    from matplotlib import font_manager

    entries = [e for e in font_manager.fontManager.ttflist if e.style == "normal"]
    for family in PREFERRED:
        found = [e for e in entries if e.name == family and Path(e.fname).exists()]
        if not found:
            continue
        regular = min(found, key=lambda e: abs(_weight(e) - 400))
        bold = min(found, key=lambda e: abs(_weight(e) - 700))
        return CjkFont(
            family=family,
            regular=Path(regular.fname),
            regular_index=int(getattr(regular, "index", 0) or 0),
            bold=Path(bold.fname),
            bold_index=int(getattr(bold, "index", 0) or 0),
        )
    raise FontMissingError()


def font_properties(*, bold: bool = False, size: float | None = None):
    """matplotlib FontProperties for the CJK family, falling back to DejaVu for symbols."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(
        family=[cjk_font().family, LATIN_FALLBACK],
        weight="bold" if bold else "normal",
        size=size,
    )
