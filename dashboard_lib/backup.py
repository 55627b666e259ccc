"""The backup command line: ``python -m dashboard_lib.backup`` (docs/BACKUP.md).

    python -m dashboard_lib.backup create  [--db PATH] [--dir DIR] [--wait S]  # server running too
    python -m dashboard_lib.backup list    [--db PATH] [--dir DIR]
    python -m dashboard_lib.backup restore BACKUP [--db PATH] [--force]
    python -m dashboard_lib.backup prune   --keep N [--db PATH] [--dir DIR]

Making, checking, listing, pruning and restoring backups, and the server's schedule, live in the
data layer (``dashboard_lib/store/backup.py``: only the store opens the database file); their
names are re-exported here for the callers that know them by this module.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path

from .settings import backup_dir_for, load_settings
from .store.backup import (
    FIRST_DELAY,
    KINDS,
    PRUNED,
    TICK,
    Backup,
    BackupError,
    copy_database,
    create,
    create_from_store,
    ensure_schedule,
    inspect,
    list_backups,
    manifest_path,
    prune,
    read_manifest,
    request_from_server,
    request_path,
    restore,
    stop_schedules,
    verify,
)
from .store.errors import StoreError

__all__ = [
    "FIRST_DELAY",
    "KINDS",
    "PRUNED",
    "TICK",
    "Backup",
    "BackupError",
    "copy_database",
    "create",
    "create_from_store",
    "ensure_schedule",
    "inspect",
    "list_backups",
    "main",
    "manifest_path",
    "prune",
    "read_manifest",
    "request_from_server",
    "request_path",
    "restore",
    "stop_schedules",
    "verify",
]


# ---------------------------------------------------------------------- command line
def _say(exc: StoreError) -> int:
    print(exc.message("zh"), exc.message("en"), sep="\n", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    ap = argparse.ArgumentParser(
        prog="python -m dashboard_lib.backup",
        description="Back up and restore the dashboard database (docs/BACKUP.md).",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    parsers = {name: sub.add_parser(name) for name in ("create", "list", "restore", "prune")}
    for name, p in parsers.items():
        p.add_argument("--db", type=Path, default=settings.db_path)
        if name != "restore":
            p.add_argument(
                "--dir",
                type=Path,
                default=None,
                help="backup folder (default: XZ_BACKUP_DIR, else backups/ beside the database)",
            )
    parsers["create"].add_argument(
        "--wait",
        type=float,
        default=30.0,
        help="while the server holds the file: seconds to wait for it to make the backup",
    )
    parsers["restore"].add_argument("backup", type=Path)
    parsers["restore"].add_argument(
        "--force",
        action="store_true",
        help="replace a database that holds accounts or imports (kept beside)",
    )
    parsers["prune"].add_argument("--keep", type=int, default=settings.backup_keep)
    args = ap.parse_args(argv)
    folder = getattr(args, "dir", None) or backup_dir_for(args.db)
    try:
        if args.cmd == "create":
            made = create(args.db, folder, wait=args.wait)
            m = read_manifest(made)
            print(
                f"{made}  ({m['bytes'] / 1e6:.1f} MB, {sum(m['counts'].values()):,} rows, verified)"
            )
        elif args.cmd == "list":
            found = list_backups(args.db, folder)
            if not found:
                print(f"no backups of {args.db.name} in {folder}")
            for b in found:
                m = b.manifest
                rows = f"{sum(m['counts'].values()):,} rows" if m.get("counts") else "no manifest"
                holds = ", ".join(m.get("holds") or []) or "-"
                print(
                    f"{datetime.fromtimestamp(b.created_at):%Y-%m-%d %H:%M:%S}  {b.kind:<14} "
                    f"{b.path.stat().st_size / 1e6:7.1f} MB  {rows:<16} holds: {holds:<18} {b.path}"
                )
        elif args.cmd == "restore":
            seen = restore(args.backup, args.db, args.force)
            print(
                f"{args.db} restored from {args.backup}: {sum(seen['counts'].values()):,} rows in "
                f"{len(seen['counts'])} tables (holds: {', '.join(seen['holds']) or '-'}); "
                "start the server again."
            )
        elif args.cmd == "prune":
            gone = prune(args.db, folder, args.keep)
            print(f"{len(gone)} backup(s) removed, the newest {args.keep} kept in {folder}")
    except StoreError as exc:
        return _say(exc)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.exit(main())
