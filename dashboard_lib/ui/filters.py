"""The sidebar: language switch and the filters every page shares, kept in the URL.

Filters: province, prefecture, university, term range, way of working, provenance, and the as-of
date ("数据截至": every page shows the programme as it was on that day). Each is set
once and holds on every page (this session's values live in ``st.session_state['_filter_values']``,
what it last wrote into the URL in ``st.session_state['_filters']``) and in the URL
(``?province=620000&prefecture=兰州市&university=3,7&term_from=20231&term_to=20252&kind=dispatch
&prov=published&asof=2024-01-31``), so a copied link reproduces the view. Every URL value is untrusted: the rules
that check it against the viewer's scope and the known values, and refuse anything else with a
message, are ``dashboard_lib.urlstate`` (plain functions, tested without Streamlit); this module
only draws the widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .. import cache, urlstate
from ..i18n import label, t
from ..school_calendar import term_bounds, term_code, term_label, terms_until
from ..scope import Filters, Viewer, effective_as_of
from ..store import Store
from ..urlstate import ALL, EARLIEST_AS_OF, PARAMS, PROVENANCE_CHOICES
from .core import lang

__all__ = [
    "PARAMS",
    "PROVENANCE_CHOICES",
    "full_terms",
    "link_query",
    "set_province",
    "sidebar",
    "term_menu",
    "within_menu",
]

_SHADOW = "_filters"  # the parameters this session last wrote into the URL
_VALS = "_filter_values"  # this session's values, by widget key
WIDGETS = {  # URL parameter -> the key of its widget
    "province": "province_select",
    "prefecture": "flt_prefecture",
    "university": "flt_university",
    "term_from": "flt_term_from",
    "term_to": "flt_term_to",
    "kind": "flt_kinds",
    "prov": "flt_prov",
    "asof": "flt_asof",
}
WIDGET_KEYS = tuple(WIDGETS.values())


def _remember(key: str) -> None:
    """on_change: the session's copy follows the widget, so the next page starts from it."""
    st.session_state.setdefault(_VALS, {})[key] = st.session_state[key]


def _put(key: str, value) -> None:
    """Set a widget's value before it is drawn. Always: on another page the same key is a new
    widget, which would otherwise start from its default."""
    st.session_state[key] = value


def _history_navigation() -> bool:
    """Whether this run is the browser's Back or Forward. The URL of that history entry then
    says everything (a parameter it lacks is the default), as for a link opened anew: without
    this, the session's values won and wrote themselves back, so Back from a province to the
    nation (no ``province`` in that URL) stayed on the province (issue 13)."""
    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def _choices(store_: Store, viewer_: Viewer, provinces: tuple[int, ...]) -> dict:
    """The prefectures and universities of the viewer's projects in ``provinces`` (remembered)."""
    return cache.cached(type(store_).filter_choices, store_, viewer_, provinces, memo=cache.SMALL)


def _reference(store_: Store, viewer_: Viewer, options) -> urlstate.Reference:
    """The known values the URL is checked against, from the store (the viewer's scope applied)."""

    def choices(provinces: tuple[int, ...]) -> urlstate.Choices:
        got = _choices(store_, viewer_, provinces)
        return urlstate.Choices(
            tuple(got["prefectures"]["prefecture_zh"].drop_duplicates().tolist()),
            tuple(got["universities"]["university_id"].astype(int).tolist()),
        )

    latest = store_.as_of()
    terms = tuple(terms_until(latest))
    provinces = tuple(options["adcode"].astype(int).tolist())
    return urlstate.Reference(provinces, terms, choices, latest)


def term_menu(terms: Sequence[int], as_of: date | None) -> list[int]:
    """The terms the term menus offer: ``terms`` (every term up to the data's date) up to the
    one holding the as-of date (数据截至; None: all of them)."""
    if as_of is None:
        return list(terms)
    last = term_code(as_of)
    return [c for c in terms if c <= last] or list(terms[:1])


def within_menu(selection: urlstate.Selection, menu: list[int]) -> urlstate.Selection:
    """``selection`` with its term range inside ``menu``: a term after the as-of date's own
    becomes that term (the range then runs to the as-of date)."""
    last = menu[-1]
    return replace(
        selection,
        term_from=min(selection.term_from, last),
        term_to=min(selection.term_to, last),
    )


def term_cut_warning(
    selection: urlstate.Selection, menu: list[int], lang: str
) -> urlstate.UrlWarning | None:
    """The sentence when ``within_menu`` moves the start of the term range (a link, or this
    session, asks for a term after the as-of date's own): said, not done silently. A range
    that only runs past the as-of date is not worth a sentence (it is cut to it, as asked)."""
    s = selection.ordered()
    if s.term_from <= menu[-1]:
        return None
    return urlstate.UrlWarning(
        "asof_term_cut",
        (("term", term_label(s.term_from, lang)), ("last", term_label(menu[-1], lang))),
    )


def held_range(
    selection: urlstate.Selection, menu: list[int], terms: Sequence[int]
) -> urlstate.Selection:
    """What the session keeps of the term range: a range to the menu's last term (the as-of
    date's) is kept as a range to the last term of all, so that it still runs to the end when
    the as-of date is moved later or cleared."""
    s = selection.ordered()
    if s.term_to == menu[-1] and menu[-1] != terms[-1]:
        s = replace(s, term_to=terms[-1])
    return s


def sidebar(store_: Store, viewer_: Viewer) -> Filters:
    """Language switch and the shared filters; returns the ``Filters`` every query takes.

    What the widgets start from (this session's values or the URL, checked) is
    ``urlstate.resolve``; this only draws them and writes the result back into the URL."""
    language = lang()
    with st.sidebar:
        choice = st.radio(
            t("language", language),
            ["中文", "English"],
            horizontal=True,
            index=0 if language == "zh" else 1,
            key="lang_radio",
        )
        new_lang = "zh" if choice == "中文" else "en"
        if new_lang != language:
            st.session_state["lang"] = new_lang
            st.query_params["lang"] = new_lang
            st.rerun()

        options = cache.cached(type(store_).scope_provinces, store_, viewer_, memo=cache.SMALL)
        ref = _reference(store_, viewer_, options)
        vals = st.session_state.setdefault(_VALS, {})
        held = {param: vals[key] for param, key in WIDGETS.items() if key in vals}
        if _history_navigation():
            held = {}
        start, warnings = urlstate.resolve(
            st.query_params.to_dict(), viewer_, ref, held, st.session_state.get(_SHADOW, {})
        )
        # the term menus run only up to the as-of date's own term (数据截至)
        terms = term_menu(ref.terms, start.as_of)
        cut = term_cut_warning(start, terms, language)
        if cut is not None:
            warnings = (*warnings, cut)
        start = within_menu(start, terms)
        for param, value in start.held().items():
            if param == "asof":  # the widget shows the data's own date for "the latest"
                value = value or ref.last_day()
            _put(WIDGETS[param], value)

        # --- province (one, or all in scope)
        # ALL, not None: a None value would show Streamlit's empty placeholder
        codes = [ALL, *ref.provinces]
        names = dict(zip(ref.provinces, options["name_en" if language == "en" else "name_zh"]))
        picked = st.selectbox(
            t("province_filter", language),
            codes,
            format_func=lambda c: t("all_provinces", language) if c == ALL else names[c],
            key="province_select",
            on_change=_remember,
            args=("province_select",),
        )
        choices = _choices(store_, viewer_, (picked,) if picked != ALL else ())

        # --- prefecture (地市) within the province
        prefectures = st.multiselect(
            t("prog_filter_prefecture", language),
            choices["prefectures"]["prefecture_zh"].drop_duplicates().tolist(),
            placeholder=t("prog_filter_all", language),
            key="flt_prefecture",
            on_change=_remember,
            args=("flt_prefecture",),
        )

        # --- university
        unis = choices["universities"]
        uni_ids = unis["university_id"].astype(int).tolist()
        uni_names = dict(
            zip(uni_ids, unis["name_en" if language == "en" else "name_zh"].fillna(unis["name_zh"]))
        )
        universities = st.multiselect(
            t("prog_filter_university", language),
            uni_ids,
            format_func=lambda u: uni_names.get(u, str(u)),
            placeholder=t("prog_filter_all", language),
            key="flt_university",
            on_change=_remember,
            args=("flt_university",),
        )

        # --- term range
        a, b = st.columns(2)
        term_lo = a.selectbox(
            t("prog_filter_terms", language),
            terms,
            key="flt_term_from",
            format_func=lambda c: term_label(c, language),
            on_change=_remember,
            args=("flt_term_from",),
        )
        term_hi = b.selectbox(
            "→",
            terms,
            key="flt_term_to",
            format_func=lambda c: term_label(c, language),
            on_change=_remember,
            args=("flt_term_to",),
        )

        # --- way of working
        kinds = st.multiselect(
            t("prog_filter_kinds", language),
            list(urlstate.KINDS),
            format_func=lambda k: label(k, language),
            placeholder=t("prog_filter_all", language),
            key="flt_kinds",
            on_change=_remember,
            args=("flt_kinds",),
        )

        # --- provenance
        prov = st.selectbox(
            t("prog_filter_provenance", language),
            list(PROVENANCE_CHOICES),
            format_func=lambda p: t(f"prog_prov_{p}", language),
            key="flt_prov",
            on_change=_remember,
            args=("flt_prov",),
        )

        # --- the as-of date (数据截至): the latest data unless a past day is chosen
        picked_day = st.date_input(
            t("asof_pick", language),
            min_value=EARLIEST_AS_OF,
            max_value=ref.last_day(),
            format="YYYY-MM-DD",
            help=t("asof_help", language),
            key="flt_asof",
            on_change=_remember,
            args=("flt_asof",),
        )
        as_of: date | None = picked_day if isinstance(picked_day, date) else None
        if as_of is not None and not EARLIEST_AS_OF <= as_of < ref.last_day():
            as_of = None  # the latest day (or none at all): no as-of limit

        for w in warnings:
            st.warning(t(w.key, language, **dict(w.values)))

    # --- this session's copy, the URL and the widgets say the same thing
    shown = urlstate.Selection(
        picked,
        tuple(prefectures),
        tuple(universities),
        term_lo,
        term_hi,
        tuple(kinds),
        prov,
        as_of,
    ).ordered()
    kept = held_range(shown, term_menu(ref.terms, as_of), ref.terms)
    st.session_state[_VALS] = {WIDGETS[p]: v for p, v in kept.held().items()}
    st.session_state[_VALS]["flt_asof"] = as_of or ref.last_day()
    values = urlstate.to_params(shown, terms)
    # one write, and only on a change: each write of the URL is a browser history entry. The
    # language goes with it, so a page of the menu (which opens without the old query) keeps it.
    current = st.query_params.to_dict()
    wanted = {k: v for k, v in current.items() if k not in values}
    wanted.update({k: v for k, v in values.items() if v is not None})
    if language == "en":
        wanted["lang"] = "en"
    if wanted != current:
        st.query_params.from_dict(wanted)
    st.session_state[_SHADOW] = {k: v for k, v in values.items() if v is not None}
    return urlstate.to_filters(shown, terms)


def link_query() -> dict[str, str]:
    """The current filters (and language) as URL parameters, for links that keep the view."""
    out = dict(st.session_state.get(_SHADOW, {}))
    if st.session_state.get("lang") == "en":
        out["lang"] = "en"
    return out


def set_province(code: int | None) -> None:
    """Move every page's province filter to ``code`` (None: all), e.g. after a click on the map.
    The sidebar checks it against the viewer's scope on the next run."""
    if code is None:
        st.query_params.pop("province", None)
    else:
        st.query_params["province"] = str(int(code))
    st.session_state.pop("province_select", None)
    vals = st.session_state.setdefault(_VALS, {})
    vals.pop("province_select", None)  # read again from the URL, and checked, on the next run


def full_terms(store_: Store, filters: Filters | None = None) -> tuple[date, date]:
    """The first day of the first term and the last day of the term holding the as-of date
    (the filters' 数据截至, else the data's own date)."""
    terms = terms_until(effective_as_of(store_, filters))
    return term_bounds(terms[0])[0], term_bounds(terms[-1])[1]
