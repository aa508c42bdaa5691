"""The Excel 汇总 workbook: sheets, frozen headers, filters, formats, colours, injection safety, LibreOffice."""
from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from test_metrics import indicator, project, tables

from jixiao.config.profile import load_profile
from jixiao.config.settings import Settings
from jixiao.metrics.compute import compute_metrics
from jixiao.outputs.summary_excel import LIGHT_FILLS, SHEET_NAMES, report_dir, write_summary_workbook

LIBREOFFICE_TIMEOUT = 300  # seconds; the first start of a fresh profile is slow


def _metrics():
    data = tables(
        [project("p1", dept="湟源县教育局", unit="湟源县城关第二幼儿园", budget=412.08, executed=340.3, expected=405.39),
         project("p2", dept="湟源县应急管理局", budget=38.9, executed=0.0, expected=28.24)],
        [indicator("p1", name="校舍维修改造面积", target=4200.0, unit="平方米", actual=2803.0, forecast=4200.0),
         indicator("p2", name="储备棉被", target=1000.0, unit="床", actual=245.0, forecast=693.0,
                   possibility="完全不可能", reasons=["经费保障"], remarks="=cmd()", reason_text="+资金未到位"),
         indicator("p2", name="@帐篷", target=200.0, unit="顶", actual=34.0, forecast=200.0, reason_text="-")])
    return compute_metrics(data, load_profile(), Settings())


@pytest.fixture
def workbook_path(tmp_path):
    return write_summary_workbook(_metrics(), tmp_path / "reports")


def _column(sheet, header: str) -> int:
    return [cell.value for cell in sheet[1]].index(header) + 1


def test_workbook_lands_in_the_period_folder(workbook_path, tmp_path):
    assert workbook_path.parent == report_dir(tmp_path / "reports", 2023, 7)
    assert workbook_path.parent.as_posix().endswith("reports/2023-07/汇总")


def test_sheets_frozen_headers_and_filters(workbook_path):
    book = openpyxl.load_workbook(workbook_path)
    assert tuple(book.sheetnames) == SHEET_NAMES
    for name in SHEET_NAMES[:-1]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
        assert sheet["A1"].font.bold
    assert [c.value for c in book["部门汇总"][1]][:3] == ["排名", "主管部门", "项目数"]
    assert "整改责任人" in [c.value for c in book["整改清单"][1]]


def test_number_formats_and_light_colours(workbook_path):
    book = openpyxl.load_workbook(workbook_path)
    sheet = book["项目明细"]
    budget = sheet.cell(row=2, column=_column(sheet, "年初预算数（万元）"))
    assert budget.number_format == "#,##0.00" and budget.value == pytest.approx(412.08)
    rate = sheet.cell(row=2, column=_column(sheet, "预算执行率"))
    assert rate.number_format == "0.0%" and rate.value == pytest.approx(340.3 / 412.08)
    light = sheet.cell(row=3, column=_column(sheet, "预算执行灯"))  # 应急管理局: nothing spent
    assert light.value == "红灯" and light.fill.fgColor.rgb.endswith(LIGHT_FILLS["red"])
    green = sheet.cell(row=2, column=_column(sheet, "预算执行灯"))
    assert green.value == "绿灯" and green.fill.fgColor.rgb.endswith(LIGHT_FILLS["green"])
    # Chinese columns are wide enough for their text (CJK counts double)
    assert sheet.column_dimensions["B"].width >= 2 * len("湟源县城关第二幼儿园")


def test_submitted_text_never_becomes_a_formula(workbook_path):
    book = openpyxl.load_workbook(workbook_path)
    texts = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts[cell.value] = cell
    for injected in ("=cmd()", "+资金未到位", "@帐篷"):
        assert injected in texts and texts[injected].data_type == "s" and texts[injected].quotePrefix


def test_key_and_rectification_lists(workbook_path):
    book = openpyxl.load_workbook(workbook_path)
    key = book["重点监控清单"]
    assert key.max_row == 2 and key.cell(row=2, column=_column(key, "主管部门")).value == "湟源县应急管理局"
    fix = book["整改清单"]
    categories = [fix.cell(row=r, column=_column(fix, "问题类别")).value for r in range(2, fix.max_row + 1)]
    assert categories.count("预算执行") == 1 and categories.count("绩效目标") >= 1
    owner = _column(fix, "整改责任人")
    assert all(fix.cell(row=r, column=owner).value is None for r in range(2, fix.max_row + 1))


def test_ranking_method_and_profile_are_printed(workbook_path):
    book = openpyxl.load_workbook(workbook_path)
    below_table = [c.value for c in book["部门汇总"]["A"] if isinstance(c.value, str)]
    assert any(text.startswith("排名方法") for text in below_table)
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert notes["规则配置"] == load_profile().name and notes["规则内容哈希"] == load_profile().content_hash


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook(workbook_path, tmp_path):
    out = tmp_path / "pdf"
    command = ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
               "--convert-to", "pdf", "--outdir", str(out), str(workbook_path)]
    subprocess.run(command, check=True, capture_output=True, timeout=LIBREOFFICE_TIMEOUT)
    converted = out / (workbook_path.stem + ".pdf")
    assert converted.is_file() and converted.stat().st_size > 0


def test_received_files_and_findings_sheets_speak_chinese(tmp_path):
    import pandas as pd

    from jixiao.store import schema

    submissions = schema.conform(pd.DataFrame({
        "source_file": ["教育局/监控表.xlsx", "=坏文件.xlsx"], "status": ["ok", "failed"],
        "reason": ["", "文件已损坏，无法打开"], "n_projects": [2, 0], "n_indicators": [14, 0]}), "submissions")
    findings = schema.conform(pd.DataFrame({
        "source_file": ["教育局/监控表.xlsx"], "sheet": ["项目1"], "cell": ["D14"], "severity": ["error"],
        "code": ["TARGET_MISSING"], "message": ["没有填写年度指标值"]}), "findings")
    path = write_summary_workbook({**_metrics(), "submissions": submissions, "findings": findings}, tmp_path)
    book = openpyxl.load_workbook(path)
    files = book["报送文件"]
    assert [c.value for c in files[2]][:4] == ["教育局/监控表.xlsx", "完整读取", None, 2]
    assert files["B3"].value == "无法读取" and files["A3"].data_type == "s", "a file name stays text"
    issues = book["问题清单"]
    assert [c.value for c in issues[2]][:5] == ["教育局/监控表.xlsx", "项目1", "D14", "必须改正", "没有填写年度指标值"]
    code = _column(issues, "规则代码")  # kept for the bureau, hidden from the units
    assert issues.cell(row=2, column=code).value == "TARGET_MISSING"
    assert issues.column_dimensions[issues.cell(row=1, column=code).column_letter].hidden


def test_long_sheets_print_a4_landscape_one_page_wide_with_repeated_headers_and_page_numbers(workbook_path):
    book = openpyxl.load_workbook(workbook_path)
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) and sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1"
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_department_and_project_sheets_end_with_a_total_row(workbook_path):
    book = openpyxl.load_workbook(workbook_path)
    for name in ("部门汇总", "项目明细"):
        sheet = book[name]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        total = next(row for row in rows if "合计" in row)
        budget = _column(sheet, "年初预算数（万元）") - 1
        assert total[budget] == pytest.approx(412.08 + 38.9)
        rate = _column(sheet, "预算执行率") - 1
        assert total[rate] == pytest.approx(340.3 / (412.08 + 38.9))
    assert book["部门汇总"].cell(row=4, column=_column(book["部门汇总"], "项目数")).value == 2


def test_dates_are_real_excel_dates_in_local_time(tmp_path):
    import datetime as dt

    import pandas as pd

    from jixiao.store import schema

    submissions = schema.conform(pd.DataFrame({
        "source_file": ["a.xlsx"], "status": ["ok"], "reason": [""], "n_projects": [1], "n_indicators": [3],
        "modified": ["2023-08-05T09:30:00+08:00"]}), "submissions")
    path = write_summary_workbook({**_metrics(), "submissions": submissions}, tmp_path)
    cell = openpyxl.load_workbook(path)["报送文件"]["G2"]
    assert cell.value == dt.datetime(2023, 8, 5, 9, 30) and cell.is_date


def test_notes_sheet_does_not_point_at_repository_files(workbook_path):
    sheet = openpyxl.load_workbook(workbook_path)["说明"]
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert "docs/" not in text and ".md" not in text and ".py" not in text
