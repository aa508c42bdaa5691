"""The command line as a clerk uses it: progress bar, per-file summary, totals, exit codes."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from factory import one_project
from conftest import ROOT


def jixiao(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_ingest_prints_progress_per_file_summary_and_totals(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "交通运输局.xlsx")
    (raw / "坏文件.xlsx").write_bytes(b"PK\x03\x04 broken")
    result = jixiao("ingest", str(raw), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "读取报送文件" in result.stderr  # the progress bar
    assert "[完整读取] 交通运输局.xlsx：1 个项目" in result.stdout
    assert "[无法读取] 坏文件.xlsx" in result.stdout and "原因：文件已损坏" in result.stdout
    assert "合计：2 个文件（完整 1，部分 0，失败 1）" in result.stdout
    assert len(pd.read_parquet(tmp_path / "out" / "projects.parquet")) == 1


def test_ingest_exits_non_zero_only_when_it_cannot_run(tmp_path):
    result = jixiao("ingest", str(tmp_path / "没有这个文件夹"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "找不到报送文件夹" in result.stderr


def test_quiet_mode_prints_only_the_totals(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "a.xlsx")
    result = jixiao("ingest", str(raw), "--out", str(tmp_path / "out"), "--quiet")
    assert result.stdout.strip().startswith("合计：1 个文件") and result.stderr == ""


def test_run_uses_the_configured_folders(tmp_path):
    (tmp_path / "inbox").mkdir()
    one_project(tmp_path / "inbox" / "a.xlsx")
    (tmp_path / "jixiao.toml").write_text('[paths]\nraw = "inbox"\nprocessed = "tables"\n', encoding="utf-8")
    result = jixiao("run", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tables" / "indicators.parquet").exists()


def test_help_is_chinese():
    result = jixiao("--help")
    assert "绩效运行监控" in result.stdout and "ingest" in result.stdout
