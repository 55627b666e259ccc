"""The life of the database file: open it, build it where that loses nothing, guard what it holds.

A file that ever held accounts or imports gets a ``file_token`` in ``meta`` and a marker beside it
(``<db>.holds-data``). ``open_store`` never builds such a file again: missing, damaged or
replaced by another file, it is refused in one sentence (``_refuse_*``) and the log says how to
restore it from a backup (``store/backup.py``). A running Store notices when its file goes
(``CoreStore.check_file``): ``lose_file`` writes the emergency backup and says so. A replica
behind a load balancer reads a published snapshot (``publish_snapshot``, ``snapshot_stamp``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ..i18n import pair
from .errors import StoreError
from .schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from . import Store
    from .core import CoreStore

log = logging.getLogger(__name__)
MARKER_SUFFIX = ".holds-data"  # beside a database file that holds accounts or imports
FILE_TOKEN = "file_token"  # meta key: which database this is (the marker names it too)


@dataclass
class OpenResult:
    store: Store  # open_store's default class, the composed one
    notices: list[tuple[str, str]]  # (zh, en) sentences to show once: rebuilt, moved aside, ...


# ---------------------------------------------------------------------- opening a database file
def _aside(path: Path, why: str) -> Path:
    target = path.with_name(f"{path.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    log.warning("database %s moved aside to %s (%s)", path, target.name, why)
    return target


def _file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file ``path`` names now, or None when there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _tables_of(cur) -> set[str]:
    return {
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()
    }


def columns_of(cur, table: str) -> list[str]:
    """The columns of ``table`` in their order, on a DuckDB or a PostgreSQL cursor
    (information_schema answers the same on both)."""
    rows = cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _user_data_kinds(cur, have: set[str] | None = None) -> list[str]:
    """What people made that the file holds: "accounts" (app_user rows), "imports"
    (import_batch rows). Raises nothing on a file without those tables (safe in a transaction,
    given ``have``, the file's tables)."""
    have = _tables_of(cur) if have is None else have
    kinds = []
    for table, kind in (("app_user", "accounts"), ("import_batch", "imports")):
        if table in have and cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]:
            kinds.append(kind)
    return kinds


def _has_user_data(store: CoreStore) -> bool:
    """True when the file holds what people made (imports, accounts): never rebuilt away."""
    try:
        with store._con.cursor() as cur:
            return bool(_user_data_kinds(cur))
    except duckdb.Error:
        return False


def _what(kinds) -> tuple[str, str]:
    kinds = set(kinds or ("accounts", "imports"))
    if kinds == {"accounts"}:
        return pair("store_holds_accounts")
    if kinds == {"imports"}:
        return pair("store_holds_imports")
    return pair("store_holds_both")


def _proc_fd_hint(path: Path) -> str:
    """Where this process still holds a deleted ``path`` open (Linux), for the log."""
    try:
        for fd in os.listdir("/proc/self/fd"):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target in (f"{path} (deleted)", f"{Path(path).resolve()} (deleted)"):
                return (
                    f"While this process (PID {os.getpid()}) runs, the deleted file can be "
                    f"copied from /proc/{os.getpid()}/fd/{fd}."
                )
    except OSError:
        pass
    return ""


def lose_file(store: CoreStore, kinds: list[str], replaced: bool) -> StoreError:
    """The file of ``store`` that held ``kinds`` is gone (``CoreStore.check_file``): write the
    emergency backup from its still-open connection, log what to do, return the sentence."""
    from .backup import create_from_store  # the backup module uses this one

    name = store.path.name
    try:
        made = create_from_store(store, kind="emergency")
        store.emergency_backup = made
    except Exception as exc:  # noqa: BLE001 - whatever failed, say so and keep the data open
        made = None
        log.exception(
            "EMERGENCY BACKUP FAILED for %s (%s). The data is still open in this "
            "server process: do NOT stop it. %s",
            store.path,
            exc,
            _proc_fd_hint(store.path),
        )
    what_zh, what_en = _what(kinds)
    how_zh, how_en = pair("store_how_gone" if not replaced else "store_how_replaced")
    if made is not None:
        log.error(
            "Database file %s %s under the running server, and it held %s. Writing has "
            "stopped; nothing was rebuilt. An emergency backup was written from the still-open "
            "connection to %s. To restore: stop the server, run "
            "`python -m dashboard_lib.backup restore %s --db %s`, start the server again.",
            store.path,
            how_en,
            what_en,
            made,
            made,
            store.path,
        )
        return StoreError(
            "store_lost_backed_up",
            name=name,
            how=how_zh,
            how_en=how_en,
            what=what_zh,
            what_en=what_en,
            made=made,
        )
    return StoreError(
        "store_lost_no_backup", name=name, how=how_zh, how_en=how_en, what=what_zh, what_en=what_en
    )


def marker_path(path: Path | str) -> Path:
    """The marker beside a database that holds accounts or imports: ``<db>.holds-data``."""
    path = Path(path)
    return path.with_name(path.name + MARKER_SUFFIX)


def read_marker(path: Path | str) -> dict | None:
    """The marker of database ``path``: None when there is none; a damaged marker still says
    that the file held data (``{"damaged": True}``)."""
    try:
        data = json.loads(marker_path(path).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"damaged": True}
    return data if isinstance(data, dict) else {"damaged": True}


def write_marker(
    path: Path | str, token: str, kinds: list[str], file_id: tuple[int, int] | None = None, **extra
) -> Path:
    """Say, beside ``path``, that this database (its ``file_token``) holds ``kinds``."""
    path = Path(path)
    old = read_marker(path) or {}
    file_id = file_id or _file_id(path)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    data = {
        "db": path.name,
        "file_token": token,
        "holds": sorted(set(kinds)),
        "since": old.get("since") if old.get("file_token") == token else now,
        "updated": now,
        "device": file_id[0] if file_id else None,
        "inode": file_id[1] if file_id else None,
        "why": "This database holds accounts or imported data: the dashboard never rebuilds "
        "it away. If it is missing, restore it: python -m dashboard_lib.backup restore.",
        **extra,
    }
    target = marker_path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, target)
    return target


def clear_marker(path: Path | str) -> None:
    """The database at ``path`` was replaced on purpose (``build --force``): forget its marker."""
    marker_path(path).unlink(missing_ok=True)


def _file_token(store: CoreStore) -> str | None:
    try:
        return store._scalar("SELECT value FROM meta WHERE key = ?", [FILE_TOKEN])
    except duckdb.Error:
        return None


def holds_user_data(path: Path) -> bool | None:
    """Does the file hold accounts or imports? None when another process (the running server)
    has it open: then it must not be replaced at all (``python -m dashboard_lib.build``)."""
    from .core import CoreStore

    try:
        store = CoreStore(path, read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            return None
        return False  # unreadable: nothing of value can be read from it either
    except Exception:  # unreadable: nothing of value can be read from it either
        return False
    try:
        return _has_user_data(store)
    finally:
        store.close()


def file_token_at(path: Path) -> str | None:
    """The ``file_token`` of the database file at ``path`` (opened read-only for the question),
    or None when it has none or does not open."""
    from .core import CoreStore

    try:
        store = CoreStore(path, read_only=True)
        try:
            return _file_token(store)
        finally:
            store.close()
    except Exception:
        return None


def _how_to_recover(path: Path) -> str:
    """The operator's next step, for the log: the newest backup and the two commands."""
    from ..settings import backup_dir_for
    from .backup import list_backups  # the backup module uses this one

    folder = backup_dir_for(path)
    newest = [b.path for b in list_backups(path, folder)]
    which = str(newest[-1]) if newest else "<backup file>"
    found = (
        f"Newest backup: {newest[-1]}."
        if newest
        else f"No backup found in {folder}; `python -m dashboard_lib.backup list --dir DIR` "
        "looks elsewhere."
    )
    return (
        f"{found} To restore: `python -m dashboard_lib.backup restore {which} --db {path}`, "
        "then start the server again. To start over on purpose with a fresh demo database "
        f"(losing those accounts and imports): `python -m dashboard_lib.build --force --db {path}`."
    )


def _refuse_missing(path: Path, marker: dict) -> StoreError:
    what_zh, what_en = _what(marker.get("holds"))
    log.error(
        "Database file %s is missing, but %s says it held %s (since %s). It was NOT rebuilt "
        "and nothing is written. %s",
        path,
        marker_path(path).name,
        what_en,
        marker.get("since", "?"),
        _how_to_recover(path),
    )
    return StoreError("store_refuse_missing", name=path.name, what=what_zh, what_en=what_en)


def _refuse_damaged(path: Path, moved: Path, marker: dict) -> StoreError:
    what_zh, what_en = _what(marker.get("holds"))
    log.error(
        "Database file %s could not be read; it was moved to %s. %s says it held %s, so it "
        "was NOT rebuilt. %s",
        path,
        moved,
        marker_path(path).name,
        what_en,
        _how_to_recover(path),
    )
    return StoreError(
        "store_refuse_damaged", name=path.name, moved=moved.name, what=what_zh, what_en=what_en
    )


def _refuse_replaced(path: Path, marker: dict) -> StoreError:
    what_zh, what_en = _what(marker.get("holds"))
    log.error(
        "Database file %s is not the database %s speaks of (it held %s; this file holds none "
        "and has another file_token). It was NOT used or rebuilt. %s",
        path,
        marker_path(path).name,
        what_en,
        _how_to_recover(path),
    )
    return StoreError("store_refuse_replaced", name=path.name, what=what_zh, what_en=what_en)


def check_held_data(store: CoreStore, marker: dict | None, mark: bool = True) -> None:
    """After opening a writable file: mark it when it holds accounts or imports (giving it a
    ``file_token`` if it has none, e.g. made before markers existed; not with ``mark=False``:
    a file of another schema version is left untouched); refuse it (closing it) when the
    marker says the path held data and this file is another one without any."""
    with store._con.cursor() as cur:
        kinds = _user_data_kinds(cur)
    token = _file_token(store)
    if kinds and not mark:
        store.holds_data = True
        return
    if kinds:
        if token is None:
            token = uuid.uuid4().hex
            store.set_meta(FILE_TOKEN, token)
        assert store._file_id is not None  # open_store found or built the file before this
        if (
            marker is None
            or marker.get("file_token") != token
            or marker.get("inode") != store._file_id[1]
            or sorted(marker.get("holds") or []) != sorted(kinds)
        ):
            if marker is not None and marker.get("file_token") not in (None, token):
                log.warning(
                    "%s now names another database that holds %s (a restored copy?): its "
                    "marker is renewed.",
                    store.path,
                    ", ".join(kinds),
                )
            store._mark(token, kinds)
        store.holds_data = True
        store._held = frozenset(kinds)
        return
    if marker is not None and (marker.get("damaged") or marker.get("file_token") != token):
        store.close()
        raise _refuse_replaced(store.path, marker)


def snapshot_stamp(path: Path | str) -> str:
    """What identifies the file ``path`` points at now (through a symlink): device, inode, size
    and modification time. The import job publishes a snapshot by ``os.replace``-ing the path, so
    a new snapshot always has a new stamp; a replica reopens when the stamp changes (cache the
    opened store keyed on ``(path, snapshot_stamp(path))``)."""
    try:
        st = os.stat(path)  # follows the symlink
    except OSError:
        return "missing"
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def publish_snapshot(source: Path | str, target: Path | str) -> Path:
    """Publish ``source`` (a closed, checkpointed database file) read-only at ``target``,
    atomically: copy to a new file beside the target, fsync it, then ``os.replace`` the target
    (a plain file or a symlink) so readers see either the old snapshot or the new one, never
    half of one. Returns the new snapshot's file."""
    import shutil

    source, target = Path(source), Path(target)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 10**9:09d}"
    real = target.with_name(f"{target.name}.snap-{stamp}")
    tmp = real.with_name(real.name + ".tmp")
    with open(source, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 16 * 2**20)
        dst.flush()
        os.fsync(dst.fileno())
    os.chmod(tmp, 0o444)
    os.replace(tmp, real)
    link = target.with_name(f".{target.name}.link-{stamp}")
    os.symlink(real.name, link)
    os.replace(link, target)  # the atomic step: target now names the new snapshot
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return real


# The stores of published snapshots this process opened and still holds somewhere (weakly).
_SNAPSHOTS: weakref.WeakSet = weakref.WeakSet()
_FORWARD_LOCK = threading.Lock()
# Seconds a superseded snapshot stays as it was, for the page runs that began on it to end on it
# (a run under load takes up to ~15 s, issue 15's load test); then its store reads the newest.
SUPERSEDED_GRACE_SECONDS = 30.0


def forward_superseded(
    current, grace: float = SUPERSEDED_GRACE_SECONDS, now: float | None = None
) -> int:
    """Point every older snapshot's store still held in this process at ``current``'s
    connection, ``grace`` seconds after it stopped being the newest (``CoreStore.follow``);
    returns how many. Their connections then go with their last running query: a replica keeps
    one or two snapshots open, not one per tab left open since the last publishes."""
    if current not in _SNAPSHOTS:
        return 0  # the embedded file: nothing is published beside it
    now = time.monotonic() if now is None else now
    moved = 0
    with _FORWARD_LOCK:
        for store in list(_SNAPSHOTS):
            if store is current or store.closed or store._con is current._con:
                continue
            if store.origin != current.origin:  # another database's snapshots
                continue
            if store.superseded_at is None:
                store.superseded_at = now
            elif now - store.superseded_at >= grace:
                store.follow(current)
                moved += 1
    if moved:
        log.info("replica: %d store(s) of older snapshots now read %s", moved, current.path.name)
    return moved


def _open_snapshot(path: Path, Store) -> OpenResult:
    """XZ_DB_READONLY=1: a replica reading the published snapshot; never builds, never writes."""
    if not path.exists():
        raise StoreError("store_snapshot_missing")
    from ..settings import load_settings

    try:
        store = Store(path.resolve(), read_only=True, database_url=load_settings().database_url)
    except duckdb.Error as exc:
        raise StoreError("store_snapshot_unreadable") from exc
    if store.schema_version() != SCHEMA_VERSION:
        store.close()
        raise StoreError("store_read_only_version")
    store.origin = path
    _SNAPSHOTS.add(store)
    log.info("replica opened the published snapshot %s", path.resolve())
    return OpenResult(store, [])


def open_store(
    path: Path | str, builder: Callable[[Path], object], cls=None, read_only: bool | None = None
) -> OpenResult:
    """Open the dashboard database, building or rebuilding it where that loses nothing.

    - ``read_only`` (default: the ``XZ_DB_READONLY`` setting): open the published snapshot the
      path points at, read-only, and nothing else (a replica behind a load balancer);

    - missing file: built from ``data/`` by ``builder``;
    - unreadable file (not a DuckDB database, damaged): moved aside and rebuilt;
    - another schema version: rebuilt when it holds no imported data, else a ``StoreError``;
    - locked by another process: a ``StoreError``.

    A file that ever held accounts or imports has a marker beside it (``<db>.holds-data``, see
    ``CoreStore._transaction``). While the marker is there the file is never built again: when
    it is missing, damaged (moved aside all the same) or replaced by a file without that data,
    a ``StoreError`` says so in one sentence and the log says how to restore it from a backup
    (``python -m dashboard_lib.backup restore``) or start over on purpose (``build --force``).
    """
    if cls is None:
        from . import Store as cls  # the composed class with every feature's queries
    Store = cls
    path = Path(path)
    if read_only is None:
        from ..settings import load_settings

        read_only = load_settings().db_readonly
    if read_only:
        return _open_snapshot(path, Store)
    notices: list[tuple[str, str]] = []
    marker = read_marker(path)
    if not path.exists():
        if marker is not None:
            raise _refuse_missing(path, marker)
        builder(path)
        notices.append(pair("store_notice_rebuilt"))
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        # a file (or folder) the server may not write: show the data, refuse every change
        try:
            store = Store(path, read_only=True)
        except duckdb.Error as exc:
            raise StoreError("store_read_only_unreadable") from exc
        notices.append(pair("store_notice_read_only"))
        if store.schema_version() != SCHEMA_VERSION:
            store.close()
            raise StoreError("store_read_only_version")
        return OpenResult(store, notices)
    try:
        store = Store(path)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreError("store_locked") from exc
        moved = _aside(path, "corrupt")
        if marker is not None:
            raise _refuse_damaged(path, moved, marker) from exc
        builder(path)
        store = Store(path)
        notices.append(pair("store_notice_damaged", moved=moved.name))
    except duckdb.Error as exc:
        moved = _aside(path, "corrupt")
        if marker is not None:
            raise _refuse_damaged(path, moved, marker) from exc
        builder(path)
        store = Store(path)
        notices.append(pair("store_notice_unreadable", moved=moved.name))
    version = store.schema_version()
    check_held_data(store, marker, mark=version == SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        if store.holds_data:
            store.close()
            raise StoreError("store_version_holds_data", version=version, needed=SCHEMA_VERSION)
        store.close()
        moved = _aside(path, f"v{version}")
        clear_marker(path)  # it held nothing people made (checked above): nothing to guard
        builder(path)
        store = Store(path)
        notices.append(pair("store_notice_old_version", version=version, moved=moved.name))
    _migrate_rows(store)
    return OpenResult(store, notices)


def _migrate_rows(store: CoreStore) -> None:
    """Data migrations that need no new schema version (idempotent, written only when there is
    something to change): form-entered rows once stored as 'imported' become 'entered'
    (``IngestOps.label_entered_rows``). A failure is logged; the file still opens."""
    relabel = getattr(store, "label_entered_rows", None)
    if relabel is None:
        return
    try:
        relabel()
    except StoreError as exc:
        log.warning("relabelling entered rows of %s failed: %s", store.path, exc)
