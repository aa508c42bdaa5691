"""Demo county with history: three rounds of the same departments, derived from the catalogue.

``write_demo_history(raw_dir, replies_dir, seed)`` writes

* ``2022年1-7月/`` — the previous year: every department of :data:`jixiao.demo.generator.CATALOG`
  in one clean workbook each, budgets about 10 % lower, a different draw of execution, two
  projects under slightly different names (:data:`NAMES_2022`) and two projects that did not
  exist yet (:data:`NOT_IN_2022`);
* ``2023年1-7月/`` — today's demo (:func:`jixiao.demo.generator.write_demo_county`, unchanged);
* ``2023年1-10月/`` — the follow-up round, derived project by project from 2023年1-7月:
  most projects caught up (execution 78-95 % of budget, deviating indicators back on target),
  the projects of :data:`STUCK` did not; one cumulative figure falls (:data:`FALLING`, a clerk
  typed the autumn term only); one project was closed (:data:`DROPPED`) and one added
  mid-year (:data:`NEW_PROJECT`); every file is laid out cleanly (the units fixed their forms);
* ``<replies_dir>/2023-07/`` — returned feedback: a 整改事项 sheet per replying unit
  (:data:`REPLIES`), so some open problems are 整改中 rather than 未整改 in 2023年1-10月.

Everything is a pure function of the seed: the same seed gives the same bytes and
modification times. The catalogue in generator.py is only read.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import random
from dataclasses import replace
from pathlib import Path

import openpyxl

from jixiao.demo.generator import (
    CATALOG,
    CHINA_TZ,
    Clerk,
    DeptSpec,
    Indicator,
    P,
    Project,
    ProjectSpec,
    Style,
    _like,
    form_style,
    freeze_zip,
    render_xlsx,
    sheet_title,
    simulate_county,
    simulate_project,
    target_shape,
    write_demo_county,
)
from jixiao.forms.painter import Canvas, paint_form

ROUND_FOLDERS = {"2022-07": "2022年1-7月", "2023-07": "2023年1-7月", "2023-10": "2023年1-10月"}
NAMES_2022 = {  # the name a project had in 2022 (the 2023 file is matched to it with PROJECT_NAME_DRIFTED)
    "农村义务教育学生营养改善计划": "农村义务教育学生营养改善计划项目",
    "城乡客运燃油补贴": "城乡道路客运燃油补贴",
}
NOT_IN_2022 = ("高中智慧校园建设", "电子商务进农村综合示范")
STUCK = ("城镇老旧小区改造", "应急救灾物资储备", "雪亮工程视频监控运维")  # still behind in 1-10月
FALLING = ("农村义务教育学生营养改善计划", "受益学生人数", 0.82)  # 1-10月 value = 1-7月 value × 0.82
DROPPED = "根治欠薪专项整治"  # closed after 1-7月: not reported in 1-10月
NEW_PROJECT = ("应急管理局", P(
    "乡镇应急救援能力提升", "湟源县应急管理局", 60,
    "为各乡镇配备应急救援装备，开展应急救援队伍培训，提升基层应急处置能力（年中追加项目）。",
    "数量 配备乡镇应急救援装备 ≥9套", "数量 培训应急救援队员 ≥300人次", "质量 装备验收合格率 100%",
    "时效 装备配发完成时间 2023年12月底前", "社会 基层应急处置能力 明显提升", "满意度 乡镇满意度 ≥90%"))
REPLIES = (  # (unit replying, project, 整改措施, 责任人, 完成时限) returned after the 2023年1-7月 feedback
    ("湟源县住房和城乡建设局", "城镇老旧小区改造",
     "已召开推进会，督促施工单位倒排工期，剩余3个小区11月底前完工并完成资金支付。", "苏建华", "2023年11月30日"),
    ("湟源县公安局", "雪亮工程视频监控运维",
     "运维服务合同已于9月签订，按季度支付运维费，四季度集中支付。", "刘德胜", "2023年12月20日"),
    ("湟源县教育局", "义务教育薄弱环节改善与能力提升",
     "已完成招标，9月开工，按工程进度拨付资金。", "李明霞", "2023年10月31日"),
    ("湟源县财政局", "预算管理一体化系统运维", "已完成运维费结算，按合同支付。", "汪文静", "2023年9月30日"),
)
SENT = {"2022-07": "2022-08-26 10:00", "2023-10": "2023-11-24 10:00"}  # base receipt time per derived round
REPLIED = "2023-09-20 16:00"


def _when(text: str, minutes: int = 0) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA_TZ) + dt.timedelta(minutes=minutes)


def _workbook(projects: list[Project], style: Style, year: int, rng: random.Random, when: dt.datetime) -> bytes:
    """One department's workbook: a sheet per project, the year written in the period line."""
    layout = replace(form_style(style), year=year)
    clerk, sheets, used = Clerk(style, rng), [], set()
    for project in projects:
        name = sheet_title(project)
        while name in used:
            name = f"{name[:13]}{len(used)}"
        used.add(name)
        canvas = Canvas(name)
        paint_form(canvas, clerk.form(project), layout, 1)
        sheets.append(canvas)
    return render_xlsx(sheets, when)


def _write(path: Path, data: bytes, when: dt.datetime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


# -- 2022年1-7月 ----------------------------------------------------------------------------------
def county_2022(seed: int) -> dict[str, list[Project]]:
    """Last year's projects: same departments, earlier names, lower budgets, another draw."""
    county = {}
    for dept in CATALOG:
        specs = [replace(spec, name=NAMES_2022.get(spec.name, spec.name), scale=round(spec.scale * 0.9, 2))
                 for spec in dept.projects if spec.name not in NOT_IN_2022]
        county[dept.short] = [simulate_project(dept, spec, seed - 1) for spec in specs]
    return county


# -- 2023年1-10月 ---------------------------------------------------------------------------------
def advance(project: Project, rng: random.Random) -> Project:
    """The same project three months later: caught up, or (:data:`STUCK`) still behind."""
    stuck = project.spec.name in STUCK
    funds = []
    for label, budget, executed, expected in project.funds[1:]:
        target = executed + (budget - executed) * 0.05 if stuck else max(executed, budget * rng.uniform(0.78, 0.95))
        done = round(target, 2)
        funds.append((label, budget, done, max(expected, done) if not stuck else expected))
    total = project.funds[0]
    funds.insert(0, (total[0], total[1], round(sum(f[2] for f in funds), 2), round(sum(f[3] for f in funds), 2)))
    indicators = [_advance_indicator(ind, stuck, rng) for ind in project.indicators]
    return replace(project, funds=funds, indicators=indicators, scenario="stuck" if stuck else "caught_up")


def _advance_indicator(ind: Indicator, stuck: bool, rng: random.Random) -> Indicator:
    kind, _, value, _ = target_shape(ind.target)
    if stuck:
        if kind == "count" and isinstance(ind.actual, float) and isinstance(ind.expected, float):
            return replace(ind, actual=_like(ind.actual + (ind.expected - ind.actual) * 0.1, value))
        return ind
    fixed = replace(ind, reasons=(), reason_text=None, remarks=None, possibility="确定能") if ind.reasons else ind
    if kind == "qual":
        return replace(fixed, actual="按计划推进", expected="达到预期") if ind.reasons else fixed
    if value is None:
        return fixed
    expected = value if ind.reasons and kind in ("count", "rate") else ind.expected
    if kind == "count":
        actual = max(ind.actual or 0.0, value * rng.uniform(0.82, 0.95))
        return replace(fixed, actual=_like(min(actual, expected), value), expected=expected)
    if kind == "rate" and ind.reasons:
        return replace(fixed, actual=value, expected=value)
    if kind == "down" and ind.reasons:
        return replace(fixed, actual=_like(value * 0.9, value), expected=value)
    return fixed


def _fall(project: Project, earlier: Project) -> Project:
    """:data:`FALLING`: the clerk wrote the autumn term's number, lower than the 1-7月 total."""
    name, indicator, factor = FALLING
    if project.spec.name != name:
        return project
    before = {ind.name: ind.actual for ind in earlier.indicators}
    indicators = [replace(ind, actual=_like(before[ind.name] * factor, target_shape(ind.target)[2]))
                  if ind.name == indicator and isinstance(before.get(ind.name), float) else ind
                  for ind in project.indicators]
    return replace(project, indicators=indicators)


def county_2023_10(seed: int) -> dict[str, list[Project]]:
    county = simulate_county(seed)
    out = {}
    for dept in CATALOG:
        rng = random.Random(f"{seed}|2023-10|{dept.name}")
        projects = [_fall(advance(p, rng), p) for p in county[dept.short] if p.spec.name != DROPPED]
        if dept.short == NEW_PROJECT[0]:
            projects.append(simulate_project(dept, NEW_PROJECT[1], seed))
        out[dept.short] = projects
    return out


# -- replies --------------------------------------------------------------------------------------
def reply_workbook(unit: str, rows: list[tuple[str, str, str, str]]) -> bytes:
    """A returned feedback's 整改事项 sheet (the columns of jixiao.store.rectification.SHEET_COLUMNS)."""
    from jixiao.store.rectification import SHEET, SHEET_COLUMNS

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([f"{unit}：上轮绩效运行监控问题整改情况（回复）"])
    sheet.append(list(SHEET_COLUMNS))
    for n, (project, measures, person, deadline) in enumerate(rows, start=1):
        record = {"序号": n, "项目名称": project, "整改措施": measures, "责任人": person, "完成时限": deadline}
        sheet.append([record.get(column) for column in SHEET_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return freeze_zip(buffer.getvalue(), _when(REPLIED))


# -- writing --------------------------------------------------------------------------------------
def _write_round(out_dir: Path, key: str, county: dict[str, list[Project]], year: int, period: str,
                 seed: int) -> list[Path]:
    paths = []
    for n, dept in enumerate(CATALOG):
        projects = county.get(dept.short) or []
        if not projects:
            continue
        when = _when(SENT[key], minutes=37 * n)
        rng = random.Random(f"{seed}|{key}|{dept.short}")
        data = _workbook(projects, Style(period=period), year, rng, when)
        path = out_dir / dept.short / f"{dept.short}{year}年{period}项目支出绩效监控表.xlsx"
        paths.append(_write(path, data, when))
    return paths


def write_demo_history(raw_dir: Path, replies_dir: Path, seed: int = 2023) -> dict[str, list[Path]]:
    """Write the three rounds under ``raw_dir`` and the replies under ``replies_dir``; label -> paths."""
    raw_dir, replies_dir = Path(raw_dir), Path(replies_dir)
    written = {
        ROUND_FOLDERS["2022-07"]: _write_round(raw_dir / ROUND_FOLDERS["2022-07"], "2022-07", county_2022(seed),
                                               2022, "1-7月", seed),
        ROUND_FOLDERS["2023-07"]: write_demo_county(raw_dir / ROUND_FOLDERS["2023-07"], seed),
        ROUND_FOLDERS["2023-10"]: _write_round(raw_dir / ROUND_FOLDERS["2023-10"], "2023-10", county_2023_10(seed),
                                               2023, "1-10月", seed),
    }
    by_unit: dict[str, list] = {}
    for unit, *row in REPLIES:
        by_unit.setdefault(unit, []).append(tuple(row))
    replies = [_write(replies_dir / "2023-07" / f"{unit}_整改回复.xlsx", reply_workbook(unit, rows), _when(REPLIED))
               for unit, rows in by_unit.items()]
    written["整改回复（2023年1-7月）"] = replies
    return written


__all__ = ["DeptSpec", "ProjectSpec", "advance", "county_2022", "county_2023_10", "write_demo_history"]
