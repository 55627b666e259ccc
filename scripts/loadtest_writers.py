"""Load with writers (issue 15, item 6): signed-in users of different roles and provinces on two
replicas behind nginx, on the PostgreSQL deployment, some entering activity while the others read.

It starts the one-command deployment (``scripts/deploy_local.sh``: a private PostgreSQL 15
cluster, the snapshot job, REPLICAS=2 replicas, nginx with sticky sessions), waits for the
replicas' warm-up as a real start does, or attaches to a running one (``--url`` of nginx with
``--database-url`` and ``--snapshot``). Then:

1. accounts: one per session, made with the product's store API in PostgreSQL mode
   (``dashboard_lib.auth.create_user``, what ``python -m dashboard_lib.auth create-user`` runs),
   province officials and university staff for the writers, the ministry, provinces,
   universities and the presenter for the readers, spread over the provinces that have projects;
2. every session signs in through the real path: its first request to nginx gets the sticky
   ``xz_route`` cookie, the log-in page's form is filled in and submitted over the websocket,
   the one-time address the script answers with is fetched (on the same replica, by the route
   cookie) and gives the HttpOnly ``xz_session`` cookie; every later websocket handshake sends
   both cookies, as the browser does after the sign-in's reload;
3. readers (``--sessions`` minus ``--writers``) open the reading pages with filters, as
   ``scripts/loadtest.py`` does; writers open 数据填报 (``views/data_entry.py``), choose one of
   their projects and a start date, write a marker (``lt-<run>-w<i>-<k>``) in the note, press
   the form's submit button and read the answer: the success sentence counts the row as
   committed (write latency: from the click to that sentence), a refusal is an error;
4. an observer follows the published snapshot and notes when each marker first shows there
   (snapshot lag); the replicas' and the job's RSS is sampled all along.

At the end it waits (up to ``--catch-up`` s) for the snapshot to hold every committed row, then
counts the markers the clients were told were saved against the rows in PostgreSQL and in the
snapshot (lost writes), and prints a table. Exit status 1 on any error, lost write or missed
target (read p95 <= 2 s, write p95 <= 3 s), or memory that does not level off.

    .venv/bin/python scripts/loadtest_writers.py --sessions 40 --writers 10 --duration 180
    .venv/bin/python scripts/loadtest_writers.py --sessions 4 --writers 2 --duration 20 --no-warm
    .venv/bin/python scripts/loadtest_writers.py --url http://127.0.0.1:8080 \\
        --database-url postgresql://xz@127.0.0.1:5432/xz --snapshot /tmp/xz-deploy.X/snapshot.duckdb

Localhost only. The accounts it makes stay in the database (``lt<run>…``): attach only to a
deployment for testing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import io
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import websockets
from loadtest import LOCAL_HOSTS, pct, query_for, sample_memory, slope

from devkit.stclient import (
    PAGES,
    TRIGGER,
    PageRun,
    SignInError,
    connect,
    http_get,
    http_put_file,
    run_page,
    sign_in,
    upload_urls,
    uploaded,
    wait_healthy,
    widget_states,
)

ROOT = Path(__file__).resolve().parent.parent
READ_P95, WRITE_P95 = 2.0, 3.0  # the targets of issue 15, item 6 (seconds)


# ---------------------------------------------------------------------- the deployment
@dataclass
class Deployment:
    """``scripts/deploy_local.sh`` run in the background: what it printed about itself."""

    proc: subprocess.Popen | None = None
    url: str = ""  # nginx
    database_url: str = ""
    work: Path | None = None
    job_pid: int = 0
    replicas: list[tuple[int, str]] = field(default_factory=list)  # (pid, url)
    lines: list[str] = field(default_factory=list)

    @property
    def snapshot(self) -> Path:
        assert self.work is not None
        return self.work / "snapshot.duckdb"

    @property
    def pids(self) -> list[int]:
        return [p for p, _ in self.replicas] + ([self.job_pid] if self.job_pid else [])

    def start(self, replicas: int = 2, timeout: float = 240) -> Deployment:
        """Start it and wait for "Open http://…" (everything up); SystemExit with its output
        when it stops or takes longer than ``timeout``."""
        env = {**os.environ, "REPLICAS": str(replicas), "PORT": str(_free_port())}
        env.pop("DEPLOY_SMOKE", None)
        env.pop("KEEP", None)
        self.proc = subprocess.Popen(
            ["bash", "scripts/deploy_local.sh"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()

        def read() -> None:  # keep draining its output, or it blocks on a full pipe
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                self._parse(line)
                if self.url:
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout) or not self.url:
            self.stop()
            raise SystemExit("the deployment did not start:\n" + "\n".join(self.lines[-40:]))
        return self

    def _parse(self, line: str) -> None:
        if m := re.search(r"a private cluster in (\S+)/postgres$", line):
            self.work = Path(m.group(1))
        elif m := re.match(r"\s+(postgresql://\S+)$", line):
            self.database_url = m.group(1)
        elif m := re.search(r"\(job pid (\d+)\)", line):
            self.job_pid = int(m.group(1))
        elif m := re.match(r"\s+replica \d+: pid (\d+), (http://\S+)$", line):
            self.replicas.append((int(m.group(1)), m.group(2)))
        elif m := re.match(r"Open (http://\S+)", line):
            self.url = m.group(1)

    def wait_warm(self, timeout: float = 300) -> bool:
        """Until every replica's warm-up (scripts/warm.py, started by deploy_local.sh) has
        written its summary into the replica's log, as the replica unit's ExecStartPost waits."""
        assert self.work is not None
        deadline = time.time() + timeout
        logs = [self.work / f"replica{n}.log" for n in range(1, len(self.replicas) + 1)]
        while time.time() < deadline:
            if all("warm-up:" in _read(p) for p in logs):
                return True
            time.sleep(1)
        return False

    def stop(self) -> None:
        """SIGTERM: deploy_local.sh stops nginx, the replicas, the job and PostgreSQL and
        removes its folder."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _free_port() -> int:
    from devkit.pgcluster import free_port

    return free_port()


# ---------------------------------------------------------------------- accounts
@dataclass(frozen=True)
class Account:
    user: str
    password: str
    role: str
    province: int | None = None
    university: int | None = None
    writes: bool = False
    schools: tuple[str, ...] = ()  # the schools of the projects in its scope (for its imports)

    @property
    def scope(self) -> str:
        return self.role + (
            f" {self.province}"
            if self.province
            else f" u{self.university}"
            if self.university
            else ""
        )


def make_accounts(
    database_url: str, snapshot: Path, sessions: int, writers: int, run: str, seed: int
) -> list[Account]:
    """One account per session, created through the store in PostgreSQL mode (the code of
    ``python -m dashboard_lib.auth create-user``): writers are province officials and
    university staff (alternately), readers the ministry, provinces, universities and the
    presenter; provinces and universities are those that have projects, spread round-robin."""
    from dashboard_lib import auth
    from dashboard_lib.scope import Viewer
    from dashboard_lib.store import Store

    rng = random.Random(seed)
    store = Store(snapshot.resolve(), read_only=True, database_url=database_url)
    try:
        projects = store.projects(Viewer.ministry())
        provinces = sorted({int(p) for p in projects["province_adcode"]})
        universities = sorted({int(u) for u in projects["university_id"]})
        rng.shuffle(provinces)
        rng.shuffle(universities)
        out: list[Account] = []
        reader_roles = ("province", "ministry", "university", "presenter")
        for i in range(sessions):
            writes = i < writers
            role = ("province", "university")[i % 2] if writes else reader_roles[i % 4]
            acct = Account(
                user=f"lt{run}{'w' if writes else 'r'}{i}",
                password=f"Load-{secrets.token_hex(6)}-2026",
                role=role,
                province=provinces[i % len(provinces)] if role == "province" else None,
                university=universities[i % len(universities)] if role == "university" else None,
                writes=writes,
            )
            if role == "province":
                mine = projects[projects["province_adcode"] == acct.province]
            else:
                mine = projects[projects["university_id"] == acct.university]
            acct = dataclasses.replace(acct, schools=tuple(sorted(set(mine["school_zh"]))))
            auth.create_user(
                store,
                acct.user,
                acct.role,
                acct.password,
                province_adcode=acct.province,
                university_ids=[acct.university] if acct.university else None,
                actor="cli:loadtest",
            )
            out.append(acct)
        return out
    finally:
        store.close()


# ---------------------------------------------------------------------- the sessions
@dataclass
class Tally:
    reads: list[tuple[float, str, float]] = field(default_factory=list)  # (t, page, seconds)
    # the seconds of the reading pages' runs, by the reader's role (writers' own pages apart)
    by_role: dict[str, list[float]] = field(default_factory=dict)
    writes: list[tuple[float, str, float]] = field(default_factory=list)  # (t, page, seconds)
    sign_ins: list[float] = field(default_factory=list)
    told: dict[str, float] = field(default_factory=dict)  # marker -> when the client was told
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)
    connects: int = 0
    routes: set[str] = field(default_factory=set)  # the sessions' sticky xz_route cookies

    def error(self, kind: str, detail: str = "") -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if detail and len(self.error_examples) < 12:
            self.error_examples.append(f"{kind}: {detail[:300]}")


async def first_visit(base_url: str) -> dict[str, str]:
    """The browser's first request: nginx answers with its sticky ``xz_route`` cookie (a
    server without nginx in front sets none: a random one is as good), Streamlit with its XSRF
    cookie (the upload endpoint checks it)."""
    _status, _headers, jar = await asyncio.to_thread(http_get, base_url + "/")
    jar.setdefault("xz_route", secrets.token_hex(8))
    # the frontend's health check, on the replica the route cookie picks: Streamlit's XSRF cookie
    _status, _headers, more = await asyncio.to_thread(
        http_get, base_url + "/_stcore/health", {"xz_route": jar["xz_route"]}
    )
    return {**jar, **more}


def row_key(marker: str, j: int = 0) -> tuple[date, int]:
    """A start date (in the last 90 days) and a head count of the ``j``-th row of the write
    ``marker`` names (``lt-<run>-w<i>-<k>``): writer i's rows count i+1 people, each write and
    row has its own day (province writers, even i, and university writers, odd i, on different
    days where their projects meet), so no two rows of a run are the same activity. (Rows that are — the
    same project, kind, dates and people — are one activity: the product refuses the second
    one recorded since its check, and random rows made such pairs in longer runs.)"""
    found = re.search(r"-w(\d+)-(\d+)", marker)
    i, k = (int(found[1]), int(found[2])) if found else (0, 0)
    return date.today() - timedelta(days=(2 * k + j + 45 * (i % 2)) % 89 + 1), i % 10 + 1


def entry_values(form, marker: str, rng: random.Random) -> dict[str, object] | None:
    """The entry form's values for one new row: one of the viewer's projects, the marker's
    start date and head count (``row_key``) where the kind asks for them, the marker in the
    note, and the submit button's click; None when the page drew no form (no projects,
    refused)."""
    project = form.widget("entry_project")
    start = form.widget("entry_start_date")
    note = form.widget("entry_note")
    if project is None or start is None or note is None or not project.selectbox.options:
        return None
    submit = [
        el.button
        for el in form.in_form(project.selectbox.form_id)
        if el.WhichOneof("type") == "button" and el.button.is_form_submitter
    ]
    if not submit:
        return None
    day, people = row_key(marker)
    values: dict[str, object] = {
        project.selectbox.id: rng.choice(list(project.selectbox.options)),
        start.date_input.id: day,
        note.text_input.id: marker,
        submit[0].id: TRIGGER,
    }
    for key in ("entry_people", "entry_participants"):
        el = form.widget(key)
        if el is not None:
            values[el.number_input.id] = people
    return values


async def write_once(
    ws, marker: str, rng: random.Random, tally: Tally, timeout: float, form: PageRun | None = None
) -> bool:
    """Open the entry page (unless ``form`` is its run, just made), fill in its form and submit
    it; False when the connection should be started again (a timeout)."""
    if form is None:
        form = await run_page(ws, "entry", "", timeout)
        if form.problem:
            tally.error(
                "timeout" if form.problem == "timeout" else "exception", f"entry {form.problem}"
            )
            return form.problem != "timeout"
        tally.reads.append((time.time(), "entry", form.secs))
    values = entry_values(form, marker, rng)
    if values is None:
        tally.error("no_entry_form", f"{marker}: {[a[2] for a in form.alerts()]}")
        return True
    t_click = time.time()
    done = await run_page(ws, "entry", "", timeout, widget_states(values))
    if done.problem:
        tally.error(
            "timeout" if done.problem == "timeout" else "exception", f"submit {done.problem}"
        )
        return done.problem != "timeout"
    said = done.alerts()
    ok = [a for a in said if a[1] == "success"]
    if ok:
        tally.told[marker] = t_click + ok[0][0]
        tally.writes.append((time.time(), "entry", ok[0][0]))
    elif [a for a in said if a[1] == "error"]:
        tally.error("write_refused", f"{marker}: {[a[2] for a in said]}")
    else:
        tally.error("write_no_answer", f"{marker}: {[a[2] for a in said]}")
    return True


def import_file(schools: tuple[str, ...], markers: list[str], rng: random.Random) -> bytes:
    """A small guidance-visit CSV (UTF-8, Chinese headers as the template's): one row per
    marker, a school of the viewer's own, the marker's start date and head count (``row_key``),
    the marker in 备注."""
    buf = io.StringIO()
    rows = [["帮扶县中", "开始日期", "人数", "备注"]]
    for j, m in enumerate(markers):
        day, people = row_key(m, j)
        rows.append([rng.choice(schools), day.isoformat(), str(people), m])
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


async def import_once(
    ws,
    base_url: str,
    jar: dict[str, str],
    schools: tuple[str, ...],
    markers: list[str],
    rng: random.Random,
    tally: Tally,
    timeout: float,
) -> bool:
    """The import page as a user works it: choose the kind 督导指导 (guidance visit), put a
    two-row CSV into the uploader (upload endpoint through nginx, same replica by the route
    cookie), read the preview, press 确认导入 and read the answer. False when the connection
    should be started again (a timeout)."""
    from dashboard_lib.ingest import RecordKind, kind_label

    async def page(widgets: dict[str, object] | None, what: str):
        r = await run_page(ws, "import", "", timeout, widget_states(widgets) if widgets else None)
        if r.problem:
            tally.error("timeout" if r.problem == "timeout" else "exception", f"{what} {r.problem}")
            return None
        return r

    first = await page(None, "import page")
    if first is None:
        return False
    tally.reads.append((time.time(), "import", first.secs))
    kind, uploader = first.widget("ingest_kind"), first.widget("ingest_file")
    if kind is None or uploader is None:
        tally.error("no_import_form", f"{markers[0]}: {[a[2] for a in first.alerts()]}")
        return True
    state: dict[str, object] = {kind.selectbox.id: kind_label(RecordKind.GUIDANCE_VISIT, "zh")}
    name = markers[0] + ".csv"
    data = import_file(schools, markers, rng)
    urls = (await upload_urls(ws, [name]))[0]
    status = await asyncio.to_thread(
        http_put_file, base_url + urls.upload_url, name, data, jar, timeout
    )
    if status != 204:
        tally.error("upload", f"{name}: HTTP {status}")
        return True
    state[uploader.file_uploader.id] = uploaded(urls, name, len(data))
    preview = await page(state, "preview")
    if preview is None:
        return False
    commit = preview.widget("ingest_commit")
    if commit is None:
        tally.error("no_commit_button", f"{name}: {[a[2] for a in preview.alerts()]}")
        return True
    t_click = time.time()
    done = await page({**state, commit.button.id: TRIGGER}, "commit")
    if done is None:
        return False
    said = done.alerts()
    ok = [a for a in said if a[1] == "success"]
    if ok:
        for m in markers:
            tally.told[m] = t_click + ok[0][0]
        tally.writes.append((time.time(), "import", ok[0][0]))
    else:
        tally.error("import_refused", f"{name}: {[a[2] for a in said]}")
    return True


async def session(
    i: int,
    acct: Account,
    base_url: str,
    stop_at: float,
    tally: Tally,
    think: tuple[float, float],
    timeout: float,
    run: str,
    seed: int,
) -> None:
    rng = random.Random(seed * 1000 + i)
    await asyncio.sleep(rng.uniform(0, 3))  # people do not all arrive in the same millisecond
    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        jar = await first_visit(base_url)
        route = jar["xz_route"]
        tally.routes.add(route)
        token, secs = await sign_in(base_url, acct.user, acct.password, route, timeout)
        jar["xz_session"] = token
        tally.sign_ins.append(secs)
    except (SignInError, TimeoutError, websockets.ConnectionClosed, OSError) as exc:
        tally.error("sign_in", f"{acct.user}: {type(exc).__name__} {exc}")
        return
    k = 0
    while time.time() < stop_at:
        try:
            async with connect(ws_url, cookies=jar) as ws:
                tally.connects += 1
                # the first page after the sign-in's reload: a writer's is the entry page
                first_page = "entry" if acct.writes else "overview"
                first: PageRun | None = await run_page(ws, first_page, "", timeout)
                assert first is not None
                if first.problem:
                    tally.error(
                        "timeout" if first.problem == "timeout" else "exception",
                        f"{acct.user} {first_page} {first.problem}",
                    )
                    continue
                tally.reads.append((time.time(), first_page, first.secs))
                if not acct.writes:
                    tally.by_role.setdefault(acct.role, []).append(first.secs)
                if not any(acct.user in body for body in first.texts()):
                    tally.error("not_signed_in", f"{acct.user}: no account line on the page")
                    return
                if not acct.writes:
                    await asyncio.sleep(rng.uniform(*think))
                while time.time() < stop_at:
                    if acct.writes:
                        k += 1
                        marker = f"lt-{run}-w{i}-{k}"
                        if k % 2 == 0 and acct.schools:  # every other write: a file of 2 rows
                            going = await import_once(
                                ws,
                                base_url,
                                jar,
                                acct.schools,
                                [marker + "a", marker + "b"],
                                rng,
                                tally,
                                timeout,
                            )
                        else:
                            going = await write_once(ws, marker, rng, tally, timeout, first)
                        first = None
                        if not going:
                            break
                        await asyncio.sleep(rng.uniform(*think))
                        if time.time() >= stop_at:
                            break
                    page = rng.choice(PAGES)
                    query = query_for(rng)
                    r = await run_page(ws, page, query, timeout)
                    if r.problem:
                        tally.error(
                            "timeout" if r.problem == "timeout" else "exception",
                            f"{acct.user} {page}?{query} {r.problem}",
                        )
                        if r.problem == "timeout":
                            break  # start over on a fresh connection
                    else:
                        tally.reads.append((time.time(), page, r.secs))
                        role = acct.role + (" (writes)" if acct.writes else "")
                        tally.by_role.setdefault(role, []).append(r.secs)
                    await asyncio.sleep(rng.uniform(*think))
        except (TimeoutError, websockets.ConnectionClosed, OSError) as exc:
            if time.time() < stop_at:
                tally.error("disconnect", f"{acct.user}: {type(exc).__name__} {exc}")
                await asyncio.sleep(1)


# ---------------------------------------------------------------------- what the databases hold
def snapshot_markers(snapshot: Path, prefix: str) -> set[str]:
    """The markers in the published snapshot's activity notes (read-only, the file the link
    points at now)."""
    import duckdb

    con = duckdb.connect(str(snapshot.resolve()), read_only=True)
    try:
        rows = con.execute("SELECT note FROM activity WHERE note LIKE ?", [prefix + "%"]).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def pg_markers(database_url: str, prefix: str) -> set[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT note FROM activity WHERE note LIKE %s", [prefix + "%"]
        ).fetchall()
    return {r[0] for r in rows}


def routes_in_log(log: Path, routes: set[str]) -> dict[str, set[str]]:
    """route cookie -> the upstreams (replicas) nginx sent its requests to, from the access log
    of deploy/nginx.conf (``$upstream_addr $status $request_method $uri $route_key``)."""
    seen: dict[str, set[str]] = {}
    for line in _read(log).splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[4] in routes:
            seen.setdefault(parts[4], set()).add(parts[0])
    return seen


class Observer:
    """Notes when each marker first shows in the published snapshot (a new snapshot is a new
    file behind the link: ``snapshot_stamp``)."""

    def __init__(self, snapshot: Path, prefix: str):
        self.snapshot, self.prefix = snapshot, prefix
        self.seen: dict[str, float] = {}
        self.publishes = 0
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Observer:
        self._thread.start()
        return self

    def _run(self) -> None:
        from dashboard_lib.store.lifecycle import snapshot_stamp

        stamp = None
        while not self._stop.is_set():
            now = snapshot_stamp(self.snapshot)
            if now != stamp:
                t = time.time()
                try:
                    found = snapshot_markers(self.snapshot, self.prefix)
                except Exception as exc:  # noqa: BLE001 - a file replaced while opening it
                    if len(self.problems) < 5:
                        self.problems.append(f"{type(exc).__name__}: {exc}")
                    time.sleep(0.1)
                    continue
                stamp = now
                self.publishes += 1
                for m in found:
                    self.seen.setdefault(m, t)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


# ---------------------------------------------------------------------- the report
def mem_summary(mem: list, names: list[str]) -> tuple[list[str], bool]:
    """Table lines of RSS over time, and whether memory levels off (the rule of loadtest.py:
    the second half grows < 5 MB/min or at most a third as fast as the whole run)."""
    lines = ["| t s | " + " | ".join(f"{n} MB" for n in names) + " | total MB |"]
    lines.append("|---:|" + "---:|" * (len(names) + 1))
    step = max(1, len(mem) // 12)
    for t, vals in mem[::step] + ([mem[-1]] if (len(mem) - 1) % step else []):
        tot = sum(v for v in vals if v is not None)
        cells = " | ".join("-" if v is None else f"{v:.0f}" for v in vals)
        lines.append(f"| {t:.0f} | {cells} | {tot:.0f} |")
    end = mem[-1][0]
    ok = True
    lines.append("")
    lines.append(
        "| process | mean RSS first minute MB | mean RSS last minute MB | "
        "slope whole run MB/min | slope second half MB/min |"
    )
    lines.append("|---|---:|---:|---:|---:|")
    series = [
        (n, [(t, vals[j]) for t, vals in mem if vals[j] is not None]) for j, n in enumerate(names)
    ]
    series.append(("total", [(t, sum(v for v in vals if v is not None)) for t, vals in mem]))
    for n, pts in series:
        if not pts:
            continue
        first = [v for t, v in pts if t <= 60]
        last = [v for t, v in pts if t >= end - 60]
        whole = slope(pts) * 60
        late = slope([(t, v) for t, v in pts if t >= end / 2]) * 60
        lines.append(
            f"| {n} | {sum(first) / len(first):.0f} | {sum(last) / len(last):.0f} | "
            f"{whole:+.1f} | {late:+.1f} |"
        )
        if n == "total":
            ok = late < 5 or late < whole / 3
    return lines, ok


def report(
    tally: Tally,
    summary: dict,
    mem: list,
    names: list[str],
) -> tuple[str, bool]:
    reads = [s for _, _, s in tally.reads]
    writes = [s for _, _, s in tally.writes]
    by_page = {p: [s for _, q, s in tally.writes if q == p] for p in ("entry", "import")}
    n_err = sum(tally.errors.values())
    lag = summary["lag"]
    rp95, wp95 = pct(reads, 0.95), pct(writes, 0.95)
    out = [
        f"## Load with writers: {summary['sessions']} sessions of which {summary['writers']} "
        f"write, {summary['duration']:.0f} s, {summary['replicas']} replicas behind nginx, "
        "PostgreSQL",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| sessions / writers | {summary['sessions']} / {summary['writers']} |",
        f"| duration s | {summary['duration']:.0f} |",
        f"| sign-ins (form → cookie) p50 / p95 s | {pct(tally.sign_ins, 0.5):.2f} / "
        f"{pct(tally.sign_ins, 0.95):.2f} ({len(tally.sign_ins)}) |",
        f"| reads | {len(reads)} |",
        f"| read p50 / p95 / max s | {pct(reads, 0.5):.3f} / {rp95:.3f} / "
        f"{max(reads) if reads else float('nan'):.3f} |",
        f"| writes committed (told saved): entries / imports of 2 rows | "
        f"{len(by_page['entry'])} / {len(by_page['import'])} |",
        f"| write p50 / p95 / max s (click → saved sentence) | {pct(writes, 0.5):.3f} / "
        f"{wp95:.3f} / {max(writes) if writes else float('nan'):.3f} |",
        f"| entry write p50 / p95 s | {pct(by_page['entry'], 0.5):.3f} / "
        f"{pct(by_page['entry'], 0.95):.3f} |",
        f"| import commit p50 / p95 s | {pct(by_page['import'], 0.5):.3f} / "
        f"{pct(by_page['import'], 0.95):.3f} |",
        f"| errors | {n_err} {dict(sorted(tally.errors.items())) if tally.errors else ''} |",
        f"| rows told committed / in PostgreSQL / in the snapshot | {summary['told']} / "
        f"{summary['in_pg']} / {summary['in_snapshot']} |",
        f"| lost writes (told, missing in PostgreSQL or the snapshot) | {summary['lost']} |",
        f"| rows in PostgreSQL nobody was told about | {summary['untold']} |",
        f"| snapshot lag p50 / p95 / max s (saved sentence → in the published snapshot) | "
        f"{pct(lag, 0.5):.2f} / {pct(lag, 0.95):.2f} / {max(lag) if lag else float('nan'):.2f} |",
        f"| snapshots published during the run | {summary['publishes']} |",
        f"| websocket connections | {tally.connects} |",
    ]
    if summary["sticky"]:
        out.insert(-1, f"| sticky sessions (nginx access log) | {summary['sticky']} |")
    if summary.get("markers_lost"):
        out.append(f"  - lost: {', '.join(summary['markers_lost'][:20])}")
    for ex in tally.error_examples:
        out.append(f"  - {ex}")
    out += ["", "| reads of | n | p50 s | p95 s |", "|---|---:|---:|---:|"]
    pages = sorted({q for _, q, _ in tally.reads})
    groups = [(f"page {p}", [s for _, q, s in tally.reads if q == p]) for p in pages]
    groups += [(f"role {r}", xs) for r, xs in sorted(tally.by_role.items())]
    for name, xs in groups:
        out.append(f"| {name} | {len(xs)} | {pct(xs, 0.5):.3f} | {pct(xs, 0.95):.3f} |")
    ok_mem = True
    if mem:
        lines, ok_mem = mem_summary(mem, names)
        out += ["", *lines, "", f"memory levelling off: {'yes' if ok_mem else 'NO'}"]
    ok_read = bool(reads) and rp95 <= READ_P95
    ok_write = bool(writes) and wp95 <= WRITE_P95
    out += [
        "",
        f"targets: zero errors {'yes' if n_err == 0 else 'NO'}; no lost write "
        f"{'yes' if summary['lost'] == 0 else 'NO'}; read p95 <= {READ_P95:g} s "
        f"{'yes' if ok_read else 'NO'} ({rp95:.3f} s); write p95 <= {WRITE_P95:g} s "
        f"{'yes' if ok_write else 'NO'} ({wp95:.3f} s)",
    ]
    ok = n_err == 0 and summary["lost"] == 0 and ok_read and ok_write and ok_mem
    return "\n".join(out), ok


# ---------------------------------------------------------------------- main
def run_load(
    base_url: str,
    database_url: str,
    snapshot: Path,
    pids: list[int],
    names: list[str],
    args: argparse.Namespace,
) -> tuple[str, bool, dict]:
    run = time.strftime("%H%M%S") + secrets.token_hex(2)
    prefix = f"lt-{run}-"
    print(f"making {args.sessions} accounts ({args.writers} writers) ...", flush=True)
    accounts = make_accounts(database_url, snapshot, args.sessions, args.writers, run, args.seed)
    roles: dict[str, int] = {}
    for a in accounts:
        key = a.role + (" (writes)" if a.writes else "")
        roles[key] = roles.get(key, 0) + 1
    print("accounts:", ", ".join(f"{k} {v}" for k, v in sorted(roles.items())), flush=True)
    tally = Tally()
    mem: list = []
    observer = Observer(snapshot, prefix).start()

    async def go() -> None:
        stop_at = time.time() + args.duration
        tasks = [
            asyncio.create_task(
                session(
                    i, a, base_url, stop_at, tally, tuple(args.think), args.timeout, run, args.seed
                )
            )
            for i, a in enumerate(accounts)
        ]
        tasks.append(asyncio.create_task(sample_memory(pids, stop_at, args.sample, mem)))
        await asyncio.gather(*tasks)

    print(f"{args.sessions} sessions against {base_url} for {args.duration:.0f} s", flush=True)
    asyncio.run(go())
    told = set(tally.told)
    in_pg = pg_markers(database_url, prefix)
    deadline = time.time() + args.catch_up
    while time.time() < deadline and not in_pg <= set(observer.seen):
        time.sleep(0.5)
    observer.stop()
    in_snap = snapshot_markers(snapshot, prefix)
    sticky = ""
    if args.nginx_log:
        time.sleep(0.5)  # nginx writes a line after its response
        where = routes_in_log(args.nginx_log, tally.routes)
        moved = {r: u for r, u in where.items() if len(u) > 1}
        for r, u in moved.items():
            tally.error("route_moved", f"route {r} on {sorted(u)}")
        used = {u for ups in where.values() for u in ups}
        per = {u: sum(1 for ups in where.values() if u in ups) for u in sorted(used)}
        sticky = (
            f"{len(where)} of {len(tally.routes)} sessions in nginx's log, "
            f"{len(moved)} moved between replicas; sessions per replica {per}"
        )
    lag = [max(0.0, observer.seen[m] - tally.told[m]) for m in told if m in observer.seen]
    summary = {
        "sessions": args.sessions,
        "writers": args.writers,
        "duration": args.duration,
        "replicas": len(names) - 1 if names and names[-1] == "job" else len(names),
        "told": len(told),
        "in_pg": len(in_pg),
        "in_snapshot": len(in_snap),
        "lost": len(told - in_pg) + len((told & in_pg) - in_snap),
        "untold": len(in_pg - told),
        "lag": lag,
        "publishes": observer.publishes,
        "errors": dict(tally.errors),
        "markers_told": sorted(told),
        "markers_lost": sorted((told - in_pg) | ((told & in_pg) - in_snap)),
        "prefix": prefix,
        "reads": len(tally.reads),
        "read_p95": pct([s for _, _, s in tally.reads], 0.95),
        "write_p95": pct([s for _, _, s in tally.writes], 0.95),
        "observer_problems": observer.problems,
        "sticky": sticky,
    }
    text, ok = report(tally, summary, mem, names)
    return text, ok, summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="attach: nginx of a running deployment (localhost only)")
    ap.add_argument("--database-url", help="attach: its PostgreSQL")
    ap.add_argument("--snapshot", type=Path, help="attach: its published snapshot (the link)")
    ap.add_argument(
        "--server-pid", type=int, action="append", default=[], help="attach: pids to sample"
    )
    ap.add_argument("--replicas", type=int, default=2, help="replicas of the deployment started")
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--writers", type=int, default=10)
    ap.add_argument("--duration", type=float, default=180, help="seconds")
    ap.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(3.0, 10.0),
        metavar=("MIN", "MAX"),
        help="pause between interactions of one session, seconds (uniform)",
    )
    ap.add_argument("--timeout", type=float, default=30, help="one run longer is an error")
    ap.add_argument("--sample", type=float, default=3, help="memory sampling interval, s")
    ap.add_argument(
        "--catch-up", type=float, default=30, help="seconds to wait for the last publish"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--no-warm",
        action="store_true",
        help="do not wait for the replicas' warm-up (started by deploy_local.sh) to finish",
    )
    ap.add_argument(
        "--nginx-log",
        type=Path,
        help="attach: nginx's access log (deploy/nginx.conf's format), to check stickiness",
    )
    ap.add_argument("--json", type=Path, help="also write the summary here")
    args = ap.parse_args(argv)
    if not 0 <= args.writers <= args.sessions:
        ap.error("--writers must be between 0 and --sessions")

    dep = None
    try:
        if args.url:
            if not (args.database_url and args.snapshot):
                ap.error("--url needs --database-url and --snapshot")
            if urllib.parse.urlparse(args.url).hostname not in LOCAL_HOSTS:
                raise SystemExit("the load test runs against localhost only")
            base_url = args.url.rstrip("/")
            if not wait_healthy(base_url, 30):
                raise SystemExit(f"no healthy server at {base_url}")
            database_url, snapshot = args.database_url, args.snapshot
            pids, names = args.server_pid, [f"pid {p}" for p in args.server_pid]
        else:
            print(f"starting scripts/deploy_local.sh with {args.replicas} replicas ...", flush=True)
            t0 = time.time()
            dep = Deployment().start(args.replicas)
            print(f"deployment up in {time.time() - t0:.0f} s: nginx {dep.url}", flush=True)
            if not args.no_warm:
                t0 = time.time()
                warm = dep.wait_warm()
                print(
                    f"replicas warmed ({time.time() - t0:.0f} s)"
                    if warm
                    else "the warm-up did not finish in 300 s; going on",
                    flush=True,
                )
            base_url, database_url, snapshot = dep.url, dep.database_url, dep.snapshot
            assert dep.work is not None
            args.nginx_log = dep.work / "nginx" / "logs" / "access.log"
            pids = dep.pids
            names = [f"replica {n}" for n in range(1, len(dep.replicas) + 1)] + ["job"]
        text, ok, summary = run_load(base_url, database_url, snapshot, pids, names, args)
        print("\n" + text, flush=True)
        if args.json:
            args.json.write_text(json.dumps({**summary, "ok": ok}, indent=1))
        return 0 if ok else 1
    finally:
        if dep is not None:
            dep.stop()


if __name__ == "__main__":
    sys.exit(main())
