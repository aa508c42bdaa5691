"""The dashboard: widget-level checks in-process, and the real thing in a browser.

The browser test starts ``bash scripts/dashboard.sh`` (Voilà) on a free port over a small processed
folder and drives Debian's Chromium through Playwright (no browser download): the widgets render, a
filter changes the table and the chart, search works as you type, the export downloads, and the console
stays clean.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest
from servers import CHROMIUM, CHROMIUM_FLAGS, free_port, start_dashboard_server, stop_server, wait_for_port
from test_explorer import _metrics_tables

from jixiao.outputs.dashboard import PAGES, Dashboard, Overview, headline_cards, key_projects_html

ROOT = Path(__file__).resolve().parents[1]
PAGE_SECONDS = 240  # a kernel start and imports of pandas and plotly take a minute on a loaded 2-core machine


def write_processed(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in _metrics_tables().items():
        if name in ("project_status", "indicator_status", "department_summary"):
            frame.to_parquet(folder / f"{name}.parquet")
    return folder


# ---------------------------------------------------------------- in-process

def test_dashboard_switches_pages_and_offers_exports_under_the_served_root(tmp_path):
    processed = write_processed(tmp_path / "processed")
    dashboard = Dashboard.from_processed(processed, export_dir=tmp_path / "served" / "exports",
                                         served_root=tmp_path / "served")
    assert dashboard.body.children == (dashboard.overview.widget,)
    dashboard.page.value = PAGES[1]
    assert dashboard.body.children == (dashboard.explorer.widget,)
    assert dashboard.round.layout.display == "none"  # one round: no selector
    path = dashboard.explorer.export()
    assert 'href="voila/files/exports/' in dashboard.explorer.export_path.value
    assert path.parent == tmp_path / "served" / "exports"


def test_overview_reads_the_stored_tables():
    tables = _metrics_tables()
    cards = dict(headline_cards(tables))
    assert cards["部门数"] == "2 个" and cards["项目数"] == "3 个"
    summary = tables["department_summary"]
    assert cards["年初预算数（万元）"] == f"{summary['budget_total'].sum():,.2f}"
    overview = Overview(tables)
    assert [trace.name for trace in overview.figures["lights"].data][0] == "红灯"
    key = tables["project_status"]["key_monitoring"].fillna(False).astype(bool)
    html = key_projects_html(tables["project_status"])
    for name in tables["project_status"].loc[key, "project_name"]:
        assert name in html


# ---------------------------------------------------------------- in the browser

@pytest.fixture
def dashboard_url(tmp_path):
    if not CHROMIUM.exists() or not (ROOT / ".venv" / "bin" / "voila").exists():
        pytest.skip("needs /usr/bin/chromium and the project's .venv with voila")
    processed = write_processed(tmp_path / "processed")
    export_rel = f"reports/筛选导出/pytest-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {**os.environ, "JIXIAO_SKIP_SETUP": "1", "JIXIAO_PROCESSED": str(processed),
           "JIXIAO_EXPORT_DIR": export_rel, "JIXIAO_DASHBOARD_PORT": str(port)}
    env.pop("JIXIAO_DASHBOARD_IP", None)
    log = tmp_path / "server.log"
    process = start_dashboard_server(env, log)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/", ROOT / export_rel
    finally:
        stop_server(process)
        shutil.rmtree(ROOT / export_rel, ignore_errors=True)


def _row_count(page) -> int:
    return page.locator("table.jx-main tbody tr").count()


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_a_real_browser(dashboard_url, tmp_path):
    from playwright.sync_api import sync_playwright

    url, export_dir = dashboard_url
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("requestfailed", lambda request: problems.append(f"请求失败 {request.url}"))
            page.set_default_timeout(PAGE_SECONDS * 1000)
            page.goto(url)

            # The loading screen speaks Chinese too.
            loading = page.request.get(url, timeout=PAGE_SECONDS * 1000).text()
            assert "正在载入看板" in loading and "Executing" not in loading.replace("Executing ${", "")
            # 全县总览: headline cards and charts drawn, no code shown.
            page.wait_for_selector(".js-plotly-plot")
            assert page.get_by_text("全县预算执行率").is_visible()
            assert page.locator(".jp-InputArea").count() == 0 and "import" not in page.inner_text("body")
            assert "各部门预算执行率与序时进度" in page.inner_text("body")

            # 指标查询: the table and its chart.
            page.get_by_text(PAGES[1], exact=True).click()
            page.wait_for_selector("table.jx-main tbody tr")
            all_rows = _row_count(page)
            assert all_rows == len(_metrics_tables()["indicator_status"])
            # At 1280 px every column keeps a readable width.
            widths = page.eval_on_selector_all("table.jx-main thead th", "ths => ths.map(th => th.offsetWidth)")
            assert min(widths) >= 40, widths
            right = page.eval_on_selector("table.jx-main", "table => table.getBoundingClientRect().right")
            assert right <= 1280  # long texts wrap instead of pushing the table off the screen

            # A filter changes the table.
            page.get_by_label("指标灯", exact=True).select_option(label="红灯")
            page.wait_for_function(f"document.querySelectorAll('table.jx-main tbody tr').length < {all_rows}")
            assert 0 < _row_count(page) < all_rows
            assert all(text == "红灯" for text in page.locator("table.jx-main tbody td:nth-child(12)").all_inner_texts())
            # The chart follows: red bars only, each with its hover text.
            page.wait_for_function("[...document.querySelectorAll('.jx-chart-view rect.jx-bar title')]"
                                   ".every(title => title.textContent.includes('红灯：'))")
            assert page.locator(".jx-chart-view rect.jx-bar").count() == 1  # one red indicator, one bar

            # Search as you type: no Enter needed.
            search = page.get_by_placeholder("项目名称、指标名称、原因说明或措施中的文字（多个词用空格分开）")
            search.press_sequentially("没有这个词", delay=30)
            page.wait_for_selector("text=无符合条件的数据")
            page.wait_for_selector(".jx-chart-view .jx-chart-empty")  # the chart too, after the typing pause
            search.fill("")
            page.wait_for_selector("table.jx-main tbody tr")

            # Export downloads through the browser.
            page.get_by_text("导出当前筛选结果（Excel）").click()
            link = page.locator("a.jx-download")
            link.wait_for()
            assert link.get_attribute("href").startswith("voila/files/reports/")  # served, not inlined
            # Only the exports are served: the project's other files are refused.
            assert page.request.get(url + "voila/files/pyproject.toml", timeout=PAGE_SECONDS * 1000).status == 403
            with page.expect_download() as download_info:
                link.click()
            saved = tmp_path / "download.xlsx"
            download_info.value.save_as(saved)
            sheet = openpyxl.load_workbook(saved)["筛选结果"]
            assert sheet.max_row - 1 == _row_count(page) and sheet["K1"].value is not None
            assert list(export_dir.glob("*.xlsx"))  # and the file lies under the served folder
            page.screenshot(path=str(tmp_path / "explorer.png"))
        finally:
            browser.close()
    assert problems == []


@pytest.mark.slow
def test_lan_sharing_needs_the_printed_token_which_never_shows_in_ps(tmp_path):
    """127.0.0.2 is loopback on Linux but not "this machine only" for the script: the LAN rules apply."""
    import re
    import urllib.request

    if not (ROOT / ".venv" / "bin" / "voila").exists():
        pytest.skip("needs the project's .venv with voila")
    processed = write_processed(tmp_path / "processed")
    port = free_port()
    env = {**os.environ, "JIXIAO_SKIP_SETUP": "1", "JIXIAO_PROCESSED": str(processed),
           "JIXIAO_DASHBOARD_PORT": str(port), "JIXIAO_DASHBOARD_IP": "127.0.0.2"}
    log = tmp_path / "server.log"
    process = start_dashboard_server(env, log)
    try:
        wait_for_port(port, process, log, host="127.0.0.2")
        token = re.search(r"token=([0-9a-f]+)", log.read_text()).group(1)  # printed before the server starts
        commands = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        assert token not in commands
        with urllib.request.urlopen(f"http://127.0.0.2:{port}/", timeout=PAGE_SECONDS) as refused:
            assert "/login" in refused.geturl()  # sent to the login page, the dashboard is not shown
            assert "预算绩效运行监控看板" not in refused.read().decode("utf-8")
        with urllib.request.urlopen(f"http://127.0.0.2:{port}/?token={token}", timeout=PAGE_SECONDS) as page:
            assert page.status == 200 and "预算绩效运行监控看板" in page.read().decode("utf-8")
    finally:
        stop_server(process)


def test_headline_prefers_the_stored_county_totals():
    import pandas as pd

    from jixiao.outputs.dashboard import headline_note

    tables = _metrics_tables()
    tables["county_summary"] = pd.DataFrame([{
        "n_departments": 2, "n_projects": 2, "budget_total": 1234.5, "executed_total": 600.0, "execution_rate": 48.6,
        "time_progress": 58.3, "n_red": 1, "n_yellow": 0, "n_green": 2, "n_key_projects": 1,
        "n_excluded_projects": 1, "excluded_departments": "湟源县教育局"}])
    cards = dict(headline_cards(tables))
    assert cards["年初预算数（万元）"] == "1,234.50" and cards["全县预算执行率"] == "48.6%" and cards["项目数"] == "2 个"
    assert headline_note(tables) == "另有 1 个项目报送期间与监控时点不一致，单独计算，未纳入全县合计（湟源县教育局）。"


def test_the_round_selector_lists_every_kept_round_and_shows_the_latest(demo_county, tmp_path):
    from jixiao.store.tables import read_table, write_table

    processed = tmp_path / "processed"
    for key in ("2023-07", "2023-10"):
        shutil.copytree(demo_county, processed / "rounds" / key)
    later = processed / "rounds" / "2023-10"
    county = read_table(later, "county_summary").assign(n_projects=10)  # the follow-up round: fewer projects
    write_table(later, "county_summary", county)
    board = Dashboard.from_processed(processed, export_dir=tmp_path / "exports")
    assert [label for label, _ in board.round.options] == ["2023年1-7月", "2023年1-10月"]
    assert board.round.value == 1 and board.round.layout.display == ""
    assert "10 个" in board.overview.widget.children[0].value  # the latest round's projects
    board.round.value = 0
    assert "10 个" not in board.overview.widget.children[0].value
