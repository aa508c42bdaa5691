"""Time-limit targets ("2023年10月底前", "年底前", "清明节前", "第三季度末前"): the deadline and its judgement.

A deadline is judged against the monitoring date (the last day of the monitoring month) and the state
the unit reports (完成 / 阶段性完成 / 推进中 / 未启动), never read as free text (docs/metrics.md §3.4).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from jixiao.config.profile import DeadlineRules, holiday_dates

DONE, PARTLY, IN_PROGRESS, NOT_STARTED = "完成", "阶段性完成", "推进中", "未启动"
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}

_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_END = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:底|末|份)?\s*(?:前|以前|之前)")
_YEAR_END = re.compile(r"(?:(\d{4})\s*年\s*)?(?:年底|年末)")
_QUARTER = re.compile(r"(?:(\d{4})\s*年\s*)?第\s*([一二三四1-4])\s*季度\s*(?:末|底)?\s*(?:前|以前|之前|内)")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: str, year: int, rules: DeadlineRules) -> dt.date | None:
    """The deadline a target or indicator name states, or None when it states none.

    ``year`` is the monitoring year, used when the text leaves the year out ("10月底前").
    """
    text = _normal(text)
    if not text:
        return None
    if match := _FULL_DATE.search(text):
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _MONTH_END.search(text):
        month = int(match.group(2))
        return _month_end(int(match.group(1) or year), month) if 1 <= month <= 12 else None
    if match := _QUARTER.search(text):
        quarter = CN_DIGITS.get(match.group(2)) or int(match.group(2))
        return _month_end(int(match.group(1) or year), quarter * 3)
    if match := _YEAR_END.search(text):
        return dt.date(int(match.group(1) or year), 12, 31)
    holidays = holiday_dates(rules.holidays)
    for name_year, date in sorted(holidays.items(), key=lambda item: -len(item[0][0])):
        name, holiday_year = name_year
        if holiday_year == year and re.search(re.escape(name) + r"节?\s*(?:前|以前|之前)", text):
            return date
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def reported_state(text: str, rules: DeadlineRules) -> str | None:
    """完成 / 阶段性完成 / 推进中 / 未启动 from a status text; None when nothing fits.

    Negative and partial words first: "未完成" contains "完成", "部分完成" too.
    """
    text = _normal(text).strip()
    for state, words in ((NOT_STARTED, rules.not_started), (IN_PROGRESS, rules.in_progress),
                         (PARTLY, rules.partly), (DONE, rules.done)):
        if any(word in text for word in words):
            return state
    return None


def judge_deadline(deadline: dt.date, state: str | None, monitoring_date: dt.date,
                   rules: DeadlineRules) -> tuple[str, str]:
    """Light (red/yellow/green/unknown) and the Chinese basis of a time-limit target."""
    due = f"截止日期 {deadline.isoformat()}"
    at = f"监控时点 {monitoring_date.isoformat()}"
    if state is None:
        return "unknown", f"{due}，无法从填报内容判断完成状态"
    if deadline <= monitoring_date:
        light = {DONE: "green", PARTLY: "yellow"}.get(state, "red")
        verdict = {DONE: "已按期完成", PARTLY: "已过截止日期仅阶段性完成"}.get(state, f"已过截止日期仍{state}")
        return light, f"{due}，{at}已过；填报状态“{state}”：{verdict}"
    days_left = (deadline - monitoring_date).days
    if state == NOT_STARTED and days_left < rules.not_started_warn_days:
        return "yellow", (f"{due}，距{at}还有 {days_left} 天（不足 {rules.not_started_warn_days} 天）"
                          f"，填报状态“{state}”，按期完成有风险")
    return "green", f"{due}，{at}尚未到期；填报状态“{state}”"
