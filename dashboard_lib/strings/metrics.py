"""Strings of the metric catalogue (``dashboard_lib/metrics.py``): the units of the figures, the
names of figures no card or menu showed before, and the "value/out of" card value (Chinese
first, English). The names and KPI labels of the figures already shown live in ``core.py`` and
``explorer.py``."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "unit_projects": ("个", "projects"),
    "unit_universities": ("所", "universities"),
    "unit_provinces": ("个", "provinces"),
    "unit_counties": ("个", "counties"),
    "unit_person_times": ("人次", "person-trips"),
    "unit_person_months": ("人月", "person-months"),
    "unit_times": ("次", "visits"),
    "unit_sessions": ("场", "sessions"),
    "unit_records": ("条", "records"),
    "unit_share": ("%", "%"),
    "metric_value_out_of": ("{value}/{of}", "{value}/{of}"),
}

LABELS: dict[str, tuple[str, str]] = {
    "metric_universities": ("托管高校", "Host universities"),
    "metric_provinces": ("省份/兵团", "Provinces / Corps"),
    "metric_counties": ("帮扶县", "Helped counties"),
    "metric_activities": ("活动记录", "Activity records"),
    "metric_simulated_activities": ("模拟活动记录", "Simulated activity records"),
    "metric_signed_on_time": ("按期签约项目", "Projects signed on time"),
    "metric_signed_known": ("已签约项目", "Projects signed"),
}
