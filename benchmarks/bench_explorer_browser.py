"""Explorer speed in the browser: from the input event to the changed table and chart, on province data.

Usage::

    .venv/bin/python benchmarks/bench_explorer_browser.py [PROCESSED_DIR] [--rows 100000] [--repeat 5]

The province-size tables of ``bench_explorer.py`` (the demo county replicated to ``--rows``
indicators, department totals too) are written to a temporary processed folder; the dashboard
(``bash scripts/dashboard.sh``, Voilà) is started on it and opened in Debian's Chromium through
Playwright, as tests/test_dashboard.py does. On the 指标查询 page the scripted analyst sessions
of ``bench_explorer.sessions`` (county, department, light, slider, search word, sort, 重点监控,
unit; then province-wide search, slider, 重点监控 and sort), each followed by its undo steps
(复位 …), are played ``--repeat`` times with real input (select, fill, click, Enter in the
slider's box).

Measured in the page, per step: the input event's own time stamp to the last DOM change of the
table and of the chart (MutationObservers on the two widgets, read once the kernel is idle and the
page has been quiet for ``QUIET_MS``), and to the next frame after it (laid out and painted). The
kernel's websocket is wrapped to split the time: event → message sent (widget view), sent → table
update received (kernel, transport, and whatever the page was still busy with), received → DOM.
Printed: median and p90 ms per step for table and chart against the goals (100 ms / 300 ms); a
step that leaves the table or chart as it was (a new sort order and the chart) shows a dash.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # tests/servers.py: the dashboard's server start and stop

from bench_explorer import argument_parser, demo_tables, province_tables, sessions  # noqa: E402
from servers import CHROMIUM, CHROMIUM_FLAGS, free_port, start_dashboard_server, stop_server, wait_for_port  # noqa: E402

from jixiao.outputs.explorer import indicator_frame  # noqa: E402

TABLE_GOAL_MS = 100.0
CHART_GOAL_MS = 300.0
QUIET_MS = 1000         # no DOM change and no kernel message for this long: the step is over (> search debounce)
STEP_TIMEOUT_MS = 60_000
PAGE_TIMEOUT_MS = 600_000  # a kernel start on province data on a loaded 2-core machine
P90 = 90
EXPORT_REL = "reports/筛选导出/bench-browser"

STATUS_MESSAGE_LIMIT = 4096  # bytes; a kernel status message is far smaller
# Installed before the page's own scripts: time stamps of every kernel websocket message.
WEBSOCKET_PROBE = r"""
(() => {
  const log = window.__jxSocket = {sent: [], received: [], busy: false};
  const status = /"execution_state":\s*"(busy|idle)"/;
  const decoder = new TextDecoder();
  const Native = window.WebSocket;
  class Probed extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => {
        log.received.push([performance.now(), event.data]);
        const size = typeof event.data === 'string' ? event.data.length : event.data.byteLength;
        if (size > STATUS_MESSAGE_LIMIT) return;  // a status message is small: decode only those
        const state = status.exec(typeof event.data === 'string' ? event.data : decoder.decode(event.data));
        if (state) log.busy = state[1] === 'busy';
      });
    }
    send(data) { log.sent.push(performance.now()); return super.send(data); }
  }
  window.WebSocket = Probed;
})();
""".replace("STATUS_MESSAGE_LIMIT", str(STATUS_MESSAGE_LIMIT))

# Watches the table and chart widgets; ``arm`` starts one step, ``result`` reads it once quiet.
STEP_PROBE = """
(() => {
  const table = document.querySelector('.jx-table-view');
  const chart = document.querySelector('.jx-chart-view');
  const probe = window.__jxProbe = {armed: false, event: null, table: [], chart: [], last: performance.now()};
  // The next frame after a change: when the page has been laid out and painted with it.
  const afterFrame = (into) => requestAnimationFrame(() => setTimeout(() => { probe[into] = performance.now(); }, 0));
  const watch = (element, into) => new MutationObserver(() => {
    const now = performance.now();
    probe.last = now;
    if (probe.armed) { probe[into].push(now); afterFrame(into + 'Frame'); }
  }).observe(element, {childList: true, subtree: true, characterData: true, attributes: true});
  watch(table, 'table');
  watch(chart, 'chart');
  new MutationObserver(() => { probe.last = performance.now(); })
    .observe(document.body, {childList: true, subtree: true, characterData: true});
  for (const type of ['input', 'change', 'click', 'keydown']) {
    window.addEventListener(type, event => {
      if (probe.armed && probe.event === null) probe.event = event.timeStamp;
    }, true);
  }
  probe.arm = () => {
    Object.assign(probe, {armed: true, event: null, table: [], chart: [], tableFrame: null, chartFrame: null});
    probe.sentFrom = window.__jxSocket.sent.length;
    probe.receivedFrom = window.__jxSocket.received.length;
  };
  const quietSince = () => {
    const socket = window.__jxSocket.received;
    const lastMessage = socket.length ? socket[socket.length - 1][0] : 0;
    return Math.max(probe.last, lastMessage);
  };
  // Over: the kernel idle again (a search's debounced update comes later: hence the quiet time too).
  probe.quiet = (ms) => !window.__jxSocket.busy && performance.now() - quietSince() >= ms;
  // A step is over once the kernel has answered it (its busy status at least) and all is quiet.
  // A step that sent nothing (the value was already set) has nothing to wait for.
  const answered = () => window.__jxSocket.received.length > probe.receivedFrom
    || window.__jxSocket.sent.length === probe.sentFrom;
  probe.done = (ms) => probe.event !== null && answered() && probe.quiet(ms);
  const text = data => typeof data === 'string' ? data : new TextDecoder().decode(data);
  probe.result = () => {
    probe.armed = false;
    const sent = window.__jxSocket.sent.slice(probe.sentFrom).filter(t => t >= probe.event);
    const received = window.__jxSocket.received.slice(probe.receivedFrom)
      .filter(([t]) => sent.length && t >= sent[0]).map(([t, data]) => [t, text(data)]);
    const first = (pattern) => { const hit = received.find(([, body]) => body.includes(pattern)); return hit ? hit[0] : null; };
    const bytes = received.reduce((sum, [, body]) => sum + body.length, 0);
    return {event: probe.event, table: probe.table.length ? probe.table[probe.table.length - 1] : null,
            chart: probe.chart.length ? probe.chart[probe.chart.length - 1] : null,
            tableFrame: probe.tableFrame, chartFrame: probe.chartFrame,
            sent: sent.length ? sent[0] : null, tableMessage: first('jx-main'),
            chartMessage: first('jx-chart'), messages: received.length, chars: bytes};
  };
})();
"""


# ---------------------------------------------------------------- data and server

def write_province(folder: Path, source: Path | None, rows: int) -> dict:
    """The province-size tables the dashboard reads, as Parquet in ``folder``; returns them."""
    tables = province_tables(demo_tables(source, with_departments=True), rows)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet")
    return tables


def start_dashboard(processed: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "JIXIAO_SKIP_SETUP": "1", "JIXIAO_PROCESSED": str(processed),
           "JIXIAO_EXPORT_DIR": EXPORT_REL, "JIXIAO_DASHBOARD_PORT": str(port)}
    env.pop("JIXIAO_DASHBOARD_IP", None)
    process = start_dashboard_server(env, log)
    wait_for_port(port, process, log)
    return process, f"http://127.0.0.1:{port}/"


def stop_dashboard(process: subprocess.Popen) -> None:
    stop_server(process)
    shutil.rmtree(ROOT / EXPORT_REL, ignore_errors=True)


# ---------------------------------------------------------------- driving the page

@dataclass
class Step:
    name: str
    changes: dict
    table: list[float] = field(default_factory=list)
    chart: list[float] = field(default_factory=list)
    table_frame: list[float] = field(default_factory=list)  # event → next frame after the table changed
    chart_frame: list[float] = field(default_factory=list)
    widget: list[float] = field(default_factory=list)   # event → message sent
    kernel: list[float] = field(default_factory=list)   # sent → table update received
    render: list[float] = field(default_factory=list)   # table update received → table DOM
    chart_render: list[float] = field(default_factory=list)  # chart message received → chart drawn
    chars: list[int] = field(default_factory=list)


class Page:
    """The 指标查询 page and the controls a step changes."""

    def __init__(self, page):
        self.page = page

    def control(self, label: str):
        return self.page.get_by_label(label, exact=True)

    def slider_readout(self):
        return self.page.locator(".widget-slider .widget-readout")

    def wait_quiet(self) -> None:
        self.page.wait_for_function(f"window.__jxProbe.quiet({QUIET_MS})", timeout=STEP_TIMEOUT_MS, polling=100)

    def prepare(self, changes: dict) -> None:
        """Untimed part of a step (a value typed into the slider's box before Enter)."""
        if "deviation" in changes:
            self.slider_readout().evaluate("(el, v) => { el.textContent = String(v); }", changes["deviation"])

    def trigger(self, changes: dict) -> None:
        """The one input event of a step, as a person makes it."""
        selects = {"county": "县区", "dept_name": "主管部门", "unit_name": "实施单位"}
        for key, label in selects.items():
            if key in changes:
                self.control(label).select_option(label=changes[key] or "（全部）")
        if "light" in changes:
            self.control("指标灯").select_option(value=self._option_value("指标灯", changes["light"]))
        if "deviation" in changes:
            self.slider_readout().press("Enter")
        if "search" in changes:
            self.page.get_by_placeholder("项目名称、指标名称").fill(changes["search"])
        if "sort" in changes:
            self.control("排序").select_option(value=self._option_value("排序", changes["sort"]))
        if "key_only" in changes:
            self.control("只看重点监控项目").set_checked(changes["key_only"])

    def _option_value(self, label: str, python_value) -> str:
        """ipywidgets numbers the options of a Dropdown; pick the one with the Python value's label."""
        from jixiao.outputs.explorer import LIGHT_CHOICES, SORT_CHOICES

        labels = {value: text for text, value in (*LIGHT_CHOICES, *SORT_CHOICES)}
        return self.control(label).locator("option", has_text=labels[python_value]).first.get_attribute("value")

    def apply(self, changes: dict) -> dict:
        """One step: the untimed preparation, then the input event; returns the page's timings once over."""
        self.wait_quiet()
        self.prepare(changes)
        self.page.evaluate("window.__jxProbe.arm()")
        self.trigger(changes)
        self.page.wait_for_function(f"window.__jxProbe.done({QUIET_MS})", timeout=STEP_TIMEOUT_MS, polling=100)
        return self.page.evaluate("window.__jxProbe.result()")


# A session is undone one control at a time; these steps are timed too (back to all departments
# used to bring 14,000 units back into the unit list). Narrowest first, as a person undoes a drill-down.
UNDO = {"unit_name": ("复位 实施单位", None), "dept_name": ("复位 主管部门", None), "county": ("复位 县区", None),
        "light": ("复位 指标灯", "all"),
        "deviation": ("复位 偏离度", 0.0), "search": ("复位 搜索", ""), "sort": ("复位 排序", "deviation"),
        "key_only": ("复位 重点监控", False)}


def undo_steps(session: list[Step]) -> list[Step]:
    changed = {key for step in session for key in step.changes}
    return [Step(name, {key: value}) for key, (name, value) in UNDO.items() if key in changed]


def record(step: Step, result: dict) -> None:
    event = result["event"]

    def since(start, end):
        return end - start if start is not None and end is not None else float("nan")

    step.table.append(since(event, result["table"]))
    step.chart.append(since(event, result["chart"]))
    step.table_frame.append(since(event, result["tableFrame"]))
    step.chart_frame.append(since(event, result["chartFrame"]))
    step.widget.append(since(event, result["sent"]))
    step.kernel.append(since(result["sent"], result["tableMessage"]))
    step.render.append(since(result["tableMessage"], result["table"]))
    step.chart_render.append(since(result["chartMessage"], result["chart"]))
    step.chars.append(result["chars"])


def open_explorer(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.add_init_script(WEBSOCKET_PROBE)
    start = time.perf_counter()
    page.goto(url, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector(".js-plotly-plot")
    loaded_s = time.perf_counter() - start
    page.get_by_text("指标查询", exact=True).click()
    page.wait_for_selector(".jx-table-view table.jx-main tbody tr")
    page.wait_for_selector(".jx-chart-view svg")
    page.evaluate(STEP_PROBE)
    return page, loaded_s


# ---------------------------------------------------------------- report

def stats(values: list[float]) -> tuple[float, float]:
    values = [v for v in values if not np.isnan(v)]
    if not values:
        return float("nan"), float("nan")
    return statistics.median(values), float(np.percentile(values, P90))


def ms(value: float, width: int) -> str:
    """A figure in ms, or a dash where nothing changed (a new sort order leaves the chart as it is)."""
    return f"{'—':>{width}}" if np.isnan(value) else f"{value:>{width}.0f}"


def report(steps: list[Step]) -> None:
    print(f"\n{'step':<16}{'table med':>10}{'p90':>6}{'frame':>7}{'chart med':>10}{'p90':>6}{'frame':>7}"
          f"{'widget':>8}{'kernel':>8}{'render':>8}{'chart r.':>9}{'kchars':>8}")
    for step in steps:
        table, table90 = stats(step.table)
        chart, chart90 = stats(step.chart)
        print(f"{step.name:<16}{ms(table, 10)}{ms(table90, 6)}{ms(stats(step.table_frame)[0], 7)}"
              f"{ms(chart, 10)}{ms(chart90, 6)}{ms(stats(step.chart_frame)[0], 7)}"
              f"{ms(stats(step.widget)[0], 8)}{ms(stats(step.kernel)[0], 8)}{ms(stats(step.render)[0], 8)}"
              f"{ms(stats(step.chart_render)[0], 9)}{statistics.median(step.chars) / 1000:>8.0f}")
    for name, values, goal in (("table", [stats(step.table) for step in steps], TABLE_GOAL_MS),
                               ("chart", [stats(step.chart) for step in steps], CHART_GOAL_MS)):
        changed = [(median, p90) for median, p90 in values if not np.isnan(median)]
        worst = max(p90 for _, p90 in changed)
        print(f"{name}: median of step medians {statistics.median(m for m, _ in changed):.0f} ms, worst p90 "
              f"{worst:.0f} ms (goal <= {goal:.0f} ms: {'met' if worst <= goal else 'MISSED'})")
    print("ms from the input event to the last DOM change; frame = to the next frame after it (laid out, painted);"
          " widget = event → message to the kernel, kernel = → table update back, render = → table in the DOM,"
          " chart r. = chart update received → chart in the DOM; kchars = thousand characters received; "
          "— = unchanged")


def main() -> None:
    args = argument_parser(__doc__).parse_args()
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="jixiao-bench-browser-"))
    tables = write_province(workdir / "processed", args.processed_dir, args.rows)
    frame = indicator_frame(tables)
    print(f"{len(frame):,} 个指标，{frame['project_id'].nunique():,} 个项目，{frame['dept_name'].nunique():,} 个部门；"
          f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    process, url = start_dashboard(workdir / "processed", workdir / "server.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            try:
                page, loaded_s = open_explorer(browser, url)
                print(f"page with the overview drawn after {loaded_s:.1f} s")
                driver = Page(page)
                all_steps = []
                for session in sessions(frame):
                    steps = [Step(name, changes) for name, changes in session]
                    all_steps.append(steps + undo_steps(steps))
                for _ in range(args.repeat):
                    for step in (step for session in all_steps for step in session):
                        record(step, driver.apply(step.changes))
            finally:
                browser.close()
    finally:
        stop_dashboard(process)
        shutil.rmtree(workdir, ignore_errors=True)
    report([step for session in all_steps for step in session])
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
