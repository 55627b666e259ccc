"""Consistent backups of the dashboard database, and restoring one (docs/BACKUP.md).

The command line is ``python -m dashboard_lib.backup`` (``dashboard_lib/backup.py``):

    python -m dashboard_lib.backup create  [--db PATH] [--dir DIR] [--wait S]
    python -m dashboard_lib.backup list    [--db PATH] [--dir DIR]
    python -m dashboard_lib.backup restore BACKUP [--db PATH] [--force]
    python -m dashboard_lib.backup prune   --keep N [--db PATH] [--dir DIR]

A backup is a new DuckDB file made by ``COPY FROM DATABASE`` inside one read transaction of the
source (so it is one consistent state, whatever writes run beside it), then checked: it opens,
has the schema version, and every table has the row count the source had in that transaction.
Only then is it moved into place, named ``<db stem>-<YYYYmmdd-HHMMSS-ffffff>-<kind>.duckdb``,
with a manifest beside it (``….duckdb.json``: time, kind, schema version, row counts, SHA-256).

DuckDB lets one process open a file read-write and no other process open it then, so:

- the command line makes one from a read-only connection while the server is stopped; while
  the server runs (the file is locked) it leaves a request file beside the database
  (``<db>.backup-request``) and waits: the server's backup thread looks for it every
  ``REQUEST_POLL`` seconds, makes a ``manual`` backup from its own connection and answers in
  ``<db>.backup-done-<id>`` (the path, or the failure); with no answer in time it says in one
  sentence that the server makes its own on its schedule;
- the running server makes one every ``XZ_BACKUP_HOURS`` hours (default 24) into
  ``XZ_BACKUP_DIR`` (default ``backups/`` beside the database, ``data/backups/``) from its own
  connection, keeping the newest ``XZ_BACKUP_KEEP`` (default 14): ``ensure_schedule``, started
  once per process for a writable database holding accounts or imports;
- when the server finds its file deleted or replaced under it while it held such data, it writes
  an ``emergency`` backup from the still-open connection at once (``CoreStore.check_file``).
  Emergency and before-restore backups are never pruned.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ..i18n import pair
from ..settings import backup_dir_for, load_settings
from .errors import StoreError
from .lifecycle import FILE_TOKEN, _user_data_kinds, clear_marker, write_marker
from .schema import SCHEMA_VERSION

log = logging.getLogger(__name__)
KINDS = ("manual", "scheduled", "emergency", "before-restore")
PRUNED = ("manual", "scheduled")  # the kinds that ``prune`` and the schedule's retention remove
_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


class BackupError(StoreError):
    """A backup or restore problem, in one sentence (a strings key and its values)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict  # {} when the file has none (copied in by hand)

    @property
    def kind(self) -> str:
        return self.manifest.get("kind") or self.path.stem.rsplit("-", 1)[-1]

    @property
    def created_at(self) -> float:
        return float(self.manifest.get("created_ts") or self.path.stat().st_mtime)


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def read_manifest(backup: Path) -> dict:
    try:
        data = json.loads(manifest_path(backup).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cur, database: str) -> dict[str, int]:
    names = [
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
            "ORDER BY table_name",
            [database],
        ).fetchall()
    ]
    return {
        n: int(
            cur.execute(f"SELECT count(*) FROM {_ident(database)}.main.{_ident(n)}").fetchall()[0][
                0
            ]
        )
        for n in names
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(4 * 2**20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _connect_read_only(path: Path, wait: float = 10.0):
    """A read-only connection of its own to ``path``. A backup just detached from the server's
    connection may stay held for a moment by a transaction that began while it was attached
    ("Unique file handle conflict"): asked again until ``wait`` seconds have passed."""
    deadline = time.time() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=True, config=_CONFIG)
        except duckdb.BinderException as exc:
            if "conflict" not in str(exc).lower() or time.time() > deadline:
                raise
            time.sleep(0.05)


def inspect(path: Path) -> dict:
    """What a database file holds: schema version, file token, row counts, accounts/imports.
    Raises ``duckdb.Error`` when it does not open."""
    con = _connect_read_only(path)
    try:
        with con.cursor() as cur:
            db = cur.execute("SELECT current_database()").fetchall()[0][0]
            counts = _counts(cur, db)
            meta = (
                dict(cur.execute("SELECT key, value FROM meta").fetchall())
                if "meta" in counts
                else {}
            )
            kinds = _user_data_kinds(cur)
    finally:
        con.close()
    version = meta.get("schema_version")
    return {
        "schema_version": int(version) if version and version.isdigit() else None,
        "file_token": meta.get(FILE_TOKEN),
        "counts": counts,
        "holds": kinds,
    }


def verify(
    path: Path, counts: dict[str, int] | None = None, schema_version: int | None = SCHEMA_VERSION
) -> dict:
    """Check a backup (or a file about to be restored): it opens, has ``schema_version``, and
    (given ``counts``) exactly those tables with those row counts. Returns ``inspect(path)``."""
    try:
        seen = inspect(path)
    except duckdb.Error as exc:
        raise BackupError(
            "backup_file_unreadable", name=path.name, error=type(exc).__name__
        ) from exc
    if schema_version is not None and seen["schema_version"] != schema_version:
        raise BackupError(
            "backup_file_version",
            name=path.name,
            version=seen["schema_version"],
            needed=schema_version,
        )
    if counts is not None and seen["counts"] != counts:
        differ = sorted(
            k for k in set(counts) | set(seen["counts"]) if counts.get(k) != seen["counts"].get(k)
        )
        raise BackupError("backup_file_counts", name=path.name, tables=", ".join(differ))
    return seen


# ---------------------------------------------------------------------- making one
def copy_database(con, source: Path, folder: Path, kind: str = "manual") -> Path:
    """A verified backup of the database ``con`` has open (its current database, the file
    ``source``) into ``folder``; returns the backup's path."""
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{source.stem}-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}-{kind}.duckdb"
    tmp = dest.with_name(dest.name + ".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    alias = f"xz_backup_{uuid.uuid4().hex[:12]}"
    t0 = time.perf_counter()
    try:
        with con.cursor() as cur:
            db = cur.execute("SELECT current_database()").fetchall()[0][0]
            cur.execute(f"ATTACH '{_sql_str(tmp)}' AS {alias} (READ_WRITE)")
            try:
                cur.execute("BEGIN TRANSACTION")  # one snapshot: the copy and the counts agree
                try:
                    cur.execute(f"COPY FROM DATABASE {_ident(db)} TO {alias}")
                    counts = _counts(cur, db)
                    version = (
                        cur.execute(
                            f"SELECT value FROM {_ident(db)}.main.meta WHERE key = 'schema_version'"
                        ).fetchall()
                        if "meta" in counts
                        else []
                    )
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                cur.execute(f"CHECKPOINT {alias}")  # everything in the file, no log beside it
            finally:
                cur.execute(f"DETACH {alias}")
        seen = verify(
            tmp, counts, int(version[0][0]) if version and str(version[0][0]).isdigit() else None
        )
        _fsync(tmp)
        os.replace(tmp, dest)
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    manifest = {
        "source": str(source),
        "db": source.name,
        "kind": kind,
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "created_ts": time.time(),
        "schema_version": seen["schema_version"],
        "file_token": seen["file_token"],
        "holds": seen["holds"],
        "counts": counts,
        "bytes": dest.stat().st_size,
        "sha256": _sha256(dest),
        "seconds": round(time.perf_counter() - t0, 2),
        "verified": True,
    }
    mtmp = manifest_path(dest).with_name(manifest_path(dest).name + ".tmp")
    mtmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    os.replace(mtmp, manifest_path(dest))
    _fsync(folder)
    log.info(
        "Backup %s of %s written and verified (%s rows in %d tables, %.1f s).",
        dest,
        source,
        f"{sum(counts.values()):,}",
        len(counts),
        manifest["seconds"],
    )
    return dest


def create_from_store(store, kind: str = "scheduled", folder: Path | None = None) -> Path:
    """A backup made inside the server, from the Store's own open connection."""
    return copy_database(
        store._con, Path(store.path), Path(folder or backup_dir_for(store.path)).absolute(), kind
    )


def _in_use(db: Path, folder: Path, hours: float) -> BackupError:
    newest = list_backups(db, folder)
    last, last_en = (
        pair("backup_newest", name=newest[-1].path.name) if newest else pair("backup_none_yet")
    )
    return BackupError(
        "backup_db_in_use", name=db.name, hours=hours, folder=folder, last=last, last_en=last_en
    )


REQUEST_POLL = 2.0  # seconds between the server thread's looks for a backup request


def request_path(db: Path) -> Path:
    """The file a command line leaves beside a database the running server holds."""
    return Path(db).with_name(Path(db).name + ".backup-request")


def _answer_path(db: Path, request_id: str) -> Path:
    return Path(db).with_name(f"{Path(db).name}.backup-done-{request_id}")


def request_from_server(db: Path, wait: float) -> Path | None:
    """Ask the server that holds ``db`` for a backup and wait up to ``wait`` seconds for it:
    the path it made, or None when no server answered (it runs no backup thread, or is busy)."""
    db = Path(db)
    rid = uuid.uuid4().hex[:12]
    req = request_path(db)
    tmp = req.with_name(f"{req.name}.{rid}.tmp")
    tmp.write_text(json.dumps({"id": rid, "at": time.time(), "pid": os.getpid()}))
    os.replace(tmp, req)
    answer = _answer_path(db, rid)
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            if answer.exists():
                data = json.loads(answer.read_text(encoding="utf-8"))
                answer.unlink(missing_ok=True)
                if data.get("error"):
                    raise BackupError("backup_server_failed", name=db.name, error=data["error"])
                return Path(data["path"])
            time.sleep(0.2)
    finally:
        try:  # an unanswered request is withdrawn, so a server starting later does not act on it
            if json.loads(req.read_text(encoding="utf-8")).get("id") == rid:
                req.unlink()
        except (OSError, ValueError):
            pass
    return None


def answer_request(store, folder: Path) -> Path | None:
    """In the server: if a command line asked for a backup of ``store``'s file, make it (a
    ``manual`` backup from the open connection) and answer; returns the backup made."""
    req = request_path(Path(store.path))
    try:
        data = json.loads(req.read_text(encoding="utf-8"))
        req.unlink()
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        req.unlink(missing_ok=True)
        return None
    rid = str(data.get("id", ""))
    if not re.fullmatch(r"[0-9a-f]{12}", rid):
        return None
    answer, made = _answer_path(Path(store.path), rid), None
    try:
        made = create_from_store(store, "manual", folder)
        body = {"path": str(made)}
        log.info("Backup of %s made on request: %s", store.path, made)
    except Exception as exc:  # noqa: BLE001 - answered and logged; the server carries on
        log.exception("Backup of %s on request failed.", store.path)
        body = {"error": type(exc).__name__}
    tmp = answer.with_name(answer.name + ".tmp")
    tmp.write_text(json.dumps(body), encoding="utf-8")
    os.replace(tmp, answer)
    return made


def create(db: Path, folder: Path, kind: str = "manual", wait: float = 0.0) -> Path:
    """A backup from the command line: a read-only connection when the server is stopped; when
    it runs, a request to it (``request_from_server``) answered within ``wait`` seconds."""
    if not db.exists():
        raise BackupError("backup_db_missing", db=db)
    try:
        con = duckdb.connect(str(db), read_only=True, config=_CONFIG)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            made = request_from_server(db, wait) if wait > 0 else None
            if made is not None:
                return made
            raise _in_use(db, folder, load_settings().backup_hours) from exc
        raise BackupError("backup_db_unreadable", name=db.name, error=type(exc).__name__) from exc
    except duckdb.Error as exc:
        raise BackupError("backup_db_unreadable", name=db.name, error=type(exc).__name__) from exc
    try:
        return copy_database(con, db, folder, kind)
    finally:
        con.close()


# ---------------------------------------------------------------------- listing, pruning
def list_backups(db: Path, folder: Path) -> list[Backup]:
    """The backups of ``db`` in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    named = re.compile(
        re.escape(db.stem) + r"-\d{8}-\d{6}-\d{6}-(" + "|".join(KINDS) + r")\.duckdb"
    )
    found = [
        Backup(p, read_manifest(p))
        for p in folder.glob(f"{db.stem}-*.duckdb")
        if p.is_file() and named.fullmatch(p.name)
    ]
    return sorted(found, key=lambda b: (b.created_at, b.path.name))


def prune(db: Path, folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` manual and scheduled backups of ``db`` (emergency and
    before-restore backups stay until someone deletes them); returns what went."""
    keep = max(1, int(keep))
    regular = [b for b in list_backups(db, folder) if b.kind in PRUNED]
    gone = []
    for b in regular[:-keep]:
        b.path.unlink(missing_ok=True)
        manifest_path(b.path).unlink(missing_ok=True)
        gone.append(b.path)
    return gone


# ---------------------------------------------------------------------- restoring
def restore(backup: Path, db: Path, force: bool = False) -> dict:
    """Put ``backup`` in place of ``db`` atomically: copied beside it, checked (opens, schema
    version, the manifest's row counts and SHA-256), then ``os.replace``-d. Refuses to replace a
    database that holds accounts or imports (or cannot be read) without ``force``; with it, the
    old file is kept beside as ``<db>.before-restore-<time>``. Returns ``inspect`` of the result."""
    backup, db = Path(backup), Path(db)
    if not backup.is_file():
        raise BackupError("backup_missing", backup=backup)
    manifest = read_manifest(backup)
    if manifest.get("sha256") and manifest["sha256"] != _sha256(backup):
        raise BackupError("backup_checksum", name=backup.name)
    if db.exists():
        try:
            held = inspect(db)["holds"]
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise BackupError("backup_restore_in_use", name=db.name) from exc
            held = None
        except duckdb.Error:
            held = None
        if held is None and not force:
            raise BackupError("backup_restore_unreadable", name=db.name)
        if held and not force:
            raise BackupError("backup_restore_holds_data", name=db.name)
    tmp = db.with_name(db.name + ".restoring")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(backup, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 16 * 2**20)
            dst.flush()
            os.fsync(dst.fileno())
        seen = verify(tmp, manifest.get("counts"))
        if seen["holds"] and not seen["file_token"]:  # a copy from before markers existed
            con = duckdb.connect(str(tmp), config=_CONFIG)
            try:
                con.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", [FILE_TOKEN, uuid.uuid4().hex]
                )
            finally:
                con.close()
            seen = verify(tmp)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        if db.exists():
            kept = db.with_name(f"{db.name}.before-restore-{stamp}")
            try:
                os.link(db, kept)  # the old file stays reachable; the swap below is atomic
            except OSError:
                shutil.copy2(db, kept)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():  # never let the old file's log replay onto the restored one
            os.replace(wal, db.with_name(f"{db.name}.wal.before-restore-{stamp}"))
        os.replace(tmp, db)
        _fsync(db.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if seen["holds"]:
        write_marker(db, seen["file_token"], seen["holds"], restored_from=str(backup))
    else:
        clear_marker(db)
    log.warning(
        "Database %s restored from %s (%s rows in %d tables).",
        db,
        backup,
        f"{sum(seen['counts'].values()):,}",
        len(seen["counts"]),
    )
    return seen


# ---------------------------------------------------------------------- the server's schedule
FIRST_DELAY = 60.0  # seconds after the server opens the database before a due backup starts
TICK = 60.0  # how often the thread looks at the clock and at the file

_SCHEDULES: dict[str, _Schedule] = {}
_SCHEDULES_LOCK = threading.Lock()


class _Schedule(threading.Thread):
    def __init__(
        self, store, folder: Path, hours: float, keep: int, first_delay: float, tick: float
    ):
        super().__init__(name=f"backup:{Path(store.path).name}", daemon=True)
        self.store, self.folder, self.keep, self.tick = store, folder, keep, tick
        self.interval = hours * 3600
        self.stopped = threading.Event()
        self.made: list[Path] = []
        regular = [b for b in list_backups(Path(store.path), folder) if b.kind in PRUNED]
        last = regular[-1].created_at if regular else 0.0
        self.due = max(last + self.interval, time.time() + first_delay)

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        store = self.store
        poll = min(self.tick, REQUEST_POLL)
        while not self.stopped.wait(max(0.0, min(poll, self.due - time.time()))):
            if store.closed or store.stale or store.check_file() is not None:
                return  # closed, replaced, or lost (check_file wrote the emergency copy)
            answer_request(store, self.folder)
            if time.time() < self.due:
                continue
            try:
                self.made.append(create_from_store(store, "scheduled", self.folder))
                prune(Path(store.path), self.folder, self.keep)
                self.due = time.time() + self.interval
            except Exception:  # noqa: BLE001 - logged; tried again within the hour
                log.exception("Scheduled backup of %s into %s failed.", store.path, self.folder)
                self.due = time.time() + min(self.interval, 3600)


def stop_schedules(timeout: float = 60) -> None:
    """Stop every backup thread of this process and wait for a backup in flight to finish.
    Registered with ``atexit``: a daemon thread still copying the database while the
    interpreter shuts down makes DuckDB abort the process ("terminate called without an
    active exception"), which a server stop or the end of a test run must never do."""
    with _SCHEDULES_LOCK:
        schedules = list(_SCHEDULES.values())
        _SCHEDULES.clear()
    for schedule in schedules:
        schedule.stop()
    for schedule in schedules:
        schedule.join(timeout)


atexit.register(stop_schedules)


def ensure_schedule(
    store, settings=None, first_delay: float = FIRST_DELAY, tick: float = TICK
) -> _Schedule | None:
    """Start, once per process and database, the thread that backs ``store`` up every
    ``XZ_BACKUP_HOURS`` into ``XZ_BACKUP_DIR`` and keeps the newest ``XZ_BACKUP_KEEP``; only
    for a writable store that holds accounts or imports (asked on every page run: cheap)."""
    if store.read_only or not store.watched or not store.holds_data or store.lost is not None:
        return None
    settings = settings or load_settings()
    if settings.backup_hours <= 0:
        return None
    key = str(store.path)
    with _SCHEDULES_LOCK:
        current = _SCHEDULES.get(key)
        if current is not None and current.store is store and current.is_alive():
            return current
        if current is not None:
            current.stop()
        folder = Path(settings.backup_dir) if settings.backup_dir else backup_dir_for(store.path)
        schedule = _Schedule(
            store, folder, settings.backup_hours, settings.backup_keep, first_delay, tick
        )
        schedule.start()
        _SCHEDULES[key] = schedule
        return schedule
