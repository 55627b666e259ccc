"""Strings of the term reporting cycle (issue 16): the term reports page, its figures, the
notice to the projects that have not reported, and the store's refusals of the workflow."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------- the page
    "nav_reporting": ("上报与审核", "Term reports"),
    "rep_title": ("学期报告：上报与审核", "Term reports: filing and review"),
    "rep_caption": (
        "每个学期是一个报送期：高校报送，省级审核（通过或退回），教育部批准后该学期数据锁定",
        "Each school term is a reporting period: the university files, the province reviews "
        "(accepts or returns), and once the ministry approves, the term's data are locked",
    ),
    "rep_term_pick": ("学期", "Term"),
    "rep_no_terms": ("还没有已结束的学期。", "No term has ended yet."),
    "rep_no_projects": ("您的权限范围内没有项目。", "There are no projects in your scope."),
    "rep_not_bound": (
        "另有 {n} 个项目的托管协议在{term}之前已登记结束，本学期不需报送，未计入应报数。",
        "{n} projects whose agreement was recorded as ended before {term} owe no report for it "
        "and are not counted as expected.",
    ),
    "rep_past_read_only": (
        "正在查看截至 {as_of} 的情况：报送、审核与审批只能在最新日期下进行。"
        "请在侧栏把“数据截至”设回最新日期。",
        "You are viewing the state as of {as_of}: reports are filed, reviewed and approved on "
        "the latest date only. Set “Data as of” in the sidebar back to the latest date.",
    ),
    "rep_due_default": (
        "{term}学期报告截止日期：{due}（默认：学期结束后 {days} 天）。",
        "The {term} report is due on {due} (the default: {days} days after the term ends).",
    ),
    "rep_due_changed": (
        "{term}学期报告截止日期：{due}（教育部已调整）。",
        "The {term} report is due on {due} (set by the ministry).",
    ),
    "rep_formula": (
        "完整率 = 已报送（含逾期）÷ 应报项目数；及时率 = 按时报送 ÷ 应报项目数。以首次报送时间为准。",
        "Completeness = reports filed (late ones included) ÷ reports expected; timeliness = "
        "reports filed on time ÷ reports expected. The first submission counts.",
    ),
    "rep_metric_completeness": ("完整率", "Completeness"),
    "rep_metric_timeliness": ("及时率", "Timeliness"),
    "rep_metric_expected": ("应报项目", "Reports expected"),
    "rep_metric_missing": ("未报送", "Not filed"),
    "rep_projects_heading": ("各项目报送情况", "Each project's report"),
    "rep_by_province": ("按省份", "By province"),
    "rep_by_university": ("按托管高校", "By university"),
    "rep_worklist": ("本学期未报送项目", "Not reported this term"),
    "rep_worklist_caption": (
        "尚未首次报送的项目（已退回待重报的不在此列）；可下载后发送，或复制下面的通知。",
        "Projects that have not filed yet (reports returned for a correction are not listed); "
        "download the list, or copy the notice below.",
    ),
    "rep_worklist_none": ("本学期所有项目均已报送。", "Every project has filed this term."),
    "rep_notice_label": ("通知文本（可复制）", "Notice text (to copy)"),
    "rep_notice_head": (
        "关于报送{term}学期托管帮扶工作报告的提醒\n截至 {as_of}，以下 {n} 个项目尚未报送"
        "{term}学期报告：",
        "Reminder: the {term} term report of the partnership programme\nAs of {as_of}, the "
        "following {n} projects have not filed their {term} report:",
    ),
    "rep_notice_tail": (
        "报送截止日期为 {due}。请尽快登录监测平台“上报与审核”页面报送。",
        "The report is due on {due}. Please sign in to the monitoring platform and file it on "
        "the Term reports page.",
    ),
    "rep_notice_line": ("{i}. {school}（{university}）", "{i}. {school} ({university})"),
    "rep_col_projects": ("项目数", "Projects"),
    "rep_col_accepted": ("已通过", "Accepted"),
    "rep_col_state": ("状态", "State"),
    "rep_col_note": ("说明", "Note"),
    "rep_state_approved": ("已批准（锁定）", "Approved (locked)"),
    "rep_state_ready": ("可批准", "Ready to approve"),
    "rep_state_open": ("审核未完成", "Review not finished"),
    "rep_col_expected": ("应报", "Expected"),
    "rep_col_on_time": ("按时", "On time"),
    "rep_col_late": ("逾期", "Late"),
    "rep_col_missing": ("未报", "Missing"),
    "rep_col_pending": ("未到期", "Not yet due"),
    "rep_col_completeness": ("完整率", "Completeness"),
    "rep_col_timeliness": ("及时率", "Timeliness"),
    "rep_col_filing": ("报送", "Filing"),
    "rep_col_first_submitted": ("首次报送日期", "First filed"),
    "rep_col_review": ("审核", "Review"),
    "rep_col_comment": ("审核意见", "Review comment"),
    "rep_col_term": ("学期", "Term"),
    "rep_col_due": ("截止日期", "Due"),
    "rep_filing_on_time": ("按时报送", "Filed on time"),
    "rep_filing_late": ("逾期报送", "Filed late"),
    "rep_filing_missing": ("未报送", "Missing"),
    "rep_filing_pending": ("未到期", "Not yet due"),
    "rep_review_submitted": ("待审核", "Awaiting review"),
    "rep_review_returned": ("已退回", "Returned"),
    "rep_review_accepted": ("已通过", "Accepted"),
    "rep_review_approved": ("已批准（锁定）", "Approved (locked)"),
    "rep_accepted_line": (
        "{province}：已通过 {n} / {total} 个项目。",
        "{province}: {n} of {total} projects accepted.",
    ),
    "rep_approved_line": (
        "{province}：{term}学期已由 {by} 于 {at} 批准，数据已锁定。",
        "{province}: {term} approved by {by} on {at}; its data are locked.",
    ),
    "rep_reopened_line": (
        "{province}：已通过 {n} / {total} 个项目；{by} 于 {at} 重新开放，原因：{reason}",
        "{province}: {n} of {total} projects accepted; reopened by {by} on {at}, because: {reason}",
    ),
    "rep_col_source": ("报告来源", "Report source"),
    "rep_source_simulated": ("模拟", "Simulated"),
    "rep_source_entered": ("填报", "Entered"),
    "rep_simulated_note": (
        "本页有 {n} 份学期报告是演示用的模拟数据（“报告来源”列标注为“模拟”），不是真实报送。",
        "{n} term reports on this page are simulated demo data (marked “Simulated” in the Report "
        "source column), not real filings.",
    ),
    "rep_by_county": (
        "按县（本省项目所在县）",
        "By county (the counties of the province's projects)",
    ),
    "rep_map_heading": ("报送完整率地图", "Completeness on the map"),
    "rep_map_caption_province": (
        "{term}学期各省报送完整率（与下方“按省份”表同一计算）；灰色为非项目省份或权限外。",
        "Completeness of the {term} reports by province (the same figures as the By province "
        "table below); grey: outside the programme or your scope.",
    ),
    "rep_map_caption_county": (
        "{term}学期本省各项目所在县的报送完整率（与下方“按县”表同一计算）；灰色为没有项目的县。",
        "Completeness of the {term} reports in the counties of the province's projects (the same "
        "figures as the By county table below); grey: counties without a project.",
    ),
    # ------------------------------------------------------------- the page's actions
    "rep_submit_all_button": ("全部报送（{n} 个项目）", "File all ({n} projects)"),
    "rep_submit_all_help": (
        "一次报送下列所有尚未报送或已退回的项目。",
        "Files every project listed that has not filed yet or was returned, in one go.",
    ),
    "rep_submitted_all_ok": (
        "已报送 {n} 个项目的{term}学期报告。",
        "Filed the {term} reports of {n} projects.",
    ),
    "rep_accept_all_button": ("全部通过（{n} 份报告）", "Accept all ({n} reports)"),
    "rep_accepted_all_ok": (
        "已通过 {n} 份{term}学期报告。",
        "Accepted {n} {term} reports.",
    ),
    "rep_bulk_none": (
        "没有可处理的报告（可能已被他人处理），未做任何改动。",
        "There was no report to act on (someone may have acted already); nothing was changed.",
    ),
    "rep_submit_heading": ("报送学期报告", "File a term report"),
    "rep_submit_pick": ("项目", "Project"),
    "rep_submit_button": ("报送", "File the report"),
    "rep_nothing_to_submit": (
        "本学期您的项目都已报送（或已通过）。",
        "Every project of yours has filed (or been accepted) this term.",
    ),
    "rep_submitted_ok": (
        "已报送：{project}，{term}学期。",
        "Filed: {project}, {term}.",
    ),
    "rep_review_heading": ("审核学期报告", "Review a term report"),
    "rep_review_pick": ("待审核的报告", "Report awaiting review"),
    "rep_comment": ("审核意见（退回时必填）", "Comment (required to return)"),
    "rep_accept_button": ("通过", "Accept"),
    "rep_return_button": ("退回", "Return"),
    "rep_nothing_to_review": ("没有待审核的报告。", "No report awaits review."),
    "rep_accepted_ok": ("已通过：{project}，{term}学期。", "Accepted: {project}, {term}."),
    "rep_returned_ok": (
        "已退回：{project}，{term}学期；高校可修改后重新报送。",
        "Returned: {project}, {term}; the university can file it again.",
    ),
    "rep_approve_heading": ("批准与重新开放", "Approve and reopen"),
    "rep_province_pick": ("省份", "Province"),
    "rep_approve_button": ("批准本学期", "Approve the term"),
    "rep_approved_ok": (
        "已批准：{province}，{term}学期；该省本学期数据已锁定。",
        "Approved: {province}, {term}; the province's data of the term are locked.",
    ),
    "rep_reopen_reason": ("重新开放的原因（必填）", "Reason for reopening (required)"),
    "rep_reopen_button": ("重新开放", "Reopen"),
    "rep_reopened_ok": (
        "已重新开放：{province}，{term}学期；原因已记入操作日志。",
        "Reopened: {province}, {term}; the reason is in the audit log.",
    ),
    "rep_due_heading": ("调整截止日期", "Change the due date"),
    "rep_due_pick": ("新的截止日期", "New due date"),
    "rep_due_button": ("保存截止日期", "Save the due date"),
    "rep_due_ok": (
        "已保存：{term}学期报告截止日期为 {due}。",
        "Saved: the {term} report is due on {due}.",
    ),
    # ------------------------------------------------------------- the store's refusals
    "reporting_locked": (
        "{province}{term}学期的数据已由 {by} 于 {at} 批准并锁定，本次修改未保存。如需修改，请教育部先重新开放该学期。",
        "The {term} data of {province} were approved by {by} on {at} and are locked; this "
        "change was not saved. To change them, the ministry must reopen the term first.",
    ),
    "reporting_term_approved": (
        "{term}学期已由 {by} 于 {at} 批准，不能再报送或审核；如需修改，请教育部先重新开放。",
        "{term} was approved by {by} on {at}: nothing can be filed or reviewed; the ministry "
        "must reopen it first.",
    ),
    "reporting_only_university": (
        "只有托管高校（或教育部）可以报送学期报告。",
        "Only a host university (or the ministry) can file a term report.",
    ),
    "reporting_only_province": (
        "只有省级用户可以审核本省的学期报告。",
        "Only a province official can review the province's term reports.",
    ),
    "reporting_only_ministry": (
        "只有教育部可以批准、重新开放学期或调整截止日期。",
        "Only the ministry can approve or reopen a term, or change a due date.",
    ),
    "reporting_bad_term": ("“{term}”不是一个学期。", "“{term}” is not a term."),
    "reporting_project_out_of_scope": (
        "项目 {project} 不在您的权限范围内，未做任何改动。",
        "Project {project} is outside your scope; nothing was changed.",
    ),
    "reporting_term_not_ended": (
        "{term}学期尚未结束，结束后才能报送。",
        "{term} has not ended yet; it can be filed once it has.",
    ),
    "reporting_already_submitted": (
        "项目 {project} 本学期的报告已报送，正在等待省级审核。",
        "Project {project} has already filed this term's report; it awaits the province's review.",
    ),
    "reporting_already_accepted": (
        "项目 {project} 本学期的报告已通过审核，不能再报送。",
        "Project {project}'s report for this term was accepted; it cannot be filed again.",
    ),
    "reporting_comment_required": (
        "退回报告时必须填写审核意见。",
        "A comment is required to return a report.",
    ),
    "reporting_not_submitted": (
        "项目 {project} 没有待审核的{term}学期报告。",
        "Project {project} has no {term} report awaiting review.",
    ),
    "reporting_no_projects": (
        "省份 {province} 没有项目，无需批准。",
        "Province {province} has no projects; there is nothing to approve.",
    ),
    "reporting_not_all_accepted": (
        "还有 {n} 个项目（共 {total} 个）的{term}学期报告未通过审核，暂不能批准。",
        "{n} of {total} projects have no accepted {term} report yet; the term cannot be approved.",
    ),
    "reporting_reason_required": (
        "重新开放学期时必须填写原因。",
        "A reason is required to reopen a term.",
    ),
    "reporting_not_approved": (
        "{term}学期尚未批准，无需重新开放。",
        "{term} is not approved; there is nothing to reopen.",
    ),
    "reporting_due_missing": ("请选择截止日期。", "Choose a due date."),
    "reporting_due_before_end": (
        "截止日期不能早于学期结束日（{end}）。",
        "The due date cannot fall before the term ends ({end}).",
    ),
}
