"""The one table reader/writer: Parquet files in a processed folder, validated at every stage boundary.

* ``write_tables`` conforms each frame to its schema (``jixiao.store.schema``), validates it with pandera
  (lazily: every failure is collected, not just the first), writes every file of the stage to a temporary
  name and only then renames them into place, so a crash or a kill never leaves a half-written table.
* ``read_tables`` turns a missing, empty, corrupt or foreign table into a :class:`TableError` whose Chinese
  message names the file and the command that writes it again; commands print it and exit 2.

Each stage owns its tables (``PRODUCERS``): the checks write ``check_findings`` beside the reader's
``findings`` instead of rewriting them; ``read_findings`` gives both together.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from jixiao.store import schema

SUFFIX = ".parquet"
# The command that writes each table: named in every error so a clerk knows what to re-run.
PRODUCERS = {
    **{name: "jixiao ingest" for name in schema.INGEST_TABLES},
    "check_findings": "jixiao check",
    **{name: "jixiao metrics" for name in schema.METRICS_TABLES},
}
MAX_FAILURES_SHOWN = 5  # a schema error lists this many failing values, then counts the rest


class TableError(RuntimeError):
    """A table that cannot be used; the message is Chinese, names the file and the step to re-run."""


def table_path(folder: Path, name: str) -> Path:
    return Path(folder) / f"{name}{SUFFIX}"


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Conform, validate and atomically write ``tables``; returns the frames as written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {name: validate(schema.conform(frame, name), name) for name, frame in tables.items()}
    staged: list[tuple[Path, Path]] = []
    try:
        for name, frame in written.items():
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            os.close(handle)
            frame.to_parquet(temporary, index=False)
            staged.append((Path(temporary), table_path(folder, name)))
        for temporary, final in staged:
            os.replace(temporary, final)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return written


def write_table(folder: Path, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    return write_tables(folder, {name: frame})[name]


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """One table, checked against its schema; any problem is a :class:`TableError` in Chinese."""
    path = table_path(folder, name)
    step = PRODUCERS.get(name, "jixiao run")
    if not path.is_file():
        raise TableError(f"找不到数据表 {path}：请先运行 {step}。")
    try:
        frame = pd.read_parquet(path)
    except Exception:  # pyarrow raises several types for truncated, empty or foreign files
        raise TableError(f"数据表 {path} 已损坏（不完整或不是有效的数据表）：请重新运行 {step}。") from None
    try:
        return validate(frame, name)
    except TableError as exc:
        raise TableError(f"数据表 {path} 与当前版本的表结构不符（{exc}）：请重新运行 {step}。") from None


def read_tables(folder: Path, names: tuple[str, ...] | list[str]) -> dict[str, pd.DataFrame]:
    return {name: read_table(folder, name) for name in names}


def has_table(folder: Path, name: str) -> bool:
    return table_path(folder, name).is_file()


def read_findings(folder: Path) -> pd.DataFrame:
    """Every finding of a processed folder: the reader's, plus the checks' once ``jixiao check`` ran."""
    findings = read_table(folder, "findings")
    if has_table(folder, "check_findings"):
        findings = pd.concat([findings, read_table(folder, "check_findings")], ignore_index=True)
    return findings


def read_ingest_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The reader's tables; ``findings`` includes the checks' findings when they exist."""
    tables = read_tables(folder, schema.INGEST_TABLES)
    tables["findings"] = read_findings(folder)
    return tables


def remove_downstream(folder: Path, producer: str) -> None:
    """Tables later stages derived from an earlier run are stale once ``producer`` writes again."""
    order = list(dict.fromkeys(PRODUCERS.values()))
    later = set(order[order.index(producer) + 1:])
    for name, step in PRODUCERS.items():
        if step in later:
            table_path(folder, name).unlink(missing_ok=True)


def validate(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` checked against the pandera model of table ``name``; every failure is reported together."""
    try:
        return model(name).validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise TableError(_describe(exc, name)) from None


def model(name: str) -> pa.DataFrameSchema:
    """The pandera model of a table, built from the written schema (types, allowed values, ranges)."""
    columns = {}
    for column in schema.TABLES[name]:
        dtype = None if column.type == "list" else schema.DTYPES[column.type]
        columns[column.name] = pa.Column(dtype, checks=_checks(name, column), nullable=True,
                                         description=column.meaning, title=column.name)
    return pa.DataFrameSchema(columns, name=name, strict=True, ordered=True, coerce=False)


def _checks(table: str, column: schema.Column) -> list[pa.Check]:
    rule = schema.constraint(table, column.name)
    checks = []
    if rule.allowed:
        checks.append(pa.Check.isin(rule.allowed, ignore_na=True))
    if column.type == "float":
        # inf or an amount of 1e309 must never reach a total: non-finite values are refused outright.
        checks.append(pa.Check(lambda s: np.isfinite(s) | s.isna(), element_wise=False, name="有限数值"))
    if rule.minimum is not None:
        checks.append(pa.Check.ge(rule.minimum, ignore_na=True))
    if rule.maximum is not None:
        checks.append(pa.Check.le(rule.maximum, ignore_na=True))
    return checks


def _describe(exc: SchemaErrors, name: str) -> str:
    cases = exc.failure_cases
    shown = [f"{row.column}={row.failure_case!r}（{row.check}）" for row in cases.head(MAX_FAILURES_SHOWN).itertuples()]
    more = len(cases) - len(shown)
    return f"表 {name} 有 {len(cases)} 处不符合表结构：" + "；".join(shown) + (f"；另有 {more} 处" if more > 0 else "")
