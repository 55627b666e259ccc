"""How long a refused log-in takes, by the kind of name: a real account (wrong password), an
unknown name, a disabled account and a locked one (wrong passwords). With one argon2
verification per attempt whatever the name (a dummy hash for unknown names), the medians match
within a few milliseconds; before, an unknown name answered in ~8 ms against ~265 ms.

    .venv/bin/python scripts/bench_login.py [--repeat 15]

Uses a throw-away database with only the account tables (nothing else is read).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from dashboard_lib import auth  # noqa: E402
from dashboard_lib.store import Store  # noqa: E402

PW = "Bench-password-2026"
KINDS = ("known", "unknown", "disabled", "locked")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    try:
        fn()
    except auth.AuthError:
        pass
    return (time.perf_counter() - t0) * 1000


def measure(repeat: int = 15) -> list[tuple[str, float, int]]:
    """[(kind, median ms, attempts)] of refused log-ins (wrong passwords) for each kind."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        try:
            store.create_schema()
            for name in ("known", "disabled", "locked"):
                auth.create_user(store, f"bench-{name}", "ministry", PW)
            auth.set_disabled(store, "bench-disabled", True, "bench")
            for _ in range(3):
                _timed(lambda: auth.authenticate(store, "bench-locked", "wrong-1", lock_after=3))
            never = 10**9  # the known account must not lock while measured
            names = {
                "known": lambda: "bench-known",
                "unknown": lambda: "nobody-" + secrets.token_hex(4),
                "disabled": lambda: "bench-disabled",
                "locked": lambda: "bench-locked",
            }
            times: dict[str, list[float]] = {k: [] for k in KINDS}
            _timed(lambda: auth.authenticate(store, "warm-up", "x", lock_after=never))
            for _ in range(repeat):
                for kind in KINDS:  # interleaved: drifts of the machine hit every kind alike
                    name = names[kind]()
                    times[kind].append(
                        _timed(
                            lambda name=name, kind=kind: auth.authenticate(
                                store,
                                name,
                                "Wrong-password-9",
                                lock_after=never if kind != "locked" else 3,
                            )
                        )
                    )
        finally:
            store.close()
    return [(k, statistics.median(v), len(v)) for k, v in times.items()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args(argv)
    rows = measure(args.repeat)
    print("| name | attempts | median ms |")
    print("|---|---:|---:|")
    for kind, ms, n in rows:
        print(f"| {kind} | {n} | {ms:.1f} |")
    spread = max(ms for _, ms, _ in rows) - min(ms for _, ms, _ in rows)
    print(f"\nspread of the medians: {spread:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
