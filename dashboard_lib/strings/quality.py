"""Strings of data quality (issue 16, part 7): the validation rules of the outcome indicators, the
flags of the import preview, the 数据质量 / Data quality page, and the refusals of a confirmation
or a correction."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------- the page
    "nav_quality": ("数据质量", "Data quality"),
    "dq_title": ("数据质量：待核实的成果数据", "Data quality: outcome values to verify"),
    "dq_caption": (
        "导入或填报时超出常见范围、或与上一学年相比变化过大的成果数据，在此逐条确认或更正",
        "Outcome values that were outside the usual range, or moved too far from the previous "
        "school year, when imported or entered: confirm or correct each one here",
    ),
    "dq_rules_heading": ("核查规则", "The rules"),
    "dq_rules_caption": (
        "违反规则的数据照常导入并标记待核实；不可能的数值（如比率超过 100%）在导入时即被拒绝。",
        "A value breaking a rule is imported all the same and flagged for a check; an "
        "impossible value (such as a rate above 100 %) is refused at import.",
    ),
    "dq_by_province": ("按省份汇总", "By province"),
    "dq_list_heading": ("标记的数据", "Flagged values"),
    "dq_status_filter": ("状态", "Status"),
    "dq_status_all": ("全部", "All"),
    "dq_none": ("当前筛选下没有标记的数据。", "No flagged value matches the filters."),
    "dq_summary": (
        "共 {total} 条标记，其中 {open} 条待核实。",
        "Flags: {total}, waiting for a check: {open}.",
    ),
    "dq_act_heading": ("确认或更正", "Confirm or correct"),
    "dq_nothing_open": ("没有待核实的数据。", "Nothing is waiting for a check."),
    "dq_pick": ("待核实的数据", "Value to check"),
    "dq_flag_option": (
        "#{id} {school} {year}学年 {indicator}：{value}",
        "#{id} {school}, school year {year}, {indicator}: {value}",
    ),
    "dq_comment_label": ("说明（可选）", "Comment (optional)"),
    "dq_new_value": ("更正后的数值（仅更正时填写）", "Corrected value (only to correct)"),
    "dq_confirm_button": ("确认数值无误", "Confirm the value"),
    "dq_correct_button": ("更正数值", "Correct the value"),
    "dq_confirmed_ok": ("已确认标记 #{flag} 的数值。", "The value of flag #{flag} is confirmed."),
    "dq_corrected_ok": (
        "已更正标记 #{flag} 的数值，并写入审计日志。",
        "The value of flag #{flag} is corrected and written to the audit log.",
    ),
    "dq_corrected_again": (
        "更正后的数值仍不符合规则（{rules}），已再次标记待核实。",
        "The corrected value still breaks a rule ({rules}) and is flagged again.",
    ),
    "dq_next_flagged": (
        "{year}的数值与更正后的数值相比变化过大，已标记待核实。",
        "{year}'s value differs too much from the corrected one and is flagged.",
    ),
    "dq_next_settled": (
        "{year}数值的“跳变”标记是对照原数值作出的，与更正后的数值相比已不跳变，标记已一并处理。",
        "{year}'s jump flag was judged against the old value; against the corrected one it is "
        "no jump, and the flag is settled too.",
    ),
    "dq_entry_flagged": (
        "已保存；该数值不符合核查规则（{rules}），已标记待核实，可在“数据质量”页确认或更正。",
        "Saved; the value breaks a rule ({rules}) and is flagged: confirm or correct it on the "
        "Data quality page.",
    ),
    "dq_simulated_note": (
        "其中 {n} 条标记的数据为模拟数据（演示用）。",
        "{n} of the flagged values are simulated (for the demo).",
    ),
    # ------------------------------------------------------------- the import preview
    "dq_preview_heading": (
        "待核实的数据（{n} 条，照常导入）",
        "Values to check ({n}, imported all the same)",
    ),
    "dq_preview_caption": (
        "以下数据超出常见范围或与上一学年相比变化过大。导入后可在“数据质量”页确认或更正。",
        "These values are outside the usual range or moved too far from the previous school "
        "year. After the import, confirm or correct them on the Data quality page.",
    ),
    # ------------------------------------------------------------- the rules in words
    "dq_rule_range": ("超出常见范围（{bounds}）", "Outside the usual range ({bounds})"),
    "dq_at_least": ("不低于 {low}", "at least {low}"),
    "dq_rule_jump_relative": (
        "较上一学年变化超过 {pct}%",
        "Moved more than {pct} % from the previous school year",
    ),
    "dq_rule_jump_points": (
        "较上一学年变化超过 {pp} 个百分点",
        "Moved more than {pp} percentage points from the previous school year",
    ),
    # ------------------------------------------------------------- columns
    "dq_col_flag": ("标记号", "Flag"),
    "dq_col_row": ("行号", "Row"),
    "dq_col_column": ("列", "Column"),
    "dq_col_year": ("学年", "School year"),
    "dq_col_indicator": ("指标", "Indicator"),
    "dq_col_value": ("数值", "Value"),
    "dq_col_rule": ("规则", "Rule"),
    "dq_col_rule_range": ("常见范围", "Usual range"),
    "dq_col_rule_jump": ("与上一学年相比", "Against the previous school year"),
    "dq_col_previous": ("上一学年数值", "Previous school year"),
    "dq_col_status": ("状态", "Status"),
    "dq_col_corrected": ("更正后数值", "Corrected value"),
    "dq_col_by": ("处理人", "By"),
    "dq_col_at": ("处理时间", "At"),
    "dq_col_comment": ("说明", "Comment"),
    "dq_col_total": ("合计", "Total"),
    "dq_status_flagged": ("待核实", "To check"),
    "dq_status_confirmed": ("已确认", "Confirmed"),
    "dq_status_corrected": ("已更正", "Corrected"),
    # ------------------------------------------------------------- refusals
    "dq_flag_not_found": (
        "找不到标记 #{flag}，或它不在您的权限范围内。",
        "Flag #{flag} does not exist or is outside your scope.",
    ),
    "dq_flag_closed": (
        "标记 #{flag} 已处理过（已确认或已更正）。",
        "Flag #{flag} was already dealt with (confirmed or corrected).",
    ),
    "dq_not_allowed": (
        "只有部、省级和高校的工作人员可以确认或更正数据。",
        "Only ministry, province and university staff may confirm or correct values.",
    ),
    "dq_not_number": ("“{value}”不是数字。", "“{value}” is not a number."),
    "dq_not_integer": ("在校生数须为整数：{value}。", "Enrolment must be a whole number: {value}."),
    "dq_impossible": (
        "数值 {value} 不可能（应在 {low} 到 {high} 之间）。",
        "The value {value} is impossible (it must lie between {low} and {high}).",
    ),
    "dq_comment_too_long": ("说明最多 {n} 个字。", "A comment has at most {n} characters."),
}

LABELS: dict[str, tuple[str, str]] = {}
