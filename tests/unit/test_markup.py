"""Markup from data (issue 17, part 3): names from an imported file are shown as text.

- ``textsafe``: what it produces, read back the way a Markdown renderer reads escapes.
- The pages that showed imported names as Markdown (dossier, progress, overview's notes) run in
  AppTest on a database where a ministry user imported projects whose school names are a link,
  an image, Streamlit's colour and icon syntax and HTML: no Markdown body on the page holds the
  name unescaped. The browser half (no <a>/<img> made from data, no table toolbar download) is in
  ``tests/browser/test_browser_markup.py``.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from conftest import AS_OF, ROOT, as_shown, assert_no_raw_markup, markdown_bodies
from hypothesis import given
from hypothesis import strategies as st_
from streamlit.testing.v1 import AppTest

from dashboard_lib import auth, build, charts, ingest, textsafe
from dashboard_lib.scope import Viewer
from dashboard_lib.store import Store

JOINER = "\u2060"
EVIL = [
    "[点此领奖](http://evil.example/p)",
    "![图](http://evil.example/i.png)中学",
    ":red[红字]:material/home:中学",
    "<b>粗体</b><img src=x onerror=alert(1)>中学",
    "**加粗** www.evil.example 中学",
]
RAW_MARKERS = (
    "](http://evil",
    "![图]",
    ":red[红字]",
    ":material/home:",
    "<b>粗体",
    "<img",
    "**加粗**",
    "www.evil",
)


# ---------------------------------------------------------------------- textsafe itself
@given(
    st_.text(
        alphabet=st_.characters(
            blacklist_categories=("Cs",),
            blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
        )
    )
)
def test_md_reads_back_as_the_same_text(text):
    assert as_shown(textsafe.md(text)) == text


@given(st_.text())
def test_md_leaves_no_unescaped_punctuation(text):
    out = textsafe.md(text).replace(JOINER, "")
    # every ASCII punctuation character is preceded by a backslash that is itself not escaped
    i = 0
    while i < len(out):
        c = out[i]
        if c == "\\":
            assert i + 1 < len(out) and re.match(r"[!-/:-@\[-`{-~]", out[i + 1]), out
            i += 2
            continue
        assert not re.match(r"[!-/:-@\[-`{-~]", c), (c, out)
        i += 1


def test_md_breaks_autolinks_and_streamlit_directives():
    out = textsafe.md("见 http://a.example 与 www.b.example、c@d.example，:smile: :red[x]")
    assert "http:" + JOINER in out.replace("\\", "")
    assert "w" + JOINER + "ww" in out
    assert "@" + JOINER in out
    assert "\n" not in textsafe.md("两行\n文字")


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://www.moe.gov.cn/a.html", True),
        ("http://x.example/p?q=1", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<b>", False),
        ("//evil.example/x", False),
        ("ftp://x.example", False),
        ("", False),
        (None, False),
        ("https://", False),
        ("http://a.example/\nx", False),
        (float("nan"), False),
    ],
)
def test_safe_url(url, ok):
    assert (textsafe.safe_url(url) is not None) is ok


def test_md_link_only_links_safe_targets():
    assert textsafe.md_link("学校", "javascript:alert(1)") == "学校"
    assert textsafe.md_link("学校", "//evil.example") == "学校"
    link = textsafe.md_link("[x](y)", "/dossier?project=3&province=620000")
    assert link.startswith("[\\[x\\]\\(y\\)](") and link.endswith(
        "(/dossier?project=3&province=620000)"
    )
    spaced = textsafe.md_link("s", "https://a.example/x (1)")
    assert " " not in spaced and ")" not in spaced[:-1].split("](", 1)[1]


def test_plot_text_escapes_html():
    assert (
        textsafe.plot_text("<a href='javascript:x'>点</a>")
        == "&lt;a href='javascript:x'&gt;点&lt;/a&gt;"
    )
    assert textsafe.plot_text(None) == ""


def test_chart_labels_from_data_are_escaped():
    import pandas as pd

    frame = pd.DataFrame({"school": ["<b>粗</b>", "普通中学"], "n": [3, 4]})
    fig = charts.stacked_bars(frame, "school", "n", None, {"x": "#000"}, {}, "标题")
    shown = [str(v) for tr in fig.data for v in tr.x]
    assert "&lt;b&gt;粗&lt;/b&gt;" in shown and not any("<b>" in v for v in shown)
    assert "toImage" in fig.layout.modebar.remove


# ---------------------------------------------------------------------- the pages
def make_evil_db(path) -> list[int]:
    """The demo database plus one imported 甘肃 project per name in ``EVIL`` (by a ministry
    user ``boss``); returns their project ids in the order of ``EVIL``."""
    build.build_database(path, build.spec_for(115, None, 2022, AS_OF), progress=lambda _m: None)
    s = Store(path)
    auth.create_user(s, "boss", "ministry", "Correct-Horse-42x")
    taken = s.projects(Viewer.ministry())["county_adcode"]
    counties = s.counties([620000])
    free = counties[~counties["adcode"].isin(taken)].head(len(EVIL))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["托管高校", "省份", "县", "帮扶县中"])
    for name, county in zip(EVIL, free["name_zh"]):
        w.writerow(["兰州大学", "甘肃", county, name])
    preview, batch = ingest.import_file(
        s,
        Viewer.ministry(name="boss"),
        "project",
        buf.getvalue().encode("utf-8"),
        "evil.csv",
        today=AS_OF,
    )
    assert batch is not None and preview.n_accepted == len(EVIL), ingest.problems_frame(preview)
    ids = (
        s.projects(Viewer.ministry())
        .set_index("school_zh")
        .loc[EVIL, "project_id"]
        .astype(int)
        .tolist()
    )
    s.close()
    return ids


@pytest.fixture(scope="module")
def evil_world(tmp_path_factory):
    path = tmp_path_factory.mktemp("markup") / "m.duckdb"
    return path, make_evil_db(path)


def open_as_boss(world, monkeypatch, file: str, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("XZ_DB_PATH", str(world[0]))
    at = AppTest.from_file(str(ROOT / file), default_timeout=120)
    at.session_state["auth"] = {"user": "boss", "last": datetime.now()}
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("i", range(len(EVIL)))
def test_dossier_shows_imported_names_as_text(evil_world, monkeypatch, i):
    at = open_as_boss(
        evil_world, monkeypatch, "views/dossier.py", {"project": str(evil_world[1][i])}
    )
    bodies = markdown_bodies(at)
    assert any(as_shown(b) == EVIL[i] for b in bodies), bodies[:6]  # the name is on the page …
    assert_no_raw_markup(bodies, RAW_MARKERS)  # … as text only


def test_progress_links_show_names_as_text(evil_world, monkeypatch):
    at = open_as_boss(evil_world, monkeypatch, "views/progress.py", {"province": "620000"})
    bodies = markdown_bodies(at)
    link_lines = [b for b in bodies if "/dossier?" in b]
    assert link_lines, "the needs-attention links are on the page"
    shown = as_shown(" ".join(link_lines))
    assert any(name in shown for name in EVIL), (
        "a newly imported project (no activity) needs attention"
    )
    assert_no_raw_markup(bodies, RAW_MARKERS)
