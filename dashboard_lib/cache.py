"""The one cache of the dashboard: every remembered value of the process lives in a bounded
:class:`Memo` of this module, so one call (:func:`clear_all`) forgets everything and one place
says what is kept and how much.

- ``PAGES``, ``MAPS``, ``SMALL``: what pages compute (content tables, figures, map arguments,
  filter choices), keyed by :func:`key_for` (data, scope, inputs) through :func:`cached`.
- ``STATIC``: values that depend only on files shipped with the app (boundary files, the
  common-password list, the crosswalk), through the :func:`static` decorator.
- ``GEOMETRY``: GeoJSON geometries of the boundary layers, shared by every map.
- ``STORES``: the open Store of each database file (or published snapshot), through
  :func:`store_for` (the Streamlit layer calls it; nothing else opens the app's database).

Thirty people at a meeting ask for the same few views again and again; building a view once per
(data, scope, inputs) instead of once per click is what lets one 2-core server keep up.

Every page key starts with :func:`key_for`: the database file and the connection to it (a
replica reopens on each published snapshot), its :meth:`Store.data_version` (any import, undo,
correction or rebuild gives new keys, so nothing stale is served) and the viewer's
:attr:`Viewer.scope_key` (role, provinces, universities, provenances, read-only). Two viewers
share an entry only when they may see exactly the same rows; the viewer's name is not in the key.

Values are shared between sessions and threads: callers must treat them as read-only.
Bounded per memo by entries and approximate bytes (least recently used goes first), so memory
levels off whatever users click. Concurrent misses of one key compute once; the others wait for
that result. Failures are not cached: the next caller tries again.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
log = logging.getLogger(__name__)
_WAIT_SECONDS = 120


def approx_size(value, _seen: set | None = None) -> int:
    """Rough bytes held by ``value``: strings and arrays by length, frames by pandas' own count,
    plotly figures by their JSON-like content, containers and plain objects by their parts.
    Enough to keep a memo near its budget, not an exact count."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if value is None or isinstance(value, (bool, int, float)):
        return 16
    if isinstance(value, (str, bytes, bytearray)):
        return 50 + len(value)
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        # pandas' deep count walks every string; a short text cell is ~64 bytes on top
        cells = sum(len(frame) for dtype in frame.dtypes if dtype == np.dtype(object))
        return int(frame.memory_usage(deep=False, index=True).sum()) + 64 * cells
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if hasattr(value, "to_plotly_json"):  # a plotly figure: its own data and layout dicts
        parts = (getattr(value, "_data", None), getattr(value, "_layout", None))
        return approx_size(parts if parts != (None, None) else value.to_plotly_json(), seen)
    if isinstance(value, dict):
        return 64 + sum(approx_size(k, seen) + approx_size(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if len(items) > 64:  # long runs of chart values: measure a sample, scale up
            sample = items[:: len(items) // 32][:32]
            return 56 + len(items) * sum(approx_size(v, seen) for v in sample) // len(sample)
        return 56 + sum(approx_size(v, seen) for v in items)
    if hasattr(value, "__dict__"):
        return 64 + approx_size(vars(value), seen)
    return 64


class Memo:
    """Least-recently-used entries go first once there are more than ``max_entries`` or their
    :func:`approx_size` adds up to more than ``max_mb`` (the newest entry always stays)."""

    def __init__(self, name: str, max_entries: int, max_mb: float = float("inf")):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.name = name
        self.max_entries = max_entries
        self.max_bytes = max_mb * 1e6
        self.bytes = 0
        self._sizes: dict[Hashable, int] = {}
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, computed by ``compute()`` on a miss."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            event = self._inflight.get(key)
            owner = event is None
            if owner:
                event = self._inflight[key] = threading.Event()
        assert event is not None  # in flight already, or ours just made
        if not owner:
            event.wait(_WAIT_SECONDS)
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    self.hits += 1
                    return self._data[key]
            return compute()  # the first caller failed (or took too long): try ourselves
        try:
            value = compute()
        except BaseException:
            with self._lock:
                self._inflight.pop(key, None)
            event.set()
            raise
        size = approx_size(value) if self.max_bytes != float("inf") else 0
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            self.bytes += size - self._sizes.get(key, 0)
            self._sizes[key] = size
            while len(self._data) > 1 and (
                len(self._data) > self.max_entries or self.bytes > self.max_bytes
            ):
                old, _ = self._data.popitem(last=False)
                self.bytes -= self._sizes.pop(old, 0)
            self.misses += 1
            self._inflight.pop(key, None)
        event.set()
        return value

    def drop(self, unwanted: Callable[[Hashable], bool]) -> int:
        """Remove the entries whose key ``unwanted(key)`` says; how many went."""
        with self._lock:
            gone = [k for k in self._data if unwanted(k)]
            for k in gone:
                del self._data[k]
                self.bytes -= self._sizes.pop(k, 0)
        return len(gone)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._sizes.clear()
            self.bytes = self.hits = self.misses = 0

    def stats(self) -> dict[str, float]:
        return {
            "entries": len(self._data),
            "max_entries": self.max_entries,
            "mb": self.bytes / 1e6,
            "max_mb": self.max_bytes / 1e6,
            "hits": self.hits,
            "misses": self.misses,
        }


def key_for(store, viewer, *inputs: Hashable) -> tuple:
    """The key of one computed view: which data, who may see what of it, and the page's inputs."""
    return (str(store.origin), store.serial, store.data_version(), viewer.scope_key, *inputs)


def frozen(mapping: dict | None) -> tuple:
    """A dict of simple values (e.g. URL parameters) as a hashable, order-free key part."""
    return tuple(sorted((str(k), str(v)) for k, v in (mapping or {}).items()))


def _part(value):
    return frozen(value) if isinstance(value, dict) else value


def cached(fn: Callable[..., T], store, viewer, *args, memo: Memo | None = None) -> T:
    """``fn(store, viewer, *args)``, computed once per (data version, scope, ``fn``, ``args``);
    dict arguments (URL parameters) count by their items."""
    key = key_for(store, viewer, f"{fn.__module__}.{fn.__qualname__}", *(_part(a) for a in args))
    return (memo or PAGES).get(key, lambda: fn(store, viewer, *args))


def approvals(store, viewer, as_of=None) -> frozenset:
    """The approved (term, province) pairs of the viewer's scope (``Store.approved_pairs``), in
    ``SMALL``. Keyed, beyond :func:`key_for`, by ``Store.approval_stamp`` (read from the system
    of record): an approval or a reopening shows on the next run of every page, on every
    replica. Pages pass the pairs to their content builders, so those keys change with them.
    ``as_of``: the sidebar's 数据截至 — the pairs as they stood at the end of that day."""
    key = key_for(store, viewer, "approved_pairs", store.approval_stamp(), as_of)
    return SMALL.get(key, lambda: store.approved_pairs(viewer, as_of))


# One memo per kind of value, each bounded by entries and by approximate size, so a server's
# memory levels off whatever its users ask for (measured: the national map's arguments ~1 MB,
# a province's 0.3–0.5 MB; national programme-page content 1–7 MB at 2,000 projects, a
# province's 0.1–1 MB): at most ~130 MB of remembered views per process.
MAPS = Memo("maps", 64, max_mb=40)
PAGES = Memo("pages", 512, max_mb=80)
SMALL = Memo("small", 2048, max_mb=8)  # filter choices, the explorer's reference lists
# static data shipped with the app: boundary layers (a few MB each), reference lists
STATIC = Memo("static", 128, max_mb=200)
GEOMETRY = Memo("geometry", 200_000)  # (layer, precision, key) -> GeoJSON geometry
STORES = Memo("stores", 2)  # one open Store per database file or published snapshot

ALL = (MAPS, PAGES, SMALL)  # the memos of computed views (retired when the data changes)
EVERY = (*ALL, STATIC, GEOMETRY, STORES)


def clear_all() -> None:
    """Forget every computed view and the snapped geometries (each test starts so). The files'
    own contents in ``STATIC`` stay (keyed on their mtime, a replaced file is read again):
    :func:`clear_static` forgets them too. Open stores stay: closing a connection under a
    running page is not a cache's business."""
    for m in (*ALL, GEOMETRY):
        m.clear()
    _CURRENT.clear()


def clear_static() -> None:
    STATIC.clear()


def static(fn: Callable[..., T]) -> Callable[..., T]:
    """Remember ``fn(*args)`` in ``STATIC`` for the life of the process (arguments must be
    hashable: pass a file's mtime along with its path so a replaced file is read again)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args: Hashable) -> T:
        return STATIC.get((name, *args), lambda: fn(*args))

    return wrapper


def store_for(key: Hashable, open_: Callable[[], T]) -> T:
    """The open store for ``key`` (a database path and its snapshot stamp), opened once."""
    return STORES.get(key, open_)


def _generation(key: Hashable):
    """The (file, connection, data version) a key of :func:`key_for` was made with (a map's key
    holds one as its first part), or None."""
    head = key[0] if isinstance(key, tuple) and key and isinstance(key[0], tuple) else key
    return tuple(head[:3]) if isinstance(head, tuple) and len(head) >= 3 else None


_CURRENT: dict[str, tuple] = {}


def retire_older(store) -> int:
    """Forget the views made from an earlier connection or data version of ``store``'s file.

    They would never be asked for again (their keys name what they were made from) and only wait
    for the least-recently-used rule: after an import on a server, or a new snapshot on a
    replica, up to the whole budget (~130 MB) of them. Cheap when nothing changed; returns how
    many entries went."""
    current = (str(store.origin), store.serial, store.data_version())
    if _CURRENT.get(current[0]) == current:
        return 0
    _CURRENT[current[0]] = current

    def stale(key: Hashable) -> bool:
        made_from = _generation(key)
        return made_from is not None and made_from[0] == current[0] and made_from != current

    gone = sum(m.drop(stale) for m in ALL)
    if gone:
        log.info("cache: %d views of an older version of %s retired", gone, current[0])
    return gone
