"""The wall map's errors: each says what is wrong and what to do, in Chinese and English."""

from __future__ import annotations

from township_atlas.errors import AtlasError
from township_atlas.text.labels import TEXT


class WallMapError(AtlasError):
    """A wall map cannot be made as asked."""

    def __init__(self, label: str, /, **fields: object) -> None:
        zh, en = TEXT[label]
        super().__init__(zh.format(**fields), en.format(**fields))
        self.label = label
