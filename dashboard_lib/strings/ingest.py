"""Interface strings of the ingest feature (import and entry pages): key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    # pages
    "ingest_title": ("数据导入", "Data import"),
    "ingest_intro": (
        "上传 Excel（.xlsx）或 CSV 文件：先预览哪些行会被接受、哪些被拒绝及原因，确认后一次性写入；"
        "每次导入都记录在导入历史中，可整批撤销。",
        "Upload an Excel (.xlsx) or CSV file: first preview which rows will be accepted and which "
        "rejected and why, then commit them in one step; every import is kept in the import history "
        "and can be undone as a whole.",
    ),
    "ingest_policy": (
        "与已有模拟项目同校同县的导入项目将替换该模拟项目（其模拟的里程碑、活动和成效数据一并移出），撤销导入即恢复；"
        "与已有记录相同的行作为重复行拒绝，同一文件重复导入不会新增任何数据。",
        "An imported project with the same school and county as a simulated project replaces it "
        "(its simulated milestones, activity and outcomes are set aside); undoing the import restores "
        "them. Rows identical to existing records are rejected as duplicates, so importing the same "
        "file again adds nothing.",
    ),
    "ingest_read_only": (
        "当前为只读演示模式，不能导入或修改数据。请以省级、高校或教育部工作人员身份登录。",
        "This is the read-only demo mode: data cannot be imported or changed. Sign in as ministry, "
        "province or university staff.",
    ),
    "ingest_scope_note": (
        "您的导入范围：{scope}。范围以外的行将被拒绝。",
        "Your import scope: {scope}. Rows outside it are rejected.",
    ),
    "ingest_scope_all": ("全部省份和高校", "every province and university"),
    "ingest_kind": ("数据类型", "Kind of record"),
    "ingest_templates": (
        "下载模板（含中文表头和示例行）",
        "Download a template (Chinese headers, example row)",
    ),
    "ingest_template_xlsx": ("Excel 模板", "Excel template"),
    "ingest_template_csv": ("CSV 模板", "CSV template"),
    "ingest_upload": ("选择文件（.xlsx 或 .csv）", "Choose a file (.xlsx or .csv)"),
    "ingest_reading": ("正在读取和校验……", "Reading and checking…"),
    "ingest_summary": (
        "共 {total} 行：可接受 {ok} 行，拒绝 {bad} 行。",
        "{total} rows: {ok} can be accepted, {bad} are rejected.",
    ),
    "ingest_replaces": ("将替换 {n} 个模拟项目：{ids}", "Replaces {n} simulated projects: {ids}"),
    "ingest_ignored_cols": (
        "以下列未识别，已忽略：{cols}",
        "Columns not recognised and ignored: {cols}",
    ),
    "ingest_accepted": ("可接受的行", "Rows that will be accepted"),
    "ingest_rejected": ("被拒绝的行", "Rejected rows"),
    "ingest_commit": ("确认导入 {n} 行", "Import {n} rows"),
    "ingest_committing": ("正在写入……", "Writing…"),
    "ingest_done": ("已导入：批次 {batch}，{n} 行。", "Imported: batch {batch}, {n} rows."),
    "ingest_nothing": ("没有可导入的行。", "There are no rows to import."),
    "ingest_already": (
        "这个文件（{file}）已于 {when} 导入（批次 {batch}），未做任何改动。",
        "This file ({file}) was already imported on {when} (batch {batch}); nothing was changed.",
    ),
    "ingest_failed": (
        "导入失败，数据库未做任何改动：{msg}",
        "The import failed and nothing was changed: {msg}",
    ),
    "ingest_history": ("导入历史", "Import history"),
    "ingest_history_empty": ("还没有导入记录。", "No imports yet."),
    "ingest_undo_pick": ("撤销批次", "Batch to undo"),
    "ingest_undo": ("撤销该批次", "Undo this batch"),
    "ingest_undone": (
        "已撤销批次 {batch}（{file}，{kind}）：移除 {n} 行。",
        "Batch {batch} undone ({file}, {kind}): {n} rows removed.",
    ),
    # undo (issue 13): what a batch holds, a confirm step, the result
    "ingest_undo_option": (
        "批次 {batch} · {file} · {when} · {kind} · {n} 行",
        "Batch {batch} · {file} · {when} · {kind} · {n} rows",
    ),
    "ingest_undo_holds": (
        "批次 {batch} 于 {when} 由 {user} 导入，文件：{file}；类型：{kind}；{n} 行。撤销将删除这 {n} 行。",
        "Batch {batch} was imported on {when} by {user}, file: {file}; kind: {kind}; {n} rows. "
        "Undoing it deletes these {n} rows.",
    ),
    "ingest_undo_holds_project": (
        "撤销后，被它替换的模拟项目及其模拟数据将恢复。",
        "The simulated projects it replaced, and their simulated data, are restored.",
    ),
    "ingest_undo_confirm": (
        "我确认撤销批次 {batch}（{n} 行）",
        "I confirm undoing batch {batch} ({n} rows)",
    ),
    "ingest_undone_project": (
        "已撤销批次 {batch}（{file}，{kind}）：移除 {n} 个项目，被替换的模拟项目已恢复。",
        "Batch {batch} undone ({file}, {kind}): {n} projects removed, the simulated projects they "
        "replaced restored.",
    ),
    # templates (issue 13): made for the viewer, read back by the data sheet's name
    "ingest_tpl_sheet_project": ("项目名单", "Projects"),
    "ingest_tpl_sheet_dispatch": ("派驻团队", "Dispatch"),
    "ingest_tpl_sheet_guidance_visit": ("到校指导", "Guidance visits"),
    "ingest_tpl_sheet_shadowing": ("跟岗挂职", "Shadowing"),
    "ingest_tpl_sheet_training": ("培训教研", "Training"),
    "ingest_tpl_sheet_internship": ("实习支教", "Internships"),
    "ingest_tpl_sheet_outcome": ("成效指标", "Outcomes"),
    "ingest_tpl_sheet_help": ("说明", "Instructions"),
    "ingest_tpl_sheet_lists": ("选项", "Lists"),
    "ingest_tpl_file_project": ("导入模板_项目名单", "import_template_projects"),
    "ingest_tpl_file_dispatch": ("导入模板_派驻团队", "import_template_dispatch"),
    "ingest_tpl_file_guidance_visit": ("导入模板_到校指导", "import_template_guidance_visits"),
    "ingest_tpl_file_shadowing": ("导入模板_跟岗挂职", "import_template_shadowing"),
    "ingest_tpl_file_training": ("导入模板_培训教研", "import_template_training"),
    "ingest_tpl_file_internship": ("导入模板_实习支教", "import_template_internships"),
    "ingest_tpl_file_outcome": ("导入模板_成效指标", "import_template_outcomes"),
    "ingest_tpl_new_school": ("第一中学", "No. 1 High School"),
    "ingest_tpl_sep": ("、", ", "),
    "ingest_tpl_more": ("等 {n} 项，见下拉列表", " and more ({n} in all, see the drop-down)"),
    "ingest_tpl_allowed_list": (
        "从下拉列表中选择：{values}{more}",
        "Pick from the drop-down: {values}{more}",
    ),
    "ingest_tpl_allowed_date": (
        "{earliest} 及以后、不晚于今天的日期",
        "A date from {earliest} up to today",
    ),
    "ingest_tpl_allowed_year": (
        "学年开始的年份，如 2023",
        "The year the school year starts, e.g. 2023",
    ),
    "ingest_tpl_allowed_range": ("{lo} 至 {hi} 之间的数", "A number from {lo} to {hi}"),
    "ingest_tpl_allowed_value": (
        "本科上线率、骨干教师留任率为百分数（0–100），在校生数为整数",
        "Rates are percentages (0–100); enrolment is a whole number",
    ),
    "ingest_tpl_allowed_text": ("文字", "Text"),
    "ingest_tpl_fmt_date": ("日期（年-月-日）", "Date (year-month-day)"),
    "ingest_tpl_fmt_int": ("整数", "Whole number"),
    "ingest_tpl_fmt_number": ("数字", "Number"),
    "ingest_tpl_fmt_text": ("文字", "Text"),
    "ingest_tpl_dv_list": ("请从下拉列表中选择。", "Pick a value from the drop-down list."),
    "ingest_tpl_dv_date": ("请填写 {earliest} 及以后的日期。", "Enter a date from {earliest} on."),
    "ingest_tpl_help_title": ("导入模板：{kind}", "Import template: {kind}"),
    "ingest_tpl_help_sheet": (
        "在工作表“{sheet}”中每行填写一条记录（第 1 行是表头，请勿修改）；导入时只读取这个工作表，“说明”和“选项”工作表会被忽略。",
        'Fill in one record per row on the sheet "{sheet}" (row 1 is the header: keep it); the '
        'import reads that sheet only, the "Instructions" and "Lists" sheets are ignored.',
    ),
    "ingest_tpl_help_example": (
        "第 2 行是为您的权限范围生成的示例，原样导入也会被接受：请改成您的实际数据或删除。橙色表头为必填列。",
        "Row 2 is an example made for your scope that is accepted as it stands: replace it with your "
        "own data or delete it. Orange headers are required columns.",
    ),
    "ingest_tpl_h_column": ("列", "Column"),
    "ingest_tpl_h_required": ("必填", "Required"),
    "ingest_tpl_h_allowed": ("允许的值", "Allowed values"),
    "ingest_tpl_h_format": ("格式", "Format"),
    "ingest_tpl_yes": ("是", "yes"),
    "ingest_tpl_no": ("否", "no"),
    "ingest_h_batch": ("批次", "Batch"),
    "ingest_h_when": ("时间", "When"),
    "ingest_h_user": ("操作人", "User"),
    "ingest_h_file": ("文件", "File"),
    "ingest_h_hash": ("SHA-256", "SHA-256"),
    "ingest_h_kind": ("类型", "Kind"),
    "ingest_h_ok": ("接受", "Accepted"),
    "ingest_h_bad": ("拒绝", "Rejected"),
    "ingest_h_undone": ("撤销时间", "Undone at"),
    "ingest_col_row": ("行号", "Row"),
    "ingest_col_column": ("列", "Column"),
    "ingest_col_value": ("值", "Value"),
    "ingest_col_reason": ("原因", "Reason"),
    "ingest_col_replaces": ("替换模拟项目", "Replaces simulated project"),
    "ingest_accepted_cap": ("（仅显示前 500 行）", "(first 500 rows shown)"),
    "ingest_form_entry": ("填报（表单）", "Entered (form)"),
    "ingest_kind_project": ("项目名单（附件）", "Project list (annex)"),
    "ingest_kind_outcome": ("成效指标", "Outcome indicators"),
    # file-level errors
    "ingest_err_too_big": (
        "文件 {size} MB，超过 {limit} MB 的上限，未读取。",
        "The file is {size} MB, above the {limit} MB limit; it was not read.",
    ),
    "ingest_err_too_many_rows": (
        "文件的数据超过 {limit} 行的上限（读到第 {row} 行时停止读取），请分成几个文件后再上传。",
        "The file holds more than {limit} data rows (reading stopped at row "
        "{row}); split it into several files.",
    ),
    "ingest_err_empty": ("文件是空的。", "The file is empty."),
    "ingest_err_type": (
        "不支持 {ext} 文件，请另存为 .xlsx 或 .csv 后再上传。",
        "{ext} files are not supported; save the file as .xlsx or .csv and upload it again.",
    ),
    "ingest_err_encoding": (
        "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。",
        "The file's encoding is not recognised; save it as UTF-8 or GBK CSV.",
    ),
    "ingest_err_unreadable": (
        "文件无法读取：它不是有效的 Excel（.xlsx）文件，或者已经损坏。请在 Excel 中打开后另存为 .xlsx 或 .csv 再上传。",
        "The file cannot be read: it is not a valid Excel (.xlsx) file, or it is "
        "damaged. Open it in Excel, save it as .xlsx or .csv and upload it again.",
    ),
    "ingest_err_no_header": (
        "在文件前 15 行中找不到表头，请使用模板中的列名。",
        "No header row found in the first 15 lines; use the template's column names.",
    ),
    "ingest_err_missing_columns": (
        "缺少必填列：{columns}。",
        "Required columns are missing: {columns}.",
    ),
    # file limits (bad files)
    "ingest_limits": (
        "接受 .xlsx、.xlsm（其中的宏不会运行）和 .csv（UTF-8 或 GBK）。每个文件不超过 {mb} MB（Excel 解压后不超过 "
        "{expanded} MB）、{rows} 行数据、{cols} 列，每格不超过 {chars} 个字符；超出的文件不会被读取。",
        "Accepted: .xlsx, .xlsm (its macros never run) and .csv (UTF-8 or GBK). Each file at most {mb} MB "
        "({expanded} MB once an Excel file is uncompressed), {rows} data rows and {cols} columns, at most "
        "{chars} characters per cell; larger files are not read.",
    ),
    "ingest_err_xls": (
        "这是旧版 Excel 97–2003（.xls）文件或加密的 Excel 文件，无法读取。请另存为 .xlsx 或 .csv 后再上传（不要设置密码）。",
        "This is an old Excel 97–2003 (.xls) file or an encrypted workbook, which cannot be "
        "read. Save it as .xlsx or .csv (without a password) and upload it again.",
    ),
    "ingest_err_xlsx_expanded": (
        "这个 Excel 文件解压后有 {size} MB，超过 {limit} MB 的上限，未读取。请删除多余的工作表或内容，或另存为 .csv 后再上传。",
        "This Excel file is {size} MB uncompressed, above the {limit} MB limit; "
        "it was not read. Remove extra sheets or content, or save it as .csv.",
    ),
    "ingest_err_xlsx_part": (
        "这个 Excel 文件中的 {part} 解压后有 {size} MB，超过 {limit} MB 的上限，未读取。请另存为 .csv 后再上传。",
        "The part {part} of this Excel file is {size} MB uncompressed, above the "
        "{limit} MB limit; the file was not read. Save it as .csv and upload that.",
    ),
    "ingest_err_xlsx_ratio": (
        "这个 Excel 文件中的 {part} 压缩比异常（{ratio} 倍，上限 {limit} 倍），文件可能已损坏或是特意构造的，未读取。",
        "The part {part} of this Excel file is compressed {ratio} times (the limit is "
        "{limit}); the file may be damaged or crafted, and was not read.",
    ),
    "ingest_err_xlsx_parts": (
        "这个 Excel 文件包含 {n} 个部件，超过 {limit} 个的上限，未读取。",
        "This Excel file has {n} parts, above the limit of {limit}; it was not read.",
    ),
    "ingest_err_too_many_columns": (
        "第 {row} 行 {col} 列有内容，超过 {limit} 列的上限，请删除多余的列后再上传。",
        "Row {row}, column {col} holds a value, beyond the {limit}-column limit; "
        "delete the extra columns and upload again.",
    ),
    "ingest_err_cell_too_long": (
        "第 {row} 行 {col} 列{head}有 {n} 个字符，超过每格 {limit} 个字符的上限（若不应这么长，可能是缺少配对的引号）。请改短后再上传。",
        "Row {row}, column {col}{head} holds {n} characters, above the limit of "
        "{limit} per cell (if it should not be that long, a quotation mark may be "
        "unpaired). Shorten it and upload again.",
    ),
    "ingest_err_control_char": (
        "第 {row} 行 {col} 列{head}含有不可见的控制字符（{code}），请删除后再上传。",
        "Row {row}, column {col}{head} contains an invisible control character "
        "({code}); remove it and upload again.",
    ),
    "ingest_err_dup_column": (
        "表头（第 {row} 行）中 {col} 列“{header}”与 {first} 列“{first_header}”是同一项（{field}），请删除或改名其中一列后再上传。",
        "In the header (row {row}), column {col} “{header}” and column {first} "
        "“{first_header}” are the same field ({field}); delete or rename one of "
        "them and upload again.",
    ),
    "ingest_err_merged": (
        "合并单元格过多（合计超过 {limit} 个单元格），请取消合并后再上传。",
        "Too many merged cells (more than {limit} cells in all); unmerge them and upload again.",
    ),
    "ingest_err_csv_syntax": (
        "CSV 文件第 {row} 行格式有误，无法读取。请在 Excel 中打开后另存为 .csv 再上传。",
        "Row {row} of the CSV file is malformed and cannot be read. Open it in Excel, "
        "save it as .csv and upload it again.",
    ),
    "ingest_err_unreadable_at": (
        "Excel 文件在第 {row} 行附近已损坏，无法读取。请在 Excel 中打开后另存为 .xlsx 或 .csv 再上传。",
        "The Excel file is damaged near row {row} and cannot be read. Open it in "
        "Excel, save it as .xlsx or .csv and upload it again.",
    ),
    "ingest_err_unexpected": (
        "读取这个文件时出错，数据库未做任何改动。请确认它是按模板填写的 .xlsx 或 .csv 文件；如仍有问题，请联系管理员。",
        "Something went wrong while reading this file; nothing was changed. Check it is "
        "an .xlsx or .csv file laid out like the template; if it still fails, tell "
        "the administrator.",
    ),
    # row-level reasons (detail: candidates, the other row, a limit)
    "ingest_r_missing": ("必填项为空", "required value is empty"),
    "ingest_r_unknown_province": (
        "未知省份（最接近：{detail}）",
        "unknown province (closest: {detail})",
    ),
    "ingest_r_unknown_university": (
        "未知高校（最接近：{detail}）",
        "unknown university (closest: {detail})",
    ),
    "ingest_r_unknown_county": (
        "该省份内没有这个县（最接近：{detail}）",
        "no such county in that province (closest: {detail})",
    ),
    "ingest_r_ambiguous_county": (
        "县名不唯一，可能是：{detail}",
        "ambiguous county name, could be: {detail}",
    ),
    "ingest_r_bad_date": (
        "无法识别的日期（可用 2022-07-18、2022/7/18、2022年7月18日）",
        "unrecognised date (use 2022-07-18, 2022/7/18 or 2022年7月18日)",
    ),
    "ingest_r_date_too_early": (
        "日期早于 {detail}，不合理",
        "date before {detail} is not plausible",
    ),
    "ingest_r_future": ("日期晚于今天（{detail}）", "date is in the future (today is {detail})"),
    "ingest_r_end_before_start": ("结束日期早于开始日期", "end date is before the start date"),
    "ingest_r_span_absurd": ("起止时间超过四年，不合理", "start to end is more than four years"),
    "ingest_r_not_number": ("不是数字", "not a number"),
    "ingest_r_not_integer": ("应为整数", "must be a whole number"),
    "ingest_r_negative": ("不能为负数", "must not be negative"),
    "ingest_r_absurd": (
        "数值不合理（应在 {detail} 之间）",
        "implausible value (expected {detail})",
    ),
    "ingest_r_bad_choice": ("无法识别（可选：{detail}）", "not recognised (choose from: {detail})"),
    "ingest_r_out_of_scope": ("超出您的权限范围", "outside your scope"),
    "ingest_r_project_not_found": (
        "在您的权限范围内未找到该项目（最接近：{detail}）",
        "project not found in your scope (closest: {detail})",
    ),
    "ingest_r_ambiguous_project": (
        "同名学校有多个项目，请填写托管高校和省份",
        "several projects with this school name: give university and province",
    ),
    "ingest_r_wrong_university": (
        "该学校的托管高校是 {detail}",
        "this school's host university is {detail}",
    ),
    "ingest_r_dup_in_file": ("与文件第 {detail} 行重复", "duplicate of row {detail} of this file"),
    "ingest_r_dup_existing": ("与已有记录重复", "duplicate of an existing record"),
    # entry page
    "entry_title": ("数据填报", "Data entry"),
    "entry_intro": (
        "为您负责的项目新增一条记录，或更正已导入/填报的记录。每次修改都记入审计日志。",
        "Add a record to one of your projects, or correct an imported or entered record. "
        "Every change is written to the audit log.",
    ),
    "entry_add": ("新增记录", "Add a record"),
    "entry_project": ("项目（帮扶县中）", "Project (county high school)"),
    "entry_no_projects": ("您的权限范围内没有项目。", "There are no projects in your scope."),
    "entry_submit": ("保存", "Save"),
    "entry_saved": ("已保存（批次 {batch}）。", "Saved (batch {batch})."),
    "entry_rejected": ("未保存：{reasons}", "Not saved: {reasons}"),
    "entry_correct": ("更正已导入或填报的记录", "Correct imported or entered records"),
    "entry_correct_help": (
        "模拟和公开来源的记录不能在此修改；修改后点击“保存更正”。",
        "Simulated and published records cannot be changed here; edit, then "
        "press “Save corrections”.",
    ),
    "entry_save_corrections": ("保存更正", "Save corrections"),
    "entry_corrected": ("已更正 {n} 条记录。", "{n} records corrected."),
    "entry_none_editable": (
        "还没有可更正的导入或填报记录。",
        "No imported or entered records to correct yet.",
    ),
    "entry_not_found": (
        "记录 {id} 不存在或不在您的权限范围内。",
        "Record {id} does not exist or is outside your scope.",
    ),
    # the entry form's required fields and refusals, the correction grid (ingest.entry, issue 13)
    "entry_required_label": ("{name}（必填）", "{name} (required)"),
    "entry_pick": ("请选择", "Choose"),
    "entry_pick_project": ("请选择项目", "Choose a project"),
    "entry_pick_project_first": (
        "请选择“项目（帮扶县中）”：必填。",
        "Please choose the “Project (county high school)”: it is required.",
    ),
    "entry_missing_field": (
        "请填写“{field}”：必填，不会自动填入。",
        "Please fill in “{field}”: it is required and never filled in for you.",
    ),
    "entry_bad_field": ("“{field}”：{reason}。", "“{field}”: {reason}."),
    "entry_bad_entry": ("{reason}。", "{reason}."),
    "entry_not_saved": ("未保存，数据库没有任何改动：", "Not saved; nothing was written:"),
    "entry_saved_row": (
        "已保存：{kind}，{school}，开始日期 {start}；来源记为“填报”（批次 {batch}）。",
        "Saved: {kind}, {school}, start date {start}; source recorded as “entered” "
        "(batch {batch}).",
    ),
    "entry_saved_outcome": (
        "已保存：{school}，{year} 学年{indicator}；来源记为“填报”（批次 {batch}）。",
        "Saved: {school}, {indicator} for {year}; source recorded as “entered” (batch {batch}).",
    ),
    "entry_store_date_missing": (
        "开始日期为必填项：没有开始日期的记录不能保存，数据库没有任何改动。",
        "The start date is required: a record without one cannot be saved; nothing was written.",
    ),
    "entry_col_id": ("记录编号", "Record no."),
    "entry_col_source": ("来源", "Source"),
    "entry_col_kind": ("类型", "Kind"),
    "entry_grid_help": (
        "灰色列（记录编号、来源、帮扶县中、类型）不能修改；日期可点选，形式和学生层次从列表中选择。",
        "Grey columns (record no., source, school, kind) cannot be changed; pick dates from the "
        "calendar, mode and level from their lists.",
    ),
    "entry_grid_nothing": (
        "表格没有改动，未保存任何内容。",
        "Nothing in the table was changed; nothing was saved.",
    ),
    "entry_grid_saved": ("已更正 {n} 条记录：{detail}。", "{n} records corrected: {detail}."),
    "entry_grid_row_fields": (
        "第 {row} 行（记录 {id}）{fields}",
        "row {row} (record {id}): {fields}",
    ),
    "entry_grid_refused": (
        "以下记录未保存（该行的其他修改也未保存）：",
        "These records were not saved (nor the other changes of their row):",
    ),
    "entry_grid_bad_cell": (
        "第 {row} 行（记录 {id}）“{column}”：{reason}",
        "Row {row} (record {id}), “{column}”: {reason}",
    ),
    "entry_grid_bad_row": (
        "第 {row} 行（记录 {id}）：{reason}",
        "Row {row} (record {id}): {reason}",
    ),
    "entry_sep_rows": ("；", "; "),
    "entry_sep_fields": ("、", ", "),
    "entry_r_not_for_kind": ("{kind}记录没有这一项", "a {kind} record has no such field"),
    # the entry form's options (ingest.form_options): the label follows the language, the value
    # stored is the same canonical one in both
    "entry_opt_on_site": ("现场", "On site"),  # = prog_v_on_site: one vocabulary (issue 13)
    "entry_opt_online": ("线上", "Online"),
    "entry_opt_undergraduate": ("本科", "Undergraduate"),
    "entry_opt_master": ("硕士", "Master's"),
    "entry_opt_doctoral": ("博士", "Doctoral"),
    "entry_opt_enrolment": ("在校生数", "Enrolment"),
    "entry_opt_teacher_retention": ("骨干教师留任率", "Key teacher retention rate"),
    "entry_opt_admission_rate": ("本科上线率", "Undergraduate admission rate"),
    # writes outside the viewer's scope (issue 17)
    "ingest_r_replace_out_of_scope": (
        "同校同县已有一个不在您权限范围内的项目，不能替换或重复登记（如需更改，请联系教育部）",
        "this school and county already belong to a project outside your scope; it cannot be replaced "
        "or registered again (ask the ministry to change it)",
    ),
    "ingest_r_project_out_of_scope": (
        "所选项目不在您的权限范围内",
        "the chosen project is outside your scope",
    ),
    "ingest_r_record_out_of_scope": (
        "该记录不存在、不可更正或不在您的权限范围内",
        "this record does not exist, cannot be corrected or is outside your scope",
    ),
    "ingest_r_not_movable": (
        "记录不能改到另一个项目或另一种类型；请撤销后重新导入或填报",
        "a record cannot be moved to another project or kind; undo it and import or enter it again",
    ),
    # the header of a refused cell, after its column letter
    "ingest_cell_head": ("（{head}）", ' ("{head}")'),
}

LABELS: dict[str, tuple[str, str]] = {
    # provenance of rows typed into the entry form (vocab.Provenance.ENTERED); the other
    # provenances are named in strings/core.py
    "entered": ("填报", "Entered"),
}
