"""Texts of the 会议汇报 (meeting) page and briefing exports, in Chinese and English (merged into labels.TEXT)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {}
