"""One place for the map's colours and symbols (and the charts', so they agree)."""

from __future__ import annotations

PARTY_RED = "#C8161D"
TOWNSHIP_LINE = "#5D4037"
VILLAGE_LINE = "#6D4C41"
VILLAGE_FILL = "#FBF7EF"
CHAIN_COLOUR = "#00838F"
BACKGROUND = "#EEF1EC"  # the offline background around the township

# Site kind -> (shape, fill colour). Shapes differ as well as colours, so the symbols are
# told apart on a grey projector and by colour-blind readers.
SITE_SYMBOLS: dict[str, tuple[str, str]] = {
    "industry_base": ("square", "#2E7D32"),
    "demo_base": ("star", "#EF6C00"),
    "wealth_project": ("diamond", "#C49000"),
    "cooperative": ("circle", "#1565C0"),
    "market": ("triangle", "#6A1B9A"),
}
# Party organisations: a red disc with one character, sized by level.
ORG_SYMBOLS: dict[str, tuple[str, str, int]] = {
    "committee": ("委", "Cttee", 30),
    "branch": ("支", "Br", 24),
    "group": ("组", "Gp", 18),
}

# Sequential classes for indicator values (light to dark), and red/amber/green.
SEQUENTIAL = ["#FFF3E0", "#FFCC80", "#FFA726", "#EF6C00", "#B23C17"]
RAG = {"green": "#2E7D32", "amber": "#F9A825", "red": "#C62828", "none": "#BDBDBD"}
# Status is never told by colour alone: each has a mark that survives greyscale, and that
# CJK fonts have (colour emoji such as 🟢 show as empty boxes without an emoji font).
RAG_MARKS: dict[str, str] = {"green": "✓", "amber": "!", "red": "✗"}
