"""The entry form's option lists (``ingest.form_options``): labels in the user's language, values
the same canonical ones in both, so what the database stores never depends on the language. Once
as data, once through ``entry_preview`` on the small database, once through the entry page in
Streamlit's AppTest in Chinese and in English."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import AS_OF, make_tiny
from conftest import run_page as run

from dashboard_lib import build, ingest, ui
from dashboard_lib.ingest import entry
from dashboard_lib.ingest.values import _lookup_name
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store

TODAY = date(2026, 11, 28)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
NAMES = {
    "mode": ingest.MODE_NAMES,
    "level": ingest.LEVEL_NAMES,
    "indicator": ingest.INDICATOR_NAMES,
}
# what the Chinese form offered before the option lists moved out of the page
CHINESE_BEFORE = {
    "mode": ["", "现场", "线上"],  # 现场 as everywhere else, not 线下 (issue 13)
    "level": ["", "本科", "硕士", "博士"],
    "indicator": ["在校生数", "骨干教师留任率", "本科上线率"],
}


@pytest.mark.parametrize("f", ingest.FORM_CHOICE_FIELDS)
def test_english_options_have_no_chinese_and_the_same_values(f):
    zh, en = ingest.form_options(f, "zh"), ingest.form_options(f, "en")
    assert list(en) == list(zh)  # the same stored values, in the same order
    for value, text in en.items():
        assert not CJK.search(text), (f, value, text)
        assert bool(text) == bool(value)  # only 'not given' is blank
    assert list(zh.values()) == CHINESE_BEFORE[f]  # the Chinese form reads as before
    for value, zh_text in zh.items():
        if not value:
            continue
        # the value the form now passes, and the Chinese text it passed before, store the same
        assert _lookup_name(value, NAMES[f]) == value
        assert _lookup_name(zh_text, NAMES[f]) == value
        assert _lookup_name(en[value], NAMES[f]) in (None, value)


@pytest.fixture
def tiny(tmp_path):
    s = make_tiny(tmp_path / "forms.duckdb")
    yield s
    s.close()


def test_entry_preview_stores_the_same_values_in_either_language(tiny):
    lzu = Viewer.university([1], name="lzu")
    projects = tiny.projects(lzu)
    stored = {}
    for lang in ("zh", "en"):
        for f, kind, values in (
            ("mode", "training", {"start_date": date(2024, 3, 5), "participants": 30}),
            ("level", "internship", {"start_date": date(2024, 3, 5), "people": 4}),
            ("indicator", "outcome", {"school_year": 2024, "value": 50}),
        ):
            for value in ingest.form_options(f, lang):
                pv = ingest.entry_preview(
                    tiny, lzu, kind, projects, 1, {**values, f: value}, today=TODAY
                )
                assert not pv.problems, (lang, f, value, pv.problems)
                row = pv.accepted.iloc[0]
                stored.setdefault((f, value), set()).add(row.get(f))
    for (f, value), got in stored.items():
        assert got == {value or None}, (f, value, got)  # blank: not given, as always


@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    path = tmp_path / "entry.duckdb"
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    monkeypatch.setenv("XZ_DB_PATH", str(path))
    return path


def test_entry_page_shows_english_options_and_stores_canonical_values(fresh_db, monkeypatch):
    s = Store(fresh_db)
    try:
        first = s.projects(Viewer.ministry()).iloc[0]
    finally:
        s.close()
    uni = int(first["university_id"])
    monkeypatch.setattr(ui, "viewer", lambda: Viewer.university([uni], name="coordinator"))
    for lang, save, people in (("zh", "保存", 11), ("en", "Save", 12)):
        at = run("data_entry.py", {"lang": lang})
        assert not at.exception
        at.selectbox(key="entry_kind").set_value(ingest.RecordKind.TRAINING).run()
        assert not at.exception
        mode = at.selectbox(key="entry_mode")
        # the product's one vocabulary, no blank first option (an untouched select is empty)
        assert mode.options == list(entry.choice_options("mode", lang).values())
        assert mode.value is None
        if lang == "en":
            assert not any(CJK.search(o) for o in mode.options), mode.options
        at.selectbox(key="entry_project").set_value(int(first["project_id"]))
        at.date_input(key="entry_start_date").set_value(date(2024, 3, 1))
        at.number_input(key="entry_participants").set_value(people)
        mode.set_value("online")
        next(b for b in at.button if b.label == save).click().run()
        assert not at.exception
        assert at.success, [e.value for e in at.error]
    s = Store(fresh_db)
    try:
        rows = s._df(
            "SELECT participants, mode FROM activity WHERE provenance = 'entered' ORDER BY 1"
        )
    finally:
        s.close()
    assert rows.values.tolist() == [[11, "online"], [12, "online"]]
