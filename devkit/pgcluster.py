"""A private, throwaway PostgreSQL 15 cluster in a folder of its own, for the tests and for
``scripts/deploy_local.sh``: initdb, pg_ctl and postgres from Debian's ``postgresql-15``
(``/usr/lib/postgresql/15/bin``), nothing installed or started system-wide.

    with PgCluster(base_dir, fast=True) as pg:      # initdb on first use, then pg_ctl start
        psycopg.connect(pg.url)                       # postgresql://xz@127.0.0.1:PORT/xz

    .venv/bin/python -m devkit.pgcluster start DIR   # prints the URL (also in DIR/url), leaves it running
    .venv/bin/python -m devkit.pgcluster stop DIR

Everything lives under ``base_dir/pg``: the data folder (``data``), the unix socket folder
(``sock``, given to the server with ``-k``) and the server log (``postgres.log``). The server
listens on 127.0.0.1 only.

PostgreSQL refuses to run as root. When this process is root, the cluster's folder is given to
the ``postgres`` system user and initdb/pg_ctl run as that user (``runuser -u postgres``); the
folder above it must then be reachable by that user (``make_base_dir`` makes one that is). When
not root, everything runs as the current user.

Security: this is a cluster for tests and for a deployment on one's own machine. Connections
are not password-checked: ``trust`` authentication for the unix socket and for 127.0.0.1, so any
local user of this machine can connect as any role. Do not use it for data that matters, nor on
a shared machine; docs/DEPLOY.md describes a real PostgreSQL server. The application role
``xz`` (LOGIN CREATEDB, not a superuser) owns the database ``xz``; ``postgres`` is the
bootstrap superuser (``admin_url``).

``fast=True`` (the tests) turns off ``fsync`` and ``full_page_writes``: a killed server loses
nothing (the WAL has reached the kernel), a crash of the machine may corrupt the cluster.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SYSTEM_USER = "postgres"  # who runs the server when we are root
APP_ROLE = "xz"
APP_DB = "xz"
SUPERUSER = "postgres"  # the bootstrap superuser initdb creates (-U)
_DB_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PgClusterError(RuntimeError):
    """initdb, pg_ctl or the server failed; the message says what, with the log's last lines."""


def available() -> bool:
    """Debian's PostgreSQL 15 server binaries are installed (and, when we are root, the
    ``postgres`` system user that runs them exists)."""
    if not (PG_BIN / "initdb").is_file() or not (PG_BIN / "pg_ctl").is_file():
        return False
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return False
        return shutil.which("runuser") is not None
    return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_base_dir(prefix: str = "xz-pg-") -> Path:
    """A new empty folder in the system's temporary folder that the ``postgres`` user can reach
    (mode 0711: others may pass through, not list it). pytest's own tmp folders are private to
    root (0700), so a cluster run for root cannot live there."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o711)
    return base


class PgCluster:
    """One PostgreSQL server on ``127.0.0.1:port`` with its data under ``base_dir/pg``.

    ``port=None`` reuses the port of an existing cluster in ``base_dir`` or picks a free one.
    The data folder is created by the first ``start()`` and kept by ``stop()``, so a later
    ``start()`` (or another ``PgCluster`` on the same folder) finds the same databases.
    """

    def __init__(
        self,
        base_dir: Path | str,
        port: int | None = None,
        fast: bool = False,
        host: str = "127.0.0.1",
        netns: str | None = None,
    ) -> None:
        """``host``: the address it listens on and is reached at; ``netns``: a network namespace
        (``ip netns``) the server runs in, for tests that cut the network to it."""
        self.host = host
        self.netns = netns
        self.base_dir = Path(base_dir).resolve()
        self.home = self.base_dir / "pg"
        self.data_dir = self.home / "data"
        self.socket_dir = self.home / "sock"
        self.log_file = self.home / "postgres.log"
        self.fast = fast
        self.port = port or self._saved_port() or free_port()
        self._as_root = os.geteuid() == 0

    # -- addresses --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The application's URL: role ``xz``, database ``xz``."""
        return self.url_for(APP_DB)

    @property
    def admin_url(self) -> str:
        """The bootstrap superuser on the maintenance database (for tests that must terminate
        other sessions or inspect the server)."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/postgres"

    def url_for(self, dbname: str, role: str = APP_ROLE) -> str:
        return f"postgresql://{role}@{self.host}:{self.port}/{dbname}"

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> PgCluster:
        """initdb (first time), then start the server and wait until it accepts connections.
        Does nothing when it is already running."""
        if not available():
            raise PgClusterError(
                f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing): "
                "apt-get install postgresql-15"
            )
        if self.running():
            self.port = self._saved_port() or self.port
            return self
        fresh = not (self.data_dir / "PG_VERSION").exists()
        if fresh:
            self._initdb()
        self._write_settings()
        self._pg_ctl("start", "-w", "-t", "90", "-l", str(self.log_file))
        if fresh:
            self._create_app_role()
        (self.base_dir / "url").write_text(self.url + "\n")
        return self

    def stop(self) -> None:
        """Shut down cleanly (``pg_ctl stop -m fast``: open sessions are ended, everything
        committed is kept). Does nothing when it is not running."""
        if self.running():
            self._pg_ctl("stop", "-w", "-t", "60", "-m", "fast")

    def restart(self) -> None:
        self.stop()
        self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would, and wait until its server processes have
        gone too (they exit when they notice the postmaster's death; any left after 10 s are
        killed) and have been reaped: PostgreSQL refuses to start while the pid in its lock file
        still exists, even as a zombie. The next ``start()`` runs crash recovery."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        children = _children(pid)
        _signal(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        for p in [pid, *children]:
            while _alive(p):
                if time.monotonic() > deadline:
                    _signal(p, signal.SIGKILL)
                time.sleep(0.05)
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{p}").exists() for p in [pid, *children]):
            if time.monotonic() > deadline:
                raise PgClusterError(f"the killed postmaster {pid} was not reaped within 30 s")
            time.sleep(0.05)

    def postmaster_pid(self) -> int | None:
        """The running postmaster's process id, or None."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def running(self) -> bool:
        return self.postmaster_pid() is not None

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases --------------------------------------------------------------------------

    def create_database(self, name: str) -> str:
        """A new empty database owned by ``xz``; returns its URL."""
        self._check_name(name)
        self._admin_sql(f'CREATE DATABASE "{name}" OWNER "{APP_ROLE}"')
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop the database, ending any session still connected to it."""
        self._check_name(name)
        self._admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def _check_name(name: str) -> None:
        if not _DB_NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")

    def _admin_sql(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as con:
            for sql in statements:
                con.execute(sql.encode())

    def _create_app_role(self) -> None:
        self._admin_sql(
            f'CREATE ROLE "{APP_ROLE}" LOGIN CREATEDB',
            f'CREATE DATABASE "{APP_DB}" OWNER "{APP_ROLE}"',
        )

    def _saved_port(self) -> int | None:
        try:
            m = re.search(r"^port = (\d+)$", (self.data_dir / "xz_settings.conf").read_text(), re.M)
        except OSError:
            return None
        return int(m.group(1)) if m else None

    def _initdb(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if self._as_root:
            pw = pwd.getpwnam(SYSTEM_USER)
            for p in (self.home, self.socket_dir):
                os.chown(p, pw.pw_uid, pw.pw_gid)
            self.home.chmod(0o700)
            reach = subprocess.run(
                ["runuser", "-u", SYSTEM_USER, "--", "test", "-w", str(self.home)],
                cwd="/",
            )
            if reach.returncode != 0:
                raise PgClusterError(
                    f"the {SYSTEM_USER} user cannot reach {self.home}: a folder above it is "
                    "private to root (use devkit.pgcluster.make_base_dir(), or chmod o+x)"
                )
        self._run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
                *(["--no-sync"] if self.fast else []),
            ],
            "initdb",
        )
        with (self.data_dir / "postgresql.conf").open("a") as f:
            f.write("\n# devkit.pgcluster: the settings of this throwaway cluster\n")
            f.write("include 'xz_settings.conf'\n")
        if self.host != "127.0.0.1":  # a test's own network (a namespace): its subnet, trusted
            with (self.data_dir / "pg_hba.conf").open("a") as f:
                f.write("host all all samenet trust\n")

    def _write_settings(self) -> None:
        lines = [
            f"listen_addresses = '{self.host}'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.socket_dir}'",
            "max_connections = 200",
            "shared_buffers = 32MB",
            "work_mem = 4MB",
            "logging_collector = off",
            "log_min_messages = warning",
            "log_connections = off",
        ]
        if self.fast:
            lines += ["fsync = off", "full_page_writes = off"]
        path = self.data_dir / "xz_settings.conf"
        path.write_text("\n".join(lines) + "\n")
        if self._as_root:
            pw = pwd.getpwnam(SYSTEM_USER)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def _pg_ctl(self, *args: str) -> None:
        inside = ["ip", "netns", "exec", self.netns] if self.netns and args[0] == "start" else []
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), *args]
        self._run(cmd, f"pg_ctl {args[0]}", prefix=inside)

    def _run(self, cmd: list[str], what: str, prefix: list[str] | None = None) -> None:
        if self._as_root:
            cmd = ["runuser", "-u", SYSTEM_USER, "--", *cmd]
        cmd = [*(prefix or []), *cmd]
        env = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}
        env.pop("PGDATA", None)
        r = subprocess.run(
            cmd,
            cwd=str(self.home) if self.home.exists() else "/",
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=180,
        )
        if r.returncode != 0:
            raise PgClusterError(
                f"{what} failed (exit {r.returncode}): {r.stdout.strip()[-2000:]}"
                + self._log_tail()
            )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\nserver log:\n" + "\n".join(tail)


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(d.name))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m devkit.pgcluster",
        description="A private PostgreSQL 15 cluster in a folder (trust authentication on "
        "127.0.0.1: for tests and a deployment on one's own machine only).",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="initdb if needed, start, print the URL (also in DIR/url)")
    start.add_argument("dir", type=Path)
    start.add_argument("--port", type=int, default=None)
    start.add_argument(
        "--fast", action="store_true", help="fsync=off (tests: faster, not crash-safe)"
    )
    stop = sub.add_parser("stop", help="stop the cluster in DIR (its data stays)")
    stop.add_argument("dir", type=Path)
    args = ap.parse_args(argv)
    try:
        if args.command == "start":
            args.dir.mkdir(parents=True, exist_ok=True)
            cluster = PgCluster(args.dir, port=args.port, fast=args.fast).start()
            print(cluster.url, flush=True)
        else:
            PgCluster(args.dir).stop()
    except PgClusterError as exc:
        print(f"pgcluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
