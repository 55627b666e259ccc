"""Strings of the scorecard (issue 16, part 3): each project's baseline, target, speed class and
data availability per outcome indicator (the dossier's head), the league view per province, the
outcome reasons of the "needs attention" list, and the store's refusals of a target."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------- the league page
    "nav_scorecard": ("成效记分卡", "Scorecard"),
    "score_title": (
        "成效记分卡：各项目对照基线与目标",
        "Scorecard: each project against its baseline and target",
    ),
    "score_caption": (
        "每个成果指标：托管前一学年的基线、目标、按趋势判断的进展速度、数据是否齐全",
        "For each outcome indicator: the baseline of the school year before the partnership, "
        "the target, the speed of progress judged from the trend, and whether the data are "
        "complete",
    ),
    "score_no_projects": ("当前筛选下没有项目。", "No project matches the filters."),
    "score_league_heading": ("各项目进展速度", "Each project's speed of progress"),
    "score_league_caption": (
        "每行一个项目，按省份排列，同省内倒退、偏慢多的在前；点击列标题可重新排序。",
        "One row per project, by province, those with most regressing and slow indicators "
        "first within a province; click a column header to sort again.",
    ),
    "score_by_province": ("按省份汇总（项目 × 指标）", "By province (projects × indicators)"),
    # the league's speed columns: an indicator's name without its unit (the cells are speed
    # classes, not percentages), short enough for 1366×768
    "score_col_speed_enrolment": ("在校生数", "Enrolment"),
    "score_col_speed_teacher_retention": ("骨干教师留任", "Teacher retention"),
    "score_col_speed_admission_rate": ("本科上线", "Admission rate"),
    "score_col_regressing_short": ("倒退数", "Regressing"),
    "score_col_slow_short": ("偏慢数", "Slow"),
    "score_col_projects": ("项目数", "Projects"),
    "score_col_targets_set": ("已设目标", "Targets set"),
    # ------------------------------------------------------------- the rule, said on the page
    "score_rule": (
        "速度分类规则：取基线学年起各学年数值的最小二乘直线，斜率为负为“倒退”；最新值已达目标，"
        "或最新学年早于目标学年（{target_year}）而直线外推到该学年可达目标，为“达标在望”；"
        "其余有目标的为“进展偏慢”。",
        "The speed rule: a least-squares line through the values of every school year since "
        "the baseline; a negative slope is regressing; on track when the latest value has "
        "reached the target, or when the latest year is before the target year {target_year} "
        "and the line reaches the target by then; slow otherwise (when a target is set).",
    ),
    "score_years_note": (
        "学年以开始的年份计（2022 即 2022年秋至2023年夏）；基线 = 托管开始前一学年；目标学年为"
        "{target_year}（{target_end}结束，即通知“到2025年”之期）；数据完整 = 基线学年至 "
        "{last_year}每年都有数值。通知未规定具体数值目标，未设定的目标显示为“未设定”。",
        "A school year is named by the year it starts (2022 = autumn 2022 to summer 2023); the "
        "baseline is the school year before the partnership began; the target year is "
        '{target_year} (it ends {target_end}: the notice\'s "by 2025"); complete data = a '
        "value for every school year from the baseline to {last_year}. The notice sets no "
        'numeric target: a target nobody set shows as "not set".',
    ),
    "score_target_end": ("2025年夏", "summer 2025"),
    "score_simulated_targets": (
        "{n} 个目标为模拟数据（演示用：基线加适度提升），并非任何部门设定的真实目标。",
        "{n} targets are simulated (for the demo: the baseline plus a modest improvement), not "
        "real targets set by anyone.",
    ),
    "score_simulated_outcomes": (
        "成果数据中 {n} 条为模拟数据。",
        "{n} outcome values are simulated.",
    ),
    # ------------------------------------------------------------- the dossier's head
    "score_card_heading": ("成效记分卡", "Scorecard"),
    "score_col_indicator": ("指标", "Indicator"),
    "score_col_baseline": ("基线", "Baseline"),
    "score_col_latest": ("最新", "Latest"),
    "score_col_target": ("目标", "Target"),
    "score_col_trend": ("趋势（每年）", "Trend (per year)"),
    "score_col_speed": ("进展速度", "Speed"),
    "score_col_availability": ("数据", "Data"),
    "score_col_target_source": ("目标来源", "Target source"),
    "score_value_year": ("{value}（{year}）", "{value} ({year})"),
    "score_not_set": ("未设定", "not set"),
    "score_none": ("—", "—"),
    "score_year": ("{start}–{end}学年", "{start}–{end}"),
    # the speed classes and the data-availability flags
    "score_speed_on_track": ("达标在望", "On track"),
    "score_speed_slow": ("进展偏慢", "Slow"),
    "score_speed_regressing": ("倒退", "Regressing"),
    "score_speed_no_target": ("未设目标", "No target"),
    "score_speed_too_few": ("数据不足", "Too few data"),
    "score_avail_complete": ("完整", "Complete"),
    "score_avail_partial": ("部分", "Partial"),
    "score_avail_baseline_only": ("仅基线", "Baseline only"),
    "score_avail_none": ("无数据", "No data"),
    # the target form
    "score_form_heading": ("设定目标", "Set a target"),
    "score_form_caption": (
        "目标由省级教育部门（本省项目）或教育部设定，每次修改记入审计日志。留空并保存即清除目标。",
        "A target is set by the province (for its own projects) or the ministry; every change "
        "goes to the audit log. Save an empty value to clear the target.",
    ),
    "score_form_indicator": ("指标", "Indicator"),
    "score_form_value": ("目标值", "Target value"),
    "score_form_clear": ("清除目标（恢复“未设定”）", 'Clear the target (back to "not set")'),
    "score_form_save": ("保存目标", "Save the target"),
    "score_target_missing": (
        "请填写目标值，或勾选“清除目标”。",
        'Enter a target value, or tick "Clear the target".',
    ),
    "score_saved": (
        "已保存：{indicator}目标 {before} → {after}。",
        "Saved: the {indicator} target {before} → {after}.",
    ),
    # ------------------------------------------------------------- the store's refusals
    "score_only_province": (
        "只有省级教育部门（本省项目）或教育部可以设定目标。",
        "Only the province (for its own projects) or the ministry may set a target.",
    ),
    "score_bad_indicator": (
        "未知的成果指标：{indicator}。",
        "Unknown outcome indicator: {indicator}.",
    ),
    "score_target_not_number": (
        "目标值“{value}”不是数字。",
        'The target "{value}" is not a number.',
    ),
    "score_target_out_of_range": (
        "目标值 {value} 超出范围：百分比指标须在 {low} 至 {high} 之间。",
        "The target {value} is out of range: a percentage must lie between {low} and {high}.",
    ),
    "score_target_negative": (
        "目标值 {value} 无效：在校生数不能小于 {low}。",
        "The target {value} is not valid: enrolment cannot be below {low}.",
    ),
    "score_project_out_of_scope": (
        "项目 {project} 不在您的权限范围内，不能为其设定目标。",
        "Project {project} is outside your scope: you cannot set its target.",
    ),
    # ------------------------------------------------------------- the "needs attention" list
    "att_reason_regressing": (
        "{indicator}倒退：{base_year}基线 {baseline} → {latest_year} {latest}",
        "{indicator} regressing: baseline {baseline} ({base_year}) → {latest} ({latest_year})",
    ),
    "att_reason_slow": (
        "{indicator}进展偏慢：最新 {latest}（{latest_year}），目标 {target}",
        "{indicator} slow: latest {latest} ({latest_year}), target {target}",
    ),
    "att_reason_no_outcomes": (
        "成果无数据：{indicators}",
        "No outcome data: {indicators}",
    ),
    "att_list_sep": ("、", ", "),
    "att_formula_scored": (
        "关注分值 = 每个倒退的成果指标 {regressing} ＋ 每个进展偏慢的指标 {slow} ＋ 有指标无成果数据 "
        "{no_data} ＋ 上一学期活动缺口 {w} ×（{min} − 活动数）/ {min} ＋ 上一学期无派驻人员在岗 "
        "{disp} ＋ 本学期开学 {weeks} 周后仍无活动 {cur} ＋ 每个逾期未完成的里程碑 {overdue} ＋ "
        "两学期内逾期超过 {late_days} 天才完成的里程碑各 {late}；成果按记分卡判断，活动只看上一"
        "学期和本学期，按分值从高到低排列。",
        "Score = {regressing} per outcome indicator regressing + {slow} per indicator slow + "
        "{no_data} if an indicator has no outcome data + the last completed term's shortfall, "
        "{w} × ({min} − activities) / {min}, + {disp} if nobody dispatched was on site that "
        "term + {cur} if the current term has no activity {weeks} weeks in + {overdue} per "
        "milestone still open past its deadline + {late} per milestone done more than "
        "{late_days} days late in these two terms; outcomes as the scorecard judges them, "
        "activity of the last completed and the current term only, highest score first.",
    ),
}

LABELS: dict[str, tuple[str, str]] = {}
