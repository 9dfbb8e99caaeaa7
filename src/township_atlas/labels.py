"""Every text a user reads, in Chinese and English, kept in one place.

``tr("key", lang)`` returns the text; ``str.format`` fields are filled by the caller.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("乡村党建产业地图", "Township Atlas"),
    "app_subtitle": ("党建引领 · 一村一业", "Party building and one village, one industry"),
    "sample_notice": (
        "示例数据:本乡镇及其村名、点位和数值均为虚构,仅用于演示。请替换为本乡镇的真实数据。",
        "Sample data: this township, its places and figures are fictional, for demonstration "
        "only. Replace them with your own township's data.",
    ),
    "language": ("语言 / Language", "语言 / Language"),
    "page_overview": ("数据概况", "Data overview"),
    "headline": ("核心数据", "Headline figures"),
    "area": ("乡域面积", "Area"),
    "area_km2": ("乡域面积(平方公里)", "Area (km²)"),
    "area_help": ("按乡镇边界在 WGS84 椭球面上计算的面积。", "Geodesic area of the boundary."),
    "villages": ("行政村", "Villages"),
    "branches": ("党支部", "Party branches"),
    "members": ("党员", "Party members"),
    "rural_branches": ("农村党支部", "Rural branches"),
    "rural_members": ("农村党员", "Rural members"),
    "groups": ("党小组", "Party groups"),
    "sites": ("产业点位", "Sites"),
    "unit_km2": ("平方公里", "km²"),
    "unit_mu": ("亩", "mu"),
    "unit_people": ("名", ""),
    "unit_count": ("个", ""),
    "computed_vs_reported": ("计算值与报告值核对", "Computed figures against the report"),
    "figure": ("项目", "Figure"),
    "computed": ("按数据计算", "Computed from the data"),
    "reported": ("报告数", "Reported"),
    "agrees": ("一致", "Agrees"),
    "yes": ("✓ 一致", "✓ agrees"),
    "no": ("✗ 不一致", "✗ differs"),
    "sites_by_kind": ("各类产业点位", "Sites by kind"),
    "kind": ("类型", "Kind"),
    "count": ("数量", "Count"),
    "village_table": ("各村概况", "Villages at a glance"),
    "village": ("村", "Village"),
    "population": ("户籍人口", "Population"),
    "households": ("户数", "Households"),
    "leading_industry": ("主导产业", "Leading industry"),
    "support_unit": ("结对帮扶单位", "Support unit"),
    "data_check": ("数据检查", "Data check"),
    "data_sound": ("数据检查通过:所有规则均满足。", "Data check passed: every rule holds."),
    "data_problems": (
        "数据检查发现 {errors} 个错误、{warnings} 个提醒,请按下表修正。",
        "The data check found {errors} errors and {warnings} warnings; see below.",
    ),
    "severity": ("级别", "Severity"),
    "severity_error": ("错误", "Error"),
    "severity_warning": ("提醒", "Warning"),
    "severity_info": ("信息", "Info"),
    "layer": ("图层", "Layer"),
    "feature": ("要素", "Feature"),
    "message": ("说明", "Message"),
    "location": ("位置(经度, 纬度)", "Location (lon, lat)"),
    "data_folder": ("数据文件夹", "Data folder"),
    "data_folder_error": ("无法打开数据文件夹", "Cannot open the data folder"),
    "data_version": ("数据版本", "Data version"),
    "checks_run": ("已检查规则", "Rules checked"),
    "source_report": ("数据依据:《{title}》", "Based on: {title}"),
}


def tr(key: str, lang: str = "zh") -> str:
    """The text for ``key`` in ``lang`` ("zh" or "en")."""
    zh, en = TEXT[key]
    return zh if lang == "zh" else en
