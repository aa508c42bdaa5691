"""The explorer's chart as inline SVG: indicators per 二级指标, stacked by light.

Why not plotly here: on every filter change the explorer redrew a plotly figure in an Output
widget, which costs the browser a fresh plotly layout of the page (about 200–500 ms on the shared
2-core machine, benchmarks/bench_explorer_browser.py), and a debounced search's figure never
reached the page at all (the Output widget only takes messages sent while a request runs). This
chart is a few dozen SVG elements in an HTML widget: one string from the kernel, one innerHTML
in the browser. It keeps what the plotly chart showed: the light colours and order of
``plots``, integer ticks, a Chinese hover text per segment, and one sentence instead of axes
for an empty selection.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from jixiao.metrics.compute import LIGHT_LABELS
from jixiao.outputs import plots

EMPTY_TEXT = "无符合条件的数据"
AXIS_TITLE = "指标数（个）"
WIDTH = 960            # px; fits beside nothing else on a 1280 px screen, like the table below it
LABEL_WIDTH = 150      # px for the 二级指标 names ("服务对象满意度指标" at 13 px)
RIGHT_MARGIN = 30      # px; room for the last tick label
TOP = 64               # px; title and legend
BOTTOM = 52            # px; tick labels and axis title
ROW_HEIGHT = plots.ROW_HEIGHT
BAR_SHARE = 0.7        # of a row's height; the rest is the gap between bars
EMPTY_HEIGHT = 160     # px; title and the empty sentence
MAX_TICKS = 8          # tick marks on the count axis at most
TICK_STEPS = (1, 2, 5)  # tick spacing is one of these times a power of ten
SMALL_COUNT_AXIS = plots.SMALL_COUNT_MAX  # up to this many indicators the axis steps by one
LEGEND_ITEM_WIDTH = 78  # px per legend entry (square and a two- to four-character light name)


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    color: str
    hover: str


def tick_step(largest: int) -> int:
    """Whole-number spacing of 1, 2 or 5 times a power of ten giving at most MAX_TICKS ticks."""
    if largest <= SMALL_COUNT_AXIS:
        return 1
    magnitude = 10 ** math.floor(math.log10(largest / MAX_TICKS))
    return next(step * magnitude for step in (*TICK_STEPS, 10) if largest / (step * magnitude) <= MAX_TICKS)


def chart_context(counts: pd.DataFrame, title: str) -> dict:
    """What templates/explorer/light_chart.svg.j2 draws for ``counts`` (rows: 二级指标 labels,
    columns: lights in plots.LIGHT_ORDER): positions in px, colours and hover texts."""
    counts = counts[counts.sum(axis=1) > 0]
    style = dict(width=WIDTH, title=title, font=plots.FONT_FAMILY, font_size=plots.FONT_SIZE,
                 title_size=plots.TITLE_FONT_SIZE)
    if counts.empty:
        return dict(style, height=EMPTY_HEIGHT, empty=EMPTY_TEXT)
    largest = int(counts.sum(axis=1).max())
    step = tick_step(largest)
    axis_max = step * math.ceil(largest / step)
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    scale = plot_width / axis_max
    segments, rows = [], []
    for position, (label, row) in enumerate(counts.iterrows()):
        top = TOP + position * ROW_HEIGHT
        rows.append((top + ROW_HEIGHT / 2, str(label)))
        start = 0
        for light in plots.LIGHT_ORDER:
            count = int(row[light])
            if count:
                segments.append(Segment(LABEL_WIDTH + start * scale, top + ROW_HEIGHT * (1 - BAR_SHARE) / 2,
                                        count * scale, ROW_HEIGHT * BAR_SHARE, plots.LIGHT_COLORS[light],
                                        f"{label}　{LIGHT_LABELS[light]}：{count:,} 个指标"))
            start += count
    bottom = TOP + len(rows) * ROW_HEIGHT
    ticks = [(LABEL_WIDTH + value * scale, f"{value:,}") for value in range(0, axis_max + 1, step)]
    legend = [(WIDTH - RIGHT_MARGIN - (len(plots.LIGHT_ORDER) - index) * LEGEND_ITEM_WIDTH,
               plots.LIGHT_COLORS[light], LIGHT_LABELS[light]) for index, light in enumerate(plots.LIGHT_ORDER)]
    return dict(style, height=bottom + BOTTOM, empty="", segments=segments, rows=rows, ticks=ticks, legend=legend,
                left=LABEL_WIDTH, top=TOP, bottom=bottom, axis_title=AXIS_TITLE)
