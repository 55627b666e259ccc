"""Interface strings of the as-of date and the map's term playback (issue 16 part 6):
key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    "asof_pick": ("数据截至", "Data as of"),
    "asof_term_cut": (
        "所选学期（{term}）晚于“数据截至”日期，学期范围已改为截至{last}。",
        "The term chosen ({term}) is after the “Data as of” date: the term range now ends "
        "with {last}.",
    ),
    "asof_help": (
        "选择过去的某一天，各页面即显示项目在该日的状况；默认为最新数据。",
        "Choose a past day and every page shows the programme as it was on that day; "
        "the default is the latest data.",
    ),
    "asof_day": ("{y}年{month}月{d}日", "{d} {month} {y}"),
    "asof_banner": (
        "数据截至 {date}：本页显示项目在该日的历史状况，此后的签约、活动、报告与审批均未计入。",
        "Data as of {date}: this page shows the programme as it was on that day; signings, "
        "activities, reports and approvals after it are not counted.",
    ),
    "asof_latest": ("回到最新数据", "Back to the latest data"),
    # the explorer's term playback
    "play_term": ("学期", "Term"),
    "play_prev": ("◀ 上一学期", "◀ Previous term"),
    "play_next": ("下一学期 ▶", "Next term ▶"),
    "play_start": ("▶ 播放", "▶ Play"),
    "play_pause": ("⏸ 暂停", "⏸ Pause"),
    "play_all_terms": ("全部（最新）", "All (latest)"),
    "play_caption": (
        "地图显示 {term} 学期末（{date}）的状况，逐学期回放；学期保存在网址中。",
        "The map shows the state at the end of {term} ({date}), term by term; the term is kept "
        "in the URL.",
    ),
    "play_help": (
        "逐学期查看地图：◀ ▶ 单步，播放时每 2 秒前进一个学期。",
        "Step through the terms with ◀ ▶; Play advances one term every 2 seconds.",
    ),
}
