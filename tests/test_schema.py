from __future__ import annotations

from jixiao.store import schema

from conftest import ROOT


def test_schema_document_is_generated_from_the_code():
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == schema.markdown()


def test_contract_columns_are_in_the_schema():
    contract = {
        "submissions": {"source_file", "sha256", "status", "reason", "n_projects"},
        "projects": {"project_id", "source_file", "sheet", "year", "period_end_month", "dept_name", "dept_code",
                     "unit_name", "project_name", "annual_goal", "budget_total", "budget_fiscal", "budget_carryover",
                     "budget_other", "executed_total", "expected_total"},
        "funds": {"project_id", "source", "budget", "executed", "executed_rate_reported", "expected"},
        "indicators": {"project_id", "indicator_id", "level1", "level2", "name", "target_text", "target_op",
                       "target_value", "target_value_max", "target_unit", "actual_text", "actual_value",
                       "expected_text", "expected_value", "reasons", "reason_text", "possibility", "remarks",
                       "sheet", "row"},
        "findings": {"source_file", "sheet", "cell", "severity", "code", "message"},
    }
    for table, columns in contract.items():
        assert columns <= {c.name for c in schema.TABLES[table]}, table


def test_every_column_is_documented_with_a_type_and_meaning():
    for columns in schema.TABLES.values():
        for column in columns:
            assert column.type in schema.DTYPES and column.meaning


def test_conform_fills_missing_columns_and_checks_clean():
    frame = schema.conform(__import__("pandas").DataFrame({"project_id": ["a"], "reasons": [None]}), "indicators")
    assert schema.check(frame, "indicators") == []
    assert frame.loc[0, "reasons"] == []
