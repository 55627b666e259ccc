"""The dashboard database's schema, written out in one place: every table, its columns and keys.

``SCHEMA`` is what ``CoreStore.create_schema`` runs on a new file, then records
``SCHEMA_VERSION`` in ``meta``; ``TABLES`` names every table it creates, in that order. A change
here that an existing file would not have needs a new ``SCHEMA_VERSION`` (``open_store`` then
rebuilds a file that holds nothing people made, and refuses one that does).

The parts are kept apart only because ``store/ingest.py`` adds its tables to a file built before
they existed (``IngestOps._ensure_ingest_schema``, same schema version). The summary tables
(``store/summary.py``) are derived data, created and replaced by ``refresh_summaries``.
"""

from __future__ import annotations

SCHEMA_VERSION = 3

# ---------------------------------------------------------------------- reference and programme data
CORE_SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE province (
    adcode INTEGER PRIMARY KEY, name_zh VARCHAR NOT NULL, short_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL, region VARCHAR, in_programme BOOLEAN NOT NULL);
CREATE TABLE county (
    adcode INTEGER PRIMARY KEY, name_zh VARCHAR NOT NULL, prefecture_adcode INTEGER,
    prefecture_zh VARCHAR, province_adcode INTEGER NOT NULL, has_boundary BOOLEAN NOT NULL,
    lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL, note VARCHAR);
CREATE TABLE adcode_crosswalk (old_adcode INTEGER PRIMARY KEY, new_adcode INTEGER NOT NULL,
    name_zh VARCHAR, note VARCHAR);
CREATE TABLE university (
    university_id INTEGER PRIMARY KEY, name_zh VARCHAR NOT NULL UNIQUE, name_en VARCHAR,
    kind VARCHAR NOT NULL, district_adcode INTEGER, lon DOUBLE PRECISION, lat DOUBLE PRECISION, location_note VARCHAR,
    affiliated_high_schools VARCHAR, host_basis VARCHAR NOT NULL);
CREATE TABLE project (
    project_id INTEGER PRIMARY KEY, university_id INTEGER NOT NULL, school_zh VARCHAR NOT NULL,
    county_adcode INTEGER NOT NULL, province_adcode INTEGER NOT NULL, prefecture_zh VARCHAR,
    affiliated_school VARCHAR, batch INTEGER NOT NULL DEFAULT 1,
    cycle_start DATE, cycle_end DATE, confidence VARCHAR, location_note VARCHAR,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER);
CREATE TABLE milestone (
    project_id INTEGER NOT NULL, kind VARCHAR NOT NULL, due_date DATE, done_date DATE,
    date_precision VARCHAR NOT NULL DEFAULT 'day', note VARCHAR,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER,
    PRIMARY KEY (project_id, kind));
CREATE TABLE activity (
    activity_id BIGINT PRIMARY KEY, project_id INTEGER NOT NULL, kind VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE, date_precision VARCHAR NOT NULL DEFAULT 'day',
    people INTEGER, person_months DOUBLE PRECISION, participants INTEGER, hours DOUBLE PRECISION, mode VARCHAR,
    role VARCHAR, subject VARCHAR, level VARCHAR, direction VARCHAR NOT NULL, note VARCHAR,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER);
CREATE TABLE outcome (
    project_id INTEGER NOT NULL, school_year INTEGER NOT NULL, indicator VARCHAR NOT NULL,
    value DOUBLE PRECISION NOT NULL, provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER,
    PRIMARY KEY (project_id, school_year, indicator));
CREATE TABLE import_batch (
    import_batch_id INTEGER PRIMARY KEY, created_at TIMESTAMP NOT NULL, user_name VARCHAR,
    file_name VARCHAR, file_sha256 VARCHAR, record_kind VARCHAR, rows_accepted INTEGER,
    rows_rejected INTEGER, undone_at TIMESTAMP);
CREATE TABLE audit_log (
    logged_at TIMESTAMP NOT NULL, user_name VARCHAR, action VARCHAR NOT NULL, detail VARCHAR);
"""

CORE_TABLES: tuple[str, ...] = (
    "meta",
    "province",
    "county",
    "adcode_crosswalk",
    "university",
    "project",
    "milestone",
    "activity",
    "outcome",
    "import_batch",
    "audit_log",
)

# ---------------------------------------------------------------------- accounts and sign-ins (store/auth.py)
AUTH_SCHEMA = """
CREATE TABLE app_user (
    user_name VARCHAR PRIMARY KEY, display_name VARCHAR, role VARCHAR NOT NULL,
    province_adcode INTEGER, university_ids INTEGER[], password_hash VARCHAR,
    oidc_subject VARCHAR UNIQUE, disabled BOOLEAN NOT NULL DEFAULT false,
    failed_count INTEGER NOT NULL DEFAULT 0, locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, last_login TIMESTAMP);
CREATE TABLE app_session (
    token_sha256 VARCHAR PRIMARY KEY, user_name VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL, revoked BOOLEAN NOT NULL DEFAULT false);
"""

AUTH_TABLES: tuple[str, ...] = ("app_user", "app_session")

# ---------------------------------------------------------------------- imports (store/ingest.py)
INGEST_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingest_batch_scope (import_batch_id INTEGER PRIMARY KEY, role VARCHAR,
    provinces INTEGER[], universities INTEGER[]);
CREATE TABLE IF NOT EXISTS ingest_rejected (import_batch_id INTEGER NOT NULL, row_number INTEGER,
    column_name VARCHAR, value VARCHAR, reason VARCHAR, detail VARCHAR);
CREATE TABLE IF NOT EXISTS ingest_shelf_project AS SELECT 0::INTEGER AS shelf_batch_id, * FROM project LIMIT 0;
CREATE TABLE IF NOT EXISTS ingest_shelf_milestone AS SELECT 0::INTEGER AS shelf_batch_id, * FROM milestone LIMIT 0;
CREATE TABLE IF NOT EXISTS ingest_shelf_activity AS SELECT 0::INTEGER AS shelf_batch_id, * FROM activity LIMIT 0;
CREATE TABLE IF NOT EXISTS ingest_shelf_outcome AS SELECT 0::INTEGER AS shelf_batch_id, * FROM outcome LIMIT 0;
"""

INGEST_TABLES: tuple[str, ...] = (
    "ingest_batch_scope",
    "ingest_rejected",
    "ingest_shelf_project",
    "ingest_shelf_milestone",
    "ingest_shelf_activity",
    "ingest_shelf_outcome",
)

# ---------------------------------------------------------------------- term reports (store/reporting.py)
# Added to a file built before they existed by ``ReportingOps._ensure_reporting_schema`` (same
# schema version). ``term_report.first_submitted_at`` decides timeliness (a report returned for a
# correction was still filed on time); a term is locked for a province while its
# ``term_approval`` row has ``approved_at`` and no ``reopened_at``.
REPORTING_SCHEMA = """
CREATE TABLE IF NOT EXISTS reporting_period (term INTEGER PRIMARY KEY, due_date DATE NOT NULL,
    changed_by VARCHAR, changed_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS term_report (project_id INTEGER NOT NULL, term INTEGER NOT NULL,
    status VARCHAR NOT NULL, first_submitted_at TIMESTAMP, submitted_by VARCHAR,
    submitted_at TIMESTAMP, reviewed_by VARCHAR, reviewed_at TIMESTAMP, review_comment VARCHAR,
    provenance VARCHAR NOT NULL DEFAULT 'entered', PRIMARY KEY (project_id, term));
CREATE TABLE IF NOT EXISTS term_approval (term INTEGER NOT NULL, province_adcode INTEGER NOT NULL,
    approved_by VARCHAR, approved_at TIMESTAMP, reopened_by VARCHAR, reopened_at TIMESTAMP,
    reopen_reason VARCHAR, PRIMARY KEY (term, province_adcode));
"""

REPORTING_TABLES: tuple[str, ...] = ("reporting_period", "term_report", "term_approval")
# ``term_report.provenance`` ('entered' by a user, 'simulated' by the demo build) came after the
# tables: added to a file or a PostgreSQL database made without it (same SQL on both backends).
REPORTING_UPGRADE = (
    "ALTER TABLE term_report ADD COLUMN IF NOT EXISTS provenance VARCHAR DEFAULT 'entered'",
    "ALTER TABLE term_report ALTER COLUMN provenance SET NOT NULL",
)

# ---------------------------------------------------------------------- outcome targets (store/targets.py)
# Added to a file built before it existed by ``TargetOps._ensure_targets_schema`` (same schema
# version). No row = no target set ("未设定"): the notice (教基厅函〔2022〕13号) states no number.
TARGETS_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcome_target (project_id INTEGER NOT NULL, indicator VARCHAR NOT NULL,
    target DOUBLE PRECISION NOT NULL, set_by VARCHAR, set_at TIMESTAMP, provenance VARCHAR NOT NULL,
    PRIMARY KEY (project_id, indicator));
"""

TARGETS_TABLES: tuple[str, ...] = ("outcome_target",)

# ---------------------------------------------------------------------- successive cycles (store/cycles.py)
# Added to a file built before they existed by ``CycleOps._ensure_cycles_schema`` (same schema
# version). ``project_cycle`` holds the agreements of a project one after another (cycle_no 1, 2,
# ...); a project without a cycle-1 row has its first cycle in ``project`` (cycle_start/end,
# university_id). ``status`` is what the cycle's record says ('ongoing', 'renewed', 'ended',
# 'repaired'); a later cycle decides the outcome (``programme.cycles``). ``cycle_milestone``: the
# 签约/备案/启动 of cycles 2, 3, ... (those of cycle 1 stay in ``milestone``). The shelves keep
# what a project import that replaces a simulated project set aside (undo puts it back).
CYCLES_SCHEMA = """
CREATE TABLE IF NOT EXISTS project_cycle (project_id INTEGER NOT NULL, cycle_no INTEGER NOT NULL,
    university_id INTEGER NOT NULL, start_date DATE NOT NULL, end_date DATE NOT NULL,
    status VARCHAR NOT NULL, note VARCHAR, provenance VARCHAR NOT NULL, source_url VARCHAR,
    import_batch_id INTEGER, PRIMARY KEY (project_id, cycle_no));
CREATE TABLE IF NOT EXISTS cycle_milestone (project_id INTEGER NOT NULL, cycle_no INTEGER NOT NULL,
    kind VARCHAR NOT NULL, due_date DATE, done_date DATE,
    date_precision VARCHAR NOT NULL DEFAULT 'day', note VARCHAR, provenance VARCHAR NOT NULL,
    source_url VARCHAR, import_batch_id INTEGER, PRIMARY KEY (project_id, cycle_no, kind));
CREATE TABLE IF NOT EXISTS ingest_shelf_project_cycle AS
    SELECT 0::INTEGER AS shelf_batch_id, * FROM project_cycle LIMIT 0;
CREATE TABLE IF NOT EXISTS ingest_shelf_cycle_milestone AS
    SELECT 0::INTEGER AS shelf_batch_id, * FROM cycle_milestone LIMIT 0;
"""

CYCLES_TABLES: tuple[str, ...] = (
    "project_cycle",
    "cycle_milestone",
    "ingest_shelf_project_cycle",
    "ingest_shelf_cycle_milestone",
)

# ---------------------------------------------------------------------- comparison schools (store/comparison.py)
# Added to a file or a PostgreSQL database built before they existed by
# ``ComparisonOps._ensure_comparison_schema`` (same schema version): county high schools outside
# the programme (issue 16 part 4), one per school name and county, and their outcome rows.
COMPARISON_SCHEMA = """
CREATE TABLE IF NOT EXISTS comparison_school (school_id INTEGER PRIMARY KEY,
    school_zh VARCHAR NOT NULL, county_adcode INTEGER NOT NULL, province_adcode INTEGER NOT NULL,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER,
    UNIQUE (school_zh, county_adcode));
CREATE TABLE IF NOT EXISTS comparison_outcome (school_id INTEGER NOT NULL,
    school_year INTEGER NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE PRECISION NOT NULL,
    provenance VARCHAR NOT NULL, source_url VARCHAR, import_batch_id INTEGER,
    PRIMARY KEY (school_id, school_year, indicator));
"""

COMPARISON_TABLES: tuple[str, ...] = ("comparison_school", "comparison_outcome")

# ---------------------------------------------------------------------- data quality (store/quality.py)
# Added to a file built before it existed by ``QualityOps._ensure_quality_schema`` (same schema
# version). One row per outcome value and rule it broke (``programme.quality.RULES``); ``status``
# flagged / confirmed / corrected, never deleted but by undoing its ``import_batch_id``.
QUALITY_SCHEMA = """
CREATE TABLE IF NOT EXISTS quality_flag (flag_id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL,
    school_year INTEGER NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE PRECISION NOT NULL,
    rule VARCHAR NOT NULL, previous DOUBLE PRECISION, status VARCHAR NOT NULL,
    flagged_at TIMESTAMP, status_by VARCHAR, status_at TIMESTAMP, comment VARCHAR,
    corrected_value DOUBLE PRECISION, import_batch_id INTEGER, provenance VARCHAR NOT NULL);
"""

QUALITY_TABLES: tuple[str, ...] = ("quality_flag",)

# ---------------------------------------------------------------------- the whole database
SCHEMA = "\n".join(
    (CORE_SCHEMA, AUTH_SCHEMA, INGEST_SCHEMA, REPORTING_SCHEMA, TARGETS_SCHEMA, CYCLES_SCHEMA)
    + (COMPARISON_SCHEMA,)
    + (QUALITY_SCHEMA,)
)
TABLES: tuple[str, ...] = (
    CORE_TABLES
    + AUTH_TABLES
    + INGEST_TABLES
    + REPORTING_TABLES
    + TARGETS_TABLES
    + CYCLES_TABLES
    + COMPARISON_TABLES
    + QUALITY_TABLES
)
