"""Texts of the 数据编辑 (data editing) page, in Chinese and English (merged into labels.TEXT)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {}
