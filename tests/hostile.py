"""A seeded generator of hostile workbooks (issue 16): what an attacker or an unlucky clerk mails in.

Every file starts from a real monitoring workbook painted by :mod:`factory` and is then damaged
at one level: bytes (flips, truncation), the zip container (broken deflate data, an unknown
compression method, a decompression bomb, thousands of sheets), the sheet XML (broken tags,
references beyond Excel's grid, a whole-sheet merge, a dimension of A1:XFD1048576, a forged
shared-string count, control characters, absurd amounts) or the content (formula payloads in
names, a project copied onto a second sheet). :func:`corpus` writes a mixed folder;
:data:`CATEGORIES` says what each file is, so a test can check the outcome per kind.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from factory import Project, SheetSpec, build, one_project

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
PAYLOADS = ('=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-湟源县教育局", "\t=1+2")


# -- building blocks --------------------------------------------------------------------------------
def good_workbook(folder: Path, name: str = "good.xlsx", project: Project | None = None) -> Path:
    return one_project(Path(folder) / name, project)


def rewrite(data: bytes, edits: dict[str, Callable[[bytes], bytes]] | None = None,
            extra: dict[str, bytes] | None = None) -> bytes:
    """The same zip with some members rewritten and others added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if edits and info.filename in edits:
                content = edits[info.filename](content)
            target.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def _sub_once(pattern: str, replacement: str) -> Callable[[bytes], bytes]:
    return lambda xml: re.sub(pattern.encode(), replacement.encode(), xml, count=1)


def _before_end_of_sheet_data(fragment: str) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</sheetData>", fragment.encode() + b"</sheetData>", 1)


# -- damage at each level ---------------------------------------------------------------------------
def byte_flips(data: bytes, rng: random.Random) -> bytes:
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
    return bytes(damaged)


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data) - 1)]


def broken_deflate(data: bytes, rng: random.Random) -> bytes:
    """Garbage inside a member's compressed data: zlib 'Error -3 while decompressing' or a CRC error."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = next(i for i in archive.infolist() if i.filename == SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    for offset in range(start + 2, start + min(info.compress_size, 64), 3):
        damaged[offset] = rng.randrange(256)
    return bytes(damaged)


def unknown_compression(data: bytes, rng: random.Random) -> bytes:
    """Compression method 99 (AES/unknown) in every header: zipfile raises NotImplementedError."""
    damaged = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        for match in re.finditer(re.escape(signature), data):
            damaged[match.start() + offset: match.start() + offset + 2] = (99).to_bytes(2, "little")
    return bytes(damaged)


def broken_xml(data: bytes, rng: random.Random) -> bytes:
    def cut(xml: bytes) -> bytes:
        at = rng.randrange(len(xml) // 3, len(xml) - 10)
        return xml[:at] + b"<c r=<<" + xml[at + 5:]
    return rewrite(data, {SHEET: cut})


def far_reference(data: bytes, rng: random.Random) -> bytes:
    reference = rng.choice(["ZZZZZ1", "A99999999999", "XFE1", "A0"])
    return rewrite(data, {SHEET: _sub_once(r'r="A1"', f'r="{reference}"')})


def far_cell(data: bytes, rng: random.Random) -> bytes:
    """One value at the last cell of the grid: a dense reader would allocate 17 billion cells."""
    return rewrite(data, {SHEET: _before_end_of_sheet_data(
        '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>')})


def whole_sheet_merge(data: bytes, rng: random.Random) -> bytes:
    def merge(xml: bytes) -> bytes:
        if b"<mergeCells" in xml:
            return re.sub(rb"<mergeCells[^>]*>", b'\\g<0><mergeCell ref="A1:XFD1048576"/>', xml, count=1)
        return xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>', 1)
    return rewrite(data, {SHEET: merge})


def formatted_to_the_end(data: bytes, rng: random.Random) -> bytes:
    """Whole columns formatted: the used range declared as A1:XFD1048576 (common in real files)."""
    def dimension(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml, count=1)
        return xml.replace(b"<sheetData>", b'<cols><col min="1" max="16384" width="9" customWidth="1"/></cols><sheetData>', 1) \
            if b"<cols>" not in xml else xml
    return rewrite(data, {SHEET: dimension})


def _ref(text: str) -> str:
    """Text as the painter's XML holds it: markup escaped, non-ASCII as character references."""
    return "".join(ch if ord(ch) < 128 else f"&#{ord(ch)};" for ch in escape(text))


def _replace_text(old: str, new_xml: str) -> Callable[[bytes], bytes]:
    """Replace the cell text that is exactly ``old`` (not a longer text containing it)."""
    return lambda xml: xml.replace(f"<t>{_ref(old)}</t>".encode(), f"<t>{new_xml}</t>".encode())


def forged_string_count(data: bytes, rng: random.Random) -> bytes:
    """A shared-string table declaring billions of strings (calamine reserves that many)."""
    count = rng.choice(["2147483647", "9223372036854775807", "4294967296"])
    table = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" '
             f'uniqueCount="{count}"><si><t>{_ref("项目名称")}</t></si></sst>')
    rel = ('<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
           'Target="sharedStrings.xml" Id="rIdS"/>')
    return rewrite(data, {
        SHEET: lambda xml: xml.replace(f'<c r="A4" t="inlineStr"><is><t>{_ref("项目名称")}</t></is></c>'.encode(),
                                       b'<c r="A4" t="s"><v>0</v></c>', 1),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", rel.encode() + b"</Relationships>", 1),
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'), 1),
    }, {STRINGS: table.encode()})


def control_characters(data: bytes, rng: random.Random) -> bytes:
    escaped = f"{_ref('湟源县')}_x0000_{_ref('公路')}_x0001_{_ref('段')}"
    return rewrite(data, {SHEET: _replace_text("湟源县公路段", escaped)})


def absurd_amounts(data: bytes, rng: random.Random) -> bytes:
    def amounts(xml: bytes) -> bytes:
        xml = re.sub(rb'(<c r="C7" t="n"><v>)100(</v>)', rb"\g<1>1e309\g<2>", xml, count=1)
        return re.sub(rb'(<c r="C8" t="n"><v>)80(</v>)', rb"\g<1>-1e308\g<2>", xml, count=1)
    return rewrite(data, {SHEET: amounts})


def control_characters_workbook(path: Path) -> Path:
    """A readable workbook whose unit name holds NUL and SOH (Excel's _x0000_ escapes)."""
    base = good_workbook(path.parent, path.name, Project(name="控制字符项目")).read_bytes()
    path.write_bytes(control_characters(base, random.Random(0)))
    return path


def with_payload(data: bytes, payload: str) -> bytes:
    """The unit and department names replaced by ``payload`` as plain cell text (not a formula)."""
    return rewrite(data, {SHEET: lambda xml: _replace_text("湟源县交通运输局（305001）", _ref(payload))(
        _replace_text("湟源县公路段", _ref(payload))(xml))})


def bomb(data: bytes, rng: random.Random, megabytes: int = 12) -> bytes:
    """A member that inflates to ``megabytes`` of zeros (a few kB compressed)."""
    out = io.BytesIO(rewrite(data))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/media/image1.bin", "w", force_zip64=megabytes >= 2047) as member:
        chunk = bytes(1 << 20)
        for _ in range(megabytes):
            member.write(chunk)
    return out.getvalue()


def many_sheets(data: bytes, rng: random.Random, count: int = 40) -> bytes:
    """``count`` extra sheets registered in the workbook (copies of the first one)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.read(SHEET)
    names = "".join(f'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                    f'name="副本{i}" sheetId="{1000 + i}" r:id="rIdX{i}"/>' for i in range(count))
    rels = "".join(f'<Relationship Id="rIdX{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'relationships/worksheet" Target="worksheets/extra{i}.xml"/>' for i in range(count))
    types = "".join(f'<Override PartName="/xl/worksheets/extra{i}.xml" ContentType="application/'
                    f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(count))
    return rewrite(data, {
        "xl/workbook.xml": lambda xml: xml.replace(b"</sheets>", names.encode() + b"</sheets>", 1),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", rels.encode() + b"</Relationships>", 1),
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", types.encode() + b"</Types>", 1),
    }, {f"xl/worksheets/extra{i}.xml": sheet for i in range(count)})


DAMAGE: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "byte_flips": byte_flips, "truncated": truncated, "broken_deflate": broken_deflate,
    "unknown_compression": unknown_compression, "broken_xml": broken_xml, "far_reference": far_reference,
    "far_cell": far_cell, "whole_sheet_merge": whole_sheet_merge, "formatted_to_the_end": formatted_to_the_end,
    "forged_string_count": forged_string_count, "control_characters": control_characters,
    "absurd_amounts": absurd_amounts, "bomb": bomb, "many_sheets": many_sheets,
}
# Damage after which the form must still be read in full (the content is intact).
STILL_READABLE = {"far_cell", "whole_sheet_merge", "formatted_to_the_end", "forged_string_count",
                  "control_characters", "absurd_amounts", "xls_control"}


def payload_workbooks(folder: Path) -> dict[str, str]:
    """Readable workbooks whose names carry spreadsheet formulas, and a project copied onto two sheets."""
    made = {}
    for i, payload in enumerate(PAYLOADS):
        good = good_workbook(folder, f"payload{i}.xlsx", Project(name=f"载荷项目{i}")).read_bytes()
        (folder / f"payload{i}.xlsx").write_bytes(with_payload(good, payload))
        made[f"payload{i}.xlsx"] = "payload_names"
    build(folder / "copied_sheet.xlsx", [SheetSpec("项目一", [Project(name="复制的项目")]),
                                         SheetSpec("项目一 (2)", [Project(name="复制的项目")])])
    made["copied_sheet.xlsx"] = "copied_sheet"
    return made


def xls_workbooks(folder: Path, rng: random.Random, whole_merge: bool = False) -> dict[str, str]:
    """Old .xls files: a NUL in a name, a merge over the whole BIFF8 grid (xlwt writes it as 16.7 million
    formatted blank cells, which also blank the form, as Excel shows it), flipped bytes, truncation."""
    from jixiao.forms.painter import xls_bytes

    from factory import Style, paint_sheet

    one_project(folder / "xls_control.xls", Project(name="旧格式控制字符项目", unit="湟源县\x00公路\x01段"))
    made = {"xls_control.xls": "xls_control", "xls_flips.xls": "xls_byte_flips", "xls_truncated.xls": "xls_truncated"}
    if whole_merge:  # 35 MB and ten seconds to write: the benchmark and the slow test only
        canvas = paint_sheet(SheetSpec("监控表", [Project(name="旧格式整表合并项目")], Style()))
        canvas.merges.append((1, 1, 65536, 256))
        (folder / "xls_whole_merge.xls").write_bytes(xls_bytes([canvas]))
        made["xls_whole_merge.xls"] = "xls_whole_merge"
    good = one_project(folder / "xls_flips.xls", Project(name="旧格式受损项目")).read_bytes()
    (folder / "xls_flips.xls").write_bytes(byte_flips(good, rng))
    (folder / "xls_truncated.xls").write_bytes(truncated(good, rng))
    return made


def corpus(folder: Path, size: int, seed: int, large: bool = False) -> dict[str, str]:
    """Write ``size`` damaged files (every kind at least once when size allows), two good files and the
    payload workbooks into ``folder``; return {file name: kind}."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    good_workbook(folder, "good.xlsx")
    good_workbook(folder, "good_other.xlsx", Project(name="另一个项目", unit="湟源县教育局"))
    kinds = {"good.xlsx": "good", "good_other.xlsx": "good", **payload_workbooks(folder), **xls_workbooks(folder, rng, whole_merge=large)}
    names = list(DAMAGE)
    for i in range(size):
        kind = names[i % len(names)] if i < len(names) else rng.choice(names)
        name = f"{i:03d}_{kind}.xlsx"
        base = good_workbook(folder, name, Project(name=f"受损文件项目{i:03d}")).read_bytes()  # one project per file
        (folder / name).write_bytes(DAMAGE[kind](base, rng))
        kinds[name] = kind
    return kinds
