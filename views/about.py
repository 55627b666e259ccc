"""数据来源 / Data sources: what is published, what is simulated, where the boundaries come from."""

import streamlit as st

from dashboard_lib import about, ui

page = ui.page("views/about.py", "about_title")
st.markdown(about.text(page.lang))
st.dataframe(about.provenance_table(page.store, page.viewer, None, page.lang), hide_index=True)
