"""项目进展 / Progress: milestones against deadlines, the 3-year cycle, activity per term against
the expectation with a ranked "needs attention" worklist, outcome trends."""

import streamlit as st

from dashboard_lib import cache, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.textsafe import md_link
from dashboard_lib.ui.display import chart, numbers, table
from dashboard_lib.ui.downloads import download_buttons
from dashboard_lib.ui.filters import link_query

page = ui.page("views/progress.py", "prog_progress_title", "prog_progress_caption")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
approved = cache.approvals(store, viewer, filters.as_of)  # in the key: shows at once
view = cache.cached(
    programme.progress_content, store, viewer, filters, lang, link_query(), approved
)
if view.note:
    st.warning(view.note, icon=":material/science:")
if view.projects.empty:
    st.info(t("prog_no_projects", lang))
    st.stop()

st.subheader(t("prog_milestones", lang))
st.caption(view.deadlines_note)
chart(view.ms_fig, key="ms_fig", lang=lang)
st.caption(view.ms_status)
numbers(view.ms_table, key="ms_numbers")
st.markdown(f"**{t('prog_late_list', lang)}**")
if view.late.empty:
    st.success(t("prog_none_late", lang))
else:
    table(view.late.frame, key="late_table", link_column=view.link_column, lang=lang)
    download_buttons(view.late.download, "late_milestones", "dl_late")

st.subheader(t("prog_attention", lang))
if not view.terms:
    st.info(t("prog_no_completed_terms", lang))
else:
    st.caption(view.attention_scope)
    st.caption(view.attention_formula)
    if view.attention.empty:
        st.success(t("prog_attention_none", lang))
    else:
        n = len(view.attention.frame)
        show_all = n > view.attention_top and st.toggle(
            t("att_show_all", lang, n=n), key="attention_all"
        )
        top = n if show_all else view.attention_top
        table(
            view.attention.frame.head(top),
            key="attention",
            link_column=view.link_column,
            lang=lang,
        )
        st.markdown(" · ".join(md_link(f.school, f.link) for f in view.flagged[: min(top, 10)]))
        download_buttons(view.attention.download, "needs_attention", "dl_attention")
    st.caption(view.expectation_note)
    chart(view.below_fig, key="below_fig", lang=lang)
    st.caption(view.below_status)
    numbers(view.below, key="below_numbers")
    st.markdown(f"**{t('prog_activity_terms', lang)}**")
    table(view.grid.frame, key="grid", link_column=view.link_column, lang=lang)
    download_buttons(view.grid.download, "activity_per_term", "dl_grid")

st.subheader(t("prog_cycle", lang))
chart(view.cycle_fig, key="cycle_fig", lang=lang)
st.caption(view.ms_status)
with st.expander(t("prog_chart_numbers", lang)):
    table(view.cycle.frame, key="cycle_table", link_column=view.link_column, lang=lang)
    download_buttons(view.cycle.download, "cycle", "dl_cycle")

st.subheader(t("prog_outcomes", lang))
for col, fig, status in zip(
    st.columns(len(view.outcome_figs) or 1), view.outcome_figs, view.outcome_status
):
    with col:
        chart(fig, key=f"outcome_{fig.layout.title.text}", lang=lang)
        st.caption(status)
numbers(view.outcomes, key="outcome_numbers")
download_buttons(view.outcomes, "outcomes", "dl_outcomes")
