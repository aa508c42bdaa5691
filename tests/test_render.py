"""The brief batch on real files: papermill, HTML, PDF through Debian's Chromium (Playwright).

One batch renders a subset of the demo county once per module (three departments, one of them
with an unsafe name and one with a ``<script>`` in a reason, plus the overview); the tests read
its files. No timing assertions.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from jixiao.outputs import brief
from jixiao.config.settings import Settings
from jixiao.normalise.ingest import ingest
from jixiao.outputs.render import (CHROMIUM_ARGS, CHROMIUM_PATH, LOCAL_SCHEMES, MAX_HTML_BYTES, briefs_dir,
                           external_references, normalised_html, plan_jobs, render_fresh, run_briefs)

ROOT = Path(__file__).resolve().parents[1]
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
    ingest(ROOT / "data" / "raw", processed, Settings(), progress=False)
    projects = pd.read_parquet(processed / "projects.parquet")
    projects.loc[projects["dept_name"] == ORIGINAL_UNSAFE, "dept_name"] = UNSAFE_DEPT
    projects.to_parquet(processed / "projects.parquet", index=False)
    status = brief.load_brief_data(processed).tables["indicator_status"]
    warned = status[(status["dept_name"] == INJECTED_DEPT) & status["light"].isin(["red", "yellow"])]
    indicators = pd.read_parquet(processed / "indicators.parquet")
    chosen = indicators["indicator_id"] == warned["indicator_id"].iloc[0]
    indicators.loc[chosen, ["reason_text", "remarks"]] = [INJECTION, INJECTION]
    indicators.to_parquet(processed / "indicators.parquet", index=False)


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
        for fmt in ("html", "pdf"):
            path = _file(batch, name, fmt)
            assert path.parent == folder.resolve() and path.stat().st_size > 0


def test_unsafe_department_name_cannot_leave_the_briefs_folder(batch):
    result, _, folder, root = batch
    everything = [p for p in (root / "reports").rglob("*") if p.is_file()]
    assert everything and all(p.resolve().parent == folder.resolve() for p in everything)
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
                   brief.pct(row["execution_rate"]), brief.pct(row["expected_rate"])):
        assert figure in flat, figure
    assert "第1页/共" in flat and data.period in flat  # footer page numbers, header period


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
        assert '<html lang="zh-CN">' in page and "Noto Sans CJK SC" in page
        assert "<script" not in page.lower()  # no scripts at all: the injected one is escaped text
        assert external_references(page) == []  # real tags only: the escaped <img src="https://…"> is text
        assert "jp-InputArea" not in page and "In&nbsp;[" not in page  # code cells hidden
        assert "复现信息" in page and brief.RUN_TIME_CLASS in page


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
                "img.chart-img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
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

def test_batch_brief_equals_a_fresh_kernel_brief(batch):
    """The last department ran in a kernel that had rendered another brief before it."""
    _, data, _, root = batch
    job = plan_jobs(data, root / "fresh", [PLAIN_DEPT], ("html",), None, ROOT / "notebooks", False)[0]
    fresh = normalised_html(render_fresh(job))
    batched = normalised_html(_file(batch, PLAIN_DEPT, "html").read_text(encoding="utf-8"))
    assert batched == fresh


def test_a_failing_notebook_is_reported_and_the_rest_written(batch, tmp_path):
    """The overview notebook raises; the department brief is still written; the reason names the error."""
    import json

    _, data, _, _ = batch
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    overview = json.loads((notebooks / "overview.ipynb").read_text(encoding="utf-8"))
    overview["cells"][1]["source"] = ['raise RuntimeError("测试用的失败")']
    (notebooks / "overview.ipynb").write_text(json.dumps(overview, ensure_ascii=False), encoding="utf-8")
    result = run_briefs(data.processed_dir, tmp_path / "reports", departments=[PLAIN_DEPT], formats=("html",),
                        jobs=1, progress=False, notebooks_dir=notebooks)
    assert [name for name, _ in result.failures] == [brief.OVERVIEW_NAME]
    assert "测试用的失败" in result.failures[0][1]
    assert [p.name for p in result.written] == [f"{PLAIN_DEPT}.html"]


def test_notebooks_are_found_in_a_checkout_or_where_pip_installed_them(tmp_path):
    from jixiao.outputs.render import ROOT, installed_notebooks

    assert installed_notebooks() == ROOT / "notebooks"
    shared = tmp_path / "prefix" / "share" / "jixiao" / "notebooks"
    shared.mkdir(parents=True)
    (shared / "department_brief.ipynb").write_text("{}", encoding="utf-8")
    assert installed_notebooks(root=tmp_path / "site-packages", prefix=tmp_path / "prefix") == shared
    with pytest.raises(FileNotFoundError, match="找不到简报笔记本"):
        installed_notebooks(root=tmp_path / "nowhere", prefix=tmp_path / "nowhere")
