"""用户管理 / Users: accounts (add, re-scope, disable, reset password) and the audit log.

Render only: the tables, the form state and the before → after come from ``dashboard_lib.admin``.
Selecting a user loads what it has now into the form; a change of role or scope is shown as
before → after and written only after a second, explicit confirmation; an untouched form writes
nothing. After every write the page runs again, so the tables show it at once."""

import streamlit as st

from dashboard_lib import admin, auth, exports, ui
from dashboard_lib.errors import UserError
from dashboard_lib.i18n import label, t, tm
from dashboard_lib.vocab import Role

page = ui.page("views/admin.py", "admin_title", sidebar=False)  # the ministry's, never read-only
lang, store, viewer = page.lang, page.store, page.viewer

FLASH = "adm_flash"  # (where, kind, text) said once, after the write and its rerun
PENDING = "adm_pending"  # the ScopeDiff waiting for its confirmation
LOADED = "adm_loaded"  # (user, updated_at) of the account loaded into the change form
RESET = "adm_reset"  # widget keys to show empty again after a write
ADD_KEYS = ("add_name", "add_display", "add_role", "add_prov", "add_unis", "add_sso", "add_pw")

# emptied by assignment before they are drawn (a deleted key would leave the browser's value)
for widget in st.session_state.pop(RESET, ()):
    st.session_state[widget] = (
        []
        if widget.endswith("_unis")
        else ""
        if widget.endswith(("_name", "_display", "_sso", "_pw"))
        else None
    )

names = admin.scope_options(store, viewer, lang)
roles = [r.value for r in Role]


def draw(table: admin.Table) -> None:
    if table.frame.empty:
        st.caption(table.empty)
        return
    ui.rows(
        table.frame,
        hide_index=True,
        width="stretch",
        column_order=table.shown,
        column_config={k: st.column_config.TextColumn(h) for k, h in table.headers.items()},
        placeholder="",
    )


def done(
    where: str,
    text: str,
    kind: str = "success",
    forget: tuple[str, ...] = (),
    reset: tuple[str, ...] = (),
) -> None:
    """A write went through: say so after the rerun that shows it everywhere on the page
    (``forget``: state to drop; ``reset``: widgets to show empty in that run)."""
    for key in forget:
        st.session_state.pop(key, None)
    st.session_state[RESET] = reset
    st.session_state[FLASH] = (where, kind, text)
    st.rerun()


def said(where: str) -> None:
    flash = st.session_state.get(FLASH)
    if flash and flash[0] == where:
        del st.session_state[FLASH]
        getattr(st, flash[1])(flash[2])


def scope_inputs(prefix: str) -> tuple[str | None, int | None, list[int]]:
    role = st.selectbox(
        t("admin_role", lang),
        roles,
        index=None,
        format_func=lambda r: label(r, lang),
        placeholder=t("adm_choose_role", lang),
        key=f"{prefix}_role",
    )
    province = st.selectbox(
        t("admin_province", lang),
        list(names.provinces),
        index=None,
        format_func=lambda c: names.provinces[c],
        placeholder=t("adm_choose", lang),
        key=f"{prefix}_prov",
    )
    universities = st.multiselect(
        t("admin_universities", lang),
        list(names.universities),
        format_func=lambda u: names.universities[u],
        placeholder=t("adm_choose_universities", lang),
        key=f"{prefix}_unis",
    )
    return role, province, universities


st.subheader(t("admin_users", lang))
draw(admin.users_table(store, viewer, lang))

with st.expander(t("admin_add", lang), key="adm_add_open"):
    said("add")
    with st.form("add_user"):
        user_name = st.text_input(t("auth_user", lang), key="add_name")
        display = st.text_input(t("admin_display_name", lang), key="add_display")
        role, province, universities = scope_inputs("add")
        sso = st.text_input(t("admin_oidc", lang), key="add_sso")
        password = st.text_input(t("admin_password", lang), type="password", key="add_pw")
        if st.form_submit_button(t("admin_create", lang)):
            try:
                if role is None:
                    raise auth.AuthError("adm_role_needed")
                auth.create_user(
                    store,
                    user_name.strip(),
                    role,
                    password or None,
                    province_adcode=province if role == Role.PROVINCE.value else None,
                    university_ids=universities if role == Role.UNIVERSITY.value else None,
                    display_name=display or None,
                    oidc_subject=sso or None,
                    actor=viewer.name,
                )
            except UserError as exc:
                st.error(exc.markdown(lang))
            else:
                done("add", tm("admin_created", lang, user=user_name.strip()), reset=ADD_KEYS)

with st.expander(t("admin_change", lang), key="adm_change_open"):
    said("change")
    user_names = store.users()["user_name"].tolist()
    if user_names:
        who = st.selectbox(
            t("admin_pick_user", lang),
            user_names,
            placeholder=t("adm_choose", lang),
            key="change_user",
        )
        record = store.user(who) if who else None
        if record is not None:
            form = admin.account_form(record)
            if st.session_state.get(LOADED) != (form.user_name, form.stamp):
                # another account, or this one changed: the form shows what it has now
                st.session_state["change_role"] = form.scope.role
                st.session_state["change_prov"] = form.scope.province_adcode
                st.session_state["change_unis"] = list(form.scope.university_ids)
                st.session_state[LOADED] = (form.user_name, form.stamp)
                waiting = st.session_state.pop(PENDING, None)
                if waiting is not None and waiting.user_name == form.user_name:
                    st.warning(t("adm_changed_meanwhile", lang))  # changed under the question
            st.caption(tm("adm_current", lang, user=who, state=form.state(names, lang)))
            role, province, universities = scope_inputs("change")
            diff = admin.scope_diff(form, role, province, universities, names, lang)
            pending = st.session_state.get(PENDING)
            if pending is not None and (
                pending.user_name != who
                or pending.before != form.scope
                or pending.after != diff.after
            ):
                st.session_state.pop(PENDING, None)  # the form moved on: ask again
                pending = None
            c1, c2 = st.columns(2)
            try:
                if c1.button(t("admin_rescope", lang), key="rescope_btn"):
                    if role is None:
                        raise auth.AuthError("adm_role_needed")
                    if not diff.changed:
                        st.session_state.pop(PENDING, None)
                        pending = None
                        st.info(t("adm_no_change", lang))
                    else:
                        a = diff.after  # the scope as saved: what the role uses of the choices
                        ids = list(a.university_ids) or None
                        auth.validate_account(store, who, a.role, a.province_adcode, ids)
                        st.session_state[PENDING] = pending = diff
                if form.disabled:
                    if c2.button(t("admin_enable", lang), key="enable_btn"):
                        auth.set_disabled(store, who, False, viewer.name)
                        done("change", t("admin_done", lang))
                elif c2.button(t("admin_disable", lang), key="disable_btn"):
                    if who == viewer.name:
                        st.error(t("admin_no_self_disable", lang))
                    else:
                        auth.set_disabled(store, who, True, viewer.name)
                        done("change", t("admin_done", lang))
                if pending is not None:
                    lines = "\n".join(
                        "- "
                        + tm(
                            "adm_field_change", lang, field=c.field, before=c.before, after=c.after
                        )
                        for c in pending.changes
                    )
                    st.warning(tm("adm_confirm_intro", lang, user=who) + "\n\n" + lines)
                    k1, k2 = st.columns(2)
                    if k1.button(t("adm_confirm", lang), type="primary", key="rescope_confirm"):
                        now = admin.account_form(store.user(who) or record)
                        if now.scope != pending.before:
                            st.session_state.pop(PENDING, None)
                            st.warning(t("adm_changed_meanwhile", lang))
                        else:
                            a = pending.after
                            auth.set_scope(
                                store,
                                who,
                                a.role,
                                a.province_adcode,
                                list(a.university_ids) or None,
                                viewer.name,
                            )
                            text = tm("adm_rescoped", lang, user=who, change=pending.text)
                            done("change", text, forget=(PENDING,))
                    if k2.button(t("adm_cancel", lang), key="rescope_cancel"):
                        done("change", t("adm_cancelled", lang), "info", forget=(PENDING,))
                st.caption(t("admin_reset_note", lang))
                new_password = st.text_input(
                    t("admin_reset_password", lang), type="password", key="reset_pw"
                )
                if new_password and st.button(t("admin_reset_password", lang), key="reset_btn"):
                    auth.set_password(store, who, new_password, viewer.name)
                    done("change", t("admin_done", lang), reset=("reset_pw",))
            except UserError as exc:
                st.error(exc.markdown(lang))

st.subheader(t("admin_audit", lang))
draw(admin.audit_table(store, viewer, lang))
log = store.audit_log()
st.download_button(
    t("admin_audit_download", lang),
    exports.csv_bytes(log),
    file_name="audit_log.csv",
    mime="text/csv",
    key="dl_audit",
)
