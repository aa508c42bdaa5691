"""The store that remembers: one DuckDB file holding every monitoring round.

A round is keyed by (year, period end month) — 2023年1-7月 is ``Round(2023, 7)``. Each
round holds its tidy tables, findings, metrics, project identities and 整改 items (the
columns of :mod:`jixiao.store.schema`, plus ``round_year`` and ``round_period``), and one
row in ``rounds`` with its rule profile, input hash and load time. Writing a round replaces
it inside one transaction, so a crash or a kill mid-write leaves the previous state.

The same data is exported as Parquet, hive-partitioned per round
(``<export>/<table>/year=2023/period=7/data_0.parquet``), for pandas, Spark or Trino.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from jixiao.store import schema

ROUND_COLUMNS = ("round_year", "round_period")
# Tables stored per round, in write order (``rounds`` last: it marks the round complete).
WORK_DIR = "rounds"  # processed/rounds/<YYYY-MM>/: each round's tidy tables
ROUND_TABLES = ("submissions", "projects", "funds", "indicators", "findings", "project_status", "indicator_status",
                "county_summary", "documents",
                "department_summary", "project_identity", "rectification", "round_inputs")
ARROW_TYPES = {"string": pa.string(), "float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(),
               "list": pa.list_(pa.string())}
SQL_TYPES = {"string": "VARCHAR", "float": "DOUBLE", "int": "BIGINT", "bool": "BOOLEAN", "list": "VARCHAR[]"}
ROUND_RE = re.compile(r"^\s*(\d{4})\s*(?:[-./]\s*(\d{1,2})|年(?:度)?\s*(?:1\s*[-－—~～至到]\s*)?(\d{1,2})\s*月)\s*$")


class StoreError(Exception):
    """The store cannot be used as asked; the message is Chinese."""


@dataclass(frozen=True, order=True)
class Round:
    """A monitoring round: the year and the end month N of the period 1-N月."""

    year: int
    period: int

    @property
    def key(self) -> str:
        """'2023-07': the folder name under reports/ and the --round argument."""
        return f"{self.year}-{self.period:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年1-{self.period}月"

    @classmethod
    def parse(cls, text: str) -> Round:
        """'2023-07', '2023-7', '2023年1-7月' or '2023年7月' -> Round(2023, 7)."""
        match = ROUND_RE.match(str(text))
        month = int(match.group(2) or match.group(3)) if match else 0
        if not match or not 1 <= month <= 12:
            raise StoreError(f"无法识别的轮次“{text}”，请写成 2023-07 或 2023年1-7月")
        return cls(int(match.group(1)), month)

    def __str__(self) -> str:
        return self.label


def columns_of(table: str) -> tuple[schema.Column, ...]:
    """Stored columns: the round key, then the table's schema (``rounds`` carries the key itself)."""
    own = schema.TABLES[table]
    return own if table == "rounds" else (*schema.ROUND_KEY_COLUMNS, *own)


def arrow_table(frame: pd.DataFrame, table: str, round_: Round | None = None) -> pa.Table:
    """``frame`` conformed to the schema, with the round key, as an Arrow table of explicit types."""
    frame = schema.conform(frame, table)
    if table != "rounds" and round_ is not None:
        frame.insert(0, "round_period", round_.period)
        frame.insert(0, "round_year", round_.year)
    arrays = []
    for column in columns_of(table):
        values = frame[column.name]
        if column.type == "list":
            data = [schema.as_list(v) for v in values]
            data = [[None if schema.is_missing(x) else str(x) for x in v] for v in data]
        else:
            data = [None if schema.is_missing(v) else v for v in values.astype(object)]
        arrays.append(pa.array(data, type=ARROW_TYPES[column.type]))
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns_of(table)])


class Store:
    """The DuckDB file. Open it for each operation: DuckDB allows one writing process at a time."""

    def __init__(self, path: Path):
        self.path = Path(path)

    # -- connection -------------------------------------------------------------------------------
    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        if read_only and not self.path.exists():
            raise StoreError(f"找不到数据库 {self.path}，请先运行 jixiao run")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            if "lock" in str(exc).lower():  # another process (the explorer, a second run) has it open for writing
                raise StoreError(f"数据库 {self.path} 正被另一个程序使用（如另一个 jixiao run 或交互查询界面），"
                                 "请关闭后重试") from exc
            raise StoreError(f"无法打开数据库 {self.path}（{exc}）") from exc
        if not read_only:
            self._create_tables(con)
        return con

    @staticmethod
    def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
        have: dict[str, set[str]] = {}
        for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
            have.setdefault(table, set()).add(column)
        for table in (*ROUND_TABLES, "rounds"):
            if table not in have:
                columns = ", ".join(f'"{c.name}" {SQL_TYPES[c.type]}' for c in columns_of(table))
                con.execute(f'CREATE TABLE "{table}" ({columns})')
                continue
            for column in columns_of(table):  # a newer jixiao added a column: add it, old rounds read NULL
                if column.name not in have[table]:
                    con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column.name}" {SQL_TYPES[column.type]}')

    # -- writing ----------------------------------------------------------------------------------
    def write_round(self, round_: Round, tables: dict[str, pd.DataFrame], meta: dict) -> None:
        """Replace ``round_`` with ``tables`` and its ``rounds`` row, all or nothing."""
        con = self.connect()
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                for table in (*ROUND_TABLES, "rounds"):
                    con.execute(f'DELETE FROM "{table}" WHERE round_year = ? AND round_period = ?',
                                [round_.year, round_.period])
                for table in ROUND_TABLES:
                    self._insert(con, table, tables.get(table, schema.empty_frame(table)), round_)
                row = {**meta, "round_year": round_.year, "round_period": round_.period, "round_label": round_.label,
                       "loaded_at": meta.get("loaded_at") or now_iso()}
                self._insert(con, "rounds", pd.DataFrame([row]), round_)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, round_: Round) -> None:
        incoming = arrow_table(frame, table, round_)  # noqa: F841 - read by DuckDB's replacement scan
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming')

    # -- reading ----------------------------------------------------------------------------------
    def rounds(self) -> pd.DataFrame:
        """One row per stored round, oldest first (empty when there is no store yet)."""
        if not self.path.exists():
            return schema.empty_frame("rounds")
        con = self.connect(read_only=True)
        try:
            frame = _frame(con, 'SELECT * FROM "rounds" ORDER BY round_year, round_period')
        except duckdb.CatalogException:
            return schema.empty_frame("rounds")
        finally:
            con.close()
        return schema.conform(frame, "rounds")

    def round_list(self) -> list[Round]:
        return [Round(int(r.round_year), int(r.round_period)) for r in self.rounds().itertuples()]

    def round_info(self, round_: Round) -> dict | None:
        frame = self.rounds()
        mine = frame[(frame["round_year"] == round_.year) & (frame["round_period"] == round_.period)]
        return None if mine.empty else mine.iloc[0].to_dict()

    def read_round(self, round_: Round, names: tuple[str, ...] = ROUND_TABLES) -> dict[str, pd.DataFrame]:
        """The tables of one round, conformed to the schema (round key columns dropped)."""
        con = self.connect(read_only=True)
        try:
            out = {}
            for table in names:
                query = f'SELECT * EXCLUDE (round_year, round_period) FROM "{table}" WHERE round_year = ? AND round_period = ?'
                frame = _frame(con, query, [round_.year, round_.period])
                out[table] = schema.conform(frame, table)
            return out
        finally:
            con.close()

    def read_table(self, table: str, before: Round | None = None) -> pd.DataFrame:
        """``table`` over every round (or every round before ``before``), with the round key columns."""
        if not self.path.exists():
            return pd.DataFrame(columns=[c.name for c in columns_of(table)])
        con = self.connect(read_only=True)
        try:
            where, params = ("", []) if before is None else (
                " WHERE round_year * 100 + round_period < ?", [before.year * 100 + before.period])
            return _frame(con, f'SELECT * FROM "{table}"{where} ORDER BY round_year, round_period', params)
        finally:
            con.close()

    # -- export -----------------------------------------------------------------------------------
    def export_parquet(self, out_dir: Path, round_: Round) -> Path:
        """Write the round's tables as ``<out_dir>/<table>/year=Y/period=N/data_0.parquet`` (replacing it).

        The hive keys ``year`` and ``period`` replace the round columns; a table's own ``year``
        column (projects, project_status: the header's year) is left out of the files because
        the partition key of the same name is the round's year.
        """
        out_dir = Path(out_dir)
        con = self.connect(read_only=True)
        try:
            for table in (*ROUND_TABLES, "rounds"):
                names = [c.name for c in columns_of(table) if c.name not in (*ROUND_COLUMNS, "year")]
                select = ", ".join(f'"{n}"' for n in names)
                target = out_dir / table / f"year={round_.year}" / f"period={round_.period}"
                staging = out_dir / ".staging" / table
                shutil.rmtree(staging, ignore_errors=True)
                staging.mkdir(parents=True)
                where = f"round_year = {int(round_.year)} AND round_period = {int(round_.period)}"
                path = (staging / "data_0.parquet").as_posix().replace("'", "''")
                con.execute(f"COPY (SELECT {select} FROM \"{table}\" WHERE {where}) TO '{path}' (FORMAT parquet)")
                shutil.rmtree(target, ignore_errors=True)
                target.parent.mkdir(parents=True, exist_ok=True)
                staging.rename(target)
            shutil.rmtree(out_dir / ".staging", ignore_errors=True)
        finally:
            con.close()
        return out_dir


def _frame(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> pd.DataFrame:
    return con.sql(query, params=params or None).to_arrow_table().to_pandas()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def round_folders(processed: Path) -> dict[str, Path]:
    """Round label -> its folder of tables under ``processed/rounds/`` (for a round selector), oldest first."""
    folders = {}
    for path in sorted(Path(processed, WORK_DIR).glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]")):
        if (path / "project_status.parquet").is_file():
            round_ = Round.parse(path.name)
            folders[round_.label] = path
    return folders
