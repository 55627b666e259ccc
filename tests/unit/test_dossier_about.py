"""The dossier and the data-sources page as issue 13 asks: confidence as 高/中, each source with
its grade, dates without a time of day, the timeline's months in Chinese, the outcome charts of
one project not called an average, people / hours / mode as their own columns in the download;
the about page's figures from the data (江西's published five) and the professional body counted
apart from the 48 universities."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from conftest import ROOT

from dashboard_lib import about, demo, programme
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.sources import source_grade

CJK = re.compile(r"[\u4e00-\u9fff]")
M = Viewer.ministry()


def _published() -> list[dict[str, str]]:
    with open(ROOT / "data" / "published" / "projects_published.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _project(store, school: str) -> int:
    p = store.projects(M)
    return int(p.loc[p["school_zh"] == school, "project_id"].iloc[0])


def _pairing(d) -> dict[str, str]:
    return dict(zip(d.pairing.iloc[:, 0], d.pairing.iloc[:, 1]))


@pytest.mark.parametrize(
    "school,lang,confidence,grade",
    [
        ("延川县中学", "zh", "高", "二手来源（转载）"),  # a commercial site's re-post
        ("榆中县恩玲中学", "zh", "高", "一手来源"),  # 兰州大学's own page
        ("三江侗族自治县三江中学", "zh", "中", "二手来源（转载）"),  # inferred from a list
        ("榆中县恩玲中学", "en", "High", "Primary"),
        ("三江侗族自治县三江中学", "en", "Medium", "Secondary (re-post)"),
    ],
)
def test_dossier_names_confidence_and_grade(demo_store, school, lang, confidence, grade):
    d = programme.dossier_content(demo_store, M, Filters(), _project(demo_store, school), lang)
    pairing = _pairing(d)
    conf_key, grade_key = ("可信度", "来源等级") if lang == "zh" else ("Confidence", "Source grade")
    assert pairing[conf_key] == confidence and pairing[grade_key] == grade
    assert d.sources and all(d.source_grades[u] == grade for u in d.sources[:1])


def test_every_published_source_shows_its_rule_grade(demo_store):
    for row in _published():
        d = programme.dossier_content(
            demo_store, M, Filters(), _project(demo_store, row["school"]), "zh"
        )
        want = (
            "一手来源" if source_grade(row["source_url"]).value == "primary" else "二手来源（转载）"
        )
        assert _pairing(d)["来源等级"] == want, row["school"]
        assert d.source_grades[row["source_url"]] == want


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dossier_tables_read_as_dates_and_measures(demo_store, lang):
    d = programme.dossier_content(
        demo_store, M, Filters(), _project(demo_store, "延川县中学"), lang
    )
    for frame in (d.pairing, d.agreement.frame, d.activities.frame, d.outcomes):
        assert "00:00:00" not in frame.astype(str).to_string()
    acts = d.activities.download  # what the CSV / Excel buttons give
    people, hours, mode, start = (
        ("人次", "学时", "形式", "开始") if lang == "zh" else ("People", "Hours", "Mode", "Start")
    )
    assert {people, hours, mode} <= set(acts.columns)
    assert pd.api.types.is_integer_dtype(acts[people])
    # the published dispatch of 2022-07 (month known only) and day-precise simulated rows
    assert "2022-07" in set(acts[start])
    assert acts[start].str.fullmatch(r"\d{4}-\d{2}(-\d{2})?").all()
    dispatched = acts[acts[people].notna()]
    assert len(dispatched) and (dispatched[people] >= 1).all()
    training = acts[acts[hours].notna()]
    assert (
        len(training)
        and training[mode].isin(["现场", "线上"] if lang == "zh" else ["On site", "Online"]).all()
    )
    if lang == "en":
        assert not [c for c in acts.columns if CJK.search(c)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dossier_charts_speak_the_language_and_one_project_is_no_average(demo_store, lang):
    d = programme.dossier_content(demo_store, M, Filters(), 1, lang)
    assert "平均" not in d.outcomes_title and "mean" not in d.outcomes_title.lower()
    assert d.outcome_figs
    stops = {s.value for s in d.timeline_fig.layout.xaxis.tickformatstops}
    assert ("%Y年%-m月" in stops) == (lang == "zh") and ("%b %Y" in stops) == (lang == "en")
    title = d.timeline_fig.layout.xaxis.title.text
    assert bool(CJK.search(title)) == (lang == "zh")


def test_about_figures_follow_the_data(demo_store):
    rows = _published()
    zh = about.body(demo_store, M, "zh")
    assert f"{len(rows)} 个托管项目" in zh and f"其余 {115 - len(rows)} 个项目" in zh
    assert "江西 5" in zh and "high" not in zh and "（高：" in zh
    en = about.body(demo_store, M, "en")
    assert f"{len(rows)} projects" in en and "Jiangxi 5" in en
    assert all(f"{n}" in zh for n in demo.PUBLISHED_TOTALS.values())


def test_about_counts_the_body_apart(demo_store):
    counts = about.host_counts(demo_store, M)
    assert counts == {
        "universities": 48,
        "university_schools": 112,
        "bodies": 1,
        "body_schools": 3,
    }
    zh = about.hosts_text(demo_store, M, "zh")
    assert "托管高校 48 所" in zh and "专业团体 1 个（创新人才教育研究会）" in zh
    en = about.hosts_text(demo_store, M, "en")
    assert "48 host universities" in en and "professional body" in en and not CJK.search(en)
    # a province's view counts its own hosts only
    gansu = about.host_counts(demo_store, Viewer.province(620000))
    assert gansu["university_schools"] + gansu["body_schools"] == 7


def test_about_sources_table_grades_every_published_page(demo_store):
    rows = _published()
    table = about.sources_table(demo_store, M, None, "zh")
    assert set(table["来源网页"]) == {r["source_url"] for r in rows}
    assert table["公开项目数"].sum() == len(rows)
    for r in table.itertuples(index=False):
        want = source_grade(r[2]).value
        assert r[1] == ("一手来源" if want == "primary" else "二手来源（转载）")
    assert list(table["来源等级"]).index("二手来源（转载）") > 0  # primary first
    en = about.sources_table(demo_store, M, None, "en")
    assert list(en.columns) == ["Site", "Source grade", "Source page", "Published projects"]
    # scope: a province sees its own published pages only
    gx = about.sources_table(demo_store, Viewer.province(450000), None, "zh")
    gx_rows = [r for r in rows if r["province"] == "广西壮族自治区"]
    assert set(gx["来源网页"]) == {r["source_url"] for r in gx_rows}


def test_about_provenance_table_speaks_the_language(demo_store):
    zh = about.provenance_table(demo_store, M, None, "zh")
    assert list(zh.columns) == ["类别", "数据来源类型", "数量"]
    assert set(zh["类别"]) == {"项目", "活动记录"}
    en = about.provenance_table(demo_store, M, None, "en")
    assert not CJK.search(en.to_string())


def _society_project(store) -> int:
    unis = store.universities()
    body = int(unis.loc[unis["kind"] == "society", "university_id"].iloc[0])
    p = store.projects(M)
    return int(p.loc[p["university_id"] == body, "project_id"].iloc[0])


@pytest.mark.parametrize(
    "lang,word,other",
    [("zh", "专业团体", "托管高校"), ("en", "Professional body", "Host university")],
)
def test_the_body_is_named_a_professional_body_not_a_university(demo_store, lang, word, other):
    from dashboard_lib import explorer, maps

    pid = _society_project(demo_store)
    d = programme.dossier_content(demo_store, M, Filters(), pid, lang)
    assert d.pairing.iloc[0, 0] == word
    uni = programme.dossier_content(demo_store, M, Filters(), 1, lang)
    assert uni.pairing.iloc[0, 0] != word
    cards = demo_store.explorer_cards(M, Filters())
    rows = {r["project_id"]: r for r in explorer.card_rows(cards, lang)}
    assert rows[pid]["host_label"] == word and rows[1]["host_label"] != word
    assert f"{word}：" in maps.cards_html([rows[pid]], lang).replace(": ", "：")


def test_the_deck_counts_48_universities_and_the_body_apart(demo_store):
    from dashboard_lib import present

    projects = demo_store.projects(M)
    assert (
        present._map_sub(demo_store, projects, "zh") == "115 个项目 · 48 所托管高校 · 1 个专业团体"
    )
    unis = demo_store.universities()
    body = int(unis.loc[unis["kind"] == "society", "university_id"].iloc[0])
    without_body = projects[projects["university_id"] != body]
    assert present._map_sub(demo_store, without_body, "en") == "112 projects · 48 host universities"


def test_the_screen_shows_gaps_empty_and_the_download_keeps_numbers(demo_store):
    from dashboard_lib.programme.dossier import as_shown

    d = programme.dossier_content(
        demo_store, M, Filters(), _project(demo_store, "延川县中学"), "zh"
    )
    shown = as_shown(d.activities.frame)
    assert "None" not in shown.to_string() and "<NA>" not in shown.to_string()
    assert "" in set(shown["学时"]) and "1" in set(shown["人次"])
    assert pd.api.types.is_numeric_dtype(d.activities.download["学时"])
