"""Exceptions raised by Township Atlas; each carries a message for the user in zh and en."""

from __future__ import annotations

from township_atlas.text.bilingual import Messaged


class AtlasError(Messaged, Exception):
    """Base class: every error here can be shown to a user in Chinese and English."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


class DataFileError(AtlasError):
    """A data file is missing or cannot be read; names the file and, if known, the feature."""

    def __init__(
        self, path: str, message_zh: str, message_en: str, feature: str | None = None
    ) -> None:
        where_zh = f"文件 {path}" + (f" 要素 {feature}" if feature else "")
        where_en = f"file {path}" + (f", feature {feature}" if feature else "")
        super().__init__(f"{where_zh}:{message_zh}", f"{where_en}: {message_en}")
        self.path = path
        self.feature = feature


class DataFolderError(AtlasError):
    """The data folder itself is missing or is not a Township Atlas data folder."""


class EmptyDataFolder(DataFolderError):
    """The data folder does not exist yet or holds none of our files: a township still to
    be set up (the app offers the set-up guide instead of an error)."""


class SettingError(AtlasError):
    """A setting has a value that cannot be used."""
