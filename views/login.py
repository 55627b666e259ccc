"""登录 / Sign in: single sign-on where the deployment configures it (``XZ_AUTH=oidc``), and the
local accounts' form (beside it unless ``XZ_LOCAL_LOGIN=0``)."""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard_lib import auth, navigation, ui
from dashboard_lib.i18n import t, tm
from dashboard_lib.settings import load_settings
from dashboard_lib.ui import auth as ui_auth

lang = ui.lang()
settings = load_settings()
st.title(t("auth_title", lang))
if not settings.demo_mode:
    st.caption(t("auth_demo_off", lang))
local = auth.local_login_allowed(settings.auth_mode)
if settings.auth_mode == "oidc":
    refused = ui_auth.sso_refusal()
    if ui_auth.sso_signed_in():
        if refused:  # signed in at the provider, but no account here: one sentence, no data
            st.warning(refused, icon=":material/block:")
        else:
            st.caption(tm("auth_sso_signed_in", lang, identity=ui_auth.sso_identity()))
        if st.button(t("auth_sso_logout", lang), key="sso_logout"):
            ui_auth.sso_logout()
    else:
        if local:
            st.subheader(t("auth_sso_heading", lang))
        if st.button(t("auth_sso", lang), key="sso_login", type="primary"):
            problem = ui_auth.sso_login()
            if problem:
                st.error(problem)
viewer = ui.viewer()
sso_in = settings.auth_mode == "oidc" and ui_auth.sso_signed_in()
if local and viewer is not None and not viewer.read_only and not sso_in:
    # this tab is signed in with a local account: no second form, a way on instead
    st.info(tm("auth_already_in", lang, user=viewer.name), icon=":material/person:")
    try:
        st.page_link(navigation.pages_for(viewer)[0].file, label=t("auth_go_home", lang))
    except StreamlitAPIException:  # the file run alone, outside app.py's navigation: no link
        pass
elif local and not sso_in:
    if settings.auth_mode == "oidc":
        st.subheader(t("auth_local_heading", lang))
    if not ui.store().accepts_writes:
        st.warning(t("auth_read_only", lang), icon=":material/lock:")  # no session to write
    else:
        with st.form("login", clear_on_submit=False):
            user = st.text_input(t("auth_user", lang))
            password = st.text_input(t("auth_password", lang), type="password")
            submitted = st.form_submit_button(t("auth_submit", lang))
        if submitted:
            problem = ui.login(user, password)
            if problem:
                st.error(problem)
            else:
                st.rerun()
