"""The shared filters kept in the URL, read and written as plain values (no Streamlit here).

A copied link reproduces a view: ``?province=620000&prefecture=兰州市&university=3,7
&term_from=20231&term_to=20252&kind=dispatch&prov=published&asof=2024-01-31``. Every URL value
is untrusted. It
is checked against the viewer's scope and the known values (the ``Reference`` lists, which the
sidebar takes from the store); anything else is dropped, and a warning says so: ``out_of_scope``
for a province or university the viewer may not see (or that is not a number), and
``prog_bad_filter`` for an unknown prefecture, term, way of working or provenance, a term range
that ends before it starts, or an as-of date ("数据截至") that is not a day between the programme's
first year and the data's own date (``Reference.latest``; that day itself, the default, is no
parameter).

``filters_from_url`` is the whole rule for a link opened in a new session. ``resolve`` adds what
a running session holds: a value this session chose (``held``, kept by the widgets) wins over the
URL unless the URL says something the session did not write there (``written``: a pasted or
edited link), and a held value no longer in the reference lists is dropped quietly — except a
province, which is refused aloud as from the URL. ``ui/filters.py`` draws the widgets from
``resolve``'s ``Selection`` and writes ``to_params`` back into the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple

from .i18n import t
from .school_calendar import term_bounds
from .scope import Filters, Viewer
from .vocab import PEOPLES_PROVENANCES, PROGRAMME_START, ActivityKind, Provenance

PARAMS = ("province", "prefecture", "university", "term_from", "term_to", "kind", "prov", "asof")
PROVENANCE_CHOICES: dict[str, tuple[str, ...]] = {
    "all": (),
    "published": (Provenance.PUBLISHED.value,),
    "real": (Provenance.PUBLISHED.value, *PEOPLES_PROVENANCES),
}
KINDS: tuple[str, ...] = tuple(k.value for k in ActivityKind)
ALL = 0  # the province choice "every province in the viewer's scope"
# The earliest as-of date one may choose: the year the programme began (its agreements were
# signed in the summer before its first term).
EARLIEST_AS_OF = date(int(PROGRAMME_START[:4]), 1, 1)

Query = Mapping[str, "str | Sequence[str] | None"]


class UrlWarning(NamedTuple):
    """One sentence to show above the filters: an i18n key and the values it takes."""

    key: str
    values: tuple[tuple[str, str], ...] = ()


OUT_OF_SCOPE = UrlWarning("out_of_scope")
BAD_FILTER = UrlWarning("prog_bad_filter")


@dataclass(frozen=True)
class Choices:
    """What the prefecture and university filters may offer within the chosen province(s)."""

    prefectures: tuple[str, ...]
    universities: tuple[int, ...]


@dataclass(frozen=True)
class Reference:
    """The known values a URL is checked against, all already limited to the viewer's scope.

    ``provinces``: the programme provinces the viewer may choose; ``terms``: every term from the
    programme's first to the current one, in order; ``choices``: the prefectures and universities
    of the viewer's projects in the given provinces (``()``: all provinces in scope);
    ``latest``: the data's own date, the latest as-of date (None: today)."""

    provinces: tuple[int, ...]
    terms: tuple[int, ...]
    choices: Callable[[tuple[int, ...]], Choices]
    latest: date | None = None

    def last_day(self) -> date:
        """The latest as-of date one may choose (the default)."""
        return self.latest or date.today()


@dataclass(frozen=True)
class Selection:
    """What the sidebar's widgets show: one province (``ALL``: every one in scope), the chosen
    prefectures, universities and ways of working, a term range and a provenance choice. The
    term range may be reversed (two widgets); ``to_filters`` and ``to_params`` put it in order."""

    province: int
    prefectures: tuple[str, ...]
    universities: tuple[int, ...]
    term_from: int
    term_to: int
    kinds: tuple[str, ...]
    provenance: str
    as_of: date | None = None  # 数据截至 (None: the data's own date, no parameter)

    def ordered(self) -> Selection:
        """The same selection with its term range in order."""
        if self.term_from <= self.term_to:
            return self
        return replace(self, term_from=self.term_to, term_to=self.term_from)

    def held(self) -> dict[str, Any]:
        """The selection as a session keeps it (``resolve``'s ``held``), keyed by URL parameter."""
        return {
            "province": self.province,
            "prefecture": list(self.prefectures),
            "university": list(self.universities),
            "term_from": self.term_from,
            "term_to": self.term_to,
            "kind": list(self.kinds),
            "prov": self.provenance,
            "asof": self.as_of,
        }


def get(query: Query, name: str) -> str | None:
    """A parameter's value as Streamlit's ``st.query_params.get`` gives it: the last of a repeated
    key, and None for a missing or empty one."""
    value = query.get(name)
    if value is not None and not isinstance(value, str):
        value = value[-1] if len(value) else None
    return value or None


def _split(v: str | None) -> list[str]:
    return [x.strip() for x in (v or "").split(",") if x.strip()]


def _ints(v: str | None) -> tuple[list[int], bool]:
    """The comma-separated integers of ``v``, and whether any part was not one."""
    out, bad = [], False
    for x in _split(v):
        try:
            out.append(int(x))
        except ValueError:  # also a number too long to convert
            bad = True
    return out, bad


def _province(wanted: str | None, codes: Sequence[int], warn: set[UrlWarning]) -> int:
    if not wanted:
        return ALL
    got, bad = _ints(wanted)
    code = got[0] if len(got) == 1 and not bad else -1
    if code not in codes or code == ALL:
        warn.add(OUT_OF_SCOPE)
        return ALL
    return code


def _prefectures(wanted: str | None, known: Sequence[str], warn: set[UrlWarning]) -> list[str]:
    want = _split(wanted)
    if any(p not in known for p in want):
        warn.add(BAD_FILTER)
    return [p for p in want if p in known]


def _universities(wanted: str | None, known: Sequence[int], warn: set[UrlWarning]) -> list[int]:
    want, bad = _ints(wanted)
    if bad or any(u not in known for u in want):
        warn.add(OUT_OF_SCOPE)
    return [u for u in want if u in known]


def _terms(
    lo_raw: str | None, hi_raw: str | None, terms: Sequence[int], warn: set[UrlWarning]
) -> tuple[int, int]:
    lo_got, hi_got = _ints(lo_raw)[0], _ints(hi_raw)[0]
    lo = lo_got[0] if len(lo_got) == 1 else None
    hi = hi_got[0] if len(hi_got) == 1 else None
    if (
        (lo_raw and lo not in terms)
        or (hi_raw and hi not in terms)
        or (lo is not None and hi is not None and lo in terms and hi in terms and lo > hi)
    ):
        warn.add(BAD_FILTER)
        return terms[0], terms[-1]
    return (
        lo if lo is not None and lo in terms else terms[0],
        hi if hi is not None and hi in terms else terms[-1],
    )


def _kinds(wanted: str | None, warn: set[UrlWarning]) -> list[str]:
    want = _split(wanted)
    if any(k not in KINDS for k in want):
        warn.add(BAD_FILTER)
    return [k for k in want if k in KINDS]


def _provenance(wanted: str | None, warn: set[UrlWarning]) -> str:
    want = wanted or "all"
    if want not in PROVENANCE_CHOICES:
        warn.add(BAD_FILTER)
        return "all"
    return want


def _as_of(wanted: str | None, ref: Reference, warn: set[UrlWarning]) -> date | None:
    """An ``asof`` parameter: an ISO day from ``EARLIEST_AS_OF`` to ``ref.last_day()`` (that
    day itself is the default: None)."""
    if not wanted:
        return None
    try:
        day = date.fromisoformat(wanted.strip())
    except ValueError:
        warn.add(BAD_FILTER)
        return None
    if not EARLIEST_AS_OF <= day <= ref.last_day():
        warn.add(BAD_FILTER)
        return None
    return None if day == ref.last_day() else day


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def as_of_text(day: date, lang: str = "zh") -> str:
    """An as-of day as the banner and the titles say it: 2024年1月31日 / 31 Jan 2024."""
    month = _MONTHS[day.month - 1] if lang == "en" else str(day.month)
    return t("asof_day", lang, y=day.year, d=day.day, month=month)


def url_changed(query: Query, written: Mapping[str, str], *params: str) -> bool:
    """True when the URL says something this session did not write there (a pasted or edited
    link): the URL then wins over the session's values. A parameter taken out of the URL is no
    change (the session keeps its value)."""
    return any(get(query, p) not in (None, written.get(p)) for p in params)


def in_scope(viewer: Viewer | None, ref: Reference) -> Reference:
    """``ref`` limited to the viewer's own provinces and universities once more (the store's
    lists already are: a second check costs nothing)."""
    if viewer is None:
        return Reference((), ref.terms, lambda _p: Choices((), ()), ref.latest)
    provinces = tuple(c for c in ref.provinces if viewer.may_see_province(c))
    if viewer.universities is None:
        return Reference(provinces, ref.terms, ref.choices, ref.latest)
    mine = viewer.universities

    def choices(wanted: tuple[int, ...]) -> Choices:
        c = ref.choices(wanted)
        return Choices(c.prefectures, tuple(u for u in c.universities if u in mine))

    return Reference(provinces, ref.terms, choices, ref.latest)


def resolve(
    query: Query,
    viewer: Viewer | None,
    ref: Reference,
    held: Mapping[str, Any] | None = None,
    written: Mapping[str, str] | None = None,
) -> tuple[Selection, tuple[UrlWarning, ...]]:
    """What the filters show on this run, and the warnings to show with them (sorted by key).

    ``query``: the URL's parameters (a value is a string, or a list of them for a repeated key:
    the last counts). ``held``: this session's values (``Selection.held``; a missing key: none
    yet). ``written``: the parameters this session last wrote into the URL. With neither, this is
    a link opened in a new session."""
    ref = in_scope(viewer, ref)
    held = held or {}
    written = written or {}
    warn: set[UrlWarning] = set()

    def from_url(name: str) -> bool:
        return name not in held or url_changed(query, written, name)

    # province first: the prefectures and universities on offer depend on it
    codes = [ALL, *ref.provinces]
    if from_url("province"):
        province = _province(get(query, "province"), codes, warn)
    else:
        province = held["province"]
    if province not in codes:  # a held province the viewer may no longer see
        warn.add(OUT_OF_SCOPE)
        province = ALL
    choices = ref.choices((province,) if province != ALL else ())

    if from_url("prefecture"):
        prefectures = _prefectures(get(query, "prefecture"), choices.prefectures, warn)
    else:
        prefectures = list(held["prefecture"])
    prefectures = [p for p in prefectures if p in choices.prefectures]

    if from_url("university"):
        universities = _universities(get(query, "university"), choices.universities, warn)
    else:
        universities = list(held["university"])
    universities = [u for u in universities if u in choices.universities]

    terms = ref.terms
    if (
        "term_from" not in held
        or "term_to" not in held
        or url_changed(query, written, "term_from", "term_to")
    ):
        lo, hi = _terms(get(query, "term_from"), get(query, "term_to"), terms, warn)
    else:
        lo, hi = held["term_from"], held["term_to"]
    lo = lo if lo in terms else terms[0]
    hi = hi if hi in terms else terms[-1]

    kinds = _kinds(get(query, "kind"), warn) if from_url("kind") else list(held["kind"])
    prov = _provenance(get(query, "prov"), warn) if from_url("prov") else held["prov"]

    if from_url("asof"):
        as_of = _as_of(get(query, "asof"), ref, warn)
    else:
        as_of = held["asof"]
        if as_of is not None and not EARLIEST_AS_OF <= as_of < ref.last_day():
            as_of = None
    selection = Selection(
        province, tuple(prefectures), tuple(universities), lo, hi, tuple(kinds), prov, as_of
    )
    return selection, tuple(sorted(warn))


def to_filters(selection: Selection, terms: Sequence[int]) -> Filters:
    """The ``Filters`` every query takes. The whole term range is no date limit at all."""
    s = selection.ordered()
    full_range = (s.term_from, s.term_to) == (terms[0], terms[-1])
    return Filters(
        provinces=(s.province,) if s.province != ALL else (),
        prefectures=s.prefectures,
        universities=tuple(int(u) for u in s.universities),
        date_from=None if full_range else term_bounds(s.term_from)[0],
        date_to=None if full_range else term_bounds(s.term_to)[1],
        kinds=s.kinds,
        provenance=PROVENANCE_CHOICES[s.provenance],
        as_of=s.as_of,
    )


def to_params(selection: Selection, terms: Sequence[int]) -> dict[str, str | None]:
    """The URL parameters that reproduce ``selection`` (None: the parameter goes)."""
    s = selection.ordered()
    full_range = (s.term_from, s.term_to) == (terms[0], terms[-1])
    return {
        "province": str(s.province) if s.province != ALL else None,
        "prefecture": ",".join(s.prefectures) or None,
        "university": ",".join(str(u) for u in s.universities) or None,
        "term_from": None if full_range else str(s.term_from),
        "term_to": None if full_range else str(s.term_to),
        "kind": ",".join(s.kinds) or None,
        "prov": None if s.provenance == "all" else s.provenance,
        "asof": None if s.as_of is None else s.as_of.isoformat(),
    }


def filters_from_url(
    query: Query, viewer: Viewer | None, ref: Reference
) -> tuple[Filters, tuple[UrlWarning, ...]]:
    """The filters a link gives when it opens a new session, and the warnings shown with them."""
    selection, warnings = resolve(query, viewer, ref)
    return to_filters(selection, ref.terms), warnings
