"""The scorecard on screen (issue 16, part 3): the dossier's head — the project's scorecard
table, the rule in one sentence, what is simulated — and, for a province official or the
ministry, the small form that sets a target. The content is ``programme.scorecard``'s.

``comparison_section`` (part 4) is the scorecard page's "compared with whom" section: the
difference-in-differences chart, the figures in words, the one sentence on what they can and
cannot claim, the method, the table and its downloads (``programme.comparison``'s content)."""

from __future__ import annotations

import streamlit as st

from .. import cache
from ..errors import UserError
from ..i18n import t
from ..programme import comparison, scorecard
from ..textsafe import md
from .core import accepted
from .display import chart, table
from .downloads import download_buttons

_DONE = "score_done"


def _save(store, viewer, project_id: int, card: scorecard.Card, indicator: str, value, lang: str):
    """Set (or clear) the target; the sentence after the rerun, or the refusal in words."""
    try:
        before = store.set_target(viewer, project_id, indicator, value)
    except UserError as exc:
        st.error(exc.markdown(lang))
        return
    name = card.indicators[indicator]
    shown = {
        k: t("score_not_set", lang) if v is None else scorecard.value_text(v, indicator)
        for k, v in (("before", before), ("after", value))
    }
    st.session_state[_DONE] = t("score_saved", lang, indicator=name, **shown)
    st.rerun()


def card_head(store, viewer, filters, project_id: int, lang: str) -> None:
    """The scorecard block at the head of a project's dossier (nothing when out of scope)."""
    card = cache.cached(scorecard.project_card, store, viewer, filters, project_id, lang)
    if card is None:
        return
    st.subheader(t("score_card_heading", lang))
    done = st.session_state.pop(_DONE, None)
    if done:
        accepted(done, lang)
    table(card.table, key="scorecard", lang=lang)
    st.caption(card.rule)
    st.caption(card.years_note)
    for line in card.simulated:
        st.caption(f":material/science: {line}")
    if not (card.may_set and store.accepts_writes):
        return
    with st.expander(t("score_form_heading", lang)):
        st.caption(t("score_form_caption", lang))
        with st.form("score_target_form"):
            indicator = st.selectbox(
                t("score_form_indicator", lang),
                list(card.indicators),
                format_func=lambda i: (
                    f"{card.indicators[i]} · {t('score_col_target', lang)} "
                    + (
                        t("score_not_set", lang)
                        if card.targets.get(i) is None
                        else scorecard.value_text(card.targets[i], i)
                    )
                ),
                key="score_indicator",
            )
            value = st.number_input(
                t("score_form_value", lang),
                value=None,
                min_value=0.0,
                step=1.0,
                placeholder=t("score_not_set", lang),
                key="score_value",
            )
            clear = st.checkbox(t("score_form_clear", lang), key="score_clear")
            if st.form_submit_button(t("score_form_save", lang)):
                if not clear and value is None:
                    st.error(t("score_target_missing", lang))
                else:
                    _save(
                        store, viewer, project_id, card, indicator, None if clear else value, lang
                    )


def comparison_section(store, viewer, filters, lang: str) -> None:
    """The difference-in-differences section of the scorecard page (``programme.comparison``):
    marked 模拟数据 when any row compared is simulated; downloads honour the viewer's rights."""
    view = cache.cached(comparison.content, store, viewer, filters, lang)
    st.subheader(t("cmp_heading", lang))
    st.caption(t("cmp_caption", lang))
    for line in view.simulated_lines:
        st.warning(line, icon=":material/science:")
    if view.figure is None:
        st.info(t("cmp_none", lang))
        return
    for line in view.lines:
        st.markdown(md(line))
    st.info(view.claim, icon=":material/info:")
    chart(view.figure, key="cmp_chart", lang=lang)
    st.caption(view.method)
    st.markdown("**" + md(t("cmp_table_heading", lang)) + "**")
    table(view.table, key="cmp_table", lang=lang)
    download_buttons(view.table, "scorecard_comparison", "dl_comparison")
