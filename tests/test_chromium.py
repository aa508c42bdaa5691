"""The process's one Chromium (jixiao.outputs.chromium): charts drawn in a kept page, PDFs printed and stamped.

Real browser, real plotly.js, real PDFs read back with poppler and pypdf. No timing assertions: the
speed is measured in benchmarks/bench_briefs.py.
"""
from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from jixiao.outputs import chromium, plots
from jixiao.outputs.brief import print_ready
from jixiao.outputs.document import (
    CHART_PNG_SCALE,
    Chart,
    Document,
    Paragraph,
    Section,
    check_page,
    render_html,
    write_pdf,
)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not Path(chromium.CHROMIUM_PATH).exists() or not shutil.which("pdfinfo"),
    reason="needs Debian chromium and poppler-utils (scripts/setup.sh installs them)")]


@pytest.fixture(scope="module", autouse=True)
def browser():
    yield chromium.start()
    chromium.close()


def _lights_chart(department: str, lights: list[str]) -> Chart:
    """A chart with a legend: the kind whose SVG plotly.js writes differently after earlier drawings."""
    frame = pd.DataFrame({"project_id": [f"p{i}" for i in range(len(lights))], "dept_name": department,
                          "unit_name": "单位", "project_name": [f"项目{i}" for i in range(len(lights))],
                          "budget_total": 10.0, "executed_total": 5.0, "execution_rate": 50.0,
                          "time_progress": 58.33, "budget_light": lights})
    return Chart(f"图1 {department}项目执行", print_ready(plots.department_projects(frame, department)))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _brief_charts(processed: Path, departments: list[str]) -> list[Chart]:
    from jixiao.outputs.brief import department_brief

    return [block for name in departments for block in department_brief(name, processed).document().blocks
            if block.kind == "chart"]


def test_a_chart_drawn_after_others_equals_one_drawn_in_a_fresh_browser(demo_county):
    """plotly.js writes some legend attributes in another order once it has drawn a legend, and names trace
    groups by random uids: the charts of a kernel's tenth brief must still equal those of a fresh one."""
    from jixiao.outputs.brief import load_brief_data

    departments = load_brief_data(demo_county).departments()[:4]
    reused = [(chart.svg, chart.png) for chart in _brief_charts(demo_county, departments)]
    fresh = []
    for name in reversed(departments):  # each department in a browser of its own, in the opposite order
        chromium.close()
        fresh = [(chart.svg, chart.png) for chart in _brief_charts(demo_county, [name])] + fresh
    assert reused == fresh
    assert len({svg for svg, _ in reused}) == len(reused) == 2 * len(departments)


def test_chart_svg_has_real_text_and_the_png_is_the_svg_at_print_scale():
    chart = _lights_chart("县<b>教育</b>局", ["red", "green"])
    assert chart.svg.startswith("<svg") and "viewBox" in chart.svg and "<script" not in chart.svg
    assert "项目0" in chart.svg and "Noto Sans CJK SC" in chart.svg
    width, height = chart.size
    assert _png_size(chart.png) == (width * CHART_PNG_SCALE, height * CHART_PNG_SCALE)


def test_pdf_is_printed_stamped_and_readable(tmp_path):
    from pypdf import PdfReader

    document = Document("brief", "湟源县财政局关于测试的反馈意见", "测试局", "湟源县财政局", "2023年9月15日", "",
                        [Section([Paragraph("正文第一段。" * 40)])],
                        meta={"keywords": "绩效运行监控;0123abcd", "jixiao:profile-hash": "0123abcd"})
    path = write_pdf(document, render_html(document), tmp_path / "测试.pdf")
    info = subprocess.run(["pdfinfo", "-custom", str(path)], check=True, capture_output=True, text=True).stdout
    assert "湟源县财政局关于测试的反馈意见" in info and "JixiaoProfileHash:0123abcd" in info.replace(" ", "")
    assert "Author:          湟源县财政局" in info and "Producer:        Skia/PDF" in info  # Chromium's entries kept
    reader = PdfReader(str(path))
    assert reader.metadata["/Keywords"] == "绩效运行监控;0123abcd" and len(reader.pages) >= 1
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "正文第一段" in text and "—1—" in "".join(text.split())
    assert [p.name for p in tmp_path.iterdir()] == ["测试.pdf"]  # no temporary file left


def test_a_page_that_would_fetch_from_the_network_writes_nothing(tmp_path):
    from jixiao.outputs.brief import write_document

    document = Document("brief", "标题", "测试局", "湟源县财政局", "2023年9月15日", "", [Section([])])
    with pytest.raises(ValueError, match="外部资源"):
        check_page('<img src="https://evil.example/x.png">')
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "document.css").write_text('@import url("https://evil.example/a.css");', encoding="utf-8")
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("html", "pdf", "docx")}
    with pytest.raises(ValueError, match="外部资源"):
        write_document(document, outputs, templates)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["templates"]


def test_a_browser_that_went_away_fails_one_chart_and_the_next_gets_a_new_one():
    chart = _lights_chart("县教育局", ["red", "green"])
    gone = chromium.start()
    gone._submit(gone._browser.close).result()  # as if Chromium had crashed between two briefs
    with pytest.raises(RuntimeError, match="Chromium 已退出"):
        _ = chart.svg
    assert chromium.start() is not gone  # the next document starts a new browser
    assert _lights_chart("县水利局", ["yellow"]).svg.startswith("<svg")
