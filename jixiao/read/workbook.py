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
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; ``reason`` is Chinese, for a clerk.

    ``kind`` names what the file is when that is known (docx, doc, pdf, png, pptx…), so that
    ``submissions.file_type`` and the ``documents`` table can say it.
    """

    def __init__(self, reason: str, kind: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


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
    hidden_rows: set[int] = field(default_factory=set)  # rows hidden in the file (height 0, display:none…)
    hidden_cols: set[int] = field(default_factory=set)

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


# What each sniffed kind is, in words for a clerk (file_type values that are not workbooks).
OTHER_KIND_NAMES = {"pdf": "PDF 文件（可能是扫描件或打印件）", "png": "图片（PNG 截图）", "jpg": "图片（JPG 照片或扫描件）",
                    "gif": "图片（GIF）", "docx": "Word 文档", "doc": "Word 文档（.doc）", "wps": "WPS 文字文档",
                    "rtf": "RTF 文档（Word 可打开）", "pptx": "PowerPoint 演示文稿", "ppt": "PowerPoint 演示文稿",
                    "zip": "压缩包", "rar": "RAR 压缩包", "7z": "7z 压缩包", "txt": "纯文本文件", "xml": "XML 文件"}
OTHER_FILE_KINDS = ((b"%PDF", "pdf"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"),
                    (b"{\\rtf", "rtf"), (b"Rar!", "rar"), (b"7z\xbc\xaf", "7z"))
OLE_STREAMS = (("Workbook", "xls"), ("Book", "xls"), ("WordDocument", "doc"), ("PowerPoint Document", "ppt"))
SNIFF_BYTES = 1 << 16  # enough of a text file to tell HTML, XML and CSV apart
WPS_SPREADSHEET_SUFFIXES = (".et", ".ett")


def sniff(path: Path) -> str:
    """The real format by content: xlsx, xlsm, xls, et, xlsb, ods, xls-html, xls-mht, xls-xml or csv.

    Anything else raises :class:`UnreadableWorkbook` with a reason naming what the file is.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise UnreadableWorkbook(f"文件无法打开（{exc.strerror or exc}）。") from exc
    if not head:
        raise UnreadableWorkbook("文件是空的（0 字节），可能在传输或保存时出错，请重新报送。")
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path)
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole(path)
    for magic, kind in OTHER_FILE_KINDS:
        if head.startswith(magic):
            raise _not_a_workbook(kind)
    return _sniff_text(head)


def kind_name(kind: str) -> str:
    """'Word 文档' for docx; a Latin-initial name is set off by a space after 一个 ('一个 Word 文档')."""
    name = OTHER_KIND_NAMES.get(kind, kind)
    return f" {name}" if name[:1].isascii() else name


def _not_a_workbook(kind: str) -> UnreadableWorkbook:
    name = kind_name(kind)
    if kind in ("pdf", "png", "jpg", "gif"):
        return UnreadableWorkbook(f"这是一个{name}，只是扩展名为 Excel，无法读取数据。"
                                  "请报送 Excel 格式的监控表（不要截图、扫描或打印成 PDF）。", kind=kind)
    return UnreadableWorkbook(f"这是一个{name}，不是 Excel 工作簿，无法读取监控表数据。请报送 Excel 格式的监控表。", kind=kind)


def _sniff_ole(path: Path) -> str:
    """An OLE2 compound file: .xls (or WPS .et), or a Word/PowerPoint file, or an encrypted package."""
    data = path.read_bytes()
    if ENCRYPTED_MARKER in data:
        raise UnreadableWorkbook("文件设置了打开密码（已加密），财政局无法读取。请取消密码后重新报送。", kind="encrypted")
    found = [kind for stream, kind in OLE_STREAMS if stream.encode("utf-16-le") + b"\0\0" in data]
    if found and found[0] != "xls":
        raise _not_a_workbook(found[0])
    return "et" if path.suffix.lower() in WPS_SPREADSHEET_SUFFIXES else "xls"


def _sniff_text(head: bytes) -> str:
    """Web pages, Excel 2003 XML and delimited text saved with an Excel name."""
    from jixiao.read.delimited import delimiter_of
    from jixiao.read.text import decode, looks_like_text

    if not looks_like_text(head):
        raise UnreadableWorkbook("文件不是 Excel 工作簿（无法识别的文件格式），请报送 .xlsx 或 .xls 格式的监控表。")
    text = decode(head).lstrip("\ufeff \t\r\n")
    lower = text[:4096].lower()
    if lower.startswith("mime-version") or "content-type: multipart/related" in lower:
        return "xls-mht"
    if "urn:schemas-microsoft-com:office:spreadsheet" in lower and "<workbook" in lower:
        return "xls-xml"
    if lower.startswith(("<html", "<!doctype html", "<table", "<meta", "<head", "<body")) or "<table" in lower:
        return "xls-html"
    if lower.startswith("<"):  # some other XML
        raise _not_a_workbook("xml")
    if delimiter_of(text):
        return "csv"
    raise _not_a_workbook("txt")


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            bad = archive.testzip()
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except zipfile.BadZipFile as exc:
        raise UnreadableWorkbook("文件已损坏，无法打开（可能下载或传输不完整）。请重新导出后报送。") from exc
    except (OSError, EOFError, ValueError, KeyError) as exc:
        raise UnreadableWorkbook("文件已损坏，无法打开（压缩包内容不完整）。请重新导出后报送。") from exc
    if bad is not None:
        raise UnreadableWorkbook(f"文件已损坏（其中的 {bad} 无法解压），请重新导出后报送。")
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" in names:
        return "xlsm" if b"macroEnabled" in content_types else "xlsx"
    if "word/document.xml" in names:
        raise _not_a_workbook("docx")
    if any(n.startswith("ppt/") for n in names):
        raise _not_a_workbook("pptx")
    if "content.xml" in names and (b"spreadsheet" in mimetype or not mimetype):
        return "ods"
    if "content.xml" in names:
        raise UnreadableWorkbook("这是一个 OpenDocument（ODF）文字或演示文档，不是表格，无法读取数据。请报送 Excel 格式的监控表。",
                                 kind="odt" if b"text" in mimetype else "odf")
    raise UnreadableWorkbook("文件是压缩包但不是 Excel 工作簿，请解压后报送其中的监控表（.xlsx 或 .xls）。", kind="zip")


def read_workbook(path: Path) -> list[Grid]:
    """Read every sheet of ``path`` as a :class:`Grid`; raise UnreadableWorkbook when impossible."""
    path = Path(path)
    kind = sniff(path)
    grids = _reader(kind)(path)
    for grid in grids:
        formulas.mark_percent_literals(grid)
        formulas.fill_missing_results(grid)
    return grids


def _reader(kind: str):
    """The reader of each format; every one returns the same cell grids."""
    from jixiao.read import delimited, html, ods, spreadsheetml

    return {"xlsx": _read_xlsx, "xlsm": _read_xlsx, "xls": _read_xls, "et": _read_xls, "xlsb": _read_xlsb,
            "ods": ods.read_ods, "xls-html": html.read_html, "xls-mht": html.read_mhtml,
            "xls-xml": spreadsheetml.read_spreadsheetml, "csv": delimited.read_delimited}[kind]


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
        hidden_lines = _xlsx_hidden_lines(path)
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
        grid.hidden_rows, grid.hidden_cols = hidden_lines.get(name, (set(), set()))
        grid.index_merges()
        grids.append(grid)
    return grids


def _read_xlsb(path: Path) -> list[Grid]:
    """Binary workbooks: calamine gives values, merges and sheet visibility (no number formats)."""
    try:
        values, merges, hidden = _calamine_cells(path)
    except Exception as exc:  # noqa: BLE001 - readers raise many types for broken parts
        raise UnreadableWorkbook(f"二进制工作簿（.xlsb）内容损坏，无法读取（{type(exc).__name__}）。请另存为 .xlsx 后重新报送。") from exc
    grids = []
    for name, sheet_values in values.items():
        grid = Grid(name=name, hidden=hidden[name], merged=merges[name])
        grid.cells = {key: Cell(_plain(value)) for key, value in sheet_values.items()}
        grid.index_merges()
        grids.append(grid)
    return grids


def _xlsx_hidden_lines(path: Path) -> dict[str, tuple[set[int], set[int]]]:
    """Per sheet name: (hidden rows, hidden columns), from the sheet parts' <row hidden> and <col hidden>."""
    from lxml import etree

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    out = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        book = etree.fromstring(archive.read("xl/workbook.xml"), parser)
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), parser)
        targets = {r.get("Id"): r.get("Target", "").lstrip("/") for r in rels}
        for sheet in book.iter(f"{{{main}}}sheet"):
            target = targets.get(sheet.get(f"{{{rel}}}id"), "")
            part = target if target.startswith("xl/") else f"xl/{target}"
            if part not in names:
                continue
            rows, cols = set(), set()
            with archive.open(part) as handle:
                for _, element in etree.iterparse(handle, tag=(f"{{{main}}}row", f"{{{main}}}col"),
                                                  resolve_entities=False, no_network=True, load_dtd=False):
                    if element.get("hidden") in ("1", "true"):
                        if element.tag.endswith("}row") and element.get("r"):
                            rows.add(int(element.get("r")))
                        elif element.tag.endswith("}col"):
                            cols.update(range(int(element.get("min", 1)), min(int(element.get("max", 1)), 16384) + 1))
                    if element.tag.endswith("}row"):
                        element.clear(keep_tail=False)
            out[sheet.get("name")] = (rows, cols)
    return out


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
            word = "WordDocument".encode("utf-16-le") in path.read_bytes()  # a Word file holding a sheet object
            raise UnreadableWorkbook("这是一个 Word 等其他 Office 文档（只是扩展名改成了 Excel），不是监控表工作簿。",
                                     kind="doc" if word else None) from exc
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
        grid.hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden}
        grid.hidden_cols = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden}
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
