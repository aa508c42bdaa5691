"""The cell grid every reader fills: cells, merges, hidden rows and columns, what was met while reading.

Every format's reader returns :class:`Grid` objects; nothing here knows a file format or a form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from openpyxl.utils import get_column_letter

from jixiao.normalise import values


@dataclass(frozen=True)
class ReadLimits:
    """What one file may cost to read, bounded by content rather than by what the file declares."""

    max_unpacked_bytes: int = 200 << 20   # any one zip member, inflated
    max_sheets: int = 200
    max_cells: int = 2_000_000            # cells per sheet (filled extent, merges)

    @classmethod
    def from_settings(cls, settings) -> ReadLimits:
        return cls(max_unpacked_bytes=int(settings.max_unpacked_mb) << 20, max_sheets=int(settings.max_sheets),
                   max_cells=int(settings.max_cells))


DEFAULT_LIMITS = ReadLimits()


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; ``reason`` is Chinese, for a clerk.

    ``kind`` names what the file is when that is known (docx, doc, pdf, png, pptx…), so that
    ``submissions.file_type`` and the ``documents`` table can say it.
    """

    def __init__(self, reason: str, kind: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class LimitExceeded(UnreadableWorkbook):
    """A file whose declared size is beyond a limit: unreadable, with a reason naming the limit."""


@dataclass(slots=True)  # a workbook has thousands: slots make them smaller and quicker to build
class Cell:
    value: Any
    number_format: str = "General"
    formula: str | None = None
    recomputed: bool = False

    @property
    def is_percent(self) -> bool:
        return values.displayed_number(0.0, self.number_format)[1] == "%"


@dataclass
class Grid:
    """One worksheet as cells keyed by (row, column), both 1-based."""

    name: str
    hidden: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (cell, message) met while reading
    hidden_rows: set[int] = field(default_factory=set)  # rows hidden in the file (height 0, display:none…)
    hidden_cols: set[int] = field(default_factory=set)
    # (cell or None, finding code, Chinese message) met while reading; severity comes from the catalogue
    issues: list[tuple[str | None, str, str]] = field(default_factory=list)
    max_cells: int = DEFAULT_LIMITS.max_cells

    def __post_init__(self) -> None:
        self._origin: dict[tuple[int, int], tuple[int, int]] = {}
        self.index_merges()

    def index_merges(self) -> None:
        """Index merged ranges and the sheet bounds; call again after changing cells or merges.

        A merge is clipped to the cells holding data (a whole-sheet merge A1:XFD1048576 would
        otherwise be 17 billion cells); merges beyond ``max_cells`` indexed cells are dropped.
        """
        self._max_row = max(self.cells, default=(0, 0))[0]  # keys are (row, column): the largest has the last row
        self._max_col = max(map(itemgetter(1), self.cells), default=0)
        self.merged = self._clipped_merges()
        self._origin = {}
        self._row_origins = None
        self._spans = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in self.merged}
        for r1, c1, r2, c2 in self.merged:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self._origin[(r, c)] = (r1, c1)

    def _clipped_merges(self) -> list[tuple[int, int, int, int]]:
        kept, budget = [], self.max_cells
        for r1, c1, r2, c2 in self.merged:
            if r1 > self._max_row or c1 > self._max_col or r1 > r2 or c1 > c2:
                continue  # a merge outside the filled area changes nothing that is read
            beyond = r2 > self._max_row or c2 > self._max_col
            r2, c2 = min(r2, max(self._max_row, r1)), min(c2, max(self._max_col, c1))
            area = (r2 - r1 + 1) * (c2 - c1 + 1)
            if beyond:
                budget -= min(area, len(self.cells))  # checking costs too: many such merges stay bounded
            if beyond and budget >= 0 and self._covers_other_values(r1, c1, r2, c2, area):
                # Excel never keeps values under a merge: one reaching past the data over filled
                # cells (A1:XFD1048576) is damage, and honouring it would blank the whole form.
                self.issues.append((address(r1, c1), "CONTENT_CLIPPED",
                                    f"工作表“{self.name}”中的合并区域超出表格内容并覆盖了已填写的单元格，已忽略该合并。"))
                continue
            budget -= area
            if budget < 0:
                self.issues.append((None, "CONTENT_CLIPPED",
                                    f"工作表“{self.name}”的合并单元格过多（超过 {self.max_cells} 个单元格），其余合并区域未处理。"))
                break
            kept.append((r1, c1, r2, c2))
        return kept

    def _covers_other_values(self, r1: int, c1: int, r2: int, c2: int, area: int) -> bool:
        if area <= len(self.cells):
            return any((r, c) in self.cells for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1))
        return any(r1 <= r <= r2 and c1 <= c <= c2 and (r, c) != (r1, c1) for r, c in self.cells)

    @property
    def max_row(self) -> int:
        return self._max_row

    @property
    def max_col(self) -> int:
        return self._max_col

    def cell(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def origin(self, row: int, col: int) -> tuple[int, int]:
        return self._origin.get((row, col), (row, col))

    def origins_in_row(self, row: int) -> set[tuple[int, int]]:
        """The top-left cells of the merged ranges that cover some cell of ``row`` (indexed on first use)."""
        if self._row_origins is None:
            self._row_origins = {}
            for (r, _), origin in self._origin.items():
                self._row_origins.setdefault(r, set()).add(origin)
        return self._row_origins.get(row, set())

    def filled(self, row: int, col: int) -> Any:
        """The value shown at (row, col): a merged range shows its top-left value everywhere."""
        return self.value(*self.origin(row, col))

    def filled_cell(self, row: int, col: int) -> Cell | None:
        return self.cell(*self.origin(row, col))

    def is_merge_origin(self, row: int, col: int) -> bool:
        return self.origin(row, col) == (row, col)

    def span(self, row: int, col: int) -> tuple[int, int, int, int]:
        """The merged range holding (row, col), or the cell itself."""
        return self._spans.get(self.origin(row, col), (row, col, row, col))


def address(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"
