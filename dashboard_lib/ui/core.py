"""Shared Streamlit plumbing: the store, the language, the viewer, errors, downloads.

Caching sits here, at the page boundary, keyed on primitive values.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import backup, build, cache, exports, geo
from ..errors import UserError
from ..i18n import t, tm
from ..scope import Viewer
from ..settings import load_settings
from ..store import OpenResult, Store, StoreError, open_store
from ..store.core import snapshot_stamp
from ..store.lifecycle import forward_superseded


def _open(db_path: str, snapshot: str) -> OpenResult:
    """One Store per database file; on a read-only replica, one per published snapshot
    (``snapshot`` changes when the import job publishes a new file): ``cache.STORES``."""
    return cache.store_for(
        (db_path, snapshot),
        lambda: open_store(db_path, lambda p: build.build_database(p, progress=lambda _m: None)),
    )


def lang() -> str:
    """The interface language: ?lang=en in the URL or the sidebar switch; Chinese by default."""
    if "lang" not in st.session_state:
        q = st.query_params.get("lang")
        st.session_state["lang"] = q if q in ("zh", "en") else load_settings().language
    return st.session_state["lang"]


def _opened(language: str) -> OpenResult:
    """The cached OpenResult of the configured file; on a database problem, one clear
    sentence and the page stops."""
    try:
        with st.spinner(t("db_opening", language)):
            settings = load_settings()
            stamp = snapshot_stamp(settings.db_path) if settings.db_readonly else ""
            return _open(str(settings.db_path), stamp)
    except StoreError as exc:
        st.error(tm("db_error", language, msg=exc.message(language)))
        st.stop()
    except (build.BuildError, geo.GeoDataError, OSError) as exc:
        # the database had to be built and data/ could not provide it
        why = exc.message(language) if isinstance(exc, UserError) else str(exc)
        st.error(tm("db_error", language, msg=f"{t('build_failed', language)} {why}"))
        st.stop()


def store() -> Store:
    """The shared store; on a database problem, one clear sentence and the page stops.

    Every run also asks the store whether its path still names the file it has open (one
    ``os.stat``, ``Store.check_file``). A file deleted or replaced under the server while it held
    accounts or imports: the store refuses every write from then on, has written an emergency
    backup from its open connection, and every page shows that one sentence and stops. A file
    that held nothing people made is simply opened again (rebuilt when missing, as at start)."""
    language = lang()
    result = _opened(language)
    lost = result.store.check_file()
    if lost is None and result.store.stale:  # replaced or deleted, held nothing: open it again
        cache.STORES.clear()
        result = _opened(language)
        lost = result.store.check_file()
    if lost is not None:
        st.error(tm("db_error", language, msg=lost.message(language)))
        st.stop()
    cache.retire_older(result.store)  # views of a replaced snapshot or data version go at once
    forward_superseded(result.store)  # tabs left open do not keep older snapshots open
    backup.ensure_schedule(result.store)  # once per process: the server's own backups
    if result.notices and not st.session_state.get("_notices_shown"):
        for zh, en in result.notices:
            st.info(zh if language == "zh" else en)
        st.session_state["_notices_shown"] = True
    return result.store


def geo_guard(fn, *args, **kwargs):
    """Call a geo loader; on unreadable boundary data say so in one sentence and stop."""
    try:
        return fn(*args, **kwargs)
    except geo.GeoDataError as exc:
        language = lang()
        st.error(t("geo_error", language, msg=exc.message(language)))
        st.stop()


def download_csv(frame: pd.DataFrame, file_name: str, key: str, viewer: Viewer) -> None:
    """CSV as UTF-8 with BOM so Excel opens the Chinese correctly; none for presenters.
    The file is made when the button is clicked (``frame`` must not change afterwards)."""
    if not viewer.can_download_rows:
        st.caption(t("auth_no_downloads", lang()))
        return
    st.download_button(
        t("download_csv", lang()),
        lambda: exports.csv_bytes(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


SHOWS_WITHIN_SECONDS = 10  # issue 15: a committed write reaches every replica's pages (p95)


def accepted(message: str, language: str) -> None:
    """A write was committed: say so at once. With PostgreSQL behind several replicas the pages
    read the published snapshot, so also say when the charts will show it."""
    if store().backend == "postgresql":
        message = (
            f"{message} {t('store_pg_saved_shows_in', language, seconds=SHOWS_WITHIN_SECONDS)}"
        )
    st.success(message)
