"""Interface strings of log-in, accounts and the audit log: key -> (Chinese, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    "nav_login": ("登录", "Sign in"),
    "auth_title": ("登录", "Sign in"),
    "auth_user": ("用户名", "User name"),
    "auth_password": ("密码", "Password"),
    "auth_submit": ("登录", "Sign in"),
    "auth_sso": ("使用统一身份认证登录", "Sign in with single sign-on"),
    "auth_sso_heading": ("统一身份认证", "Single sign-on"),
    "auth_local_heading": ("本地账户登录", "Sign in with a local account"),
    "auth_sso_signed_in": (
        "已通过统一身份认证登录：{identity}",
        "Signed in through single sign-on: {identity}",
    ),
    "auth_sso_logout": ("退出统一身份认证", "Sign out of single sign-on"),
    "auth_logout": ("退出登录", "Sign out"),
    "auth_already_in": (
        "您已登录为 {user}。如需换用其他账号，请先在左侧点击“退出登录”。",
        "You are signed in as {user}. To use another account, sign out first (on the left).",
    ),
    "auth_go_home": ("前往首页", "Go to the start page"),
    "auth_signed_in_as": ("当前用户：{user}（{scope}）", "Signed in: {user} ({scope})"),
    "auth_demo_banner": (
        "演示模式：只读，仅显示公开和模拟数据。工作人员请在左侧“登录”页登录。",
        "Demo mode: read-only, published and simulated data only. Staff: use "
        "the Sign in page on the left.",
    ),
    "auth_demo_off": ("本系统需要登录后使用。", "Please sign in to use this dashboard."),
    "auth_timed_out": (
        "长时间未操作，已自动退出，请重新登录。",
        "You were signed out after a period of inactivity; please sign in again.",
    ),
    "auth_signed_out_elsewhere": (
        "您已退出登录（在其他窗口退出，或会话已被撤销），请重新登录。",
        "You have been signed out (in another window, or the session was "
        "revoked); please sign in again.",
    ),
    "auth_account_disabled": ("该账户已停用。", "This account is disabled."),
    "auth_read_only": (
        "数据库当前为只读，暂时无法登录。",
        "The database is read-only at the moment, so signing in is not possible.",
    ),
    "auth_signing_in": ("正在登录…", "Signing in…"),
    "auth_signing_out": ("正在退出…", "Signing out…"),
    "auth_go_on": (
        "如果页面没有自动跳转，请点击这里。",
        "If the page does not move on by itself, click here.",
    ),
    "auth_page_refused": ("您的角色无权打开此页面。", "Your role may not open this page."),
    "auth_no_downloads": (
        "演示角色不提供明细数据下载。",
        "Presenters cannot download row-level data.",
    ),
    "admin_title": ("用户管理与审计日志", "Users and audit log"),
    "admin_users": ("用户", "Users"),
    "admin_add": ("新增用户", "Add a user"),
    "admin_role": ("角色", "Role"),
    "admin_province": ("省份（省级用户）", "Province (province users)"),
    "admin_universities": ("高校（高校用户）", "Universities (university users)"),
    "admin_display_name": ("显示名称", "Display name"),
    "admin_oidc": (
        "单点登录标识（可选，如邮箱）",
        "Single sign-on identity (optional, e.g. e-mail)",
    ),
    "admin_password": (
        "初始密码（至少 10 位，不能是常见密码、不能包含用户名，需混合至少两类字符）",
        "Initial password (10+ characters, not a common password, not containing "
        "the user name, at least two kinds of characters)",
    ),
    "admin_reset_note": (
        "重设密码后，该用户在所有浏览器中的登录立即失效；停用账户亦然（重新启用后需重新登录）。",
        "Resetting the password signs the user out in every browser; so does "
        "disabling the account (after enabling it again they sign in anew).",
    ),
    "admin_create": ("创建", "Create"),
    "admin_created": ("已创建用户 {user}。", "User {user} created."),
    "admin_change": ("修改用户", "Change a user"),
    "admin_pick_user": ("选择用户", "User"),
    "admin_rescope": ("更新角色与范围", "Update role and scope"),
    "admin_disable": ("停用", "Disable"),
    "admin_enable": ("启用", "Enable"),
    "admin_reset_password": ("重设密码", "Reset password"),
    "admin_done": ("已保存。", "Saved."),
    "admin_audit": ("审计日志", "Audit log"),
    "admin_audit_download": ("下载审计日志 CSV", "Download the audit log (CSV)"),
    "admin_no_self_disable": ("不能停用自己的账户。", "You cannot disable your own account."),
    # ------------------------------------------------------------- refusals (AuthError)
    "auth_bad_login": ("用户名或密码不正确。", "The user name or password is wrong."),
    "auth_disabled": ("该账户已停用。", "This account is disabled."),
    "auth_pw_too_short": (
        "密码至少需要 {n} 个字符。",
        "The password needs at least {n} characters.",
    ),
    "auth_pw_common": (
        "该密码过于常见，请换一个。",
        "This password is too common; choose another.",
    ),
    "auth_pw_has_name": ("密码不能包含用户名。", "The password must not contain the user name."),
    "auth_pw_classes": (
        "密码需混合至少两类字符（小写字母、大写字母、数字、符号）。",
        "The password needs at least two kinds of characters (lower case, upper case, digits, "
        "symbols).",
    ),
    "auth_province_unset": (
        "该省级账户没有设定省份，请联系管理员。",
        "This province account has no province; ask an administrator.",
    ),
    "auth_university_unset": (
        "该高校账户没有设定高校，请联系管理员。",
        "This university account has no university; ask an administrator.",
    ),
    "auth_bad_user_name": (
        "用户名需为 3–64 个字母、数字或 _ . @ -。",
        "A user name is 3–64 letters, digits or _ . @ -.",
    ),
    "auth_unknown_role": ("未知角色：{role}。", "Unknown role: {role}."),
    "auth_province_needed": (
        "省级账户需要一个项目省份（或兵团 660000）。",
        "A province account needs one programme province (or the Corps, 660000).",
    ),
    "auth_university_needed": (
        "高校账户需要至少一所已登记的托管高校。",
        "A university account needs at least one registered host university.",
    ),
    "auth_no_scope_allowed": (
        "部委和演示账户不设省份或高校范围。",
        "Ministry and presenter accounts have no province or university scope.",
    ),
    "auth_user_exists": ("用户 {user} 已存在。", "User {user} exists already."),
    "auth_password_or_sso": (
        "需要密码或单点登录标识。",
        "A password or a single sign-on identity is needed.",
    ),
    "auth_no_such_user": ("没有用户 {user}。", "There is no user {user}."),
    "auth_locked": (
        "登录失败次数过多，账户已锁定至 {until:%H:%M}。",
        "Too many failed log-ins: the account is locked until {until:%H:%M}.",
    ),
    "auth_sso_no_identity": ("单点登录未返回身份标识。", "Single sign-on returned no identity."),
    "auth_sso_unregistered": (
        "您的统一身份认证账号 {identity} 未开通本系统，请联系管理员开通。",
        "Your single sign-on account {identity} has not been enabled for this dashboard; "
        "ask an administrator to enable it.",
    ),
    "auth_sso_not_configured": (
        "统一身份认证尚未配置，请联系系统管理员。",
        "Single sign-on is not configured yet; ask the system administrator.",
    ),
    "auth_sso_incomplete": (
        "统一身份认证的配置不完整，请联系系统管理员（服务器日志列出缺少的配置项）。",
        "The single sign-on configuration is incomplete; ask the system administrator (the "
        "server's log names the missing settings).",
    ),
    "auth_sso_unreachable": (
        "统一身份认证服务暂时无法连接，请稍后再试。",
        "The single sign-on service cannot be reached at the moment; please try again later.",
    ),
    "auth_sso_taken": (
        "统一身份认证标识 {identity} 已登记给用户 {user}。",
        "The single sign-on identity {identity} is registered to user {user} already.",
    ),
    "auth_passwords_differ": ("两次输入的密码不一致。", "The two passwords differ."),
    "auth_unknown_universities": ("未知高校：{names}。", "Unknown universities: {names}."),
    # the command line's prompts (it speaks both languages at once)
    "auth_cli_password_prompt": ("密码 / Password: ", "Password: "),
    "auth_cli_again_prompt": ("再次输入 / Again: ", "Again: "),
}

LABELS: dict[str, tuple[str, str]] = {
    "ministry": ("教育部", "Ministry"),
    "province": ("省级", "Province"),
    "university": ("高校", "University"),
    "presenter": ("演示", "Presenter"),
}
