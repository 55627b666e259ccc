"""用户管理 / Users: accounts (add, re-scope, disable, reset password) and the audit log."""

import streamlit as st

from dashboard_lib import admin, auth, exports, ui
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.vocab import Role

page = ui.page("views/admin.py", "admin_title", sidebar=False)  # the ministry's, never read-only
lang, store, viewer = page.lang, page.store, page.viewer

st.subheader(t("admin_users", lang))
st.dataframe(admin.users_table(store, lang), hide_index=True, width="stretch")

provinces = store.scope_provinces(viewer)
province_names = dict(
    zip(provinces["adcode"].astype(int), provinces["name_en" if lang == "en" else "name_zh"])
)
unis = store.universities()
uni_names = dict(
    zip(unis["university_id"].astype(int), unis["name_en" if lang == "en" else "name_zh"])
)
roles = [r.value for r in Role]


def scope_inputs(prefix: str):
    role = st.selectbox(
        t("admin_role", lang), roles, format_func=lambda r: label(r, lang), key=f"{prefix}_role"
    )
    province = st.selectbox(
        t("admin_province", lang),
        [None, *province_names],
        format_func=lambda c: "—" if c is None else province_names[c],
        key=f"{prefix}_prov",
    )
    universities = st.multiselect(
        t("admin_universities", lang),
        list(uni_names),
        format_func=lambda u: uni_names[u],
        key=f"{prefix}_unis",
    )
    return role, province, universities


with st.expander(t("admin_add", lang)):
    with st.form("add_user"):
        user_name = st.text_input(t("auth_user", lang))
        display = st.text_input(t("admin_display_name", lang))
        role, province, universities = scope_inputs("add")
        sso = st.text_input(t("admin_oidc", lang))
        password = st.text_input(t("admin_password", lang), type="password")
        if st.form_submit_button(t("admin_create", lang)):
            try:
                auth.create_user(
                    store,
                    user_name.strip(),
                    role,
                    password or None,
                    province_adcode=province if role == "province" else None,
                    university_ids=universities if role == "university" else None,
                    display_name=display or None,
                    oidc_subject=sso or None,
                    actor=viewer.name,
                )
                st.success(tm("admin_created", lang, user=user_name))
            except auth.AuthError as exc:
                st.error(exc.message(lang))

with st.expander(t("admin_change", lang)):
    names = store.users()["user_name"].tolist()
    if names:
        who = st.selectbox(t("admin_pick_user", lang), names, key="change_user")
        role, province, universities = scope_inputs("change")
        c1, c2, c3 = st.columns(3)
        try:
            if c1.button(t("admin_rescope", lang)):
                auth.set_scope(
                    store,
                    who,
                    role,
                    province if role == "province" else None,
                    universities if role == "university" else None,
                    viewer.name,
                )
                st.success(t("admin_done", lang))
            if c2.button(t("admin_disable", lang)):
                if who == viewer.name:
                    st.error(t("admin_no_self_disable", lang))
                else:
                    auth.set_disabled(store, who, True, viewer.name)
                    st.success(t("admin_done", lang))
            if c3.button(t("admin_enable", lang)):
                auth.set_disabled(store, who, False, viewer.name)
                st.success(t("admin_done", lang))
            st.caption(t("admin_reset_note", lang))
            new_password = st.text_input(
                t("admin_reset_password", lang), type="password", key="reset_pw"
            )
            if new_password and st.button(t("admin_reset_password", lang), key="reset_btn"):
                auth.set_password(store, who, new_password, viewer.name)
                st.success(t("admin_done", lang))
        except auth.AuthError as exc:
            st.error(exc.message(lang))

st.subheader(t("admin_audit", lang))
log = store.audit_log()
st.dataframe(log, hide_index=True, width="stretch")
st.download_button(
    t("admin_audit_download", lang),
    exports.csv_bytes(log),
    file_name="audit_log.csv",
    mime="text/csv",
    key="dl_audit",
)
