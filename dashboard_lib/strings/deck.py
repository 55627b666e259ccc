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
