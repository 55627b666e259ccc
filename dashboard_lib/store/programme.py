"""Queries of the programme views (issue 4): progress, exchanges, internships, dossier.

A mixin of ``dashboard_lib.store.Store``: methods use ``self._df``, ``self._scalar`` and
``self._con.cursor()``, always with bound parameters and the viewer's scope
(``scope.project_predicate``). Extra tables go in ``SCHEMA_PART`` (DDL) and ``TABLES_PART``.
"""
from __future__ import annotations


class ProgrammeQueries:
    SCHEMA_PART = ""
    TABLES_PART: tuple[str, ...] = ()
