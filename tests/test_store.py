"""The DuckDB store: rounds round-trip, a rewrite replaces a round, a killed write changes nothing."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from jixiao.config.profile import load_profile
from jixiao.config.settings import Settings
from jixiao.metrics.compute import compute_metrics
from jixiao.normalise.ingest import ingest
from jixiao.store import schema
from jixiao.store.warehouse import ROUND_TABLES, Round, Store, StoreError

from factory import Project, SheetSpec, build

ROOT = Path(__file__).resolve().parents[1]
JULY, OCTOBER = Round(2023, 7), Round(2023, 10)


def _tables(tmp_path: Path, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Real tidy and metrics tables of a workbook with one project per name."""
    raw = tmp_path / f"raw-{len(names)}"
    raw.mkdir(parents=True, exist_ok=True)
    build(raw / "a.xlsx", [SheetSpec(f"S{i}", [Project(name=name)]) for i, name in enumerate(names)])
    tables = ingest(raw, tmp_path / f"out-{len(names)}", Settings())
    return {**tables, **compute_metrics(tables, load_profile(), Settings())}


def test_round_trip_keeps_every_table_and_type(tmp_path):
    tables = _tables(tmp_path, ("农村公路养护项目", "危桥改造项目"))
    store = Store(tmp_path / "s.duckdb")
    store.write_round(JULY, tables, {"input_hash": "h1", "n_projects": 2})
    back = store.read_round(JULY)
    for name, frame in tables.items():
        assert schema.check(back[name], name) == []
        expected = schema.conform(frame, name)
        if name == "indicators":  # lists come back as lists of str
            assert back[name]["reasons"].map(list).tolist() == expected["reasons"].map(list).tolist()
            expected, back[name] = expected.drop(columns="reasons"), back[name].drop(columns="reasons")
        if name == "indicator_status":
            expected, back[name] = expected.drop(columns="reasons"), back[name].drop(columns="reasons")
        pd.testing.assert_frame_equal(back[name], expected)
    info = store.round_info(JULY)
    assert info["round_label"] == "2023年1-7月" and info["input_hash"] == "h1" and info["loaded_at"]


def test_rewriting_a_round_replaces_it_and_leaves_other_rounds(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    two, one = _tables(tmp_path, ("甲项目", "乙项目")), _tables(tmp_path, ("丙项目",))
    store.write_round(JULY, two, {"input_hash": "a"})
    store.write_round(OCTOBER, two, {"input_hash": "b"})
    store.write_round(JULY, one, {"input_hash": "c"})
    assert store.round_list() == [JULY, OCTOBER]
    assert store.read_round(JULY)["projects"]["project_name"].tolist() == ["丙项目"]
    assert len(store.read_round(OCTOBER)["projects"]) == 2
    assert store.rounds()["input_hash"].tolist() == ["c", "b"]


def test_a_failing_write_rolls_back(tmp_path, monkeypatch):
    store = Store(tmp_path / "s.duckdb")
    store.write_round(JULY, _tables(tmp_path, ("甲项目", "乙项目")), {"input_hash": "old"})
    calls = []

    def broken(con, table, frame, round_):
        calls.append(table)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        Store._insert.__wrapped__(con, table, frame, round_)

    original = Store._insert
    broken.__wrapped__ = original
    monkeypatch.setattr(Store, "_insert", staticmethod(broken))
    with pytest.raises(RuntimeError):
        store.write_round(JULY, _tables(tmp_path, ("丙项目",)), {"input_hash": "new"})
    monkeypatch.setattr(Store, "_insert", original)
    assert store.rounds()["input_hash"].tolist() == ["old"]
    assert store.read_round(JULY)["projects"]["project_name"].tolist() == ["甲项目", "乙项目"]


KILLER = textwrap.dedent("""
    import os, signal, sys
    import pandas as pd
    from jixiao.store.warehouse import Round, Store
    store = Store(sys.argv[1])
    tables = {name: pd.read_parquet(f"{sys.argv[2]}/{name}.parquet") for name in ("projects", "funds", "indicators")}
    real, calls = Store._insert, []
    def dying(con, table, frame, round_):
        real(con, table, frame, round_)
        calls.append(table)
        if table == "indicators":  # half of the round is written: die without any clean-up
            os.kill(os.getpid(), signal.SIGKILL)
    Store._insert = staticmethod(dying)
    store.write_round(Round(2023, 7), tables, {"input_hash": "new"})
""")


@pytest.mark.slow  # a fresh interpreter importing pandas and DuckDB
def test_a_killed_write_leaves_the_previous_state(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.write_round(JULY, _tables(tmp_path, ("甲项目", "乙项目")), {"input_hash": "old"})
    _tables(tmp_path, ("丙项目", "丁项目", "戊项目"))  # tables of another submission in out-3/
    script = tmp_path / "kill.py"
    script.write_text(KILLER, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(store.path), str(tmp_path / "out-3")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == -9, done.stderr
    assert store.rounds()["input_hash"].tolist() == ["old"]
    back = store.read_round(JULY)
    assert back["projects"]["project_name"].tolist() == ["甲项目", "乙项目"]
    assert set(back["indicators"]["project_id"]) == set(back["projects"]["project_id"])


def test_parquet_export_is_hive_partitioned_per_round(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    tables = _tables(tmp_path, ("甲项目", "乙项目"))
    store.write_round(JULY, tables, {"input_hash": "a"})
    store.write_round(OCTOBER, _tables(tmp_path, ("丙项目",)), {"input_hash": "b"})
    out = tmp_path / "export"
    store.export_parquet(out, JULY)
    store.export_parquet(out, OCTOBER)
    assert (out / "projects" / "year=2023" / "period=7" / "data_0.parquet").is_file()
    pooled = duckdb.sql(f"SELECT year, period, count(*) AS n FROM read_parquet('{out.as_posix()}/projects/*/*/*.parquet', "
                        "hive_partitioning = true) GROUP BY ALL ORDER BY period").fetchall()
    assert pooled == [(2023, 7, 2), (2023, 10, 1)]
    frame = pd.read_parquet(out / "indicators")  # pandas reads the partitions as columns too
    assert set(frame["period"].astype(int)) == {7, 10}
    store.export_parquet(out, JULY)  # re-export replaces, never duplicates
    assert len(pd.read_parquet(out / "projects" / "year=2023" / "period=7")) == 2


@pytest.mark.parametrize("text", ["2023-07", "2023-7", "2023年1-7月", "2023年7月", " 2023 年 1-7 月 "])
def test_round_names(text):
    assert Round.parse(text) == JULY and JULY.key == "2023-07" and JULY.label == "2023年1-7月"


def test_bad_round_name_is_a_chinese_error():
    with pytest.raises(StoreError, match="无法识别的轮次"):
        Round.parse("2023-13")


def test_every_round_table_is_documented():
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    for table in (*ROUND_TABLES, "rounds"):
        assert f"## {table}" in doc


@pytest.mark.slow  # a second interpreter holds the file
def test_a_store_held_by_another_process_is_a_chinese_error(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.write_round(JULY, _tables(tmp_path, ("甲项目",)), {"input_hash": "a"})
    code = f"import duckdb, time\ncon = duckdb.connect({str(store.path)!r}); print('ready', flush=True); time.sleep(30)"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="正被另一个程序使用"):
            store.write_round(JULY, _tables(tmp_path, ("乙项目",)), {"input_hash": "b"})
    finally:
        holder.kill()
        holder.wait()
    assert store.rounds()["input_hash"].tolist() == ["a"]
