"""Entry point: page config, the viewer, and the page list built from the viewer's role."""
import streamlit as st

from dashboard_lib import offline, ui
from dashboard_lib.i18n import t

st.set_page_config(page_title="县中托管帮扶监测", layout="wide")
offline.ensure_static()

language = ui.lang()
pages = [
    st.Page("pages/overview.py", title=t("nav_overview", language), default=True,
            url_path="overview"),
    st.Page("pages/about.py", title=t("nav_about", language), url_path="about"),
]
st.navigation(pages).run()
