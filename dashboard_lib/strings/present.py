"""Interface strings of the presenter deck and its exports: key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    "deck_page_title": ("演示模式", "Presenter"),
    "deck_intro": (
        "选择幻灯片、顺序和省份，然后开始演示；←/→ 或空格翻页，F 全屏。选择会写入网址，复制链接即可重新打开。",
        "Choose the slides, their order and a province, then start; ←/→ or space to move, F for "
        "full screen. The choice is kept in the address: copy the link to reopen it.",
    ),
    "deck_slides": ("幻灯片（按选择顺序）", "Slides (in the order chosen)"),
    "deck_province_pick": (
        "省份（用于省份专页，并筛选全部幻灯片）",
        "Province (its own slide; narrows every slide)",
    ),
    "deck_all": ("全部（全国）", "All (national)"),
    "deck_autoplay": ("自动翻页间隔（秒，0 为不自动）", "Auto-advance every (seconds, 0 = off)"),
    "deck_save": ("保存选择", "Save the choice"),
    "deck_link": ("本演示的链接：", "Link to this deck:"),
    "deck_start": ("开始演示（全屏）", "Start (full screen)"),
    "deck_exit": ("退出演示", "Leave the deck"),
    "deck_building": ("正在准备幻灯片…", "Preparing the slides…"),
    "deck_exports": ("导出", "Exports"),
    "deck_make_pptx": ("生成 PPTX", "Make PPTX"),
    "deck_make_pdf": ("生成 PDF", "Make PDF"),
    "deck_make_report": ("生成省份报告（PDF，一页）", "Make the province report (PDF, one page)"),
    "deck_make_png": ("生成图表图片（PNG，ZIP）", "Make chart images (PNG, ZIP)"),
    "deck_download_pptx": ("下载 PPTX", "Download PPTX"),
    "deck_download_pdf": ("下载 PDF", "Download PDF"),
    "deck_download_report": ("下载省份报告", "Download the province report"),
    "deck_download_png": ("下载图表图片", "Download chart images"),
    "deck_report_needs_province": ("请先选择省份。", "Choose a province first."),
    "deck_unknown_slide": (
        "网址中有未知的幻灯片名称，已忽略。",
        "The address named an unknown slide; it was ignored.",
    ),
    "deck_title_notice": (
        "教育部办公厅《关于开展部属高校县中托管帮扶工作的通知》（教基厅函〔2022〕13号）",
        "Ministry of Education notice 教基厅函〔2022〕13号 on university partnerships with county high schools",
    ),
    "deck_numbers": ("项目概况", "The programme in numbers"),
    "deck_map": ("托管高校与帮扶县中", "Universities and the county high schools they guide"),
    "deck_map_sub": ("{n} 个项目 · {u} 所托管高校", "{n} projects · {u} host universities"),
    "deck_progress": ("进展与逾期事项", "Progress and late items"),
    "deck_late_items": ("逾期里程碑", "Late milestones"),
    "deck_attention": ("需关注项目", "Projects needing attention"),
    "deck_exchanges": ("教师交流", "Teacher exchanges"),
    "deck_internships": ("实习支教", "Internships and student teaching"),
    "deck_cases": ("案例聚焦（公开报道）", "Case spotlights (published)"),
    "deck_cases_sub": ("共 {n} 条公开报道的事件", "{n} published events"),
    "deck_cases_note": (
        "均来自公开网页，附来源链接。",
        "All from public web pages, with their sources.",
    ),
    "deck_no_cases": ("所选范围内暂无公开报道的事件。", "No published events in this selection."),
    "deck_source": ("来源", "Source"),
    "deck_people": ("人", "people"),
    "deck_ms_signed": ("签署三方协议", "Agreement signed"),
    "deck_ms_filed": ("报教育部备案", "Filed with the Ministry"),
    "deck_ms_launched": ("正式启动", "Launched"),
    "deck_province": ("省份专页", "The province's own slide"),
    "deck_province_of": ("{name}", "{name}"),
    "deck_pick_province": ("选择省份后显示本页。", "Choose a province to show this slide."),
    "deck_no_data": ("所选范围内暂无数据。", "No data in this selection."),
    "deck_report_title": ("{name} 托管帮扶工作报告", "{name}: programme report"),
    # the export's refusals (ExportUnavailable)
    "deck_export_no_browser": (
        "本机没有可用的 Chromium 浏览器，无法生成图片或 PDF；PPTX 中以数字表格代替图表。",
        "No Chromium browser on this machine: images and PDFs cannot be made; the PPTX shows the "
        "numbers as tables instead of charts.",
    ),
    "deck_export_chart_failed": (
        "图表图片生成失败：{error}。",
        "The chart image could not be made: {error}.",
    ),
    "deck_export_pdf_no_answer": (
        "PDF 生成失败：浏览器未响应。",
        "The PDF could not be made: the browser did not answer.",
    ),
    "deck_export_pdf_failed": ("PDF 生成失败。", "The PDF could not be made."),
    # the deck's full-screen button: its title names both languages, whatever the deck's
    "deck_key_prev": ("上一页（←）", "Previous (←)"),
    "deck_key_next": ("下一页（→ 或 空格）", "Next (→ or space)"),
    "deck_key_full": ("全屏（F）", "Full screen (F)"),
    "deck_key_pause": ("暂停（P）", "Pause (P)"),
    "deck_key_resume": ("继续（P）", "Resume (P)"),
    "deck_key_timer": ("计时（T）", "Timer (T)"),
    "deck_key_black": ("黑屏（B）", "Black (B)"),
    "deck_key_leave": ("✕ 退出演示（Esc）", "✕ Leave the deck (Esc)"),
    "deck_key_help": (
        "按键：← → 翻页，P 或空格暂停/继续自动播放，B 黑屏，T 时钟与计时，F 全屏，Esc 或 Q 退出演示",
        "Keys: ← → turn pages, P or space pause/resume autoplay, B black screen, T clock and "
        "timer, F full screen, Esc or Q leave the deck",
    ),
}

LABELS: dict[str, tuple[str, str]] = {
    "slide_title": ("封面", "Title"),
    "slide_numbers": ("项目概况", "In numbers"),
    "slide_map": ("地图", "Map"),
    "slide_progress": ("进展", "Progress"),
    "slide_exchanges": ("教师交流", "Teacher exchanges"),
    "slide_internships": ("实习支教", "Internships"),
    "slide_cases": ("案例聚焦", "Case spotlights"),
    "slide_province": ("省份专页", "Province"),
}
