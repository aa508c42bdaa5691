"""Metrics: execution against time progress, indicator deviation, traffic lights, deadlines,
存量资金, 重点监控, suggestions, the department ranking and the county totals.

Every judgement is computed here once and stored as columns of the metrics tables (with its
Chinese basis), so that outputs only read them.

Plain functions over the ingest tables (pandas DataFrames). Every threshold comes
from the rule profile (``jixiao.config.profile``); the method is documented in
``docs/metrics.md``. Percentages follow the ingest convention: 95 means 95 %.
Anything that cannot be judged gets the light ``unknown`` and a Chinese reason,
never a guess.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jixiao.config.profile import PROJECT_KINDS, RuleProfile, load_profile, time_progress
from jixiao.domain.formatting import number_or_none, percent, plain_number, score_text, sorted_counts
from jixiao.domain.vocabulary import LIGHT_LABELS
from jixiao.metrics import deadline as D
from jixiao.store import schema
from jixiao.store.tables import has_table, read_findings, read_table, read_tables, write_tables

PERCENT = 100.0  # ratios are stored as percentages (95 for 95 %), like the ingest tables
OUTPUT_TABLES = ("project_status", "indicator_status", "department_summary", "county_summary")

RED, YELLOW, GREEN, BLUE, UNKNOWN = "red", "yellow", "green", "blue", "unknown"
# "Worst" order for combining lights; blue (over-achieved) counts as better than green.
SEVERITY = {RED: 3, YELLOW: 2, GREEN: 1, BLUE: 0}
DIRECTION_LABELS = {"positive": "正向", "negative": "反向", "equal": "等值", "qualitative": "定性", "deadline": "时限"}
LEVEL_ACHIEVED, LEVEL_PARTLY, LEVEL_NOT = "达成", "部分达成", "未达成"
LEVEL_LIGHTS = {LEVEL_ACHIEVED: GREEN, LEVEL_PARTLY: YELLOW, LEVEL_NOT: RED}
PLACEHOLDER_TEXTS = {"", "/", "／", "-", "—", "——", "--", "无", "暂无", "…", "...", "nan"}
NO_DEPT = "（未填主管部门）"

SUGGEST_SUSPEND = "暂缓拨款并整改"
SUGGEST_REDUCE = "建议调减预算"
SUGGEST_PAY_OUT = "督促加快兑付"
SUGGEST_SPEED_UP = "督促加快执行"
SUGGEST_CORRECT = "督促纠偏整改"
SUGGEST_PAY = "按进度拨付"
SUGGEST_UNKNOWN = "补充资料后判断"
# Primary suggestion = the first applicable in this order (the larger money action first).
SUGGESTION_PRIORITY = (SUGGEST_REDUCE, SUGGEST_SUSPEND, SUGGEST_PAY_OUT, SUGGEST_SPEED_UP, SUGGEST_CORRECT,
                       SUGGEST_UNKNOWN, SUGGEST_PAY)
KEY_LEVEL, GENERAL_LEVEL = "重点监控", "一般监控"
# What "speed up" means for a project paid by milestones or by contract.
SPEED_UP_BY_KIND = {"construction": "按工程进度节点加快实施，按进度及时支付", "procurement": "尽快完成采购程序，按合同及时支付"}
PROJECT_KIND_LABELS = {"salary_like": "工资类", "direct_subsidy": "直接补贴到人", "scheduled": "按期发放、运行维护类",
                       "construction": "建设工程类", "procurement": "采购储备类", "": ""}


# ---------------------------------------------------------------- small helpers

def _text(value) -> str:
    return "" if schema.is_missing(value) else str(value).strip()


def worst_light(lights) -> str:
    """The worst judged light (red > yellow > green > blue); unknown when none was judged."""
    judged = [light for light in lights if light in SEVERITY]
    return max(judged, key=SEVERITY.get) if judged else UNKNOWN


def at_least(light: str, floor: str) -> str:
    """Raise ``light`` to ``floor`` when it is better than it (blue/green -> yellow)."""
    if light == UNKNOWN:
        return floor
    return floor if SEVERITY[light] < SEVERITY[floor] else light


# ---------------------------------------------------------------- time progress and period

def _period(row: dict, settings) -> tuple[int, int]:
    year = number_or_none(row.get("year"))
    month = number_or_none(row.get("period_end_month"))
    return (int(year) if year else settings.year, int(month) if month else settings.period_end_month)


def period_end_date(year: int, month: int) -> dt.date:
    """The last day of month N: the monitoring date of a period 1-N月."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _period_columns(year: int, month: int, settings, profile: RuleProfile) -> dict:
    """Own period, whether it is the configured monitoring point, and whether it joins county comparisons."""
    matches = (year, month) == (settings.year, settings.period_end_month)
    return {"period_label": f"{year}年1-{month}月", "period_matches": matches,
            "in_comparison": matches or profile.period.compare_other_periods}


# ---------------------------------------------------------------- indicators

@dataclass
class Judgement:
    direction: str | None = None
    completion: float | None = None
    deviation: float | None = None
    pace_ratio: float | None = None
    light: str = UNKNOWN
    reasons: list[str] | None = None
    is_rate: bool = False
    is_cumulative: bool = False
    is_bottom_line: bool = False
    deadline: dt.date | None = None
    state: str | None = None
    meets_target: bool | None = None

    def add(self, reason: str) -> None:
        self.reasons = (self.reasons or []) + [reason]


def is_rate_indicator(name: str, unit: str, profile: RuleProfile) -> bool:
    """Rates (合格率, 满意度, % targets) are compared with T directly, never pro-rated."""
    rules = profile.indicator.rate
    return unit in rules.units or any(word in name for word in rules.name_keywords)


def is_bottom_line(level2: str, name: str, profile: RuleProfile) -> bool:
    """Bottom-line indicators (资金使用合规率, 发放准确率, 安全事故…) tolerate no shortfall."""
    rules = profile.indicator.bottom_line
    return level2 in rules.level2 or any(word in name for word in rules.name_keywords)


def is_cumulative_indicator(level2: str, name: str, is_rate: bool, profile: RuleProfile) -> bool:
    """Counts that accumulate over the year (人次, 场次, 公里) get the pace check on A."""
    rules = profile.indicator.cumulative
    one_off = any(word in name for word in rules.one_off_name_keywords)
    return level2 in rules.level2 and not is_rate and not one_off


def indicator_direction(op: str, target: float | None, is_rate: bool, profile: RuleProfile) -> str | None:
    """Direction from the comparison of the target; T = 0 with '=' is a reverse indicator (安全事故0起)."""
    if op == "qualitative":
        return "qualitative"
    if op in (">=", ">"):
        return "positive"
    if op in ("<=", "<"):
        return "negative"
    if op == "=" and target == 0:
        return "negative"
    if op == "=" and is_rate and profile.indicator.equal_rate_as_positive:
        return "positive"
    if op in ("=", "range"):
        return "equal"
    return None


def deviation_light(deviation: float, profile: RuleProfile) -> str:
    rules = profile.indicator
    if deviation > rules.deviation_red_above:
        return RED
    if deviation > rules.deviation_yellow_above:
        return YELLOW
    return GREEN


def pace_light(pace: float, profile: RuleProfile) -> str:
    rules = profile.indicator
    if pace < rules.pace_red_below:
        return RED
    if pace < rules.pace_green_from:
        return YELLOW
    return GREEN


def judge_positive(value: float, target: float, profile: RuleProfile,
                   bottom_line: bool = False) -> tuple[float, float, str, str]:
    """Completion, deviation, light, reason for a higher-is-better value against T."""
    if target <= 0:  # ≥0: anything reported meets it
        return PERCENT, 0.0, GREEN, f"目标 ≥{plain_number(target)}，已满足"
    completion = value / target * PERCENT
    deviation = max(0.0, (target - value) / target * PERCENT)
    light = deviation_light(deviation, profile)
    reason = f"完成率 {percent(completion)}，偏离度 {percent(deviation)}"
    if bottom_line and deviation > 0:
        return completion, deviation, RED, reason + "；底线指标，未达到目标即判红灯"
    if light == GREEN and completion > profile.indicator.blue_forecast_ratio_above:
        light = BLUE
        reason += f"，超过目标的 {plain_number(profile.indicator.blue_forecast_ratio_above)}%（目标可能偏低）"
    return completion, deviation, light, reason


def judge_negative(value: float, target: float, profile: RuleProfile, unit: str = "",
                   bottom_line: bool = False) -> tuple[float, float | None, str, str]:
    """Lower is better: at or below T is green; above T yellow within the band, red beyond (bottom line: red)."""
    if target == 0:  # T = 0 (安全事故0起): any occurrence is a miss; a ratio is meaningless
        if value <= 0:
            return PERCENT, 0.0, GREEN, "目标为 0，未发生"
        return 0.0, None, RED, f"目标为 0，实际/预计 {plain_number(value)}{unit}"
    if value <= target:
        return PERCENT, 0.0, GREEN, f"不超过目标上限 {plain_number(target)}{unit}"
    deviation = (value - target) / target * PERCENT
    completion = target / value * PERCENT
    band = profile.indicator.negative_yellow_band
    over = plain_number(value - target) + (" 个百分点" if unit == "%" else unit)
    reason = f"高于目标上限 {plain_number(target)}{unit} {over}（超出目标值的 {percent(deviation)}）"
    if bottom_line:
        return completion, deviation, RED, reason + "；底线指标，超出即判红灯"
    light = YELLOW if deviation <= band else RED
    return completion, deviation, light, reason + f"，{'在' if light == YELLOW else '超过'} {plain_number(band)}% 的预警区间{'内' if light == YELLOW else ''}"


def implausible(value: float, target: float, actual: float | None, profile: RuleProfile) -> str | None:
    """Why a would-be blue value looks like an entry error (checked before calling a target too low)."""
    rules = profile.indicator.plausibility
    if target > 0 and value / target * PERCENT > rules.forecast_ratio_max:
        return (f"全年预计为目标的 {percent(value / target * PERCENT)}，超过合理上限 {plain_number(rules.forecast_ratio_max)}%，"
                "疑似单位、口径或小数点填报错误，请核实后再判断（不判为蓝灯）")
    if actual is not None and value > 0 and actual / value * PERCENT > rules.actual_over_forecast_max:
        return (f"1-N月执行值 {plain_number(actual)} 高于全年预计 {plain_number(value)}，前后矛盾，疑似填报错误，"
                "请核实后再判断（不判为蓝灯）")
    return None


def judge_equal(value: float, low: float, high: float | None, profile: RuleProfile) -> tuple[float, float, str, str]:
    """Point target (=) or band (range): deviation is the relative distance to the nearest bound."""
    high = low if high is None else high
    if low <= value <= high:
        return PERCENT, 0.0, GREEN, "等于目标值" if low == high else "在目标区间内"
    bound = low if value < low else high
    deviation = abs(value - bound) / abs(bound) * PERCENT if bound else PERCENT
    completion = min(value, bound) / max(value, bound) * PERCENT if value > 0 and bound > 0 else 0.0
    light = deviation_light(deviation, profile)
    return completion, deviation, light, f"偏离目标值 {plain_number(bound)}，偏离度 {percent(deviation)}"


def qualitative_level(text: str, target_text: str, profile: RuleProfile) -> str | None:
    """达成 / 部分达成 / 未达成 from a status text; None when the text says nothing usable."""
    text = _text(text)
    if text in PLACEHOLDER_TEXTS:
        return None
    if target_text and text == target_text:
        return LEVEL_ACHIEVED
    rules = profile.indicator.qualitative
    # Negative words first: "效果不明显" contains "明显", "基本达到" contains "达到".
    for level, words in ((LEVEL_NOT, rules.not_achieved), (LEVEL_PARTLY, rules.partly_achieved),
                         (LEVEL_ACHIEVED, rules.achieved)):
        if any(word in text for word in words):
            return level
    return None


def level_completion(level: str, profile: RuleProfile) -> float:
    rules = profile.indicator.qualitative
    return {LEVEL_ACHIEVED: rules.achieved_completion, LEVEL_PARTLY: rules.partly_completion,
            LEVEL_NOT: rules.not_achieved_completion}[level]


def judge_qualitative(row: dict, profile: RuleProfile, period_label: str) -> Judgement:
    judgement = Judgement(direction="qualitative")
    target_text = _text(row.get("target_text"))
    for column, label in (("expected_text", "全年预计"), ("actual_text", f"{period_label}执行情况")):
        level = qualitative_level(row.get(column), target_text, profile)
        if level:
            judgement.completion = level_completion(level, profile)
            judgement.light = LEVEL_LIGHTS[level]
            judgement.meets_target = level == LEVEL_ACHIEVED
            judgement.add(f"定性：{label}“{_text(row.get(column))}”判为{level}")
            return judgement
    shown = _text(row.get("expected_text")) or _text(row.get("actual_text")) or "未填"
    judgement.add(f"定性：无法从“{shown}”判断完成等级")
    return judgement


def judge_numeric(row: dict, direction: str, judgement: Judgement, p: float, profile: RuleProfile,
                  period_label: str) -> Judgement:
    """Numeric indicator: the forecast F is the main basis; cumulative counts also get the pace check on A."""
    target = number_or_none(row.get("target_value"))
    forecast = number_or_none(row.get("expected_value"))
    actual = number_or_none(row.get("actual_value"))
    lights = []
    value, basis = forecast, "全年预计"
    if value is None and not judgement.is_cumulative and profile.indicator.actual_when_forecast_missing:
        value, basis = actual, f"未填全年预计，按{period_label}实际"
    unit = _text(row.get("target_unit"))
    if value is not None:
        if direction == "positive":
            completion, deviation, light, reason = judge_positive(value, target, profile, judgement.is_bottom_line)
        elif direction == "negative":
            completion, deviation, light, reason = judge_negative(value, target, profile, unit,
                                                                 judgement.is_bottom_line)
        else:
            completion, deviation, light, reason = judge_equal(
                value, target, number_or_none(row.get("target_value_max")), profile)
            if judgement.is_bottom_line and deviation > 0:
                light, reason = RED, reason + "；底线指标，偏离即判红灯"
        judgement.completion, judgement.deviation = completion, deviation
        judgement.meets_target = completion >= PERCENT - 1e-9
        judgement.add(f"{basis} {plain_number(value)}{unit}（目标 {_text(row.get('target_text')) or plain_number(target)}）：{reason}")
        doubt = implausible(value, target, actual, profile) if light == BLUE else None
        if doubt:
            judgement.add(doubt.replace("1-N月", period_label))
            judgement.light = UNKNOWN
            return judgement
        lights.append(light)
    if judgement.is_cumulative and actual is not None and target and p > 0:
        pace = actual / (target * p / PERCENT) * PERCENT
        judgement.pace_ratio = pace
        light = pace_light(pace, profile)
        judgement.add(f"累计型：{period_label}完成 {plain_number(actual)}，序时应完成 {plain_number(target * p / PERCENT)}，"
                      f"进度比 {percent(pace)}")
        if light == GREEN and direction == "positive" and _pace_is_blue(pace, forecast, target, profile):
            doubt = implausible(forecast, target, actual, profile)
            if doubt:
                judgement.add(doubt.replace("1-N月", period_label))
                judgement.light = UNKNOWN
                return judgement
            light = BLUE
            judgement.add(f"进度比 ≥{plain_number(profile.indicator.blue_pace_from)}% 且全年预计达到目标的 "
                          f"{plain_number(profile.indicator.blue_pace_forecast_from)}% 以上（目标可能偏低）")
        lights.append(light)
    if not lights:
        judgement.add(_not_numeric_reason(row, period_label))
        return judgement
    judgement.light = _combine_component_lights(lights)
    return judgement


def _not_numeric_reason(row: dict, period_label: str) -> str:
    """Why a numeric indicator could not be judged: quote what was written instead of a number."""
    written = [f"{label}“{_text(row.get(column))}”" for column, label in
               (("expected_text", "全年预计"), ("actual_text", f"{period_label}执行情况"))
               if _text(row.get(column)) not in PLACEHOLDER_TEXTS]
    if written:
        return "、".join(written) + "不是可与目标比较的数值，无法判断"
    return f"未填可计算的{period_label}执行情况和全年预计完成值，无法判断"


def _pace_is_blue(pace: float, forecast: float | None, target: float, profile: RuleProfile) -> bool:
    """Ahead of schedule counts as over-achievement only when the forecast confirms it.

    Without the forecast condition a stock figure reported in full from January
    (保障人数 830 of 820) would look "ahead of time progress" and turn blue.
    """
    rules = profile.indicator
    if forecast is None or pace < rules.blue_pace_from:
        return False
    return forecast / target * PERCENT >= rules.blue_pace_forecast_from


def _combine_component_lights(lights: list[str]) -> str:
    """Blue only when every component is green or blue and one says blue; otherwise the worst."""
    if BLUE in lights and all(light in (GREEN, BLUE) for light in lights):
        return BLUE
    return worst_light([GREEN if light == BLUE else light for light in lights])


def apply_possibility(judgement: Judgement, possibility: str, profile: RuleProfile) -> Judgement:
    """完成目标可能性 as a signal: 有可能 → at least yellow; 完全不可能 → red."""
    rules = profile.possibility
    if possibility in rules.red and judgement.light != RED:
        judgement.light = RED
        judgement.add(f"填报“{possibility}”完成目标，判为红灯")
    elif possibility in rules.at_least_yellow and judgement.light not in (RED, YELLOW):
        judgement.light = at_least(judgement.light, YELLOW)
        judgement.add(f"填报“{possibility}”完成目标，至少黄灯")
    return judgement


def indicator_deadline(row: dict, year: int, profile: RuleProfile) -> dt.date | None:
    """The deadline of a time-limit target: from 年度指标值, else (按时完成…) from the indicator name."""
    rules = profile.indicator.deadline
    if _text(row.get("target_op")) not in ("qualitative", ""):
        return None
    return (D.parse_deadline(_text(row.get("target_text")), year, rules)
            or D.parse_deadline(_text(row.get("name")), year, rules))


def judge_deadline_indicator(row: dict, deadline: dt.date, monitoring_date: dt.date, profile: RuleProfile,
                             period_label: str) -> Judgement:
    """A time-limit target judged against the monitoring date and the reported state (docs/metrics.md §3.4)."""
    rules = profile.indicator.deadline
    judgement = Judgement(direction="deadline", deadline=deadline)
    for column, label in (("actual_text", f"{period_label}执行情况"), ("expected_text", "全年预计")):
        state = D.reported_state(_text(row.get(column)), rules)
        if state:
            judgement.state = state
            light, reason = D.judge_deadline(deadline, state, monitoring_date, rules)
            judgement.add(f"时限：{label}“{_text(row.get(column))}”；{reason}")
            break
    else:
        light, reason = D.judge_deadline(deadline, None, monitoring_date, rules)
        judgement.add(f"时限：{reason}")
    judgement.light = light
    judgement.meets_target = None if light == UNKNOWN else light in (GREEN, BLUE)
    judgement.completion = {D.DONE: 100.0, D.PARTLY: profile.indicator.qualitative.partly_completion}.get(
        judgement.state, profile.indicator.qualitative.not_achieved_completion) if judgement.state else None
    if judgement.state and deadline > monitoring_date and judgement.state != D.DONE:
        judgement.completion = None  # not due yet: nothing to rate
    return judgement


def judge_indicator(row: dict, p: float, profile: RuleProfile, period_label: str = "1-N月",
                    monitoring_date: dt.date | None = None) -> Judgement:
    """Direction, completion, deviation, pace ratio and light of one indicator row (docs/metrics.md §3).

    ``monitoring_date`` (the last day of the project's own period) enables the deadline rule.
    """
    name, unit = _text(row.get("name")), _text(row.get("target_unit"))
    op, target = _text(row.get("target_op")), number_or_none(row.get("target_value"))
    is_rate = is_rate_indicator(name, unit, profile)
    direction = indicator_direction(op, target, is_rate, profile)
    bottom_line = is_bottom_line(_text(row.get("level2")), name, profile)
    deadline = indicator_deadline(row, monitoring_date.year, profile) if monitoring_date else None
    if deadline is not None:
        judgement = judge_deadline_indicator(row, deadline, monitoring_date, profile, period_label)
    elif direction == "qualitative":
        judgement = judge_qualitative(row, profile, period_label)
    elif direction is None or target is None:
        judgement = Judgement(direction=direction)
        judgement.add(f"年度指标值“{_text(row.get('target_text')) or '未填'}”无法识别，不能判断")
    else:
        cumulative = direction in ("positive", "equal") and is_cumulative_indicator(
            _text(row.get("level2")), name, is_rate, profile)
        judgement = Judgement(direction=direction, is_rate=is_rate, is_cumulative=cumulative,
                              is_bottom_line=bottom_line)
        judge_numeric(row, direction, judgement, p, profile, period_label)
    judgement.is_rate = is_rate
    judgement.is_bottom_line = bottom_line
    if bottom_line and judgement.light == YELLOW and direction == "qualitative":
        judgement.light = RED
        judgement.add("底线指标，未完全达成即判红灯")
    return apply_possibility(judgement, _text(row.get("possibility")), profile)


INDICATOR_COLUMNS = ("project_id", "indicator_id", "level1", "level2", "name", "target_text", "actual_text",
                     "expected_text", "possibility", "reasons", "reason_text", "remarks")


def indicator_status(indicators: pd.DataFrame, projects: pd.DataFrame, profile: RuleProfile,
                     settings) -> pd.DataFrame:
    """One row per indicator with its direction, completion, deviation, pace ratio and light.

    The judgement itself (judge_indicator: text rules, deadlines, possibility) runs row by row; the
    period, the project's names and the constant columns are joined as whole columns.
    """
    own = projects.drop_duplicates("project_id", keep="last").set_index("project_id")
    period_of = {pid: _period(row, settings) for pid, row in zip(own.index, own.to_dict("records"))}
    periods = [period_of.get(pid, _period({}, settings)) for pid in indicators["project_id"]]
    context = {period: (time_progress(*period, profile.time_progress.basis), f"1-{period[1]}月",
                        period_end_date(*period)) for period in set(periods)}
    judgements = [judge_indicator(row, context[period][0], profile, period_label=context[period][1],
                                  monitoring_date=context[period][2])
                  for row, period in zip(indicators.to_dict("records"), periods)]
    frame = indicators.reindex(columns=list(INDICATOR_COLUMNS)).reset_index(drop=True)
    for column in ("dept_name", "unit_name", "project_name"):
        frame[column] = frame["project_id"].map(own[column]) if column in own else None
    frame = frame.assign(**{
        "direction": [j.direction for j in judgements],
        "completion": [j.completion for j in judgements],
        "deviation": [j.deviation for j in judgements],
        "pace_ratio": [j.pace_ratio for j in judgements],
        "light": [j.light for j in judgements],
        "light_reason": ["；".join(j.reasons or []) for j in judgements],
        "is_rate": [j.is_rate for j in judgements],
        "is_cumulative": [j.is_cumulative for j in judgements],
        "is_bottom_line": [j.is_bottom_line for j in judgements],
        "target_deadline": [j.deadline.isoformat() if j.deadline else None for j in judgements],
        "reported_state": [j.state for j in judgements],
        "forecast_meets_target": [j.meets_target for j in judgements],
    })
    period_columns = {period: _period_columns(*period, settings, profile) for period in context}
    for column in ("period_label", "period_matches", "in_comparison"):
        frame[column] = [period_columns[period][column] for period in periods]
    return schema.conform(frame.assign(**_profile_columns(profile)), "indicator_status")


# ---------------------------------------------------------------- projects

def budget_light(ratio: float | None, expected_rate: float | None, profile: RuleProfile) -> tuple[str, str]:
    """Execution ratio against time progress; a low full-year forecast makes it at least yellow."""
    rules = profile.budget
    if ratio is None:
        return UNKNOWN, "年初预算数或执行数缺失，无法计算执行率"
    if ratio < rules.red_below:
        light = RED
    elif ratio < rules.green_from:
        light = YELLOW
    else:
        light = GREEN
    reason = f"执行进度比 {percent(ratio)}（红 <{plain_number(rules.red_below)}%，绿 ≥{plain_number(rules.green_from)}%）"
    if expected_rate is not None and expected_rate < rules.expected_rate_yellow_below and light == GREEN:
        light = YELLOW
        reason += f"；全年预计执行率 {percent(expected_rate)} 低于 {plain_number(rules.expected_rate_yellow_below)}%，至少黄灯"
    return light, reason


def dual_light(budget: str, target: str, profile: RuleProfile) -> str:
    """双监控 matrix: execution not ok → red; execution ok, targets not → yellow; both ok → green."""
    rules = profile.dual_light
    if budget == UNKNOWN:
        return UNKNOWN
    if budget not in rules.execution_ok:
        return RED
    if target == UNKNOWN:
        return UNKNOWN
    return GREEN if target in rules.targets_ok else YELLOW


def key_candidate_reasons(budget: str, budget_total: float | None, lights: list[str], ratio: float | None,
                          profile: RuleProfile) -> list[str]:
    """重点监控 conditions met: budget red with some indicator at least yellow, or a red indicator on a large budget."""
    reasons = []
    n_red = lights.count(RED)
    n_warn = n_red + lights.count(YELLOW)
    if budget == RED and n_warn:
        reasons.append(f"预算执行红灯（执行进度比 {percent(ratio)}）且有 {n_warn} 个指标黄灯或红灯")
    threshold = profile.key_monitoring.money_threshold
    if n_red and budget_total is not None and budget_total >= threshold:
        reasons.append(f"有 {n_red} 个指标红灯且年初预算数 {plain_number(budget_total)} 万元 ≥ {plain_number(threshold)} 万元")
    return reasons


def key_monitoring(budget: str, budget_total: float | None, lights: list[str], ratio: float | None,
                   profile: RuleProfile) -> tuple[bool, str]:
    """Whether a project is a 重点监控 candidate, and why (the cap is applied over all projects)."""
    reasons = key_candidate_reasons(budget, budget_total, lights, ratio, profile)
    return bool(reasons), "；".join(reasons)


def severity_points(budget: str, target: str, profile: RuleProfile) -> int:
    """严重程度 = points of the budget light + points of the target light (green/blue/unknown 0)."""
    rules = profile.key_monitoring
    return ({RED: rules.budget_red_points, YELLOW: rules.budget_yellow_points}.get(budget, 0)
            + {RED: rules.target_red_points, YELLOW: rules.target_yellow_points}.get(target, 0))


def money_at_risk(expected_carryover: float | None, stock_idle: float | None, how: str = "max") -> float:
    """风险资金: expected year-end 结余 and unspent 上年结转 — the larger (they overlap, default) or their sum."""
    carry, idle = max(expected_carryover or 0.0, 0.0), max(stock_idle or 0.0, 0.0)
    return carry + idle if how == "sum" else max(carry, idle)


def select_key_projects(frame: pd.DataFrame, profile: RuleProfile) -> pd.DataFrame:
    """Cap the 重点监控 list: candidates ranked by 风险资金 × 严重程度; the rest stay 一般监控 with a reason."""
    cap = profile.key_monitoring.max_projects
    frame = frame.copy()
    candidates = frame[frame["_candidate"]].sort_values(
        ["key_score", "budget_total", "project_name"], ascending=[False, False, True], kind="mergesort")
    frame["key_rank"] = pd.NA
    frame["key_monitoring"] = False
    frame["monitoring_level"] = GENERAL_LEVEL
    for position, index in enumerate(candidates.index, start=1):
        frame.at[index, "key_rank"] = position
        facts = (f"风险资金 {plain_number(frame.at[index, 'money_at_risk'])} 万元 × 严重程度 {int(frame.at[index, 'severity'])}"
                 f" = 风险得分 {plain_number(frame.at[index, 'key_score'])}，在 {len(candidates)} 个候选项目中排第 {position}")
        conditions = frame.at[index, "_candidate_reason"]
        if position <= cap:
            frame.at[index, "key_monitoring"] = True
            frame.at[index, "monitoring_level"] = KEY_LEVEL
            frame.at[index, "key_reason"] = f"{conditions}；{facts}"
        else:
            frame.at[index, "key_reason"] = (f"符合重点监控条件（{conditions}），但{facts}，超出 {cap} 个的上限，"
                                             "列入一般监控")
    return frame.drop(columns=["_candidate", "_candidate_reason"])


def project_kind(name: str, profile: RuleProfile) -> str:
    """The project's kind from name keywords (first match in PROJECT_KINDS order), '' when none fits."""
    rules = profile.project_kind
    for kind in PROJECT_KINDS:
        if any(word in name for word in getattr(rules, kind)):
            return kind
    return ""


def stock_facts(carry_budget: float | None, carry_executed: float | None, p: float, period_label: str,
                profile: RuleProfile) -> dict:
    """存量资金 (上年结转) of one project: spent, idle, and whether it is large and slow (docs/metrics.md §5)."""
    if not carry_budget or carry_budget <= 0:
        return {"carryover_budget": carry_budget, "carryover_executed": carry_executed, "carryover_rate": None,
                "stock_idle": None, "stock_flag": False, "stock_reason": ""}
    spent = carry_executed or 0.0
    idle = max(carry_budget - spent, 0.0)
    rate = spent / carry_budget * PERCENT
    ratio = rate / p * PERCENT if p > 0 else None
    rules = profile.stock
    flag = idle >= rules.large_amount and ratio is not None and ratio < rules.slow_ratio_below
    reason = (f"上年结转资金 {plain_number(carry_budget)} 万元，{period_label}支出 {plain_number(spent)} 万元（{percent(rate)}），"
              f"未支出 {plain_number(idle)} 万元")
    if flag:
        reason += (f"；未支出 ≥ {plain_number(rules.large_amount)} 万元且存量执行率 ÷ 序时进度 {percent(ratio)} "
                   f"< {plain_number(rules.slow_ratio_below)}%，存量资金数额偏大、支出慢")
    return {"carryover_budget": carry_budget, "carryover_executed": spent, "carryover_rate": rate,
            "stock_idle": idle, "stock_flag": flag, "stock_reason": reason}


def suggestions(budget: str, target: str, ratio: float | None, expected_rate: float | None,
                expected_carryover: float | None, stock: dict, kind: str,
                profile: RuleProfile) -> list[tuple[str, str]]:
    """Every applicable 处理建议 as (category, advisory text with amounts), primary first (docs/metrics.md §6).

    Only measures of the notice's 四、结果运用; the bureau decides, so the wording is "建议按程序…".
    """
    if budget == UNKNOWN:
        return [(SUGGEST_UNKNOWN, "年初预算数或执行数缺失，建议单位补充资料后重新判断")]
    ok = profile.dual_light
    acts: list[tuple[str, str]] = []
    carry = expected_carryover or 0.0
    surplus_large = (carry >= profile.stock.large_amount and expected_rate is not None
                     and expected_rate < profile.suggestion.reduce_expected_rate_below)
    if budget == RED and (surplus_large or stock["stock_flag"]) and target in profile.stock.poor_result_lights:
        amounts = []
        if surplus_large:
            amounts.append(f"调减预算 {carry:,.2f} 万元（预计结转结余）")
        if stock["stock_flag"]:
            amounts.append(f"收回存量资金 {stock['stock_idle']:,.2f} 万元（未支出的上年结转资金）")
        acts.append((SUGGEST_REDUCE, "支出进度偏低、存量资金数额偏大且绩效监控结果差，建议按程序提出预算调整建议："
                     + "、".join(amounts)))
    protected = kind in profile.project_kind.no_suspend_kinds
    label = PROJECT_KIND_LABELS.get(kind, "")
    if budget == RED and target == RED and not protected:
        acts.append((SUGGEST_SUSPEND, "预算执行和绩效目标均严重滞后，建议按程序暂缓拨款，督促整改到位后再按进度拨付"))
    elif budget not in ok.execution_ok and protected:
        acts.append((SUGGEST_PAY_OUT, (f"属于{label}资金，不宜暂缓拨付；支出进度低于序时进度（执行进度比 {percent(ratio)}），"
                                       "建议督促按时足额兑付到位")))
    elif budget not in ok.execution_ok:
        extra = f"，全年预计结转结余 {carry:,.2f} 万元" if carry > 0 else ""
        how = SPEED_UP_BY_KIND.get(kind, "加快执行")
        acts.append((SUGGEST_SPEED_UP, f"支出进度低于序时进度（执行进度比 {percent(ratio)}{extra}），建议督促单位{how}"))
    if target == UNKNOWN:
        acts.append((SUGGEST_UNKNOWN, "绩效指标无法判断，建议单位补充执行情况和全年预计后重新判断"))
    elif target not in ok.targets_ok:
        acts.append((SUGGEST_CORRECT, "绩效目标存在偏差，建议督促单位针对偏差指标及时纠正调整"))
    if not acts:
        acts.append((SUGGEST_PAY, "预算执行和绩效目标均正常，建议按项目实施进度拨付资金"))
    return sorted(acts, key=lambda act: SUGGESTION_PRIORITY.index(act[0]))


def suggestion(budget: str, target: str, expected_rate: float | None, profile: RuleProfile) -> str:
    """The primary 处理建议 from the lights alone (no amounts, no 存量, no project kind)."""
    return suggestions(budget, target, None, expected_rate, None, {"stock_flag": False, "stock_idle": None}, "",
                       profile)[0][0]


def _denominator(row: dict, profile: RuleProfile) -> float | None:
    value = number_or_none(row.get(profile.budget.denominator))
    return value if value and value > 0 else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator * PERCENT


def target_reason(lights: list[str], names: list[str]) -> str:
    if not lights:
        return "没有可判断的三级指标"
    counts = Counter(lights)
    parts = [f"{LIGHT_LABELS[light]} {counts[light]} 个" for light in (RED, YELLOW, GREEN, BLUE, UNKNOWN) if counts[light]]
    worst = worst_light(lights)
    text = "，".join(parts)
    if worst in (RED, YELLOW):
        text += "；" + LIGHT_LABELS[worst] + "：" + "、".join(n for n, l in zip(names, lights) if l == worst)
    return text


def light_points(lights, profile: RuleProfile) -> float | None:
    """Mean light points (green/blue 100, yellow 60, red 0 by default) over judged lights; None when none."""
    points = light_point_values(profile)
    scored = [points[light] for light in lights if light in points]
    return sum(scored) / len(scored) if scored else None


def _carryover_funds(funds: pd.DataFrame | None) -> dict:
    """{project_id: (上年结转 budget, executed)} from the funds table."""
    if funds is None or funds.empty or "source" not in funds:
        return {}
    rows = funds[funds["source"] == "carryover"]
    return {pid: (number_or_none(b), number_or_none(e)) for pid, b, e in zip(rows["project_id"], rows["budget"], rows["executed"])}


def project_status(projects: pd.DataFrame, indicator_table: pd.DataFrame, profile: RuleProfile,
                   settings, funds: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per project: execution, the three lights, 存量, 重点监控 (capped), suggestions, period flags."""
    # Each project's lights and indicator names as lists, in one pass (not a DataFrame per project).
    by_project = indicator_table.groupby("project_id", sort=False)[["light", "name"]].agg(list)
    lights, names = by_project["light"].to_dict(), by_project["name"].to_dict()
    carry = _carryover_funds(funds)
    records = [_project_record(row, lights.get(row["project_id"], []), names.get(row["project_id"], []), profile,
                               settings, carry.get(row["project_id"], (None, None)))
               for row in projects.to_dict("records")]
    frame = pd.DataFrame.from_records(records)
    if not frame.empty:
        frame = select_key_projects(frame, profile)
    return schema.conform(frame, "project_status")


def _project_record(row: dict, lights: list[str], names: list, profile: RuleProfile, settings,
                    carryover: tuple[float | None, float | None] = (None, None)) -> dict:
    year, month = _period(row, settings)
    p = time_progress(year, month, profile.time_progress.basis)
    denominator = _denominator(row, profile)
    rate = _ratio(number_or_none(row.get("executed_total")), denominator)
    expected_rate = _ratio(number_or_none(row.get("expected_total")), denominator)
    ratio = rate / p * PERCENT if rate is not None and p > 0 else None
    budget, budget_why = budget_light(ratio, expected_rate, profile)
    names = [_text(name) for name in names]
    target = worst_light(lights)
    dual = dual_light(budget, target, profile)
    budget_total = number_or_none(row.get("budget_total"))
    expected_total = number_or_none(row.get("expected_total"))
    expected_carryover = (budget_total - expected_total
                          if budget_total is not None and expected_total is not None else None)
    stock = stock_facts(carryover[0], carryover[1], p, f"1-{month}月", profile)
    kind = project_kind(_text(row.get("project_name")), profile)
    acts = suggestions(budget, target, ratio, expected_rate, expected_carryover, stock, kind, profile)
    candidate = key_candidate_reasons(budget, budget_total, lights, ratio, profile)
    severity = severity_points(budget, target, profile)
    risk = money_at_risk(expected_carryover, stock["stock_idle"], profile.key_monitoring.risk_money)
    return {
        **{k: row.get(k) for k in ("project_id", "dept_name", "unit_name", "project_name", "budget_total",
                                   "executed_total")},
        "year": year,
        "period_end_month": month,
        **_period_columns(year, month, settings, profile),
        "execution_rate": rate,
        "time_progress": p,
        "execution_ratio": ratio,
        "expected_rate": expected_rate,
        "expected_carryover": expected_carryover,
        "budget_light": budget,
        "target_light": target,
        "dual_light": dual,
        "_candidate": bool(candidate) and severity >= profile.key_monitoring.min_severity,
        "_candidate_reason": "；".join(candidate),
        "key_monitoring": False,
        "key_reason": "",
        "money_at_risk": risk,
        "severity": severity,
        "key_score": risk * severity,
        "project_kind": PROJECT_KIND_LABELS.get(kind, ""),
        "suggestion": acts[0][0],
        "suggestions": [f"{name}：{text}" for name, text in acts],
        "budget_reason": budget_why,
        "target_reason": target_reason(lights, names),
        "target_score": light_points(lights, profile),
        "n_indicators": len(lights),
        "n_red": lights.count(RED),
        "n_yellow": lights.count(YELLOW),
        "n_unknown": lights.count(UNKNOWN),
        **stock,
        **_profile_columns(profile),
    }


# ---------------------------------------------------------------- departments and ranking

def main_reasons(indicators: pd.DataFrame, top: int) -> pd.Series:
    """Per department (index): the deviation reasons most often ticked on its red and yellow indicators,
    with counts (ties kept)."""
    warned = indicators[indicators["light"].isin([RED, YELLOW])]
    ticked = warned.assign(reason=warned["reasons"].map(schema.as_list)).explode("reason").dropna(subset=["reason"])
    counts = ticked.groupby(["dept_name", "reason"]).size()
    if not top or counts.empty:
        return pd.Series(dtype=object)
    return counts.groupby(level="dept_name").apply(
        lambda per_dept: sorted_counts(dict(zip(per_dept.index.get_level_values("reason"), per_dept)), top=top, unit=""))


def department_summary(project_table: pd.DataFrame, indicator_table: pd.DataFrame, projects: pd.DataFrame,
                       profile: RuleProfile, quality: dict[str, tuple[float, str]] | None = None) -> pd.DataFrame:
    """Per 主管部门: totals, execution and its light, indicator lights, 存量, 重点监控, quality, score and rank."""
    projects = projects.assign(dept_name=projects["dept_name"].fillna(NO_DEPT))
    project_table = project_table.assign(dept_name=project_table["dept_name"].fillna(NO_DEPT))
    indicator_table = indicator_table.assign(dept_name=indicator_table["dept_name"].fillna(NO_DEPT))
    if project_table.empty:
        return schema.conform(pd.DataFrame(), "department_summary")
    facts = department_facts(project_table, indicator_table, projects, profile)
    quality = quality or {}
    records = [_department_record(row, profile, quality.get(row["dept_name"]))
               for row in facts.reset_index().to_dict("records")]
    return schema.conform(rank_departments(pd.DataFrame.from_records(records), profile), "department_summary")


def department_facts(project_table: pd.DataFrame, indicator_table: pd.DataFrame, projects: pd.DataFrame,
                     profile: RuleProfile) -> pd.DataFrame:
    """Every department's totals and counts at once (index: dept_name, sorted).

    Column operations grouped by department: a province has thousands of departments and ≈100,000
    indicators, so nothing here filters the tables department by department.
    """
    dept = project_table["dept_name"]
    raw_columns = dict.fromkeys([profile.budget.denominator, "budget_total", "executed_total", "expected_total"])
    raw = pd.DataFrame({column: pd.to_numeric(projects[column], errors="coerce") for column in raw_columns})
    raw_sums = raw.groupby(projects["dept_name"]).sum(min_count=1)
    own = project_table[["expected_carryover", "carryover_budget", "carryover_executed", "stock_idle"]]
    facts = own.astype(float).groupby(dept).sum(min_count=1)
    facts["n_projects"] = dept.value_counts()
    for column, source in (("n_stock_flagged", "stock_flag"), ("n_key_projects", "key_monitoring")):
        facts[column] = project_table[source].fillna(False).astype(bool).groupby(dept).sum().astype(int)
    for column in ("period_matches", "in_comparison"):
        facts[column] = project_table[column].fillna(False).astype(bool).groupby(dept).all()
    labels = project_table[["dept_name", "period_label"]].dropna().drop_duplicates().sort_values("period_label")
    facts["period_label"] = labels.groupby("dept_name")["period_label"].agg("、".join)
    facts["period_label"] = facts["period_label"].fillna("")
    facts["time_progress"] = _most_common(project_table, "time_progress")
    lights = pd.crosstab(indicator_table["dept_name"], indicator_table["light"])
    for light in (RED, YELLOW, GREEN, BLUE, UNKNOWN):
        facts[f"n_{light}"] = (lights[light] if light in lights else pd.Series(dtype=int)).reindex(
            facts.index).fillna(0).astype(int)
    facts["main_reasons"] = main_reasons(indicator_table, profile.ranking.top_reasons).reindex(facts.index).fillna("")
    facts["target_score"] = department_target_scores(project_table, indicator_table, profile).reindex(facts.index)
    facts["denominator"] = raw_sums[profile.budget.denominator].reindex(facts.index)
    for column in ("budget_total", "executed_total", "expected_total"):
        facts[column] = raw_sums[column].reindex(facts.index)
    return facts.sort_index()


def _most_common(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per department: the most frequent value of ``column`` (the smallest of equally frequent ones, as
    ``Series.mode``)."""
    counts = frame[["dept_name", column]].dropna().value_counts().rename("n").reset_index()
    ordered = counts.sort_values(["dept_name", "n", column], ascending=[True, False, True])
    return ordered.drop_duplicates("dept_name").set_index("dept_name")[column]


def _department_record(facts: dict, profile: RuleProfile, quality: tuple[float, str] | None = None) -> dict:
    denominator, executed, expected = (number_or_none(facts[key]) for key in
                                       ("denominator", "executed_total", "expected_total"))
    rate = _ratio(executed, denominator)
    expected_rate = _ratio(expected, denominator)
    p = number_or_none(facts["time_progress"])
    ratio = rate / p * PERCENT if rate is not None and p else None
    budget, budget_why = budget_light(ratio, expected_rate, profile)
    carry_budget, carry_spent = number_or_none(facts["carryover_budget"]), number_or_none(facts["carryover_executed"])
    return {
        **{key: facts[key] for key in ("dept_name", "n_projects", "budget_total", "executed_total")},
        "execution_rate": rate,
        "expected_rate": expected_rate,
        "budget_light": budget,
        "budget_reason": budget_why,
        **{key: facts[key] for key in ("expected_carryover", "carryover_budget", "carryover_executed")},
        "carryover_rate": _ratio(carry_spent, carry_budget),
        **{key: facts[key] for key in ("stock_idle", "n_stock_flagged", "n_red", "n_yellow", "n_green", "n_blue",
                                       "n_unknown", "n_key_projects", "main_reasons")},
        "time_progress": p,
        "execution_ratio": ratio,
        "execution_score": execution_score(ratio, profile),
        "target_score": number_or_none(facts["target_score"]),
        "quality_score": quality[0] if quality else None,
        "quality_reason": quality[1] if quality else "",
        **{key: facts[key] for key in ("period_label", "period_matches", "in_comparison")},
        **_profile_columns(profile),
    }


def execution_score(ratio: float | None, profile: RuleProfile) -> float | None:
    """执行得分 from the execution ratio: capped at 100, uncapped, or the piecewise curve (default)."""
    if ratio is None:
        return None
    rules = profile.ranking
    if rules.execution_basis == "capped":
        return min(ratio, PERCENT)
    if rules.execution_basis == "uncapped":
        return ratio
    if ratio <= rules.execution_par_ratio:
        return max(ratio, 0.0) / rules.execution_par_ratio * rules.execution_par_points
    span = rules.execution_full_ratio - rules.execution_par_ratio
    extra = min(ratio - rules.execution_par_ratio, span) / span * (PERCENT - rules.execution_par_points)
    return rules.execution_par_points + extra


def _score_values(indicators: pd.DataFrame, profile: RuleProfile) -> pd.Series:
    """Each indicator's points for the 目标得分: its light's points or its completion capped at 100 (missing:
    not scored)."""
    if profile.ranking.target_basis == "lights":
        return indicators["light"].map(light_point_values(profile)).astype(float)  # unknown lights are not scored
    return pd.to_numeric(indicators["completion"], errors="coerce").clip(upper=PERCENT).astype(float)


def light_point_values(profile: RuleProfile) -> dict[str, float]:
    rules = profile.ranking
    return {RED: rules.red_points, YELLOW: rules.yellow_points, GREEN: rules.green_points, BLUE: rules.blue_points}


def department_target_scores(project_table: pd.DataFrame, indicator_table: pd.DataFrame,
                             profile: RuleProfile) -> pd.Series:
    """目标得分 per department (index): project scores weighted by 年初预算数 (default) or a plain indicator mean.

    A department whose scored projects all lack a positive budget falls back to the plain mean.
    """
    values = _score_values(indicator_table, profile)
    plain = values.groupby(indicator_table["dept_name"]).mean()
    if profile.ranking.target_weighting == "indicators":
        return plain
    scores = project_table["project_id"].map(values.groupby(indicator_table["project_id"]).mean())
    weights = pd.to_numeric(project_table["budget_total"], errors="coerce")
    usable = scores.notna() & np.isfinite(weights) & (weights > 0)
    dept = project_table.loc[usable, "dept_name"]
    weighted = (scores * weights)[usable].groupby(dept).sum() / weights[usable].groupby(dept).sum()
    return weighted.combine_first(plain)


def rank_departments(frame: pd.DataFrame, profile: RuleProfile) -> pd.DataFrame:
    """Score = weighted execution, target and quality scores; equal scores share a rank (docs/metrics.md §7)."""
    rules = profile.ranking
    parts = [(rules.execution_weight, "execution_score"), (rules.target_weight, "target_score")]
    if rules.quality_weight > 0:
        parts.append((rules.quality_weight, "quality_score"))
    total_weight = sum(weight for weight, _ in parts)
    raw = sum(weight * (frame[column].astype(float) if column in frame else float("nan"))
              for weight, column in parts) / total_weight
    if "in_comparison" not in frame:
        frame = frame.assign(in_comparison=True)
    # The composite comes from the unrounded parts; every score is then stored as it is printed.
    frame = frame.assign(score=raw.round(rules.score_decimals), **{
        column: frame[column].astype(float).round(rules.score_decimals) for _, column in parts if column in frame})
    ranked = frame["score"].notna() & frame["in_comparison"].astype(bool)
    ranks = frame.loc[ranked, "score"].rank(method="min", ascending=False).astype(int)
    frame["rank"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    frame.loc[ranked, "rank"] = ranks
    tied = frame[frame["rank"].notna()].groupby("score")["dept_name"].agg(sorted)
    frame["rank_note"] = [_rank_note(row, tied) for row in frame.to_dict("records")]
    frame = frame.assign(_ranked=ranked.astype(int)).sort_values(
        ["_ranked", "score", "dept_name"], ascending=[False, False, True], na_position="last", kind="mergesort")
    return frame.drop(columns="_ranked").assign(ranking_method=ranking_method_text(profile)).reset_index(drop=True)


def _rank_note(row: dict, tied: pd.Series) -> str:
    """Why a department has no rank, or with whom it shares it (``tied``: ranked names per score)."""
    if not row.get("in_comparison", True):
        return f"报送期间为{row.get('period_label')}，与监控时点不一致，单独计算，不参加排名"
    if schema.is_missing(row["score"]):
        return "缺少执行率或没有可判断的指标，不计分、不排名"
    others = [name for name in tied.get(row["score"], []) if name != row["dept_name"]]
    if others:
        return f"与{'、'.join(others)}得分同为 {score_text(row['score'])} 分，并列第 {int(row['rank'])} 名"
    return ""


def ranking_method_text(profile: RuleProfile) -> str:
    """The ranking formula, weights, tie rule and exclusions in Chinese, to print next to every ranking."""
    rules = profile.ranking
    weights = [("执行得分", rules.execution_weight), ("目标得分", rules.target_weight),
               ("监控工作质量得分", rules.quality_weight)]
    weights = [(name, weight) for name, weight in weights if weight > 0]
    total = sum(weight for _, weight in weights)
    formula = " + ".join(f"{plain_number(weight / total)} × {name}" for name, weight in weights)
    return (
        f"排名方法：综合得分 = {formula}（满分 100，保留 {rules.score_decimals} 位小数）。"
        f"{_execution_score_text(profile)}部门预算执行率 = 各项目执行数合计 ÷ "
        f"{'年初预算数' if profile.budget.denominator == 'budget_total' else '当年财政拨款预算数'}合计；"
        f"{_target_score_text(profile)}"
        f"{_quality_score_text(profile) if rules.quality_weight > 0 else ''}"
        "得分相同的部门并列，名次相同（下一名次顺延），不以部门名称等区分先后。"
        "缺少执行率或没有可判断指标的部门不计分、不排名；"
        + ("报送期间与监控时点不一致的部门也参加排名。" if profile.period.compare_other_periods
           else "报送期间与监控时点不一致的部门单独计算，不参加排名。")
        + f"规则配置：{profile.label}。"
    )


def _execution_score_text(profile: RuleProfile) -> str:
    rules = profile.ranking
    if rules.execution_basis == "capped":
        return "执行得分 = min(执行进度比, 100%) × 100（执行进度比 = 部门预算执行率 ÷ 序时进度）；"
    if rules.execution_basis == "uncapped":
        return "执行得分 = 执行进度比 × 100，不封顶（执行进度比 = 部门预算执行率 ÷ 序时进度）；"
    return (f"执行得分按执行进度比 r（部门预算执行率 ÷ 序时进度）分段计算：r 从 0 到 {plain_number(rules.execution_par_ratio)}% "
            f"得 0 到 {plain_number(rules.execution_par_points)} 分，{plain_number(rules.execution_par_ratio)}% 到 "
            f"{plain_number(rules.execution_full_ratio)}% 再得到满分 100，超过不再加分；")


def _target_score_text(profile: RuleProfile) -> str:
    rules = profile.ranking
    weighting = ("先算每个项目可判断指标的平均分，再按项目年初预算数加权平均" if rules.target_weighting == "budget"
                 else "部门全部可判断指标的平均分")
    if rules.target_basis == "lights":
        return (f"目标得分 = {weighting}，指标按灯色计分（绿灯 {plain_number(rules.green_points)}、"
                f"蓝灯 {plain_number(rules.blue_points)}、黄灯 {plain_number(rules.yellow_points)}、红灯 {plain_number(rules.red_points)} 分；"
                "无法判断的指标不计入）。")
    qual = profile.indicator.qualitative
    return (f"目标得分 = {weighting}，指标按完成率（单项封顶 100%）计分，定性指标按 "
            f"达成 {plain_number(qual.achieved_completion)}、部分达成 {plain_number(qual.partly_completion)}、"
            f"未达成 {plain_number(qual.not_achieved_completion)} 折算。")


def _quality_score_text(profile: RuleProfile) -> str:
    rules = profile.ranking
    return (f"监控工作质量得分 = 100 − 扣分（不低于 0）：逾期报送每份文件扣 {plain_number(rules.quality_late_file_points)} 分，"
            f"无法读取每份扣 {plain_number(rules.quality_unreadable_file_points)} 分，未按规定期间填报每份扣 "
            f"{plain_number(rules.quality_period_points)} 分，照抄原因说明每条扣 {plain_number(rules.quality_copied_text_points)} 分，"
            f"必须改正的填报问题每条扣 {plain_number(rules.quality_error_points)} 分（合计不超过 {plain_number(rules.quality_error_cap)} 分），"
            f"红黄灯指标未填原因说明的比例 × {plain_number(rules.quality_reasons_missing_points)} 分。")


# ---------------------------------------------------------------- county totals

def county_summary(project_table: pd.DataFrame, departments: pd.DataFrame, indicator_table: pd.DataFrame,
                   projects: pd.DataFrame, profile: RuleProfile, settings) -> pd.DataFrame:
    """One row: county totals over the projects in comparison, and what was kept apart and why."""
    inside = project_table[project_table["in_comparison"].fillna(False).astype(bool)]
    outside = project_table[~project_table["in_comparison"].fillna(False).astype(bool)]
    raw = projects[projects["project_id"].isin(inside["project_id"])]
    lights = list(indicator_table[indicator_table["project_id"].isin(inside["project_id"])]["light"])
    denominator = number_or_none(pd.to_numeric(raw[profile.budget.denominator], errors="coerce").sum(min_count=1))
    executed = number_or_none(pd.to_numeric(raw["executed_total"], errors="coerce").sum(min_count=1))
    expected = number_or_none(pd.to_numeric(raw["expected_total"], errors="coerce").sum(min_count=1))
    p = time_progress(settings.year, settings.period_end_month, profile.time_progress.basis)
    rate = _ratio(executed, denominator)
    expected_rate = _ratio(expected, denominator)
    ratio = rate / p * PERCENT if rate is not None and p else None
    budget, _ = budget_light(ratio, expected_rate, profile)
    excluded = sorted(outside["dept_name"].fillna(NO_DEPT).unique())
    other_periods = sorted(outside["period_label"].dropna().unique())
    record = {
        "period_label": f"{settings.year}年1-{settings.period_end_month}月",
        "monitoring_date": settings.monitoring_date.isoformat(),
        "n_departments": int(inside["dept_name"].fillna(NO_DEPT).nunique()),
        "n_projects": len(inside),
        "budget_total": number_or_none(pd.to_numeric(raw["budget_total"], errors="coerce").sum(min_count=1)),
        "executed_total": executed,
        "execution_rate": rate,
        "time_progress": p,
        "execution_ratio": ratio,
        "expected_rate": expected_rate,
        "budget_light": budget,
        "expected_carryover": number_or_none(inside["expected_carryover"].sum(min_count=1)),
        "carryover_budget": number_or_none(inside["carryover_budget"].sum(min_count=1)),
        "carryover_executed": number_or_none(inside["carryover_executed"].sum(min_count=1)),
        "stock_idle": number_or_none(inside["stock_idle"].sum(min_count=1)),
        "n_stock_flagged": int(inside["stock_flag"].fillna(False).sum()),
        "n_key_projects": int(project_table["key_monitoring"].fillna(False).sum()),
        "n_key_candidates": int(project_table["key_rank"].notna().sum()),
        "n_red": lights.count(RED), "n_yellow": lights.count(YELLOW), "n_green": lights.count(GREEN),
        "n_blue": lights.count(BLUE), "n_unknown": lights.count(UNKNOWN),
        "n_excluded_projects": len(outside),
        "excluded_departments": "、".join(excluded),
        "scope_note": (f"全县合计只含按{settings.year}年1-{settings.period_end_month}月填报的项目；"
                       f"{'、'.join(excluded)}按{'、'.join(other_periods)}填报的 {len(outside)} 个项目单独计算，未纳入合计和比较。"
                       if len(outside) else f"全部项目均按{settings.year}年1-{settings.period_end_month}月填报。"),
        **_profile_columns(profile),
    }
    return schema.conform(pd.DataFrame([record]), "county_summary")


# ---------------------------------------------------------------- the stage

def _profile_columns(profile: RuleProfile) -> dict:
    return {"profile_name": profile.name, "profile_hash": profile.content_hash}


def compute_metrics(tables: dict[str, pd.DataFrame], profile: RuleProfile, settings) -> dict[str, pd.DataFrame]:
    """The metrics tables from the ingest tables ``projects`` and ``indicators`` (``funds``, ``submissions``
    and ``findings`` when present feed 存量 and the monitoring-work quality score)."""
    from jixiao.metrics.quality import quality_scores

    projects, indicators = tables["projects"], tables["indicators"]
    indicator_table = indicator_status(indicators, projects, profile, settings)
    project_table = project_status(projects, indicator_table, profile, settings, tables.get("funds"))
    quality = quality_scores(project_table, indicator_table, tables.get("submissions"), tables.get("findings"),
                             profile, settings, projects)
    departments = department_summary(project_table, indicator_table, projects, profile, quality)
    county = county_summary(project_table, departments, indicator_table, projects, profile, settings)
    return {"project_status": project_table, "indicator_status": indicator_table, "department_summary": departments,
            "county_summary": county}


def run_metrics(processed_dir: Path, rules_path: Path | None, settings) -> dict[str, pd.DataFrame]:
    """Read the ingest tables, compute, write the Parquet tables (and metrics_meta.json) into ``processed_dir``."""
    processed_dir = Path(processed_dir)
    profile = load_profile(rules_path)
    tables = read_tables(processed_dir, ("projects", "indicators"))
    for name in ("funds", "submissions"):  # optional: a folder written by hand may hold only the two above
        if has_table(processed_dir, name):
            tables[name] = read_table(processed_dir, name)
    if has_table(processed_dir, "findings"):
        tables["findings"] = read_findings(processed_dir)
    result = write_tables(processed_dir, compute_metrics(tables, profile, settings))
    meta = {"profile_name": profile.name, "profile_hash": profile.content_hash, "profile_source": profile.source,
            "time_progress_basis": profile.time_progress.basis, "ranking_method": ranking_method_text(profile),
            "monitoring_date": settings.monitoring_date.isoformat()}
    (processed_dir / "metrics_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


def summary_text(tables: dict[str, pd.DataFrame], profile: RuleProfile) -> str:
    """A short Chinese summary of the metrics for the terminal."""
    projects, indicators = tables["project_status"], tables["indicator_status"]
    departments = tables["department_summary"]

    def counts(series: pd.Series) -> str:
        c = series.value_counts()
        return "，".join(f"{LIGHT_LABELS[k]} {int(c.get(k, 0))}" for k in (RED, YELLOW, GREEN, BLUE, UNKNOWN)
                        if c.get(k, 0))

    p = projects["time_progress"].dropna()
    lines = [
        f"规则配置：{profile.label}；序时进度 {percent(float(p.mode().iloc[0])) if len(p) else '—'}",
        (f"{len(projects)} 个项目 — 预算执行：{counts(projects['budget_light'])}；双监控：{counts(projects['dual_light'])}；"
         f"重点监控 {int(projects['key_monitoring'].fillna(False).sum())} 个"
         f"（候选 {int(projects['key_rank'].notna().sum())} 个，上限 {profile.key_monitoring.max_projects} 个）"),
        f"{len(indicators)} 个指标 — {counts(indicators['light'])}",
    ]
    county = tables.get("county_summary")
    if county is not None and len(county):
        lines.append(str(county["scope_note"].iloc[0]))
    top = departments.dropna(subset=["rank"]).head(3)
    if len(top):
        lines.append("部门排名前三：" + "；".join(f"{int(r.rank)}. {r.dept_name}（{score_text(r.score)} 分）"
                                             for r in top.itertuples()))
    lines.append(ranking_method_text(profile))
    return "\n".join(lines)
