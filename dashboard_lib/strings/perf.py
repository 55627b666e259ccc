"""Strings of the speed work (issue 8): what a page says when it shows less than it holds."""

STRINGS = {
    "perf_dense_map_note": (
        "当前视图有 {n:,} 个项目：为保证加载速度，帮扶县以圆点表示、连线合并为一层；选择省份可查看县界。",
        "{n:,} projects in view: to keep the map fast, helped counties are drawn as dots and the "
        "lines as one layer; choose a province to see county outlines.",
    ),
    "perf_legend_helped_dot": ("帮扶县（圆点）", "Helped county (dot)"),
}
LABELS: dict = {}
