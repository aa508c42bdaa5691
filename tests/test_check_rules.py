"""Check rules on hand-made tables: each rule fires on its case, at its cell, and stays silent on the clean one."""
from __future__ import annotations

import pandas as pd
import pytest

from jixiao.config.profile import profile_from_text
from jixiao.store import schema
from jixiao.validate.checks import check_tables

SHEET = "监控表"


def tables(funds: list[dict] | None = None, indicators: list[dict] | None = None) -> dict[str, pd.DataFrame]:
    """One project of 100 万元 (财政拨款 80 + 结转 20), executed 50, with the given fund rows and indicators."""
    project = {"project_id": "p1", "source_file": "教育局/监控表.xlsx", "sheet": SHEET, "year": 2023,
               "period_end_month": 7, "dept_name": "湟源县教育局", "unit_name": "湟源县第一中学",
               "project_name": "校舍维修", "budget_total": 100.0, "executed_total": 50.0, "expected_total": 100.0}
    base_funds = [
        {"source": "total", "label": "年度资金总额", "budget": 100.0, "executed": 50.0, "expected": 100.0,
         "budget_cell": "C6", "executed_cell": "F6", "expected_cell": "L6"},
        {"source": "fiscal", "label": "当年财政拨款", "budget": 80.0, "executed": 40.0, "expected": 80.0,
         "budget_cell": "C7", "executed_cell": "F7", "expected_cell": "L7"},
        {"source": "carryover", "label": "上年结转资金", "budget": 20.0, "executed": 10.0, "expected": 20.0,
         "budget_cell": "C8", "executed_cell": "F8", "expected_cell": "L8"},
    ]
    frames = {
        "projects": pd.DataFrame([project]),
        "funds": pd.DataFrame([{**row, "project_id": "p1", "sheet": SHEET} for row in (funds or base_funds)]),
        "indicators": pd.DataFrame([{"project_id": "p1", "sheet": SHEET, **row} for row in (indicators or [])]),
        "findings": pd.DataFrame(),
    }
    return {name: schema.conform(frame, name) for name, frame in frames.items()}


def indicator(**changes) -> dict:
    row = {"indicator_id": "p1-a", "level1": "产出指标", "level2": "数量指标", "name": "维修校舍面积",
           "target_text": "≥3000平方米", "target_op": ">=", "target_value": 3000.0, "target_unit": "平方米",
           "actual_text": "1800", "actual_value": 1800.0, "expected_text": "3000", "expected_value": 3000.0,
           "possibility": "确定能", "reasons": [], "name_cell": "C12", "reasons_cell": "G12",
           "reason_text_cell": "O12", "possibility_cell": "L12", "target_cell": "D12", "row": 12}
    return {**row, **changes}


def codes_at(found: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(found["code"], found["cell"]))


def test_a_consistent_project_has_no_finding():
    assert check_tables(tables(indicators=[indicator()])).empty


def test_a_total_that_is_not_the_sum_of_its_sources_is_reported_at_the_total():
    funds = tables()["funds"].to_dict("records")
    funds[0]["budget"] = 120.0
    found = check_tables(tables(funds=funds, indicators=[indicator()]))
    assert ("FUNDS_SUM_MISMATCH", "C6") in codes_at(found)
    message = found.loc[found["code"] == "FUNDS_SUM_MISMATCH", "message"].iloc[0]
    assert "120.00" in message and "100.00" in message and "相差 20.00 万元" in message


def test_the_tolerance_comes_from_the_profile():
    funds = tables()["funds"].to_dict("records")
    funds[0]["budget"] = 100.5
    strict = check_tables(tables(funds=funds))
    lenient = check_tables(tables(funds=funds), profile=profile_from_text("[checks]\namount_tolerance = 1.0\n"))
    assert "FUNDS_SUM_MISMATCH" in set(strict["code"]) and "FUNDS_SUM_MISMATCH" not in set(lenient["code"])


def test_spending_beyond_the_budget_is_an_error_at_the_executed_cell():
    funds = tables()["funds"].to_dict("records")
    funds[1]["executed"] = 90.0  # 财政拨款 80, executed 90
    found = check_tables(tables(funds=funds))
    row = found[found["code"] == "EXECUTED_OVER_BUDGET"].iloc[0]
    assert (row["cell"], row["severity"]) == ("F7", "error") and "1-7月执行数 90.00 万元" in row["message"]


@pytest.mark.parametrize("changes, code, cell", [
    ({"possibility": "有可能", "reasons": [], "reason_text": "资金到位晚"}, "REASON_NOT_TICKED", "G12"),
    ({"possibility": "完全不可能", "reasons": ["经费保障"]}, "EXPLANATION_MISSING", "O12"),
    ({"possibility": None}, "POSSIBILITY_MISSING", "L12"),
])
def test_possibility_and_reasons(changes, code, cell):
    found = check_tables(tables(indicators=[indicator(**changes)]))
    assert (code, cell) in codes_at(found)
    assert found.loc[found["code"] == code, "message"].str.contains("维修校舍面积").all()


def test_certain_but_short_is_a_warning():
    found = check_tables(tables(indicators=[indicator(expected_value=2400.0, expected_text="2400")]))
    row = found[found["code"] == "CERTAIN_BUT_FORECAST_SHORT"].iloc[0]
    assert row["severity"] == "warning"
