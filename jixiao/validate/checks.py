"""Validation rules over the ingest tables -> findings (domain notes §7 and the contradictions of §4).

Lazy in the pandera sense: every rule runs on every row and all failures are
collected into one findings table; a rule that crashes becomes a finding itself
instead of stopping the others. The rules are data (:data:`CATALOGUE`: code,
severity, meaning, example, fix) so that ``docs/rules.md`` is generated from the
same source that assigns severities. Every tolerance and threshold is a field of
:class:`jixiao.config.profile.CheckRules` (the ``[checks]`` section of the rule profile).
"""
from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jixiao.config.profile import CheckRules, RuleProfile, load_profile, setting_doc, time_progress
from jixiao.config.settings import Settings
from jixiao.domain.findings import CATALOGUE, CHECK_RULES, RIGIDITY_RULES, Rule, severity_of
from jixiao.domain.formatting import money as amount
from jixiao.domain.formatting import period_label
from jixiao.domain.vocabulary import SEVERITY_LABELS
from jixiao.normalise import values as V
from jixiao.store import schema
from jixiao.store.tables import read_ingest_tables, write_table
from jixiao.validate.approved import RIGIDITY_CODES, read_approved, rigidity_findings

PLACEHOLDER_FORECASTS = {"100%", "100", "已完成", "完成", "全部完成", "已全部完成", "100%完成", "能完成", "可以完成"}
UNPARSEABLE_TARGET_RE = re.compile(r"^#|待定|详见|见附件|另附|[?？]")


@dataclass
class Context:
    """The ingest tables, with file, period and names joined onto funds and indicators."""

    projects: pd.DataFrame
    funds: pd.DataFrame
    indicators: pd.DataFrame
    profile: RuleProfile
    settings: Settings = dataclass_field(default_factory=Settings)

    @property
    def limits(self) -> CheckRules:
        return self.profile.checks

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame], profile: RuleProfile,
                    settings: Settings | None = None) -> Context:
        keys = tables["projects"][["project_id", "source_file", "year", "period_end_month", "project_name",
                                   "unit_name", "budget_total", "executed_total"]]
        keys = keys.drop_duplicates("project_id")  # one row per project: copies must not multiply the join
        funds = tables["funds"].merge(keys, on="project_id", how="left")
        indicators = tables["indicators"].merge(keys, on="project_id", how="left")
        return cls(tables["projects"], funds, indicators, profile, settings or Settings())


# -- helpers ------------------------------------------------------------------------------------
# The rules are column operations over the whole batch: a province's ≈100,000 indicator rows are
# tested with masks, and Python only runs per row that yields a finding (its message) or per
# distinct text (texts repeat across a batch, so a text rule costs what the distinct texts cost).
EPS = 1e-9  # float slack on top of the profile's tolerances


def text_or_none(value: Any) -> str | None:
    return None if schema.is_missing(value) or V.is_blank(value) else str(value)


def per_value(series: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``func`` of every cell, called once per distinct value (missing cells get ``func(None)``)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(value) for value in uniques]
    results[-1] = func(None)  # code -1: the missing cells
    return pd.Series(results[codes], index=series.index)


def filled(series: pd.Series) -> pd.Series:
    """Cells holding something (not missing, not a blank mark such as '/' or '无')."""
    return per_value(series, lambda value: text_or_none(value) is not None).astype(bool)


def is_unit_slip(value: pd.Series, reference: pd.Series, ratio: float) -> pd.Series:
    """Value at least ``ratio`` times a positive reference: an amount typed in 元 on a 万元 form."""
    return (value.notna() & reference.notna() & (reference > 0) & (value / reference >= ratio)).fillna(False)


def in_group_order(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows with a ``key``, grouped by it in order of first appearance, each group in table order."""
    frame = frame[frame[key].notna()]
    codes, _ = pd.factorize(frame[key])
    return frame.iloc[np.argsort(codes, kind="stable")]


def finding(row, cell: Any, code: str, problem: str, fix: str) -> dict[str, Any]:
    return {"source_file": row.source_file, "sheet": row.sheet, "cell": text_or_none(cell), "code": code,
            "message": f"{problem}{fix}", "suggestion": fix, "project_id": row.project_id}


def period(row) -> str:
    return period_label(row.period_end_month)


def first_cell(row, *columns: str) -> Any:
    """The first named cell column present and filled (newer schemas may carry more cells)."""
    for column in columns:
        value = getattr(row, column, None)
        if text_or_none(value):
            return value
    return None


def meets_target(frame: pd.DataFrame, value: pd.Series) -> pd.Series:
    """Whether ``value`` reaches each row's target in its direction (a bare 0 or a cost is lower-is-better)."""
    op, target = frame["target_op"], frame["target_value"]
    is_cost = frame["level2"].fillna("").astype(str).str.contains("成本", regex=False)
    op = op.mask((op == "=") & ((target == 0) | is_cost), "<=")
    top = frame["target_value_max"].fillna(target) if "target_value_max" in frame else target
    outcomes = {
        ">=": value >= target - EPS, "=": value >= target - EPS, ">": value > target,
        "<=": value <= target + EPS, "<": value < target,
        "range": (target - EPS <= value) & (value <= top + EPS),
    }
    met = pd.Series(True, index=frame.index)  # an operator without a rule never counts as short
    for name, outcome in outcomes.items():
        met = met.mask(op == name, outcome)
    return met.astype(bool)


def numeric_forecast(frame: pd.DataFrame) -> pd.Series:
    return (frame["target_op"] != "qualitative") & frame["target_value"].notna() & frame["expected_value"].notna()


def has_reasons(frame: pd.DataFrame) -> pd.Series:
    return frame["reasons"].map(lambda reasons: len(schema.as_list(reasons)) > 0).astype(bool)


# -- funds rules (§7.1, §7.2) -------------------------------------------------------------------
FUND_ROLES = (("budget", "年初预算数"), ("executed", "执行数"), ("expected", "全年预计执行数"))
PART_SOURCES = ("fiscal", "carryover", "other")


def role_label(row, role: str) -> str:
    return f"{period(row)}执行数" if role == "executed" else dict(FUND_ROLES)[role]


def check_fund_sums(ctx: Context) -> Iterable[dict]:
    # One row per project and source (the last one written wins), projects in order of first appearance.
    rows = in_group_order(ctx.funds, "project_id").drop_duplicates(["project_id", "source"], keep="last")
    parts = rows[rows["source"].isin(PART_SOURCES)]
    totals = rows[(rows["source"] == "total") & rows["project_id"].isin(parts["project_id"])].set_index("project_id")
    flagged = []  # (project, role) pairs, in the order the findings are listed
    for role_index, (role, _) in enumerate(FUND_ROLES):
        parts_sum = parts.pivot(index="project_id", columns="source", values=role).reindex(totals.index).sum(
            axis=1, min_count=1)  # missing when every part is missing: nothing to compare
        wrong = totals[role].notna() & parts_sum.notna() & (
            (totals[role] - parts_sum).abs() > ctx.limits.amount_tolerance + EPS)
        flagged += [(position, role_index, parts_sum.iloc[position]) for position in np.flatnonzero(wrong.to_numpy())]
    for position, role_index, parts_sum in sorted(flagged, key=lambda item: item[:2]):
        role = FUND_ROLES[role_index][0]
        total = next(totals.iloc[[position]].reset_index().itertuples())
        own = parts[parts["project_id"] == total.project_id].sort_values("source", key=lambda s: s.map(PART_SOURCES.index))
        terms = " + ".join(f"{label} {amount(value)}" for label, value in zip(own["label"], own[role])
                           if not schema.is_missing(value))
        stated = getattr(total, role)
        yield finding(total, getattr(total, f"{role}_cell"), "FUNDS_SUM_MISMATCH",
                      f"年度资金总额的{role_label(total, role)} {amount(stated)} 万元不等于各资金来源之和 {amount(parts_sum)} 万元"
                      f"（{terms}），相差 {amount(stated - parts_sum)} 万元。",
                      f"请核对后使两者一致：年度资金总额应填 {amount(parts_sum)}，或改正各来源的金额。")


def check_executed_within_budget(ctx: Context) -> Iterable[dict]:
    funds, tolerance = ctx.funds, ctx.limits.amount_tolerance
    over = (funds["executed"].notna() & funds["budget"].notna()
            & ~is_unit_slip(funds["executed"], funds["budget"], ctx.limits.unit_slip_ratio)
            & (funds["executed"] > funds["budget"] + tolerance + EPS))
    for row in funds[over].itertuples():
        yield finding(row, row.executed_cell, "EXECUTED_OVER_BUDGET",
                      f"{row.label}的{period(row)}执行数 {amount(row.executed)} 万元超过了年初预算数 {amount(row.budget)} 万元。",
                      "请核对执行数是否多填、是否含了其他项目或以前年度的支出；执行数不应超过年初预算数，"
                      "预算已调整的请按调整后的预算数填写并在备注中说明。")


def check_reported_rate(ctx: Context) -> Iterable[dict]:
    funds = ctx.funds
    recomputed = funds["executed"] / funds["budget"] * 100
    wrong = (funds["executed_rate_reported"].notna() & funds["executed"].notna() & (funds["budget"] > 0)
             & ((funds["executed_rate_reported"] - recomputed).abs() > ctx.limits.rate_tolerance_pp))
    for row, rate in zip(funds[wrong].itertuples(), recomputed[wrong]):
        yield finding(row, row.rate_cell, "RATE_MISMATCH",
                      f"{row.label}的{period(row)}执行率填为 {row.executed_rate_reported:.2f}%，"
                      f"按“执行数 ÷ 年初预算数”计算应为 {rate:.2f}%。",
                      f"请改为 {rate:.2f}%：执行率以年初预算数为分母，不是已到位（已拨付）的资金。")


def check_forecast_not_below_executed(ctx: Context) -> Iterable[dict]:
    funds = ctx.funds
    below = funds["expected"] < funds["executed"] - ctx.limits.amount_tolerance - EPS  # False where either is missing
    for row in funds[below].itertuples():
        yield finding(row, row.expected_cell, "FORECAST_BELOW_EXECUTED",
                      f"{row.label}的全年预计执行数 {amount(row.expected)} 万元小于{period(row)}已执行的 {amount(row.executed)} 万元。",
                      f"全年预计执行数包括已经执行的部分，应不少于 {amount(row.executed)} 万元，请重新预计后填写。")


def check_unit_slips(ctx: Context) -> Iterable[dict]:
    ratio = ctx.limits.unit_slip_ratio
    funds = in_group_order(ctx.funds, "project_id")
    first_total = funds[funds["source"] == "total"].drop_duplicates("project_id")
    total_budget = funds["project_id"].map(pd.Series(first_total["budget"].to_numpy(), index=first_total["project_id"]))
    is_total = funds.index.isin(first_total.index)
    slips = pd.DataFrame({
        "executed": is_unit_slip(funds["executed"], funds["budget"], ratio),
        "expected": is_unit_slip(funds["expected"], funds["budget"], ratio),
        "budget": ~is_total & is_unit_slip(funds["budget"], total_budget, ratio),
    }, index=funds.index)
    flagged = slips.any(axis=1).to_numpy()
    for row, slip, reference in zip(funds[flagged].itertuples(), slips[flagged].itertuples(), total_budget[flagged]):
        for role in ("executed", "expected"):
            if getattr(slip, role):
                yield _slip(row, role, getattr(row, role), "年初预算数", row.budget)
        if slip.budget:
            yield _slip(row, "budget", row.budget, "年度资金总额", reference)


def _slip(row, role: str, value: float, reference_label: str, reference: float) -> dict:
    return finding(row, getattr(row, f"{role}_cell"), "AMOUNT_UNIT_SLIP",
                   f"{row.label}的{role_label(row, role)} {amount(value)} 是{reference_label} {amount(reference)} 的 "
                   f"{value / reference:,.0f} 倍，疑似按“元”填写。",
                   f"本表金额单位为万元，请填写 {amount(value / 10_000)}（即 {amount(value)} 元 ÷ 10000）；如确为万元请在备注中说明。")


# -- indicator rules (§7.2 - §7.5) --------------------------------------------------------------
def check_rate_over_ceiling(ctx: Context) -> Iterable[dict]:
    ceiling, ind = ctx.limits.rate_ceiling, ctx.indicators
    rated = (ind["target_unit"] == "%") & (ind["target_value"] <= ceiling)
    over = {role: (rated & (ind[f"{role}_value"] > ceiling)).to_numpy() for role in ("actual", "expected")}
    either = over["actual"] | over["expected"]
    for row, actual_over, expected_over in zip(ind[either].itertuples(), over["actual"][either], over["expected"][either]):
        for role, label, flagged in (("actual", f"{period(row)}执行情况", actual_over),
                                     ("expected", "全年预计完成情况", expected_over)):
            if flagged:
                value = getattr(row, f"{role}_value")
                yield finding(row, getattr(row, f"{role}_cell"), "INDICATOR_RATE_OVER_100",
                              f"指标“{row.name}”的{label}为 {V.format_number(value)}%，超过了 {V.format_number(ceiling)}%。",
                              f"比率类指标（如合格率、覆盖率、满意度）不会超过 {V.format_number(ceiling)}%，请核实后填写实际比率，如“96%”。")


def _unparsed_target(text: Any) -> bool:
    """A filled 年度指标值 that names a number (not a date) or a placeholder, yet was not understood."""
    if text_or_none(text) is None:
        return False
    folded = V.normalize(text)
    has_number = re.search(r"\d", folded) and not V.DATE_PHRASE_RE.search(folded)
    return bool(has_number or UNPARSEABLE_TARGET_RE.search(folded))


def check_target_parses(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    unparsed = (ind["target_op"] == "qualitative") & per_value(ind["target_text"], _unparsed_target).astype(bool)
    for row in ind[unparsed].itertuples():
        yield finding(row, row.target_cell, "TARGET_UNPARSED",
                      f"指标“{row.name}”的年度指标值“{row.target_text}”无法识别为可衡量的目标。",
                      "请按年初批复写成“比较符+数值+单位”（如“≥95%”“不少于10台”“≤2小时”），"
                      "或写成定性目标（如“有效提升”“按时完成”）。")


def check_comparator_lost(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    # "≥95%" copied through a system that drops "≥" can come out as "295%"
    starts_with_two = per_value(ind["target_text"], lambda text: V.normalize(text).startswith("2")).astype(bool)
    lost = ((ind["target_op"] == "=") & (ind["target_unit"] == "%") & (ind["target_value"] > 200)
            & (ind["target_value"] < 300) & starts_with_two)
    for row in ind[lost].itertuples():
        meant = V.normalize(row.target_text)[1:]
        yield finding(row, row.target_cell, "TARGET_COMPARATOR_LOST",
                      f"指标“{row.name}”的年度指标值“{row.target_text}”疑似是“≥{meant}”在复制或转换时丢失了“≥”"
                      "（“≥”变成了“2”）。",
                      f"请按年初批复改为“≥{meant}”。")


def check_possibility_given(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    # unreadable text is reported by ingest as POSSIBILITY_UNPARSED
    for row in ind[~filled(ind["possibility"]) & ~filled(ind["possibility_text"])].itertuples():
        yield finding(row, first_cell(row, "possibility_cell", "expected_cell", "name_cell"), "POSSIBILITY_MISSING",
                      f"指标“{row.name}”没有填写完成目标可能性。",
                      "请在“确定能”“有可能”“完全不可能”三项中选一项打“√”。")


def check_possibility_wording(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    written = per_value(ind["possibility_text"], lambda text: V.normalize(text) if text_or_none(text) else None)
    loose = written.notna() & ind["possibility"].notna() & (written != ind["possibility"])
    for row in ind[loose].itertuples():
        yield finding(row, first_cell(row, "possibility_cell", "expected_cell", "name_cell"), "POSSIBILITY_NONSTANDARD",
                      f"指标“{row.name}”的完成目标可能性写成了“{row.possibility_text}”，已按“{row.possibility}”理解。",
                      f"请只填写“确定能”“有可能”或“完全不可能”之一（此处应为“{row.possibility}”）。")


def doubtful(frame: pd.DataFrame) -> pd.Series:
    return frame["possibility"].isin(("有可能", "完全不可能"))


def check_reason_ticked(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    for row in ind[doubtful(ind) & ~has_reasons(ind)].itertuples():
        yield finding(row, first_cell(row, "reasons_cell", "name_cell"), "REASON_NOT_TICKED",
                      f"指标“{row.name}”的完成目标可能性为“{row.possibility}”，但没有勾选偏差原因。",
                      "请在偏差原因分析的经费保障、制度保障、人员保障、硬件条件保障、其他中勾选相应原因（打“√”）。")


def check_explanation_given(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    for row in ind[doubtful(ind) & ~filled(ind["reason_text"]) & ~filled(ind["remarks"])].itertuples():
        yield finding(row, first_cell(row, "reason_text_cell", "name_cell"), "EXPLANATION_MISSING",
                      f"指标“{row.name}”的完成目标可能性为“{row.possibility}”，但没有填写原因说明。",
                      "请在“原因说明”栏写明不能完成（或可能不能完成）的具体原因，并在“备注”中写明拟采取的措施。")


def check_certain_but_short(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    short = (ind["possibility"] == "确定能") & numeric_forecast(ind) & ~meets_target(ind, ind["expected_value"])
    for row in ind[short].itertuples():
        yield finding(row, row.expected_cell, "CERTAIN_BUT_FORECAST_SHORT",
                      f"指标“{row.name}”的完成目标可能性填“确定能”，但全年预计完成“{row.expected_text}”"
                      f"达不到年度指标值“{row.target_text}”。",
                      "请核实：能完成的，把全年预计完成情况改为达到年度指标值的数；不能完成的，"
                      "改选“有可能”或“完全不可能”，勾选偏差原因并填写原因说明。")


def check_reasons_on_target(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    needless = has_reasons(ind) & numeric_forecast(ind) & meets_target(ind, ind["expected_value"])
    for row in ind[needless].itertuples():
        yield finding(row, first_cell(row, "reasons_cell", "name_cell"), "REASONS_BUT_ON_TARGET",
                      f"指标“{row.name}”全年预计完成“{row.expected_text}”已达到年度指标值“{row.target_text}”，"
                      f"却勾选了偏差原因（{'、'.join(row.reasons)}）。",
                      "没有偏差的指标不填偏差原因，请删除勾选；如确有偏差，请改正全年预计完成情况。")


def check_placeholder_forecasts(ctx: Context) -> Iterable[dict]:
    limits = ctx.limits
    ind = in_group_order(ctx.indicators, "project_id")
    placeholder = per_value(ind["expected_text"], lambda text: V.normalize(text) in PLACEHOLDER_FORECASTS).astype(bool)
    by_project = placeholder.groupby(ind["project_id"], sort=False)
    counts, all_placeholder = by_project.size(), by_project.all()
    heads = ind.drop_duplicates("project_id").set_index("project_id", drop=False)
    counts, all_placeholder = counts.reindex(heads.index), all_placeholder.reindex(heads.index)
    suspect = ((counts >= limits.placeholder_min_indicators) & all_placeholder
               & (heads["budget_total"] > 0) & heads["executed_total"].notna())
    for head, n_rows in zip(heads[suspect.to_numpy()].itertuples(), counts[suspect]):
        rate = head.executed_total / head.budget_total
        progress = time_progress(int(head.year), int(head.period_end_month), ctx.profile.time_progress.basis) / 100
        if rate / progress * 100 < ctx.profile.budget.red_below:
            yield finding(head, head.expected_cell, "PLACEHOLDER_FORECASTS",
                          f"本项目全部 {n_rows} 个指标的全年预计完成情况都填为“100%”或“已完成”，"
                          f"但{period(head)}预算执行率只有 {rate * 100:.1f}%（序时进度 {progress * 100:.1f}%）。",
                          "请按实际进度逐项预计全年能完成的数值；预计完成不了的如实填写，并勾选偏差原因、填写原因说明。")


def check_period(ctx: Context) -> Iterable[dict]:
    """A submission for another period than the configured monitoring point (default 1-7月, 7月31日)."""
    year, month = ctx.settings.year, ctx.settings.period_end_month
    projects = ctx.projects
    own_year = projects["year"].fillna(year).astype(int)
    own_month = projects["period_end_month"].fillna(month).astype(int)
    other = (own_year != year) | (own_month != month)
    totals = ctx.funds[ctx.funds["source"] == "total"].set_index("project_id") if len(ctx.funds) else None
    for row, row_year, row_month in zip(projects[other].itertuples(), own_year[other], own_month[other]):
        cell = totals.at[row.project_id, "executed_cell"] \
            if totals is not None and row.project_id in totals.index and "executed_cell" in totals else None
        yield finding(row, cell, "PERIOD_MISMATCH",
                      f"本表按{row_year}年1-{row_month}月填报，通知规定的监控时点为{year}年{month}月末（1-{month}月）。"
                      f"本次按1-{row_month}月的序时进度单独计算，不纳入全县比较和部门排名。",
                      f"请按{year}年1-{month}月的执行数和执行情况重新填报。")


COPIES_NAMED = 3  # projects named in a COPIED_REASON_TEXT message; more are summed up as "等"


def check_copied_reasons(ctx: Context) -> Iterable[dict]:
    ind = ctx.indicators
    texts = ind.assign(key=per_value(ind["reason_text"], _reason_key))
    texts = texts[texts["key"].str.len() >= ctx.limits.copied_text_min_chars]
    for _, group in texts.groupby("key", sort=False):
        projects = group.drop_duplicates("project_id")
        if len(projects) < 2:
            continue
        # The first projects of the group are enough to name COPIES_NAMED others for any row.
        first = list(zip(projects["project_id"], projects["project_name"]))[:COPIES_NAMED + 1]
        for row in group.itertuples():
            others = [name for pid, name in first if pid != row.project_id][:COPIES_NAMED]
            named = "、".join(f"“{name}”" for name in others) + ("等" if len(projects) - 1 > COPIES_NAMED else "")
            yield finding(row, first_cell(row, "reason_text_cell", "name_cell"), "COPIED_REASON_TEXT",
                          f"指标“{row.name}”的原因说明与项目{named}中的原因说明一字不差。",
                          "请针对本项目、本指标的实际情况分析偏差原因，写明具体原因和拟采取的措施，不要照抄其他项目。")


def _reason_key(text: Any) -> str:
    return re.sub(r"[，,。.；;、:：!！\s]", "", V.normalize(text)) if text_or_none(text) else ""


# -- the catalogue ------------------------------------------------------------------------------


# The check functions, by the code they emit (the rules themselves are in jixiao/domain/findings.py).
CHECK_FUNCTIONS: dict[str, Callable[[Context], Iterable[dict]]] = {
    "FUNDS_SUM_MISMATCH": check_fund_sums,
    "EXECUTED_OVER_BUDGET": check_executed_within_budget,
    "RATE_MISMATCH": check_reported_rate,
    "FORECAST_BELOW_EXECUTED": check_forecast_not_below_executed,
    "AMOUNT_UNIT_SLIP": check_unit_slips,
    "INDICATOR_RATE_OVER_100": check_rate_over_ceiling,
    "TARGET_UNPARSED": check_target_parses,
    "TARGET_COMPARATOR_LOST": check_comparator_lost,
    "POSSIBILITY_MISSING": check_possibility_given,
    "POSSIBILITY_NONSTANDARD": check_possibility_wording,
    "REASON_NOT_TICKED": check_reason_ticked,
    "EXPLANATION_MISSING": check_explanation_given,
    "CERTAIN_BUT_FORECAST_SHORT": check_certain_but_short,
    "REASONS_BUT_ON_TARGET": check_reasons_on_target,
    "PLACEHOLDER_FORECASTS": check_placeholder_forecasts,
    "COPIED_REASON_TEXT": check_copied_reasons,
    "PERIOD_MISMATCH": check_period,
}
NEW_CODES = {rule.code for rule in CHECK_RULES + RIGIDITY_RULES}
assert set(RIGIDITY_CODES) == {rule.code for rule in RIGIDITY_RULES}


# -- running ------------------------------------------------------------------------------------
def check_tables(tables: dict[str, pd.DataFrame], approved: pd.DataFrame | None = None,
                 profile: RuleProfile | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """Run every rule on the ingest tables; returns the new findings only (severity from the catalogue)."""
    profile = profile or load_profile()
    ctx = Context.from_tables(tables, profile, settings)
    limits = profile.checks
    found: list[dict] = []
    for code, check in CHECK_FUNCTIONS.items():
        found += _run_rule(code, check, ctx)
    if approved is not None:
        found += rigidity_findings(tables["projects"], tables["indicators"], approved, limits.rename_min_similarity,
                                   funds=tables.get("funds"), amount_tolerance=limits.amount_tolerance)
    for item in found:
        item["severity"] = severity_of(item["code"])
    return schema.conform(pd.DataFrame(found), "findings")


def _run_rule(code: str, check: Callable[[Context], Iterable[dict]], ctx: Context) -> list[dict]:
    try:
        return list(check(ctx))
    except Exception as exc:  # noqa: BLE001 - lazy validation: one broken rule must not hide the others
        traceback.print_exc()
        return [{"source_file": None, "sheet": None, "cell": None, "code": "CHECK_FAILED", "project_id": None,
                 "message": f"校验规则 {code} 运行出错（{type(exc).__name__}），已跳过。", "suggestion": None}]


def run_checks(processed_dir: Path, approved_path: Path | None = None, settings: Settings | None = None,
               profile: RuleProfile | None = None) -> pd.DataFrame:
    """Read the ingest tables, run every rule, write the checks' findings and return all findings.

    The checks' findings go to their own table (``check_findings``), replaced on every run, so the
    command can be repeated and the reader's findings are never rewritten.
    """
    processed_dir = Path(processed_dir)
    settings = settings or Settings()
    tables = read_ingest_tables(processed_dir)
    approved = read_approved(Path(approved_path), settings) if approved_path else None
    reader_findings = tables["findings"][~tables["findings"]["code"].isin(NEW_CODES)]
    tables["findings"] = reader_findings
    new = write_table(processed_dir, "check_findings", check_tables(tables, approved, profile, settings))
    write_checks_meta(processed_dir, approved_path)
    return schema.conform(pd.concat([reader_findings, new], ignore_index=True), "findings")


CHECKS_META = "checks_meta.json"


def write_checks_meta(processed_dir: Path, approved_path: Path | None) -> None:
    """Which checks ran: whether the approved targets were compared (briefs claim only what ran)."""
    meta = {"approved_compared": approved_path is not None,
            "approved_source": str(approved_path) if approved_path else None}
    (Path(processed_dir) / CHECKS_META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def approved_compared(processed_dir: Path) -> bool:
    """True only when the last check run compared the submissions with an approved list."""
    path = Path(processed_dir) / CHECKS_META
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("approved_compared"))
    except (OSError, ValueError):
        return False


def rule_meaning(rule: Rule, limits: CheckRules | None = None, for_docs: bool = False) -> str:
    """The rule's meaning with setting names replaced by their values (named too, in the docs)."""
    limits = limits or load_profile().checks
    text = rule.meaning
    for field in fields(CheckRules):
        value = getattr(limits, field.name)
        text = text.replace(field.name, f"`{field.name}`（默认 {value}）" if for_docs else f"{value:g}"
                            if isinstance(value, float) else str(value))
    return text


def summary_line(findings: pd.DataFrame) -> str:
    """'共 12 条问题：必须改正 5，请核实 6，已自动处理 1' for the command line."""
    counts = findings["severity"].value_counts()
    parts = "，".join(f"{label} {counts.get(sev, 0)}" for sev, label in SEVERITY_LABELS.items())
    return f"共 {len(findings)} 条问题：{parts}"


# -- rule catalogue document --------------------------------------------------------------------
STAGE_TITLES = {"校验": "二、校验规则（jixiao check）", "批复": "三、与年初批复目标比对（--approved）",
                "读取": "一、读取阶段的提示（jixiao ingest）",
                "轮次": "四、与上一轮比对（jixiao run，多轮次；未给批复目标时，三中的规则也以同年上一轮为准）"}


def rules_markdown() -> str:
    """docs/rules.md, generated from :data:`CATALOGUE` and :class:`jixiao.config.profile.CheckRules` (the ``[checks]`` section of the rule profile)."""
    lines = [
        "# 校验规则目录 / Rule catalogue",
        "",
        "由 `jixiao/validate/checks.py` 生成（`jixiao rules > docs/rules.md`，或 `python -m jixiao.validate.checks`），请勿手工修改。",
        "Generated from `jixiao/validate/checks.py`; do not edit by hand.",
        "",
        "每条问题提示（findings 表的一行）都有稳定的规则代码、严重程度、工作表和单元格，以及一段中文说明："
        "哪里有问题、应如何填写。严重程度：" + "；".join(f"`{k}` {v}" for k, v in SEVERITY_LABELS.items()) + "。",
        "",
    ]
    for stage in ("读取", "校验", "批复", "轮次"):
        lines += [f"## {STAGE_TITLES[stage]}", "", "| 代码 | 严重程度 | 含义 | 示例 | 如何改正 |", "|---|---|---|---|---|"]
        lines += [f"| `{r.code}` | {r.severity} | {rule_meaning(r, for_docs=True)} | {r.example} | {r.fix} |"
                  for r in CATALOGUE if r.stage == stage]
        lines.append("")
    defaults = load_profile().checks
    lines += ["## 五、阈值与容差（规则配置 [checks]）", "",
              "规则中的阈值都在规则配置文件的 `[checks]` 一节（默认 `jixiao/profiles/default.toml`，"
              "可用 `--rules` 换用自己的配置），默认值来自领域说明（monitoring.md §4、§7）。"
              "“执行严重滞后”沿用 `[budget] red_below` 的红灯标准，序时进度沿用 `[time_progress]`。"
              "元/万元判断另用配置项 `yuan_suspect_threshold`（`jixiao/config/settings.py`）。", "",
              "| 设置 | 默认值 | 含义 |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {getattr(defaults, f.name)} | {setting_doc(CheckRules, f.name)} |" for f in fields(CheckRules)]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(rules_markdown(), end="")
