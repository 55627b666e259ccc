"""数据来源 / Data sources: what is published, what is simulated, where the boundaries come from;
the hosts (universities, and the professional body counted apart); every published source with
its grade."""

import streamlit as st

from dashboard_lib import about, ui
from dashboard_lib.i18n import t
from dashboard_lib.ui.display import table

page = ui.page("views/about.py", "about_title")
lang, store, viewer = page.lang, page.store, page.viewer
st.markdown(about.body(store, viewer, lang))
st.markdown(about.hosts_text(store, viewer, lang))
table(about.provenance_table(store, viewer, None, lang), key="about_provenance", lang=lang)
st.subheader(t("about_sources_heading", lang), anchor=False)
st.markdown(about.grade_rule_text(store, viewer, lang))
sources = about.sources_table(store, viewer, None, lang)
table(sources, key="about_sources", lang=lang)
