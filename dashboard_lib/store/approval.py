"""The reads behind the approved / provisional marker of every figure (issue 16, part 2).

A mixin of ``dashboard_lib.store.Store`` on top of ``ReportingOps`` (whose ``term_approvals``
it reads; the rule that marks rows is ``dashboard_lib.programme.approval``):

- ``approved_pairs(viewer)``: the (term, province) pairs of the viewer's scope the ministry
  approved and has not reopened;
- ``approval_stamp()``: a short text that changes whenever any approval or reopening is
  written. ``cache.approvals`` keys its memo with it: the approvals are read from the system of
  record (PostgreSQL when it is one), so an approval or a reopening shows on the next page run
  of every replica, without waiting for the published snapshot that ``data_version`` follows.
  It says nothing about which provinces (no scope is needed: it is a version, not a row).
"""

from __future__ import annotations

from datetime import date

from ..scope import Viewer
from .reporting import ReportingOps


class ApprovalQueries(ReportingOps):
    def approved_pairs(
        self, viewer: Viewer, as_of: date | None = None
    ) -> frozenset[tuple[int, int]]:
        """The approved (term, province) pairs in the viewer's scope (``locked`` rows of
        ``term_approvals``), as they stood at the end of ``as_of`` when given."""
        rows = self.term_approvals(viewer, as_of=as_of)
        rows = rows[rows["locked"].fillna(False).astype(bool)]
        return frozenset(
            (int(term), int(province))
            for term, province in zip(rows["term"], rows["province_adcode"])
        )

    def approval_stamp(self) -> str:
        """Changes with every approval or reopening written (see the module docstring)."""
        self._ensure_reporting_schema()
        if not self._reporting_ready:
            return ""
        rows = self._sor_rows(
            "SELECT count(*), max(approved_at), max(reopened_at), "
            "count(reopened_at) FROM term_approval"
        )
        return "|".join(str(v) for v in rows[0]) if rows else ""
