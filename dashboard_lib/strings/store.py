"""Strings of the data layer: the database's refusals and notices, backups and the build
(Chinese first, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------- a database operation
    "store_db_failed": ("数据库操作失败（{name}）。", "The database operation failed ({name})."),
    "store_pg_unavailable_read": (
        "暂时连不上主数据库（PostgreSQL），此页暂时打不开。请稍候片刻再点一次；您的登录状态会保留。",
        "The main database (PostgreSQL) cannot be reached just now, so this page cannot open. "
        "Click again in a moment; you stay signed in.",
    ),
    "store_pg_unavailable": (
        "暂时连不上主数据库（PostgreSQL），本次修改未保存。请稍候片刻再试；已显示的数据仍可浏览。",
        "The main database (PostgreSQL) cannot be reached just now; this change was not saved. "
        "Try again in a moment; the data shown can still be browsed.",
    ),
    "store_pg_saved_shows_in": (
        "已保存到主数据库。各页面的图表约在 {seconds} 秒内更新。",
        "Saved to the main database. The charts on every page update within about {seconds} s.",
    ),
    "store_replaced_reload": (
        "数据库文件已被替换，本次修改未保存，请刷新页面后重试。",
        "The database file was replaced; this change was not saved. Reload the page and try again.",
    ),
    # ------------------------------------------------------------- writes (imports, edits)
    "store_read_only_mode": (
        "当前为只读模式，不能写入数据。",
        "This is a read-only mode; nothing can be written.",
    ),
    "store_already_imported": (
        "这个文件已经导入过，未做任何改动。",
        "This file has already been imported; nothing was changed.",
    ),
    "store_recorded_since_check": (
        "有 {n} 条记录在检查之后已由他人录入（项目、类型、日期和人数都相同），未做任何改动。"
        "请稍候几秒再检查一次：已有的记录会被标为重复，其余的照常导入。",
        "{n} row(s) were recorded by someone else after the check (same project, kind, dates "
        "and people); nothing was changed. Check again in a few seconds: the existing rows will "
        "be marked as duplicates and the rest imported as usual.",
    ),
    "store_write_failed": (
        "写入失败（{name}），未做任何改动。",
        "Writing failed ({name}); nothing was changed.",
    ),
    "store_out_of_scope": (
        "有记录超出您的权限范围，未做任何改动。",
        "Some rows are outside your scope; nothing was changed.",
    ),
    "store_out_of_scope_replaced": (
        "有记录（要替换的项目）超出您的权限范围，未做任何改动。",
        "Some rows (projects to be replaced) are outside your scope; nothing was changed.",
    ),
    "store_out_of_scope_projects": (
        "有记录（所属项目）超出您的权限范围，未做任何改动。",
        "Some rows (their projects) are outside your scope; nothing was changed.",
    ),
    "store_wrong_kind": (
        "记录的类型与本批次不符，未做任何改动。",
        "Some rows are not of this batch's kind; nothing was changed.",
    ),
    "store_replaced_twice": (
        "同一个模拟项目被替换了两次，未做任何改动。",
        "One simulated project would be replaced twice; nothing was changed.",
    ),
    "store_county_outside_province": (
        "有项目的县不在其所填省份内，未做任何改动。",
        "A project's county is not in its province; nothing was changed.",
    ),
    "store_replaced_changed": (
        "要替换的模拟项目已被改动，请重新预览。",
        "A simulated project to be replaced has changed; preview again.",
    ),
    "store_undo_failed": (
        "撤销失败（{name}），未做任何改动。",
        "Undo failed ({name}); nothing was changed.",
    ),
    "store_batch_not_found": (
        "批次 {batch} 不存在或不在您的权限范围内。",
        "Batch {batch} does not exist or is outside your scope.",
    ),
    "store_batch_undone": ("批次 {batch} 已经撤销过。", "Batch {batch} was already undone."),
    "store_undo_out_of_scope": (
        "批次 {batch} 写入或替换的记录有超出您权限范围的，不能由您撤销。",
        "Batch {batch} wrote or replaced rows outside your scope; you cannot undo it.",
    ),
    "store_undo_later_first": (
        "批次 {later} 的记录属于本批导入的项目，请先撤销批次 {later}。",
        "Batch {later} holds records of projects this batch imported; undo batch {later} first.",
    ),
    "store_save_failed": (
        "保存失败（{name}），未做任何改动。",
        "Saving failed ({name}); nothing was changed.",
    ),
    "store_record_not_found": (
        "记录 {record} 不存在、不可修改或不在您的权限范围内。",
        "Record {record} does not exist, cannot be changed or is outside your scope.",
    ),
    "store_record_cannot_move": (
        "记录 {record} 的“{field}”不能更正（记录不能移到另一个项目），未做任何改动。",
        "The “{field}” of record {record} cannot be corrected (a record cannot move to another "
        "project); nothing was changed.",
    ),
    # ------------------------------------------------------------- the file's life
    "store_holds_accounts": ("账户", "accounts"),
    "store_holds_imports": ("导入的数据", "imported data"),
    "store_holds_both": ("账户和导入的数据", "accounts and imported data"),
    "store_how_gone": ("不见了", "is gone"),
    "store_how_replaced": ("被替换了", "was replaced"),
    "store_lost_backed_up": (
        "数据库文件 {name} {how}，而它保存着{what}：已停止写入，未自动重建；已从仍打开的连接写出应急备份 "
        "{made}，请用 python -m dashboard_lib.backup restore {made} 恢复后重启服务（见日志）。",
        "The database file {name} {how}, and it held {what}: writing has stopped and nothing was "
        "rebuilt; an emergency backup was written from the still-open connection to {made} — "
        "restore it with python -m dashboard_lib.backup restore {made} and restart the server "
        "(see the log).",
    ),
    "store_lost_no_backup": (
        "数据库文件 {name} {how}，而它保存着{what}：已停止写入，未自动重建；应急备份未能写出，"
        "请勿停止服务，按日志说明取回数据。",
        "The database file {name} {how}, and it held {what}: writing has stopped and nothing was "
        "rebuilt; the emergency backup could not be written — do not stop the server, and "
        "follow the log to recover the data.",
    ),
    "store_refuse_missing": (
        "数据库文件 {name} 不见了，而它保存着{what}：已停止写入，未自动重建，请用 "
        "python -m dashboard_lib.backup restore 从备份恢复（见日志）。",
        "The database file {name} is gone, and it held {what}: writing has stopped and it was "
        "not rebuilt; restore it from a backup with python -m dashboard_lib.backup restore "
        "(see the log).",
    ),
    "store_refuse_damaged": (
        "数据库文件 {name} 已损坏，已移至 {moved}；它保存着{what}，因此未自动重建，请用 "
        "python -m dashboard_lib.backup restore 从备份恢复（见日志）。",
        "The database file {name} is damaged and was moved to {moved}; it held {what}, so it "
        "was not rebuilt; restore it from a backup with python -m dashboard_lib.backup restore "
        "(see the log).",
    ),
    "store_refuse_replaced": (
        "数据库文件 {name} 已被一个不含{what}的文件替换：未使用它，也未重建，请用 "
        "python -m dashboard_lib.backup restore 从备份恢复（见日志）。",
        "The database file {name} was replaced by one without its {what}: it was neither used "
        "nor rebuilt; restore it from a backup with python -m dashboard_lib.backup restore "
        "(see the log).",
    ),
    "store_snapshot_missing": (
        "只读数据快照不存在，请先由导入任务发布。",
        "The read-only data snapshot does not exist; the import job must publish it first.",
    ),
    "store_snapshot_unreadable": (
        "只读数据快照无法打开。",
        "The read-only data snapshot could not be opened.",
    ),
    "store_read_only_version": (
        "只读的数据库文件版本不符，无法使用。",
        "The read-only database file has another schema version and cannot be used.",
    ),
    "store_read_only_unreadable": (
        "数据库文件为只读且无法打开。",
        "The database file is read-only and could not be opened.",
    ),
    "store_locked": (
        "数据库正被另一个程序（例如正在运行的导入）占用，请稍后再试。",
        "The database is in use by another program (such as a running import); please try "
        "again shortly.",
    ),
    "store_version_holds_data": (
        "数据库结构版本为 {version}，本程序需要 {needed}，且其中有导入的数据：请先备份并迁移，未做任何改动。",
        "The database has schema version {version}, this program needs {needed}, and it holds "
        "imported data: back it up and migrate it; nothing was changed.",
    ),
    # notices, shown once
    "store_notice_rebuilt": (
        "数据库文件不存在，已从 data/ 重新生成。",
        "The database file was missing and has been rebuilt from data/.",
    ),
    "store_notice_read_only": (
        "数据库文件为只读：可以查看，但不能导入或修改数据。",
        "The database file is read-only: you can view data but not import or edit.",
    ),
    "store_notice_damaged": (
        "数据库文件已损坏，已移至 {moved} 并重新生成。",
        "The database file was damaged; it was moved to {moved} and rebuilt.",
    ),
    "store_notice_unreadable": (
        "数据库文件无法读取，已移至 {moved} 并重新生成。",
        "The database file could not be read; it was moved to {moved} and rebuilt.",
    ),
    "store_notice_old_version": (
        "数据库结构版本（{version}）已过时，已移至 {moved} 并重新生成。",
        "The database had an old schema version ({version}); it was moved to {moved} and rebuilt.",
    ),
    # ------------------------------------------------------------- backups
    "backup_file_unreadable": (
        "备份文件 {name} 无法打开（{error}）。",
        "The backup file {name} does not open ({error}).",
    ),
    "backup_file_version": (
        "备份文件 {name} 的结构版本为 {version}，需要 {needed}。",
        "The backup file {name} has schema version {version}, not {needed}.",
    ),
    "backup_file_counts": (
        "备份文件 {name} 的行数与原库不符（{tables}）。",
        "The backup file {name} does not hold the source's row counts ({tables}).",
    ),
    "backup_newest": ("最近一次：{name}", "newest: {name}"),
    "backup_none_yet": ("目前还没有备份", "none made yet"),
    "backup_server_failed": (
        "运行中的看板服务未能备份数据库 {name}（{error}），详见服务日志。",
        "The running dashboard server could not back up the database {name} ({error}); see "
        "the server log.",
    ),
    "backup_db_in_use": (
        "数据库 {name} 正由运行中的看板服务使用，无法从外部复制，服务也未应答备份请求（它只为保存着账户或"
        "导入数据的数据库运行备份线程）；服务会按计划每 {hours:g} 小时自行备份到 {folder}（{last}）。",
        "The database {name} is in use by the running dashboard server and cannot be copied "
        "from outside, and the server did not answer the backup request (it runs its backup "
        "thread only for a database holding accounts or imports); it backs the file up itself "
        "every {hours:g} hours into {folder} ({last}).",
    ),
    "backup_db_missing": (
        "数据库文件 {db} 不存在，无从备份。",
        "The database file {db} does not exist.",
    ),
    "backup_db_unreadable": (
        "数据库文件 {name} 无法打开（{error}），无法备份。",
        "The database file {name} does not open ({error}).",
    ),
    "backup_missing": ("备份文件 {backup} 不存在。", "The backup file {backup} does not exist."),
    "backup_checksum": (
        "备份文件 {name} 与其清单的校验值不符（已损坏？），未恢复。",
        "The backup file {name} does not match its manifest's SHA-256 (damaged?); nothing was "
        "restored.",
    ),
    "backup_restore_in_use": (
        "数据库 {name} 正由运行中的看板服务使用：请先停止服务再恢复。",
        "The database {name} is in use by the running dashboard server: stop the server before "
        "restoring.",
    ),
    "backup_restore_unreadable": (
        "现有的数据库文件 {name} 无法读取：确认要替换它请加 --force（原文件会保留在旁边）。",
        "The existing database file {name} cannot be read: pass --force to replace it (the old "
        "file is kept beside it).",
    ),
    "backup_restore_holds_data": (
        "现有的数据库文件 {name} 含有账户或导入的数据，未覆盖；确认要替换请加 --force（原文件会保留在旁边）。",
        "The existing database file {name} holds accounts or imported data and was not "
        "overwritten; pass --force to replace it (the old file is kept beside it).",
    ),
}
