"""Department briefs and the county overview: Chinese prose, tables and charts from the data.

A department brief follows the notice's 附件1 outline (源财〔2023〕432号); the overview is what the
bureau shows its leadership. Every function returns HTML fragments built from the metrics tables
(docs/schema.md). Anything a unit typed (names, reasons, measures) is escaped with ``esc`` before
it reaches the page, so a ``<script>`` in a reason is printed, never run. Charts come from
``jixiao.outputs.plots`` and are embedded as static SVG images (no plotly.js in the page: offline, small,
identical in the browser and in print).

Notebooks call :func:`department_brief` / :func:`county_overview` and display the sections; the
batch (``jixiao.outputs.render``) runs those notebooks. Nothing here depends on the notebook machinery.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jixiao import __version__
from jixiao.config.settings import Settings
from jixiao.metrics.compute import (BLUE, GREEN, LIGHT_LABELS, NO_DEPT, RED, UNKNOWN, YELLOW, SUGGEST_PAY,
                      SUGGEST_REDUCE, SUGGEST_SUSPEND, compute_metrics, ranking_method_text)
from jixiao.metrics import wording
from jixiao.metrics.wording import SUGGESTION_ADVICE, SUGGESTION_ORDER
from jixiao.config.profile import RuleProfile, load_profile
from jixiao.store.schema import is_missing

INPUT_TABLES = ("submissions", "projects", "funds", "indicators", "findings")
DEFAULT_PROCESSED_DIR = Path("data/processed")
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif'
REASON_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
WARNING_LIGHTS = (RED, YELLOW)
LIGHT_ORDER = (RED, YELLOW, GREEN, BLUE, UNKNOWN)
LEVEL1_ORDER = ("产出指标", "效益指标", "满意度指标", "成本指标")
RUN_TIME_CLASS = "jixiao-run-time"  # the only part of a brief that differs between two runs
OVERVIEW_NAME = "全县总览"

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

# ---------------------------------------------------------------- escaping and formatting

def esc(value) -> str:
    """Text for the page: anything from a submission becomes literal characters."""
    return html.escape(text(value), quote=True)


def text(value) -> str:
    if is_missing(value):
        return ""
    return str(value).strip()


def money(value) -> str:
    """万元 with two decimals and thousands separators; a dash when missing."""
    number = _number(value)
    return "—" if number is None else f"{number:,.2f}"


def pct(value) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:.1f}%"


def _number(value) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def quote(value) -> str:
    """A unit's own words, escaped and in Chinese quotation marks."""
    return f"“{esc(value)}”"


def light_badge(light) -> str:
    light = light if light in LIGHT_LABELS else UNKNOWN
    return f'<span class="light light-{light}">{LIGHT_LABELS[light]}</span>'


def paragraph(*parts: str) -> str:
    """One paragraph from already escaped pieces."""
    return "<p>" + "".join(parts) + "</p>"


def bullet_list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""


def join_names(values, limit: int | None = None) -> str:
    """Escaped names joined with 、; the rest counted when over ``limit``."""
    names = [esc(v) for v in values]
    if limit is not None and len(names) > limit:
        return "、".join(names[:limit]) + f"等 {len(names)} 个"
    return "、".join(names)


# ---------------------------------------------------------------- tables

SHORT_VALUE_CHARS = 10  # target/actual texts up to this long stay on one line in tables


@dataclass(frozen=True)
class Column:
    """One table column: source column, Chinese header, and how to show a value."""
    key: str
    header: str
    kind: str = "text"  # text | value | money | pct | int | score | light | html (already escaped by us)


def html_table(frame: pd.DataFrame, columns: list[Column], caption: str = "") -> str:
    """An HTML table from a DataFrame; every text cell escaped, numbers right-aligned."""
    if frame.empty:
        return ""
    head = "".join(f"<th>{esc(c.header)}</th>" for c in columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = "".join(_cell(record.get(c.key), c.kind) for c in columns)
        rows.append(f"<tr>{cells}</tr>")
    caption_html = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<table class="data">{caption_html}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _cell(value, kind: str) -> str:
    if kind == "money":
        return f'<td class="num">{money(value)}</td>'
    if kind == "pct":
        return f'<td class="num">{pct(value)}</td>'
    if kind == "score":
        number = _number(value)
        return f'<td class="num">{"—" if number is None else f"{number:.2f}"}</td>'
    if kind == "int":
        number = _number(value)
        return f'<td class="num">{"—" if number is None else int(number)}</td>'
    if kind == "light":
        return f"<td>{light_badge(value)}</td>"
    if kind == "html":
        return f"<td>{value}</td>"
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist") and not isinstance(value, str):
        value = "、".join(text(v) for v in list(value))
    if kind == "value" and len(text(value)) <= SHORT_VALUE_CHARS:
        return f'<td class="value">{esc(value) or "—"}</td>'  # '≥3200平方米' reads badly broken over lines
    return f"<td>{esc(value) or '—'}</td>"


# ---------------------------------------------------------------- charts

def chart_html(fig, alt: str) -> str:
    """A plotly figure as a static SVG image with a fixed width (prints the same as it shows)."""
    svg = stable_svg(figure_svg(fig), json.dumps(fig.to_plotly_json(), sort_keys=True, default=str))
    width = int(fig.layout.width or 800)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<figure class="chart"><img class="chart-img" alt="{esc(alt)}" width="{width}" '
            f'src="data:image/svg+xml;base64,{data}"/></figure>')


def figure_svg(fig) -> str:
    """SVG text of ``fig`` from the kaleido server, started once per process and then kept.

    A batch kernel renders many briefs: the first chart pays the browser start (2-3 s), the rest
    about 0.15 s each.
    """
    from jixiao.outputs import charts

    if not charts.server_running():
        import kaleido

        kaleido.start_sync_server(**charts.KALEIDO_OPTIONS, silence_warnings=True)
    return charts.figure_to_svg(fig)


_PLOTLY_UID = re.compile(r'id="defs-([0-9a-f]+)"')


def stable_svg(svg: str, seed: str) -> str:
    """Replace plotly's random per-figure uid by one derived from the figure, so reruns are identical."""
    match = _PLOTLY_UID.search(svg)
    if not match:
        return svg
    stable = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:len(match.group(1))]
    return svg.replace(match.group(1), stable)


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
    """Read the ingest tables and compute the metrics with the rule profile (cached per file state).

    The metrics are recomputed in memory rather than read back, so a brief always states exactly
    the profile its numbers came from.
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
    return tuple(_file_state_of(folder / f"{name}.parquet") for name in INPUT_TABLES)


def _file_state_of(path: Path | None) -> tuple:
    if path is None or not path.is_file():
        return ()
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def _load(folder: Path, rules_path: Path | None, year, month, settings: Settings) -> BriefData:
    tables = {}
    for name in INPUT_TABLES:
        path = folder / f"{name}.parquet"
        tables[name] = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    profile = load_profile(rules_path)
    tables.update(compute_metrics(tables, profile, settings))
    for name in ("project_status", "indicator_status"):
        tables[name] = tables[name].assign(dept_name=tables[name]["dept_name"].fillna(NO_DEPT))
    data_year, data_month = data_period(tables["project_status"], settings)
    return BriefData(folder, tables, profile, int(year or data_year), int(month or data_month))


def data_period(project_status: pd.DataFrame, settings: Settings) -> tuple[int, int]:
    """The most common year and end month of the projects (the configured ones when none)."""
    years = project_status["year"].dropna().mode() if len(project_status) else pd.Series(dtype=int)
    months = project_status["period_end_month"].dropna().mode() if len(project_status) else pd.Series(dtype=int)
    return (int(years.iloc[0]) if len(years) else settings.year,
            int(months.iloc[0]) if len(months) else settings.period_end_month)


# ---------------------------------------------------------------- one section

@dataclass
class Section:
    """A block of the brief; displays itself in a notebook."""
    html: str
    level: int = 2

    def _repr_html_(self) -> str:
        return self.html


def section(heading: str, *blocks: str, level: int = 2) -> Section:
    body = "".join(block for block in blocks if block)
    return Section(f'<section class="brief-section"><h{level}>{esc(heading)}</h{level}>{body}</section>', level)


# ---------------------------------------------------------------- department brief

@dataclass
class DepartmentBrief:
    """The 附件1 report of one 主管部门, section by section."""
    data: BriefData
    department: str
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
        return f"{self.department}{self.data.year}年{self.period_label}项目支出绩效运行监控报告"

    def source_files(self) -> list[str]:
        raw = self.data.tables["projects"]
        ids = set(self.projects["project_id"])
        return sorted(raw.loc[raw["project_id"].isin(ids), "source_file"].dropna().unique())

    def warned(self) -> pd.DataFrame:
        return self.indicators[self.indicators["light"].isin(WARNING_LIGHTS)]

    # -- sections
    def header(self) -> Section:
        return Section(header_html(self.title, self.department, self.data))

    def organisation(self) -> Section:
        """一、绩效运行监控工作组织实施情况: scope, targets, what was monitored."""
        p, ind = self.projects, self.indicators
        units = p["unit_name"].dropna().unique()
        levels = Counter(ind["level1"].dropna())
        level_text = "、".join(f"{name} {levels[name]} 个" for name in _ordered(levels, LEVEL1_ORDER))
        files = self.source_files()
        progress = _first(p["time_progress"])
        intro = paragraph(
            f"按照《关于开展{self.data.year}年度县级部门项目支出绩效运行监控工作的通知》要求，{esc(self.department)}",
            f"组织 {len(units)} 个实施单位对 {len(p)} 个项目开展了{self.data.year}年{self.period_label}绩效运行监控，",
            f"共报送监控表 {len(files)} 份。纳入监控的项目年初预算合计 {money(p['budget_total'].sum())} 万元，",
            f"设置三级绩效指标 {len(ind)} 个（{level_text or '无'}）。监控期末为{self.month}月末，序时进度 {pct(progress)}。")
        method = paragraph(
            "各实施单位按照“谁支出、谁负责”的原则，对照年初批复的绩效目标，逐项填报 1-N 月执行情况和全年预计完成情况，"
            .replace("1-N 月", self.period_label),
            "对偏离目标的指标从经费保障、制度保障、人员保障、硬件条件保障等方面分析原因并提出措施。",
            f"本报告按规则配置“{esc(self.data.profile.name)}”计算执行进度、指标偏离度和红黄绿灯。")
        goals = self.projects.merge(self.data.tables["projects"][["project_id", "annual_goal"]], on="project_id",
                                    how="left")
        table = html_table(goals, [Column("unit_name", "实施单位"), Column("project_name", "项目名称"),
                                   Column("budget_total", "年初预算（万元）", "money"),
                                   Column("annual_goal", "年度总体目标（单位填报）")], "表1 纳入监控的项目及年度目标")
        note = wording.period_note(self.projects, f"{self.data.year}年{self.data.month}月末")
        return section(SECTION_HEADINGS[0], intro, paragraph(esc(note)) if note else "", method, table)

    def execution(self) -> Section:
        """二、(一)预算资金执行情况: budget, spending, forecast, carry-over against time progress."""
        p = self.projects
        budget, executed = p["budget_total"].sum(min_count=1), p["executed_total"].sum(min_count=1)
        funds = self._funds_by_source()
        summary = self._department_row()
        rate, ratio = summary.get("execution_rate"), summary.get("execution_ratio")
        expected_rate = summary.get("expected_rate")
        carryover = p["expected_carryover"].sum(min_count=1)
        progress = _first(p["time_progress"])
        behind = p[p["execution_rate"] < progress] if progress is not None else p.iloc[0:0]
        parts = [
            f"{esc(self.department)}纳入监控项目年初预算合计 {money(budget)} 万元"
            f"{funds}。{self.period_label}实际支出 {money(executed)} 万元，预算执行率 {pct(rate)}，"
            f"{_against_progress(rate, progress)}执行进度比 {pct(ratio)}。",
            f"预计全年执行 {money(self._raw_projects()['expected_total'].sum(min_count=1))} 万元，"
            f"全年预计执行率 {pct(expected_rate)}，预计结转结余 {money(carryover)} 万元。",
        ]
        lights = Counter(p["budget_light"])
        light_text = "、".join(f"{LIGHT_LABELS[l]} {lights[l]} 个" for l in LIGHT_ORDER if lights[l])
        detail = paragraph(f"按项目看，预算执行{light_text}。",
                           f"执行率低于序时进度的项目 {len(behind)} 个"
                           + (f"：{join_names(behind['project_name'])}。" if len(behind) else "。"))
        table = html_table(p.sort_values("execution_rate", na_position="first"), [
            Column("project_name", "项目名称"), Column("unit_name", "实施单位"),
            Column("budget_total", "年初预算（万元）", "money"),
            Column("executed_total", f"{self.period_label}执行（万元）", "money"),
            Column("execution_rate", "执行率", "pct"), Column("execution_ratio", "执行进度比", "pct"),
            Column("expected_rate", "全年预计执行率", "pct"),
            Column("expected_carryover", "预计结转结余（万元）", "money"),
            Column("budget_light", "执行灯", "light")], "表2 项目预算执行情况")
        chart = self._chart("department_projects", "项目预算执行率与序时进度",
                            self.data.tables["project_status"], self.department)
        heading = f'<h2>{esc(SECTION_HEADINGS[1])}</h2>'
        stock = paragraph(esc(wording.stock_sentence(p, self.period_label)))
        body = section(SUBSECTION_FUNDS, paragraph(*parts), stock, detail, table, chart, level=3).html
        return Section(f'<section class="brief-section">{heading}{body}</section>')

    def targets(self) -> Section:
        """二、(二)绩效目标完成情况: lights by indicator type, expected achievement, over-achievement."""
        ind = self.indicators
        lights = Counter(ind["light"])
        on_track, judged = wording.forecast_on_track(ind)
        by_level = _light_counts(ind, "level1", LEVEL1_ORDER)
        overview = paragraph(
            f"{esc(self.department)}共设置三级指标 {len(ind)} 个，按全年预计完成情况判断："
            + "、".join(f"{LIGHT_LABELS[l]} {lights[l]} 个" for l in LIGHT_ORDER if lights[l]) + "。",
            f"全年预计可与目标比较的 {judged} 个指标中，预计能够达到年度指标值的 {on_track} 个（{pct(_share(on_track, judged))}）。"
            if judged else "没有可以判断完成情况的指标。")
        blue = ind[ind["light"] == BLUE]
        extra = paragraph("预计超额完成较多、年度目标可能偏低的指标：",
                          join_names(blue["project_name"] + "—" + blue["name"]) + "，建议编制下年度预算时合理调高目标。"
                          ) if len(blue) else ""
        projects = paragraph(
            "按项目看，目标完成灯" + "、".join(
                f"{LIGHT_LABELS[l]} {n} 个" for l, n in _ordered_counts(self.projects["target_light"])) +
            "；双监控（执行进度 × 目标完成）" + "、".join(
                f"{LIGHT_LABELS[l]} {n} 个" for l, n in _ordered_counts(self.projects["dual_light"])) + "。")
        adjustments = paragraph(self._adjustment_text())
        table = html_table(by_level, [Column("group", "一级指标")] + _light_columns(), "表3 各类指标完成情况")
        project_table = html_table(self.projects, [
            Column("project_name", "项目名称"), Column("n_indicators", "指标数", "int"),
            Column("target_light", "目标完成灯", "light"), Column("dual_light", "双监控灯", "light"),
            Column("target_reason", "判断依据")], "表4 项目绩效目标完成情况")
        chart = self._chart("department_indicator_lights", "项目指标红黄绿灯分布",
                            self.data.tables["indicator_status"], self.department)
        return section(SUBSECTION_TARGETS, overview, extra, projects, adjustments, table, project_table, chart,
                       level=3)

    def problems(self) -> Section:
        """三、存在问题: slow execution and why, deviating indicators with the units' reasons quoted."""
        p = self.projects
        slow = p[p["budget_light"].isin(WARNING_LIGHTS)]
        slow_text = paragraph(
            f"（一）预算执行较慢。执行进度比未达到绿灯标准的项目 {len(slow)} 个"
            + (f"：{'；'.join(f'{esc(r.project_name)}（{esc(r.budget_reason)}）' for r in slow.itertuples())}。"
               if len(slow) else "，预算执行总体正常。"))
        warned = self.warned()
        reasons = reason_counts(warned)
        reason_text = wording.sorted_counts(dict(reasons.items()), order=REASON_CATEGORIES)
        dev_text = paragraph(
            f"（二）绩效指标偏差。红灯指标 {int((warned['light'] == RED).sum())} 个、黄灯指标 "
            f"{int((warned['light'] == YELLOW).sum())} 个" + (f"，单位勾选的偏差原因依次为{reason_text}。" if reason_text
                                                         else "。"))
        table = html_table(_sorted_by_light(warned), [
            Column("project_name", "项目"), Column("name", "三级指标"), Column("target_text", "年度指标值", "value"),
            Column("actual_text", f"{self.period_label}执行", "value"), Column("expected_text", "全年预计", "value"),
            Column("light", "指标灯", "light"), Column("light_reason", "判断依据"),
            Column("reasons", "偏差原因类别"), Column("reason_text", "原因说明（单位填报）")], "表5 偏差指标及原因")
        quoted = [f"{esc(r.project_name)}—{esc(r.name)}：{quote(r.reason_text)}"
                  for r in warned.itertuples() if text(r.reason_text)]
        missing = warned[warned["reason_text"].map(text) == ""]
        quotes = paragraph(esc(wording.reasons_filled_sentence(len(warned), len(quoted)))) + bullet_list(quoted)
        missing_text = paragraph(f"另有 {len(missing)} 个偏差指标未填写原因说明：",
                                 join_names(missing["project_name"] + "—" + missing["name"]), "。") \
            if len(missing) and quoted else ""
        return section(SECTION_HEADINGS[2], slow_text, dev_text, table, quotes, missing_text)

    def measures(self) -> Section:
        """四、整改措施和建议: the units' own measures quoted, then the suggestions from the metrics."""
        warned = self.warned()
        with_measure = warned[warned["remarks"].map(text) != ""]
        without = warned[warned["remarks"].map(text) == ""]
        measures = [f"{esc(r.project_name)}—{esc(r.name)}：{quote(r.remarks)}" for r in with_measure.itertuples()]
        correction = (paragraph(f"针对 {len(warned)} 个偏差指标，单位提出的纠偏措施如下：") + bullet_list(measures)
                      if measures else paragraph("单位未就偏差指标提出纠偏措施。") if len(warned)
                      else paragraph("本期没有偏离目标的指标，请继续按计划实施，保持执行进度。"))
        missing = paragraph(f"以下 {len(without)} 个偏差指标未填写拟采取的措施，请补充：",
                            join_names(without["project_name"] + "—" + without["name"]), "。") if len(without) \
            else ""
        correction_html = section(SUBSECTION_CORRECTION, correction, missing, level=3).html
        improvement_html = section(SUBSECTION_IMPROVEMENT, *self._suggestions(), level=3).html
        return Section(f'<section class="brief-section"><h2>{esc(SECTION_HEADINGS[3])}</h2>'
                       f"{correction_html}{improvement_html}</section>")

    def other(self) -> Section:
        """五、其他需要说明的问题: indicators that could not be judged, data quality, 重点监控."""
        unknown = self.indicators[self.indicators["light"] == UNKNOWN]
        key = self.projects[self.projects["key_monitoring"].fillna(False).astype(bool)]
        blocks = [paragraph(f"（一）列入财政重点监控的项目 {len(key)} 个" + ("：" if len(key) else "。"))]
        blocks.append(bullet_list([f"{esc(r.project_name)}（{esc(r.unit_name)}）：{esc(r.key_reason)}"
                                   for r in key.itertuples()]))
        blocks.append(paragraph(f"（二）无法判断完成情况的指标 {len(unknown)} 个" + ("，请补充资料：" if len(unknown) else "。")))
        blocks.append(bullet_list([f"{esc(r.project_name)}—{esc(r.name)}：{esc(r.light_reason)}"
                                   for r in unknown.itertuples()]))
        findings = self._findings()
        blocks.append(paragraph(f"（三）报送质量：本部门监控表的校验提示 {len(findings)} 条" + (
            "，见表6。" if len(findings) else "。")))
        blocks.append(html_table(findings, [Column("source_file", "文件"), Column("cell", "单元格"),
                                            Column("severity_label", "级别"), Column("message", "说明")],
                                 "表6 报送质量提示"))
        blocks.append(paragraph("（四）本报告根据各单位报送的监控表自动生成，数据以报送内容为准；单位填写的原因和措施按原文引用。"))
        return section(SECTION_HEADINGS[4], *blocks)

    def stamp(self) -> Section:
        return Section(stamp_html(self.data, self.source_files()))

    def sections(self) -> list[Section]:
        return [self.header(), self.organisation(), self.execution(), self.targets(), self.problems(),
                self.measures(), self.other(), self.stamp()]

    def html(self) -> str:
        return "".join(s.html for s in self.sections())

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
        parts = [f"{label} {money(sums.get(key))} 万元" for key, label in labels if _number(sums.get(key))]
        return f"（其中{'、'.join(parts)}）" if parts else ""

    def _adjustment_text(self) -> str:
        from jixiao.validate.approved import RIGIDITY_CODES

        from jixiao.validate.checks import approved_compared

        return wording.rigidity_sentence(approved_compared(self.data.processed_dir), self._findings(), RIGIDITY_CODES)

    def _findings(self) -> pd.DataFrame:
        findings = self.data.tables["findings"]
        if findings.empty:
            return findings
        files = set(self.source_files())
        own = findings[findings["source_file"].isin(files) | findings["project_id"].isin(self.projects["project_id"])]
        labels = {"error": "需改正", "warning": "请核实", "info": "已处理"}
        return own.assign(severity_label=own["severity"].map(labels).fillna(own["severity"]))

    def _suggestions(self) -> list[str]:
        blocks = []
        for name in SUGGESTION_ORDER:
            group = self.projects[self.projects["suggestion"] == name]
            if group.empty:
                continue
            blocks.append(paragraph(f"<strong>{esc(name)}</strong>（{len(group)} 个项目：",
                                    join_names(group["project_name"]), "）：", esc(SUGGESTION_ADVICE[name])))
        lines = wording.suggestion_lines(self.projects)
        if lines:
            blocks.append(paragraph("各项目的全部建议（含金额）：") + bullet_list([esc(line) for line in lines]))
        blocks.append(paragraph(
            "按照通知要求，财政部门根据绩效运行及纠偏情况、项目实施进度拨付资金；对支出进度偏低、存量资金数额偏大且绩效监控结果差的，提出预算调整建议；"
            f"本次监控结果将作为完善项目管理、改进资金拨付和{self.data.year + 1}年度预算安排的重要依据，并列入部门预算管理综合绩效考评。"))
        return blocks

    def _chart(self, name: str, alt: str, *args) -> str:
        return build_chart(name, alt, *args)


# ---------------------------------------------------------------- county overview

@dataclass
class CountyOverview:
    """The leadership overview: all departments against time progress, ranking, deviations, 重点监控."""
    data: BriefData

    @property
    def title(self) -> str:
        return f"{self.data.year}年{self._period_label}县级部门项目支出绩效运行监控情况总览"

    @property
    def _period_label(self) -> str:
        return f"1-{self.data.month}月"

    def header(self) -> Section:
        return Section(header_html(self.title, OVERVIEW_NAME, self.data))

    def summary(self) -> Section:
        ps = wording.in_comparison(self.data.tables["project_status"])
        ind = wording.in_comparison(self.data.tables["indicator_status"])
        budget, executed = ps["budget_total"].sum(min_count=1), ps["executed_total"].sum(min_count=1)
        rate = _number(executed) / _number(budget) * 100 if _number(budget) else None
        progress = _first(ps["time_progress"])
        lights = Counter(ind["light"])
        duals = Counter(ps["dual_light"])
        key = int(self.data.tables["project_status"]["key_monitoring"].fillna(False).astype(bool).sum())  # all periods
        return section("一、总体情况", paragraph(
            f"{self.data.year}年{self._period_label}共有 {ps['dept_name'].nunique()} 个主管部门的 {len(ps)} 个项目纳入绩效运行监控，",
            f"年初预算合计 {money(budget)} 万元，实际支出 {money(executed)} 万元，预算执行率 {pct(rate)}，",
            f"{_against_progress(rate, progress)}序时进度 {pct(progress)}。"),
            paragraph(f"三级指标 {len(ind)} 个：" + "、".join(
                f"{LIGHT_LABELS[l]} {lights[l]} 个" for l in LIGHT_ORDER if lights[l]) + "。双监控："
                + "、".join(f"{LIGHT_LABELS[l]} {duals[l]} 个项目" for l in LIGHT_ORDER if duals[l])
                + f"。列入财政重点监控的项目 {key} 个。"),
            paragraph(esc(self._scope_note())), paragraph(esc(wording.stock_sentence(ps, self._period_label))))

    def _scope_note(self) -> str:
        county = self.data.tables.get("county_summary")
        return text(county["scope_note"].iloc[0]) if county is not None and len(county) else ""

    def execution(self) -> Section:
        summary = wording.in_comparison(self.data.tables["department_summary"])
        progress = _first(summary["time_progress"])
        behind = summary[summary["execution_rate"] < progress] if progress is not None else summary.iloc[0:0]
        table = html_table(summary.sort_values("execution_rate", na_position="first"), [
            Column("dept_name", "主管部门"), Column("n_projects", "项目数", "int"),
            Column("budget_total", "年初预算（万元）", "money"), Column("executed_total", "执行数（万元）", "money"),
            Column("execution_rate", "执行率", "pct"), Column("execution_ratio", "执行进度比", "pct"),
            Column("expected_rate", "全年预计执行率", "pct")], "表1 各部门预算执行与序时进度")
        chart = build_chart("execution_by_department", "各部门预算执行率与序时进度", summary, None, self.data.profile)
        return section("二、各部门预算执行与序时进度", paragraph(
            f"执行率低于序时进度（{pct(progress)}）的部门 {len(behind)} 个" +
            (f"：{join_names(behind.sort_values('execution_rate')['dept_name'])}。" if len(behind) else "。")),
            chart, table)

    def ranking(self) -> Section:
        summary = self.data.tables["department_summary"]
        ranked = summary.dropna(subset=["rank"]).sort_values("rank")
        unranked = summary[summary["rank"].isna()]
        chart = build_chart("ranking_chart", "部门综合得分排名", summary)
        table = html_table(ranked, [
            Column("rank", "名次", "int"), Column("dept_name", "主管部门"), Column("score", "综合得分", "score"),
            Column("execution_score", "执行得分", "score"), Column("target_score", "目标得分", "score"),
            Column("quality_score", "监控工作质量得分", "score"), Column("n_red", "红灯指标", "int"),
            Column("n_key_projects", "重点监控项目", "int"), Column("rank_note", "名次说明")], "表2 部门综合得分排名")
        note = paragraph(f"未排名的部门 {len(unranked)} 个：" + "；".join(
            f"{esc(r.dept_name)}（{esc(r.rank_note)}）" for r in unranked.itertuples()) + "。") if len(unranked) else ""
        return section("三、部门排名", paragraph(esc(ranking_method_text(self.data.profile))), note, table, chart)

    def deviations(self) -> Section:
        ind = wording.in_comparison(self.data.tables["indicator_status"])
        by_level2 = _light_counts(ind, "level2", None)
        mean_dev = ind.groupby("level2")["deviation"].mean()
        by_level2 = by_level2.assign(mean_deviation=by_level2["group"].map(mean_dev))
        worst = by_level2.assign(warn=by_level2[RED] + by_level2[YELLOW]).sort_values("warn", ascending=False)
        top = worst[worst["warn"] > 0].head(3)
        text_html = paragraph("红黄灯指标最多的指标类型：" + "、".join(
            f"{esc(r.group)}（红灯 {int(getattr(r, RED))} 个、黄灯 {int(getattr(r, YELLOW))} 个）"
            for r in top.itertuples()) + "。") if len(top) else paragraph("各类指标均无红黄灯。")
        table = html_table(by_level2, [Column("group", "二级指标")] + _light_columns()
                           + [Column("mean_deviation", "平均偏离度", "pct")], "表3 按指标类型的偏差情况")
        chart = build_chart("deviation_heatmap", "偏离度：二级指标 × 主管部门", ind)
        return section("四、按指标类型的偏差情况", text_html, table, chart)

    def key_monitoring(self) -> Section:
        ps = self.data.tables["project_status"]
        key = ps[ps["key_monitoring"].fillna(False).astype(bool)].sort_values("key_rank")
        candidates = int(ps["key_rank"].notna().sum())
        table = html_table(key, [
            Column("dept_name", "主管部门"), Column("project_name", "项目名称"), Column("unit_name", "实施单位"),
            Column("budget_total", "年初预算（万元）", "money"), Column("execution_rate", "执行率", "pct"),
            Column("budget_light", "执行灯", "light"), Column("target_light", "目标灯", "light"),
            Column("key_reason", "列入原因"), Column("suggestions", "处理建议")], "表4 重点监控清单")
        cap = self.data.profile.key_monitoring.max_projects
        return section("五、重点监控清单", paragraph(
            f"符合重点监控条件的项目 {candidates} 个，按“风险资金（预计结转结余与未支出存量资金取大者）× 严重程度”排序，"
            f"取前 {cap} 个列入财政重点监控：{len(key)} 个，年初预算合计 {money(key['budget_total'].sum())} 万元；"
            "其余项目列入一般监控，保留各自的灯色和原因。"), table)

    def reasons(self) -> Section:
        ind = wording.in_comparison(self.data.tables["indicator_status"])
        warned = ind[ind["light"].isin(WARNING_LIGHTS)]
        counts = reason_counts(warned)
        total = sum(counts.values)
        frame = pd.DataFrame({"category": counts.index, "count": counts.values,
                              "share": [_share(n, total) for n in counts.values]})
        chart = build_chart("reasons_by_category", "红黄灯指标的偏差原因", ind)
        top = counts[counts > 0].sort_values(ascending=False)
        top_text = wording.top_items_text(dict(top.items()), order=REASON_CATEGORIES)
        return section("六、偏差原因分类", paragraph(
            f"红黄灯指标共勾选偏差原因 {total} 次" + (f"，{esc(top_text)}。" if top_text else "。")),
            html_table(frame, [Column("category", "原因类别"), Column("count", "勾选次数", "int"),
                               Column("share", "占比", "pct")], "表5 偏差原因分类"), chart)

    def result_use(self) -> Section:
        ps = self.data.tables["project_status"]
        items = []
        for name in SUGGESTION_ORDER:
            group = ps[ps["suggestion"] == name]
            if group.empty:
                continue
            items.append(f"<strong>{esc(name)}</strong>：{len(group)} 个项目，年初预算 {money(group['budget_total'].sum())} 万元"
                         + (f"（{join_names(group['project_name'], limit=8)}）" if name != SUGGEST_PAY else "") + "。")
        reduce = ps[ps["suggestion"] == SUGGEST_REDUCE]
        suspend = ps[ps["suggestions"].map(lambda acts: any(str(a).startswith(SUGGEST_SUSPEND) for a in acts))]
        blocks = [paragraph("按照通知“结果运用”的要求，根据本次监控结果提出以下建议（供财政局按程序研究决定）："),
                  bullet_list(items)]
        blocks.append(paragraph(
            f"1. 资金拨付：双监控绿灯的项目建议按进度拨付；{len(suspend)} 个预算执行和绩效目标均严重滞后的项目，"
            "建议按程序暂缓拨款、督促整改（直接补贴到人、工资类和按期发放的资金不暂缓，督促按时兑付）。"))
        blocks.append(paragraph(
            "2. 预算调整：支出进度偏低、存量资金数额偏大且绩效监控结果差的项目 "
            f"{len(reduce)} 个" + (f"（{join_names(reduce['project_name'])}），建议按程序提出预算调整建议，"
                                   f"涉及预计结转结余 {money(reduce['expected_carryover'].sum())} 万元、"
                                   f"未支出存量资金 {money(reduce['stock_idle'].where(reduce['stock_flag'].fillna(False).astype(bool)).sum())} 万元。"
                                   if len(reduce) else "，本期不提出预算调整建议。")))
        blocks.append(paragraph(
            f"3. 预算安排：监控结果作为{self.data.year + 1}年度预算安排和政策制定的重要依据，部门排名列入县级部门预算管理综合绩效考评。"))
        return section("七、结果运用建议", *blocks)

    def stamp(self) -> Section:
        files = self.data.tables["submissions"]["source_file"].tolist() if len(self.data.tables["submissions"]) \
            else []
        return Section(stamp_html(self.data, files))

    def sections(self) -> list[Section]:
        return [self.header(), self.summary(), self.execution(), self.ranking(), self.deviations(),
                self.key_monitoring(), self.reasons(), self.result_use(), self.stamp()]

    def html(self) -> str:
        return "".join(s.html for s in self.sections())


# ---------------------------------------------------------------- shared pieces

def department_brief(department: str, processed_dir: str | Path | None = None, year: int | None = None,
                     month: int | None = None, rules: str | Path | None = None) -> DepartmentBrief:
    """The brief of ``department`` (notebooks/department_brief.ipynb calls this)."""
    return DepartmentBrief(load_brief_data(processed_dir, rules, year, month), department)


def county_overview(processed_dir: str | Path | None = None, year: int | None = None, month: int | None = None,
                    rules: str | Path | None = None) -> CountyOverview:
    """The county overview (notebooks/overview.ipynb calls this)."""
    return CountyOverview(load_brief_data(processed_dir, rules, year, month))


def header_html(title: str, subject: str, data: BriefData) -> str:
    return (f'<header class="brief-header" data-subject="{esc(subject)}"><h1>{esc(title)}</h1>'
            f'<p class="subtitle">监控期间：{esc(data.period)}　金额单位：万元　规则配置：{esc(data.profile.label)}</p>'
            "</header>")


def stamp_html(data: BriefData, source_files: list[str]) -> str:
    """The reproducibility stamp: input hashes, rule profile, jixiao version, run time."""
    subs = data.tables["submissions"]
    hashes = subs[subs["source_file"].isin(source_files)] if len(subs) else subs
    rows = "".join(f"<tr><td>{esc(r.source_file)}</td><td><code>{esc(r.sha256)}</code></td></tr>"
                   for r in hashes.sort_values("source_file").itertuples()) if len(hashes) else ""
    run_time = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return (
        '<section class="stamp"><h2>复现信息</h2>'
        f"<p>规则配置：{esc(data.profile.name)}（SHA-256 前 16 位 <code>{esc(data.profile.content_hash)}</code>）；"
        f"jixiao 版本 {esc(__version__)}；数据目录 {esc(data.processed_dir.name)}；"
        f'生成时间 <span class="{RUN_TIME_CLASS}">{esc(run_time)}</span>。</p>'
        '<table class="data hashes"><thead><tr><th>输入文件</th><th>SHA-256</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>")


def build_chart(name: str, alt: str, *args) -> str:
    """A chart from ``jixiao.outputs.plots`` by name, embedded as SVG; a note instead when it cannot be drawn."""
    from jixiao.outputs import plots

    try:
        return chart_html(getattr(plots, name)(*args), alt)
    except Exception as exc:  # a missing chart must not cost the whole brief
        return paragraph(f'<span class="chart-missing">（图表“{esc(alt)}”无法生成：{esc(type(exc).__name__)}）</span>')


def reason_counts(indicators: pd.DataFrame) -> pd.Series:
    """How often each 偏差原因 category is ticked, in the form's order (then any other text)."""
    counts = Counter(str(reason) for reasons in indicators["reasons"] if _is_list(reasons) for reason in reasons)
    order = list(REASON_CATEGORIES) + sorted(set(counts) - set(REASON_CATEGORIES))
    return pd.Series([counts[name] for name in order], index=order, dtype=int)


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
    rate, progress = _number(rate), _number(progress)
    if rate is None or progress is None:
        return ""
    gap = rate - progress
    word = "高于" if gap >= 0 else "低于"
    return f"{word}序时进度 {abs(gap):.1f} 个百分点，"
