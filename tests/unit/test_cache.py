"""The shared memo of page content (dashboard_lib/cache.py) and what keeps it honest: the data
version (new keys after any data change, none after a sign-in), the viewer's scope in every key,
bounded size, one computation for concurrent misses, and the map arguments replayed unchanged."""

from __future__ import annotations

import re
import threading
import time
from datetime import date, datetime

import folium
import pytest
import streamlit_folium
from conftest import ROOT, make_tiny
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, cache, ingest
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store import Store
from dashboard_lib.ui import mapview

TODAY = date(2026, 11, 28)


# ---------------------------------------------------------------------------- the memo itself
def test_hit_returns_the_first_value_and_computes_once():
    m = cache.Memo("t", 4)
    calls = []
    assert m.get("a", lambda: calls.append(1) or "A") == "A"
    assert m.get("a", lambda: calls.append(1) or "other") == "A"
    assert calls == [1]
    assert m.stats()["hits"] == 1 and m.stats()["misses"] == 1


def test_bounded_least_recently_used_goes_first():
    m = cache.Memo("t", 3)
    for k in "abc":
        m.get(k, lambda k=k: k)
    m.get("a", lambda: "again")  # a is now the most recent
    m.get("d", lambda: "d")  # b, the least recent, leaves
    assert len(m) == 3
    assert "b" not in m and "a" in m and "d" in m
    for i in range(100):
        m.get(i, lambda i=i: i)
    assert len(m) == 3


def test_bounded_by_approximate_size_newest_stays():
    m = cache.Memo("t", 100, max_mb=0.25)
    for k in "abcd":
        m.get(k, lambda: "x" * 100_000)  # ~0.1 MB each
    assert len(m) == 2 and "c" in m and "d" in m
    assert m.stats()["mb"] <= 0.25
    m.get("big", lambda: "y" * 1_000_000)  # over the budget alone: kept, the rest goes
    assert len(m) == 1 and "big" in m


def test_approx_size_counts_what_is_held():
    import pandas as pd
    import plotly.graph_objects as go

    small, big = (
        pd.DataFrame({"a": range(10)}),
        pd.DataFrame({"s": ["甘肃省某县中学"] * 10_000, "n": range(10_000)}),
    )
    assert cache.approx_size(big) > 50 * cache.approx_size(small)
    fig = go.Figure(go.Bar(x=list(range(5_000)), y=list(range(5_000))))
    assert cache.approx_size(fig) > 5_000 * 16
    loop: dict = {"s": "x" * 1000}
    loop["self"] = loop  # a cycle is counted once, not forever
    assert 1000 < cache.approx_size(loop) < 2000
    assert (
        cache.approx_size({"fig": fig, "table": big})
        >= cache.approx_size(fig) + cache.approx_size(big) - 1
    )


def test_failures_are_not_kept():
    m = cache.Memo("t", 4)
    with pytest.raises(ZeroDivisionError):
        m.get("k", lambda: 1 / 0)
    assert "k" not in m
    assert m.get("k", lambda: "fine") == "fine"


def test_concurrent_misses_compute_once():
    m = cache.Memo("t", 4)
    started, calls = threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return "v"

    out = []
    threads = [threading.Thread(target=lambda: out.append(m.get("k", slow))) for _ in range(8)]
    threads[0].start()
    started.wait(5)
    for th in threads[1:]:
        th.start()
    for th in threads:
        th.join(10)
    assert out == ["v"] * 8
    assert calls == [1]


def test_a_waiter_computes_itself_when_the_first_caller_fails():
    m = cache.Memo("t", 4)
    started = threading.Event()

    def failing():
        started.set()
        time.sleep(0.2)
        raise RuntimeError("boom")

    errors = []
    first = threading.Thread(
        target=lambda: errors.append(pytest.raises(RuntimeError, m.get, "k", failing))
    )
    first.start()
    started.wait(5)
    assert m.get("k", lambda: "second") == "second"
    first.join(5)
    assert errors


def test_frozen_is_order_free_and_hashable():
    assert cache.frozen({"b": 1, "a": "x"}) == cache.frozen({"a": "x", "b": 1})
    hash(cache.frozen({"a": [1, 2]}))


# ---------------------------------------------------------------------------- scope in the key
def test_scope_key_separates_what_viewers_may_see_not_who_they_are():
    assert Viewer.province(620000, "a").scope_key == Viewer.province(620000, "b").scope_key
    different = [
        Viewer.ministry(),
        Viewer.demo(),
        Viewer.province(620000),
        Viewer.province(650000),
        Viewer.university([1]),
        Viewer.university([1, 2]),
        Viewer.presenter(),
    ]
    assert len({v.scope_key for v in different}) == len(different)


def test_cached_keys_on_scope(tmp_path):
    store = make_tiny(tmp_path / "t.duckdb")
    try:
        seen = []

        def schools(store_, viewer_, filters_):
            seen.append(viewer_.scope_key)
            return sorted(store_.projects(viewer_, filters_)["school_zh"])

        gansu = cache.cached(
            schools, store, Viewer.province(620000), Filters(), memo=cache.Memo("t", 8)
        )
        m = cache.Memo("t", 8)
        everyone = cache.cached(schools, store, Viewer.ministry(), Filters(), memo=m)
        assert cache.cached(schools, store, Viewer.province(620000), Filters(), memo=m) == gansu
        assert cache.cached(schools, store, Viewer.province(650000), Filters(), memo=m) == [
            "天山区某中学"
        ]
        assert len(everyone) == 4 and len(gansu) == 2
        # a second official of 甘肃 is served from the memo (same scope), no query
        n = len(seen)
        assert (
            cache.cached(schools, store, Viewer.province(620000, "another"), Filters(), memo=m)
            == gansu
        )
        assert len(seen) == n
    finally:
        store.close()


# ---------------------------------------------------------------------------- data version
GANSU = Viewer.province(620000, name="gansu-official")
DISPATCH = [
    ["托管高校", "省份", "帮扶县中", "开始日期", "人数", "身份"],
    ["兰州大学", "甘肃", "榆中县恩玲中学", "2023-03-01", "2", "教师"],
]


def _csv(rows) -> bytes:
    return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def test_data_version_moves_with_data_and_not_with_sign_ins(tmp_path):
    store = make_tiny(tmp_path / "v.duckdb")
    try:
        v0 = store.data_version()
        auth.create_user(store, "gansu", "province", "correct-horse-42", province_adcode=620000)
        store.record_login("gansu", True, 5, 15)
        store.log_event("gansu", "logout")
        assert store.data_version() == v0, "accounts and sign-ins change no programme data"

        _, batch = ingest.import_file(
            store, GANSU, "dispatch", _csv(DISPATCH), "d.csv", today=TODAY
        )
        assert batch is not None
        v1 = store.data_version()
        assert v1 != v0

        activity = int(
            store._scalar(
                "SELECT max(activity_id) FROM activity WHERE import_batch_id = ?", [batch]
            )
        )
        store.update_activity(GANSU, activity, {"people": 3})
        v2 = store.data_version()
        assert v2 not in (v0, v1)

        store.undo_batch(GANSU, batch)
        assert store.data_version() not in (v0, v1, v2)
    finally:
        store.close()


def test_data_version_of_a_second_connection_sees_the_writes(tmp_path):
    """The answer is remembered per Store; a write through this Store is what makes it look again."""
    store = make_tiny(tmp_path / "w.duckdb")
    try:
        before = store.data_version()
        assert store.data_version() == before
        ingest.import_file(store, GANSU, "dispatch", _csv(DISPATCH), "d.csv", today=TODAY)
        assert store.data_version() != before
    finally:
        store.close()


# ---------------------------------------------------------------------------- map arguments
def _small_map() -> folium.Map:
    m = folium.Map(location=[36, 104], zoom_start=5, tiles=None)
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"tip": "榆中县"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[104, 35.5], [104.5, 35.5], [104.5, 36], [104, 35.5]]],
                    },
                }
            ],
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"]),
    ).add_to(m)
    return m


def _direct_args(monkeypatch, fmap, **kwargs) -> dict:
    got = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **a: got.update(a))
    streamlit_folium.st_folium(fmap, **kwargs)
    monkeypatch.undo()
    return got


def _no_ids(value):
    """folium names every element with 32 random hex digits: equal maps differ only there."""
    return re.sub(r"[0-9a-f]{32}", "ID", repr(value))


def test_component_args_are_what_st_folium_sends(monkeypatch):
    captured = mapview.component_args(_small_map(), key="m", height=300, returned_objects=[])
    direct = _direct_args(monkeypatch, _small_map(), key="m", height=300, returned_objects=[])
    direct.pop("on_change")
    assert captured.keys() == direct.keys()
    for k in captured:
        if k != "key":  # the component key hashes the script, ids included
            assert _no_ids(captured[k]) == _no_ids(direct[k]), k
    assert "geo_json" in captured["script"] and '"tip"' in captured["script"]
    assert streamlit_folium._component_func is mapview._COMPONENT  # put back


def test_show_map_builds_once_per_key_and_sends_the_same_arguments(monkeypatch):
    sent, builds = [], []
    monkeypatch.setattr(mapview, "_COMPONENT", lambda **a: sent.append(a))
    monkeypatch.setattr(mapview.cache, "MAPS", cache.Memo("maps", 4))

    def build():
        builds.append(1)
        return _small_map()

    for _ in range(3):
        mapview.show_map(("k", 1), build, key="m", height=300, returned_objects=[])
    assert builds == [1]
    assert len(sent) == 3
    first = {k: v for k, v in sent[0].items() if k != "on_change"}
    assert all({k: v for k, v in s.items() if k != "on_change"} == first for s in sent[1:])
    assert "geo_json" in first["script"]
    mapview.show_map(("k", 2), build, key="m", height=300, returned_objects=[])
    assert builds == [1, 1]


# ---------------------------------------------------------------------------- pages share, scopes don't
def test_pages_served_from_the_memo_keep_each_province_to_itself(demo_db, tmp_path, monkeypatch):
    """The ministry opens the overview and the progress page first (filling the memo); then 甘肃's
    official opens the same URLs: every school shown is 甘肃's, and the KPI count is 甘肃's."""
    import shutil

    from dashboard_lib.store import Store

    path = tmp_path / "m.duckdb"
    shutil.copy(demo_db, path)
    s = Store(path)
    auth.create_user(s, "boss", "ministry", "correct-horse-42")
    auth.create_user(s, "gansu", "province", "correct-horse-42", province_adcode=620000)
    everything = s.projects(Viewer.ministry())
    s.close()
    monkeypatch.setenv("XZ_DB_PATH", str(path))
    gansu_schools = set(everything.loc[everything["province_adcode"] == 620000, "school_zh"])
    foreign = set(everything["school_zh"]) - gansu_schools
    for page in ("overview.py", "progress.py"):
        counts = {}
        for user in ("boss", "gansu", "boss"):
            at = AppTest.from_file(str(ROOT / "views" / page), default_timeout=120)
            at.session_state["auth"] = {"user": user, "last": datetime.now()}
            at.run()
            assert not at.exception, (page, user, at.exception)
            shown = "\n".join(
                d.value.astype(str).to_csv(index=False)
                for d in at.dataframe
                if hasattr(d.value, "to_csv")
            )
            if user == "gansu":
                assert not [sch for sch in foreign if sch in shown], page
                assert [sch for sch in gansu_schools if sch in shown], page
            counts.setdefault(user, []).append(len(shown))
        assert counts["boss"][0] == counts["boss"][1]  # the ministry's second visit: same content
        assert counts["boss"][0] > counts["gansu"][0]


# ---------------------------------------------------------------------------- retiring old views
def test_views_of_an_earlier_data_version_or_connection_are_dropped(tmp_path):
    first = make_tiny(tmp_path / "r.duckdb")
    other = make_tiny(tmp_path / "other.duckdb")
    try:

        def count(store_, viewer_):
            return len(store_.projects(viewer_))

        cache.cached(count, first, Viewer.ministry())
        cache.cached(count, other, Viewer.ministry())
        cache.MAPS.get((cache.key_for(first, GANSU, "map"), "m", ()), lambda: {"script": "x"})
        assert cache.retire_older(first) == 0 and cache.retire_older(other) == 0  # all current
        assert len(cache.PAGES) == 2 and len(cache.MAPS) == 1

        ingest.import_file(first, GANSU, "dispatch", _csv(DISPATCH), "d.csv", today=TODAY)
        cache.cached(count, first, Viewer.ministry())  # the new version's view
        assert len(cache.PAGES) == 3
        assert cache.retire_older(first) == 2  # the old page and the old map
        assert len(cache.MAPS) == 0 and len(cache.PAGES) == 2
        assert cache.PAGES.bytes == sum(cache.PAGES._sizes.values()) > 0  # their bytes went too
        # the other file's view stays, and the new version's is still a hit
        before = cache.PAGES.stats()["hits"]
        cache.cached(count, other, Viewer.ministry())
        cache.cached(count, first, Viewer.ministry())
        assert cache.PAGES.stats()["hits"] == before + 2
        assert cache.retire_older(first) == 0  # nothing changed: nothing goes
    finally:
        first.close()
        other.close()

    # a new connection to the same file (a replica opening a new snapshot) retires the old one's
    reopened = Store(tmp_path / "r.duckdb")
    try:
        cache.cached(lambda s, v: 1, reopened, Viewer.ministry())
        assert cache.retire_older(reopened) == 1  # the view of the closed connection
        assert len(cache.PAGES) == 2
    finally:
        reopened.close()


def test_a_replica_retires_the_views_of_the_snapshot_it_read_before(tmp_path):
    """A replica opens the file the published link names, a new file at every publish
    (``publish_snapshot``): the views it made from the snapshot before are older views of the
    same database and go when it opens the next one. (They stayed, up to the memos' bounds,
    and the replicas' memory grew at every publish: issue 15's load test.)"""
    from dashboard_lib.store.lifecycle import open_store, publish_snapshot

    work = make_tiny(tmp_path / "work.duckdb")
    work.close()
    link = tmp_path / "snapshot.duckdb"

    def count(store_, viewer_):
        return len(store_.projects(viewer_))

    opened = []
    for _ in range(3):
        real = publish_snapshot(tmp_path / "work.duckdb", link)
        store = open_store(link, lambda p: None, read_only=True).store
        opened.append(store)
        assert store.path == real != link  # the snapshot's own file, not the link
        cache.retire_older(store)
        cache.cached(count, store, Viewer.ministry())
        cache.cached(count, store, GANSU)
        # only this snapshot's two views are kept
        assert len(cache.PAGES) == 2, len(cache.PAGES)
    for store in opened:
        store.close()


def test_a_tab_left_open_does_not_keep_an_older_snapshot_open(tmp_path):
    """A page script's namespace holds its store, and a widget callback keeps the namespace:
    each tab left open held the snapshot it last read, one DuckDB database each. 30 s after a
    newer snapshot is opened, the older store reads the newer one; a query already running on
    the old one finishes there."""
    from dashboard_lib.store import lifecycle
    from dashboard_lib.store.lifecycle import forward_superseded, open_store, publish_snapshot

    work_path = tmp_path / "work.duckdb"
    make_tiny(work_path).close()
    link = tmp_path / "snapshot.duckdb"
    publish_snapshot(work_path, link)
    old = open_store(link, lambda p: None, read_only=True).store  # the tab's store
    before = len(old.activities(Viewer.ministry()))
    work = Store(work_path)
    ingest.import_file(work, GANSU, "dispatch", _csv(DISPATCH), "d.csv", today=TODAY)
    work.close()
    publish_snapshot(work_path, link)
    new = open_store(link, lambda p: None, read_only=True).store
    after = len(new.activities(Viewer.ministry()))
    assert after > before
    running = old._con.cursor()  # a query of a run that began on the old snapshot
    embedded = make_tiny(tmp_path / "embedded.duckdb")
    try:
        assert forward_superseded(embedded, now=0.0) == 0  # one file, nothing published
        assert forward_superseded(new, now=100.0) == 0  # just superseded: left as it was
        assert forward_superseded(new, now=100.0 + lifecycle.SUPERSEDED_GRACE_SECONDS - 1) == 0
        assert len(old.activities(Viewer.ministry())) == before
        assert forward_superseded(new, now=100.0 + lifecycle.SUPERSEDED_GRACE_SECONDS) == 1
        assert old._con is new._con and old.path == new.path
        assert len(old.activities(Viewer.ministry())) == after  # the tab reads the newest
        assert running.execute("SELECT count(*) FROM activity").fetchone()[0] == before
        assert forward_superseded(new, now=1000.0) == 0  # once is enough
        old.close()  # closing the follower leaves the newer store's connection open
        assert len(new.activities(Viewer.ministry())) == after
    finally:
        running.close()
        new.close()
        embedded.close()


def test_static_values_are_read_once_per_arguments_and_failures_are_not_kept():
    calls = []

    @cache.static
    def read(path: str, mtime: int) -> str:
        calls.append((path, mtime))
        if path == "bad":
            raise OSError("unreadable")
        return path.upper()

    assert read("a", 1) == "A" and read("a", 1) == "A" and calls == [("a", 1)]
    assert read("a", 2) == "A" and calls[-1] == ("a", 2)  # a replaced file is read again
    for _ in range(2):
        with pytest.raises(OSError):
            read("bad", 1)
    assert calls.count(("bad", 1)) == 2
    cache.clear_all()  # views go, static files stay
    read("a", 1)
    assert calls.count(("a", 1)) == 1
    cache.clear_static()
    read("a", 1)
    assert calls.count(("a", 1)) == 2


def test_one_open_store_per_file_and_snapshot(monkeypatch):
    monkeypatch.setattr(cache, "STORES", cache.Memo("stores", 2))
    opened = []
    for key in [("a.duckdb", "s1"), ("a.duckdb", "s1"), ("a.duckdb", "s2")]:
        cache.store_for(key, lambda key=key: opened.append(key) or key)
    assert opened == [("a.duckdb", "s1"), ("a.duckdb", "s2")]
