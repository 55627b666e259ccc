"""Strings of the successive cycles per project (issue 16, part 5): the dossier's table of cycles
and their outcomes (renewed, ended, re-paired), the milestones of each cycle, the import of a
second batch (its row reasons) and the store's refusals of a cycle."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------- the dossier
    "cycle_title": ("帮扶周期", "Agreement cycles"),
    "cycle_caption": (
        "每一轮三方协议一个周期：首轮协议 2022 年签订、2025 年 8 月期满；期满后续签、结束或更换帮扶高校",
        "One cycle per three-party agreement: the first were signed in 2022 and ended in "
        "August 2025; then a project was renewed, ended, or re-paired with another university",
    ),
    "cycle_no_label": ("第 {n} 周期", "Cycle {n}"),
    "cycle_col_no": ("周期", "Cycle"),
    "cycle_col_university": ("帮扶高校", "University"),
    "cycle_col_start": ("开始", "Start"),
    "cycle_col_end": ("结束", "End"),
    "cycle_col_outcome": ("结果", "Outcome"),
    "cycle_col_progress": ("进度", "Progress"),
    "cycle_col_stage": ("阶段", "Stage"),
    "cycle_current": ("当前周期", "Current cycle"),
    "cycle_simulated_note": (
        "标为“模拟”的周期是演示用的模拟数据：续签、结束与更换帮扶高校均非真实记录",
        "The cycles marked simulated are simulated for the demonstration: these renewals, "
        "endings and re-pairings are not real records",
    ),
    # outcomes of a cycle
    "cycle_s_ongoing": ("进行中", "Ongoing"),
    "cycle_s_renewed": ("续签", "Renewed"),
    "cycle_s_ended": ("结束", "Ended"),
    "cycle_s_repaired": ("更换帮扶高校", "Re-paired with another university"),
    "cycle_s_unrecorded": ("期满，结果未登记", "Ended; outcome not recorded"),
    "cycle_s_not_started": ("未开始", "Not started"),
    # ------------------------------------------------------------- the import of a second batch
    "cycle_r_bad_cycle": (
        "周期应为 {detail} 的整数（1 为首轮协议，2 为续签或第二批）",
        "the cycle must be a whole number {detail} (1: the first agreement, 2: the renewal or "
        "second batch)",
    ),
    "cycle_r_no_project": (
        "续签（第二批）的行须对应已登记的项目：未找到该县的这所学校，请先导入首轮协议",
        "a renewal (second batch) row needs a registered project: this school is not registered "
        "in this county; import its first agreement first",
    ),
    "cycle_r_out_of_scope": (
        "该校项目不在您的权限范围内，不能登记其周期",
        "this school's project is outside your scope; its cycles cannot be recorded",
    ),
    "cycle_r_gap": (
        "周期不能跳号：该项目下一周期应为第 {detail} 周期",
        "cycles cannot skip a number: this project's next cycle is cycle {detail}",
    ),
    "cycle_r_overlaps": (
        "开始日期须晚于上一周期的结束日期（{detail}）",
        "the start must come after the previous cycle's end ({detail})",
    ),
    "cycle_r_end_before_start": (
        "结束日期须晚于开始日期",
        "the end must come after the start",
    ),
    # ------------------------------------------------------------- the store's refusals
    "cycle_store_exists": (
        "项目 {project} 的第 {cycle} 周期已登记，未作任何更改",
        "cycle {cycle} of project {project} is already recorded; nothing was changed",
    ),
    "cycle_store_gap": (
        "项目 {project} 的最后一个周期是第 {last} 周期，不能登记第 {cycle} 周期，未作任何更改",
        "the last cycle of project {project} is cycle {last}; cycle {cycle} cannot be recorded; "
        "nothing was changed",
    ),
}
