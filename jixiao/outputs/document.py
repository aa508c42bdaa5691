"""One document model, three renderings: HTML (Jinja2), PDF (that HTML through Chromium) and Word .docx (docxtpl).

A brief or the county report is built ONCE from the stored tables into a :class:`Document`
(headings, paragraphs, tables, charts, lists, attachments, the provenance stamp). Every text in
the model is plain text: the HTML template escapes it (autoescape), docxtpl/python-docx write it as
text, so a ``<script>`` typed by a unit is printed, never run.

Templates live in ``jixiao/outputs/templates/`` (``document.html.j2``, ``document.css``,
``document.docx``); a bureau replaces any of them by putting a file of the same name into the
folder named by ``paths.templates`` in ``jixiao.toml`` (docs/briefs.md). ``document.docx`` is
made by :func:`build_docx_template` (GB/T 9704-2012 page, fonts and page numbers) and can be
edited in Word/WPS: its ``{{ … }}`` fields are filled by docxtpl.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup, escape

TEMPLATES_DIR = Path(__file__).with_name("templates")
HTML_TEMPLATE = "document.html.j2"
DOCX_TEMPLATE = "document.docx"

# GB/T 9704-2012 (domain notes §9): fonts as Chinese offices have them, sizes in points.
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
SIZE_TITLE = 22  # 二号
SIZE_BODY = 16  # 三号
SIZE_PAGE_NUMBER = 14  # 四号
SIZE_TABLE = 10.5  # 五号: tables need more characters a line than the body
SIZE_SMALL = 9  # 小五: the data source page
LINE_PITCH_PT = 28.95  # 22 lines on the 225 mm text height
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # 156 mm text width = 28 characters of 三号
TEXT_WIDTH_MM = 156
CHART_WIDTH_MM = 150
CHART_PNG_SCALE = 2  # 800 layout px × 2 over 150 mm ≈ 270 dpi: sharp in print, half the pixels of ×3
LIGHT_FILLS = {"红灯": "F4C7C3", "黄灯": "FCE8B2", "绿灯": "C8E6C9", "蓝灯": "BBDEFB", "无法判断": "E0E0E0"}

WIDE_TABLE_COLUMNS = 8
MIN_HEADER_CHARS = 2  # a header like 执行 or 红灯 on one line
MIN_TEXT_CHARS = 4
MAX_VALUE_CHARS = 7  # a "value" column (指标值, 处理意见, 单元格) grows to its content up to this many characters
CELL_PADDING_CHARS = 1.6  # Word's default cell margins (2 × 1.9 mm) and a little air, in characters


def _display_chars(value) -> float:
    """Width of a cell text in CJK characters (a digit or Latin letter is about half of one)."""
    import unicodedata

    wide = ("W", "F")
    return sum(1 if unicodedata.east_asian_width(ch) in wide else 0.9 if ch in "%‰" else 0.6 for ch in str(value))


_NUMBER_TOKEN = re.compile(r"[≥≤<>＞＜+\-−]?\d[\d,，.]*(?:%|‰)?")


# ---------------------------------------------------------------- the model

@dataclass
class Heading:
    text: str
    level: int = 1  # 1: "一、" 黑体; 2: "（一）" 楷体; 3: "1." 仿宋加粗
    kind: str = "heading"


@dataclass
class Paragraph:
    text: str
    lead: str = ""  # a bold lead-in (e.g. "（一）预算执行较慢。")
    style: str = "body"  # body | plain (no indent) | note (small)
    kind: str = "paragraph"


@dataclass
class Bullets:
    items: list[str]
    kind: str = "bullets"


@dataclass
class Column:
    """One table column: header, how its cells read (text | num | light) and its share of the width."""
    header: str
    align: str = "text"  # text | value (short text sized to its content) | num | light
    width: float = 1.0


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)  # long texts, listed below the table instead of a column
    total: list[str] | None = None  # a 合计 row
    kind: str = "table"

    @property
    def wide(self) -> bool:
        """Many columns: printed in 小五 so numbers keep their width and texts still get room."""
        return len(self.columns) >= WIDE_TABLE_COLUMNS

    def widths_pct(self) -> list[float]:
        """Column widths planned from the content: number and light columns as wide as their longest
        value (they never wrap), text columns share the rest by their weights."""
        font_pt = SIZE_SMALL if self.wide else SIZE_TABLE
        line_chars = TEXT_WIDTH_MM / (font_pt * 0.3528)  # CJK characters on one table line
        rows = self.rows + ([self.total] if self.total else [])
        needs: list[float | None] = []
        for i, column in enumerate(self.columns):
            if column.align in ("num", "light", "value"):
                longest = max([_display_chars(row[i]) for row in rows] + [MIN_HEADER_CHARS])
                if column.align == "value":  # short texts on one line; a long one wraps in a bounded column
                    longest = min(longest, MAX_VALUE_CHARS)
                needs.append(longest + CELL_PADDING_CHARS)
            else:
                needs.append(None)
        fixed = sum(n for n in needs if n is not None)
        weights = sum(c.width for c, n in zip(self.columns, needs) if n is None)
        rest = max(line_chars - fixed, MIN_TEXT_CHARS * (weights > 0))
        chars = [n if n is not None else max(rest * c.width / weights, MIN_TEXT_CHARS)
                 for c, n in zip(self.columns, needs)]
        total = sum(chars) or 1
        return [round(c / total * 100, 2) for c in chars]


@dataclass
class Chart:
    """A plotly figure drawn once in the process's chart page: SVG with real text for HTML/PDF, and that
    same SVG rasterised to PNG for Word (jixiao.outputs.chromium)."""
    caption: str
    figure: object
    kind: str = "chart"

    @property
    def size(self) -> tuple[int, int]:
        from jixiao.outputs import plots

        return plots.figure_size(self.figure)

    @cached_property
    def drawn_svg(self) -> str:
        """The SVG document as drawn, its random plotly uid replaced by one derived from the figure."""
        from jixiao.outputs import chromium

        seed = self.caption + repr(self.figure.to_plotly_json().get("data", ""))[:4000]
        return chromium.draw_svg(self.figure, *self.size, seed)

    @cached_property
    def svg(self) -> str:
        return inline_svg(self.drawn_svg)

    @cached_property
    def png(self) -> bytes:
        from jixiao.outputs import chromium

        return chromium.call("png", self.drawn_svg, *self.size, CHART_PNG_SCALE)


@dataclass
class PageBreak:
    kind: str = "pagebreak"


@dataclass
class Attachment:
    """附件N on its own page: a label, a title and its blocks (mostly one table)."""
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Section:
    """A part of the body (one 一级标题 and what follows); shows itself in a notebook."""
    blocks: list

    def _repr_html_(self) -> str:
        return render_fragment(self.blocks)


@dataclass
class Document:
    """A document the bureau signs: title, 主送, body, 附件说明, 落款, 成文日期, 附件, 数据来源说明."""
    kind: str  # brief | report
    title: str
    recipient: str
    issuer: str
    date: str
    doc_number: str
    sections: list[Section]
    attachments: list[Attachment] = field(default_factory=list)
    provenance: list[str] = field(default_factory=list)  # the stamp, in sentences
    provenance_table: Table | None = None
    meta: dict[str, str] = field(default_factory=dict)  # HTML <meta>, docx core properties, PDF info

    def __post_init__(self) -> None:
        self.meta.setdefault("author", self.issuer)

    @property
    def blocks(self) -> list:
        return [block for section in self.sections for block in section.blocks]

    def attachment_notes(self) -> list[str]:
        return [f"{i}. {a.title}" for i, a in enumerate(self.attachments, 1)]

    def _repr_html_(self) -> str:
        return render_html(self, fragment=True)


_SVG_TAG = re.compile(r"<svg\b[^>]*>")


def inline_svg(svg: str) -> str:
    """A plotly SVG ready to sit inside the page: no XML prolog, scalable (viewBox), text in the CJK face."""
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg)
    if "<script" in svg.lower():  # our own charts never carry one; refuse rather than run it
        raise ValueError("图表 SVG 含有脚本")
    tag = _SVG_TAG.search(svg)
    width = re.search(r'\swidth="([\d.]+)"', tag.group(0)) if tag else None
    height = re.search(r'\sheight="([\d.]+)"', tag.group(0)) if tag else None
    if width and height and "viewBox" not in tag.group(0):
        scalable = (tag.group(0).replace(width.group(0), f' viewBox="0 0 {width.group(1)} {height.group(1)}"')
                    .replace(height.group(0), ""))
        svg = svg.replace(tag.group(0), scalable, 1)
    return svg


def run_date(settings) -> str:
    """成文日期 as configured, else today's date in Arabic numerals (2023年9月15日)."""
    if getattr(settings, "issue_date", ""):
        return settings.issue_date
    today = dt.date.today()
    return f"{today.year}年{today.month}月{today.day}日"


def template_path(name: str, templates_dir: Path | None) -> Path:
    """The bureau's own template when ``paths.templates`` holds one, else the shipped one."""
    if templates_dir and (Path(templates_dir) / name).is_file():
        return Path(templates_dir) / name
    return TEMPLATES_DIR / name


# ---------------------------------------------------------------- HTML

def _environment(templates_dir: Path | None):
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

    loaders = ([FileSystemLoader(str(templates_dir))] if templates_dir else []) + [FileSystemLoader(str(TEMPLATES_DIR))]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["nobreak"] = nobreak
    env.filters["light_class"] = light_class
    return env


def nobreak(value) -> Markup:
    """Escaped text whose numbers (≥3200, 933.33, 16.0%) never break across lines."""
    text = str(escape(value))
    return Markup(_NUMBER_TOKEN.sub(lambda m: f'<span class="nb">{m.group(0)}</span>', text))


def light_class(label: str) -> str:
    names = {"红灯": "red", "黄灯": "yellow", "绿灯": "green", "蓝灯": "blue"}
    return f"light light-{names.get(label, 'unknown')}"


def render_html(document: Document, templates_dir: Path | None = None, fragment: bool = False) -> str:
    """The whole page (or, for a notebook, the body only)."""
    template = _environment(templates_dir).get_template(HTML_TEMPLATE)
    return template.render(doc=document, fragment=fragment,
                           css=template_path("document.css", templates_dir).read_text(encoding="utf-8"))


def render_fragment(blocks: list, templates_dir: Path | None = None) -> str:
    env = _environment(templates_dir)
    return env.get_template(HTML_TEMPLATE).module.blocks(blocks)


# ---------------------------------------------------------------- the page's checks and PDF

MAX_HTML_BYTES = 2 * 1024 * 1024  # issue 5: a brief must stay under 2 MB


def check_page(page: str) -> str:
    """A document page must open offline and stay small; raises with the reason in Chinese."""
    remote = external_references(page)
    if remote:
        raise ValueError(f"简报引用了外部资源（离线无法打开）：{', '.join(remote[:3])}")
    size = len(page.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        raise ValueError(f"简报 HTML 为 {size / 1024 / 1024:.1f} MB，超过 {MAX_HTML_BYTES // 1024 // 1024} MB 上限")
    return page


_CSS_REMOTE = re.compile(r"""(?:@import\s*|url\()\s*["']?((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
_URL_ATTRIBUTES = ("src", "href", "srcset", "poster", "data", "action")


class _RemoteFinder(HTMLParser):
    """Collects URLs the browser would fetch from real tags and styles (not from escaped text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            value = (value or "").strip()
            if name in _URL_ATTRIBUTES and not value.startswith(("data:", "#")) and "//" in value[:8]:
                self.urls.append(value)
            if name == "style":
                self.urls += _CSS_REMOTE.findall(value)

    def handle_endtag(self, tag) -> None:
        self._in_style = False

    def handle_data(self, data) -> None:
        if self._in_style:
            self.urls += _CSS_REMOTE.findall(data)


def external_references(page: str) -> list[str]:
    """URLs in tags or CSS that a browser would fetch from another host."""
    finder = _RemoteFinder()
    finder.feed(page)
    finder.close()
    return finder.urls


def write_pdf(document: Document, page: str, path: Path) -> Path:
    """``page`` (the document's HTML) printed by the process's Chromium, then the document's stamp into the
    PDF's information; written under a temporary name and renamed, so no reader sees half a PDF."""
    from jixiao.outputs import chromium

    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        chromium.call("pdf", page, partial)
        set_pdf_metadata(partial, {"title": document.title, **document.meta})
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def set_pdf_metadata(pdf_path: Path, meta: dict[str, str]) -> None:
    """Title, author, subject, keywords and the jixiao stamp into the PDF's document information.

    Appended as an incremental update (ISO 32000-1 §7.5.6): Chromium's bytes stay as printed, then a new
    information dictionary, a cross-reference section for it and a trailer pointing back to Chromium's.
    pypdf only reads the trailer; rewriting the whole file through pypdf cost 0.5 s of CPU a brief.
    """
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    data = pdf_path.read_bytes()
    previous = _STARTXREF.search(data[-PDF_TAIL_BYTES:])
    trailer = PdfReader(io.BytesIO(data)).trailer
    if previous is None or "/Root" not in trailer:
        raise ValueError("Chromium 打印的 PDF 没有可追加的交叉引用表")
    info = DictionaryObject(trailer["/Info"].get_object()) if "/Info" in trailer else DictionaryObject()
    info.update({NameObject(key): TextStringObject(value) for key, value in pdf_info(meta).items()})
    number, root = int(trailer["/Size"]), trailer.raw_get("/Root")
    body = io.BytesIO()
    body.write(b"\n" if not data.endswith(b"\n") else b"")
    at = len(data) + body.tell()
    body.write(f"{number} 0 obj\n".encode())
    info.write_to_stream(body)
    body.write(b"\nendobj\n")
    xref_at = len(data) + body.tell()
    body.write(f"xref\n{number} 1\n{at:010d} 00000 n \ntrailer\n".encode())
    DictionaryObject({NameObject("/Size"): _number(number + 1), NameObject("/Root"): root,
                      NameObject("/Info"): _reference(number), NameObject("/Prev"): _number(int(previous.group(1))),
                      **({NameObject("/ID"): trailer.raw_get("/ID")} if "/ID" in trailer else {})}
                     ).write_to_stream(body)
    body.write(f"\nstartxref\n{xref_at}\n%%EOF\n".encode())
    with pdf_path.open("ab") as handle:
        handle.write(body.getvalue())


PDF_TAIL_BYTES = 1024  # startxref and %%EOF close the file
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def pdf_info(meta: dict[str, str]) -> dict[str, str]:
    """The information entries from a page's metadata: the standard ones and /JixiaoVersion, /JixiaoProfile…"""
    info = {"/Title": meta.get("title", ""), "/Author": meta.get("author", ""), "/Subject": meta.get("subject", ""),
            "/Keywords": meta.get("keywords", "")}
    info.update({"/" + name.replace("jixiao:", "Jixiao-").title().replace("-", ""): value
                 for name, value in meta.items() if name.startswith("jixiao:")})
    return {key: value for key, value in info.items() if value}


def _number(value: int):
    from pypdf.generic import NumberObject

    return NumberObject(value)


def _reference(number: int):
    from pypdf.generic import IndirectObject

    return IndirectObject(number, 0, None)


# ---------------------------------------------------------------- Word

def write_docx(document: Document, path: Path, templates_dir: Path | None = None) -> Path:
    """The .docx through docxtpl: a fresh template object per document, the body as sub-documents."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template_path(DOCX_TEMPLATE, templates_dir)))
    tpl.init_docx()
    body = tpl.new_subdoc()
    for block in document.blocks:
        _add_block(body, block)
    notes = tpl.new_subdoc()
    if document.attachments:
        paragraph = notes.add_paragraph("附件：" + document.attachment_notes()[0])
        paragraph.paragraph_format.first_line_indent = _pt(SIZE_BODY * 2)
        for note in document.attachment_notes()[1:]:
            para = notes.add_paragraph(note)
            para.paragraph_format.first_line_indent = _pt(SIZE_BODY * 5)
    annexes = tpl.new_subdoc()
    for number, attachment in enumerate(document.attachments, 1):
        annexes.add_page_break()
        label = annexes.add_paragraph(f"附件{number}", style="Heading 1")
        label.paragraph_format.first_line_indent = 0
        annexes.add_paragraph(attachment.title, style="Title")
        for block in attachment.blocks:
            _add_block(annexes, block)
    provenance = tpl.new_subdoc()
    provenance.add_page_break()
    head = provenance.add_paragraph("附：数据来源说明", style="Heading 3")
    head.paragraph_format.first_line_indent = 0
    for sentence in document.provenance:
        _small(provenance.add_paragraph(sentence))
    if document.provenance_table is not None:
        _add_table(provenance, document.provenance_table, size=SIZE_SMALL)
    context = {"doc": document, "title": document.title, "recipient": document.recipient,
               "issuer": document.issuer, "date": document.date, "doc_number": document.doc_number,
               "body": body, "attachment_notes": notes, "annexes": annexes, "provenance": provenance}
    tpl.render(context, autoescape=True)
    props = tpl.docx.core_properties
    props.title = document.title
    props.author = document.issuer
    props.subject = document.meta.get("subject", "")
    _set_keywords(props, document.meta.get("keywords", ""))
    props.comments = "；".join(document.provenance)
    props.created = props.modified = dt.datetime.now()
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    tpl.save(str(partial))
    partial.replace(path)
    return path


CORE_PROPERTIES_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def _set_keywords(props, keywords: str) -> None:
    """cp:keywords written directly: docxcompose rebinds python-docx's "cp" prefix, so the
    ``keywords`` setter would add a second element in the wrong namespace that Word ignores."""
    element = props._element
    tag = f"{{{CORE_PROPERTIES_NS}}}keywords"
    node = element.find(tag)
    if node is None:
        node = element.makeelement(tag, {})
        element.append(node)
    node.text = keywords


def _pt(value):
    from docx.shared import Pt

    return Pt(value)


def _small(paragraph) -> None:
    paragraph.paragraph_format.first_line_indent = 0
    paragraph.paragraph_format.line_spacing = 1.0
    for run in paragraph.runs:
        run.font.size = _pt(SIZE_SMALL)


def _add_block(doc, block) -> None:
    if block.kind == "heading":
        doc.add_paragraph(block.text, style=f"Heading {min(block.level, 3)}")
    elif block.kind == "paragraph":
        para = doc.add_paragraph()
        if block.lead:
            para.add_run(block.lead).bold = True
        para.add_run(block.text)
        if block.style == "note":
            _small(para)
        elif block.style == "plain":
            para.paragraph_format.first_line_indent = 0
    elif block.kind == "bullets":
        for item in block.items:
            doc.add_paragraph(item)
    elif block.kind == "table":
        _add_table(doc, block)
    elif block.kind == "chart":
        _add_chart(doc, block)
    elif block.kind == "pagebreak":
        doc.add_page_break()


def _caption(doc, text: str, keep_with_next: bool = True):
    para = doc.add_paragraph(text, style="Caption")
    para.paragraph_format.keep_with_next = keep_with_next
    return para


def _add_table(doc, table: Table, size: float | None = None) -> None:
    """A Word table: caption kept with it, header repeated on every page and never left alone, planned widths."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    size = size or (SIZE_SMALL if table.wide else SIZE_TABLE)
    if table.caption:
        _caption(doc, table.caption)
    rows = table.rows + ([table.total] if table.total else [])
    grid = doc.add_table(rows=1 + len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = [Mm(TEXT_WIDTH_MM * pct / 100) for pct in table.widths_pct()]
    for column, width in zip(grid.columns, widths):  # the grid is what Word and LibreOffice lay out by
        column.width = width
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    grid._tbl.tblPr.append(layout)
    for r, values in enumerate([[c.header for c in table.columns]] + rows):
        row = grid.rows[r]
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        cells = row.cells  # computed from the grid on every access: once per row
        for c, value in enumerate(values):
            cell = cells[c]
            cell.width = widths[c]
            para = cell.paragraphs[0]
            para.paragraph_format.first_line_indent = 0
            para.paragraph_format.line_spacing = 1.0
            para.paragraph_format.keep_with_next = r == 0  # a header row never ends a page
            column = table.columns[c]
            if r == 0 or (table.total and r == len(rows)):
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else para.alignment
            if r > 0 and column.align == "num":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = para.add_run(str(value))
            run.font.size = _pt(size)
            if r == 0 or (table.total and r == len(rows)):
                run.bold = True
            if r > 0 and column.align == "light" and value in LIGHT_FILLS:
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:fill"), LIGHT_FILLS[value])
                cell._tc.get_or_add_tcPr().append(shading)
    for note in table.notes:
        para = doc.add_paragraph(note)
        para.paragraph_format.first_line_indent = 0
        para.paragraph_format.line_spacing = 1.0
        for run in para.runs:
            run.font.size = _pt(SIZE_TABLE + 1.5)


def _add_chart(doc, chart: Chart) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    para = doc.add_paragraph()
    para.paragraph_format.first_line_indent = 0
    para.paragraph_format.line_spacing = 1.0
    para.paragraph_format.keep_with_next = True
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run().add_picture(io.BytesIO(chart.png), width=Mm(CHART_WIDTH_MM))
    _caption(doc, chart.caption, keep_with_next=False)


def docx_to_pdf(path: Path, out_dir: Path, timeout: int = 180) -> Path:
    """Word's layout as a PDF through LibreOffice (headless), the office fonts mapped to Noto CJK.

    For previews and tests on a machine without Word: a private LibreOffice profile, so a running
    LibreOffice (or a second conversion) does not block it.
    """
    import os
    import subprocess
    import tempfile

    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as profile:
        env = {**os.environ, "FONTCONFIG_FILE": str(TEMPLATES_DIR / "fonts.conf")}
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation={Path(profile).as_uri()}", "--convert-to",
                        "pdf", "--outdir", str(out_dir), str(path)], check=True, capture_output=True, env=env,
                       timeout=timeout)
    result = out_dir / (Path(path).stem + ".pdf")
    if not result.is_file():
        raise RuntimeError(f"LibreOffice 未能转换 {Path(path).name}")
    return result


# ---------------------------------------------------------------- the shipped Word template

def build_docx_template(path: Path = TEMPLATES_DIR / DOCX_TEMPLATE) -> Path:
    """Write the GB/T 9704-2012 template: A4, 37/35/28/26 mm margins, 22 lines of 28 characters,
    公文 fonts on the styles (East-Asian attribute set), "— 1 —" page numbers outside, docxtpl fields.

    The styles are python-docx's built-in ones (Title, Heading 1-3, Caption, Table Grid) restyled, so
    the sub-documents docxtpl inserts find them by name; a bureau restyles them in Word.
    """
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, RGBColor

    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28)
    styles = word.styles

    def restyle(name, font, size, bold=False, indent=True, align=None, keep=False, spacing=True):
        style = styles[name]
        _set_font(style, font, size, bold)
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = _pt(0)
        if spacing:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = _pt(LINE_PITCH_PT)
        fmt.first_line_indent = _pt(SIZE_BODY * 2) if indent else 0
        if align is not None:
            fmt.alignment = align
        fmt.keep_with_next = keep
        fmt.widow_control = True
        return style

    restyle("Normal", FONT_BODY, SIZE_BODY)
    title = restyle("Title", FONT_TITLE, SIZE_TITLE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True,
                    spacing=False)
    title.paragraph_format.space_after = _pt(SIZE_BODY)
    title.paragraph_format.line_spacing = 1.15
    _drop_borders(title)
    restyle("Heading 1", FONT_HEADING1, SIZE_BODY, keep=True)
    restyle("Heading 2", FONT_HEADING2, SIZE_BODY, keep=True)
    restyle("Heading 3", FONT_BODY, SIZE_BODY, bold=True, keep=True)
    restyle("Caption", FONT_HEADING1, SIZE_TABLE + 1.5, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True,
            spacing=False)
    _set_font(styles["Table Grid"], FONT_BODY, SIZE_TABLE)

    _page_numbers(word, section)
    body = [
        ("{{ doc_number }}", WD_ALIGN_PARAGRAPH.CENTER, None),
        ("{{ title }}", None, "Title"),
        ("{{ recipient }}：", WD_ALIGN_PARAGRAPH.LEFT, "plain"),
        ("{{p body }}", None, None),
        ("{{p attachment_notes }}", None, None),
        ("{{ issuer }}", WD_ALIGN_PARAGRAPH.RIGHT, "signature"),
        ("{{ date }}", WD_ALIGN_PARAGRAPH.RIGHT, "signature"),
        ("{{p annexes }}", None, None),
        ("{{p provenance }}", None, None),
    ]
    for text, align, role in body:
        para = word.add_paragraph(text, style="Title" if role == "Title" else None)
        if align is not None:
            para.alignment = align
        if role in ("plain", "signature"):
            para.paragraph_format.first_line_indent = 0
        if role == "signature":
            para.paragraph_format.right_indent = _pt(SIZE_BODY * 4)  # 落款 four characters from the right edge
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(path))
    return path


def _set_font(style, name: str, size: float, bold: bool = False) -> None:
    """Font on a style or run, East-Asian attribute included (Word and WPS read w:eastAsia for Chinese)."""
    from docx.oxml.ns import qn

    style.font.name = name
    style.font.size = _pt(size)
    style.font.bold = bold
    element = style.element if hasattr(style, "element") else style._r
    rfonts = element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(attribute), name)
    rpr = element.get_or_add_rPr()
    if rpr.find(qn("w:lang")) is None:  # Simplified Chinese glyphs (a JP face would be picked otherwise)
        lang = rpr.makeelement(qn("w:lang"), {qn("w:val"): "zh-CN", qn("w:eastAsia"): "zh-CN"})
        rpr.append(lang)


def _drop_borders(style) -> None:
    from docx.oxml.ns import qn

    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _page_numbers(word, section) -> None:
    """"— 1 —" in 四号 宋体 at the outer bottom: odd pages right, even pages left."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    word.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        para = footer.paragraphs[0]
        para.alignment = align
        para.paragraph_format.first_line_indent = 0
        para.paragraph_format.line_spacing = 1.0
        for text in ("— ", None, " —"):
            run = para.add_run()
            _set_font(run, FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)
            if text is None:
                _field(run, "PAGE")
            else:
                run.text = text


def _field(run, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    begin, code, separate, value, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                         OxmlElement("w:fldChar"), OxmlElement("w:t"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate.set(qn("w:fldCharType"), "separate")
    value.text = "1"
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, value, end):
        run._r.append(element)
