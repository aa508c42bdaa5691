"""Fill-in templates: structure, and the round trip template -> filled by a unit -> ingest -> checks.

The helpers here (approved list, filling a template as a unit would) also build the
submissions of test_checks, test_approved and test_feedback.
"""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from jixiao.config.settings import Settings
from jixiao.forms import fill_in as T
from jixiao.normalise.ingest import ingest
from jixiao.validate.approved import read_approved
from jixiao.validate.checks import run_checks

HEADERS = ["主管部门", "实施单位", "项目名称", "年度总体目标", "年初预算数", "当年财政拨款", "上年结转资金", "其他资金",
           "一级指标", "二级指标", "三级指标", "年度指标值"]
ROAD = ["湟源县交通运输局（305001）", "湟源县公路段", "农村公路养护项目", "完成全县农村公路日常养护，保障道路安全畅通。",
        100, 80, 20, 0]
BRIDGE = ["湟源县交通运输局（305001）", "湟源县公路段", "危桥改造项目", "完成2座危桥改造。", 50, 50, None, None]
SCHOOL = ["湟源县教育局（302001）", "湟源县第一中学", "学生资助项目", "落实学生资助政策，应助尽助。", 30, 30, None, None]
INDICATORS = {
    "农村公路养护项目": [("产出指标", "数量指标", "养护里程", "≥120公里"), ("产出指标", "数量指标", "维修桥梁数", "3座"),
                   ("产出指标", "质量指标", "路面优良率", "≥85%"), ("产出指标", "时效指标", "水毁抢通时间", "≤48小时"),
                   ("效益指标", "社会效益指标", "群众出行条件", "明显改善"),
                   ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%")],
    "危桥改造项目": [("产出指标", "数量指标", "改造危桥数", "2座"), ("产出指标", "质量指标", "验收合格率", "100%"),
               ("效益指标", "社会效益指标", "通行安全", "有效提升")],
    "学生资助项目": [("产出指标", "数量指标", "资助学生人次", "≥500人次"), ("满意度指标", "服务对象满意度指标", "学生满意度", "≥95%")],
}
PROJECTS = (ROAD, BRIDGE, SCHOOL)
EDITED_UNIT = "湟源县公路段"  # test edits change this unit's workbook only


def approved_rows(drop: tuple[str, ...] = (), extra: list | None = None, projects=PROJECTS) -> list[list]:
    """The approved table (header first); ``drop`` removes indicators by name, ``extra`` adds rows."""
    rows = [HEADERS]
    for project in projects:
        for level1, level2, name, target in INDICATORS[project[2]]:
            if name not in drop:
                rows.append([*project, level1, level2, name, target])
    return rows + (extra or [])


def write_approved_csv(path: Path, rows: list[list] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(rows or approved_rows())
    return path


def write_approved_xlsx(path: Path, rows: list[list] | None = None) -> Path:
    """The table as a clerk keeps it: a title row above, project cells merged down."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年度项目绩效目标批复表"])
    rows = rows or approved_rows()
    for row in rows:
        sheet.append(row)
    start = 3
    for r in range(3, len(rows) + 2):
        if r == len(rows) + 1 or rows[r - 1][2] != rows[start - 2][2]:
            if r > start:
                for c in range(1, 9):
                    for rr in range(start + 1, r + 1):
                        sheet.cell(rr, c).value = None
                    sheet.merge_cells(start_row=start, start_column=c, end_row=r, end_column=c)
            start = r + 1
    book.save(path)
    return path


def forecast_for(target: str) -> str:
    """A forecast that exactly meets the target, written the way units write it."""
    if not re.search(r"\d", target):
        return "达到预期"
    return re.sub(r"^(≥|≤|不低于|不少于|不超过)", "", target)


def indicator_rows(sheet) -> dict[str, int]:
    """三级指标 name -> row on a template sheet."""
    rows, r = {}, T.FIRST_INDICATOR_ROW
    while sheet.cell(r, T.INDICATOR_COLUMNS["name"]).value:
        rows[sheet.cell(r, T.INDICATOR_COLUMNS["name"]).value] = r
        r += 1
    return rows


def fill_correctly(sheet) -> None:
    """Fill a project sheet as a careful unit would: 60 % spent, every target met, 确定能."""
    for r in range(T.FUNDS_HEADER_ROW + 2, T.FUNDS_HEADER_ROW + len(T.FUND_ROWS) + 1):
        budget = sheet.cell(r, T.FUND_COLUMNS["budget"]).value
        if isinstance(budget, (int, float)):
            sheet.cell(r, T.FUND_COLUMNS["executed"]).value = round(budget * 0.6, 2)
            sheet.cell(r, T.FUND_COLUMNS["expected"]).value = budget
    for r in indicator_rows(sheet).values():
        target = sheet.cell(r, T.INDICATOR_COLUMNS["target"]).value
        sheet.cell(r, T.INDICATOR_COLUMNS["actual"]).value = forecast_for(target)
        sheet.cell(r, T.INDICATOR_COLUMNS["expected"]).value = forecast_for(target)
        sheet.cell(r, T.POSSIBILITY_COLUMNS["确定能"]).value = T.TICK


def filled_templates(tmp_path: Path, edit=None, approved_path: Path | None = None) -> Path:
    """Templates from the approved list, filled correctly, ``edit(book)`` applied to 公路段's: a raw folder."""
    approved_path = approved_path or write_approved_csv(tmp_path / "approved.csv")
    raw = tmp_path / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir()
    for path in T.write_templates(approved_path, tmp_path / "templates", Settings()):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets[1:]:
            fill_correctly(sheet)
        if edit is not None and path.name.startswith(EDITED_UNIT):
            edit(book)
        book.save(raw / path.name)
    return raw


def ingest_and_check(tmp_path: Path, raw: Path, approved: Path | None = None) -> pd.DataFrame:
    out = tmp_path / "processed"
    ingest(raw, out, Settings())
    return run_checks(out, approved, Settings())


def road_sheet(book) -> openpyxl.worksheet.worksheet.Worksheet:
    return book["农村公路养护项目"]


# -- tests ----------------------------------------------------------------------------------------
def test_one_workbook_per_unit_one_sheet_per_project(tmp_path):
    paths = T.write_templates(write_approved_csv(tmp_path / "a.csv"), tmp_path / "out")
    by_unit = {p.name.split("_")[0]: openpyxl.load_workbook(p).sheetnames for p in paths}
    assert by_unit == {"湟源县公路段": ["填报说明", "农村公路养护项目", "危桥改造项目"],
                       "湟源县第一中学": ["填报说明", "学生资助项目"]}


def test_targets_are_locked_inputs_open_and_ticks_validated(tmp_path):
    path = T.write_templates(write_approved_csv(tmp_path / "a.csv"), tmp_path / "out")[0]
    sheet = road_sheet(openpyxl.load_workbook(path))
    assert sheet.protection.sheet and not sheet.protection.password
    row = indicator_rows(sheet)["路面优良率"]
    assert sheet.cell(row, T.INDICATOR_COLUMNS["target"]).value == "≥85%"
    assert sheet.cell(row, T.INDICATOR_COLUMNS["target"]).protection.locked
    assert sheet.cell(row, T.INDICATOR_COLUMNS["name"]).protection.locked
    for role in ("actual", "expected", "reason_text", "remarks"):
        assert not sheet.cell(row, T.INDICATOR_COLUMNS[role]).protection.locked
    assert not sheet.cell(row, T.POSSIBILITY_COLUMNS["有可能"]).protection.locked
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    tick_cells = {str(v.sqref): v.formula1 for v in lists}
    assert tick_cells == {f"G{T.FIRST_INDICATOR_ROW}:K{T.FIRST_INDICATOR_ROW + 5}": '"√"',
                          f"L{T.FIRST_INDICATOR_ROW}:N{T.FIRST_INDICATOR_ROW + 5}": '"√"'}
    total_row = T.FUNDS_HEADER_ROW + 1
    assert sheet.cell(total_row, T.FUND_COLUMNS["rate"]).value == f"=IFERROR(F{total_row}/C{total_row},0)"


def test_instructions_and_notes_are_present(tmp_path):
    path = T.write_templates(write_approved_csv(tmp_path / "a.csv"), tmp_path / "out")[0]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == T.INSTRUCTIONS_SHEET
    assert "填报说明" in book.worksheets[0]["A1"].value
    sheet = road_sheet(book)
    notes_row = T.FIRST_INDICATOR_ROW + len(INDICATORS["农村公路养护项目"])
    assert sheet.cell(notes_row, 1).value.startswith("注：1.偏差原因分析")


def test_filled_template_ingests_back_losslessly(tmp_path):
    approved_path = write_approved_csv(tmp_path / "approved.csv")
    raw = filled_templates(tmp_path, approved_path=approved_path)
    tables = ingest(raw, tmp_path / "processed", Settings())
    approved = read_approved(approved_path)
    assert set(tables["submissions"]["status"]) == {"ok"}
    project_columns = ["project_id", "dept_name", "dept_code", "unit_name", "project_name", "annual_goal",
                       "budget_total", "budget_fiscal", "budget_carryover", "budget_other"]
    expected_projects = approved.drop_duplicates("project_id")[project_columns].sort_values("project_id")
    got_projects = tables["projects"][project_columns].sort_values("project_id")
    pd.testing.assert_frame_equal(got_projects.reset_index(drop=True), expected_projects.reset_index(drop=True),
                                  check_dtype=False)
    indicator_columns = ["project_id", "level1", "level2", "name", "target_text", "target_op", "target_value",
                         "target_unit"]
    key = ["project_id", "name"]
    got = tables["indicators"][indicator_columns].sort_values(key).reset_index(drop=True)
    want = approved[indicator_columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert set(tables["indicators"]["possibility"]) == {"确定能"}
    assert tables["projects"].set_index("project_name").loc["农村公路养护项目", "executed_total"] == pytest.approx(60.0)


def test_correctly_filled_template_passes_every_check(tmp_path):
    approved_path = write_approved_csv(tmp_path / "approved.csv")
    findings = ingest_and_check(tmp_path, filled_templates(tmp_path, approved_path=approved_path), approved_path)
    assert findings.empty, findings[["code", "cell", "message"]].to_string()


def test_filled_template_can_serve_as_approved_workbook(tmp_path):
    """Form (b): the approved monitoring tables themselves give the same targets as the table."""
    raw = filled_templates(tmp_path)
    from_forms = read_approved(raw).sort_values(["project_id", "name"]).reset_index(drop=True)
    from_table = read_approved(tmp_path / "approved.csv").sort_values(["project_id", "name"]).reset_index(drop=True)
    columns = ["project_id", "unit_name", "project_name", "level1", "level2", "name", "target_text", "budget_total"]
    pd.testing.assert_frame_equal(from_forms[columns], from_table[columns], check_dtype=False)
