"""The embedded default database: counts the programme publishes, provenance on every row."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from conftest import ROOT

from dashboard_lib import demo


def q(store, sql):
    return store._df(sql)


def _csv(name: str, folder: str = "published") -> list[dict[str, str]]:
    with open(ROOT / "data" / folder / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_registry_is_the_programme(demo_store):
    per = q(
        demo_store,
        """SELECT pr.adcode, pr.name_zh, count(*) n,
                  count(*) FILTER (WHERE p.provenance = 'published') pub
           FROM project p JOIN province pr ON pr.adcode = p.province_adcode GROUP BY 1, 2""",
    )
    counts = dict(zip(per["adcode"], per["n"]))
    assert sum(counts.values()) == 115
    assert len(counts) == 24, "23 provinces and the Corps each have projects"
    for code, n in demo.PUBLISHED_TOTALS.items():  # the totals the provinces published
        assert counts[code] == n, code
    # every published row is in its province, and the simulated ones only fill up to the total
    from_file: dict[str, int] = {}
    for r in _csv("projects_published.csv"):
        from_file[r["province"]] = from_file.get(r["province"], 0) + 1
    assert dict(zip(per.loc[per["pub"] > 0, "name_zh"], per.loc[per["pub"] > 0, "pub"])) == (
        from_file
    )
    # 江西: one source lists all five pairs, so its published total is its published rows
    assert from_file["江西省"] == demo.PUBLISHED_TOTALS[360000] == counts[360000]


def test_hosts_are_48_universities_and_the_body_apart(demo_store):
    ref = _csv("universities.csv", "reference")
    assert sum(r["kind"] == "university" for r in ref) == 48
    assert [r["name_zh"] for r in ref if r["kind"] == "society"] == ["创新人才教育研究会"]
    hosts = q(
        demo_store,
        """SELECT u.kind, count(DISTINCT p.university_id) hosts, count(*) schools
           FROM project p JOIN university u USING (university_id) GROUP BY 1""",
    ).set_index("kind")
    assert hosts.loc["university", "hosts"] == 48 and hosts.loc["university", "schools"] == 112
    assert hosts.loc["society", "hosts"] == 1 and hosts.loc["society", "schools"] == 3
    # the KPI counts universities only: the body is no university
    from dashboard_lib.scope import Filters, Viewer

    kpi = demo_store.metrics(Viewer.ministry(), Filters())
    assert kpi["universities"][0] == 48 and kpi["projects"][0] == 115


def test_every_published_project_kept_with_its_source(demo_store):
    published = _csv("projects_published.csv")
    rows = q(
        demo_store,
        """SELECT p.school_zh, u.name_zh uni, p.source_url, p.confidence
                            FROM project p JOIN university u USING (university_id)
                            WHERE p.provenance = 'published'""",
    )
    got = {(r.uni, r.school_zh): (r.source_url, r.confidence) for r in rows.itertuples()}
    assert len(got) == len(published)
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
    assert len(unis) == len(_csv("universities.csv", "reference"))  # 48 universities + the body
    assert unis["lon"].between(73, 136).all() and unis["lat"].between(18, 54).all()
    beida = unis[unis["name_zh"] == "北京大学"].iloc[0]
    assert 116.0 < beida["lon"] < 116.6 and 39.8 < beida["lat"] < 40.2


def test_a_host_named_by_a_published_row_is_a_published_host():
    basis = {r["name_zh"]: r["host_basis"] for r in _csv("universities.csv", "reference")}
    named = {r["university"] for r in _csv("projects_published.csv")}
    assert named and all(basis[u] == "published" for u in named), {
        u: basis[u] for u in named if basis[u] != "published"
    }
