"""The bureau's documents: the 反馈意见 to each department and the county report, as document models.

A department brief is the bureau's feedback opinion following the notice's 附件1 outline
(源财〔2023〕432号); the county report is the bureau's own report to the county government. Both are
built ONCE from the stored tables (docs/schema.md) into a :class:`jixiao.outputs.document.Document`
of plain-text headings, paragraphs, tables and charts; ``jixiao.outputs.document`` renders it to HTML
(escaped by the template), Word and, through Chromium, PDF (docs/briefs.md). Charts come from
``jixiao.outputs.plots``, made print-ready here (horizontal labels, no title: the caption says it).

Notebooks call :func:`department_brief` / :func:`county_report`, show the document and write it; the
batch (``jixiao.outputs.render``) runs those notebooks. Nothing here depends on the notebook machinery.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from jixiao import __version__
from jixiao.config.profile import RuleProfile, load_profile
from jixiao.config.settings import Settings, load_settings
from jixiao.domain.formatting import data_period, money, number_or_none, percent, score_text
from jixiao.domain.vocabulary import LIGHTS, SEVERITY_LABELS
from jixiao.metrics import wording
from jixiao.metrics.compute import (
    BLUE,
    LIGHT_LABELS,
    NO_DEPT,
    RED,
    SUGGEST_CORRECT,
    SUGGEST_PAY,
    SUGGEST_PAY_OUT,
    SUGGEST_REDUCE,
    SUGGEST_SPEED_UP,
    SUGGEST_SUSPEND,
    SUGGEST_UNKNOWN,
    UNKNOWN,
    YELLOW,
    ranking_method_text,
)
from jixiao.metrics.wording import SUGGESTION_ADVICE, SUGGESTION_ORDER
from jixiao.outputs.document import (
    Attachment,
    Bullets,
    Chart,
    Document,
    Heading,
    Paragraph,
    Section,
    Table,
    check_page,
    render_html,
    run_date,
    write_docx,
    write_pdf,
)
from jixiao.outputs.document import Column as DocColumn
from jixiao.store.schema import INGEST_TABLES, METRICS_TABLES, is_missing
from jixiao.store.tables import FINDINGS_OF_LATER_STAGES, TableError, read_ingest_tables, read_tables, table_path

# Tables whose change makes a cached brief stale: every table a brief reads.
STORED_METRICS = tuple(METRICS_TABLES)
WATCHED_TABLES = (*INGEST_TABLES, *FINDINGS_OF_LATER_STAGES, *STORED_METRICS)
DEFAULT_PROCESSED_DIR = Path("data/processed")
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'
REASON_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
WARNING_LIGHTS = (RED, YELLOW)
LIGHT_ORDER = LIGHTS
LEVEL1_ORDER = ("产出指标", "效益指标", "满意度指标", "成本指标")
RUN_TIME_CLASS = "jixiao-run-time"  # the only part of a brief that differs between two runs
OVERVIEW_NAME = "全县监控情况报告"  # the county report (it absorbed the former 全县总览)

SECTION_HEADINGS = (
    "一、绩效运行监控工作组织实施情况",
    "二、预算执行进度和绩效目标完成情况",
    "三、存在问题",
    "四、整改措施和建议",
    "五、其他需要说明的问题",
)
SUBSECTION_FUNDS = "（一）预算资金执行情况"
SUBSECTION_TARGETS = "（二）绩效目标完成情况"
SUBSECTION_CORRECTION = "（一）纠偏措施"
SUBSECTION_IMPROVEMENT = "（二）改进意见"
SUBSECTION_FOLLOWUP = "（三）上轮问题整改情况"
FOLLOWUP_ITEMS_SHOWN = 12  # open 整改 items listed by name, so the part stays readable; the rest are counted

# ---------------------------------------------------------------- escaping and formatting

def text(value) -> str:
    if is_missing(value):
        return ""
    return str(value).strip()


# ---------------------------------------------------------------- tables

SHORT_VALUE_CHARS = 10  # target/actual texts up to this long stay on one line in tables


@dataclass(frozen=True)
class Column:
    """One table column: source column, Chinese header, and how to show a value."""
    key: str
    header: str
    kind: str = "text"  # text | value (short, kept on one line when it fits) | money | pct | int | score | light
    weight: float | None = None  # share of the width left to text columns (default by kind, WIDTHS)


# ---------------------------------------------------------------- charts

# ---------------------------------------------------------------- the data

@dataclass
class BriefData:
    """Everything a brief needs: ingest tables, the three metrics tables, profile and period."""
    processed_dir: Path
    tables: dict[str, pd.DataFrame]
    profile: RuleProfile
    year: int
    month: int

    @property
    def period(self) -> str:
        return f"{self.year}年1-{self.month}月"

    def departments(self) -> list[str]:
        return sorted(self.tables["project_status"]["dept_name"].fillna(NO_DEPT).unique())


_CACHE: dict[tuple, BriefData] = {}


def find_processed_dir(path: str | Path | None = None) -> Path:
    """The processed folder: ``path`` as given, or found from the working directory or its parents.

    A notebook opened in JupyterLab runs in notebooks/, papermill from the repository root: the
    default ``data/processed`` must work from both.
    """
    candidate = Path(path) if path else DEFAULT_PROCESSED_DIR
    if candidate.is_absolute() or (candidate / "projects.parquet").is_file():
        return candidate.resolve()
    for parent in Path.cwd().resolve().parents:
        if (parent / candidate / "projects.parquet").is_file():
            return parent / candidate
    return candidate.resolve()


def load_brief_data(processed_dir: str | Path | None = None, rules: str | Path | None = None,
                    year: int | None = None, month: int | None = None,
                    settings: Settings | None = None) -> BriefData:
    """Read the ingest tables and the stored metrics tables (cached per file state).

    The metrics are used exactly as ``jixiao metrics`` stored them (never recomputed here); when they
    were computed with another rule profile than ``rules``, a TableError names the command to re-run.
    """
    folder = find_processed_dir(processed_dir)
    if not (folder / "projects.parquet").is_file():
        raise FileNotFoundError(f"{folder} 中没有 projects.parquet，请先运行 jixiao ingest")
    rules_path = Path(rules) if rules else None
    key = (str(folder), _file_state(folder), str(rules_path), _file_state_of(rules_path), year, month)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _load(folder, rules_path, year, month, settings or Settings())
    return _CACHE[key]


def _file_state(folder: Path) -> tuple:
    return tuple(_file_state_of(table_path(folder, name)) for name in WATCHED_TABLES)


def _file_state_of(path: Path | None) -> tuple:
    if path is None or not path.is_file():
        return ()
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def _load(folder: Path, rules_path: Path | None, year, month, settings: Settings) -> BriefData:
    """The stored tables of ``folder`` (every stage's findings included); metrics are never recomputed here."""
    tables = read_ingest_tables(folder)
    profile = load_profile(rules_path)
    tables.update(stored_metrics(folder, profile))
    for name in ("project_status", "indicator_status"):
        tables[name] = tables[name].assign(dept_name=tables[name]["dept_name"].fillna(NO_DEPT))
    data_year, data_month = data_period(tables["project_status"], settings.year, settings.period_end_month)
    return BriefData(folder, tables, profile, int(year or data_year), int(month or data_month))


def stored_metrics(folder: Path, profile: RuleProfile) -> dict[str, pd.DataFrame]:
    """The metrics tables as ``jixiao metrics`` stored them; a TableError when they were computed with another profile.

    A document states the profile its numbers came from, so a brief asked for other rules than the stored
    tables used stops with the command that recomputes them, instead of computing its own numbers.
    """
    tables = read_tables(folder, STORED_METRICS)
    used = set(tables["project_status"]["profile_hash"].dropna())
    if used and used != {profile.content_hash}:
        raise TableError(f"{folder} 中的指标是按另一份规则配置计算的（哈希 {'、'.join(sorted(used))}），"
                         f"与本次指定的“{profile.name}”（哈希 {profile.content_hash}）不同："
                         "请先用同一份规则配置运行 jixiao metrics（--rules）。")
    return tables


# ---------------------------------------------------------------- document pieces

WIDTHS = {"text": 3.0, "value": 2.4, "money": 1.6, "pct": 1.4, "int": 0.9, "score": 1.2, "light": 1.0, "html": 3.0}
_JARGON = (
    (re.compile(r"（红 ?[<＜][^）]*）"), ""),  # the threshold legend: said once, in 五、
    (re.compile(r"执行进度比 ?([\d.]+%)"), r"执行率为序时进度的 \1"),
    (re.compile(r"累计型：?"), ""),
    (re.compile(r"序时应完成 ?([\d.]+)，进度比 ?([\d.]+%)"), r"按序时应完成 \1（完成 \2）"),
    # the 重点监控 score formula: the reader needs the amount and the place, not the arithmetic
    (re.compile(r"风险资金 ?([\d,.]+) ?万元 × 严重程度 ?\d+ ?= ?风险得分 ?[\d,.]+，(在 ?\d+ ?个候选项目中排第 ?\d+)"),
     r"风险资金 \1 万元，按风险资金和问题严重程度\2"),
)
# The metrics speak about the unit (建议督促单位…); the feedback speaks to it.
_TO_DEPARTMENT = (("建议督促单位", "请"), ("建议单位", "请"))


def plain_reason(value) -> str:
    """A judgement basis in plain words: no threshold legend, no 进度比/累计型 jargon."""
    result = text(value)
    for pattern, replacement in _JARGON:
        result = pattern.sub(replacement, result)
    return result.strip("；，")


def to_department(sentence: str) -> str:
    """A metrics sentence about the unit, addressed to it (the department brief is the bureau's 反馈意见)."""
    for about, to in _TO_DEPARTMENT:
        sentence = sentence.replace(about, to)
    return sentence


def cell_text(value, kind: str) -> str:
    """One table cell as the reader sees it (the same string in HTML, PDF and Word)."""
    if kind == "money":
        return money(value)
    if kind == "pct":
        return percent(value)
    if kind == "score":
        return score_text(value)
    if kind == "int":
        number = number_or_none(value)
        return "—" if number is None else str(int(number))
    if kind == "light":
        return LIGHT_LABELS.get(value, LIGHT_LABELS[UNKNOWN])
    if _is_list(value):
        value = "、".join(text(v) for v in list(value))
    return text(value) or "—"


def model_table(frame: pd.DataFrame, columns: list[Column], caption: str = "", notes: list[str] | None = None,
                total: dict | None = None) -> Table | None:
    """A document table from a DataFrame: formatted cells, widths planned from the column kinds."""
    if frame.empty:
        return None
    align = {"money": "num", "pct": "num", "int": "num", "score": "num", "light": "light", "value": "value"}
    cols = [DocColumn(c.header, align.get(c.kind, "text"), c.weight or WIDTHS.get(c.kind, 1.0)) for c in columns]
    rows = [[cell_text(record.get(c.key), c.kind) for c in columns] for record in frame.to_dict("records")]
    total_row = [cell_text(total.get(c.key), c.kind) if c.key in total else "" for c in columns] if total else None
    if total_row:
        total_row[0] = "合计"
    return Table(caption, cols, rows, notes or [], total_row)


def blocks(*items) -> list:
    """Blocks without the empty ones (a table of nothing, a list of nothing)."""
    return [item for item in items if item is not None and not (isinstance(item, Bullets) and not item.items)]


def names(values, limit: int | None = None) -> str:
    """Names joined with 、 (plain text; the renderers escape); the rest counted when over ``limit``."""
    items = [text(v) for v in values]
    if limit is not None and len(items) > limit:
        return "、".join(items[:limit]) + f"等 {len(items)} 个"
    return "、".join(items)


def light_legend(profile: RuleProfile) -> str:
    """The threshold legend, said once per document."""
    b, i = profile.budget, profile.indicator
    return (f"灯色标准：预算执行率达到序时进度的 {b.green_from:g}% 及以上为绿灯，{b.red_below:g}%—{b.green_from:g}% 为黄灯，"
            f"低于 {b.red_below:g}% 为红灯；绩效指标全年预计偏离目标 {i.deviation_yellow_above:g}% 以内为绿灯，"
            f"{i.deviation_yellow_above:g}%—{i.deviation_red_above:g}% 为黄灯，超过 {i.deviation_red_above:g}% 为红灯，"
            "预计大幅超额完成的为蓝灯。")


def provenance(data: BriefData, source_files: list[str]) -> tuple[list[str], Table | None, dict]:
    """The reproducibility stamp: sentences, the file table and the metadata (never on page 1)."""
    subs = data.tables["submissions"]
    used = subs[subs["source_file"].isin(source_files)] if len(subs) else subs
    run_time = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    digest = hashlib.sha256("".join(sorted(used["sha256"].astype(str))).encode()).hexdigest()[:16] if len(used) else ""
    sentences = [
        "本文件依据各单位报送的《项目支出绩效目标执行监控表》自动汇总生成，数据以报送内容为准，单位填写的原因和措施按原文引用。",
        (f"规则配置：{data.profile.name}（内容哈希 {data.profile.content_hash}）；jixiao 版本 {__version__}；"
         f"数据目录 {data.processed_dir.name}；生成时间 {run_time}。"),
    ]
    table = Table("", [DocColumn("输入文件", "text", 2.2), DocColumn("SHA-256", "text", 2.8)],
                  [[text(r.source_file), text(r.sha256)] for r in used.sort_values("source_file").itertuples()]) \
        if len(used) else None
    meta = {"jixiao:version": __version__, "jixiao:profile": data.profile.name,
            "jixiao:profile-hash": data.profile.content_hash, "jixiao:inputs": f"{len(used)} 个文件，合并哈希 {digest}",
            "jixiao:generated": run_time, "subject": f"{data.period}项目支出绩效运行监控",
            "keywords": f"绩效运行监控;{data.period};{data.profile.content_hash};{digest}"}
    return sentences, table, meta


def chart(name: str, caption: str, *args) -> Chart | Paragraph:
    """A chart from ``jixiao.outputs.plots`` drawn for print: horizontal labels, no title (the caption says it)."""
    from jixiao.outputs import plots

    try:
        fig = print_ready(getattr(plots, name)(*args))
    except Exception as exc:  # noqa: BLE001 - a missing chart must not cost the whole document
        return Paragraph(f"（图表“{caption}”无法生成：{type(exc).__name__}）", style="note")
    return Chart(caption, fig)


PRINT_TOP_MARGIN = 40  # px above a printed chart: no title there (the caption under it names the chart)
PRINT_LEGEND_ROW = 30  # px for a legend row above the label of a vertical line


def print_ready(fig):
    """Labels read left to right: vertical bars become horizontal ones, tick labels are never rotated,
    a constant line (序时进度) becomes one marked vertical line, and bars carry their values."""
    top_margin = PRINT_TOP_MARGIN
    verticals = [t for t in fig.data if t.type == "bar" and (t.orientation or "v") == "v"]
    if verticals:
        x_axis, y_axis = fig.layout.xaxis.to_plotly_json(), fig.layout.yaxis.to_plotly_json()
        lines = []
        for trace in fig.data:
            if trace.type == "bar":
                trace.update(x=trace.y, y=trace.x, orientation="h")
                labelled = trace.text is not None and any(str(text) for text in trace.text)
                if y_axis.get("ticksuffix") == "%" and trace.texttemplate is None and not labelled:
                    trace.update(texttemplate="%{x:.1f}%", textposition="outside", cliponaxis=False)
            elif trace.type == "scatter":
                values = {round(float(v), 4) for v in trace.y if number_or_none(v) is not None}
                if not values:  # a legend-only entry (a colour square): nothing to draw, keep its marker
                    continue
                # a line trace has its colour on the line, a marker trace (one mark per bar) on the marker
                color = trace.line.color or trace.marker.line.color
                if len(values) == 1:
                    lines.append((values.pop(), trace.name, color))
                else:  # one mark per bar where the periods differ (a unit reporting 1-8月)
                    trace.update(x=trace.y, y=trace.x, mode="markers",
                                 marker={"symbol": "line-ns-open", "size": 16, "color": color,
                                         "line": {"width": 3, "color": color}})
        fig.data = [t for t in fig.data if t.type != "scatter" or t.name not in {name for _, name, _ in lines}]
        fig.layout.xaxis, fig.layout.yaxis = y_axis, {**x_axis, "autorange": "reversed"}
        for value, name, color in lines:
            fig.add_vline(x=value, line={"color": color, "dash": "dash", "width": 2},
                          annotation_text=f"{name} {value:.2f}%", annotation_position="top")
        if lines:  # the line's label sits on top of the plot: the legend takes the row above it
            fig.update_layout(legend={"yref": "container", "y": 1.0, "yanchor": "top"})
            top_margin = PRINT_TOP_MARGIN + PRINT_LEGEND_ROW
        rows = len(verticals[0].x if verticals[0].x is not None else [])
        fig.update_layout(height=max(fig.layout.height or 0, 140 + 24 * rows))
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(tickangle=0, title_text="")
    fig.update_layout(title_text="", margin={"t": top_margin})
    return fig


# ---------------------------------------------------------------- department brief

@dataclass
class DepartmentBrief:
    """The bureau's 反馈意见 to one 主管部门, following 附件1's five headings."""
    data: BriefData
    department: str
    settings: Settings = field(default_factory=Settings)
    projects: pd.DataFrame = field(init=False)
    indicators: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        status = self.data.tables["project_status"]
        self.projects = status[status["dept_name"] == self.department].reset_index(drop=True)
        if self.projects.empty:
            known = "、".join(self.data.departments())
            raise ValueError(f"数据中没有主管部门“{self.department}”。可选：{known}")
        ind = self.data.tables["indicator_status"]
        self.indicators = ind[ind["project_id"].isin(self.projects["project_id"])].reset_index(drop=True)

    # -- helpers
    @property
    def month(self) -> int:
        months = self.projects["period_end_month"].dropna().mode()
        return int(months.iloc[0]) if len(months) else self.data.month

    @property
    def period_label(self) -> str:
        return f"1-{self.month}月"

    @property
    def title(self) -> str:
        return self.settings.brief_title.format(issuer=self.settings.issuer, department=self.department,
                                                period=f"{self.data.year}年{self.period_label}", year=self.data.year)

    def source_files(self) -> list[str]:
        raw = self.data.tables["projects"]
        ids = set(self.projects["project_id"])
        return sorted(raw.loc[raw["project_id"].isin(ids), "source_file"].dropna().unique())

    def warned(self) -> pd.DataFrame:
        return self.indicators[self.indicators["light"].isin(WARNING_LIGHTS)]

    # -- sections
    def opening(self) -> Section:
        return Section([Paragraph(
            f"按照《关于开展{self.data.year}年度县级部门项目支出绩效运行监控工作的通知》要求，你单位报送了"
            f"{self.data.year}年{self.period_label}项目支出绩效运行监控材料。我局对纳入监控的 {len(self.projects)} 个项目的"
            "预算执行进度和绩效目标完成情况进行了审核分析，现将有关情况反馈如下：")])

    def organisation(self) -> Section:
        """一、绩效运行监控工作组织实施情况: scope, targets, what was monitored."""
        p, ind = self.projects, self.indicators
        units = p["unit_name"].dropna().unique()
        levels = Counter(ind["level1"].dropna())
        level_text = "、".join(f"{name} {levels[name]} 个" for name in _ordered(levels, LEVEL1_ORDER))
        files = self.source_files()
        progress = _first(p["time_progress"])
        report = written_report_text(self.data, self.department)
        return Section(blocks(
            Heading(SECTION_HEADINGS[0]),
            Paragraph(f"你单位组织 {len(units)} 个实施单位对 {len(p)} 个项目开展了{self.data.year}年{self.period_label}"
                      f"绩效运行监控，共报送监控表 {len(files)} 份{report}。纳入监控的项目年初预算合计 "
                      f"{money(p['budget_total'].sum())} 万元，设置三级绩效指标 {len(ind)} 个（{level_text or '无'}）。"
                      f"监控期末为{self.month}月末，按时间计算的序时进度为 {percent(progress)}。"),
            Paragraph(note) if (note := wording.period_note(self.projects, f"{self.data.year}年{self.data.month}月末"))
            else None,
            Paragraph("各实施单位对照年初批复的绩效目标，逐项填报了" + self.period_label + "执行情况和全年预计完成情况，"
                      "并对偏离目标的指标从经费保障、制度保障、人员保障、硬件条件保障等方面分析了原因。")))

    def execution(self) -> Section:
        """二、(一)预算资金执行情况: budget, spending, forecast, carry-over against time progress."""
        p = self.projects
        budget, executed = p["budget_total"].sum(min_count=1), p["executed_total"].sum(min_count=1)
        summary = self._department_row()
        rate, expected_rate = summary.get("execution_rate"), summary.get("expected_rate")
        carryover = p["expected_carryover"].sum(min_count=1)
        progress = _first(p["time_progress"])
        behind = p[p["execution_rate"] < progress] if progress is not None else p.iloc[0:0]
        lights = Counter(p["budget_light"])
        light_text = "、".join(f"{LIGHT_LABELS[l]} {lights[l]} 个" for l in LIGHT_ORDER if lights[l])
        return Section(blocks(
            Heading(SECTION_HEADINGS[1]), Heading(SUBSECTION_FUNDS, 2),
            Paragraph(f"纳入监控项目年初预算合计 {money(budget)} 万元{self._funds_by_source()}。{self.period_label}实际支出 "
                      f"{money(executed)} 万元，预算执行率 {percent(rate)}，{_against_progress(rate, progress)}"
                      f"预计全年执行 {money(self._raw_projects()['expected_total'].sum(min_count=1))} 万元，"
                      f"全年预计执行率 {percent(expected_rate)}，预计结转结余 {money(carryover)} 万元。"),
            Paragraph(f"按项目看，预算执行{light_text}；执行率低于序时进度的项目 {len(behind)} 个"
                      + (f"：{names(behind['project_name'])}。" if len(behind) else "。") + "各项目执行情况见附件1。"),
            stock_paragraph(p, self.period_label),
            chart("department_projects", "图1 项目预算执行率与序时进度", self.data.tables["project_status"], self.department)))

    def targets(self) -> Section:
        """二、(二)绩效目标完成情况: lights by indicator type, expected achievement, over-achievement."""
        ind = self.indicators
        lights = Counter(ind["light"])
        on_track, judged = wording.forecast_on_track(ind)
        blue = ind[ind["light"] == BLUE]
        by_level = _light_counts(ind, "level1", LEVEL1_ORDER)
        return Section(blocks(
            Heading(SUBSECTION_TARGETS, 2),
            Paragraph(f"你单位共设置三级指标 {len(ind)} 个，按全年预计完成情况判断："
                      + "、".join(f"{LIGHT_LABELS[l]} {lights[l]} 个" for l in LIGHT_ORDER if lights[l]) + "。"
                      + (f"全年预计可与目标比较的 {judged} 个指标中，预计能够达到年度指标值的 {on_track} 个，"
                         f"占 {percent(_share(on_track, judged))}。" if judged else "没有可以判断完成情况的指标。")),
            Paragraph("预计超额完成较多、年度目标可能偏低的指标有：" + names(blue["project_name"] + "—" + blue["name"])
                      + "，编制下年度预算时应合理调高目标。") if len(blue) else None,
            Paragraph("按项目看，绩效目标完成" + "、".join(
                f"{LIGHT_LABELS[l]} {n} 个" for l, n in _ordered_counts(self.projects["target_light"]))
                + "；预算执行和目标完成合并判断（双监控）" + "、".join(
                f"{LIGHT_LABELS[l]} {n} 个" for l, n in _ordered_counts(self.projects["dual_light"])) + "。"),
            Paragraph(self._adjustment_text()),
            model_table(by_level, [Column("group", "一级指标")] + _light_columns(), "表1 各类指标完成情况"),
            chart("department_indicator_lights", "图2 项目指标红黄绿灯分布", self.data.tables["indicator_status"],
                  self.department)))

    def problems(self) -> Section:
        """三、存在问题: slow execution and why, deviating indicators with the units' reasons quoted."""
        p = self.projects
        slow = p[p["budget_light"].isin(WARNING_LIGHTS)]
        warned = self.warned()
        reasons = reason_counts(warned)
        reason_text = wording.sorted_counts(dict(reasons.items()), order=REASON_CATEGORIES)
        quoted = [f"{text(r.project_name)}—{text(r.name)}：“{text(r.reason_text)}”"
                  for r in warned.itertuples() if text(r.reason_text)]
        missing = warned[warned["reason_text"].map(text) == ""]
        return Section(blocks(
            Heading(SECTION_HEADINGS[2]),
            Paragraph(f"预算执行未达到序时要求的项目 {len(slow)} 个" + (
                "：" + "；".join(f"{text(r.project_name)}（{plain_reason(r.budget_reason)}）" for r in slow.itertuples())
                + "。" if len(slow) else "，预算执行总体正常。"), lead="（一）预算执行较慢。"),
            Paragraph(f"红灯指标 {int((warned['light'] == RED).sum())} 个、黄灯指标 {int((warned['light'] == YELLOW).sum())} 个"
                      + (f"，单位勾选的偏差原因依次为{reason_text}" if reason_text else "")
                      + (f"。偏差指标明细见附件{self._attachment_number('warned')}。" if len(warned) else "。"),
                      lead="（二）部分绩效指标偏离目标。"),
            _lead_paragraph(wording.reasons_filled_sentence(len(warned), len(quoted))),
            Bullets(quoted),
            Paragraph(f"另有 {len(missing)} 个偏差指标未填写原因说明：" + names(missing["project_name"] + "—" + missing["name"])
                      + "。") if len(missing) and quoted else None))

    def measures(self) -> Section:
        """四、整改措施和建议: the units' own measures quoted, then the bureau's advice from the metrics."""
        warned = self.warned()
        with_measure = warned[warned["remarks"].map(text) != ""]
        without = warned[warned["remarks"].map(text) == ""]
        measures = [f"{text(r.project_name)}—{text(r.name)}：“{text(r.remarks)}”" for r in with_measure.itertuples()]
        correction = (Paragraph(f"针对 {len(warned)} 个偏差指标，你单位提出的纠偏措施如下：") if measures
                      else Paragraph("你单位未就偏差指标提出纠偏措施。") if len(warned)
                      else Paragraph("本期没有偏离目标的指标，请继续按计划实施，保持执行进度。"))
        return Section(blocks(
            Heading(SECTION_HEADINGS[3]), Heading(SUBSECTION_CORRECTION, 2), correction, Bullets(measures),
            Paragraph(f"以下 {len(without)} 个偏差指标未填写拟采取的措施，请补充：" + names(without["project_name"] + "—"
                                                                        + without["name"]) + "。") if len(without) else None,
            Heading(SUBSECTION_IMPROVEMENT, 2), *self._suggestions(),
            *followup_blocks(self.data.processed_dir, SUBSECTION_FOLLOWUP, self.department)))

    def other(self) -> Section:
        """五、其他需要说明的问题: 重点监控, indicators that could not be judged, data quality, the legend."""
        unknown = self.indicators[self.indicators["light"] == UNKNOWN]
        key = self.projects[self.projects["key_monitoring"].fillna(False).astype(bool)]
        findings = self._findings()
        return Section(blocks(
            Heading(SECTION_HEADINGS[4]),
            Paragraph(f"列入财政重点监控的项目 {len(key)} 个" + ("：" if len(key) else "。"), lead="（一）重点监控项目。"),
            Bullets([f"{text(r.project_name)}（{text(r.unit_name)}）：{plain_reason(r.key_reason)}" for r in key.itertuples()]),
            Paragraph(f"无法判断完成情况的指标 {len(unknown)} 个" + ("，请补充资料：" if len(unknown) else "。"),
                      lead="（二）资料不全的指标。"),
            Bullets([f"{text(r.project_name)}—{text(r.name)}：{plain_reason(r.light_reason)}" for r in unknown.itertuples()]),
            Paragraph(f"你单位监控表的校验提示 {len(findings)} 条" + (f"，见附件{self._attachment_number('findings')}，请核实更正。" if len(findings) else "。"),
                      lead="（三）报送质量。"),
            Paragraph(light_legend(self.data.profile), lead="（四）判断标准。"),
            Paragraph("请你单位对照本反馈意见，认真分析原因，落实整改措施，确保全年绩效目标如期实现。")))

    def attachments(self) -> list[Attachment]:
        p = self.projects.sort_values("execution_rate", na_position="first")
        sums = {"budget_total": p["budget_total"].sum(min_count=1), "executed_total": p["executed_total"].sum(min_count=1),
                "expected_carryover": p["expected_carryover"].sum(min_count=1)}
        result = [Attachment(f"{self.department}项目预算执行和绩效目标完成情况表", blocks(model_table(p, [
            Column("project_name", "项目名称"), Column("budget_total", "年初预算（万元）", "money"),
            Column("executed_total", f"{self.period_label}执行（万元）", "money"),
            Column("execution_rate", "执行率", "pct"), Column("expected_rate", "全年预计执行率", "pct"),
            Column("expected_carryover", "预计结转结余（万元）", "money"),
            Column("budget_light", "执行", "light"), Column("target_light", "目标", "light"),
            Column("suggestion", "处理意见", "value")], "", total=sums)))]
        warned = _sorted_by_light(self.warned())
        if len(warned):
            notes = [f"{text(r.project_name)}—{text(r.name)}：{plain_reason(r.light_reason)}"
                     + (f"；原因：{text(r.reason_text)}" if text(r.reason_text) else "") for r in warned.itertuples()]
            result.append(Attachment(f"{self.department}偏差指标及原因明细表", blocks(model_table(warned, [
                Column("project_name", "项目"), Column("name", "三级指标"), Column("target_text", "年度指标值", "value"),
                Column("actual_text", f"{self.period_label}完成", "value"), Column("expected_text", "全年预计", "value"),
                Column("light", "指标", "light")], "", notes=notes))))
        findings = self._findings()
        if len(findings):
            result.append(Attachment(f"{self.department}监控表报送质量提示", blocks(model_table(findings, [
                Column("source_file", "文件", weight=1.2), Column("cell", "单元格", "value"),
                Column("severity_label", "级别", "value"), Column("message", "说明", weight=3.0)], ""))))
        return result

    def document(self) -> Document:
        """The whole feedback opinion, built once; every format is rendered from it."""
        sentences, table, meta = provenance(self.data, self.source_files())
        return Document("brief", self.title, self.department, self.settings.issuer, run_date(self.settings),
                        self.settings.doc_number, [self.opening(), self.organisation(), self.execution(),
                                                   self.targets(), self.problems(), self.measures(), self.other()],
                        self.attachments(), sentences, table, meta)

    # -- internals
    def _raw_projects(self) -> pd.DataFrame:
        raw = self.data.tables["projects"]
        return raw[raw["project_id"].isin(self.projects["project_id"])]

    def _department_row(self) -> dict:
        summary = self.data.tables["department_summary"]
        rows = summary[summary["dept_name"] == self.department]
        return rows.iloc[0].to_dict() if len(rows) else {}

    def _funds_by_source(self) -> str:
        funds = self.data.tables["funds"]
        if funds.empty:
            return ""
        own = funds[funds["project_id"].isin(self.projects["project_id"])]
        sums = own.groupby("source")["budget"].sum(min_count=1)
        labels = (("fiscal", "当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
        parts = [f"{label} {money(sums.get(key))} 万元" for key, label in labels if number_or_none(sums.get(key))]
        return f"（其中{'、'.join(parts)}）" if parts else ""

    def _adjustment_text(self) -> str:
        from jixiao.validate.approved import RIGIDITY_CODES
        from jixiao.validate.checks import approved_compared

        findings = self._findings()
        see = f"（见附件{self._attachment_number('findings')}）" if len(findings) else ""
        return wording.rigidity_sentence(approved_compared(self.data.processed_dir), findings, RIGIDITY_CODES, see)

    def _attachment_number(self, kind: str) -> int:
        """附件N of the 情况表 ("projects"), the deviation list ("warned") or the findings ("findings"):
        attachments are numbered in order and the last two are left out when empty."""
        present = ["projects"] + (["warned"] if len(self.warned()) else []) + (["findings"] if len(self._findings()) else [])
        return present.index(kind) + 1

    def _findings(self) -> pd.DataFrame:
        findings = self.data.tables["findings"]
        if findings.empty:
            return findings
        files = set(self.source_files())
        own = findings[findings["source_file"].isin(files) | findings["project_id"].isin(self.projects["project_id"])]
        return own.assign(severity_label=own["severity"].map(SEVERITY_LABELS).fillna(own["severity"]))

    def _suggestions(self) -> list:
        result = []
        for number, name in enumerate([n for n in SUGGESTION_ORDER if (self.projects["suggestion"] == n).any()], 1):
            group = self.projects[self.projects["suggestion"] == name]
            result.append(Paragraph(f"对{names(group['project_name'])}（{len(group)} 个项目），{SUGGESTION_ADVICE[name]}",
                                    lead=f"{number}. {name}。"))
        lines = [to_department(plain_reason(line)) for line in wording.suggestion_lines(self.projects)]
        if lines:
            result += [Paragraph("各项目的具体意见（含金额）如下："), Bullets(lines)]
        result.append(Paragraph(
            "按照通知要求，我局将根据绩效运行及纠偏情况、项目实施进度拨付资金；对支出进度偏低、存量资金数额偏大且绩效监控结果差的，"
            f"提出预算调整建议；本次监控结果将作为{self.data.year + 1}年度预算安排的重要依据，并纳入部门预算管理综合绩效考评。"))
        return result


# ---------------------------------------------------------------- judgement columns, when the metrics carry them

def stock_paragraph(projects: pd.DataFrame, period_label: str) -> Paragraph | None:
    """存量资金 (上年结转) as one paragraph: the facts of ``wording.stock_sentence``."""
    sentence = wording.stock_sentence(projects, period_label)
    return Paragraph(sentence) if sentence else None


def followup_blocks(processed_dir: Path, heading: str, department: str | None = None) -> list:
    """上轮问题整改情况 from the round's 整改 items (jixiao.store.rectification); nothing in a first round."""
    from jixiao.store.rectification import load_followup_facts

    facts = load_followup_facts(processed_dir, department)
    if not facts or not facts["total"]:
        return []
    items = facts["open_items"]
    # the county report names the unit too: its readers do not know every project
    shown = [f"{text(i['project_name']) or '（整个文件）'}" + ("" if department or not text(i.get("unit_name"))
                                                          else f"（{text(i['unit_name'])}）")
             + f"：{plain_reason(i['what'])}（{text(i['status'])}，{text(i['since_round'])}提出）"
             for i in items[:FOLLOWUP_ITEMS_SHOWN]]
    rest = len(items) - len(shown)
    return blocks(Heading(heading, 2), Paragraph(facts["sentence"]),
                  Paragraph(f"尚未整改到位的事项 {len(items)} 项：") if items else None,
                  Bullets(shown),
                  Paragraph(f"另有 {rest} 项未逐项列出。", style="note") if rest > 0 else None)


def _lead_paragraph(sentence: str) -> Paragraph:
    """'（三）标题。正文' as a paragraph with its lead set apart (the wording module writes both)."""
    lead, _, rest = sentence.partition("。")
    return Paragraph(rest, lead=lead + "。")


def written_report_text(data: BriefData, department: str) -> str:
    """Whether the department's written report (附件1) arrived: from the ``documents`` table when present."""
    documents = data.tables.get("documents")
    if documents is None or documents.empty or "dept_name" not in documents:
        return ""
    own = documents[documents["dept_name"] == department]
    return "，书面监控报告已报送" if len(own) else "，书面监控报告未报送"


# ---------------------------------------------------------------- county report

@dataclass
class CountyReport:
    """The bureau's own report to the county government on the whole round."""
    data: BriefData
    settings: Settings = field(default_factory=Settings)

    @property
    def title(self) -> str:
        return self.settings.report_title.format(issuer=self.settings.issuer, year=self.data.year,
                                                 period=self.data.period, county=self.settings.county)

    @property
    def _period_label(self) -> str:
        return f"1-{self.data.month}月"

    def organisation(self) -> Section:
        """一、scope and organisation, the submissions that could not be used, the written reports."""
        ps, subs = self.data.tables["project_status"], self.data.tables["submissions"]
        failed = subs[subs["status"] == "failed"] if len(subs) and "status" in subs else subs.iloc[0:0]
        departments = self.data.departments()
        return Section(blocks(
            Heading("一、监控工作组织开展情况"),
            Paragraph(f"按照《关于开展{self.data.year}年度县级部门项目支出绩效运行监控工作的通知》要求，我局组织县级各部门对"
                      f"{self.data.year}年{self._period_label}项目支出开展了绩效运行监控。共收到报送文件 {len(subs)} 份，"
                      f"可用 {len(subs) - len(failed)} 份，涉及 {len(departments)} 个主管部门的 {len(ps)} 个项目。"),
            Paragraph(f"未能使用的报送文件 {len(failed)} 份" + ("，已退回相关单位重新报送：" if len(failed) else "。")),
            Bullets([f"{text(r.source_file)}：{text(r.reason)}" for r in failed.itertuples()]),
            Paragraph(self._written_reports())))

    def _written_reports(self) -> str:
        documents = self.data.tables.get("documents")
        if documents is None or documents.empty or "dept_name" not in documents:
            return "各部门书面监控报告的报送情况：未提供。"
        sent = sorted(set(documents["dept_name"].dropna()) & set(self.data.departments()))
        missing = [d for d in self.data.departments() if d not in sent]
        return (f"报送书面监控报告的部门 {len(sent)} 个" + (f"：{names(sent)}" if sent else "")
                + f"；未报送的 {len(missing)} 个" + (f"：{names(missing)}。" if missing else "。"))

    def summary(self) -> Section:
        ps = wording.in_comparison(self.data.tables["project_status"])
        ind = wording.in_comparison(self.data.tables["indicator_status"])
        budget, executed = ps["budget_total"].sum(min_count=1), ps["executed_total"].sum(min_count=1)
        rate = number_or_none(executed) / number_or_none(budget) * 100 if number_or_none(budget) else None
        progress = _first(ps["time_progress"])
        lights = Counter(ind["light"])
        duals = Counter(ps["dual_light"])
        return Section(blocks(
            Heading("二、预算执行和绩效目标完成总体情况"),
            Paragraph(f"纳入监控的项目年初预算合计 {money(budget)} 万元，{self._period_label}实际支出 {money(executed)} 万元，"
                      f"预算执行率 {percent(rate)}，{_against_progress(rate, progress)}按时间计算的序时进度为 {percent(progress)}。"),
            Paragraph(f"三级绩效指标 {len(ind)} 个，按全年预计完成情况判断：" + "、".join(
                f"{LIGHT_LABELS[l]} {lights[l]} 个" for l in LIGHT_ORDER if lights[l]) + "。预算执行和目标完成合并判断，"
                + "、".join(f"{LIGHT_LABELS[l]} {duals[l]} 个项目" for l in LIGHT_ORDER if duals[l]) + "。"),
            Paragraph(self._scope_note()) if self._scope_note() else None,
            stock_paragraph(ps, self._period_label),
            Paragraph(light_legend(self.data.profile), style="note")))

    def _scope_note(self) -> str:
        """Which projects the county figures cover (a department that reported another period is kept apart)."""
        county = self.data.tables.get("county_summary")
        return text(county["scope_note"].iloc[0]) if county is not None and len(county) else ""

    def departments(self) -> Section:
        everyone = self.data.tables["department_summary"]
        summary = wording.in_comparison(everyone)
        progress = _first(summary["time_progress"])
        behind = summary[summary["execution_rate"] < progress] if progress is not None else summary.iloc[0:0]
        ranked = summary.dropna(subset=["rank"]).sort_values("rank")
        unranked = everyone[everyone["rank"].isna()]
        return Section(blocks(
            Heading("三、各部门监控情况"),
            Paragraph(f"执行率低于序时进度（{percent(progress)}）的部门 {len(behind)} 个"
                      + (f"：{names(behind.sort_values('execution_rate')['dept_name'])}。" if len(behind) else "。")),
            model_table(ranked, [
                Column("rank", "名次", "int"), Column("dept_name", "主管部门"), Column("n_projects", "项目数", "int"),
                Column("budget_total", "年初预算（万元）", "money"), Column("execution_rate", "执行率", "pct"),
                Column("expected_rate", "全年预计执行率", "pct"), Column("n_red", "红灯指标", "int"),
                Column("n_key_projects", "重点监控项目", "int"), Column("quality_score", "监控工作质量得分", "score"),
                Column("score", "综合得分", "score")],
                "表1 各部门预算执行和绩效目标完成情况",
                notes=[f"{text(r.dept_name)}：{text(r.rank_note)}" for r in ranked.itertuples() if text(r.rank_note)]),
            Paragraph(f"未排名的部门 {len(unranked)} 个：" + "；".join(
                f"{text(r.dept_name)}（{plain_reason(r.rank_note) or '缺少执行率或没有可判断的指标'}）"
                for r in unranked.itertuples()) + "。") if len(unranked) else None,
            Paragraph(plain_reason(ranking_method_text(self.data.profile)).split("规则配置")[0], style="note"),
            chart("execution_by_department", "图1 各部门预算执行率与序时进度", summary, None, self.data.profile),
            chart("ranking_chart", "图2 部门综合得分排名", summary)))

    def key_monitoring(self) -> Section:
        ps = self.data.tables["project_status"]
        key = ps[ps["key_monitoring"].fillna(False).astype(bool)]
        candidates = int(ps["key_rank"].notna().sum()) if "key_rank" in ps else len(key)
        by_dept = key.groupby("dept_name").size().sort_values(ascending=False, kind="stable")
        cap = self.data.profile.key_monitoring.max_projects
        selection = (f"符合重点监控条件的项目 {candidates} 个，按风险资金（预计结转结余与未支出存量资金取大者）和问题严重程度"
                     f"从高到低排序，至多 {cap} 个列入财政重点监控" + (f"，其余 {candidates - len(key)} 个列入一般监控，保留各自的灯色和原因"
                                                          if candidates > len(key) else "") + "。")
        return Section(blocks(
            Heading("四、重点监控项目情况"),
            Paragraph(selection + f"列入财政重点监控的项目 {len(key)} 个，年初预算合计 {money(key['budget_total'].sum())} 万元，"
                      f"涉及 {len(by_dept)} 个部门" + (f"，较多的是{'、'.join(f'{text(d)}（{n} 个）' for d, n in by_dept.head(3).items())}"
                                                    if len(by_dept) else "") + "。清单见附件2。")))

    def problems(self) -> Section:
        ind = wording.in_comparison(self.data.tables["indicator_status"])
        by_level2 = _light_counts(ind, "level2", None)
        worst = by_level2.assign(warn=by_level2[RED] + by_level2[YELLOW]).sort_values("warn", ascending=False)
        top = worst[worst["warn"] > 0].head(3)
        warned = ind[ind["light"].isin(WARNING_LIGHTS)]
        counts = reason_counts(warned)
        total = sum(counts.values)
        ranked = counts[counts > 0].sort_values(ascending=False, kind="stable")  # ties keep the form's order
        top_text = wording.top_items_text(dict(ranked.items()), order=REASON_CATEGORIES)
        best = ranked.max() if len(ranked) else 0
        others = ranked[ranked < best]
        ps = wording.in_comparison(self.data.tables["project_status"])
        slow = ps[ps["budget_light"] == RED]
        return Section(blocks(
            Heading("五、存在的主要问题及原因"),
            Paragraph(f"预算执行红灯的项目 {len(slow)} 个，年初预算合计 {money(slow['budget_total'].sum())} 万元，"
                      f"涉及 {slow['dept_name'].nunique()} 个部门。", lead="（一）部分项目支出进度滞后。"),
            Paragraph("红黄灯指标最多的指标类型为" + "、".join(
                f"{text(r.group)}（红灯 {int(getattr(r, RED))} 个、黄灯 {int(getattr(r, YELLOW))} 个）" for r in top.itertuples())
                + "。" if len(top) else "各类指标均无红黄灯。", lead="（二）部分绩效指标偏离目标。"),
            Paragraph(f"红黄灯指标共勾选偏差原因 {total} 次" + (f"，{top_text}，占 {percent(_share(best, total))}" if top_text else "")
                      + ("；其余依次为" + "、".join(f"{text(k)}（{int(v)} 次，占 {percent(_share(v, total))}）"
                                               for k, v in others.items()) if len(others) else "") + "。",
                      lead="（三）偏差原因。"),
            chart("reasons_by_category", "图3 红黄灯指标的偏差原因", ind)))

    def result_use(self) -> Section:
        """六、the notice's 结果运用, advisory: 暂缓 only where compute allows it, 预算调整 exactly under the
        notice's condition (支出进度偏低、存量资金数额偏大且绩效监控结果差), then 上轮问题整改情况."""
        ps = self.data.tables["project_status"]
        groups = {name: ps[ps["suggestion"] == name] for name in SUGGESTION_ORDER}
        suspend = ps[ps["suggestions"].map(lambda acts: any(str(a).startswith(SUGGEST_SUSPEND) for a in _as_list(acts)))] \
            if "suggestions" in ps else groups[SUGGEST_SUSPEND]
        reduce = groups[SUGGEST_REDUCE]

        def group_text(group):
            return f" {len(group)} 个项目（年初预算 {money(group['budget_total'].sum())} 万元）"

        urging = [f"对{who}的{group_text(groups[name])}{what}" for name, who, what in (
            (SUGGEST_SPEED_UP, "支出进度低于序时进度", "督促加快执行"),
            (SUGGEST_CORRECT, "资金执行正常但绩效目标偏离", "督促纠偏整改"),
            (SUGGEST_UNKNOWN, "资料不全", "要求补充资料")) if len(groups[name])]

        paying = [f"{who}的{group_text(group)}，{what}" for group, who, what in (
            (groups[SUGGEST_PAY], "双监控正常", "建议按项目实施进度拨付资金"),
            (suspend, "预算执行和绩效目标均严重滞后", "建议按程序暂缓拨款、督促整改，整改到位后再按进度拨付"),
            (groups[SUGGEST_PAY_OUT], "属于补贴到人、工资类和按期发放资金且支出进度偏低",
             "不暂缓拨付，建议督促按时足额兑付")) if len(group)]
        stock_idle = reduce["stock_idle"].where(reduce["stock_flag"].fillna(False).astype(bool)).sum() \
            if "stock_idle" in reduce else None
        adjustment = (f"支出进度偏低、存量资金数额偏大且绩效监控结果差的{group_text(reduce)}：{names(reduce['project_name'])}，"
                      f"建议按程序提出预算调整建议，涉及预计结转结余 {money(reduce['expected_carryover'].sum())} 万元、"
                      f"未支出存量资金 {money(stock_idle)} 万元。" if len(reduce)
                      else "没有同时符合支出进度偏低、存量资金数额偏大且绩效监控结果差的项目，本期不提出预算调整建议。")
        followup = followup_blocks(self.data.processed_dir, "（三）上轮问题整改情况")
        later = ("（四）", "（五）") if followup else ("（三）", "（四）")
        return Section(blocks(
            Heading("六、监控结果运用"),
            Heading("（一）资金拨付", 2),
            Paragraph("；".join(paying) + "。" if paying else "本期没有需要调整拨付安排的项目。"),
            Heading("（二）预算调整建议", 2),
            Paragraph(adjustment),
            *followup,
            Heading(f"{later[0]}督促纠偏整改", 2),
            Paragraph("；".join(urging) + "；并通过反馈意见督促各部门限期整改。" if urging
                      else "各项目预算执行和绩效目标均正常，无需督促纠偏整改。"),
            Heading(f"{later[1]}{self.data.year + 1}年度预算安排", 2),
            Paragraph(f"本次监控结果作为{self.data.year + 1}年度预算安排和政策调整的重要依据，部门排名纳入县级部门预算管理综合绩效考评。")))

    def next_steps(self) -> Section:
        return Section(blocks(
            Heading("七、下一步工作"),
            Paragraph("一是跟踪整改落实，对重点监控项目逐月跟踪执行进度和纠偏情况；二是加快预算执行，督促支出进度滞后的部门倒排工期、"
                      "及时支付；三是做好全年绩效自评准备，将运行监控发现的问题作为年度绩效评价的重点。"),
            Paragraph("特此报告。")))

    def attachments(self) -> list[Attachment]:
        summary = self.data.tables["department_summary"].sort_values("execution_rate", na_position="first")
        ps = self.data.tables["project_status"]
        key = ps[ps["key_monitoring"].fillna(False).astype(bool)]
        key = key.sort_values("key_rank") if "key_rank" in key else key.sort_values(["dept_name", "execution_rate"])
        sums = {k: summary[k].sum(min_count=1) for k in ("n_projects", "budget_total", "executed_total", "n_red",
                                                          "n_yellow", "n_key_projects")}
        return [
            Attachment("各部门预算执行和绩效目标完成情况表", blocks(model_table(summary, [
                Column("dept_name", "主管部门"), Column("n_projects", "项目数", "int"),
                Column("budget_total", "年初预算（万元）", "money"), Column("executed_total", "执行数（万元）", "money"),
                Column("execution_rate", "执行率", "pct"), Column("expected_rate", "全年预计执行率", "pct"),
                Column("n_red", "红灯指标", "int"), Column("n_yellow", "黄灯指标", "int"),
                Column("n_key_projects", "重点监控项目", "int")], "", total=sums))),
            Attachment("重点监控项目清单", blocks(model_table(key, [
                Column("dept_name", "主管部门"), Column("project_name", "项目名称"),
                Column("budget_total", "年初预算（万元）", "money"), Column("execution_rate", "执行率", "pct"),
                Column("budget_light", "执行", "light"), Column("target_light", "目标", "light"),
                Column("suggestion", "处理意见", "value")], "",
                notes=[f"{text(r.project_name)}：{plain_reason(r.key_reason)}" for r in key.itertuples()]))),
        ]

    def document(self) -> Document:
        files = self.data.tables["submissions"]["source_file"].tolist() if len(self.data.tables["submissions"]) else []
        sentences, table, meta = provenance(self.data, files)
        return Document("report", self.title, self.settings.report_recipient, self.settings.issuer,
                        run_date(self.settings), self.settings.doc_number,
                        [self.organisation(), self.summary(), self.departments(), self.key_monitoring(),
                         self.problems(), self.result_use(), self.next_steps()],
                        self.attachments(), sentences, table, meta)


CountyOverview = CountyReport  # the former 全县总览, absorbed by the report


# ---------------------------------------------------------------- shared pieces

DOCUMENT_SETTINGS = ("county", "issuer", "issue_date", "doc_number", "brief_title", "report_title", "report_recipient")


def document_settings(settings: Settings) -> dict:
    """The [document] settings as plain values: what the batch hands each notebook (a kernel's own
    working directory may hold another jixiao.toml)."""
    return {name: getattr(settings, name) for name in DOCUMENT_SETTINGS}


def _settings(settings: Settings | dict | None) -> Settings:
    if isinstance(settings, dict) and settings:
        base = Settings()
        return base.model_copy(update=settings) if hasattr(base, "model_copy") else replace(base, **settings)
    return settings or load_settings()


def department_brief(department: str, processed_dir: str | Path | None = None, year: int | None = None,
                     month: int | None = None, rules: str | Path | None = None,
                     settings: Settings | dict | None = None) -> DepartmentBrief:
    """The feedback opinion to ``department`` (notebooks/department_brief.ipynb calls this)."""
    settings = _settings(settings)
    return DepartmentBrief(load_brief_data(processed_dir, rules, year, month, settings), department, settings)


def county_report(processed_dir: str | Path | None = None, year: int | None = None, month: int | None = None,
                  rules: str | Path | None = None, settings: Settings | dict | None = None) -> CountyReport:
    """The county report (notebooks/county_report.ipynb calls this)."""
    settings = _settings(settings)
    return CountyReport(load_brief_data(processed_dir, rules, year, month, settings), settings)


county_overview = county_report


def write_document(document: Document, outputs: dict | None, templates: str | Path | None = None) -> list[Path]:
    """Write the files named in ``outputs`` (format -> path: html, pdf, docx); the batch passes all three.

    The page is checked first (it opens offline and stays under the size limit): a page that fails
    writes nothing. Every file is written under a temporary name and renamed.
    """
    templates_dir = Path(templates) if templates else None
    outputs = {fmt: Path(path) for fmt, path in (outputs or {}).items()}
    page = check_page(render_html(document, templates_dir)) if {"html", "pdf"} & set(outputs) else ""
    written = []
    for fmt, path in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "html":
            partial = path.with_name(path.name + ".part")
            partial.write_text(page, encoding="utf-8")
            partial.replace(path)
        elif fmt == "pdf":
            write_pdf(document, page, path)
        elif fmt == "docx":
            write_docx(document, path, templates_dir)
        else:
            continue
        written.append(path)
    return written


def reason_counts(indicators: pd.DataFrame) -> pd.Series:
    """How often each 偏差原因 category is ticked, in the form's order (then any other text)."""
    counts = Counter(str(reason) for reasons in indicators["reasons"] if _is_list(reasons) for reason in reasons)
    order = list(REASON_CATEGORIES) + sorted(set(counts) - set(REASON_CATEGORIES))
    return pd.Series([counts[name] for name in order], index=order, dtype=int)


def _as_list(value) -> list:
    return list(value) if _is_list(value) else []


def _is_list(value) -> bool:
    return isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and not isinstance(value, str))


def _light_counts(indicators: pd.DataFrame, column: str, order) -> pd.DataFrame:
    """Indicator counts per light for each value of ``column`` (one row each, plus 合计)."""
    table = pd.crosstab(indicators[column].fillna("（未填）"), indicators["light"])
    table = table.reindex(columns=list(LIGHT_ORDER), fill_value=0)
    groups = _ordered(Counter(dict(table.sum(axis=1))), order) if order else list(table.index)
    table = table.reindex(groups)
    table["total"] = table.sum(axis=1)
    return table.rename_axis("group").reset_index()


def _light_columns() -> list[Column]:
    return [Column(light, LIGHT_LABELS[light], "int") for light in LIGHT_ORDER] + [Column("total", "合计", "int")]


def _ordered(counts: Counter, order) -> list[str]:
    known = [name for name in order if counts.get(name)]
    return known + sorted(name for name in counts if name not in order and counts[name])


def _ordered_counts(series: pd.Series) -> list[tuple[str, int]]:
    counts = Counter(series)
    return [(light, counts[light]) for light in LIGHT_ORDER if counts[light]]


def _sorted_by_light(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {light: i for i, light in enumerate(LIGHT_ORDER)}
    return frame.assign(_order=frame["light"].map(rank)).sort_values(["_order", "project_name"], kind="mergesort")


def _first(series: pd.Series) -> float | None:
    values = series.dropna()
    return float(values.mode().iloc[0]) if len(values) else None


def _share(part, whole) -> float | None:
    return part / whole * 100 if whole else None


def _against_progress(rate, progress) -> str:
    rate, progress = number_or_none(rate), number_or_none(progress)
    if rate is None or progress is None:
        return ""
    gap = rate - progress
    word = "高于" if gap >= 0 else "低于"
    return f"{word}序时进度 {abs(gap):.1f} 个百分点，"
