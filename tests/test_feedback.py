"""Feedback workbooks: marked cells with comments, 问题清单 with every finding, original untouched."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import openpyxl
import pytest
from test_template import filled_templates, indicator_rows, ingest_and_check, road_sheet

from jixiao.forms import fill_in as T
from jixiao.outputs.feedback import ISSUE_HEADERS, ISSUE_SHEET, write_feedback
from jixiao.store.tables import read_ingest_tables

ISSUE_FIRST_ROW = 5


def faulty(book):
    sheet = road_sheet(book)
    sheet[f"C{T.FUNDS_HEADER_ROW + 1}"] = 120  # total ≠ parts
    row = indicator_rows(sheet)["路面优良率"]
    sheet.cell(row, T.INDICATOR_COLUMNS["expected"]).value = "80%"  # 确定能 but short
    sheet.cell(indicator_rows(sheet)["养护里程"], T.POSSIBILITY_COLUMNS["确定能"]).value = None


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feedback")
    raw = filled_templates(tmp, faulty)
    (raw / "损坏的监控表.xlsx").write_bytes(b"PK\x03\x04 truncated")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir()}
    ingest_and_check(tmp, raw)
    paths = write_feedback(tmp / "processed", raw, tmp / "feedback")
    findings = read_ingest_tables(tmp / "processed")["findings"]
    return paths, findings, raw, before


def test_one_feedback_per_file_with_problems_named_after_the_unit(feedback):
    paths, _, _, _ = feedback
    assert sorted(p.name for p in paths) == ["损坏的监控表_问题反馈.xlsx", "湟源县公路段_问题反馈.xlsx"]
    for path in paths:
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        assert "重新报送" in text


def test_originals_are_untouched(feedback):
    _, _, raw, before = feedback
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir()} == before


def test_issue_sheet_lists_every_finding_of_the_file(feedback):
    paths, findings, _, _ = feedback
    book = openpyxl.load_workbook(next(p for p in paths if p.name.startswith("湟源县公路段")))
    assert book.sheetnames[0] == ISSUE_SHEET
    sheet = book[ISSUE_SHEET]
    assert [c.value for c in sheet[ISSUE_FIRST_ROW - 1]][: len(ISSUE_HEADERS)] == list(ISSUE_HEADERS)
    listed = {(r[1], r[2], r[7]) for r in sheet.iter_rows(min_row=ISSUE_FIRST_ROW, values_only=True)}
    mine = findings[findings["source_file"].str.startswith("湟源县公路段")]
    assert listed == {(r.sheet, r.cell, r.code) for r in mine.itertuples()}
    assert len(listed) == len(mine) >= 3
    assert "必须改正" in sheet["A2"].value


def test_offending_cells_carry_fill_and_comment(feedback):
    paths, findings, _, _ = feedback
    book = openpyxl.load_workbook(next(p for p in paths if p.name.startswith("湟源县公路段")))
    mine = findings[findings["source_file"].str.startswith("湟源县公路段")]
    for row in mine.itertuples():
        target = book[row.sheet][row.cell]
        assert target.comment is not None and row.message in target.comment.text, (row.cell, row.code)
        assert row.code not in target.comment.text  # units read Chinese only
        assert target.fill.fgColor.rgb.endswith(("FFC7CE", "FFEB9C", "DDEBF7"))
    total = book["农村公路养护项目"][f"C{T.FUNDS_HEADER_ROW + 1}"]
    funds = mine[mine["code"] == "FUNDS_SUM_MISMATCH"]
    assert funds["message"].iloc[0] in total.comment.text and total.fill.fgColor.rgb.endswith("FFC7CE")


def test_unreadable_file_gets_the_list_only(feedback):
    paths, _, _, _ = feedback
    book = openpyxl.load_workbook(next(p for p in paths if p.name.startswith("损坏")))
    assert book.sheetnames[0] == ISSUE_SHEET
    assert book[ISSUE_SHEET].cell(ISSUE_FIRST_ROW, len(ISSUE_HEADERS)).value == "FILE_UNREADABLE"


def test_clean_files_get_no_feedback(tmp_path):
    raw = filled_templates(tmp_path)
    ingest_and_check(tmp_path, raw)
    assert write_feedback(tmp_path / "processed", raw, tmp_path / "fb") == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_feedback_workbook_opens_in_libreoffice(feedback, tmp_path):
    paths, _, _, _ = feedback
    source = next(p for p in paths if p.name.startswith("湟源县公路段"))
    result = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    converted = tmp_path / "out" / source.name
    assert converted.exists(), result.stdout + result.stderr
    book = openpyxl.load_workbook(converted)
    assert book.sheetnames[0] == ISSUE_SHEET
    marked = book["农村公路养护项目"][f"C{T.FUNDS_HEADER_ROW + 1}"]
    assert marked.comment is not None and marked.comment.text.startswith("【")


def test_reply_goes_to_the_unit_or_to_the_department_that_consolidated_several_units():
    import pandas as pd

    from jixiao.outputs.feedback import unit_names

    projects = pd.DataFrame({
        "source_file": ["一中.xlsx", "汇总.xlsx", "汇总.xlsx", "无名.xlsx"],
        "unit_name": ["湟源县第一中学", "城关镇卫生院", "湟源县中医院", None],
        "dept_name": ["湟源县教育局", "湟源县卫生健康局", "湟源县卫生健康局", None],
    })
    assert unit_names(projects, ["一中.xlsx", "汇总.xlsx", "无名.xlsx", "坏文件.xlsx"]) == {
        "一中.xlsx": "湟源县第一中学", "汇总.xlsx": "湟源县卫生健康局", "无名.xlsx": "无名", "坏文件.xlsx": "坏文件"}


def test_issue_sheet_is_chinese_only_prints_on_a4_and_hides_the_rule_code(feedback):
    paths, _, _, _ = feedback
    sheet = openpyxl.load_workbook(next(p for p in paths if p.name.startswith("湟源县公路段")))[ISSUE_SHEET]
    visible = [cell.value for cell in sheet[ISSUE_FIRST_ROW - 1]
               if not sheet.column_dimensions[cell.column_letter].hidden]
    assert "规则代码" not in visible and sheet.column_dimensions["H"].hidden
    for row in sheet.iter_rows(min_row=ISSUE_FIRST_ROW, max_col=7, values_only=True):
        assert not any(re.search(r"[A-Z]{3,}_[A-Z_]+", str(value or "")) for value in row)
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$4:$4"
