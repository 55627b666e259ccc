"""The needs-attention worklist (programme.attention) on frames built by hand: only the last
completed and the current term count, each reason names its term, the score is the stated sum;
and on the demo database the list is a worklist, not most of the programme."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import AS_OF

from dashboard_lib import programme
from dashboard_lib.programme import attention
from dashboard_lib.scope import Filters, Viewer

# AS_OF is 2026-11-28: the last completed term is spring 2026, the current one autumn 2026
LAST, CURRENT = 20261, 20262
TERMS = [20222, 20231, 20232, 20241, 20242, 20251, 20252, 20261]


def activity(rows: dict[int, dict[int, int]]) -> pd.DataFrame:
    """{project: {term: records}} as the store's per-term frame."""
    return pd.DataFrame(
        [(p, c, n) for p, terms in rows.items() for c, n in terms.items()],
        columns=["project_id", "term_code", "n"],
    )


def dispatch(*rows: tuple[int, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": [r[0] for r in rows],
            "start_date": pd.to_datetime([r[1] for r in rows]),
            "end_date": pd.to_datetime([r[2] for r in rows]),
            "people": [1] * len(rows),
        }
    )


def milestones(*rows: tuple[int, str, str | None]) -> pd.DataFrame:
    """(project, kind, done) through the real status rule against the real deadlines."""
    ms = pd.DataFrame(
        {
            "project_id": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "done_date": [pd.Timestamp(r[2]) if r[2] else None for r in rows],
            "date_precision": ["day"] * len(rows),
        }
    )
    return programme.milestone_status(ms, AS_OF)


HEALTHY = {c: 9 for c in [*TERMS, CURRENT]}
ON_SITE = ("2026-02-20", "2026-07-10")


def run(projects, per_term, disp, status, **kw) -> pd.DataFrame:
    return programme.needs_attention(
        pd.DataFrame({"project_id": projects}), per_term, disp, status, TERMS, AS_OF, **kw
    )


def test_a_filing_one_day_late_in_2022_does_not_flag():
    status = milestones((1, "signed", "2022-07-20"), (1, "filed", "2022-08-16"))
    assert status.set_index("kind").loc["filed", "days_late"] == 1  # late indeed, by a day
    out = run([1], activity({1: HEALTHY}), dispatch((1, *ON_SITE)), status)
    assert out.empty


def test_nothing_last_term_flags_with_the_term_named():
    busy_before = {c: 9 for c in TERMS[:-1]} | {CURRENT: 4}
    out = run(
        [1], activity({1: busy_before}), dispatch((1, "2025-09-01", "2025-12-20")), milestones()
    )
    assert out["project_id"].tolist() == [1]
    reasons = out.iloc[0]["reasons"]
    assert "2026年春季学期：活动 0 条，期望 ≥ 5" in reasons
    assert "2026年春季学期：无派驻人员在岗" in reasons
    # 2 × (5 − 0) / 5 for the shortfall + 1 for nobody on site; the current term has records
    assert out.iloc[0]["score"] == 3.0
    assert out.iloc[0]["last_term"] == 0


def test_old_terms_are_history_not_work():
    # nothing at all in 2022–2024, plenty since: not flagged
    rows = {c: 0 for c in TERMS[:5]} | {c: 9 for c in [*TERMS[5:], CURRENT]}
    assert run([1], activity({1: rows}), dispatch((1, *ON_SITE)), milestones()).empty


def test_ranked_by_the_stated_score():
    per_term = activity(
        {
            1: HEALTHY | {LAST: 4},  # 2 × 1/5 = 0.4
            2: HEALTHY | {LAST: 0, CURRENT: 0},  # 2 + 1 (nobody on site) + 1 (current empty)
            3: HEALTHY,  # signing still not done: 3
            4: HEALTHY,  # fine
        }
    )
    disp = dispatch((1, *ON_SITE), (3, *ON_SITE), (4, *ON_SITE))
    status = milestones((3, "signed", None), (4, "signed", "2022-07-01"))
    out = run([1, 2, 3, 4], per_term, disp, status)
    assert out["project_id"].tolist() == [2, 3, 1]
    assert out["score"].tolist() == [4.0, 3.0, 0.4]
    assert "2026年秋季学期（进行中）：开学 119 天仍无活动记录" in out.iloc[0]["reasons"]
    assert "签约仍未完成" in out.iloc[1]["reasons"]
    assert out.iloc[1]["reasons"].startswith("2026年秋季学期")


def test_recent_late_milestone_flags_only_beyond_the_threshold():
    # launched in spring 2026, years after the deadline: flags; launched 20 days late in 2022: not
    status = milestones((1, "launched", "2026-03-01"), (2, "launched", "2022-10-20"))
    # and one done this term but only 20 days after its (own) deadline: under the threshold
    near = status.iloc[[0]].assign(project_id=3, days_late=20)
    status = pd.concat([status, near], ignore_index=True)
    per_term = activity({1: HEALTHY, 2: HEALTHY, 3: HEALTHY})
    disp = dispatch((1, *ON_SITE), (2, *ON_SITE), (3, *ON_SITE))
    out = run([1, 2, 3], per_term, disp, status)
    assert out["project_id"].tolist() == [1]
    assert out.iloc[0]["score"] == 1.0
    assert out.iloc[0]["reasons"].startswith("2026年春季学期：启动逾期 1,248 天才完成")


def test_someone_on_site_from_an_earlier_start_counts():
    # dispatched in autumn 2025 for a year: on site in spring 2026 although no dispatch started then
    out = run([1], activity({1: HEALTHY}), dispatch((1, "2025-09-01", "2026-08-31")), milestones())
    assert out.empty
    # without dispatch in the filter, nobody on site is not a reason
    assert run([1], activity({1: HEALTHY}), dispatch(), milestones(), check_dispatch=False).empty


def test_a_filter_that_stops_before_the_current_term_does_not_judge_it():
    per_term = activity({1: HEALTHY | {CURRENT: 0}})
    flagged = run([1], per_term, dispatch((1, *ON_SITE)), milestones())
    assert flagged["score"].tolist() == [1.0]  # the current term is empty
    assert run([1], per_term, dispatch((1, *ON_SITE)), milestones(), until=LAST).empty


def test_reasons_in_english():
    out = run(
        [1], activity({1: HEALTHY | {LAST: 2}}), dispatch((1, *ON_SITE)), milestones(), lang="en"
    )
    assert out.iloc[0]["reasons"] == "Spring term 2026: 2 activities, expected ≥ 5"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_formula_is_one_sentence_with_the_numbers(lang):
    text = attention.formula(lang)
    rules = attention.RULES
    assert str(programme.EXPECT.min_activities) in text and str(rules.late_days) in text
    assert text.count("。" if lang == "zh" else ". ") <= 1


def test_on_the_demo_the_list_is_a_worklist(demo_store):
    view = programme.progress_content(demo_store, Viewer.ministry(), Filters(), "zh")
    total, flagged = len(view.projects), len(view.flagged)
    assert total == 115
    # the old rule (any of 8 terms below 5, any late milestone since 2022) flagged 87; the
    # activity rule alone flagged 27; the scorecard's verdicts (regressing, slow against the
    # simulated targets) add their own projects (issue 16): still fewer than half of them
    assert 0 < flagged < total / 2, flagged
    # every reason is this term's work or an outcome verdict of the scorecard, none 2022's
    for f in view.flagged:
        for reason in f.reasons.split("；"):
            assert reason.startswith("2026年") or "学年" in reason or "无数据" in reason, reason
    assert not any("2022年" in f.reasons for f in view.flagged)
    assert any("倒退" in f.reasons for f in view.flagged)
    assert any("进展偏慢" in f.reasons for f in view.flagged)
    assert f"{flagged} 个项目需要关注（共 115 个项目）" in view.attention_scope
    assert "关注分值 =" in view.attention_formula
    scores = view.attention.frame["关注分值"]
    assert scores.is_monotonic_decreasing


def test_term_name():
    assert attention.term_name(20261) == "2026年春季学期"
    assert attention.term_name(20262, "en") == "Autumn term 2026"
    assert attention.worklist_terms(TERMS, AS_OF) == (LAST, CURRENT)
    assert attention.worklist_terms(TERMS[:3], AS_OF) == (20232, None)
    assert attention.worklist_terms([], date(2022, 10, 1)) == (None, 20222)


# ------------------------------------------------------------------ the scorecard's verdicts
def verdicts(*rows: tuple) -> pd.DataFrame:
    """(project, indicator, speed, availability, baseline, latest, target) as the scorecard's
    frame (baseline school year 2021, latest 2025)."""
    return pd.DataFrame(
        [
            {
                "project_id": p,
                "indicator": ind,
                "speed": speed,
                "availability": avail,
                "baseline_year": 2021,
                "baseline": base,
                "latest_year": 2025 if latest is not None else None,
                "latest": latest,
                "target": target,
            }
            for p, ind, speed, avail, base, latest, target in rows
        ]
    )


def test_outcome_verdicts_flag_and_rank_above_late_filings():
    scores = verdicts(
        (1, "admission_rate", "regressing", "complete", 30.0, 28.0, 35.0),  # 4
        (2, "enrolment", "slow", "complete", 2000.0, 2040.0, 2100.0),  # 2
        (2, "teacher_retention", "slow", "partial", 80.0, 81.0, 84.0),  # 2
        (3, "enrolment", "too_few", "none", None, None, None),  # no data: 2 once
        (3, "admission_rate", "too_few", "none", None, None, None),
        (4, "admission_rate", "on_track", "complete", 30.0, 36.0, 35.0),  # fine
        (5, "admission_rate", "on_track", "complete", 30.0, 36.0, 35.0),  # fine, late filing
    )
    status = milestones((5, "launched", "2026-03-01"))  # done this term, years late: 1
    per_term = activity({p: HEALTHY for p in range(1, 6)})
    disp = dispatch(*((p, *ON_SITE) for p in range(1, 6)))
    out = run([1, 2, 3, 4, 5], per_term, disp, status, scores=scores)
    assert out["project_id"].tolist() == [1, 2, 3, 5]
    assert out["score"].tolist() == [4.0, 4.0, 2.0, 1.0]  # the late filing comes last
    reasons = out.set_index("project_id")["reasons"]
    assert reasons[1] == "本科上线率（%）倒退：2021–2022学年基线 30.0 → 2025–2026学年 28.0"
    assert reasons[2] == (
        "在校生数进展偏慢：最新 2,040（2025–2026学年），目标 2,100；"
        "骨干教师留任率（%）进展偏慢：最新 81.0（2025–2026学年），目标 84.0"
    )
    assert reasons[3] == "成果无数据：在校生数、本科上线率（%）"
    en = run([3], per_term, disp, milestones(), scores=scores, lang="en")
    assert en.iloc[0]["reasons"] == "No outcome data: Enrolment, University admission rate (%)"


def test_outcome_reasons_come_before_this_terms_activity():
    scores = verdicts((1, "enrolment", "regressing", "complete", 2000.0, 1900.0, None))
    out = run(
        [1],
        activity({1: HEALTHY | {LAST: 0}}),
        dispatch((1, *ON_SITE)),
        milestones(),
        scores=scores,
    )
    assert out.iloc[0]["score"] == 6.0  # 4 regressing + 2 × (5 − 0) / 5
    first, second = out.iloc[0]["reasons"].split("；")
    assert first.startswith("在校生数倒退") and second.startswith("2026年春季学期：活动 0 条")


def test_without_scores_the_old_rule_is_unchanged():
    per_term = activity({1: HEALTHY | {LAST: 4}})
    out = run([1], per_term, dispatch((1, *ON_SITE)), milestones())
    assert out["score"].tolist() == [0.4]
    text = attention.formula("zh", outcomes=False)
    assert "倒退" not in text and "倒退的成果指标 4" in attention.formula("zh")
