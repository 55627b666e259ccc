"""Reading and checking the files people make: the official annex, activity reports, outcomes.

No SQL and no Streamlit here. The package's modules, each with one job:

- ``columns``: the canonical fields, their headers and aliases, which fields each record kind
  needs and may have, the templates' example rows;
- ``values``: one value as typed (text, dates, numbers, the names of a choice);
- ``read``: a CSV or xlsx file's bytes into a ``RawTable``, within the file limits (``MAX_*``);
- ``reference``: the provinces, counties, universities and projects rows are looked up in;
- ``checks``: every row checked into a ``Preview`` by ``validate`` (``prepare``: read and check
  a file);
- ``forms``: what the import and entry pages show (option lists, page tables);
- ``template``: the templates to download, made for the viewer (example row, drop-downs).

Callers use the names below as ``ingest.<name>``, as before the split. The constants are
re-exported as values: a test that changes a limit patches the module that reads it
(``ingest.read.MAX_ROWS``), and ``prepare`` calls ``read_table`` and ``validate`` from the
``checks`` module (named so that ``ingest.validate`` stays the function).
"""

from __future__ import annotations

from ..store.ingest import ReferenceData, activity_key, existing_key_set
from .checks import (
    EARLIEST,
    MAX_SPAN_DAYS,
    OUTCOME_RANGES,
    RANGES,
    Preview,
    Problem,
    import_file,
    prepare,
    validate,
)
from .columns import (
    EXAMPLES,
    FIELDS,
    KIND_FIELDS,
    RecordKind,
    field_label,
    map_header,
    template_columns,
)
from .forms import (
    ENTRY_KINDS,
    FORM_CHOICE_FIELDS,
    accepted_frame,
    correction_values,
    corrections,
    editable_view,
    entry_fields,
    entry_preview,
    error_text,
    form_options,
    history_frame,
    import_kinds,
    indicator_choices,
    kind_label,
    one_row,
    problems_frame,
    project_option,
    project_options,
    reasons_text,
    scope_text,
    undo_confirm_label,
    undo_details,
    undo_options,
    undone_text,
)
from .read import (
    HEADER_ROWS,
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_XLSX_EXPANDED,
    MAX_XLSX_PART,
    MAX_XLSX_PARTS,
    MAX_XLSX_RATIO,
    IngestError,
    RawTable,
    column_letter,
    decode_csv,
    file_format,
    file_sha256,
    limit_values,
    read_table,
)
from .reference import Reference, load_reference
from .template import (
    example_row,
    template_csv,
    template_file_name,
    template_files,
    template_frame,
    template_xlsx,
)
from .values import (
    INDICATOR_NAMES,
    LEVEL_NAMES,
    MODE_NAMES,
    norm_text,
    parse_date,
    parse_number,
)

__all__ = [
    "EARLIEST",
    "ENTRY_KINDS",
    "EXAMPLES",
    "FIELDS",
    "FORM_CHOICE_FIELDS",
    "HEADER_ROWS",
    "INDICATOR_NAMES",
    "KIND_FIELDS",
    "LEVEL_NAMES",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_SPAN_DAYS",
    "MAX_XLSX_EXPANDED",
    "MAX_XLSX_PART",
    "MAX_XLSX_PARTS",
    "MAX_XLSX_RATIO",
    "MODE_NAMES",
    "OUTCOME_RANGES",
    "RANGES",
    "IngestError",
    "Preview",
    "Problem",
    "RawTable",
    "RecordKind",
    "Reference",
    "ReferenceData",
    "accepted_frame",
    "activity_key",
    "column_letter",
    "correction_values",
    "corrections",
    "decode_csv",
    "editable_view",
    "entry_fields",
    "entry_preview",
    "error_text",
    "example_row",
    "existing_key_set",
    "field_label",
    "file_format",
    "file_sha256",
    "form_options",
    "history_frame",
    "import_file",
    "import_kinds",
    "indicator_choices",
    "kind_label",
    "limit_values",
    "load_reference",
    "map_header",
    "norm_text",
    "one_row",
    "parse_date",
    "parse_number",
    "prepare",
    "problems_frame",
    "project_option",
    "project_options",
    "read_table",
    "reasons_text",
    "scope_text",
    "template_columns",
    "template_csv",
    "template_file_name",
    "template_files",
    "template_frame",
    "template_xlsx",
    "undo_confirm_label",
    "undo_details",
    "undo_options",
    "undone_text",
    "validate",
]
