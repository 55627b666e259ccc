"""plotly figure builders for the programme views: pure functions returning figures.

Colours are defined once here: one per way of working, per region, per provenance and per student
level, so the same thing has the same colour on every page. Nothing here loads from the internet
(no geo traces, no mapbox): ``st.plotly_chart`` serves plotly.js itself. Category labels and hover
texts from data are HTML-escaped (plotly renders <b>, <a href>, <br> in them).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .textsafe import plot_text, plot_texts

KIND_COLORS = {
    "dispatch": "#1f77b4",
    "guidance_visit": "#2ca02c",
    "shadowing": "#9467bd",
    "training": "#ff7f0e",
    "internship": "#d62728",
}
REGION_COLORS = {
    "central": "#4e79a7",
    "western": "#f28e2b",
    "northeast": "#59a14f",
    "hebei_hainan": "#b07aa1",
    "corps": "#e15759",
}
PROVENANCE_COLORS = {"published": "#2ca02c", "imported": "#1f77b4", "simulated": "#9e9e9e"}
LEVEL_COLORS = {"undergraduate": "#8cd17d", "master": "#499894", "doctoral": "#203864"}
STATUS_COLORS = {
    "ms_on_time": "#59a14f",
    "ms_late": "#f28e2b",
    "ms_overdue": "#e15759",
    "ms_pending": "#bab0ac",
    "ms_no_record": "#dddddd",
}
MODE_COLORS = {"on_site": "#1f77b4", "online": "#aec7e8"}
DIRECTION_COLORS = {"to_county": "#1f77b4", "to_university": "#9467bd"}
OTHER = "#7f7f7f"
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _layout(
    fig: go.Figure, title: str, x_title: str = "", y_title: str = "", height: int = 380
) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend_title_text="",
        xaxis_title=x_title,
        yaxis_title=y_title,
        barmode="stack",
        # files leave through the product's exports only (scoped, neutralised)
        modebar={"remove": ["toImage"]},
    )
    return fig


def stacked_bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str | None,
    colors: dict[str, str],
    names: dict[str, str],
    title: str,
    x_title: str = "",
    y_title: str = "",
    horizontal: bool = False,
    height: int = 380,
) -> go.Figure:
    """Bars of ``y`` per ``x``, stacked by ``color`` (a vocabulary column, coloured by ``colors``,
    labelled by ``names``). ``x`` values are shown as given, in the frame's order."""
    fig = go.Figure()
    groups = (
        [(None, frame)]
        if color is None
        else [
            (g, frame[frame[color] == g])
            for g in [*colors, *sorted(set(frame[color]) - set(colors))]
            if (frame[color] == g).any()
        ]
    )
    for g, part in groups:
        kw = dict(
            name=plot_text(names.get(g, g)) if g is not None else y_title,
            marker_color=colors.get(g, OTHER)
            if g is not None
            else next(iter(colors.values()), OTHER),
        )
        if horizontal:
            fig.add_bar(y=plot_texts(part[x]), x=part[y], orientation="h", **kw)
        else:
            fig.add_bar(x=plot_texts(part[x]), y=part[y], **kw)
    fig = _layout(
        fig, title, y_title if horizontal else x_title, x_title if horizontal else y_title, height
    )
    order = list(dict.fromkeys(plot_texts(frame[x])))
    if horizontal:
        fig.update_yaxes(categoryorder="array", categoryarray=order[::-1])
    else:
        fig.update_xaxes(categoryorder="array", categoryarray=order, type="category")
    fig.update_layout(showlegend=color is not None)
    return fig


def trend_lines(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    start_x,
    start_label: str,
    x_title: str = "",
    y_title: str = "",
    height: int = 300,
    color: str = "#1f77b4",
) -> go.Figure:
    """One line over school years with the programme start marked by a dashed vertical line."""
    fig = go.Figure()
    fig.add_scatter(x=frame[x], y=frame[y], mode="lines+markers", line_color=color, name=y_title)
    fig.add_vline(x=start_x, line_dash="dash", line_color="#e15759")
    fig.add_annotation(
        x=start_x,
        y=1,
        yref="paper",
        text=start_label,
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font={"color": "#e15759"},
    )
    fig = _layout(fig, title, x_title, y_title, height)
    fig.update_xaxes(dtick=1)
    fig.update_layout(showlegend=False)
    return fig


def activity_dots(
    frame: pd.DataFrame,
    names: dict[str, str],
    title: str,
    deadline_x=None,
    deadline_label: str = "",
    height: int = 320,
) -> go.Figure:
    """Every activity of a project as a dot on a time line, one row per way of working."""
    fig = go.Figure()
    for kind, colour in KIND_COLORS.items():
        part = frame[frame["kind"] == kind]
        if len(part):
            fig.add_scatter(
                x=part["start_date"],
                y=[names.get(kind, kind)] * len(part),
                mode="markers",
                marker={"color": colour, "size": 9, "opacity": 0.75},
                name=names.get(kind, kind),
                hoverinfo="x+text",
                text=None if part.get("hover") is None else plot_texts(part["hover"]),
            )
    if deadline_x is not None:
        fig.add_vline(x=deadline_x, line_dash="dash", line_color="#e15759")
        fig.add_annotation(
            x=deadline_x,
            y=1,
            yref="paper",
            text=deadline_label,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"color": "#e15759"},
        )
    return _layout(fig, title, height=height)
