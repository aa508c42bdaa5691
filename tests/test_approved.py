"""Approved targets in both forms, and the rigidity codes against them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from openpyxl.cell.cell import MergedCell
from test_template import (
    ROAD,
    approved_rows,
    filled_templates,
    indicator_rows,
    ingest_and_check,
    road_sheet,
    write_approved_csv,
    write_approved_xlsx,
)

from jixiao.forms import fill_in as T
from jixiao.normalise.values import parse_target
from jixiao.validate.approved import RIGIDITY_CODES, ApprovedTargetsError, read_approved, same_target

ROAD_EXTRA = [*ROAD, "产出指标", "数量指标", "安全隐患排查次数", "≥12次"]


def rigidity(tmp_path, approved_rows_, edit=None):
    """Rigidity findings of the correctly filled templates (optionally edited) against ``approved_rows_``."""
    raw = filled_templates(tmp_path, edit)  # templates from the full approved list
    approved = write_approved_csv(tmp_path / "approved-check.csv", approved_rows_)
    findings = ingest_and_check(tmp_path, raw, approved)
    return findings[findings["code"].isin(RIGIDITY_CODES)]


def only(findings, code):
    assert set(findings["code"]) == {code}, findings[["code", "cell", "message"]].to_string()
    return findings


def test_target_changed_is_raised_on_that_indicator_only(tmp_path):
    def edit(book):
        sheet = road_sheet(book)
        sheet.cell(indicator_rows(sheet)["路面优良率"], T.INDICATOR_COLUMNS["target"]).value = "≥80%"

    found = only(rigidity(tmp_path, approved_rows(), edit), "TARGET_CHANGED")
    assert list(found["cell"]) == [f"D{T.FIRST_INDICATOR_ROW + 2}"]
    assert "≥85%" in found.iloc[0]["message"] and found.iloc[0]["severity"] == "error"


def test_indicator_missing_when_an_approved_indicator_is_not_submitted(tmp_path):
    found = only(rigidity(tmp_path, approved_rows(extra=[ROAD_EXTRA])), "INDICATOR_MISSING")
    assert len(found) == 1 and "安全隐患排查次数" in found.iloc[0]["message"]
    assert found.iloc[0]["sheet"] == "农村公路养护项目"


def test_indicator_added_when_the_submission_has_an_unapproved_one(tmp_path):
    found = only(rigidity(tmp_path, approved_rows(drop=("群众满意度",))), "INDICATOR_ADDED")
    assert len(found) == 1 and found.iloc[0]["cell"] == f"C{T.FIRST_INDICATOR_ROW + 5}"


def test_project_not_approved(tmp_path):
    rows = [r for r in approved_rows() if r[2] != "危桥改造项目"]
    found = only(rigidity(tmp_path, rows), "PROJECT_NOT_APPROVED")
    assert len(found) == 1 and "危桥改造项目" in found.iloc[0]["message"]


def test_project_not_submitted_names_the_missing_project(tmp_path):
    found = only(rigidity(tmp_path, approved_rows(), lambda book: book.remove(book["危桥改造项目"])),
                 "PROJECT_NOT_SUBMITTED")
    assert len(found) == 1 and "危桥改造项目" in found.iloc[0]["message"]
    assert found.iloc[0]["source_file"] is None or found["source_file"].isna().all()


def test_renamed_indicator_is_reported_as_renamed(tmp_path):
    def edit(book):
        sheet = road_sheet(book)
        sheet.cell(indicator_rows(sheet)["群众满意度"], T.INDICATOR_COLUMNS["name"]).value = "沿线群众满意度"

    found = only(rigidity(tmp_path, approved_rows(), edit), "INDICATOR_RENAMED")
    assert len(found) == 1 and "群众满意度" in found.iloc[0]["suggestion"]


def level2_cell(sheet, name):
    return sheet.cell(indicator_rows(sheet)[name], T.INDICATOR_COLUMNS["level2"])


def test_level_changed_on_the_moved_indicator_only(tmp_path):
    def edit(book):
        level2_cell(road_sheet(book), "路面优良率").value = "数量指标"  # approved under 质量指标

    found = only(rigidity(tmp_path, approved_rows(), edit), "LEVEL_CHANGED")
    assert list(found["cell"]) == [f"C{T.FIRST_INDICATOR_ROW + 2}"] and found.iloc[0]["severity"] == "warning"
    message = found.iloc[0]["message"]
    assert "产出指标—质量指标" in message and "产出指标—数量指标" in message and "移回" in message


def test_level_changed_follows_a_renamed_indicator_and_reads_level_names_canonically(tmp_path):
    def edit(book):
        sheet = road_sheet(book)
        row = indicator_rows(sheet)["群众满意度"]
        sheet.cell(row, T.INDICATOR_COLUMNS["name"]).value = "沿线群众满意度"
        sheet.cell(row, T.INDICATOR_COLUMNS["level1"]).value = "满意度"  # same level, short form
        level2_cell(sheet, "水毁抢通时间").value = "时效"  # same level, without the 指标 suffix
        level2_cell(sheet, "群众出行条件").value = "经济效益指标"  # approved under 社会效益指标

    found = rigidity(tmp_path, approved_rows(), edit)
    assert sorted(found["code"]) == ["INDICATOR_RENAMED", "LEVEL_CHANGED"], found[["code", "message"]].to_string()
    assert "群众出行条件" in found.set_index("code").loc["LEVEL_CHANGED", "message"]


def test_blank_submitted_levels_are_not_a_change(tmp_path):
    def edit(book):
        sheet = road_sheet(book)
        for row in indicator_rows(sheet).values():
            for level in ("level1", "level2"):
                cell = sheet.cell(row, T.INDICATOR_COLUMNS[level])
                if not isinstance(cell, MergedCell):
                    cell.value = None

    assert rigidity(tmp_path, approved_rows(), edit).empty


def budget_row(source):
    return T.FUNDS_HEADER_ROW + 1 + [s for s, _ in T.FUND_ROWS].index(source)


def budget_cell(sheet, source):
    return sheet.cell(budget_row(source), T.FUND_COLUMNS["budget"])


def test_budget_changed_points_at_each_changed_budget_cell(tmp_path):
    def edit(book):
        sheet = road_sheet(book)
        budget_cell(sheet, "total").value = 110  # approved 100
        budget_cell(sheet, "fiscal").value = 90  # approved 80; 结转 20 and 其他 0 unchanged

    found = only(rigidity(tmp_path, approved_rows(), edit), "BUDGET_CHANGED")
    assert list(found["cell"]) == [f"C{budget_row('total')}", f"C{budget_row('fiscal')}"]
    assert set(found["sheet"]) == {"农村公路养护项目"} and set(found["severity"]) == {"warning"}
    total = found.iloc[0]["message"]
    assert "年度资金总额" in total and "110.00" in total and "100.00" in total and "请改为 100.00" in total


def test_budget_within_tolerance_or_not_approved_is_silent(tmp_path):
    def edit(book):
        budget_cell(road_sheet(book), "total").value = 100.005  # inside the default 0.01 万元

    assert rigidity(tmp_path, approved_rows(), edit).empty

    def bigger(book):
        budget_cell(road_sheet(book), "total").value = 110

    without_budgets = [row[:4] + row[8:] for row in approved_rows()]
    assert rigidity(tmp_path, without_budgets, bigger).empty


def test_projects_match_despite_spaces_and_full_width(tmp_path):
    def edit(book):
        road_sheet(book)["C4"] = "农村公路　养护 项目"
        road_sheet(book)["K5"] = "湟源县 公路段"

    assert rigidity(tmp_path, approved_rows(), edit).empty


def test_table_as_xlsx_with_title_and_merged_cells_reads_like_csv(tmp_path):
    from_csv = read_approved(write_approved_csv(tmp_path / "a.csv"))
    from_xlsx = read_approved(write_approved_xlsx(tmp_path / "a.xlsx"))
    columns = ["project_id", "dept_name", "dept_code", "unit_name", "project_name", "budget_total",
               "level1", "level2", "name", "target_text", "target_op", "target_value", "target_unit"]
    assert from_xlsx[columns].equals(from_csv[columns])
    assert len(from_csv) == 11 and from_csv["dept_code"].iloc[0] == "305001"


def test_a_folder_mixes_both_forms(tmp_path):
    raw = filled_templates(tmp_path)  # monitoring tables
    write_approved_csv(raw / "extra.csv", approved_rows(extra=[ROAD_EXTRA])[:1] + [ROAD_EXTRA])
    approved = read_approved(raw)
    assert "安全隐患排查次数" in set(approved["name"]) and "群众满意度" in set(approved["name"])


def test_unreadable_approved_input_is_a_clear_error(tmp_path):
    with pytest.raises(ApprovedTargetsError, match="找不到"):
        read_approved(tmp_path / "nothing.csv")
    (tmp_path / "empty.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ApprovedTargetsError, match="没有读到"):
        read_approved(tmp_path / "empty.csv")


@pytest.mark.parametrize("submitted, approved, equal", [
    ("≥95%", "不低于95%", True), ("10万元", "100000元", True), ("明显改善", "明显改善。", True),
    ("≥95%", "95%", False), ("≥90%", "≥95%", False), ("2座", "2个", False), ("有效提升", "明显改善", False),
])
def test_same_target(submitted, approved, equal):
    def row(text):
        t = parse_target(text)
        return SimpleNamespace(target_text=text, target_op=t.op, target_value=t.value, target_value_max=t.value_max,
                               target_unit=t.unit)

    assert same_target(row(submitted), row(approved)) is equal
