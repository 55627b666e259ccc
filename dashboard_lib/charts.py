"""plotly figure builders for the programme views: pure functions returning figures.

Colours are defined once here: one per way of working, per region, per provenance and per student
level, so the same thing has the same colour on every page. Nothing here loads from the internet
(no geo traces, no mapbox): ``st.plotly_chart`` serves plotly.js itself. Category labels and hover
texts from data are HTML-escaped (plotly renders <b>, <a href>, <br> in them).

How figures read, the same on every page (issue 13): value axes group thousands (``10,000``, never
``10k``); date axes tick in the page's language (``2022年7月`` in Chinese: plotly has no Chinese
locale offline, so ``date_axis`` sets the tick formats itself, from the strings table); every axis
title carries its unit (the ``prog_axis_*`` strings); ``plotly_config(lang)`` is the chart's
config for ``st.plotly_chart`` (a Chinese locale for plotly's own texts: mode-bar titles, month
and day names).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .i18n import t
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
        separators=".,",
        # files leave through the product's exports only (scoped, neutralised)
        modebar={"remove": ["toImage"]},
    )
    return fig


def value_axis(fig: go.Figure, axis: str = "y") -> go.Figure:
    """A value axis with thousands grouped (``10,000``) instead of plotly's SI ``10k``."""
    fig.update_layout({f"{axis}axis": {"tickformat": ",~r", "exponentformat": "none"}})
    return fig


def date_axis(fig: go.Figure, lang: str = "zh", axis: str = "x") -> go.Figure:
    """A date axis whose ticks read in ``lang`` at every zoom: days ``2022-07-18``, months
    ``2022年7月`` / ``Jul 2022``, years ``2022年`` / ``2022``; hovers show the day."""
    day, month, year = (t(k, lang) for k in ("prog_tick_day", "prog_tick_month", "prog_tick_year"))
    fig.update_layout(
        {
            f"{axis}axis": {
                "type": "date",
                "hoverformat": "%Y-%m-%d",
                "tickformatstops": [
                    {"dtickrange": [None, 86_400_000 * 27], "value": day},
                    {"dtickrange": [86_400_000 * 27, 86_400_000 * 360], "value": month},
                    {"dtickrange": [86_400_000 * 360, None], "value": year},
                ],
            }
        }
    )
    return fig


# plotly's own texts (mode bar, month and day names), by the English text plotly.js looks up
_PLOTLY_TEXTS = {
    "Autoscale": "prog_plotly_autoscale",
    "Box Select": "prog_plotly_box_select",
    "Lasso Select": "prog_plotly_lasso_select",
    "Pan": "prog_plotly_pan",
    "Reset axes": "prog_plotly_reset_axes",
    "Zoom": "prog_plotly_zoom",
    "Zoom in": "prog_plotly_zoom_in",
    "Zoom out": "prog_plotly_zoom_out",
    "Toggle Spike Lines": "prog_plotly_spikes",
    "Show closest data on hover": "prog_plotly_hover_closest",
    "Compare data on hover": "prog_plotly_hover_compare",
    "Double-click to zoom back out": "prog_plotly_double_click",
    "Produced with Plotly.js": "prog_plotly_produced",
    "Click to enter Colorscale title": "prog_plotly_click_title",
    "Click to enter X axis title": "prog_plotly_click_title",
    "Click to enter Y axis title": "prog_plotly_click_title",
    "Click to enter Plot title": "prog_plotly_click_title",
    "Click to enter Component A title": "prog_plotly_click_title",
}


def plotly_config(lang: str = "zh") -> dict:
    """``st.plotly_chart``'s config: no logo, and in Chinese a locale registered with the chart
    itself (plotly.js ships no Chinese offline), so no English shows on the mode bar or in
    plotly's month and day names."""
    config: dict = {"displaylogo": False}
    if lang == "en":
        return config
    months = t("prog_plotly_months", lang).split(",")
    days = t("prog_plotly_days", lang).split(",")
    config["locale"] = "zh-CN"
    config["locales"] = {
        "zh-CN": {
            "dictionary": {en: t(key, lang) for en, key in _PLOTLY_TEXTS.items()},
            "format": {
                "days": days,
                "shortDays": days,
                "months": months,
                "shortMonths": months,
                "date": "%Y-%m-%d",
                "decimal": ".",
                "thousands": ",",
            },
        }
    }
    return config


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
    return value_axis(fig, "x" if horizontal else "y")


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
    fig.update_xaxes(dtick=1, tickformat="d")  # school years read 2023, never 2,023
    fig.update_layout(showlegend=False)
    return value_axis(fig)


def activity_dots(
    frame: pd.DataFrame,
    names: dict[str, str],
    title: str,
    deadline_x=None,
    deadline_label: str = "",
    height: int = 320,
    lang: str = "zh",
) -> go.Figure:
    """Every activity of a project as a dot on a time line, one row per way of working; the
    date axis ticks in ``lang`` (``2022年7月``, see :func:`date_axis`)."""
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
    fig = _layout(fig, title, x_title=t("prog_axis_date", lang), height=height)
    return date_axis(fig, lang)
