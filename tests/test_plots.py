"""Chart functions on small hand-built tables (docs/schema.md columns); no browser needed."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from jixiao.outputs import plots

P = 7 / 12 * 100  # 序时进度 at the end of July, 58.33 %
EDU, HEALTH = "县教育局", "县卫生健康局"


@pytest.fixture
def summary() -> pd.DataFrame:
    rows = [  # dept, budget, executed, rate, expected_rate, score, rank
        (EDU, 1000.0, 350.0, 35.0, 90.0, 70.5, 2),
        (HEALTH, 500.0, 400.0, 80.0, 100.0, 95.0, 1),
        ("县司法局", 200.0, 100.0, 50.0, 95.0, None, None),  # not ranked
    ]
    frame = pd.DataFrame(rows, columns=["dept_name", "budget_total", "executed_total", "execution_rate",
                                        "expected_rate", "score", "rank"])
    return frame.assign(time_progress=P, execution_ratio=frame["execution_rate"] / P * 100,
                        execution_score=[60.0, 100.0, None], target_score=[81.0, 90.0, None])


@pytest.fixture
def projects() -> pd.DataFrame:
    rows = [  # id, dept, unit, name, budget, executed, rate, budget light, target light, dual light
        ("p1", EDU, "一中", "营养改善计划", 800.0, 200.0, 25.0, "red", "yellow", "red"),
        ("p2", EDU, "二中", "校舍维修", 200.0, 150.0, 75.0, "green", "red", "yellow"),
        ("p3", HEALTH, "医院", "<b>公共卫生</b>服务", 500.0, 400.0, 80.0, "green", "green", "green"),
        ("p4", HEALTH, "疾控", "疫苗接种", 50.0, 20.0, 40.0, "yellow", "green", "green"),
    ]
    frame = pd.DataFrame(rows, columns=["project_id", "dept_name", "unit_name", "project_name", "budget_total",
                                        "executed_total", "execution_rate", "budget_light", "target_light",
                                        "dual_light"])
    return frame.assign(time_progress=P, execution_ratio=frame["execution_rate"] / P * 100)


@pytest.fixture
def indicators() -> pd.DataFrame:
    empty = np.array([], dtype=object)
    rows = [  # project, indicator, dept, project name, level2, light, deviation, completion, reasons
        ("p1", "i1", EDU, "营养改善计划", "数量指标", "red", 40.0, 60.0, np.array(["经费保障", "制度保障"], dtype=object)),
        ("p1", "i2", EDU, "营养改善计划", "质量指标", "yellow", 20.0, 80.0, np.array(["经费保障"], dtype=object)),
        ("p2", "i3", EDU, "校舍维修", "数量指标", "red", 10.0, 90.0, np.array(["其他"], dtype=object)),
        ("p3", "i4", HEALTH, "<b>公共卫生</b>服务", "数量指标", "green", 0.0, 100.0, empty),
        ("p4", "i5", HEALTH, "疫苗接种", "时效指标", "blue", 0.0, 130.0, np.array(["人员保障"], dtype=object)),
        ("p4", "i6", HEALTH, "疫苗接种", "时效指标", "unknown", np.nan, np.nan, empty),
    ]
    return pd.DataFrame(rows, columns=["project_id", "indicator_id", "dept_name", "project_name", "level2", "light",
                                       "deviation", "completion", "reasons"])


def test_template_pins_the_cjk_font_and_size():
    template = pio.templates[plots.register_template()]
    assert template.layout.font.family.startswith("Noto Sans CJK SC")
    assert template.layout.width == plots.DEFAULT_WIDTH
    fig = plots.apply_template(plots.go.Figure())
    assert fig.layout.template.layout.font.family == plots.FONT_FAMILY


def test_light_colours_are_fixed():
    assert set(plots.LIGHT_COLORS) == {"red", "yellow", "green", "blue", "unknown"}


def test_execution_by_department_bars_and_time_progress_line(summary):
    fig = plots.execution_by_department(summary)
    bars, line, *legend = fig.data
    assert fig.layout.title.text == "各部门预算执行率与序时进度"
    assert list(bars.x) == [EDU, "县司法局", HEALTH]  # lowest rate first
    assert list(bars.y) == [35.0, 50.0, 80.0]
    assert [round(v, 2) for v in line.y] == [58.33] * 3
    assert line.name == "序时进度" and line.mode == "lines" and line.line.shape in (None, "linear")
    # ratio 60 % → yellow, 85.7 % → green, 137 % → green (default profile thresholds 60/80)
    assert list(bars.marker.color) == [plots.LIGHT_COLORS[c] for c in ("yellow", "green", "green")]
    assert fig.layout.yaxis.ticksuffix == "%"


def test_execution_by_department_filter(summary):
    fig = plots.execution_by_department(summary, departments=[HEALTH])
    assert list(fig.data[0].x) == [HEALTH]


def test_dual_matrix_counts_and_colours(projects):
    fig = plots.dual_monitoring_matrix(projects)
    heat = fig.data[0]
    assert list(heat.y) == ["执行红灯", "执行黄灯", "执行绿灯"]
    assert list(heat.x) == ["目标红灯", "目标黄灯", "目标绿灯"]
    assert heat.text[0][1] == "1 个"  # budget red × target yellow
    assert heat.text[2][2] == "1 个"  # budget green × target green
    assert heat.text[1][0] == "0 个"
    order = list(plots.LIGHT_ORDER)
    assert heat.z[0][1] == order.index("red") and heat.z[2][0] == order.index("yellow")
    assert "双监控矩阵" in fig.layout.title.text


def test_dual_matrix_department_filter(projects):
    fig = plots.dual_monitoring_matrix(projects, department=HEALTH)
    assert fig.layout.title.text.startswith(HEALTH)
    cells = [cell for row in fig.data[0].text for cell in row if cell != "0 个"]
    assert cells == ["1 个", "1 个"]  # p3 green×green, p4 yellow×green


def test_dual_scatter_colours_by_dual_light(projects, indicators):
    fig = plots.dual_monitoring_scatter(projects, indicators)
    by_name = {trace.name: trace for trace in fig.data}
    assert set(by_name) == {"双监控红灯", "双监控黄灯", "双监控绿灯"}
    red = by_name["双监控红灯"]
    assert red.marker.color == plots.LIGHT_COLORS["red"]
    assert list(red.y) == [70.0]  # mean of 60 and 80
    assert list(by_name["双监控绿灯"].y) == [100.0, 100.0]  # 130 % capped at 100


def test_deviation_heatmap_by_department_and_type(indicators):
    fig = plots.deviation_heatmap(indicators)
    heat = fig.data[0]
    assert list(heat.x) == ["数量", "质量", "时效"]
    assert list(heat.y) == [EDU, HEALTH]  # largest mean deviation first
    assert heat.z[0][0] == pytest.approx(25.0)  # (40 + 10) / 2
    assert heat.z[1][0] == 0.0


def test_deviation_heatmap_for_one_department_lists_its_projects(indicators):
    fig = plots.deviation_heatmap(indicators, department=EDU)
    assert set(fig.data[0].y) == {"营养改善计划", "校舍维修"}


def test_budget_bubble_sizes_by_budget_coloured_by_light(projects):
    fig = plots.budget_execution_bubble(projects)
    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["红灯"].x) == [800.0]
    assert list(by_name["红灯"].marker.size) == [800.0]
    assert by_name["黄灯"].marker.color == plots.LIGHT_COLORS["yellow"]
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "年初预算数（万元）"
    assert fig.layout.shapes[0].y0 == pytest.approx(P)


def test_reasons_by_category_counts_red_and_yellow_only(indicators):
    fig = plots.reasons_by_category(indicators)
    red, yellow = fig.data
    assert list(red.x) == list(plots.REASON_CATEGORIES)
    assert list(red.y) == [1, 1, 0, 0, 1]  # 经费, 制度, 人员, 硬件条件, 其他
    assert list(yellow.y) == [1, 0, 0, 0, 0]
    # the blue indicator's 人员保障 is not a deviation reason
    assert red.marker.color == plots.LIGHT_COLORS["red"]
    assert fig.layout.barmode == "stack"


def test_reasons_department_filter(indicators):
    fig = plots.reasons_by_category(indicators, department=HEALTH)
    assert sum(sum(trace.y) for trace in fig.data) == 0


def test_ranking_rank_one_on_top_and_unranked_left_out(summary):
    fig = plots.ranking_chart(summary, highlight=EDU)
    bars = fig.data[0]
    assert list(bars.y) == [f"第1名 {HEALTH}", f"第2名 {EDU}"]
    assert list(bars.x) == [95.0, 70.5]
    assert list(bars.marker.color) == [plots.MUTED_COLOR, plots.HIGHLIGHT_COLOR]
    assert fig.layout.title.text == "部门综合得分排名"


def test_department_projects_against_time_progress(projects):
    fig = plots.department_projects(projects, EDU)
    bars = fig.data[0]
    assert list(bars.y) == ["营养改善计划", "校舍维修"]
    assert list(bars.x) == [25.0, 75.0]
    assert list(bars.marker.color) == [plots.LIGHT_COLORS["red"], plots.LIGHT_COLORS["green"]]
    assert fig.layout.shapes[0].x0 == pytest.approx(P)
    assert fig.layout.title.text == f"{EDU}：项目预算执行率与序时进度"


def test_department_indicator_lights_stacks_counts(indicators):
    fig = plots.department_indicator_lights(indicators, HEALTH)
    by_name = {trace.name: trace for trace in fig.data}
    assert set(by_name) == {"绿灯", "蓝灯", "无法判断"}
    assert by_name["无法判断"].marker.color == plots.LIGHT_COLORS["unknown"]
    assert dict(zip(by_name["蓝灯"].y, by_name["蓝灯"].x)) == {"疫苗接种": 1, "&lt;b&gt;公共卫生&lt;/b&gt;服务": 0}


def test_submitted_names_are_not_markup(projects):
    fig = plots.department_projects(projects, HEALTH)
    assert "&lt;b&gt;公共卫生&lt;/b&gt;服务" in fig.data[0].y
    assert plots.plain_text("A&B") == "A&amp;B"


def test_empty_tables_give_empty_figures(projects, indicators, summary):
    empty_matrix = plots.dual_monitoring_matrix(projects, department="不存在的部门")
    assert {a.text for a in empty_matrix.layout.annotations} == {"0 个"}
    assert plots.budget_execution_bubble(projects.iloc[:0]).data == ()
    assert plots.execution_by_department(summary.iloc[:0]).data[0].x == ()


# ---------------------------------------------------------------- issue 14: charts leadership can read

def test_execution_chart_explains_its_colours_in_the_legend(summary):
    fig = plots.execution_by_department(summary)
    legend = [trace for trace in fig.data if trace.showlegend is not False]
    assert [trace.name for trace in legend] == ["序时进度", "执行黄灯", "执行绿灯"]
    assert [trace.marker.color for trace in legend if trace.name.startswith("执行")] == [
        plots.LIGHT_COLORS["yellow"], plots.LIGHT_COLORS["green"]]
    assert fig.data[0].showlegend is False  # the bars' colours are explained by the squares instead


def test_time_progress_of_different_periods_is_marked_per_department_not_stepped(summary):
    summary = summary.assign(time_progress=[P, 50.0, P])
    line = plots.execution_by_department(summary).data[1]
    assert line.mode == "markers" and "各部门期间不同" in line.name


def test_matrix_shows_zero_cells_and_a_colour_legend(projects):
    fig = plots.dual_monitoring_matrix(projects)
    labels = {(a.y, a.x): a.text for a in fig.layout.annotations}
    assert labels[("执行黄灯", "目标红灯")] == "0 个"
    assert labels[("执行红灯", "目标黄灯")] == "1 个"
    legend = [trace.name for trace in fig.data if trace.showlegend]
    assert legend == ["双监控红灯", "双监控黄灯", "双监控绿灯", "没有项目"]


def test_scatter_starts_at_zero_and_counts_overlapping_projects(projects, indicators):
    projects = projects.assign(execution_ratio=[40.0, 40.0, 120.0, 120.0], dual_light=["red", "red", "green", "green"])
    indicators = indicators.assign(completion=[80.0, 80.0, 80.0, 100.0, 100.0, 100.0])
    fig = plots.dual_monitoring_scatter(projects, indicators)
    red = next(trace for trace in fig.data if trace.name == "双监控红灯")
    assert list(red.text) == ["2 个"] and "营养改善计划" in red.customdata[0][0] and "校舍维修" in red.customdata[0][0]
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.xaxis.rangemode == "tozero"
    assert "平均值" in fig.layout.xaxis.title.text


def test_heatmap_explains_averages_and_blanks(indicators):
    title = plots.deviation_heatmap(indicators).layout.xaxis.title.text
    assert "平均值" in title and "空白" in title


def test_ranking_marks_ties(summary):
    summary = summary.assign(score=[95.0, 95.0, 80.0], rank=[2, 1, 3])
    fig = plots.ranking_chart(summary)
    assert list(fig.data[0].text)[:2] == ["95.0（同分）", "95.0（同分）"]
    assert "得分相同的部门并列，名次相同" in fig.layout.xaxis.title.text
    tied_rank = plots.ranking_chart(summary.assign(rank=[1, 1, 3]))
    assert list(tied_rank.data[0].y)[:2] == [f"第1名（并列） {EDU}", f"第1名（并列） {HEALTH}"]


def test_slides_are_16_to_9_landscape(indicators):
    fig = plots.as_slide(plots.deviation_heatmap(indicators))
    assert (fig.layout.width, fig.layout.height) == (plots.SLIDE_WIDTH, plots.SLIDE_HEIGHT)
    assert fig.layout.width * 9 == fig.layout.height * 16


def test_department_lights_follow_the_active_profile(summary, tmp_path):
    from jixiao.config.profile import load_profile

    strict = tmp_path / "strict.toml"
    strict.write_text("[budget]\nred_below = 90.0\ngreen_from = 140.0\n", encoding="utf-8")
    fig = plots.execution_by_department(summary, profile=load_profile(strict))
    # ratios 60 %, 85.7 %, 137 %: all below 90 % are red now, the rest yellow
    assert list(fig.data[0].marker.color) == [plots.LIGHT_COLORS[c] for c in ("red", "red", "yellow")]


def test_count_axes_tick_whole_numbers(indicators, summary):
    reasons = plots.reasons_by_category(indicators)
    assert reasons.layout.yaxis.dtick == 1 and reasons.layout.yaxis.tickformat == ",d"
    lights = plots.department_indicator_lights(indicators)
    assert lights.layout.xaxis.dtick == 1
    many = summary.assign(n_red=[40, 3, 0], n_yellow=0, n_green=10, n_blue=0, n_unknown=0)
    assert plots.lights_by_department(many).layout.xaxis.dtick is None  # plotly's own round steps


def test_blanks_are_explained_not_silent(summary):
    gap = summary.assign(execution_rate=[35.0, None, 80.0])
    bars = plots.execution_by_department(gap).data[0]
    assert list(bars.text).count("无数据") == 1
    assert "另有 1 个部门" in plots.ranking_chart(summary).layout.xaxis.title.text  # 县司法局 has no score


def test_stored_department_lights_are_used_as_they_are(summary):
    stored = summary.assign(budget_light=["red", "yellow", "green"])
    fig = plots.execution_by_department(stored)
    by_name = dict(zip(fig.data[0].x, fig.data[0].marker.color, strict=True))
    # the profile would compute yellow and green here: the stored lights win
    assert by_name[EDU] == plots.LIGHT_COLORS["red"] and by_name[HEALTH] == plots.LIGHT_COLORS["yellow"]
