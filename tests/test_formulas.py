"""Recomputing formulas that were saved without results."""
from __future__ import annotations

import pytest

from jixiao.read import formulas
from jixiao.read.grid import Cell, Grid
from jixiao.read.workbook import read_workbook

from factory import one_project, with_style


def grid_with(formula_cells: dict[str, str], values: dict[str, object]) -> Grid:
    """A grid from A1-style addresses: formula cells (without results) and plain values."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    def key(address: str) -> tuple[int, int]:
        letters, row = coordinate_from_string(address)
        return row, column_index_from_string(letters)

    grid = Grid("表")
    grid.cells.update({key(a): Cell(v) for a, v in values.items()})
    grid.cells.update({key(a): Cell(None, formula=f) for a, f in formula_cells.items()})
    return grid


FUNDS = {"C7": None, "C8": 80, "C9": 20, "C10": 0, "F7": 40}


@pytest.mark.parametrize("formula, expected", [
    ("=SUM(C8:C10)", 100), ("=C8+C9+C10", 100), ("=SUM(C8,C9,C10)", 100), ("=F7/C8", 0.5),
    ("=ROUND(F7/C8*100,2)", 50), ("=IFERROR(F7/C10,0)", 0), ("=IF(C10=0,0,F7/C10)", 0),
    ("=IF(C8<>0,F7/C8,0)", 0.5), ("=IF(C8>100,1,2)", 2), ("=$F$7/$C$8", 0.5), ("=f7/c8", 0.5),
    ("=MAX(C8:C10)-MIN(C8:C10)", 80), ("=AVERAGE(C8:C9)", 50), ("=ABS(-C9)", 20), ("=C9^2", 400),
    ("=ROUND(IFERROR(F7/C8,0),2)", 0.5),
])
def test_supported_formulas(formula, expected):
    values = {k: v for k, v in FUNDS.items() if v is not None}
    grid = grid_with({"Z1": formula}, values)
    formulas.fill_missing_results(grid)
    cell = grid.cell(1, 26)
    assert cell.value == pytest.approx(expected) and cell.recomputed
    assert grid.notes == []


def test_chained_formulas_are_computed_in_dependency_order():
    grid = grid_with({"I7": "=F7/C7", "C7": "=SUM(C8:C10)"}, {"C8": 80, "C9": 20, "C10": 0, "F7": 40})
    formulas.fill_missing_results(grid)
    assert grid.value(7, 9) == pytest.approx(0.4) and grid.value(7, 3) == 100


def test_text_amounts_in_referenced_cells_count_as_numbers():
    grid = grid_with({"C7": "=SUM(C8:C9)"}, {"C8": "1,234.50", "C9": " 40 "})
    formulas.fill_missing_results(grid)
    assert grid.value(7, 3) == pytest.approx(1274.5)


def test_empty_text_result_gives_an_empty_cell():
    grid = grid_with({"I7": '=IF(C7=0,"",F7/C7)'}, {"F7": 5})
    formulas.fill_missing_results(grid)
    assert grid.value(7, 9) is None and grid.notes == []


@pytest.mark.parametrize("formula", ["=F7/C7", "=A1", "=Sheet2!C7*2", "=VLOOKUP(C7,A1:B3,2,0)", '=C8&"%"', "=C8:"])
def test_uncomputable_formulas_stay_empty_with_a_note(formula):
    grid = grid_with({"A1": formula}, {"F7": 40})
    formulas.fill_missing_results(grid)
    assert grid.value(1, 1) is None
    assert grid.notes and grid.notes[0][0] == "A1" and "无法重新计算" in grid.notes[0][1]


def test_cached_results_are_kept_not_recomputed(tmp_path):
    grid = read_workbook(one_project(tmp_path / "a.xlsx", style=with_style(formulas="cached")))[0]
    total, rate = grid.cell(7, 3), grid.cell(7, 9)
    assert (total.formula, total.value, total.recomputed) == ("=SUM(C8:C10)", 100, False)
    assert rate.value == pytest.approx(0.4) and not rate.recomputed


def test_results_missing_in_the_file_are_recomputed_on_read(tmp_path):
    grid = read_workbook(one_project(tmp_path / "a.xlsx", style=with_style(formulas="uncached")))[0]
    total, rate = grid.cell(7, 3), grid.cell(7, 9)
    assert (total.value, total.recomputed) == (100, True)
    assert rate.formula == "=F7/C7" and rate.value == pytest.approx(0.4) and rate.is_percent
    assert [address for address, _ in grid.notes] == ["I10"]  # 其他资金 0: =F10/C10 divides by zero
