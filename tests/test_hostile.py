"""Hostile input (issue 16): no workbook can stop, hang or double-count a batch.

A seeded corpus from :mod:`hostile` (byte flips, truncation, zip and XML damage, far references,
whole-sheet merges, a decompression bomb, many sheets, control characters, absurd amounts,
formula payloads in names, a copied sheet) is read with the real worker pool; every file must be
accounted for once, with the content-intact ones fully read and the rest failed with a plain
Chinese reason, within the per-file time and memory limits.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from pathlib import Path

import hostile
import openpyxl
import pytest

from jixiao.config.profile import load_profile
from jixiao.config.settings import Settings
from jixiao.normalise import ingest as ingest_mod
from jixiao.normalise.ingest import (
    discover_entries,
    implausible_amount,
    ingest,
    read_all,
)
from jixiao.outputs.render import safe_name
from jixiao.outputs.safe import write_text
from jixiao.validate.checks import Context

from factory import Project, SheetSpec, build, one_project

# Tight limits keep the corpus small and fast: an 8 MB member limit makes a 12 MB bomb hostile.
LIMITS = replace(Settings(), max_unpacked_mb=8, max_sheets=20, file_timeout_seconds=20, file_memory_mb=1024,
                 jobs=2, parallel_threshold=1)
ENGLISH_ERROR_RE = re.compile(r"[A-Za-z]+(Error|Exception)|Traceback|errno|Errno")
SEED = 16


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile") / "raw"
    return folder, hostile.corpus(folder, size=len(hostile.DAMAGE), seed=SEED)


@pytest.fixture(scope="module")
def tables(corpus, tmp_path_factory):
    folder, _ = corpus
    return ingest(folder, tmp_path_factory.mktemp("out"), LIMITS)


def test_every_file_is_listed_once_with_a_plain_chinese_reason(corpus, tables):
    folder, _ = corpus
    subs = tables["submissions"]
    assert sorted(subs["source_file"]) == sorted(p.name for p in folder.iterdir())
    assert subs["source_file"].is_unique
    for row in subs.itertuples():
        assert row.status in ("ok", "partial", "failed"), row
        if row.status == "failed":
            assert row.reason and not ENGLISH_ERROR_RE.search(row.reason), row
            assert "程序错误" not in row.reason, row


def test_intact_content_is_read_in_full_and_damage_fails_the_file_only(corpus, tables):
    _, kinds = corpus
    subs = tables["submissions"].set_index("source_file")
    for name, kind in kinds.items():
        if kind in hostile.STILL_READABLE or kind in ("good", "payload_names", "copied_sheet"):
            assert subs.loc[name, "status"] in ("ok", "partial"), (name, subs.loc[name, "reason"])
            assert subs.loc[name, "n_projects"] == 1, name
            assert subs.loc[name, "n_indicators"] == 5, name
        elif kind in ("bomb", "many_sheets"):
            assert subs.loc[name, "status"] == "failed" and "上限" in subs.loc[name, "reason"], name
        elif kind in ("truncated", "broken_deflate", "unknown_compression"):
            assert subs.loc[name, "status"] == "failed" and "已损坏" in subs.loc[name, "reason"], name


def test_limits_hold_per_file_in_the_worker_pool(corpus):
    folder, _ = corpus
    results = read_all(discover_entries(folder), folder, LIMITS)
    slowest = max(r.seconds for r in results)
    largest = max(r.peak_mb for r in results)
    assert slowest < LIMITS.file_timeout_seconds
    assert largest < LIMITS.file_memory_mb + 512, "worker baseline plus the per-file allowance"


def test_amounts_that_cannot_be_right_are_findings_and_left_out_of_totals(corpus, tables):
    _, kinds = corpus
    name = next(n for n, k in kinds.items() if k == "absurd_amounts")
    project = tables["projects"][tables["projects"]["source_file"] == name].iloc[0]
    assert project["budget_total"] != project["budget_total"] or project["budget_total"] is None  # NaN: not counted
    funds = tables["funds"][tables["funds"]["project_id"] == project["project_id"]]
    assert funds["budget"].dropna().map(lambda v: abs(v) < 1e6).all()
    codes = tables["findings"].query("source_file == @name")["code"].tolist()
    assert codes.count("AMOUNT_IMPLAUSIBLE") == 2  # 1e309 (inf) and -1e308
    assert implausible_amount(float("nan"), 1e6) and implausible_amount(2e6, 1e6) and not implausible_amount(5, 1e6)


def test_control_characters_are_removed_and_the_raw_text_kept_in_a_finding(corpus, tables):
    _, kinds = corpus
    name = next(n for n, k in kinds.items() if k == "control_characters")
    projects = tables["projects"]
    assert projects[projects["source_file"] == name]["unit_name"].tolist() == ["湟源县公路段"]
    finding = tables["findings"].query("source_file == @name and code == 'CONTROL_CHARACTERS'").iloc[0]
    assert finding["cell"] == "K5" and "\\x00" in finding["message"] and "\\x01" in finding["message"]


def test_a_project_copied_onto_a_second_sheet_is_counted_once(corpus, tables):
    projects = tables["projects"].query("source_file == 'copied_sheet.xlsx'")
    assert len(projects) == 1 and projects["sheet"].tolist() == ["项目一"]
    finding = tables["findings"].query("code == 'DUPLICATE_IN_WORKBOOK'").iloc[0]
    assert "项目一" in finding["message"] and "项目一 (2)" in finding["message"]
    assert finding["sheet"] == "项目一 (2)"


def test_many_copies_in_one_workbook_keep_the_check_join_linear(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    build(raw / "copies.xlsx", [SheetSpec(f"副本{i}", [Project()]) for i in range(12)])
    tables = ingest(raw, tmp_path / "out", LIMITS)
    assert len(tables["projects"]) == 1
    assert tables["projects"]["budget_total"].tolist() == [100.0]
    doubled = {**tables, "projects": tables["projects"].loc[[0] * 50]}  # even a table holding copies
    context = Context.from_tables(doubled, load_profile())
    assert len(context.indicators) == len(tables["indicators"])


def test_a_worker_that_aborts_hangs_or_hogs_memory_fails_its_file_only(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("abort.xlsx", "hang.xlsx", "hog.xlsx", "good.xlsx"):
        one_project(raw / name)
    real = ingest_mod.read_submission

    def misbehaving(path, root, settings, entry=None):
        if path.name == "abort.xlsx":
            os.abort()  # what a native reader does on an allocation failure
        if path.name == "hang.xlsx":
            time.sleep(60)
        if path.name == "hog.xlsx":
            bytearray(3 << 30)  # beyond the memory limit: MemoryError in the worker
        return real(path, root, settings, entry)

    monkeypatch.setattr(ingest_mod, "read_submission", misbehaving)  # inherited by the forked workers
    settings = replace(LIMITS, file_timeout_seconds=3, file_memory_mb=512, jobs=1)
    started = time.perf_counter()
    results = {r.source_file: r for r in read_all(discover_entries(raw), raw, settings)}
    assert time.perf_counter() - started < 20
    assert results["good.xlsx"].status == "ok"
    for name in ("abort.xlsx", "hang.xlsx", "hog.xlsx"):
        assert results[name].status == "failed", name
        assert "文件结构异常" in results[name].reason and results[name].sha256, name


def test_discovery_lists_every_entry_once_and_never_follows_links(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    outside = tmp_path / "outside.xlsx"
    one_project(outside)
    one_project(raw / "good.xlsx")
    one_project(raw / "~$good.xlsx")                      # a lock file holding a real workbook
    (raw / "link_out.xlsx").symlink_to(outside)           # leads outside the folder
    (raw / "link_in.xlsx").symlink_to(raw / "good.xlsx")  # would count good.xlsx twice
    (raw / "dangling.xlsx").symlink_to(tmp_path / "missing.xlsx")
    (raw / "loop.xlsx").symlink_to(raw / "loop.xlsx")
    os.mkfifo(raw / "pipe.xlsx")
    (raw / "folder.xlsx").mkdir()
    one_project(raw / "folder.xlsx" / "inner.xlsx")
    gbk = os.fsencode(raw) + b"/" + "教育局监控表.xlsx".encode("gbk")
    (raw / "x.xlsx").write_bytes((raw / "good.xlsx").read_bytes())
    os.rename(raw / "x.xlsx", gbk)
    bad = os.fsencode(raw) + b"/\xff\xfe.xlsx"
    with open(bad, "wb") as handle:
        handle.write((raw / "good.xlsx").read_bytes())

    tables = ingest(raw, tmp_path / "out", LIMITS)
    subs = tables["submissions"].set_index("source_file")
    assert subs.index.is_unique and len(subs) == 11
    read = subs[subs["status"] == "ok"].index.tolist()
    assert sorted(read) == sorted(["good.xlsx", "folder.xlsx/inner.xlsx", "教育局监控表.xlsx", "\ufffd\ufffd.xlsx"])
    for name in ("~$good.xlsx", "link_out.xlsx", "link_in.xlsx", "dangling.xlsx", "loop.xlsx", "pipe.xlsx",
                 "folder.xlsx"):
        assert subs.loc[name, "status"] == "skipped" and subs.loc[name, "reason"], name
    assert outside.read_bytes() and subs.loc["link_out.xlsx", "sha256"] is None or \
        subs.loc["link_out.xlsx", "sha256"] != subs.loc["good.xlsx", "sha256"]
    assert subs.loc["教育局监控表.xlsx", "raw_name"] == "教育局监控表.xlsx".encode("gbk").hex()
    assert subs.loc["good.xlsx", "raw_name"] is None or subs.loc["good.xlsx", "raw_name"] != subs.loc["good.xlsx", "raw_name"]
    assert len(tables["projects"]) == 1, "the same project in four files is counted once"
    from jixiao.outputs.feedback import raw_paths

    on_disk = raw_paths(tables["submissions"])
    assert (raw / on_disk["教育局监控表.xlsx"]).is_file(), "feedback finds the file by its raw bytes"


def test_suffixes_are_matched_whatever_their_case():
    assert ingest_mod._looks_like_workbook("报表.XLSX") and ingest_mod._looks_like_workbook("附件1.DOCX")
    assert not ingest_mod._looks_like_workbook("说明.txt")


@pytest.mark.parametrize("payload", hostile.PAYLOADS)
def test_the_cell_writer_keeps_payloads_as_text(payload):
    book = openpyxl.Workbook()
    cell = book.active["A1"]
    write_text(cell, payload + "\x00")
    assert cell.data_type == "s" and cell.value == payload


@pytest.mark.parametrize("name, expected", [("CON", "CON_"), ("nul", "nul_"), ("COM1", "COM1_"), ("LPT9", "LPT9_"),
                                            ("教育局", "教育局"), ("CONSOLE", "CONSOLE")])
def test_windows_device_names_are_made_safe(name, expected):
    from jixiao.forms.fill_in import safe_name as sheet_safe_name

    assert safe_name(name) == expected
    assert sheet_safe_name(name, 31) == expected


# -- the whole main job on a hostile folder ---------------------------------------------------------
def formula_cells(path: Path) -> list[str]:
    """Every formula cell of a written workbook (read back as stored, not as computed)."""
    book = openpyxl.load_workbook(path)
    return [f"{sheet.title}!{cell.coordinate}={cell.value}" for sheet in book.worksheets
            for cell in sheet._cells.values() if cell.data_type == "f"]


def payload_formulas(path: Path) -> list[str]:
    markers = ("HYPERLINK", "cmd|", "+1+1", "@SUM", "=1+2")
    return [f for f in formula_cells(path) if any(m in f for m in markers)]


@pytest.mark.slow
def test_every_workbook_writer_keeps_submitted_payloads_as_text(tmp_path):
    """汇总, feedback, fill-in template and explorer export, each on units named like formulas."""
    from jixiao.forms.fill_in import write_templates
    from jixiao.metrics.compute import run_metrics
    from jixiao.outputs.explorer import Explorer
    from jixiao.outputs.feedback import write_feedback
    from jixiao.outputs.summary_excel import write_summary_workbook
    from jixiao.store.tables import read_ingest_tables as read_tables

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    hostile.payload_workbooks(raw)
    hostile.control_characters_workbook(raw / "control.xlsx")
    ingest(raw, processed, LIMITS)
    tables = run_metrics(processed, None, LIMITS)
    intake = {name: frame for name, frame in read_tables(processed).items() if name in ("submissions", "findings")}
    summary = write_summary_workbook({**tables, **intake}, tmp_path / "reports")
    feedback = write_feedback(processed, raw, tmp_path / "feedback")
    templates = write_templates(raw / "payload1.xlsx", tmp_path / "templates")
    export = Explorer.from_processed(processed, tmp_path / "export").export(tmp_path / "export" / "all.xlsx")
    assert feedback and templates
    for path in [summary, *feedback, *templates, export]:
        assert payload_formulas(path) == [], path
    texts = {c.value for s in openpyxl.load_workbook(summary).worksheets for c in s._cells.values()}
    from jixiao.normalise.values import tidy_name

    assert {tidy_name(p) for p in hostile.PAYLOADS} <= texts, "payloads arrive as text (names tidied as always)"
    control = {c.value for path in feedback for s in openpyxl.load_workbook(path).worksheets for c in s._cells.values()}
    assert "湟源县公路段" in control


@pytest.mark.slow
def test_the_main_job_completes_on_a_hostile_folder_and_no_payload_becomes_a_formula(corpus, tmp_path, capsys):
    from jixiao.cli import main
    from jixiao.forms.fill_in import write_templates
    from jixiao.outputs.explorer import Explorer

    folder, _ = corpus
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    config = tmp_path / "jixiao.toml"
    config.write_text("[ingest]\nmax_unpacked_mb = 8\nmax_sheets = 20\njobs = 2\nparallel_threshold = 1\n",
                      encoding="utf-8")
    common = ["--config", str(config)]
    assert main(["ingest", str(folder), "--out", str(processed), "-q", *common]) == 0
    assert main(["check", str(processed), *common]) == 0
    assert main(["metrics", str(processed), "--out", str(reports), *common]) == 0
    assert main(["feedback", str(processed), "--out", str(reports / "反馈"), "--raw", str(folder), *common]) == 0
    assert main(["charts", str(processed), "--out", str(reports / "charts"), *common]) == 0
    assert main(["briefs", str(processed), "--out", str(reports), "--department", "湟源县交通运输局",
                 "--format", "html", "--no-overview", "-q", *common]) == 0
    output = capsys.readouterr()
    assert "Traceback" not in output.out + output.err

    written = sorted(reports.rglob("*.xlsx"))
    assert any("汇总" in str(p) for p in written) and any("反馈" in str(p) for p in written)
    templates = write_templates(folder / "payload0.xlsx", tmp_path / "templates")
    export = Explorer.from_processed(processed, tmp_path / "export").export(tmp_path / "export" / "all.xlsx")
    for path in [*written, *templates, export]:
        assert payload_formulas(path) == [], path
    summary = next(p for p in written if "汇总" in str(p))
    texts = [c.value for s in openpyxl.load_workbook(summary).worksheets for c in s._cells.values()]
    assert '=HYPERLINK("http://x","y")' in texts and "-湟源县教育局" in texts, "payloads arrive as text, unaltered"


@pytest.mark.parametrize("text, expected", [("-湟源县教育局（302001）", ("-湟源县教育局", "302001")),
                                            ("302001-湟源县教育局", ("湟源县教育局", "302001"))])
def test_a_department_name_keeps_its_own_leading_dash(text, expected):
    from jixiao.normalise.layout import split_department

    assert split_department(text) == expected


def test_a_native_panic_in_process_becomes_a_damaged_file(tmp_path, monkeypatch):
    from jixiao.read import workbook

    class PanicException(BaseException):  # what pyo3 raises for a Rust panic: not an Exception
        pass

    def panics(path):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(workbook, "_calamine_cells", panics)
    with pytest.raises(workbook.UnreadableWorkbook, match="已损坏"):
        workbook.read_workbook(one_project(tmp_path / "a.xlsx"))


def test_settings_in_jixiao_toml_set_the_limits(tmp_path):
    from jixiao.config.settings import settings_from_mapping

    settings = settings_from_mapping({"ingest": {"file_timeout_seconds": 5, "file_memory_mb": 256, "max_sheets": 3,
                                                 "max_unpacked_mb": 1, "max_cells": 10, "amount_ceiling": 50}})
    assert (settings.file_timeout_seconds, settings.file_memory_mb, settings.amount_ceiling) == (5, 256, 50)
    build(tmp_path / "four.xlsx", [SheetSpec(f"表{i}", [Project(name=f"项目{i}")]) for i in range(4)])
    tables = ingest(tmp_path, tmp_path / "out", replace(settings, file_timeout_seconds=30, file_memory_mb=1024))
    row = tables["submissions"].set_index("source_file").loc["four.xlsx"]
    assert row["status"] == "failed" and "4 张工作表，超过上限 3 张" in row["reason"]


@pytest.mark.slow
def test_an_xls_merged_over_the_whole_grid_reads_in_seconds(tmp_path):
    import random

    from jixiao.read.workbook import read_workbook

    made = hostile.xls_workbooks(tmp_path, random.Random(SEED), whole_merge=True)
    assert "xls_whole_merge.xls" in made
    started = time.perf_counter()
    grids = read_workbook(tmp_path / "xls_whole_merge.xls")
    assert time.perf_counter() - started < 10, "16.7 million formatted blanks are not read one by one"
    assert [code for grid in grids for _, code, _ in grid.issues] == ["CONTENT_CLIPPED"]
