"""OpenDocument spreadsheets (.ods from LibreOffice or WPS).

python-calamine reads ODS values but not merged ranges, hidden rows/columns or which numbers are
percentages, so content.xml is read with lxml (safe parser) instead: repeated rows/columns,
``number-columns-spanned``/``number-rows-spanned`` merges, ``visibility="collapse"`` and
``office:value-type="percentage"`` (0.95 shown as 95%) are kept.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from jixiao.read.grid import Cell, Grid, UnreadableWorkbook
from jixiao.read.limits import MAX_COL_SPAN, Budget, clamp_span
from jixiao.read.spreadsheetml import safe_parser

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
MAX_REPEAT = 200  # a repeated non-empty row or cell (templates repeat blanks a million times)


def _t(name: str) -> str:
    return f"{{{TABLE}}}{name}"


def read_ods(path: Path) -> list[Grid]:
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as archive:
            root = etree.fromstring(archive.read("content.xml"), safe_parser())
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError) as exc:
        raise UnreadableWorkbook("ODS 表格文件已损坏，无法读取。请在 WPS 或 LibreOffice 中另存为 .xlsx 后重新报送。",
                                 kind="ods") from exc
    hidden_tables = _hidden_table_styles(root)
    budget = Budget()
    return [_sheet(table, i, hidden_tables, budget) for i, table in enumerate(root.iter(_t("table")))]


def _hidden_table_styles(root) -> set[str]:
    hidden = set()
    for style in root.iter(f"{{{STYLE}}}style"):
        props = style.find(f"{{{STYLE}}}table-properties")
        if props is not None and props.get(_t("display")) == "false":
            hidden.add(style.get(f"{{{STYLE}}}name"))
    return hidden


def _sheet(table, index: int, hidden_tables: set[str], budget: Budget) -> Grid:
    grid = Grid(name=table.get(_t("name")) or f"Sheet{index + 1}", hidden=table.get(_t("style-name")) in hidden_tables)
    c = 1
    for column in table.iter(_t("table-column")):
        repeat = _int(column.get(_t("number-columns-repeated")), 1)
        if column.get(_t("visibility")) in ("collapse", "filter"):
            grid.hidden_cols.update(range(c, c + min(repeat, MAX_COL_SPAN)))
        c += repeat
    r = 1
    for row in table.iter(_t("table-row")):
        repeat = _int(row.get(_t("number-rows-repeated")), 1)
        cells = _row_cells(row)
        if not any(value is not None for _, value, _, _ in cells):
            r += repeat  # blank rows are skipped, however many a template repeats
            continue
        for _ in range(min(repeat, MAX_REPEAT)):
            if row.get(_t("visibility")) in ("collapse", "filter"):
                grid.hidden_rows.add(r)
            _put_row(grid, r, cells, budget)
            r += 1
        r += max(repeat - MAX_REPEAT, 0)
    grid.index_merges()
    return grid


def _row_cells(row) -> list[tuple[int, object, str, tuple[int, int]]]:
    """(column, value, number format, (rows, cols) spanned) of each non-covered cell in the row."""
    out, c = [], 1
    for cell in row:
        if cell.tag not in (_t("table-cell"), _t("covered-table-cell")):
            continue
        repeat = _int(cell.get(_t("number-columns-repeated")), 1)
        value, fmt = _value(cell) if cell.tag == _t("table-cell") else (None, "General")
        span = (_int(cell.get(_t("number-rows-spanned")), 1), _int(cell.get(_t("number-columns-spanned")), 1))
        if value is None and span == (1, 1):
            c += repeat
            continue
        for _ in range(min(repeat, MAX_REPEAT)):
            out.append((c, value, fmt, span))
            c += 1
        c += max(repeat - MAX_REPEAT, 0)
    return out


def _put_row(grid: Grid, r: int, cells, budget: Budget) -> None:
    for c, value, fmt, span in cells:
        if value is not None:
            budget.cell()
            grid.cells[(r, c)] = Cell(value, fmt)
        rows, cols = clamp_span(*span)
        if rows > 1 or cols > 1:
            budget.cover(rows * cols)
            grid.merged.append((r, c, r + rows - 1, c + cols - 1))


def _value(cell) -> tuple[object, str]:
    kind = cell.get(f"{{{OFFICE}}}value-type")
    text = "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p")).strip()
    if kind in ("float", "currency", "percentage"):
        try:
            return float(cell.get(f"{{{OFFICE}}}value")), ("0%" if kind == "percentage" else "General")
        except (TypeError, ValueError):
            return text or None, "General"
    if kind == "boolean":
        return cell.get(f"{{{OFFICE}}}boolean-value") == "true", "General"
    if kind == "date":
        try:
            return dt.datetime.fromisoformat(cell.get(f"{{{OFFICE}}}date-value")), "yyyy-mm-dd"
        except (TypeError, ValueError):
            return text or None, "General"
    return text or None, "General"


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 1) if value is not None else default
    except ValueError:
        return default
