"""Texts of importing and exporting files, in Chinese and English (merged into labels.TEXT)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {}
