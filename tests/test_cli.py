"""The command line as a clerk uses it: progress bar, per-file summary, totals, exit codes."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from jixiao.store.tables import read_findings

from conftest import ROOT
from factory import Project, one_project

# Every test here starts the command line as a process, as a clerk would.
pytestmark = pytest.mark.slow


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


def test_run_is_the_whole_main_job_in_the_configured_folders(tmp_path):
    (tmp_path / "inbox").mkdir()
    one_project(tmp_path / "inbox" / "a.xlsx", Project(funds=[("年度资金总额", 100.0, 150.0, 95.0)]))
    (tmp_path / "strict.toml").write_text('[profile]\nname = "严格口径"\n', encoding="utf-8")
    (tmp_path / "jixiao.toml").write_text(
        '[paths]\nraw = "inbox"\nprocessed = "tables"\nreports = "out"\nrules = "strict.toml"\n'
        '[document]\nissuer = "某县财政局"\nissue_date = "2023年9月15日"\n', encoding="utf-8")
    result = jixiao("run", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for step in ("第1步", "第2步", "第3步", "第4步", "第5步", "输出1", "输出2", "输出3", "输出4", "输出5", "各步骤用时"):
        assert step in result.stdout
    tables = tmp_path / "tables"
    assert (tables / "indicators.parquet").exists() and (tables / "department_summary.parquet").exists()
    assert (pd.read_parquet(tables / "project_status.parquet")["profile_name"] == "严格口径").all()
    assert "EXECUTED_OVER_BUDGET" in set(read_findings(tables)["code"])
    assert list((tmp_path / "out" / "2023-07" / "汇总").glob("*.xlsx"))
    assert list((tmp_path / "out" / "2023-07" / "反馈").glob("*.xlsx")), "the over-budget unit gets feedback"
    assert len(list((tmp_path / "out" / "2023-07" / "charts").glob("*.svg"))) >= 5
    briefs = tmp_path / "out" / "2023-07" / "briefs"
    assert (tmp_path / "data" / "jixiao.duckdb").is_file(), "the round is stored (default paths.store)"
    assert "2023年1-7月" in jixiao("rounds", cwd=tmp_path).stdout
    assert {p.name for p in briefs.iterdir()} >= {"湟源县交通运输局.html", "湟源县交通运输局.pdf", "湟源县交通运输局.docx",
                                                  "全县监控情况报告.pdf", "全县监控情况报告.docx"}
    assert list((tmp_path / "out" / "2023-07" / "情况表").glob("*.xlsx"))
    import docx

    texts = [p.text for p in docx.Document(str(briefs / "湟源县交通运输局.docx")).paragraphs]
    assert "某县财政局" in texts and "2023年9月15日" in texts  # the run's own [document] settings, not the kernel's


def test_metrics_with_a_rules_file_prints_the_method(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "a.xlsx")
    assert jixiao("ingest", str(raw), "--out", str(tmp_path / "p"), "-q").returncode == 0
    rules = tmp_path / "严格.toml"
    rules.write_text('[profile]\nname = "严格口径"\n[budget]\ngreen_from = 95\n', encoding="utf-8")
    result = jixiao("metrics", str(tmp_path / "p"), "--rules", str(rules), "--out", str(tmp_path / "reports"))
    assert result.returncode == 0, result.stderr
    assert "严格口径" in result.stdout and "排名方法" in result.stdout and "重点监控" in result.stdout
    assert list((tmp_path / "reports" / "2023-07" / "汇总").glob("*.xlsx"))


@pytest.mark.parametrize("command", ["check", "metrics", "feedback", "charts", "briefs"])
def test_stage_commands_refuse_a_folder_without_tables(tmp_path, command):
    extra = ["--out", str(tmp_path / "o")] if command == "feedback" else []
    result = jixiao(command, str(tmp_path), *extra)
    assert result.returncode == 2 and "请先运行 jixiao ingest" in result.stderr


def test_briefs_refuse_an_unknown_format(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "a.xlsx")
    assert jixiao("ingest", str(raw), "--out", str(tmp_path / "p"), "-q").returncode == 0
    result = jixiao("briefs", str(tmp_path / "p"), "--format", "docx,odt")
    assert result.returncode == 2 and "不支持的格式 odt" in result.stderr


def test_a_bad_rule_profile_stops_with_a_chinese_message(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "a.xlsx")
    (tmp_path / "bad.toml").write_text("[budget]\nred_beloww = 50\n", encoding="utf-8")
    result = jixiao("ingest", str(raw), "--out", str(tmp_path / "p"), "--rules", str(tmp_path / "bad.toml"))
    assert result.returncode == 2 and "无法识别" in result.stderr and "red_beloww" in result.stderr


def test_help_is_chinese():
    result = jixiao("--help")
    assert "绩效运行监控" in result.stdout and "ingest" in result.stdout


def test_usage_errors_are_chinese_too():
    result = jixiao("ingest")
    assert result.returncode == 2
    assert "用法：" in result.stderr and "缺少必需的参数" in result.stderr



@pytest.fixture(scope="module")
def processed_folder(tmp_path_factory) -> Path:
    """A folder after the chain up to metrics, on one generated workbook."""
    root = tmp_path_factory.mktemp("chain")
    (root / "raw").mkdir()
    one_project(root / "raw" / "教育局监控表.xlsx")
    assert jixiao("ingest", str(root / "raw"), "--out", str(root / "p"), cwd=root).returncode == 0
    assert jixiao("metrics", str(root / "p"), "--out", str(root / "reports"), cwd=root).returncode == 0
    return root / "p"


# Each command with a table it reads: a copy cut short, as a killed process leaves it, must stop it in Chinese.
DAMAGE_CASES = [("check", "submissions"), ("metrics", "findings"), ("feedback", "funds"),
                ("charts", "project_status"), ("briefs", "department_summary")]


@pytest.mark.parametrize("command, table", DAMAGE_CASES)
def test_every_command_stops_in_chinese_on_a_damaged_folder(processed_folder, tmp_path, command, table):
    damaged = tmp_path / "p"
    shutil.copytree(processed_folder, damaged)
    path = damaged / f"{table}.parquet"
    path.write_bytes(path.read_bytes()[:40])
    out = [] if command == "check" else ["--out", str(tmp_path / "out")]
    result = jixiao(command, str(damaged), *out, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "已损坏" in result.stderr and table in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# ---------------------------------------------------------------- issue 14: protect data, forgive habits

def test_demo_refuses_a_folder_that_holds_files_unless_forced(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "真实报送.xlsx").write_bytes(b"real")
    result = jixiao("demo", "--out", str(inbox))
    assert result.returncode == 2 and "示范数据不能混入真实报送" in result.stderr and "--force" in result.stderr
    assert [p.name for p in inbox.iterdir()] == ["真实报送.xlsx"]


@pytest.mark.parametrize("args, message", [(("--month", "13"), "月份 13 不存在"), (("--year", "1800"), "年度 1800 不合理"),
                                           (("--month", "七"), "月份“七”不是整数")])
def test_impossible_periods_are_refused_in_chinese(tmp_path, args, message):
    result = jixiao("ingest", str(tmp_path), *args)
    assert result.returncode == 2 and message in result.stderr and "argument" not in result.stderr


def test_unknown_command_suggests_the_closest(tmp_path):
    result = jixiao("rnu")
    assert result.returncode == 2 and "您是不是要：jixiao run" in result.stderr and "invalid choice" not in result.stderr


def test_every_help_ends_with_two_examples():
    from jixiao.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.choices and "run" in a.choices).choices
    for name, sub in [("jixiao", parser), *subparsers.items()]:
        lines = sub.format_help().rstrip().splitlines()
        assert lines[-3] == "示例：", name
        assert all(line.strip().startswith("jixiao ") for line in lines[-2:]), name


def test_department_typo_stops_at_once_with_the_closest_names(processed_folder, tmp_path):
    result = jixiao("briefs", str(processed_folder), "--department", "交通运书局", "--out", str(tmp_path / "reports"))
    assert result.returncode == 2 and "没有主管部门“交通运书局”" in result.stderr
    assert "最接近的有：湟源县交通运输局" in result.stderr
    assert not (tmp_path / "reports").exists()  # stopped before any brief


def test_partial_department_names_resolve_to_the_full_name():
    from jixiao.cli import CommandError, resolve_department

    known = ["湟源县教育局", "湟源县应急管理局", "湟源县卫生健康局"]
    assert resolve_department("教育局", known) == "湟源县教育局"
    assert resolve_department("湟源县应急管理局", known) == "湟源县应急管理局"
    with pytest.raises(CommandError, match="对应多个主管部门"):
        resolve_department("湟源县", known)
    with pytest.raises(CommandError, match="最接近的有：湟源县卫生健康局"):
        resolve_department("卫生建康局", known)


def test_out_defaults_follow_the_configured_folders(tmp_path):
    from jixiao.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["ingest", "raw"]).out is None  # → settings.paths.processed
    assert parser.parse_args(["feedback", "data/processed"]).out is None  # → reports/<年>-<月>/反馈, as run


@pytest.mark.slow
def test_briefs_for_a_short_department_name_without_the_overview(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "交通.xlsx")
    one_project(raw / "教育.xlsx", Project(dept="湟源县教育局"))
    processed = tmp_path / "processed"
    assert jixiao("ingest", str(raw), "--out", str(processed), "-q").returncode == 0
    assert jixiao("metrics", str(processed), "--out", str(tmp_path / "reports")).returncode == 0
    result = jixiao("briefs", str(processed), "--department", "教育局", "--format", "html", "--no-overview",
                    "--out", str(tmp_path / "reports"), "-q")
    assert result.returncode == 0, result.stderr
    written = sorted(path.name for path in (tmp_path / "reports").rglob("briefs/*.html"))
    assert written == ["湟源县教育局.html"]  # the full name, and no 全县总览


@pytest.mark.slow
def test_a_demo_folder_is_never_read_together_with_real_submissions(tmp_path):
    demo = tmp_path / "demo"
    assert jixiao("demo", "--out", str(demo), "--replies", str(tmp_path / "replies")).returncode == 0
    assert jixiao("ingest", str(demo), "--out", str(tmp_path / "ok"), "-q").returncode == 0
    one_project(demo / "真实报送.xlsx")
    result = jixiao("ingest", str(demo), "--out", str(tmp_path / "mixed"), "-q")
    assert result.returncode == 2 and "混入了其他文件：真实报送.xlsx" in result.stderr
    assert not (tmp_path / "mixed").exists()
