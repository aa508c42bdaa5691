"""Layout variants of real submissions, each on a workbook generated into tmp_path.

Every test builds a small workbook with :mod:`factory`, reads it with
``read_workbook`` + ``SheetReader`` and asserts the parsed values.
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.normalise.layout import ParsedProject, SheetReader, canonical_level1, canonical_level2, split_department
from jixiao.read.workbook import read_workbook

from factory import (
    Ind,
    Pct,
    Project,
    SheetSpec,
    Style,
    build,
    dropdown_sheet,
    instruction_sheet,
    one_project,
    with_style,
)


def parse(path, default_month: int = 7) -> list[ParsedProject]:
    projects: list[ParsedProject] = []
    for grid in read_workbook(path):
        reader = SheetReader(grid, 2023, default_month, "万元", 100_000.0)
        if reader.looks_like_form():
            projects.extend(reader.read())
    return projects


def only(path, **kwargs) -> ParsedProject:
    projects = parse(path, **kwargs)
    assert len(projects) == 1, [p.fields["project_name"] for p in projects]
    return projects[0]


def indicators(project: ParsedProject) -> dict[str, dict]:
    return {i["name"]: i for i in project.indicators}


def levels(project: ParsedProject) -> list[tuple]:
    return [(i["level1"], i["level2"], i["name"]) for i in project.indicators]


CANONICAL_LEVELS = [
    ("产出指标", "数量指标", "养护里程"),
    ("产出指标", "数量指标", "维修桥梁数"),
    ("产出指标", "质量指标", "路面优良率"),
    ("效益指标", "社会效益指标", "群众出行条件"),
    ("满意度指标", "服务对象满意度指标", "群众满意度"),
]


def assert_canonical_indicators(project: ParsedProject) -> None:
    assert levels(project) == CANONICAL_LEVELS
    got = indicators(project)
    assert (got["养护里程"]["target_op"], got["养护里程"]["target_value"], got["养护里程"]["target_unit"]) == (">=", 120, "公里")
    assert (got["养护里程"]["actual_value"], got["养护里程"]["expected_value"]) == (70, 120)
    assert got["维修桥梁数"]["target_op"] == "=" and got["维修桥梁数"]["target_unit"] == "座"
    assert got["群众出行条件"]["target_op"] == "qualitative"
    assert got["群众出行条件"]["reasons"] == ["经费保障", "人员保障"]
    assert got["群众出行条件"]["possibility"] == "有可能"
    assert got["群众满意度"]["possibility"] == "确定能" and got["群众满意度"]["reasons"] == []


def assert_canonical_funds(project: ParsedProject) -> None:
    f = project.fields
    assert (f["budget_total"], f["budget_fiscal"], f["budget_carryover"], f["budget_other"]) == (100, 80, 20, 0)
    assert (f["executed_total"], f["expected_total"]) == (40, 95)


# -- the template and the level cells ---------------------------------------------------------
def test_canonical_template(tmp_path):
    project = only(one_project(tmp_path / "a.xlsx"))
    f = project.fields
    assert (f["project_name"], f["dept_name"], f["dept_code"], f["unit_name"]) == (
        "农村公路养护项目", "湟源县交通运输局", "305001", "湟源县公路段")
    assert (f["period_end_month"], f["year"], f["money_unit_declared"]) == (7, 2023, "万元")
    assert f["annual_goal"].startswith("完成全县")
    assert_canonical_funds(project)
    assert_canonical_indicators(project)
    assert indicators(project)["群众出行条件"]["reason_text"] == "资金到位较晚"


@pytest.mark.parametrize("fill", ["merged", "repeat", "first"])
def test_level_cells_merged_repeated_or_first_row_only(tmp_path, fill):
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(level_fill=fill)))
    assert levels(project) == CANONICAL_LEVELS


def test_blank_rows_between_indicator_groups(tmp_path):
    for fill in ("merged", "first"):
        path = one_project(tmp_path / f"{fill}.xlsx", style=with_style(blank_rows=True, level_fill=fill))
        assert levels(only(path)) == CANONICAL_LEVELS


def test_short_level_names_get_the_full_names(tmp_path):
    short = [Ind("产出", "数量", "培训人次", "≥200人次", 120, 210, possibility="确定能"),
             Ind("效益", "社会效益", "就业率", "≥80%", 70, 85, possibility="确定能"),
             Ind("满意度", "满意度", "学员满意度", "≥90%", 95, 95, possibility="确定能")]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=short)))
    assert [(i["level1"], i["level2"]) for i in project.indicators] == [
        ("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]


def test_cost_as_its_own_first_level_2021_style(tmp_path):
    rows = [Ind("产出指标", "成本指标", "单公里养护成本", "≤0.8万元/公里", 0.5, 0.78),
            Ind("成本指标", "经济成本指标", "项目总成本", "≤100万元", 40, 95),
            Ind("成本指标", "社会成本指标", "施工扰民投诉", "≤2次", 0, 1),
            Ind("成本指标", "生态环境成本", "植被破坏面积", "0平方米", 0, 0)]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows)))
    assert [(i["level1"], i["level2"]) for i in project.indicators] == [
        ("产出指标", "成本指标"), ("成本指标", "经济成本指标"), ("成本指标", "社会成本指标"), ("成本指标", "生态环境成本指标")]


def test_unfilled_template_rows_are_skipped(tmp_path):
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 120),
            Ind("产出指标", "质量指标", None), Ind("产出指标", "时效指标", None),
            Ind("效益指标", "社会效益指标", "群众出行条件", "明显改善"),
            Ind("效益指标", "生态效益指标", None), Ind("满意度指标", "服务对象满意度指标", None)]
    for fill in ("merged", "repeat", "first"):
        project = only(one_project(tmp_path / f"{fill}.xlsx", Project(indicators=rows), with_style(level_fill=fill)))
        assert levels(project) == [("产出指标", "数量指标", "养护里程"), ("效益指标", "社会效益指标", "群众出行条件")]


def test_missing_second_level_column_keeps_level2_empty(tmp_path):
    columns = ("level1", "name", "target", "actual", "expected", "reasons", "possibility", "reason_text", "remarks")
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(columns=columns)))
    assert [(i["level1"], i["level2"]) for i in project.indicators] == [
        ("产出指标", None), ("产出指标", None), ("产出指标", None), ("效益指标", None), ("满意度指标", None)]


# -- header texts and columns -------------------------------------------------------------------
def test_headers_with_spaces_line_breaks_and_full_width(tmp_path):
    style = with_style(
        headers={"level1": "一级\n指标", "level2": "二 级 指 标", "name": "三级\n指标", "target": "年 度 指 标 值",
                 "actual": "1－7月\n执行情况", "expected": "全年预计\r\n完成情况", "reasons": "偏差原因\n分析",
                 "possibility": "完成目标\n可能性", "reason_text": "原因\n说明", "remarks": "备　注"},
        fund_headers={"budget": "年初\n预算数", "executed": "１－７月\n执行数", "rate": "1-7月\n执行率",
                      "expected": "全年预计\n执行数"})
    project = only(one_project(tmp_path / "a.xlsx", style=style))
    assert project.fields["period_end_month"] == 7
    assert_canonical_funds(project)
    assert_canonical_indicators(project)


def test_target_header_written_as_zhibiaozhi(tmp_path):
    style = with_style(headers={"target": "指标值", "actual": "1－7月完成值", "expected": "全年预计完成值"})
    assert_canonical_indicators(only(one_project(tmp_path / "a.xlsx", style=style)))


def test_columns_in_another_order(tmp_path):
    columns = ("level1", "level2", "name", "target", "expected", "actual", "possibility", "reasons", "remarks", "reason_text")
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(columns=columns)))
    assert_canonical_indicators(project)
    assert indicators(project)["群众出行条件"]["reason_text"] == "资金到位较晚"


def test_missing_optional_columns(tmp_path):
    columns = ("level1", "level2", "name", "target", "actual", "reasons", "possibility")
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(columns=columns)))
    got = indicators(project)
    assert got["养护里程"]["actual_value"] == 70 and got["养护里程"]["expected_value"] is None
    assert got["群众出行条件"]["reason_text"] is None and got["群众出行条件"]["remarks"] is None
    assert got["群众出行条件"]["reasons"] == ["经费保障", "人员保障"]
    assert any(f.code == "COLUMN_MISSING" for f in project.findings)


def test_leading_index_column_in_funds_and_indicators(tmp_path):
    for fill in ("merged", "first"):
        style = with_style(index_column=True, level_fill=fill)
        project = only(one_project(tmp_path / f"{fill}.xlsx", style=style))
        assert_canonical_funds(project)
        assert_canonical_indicators(project)


def test_group_header_above_the_level_headers(tmp_path):
    for style in (with_style(group_above=True), with_style(group_above=True, reasons_as="text", possibility_as="text"),
                  with_style(group_above=True, index_column=True, level_fill="first")):
        path = tmp_path / "a.xlsx"
        indicators_ = Project().indicators
        if style.possibility_as == "text":
            indicators_ = [replace(i, reasons=()) if i.name != "群众出行条件" else i for i in indicators_]
        project = only(one_project(path, Project(indicators=indicators_), style))
        assert_canonical_indicators(project)


def test_tick_columns_without_a_group_header(tmp_path):
    for style in (with_style(flat_ticks=True), with_style(flat_ticks=True, group_above=True, index_column=True)):
        assert_canonical_indicators(only(one_project(tmp_path / "a.xlsx", style=style)))


# -- sheets and projects ------------------------------------------------------------------------
def test_instruction_and_hidden_dropdown_sheets_are_not_forms(tmp_path):
    path = one_project(tmp_path / "a.xlsx", extra=[instruction_sheet(), dropdown_sheet()])
    project = only(path)
    assert project.sheet == "监控表"
    assert [g.hidden for g in read_workbook(path)] == [False, True, False]


def test_several_project_sheets_per_workbook(tmp_path):
    names = ["项目一", "项目二", "项目三"]
    sheets = [SheetSpec(f"项目{i + 1}", [Project(name=n, unit=f"单位{i + 1}")]) for i, n in enumerate(names)]
    projects = parse(build(tmp_path / "a.xlsx", [instruction_sheet(), *sheets, dropdown_sheet()]))
    assert [p.fields["project_name"] for p in projects] == names
    assert [p.fields["unit_name"] for p in projects] == ["单位1", "单位2", "单位3"]
    for project in projects:
        assert_canonical_indicators(project)


@pytest.mark.parametrize("style", [Style(), Style(title=None, period_line=False), Style(index_column=True)],
                         ids=["titled", "title-less", "index"])
def test_several_projects_stacked_on_one_sheet(tmp_path, style):
    second = Project(name="桥梁维修项目", unit="湟源县交通局", funds=[
        ("年度资金总额", 50, 10, 45), ("其中：当年财政拨款", 50, 10, 45), ("上年结转资金", None, None, None),
        ("其他资金", None, None, None)],
        indicators=[Ind("产出指标", "数量指标", "维修桥梁", "2座", 0, 2, possibility="确定能"),
                    Ind("满意度指标", "服务对象满意度指标", "满意度", "≥95%", None, 96, possibility="确定能")])
    third = Project(name="安全生命防护工程", indicators=[Ind("产出指标", "质量指标", "验收合格率", "100%", 100, 100)])
    projects = parse(build(tmp_path / "a.xlsx", [SheetSpec("监控表", [Project(), second, third], style)]))
    assert [p.fields["project_name"] for p in projects] == ["农村公路养护项目", "桥梁维修项目", "安全生命防护工程"]
    assert_canonical_funds(projects[0])
    assert_canonical_indicators(projects[0])
    f = projects[1].fields
    assert (f["budget_total"], f["budget_carryover"], f["executed_total"], f["unit_name"]) == (50, None, 10, "湟源县交通局")
    assert [i["name"] for i in projects[1].indicators] == ["维修桥梁", "满意度"]
    assert [i["name"] for i in projects[2].indicators] == ["验收合格率"]


# -- money and period ---------------------------------------------------------------------------
def test_amounts_in_yuan_are_converted_to_wanyuan(tmp_path):
    funds = [("年度资金总额", 1_234_500, "456,700.00", 1_200_000), ("其中：当年财政拨款", 1_000_000, 400_000, 1_000_000),
             ("上年结转资金", 234_500, 56_700, 200_000), ("其他资金", None, None, None)]
    project = only(one_project(tmp_path / "a.xlsx", Project(funds=funds), with_style(money_unit="元")))
    f = project.fields
    assert f["money_unit_declared"] == "元"
    assert (f["budget_total"], f["budget_fiscal"], f["executed_total"], f["expected_total"]) == (123.45, 100, 45.67, 120)
    assert f["budget_other"] is None


@pytest.mark.parametrize("month", [6, 8, 9])
def test_period_end_month_is_read_from_the_headers(tmp_path, month):
    style = with_style(period=f"1-{month}月")
    project = only(one_project(tmp_path / "a.xlsx", style=style))
    assert project.fields["period_end_month"] == month
    assert_canonical_funds(project)
    assert indicators(project)["养护里程"]["actual_value"] == 70


def test_period_from_column_headers_on_a_title_less_sheet(tmp_path):
    style = with_style(title=None, period_line=False, period="1－8月")
    project = only(one_project(tmp_path / "a.xlsx", style=style))
    assert project.fields["period_end_month"] == 8
    assert project.fields["project_name"] == "农村公路养护项目"
    assert_canonical_funds(project)


@pytest.mark.parametrize("mode", ["cached", "uncached"])
def test_fund_formulas_with_and_without_cached_results(tmp_path, mode):
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(formulas=mode)))
    assert_canonical_funds(project)
    total = next(f for f in project.funds if f["source"] == "total")
    assert total["executed_rate_reported"] == pytest.approx(40.0)


def test_rate_written_as_text_or_missing(tmp_path):
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(rate="text")))
    assert next(f for f in project.funds if f["source"] == "total")["executed_rate_reported"] == pytest.approx(40.0)
    project = only(one_project(tmp_path / "b.xlsx", style=with_style(rate=None)))
    assert_canonical_funds(project)


def test_funds_block_shifted_right_with_side_label(tmp_path):
    for style in (with_style(funds_side_label=True), with_style(funds_col=2, funds_side_label=True),
                  with_style(funds_col=3)):
        assert_canonical_funds(only(one_project(tmp_path / "a.xlsx", style=style)))


def test_fund_row_label_variants(tmp_path):
    funds = [("资金总额", 100.0, 40.0, 95.0), ("其中：本年一般公共预算", 80.0, 30.0, 76.0),
             ("以前年度结转结余", 20.0, 10.0, 19.0), ("自筹资金", 0, 0, 0)]
    assert_canonical_funds(only(one_project(tmp_path / "a.xlsx", Project(funds=funds))))


# -- cells: ticks, possibility, reasons, numbers ------------------------------------------------
@pytest.mark.parametrize("tick", ["√", "✓", "✔", "是", "●", "1", 1, "☑", "V"])
def test_tick_marks(tmp_path, tick):
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(tick=tick)))
    assert_canonical_indicators(project)


def test_possibility_tick_column_labelled_buneng(tmp_path):
    style = with_style(possibility_labels=("确定能", "有可能", "不可能"))
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", 30, 80, possibility="完全不可能")]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows), style))
    assert project.indicators[0]["possibility"] == "完全不可能"


@pytest.mark.parametrize("text, level", [("确定能", "确定能"), ("有可能", "有可能"), ("不可能", "完全不可能"),
                                         ("完全不可能", "完全不可能"), ("能", "确定能"), ("可能", "有可能"), (None, None)])
def test_possibility_as_one_text_column(tmp_path, text, level):
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 120, possibility=text)]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows), with_style(possibility_as="text")))
    assert project.indicators[0]["possibility"] == level


def test_reasons_as_one_text_column(tmp_path):
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 100, reasons="经费保障、人员保障"),
            Ind("产出指标", "质量指标", "路面优良率", "≥85%", 80, 80, reasons="资金未及时到位"),
            Ind("满意度指标", "服务对象满意度指标", "满意度", "≥90%", 91, 92)]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows), with_style(reasons_as="text")))
    assert [i["reasons"] for i in project.indicators] == [["经费保障", "人员保障"], ["经费保障"], []]
    assert project.indicators[1]["reason_text"] == "资金未及时到位"


def test_reason_tick_column_holding_a_short_text(tmp_path):
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 100, reasons="资金未到位")]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows)))
    record = project.indicators[0]
    assert record["reasons"] == ["经费保障"]
    assert "资金未到位" in record["reason_text"]


TARGETS = [  # (年度指标值, 1-7月执行情况, 全年预计完成情况, op, value, unit, actual, expected)
    ("≥1,500人", "1,200人", "1,520", ">=", 1500, "人", 1200, 1520),
    ("≥９５％", "９６％", "９７", ">=", 95, "%", 96, 97),
    ("不低于95%", 96, "≥95%", ">=", 95, "%", 96, 95),
    ("不少于10台", "6台", 10, ">=", 10, "台", 6, 10),
    ("90%以上", "92%", 92, ">=", 90, "%", 92, 92),
    ("48小时以内", "36小时", 40, "<=", 48, "小时", 36, 40),
    ("不超过10万元/台", "9.5万元/台", 9.8, "<=", 10, "万元/台", 9.5, 9.8),
    ("控制在5%以内", "3%", "4%", "<=", 5, "%", 3, 4),
    ("90%-95%", "91%", "93%", "range", 90, "%", 91, 93),
    (Pct(0.95), Pct(0.96), Pct(0.97), "=", 95, "%", 96, 97),
    ("100%", Pct(0.6), Pct(1), "=", 100, "%", 60, 100),
    ("≤2小时", "90分钟", "100分钟", "<=", 2, "小时", 1.5, 100 / 60),
    ("≤10万元", "45,000元", "95000元", "<=", 10, "万元", 4.5, 9.5),
    ("≥1.2万人", "9000人", "12,000人", ">=", 1.2, "万人", 0.9, 1.2),
    ("0起", "0起", 0, "=", 0, "起", 0, 0),
    ("按时完成", "正在推进", "预计年底完成", "qualitative", None, None, None, None),
]


def test_target_and_measure_values(tmp_path):
    rows = [Ind("产出指标", "数量指标", f"指标{i}", t, a, e) for i, (t, a, e, *_) in enumerate(TARGETS)]
    for suffix in ("xlsx", "xls"):
        project = only(one_project(tmp_path / f"a.{suffix}", Project(indicators=rows)))
        for record, (_, _, _, op, value, unit, actual, expected) in zip(project.indicators, TARGETS, strict=True):
            got = (record["target_op"], record["target_value"], record["target_unit"])
            assert got == (op, value, unit), record["target_text"]
            assert record["actual_value"] == pytest.approx(actual), record["actual_text"]
            assert record["expected_value"] == pytest.approx(expected), record["expected_text"]


def test_range_target_keeps_both_bounds(tmp_path):
    rows = [Ind("产出指标", "质量指标", "合格率", "90%-95%", "91%", "93%")]
    record = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows))).indicators[0]
    assert (record["target_value"], record["target_value_max"]) == (90, 95)


# -- identity -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dept, name, code", [
    ("湟源县教育局（302001）", "湟源县教育局", "302001"),
    ("湟源县教育局(302001)", "湟源县教育局", "302001"),
    ("湟源县教育局（代码：302001）", "湟源县教育局", "302001"),
    ("湟源县教育局 （ 302001 ）", "湟源县教育局", "302001"),
    ("湟源县教育局", "湟源县教育局", None),
])
def test_department_code_forms(tmp_path, dept, name, code):
    project = only(one_project(tmp_path / "a.xlsx", Project(dept=dept)))
    assert (project.fields["dept_name"], project.fields["dept_code"]) == (name, code)
    assert split_department(dept) == (name, code)


def test_inline_project_name_label(tmp_path):
    project = only(one_project(tmp_path / "a.xlsx", Project(name="  农村公路 养护项目 "), with_style(inline_name=True)))
    assert project.fields["project_name"] == "农村公路养护项目"
    assert_canonical_funds(project)


# -- .xls ---------------------------------------------------------------------------------------
def test_xls_written_by_wps_style_tools(tmp_path):
    rows = [*Project().indicators[:4], Ind("满意度指标", "服务对象满意度指标", "群众满意度", Pct(0.9), Pct(0.91), Pct(0.92),
                                           possibility="确定能")]
    project = only(one_project(tmp_path / "a.xls", Project(indicators=rows), with_style(index_column=True)))
    assert_canonical_funds(project)
    assert levels(project) == CANONICAL_LEVELS
    record = indicators(project)["群众满意度"]
    assert (record["target_op"], record["target_value"], record["target_unit"]) == ("=", 90, "%")
    assert (record["actual_value"], record["expected_value"]) == (91, 92)
    total = next(f for f in project.funds if f["source"] == "total")
    assert total["executed_rate_reported"] == pytest.approx(40.0)


def test_canonical_level_names():
    assert canonical_level1("产出") == "产出指标" and canonical_level1("成本指标") == "成本指标"
    assert canonical_level2("数量") == "数量指标" and canonical_level2("生态环境成本指标") == "生态环境成本指标"
    assert canonical_level2("服务对象满意度") == "服务对象满意度指标"


# -- further variants of real submissions ------------------------------------------------------
def test_funds_header_band_of_two_rows(tmp_path):
    for style in (with_style(fund_band=True), with_style(fund_band=True, formulas="uncached", index_column=True)):
        project = only(one_project(tmp_path / "a.xlsx", style=style))
        assert_canonical_funds(project)
        total = next(f for f in project.funds if f["source"] == "total")
        assert total["executed_rate_reported"] == pytest.approx(40.0)


@pytest.mark.parametrize("header, month", [("1月-7月执行数", 7), ("截至8月底执行数", 8), ("2023年1月至9月执行数", 9)])
def test_period_written_with_months_on_both_ends_or_as_cutoff(tmp_path, header, month):
    style = with_style(title=None, period_line=False, fund_headers={"executed": header})
    project = only(one_project(tmp_path / "a.xlsx", style=style), default_month=12)
    assert project.fields["period_end_month"] == month
    assert_canonical_funds(project)


@pytest.mark.parametrize("labels", [("能", "可能", "不能"), ("确定能完成", "有可能完成", "完全不可能完成"),
                                    ("确 定 能", "有\n可能", "完全\n不可能")])
def test_possibility_tick_column_label_variants(tmp_path, labels):
    style = with_style(possibility_labels=labels)
    assert_canonical_indicators(only(one_project(tmp_path / "a.xlsx", style=style)))


@pytest.mark.parametrize("untick", ["□", "☐", "×", "否", "/"])
def test_checkbox_forms_where_unticked_boxes_hold_a_mark(tmp_path, untick):
    style = with_style(tick="☑", untick=untick)
    assert_canonical_indicators(only(one_project(tmp_path / "a.xlsx", style=style)))


def test_separate_comparator_and_unit_columns(tmp_path):
    columns = ("level1", "level2", "name", "op", "target", "unit", "actual", "expected", "reasons", "possibility")
    rows = [Ind("产出指标", "数量指标", "培训人数", 200, 120, 210, op="≥", unit="人"),
            Ind("产出指标", "质量指标", "合格率", Pct(0.95), Pct(0.96), Pct(0.97), op="正向", unit="%"),
            Ind("产出指标", "时效指标", "响应时间", 2, "90分钟", 1.5, op="≤", unit="小时"),
            Ind("效益指标", "社会效益指标", "群众生活", "有效改善", "部分改善", "达到预期", op="定性"),
            Ind("效益指标", "社会效益指标", "培训合格率", "≥90%", 92, 93, op="正向", unit="%")]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows), with_style(columns=columns)))
    got = [(i["target_op"], i["target_value"], i["target_unit"], i["actual_value"], i["expected_value"])
           for i in project.indicators]
    assert got == [(">=", 200, "人", 120, 210), (">=", 95, "%", 96, 97), ("<=", 2, "小时", 1.5, 1.5),
                   ("qualitative", None, None, None, None), (">=", 90, "%", 92, 93)]


def test_execution_texts_with_dates_and_words(tmp_path):
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", "截至7月底完成70公里", "预计年底完成120公里"),
            Ind("产出指标", "质量指标", "合格率", "≥95%", "约96%", "95%左右"),
            Ind("产出指标", "时效指标", "完工时间", "2023年11月底前", "正在推进", "预计11月完成"),
            Ind("产出指标", "时效指标", "审批时限", "10个工作日内", "8个工作日", "—")]
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows)))
    got = [(i["target_op"], i["target_value"], i["target_unit"], i["actual_value"], i["expected_value"])
           for i in project.indicators]
    assert got == [(">=", 120, "公里", 70, 120), (">=", 95, "%", 96, 95), ("qualitative", None, None, None, None),
                   ("<=", 10, "个工作日", 8, None)]


def test_form_anywhere_on_the_sheet(tmp_path):
    for margin in ((2, 1), (0, 3)):
        style = with_style(margin=margin, formulas="uncached", level_fill="first")
        project = only(one_project(tmp_path / "a.xlsx", style=style))
        assert project.fields["project_name"] == "农村公路养护项目"
        assert_canonical_funds(project)
        assert_canonical_indicators(project)


def test_summary_sheet_is_not_read_as_a_project(tmp_path):
    summary = SheetSpec("汇总表", rows=[
        ["2023年项目支出绩效监控汇总表"],
        ["序号", "项目名称", "实施单位", "年初预算数", "1-7月执行数", "执行率"],
        [1, "城乡居民最低生活保障资金", "湟源县民政局", 100, 40, Pct(0.4)],
        [2, "项目资金总额", "湟源县民政局", 50, 20, Pct(0.4)]])
    projects = parse(build(tmp_path / "a.xlsx", [summary, SheetSpec("项目1", [Project()])]))
    assert [p.sheet for p in projects] == ["项目1"]


def test_rows_under_the_table_end_it_but_indicator_names_do_not(tmp_path):
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 120),
            Ind("产出指标", "数量指标", "注册养护企业数", "≥3家", 2, 3),
            Ind("产出指标", "数量指标", "说明牌设置数量", "10块", 10, 10)]
    for fill in ("first", "merged"):
        project = only(one_project(tmp_path / f"{fill}.xlsx", Project(indicators=rows), with_style(level_fill=fill)))
        assert [i["name"] for i in project.indicators] == ["养护里程", "注册养护企业数", "说明牌设置数量"]


def test_reported_rate_is_kept_apart_from_the_amounts(tmp_path):
    """A rate reported against money received (到位资金) is kept as reported; amounts stay as written."""
    style = with_style(rate="text")
    funds = [("年度资金总额", 100.0, 40.0, 95.0), ("其中：当年财政拨款", 80.0, 30.0, 76.0), ("上年结转资金", 20.0, 10.0, 19.0),
             ("其他资金", 0, 0, 0)]
    project = only(one_project(tmp_path / "a.xlsx", Project(funds=funds), style))
    total = next(f for f in project.funds if f["source"] == "total")
    assert (total["budget"], total["executed"], total["executed_rate_reported"]) == (100, 40, pytest.approx(40))


@pytest.mark.parametrize("headers", [
    {"target": "年度目标", "actual": "1-7月完成数", "possibility": "能否完成目标", "reasons": "原因分析及改进措施"},
    {"target": "全年目标值", "actual": "截至7月底完成情况", "expected": "预计全年完成", "reason_text": "整改措施"},
])
def test_other_header_wordings(tmp_path, headers):
    rows = [Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 100, reasons="资金未到位", possibility="否",
                reason_text="加快拨付"),
            Ind("产出指标", "质量指标", "路面优良率", "≥85%", 80, 86, possibility="能")]
    style = with_style(headers=headers, reasons_as="text", possibility_as="text")
    project = only(one_project(tmp_path / "a.xlsx", Project(indicators=rows), style))
    first, second = project.indicators
    assert (first["target_value"], first["actual_value"], first["expected_value"]) == (120, 70, 100)
    assert (first["reasons"], first["possibility"], second["possibility"]) == (["经费保障"], "完全不可能", "确定能")
    assert "加快拨付" in first["reason_text"]


def test_missing_first_level_column_is_inferred_from_the_second(tmp_path):
    columns = ("level2", "name", "target", "actual", "expected", "reasons", "possibility")
    project = only(one_project(tmp_path / "a.xlsx", style=with_style(columns=columns)))
    assert levels(project) == CANONICAL_LEVELS


names = st.text(alphabet="湟源县教育局卫生健康农业村科技交通运输民政人社住房城乡建设", min_size=2, max_size=12)
codes = st.from_regex(r"\A[1-9][0-9]{5}\Z")


@given(names, codes, st.sampled_from(["{n}（{c}）", "{n}({c})", "{n}（代码：{c}）", "{n}【{c}】", "{n} 代码:{c}",
                                      "{c}{n}", "{n}-{c}", "{n} （ {c} ）"]))
def test_department_code_forms_property(name, code, form):
    assert split_department(form.format(n=name, c=code)) == (name, code)
    assert split_department(name) == (name, None)


styles = st.builds(
    Style,
    title=st.sampled_from(["项目支出绩效目标执行监控表", None]),
    period_line=st.booleans(),
    level_fill=st.sampled_from(["merged", "repeat", "first"]),
    tick=st.sampled_from(["√", "✓", "✔", "是", "●", 1]),
    reasons_as=st.sampled_from(["ticks", "text"]),
    possibility_as=st.sampled_from(["ticks", "text"]),
    blank_rows=st.booleans(),
    group_above=st.booleans(),
    flat_ticks=st.booleans(),
    funds_col=st.integers(1, 3),
    funds_side_label=st.booleans(),
    fund_band=st.booleans(),
    rate=st.sampled_from(["value", "text"]),
    formulas=st.sampled_from([None, "cached", "uncached"]),
    index_column=st.booleans(),
    margin=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)


@given(styles, st.sampled_from(["xlsx", "xls"]), st.integers(1, 3))
@settings(max_examples=40, deadline=None)
def test_any_combination_of_quirks(style, suffix, stacked):
    if suffix == "xls":
        style = replace(style, formulas=None)  # xlwt stores no formula results
    names = [f"农村公路养护项目{i}" for i in range(stacked)]
    with tempfile.TemporaryDirectory() as folder:
        path = build(Path(folder) / f"a.{suffix}", [SheetSpec("监控表", [Project(name=n) for n in names], style)])
        projects = parse(path)
    assert [p.fields["project_name"] for p in projects] == names
    for project in projects:
        assert_canonical_funds(project)
        assert_canonical_indicators(project)


# -- variants found by adversarial submissions -------------------------------------------------
IDENTITY_ROWS = [
    ["项目支出绩效目标执行监控表"],
    ["（2023年1-7月）"],
    ["项目名称", None, "社区养老服务项目"],
    ["主管部门及代码", None, "湟源县民政局（311001）", None, None, None, "实施单位", None, "湟源县养老服务中心"],
]
FUND_ROWS = [
    ["项目资金（万元）", None, "年初预算数", "1-7月执行数", "1-7月执行率", "全年预计执行数"],
    ["年度资金总额", None, 500, 260.5, Pct(0.521), 480],
    ["其中：当年财政拨款", None, 400, 200.5, None, 390],
    ["上年结转资金", None, 60, 40, None, 60],
    ["其他资金", None, 40, 20, None, 30],
]
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "1-7月执行情况", "全年预计完成情况", "完成目标可能性"]
INDICATOR_ROWS = [
    ["产出指标", "数量指标", "培训人次", "≥1200人次", 760, 1250, "确定能"],
    ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "92%", "0.93", "有可能"],
]


def raw_form(tmp_path, rows) -> ParsedProject:
    return only(build(tmp_path / "a.xlsx", [SheetSpec("监控表", rows=rows)]))


def test_funds_block_below_the_indicator_table(tmp_path):
    project = raw_form(tmp_path, [*IDENTITY_ROWS, INDICATOR_HEADER, *INDICATOR_ROWS, [], *FUND_ROWS, ["填报人：张三"]])
    f = project.fields
    assert (f["budget_total"], f["budget_fiscal"], f["budget_carryover"], f["budget_other"]) == (500, 400, 60, 40)
    assert (f["executed_total"], f["expected_total"]) == (260.5, 480)
    assert [i["name"] for i in project.indicators] == ["培训人次", "服务对象满意度"]


def test_indicator_header_typed_over_two_unmerged_rows(tmp_path):
    header = [["一级", "二级", "三级", "年度", "1-7月", "全年预计", "完成目标"],
              ["指标", "指标", "指标", "指标值", "执行情况", "完成情况", "可能性"]]
    project = raw_form(tmp_path, [*IDENTITY_ROWS, *FUND_ROWS, *header, *INDICATOR_ROWS])
    got = indicators(project)
    assert levels(project)[0] == ("产出指标", "数量指标", "培训人次")
    assert (got["培训人次"]["target_value"], got["培训人次"]["actual_value"], got["培训人次"]["expected_value"]) == (1200, 760, 1250)
    assert got["服务对象满意度"]["possibility"] == "有可能"


def test_percent_forecast_typed_as_a_fraction_in_text(tmp_path):
    project = raw_form(tmp_path, [*IDENTITY_ROWS, *FUND_ROWS, INDICATOR_HEADER, *INDICATOR_ROWS])
    assert indicators(project)["服务对象满意度"]["expected_value"] == 93


def test_inline_department_label_with_words_before_the_colon(tmp_path):
    identity = [*IDENTITY_ROWS[:3], ["主管部门及代码：湟源县民政局（311001）", None, None, None, "实施单位：湟源县养老服务中心"],
                ["实施单位负责人：李四"]]
    f = raw_form(tmp_path, [["填报单位：湟源县民政局"], *identity, *FUND_ROWS, INDICATOR_HEADER, *INDICATOR_ROWS]).fields
    assert (f["dept_name"], f["dept_code"], f["unit_name"]) == ("湟源县民政局", "311001", "湟源县养老服务中心")


@pytest.mark.parametrize("label", ["资金合计", "项目资金合计", "项目总资金", "总资金", "小计", "年度资金合计"])
def test_total_row_label_variants(tmp_path, label):
    funds = [FUND_ROWS[0], [label, *FUND_ROWS[1][1:]], *FUND_ROWS[2:]]
    f = raw_form(tmp_path, [*IDENTITY_ROWS, *funds, INDICATOR_HEADER, *INDICATOR_ROWS]).fields
    assert (f["budget_total"], f["executed_total"], f["expected_total"]) == (500, 260.5, 480)


def test_declaration_form_sent_instead_is_no_monitoring_form(tmp_path):
    rows = [["项目支出绩效目标申报表"], *IDENTITY_ROWS[2:],
            ["项目资金（万元）", None, "年度资金总额", 100], ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "培训人次", "≥100人次"]]
    assert parse(build(tmp_path / "a.xlsx", [SheetSpec("申报表", rows=rows)])) == []


def test_every_identity_label_inline_with_its_colon(tmp_path):
    identity = [["项目支出绩效目标执行监控表"], ["项目名称：社区养老服务项目"],
                ["主管部门：湟源县民政局", None, None, "部门代码：311001", None, "实施单位：湟源县养老服务中心"],
                ["年度总体目标：完成助餐服务。"]]
    f = raw_form(tmp_path, [*identity, *FUND_ROWS, INDICATOR_HEADER, *INDICATOR_ROWS]).fields
    assert (f["project_name"], f["dept_name"], f["dept_code"], f["unit_name"]) == (
        "社区养老服务项目", "湟源县民政局", "311001", "湟源县养老服务中心")
    assert f["annual_goal"] == "完成助餐服务。"


def test_money_unit_declared_as_renminbi_yuan(tmp_path):
    funds = [["项目资金", None, "年初预算数", "1-7月执行数", "1-7月执行率", "全年预计执行数"],
             ["年度资金总额", None, 58000, 23000, None, 58000]]
    f = raw_form(tmp_path, [*IDENTITY_ROWS, ["金额单位：人民币元"], *funds, INDICATOR_HEADER, *INDICATOR_ROWS]).fields
    assert (f["money_unit_declared"], f["budget_total"], f["executed_total"]) == ("元", 5.8, 2.3)


def test_possibility_ticked_once_in_a_cell_merged_down_a_group(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    funds = [[None if isinstance(v, Pct) else v for v in row] for row in FUND_ROWS]
    for row in [*IDENTITY_ROWS, *funds, ["一级指标", "二级指标", "三级指标", "年度指标值", "1-7月执行情况",
                                             "全年预计完成情况", "偏差原因分析", None, "完成目标可能性"],
                [None] * 6 + ["经费保障", "其他", "确定能", "有可能", "完全不可能"],
                ["产出指标", "数量指标", "培训人次", "≥1200人次", 760, 1250, None, None, "√"],
                ["产出指标", "数量指标", "培训场次", "≥12场", 8, 12],
                ["满意度指标", "服务对象满意度指标", "满意度", "≥90%", "92%", "93%", "资金未到位", None, None, "√"]]:
        sheet.append(row)
    sheet.merge_cells("I12:I13")  # one √ for both 数量 indicators
    sheet.merge_cells("G14:H14")  # a reason text written across the tick columns names one category
    book.save(tmp_path / "m.xlsx")
    got = indicators(only(tmp_path / "m.xlsx"))
    assert [got[n]["possibility"] for n in ("培训人次", "培训场次", "满意度")] == ["确定能", "确定能", "有可能"]
    assert got["满意度"]["reasons"] == ["经费保障"]
