"""The product's connections to PostgreSQL notice a dead network link (issue 15: "the network to
PostgreSQL dropped for 30 s"). This kernel has no netem to drop packets in a test, so what is
checked is the socket itself: a connection the product makes, to the real server, carries
keepalive probes and a send timeout short enough that a 30 s drop is noticed within it, rather
than after the kernel's 15 minutes of retransmissions (a query) or never (the snapshot job's
LISTEN connection, which only waits)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from dashboard_lib.store import pg

DROP_SECONDS = 30  # the network cut


def _link_of(conn) -> dict[str, int]:
    s = socket.fromfd(conn.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    try:
        return {
            "keepalive": s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            "idle": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            "interval": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            "count": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
            "user_timeout_ms": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
        }
    finally:
        s.detach()  # the fd stays the connection's


def _notices_a_drop(link: dict[str, int]) -> None:
    assert link["keepalive"] == 1, link
    # an idle or listening connection: found dead by the probes within the drop
    assert link["idle"] + link["interval"] * link["count"] <= DROP_SECONDS, link
    # a query sent into the dead link: an error (and the user's sentence) within the drop
    assert 0 < link["user_timeout_ms"] <= DROP_SECONDS * 1000, link


def _server_notices_a_drop(conn) -> None:
    """The server's end of the same connection: a writer cut off inside a transaction holds the
    write lock until its server process learns the client is gone (PostgreSQL's default: two
    hours of probes never sent)."""

    def setting(name: str) -> int:
        value = conn.execute(f"SHOW {name}").fetchone()[0]
        return int(re.match(r"\d+", value).group())

    idle, interval, count = (setting(f"tcp_keepalives_{k}") for k in ("idle", "interval", "count"))
    assert 0 < idle + interval * count <= DROP_SECONDS, (idle, interval, count)
    assert 0 < setting("tcp_user_timeout") <= DROP_SECONDS * 1000


def test_the_writers_connections_notice_a_dropped_link(pg_url):
    writer = pg.PgWriter(pg_url)
    with writer._connection() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        _notices_a_drop(_link_of(conn))
        _server_notices_a_drop(conn)
    writer.close()


def test_the_snapshot_jobs_connections_notice_a_dropped_link(pg_url):
    with pg.connect(pg_url, autocommit=True) as listen:  # as the job's LISTEN connection
        listen.execute(f"LISTEN {pg.CHANNEL}")
        _notices_a_drop(_link_of(listen))
        _server_notices_a_drop(listen)


def test_nothing_in_the_product_connects_another_way():
    root = Path(pg.__file__).resolve().parents[1]
    calls = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bpsycopg\.connect\(", line) and not line.lstrip().startswith("#")
    ]
    assert len(calls) == 1 and calls[0].startswith("store/pg.py:"), calls  # pg.connect itself
