"""The brief batch: run the notebooks with papermill (they write HTML and .docx), print PDF through Chromium.

Why it is fast (docs/briefs.md): each worker process keeps ONE kernel (papermill ``km=``) with
its kaleido server and renders many briefs with it; the parent drives ONE headless Chromium that
prints each PDF while the workers run the next notebooks; charts are inline SVG, so a page prints
without parsing plotly.js. Two workers use both cores. A brief rendered this way equals one
rendered in a fresh kernel (tests/test_render.py). The 部门项目支出绩效运行监控情况表 workbooks are
written by the parent before the notebooks start.

Each notebook builds ONE document model and writes its HTML page and Word file
(jixiao.outputs.document); the PDF is that HTML printed. Files land in
``<out>/<year>-<month>/briefs/<safe name>.html|pdf|docx``; names are cleaned so a
department called ``../x`` cannot write outside that folder. One failing brief never stops the
batch: its reason is returned in :class:`BriefsResult`.
"""
from __future__ import annotations

import html
import io
import multiprocessing as mp
import os
import queue
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

from jixiao.config.settings import Settings, period_dir
from jixiao.outputs.brief import OVERVIEW_NAME, load_brief_data
from jixiao.outputs.chart_page import (  # noqa: F401 - CHROMIUM_* and LOCAL_SCHEMES are this module's API too
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    LOCAL_SCHEMES,
    launch_chromium,
    local_only,
)
from jixiao.outputs.safe import windows_safe

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENT_NOTEBOOK = "department_brief.ipynb"
OVERVIEW_NOTEBOOK = "county_report.ipynb"
FORMATS = ("html", "pdf", "docx")

MAX_HTML_BYTES = 2 * 1024 * 1024  # issue 5: a brief must stay under 2 MB
MAX_NAME_CHARS = 80  # well under the 255-byte file name limit for 3-byte CJK characters
VIEWPORT = {"width": 800, "height": 1100}  # the page width the charts are drawn for
PDF_MARGIN = {"top": "37mm", "bottom": "35mm", "left": "28mm", "right": "26mm"}  # GB/T 9704-2012 page
PAGE_LOAD_TIMEOUT_MS = 60_000
KERNEL_START_TIMEOUT_S = 60
# Run in each batch kernel right after it starts: Chromium for the charts launches in the background
# while the kernel imports what every brief needs.
WARM_UP_CODE = "from jixiao.outputs import chart_page\nchart_page.start()\nimport jixiao.outputs.brief"
WORKER_POLL_S = 1.0  # how often the batch checks that its workers are still alive

# Every image complete and every font loaded before printing: otherwise a chart can be cut.
WAIT_FOR_PAGE_JS = """async () => {
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
  return Array.from(document.images).every(img => img.naturalWidth > 0);
}"""


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class BriefJob:
    """One brief to render: which notebook, with which parameters, to which files."""
    name: str  # department name, or OVERVIEW_NAME
    notebook: Path
    parameters: dict
    outputs: dict  # format -> Path
    header: str  # the document's short name (department · period), its <title> fallback


@dataclass
class BriefOutcome:
    name: str
    written: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    page_path: Path | None = None  # the HTML page the PDF is printed from


@dataclass
class BriefsResult:
    """What a batch wrote and what failed (with the reason, in Chinese)."""
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[BriefOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        lines = [f"简报：写出 {len(self.written)} 个文件到 {self.out_dir}，用时 {self.seconds:.1f} 秒"]
        lines += [f"[失败] {name}：{reason}" for name, reason in self.failures]
        return "\n".join(lines)


# ---------------------------------------------------------------- safe names

_UNSAFE = re.compile(r"[^\w\u3000-\u303f\uff00-\uffef（）()·\-]+")


def safe_name(name: str) -> str:
    """A file name from a department name: no path separators, no dot-only names, bounded length.

    Letters of any script (Chinese included), digits, ``_``, ``-``, ``·`` and full-width
    punctuation stay; everything else (``/``, ``\\``, ``..``, ``:``, spaces, control
    characters) becomes ``_``.
    """
    cleaned = _UNSAFE.sub("_", str(name)).strip("._ ")
    return windows_safe(cleaned[:MAX_NAME_CHARS])  # CON, NUL, COM1… are devices on Windows


def assign_file_names(names: list[str]) -> list[str]:
    """Distinct safe file stems, one per position (``a/b`` and ``a_b`` must not overwrite each other)."""
    taken: set[str] = set()
    stems = []
    for name in names:
        stem = safe_name(name)
        candidate, counter = stem, 1
        while candidate.casefold() in taken:
            counter += 1
            candidate = f"{stem}_{counter}"
        taken.add(candidate.casefold())
        stems.append(candidate)
    return stems


def inside(folder: Path, path: Path) -> Path:
    """``path`` if it resolves inside ``folder``; a ValueError otherwise (last line of defence)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise ValueError(f"输出路径 {path} 不在 {folder} 之内")
    return resolved


def briefs_dir(out_dir: Path, year: int, month: int) -> Path:
    """reports/<year>-<month>/briefs/ (month zero-padded like the 汇总 folder, so folders sort by time)."""
    return period_dir(out_dir, year, month) / "briefs"


# ---------------------------------------------------------------- planning

def plan_jobs(data, out_dir: Path, departments: list[str], formats: tuple[str, ...], rules_path: Path | None,
              notebooks_dir: Path, include_overview: bool, templates: Path | None = None,
              settings: Settings | None = None) -> list[BriefJob]:
    """The county report first (the longest), then each department, with safe output paths."""
    from jixiao.outputs.brief import document_settings

    document = document_settings(settings or Settings())
    folder = briefs_dir(out_dir, data.year, data.month)
    entries = ([(OVERVIEW_NAME, True)] if include_overview else []) + [(name, False) for name in departments]
    stems = assign_file_names([name for name, _ in entries])
    common = {"processed_dir": str(data.processed_dir), "year": data.year, "month": data.month,
              "rules": str(rules_path) if rules_path else None}
    jobs = []
    for (name, is_overview), stem in zip(entries, stems):
        notebook = notebooks_dir / (OVERVIEW_NOTEBOOK if is_overview else DEPARTMENT_NOTEBOOK)
        parameters = dict(common) if is_overview else {**common, "department": name}
        outputs = {fmt: inside(Path(out_dir), folder / f"{stem}.{fmt}") for fmt in formats}
        written = {"html": str(outputs.get("html") or _print_page(outputs["pdf"]))} if {"html", "pdf"} & set(outputs) \
            else {}
        if "docx" in outputs:
            written["docx"] = str(outputs["docx"])
        parameters.update(outputs=written, templates=str(templates) if templates else None, settings=document)
        header = f"{name}　·　{data.period}绩效运行监控"
        jobs.append(BriefJob(name, notebook, parameters, outputs, header))
    return jobs


# ---------------------------------------------------------------- one worker's tools

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


def execution_error(exc: BaseException) -> str:
    """A short Chinese reason from a papermill or rendering error (the notebook's own message first)."""
    evalue = getattr(exc, "evalue", None)
    ename = getattr(exc, "ename", None)
    if evalue is not None:
        return f"笔记本运行出错（{ename}）：{evalue}"
    return f"{type(exc).__name__}：{exc}"


# 公文 page numbers: "— 1 —" in 四号 (14pt) at the bottom; no header (the date is the 成文日期 in the text).
FOOTER_TEMPLATE = ('<div style="font-family:\'Noto Serif CJK SC\',serif;font-size:14pt;color:#000;width:100%;'
                   'text-align:center;margin-bottom:18mm">— <span class="pageNumber"></span> —</div>')
HEADER_TEMPLATE = "<div></div>"


class PdfPrinter:
    """One headless Chromium (Debian's, through Playwright) and ONE page for many PDFs.

    Reusing the page saves a renderer process start for every brief (about 0.2 s); a page that
    failed is dropped and the next brief gets a new one.
    """

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._browser = launch_chromium(self._playwright)
        except Exception:
            self._playwright.stop()
            raise
        self._page = None

    def _ready_page(self):
        if self._page is None or self._page.is_closed():
            self._page = self._browser.new_page(viewport=VIEWPORT)
            self._page.route("**/*", local_only)
            self._page.emulate_media(media="print")
        return self._page

    def print_pdf(self, html_path: Path, pdf_path: Path, header: str) -> None:
        page = self._ready_page()
        try:
            page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=PAGE_LOAD_TIMEOUT_MS)
            if not page.evaluate(WAIT_FOR_PAGE_JS):
                raise RuntimeError("有图表未能显示")
            page.pdf(path=str(pdf_path), format="A4", print_background=True, display_header_footer=True,
                     header_template=HEADER_TEMPLATE, footer_template=FOOTER_TEMPLATE, margin=PDF_MARGIN)
        except Exception:
            page.close()
            raise
        set_pdf_metadata(pdf_path, page_metadata(html_path.read_text(encoding="utf-8")))

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()


_META = re.compile(r'<meta name="([^"]+)" content="([^"]*)">')
_TITLE = re.compile(r"<title>([^<]*)</title>")


def page_metadata(page: str) -> dict[str, str]:
    """The document's metadata from its HTML head (<title> and the jixiao <meta> tags)."""
    meta = {name: html.unescape(value) for name, value in _META.findall(page.split("</head>")[0])}
    title = _TITLE.search(page)
    if title:
        meta["title"] = html.unescape(title.group(1))
    return meta


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


class BriefRenderer:
    """A kernel reused for every brief of one worker (PDFs are printed by the batch)."""

    def __init__(self, cwd: Path | None = None) -> None:
        self.cwd = cwd or ROOT
        self.km = None
        self._socket_dir: str | None = None

    def __enter__(self) -> BriefRenderer:
        self._start_kernel()
        import papermill  # noqa: F401 - imported while the kernel boots, not when the first brief waits for it

        self.warm_up()
        return self

    def __exit__(self, *exc) -> None:
        if self.km is not None:  # a clean shutdown lets the kernel close its chart page's Chromium
            self.km.shutdown_kernel(now=False)
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    def _start_kernel(self) -> None:
        from jupyter_client.manager import KernelManager

        # IPC sockets in a private folder: local only, and no "TCP without encryption" warning.
        self._socket_dir = self._socket_dir or tempfile.mkdtemp(prefix="jixiao-kernel-")
        self.km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(self._socket_dir) / "kernel"))
        self.km.start_kernel(cwd=str(self.cwd))

    def warm_up(self) -> None:
        """Start the kernel's chart page (Chromium) and import jixiao while the batch starts its other parts.

        Nothing it does shows in a brief: a brief from a warmed kernel equals one from a fresh kernel.
        """
        client = self.km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=KERNEL_START_TIMEOUT_S)
            client.execute_interactive(WARM_UP_CODE, store_history=False, timeout=KERNEL_START_TIMEOUT_S,
                                       output_hook=lambda message: None)
        finally:
            client.stop_channels()

    def render(self, job: BriefJob) -> BriefOutcome:
        """Execute the notebook; it writes the HTML page (final, or to print from) and the .docx."""
        started = time.perf_counter()
        outcome = BriefOutcome(job.name)
        try:
            self.execute(job)
            written = job.parameters.get("outputs") or {}
            if "html" in written:
                outcome.page_path = Path(written["html"])
                check_page(outcome.page_path.read_text(encoding="utf-8"))
                if "html" in job.outputs:
                    outcome.written.append(outcome.page_path)
            if "docx" in written:
                outcome.written.append(Path(written["docx"]))
        except Exception as exc:  # one brief's failure is reported, never raised
            outcome.error = execution_error(exc)
            if not self.km.is_alive():
                self._start_kernel()
                self.warm_up()
        outcome.seconds = time.perf_counter() - started
        return outcome

    def execute(self, job: BriefJob):
        import papermill

        return papermill.execute_notebook(str(job.notebook), None, parameters=job.parameters, km=self.km,
                                          progress_bar=False, log_output=False,
                                          request_save_on_cell_execute=False,
                                          start_timeout=KERNEL_START_TIMEOUT_S)


def print_outcome(printer: PdfPrinter, job: BriefJob, outcome: BriefOutcome) -> BriefOutcome:
    """Print the PDF of a rendered brief (in the batch's process, one browser for all PDFs)."""
    if outcome.error or "pdf" not in job.outputs:
        return outcome
    started = time.perf_counter()
    pdf = job.outputs["pdf"]
    try:
        printer.print_pdf(outcome.page_path, _partial(pdf), job.header)
        _partial(pdf).replace(pdf)
        outcome.written.append(pdf)
    except Exception as exc:
        outcome.error = f"PDF 打印失败：{execution_error(exc)}"
    finally:
        if "html" not in job.outputs:
            outcome.page_path.unlink(missing_ok=True)
    outcome.seconds += time.perf_counter() - started
    return outcome


def _print_page(pdf: Path) -> Path:
    return pdf.with_name(pdf.name + ".print.html")


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _write_text(path: Path, content: str) -> None:
    """Write through a temporary file, so a reader never sees half a brief."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _partial(path)
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


# ---------------------------------------------------------------- the batch

def _worker(tasks, results) -> None:
    """Worker process: render jobs from ``tasks`` until the ``None`` sentinel."""
    try:
        with BriefRenderer() as renderer:
            for index, job in iter(tasks.get, None):
                results.put(("started", index, os.getpid()))
                results.put(("done", index, renderer.render(job)))
    except Exception:  # start-up failed (no kernel, no browser): the batch reports it
        results.put(("crashed", None, traceback.format_exc(limit=3)))


def installed_notebooks(root: Path = ROOT, prefix: Path = Path(sys.prefix)) -> Path:
    """The brief notebooks: notebooks/ of a checkout (editable install), else the copy pip installs
    under <prefix>/share/jixiao/notebooks (pyproject data-files)."""
    for candidate in (root / "notebooks", prefix / "share" / "jixiao" / "notebooks"):
        if (candidate / DEPARTMENT_NOTEBOOK).is_file():
            return candidate
    raise FileNotFoundError(f"找不到简报笔记本 {DEPARTMENT_NOTEBOOK}（应在 {root / 'notebooks'}）")


def run_briefs(processed_dir, out_dir, departments=None, formats=FORMATS, jobs: int = 2, rules_path=None,
               settings: Settings | None = None, progress: bool = True, include_overview: bool = True,
               notebooks_dir: Path | None = None) -> BriefsResult:
    """Render the department briefs (all, or those named) and the county overview.

    Returns the written files and the failures with their reasons; never raises for one brief.
    """
    started = time.perf_counter()
    formats = tuple(fmt for fmt in FORMATS if fmt in formats)
    if not formats:
        raise ValueError(f"格式只能是 {', '.join(FORMATS)}")
    data = load_brief_data(processed_dir, rules_path, settings=settings)
    known = data.departments()
    wanted = list(known) if departments is None else list(dict.fromkeys(departments))
    result = BriefsResult(briefs_dir(Path(out_dir), data.year, data.month))
    result.failures += [(name, "数据中没有这个主管部门") for name in wanted if name not in known]
    wanted = [name for name in wanted if name in known]
    plan = plan_jobs(data, Path(out_dir), wanted, formats, Path(rules_path) if rules_path else None,
                     Path(notebooks_dir) if notebooks_dir else installed_notebooks(), include_overview,
                     settings.paths.templates if settings else None, settings)
    forms = partial(_write_situation_forms, data, Path(out_dir), wanted, result)  # while the kernels start
    for outcome in _render_all(plan, formats, jobs, progress, meanwhile=forms):
        result.outcomes.append(outcome)
        result.written += outcome.written
        if outcome.error:
            result.failures.append((outcome.name, outcome.error))
    result.seconds = time.perf_counter() - started
    return result


def _write_situation_forms(data, out_dir: Path, departments: list[str], result: BriefsResult) -> None:
    """《部门项目支出绩效运行监控情况表》 per department, beside the briefs (<period>/情况表/)."""
    from jixiao.outputs.situation_form import write_forms

    try:
        result.written += write_forms(data, departments, period_dir(out_dir, data.year, data.month) / "情况表",
                                      assign_file_names(departments))
    except Exception as exc:  # noqa: BLE001 - the briefs still go out; the reason is reported
        result.failures.append(("监控情况表", f"{type(exc).__name__}：{exc}"))


def _render_all(plan: list[BriefJob], formats: tuple[str, ...], jobs: int, progress: bool,
                meanwhile=lambda: None) -> list[BriefOutcome]:
    """Every brief of ``plan``; ``meanwhile`` runs in this process once the workers and the browser are starting."""
    if not plan:
        meanwhile()
        return []
    workers = max(1, min(jobs or os.cpu_count() or 1, len(plan)))
    # fork: no re-import of the caller's main module (a script without a __main__ guard still works);
    # the parent has started no kernel, browser or thread yet, so nothing unsafe is inherited.
    context = mp.get_context("fork")
    tasks, results = context.Queue(), context.Queue()
    for index, job in enumerate(plan):
        tasks.put((index, job))
    for _ in range(workers):
        tasks.put(None)
    processes = [context.Process(target=_worker, args=(tasks, results), daemon=True) for _ in range(workers)]
    for process in processes:
        process.start()
    # The browser starts while the workers start their kernels; it prints while they execute the next brief.
    printer = PdfPrinter() if "pdf" in formats else None
    try:
        meanwhile()
        return _collect(plan, processes, results, printer, progress)
    finally:
        if printer is not None:
            printer.close()
        for process in processes:
            process.join(timeout=KERNEL_START_TIMEOUT_S)
            if process.is_alive():
                process.terminate()


def _collect(plan, processes, results, printer, progress: bool) -> list[BriefOutcome]:
    """Outcomes in plan order; briefs lost with a crashed worker are reported as failures."""
    from tqdm import tqdm

    outcomes: dict[int, BriefOutcome] = {}
    running: dict[int, int] = {}  # pid -> job index
    crash = ""
    bar = tqdm(total=len(plan), desc="简报", unit="份", disable=not progress)
    while len(outcomes) < len(plan):
        try:
            kind, index, payload = results.get(timeout=WORKER_POLL_S)
        except queue.Empty:
            if not any(process.is_alive() for process in processes):
                break
            for process in processes:
                if not process.is_alive() and process.pid in running:
                    lost = running.pop(process.pid)
                    outcomes[lost] = BriefOutcome(plan[lost].name, error="渲染进程意外退出")
                    bar.update(1)
            continue
        if kind == "started":
            running[payload] = index
        elif kind == "done":
            outcomes[index] = print_outcome(printer, plan[index], payload) if printer else payload
            running = {pid: i for pid, i in running.items() if i != index}
            bar.update(1)
        else:
            crash = payload.strip().splitlines()[-1]
    bar.close()
    reason = f"渲染进程无法启动：{crash}" if crash else "渲染进程意外退出"
    return [outcomes.get(i) or BriefOutcome(job.name, error=reason) for i, job in enumerate(plan)]


def render_fresh(job: BriefJob, page_path: Path) -> str:
    """One brief's HTML from a kernel of its own (the reference for the batch's equality test)."""
    import papermill

    parameters = {**job.parameters, "outputs": {"html": str(page_path)}}
    papermill.execute_notebook(str(job.notebook), None, parameters=parameters, progress_bar=False,
                               request_save_on_cell_execute=False, cwd=str(ROOT))
    return page_path.read_text(encoding="utf-8")


_RUN_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def normalised_html(page: str) -> str:
    """A brief without its run time: what must be equal between two renders of the same data."""
    return _RUN_TIME.sub("", page)



# ---------------------------------------------------------------- command line
