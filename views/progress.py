"""项目进展 / Progress: milestones against deadlines, the 3-year cycle, activity per term against
the expectation with a ranked "needs attention" list, outcome trends."""

import streamlit as st

from dashboard_lib import cache, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.textsafe import md_link
from dashboard_lib.ui.downloads import download_buttons, numbers
from dashboard_lib.ui.filters import link_query

page = ui.page("views/progress.py", "prog_progress_title", "prog_progress_caption")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
view = cache.cached(programme.progress_content, store, viewer, filters, lang, link_query())
links = {view.link_column: st.column_config.LinkColumn(display_text=view.link_column)}
if view.note:
    st.warning(view.note, icon=":material/science:")
if view.projects.empty:
    st.info(t("prog_no_projects", lang))
    st.stop()

st.subheader(t("prog_milestones", lang))
st.caption(view.deadlines_note)
st.plotly_chart(view.ms_fig, key="ms_fig")
numbers(view.ms_table, key="ms_numbers")
st.markdown(f"**{t('prog_late_list', lang)}**")
if view.late.empty:
    st.success(t("prog_none_late", lang))
else:
    st.dataframe(
        view.late.frame, hide_index=True, width="stretch", column_config=links, key="late_table"
    )
    download_buttons(view.late.download, "late_milestones", "dl_late")

st.subheader(t("prog_attention", lang))
if not view.terms:
    st.info(t("prog_no_completed_terms", lang))
else:
    st.caption(view.expectation_note)
    if view.attention.empty:
        st.success(t("prog_attention_none", lang))
    else:
        st.dataframe(
            view.attention.frame,
            hide_index=True,
            width="stretch",
            column_config=links,
            key="attention",
        )
        st.markdown(" · ".join(md_link(f.school, f.link) for f in view.flagged[:10]))
        download_buttons(view.attention.download, "needs_attention", "dl_attention")
    st.plotly_chart(view.below_fig, key="below_fig")
    numbers(view.below, key="below_numbers")
    st.markdown(f"**{t('prog_activity_terms', lang)}**")
    st.dataframe(view.grid.frame, hide_index=True, width="stretch", column_config=links, key="grid")
    download_buttons(view.grid.download, "activity_per_term", "dl_grid")

st.subheader(t("prog_cycle", lang))
st.plotly_chart(view.cycle_fig, key="cycle_fig")
with st.expander(t("prog_chart_numbers", lang)):
    st.dataframe(
        view.cycle.frame, hide_index=True, width="stretch", column_config=links, key="cycle_table"
    )
    download_buttons(view.cycle.download, "cycle", "dl_cycle")

st.subheader(t("prog_outcomes", lang))
for col, fig in zip(st.columns(len(view.outcome_figs) or 1), view.outcome_figs):
    with col:
        st.plotly_chart(fig, key=f"outcome_{fig.layout.title.text}")
numbers(view.outcomes, key="outcome_numbers")
download_buttons(view.outcomes, "outcomes", "dl_outcomes")
