"""The grading rule of published sources (issue 13): primary = the issuer's own page (gov.cn,
edu.cn, a listed school/university domain), secondary = aggregators, commercial sites, short
links and re-posts; the ``source_grade`` column of data/published/*.csv agrees with it."""

from __future__ import annotations

import csv

import pytest
from conftest import ROOT

from dashboard_lib.sources import SourceGrade, host, source_grade

P, S = SourceGrade.PRIMARY, SourceGrade.SECONDARY


@pytest.mark.parametrize(
    "url,grade",
    [
        # university pages cited in data/published/
        ("https://jcjy.lzu.edu.cn/jijiaodongtai/2023/0401/210869.html", P),
        ("http://www.news.zju.edu.cn/2022/1010/c24345a2644755/pagem.htm", P),
        ("https://yunnan.sjtu.edu.cn/info/1010/2703.htm", P),
        ("https://new1.uestc.edu.cn/?Id=86081&n=UestcNews.Front.DocumentV2.ArticlePage", P),
        # a county education bureau re-publishing the notice
        ("http://zltq.gov.cn/zltq/4690298/fdzdgknr88/index.html", P),
        ("http://www.moe.gov.cn/srcsite/A06/s3321/202206/t20220602_633856.html", P),
        # aggregators, commercial sites, local news re-posts and a short link cited in the file
        ("http://m.4317.com.cn/sxy/2022/0729/103873.html", S),
        ("http://puppychina.com/zx/zhxw/128903.htm", S),
        ("https://4ll.net/society/131733.html", S),
        ("https://investchn.com/index.php/home/news/detail/id/301851.html", S),
        ("http://www.yuwei-crystal.com/xdb.yuwei-crystal.com/xzbf/yczx1.htm", S),
        ("http://zjjnews.cn/news/qxnews/sznews/2022-08-10/187562.html", S),
        ("http://yc.jzgczz.com/infos/80363.html", S),
        ("https://isjb.cn/4FdNcki", S),
        # look-alikes: the suffix must be the host's own domain, not a part of a name or path
        ("https://notedu.cn/a", S),
        ("https://edu.cn.example.com/a", S),
        ("https://example.com/www.lzu.edu.cn/", S),
        ("HTTPS://JCJY.LZU.EDU.CN./x", P),
    ],
)
def test_grade_by_the_host(url, grade):
    assert source_grade(url) is grade


@pytest.mark.parametrize("url", [None, "", "   "])
def test_no_url_no_grade(url):
    assert source_grade(url) is None


def test_host_is_the_lower_case_name_without_port():
    assert host("http://WWW.News.ZJU.edu.cn:8080/x?y=1") == "www.news.zju.edu.cn"
    assert host("not a url") == ""


@pytest.mark.parametrize("name", ["projects_published.csv", "events_published.csv"])
def test_the_data_files_grade_column_follows_the_rule(name):
    with open(ROOT / "data" / "published" / name, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["source_url"].startswith("http") for r in rows)
    wrong = [
        (i + 2, r["source_url"], r["source_grade"])
        for i, r in enumerate(rows)
        if r["source_grade"] != source_grade(r["source_url"])
    ]
    assert wrong == []
    assert {r["source_grade"] for r in rows} == {"primary", "secondary"}
