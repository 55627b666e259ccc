"""The data-sources page's content: what is published, what is simulated, where maps come from;
who hosts (host universities, and the professional body counted apart); every published source
with its grade (``sources.source_grade``).

Counts come from the store in the viewer's scope; the published per-province totals from
``demo.PUBLISHED_TOTALS`` (the one place they are written down).
"""

from __future__ import annotations

import pandas as pd

from .demo import PUBLISHED_TOTALS
from .i18n import label, t
from .programme.tables import vlabel
from .scope import Filters, Viewer
from .sources import SourceGrade, host, source_grade
from .store import Store
from .vocab import Provenance

UNIVERSITY, SOCIETY = "university", "society"  # university.kind: a university, a professional body


def text(lang: str = "zh", n_published: int = 0, n_simulated: int = 0, totals: str = "") -> str:
    """The page's Markdown (strings key ``about_body``) with its figures filled in."""
    return t("about_body", lang, n_published=n_published, n_simulated=n_simulated, totals=totals)


def totals_text(store: Store, lang: str = "zh") -> str:
    """The published per-province totals, ``山西 5、内蒙古 5…`` / ``Shanxi 5, Inner Mongolia 5…``."""
    names = store.provinces().set_index("adcode")
    col = "name_en" if lang == "en" else "short_zh"
    parts = [f"{names.loc[code, col]} {n}" for code, n in PUBLISHED_TOTALS.items()]
    return t("about_list_sep", lang).join(parts)


def body(store: Store, viewer: Viewer, lang: str = "zh") -> str:
    """The page's Markdown for this viewer: the projects in scope counted by provenance."""
    projects = store.projects(viewer)
    return text(
        lang,
        n_published=int((projects["provenance"] == Provenance.PUBLISHED.value).sum()),
        n_simulated=int((projects["provenance"] == Provenance.SIMULATED.value).sum()),
        totals=totals_text(store, lang),
    )


def host_counts(store: Store, viewer: Viewer, filters: Filters | None = None) -> dict[str, int]:
    """Hosts and their schools in view, a professional body apart from the universities:
    ``universities``, ``university_schools``, ``bodies``, ``body_schools``."""
    projects = store.projects(viewer, filters)
    kind = store.universities().set_index("university_id")["kind"]
    host_kind = projects["university_id"].map(kind)
    uni, body_ = projects[host_kind == UNIVERSITY], projects[host_kind == SOCIETY]
    return {
        "universities": int(uni["university_id"].nunique()),
        "university_schools": len(uni),
        "bodies": int(body_["university_id"].nunique()),
        "body_schools": len(body_),
    }


def hosts_text(store: Store, viewer: Viewer, lang: str = "zh") -> str:
    """One sentence: N host universities and their schools, the professional body's apart."""
    counts = host_counts(store, viewer)
    unis = store.universities()
    names = unis.loc[unis["kind"] == SOCIETY, "name_en" if lang == "en" else "name_zh"]
    sep = t("about_list_sep", lang)
    return t("about_hosts", lang, body_names=sep.join(names) or "—", **counts)


def sources_table(
    store: Store, viewer: Viewer, filters: Filters | None = None, lang: str = "zh"
) -> pd.DataFrame:
    """Every source page the published projects in view cite: site, grade, page, projects."""
    projects = store.projects(viewer, filters)
    pub = projects[projects["provenance"] == Provenance.PUBLISHED.value]
    urls = pub["source_url"].dropna()
    urls = urls[urls != ""]
    counts = urls.value_counts(sort=False)
    grades = [source_grade(u) or SourceGrade.SECONDARY for u in counts.index]
    frame = pd.DataFrame(
        {
            "order": [list(SourceGrade).index(g) for g in grades],  # primary first
            "site": [host(u) for u in counts.index],
            "grade": [vlabel(g.value, lang) for g in grades],
            "url": list(counts.index),
            "n": counts.to_numpy(),
        }
    )
    frame = frame.sort_values(["order", "n", "site"], ascending=[True, False, True])
    return (
        frame.drop(columns="order")
        .rename(
            columns={
                "site": t("about_col_site", lang),
                "grade": t("prog_source_grade", lang),
                "url": t("about_col_source", lang),
                "n": t("about_col_projects", lang),
            }
        )
        .reset_index(drop=True)
    )


def grade_rule_text(store: Store, viewer: Viewer, lang: str = "zh") -> str:
    """The grading rule in words, with how many published projects in view have each grade."""
    projects = store.projects(viewer)
    pub = projects[projects["provenance"] == Provenance.PUBLISHED.value]
    grades = [source_grade(u) for u in pub["source_url"]]
    return t(
        "about_sources_rule",
        lang,
        primary=sum(g is SourceGrade.PRIMARY for g in grades),
        secondary=sum(g is SourceGrade.SECONDARY for g in grades),
    )


def provenance_table(
    store: Store, viewer: Viewer, filters: Filters | None, lang: str = "zh"
) -> pd.DataFrame:
    """How many projects and activity rows of each provenance the view holds, headed and
    named in ``lang``."""
    counts = store.provenance_counts(viewer, filters)
    counts["what"] = counts["what"].map(lambda w: t(f"about_v_{w}", lang))
    counts["provenance"] = counts["provenance"].map(lambda p: label(p, lang))
    return counts.rename(
        columns={
            "what": t("about_col_what", lang),
            "provenance": t("col_provenance", lang),
            "n": t("about_col_n", lang),
        }
    )
