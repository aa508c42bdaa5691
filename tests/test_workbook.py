"""Reading cells from submitted files, and precise reasons for files that cannot be read."""
from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from jixiao.read.workbook import OLE2_MAGIC, Grid, UnreadableWorkbook, read_workbook, sniff

from factory import Pct, Project, SheetSpec, build, dropdown_sheet, instruction_sheet, one_project, with_style


# -- file type by content ----------------------------------------------------------------------
def test_sniff_by_content_not_by_name(tmp_path):
    xlsx = one_project(tmp_path / "a.xlsx")
    xls = one_project(tmp_path / "b.xls")
    assert sniff(xlsx) == "xlsx" and sniff(xls) == "xls"
    renamed = tmp_path / "c.xlsx"
    renamed.write_bytes(xls.read_bytes())
    assert sniff(renamed) == "xls"
    assert read_workbook(renamed)[0].value(4, 3) == "农村公路养护项目"


def _zip(path, names):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(b""), "空的"),
    (lambda p: p.write_bytes(b"<html><body><table></table></body></html>"), "网页"),
    (lambda p: p.write_bytes(b"just some text"), "不是 Excel"),
    (lambda p: _zip(p, ["word/document.xml", "[Content_Types].xml"]), "Word"),
    (lambda p: _zip(p, ["ppt/presentation.xml"]), "PowerPoint"),
    (lambda p: _zip(p, ["content.xml", "mimetype"]), "ODF"),  # mimetype '<x/>': no spreadsheet
    (lambda p: _zip(p, ["xl/workbook.bin"]), ".xlsb"),
    (lambda p: p.write_bytes(OLE2_MAGIC + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le")), "加密"),
])
def test_unreadable_files_get_a_chinese_reason(tmp_path, make, words):
    path = tmp_path / "x.xlsx"
    make(path)
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path)
    assert words in caught.value.reason


def test_truncated_xlsx_is_reported_as_damaged(tmp_path):
    good = one_project(tmp_path / "a.xlsx")
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(broken)
    assert "损坏" in caught.value.reason


# -- cells -------------------------------------------------------------------------------------
def test_sheets_visibility_and_order(tmp_path):
    path = one_project(tmp_path / "a.xlsx", extra=[instruction_sheet(), dropdown_sheet()])
    grids = read_workbook(path)
    assert [(g.name, g.hidden) for g in grids] == [("填报说明", False), ("下拉列表", True), ("监控表", False)]


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_values_formats_and_merges(tmp_path, suffix):
    project = Project(indicators=[*Project().indicators[:1]])
    rows = [["  ", "文本", 12.5, Pct(0.955, "0.0%")]]
    path = build(tmp_path / f"a.{suffix}", [SheetSpec("杂项", rows=rows), SheetSpec("监控表", [project])])
    extra, form = read_workbook(path)
    assert extra.cell(1, 1) is None  # whitespace-only cells are no cells
    assert (extra.value(1, 2), extra.value(1, 3), extra.value(1, 4)) == ("文本", 12.5, 0.955)
    assert extra.cell(1, 4).is_percent and not extra.cell(1, 3).is_percent
    assert (4, 3, 4, 16) in form.merged
    assert form.filled(4, 10) == "农村公路养护项目" and form.value(4, 10) is None
    assert form.origin(4, 10) == (4, 3) and form.span(4, 10) == (4, 3, 4, 16)
    assert form.is_merge_origin(4, 3) and not form.is_merge_origin(4, 4)
    assert form.cell(7, 9).is_percent and form.value(7, 9) == pytest.approx(0.4)


def test_xls_percent_formats_and_hidden_sheets(tmp_path):
    path = build(tmp_path / "a.xls", [SheetSpec("下拉", hidden=True, rows=[["√"]]),
                                      SheetSpec("表", rows=[[Pct(0.95), Pct(1, "0.00%"), 3]])])
    hidden, sheet = read_workbook(path)
    assert hidden.hidden and not sheet.hidden
    assert [sheet.cell(1, c).is_percent for c in (1, 2, 3)] == [True, True, False]


def test_dates_and_times_are_plain_values(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = dt.datetime(2023, 8, 25)
    book.active["A2"] = dt.time(9, 30)
    book.save(tmp_path / "d.xlsx")
    grid = read_workbook(tmp_path / "d.xlsx")[0]
    day = grid.value(1, 1)
    assert isinstance(day, dt.date) and (day.year, day.month, day.day) == (2023, 8, 25)
    assert grid.value(2, 1) == "09:30:00"


def test_grid_without_merges_and_bounds():
    grid = Grid("空")
    assert (grid.max_row, grid.max_col, grid.filled(3, 3), grid.span(2, 2)) == (0, 0, None, (2, 2, 2, 2))


def test_period_style_headers_survive_reading(tmp_path):
    grid = read_workbook(one_project(tmp_path / "a.xlsx", style=with_style(period="1-8月")))[0]
    assert grid.value(6, 6) == "1-8月执行数"


def test_target_typed_as_a_percent_formula_reads_as_a_percent(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "=100%"  # Excel turns the typed target '=100%' into a formula
    book.active["A2"] = "=A1*95%"
    book.save(tmp_path / "f.xlsx")
    grid = read_workbook(tmp_path / "f.xlsx")[0]
    assert grid.value(1, 1) == pytest.approx(1.0) and grid.cell(1, 1).is_percent
    assert grid.value(2, 1) == pytest.approx(0.95) and not grid.cell(2, 1).is_percent
