"""The meeting deck's data model: a Deck of Slides, each with figures that carry their
sources, a plan, tables, report items, a map spec and a chart spec.

Renderers (the 会议汇报 page, PowerPoint, PDF) only read these; builders live in
:mod:`township_atlas.briefing.slides`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from township_atlas.text.labels import tr
from township_atlas.text.numbers import LABEL_CHARS, PANEL_CHARS, TOOLTIP_CHARS, shorten

# Longest slide title, in characters (a line at 28 pt across a 16:9 slide).
TITLE_CHARS = 60


@dataclass(frozen=True)
class Figure:
    """One figure on a slide, formatted for the reader, with where it comes from."""

    label: str
    value: str
    source: str
    target: str = ""  # the formatted target ("21.4 万元"), "" when there is none
    status: str | None = None  # "green" | "amber" | "red" against the target
    note: str = ""  # e.g. the report's figure and whether it agrees


@dataclass(frozen=True)
class Table:
    """A small table of display text; ``row_status`` colours rows (optional)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    row_status: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class PlanStep:
    """One year's goal of a village plan, with the recorded value against its target."""

    year: int
    text: str
    actual: str
    target: str
    status: str | None
    state: str  # display text: the status, "not due yet" or "no data"


@dataclass(frozen=True)
class Plan:
    """A village's "one village, one industry" plan as shown in the meeting."""

    leading_industry: str
    summary: str
    measures: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    milestones: tuple[tuple[str, str, str], ...]  # (name, due date, status text)
    problems: tuple[str, ...]  # titles of the report's problems the village has


@dataclass(frozen=True)
class Item:
    """A problem or measure from the report, with the figures that track it."""

    title: str
    text: str
    detail: str = ""  # e.g. which villages name the problem
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class MapSpec:
    """What a slide's map shows; drawn from the geodata (no tiles)."""

    focus_village: str | None = None  # None: the whole township
    highlight_sites: tuple[str, ...] = ()
    show_orgs: bool = False
    mark_sites: tuple[str, ...] = ()  # sites ringed in red (no Party group yet)


@dataclass(frozen=True)
class ChartSpec:
    """Horizontal bars of one indicator by village, coloured by status, targets as ticks."""

    title: str
    unit: str
    categories: tuple[str, ...]
    values: tuple[float | None, ...]
    targets: tuple[float | None, ...]
    statuses: tuple[str | None, ...]
    value_label: str
    target_label: str


@dataclass(frozen=True)
class Photo:
    """One photo of a village's site or Party organisation, as the slides show it: names
    of the stored files only (renderers read the bytes through a reader they are given)."""

    feature: str  # the site's or organisation's name
    caption: str  # in the deck's language, as the planner wrote it ("" for none)
    taken: str  # the date taken, "2025-04-30", or ""
    file: str  # the stored picture, "photos/ab/<sha256>.jpg"
    thumb: str  # its thumbnail, "thumbs/ab/<sha256>.jpg"
    width: int
    height: int
    group: int  # which of the village's features (0, 1 …, sites then organisations)

    @property
    def aspect(self) -> float:
        """Width / height (1.0 when unknown)."""
        return self.width / self.height if self.width > 0 and self.height > 0 else 1.0

    def fitted(self, width: float, height: float) -> tuple[float, float]:
        """The picture's size drawn whole in a ``width`` × ``height`` box, its aspect
        kept (any unit)."""
        if self.aspect >= width / height:
            return width, width / self.aspect
        return height * self.aspect, height

    def label(self) -> str:
        """The photo in one line (alt text): caption (or the feature's name) and date."""
        return " · ".join(p for p in (self.caption or self.feature, self.taken) if p)

    def lines(self) -> tuple[str, ...]:
        """The lines under a picture: its caption (if any), the feature, the date (if
        known); each renderer sets them one to a line."""
        return tuple(p for p in (self.caption, self.feature, self.taken) if p)


def pick_photos(photos: tuple[Photo, ...], n: int) -> tuple[Photo, ...]:
    """At most ``n`` of ``photos`` to show, in their order: first one photo of each
    feature (so each site with photos gets its picture), then the next photos of each
    feature, in order, while room is left."""
    chosen: list[int] = []
    seen: set[int] = set()
    for i, photo in enumerate(photos):
        if photo.group not in seen and len(chosen) < n:
            seen.add(photo.group)
            chosen.append(i)
    for i in range(len(photos)):
        if len(chosen) >= n:
            break
        if i not in chosen:
            chosen.append(i)
    return tuple(photos[i] for i in sorted(chosen))


@dataclass(frozen=True)
class Slide:
    """One slide. ``kind`` decides the layout: overview, indicators, village,
    organisation, problems or measures."""

    kind: str
    key: str  # stable id, e.g. "village-V03"
    title: str
    subtitle: str = ""
    figures: tuple[Figure, ...] = ()
    facts: tuple[Figure, ...] = ()  # background facts (population, area …)
    plan: Plan | None = None
    tables: tuple[Table, ...] = ()
    items: tuple[Item, ...] = ()
    map: MapSpec | None = None
    chart: ChartSpec | None = None
    missing: tuple[str, ...] = ()  # what this slide lacks, said plainly
    village_code: str = ""
    #: A village's photos (its sites', then its organisations'), all of them, in order; the
    #: renderers show a few (:func:`pick_photos`) and say how many more there are. Only the
    #: first part of a slide carries them (see fit.py).
    photos: tuple[Photo, ...] = ()
    part: int = 1  # 2, 3 …: a continuation slide "(续)" of the slide before (see fit.py)

    @property
    def continued(self) -> bool:
        """True for a continuation slide, which carries the rest of the slide before."""
        return self.part > 1

    def notes(self, lang: str) -> str:
        """Speaker notes: every figure on the slide with its source, then the village's
        photos (site or organisation, caption, date), which the slide shows cut short."""
        lines = [self.title]
        figures = [*self.figures, *self.facts]
        figures += [f for item in self.items for f in item.figures]
        if figures:
            lines.append(tr("mtg_notes_sources", lang))
        for f in figures:
            target = f"({tr('mtg_target', lang).format(target=f.target)})" if f.target else ""
            note = f";{f.note}" if f.note else ""
            lines.append(f"• {f.label}:{f.value}{target}{note}。{f.source}")
        lines.extend(self.missing)
        if self.photos:
            lines.append(tr("mtg_notes_photos", lang).format(n=len(self.photos)))
        lines.extend(f"• {p.feature}:{p.label()}" for p in self.photos)
        return "\n".join(lines)


@dataclass(frozen=True)
class Deck:
    """The whole briefing: the township, the data year, the date, and the slides."""

    township: str
    lang: str
    year: int | None
    made: dt.date
    sample: bool
    slides: tuple[Slide, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return tr("mtg_deck_title", self.lang).format(township=self.township)

    def footer(self, index: int) -> str:
        """The line at the foot of slide ``index`` (0-based): township, year, number."""
        parts = [self.title]
        if self.year is not None:
            parts.append(tr("mtg_year_data", self.lang).format(year=self.year))
        if self.sample:
            parts.append(tr("mtg_sample", self.lang))
        parts.append(self.number(index))
        return " · ".join(parts)

    def number(self, index: int) -> str:
        return tr("mtg_slide_n", self.lang).format(n=index + 1, total=len(self.slides))

    def village_slides(self) -> list[Slide]:
        return [s for s in self.slides if s.kind == "village"]

    def slide_index(self, number: str) -> int | None:
        """The 0-based index of slide ``number`` as written in the URL (``?slide=3``).

        Parameters
        ----------
        number : str
            The 1-based slide number, as text; a number out of range is moved to the first
            or the last slide.

        Returns
        -------
        int or None
            The index, or None when ``number`` is not a whole number (the caller shows the
            first slide and says the link was not understood).
        """
        try:
            return min(max(int(number), 1), len(self.slides)) - 1
        except ValueError:
            return None


def float_or_none(value: object) -> float | None:
    """A plain float, or None for missing and non-numbers."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if x != x else x


def target_text(formatted: str) -> str:
    """A formatted target for :attr:`Figure.target`: "" when there is none ("—")."""
    return "" if formatted == "—" else formatted


def report_source(source_zh: str, lang: str) -> str:
    """The report's wording behind an indicator, for a figure's source."""
    return tr("mtg_src_report", lang).format(source=source_zh) if source_zh else ""


# How long each text of the model may be (class name, field) -> characters; any other text
# gets PANEL_CHARS. Ids, codes and statuses are never shortened (they are looked up).
_LIMITS: dict[tuple[str, str], int] = {
    ("Deck", "township"): LABEL_CHARS,
    ("Slide", "title"): TITLE_CHARS,
    ("Slide", "subtitle"): TOOLTIP_CHARS,
    ("Figure", "label"): TOOLTIP_CHARS,
    ("Figure", "value"): TOOLTIP_CHARS,
    ("Figure", "target"): TOOLTIP_CHARS,
    ("Table", "title"): TOOLTIP_CHARS,
    ("Table", "columns"): TOOLTIP_CHARS,
    ("Table", "rows"): TOOLTIP_CHARS,
    ("Plan", "leading_industry"): TOOLTIP_CHARS,
    ("Plan", "milestones"): TOOLTIP_CHARS,
    ("Plan", "problems"): TOOLTIP_CHARS,
    ("PlanStep", "actual"): TOOLTIP_CHARS,
    ("PlanStep", "target"): TOOLTIP_CHARS,
    ("PlanStep", "state"): TOOLTIP_CHARS,
    ("Item", "title"): TOOLTIP_CHARS,
    ("ChartSpec", "title"): TOOLTIP_CHARS,
    ("ChartSpec", "unit"): LABEL_CHARS,
    ("ChartSpec", "categories"): LABEL_CHARS,
    ("ChartSpec", "value_label"): LABEL_CHARS,
    ("ChartSpec", "target_label"): LABEL_CHARS,
    ("Photo", "feature"): TOOLTIP_CHARS,
    ("Photo", "caption"): TOOLTIP_CHARS,
}
_KEEP = frozenset(
    {
        *("key", "kind", "village_code", "status", "row_status", "statuses", "map", "part"),
        *("file", "thumb", "taken", "width", "height", "group"),
    }
)


def _short(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return shorten(value, limit)
    if isinstance(value, tuple):
        return tuple(_short(v, limit) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return shortened(value)
    return value


def shortened(obj: Any) -> Any:
    """``obj`` (a Deck, Slide or any part of one) with every shown text at most its
    limit (:data:`TITLE_CHARS` for a slide title, tooltip length for table cells and
    labels, panel length for longer texts), ending with "…" when cut. The page, the
    PowerPoint and the PDF draw from this, so a name of any length stays one line."""
    changes = {}
    for f in dataclasses.fields(obj):
        if f.name in _KEEP:
            continue
        limit = _LIMITS.get((type(obj).__name__, f.name), PANEL_CHARS)
        value = getattr(obj, f.name)
        new = _short(value, limit)
        if new is not value and new != value:
            changes[f.name] = new
    return dataclasses.replace(obj, **changes) if changes else obj
