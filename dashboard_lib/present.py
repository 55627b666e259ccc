"""The presenter deck's content: the programme's story as slides, from the same functions and
the same scoped queries as the pages, so a slide never says something a page does not.

Slides (``SLIDES``): title → programme in numbers → national map with the pairings → progress
and late items → teacher exchanges → internships → case spotlights (published events with their
sources) → the chosen province's own slide. A slide without data says so instead of an empty chart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import urlencode, urlparse

import geopandas as gpd
import pandas as pd

from . import deck_export, geo, maps, overview, programme
from .deck import ChartSpec, Slide
from .fmt import format_number
from .i18n import label, t
from .scope import Filters, Viewer
from .strings.deck import CASE_NOTES
from .urlstate import as_of_text
from .vocab import Provenance, Role

SLIDES = ("title", "numbers", "map", "progress", "exchanges", "internships", "cases", "province")
MAX_AUTOPLAY = 120


@dataclass(frozen=True)
class DeckChoice:
    """What the presenter chose: slides in order, a province (or none), auto-advance seconds."""

    slides: tuple[str, ...] = SLIDES
    province: int | None = None
    autoplay: int = 0
    as_of: date | None = None  # the sidebar's 数据截至 (None: the latest data)

    def query(self) -> dict[str, str]:
        """The choice as URL parameters, so a link reopens the same deck."""
        q = {"slides": ",".join(self.slides), "autoplay": str(self.autoplay)}
        if self.province is not None:
            q["province"] = str(self.province)
        if self.as_of is not None:
            q["asof"] = self.as_of.isoformat()
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
            return still_map(ReadOnce.unwrap(store), viewer, filters, projects, lang)
        except geo.GeoDataError:  # files then carry the slide without its picture
            return None

    return Slide(
        "map",
        t("deck_map", lang),
        _map_sub(store, projects, lang),
        map_html=fmap.get_root().render(),
        make_still=cache(still),
        note=t("map_caption", lang),
    )


def _map_sub(store, projects: pd.DataFrame, lang: str) -> str:
    """The map slide's line: projects, host universities, and a professional body apart (it
    hosts schools but is no university)."""
    kind = projects["university_id"].map(store.universities().set_index("university_id")["kind"])
    u = int(projects.loc[kind == "university", "university_id"].nunique())
    b = int(projects.loc[kind == "society", "university_id"].nunique())
    if b:
        return t("deck_map_sub_body", lang, n=len(projects), u=u, b=b)
    return t("deck_map_sub", lang, n=len(projects), u=u)


def map_left_out(slides: list[Slide], lang: str) -> str | None:
    """The sentence of a map slide that had to leave its map out (boundary data unreadable)."""
    for s in slides:
        if s.key == "map" and s.map_html is None and s.empty and s.empty != t("deck_no_data", lang):
            return s.empty
    return None


STILL_METRIC = "projects"  # what the still map is coloured by (the live map's default)
OTHER_COUNTY = "#eeeeee"  # a province's counties that are not helped
MAX_LINKED = 12  # universities named beside a province's map


def _classes(values: pd.Series, lang: str) -> tuple[list[float], list[tuple[str, str]]]:
    """The quantile classes of ``values`` and the legend's rows (colour, label)."""
    from .maps.classify import class_labels
    from .maps.national import value_text

    breaks = maps.quantile_breaks(values.tolist())
    rows = class_labels(breaks, values.tolist(), lambda v: value_text(STILL_METRIC, v, lang), lang)
    legend = [(maps.class_colour(i, len(breaks)), text) for i, text in rows]
    return breaks, legend


def _colour(value, breaks: list[float]) -> str:
    return maps.class_colour(maps.classify(float(value), breaks), len(breaks))


def _universities(projects: pd.DataFrame) -> pd.DataFrame:
    return (
        projects.drop_duplicates("university_id")
        .rename(columns={"university_lon": "lon", "university_lat": "lat"})
        .dropna(subset=["lon", "lat"])
    )


def _map_text(lang: str, title: str, **extra) -> deck_export.MapText:
    from .maps.national import legend_title

    return deck_export.MapText(
        title=title,
        legend_title=legend_title(STILL_METRIC, lang),
        source=t("deck_still_source", lang),
        north=t("deck_still_north", lang),
        km=t("deck_still_km", lang, n="{n}"),
        universities=t("deck_still_universities", lang),
        helped=t("deck_still_helped", lang),
        pairings=t("deck_still_pairings", lang),
        **extra,
    )


def still_map(store, viewer: Viewer, filters: Filters, projects: pd.DataFrame, lang: str = "zh"):
    """The map slide as a still picture for files, a map in its own right (title, legend with
    the no-data class, scale bar, north arrow, source line). National: provinces coloured by
    their number of projects (the live map's classes), the helped counties as dots, the host
    universities, the pairings as lines, the South China Sea inset. A province's deck (or a
    province official's): that province's counties, the helped ones coloured by their projects
    and outlined, the universities linked to it (named beside the map). Only made when a file
    is made."""
    area = overview.area_in_view(viewer, filters)
    if area is not None:
        return _province_still(store, viewer, filters, projects, lang, area)
    per = store.metrics(viewer, filters, by="province").rename(columns={"key": "adcode"})
    per = per[per[STILL_METRIC] > 0]
    breaks, legend = _classes(per[STILL_METRIC], lang)
    provinces = geo.load_provinces()
    ref = store.provinces()
    in_programme = set(ref.loc[ref["in_programme"].astype(bool), "adcode"].astype(int))
    seen = viewer.provinces
    colours: dict[int, str] = {}
    for code in provinces["adcode"].astype(int):
        if code not in in_programme or (seen is not None and code not in seen):
            colours[code] = maps.OUTSIDE
        else:
            colours[code] = maps.NO_DATA
    for code, value in zip(per["adcode"].astype(int), per[STILL_METRIC]):
        colours[code] = _colour(value, breaks)
    legend += [
        (maps.NO_DATA, t("legend_nodata", lang)),
        (maps.OUTSIDE, t("deck_still_outside", lang)),
    ]
    helped = (
        projects.drop_duplicates("county_adcode")
        .rename(columns={"county_lon": "lon", "county_lat": "lat"})
        .dropna(subset=["lon", "lat"])
    )
    return deck_export.map_figure(
        provinces,
        colours,
        legend,
        _map_text(lang, t("map_title", lang), inset=t("deck_still_inset", lang)),
        flows=projects,
        universities=_universities(projects),
        points=helped,
        outline=geo.load_outline(),
        on_top=(geo.CORPS_ADCODE,),
        inset=True,
    )


def _province_still(store, viewer, filters, projects, lang, code: int):
    counties = geo.load_counties([code])
    f = filters if filters.provinces else Filters(provinces=(code,))
    per = store.metrics(viewer, f, by="county").rename(columns={"key": "adcode"})
    per["adcode"] = per["adcode"].astype(int)
    helped = set(projects["county_adcode"].astype(int))
    per = per[per["adcode"].isin(helped) & (per[STILL_METRIC] > 0)]
    breaks, legend = _classes(per[STILL_METRIC], lang)
    colours = {
        int(c): (maps.NO_DATA if int(c) in helped else OTHER_COUNTY) for c in counties["adcode"]
    }
    for c, value in zip(per["adcode"], per[STILL_METRIC]):
        colours[int(c)] = _colour(value, breaks)
    legend += [
        (maps.NO_DATA, t("legend_nodata", lang)),
        (OTHER_COUNTY, t("deck_still_other_counties", lang)),
    ]
    full = geo.load_provinces()
    border = gpd.GeoDataFrame(
        full[full["adcode"] == code][["geometry"]].assign(layer="land"),
        geometry="geometry",
        crs=full.crs,
    )
    b = border.total_bounds if len(border) else counties.total_bounds
    unis = _universities(projects)
    names = list(unis["university_en" if lang == "en" else "university_zh"])
    per_line, most = (1, MAX_LINKED - 4) if lang == "en" else (3, MAX_LINKED)  # English is wider
    shown = names[:most]
    lines = [t("deck_still_linked", lang, n=len(names))]
    lines += ["、".join(shown[i : i + per_line]) for i in range(0, len(shown), per_line)]
    if len(names) > most:
        lines.append(t("deck_still_more", lang, n=len(names)))
    labels = (
        projects.drop_duplicates("county_adcode")
        .rename(columns={"county_lon": "lon", "county_lat": "lat", "county_zh": "name"})
        .dropna(subset=["lon", "lat"])
    )
    name = _province_name(store, code, lang)
    return deck_export.map_figure(
        counties,
        colours,
        legend,
        _map_text(lang, t("deck_still_title_province", lang, name=name), side="\n".join(lines)),
        bounds=(b[0] - 0.3, b[1] - 0.3, b[2] + 0.3, b[3] + 0.3),
        flows=projects,
        universities=unis,
        border=border,
        highlight=sorted(helped),
        labels=labels,
    )


def _progress(store, viewer, filters, lang):
    content = programme.progress_content(store, viewer, filters, lang)
    if content.projects.empty or content.ms_fig is None:
        return Slide("progress", t("deck_progress", lang), empty=t("deck_no_data", lang))
    late = len(content.late.frame) if content.late is not None else 0
    attention = len(content.attention.frame) if content.attention is not None else 0
    bullets = [
        t(
            "deck_flag_line",
            lang,
            school=f.school,
            reasons=_in_lang(first_reason(f.reasons, lang), lang),
        )
        for f in content.flagged[:3]
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


def first_reason(reasons: str, lang: str) -> str:
    """A flagged project's first (highest-weighted) reason, and how many more there are: one
    line per project on a slide, even on a 4:3 projector; the page lists them all."""
    parts = [r for r in reasons.split(t("prog_reason_sep", lang)) if r.strip()]
    if len(parts) <= 1:
        return reasons
    return parts[0] + t("deck_more_reasons", lang, n=len(parts) - 1)


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
    filters = Filters(
        provinces=(choice.province,) if choice.province is not None else (), as_of=choice.as_of
    )
    # the title line says the day the deck shows: the chosen as-of day, else the data's date
    as_of = as_of_text(choice.as_of, lang) if choice.as_of else store.meta().get("as_of", "")
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


def as_of_label(store, lang: str, as_of: date | None = None) -> str:
    """The deck's and the files' date line: the chosen as-of day, else the data's own date."""
    day = as_of_text(as_of, lang) if as_of is not None else store.meta().get("as_of", "")
    return t("as_of", lang, date=day)


def viewer_unit(store, viewer: Viewer, lang: str = "zh") -> str:
    """The unit a viewer's files are authored by: 教育部 for a ministry user, the province's
    name (甘肃省) for a province official, the university's name for a coordinator, the
    programme's name for presenters and the open demo."""
    if viewer.role is Role.MINISTRY and not viewer.read_only:
        return t("deck_author_ministry", lang)
    if viewer.role is Role.PROVINCE and viewer.provinces:
        sep = ", " if lang == "en" else "、"
        return sep.join(_province_name(store, int(c), lang) for c in sorted(viewer.provinces))
    if viewer.role is Role.UNIVERSITY and viewer.universities:
        unis = store.universities().set_index("university_id")
        col = "name_en" if lang == "en" else "name_zh"
        names = [str(unis.at[u, col]) for u in sorted(viewer.universities) if u in unis.index]
        if names:
            return (", " if lang == "en" else "、").join(names)
    return t("deck_file_author", lang)


def file_name(store, choice: DeckChoice, lang: str, ext: str, kind: str = "deck") -> str:
    """A download's name in the user's language: 托管帮扶_甘肃省_2026-11-28.pptx,
    xz-deck-gansu-2026-11-28.pptx (``kind``: deck, report or png)."""
    if choice.province is None:
        area = t("deck_file_national", lang)
    elif lang == "en":
        area = re.sub(r"[^a-z0-9]+", "-", _province_name(store, choice.province, "en").lower())
        area = area.strip("-") or str(choice.province)
    else:
        area = _province_name(store, choice.province, "zh")
    date = str(store.meta().get("as_of", "")) or "undated"
    key = {"deck": "deck_file_name", "report": "deck_report_file_name", "png": "deck_png_file_name"}
    return f"{t(key[kind], lang, area=area, date=date)}.{ext}"


def province_report_pdf(
    store,
    viewer: Viewer,
    province: int,
    lang: str = "zh",
    progress: deck_export.Progress | None = None,
    as_of: date | None = None,
) -> bytes:
    """One page for a province official: its figures, milestones chart, projects needing
    attention and the project list, printed by the local Chromium (as of ``as_of``, when given,
    and so titled)."""
    choice = DeckChoice(("numbers", "progress", "province"), province, 0, as_of)
    slides = build_deck(store, viewer, choice, lang)
    name = _province_name(store, province, lang)
    numbers, progress_slide, own = slides
    page = Slide(
        "report",
        t("deck_report_title", lang, name=name),
        as_of_label(store, lang, as_of),
        numbers=numbers.numbers,
        figure=progress_slide.figure,
        empty=progress_slide.empty,
        bullets=progress_slide.bullets,
        table=own.table,
        note=numbers.note,
    )
    return deck_export.make_pdf(
        [page],
        as_of_label(store, lang, as_of),
        lang=lang,
        author=viewer_unit(store, viewer, lang),
        progress=progress,
        page_css=deck_export.REPORT_CSS,
        image_size=(1100, 300),
    )
