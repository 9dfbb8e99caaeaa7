"""The set-up steps of a township and which of them are done.

The order follows what each step refers to: villages lie in the township, sites name
their village, a chain's stages name sites, an organisation names its village, site and
chain, indicators and plans name villages. A step is *done* when its layer holds data;
the guide can be left and resumed at any time, since the state is read from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from township_atlas.model.bundle import Bundle, Finding
from township_atlas.text.bilingual import Labelled


@dataclass(frozen=True)
class Step(Labelled):
    """One step of setting up a township.

    Attributes
    ----------
    key : the step's name (also the command's ``--<key>`` input)
    layers : the layers the step fills
    label_zh, label_en : what the guide calls it
    hint_zh, hint_en : which office file it takes
    optional : a township may have none (no industry chain yet)
    """

    key: str
    layers: tuple[str, ...]
    label_zh: str
    label_en: str
    hint_zh: str
    hint_en: str
    optional: bool = False


STEPS: tuple[Step, ...] = (
    Step(
        "township",
        ("township",),
        "乡镇边界和报告数字",
        "Township boundary and the report's figures",
        "自然资源所的乡界(Shapefile、KML/KMZ 或 GeoJSON),并填写乡名、代码和调研报告的数字。",
        "The township boundary from the natural-resources office (Shapefile, KML/KMZ or "
        "GeoJSON), with the name, code and the report's figures typed in.",
    ),
    Step(
        "villages",
        ("villages",),
        "村界",
        "Village boundaries",
        "各行政村的边界,与乡界同来源;小缝隙和重叠可一键吸附。",
        "The villages' boundaries, from the same sources; small gaps and overlaps can be "
        "snapped in one action.",
    ),
    Step(
        "sites",
        ("sites",),
        "产业基地和示范点",
        "Industry bases and demonstration sites",
        "农业办的统计表(Excel):名称、类型、所在村、面积、经纬度(可为高德坐标或度分秒)。",
        "The agriculture office's sheet (Excel): name, kind, village, area, coordinates "
        "(AMap coordinates or degrees-minutes-seconds are fine).",
    ),
    Step(
        "chains",
        ("chains", "chain_stages"),
        "产业链",
        "Industry chains",
        "产业链及其环节,环节按名称对应到基地。没有产业链的乡镇可跳过。",
        "Industry chains and their stages, matched to sites by name. Skip it if the "
        "township has no chain.",
        optional=True,
    ),
    Step(
        "party_orgs",
        ("party_orgs",),
        "党组织",
        "Party organisations",
        "组织办的党组织表(Excel):名称、类别、上级党组织、党员数、所在村、依托项目,按名称对应。",
        "The organisation office's sheet (Excel): name, kind, parent, members, village, "
        "project, matched by name.",
    ),
    Step(
        "indicators",
        ("indicators", "indicator_catalogue"),
        "指标数据",
        "Indicators",
        "统计年报(Excel),村为行或列,一年一表或有年度列;单位按表头换算。",
        "The yearly statistics sheet (Excel), villages as rows or columns, a sheet per "
        "year or a year column; units converted from the header.",
    ),
    Step(
        "plans",
        ("plans",),
        "一村一业规划",
        "One village, one industry plans",
        "下载规划模板,各村填写主导产业、目标、措施和节点后上传。",
        "Download the plan template, have each village fill in its industry, goals, "
        "measures and milestones, and upload it.",
    ),
)

STEPS_BY_KEY: dict[str, Step] = {s.key: s for s in STEPS}


@dataclass(frozen=True)
class StepState:
    """Where one step stands.

    Attributes
    ----------
    step : the step
    count : records its main layer holds now
    done : the step's data is there
    errors, warnings : the checks' findings on the step's layers
    """

    step: Step
    count: int
    done: bool
    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]


def _count(bundle: Bundle, step: Step) -> int:
    if step.key == "township":
        return len(bundle.township)
    if step.key == "plans":
        villages = bundle.plans.get("villages") if isinstance(bundle.plans, dict) else None
        return len(villages) if isinstance(villages, dict) else 0
    return len(bundle.layer(step.layers[0]))


def step_states(bundle: Bundle, findings: list[Finding]) -> list[StepState]:
    """Each step's state in ``bundle`` with the load's ``findings`` sorted to its layers."""
    out = []
    for step in STEPS:
        mine = [f for f in findings if f.layer in step.layers]
        count = _count(bundle, step)
        out.append(
            StepState(
                step,
                count,
                count > 0,
                tuple(f for f in mine if f.severity == "error"),
                tuple(f for f in mine if f.severity == "warning"),
            )
        )
    return out


def needs_setup(bundle: Bundle) -> bool:
    """True while the township itself (its boundary) has not been set up."""
    return len(bundle.township) == 0
