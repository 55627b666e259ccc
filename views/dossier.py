"""项目档案 / Project dossier (/dossier?project=ID): pairing, agreement, every activity on a time
line, outcome trends, provenance and source links."""

import streamlit as st

from dashboard_lib import memo, programme, ui
from dashboard_lib.i18n import t
from dashboard_lib.textsafe import md, md_link
from dashboard_lib.ui.downloads import download_buttons, numbers

page = ui.page("views/dossier.py", "prog_dossier_title")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
choices = memo.cached(type(store).programme_projects, store, viewer, filters)
ids = choices["project_id"].astype(int).tolist()
names = {
    int(r.project_id): f"{r.project_id} · {r.province_short} {r.county_zh} · {r.school_zh}"
    for r in choices.itertuples(index=False)
}
wanted = st.query_params.get("project")
project_id = None
if wanted is not None:
    try:
        project_id = int(wanted)
    except ValueError:
        st.warning(t("prog_dossier_bad_id", lang))
if "dossier_pick" not in st.session_state or st.session_state.get("_dossier_url") != wanted:
    st.session_state["dossier_pick"] = project_id if project_id in ids else None
    st.session_state["_dossier_url"] = wanted
picked = st.selectbox(
    t("prog_dossier_pick", lang),
    [None, *ids],
    format_func=lambda i: "—" if i is None else names.get(i, str(i)),
    key="dossier_pick",
)
if picked is not None:
    project_id = picked
    if wanted != str(picked):
        st.query_params["project"] = str(picked)
        st.session_state["_dossier_url"] = str(picked)
if project_id is None:
    st.stop()

view = memo.cached(programme.dossier_content, store, viewer, filters, project_id, lang)
if view is None:
    st.warning(t("prog_dossier_missing", lang))
    st.stop()
p = view["project"]
st.header(md(p["school_zh"]), anchor=False)
st.caption(
    " → ".join(
        map(
            md,
            (
                programme.university_name(p, lang),
                f"{programme.province_name(p, lang)} {p['county_zh']}",
            ),
        )
    )
)
if view["note"]:
    st.warning(view["note"], icon=":material/science:")

left, right = st.columns(2)
with left:
    st.subheader(t("prog_pairing", lang))
    st.dataframe(view["pairing"], hide_index=True, width="stretch", key="pairing")
with right:
    st.subheader(t("prog_agreement", lang))
    st.dataframe(
        view["agreement"],
        hide_index=True,
        width="stretch",
        key="agreement",
        column_config={t("prog_source", lang): st.column_config.LinkColumn()},
    )
    download_buttons(view["agreement"], f"project_{project_id}_agreement", "dl_agreement")

st.subheader(t("prog_activity_timeline", lang))
st.plotly_chart(view["timeline_fig"], key="dossier_timeline")
if view["capped"]:
    st.info(t("prog_capped", lang, n=f"{len(view['activities']):,}"))
st.markdown(f"**{t('prog_activity_table', lang)}**")
st.dataframe(
    view["activities"],
    hide_index=True,
    width="stretch",
    key="activities",
    column_config={t("prog_source", lang): st.column_config.LinkColumn()},
)
download_buttons(view["activities"], f"project_{project_id}_activities", "dl_activities")

st.subheader(t("prog_outcomes", lang))
for col, fig in zip(st.columns(len(view["outcome_figs"]) or 1), view["outcome_figs"]):
    with col:
        st.plotly_chart(fig, key=f"dossier_outcome_{fig.layout.title.text}")
numbers(view["outcomes"], key="dossier_outcomes")

st.subheader(t("prog_sources", lang))
if view["sources"]:
    for url in view["sources"]:
        st.markdown(f"- {md_link(url, url)}")
else:
    st.info(t("prog_no_sources", lang))
