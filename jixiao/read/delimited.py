"""CSV/TSV in disguise: a system export saved as .xls (or .csv/.txt), often GBK.

The standard ``csv`` module reads it; the delimiter is the one (comma, tab, semicolon, bar) that
splits the most lines into the same number of fields. Plain numbers become numbers, as Excel
opens a CSV.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from jixiao.read.grid import Cell, Grid, UnreadableWorkbook
from jixiao.read.limits import Budget
from jixiao.read.text import decode, typed

DELIMITERS = (",", "\t", ";", "|")
SAMPLE_LINES = 60  # lines looked at to choose the delimiter
csv.field_size_limit(1 << 20)  # a long 原因说明 cell, but not an unbounded one


def delimiter_of(text: str) -> str | None:
    """The delimiter that splits most sample lines into several, equally many fields; None if none does."""
    lines = [line for line in text.splitlines()[:SAMPLE_LINES] if line.strip()]
    best, best_score = None, 0
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        common, count = Counter(w for w in widths if w > 1).most_common(1)[0] if any(w > 1 for w in widths) else (0, 0)
        score = count * 2 + sum(1 for w in widths if w > 1)
        if common > 1 and count >= 2 and score > best_score:
            best, best_score = delimiter, score
    return best


def read_delimited(path: Path, name: str | None = None) -> list[Grid]:
    text = decode(Path(path).read_bytes())
    delimiter = delimiter_of(text)
    if delimiter is None:
        raise UnreadableWorkbook("文件是纯文本，不是表格，无法读取数据。请报送 Excel 格式的监控表。", kind="txt")
    grid = Grid(name=name or Path(path).stem[:31] or "Sheet1")
    budget = Budget()
    for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        for c, field in enumerate(row, start=1):
            if field.strip():
                budget.cell()
                grid.cells[(r, c)] = Cell(typed(field))
    grid.index_merges()
    return [grid]
