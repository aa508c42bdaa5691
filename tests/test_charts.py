"""Chart export through the process's one Chromium (plotly.js drawn in Debian's browser): real PNG and SVG files."""
from __future__ import annotations

import html
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jixiao.outputs import charts, chromium, plots
from jixiao.outputs.chromium import CHROMIUM_PATH
from jixiao.store.tables import TableError, write_table

P = 7 / 12 * 100
WIDTH = 640
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always follows the 8-byte signature."""
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE
    return struct.unpack(">II", header[16:24])


def write_tables(folder: Path) -> Path:
    """A two-department processed folder with the columns the charts read (docs/schema.md)."""
    folder.mkdir(parents=True, exist_ok=True)
    projects = pd.DataFrame({
        "project_id": ["p1", "p2", "p3"], "dept_name": ["县教育局", "县教育局", "县卫生健康局"],
        "unit_name": ["一中", "二中", "医院"], "project_name": ["营养改善计划", "校舍维修", "公共卫生服务"],
        "budget_total": [800.0, 200.0, 500.0], "executed_total": [200.0, 150.0, 400.0],
        "execution_rate": [25.0, 75.0, 80.0], "time_progress": P,
        "budget_light": ["red", "green", "green"], "target_light": ["yellow", "red", "green"],
        "dual_light": ["red", "yellow", "green"], "year": 2023, "period_end_month": 7,
        "profile_name": "默认规则（县级）",
    })
    projects["execution_ratio"] = projects["execution_rate"] / P * 100
    indicators = pd.DataFrame({
        "project_id": ["p1", "p2", "p3"], "indicator_id": ["i1", "i2", "i3"],
        "dept_name": ["县教育局", "县教育局", "县卫生健康局"], "project_name": ["营养改善计划", "校舍维修", "公共卫生服务"],
        "level2": ["数量指标", "质量指标", "数量指标"], "light": ["yellow", "red", "green"],
        "deviation": [20.0, 40.0, 0.0], "completion": [80.0, 60.0, 100.0],
        "reasons": [np.array(["经费保障"], dtype=object), np.array(["制度保障"], dtype=object),
                    np.array([], dtype=object)],
    })
    summary = pd.DataFrame({
        "dept_name": ["县卫生健康局", "县教育局"], "budget_total": [500.0, 1000.0], "executed_total": [400.0, 350.0],
        "execution_rate": [80.0, 35.0], "expected_rate": [100.0, 90.0], "time_progress": P,
        "score": [95.0, 50.0], "rank": [1, 2], "execution_score": [100.0, 60.0], "target_score": [90.0, 40.0],
    })
    summary["execution_ratio"] = summary["execution_rate"] / P * 100
    for name, table in [("project_status", projects), ("indicator_status", indicators),
                        ("department_summary", summary)]:
        write_table(folder, name, table)
    return folder


pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    """The process's Chromium (jixiao.outputs.chromium), closed after this module."""
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip("no Chromium on this machine")
    yield
    chromium.close()


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    return write_tables(tmp_path_factory.mktemp("processed"))


@pytest.fixture(scope="module")
def written(server, processed, tmp_path_factory) -> list[Path]:
    return charts.write_charts(processed, tmp_path_factory.mktemp("charts"), width=WIDTH, scale=1)


def test_every_chart_is_written_as_png_and_svg(written):
    stems = [stem for stem, _ in charts.COUNTY_CHARTS]
    assert [path.name for path in written] == [f"{stem}.{fmt}" for stem in stems for fmt in ("png", "svg")]
    assert written[0].name == "01_部门执行进度.png"
    assert all(path.stat().st_size > 0 for path in written)


def test_png_dimensions_as_set(written, processed):
    """Width as requested; height None keeps each figure's own height (rankings grow with departments)."""
    heights = {stem: fig.layout.height for stem, fig in charts.county_figures(charts.load_tables(processed)).items()}
    pngs = [path for path in written if path.suffix == ".png"]
    assert {path.stem: png_size(path) for path in pngs} == {stem: (WIDTH, height) for stem, height in heights.items()}
    assert heights["02_双监控矩阵"] == plots.DEFAULT_HEIGHT


def test_svg_carries_the_chinese_titles_and_provenance(written):
    svg = next(path for path in written if path.name == "01_部门执行进度.svg").read_text(encoding="utf-8")
    assert "各部门预算执行率与序时进度" in svg
    assert "数据期间：2023年1-7月" in svg
    assert "Noto Sans CJK SC" in svg
    ranking = next(path for path in written if path.name == "07_部门排名.svg").read_text(encoding="utf-8")
    assert "部门综合得分排名" in ranking and "第1名 县卫生健康局" in ranking


def test_fixed_height_and_scale(server, tmp_path):
    fig = plots.ranking_chart(pd.DataFrame({"dept_name": ["县教育局"], "score": [80.0], "rank": [1],
                                            "execution_score": [70.0], "target_score": [90.0]}))
    [png] = charts.write_figures({"排名": fig}, tmp_path, formats=("png",), width=400, height=300, scale=2)
    assert png_size(png) == (800, 600)


def test_a_chart_drawn_again_is_the_same_file(server):
    fig = plots.reasons_by_category(pd.DataFrame({"dept_name": [], "light": [], "reasons": []}))
    svg = charts.figure_to_svg(fig, seed="原因")
    assert "<svg" in svg and "红黄灯指标的偏差原因" in svg
    assert charts.figure_to_svg(fig, seed="原因") == svg


def test_an_unknown_format_is_refused_before_anything_is_drawn(tmp_path):
    with pytest.raises(ValueError, match="不支持的图片格式：pdf"):
        charts.write_figures({"图": plots.reasons_by_category(pd.DataFrame(
            {"dept_name": [], "light": [], "reasons": []}))}, tmp_path, formats=("pdf",))
    assert list(tmp_path.iterdir()) == []


def test_submitted_markup_is_drawn_as_text(server):
    fig = plots.department_projects(pd.DataFrame({
        "project_id": ["p"], "dept_name": ["县局"], "unit_name": ["单位"], "project_name": ["<b>加粗</b>项目"],
        "budget_total": [10.0], "executed_total": [5.0], "execution_rate": [50.0], "time_progress": [P],
        "budget_light": ["green"]}), "县局")
    svg = charts.figure_to_svg(fig)
    assert "<b>加粗</b>项目" in html.unescape(svg)  # drawn as the characters the unit typed
    assert "font-weight: bold" not in svg


def test_missing_tables_are_explained(tmp_path):
    with pytest.raises(TableError, match="jixiao metrics"):
        charts.load_tables(tmp_path)


def test_heat_map_and_ranking_are_16_to_9_slides_by_default(server, processed, tmp_path):
    written = charts.write_charts(processed, tmp_path, formats=("png",), scale=1)
    sizes = {path.stem: png_size(path) for path in written}
    assert sizes["04_偏离度热力图"] == sizes["07_部门排名"] == (plots.SLIDE_WIDTH, plots.SLIDE_HEIGHT)
    assert sizes["02_双监控矩阵"] == (plots.DEFAULT_WIDTH, plots.DEFAULT_HEIGHT)  # the others keep their own size


def test_the_legend_above_the_plot_keeps_clear_of_the_caption(written):
    """The provenance subtitle and the house legend (above the plot, right) each have their own row."""
    import re

    svg = next(path for path in written if path.name == "01_部门执行进度.svg").read_text(encoding="utf-8")
    subtitle_top = float(re.search(r'<text class="gtitle-subtitle"[^>]* y="([\d.]+)"', svg).group(1))
    legend_top = float(re.search(r'<g class="legend"[^>]*transform="translate\([\d.]+,([\d.]+)\)"', svg).group(1))
    assert legend_top >= subtitle_top + 1.5 * charts.CAPTION_FONT_SIZE
