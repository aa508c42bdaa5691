"""Leadership charts: plain functions from the metrics tables to plotly figures.

Every function takes the tidy tables of docs/schema.md (project_status, indicator_status,
department_summary) and returns a ``go.Figure`` styled by the shared "jixiao" template: a pinned
CJK font, fixed light colours, 万元 and percent formats, Chinese titles, and a size that fits an
A4 page at about 800 px wide. Names typed by the units travel as data, never as markup: plotly.js
interprets a few tags (<b>, <br>, <a>) even in data labels, so ``plain_text`` escapes them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from jixiao.config.profile import RuleProfile, load_profile
from jixiao.domain.formatting import score_text
from jixiao.domain.vocabulary import LIGHTS
from jixiao.metrics.compute import BLUE, GREEN, LIGHT_LABELS, RED, UNKNOWN, YELLOW, budget_light

TEMPLATE_NAME = "jixiao"
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
FONT_SIZE = 13
TITLE_FONT_SIZE = 17
# An A4 page printed from an 800 px wide viewport: charts fill the width, two fit one page.
DEFAULT_WIDTH = 800
DEFAULT_HEIGHT = 480
ROW_HEIGHT = 26  # px per bar in horizontal bar charts, so long department lists stay legible
MIN_BAR_CHART_HEIGHT = 320
MARGIN = dict(l=70, r=30, t=70, b=60)

LIGHT_ORDER = LIGHTS
LIGHT_COLORS = {
    RED: "#D93A2B",
    YELLOW: "#F0B400",
    GREEN: "#2E9E4A",
    BLUE: "#2F6FD0",
    UNKNOWN: "#9E9E9E",
}
NEUTRAL_COLOR = "#5B7DB1"  # bars that carry no light
MUTED_COLOR = "#C9D3E3"  # the other departments when one is highlighted
HIGHLIGHT_COLOR = "#1F4E9A"  # the department a brief is about
TIME_PROGRESS_COLOR = "#333333"
BUBBLE_MAX_SIZE = 60  # px diameter of the largest project's bubble
BUBBLE_MIN_SIZE = 5
LOG_TICK_STEPS = (1, 2, 5)
SCORE_AXIS_MAX = 108  # full marks are 100; the headroom keeps the score labels inside the plot
TIE_AXIS_EXTRA = 8  # more headroom when labels carry "（同分）"
HEAT_COLORSCALE = [[0.0, "#FFFFFF"], [0.5, "#F6B26B"], [1.0, "#C62828"]]
# Slides (PowerPoint, WPS): 16:9 landscape, large enough for a county's 20-30 department rows.
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
EMPTY_CELL_COLOR = "#F2F2F2"  # a matrix cell without projects
EMPTY_CELL_TEXT_COLOR = "#666666"
LEGEND_MARKER_SIZE = 12
NOTE_STYLE = "font-size:11px;color:#666666"
# Projects whose points would sit on top of each other (same rounded position) are drawn once,
# larger, with their count: 1 decimal of a percent is what the axes can show anyway.
OVERLAP_DECIMALS = 1
OVERLAP_SIZE_STEP = 4  # px of marker diameter per extra project at the same point
SMALL_COUNT_MAX = 10  # count axes up to this value tick every whole number

LEVEL2_ORDER = ("数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
                "可持续影响指标", "服务对象满意度指标", "经济成本指标", "社会成本指标", "生态环境成本指标")
LEVEL2_SUFFIX = "指标"
REASON_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
MATRIX_CORE_LIGHTS = (RED, YELLOW, GREEN)  # rows/columns the 双监控 matrix always shows
ATTENTION_LIGHTS = (RED, YELLOW)  # indicators whose reasons explain a deviation

NO_DATA_TEXT = "无数据"  # printed where a value is missing, so a blank never looks like zero
MONEY_FORMAT = ",.2f"  # 万元 with two decimals, thousands separated
PERCENT_FORMAT = ".1f"  # stored as 95 for 95 %, shown with a "%" suffix
PERCENT_TICK_FORMAT = ".0f"
MONEY_TICK_FORMAT = ",.0f"
PERCENT_SUFFIX = "%"
MONEY_UNIT = "万元"
TIME_PROGRESS_LABEL = "序时进度"


# ---------------------------------------------------------------- template

def build_template() -> go.layout.Template:
    """The one house style: CJK font, white background, light colours as the colourway."""
    template = go.layout.Template()
    template.layout = go.Layout(
        font=dict(family=FONT_FAMILY, size=FONT_SIZE, color="#222222"),
        title=dict(font=dict(family=FONT_FAMILY, size=TITLE_FONT_SIZE), x=0.02, xanchor="left"),
        width=DEFAULT_WIDTH,
        height=DEFAULT_HEIGHT,
        margin=MARGIN,
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        colorway=[NEUTRAL_COLOR] + [LIGHT_COLORS[light] for light in LIGHT_ORDER],
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        separators=".,",
    )
    axis = dict(gridcolor="#E5E5E5", zerolinecolor="#BDBDBD", linecolor="#BDBDBD", automargin=True)
    template.layout.xaxis = axis
    template.layout.yaxis = axis
    return template


def figure_size(fig: go.Figure, width: int | None = None, height: int | None = None) -> tuple[int, int]:
    """The drawing size in layout pixels: as given, else the figure's own, else the house default."""
    return (int(width or fig.layout.width or DEFAULT_WIDTH), int(height or fig.layout.height or DEFAULT_HEIGHT))


def register_template() -> str:
    """Register the template as ``pio.templates["jixiao"]`` (idempotent); returns its name."""
    pio.templates[TEMPLATE_NAME] = build_template()
    return TEMPLATE_NAME


def apply_template(fig: go.Figure) -> go.Figure:
    """Style ``fig`` with the house template (in place) and return it."""
    register_template()
    fig.update_layout(template=TEMPLATE_NAME)
    return fig


def plain_text(value) -> str:
    """A unit's text as literal characters: plotly.js would otherwise render <b>, <br> or <a>."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _labels(values: Iterable) -> list[str]:
    return [plain_text(value) for value in values]


def _new_figure(title: str, height: int = DEFAULT_HEIGHT) -> go.Figure:
    fig = apply_template(go.Figure())
    fig.update_layout(title=dict(text=title), height=height)
    return fig


def _bar_chart_height(n_rows: int) -> int:
    return max(MIN_BAR_CHART_HEIGHT, MARGIN["t"] + MARGIN["b"] + ROW_HEIGHT * n_rows)


def _percent_axis(title: str) -> dict:
    return dict(title=dict(text=title), ticksuffix=PERCENT_SUFFIX, tickformat=PERCENT_TICK_FORMAT)


def _count_axis(title: str, largest) -> dict:
    """A count axis: whole numbers only, stepping by one while the counts are small (never 0.5 ticks)."""
    small = largest is not None and pd.notna(largest) and largest <= SMALL_COUNT_MAX
    return dict(title=dict(text=title), tickformat=",d", rangemode="tozero", dtick=1 if small else None)


def _money_axis(title: str) -> dict:
    return dict(title=dict(text=f"{title}（{MONEY_UNIT}）"), tickformat=MONEY_TICK_FORMAT)


def _filter(frame: pd.DataFrame, department: str | None) -> pd.DataFrame:
    """Rows of one department (``dept_name``), or all rows when ``department`` is None."""
    if department is None:
        return frame
    return frame[frame["dept_name"] == department]


def _light_label(light: str) -> str:
    return LIGHT_LABELS.get(light, LIGHT_LABELS[UNKNOWN])


def _normalise_light(value) -> str:
    return value if value in LIGHT_COLORS else UNKNOWN


def _time_progress_value(frame: pd.DataFrame) -> float | None:
    """The most common 序时进度 in ``frame`` (one period per run, so normally a single value)."""
    values = frame["time_progress"].dropna() if "time_progress" in frame else pd.Series(dtype=float)
    return None if values.empty else float(values.mode().iloc[0])


def _title_with(department: str | None, title: str) -> str:
    return f"{plain_text(department)}：{title}" if department else title


def as_slide(fig: go.Figure) -> go.Figure:
    """16:9 landscape slide proportions (in place), for the charts leadership puts in PowerPoint."""
    fig.update_layout(width=SLIDE_WIDTH, height=SLIDE_HEIGHT)
    return fig


def _legend_entry(fig: go.Figure, name: str, color: str) -> None:
    """A legend-only square: explains bar or cell colours that carry no trace of their own."""
    fig.add_scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip", showlegend=True,
                    marker=dict(symbol="square", size=LEGEND_MARKER_SIZE, color=color))


def _with_note(title: str, note: str) -> dict:
    """An axis title with a small explanatory second line (axis titles take part in the automatic margins)."""
    return dict(text=f"{title}<br><span style='{NOTE_STYLE}'>{note}</span>")


# ---------------------------------------------------------------- county charts

def department_budget_lights(summary: pd.DataFrame, profile: RuleProfile | None = None) -> list[str]:
    """Budget light of each department row, by the same rule the projects use (metrics.budget_light)."""
    profile = profile or load_profile(None)
    lights = []
    for ratio, expected in zip(summary["execution_ratio"], summary["expected_rate"]):
        ratio = None if pd.isna(ratio) else float(ratio)
        expected = None if pd.isna(expected) else float(expected)
        lights.append(budget_light(ratio, expected, profile)[0])
    return lights


def execution_by_department(department_summary: pd.DataFrame, departments: Iterable[str] | None = None,
                            profile: RuleProfile | None = None) -> go.Figure:
    """Bars of each department's 预算执行率 (coloured by budget light) against the 序时进度 line.

    Sorted from the lowest rate so the laggards come first. ``departments`` keeps only those.
    """
    frame = department_summary
    if departments is not None:
        frame = frame[frame["dept_name"].isin(list(departments))]
    frame = frame.sort_values("execution_rate", na_position="first").reset_index(drop=True)
    if "budget_light" in frame and frame["budget_light"].notna().any():
        lights = [_normalise_light(light) for light in frame["budget_light"]]  # stored by the metrics stage
    else:  # tables from before the metrics stored it: the same rule, with the active profile
        lights = department_budget_lights(frame, profile) if len(frame) else []
    names = _labels(frame["dept_name"])
    fig = _new_figure("各部门预算执行率与序时进度")
    missing = frame["execution_rate"].isna()
    fig.add_bar(
        # A department without an execution rate gets an empty bar that says so, not a silent gap.
        x=names, y=frame["execution_rate"].fillna(0), name="预算执行率", showlegend=False,
        text=[NO_DATA_TEXT if gap else "" for gap in missing], textposition="outside", cliponaxis=False,
        marker_color=[LIGHT_COLORS[light] for light in lights],
        customdata=list(zip(frame["budget_total"], frame["executed_total"], [_light_label(l) for l in lights])),
        hovertemplate=("%{x}<br>预算执行率 %{y:" + PERCENT_FORMAT + "}%<br>年初预算 %{customdata[0]:" + MONEY_FORMAT
                       + "} 万元<br>已执行 %{customdata[1]:" + MONEY_FORMAT + "} 万元<br>%{customdata[2]}<extra></extra>"),
    )
    progress = frame["time_progress"].round(2)
    if progress.nunique() <= 1:
        # One period for all: one straight line.
        fig.add_scatter(x=names, y=frame["time_progress"], name=TIME_PROGRESS_LABEL, mode="lines",
                        line=dict(color=TIME_PROGRESS_COLOR, dash="dash", width=2),
                        hovertemplate=TIME_PROGRESS_LABEL + " %{y:" + PERCENT_FORMAT + "}%<extra></extra>")
    else:
        # Departments reported different periods: a mark per department, never a stepped line.
        fig.add_scatter(x=names, y=frame["time_progress"], name=f"{TIME_PROGRESS_LABEL}（各部门期间不同）",
                        mode="markers", marker=dict(symbol="line-ew", size=28, line=dict(color=TIME_PROGRESS_COLOR,
                                                                                          width=3)),
                        hovertemplate="%{x}<br>" + TIME_PROGRESS_LABEL + " %{y:" + PERCENT_FORMAT + "}%<extra></extra>")
    for light in LIGHT_ORDER:
        if light in lights:
            _legend_entry(fig, f"执行{_light_label(light)}", LIGHT_COLORS[light])
    fig.update_layout(xaxis=dict(title=dict(text="主管部门"), tickangle=-45), yaxis=_percent_axis("预算执行率"),
                      height=DEFAULT_HEIGHT + 60, legend=dict(traceorder="normal"))
    return fig


def dual_monitoring_matrix(project_status: pd.DataFrame, department: str | None = None) -> go.Figure:
    """双监控矩阵: project counts by budget light (rows) × target light (columns).

    Each cell is coloured by the dual light those projects received, so the reader sees both the
    count and the verdict; empty combinations read "0 个" on grey. The legend names the colours.
    """
    frame = _filter(project_status, department)
    counts = frame.assign(budget=frame["budget_light"].map(_normalise_light),
                          target=frame["target_light"].map(_normalise_light),
                          dual=frame["dual_light"].map(_normalise_light))
    rows = _present_lights(counts["budget"], always=MATRIX_CORE_LIGHTS)
    columns = _present_lights(counts["target"], always=MATRIX_CORE_LIGHTS)
    z, text, hover = [], [], []
    for row in rows:
        z_row, text_row, hover_row = [], [], []
        for column in columns:
            cell = counts[(counts["budget"] == row) & (counts["target"] == column)]
            if cell.empty:
                z_row.append(len(LIGHT_ORDER))  # the grey "no projects" step of the colour scale
                text_row.append("0 个")
                hover_row.append(f"预算执行{_light_label(row)} × 目标完成{_light_label(column)}：没有项目")
                continue
            dual = cell["dual"].mode().iloc[0]
            z_row.append(LIGHT_ORDER.index(dual))
            text_row.append(f"{len(cell)} 个")
            hover_row.append(f"预算执行{_light_label(row)} × 目标完成{_light_label(column)}："
                             f"{len(cell)} 个项目，双监控{_light_label(dual)}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    fig = _new_figure(_title_with(department, "双监控矩阵：预算执行 × 目标完成（项目数）"))
    fig.add_heatmap(
        z=z, x=[f"目标{_light_label(c)}" for c in columns], y=[f"执行{_light_label(r)}" for r in rows],
        text=text, customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorscale=_discrete_light_scale(with_empty=True), zmin=0, zmax=len(LIGHT_ORDER), showscale=False,
        xgap=3, ygap=3, showlegend=False,
    )
    x_labels, y_labels = [f"目标{_light_label(c)}" for c in columns], [f"执行{_light_label(r)}" for r in rows]
    # Cell labels as annotations: white on a light colour, grey on an empty cell.
    for i, y_label in enumerate(y_labels):
        for j, x_label in enumerate(x_labels):
            empty = z[i][j] == len(LIGHT_ORDER)
            fig.add_annotation(x=x_label, y=y_label, text=text[i][j], showarrow=False,
                               font=dict(size=FONT_SIZE + 3, color=EMPTY_CELL_TEXT_COLOR if empty else "#FFFFFF"))
    shown = sorted({value for row in z for value in row if value < len(LIGHT_ORDER)})
    for index in shown:
        _legend_entry(fig, f"双监控{_light_label(LIGHT_ORDER[index])}", LIGHT_COLORS[LIGHT_ORDER[index]])
    _legend_entry(fig, "没有项目", EMPTY_CELL_COLOR)
    fig.update_layout(xaxis=dict(title=dict(text="目标完成灯"), side="bottom", showgrid=False),
                      yaxis=dict(title=dict(text="预算执行灯"), autorange="reversed", showgrid=False),
                      # Vertical, right of the cells: the top is taken by the title and its provenance line.
                      legend=dict(title=dict(text="格子颜色"), traceorder="normal", orientation="v",
                                  x=1.02, xanchor="left", y=1.0, yanchor="top"),
                      plot_bgcolor="#FFFFFF")
    return fig


def _present_lights(lights: pd.Series, always: Iterable[str]) -> list[str]:
    """Lights in LIGHT_ORDER: those in ``always`` plus any other that occurs in ``lights``."""
    wanted = set(always) | set(lights)
    return [light for light in LIGHT_ORDER if light in wanted]


def _discrete_light_scale(with_empty: bool = False) -> list[list]:
    """A colourscale mapping the integer index of LIGHT_ORDER to the fixed light colour (then grey = empty)."""
    colors = [LIGHT_COLORS[light] for light in LIGHT_ORDER] + ([EMPTY_CELL_COLOR] if with_empty else [])
    steps = len(colors) - 1
    return [[index / steps, color] for index, color in enumerate(colors)]


def project_target_completion(indicator_status: pd.DataFrame) -> pd.Series:
    """Mean indicator completion (each capped at 100 %) per project_id; what the target light summarises."""
    completion = indicator_status["completion"].clip(upper=100.0)
    return completion.groupby(indicator_status["project_id"]).mean()


def dual_monitoring_scatter(project_status: pd.DataFrame, indicator_status: pd.DataFrame,
                            department: str | None = None) -> go.Figure:
    """Projects placed by 执行进度比 (x) and mean indicator completion (y), coloured by dual light."""
    frame = _filter(project_status, department)
    completion = project_target_completion(indicator_status)
    frame = frame.assign(target_completion=frame["project_id"].map(completion))
    fig = _new_figure(_title_with(department, "双监控：执行进度比与指标完成率（按项目）"))
    for light in LIGHT_ORDER:
        group = frame[frame["dual_light"].map(_normalise_light) == light]
        if group.empty:
            continue
        points = _overlapping_points(group)
        fig.add_scatter(
            x=points["x"], y=points["y"], mode="markers+text", name=f"双监控{_light_label(light)}",
            text=[f"{n} 个" if n > 1 else "" for n in points["n"]], textposition="middle right",
            marker=dict(color=LIGHT_COLORS[light], size=[11 + OVERLAP_SIZE_STEP * (n - 1) for n in points["n"]],
                        opacity=0.85, line=dict(color="#FFFFFF", width=1)),
            customdata=list(zip(points["names"], points["n"], strict=True)),
            hovertemplate=("%{customdata[0]}<br>执行进度比 %{x:" + PERCENT_FORMAT
                           + "}%<br>指标平均完成率 %{y:" + PERCENT_FORMAT + "}%<extra></extra>"),
        )
    top = frame["target_completion"].max() if len(frame) else None
    y_max = max(100.0, float(top)) * 1.05 if top is not None and pd.notna(top) else 105.0
    fig.update_layout(xaxis=dict(_percent_axis("执行进度比（预算执行率 ÷ 序时进度）"), rangemode="tozero",
                                 title=_with_note("执行进度比（预算执行率 ÷ 序时进度）",
                                                  "纵轴为项目各指标完成率（每个封顶 100%）的平均值；"
                                                  "同一位置的多个项目画成一个较大的点并标出个数")),
                      yaxis=dict(_percent_axis("指标平均完成率"), range=[0, y_max]))
    return fig


def _overlapping_points(group: pd.DataFrame) -> pd.DataFrame:
    """One point per rounded position: x, y, how many projects sit there, and their names for the hover."""
    keyed = group.assign(x=group["execution_ratio"].round(OVERLAP_DECIMALS),
                         y=group["target_completion"].round(OVERLAP_DECIMALS),
                         label=[f"{plain_text(p)}（{plain_text(d)}）" for p, d in zip(group["project_name"], group["dept_name"], strict=True)])
    points = keyed.groupby(["x", "y"], dropna=False, sort=False).agg(n=("label", "size"), names=("label", "<br>".join))
    return points.reset_index()


def deviation_heatmap(indicator_status: pd.DataFrame, department: str | None = None) -> go.Figure:
    """Mean 偏离度 by 二级指标 (columns) and department (rows); one department's projects when filtered."""
    frame = _filter(indicator_status, department)
    row_column = "project_name" if department else "dept_name"
    table = frame.pivot_table(index=row_column, columns="level2", values="deviation", aggfunc="mean")
    table = table.reindex(columns=_level2_order(table.columns))
    counts = frame.pivot_table(index=row_column, columns="level2", values="indicator_id", aggfunc="count")
    counts = counts.reindex(index=table.index, columns=table.columns)
    table = table.loc[table.mean(axis=1).sort_values(ascending=False).index] if len(table) else table
    counts = counts.reindex(index=table.index)
    row_title = "项目" if department else "主管部门"
    fig = _new_figure(_title_with(department, "偏离度：二级指标 × " + row_title + "（平均值）"),
                      height=_bar_chart_height(len(table)))
    fig.add_heatmap(
        z=table.to_numpy(), x=[_short_level2(name) for name in table.columns], y=_labels(table.index),
        customdata=counts.to_numpy(), colorscale=HEAT_COLORSCALE, zmin=0,
        texttemplate="%{z:.1f}", hovertemplate=("%{y}<br>%{x}<br>平均偏离度 %{z:" + PERCENT_FORMAT
                                                  + "}%<br>指标数 %{customdata}<extra></extra>"),
        colorbar=dict(title=dict(text="偏离度"), ticksuffix=PERCENT_SUFFIX), xgap=1, ygap=1,
    )
    fig.update_layout(xaxis=dict(title=_with_note("二级指标", "格中数字为该类指标偏离度的平均值（%）；空白表示没有该类指标，"
                                                          "或其指标都无法计算偏离度（如定性指标）"),
                                 showgrid=False, tickangle=-30),
                      # The title names the rows; an axis title would collide with long department names.
                      yaxis=dict(autorange="reversed", showgrid=False))
    return fig


def _level2_order(names: Iterable[str]) -> list[str]:
    """二级指标 in the order of the standard form (产出, 效益, 满意度, 成本), then others by name."""
    names = list(names)
    known = [name for name in LEVEL2_ORDER if name in names]
    return known + sorted(set(names) - set(known))


def _short_level2(name: str) -> str:
    """'服务对象满意度指标' → '服务对象满意度': the axis title already says 二级指标."""
    text = plain_text(name)
    return text[: -len(LEVEL2_SUFFIX)] if text.endswith(LEVEL2_SUFFIX) and len(text) > len(LEVEL2_SUFFIX) else text


def budget_execution_bubble(project_status: pd.DataFrame, department: str | None = None,
                            light_column: str = "budget_light") -> go.Figure:
    """Each project at 年初预算数 (x, log) against 预算执行率 (y); bubble area = budget, colour = light."""
    frame = _filter(project_status, department)
    max_budget = frame["budget_total"].max() if len(frame) else 0
    max_budget = max_budget if pd.notna(max_budget) and max_budget > 0 else 1.0
    fig = _new_figure(_title_with(department, "项目预算规模与执行率"))
    for light in LIGHT_ORDER:
        group = frame[frame[light_column].map(_normalise_light) == light]
        if group.empty:
            continue
        fig.add_scatter(
            x=group["budget_total"], y=group["execution_rate"], mode="markers", name=_light_label(light),
            marker=dict(color=LIGHT_COLORS[light], size=group["budget_total"].fillna(0), sizemode="area",
                        sizeref=2.0 * max_budget / BUBBLE_MAX_SIZE ** 2, sizemin=BUBBLE_MIN_SIZE, opacity=0.75,
                        line=dict(color="#FFFFFF", width=1)),
            customdata=list(zip(_labels(group["project_name"]), _labels(group["dept_name"]))),
            hovertemplate=("%{customdata[0]}<br>%{customdata[1]}<br>年初预算 %{x:" + MONEY_FORMAT
                           + "} 万元<br>预算执行率 %{y:" + PERCENT_FORMAT + "}%<extra></extra>"),
        )
    progress = _time_progress_value(frame)
    if progress is not None:
        fig.add_hline(y=progress, line=dict(color=TIME_PROGRESS_COLOR, dash="dash", width=1.5),
                      annotation_text=f"{TIME_PROGRESS_LABEL} {progress:.2f}%", annotation_position="top left")
    fig.update_layout(xaxis=dict(_money_axis("年初预算数"), type="log", tickvals=_log_ticks(frame["budget_total"])), yaxis=_percent_axis("预算执行率"),
                      legend=dict(title=dict(text="预算执行灯" if light_column == "budget_light" else "")))
    return fig


def _log_ticks(values: pd.Series) -> list[float]:
    """1-2-5 steps spanning ``values`` (positive), so a log axis shows round, uncluttered numbers."""
    positive = values[values > 0].dropna()
    if positive.empty:
        return []
    low, high = math.floor(math.log10(positive.min())), math.ceil(math.log10(positive.max()))
    return [step * 10 ** power for power in range(low, high + 1) for step in LOG_TICK_STEPS]


def reason_counts(indicator_status: pd.DataFrame, lights: Iterable[str] = ATTENTION_LIGHTS) -> pd.DataFrame:
    """Ticked reason categories of red/yellow indicators: columns category, light, count (every pair)."""
    frame = indicator_status[indicator_status["light"].isin(list(lights))]
    records = [(category, light) for light, reasons in zip(frame["light"], frame["reasons"])
               for category in _reason_list(reasons)]
    counted = pd.DataFrame(records, columns=["category", "light"]).value_counts()
    index = pd.MultiIndex.from_product([_categories(records), list(lights)], names=["category", "light"])
    return counted.reindex(index, fill_value=0).rename("count").reset_index()


def _reason_list(reasons) -> list[str]:
    if reasons is None or isinstance(reasons, float):
        return []
    return [str(reason) for reason in reasons if str(reason)]


def _categories(records: list[tuple[str, str]]) -> list[str]:
    """The five form categories in form order, then any unexpected text a unit wrote."""
    extra = sorted({category for category, _ in records} - set(REASON_CATEGORIES))
    return list(REASON_CATEGORIES) + extra


def reasons_by_category(indicator_status: pd.DataFrame, department: str | None = None) -> go.Figure:
    """How often each 偏差原因 category is ticked on red and yellow indicators (stacked by light)."""
    counts = reason_counts(_filter(indicator_status, department))
    fig = _new_figure(_title_with(department, "红黄灯指标的偏差原因"))
    for light in ATTENTION_LIGHTS:
        group = counts[counts["light"] == light]
        fig.add_bar(x=_labels(group["category"]), y=group["count"], name=_light_label(light) + "指标",
                    marker_color=LIGHT_COLORS[light], hovertemplate="%{x}<br>%{y} 次<extra>" + _light_label(light) + "</extra>")
    largest = counts.groupby("category")["count"].sum().max() if len(counts) else 0
    fig.update_layout(barmode="stack", legend=dict(traceorder="normal"), xaxis=dict(title=dict(text="偏差原因类别")),
                      yaxis=_count_axis("勾选次数（次）", largest))
    return fig


def ranking_chart(department_summary: pd.DataFrame, highlight: str | None = None) -> go.Figure:
    """Horizontal bars of 综合得分, rank 1 on top; ``highlight`` marks one department (for its brief).

    Departments the ranking leaves out (no score) are not drawn; the brief prints the method text.
    """
    unranked = len(department_summary) - len(department_summary.dropna(subset=["rank", "score"]))
    frame = department_summary.dropna(subset=["rank", "score"]).sort_values("rank")
    shared_rank = frame["rank"].duplicated(keep=False)
    shared_score = frame["score"].round(2).duplicated(keep=False)
    labels = [f"第{int(rank)}名{'（并列）' if tied else ''} {plain_text(name)}"
              for rank, name, tied in zip(frame["rank"], frame["dept_name"], shared_rank, strict=True)]
    texts = [f"{score_text(score)}{'（同分）' if tied else ''}"
             for score, tied in zip(frame["score"], shared_score, strict=True)]
    colors = [_ranking_color(name, highlight) for name in frame["dept_name"]]
    fig = _new_figure("部门综合得分排名", height=_bar_chart_height(len(frame)))
    fig.add_bar(
        x=frame["score"], y=labels, orientation="h", marker_color=colors, name="综合得分",
        text=texts, textposition="outside", cliponaxis=False,
        customdata=list(zip(frame["execution_score"], frame["target_score"],
                            _labels(frame["rank_note"]) if "rank_note" in frame else [""] * len(frame), strict=True)),
        hovertemplate=("%{y}<br>综合得分 %{x:.2f}<br>执行得分 %{customdata[0]:.2f}"
                       "<br>目标得分 %{customdata[1]:.2f}<br>%{customdata[2]}<extra></extra>"),
    )
    notes = ["得分相同的部门并列，名次相同（见排名方法说明）" if shared_score.any() else "满分 100 分"]
    if unranked:
        notes.append(f"另有 {unranked} 个部门缺少执行率或没有可判断的指标，不计分、不排名")
    note = "；".join(notes)
    axis_max = SCORE_AXIS_MAX + (TIE_AXIS_EXTRA if shared_score.any() else 0)
    fig.update_layout(xaxis=dict(title=_with_note("综合得分（分）", note), range=[0, axis_max]),
                      yaxis=dict(autorange="reversed"), showlegend=False)
    return fig


def _ranking_color(name: str, highlight: str | None) -> str:
    if highlight is None:
        return NEUTRAL_COLOR
    return HIGHLIGHT_COLOR if name == highlight else MUTED_COLOR


# ---------------------------------------------------------------- one department

def department_projects(project_status: pd.DataFrame, department: str | None = None) -> go.Figure:
    """Each project's 预算执行率 (coloured by budget light) against the 序时进度 line."""
    frame = _filter(project_status, department).sort_values("execution_rate", na_position="first")
    labels = _project_labels(frame, with_department=department is None)
    fig = _new_figure(_title_with(department, "项目预算执行率与序时进度"), height=_bar_chart_height(len(frame)))
    fig.add_bar(
        x=frame["execution_rate"], y=labels, orientation="h", name="预算执行率",
        # The value printed beside each bar: a project at 0 % would otherwise show nothing at all.
        texttemplate="%{x:" + PERCENT_FORMAT + "}%", textposition="outside", cliponaxis=False,
        marker_color=[LIGHT_COLORS[_normalise_light(light)] for light in frame["budget_light"]],
        customdata=list(zip(frame["budget_total"], frame["executed_total"], _labels(frame["unit_name"]))),
        hovertemplate=("%{y}<br>%{customdata[2]}<br>预算执行率 %{x:" + PERCENT_FORMAT + "}%<br>年初预算 %{customdata[0]:"
                       + MONEY_FORMAT + "} 万元<br>已执行 %{customdata[1]:" + MONEY_FORMAT + "} 万元<extra></extra>"),
    )
    progress = _time_progress_value(frame)
    if progress is not None:
        fig.add_vline(x=progress, line=dict(color=TIME_PROGRESS_COLOR, dash="dash", width=2),
                      annotation_text=f"{TIME_PROGRESS_LABEL} {progress:.2f}%", annotation_position="top")
    # Lowest rate on top: the projects to chase come first.
    fig.update_layout(xaxis=_percent_axis("预算执行率"), yaxis=dict(autorange="reversed"), showlegend=False)
    return fig


def _project_labels(frame: pd.DataFrame, with_department: bool) -> list[str]:
    """Project names, made unique: two units may run projects with the same name."""
    names = _labels(frame["project_name"])
    if with_department:
        names = [f"{name}（{plain_text(dept)}）" for name, dept in zip(names, frame["dept_name"])]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}（{seen[name]}）")
    return unique


def department_indicator_lights(indicator_status: pd.DataFrame, department: str | None = None) -> go.Figure:
    """Per project, how many indicators are red, yellow, green, blue or unknown (stacked bars)."""
    frame = _filter(indicator_status, department)
    lights = frame["light"].map(_normalise_light)
    table = pd.crosstab(frame["project_name"], lights).reindex(columns=list(LIGHT_ORDER), fill_value=0)
    # Worst projects on top: most red, then most yellow.
    table = table.sort_values([RED, YELLOW], ascending=False)
    fig = _new_figure(_title_with(department, "项目指标红黄绿灯分布"), height=_bar_chart_height(len(table)))
    labels = _labels(table.index)
    for light in LIGHT_ORDER:
        if not table[light].any():
            continue
        fig.add_bar(x=table[light], y=labels, orientation="h", name=_light_label(light),
                    marker_color=LIGHT_COLORS[light],
                    hovertemplate="%{y}<br>" + _light_label(light) + " %{x} 个<extra></extra>")
    # Plotly lists stacked traces in reverse; keep the legend in light order (red first).
    fig.update_layout(barmode="stack", xaxis=_count_axis("指标数（个）", table.sum(axis=1).max() if len(table) else 0),
                      yaxis=dict(autorange="reversed"), legend=dict(traceorder="normal"))
    return fig


register_template()


def lights_by_department(department_summary: pd.DataFrame) -> go.Figure:
    """Per department, how many indicators are red, yellow, green, blue or unknown (stored counts, stacked)."""
    columns = {RED: "n_red", YELLOW: "n_yellow", GREEN: "n_green", BLUE: "n_blue", UNKNOWN: "n_unknown"}
    frame = department_summary.copy()
    for column in columns.values():
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int) if column in frame else 0
    # Most red on top, then most yellow: the departments to talk to first.
    frame = frame.sort_values(["n_red", "n_yellow"], ascending=False, kind="mergesort")
    labels = _labels(frame["dept_name"])
    fig = _new_figure("各部门指标红黄绿灯分布", height=_bar_chart_height(len(frame)))
    for light, column in columns.items():
        if not frame[column].any():
            continue
        fig.add_bar(x=frame[column], y=labels, orientation="h", name=_light_label(light),
                    marker_color=LIGHT_COLORS[light],
                    hovertemplate="%{y}<br>" + _light_label(light) + "：%{x} 个指标<extra></extra>")
    largest = frame[list(columns.values())].sum(axis=1).max() if len(frame) else 0
    fig.update_layout(barmode="stack", xaxis=_count_axis("指标数（个）", largest),
                      yaxis=dict(autorange="reversed"), legend=dict(traceorder="normal"))
    return fig
