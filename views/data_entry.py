"""数据填报 / Data entry: add a record to one of the viewer's projects (every required field
chosen, nothing defaulted), correct imported or entered records in a grid headed and named in the
user's language."""

from datetime import date

import streamlit as st

from dashboard_lib import ingest, ui
from dashboard_lib.i18n import t
from dashboard_lib.ingest import entry
from dashboard_lib.programme import quality
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
        t("entry_required_label", lang, name=t("entry_project", lang)),
        list(options),
        format_func=options.__getitem__,
        index=None,
        placeholder=t("entry_pick_project", lang),
        key="entry_project",
    )
    values: dict[str, object] = {}
    for f in fields:
        name = entry.form_label(f, kind, lang)
        if f in entry.DATE_FIELDS:  # chosen, never today by default
            values[f] = st.date_input(
                name,
                value=None,
                min_value=ingest.EARLIEST,
                max_value=date.today() if f == "start_date" else None,
                key=f"entry_{f}",
            )
        elif f in entry.NUMBER_FIELDS:
            values[f] = st.number_input(
                name,
                value=None,
                min_value=0 if f in entry.INTEGER_FIELDS else 0.0,
                step=1 if f in entry.INTEGER_FIELDS else 1.0,
                key=f"entry_{f}",
            )
        elif f in entry.CHOICE_FIELDS:  # labels in the user's language, canonical values
            choices = entry.choice_options(f, lang)
            values[f] = st.selectbox(
                name,
                list(choices),
                format_func=choices.__getitem__,
                index=None,
                placeholder=t("entry_pick", lang),
                key=f"entry_{f}",
            )
        else:
            values[f] = st.text_input(name, key=f"entry_{f}")
    submitted = st.form_submit_button(t("entry_submit", lang), type="primary")
if submitted:
    problems = entry.missing(kind, pid, values)
    preview = None
    if pid is not None and not problems:
        preview = ingest.entry_preview(store, viewer, kind, projects, pid, values)
        problems = preview.problems
    if problems or preview is None or pid is None:
        st.error(
            "\n".join(
                [t("entry_not_saved", lang)]
                + [f"- {s}" for s in entry.form_refusal(problems, lang)]
            )
        )
    else:
        try:
            batch = store.import_commit(viewer, preview, None, None)
        except StoreError as exc:
            st.error(exc.markdown(lang))
        else:
            ui.accepted(entry.saved_text(kind, options[pid], values, batch, lang), lang)
            flagged = quality.entry_flag_text(preview, lang)  # issue 16: a suspicious value
            if flagged:
                st.warning(flagged)

st.subheader(t("entry_correct", lang))
st.caption(t("entry_correct_help", lang) + " " + t("entry_grid_help", lang))
editable = store.editable_activities(viewer)
if editable.empty:
    st.caption(t("entry_none_editable", lang))
else:
    shown = entry.grid_frame(editable, lang)
    config = {}
    for c in entry.grid_columns(lang):
        if c.type == "date":
            config[c.title] = st.column_config.DateColumn(
                c.title,
                format="YYYY-MM-DD",
                min_value=ingest.EARLIEST,
                disabled=not c.editable,
                required=c.required,
            )
        elif c.type == "number":
            config[c.title] = st.column_config.NumberColumn(
                c.title,
                step=1 if c.integer else 0.1,
                format="%d" if c.integer else None,
                disabled=not c.editable,
            )
        elif c.type == "select":
            config[c.title] = st.column_config.SelectboxColumn(
                c.title, options=list(c.options), disabled=not c.editable
            )
        else:
            config[c.title] = st.column_config.TextColumn(c.title, disabled=not c.editable)
    # in a form: an edit does not rerun the page, so no edit can land while a rerun redraws
    # the grid (a loaded server dropped such an edit: the cell stayed unchanged; issue 13)
    with st.form("entry_grid_form", border=False):
        edited = st.data_editor(
            shown,
            hide_index=True,
            key="entry_editor",
            width="stretch",
            num_rows="fixed",
            column_config=config,
            placeholder="",  # an empty cell is empty, not Streamlit's English "None"
        )
        save = st.form_submit_button(t("entry_save_corrections", lang), key="entry_save")
    if save:
        res = entry.grid_corrections(store, viewer, editable, shown, edited, lang)
        done, said = [], []
        for activity_id, vals in res.changes:
            try:
                store.update_activity(viewer, activity_id, vals)
                done.append(activity_id)
            except StoreError as exc:
                said.append(("error", exc.markdown(lang)))
        if res.problems:
            lines = [f"- {s}" for s in entry.grid_problem_sentences(res, lang)]
            said.append(("error", "\n".join([t("entry_grid_refused", lang), *lines])))
        if done:
            said.insert(0, ("success", entry.grid_saved_text(res, done, lang)))
        elif not res.problems and not said:
            said.append(("info", t("entry_grid_nothing", lang)))
        st.session_state["entry_grid_said"] = said
        if done:  # show the stored rows: the grid starts again from the database
            st.session_state.pop("entry_editor", None)
            st.rerun()
    elif entry.grid_edited(shown, edited):  # new edits: what the last save said no longer applies
        st.session_state.pop("entry_grid_said", None)
    for how, text in st.session_state.get("entry_grid_said", []):
        getattr(st, how)(text)
