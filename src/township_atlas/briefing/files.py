"""Names of the briefing files: township, what it is, and the date (safe on every OS)."""

from __future__ import annotations

import re

from township_atlas.briefing.model import Deck
from township_atlas.text.labels import tr

# Characters Windows does not allow in file names, control characters, and whitespace.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')

MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


def safe_name(text: str) -> str:
    """``text`` usable as a file name: unsafe characters become "_", at most 120 long."""
    return _UNSAFE.sub("_", text).strip("._ ")[:120] or "briefing"


def deck_file_name(deck: Deck) -> str:
    """ "青禾乡(示例)_会议汇报_2026-05-04.pptx"."""
    stem = tr("mtg_file_deck", deck.lang).format(township=deck.township, date=deck.made)
    return safe_name(stem) + ".pptx"


def sheets_file_name(deck: Deck, village: str | None = None) -> str:
    """The village sheets' PDF: every village, or one (``village`` is its name)."""
    if village is None:
        stem = tr("mtg_file_sheets", deck.lang).format(township=deck.township, date=deck.made)
    else:
        stem = tr("mtg_file_sheet", deck.lang).format(
            township=deck.township, village=village, date=deck.made
        )
    return safe_name(stem) + ".pdf"
