"""Errors of importing and exporting; each says, in Chinese and English, what is wrong and
what to do. ``key`` names the message in ``text.labels.transfer.TEXT`` (tests assert on it)."""

from __future__ import annotations

from typing import Any

from township_atlas.errors import AtlasError
from township_atlas.transfer.messages import text


class TransferError(AtlasError):
    """An upload could not be imported or a layer not exported."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(*text(key, **params))
        self.key = key
        self.params = params


class UploadRefused(TransferError):
    """Refused unread: too large, an unsafe archive, or it refers to other files or the net."""


class UnsupportedFormat(TransferError):
    """Not a format we import, or not what its name says and not recognisable."""


class UnreadableFile(TransferError):
    """A supported format, but the file is damaged, empty or malformed."""


class ExportError(TransferError):
    """A layer cannot be written in the chosen format."""


class LayerChoiceNeeded(TransferError):
    """The upload holds several layers; the caller must say which one to read."""


class CoordinateOrderNeeded(TransferError):
    """A column holds longitude and latitude in one cell, and the values cannot tell which
    comes first: the caller must say (``CoordinateColumns(pair_order=...)``)."""


class PhotoLimitReached(TransferError):
    """Adding the photos would pass a limit (per feature, or the township's total)."""
