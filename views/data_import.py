"""数据导入 / Data import: templates, upload, preview (accepted / rejected), commit, history, undo."""

import logging
from datetime import date

import streamlit as st

from dashboard_lib import cache, ingest, ui
from dashboard_lib.i18n import t, tm
from dashboard_lib.programme import quality
from dashboard_lib.store import StoreError

page = ui.page("views/data_import.py", "ingest_title", writes=True)
lang, store, viewer = page.lang, page.store, page.viewer
st.caption(t("ingest_intro", lang) + " " + t("ingest_limits", lang, **ingest.limit_values()))
st.caption(t("ingest_policy", lang))

kind = st.selectbox(
    t("ingest_kind", lang),
    ingest.import_kinds(viewer),
    format_func=lambda k: ingest.kind_label(k, lang),
    key="ingest_kind",
)
assert kind is not None  # a selectbox over a non-empty list without index=None
if kind is ingest.RecordKind.COMPARISON:  # issue 16 part 4: schools outside the programme
    st.caption(t("ingest_cmp_help", lang))
st.markdown("**" + t("ingest_templates", lang) + "**")
try:  # made for this viewer: the example row names one of the viewer's own projects; made once
    # per data version, scope, kind, language and day (every run of this page showed them)
    tpl = cache.cached(ingest.template_files, store, viewer, kind, lang, date.today())
except StoreError as exc:
    st.error(exc.markdown(lang))
else:
    c1, c2 = st.columns(2)
    c1.download_button(
        t("ingest_template_xlsx", lang),
        tpl.xlsx,
        file_name=tpl.xlsx_name,
        key="tpl_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    c2.download_button(
        t("ingest_template_csv", lang),
        tpl.csv,
        file_name=tpl.csv_name,
        mime="text/csv",
        key="tpl_csv",
    )

st.info(t("ingest_scope_note", lang, scope=ingest.scope_text(store, viewer, lang)))


def _forget_file():
    """A new file (or none) was chosen: the previous file's result goes with it."""
    st.session_state.pop("ingest_held", None)


# Any type is taken: the app checks it and answers in the user's language (the uploader's own
# type check would refuse .xlsm, and every other type, in English with the old result still shown).
upload = st.file_uploader(t("ingest_upload", lang), key="ingest_file", on_change=_forget_file)
if upload is None:
    st.session_state.pop("ingest_held", None)  # a preview of 200,000 rows is not kept for nothing
else:
    data = upload.getvalue()
    sha = ingest.file_sha256(data)
    # the checked preview is kept for this file, kind and scope: 确认导入 writes exactly it,
    # without reading or checking the file again (the store re-checks scope in its transaction)
    held_key = (sha, kind.value, viewer.scope_key)
    held = st.session_state.get("ingest_held")
    if held is None or held["key"] != held_key:
        st.session_state.pop("ingest_held", None)
        bar = st.progress(0.0, text=t("ingest_reading", lang))
        try:
            preview, refusal = (
                ingest.prepare(
                    store,
                    viewer,
                    kind,
                    data,
                    upload.name,
                    progress=lambda f: bar.progress(min(f, 1.0), text=t("ingest_reading", lang)),
                ),
                None,
            )
        except ingest.IngestError as exc:  # kept without its traceback (which holds the reader)
            preview, refusal = None, ingest.IngestError(exc.key, **exc.values)
        except StoreError as exc:  # the database, not the file: not remembered, try again
            bar.empty()
            st.error(exc.markdown(lang))
            st.stop()
        except Exception:  # noqa: BLE001 - prepare already turns these into IngestError
            logging.getLogger(__name__).exception("import preview failed")
            preview, refusal = None, ingest.IngestError("ingest_err_unexpected")
        bar.empty()
        held = {"key": held_key, "preview": preview, "refusal": refusal}
        st.session_state["ingest_held"] = held
    if held["refusal"] is not None:
        st.error(ingest.error_text(held["refusal"], lang, markdown=True))
        st.stop()
    preview = held["preview"]
    st.write(
        t(
            "ingest_summary",
            lang,
            total=preview.total_rows,
            ok=preview.n_accepted,
            bad=preview.n_rejected,
        )
    )
    if preview.ignored_columns:
        st.caption(tm("ingest_ignored_cols", lang, cols="、".join(preview.ignored_columns)))
    if preview.replaces:
        st.info(
            t(
                "ingest_replaces",
                lang,
                n=len(preview.replaces),
                ids=", ".join(map(str, preview.replaces)),
            )
        )
    if preview.problems:
        st.subheader(t("ingest_rejected", lang))
        rejected = ingest.problems_frame(preview, lang)
        ui.rows(rejected)
        ui.download_csv(rejected, "rejected_rows.csv", key="dl_rejected", viewer=viewer)
    if preview.flags:  # issue 16: suspicious values, imported all the same and flagged
        st.subheader(t("dq_preview_heading", lang, n=len(preview.flags)))
        st.caption(t("dq_preview_caption", lang))
        flagged = quality.preview_flags_frame(preview, lang)
        ui.rows(flagged)
        ui.download_csv(flagged, "flagged_rows.csv", key="dl_flagged", viewer=viewer)
    if preview.n_accepted:
        st.subheader(t("ingest_accepted", lang))
        ui.rows(ingest.accepted_frame(preview, lang))
        if preview.n_accepted > len(preview.shown):
            st.caption(t("ingest_accepted_cap", lang))
        done = store.already_imported(viewer, sha, kind.value)
        if done:
            st.warning(
                tm(
                    "ingest_already",
                    lang,
                    file=done["file_name"],
                    when=str(done["created_at"])[:16],
                    batch=done["import_batch_id"],
                )
            )
        elif st.button(
            t("ingest_commit", lang, n=preview.n_accepted), type="primary", key="ingest_commit"
        ):
            cbar = st.progress(0.0, text=t("ingest_committing", lang))
            try:
                batch = store.import_commit(
                    viewer,
                    preview,
                    upload.name,
                    sha,
                    progress=lambda f: cbar.progress(f, text=t("ingest_committing", lang)),
                )
            except StoreError as exc:
                cbar.empty()
                st.error(tm("ingest_failed", lang, msg=exc.message(lang)))
            else:
                cbar.empty()
                ui.accepted(t("ingest_done", lang, batch=batch, n=preview.n_accepted), lang)
    else:
        st.warning(t("ingest_nothing", lang))

st.subheader(t("ingest_history", lang))
undone = st.session_state.pop("ingest_undo_result", None)  # set by the undo below, then rerun
if undone:
    ui.accepted(undone, lang)
history = store.import_history(viewer)
if history.empty:
    st.caption(t("ingest_history_empty", lang))
else:
    ui.rows(ingest.history_frame(history, lang))
    options = ingest.undo_options(history, lang)
    if options:
        pick = st.selectbox(
            t("ingest_undo_pick", lang),
            list(options),
            format_func=lambda b: options[b],
            key="ingest_undo_pick",
        )
        st.info(ingest.undo_details(history, pick, lang))
        sure = st.checkbox(
            ingest.undo_confirm_label(history, pick, lang), key=f"ingest_undo_sure_{pick}"
        )
        if st.button(t("ingest_undo", lang), key="ingest_undo", disabled=not sure):
            try:
                store.undo_batch(viewer, pick)  # checks the viewer's scope in its transaction
            except StoreError as exc:
                st.error(exc.markdown(lang))
            else:
                st.session_state["ingest_undo_result"] = ingest.undone_text(history, pick, lang)
                st.session_state.pop("ingest_held", None)  # the preview above predates the undo
                st.rerun()
