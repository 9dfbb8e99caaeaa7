"""Texts of the set-up command (``python -m township_atlas.onboard``), in Chinese and English
(merged into labels.TEXT)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "onb_cmd_description": (
        "从乡镇各办公室的文件建立一个新的乡镇数据文件夹(与“数据编辑”页的“建立本乡数据”向导相同的步骤)。"
        "每个文件在隔离的读取进程中读取,按已保存的数据核对,作为一次可撤销的修改保存。",
        "Set up a new township's data folder from the files its offices have (the same "
        "steps as the 'Set up your township' guide on the Edit data page). Each file is "
        "read in the sandboxed reader, checked against the data saved so far and saved "
        "as one undoable change.",
    ),
    "onb_cmd_epilog": (
        "示例:\n  python -m township_atlas.onboard data/某某乡 --name 某某乡 --code 620521101 \\\n"
        "    --reported area_km2=42.5 --reported villages=7 --reported branches=10 \\\n"
        "    --reported members=353 --reported rural_branches=7 --reported rural_members=301 \\\n"
        "    --boundary 乡界.zip --villages 村界.zip --sites 产业基地.xlsx --sites-crs gcj02 \\\n"
        "    --orgs 党组织.xlsx --names 名称对应.csv\n\n"
        "--names 文件(CSV,UTF-8 或 GBK)每行一个写法及其对应的编号:\n"
        "  字段,名称,编号\n  所在村,和湾村,V02\n  上级组织,杏树坪党支部,B03\n"
        "字段可写 所在村/上级组织/依托点位/依托产业链(或 village_code/parent_id/site_id/chain_id);"
        "编号可照抄命令列出的候选,如“河湾村(V02)”。\n\n"
        "退出码:0 全部完成且没有错误;1 某一步被拒绝或仍有错误(已完成的步骤保留,见 --resume);"
        "2 参数有误或文件夹不是空的(什么都不写)。",
        "Example:\n  python -m township_atlas.onboard data/my-township --name 某某乡 --code "
        "620521101 \\\n    --reported area_km2=42.5 --reported villages=7 --reported "
        "branches=10 \\\n    --reported members=353 --reported rural_branches=7 --reported "
        "rural_members=301 \\\n    --boundary boundary.zip --villages villages.zip --sites "
        "sites.xlsx --sites-crs gcj02 \\\n    --orgs orgs.xlsx --names names.csv\n\n"
        "The --names file (CSV, UTF-8 or GBK) holds one name as written per line with the "
        "id it means:\n  field,name,id\n  village_code,和湾村,V02\n  parent_id,杏树坪党支部,B03\n"
        "The field is village_code/parent_id/site_id/chain_id (or 所在村/上级组织/依托点位/"
        "依托产业链); the id may be copied from the candidates the command lists, e.g. "
        "'河湾村(V02)'.\n\nExit codes: 0 all done and no error left; 1 a step was refused or "
        "errors remain (the steps done are kept, see --resume); 2 bad arguments or the "
        "folder is not empty (nothing is written).",
    ),
    "onb_help_out": (
        "新数据文件夹(必须是空的或不存在;已有的乡镇数据绝不会被改动)。例:data/某某乡",
        "The new data folder (must be empty or missing; an existing township is never "
        "touched). E.g. data/my-township",
    ),
    "onb_help_name": ("乡镇名称。例:--name 某某乡", "The township's name. E.g. --name 某某乡"),
    "onb_help_code": (
        "乡镇代码(字母、数字、-、_),如行政区划代码。例:--code 620521101",
        "The township's code (letters, digits, - and _), e.g. the administrative code. "
        "E.g. --code 620521101",
    ),
    "onb_help_reported": (
        "调研报告的数字,每项一次,共六项:{keys}。例:--reported area_km2=42.5 --reported villages=7",
        "A figure of the report, once each, six in all: {keys}. E.g. --reported "
        "area_km2=42.5 --reported villages=7",
    ),
    "onb_help_boundary": (
        "乡界文件(Shapefile 的 zip、KML/KMZ、GeoJSON)。例:--boundary 乡界.zip",
        "The township boundary file (zipped Shapefile, KML/KMZ, GeoJSON). E.g. "
        "--boundary boundary.zip",
    ),
    "onb_help_villages": (
        "村界文件,与乡界同样的格式。例:--villages 村界.zip",
        "The village boundaries, in the same formats. E.g. --villages villages.zip",
    ),
    "onb_help_sites": (
        "产业基地和示范点表(Excel/CSV,或点文件)。例:--sites 产业基地.xlsx",
        "The industry bases and demonstration sites (Excel/CSV, or a point file). E.g. "
        "--sites sites.xlsx",
    ),
    "onb_help_orgs": (
        "党组织表(Excel/CSV,含经纬度)。例:--orgs 党组织.xlsx",
        "The Party organisations (Excel/CSV with coordinates). E.g. --orgs orgs.xlsx",
    ),
    "onb_help_crs": (
        "{flag} 文件的坐标系:auto(默认,按证据判断,判断不了就停下来询问)、wgs84、cgcs2000、"
        "gcj02(高德/腾讯)、bd09(百度)或 EPSG:n。例:--{flag}-crs gcj02",
        "The coordinate system of the {flag} file: auto (default: judged by the "
        "evidence; when that cannot decide, the command stops and asks), wgs84, "
        "cgcs2000, gcj02 (AMap/Tencent), bd09 (Baidu) or EPSG:n. E.g. --{flag}-crs gcj02",
    ),
    "onb_help_feature": (
        "乡界文件含多个乡镇时选哪一个(默认按 --name)。例:--boundary-feature 某某镇",
        "Which feature of a county boundary file holding several townships (default: "
        "--name). E.g. --boundary-feature 某某镇",
    ),
    "onb_help_names": (
        "名称对应表(CSV,列:字段,名称,编号),为有歧义或对应不上的名称指定编号(见下文)。例:--names 名称对应.csv",
        "A names CSV (columns field, name, id) choosing the id of a name that fits "
        "several things or none (see below). E.g. --names names.csv",
    ),
    "onb_help_snap": (
        "把村界之间窄于 M 米的缝隙和重叠对齐(默认不对齐,只说明)。例:--snap-m 5",
        "Snap gaps and overlaps between villages narrower than M metres (default: none, "
        "only explained). E.g. --snap-m 5",
    ),
    "onb_help_lang": (
        "输出语言:zh(默认)或 en。例:--lang en",
        "Messages in zh (default) or en. E.g. --lang en",
    ),
    "onb_help_user": (
        "记入修改记录的用户名(默认 onboard)。例:--user 张三",
        "The user recorded in the history (default onboard). E.g. --user zhang",
    ),
    "onb_help_resume": (
        "继续一个由本命令或向导建立的文件夹:已完成的步骤跳过,其余照常。例:--resume",
        "Continue a folder made by this command or the guide: steps already done are "
        "skipped, the rest run as usual. E.g. --resume",
    ),
    "onb_bad_reported": (
        "--reported 应写成 名称=数值,名称为 {keys} 之一,每项一次;“{value}”不对。",
        "--reported takes name=number with a name among {keys}, each once; '{value}' is not that.",
    ),
    "onb_bad_crs": (
        "--{flag}-crs 的值“{value}”不对:应为 auto、wgs84、cgcs2000、gcj02、bd09 或 EPSG:n。",
        "--{flag}-crs '{value}' is not a choice: give auto, wgs84, cgcs2000, gcj02, bd09 "
        "or EPSG:n.",
    ),
    "onb_bad_snap": ("--snap-m 应为大于 0 的米数。", "--snap-m takes metres above 0."),
    "onb_no_file": ("找不到 --{flag} 文件:{path}。", "The --{flag} file is not there: {path}."),
    "onb_folder_not_empty": (
        "文件夹 {path} 不是空的,什么都没有改动。请指定一个空的或不存在的文件夹"
        "(或用 --resume 继续由本命令建立的文件夹)。",
        "The folder {path} is not empty; nothing was changed. Give an empty or missing "
        "folder (or --resume to continue a folder this command made).",
    ),
    "onb_resume_not_setup": (
        "文件夹 {path} 不是由建立本乡数据(本命令或向导)建立的,--resume 不会改动它。",
        "The folder {path} was not made by the set-up (this command or the guide); "
        "--resume does not touch it.",
    ),
    "onb_resume_other": (
        "文件夹 {path} 中已是乡镇“{name}”({code}),与 --name/--code 不符,什么都没有改动。",
        "The folder {path} already holds the township '{name}' ({code}), not the one "
        "--name/--code give; nothing was changed.",
    ),
    "onb_started": (
        "已建立数据文件夹 {path}(含调研报告的指标目录)。",
        "Made the data folder {path} (with the report's indicator catalogue).",
    ),
    "onb_step_head": ("第 {n} 步 {label}:{file}", "Step {n}, {label}: {file}"),
    "onb_step_skipped": (
        "第 {n} 步 {label}:已完成({count} 条),跳过。",
        "Step {n}, {label}: done already ({count} records), skipped.",
    ),
    "onb_step_not_given": (
        "第 {n} 步 {label}:未提供文件,跳过。",
        "Step {n}, {label}: no file given, skipped.",
    ),
    "onb_read": (
        "已读取 {name}({format}):{count} 行/要素。",
        "Read {name} ({format}): {count} rows/features.",
    ),
    "onb_layer_chosen": (
        "{name} 有多个图层/工作表,读取的是最像数据表的“{chosen}”;其他:{others}。",
        "{name} holds several layers/sheets; '{chosen}', which looks like the data, was "
        "read. Others: {others}.",
    ),
    "onb_crs_reason": ("坐标系判断:{reason_zh}", "Coordinate system: {reason_en}"),
    "onb_crs_used": ("按 {crs_zh} 读取坐标。", "Coordinates read as {crs_en}."),
    "onb_crs_ask": (
        "{name} 的坐标系无法确定,命令不会替您猜测。请加上参数选择,可选:{flags}。例:{example}。",
        "The coordinate system of {name} cannot be told, and the command does not guess. "
        "Choose it with a flag, one of: {flags_en}. E.g. {example}.",
    ),
    "onb_tiling_hint": (
        "村界之间有 {count} 处缺口、重叠或出界(共 {area_m2} 平方米),其中 {wide} 处宽于对齐距离。"
        "保存时检查要求村界恰好铺满乡域:请在文件中修正村界,或用 --snap-m M 对齐窄于 M 米的部分"
        "(只对齐确实是描绘误差的窄缝)。",
        "The villages leave {count} gaps, overlaps or parts outside ({area_m2} m² in all), "
        "{wide} of them wider than the snapping distance. Saving requires the villages to "
        "tile the township exactly: correct the boundaries in the file, or give --snap-m M "
        "to snap the parts narrower than M metres (only slivers that are drawing errors).",
    ),
    "onb_name_fix_ambiguous": (
        "“{value}”(第 {rows} 行)对应多个对象:{choices}。请在表中改写,或在 --names 文件中加一行,如:{line}",
        "'{value}' (rows {rows}) fits several things: {choices}. Correct the sheet, or add "
        "a line to the --names file, e.g.: {line_en}",
    ),
    "onb_name_fix_unknown": (
        "“{value}”(第 {rows} 行)对应不上,相近的有:{choices}。请在表中改写,或在 --names 文件中加一行,如:{line}",
        "'{value}' (rows {rows}) fits nothing; the nearest are: {choices}. Correct the "
        "sheet, or add a line to the --names file, e.g.: {line_en}",
    ),
    "onb_duplicate_village": (
        "村名“{name}”出现在第 {rows} 个要素/行:每个村只能有一个边界。请改正村名;如果是同一个村的几块,请在文件中合并为一个面。",
        "The village name '{name}' is used by features/rows {rows}: each village has one "
        "boundary. Correct the names; if they are parts of one village, merge them into "
        "one polygon in the file.",
    ),
    "onb_step_rows": (
        "此步未保存:有 {errors} 个错误(见上)。请改正文件或按提示加参数后再运行。",
        "This step was not saved: {errors} errors (see above). Correct the file or add "
        "the flags shown, and run again.",
    ),
    "onb_step_empty": (
        "此步未保存:{name} 中没有可导入的要素。",
        "This step was not saved: {name} holds nothing to import.",
    ),
    "onb_step_checks": (
        "此步未保存:保存后数据会有 {count} 个新的错误(见上)。",
        "This step was not saved: the data would have {count} new errors (see above).",
    ),
    "onb_boundary_several": (
        "乡界文件中有 {count} 个面({names}),已按乡镇名称(或 --boundary-feature)选取。",
        "The boundary file holds {count} polygons ({names}); the one named by the "
        "township's name (or --boundary-feature) was taken.",
    ),
    "onb_boundary_choose": (
        "请用 --boundary-feature 指定本乡的面,如:--boundary-feature {example}",
        "Name the township's polygon with --boundary-feature, e.g. --boundary-feature {example}",
    ),
    "onb_saved": (
        "已保存:{layer} {count} 条,修改记录第 {seq} 条(可在“数据编辑”页撤销)。",
        "Saved: {count} records of {layer}, history entry {seq} (undoable on Edit data).",
    ),
    "onb_note_township": (
        "建立本乡数据:乡镇 {name}(来自 {file})",
        "Set-up: township {name} (from {file})",
    ),
    "onb_note_import": (
        "建立本乡数据:导入 {file}({count} 条)",
        "Set-up: imported {file} ({count})",
    ),
    "onb_refused": (
        "第 {n} 步 {label} 被拒绝:{message}",
        "Step {n}, {label} was refused: {message}",
    ),
    "onb_kept": (
        "前面已完成的步骤保存在 {path} 中。改正后可用同样的参数加 --resume 继续(跳过已完成的步骤),或换一个空文件夹重新运行。",
        "The steps done before are saved in {path}. After correcting, run the same "
        "command with --resume to continue (steps done are skipped), or run again into "
        "an empty folder.",
    ),
    "onb_final_head": (
        "数据检查(应用打开此文件夹时看到的结果):",
        "Data check (what the app finds when it opens the folder):",
    ),
    "onb_final_ok": (
        "完成:{path} 可由应用打开,没有错误。",
        "Done: the app opens {path} with no error.",
    ),
    "onb_final_errors": (
        "还有 {count} 个错误,请按上面的说明修正(可在“数据编辑”页修改,或用 --resume 补充文件)。",
        "{count} errors remain; fix them as said above (on the Edit data page, or with "
        "--resume and more files).",
    ),
    "onb_steps_state": ("{mark} {label}:{count} 条", "{mark} {label}: {count} records"),
    "onb_names_unreadable": (
        "无法读取名称对应表 {path}:{reason}。",
        "Cannot read the names file {path}: {reason}.",
    ),
    "onb_names_columns": (
        "名称对应表 {path} 应有三列:字段、名称、编号(或 field, name, id)。",
        "The names file {path} needs the columns 字段, 名称, 编号 (or field, name, id).",
    ),
    "onb_names_row": (
        "名称对应表 {path} 第 {row} 行不对:字段“{field}”不是 {known} 之一,或名称/编号为空。",
        "Row {row} of the names file {path} is wrong: the field '{field}' is not one of "
        "{known} (or village_code, parent_id, site_id, chain_id), or the name or id is "
        "empty.",
    ),
    "onb_help_chains": (
        "产业链表(Excel/CSV:产业链、主导产业、环节序号、环节、依托基地;基地按名称对应)。例:--chains 产业链.xlsx",
        "The industry chains (Excel/CSV: 产业链, 主导产业, 环节序号, 环节, 依托基地; sites matched "
        "by name). E.g. --chains chains.xlsx",
    ),
    "onb_help_indicators": (
        "统计年报(Excel/CSV:村为行或列,年度列、表头、标题或工作表名写年份;单位按表头换算)。"
        "例:--indicators 统计表.xlsx",
        "The statistics sheet (Excel/CSV: villages as rows or columns; the year in a column, "
        "header, title or sheet name; units converted from the header). E.g. --indicators "
        "stats.xlsx",
    ),
    "onb_help_plans": (
        "一村一业规划工作簿(在浏览器“导入 → 一村一业规划”下载的模板填好后)。例:--plans 规划.xlsx",
        "The village plans workbook (the template from the browser's Import → plans, filled "
        "in). E.g. --plans plans.xlsx",
    ),
    "onb_table_read": (
        "已读取 {name}:{count} 项。",
        "Read {name}: {count} items.",
    ),
    "onb_table_nothing": (
        "{name} 中没有要保存的内容。",
        "{name} holds nothing to save.",
    ),
    "onb_help_plans_template": (
        "运行结束时把一村一业规划模板(每村一张工作表)写到此文件,填好后用 --resume --plans 导入。",
        "At the end, write the village plans template (a sheet per village) to this file; "
        "fill it in and import it with --resume --plans.",
    ),
    "onb_help_ind_template": (
        "运行结束时把下一年的指标填报模板写到此文件,填好后用 --resume --indicators 导入。",
        "At the end, write next year's indicator template to this file; fill it in and "
        "import it with --resume --indicators.",
    ),
    "onb_template_written": ("已写出模板:{path}", "Template written: {path}"),
}
