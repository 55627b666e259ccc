"""数据导入 / Data import: templates, upload, preview (accepted / rejected), commit, history, undo."""
import streamlit as st

from dashboard_lib import ingest, ui
from dashboard_lib.i18n import t
from dashboard_lib.store import StoreError

lang = ui.lang()
store = ui.store()
viewer = ui.require_writer(ui.viewer(), store, "views/data_import.py", t("ingest_title", lang))
ui.sidebar(store, viewer)

st.title(t("ingest_title", lang))
st.caption(t("ingest_intro", lang, mb=ingest.MAX_BYTES // 2**20, rows=f"{ingest.MAX_ROWS:,}"))
st.caption(t("ingest_policy", lang))

kind = st.selectbox(t("ingest_kind", lang), list(ingest.RecordKind),
                    format_func=lambda k: ingest.kind_label(k, lang), key="ingest_kind")
st.markdown("**" + t("ingest_templates", lang) + "**")
c1, c2 = st.columns(2)
c1.download_button(t("ingest_template_xlsx", lang), ingest.template_xlsx(kind, lang),
                   file_name=f"template_{kind.value}.xlsx", key="tpl_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
c2.download_button(t("ingest_template_csv", lang), ingest.template_csv(kind, lang),
                   file_name=f"template_{kind.value}.csv", mime="text/csv", key="tpl_csv")

st.info(t("ingest_scope_note", lang, scope=ingest.scope_text(store, viewer, lang)))
upload = st.file_uploader(t("ingest_upload", lang), type=["xlsx", "csv"], key="ingest_file")
if upload is not None:
    data = upload.getvalue()
    bar = st.progress(0.0, text=t("ingest_reading", lang))
    try:
        preview = ingest.prepare(store, viewer, kind, data, upload.name,
                                 progress=lambda f: bar.progress(min(f, 1.0), text=t("ingest_reading", lang)))
    except ingest.IngestError as exc:
        bar.empty()
        st.error(ingest.error_text(exc, lang))
        st.stop()
    bar.empty()
    st.write(t("ingest_summary", lang, total=preview.total_rows, ok=preview.n_accepted,
               bad=preview.n_rejected))
    if preview.ignored_columns:
        st.caption(t("ingest_ignored_cols", lang, cols="、".join(preview.ignored_columns)))
    if preview.replaces:
        st.info(t("ingest_replaces", lang, n=len(preview.replaces),
                  ids=", ".join(map(str, preview.replaces))))
    if preview.problems:
        st.subheader(t("ingest_rejected", lang))
        rejected = ingest.problems_frame(preview, lang)
        st.dataframe(rejected, hide_index=True, width="stretch")
        ui.download_csv(rejected, "rejected_rows.csv", key="dl_rejected", viewer=viewer)
    if preview.n_accepted:
        st.subheader(t("ingest_accepted", lang))
        st.dataframe(ingest.accepted_frame(preview, lang), hide_index=True, width="stretch")
        if preview.n_accepted > len(preview.shown):
            st.caption(t("ingest_accepted_cap", lang))
        done = store.already_imported(viewer, ingest.file_sha256(data), kind.value)
        if done:
            st.warning(t("ingest_already", lang, file=done["file_name"], when=str(done["created_at"])[:16],
                         batch=done["import_batch_id"]))
        elif st.button(t("ingest_commit", lang, n=preview.n_accepted), type="primary", key="ingest_commit"):
            cbar = st.progress(0.0, text=t("ingest_committing", lang))
            try:
                batch = store.import_commit(viewer, preview, upload.name, ingest.file_sha256(data),
                                            progress=lambda f: cbar.progress(f, text=t("ingest_committing", lang)))
            except StoreError as exc:
                cbar.empty()
                st.error(t("ingest_failed", lang, msg=exc.message(lang)))
            else:
                cbar.empty()
                st.success(t("ingest_done", lang, batch=batch, n=preview.n_accepted))
    else:
        st.warning(t("ingest_nothing", lang))

st.subheader(t("ingest_history", lang))
history = store.import_history(viewer)
if history.empty:
    st.caption(t("ingest_history_empty", lang))
else:
    st.dataframe(ingest.history_frame(history, lang), hide_index=True, width="stretch")
    live = history[history["undone_at"].isna()]["import_batch_id"].tolist()
    if live:
        pick = st.selectbox(t("ingest_undo_pick", lang), live, key="ingest_undo_pick")
        if st.button(t("ingest_undo", lang), key="ingest_undo"):
            try:
                store.undo_batch(viewer, pick)
            except StoreError as exc:
                st.error(exc.message(lang))
            else:
                st.success(t("ingest_undone", lang, batch=pick))
                st.rerun()
