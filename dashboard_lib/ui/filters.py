"""The sidebar: language switch and the filters every page shares, kept in the URL.

Filters: province, prefecture, university, term range, way of working, provenance. Each is set
once and holds on every page (a plain copy lives in ``st.session_state['_filters']``) and in the
URL (``?province=620000&prefecture=兰州市&university=3,7&term_from=20231&term_to=20252&kind=dispatch
&prov=published``), so a copied link reproduces the view. Every URL value is untrusted: it is
checked against the viewer's scope and the known values; anything else is refused with a message
and ignored.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from .. import memo
from ..i18n import label, t
from ..programme import term_bounds, term_label, terms_until
from ..scope import Filters, Viewer
from ..store import Store
from ..vocab import ActivityKind, Provenance
from .core import lang

PARAMS = ("province", "prefecture", "university", "term_from", "term_to", "kind", "prov")
PROVENANCE_CHOICES = {
    "all": (),
    "published": (Provenance.PUBLISHED.value,),
    "real": (Provenance.PUBLISHED.value, Provenance.IMPORTED.value),
}
_SHADOW = "_filters"


def _raw(name: str) -> str | None:
    """The wanted value of a filter from the URL (read when the session starts)."""
    return st.query_params.get(name) or None


def _split(v: str | None) -> list[str]:
    return [x.strip() for x in (v or "").split(",") if x.strip()]


def _ints(v: str | None) -> tuple[list[int], bool]:
    out, bad = [], False
    for x in _split(v):
        try:
            out.append(int(x))
        except ValueError:
            bad = True
    return out, bad


_VALS = "_filter_values"
WIDGET_KEYS = (
    "province_select",
    "flt_prefecture",
    "flt_university",
    "flt_term_from",
    "flt_term_to",
    "flt_kinds",
    "flt_prov",
)


def _remember(key: str) -> None:
    """on_change: the session's copy follows the widget, so the next page starts from it."""
    st.session_state.setdefault(_VALS, {})[key] = st.session_state[key]


def _url_changed(*params: str) -> bool:
    """True when the URL says something this session did not write there (a pasted or edited
    link): the URL then wins over the session's copy, and is checked again."""
    written = st.session_state.get(_SHADOW, {})
    return any((st.query_params.get(p) or None) not in (None, written.get(p)) for p in params)


def _start(key: str, from_url, param: str):
    """Put a widget's value in place before it is drawn: this session's copy, else the URL."""
    vals = st.session_state.setdefault(_VALS, {})
    if key not in vals or _url_changed(param):
        vals[key] = from_url()
    _put(key, vals[key])


def _put(key: str, value) -> None:
    """Set a widget's value before it is drawn. Always: on another page the same key is a new
    widget, which would otherwise start from its default."""
    st.session_state[key] = value


def sidebar(store_: Store, viewer_: Viewer) -> Filters:
    """Language switch and the shared filters; returns the ``Filters`` every query takes."""
    language = lang()
    warnings: set[str] = set()
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

        # --- province (one, or all in scope)
        options = memo.cached(type(store_).scope_provinces, store_, viewer_, memo=memo.SMALL)
        ALL = 0  # "all provinces in scope" (not None: a None value shows Streamlit's empty placeholder)
        codes = [ALL] + options["adcode"].astype(int).tolist()
        names = dict(
            zip(
                options["adcode"].astype(int), options["name_en" if language == "en" else "name_zh"]
            )
        )

        def province_from_url():
            wanted = _raw("province")
            if not wanted:
                return ALL
            got, bad = _ints(wanted)
            code = got[0] if len(got) == 1 and not bad else -1
            if code not in codes or code == ALL:
                warnings.add("out_of_scope")
                return ALL
            return code

        _start("province_select", province_from_url, "province")
        if st.session_state["province_select"] not in codes:
            warnings.add("out_of_scope")
            _put("province_select", ALL)
        picked = st.selectbox(
            t("province_filter", language),
            codes,
            format_func=lambda c: t("all_provinces", language) if c == ALL else names[c],
            key="province_select",
            on_change=_remember,
            args=("province_select",),
        )
        provinces = (picked,) if picked != ALL else ()
        choices = memo.cached(
            type(store_).filter_choices, store_, viewer_, provinces, memo=memo.SMALL
        )

        # --- prefecture (地市) within the province
        prefs = choices["prefectures"]["prefecture_zh"].drop_duplicates().tolist()

        def prefectures_from_url():
            want = _split(_raw("prefecture"))
            if any(p not in prefs for p in want):
                warnings.add("prog_bad_filter")
            return [p for p in want if p in prefs]

        _start("flt_prefecture", prefectures_from_url, "prefecture")
        _put("flt_prefecture", [p for p in st.session_state["flt_prefecture"] if p in prefs])
        prefectures = st.multiselect(
            t("prog_filter_prefecture", language),
            prefs,
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

        def universities_from_url():
            want, bad = _ints(_raw("university"))
            if bad or any(u not in uni_ids for u in want):
                warnings.add("out_of_scope")
            return [u for u in want if u in uni_ids]

        _start("flt_university", universities_from_url, "university")
        _put("flt_university", [u for u in st.session_state["flt_university"] if u in uni_ids])
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
        terms = terms_until(store_.as_of())

        def terms_from_url():
            lo_raw, hi_raw = _raw("term_from"), _raw("term_to")
            lo, hi = _ints(lo_raw)[0], _ints(hi_raw)[0]
            lo = lo[0] if len(lo) == 1 else None
            hi = hi[0] if len(hi) == 1 else None
            if (
                (lo_raw and lo not in terms)
                or (hi_raw and hi not in terms)
                or (lo in terms and hi in terms and lo > hi)
            ):
                warnings.add("prog_bad_filter")
                return (terms[0], terms[-1])
            return (lo if lo in terms else terms[0], hi if hi in terms else terms[-1])

        vals = st.session_state.setdefault(_VALS, {})
        if (
            "flt_term_from" not in vals
            or "flt_term_to" not in vals
            or _url_changed("term_from", "term_to")
        ):
            vals["flt_term_from"], vals["flt_term_to"] = terms_from_url()
        for key, fallback in (("flt_term_from", terms[0]), ("flt_term_to", terms[-1])):
            _put(key, vals[key] if vals[key] in terms else fallback)
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
        if term_lo > term_hi:
            term_lo, term_hi = term_hi, term_lo

        # --- way of working
        kinds_all = [k.value for k in ActivityKind]

        def kinds_from_url():
            want = _split(_raw("kind"))
            if any(k not in kinds_all for k in want):
                warnings.add("prog_bad_filter")
            return [k for k in want if k in kinds_all]

        _start("flt_kinds", kinds_from_url, "kind")
        kinds = st.multiselect(
            t("prog_filter_kinds", language),
            kinds_all,
            format_func=lambda k: label(k, language),
            placeholder=t("prog_filter_all", language),
            key="flt_kinds",
            on_change=_remember,
            args=("flt_kinds",),
        )

        # --- provenance
        def provenance_from_url():
            want = _raw("prov") or "all"
            if want not in PROVENANCE_CHOICES:
                warnings.add("prog_bad_filter")
                return "all"
            return want

        _start("flt_prov", provenance_from_url, "prov")
        prov = st.selectbox(
            t("prog_filter_provenance", language),
            list(PROVENANCE_CHOICES),
            format_func=lambda p: t(f"prog_prov_{p}", language),
            key="flt_prov",
            on_change=_remember,
            args=("flt_prov",),
        )

        for w in sorted(warnings):
            st.warning(t(w, language))

    # --- this session's copy, the URL and the widgets say the same thing
    st.session_state[_VALS] = {
        "province_select": picked,
        "flt_prefecture": list(prefectures),
        "flt_university": list(universities),
        "flt_term_from": term_lo,
        "flt_term_to": term_hi,
        "flt_kinds": list(kinds),
        "flt_prov": prov,
    }
    full_range = (term_lo, term_hi) == (terms[0], terms[-1])
    values = {
        "province": str(picked) if provinces else None,
        "prefecture": ",".join(prefectures) or None,
        "university": ",".join(str(u) for u in universities) or None,
        "term_from": None if full_range else str(term_lo),
        "term_to": None if full_range else str(term_hi),
        "kind": ",".join(kinds) or None,
        "prov": None if prov == "all" else prov,
    }
    for k, v in values.items():
        if v is None:
            st.query_params.pop(k, None)
        elif st.query_params.get(k) != v:
            st.query_params[k] = v
    st.session_state[_SHADOW] = {k: v for k, v in values.items() if v is not None}
    return Filters(
        provinces=provinces,
        prefectures=tuple(prefectures),
        universities=tuple(int(u) for u in universities),
        date_from=None if full_range else term_bounds(term_lo)[0],
        date_to=None if full_range else term_bounds(term_hi)[1],
        kinds=tuple(kinds),
        provenance=PROVENANCE_CHOICES[prov],
    )


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


def full_terms(store_: Store) -> tuple[date, date]:
    terms = terms_until(store_.as_of())
    return term_bounds(terms[0])[0], term_bounds(terms[-1])[1]
