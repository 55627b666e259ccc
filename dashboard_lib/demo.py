"""Seeded, reproducible simulated data that completes the published registry.

Everything this module makes carries ``provenance = 'simulated'`` and no source URL. The same
``DemoSpec`` (seed, sizes, as-of date) always gives the same rows. It scales from the programme's
115 projects to the national scale of 托管帮扶 (about 2,000 projects) and millions of activity rows
in seconds, because every kind of activity is drawn for all (project, term) pairs at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from . import demo_comparison
from .vocab import (
    CORPS_ADCODE,
    DEADLINES,
    DIRECTION_BY_KIND,
    OUTCOME_INDICATORS,
    ActivityKind,
    MilestoneKind,
    Provenance,
)

SIM = Provenance.SIMULATED.value

# Per-province totals that public sources give: 山西, 内蒙古, 广西 and 云南 from the provinces'
# announcements, 江西 from the one source that lists all five of its pairs (every one of them is a
# row of data/published/projects_published.csv). The build keeps them exactly.
PUBLISHED_TOTALS = {140000: 5, 150000: 5, 450000: 5, 530000: 8, 360000: 5}
PUBLISHED_TOTAL_PROVINCES = tuple(PUBLISHED_TOTALS)
# Projects per programme unit at the programme's scale (115): the published totals above, and a
# simulated spread for the others that sums to 115.
PROVINCE_TOTALS_115 = {
    **PUBLISHED_TOTALS,
    130000: 4,
    460000: 3,  # 河北 海南
    340000: 4,
    410000: 6,
    420000: 4,
    430000: 6,  # 安徽 河南 湖北 湖南 (江西: published)
    500000: 4,
    510000: 7,
    520000: 7,
    540000: 3,
    610000: 5,  # 重庆 四川 贵州 西藏 陕西
    620000: 7,
    630000: 4,
    640000: 3,
    650000: 6,  # 甘肃 青海 宁夏 新疆
    210000: 3,
    220000: 3,
    230000: 4,  # 辽宁 吉林 黑龙江
    CORPS_ADCODE: 4,
}
SOCIETY_PROJECTS_115 = 3  # the notice gives the 创新人才教育研究会 three schools

SCHOOL_SUFFIXES = ("第一中学", "高级中学", "第二中学", "民族中学", "第三中学", "实验中学")
SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "生物", "思想政治", "历史", "地理", "信息技术")
DISPATCH_ROLES = np.array(
    ["principal", "executive vice principal", "vice principal", "subject teacher", "head teacher"]
)
DISPATCH_ROLE_P = np.array([0.04, 0.10, 0.10, 0.56, 0.20])
LEVELS = np.array(["undergraduate", "master", "doctoral"])
LEVEL_P = np.array([0.68, 0.29, 0.03])

# Mean rows per project per term at activity_scale 1, and the spread of their sizes.
RATES = {
    ActivityKind.DISPATCH: 2.2,
    ActivityKind.GUIDANCE_VISIT: 3.0,
    ActivityKind.SHADOWING: 1.0,
    ActivityKind.TRAINING: 4.0,
    ActivityKind.INTERNSHIP: 1.2,
}


@dataclass(frozen=True)
class DemoSpec:
    seed: int = 2022
    projects: int = 115
    activity_scale: float = 1.0  # multiplies every rate; ~1 gives ~11 rows/project/term
    as_of: date = field(default_factory=date.today)
    start: date = date(2022, 9, 1)


def terms(start: date, as_of: date) -> pd.DataFrame:
    """School terms from ``start`` to ``as_of``: autumn (Sep–Jan) and spring (Feb–Jul)."""
    rows: list[tuple[date, date, str]] = []
    year = start.year
    while True:
        autumn = (date(year, 9, 1), date(year + 1, 1, 20), f"{year}秋")
        spring = (date(year + 1, 2, 20), date(year + 1, 7, 10), f"{year + 1}春")
        for t_start, t_end, label in (autumn, spring):
            if t_start > as_of:
                return pd.DataFrame(rows, columns=["term_start", "term_end", "term"])
            if t_start >= start:
                rows.append((t_start, min(t_end, as_of), label))
        year += 1


def allocate(n_projects: int, counties: pd.DataFrame) -> dict[int, int]:
    """Projects per programme unit: the fixed spread at 115, else in proportion to county counts
    (never below the 115 spread), summing exactly to ``n_projects``."""
    if n_projects == sum(PROVINCE_TOTALS_115.values()):
        return dict(PROVINCE_TOTALS_115)
    if n_projects < sum(PROVINCE_TOTALS_115.values()):
        raise ValueError("the demo needs at least the programme's 115 projects")
    weights = (
        counties.groupby("province_adcode").size().reindex(list(PROVINCE_TOTALS_115)).fillna(1)
    )
    raw = weights / weights.sum() * n_projects
    alloc = {k: max(int(np.floor(v)), PROVINCE_TOTALS_115[k]) for k, v in raw.items()}
    # largest remainder up, largest province down, until the total is exact
    order = (raw - np.floor(raw)).sort_values(ascending=False).index.tolist()
    i = 0
    while sum(alloc.values()) < n_projects:
        alloc[order[i % len(order)]] += 1
        i += 1
    while sum(alloc.values()) > n_projects:
        k = max((k for k in alloc if alloc[k] > PROVINCE_TOTALS_115[k]), key=lambda k: alloc[k])
        alloc[k] -= 1
    return alloc


def _pick_counties(
    rng, counties: pd.DataFrame, province: int, needed: int, taken: set[int]
) -> list[tuple[int, int]]:
    """(county adcode, school number) pairs: county-type units first, urban districts last."""
    pool = counties[(counties["province_adcode"] == province) & ~counties["adcode"].isin(taken)]
    rural = pool[~pool["name_zh"].str.endswith("区")]["adcode"].to_numpy()
    urban = pool[pool["name_zh"].str.endswith("区")]["adcode"].to_numpy()
    ordered = list(rng.permutation(rural)) + list(rng.permutation(urban))
    if not ordered:  # every unit already has a school: second schools in the same units
        ordered = list(rng.permutation(counties[counties["province_adcode"] == province]["adcode"]))
    out = []
    for i in range(needed):
        out.append((int(ordered[i % len(ordered)]), i // len(ordered) + 1))
    return out


def _projects(
    rng, spec: DemoSpec, counties: pd.DataFrame, universities: pd.DataFrame, published: pd.DataFrame
) -> pd.DataFrame:
    alloc = allocate(spec.projects, counties)
    have = published.groupby("province_adcode").size().to_dict()
    taken = set(published["county_adcode"].astype(int))
    names = counties.set_index("adcode")
    rows = []
    for province in sorted(alloc):
        needed = alloc[province] - have.get(province, 0)
        if needed < 0:  # the published record holds more than the unit's total
            raise ValueError(
                f"{have[province]} published projects in {province}, more than its "
                f"{alloc[province]} at {spec.projects} projects"
            )
        for county, nth in _pick_counties(rng, counties, province, max(needed, 0), taken):
            taken.add(county)
            c = names.loc[county]
            suffix = SCHOOL_SUFFIXES[(nth - 1) % len(SCHOOL_SUFFIXES)]
            rows.append(
                {
                    "county_adcode": county,
                    "province_adcode": province,
                    "prefecture_zh": c["prefecture_zh"],
                    "school_zh": f"{c['name_zh']}{suffix}",
                }
            )
    sim = pd.DataFrame(rows)
    sim = sim.iloc[rng.permutation(len(sim))].reset_index(drop=True)

    # hosts: the society keeps its three schools; universities share the rest as evenly as
    # possible, counting the projects the published record already gives them
    society = universities[universities["kind"] == "society"]["university_id"].tolist()
    unis = universities[universities["kind"] != "society"]["university_id"].to_numpy()
    n_society = round(SOCIETY_PROJECTS_115 * spec.projects / 115) if society else 0
    per_uni = (
        published["university_id"].value_counts().reindex(unis).fillna(0).astype(int).to_dict()
    )
    n_uni_total = spec.projects - n_society
    target = {u: n_uni_total // len(unis) for u in unis}
    for u in rng.permutation(unis)[: n_uni_total - sum(target.values())]:
        target[int(u)] += 1
    slots = []
    for u in rng.permutation(unis):
        slots += [int(u)] * max(target[int(u)] - per_uni.get(int(u), 0), 0)
    slots = slots[: len(sim) - n_society] if len(sim) > n_society else []
    while len(slots) < len(sim) - n_society:  # published projects ran over some targets
        slots.append(int(rng.choice(unis)))
    hosts = np.array([society[0]] * n_society + slots, dtype=int)
    sim["university_id"] = rng.permutation(hosts)[: len(sim)]
    sim["affiliated_school"] = sim["university_id"].map(
        universities.set_index("university_id")["affiliated_high_schools"]
        .fillna("")
        .str.split(";")
        .str[0]
    )
    sim["cycle_start"] = spec.start
    sim["cycle_end"] = date(spec.start.year + 3, 8, 31)
    sim["batch"] = 1
    sim["provenance"] = SIM
    sim["source_url"] = None
    return sim


def _milestones(rng, project_ids: np.ndarray) -> pd.DataFrame:
    n = len(project_ids)
    base = np.datetime64("2022-07-08")
    signed = base + rng.integers(0, 23, n).astype("timedelta64[D]")
    late = rng.random(n) < 0.09  # some signed after the 2022-07-31 deadline
    signed[late] = np.datetime64("2022-08-01") + rng.integers(0, 25, late.sum()).astype(
        "timedelta64[D]"
    )
    filed = signed + rng.integers(2, 19, n).astype("timedelta64[D]")
    launched = np.maximum(filed, np.datetime64("2022-08-25")) + rng.integers(0, 50, n).astype(
        "timedelta64[D]"
    )
    frames = []
    for kind, done in (
        (MilestoneKind.SIGNED, signed),
        (MilestoneKind.FILED, filed),
        (MilestoneKind.LAUNCHED, launched),
    ):
        frames.append(
            pd.DataFrame(
                {
                    "project_id": project_ids,
                    "kind": kind.value,
                    "due_date": pd.Timestamp(DEADLINES[kind]).date(),
                    "done_date": pd.to_datetime(done).date,
                    "date_precision": "day",
                    "provenance": SIM,
                    "source_url": None,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# Above this many expected activity rows the generator works in chunks of projects, so that 10
# million rows never sit in memory at once (each chunk is generated, inserted and dropped).
CHUNK_ROWS = 2_000_000


def _expected_rows(spec: DemoSpec, n_projects: int) -> float:
    n_t = len(terms(spec.start, spec.as_of))
    return n_projects * n_t * sum(RATES.values()) * 1.1 * spec.activity_scale


def _activity_chunks(
    rng, spec: DemoSpec, project_ids: np.ndarray, first_id: int, chunk_rows: int = CHUNK_ROWS
) -> list:
    """Callables that each return the activity rows of one chunk of projects, in order.

    One chunk (every demo up to ~2M rows): the rows come from ``rng`` itself, exactly as always.
    Several chunks: each draws from its own generator seeded from ``rng`` now, so the rows are
    reproducible and ``rng`` is left in the same state however lazily the chunks are consumed."""
    n_chunks = max(1, int(np.ceil(_expected_rows(spec, len(project_ids)) / chunk_rows)))
    if n_chunks == 1:
        frame = _activities(rng, spec, project_ids, first_id)
        return [lambda: frame]
    seeds = rng.integers(0, 2**62, n_chunks)
    parts = np.array_split(np.asarray(project_ids), n_chunks)
    state = {"next_id": first_id}

    def make(seed, ids):
        def run():
            out = _activities(
                np.random.default_rng(int(seed)),
                spec,
                ids,
                state["next_id"],
                order=("project_id", "start_date", "kind"),
            )
            state["next_id"] += len(out)
            return out

        return run

    return [make(seed, ids) for seed, ids in zip(seeds, parts)]


def _activities(
    rng,
    spec: DemoSpec,
    project_ids: np.ndarray,
    first_id: int,
    order: tuple[str, ...] = ("start_date", "project_id", "kind"),
) -> pd.DataFrame:
    ts = terms(spec.start, spec.as_of)
    n_p, n_t = len(project_ids), len(ts)
    if n_p == 0 or n_t == 0:
        return pd.DataFrame()
    intensity = rng.lognormal(0.0, 0.45, n_p)
    # about one project in ten slows down from a random term on: the "needs attention" cases
    lag = np.ones((n_p, n_t))
    lagging = rng.random(n_p) < 0.10
    lag_from = rng.integers(1, max(n_t, 2), n_p)
    for i in np.flatnonzero(lagging):
        lag[i, lag_from[i] :] = 0.15
    lam_base = (intensity[:, None] * lag).ravel() * spec.activity_scale
    t_start = pd.to_datetime(ts["term_start"]).to_numpy().astype("datetime64[D]")
    t_len = (pd.to_datetime(ts["term_end"]) - pd.to_datetime(ts["term_start"])).dt.days.to_numpy()
    frames = []
    for kind, rate in RATES.items():
        counts = rng.poisson(lam_base * rate)
        cell = np.repeat(np.arange(n_p * n_t), counts)
        n = len(cell)
        p_idx, t_idx = cell // n_t, cell % n_t
        start = t_start[t_idx] + (rng.random(n) * np.maximum(t_len[t_idx] - 7, 1)).astype(
            "timedelta64[D]"
        )
        df = pd.DataFrame(
            {
                "project_id": project_ids[p_idx],
                "kind": kind.value,
                "start_date": start,
                "direction": DIRECTION_BY_KIND[kind],
            }
        )
        subject = np.array(SUBJECTS)[rng.integers(0, len(SUBJECTS), n)]
        if kind is ActivityKind.DISPATCH:
            months = rng.choice([3.0, 4.0, 4.5, 5.0], n)
            df["people"] = 1
            df["person_months"] = months
            df["role"] = rng.choice(DISPATCH_ROLES, n, p=DISPATCH_ROLE_P)
            df["subject"] = np.where(  # type: ignore[call-overload]  # numpy stubs: None fill is valid
                np.isin(df["role"], ["subject teacher", "head teacher"]), subject, None
            )
            df["mode"] = "on_site"
            days = (months * 30).astype(int)
        elif kind is ActivityKind.GUIDANCE_VISIT:
            df["people"] = rng.integers(2, 9, n)
            df["subject"] = subject
            df["role"] = "teacher"
            df["mode"] = "on_site"
            days = rng.integers(2, 6, n)
        elif kind is ActivityKind.SHADOWING:
            months = rng.choice([0.5, 1.0, 2.0, 3.0], n)
            df["people"] = rng.integers(2, 11, n)
            df["person_months"] = df["people"] * months
            df["role"] = rng.choice(
                ["teacher", "head teacher", "school leader"], n, p=[0.6, 0.25, 0.15]
            )
            df["mode"] = "on_site"
            days = (months * 30).astype(int)
        elif kind is ActivityKind.TRAINING:
            df["participants"] = rng.integers(20, 151, n)
            df["hours"] = rng.choice(
                [2.0, 3.0, 4.0, 8.0, 16.0, 24.0], n, p=[0.3, 0.25, 0.2, 0.15, 0.06, 0.04]
            )
            df["mode"] = np.where(rng.random(n) < 0.4, "online", "on_site")
            df["subject"] = subject
            df["role"] = "teacher"
            days = np.ceil(df["hours"].to_numpy() / 8).astype(int)
        else:  # internship / 支教
            months = rng.choice([1.0, 2.0, 3.0, 4.0], n, p=[0.15, 0.35, 0.35, 0.15])
            df["people"] = rng.integers(3, 16, n)
            df["person_months"] = df["people"] * months
            df["level"] = rng.choice(LEVELS, n, p=LEVEL_P)
            df["subject"] = subject
            df["role"] = "student"
            df["mode"] = "on_site"
            days = (months * 30).astype(int)
        df["end_date"] = start + np.maximum(days - 1, 0).astype("timedelta64[D]")
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out = out[out["start_date"] <= np.datetime64(spec.as_of)]
    out = out.sort_values(list(order), kind="stable").reset_index(drop=True)
    out["start_date"] = out["start_date"].dt.date
    out["end_date"] = out["end_date"].dt.date
    out["activity_id"] = np.arange(first_id, first_id + len(out), dtype=np.int64)
    out["date_precision"] = "day"
    out["provenance"] = SIM
    out["source_url"] = None
    for col in ("people", "participants"):
        out[col] = out[col].astype("Int32")
    return out


def _outcomes(rng, spec: DemoSpec, project_ids: np.ndarray) -> pd.DataFrame:
    """Per school year, from the year before the programme (baseline) to the latest started."""
    last = spec.as_of.year if spec.as_of >= date(spec.as_of.year, 9, 1) else spec.as_of.year - 1
    years = np.arange(spec.start.year - 1, last + 1)
    n_p, n_y = len(project_ids), len(years)
    k = np.clip(years - spec.start.year + 1, 0, None)[None, :]  # programme years elapsed
    enrol = rng.integers(1200, 5200, n_p)[:, None] * (1 + rng.normal(0.02, 0.01, (n_p, 1))) ** k
    retention = np.clip(
        rng.uniform(72, 90, (n_p, 1))
        + k * rng.uniform(0.5, 2.5, (n_p, 1))
        + rng.normal(0, 1.2, (n_p, n_y)),
        40,
        100,
    )
    admission = np.clip(
        rng.uniform(12, 55, (n_p, 1))
        + k * rng.uniform(0.5, 4.0, (n_p, 1))
        + rng.normal(0, 2.0, (n_p, n_y)),
        0,
        100,
    )
    frames = []
    for name, values, digits in zip(OUTCOME_INDICATORS, (enrol, retention, admission), (0, 1, 1)):
        frames.append(
            pd.DataFrame(
                {
                    "project_id": np.repeat(project_ids, n_y),
                    "school_year": np.tile(years, n_p),
                    "indicator": name,
                    "value": np.round(values, digits).ravel(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["provenance"] = SIM
    out["source_url"] = None
    return out


# Simulated term reports (issue 16): per past term, a spread of filings and reviews. Drawn from
# their own generator (seeded from the demo's seed), so every other simulated row is as before.
# No ministry approvals: an approval locks a term's data against imports.
REPORT_COMMENTS = (
    "派驻人员名单与活动记录不一致，请核对后重报。",
    "缺少教研活动佐证材料，请补充后重报。",
    "学生成绩指标口径有误，请按通知要求重新填报。",
)
SIM_SUBMITTER = "模拟数据 / simulated"


def term_reports(rng, project_ids: np.ndarray, as_of: date) -> pd.DataFrame:
    """One simulated ``term_report`` row per project and finished term that filed: most on
    time, some late, some not at all; most of the older terms accepted by the province, the
    latest ones often still awaiting review, a few returned with a comment. Nothing is
    submitted or reviewed after ``as_of``."""
    from .programme.reporting import DUE_DAYS_AFTER_TERM
    from .school_calendar import assessed_terms, term_bounds

    cols = [
        "project_id",
        "term",
        "status",
        "first_submitted_at",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "provenance",
    ]
    terms_done = assessed_terms(as_of)
    n_p = len(project_ids)
    if not terms_done or n_p == 0:
        return pd.DataFrame(columns=cols)
    # each project's habits: how often it files late, and how often not at all
    p_late = rng.beta(1.5, 8.0, n_p)
    p_missing = rng.beta(1.0, 18.0, n_p)
    as_of_ts = np.datetime64(as_of, "m")
    frames = []
    for k, term in enumerate(terms_done):
        end = np.datetime64(term_bounds(term)[1], "m")
        due = end + np.timedelta64(DUE_DAYS_AFTER_TERM, "D")
        latest = k >= len(terms_done) - 1
        missing = rng.random(n_p) < p_missing * (2.0 if latest else 1.0)
        late = ~missing & (rng.random(n_p) < p_late)
        early = rng.integers(1, 28, n_p).astype("timedelta64[D]")
        after = rng.integers(1, 45, n_p).astype("timedelta64[D]")
        minutes = rng.integers(8 * 60, 20 * 60, n_p).astype("timedelta64[m]")
        on_day = np.where(late, due + after, due - early)
        submitted = np.maximum(on_day, end + np.timedelta64(1, "D")) + minutes
        filed = ~missing & (submitted <= as_of_ts)
        review_days = rng.integers(3, 40 if latest else 25, n_p).astype("timedelta64[D]")
        reviewed = submitted + review_days
        v = rng.random(n_p)
        returned = filed & (v < 0.06) & (reviewed <= as_of_ts)
        accepted = filed & ~returned & (v < (0.55 if latest else 0.93)) & (reviewed <= as_of_ts)
        status = np.where(accepted, "accepted", np.where(returned, "returned", "submitted"))
        comment = np.array(REPORT_COMMENTS)[rng.integers(0, len(REPORT_COMMENTS), n_p)]
        done = accepted | returned
        frames.append(
            pd.DataFrame(
                {
                    "project_id": project_ids,
                    "term": term,
                    "status": status,
                    "first_submitted_at": submitted,
                    "submitted_by": SIM_SUBMITTER,
                    "submitted_at": submitted,
                    "reviewed_by": pd.Series(SIM_SUBMITTER, index=range(n_p)).where(done),
                    "reviewed_at": np.where(done, reviewed, np.datetime64("NaT", "m")),
                    "review_comment": pd.Series(comment).where(returned),
                    "provenance": SIM,
                }
            )[filed]
        )
    out = pd.concat(frames, ignore_index=True)
    for col in ("first_submitted_at", "submitted_at", "reviewed_at"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[us]")
    return out.sort_values(["term", "project_id"], kind="stable").reset_index(drop=True)[cols]


# Simulated targets: the baseline (the school year before the programme) plus a modest
# improvement, drawn per project and indicator. The notice states no number: these are labelled
# simulated everywhere, never presented as anyone's real target.
TARGET_GAINS = {  # indicator -> (kind, low, high): relative for enrolment, points for percentages
    "enrolment": ("relative", 0.015, 0.05),
    "teacher_retention": ("points", 1.0, 3.5),
    "admission_rate": ("points", 1.5, 5.0),
}


def simulated_targets(outcomes: pd.DataFrame, spec: DemoSpec) -> pd.DataFrame:
    """One simulated ``outcome_target`` row per project and indicator with a baseline value
    (school year ``spec.start.year - 1``): baseline + a gain drawn from ``TARGET_GAINS``."""
    rng = np.random.default_rng([spec.seed, 163])
    base = outcomes[outcomes["school_year"] == spec.start.year - 1]
    base = base.sort_values(["project_id", "indicator"]).reset_index(drop=True)
    frames = []
    for indicator, (kind, low, high) in TARGET_GAINS.items():
        part = base[base["indicator"] == indicator]
        gain = rng.uniform(low, high, len(part))
        value = part["value"].to_numpy(dtype=float)
        target = np.round(value * (1 + gain)) if kind == "relative" else np.round(value + gain, 1)
        frames.append(
            pd.DataFrame(
                {
                    "project_id": part["project_id"].to_numpy(dtype=int),
                    "indicator": indicator,
                    "target": np.clip(target, 0, None if kind == "relative" else 100),
                    "set_by": None,
                    "set_at": None,
                    "provenance": SIM,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# Simulated second cycles (issue 16, part 5): the first agreements ended on 2025-08-31. From the
# next day most projects run a renewed three-year cycle, a few ended, a couple were re-paired with
# another university. Only simulated projects end or change university: the published ones keep
# their published pair (their first cycle stays the ``project`` row, with its source) and get a
# simulated renewal. Drawn from their own generator: every other simulated row is as before.
ENDED_SHARE = 0.06  # of the simulated projects (at least two)
REPAIRED_SHARE = 0.04  # of the simulated projects (at least two)
CYCLE_COLS = ["project_id", "cycle_no", "university_id", "start_date", "end_date", "status"]


def simulated_cycles(
    spec: DemoSpec,
    projects: pd.DataFrame,
    published_ids,
    universities: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``project_cycle`` and ``cycle_milestone`` rows for ``projects`` (project_id,
    university_id; every project's first cycle runs from ``spec.start`` for three years).

    Cycle 1 of each simulated project gets a row with its outcome (renewed, ended, repaired);
    cycle 2 (from the day after the first cycle's end, three years) of each renewed or re-paired
    project, with its 签约/备案/启动 milestones, those done by ``spec.as_of`` only. Nothing when
    ``spec.as_of`` is before the second cycle's start."""
    rng = np.random.default_rng([spec.seed, 165])
    first_end = date(spec.start.year + 3, spec.start.month, 1) - pd.Timedelta(days=1)
    first_end = pd.Timestamp(first_end).date()
    second_start = pd.Timestamp(first_end + pd.Timedelta(days=1)).date()
    second_end = (pd.Timestamp(second_start) + pd.DateOffset(years=3, days=-1)).date()
    ms_cols = ["project_id", "cycle_no", "kind", "due_date", "done_date", "date_precision"]
    empty = pd.DataFrame(columns=CYCLE_COLS + ["provenance", "source_url"])
    if spec.as_of < second_start or projects.empty:
        return empty, pd.DataFrame(columns=ms_cols + ["provenance", "source_url"])
    ids = projects["project_id"].to_numpy(dtype=int)
    unis = projects["university_id"].to_numpy(dtype=int)
    sim_idx = np.flatnonzero(~np.isin(ids, np.asarray(list(published_ids), dtype=int)))
    n_sim = len(sim_idx)
    n_ended = min(n_sim, max(2, round(ENDED_SHARE * n_sim)))
    n_repaired = min(n_sim - n_ended, max(2, round(REPAIRED_SHARE * n_sim)))
    picked = rng.permutation(sim_idx)
    status = np.full(len(ids), "renewed", dtype=object)
    status[picked[:n_ended]] = "ended"
    status[picked[n_ended : n_ended + n_repaired]] = "repaired"
    hosts = universities[universities["kind"] != "society"]["university_id"].to_numpy(dtype=int)
    new_uni = unis.copy()
    for i in np.flatnonzero(status == "repaired"):
        others = hosts[hosts != unis[i]]
        new_uni[i] = int(rng.choice(others))
    first = pd.DataFrame(
        {
            "project_id": ids[sim_idx],
            "cycle_no": 1,
            "university_id": unis[sim_idx],
            "start_date": spec.start,
            "end_date": first_end,
            "status": status[sim_idx],
        }
    )
    go_on = np.flatnonzero(status != "ended")
    second = pd.DataFrame(
        {
            "project_id": ids[go_on],
            "cycle_no": 2,
            "university_id": new_uni[go_on],
            "start_date": second_start,
            "end_date": second_end,
            "status": "ongoing",
        }
    )
    cycles = pd.concat([first, second], ignore_index=True)
    cycles["provenance"] = SIM
    cycles["source_url"] = None
    # the renewal's milestones: signed some weeks before the start (a few after the deadline,
    # 32 days before it), filed days later, launched around the start
    n = len(go_on)
    start = np.full(n, second_start.isoformat(), dtype="datetime64[D]")
    signed = start - rng.integers(34, 80, n).astype("timedelta64[D]")
    late = rng.random(n) < 0.09
    signed[late] = start[late] - rng.integers(5, 31, int(late.sum())).astype("timedelta64[D]")
    filed = signed + rng.integers(2, 19, n).astype("timedelta64[D]")
    launched = np.maximum(filed, start - np.timedelta64(7, "D")) + rng.integers(0, 45, n).astype(
        "timedelta64[D]"
    )
    begin = pd.Timestamp(second_start)
    deadlines = {  # as the first cycle's before its 2022-09-01 start (store.cycles)
        MilestoneKind.SIGNED: (begin - pd.Timedelta(days=32)).date(),
        MilestoneKind.FILED: (begin - pd.Timedelta(days=17)).date(),
        MilestoneKind.LAUNCHED: (begin + pd.Timedelta(days=29)).date(),
    }
    frames = []
    for kind, done in (
        (MilestoneKind.SIGNED, signed),
        (MilestoneKind.FILED, filed),
        (MilestoneKind.LAUNCHED, launched),
    ):
        shown = done <= np.datetime64(spec.as_of)
        frames.append(
            pd.DataFrame(
                {
                    "project_id": ids[go_on][shown],
                    "cycle_no": 2,
                    "kind": kind.value,
                    "due_date": deadlines[kind],
                    "done_date": pd.to_datetime(done[shown]).date,
                    "date_precision": "day",
                }
            )
        )
    ms = pd.concat(frames, ignore_index=True)
    ms["provenance"] = SIM
    ms["source_url"] = None
    return cycles, ms


def ended_after(cycles: pd.DataFrame) -> dict[int, date]:
    """Project id -> the end of its last cycle, for the projects whose last cycle ended."""
    if cycles.empty:
        return {}
    last = cycles.sort_values(["project_id", "cycle_no"]).groupby("project_id").tail(1)
    last = last[last["status"] == "ended"]
    return {int(p): e for p, e in zip(last["project_id"], last["end_date"])}


def _without_activity_after(frame: pd.DataFrame, ended: dict[int, date]) -> pd.DataFrame:
    """``frame`` without the activity that starts after its project's ended cycle."""
    if not ended or frame.empty:
        return frame
    end = frame["project_id"].map(ended)
    after = end.notna() & (pd.to_datetime(frame["start_date"]) > pd.to_datetime(end))
    return frame[~after.to_numpy()].reset_index(drop=True)


def simulated_term_reports(
    spec: DemoSpec, project_ids, cycles: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The demo's ``term_report`` rows for these projects (``term_reports``), from the demo's
    seed: the same spec and projects always give the same rows. A project whose last cycle of
    ``cycles`` ended files nothing for the terms after its end (from the term's middle on, as
    ``programme.cycles.owing`` expects)."""
    from .school_calendar import term_middle

    ids = np.sort(np.asarray(project_ids, dtype=int))
    rows = term_reports(np.random.default_rng([spec.seed, 16]), ids, spec.as_of)
    ended = ended_after(cycles) if cycles is not None else {}
    if not ended or rows.empty:
        return rows
    middle = {int(c): term_middle(int(c)) for c in rows["term"].unique()}
    end = rows["project_id"].map(ended)
    gone = [
        e is not None and not pd.isna(e) and middle[int(term)] > pd.Timestamp(e).date()
        for e, term in zip(end, rows["term"])
    ]
    return rows[~np.asarray(gone, dtype=bool)].reset_index(drop=True)


def generate(
    spec: DemoSpec,
    counties: pd.DataFrame,
    universities: pd.DataFrame,
    published_projects: pd.DataFrame,
    published_milestones: set[tuple[int, str]],
    first_project_id: int,
    first_activity_id: int,
    lazy_activity: bool = False,
) -> dict:
    """Simulated rows that complete the registry to ``spec.projects`` projects.

    With ``lazy_activity`` the result holds ``activity_chunks`` (callables, each returning the rows
    of one chunk of projects, to be called in order) instead of one ``activity`` frame.

    ``published_projects`` keep their ids; their activity and outcomes are simulated too (each row
    says so), and they get a simulated milestone only where ``published_milestones`` (pairs of
    project id and milestone kind) has none.
    """
    rng = np.random.default_rng(spec.seed)
    sim = _projects(rng, spec, counties, universities, published_projects)
    sim.insert(0, "project_id", np.arange(first_project_id, first_project_id + len(sim)))
    all_ids = np.concatenate(
        [
            published_projects["project_id"].to_numpy(dtype=int),
            sim["project_id"].to_numpy(dtype=int),
        ]
    )
    ms = _milestones(rng, all_ids)
    known = pd.Series([f"{p}|{k}" for p, k in zip(ms["project_id"], ms["kind"])])
    ms = ms[~known.isin({f"{p}|{k}" for p, k in published_milestones}).to_numpy()]
    chunks = _activity_chunks(rng, spec, all_ids, first_activity_id)
    # the second cycles (issue 16 part 5): their own generator; no activity after an ended cycle
    everyone = pd.concat(
        [published_projects[["project_id", "university_id"]], sim[["project_id", "university_id"]]],
        ignore_index=True,
    )
    cycles, cycle_ms = simulated_cycles(
        spec, everyone, published_projects["project_id"].astype(int), universities
    )
    # a re-paired project is hosted by its current cycle's university, as an import makes it
    # (store.cycles): its scope, filters and map lines follow it; cycle 1 keeps the first one
    if not cycles.empty:
        hosts = cycles.sort_values("cycle_no").groupby("project_id")["university_id"].last()
        sim["university_id"] = (
            sim["project_id"].map(hosts).fillna(sim["university_id"]).astype(int).to_numpy()
        )
    ended = ended_after(cycles)
    chunks = [(lambda c=c: _without_activity_after(c(), ended)) if ended else c for c in chunks]
    out = {
        "project": sim,
        "milestone": ms.reset_index(drop=True),
        "outcome": _outcomes(rng, spec, all_ids),
    }
    # simulated outcome targets (issue 16 part 3): their own generator, nothing else changes
    out["outcome_target"] = simulated_targets(out["outcome"], spec)
    out["project_cycle"] = cycles
    out["cycle_milestone"] = cycle_ms
    # simulated comparison schools (issue 16 part 4): their own generator, nothing else changes
    out.update(
        demo_comparison.simulated_comparison(
            spec.seed,
            pd.concat([published_projects, sim], ignore_index=True),
            counties,
            out["outcome"],
            spec.start.year - 1,
        )
    )
    if lazy_activity:
        out["activity_chunks"] = chunks
    else:
        frames = [c() for c in chunks]
        out["activity"] = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return {
        k: out[k]
        for k in (
            "project",
            "milestone",
            "activity",
            "activity_chunks",
            "outcome",
            "outcome_target",
            "project_cycle",
            "cycle_milestone",
            "comparison_school",
            "comparison_outcome",
        )
        if k in out
    }
