"""HTML tables saved as .xls (web-system exports, Excel "save as web page", MHTML).

Parsed with lxml.html; ``rowspan``/``colspan`` become merged ranges. The tables holding cells are
stacked into sheets (a new sheet at each further 项目名称), and the lines written outside the tables
before each one (title, period, 单位：万元) become its first rows, so that the period and the money
unit are still found. Rows, ``<col>``s or most cells of a column styled ``display:none`` are hidden.
"""
from __future__ import annotations

import email
import re
from pathlib import Path

from jixiao.read.grid import Cell, Grid, UnreadableWorkbook
from jixiao.read.limits import Budget, clamp_span
from jixiao.read.text import decode, typed

META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", re.IGNORECASE)
MAX_PREAMBLE = 6  # title lines taken from above a table


def read_html(path: Path) -> list[Grid]:
    return grids_from_html(Path(path).read_bytes())


def read_mhtml(path: Path) -> list[Grid]:
    """A single-file web page (.mht saved as .xls): the HTML parts of the MIME message that hold
    tables (Excel puts a frameset first and one part per sheet)."""
    message = email.message_from_bytes(Path(path).read_bytes())
    grids: list[Grid] = []
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True) or b""
        if b"<table" in payload.lower():
            grids.extend(grids_from_html(payload, part.get_content_charset()))
    for index, grid in enumerate(grids[1:], start=2):  # one part per sheet: keep the names apart
        if any(other.name == grid.name for other in grids[:index - 1]):
            grid.name = f"{grid.name[:28]}-{index}"
    if not grids:
        raise UnreadableWorkbook("文件是单个文件网页（MHT）格式，但其中没有表格。请在 Excel 或 WPS 中另存为 .xlsx 后重新报送。",
                                 kind="mht")
    return grids


def grids_from_html(data: bytes, declared: str | None = None) -> list[Grid]:
    import lxml.html
    from lxml import etree

    match = META_CHARSET_RE.search(data[:4096])
    text = XML_DECL_RE.sub("", decode(data, declared or (match and match.group(1).decode("ascii"))))
    try:
        document = lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableWorkbook("网页格式的文件无法解析，请在 Excel 或 WPS 中另存为 .xlsx 后重新报送。", kind="html") from exc
    # The tables holding cells: a page may wrap the form in a layout table (title in one cell, form in another).
    tables = [t for t in document.iter("table") if t.find(".//table") is None]
    groups = _sheets_of(tables)
    preambles = _preambles(document, set(tables))
    grids = [_grid(_sheet_name(group[0], i, len(groups)), group, preambles) for i, group in enumerate(groups)]
    if not any(grid.cells for grid in grids):
        raise UnreadableWorkbook("文件是网页（HTML）格式，但其中没有表格数据。请报送 Excel 格式的监控表。", kind="html")
    return grids


def _sheets_of(tables) -> list[list]:
    """Tables stacked into sheets: systems split one form into several tables (title, funds,
    indicators); a table that names a second 项目名称 starts the next sheet."""
    groups: list[list] = []
    named = False
    for table in tables:
        has_name = "项目名称" in re.sub(r"\s+", "", table.text_content() or "")
        if not groups or has_name and named:
            groups.append([])
            named = False
        groups[-1].append(table)
        named = named or has_name
    return groups


def _sheet_name(table, index: int, count: int) -> str:
    caption = table.find("caption")
    text = _text(caption) if caption is not None else ""
    text = re.sub(r"[\[\]:*?/\\]", "", text)  # characters a worksheet name cannot hold (feedback copies)
    if text and len(text) <= 31:
        return text
    return "Sheet1" if count == 1 else f"表{index + 1}"


BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "center", "caption", "title", "br", "section",
              "header", "body", "html", "td", "th", "tr"}  # cells of a layout table around the form are lines too


def _preambles(document, tables) -> dict:
    """The text lines written outside the tables, before each table (title, period, 单位：万元):
    in document order, wherever the blocks are nested, as the page shows them."""
    from lxml import etree

    out: dict = {}
    lines: list[str] = []
    current: list[str] = []

    def flush():
        text = "".join(current).replace("\xa0", " ").strip()
        if text:
            lines.extend(line.strip() for line in text.splitlines() if line.strip())
        current.clear()

    walker = etree.iterwalk(document, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in ("script", "style", "head"):
                walker.skip_subtree()
                continue
            if tag == "table" and element in tables:
                flush()
                out[element] = lines[-MAX_PREAMBLE:]
                lines = []
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                flush()
            if tag:  # comments (Excel's <!--[if gte mso 9]> blocks) show no text
                current.append(element.text or "")
        else:
            if tag in BLOCK_TAGS:
                flush()
            current.append(element.tail or "")
    return out


def _grid(name: str, tables: list, preambles: dict) -> Grid:
    grid = Grid(name=name)
    hidden_cells: dict[int, int] = {}
    seen_cells: dict[int, int] = {}
    budget = Budget()
    top = 0
    for table in tables:
        top = _paint_table(grid, table, preambles.get(table, []), top, hidden_cells, seen_cells, budget) + 1
        grid.hidden_cols |= _hidden_columns(table)
    grid.hidden_cols |= {c for c, n in hidden_cells.items() if 2 * n >= seen_cells[c]}
    grid.index_merges()
    return grid


def _paint_table(grid: Grid, table, lines: list[str], top: int, hidden_cells: dict[int, int],
                 seen_cells: dict[int, int], budget: Budget) -> int:
    """Write the title ``lines`` and the table below row ``top``; returns its last row."""
    for r, line in enumerate(lines, start=top + 1):
        grid.cells[(r, 1)] = Cell(line)
    occupied: set[tuple[int, int]] = set()
    r = top + len(lines)
    for tr in _rows(table):
        r += 1
        if _hidden(tr):
            grid.hidden_rows.add(r)
        c = 1
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            rows, cols = clamp_span(_span(td.get("rowspan")), _span(td.get("colspan")))
            text = _text(td)
            if text:
                budget.cell()
                grid.cells[(r, c)] = Cell(typed(text), _number_format(td, text))
                seen_cells[c] = seen_cells.get(c, 0) + 1
                if _hidden(td):
                    hidden_cells[c] = hidden_cells.get(c, 0) + 1
            budget.cover((rows - 1) * cols)  # only rows below: this row moves on by the colspan
            occupied.update((r + i, c + j) for i in range(1, rows) for j in range(cols))
            if rows > 1 or cols > 1:
                grid.merged.append((r, c, r + rows - 1, c + cols - 1))
            c += cols
    return max([r, *(r2 for _, _, r2, _ in grid.merged)])


def _rows(table):
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def _hidden_columns(table) -> set[int]:
    """Columns declared hidden in <col>/<colgroup> (Excel's web export writes display:none there)."""
    hidden, c = set(), 1
    for col in table.xpath("./col|./colgroup/col"):
        span = clamp_span(1, _span(col.get("span")))[1]
        if _hidden(col):
            hidden.update(range(c, c + span))
        c += span
    return hidden


def _hidden(element) -> bool:
    return bool(HIDDEN_STYLE_RE.search(element.get("style") or "")) or element.get("hidden") is not None


def _span(value: str | None) -> int:
    try:
        return max(int(float(value)), 1)
    except (TypeError, ValueError, OverflowError):
        return 1


def _number_format(td, text: str) -> str:
    """Excel's web export keeps the number format in mso-number-format; a shown '%' is text already."""
    match = re.search(r"mso-number-format\s*:\s*['\"]?([^;'\"]+)", td.get("style") or "")
    return match.group(1).replace("\\", "") if match and "%" not in text else "General"


def _text(element) -> str:
    """The cell's text as shown: <br> breaks lines, non-breaking spaces are spaces."""
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return (element.text_content() or "").replace("\xa0", " ").strip()
