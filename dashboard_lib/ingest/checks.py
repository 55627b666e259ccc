"""Checking rows: every row of a ``RawTable`` against the reference data and the viewer's scope,
into a ``Preview``: the accepted rows, ready for ``Store.import_commit``, and the rejected rows
with row number, column, value and a reason (an i18n key ``ingest_r_*``). ``prepare`` reads and
checks a file in one call, ``import_file`` commits it too.

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

import logging
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..scope import Viewer
from ..store import StoreError
from ..store.ingest import activity_key
from ..vocab import DIRECTION_BY_KIND, ActivityKind
from .columns import CYCLE_AFFIXES, CYCLE_WORDS, FIELDS, KIND_FIELDS, RecordKind
from .read import IngestError, RawTable, file_sha256, read_table
from .reference import Reference, _scope_problem, load_reference
from .values import (
    INDICATOR_NAMES,
    LEVEL_NAMES,
    MODE_NAMES,
    _key,
    _lookup_name,
    choice_names,
    norm_text,
    parse_date,
    parse_number,
)

EARLIEST = date(2020, 1, 1)  # an activity date before this is a typing error
MAX_SPAN_DAYS = 4 * 366  # end at most four years after start

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

_log = logging.getLogger(__name__)


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
    # outcome rows that break a data-quality rule (``programme.quality``): imported all the same,
    # listed in the preview and stored with the batch (issue 16, part 7)
    flags: list = field(default_factory=list)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def n_accepted(self) -> int:
        return len(self.accepted)

    @property
    def n_rejected(self) -> int:
        return len(self.rejected_rows)


def validate(
    kind: RecordKind | str, table: RawTable, ref: Reference, viewer: Viewer, progress=None
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
    elif kind is RecordKind.COMPARISON:
        fn = _validate_comparison
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
    flags = _outcome_flags(frame, ref) if kind is RecordKind.OUTCOME else []
    return Preview(kind, frame, problems, len(records), replaces, shown=shown, flags=flags)


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


def _county_of_row(rownum, rec, ref: Reference, prov: int | None, problems) -> int | None:
    """The row's county (its name, or part of it, within the row's province), or None with the
    problem said: missing, unknown in the province, or matching several (the candidates named)."""
    ctext = rec.get("county", "")
    if not ctext:
        problems.append(Problem(rownum, "county", "", "ingest_r_missing"))
        return None
    if prov is None:
        return None
    found, cands = ref.county(ctext, prov)
    if len(found) == 1:
        return found[0]
    reason = "ingest_r_ambiguous_county" if found else "ingest_r_unknown_county"
    problems.append(Problem(rownum, "county", ctext, reason, "、".join(cands)))
    return None


def _validate_project(rownum, rec, ref: Reference, viewer: Viewer, problems) -> dict | None:
    school = _req_text(rownum, rec, "school", problems)
    uid = _university_of_row(rownum, rec, ref, problems, True)
    prov = _province_of_row(rownum, rec, ref, problems, True)
    county = _county_of_row(rownum, rec, ref, prov, problems)
    signed = _date_of(rownum, rec, "signed_date", ref, problems, False)
    cycle_no = _cycle_of_row(rownum, rec, problems)
    if prov is not None and _scope_problem(viewer, prov, None):
        problems.append(
            Problem(rownum, "province", rec.get("province", ""), "ingest_r_out_of_scope")
        )
    if uid is not None and _scope_problem(viewer, None, uid):
        problems.append(
            Problem(rownum, "university", rec.get("university", ""), "ingest_r_out_of_scope")
        )
    if county is not None and ref._county_prov.get(county, prov) != prov:
        problems.append(
            Problem(rownum, "county", rec.get("county", ""), "ingest_r_unknown_county", "")
        )
    if problems or county is None:
        return None
    existing = ref._by_school_county.get((_key(school), county))
    if cycle_no is not None and cycle_no > 1:  # a second batch: a renewal (issue 16)
        return _validate_renewal(
            rownum, rec, ref, problems, existing, cycle_no, uid, school, county, prov, signed
        )
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


MAX_CYCLE = 9  # a cycle's number: 1 (the first agreement) to this


def _cycle_of_row(rownum, rec, problems) -> int | None:
    """The cycle number in ``rec['cycle']`` (None: not given, the first cycle)."""
    text = rec.get("cycle", "")
    if not text:
        return None
    core = text.strip()
    for affix in CYCLE_AFFIXES:
        core = core.replace(affix, "")
    core = core.strip()
    n = CYCLE_WORDS.get(core)
    if n is None:
        v = parse_number(core)
        n = int(v) if v is not None and float(v).is_integer() else None
    if n is None or not 1 <= n <= MAX_CYCLE:
        problems.append(Problem(rownum, "cycle", text, "cycle_r_bad_cycle", f"1–{MAX_CYCLE}"))
        return None
    return n


def _validate_renewal(
    rownum, rec, ref: Reference, problems, pid, cycle_no, uid, school, county, prov, signed
) -> dict | None:
    """A row of a second batch: cycle ``cycle_no`` of the registered project ``pid`` (the school
    and county of the row, in the viewer's scope), hosted by ``uid`` (the same university:
    renewed; another one: re-paired). Its start defaults to the day after the last cycle's
    end, its end to three years later."""
    if pid is None:
        why = (
            "cycle_r_out_of_scope"
            if (_key(school), county) in ref._outside
            else "cycle_r_no_project"
        )
        problems.append(Problem(rownum, "school", school, why))
        return None
    last_no, _last_start, last_end, _last_uni = ref.cycles.get(pid, (1, None, None, None))
    if cycle_no > last_no + 1:
        problems.append(
            Problem(rownum, "cycle", rec.get("cycle", ""), "cycle_r_gap", str(last_no + 1))
        )
        return None
    start = _date_of(rownum, rec, "start_date", ref, problems, False, future_ok=True)
    end = _date_of(rownum, rec, "end_date", ref, problems, False, future_ok=True)
    if problems:
        return None
    if start is None:
        start = (
            (pd.Timestamp(last_end) + pd.Timedelta(days=1)).date()
            if last_end is not None and not pd.isna(last_end)
            else None
        )
        if start is None:
            problems.append(Problem(rownum, "start_date", "", "ingest_r_missing"))
            return None
    if end is None:
        end = (pd.Timestamp(start) + pd.DateOffset(years=3, days=-1)).date()
    if cycle_no == last_no + 1 and last_end is not None and not pd.isna(last_end):
        if start <= pd.Timestamp(last_end).date():
            problems.append(
                Problem(
                    rownum,
                    "start_date",
                    rec.get("start_date", "") or start.isoformat(),
                    "cycle_r_overlaps",
                    pd.Timestamp(last_end).date().isoformat(),
                )
            )
            return None
    if end <= start:
        problems.append(
            Problem(rownum, "end_date", rec.get("end_date", ""), "cycle_r_end_before_start")
        )
        return None
    return {
        "_key": ("cycle", int(pid), int(cycle_no)),
        "project_id": int(pid),
        "cycle_no": int(cycle_no),
        "university_id": uid,
        "school_zh": school,
        "county_adcode": county,
        "province_adcode": prov,
        "prefecture_zh": ref._county_pref.get(county),
        "start_date": start,
        "end_date": end,
        "signed_date": signed,
        "note": rec.get("note") or None,
        "replaces": None,
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
                    Problem(
                        rownum, "mode", rec["mode"], "ingest_r_bad_choice", choice_names(MODE_NAMES)
                    )
                )
    else:
        mode = "on_site"
    if kind is ActivityKind.INTERNSHIP and rec.get("level"):
        level = _lookup_name(rec["level"], LEVEL_NAMES)
        if level is None:
            problems.append(
                Problem(
                    rownum, "level", rec["level"], "ingest_r_bad_choice", choice_names(LEVEL_NAMES)
                )
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


def _outcome_flags(accepted: pd.DataFrame, ref: Reference) -> list:
    """The data-quality flags of the accepted outcome rows: a value outside its indicator's usual
    range, or too far from the project's previous school year (in the file or stored). Flagged
    rows are not rejected: only impossible values are (``OUTCOME_RANGES``)."""
    from ..programme.quality import flag_outcomes  # page logic beside this one (no cycle)

    return flag_outcomes(accepted, getattr(ref, "outcome_values", None))


def _outcome_fields(rownum, rec, ref: Reference, problems) -> tuple:
    """School year, indicator and value of an outcome-like row (the programme's outcomes and
    the comparison schools' alike), each checked; None where a problem was recorded."""
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
    return year, indicator, value


def _validate_outcome(rownum, rec, ref: Reference, viewer: Viewer, problems) -> dict | None:
    pid = _project_of_row(rownum, rec, ref, viewer, problems)
    year, indicator, value = _outcome_fields(rownum, rec, ref, problems)
    if problems or pid is None or value is None or year is None:
        return None
    return {
        "_key": ("outcome", pid, int(year), indicator),
        "project_id": pid,
        "school_year": int(year),
        "indicator": indicator,
        "value": float(value),
    }


def _validate_comparison(rownum, rec, ref: Reference, viewer: Viewer, problems) -> dict | None:
    """A comparison school's outcome row (issue 16 part 4): province, county and school name
    the school (created at commit when new); year, indicator and value are checked as for the
    programme's outcomes. Only a province official (its own province) or the ministry imports
    them; a programme school cannot be its own comparison."""
    prov = _province_of_row(rownum, rec, ref, problems, True)
    if prov is not None and (
        _scope_problem(viewer, prov, None) or viewer.universities is not None or viewer.read_only
    ):
        problems.append(
            Problem(rownum, "province", rec.get("province", ""), "ingest_r_out_of_scope")
        )
        prov = None
    school = _req_text(rownum, rec, "school", problems)
    county = _county_of_row(rownum, rec, ref, prov, problems)
    if school and county is not None and (_key(school), county) in ref._by_school_county:
        problems.append(Problem(rownum, "school", school, "ingest_r_cmp_programme_school"))
    year, indicator, value = _outcome_fields(rownum, rec, ref, problems)
    if problems or prov is None or county is None or value is None or year is None:
        return None
    return {
        "_key": ("comparison", school, county, int(year), indicator),
        "school_zh": school,
        "county_adcode": county,
        "province_adcode": prov,
        "school_year": int(year),
        "indicator": indicator,
        "value": float(value),
    }


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
    try:
        table = read_table(data, file_name)
        if progress:
            progress(0.1)
        ref = load_reference(store, viewer, RecordKind(kind).value, today)
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
