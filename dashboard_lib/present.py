"""The presenter deck's content: the programme's story as slides, from the same functions and
the same scoped queries as the pages, so a slide never says something a page does not.

Slides (``SLIDES``): title → programme in numbers → national map with the pairings → progress
and late items → teacher exchanges → internships → case spotlights (published events with their
sources) → the chosen province's own slide. A slide without data says so instead of an empty chart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode, urlparse

import pandas as pd

from . import deck_export, geo, maps, overview, programme
from .deck import ChartSpec, Slide
from .fmt import format_number
from .i18n import label, t
from .scope import Filters, Viewer
from .strings.deck import CASE_NOTES
from .vocab import Provenance

SLIDES = ("title", "numbers", "map", "progress", "exchanges", "internships", "cases", "province")
MAX_AUTOPLAY = 120


@dataclass(frozen=True)
class DeckChoice:
    """What the presenter chose: slides in order, a province (or none), auto-advance seconds."""

    slides: tuple[str, ...] = SLIDES
    province: int | None = None
    autoplay: int = 0

    def query(self) -> dict[str, str]:
        """The choice as URL parameters, so a link reopens the same deck."""
        q = {"slides": ",".join(self.slides), "autoplay": str(self.autoplay)}
        if self.province is not None:
            q["province"] = str(self.province)
        return q

    def link(self, base: str = "/presenter") -> str:
        return f"{base}?{urlencode(self.query())}"


def parse_choice(params: dict, allowed_provinces: set[int]) -> tuple[DeckChoice, list[str]]:
    """A DeckChoice from untrusted URL parameters, and the keys of what was refused."""
    problems: list[str] = []
    raw = params.get("slides")
    slides = tuple(s for s in (raw.split(",") if raw else SLIDES) if s in SLIDES)
    if raw and len(slides) != len([s for s in raw.split(",") if s]):
        problems.append("deck_unknown_slide")
    province = None
    if params.get("province"):
        try:
            province = int(params["province"])
        except ValueError:
            province = -1
        if province not in allowed_provinces:
            problems.append("out_of_scope")
            province = None
    try:
        autoplay = min(max(int(params.get("autoplay", 0)), 0), MAX_AUTOPLAY)
    except ValueError:
        autoplay = 0
    return DeckChoice(slides or SLIDES, province, autoplay), problems


def _fmt(value: float) -> str:
    return format_number(value, whole_from=100)


def _province_name(store, code: int, lang: str) -> str:
    row = store.provinces().set_index("adcode").loc[code]
    return row["name_en"] if lang == "en" else row["name_zh"]


def _title(store, viewer, filters, lang, as_of, province_name):
    sub = t("app_subtitle", lang)
    return Slide(
        "title",
        t("app_title", lang),
        province_name or sub,
        bullets=[t("deck_title_notice_text", lang), t("as_of", lang, date=as_of)],
        note=overview.provenance_banner(store, viewer, filters, lang) or "",
    )


def _numbers(store, viewer, filters, lang):
    cards = overview.kpis(store, viewer, filters, lang)
    return Slide(
        "numbers",
        t("deck_numbers", lang),
        numbers=[(k.label, k.value) for k in cards],
        note=overview.provenance_banner(store, viewer, filters, lang) or "",
    )


def _geo_file(exc: Exception) -> str:
    """The name of the boundary file a ``GeoDataError`` is about (for the one sentence)."""
    found = re.search(r"([\w.-]+\.(?:parquet|csv))", str(exc))
    return found.group(1) if found else "data/geo"


def _map(store, viewer, filters, lang):
    projects = store.projects(viewer, filters)
    if projects.empty:
        return Slide("map", t("deck_map", lang), empty=t("deck_no_data", lang))
    try:
        fmap, _ = overview.overview_map(store, viewer, filters, "projects", lang, projects)
    except geo.GeoDataError as exc:  # a damaged boundary file costs the map, not the deck
        return Slide(
            "map", t("deck_map", lang), empty=t("geo_map_left_out", lang, file=_geo_file(exc))
        )

    def still():
        try:
            return still_map(ReadOnce.unwrap(store), viewer, filters, projects)
        except geo.GeoDataError:  # files then carry the slide without its picture
            return None

    return Slide(
        "map",
        t("deck_map", lang),
        t("deck_map_sub", lang, n=len(projects), u=projects["university_id"].nunique()),
        map_html=fmap.get_root().render(),
        make_still=cache(still),
        note=t("map_caption", lang),
    )


def map_left_out(slides: list[Slide], lang: str) -> str | None:
    """The sentence of a map slide that had to leave its map out (boundary data unreadable)."""
    for s in slides:
        if s.key == "map" and s.map_html is None and s.empty and s.empty != t("deck_no_data", lang):
            return s.empty
    return None


def still_map(store, viewer: Viewer, filters: Filters, projects: pd.DataFrame):
    """The map slide as a still picture for files: provinces coloured by their number of
    projects (the live map's classes), the pairings as lines. Only made when a file is made."""
    per = store.metrics(viewer, filters, by="province").rename(columns={"key": "adcode"})
    breaks = maps.quantile_breaks(per["projects"].tolist())
    colours = {
        int(c): maps.class_colour(maps.classify(float(v), breaks), len(breaks))
        for c, v in zip(per["adcode"], per["projects"])
    }
    return deck_export.map_figure(geo.load_provinces(), colours, projects, geo.load_outline())


def _progress(store, viewer, filters, lang):
    content = programme.progress_content(store, viewer, filters, lang)
    if content.projects.empty or content.ms_fig is None:
        return Slide("progress", t("deck_progress", lang), empty=t("deck_no_data", lang))
    late = len(content.late.frame) if content.late is not None else 0
    attention = len(content.attention.frame) if content.attention is not None else 0
    bullets = [
        t("deck_flag_line", lang, school=f.school, reasons=_in_lang(f.reasons, lang))
        for f in content.flagged[:4]
    ]
    return Slide(
        "progress",
        t("deck_progress", lang),
        numbers=[
            (t("deck_late_items", lang), f"{late:,}"),
            (t("deck_attention", lang), f"{attention:,}"),
        ],
        figure=content.ms_fig,
        chart=ChartSpec.from_figure(
            content.ms_fig, t("deck_axis_milestone", lang), t("deck_axis_projects", lang)
        ),
        table=content.ms_table,
        bullets=bullets,
        note=content.note or "",
    )


def _exchanges(store, viewer, filters, lang):
    content = programme.exchanges_content(store, viewer, filters, lang)
    kpis = content.kpis
    if not kpis or not any(v for _, v in kpis):
        return Slide("exchanges", t("deck_exchanges", lang), empty=t("deck_no_data", lang))
    return Slide(
        "exchanges",
        t("deck_exchanges", lang),
        numbers=[(t(k, lang), _fmt(v)) for k, v in kpis[:4]],
        figure=content.timeline_fig,
        chart=ChartSpec.from_figure(
            content.timeline_fig, t("deck_axis_term", lang), t("deck_axis_people", lang)
        ),
        table=content.by_province,
        note=content.note or "",
    )


def _internships(store, viewer, filters, lang):
    content = programme.internships_content(store, viewer, filters, lang)
    kpis = content.kpis
    if not kpis or not kpis[0][1]:
        return Slide(
            "internships", t("deck_internships_heading", lang), empty=t("deck_no_data", lang)
        )
    return Slide(
        "internships",
        t("deck_internships_heading", lang),
        numbers=[(t(k, lang), _fmt(v)) for k, v in kpis[:4]],
        figure=content.level_fig,
        chart=ChartSpec.from_figure(
            content.level_fig, t("deck_axis_term", lang), t("deck_axis_people", lang)
        ),
        table=content.by_level_term,
        note=content.note or "",
    )


def published_cases(store, viewer: Viewer, filters: Filters, lang: str) -> pd.DataFrame:
    """Published events in scope, newest first: date, university, school, what, source."""
    pub = Filters(
        provinces=filters.provinces,
        prefectures=filters.prefectures,
        universities=filters.universities,
        provenance=(Provenance.PUBLISHED.value,),
    )
    acts = store.activities(viewer, pub)
    ms = store.milestones(
        viewer, Filters(provinces=filters.provinces, universities=filters.universities)
    )
    ms = ms[ms["provenance"] == Provenance.PUBLISHED.value]
    projects = store.projects(
        viewer, Filters(provinces=filters.provinces, universities=filters.universities)
    ).set_index("project_id")
    rows = []
    for r in acts.itertuples(index=False):
        rows.append(
            (
                r.start_date,
                r.date_precision,
                r.project_id,
                _kind(r.kind, lang),
                r.note,
                r.people,
                r.source_url,
            )
        )
    for r in ms.itertuples(index=False):
        rows.append(
            (
                r.done_date,
                r.date_precision,
                r.project_id,
                t(f"deck_ms_{r.kind}", lang),
                r.note,
                None,
                r.source_url,
            )
        )
    out = pd.DataFrame(
        rows, columns=["date", "precision", "project_id", "what", "note", "people", "source_url"]
    )
    out = out[out["project_id"].isin(projects.index)]
    uni_col = "university_en" if lang == "en" else "university_zh"
    out["university"] = out["project_id"].map(projects[uni_col])
    out["school"] = out["project_id"].map(projects["school_zh"])
    out["when"] = [overview.format_date(d, p) for d, p in zip(out["date"], out["precision"])]
    return out.sort_values("date", ascending=False).reset_index(drop=True)


def _kind(kind: str, lang: str) -> str:
    """An activity kind's name in the deck's one language (the app's English name of an
    internship keeps the Chinese word 支教)."""
    return t("deck_kind_internship", lang) if kind == "internship" else label(kind, lang)


_LATIN_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,]+[A-Za-z][A-Za-z'’-]*){2,}")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_PUNCT = str.maketrans({"、": ", ", "；": "; ", "：": ": ", "（": " (", "）": ")"})


def _in_lang(text: str, lang: str) -> str:
    """Text built by other modules, with the deck's punctuation (an English deck joins terms
    with ", " rather than "、")."""
    return text.translate(_EN_PUNCT).replace("  ", " ") if lang == "en" else text


def case_note(note: str | None, lang: str) -> str:
    """A published event's note in the deck's language: the known notes have both texts
    (strings/deck.py); another note is shown only where it is in the deck's language."""
    if not note:
        return ""
    key = CASE_NOTES.get(note.strip())
    if key is not None:
        return t(key, lang)
    if lang == "en":
        return "" if _CJK.search(note) else note
    return "" if _LATIN_WORDS.search(note) else note


def _cases(store, viewer, filters, lang):
    cases = published_cases(store, viewer, filters, lang)
    if cases.empty:
        return Slide("cases", t("deck_cases", lang), empty=t("deck_no_cases", lang))
    bullets, links = [], []
    for r in cases.head(6).itertuples(index=False):
        people = t("deck_case_people", lang, n=int(r.people)) if pd.notna(r.people) else ""
        note = case_note(r.note, lang)
        bullets.append(
            f"{r.when} · {r.university} → {r.school} · {r.what}{people}"
            + (t("deck_case_note", lang, note=note) if note else "")
        )
    for url in dict.fromkeys(cases["source_url"].head(6)):
        links.append((f"{t('deck_source', lang)} · {urlparse(url).hostname or url}", url))
    return Slide(
        "cases",
        t("deck_cases", lang),
        t("deck_cases_sub", lang, n=len(cases)),
        bullets=bullets,
        links=links,
        note=t("deck_cases_note", lang),
    )


def _province(store, viewer, filters, lang, province):
    if province is None:
        return Slide(
            "province",
            t("deck_province", lang),
            empty=t("deck_pick_province", lang),
            placeholder=True,
        )
    f = Filters(provinces=(province,))
    projects = store.projects(viewer, f)
    name = _province_name(store, province, lang)
    if projects.empty:
        return Slide(
            "province", t("deck_province_of", lang, name=name), empty=t("deck_no_data", lang)
        )
    cards = overview.kpis(store, viewer, f, lang)
    table = overview.project_table(projects, lang).drop(columns=[t("col_source", lang)])
    return Slide(
        "province",
        t("deck_province_of", lang, name=name),
        numbers=[(k.label, k.value) for k in cards[:4]],
        table=table,
        bullets=[
            f"{r.county_zh} · {r.school_zh} ← {r.university_en if lang == 'en' else r.university_zh}"
            for r in projects.head(8).itertuples(index=False)
        ],
        note=overview.provenance_banner(store, viewer, f, lang) or "",
    )


class ReadOnce:
    """The store as one deck build sees it: a read asked again with the same arguments (the KPI
    cards of two slides, the project list of four, the provenance banner of three) is answered
    from the first answer instead of querying again. Frames are handed out as copies, since
    callers add columns to what they get. Everything else goes to the store unchanged."""

    READS = frozenset(
        {
            "as_of",
            "meta",
            "metrics",
            "programme_projects",
            "projects",
            "provenance_counts",
            "provinces",
        }
    )

    def __init__(self, store):
        self._store = store
        self._answers: dict = {}

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if name not in self.READS:
            return attr

        def read(*args, **kwargs):
            key = (name, args, tuple(sorted(kwargs.items())))
            if key not in self._answers:
                self._answers[key] = attr(*args, **kwargs)
            value = self._answers[key]
            return value.copy() if isinstance(value, (pd.DataFrame, dict)) else value

        return read

    @staticmethod
    def unwrap(store):
        """The store itself (for work done after the build, such as a file's still map)."""
        return store._store if isinstance(store, ReadOnce) else store


def build_deck(store, viewer: Viewer, choice: DeckChoice, lang: str = "zh") -> list[Slide]:
    """The slides of ``choice`` for ``viewer``: the province filter narrows every slide."""
    store = ReadOnce(store)
    filters = Filters(provinces=(choice.province,)) if choice.province is not None else Filters()
    as_of = store.meta().get("as_of", "")
    province_name = (
        _province_name(store, choice.province, lang) if choice.province is not None else ""
    )
    makers = {
        "title": lambda: _title(store, viewer, filters, lang, as_of, province_name),
        "numbers": lambda: _numbers(store, viewer, filters, lang),
        "map": lambda: _map(store, viewer, filters, lang),
        "progress": lambda: _progress(store, viewer, filters, lang),
        "exchanges": lambda: _exchanges(store, viewer, filters, lang),
        "internships": lambda: _internships(store, viewer, filters, lang),
        "cases": lambda: _cases(store, viewer, filters, lang),
        "province": lambda: _province(store, viewer, filters, lang, choice.province),
    }
    return [makers[key]() for key in choice.slides]


def as_of_label(store, lang: str) -> str:
    return t("as_of", lang, date=store.meta().get("as_of", ""))


def province_report_pdf(store, viewer: Viewer, province: int, lang: str = "zh") -> bytes:
    """One page for a province official: its figures, milestones chart, projects needing
    attention and the project list, printed by the local Chromium."""
    choice = DeckChoice(("numbers", "progress", "province"), province, 0)
    slides = build_deck(store, viewer, choice, lang)
    name = _province_name(store, province, lang)
    numbers, progress, own = slides
    page = Slide(
        "report",
        t("deck_report_title", lang, name=name),
        t("as_of", lang, date=store.meta().get("as_of", "")),
        numbers=numbers.numbers,
        figure=progress.figure,
        empty=progress.empty,
        bullets=progress.bullets,
        table=own.table,
        note=numbers.note,
    )
    images, _ = deck_export.slide_images([page], width=1100, height=300)
    return deck_export.html_to_pdf(
        deck_export.print_html(
            [page], as_of_label(store, lang), images, page_css=deck_export.REPORT_CSS
        )
    )
