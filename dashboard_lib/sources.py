"""How good a published source is: the grading rule for the pages ``data/published/`` cites.

A source is **primary** when the page is the issuer's own: a government or education-bureau
site (``*.gov.cn``), a university's or school's site (``*.edu.cn``, or a school/university
domain listed in ``PRIMARY_HOSTS``). Everything else is **secondary**: news aggregators,
commercial sites, link shorteners and re-posts, which copy a primary page at best. The rule is
by the URL's host alone, so it is the same wherever the grade shows (the dossier, the data-sources
page) and the ``source_grade`` column of ``data/published/*.csv`` is checked against it.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit


class SourceGrade(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


# a host ending in one of these (the suffix itself or a sub-domain of it) is the issuer's own
PRIMARY_SUFFIXES = ("gov.cn", "edu.cn")
# schools and universities whose own site is outside edu.cn (none cited yet; add with a reason)
PRIMARY_HOSTS: frozenset[str] = frozenset()


def host(url: str) -> str:
    """The URL's host name, lower case, without a port or a trailing dot ('' if none)."""
    try:
        name = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return name.rstrip(".").lower()


def _within(name: str, domain: str) -> bool:
    return name == domain or name.endswith("." + domain)


def source_grade(url: str | None) -> SourceGrade | None:
    """The grade of the page at ``url``; None when there is no URL (simulated or imported)."""
    if not isinstance(url, str) or not url.strip():
        return None
    name = host(url)
    if any(_within(name, d) for d in (*PRIMARY_SUFFIXES, *PRIMARY_HOSTS)):
        return SourceGrade.PRIMARY
    return SourceGrade.SECONDARY
