"""Reading stage: open a submitted file and return its sheets as cell grids.

Only cells are read here (value, number format, formula, merged ranges, sheet
visibility); nothing is interpreted. The file type is decided by content, not by
the name, so that a renamed Word file or a truncated download gets a precise
Chinese reason (:class:`UnreadableWorkbook`) instead of a stack trace.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
import zlib
from functools import partial
from pathlib import Path
from typing import Any

from jixiao.normalise import values as values_mod  # `values` is a common local name here
from jixiao.read import formulas, xlsx_parts
from jixiao.read.grid import DEFAULT_LIMITS, Cell, Grid, LimitExceeded, ReadLimits, UnreadableWorkbook, address
from jixiao.read.xlsx_parts import EXCEL_MAX_COL, EXCEL_MAX_ROW

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")
DAMAGED = "文件已损坏，无法打开（可能下载或传输不完整）。请重新导出后报送。"
CONTENT_DAMAGED = "文件已损坏，工作簿内容无法读取。请用 Excel 打开检查后另存为新的 .xlsx 重新报送。"
# Errors a damaged zip raises while it is inflated (zlib: "Error -3 while decompressing").
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, KeyError,
              RuntimeError, OverflowError)
SST_TAG_RE = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
SST_COUNT_RE = re.compile(rb'(?:uniqueCount|count)\s*=\s*"(\d+)"')
MIN_SHARED_STRING_BYTES = 8  # '<si><t/>' is the shortest shared string: a larger count is a lie


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


def sniff(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """The real format by content: xlsx, xlsm, xls, et, xlsb, ods, xls-html, xls-mht, xls-xml or csv.

    Anything else raises :class:`UnreadableWorkbook` with a reason naming what the file is.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise UnreadableWorkbook(f"文件无法打开（{os.strerror(exc.errno) if exc.errno else '无法访问'}）。") from exc
    if not head:
        raise UnreadableWorkbook("文件是空的（0 字节），可能在传输或保存时出错，请重新报送。")
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path, limits)
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


def _sniff_zip(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            _check_zip_limits(infos, limits)
            bad = archive.testzip()
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except UnreadableWorkbook:
        raise
    except ZIP_ERRORS as exc:
        raise UnreadableWorkbook(DAMAGED) from exc
    if bad is not None:
        raise UnreadableWorkbook(f"文件已损坏（其中的部件 {bad} 无法解压），请重新导出后报送。")
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


def _check_zip_limits(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    """Refuse before inflating anything: a member larger than the limit, or too many sheets."""
    for info in infos:
        if info.file_size > limits.max_unpacked_bytes:
            raise LimitExceeded(
                f"文件结构异常：其中的部件 {info.filename} 解压后有 {info.file_size / 2**20:,.0f} MB，"
                f"超过上限 {limits.max_unpacked_bytes / 2**20:,.0f} MB（可能是“压缩炸弹”或损坏的文件），未读取。"
                "请另存为新的 .xlsx 后重新报送。")
    sheets = sum(1 for info in infos if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"))
    if sheets > limits.max_sheets:
        raise LimitExceeded(f"工作簿有 {sheets} 张工作表，超过上限 {limits.max_sheets} 张，未读取。"
                            "请只保留监控表所在的工作表后重新报送。")


MERGE_REF_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _declared_merges(sheet_xml: bytes) -> list[tuple[int, int, int, int]]:
    """(row1, col1, row2, col2) of every <mergeCell> (read-only openpyxl does not parse them); the
    Grid clips them to its data."""
    from openpyxl.utils import column_index_from_string

    return [(int(r1), column_index_from_string(c1.decode()), int(r2), column_index_from_string(c2.decode()))
            for c1, r1, c2, r2 in MERGE_REF_RE.findall(sheet_xml)]


def merged_cell_count(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> int:
    """Cells covered by the declared merges of an .xlsx (what a full openpyxl load would create)."""
    from openpyxl.utils import column_index_from_string

    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/") or info.file_size > limits.max_unpacked_bytes:
                continue
            for c1, r1, c2, r2 in MERGE_REF_RE.findall(archive.read(info)):
                rows = int(r2) - int(r1) + 1
                cols = column_index_from_string(c2.decode()) - column_index_from_string(c1.decode()) + 1
                total += max(rows, 1) * max(cols, 1)
    return total


def read_workbook(path: Path, limits: ReadLimits = DEFAULT_LIMITS, kind: str | None = None) -> list[Grid]:
    """Read every sheet of ``path`` as a :class:`Grid`; raise UnreadableWorkbook when impossible.

    ``kind`` is what :func:`sniff` said of this file, when the caller sniffed it already (sniffing a
    zip inflates every member to check it: not worth doing twice).
    """
    path = Path(path)
    kind = kind or sniff(path, limits)
    grids = _reader(kind, limits)(path)
    for grid in grids:
        if kind not in STRIPPED_WHILE_READING:
            _strip_control_characters(grid)
        formulas.mark_percent_literals(grid)
        formulas.fill_missing_results(grid)
    return grids


# The readers that pass every value through _plain already (control characters removed and noted).
STRIPPED_WHILE_READING = frozenset({"xlsx", "xlsm", "xls", "et", "xlsb"})


def _reader(kind: str, limits: ReadLimits):
    """The reader of each format; every one returns the same cell grids."""
    from jixiao.read import delimited, html, ods, spreadsheetml

    xlsx, xls = partial(_read_xlsx, limits=limits), partial(_read_xls, limits=limits)
    return {"xlsx": xlsx, "xlsm": xlsx, "xls": xls, "et": xls, "xlsb": _read_xlsb,
            "ods": ods.read_ods, "xls-html": html.read_html, "xls-mht": html.read_mhtml,
            "xls-xml": spreadsheetml.read_spreadsheetml, "csv": delimited.read_delimited}[kind]


def _read_xlsx(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[Grid]:
    """Values, merges and visibility from calamine; number formats, formulas and hidden lines from
    one streamed pass over the package (:mod:`jixiao.read.xlsx_parts`).

    Files are opened through a handle so that a misnamed file (.xls holding xlsx content) is
    still read by its content.

    calamine builds a dense grid from A1 to the last filled cell and trusts the declared
    shared-string count; when either is beyond the limits (a stray value at XFD1048576, a
    forged ``uniqueCount``) the values come from openpyxl's streaming pass instead, whose
    cost follows the cells actually stored.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = xlsx_parts.read_parts(archive, limits)
            safe = _calamine_safe(archive, parts, limits)
        values, merges, hidden = _calamine_cells(path) if safe else _openpyxl_cells(path, limits)
    except LimitExceeded:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's PanicException is a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(exc, MemoryError):
            raise LimitExceeded("文件结构异常，读取时占用内存过大，请另存为新的 .xlsx 后重新报送。") from exc
        raise UnreadableWorkbook(CONTENT_DAMAGED) from exc
    grids = []
    for name, sheet_values in values.items():
        grid = Grid(name=values_mod.strip_control(name)[0], hidden=hidden[name], max_cells=limits.max_cells)
        scan = parts.get(name) or xlsx_parts.SheetScan()
        sheet_styles = scan.styles
        for key in sheet_values.keys() | {k for k, (_, formula) in sheet_styles.items() if formula}:
            number_format, formula = sheet_styles.get(key, ("General", None))
            value = _plain(sheet_values.get(key), grid, key)
            if value == "" and formula is None:
                continue  # nothing but control characters
            grid.cells[key] = Cell(value, number_format, formula)
        grid.merged = merges[name]
        grid.hidden_rows, grid.hidden_cols = scan.hidden_rows, scan.hidden_cols
        grid.index_merges()
        grids.append(grid)
    return grids


def _read_xlsb(path: Path) -> list[Grid]:
    """Binary workbooks: calamine gives values, merges and sheet visibility (no number formats)."""
    try:
        values, merges, hidden = _calamine_cells(path)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's PanicException is a BaseException
        raise UnreadableWorkbook(f"二进制工作簿（.xlsb）内容损坏，无法读取（{type(exc).__name__}）。请另存为 .xlsx 后重新报送。") from exc
    grids = []
    for name, sheet_values in values.items():
        grid = Grid(name=name, hidden=hidden[name], merged=merges[name])
        grid.cells = {key: Cell(_plain(value, grid, key)) for key, value in sheet_values.items()}
        grid.index_merges()
        grids.append(grid)
    return grids


def _calamine_safe(archive: zipfile.ZipFile, parts: dict[str, xlsx_parts.SheetScan], limits: ReadLimits) -> bool:
    """Whether calamine's dense grids and shared-string table stay within the limits."""
    if any(rows * cols > limits.max_cells for rows, cols in (scan.extent for scan in parts.values())):
        return False
    try:
        info = archive.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return True
    with archive.open(info) as member:
        head = member.read(2048)
    tag = SST_TAG_RE.search(head)
    declared = max((int(n) for n in SST_COUNT_RE.findall(tag.group() if tag else b"")), default=0)
    return declared <= info.file_size // MIN_SHARED_STRING_BYTES + 1


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


def _stored_cells(sheet, limits: ReadLimits, title: str):
    """The non-empty cells of a read-only sheet, at most ``max_cells`` of them."""
    count = 0
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or not hasattr(cell, "number_format"):
                continue
            if cell.row > EXCEL_MAX_ROW or cell.column > EXCEL_MAX_COL:
                raise UnreadableWorkbook(CONTENT_DAMAGED)
            count += 1
            if count > limits.max_cells:
                raise LimitExceeded(f"工作表“{title}”填写的单元格超过 {limits.max_cells} 个，超过上限，未读取。"
                                    "请只保留监控表内容后重新报送。")
            yield cell


def _openpyxl_cells(path: Path, limits: ReadLimits):
    """calamine's output read by openpyxl's streaming parser (cached values, merges, visibility)."""
    import openpyxl

    values, merges, hidden = {}, {}, {}
    with path.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            values[sheet.title] = {
                (cell.row, cell.column): cell.value for cell in _stored_cells(sheet, limits, sheet.title)
                if not (isinstance(cell.value, str) and not cell.value.strip())
            }
            hidden[sheet.title] = sheet.sheet_state != "visible"
            merges[sheet.title] = _declared_merges(book._archive.read(sheet._worksheet_path))  # noqa: SLF001
        book.close()
    return values, merges, hidden


def _strip_control_characters(grid: Grid) -> None:
    """Every format's text cells without control characters (noted once per cell), for the readers that
    do not do it themselves (see STRIPPED_WHILE_READING)."""
    for key, cell in grid.cells.items():
        if isinstance(cell.value, str):
            cell.value = _plain(cell.value, grid, key)


def _plain(value: Any, grid: Grid | None = None, key: tuple[int, int] | None = None) -> Any:
    """A cell value as the later stages take it: times as text, control characters removed (noted)."""
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, str):
        clean, removed = values_mod.strip_control(value)
        if removed and grid is not None and key is not None:
            grid.issues.append((address(*key), "CONTROL_CHARACTERS",
                                f"单元格含有不可见的控制字符，已删除后读取（原文：{values_mod.escape_control(value)}）。"))
        return clean
    return value


def _read_xls(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[Grid]:
    import xlrd

    try:
        with open(os.devnull, "w", encoding="utf-8") as quiet:  # xlrd prints warnings to stdout otherwise
            # Formatted blank cells cost xlrd one Python call each (a whole-sheet merge written as
            # 16.7 million blanks takes minutes): beyond the limit, only values are read.
            with_formats = _xls_blank_cells(path) <= limits.max_cells
            # ragged rows: xlrd would otherwise pad every row out to the widest merge (65,536 × 256 cells)
            # on demand: the sheet count is checked before any sheet is loaded
            book = xlrd.open_workbook(str(path), formatting_info=with_formats, logfile=quiet, ragged_rows=True,
                                      on_demand=True)
    except xlrd.biffh.XLRDError as exc:
        message = str(exc)
        if "encrypted" in message.lower():
            raise UnreadableWorkbook("文件设置了打开密码（已加密），财政局无法读取。请取消密码后重新报送。") from exc
        if "Can't find workbook" in message and _has_office_stream(path):
            word = "WordDocument".encode("utf-16-le") in path.read_bytes()  # a Word file holding a sheet object
            raise UnreadableWorkbook("这是一个 Word 等其他 Office 文档（只是扩展名改成了 Excel），不是监控表工作簿。",
                                     kind="doc" if word else None) from exc
        raise UnreadableWorkbook("文件已损坏，旧版 .xls 文件无法读取。请另存为 .xlsx 后重新报送。") from exc
    except MemoryError as exc:
        raise LimitExceeded("文件结构异常，读取时占用内存过大，请另存为新的 .xlsx 后重新报送。") from exc
    except Exception as exc:  # noqa: BLE001 - xlrd raises assorted errors on damaged files
        raise UnreadableWorkbook("文件已损坏，旧版 .xls 文件无法读取。请另存为 .xlsx 后重新报送。") from exc
    if book.nsheets > limits.max_sheets:
        raise LimitExceeded(f"工作簿有 {book.nsheets} 张工作表，超过上限 {limits.max_sheets} 张，未读取。"
                            "请只保留监控表所在的工作表后重新报送。")
    try:
        sheets = book.sheets()
    except MemoryError as exc:
        raise LimitExceeded("文件结构异常，读取时占用内存过大，请另存为新的 .xlsx 后重新报送。") from exc
    except Exception as exc:  # noqa: BLE001 - a damaged sheet stream
        raise UnreadableWorkbook("文件已损坏，旧版 .xls 文件无法读取。请另存为 .xlsx 后重新报送。") from exc
    grids = []
    for sheet in sheets:
        if sheet.nrows * sheet.ncols > limits.max_cells and sum(sheet.row_len(r) for r in range(sheet.nrows)) > limits.max_cells:
            raise LimitExceeded(f"工作表“{sheet.name}”填写的单元格超过 {limits.max_cells} 个，超过上限，未读取。"
                                "请只保留监控表内容后重新报送。")
        grid = Grid(name=values_mod.strip_control(sheet.name)[0], hidden=sheet.visibility != 0,
                    max_cells=limits.max_cells)
        for r in range(sheet.nrows):
            for c in range(sheet.row_len(r)):
                cell = sheet.cell(r, c)
                value = _plain(_xls_value(book, cell), grid, (r + 1, c + 1))
                if value is None or isinstance(value, str) and not value.strip():
                    continue
                fmt = _xls_format(book, sheet, r, c) if with_formats else "General"
                grid.cells[(r + 1, c + 1)] = Cell(value, fmt)
        grid.merged = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
        grid.hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden}
        grid.hidden_cols = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden}
        if not with_formats:
            grid.issues.append((None, "CONTENT_CLIPPED",
                                f"工作簿中设置了格式的空白单元格超过 {limits.max_cells} 个，已只读取数值（未读取数字格式和合并单元格）。"
                                "请删除多余的格式或合并后重新报送。"))
        grid.index_merges()
        grids.append(grid)
    return grids


XLS_BLANK, XLS_MULBLANK = 0x0201, 0x00BE
# Streams of other OLE2 Office documents (UTF-16 names in the directory): without one, a file
# whose workbook stream cannot be found is a damaged workbook, not a Word file.
OFFICE_STREAMS = tuple(name.encode("utf-16-le") for name in ("WordDocument", "PowerPoint Document"))


def _has_office_stream(path: Path) -> bool:
    data = path.read_bytes()
    return any(marker in data for marker in OFFICE_STREAMS)


def _xls_blank_cells(path: Path) -> int:
    """Formatted blank cells declared in an .xls (BLANK and MULBLANK records), counted without xlrd."""
    import struct

    from xlrd import compdoc

    try:
        with open(os.devnull, "w", encoding="utf-8") as quiet:
            document = compdoc.CompDoc(path.read_bytes(), logfile=quiet)
            for name in ("Workbook", "Book"):
                stream, base, length = document.locate_named_stream(name)
                if stream is not None:
                    break
            else:
                return 0
    except Exception:  # noqa: BLE001 - xlrd itself then reports the damage
        return 0
    count, position, end = 0, base, min(base + length, len(stream))
    while position + 4 <= end:
        record, size = struct.unpack_from("<HH", stream, position)
        if record == XLS_BLANK:
            count += 1
        elif record == XLS_MULBLANK:
            count += max(0, (size - 6) // 2)
        position += 4 + size
    return count


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
