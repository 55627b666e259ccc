"""The library's log: one handler however often it is configured, and the events an operator
needs (a database built, views of an older version retired, an import written and undone)."""

from __future__ import annotations

import logging

from conftest import AS_OF, make_tiny

from dashboard_lib import cache, ingest, log
from dashboard_lib.scope import Viewer


def test_configure_adds_one_handler_and_reads_the_level(monkeypatch):
    logger = logging.getLogger("dashboard_lib")
    before = list(logger.handlers)
    try:
        monkeypatch.setenv("XZ_LOG_LEVEL", "warning")
        log.configure()
        log.configure()
        ours = [h for h in logger.handlers if getattr(h, "_xz", False)]
        assert len(ours) == 1 and logger.level == logging.WARNING
    finally:
        logger.handlers[:] = before
        logger.setLevel(logging.NOTSET)


def test_an_import_and_its_undo_are_logged_and_old_views_retired(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="dashboard_lib")
    store = make_tiny(tmp_path / "t.duckdb")
    ministry = Viewer.ministry(name="leader")
    cache.retire_older(store)  # the first look at this file retires nothing
    cache.cached(lambda s, v: 1, store, ministry)
    school = store.projects(ministry).iloc[0]["school_zh"]
    csv = f"帮扶县中,开始日期,人数,备注\n{school},2026-03-02,3,logged\n".encode()
    preview = ingest.prepare(store, ministry, "dispatch", csv, "visits.csv", today=AS_OF)
    assert preview.n_accepted == 1, preview.problems
    batch = store.import_commit(ministry, preview, "visits.csv", None)
    store.undo_batch(ministry, batch)
    assert cache.retire_older(store) >= 1
    text = [r.getMessage() for r in caplog.records if r.name.startswith("dashboard_lib")]
    assert any(f"import batch {batch} written by leader" in m and "visits.csv" in m for m in text)
    assert any(f"import batch {batch} undone by leader" in m for m in text)
    assert any("retired" in m for m in text)
