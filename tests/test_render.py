"""The brief batch on real files: papermill, HTML, Word, PDF through Debian's Chromium (Playwright).

One batch renders a subset of the demo county once per module (three departments, one of them
with an unsafe name and one with a ``<script>`` in a reason, plus the overview); the tests read
its files. No timing assertions.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jixiao.config.settings import Settings
from jixiao.metrics.compute import run_metrics
from jixiao.normalise.ingest import ingest
from jixiao.outputs import brief
from jixiao.outputs.chromium import CHROMIUM_ARGS, CHROMIUM_PATH, LOCAL_SCHEMES
from jixiao.outputs.document import MAX_HTML_BYTES, external_references
from jixiao.outputs.render import (
    briefs_dir,
    normalised_html,
    plan_jobs,
    render_fresh,
    run_briefs,
)
from jixiao.store.tables import read_table, write_table

from conftest import DEMO_RAW, ROOT

INJECTION = '<script>window.__jixiaoInjected = 1;</script><img src="https://evil.example/x.png" onerror="window.__jixiaoInjected = 2">'
INJECTED_DEPT = "湟源县司法局"
PLAIN_DEPT = "湟源县教育局"
ORIGINAL_UNSAFE = "湟源县财政局"
UNSAFE_DEPT = "../../逃逸/财政局<b>"
MISSING_DEPT = "不存在的局"
DEPARTMENTS = [INJECTED_DEPT, UNSAFE_DEPT, MISSING_DEPT, PLAIN_DEPT]
HEADINGS = brief.SECTION_HEADINGS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM_PATH).exists() or not shutil.which("pdftotext"),
                                reason="needs Debian chromium and poppler-utils (scripts/setup.sh installs them)")]


def _prepare(processed: Path) -> None:
    """Demo county with one unsafe department name and a script in one unit's reason and measure."""
    ingest(DEMO_RAW, processed, Settings(), progress=False)
    projects = read_table(processed, "projects")
    projects.loc[projects["dept_name"] == ORIGINAL_UNSAFE, "dept_name"] = UNSAFE_DEPT
    write_table(processed, "projects", projects)
    run_metrics(processed, None, Settings())
    status = read_table(processed, "indicator_status")
    warned = status[(status["dept_name"] == INJECTED_DEPT) & status["light"].isin(["red", "yellow"])]
    chosen = warned["indicator_id"].iloc[0]
    for name in ("indicators", "indicator_status"):  # the stored status carries the unit's texts too
        table = read_table(processed, name)
        table.loc[table["indicator_id"] == chosen, ["reason_text", "remarks"]] = [INJECTION, INJECTION]
        write_table(processed, name, table)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("briefs")
    processed, reports = root / "processed", root / "reports"
    _prepare(processed)
    result = run_briefs(processed, reports, departments=DEPARTMENTS, jobs=2, progress=False)
    data = brief.load_brief_data(processed)
    return result, data, briefs_dir(reports, data.year, data.month), root


def _file(batch, name: str, fmt: str) -> Path:
    result, _, folder, _ = batch
    matches = [p for p in result.written if p.suffix == f".{fmt}" and p.stem == _stem(name)]
    assert matches, f"no {fmt} for {name}: {result.failures}"
    return matches[0]


def _stem(name: str) -> str:
    from jixiao.outputs.render import safe_name

    return safe_name(name)


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


# ---------------------------------------------------------------- the batch

def test_every_department_gets_html_and_pdf_and_failures_are_listed(batch):
    result, data, folder, root = batch
    assert result.failures == [(MISSING_DEPT, "数据中没有这个主管部门")]
    for name in (INJECTED_DEPT, UNSAFE_DEPT, PLAIN_DEPT, brief.OVERVIEW_NAME):
        for fmt in ("html", "pdf", "docx"):
            path = _file(batch, name, fmt)
            assert path.parent == folder.resolve() and path.stat().st_size > 0


def test_unsafe_department_name_cannot_leave_the_briefs_folder(batch):
    result, _, folder, root = batch
    everything = [p for p in (root / "reports").rglob("*") if p.is_file()]
    forms = folder.parent / "情况表"
    assert everything and all(p.resolve().parent in (folder.resolve(), forms.resolve()) for p in everything)
    assert not (root / "逃逸").exists() and not (root.parent / "逃逸").exists()
    assert sorted(p.name for p in everything) == sorted(p.name for p in result.written)  # no temp files left


# ---------------------------------------------------------------- PDF

def test_pdf_has_name_headings_figures_and_page_numbers(batch):
    _, data, _, _ = batch
    text = _pdf_text(_file(batch, PLAIN_DEPT, "pdf"))
    flat = re.sub(r"\s+", "", text)
    assert PLAIN_DEPT in flat
    for heading in HEADINGS:
        assert heading in flat, heading
    row = data.tables["department_summary"].set_index("dept_name").loc[PLAIN_DEPT]
    for figure in (brief.money(row["budget_total"]), brief.money(row["executed_total"]),
                   brief.percent(row["execution_rate"]), brief.percent(row["expected_rate"])):
        assert figure in flat, figure
    assert "—1—" in flat and "—2—" in flat  # 公文 page numbers
    assert data.period in flat


def test_pdf_embeds_its_cjk_fonts(batch):
    listing = subprocess.run(["pdffonts", str(_file(batch, INJECTED_DEPT, "pdf"))], check=True,
                             capture_output=True, text=True).stdout.splitlines()[2:]
    assert listing
    assert all(line.split()[-5] == "yes" for line in listing), listing  # the "emb" column
    assert "三、存在问题" in re.sub(r"\s+", "", _pdf_text(_file(batch, INJECTED_DEPT, "pdf")))


def test_injected_script_is_printed_in_the_pdf(batch):
    flat = re.sub(r"\s+", "", _pdf_text(_file(batch, INJECTED_DEPT, "pdf")))
    assert "<script>window.__jixiaoInjected" in flat


# ---------------------------------------------------------------- HTML

def test_html_is_self_contained_small_and_chinese(batch):
    for name in (INJECTED_DEPT, brief.OVERVIEW_NAME):
        page = _file(batch, name, "html").read_text(encoding="utf-8")
        assert len(page.encode("utf-8")) <= MAX_HTML_BYTES
        assert '<html lang="zh-CN">' in page and "Noto Serif CJK SC" in page
        assert "<script" not in page.lower()  # no scripts at all: the injected one is escaped text
        assert external_references(page) == []  # real tags only: the escaped <img src="https://…"> is text
        assert "jp-InputArea" not in page and "In&nbsp;[" not in page  # code cells hidden
        assert "附：数据来源说明" in page and '<meta name="jixiao:profile-hash"' in page


def test_html_in_chromium_makes_no_request_and_stays_inert(batch):
    from playwright.sync_api import sync_playwright

    path = _file(batch, INJECTED_DEPT, "html")
    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            charts = page.eval_on_selector_all(
                "figure.chart svg", "svgs => svgs.map(s => s.getBoundingClientRect().width > 0)")
            injected = page.evaluate("window.__jixiaoInjected")
            body = page.inner_text("body")
        finally:
            browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith(LOCAL_SCHEMES)] == []
    assert charts and all(charts)
    assert injected is None
    assert "<script>window.__jixiaoInjected = 1;</script>" in body


# ---------------------------------------------------------------- equality with a fresh kernel

# The next two run on one worker, in this order: a batch forked from a process that has executed a notebook
# (render_fresh) once waited forever on the parent's jupyter_core task runner (render.forget_parent_task_runners).
@pytest.mark.xdist_group("fresh-kernel-then-batch")
def test_batch_brief_equals_a_fresh_kernel_brief(batch):
    """The last department ran in a kernel that had rendered another brief before it."""
    _, data, _, root = batch
    job = plan_jobs(data, root / "fresh", [PLAIN_DEPT], ("html",), None, ROOT / "notebooks", False)[0]
    fresh = normalised_html(render_fresh(job, root / "fresh.html"))
    batched = normalised_html(_file(batch, PLAIN_DEPT, "html").read_text(encoding="utf-8"))
    assert batched == fresh


@pytest.mark.xdist_group("fresh-kernel-then-batch")
def test_a_failing_notebook_is_reported_and_the_rest_written(batch, tmp_path):
    """The overview notebook raises; the department brief is still written; the reason names the error."""
    import json

    _, data, _, _ = batch
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    overview = json.loads((notebooks / "county_report.ipynb").read_text(encoding="utf-8"))
    overview["cells"][1]["source"] = ['raise RuntimeError("测试用的失败")']
    (notebooks / "county_report.ipynb").write_text(json.dumps(overview, ensure_ascii=False), encoding="utf-8")
    result = run_briefs(data.processed_dir, tmp_path / "reports", departments=[PLAIN_DEPT], formats=("html",),
                        jobs=1, progress=False, notebooks_dir=notebooks)
    assert [name for name, _ in result.failures] == [brief.OVERVIEW_NAME]
    assert "测试用的失败" in result.failures[0][1]
    assert [p.name for p in result.written if p.suffix == ".html"] == [f"{PLAIN_DEPT}.html"]


def test_notebooks_are_found_in_a_checkout_or_where_pip_installed_them(tmp_path):
    from jixiao.outputs.render import ROOT, installed_notebooks

    assert installed_notebooks() == ROOT / "notebooks"
    shared = tmp_path / "prefix" / "share" / "jixiao" / "notebooks"
    shared.mkdir(parents=True)
    (shared / "department_brief.ipynb").write_text("{}", encoding="utf-8")
    assert installed_notebooks(root=tmp_path / "site-packages", prefix=tmp_path / "prefix") == shared
    with pytest.raises(FileNotFoundError, match="找不到简报笔记本"):
        installed_notebooks(root=tmp_path / "nowhere", prefix=tmp_path / "nowhere")


# ---------------------------------------------------------------- the bureau's documents (issue 12)

def _docx(batch, name: str):
    import docx

    return docx.Document(str(_file(batch, name, "docx")))


def _east_asian(style) -> str:
    from docx.oxml.ns import qn

    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_is_a_gbt9704_document_with_signature_date_tables_and_images(batch):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    _, data, _, _ = batch
    settings = Settings()
    doc = _docx(batch, PLAIN_DEPT)
    styles = doc.styles
    assert (_east_asian(styles["Title"]), styles["Title"].font.size) == ("方正小标宋简体", Pt(22))
    assert (_east_asian(styles["Normal"]), styles["Normal"].font.size) == ("仿宋_GB2312", Pt(16))
    assert _east_asian(styles["Heading 1"]) == "黑体" and _east_asian(styles["Heading 2"]) == "楷体_GB2312"
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[1].style.name == "Title" and PLAIN_DEPT in paragraphs[1].text
    assert paragraphs[1].text.startswith(settings.issuer) and paragraphs[1].text.endswith("反馈意见")
    assert paragraphs[2].text == f"{PLAIN_DEPT}："  # 主送
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [h for h in level1 if h in HEADINGS] == list(HEADINGS)
    at = next(i for i, p in enumerate(doc.paragraphs) if p.text == settings.issuer)  # 落款
    assert doc.paragraphs[at].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    date = doc.paragraphs[at + 1]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", date.text)  # 成文日期, Arabic numerals
    assert len(doc.inline_shapes) == 2 and len(doc.tables) >= 2
    header_row = doc.tables[0].rows[0]._tr
    assert header_row.xpath("./w:trPr/w:tblHeader")  # repeated on every page
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "— " in footer
    row = data.tables["department_summary"].set_index("dept_name").loc[PLAIN_DEPT]
    import zipfile

    with zipfile.ZipFile(_file(batch, PLAIN_DEPT, "docx")) as package:  # docxcompose rebinds python-docx's "cp"
        core = package.read("docProps/core.xml").decode("utf-8")
    assert re.search(r"<cp:keywords>[^<]*" + data.profile.content_hash, core)
    assert doc.core_properties.title == paragraphs[1].text and doc.core_properties.author == settings.issuer
    body = "".join(p.text for p in doc.paragraphs[:at])
    assert data.profile.content_hash not in body and brief.money(row["budget_total"]) in body


def test_every_docx_has_title_recipient_signature_date_and_a_table(batch):
    result, _, _, _ = batch
    settings = Settings()
    documents = [p for p in result.written if p.suffix == ".docx"]
    assert len(documents) == 4  # three departments and the county report
    for path in documents:
        import docx

        doc = docx.Document(str(path))
        titles = [p.text for p in doc.paragraphs if p.style.name == "Title" and p.text.startswith(settings.issuer)]
        assert len(titles) == 1 and titles[0] == doc.core_properties.title
        texts = [p.text for p in doc.paragraphs]
        at = texts.index(settings.issuer)
        assert texts[at - 1] != settings.issuer and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", texts[at + 1])
        assert texts[texts.index(titles[0]) + 1].endswith("：")  # 主送
        assert doc.tables and doc.inline_shapes and "附：数据来源说明" in texts


def test_html_pdf_and_docx_carry_the_same_figures(batch):
    _, data, _, _ = batch
    doc = _docx(batch, PLAIN_DEPT)
    cells = {cell.text for table in doc.tables for row in table.rows for cell in row.cells}
    docx_text = "".join(p.text for p in doc.paragraphs) + "".join(cells)
    page = _file(batch, PLAIN_DEPT, "html").read_text(encoding="utf-8")
    pdf = _pdf_text(_file(batch, PLAIN_DEPT, "pdf"))
    projects = data.tables["project_status"]
    own = projects[projects["dept_name"] == PLAIN_DEPT]
    figures = [brief.money(v) for v in own["budget_total"]] + [brief.percent(v) for v in own["execution_rate"]]
    row = data.tables["department_summary"].set_index("dept_name").loc[PLAIN_DEPT]
    figures += [brief.money(row["budget_total"]), brief.percent(row["execution_rate"])]
    for figure in figures:
        assert figure in cells or figure in docx_text, figure
        assert figure in page, figure
        assert figure in pdf, figure  # whole: never split across a space or a line inside a cell


def test_pdf_page_one_has_no_stamp_and_chart_labels_extract_as_standard_text(batch):
    _, data, _, _ = batch
    path = _file(batch, PLAIN_DEPT, "pdf")
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout
    assert data.profile.content_hash not in first and "SHA-256" not in first and "jixiao" not in first
    assert not re.search(r"[0-9a-f]{16}", first)
    text = _pdf_text(path)
    assert not re.search(r"[\u2e80-\u2fdf]", text)  # no Kangxi / radical look-alikes
    assert re.search(r"序时进度 ?\d+\.\d+%", text)  # the chart's own label, digits kept
    flat = re.sub(r"\s+", "", text)
    assert "预算执行率" in flat and "指标数（个）" in flat  # axis titles of the two charts
    assert "附：数据来源说明" in flat and data.profile.content_hash in flat  # the stamp, on its own last page
    meta = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert "反馈意见" in meta and data.profile.content_hash in meta


def test_county_report_lists_unusable_files_and_written_reports(batch):
    _, data, _, _ = batch
    flat = re.sub(r"\s+", "", _pdf_text(_file(batch, brief.OVERVIEW_NAME, "pdf")))
    subs = data.tables["submissions"]
    failed = subs[subs["status"] == "failed"]
    assert len(failed) >= 3
    for record in failed.itertuples():
        assert re.sub(r"\s+", "", record.source_file) in flat and re.sub(r"\s+", "", record.reason)[:20] in flat
    documents = data.tables["documents"]
    sent = sorted(set(documents["dept_name"].dropna())) if len(documents) and "dept_name" in documents else []
    assert (f"报送书面监控报告的部门{len(sent)}个" if sent else "书面监控报告的报送情况：未提供") in flat
    for heading in ("一、监控工作组织开展情况", "三、各部门监控情况", "四、重点监控项目情况", "五、存在的主要问题及原因",
                    "六、监控结果运用", "七、下一步工作"):
        assert heading in flat, heading
    doc = _docx(batch, brief.OVERVIEW_NAME)
    assert len(doc.inline_shapes) == 3 and [p.text for p in doc.paragraphs if p.text.startswith("附件")]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="needs LibreOffice (libreoffice-writer)")
def test_libreoffice_opens_the_docx(batch, tmp_path):
    source = _file(batch, PLAIN_DEPT, "docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    converted = tmp_path / (source.stem + ".pdf")
    flat = re.sub(r"\s+", "", _pdf_text(converted))
    assert PLAIN_DEPT in flat and "—1—" in flat and Settings().issuer in flat
    for heading in HEADINGS:
        assert heading in flat, heading
