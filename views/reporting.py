"""上报与审核 / Term reports: each project's report for a term (filed on time, late, missing;
awaiting review, returned, accepted, approved), completeness and timeliness, the worklist of the
projects that have not reported with a ready notice, and the viewer's own actions: file (a
university), accept or return (a province), approve, reopen and set the due date (the ministry)."""

import streamlit as st

from dashboard_lib import cache, ui
from dashboard_lib.geo import GeoDataError
from dashboard_lib.i18n import t, tm
from dashboard_lib.programme import reporting
from dashboard_lib.school_calendar import term_bounds, term_label
from dashboard_lib.store import StoreError
from dashboard_lib.ui.display import table
from dashboard_lib.ui.downloads import download_buttons
from dashboard_lib.ui.filters import link_query
from dashboard_lib.ui.mapview import show_map
from dashboard_lib.vocab import Role

page = ui.page("views/reporting.py", "rep_title", "rep_caption", writes=True)
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters

# the result of the last write, shown once after the rerun that shows its effect
done = st.session_state.pop("rep_done", None)
if done:
    ui.accepted(done, lang)

terms = reporting.reporting_terms(store, filters)  # finished by the sidebar's 数据截至
if not terms:
    st.info(t("rep_no_terms", lang))
    st.stop()
term = st.selectbox(
    t("rep_term_pick", lang),
    terms[::-1],
    format_func=lambda c: term_label(c, lang),
    key="rep_term",
)
try:
    view = reporting.term_reports_content(store, viewer, filters, term, lang, link_query())
except StoreError as exc:
    st.error(exc.markdown(lang))
    st.stop()
st.caption(view.due_line)
if view.not_bound_line:
    st.caption(view.not_bound_line)
if view.table is None:
    st.info(t("rep_no_projects", lang) if not view.not_bound_line else view.not_bound_line)
    st.stop()
assert view.term is not None and view.due is not None and view.totals is not None
term_now: int = view.term
for line in view.lock_lines:
    st.info(line, icon=":material/lock:")

total = view.totals.iloc[0]
a, b, c, d = st.columns(4)
a.metric(t("rep_metric_completeness", lang), reporting.share_text(total["completeness"]))
b.metric(t("rep_metric_timeliness", lang), reporting.share_text(total["timeliness"]))
c.metric(t("rep_metric_expected", lang), f"{int(total['expected']):,}")
d.metric(t("rep_metric_missing", lang), f"{int(total['missing']):,}")
st.caption(t("rep_formula", lang))
if view.simulated_note:
    st.caption(view.simulated_note)


def run(write, ok_key: str, **values) -> None:
    """One write: its sentence after the rerun, or the refusal in words (never a traceback).
    A bulk write returns how many rows it changed: the sentence says so (``n``)."""
    try:
        got = write()
    except StoreError as exc:
        st.error(exc.markdown(lang))
        return
    if isinstance(got, int) and not isinstance(got, bool):
        if got == 0:
            st.info(t("rep_bulk_none", lang))
            return
        values["n"] = got
    # a school name in ``values`` is data: shown as text in the st.success Markdown (tm)
    st.session_state["rep_done"] = tm(ok_key, lang, term=term_label(term_now, lang), **values)
    st.rerun()


# ---------------------------------------------------------------- the viewer's actions
acting = not view.past_line  # a past 数据截至 shows that day: nothing is written from it
if view.past_line:
    st.info(view.past_line, icon=":material/history:")
if acting and viewer.role is Role.UNIVERSITY:
    st.subheader(t("rep_submit_heading", lang))
    if not view.to_submit:
        st.success(t("rep_nothing_to_submit", lang))
    else:
        with st.form("rep_submit_form"):
            pid = st.selectbox(
                t("rep_submit_pick", lang),
                list(view.to_submit),
                format_func=view.to_submit.__getitem__,
                key="rep_submit_project",
            )
            if st.form_submit_button(t("rep_submit_button", lang), type="primary"):
                run(
                    lambda: store.submit_term_report(viewer, pid, term_now),
                    "rep_submitted_ok",
                    project=view.to_submit[pid],
                )
        if len(view.to_submit) > 1 and st.button(
            t("rep_submit_all_button", lang, n=len(view.to_submit)),
            help=t("rep_submit_all_help", lang),
            key="rep_submit_all",
        ):
            run(
                lambda: store.submit_term_reports(viewer, term_now, only=list(view.to_submit)),
                "rep_submitted_all_ok",
            )

if acting and viewer.role is Role.PROVINCE:
    st.subheader(t("rep_review_heading", lang))
    if not view.to_review:
        st.success(t("rep_nothing_to_review", lang))
    else:
        with st.form("rep_review_form"):
            pid = st.selectbox(
                t("rep_review_pick", lang),
                list(view.to_review),
                format_func=view.to_review.__getitem__,
                key="rep_review_project",
            )
            comment = st.text_area(t("rep_comment", lang), key="rep_review_comment")
            left, right, _ = st.columns([1, 1, 3])
            accept = left.form_submit_button(t("rep_accept_button", lang), type="primary")
            give_back = right.form_submit_button(t("rep_return_button", lang))
            if accept or give_back:
                run(
                    lambda: store.review_term_report(viewer, pid, term_now, accept, comment),
                    "rep_accepted_ok" if accept else "rep_returned_ok",
                    project=view.to_review[pid],
                )
        if st.button(t("rep_accept_all_button", lang, n=len(view.to_review)), key="rep_accept_all"):
            run(
                lambda: store.accept_term_reports(viewer, term_now, only=list(view.to_review)),
                "rep_accepted_all_ok",
            )

if viewer.role is Role.MINISTRY:
    st.subheader(t("rep_approve_heading", lang))
    table(reporting.approval_table(view.approvals, lang), key="rep_approvals", lang=lang)
if acting and viewer.role is Role.MINISTRY:
    names = {s.adcode: s.name for s in view.approvals}
    with st.form("rep_approve_form"):
        adcode = st.selectbox(
            t("rep_province_pick", lang),
            list(names),
            format_func=names.__getitem__,
            key="rep_approve_province",
        )
        reason = st.text_input(t("rep_reopen_reason", lang), key="rep_reopen_reason")
        left, right, _ = st.columns([1, 1, 3])
        approve = left.form_submit_button(t("rep_approve_button", lang), type="primary")
        reopen = right.form_submit_button(t("rep_reopen_button", lang))
        if approve:
            run(
                lambda: store.approve_term(viewer, term_now, adcode),
                "rep_approved_ok",
                province=names[adcode],
            )
        if reopen:
            run(
                lambda: store.reopen_term(viewer, term_now, adcode, reason),
                "rep_reopened_ok",
                province=names[adcode],
            )
    with st.expander(t("rep_due_heading", lang)):
        with st.form("rep_due_form"):
            due = st.date_input(
                t("rep_due_pick", lang),
                value=view.due,
                min_value=term_bounds(term_now)[1],
                key="rep_due_date",
            )
            if st.form_submit_button(t("rep_due_button", lang)):
                run(
                    lambda: store.set_due_date(viewer, term_now, due),
                    "rep_due_ok",
                    due=str(due),
                )

# ---------------------------------------------------------------- the tables
st.subheader(t("rep_projects_heading", lang))
table(view.table.frame, key="rep_table", link_column=view.table.link_column, lang=lang)
download_buttons(view.table.download, f"term_reports_{term_now}", "dl_rep_table")

if viewer.role is not Role.UNIVERSITY:
    st.subheader(t("rep_worklist", lang))
    if view.worklist is None or view.worklist.empty:
        st.success(t("rep_worklist_none", lang))
    else:
        st.caption(t("rep_worklist_caption", lang))
        table(view.worklist, key="rep_worklist", lang=lang)
        download_buttons(view.worklist, f"not_reported_{term_now}", "dl_rep_worklist")
        st.markdown(f"**{t('rep_notice_label', lang)}**")
        st.code(view.notice, language=None, wrap_lines=True)

st.subheader(t("rep_map_heading", lang))
try:
    with st.spinner(t("map_loading", lang)):
        show_map(
            cache.key_for(store, viewer, "rep_map", filters, term_now, lang),
            lambda: reporting.completeness_map(view, lang),
            key="rep_map",
            height=520,
            width=None,
            use_container_width=True,
            returned_objects=[],
            render=False,
        )
except GeoDataError as exc:  # the map's files only: the tables below stay
    st.error(t("geo_error", lang, msg=exc.message(lang)))
else:
    st.caption(t(f"rep_map_caption_{view.map_level}", lang, term=term_label(term_now, lang)))
if view.by_county is not None:
    st.markdown(f"**{t('rep_by_county', lang)}**")
    table(view.by_county, key="rep_by_county", lang=lang)
st.markdown(f"**{t('rep_by_province', lang)}**")
table(view.by_province, key="rep_by_province", lang=lang)
st.markdown(f"**{t('rep_by_university', lang)}**")
table(view.by_university, key="rep_by_university", lang=lang)
