"""Entry point: page config, who is signed in, and the page list built from the viewer's role.

Every page's address is routed for every viewer (``navigation.routes``): the viewer's own pages
run their file and are in the menu; any other address runs a one-sentence stand-in (a sign-in
that ended, or a page of another role), never Streamlit's English "Page not found". Streamlit's
own texts follow the interface language (``ui.chrome.apply``), and an unexpected exception
anywhere in a run shows one sentence with an error id, its traceback in the log
(``ui.chrome.guarded``).
"""

import streamlit as st

from dashboard_lib import navigation, offline, ui
from dashboard_lib.i18n import t
from dashboard_lib.ui import chrome

st.set_page_config(page_title="县中托管帮扶监测", layout="wide")
language = ui.lang()
chrome.apply(language)


def main() -> None:
    offline.ensure_static()
    viewer = ui.viewer()
    ui.account_box(viewer)
    pages: list = []

    def to_default() -> None:  # the default page's own address, typed in: on to ``/``
        st.switch_page(pages[0], query_params=st.query_params.to_dict())

    for r in navigation.routes(viewer):
        if r.twin:
            target = to_default
        elif r.opens:
            target = r.spec.file
        else:
            target = chrome.stand_in(viewer, language, navigation.LOGIN.file)
        pages.append(
            st.Page(
                target,
                title=t(r.spec.title_key, language),
                url_path=r.address,
                default=r.default,
                visibility="visible" if r.in_menu else "hidden",
            )
        )
    # expanded: every page of the menu listed (collapsed, Streamlit adds its English "View n more")
    st.navigation(pages, expanded=True).run()


chrome.guarded(main, language)
