"""Texts of the 会议汇报 (meeting) page and briefing exports, in Chinese and English (merged into labels.TEXT)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "page_meeting": ("会议汇报", "Meeting"),
    # --- the deck ---
    "mtg_deck_title": ("{township}会议汇报", "{township} briefing"),
    "mtg_year_data": ("{year} 年数据", "{year} data"),
    "mtg_sample": ("示例数据", "sample data"),
    "mtg_slide_n": ("{n} / {total}", "{n} / {total}"),
    "mtg_made_on": ("{date} 生成", "made {date}"),
    "mtg_overview_title": ("{township}全乡概况", "{township} at a glance"),
    "mtg_overview_subtitle": (
        "一乡一品:{flagship} · 一村一业:{villages} 个行政村各有主导产业",
        "One township, one product: {flagship} · one village, one industry in {villages} villages",
    ),
    "mtg_no_township": (
        "没有乡镇边界(township.geojson 为空或无法读取)。",
        "No township boundary (township.geojson is empty or unreadable).",
    ),
    "mtg_indicators_title": ("全乡主要指标({year} 年)", "Township indicators, {year}"),
    "mtg_indicators_subtitle": (
        "各村数据汇总,对照目标:绿色达到、黄色接近、红色落后",
        "The villages added up, against targets: green met, amber close, red behind",
    ),
    "mtg_chart_title": (
        "各村{indicator}({year} 年)与目标",
        "{indicator} by village, {year}, against target",
    ),
    "mtg_actual": ("实际", "Actual"),
    "mtg_target": ("目标 {target}", "target {target}"),
    "mtg_no_indicators": (
        "还没有指标数据(indicators.csv)。",
        "No indicator data yet (indicators.csv).",
    ),
    "mtg_no_values": ("{year} 年还没有各村的指标数值。", "No village values for {year} yet."),
    "mtg_no_village_values": (
        "本村还没有指标数值(indicators.csv)。",
        "No indicator values for this village yet (indicators.csv).",
    ),
    "mtg_no_data": ("暂无数据", "No data"),
    "mtg_reported_agrees": ("报告数 {reported} · 一致", "report: {reported} · agrees"),
    "mtg_reported_differs": ("报告数 {reported} · 不一致", "report: {reported} · differs"),
    # --- village slides ---
    "mtg_plan": ("一村一业规划", "One village, one industry"),
    "mtg_measures": ("主要措施", "Measures"),
    "mtg_steps": ("分年度目标", "Goals by year"),
    "mtg_milestones": ("节点", "Milestones"),
    "mtg_weak_points": ("需解决的问题", "To solve"),
    "mtg_figures": ("指标对照目标", "Figures against targets"),
    "mtg_branch": ("村党支部", "Village branch"),
    "mtg_branch_value": (
        "{members} 名党员 · {groups} 个党小组",
        "{members} members · {groups} groups",
    ),
    "mtg_branch_chain": ("依托:{chain}", "built on: {chain}"),
    "mtg_village_area": ("村域面积", "Village area"),
    "mtg_facts": ("村情", "The village"),
    "mtg_groups_heading": ("党支部和党小组", "Party branch and groups"),
    "mtg_more": ("另有 {n} 项", "and {n} more"),
    # --- organisation, problems, measures ---
    "mtg_org_title": ("党组织建设与覆盖", "Party organisation and coverage"),
    "mtg_org_subtitle": (
        "把党支部建在产业链上,把党小组建在致富项目、示范基地上",
        "Branches on industry chains, Party groups on wealth projects and demonstration bases",
    ),
    "mtg_coverage": ("党小组覆盖率", "Party-group coverage"),
    "mtg_coverage_note": (
        "{covered} / {total} 个致富项目和示范基地",
        "{covered} of {total} wealth projects and demonstration bases",
    ),
    "mtg_branches_table": ("各党支部", "Branches"),
    "mtg_branch_col": ("党支部", "Branch"),
    "mtg_uncovered": ("尚未建立党小组的点位({n} 个)", "Sites without a Party group ({n})"),
    "mtg_site": ("点位", "Site"),
    "mtg_no_orgs": ("还没有党组织数据(party_orgs.geojson)。", "No Party organisation data yet."),
    "mtg_problems_title": ("存在的问题", "Problems"),
    "mtg_measures_title": ("对策措施", "Measures"),
    "mtg_villages_naming": ("涉及:{villages}", "Named by: {villages}"),
    "mtg_no_village_names": ("各村规划中均未列出", "No village plan names it"),
    "mtg_answers": ("针对:{problems}", "Answers: {problems}"),
    "mtg_no_report_items": (
        "报告要点(report.yaml)中没有此项内容。",
        "The report file (report.yaml) has none.",
    ),
    # --- figure sources (speaker notes) ---
    "mtg_notes_sources": ("数据来源:", "Sources:"),
    "mtg_src_area": (
        "乡界 township.geojson,按 WGS84 椭球计算面积",
        "township.geojson boundary, geodesic area on WGS84",
    ),
    "mtg_src_villages": ("村界 villages.geojson 中的行政村数", "villages in villages.geojson"),
    "mtg_src_orgs": (
        "党组织 party_orgs.geojson 计数(党员数按支部相加)",
        "counted in party_orgs.geojson (members summed over branches)",
    ),
    "mtg_src_sites": ("点位 sites.geojson 计数", "counted in sites.geojson"),
    "mtg_src_total": (
        "indicators.csv,{year} 年 {key},{aggregate}({n} 个村)",
        "indicators.csv, {year}, {key}, {aggregate} ({n} villages)",
    ),
    "mtg_src_indicator": (
        "indicators.csv,{place},{year} 年 {key}",
        "indicators.csv, {place}, {year}, {key}",
    ),
    "mtg_src_report": (";报告依据:“{source}”", "; report: “{source}”"),
    "mtg_src_branch": (
        "party_orgs.geojson 中的 {org} 及其党小组",
        "{org} and its groups in party_orgs.geojson",
    ),
    "mtg_src_village": ("villages.geojson 中的 {code}", "{code} in villages.geojson"),
    "mtg_src_village_area": (
        "villages.geojson 中 {code} 的边界,按 WGS84 椭球计算",
        "{code}'s boundary in villages.geojson, geodesic on WGS84",
    ),
    "mtg_src_coverage": (
        "sites.geojson 的致富项目、示范基地与 party_orgs.geojson 的党小组(site_id)",
        "wealth projects and demonstration bases in sites.geojson against groups' site_id",
    ),
    # --- the page ---
    "mtg_prev": ("上一页", "Previous"),
    "mtg_next": ("下一页", "Next"),
    "mtg_first": ("第一页", "First"),
    "mtg_last": ("最后一页", "Last"),
    "mtg_exit": ("退出汇报", "Leave"),
    "mtg_menu": ("更多", "More"),
    "mtg_go_to": ("跳到", "Go to"),
    "mtg_keys_help": (
        "翻页:← → 方向键、Page Up / Page Down(翻页笔)、Home / End;全屏:F11。",
        "Turn pages with ← →, Page Up / Page Down (a presenter clicker), Home / End; F11 for full screen.",
    ),
    "mtg_downloads": ("下载", "Download"),
    "mtg_download_pptx": ("汇报 PPT", "Deck (PowerPoint)"),
    "mtg_download_sheets": ("全部村档案 PDF", "All village sheets (PDF)"),
    "mtg_download_sheet": ("本村档案 PDF", "This village's sheet (PDF)"),
    "mtg_export_needs_planner": (
        "下载汇报文件需要以规划员或管理员身份登录。",
        "Log in as a planner or administrator to download the briefing files.",
    ),
    "mtg_slide_missing": ("本页数据不全:", "Missing on this slide: "),
    "mtg_map_alt": ("{title}:地图", "{title}: map"),
    "mtg_chart_alt": ("{title}:图表", "{title}: chart"),
    "mtg_legend_party": ("党组织", "Party organisation"),
    "mtg_legend_uncovered": ("尚无党小组", "No Party group yet"),
    "mtg_north": ("北", "N"),
    # --- file names and the village sheet ---
    "mtg_file_deck": ("{township}_会议汇报_{date}", "{township}_briefing_{date}"),
    "mtg_file_sheets": ("{township}_一村一档_{date}", "{township}_village_sheets_{date}"),
    "mtg_file_sheet": ("{township}_{village}_一村一档_{date}", "{township}_{village}_sheet_{date}"),
    "mtg_sheet_title": ("一村一档", "Village sheet"),
    "mtg_font_missing": (
        "找不到中文字体,无法绘制地图和生成 PDF。请在服务器上安装 Noto CJK 字体:"
        "sudo apt-get install fonts-noto-cjk(Debian/Ubuntu 软件包 fonts-noto-cjk)。",
        "No Chinese (CJK) font is installed, so maps and PDFs cannot be drawn. Install the "
        "Noto CJK fonts on the server: sudo apt-get install fonts-noto-cjk (Debian/Ubuntu "
        "package fonts-noto-cjk).",
    ),
    "mtg_continued": ("(续)", " (cont.)"),
    # --- photos of the village's sites and organisations (issue 20) ---
    "mtg_photos": ("照片", "Photos"),
    "mtg_notes_photos": ("本村照片({n} 张):", "The village's photos ({n}):"),
    "mtg_photos_heading": (
        "{village} · 点位和党组织照片",
        "{village} · photos of sites and organisations",
    ),
    "mtg_photo_alt": ("{feature}:{label}", "{feature}: {label}"),
    "mtg_photo_missing": ("照片文件缺失", "Photo file missing"),
    "mtg_photos_more": (
        "另有 {n} 张照片,见村情档案页",
        "{n} more photos on the village page",
    ),
}
TEXT["mtg_sheet_sources"] = (
    "数据来源:本乡数据文件夹(villages、sites、party_orgs、indicators、plans);各数字由数据计算。",
    "Source: the township's data folder (villages, sites, party_orgs, indicators, plans); "
    "every figure is computed from it.",
)
