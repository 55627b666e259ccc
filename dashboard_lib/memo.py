"""A shared, bounded memo of what pages compute: content tables, figures, map component arguments.

Thirty people at a meeting ask for the same few views again and again; building a view once per
(data, scope, inputs) instead of once per click is what lets one 2-core server keep up.

Every key starts with :func:`key_for`: the database file and the connection to it (a replica
reopens on each published snapshot), its :meth:`Store.data_version` (any import, undo,
correction or rebuild gives new keys, so nothing stale is served) and the viewer's
:attr:`Viewer.scope_key` (role, provinces, universities, provenances, read-only). Two viewers share
an entry only when they may see exactly the same rows; the viewer's name is not in the key.

Values are shared between sessions and threads: callers must treat them as read-only.
Bounded per memo (least recently used goes first), so memory levels off whatever users click.
Concurrent misses of one key compute once; the others wait for that result. Failures are not
cached: the next caller tries again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, TypeVar

T = TypeVar("T")
_WAIT_SECONDS = 120


class Memo:
    def __init__(self, name: str, max_entries: int):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.name = name
        self.max_entries = max_entries
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
        if not owner:
            event.wait(_WAIT_SECONDS)
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    self.hits += 1
                    return self._data[key]
            return compute()   # the first caller failed (or took too long): try ourselves
        try:
            value = compute()
        except BaseException:
            with self._lock:
                self._inflight.pop(key, None)
            event.set()
            raise
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
            self.misses += 1
            self._inflight.pop(key, None)
        event.set()
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._data), "max_entries": self.max_entries,
                "hits": self.hits, "misses": self.misses}


def key_for(store, viewer, *inputs: Hashable) -> tuple:
    """The key of one computed view: which data, who may see what of it, and the page's inputs."""
    return (str(store.path), store.serial, store.data_version(), viewer.scope_key, *inputs)


def frozen(mapping: dict | None) -> tuple:
    """A dict of simple values (e.g. URL parameters) as a hashable, order-free key part."""
    return tuple(sorted((str(k), str(v)) for k, v in (mapping or {}).items()))


def _part(value):
    return frozen(value) if isinstance(value, dict) else value


def cached(fn: Callable[..., T], store, viewer, *args, memo: "Memo | None" = None) -> T:
    """``fn(store, viewer, *args)``, computed once per (data version, scope, ``fn``, ``args``);
    dict arguments (URL parameters) count by their items."""
    key = key_for(store, viewer, f"{fn.__module__}.{fn.__qualname__}", *(_part(a) for a in args))
    return (memo or PAGES).get(key, lambda: fn(store, viewer, *args))


# One memo per kind of value, each bounded by entries of a known size class:
# map component arguments are up to ~1 MB each (the national map), page content a few 100 kB.
MAPS = Memo("maps", 48)
PAGES = Memo("pages", 256)
SMALL = Memo("small", 1024)   # filter choices, KPI cards, banners: a few kB each

ALL = (MAPS, PAGES, SMALL)


def clear_all() -> None:
    for m in ALL:
        m.clear()
