"""The data model: layers, their files and fields, with labels in Chinese and English.

One declarative table drives loading, validation, editing forms and exports, so a field
is described once. Geometry is always WGS84 longitude/latitude (RFC 7946 GeoJSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from township_atlas.text.bilingual import Labelled, pick

DType = Literal["str", "int", "float", "bool"]

SITE_KINDS: tuple[str, ...] = (
    "industry_base",
    "demo_base",
    "wealth_project",
    "cooperative",
    "market",
)
# Party groups are built on wealth projects and demonstration bases (把党小组建在致富项目、示范基地上).
GROUP_SITE_KINDS: tuple[str, ...] = ("wealth_project", "demo_base")
ORG_LEVELS: tuple[str, ...] = ("committee", "branch", "group")
BRANCH_KINDS: tuple[str, ...] = ("rural", "organ", "institution", "enterprise")
MILESTONE_STATUSES: tuple[str, ...] = ("done", "in_progress", "not_started", "delayed")
# How an indicator's village values make the township figure (indicator_catalogue.aggregate).
INDICATOR_AGGREGATES: tuple[str, ...] = ("sum", "mean")

# 1 mu (亩) is 1/15 hectare: 666.67 m², so 1 km² = 1500 亩.
M2_PER_MU = 10_000 / 15


@dataclass(frozen=True)
class Field(Labelled):
    """One attribute of a layer or table."""

    name: str
    dtype: DType
    label_zh: str
    label_en: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    unit_zh: str = ""
    # A column added after data folders were written (optional, text): a CSV table leaves
    # it out while no row has a value and reads a blank as missing, so a file written
    # before the column existed reads, re-saves and copies byte for byte as it was.
    written_when_used: bool = False


@dataclass(frozen=True)
class LayerSpec(Labelled):
    """A file in the data folder: a GeoJSON layer or a CSV table."""

    name: str
    filename: str
    id_field: str | None
    fields: tuple[Field, ...]
    label_zh: str
    label_en: str
    geometry_types: tuple[str, ...] = ()
    required: bool = True
    extra: dict[str, str] = field(default_factory=dict)
    # For a table without an id field: the fields that together identify a row.
    key: tuple[str, ...] = ()

    @property
    def is_spatial(self) -> bool:
        return bool(self.geometry_types)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The fields that identify a feature or row: the id field, or ``key``."""
        return (self.id_field,) if self.id_field else self.key

    def get_field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


_POLY = ("Polygon", "MultiPolygon")

TOWNSHIP = LayerSpec(
    "township",
    "township.geojson",
    "code",
    (
        Field("code", "str", "乡镇代码", "Township code"),
        Field("name_zh", "str", "乡镇名称", "Name (Chinese)"),
        Field("name_en", "str", "英文名称", "Name (English)", required=False),
        Field("flagship_zh", "str", "一乡一品", "One township, one product", required=False),
        Field("flagship_en", "str", "一乡一品(英文)", "Flagship product (English)", False),
        Field("reported_area_km2", "float", "报告面积", "Reported area", min=0, unit_zh="平方公里"),
        Field("reported_villages", "int", "报告行政村数", "Reported villages", min=0),
        Field("reported_branches", "int", "报告党支部数", "Reported Party branches", min=0),
        Field("reported_members", "int", "报告党员数", "Reported Party members", min=0),
        Field(
            "reported_rural_branches", "int", "报告农村党支部数", "Reported rural branches", min=0
        ),
        Field("reported_rural_members", "int", "报告农村党员数", "Reported rural members", min=0),
        Field("sample", "bool", "示例数据", "Sample data", required=False),
    ),
    "乡镇边界",
    "Township boundary",
    geometry_types=_POLY,
)

VILLAGES = LayerSpec(
    "villages",
    "villages.geojson",
    "code",
    (
        Field("code", "str", "村代码", "Village code"),
        Field("name_zh", "str", "村名", "Name (Chinese)"),
        Field("name_en", "str", "英文村名", "Name (English)", required=False),
        Field(
            "population", "int", "户籍人口", "Population", False, min=0, max=100_000, unit_zh="人"
        ),
        Field("households", "int", "户数", "Households", False, min=0, max=50_000, unit_zh="户"),
        Field("leading_industry_zh", "str", "主导产业", "Leading industry (Chinese)", False),
        Field("leading_industry_en", "str", "主导产业(英文)", "Leading industry", False),
        Field("support_unit_zh", "str", "结对帮扶单位", "Pairing-support unit", required=False),
        Field("support_unit_en", "str", "帮扶单位(英文)", "Support unit (English)", False),
    ),
    "行政村",
    "Villages",
    geometry_types=_POLY,
)

SITES = LayerSpec(
    "sites",
    "sites.geojson",
    "site_id",
    (
        Field("site_id", "str", "编号", "ID"),
        Field("name_zh", "str", "名称", "Name (Chinese)"),
        Field("name_en", "str", "英文名称", "Name (English)", required=False),
        Field("kind", "str", "类型", "Kind", allowed=SITE_KINDS),
        Field("industry_zh", "str", "产业", "Industry"),
        Field("village_code", "str", "所在村", "Village"),
        Field("area_mu", "float", "面积", "Area", False, min=0, max=1_000_000, unit_zh="亩"),
        Field("households", "int", "带动农户", "Households involved", False, min=0, unit_zh="户"),
        Field("output_wan", "float", "年产值", "Annual output", False, min=0, unit_zh="万元"),
        Field("established", "int", "建成年份", "Year established", False, min=1949, max=2100),
        Field("note_zh", "str", "说明", "Note", required=False),
    ),
    "产业点位",
    "Sites",
    geometry_types=("Point", "Polygon", "MultiPolygon"),
)

PARTY_ORGS = LayerSpec(
    "party_orgs",
    "party_orgs.geojson",
    "org_id",
    (
        Field("org_id", "str", "编号", "ID"),
        Field("name_zh", "str", "组织名称", "Name (Chinese)"),
        Field("name_en", "str", "英文名称", "Name (English)", required=False),
        Field("level", "str", "层级", "Level", allowed=ORG_LEVELS),
        Field("branch_kind", "str", "支部类别", "Branch kind", False, allowed=BRANCH_KINDS),
        Field("parent_id", "str", "上级组织", "Parent", required=False),
        Field("village_code", "str", "所在村", "Village", required=False),
        Field("members", "int", "党员数", "Members", min=0, max=100_000, unit_zh="名"),
        Field("leader_role_zh", "str", "负责人职务", "Leader's role", required=False),
        Field("site_id", "str", "依托点位", "Built on site", required=False),
        Field("chain_id", "str", "依托产业链", "Built on chain", required=False),
        Field("founded", "int", "成立年份", "Founded", False, min=1921, max=2100),
    ),
    "党组织",
    "Party organisations",
    geometry_types=("Point",),
)

CHAINS = LayerSpec(
    "chains",
    "chains.csv",
    "chain_id",
    (
        Field("chain_id", "str", "编号", "ID"),
        Field("name_zh", "str", "产业链", "Chain (Chinese)"),
        Field("name_en", "str", "英文名称", "Chain (English)", required=False),
        Field("industry_zh", "str", "产业", "Industry"),
    ),
    "产业链",
    "Industry chains",
)

CHAIN_STAGES = LayerSpec(
    "chain_stages",
    "chain_stages.csv",
    None,
    (
        Field("chain_id", "str", "产业链", "Chain"),
        Field("seq", "int", "环节顺序", "Order", min=1, max=100),
        Field("stage_zh", "str", "环节", "Stage (Chinese)"),
        Field("stage_en", "str", "环节(英文)", "Stage (English)", required=False),
        Field("site_id", "str", "点位", "Site"),
    ),
    "产业链环节",
    "Chain stages",
    key=("chain_id", "seq"),
)

CATALOGUE = LayerSpec(
    "indicator_catalogue",
    "indicator_catalogue.csv",
    "key",
    (
        Field("key", "str", "指标代码", "Key"),
        Field("label_zh", "str", "指标", "Indicator (Chinese)"),
        Field("label_en", "str", "指标(英文)", "Indicator (English)"),
        Field("unit_zh", "str", "单位", "Unit (Chinese)", required=False),
        Field("unit_en", "str", "单位(英文)", "Unit (English)", required=False),
        Field("higher_is_better", "bool", "越高越好", "Higher is better"),
        Field("group", "str", "类别", "Group"),
        Field("source_zh", "str", "报告依据", "Source in the report", required=False),
        # How villages add up to the township: "sum" (incomes, areas, counts) or "mean"
        # (per-capita figures, scores). Blank means "sum".
        Field(
            "aggregate",
            "str",
            "全乡合计方式",
            "Township total",
            required=False,
            allowed=INDICATOR_AGGREGATES,
        ),
    ),
    "指标目录",
    "Indicator catalogue",
)

INDICATORS = LayerSpec(
    "indicators",
    "indicators.csv",
    None,
    (
        # A village code, or the township code for township-wide figures.
        Field("place_code", "str", "村(乡)", "Village or township"),
        Field("year", "int", "年份", "Year", min=1949, max=2100),
        Field("indicator", "str", "指标", "Indicator"),
        Field("value", "float", "数值", "Value", required=False),
        Field("target", "float", "目标", "Target", required=False),
    ),
    "指标",
    "Indicators",
    key=("place_code", "year", "indicator"),
)

# Layers a photo may belong to (photos.layer).
PHOTO_LAYERS: tuple[str, ...] = ("sites", "party_orgs")

# The index of the photos of sites and organisations; the images themselves are
# content-named files beside it (``photos/ab/<sha256>.jpg``, ``thumbs/...``), written
# before the index row is saved. Optional: a folder without photos.csv has no photos.
PHOTOS = LayerSpec(
    "photos",
    "photos.csv",
    "photo_id",
    (
        Field("photo_id", "str", "照片编号", "Photo ID"),
        Field("layer", "str", "所属图层", "Layer", allowed=PHOTO_LAYERS),
        Field("feature_id", "str", "所属对象", "Feature"),
        Field("seq", "int", "顺序", "Order", min=1, max=1000),
        Field("caption_zh", "str", "说明", "Caption (Chinese)", required=False),
        Field(
            "caption_en",
            "str",
            "英文说明",
            "Caption (English)",
            required=False,
            written_when_used=True,
        ),
        Field("taken", "str", "拍摄时间", "Date taken", required=False),
        Field("file", "str", "图片文件", "Image file"),
        Field("thumb", "str", "缩略图文件", "Thumbnail file"),
        Field("width", "int", "宽", "Width", min=1, unit_zh="像素"),
        Field("height", "int", "高", "Height", min=1, unit_zh="像素"),
        Field("bytes", "int", "大小", "Size", min=0, unit_zh="字节"),
    ),
    "照片",
    "Photos",
    required=False,
)

LAYERS: tuple[LayerSpec, ...] = (
    TOWNSHIP,
    VILLAGES,
    SITES,
    PARTY_ORGS,
    CHAINS,
    CHAIN_STAGES,
    CATALOGUE,
    INDICATORS,
    PHOTOS,
)
LAYERS_BY_NAME: dict[str, LayerSpec] = {spec.name: spec for spec in LAYERS}

# Plans and the report's problems/measures are nested documents, kept as YAML.
PLANS_FILE = "plans.yaml"
REPORT_FILE = "report.yaml"

SITE_KIND_LABELS: dict[str, tuple[str, str]] = {
    "industry_base": ("产业基地", "Industry base"),
    "demo_base": ("示范基地", "Demonstration base"),
    "wealth_project": ("致富项目", "Wealth project"),
    "cooperative": ("专业合作社", "Cooperative"),
    "market": ("农畜产品市场", "Produce market"),
}
ORG_LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "committee": ("乡党委", "Township Party committee"),
    "branch": ("党支部", "Party branch"),
    "group": ("党小组", "Party group"),
}
BRANCH_KIND_LABELS: dict[str, tuple[str, str]] = {
    "rural": ("农村党支部", "Rural branch"),
    "organ": ("机关党支部", "Township organs"),
    "institution": ("事业单位党支部", "Schools and clinics"),
    "enterprise": ("非公企业党支部", "Non-public enterprises"),
}
MILESTONE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "done": ("已完成", "Done"),
    "in_progress": ("推进中", "In progress"),
    "not_started": ("未开始", "Not started"),
    "delayed": ("滞后", "Delayed"),
}


def code_label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    """The zh or en label of a coded value, or the code itself when unknown."""
    pair = table.get(code)
    if pair is None:
        return str(code)
    return pick(lang, *pair)
