"""Leadership charts as files: PNG for slides and Word, SVG for print and HTML briefs.

Drawn by plotly.js in the process's one kept Chromium page (jixiao.outputs.chromium, the same
renderer the briefs use): the SVG once per chart, the PNG rasterised from that SVG, so the two
files show the same drawing. plotly.js is loaded once per process, not once per image.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from jixiao.outputs import chromium, plots
from jixiao.store.tables import read_tables

log = logging.getLogger(__name__)

FORMATS = ("png", "svg")
DEFAULT_SCALE = 2  # PNG pixels per layout pixel: 1600 px wide images stay sharp on a slide
TABLES = ("project_status", "indicator_status", "department_summary")

# File stem (numbered so a folder listing is the slide order) → chart builder on the tables and the profile.
COUNTY_CHARTS = (
    ("01_部门执行进度", lambda t, profile: plots.execution_by_department(t["department_summary"], profile=profile)),
    ("02_双监控矩阵", lambda t, _profile: plots.dual_monitoring_matrix(t["project_status"])),
    ("03_双监控项目分布", lambda t, _profile: plots.dual_monitoring_scatter(t["project_status"], t["indicator_status"])),
    ("04_偏离度热力图", lambda t, _profile: plots.as_slide(plots.deviation_heatmap(t["indicator_status"]))),
    ("05_预算与执行率", lambda t, _profile: plots.budget_execution_bubble(t["project_status"])),
    ("06_偏差原因", lambda t, _profile: plots.reasons_by_category(t["indicator_status"])),
    ("07_部门排名", lambda t, _profile: plots.as_slide(plots.ranking_chart(t["department_summary"]))),
)
CAPTION_FONT_SIZE = 11
CAPTION_ROW_PX = 26  # the subtitle's own row, so the legend above the plot sits below it
CAPTION_TOP_PAD_PX = 12  # space above the title


# ---------------------------------------------------------------- tables and figures

def load_tables(processed_dir: Path) -> dict[str, pd.DataFrame]:
    """The metrics tables the charts need, read from ``processed_dir`` (parquet from ``jixiao metrics``)."""
    return read_tables(Path(processed_dir), TABLES)


def caption_text(tables: dict[str, pd.DataFrame]) -> str:
    """The period and rule profile, printed under every chart so a slide carries its provenance."""
    projects = tables["project_status"]
    parts = []
    if len(projects) and projects["year"].notna().any() and projects["period_end_month"].notna().any():
        year = int(projects["year"].mode().iloc[0])
        month = int(projects["period_end_month"].mode().iloc[0])
        parts.append(f"数据期间：{year}年1-{month}月")
    if len(projects) and "profile_name" in projects and projects["profile_name"].notna().any():
        parts.append(f"规则配置：{plots.plain_text(projects['profile_name'].mode().iloc[0])}")
    return "　".join(parts)


def add_caption(fig: go.Figure, text: str) -> go.Figure:
    """The provenance line as the title's subtitle (in place): it never collides with tick labels.

    The title block is pinned to the top and the plot moved down by one caption row, so a legend
    above the plot (the house style's) keeps a row of its own under the subtitle.
    """
    if text:
        top = (fig.layout.margin.t if fig.layout.margin.t is not None else plots.MARGIN["t"]) + CAPTION_ROW_PX
        fig.update_layout(
            title=dict(subtitle=dict(text=text, font=dict(size=CAPTION_FONT_SIZE, color="#777777")),
                       yref="container", y=1.0, yanchor="top", pad=dict(t=CAPTION_TOP_PAD_PX)),
            margin=dict(t=top))
    return fig


def county_figures(tables: dict[str, pd.DataFrame], profile=None) -> dict[str, go.Figure]:
    """The leadership charts for the whole county, keyed by file stem, in slide order.

    ``profile``: the active rule profile (department budget lights follow its thresholds).
    """
    caption = caption_text(tables)
    figures = {}
    for stem, build in COUNTY_CHARTS:
        figures[stem] = add_caption(build(tables, profile), caption)
    return figures


# ---------------------------------------------------------------- export

def figure_to_svg(fig: go.Figure, width: int | None = None, height: int | None = None, seed: str = "") -> str:
    """The figure as an SVG document string; ``seed`` names its plotly ids, so a rerun writes the same file."""
    return chromium.draw_svg(fig, *plots.figure_size(fig, width, height), seed)


def svg_to_png(svg: str, size: tuple[int, int], scale: float = DEFAULT_SCALE) -> bytes:
    """``svg`` rasterised at ``scale`` pixels per layout pixel (the same drawing as the SVG file)."""
    return chromium.call("png", svg, *size, scale)


def write_figures(figures: dict[str, go.Figure], out_dir: Path, formats: Iterable[str] = FORMATS,
                  width: int | None = None, height: int | None = None,
                  scale: float = DEFAULT_SCALE) -> list[Path]:
    """Write each figure as ``<stem>.<format>`` into ``out_dir``: one drawing per figure, both formats from it.

    ``width``/``height`` None keep each figure's own size (slides are 16:9, long rankings taller).
    The PNG is ``width × scale`` pixels wide; SVG ignores ``scale``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"不支持的图片格式：{'、'.join(sorted(unknown))}（可选 {'、'.join(FORMATS)}）")
    for stem, fig in figures.items():
        started = time.perf_counter()
        size = plots.figure_size(fig, width, height)
        svg = figure_to_svg(fig, *size, seed=stem)
        for fmt in formats:
            path = out_dir / f"{stem}.{fmt}"
            path.write_bytes(svg.encode("utf-8") if fmt == "svg" else svg_to_png(svg, size, scale))
            written.append(path)
        log.debug("%s: %.2f s", stem, time.perf_counter() - started)
    return written


def write_charts(processed_dir: Path, out_dir: Path, formats: Iterable[str] = FORMATS,
                 width: int | None = None, height: int | None = None,
                 scale: float = DEFAULT_SCALE, profile=None) -> list[Path]:
    """Load the metrics tables from ``processed_dir`` and write the county leadership charts.

    Returns the written paths (PNG and SVG per chart, numbered in slide order, e.g.
    ``01_部门执行进度.png``). This is what ``jixiao charts PROCESSED_DIR --out DIR`` calls.
    """
    figures = county_figures(load_tables(Path(processed_dir)), profile)
    return write_figures(figures, Path(out_dir), formats=formats, width=width, height=height, scale=scale)
