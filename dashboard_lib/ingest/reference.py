"""The reference data validation looks names up in: provinces (and the Corps), counties,
universities and the projects in the viewer's scope, matched by name with the closest names
offered when nothing matches.

The store reads the tables (``Store.ingest_reference`` returns a ``store.ingest.ReferenceData``);
``Reference`` adds the lookups, ``load_reference`` does both.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .. import geo
from ..scope import Viewer
from ..store.ingest import ReferenceData
from ..vocab import CORPS_ADCODE, XINJIANG_ADCODE
from .values import _key, norm_text


def _scope_problem(viewer: Viewer, province: int | None, university: int | None) -> bool:
    if province is not None and viewer.provinces is not None and province not in viewer.provinces:
        return True
    if (
        university is not None
        and viewer.universities is not None
        and university not in viewer.universities
    ):
        return True
    return False


@dataclass
class Reference(ReferenceData):
    """What validation needs from the database (read by ``Store.ingest_reference``), with the
    lookups by name."""

    def __post_init__(self):
        self._prov: dict[str, int] = {}
        for r in self.provinces.itertuples():
            for n in (r.name_zh, r.short_zh, r.name_en):
                self._prov[_key(n)] = int(r.adcode)
            self._prov[_key(str(r.adcode))] = int(r.adcode)
        for alias in (
            "兵团",
            "新疆兵团",
            "建设兵团",
            "xpcc",
            "corps",
            "thecorps",
            "新疆生产建设兵团",
        ):
            self._prov[_key(alias)] = CORPS_ADCODE
        self._prov[_key("新疆")] = XINJIANG_ADCODE
        self._uni: dict[str, int] = {}
        for r in self.universities.itertuples():
            self._uni[_key(r.name_zh)] = int(r.university_id)
            if isinstance(r.name_en, str) and r.name_en:
                self._uni[_key(r.name_en)] = int(r.university_id)
        self._uni_names = {int(r.university_id): r.name_zh for r in self.universities.itertuples()}
        self._county_ok = set(int(a) for a in self.counties["adcode"])
        self._county_name = {
            int(a): n for a, n in zip(self.counties["adcode"], self.counties["name_zh"])
        }
        self._county_pref = {
            int(a): p for a, p in zip(self.counties["adcode"], self.counties["prefecture_zh"])
        }
        self._schools: dict[str, list[int]] = {}
        for r in self.projects.itertuples():
            self._schools.setdefault(_key(r.school_zh), []).append(int(r.project_id))
        self._proj = {int(r.project_id): r for r in self.projects.itertuples()}
        self._by_school_county = {
            (_key(r.school_zh), int(r.county_adcode)): int(r.project_id)
            for r in self.projects.itertuples()
        }
        self._county_prov = {
            int(a): int(p)
            for a, p in zip(self.counties["adcode"], self.counties["province_adcode"])
        }
        out = (
            self.outside
            if self.outside is not None
            else pd.DataFrame(columns=["school_zh", "county_adcode"])
        )
        self._outside = {(_key(s), int(c)) for s, c in zip(out["school_zh"], out["county_adcode"])}

    def project_in_scope(self, pid: int, viewer: Viewer) -> bool:
        """Project ``pid`` is one of the reference's projects and inside ``viewer``'s scope."""
        p = self._proj.get(int(pid))
        return p is not None and not _scope_problem(
            viewer, int(p.province_adcode), int(p.university_id)
        )

    def province(self, text: str) -> int | None:
        return self._prov.get(_key(text))

    def province_candidates(self, text: str) -> list[str]:
        names = list(self.provinces["name_zh"])
        return difflib.get_close_matches(norm_text(text), names, n=3, cutoff=0.3)

    def university(self, text: str) -> int | None:
        return self._uni.get(_key(text))

    def university_candidates(self, text: str) -> list[str]:
        return difflib.get_close_matches(
            norm_text(text), list(self._uni_names.values()), n=3, cutoff=0.4
        )

    def county(self, text: str, province: int) -> tuple[list[int], list[str]]:
        """(matching adcodes present in the database, closest names when there is no single match)."""
        s = norm_text(text)
        if re.fullmatch(r"\d{6}", s):
            code = geo.current_adcode(int(s))
            found = [code] if code in self._county_ok and geo._province_of(code) == province else []
        else:
            try:
                found = sorted({geo.current_adcode(a) for a in geo.resolve_county(s, province)})
            except geo.GeoDataError:
                found = []
            if not found:  # the database may know counties the reference file does not
                found = sorted(
                    a
                    for a, n in self._county_name.items()
                    if n == s and geo._province_of(a) == province
                )
            found = [a for a in found if a in self._county_ok]
        if len(found) == 1:
            return found, []
        pool = {n: a for a, n in self._county_name.items() if geo._province_of(a) == province}
        if found:
            return found, [self._county_name[a] for a in found]
        return [], difflib.get_close_matches(s, list(pool), n=3, cutoff=0.3)

    def project_for_school(
        self, school: str, university: int | None
    ) -> tuple[list[int], list[str]]:
        ids = self._schools.get(_key(school), [])
        if university is not None and len(ids) > 1:
            ids = [i for i in ids if int(self._proj[i].university_id) == university] or ids
        if ids:
            return ids, []
        names = [r.school_zh for r in self._proj.values()]
        return [], difflib.get_close_matches(norm_text(school), names, n=3, cutoff=0.4)

    @classmethod
    def of(cls, data: ReferenceData) -> Reference:
        """The lookups over the tables the store read (a ``Reference`` is returned as it is)."""
        if isinstance(data, Reference):
            return data
        return cls(
            data.provinces,
            data.counties,
            data.universities,
            data.projects,
            data.existing_keys,
            data.today,
            data.outside,
            data.cycles,
            outcome_values=data.outcome_values,  # issue 16: the data-quality rules' previous year
        )


def load_reference(store, viewer: Viewer, kind: str, today: date | None = None) -> Reference:
    """The reference for checking rows of ``kind`` for ``viewer`` (``Store.ingest_reference``)."""
    return Reference.of(store.ingest_reference(viewer, kind, today))
