"""Successive cycles per project (issue 16, part 5): each cycle's outcome from the cycles that
follow it, milestones against each cycle's own deadlines, the place in the current cycle, the
demo's simulated renewal (labelled, published first cycles kept, no activity after an ended
cycle) and the dossier's table of cycles in each language."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from dashboard_lib import programme
from dashboard_lib.i18n import t
from dashboard_lib.programme.cycles import all_cycles, current_cycles
from dashboard_lib.programme.milestones import cycle_milestones, cycle_position, milestone_status
from dashboard_lib.school_calendar import DEADLINE_DATES
from dashboard_lib.scope import Filters, Viewer
from dashboard_lib.store.cycles import renewal_deadlines

AS_OF = date(2026, 11, 28)
D = date


def projects(n: int = 5) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": list(range(1, n + 1)),
            "university_id": [10] * n,
            "cycle_start": [D(2022, 9, 1)] * n,
            "cycle_end": [D(2025, 8, 31)] * n,
            "provenance": ["published"] + ["simulated"] * (n - 1),
            "source_url": ["https://example.org/p1"] + [None] * (n - 1),
        }
    )


def stored(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "project_id",
            "cycle_no",
            "university_id",
            "start_date",
            "end_date",
            "status",
            "provenance",
            "source_url",
        ],
    )


SECOND = (D(2025, 9, 1), D(2028, 8, 31))
STORED = stored(
    [
        (1, 2, 10, *SECOND, "ongoing", "simulated", None),  # renewed with the same university
        (2, 2, 11, *SECOND, "ongoing", "simulated", None),  # re-paired with university 11
        (3, 1, 10, D(2022, 9, 1), D(2025, 8, 31), "ended", "simulated", None),  # ended
        # 4: nothing recorded
        (5, 2, 10, D(2027, 9, 1), D(2030, 8, 31), "ongoing", "simulated", None),  # starts later
    ]
)


def test_each_cycle_outcome_by_hand():
    got = all_cycles(projects(), STORED, AS_OF)
    outcome = {(r.project_id, r.cycle_no): r.outcome for r in got.itertuples()}
    assert outcome == {
        (1, 1): "renewed",
        (1, 2): "ongoing",
        (2, 1): "repaired",
        (2, 2): "ongoing",
        (3, 1): "ended",
        (4, 1): "unrecorded",
        (5, 1): "unrecorded",  # its cycle 2 has not started by the date: not shown
    }
    # the published first cycle keeps its source; the current cycle is the last one started
    first = got[(got["project_id"] == 1) & (got["cycle_no"] == 1)].iloc[0]
    assert (first["provenance"], first["source_url"]) == ("published", "https://example.org/p1")
    cur = current_cycles(got).set_index("project_id")["cycle_no"].to_dict()
    assert cur == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}


def test_before_the_end_a_cycle_is_ongoing_and_later_cycles_do_not_exist_yet():
    got = all_cycles(projects(), STORED, D(2024, 3, 1))
    assert got["cycle_no"].tolist() == [1, 1, 1, 1, 1]
    assert set(got["outcome"]) == {"ongoing"}


def test_renewal_deadlines_are_the_notice_s_for_the_first_start():
    """The notice's deadlines (签约 7-31, 备案 8-15, 启动 9-30) for a 2022-09-01 start; a renewal
    from 2025-09-01 has the same ones three years on."""
    assert renewal_deadlines(D(2022, 9, 1)) == DEADLINE_DATES
    assert renewal_deadlines(D(2025, 9, 1)) == {
        "signed": D(2025, 7, 31),
        "filed": D(2025, 8, 15),
        "launched": D(2025, 9, 30),
    }


def test_milestones_per_cycle_against_their_own_deadlines():
    cycles = all_cycles(projects(2), STORED, AS_OF)
    later = cycle_milestones(
        cycles,
        pd.DataFrame(
            {
                "project_id": [1, 1],
                "cycle_no": [2, 2],
                "kind": ["signed", "filed"],
                "due_date": [D(2025, 7, 31), D(2025, 8, 15)],
                "done_date": [D(2025, 8, 5), D(2027, 1, 5)],  # filed after the as-of date
                "date_precision": ["day", "day"],
                "note": [None, None],
                "provenance": ["imported", "imported"],
                "source_url": [None, None],
            }
        ),
        AS_OF,
    )
    first = pd.DataFrame(
        {
            "project_id": [1],
            "cycle_no": [1],
            "kind": ["signed"],
            "due_date": [D(2022, 7, 31)],
            "done_date": [D(2022, 7, 20)],
            "date_precision": ["day"],
            "provenance": ["published"],
            "source_url": [None],
        }
    )
    st = milestone_status(pd.concat([first, later], ignore_index=True), AS_OF)
    got = {(r.project_id, r.cycle_no, r.kind): (r.status, r.days_late) for r in st.itertuples()}
    assert got == {
        (1, 1, "signed"): ("ms_on_time", 0),
        (1, 2, "signed"): ("ms_late", 5),  # 2025-08-05 against 2025-07-31
        (1, 2, "filed"): ("ms_overdue", (AS_OF - D(2025, 8, 15)).days),  # not done by the date
        (1, 2, "launched"): ("ms_overdue", (AS_OF - D(2025, 9, 30)).days),  # no record
        (2, 2, "signed"): ("ms_overdue", (AS_OF - D(2025, 7, 31)).days),
        (2, 2, "filed"): ("ms_overdue", (AS_OF - D(2025, 8, 15)).days),
        (2, 2, "launched"): ("ms_overdue", (AS_OF - D(2025, 9, 30)).days),
    }


def test_cycle_position_in_the_current_cycle():
    p = projects()
    cycles = all_cycles(p, STORED, AS_OF)
    got = cycle_position(p, AS_OF, cycles).set_index("project_id")
    # 2025-09 to 2026-11: 14 months into cycle 2, its second year
    assert got.loc[1, ["cycle_no", "months", "stage"]].tolist() == [2, 14, "cycle_year_2"]
    assert got.loc[2, "stage"] == "cycle_year_2"
    assert got.loc[3, ["cycle_no", "stage"]].tolist() == [1, "cycle_ended"]
    # without the cycles: the cycle the project row records, as before
    assert set(cycle_position(p, AS_OF)["stage"]) == {"cycle_ended"}


# ---------------------------------------------------------------------- the demo
def test_the_demo_renews_most_ends_a_few_repairs_a_couple(demo_store):
    m = Viewer.ministry()
    c = demo_store.project_cycles(m)
    assert (c["provenance"] == "simulated").all() and c["source_url"].isna().all()
    first = c[c["cycle_no"] == 1]
    counts = first["status"].value_counts().to_dict()
    assert counts["ended"] >= 2 and counts["repaired"] >= 2
    assert counts["renewed"] > 10 * (counts["ended"] + counts["repaired"]) / 2
    # the published projects keep their published first cycle (no stored cycle-1 row) and get
    # a simulated renewal
    proj = demo_store.programme_projects(m, Filters())
    published = set(proj.loc[proj["provenance"] == "published", "project_id"].astype(int))
    assert len(published) == 28
    assert not published & set(first["project_id"].astype(int))
    second = c[c["cycle_no"] == 2].set_index("project_id")
    assert published <= set(second.index.astype(int))
    # re-paired: another university in cycle 2; ended: no cycle 2
    for r in first.itertuples():
        if r.status == "repaired":
            assert int(second.loc[r.project_id, "university_id"]) != int(r.university_id)
        if r.status == "ended":
            assert r.project_id not in second.index
        if r.status == "renewed":
            assert int(second.loc[r.project_id, "university_id"]) == int(r.university_id)


def test_no_activity_after_an_ended_cycle(demo_store):
    n = demo_store._scalar(
        """SELECT count(*) FROM activity a JOIN project_cycle c USING (project_id)
           WHERE c.status = 'ended' AND a.start_date > c.end_date"""
    )
    assert n == 0
    # ... while the renewed ones go on after 2025-08-31
    n_after = demo_store._scalar(
        """SELECT count(*) FROM activity a WHERE a.start_date > DATE '2025-08-31'
           AND a.project_id IN (SELECT project_id FROM project_cycle WHERE cycle_no = 2)"""
    )
    assert n_after > 0


def _project_with(demo_store, status: str) -> int:
    c = demo_store.project_cycles(Viewer.ministry())
    return int(c[(c["cycle_no"] == 1) & (c["status"] == status)]["project_id"].iloc[0])


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("status", ["renewed", "repaired", "ended"])
def test_the_dossier_shows_every_cycle(demo_store, status):
    pid = 1 if status == "renewed" else _project_with(demo_store, status)  # 1: published
    zh = programme.dossier_content(demo_store, Viewer.ministry(), Filters(), pid, "zh")
    en = programme.dossier_content(demo_store, Viewer.ministry(), Filters(), pid, "en")
    assert zh is not None and en is not None
    n = 1 if status == "ended" else 2
    assert len(zh.cycles) == n == len(en.cycles)
    want = {"renewed": "续签", "repaired": "更换帮扶高校", "ended": "结束"}[status]
    assert zh.cycles["结果"].iloc[0] == want
    assert (
        en.cycles["Outcome"].iloc[0]
        == {
            "renewed": "Renewed",
            "repaired": "Re-paired with another university",
            "ended": "Ended",
        }[status]
    )
    if n == 2:
        assert zh.cycles["结果"].iloc[1] == "进行中"
        assert zh.cycles["数据来源类型"].iloc[1] == "模拟"
        # the renewal's milestones are the second cycle's own rows
        agreement = zh.agreement.frame
        assert (agreement["周期"] == "第 2 周期").sum() == 3
        assert set(agreement.loc[agreement["周期"] == "第 2 周期", "截止日期"]) == {
            "2025-07-31",
            "2025-08-15",
            "2025-09-30",
        }
    if status == "renewed":  # the published first cycle, with its source
        assert zh.cycles["数据来源类型"].iloc[0] != "模拟"
        assert zh.cycles.iloc[0, -1].startswith("http")
    assert zh.cycles_note is not None and not CJK.search(en.cycles_note or "")
    # the Chinese table has no English words in its headers or values (but the URL)
    for col in zh.cycles.columns[:-1]:
        assert not re.search(r"[A-Za-z]", col)
        assert not any(re.search(r"[A-Za-z]", str(v)) for v in zh.cycles[col])
    for col in en.cycles.columns:
        assert not CJK.search(col)
    assert not CJK.search(" ".join(en.cycles["Outcome"]))


def test_the_progress_page_places_each_project_in_its_current_cycle(demo_store):
    """On 2026-11-28 a renewed or re-paired project is in the second year of its second cycle;
    only the ended ones read 周期已结束 (before the cycles, all 115 did)."""
    m = Viewer.ministry()
    view = programme.progress_content(demo_store, m, Filters(), "zh")
    stage = view.cycle.frame[t("prog_cycle_stage", "zh")]
    c = demo_store.project_cycles(m)
    ended = int(((c["cycle_no"] == 1) & (c["status"] == "ended")).sum())
    assert (stage == "周期已结束").sum() == ended
    assert (stage == "第二年").sum() == 115 - ended
