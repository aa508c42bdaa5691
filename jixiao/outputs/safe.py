"""Safe writing of submitted text: the one cell writer every workbook writer uses, and safe file names.

Submitted workbooks are untrusted: a unit name such as ``=HYPERLINK("http://x","y")`` or
``=cmd|' /C calc'!A0`` must arrive in our feedback, 汇总 and export workbooks as text a
clerk reads, never as a live formula; a NUL or other control character (which openpyxl
refuses with ``IllegalCharacterError``) must not stop a writer. Output file names made
from department names must be valid on Windows too (no ``CON``, ``NUL``, ``COM1`` …).
"""
from __future__ import annotations

import math
import re
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Leading characters a spreadsheet may evaluate (OWASP CSV injection list, tab and CR included).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Names Windows reserves for devices, with or without an extension (CON.html opens the console).
WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)


def clean_text(text: Any) -> str:
    """Text a workbook can hold: control characters Excel refuses are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(text))


def write_text(cell, text: Any) -> str:
    """Write text that must stay text: a leading = + - @ never becomes a live formula.

    The text itself is kept as written (a department called '-教育局' stays so); the cell is
    stored as a string with Excel's quote prefix, so editing it does not turn it into a formula.
    Returns the text written (for column widths).
    """
    text = clean_text(text)
    cell.value = text
    if text.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"      # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True   # Excel/LibreOffice keep it as text when the cell is edited
    return text


def write_value(cell, value: Any) -> Any:
    """Write any submitted value: numbers stay numbers (non-finite ones left blank), text via write_text."""
    if value is None or isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        cell.value = value if math.isfinite(float(value)) else None
    elif isinstance(value, str):
        write_text(cell, value)
    else:
        cell.value = value  # dates and times
    return cell.value


def put(sheet, row: int, col: int, value: Any):
    """``sheet.cell(row, col, value)`` for submitted values: formula-safe and control-character-safe."""
    cell = sheet.cell(row, col)
    write_value(cell, value)
    return cell


def is_formula_like(text: Any) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_TRIGGERS)


def windows_safe(stem: str, placeholder: str = "_") -> str:
    """A file stem Windows can create: device names (CON, PRN, AUX, NUL, COM1…, LPT1…) get a suffix,
    trailing dots and spaces (dropped silently by Windows) are removed."""
    stem = stem.rstrip(". ")
    if not stem:
        return placeholder
    return f"{stem}_" if WINDOWS_RESERVED.match(stem) else stem
