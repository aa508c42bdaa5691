"""Sentences built only from facts: small pure functions the briefs call (docs/metrics.md §8).

A claim is made only when the check behind it ran; counts are listed largest first; ties are named,
never broken silently. Inputs are plain values or the metrics tables; outputs are plain Chinese text
(the caller escapes it for HTML).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import pandas as pd

from jixiao.domain.formatting import sorted_counts  # noqa: F401 - the sentences of the briefs use it from here
from jixiao.store import schema

NOT_COMPARED_TEXT = "未提供年初批复目标，未比对"


def top_items_text(counts: Mapping[str, int], order: Iterable[str] = (), unit: str = "次") -> str:
    """'最多的是经费保障（5 次）' or, when several tie, '最多的是经费保障、制度保障（各 5 次）'; '' when none."""
    positive = {name: n for name, n in counts.items() if n}
    if not positive:
        return ""
    best = max(positive.values())
    rank = {name: i for i, name in enumerate(order)}
    names = sorted((name for name, n in positive.items() if n == best), key=lambda name: (rank.get(name, len(rank)), name))
    if len(names) == 1:
        return f"最多的是{names[0]}（{best} {unit}）"
    return f"最多的是{'、'.join(names)}（并列，各 {best} {unit}）"


def rigidity_sentence(compared: bool, own: pd.DataFrame | None, rigidity_codes: Iterable[str],
                      see: str = "") -> str:
    """绩效目标调整情况: a claim only when the comparison with the approved targets ran (``compared``).

    ``see`` names where the differences are listed, e.g. "（见附件3）".
    """
    own_codes = own[own["code"].isin(set(rigidity_codes))] if own is not None and len(own) else pd.DataFrame()
    if len(own_codes):
        return (f"绩效目标调整情况：与年初批复比对，发现 {len(own_codes)} 处项目、指标、指标值或预算不一致{see}，"
                "按通知要求不得随意更改年初批复的绩效目标，请说明原因或予以纠正。")
    if compared:
        return "绩效目标调整情况：已与年初批复的绩效目标比对，未发现单位自行调整绩效目标和指标。"
    return f"绩效目标调整情况：{NOT_COMPARED_TEXT}是否自行调整了绩效目标和指标。"


def reasons_filled_sentence(n_warned: int, n_with_reason: int) -> str:
    """（三）项目实施中存在的问题 opening: never claims 'all missing' when nothing deviates."""
    if n_warned == 0:
        return "（三）项目实施中存在的问题。本期没有偏离目标的指标。"
    if n_with_reason == 0:
        return f"（三）项目实施中存在的问题。{n_warned} 个偏差指标均未填写原因说明。"
    return "（三）项目实施中存在的问题。单位填报的原因说明如下："


def forecast_on_track(indicators: pd.DataFrame) -> tuple[int, int]:
    """(预计能够完成年度目标的个数, 能判断的个数) from forecast ≥ target (``forecast_meets_target``), not lights."""
    if "forecast_meets_target" not in indicators or indicators.empty:
        return 0, 0
    known = indicators["forecast_meets_target"].dropna()
    return int(known.astype(bool).sum()), len(known)


def in_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that join county comparisons (own period = the monitoring point, or the profile allows)."""
    if "in_comparison" not in frame:
        return frame
    return frame[frame["in_comparison"].fillna(False).astype(bool)]


def period_note(projects: pd.DataFrame, monitoring_label: str) -> str:
    """For a department that reported another period: say so, and that it is kept apart; '' otherwise."""
    if "period_matches" not in projects or projects["period_matches"].fillna(True).astype(bool).all():
        return ""
    labels = "、".join(sorted(projects.loc[~projects["period_matches"].fillna(True).astype(bool), "period_label"]
                             .dropna().unique()))
    kept = (projects["in_comparison"].fillna(False).astype(bool).all() if "in_comparison" in projects else False)
    return (f"说明：本部门监控表按{labels}填报，与通知规定的监控时点（{monitoring_label}）不一致，"
            f"本报告按{labels}的序时进度单独计算" + ("。" if kept else "，未纳入全县比较和部门排名。"))


def stock_sentence(projects: pd.DataFrame, period_label: str) -> str:
    """存量资金 (上年结转) of a department or the county: totals, spent, idle, flagged projects."""
    if "carryover_budget" not in projects:
        return ""
    with_stock = projects[pd.to_numeric(projects["carryover_budget"], errors="coerce").fillna(0) > 0]
    if with_stock.empty:
        return "存量资金：纳入监控的项目没有上年结转资金。"
    budget = with_stock["carryover_budget"].sum()
    spent = with_stock["carryover_executed"].fillna(0).sum()
    idle = with_stock["stock_idle"].fillna(0).sum()
    flagged = with_stock[with_stock["stock_flag"].fillna(False).astype(bool)]
    text = (f"上年结转（存量）资金 {budget:,.2f} 万元（{len(with_stock)} 个项目），{period_label}支出 {spent:,.2f} 万元，"
            f"执行率 {spent / budget * 100:.1f}%，尚未支出 {idle:,.2f} 万元")
    if len(flagged):
        names = "、".join(f"{name}（未支出 {value:,.2f} 万元）" for name, value in
                         sorted(zip(flagged["project_name"], flagged["stock_idle"]), key=lambda item: -item[1]))
        return text + f"；存量资金数额偏大且支出较慢的项目 {len(flagged)} 个：{names}。"
    return text + "。"
    return text


def suggestion_lines(projects: pd.DataFrame) -> list[str]:
    """'项目名：建议…；建议…' for every project whose suggestions ask for more than paying on schedule."""
    lines = []
    for row in projects.to_dict("records"):
        acts = [act for act in schema.as_list(row.get("suggestions")) if not str(act).startswith("按进度拨付")]
        if acts:
            lines.append(f"{row['project_name']}：" + "；".join(str(act) for act in acts))
    return lines


def light_counts_text(lights: Iterable[str], labels: Mapping[str, str], order: Iterable[str], unit: str = "个") -> str:
    """'红灯 3 个、黄灯 2 个' in the given light order, empty lights left out."""
    counts = Counter(lights)
    return "、".join(f"{labels[light]} {counts[light]} {unit}" for light in order if counts[light])


def _advice() -> tuple[dict[str, str], tuple[str, ...]]:
    from jixiao.metrics import compute as C

    # The bureau speaks to the department (反馈意见); measures only from the notice, decisions "按程序".
    advice = {
        C.SUGGEST_REDUCE: "支出进度偏低、存量资金数额偏大且绩效监控结果差，建议按程序提出预算调减或收回存量资金的调整建议，请据实做好调整准备，避免资金闲置。",
        C.SUGGEST_SUSPEND: "预算执行和绩效目标均严重滞后，建议按程序暂缓拨款，请查明原因、限期整改，整改到位后再按进度拨付。",
        C.SUGGEST_PAY_OUT: "补贴、工资和按期发放类资金事关群众切身利益，不宜暂缓拨付，请按时足额兑付到位。",
        C.SUGGEST_SPEED_UP: "支出进度低于序时进度，请倒排工期、加快项目实施和资金支付，按月跟踪执行进度。",
        C.SUGGEST_CORRECT: "绩效目标存在偏差，请针对偏差指标及时纠正调整，确保年度目标实现。",
        C.SUGGEST_UNKNOWN: "监控表信息不完整，无法判断，请补充执行数、全年预计等资料后重新报送。",
        C.SUGGEST_PAY: "预算执行和绩效目标均正常，建议按项目实施进度拨付资金。",
    }
    return advice, C.SUGGESTION_PRIORITY


# What each primary 处理建议 asks (advisory: the bureau decides), in priority order.
SUGGESTION_ADVICE, SUGGESTION_ORDER = _advice()
