"""Interactive explorer: from the county view down to one indicator and the unit's own words.

``Explorer`` joins ``indicator_status`` with ``project_status`` into one indicator-level
frame and builds ipywidgets around it: filters (department, unit, 一级/二级 indicator, light,
重点监控 only, a deviation threshold, a text search over names, reasons and measures), a
summary line, a sortable table, a linked chart, a project detail view and an Excel export.

Every callback writes into widget values, so tests drive the explorer headlessly by setting
``.value``. The chart is inline SVG in an HTML widget (``light_chart``), not plotly: a plotly
figure redrawn in an ``Output`` on every filter change cost the browser 200–700 ms, a
``FigureWidget``'s front end must start within 2 s and did not on a busy dashboard server.

Speed: everything a filter needs is computed once in ``FilterIndex`` — integer category
codes, a boolean array per flag, the deviation as a float array, normalised search texts
(deduplicated) and sort orders on demand — so one filter update is a handful of numpy
operations plus rendering one page of ``TABLE_PAGE_ROWS`` rows (benchmarks/bench_explorer.py).
In the browser (benchmarks/bench_explorer_browser.py) what counts is what reaches the page:
one table page, an SVG string that is not re-sent when unchanged, department and unit lists
that stay short until narrowed (``CATEGORY_OPTION_LIMIT``), and a search that answers a whole
word at once instead of waiting out the typing pause.
"""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import re
import unicodedata
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from IPython.display import display
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from jixiao.domain.formatting import is_missing, period_label
from jixiao.metrics.compute import BLUE, DIRECTION_LABELS, GREEN, LIGHT_LABELS, NO_DEPT, RED, UNKNOWN, YELLOW
from jixiao.normalise.layout import LEVEL1_NAMES
from jixiao.outputs import light_chart, plots
from jixiao.outputs.safe import clean_text
from jixiao.outputs.summary_excel import (
    DATETIME_FORMAT,
    FORMULA_TRIGGERS,
    LIGHT_FILLS,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    print_setup,
    write_text,
)
from jixiao.store.tables import read_tables

# Rows on one table page (上一页/下一页 for the rest; the export holds the whole selection). The browser
# lays out 50 rows in about 15 ms, 200 rows in about 90 ms (2-core machine under load).
TABLE_PAGE_ROWS = 50
PROJECT_OPTION_LIMIT = 500    # projects offered in the detail dropdown (more is unusable to pick from)
# Departments or units listed before the county or department is chosen: a province has 14,000 units, and
# sending and drawing them made the browser take over a second (benchmarks/bench_explorer_browser.py).
CATEGORY_OPTION_LIMIT = 500
PARENT_FILTERS = {"unit_name": ("dept_name", "主管部门"), "dept_name": ("county", "县区")}  # column → its narrower
TABLE_TEXT_LIMIT = 60         # characters of a long reason shown in the table (the detail shows all)
DEVIATION_SLIDER_MAX = 100.0  # deviation is a shortfall share in %, 100 = nothing delivered
DEVIATION_SLIDER_STEP = 5.0
PERCENT = 100.0               # the tables store 95 for 95 %; Excel wants 0.95
ALL = -1                      # dropdown value meaning "no restriction"
NO_PROJECT = -1               # project dropdown value before a project is chosen
ALL_LABEL = "（全部）"
NO_UNIT = "（未填实施单位）"
NO_LEVEL = "（未识别）"
EXPORT_SUBDIR = "筛选导出"
HEADER_FILL = "DDEBF7"
EXPORT_WIDTH = 16             # Excel column width of the export (character cells)
SEARCH_DEBOUNCE_SECONDS = 0.3  # search as you type: while typing goes on, wait for a pause of this length
SEARCH_PLACEHOLDER = "项目名称、指标名称、原因说明或措施中的文字（多个词用空格分开）"
SEARCH_WIDTH = "720px"        # the whole placeholder stays visible
DATA_URI_LIMIT = 20_000_000   # bytes; larger exports are only offered where the server serves files
EMPTY_TEXT = "无符合条件的数据"
NO_COUNTY = "（未识别县区）"
# The county (or district) a department belongs to, from its name: "湟源县教育局" → "湟源县".
# Province-size lists mix many counties; a county-level list has one and shows no county filter.
COUNTY_PATTERN = re.compile(r"^(.{1,12}?(?:自治县|自治旗|县|区|旗))(?=.)|^(.{1,8}?市)(?=.)")
# A county shows in the county filter with at least this many departments: a city bureau's
# county branch ("西宁市生态环境局湟源分局") in a county list does not make it a province list.
COUNTY_MIN_DEPARTMENTS = 2
BASIS_COLUMNS = ("basis", "light_reason")  # the judgement basis: the newer column when present

ALL_LIGHTS = "all"
ATTENTION = "attention"       # red and yellow together: what needs a follow-up
LIGHT_ORDER = plots.LIGHT_ORDER
LIGHT_CHOICES = ([(ALL_LABEL, ALL_LIGHTS), ("红灯和黄灯", ATTENTION)]
                 + [(LIGHT_LABELS[light], light) for light in LIGHT_ORDER])
LIGHTS_OF_CHOICE = {ATTENTION: (RED, YELLOW), **{light: (light,) for light in LIGHT_ORDER}}
# Severity for sorting "by light": larger is worse; unknown sits between green and yellow
# because it needs material, not praise.
LIGHT_SEVERITY = {RED: 4, YELLOW: 3, UNKNOWN: 2, GREEN: 1, BLUE: 0}

DESCENDING, ASCENDING = "desc", "asc"
SORT_CHOICES = [("偏离度", "deviation"), ("完成率", "completion"), ("指标灯（由重到轻）", "severity"),
                ("项目年初预算数", "budget_total"), ("主管部门", "dept_name"), ("项目名称", "project_name"),
                ("三级指标", "name")]
DIRECTION_CHOICES = [("从高到低", DESCENDING), ("从低到高", ASCENDING)]

# Columns the text search looks through: names, the unit's reasons and its measures.
# Indicator levels in the order of the 财预〔2020〕10号 framework, not alphabetical.
CANONICAL_ORDER = {"level1": tuple(dict.fromkeys(name for _, name in LEVEL1_NAMES)), "level2": plots.LEVEL2_ORDER}
SEARCH_COLUMNS = ("project_name", "name", "reasons_text", "reason_text", "remarks")
PROJECT_COLUMNS = ("key_monitoring", "key_reason", "budget_total", "executed_total", "execution_rate",
                   "time_progress", "budget_light", "target_light", "dual_light", "suggestion")


@dataclass(frozen=True)
class Column:
    key: str      # column of the indicator frame
    header: str   # Chinese header shown to the analyst
    kind: str = "text"  # text | percent | money | light | bool | direction


def table_columns(period: str) -> list[Column]:
    return [Column("dept_name", "主管部门"), Column("unit_name", "实施单位"), Column("project_name", "项目名称"),
            Column("level2", "二级指标"), Column("name", "三级指标"), Column("target_text", "年度指标值"),
            Column("actual_text", f"{period}执行情况"), Column("expected_text", "全年预计完成"),
            Column("completion", "完成率", "percent"), Column("deviation", "偏离度", "percent"),
            Column("pace_ratio", "进度比", "percent"), Column("light", "指标灯", "light"),
            Column("basis", "判断依据", "long"), Column("key_monitoring", "重点监控", "bool"),
            Column("reason_text", "原因说明", "long")]


def detail_columns(period: str) -> list[Column]:
    return [Column("level1", "一级指标"), Column("level2", "二级指标"), Column("name", "三级指标"),
            Column("target_text", "年度指标值"), Column("actual_text", f"{period}执行情况"),
            Column("expected_text", "全年预计完成"), Column("completion", "完成率", "percent"),
            Column("deviation", "偏离度", "percent"), Column("light", "指标灯", "light"),
            Column("basis", "判断依据"), Column("possibility", "完成目标可能性"),
            Column("reasons_text", "偏差原因"), Column("reason_text", "原因说明"),
            Column("remarks", "备注（拟采取的措施）")]


def export_columns(period: str) -> list[Column]:
    return [Column("dept_name", "主管部门"), Column("unit_name", "实施单位"), Column("project_name", "项目名称"),
            Column("budget_total", "项目年初预算数（万元）", "money"),
            Column("execution_rate", "预算执行率", "percent"), Column("budget_light", "预算执行灯", "light"),
            Column("key_monitoring", "重点监控", "bool"), Column("suggestion", "处理建议"),
            Column("level1", "一级指标"), Column("level2", "二级指标"), Column("name", "三级指标"),
            Column("direction", "指标方向", "direction"), Column("target_text", "年度指标值"),
            Column("actual_text", f"{period}执行情况"), Column("expected_text", "全年预计完成"),
            Column("completion", "完成率", "percent"), Column("deviation", "偏离度", "percent"),
            Column("pace_ratio", "进度比", "percent"), Column("light", "指标灯", "light"),
            Column("basis", "判断依据"),
            Column("possibility", "完成目标可能性"), Column("reasons_text", "偏差原因"),
            Column("reason_text", "原因说明"), Column("remarks", "备注（拟采取的措施）"),
            Column("project_id", "项目标识"), Column("indicator_id", "指标标识")]


# ---------------------------------------------------------------- data

def indicator_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per indicator with its project's money, lights and 重点监控 flag."""
    indicators = tables["indicator_status"].reset_index(drop=True)
    projects = tables.get("project_status", pd.DataFrame(columns=["project_id"]))
    wanted = ["project_id"] + [c for c in PROJECT_COLUMNS if c in projects.columns]
    frame = indicators.merge(projects[wanted].drop_duplicates("project_id"), on="project_id", how="left")
    for column in PROJECT_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    frame["key_monitoring"] = frame["key_monitoring"].astype("boolean").fillna(False).astype(bool)
    frame["dept_name"] = frame["dept_name"].fillna(NO_DEPT)
    frame["unit_name"] = frame["unit_name"].fillna(NO_UNIT)
    for column in ("level1", "level2"):
        frame[column] = frame[column].fillna(NO_LEVEL)
    frame["light"] = frame["light"].fillna(UNKNOWN)
    frame["reasons_text"] = [_join_reasons(value) for value in frame.get("reasons", pd.Series(index=frame.index))]
    frame["basis"] = judgement_basis(frame)
    if "pace_ratio" not in frame:
        frame["pace_ratio"] = np.nan
    counties = {name: county_of(name) for name in frame["dept_name"].unique()}  # a few names, many rows
    frame["county"] = frame["dept_name"].map(counties)
    return frame


def judgement_basis(frame: pd.DataFrame) -> pd.Series:
    """Why an indicator has its light, as stored by the metrics stage (``basis``, else ``light_reason``)."""
    for column in BASIS_COLUMNS:
        if column in frame:
            return frame[column].map(_basis_text)
    return pd.Series([""] * len(frame), index=frame.index)


def _basis_text(value) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "；".join(str(item) for item in value)
    return str(value)


def county_of(department: str) -> str:
    """The county or district at the start of a department name, or NO_COUNTY."""
    match = COUNTY_PATTERN.match(str(department))
    return (match.group(1) or match.group(2)) if match else NO_COUNTY


def _join_reasons(value) -> str:
    if value is None or isinstance(value, (str, float)):
        return "" if value is None or isinstance(value, float) else value
    return "、".join(str(item) for item in value)


def normalise_text(text: str) -> str:
    """Search form: full-width folded to half-width (NFKC), case folded, whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def _period_label(projects: pd.DataFrame | None) -> str:
    """“1-7月” from the projects' period end month (the most common one), “1-N月” if unknown."""
    if projects is None or "period_end_month" not in projects:
        return period_label(None)
    months = projects["period_end_month"].dropna()
    return period_label(months.mode().iloc[0] if len(months) else None)


def find_base(relative: Path) -> Path:
    """The directory (working directory or one of its parents) under which ``relative`` exists.

    JupyterLab starts kernels in notebooks/, the command line in the project root: either
    way ``data/processed`` should mean the project's folder.
    """
    cwd = Path.cwd()
    for base in (cwd, *cwd.parents):
        if (base / relative).exists():
            return base
    return cwd


# ---------------------------------------------------------------- precomputed filter arrays

def factorize(values: pd.Series, preferred: tuple[str, ...] = ()) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their labels: labels in ``preferred`` first (in that order), the rest sorted."""
    codes, labels = pd.factorize(values, sort=True)
    rank = {label: position for position, label in enumerate(preferred)}
    ordered = sorted(range(len(labels)), key=lambda code: (rank.get(labels[code], len(rank)), code))
    new_code = np.empty(len(labels), dtype=np.int32)
    new_code[ordered] = np.arange(len(labels), dtype=np.int32)
    return new_code[codes], [str(labels[code]) for code in ordered]


class FilterIndex:
    """Arrays computed once so that a filter update is a few vectorised numpy operations."""

    CATEGORY_COLUMNS = ("county", "dept_name", "unit_name", "level1", "level2", "light", "project_id")

    def __init__(self, frame: pd.DataFrame):
        self.size = len(frame)
        self.codes, self.labels = {}, {}
        for column in self.CATEGORY_COLUMNS:
            codes, labels = factorize(frame[column].astype(str), CANONICAL_ORDER.get(column, ()))
            self.codes[column], self.labels[column] = codes, labels
        self.key_monitoring = frame["key_monitoring"].to_numpy(dtype=bool)
        self.deviation = pd.to_numeric(frame["deviation"], errors="coerce").to_numpy(dtype=float)
        self.light_masks = {light: frame["light"].to_numpy() == light for light in LIGHT_ORDER}
        self._build_search(frame)
        self._sort_keys = self._sort_key_arrays(frame)
        self._orders: dict[tuple[str, str], np.ndarray] = {}
        self._last_search: tuple[str, np.ndarray] | None = None

    def _build_search(self, frame: pd.DataFrame) -> None:
        """Normalised search text per row, deduplicated: rows often repeat a name or reason."""
        columns = [frame[column].fillna("").astype(str).tolist() for column in SEARCH_COLUMNS]
        codes, texts = pd.factorize(pd.Series(["\n".join(parts) for parts in zip(*columns)], dtype=object))
        self.search_codes = codes
        self.search_texts = [normalise_text(text) for text in texts]

    @staticmethod
    def _sort_key_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """Every sort column as floats (text as its alphabetical rank), NaN where unknown."""
        keys = {name: pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
                for name in ("deviation", "completion", "budget_total")}
        keys["severity"] = frame["light"].map(LIGHT_SEVERITY).to_numpy(dtype=float)
        for name in ("dept_name", "project_name", "name"):
            codes, _ = pd.factorize(frame[name], sort=True)
            keys[name] = np.where(codes < 0, np.nan, codes).astype(float)
        return keys

    def category_mask(self, column: str, code: int) -> np.ndarray | None:
        return None if code == ALL else self.codes[column] == code

    def light_mask(self, choice: str) -> np.ndarray | None:
        if choice == ALL_LIGHTS:
            return None
        return np.logical_or.reduce([self.light_masks[light] for light in LIGHTS_OF_CHOICE[choice]])

    def deviation_mask(self, threshold: float) -> np.ndarray | None:
        """Indicators deviating at least ``threshold`` %; at 0 nothing is excluded (NaN included)."""
        if threshold <= 0:
            return None
        with np.errstate(invalid="ignore"):
            return self.deviation >= threshold

    def search_mask(self, query: str) -> np.ndarray | None:
        """Rows whose names, reasons or measures contain every word of ``query``."""
        terms = [normalise_text(term) for term in query.split()]
        terms = [term for term in terms if term]
        if not terms:
            return None
        cache_key = "\x00".join(terms)
        if self._last_search and self._last_search[0] == cache_key:
            return self._last_search[1]  # other filters changed: reuse the costly part
        hits = np.fromiter((all(term in text for term in terms) for text in self.search_texts),
                           dtype=bool, count=len(self.search_texts))
        mask = hits[self.search_codes] if self.size else np.zeros(0, dtype=bool)
        self._last_search = (cache_key, mask)
        return mask

    def order(self, key: str, direction: str) -> np.ndarray:
        """Row positions sorted by ``key``; unknown values always last, ties in table order."""
        if (key, direction) not in self._orders:
            values = self._sort_keys[key]
            signed = -values if direction == DESCENDING else values
            position = np.arange(self.size)
            self._orders[(key, direction)] = np.lexsort((position, signed, np.isnan(values)))
        return self._orders[(key, direction)]


def _distinct(codes: np.ndarray, n_labels: int) -> int:
    """How many different codes occur (a linear count, no sort)."""
    return int(np.count_nonzero(np.bincount(codes, minlength=n_labels))) if len(codes) else 0


# ---------------------------------------------------------------- HTML rendering



def format_cell(value, kind: str) -> str:
    """A value as display text (not yet escaped)."""
    if kind == "bool":
        return "是" if bool(value) else ""
    if is_missing(value):
        return ""
    if kind == "percent":
        return f"{float(value):.1f}%"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "light":
        return LIGHT_LABELS.get(value, str(value))
    if kind == "direction":
        return DIRECTION_LABELS.get(value, str(value))
    return str(value)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("jixiao.outputs", "templates/explorer"),
                               autoescape=True, trim_blocks=True, lstrip_blocks=True)


def render(template: str, **context) -> str:
    """One of templates/explorer/*.html.j2; every value is escaped (submission text is never markup)."""
    return TEMPLATES.get_template(template).render(**context)


def show_figure(view: widgets.Output, figure: go.Figure) -> None:
    """Draw ``figure`` in ``view`` (replacing what was there) when a kernel runs; a no-op in tests."""
    from IPython import get_ipython

    if get_ipython() is None:
        return
    with view:
        view.clear_output(wait=True)
        display(figure)


def message_html(text: str, kind: str = "summary", tag: str = "b") -> str:
    return render("message.html.j2", text=text, kind=kind, tag=tag)


def table_cell(value, column: Column, shorten: bool = False) -> tuple[str, str, str]:
    """A table cell as template data: (shown text, light fill, full text as hover title when shortened)."""
    text = format_cell(value, column.kind)
    shown = _shorten(text, TABLE_TEXT_LIMIT) if shorten else text
    fill = LIGHT_FILLS.get(value, LIGHT_FILLS[UNKNOWN]) if column.kind == "light" and text else ""
    return shown, fill, text if shown != text else ""


def html_table(values: dict[str, np.ndarray], rows, columns: list[Column], shorten: bool,
               note: str = "", name: str = "main") -> str:
    """An escaped HTML table of ``rows``: submission text is shown as text, never as markup.

    ``name`` scopes the column styles, so two tables with different columns share a page.
    """
    cells = [[table_cell(values[c.key][row], c, shorten) for c in columns] for row in rows]
    return render("table.html.j2", columns=columns, rows=cells, note=note, name=name)


# ---------------------------------------------------------------- the explorer

class Explorer:
    """Widgets over the indicator-level frame; see docs/explorer.md for how analysts use it."""

    def __init__(self, tables: dict[str, pd.DataFrame], export_dir: Path | str | None = None,
                 served_root: Path | str | None = None, download_prefix: str = "files/"):
        """``served_root``: the folder a web server (Voilà, JupyterLab) serves under ``download_prefix``;
        an export below it is offered as a link to that URL, any other as a self-contained data link."""
        self.served_root = Path(served_root).resolve() if served_root else None
        self.download_prefix = download_prefix
        self._pending_search = None
        self._last_search_at = -SEARCH_DEBOUNCE_SECONDS  # loop time of the last search refresh
        self.frame = indicator_frame(tables)
        self.projects = tables.get("project_status")
        self._project_records = ({} if self.projects is None else
                                 self.projects.drop_duplicates("project_id").set_index("project_id").to_dict("index"))
        self.period = _period_label(self.projects)
        self.export_dir = Path(export_dir) if export_dir else Path.cwd() / EXPORT_SUBDIR
        self.index = FilterIndex(self.frame)
        self._values = {column: self.frame[column].to_numpy(dtype=object) for column in self.frame.columns}
        self._project_rows = pd.Series(np.arange(len(self.frame))).groupby(self.index.codes["project_id"]).indices
        self._project_labels = self._project_option_labels()
        self._holding = False
        self.mask = np.ones(len(self.frame), dtype=bool)
        self.rows = np.arange(len(self.frame))
        self.last_export: Path | None = None
        self._build_widgets()
        self._connect()
        self.refresh()

    @classmethod
    def from_processed(cls, processed_dir: Path | str, export_dir: Path | str | None = None,
                       served_root: Path | str | None = None, download_prefix: str = "files/") -> Explorer:
        """Read ``indicator_status`` and ``project_status`` from a processed folder (after ``jixiao metrics``).

        Relative paths are looked up from the working directory upwards, so the notebook finds
        data/processed whether JupyterLab runs in the project root or in notebooks/.
        """
        processed_dir = Path(processed_dir)
        base = find_base(processed_dir) if not processed_dir.is_absolute() else Path("/")
        folder = base / processed_dir
        tables = read_tables(folder, ("indicator_status", "project_status"))
        export = Path(export_dir) if export_dir else Path("reports") / EXPORT_SUBDIR
        return cls(tables, export if export.is_absolute() else base / export, served_root=served_root,
                   download_prefix=download_prefix)

    # ------------------------------------------------------------ widgets

    def has_counties(self) -> bool:
        """Whether the list spans several counties, each with a few departments (a province-size list)."""
        departments = self.frame.drop_duplicates("dept_name")["county"]
        sizes = departments[departments != NO_COUNTY].value_counts()
        return int((sizes >= COUNTY_MIN_DEPARTMENTS).sum()) > 1

    def _dropdown(self, description: str, column: str, codes=None) -> widgets.Dropdown:
        return widgets.Dropdown(description=description, options=self._category_options(column, codes),
                                value=ALL, style={"description_width": "initial"})

    def _category_options(self, column: str, codes=None) -> list[tuple[str, int]]:
        labels = self.index.labels[column]
        if codes is None and len(labels) > CATEGORY_OPTION_LIMIT and self._can_narrow(column):
            return [(f"（全部 {len(labels):,} 个，请先选{PARENT_FILTERS[column][1]}）", ALL)]
        chosen = range(len(labels)) if codes is None else codes
        return [(ALL_LABEL, ALL)] + [(labels[code], int(code)) for code in chosen]

    def _can_narrow(self, column: str) -> bool:
        """Whether a filter on screen narrows this list (the county filter shows for province lists only)."""
        return column in PARENT_FILTERS and (column != "dept_name" or self.province)

    def _build_widgets(self) -> None:
        wide = widgets.Layout(width="420px")
        self.province = self.has_counties()
        self.county = self._dropdown("县区", "county")
        # A county-level list has one county: the filter would only be noise.
        self.county.layout.display = "" if self.province else "none"
        self.department = self._dropdown("主管部门", "dept_name")
        self.unit = self._dropdown("实施单位", "unit_name")
        self.level1 = self._dropdown("一级指标", "level1")
        self.level2 = self._dropdown("二级指标", "level2")
        self.light = widgets.Dropdown(description="指标灯", options=LIGHT_CHOICES, value=ALL_LIGHTS)
        self.key_only = widgets.Checkbox(description="只看重点监控项目", value=False, indent=False)
        self.deviation = widgets.FloatSlider(description="偏离度 ≥ (%)", min=0.0, max=DEVIATION_SLIDER_MAX,
                                             step=DEVIATION_SLIDER_STEP, value=0.0, continuous_update=False, readout_format=".0f",
                                             style={"description_width": "initial"}, layout=wide)
        self.search = widgets.Text(description="搜索", placeholder=SEARCH_PLACEHOLDER, continuous_update=True,
                                   layout=widgets.Layout(width=SEARCH_WIDTH))
        self.sort_by = widgets.Dropdown(description="排序", options=SORT_CHOICES, value="deviation")
        self.sort_direction = widgets.ToggleButtons(options=DIRECTION_CHOICES, value=DESCENDING)
        self.summary = widgets.HTML()
        self.table = widgets.HTML(layout=widgets.Layout(max_height="460px", overflow="auto"))
        self.table.add_class("jx-table-view")  # how the browser test and benchmark find it in the page
        self.page_number = 0
        self.previous_page = widgets.Button(description="上一页", icon="chevron-left",
                                            layout=widgets.Layout(width="100px"))
        self.next_page = widgets.Button(description="下一页", icon="chevron-right", layout=widgets.Layout(width="100px"))
        self.pager = widgets.HBox([self.previous_page, self.next_page])
        self.chart_view = widgets.HTML()
        self.chart_view.add_class("jx-chart-view")
        self.project = widgets.Dropdown(description="项目详情", options=[("（请选择项目）", NO_PROJECT)],
                                        value=NO_PROJECT, layout=widgets.Layout(width="640px"))
        self.detail = widgets.HTML()
        self.export_button = widgets.Button(description="导出当前筛选结果（Excel）", icon="download",
                                            layout=widgets.Layout(width="260px"))
        self.export_path = widgets.HTML()
        self.widget = self._layout()

    def _layout(self) -> widgets.VBox:
        title = widgets.HTML("<h3>预算绩效运行监控 · 指标查询</h3>")
        filters = widgets.VBox([
            widgets.HBox([self.county, self.department, self.unit]),
            widgets.HBox([self.level1, self.level2, self.light]),
            widgets.HBox([self.deviation, self.key_only]),
            widgets.HBox([self.search]),
            widgets.HBox([self.sort_by, self.sort_direction]),
        ])
        export = widgets.HBox([self.export_button, self.export_path])
        return widgets.VBox([title, filters, self.summary, self.chart_view, self.pager, self.table, export,
                             self.project, self.detail])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _connect(self) -> None:
        self.county.observe(self._on_county, names="value")
        self.department.observe(self._on_department, names="value")
        self.level1.observe(self._on_level1, names="value")
        for control in (self.unit, self.level2, self.light, self.key_only, self.deviation,
                        self.sort_by, self.sort_direction):
            control.observe(self._on_filter, names="value")
        self.search.observe(self._on_search, names="value")
        self.project.observe(self._on_project, names="value")
        self.export_button.on_click(lambda _button: self.export())
        self.previous_page.on_click(lambda _button: self.show_page(self.page_number - 1))
        self.next_page.on_click(lambda _button: self.show_page(self.page_number + 1))

    @contextmanager
    def _hold(self):
        """Change several widgets and refresh once, not once per widget."""
        self._holding, before = True, self._holding
        try:
            yield
        finally:
            self._holding = before

    def _on_filter(self, _change=None) -> None:
        if not self._holding:
            self.refresh()

    def _on_search(self, _change=None) -> None:
        """Search as you type: the first change after a pause shows at once (an input method commits
        a whole word in one change); changes while typing go on wait for the next pause.

        Without a running kernel loop (tests, scripts) every change refreshes at once.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._on_filter()
            return
        if self._pending_search is None and loop.time() - self._last_search_at >= SEARCH_DEBOUNCE_SECONDS:
            self._last_search_at = loop.time()
            self._on_filter()
            return
        if self._pending_search is not None:
            self._pending_search.cancel()
        self._pending_search = loop.call_later(SEARCH_DEBOUNCE_SECONDS, self._on_search_pause, loop)

    def _on_search_pause(self, loop: asyncio.AbstractEventLoop) -> None:
        self._pending_search, self._last_search_at = None, loop.time()
        self._on_filter()

    def _on_county(self, change) -> None:
        """A county narrows the department list to its own departments."""
        with self._hold():
            self._narrow(self.department, "dept_name", "county", change["new"])
        self._on_filter()

    def _on_department(self, change) -> None:
        """A department narrows the unit list to its own units."""
        with self._hold():
            self._narrow(self.unit, "unit_name", "dept_name", change["new"])
        self._on_filter()

    def _on_level1(self, change) -> None:
        """一级指标 narrows the 二级指标 list."""
        with self._hold():
            self._narrow(self.level2, "level2", "level1", change["new"])
        self._on_filter()

    def _narrow(self, control: widgets.Dropdown, column: str, parent: str, parent_code: int) -> None:
        codes = None
        if parent_code != ALL:
            codes = np.unique(self.index.codes[column][self.index.codes[parent] == parent_code])
        kept, options = control.value, self._category_options(column, codes)
        control.options = options
        control.value = kept if kept in {value for _label, value in options} else ALL

    # ------------------------------------------------------------ filtering

    def current_mask(self) -> np.ndarray:
        """The rows passing every filter: the AND of the active component masks."""
        index = self.index
        masks = [index.category_mask("county", self.county.value),
                 index.category_mask("dept_name", self.department.value),
                 index.category_mask("unit_name", self.unit.value),
                 index.category_mask("level1", self.level1.value),
                 index.category_mask("level2", self.level2.value),
                 index.light_mask(self.light.value),
                 index.key_monitoring if self.key_only.value else None,
                 index.deviation_mask(self.deviation.value),
                 index.search_mask(self.search.value)]
        active = [mask for mask in masks if mask is not None]
        if not active:
            return np.ones(index.size, dtype=bool)
        return np.logical_and.reduce(active) if len(active) > 1 else active[0]

    def refresh(self) -> None:
        """Recompute the selection and update summary, table, chart and project list together."""
        self.mask = self.current_mask()
        order = self.index.order(self.sort_by.value, self.sort_direction.value)
        self.rows = order[self.mask[order]]
        self.summary.value = message_html(self.summary_text())
        self.show_page(0)
        self._update_chart()
        self._update_project_options()

    @property
    def selection(self) -> pd.DataFrame:
        """The filtered indicator rows in the current sort order."""
        return self.frame.iloc[self.rows].reset_index(drop=True)

    def summary_text(self) -> str:
        n_rows = len(self.rows)
        if not n_rows:
            return f"{EMPTY_TEXT}：请放宽筛选条件。"
        projects = self.index.codes["project_id"][self.rows]
        n_projects = _distinct(projects, len(self.index.labels["project_id"]))
        n_departments = _distinct(self.index.codes["dept_name"][self.rows], len(self.index.labels["dept_name"]))
        key_projects = _distinct(projects[self.index.key_monitoring[self.rows]], len(self.index.labels["project_id"]))
        counts = self.light_counts()
        lights = "，".join(f"{LIGHT_LABELS[light]} {counts[light]}" for light in LIGHT_ORDER if counts[light])
        return (f"筛选结果：{n_rows} 个指标，涉及 {n_departments} 个部门、{n_projects} 个项目"
                f"（重点监控 {key_projects} 个）；{lights}。")

    def light_counts(self) -> dict[str, int]:
        return {light: int(np.count_nonzero(self.index.light_masks[light][self.rows])) for light in LIGHT_ORDER}

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.rows) // TABLE_PAGE_ROWS))

    def show_page(self, number: int) -> None:
        """Table page ``number`` (from 0) of the sorted selection, and the page buttons that make sense."""
        self.page_number = min(max(number, 0), self.page_count - 1)
        self.table.value = self._table_html()
        self.previous_page.disabled = self.page_number == 0
        self.next_page.disabled = self.page_number == self.page_count - 1
        self.pager.layout.display = "" if self.page_count > 1 else "none"

    def _table_html(self) -> str:
        if not len(self.rows):
            return message_html(EMPTY_TEXT, kind="empty", tag="p")
        first = self.page_number * TABLE_PAGE_ROWS
        shown = self.rows[first:first + TABLE_PAGE_ROWS]
        note = ""
        if self.page_count > 1:
            note = (f"第 {self.page_number + 1}／{self.page_count} 页：排序后的第 {first + 1}–{first + len(shown)} 行"
                    f"（共 {len(self.rows)} 行）；完整结果请用“导出”按钮。")
        return html_table(self._values, shown, table_columns(self.period), shorten=True, note=note)

    def chart_counts(self) -> pd.DataFrame:
        """Indicators per 二级指标 (rows) and light (columns) in the selection."""
        level2 = self.index.codes["level2"][self.rows]
        n_levels = len(self.index.labels["level2"])
        table = {light: np.bincount(level2[self.index.light_masks[light][self.rows]], minlength=n_levels)
                 for light in LIGHT_ORDER}
        counts = pd.DataFrame(table, index=self.index.labels["level2"])
        return counts[counts.sum(axis=1) > 0]

    def _update_chart(self) -> None:
        """The SVG chart; an unchanged chart (a new sort order) sends nothing to the browser."""
        title = f"筛选结果各二级指标的灯色（{len(self.rows)} 个指标）"
        self.chart_view.value = render("light_chart.svg.j2", **light_chart.chart_context(self.chart_counts(), title))

    # ------------------------------------------------------------ project detail

    def _project_option_labels(self) -> list[str]:
        """Dropdown label per project code: 灯 · 项目名称（实施单位）."""
        first_rows = {code: rows[0] for code, rows in self._project_rows.items()}
        labels = [""] * len(self.index.labels["project_id"])
        for code, row in first_rows.items():
            light = self._project_value(self._values["project_id"][row], "target_light")
            prefix = f"{LIGHT_LABELS.get(light, '')} · " if light in LIGHT_LABELS else ""
            labels[code] = f"{prefix}{self._values['project_name'][row]}（{self._values['unit_name'][row]}）"
        return labels

    def _project_value(self, project_id: str, column: str):
        return self._project_records.get(project_id, {}).get(column)

    def _update_project_options(self) -> None:
        project_codes = self.index.codes["project_id"][self.rows]
        # Order of first appearance in the sorted selection: the worst projects come first.
        ordered = pd.unique(project_codes)[:PROJECT_OPTION_LIMIT]
        options = [("（请选择项目）", NO_PROJECT)] + [(self._project_labels[code], int(code)) for code in ordered]
        if options != list(self.project.options):
            kept = self.project.value
            self.project.options = options
            self.project.value = kept if kept in set(ordered.tolist()) else NO_PROJECT

    def _on_project(self, change) -> None:
        self.detail.value = self.project_detail_html(change["new"])

    def select_project(self, project_id: str) -> None:
        """Show one project's detail by its id (it must be in the current selection's list)."""
        self.project.value = self.index.labels["project_id"].index(project_id)

    def project_detail_html(self, code: int) -> str:
        if code == NO_PROJECT:
            return ""
        rows = self._project_rows[code]
        first = rows[0]
        project_id = self._values["project_id"][first]
        facts = [("主管部门", self._values["dept_name"][first]), ("实施单位", self._values["unit_name"][first]),
                 ("项目名称", self._values["project_name"][first])]
        facts += self._project_facts(project_id)
        indicators = html_table(self._values, rows, detail_columns(self.period), shorten=False, name="detail")
        return render("facts.html.j2", facts=facts, n_indicators=len(rows), indicators=Markup(indicators))

    def _project_facts(self, project_id: str) -> list[tuple[str, str]]:
        spec = [("年初预算数（万元）", "budget_total", "money"), (f"{self.period}执行数（万元）", "executed_total", "money"),
                ("预算执行率", "execution_rate", "percent"), ("序时进度", "time_progress", "percent"),
                ("预算执行灯", "budget_light", "light"), ("目标完成灯", "target_light", "light"),
                ("双监控灯", "dual_light", "light"), ("重点监控", "key_reason", "text"),
                ("处理建议", "suggestion", "text")]
        facts = [(label, format_cell(self._project_value(project_id, column), kind)) for label, column, kind in spec]
        return [(label, text) for label, text in facts if text]

    # ------------------------------------------------------------ export

    def filter_description(self) -> list[tuple[str, str]]:
        """The active filters in words, for the export's 筛选条件 sheet."""
        def label(control) -> str:
            if control.value == ALL:
                return ALL_LABEL  # not the long list's hint
            return dict((value, text) for text, value in control.options).get(control.value, "")
        return [("县区", label(self.county)), ("主管部门", label(self.department)), ("实施单位", label(self.unit)),
                ("一级指标", label(self.level1)), ("二级指标", label(self.level2)), ("指标灯", label(self.light)),
                ("只看重点监控项目", "是" if self.key_only.value else "否"),
                ("偏离度不低于", f"{self.deviation.value:g}%"), ("搜索", self.search.value),
                ("排序", f"{label(self.sort_by)}，{label(self.sort_direction)}")]

    def export(self, path: Path | str | None = None) -> Path | None:
        """Write the current selection (every row, current order) to Excel and offer it as a download.

        An empty selection writes nothing and says so (returns None).
        """
        if not len(self.rows):
            self.export_path.value = message_html(f"{EMPTY_TEXT}，未导出文件。", kind="empty", tag="span")
            return None
        target = Path(path) if path else self._export_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        # Shown while writing: a province-size selection takes tens of seconds.
        self.export_path.value = message_html(f"正在导出 {len(self.rows)} 行……", kind="progress", tag="span")
        workbook = Workbook(write_only=True)
        rows_sheet = workbook.create_sheet("筛选结果")
        print_setup(rows_sheet)  # before the rows: a write-only sheet is streamed out as it is filled
        self._write_rows(rows_sheet, export_columns(self.period))
        self._write_filters(workbook.create_sheet("筛选条件"))
        workbook.save(target)
        self.last_export = target
        self.export_path.value = render("export.html.j2", n_rows=len(self.rows), href=self.download_href(target),
                                        name=target.name, path=str(target))
        return target

    def download_href(self, target: Path) -> str:
        """A link the browser can download: the served URL below ``served_root``, else the bytes inline."""
        target = Path(target).resolve()
        if self.served_root is not None and target.is_relative_to(self.served_root):
            return self.download_prefix + urllib.parse.quote(target.relative_to(self.served_root).as_posix())
        data = target.read_bytes()
        if len(data) > DATA_URI_LIMIT:
            return ""
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    def _export_path(self) -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.export_dir / f"指标筛选_{stamp}.xlsx"
        suffix = 2
        while target.exists():  # two exports within a second keep both files
            target = self.export_dir / f"指标筛选_{stamp}-{suffix}.xlsx"
            suffix += 1
        return target

    def _write_rows(self, sheet, columns: list[Column]) -> None:
        sheet.freeze_panes = "A2"
        for index in range(len(columns)):
            sheet.column_dimensions[get_column_letter(index + 1)].width = EXPORT_WIDTH
        sheet.append([_header_cell(sheet, c.header) for c in columns])
        for row in self.rows:
            sheet.append([_excel_cell(sheet, self._values[c.key][row], c.kind) for c in columns])

    def _write_filters(self, sheet) -> None:
        sheet.append([_header_cell(sheet, "筛选条件"), _header_cell(sheet, "取值")])
        for key, value in self.filter_description() + [("指标数", str(len(self.rows)))]:
            sheet.append([_excel_cell(sheet, key, "text"), _excel_cell(sheet, value, "text")])
        exported = WriteOnlyCell(sheet, dt.datetime.now().replace(microsecond=0))  # a real Excel date, local time
        exported.number_format = DATETIME_FORMAT
        sheet.append([_excel_cell(sheet, "导出时间", "text"), exported])


def _header_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    write_text(cell, text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    return cell


def _excel_cell(sheet, value, kind: str):
    """One export value: numbers stay numbers, submission text stays text (never a formula).

    Plain text and blanks go in as bare values (a styled cell per value would double the
    export time); only formatted numbers and text a spreadsheet could evaluate get a cell.
    """
    if is_missing(value) and kind != "bool":
        return None
    if kind in ("percent", "money"):
        cell = WriteOnlyCell(sheet, float(value) / PERCENT if kind == "percent" else float(value))
        cell.number_format = PERCENT_FORMAT if kind == "percent" else MONEY_FORMAT
        return cell
    text = ("是" if value else "否") if kind == "bool" else format_cell(value, kind)
    if not text.startswith(FORMULA_TRIGGERS):
        return clean_text(text)  # a control character in submitted text would stop openpyxl
    cell = WriteOnlyCell(sheet)
    write_text(cell, text)
    return cell
