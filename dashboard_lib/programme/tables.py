"""What every programme page shares: names of vocabulary values, project names and dossier links in
front of per-project rows, translated headers, the simulated-data sentence, the outcome charts,
and ``LinkedTable`` (a table shown with its dossier links, downloaded without them)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from ..i18n import STRINGS, label, t
from ..school_calendar import PROGRAMME_START_DATE
from ..vocab import OUTCOME_INDICATORS, ActivityKind

# The column of per-project rows holding the dossier URL (renamed to "prog_open_dossier").
LINK_COL = "_link"

KIND_ORDER = [k.value for k in ActivityKind]

# The unit of each outcome indicator (strings keys), said on its chart's value axis.
OUTCOME_UNITS = {
    "enrolment": "prog_unit_students",
    "teacher_retention": "prog_unit_percent",
    "admission_rate": "prog_unit_percent",
}

PROJECT_KEYS = {
    "project_id": "prog_project",
    "province": "col_province",
    "county_zh": "col_county",
    "school_zh": "col_school",
    "university": "col_university",
}


@dataclass(frozen=True)
class LinkedTable:
    """A table as the page shows it: translated headers, the dossier URL of each row in the
    column ``link_column`` (a link column on screen). ``download`` is the same table without
    the links, as the CSV / Excel buttons give it."""

    frame: pd.DataFrame
    link_column: str
    # columns the download keeps but the screen leaves out (a wide table at 1366×768)
    off_screen: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.frame.empty

    @property
    def shown(self) -> pd.DataFrame:
        """The table as the screen shows it: without the ``off_screen`` columns."""
        return self.frame.drop(columns=[c for c in self.off_screen if c in self.frame.columns])

    @property
    def download(self) -> pd.DataFrame:
        return self.frame.drop(columns=[self.link_column])


def linked(frame: pd.DataFrame, lang: str) -> LinkedTable:
    """``frame`` (headers already translated) with its dossier-link column named for ``lang``."""
    return LinkedTable(frame, t("prog_open_dossier", lang))


def vlabel(value, lang: str = "zh") -> str:
    """A vocabulary value's name: this feature's own words first, then the shared labels."""
    key = f"prog_v_{value}"
    return t(key, lang) if key in STRINGS else label(str(value), lang)


def named(frame: pd.DataFrame, col: str, lang: str) -> pd.Series:
    """The names of the vocabulary values in ``frame[col]``; an empty value shows as a dash."""
    return frame[col].map(lambda v: vlabel(v, lang) if v != "" else "—")


def dossier_link(project_id: int, query: dict[str, str] | None = None) -> str:
    """The dossier URL of a project, carrying the current filters so the view holds."""
    params = {"project": str(int(project_id))}
    params.update({k: v for k, v in (query or {}).items() if k != "project"})
    return "/dossier?" + urlencode(params)


def name_columns(frame: pd.DataFrame, projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Adds school, county, province and university names to rows keyed by project_id."""
    cols = [
        "project_id",
        "school_zh",
        "county_zh",
        "province_short",
        "province_en",
        "university_zh",
        "university_en",
        "provenance",
    ]
    return frame.merge(projects[cols], on="project_id", how="left")


def province_name(row_or_frame, lang: str):
    return row_or_frame["province_en" if lang == "en" else "province_short"]


def university_name(row_or_frame, lang: str):
    return row_or_frame["university_en" if lang == "en" else "university_zh"]


def header(frame: pd.DataFrame, keys: dict[str, str], lang: str) -> pd.DataFrame:
    """Keep the listed columns, renamed to their translated headers (strings key per column)."""
    return (
        frame[list(keys)]
        .rename(columns={c: t(k, lang) for c, k in keys.items()})
        .reset_index(drop=True)
    )


def done_text(done, precision) -> str:
    """A milestone's done date as shown: the month only when only the month is known."""
    if done is None or pd.isna(done):
        return ""
    return pd.Timestamp(done).strftime("%Y-%m" if precision == "month" else "%Y-%m-%d")


def simulated_note(prov_counts: pd.DataFrame, projects: pd.DataFrame, lang: str) -> str | None:
    """The sentence saying how much of the view is simulated (None when nothing is)."""
    n = (
        int(prov_counts.loc[prov_counts["provenance"] == "simulated", "n"].sum())
        if len(prov_counts)
        else 0
    )
    p = int((projects["provenance"] == "simulated").sum())
    return t("prog_simulated_note", lang, n=f"{n:,}", p=p) if (n or p) else None


def project_names(
    frame: pd.DataFrame, projects: pd.DataFrame, lang: str, link_query: dict | None = None
) -> pd.DataFrame:
    """Province, county, school, university (and the dossier link) in front of per-project rows."""
    cols = [
        "project_id",
        "province_short",
        "province_en",
        "county_zh",
        "school_zh",
        "university_zh",
        "university_en",
        "provenance",
    ]
    cols = [
        c for c in cols if c == "project_id" or c not in frame.columns
    ]  # the row's own provenance wins
    out = frame.merge(projects[cols], on="project_id", how="inner")
    out["province"] = province_name(out, lang)
    out["university"] = university_name(out, lang)
    out["provenance_name"] = out["provenance"].map(lambda v: label(v, lang))
    out[LINK_COL] = [dossier_link(p, link_query) for p in out["project_id"]]
    return out


def outcome_figures(frame: pd.DataFrame, value_col: str, value_label: str, lang: str) -> list:
    """One trend chart per outcome indicator present in ``frame`` (school_year × ``value_col``),
    each in its indicator's colour, with the programme's start marked."""
    from .. import charts

    figs = []
    for i, ind in enumerate(OUTCOME_INDICATORS):
        part = frame[frame["indicator"] == ind]
        if len(part):
            unit = t(OUTCOME_UNITS.get(ind, "prog_unit_percent"), lang)
            figs.append(
                charts.trend_lines(
                    part,
                    "school_year",
                    value_col,
                    vlabel(ind, lang),
                    PROGRAMME_START_DATE.year,
                    t("prog_programme_start", lang),
                    t("prog_school_year", lang),
                    t("prog_axis_with_unit", lang, label=value_label, unit=unit),
                    color=list(charts.REGION_COLORS.values())[i],
                )
            )
    return figs
