"""The programme views' domain logic (issue 4), pure pandas: milestones against deadlines, the
3-year cycle, activity against a stated expectation, the "needs attention" ranking, and the
tables the pages show and download. No Streamlit, no SQL (the store gives the frames); the
school calendar (terms, the programme's dates) is ``dashboard_lib.school_calendar``.

- ``tables``: shared names, headers, dossier links, ``LinkedTable``
- ``milestones``: milestone status against deadlines, the cycle position
- ``attention``: the expectation and the "needs attention" ranking
- ``progress`` / ``exchanges`` / ``internships``: each page's content as a frozen dataclass
- ``dossier``: one project's page as a frozen dataclass, and which project it shows
"""

from __future__ import annotations

from ..school_calendar import (
    FIRST_TERM,
    assessed_terms,
    next_term,
    term_bounds,
    term_code,
    term_label,
    terms_until,
)
from .attention import EXPECT, Expectation, activity_grid, needs_attention
from .dossier import (
    Dossier,
    Pick,
    PickState,
    describe_activity,
    dossier_content,
    pick_labels,
    pick_project,
)
from .exchanges import (
    EXCHANGE_KINDS,
    EXCHANGE_MEASURES,
    Exchanges,
    exchange_people,
    exchanges_content,
)
from .internships import Internships, internships_content
from .milestones import cycle_position, effective_date, milestone_counts, milestone_status
from .progress import Flagged, Progress, progress_content
from .tables import (
    KIND_ORDER,
    LINK_COL,
    PROJECT_KEYS,
    LinkedTable,
    dossier_link,
    header,
    name_columns,
    outcome_figures,
    project_names,
    province_name,
    simulated_note,
    university_name,
    vlabel,
)

__all__ = [
    "EXCHANGE_KINDS",
    "EXCHANGE_MEASURES",
    "EXPECT",
    "FIRST_TERM",
    "KIND_ORDER",
    "LINK_COL",
    "PROJECT_KEYS",
    "Dossier",
    "Exchanges",
    "Expectation",
    "Flagged",
    "Internships",
    "LinkedTable",
    "Pick",
    "PickState",
    "Progress",
    "activity_grid",
    "assessed_terms",
    "cycle_position",
    "describe_activity",
    "dossier_content",
    "dossier_link",
    "effective_date",
    "exchange_people",
    "exchanges_content",
    "header",
    "internships_content",
    "milestone_counts",
    "milestone_status",
    "name_columns",
    "needs_attention",
    "next_term",
    "outcome_figures",
    "pick_labels",
    "pick_project",
    "progress_content",
    "project_names",
    "province_name",
    "simulated_note",
    "term_bounds",
    "term_code",
    "term_label",
    "terms_until",
    "university_name",
    "vlabel",
]
