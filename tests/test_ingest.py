"""Batch ingest: every file accounted for, bad input never stops the batch, duplicates resolved."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from jixiao.config.settings import Settings
from jixiao.normalise.ingest import discover, ingest, project_id
from jixiao.store import schema
from jixiao.store.tables import read_ingest_tables

from factory import Ind, Project, Style, one_project, with_style

SETTINGS = Settings()


def status_of(tables, name: str):
    row = tables["submissions"].set_index("source_file").loc[name]
    return row["status"], row["reason"]


def write_encrypted(path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    one_project(Path(str(path) + ".plain.xlsx"))
    plain.write(Path(str(path) + ".plain.xlsx").read_bytes())
    Path(str(path) + ".plain.xlsx").unlink()
    plain.seek(0)
    with path.open("wb") as out:
        OOXMLFile(plain).encrypt("mima123", out)
    return path


def write_word_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>监控报告</w:document>")
    return path


def write_unrelated_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "工资表"
    sheet.append(["姓名", "岗位工资", "薪级工资", "合计"])
    sheet.append(["张三", 3200, 1800, 5000])
    book.save(path)
    return path


def write_blank_workbook(path: Path) -> Path:
    openpyxl.Workbook().save(path)
    return path


@pytest.fixture
def bad_batch(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "good.xlsx")
    full = (raw / "good.xlsx").read_bytes()
    (raw / "truncated.xlsx").write_bytes(full[: len(full) // 2])
    write_encrypted(raw / "encrypted.xlsx")
    write_word_document(raw / "report.xlsx")
    (raw / "empty.xlsx").write_bytes(b"")
    (raw / "page.xls").write_text("<html><body><p>项目名称</p></body></html>", encoding="utf-8")  # no table
    (raw / "notes.xls").write_text("项目名称,年度指标值\n", encoding="utf-8")
    write_unrelated_workbook(raw / "salary.xlsx")
    write_blank_workbook(raw / "blank.xlsx")
    (raw / "scan.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    (raw / "photo.xls").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    return raw


@pytest.mark.parametrize("name, words", [
    ("truncated.xlsx", "已损坏"),
    ("encrypted.xlsx", "密码"),
    ("report.xlsx", "Word"),
    ("empty.xlsx", "空"),
    ("page.xls", "网页"),
    ("notes.xls", "不是 Excel"),
    ("salary.xlsx", "不是监控表"),
    ("blank.xlsx", "空的"),
    ("scan.xlsx", "PDF"),
    ("photo.xls", "图片"),
])
def test_bad_files_fail_with_a_chinese_reason_and_the_batch_goes_on(bad_batch, tmp_path, name, words):
    tables = ingest(bad_batch, tmp_path / "out", SETTINGS)
    status, reason = status_of(tables, name)
    assert status == "failed"
    assert words in reason
    assert status_of(tables, "good.xlsx") == ("ok", "")
    assert len(tables["submissions"]) == len(discover(bad_batch))
    failure = tables["findings"].query("source_file == @name")
    assert list(failure["code"]) == ["FILE_UNREADABLE"] and list(failure["severity"]) == ["error"]


def test_raw_files_are_never_modified(bad_batch, tmp_path):
    def fingerprint():
        return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in bad_batch.iterdir()}

    before = fingerprint()
    tables = ingest(bad_batch, tmp_path / "out", SETTINGS)
    assert fingerprint() == before
    recorded = dict(zip(tables["submissions"]["source_file"], tables["submissions"]["sha256"]))
    assert recorded == {name: digest for name, (digest, _) in before.items()}


def test_half_filled_workbook_is_partial_with_findings_pointing_at_cells(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    indicators = [
        Ind("产出指标", "数量指标", "新建道路", None, 3, 10, possibility="确定能"),
        Ind("产出指标", "质量指标", "验收合格率", "100%", 100, 100, possibility="确定能"),
    ]
    one_project(raw / "half.xlsx", Project(indicators=indicators))
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    status, reason = status_of(tables, "half.xlsx")
    assert status == "partial" and "年度指标值" in reason
    finding = tables["findings"].query("code == 'TARGET_MISSING'").iloc[0]
    target_cell = tables["indicators"].query("name == '新建道路'")["target_cell"].iloc[0]
    assert (finding["sheet"], finding["cell"]) == ("监控表", target_cell)
    assert len(tables["indicators"]) == 2, "the readable indicators are kept"


def test_one_broken_sheet_does_not_lose_the_others(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    path = one_project(raw / "two.xlsx")
    book = openpyxl.load_workbook(path)
    lonely = book.create_sheet("项目2")
    lonely["A1"], lonely["C1"] = "项目名称", "没有指标表的项目"
    book.save(path)
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    assert status_of(tables, "two.xlsx")[0] == "partial"
    assert set(tables["projects"]["sheet"]) == {"监控表"}
    assert "项目2" in set(tables["findings"]["sheet"])


def _set_mtime(path: Path, stamp: int) -> None:
    os.utime(path, (stamp, stamp))


def test_the_later_submission_of_a_project_wins_and_both_files_say_so(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    early = one_project(raw / "b_first.xlsx", Project(funds=[("年度资金总额", 100.0, 10.0, 90.0)]))
    late = one_project(raw / "a_second.xlsx", Project(funds=[("年度资金总额", 100.0, 55.0, 99.0)]))
    _set_mtime(early, 1_690_000_000)
    _set_mtime(late, 1_690_100_000)  # newer, although its name sorts first
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    modified = tables["submissions"].set_index("source_file")["modified"]
    assert dt.datetime.fromisoformat(modified["a_second.xlsx"]).timestamp() == 1_690_100_000
    assert len(tables["projects"]) == 1
    assert tables["projects"].iloc[0]["source_file"] == "a_second.xlsx"
    assert tables["projects"].iloc[0]["executed_total"] == 55.0
    subs = tables["submissions"].set_index("source_file")
    assert (subs.loc["b_first.xlsx", "n_projects"], subs.loc["b_first.xlsx", "n_replaced"]) == (0, 1)
    replaced = tables["findings"].query("code == 'DUPLICATE_REPLACED'").iloc[0]
    assert replaced["source_file"] == "b_first.xlsx" and "a_second.xlsx" in replaced["message"]
    replaces = tables["findings"].query("code == 'DUPLICATE_REPLACES'").iloc[0]
    assert replaces["source_file"] == "a_second.xlsx" and "b_first.xlsx" in replaces["message"]
    assert set(tables["funds"]["project_id"]) == set(tables["projects"]["project_id"])
    assert set(tables["indicators"]["project_id"]) == set(tables["projects"]["project_id"])


def test_same_modification_time_falls_back_to_the_file_name(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("x_later.xlsx", "a_earlier.xlsx"):
        _set_mtime(one_project(raw / name), 1_690_000_000)
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    assert list(tables["projects"]["source_file"]) == ["x_later.xlsx"]


def test_project_id_is_stable_and_independent_of_the_file(tmp_path):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    one_project(raw / "sub" / "任意文件名.xlsx", Project(name=" 农村公路 养护项目 "))
    first = ingest(raw, tmp_path / "one", SETTINGS)["projects"]["project_id"].tolist()
    second = ingest(raw, tmp_path / "two", SETTINGS)["projects"]["project_id"].tolist()
    assert first == second == [project_id("湟源县公路段", None, "农村公路养护项目")]


def test_subfolders_xlsm_and_office_lock_files(tmp_path):
    raw = tmp_path / "raw"
    (raw / "教育局" / "补报").mkdir(parents=True)
    one_project(raw / "教育局" / "补报" / "监控表.xlsx")
    (raw / "教育局" / "补报" / "监控表.xlsx").rename(raw / "教育局" / "补报" / "监控表.xlsm")
    (raw / "教育局" / "~$监控表.xlsx").write_bytes(b"lock")
    (raw / "说明.txt").write_text("不是表格", encoding="utf-8")
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    subs = tables["submissions"].set_index("source_file")
    # every entry is listed once; the lock file and the note are skipped with a reason, not read
    assert subs["status"].to_dict() == {"教育局/~$监控表.xlsx": "skipped", "教育局/补报/监控表.xlsm": "ok",
                                        "说明.txt": "skipped"}
    assert "锁定文件" in subs.loc["教育局/~$监控表.xlsx", "reason"]
    assert len(tables["projects"]) == 1


def test_xlsx_content_under_an_xls_name_is_read_by_content(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "renamed.xlsx").rename(raw / "renamed.xls")
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    assert status_of(tables, "renamed.xls")[0] == "ok"
    assert "EXTENSION_MISMATCH" in set(tables["findings"]["code"])


def test_parallel_batch_gives_the_same_tables_as_a_serial_one(bad_batch, tmp_path):
    for i in range(3):
        one_project(bad_batch / f"unit{i}.xlsx", Project(name=f"项目{i}", unit=f"单位{i}"),
                    with_style(money_unit="元") if i == 1 else Style())
    serial = ingest(bad_batch, tmp_path / "serial", SETTINGS, jobs=1)
    parallel = ingest(bad_batch, tmp_path / "parallel", replace(SETTINGS, parallel_threshold=2), jobs=2)
    for name in serial:
        assert serial[name].equals(parallel[name]), name


def test_written_tables_follow_the_schema(bad_batch, tmp_path):
    ingest(bad_batch, tmp_path / "out", SETTINGS)
    tables = read_ingest_tables(tmp_path / "out")
    for name, frame in tables.items():
        assert schema.check(frame, name) == [], name
    reasons = tables["indicators"].query("name == '群众出行条件'")["reasons"].iloc[0]
    assert list(reasons) == ["经费保障", "人员保障"]
    assert tables["projects"]["dept_code"].tolist() == ["305001"]


def test_group_columns_have_a_cell_address_for_findings(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "a.xlsx")
    row = ingest(raw, tmp_path / "out", SETTINGS)["indicators"].query("name == '群众出行条件'").iloc[0]
    line = row["row"]
    assert (row["reasons_cell"], row["possibility_cell"], row["reason_text_cell"]) == (
        f"G{line}", f"L{line}", f"O{line}")


def test_a_declaration_form_sent_instead_is_named_as_such(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "申报表"
    rows = [["项目支出绩效目标申报表"], ["项目名称", "农村公路养护项目"],
            ["一级指标", "二级指标", "三级指标", "年度指标值"], ["产出指标", "数量指标", "养护里程", "≥120公里"]]
    for row in rows:
        sheet.append(row)
    book.save(raw / "申报表.xlsx")
    status, reason = status_of(ingest(raw, tmp_path / "out", SETTINGS), "申报表.xlsx")
    assert status == "failed" and "申报表" in reason and "不是执行监控表" in reason
