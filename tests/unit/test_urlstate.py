"""Tampered URLs × viewers → the filters they give and the warnings shown, written out by hand.

``urlstate`` is the sidebar's whole rule for URL values, without Streamlit: these tables are the
contract (a province official's link naming another province is refused, unknown codes, bad
dates, reversed ranges, repeated keys, very long values, SQL or markup in a value are dropped
with the same sentence as in the app). The reference lists stand for what the store gives each
viewer (its scope already applied): three provinces, four prefectures, three universities.
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.urlstate import (
    Choices,
    Reference,
    Selection,
    UrlWarning,
    filters_from_url,
    resolve,
    to_filters,
    to_params,
)

GANSU, XINJIANG, CORPS = 620000, 650000, 660000
TERMS = (20222, 20231, 20232, 20241, 20242, 20251, 20252, 20261, 20262)  # as of 2026-11-28

# the reference lists each viewer's store answers give (keyed by the chosen provinces)
EVERYTHING = {
    (): Choices(("兰州市", "白银市", "乌鲁木齐市", "自治区直辖"), (1, 2, 3)),
    (GANSU,): Choices(("兰州市", "白银市"), (1, 2)),
    (XINJIANG,): Choices(("乌鲁木齐市",), (2,)),
    (CORPS,): Choices(("自治区直辖",), (1,)),
}
GANSU_ONLY = {(): EVERYTHING[(GANSU,)], (GANSU,): EVERYTHING[(GANSU,)]}
CORPS_ONLY = {(): EVERYTHING[(CORPS,)], (CORPS,): EVERYTHING[(CORPS,)]}
UNIVERSITY_1 = {  # university 1 has projects in Gansu (兰州市) and the Corps
    (): Choices(("兰州市", "自治区直辖"), (1,)),
    (GANSU,): Choices(("兰州市",), (1,)),
    (XINJIANG,): Choices((), ()),
    (CORPS,): Choices(("自治区直辖",), (1,)),
}


def ref(provinces: tuple[int, ...], choices: dict) -> Reference:
    return Reference(provinces, TERMS, lambda wanted: choices[wanted])


VIEWERS = {
    "ministry": (Viewer.ministry(), ref((GANSU, XINJIANG, CORPS), EVERYTHING)),
    "demo": (Viewer.demo(), ref((GANSU, XINJIANG, CORPS), EVERYTHING)),
    "presenter": (Viewer.presenter(), ref((GANSU, XINJIANG, CORPS), EVERYTHING)),
    "gansu": (Viewer.province(GANSU), ref((GANSU,), GANSU_ONLY)),
    "corps": (Viewer.province(CORPS), ref((CORPS,), CORPS_ONLY)),
    "lzu": (Viewer.university([1]), ref((GANSU, XINJIANG, CORPS), UNIVERSITY_1)),
}

OUT = UrlWarning("out_of_scope")  # 您无权查看该省份的数据，已显示您权限内的数据。
BAD = UrlWarning("prog_bad_filter")
NONE = Filters()
LONG = "9" * 5000  # longer than Python turns into an int

CASES = [
    # (id, viewer, query, filters, warnings)
    ("nothing", "ministry", {}, NONE, ()),
    ("nothing-province", "gansu", {}, NONE, ()),
    ("own-province", "gansu", {"province": "620000"}, Filters(provinces=(GANSU,)), ()),
    ("other-province", "gansu", {"province": "650000"}, NONE, (OUT,)),
    ("the-corps", "gansu", {"province": "660000"}, NONE, (OUT,)),
    ("xinjiang-for-corps", "corps", {"province": "650000"}, NONE, (OUT,)),
    ("own-corps", "corps", {"province": "660000"}, Filters(provinces=(CORPS,)), ()),
    ("beijing", "ministry", {"province": "110000"}, NONE, (OUT,)),
    ("unknown-code", "ministry", {"province": "999999"}, NONE, (OUT,)),
    ("letters", "ministry", {"province": "abc"}, NONE, (OUT,)),
    ("sql", "ministry", {"province": "620000 OR 1=1"}, NONE, (OUT,)),
    ("sql-quote", "gansu", {"province": "620000' OR '1'='1"}, NONE, (OUT,)),
    ("markup", "ministry", {"province": "<script>alert(1)</script>"}, NONE, (OUT,)),
    ("two-codes", "ministry", {"province": "620000,650000"}, NONE, (OUT,)),
    ("all-code", "ministry", {"province": "0"}, NONE, (OUT,)),
    ("negative", "ministry", {"province": "-620000"}, NONE, (OUT,)),
    ("very-long-number", "ministry", {"province": LONG}, NONE, (OUT,)),
    ("spaces", "ministry", {"province": " 620000 "}, Filters(provinces=(GANSU,)), ()),
    ("empty", "gansu", {"province": ""}, NONE, ()),
    ("repeated-last-wins", "ministry", {"province": ["650000", "620000"]}, Filters(provinces=(GANSU,)), ()),
    ("repeated-last-foreign", "gansu", {"province": ["620000", "650000"]}, NONE, (OUT,)),
    ("repeated-last-empty", "gansu", {"province": ["650000", ""]}, NONE, ()),
    ("demo-any-province", "demo", {"province": "660000"}, Filters(provinces=(CORPS,)), ()),
    ("presenter-province", "presenter", {"province": "650000"}, Filters(provinces=(XINJIANG,)), ()),
    ("university-viewer-province", "lzu", {"province": "620000"}, Filters(provinces=(GANSU,)), ()),
    # prefectures (地市), within the chosen province
    ("own-prefecture", "gansu", {"prefecture": "兰州市"}, Filters(prefectures=("兰州市",)), ()),
    ("two-prefectures", "gansu", {"prefecture": "白银市,兰州市"}, Filters(prefectures=("白银市", "兰州市")), ()),
    ("foreign-prefecture", "gansu", {"prefecture": "乌鲁木齐市"}, NONE, (BAD,)),
    ("prefecture-outside-province", "ministry", {"province": "650000", "prefecture": "兰州市"}, Filters(provinces=(XINJIANG,)), (BAD,)),
    ("prefecture-inside-province", "ministry", {"province": "620000", "prefecture": "白银市"}, Filters(provinces=(GANSU,), prefectures=("白银市",)), ()),
    ("prefecture-markup", "ministry", {"prefecture": "兰州市,<img src=x onerror=alert(1)>"}, Filters(prefectures=("兰州市",)), (BAD,)),
    ("prefecture-sql", "ministry", {"prefecture": "'; DROP TABLE project; --"}, NONE, (BAD,)),
    ("prefecture-very-long", "ministry", {"prefecture": "市" * 100_000}, NONE, (BAD,)),
    ("prefecture-only-commas", "ministry", {"prefecture": ",,, ,"}, NONE, ()),
    ("foreign-province-and-its-prefecture", "gansu", {"province": "650000", "prefecture": "乌鲁木齐市"}, NONE, (OUT, BAD)),
    # universities
    ("own-university", "lzu", {"university": "1"}, Filters(universities=(1,)), ()),
    ("other-university", "lzu", {"university": "2"}, NONE, (OUT,)),
    ("own-and-other-university", "lzu", {"university": "1,2"}, Filters(universities=(1,)), (OUT,)),
    ("university-sql", "lzu", {"university": "1 OR 1=1"}, NONE, (OUT,)),
    ("university-letters", "ministry", {"university": "lzu"}, NONE, (OUT,)),
    ("university-very-long", "ministry", {"university": LONG}, NONE, (OUT,)),
    ("university-outside-province", "lzu", {"province": "650000", "university": "1"}, Filters(provinces=(XINJIANG,)), (OUT,)),
    ("university-inside-province", "ministry", {"province": "620000", "university": "2"}, Filters(provinces=(GANSU,), universities=(2,)), ()),
    ("university-of-another-province", "gansu", {"university": "3"}, NONE, (OUT,)),
    ("repeated-value-kept", "ministry", {"university": "2,2"}, Filters(universities=(2, 2)), ()),
    # the term range
    ("terms", "ministry", {"term_from": "20231", "term_to": "20252"}, Filters(date_from=date(2023, 2, 1), date_to=date(2026, 1, 31)), ()),
    ("one-term", "gansu", {"term_from": "20241", "term_to": "20241"}, Filters(date_from=date(2024, 2, 1), date_to=date(2024, 7, 31)), ()),
    ("from-only", "ministry", {"term_from": "20241"}, Filters(date_from=date(2024, 2, 1), date_to=date(2027, 1, 31)), ()),
    ("to-only", "ministry", {"term_to": "20232"}, Filters(date_from=date(2022, 8, 1), date_to=date(2024, 1, 31)), ()),
    ("whole-range", "ministry", {"term_from": "20222", "term_to": "20262"}, NONE, ()),
    ("reversed", "ministry", {"term_from": "20252", "term_to": "20231"}, NONE, (BAD,)),
    ("iso-date", "ministry", {"term_from": "2023-02-01"}, NONE, (BAD,)),
    ("not-a-term", "ministry", {"term_from": "20233"}, NONE, (BAD,)),
    ("before-programme", "ministry", {"term_from": "20211", "term_to": "20232"}, NONE, (BAD,)),
    ("future-term", "ministry", {"term_to": "20301"}, NONE, (BAD,)),
    ("two-terms-in-one", "ministry", {"term_from": "20231,20232"}, NONE, (BAD,)),
    ("term-garbage", "ministry", {"term_from": "yesterday", "term_to": "20252"}, NONE, (BAD,)),
    ("term-very-long", "ministry", {"term_to": LONG}, NONE, (BAD,)),
    ("term-repeated", "ministry", {"term_from": ["20252", "20231"], "term_to": "20232"}, Filters(date_from=date(2023, 2, 1), date_to=date(2024, 1, 31)), ()),
    # ways of working
    ("kinds", "ministry", {"kind": "dispatch,training"}, Filters(kinds=("dispatch", "training")), ()),
    ("unknown-kind", "ministry", {"kind": "dispatch,teleport"}, Filters(kinds=("dispatch",)), (BAD,)),
    ("kind-markup", "gansu", {"kind": "<b>internship</b>"}, NONE, (BAD,)),
    ("kind-label", "ministry", {"kind": "派驻"}, NONE, (BAD,)),
    ("kind-case", "ministry", {"kind": "DISPATCH"}, NONE, (BAD,)),
    ("kind-very-long", "ministry", {"kind": "internship," + "x" * 50_000}, Filters(kinds=("internship",)), (BAD,)),
    # provenance
    ("published", "ministry", {"prov": "published"}, Filters(provenance=("published",)), ()),
    ("real", "ministry", {"prov": "real"}, Filters(provenance=("published", "imported", "entered")), ()),
    ("all", "ministry", {"prov": "all"}, NONE, ()),
    ("prov-imported", "demo", {"prov": "imported"}, NONE, (BAD,)),
    ("prov-simulated", "ministry", {"prov": "simulated"}, NONE, (BAD,)),
    ("prov-sql", "ministry", {"prov": "real' --"}, NONE, (BAD,)),
    # everything at once, and parameters the sidebar does not know
    ("everything", "gansu", {"province": "620000", "prefecture": "兰州市", "university": "1", "term_from": "20231", "term_to": "20232", "kind": "dispatch", "prov": "published"}, Filters(provinces=(GANSU,), prefectures=("兰州市",), universities=(1,), date_from=date(2023, 2, 1), date_to=date(2024, 1, 31), kinds=("dispatch",), provenance=("published",)), ()),
    ("everything-tampered", "gansu", {"province": "650000", "prefecture": "x", "university": "9", "term_from": "1", "kind": "y", "prov": "z"}, NONE, (OUT, BAD)),
    ("other-parameters", "ministry", {"project": "1; DROP", "level": "county", "lang": "xx"}, NONE, ()),
]  # fmt: skip


@pytest.mark.parametrize(
    "viewer_name,query,filters,warnings",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_tampered_url(viewer_name, query, filters, warnings):
    viewer, reference = VIEWERS[viewer_name]
    assert filters_from_url(query, viewer, reference) == (filters, warnings)


def test_cases_have_unique_ids():
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "viewer_name,query,filters,warnings",
    [
        # the store's lists are scoped already; a list that is not still gives nothing outside
        ("gansu", {"province": "650000"}, NONE, (OUT,)),
        ("corps", {"province": "620000"}, NONE, (OUT,)),
        ("gansu", {"province": "620000"}, Filters(provinces=(GANSU,)), ()),
        ("lzu", {"university": "2"}, NONE, (OUT,)),
        ("lzu", {"university": "1,3"}, Filters(universities=(1,)), (OUT,)),
    ],
)
def test_unscoped_reference_is_scoped_again(viewer_name, query, filters, warnings):
    viewer, _ = VIEWERS[viewer_name]
    assert filters_from_url(query, viewer, ref((GANSU, XINJIANG, CORPS), EVERYTHING)) == (
        filters,
        warnings,
    )


def test_no_viewer_gets_nothing():
    assert filters_from_url({"province": "620000"}, None, VIEWERS["ministry"][1]) == (NONE, (OUT,))


# --- a running session: its own values win over a URL it wrote itself

HELD = {
    "province": GANSU,
    "prefecture": ["兰州市"],
    "university": [1],
    "term_from": 20231,
    "term_to": 20241,
    "kind": ["dispatch"],
    "prov": "all",
}
WRITTEN = {
    "province": "620000",
    "prefecture": "兰州市",
    "university": "1",
    "term_from": "20231",
    "term_to": "20241",
    "kind": "dispatch",
}
HELD_SELECTION = Selection(GANSU, ("兰州市",), (1,), 20231, 20241, ("dispatch",), "all")


def test_session_values_hold_against_their_own_url():
    viewer, reference = VIEWERS["ministry"]
    assert resolve(WRITTEN, viewer, reference, HELD, WRITTEN) == (HELD_SELECTION, ())


def test_a_parameter_taken_out_of_the_url_changes_nothing():
    viewer, reference = VIEWERS["ministry"]
    assert resolve({}, viewer, reference, HELD, WRITTEN) == (HELD_SELECTION, ())


def test_widget_change_wins_over_the_url_it_has_not_written_yet():
    viewer, reference = VIEWERS["ministry"]
    held = {**HELD, "kind": ["training"], "term_from": 20252}  # picked in the widgets
    assert resolve(WRITTEN, viewer, reference, held, WRITTEN) == (
        Selection(GANSU, ("兰州市",), (1,), 20252, 20241, ("training",), "all"),
        (),
    )


def test_an_edited_url_wins_and_is_checked_again():
    viewer, reference = VIEWERS["ministry"]
    edited = {**WRITTEN, "province": "650000"}
    # the province comes from the URL; the held prefecture and university are not in Xinjiang
    # and go quietly (the URL did not name them)
    assert resolve(edited, viewer, reference, HELD, WRITTEN) == (
        Selection(XINJIANG, (), (), 20231, 20241, ("dispatch",), "all"),
        (),
    )


def test_an_edited_url_naming_a_foreign_province_is_refused():
    viewer, reference = VIEWERS["gansu"]
    edited = {**WRITTEN, "province": "650000"}
    assert resolve(edited, viewer, reference, HELD, WRITTEN) == (
        Selection(0, ("兰州市",), (1,), 20231, 20241, ("dispatch",), "all"),
        (OUT,),
    )


def test_a_held_province_no_longer_in_scope_is_refused():
    """An administrator moved the official to the Corps: the session's Gansu goes, aloud."""
    viewer, reference = VIEWERS["corps"]
    assert resolve(WRITTEN, viewer, reference, HELD, WRITTEN) == (
        Selection(0, (), (1,), 20231, 20241, ("dispatch",), "all"),
        (OUT,),
    )


def test_a_held_term_outside_the_terms_falls_back_quietly():
    viewer, reference = VIEWERS["ministry"]
    held = {**HELD, "term_from": 20191, "term_to": 20391}
    assert resolve(WRITTEN, viewer, reference, held, WRITTEN) == (
        Selection(GANSU, ("兰州市",), (1,), 20222, 20262, ("dispatch",), "all"),
        (),
    )


def test_a_reversed_range_from_the_widgets_is_put_in_order():
    reversed_ = Selection(0, (), (), 20252, 20231, (), "all")
    assert to_filters(reversed_, TERMS) == Filters(
        date_from=date(2023, 2, 1), date_to=date(2026, 1, 31)
    )
    assert to_params(reversed_, TERMS)["term_from"] == "20231"


@pytest.mark.parametrize(
    "selection,params",
    [
        (
            Selection(0, (), (), 20222, 20262, (), "all"),
            {
                "province": None,
                "prefecture": None,
                "university": None,
                "term_from": None,
                "term_to": None,
                "kind": None,
                "prov": None,
                "asof": None,  # issue 16 part 6: the latest data is no parameter
            },
        ),
        (
            Selection(GANSU, ("兰州市", "白银市"), (1, 2), 20231, 20252, ("dispatch",), "real"),
            {
                "province": "620000",
                "prefecture": "兰州市,白银市",
                "university": "1,2",
                "term_from": "20231",
                "term_to": "20252",
                "kind": "dispatch",
                "prov": "real",
                "asof": None,
            },
        ),
    ],
)
def test_written_url_reads_back_the_same(selection, params):
    """What the sidebar writes into the URL is a link that opens the same filters."""
    viewer, reference = VIEWERS["ministry"]
    assert to_params(selection, TERMS) == params
    query = {k: v for k, v in params.items() if v is not None}
    assert resolve(query, viewer, reference) == (selection, ())
    assert filters_from_url(query, viewer, reference) == (to_filters(selection, TERMS), ())
