"""Streamlit's own texts, unexpected errors and the stand-in page (``dashboard_lib.ui.chrome``,
``navigation.routes``), without a browser: the table of Streamlit's English, the error wrapper
under AppTest (one sentence with an id, the traceback in the log, stop and rerun untouched), every
address routed for every viewer, the server's upload limit equal to the product's."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from dashboard_lib import ingest, navigation
from dashboard_lib.i18n import STRINGS, t
from dashboard_lib.scope import Viewer
from dashboard_lib.ui import chrome


def _streamlit_source() -> str:
    """Streamlit's frontend bundle, and its exception text written by the server."""
    import streamlit

    base = Path(streamlit.__file__).parent
    files = [*(base / "static" / "static" / "js").glob("*.js"), base / "elements" / "exception.py"]
    return "".join(p.read_text(encoding="utf-8", errors="ignore") for p in files)


def test_every_streamlit_text_is_what_streamlit_writes():
    """Every word of the English column of every ``st_*`` key is in Streamlit's own source
    (its frontend builds some texts from pieces, "Press Enter to ${action}"), so the table
    holds Streamlit's words and not ones made up."""
    source = _streamlit_source()
    missing = []
    for key, (_zh, en) in STRINGS.items():
        if key.startswith("st_"):
            words = re.findall(r"[A-Za-z][A-Za-z']+", re.sub(r"\{[a-z_]+\}", " ", en))
            missing += [f"{key}: {w}" for w in words if w not in source]
    assert missing == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Select all", "全选"),
        ("Select 12 matches", "选择全部 12 个匹配项"),
        ("Choose an option", "请选择"),
        ("Upload", "上传文件"),
        ("Press Enter to submit form", "按 Enter 键提交"),
        ("File must be 20.0MB or smaller.", "文件不能大于 20.0MB。"),
        ("94 options available.", "共 94 个选项。"),
        ("Page not found", "未找到页面"),
        (
            "You have requested page /admin, but no corresponding file was found in the app's "
            "pages/ directory. Running the app's main page.",
            "没有找到页面 /admin，已为您打开首页。",
        ),
    ],
)
def test_streamlit_texts_in_chinese(english, chinese):
    assert chrome.translate(english, "zh") == chinese
    assert chrome.translate(english, "en") == english  # the English interface keeps them


def test_only_whole_texts_are_swapped():
    assert chrome.translate("Upload your file", "zh") == "Upload your file"
    assert chrome.translate("Select all rows of 甘肃", "zh") == "Select all rows of 甘肃"


def test_the_script_carries_the_table_in_chinese_only():
    zh, en = chrome.script("zh"), chrome.script("en")
    assert "\\u5168\\u9009" in zh  # 全选, JSON-escaped
    assert "\\u5168\\u9009" not in en
    assert "</" not in zh.replace("<\\/", "")  # cannot close the script element it sits in


def test_upload_limit_is_the_products():
    config = tomllib.loads((ROOT / ".streamlit/config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 2**20 == ingest.MAX_BYTES
    assert config["client"]["showErrorDetails"] == "none"
    assert "stFileUploaderDropzoneInstructions" in chrome.CSS  # the "per file" line hidden


def _app(body: str) -> str:
    return (
        "import streamlit as st\n"
        "from dashboard_lib.ui import chrome\n"
        f"def page():\n{body}\n"
        "chrome.guarded(page, st.query_params.get('lang', 'zh'))\n"
        "st.caption('after')\n"
    )


def test_an_unexpected_error_is_one_sentence_with_an_id_and_logged(tmp_path, caplog):
    script = tmp_path / "boom.py"
    script.write_text(
        _app("    st.title('before')\n    raise KeyError('secret-column')"), encoding="utf-8"
    )
    with caplog.at_level(logging.ERROR, logger="dashboard_lib"):
        at = AppTest.from_file(str(script)).run()
    assert not at.exception
    assert [e.value for e in at.title] == ["before"]
    (message,) = [e.value for e in at.error]
    error_id = re.search(r"错误编号 ([0-9a-f]{8})", message)
    assert error_id, message
    assert message == t("chrome_error", "zh", error_id=error_id[1])
    assert "secret-column" not in message and "KeyError" not in message
    assert [e.value for e in at.caption] == ["after"], "the rest of the run goes on"
    (record,) = [r for r in caplog.records if error_id[1] in r.getMessage()]
    assert record.exc_info and record.exc_info[0] is KeyError


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_postgresql_away_during_a_read_is_the_reads_sentence(tmp_path, lang):
    """Not "this change was not saved" (nothing was being changed) and no error id: the outage is
    expected and passes (issue 15)."""
    script = tmp_path / "down.py"
    script.write_text(
        _app(
            "    from dashboard_lib.store.errors import StoreError\n"
            "    raise StoreError('store_pg_unavailable')"
        ),
        encoding="utf-8",
    )
    at = AppTest.from_file(str(script))
    at.query_params["lang"] = lang
    at.run()
    assert [e.value for e in at.error] == [t("store_pg_unavailable_read", lang)]
    assert t("store_pg_unavailable_read", lang) != t("store_pg_unavailable", lang)
    # another store error is unexpected on a page: the sentence with an error id
    script.write_text(
        _app(
            "    from dashboard_lib.store.errors import StoreError\n"
            "    raise StoreError('store_db_failed', name='IOException')"
        ),
        encoding="utf-8",
    )
    at = AppTest.from_file(str(script))
    at.query_params["lang"] = lang
    at.run()
    (message,) = [e.value for e in at.error]
    assert re.fullmatch(
        re.escape(t("chrome_error", lang, error_id="@")).replace("@", "[0-9a-f]{8}"), message
    )


def test_the_error_sentence_follows_the_language(tmp_path):
    script = tmp_path / "boom.py"
    script.write_text(_app("    raise RuntimeError('x')"), encoding="utf-8")
    at = AppTest.from_file(str(script))
    at.query_params["lang"] = "en"
    at.run()
    (message,) = [e.value for e in at.error]
    assert re.fullmatch(
        re.escape(t("chrome_error", "en", error_id="@")).replace("@", "[0-9a-f]{8}"), message
    )


def test_two_errors_get_two_ids():
    assert len({chrome.new_error_id() for _ in range(50)}) == 50


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        ("    st.title('a')\n    st.stop()\n    st.title('b')", ["a"]),
        (
            "    if 'n' not in st.session_state:\n"
            "        st.session_state.n = 1\n"
            "        st.rerun()\n"
            "    st.title(str(st.session_state.n))",
            ["1"],
        ),
    ],
)
def test_stop_and_rerun_pass_through(tmp_path, body, expect):
    script = tmp_path / "flow.py"
    script.write_text(_app(body), encoding="utf-8")
    at = AppTest.from_file(str(script)).run()
    assert not at.exception and not at.error
    assert [e.value for e in at.title] == expect


def test_every_address_is_routed_for_every_viewer():
    every = {p.url_path for p in (*navigation.PAGES, navigation.LOGIN)}
    for viewer in (
        None,
        Viewer.demo(),
        Viewer.ministry(),
        Viewer.province(620000),
        Viewer.university([1]),
        Viewer.presenter(),
    ):
        routes = navigation.routes(viewer)
        assert {r.spec.url_path for r in routes} == every
        own = navigation.pages_for(viewer)
        assert [r.spec for r in routes if r.in_menu] == own, "the menu is unchanged"
        assert routes[0].spec == own[0], "the default page is the viewer's first"
        assert [r.default for r in routes].count(True) == 1 and routes[0].default
        addresses = [r.address for r in routes]
        assert len(set(addresses)) == len(addresses), "no two pages share an address"
        # the default page's own address, typed in, is routed (Streamlit serves the page at /
        # only) as the one twin that goes on to / (the browser test follows it)
        twins = [r for r in routes if r.twin]
        assert [(r.address, r.spec, r.in_menu) for r in twins] == [(own[0].url_path, own[0], False)]
        for r in routes:
            # only the viewer's own pages (and the log-in form) run their file
            assert r.opens == (r.spec in own or r.spec is navigation.LOGIN)


def _stand_in(viewer: Viewer | None, lang: str) -> AppTest:
    import pickle

    blob = pickle.dumps(viewer)

    def app(blob: bytes, lang: str) -> None:
        import pickle

        from dashboard_lib.ui import chrome

        chrome.stand_in(pickle.loads(blob), lang, "views/login.py")()

    return AppTest.from_function(app, args=(blob, lang))


@pytest.mark.parametrize("viewer", [None, Viewer.demo()])
def test_a_page_after_the_sign_in_ended_says_so_and_shows_no_data(viewer):
    at = _stand_in(viewer, "zh")
    at.run()
    assert [w.value for w in at.warning] == [t("chrome_session_ended", "zh")]
    assert not at.dataframe and not at.table and not at.metric


def test_a_page_of_another_role_is_refused():
    at = _stand_in(Viewer.province(620000), "en")
    at.run()
    assert [e.value for e in at.error] == [t("auth_page_refused", "en")]
    assert not at.warning


def test_no_product_code_uses_the_removed_components_html():
    """``st.components.v1.html`` / ``iframe`` go after 2026-06-01: the product uses st.iframe /
    st.html (streamlit_folium's own use is not ours)."""
    files = [ROOT / "app.py", *ROOT.glob("views/*.py"), *ROOT.glob("dashboard_lib/**/*.py")]
    hits = [
        str(f.relative_to(ROOT))
        for f in files
        if re.search(r"components\.v1|components\.html|components\.iframe", f.read_text("utf-8"))
    ]
    assert hits == []


def _rows_app(n: int, lang: str) -> AppTest:
    def app(n: int, lang: str) -> None:
        import pandas as pd

        from dashboard_lib.ui.display import rows

        rows(pd.DataFrame({"项目": [f"p{i}" for i in range(n)]}), lang, key="t")

    return AppTest.from_function(app, args=(n, lang))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_table_is_one_sentence_not_streamlits_english_empty(lang):
    """Streamlit draws a frame without rows as the English word "empty" on its canvas."""
    at = _rows_app(0, lang)
    at.run()
    assert not at.dataframe
    assert [c.value for c in at.caption] == [t("table_empty", lang)]
    at = _rows_app(2, lang)
    at.run()
    assert len(at.dataframe) == 1 and not at.caption


def test_every_table_of_the_product_goes_through_ui_rows():
    """One place draws tables, so an empty one never reaches Streamlit's canvas."""
    files = [ROOT / "app.py", *ROOT.glob("views/*.py"), *ROOT.glob("dashboard_lib/**/*.py")]
    hits = [
        str(f.relative_to(ROOT))
        for f in files
        if "st.dataframe(" in f.read_text("utf-8")
        and f.relative_to(ROOT).as_posix() != "dashboard_lib/ui/display.py"
    ]
    assert hits == []
