"""The one data layer: every DuckDB connection, schema and query of the dashboard lives here.

``Store`` is composed of the core (schema, connections, foundation queries) and one mixin per
feature, each in its own module of this package. Every read takes the viewer and applies its
scope in SQL with bound parameters; pages never write SQL.
"""

from .auth import AuthOps
from .core import SCHEMA_VERSION, CoreStore, OpenResult, StoreError, open_store
from .explorer import ExplorerQueries
from .ingest import IngestOps
from .programme import ProgrammeQueries
from .summary import refresh_summaries


class Store(ExplorerQueries, ProgrammeQueries, IngestOps, AuthOps, CoreStore):
    """The data layer as the app uses it (feature mixins are added to the bases)."""


__all__ = [
    "SCHEMA_VERSION",
    "CoreStore",
    "OpenResult",
    "Store",
    "StoreError",
    "open_store",
    "refresh_summaries",
]
