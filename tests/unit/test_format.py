"""How figures read (issue 13): dates without a time of day, grouped numbers in tables, Chinese
date ticks and axis titles with units on the charts, plotly's own texts in Chinese."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from dashboard_lib import charts, fmt, programme
from dashboard_lib.scope import Filters, Viewer

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


def test_dates_as_text_never_show_a_time():
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2022-07-18", None]),
            "d": [date(2022, 8, 1), None],
            "month": ["2022-07", ""],  # already text, to the month: left alone
            "n": [1, 2],
        }
    )
    out = fmt.dates_as_text(frame)
    assert out["ts"].tolist() == ["2022-07-18", ""]
    assert out["d"].tolist() == ["2022-08-01", ""]
    assert out["month"].tolist() == ["2022-07", ""]
    assert out["n"].tolist() == [1, 2]
    assert "00:00:00" not in out.to_string()


def test_months_read_in_the_language():
    assert fmt.format_month(date(2022, 7, 18)) == "2022年7月"
    assert fmt.format_month(pd.Timestamp("2022-07-01"), "en") == "Jul 2022"
    assert fmt.format_month(None) == ""


def test_number_formats_group_measures_not_identifiers():
    frame = pd.DataFrame(
        {
            "项目": [1234],
            "学年": [2023],
            "排名": [1],
            "人次": [14908],
            "人月": [1924.5],
            "县": ["x"],
        }
    )
    assert fmt.number_formats(frame, "zh") == {"人次": "localized", "人月": "localized"}
    en = frame.rename(columns={"项目": "Project", "学年": "School year", "排名": "Rank"})
    assert set(fmt.number_formats(en, "en")) == {"人次", "人月"}


def test_value_axes_group_thousands_and_carry_units():
    frame = pd.DataFrame({"term": ["2023春", "2023秋"], "n": [12000, 30000]})
    fig = charts.stacked_bars(frame, "term", "n", None, {"x": "#000"}, {}, "标题", "学期", "人次")
    assert fig.layout.yaxis.tickformat.startswith(",")  # 30,000, not 30k
    assert fig.layout.yaxis.title.text == "人次" and fig.layout.xaxis.title.text == "学期"
    bars = charts.stacked_bars(frame, "term", "n", None, {"x": "#000"}, {}, "t", horizontal=True)
    assert bars.layout.xaxis.tickformat.startswith(",")


@pytest.mark.parametrize("lang,month,year", [("zh", "%Y年%-m月", "%Y年"), ("en", "%b %Y", "%Y")])
def test_date_ticks_in_the_language(lang, month, year):
    frame = pd.DataFrame(
        {
            "kind": ["dispatch", "training"],
            "start_date": pd.to_datetime(["2022-07-18", "2024-03-01"]),
        }
    )
    fig = charts.activity_dots(frame, {"dispatch": "派驻", "training": "培训"}, "时间线", lang=lang)
    stops = {s.value for s in fig.layout.xaxis.tickformatstops}
    assert stops == {"%Y-%m-%d", month, year}
    assert fig.layout.xaxis.hoverformat == "%Y-%m-%d"
    assert fig.layout.xaxis.title.text == ("日期" if lang == "zh" else "Date")


def test_trend_years_are_not_grouped():
    frame = pd.DataFrame({"school_year": [2022, 2023], "v": [3200, 3400]})
    fig = charts.trend_lines(frame, "school_year", "v", "在校生数", 2022, "启动")
    assert fig.layout.xaxis.tickformat == "d"
    assert fig.layout.yaxis.tickformat.startswith(",")


def test_plotly_texts_in_chinese():
    zh = charts.plotly_config("zh")
    assert zh["locale"] == "zh-CN"
    locale = zh["locales"]["zh-CN"]
    assert all(
        CJK.search(v) for k, v in locale["dictionary"].items() if k != "Produced with Plotly.js"
    )
    assert locale["format"]["months"][6] == "7月" and len(locale["format"]["days"]) == 7
    assert "locale" not in charts.plotly_config("en")


def test_programme_pages_axis_titles_have_units_in_both_languages(demo_store):
    for lang in ("zh", "en"):
        view = programme.progress_content(demo_store, Viewer.ministry(), Filters(), lang)
        titles = [view.ms_fig.layout.xaxis.title.text, view.below_fig.layout.yaxis.title.text]
        assert titles == (
            ["项目数（个）", "项目比例（%）"]
            if lang == "zh"
            else ["Projects", "Share of projects (%)"]
        )
        outcome_y = [f.layout.yaxis.title.text for f in view.outcome_figs]
        assert outcome_y[0] == ("平均值（人）" if lang == "zh" else "Mean (students)")
        assert all(t.endswith("（%）" if lang == "zh" else "(%)") for t in outcome_y[1:])
        for fig in [view.ms_fig, view.below_fig, view.cycle_fig, *view.outcome_figs]:
            for text in (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text):
                if lang == "zh":
                    assert not LATIN.search(text or ""), text
                else:
                    assert not CJK.search(text or ""), text


def test_programme_tables_show_dates_as_dates(demo_store):
    view = programme.progress_content(demo_store, Viewer.ministry(), Filters(), "zh")
    for frame in (view.late.frame, view.cycle.frame):
        text = frame.astype(str).to_string()
        assert "00:00:00" not in text
    assert view.cycle.frame["周期开始"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    ex = programme.exchanges_content(demo_store, Viewer.ministry(), Filters(), "zh")
    assert "管理人员和骨干教师" in set(ex.roles["岗位"])  # a published role, through its label


@pytest.mark.parametrize("page", ["progress.py", "exchanges.py", "internships.py"])
def test_every_table_groups_its_numbers_and_shows_dates_as_dates(page, demo_db, monkeypatch):
    import json

    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))
    at = AppTest.from_file(str(ROOT / "views" / page), default_timeout=120).run()
    assert not at.exception
    plain = {"项目", "排名", "学年"}
    checked = 0
    for df in at.dataframe:
        frame, config = df.value, json.loads(df.proto.columns or "{}")
        for col in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[col]) and col not in plain:
                fmt_ = config.get(col, {}).get("type_config", {}).get("format")
                assert fmt_ == "localized", (page, col)
                checked += 1
        assert "00:00:00" not in frame.astype(str).to_string(), page
    assert checked >= 3
