"""登录 / Sign in: local accounts, or single sign-on where the deployment configures it."""

import streamlit as st

from dashboard_lib import ui
from dashboard_lib.i18n import t
from dashboard_lib.settings import load_settings

lang = ui.lang()
settings = load_settings()
st.title(t("auth_title", lang))
if not settings.demo_mode:
    st.caption(t("auth_demo_off", lang))
if settings.auth_mode == "oidc":
    if st.button(t("auth_sso", lang)):
        st.login(settings.oidc_provider) if settings.oidc_provider else st.login()
elif ui.store().read_only:
    st.warning(t("auth_read_only", lang), icon=":material/lock:")  # no session could be written
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
