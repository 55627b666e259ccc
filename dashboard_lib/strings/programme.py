"""Interface strings of the programme feature: key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    # sidebar filters
    "prog_filter_prefecture": ("地市", "Prefecture"),
    "prog_filter_university": ("托管高校", "University"),
    "prog_filter_terms": ("学期范围", "Terms"),
    "prog_filter_kinds": ("帮扶方式", "Ways of working"),
    "prog_filter_provenance": ("数据来源类型", "Provenance"),
    "prog_filter_all": ("全部", "All"),
    "prog_prov_all": ("全部（含模拟）", "All (incl. simulated)"),
    "prog_prov_published": ("仅公开报道", "Published only"),
    "prog_prov_real": (
        "公开报道 + 导入、填报（不含模拟）",
        "Published + imported, entered (no simulated)",
    ),
    "prog_bad_filter": (
        "链接中有无法识别的筛选条件，已忽略。",
        "The link holds a filter value that is not recognised; it was ignored.",
    ),
    # shared
    "prog_download_csv": ("下载 CSV", "Download CSV"),
    "prog_download_xlsx": ("下载 Excel", "Download Excel"),
    "prog_chart_numbers": ("查看图表数据", "Show the numbers"),
    "prog_simulated_note": (
        "本页包含模拟数据（{n} 条活动记录、{p} 个项目为模拟生成，非真实数字）。",
        "This page includes SIMULATED data ({n} activity records and {p} "
        "projects are generated, not real figures).",
    ),
    "prog_no_projects": ("当前筛选条件下没有项目。", "No project matches the current filters."),
    "prog_open_dossier": ("档案", "Dossier"),
    "prog_term": ("学期", "Term"),
    "prog_kind": ("帮扶方式", "Way of working"),
    "prog_count": ("记录数", "Records"),
    "prog_people": ("人次", "People"),
    "prog_person_months": ("人月", "Person-months"),
    "prog_participants": ("参与人次", "Participants"),
    "prog_hours": ("学时", "Hours"),
    "prog_participant_hours": ("人·学时", "Participant-hours"),
    "prog_person_days": ("在县人天", "Person-days in county"),
    "prog_projects": ("项目数", "Projects"),
    "prog_project": ("项目", "Project"),
    "prog_region": ("区域", "Region"),
    "prog_subject": ("学科", "Subject"),
    "prog_role": ("岗位", "Role"),
    "prog_level": ("学生层次", "Level"),
    "prog_mode": ("形式", "Mode"),
    "prog_direction": ("方向", "Direction"),
    "prog_rank": ("排名", "Rank"),
    # progress page
    "prog_progress_title": ("项目进展", "Progress"),
    "prog_progress_caption": (
        "签约、备案、启动与截止时间对照；三年周期进度；各学期活动与预期对照；成效指标趋势。",
        "Milestones against deadlines, the 3-year cycle, activity per term "
        "against the expectation, outcome trends.",
    ),
    "prog_milestones": ("协议里程碑与截止时间", "Agreement milestones against deadlines"),
    "prog_deadlines": (
        "截止时间：签约 {signed}，备案 {filed}，启动 {launched}（仅知月份的日期按当月最后一天计）。",
        "Deadlines: signed {signed}, filed {filed}, launched {launched} (a date "
        "known only to the month counts as the month's last day).",
    ),
    "prog_late_list": ("逾期的里程碑", "Late milestones"),
    "prog_none_late": ("没有逾期的里程碑。", "No milestone is late."),
    "prog_deadline": ("截止日期", "Deadline"),
    "prog_done": ("完成日期", "Done"),
    "prog_status": ("状态", "Status"),
    "prog_days_late": ("逾期天数", "Days late"),
    "prog_milestone": ("里程碑", "Milestone"),
    "prog_cycle": ("三年周期进度", "Position in the 3-year cycle"),
    "prog_cycle_start": ("周期开始", "Cycle start"),
    "prog_cycle_end": ("周期结束", "Cycle end"),
    "prog_cycle_months": ("已进行（月）", "Months in"),
    "prog_cycle_share": ("进度", "Progress"),
    "prog_cycle_stage": ("阶段", "Stage"),
    "prog_activity_terms": ("各学期活动与预期", "Activity per term against the expectation"),
    "prog_expectation": (
        "预期：每个已结束的学期每个项目至少 {min} 条活动记录（当前筛选的帮扶方式），且至少派驻 {disp} 人。"
        "评估的学期：{terms}。",
        "Expectation: in every completed term each project records at least {min} "
        "activities (of the ways of working in the filter) and has at least {disp} "
        "dispatched person on site. Terms assessed: {terms}.",
    ),
    "prog_below": ("低于预期的项目比例", "Share of projects below the expectation"),
    "prog_attention": ("需要关注的项目", "Projects that need attention"),
    "prog_attention_none": ("所有项目均达到预期。", "Every project meets the expectation."),
    "prog_score": ("关注分值", "Score"),
    "prog_reasons": ("原因", "Reasons"),
    "prog_last_term": ("最近学期活动数", "Activities last term"),
    "prog_reason_low": (
        "{n}/{total} 个学期活动少于 {min} 条（{terms}）",
        "{n} of {total} terms below {min} activities ({terms})",
    ),
    "prog_reason_no_dispatch": (
        "{n} 个学期无派驻人员（{terms}）",
        "no dispatched staff in {n} terms ({terms})",
    ),
    "prog_reason_late": ("{kind}逾期 {days} 天", "{kind} {days} days late"),
    "prog_reason_overdue": ("{kind}未完成且已过截止日期", "{kind} not done, deadline passed"),
    "prog_outcomes": ("成效指标趋势（各项目平均）", "Outcome indicators (mean over projects)"),
    "prog_school_year": ("学年", "School year"),
    "prog_programme_start": ("项目启动 2022 秋", "Programme start, autumn 2022"),
    "prog_outcome_value": ("平均值", "Mean"),
    "prog_no_completed_terms": (
        "所选学期范围内没有已结束的学期。",
        "No completed term in the chosen range.",
    ),
    # exchanges page
    "prog_exchanges_title": ("教师交流", "Teacher exchanges"),
    "prog_exchanges_caption": (
        "派驻校长教师、到校指导、跟岗挂职、培训教研：高校 → 县中，县中 → 附属中学。",
        "Dispatched principals and teachers, guidance visits, shadowing, "
        "training: university → county, county → affiliated school.",
    ),
    "prog_kpi_dispatched": ("派驻人次", "People dispatched"),
    "prog_kpi_person_months": ("驻校人月", "Person-months on site"),
    "prog_kpi_visits": ("到校指导（次）", "Guidance visits"),
    "prog_kpi_visit_people": ("指导专家人次", "Visiting experts"),
    "prog_kpi_shadowing": ("跟岗挂职人次", "Staff shadowing"),
    "prog_kpi_trainings": ("培训教研（场）", "Training sessions"),
    "prog_kpi_training_people": ("培训参与人次", "Training participants"),
    "prog_kpi_training_hours_onsite": ("现场培训人·学时", "On-site participant-hours"),
    "prog_kpi_training_hours_online": ("线上培训人·学时", "Online participant-hours"),
    "prog_directions": (
        "双向交流：高校 → 县中，县中 → 附属中学（人次）",
        "Both directions: university → county, county → affiliated school (people)",
    ),
    "prog_timeline": ("各学期交流（人次）", "Exchanges per term (people)"),
    "prog_by_province": ("按省份", "By province"),
    "prog_by_university": ("按托管高校", "By university"),
    "prog_by_term": ("按学期", "By term"),
    "prog_dispatch_roles": ("派驻人员岗位", "Dispatched staff by role"),
    "prog_dispatch_subjects": ("派驻教师学科", "Dispatched teachers by subject"),
    "prog_training_modes": ("培训教研：现场与线上", "Training: on site and online"),
    "prog_ranking_universities": (
        "托管高校排名（驻校人月）",
        "Universities ranked by person-months on site",
    ),
    "prog_ranking_projects": ("项目排名（交流人次）", "Projects ranked by people exchanged"),
    # internships page
    "prog_internships_title": ("实习支教", "Internships and student teaching"),
    "prog_internships_caption": (
        "高校本科生、研究生到县中实习支教：层次、学科、学期，在县人天。",
        "University students teaching or interning in the county school: "
        "level, subject, term, person-days in the county.",
    ),
    "prog_kpi_students": ("实习支教学生（人次）", "Students (people)"),
    "prog_kpi_person_days": ("在县人天", "Person-days in county"),
    "prog_kpi_groups": ("派出批次", "Groups sent"),
    "prog_kpi_projects_with": ("有实习支教的项目", "Projects with students"),
    "prog_by_level_term": ("各学期学生人次（按层次）", "Students per term by level"),
    "prog_by_subject": ("按学科", "By subject"),
    "prog_by_project": ("按项目", "By project"),
    # dossier page
    "prog_dossier_title": ("项目档案", "Project dossier"),
    "prog_dossier_pick": ("选择项目", "Choose a project"),
    "prog_dossier_missing": (
        "该项目不存在，或不在您的权限和当前筛选范围内。",
        "That project does not exist or is outside your scope and the current filters.",
    ),
    "prog_dossier_bad_id": (
        "链接中的项目编号无效。",
        "The project number in the link is not valid.",
    ),
    "prog_pairing": ("结对关系", "Pairing"),
    "prog_agreement": ("三方协议", "The agreement"),
    "prog_activity_timeline": ("全部活动时间线", "Every activity on a time line"),
    "prog_activity_table": ("活动记录", "Activity records"),
    "prog_sources": ("数据来源与链接", "Provenance and source links"),
    "prog_no_sources": (
        "本项目暂无公开来源链接：显示的数据为模拟或导入数据。",
        "This project has no published source link yet: its data is simulated or imported.",
    ),
    "prog_affiliated": ("结对附属中学", "Affiliated school"),
    "prog_batch": ("批次", "Batch"),
    "prog_confidence": ("可信度", "Confidence"),
    "prog_capped": ("仅显示前 {n} 条记录。", "Only the first {n} records are shown."),
    "prog_start": ("开始", "Start"),
    "prog_end": ("结束", "End"),
    "prog_what": ("内容", "What"),
    "prog_source": ("来源", "Source"),
    "prog_note": ("备注", "Note"),
    "prog_value": ("数值", "Value"),
    "prog_indicator": ("指标", "Indicator"),
    "prog_reason_sep": ("；", "; "),  # between the reasons a project needs attention
}

# vocabulary values this feature names (read through programme.vlabel; prefixed so they
# never clash with another feature's LABELS)
STRINGS.update(
    {
        "prog_v_ms_signed": ("签约", "Signing"),
        "prog_v_ms_filed": ("备案", "Filing"),
        "prog_v_ms_launched": ("启动", "Launch"),
        "prog_v_ms_on_time": ("按期", "On time"),
        "prog_v_ms_late": ("逾期完成", "Late"),
        "prog_v_ms_overdue": ("逾期未完成", "Overdue"),
        "prog_v_ms_pending": ("未到期", "Pending"),
        "prog_v_ms_no_record": ("无记录", "No record"),
        "prog_v_cycle_year_1": ("第一年", "Year 1"),
        "prog_v_cycle_year_2": ("第二年", "Year 2"),
        "prog_v_cycle_year_3": ("第三年", "Year 3"),
        "prog_v_cycle_ended": ("周期已结束", "Cycle ended"),
        "prog_v_cycle_not_started": ("未开始", "Not started"),
        "prog_v_enrolment": ("在校生数", "Enrolment"),
        "prog_v_teacher_retention": ("骨干教师留任率（%）", "Teacher retention (%)"),
        "prog_v_admission_rate": ("本科上线率（%）", "University admission rate (%)"),
        "prog_v_undergraduate": ("本科生", "Undergraduate"),
        "prog_v_master": ("硕士生", "Master's"),
        "prog_v_doctoral": ("博士生", "Doctoral"),
        "prog_v_on_site": ("现场", "On site"),
        "prog_v_online": ("线上", "Online"),
        "prog_v_to_county": ("高校 → 县中", "University → county"),
        "prog_v_to_university": ("县中 → 附属中学", "County → affiliated school"),
        "prog_v_principal": ("校长", "Principal"),
        "prog_v_executive vice principal": ("执行校长", "Executive vice principal"),
        "prog_v_vice principal": ("副校长", "Vice principal"),
        "prog_v_subject teacher": ("学科教师", "Subject teacher"),
        "prog_v_head teacher": ("班主任", "Head teacher"),
        "prog_v_teacher": ("教师", "Teacher"),
        "prog_v_school leader": ("学校干部", "School leader"),
        "prog_v_student": ("学生", "Student"),
    }
)

# the needs-attention worklist (programme.attention) and how figures read (issue 13)
STRINGS.update(
    {
        "att_term_spring": ("{year}年春季学期", "Spring term {year}"),
        "att_term_autumn": ("{year}年秋季学期", "Autumn term {year}"),
        "att_reason_low": (
            "{term}：活动 {n} 条，期望 ≥ {min}",
            "{term}: {n} activities, expected ≥ {min}",
        ),
        "att_reason_no_dispatch": (
            "{term}：无派驻人员在岗，期望 ≥ {min} 人",
            "{term}: nobody dispatched on site, expected ≥ {min}",
        ),
        "att_reason_current_empty": (
            "{term}（进行中）：开学 {days} 天仍无活动记录",
            "{term} (in progress): no activity {days} days in",
        ),
        "att_reason_overdue": (
            "{term}：{kind}仍未完成，已过截止日期 {days} 天",
            "{term}: {kind} still not done, {days} days past its deadline",
        ),
        "att_reason_late": (
            "{term}：{kind}逾期 {days} 天才完成",
            "{term}: {kind} done {days} days late",
        ),
        "att_formula": (
            "关注分值 = 上一学期活动缺口 {w} ×（{min} − 活动数）/ {min}（全无活动计 {w}）"
            "＋ 上一学期无派驻人员在岗 {disp} ＋ 本学期开学 {weeks} 周后仍无活动 {cur}"
            "＋ 每个逾期未完成的里程碑 {overdue} ＋ 本学期或上学期逾期超过 {late_days} 天"
            "才完成的里程碑各 {late}；只看上一学期和本学期，按分值从高到低排列。",
            "Score = the last completed term's shortfall, {w} × ({min} − activities) / {min} "
            "(nothing at all scores {w}), + {disp} if nobody dispatched was on site that term, "
            "+ {cur} if the current term has no activity {weeks} weeks in, + {overdue} per "
            "milestone still open past its deadline, + {late} per milestone done more than "
            "{late_days} days late in these two terms; only the last completed and the current "
            "term count, highest score first.",
        ),
        "att_scope": (
            "上一学期：{last}；本学期：{current}。共 {n} 个项目需要关注（共 {total} 个项目）。",
            "Last completed term: {last}; current term: {current}. {n} of {total} projects "
            "need attention.",
        ),
        "att_no_current": ("不在筛选范围内", "outside the filter"),
        "att_show_all": ("显示全部 {n} 个", "Show all {n}"),
        "att_last_term": ("上一学期活动数", "Activities last term"),
        # axis titles with their units
        "prog_axis_projects": ("项目数（个）", "Projects"),
        "prog_axis_people": ("人次", "People (person-times)"),
        "prog_axis_share": ("项目比例（%）", "Share of projects (%)"),
        "prog_axis_term": ("学期", "Term"),
        "prog_axis_province": ("省份", "Province"),
        "prog_axis_subject": ("学科", "Subject"),
        "prog_axis_milestone": ("里程碑", "Milestone"),
        "prog_axis_stage": ("周期阶段", "Stage of the cycle"),
        "prog_axis_date": ("日期", "Date"),
        "prog_axis_with_unit": ("{label}（{unit}）", "{label} ({unit})"),
        "prog_unit_students": ("人", "students"),
        "prog_unit_percent": ("%", "%"),
        # dates as text and on chart axes (fmt.format_month, charts.date_axis: d3 time formats)
        "prog_fmt_month": ("{year}年{month}月", "{month} {year}"),
        "prog_tick_day": ("%Y-%m-%d", "%Y-%m-%d"),
        "prog_tick_month": ("%Y年%-m月", "%b %Y"),
        "prog_tick_year": ("%Y年", "%Y"),
        # plotly's own texts in Chinese (charts.plotly_config; English is plotly's own)
        "prog_plotly_months": ("1月,2月,3月,4月,5月,6月,7月,8月,9月,10月,11月,12月", "—"),
        "prog_plotly_days": ("周日,周一,周二,周三,周四,周五,周六", "—"),
        "prog_plotly_autoscale": ("自动缩放", "Autoscale"),
        "prog_plotly_box_select": ("框选", "Box Select"),
        "prog_plotly_lasso_select": ("套索选择", "Lasso Select"),
        "prog_plotly_pan": ("平移", "Pan"),
        "prog_plotly_reset_axes": ("重置坐标轴", "Reset axes"),
        "prog_plotly_zoom": ("缩放", "Zoom"),
        "prog_plotly_zoom_in": ("放大", "Zoom in"),
        "prog_plotly_zoom_out": ("缩小", "Zoom out"),
        "prog_plotly_spikes": ("显示或隐藏辅助线", "Toggle Spike Lines"),
        "prog_plotly_hover_closest": ("悬停显示最近的数据", "Show closest data on hover"),
        "prog_plotly_hover_compare": ("悬停比较数据", "Compare data on hover"),
        "prog_plotly_double_click": ("双击还原", "Double-click to zoom back out"),
        "prog_plotly_produced": ("由 Plotly.js 生成", "Produced with Plotly.js"),
        "prog_plotly_click_title": ("点击输入标题", "Click to enter a title"),
        "prog_v_manager and backbone teacher": (
            "管理人员和骨干教师",
            "Managers and backbone teachers",
        ),
    }
)

# confidence and source grades of published rows (dossier, data-sources page; issue 13)
STRINGS.update(
    {
        "prog_v_high": ("高", "High"),
        "prog_v_medium": ("中", "Medium"),
        "prog_source_grade": ("来源等级", "Source grade"),
        "prog_v_primary": ("一手来源", "Primary"),
        "prog_v_secondary": ("二手来源（转载）", "Secondary (re-post)"),
        "prog_dossier_outcomes": ("成效指标趋势（本项目）", "Outcome indicators (this project)"),
        "about_sources_heading": ("公开来源及其等级", "Published sources and their grades"),
        "about_sources_rule": (
            "来源等级按网址判断：政府、教育部门（gov.cn）和高校、学校（edu.cn）自己的网页为"
            "**一手来源**；新闻聚合、商业网站、短链接等转载为**二手来源**。"
            "一手来源 {primary} 个项目，仅有二手来源 {secondary} 个项目。",
            "A source's grade follows from its address: a government or education-bureau page "
            "(gov.cn) or a university's or school's own page (edu.cn) is **primary**; a news "
            "aggregator, a commercial site, a short link or another re-post is **secondary**. "
            "{primary} projects have a primary source, {secondary} only a secondary one.",
        ),
        "about_col_source": ("来源网页", "Source page"),
        "about_col_site": ("网站", "Site"),
        "about_list_sep": ("、", ", "),  # between the items of a list in a sentence
        "about_col_what": ("类别", "What"),
        "about_col_n": ("数量", "Count"),
        "about_v_project": ("项目", "Projects"),
        "about_v_activity": ("活动记录", "Activity records"),
        "about_col_projects": ("公开项目数", "Published projects"),
        "host_body": ("专业团体", "Professional body"),
        "deck_map_sub_body": (
            "{n} 个项目 · {u} 所托管高校 · {b} 个专业团体",
            "{n} projects · {u} host universities · {b} professional body",
        ),
        "about_hosts": (
            "托管高校 {universities} 所，帮扶 {university_schools} 所县中；另有专业团体 "
            "{bodies} 个（{body_names}），帮扶 {body_schools} 所县中，单独统计，不计入高校数。",
            "{universities} host universities guide {university_schools} county high schools; "
            "{bodies} professional body ({body_names}) guides {body_schools} more, counted apart "
            "and never as a university.",
        ),
    }
)

LABELS: dict[str, tuple[str, str]] = {
    # the subjects stored in activity rows (named through programme.vlabel / named)
    "语文": ("语文", "Chinese"),
    "数学": ("数学", "Mathematics"),
    "英语": ("英语", "English"),
    "物理": ("物理", "Physics"),
    "化学": ("化学", "Chemistry"),
    "生物": ("生物", "Biology"),
    "思想政治": ("思想政治", "Politics"),
    "历史": ("历史", "History"),
    "地理": ("地理", "Geography"),
    "信息技术": ("信息技术", "Information technology"),
}
