"""Streamlit's own interface texts, the one sentence of an unexpected error, and the page shown
in place of a page the viewer may not (or may no longer) open.

Keys starting with ``st_`` are Streamlit's own texts: the English column is exactly what
Streamlit 1.67's frontend writes (``{name}`` stands for the part it fills in), the Chinese column
what ``dashboard_lib/ui/chrome.py`` shows instead in the Chinese interface. The English interface
keeps Streamlit's own words.
"""

STRINGS = {
    # the product's own sentences
    "chrome_error": (
        "页面出现意外错误，详情已记入服务器日志（错误编号 {error_id}）。"
        "请刷新页面重试；如仍出现，请把错误编号告知系统管理员。",
        "Something went wrong on this page; the details are in the server log (error ID "
        "{error_id}). Reload the page to try again; if it happens again, give the error ID to "
        "your administrator.",
    ),
    "chrome_session_ended": (
        "此页面需要登录后才能查看；如果您刚才已经登录，可能是长时间未操作或已在别处退出，登录已结束。"
        "请点击下面的“登录”。",
        "This page needs a signed-in account; if you were signed in, your sign-in has ended "
        "(idle too long, or signed out elsewhere). Use “Sign in” below.",
    ),
    "chrome_unavailable_title": ("无法打开此页面", "This page cannot be opened"),
    # Streamlit's own texts: selectbox and multiselect
    "st_select_all": ("全选", "Select all"),
    "st_select_matches": ("选择全部 {n} 个匹配项", "Select {n} matches"),
    "st_no_results": ("无匹配项", "No results"),
    "st_choose_option": ("请选择", "Choose an option"),
    "st_choose_options": ("请选择（可多选）", "Choose options"),
    "st_no_options": ("没有可选项", "No options to select"),
    "st_clear_all": ("全部清除", "Clear all"),
    "st_selectbox_options": ("下拉选项", "Selectbox options"),
    # what a screen reader is told about an open list (react-aria's live region)
    "st_options_available": ("共 {n} 个选项。", "{n} options available."),
    "st_option_available": ("共 {n} 个选项。", "{n} option available."),
    "st_option_selected": ("{option}，已选择", "{option}, selected"),
    "st_skip_to_content": ("跳到主要内容", "Skip to main content"),
    # the file uploader
    "st_upload": ("上传文件", "Upload"),
    "st_drop_file": ("将文件拖放到此处", "Drag and drop a file here"),
    "st_file_too_big": ("文件不能大于 {size}。", "File must be {size} or smaller."),
    # st.date_input's empty segments
    "st_date_year": ("年", "yyyy"),
    "st_date_month": ("月", "mm"),
    "st_date_day": ("日", "dd"),
    # st.date_input's labels for screen readers, and its calendar (the as-of date, issue 16)
    "st_date_choose": ("选择日期", "Choose date"),
    "st_date_choose_month": ("选择日期，{month}", "Choose date, {month}"),
    "st_date_segment_year": ("年，{label}", "year, {label}"),
    "st_date_segment_month": ("月，{label}", "month, {label}"),
    "st_date_segment_day": ("日，{label}", "day, {label}"),
    "st_date_keys": (
        "用方向键选择日期，按 Enter 键确认，按 Esc 键关闭。",
        "Use arrow keys to navigate dates. Enter to select. Escape to close.",
    ),
    "st_help_for": ("{label}的说明", "Help for {label}"),
    # forms and text inputs
    "st_enter_submit": ("按 Enter 键提交", "Press Enter to submit form"),
    "st_enter_apply": ("按 Enter 键确认", "Press Enter to apply"),
    "st_ctrl_enter_submit": ("按 Ctrl+Enter 键提交", "Press Ctrl+Enter to submit form"),
    "st_ctrl_enter_apply": ("按 Ctrl+Enter 键确认", "Press Ctrl+Enter to apply"),
    # the status widget and the main menu
    "st_running": ("正在运行…", "Running..."),
    "st_stop": ("停止", "Stop"),
    "st_stopping": ("正在停止…", "Stopping..."),
    "st_rerun": ("重新运行", "Rerun"),
    "st_connecting": ("正在连接", "Connecting"),
    "st_connecting_server": ("正在连接服务器", "Connecting to Streamlit server"),
    "st_cannot_connect": ("无法连接服务器", "Unable to connect to Streamlit server"),
    "st_main_menu": ("主菜单", "Main menu"),
    # dialogs
    "st_close": ("关闭", "Close"),
    "st_page_not_found": ("未找到页面", "Page not found"),
    "st_page_not_found_named": (
        "没有找到页面 /{page}，已为您打开首页。",
        "You have requested page /{page}, but no corresponding file was found in the app's "
        "pages/ directory. Running the app's main page.",
    ),
    "st_page_not_found_plain": (
        "没有找到您要打开的页面，已为您打开首页。",
        "The page that you have requested does not seem to exist. Running the app's main page.",
    ),
    "st_error_redacted": (
        "页面出现意外错误，详情已记入服务器日志。请刷新页面重试。",
        "This app has encountered an error. The original error message is redacted to prevent "
        "data leaks. Full error details have been recorded in the logs (if you're on Streamlit "
        "Cloud, click on 'Manage app' in the lower right of your app).",
    ),
    # st.dataframe's toolbar and column menu
    "st_search": ("搜索", "Search"),
    "st_fullscreen": ("全屏", "Fullscreen"),
    "st_close_fullscreen": ("退出全屏", "Close fullscreen"),
    "st_sort_asc": ("升序排列", "Sort ascending"),
    "st_sort_desc": ("降序排列", "Sort descending"),
    "st_format": ("格式", "Format"),
    "st_autosize": ("自动列宽", "Autosize"),
    "st_pin_column": ("固定列", "Pin column"),
    "st_unpin_column": ("取消固定", "Unpin column"),
    "st_hide_column": ("隐藏列", "Hide column"),
    "st_show_hide_columns": ("显示/隐藏列", "Show/hide columns"),
    "st_clear_selection": ("清除选择", "Clear selection"),
}
