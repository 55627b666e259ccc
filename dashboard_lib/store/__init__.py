"""The one data layer: every DuckDB connection, schema and query of the dashboard lives here.

``Store`` is composed of the core (connection, transactions, foundation queries) and one mixin
per feature, each in its own module of this package. The schema is written out in ``schema.py``;
opening, building and guarding the file is ``lifecycle.py``; backups are ``backup.py``. Every
read takes the viewer and applies its scope in SQL with bound parameters; pages never write SQL.
Nothing outside this package imports duckdb: it raises ``StoreError`` (``store_errors()`` turns
the DuckDB errors of a block of store calls into one).
"""

from .approval import ApprovalQueries
from .auth import AuthOps
from .comparison import ComparisonOps
from .core import CoreStore
from .cycles import CycleOps
from .errors import StoreError, store_errors
from .explorer import ExplorerQueries
from .ingest import IngestOps
from .lifecycle import OpenResult, open_store
from .programme import ProgrammeQueries
from .quality import QualityOps
from .reporting import ReportingOps
from .schema import SCHEMA_VERSION
from .summary import refresh_summaries
from .targets import TargetOps


class Store(
    ExplorerQueries,
    ProgrammeQueries,
    ApprovalQueries,
    ReportingOps,
    TargetOps,
    QualityOps,
    IngestOps,
    CycleOps,
    ComparisonOps,
    AuthOps,
    CoreStore,
):
    """The data layer as the app uses it (feature mixins are added to the bases)."""


__all__ = [
    "SCHEMA_VERSION",
    "CoreStore",
    "OpenResult",
    "Store",
    "StoreError",
    "open_store",
    "refresh_summaries",
    "store_errors",
]
