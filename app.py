"""Entry point: page config, who is signed in, and the page list built from the viewer's role."""

import streamlit as st

from dashboard_lib import navigation, offline, ui
from dashboard_lib.i18n import t

st.set_page_config(page_title="县中托管帮扶监测", layout="wide")
offline.ensure_static()

language = ui.lang()
viewer = ui.viewer()
ui.account_box(viewer)
pages = [
    st.Page(spec.file, title=t(spec.title_key, language), url_path=spec.url_path, default=(i == 0))
    for i, spec in enumerate(navigation.pages_for(viewer))
]
st.navigation(pages).run()
