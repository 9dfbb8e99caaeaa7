"""A village's "one village, one industry" plan (一村一业), read from plans.yaml, with each
goal's actual value against its target, milestones with their dates, and the report's
problems the village has together with the measures that answer them.

The YAML is a user's document: entries of the wrong shape are skipped here (the data
check names them), so a page never fails on a half-edited plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from township_atlas.model.bundle import Bundle
from township_atlas.text.bilingual import Named, bilingual, pick
from township_atlas.text.numbers import is_blank, text
from township_atlas.views.indicators import catalogue, records, status


def _date(value: Any) -> dt.date | None:
    """A date from YAML (a date, or ISO text); anything else is None."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if not is_blank(value) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Goal:
    """A goal for one year, measured by one indicator."""

    year: int
    indicator: str
    text_zh: str
    text_en: str
    value: float | None
    target: float | None
    status: str | None

    def text(self, lang: str) -> str:
        return bilingual(self, "text", lang)

    @property
    def progress(self) -> float | None:
        """Value / target as a fraction, where both exist and the target is positive."""
        if self.value is None or self.target is None or self.target <= 0:
            return None
        return self.value / self.target


@dataclass(frozen=True)
class Milestone(Named):
    name_zh: str
    name_en: str
    due: dt.date | None
    status: str
    done: dt.date | None
    overdue: bool  # not done and past its due date


@dataclass(frozen=True)
class VillagePlan:
    leading_industry_zh: str
    leading_industry_en: str
    summary_zh: str
    summary_en: str
    goals: tuple[Goal, ...]
    measures_zh: tuple[str, ...]
    measures_en: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    problems: tuple[str, ...]

    def leading_industry(self, lang: str) -> str:
        return bilingual(self, "leading_industry", lang)

    def summary(self, lang: str) -> str:
        return bilingual(self, "summary", lang)

    def measures(self, lang: str) -> tuple[str, ...]:
        return pick(lang, self.measures_zh, self.measures_en, fallback=True)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def village_plan(bundle: Bundle, code: str, today: dt.date | None = None) -> VillagePlan | None:
    """The village's plan, or None when plans.yaml has none for it.

    Each goal carries the village's recorded value and target of its indicator in its
    year, and a status (see :func:`township_atlas.views.indicators.status`). ``today`` decides
    which open milestones are overdue (default: the current date).
    """
    plans = bundle.plans.get("villages") if isinstance(bundle.plans, dict) else None
    plan = plans.get(code) if isinstance(plans, dict) else None
    if not isinstance(plan, dict):
        return None
    today = today or dt.date.today()
    cat = catalogue(bundle)
    rec = records(bundle)
    rec = rec[rec["place_code"] == code].drop_duplicates(["year", "indicator"])
    rec = rec.set_index(["year", "indicator"])
    goals = []
    for goal in _list(plan.get("goals")):
        if not isinstance(goal, dict) or not isinstance(goal.get("year"), int):
            continue
        key = text(goal.get("indicator"))
        value = target = None
        if (goal["year"], key) in rec.index:
            row = rec.loc[(goal["year"], key)]
            value = None if np.isnan(row["value"]) else float(row["value"])
            target = None if np.isnan(row["target"]) else float(row["target"])
        planned = goal.get("target")  # a target written in the plan itself (Excel import)
        if target is None and isinstance(planned, int | float) and not isinstance(planned, bool):
            target = float(planned)
        hib = cat[key].higher_is_better if key in cat else True
        goals.append(
            Goal(
                year=goal["year"],
                indicator=key,
                text_zh=text(goal.get("text_zh")),
                text_en=text(goal.get("text_en")),
                value=value,
                target=target,
                status=status(value, target, hib),
            )
        )
    milestones = []
    for ms in _list(plan.get("milestones")):
        if not isinstance(ms, dict):
            continue
        due, done = _date(ms.get("due")), _date(ms.get("done"))
        state = text(ms.get("status"))
        milestones.append(
            Milestone(
                name_zh=text(ms.get("name_zh")),
                name_en=text(ms.get("name_en")),
                due=due,
                status=state,
                done=done,
                overdue=state != "done" and due is not None and due < today,
            )
        )
    return VillagePlan(
        leading_industry_zh=text(plan.get("leading_industry_zh")),
        leading_industry_en=text(plan.get("leading_industry_en")),
        summary_zh=text(plan.get("summary_zh")),
        summary_en=text(plan.get("summary_en")),
        goals=tuple(sorted(goals, key=lambda g: g.year)),
        measures_zh=tuple(text(m) for m in _list(plan.get("measures_zh")) if not is_blank(m)),
        measures_en=tuple(text(m) for m in _list(plan.get("measures_en")) if not is_blank(m)),
        milestones=tuple(milestones),
        problems=tuple(text(p) for p in _list(plan.get("problems")) if not is_blank(p)),
    )


@dataclass(frozen=True)
class ReportItem:
    """A problem or measure from the report, with the indicators that track it."""

    key: str
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    indicators: tuple[str, ...]

    def title(self, lang: str) -> str:
        return bilingual(self, "title", lang)

    def text(self, lang: str) -> str:
        return bilingual(self, "text", lang)


def report_items(bundle: Bundle, section: str) -> list[ReportItem]:
    """The report's ``problems``, ``measures`` or ``experiences``, in document order."""
    out = []
    for item in _list(bundle.report.get(section) if isinstance(bundle.report, dict) else None):
        if not isinstance(item, dict):
            continue
        out.append(
            ReportItem(
                key=text(item.get("key")),
                title_zh=text(item.get("title_zh")),
                title_en=text(item.get("title_en")),
                text_zh=text(item.get("text_zh")),
                text_en=text(item.get("text_en")),
                indicators=tuple(text(i) for i in _list(item.get("indicators"))),
            )
        )
    return out


def problems_with_measures(
    bundle: Bundle, keys: tuple[str, ...]
) -> list[tuple[ReportItem, list[ReportItem]]]:
    """The named problems, each with the report's measures that share one of its indicators.

    A key the report does not know is kept with its key as the title, so a typo in the
    plan is visible rather than lost.
    """
    problems = {p.key: p for p in report_items(bundle, "problems")}
    measures = report_items(bundle, "measures")
    out = []
    for key in keys:
        problem = problems.get(key) or ReportItem(key, key, key, "", "", ())
        related = [m for m in measures if set(m.indicators) & set(problem.indicators)]
        out.append((problem, related))
    return out
