"""Users, log-in bookkeeping and the audit log (issue 6).

A mixin of ``dashboard_lib.store.Store``: methods use ``self._df``, ``self._scalar`` and
``self._con.cursor()``, always with bound parameters and the viewer's scope
(``scope.project_predicate``). Extra tables go in ``SCHEMA_PART`` (DDL) and ``TABLES_PART``.
"""
from __future__ import annotations


class AuthOps:
    SCHEMA_PART = ""
    TABLES_PART: tuple[str, ...] = ()
