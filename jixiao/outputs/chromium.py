"""The process's ONE headless Chromium: a page that keeps plotly.js for the charts, a page that prints PDFs.

A brief has two charts, the county report three; each is needed as SVG (HTML and PDF: real text)
and as PNG (Word), and the whole page is printed to PDF. kaleido reloads its page, and so parses
plotly.js again, after every image (about 0.2 s of CPU an image, four fifths of what a chart cost);
a new browser page for every PDF starts a renderer process. Here plotly.js is loaded once per process
and draws every chart of every document a kernel writes (about 0.05 s an SVG); the PNG is that SVG
rasterised on a canvas of the same page, not a second plotly drawing; the print page is reused too.

plotly.js keeps small caches between drawings that only change the ORDER of attributes in its SVG;
:func:`canonical_svg` sorts them (XML C14N), so a chart drawn after others equals one drawn in a
fresh page, and a brief from a reused kernel equals one from a fresh kernel (tests/test_render.py).

Playwright's synchronous API refuses to run inside a running event loop, which is where a Jupyter
kernel executes cells: the browser lives in a thread of its own. :func:`start` launches it in the
background (a batch kernel does so while it imports the rest of jixiao); :func:`call` waits for it.
Nothing the pages load may leave the machine (:func:`local_only`).
"""
from __future__ import annotations

import atexit
import base64
import hashlib
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
PLOTLY_UID_CHARS = 6  # as long as plotly.js's own random uids
LOCAL_SCHEMES = ("file:", "data:", "about:")
START_TIMEOUT_S = 60  # Chromium's start on a loaded two-core machine stays well under this
CALL_TIMEOUT_S = 120  # one chart or one PDF; a hung page fails that document, not the batch
PAGE_LOAD_TIMEOUT_MS = 60_000

# ---------------------------------------------------------------- printing (GB/T 9704-2012 page)

VIEWPORT = {"width": 800, "height": 1100}  # the page width the charts are drawn for
PDF_MARGIN = {"top": "37mm", "bottom": "35mm", "left": "28mm", "right": "26mm"}
# 公文 page numbers: "— 1 —" in 四号 (14pt) at the bottom; no header (the date is the 成文日期 in the text).
FOOTER_TEMPLATE = ('<div style="font-family:\'Noto Serif CJK SC\',serif;font-size:14pt;color:#000;width:100%;'
                   'text-align:center;margin-bottom:18mm">— <span class="pageNumber"></span> —</div>')
HEADER_TEMPLATE = "<div></div>"
# Every image complete and every font loaded before printing: otherwise a chart can be cut.
WAIT_FOR_PAGE_JS = """async () => {
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
  return Array.from(document.images).every(img => img.naturalWidth > 0);
}"""

# ---------------------------------------------------------------- charts

# The figure JSON in, the SVG text out (plotly.js answers with a data: URL of the SVG).
SVG_JS = """async ([json, width, height]) => {
  const url = await Plotly.toImage(JSON.parse(json), {format: "svg", width, height});
  return decodeURIComponent(url.slice(url.indexOf(",") + 1));
}"""
# The SVG drawn on a white canvas ``scale`` times its size: the PNG of exactly what the page shows.
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


class Chromium:
    """A browser driven from one private thread; every method blocks until its page has answered.

    The chart page and the print page are opened on first use and kept; a page that failed is
    closed, and the next call opens a new one.
    """

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._playwright = self._browser = None
        self._pages: dict = {}
        self.broken = False  # Chromium did not start or went away: the next document needs a new one
        # daemon: a kernel that is killed must not wait for it; close() at exit stops Chromium first
        threading.Thread(target=self._serve, name="jixiao-chromium", daemon=True).start()
        self._started = self._submit(self._start)

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

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = launch_chromium(self._playwright)
        self._page("charts")  # plotly.js parses while the caller is still busy elsewhere

    def _page(self, kind: str):
        page = self._pages.get(kind)
        if page is None or page.is_closed():
            page = self._browser.new_page(viewport=VIEWPORT)
            page.route("**/*", local_only)
            if kind == "charts":
                page.set_content(EMPTY_PAGE)
                page.add_script_tag(path=str(plotly_js()))
            else:
                page.emulate_media(media="print")
            self._pages[kind] = page
        return page

    def _run(self, kind: str, action):
        """``action(page)`` in the browser's thread; the page is dropped if it fails."""
        def task():
            if not self._browser.is_connected():
                raise RuntimeError("Chromium 已退出")
            page = self._page(kind)
            try:
                return action(page)
            except Exception:
                page.close()
                raise

        try:
            self._started.result(timeout=START_TIMEOUT_S)
            return self._submit(task).result(timeout=CALL_TIMEOUT_S)
        except Exception as exc:  # a hung page holds the thread; a failed start or a gone browser stays so
            self.broken = isinstance(exc, TimeoutError) or self._started.exception() is not None \
                or not self._submit(self._browser.is_connected).result(timeout=START_TIMEOUT_S)
            raise

    def svg(self, figure_json: str, width: int, height: int) -> str:
        """The chart as an SVG document (canonical attribute order)."""
        return canonical_svg(self._run("charts", lambda page: page.evaluate(SVG_JS, [figure_json, width, height])))

    def png(self, svg: str, width: int, height: int, scale: float) -> bytes:
        """``svg`` rasterised at ``scale`` pixels per SVG pixel."""
        return base64.b64decode(self._run("charts", lambda page: page.evaluate(PNG_JS, [svg, width, height, scale])))

    def pdf(self, html: str, path: Path) -> None:
        """The page ``html`` printed to ``path``: A4, 公文 margins, "— 1 —" page numbers."""
        def print_page(page) -> None:
            page.set_content(html, wait_until="load", timeout=PAGE_LOAD_TIMEOUT_MS)
            if not page.evaluate(WAIT_FOR_PAGE_JS):
                raise RuntimeError("有图表未能显示")
            page.pdf(path=str(path), format="A4", print_background=True, display_header_footer=True,
                     header_template=HEADER_TEMPLATE, footer_template=FOOTER_TEMPLATE, margin=PDF_MARGIN)

        self._run("print", print_page)

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


_BROWSER: Chromium | None = None
_LOCK = threading.Lock()


def start() -> Chromium:
    """The process's browser; it starts in the background the first time (this returns at once)."""
    global _BROWSER
    with _LOCK:
        if _BROWSER is None:
            _BROWSER = Chromium()
            atexit.register(close)
        return _BROWSER


def close() -> None:
    """Stop the process's browser (a later call starts a new one)."""
    global _BROWSER
    with _LOCK:
        browser, _BROWSER = _BROWSER, None
    if browser is not None:
        browser.close()


def call(action: str, *args):
    """``Chromium.svg``, ``.png`` or ``.pdf`` on the process's browser; a browser that cannot answer
    any more is closed, so the next document starts a new one instead of failing too."""
    browser = start()
    try:
        return getattr(browser, action)(*args)
    except Exception:
        if browser.broken and browser is _BROWSER:
            close()
        raise


_XML_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*")


def canonical_svg(svg: str) -> str:
    """The SVG in XML canonical form: attributes sorted, so equal drawings give equal text."""
    return ET.canonicalize(_XML_PROLOG.sub("", svg))


# ---------------------------------------------------------------- plotly figures as SVG

def draw_svg(figure, width: int, height: int, seed: str) -> str:
    """``figure`` drawn by plotly.js in the process's browser: an SVG document, the same text on every run
    (attributes in canonical order, plotly's random ids replaced by ones derived from ``seed``)."""
    return stable_svg(call("svg", figure_json(figure, seed), width, height), seed)


def figure_json(fig, seed: str) -> str:
    """The figure for plotly.js, every trace with a uid derived from ``seed``: plotly.js would name each
    trace's SVG group by a random one (plotly.py drops uids from to_dict, so they are set here)."""
    from plotly.io.json import to_json_plotly

    spec = fig.to_dict()
    stable = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:PLOTLY_UID_CHARS]
    for number, trace in enumerate(spec.get("data", [])):
        trace.setdefault("uid", f"{stable}{number}")
    return to_json_plotly(spec)


_PLOTLY_UID = re.compile(r'id="defs-([0-9a-f]+)"')


def stable_svg(svg: str, seed: str) -> str:
    """Replace plotly's random per-figure uid by one derived from the figure, so reruns are identical."""
    match = _PLOTLY_UID.search(svg)
    if not match:
        return svg
    stable = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:len(match.group(1))]
    return svg.replace(match.group(1), stable)
