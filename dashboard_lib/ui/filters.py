"""The sidebar: language switch and the filters every page shares, kept in the URL."""
from __future__ import annotations

import streamlit as st

from ..i18n import t
from ..scope import Filters, Viewer
from ..store import Store
from .core import lang


def sidebar(store_: Store, viewer_: Viewer) -> Filters:
    """Language switch and province filter, kept in the URL (?province=620000&lang=en).

    The URL is untrusted: a province outside the viewer's scope is refused with a message.
    """
    language = lang()
    with st.sidebar:
        choice = st.radio(t("language", language), ["中文", "English"], horizontal=True,
                          index=0 if language == "zh" else 1, key="lang_radio")
        new_lang = "zh" if choice == "中文" else "en"
        if new_lang != language:
            st.session_state["lang"] = new_lang
            st.query_params["lang"] = new_lang
            st.rerun()
        options = store_.scope_provinces(viewer_)
        codes = [None] + options["adcode"].astype(int).tolist()
        names = dict(zip(options["adcode"].astype(int),
                         options["name_en" if language == "en" else "name_zh"]))
        wanted = st.query_params.get("province")
        default = None
        if wanted:
            try:
                default = int(wanted)
            except ValueError:
                default = -1
            if default not in codes:
                st.warning(t("out_of_scope", language))
                default = None
        picked = st.selectbox(t("province_filter", language), codes,
                              index=codes.index(default),
                              format_func=lambda c: t("all_provinces", language) if c is None else names[c],
                              key="province_select")
        if picked is None:
            st.query_params.pop("province", None)
        else:
            st.query_params["province"] = str(picked)
        st.caption(f"{t('viewer', language)}：{t('viewer_demo', language)}")
    return Filters(provinces=(picked,) if picked is not None else ())


def set_province(code: int | None) -> None:
    """Move every page's province filter to ``code`` (None: all), e.g. after a click on the map.
    The sidebar checks it against the viewer's scope on the next run."""
    if code is None:
        st.query_params.pop("province", None)
    else:
        st.query_params["province"] = str(int(code))
    st.session_state.pop("province_select", None)
