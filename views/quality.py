"""数据质量 / Data quality: the outcome values the validation rules flagged (at import or entry)
in the viewer's scope — the ministry every province (the sidebar's province filter narrows it),
a province official its own, a university its own projects — with their status, the counts per
province, the rules in words, a download of what is shown, and the viewer's actions: confirm a
value (with an optional comment) or correct it (re-checked, written, audit-logged)."""

import streamlit as st

from dashboard_lib import ui
from dashboard_lib.errors import UserError
from dashboard_lib.i18n import t
from dashboard_lib.programme import quality
from dashboard_lib.ui.display import table
from dashboard_lib.ui.downloads import download_buttons
from dashboard_lib.ui.filters import link_query

page = ui.page("views/quality.py", "dq_title", "dq_caption", writes=True)
lang, store, viewer, filters = page.lang, page.store, page.viewer, page.filters

# the result of the last write, shown once after the rerun that shows its effect
done = st.session_state.pop("dq_done", None)
if done:
    ui.accepted(done, lang)
again = st.session_state.pop("dq_again", None)
if again:
    st.warning(again)

statuses = [*quality.FLAG_STATUSES, "all"]
status = st.selectbox(
    t("dq_status_filter", lang),
    statuses,
    format_func=lambda s: t("dq_status_all", lang) if s == "all" else quality.status_name(s, lang),
    key="dq_status",
)
view = quality.quality_content(
    store, viewer, filters, lang, link_query(), None if status == "all" else status
)
if view.simulated_note:
    st.caption(view.simulated_note)

st.subheader(t("dq_by_province", lang))
table(view.by_province, key="dq_by_province", lang=lang)

st.subheader(t("dq_list_heading", lang))
if view.table is None:
    st.info(t("dq_none", lang))
else:
    st.caption(t("dq_summary", lang, total=view.n_total, open=view.n_flagged))
    table(view.table.frame, key="dq_table", link_column=view.table.link_column, lang=lang)
    download_buttons(view.table.download, "data_quality", "dl_dq_table")

if store.may_review_quality(viewer):
    st.subheader(t("dq_act_heading", lang))
    if not view.open_flags:
        st.success(t("dq_nothing_open", lang))
    else:
        with st.form("dq_form"):
            fid = st.selectbox(
                t("dq_pick", lang),
                list(view.open_flags),
                format_func=view.open_flags.__getitem__,
                key="dq_pick",
            )
            comment = st.text_input(t("dq_comment_label", lang), key="dq_comment")
            value = st.text_input(t("dq_new_value", lang), key="dq_value")
            left, right, _ = st.columns([1, 1, 3])
            confirm = left.form_submit_button(t("dq_confirm_button", lang), type="primary")
            correct = right.form_submit_button(t("dq_correct_button", lang))
        if confirm or correct:
            year: int | None = None  # the corrected value's school year
            try:
                if confirm:
                    store.confirm_quality_flag(viewer, int(fid), comment)
                    rules: list[str] = []
                else:
                    flag = store.quality_flag(viewer, int(fid))
                    year = int(flag["school_year"]) if flag else None
                    rules = quality.correct(store, viewer, int(fid), value, comment)
            except UserError as exc:  # StoreError included: the refusal in words
                st.error(exc.markdown(lang))  # the typed value shown as text
            else:
                key = "dq_confirmed_ok" if confirm else "dq_corrected_ok"
                st.session_state["dq_done"] = t(key, lang, flag=int(fid))
                if rules:
                    st.session_state["dq_again"] = quality.again_text(rules, lang, year=year)
                st.rerun()

with st.expander(t("dq_rules_heading", lang)):
    st.caption(t("dq_rules_caption", lang))
    table(quality.rules_frame(lang), key="dq_rules", lang=lang)
