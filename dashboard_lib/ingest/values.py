"""Parsing one value as a person typed it: text normalised (full-width forms, spaces), dates in
the spellings spreadsheets produce, numbers with units, and the names of a choice (mode, level,
indicator) mapped to the canonical value the database stores.

No pandas, no file reading, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta

from ..exports import FORMULA_PREFIXES
from ..i18n import t
from ..vocab import LEVEL_LABEL_KEYS, MODE_LABEL_KEYS, OUTCOME_INDICATORS, Mode, StudentLevel


def norm_text(value) -> str:
    """NFKC (full-width digits, letters and spaces become ASCII), trimmed, inner runs collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    s = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    s = re.sub(r"\s+", " ", s).strip()
    # a cell the product's own files neutralised (exports.neutralise: an apostrophe before what
    # a spreadsheet would run as a formula) reads back as the text it was
    if s.startswith("'") and s[1:].startswith(FORMULA_PREFIXES):
        return s[1:]
    return s


def _key(text: str) -> str:
    return re.sub(r"[\s*＊:：]", "", norm_text(text)).lower()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(text: str) -> date | None:
    """2022-07-18, 2022/7/18, 2022.7.18, 2022年7月18日, 20220718 or an Excel serial number (a
    fraction is the time of day: 45478.5 is noon on 2024-07-05, read as that date)."""
    s = norm_text(text)
    if not s:
        return None
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    if re.fullmatch(r"\d{5}(\.\d+)?", s):  # Excel serial (1900 system): 44760 = 2022-07-18
        n = int(s.split(".")[0])
        if 20000 <= n <= 80000:
            return date(1899, 12, 30) + timedelta(days=n)
    return None


def parse_number(text: str) -> float | None:
    """'12', '１２', '1,200', '12.5', '12人' -> a number; None when it is not one."""
    s = norm_text(text).replace(",", "")
    s = re.sub(r"(人次|人月|小时|学时|人|个|次|%)$", "", s).strip()
    try:
        v = float(s)
    except ValueError:
        return None
    return v if v == v and abs(v) != float("inf") else None


def _lookup_name(text: str, table: Mapping[str, tuple[str, ...]]) -> str | None:
    k = _key(text)
    for canon, names in table.items():
        if k in {_key(n) for n in names}:
            return canon
    return None


# the accepted spellings of a choice, by the canonical value stored (the first is the Chinese name)
INDICATOR_NAMES: dict[str, tuple[str, ...]] = {
    "enrolment": ("在校生数", "在校生", "enrolment", "enrollment"),
    "teacher_retention": ("骨干教师留任率", "教师留任率", "teacher_retention", "teacherretention"),
    "admission_rate": ("本科上线率", "本科率", "admission_rate", "admissionrate"),
}
assert set(INDICATOR_NAMES) == set(OUTCOME_INDICATORS), "indicator names out of step with vocab"
# modes and levels: the product's own name first (``vocab.MODE_LABEL_KEYS``, one vocabulary: 现场,
# not 线下), in Chinese and English, then the other spellings a file may use
_MODE_ALIASES = {
    Mode.ON_SITE.value: ("线下", "到校", "on_site", "onsite", "on-site", "offline"),
    Mode.ONLINE.value: ("网络", "在线", "online"),
}
MODE_NAMES: dict[str, tuple[str, ...]] = {
    m: (t(MODE_LABEL_KEYS[m], "zh"), t(MODE_LABEL_KEYS[m], "en"), *_MODE_ALIASES[m])
    for m in (Mode.ON_SITE.value, Mode.ONLINE.value)
}
_LEVEL_ALIASES = {
    StudentLevel.UNDERGRADUATE.value: ("本科", "undergraduate"),
    StudentLevel.MASTER.value: ("硕士", "研究生", "master"),
    StudentLevel.DOCTORAL.value: ("博士", "doctoral", "phd"),
}
LEVEL_NAMES: dict[str, tuple[str, ...]] = {
    v: (t(LEVEL_LABEL_KEYS[v], "zh"), t(LEVEL_LABEL_KEYS[v], "en"), *_LEVEL_ALIASES[v])
    for v in LEVEL_LABEL_KEYS
}


def choice_names(table: Mapping[str, tuple[str, ...]]) -> str:
    """The Chinese names of a choice, for a refusal ("choose from: 现场、线上")."""
    return "、".join(names[0] for names in table.values())
