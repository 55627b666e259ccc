"""The benchmark: the dashboard at three scales, one table, with the naive alternatives as ratios.

    .venv/bin/python scripts/bench.py                       # 115, 1m and 10m; about 15 minutes
    .venv/bin/python scripts/bench.py --scales 115,1m --repeat 5
    .venv/bin/python scripts/bench.py --scales 115 --repeat 1 --no-browser   # quick look

Scales: ``115`` (the programme), ``1m`` (2,000 projects, ~1,000,000 activity rows), ``10m``
(2,000 projects, ~10,000,000 rows). Each database is built with ``python -m dashboard_lib.build``
into ``--dir`` (default /tmp) as ``xz_bench_<scale>.duckdb`` and reused on later runs when its meta
(seed, projects, activity scale, as-of, schema version) matches; the build's time and peak memory
are kept beside it in ``.build.json``.

Rows of the table (columns are the scales, then the target):
- build: wall time and peak RSS of the build process, file size, activity rows;
- ``q <query>``: p50 / p95 in ms of every query method of the Store the pages use, each run as a
  ministry viewer and as a province viewer (甘肃), unfiltered and filtered (province, two school
  years, three kinds), ``--repeat`` times each after one warm-up;
- ``page <view>``: AppTest time of every page in views/: first open, p50 / max of a re-run after a
  filter change (the province switched) with the shared page memo emptied first (the cold case:
  nobody asked for that view yet), and p50 of the same view asked again (served from the memo) —
  a signed-in ministry user on a copy of the file;
- map (headless Chromium against a real server): map HTML / GeoJSON bytes, bytes received by a
  fresh browser, time to the first drawn polygon (national and 甘肃), drill-down, server RSS after
  opening every page;
- the alternatives, in the same run: pandas (activity read into a DataFrame once, then a groupby
  per view) against ``metrics(by=province)``, and full-resolution boundaries through
  ``folium.Choropleth`` against the app's map, as ratios (> 1: the alternative is slower/bigger).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from dashboard_lib import build  # noqa: E402
from dashboard_lib.scope import Filters, Viewer  # noqa: E402
from dashboard_lib.store import SCHEMA_VERSION, Store  # noqa: E402

AS_OF = date(2026, 11, 28)
SEED = 2022
GANSU = 620000
SCALES = {"115": (115, None), "1m": (2000, 1_000_000), "10m": (2000, 10_000_000)}
TARGET_QUERY_MS = {"1m": 50, "10m": 100}
TARGET_PAGE_MS = {"1m": 1000}

VIEWERS = {"ministry": Viewer.ministry(), "province": Viewer.province(GANSU)}
FILTERS = {
    "national": Filters(),
    "filtered": Filters(
        provinces=(GANSU,),
        date_from=date(2023, 8, 1),
        date_to=date(2025, 7, 31),
        kinds=("dispatch", "guidance_visit", "training"),
    ),
}
D = ("dispatch",)
EXCH = ("dispatch", "guidance_visit", "shadowing", "training")
INTERN = ("internship",)

# Every read of the Store the pages make (the calls of views/ and dashboard_lib's page functions),
# with the arguments the pages give. ``pid`` is a project the province viewer may see.
QUERIES = {
    "metrics": lambda s, v, f, pid: s.metrics(v, f),
    "metrics by province": lambda s, v, f, pid: s.metrics(v, f, by="province"),
    "metrics by county": lambda s, v, f, pid: s.metrics(v, f, by="county"),
    "projects": lambda s, v, f, pid: s.projects(v, f),
    "provenance_counts": lambda s, v, f, pid: s.provenance_counts(v, f),
    "activities (published, as present.py)": lambda s, v, f, pid: s.activities(
        v, Filters(provinces=f.provinces, provenance=("published",))
    ),
    "milestones": lambda s, v, f, pid: s.milestones(v, f),
    "outcomes": lambda s, v, f, pid: s.outcomes(v, f),
    "comparison_outcomes": lambda s, v, f, pid: s.comparison_outcomes(v, f),
    "project_cycles": lambda s, v, f, pid: s.project_cycles(v, f),
    "cycle_milestones": lambda s, v, f, pid: s.cycle_milestones(v, f),
    "quality_flags": lambda s, v, f, pid: s.quality_flags(v, f),
    "quality_flag": lambda s, v, f, pid: s.quality_flag(v, 1),
    "provinces": lambda s, v, f, pid: s.provinces(),
    "scope_provinces": lambda s, v, f, pid: s.scope_provinces(v),
    "universities": lambda s, v, f, pid: s.universities(),
    "counties": lambda s, v, f, pid: s.counties([GANSU]),
    "meta": lambda s, v, f, pid: s.meta(),
    "term_reports": lambda s, v, f, pid: s.term_reports(v, 20261),
    "term_approvals": lambda s, v, f, pid: s.term_approvals(v, 20261),
    "due_date_overrides": lambda s, v, f, pid: s.due_date_overrides(),
    # the approved / provisional marker of every page, and the scorecard's targets (issue 16)
    "approved_pairs": lambda s, v, f, pid: s.approved_pairs(v),
    "approval_stamp": lambda s, v, f, pid: s.approval_stamp(),
    "outcome_targets": lambda s, v, f, pid: s.outcome_targets(v, f),
    "as_of": lambda s, v, f, pid: s.as_of(),
    "filter_choices": lambda s, v, f, pid: s.filter_choices(v, f.provinces),
    "programme_projects": lambda s, v, f, pid: s.programme_projects(v, f),
    "project_milestones": lambda s, v, f, pid: s.project_milestones(v, f),
    "outcome_trend": lambda s, v, f, pid: s.outcome_trend(v, f),
    "activity_agg provenance": lambda s, v, f, pid: s.activity_agg(v, f, by=("provenance",)),
    "activity_agg project×term": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("project_id", "term_code")
    ),
    "activity_agg project×term dispatch": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("project_id", "term_code"), kinds=D
    ),
    "activity_agg province×kind": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("province_adcode", "kind"), kinds=EXCH
    ),
    "activity_agg university×kind": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("university_id", "kind"), kinds=EXCH
    ),
    "activity_agg term×kind×direction": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("term_code", "kind", "direction"), kinds=EXCH
    ),
    "activity_agg kind×mode×provenance": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("kind", "mode", "provenance"), kinds=EXCH
    ),
    "activity_agg role": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("value",), dim="role", kinds=D
    ),
    "activity_agg subject": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("value",), dim="subject", kinds=D
    ),
    "activity_agg project×kind": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("project_id", "kind"), kinds=EXCH
    ),
    "activity_agg level×term": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("term_code", "value", "provenance"), dim="level", kinds=INTERN
    ),
    "activity_agg project": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("project_id",), kinds=INTERN
    ),
    "activity_agg university": lambda s, v, f, pid: s.activity_agg(
        v, f, by=("university_id",), kinds=INTERN
    ),
    "dossier programme_projects": lambda s, v, f, pid: s.programme_projects(v, f, project_id=pid),
    "dossier activity_agg": lambda s, v, f, pid: s.activity_agg(v, f, by=("kind",), project_id=pid),
    "dossier project_activities": lambda s, v, f, pid: s.project_activities(v, f, pid),
    "dossier project_milestones": lambda s, v, f, pid: s.project_milestones(v, f, project_id=pid),
    "dossier project_outcomes": lambda s, v, f, pid: s.project_outcomes(v, f, project_id=pid),
    "explorer_milestone_share province": lambda s, v, f, pid: s.explorer_milestone_share(
        v, f, by="province"
    ),
    "explorer_milestone_share county": lambda s, v, f, pid: s.explorer_milestone_share(
        v, f, by="county"
    ),
    "explorer_cards": lambda s, v, f, pid: s.explorer_cards(v, f),
    "explorer_cards county": lambda s, v, f, pid: s.explorer_cards(
        v, f, county_adcode=_COUNTY[pid]
    ),
    "explorer_flows": lambda s, v, f, pid: s.explorer_flows(v, f),
    # asked on every page run (the memo's key); read from the file once per write of the Store,
    # remembered in between (microseconds)
    "data_version (after a write)": lambda s, v, f, pid: (s._changed(), s.data_version()),
}
# Store methods the pages call that are not reads of programme data (writes, accounts, imports):
# not benchmarked here (bench_import.py times imports).
NOT_QUERIES = {
    # the file lifecycle and sign-in (scripts/bench_login.py times the sign-in)
    "_mark",
    "_scalar",
    "schema_version",
    "create_session",
    "revoke_session",
    "session_status",
    "already_imported",
    "audit_log",
    "bulk_insert",
    "check_file",
    "follow",  # a replica's older snapshot store re-pointed at the newer one: no query
    "checkpoint",
    "close",
    "create_schema",
    "editable_activities",
    "import_commit",
    "import_history",
    "ingest_reference",
    "ingest_universities",
    "insert_user",
    "log_event",
    "record_login",
    "refresh_summaries",
    "set_meta",
    "table_counts",
    "undo_batch",
    "update_activity",
    # the term reports' writes (issue 16): one transaction each, like the imports
    "approve_term",
    "reopen_term",
    "review_term_report",
    "set_due_date",
    "submit_term_report",
    "submit_term_reports",
    "accept_term_reports",
    "set_target",
    "may_set_targets",  # a role check, no query
    "confirm_quality_flag",  # the quality page's writes (issue 16 part 7)
    "correct_quality_flag",
    "may_review_quality",  # a role check, no query
    "update_user",
    "user",
    "user_by_subject",
    "users_by_identity",
    "users",
}


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def machine() -> str:
    mem = next(
        int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")
    )
    load = open("/proc/loadavg").read().split()[:3]
    import duckdb
    import streamlit

    return (
        f"machine: {os.cpu_count()} cores (nproc), {mem / 2**20:.1f} GiB RAM, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, Streamlit {streamlit.__version__}; "
        f"load average {' '.join(load)} at {datetime.now():%Y-%m-%d %H:%M}"
    )


def load_now() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


# ---------------------------------------------------------------------------- databases
def db_path(out_dir: Path, scale: str) -> Path:
    return out_dir / f"xz_bench_{scale}.duckdb"


def _meta_matches(path: Path, projects: int, rows: int | None) -> bool:
    spec = build.spec_for(projects, rows, SEED, AS_OF)
    try:
        st = Store(path, read_only=True)
    except Exception:
        return False
    try:
        if st.schema_version() != SCHEMA_VERSION or not st.summary_current():
            return False
        m = st.meta()
        return (
            m.get("demo_seed") == str(SEED)
            and m.get("demo_projects") == str(projects)
            and m.get("as_of") == AS_OF.isoformat()
            and abs(float(m.get("demo_activity_scale", "nan")) - spec.activity_scale) < 1e-9
        )
    finally:
        st.close()


def ensure_db(out_dir: Path, scale: str, log=print) -> tuple[Path, dict]:
    """The scale's database (built or reused) and its build record."""
    projects, rows = SCALES[scale]
    path = db_path(out_dir, scale)
    record = path.with_name(path.name + ".build.json")
    if path.exists() and _meta_matches(path, projects, rows):
        info = json.loads(record.read_text()) if record.exists() else {}
        info["reused"] = True
        return path, info
    cmd = [
        sys.executable,
        "-m",
        "dashboard_lib.build",
        "--db",
        str(path),
        "--projects",
        str(projects),
        "--seed",
        str(SEED),
        "--as-of",
        AS_OF.isoformat(),
        "--force",
    ]
    if rows:
        cmd += ["--activity-rows", str(rows)]
    log(f"building {scale}: {' '.join(cmd[1:])}")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"build of {scale} failed:\n{out}")
    info = {
        "seconds": time.perf_counter() - t0,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "load": load_now(),
        "built_at": datetime.now().isoformat(timespec="seconds"),
    }
    record.write_text(json.dumps(info))
    info["reused"] = False
    return path, info


# ---------------------------------------------------------------------------- queries
_COUNTY: dict[int, int] = {}  # project id -> its county (for the one-county card query)


def gansu_project(store: Store) -> int:
    first = store.projects(Viewer.province(GANSU)).iloc[0]
    _COUNTY[int(first["project_id"])] = int(first["county_adcode"])
    return int(first["project_id"])


def query_times(store: Store, repeat: int) -> dict[str, list[float]]:
    pid = gansu_project(store)
    out: dict[str, list[float]] = {}
    for name, fn in QUERIES.items():
        times = []
        for v in VIEWERS.values():
            for f in FILTERS.values():
                fn(store, v, f, pid)  # warm
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    fn(store, v, f, pid)
                    times.append(time.perf_counter() - t0)
        out[name] = times
    return out


# ---------------------------------------------------------------------------- pandas alternative
def pandas_alternative(store: Store, repeat: int) -> dict:
    """What a user would write: read activity into pandas once, group per view; checked equal."""
    import pandas as pd

    t0 = time.perf_counter()
    with store._con.cursor() as cur:
        acts = cur.execute("SELECT * FROM activity").df()
        projects = cur.execute("SELECT project_id, province_adcode FROM project").df()
    load = time.perf_counter() - t0

    def by_province(province=None):
        a = acts.merge(projects, on="project_id")
        if province is not None:
            a = a[a["province_adcode"] == province]
        disp = a[a["kind"] == "dispatch"].groupby("province_adcode")["people"].sum()
        visits = a[a["kind"] == "guidance_visit"].groupby("province_adcode").size()
        total = a.groupby("province_adcode").size()
        return (
            pd.DataFrame(
                {"people_dispatched": disp, "guidance_visits": visits, "activities": total}
            )
            .fillna(0)
            .astype("int64")
            .sort_index()
        )

    t_pd, t_db = [], []
    for prov, viewer in ((None, Viewer.ministry()), (GANSU, Viewer.province(GANSU))):
        for _ in range(max(repeat, 1)):
            t0 = time.perf_counter()
            mine = by_province(prov)
            t_pd.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            theirs = store.metrics(viewer, by="province")
            t_db.append(time.perf_counter() - t0)
        theirs = theirs.set_index("key")[["people_dispatched", "guidance_visits", "activities"]]
        theirs = theirs[theirs["activities"] > 0].astype("int64")
        theirs.index.name = "province_adcode"
        pd.testing.assert_frame_equal(mine, theirs, check_names=False)
    return {"load": load, "pandas": statistics.median(t_pd), "store": statistics.median(t_db)}


# ---------------------------------------------------------------------------- pages (AppTest)
def pages() -> list[str]:
    return sorted(p.stem for p in (ROOT / "views").glob("*.py") if not p.name.startswith("_"))


def page_times(db: Path, repeat: int, log=print) -> dict[str, tuple]:
    """Each page opened by a signed-in ministry user (on a copy of the file, which gets the user):
    (first open, [re-runs after a filter change]) in seconds, or an error string."""
    from streamlit.testing.v1 import AppTest

    from dashboard_lib import auth, memo

    tmp = Path(tempfile.mkdtemp(prefix="xz_bench_pages_"))
    copy = tmp / "dashboard.duckdb"
    shutil.copy(db, copy)
    st = Store(copy)
    auth.create_user(st, "bench", "ministry", "Bench-password-2026!")
    st.close()
    os.environ["XZ_DB_PATH"] = str(copy)
    os.environ["XZ_DEMO_MODE"] = "1"
    out = {}
    try:
        for page in pages():
            try:
                at = AppTest.from_file(str(ROOT / "views" / f"{page}.py"), default_timeout=300)
                at.session_state["auth"] = {"user": "bench", "last": datetime.now()}
                at.query_params["project"] = str(gansu_project_file(copy))
                t0 = time.perf_counter()
                at.run()
                first = time.perf_counter() - t0
                if at.exception:
                    out[page] = f"error: {at.exception[0].message[:60]}"
                    continue
                reruns = []
                has_filter = any(w.key == "province_select" for w in at.selectbox)
                seq = [GANSU, None, 530000, None, 450000, None]  # national views weigh most
                for i in range(max(repeat, 4)):
                    at.session_state["auth"]["last"] = datetime.now()
                    memo.clear_all()  # the cold case: nobody has asked for this view before
                    t0 = time.perf_counter()
                    if has_filter:
                        at.selectbox(key="province_select").set_value(seq[i % len(seq)]).run()
                    else:
                        at.run()
                    reruns.append(time.perf_counter() - t0)
                    if at.exception:
                        break
                warm = []
                for _ in range(3):  # the same view again: served from the shared memo
                    at.session_state["auth"]["last"] = datetime.now()
                    t0 = time.perf_counter()
                    at.run()
                    warm.append(time.perf_counter() - t0)
                out[page] = (
                    (first, reruns, has_filter, warm)
                    if not at.exception
                    else f"error: {at.exception[0].message[:60]}"
                )
            except Exception as exc:  # a page that cannot run is reported, not fatal
                out[page] = f"error: {type(exc).__name__}: {str(exc)[:60]}"
            log(
                f"  page {page}: {out[page] if isinstance(out[page], str) else f'{out[page][0]:.2f} s'}"
            )
    finally:
        from dashboard_lib.ui import core

        core._open.clear()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


_PID_CACHE: dict[str, int] = {}


def gansu_project_file(path: Path) -> int:
    if str(path) not in _PID_CACHE:
        from dashboard_lib.settings import load_settings  # noqa: F401
        from dashboard_lib.ui import core

        st = core._open(str(path), "").store  # the same connection the pages will use
        _PID_CACHE[str(path)] = gansu_project(st)
    return _PID_CACHE[str(path)]


# ---------------------------------------------------------------------------- map and server
def rss_mb(pid: int) -> float:
    total = 0
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            total = int(line.split()[1])
    return total / 1024


SHOTS = ROOT / "artifacts" / "bench"


def map_and_server(db: Path, browser, naive: bool, scale: str = "") -> dict:
    import bench_map as BM

    import devkit.explorer_page as T
    from devkit.browser import start_server

    res = {"nat": BM.app_server_side(str(db), None), "prov": BM.app_server_side(str(db), GANSU)}
    if browser is None:
        return res
    proc, log, url = start_server(db, Path(tempfile.mktemp(suffix=".log")))
    try:
        BM.app_browser(url, browser, with_drill=False)  # warm the server once
        res["browser"] = BM.app_browser(url, browser, with_drill=True)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        page.route(
            lambda u: not u.startswith(("http://localhost", "http://127.0.0.1")),
            lambda r: r.abort(),
        )
        for path in ("", "progress", "exchanges", "internships", "dossier", "explorer", "about"):
            page.goto(f"{url}/{path}")
            page.wait_for_timeout(2500)
            page.locator("[data-testid='stStatusWidget']").wait_for(
                state="detached", timeout=120_000
            )
            if path == "":  # the overview: look at it as a user would
                page.frame_locator(T.FRAME).locator("path.leaflet-interactive").first.wait_for(
                    state="attached", timeout=120_000
                )
                page.wait_for_timeout(1500)
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"overview_{scale or db.stem}.png"))
        ctx.close()
        time.sleep(1.0)
        res["rss_mb"] = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
    if naive and not BM.have_cnmaps():
        res["naive_skipped"] = BM.CNMAPS_MISSING
    elif naive:
        nh, nt = BM.naive_html(str(db), None)
        res["naive_bytes"] = len(nh.encode())
        res["naive_browser"] = BM.naive_browser({"nation": nh}, browser)
    return res


# ---------------------------------------------------------------------------- the table
def ms(x):
    return f"{x * 1e3:.1f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scales", default="115,1m,10m", help="comma-separated: 115, 1m, 10m")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query, viewer and filter")
    ap.add_argument("--dir", type=Path, default=Path("/tmp"), help="where the databases are kept")
    ap.add_argument(
        "--no-browser", action="store_true", help="skip the map, browser and server rows"
    )
    ap.add_argument("--no-pages", action="store_true", help="skip the AppTest page rows")
    ap.add_argument("--build-only", action="store_true")
    args = ap.parse_args(argv)
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    bad = [s for s in scales if s not in SCALES]
    if bad:
        ap.error(f"unknown scale(s) {bad}; choose from {list(SCALES)}")
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    print(machine())
    rows: dict[str, dict[str, str]] = {}
    targets: dict[str, str] = {}

    def put(row, scale, value, target=""):
        rows.setdefault(row, {})[scale] = value
        if target:
            targets[row] = target

    from contextlib import ExitStack

    with ExitStack() as stack:
        browser = None
        if not args.no_browser and not args.build_only:
            import bench_map as BM
            from playwright.sync_api import sync_playwright

            p = stack.enter_context(sync_playwright())
            browser = BM._launch(p)
            stack.callback(browser.close)
        for scale in scales:
            path, info = ensure_db(args.dir, scale, log)
            log(f"{scale}: {path} ({'reused' if info.get('reused') else 'built'})")
            put(
                "build: time s (peak RSS MB)",
                scale,
                f"{info['seconds']:.1f} ({info['peak_rss_mb']:.0f})" if "seconds" in info else "—",
            )
            put("build: file MB", scale, f"{path.stat().st_size / 1e6:.1f}")
            if args.build_only:
                continue
            store = Store(path)
            put(
                "build: activity rows", scale, f"{store._scalar('SELECT count(*) FROM activity'):,}"
            )
            log(f"{scale}: queries (load {load_now()})")
            qt = query_times(store, args.repeat)
            for name, times in qt.items():
                put(
                    f"q {name} p50/p95 ms",
                    scale,
                    f"{ms(pct(times, 0.5))} / {ms(pct(times, 0.95))}",
                    "p95 ≤ 50 (1m), ≤ 100 (10m)",
                )
            worst = max(pct(t, 0.95) for t in qt.values())
            put("q WORST p95 ms", scale, ms(worst), "≤ 50 (1m), ≤ 100 (10m)")
            log(f"{scale}: pandas alternative")
            alt = pandas_alternative(store, args.repeat)
            store.close()
            put("alt pandas: read activity into pandas s (once)", scale, f"{alt['load']:.2f}")
            put(
                "alt pandas groupby / metrics(by=province) ms",
                scale,
                f"{ms(alt['pandas'])} / {ms(alt['store'])} = ×{alt['pandas'] / alt['store']:.0f}",
            )
            if not args.no_pages:
                log(f"{scale}: pages (load {load_now()})")
                for page, r in page_times(path, args.repeat, log).items():
                    if isinstance(r, str):
                        put(f"page {page} ms", scale, r)
                        continue
                    first, reruns, has_filter, warm = r
                    what = (
                        "filter change (cold) p50 / max"
                        if has_filter
                        else "re-run (cold) p50 / max"
                    )
                    put(
                        f"page {page}: open / {what} / again (memo) p50 ms",
                        scale,
                        f"{first * 1e3:.0f} / {statistics.median(reruns) * 1e3:.0f} / {max(reruns) * 1e3:.0f}"
                        f" / {statistics.median(warm) * 1e3:.0f}",
                        "≤ 1000 (1m)",
                    )
            if not args.no_browser:
                log(f"{scale}: map and server (load {load_now()})")
                m = map_and_server(path, browser, naive=True, scale=scale)
                nat, prov = m["nat"], m["prov"]
                put(
                    "map national: HTML / GeoJSON MB",
                    scale,
                    f"{nat['bytes'] / 1e6:.2f} / {nat['geojson'] / 1e6:.2f}",
                )
                put(
                    "map 甘肃: HTML / GeoJSON MB",
                    scale,
                    f"{prov['bytes'] / 1e6:.2f} / {prov['geojson'] / 1e6:.2f}",
                )
                put(
                    "map national build cold / cached s",
                    scale,
                    f"{nat['cold']:.2f} / {nat['cached']:.2f}",
                )
                b = m.get("browser", {})
                if b:
                    put(
                        "map national: browser received MB",
                        scale,
                        f"{b['nation_ws'] / 1e6:.2f}",
                        "≤ 1.5",
                    )
                    put("map national: first polygon s", scale, f"{b['nation_first']:.2f}", "≤ 3.5")
                    put("map 甘肃: first polygon s", scale, f"{b['province_first']:.2f}")
                    put("map drill 全国→甘肃 s", scale, f"{b['drill']:.2f}", "≤ 1.5")
                    put("page without map (/about) first text s", scale, f"{b['frame']:.2f}")
                    put("server RSS after opening every page MB", scale, f"{m['rss_mb']:.0f}")
                    if "naive_skipped" in m:
                        put("alt Choropleth full-res", scale, m["naive_skipped"])
                        log(f"alt Choropleth rows skipped: {m['naive_skipped']}")
                    else:
                        nb = m["naive_browser"]
                        put(
                            "alt Choropleth full-res: HTML MB (× app)",
                            scale,
                            f"{m['naive_bytes'] / 1e6:.2f} (×{m['naive_bytes'] / nat['bytes']:.1f})",
                        )
                        put(
                            "alt Choropleth full-res: first polygon s (× app)",
                            scale,
                            f"{nb['nation_first']:.2f} (×{nb['nation_first'] / b['nation_first']:.1f})",
                        )
            log(f"{scale}: done (load {load_now()})")
    head = ["measure", *scales, "target"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row, vals in rows.items():
        print(
            "| "
            + " | ".join([row, *(vals.get(s, "—") for s in scales), targets.get(row, "")])
            + " |"
        )
    print(f"\nload average at the end: {load_now()} (other work on the machine inflates the times)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
