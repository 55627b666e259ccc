"""The embedded default database: counts the programme publishes, provenance on every row."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from conftest import ROOT

PUBLISHED_TOTALS = {"山西省": 5, "内蒙古自治区": 5, "广西壮族自治区": 5, "云南省": 8}


def q(store, sql):
    return store._df(sql)


def test_registry_is_the_programme(demo_store):
    per = q(
        demo_store,
        """SELECT pr.name_zh, count(*) n FROM project p
                           JOIN province pr ON pr.adcode = p.province_adcode GROUP BY 1""",
    )
    counts = dict(zip(per["name_zh"], per["n"]))
    assert sum(counts.values()) == 115
    assert len(counts) == 24, "23 provinces and the Corps each have projects"
    for name, n in PUBLISHED_TOTALS.items():
        assert counts[name] == n
    assert q(demo_store, "SELECT count(DISTINCT university_id) n FROM project")["n"][0] == 48


def test_every_published_project_kept_with_its_source(demo_store):
    with open(ROOT / "data" / "published" / "projects_published.csv", encoding="utf-8") as fh:
        published = list(csv.DictReader(fh))
    rows = q(
        demo_store,
        """SELECT p.school_zh, u.name_zh uni, p.source_url, p.confidence
                            FROM project p JOIN university u USING (university_id)
                            WHERE p.provenance = 'published'""",
    )
    got = {(r.uni, r.school_zh): (r.source_url, r.confidence) for r in rows.itertuples()}
    assert len(got) == len(published) == 23
    for r in published:
        assert got[(r["university"], r["school"])] == (r["source_url"], r["confidence"])


def test_every_project_county_exists_with_boundary_or_point(demo_store):
    bad = q(
        demo_store,
        """SELECT p.project_id FROM project p LEFT JOIN county c ON c.adcode = p.county_adcode
                           WHERE c.adcode IS NULL OR c.lon IS NULL OR c.lat IS NULL""",
    )
    assert bad.empty
    no_boundary = q(demo_store, "SELECT note FROM county WHERE NOT has_boundary")
    assert len(no_boundary) >= 4 and no_boundary["note"].notna().all()


@pytest.mark.parametrize("table", ["project", "milestone", "activity", "outcome"])
def test_provenance_on_every_row(demo_store, table):
    bad = q(
        demo_store,
        f"""SELECT count(*) n FROM {table}
                            WHERE provenance NOT IN ('published', 'imported', 'simulated')
                               OR provenance IS NULL""",
    )
    assert bad["n"][0] == 0
    sim_with_url = q(
        demo_store,
        f"""SELECT count(*) n FROM {table}
                                     WHERE provenance = 'simulated' AND source_url IS NOT NULL""",
    )
    assert sim_with_url["n"][0] == 0
    pub_without_url = q(
        demo_store,
        f"""SELECT count(*) n FROM {table}
                                        WHERE provenance = 'published' AND coalesce(source_url, '') = ''""",
    )
    assert pub_without_url["n"][0] == 0


def test_published_events_are_in(demo_store):
    with open(ROOT / "data" / "published" / "events_published.csv", encoding="utf-8") as fh:
        events = list(csv.DictReader(fh))
    n_pub = q(
        demo_store,
        """SELECT (SELECT count(*) FROM activity WHERE provenance='published')
                                  + (SELECT count(*) FROM milestone WHERE provenance='published') n""",
    )
    assert n_pub["n"][0] == len(events)
    # 湖南大学 signed after the deadline, as happened
    late = q(
        demo_store,
        """SELECT m.done_date FROM milestone m JOIN project p USING (project_id)
                            WHERE p.school_zh = '桑植县贺龙中学' AND m.kind = 'signed'""",
    )
    assert pd.Timestamp(late["done_date"][0]).date().isoformat() == "2022-08-05"


def test_every_way_of_working_has_activity_each_year(demo_store):
    per = q(
        demo_store,
        """SELECT kind, year(start_date) y, count(*) n FROM activity
                           WHERE provenance = 'simulated' GROUP BY 1, 2""",
    )
    kinds = {"dispatch", "guidance_visit", "shadowing", "training", "internship"}
    for year in (2022, 2023, 2024, 2025, 2026):
        assert kinds <= set(per.loc[per["y"] == year, "kind"]), year
    assert (
        pd.Timestamp(q(demo_store, "SELECT max(start_date) d FROM activity")["d"][0])
        .date()
        .isoformat()
        <= "2026-11-28"
    )


def test_some_agreements_signed_late(demo_store):
    late = q(
        demo_store, "SELECT count(*) n FROM milestone WHERE kind='signed' AND done_date > due_date"
    )
    assert 1 <= late["n"][0] <= 30


def test_universities_located(demo_store):
    unis = q(demo_store, "SELECT * FROM university")
    assert len(unis) == 48
    assert unis["lon"].between(73, 136).all() and unis["lat"].between(18, 54).all()
    beida = unis[unis["name_zh"] == "北京大学"].iloc[0]
    assert 116.0 < beida["lon"] < 116.6 and 39.8 < beida["lat"] < 40.2
