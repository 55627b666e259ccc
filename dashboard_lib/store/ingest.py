"""Writes of the import and entry forms (issue 5): batches, validation results, undo.

A mixin of ``dashboard_lib.store.Store``: methods use ``self._df``, ``self._scalar`` and
``self._con.cursor()``, always with bound parameters and the viewer's scope
(``scope.project_predicate``). Extra tables go in ``SCHEMA_PART`` (DDL) and ``TABLES_PART``.
"""
from __future__ import annotations


class IngestOps:
    SCHEMA_PART = ""
    TABLES_PART: tuple[str, ...] = ()
