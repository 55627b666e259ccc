"""项目档案 / Project dossier (/dossier?project=ID): pairing, agreement, every cycle (renewed,
ended, re-paired), every activity on a time line, outcome trends, provenance and source links."""

import streamlit as st

from dashboard_lib import cache, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.programme.dossier import as_shown
from dashboard_lib.textsafe import md_link
from dashboard_lib.ui.display import chart
from dashboard_lib.ui.downloads import download_buttons, numbers
from dashboard_lib.ui.scorecard import card_head

page = ui.page("views/dossier.py", "prog_dossier_title")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
if st.query_params.get("county"):  # opened from the map's card: back to that view, as it was
    st.page_link(
        "views/explorer.py",
        label=t("explorer_back_to_map", lang),
        query_params={k: v for k, v in st.query_params.to_dict().items() if k != "project"},
    )
choices = cache.cached(type(store).programme_projects, store, viewer, filters)
ids = choices["project_id"].astype(int).tolist()
names = programme.pick_labels(choices)
wanted = st.query_params.get("project")
state = st.session_state
previous = (
    programme.PickState(state["dossier_pick"], state.get("_dossier_url"))
    if "dossier_pick" in state
    else None
)
pick = programme.pick_project(wanted, ids, previous)
if pick.warning:
    st.warning(t(pick.warning, lang))
if previous is None or previous.pick != pick.state.pick:
    state["dossier_pick"] = pick.state.pick
state["_dossier_url"] = pick.state.url
st.selectbox(
    t("prog_dossier_pick", lang),
    [None, *ids],
    format_func=lambda i: "—" if i is None else names.get(i, str(i)),
    key="dossier_pick",
)
if pick.set_url is not None:
    st.query_params["project"] = pick.set_url
if pick.project_id is None:
    st.stop()

approved = cache.approvals(store, viewer, filters.as_of)  # in the key: shows at once
view = cache.cached(
    programme.dossier_content, store, viewer, filters, pick.project_id, lang, approved
)
if view is None:
    st.warning(t("prog_dossier_missing", lang))
    st.stop()
st.header(view.title, anchor=False)
st.caption(view.caption)
if view.note:
    st.warning(view.note, icon=":material/science:")

# the dossier's head: the project's scorecard (and, for the province or the ministry, a target)
card_head(store, viewer, filters, pick.project_id, lang)

left, right = st.columns(2)
with left:
    st.subheader(t("prog_pairing", lang))
    ui.rows(
        view.pairing,
        hide_index=True,
        width="stretch",
        key="pairing",
        height=(len(view.pairing) + 1) * 35 + 3,  # every row in view, no inner scroll bar
    )
with right:
    st.subheader(t("prog_agreement", lang))
    ui.rows(
        view.agreement.frame,
        hide_index=True,
        width="stretch",
        key="agreement",
        column_config={view.agreement.link_column: st.column_config.LinkColumn()},
    )
    download_buttons(view.agreement.frame, f"project_{view.project_id}_agreement", "dl_agreement")

# every cycle of the project (issue 16): renewed, ended or re-paired, and how far each has run
st.subheader(t("cycle_title", lang))
st.caption(t("cycle_caption", lang))
if view.cycles_note:
    st.info(view.cycles_note, icon=":material/science:")
ui.rows(
    view.cycles,
    hide_index=True,
    width="stretch",
    key="cycles",
    height=(len(view.cycles) + 1) * 35 + 3,
    column_config={
        view.cycles_progress_column: st.column_config.ProgressColumn(
            format="%.0f%%", min_value=0, max_value=100
        ),
        t("prog_source", lang): st.column_config.LinkColumn(),
    },
)
download_buttons(view.cycles, f"project_{view.project_id}_cycles", "dl_cycles")

st.subheader(t("prog_activity_timeline", lang))
chart(view.timeline_fig, key="dossier_timeline", lang=lang)
st.caption(view.timeline_status)
if view.capped_note:
    st.info(view.capped_note)
st.markdown(f"**{t('prog_activity_table', lang)}**")
ui.rows(
    as_shown(view.activities.frame),
    hide_index=True,
    width="stretch",
    key="activities",
    column_config={view.activities.link_column: st.column_config.LinkColumn()},
)
download_buttons(view.activities.frame, f"project_{view.project_id}_activities", "dl_activities")

st.subheader(view.outcomes_title)
for col, fig, status in zip(
    st.columns(len(view.outcome_figs) or 1), view.outcome_figs, view.outcome_status
):
    with col:
        chart(fig, key=f"dossier_outcome_{fig.layout.title.text}", lang=lang)
        st.caption(status)
numbers(view.outcomes, key="dossier_outcomes")

st.subheader(t("prog_sources", lang))
if view.sources:
    for url in view.sources:
        grade = view.source_grades.get(url)
        st.markdown(f"- {md_link(url, url)}" + (f" · {grade}" if grade else ""))
else:
    st.info(t("prog_no_sources", lang))
