"""The columns of the files people make, per record kind: canonical fields with their Chinese and
English template headers and the other headers accepted for them, which fields each kind needs
and may have, the example row of each template, and the header lookup ``map_header``.

Pure data and lookups: no file reading, no database, no Streamlit.
"""

from __future__ import annotations

import re

from ..i18n import t
from ..vocab import RecordKind
from .values import _key, norm_text

# canonical field -> (Chinese template header, English header, other accepted headers)
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "seq": ("序号", "No.", ("no", "编号", "#", "number")),
    "university": (
        "托管高校",
        "University",
        ("高校", "帮扶高校", "托管单位", "大学", "hostuniversity", "host"),
    ),
    "province": ("省份", "Province", ("省", "省区市", "省(区、市)", "所在省份", "省(区市)")),
    "county": (
        "县",
        "County",
        ("县(市、区)", "县区", "所在县", "县(市区)", "县名", "县(市、区、旗)"),
    ),
    "school": (
        "帮扶县中",
        "School",
        (
            "县中",
            "学校",
            "学校名称",
            "被托管学校",
            "受援学校",
            "帮扶学校",
            "countyhighschool",
            "schoolname",
        ),
    ),
    # a project's cycle: 1 = the first agreement (the annex), 2 = its renewal, the second batch
    # (issue 16); the end and start of a later cycle are ``start_date``/``end_date``
    "cycle": (
        "周期",
        "Cycle",
        ("轮次", "批次", "帮扶周期", "周期序号", "托管周期", "batch", "cycleno", "round"),
    ),
    "signed_date": (
        "签约日期",
        "Signed date",
        ("协议签署日期", "签署日期", "signed", "signingdate"),
    ),
    "start_date": ("开始日期", "Start date", ("开始时间", "日期", "活动日期", "start", "date")),
    "end_date": ("结束日期", "End date", ("结束时间", "end")),
    "people": (
        "人数",
        "People",
        ("派出人数", "派驻人数", "人次", "学生人数", "persons", "headcount"),
    ),
    "person_months": ("人月", "Person-months", ("驻校人月", "personmonths")),
    "participants": ("参训人数", "Participants", ("参加人数", "培训人数")),
    "hours": ("学时", "Hours", ("时长", "时长(小时)", "小时")),
    "mode": ("形式", "Mode", ("方式", "线上线下", "线上/线下")),
    "role": ("身份", "Role", ("岗位", "职务", "派驻岗位")),
    "subject": ("学科", "Subject", ()),
    "level": ("学生层次", "Level", ("学段", "层次")),
    "note": ("备注", "Note", ("notes", "remarks", "说明")),
    "school_year": ("学年", "School year", ("年度", "year", "schoolyear")),
    "indicator": ("指标", "Indicator", ()),
    "value": ("数值", "Value", ("值",)),
}

# a cycle's number as people write it (the ``cycle`` column): 2, 第2轮, 第二期, 二 ...
CYCLE_WORDS: dict[str, int] = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
CYCLE_AFFIXES = ("周期", "第", "轮", "期", "批", "次", "cycle", "Cycle", "batch", "Batch")

_ACT_OPTIONAL = ("university", "province", "end_date", "role", "subject", "note", "seq")
KIND_FIELDS: dict[RecordKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind -> (required columns, optional columns)
    RecordKind.PROJECT: (
        ("university", "province", "county", "school"),
        ("seq", "cycle", "signed_date", "start_date", "end_date", "note"),
    ),
    RecordKind.DISPATCH: (("school", "start_date"), _ACT_OPTIONAL + ("people", "person_months")),
    RecordKind.GUIDANCE_VISIT: (("school", "start_date", "people"), _ACT_OPTIONAL),
    RecordKind.SHADOWING: (("school", "start_date", "people"), _ACT_OPTIONAL + ("person_months",)),
    RecordKind.TRAINING: (
        ("school", "start_date", "participants"),
        _ACT_OPTIONAL + ("hours", "mode"),
    ),
    RecordKind.INTERNSHIP: (
        ("school", "start_date", "people"),
        _ACT_OPTIONAL + ("level", "person_months"),
    ),
    RecordKind.OUTCOME: (
        ("school", "school_year", "indicator", "value"),
        ("university", "province", "seq", "note"),
    ),
    # a county high school outside the programme, named by province, county and school
    RecordKind.COMPARISON: (
        ("province", "county", "school", "school_year", "indicator", "value"),
        ("seq", "note"),
    ),
}


EXAMPLES: dict[RecordKind, dict[str, str]] = {
    RecordKind.PROJECT: {
        "seq": "1",
        "university": "北京大学",
        "province": "山西",
        "county": "垣曲县",
        "school": "垣曲县垣曲中学",
        "cycle": "1",
        "signed_date": "2022-07-18",
        "note": "",
    },
    RecordKind.DISPATCH: {
        "university": "北京大学",
        "province": "山西",
        "school": "垣曲县垣曲中学",
        "start_date": "2022-08-20",
        "end_date": "2023-07-10",
        "people": "1",
        "person_months": "",
        "role": "执行校长",
        "subject": "",
        "note": "",
    },
    RecordKind.GUIDANCE_VISIT: {
        "university": "北京大学",
        "province": "山西",
        "school": "垣曲县垣曲中学",
        "start_date": "2023-03-15",
        "end_date": "2023-03-17",
        "people": "6",
        "role": "教师",
        "subject": "数学",
        "note": "",
    },
    RecordKind.SHADOWING: {
        "university": "北京大学",
        "province": "山西",
        "school": "垣曲县垣曲中学",
        "start_date": "2023-04-01",
        "end_date": "2023-04-30",
        "people": "5",
        "person_months": "5",
        "role": "教师",
        "subject": "",
        "note": "",
    },
    RecordKind.TRAINING: {
        "university": "北京大学",
        "province": "山西",
        "school": "垣曲县垣曲中学",
        "start_date": "2023-05-12",
        "end_date": "2023-05-12",
        "participants": "80",
        "hours": "4",
        "mode": "线上",
        "role": "教师",
        "subject": "语文",
        "note": "",
    },
    RecordKind.INTERNSHIP: {
        "university": "北京大学",
        "province": "山西",
        "school": "垣曲县垣曲中学",
        "start_date": "2023-09-01",
        "end_date": "2024-01-15",
        "people": "8",
        "level": "硕士",
        "person_months": "",
        "role": "",
        "subject": "英语",
        "note": "",
    },
    RecordKind.OUTCOME: {
        "university": "北京大学",
        "province": "山西",
        "school": "垣曲县垣曲中学",
        "school_year": "2023",
        "indicator": "本科上线率",
        "value": "45.5",
        "note": "",
    },
    RecordKind.COMPARISON: {
        "province": "山西",
        "county": "闻喜县",
        "school": "闻喜县第二中学",
        "school_year": "2023",
        "indicator": "本科上线率",
        "value": "41.0",
        "note": "",
    },
}


def template_columns(kind: RecordKind) -> list[str]:
    req, opt = KIND_FIELDS[kind]
    order = list(EXAMPLES[kind])
    return [c for c in order if c in req or c in opt]


def _header_key(text: str) -> str:
    k = _key(text)
    return re.sub(r"\((必填|选填|可选|required|optional)\)$", "", k)


_HEADER_INDEX: dict[str, str] = {}
for _f, (_zh, _en, _alts) in FIELDS.items():
    for _h in (_zh, _en, _f, *_alts):
        _HEADER_INDEX.setdefault(_header_key(_h), _f)


def map_header(text) -> str | None:
    return _HEADER_INDEX.get(_header_key(norm_text(text)))


# a kind's own header for a field (both are read back: each is the field's header or an alias)
KIND_LABELS: dict[RecordKind, dict[str, tuple[str, str]]] = {
    RecordKind.COMPARISON: {"school": ("学校名称", "School name")},  # not a 帮扶县中
}


def field_label(f: str, lang: str = "zh", kind: RecordKind | None = None) -> str:
    own = KIND_LABELS.get(kind, {}).get(f) if kind is not None else None
    if own is not None:
        return own[0] if lang == "zh" else own[1]
    return FIELDS[f][0] if lang == "zh" else FIELDS[f][1]


def data_sheet_name(kind: RecordKind, lang: str = "zh") -> str:
    """The name of a template's data sheet (the reader reads the sheet of this name)."""
    return t(f"ingest_tpl_sheet_{RecordKind(kind).value}", lang)


def data_sheet_names() -> frozenset[str]:
    """Every template data sheet's name, in both languages (``read`` picks such a sheet)."""
    return frozenset(data_sheet_name(k, lang) for k in RecordKind for lang in ("zh", "en"))
