"""Build the dashboard's DuckDB file from ``data/``: reference data, published facts, demo rows.

    python -m dashboard_lib.build                     # data/dashboard.duckdb, 115 projects
    python -m dashboard_lib.build --projects 2000 --activity-rows 1000000 --db /tmp/big.duckdb

The file is written beside its target and moved into place at the end, so a reader never sees a
half-built database.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

from . import demo, geo
from .errors import UserError
from .i18n import pair, t
from .programme import quality
from .settings import DATA_DIR, load_settings
from .store import Store
from .store.lifecycle import (
    MARKER_SUFFIX,
    clear_marker,
    file_token_at,
    holds_user_data,
    marker_path,
    read_marker,
)
from .vocab import (
    CORPS_ADCODE,
    DEADLINES,
    DIRECTION_BY_KIND,
    ActivityKind,
    MilestoneKind,
    Provenance,
)

log = logging.getLogger(__name__)
PUB = Provenance.PUBLISHED.value

# The Corps project names a division (师), not a county: the division's seat city stands for it.
CORPS_DIVISION_SEATS = {"第一师": 659002}  # 第一师 sits at 阿拉尔市
EVENT_MILESTONES = {"agreement_signed": MilestoneKind.SIGNED, "launch": MilestoneKind.LAUNCHED}
LEVEL_WORDS = {
    "master": "master",
    "doctoral": "doctoral",
    "phd": "doctoral",
    "undergraduate": "undergraduate",
}


class BuildError(UserError, RuntimeError):
    """``data/`` cannot give the database: a reference file contradicts another (a strings key
    and its values)."""


def read_reference(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    ref = (data_dir or DATA_DIR) / "reference"
    provinces = pd.read_csv(ref / "provinces.csv", dtype={"region": "string"})
    provinces["region"] = (
        provinces["region"].astype(object).where(provinces["region"].notna(), None)
    )
    counties = pd.read_csv(ref / "counties.csv")
    crosswalk = pd.read_csv(ref / "adcode_crosswalk.csv")
    districts = pd.read_csv(ref / "districts_national.csv").set_index("adcode")
    unis = pd.read_csv(ref / "universities.csv", dtype=str).fillna("")
    unis.insert(0, "university_id", range(1, len(unis) + 1))
    unis["district_adcode"] = unis["district_adcode"].astype(int)
    missing = set(unis["district_adcode"]) - set(districts.index)
    if missing:
        raise BuildError("build_err_district_codes", codes=sorted(missing))
    unis["lon"] = unis["district_adcode"].map(districts["lon"])
    unis["lat"] = unis["district_adcode"].map(districts["lat"])
    unis["affiliated_high_schools"] = unis["affiliated_high_schools"].replace("", None)
    return {
        "province": provinces,
        "county": counties,
        "adcode_crosswalk": crosswalk,
        "university": unis,
    }


def read_published(ref: dict[str, pd.DataFrame], data_dir: Path | None = None):
    """The published projects and events, resolved to adcodes and ids. Fails loudly on a name
    that does not resolve: a published fact is never silently dropped."""
    data_dir = data_dir or DATA_DIR
    pub = pd.read_csv(data_dir / "published" / "projects_published.csv", dtype=str).fillna("")
    events = pd.read_csv(data_dir / "published" / "events_published.csv", dtype=str).fillna("")
    prov_by_name = dict(zip(ref["province"]["name_zh"], ref["province"]["adcode"]))
    uni_by_name = dict(zip(ref["university"]["name_zh"], ref["university"]["university_id"]))
    counties = ref["county"].set_index("adcode")
    rows = []
    for i, r in pub.iterrows():
        province = prov_by_name.get(r["province"])
        if province is None:
            raise BuildError("build_err_province", row=i + 2, province=r["province"])
        note = None
        if province == CORPS_ADCODE and not r["county"]:
            county = CORPS_DIVISION_SEATS.get(r["prefecture"])
            note = f"{r['prefecture']}：以师部所在城市定位 / placed at the division's seat"
            candidates = [county] if county else []
        else:
            candidates = geo.resolve_county(r["county"], int(province))
        if len(candidates) != 1:
            raise BuildError(
                "build_err_county",
                row=i + 2,
                county=r["county"],
                province=r["province"],
                candidates=candidates,
            )
        county = int(candidates[0])
        if r["university"] not in uni_by_name:
            raise BuildError("build_err_university", row=i + 2, university=r["university"])
        rows.append(
            {
                "project_id": i + 1,
                "university_id": int(uni_by_name[r["university"]]),
                "school_zh": r["school"],
                "county_adcode": county,
                "province_adcode": int(province),
                "prefecture_zh": r["prefecture"] or counties.loc[county, "prefecture_zh"],
                "affiliated_school": r["affiliated_high_school"] or None,
                "batch": 1,
                "cycle_start": date(2022, 9, 1),
                "cycle_end": date(2025, 8, 31),
                "confidence": r["confidence"],
                "location_note": note,
                "provenance": PUB,
                "source_url": r["source_url"],
            }
        )
    projects = pd.DataFrame(rows)
    key = {
        (u, s): pid for u, s, pid in zip(pub["university"], pub["school"], projects["project_id"])
    }

    milestones, activities = [], []
    for i, e in events.iterrows():
        pid = key.get((e["university"], e["school"]))
        if pid is None:
            raise BuildError(
                "build_err_event", row=i + 2, university=e["university"], school=e["school"]
            )
        precision = e["date_precision"] or "day"
        when = pd.Timestamp(e["date"] + ("-01" if precision == "month" else "")).date()
        if e["kind"] in EVENT_MILESTONES:
            kind = EVENT_MILESTONES[e["kind"]]
            milestones.append(
                {
                    "project_id": pid,
                    "kind": kind.value,
                    "due_date": pd.Timestamp(DEADLINES[kind]).date(),
                    "done_date": when,
                    "date_precision": precision,
                    "note": e["note"] or None,
                    "provenance": PUB,
                    "source_url": e["source_url"],
                }
            )
            continue
        act_kind = ActivityKind(e["kind"])
        role = e["role"] or None
        level = next((v for w, v in LEVEL_WORDS.items() if role and w in role.lower()), None)
        activities.append(
            {
                "project_id": pid,
                "kind": act_kind.value,
                "start_date": when,
                "date_precision": precision,
                "people": int(e["people"]) if e["people"] else None,
                "role": role,
                "level": level if act_kind is ActivityKind.INTERNSHIP else None,
                "direction": DIRECTION_BY_KIND[act_kind],
                "note": e["note"] or None,
                "provenance": PUB,
                "source_url": e["source_url"],
            }
        )
    activities = pd.DataFrame(activities)
    activities.insert(0, "activity_id", range(1, len(activities) + 1))
    activities["people"] = activities["people"].astype("Int32")
    return projects, pd.DataFrame(milestones), activities


def build_database(
    path: Path | str,
    spec: demo.DemoSpec | None = None,
    data_dir: Path | None = None,
    progress=print,
) -> dict[str, int]:
    """Write a complete database at ``path`` (replacing any file there) and return row counts."""
    path = Path(path)
    log.info("building the database %s from %s", path, data_dir or DATA_DIR)
    spec = spec or demo.DemoSpec()
    t0 = time.perf_counter()
    ref = read_reference(data_dir)
    projects, milestones, activities = read_published(ref, data_dir)
    progress(f"reference and published data read ({time.perf_counter() - t0:.1f} s)")
    sim = demo.generate(
        spec,
        ref["county"],
        ref["university"],
        projects,
        set(zip(milestones["project_id"], milestones["kind"])),
        first_project_id=len(projects) + 1,
        first_activity_id=len(activities) + 1,
        lazy_activity=True,
    )
    progress(
        f"simulated data generated: {len(sim['project'])} projects, activity in "
        f"{len(sim['activity_chunks'])} chunk(s) ({time.perf_counter() - t0:.1f} s)"
    )
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(tmp)
    try:
        store.create_schema()
        for table in ("province", "county", "adcode_crosswalk"):
            store.bulk_insert(table, ref[table])
        store.bulk_insert("university", ref["university"])
        store.bulk_insert("project", projects)
        store.bulk_insert("project", sim["project"])
        store.bulk_insert("milestone", milestones)
        store.bulk_insert("milestone", sim["milestone"])
        store.bulk_insert("activity", activities)
        n_sim = 0
        for chunk in sim["activity_chunks"]:  # generated, inserted and dropped one at a time
            # stored clustered by project, so a dossier's rows are found without a full scan
            frame = chunk().sort_values(["project_id", "start_date", "activity_id"], kind="stable")
            n_sim += store.bulk_insert("activity", frame)
            del frame
        progress(f"{n_sim:,} simulated activity rows inserted ({time.perf_counter() - t0:.1f} s)")
        store.bulk_insert("outcome", sim["outcome"])
        ids = [*projects["project_id"], *sim["project"]["project_id"]]
        reports = demo.simulated_term_reports(spec, ids, sim["project_cycle"])  # no approvals
        store.bulk_insert("term_report", reports)
        store.bulk_insert("outcome_target", sim["outcome_target"])  # simulated targets
        for table in ("comparison_school", "comparison_outcome"):  # simulated comparison schools
            store.bulk_insert(table, sim[table])
        store.bulk_insert("project_cycle", sim["project_cycle"])  # simulated second cycles
        store.bulk_insert("cycle_milestone", sim["cycle_milestone"])
        store.bulk_insert("quality_flag", quality.demo_flags(sim["outcome"], spec.as_of))
        for key, value in {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "demo_seed": spec.seed,
            "demo_projects": spec.projects,
            "demo_activity_scale": spec.activity_scale,
            "as_of": spec.as_of.isoformat(),
        }.items():
            store.set_meta(key, str(value))
        store.refresh_summaries()
        store.checkpoint()
        counts = store.table_counts()
    finally:
        store.close()
    os.replace(tmp, path)
    progress(
        f"database written to {path} ({time.perf_counter() - t0:.1f} s, "
        f"{path.stat().st_size / 1e6:.1f} MB)"
    )
    return counts


def _holds_user_data(path: Path) -> bool | None:
    """Does the file hold accounts or imports? None when another process (the running server)
    has it open: then it must not be replaced at all."""
    return holds_user_data(path)


def _en_then_zh(zh: str, en: str) -> str:
    """The command line's message: the English line, then the Chinese one."""
    return f"{en}\n{zh}"


def _refusal(db: Path, force: bool) -> str | None:
    """Why ``db`` must not be (re)built now, in both languages, or None."""
    if db.exists():
        held = _holds_user_data(db)
        if held is None:
            return _en_then_zh(*pair("build_refuse_in_use", db=db))
        if held and not force:
            return _en_then_zh(*pair("build_refuse_holds_data", db=db))
    marker = read_marker(db)
    if marker is not None and not force:
        same = False
        if db.exists():
            token = file_token_at(db)
            same = token is not None and token == marker.get("file_token")
        if not same:
            what = ", ".join(marker.get("holds") or ["accounts", "imports"])
            state, state_en = pair(
                "build_state_missing" if not db.exists() else "build_state_replaced"
            )
            values = {"marker": f"{db.name}{MARKER_SUFFIX}", "what": what, "db": db}
            return _en_then_zh(
                t("build_refuse_marker", "zh", state=state, **values),
                t("build_refuse_marker", "en", state=state_en, **values),
            )
    return None


def spec_for(projects: int, activity_rows: int | None, seed: int, as_of: date) -> demo.DemoSpec:
    """A DemoSpec whose activity scale aims at ``activity_rows`` rows in all."""
    scale = 1.0
    if activity_rows:
        n_terms = len(demo.terms(date(2022, 9, 1), as_of))
        per_cell = sum(demo.RATES.values()) * 1.1  # lognormal intensity mean ≈ 1.1
        scale = activity_rows / (projects * n_terms * per_cell)
    return demo.DemoSpec(seed=seed, projects=projects, activity_scale=scale, as_of=as_of)


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    ap = argparse.ArgumentParser(description="Build the dashboard database from data/.")
    ap.add_argument("--db", type=Path, default=settings.db_path)
    ap.add_argument("--seed", type=int, default=settings.demo_seed)
    ap.add_argument("--projects", type=int, default=settings.demo_projects)
    ap.add_argument(
        "--activity-rows",
        type=int,
        default=None,
        help="aim for about this many activity rows (default: programme-like rates)",
    )
    ap.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    ap.add_argument("--if-missing", action="store_true", help="do nothing when the file exists")
    ap.add_argument(
        "--force",
        action="store_true",
        help="replace a file even when it holds accounts or imported data",
    )
    args = ap.parse_args(argv)
    if args.if_missing and args.db.exists():
        print(f"{args.db} exists; not rebuilt")
        return 0
    why = _refusal(args.db, args.force)
    if why is not None:
        print(why, file=sys.stderr)
        # --if-missing (scripts/run.sh, before the server starts): not an error of the start-up
        # itself; the server then refuses the same way, in one sentence on every page
        return 0 if args.if_missing and not args.db.exists() else 1
    counts = build_database(
        args.db, spec_for(args.projects, args.activity_rows, args.seed, args.as_of)
    )
    if marker_path(args.db).exists():  # the new file holds no accounts or imports
        clear_marker(args.db)
        print(f"{marker_path(args.db).name} removed: {args.db} is a new database")
    print(", ".join(f"{k}={v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
