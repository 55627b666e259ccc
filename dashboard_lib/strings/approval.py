"""Strings of the approved / provisional marker every figure carries (issue 16, part 2):
the table column, its cells, and the caption under KPI cards and charts."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "approval_col": ("数据状态", "Data status"),
    "approval_approved": ("已批准", "Approved"),
    "approval_provisional": ("暂定", "Provisional"),
    "approval_partly": ("部分已批准（{x}%）", "Partly approved ({x}%)"),
    "approval_caption_approved": (
        "数据状态：已批准（所涉学期均已经教育部批准）",
        "Data status: approved (the ministry approved every term behind these figures)",
    ),
    "approval_caption_provisional": (
        "数据状态：暂定（尚未经教育部批准）",
        "Data status: provisional (not yet approved by the ministry)",
    ),
    "approval_caption_partly": (
        "数据状态：部分已批准（{x}% 的记录所属学期已经教育部批准，其余暂定）",
        "Data status: partly approved ({x}% of the records behind these figures are of terms "
        "the ministry approved; the rest are provisional)",
    ),
    "approval_caption_no_term": (
        "数据状态：暂定（里程碑与项目信息不属于任何学期，不经学期批准）",
        "Data status: provisional (milestones and project details belong to no term and are "
        "not approved with one)",
    ),
}

LABELS: dict[str, tuple[str, str]] = {}
