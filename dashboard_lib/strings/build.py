"""Strings of the database build (``python -m dashboard_lib.build``): what ``data/`` cannot give,
and why a database is not rebuilt (Chinese first, English)."""

from __future__ import annotations

_DISTRICTS = "universities.csv names district adcodes not in districts_national.csv: {codes}"
_PROVINCE = "projects_published.csv row {row}: unknown province {province!r}"
_COUNTY = (
    "projects_published.csv row {row}: county {county!r} in {province} resolves to {candidates}"
)
_UNIVERSITY = (
    "projects_published.csv row {row}: university {university!r} is not in universities.csv"
)
_EVENT = "events_published.csv row {row}: no published project {university} / {school}"

STRINGS: dict[str, tuple[str, str]] = {
    # BuildError: a reference file contradicts another
    "build_err_district_codes": (
        "universities.csv 中的区县代码不在 districts_national.csv 中：{codes}",
        _DISTRICTS,
    ),
    "build_err_province": ("projects_published.csv 第 {row} 行：未知省份 {province!r}", _PROVINCE),
    "build_err_county": (
        "projects_published.csv 第 {row} 行：{province} 的县 {county!r} 对应到 {candidates}",
        _COUNTY,
    ),
    "build_err_university": (
        "projects_published.csv 第 {row} 行：高校 {university!r} 不在 universities.csv 中",
        _UNIVERSITY,
    ),
    "build_err_event": (
        "events_published.csv 第 {row} 行：没有已公开的项目 {university} / {school}",
        _EVENT,
    ),
    # why the command line does not rebuild a database (it prints the English, then the Chinese)
    "build_refuse_in_use": (
        "{db} 正被另一个程序（例如运行中的看板服务）使用，未重新生成；请先停止服务。",
        "{db} is in use by another process (the running dashboard server?); it was NOT "
        "rebuilt. Stop the server first.",
    ),
    "build_refuse_holds_data": (
        "{db} 含有账户或导入的数据，未重新生成；如确需替换，请先备份（python -m dashboard_lib.backup "
        "create）并加 --force。",
        "{db} holds accounts or imported data; it was NOT rebuilt. Back it up (python -m "
        "dashboard_lib.backup create) and pass --force to replace it.",
    ),
    "build_refuse_marker": (
        "{marker} 表明该数据库保存着账户或导入的数据，而它{state}，"
        "未重新生成；请用 python -m dashboard_lib.backup restore 从备份恢复，或加 --force 重新开始。",
        "{marker} says this database held {what}, and that database is {state}; it was NOT "
        "rebuilt. Restore it: python -m dashboard_lib.backup list, then python -m "
        "dashboard_lib.backup restore BACKUP --db {db}; or pass --force to start over with a "
        "fresh database.",
    ),
    "build_state_missing": ("不见了", "missing"),
    "build_state_replaced": ("已被替换", "not the file there now"),
}
