"""Common names of our fields in Chinese (and English) source files, and of coded values.

Keys are our field names (shared across layers with one meaning); names are compared after
:func:`township_atlas.transfer.tables.norm_header` (NFKC, lower case, no spaces, units in
brackets dropped), so "面积(亩)" matches "面积".
"""

from __future__ import annotations

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("代码", "编码", "编号", "村代码", "村编码", "行政区划代码", "区划代码", "xzqdm", "dm", "id"),
    "name_zh": ("名称", "名字", "中文名", "中文名称", "村名", "村庄名称", "组织名称", "党组织名称",
                "项目名称", "基地名称", "点位名称", "name", "mc", "xzqmc", "title", "标题", "乡镇名称"),
    "name_en": ("英文名", "英文名称", "english", "ename", "nameen"),
    "population": ("人口", "户籍人口", "总人口", "人口数", "rk", "pop"),
    "households": ("户数", "总户数", "农户数", "带动户数", "带动农户", "带动农户数", "hs"),
    "leading_industry_zh": ("主导产业", "一村一业", "产业"),
    "leading_industry_en": ("主导产业英文",),
    "support_unit_zh": ("帮扶单位", "结对帮扶单位", "结对单位"),
    "support_unit_en": ("帮扶单位英文",),
    "site_id": ("编号", "点位编号", "基地编号", "项目编号", "id", "依托项目", "依托基地", "依托点位"),
    "kind": ("类型", "类别", "种类", "点位类型", "type", "lx", "category"),
    "industry_zh": ("产业", "行业", "产业类型", "产业名称"),
    "village_code": ("所在村", "所属村", "行政村", "村", "村庄", "village", "村代码"),
    "area_mu": ("面积", "面积亩", "占地面积", "亩数", "mj", "area"),
    "output_wan": ("产值", "年产值", "产值万元"),
    "established": ("建成年份", "建设年份", "年份", "建成时间", "year"),
    "note_zh": ("备注", "说明", "描述", "description", "remark", "note", "bz"),
    "org_id": ("编号", "组织编号", "id"),
    "level": ("层级", "级别", "组织层级", "组织类别", "类别", "组织类型"),
    "branch_kind": ("支部类别", "支部类型"),
    "parent_id": ("上级", "上级组织", "上级党组织", "parent"),
    "members": ("党员数", "党员人数", "党员", "人数"),
    "leader_role_zh": ("负责人职务", "书记职务", "职务"),
    "chain_id": ("产业链", "依托产业链", "产业链编号"),
    "founded": ("成立年份", "建立年份", "成立时间"),
    "flagship_zh": ("一乡一品",),
}  # fmt: skip

# Coded values: extra ways people write them, besides the code and its zh/en labels.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "kind": {
        "基地": "industry_base", "产业园": "industry_base", "示范园": "demo_base",
        "示范点": "demo_base", "示范": "demo_base", "项目": "wealth_project",
        "合作社": "cooperative", "农民专业合作社": "cooperative", "市场": "market",
        "农贸市场": "market", "交易市场": "market", "农产品市场": "market",
    },
    "level": {
        "党委": "committee", "乡党委": "committee", "镇党委": "committee", "支部": "branch",
        "村党支部": "branch", "小组": "group",
    },
    "branch_kind": {
        "农村": "rural", "村党支部": "rural", "机关": "organ", "乡机关": "organ",
        "事业单位": "institution", "学校": "institution", "卫生院": "institution",
        "企业": "enterprise", "非公企业": "enterprise", "非公有制企业": "enterprise",
    },
}  # fmt: skip

TRUE_WORDS = ("true", "1", "yes", "y", "是", "对", "有", "√", "t")
FALSE_WORDS = ("false", "0", "no", "n", "否", "无", "×", "f")
IGNORED_COLUMNS = (
    "fid",
    "objectid",
    "ogc_fid",
    "gid",
    "oid",
    "shape_leng",
    "shape_area",
    "shape_length",
)
