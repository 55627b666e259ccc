"""The library's log: every module logs through ``logging.getLogger(__name__)`` (so under the
``dashboard_lib`` logger); :func:`configure` gives that logger one handler on stderr, with the
level of ``XZ_LOG_LEVEL`` (default ``INFO``). The server (``serve.py``) calls it once; the
command-line tools print their own progress; tests leave it alone and read records with pytest's
``caplog``.

What is logged: a database built (INFO) or moved aside (WARNING), a file refused because it held
data (ERROR, with what to do), a published snapshot opened by a replica, views of an older data
version retired from the cache, every import batch written and undone (who, what, how many
rows), backups made and pruned, and every unexpected exception of a page (ERROR, with its
traceback, under the 8-hex-digit error id the page shows: ``dashboard_lib.ui.chrome``).
"""

from __future__ import annotations

import logging
import os

ROOT = "dashboard_lib"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str | None = None) -> logging.Logger:
    """Attach one stderr handler to the library's logger (again: no second handler)."""
    logger = logging.getLogger(ROOT)
    name = (level or os.environ.get("XZ_LOG_LEVEL") or "INFO").upper()
    logger.setLevel(getattr(logging, name, logging.INFO))
    if not any(getattr(h, "_xz", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._xz = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = True
    return logger
