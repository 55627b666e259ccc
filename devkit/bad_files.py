"""Real files built to break the importer: a zip bomb whose shared strings expand to hundreds of
megabytes (written streaming), an xlsx whose dimension lies, an .xlsm, an .xls container, CSV with
any line ending. Shared by tests/unit/test_ingest_limits.py and scripts/bench_bad_files.py."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl


def xlsx_bytes(rows, merges=(), date_cells=False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _replace_parts(
    base: bytes, replace: dict[str, object], extra: dict[str, bytes] | None = None
) -> bytes:
    """A copy of the xlsx ``base`` with parts replaced: bytes, or a function writing to a stream
    (so a part of hundreds of MB is compressed as it is made, never held)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            new = replace.get(info.filename)
            if new is None:
                dst.writestr(info.filename, src.read(info.filename))
            elif isinstance(new, bytes):
                dst.writestr(info.filename, new)
            else:
                with dst.open(info.filename, "w", force_zip64=True) as fh:
                    new(fh)
        for name, new in replace.items():  # parts the base lacks are added
            if name not in src.namelist():
                with dst.open(name, "w", force_zip64=True) as fh:
                    fh.write(new) if isinstance(new, bytes) else new(fh)
        for name, blob in (extra or {}).items():
            dst.writestr(name, blob)
    return out.getvalue()


SST_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
)


def bomb_xlsx(mb: int = 300) -> bytes:
    """An xlsx whose shared-strings part expands to ``mb`` MB of one repeated string."""
    base = xlsx_bytes([["帮扶县中", "开始日期"], ["榆中县恩玲中学", "2023-01-01"]])
    piece = ("帮扶" * 5000).encode()  # 30 kB

    def write(fh):
        fh.write(SST_HEAD + b"<si><t>")
        for _ in range(mb * 2**20 // len(piece)):
            fh.write(piece)
        fh.write(b"</t></si><si><t>x</t></si></sst>")

    with zipfile.ZipFile(io.BytesIO(base)) as z:  # declared like Excel declares it
        types = z.read("[Content_Types].xml").replace(
            b"</Types>",
            (
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
            ),
        )
        rels = z.read("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>",
            (
                b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
            ),
        )
    return _replace_parts(
        base,
        {
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/sharedStrings.xml": write,
        },
    )


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:B2"/><sheetData>'
)


def lying_dimension_xlsx(rows: int = 300_000) -> bytes:
    """A sheet that claims A1:B2 in its <dimension> but holds ``rows`` data rows."""
    base = xlsx_bytes([["帮扶县中", "开始日期", "人数"], ["x", "2023-01-01", 1]])

    def write(fh):
        fh.write(SHEET_HEAD)
        fh.write(
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xb8\xae\xe6\x89\xb6\xe5\x8e\xbf\xe4\xb8\xad'
            b'</t></is></c><c r="B1" t="inlineStr"><is><t>\xe5\xbc\x80\xe5\xa7\x8b\xe6\x97\xa5\xe6\x9c\x9f'
            b"</t></is></c></row>"
        )
        batch = []
        for r in range(2, rows + 2):
            batch.append(
                b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>S</t></is></c>'
                b'<c r="B%d"><v>44927</v></c></row>' % (r, r, r)
            )
            if len(batch) == 5000:
                fh.write(b"".join(batch))
                batch = []
        fh.write(b"".join(batch) + b"</sheetData></worksheet>")

    return _replace_parts(base, {"xl/worksheets/sheet1.xml": write})


def xlsm_bytes(rows) -> bytes:
    """A macro-enabled workbook: the xlsm content type and a (dummy) VBA project."""
    base = xlsx_bytes(rows)
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        types = z.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    assert b"macroEnabled" in types
    return _replace_parts(
        base,
        {"[Content_Types].xml": types},
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504},
    )


XLS_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000  # an OLE2 container (.xls)


def csv_bytes(rows, newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding)


VISITS = [
    ["帮扶县中", "开始日期", "人数", "备注"],
    ["榆中县恩玲中学", "2023-03-01", "3", "第一次"],
    ["靖远县第四中学", "2023-04-01", "2", '含"引号",和逗号'],
    ["榆中县恩玲中学", "2023-05-01", "4", ""],
]
