"""The data layer's one error: ``StoreError``, a database problem told in one sentence.

Code above the store never sees a DuckDB exception (only ``dashboard_lib/store`` imports
duckdb): store functions raise ``StoreError``, and ``store_errors()`` turns the DuckDB errors of
a block of store calls into one, for callers that must answer in a sentence, not a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

DB_FAILED = (
    "数据库操作失败（{name}）。",
    "The database operation failed ({name}).",
)


class StoreError(RuntimeError):
    """A database problem told to the user in one sentence (Chinese first, then English)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@contextmanager
def store_errors(failed: tuple[str, str] = DB_FAILED) -> Iterator[None]:
    """A DuckDB error raised inside the block reaches the caller as a ``StoreError`` in the
    ``failed`` words (``{name}`` standing for the error's type); a ``StoreError`` and every
    other exception pass as they are."""
    try:
        yield
    except duckdb.Error as exc:
        name = type(exc).__name__
        raise StoreError(failed[0].format(name=name), failed[1].format(name=name)) from exc
