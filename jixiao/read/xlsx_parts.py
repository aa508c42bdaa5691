"""The parts of an .xlsx package that calamine does not expose, read straight from the zip.

calamine gives the values; this module gives, per worksheet, the number format and formula of every
stored cell, the hidden rows and columns and the filled extent. It reads the workbook part and its
relationships (which sheet is in which part), the number formats of styles.xml (numFmts and
cellXfs) and streams each sheet part once with lxml, visiting only the cells stored in the file:
the declared dimension (A1:XFD1048576 when whole columns were formatted) is never expanded, rows
already seen are dropped so memory stays bounded, and a reference outside Excel's grid is damage,
not an allocation (damage raises ValueError, which the reader reports as a damaged file). It replaces a read-only openpyxl load, which parsed every part through Python
objects (and each sheet a second time for its dimension) only to hand over these few facts.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import column_index_from_string

from jixiao.read.grid import LimitExceeded, ReadLimits, address

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_TAG, ROW_TAG, COL_TAG = f"{MAIN_NS}c", f"{MAIN_NS}row", f"{MAIN_NS}col"
VALUE_TAG, INLINE_TAG, FORMULA_TAG = f"{MAIN_NS}v", f"{MAIN_NS}is", f"{MAIN_NS}f"
WORKBOOK_PART, STYLES_PART = "xl/workbook.xml", "xl/styles.xml"
CELL_REF_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
EXCEL_MAX_ROW, EXCEL_MAX_COL = 1_048_576, 16_384
TRUE_WORDS = ("1", "true")
GENERAL = "General"
# A sheet part this small is parsed whole (faster than streaming: no parser events into Python); its tree
# takes a few times its size in memory. Larger parts are streamed row by row.
WHOLE_PART_BYTES = 1 << 20
# The same safety as the other XML readers: no entities, no DTD, no network, no huge text nodes.
SAFE_XML = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


@dataclass
class SheetScan:
    """What one sheet part holds besides its values."""

    styles: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)  # (format, formula)
    extent: tuple[int, int] = (0, 0)  # (last filled row, last filled column)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


def read_parts(archive: zipfile.ZipFile, limits: ReadLimits) -> dict[str, SheetScan]:
    """Per worksheet name: its :class:`SheetScan` (chart sheets and parts missing from the zip are left out)."""
    formats = number_formats(archive)
    return {name: scan_sheet(archive, part, formats, limits, name) for name, part in worksheet_parts(archive)}


def _parse(data: bytes):
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(**SAFE_XML))


def worksheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) of each worksheet, in workbook order, as openpyxl resolves them."""
    names = set(archive.namelist())
    book = _parse(archive.read(WORKBOOK_PART))
    rels_part = posixpath.join(posixpath.dirname(WORKBOOK_PART), "_rels", posixpath.basename(WORKBOOK_PART) + ".rels")
    relations = _parse(archive.read(rels_part)) if rels_part in names else None
    base = posixpath.dirname(WORKBOOK_PART)
    targets = {}
    for relation in relations.iter(f"{PACKAGE_REL_NS}Relationship") if relations is not None else ():
        if relation.get("TargetMode") == "External":
            continue
        target = relation.get("Target", "")
        targets[relation.get("Id")] = (target[1:] if target.startswith("/")
                                       else posixpath.normpath(posixpath.join(base, target)), relation.get("Type", ""))
    parts = []
    for sheet in book.iter(f"{MAIN_NS}sheet"):
        part, kind = targets.get(sheet.get(f"{REL_NS}id"), (None, ""))
        if part in names and "chartsheet" not in kind:
            parts.append((sheet.get("name"), part))
    return parts


def number_formats(archive: zipfile.ZipFile) -> list[str]:
    """The number format of each cell style index (cellXfs), as openpyxl's ``number_format`` gives it.

    A custom format (numFmts) wins over a built-in one of the same id; an id that names neither is
    General (openpyxl would read a neighbouring custom format there).
    """
    if STYLES_PART not in archive.namelist():
        return []
    root = _parse(archive.read(STYLES_PART))
    custom = {}
    for node in root.iterfind(f"{MAIN_NS}numFmts/{MAIN_NS}numFmt"):
        number = _integer(node.get("numFmtId"))
        if number is not None:
            custom[number] = node.get("formatCode", "")
    out = []
    for xf in root.iterfind(f"{MAIN_NS}cellXfs/{MAIN_NS}xf"):
        number = _integer(xf.get("numFmtId")) or 0
        if number in custom:
            out.append(custom[number])
        else:
            out.append(BUILTIN_FORMATS.get(number, GENERAL) if number < BUILTIN_FORMATS_MAX_SIZE else GENERAL)
    return out


def _integer(text: str | None) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def scan_sheet(archive: zipfile.ZipFile, part: str, formats: list[str], limits: ReadLimits, title: str) -> SheetScan:
    """Number format and formula of the stored, non-empty cells of one sheet part, its hidden lines and extent.

    A part up to WHOLE_PART_BYTES (a form's is 2-20 KB) is parsed at once; a larger one is streamed,
    the parser reporting whole rows (and column definitions) that are dropped once read, so memory
    follows one row and never the part's size. Either way a row's cells are walked in one loop.
    """
    scan = SheetScan()
    shared: dict[str, Translator] = {}
    row = 0
    for element in _rows_and_cols(archive, part):
        if element.tag == COL_TAG:
            _note_hidden_cols(element, scan.hidden_cols)
            continue
        row = int(element.get("r") or row + 1)
        if element.get("hidden") in TRUE_WORDS and element.get("r"):
            scan.hidden_rows.add(row)
        _scan_row(element, row, formats, shared, scan, limits, title)
    scan.extent = (max((r for r, _ in scan.styles), default=0), max((c for _, c in scan.styles), default=0))
    return scan


def _rows_and_cols(archive: zipfile.ZipFile, part: str):
    """The <row> and <col> elements of a sheet part, in document order."""
    from lxml import etree

    if archive.getinfo(part).file_size <= WHOLE_PART_BYTES:  # zipfile never inflates beyond the declared size
        yield from _parse(archive.read(part)).iter(ROW_TAG, COL_TAG)
        return
    with archive.open(part) as source:
        for _, element in etree.iterparse(source, events=("end",), tag=(ROW_TAG, COL_TAG), **SAFE_XML):
            yield element
            if element.tag == ROW_TAG:
                _drop_seen_rows(element)


def _scan_row(element, row: int, formats: list[str], shared: dict[str, Translator], scan: SheetScan,
              limits: ReadLimits, title: str) -> None:
    cell_row, col = row, 0
    for cell in element.iterchildren(CELL_TAG):
        ref = cell.get("r")
        cell_row, col = _position(ref, cell_row, col)
        if _plain_value(cell):
            formula = None
        else:
            formula = _formula(cell.find(FORMULA_TAG), ref, cell_row, col, shared)
            if formula is None and _empty(cell):
                continue
        if len(scan.styles) >= limits.max_cells:
            raise LimitExceeded(f"工作表“{title}”填写的单元格超过 {limits.max_cells} 个，超过上限，未读取。"
                                "请只保留监控表内容后重新报送。")
        style = int(cell.get("s") or 0)
        scan.styles[(cell_row, col)] = (formats[style] if 0 <= style < len(formats) else GENERAL, formula)


def _position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """(row, column) of a cell: its own reference, else the one right of the previous cell."""
    if ref:
        match = CELL_REF_RE.match(ref)
        if not match:
            raise ValueError(f"not a cell reference: {ref!r}")
        row, col = int(match.group(2)), column_index_from_string(match.group(1))
    else:
        col += 1
    if not (1 <= row <= EXCEL_MAX_ROW and 1 <= col <= EXCEL_MAX_COL):
        raise ValueError(f"cell outside Excel's grid: row {row}, column {col}")
    return row, col


def _plain_value(cell) -> bool:
    """A cell holding only its value (<c><v>1</v></c>, <c><is>…</is></c>): the common case, told by
    its one child without searching."""
    if len(cell) != 1:
        return False
    child = cell[0]
    return child.tag == INLINE_TAG or (child.tag == VALUE_TAG and child.text is not None)


def _empty(cell) -> bool:
    value = cell.find(VALUE_TAG)
    return (value is None or value.text is None) and cell.find(INLINE_TAG) is None


def _note_hidden_cols(element, hidden: set[int]) -> None:
    if element.get("hidden") in TRUE_WORDS:
        first, last = int(element.get("min", 1)), min(int(element.get("max", 1)), EXCEL_MAX_COL)
        hidden.update(range(first, last + 1))


def _drop_seen_rows(row) -> None:
    """Rows already read hold nothing more that is needed: free them so memory follows one row."""
    row.clear(keep_tail=False)
    parent = row.getparent()
    if parent is not None:
        while row.getprevious() is not None:
            del parent[0]


def _formula(element, ref: str | None, row: int, col: int, shared: dict[str, Translator]) -> str | None:
    """The formula text as openpyxl reads it ('=…'); shared formulas translated to this cell."""
    if element is None:
        return None
    text = "=" + (element.text or "")
    if element.get("t") == "shared":
        index, coordinate = element.get("si"), ref or address(row, col)
        if index in shared:
            return shared[index].translate_formula(coordinate)
        if text != "=":
            shared[index] = Translator(text, coordinate)
    return text
