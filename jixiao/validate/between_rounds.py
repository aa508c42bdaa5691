"""Consistency between two rounds of the same year.

* 1-N月 amounts and cumulative indicator values are running totals: from 1-7月 to 1-10月
  they cannot fall (``CUMULATIVE_DECREASED``, at the later round's cell).
* Annual budgets and annual targets are fixed for the year: when no approved list is given,
  the earlier round's submission serves as the approved list, and the rigidity findings of
  :mod:`jixiao.validate.approved` say what changed (worded against that round).

Projects are paired through ``project_identity`` (:mod:`jixiao.store.identity`), indicators by
their normalised 二级指标 and 三级指标 names.
"""
from __future__ import annotations

import pandas as pd

from jixiao.normalise import values as V
from jixiao.store.schema import is_missing
from jixiao.validate.approved import APPROVED_COLUMNS, rigidity_findings

FUND_LABELS = {"total": "年度资金总额", "fiscal": "当年财政拨款", "carryover": "上年结转资金", "other": "其他资金"}
# Between rounds a project may be new or dropped: that is a comparison, not a rigidity problem.
ROUND_RIGIDITY_SKIPPED = ("PROJECT_NOT_APPROVED", "PROJECT_NOT_SUBMITTED")


def _number(value) -> float | None:
    return None if is_missing(value) else float(value)


def _fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _to_identity(identity: pd.DataFrame) -> dict[str, str]:
    return dict(zip(identity["project_id"], identity["identity_id"]))


def _indicator_key(row) -> str:
    return f"{V.normalize(row.level2)}|{V.normalize(row.name)}"


def cumulative_findings(now: dict[str, pd.DataFrame], before: dict[str, pd.DataFrame], now_label: str,
                        before_label: str, amount_tolerance: float) -> list[dict]:
    """CUMULATIVE_DECREASED for every 执行数 and cumulative indicator value lower than in ``before``."""
    now_ids, before_ids = _to_identity(now["project_identity"]), _to_identity(before["project_identity"])
    projects = {p.project_id: p for p in now["projects"].itertuples()}
    findings = []
    earlier_funds = {(before_ids.get(f.project_id), f.source): _number(f.executed)
                     for f in before["funds"].itertuples()}
    for fund in now["funds"].itertuples():
        then = earlier_funds.get((now_ids.get(fund.project_id), fund.source))
        value = _number(fund.executed)
        if then is None or value is None or value >= then - amount_tolerance:
            continue
        label = FUND_LABELS.get(fund.source, fund.label)
        findings.append(_decreased(projects.get(fund.project_id), fund.sheet, fund.executed_cell, fund.project_id,
                                   f"{label}的{now_label}执行数 {_fmt(value)} 万元，少于{before_label}报送的执行数 "
                                   f"{_fmt(then)} 万元。", "万元"))
    cumulative = set()
    status = now.get("indicator_status")
    if status is not None and not status.empty:
        cumulative = set(status.loc[status["is_cumulative"].fillna(False).astype(bool), "indicator_id"])
    earlier = {(before_ids.get(i.project_id), _indicator_key(i)): i for i in before["indicators"].itertuples()}
    for ind in now["indicators"].itertuples():
        if ind.indicator_id not in cumulative:
            continue
        old = earlier.get((now_ids.get(ind.project_id), _indicator_key(ind)))
        value, then = _number(ind.actual_value), None if old is None else _number(old.actual_value)
        if value is None or then is None or value >= then - 1e-9:
            continue
        if V.normalize(old.target_unit) != V.normalize(ind.target_unit):
            continue  # different units: not comparable
        unit = "" if is_missing(ind.target_unit) else ind.target_unit
        findings.append(_decreased(projects.get(ind.project_id), ind.sheet, ind.actual_cell, ind.project_id,
                                   f"指标“{ind.name}”{now_label}完成 {_fmt(value)}{unit}，少于{before_label}报送的 "
                                   f"{_fmt(then)}{unit}。", unit))
    return findings


def _decreased(project, sheet, cell, project_id, problem: str, unit: str) -> dict:
    suggestion = "1-N月数是年初至今的累计数，只增不减；请核实并按累计数填写，确有冲回、退款的请在备注中说明。"
    return {"source_file": None if project is None else project.source_file, "sheet": sheet, "cell": cell,
            "code": "CUMULATIVE_DECREASED", "project_id": project_id,
            "message": f"{problem}{suggestion}", "suggestion": suggestion}


def earlier_as_approved(before: dict[str, pd.DataFrame], now_identity: pd.DataFrame, label: str) -> pd.DataFrame:
    """The earlier round's projects and indicators in the shape of an approved-targets table.

    Project ids are translated to this round's ids through the identities, so that the
    rigidity rules pair each project with its own earlier submission.
    """
    to_now = {identity: pid for pid, identity in zip(now_identity["project_id"], now_identity["identity_id"])}
    before_ids = _to_identity(before["project_identity"])
    projects = before["projects"].copy()
    projects["project_id"] = [to_now.get(before_ids.get(pid), f"earlier-{pid}") for pid in projects["project_id"]]
    project_columns = [c for c in APPROVED_COLUMNS if c in projects.columns]
    indicators = before["indicators"].copy()
    indicators["project_id"] = [to_now.get(before_ids.get(pid), f"earlier-{pid}") for pid in indicators["project_id"]]
    indicator_columns = ["project_id", "level1", "level2", "name", "target_text", "target_op", "target_value",
                         "target_value_max", "target_unit"]
    merged = indicators[indicator_columns].merge(projects[project_columns], on="project_id", how="inner")
    merged["approved_file"] = label
    return merged.reindex(columns=list(APPROVED_COLUMNS))


def rigidity_between(now: dict[str, pd.DataFrame], before: dict[str, pd.DataFrame], before_label: str,
                     min_similarity: float, amount_tolerance: float) -> list[dict]:
    """Rigidity findings of this round against the earlier round's submission (same year)."""
    approved = earlier_as_approved(before, now["project_identity"], before_label)
    if approved.empty:
        return []
    found = rigidity_findings(now["projects"], now["indicators"], approved, min_similarity, funds=now["funds"],
                              amount_tolerance=amount_tolerance)
    out = []
    for item in found:
        if item["code"] in ROUND_RIGIDITY_SKIPPED:
            continue
        for key in ("message", "suggestion"):
            item[key] = _against_round(item.get(key), before_label)
        out.append(item)
    return out


def _against_round(text, label: str):
    """Rigidity wording names the approval; here the reference is the earlier round's submission."""
    if is_missing(text):
        return text
    return str(text).replace("年初批复的", f"{label}报送的").replace("年初批复", f"{label}报送").replace(
        "与批复", f"与{label}报送").replace("按批复", f"按{label}报送")
