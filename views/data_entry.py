"""数据填报 / Data entry: add a record to one of the viewer's projects, correct imported records."""

from datetime import date

import streamlit as st

from dashboard_lib import ingest, ui
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.store import StoreError

page = ui.page("views/data_entry.py", "entry_title", writes=True)
lang, store, viewer = page.lang, page.store, page.viewer
st.caption(t("entry_intro", lang))
projects = store.projects(viewer)
if projects.empty:
    st.info(t("entry_no_projects", lang))
    st.stop()

st.subheader(t("entry_add", lang))
kind = st.selectbox(
    t("ingest_kind", lang),
    ingest.ENTRY_KINDS,
    format_func=lambda k: ingest.kind_label(k, lang),
    key="entry_kind",
)
fields = ingest.entry_fields(kind)
with st.form("entry_form", clear_on_submit=False):
    options = ingest.project_options(projects, lang)
    pid = st.selectbox(
        t("entry_project", lang),
        list(options),
        format_func=options.__getitem__,
        key="entry_project",
    )
    values = {}
    for f in fields:
        name = ingest.field_label(f, lang)
        if f in ("start_date", "end_date"):
            values[f] = st.date_input(
                name,
                value=date.today() if f == "start_date" else None,
                min_value=ingest.EARLIEST,
                key=f"entry_{f}",
            )
        elif f in ("people", "participants", "hours", "person_months", "value", "school_year"):
            values[f] = st.number_input(
                name,
                value=None,
                step=1.0 if f in ("hours", "person_months", "value") else 1,
                key=f"entry_{f}",
            )
        elif f in ingest.FORM_CHOICE_FIELDS:  # labels in the user's language, canonical values
            choices = ingest.form_options(f, lang)
            values[f] = st.selectbox(
                name, list(choices), format_func=choices.__getitem__, key=f"entry_{f}"
            )
        else:
            values[f] = st.text_input(name, key=f"entry_{f}")
    submitted = st.form_submit_button(t("entry_submit", lang), type="primary")
if submitted:
    preview = ingest.entry_preview(store, viewer, kind, projects, pid, values)
    if preview.problems:
        st.error(tm("entry_rejected", lang, reasons=ingest.reasons_text(preview.problems, lang)))
    else:
        try:
            batch = store.import_commit(viewer, preview, None, None)
        except StoreError as exc:
            st.error(exc.message(lang))
        else:
            st.success(t("entry_saved", lang, batch=batch))

st.subheader(t("entry_correct", lang))
st.caption(t("entry_correct_help", lang))
editable = store.editable_activities(viewer)
if editable.empty:
    st.caption(t("entry_none_editable", lang))
else:
    shown = ingest.editable_view(editable)
    edited = st.data_editor(
        shown,
        hide_index=True,
        disabled=["activity_id", "school_zh", "kind"],
        key="entry_editor",
        width="stretch",
        column_config={"kind": st.column_config.TextColumn(label("kind", lang))},
    )
    if st.button(t("entry_save_corrections", lang), key="entry_save"):
        changes, problems = ingest.corrections(store, viewer, shown, edited)
        done = 0
        for activity_id, vals in changes:
            try:
                store.update_activity(viewer, activity_id, vals)
                done += 1
            except StoreError as exc:
                st.error(exc.message(lang))
        if problems:
            st.error(tm("entry_rejected", lang, reasons=ingest.reasons_text(problems, lang)))
        st.success(t("entry_corrected", lang, n=done))
