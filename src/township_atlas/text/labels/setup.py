"""Texts of the set-up guide "建立本乡数据" (pages/setup.py, ui/setup_guide.py), in Chinese
and English (merged into labels.TEXT)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "page_setup": ("建立本乡数据", "Set up your township"),
    "setup_viewer_notice": (
        "本乡数据正在建立中,请稍后再来或联系管理员。",
        "This township's data is being set up. Please come back later or contact the "
        "administrator.",
    ),
    "setup_intro": (
        "按顺序完成下面的步骤,每一步都先预览再保存,可撤销,也可以随时离开、以后接着做(进度按已有数据判断)。",
        "Complete the steps below in order. Each step is previewed before it is saved and can "
        "be undone; you can leave and carry on later (progress is read from the data).",
    ),
    "setup_steps": ("步骤", "Steps"),
    "setup_step_done": ("已完成", "done"),
    "setup_step_todo": ("未完成", "not done"),
    "setup_step_optional": ("可选", "optional"),
    "setup_step_count": ("{n} 条", "{n} records"),
    "setup_step_findings": (
        "{errors} 个错误、{warnings} 个提醒",
        "{errors} errors, {warnings} warnings",
    ),
    "setup_choose_step": ("当前步骤", "Current step"),
    "setup_step_heading": ("第 {n} 步:{label}", "Step {n}: {label}"),
    "setup_findings": ("本步骤的检查结果", "This step's check findings"),
    "setup_step0": ("第 0 步:建立数据文件夹", "Step 0: create the data folder"),
    "setup_step0_help": (
        "数据文件夹 {path} 还没有乡镇数据。点击下面的按钮建立空的数据文件和调研报告的指标目录,然后按步骤导入本乡的数据。",
        "The data folder {path} holds no township data yet. The button below creates the empty "
        "data files and the report's indicator catalogue; then import your township's data "
        "step by step.",
    ),
    "setup_step0_button": ("建立数据文件夹", "Create the data folder"),
    "setup_step0_done": ("数据文件夹已建立。", "The data folder was created."),
    "setup_step0_not_files": (
        "使用 PostGIS 存储时,请先用命令建立乡镇(见 README)。",
        "With PostGIS storage, create the township with the command first (see README).",
    ),
    "setup_boundary_file": ("乡镇边界文件", "Township boundary file"),
    "setup_form": ("乡镇信息和调研报告数字", "The township and the report's figures"),
    "setup_name_zh": ("乡镇名称 *", "Township name *"),
    "setup_code": ("乡镇代码 *(如行政区划代码)", "Township code * (e.g. the administrative code)"),
    "setup_name_en": ("英文名称(可选)", "English name (optional)"),
    "setup_form_missing": ("保存前还需:", "Before saving:"),
    "setup_feature": (
        "文件中有 {n} 个面,选择本乡的边界",
        "The file holds {n} polygons: choose the township's",
    ),
    "setup_boundary_preview": ("边界预览", "Boundary preview"),
    "setup_area_computed": ("按边界计算的面积(平方公里)", "Area from the boundary (km²)"),
    "setup_area_reported": ("报告面积(平方公里)", "Reported area (km²)"),
    "setup_save": ("保存", "Save"),
    "setup_saved": (
        "已保存乡镇“{name}”(第 {seq} 次修改,可在数据编辑的“历史”中撤销)。",
        "Saved the township '{name}' (change {seq}; undo it in Edit data → History).",
    ),
    "setup_save_failed_hint": (
        "没有写入任何数据。请核对报告中的数字(尤其是面积)和边界文件的坐标系,修正后再保存。",
        "Nothing was written. Check the report's figures (the area above all) and the boundary "
        "file's coordinate system, then save again.",
    ),
    "setup_all_done": (
        "完成:所有步骤都已完成,数据检查没有错误。",
        "Done: every step is complete and the data check finds no error.",
    ),
    "setup_open_map": ("查看总览地图", "Open the township map"),
    "setup_remaining_errors": (
        "步骤都有数据了,但数据检查还有 {n} 个错误,请按各步骤下的说明修正。",
        "Every step has data, but the data check still finds {n} errors; see each step's findings.",
    ),
    "setup_go_guide": ("打开“建立本乡数据”向导", "Open the set-up guide"),
    "setup_missing": (
        "本乡还没有这些数据:{what}。有关内容暂不显示,导入后即可看到。",
        "This township has no {what} yet; what depends on them shows once they are imported.",
    ),
    "setup_no_data_yet": ("暂无数据。", "No data yet."),
}
