"""The one table reader/writer: validated, atomic, and loud in Chinese about damaged folders."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from jixiao.store import schema
from jixiao.store.tables import (
    TableError,
    read_findings,
    read_table,
    remove_downstream,
    table_path,
    write_table,
    write_tables,
)


def submissions(**overrides) -> pd.DataFrame:
    row = {"source_file": "教育局/监控表.xlsx", "sha256": "ab" * 32, "status": "ok", "reason": None,
           "n_projects": 2, "n_indicators": 9, "n_replaced": 0, "file_type": "xlsx", "size_bytes": 1234,
           "modified": "2023-08-01T10:00:00+08:00"}
    return pd.DataFrame([{**row, **overrides}])


def finding(code: str) -> pd.DataFrame:
    return pd.DataFrame([{"source_file": "a.xlsx", "sheet": "Sheet1", "cell": "D5", "severity": "error",
                          "code": code, "message": "说明", "project_id": None, "suggestion": None}])


def test_a_table_comes_back_as_written_with_its_schema(tmp_path):
    write_table(tmp_path, "submissions", submissions())
    back = read_table(tmp_path, "submissions")
    assert back.loc[0, "status"] == "ok" and back.loc[0, "n_projects"] == 2
    assert schema.check(back, "submissions") == []


def test_a_missing_table_names_the_file_and_the_step(tmp_path):
    with pytest.raises(TableError, match=r"找不到数据表 .*submissions\.parquet：请先运行 jixiao ingest"):
        read_table(tmp_path, "submissions")


@pytest.mark.parametrize("damage", [b"", b"PAR1\x00\x01", b"not parquet at all"])
def test_a_truncated_or_foreign_table_is_reported_as_damaged(tmp_path, damage):
    write_table(tmp_path, "project_status", pd.DataFrame())
    table_path(tmp_path, "project_status").write_bytes(damage)
    with pytest.raises(TableError, match="已损坏.*请重新运行 jixiao metrics"):
        read_table(tmp_path, "project_status")


def test_a_table_written_with_other_columns_is_refused(tmp_path):
    pd.DataFrame({"x": [1]}).to_parquet(table_path(tmp_path, "submissions"))
    with pytest.raises(TableError, match="表结构不符"):
        read_table(tmp_path, "submissions")


@pytest.mark.parametrize("column, value, words", [
    ("status", "weird", "status"),
    ("size_bytes", -1, "size_bytes"),
    ("n_projects", -3, "n_projects"),
])
def test_values_outside_the_schema_are_refused_and_every_failure_is_listed(tmp_path, column, value, words):
    with pytest.raises(TableError, match=words):
        write_table(tmp_path, "submissions", submissions(**{column: value}))
    assert not table_path(tmp_path, "submissions").exists()


def test_infinite_amounts_never_reach_a_table(tmp_path):
    frame = pd.DataFrame([{"project_id": "p", "source": "total", "budget": math.inf}])
    with pytest.raises(TableError, match="budget"):
        write_table(tmp_path, "funds", frame)


def test_a_non_number_in_a_number_column_is_an_error_not_a_blank(tmp_path):
    with pytest.raises(ValueError, match="submissions.n_projects"):
        write_table(tmp_path, "submissions", submissions(n_projects="两个"))


def test_a_refused_stage_leaves_the_previous_tables_untouched(tmp_path):
    write_tables(tmp_path, {"submissions": submissions(), "findings": finding("A")})
    before = {name: table_path(tmp_path, name).read_bytes() for name in ("submissions", "findings")}
    with pytest.raises(TableError):
        write_tables(tmp_path, {"submissions": submissions(n_projects=5), "findings": finding("B").assign(severity="?")})
    assert {name: table_path(tmp_path, name).read_bytes() for name in before} == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_checks_keep_their_own_findings_beside_the_readers(tmp_path):
    write_table(tmp_path, "findings", finding("FROM_READER"))
    assert list(read_findings(tmp_path)["code"]) == ["FROM_READER"]
    write_table(tmp_path, "check_findings", finding("FROM_CHECKS"))
    assert list(read_findings(tmp_path)["code"]) == ["FROM_READER", "FROM_CHECKS"]
    assert list(read_table(tmp_path, "findings")["code"]) == ["FROM_READER"]


def test_a_new_ingest_removes_the_stale_tables_of_later_stages(tmp_path):
    write_tables(tmp_path, {"check_findings": finding("OLD"), "project_status": pd.DataFrame()})
    remove_downstream(tmp_path, "jixiao ingest")
    assert not table_path(tmp_path, "check_findings").exists()
    assert not table_path(tmp_path, "project_status").exists()
