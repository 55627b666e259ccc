"""实习支教 / Internships and 支教: students by level, subject and term, per project and per
university; person-days in the county."""

import streamlit as st

from dashboard_lib import memo, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.ui.downloads import download_buttons, numbers
from dashboard_lib.ui.filters import link_query

lang = ui.lang()
store = ui.store()
viewer = ui.viewer()
filters = ui.sidebar(store, viewer)
links = {
    t("prog_open_dossier", lang): st.column_config.LinkColumn(
        display_text=t("prog_open_dossier", lang)
    )
}

st.title(t("prog_internships_title", lang))
st.caption(
    t("prog_internships_caption", lang)
    + " · "
    + t("as_of", lang, date=store.meta().get("as_of", ""))
)
view = memo.cached(programme.internships_content, store, viewer, filters, lang, link_query())
if view["projects"].empty or not view["active"]:
    st.info(t("prog_no_projects", lang))
    st.stop()
if view["note"]:
    st.warning(view["note"], icon=":material/science:")

for col, (key, value) in zip(st.columns(len(view["kpis"])), view["kpis"]):
    col.metric(t(key, lang), f"{value:,.0f}")

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(view["level_fig"], key="level_fig")
    numbers(view["by_level_term"], key="level_numbers")
    download_buttons(view["by_level_term"], "internships_by_level_term", "dl_level")
with right:
    st.plotly_chart(view["subject_fig"], key="subject_fig")
    numbers(view["by_subject"], key="subject_numbers")
    download_buttons(view["by_subject"], "internships_by_subject", "dl_subject")

st.subheader(t("prog_by_university", lang))
st.dataframe(view["by_university"], hide_index=True, width="stretch", key="by_university")
download_buttons(view["by_university"], "internships_by_university", "dl_university")

st.subheader(t("prog_by_project", lang))
st.dataframe(
    view["by_project"], hide_index=True, width="stretch", column_config=links, key="by_project"
)
download_buttons(
    view["by_project"].drop(columns=[t("prog_open_dossier", lang)]),
    "internships_by_project",
    "dl_project",
)
