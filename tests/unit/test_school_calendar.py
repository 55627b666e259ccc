"""The school calendar against its rules, written out by hand: spring is 1 Feb – 31 Jul of a year
(code year*10+1), autumn 1 Aug – 31 Jan of the next year (code year*10+2); a date range maps to
term codes only when it covers whole terms (or, with ``whole=False``, to the terms it touches)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dashboard_lib import school_calendar as cal

SPRING_2022 = (date(2022, 2, 1), date(2022, 7, 31))
AUTUMN_2022 = (date(2022, 8, 1), date(2023, 1, 31))
SPRING_2023 = (date(2023, 2, 1), date(2023, 7, 31))
AUTUMN_2023 = (date(2023, 8, 1), date(2024, 1, 31))
SPRING_2024 = (date(2024, 2, 1), date(2024, 7, 31))

# date -> (term code, first day, last day)
DATES = [
    (date(2022, 2, 1), 20221, *SPRING_2022),  # first day of spring
    (date(2022, 7, 31), 20221, *SPRING_2022),  # last day of spring
    (date(2022, 8, 1), 20222, *AUTUMN_2022),  # first day of autumn
    (date(2022, 9, 1), 20222, *AUTUMN_2022),  # the programme's start
    (date(2022, 12, 31), 20222, *AUTUMN_2022),  # autumn runs over the new year
    (date(2023, 1, 1), 20222, *AUTUMN_2022),
    (date(2023, 1, 31), 20222, *AUTUMN_2022),  # last day of autumn, in the next year
    (date(2023, 2, 1), 20231, *SPRING_2023),
    (date(2023, 7, 31), 20231, *SPRING_2023),
    (date(2023, 8, 1), 20232, *AUTUMN_2023),
    (date(2024, 1, 31), 20232, *AUTUMN_2023),
    (date(2024, 2, 29), 20241, *SPRING_2024),  # a leap day
]


@pytest.mark.parametrize("day,code,first,last", DATES)
def test_term_code_and_bounds(day, code, first, last):
    assert cal.term_code(day) == code
    assert cal.term_bounds(code) == (first, last)


@pytest.mark.parametrize("day,code,first,last", DATES)
def test_the_sql_expression_gives_the_same_code(day, code, first, last):
    sql = "SELECT " + cal.TERM_CODE_SQL.format(d=f"DATE '{day.isoformat()}'")
    assert duckdb.sql(sql).fetchone()[0] == code


@pytest.mark.parametrize("bad", [20220, 20223, 20229])
def test_not_a_term_code(bad):
    with pytest.raises(ValueError):
        cal.term_bounds(bad)


@pytest.mark.parametrize(
    "date_from,date_to,expected",
    [
        (None, None, (None, None)),  # open at both ends
        (date(2023, 2, 1), date(2024, 1, 31), (20231, 20232)),  # closed, two terms
        (date(2022, 8, 1), date(2023, 1, 31), (20222, 20222)),  # closed, one term
        (date(2023, 2, 1), None, (20231, None)),  # from a term on
        (None, date(2023, 7, 31), (None, 20231)),  # up to a term
        (date(2023, 3, 1), date(2023, 7, 31), None),  # starts inside a term
        (date(2023, 2, 1), date(2023, 3, 10), None),  # ends inside a term
        (date(2023, 2, 2), None, None),  # one-sided, not a first day
        (None, date(2023, 8, 1), None),  # one-sided, a first day is not a last day
    ],
)
def test_term_range_of_whole_terms(date_from, date_to, expected):
    assert cal.term_range(date_from, date_to) == expected


@pytest.mark.parametrize(
    "date_from,date_to,expected",
    [
        (None, None, (None, None)),
        (date(2023, 3, 5), date(2023, 11, 30), (20231, 20232)),  # inside two terms
        (date(2023, 2, 1), date(2024, 1, 31), (20231, 20232)),  # whole terms: the same
        (None, date(2023, 1, 15), (None, 20222)),
        (date(2022, 12, 1), None, (20222, None)),
    ],
)
def test_term_range_of_the_terms_touched(date_from, date_to, expected):
    assert cal.term_range(date_from, date_to, whole=False) == expected


def test_labels_and_the_next_term():
    assert cal.term_label(20231, "zh") == "2023春"
    assert cal.term_label(20232, "zh") == "2023秋"
    assert cal.term_label(20231, "en") == "Spring 2023"
    assert cal.term_label(20232, "en") == "Autumn 2023"
    assert cal.next_term(20231) == 20232
    assert cal.next_term(20232) == 20241


def test_the_programmes_dates():
    assert cal.PROGRAMME_START_DATE == date(2022, 9, 1)
    assert cal.FIRST_TERM == 20222
    assert cal.CYCLE_YEARS == 3
    assert cal.DEADLINE_DATES == {
        "signed": date(2022, 7, 31),
        "filed": date(2022, 8, 15),
        "launched": date(2022, 9, 30),
    }


def test_terms_until_and_the_completed_terms():
    assert cal.terms_until(date(2022, 9, 1)) == [20222]
    assert cal.terms_until(date(2023, 3, 1)) == [20222, 20231]
    # a term counts once its last day has passed
    assert cal.assessed_terms(date(2024, 1, 31)) == [20222, 20231]
    assert cal.assessed_terms(date(2024, 2, 1)) == [20222, 20231, 20232]
    assert cal.assessed_terms(date(2024, 3, 1), lo=20231) == [20231, 20232]
    assert cal.assessed_terms(date(2024, 3, 1), hi=20231) == [20222, 20231]
    assert cal.assessed_terms(date(2023, 1, 31)) == []
