"""New feature ids in the layer's own style: the sample's S001, V01, and for Party
organisations a prefix per level (P00 committee, B01 branches, G01 groups)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_ID = re.compile(r"^(.*?)(\d+)$")
# Used when a layer has no ids yet to copy the style from.
DEFAULT_PREFIX = {"villages": "V", "sites": "S", "party_orgs": "G", "chains": "C"}
DEFAULT_LEVEL_PREFIX = {"committee": "P", "branch": "B", "group": "G"}
DEFAULT_WIDTH = {"villages": 2, "sites": 3, "party_orgs": 2, "chains": 2}


class IdAllocator:
    """Hands out ids not used in the layer or in the import file.

    Parameters
    ----------
    layer : our layer name
    existing : (id, level) of the layer's current features (level only for party_orgs)
    reserved : ids the import file itself uses
    """

    def __init__(
        self, layer: str, existing: Iterable[tuple[str, str | None]], reserved: Iterable[str]
    ) -> None:
        self.layer = layer
        pairs = [(str(i), lvl) for i, lvl in existing if i]
        self.used = {i for i, _ in pairs} | {str(r) for r in reserved if r}
        self.width: dict[str, int] = {}
        self.next_number: dict[str, int] = {}
        prefixes: Counter[str] = Counter()
        self.level_prefix: dict[str, str] = {}
        level_counts: dict[str, Counter[str]] = {}
        for fid in self.used:
            match = _ID.match(fid)
            if match:
                prefix, digits = match.groups()
                self.width[prefix] = max(self.width.get(prefix, 0), len(digits))
                self.next_number[prefix] = max(self.next_number.get(prefix, 0), int(digits) + 1)
        for fid, level in pairs:
            match = _ID.match(fid)
            if match:
                prefixes[match.group(1)] += 1
                if level:
                    level_counts.setdefault(level, Counter())[match.group(1)] += 1
        for level, counts in level_counts.items():
            self.level_prefix[level] = counts.most_common(1)[0][0]
        self.prefix = prefixes.most_common(1)[0][0] if prefixes else DEFAULT_PREFIX.get(layer, "F")

    def new(self, level: str | None = None) -> str:
        """The next free id (for Party organisations, in the style of ``level``)."""
        prefix = self.prefix
        if self.layer == "party_orgs" and level:
            prefix = self.level_prefix.get(level, DEFAULT_LEVEL_PREFIX.get(level, prefix))
        width = self.width.get(prefix, DEFAULT_WIDTH.get(self.layer, 3))
        number = self.next_number.get(prefix, 1)
        while True:
            candidate = f"{prefix}{number:0{width}d}"
            number += 1
            if candidate not in self.used:
                break
        self.next_number[prefix] = number
        self.used.add(candidate)
        return candidate
