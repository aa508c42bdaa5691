"""The shared form painter writes what it is told: cells, merges, formats and formulas, in .xlsx and .xls."""
from __future__ import annotations

import io

import openpyxl
import pytest
import xlrd

from jixiao.forms.painter import (
    Canvas,
    Form,
    Formatted,
    FormStyle,
    FundRow,
    IndicatorRow,
    paint_form,
    write_workbook,
    xls_bytes,
    xlsx_bytes,
)


def small_canvas() -> Canvas:
    canvas = Canvas("表一")
    canvas.put(1, 1, "项目名称", width=2)
    canvas.put(1, 3, Formatted(0.95, "0%"))
    canvas.put(2, 1, "", width=3)  # nothing written, but merged
    canvas.put(3, 1, 12.5, fmt="0.00")
    canvas.formula(3, 2, "A3*2", cached=25.0)
    return canvas


def test_canvas_keeps_values_formats_and_merges():
    canvas = small_canvas()
    assert canvas.cells[(1, 3)].value == 0.95 and canvas.cells[(1, 3)].fmt == "0%"
    assert (2, 1) not in canvas.cells
    assert canvas.merges == [(1, 1, 1, 2), (2, 1, 2, 3)]
    assert canvas.cells[(3, 2)].formula == "A3*2"


def test_shifted_canvas_moves_cells_merges_and_formula_references():
    moved = small_canvas().shifted(2, 1)
    assert moved.cells[(3, 2)].value == "项目名称" and moved.merges[0] == (3, 2, 3, 3)
    assert moved.cells[(5, 3)].formula == "B5*2"


def test_xlsx_writer_with_cached_results():
    hidden = Canvas("列表", hidden=True)
    hidden.put(1, 1, "√")
    data = xlsx_bytes([small_canvas(), hidden], column_widths={1: 20}, cached_results=True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["表一"]
    assert sheet["A1"].value == "项目名称" and sheet["C1"].number_format == "0%"
    assert sheet["A3"].number_format == "0.00" and sheet["B3"].value == "=A3*2"
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:B1", "A2:C2"}
    assert sheet.column_dimensions["A"].width == 20
    assert book["列表"].sheet_state == "hidden"
    assert openpyxl.load_workbook(io.BytesIO(data), data_only=True)["表一"]["B3"].value == 25


def test_xls_writer():
    book = xlrd.open_workbook(file_contents=xls_bytes([small_canvas()]), formatting_info=True)
    sheet = book.sheet_by_index(0)
    assert sheet.name == "表一" and sheet.cell_value(0, 0) == "项目名称" and sheet.cell_value(0, 2) == 0.95
    assert sorted(sheet.merged_cells) == [(0, 1, 0, 2), (1, 2, 0, 3)]
    fmt = book.format_map[book.xf_list[sheet.cell_xf_index(0, 2)].format_key].format_str
    assert fmt == "0%"


def sample_form() -> Form:
    funds = [FundRow("年度资金总额", 100.0, 40.0, 95.0, 0.4), FundRow("其中：当年财政拨款", 100.0, 40.0, 95.0, 0.4),
             FundRow("上年结转资金", 0, 0, 0)]
    indicators = [IndicatorRow("产出指标", "数量指标", {"name": "养护里程", "target": "≥120公里"}, {"确定能": "√"}),
                  IndicatorRow("产出指标", "数量指标", {"name": "维修桥梁数", "target": "3座"},
                               {"经费保障": "√", "有可能": "√"})]
    return Form("农村公路养护", "湟源县交通运输局（320001）", "湟源县公路段", "保障道路畅通。", funds, indicators,
                "注：……", ("填报人：张三", "联系电话：1"))


def cells_by_value(canvas: Canvas) -> dict:
    return {put.value: key for key, put in canvas.cells.items() if put.value is not None}


def test_painter_draws_the_central_template_from_the_top_row():
    canvas = Canvas("监控表")
    bottom = paint_form(canvas, sample_form(), FormStyle(), top=3)
    at = cells_by_value(canvas)
    assert at["项目支出绩效目标执行监控表"] == (3, 1) and (3, 1, 3, 16) in canvas.merges
    assert at["（2023年1-7月）"] == (4, 1) and at["填报单位（盖章）：湟源县公路段"] == (5, 1)
    assert at["项目名称"] == (6, 1) and at["农村公路养护"] == (6, 3)
    assert at["年初预算数"] == (8, 3) and at["1-7月执行率"] == (8, 9) and at["全年预计执行数"] == (8, 12)
    assert canvas.cells[(9, 9)].fmt == "0.00%" and (11, 9) not in canvas.cells
    assert at["年度总体目标"] == (12, 1)
    assert at["偏差原因分析"] == (13, 7) and (13, 7, 13, 11) in canvas.merges and at["完全不可能"] == (14, 14)
    assert canvas.cells[(15, 1)].value == "产出指标" and (15, 1, 16, 1) in canvas.merges
    assert canvas.cells[(15, 12)].value == "√" and canvas.cells[(16, 7)].value == "√"
    assert at["填报人：张三"] == (18, 1) and at["联系电话：1"] == (18, 5)
    assert bottom == 19


@pytest.mark.parametrize("blank", [False, True])
def test_fund_formulas_text_columns_and_remarks(blank):
    style = FormStyle(formulas="uncached", blank_rate_without_budget=blank, fund_remarks=True,
                      reasons_as="text", possibility_as="text", untick="□")
    canvas = Canvas("监控表")
    paint_form(canvas, sample_form(), style)
    assert canvas.cells[(7, 3)].formula == "SUM(C8:C9)" and canvas.cells[(7, 3)].value is None
    assert canvas.cells[(7, 9)].formula == "F7/C7"
    assert ((9, 9) in canvas.cells) is not blank
    assert canvas.cells[(6, 15)].value == "备注" and (9, 15, 9, 16) in canvas.merges
    assert [canvas.cells[(11, c)].value for c in range(7, 11)] == ["偏差原因分析", "完成目标可能性", "原因说明", "备注"]


def test_write_workbook_picks_the_format_from_the_suffix(tmp_path):
    canvas = Canvas("监控表")
    paint_form(canvas, sample_form(), FormStyle())
    xlsx = write_workbook(tmp_path / "a.xlsx", [canvas])
    xls = write_workbook(tmp_path / "a.xls", [canvas])
    assert openpyxl.load_workbook(xlsx)["监控表"]["C4"].value == "农村公路养护"
    assert xlrd.open_workbook(str(xls)).sheet_by_index(0).cell_value(3, 2) == "农村公路养护"
