"""Where a PDF page's text ends, read back with poppler's ``pdftotext -bbox-layout``:
the village sheet tests check that each page's content ends above its foot line and that
the foot is on every page."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

PT_PER_MM = 72 / 25.4
_NS = "{http://www.w3.org/1999/xhtml}"


def page_lines(pdf: bytes, folder: Path) -> list[list[tuple[str, float, float]]]:
    """Per page, its text lines as (text, top, bottom), in mm from the top of the page."""
    path = folder / "bounds.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-bbox-layout", str(path), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    pages = []
    for page in ET.fromstring(out).iter(f"{_NS}page"):
        lines = []
        for line in page.iter(f"{_NS}line"):
            text = " ".join(w.text or "" for w in line.iter(f"{_NS}word"))
            top, bottom = float(line.get("yMin")), float(line.get("yMax"))
            lines.append((text, top / PT_PER_MM, bottom / PT_PER_MM))
        pages.append(lines)
    return pages


def overruns(pdf: bytes, folder: Path, foot_y: float, foot_text: str, codes: set[str]) -> list[str]:
    """What is wrong with each page: a text line other than the foot's reaching below
    ``foot_y`` mm, or no ``foot_text`` under the foot line. The foot's line holds
    ``foot_text`` and one of ``codes`` (the village's); nothing else may be under it.
    Empty: every page is right."""

    def in_foot(text: str) -> bool:
        return all(word in foot_text or word in codes for word in text.split())

    problems = []
    for n, lines in enumerate(page_lines(pdf, folder), start=1):
        if not any(top >= foot_y and foot_text in text for text, top, _ in lines):
            problems.append(f"page {n}: no foot")
        for text, top, bottom in lines:
            if bottom > foot_y and not (top >= foot_y and in_foot(text)):
                problems.append(f"page {n}: {text!r} ends at {bottom:.1f} mm")
    return problems
