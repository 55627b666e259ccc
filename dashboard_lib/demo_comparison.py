"""Simulated comparison schools for the demo (issue 16, part 4): county high schools outside the
programme, in the programme's provinces, with yearly outcome rows, so that the scorecard's
difference-in-differences section has something to compare with. **Every row is simulated**
(provenance ``simulated``, no source URL) and the page says so: these are not the figures of
real schools, and nothing here is meant to be read as one.

For each project, ``PER_PROJECT`` schools of its province, in counties that hold no programme
school where there are such (else any county of the province), named after their county
(``某县第二中学`` …, never a programme school's name in that county). Their baseline (the school
year before the programme) lies near the project's own baseline value — the "same starting
level" the matching looks for — and their yearly drift is a little smaller than the programme's
on average, with the same kind of noise (``demo._outcomes``). Drawn from their own generator,
seeded from the demo's seed, so every other simulated row is as before and the same spec always
gives the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocab import OUTCOME_INDICATORS, Provenance

PER_PROJECT = 3
SIM = Provenance.SIMULATED.value
_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERALS = {v: k for k, v in _DIGITS.items()}


def _numeral(n: int) -> str:
    """2 → 二, 12 → 十二, 20 → 二十, 35 → 三十五 (1 ≤ n ≤ 99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_NUMERALS[tens]}十")
    return head + (_NUMERALS[ones] if ones else "")


def _school_names(county: str, taken: set[str], n: int) -> list[str]:
    """``n`` school names in ``county`` not in ``taken`` (第二中学, 第三中学, …)."""
    out: list[str] = []
    k = 2
    while len(out) < n:
        name = f"{county}第{_numeral(k)}中学" if k < 100 else f"{county}中学{k}"
        if name not in taken:
            out.append(name)
            taken.add(name)
        k += 1
    return out


def simulated_comparison(
    seed: int,
    projects: pd.DataFrame,
    counties: pd.DataFrame,
    outcomes: pd.DataFrame,
    baseline_year: int,
    first_school_id: int = 1,
) -> dict[str, pd.DataFrame]:
    """``comparison_school`` and ``comparison_outcome`` frames for these ``projects``
    (project_id, province_adcode, county_adcode, school_zh) over the school years of their
    simulated ``outcomes`` (project_id, school_year, indicator, value); ``baseline_year``: the
    school year before the programme."""
    rng = np.random.default_rng([seed, 164])
    projects = projects.sort_values("project_id").reset_index(drop=True)
    helped = set(projects["county_adcode"].astype(int))
    names = dict(zip(counties["adcode"].astype(int), counties["name_zh"].astype(str)))
    by_province: dict[int, list[int]] = {}
    for a, p in sorted(
        zip(counties["adcode"].astype(int), counties["province_adcode"].astype(int))
    ):
        by_province.setdefault(p, []).append(a)
    taken: dict[int, set[str]] = {}
    for c, s in zip(projects["county_adcode"].astype(int), projects["school_zh"].astype(str)):
        taken.setdefault(c, set()).add(s)
    years = np.array(sorted({int(y) for y in outcomes["school_year"]}))
    k = np.clip(years - baseline_year, 0, None)[None, :]  # programme years elapsed
    base = outcomes[outcomes["school_year"] == baseline_year].pivot(
        index="project_id", columns="indicator", values="value"
    )
    schools, values = [], []
    sid = first_school_id
    for p in projects.itertuples(index=False):
        prov = int(p.province_adcode)
        pool = [a for a in by_province.get(prov, []) if a not in helped] or by_province.get(
            prov, []
        )
        if not pool or int(p.project_id) not in base.index:
            continue
        picks = rng.choice(len(pool), size=PER_PROJECT, replace=len(pool) < PER_PROJECT)
        for i in picks:
            county = pool[int(i)]
            (name,) = _school_names(names[county], taken.setdefault(county, set()), 1)
            schools.append((sid, name, county, prov))
            values.append((sid, base.loc[int(p.project_id)]))
            sid += 1
    school = pd.DataFrame(
        schools, columns=["school_id", "school_zh", "county_adcode", "province_adcode"]
    )
    n_s, n_y = len(school), len(years)
    if n_s == 0:
        school = school.assign(provenance=SIM, source_url=None, import_batch_id=None)
        empty = pd.DataFrame(columns=["school_id", "school_year", "indicator", "value"])
        return {
            "comparison_school": school,
            "comparison_outcome": empty.assign(provenance=SIM, source_url=None),
        }
    b = pd.DataFrame([v for _, v in values]).reindex(columns=list(OUTCOME_INDICATORS))
    enrol0 = b["enrolment"].to_numpy(float)[:, None] * (1 + rng.normal(0, 0.08, (n_s, 1)))
    enrol = enrol0 * (1 + rng.normal(0.012, 0.012, (n_s, 1))) ** k
    retention = np.clip(
        b["teacher_retention"].to_numpy(float)[:, None]
        + rng.normal(0, 2.5, (n_s, 1))
        + k * rng.uniform(0.0, 2.0, (n_s, 1))
        + rng.normal(0, 1.2, (n_s, n_y)),
        40,
        100,
    )
    admission = np.clip(
        b["admission_rate"].to_numpy(float)[:, None]
        + rng.normal(0, 2.5, (n_s, 1))
        + k * rng.uniform(0.0, 3.2, (n_s, 1))
        + rng.normal(0, 2.0, (n_s, n_y)),
        0,
        100,
    )
    frames = []
    for ind, vals, digits in zip(OUTCOME_INDICATORS, (enrol, retention, admission), (0, 1, 1)):
        frames.append(
            pd.DataFrame(
                {
                    "school_id": np.repeat(school["school_id"].to_numpy(), n_y),
                    "school_year": np.tile(years, n_s),
                    "indicator": ind,
                    "value": np.round(vals, digits).ravel(),
                }
            )
        )
    outcome = pd.concat(frames, ignore_index=True)
    outcome = outcome[outcome["value"].notna()].reset_index(drop=True)
    school["provenance"] = SIM
    school["source_url"] = None
    outcome["provenance"] = SIM
    outcome["source_url"] = None
    return {"comparison_school": school, "comparison_outcome": outcome}
