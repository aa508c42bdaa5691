"""Reading stage: open a submitted file and return its sheets as cell grids.

Only cells are read here (value, number format, formula, merged ranges, sheet
visibility); nothing is interpreted. The file type is decided by content, not by
the name, so that a renamed Word file or a truncated download gets a precise
Chinese reason (:class:`UnreadableWorkbook`) instead of a stack trace.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from jixiao.read import formulas
from jixiao.normalise import values

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Files clerks send instead of the workbook: a scan, a screenshot or a printed PDF.
OTHER_FILE_MAGICS = ((b"%PDF", "PDF 文件（可能是扫描件或打印件）"), (b"\x89PNG", "图片（PNG 截图）"),
                     (b"\xff\xd8\xff", "图片（JPG 照片或扫描件）"), (b"GIF8", "图片（GIF）"))
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; ``reason`` is Chinese, for a clerk."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
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

    def __post_init__(self) -> None:
        self._origin: dict[tuple[int, int], tuple[int, int]] = {}
        self.index_merges()

    def index_merges(self) -> None:
        """Index merged ranges and the sheet bounds; call again after changing cells or merges."""
        self._max_row = max((r for r, _ in self.cells), default=0)
        self._max_col = max((c for _, c in self.cells), default=0)
        self._origin = {}
        self._spans = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in self.merged}
        for r1, c1, r2, c2 in self.merged:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self._origin[(r, c)] = (r1, c1)

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


def sniff(path: Path) -> str:
    """Return 'xlsx' or 'xls' by content, or raise UnreadableWorkbook with the reason."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise UnreadableWorkbook(f"文件无法打开（{exc.strerror or exc}）。") from exc
    if not head:
        raise UnreadableWorkbook("文件是空的（0 字节），可能在传输或保存时出错，请重新报送。")
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path)
    if head.startswith(OLE2_MAGIC):
        if ENCRYPTED_MARKER in path.read_bytes():
            raise UnreadableWorkbook("文件设置了打开密码（已加密），财政局无法读取。请取消密码后重新报送。")
        return "xls"
    for magic, kind in OTHER_FILE_MAGICS:
        if head.startswith(magic):
            raise UnreadableWorkbook(f"这是一个{kind}，只是扩展名为 Excel，无法读取数据。请报送 Excel 格式的监控表（不要截图、扫描或打印成 PDF）。")
    text_start = path.read_bytes()[:512].lstrip().lower()
    if text_start.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise UnreadableWorkbook(
            "文件是网页（HTML/XML）格式，只是扩展名为 Excel。请在 Excel 或 WPS 中“另存为”.xlsx 工作簿后重新报送。"
        )
    raise UnreadableWorkbook("文件不是 Excel 工作簿（无法识别的文件格式），请报送 .xlsx 或 .xls 格式的监控表。")


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            bad = archive.testzip()
    except zipfile.BadZipFile as exc:
        raise UnreadableWorkbook("文件已损坏，无法打开（可能下载或传输不完整）。请重新导出后报送。") from exc
    except (OSError, EOFError, ValueError) as exc:
        raise UnreadableWorkbook("文件已损坏，无法打开（压缩包内容不完整）。请重新导出后报送。") from exc
    if bad is not None:
        raise UnreadableWorkbook(f"文件已损坏（其中的 {bad} 无法解压），请重新导出后报送。")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            raise UnreadableWorkbook("文件是 Excel 二进制工作簿（.xlsb），请另存为 .xlsx 后重新报送。")
        return "xlsx"
    if "word/document.xml" in names:
        raise UnreadableWorkbook("这是一个 Word 文档（只是扩展名改成了 Excel），不是监控表工作簿。请报送 Excel 格式的监控表。")
    if any(n.startswith("ppt/") for n in names):
        raise UnreadableWorkbook("这是一个 PowerPoint 演示文稿，不是 Excel 工作簿。请报送 Excel 格式的监控表。")
    if "content.xml" in names:
        raise UnreadableWorkbook("这是 WPS/LibreOffice 的 ODF 格式文件，请另存为 .xlsx 后重新报送。")
    raise UnreadableWorkbook("文件是压缩包但不是 Excel 工作簿，请报送 .xlsx 或 .xls 格式的监控表。")


def read_workbook(path: Path) -> list[Grid]:
    """Read every sheet of ``path`` as a :class:`Grid`; raise UnreadableWorkbook when impossible."""
    kind = sniff(Path(path))
    grids = _read_xlsx(Path(path)) if kind == "xlsx" else _read_xls(Path(path))
    for grid in grids:
        formulas.mark_percent_literals(grid)
        formulas.fill_missing_results(grid)
    return grids


def _read_xlsx(path: Path) -> list[Grid]:
    """Values, merges and visibility from calamine; number formats and formulas from openpyxl.

    openpyxl's full load spends most of its time styling merged cells (measured:
    ~65 ms of a 70 ms read), so it is only used in streaming read-only mode for
    what calamine does not expose. Files are opened through a handle so that a
    misnamed file (.xls holding xlsx content) is still read by its content.
    """
    try:
        values, merges, hidden = _calamine_cells(path)
        styles = _openpyxl_styles(path)
    except Exception as exc:  # noqa: BLE001 - readers raise many types for broken parts
        raise UnreadableWorkbook(f"工作簿内容损坏，无法读取（{type(exc).__name__}）。请用 Excel 打开检查后重新保存报送。") from exc
    grids = []
    for name, sheet_values in values.items():
        grid = Grid(name=name, hidden=hidden[name])
        sheet_styles = styles.get(name, {})
        for key in sheet_values.keys() | {k for k, (_, formula) in sheet_styles.items() if formula}:
            number_format, formula = sheet_styles.get(key, ("General", None))
            grid.cells[key] = Cell(_plain(sheet_values.get(key)), number_format, formula)
        grid.merged = merges[name]
        grid.index_merges()
        grids.append(grid)
    return grids


def _calamine_cells(path: Path):
    """Per sheet: {(row, col): value} of non-blank cells (cached results for formulas), merges, hidden flag."""
    import python_calamine as calamine

    with path.open("rb") as handle:
        book = calamine.CalamineWorkbook.from_filelike(handle)
    values, merges, hidden = {}, {}, {}
    for meta in book.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = book.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False)
        values[meta.name] = {
            (r + 1, c + 1): v for r, row in enumerate(rows) for c, v in enumerate(row)
            if not (v is None or (isinstance(v, str) and not v.strip()))
        }
        merges[meta.name] = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []]
        hidden[meta.name] = meta.visible != calamine.SheetVisibleEnum.Visible
    return values, merges, hidden


def _openpyxl_styles(path: Path) -> dict[str, dict[tuple[int, int], tuple[str, str | None]]]:
    """Per sheet: {(row, col): (number format, formula or None)} for non-empty cells."""
    import openpyxl

    with path.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        styles = {}
        for sheet in book.worksheets:
            styles[sheet.title] = {
                (c.row, c.column): (c.number_format or "General", str(c.value) if c.data_type == "f" else None)
                for row in sheet.iter_rows() for c in row if c.value is not None and hasattr(c, "number_format")
            }
        book.close()
    return styles


def _plain(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def _read_xls(path: Path) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except xlrd.biffh.XLRDError as exc:
        message = str(exc)
        if "encrypted" in message.lower():
            raise UnreadableWorkbook("文件设置了打开密码（已加密），财政局无法读取。请取消密码后重新报送。") from exc
        if "Can't find workbook" in message:
            raise UnreadableWorkbook("这是一个 Word 等其他 Office 文档（只是扩展名改成了 Excel），不是监控表工作簿。") from exc
        raise UnreadableWorkbook(f"旧版 .xls 文件无法读取（{message}）。请另存为 .xlsx 后重新报送。") from exc
    except Exception as exc:  # noqa: BLE001 - xlrd raises assorted errors on damaged files
        raise UnreadableWorkbook("旧版 .xls 文件已损坏，无法读取。请另存为 .xlsx 后重新报送。") from exc
    grids = []
    for sheet in book.sheets():
        grid = Grid(name=sheet.name, hidden=sheet.visibility != 0)
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                value = _xls_value(book, cell)
                if value is None:
                    continue
                fmt = _xls_format(book, sheet, r, c)
                grid.cells[(r + 1, c + 1)] = Cell(value, fmt)
        grid.merged = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
        grid.index_merges()
        grids.append(grid)
    return grids


def _xls_value(book, cell) -> Any:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value if cell.value.strip() else None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except Exception:  # noqa: BLE001 - keep the serial number when it is no valid date
            return cell.value
    return cell.value


def _xls_format(book, sheet, r: int, c: int) -> str:
    try:
        xf = book.xf_list[sheet.cell_xf_index(r, c)]
        return book.format_map[xf.format_key].format_str or "General"
    except (IndexError, KeyError, AttributeError):
        return "General"
