"""Texts of the wall map (挂图), in Chinese and English (merged into labels.TEXT).

Keys start with ``wall_``. Messages about a problem say what is wrong and what to do.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # --- the sheet ---
    "wall_title": ("{township}党建产业地图", "{township}: Party building and industry map"),
    "wall_title_year": ("({year}年)", " ({year})"),
    "wall_title_village": (
        "{township}{village}党建产业地图",
        "{village}, {township}: Party building and industry map",
    ),
    "wall_subtitle": ("党建引领 · 一村一业", "Party building leads · one village, one industry"),
    "wall_sample_mark": (
        "示例数据:地名、点位和数值均为虚构,仅供演示",
        "SAMPLE DATA: places and figures are fictional, for demonstration only",
    ),
    "wall_legend": ("图例", "Legend"),
    "wall_legend_township": ("乡镇界", "Township boundary"),
    "wall_legend_village": ("村界", "Village boundary"),
    "wall_legend_site_area": ("产业基地范围", "Site area"),
    "wall_legend_chain": ("产业链", "Industry chain"),
    "wall_legend_committee": ("乡党委", "Township Party committee"),
    "wall_legend_branch": ("党支部", "Party branch"),
    "wall_legend_group": ("党小组", "Party group"),
    "wall_headline": ("核心数据(与报告核对)", "Headline figures, checked"),
    "wall_col_figure": ("项目", "Figure"),
    "wall_col_computed": ("计算值", "Computed"),
    "wall_col_reported": ("报告数", "Reported"),
    "wall_col_check": ("核对", "Check"),
    "wall_agrees": ("一致", "agrees"),
    "wall_differs": ("不一致", "differs"),
    "wall_not_reported": ("未报告", "not reported"),
    "wall_villages_title": ("各村概况", "Villages at a glance"),
    "wall_villages_more": ("各村概况(续)", "Villages at a glance (continued)"),
    "wall_villages_continued": ("其余 {n} 个村见第 2 页", "{n} more villages on page 2"),
    "wall_col_village": ("村", "Village"),
    "wall_col_industry": ("主导产业", "Leading industry"),
    "wall_col_population": ("人口", "Population"),
    "wall_col_members": ("党员", "Members"),
    "wall_col_sites": ("点位", "Sites"),
    "wall_col_area": ("面积(km²)", "Area (km²)"),
    "wall_scale": ("比例尺 1:{n}", "Scale 1:{n}"),
    "wall_km": ("公里", "km"),
    "wall_m": ("米", "m"),
    "wall_north": ("北", "N"),
    "wall_data_date": ("数据年份:{year}", "Data year: {year}"),
    "wall_data_version": ("数据版本:{version}", "Data version: {version}"),
    "wall_printed": ("制图日期:{date}", "Made on: {date}"),
    "wall_source": (
        "数据来源:本系统数据(乡界、村界、产业点位、党组织、指标){report}",
        "Source: the atlas's data (boundaries, sites, Party organisations, indicators){report}",
    ),
    "wall_source_report": (";报告:{title}", "; report: {title}"),
    "wall_projection": (
        "坐标系:CGCS2000,横轴墨卡托投影,中央经线 {lon}°E",
        "Coordinates: CGCS2000, transverse Mercator, central meridian {lon}°E",
    ),
    "wall_made_by": ("乡村党建产业地图系统生成", "Made by Township Atlas"),
    # --- the page and the command ---
    "wall_expander": ("挂图 / Wall map(打印 A0–A3)", "Wall map (print A0–A3)"),
    "wall_paper": ("纸张", "Paper"),
    "wall_orientation": ("方向", "Orientation"),
    "wall_landscape": ("横向", "Landscape"),
    "wall_portrait": ("纵向", "Portrait"),
    "wall_extent": ("范围", "Extent"),
    "wall_whole": ("全乡", "Whole township"),
    "wall_with_indicator": ("按当前指标着色", "Colour by the chosen indicator"),
    "wall_grid": ("经纬网", "Graticule"),
    "wall_format": ("格式", "Format"),
    "wall_tiles": ("以本地瓦片为底图", "Local tiles under the map"),
    "wall_make": ("生成挂图", "Make the wall map"),
    "wall_file": ("{township}_挂图_{paper}_{date}", "{township}_wall-map_{paper}_{date}"),
    # --- problems ---
    "wall_err_paper": (
        "不支持的纸张 {paper}。请选择 A0、A1、A2 或 A3。",
        "Paper {paper} is not supported. Choose A0, A1, A2 or A3.",
    ),
    "wall_err_orientation": (
        "不支持的方向 {orientation}。请选择 landscape(横向)或 portrait(纵向)。",
        "Orientation {orientation} is not supported. Choose landscape or portrait.",
    ),
    "wall_err_village": (
        "没有代码为 {code} 的村。请使用村界数据中的村代码(例如 {example})。",
        "There is no village with code {code}. Use a village code from the villages layer "
        "(for example {example}).",
    ),
    "wall_err_indicator": (
        "指标目录中没有 {key}。请使用目录中的指标代码(例如 {example})。",
        "The indicator catalogue has no {key}. Use a key from the catalogue (for example "
        "{example}).",
    ),
    "wall_err_year": (
        "请同时给出指标和年份(--indicator KEY --year YYYY),或两者都不给。",
        "Give both an indicator and a year (--indicator KEY --year YYYY), or neither.",
    ),
    "wall_err_no_boundary": (
        "还没有乡镇边界,无法制图。请先在“建立本乡数据”中导入乡界。",
        "There is no township boundary yet, so there is nothing to map. Import the boundary "
        "first (Set up your township).",
    ),
    "wall_err_poppler": (
        "找不到 pdftoppm,无法生成 PNG。请在服务器上安装 poppler-utils(sudo apt-get install "
        "poppler-utils),或改用 PDF。",
        "pdftoppm is not installed, so no PNG can be made. Install poppler-utils on the "
        "server (sudo apt-get install poppler-utils), or use the PDF.",
    ),
    "wall_err_render": (
        "PDF 转 PNG 失败:{detail}。请改用 PDF,或检查服务器上的 poppler-utils。",
        "Turning the PDF into a PNG failed: {detail}. Use the PDF, or check poppler-utils "
        "on the server.",
    ),
    "wall_err_tiles": (
        "本地瓦片文件夹 {path} 不存在或没有 z/x/y.png 瓦片。请检查路径,或不加 --tiles 生成无底图的挂图。",
        "The local tile folder {path} does not exist or holds no z/x/y.png tiles. Check the "
        "path, or leave out --tiles for a map without a basemap.",
    ),
}
