"""Text-based submissions (HTML, CSV) come in the encodings units use: UTF-8, GBK/GB18030, UTF-16.

Strict UTF-8 is tried first, then the declared charset (an HTML ``<meta charset>``), which is not
trusted: system exports often declare UTF-8 and write GBK, or the other way round. Undeclared
bytes are detected with charset-normalizer, limited to the encodings a Chinese office produces, so
short tables are not mistaken for Latin-1.
"""
from __future__ import annotations

import codecs
import re

# Encodings a county office's files come in; GB18030 is a superset of GB2312 and GBK.
CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "utf_16", "big5")
GB_FAMILY = {"gb2312", "gbk", "cp936", "gb18030", "x-gbk", "hz"}
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
NUMBER_RE = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?$")


def decode(data: bytes, declared: str | None = None) -> str:
    """The text of ``data``: BOM, then the declared charset if it decodes cleanly, then detection."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    # UTF-8 first: GBK text never decodes as UTF-8, but UTF-8 often decodes as (wrong) GB18030,
    # and systems declare one charset and write the other.
    for encoding in filter(None, ("utf_8", _codec(declared))):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3 and encoding == "utf_8":  # a sample cut inside the last character
                return data[:exc.start].decode(encoding, errors="replace")
        except LookupError:
            continue
    return data.decode(detect_encoding(data), errors="replace")


def detect_encoding(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    encoding = best.encoding if best is not None else "gb18030"
    return _codec(encoding) or "gb18030"


def _codec(name: str | None) -> str | None:
    """A Python codec for a declared charset; any GB name reads as GB18030 (its superset)."""
    if not name:
        return None
    name = name.strip().strip("'\"").lower()
    if name in GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_like_text(data: bytes) -> bool:
    """Bytes of a text file (any of the candidate encodings), not a binary file."""
    if not data:
        return False
    if any(data.startswith(bom) for bom, _ in BOMS):
        return True
    if b"\0" in data:
        return False
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 13))
    return controls <= len(data) // 100


PROTECTED_RE = re.compile(r'^="(.*)"$', re.DOTALL)  # ="00123": exports keep a text from being read as a number


def typed(text: str):
    """A cell typed as text in a web page or CSV: plain numbers become numbers, as Excel opens them;
    a ="…" wrapper is taken off (Excel shows what is inside)."""
    stripped = text.strip()
    protected = PROTECTED_RE.match(stripped)
    if protected:
        stripped = protected.group(1).strip()
        text = stripped
    if NUMBER_RE.match(stripped):
        return float(stripped)
    return text
