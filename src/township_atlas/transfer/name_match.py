"""References written by name, matched the same way everywhere and never guessed.

Office sheets name villages, Party organisations, sites and chains as people write them:
"杏树坪" / "杏树坪村", "杏树坪村党支部" / "杏树坪党支部" / "杏树坪 村 党支部", "乡党委".
:func:`normalise` reduces a name to a key (NFKC, so full and half width meet; spaces and
punctuation dropped; then, in this order, one organisation suffix — 党总支, 党支部, 党小组,
党委, 支部, 小组 — one place suffix — 村委会, 居委会, 社区, 村 — and, for township-level
names, 乡/镇), and keeps the organisation suffix as a *kind* hint, so a name written as a
branch matches a branch and not a group.

:class:`NameIndex` matches a value in this order: an exact id (V03, B02, S001), an exact
name, a normalised name. Two or more candidates at the first step that finds any, or none
at all, is *not* a match: :class:`NameMatch` then lists up to five candidates by similarity
for the planner to choose from.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

#: Organisation suffixes, longest first, with the kind they hint at.
ORG_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("党总支", "general"),
    ("党支部", "branch"),
    ("党小组", "group"),
    ("党委", "committee"),
    ("支部", "branch"),
    ("小组", "group"),
)
#: Place suffixes (a village or community), stripped after the organisation suffix.
PLACE_SUFFIXES: tuple[str, ...] = ("村委会", "居委会", "社区", "村")
#: Township suffixes, stripped last and only where township names are expected.
TOWNSHIP_SUFFIXES: tuple[str, ...] = ("乡", "镇")
#: Kinds a hint is compatible with (a 党总支 sits between a 党委 and a 党支部).
COMPATIBLE: dict[str, frozenset[str]] = {
    "committee": frozenset({"committee", "general"}),
    "general": frozenset({"general", "branch", "committee"}),
    "branch": frozenset({"branch", "general"}),
    "group": frozenset({"group"}),
}
MAX_CANDIDATES = 5
How = Literal["id", "name", "normalised", "chosen", "ambiguous", "unknown"]


@dataclass(frozen=True)
class Normalised:
    """A name reduced for matching.

    Attributes
    ----------
    key : the name without width differences, spaces, punctuation and suffixes
    kind : "committee", "general", "branch" or "group" when an organisation suffix was
        stripped, else None
    """

    key: str
    kind: str | None


def _clean(text: str) -> str:
    """NFKC, lower case, letters and digits only (CJK characters are letters)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def _strip(text: str, suffixes: Iterable[str]) -> tuple[str, str | None]:
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], suffix
    return text, None


def normalise(name: Any, *, township: bool = False) -> Normalised:
    """The matching key and kind hint of ``name`` (see the module docstring).

    Parameters
    ----------
    name : the name as written (any value; ``str`` is applied)
    township : also strip a trailing 乡/镇 (names of Party organisations, which may name
        the township's committee)

    Returns
    -------
    Normalised
        A suffix is stripped only when something is left, so "乡党委" is "乡" (committee).

    Examples
    --------
    >>> normalise("杏树坪 村 党支部") == normalise("杏树坪党支部") == normalise("杏树坪村党支部")
    True
    >>> normalise("杏树坪村党支部").kind
    'branch'
    """
    text = _clean(str(name))
    kind = None
    text, suffix = _strip(text, (s for s, _ in ORG_SUFFIXES))
    if suffix is not None:
        kind = dict(ORG_SUFFIXES)[suffix]
    text, _ = _strip(text, PLACE_SUFFIXES)
    if township:
        text, _ = _strip(text, TOWNSHIP_SUFFIXES)
    return Normalised(text, kind)


def compatible(hint: str | None, kind: str | None) -> bool:
    """True unless both kinds are known and do not fit (a branch is not a group)."""
    return hint is None or kind is None or kind in COMPATIBLE.get(hint, frozenset({hint}))


@dataclass(frozen=True)
class Candidate:
    """Something a name may refer to: its id, one of its names, its kind (or None)."""

    id: str
    name: str
    kind: str | None = None

    def label(self) -> str:
        """The choice as the planner writes it in the sheet: 杏树坪村党支部(B03)."""
        return f"{self.name}({self.id})" if self.name != self.id else self.id


@dataclass(frozen=True)
class NameMatch:
    """The outcome of matching one value.

    Attributes
    ----------
    value : the value as written (stripped)
    id : the id it refers to, or None (ambiguous or unknown)
    how : "id", "name", "normalised", "chosen" (the planner's choice), "ambiguous" or
        "unknown"
    candidates : for "ambiguous" the ids it could be, for "unknown" the most similar
        ones; up to five, most similar first, one per id
    """

    value: str
    id: str | None
    how: How
    candidates: tuple[Candidate, ...] = ()

    @property
    def matched(self) -> bool:
        return self.id is not None


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return not str(value).strip()


class NameIndex:
    """Ids and names of one kind of object (villages, organisations, sites, chains).

    Parameters
    ----------
    candidates : every (id, name, kind); an object may appear under several names
    township : normalise with :func:`normalise`'s ``township`` (Party organisations)
    """

    def __init__(self, candidates: Iterable[Candidate], *, township: bool = False) -> None:
        self.township = township
        self.candidates = [c for c in candidates if not _missing(c.name) and c.id]
        self.ids = {c.id for c in self.candidates}
        self._folded_ids = {_clean(i): i for i in self.ids}
        self._keys = [normalise(c.name, township=township) for c in self.candidates]

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        id_field: str,
        *,
        kind_field: str | None = None,
        extra: Iterable[Candidate] = (),
        township: bool = False,
    ) -> NameIndex:
        """An index of a layer's ``name_zh``/``name_en`` (and ``extra`` candidates)."""
        found: list[Candidate] = []
        for row in frame.itertuples(index=False):
            fid = str(getattr(row, id_field))
            kind = getattr(row, kind_field, None) if kind_field else None
            kind = kind if isinstance(kind, str) else None
            found.append(Candidate(fid, fid, kind))  # so an id is a candidate too
            for col in ("name_zh", "name_en"):
                name = getattr(row, col, None)
                if not _missing(name):
                    found.append(Candidate(fid, str(name).strip(), kind))
        return cls([*found, *extra], township=township)

    def _names(self, candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
        """One candidate per id, by its first real name (not the id itself)."""
        out: dict[str, Candidate] = {}
        for c in candidates:
            if c.id not in out or (out[c.id].name == c.id and c.name != c.id):
                out[c.id] = c
        return tuple(out.values())

    def _similar(self, value: str, pool: Iterable[Candidate]) -> tuple[Candidate, ...]:
        key = normalise(value, township=self.township).key or _clean(value)
        scored: dict[str, float] = {}
        for c in pool:
            other = normalise(c.name, township=self.township).key or _clean(c.name)
            ratio = max(
                difflib.SequenceMatcher(None, key, other).ratio(),
                difflib.SequenceMatcher(None, _clean(value), _clean(c.name)).ratio(),
            )
            scored[c.id] = max(scored.get(c.id, 0.0), ratio)
        best = sorted((r, i) for i, r in scored.items() if r > 0)
        order = [i for _, i in sorted(best, key=lambda t: (-t[0], t[1]))][:MAX_CANDIDATES]
        names = {c.id: c for c in self._names(self.candidates)}
        return tuple(names[i] for i in order)

    def match(self, value: Any, chosen: dict[str, Any] | None = None) -> NameMatch:
        """Match ``value``: the planner's choice for it in ``chosen`` (written name -> id,
        used only when that id exists), exact id, exact name, normalised name (never a
        guess)."""
        text = str(value).strip()
        pick = (chosen or {}).get(text)
        if pick is not None and str(pick) in self.ids:
            return NameMatch(text, str(pick), "chosen")
        if text in self.ids:
            return NameMatch(text, text, "id")
        folded = self._folded_ids.get(_clean(text))
        if folded is not None:  # "ｖ03", "v03"
            return NameMatch(text, folded, "id")
        exact = [c for c in self.candidates if c.name.casefold() == text.casefold()]
        if not exact:
            wanted = normalise(text, township=self.township)
            same = [
                c
                for c, k in zip(self.candidates, self._keys, strict=True)
                if wanted.key and k.key == wanted.key
            ]
            exact = [c for c in same if compatible(wanted.kind, c.kind)]
            how: How = "normalised"
            if not exact:
                return NameMatch(text, None, "unknown", self._similar(text, self.candidates))
        else:
            how = "name"
        found = self._names(exact)
        if len(found) == 1:
            return NameMatch(text, found[0].id, how)
        ranked = self._similar(text, exact)
        return NameMatch(text, None, "ambiguous", ranked)


def candidate_id(label: str) -> str:
    """The id in a choice written as :meth:`Candidate.label` ("河湾村(V02)" -> "V02")."""
    if label.endswith(")") and "(" in label:
        return label[label.rindex("(") + 1 : -1]
    return label


def township_aliases(orgs: Any, township_name: Any) -> list[Candidate]:
    """Extra names of the township's committee: 青禾乡党委 for one called 乡党委 in
    青禾乡 (a bracketed note in the township's name, such as (示例), is dropped)."""
    if _missing(township_name):
        return []
    place = re.sub(r"[(（][^)）]*[)）]", "", str(township_name)).strip()
    out = []
    for row in orgs.itertuples(index=False):
        name = getattr(row, "name_zh", None)
        level = getattr(row, "level", None)
        named = isinstance(name, str) and name[:1] in TOWNSHIP_SUFFIXES
        if level == "committee" and named and place and place.endswith(name[0]):
            out.append(Candidate(str(row.org_id), place + name[1:], "committee"))
    return out


@dataclass(frozen=True)
class NameFix:
    """One name to correct in the sheet: where it is and what it could be.

    Attributes
    ----------
    field : our field name ("parent_id", "village_code", ...)
    value : the name as written
    ambiguous : True when it fits several things, False when it fits none
    rows : the source rows that use it
    candidates : "name(id)" choices, most similar first
    """

    field: str
    value: str
    ambiguous: bool
    rows: tuple[int, ...]
    candidates: tuple[str, ...]


NAME_CODES = ("name_ambiguous", "link")


def name_fixes(problems: Iterable[Any]) -> list[NameFix]:
    """The names of ``problems`` (:class:`~.problems.RowProblem`) that matched several
    things or nothing, each once with every row using it, in the order first met."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for p in problems:
        if p.code in NAME_CODES and p.field and p.value is not None:
            groups.setdefault((p.field, str(p.value).strip()), []).append(p)
    return [
        NameFix(
            field,
            value,
            found[0].code == "name_ambiguous",
            tuple(sorted({p.row for p in found})),
            found[0].candidates,
        )
        for (field, value), found in groups.items()
    ]
