"""Texts of the 数据编辑 (data editing) page, in Chinese and English (merged into labels.TEXT)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "page_edit": ("数据编辑", "Edit data"),
    "edit_tab": ("编辑方式", "How to edit"),
    "edit_tab_map": ("地图编辑", "On the map"),
    "edit_tab_tables": ("表格编辑", "Tables"),
    "edit_tab_history": ("修改记录", "History"),
    "edit_tab_import": ("导入", "Import"),
    "edit_tab_export": ("导出", "Export"),
    "edit_data_has_errors": (
        "当前数据有 {n} 个错误(见“数据概况”页的检查报告)。保存时只拒绝会新增错误的修改。",
        "The data has {n} errors now (see the check report on Data overview). A save is "
        "refused only if it adds errors.",
    ),
    "edit_layer": ("图层", "Layer"),
    "edit_feature": ("要素", "Feature"),
    "edit_new_feature": ("＋ 新增要素(在地图上画出)", "+ New feature (draw it on the map)"),
    "edit_no_such_feature": (
        "链接中的要素“{id}”不存在(可能已被删除),已改为新增。",
        "The feature '{id}' in the link does not exist (perhaps deleted); showing a new one.",
    ),
    "edit_editable": ("正在编辑", "Being edited"),
    "edit_map_help_new": (
        "用地图左上角的工具画出新要素的位置(点或面),或点击已有要素进行修改。",
        "Draw the new feature with the tools at the top left (a point or an area), or click "
        "an existing feature to change it.",
    ),
    "edit_map_help_edit": (
        "红色为正在编辑的要素:用“移动或修改”工具拖动它或它的节点,点“完成”后在右侧保存。",
        "The red feature is being edited: move it or its vertices with the edit tool, press "
        "'Save' in the toolbar, then save the form.",
    ),
    "edit_feature_gone": (
        "该要素已被他人删除。请从列表中选择其他要素,或新增。",
        "This feature was deleted by someone else. Pick another or add a new one.",
    ),
    "edit_new_title": ("新增{layer}", "New: {layer}"),
    "edit_title": ("编辑:{name}", "Editing: {name}"),
    "edit_draw_first": ("请先在地图上画出形状。", "Draw the shape on the map first."),
    "edit_draw_or_type": (
        "请在地图上放置点,或在下面填写经纬度(WGS84,如手机 GPS 所示)。",
        "Place the point on the map, or type its longitude and latitude below (WGS84, as a "
        "phone's GPS shows).",
    ),
    "edit_moved": (
        "位置已在地图上修改,保存后生效。",
        "The location was changed on the map; save to keep it.",
    ),
    "edit_village_from_location": (
        "已按位置自动填写所在村,可修改。",
        "Filled in from the location; you may change it.",
    ),
    "edit_lon": ("经度(WGS84)", "Longitude (WGS84)"),
    "edit_lat": ("纬度(WGS84)", "Latitude (WGS84)"),
    "edit_group_on_site": ("依托本点位的党小组", "Party group built on this site"),
    "edit_group_on_site_help": (
        "把党小组建在致富项目、示范基地上:选择建在本点位上的党小组(须在同一村)。",
        "Party groups are built on wealth projects and demonstration bases: pick the group "
        "built on this site (same village).",
    ),
    "edit_none": ("(无)", "(none)"),
    "edit_blank": ("(空)", "(blank)"),
    "edit_note": ("修改说明(可选)", "Note (optional)"),
    "edit_save": ("保存", "Save"),
    "edit_fix_fields": ("未保存,请先修改以下内容:", "Not saved; please fix:"),
    "edit_saved": ("已保存 {id}(修改记录 #{seq})。", "Saved {id} (change #{seq})."),
    "edit_group_linked": ("党小组已关联(#{seq})。", "Party group linked (#{seq})."),
    "edit_group_not_linked": (
        "但党小组未能关联:{reason}",
        "but the Party group was not linked: {reason}",
    ),
    "edit_delete": ("删除", "Delete"),
    "edit_delete_confirm": (
        "确定删除 {id}?删除后可在“修改记录”中撤销。",
        "Delete {id}? You can undo it in History.",
    ),
    "edit_delete_yes": ("确定删除", "Delete it"),
    "edit_deleted": ("已删除 {id}(修改记录 #{seq})。", "Deleted {id} (change #{seq})."),
    "edit_geometry": ("位置/形状", "Location/shape"),
    "edit_conflict": (
        "未保存:您编辑期间,他人已修改了同一要素。请对照两个版本,选择保留哪一个。",
        "Not saved: someone else changed the same feature while you were editing. Compare "
        "both versions and choose.",
    ),
    "edit_conflict_feature": ("要素 {id}", "Feature {id}"),
    "edit_conflict_deleted": ("对方已删除该要素。", "They deleted this feature."),
    "edit_conflict_same": ("两个版本内容相同。", "Both versions are the same."),
    "edit_field": ("字段", "Field"),
    "edit_mine": ("我的修改", "Mine"),
    "edit_theirs": ("他人已保存的版本", "Saved by someone else"),
    "edit_keep_theirs": ("保留他人的版本(放弃我的修改)", "Keep theirs (drop mine)"),
    "edit_keep_mine": ("用我的版本覆盖", "Save mine over theirs"),
    "edit_kept_theirs": (
        "已保留他人的版本,您的修改未保存。",
        "Kept their version; yours was not saved.",
    ),
    "edit_saved_over": (
        "已用您的版本覆盖(可在修改记录中撤销)。",
        "Saved your version over theirs (undoable in History).",
    ),
    "edit_table": ("表格", "Table"),
    "edit_plans": ("一村一业规划", "Village plans"),
    "edit_indicator_place": ("村(乡)", "Village or township"),
    "edit_all_places": ("全部", "All"),
    "edit_table_changed_meanwhile": (
        "打开此表格后,数据已被他人或其他软件更新。保存时会逐行核对,他人改过的行不会被覆盖;"
        "也可点“重新载入”查看最新数据(未保存的修改将丢弃)。",
        "The data was changed elsewhere since you opened this table. Saving checks row by "
        "row and never overwrites rows changed meanwhile; or reload to see the latest "
        "(unsaved changes are dropped).",
    ),
    "edit_table_help": (
        "双击单元格修改;最后一行可新增,勾选行后按 Delete 删除。带 * 的列必填。",
        "Double-click a cell to edit; add rows at the bottom; select rows and press Delete "
        "to remove them. Columns with * are required.",
    ),
    "edit_table_help_spatial": (
        "此处只改属性;新增、删除和修改位置请用“地图编辑”。",
        "Attributes only here; add, delete or move features on the map.",
    ),
    "edit_reload": ("重新载入", "Reload"),
    "edit_save_table": ("保存表格修改", "Save the table"),
    "edit_row": ("第 {n} 行", "Row {n}"),
    "edit_nothing_changed": ("没有需要保存的修改。", "Nothing to save."),
    "edit_table_saved": ("已保存 {n} 行修改(修改记录 #{seq})。", "Saved {n} rows (change #{seq})."),
    "edit_no_villages": ("还没有行政村数据。", "There are no villages yet."),
    "plan_industry_zh": ("主导产业", "Leading industry (Chinese)"),
    "plan_industry_en": ("主导产业(英文)", "Leading industry (English)"),
    "plan_summary": ("规划摘要", "Plan summary"),
    "plan_measures": ("主要措施(每行一条)", "Measures (one per line)"),
    "plan_measures_help": ("每行一条措施。", "One measure per line."),
    "plan_goals": ("年度目标", "Goals by year"),
    "plan_goal_zh": ("目标", "Goal (Chinese)"),
    "plan_goal_en": ("目标(英文)", "Goal (English)"),
    "plan_milestones": ("里程碑", "Milestones"),
    "plan_milestone": ("里程碑", "Milestone"),
    "plan_due": ("计划完成(YYYY-MM-DD)", "Due (YYYY-MM-DD)"),
    "plan_status": ("状态", "Status"),
    "plan_done": ("实际完成(YYYY-MM-DD)", "Done (YYYY-MM-DD)"),
    "plan_problems": ("对应报告中的问题", "Problems from the report it addresses"),
    "edit_goal_needs_year": ("每个目标都要填写年份", "Every goal needs a year"),
    "edit_goal_needs_text": ("每个目标都要填写内容", "Every goal needs its text"),
    "edit_milestone_needs_name": ("每个里程碑都要填写名称", "Every milestone needs a name"),
    "edit_plan_needs_industry": ("请填写主导产业", "Give the leading industry"),
    "edit_plan_saved": (
        "已保存{name}的规划(修改记录 #{seq})。",
        "Saved the plan of {name} (change #{seq}).",
    ),
    "edit_no_history": ("还没有修改记录。", "No changes have been saved yet."),
    "edit_seq": ("编号", "No."),
    "edit_time": ("时间", "Time"),
    "edit_count": ("要素数", "Features"),
    "edit_pick_change": ("查看修改", "Change"),
    "edit_diff_legend": ("灰色虚线:修改前;红色:修改后。", "Grey dashed: before; red: after."),
    "edit_added": ("新增", "added"),
    "edit_removed": ("删除", "deleted"),
    "edit_changed": ("修改", "changed"),
    "edit_before": ("修改前", "Before"),
    "edit_after": ("修改后", "After"),
    "edit_undo": ("撤销修改 #{seq}", "Undo change #{seq}"),
    "edit_undone": (
        "已撤销修改 #{seq}(记为 #{new})。",
        "Undid change #{seq} (recorded as #{new}).",
    ),
    "edit_restore": ("把{layer}恢复到 #{seq} 之前", "Restore {layer} to before #{seq}"),
    "edit_restore_help": (
        "把整个图层恢复到这次修改之前的状态;恢复本身也记入修改记录,可以再撤销。",
        "Brings the whole layer back to how it was before this change; the restore is "
        "itself recorded and can be undone.",
    ),
    "edit_restored": (
        "已恢复到 #{seq} 之前(记为 #{new})。",
        "Restored to before #{seq} (recorded as #{new}).",
    ),
    "edit_restore_changes": (
        "恢复将改动 {n} 个要素:{ids}",
        "Restoring changes {n} features: {ids}",
    ),
    "edit_restore_legend": (
        "灰色虚线:现在;红色:恢复后。",
        "Grey dashed: now; red: after restoring.",
    ),
    "edit_restore_confirm": ("确定恢复", "Restore"),
    "edit_restore_admin_only": (
        "恢复整个图层的早期版本需要管理员。",
        "Restoring a layer's earlier version needs an administrator.",
    ),
    # --- import: what to import, and indicators (ui/import_indicators.py) ---
    "imp_ind_help": (
        "上传各村指标统计表(Excel 或 CSV):村为行、指标为列,或指标为行、村为列,或每行一个数(村、年度、指标、数值)。"
        "年份可写在“年度”列、标题、工作表名或表头中;单位写在表头括号中,会换算为指标目录的单位。接受前不会写入任何数据。",
        "Upload the villages' statistics sheet (Excel or CSV): villages as rows and indicators "
        "as columns, the other way round, or one figure per row (village, year, indicator, "
        "value). The year may be in a 年度 column, the title, the sheet name or the header; "
        "units in brackets in the header are converted to the catalogue's. Nothing is "
        "written until you accept.",
    ),
    "imp_ind_file": ("指标表格", "Indicator table"),
    "imp_ind_checking": ("正在检查指标表…", "Checking the indicator table…"),
    "imp_ind_errors": ("错误", "Errors"),
    "imp_ind_figures": ("将写入的数字", "Figures to write"),
    "imp_ind_pick_place": (
        "“{value}”(第 {rows} 行)是哪个村?",
        "Which village is '{value}' (rows {rows})?",
    ),
    "imp_ind_unmatched_title": ("未匹配到指标目录的列", "Columns not in the indicator catalogue"),
    "imp_ind_column": ("列", "Column"),
    "imp_ind_sheet": ("工作表", "Sheet"),
    "imp_ind_add_as_new": (
        "把“{column}”作为新指标加入目录",
        "Add '{column}' to the catalogue as a new indicator",
    ),
    "imp_ind_new_key": (
        "指标代码(小写英文,如 solar_income)",
        "Key (lower case, e.g. solar_income)",
    ),
    "imp_ind_new_label_zh": ("中文名称", "Chinese name"),
    "imp_ind_new_label_en": ("英文名称", "English name"),
    "imp_ind_new_unit_zh": ("单位(中文,如 万元)", "Unit (Chinese, e.g. 万元)"),
    "imp_ind_new_unit_en": ("单位(英文)", "Unit (English)"),
    "imp_ind_new_higher": ("越高越好", "Higher is better"),
    "imp_ind_new_submit": ("加入并重新检查", "Add and check again"),
    "imp_ind_new_added": (
        "将同时加入指标目录:{names}",
        "Added to the catalogue in the same step: {names}",
    ),
    "imp_ind_new_clear": ("取消新增的指标", "Drop the added indicators"),
    "imp_ind_fix_first": (
        "表格有错误(见上表),不能导入。请改正表格后重新上传,或在上面为村名做出选择。",
        "The table has errors (see above) and cannot be imported. Correct it and upload "
        "again, or choose the villages above.",
    ),
    "imp_ind_accept": ("接受导入({n} 个数字)", "Accept the import ({n} figures)"),
    "imp_ind_imported": (
        "已导入 {n} 个指标数字(修改记录 #{seq})。",
        "Imported {n} indicator figures (change #{seq}).",
    ),
    "imp_ind_template": ("下载明年填报模板", "Download next year's template"),
    "imp_ind_template_help": (
        "{year} 年的 Excel 填报模板:各村一行,指标为列,已填入现有目标。填好后在“数据编辑 → 导入 → 指标”上传。",
        "An Excel template for {year}'s figures: a row per village, indicators as columns, "
        "targets filled in. Upload it, filled, under Edit data → Import → Indicators.",
    ),
    "imp_ind_template_filename": ("指标填报模板_{year}", "indicator_template_{year}"),
    # --- photos (issue 20) ---
    "photo_heading": ("照片", "Photos"),
    "photo_none": ("还没有照片。", "No photos yet."),
    "photo_enlarge": ("查看大图", "View larger"),
    "photo_taken": ("拍摄于 {taken}", "Taken {taken}"),
    "photo_missing": ("照片文件缺失:{reason}", "Photo file missing: {reason}"),
    "photo_not_allowed": ("登录后才能查看照片。", "Log in to see the photos."),
    "photo_village_heading": ("点位和党组织照片", "Photos of sites and organisations"),
    "photo_org_heading": ("党组织照片", "Photos of the Party organisations"),
    "photo_add_heading": ("添加照片", "Add photos"),
    "photo_add_help": (
        "可一次选择多张(JPEG、PNG、WebP{heic});在手机上可直接拍照。照片会转正、缩小到最长边 "
        "{side} 像素,并去掉全部元数据(相机型号、序列号、GPS 等),只保留拍摄时间。",
        "Choose several at once (JPEG, PNG, WebP{heic}); on a phone you may take a picture. "
        "Photos are turned upright, reduced to {side} pixels on the longest side and stripped "
        "of all metadata (camera, serial number, GPS...); only the date taken is kept.",
    ),
    "photo_files": ("选择照片或拍照", "Choose photos or take one"),
    "photo_use_camera": ("用摄像头拍一张", "Take one with the camera"),
    "photo_camera": ("拍照", "Take a photo"),
    "photo_caption_for": ("{name} 的说明", "Caption of {name} (Chinese)"),
    "photo_captions_en": ("英文说明(可选)", "English captions (optional)"),
    "photo_caption_en_for": ("{name} 的英文说明", "Caption of {name} in English"),
    "photo_add_button": ("添加照片", "Add the photos"),
    "photo_far": (
        "{name} 的拍摄位置离 {feature} 约 {distance} 米(超过 {limit} 米)。是这个地方吗?",
        "{name} was taken about {distance} m from {feature} (more than {limit} m). Is this the "
        "right place?",
    ),
    "photo_far_confirm": (
        "是的,这些照片拍的就是这个地方",
        "Yes, these photos show this place",
    ),
    "photo_far_unconfirmed": (
        "请先确认照片的地点,或去掉不是这里的照片。",
        "Confirm the place first, or remove the photos that are not of this place.",
    ),
    "photo_added": ("已添加 {n} 张照片(修改记录 #{seq})。", "{n} photos added (change #{seq})."),
    "photo_refused": ("{name}:{message}", "{name}: {message}"),
    "photo_limits": (
        "每处最多 {per_feature} 张,每张不超过 {file_mb} MB。",
        "At most {per_feature} photos each, {file_mb} MB per photo.",
    ),
    "photo_edit_heading": ("说明和顺序", "Captions and order"),
    "photo_col_order": ("顺序", "Order"),
    "photo_col_caption": ("说明", "Caption (Chinese)"),
    "photo_col_caption_en": ("英文说明", "Caption (English)"),
    "photo_col_keep": ("保留", "Keep"),
    "photo_col_taken": ("拍摄时间", "Taken"),
    "photo_edit_save": ("保存说明和顺序", "Save captions and order"),
    "photo_edited": ("照片已更新(修改记录 #{seq})。", "Photos updated (change #{seq})."),
    "photo_unchanged": ("没有改动。", "Nothing changed."),
    "photo_cancel": ("不添加这些照片", "Do not add these photos"),
    "photo_manage_link": (
        "编辑照片说明、顺序(数据编辑)",
        "Edit captions and order (Edit data)",
    ),
}
