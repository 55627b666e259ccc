"""The data layer's one error: ``StoreError``, a database problem told in one sentence.

Code above the store never sees a DuckDB exception (only ``dashboard_lib/store`` imports
duckdb): store functions raise ``StoreError``, and ``store_errors()`` turns the DuckDB errors of
a block of store calls into one, for callers that must answer in a sentence, not a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import psycopg

from ..errors import UserError

DB_FAILED = "store_db_failed"  # the strings key: "The database operation failed ({name})."


class StoreError(UserError, RuntimeError):
    """A database problem told to the user in one sentence: a strings key and its values."""


@contextmanager
def store_errors(failed: str = DB_FAILED) -> Iterator[None]:
    """A DuckDB error raised inside the block reaches the caller as a ``StoreError`` in the
    words of the strings key ``failed`` (``{name}`` standing for the error's type); a
    ``StoreError`` and every other exception pass as they are."""
    try:
        yield
    except (duckdb.Error, psycopg.Error) as exc:
        # psycopg: PostgreSQL as the system of record (issue 15) down, or a statement refused
        if isinstance(exc, psycopg.OperationalError):
            raise StoreError("store_pg_unavailable") from exc
        raise StoreError(failed, name=type(exc).__name__) from exc
