"""Reading and checking the files people make: the official annex, activity reports, outcomes.

No SQL and no Streamlit here. ``read_table`` turns the bytes of a CSV (UTF-8, UTF-8-BOM,
GBK/GB18030) or xlsx file into a table of strings with the row numbers the user sees in the file;
``validate`` checks every row against the reference data and the viewer's scope and returns a
``Preview``: the accepted rows, ready for ``Store.import_commit``, and the rejected rows with row
number, column, value and a reason that ``i18n`` renders in Chinese or English.

Policy decisions (see the import page's help text too):
- a project in the file with the same school name and county as a *simulated* project replaces it
  (the project keeps its id; its simulated milestones, activity and outcomes are shelved, and
  undo puts everything back); the same as a published or imported project is a duplicate;
- an activity is identified by (project, kind, start, end, role, subject, level, people,
  participants); an outcome by (project, school year, indicator): a row matching an existing one
  is a duplicate and is rejected with that reason (so re-importing never adds anything);
- start dates may not lie in the future or before 2020; end dates may lie up to four years after
  the start (a dispatch planned to the end of its cycle).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

import pandas as pd

from . import geo
from .scope import Viewer
from .vocab import (
    CORPS_ADCODE,
    DIRECTION_BY_KIND,
    OUTCOME_INDICATORS,
    XINJIANG_ADCODE,
    ActivityKind,
)

# ---- file limits: everything one uploaded file may cost, in one place (the import page states
# them through ``limit_values``). Each is checked before the work it bounds, never after.
MAX_BYTES = 20 * 1024 * 1024  # the file as uploaded
MAX_ROWS = 200_000  # data rows; reading stops at the first one beyond (not trusting
# an xlsx's <dimension>)
MAX_COLUMNS = 100  # a value right of column CV refuses the file
MAX_CELL_CHARS = 2_000  # characters in one cell of a data column
MAX_XLSX_EXPANDED = 250 * 2**20  # all parts of an xlsx uncompressed (a 200,000-row, 11-column
# sheet written by pandas/openpyxl is about 170 MB)
MAX_XLSX_PART = 32 * 2**20  # one part openpyxl loads whole (shared strings, styles, …);
# worksheets are streamed and only bound by the total
MAX_XLSX_RATIO = 100  # uncompressed / compressed size of a part above 1 MB (real
# sheets: 15–20; shared strings: 3–8)
MAX_XLSX_PARTS = 1_000  # entries in the zip (a workbook has 10–50)
HEADER_ROWS = 15  # the header is looked for in the first 15 rows
EARLIEST = date(2020, 1, 1)  # an activity date before this is a typing error
MAX_SPAN_DAYS = 4 * 366  # end at most four years after start

_log = logging.getLogger(__name__)


class RecordKind(str, Enum):
    PROJECT = "project"
    DISPATCH = ActivityKind.DISPATCH.value
    GUIDANCE_VISIT = ActivityKind.GUIDANCE_VISIT.value
    SHADOWING = ActivityKind.SHADOWING.value
    TRAINING = ActivityKind.TRAINING.value
    INTERNSHIP = ActivityKind.INTERNSHIP.value
    OUTCOME = "outcome"

    @property
    def is_activity(self) -> bool:
        return self.value in {k.value for k in ActivityKind}


class IngestError(ValueError):
    """A whole file cannot be read: ``key`` names an i18n string, ``values`` fill it in."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values


# ---------------------------------------------------------------------------- columns
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

_ACT_OPTIONAL = ("university", "province", "end_date", "role", "subject", "note", "seq")
KIND_FIELDS: dict[RecordKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind -> (required columns, optional columns)
    RecordKind.PROJECT: (
        ("university", "province", "county", "school"),
        ("seq", "signed_date", "note"),
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
}

# plausible ranges of the counts (beyond them a row is "absurd")
RANGES = {
    "people": (1, 2000),
    "participants": (1, 20000),
    "hours": (0.5, 2000),
    "person_months": (0, 24000),
}
OUTCOME_RANGES = {
    "enrolment": (0, 30000),
    "teacher_retention": (0, 100),
    "admission_rate": (0, 100),
}
INDICATOR_NAMES = {
    "enrolment": ("在校生数", "在校生", "enrolment", "enrollment"),
    "teacher_retention": ("骨干教师留任率", "教师留任率", "teacher_retention", "teacherretention"),
    "admission_rate": ("本科上线率", "本科率", "admission_rate", "admissionrate"),
}
assert set(INDICATOR_NAMES) == set(OUTCOME_INDICATORS), "indicator names out of step with vocab"
MODE_NAMES = {
    "online": ("线上", "网络", "在线", "online"),
    "on_site": ("线下", "现场", "到校", "on_site", "onsite", "on-site", "offline"),
}
LEVEL_NAMES = {
    "undergraduate": ("本科", "本科生", "undergraduate"),
    "master": ("硕士", "硕士生", "研究生", "master"),
    "doctoral": ("博士", "博士生", "doctoral", "phd"),
}

EXAMPLES: dict[RecordKind, dict[str, str]] = {
    RecordKind.PROJECT: {
        "seq": "1",
        "university": "北京大学",
        "province": "山西",
        "county": "垣曲县",
        "school": "垣曲县垣曲中学",
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
}


def template_columns(kind: RecordKind) -> list[str]:
    req, opt = KIND_FIELDS[kind]
    order = list(EXAMPLES[kind])
    return [c for c in order if c in req or c in opt]


def template_frame(kind: RecordKind, lang: str = "zh") -> pd.DataFrame:
    """A one-row template: headers in the user's language, an example row."""
    cols = template_columns(kind)
    heads = [FIELDS[c][0] if lang == "zh" else FIELDS[c][1] for c in cols]
    return pd.DataFrame([[EXAMPLES[kind][c] for c in cols]], columns=heads)


def template_csv(kind: RecordKind, lang: str = "zh") -> bytes:
    return template_frame(kind, lang).to_csv(index=False).encode("utf-8-sig")


def template_xlsx(kind: RecordKind, lang: str = "zh") -> bytes:
    buf = io.BytesIO()
    template_frame(kind, lang).to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()


# ---------------------------------------------------------------------------- text helpers
def norm_text(value) -> str:
    """NFKC (full-width digits, letters and spaces become ASCII), trimmed, inner runs collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    s = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    return re.sub(r"\s+", " ", s).strip()


def _key(text: str) -> str:
    return re.sub(r"[\s*＊:：]", "", norm_text(text)).lower()


def _header_key(text: str) -> str:
    k = _key(text)
    return re.sub(r"\((必填|选填|可选|required|optional)\)$", "", k)


_HEADER_INDEX: dict[str, str] = {}
for _f, (_zh, _en, _alts) in FIELDS.items():
    for _h in (_zh, _en, _f, *_alts):
        _HEADER_INDEX.setdefault(_header_key(_h), _f)


def map_header(text) -> str | None:
    return _HEADER_INDEX.get(_header_key(norm_text(text)))


# ---------------------------------------------------------------------------- reading files
@dataclass
class RawTable:
    """Cells as strings, columns named by canonical field; ``rows`` are the file's row numbers."""

    frame: pd.DataFrame
    rows: list[int]
    header_row: int
    ignored_columns: list[str] = field(default_factory=list)
    shown: list[dict] = field(default_factory=list)  # accepted rows as the user wrote them (capped)


def limit_values() -> dict:
    """The file limits as the import page states them (string ``ingest_limits``)."""
    return {
        "mb": MAX_BYTES // 2**20,
        "rows": f"{MAX_ROWS:,}",
        "cols": MAX_COLUMNS,
        "chars": f"{MAX_CELL_CHARS:,}",
        "expanded": MAX_XLSX_EXPANDED // 2**20,
    }


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_csv(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text": UTF-16 with a BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError("ingest_err_encoding") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise IngestError("ingest_err_encoding")


def column_letter(j: int) -> str:
    """The spreadsheet name of the 0-based column ``j``: 0 -> A, 26 -> AA."""
    out, n = "", j + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return norm_text(v)
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, datetime):
        if (v.hour, v.minute, v.second) == (0, 0, 0):
            return v.date().isoformat()
        return v.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return norm_text(v)


# control characters a person cannot have meant (tab, line feed and carriage return are text)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _cell_error(
    key: str, rownum: int, j: int, header: list[str] | None = None, **values
) -> IngestError:
    """A refusal naming the cell: row, column letter and, when known, the column's header."""
    head = (header[j] if header and j < len(header) else "")[:40]
    return IngestError(
        key,
        row=rownum,
        col=column_letter(j),
        head=f"（{head}）" if head else "",
        head_en=f' ("{head}")' if head else "",
        **values,
    )


def _data_cell(v, cache: dict, rownum: int, j: int, header: list[str]) -> str:
    """A data cell as text, refused when too long or holding a control character; each distinct
    string is checked and normalised once (``cache``)."""
    if not isinstance(v, str):
        return _cell_text(v)
    out = cache.get(v)
    if out is not None:
        return out
    if len(v) > MAX_CELL_CHARS:
        raise _cell_error(
            "ingest_err_cell_too_long",
            rownum,
            j,
            header,
            n=f"{len(v):,}",
            limit=f"{MAX_CELL_CHARS:,}",
        )
    bad = _CONTROL.search(v)
    if bad:
        raise _cell_error(
            "ingest_err_control_char", rownum, j, header, code=f"U+{ord(bad.group()):04X}"
        )
    out = norm_text(v)
    if len(cache) < 100_000:
        cache[v] = out
    return out


def _too_many_columns(rownum: int, j: int) -> IngestError:
    return IngestError(
        "ingest_err_too_many_columns", row=rownum, col=column_letter(j), limit=MAX_COLUMNS
    )


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f}"


def _xlsx_package(data: bytes):
    """The xlsx as a ``zipfile.ZipFile`` once its parts' sizes (as the zip states them; zipfile
    never inflates a part beyond its stated size) are within the limits: checked before openpyxl
    reads anything, so a zip bomb costs nothing."""
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # BadZipFile, and whatever a truncated central directory raises
        raise IngestError("ingest_err_unreadable") from exc
    if len(infos) > MAX_XLSX_PARTS:
        raise IngestError("ingest_err_xlsx_parts", n=f"{len(infos):,}", limit=f"{MAX_XLSX_PARTS:,}")
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_EXPANDED:
        raise IngestError(
            "ingest_err_xlsx_expanded", size=_mb(total), limit=MAX_XLSX_EXPANDED // 2**20
        )
    for i in infos:
        streamed = i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")
        if not streamed and i.file_size > MAX_XLSX_PART:
            raise IngestError(
                "ingest_err_xlsx_part",
                part=i.filename,
                size=_mb(i.file_size),
                limit=MAX_XLSX_PART // 2**20,
            )
        if i.file_size > 2**20 and i.file_size > MAX_XLSX_RATIO * max(1, i.compress_size):
            raise IngestError(
                "ingest_err_xlsx_ratio",
                part=i.filename,
                ratio=f"{i.file_size // max(1, i.compress_size):,}",
                limit=MAX_XLSX_RATIO,
            )
    if "[Content_Types].xml" not in {i.filename for i in infos}:
        raise IngestError("ingest_err_unreadable")  # a zip, but not an Office file
    return zf


_MERGE_CELL = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"'
)


def _merged_ranges(zf, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet as (min_row, min_col, max_row, max_col), columns clipped to
    ``MAX_COLUMNS``: the read-only mode of openpyxl does not report them. The sheet's XML is
    scanned in 1 MB pieces (never held whole); their filled area is bounded."""
    from openpyxl.utils.cell import column_index_from_string

    out, area, tail = [], 0, b""
    with zf.open(sheet_path.lstrip("/")) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            buf = tail + chunk
            cut = buf.rfind(b"<")
            cut = cut if cut >= len(buf) - 1024 else len(buf)  # keep an unfinished tag for later
            scan, tail = buf[:cut], buf[cut:]
            if b"mergeCell" not in scan:
                continue
            for m in _MERGE_CELL.finditer(scan):
                c1, r1 = column_index_from_string(m.group(1).decode().upper()), int(m.group(2))
                c2 = column_index_from_string(m.group(3).decode().upper()) if m.group(3) else c1
                r2 = int(m.group(4)) if m.group(4) else r1
                r1, r2, c1, c2 = (
                    min(r1, r2),
                    max(r1, r2),
                    min(c1, c2),
                    min(max(c1, c2), MAX_COLUMNS),
                )
                if c1 > MAX_COLUMNS:
                    continue
                area += (r2 - r1 + 1) * (c2 - c1 + 1)
                if area > 10 * MAX_ROWS:
                    raise IngestError("ingest_err_merged", limit=f"{10 * MAX_ROWS:,}")
                out.append((r1, c1, r2, c2))
    return out


def _sheet_parser(src, ws, wb):
    """openpyxl's worksheet parser, with inline strings (what pandas and openpyxl write) read
    directly instead of through openpyxl's descriptor classes, which took half the time."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    t_tag, r_tag, is_tag = (f"{{{SHEET_MAIN_NS}}}{x}" for x in ("t", "r", "is"))

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            if element.get("t") != "inlineStr":
                return super().parse_cell(element)
            coordinate = element.get("r")
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            value = None
            child = element.find(is_tag)
            if child is not None:  # plain <t>, or rich-text runs <r><t>; phonetic runs are skipped
                value = "".join(
                    [
                        (x.text or "") if x.tag == t_tag else (x.findtext(t_tag) or "")
                        for x in child
                        if x.tag == t_tag or x.tag == r_tag
                    ]
                )
            return {"row": row, "column": column, "value": value, "data_type": "s", "style_id": 0}

    return Parser(
        src,
        ws._shared_strings,
        data_only=True,
        epoch=wb.epoch,
        date_formats=wb._date_formats,
        timedelta_formats=wb._timedelta_formats,
    )


class _XlsxRows:
    """The first worksheet's non-blank rows as (row number, raw values), streamed: nothing is
    read until iterated, reading stops when the consumer stops, a value right of
    ``MAX_COLUMNS`` refuses the file, and merged ranges carry their top-left value."""

    def __init__(self, data: bytes):
        import openpyxl  # local import: only the import path needs it

        zf = _xlsx_package(data)  # before openpyxl sees the file
        try:
            self.wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            self.ws = self.wb.worksheets[0]
            self.merged = _merged_ranges(zf, self.ws._worksheet_path)
        except IngestError:
            raise
        except Exception as exc:  # zipfile / xml / openpyxl raise many types for a broken file
            raise IngestError("ingest_err_unreadable") from exc

    def __iter__(self):
        wb, ws = self.wb, self.ws
        merges = sorted(self.merged)
        active: list[tuple[int, int, int, int]] = []
        tops: dict[tuple[int, int], object] = {}
        k, rownum = 0, 0
        try:
            with ws._get_source() as src:
                parser = _sheet_parser(src, ws, wb)
                for rownum, cells in parser.parse():  # rows as written: <dimension> is not used
                    vals: list = []
                    for c in cells:
                        v = c["value"]
                        if v is None or v == "":
                            continue
                        j = c["column"] - 1
                        if j >= MAX_COLUMNS:
                            raise _too_many_columns(rownum, j)
                        if j >= len(vals):
                            vals.extend([None] * (j + 1 - len(vals)))
                        vals[j] = v
                    if merges:
                        while k < len(merges) and merges[k][0] <= rownum:
                            active.append(merges[k])
                            k += 1
                        active = [m for m in active if m[2] >= rownum]
                        for r1, c1, _r2, c2 in active:
                            if rownum == r1:
                                tops[r1, c1] = vals[c1 - 1] if c1 - 1 < len(vals) else None
                            top = tops.get((r1, c1))
                            if len(vals) < c2:
                                vals.extend([None] * (c2 - len(vals)))
                            vals[c1 - 1 : c2] = [top] * (c2 - c1 + 1)
                    if any(v is not None and v != "" for v in vals):
                        yield rownum, vals
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError("ingest_err_unreadable_at", row=rownum + 1) from exc
        finally:
            wb.close()


# a field may be as long as the file (the cell limit names the row and column instead of
# csv's own "field larger than field limit (131072)"); process-wide, and only ever raised
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES + 1))


class _CsvRows:
    """A CSV file's non-blank records as (record number, raw strings), streamed. CR, LF and
    CRLF line endings (mixed too) all end a record; quoted fields may hold line breaks."""

    merged: list = []

    def __init__(self, data: bytes):
        self.text = decode_csv(data)
        sample = self.text[:4096].replace("\r\n", "\n").replace("\r", "\n")
        try:
            self.dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            self.dialect = csv.excel

    def __iter__(self):
        n = 0
        try:
            for row in csv.reader(io.StringIO(self.text, newline=""), self.dialect):
                n += 1
                if len(row) > MAX_COLUMNS:
                    for j in range(MAX_COLUMNS, len(row)):
                        if row[j].strip():
                            raise _too_many_columns(n, j)
                    del row[MAX_COLUMNS:]
                if any(c.strip() for c in row):
                    yield n, row
        except csv.Error as exc:
            raise IngestError("ingest_err_csv_syntax", row=n + 1) from exc


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any encrypted Office file
_XLSX_EXT = ("xlsx", "xlsm", "xltx", "xltm")
_CSV_EXT = ("csv", "txt", "tsv", "")


def file_format(data: bytes, file_name: str) -> str:
    """'xlsx' or 'csv', from the content first and then the name; a refusal in the user's
    language for anything else (.xls, encrypted workbooks, .ods, .et, …)."""
    name = (file_name or "").strip().lower()
    ext = name.rsplit(".", 1)[1] if "." in name else ""
    if data[:8] == _OLE2_MAGIC:
        raise IngestError("ingest_err_xls")
    if data[:4] in _ZIP_MAGIC:
        if ext in _XLSX_EXT or ext in _CSV_EXT:
            return "xlsx"
        raise IngestError("ingest_err_type", ext="." + ext)
    if ext in _XLSX_EXT:
        raise IngestError("ingest_err_unreadable")
    if ext in _CSV_EXT:
        return "csv"
    raise IngestError("ingest_err_type", ext="." + ext)


def _same_merge(merged, rownum: int, j1: int, j2: int) -> bool:
    """Columns j1 and j2 (0-based) of row ``rownum`` lie in one merged range."""
    return any(
        r1 <= rownum <= r2 and c1 <= j1 + 1 <= c2 and c1 <= j2 + 1 <= c2
        for r1, c1, r2, c2 in merged
    )


def read_table(data: bytes, file_name: str) -> RawTable:
    """Read a CSV or xlsx file: find the header row (a title row above it is fine), map the
    headers, drop blank rows, keep the row numbers as the user sees them (1 = first line).
    Every limit is checked as early as it can be (see the file limits at the top)."""
    if len(data) > MAX_BYTES:
        raise IngestError(
            "ingest_err_too_big", size=round(len(data) / 2**20, 1), limit=MAX_BYTES // 2**20
        )
    if not data:
        raise IngestError("ingest_err_empty")
    rows = _XlsxRows(data) if file_format(data, file_name) == "xlsx" else _CsvRows(data)
    it = iter(rows)
    head: list[tuple[int, list]] = []
    after_head = None
    for rownum, raw in it:
        if rownum > HEADER_ROWS:
            after_head = (rownum, raw)
            break
        head.append((rownum, raw))
    texts = [[_cell_text(v) for v in raw] for _, raw in head]
    header_at, best = -1, 0
    for i, row in enumerate(texts):
        hits = len({map_header(c) for c in row if c and map_header(c)})
        if hits > best:
            header_at, best = i, hits
    if best < 2:
        raise IngestError("ingest_err_no_header")
    header_row, header = head[header_at][0], texts[header_at]
    cols: dict[int, str] = {}
    first: dict[str, int] = {}
    ignored: list[str] = []
    for j, h in enumerate(header):
        f = map_header(h)
        if f and f in first:
            if _same_merge(rows.merged, header_row, first[f], j):
                continue  # one header merged across columns
            raise IngestError(
                "ingest_err_dup_column",
                row=header_row,
                col=column_letter(j),
                header=h[:40],
                first=column_letter(first[f]),
                first_header=header[first[f]][:40],
                field=FIELDS[f][0],
                field_en=FIELDS[f][1],
            )
        if f:
            cols[j] = f
            first[f] = j
        elif h:
            ignored.append(h)
    idx, names = list(cols), list(cols.values())
    header_vals = [header[j] for j in idx]
    cache: dict[str, str] = {}
    records: list[list[str]] = []
    rownums: list[int] = []

    def data_rows():
        yield from head[header_at + 1 :]
        if after_head is not None:
            yield after_head
        yield from it

    for rownum, raw in data_rows():
        n = len(raw)
        vals = [_data_cell(raw[j], cache, rownum, j, header) if j < n else "" for j in idx]
        if not any(vals):
            continue  # blank in the columns read
        if vals == header_vals:
            continue  # the header repeated (e.g. on every printed page)
        records.append(vals)
        rownums.append(rownum)
        if len(records) > MAX_ROWS:  # stop reading here: the rest of the file is never parsed
            raise IngestError("ingest_err_too_many_rows", row=rownum, limit=f"{MAX_ROWS:,}")
    frame = pd.DataFrame(records, columns=names) if records else pd.DataFrame(columns=names)
    return RawTable(frame.fillna(""), rownums, header_row, ignored)


# ---------------------------------------------------------------------------- values
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


def _lookup_name(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    k = _key(text)
    for canon, names in table.items():
        if k in {_key(n) for n in names}:
            return canon
    return None


# ---------------------------------------------------------------------------- reference
@dataclass
class Reference:
    """What validation needs from the database (read by ``Store.ingest_reference``)."""

    provinces: pd.DataFrame  # adcode, name_zh, short_zh, name_en
    counties: pd.DataFrame  # adcode, name_zh, province_adcode, prefecture_zh
    universities: pd.DataFrame  # university_id, name_zh, name_en
    projects: pd.DataFrame  # projects in scope: project_id, school_zh, county_adcode, province_adcode, university_id, provenance
    existing_keys: set = field(default_factory=set)  # natural keys of existing rows of this kind
    today: date = field(default_factory=date.today)
    outside: pd.DataFrame | None = (
        None  # school_zh, county_adcode of the projects OUTSIDE the scope
    )
    # (project imports only: such a school may not be imported)

    def __post_init__(self):
        self._prov: dict[str, int] = {}
        for r in self.provinces.itertuples():
            for n in (r.name_zh, r.short_zh, r.name_en):
                self._prov[_key(n)] = int(r.adcode)
            self._prov[_key(str(r.adcode))] = int(r.adcode)
        for alias in (
            "兵团",
            "新疆兵团",
            "建设兵团",
            "xpcc",
            "corps",
            "thecorps",
            "新疆生产建设兵团",
        ):
            self._prov[_key(alias)] = CORPS_ADCODE
        self._prov[_key("新疆")] = XINJIANG_ADCODE
        self._uni: dict[str, int] = {}
        for r in self.universities.itertuples():
            self._uni[_key(r.name_zh)] = int(r.university_id)
            if isinstance(r.name_en, str) and r.name_en:
                self._uni[_key(r.name_en)] = int(r.university_id)
        self._uni_names = {int(r.university_id): r.name_zh for r in self.universities.itertuples()}
        self._county_ok = set(int(a) for a in self.counties["adcode"])
        self._county_name = {
            int(a): n for a, n in zip(self.counties["adcode"], self.counties["name_zh"])
        }
        self._county_pref = {
            int(a): p for a, p in zip(self.counties["adcode"], self.counties["prefecture_zh"])
        }
        self._schools: dict[str, list[int]] = {}
        for r in self.projects.itertuples():
            self._schools.setdefault(_key(r.school_zh), []).append(int(r.project_id))
        self._proj = {int(r.project_id): r for r in self.projects.itertuples()}
        self._by_school_county = {
            (_key(r.school_zh), int(r.county_adcode)): int(r.project_id)
            for r in self.projects.itertuples()
        }
        self._county_prov = {
            int(a): int(p)
            for a, p in zip(self.counties["adcode"], self.counties["province_adcode"])
        }
        out = (
            self.outside
            if self.outside is not None
            else pd.DataFrame(columns=["school_zh", "county_adcode"])
        )
        self._outside = {(_key(s), int(c)) for s, c in zip(out["school_zh"], out["county_adcode"])}

    def project_in_scope(self, pid: int, viewer: Viewer) -> bool:
        """Project ``pid`` is one of the reference's projects and inside ``viewer``'s scope."""
        p = self._proj.get(int(pid))
        return p is not None and not _scope_problem(
            viewer, int(p.province_adcode), int(p.university_id)
        )

    def province(self, text: str) -> int | None:
        return self._prov.get(_key(text))

    def province_candidates(self, text: str) -> list[str]:
        names = list(self.provinces["name_zh"])
        return difflib.get_close_matches(norm_text(text), names, n=3, cutoff=0.3)

    def university(self, text: str) -> int | None:
        return self._uni.get(_key(text))

    def university_candidates(self, text: str) -> list[str]:
        return difflib.get_close_matches(
            norm_text(text), list(self._uni_names.values()), n=3, cutoff=0.4
        )

    def county(self, text: str, province: int) -> tuple[list[int], list[str]]:
        """(matching adcodes present in the database, closest names when there is no single match)."""
        s = norm_text(text)
        if re.fullmatch(r"\d{6}", s):
            code = geo.current_adcode(int(s))
            found = [code] if code in self._county_ok and geo._province_of(code) == province else []
        else:
            try:
                found = sorted({geo.current_adcode(a) for a in geo.resolve_county(s, province)})
            except geo.GeoDataError:
                found = []
            if not found:  # the database may know counties the reference file does not
                found = sorted(
                    a
                    for a, n in self._county_name.items()
                    if n == s and geo._province_of(a) == province
                )
            found = [a for a in found if a in self._county_ok]
        if len(found) == 1:
            return found, []
        pool = {n: a for a, n in self._county_name.items() if geo._province_of(a) == province}
        if found:
            return found, [self._county_name[a] for a in found]
        return [], difflib.get_close_matches(s, list(pool), n=3, cutoff=0.3)

    def project_for_school(
        self, school: str, university: int | None
    ) -> tuple[list[int], list[str]]:
        ids = self._schools.get(_key(school), [])
        if university is not None and len(ids) > 1:
            ids = [i for i in ids if int(self._proj[i].university_id) == university] or ids
        if ids:
            return ids, []
        names = [r.school_zh for r in self._proj.values()]
        return [], difflib.get_close_matches(norm_text(school), names, n=3, cutoff=0.4)


# ---------------------------------------------------------------------------- validation
@dataclass(frozen=True)
class Problem:
    row: int  # as the user sees it in the file
    column: str  # canonical field ('' = whole row)
    value: str
    reason: str  # i18n key (ingest_r_*)
    detail: str = ""  # candidates, the other row, ...


@dataclass
class Preview:
    kind: RecordKind
    accepted: pd.DataFrame  # rows ready for the store, with ``row`` (file row number)
    problems: list[Problem]
    total_rows: int
    replaces: list[int] = field(default_factory=list)  # simulated projects the import replaces
    ignored_columns: list[str] = field(default_factory=list)
    shown: list[dict] = field(default_factory=list)  # accepted rows as the user wrote them (capped)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def n_accepted(self) -> int:
        return len(self.accepted)

    @property
    def n_rejected(self) -> int:
        return len(self.rejected_rows)


def activity_key(project_id, kind, start, end, role, subject, level, people, participants) -> tuple:
    def n(v):
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
            return None
        return v

    def d(v):
        v = n(v)
        return None if v is None else pd.Timestamp(v).date()

    def i(v):
        v = n(v)
        return None if v is None else int(v)

    return (
        int(project_id),
        str(kind),
        d(start),
        d(end),
        n(role) or "",
        n(subject) or "",
        n(level) or "",
        i(people),
        i(participants),
    )


def _scope_problem(viewer: Viewer, province: int | None, university: int | None) -> bool:
    if province is not None and viewer.provinces is not None and province not in viewer.provinces:
        return True
    if (
        university is not None
        and viewer.universities is not None
        and university not in viewer.universities
    ):
        return True
    return False


def validate(
    kind: RecordKind, table: RawTable, ref: Reference, viewer: Viewer, progress=None
) -> Preview:
    """Check every row; a row with any problem is rejected as a whole (all its problems listed)."""
    kind = RecordKind(kind)
    req, opt = KIND_FIELDS[kind]
    missing = [c for c in req if c not in table.frame.columns]
    if missing:
        raise IngestError(
            "ingest_err_missing_columns",
            columns="、".join(FIELDS[c][0] for c in missing),
            columns_en=", ".join(FIELDS[c][1] for c in missing),
        )
    if kind is RecordKind.PROJECT:
        fn = _validate_project
    elif kind is RecordKind.OUTCOME:
        fn = _validate_outcome
    else:

        def fn(rownum, rec, ref_, viewer_, problems_):
            return _validate_activity(
                rownum, rec, ref_, viewer_, problems_, ActivityKind(kind.value)
            )

    records = table.frame.to_dict("records")
    problems: list[Problem] = []
    accepted: list[dict] = []
    shown: list[dict] = []
    seen: dict[tuple, int] = {}
    step = max(1, len(records) // 20)
    for i, (rownum, rec) in enumerate(zip(table.rows, records)):
        rec = {k: norm_text(v) for k, v in rec.items()}
        row_problems: list[Problem] = []
        out = fn(rownum, rec, ref, viewer, row_problems)
        if not row_problems and out is not None:
            key = out.pop("_key")
            if key in seen:
                row_problems.append(Problem(rownum, "", "", "ingest_r_dup_in_file", str(seen[key])))
            elif key in ref.existing_keys:
                row_problems.append(Problem(rownum, "", "", "ingest_r_dup_existing"))
            else:
                seen[key] = rownum
                out["row"] = rownum
                accepted.append(out)
                if len(shown) < 500:
                    shown.append({"row": rownum, **rec, "_replaces": out.get("replaces")})
        problems.extend(row_problems)
        if progress and i % step == 0:
            progress(i / max(1, len(records)))
    frame = pd.DataFrame(accepted)
    replaces = sorted(int(x) for x in frame["replaces"].dropna()) if "replaces" in frame else []
    return Preview(kind, frame, problems, len(records), replaces, shown=shown)


def _req_text(rownum, rec, col, problems) -> str:
    v = rec.get(col, "")
    if not v:
        problems.append(Problem(rownum, col, "", "ingest_r_missing"))
    return v


def _reference_of_row(rownum, rec, col, resolve, candidates, unknown_key, problems, required: bool):
    """The reference id named in ``rec[col]`` (``resolve(text)``), or None with the problem noted:
    missing when ``required``, unknown with the closest names offered."""
    text = rec.get(col, "")
    if not text:
        if required:
            problems.append(Problem(rownum, col, "", "ingest_r_missing"))
        return None
    found = resolve(text)
    if found is None:
        problems.append(Problem(rownum, col, text, unknown_key, "、".join(candidates(text))))
    return found


def _province_of_row(rownum, rec, ref, problems, required: bool) -> int | None:
    return _reference_of_row(
        rownum,
        rec,
        "province",
        ref.province,
        ref.province_candidates,
        "ingest_r_unknown_province",
        problems,
        required,
    )


def _university_of_row(rownum, rec, ref, problems, required: bool) -> int | None:
    return _reference_of_row(
        rownum,
        rec,
        "university",
        ref.university,
        ref.university_candidates,
        "ingest_r_unknown_university",
        problems,
        required,
    )


def _date_of(
    rownum, rec, col, ref, problems, required: bool, future_ok: bool = False
) -> date | None:
    text = rec.get(col, "")
    if not text:
        if required:
            problems.append(Problem(rownum, col, "", "ingest_r_missing"))
        return None
    d = parse_date(text)
    if d is None:
        problems.append(Problem(rownum, col, text, "ingest_r_bad_date"))
    elif d < EARLIEST:
        problems.append(Problem(rownum, col, text, "ingest_r_date_too_early", EARLIEST.isoformat()))
        return None
    elif d > ref.today and not future_ok:
        problems.append(Problem(rownum, col, text, "ingest_r_future", ref.today.isoformat()))
        return None
    return d


def _number_of(
    rownum, rec, col, problems, required: bool, integer: bool, lo: float, hi: float
) -> float | None:
    text = rec.get(col, "")
    if not text:
        if required:
            problems.append(Problem(rownum, col, "", "ingest_r_missing"))
        return None
    v = parse_number(text)
    if v is None:
        problems.append(Problem(rownum, col, text, "ingest_r_not_number"))
    elif v < 0:
        problems.append(Problem(rownum, col, text, "ingest_r_negative"))
        return None
    elif integer and not float(v).is_integer():
        problems.append(Problem(rownum, col, text, "ingest_r_not_integer"))
        return None
    elif not lo <= v <= hi:
        problems.append(Problem(rownum, col, text, "ingest_r_absurd", f"{lo:g}–{hi:g}"))
        return None
    return v


def _validate_project(rownum, rec, ref: Reference, viewer: Viewer, problems) -> dict | None:
    school = _req_text(rownum, rec, "school", problems)
    uid = _university_of_row(rownum, rec, ref, problems, True)
    prov = _province_of_row(rownum, rec, ref, problems, True)
    county = None
    ctext = rec.get("county", "")
    if not ctext:
        problems.append(Problem(rownum, "county", "", "ingest_r_missing"))
    elif prov is not None:
        found, cands = ref.county(ctext, prov)
        if len(found) == 1:
            county = found[0]
        elif found:
            problems.append(
                Problem(rownum, "county", ctext, "ingest_r_ambiguous_county", "、".join(cands))
            )
        else:
            problems.append(
                Problem(rownum, "county", ctext, "ingest_r_unknown_county", "、".join(cands))
            )
    signed = _date_of(rownum, rec, "signed_date", ref, problems, False)
    if prov is not None and _scope_problem(viewer, prov, None):
        problems.append(
            Problem(rownum, "province", rec.get("province", ""), "ingest_r_out_of_scope")
        )
    if uid is not None and _scope_problem(viewer, None, uid):
        problems.append(
            Problem(rownum, "university", rec.get("university", ""), "ingest_r_out_of_scope")
        )
    if county is not None and ref._county_prov.get(county, prov) != prov:
        problems.append(Problem(rownum, "county", ctext, "ingest_r_unknown_county", ""))
    if problems or county is None:
        return None
    existing = ref._by_school_county.get((_key(school), county))
    if (_key(school), county) in ref._outside or (
        existing is not None and not ref.project_in_scope(existing, viewer)
    ):
        # the same school and county is a project outside the viewer's scope: never replace it,
        # never register it a second time (and do not say which project it is)
        problems.append(Problem(rownum, "school", school, "ingest_r_replace_out_of_scope"))
        return None
    replaces = None
    if existing is not None:
        p = ref._proj[existing]
        if p.provenance != "simulated":
            problems.append(
                Problem(rownum, "school", school, "ingest_r_dup_existing", str(existing))
            )
            return None
        replaces = existing
    return {
        "_key": ("project", _key(school), county),
        "university_id": uid,
        "school_zh": school,
        "county_adcode": county,
        "province_adcode": prov,
        "prefecture_zh": ref._county_pref.get(county),
        "signed_date": signed,
        "note": rec.get("note") or None,
        "replaces": replaces,
    }


def _project_of_row(rownum, rec, ref, viewer, problems) -> int | None:
    prov = _province_of_row(rownum, rec, ref, problems, False)
    uid = _university_of_row(rownum, rec, ref, problems, False)
    school = _req_text(rownum, rec, "school", problems)
    if _scope_problem(viewer, prov, uid):
        col = (
            "province"
            if prov is not None and viewer.provinces is not None and prov not in viewer.provinces
            else "university"
        )
        problems.append(Problem(rownum, col, rec.get(col, ""), "ingest_r_out_of_scope"))
        return None
    if not school:
        return None
    ids, cands = ref.project_for_school(school, uid)
    if prov is not None:
        ids = [i for i in ids if int(ref._proj[i].province_adcode) == prov]
    if uid is not None and ids:
        same = [i for i in ids if int(ref._proj[i].university_id) == uid]
        if not same:
            problems.append(
                Problem(
                    rownum,
                    "university",
                    rec.get("university", ""),
                    "ingest_r_wrong_university",
                    ref._uni_names.get(int(ref._proj[ids[0]].university_id), ""),
                )
            )
            return None
        ids = same
    if not ids:
        problems.append(
            Problem(rownum, "school", school, "ingest_r_project_not_found", "、".join(cands))
        )
        return None
    if len(ids) > 1:
        problems.append(Problem(rownum, "school", school, "ingest_r_ambiguous_project"))
        return None
    if not ref.project_in_scope(ids[0], viewer):
        problems.append(Problem(rownum, "school", school, "ingest_r_out_of_scope"))
        return None
    return ids[0]


def _validate_activity(
    rownum, rec, ref: Reference, viewer: Viewer, problems, kind: ActivityKind
) -> dict | None:
    pid = _project_of_row(rownum, rec, ref, viewer, problems)
    start = _date_of(rownum, rec, "start_date", ref, problems, True)
    end = _date_of(rownum, rec, "end_date", ref, problems, False, future_ok=True)
    if start and end:
        if end < start:
            problems.append(
                Problem(rownum, "end_date", rec["end_date"], "ingest_r_end_before_start")
            )
        elif (end - start).days > MAX_SPAN_DAYS:
            problems.append(Problem(rownum, "end_date", rec["end_date"], "ingest_r_span_absurd"))
    people = participants = hours = pm = None
    mode = level = None
    if kind in (
        ActivityKind.DISPATCH,
        ActivityKind.GUIDANCE_VISIT,
        ActivityKind.SHADOWING,
        ActivityKind.INTERNSHIP,
    ):
        people = _number_of(
            rownum,
            rec,
            "people",
            problems,
            kind is not ActivityKind.DISPATCH,
            True,
            *RANGES["people"],
        )
        if kind is ActivityKind.DISPATCH and people is None and not rec.get("people"):
            people = 1.0
    if kind is ActivityKind.TRAINING:
        participants = _number_of(
            rownum, rec, "participants", problems, True, True, *RANGES["participants"]
        )
        hours = _number_of(rownum, rec, "hours", problems, False, False, *RANGES["hours"])
        if rec.get("mode"):
            mode = _lookup_name(rec["mode"], MODE_NAMES)
            if mode is None:
                problems.append(
                    Problem(rownum, "mode", rec["mode"], "ingest_r_bad_choice", "线上、线下")
                )
    else:
        mode = "on_site"
    if kind is ActivityKind.INTERNSHIP and rec.get("level"):
        level = _lookup_name(rec["level"], LEVEL_NAMES)
        if level is None:
            problems.append(
                Problem(rownum, "level", rec["level"], "ingest_r_bad_choice", "本科、硕士、博士")
            )
    if kind in (ActivityKind.DISPATCH, ActivityKind.SHADOWING, ActivityKind.INTERNSHIP):
        pm = _number_of(
            rownum, rec, "person_months", problems, False, False, *RANGES["person_months"]
        )
        if (
            pm is None
            and not rec.get("person_months")
            and start
            and end
            and end >= start
            and people
        ):
            pm = round(people * ((end - start).days + 1) / 30.44, 1)
    if problems or pid is None:
        return None
    role, subject = rec.get("role") or None, rec.get("subject") or None
    ipeople = None if people is None else int(people)
    ipart = None if participants is None else int(participants)
    return {
        "_key": activity_key(pid, kind.value, start, end, role, subject, level, ipeople, ipart),
        "project_id": pid,
        "kind": kind.value,
        "start_date": start,
        "end_date": end,
        "people": ipeople,
        "person_months": pm,
        "participants": ipart,
        "hours": hours,
        "mode": mode,
        "role": role,
        "subject": subject,
        "level": level,
        "direction": DIRECTION_BY_KIND[kind],
        "note": rec.get("note") or None,
    }


def _validate_outcome(rownum, rec, ref: Reference, viewer: Viewer, problems) -> dict | None:
    pid = _project_of_row(rownum, rec, ref, viewer, problems)
    year = _number_of(rownum, rec, "school_year", problems, True, True, 2015, ref.today.year)
    ind_text = _req_text(rownum, rec, "indicator", problems)
    indicator = None
    if ind_text:
        indicator = _lookup_name(ind_text, INDICATOR_NAMES)
        if indicator is None:
            problems.append(
                Problem(
                    rownum,
                    "indicator",
                    ind_text,
                    "ingest_r_bad_choice",
                    "、".join(v[0] for v in INDICATOR_NAMES.values()),
                )
            )
    value = None
    if indicator:
        value = _number_of(
            rownum,
            rec,
            "value",
            problems,
            True,
            indicator == "enrolment",
            *OUTCOME_RANGES[indicator],
        )
    if problems or pid is None or value is None:
        return None
    return {
        "_key": ("outcome", pid, int(year), indicator),
        "project_id": pid,
        "school_year": int(year),
        "indicator": indicator,
        "value": float(value),
    }


def existing_key_set(kind: RecordKind, frame: pd.DataFrame) -> set:
    """Natural keys of existing rows (a frame from ``Store.ingest_existing``)."""
    kind = RecordKind(kind)
    if frame.empty:
        return set()
    if kind is RecordKind.OUTCOME:
        return {
            ("outcome", int(p), int(y), str(i))
            for p, y, i in zip(frame["project_id"], frame["school_year"], frame["indicator"])
        }
    if kind is RecordKind.PROJECT:
        return set()
    return {
        activity_key(*t)
        for t in zip(
            frame["project_id"],
            frame["kind"],
            frame["start_date"],
            frame["end_date"],
            frame["role"],
            frame["subject"],
            frame["level"],
            frame["people"],
            frame["participants"],
        )
    }


def problems_frame(preview_or_problems, lang: str = "zh") -> pd.DataFrame:
    """Rejected rows as a table in the user's language: row, column, value, reason."""
    from .i18n import t

    problems = getattr(preview_or_problems, "problems", preview_or_problems)
    rows = []
    for p in problems:
        col = (
            (FIELDS[p.column][0] if lang == "zh" else FIELDS[p.column][1])
            if p.column in FIELDS
            else ""
        )
        rows.append(
            {
                t("ingest_col_row", lang): p.row,
                t("ingest_col_column", lang): col,
                t("ingest_col_value", lang): p.value,
                t("ingest_col_reason", lang): t(p.reason, lang, detail=p.detail or "—"),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            t(k, lang)
            for k in (
                "ingest_col_row",
                "ingest_col_column",
                "ingest_col_value",
                "ingest_col_reason",
            )
        ],
    )


def error_text(exc: IngestError, lang: str = "zh", markdown: bool = False) -> str:
    """The refusal as one sentence; a value ``x_en`` replaces ``x`` in English. ``markdown``:
    for st.error and the like, values from the file shown as literal text."""
    from .i18n import t, tm

    vals = dict(exc.values)
    for k in [k for k in vals if k.endswith("_en")]:
        v = vals.pop(k)
        if lang == "en":
            vals[k[:-3]] = v
    return (tm if markdown else t)(exc.key, lang, **vals)


# ---------------------------------------------------------------------------- page helpers
def kind_label(kind, lang: str = "zh") -> str:
    from .i18n import label, t

    kind = RecordKind(kind)
    if kind in (RecordKind.PROJECT, RecordKind.OUTCOME):
        return t(f"ingest_kind_{kind.value}", lang)
    return label(kind.value, lang)


def prepare(
    store,
    viewer: Viewer,
    kind,
    data: bytes,
    file_name: str,
    today: date | None = None,
    progress=None,
) -> Preview:
    """Read and check a file for ``viewer``. Raises ``IngestError`` for a file-level problem,
    one sentence in the user's language, also for anything unexpected while reading (logged
    with its traceback); a ``StoreError`` (the database) passes through."""
    from .store import StoreError

    try:
        table = read_table(data, file_name)
        if progress:
            progress(0.1)
        ref = store.ingest_reference(viewer, RecordKind(kind).value, today)
        preview = validate(
            kind,
            table,
            ref,
            viewer,
            progress=(lambda f: progress(0.1 + 0.9 * f)) if progress else None,
        )
    except (IngestError, StoreError):
        raise
    except Exception as exc:  # a bug or a file nobody foresaw: never a traceback on screen
        _log.exception("reading %r (%s) failed", file_name, RecordKind(kind).value)
        raise IngestError("ingest_err_unexpected") from exc
    preview.ignored_columns = table.ignored_columns
    return preview


def import_file(
    store,
    viewer: Viewer,
    kind,
    data: bytes,
    file_name: str,
    today: date | None = None,
    progress=None,
) -> tuple[Preview, int | None]:
    """Read, check and commit in one call (scripts and tests); the batch id, or None when the
    file was already imported or nothing was accepted."""
    preview = prepare(store, viewer, kind, data, file_name, today)
    sha = file_sha256(data)
    if store.already_imported(viewer, sha, RecordKind(kind).value):
        return preview, None
    return preview, store.import_commit(viewer, preview, file_name, sha, progress=progress)


def one_row(rec: dict) -> RawTable:
    """A form's values as a one-row table (row number 1) for ``validate``."""
    vals = {
        k: ("" if v is None else (v.isoformat() if isinstance(v, date) else str(v)))
        for k, v in rec.items()
        if k in FIELDS
    }
    return RawTable(pd.DataFrame([vals]), [1], 0)


def history_frame(history: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    from .i18n import t

    if history.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            t("ingest_h_batch", lang): history["import_batch_id"],
            t("ingest_h_when", lang): pd.to_datetime(history["created_at"]).dt.strftime(
                "%Y-%m-%d %H:%M"
            ),
            t("ingest_h_user", lang): history["user_name"],
            t("ingest_h_kind", lang): [
                kind_label(k, lang) if k in RecordKind._value2member_map_ else k
                for k in history["record_kind"]
            ],
            t("ingest_h_file", lang): history["file_name"].fillna(t("ingest_form_entry", lang)),
            t("ingest_h_hash", lang): history["file_sha256"].fillna("").str[:16],
            t("ingest_h_ok", lang): history["rows_accepted"],
            t("ingest_h_bad", lang): history["rows_rejected"],
            t("ingest_h_undone", lang): pd.to_datetime(history["undone_at"])
            .dt.strftime("%Y-%m-%d %H:%M")
            .fillna(""),
        }
    )


def accepted_frame(preview: Preview, lang: str = "zh") -> pd.DataFrame:
    """The first accepted rows as the user wrote them, headed in the user's language, with the
    file row number first and, for projects, the simulated project each one replaces."""
    from .i18n import t

    if not preview.shown:
        return pd.DataFrame()
    df = pd.DataFrame(preview.shown)
    cols = [c for c in df.columns if c in FIELDS and c != "seq"]
    out = pd.DataFrame({t("ingest_col_row", lang): df["row"]})
    for c in cols:
        out[field_label(c, lang)] = df[c]
    if preview.kind is RecordKind.PROJECT:
        out[t("ingest_col_replaces", lang)] = [
            ("#" + str(int(x))) if x is not None and x == x else "" for x in df["_replaces"]
        ]
    return out


def reasons_text(problems: list[Problem], lang: str = "zh") -> str:
    frame = problems_frame(problems, lang)
    return (
        "；".join(
            f"{r.iloc[1]} {r.iloc[3]}" if r.iloc[1] else str(r.iloc[3]) for _, r in frame.iterrows()
        )
        if lang == "zh"
        else "; ".join(
            f"{r.iloc[1]}: {r.iloc[3]}" if r.iloc[1] else str(r.iloc[3])
            for _, r in frame.iterrows()
        )
    )


def correction_values(
    kind: str, row: dict, school: str, ref: Reference, viewer: Viewer
) -> tuple[dict | None, list[Problem]]:
    """Validate an edited activity row (from the entry page's table); the values to store or problems."""
    rec = {
        k: row.get(k)
        for k in (
            "start_date",
            "end_date",
            "people",
            "person_months",
            "participants",
            "hours",
            "mode",
            "role",
            "subject",
            "level",
            "note",
        )
    }
    for k in ("start_date", "end_date"):
        v = rec.get(k)
        if v is pd.NaT:
            rec[k] = None
        elif v is not None and not isinstance(v, str) and not pd.isna(v):
            rec[k] = pd.Timestamp(v).date()
    for k, v in list(rec.items()):
        if v is None or (not isinstance(v, (str, date)) and pd.isna(v)):
            rec[k] = ""
        elif isinstance(v, float) and k in ("people", "participants") and v.is_integer():
            rec[k] = int(v)
    rec["school"] = school
    pv = validate(
        kind,
        one_row(rec),
        Reference(ref.provinces, ref.counties, ref.universities, ref.projects, set(), ref.today),
        viewer,
    )
    if pv.problems:
        return None, pv.problems
    out = pv.accepted.iloc[0].to_dict()
    vals = {
        k: out.get(k)
        for k in (
            "start_date",
            "end_date",
            "people",
            "person_months",
            "participants",
            "hours",
            "mode",
            "role",
            "subject",
            "level",
            "note",
        )
    }
    return {
        k: (None if (v is not None and not isinstance(v, (str, date)) and pd.isna(v)) else v)
        for k, v in vals.items()
    }, []


def scope_text(store, viewer: Viewer, lang: str = "zh") -> str:
    from .i18n import t

    parts = []
    if viewer.provinces is not None:
        prov = store.provinces()
        names = prov[prov["adcode"].isin(sorted(viewer.provinces))]
        parts.append("、".join(names["name_zh" if lang == "zh" else "name_en"]))
    if viewer.universities is not None:
        ref = store.ingest_universities()
        names = ref[ref["university_id"].isin(sorted(viewer.universities))]
        parts.append("、".join(names["name_zh" if lang == "zh" else "name_en"].fillna("")))
    return "；".join(parts) or t("ingest_scope_all", lang)


# ---------------------------------------------------------------------------- entry forms
ENTRY_KINDS = [k for k in RecordKind if k is not RecordKind.PROJECT]
_FORM_SKIP = {"seq", "university", "province", "county", "school"}


def entry_fields(kind) -> list[str]:
    return [f for f in template_columns(RecordKind(kind)) if f not in _FORM_SKIP]


def field_label(f: str, lang: str = "zh") -> str:
    return FIELDS[f][0] if lang == "zh" else FIELDS[f][1]


def indicator_choices() -> list[str]:
    return [v[0] for v in INDICATOR_NAMES.values()]


def project_option(projects: pd.DataFrame, pid: int, lang: str = "zh") -> str:
    """One project's label in the entry form's project list (see ``project_options`` for all)."""
    return project_options(projects[projects["project_id"] == pid], lang)[pid]


def project_options(projects: pd.DataFrame, lang: str = "zh") -> dict[int, str]:
    """Every project's label, by id: school · university · #id. Built in one pass, so a
    selectbox over 2,000 projects looks each label up instead of searching the frame per option."""
    uni = projects["university_zh" if lang == "zh" else "university_en"]
    return {
        int(pid): f"{school} · {u} · #{int(pid)}"
        for pid, school, u in zip(projects["project_id"], projects["school_zh"], uni)
    }


def entry_preview(
    store,
    viewer: Viewer,
    kind,
    projects: pd.DataFrame,
    pid: int,
    values: dict,
    today: date | None = None,
) -> Preview:
    """Validate one form entry exactly like a file row (scope, duplicates and all). The project is
    taken from the viewer's own reference, never from ``projects`` (only used to name it)."""
    kind = RecordKind(kind)
    rec = {k: v for k, v in values.items()}
    for k, v in list(rec.items()):
        if isinstance(v, float) and v.is_integer():
            rec[k] = int(v)
    ref = store.ingest_reference(viewer, kind.value, today)
    chosen = (
        projects[projects["project_id"] == pid] if "project_id" in projects else projects.iloc[0:0]
    )
    if not ref.project_in_scope(pid, viewer):
        name = str(chosen.iloc[0]["school_zh"]) if not chosen.empty else f"#{pid}"
        return Preview(
            kind, pd.DataFrame(), [Problem(1, "school", name, "ingest_r_project_out_of_scope")], 1
        )
    p = ref._proj[int(pid)]
    rec.update(
        school=p.school_zh,
        university=ref._uni_names.get(int(p.university_id), ""),
        province=str(int(p.province_adcode)),
    )
    pv = validate(kind, one_row(rec), ref, viewer)
    if pv.n_accepted and int(pv.accepted.iloc[0]["project_id"]) != int(pid):
        # another project of the same name answered: never write to a project not chosen
        return Preview(
            kind,
            pd.DataFrame(),
            [Problem(1, "school", p.school_zh, "ingest_r_ambiguous_project")],
            1,
        )
    return pv


_EDIT_COLS = [
    "activity_id",
    "school_zh",
    "kind",
    "start_date",
    "end_date",
    "people",
    "person_months",
    "participants",
    "hours",
    "mode",
    "role",
    "subject",
    "level",
    "note",
]


def _cell(v) -> str:
    if v is None or v is pd.NaT or (not isinstance(v, (str, date)) and pd.isna(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date().isoformat()
    return str(v).strip()


def editable_view(editable: pd.DataFrame) -> pd.DataFrame:
    df = editable[_EDIT_COLS].copy()
    for c in ("start_date", "end_date"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df


def corrections(
    store, viewer: Viewer, before: pd.DataFrame, after: pd.DataFrame, today: date | None = None
) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """The changed rows of the entry page's table, validated: (activity id, values) and problems
    (row number = position in the table, 1-based)."""
    out, problems = [], []
    refs: dict[str, Reference] = {}
    b = before.reset_index(drop=True)
    a = after.reset_index(drop=True)
    mine = None  # the rows this viewer may correct, as the store has them (read once, when needed)
    for i in range(min(len(a), len(b))):
        old, new = b.iloc[i].to_dict(), a.iloc[i].to_dict()
        if all(_cell(old[c]) == _cell(new[c]) for c in _EDIT_COLS):
            continue
        if mine is None:
            ed = store.editable_activities(viewer)
            mine = {int(x): r for x, r in zip(ed["activity_id"], ed.to_dict("records"))}
        cur = mine.get(int(old["activity_id"])) if _cell(old["activity_id"]).isdigit() else None
        if cur is None or _cell(new["activity_id"]) != _cell(old["activity_id"]):
            problems.append(
                Problem(
                    i + 1, "school", _cell(old.get("school_zh")), "ingest_r_record_out_of_scope"
                )
            )
            continue
        kind = str(
            cur["kind"]
        )  # the project and the kind come from the store, never from the table
        if kind not in refs:
            refs[kind] = store.ingest_reference(viewer, kind, today)
        if _cell(new["school_zh"]) != _cell(cur["school_zh"]):
            ids, _ = refs[kind].project_for_school(_cell(new["school_zh"]), None)
            reason = "ingest_r_not_movable" if ids else "ingest_r_out_of_scope"
            problems.append(Problem(i + 1, "school", _cell(new["school_zh"]), reason))
            continue
        if _cell(new["kind"]) != _cell(cur["kind"]):
            problems.append(Problem(i + 1, "", _cell(new["kind"]), "ingest_r_not_movable"))
            continue
        vals, probs = correction_values(kind, new, str(cur["school_zh"]), refs[kind], viewer)
        if probs:
            problems += [Problem(i + 1, p.column, p.value, p.reason, p.detail) for p in probs]
        else:
            out.append((int(old["activity_id"]), vals))
    return out, problems
