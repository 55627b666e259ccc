"""Strings of "compared with whom" (issue 16, part 4): the difference-in-differences section of
the scorecard page, the import of comparison schools' outcomes (its kind, template, row
reasons) and the store's refusals of such an import."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------- the section
    "cmp_heading": (
        "与同类学校比较（双重差分）",
        "Compared with similar schools (difference in differences)",
    ),
    "cmp_caption": (
        "项目学校自基线学年以来的变化，减去同省、起点相近的非项目县中同期的变化。",
        "The change of the programme's schools since their baseline school year, minus the "
        "change of county high schools outside the programme in the same province that "
        "started at a similar level, over the same years.",
    ),
    "cmp_claim": (
        "这一差值只说明项目学校与同省、起点相近的学校相比变化多了或少了多少，不能证明变化由托管帮扶造成："
        "学校入选项目并非随机，两组学校还可能在其他方面不同；学校少时区间很宽，区间跨过零即说明看不出差别。",
        "This difference only says how much more or less the programme's schools changed than "
        "similar schools of the same provinces that started at a similar level; it does not "
        "prove the partnership caused it: schools were not chosen for the programme at random "
        "and the two groups may differ in other ways; with few schools the interval is wide, "
        "and an interval that crosses zero shows no difference.",
    ),
    "cmp_method": (
        "方法：每所项目学校与同省、在基线学年和最新学年都有数据、基线值相近（在校生数相差不超过20%，"
        "两项比率相差不超过5个百分点）的至多 {k} 所最接近的非项目县中配对；差值 = 项目学校平均变化 − "
        "配对学校平均变化；95%区间按两样本（韦尔奇）标准误与 t 分布计算。",
        "Method: each programme school is paired with up to {k} of the closest county high "
        "schools outside the programme in its province that hold values for its baseline and "
        "latest school year and started at a similar level (enrolment within 20%, the two "
        "rates within 5 percentage points); difference = the programme schools' mean change − "
        "the paired schools' mean change; the 95% interval from the two-sample (Welch) "
        "standard error and Student's t.",
    ),
    "cmp_simulated": (
        "模拟数据：参与比较的对照学校中 {n} 所为模拟数据（演示用，并非真实学校的成绩）。",
        "Simulated data: {n} of the comparison schools compared are simulated (for the demo, "
        "not the figures of real schools).",
    ),
    "cmp_simulated_outcomes": (
        "模拟数据：项目学校的成果数据中 {n} 条为模拟数据。",
        "Simulated data: {n} of the programme schools' outcome values are simulated.",
    ),
    "cmp_none": (
        "当前范围内没有可比较的学校：需要项目学校的基线与后续数值，以及同省的对照学校数据（可在数据导入页导入）。",
        "Nothing to compare in view: it needs programme schools with a baseline and a later "
        "value, and comparison schools of the same province (imported on the import page).",
    ),
    "cmp_table_heading": ("比较明细", "The figures"),
    "cmp_chart_title": (
        "双重差分及其95%区间（点为差值，横线为区间，虚线为零）",
        "Difference in differences with its 95% interval (point: difference; bar: interval; "
        "dashed line: zero)",
    ),
    "cmp_axis_did": ("差值（{unit}）", "Difference ({unit})"),
    "cmp_unit_students": ("人", "students"),
    "cmp_unit_points": ("百分点", "percentage points"),
    "cmp_hover": (
        "{area}：差值 {did} {unit}（95%区间 {low} 至 {high}）",
        "{area}: difference {did} {unit} (95% interval {low} to {high})",
    ),
    "cmp_line": (
        "{area} · {indicator}：差值 {did} {unit}（95%区间 {low} 至 {high}；项目学校 {n_p} 所，"
        "对照学校 {n_c} 所）",
        "{area} · {indicator}: difference {did} {unit} (95% interval {low} to {high}; "
        "{n_p} programme schools, {n_c} comparison schools)",
    ),
    "cmp_line_no_interval": (
        "{area} · {indicator}：差值 {did} {unit}（学校太少，无法给出区间；项目学校 {n_p} 所，对照学校 {n_c} 所）",
        "{area} · {indicator}: difference {did} {unit} (too few schools for an interval; "
        "{n_p} programme schools, {n_c} comparison schools)",
    ),
    "cmp_line_none": (
        "{area} · {indicator}：没有可配对的学校",
        "{area} · {indicator}: no school could be paired",
    ),
    "cmp_area_nation": ("全国", "Nationwide"),
    "cmp_area_all": ("当前范围合计", "All in view"),
    "cmp_no_interval": ("学校太少，无区间", "too few schools for an interval"),
    "cmp_no_match": ("无可配对学校", "no school could be paired"),
    "cmp_col_area": ("范围", "Area"),
    "cmp_col_indicator": ("指标", "Indicator"),
    "cmp_col_unit": ("单位", "Unit"),
    "cmp_col_n_programme": ("项目学校数", "Programme schools"),
    "cmp_col_n_comparison": ("对照学校数", "Comparison schools"),
    "cmp_col_n_unmatched": ("未配对项目学校数", "Programme schools not paired"),
    "cmp_col_baseline_programme": ("项目学校基线均值", "Programme baseline (mean)"),
    "cmp_col_baseline_comparison": ("对照学校基线均值", "Comparison baseline (mean)"),
    "cmp_col_change_programme": ("项目学校平均变化", "Programme change (mean)"),
    "cmp_col_change_comparison": ("对照学校平均变化", "Comparison change (mean)"),
    "cmp_col_did": ("双重差分", "Difference in differences"),
    "cmp_col_low": ("95%区间下限", "95% interval, low"),
    "cmp_col_high": ("95%区间上限", "95% interval, high"),
    "cmp_col_note": ("说明", "Note"),
    # ------------------------------------------------------------- the import kind
    "ingest_kind_comparison": (
        "对照学校成效指标（非项目县中）",
        "Comparison schools' outcomes (outside the programme)",
    ),
    "ingest_tpl_sheet_comparison": ("对照学校", "Comparison schools"),
    "ingest_tpl_file_comparison": (
        "导入模板_对照学校成效指标",
        "import_template_comparison_schools",
    ),
    "ingest_tpl_comparison_school": ("第二中学", "No. 2 High School"),
    "ingest_cmp_help": (
        "对照学校：同省、未参加托管帮扶的县中，用于成效记分卡上的双重差分比较。每行一所学校、一个学年、"
        "一个指标；新的学校按省份、县和校名在导入时登记，撤销导入时一并删除。",
        "Comparison schools: county high schools of the same province outside the programme, "
        "for the difference-in-differences comparison on the scorecard page. One row per "
        "school, school year and indicator; a new school is registered by province, county "
        "and name at import, and removed again when the import is undone.",
    ),
    "ingest_r_cmp_programme_school": (
        "这是托管帮扶项目学校，不能作为对照学校",
        "this is a programme school: it cannot be a comparison school",
    ),
    # ------------------------------------------------------------- the store's refusals
    "cmp_only_province": (
        "对照学校数据只能由省级管理员（本省）或教育部导入和撤销。",
        "Comparison schools' data are imported and undone by a province official (its own "
        "province) or the ministry only.",
    ),
    "cmp_out_of_scope": (
        "导入的对照学校不在您的权限范围内，未写入任何数据。",
        "The comparison schools imported lie outside your scope; nothing was written.",
    ),
    "cmp_is_programme_school": (
        "“{school}”是托管帮扶项目学校，不能作为对照学校，未写入任何数据。",
        "“{school}” is a programme school and cannot be a comparison school; nothing was written.",
    ),
}

LABELS: dict[str, tuple[str, str]] = {}
