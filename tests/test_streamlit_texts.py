"""Streamlit's own English texts a Chinese user could meet, kept away where Streamlit
allows it (README, "Streamlit texts that stay English")."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "src").rglob("*.py")]
CACHE = re.compile(r"@st\.cache_(?:data|resource)(\([^)]*\))?")


def test_no_cached_function_shows_streamlits_english_spinner():
    """A cache miss would show "Running `function(...)`." in English."""
    found = []
    for path in SOURCES:
        for match in CACHE.finditer(path.read_text("utf-8")):
            if "show_spinner=False" not in (match.group(1) or ""):
                found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not found, found


def test_no_main_menu_and_no_english_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    client = config["client"]
    assert client["toolbarMode"] == "minimal"  # Print, Settings, About: English only
    assert client["showErrorDetails"] == "none"
    assert client["disableDataExport"] is True
