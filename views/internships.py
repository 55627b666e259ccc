"""实习支教 / Internships and 支教: students by level, subject and term, per project and per
university; person-days in the county."""

import streamlit as st

from dashboard_lib import cache, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.ui.display import chart, numbers, table
from dashboard_lib.ui.downloads import download_buttons
from dashboard_lib.ui.filters import link_query

page = ui.page("views/internships.py", "prog_internships_title", "prog_internships_caption")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
approved = cache.approvals(store, viewer, filters.as_of)  # in the key: shows at once
view = cache.cached(
    programme.internships_content, store, viewer, filters, lang, link_query(), approved
)
if view.projects.empty or not view.active:
    st.info(t("prog_no_projects", lang))
    st.stop()
if view.note:
    st.warning(view.note, icon=":material/science:")

for col, (key, value) in zip(st.columns(len(view.kpis)), view.kpis):
    col.metric(t(key, lang), f"{value:,.0f}")
st.caption(view.status)

left, right = st.columns([3, 2])
with left:
    chart(view.level_fig, key="level_fig", lang=lang)
    st.caption(view.level_status)
    numbers(view.by_level_term, key="level_numbers")
    download_buttons(view.by_level_term, "internships_by_level_term", "dl_level")
with right:
    chart(view.subject_fig, key="subject_fig", lang=lang)
    st.caption(view.subject_status)
    numbers(view.by_subject, key="subject_numbers")
    download_buttons(view.by_subject, "internships_by_subject", "dl_subject")

st.subheader(t("prog_by_university", lang))
table(view.by_university, key="by_university", lang=lang)
download_buttons(view.by_university, "internships_by_university", "dl_university")

st.subheader(t("prog_by_project", lang))
table(view.by_project.frame, key="by_project", link_column=view.link_column, lang=lang)
download_buttons(view.by_project.download, "internships_by_project", "dl_project")
