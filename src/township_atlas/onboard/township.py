"""The township's own record: its boundary from a file, its name, code and the report's
figures from a form.

A boundary file from the natural-resources office holds the township alone, or all the
townships of a county. With one feature that feature is the boundary; with several, the
file's name column chooses it (the township's name, or the name the planner picks): the
plan maps that column to the feature's id as well, so each feature stays apart until one
is chosen. Nothing here reads the file: the plan comes from :mod:`township_atlas.transfer`
(in its worker).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from township_atlas.errors import AtlasError
from township_atlas.model.schema import TOWNSHIP
from township_atlas.storage.changes import ChangeSet, feature_version
from township_atlas.transfer.mapping import FieldMapping
from township_atlas.transfer.name_match import normalise
from township_atlas.transfer.plan import ImportPlan

# The report's figures the checks hold the data to: (field, command key, zh, en, integer).
REPORTED_FIGURES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("reported_area_km2", "area_km2", "面积(平方公里)", "Area (km²)", False),
    ("reported_villages", "villages", "行政村数", "Villages", True),
    ("reported_branches", "branches", "党支部数", "Party branches", True),
    ("reported_members", "members", "党员总数", "Party members", True),
    ("reported_rural_branches", "rural_branches", "农村党支部数", "Rural branches", True),
    ("reported_rural_members", "rural_members", "农村党员数", "Rural members", True),
)
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$")
_MAX_NAME = 40


class OnboardError(AtlasError):
    """A set-up step cannot go on as asked: the message says what to give or choose."""


@dataclass(frozen=True)
class TownshipForm:
    """What the planner types for the township: name, code and the report's figures.

    ``reported`` maps each field of :data:`REPORTED_FIGURES` (e.g. ``reported_villages``)
    to its number.
    """

    name_zh: str
    code: str
    reported: dict[str, float] = field(default_factory=dict)
    name_en: str = ""
    flagship_zh: str = ""

    def problems(self) -> list[tuple[str, str]]:
        """What is wrong with the form, as (zh, en) messages; empty when it can be used."""
        out = []
        name = (self.name_zh or "").strip()
        if not name:
            out.append(("请填写乡镇名称。", "Give the township's name."))
        elif len(name) > _MAX_NAME:
            out.append(
                (
                    f"乡镇名称过长(最多 {_MAX_NAME} 字)。",
                    f"The name is too long (at most {_MAX_NAME}).",
                )
            )
        if not _CODE.match((self.code or "").strip()):
            out.append(
                (
                    "乡镇代码只能由字母、数字、“-”和“_”组成(最多 32 位),如行政区划代码 620521101。",
                    "The code may hold letters, digits, '-' and '_' (at most 32), e.g. the "
                    "administrative code 620521101.",
                )
            )
        for fname, _key, zh, en, integer in REPORTED_FIGURES:
            value = self.reported.get(fname)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                out.append((f"请填写报告中的{zh}。", f"Give the report's figure: {en}."))
            elif value < 0 or (fname == "reported_area_km2" and value == 0):
                out.append((f"{zh}必须大于 0。", f"{en} must be above 0."))
            elif integer and float(value) != int(value):
                out.append((f"{zh}应为整数。", f"{en} must be a whole number."))
        return out

    def check(self) -> None:
        """Raise :class:`OnboardError` with every problem of the form, if any."""
        problems = self.problems()
        if problems:
            raise OnboardError(
                "".join(zh for zh, _ in problems), " ".join(en for _, en in problems)
            )

    def properties(self) -> dict[str, Any]:
        """The township record's properties, in the layer's field order."""
        values: dict[str, Any] = {
            "code": self.code.strip(),
            "name_zh": self.name_zh.strip(),
            "name_en": self.name_en.strip() or None,
            "flagship_zh": self.flagship_zh.strip() or None,
            "flagship_en": None,
            "sample": None,
        }
        for fname, _key, _zh, _en, integer in REPORTED_FIGURES:
            value = self.reported[fname]
            values[fname] = int(value) if integer else float(value)
        return {name: values.get(name) for name in TOWNSHIP.field_names()}


def boundary_mapping(suggested: FieldMapping, form: TownshipForm, count: int) -> FieldMapping:
    """The field mapping to plan a boundary file of ``count`` features with.

    One feature: every field is the form's. Several: the file's name column (as
    suggested) names each feature and stands in for its id, so :func:`boundary_feature`
    can choose among them.

    Raises
    ------
    OnboardError : several features and no column that names them
    """
    constants = dict(form.properties())
    columns: dict[str, str | None] = dict.fromkeys(TOWNSHIP.field_names())
    if count > 1:
        name_column = suggested.columns.get("name_zh")
        if not name_column:
            raise OnboardError(
                f"文件中有 {count} 个面,但没有可以区分它们的名称列。请只保留本乡的边界,"
                "或在文件中加一列乡镇名称。",
                f"The file holds {count} polygons but no column naming them. Keep only the "
                "township's boundary, or add a column with the townships' names.",
            )
        columns["name_zh"] = name_column
        columns["code"] = name_column
        constants.pop("name_zh")
        constants.pop("code")
    return FieldMapping("township", columns, constants=constants)


def boundary_names(plan: ImportPlan) -> list[str]:
    """The names of the plan's boundary features (what the planner chooses among)."""
    return [str(f["properties"].get("name_zh") or "") for f in plan.features]


def boundary_feature(plan: ImportPlan, name: str | None) -> dict[str, Any]:
    """The boundary feature of ``plan`` named ``name`` (normalised: 乡/镇 suffixes,
    widths and spaces do not matter); the only one when the plan holds one.

    Raises
    ------
    OnboardError : no feature, or the name fits none or several (the message lists the
        names to choose from)
    """
    features = plan.features
    if not features:
        raise OnboardError(
            "文件中没有可用的边界面(见上面的问题列表)。",
            "The file holds no usable boundary polygon (see the problems above).",
        )
    if len(features) == 1:
        return features[0]
    key = normalise(name or "", township=True).key
    hits = [
        f
        for f in features
        if normalise(f["properties"].get("name_zh") or "", township=True).key == key
    ]
    if len(hits) == 1:
        return hits[0]
    names = "、".join(n for n in boundary_names(plan)[:20] if n)
    raise OnboardError(
        f"文件中有 {len(features)} 个面,“{name}”对应{'不到' if not hits else '多个'}。"
        f"请从这些名称中选一个:{names}。",
        f"The file holds {len(features)} polygons and '{name}' fits "
        f"{'none' if not hits else 'several'} of them. Choose one of: {names}.",
    )


def township_change(
    plan: ImportPlan,
    form: TownshipForm,
    current: dict[str, dict[str, Any]],
    user: str,
    *,
    feature_name: str | None = None,
    note: str = "",
) -> ChangeSet:
    """The change that makes the township: the chosen boundary of ``plan`` with the
    form's properties, replacing whatever township record ``current`` holds.

    Parameters
    ----------
    plan : the boundary file planned into the ``township`` layer with
        :func:`boundary_mapping`
    form : the township's name, code and figures (checked here)
    current : the township layer's stored records, by id
    feature_name : which feature of a file holding several (default: the form's name)

    Raises
    ------
    OnboardError : the form is incomplete, or the feature cannot be chosen
    """
    form.check()
    chosen = boundary_feature(plan, feature_name or form.name_zh)
    record = {"type": "Feature", "properties": form.properties(), "geometry": chosen["geometry"]}
    code = record["properties"]["code"]
    base = {fid: feature_version(feat) for fid, feat in current.items()}
    base.setdefault(code, None)
    return ChangeSet(
        "township",
        user,
        upserts=[record],
        deletes=[fid for fid in current if fid != code],
        base=base,
        note=note or f"建立乡镇:{record['properties']['name_zh']}",
    )
