"""Every text a user reads, in Chinese and English, kept in one place.

``tr("key", lang)`` returns the text; ``str.format`` fields are filled by the caller.
"""

from __future__ import annotations

from township_atlas.text.bilingual import pick
from township_atlas.text.labels.edit import TEXT as EDIT_TEXT
from township_atlas.text.labels.meeting import TEXT as MEETING_TEXT
from township_atlas.text.labels.onboard import TEXT as ONBOARD_TEXT
from township_atlas.text.labels.setup import TEXT as SETUP_TEXT
from township_atlas.text.labels.transfer import TEXT as TRANSFER_TEXT
from township_atlas.text.labels.wallmap import TEXT as WALLMAP_TEXT

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
    # The details panel: a village's and a site's own area (not the township's).
    "village_area": ("村域面积", "Village area"),
    "site_area": ("占地面积", "Site area"),
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
    "data_folder": ("数据位置", "Data location"),
    "township_switch": ("乡镇(全县 {n} 个)", "Township ({n} in the county)"),
    "data_folder_error": ("无法打开数据文件夹", "Cannot open the data folder"),
    "data_version": ("数据版本", "Data version"),
    "checks_run": ("已检查规则", "Rules checked"),
    "source_report": ("数据依据:《{title}》", "Based on: {title}"),
    # --- map page ---
    "page_map": ("总览地图", "Township map"),
    "map_township": ("乡镇边界", "Township boundary"),
    "map_village_labels": ("村名", "Village names"),
    "map_chains": ("产业链", "Industry chains"),
    "map_links": ("党组织依托关系", "Party links"),
    "map_orgs": ("党组织", "Party organisations"),
    "map_legend": ("图例", "Legend"),
    "map_group_site": ("党小组 → 依托点位", "Group → its site"),
    "map_branch_chain": ("党支部 → 依托产业链", "Branch → its chain"),
    "map_fullscreen": ("全屏", "Full screen"),
    "map_fullscreen_exit": ("退出全屏", "Exit full screen"),
    "map_indicator": ("着色指标", "Colour villages by"),
    "map_layers": ("着色与底图", "Colours and basemap"),
    "map_indicator_none": ("不着色(按村显示)", "No colouring"),
    "map_year": ("年份", "Year"),
    "map_basemap": ("底图", "Basemap"),
    "map_basemap_network": (
        "此底图需要联网;离线时只显示本地图层。",
        "This basemap needs the internet; offline only our layers show.",
    ),
    "map_basemap_gcj": (
        "高德底图使用 GCJ-02 坐标,图层已自动偏移对齐。",
        "AMap tiles are in GCJ-02; our layers are shifted to line up.",
    ),
    "map_search": ("查找村、点位或党组织", "Find a village, site or Party organisation"),
    "map_search_placeholder": ("输入名称…", "Type a name…"),
    # Shown in any drop-down while the user types to filter it (Streamlit's own is English).
    "choose_placeholder": ("请选择,或输入文字筛选", "Choose, or type to filter"),
    "map_find_site": ("按名称查找点位", "Find a site by name"),
    "map_find_site_placeholder": (
        "输入点位名称中的几个字,回车",
        "Type part of a site's name, then Enter",
    ),
    "map_find_site_found": (
        "找到 {n} 个点位,已列入上面的查找框。",
        "{n} sites found: pick one in the box above.",
    ),
    "map_find_site_none": ("没有找到名称含“{q}”的点位。", "No site's name contains “{q}”."),
    "map_details": ("详细信息", "Details"),
    "map_click_hint": (
        "点击地图上的村、点位或党组织查看详情;也可以在上方查找。",
        "Click a village, site or Party organisation on the map, or find it above.",
    ),
    "map_selection_gone": (
        "所选要素已不存在(可能已被修改或删除)。",
        "The selected feature no longer exists (it may have been edited or deleted).",
    ),
    "map_open_village": ("打开村情档案", "Open the village page"),
    "map_assets_missing": (
        "地图组件文件缺失,无法显示地图",
        "Map files are missing, so the map cannot be shown",
    ),
    "map_findings": ("数据检查发现问题的位置", "Where the data check found problems"),
    "map_data_failed": (
        "地图数据加载失败,请刷新页面。",
        "The map's data could not be loaded; please reload the page.",
    ),
    "industry": ("产业", "Industry"),
    "households_involved": ("带动农户", "Households involved"),
    "output": ("年产值", "Annual output"),
    "established": ("建成年份", "Established"),
    "party_group": ("党小组", "Party group"),
    "chain": ("产业链", "Industry chain"),
    "parent": ("上级组织", "Parent organisation"),
    "leader_role": ("负责人职务", "Leader's role"),
    "built_on": ("依托点位", "Built on"),
    "built_on_chain": ("依托产业链", "Built on chain"),
    "children": ("下级组织", "Sub-organisations"),
    "plan": ("发展规划", "Plan"),
    "milestones": ("重点节点", "Milestones"),
    "status_green": ("达到目标", "On target"),
    "status_amber": ("接近目标", "Close to target"),
    "status_red": ("落后于目标", "Behind target"),
    "status_none": ("无目标", "No target"),
    "target": ("目标", "Target"),
    # --- village, indicators, organisation pages ---
    "page_village": ("村情档案", "Village profile"),
    "page_indicators": ("指标对比", "Indicator comparison"),
    "page_organisation": ("组织体系", "Party organisation"),
    "choose_village": ("选择村", "Village"),
    "choose_year": ("年份", "Year"),
    "year_n": ("{year} 年", "{year}"),
    "sso_no_user_claim": (
        "单点登录未能识别你的身份(缺少设定的用户声明,或邮箱未经身份提供方验证)。请联系管理员。",
        "Single sign-on could not tell who you are (the configured user claim is missing, "
        "or the email is not verified by the provider). Ask the administrator.",
    ),
    "download_ready": (
        "文件已生成,点此保存:{name}",
        "The file is ready; click to save it: {name}",
    ),
    "url_rejected": (
        "链接中的参数 {param}={value} 无效,已改为默认显示。",
        "The link's {param}={value} is not valid; showing the default instead.",
    ),
    "no_villages": (
        "数据中没有行政村,无法显示。请检查 villages.geojson。",
        "The data has no villages to show. Check villages.geojson.",
    ),
    "village_area_km2": ("村域面积(平方公里)", "Area (km²)"),
    "branch_members": ("村党支部党员", "Branch members"),
    "village_area_help": (
        "村域面积按村界在 WGS84 椭球面上计算,约 {mu}。",
        "Geodesic area of the village boundary, about {mu}.",
    ),
    "unit_people_plain": ("人", ""),
    "unit_households": ("户", ""),
    "unit_wan": ("万元", "10k yuan"),
    "village_map": ("村域地图", "Village map"),
    "plan_heading": ("“一村一业”发展规划", "One village, one industry plan"),
    "no_plan": (
        "该村还没有“一村一业”发展规划。请在 plans.yaml 中为 {code} 补充主导产业、年度目标、措施和节点。",
        "This village has no one-village-one-industry plan yet. Add one for {code} in "
        "plans.yaml: leading industry, goals by year, measures and milestones.",
    ),
    "measures": ("主要措施", "Measures"),
    "none_listed": ("暂无", "None listed"),
    "goals": ("年度目标完成情况", "Goals by year: actual against target"),
    "year": ("年份", "Year"),
    "goal": ("年度目标", "Goal"),
    "target_value": ("目标值", "Target"),
    "actual": ("实际", "Actual"),
    "progress": ("完成率", "Progress"),
    "status": ("状态", "Status"),
    "not_yet": ("未到年份", "Not due yet"),
    "milestone": ("节点", "Milestone"),
    "due": ("计划完成", "Due"),
    "done_on": ("实际完成", "Done"),
    "overdue": ("已逾期", "overdue"),
    "indicator_cards": (
        "{year} 年指标(较上年变化)",
        "Indicators in {year} (change from the year before)",
    ),
    "card_legend": (
        "指标名后的 ✓ 表示达到目标,! 表示接近目标(差距不超过目标的 10%),✗ 表示落后于目标;"
        "把鼠标移到“?”上可查看目标值和报告依据。",
        "After a name, ✓ means on target, ! close to it (within 10 % of the target), ✗ behind; "
        "hover over “?” for the target.",
    ),
    "no_indicators": (
        "数据中还没有指标记录。请在 indicators.csv 中录入各村的指标数值和目标。",
        "There are no indicator records yet. Enter the villages' values and targets in "
        "indicators.csv.",
    ),
    "no_values_year": (
        "{year} 年还没有录入任何指标数值(可能只有规划目标)。请选择其他年份。",
        "No values are recorded for {year} yet (perhaps only targets). Choose another year.",
    ),
    "vs_previous_year": ("较上年", "vs the year before"),
    "report_basis": ("报告依据", "Basis in the report"),
    "lower_is_better": ("越低越好", "Lower is better"),
    "rank_higher": ("数值越高排名越靠前。", "The highest value ranks first."),
    "rank_lower": (
        "该指标越低越好:数值越低排名越靠前。",
        "Lower is better here: the lowest value ranks first.",
    ),
    "group_economy": ("经济发展", "Economy"),
    "group_funding": ("经费保障", "Funding"),
    "group_cadre": ("干部队伍", "Cadres"),
    "group_party": ("党的建设", "Party building"),
    "trends": ("趋势与目标", "Trends against targets"),
    "trend_indicators": ("选择指标", "Indicators to chart"),
    "choose_trends_hint": ("请至少选择一个指标。", "Choose at least one indicator."),
    "branch_heading": ("村党支部与党小组", "The Party branch and its groups"),
    "no_branch": (
        "该村没有农村党支部记录。请在 party_orgs.geojson 中补充。",
        "This village has no rural Party branch in the data. Add it in party_orgs.geojson.",
    ),
    "no_chain": ("尚未建在产业链上", "not built on a chain"),
    "no_groups": ("该支部还没有党小组。", "This branch has no Party groups yet."),
    "funding_heading": ("村级资金状况", "Funding"),
    "no_funding": ("该村没有资金方面的指标记录。", "This village has no funding records."),
    "no_funding_year": (
        "{year} 年没有资金记录;下图为历年情况。",
        "No funding records for {year}; the chart shows other years.",
    ),
    "funding_caption": (
        "公益事业资金缺口由谁解决(万元/年):上级部门解决、企业家乡贤捐助、村干部垫付,其余尚无着落。",
        "Who met the shortfall for public works (10k yuan a year): higher levels, donors, "
        "cadres out of pocket; the rest is unpaid.",
    ),
    "unpaid": ("尚无着落", "Unpaid"),
    "funding_unit": ("{year} 年 · 单位:万元", "{year} · in 10k yuan"),
    "problems_heading": ("存在问题与对应措施", "Problems and measures"),
    "no_problems": ("规划中没有列出该村的问题。", "The plan lists no problems for this village."),
    "related_measures": ("对应措施", "Measures"),
    "support_heading": ("结对帮扶单位", "Pairing-support unit"),
    "support_help": (
        "依据报告:对特别贫困的基层党组织,落实具体单位帮扶。",
        "From the report: each especially poor branch is paired with a named support unit.",
    ),
    "no_support": ("该村没有结对帮扶单位。", "This village has no pairing-support unit."),
    "indicator_group": ("指标类别", "Group"),
    "all_groups": ("全部", "All"),
    "show_as": ("表中显示", "Show"),
    "show_values": ("数值", "Values"),
    "show_ranks": ("名次", "Ranks"),
    "ranking_indicator": ("排名与趋势指标", "Indicator to rank and chart"),
    "values_table": ("{year} 年各村指标", "Villages' indicators in {year}"),
    "rag_legend": (
        "✓ 绿色:达到目标;! 黄色:接近目标(差距不超过目标的 10%);✗ 红色:落后于目标;无底色:没有目标。"
        "资金缺口、干部垫付等越低越好的指标,不高于目标即为达标。",
        "✓ green: on target; ! amber: within 10 % of the target; ✗ red: behind; no colour: no "
        "target. For lower-is-better indicators (shortfall, cadres paying) at or below the "
        "target is on target.",
    ),
    "township_totals": ("{year} 年全乡合计", "Township totals, {year}"),
    "indicator": ("指标", "Indicator"),
    "unit": ("单位", "Unit"),
    "township_total": ("全乡合计", "Township total"),
    "township_name_total": ("全乡(各村合计)", "Township (all villages)"),
    "aggregate": ("合计方式", "How totalled"),
    "aggregate_sum": ("各村相加", "Sum of villages"),
    "aggregate_mean": ("各村平均", "Mean of villages"),
    "change_from_previous": ("较上年", "Change"),
    "reporting_villages": ("填报村数", "Villages reporting"),
    "township_record": ("乡级记录", "Township-wide record"),
    "value": ("数值", "Value"),
    "ranking_heading": ("{year} 年各村排名:{indicator}", "Ranking in {year}: {indicator}"),
    "small_multiples": (
        "历年趋势:{indicator}(灰色虚线为目标)",
        "Over the years: {indicator} (dashed grey: target)",
    ),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "export_filename": ("各村指标_{year}", "village_indicators_{year}"),
    "export_village_code": ("村代码", "Village code"),
    "sheet_values": ("{year}年各村指标", "Indicators {year}"),
    "sheet_totals": ("{year}年全乡合计", "Township totals {year}"),
    "sheet_detail": ("{year}年明细", "Detail {year}"),
    "org_checks": (
        "组织数据核对:按数据计算,与报告数比对",
        "Counts computed from the data, checked against the report",
    ),
    "not_reported": ("报告未给出", "Not in the report"),
    "reported_n": ("报告 {n}", "Reported {n}"),
    "org_tree": ("组织架构:乡党委 → 党支部 → 党小组", "Committee → branches → groups"),
    "tree_focus": ("显示", "Show"),
    "tree_all": ("全部支部", "All branches"),
    "tree_hint": (
        "在“显示”中选择一个支部,可只看该支部及其党小组(在手机上更清楚)。",
        "Choose one branch under “Show” to see only it and its groups (clearer on a phone).",
    ),
    "members_n": ("{n} 名党员", "{n} members"),
    "committee_summary": ("{branches} 个支部 · {n} 名党员", "{branches} branches · {n} members"),
    "branch_table": ("各支部一览", "Branches at a glance"),
    "branch_kind": ("支部类别", "Kind"),
    "group_members": ("党小组党员", "Members in groups"),
    "coverage_heading": (
        "党小组覆盖:把党小组建在致富项目、示范基地上",
        "Party groups on wealth projects and demonstration bases",
    ),
    "coverage_kind": ("{kind}建有党小组", "{kind}s with a Party group"),
    "coverage_all": ("合计建有党小组", "All with a Party group"),
    "coverage_counts": ("{covered} / {total} 个", "{covered} of {total}"),
    "uncovered_heading": ("尚未建立党小组的点位", "Sites without a Party group"),
    "all_covered": (
        "所有致富项目和示范基地都已建立党小组。",
        "Every wealth project and demonstration base has a Party group.",
    ),
    "uncovered_map_caption": (
        "地图上高亮的是尚未建立党小组的点位。",
        "The highlighted sites have no Party group yet.",
    ),
    "site": ("点位", "Site"),
    "chains_heading": (
        "产业链与党支部:把党支部建在产业链上",
        "Industry chains and the branches built on them",
    ),
    "built_on_chain_edge": ("建在产业链上", "built on"),
    "stages": ("环节", "Stages"),
    "branches_on_chain": ("依托支部", "Branches built on it"),
    "no_chain_branch": ("尚无支部", "None yet"),
    "no_chains": (
        "数据中没有产业链。请在 chains.csv 和 chain_stages.csv 中补充。",
        "The data has no industry chains. Add them in chains.csv and chain_stages.csv.",
    ),
    "no_orgs": (
        "数据中没有党组织记录。请检查 party_orgs.geojson。",
        "The data has no Party organisations. Check party_orgs.geojson.",
    ),
    # --- accounts ---
    "export_needs_planner": (
        "导出 Excel/CSV 需要规划员或管理员账户,请先登录。",
        "Exporting Excel/CSV needs a planner or admin account: please log in.",
    ),
    "page_login": ("登录", "Log in"),
    "page_accounts": ("账户管理", "Accounts"),
    "role_viewer": ("浏览者", "Viewer"),
    "role_planner": ("规划员", "Planner"),
    "role_admin": ("管理员", "Administrator"),
    "action_view": ("查看数据", "view the data"),
    "action_edit": ("修改数据", "change the data"),
    "action_import": ("导入数据", "import data"),
    "action_export": ("导出数据", "export data"),
    "action_manage_accounts": ("管理账户", "manage accounts"),
    "action_restore_history": ("恢复历史版本", "restore an earlier version"),
    "permission_denied": (
        "“{user}”的角色是{role},不能{action}:需要{needed}或更高的角色。如需权限,请联系管理员。",
        "{user} is a {role} and may not {action}: that needs the {needed} role or higher. "
        "Ask an administrator if you need it.",
    ),
    "permission_needs_login": (
        "{action}需要先登录,且账户角色为{needed}或更高。",
        "To {action} you need to log in with the {needed} role or higher.",
    ),
    "login_failed": ("用户名或密码错误。", "Wrong user name or password."),
    "login_throttled": (
        "登录失败次数较多,请 {seconds} 秒后再试。",
        "Too many failed logins: try again in {seconds} seconds.",
    ),
    "login_locked": (
        "从这台设备连续登录失败次数过多,已暂时锁定,请 {minutes} 分钟后再试,或请管理员重置密码。"
        "其他设备不受影响。",
        "Too many failed logins from this device: it is locked out for now. Try again in "
        "{minutes} minutes, or ask an administrator to reset the password. Other devices "
        "are not affected.",
    ),
    "login_disabled": (
        "此账户已停用,请联系管理员。",
        "This account is disabled; ask an administrator.",
    ),
    "account_bad_name": (
        "用户名“{name}”不可用:用 1–64 个字母、数字、汉字或 . _ @ - 组成。",
        "The user name '{name}' cannot be used: use 1–64 letters, digits, '.', '_', '@' or '-'.",
    ),
    "account_bad_role": (
        "角色“{role}”不存在,只能是 viewer、planner 或 admin。",
        "There is no role '{role}': use viewer, planner or admin.",
    ),
    "account_exists": ("账户“{name}”已存在。", "The account '{name}' already exists."),
    "account_unknown": ("没有账户“{name}”。", "There is no account '{name}'."),
    "password_too_short": (
        "密码至少需要 {n} 个字符。",
        "The password needs at least {n} characters.",
    ),
    "password_blank": (
        "密码不能为空或只有空格。请设置一个只有本人知道的密码。",
        "The password cannot be empty or only spaces. Choose one that only this person knows.",
    ),
    "password_one_character": (
        "密码不能由同一个字符重复组成。请改用几个不相关的词或一句话。",
        "The password cannot be one character repeated. Use a few unrelated words or a "
        "short sentence instead.",
    ),
    "password_has_name": (
        "密码不能是用户名。请换一个与用户名无关的密码。",
        "The password cannot be the user name. Choose one unrelated to it.",
    ),
    "password_guessable": (
        "这个密码太常见或太容易猜到(常用密码、键盘顺序、重复或日期)。"
        "请用几个不相关的词或一句只有本人知道的话,至少 10 个字符。",
        "This password is too common or too easy to guess (a common password, a keyboard "
        "run, a repeat or a date). Use a few unrelated words or a sentence only this person "
        "knows, at least 10 characters.",
    ),
    "password_too_long": (
        "密码不能超过 {n} 个字符。",
        "The password may have at most {n} characters.",
    ),
    "password_mismatch": ("两次输入的密码不一致。", "The two passwords differ."),
    "last_admin": (
        "不能停用或降级最后一个可用的管理员账户:请先添加另一个管理员。",
        "The last active administrator cannot be disabled or demoted: add another first.",
    ),
    "accounts_file_bad": (
        "账户文件 {path} 无法读取:{reason}。请从备份恢复,或由管理员检查该文件。",
        "The accounts file {path} cannot be read: {reason}. Restore it from a backup.",
    ),
    "user_name": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "password_again": ("再次输入密码", "Password again"),
    "login_button": ("登录", "Log in"),
    "logout_button": ("退出登录", "Log out"),
    "login_heading": ("登录 · 乡村党建产业地图", "Log in · Township Atlas"),
    "login_required_notice": (
        "本系统需要登录后使用。",
        "You need to log in to use this app.",
    ),
    "sso_button": ("单点登录", "Single sign-on"),
    "sso_button_named": ("单点登录:{provider}", "Single sign-on: {provider}"),
    "sso_missing_authlib": (
        '已配置单点登录,但缺少 Authlib 软件包。请在服务器上运行:.venv/bin/pip install -e ".[sso]"',
        "Single sign-on is configured but the Authlib package is missing. On the server run: "
        '.venv/bin/pip install -e ".[sso]"',
    ),
    "local_login_heading": ("本地账户登录", "Local account"),
    "no_accounts_yet": (
        "还没有任何账户。请管理员在服务器上创建第一个管理员账户:",
        "There are no accounts yet. On the server, an administrator creates the first one:",
    ),
    "session_expired": (
        "长时间未操作,已自动退出登录。",
        "You were logged out after a period without activity.",
    ),
    "signed_in_as": ("当前用户", "Signed in as"),
    "anonymous_user": ("访客(未登录)", "Guest (not logged in)"),
    "accounts_list": ("账户列表", "Accounts"),
    "account_status": ("状态", "Status"),
    "status_active": ("正常", "Active"),
    "status_disabled": ("已停用", "Disabled"),
    "status_locked": ("已锁定", "Locked"),
    "role": ("角色", "Role"),
    "changed_at": ("最后修改", "Last changed"),
    "changed_by": ("修改人", "Changed by"),
    "add_account": ("添加账户", "Add an account"),
    "add_account_button": ("添加", "Add"),
    "edit_account": ("修改账户", "Change an account"),
    "choose_account": ("选择账户", "Account"),
    "disable_account": ("停用账户", "Disable"),
    "enable_account": ("启用账户", "Enable"),
    "reset_password": ("重置密码", "Reset password"),
    "new_password": ("新密码", "New password"),
    "change_role": ("更改角色", "Change role"),
    "account_added": ("已添加账户“{name}”({role})。", "Added the account '{name}' ({role})."),
    "account_disabled": ("已停用账户“{name}”。", "Disabled the account '{name}'."),
    "account_enabled": ("已启用账户“{name}”。", "Enabled the account '{name}'."),
    "password_was_reset": (
        "已重置“{name}”的密码;该用户需用新密码重新登录。",
        "Reset the password of '{name}'; they log in again with the new one.",
    ),
    "role_changed": ("“{name}”的角色已改为{role}。", "'{name}' is now a {role}."),
    "password_rule": (
        "密码至少 {n} 个字符,不能是常用密码、不能含用户名;只以加盐慢哈希保存,任何人都无法查看。",
        "At least {n} characters, not a common password and not containing the user name; "
        "stored only as a salted slow hash that nobody can read back.",
    ),
    "sample_notice_short": (
        "示例数据:村名、点位和数值均为虚构",
        "Sample data: names, places and figures are fictional",
    ),
}


def _merge(**extras: dict[str, tuple[str, str]]) -> None:
    """Add the texts kept next to a feature (``text/labels/<feature>.py``); a key may exist once."""
    for name, extra in extras.items():
        clash = sorted(set(extra) & set(TEXT))
        if clash:
            raise KeyError(f"the {name} labels repeat keys {clash}")
        TEXT.update(extra)


_merge(
    edit=EDIT_TEXT,
    meeting=MEETING_TEXT,
    setup=SETUP_TEXT,
    transfer=TRANSFER_TEXT,
    onboard=ONBOARD_TEXT,
    wallmap=WALLMAP_TEXT,
)


def tr(key: str, lang: str = "zh") -> str:
    """The text for ``key`` in ``lang`` ("zh" or "en")."""
    zh, en = TEXT[key]
    return pick(lang, zh, en)


def headers(label_keys: dict[str, str], lang: str) -> dict[str, str]:
    """Column headers for a table with stable English column keys.

    Parameters
    ----------
    label_keys : dict[str, str]
        Column key -> label key, e.g. ``{"year": "year", "target": "target_value"}``.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    dict[str, str]
        Column key -> header text, for ``DataFrame.rename(columns=...)``.
    """
    return {column: tr(key, lang) for column, key in label_keys.items()}
