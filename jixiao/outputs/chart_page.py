"""Charts of the documents drawn in ONE headless Chromium page that keeps plotly.js loaded.

A brief has two charts, the county report three; each is needed as SVG (HTML and PDF: real text)
and as PNG (Word). kaleido reloads its page, and so parses plotly.js again, after every image: about
0.2 s of CPU an image, four fifths of what a chart cost. This page loads plotly.js once per process
and draws every chart of every document of a kernel in it (about 0.03 s an SVG); the PNG is that
SVG rasterised on a canvas of the same page, not a second plotly drawing.

plotly.js keeps small caches between drawings that only change the ORDER of attributes in its SVG;
:func:`canonical_svg` sorts them (XML C14N), so a chart drawn after others equals one drawn in a
fresh page, and a brief from a reused kernel equals one from a fresh kernel (tests/test_render.py).

Playwright's synchronous API refuses to run inside a running event loop, which is where a Jupyter
kernel executes cells: the page lives in a thread of its own, and :func:`chart_page` hands out the
process's one page, starting Chromium in the background on first use (:func:`start`), so a batch
kernel can launch it while it imports the rest of jixiao.
"""
from __future__ import annotations

import atexit
import base64
import queue
import re
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import Future
from importlib.util import find_spec
from pathlib import Path

from jixiao.config.environment import environment

CHROMIUM_PATH = str(environment().chromium)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-extensions",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "about:")
START_TIMEOUT_S = 60  # Chromium's start on a loaded two-core machine stays well under this
DRAW_TIMEOUT_S = 60  # one chart; a hung page fails that document, not the batch

# The figure JSON in, the SVG text out (plotly.js answers with a data: URL of the SVG).
SVG_JS = """async ([json, width, height]) => {
  const url = await Plotly.toImage(JSON.parse(json), {format: "svg", width, height});
  return decodeURIComponent(url.slice(url.indexOf(",") + 1));
}"""
# The SVG drawn on a canvas ``scale`` times its size: the PNG of exactly what the page shows.
PNG_JS = """async ([svg, width, height, scale]) => {
  const image = new Image();
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext("2d");
  context.fillStyle = "#FFFFFF";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL("image/png");
  return url.slice(url.indexOf(",") + 1);
}"""
EMPTY_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>'


def plotly_js() -> Path:
    """plotly.js as shipped inside the plotly package (offline; the version plotly.py was built for)."""
    return Path(find_spec("plotly").origin).parent / "package_data" / "plotly.min.js"


def local_only(route) -> None:
    """Nothing leaves the machine: requests to any host are refused."""
    if route.request.url.startswith(LOCAL_SCHEMES):
        route.continue_()
    else:
        route.abort()


def launch_chromium(playwright):
    """Debian's Chromium through Playwright (no browser download), the same flags everywhere."""
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)


class ChartPage:
    """A Chromium page with plotly.js, driven from one private thread; methods block until drawn."""

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._playwright = self._browser = self._page = None
        # daemon: a kernel that is killed must not wait for it; close() at exit stops Chromium first
        threading.Thread(target=self._serve, name="jixiao-chart-page", daemon=True).start()
        self._opened = self._submit(self._open)

    def _serve(self) -> None:
        """Run every Playwright call in this one thread (its sync API belongs to the thread that started it)."""
        for function, future in iter(self._tasks.get, None):
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function())
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)

    def _submit(self, function) -> Future:
        future: Future = Future()
        self._tasks.put((function, future))
        return future

    def _open(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = launch_chromium(self._playwright)
        self._page = self._browser.new_page()
        self._page.route("**/*", local_only)
        self._page.set_content(EMPTY_PAGE)
        self._page.add_script_tag(path=str(plotly_js()))

    def _evaluate(self, script: str, argument: list):
        self._opened.result(timeout=START_TIMEOUT_S)
        return self._submit(lambda: self._page.evaluate(script, argument)).result(timeout=DRAW_TIMEOUT_S)

    def svg(self, figure_json: str, width: int, height: int) -> str:
        """The chart as an SVG document (canonical attribute order)."""
        return canonical_svg(self._evaluate(SVG_JS, [figure_json, width, height]))

    def png(self, svg: str, width: int, height: int, scale: float) -> bytes:
        """``svg`` rasterised at ``scale`` pixels per SVG pixel."""
        return base64.b64decode(self._evaluate(PNG_JS, [svg, width, height, scale]))

    def close(self) -> None:
        def stop() -> None:
            try:
                if self._browser is not None:
                    self._browser.close()
            finally:
                if self._playwright is not None:
                    self._playwright.stop()

        try:
            self._submit(stop).result(timeout=START_TIMEOUT_S)
        finally:
            self._tasks.put(None)


_PAGE: ChartPage | None = None
_PAGE_LOCK = threading.Lock()


def start() -> ChartPage:
    """The process's chart page; Chromium starts in the background the first time (returns at once)."""
    global _PAGE
    with _PAGE_LOCK:
        if _PAGE is None:
            _PAGE = ChartPage()
            atexit.register(close)
        return _PAGE


def close() -> None:
    """Stop the process's chart page (a later chart starts a new one)."""
    global _PAGE
    with _PAGE_LOCK:
        page, _PAGE = _PAGE, None
    if page is not None:
        page.close()


def draw(action: str, *args):
    """``ChartPage.svg`` or ``.png`` on the process's page; a failed page is closed so the next chart
    starts a new one instead of failing too."""
    page = start()
    try:
        return getattr(page, action)(*args)
    except Exception:
        if _PAGE is page:
            close()
        raise


_XML_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*")


def canonical_svg(svg: str) -> str:
    """The SVG in XML canonical form: attributes sorted, so equal drawings give equal text."""
    return ET.canonicalize(_XML_PROLOG.sub("", svg))
