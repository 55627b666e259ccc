"""Summary tables kept current with the base tables (for speed at national scale).

``refresh_summaries(cur)`` is called by the build and, inside the same transaction, by every
import or edit that changes activity rows, so summaries never lag behind the data.
"""
from __future__ import annotations


def refresh_summaries(cur) -> None:
    """Recompute every summary table from the base tables on cursor ``cur`` (none yet)."""
    return None
