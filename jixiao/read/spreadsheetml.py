"""Excel 2003 XML (SpreadsheetML) saved as .xls, as many web systems export it.

Parsed with lxml and a safe parser (no entities, no DTD, no network). ``ss:Index`` gaps,
``ss:MergeAcross``/``ss:MergeDown``, hidden rows/columns, hidden sheets and number formats
(so 0.95 shown as 95% stays a percent) are kept.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from jixiao.read.grid import Cell, Grid, UnreadableWorkbook
from jixiao.read.limits import Budget, clamp_span

SS = "urn:schemas-microsoft-com:office:spreadsheet"
X = "urn:schemas-microsoft-com:office:excel"
# Named number formats of SpreadsheetML and their Excel format codes.
NAMED_FORMATS = {"percent": "0.00%", "fixed": "0.00", "standard": "#,##0.00", "general number": "General",
                 "general": "General", "scientific": "0.00E+00"}


def _q(name: str) -> str:
    return f"{{{SS}}}{name}"


def _attr(element, name: str) -> str | None:
    return element.get(_q(name))


def safe_parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


def read_spreadsheetml(path: Path) -> list[Grid]:
    from lxml import etree

    data = Path(path).read_bytes()
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        root = _reparsed(data)
    formats = _number_formats(root)
    budget = Budget()
    grids = [_sheet(ws, formats, i, budget) for i, ws in enumerate(root.iter(_q("Worksheet")))]
    if not grids:
        raise UnreadableWorkbook("文件是 XML 格式，但其中没有工作表。请报送 Excel 格式的监控表。", kind="xml")
    return grids


def _reparsed(data: bytes):
    """Systems declare one encoding and write another ('GB2312' with GBK characters, or none with
    GBK bytes): decode as the text readers do and parse the text without its declaration."""
    import re

    from lxml import etree

    from jixiao.read.text import decode

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode(data))
    try:
        return etree.fromstring(text, safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableWorkbook("Excel 2003 XML 格式的文件已损坏，无法解析。请在 Excel 或 WPS 中另存为 .xlsx 后重新报送。",
                                 kind="xml") from exc


def _number_formats(root) -> dict[str, str]:
    formats = {}
    for style in root.iter(_q("Style")):
        number = style.find(_q("NumberFormat"))
        code = _attr(number, "Format") if number is not None else None
        if code:
            formats[_attr(style, "ID")] = NAMED_FORMATS.get(code.lower(), code)
    return formats


def _sheet(ws, formats: dict[str, str], index: int, budget: Budget) -> Grid:
    grid = Grid(name=_attr(ws, "Name") or f"Sheet{index + 1}", hidden=_sheet_hidden(ws))
    table = ws.find(_q("Table"))
    if table is None:
        return grid
    grid.hidden_cols = _hidden_columns(table)
    covered: set[tuple[int, int]] = set()
    r = 0
    for row in table.iter(_q("Row")):
        r = _index(row, r + 1)
        if _attr(row, "Hidden") in ("1", "true"):
            grid.hidden_rows.add(r)
        c = 0
        for cell in row.iter(_q("Cell")):
            c = _index(cell, _next_free(covered, r, c + 1)) if _attr(cell, "Index") is None else _index(cell, c + 1)
            down, across = (n - 1 for n in clamp_span(_count(_attr(cell, "MergeDown")) + 1,
                                                      _count(_attr(cell, "MergeAcross")) + 1))
            value = _value(cell)
            if value is not None:
                budget.cell()
                grid.cells[(r, c)] = Cell(value, formats.get(_attr(cell, "StyleID"), "General"))
            if across or down:
                grid.merged.append((r, c, r + down, c + across))
                budget.cover(down * (across + 1))  # only rows below: this row moves on by MergeAcross
                covered.update((r + i, c + j) for i in range(1, down + 1) for j in range(across + 1))
            c += across
    grid.index_merges()
    return grid


def _next_free(covered: set[tuple[int, int]], r: int, c: int) -> int:
    """Cells without ss:Index skip columns a merge from a row above covers (as Excel lays them out)."""
    while (r, c) in covered:
        c += 1
    return c


def _index(element, default: int) -> int:
    value = _attr(element, "Index")
    try:
        return max(int(value), 1) if value is not None else default
    except ValueError:
        return default


def _count(value: str | None) -> int:
    try:
        return max(int(value), 0) if value else 0
    except ValueError:
        return 0


def _value(cell):
    data = cell.find(_q("Data"))
    if data is None:
        return None
    text = "".join(data.itertext())
    kind = (_attr(data, "Type") or "String").lower()
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text.strip() or None
    if kind == "boolean":
        return text.strip() in ("1", "true")
    if kind == "datetime":
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return text.strip() or None
    return text if text.strip() else None


def _hidden_columns(table) -> set[int]:
    hidden, c = set(), 0
    for column in table.iter(_q("Column")):
        c = _index(column, c + 1)
        span = clamp_span(1, _count(_attr(column, "Span")))[1]
        if _attr(column, "Hidden") in ("1", "true"):
            hidden.update(range(c, c + span + 1))
        c += span
    return hidden


def _sheet_hidden(ws) -> bool:
    options = ws.find(f"{{{X}}}WorksheetOptions")
    visible = options.find(f"{{{X}}}Visible") if options is not None else None
    return visible is not None and (visible.text or "").strip() in ("SheetHidden", "SheetVeryHidden")
