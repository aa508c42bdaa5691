"""Header words never seen, hidden stale copies, units in names, other forms sent instead."""
from __future__ import annotations

import pytest
from formats_factory import find, html_bytes, ods_bytes, with_column, with_row, xlsx_with_hidden
from test_formats import PROJECT, content, sheets

from jixiao.config.settings import Settings
from jixiao.forms.painter import write_workbook
from jixiao.normalise.ingest import read_submission

from factory import Ind, Project, SheetSpec, paint_sheet, with_style

SETTINGS = Settings()


@pytest.fixture
def baseline(tmp_path):
    return content(write_workbook(tmp_path / "base.xlsx", sheets()))


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


@pytest.mark.parametrize("headers", [
    {"name": "绩效指标", "target": "指标值", "actual": "截至7月底完成情况", "expected": "预计全年完成值",
     "possibility": "能否完成"},
    {"name": "具体指标", "target": "年度目标", "actual": "实际完成值", "expected": "全年预计", "possibility": "完成可能性"},
    {"name": "指标内容", "target": "目标值", "actual": "累计完成", "expected": "年底预计完成"},
    {"name": "考核指标名称", "target": "计划值", "actual": "目前完成进度"},
])
def test_header_synonyms_by_anchor_words(tmp_path, baseline, headers):
    path = write_workbook(tmp_path / "syn.xlsx", sheets(style=with_style(headers=headers)))
    assert content(path) == baseline


def test_header_without_anchor_words_is_placed_by_position_and_values(tmp_path, baseline):
    path = write_workbook(tmp_path / "pos.xlsx", sheets(style=with_style(headers={"name": "考核内容", "actual": "情况"})))
    result = read_submission(path, tmp_path, SETTINGS)
    assert content(path) == baseline
    placed = [f for f in result.findings if f.code == "HEADER_PLACED_BY_POSITION"]
    assert {f.message.split("”")[0] for f in placed} == {"表头“考核内容", "表头“情况"}


def test_header_that_cannot_be_placed_is_a_finding_naming_cell_and_words(tmp_path, baseline):
    canvas = sheets()[0]
    header_row, last = find(canvas, "备注")
    canvas = with_column(canvas, last + 1, {header_row: "佐证材料", header_row + 2: "见附件"})
    path = write_workbook(tmp_path / "extra.xlsx", [canvas])
    result = read_submission(path, tmp_path, SETTINGS)
    unplaced = [f for f in result.findings if f.code == "HEADER_UNPLACED"]
    assert len(unplaced) == 1 and "佐证材料" in unplaced[0].message
    assert unplaced[0].cell == f"{chr(64 + last + 1)}{header_row}"
    assert content(path) == baseline


def _with_stale_actual_column(before: bool):
    """The 1-N月 column plus a copy of last round's (same header words, other values), hidden."""
    canvas = sheets()[0]
    header_row, actual_col = find(canvas, "1-7月执行情况")
    col = actual_col if before else actual_col + 1
    stale = {header_row: "1-6月执行情况"}
    for (r, c), put in canvas.cells.items():
        if c == actual_col and r > header_row + 1 and isinstance(put.value, (int, float)):
            stale[r] = put.value * 0.5
    return with_column(canvas, col, stale), col


@pytest.mark.parametrize("before", [True, False])
@pytest.mark.parametrize("fmt", ["xlsx", "html", "ods"])
def test_hidden_stale_column_gives_way_to_the_visible_one(tmp_path, baseline, before, fmt):
    canvas, col = _with_stale_actual_column(before)
    path = tmp_path / f"stale.{'xls' if fmt == 'html' else fmt}"
    if fmt == "xlsx":
        xlsx_with_hidden(path, [canvas], hidden_cols={"监控表": {col}})
    else:
        writer = html_bytes if fmt == "html" else ods_bytes
        path.write_bytes(writer([canvas], hidden_cols={"监控表": {col}}))
    result = read_submission(path, tmp_path, SETTINGS)
    assert content(path) == baseline
    assert "HIDDEN_COLUMN_IGNORED" in codes(result)


def test_hidden_stale_rows_give_way_to_the_visible_ones(tmp_path, baseline):
    canvas = sheets()[0]
    name_row, name_col = find(canvas, "养护里程")
    total_row, total_col = find(canvas, "年度资金总额")
    canvas = with_row(canvas, name_row, {name_col: "养护里程", name_col + 1: "≥100公里", name_col + 2: 10})
    canvas = with_row(canvas, total_row, {total_col: "年度资金总额", total_col + 1: 1.0, total_col + 2: 0.5})
    name_row += 1  # the stale funds row went in above
    path = xlsx_with_hidden(tmp_path / "rows.xlsx", [canvas], hidden_rows={"监控表": {total_row, name_row}})
    result = read_submission(path, tmp_path, SETTINGS)
    assert content(path) == baseline
    assert codes(result).count("HIDDEN_ROW_IGNORED") == 2


def test_hidden_row_without_visible_twin_is_read_and_reported(tmp_path):
    canvas = sheets()[0]
    name_row, name_col = find(canvas, "群众满意度")
    canvas = with_row(canvas, name_row + 1, {name_col: "投诉办结率", name_col + 1: "100%", name_col + 2: "100%"})
    path = xlsx_with_hidden(tmp_path / "extra.xlsx", [canvas], hidden_rows={"监控表": {name_row + 1}})
    result = read_submission(path, tmp_path, SETTINGS)
    assert "投诉办结率" in [i["name"] for i in result.projects[0].indicators]
    assert "HIDDEN_ROW_READ" in codes(result)


def test_unit_written_in_the_indicator_name_goes_to_target_unit(tmp_path):
    project = Project(indicators=[Ind("产出指标", "数量指标", "编发新闻稿件（条）", 100, 60, 100, possibility="确定能"),
                                  Ind("产出指标", "数量指标", "年度采购数量(台)", "≥20", 5, 20, possibility="确定能"),
                                  Ind("产出指标", "数量指标", "培训人数（2023年）", 300, 100, 300, possibility="确定能")])
    path = write_workbook(tmp_path / "u.xlsx", sheets(project))
    indicators = read_submission(path, tmp_path, SETTINGS).projects[0].indicators
    assert [(i["name"], i["target_unit"], i["target_value"]) for i in indicators] == [
        ("编发新闻稿件（条）", "条", 100.0), ("年度采购数量(台)", "台", 20.0), ("培训人数（2023年）", None, 300.0)]


SELF_EVALUATION = with_style(
    title="2023年度项目支出绩效自评表", period_line=False,
    columns=("level1", "level2", "name", "target", "actual", "remarks"),
    headers={"actual": "实际完成值", "remarks": "偏差原因分析及改进措施"},
    fund_headers={"executed": "全年执行数", "rate": "执行率", "expected": "分值"})
DECLARATION = with_style(title="项目支出绩效目标申报表", period_line=False, columns=("level1", "level2", "name", "target"),
                         fund_headers={"executed": "中期资金", "rate": "占比", "expected": "备注"})
TARGET_TABLE = with_style(title=None, period_line=False, columns=("level1", "level2", "name", "target"),
                          fund_headers={"executed": "资金来源", "rate": "占比", "expected": "说明"})


@pytest.mark.parametrize("style, kind", [(SELF_EVALUATION, "绩效自评表"), (DECLARATION, "绩效目标申报表"),
                                         (TARGET_TABLE, "绩效目标表")])
def test_other_forms_sent_instead_fail_with_their_own_reason(tmp_path, style, kind):
    path = write_workbook(tmp_path / "other.xlsx", sheets(style=style))
    result = read_submission(path, tmp_path, SETTINGS)
    assert result.status == "failed" and kind in result.reason


def test_monitoring_table_with_a_self_evaluation_word_is_still_read(tmp_path, baseline):
    style = with_style(headers={"remarks": "自评得分"})  # a 备注-like column, but 1-7月/全年预计 are there
    path = write_workbook(tmp_path / "m.xlsx", sheets(style=style))
    assert content(path) == baseline


def test_unit_written_as_label_or_in_square_brackets(tmp_path):
    project = Project(indicators=[Ind("产出指标", "数量指标", "新建监测站点（单位：个）", 12, 5, 12),
                                  Ind("产出指标", "数量指标", "采购设备【台】", 30, 10, 30)])
    path = write_workbook(tmp_path / "u.xlsx", sheets(project))
    indicators = read_submission(path, tmp_path, SETTINGS).projects[0].indicators
    assert [i["target_unit"] for i in indicators] == ["个", "台"]


def _grouped_completion(canvas, group: str, sub: tuple[str, str]):
    """'指标完成情况' merged over two columns with '1-7月' | '全年预计' under it."""
    from jixiao.forms.painter import Put

    hr, ac = find(canvas, "1-7月执行情况")
    canvas.merges = [m for m in canvas.merges if not (m[0] == hr and m[1] in (ac, ac + 1))]
    canvas.cells[(hr, ac)] = Put(group)
    canvas.cells.pop((hr, ac + 1), None)
    canvas.merges.append((hr, ac, hr, ac + 1))
    canvas.cells[(hr + 1, ac)], canvas.cells[(hr + 1, ac + 1)] = Put(sub[0]), Put(sub[1])
    return canvas


@pytest.mark.parametrize("group, sub", [("指标完成情况", ("1-7月", "全年预计")), ("完成情况", ("截至7月底", "预计到年底"))])
def test_completion_group_header_over_period_and_forecast(tmp_path, baseline, group, sub):
    path = write_workbook(tmp_path / "g.xlsx", [_grouped_completion(sheets()[0], group, sub)])
    assert content(path) == baseline


def test_hidden_sheet_with_last_rounds_copy_gives_way_to_the_visible_sheet(tmp_path, baseline):
    old = Project(name=PROJECT.name, indicators=PROJECT.indicators,
                  funds=[("年度资金总额", 100.0, 5.0, 50.0), ("其中：当年财政拨款", 80.0, 30.0, 76.0)])
    stale = paint_sheet(SheetSpec("上期", [old], hidden=True))
    path = write_workbook(tmp_path / "h.xlsx", [*sheets(), stale])
    result = read_submission(path, tmp_path, SETTINGS)
    assert content(path) == baseline
    assert "HIDDEN_SHEET_IGNORED" in codes(result) and "HIDDEN_SHEET_READ" not in codes(result)


def test_visible_earlier_period_column_gives_way_to_the_current_one(tmp_path, baseline):
    canvas, _ = _with_stale_actual_column(before=True)  # '1-6月执行情况' left of '1-7月执行情况', both visible
    path = write_workbook(tmp_path / "p.xlsx", [canvas])
    result = read_submission(path, tmp_path, SETTINGS)
    assert content(path) == baseline
    assert "EARLIER_PERIOD_COLUMN_IGNORED" in codes(result)


def test_funds_column_of_an_earlier_period_gives_way(tmp_path, baseline):
    canvas = sheets()[0]
    header_row, executed_col = find(canvas, "1-7月执行数")
    total_row, _ = find(canvas, "年度资金总额")
    canvas = with_column(canvas, executed_col, {header_row: "1-6月执行数", total_row: 1.0})
    path = write_workbook(tmp_path / "f.xlsx", [canvas])
    assert content(path) == baseline


def test_text_columns_of_possibility_and_reasons_are_told_by_their_values(tmp_path, baseline):
    style = with_style(possibility_as="text", reasons_as="text", headers={"possibility": "研判", "reasons": "类型"})
    path = write_workbook(tmp_path / "t.xlsx", sheets(style=style))
    result = read_submission(path, tmp_path, SETTINGS)
    assert content(path) == baseline
    assert sum(f.code == "HEADER_PLACED_BY_POSITION" for f in result.findings) == 2


def test_hidden_title_line_of_last_round_does_not_set_the_period(tmp_path):
    canvas = with_row(sheets()[0], 2, {1: "（2023年1-6月）"})
    path = xlsx_with_hidden(tmp_path / "t.xlsx", [canvas], hidden_rows={"监控表": {2}})
    assert read_submission(path, tmp_path, SETTINGS).projects[0].fields["period_end_month"] == 7


@pytest.mark.parametrize("fmt", ["xlsx", "html"])
def test_hidden_funds_column_with_the_same_header_gives_way(tmp_path, baseline, fmt):
    canvas = sheets()[0]
    header_row, executed_col = find(canvas, "1-7月执行数")
    total_row, _ = find(canvas, "年度资金总额")
    canvas = with_column(canvas, executed_col, {header_row: "1-7月执行数", total_row: 1.0})
    path = tmp_path / f"f.{'xls' if fmt == 'html' else fmt}"
    if fmt == "xlsx":
        xlsx_with_hidden(path, [canvas], hidden_cols={"监控表": {executed_col}})
    else:
        path.write_bytes(html_bytes([canvas], hidden_cols={"监控表": {executed_col}}))
    assert content(path) == baseline
    assert "HIDDEN_COLUMN_IGNORED" in codes(read_submission(path, tmp_path, SETTINGS))
