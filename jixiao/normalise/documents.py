"""Written reports sent with (or instead of) the monitoring table: the ``documents`` table.

A department's 附件1 (绩效监控情况报告) comes as .docx/.doc/.pdf, renamed or not. It is not a
monitoring table and stays ``failed`` in ``submissions``, but it is recorded here (file, format,
kind, department when the file name or the first lines tell it) so that briefs can say it arrived.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from jixiao.normalise import values as V

# Formats of written documents (sniffed by content) that are recorded in ``documents``.
DOCUMENT_KINDS = {"docx", "doc", "wps", "pdf", "rtf", "odt"}
# Organisation names end with one of these words ('湟源县教育局', '县委办公室', '乡镇卫生院').
DEPT_RE = re.compile(r"[\u4e00-\u9fa5（）()]{0,24}?(?:委员会|办公室|联合会|协会|学会|工会|事务中心|服务中心|中心|管理局|局|委|办|"
                     r"院|所|站|馆|队|政府|街道办事处|镇|乡|科协|妇联|残联|侨联|文联|工商联)"
                     r"(?![\u4e00-\u9fa5]{0,1}(?:局|委|办|院|中心))")
# Words after which a file name or title no longer names the department.
DEPT_END_RE = re.compile(r"关于|20\d{2}|年度|[1１]-|[1１]至|绩效|项目|监控|报告|自评|情况|说明|附件")
REPORT_RE = re.compile(r"报告|情况说明|分析|总结")
SNIPPET_LINES = 15  # first lines of a document searched for its title and department
PDF_TIMEOUT_S = 10


def describe(path: Path, file_type: str, source_file: str) -> dict:
    """One ``documents`` row: what the document is and whose it is, as far as can be told."""
    lines = _first_lines(path, file_type)
    title = next((line for line in lines if len(line) >= 6), None)
    dept, where = department_in(Path(source_file).stem), "文件名"
    if not dept:
        dept, where = next(((d, "文件内容") for d in map(department_in, lines) if d), (None, None))
    text = Path(source_file).stem + "".join(lines[:3])
    kind = "绩效监控报告" if "监控" in text and REPORT_RE.search(text) else ("书面报告" if REPORT_RE.search(text) else "其他文档")
    return {"source_file": source_file, "file_type": file_type, "kind": kind, "dept_name": dept,
            "dept_from": where if dept else None, "title": title}


def department_in(text: str | None) -> str | None:
    """'附件1：湟源县教育局2023年1-7月绩效监控报告' -> '湟源县教育局'."""
    if not text:
        return None
    text = re.sub(r"^附件\s*\d*\s*[:：、.\-_ ]*", "", V.normalize(text))
    for run in re.findall(r"[\u4e00-\u9fa5（）()]+", text):
        run = run[:DEPT_END_RE.search(run).start()] if DEPT_END_RE.search(run) else run
        matches = list(DEPT_RE.finditer(run))
        if matches and matches[0].start() == 0:
            name = matches[-1].group() if matches[-1].start() == 0 else run[:matches[-1].end()]
            if len(name) >= 2:  # '科协', '教育局'; never a bare '局'
                return name
    return None


def match_known(documents: list[dict], departments: list[str]) -> None:
    """A department named in a document's file name or title that submitted tables: use its exact name."""
    known = sorted({d for d in departments if d}, key=len, reverse=True)
    for document in documents:
        text = V.normalize(f"{document['source_file']}{document.get('title') or ''}")
        hit = next((d for d in known if d in text or _short(d) and _short(d) in text), None)
        if hit:
            document["dept_name"] = hit
            document["dept_from"] = document.get("dept_from") or "文件名"


def _short(dept: str) -> str | None:
    """'湟源县教育局' is often written '教育局' in a file name."""
    short = re.sub(r"^.{1,6}?[县市区]", "", dept)
    return short if short != dept and len(short) >= 3 else None


def _first_lines(path: Path, file_type: str) -> list[str]:
    try:
        if file_type == "docx":
            return _docx_lines(path)
        if file_type == "pdf":
            return _pdf_lines(path)
    except Exception:  # noqa: BLE001 - a damaged document is still recorded by its file name
        return []
    return []


def _docx_lines(path: Path) -> list[str]:
    import docx

    with path.open("rb") as handle:
        document = docx.Document(handle)
    lines = [p.text.strip() for p in document.paragraphs[:SNIPPET_LINES * 3] if p.text.strip()]
    return lines[:SNIPPET_LINES]


def _pdf_lines(path: Path) -> list[str]:
    """The first page's text with poppler's pdftotext, when installed (a scan has none)."""
    tool = shutil.which("pdftotext")
    if not tool:
        return []
    done = subprocess.run([tool, "-l", "1", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          timeout=PDF_TIMEOUT_S, check=False)
    lines = [line.strip() for line in done.stdout.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[:SNIPPET_LINES]
