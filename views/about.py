"""数据来源 / Data sources: what is published, what is simulated, where the boundaries come from."""

import streamlit as st

from dashboard_lib import about, ui
from dashboard_lib.i18n import t

lang = ui.lang()
store = ui.store()
ui.sidebar(store, ui.viewer())
st.title(t("about_title", lang))
st.markdown(about.text(lang))
st.dataframe(about.provenance_table(store, ui.viewer(), None, lang), hide_index=True)
