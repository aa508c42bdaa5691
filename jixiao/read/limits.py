"""Bounds for the text-based readers (HTML, SpreadsheetML, ODS, CSV), so that a hostile or broken
file cannot make one read take minutes: merges are clamped, and a file with more cells than any
monitoring table has is refused with a Chinese reason."""
from __future__ import annotations

from jixiao.read.grid import UnreadableWorkbook

MAX_ROW_SPAN = 500  # an 一级指标 merged over a whole indicator table spans well under 100 rows
MAX_COL_SPAN = 100  # a title across the widest form spans about 30 columns
MAX_CELLS = 100_000  # non-empty cells in one file; a department's largest submission has a few thousand
MAX_COVERED = 200_000  # cells covered by merges from rows above, summed over the file (a form has a few thousand)


def clamp_span(rows: int, cols: int) -> tuple[int, int]:
    return max(1, min(rows, MAX_ROW_SPAN)), max(1, min(cols, MAX_COL_SPAN))


class Budget:
    """Counts cells read; raises UnreadableWorkbook once a file exceeds what a form can hold."""

    def __init__(self) -> None:
        self.cells = 0
        self.covered = 0

    def cell(self) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise UnreadableWorkbook(f"表格过大（超过 {MAX_CELLS} 个非空单元格），不像监控表，已停止读取。"
                                     "请只报送《项目支出绩效目标执行监控表》。")

    def cover(self, count: int) -> None:
        self.covered += count
        if self.covered > MAX_COVERED:
            raise UnreadableWorkbook("表格中的合并单元格异常（合并范围过大），无法读取。请在 Excel 或 WPS 中另存为 .xlsx 后重新报送。")
