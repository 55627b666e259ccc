"""Reading an uploaded file: the bytes of a CSV (UTF-8, UTF-8-BOM, GBK/GB18030, UTF-16) or xlsx
file become a ``RawTable`` of strings, columns named by canonical field, with the row numbers the
user sees in the file.

The file limits live here, in one place (the import page states them through ``limit_values``):
the file's size, the zip parts of an xlsx (count, sizes, ratio), rows, columns and characters per
cell. Each is checked before the work it bounds, never after. A file that cannot be read raises
``IngestError`` (an i18n key and its values).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from ..errors import UserError
from ..i18n import t
from .columns import FIELDS, data_sheet_names, map_header
from .values import norm_text

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


class IngestError(UserError, ValueError):
    """A whole file cannot be read: ``key`` names an i18n string, ``values`` fill it in (a value
    ``x_en`` stands for ``x`` in English)."""


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
        head=t("ingest_cell_head", "zh", head=head) if head else "",
        head_en=t("ingest_cell_head", "en", head=head) if head else "",
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


def _data_sheet(wb):
    """The sheet to read: a template's data sheet by its name (its instructions and lists sheets
    are never read), else the first worksheet."""
    names = data_sheet_names()
    return next((ws for ws in wb.worksheets if ws.title in names), wb.worksheets[0])


class _XlsxRows:
    """The data sheet's (``_data_sheet``) non-blank rows as (row number, raw values), streamed: nothing is
    read until iterated, reading stops when the consumer stops, a value right of
    ``MAX_COLUMNS`` refuses the file, and merged ranges carry their top-left value."""

    def __init__(self, data: bytes):
        import openpyxl  # local import: only the import path needs it

        zf = _xlsx_package(data)  # before openpyxl sees the file
        try:
            self.wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            self.ws = _data_sheet(self.wb)
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
