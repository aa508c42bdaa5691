"""Metrics: execution against time progress, indicator deviation, traffic lights,
重点监控, suggestions and the department ranking.

Plain functions over the ingest tables (pandas DataFrames). Every threshold comes
from the rule profile (``jixiao.config.profile``); the method is documented in
``docs/metrics.md``. Percentages follow the ingest convention: 95 means 95 %.
Anything that cannot be judged gets the light ``unknown`` and a Chinese reason,
never a guess.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from jixiao.store.tables import read_tables, write_tables
from jixiao.config.profile import RuleProfile, load_profile, time_progress
from jixiao.store import schema

PERCENT = 100.0  # ratios are stored as percentages (95 for 95 %), like the ingest tables
OUTPUT_TABLES = ("project_status", "indicator_status", "department_summary")

RED, YELLOW, GREEN, BLUE, UNKNOWN = "red", "yellow", "green", "blue", "unknown"
# "Worst" order for combining lights; blue (over-achieved) counts as better than green.
SEVERITY = {RED: 3, YELLOW: 2, GREEN: 1, BLUE: 0}
LIGHT_LABELS = {RED: "红灯", YELLOW: "黄灯", GREEN: "绿灯", BLUE: "蓝灯", UNKNOWN: "无法判断"}
DIRECTION_LABELS = {"positive": "正向", "negative": "反向", "equal": "等值", "qualitative": "定性"}
LEVEL_ACHIEVED, LEVEL_PARTLY, LEVEL_NOT = "达成", "部分达成", "未达成"
LEVEL_LIGHTS = {LEVEL_ACHIEVED: GREEN, LEVEL_PARTLY: YELLOW, LEVEL_NOT: RED}
PLACEHOLDER_TEXTS = {"", "/", "／", "-", "—", "——", "--", "无", "暂无", "…", "...", "nan"}
NO_DEPT = "（未填主管部门）"

SUGGEST_SUSPEND = "暂缓拨款并整改"
SUGGEST_REDUCE = "建议调减预算"
SUGGEST_SPEED_UP = "督促加快执行"
SUGGEST_CORRECT = "督促纠偏整改"
SUGGEST_PAY = "按进度拨付"
SUGGEST_UNKNOWN = "补充资料后判断"


# ---------------------------------------------------------------- small helpers

def _text(value) -> str:
    return "" if schema.is_missing(value) else str(value).strip()


def _number(value) -> float | None:
    if schema.is_missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _fmt(value: float | None, digits: int = 2) -> str:
    """A number for Chinese reason texts: no trailing zeros."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def worst_light(lights) -> str:
    """The worst judged light (red > yellow > green > blue); unknown when none was judged."""
    judged = [light for light in lights if light in SEVERITY]
    return max(judged, key=SEVERITY.get) if judged else UNKNOWN


def at_least(light: str, floor: str) -> str:
    """Raise ``light`` to ``floor`` when it is better than it (blue/green -> yellow)."""
    if light == UNKNOWN:
        return floor
    return floor if SEVERITY[light] < SEVERITY[floor] else light


# ---------------------------------------------------------------- time progress

def _period(row: dict, settings) -> tuple[int, int]:
    year = _number(row.get("year"))
    month = _number(row.get("period_end_month"))
    return (int(year) if year else settings.year, int(month) if month else settings.period_end_month)


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

    def add(self, reason: str) -> None:
        self.reasons = (self.reasons or []) + [reason]


def is_rate_indicator(name: str, unit: str, profile: RuleProfile) -> bool:
    """Rates (合格率, 满意度, % targets) are compared with T directly, never pro-rated."""
    rules = profile.indicator.rate
    return unit in rules.units or any(word in name for word in rules.name_keywords)


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


def judge_positive(value: float, target: float, profile: RuleProfile) -> tuple[float, float, str, str]:
    """Completion, deviation, light, reason for a higher-is-better value against T."""
    if target <= 0:  # ≥0: anything reported meets it
        return PERCENT, 0.0, GREEN, f"目标 ≥{_fmt(target)}，已满足"
    completion = value / target * PERCENT
    deviation = max(0.0, (target - value) / target * PERCENT)
    light = deviation_light(deviation, profile)
    reason = f"完成率 {_pct(completion)}，偏离度 {_pct(deviation)}"
    if light == GREEN and completion > profile.indicator.blue_forecast_ratio_above:
        light = BLUE
        reason += f"，超过目标的 {_fmt(profile.indicator.blue_forecast_ratio_above)}%（目标可能偏低）"
    return completion, deviation, light, reason


def judge_negative(value: float, target: float, profile: RuleProfile) -> tuple[float, float | None, str, str]:
    """Lower is better: at or below T is green, above T red (within the yellow band: yellow)."""
    if target == 0:  # T = 0 (安全事故0起): any occurrence is a miss; a ratio is meaningless
        if value <= 0:
            return PERCENT, 0.0, GREEN, "目标为 0，未发生"
        return 0.0, None, RED, f"目标为 0，实际/预计 {_fmt(value)}"
    if value <= target:
        return PERCENT, 0.0, GREEN, f"不超过目标 {_fmt(target)}"
    deviation = (value - target) / target * PERCENT
    completion = target / value * PERCENT
    light = YELLOW if deviation <= profile.indicator.negative_yellow_band else RED
    return completion, deviation, light, f"超出目标 {_fmt(target)}，超出 {_pct(deviation)}"


def judge_equal(value: float, low: float, high: float | None, profile: RuleProfile) -> tuple[float, float, str, str]:
    """Point target (=) or band (range): deviation is the relative distance to the nearest bound."""
    high = low if high is None else high
    if low <= value <= high:
        return PERCENT, 0.0, GREEN, "等于目标值" if low == high else "在目标区间内"
    bound = low if value < low else high
    deviation = abs(value - bound) / abs(bound) * PERCENT if bound else PERCENT
    completion = min(value, bound) / max(value, bound) * PERCENT if value > 0 and bound > 0 else 0.0
    light = deviation_light(deviation, profile)
    return completion, deviation, light, f"偏离目标值 {_fmt(bound)}，偏离度 {_pct(deviation)}"


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
            judgement.add(f"定性：{label}“{_text(row.get(column))}”判为{level}")
            return judgement
    shown = _text(row.get("expected_text")) or _text(row.get("actual_text")) or "未填"
    judgement.add(f"定性：无法从“{shown}”判断完成等级")
    return judgement


def judge_numeric(row: dict, direction: str, judgement: Judgement, p: float, profile: RuleProfile,
                  period_label: str) -> Judgement:
    """Numeric indicator: the forecast F is the main basis; cumulative counts also get the pace check on A."""
    target = _number(row.get("target_value"))
    forecast = _number(row.get("expected_value"))
    actual = _number(row.get("actual_value"))
    lights = []
    value, basis = forecast, "全年预计"
    if value is None and not judgement.is_cumulative and profile.indicator.actual_when_forecast_missing:
        value, basis = actual, f"未填全年预计，按{period_label}实际"
    if value is not None:
        if direction == "positive":
            completion, deviation, light, reason = judge_positive(value, target, profile)
        elif direction == "negative":
            completion, deviation, light, reason = judge_negative(value, target, profile)
        else:
            completion, deviation, light, reason = judge_equal(
                value, target, _number(row.get("target_value_max")), profile)
        judgement.completion, judgement.deviation = completion, deviation
        lights.append(light)
        judgement.add(f"{basis} {_fmt(value)}（目标 {_text(row.get('target_text')) or _fmt(target)}）：{reason}")
    if judgement.is_cumulative and actual is not None and target and p > 0:
        pace = actual / (target * p / PERCENT) * PERCENT
        judgement.pace_ratio = pace
        light = pace_light(pace, profile)
        judgement.add(f"累计型：{period_label}完成 {_fmt(actual)}，序时应完成 {_fmt(target * p / PERCENT)}，"
                      f"进度比 {_pct(pace)}")
        if light == GREEN and direction == "positive" and _pace_is_blue(pace, forecast, target, profile):
            light = BLUE
            judgement.add(f"进度比 ≥{_fmt(profile.indicator.blue_pace_from)}% 且全年预计达到目标的 "
                          f"{_fmt(profile.indicator.blue_pace_forecast_from)}% 以上（目标可能偏低）")
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


def judge_indicator(row: dict, p: float, profile: RuleProfile, period_label: str = "1-N月") -> Judgement:
    """Direction, completion, deviation, pace ratio and light of one indicator row (docs/metrics.md §3)."""
    name, unit = _text(row.get("name")), _text(row.get("target_unit"))
    op, target = _text(row.get("target_op")), _number(row.get("target_value"))
    is_rate = is_rate_indicator(name, unit, profile)
    direction = indicator_direction(op, target, is_rate, profile)
    if direction == "qualitative":
        judgement = judge_qualitative(row, profile, period_label)
    elif direction is None or target is None:
        judgement = Judgement(direction=direction)
        judgement.add(f"年度指标值“{_text(row.get('target_text')) or '未填'}”无法识别，不能判断")
    else:
        cumulative = direction in ("positive", "equal") and is_cumulative_indicator(
            _text(row.get("level2")), name, is_rate, profile)
        judgement = Judgement(direction=direction, is_rate=is_rate, is_cumulative=cumulative)
        judge_numeric(row, direction, judgement, p, profile, period_label)
    judgement.is_rate = is_rate
    return apply_possibility(judgement, _text(row.get("possibility")), profile)


def indicator_status(indicators: pd.DataFrame, projects: pd.DataFrame, profile: RuleProfile,
                     settings) -> pd.DataFrame:
    """One row per indicator with its direction, completion, deviation, pace ratio and light."""
    project_rows = {r["project_id"]: r for r in projects.to_dict("records")}
    records = []
    for row in indicators.to_dict("records"):
        project = project_rows.get(row["project_id"], {})
        year, month = _period(project, settings)
        p = time_progress(year, month, profile.time_progress.basis)
        judgement = judge_indicator(row, p, profile, period_label=f"1-{month}月")
        records.append({
            **{k: row.get(k) for k in ("project_id", "indicator_id", "level1", "level2", "name", "target_text",
                                       "actual_text", "expected_text", "possibility", "reasons",
                                       "reason_text", "remarks")},
            **{k: project.get(k) for k in ("dept_name", "unit_name", "project_name")},
            "direction": judgement.direction,
            "completion": judgement.completion,
            "deviation": judgement.deviation,
            "pace_ratio": judgement.pace_ratio,
            "light": judgement.light,
            "light_reason": "；".join(judgement.reasons or []),
            "is_rate": judgement.is_rate,
            "is_cumulative": judgement.is_cumulative,
            **_profile_columns(profile),
        })
    return schema.conform(pd.DataFrame.from_records(records), "indicator_status")


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
    reason = f"执行进度比 {_pct(ratio)}（红 <{_fmt(rules.red_below)}%，绿 ≥{_fmt(rules.green_from)}%）"
    if expected_rate is not None and expected_rate < rules.expected_rate_yellow_below and light == GREEN:
        light = YELLOW
        reason += f"；全年预计执行率 {_pct(expected_rate)} 低于 {_fmt(rules.expected_rate_yellow_below)}%，至少黄灯"
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


def key_monitoring(budget: str, budget_total: float | None, lights: list[str], ratio: float | None,
                   profile: RuleProfile) -> tuple[bool, str]:
    """重点监控: budget red with some indicator at least yellow, or a red indicator on a large budget."""
    reasons = []
    n_red = lights.count(RED)
    n_warn = n_red + lights.count(YELLOW)
    if budget == RED and n_warn:
        reasons.append(f"预算执行红灯（执行进度比 {_pct(ratio)}）且有 {n_warn} 个指标黄灯或红灯")
    threshold = profile.key_monitoring.money_threshold
    if n_red and budget_total is not None and budget_total >= threshold:
        reasons.append(f"有 {n_red} 个指标红灯且年初预算数 {_fmt(budget_total)} 万元 ≥ {_fmt(threshold)} 万元")
    return bool(reasons), "；".join(reasons)


def suggestion(budget: str, target: str, expected_rate: float | None, profile: RuleProfile) -> str:
    """处理建议 following the notice's 结果运用; the first matching rule wins (docs/metrics.md §5)."""
    if budget == UNKNOWN:
        return SUGGEST_UNKNOWN
    if budget == RED and target == RED:
        return SUGGEST_SUSPEND
    if budget == RED and expected_rate is not None and expected_rate < profile.suggestion.reduce_expected_rate_below:
        return SUGGEST_REDUCE
    if budget not in profile.dual_light.execution_ok:
        return SUGGEST_SPEED_UP
    if target == UNKNOWN:
        return SUGGEST_UNKNOWN
    if target not in profile.dual_light.targets_ok:
        return SUGGEST_CORRECT
    return SUGGEST_PAY


def _denominator(row: dict, profile: RuleProfile) -> float | None:
    value = _number(row.get(profile.budget.denominator))
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


def project_status(projects: pd.DataFrame, indicator_table: pd.DataFrame, profile: RuleProfile,
                   settings) -> pd.DataFrame:
    """One row per project: execution against time progress, the three lights, 重点监控, suggestion."""
    by_project = {pid: group for pid, group in indicator_table.groupby("project_id", sort=False)}
    records = [_project_record(row, by_project.get(row["project_id"]), profile, settings)
               for row in projects.to_dict("records")]
    return schema.conform(pd.DataFrame.from_records(records), "project_status")


def _project_record(row: dict, indicators: pd.DataFrame | None, profile: RuleProfile, settings) -> dict:
    year, month = _period(row, settings)
    p = time_progress(year, month, profile.time_progress.basis)
    denominator = _denominator(row, profile)
    rate = _ratio(_number(row.get("executed_total")), denominator)
    expected_rate = _ratio(_number(row.get("expected_total")), denominator)
    ratio = rate / p * PERCENT if rate is not None and p > 0 else None
    budget, budget_why = budget_light(ratio, expected_rate, profile)
    lights = [] if indicators is None else list(indicators["light"])
    names = [] if indicators is None else [_text(n) for n in indicators["name"]]
    target = worst_light(lights)
    dual = dual_light(budget, target, profile)
    budget_total = _number(row.get("budget_total"))
    expected_total = _number(row.get("expected_total"))
    is_key, key_why = key_monitoring(budget, budget_total, lights, ratio, profile)
    return {
        **{k: row.get(k) for k in ("project_id", "dept_name", "unit_name", "project_name", "budget_total",
                                   "executed_total")},
        "year": year,
        "period_end_month": month,
        "execution_rate": rate,
        "time_progress": p,
        "execution_ratio": ratio,
        "expected_rate": expected_rate,
        "expected_carryover": (budget_total - expected_total
                               if budget_total is not None and expected_total is not None else None),
        "budget_light": budget,
        "target_light": target,
        "dual_light": dual,
        "key_monitoring": is_key,
        "key_reason": key_why,
        "suggestion": suggestion(budget, target, expected_rate, profile),
        "budget_reason": budget_why,
        "target_reason": target_reason(lights, names),
        "n_indicators": len(lights),
        "n_red": lights.count(RED),
        "n_yellow": lights.count(YELLOW),
        "n_unknown": lights.count(UNKNOWN),
        **_profile_columns(profile),
    }


# ---------------------------------------------------------------- departments and ranking

def main_reasons(indicators: pd.DataFrame, top: int) -> str:
    """The deviation reasons most often ticked on the red and yellow indicators, with counts."""
    warned = indicators[indicators["light"].isin([RED, YELLOW])]
    counts = Counter(reason for reasons in warned["reasons"] for reason in schema.as_list(reasons))
    return "、".join(f"{reason}（{n}）" for reason, n in counts.most_common(top)) if top else ""


def department_summary(project_table: pd.DataFrame, indicator_table: pd.DataFrame, projects: pd.DataFrame,
                       profile: RuleProfile) -> pd.DataFrame:
    """Per 主管部门: totals, execution, indicator lights, 重点监控 count, reasons, score and rank."""
    projects = projects.assign(dept_name=projects["dept_name"].fillna(NO_DEPT))
    project_table = project_table.assign(dept_name=project_table["dept_name"].fillna(NO_DEPT))
    indicator_table = indicator_table.assign(dept_name=indicator_table["dept_name"].fillna(NO_DEPT))
    records = []
    for dept, group in project_table.groupby("dept_name", sort=True):
        raw = projects[projects["dept_name"] == dept]
        records.append(_department_record(dept, group, raw, indicator_table[indicator_table["dept_name"] == dept],
                                          profile))
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return schema.conform(frame, "department_summary")
    return schema.conform(rank_departments(frame, profile), "department_summary")


def _department_record(dept: str, group: pd.DataFrame, raw: pd.DataFrame, indicators: pd.DataFrame,
                       profile: RuleProfile) -> dict:
    denominator = pd.to_numeric(raw[profile.budget.denominator], errors="coerce").sum(min_count=1)
    executed = pd.to_numeric(raw["executed_total"], errors="coerce").sum(min_count=1)
    expected = pd.to_numeric(raw["expected_total"], errors="coerce").sum(min_count=1)
    rate = _ratio(_number(executed), _number(denominator))
    p = float(group["time_progress"].mode().iloc[0]) if group["time_progress"].notna().any() else None
    ratio = rate / p * PERCENT if rate is not None and p else None
    lights = list(indicators["light"])
    return {
        "dept_name": dept,
        "n_projects": len(group),
        "budget_total": pd.to_numeric(raw["budget_total"], errors="coerce").sum(min_count=1),
        "executed_total": executed,
        "execution_rate": rate,
        "expected_rate": _ratio(_number(expected), _number(denominator)),
        "n_red": lights.count(RED),
        "n_yellow": lights.count(YELLOW),
        "n_green": lights.count(GREEN),
        "n_blue": lights.count(BLUE),
        "n_unknown": lights.count(UNKNOWN),
        "n_key_projects": int(group["key_monitoring"].fillna(False).sum()),
        "main_reasons": main_reasons(indicators, profile.ranking.top_reasons),
        "time_progress": p,
        "execution_ratio": ratio,
        "execution_score": min(ratio, PERCENT) if ratio is not None else None,
        "target_score": target_score(indicators, profile),
        **_profile_columns(profile),
    }


def target_score(indicators: pd.DataFrame, profile: RuleProfile) -> float | None:
    """目标得分 (0-100): light points or capped completion rates, averaged over judged indicators."""
    rules = profile.ranking
    if rules.target_basis == "lights":
        points = {RED: rules.red_points, YELLOW: rules.yellow_points, GREEN: rules.green_points,
                  BLUE: rules.blue_points}
        scored = [points[light] for light in indicators["light"] if light in points]
    else:
        scored = list(indicators["completion"].dropna().clip(upper=PERCENT))
    return sum(scored) / len(scored) if scored else None


def rank_departments(frame: pd.DataFrame, profile: RuleProfile) -> pd.DataFrame:
    """Score = weighted execution and target scores; strict ranks with the documented tie-break."""
    rules = profile.ranking
    total_weight = rules.execution_weight + rules.target_weight
    raw_score = (rules.execution_weight * frame["execution_score"] + rules.target_weight * frame["target_score"])
    frame = frame.assign(score=(raw_score / total_weight).round(rules.score_decimals))
    # Tie-break (docs/metrics.md §6): execution score, target score, fewer red indicators, name.
    ordered = frame.sort_values(
        ["score", "execution_score", "target_score", "n_red", "dept_name"],
        ascending=[False, False, False, True, True], na_position="last", kind="mergesort")
    scored = ordered["score"].notna()
    ranks = pd.Series(pd.NA, index=ordered.index, dtype="Int64")
    ranks[scored] = range(1, int(scored.sum()) + 1)
    return ordered.assign(rank=ranks, ranking_method=ranking_method_text(profile)).reset_index(drop=True)


def ranking_method_text(profile: RuleProfile) -> str:
    """The ranking formula, weights and tie-break in Chinese, to print next to every ranking."""
    rules = profile.ranking
    total = rules.execution_weight + rules.target_weight
    w_exec, w_target = rules.execution_weight / total, rules.target_weight / total
    return (
        f"排名方法：综合得分 = {_fmt(w_exec)} × 执行得分 + {_fmt(w_target)} × 目标得分（满分 100，"
        f"保留 {rules.score_decimals} 位小数）。"
        "执行得分 = min(部门预算执行率 ÷ 序时进度, 100%) × 100，部门预算执行率 = 各项目 1-N 月执行数合计 ÷ "
        f"{'年初预算数' if profile.budget.denominator == 'budget_total' else '当年财政拨款预算数'}合计；"
        f"{_target_score_text(profile)}"
        "得分相同时依次比较：执行得分高者在前、目标得分高者在前、红灯指标少者在前，最后按部门名称排序以保证名次确定。"
        "缺少执行率或没有可判断指标的部门不计分、不排名。"
        f"规则配置：{profile.label}。"
    )


def _target_score_text(profile: RuleProfile) -> str:
    rules = profile.ranking
    if rules.target_basis == "lights":
        return (f"目标得分 = 部门全部可判断指标按灯色计分的平均值（绿灯 {_fmt(rules.green_points)}、"
                f"蓝灯 {_fmt(rules.blue_points)}、黄灯 {_fmt(rules.yellow_points)}、红灯 {_fmt(rules.red_points)} 分；"
                "无法判断的指标不计入）。")
    qual = profile.indicator.qualitative
    return ("目标得分 = 部门全部可判断指标完成率（单项封顶 100%）的平均值，定性指标按 "
            f"达成 {_fmt(qual.achieved_completion)}、部分达成 {_fmt(qual.partly_completion)}、"
            f"未达成 {_fmt(qual.not_achieved_completion)} 折算。")


# ---------------------------------------------------------------- the stage

def _profile_columns(profile: RuleProfile) -> dict:
    return {"profile_name": profile.name, "profile_hash": profile.content_hash}


def compute_metrics(tables: dict[str, pd.DataFrame], profile: RuleProfile, settings) -> dict[str, pd.DataFrame]:
    """The three metrics tables from the ingest tables ``projects`` and ``indicators``."""
    projects, indicators = tables["projects"], tables["indicators"]
    indicator_table = indicator_status(indicators, projects, profile, settings)
    project_table = project_status(projects, indicator_table, profile, settings)
    departments = department_summary(project_table, indicator_table, projects, profile)
    return {"project_status": project_table, "indicator_status": indicator_table, "department_summary": departments}


def run_metrics(processed_dir: Path, rules_path: Path | None, settings) -> dict[str, pd.DataFrame]:
    """Read the ingest tables, compute, write the Parquet tables (and metrics_meta.json) into ``processed_dir``."""
    processed_dir = Path(processed_dir)
    profile = load_profile(rules_path)
    tables = read_tables(processed_dir, ("projects", "indicators"))
    result = write_tables(processed_dir, compute_metrics(tables, profile, settings))
    meta = {"profile_name": profile.name, "profile_hash": profile.content_hash, "profile_source": profile.source,
            "time_progress_basis": profile.time_progress.basis, "ranking_method": ranking_method_text(profile)}
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
        f"规则配置：{profile.label}；序时进度 {_pct(float(p.mode().iloc[0])) if len(p) else '—'}",
        f"{len(projects)} 个项目 — 预算执行：{counts(projects['budget_light'])}；双监控：{counts(projects['dual_light'])}；"
        f"重点监控 {int(projects['key_monitoring'].fillna(False).sum())} 个",
        f"{len(indicators)} 个指标 — {counts(indicators['light'])}",
    ]
    top = departments.dropna(subset=["rank"]).head(3)
    if len(top):
        lines.append("部门排名前三：" + "；".join(f"{int(r.rank)}. {r.dept_name}（{r.score:.2f} 分）"
                                             for r in top.itertuples()))
    lines.append(ranking_method_text(profile))
    return "\n".join(lines)
