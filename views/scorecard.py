"""成效记分卡 / Scorecard: the league view — every project of the viewer's scope (a province's, or
the nation's grouped by province) with its speed class per outcome indicator, the counts per
province, the rule in one sentence; sortable, downloadable; then "compared with whom": the
difference-in-differences figure against comparable schools outside the programme, with its
interval and the sentence on what it can and cannot claim. Each project's own scorecard heads
its dossier."""

import streamlit as st

from dashboard_lib import cache, ui
from dashboard_lib.i18n import t
from dashboard_lib.programme import scorecard
from dashboard_lib.ui.display import table
from dashboard_lib.ui.downloads import download_buttons
from dashboard_lib.ui.filters import link_query
from dashboard_lib.ui.scorecard import comparison_section

page = ui.page("views/scorecard.py", "score_title", "score_caption")
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters
view = cache.cached(scorecard.league_content, store, viewer, filters, lang, link_query())
for line in view.simulated:
    st.warning(line, icon=":material/science:")
if view.table is None or view.provinces is None:
    st.info(t("score_no_projects", lang))
    st.stop()
st.caption(view.rule)
st.caption(view.years_note)

st.subheader(t("score_by_province", lang))
table(view.provinces, key="league_provinces", lang=lang)

st.subheader(t("score_league_heading", lang))
st.caption(t("score_league_caption", lang))
table(view.table.shown, key="league", link_column=view.table.link_column, lang=lang)
download_buttons(view.table.download, "scorecard_league", "dl_league")

comparison_section(store, viewer, filters, lang)  # compared with whom: difference in differences
