"""The brief batch: run the notebooks with papermill; each writes its HTML page, PDF and Word file.

Why it is fast (docs/briefs.md): each worker process keeps ONE kernel (papermill ``km=``) and renders
many briefs with it; right after it starts, the kernel launches its ONE headless Chromium in the
background (jixiao.outputs.chromium: a page that keeps plotly.js for the charts, a page that prints)
while it imports jixiao, and the parent writes the 部门项目支出绩效运行监控情况表 workbooks meanwhile.
Two workers use both cores, each drawing, writing and printing its own briefs, so no stage waits for
another process. A brief rendered this way equals one rendered in a fresh kernel (tests/test_render.py).

Each notebook builds ONE document model and writes its HTML page, the PDF printed from that page and
the Word file (jixiao.outputs.document). Files land in
``<out>/<year>-<month>/briefs/<safe name>.html|pdf|docx``; names are cleaned so a
department called ``../x`` cannot write outside that folder. One failing brief never stops the
batch: its reason is returned in :class:`BriefsResult`.
"""
from __future__ import annotations

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
from pathlib import Path

from jixiao.config.settings import Settings, period_dir
from jixiao.outputs.brief import OVERVIEW_NAME, load_brief_data
from jixiao.outputs.safe import windows_safe

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENT_NOTEBOOK = "department_brief.ipynb"
OVERVIEW_NOTEBOOK = "county_report.ipynb"
FORMATS = ("html", "pdf", "docx")

MAX_NAME_CHARS = 80  # well under the 255-byte file name limit for 3-byte CJK characters
KERNEL_START_TIMEOUT_S = 60
# Run in each batch kernel right after it starts: Chromium for the charts launches in the background
# while the kernel imports what every brief needs.
WARM_UP_CODE = "from jixiao.outputs import chromium\nchromium.start()\nimport jixiao.outputs.brief"
WORKER_POLL_S = 1.0  # how often the batch checks that its workers are still alive

# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class BriefJob:
    """One brief to render: which notebook, with which parameters, to which files."""
    name: str  # department name, or OVERVIEW_NAME
    notebook: Path
    parameters: dict
    outputs: dict  # format -> Path


@dataclass
class BriefOutcome:
    name: str
    written: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


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
        parameters.update(outputs={fmt: str(path) for fmt, path in outputs.items()},
                          templates=str(templates) if templates else None, settings=document)
        jobs.append(BriefJob(name, notebook, parameters, outputs))
    return jobs


# ---------------------------------------------------------------- one worker's tools

def execution_error(exc: BaseException) -> str:
    """A short Chinese reason from a papermill or rendering error (the notebook's own message first)."""
    evalue = getattr(exc, "evalue", None)
    ename = getattr(exc, "ename", None)
    if evalue is not None:
        return f"笔记本运行出错（{ename}）：{evalue}"
    return f"{type(exc).__name__}：{exc}"


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
        """Execute the notebook; it checks the page and writes the HTML, the PDF and the .docx."""
        started = time.perf_counter()
        outcome = BriefOutcome(job.name)
        try:
            self.execute(job)
            outcome.written += [path for path in job.outputs.values() if path.is_file()]
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


# ---------------------------------------------------------------- the batch

def _worker(tasks, results) -> None:
    """Worker process: render jobs from ``tasks`` until the ``None`` sentinel."""
    skip_iri_grammar()
    forget_parent_task_runners()
    try:
        with BriefRenderer() as renderer:
            for index, job in iter(tasks.get, None):
                results.put(("started", index, os.getpid()))
                results.put(("done", index, renderer.render(job)))
    except Exception:  # start-up failed (no kernel, no browser): the batch reports it
        results.put(("crashed", None, traceback.format_exc(limit=3)))


def skip_iri_grammar() -> None:
    """papermill → nbformat → jsonschema imports rfc3987_syntax, which builds a Lark grammar for the "iri"
    format at import: 1.5 s of CPU in every worker (half of papermill's import). Notebook validation never
    checks that format, and jsonschema skips it when the module cannot be imported; only this process."""
    sys.modules.setdefault("rfc3987_syntax", None)


def forget_parent_task_runners() -> None:
    """A forked worker inherits jupyter_core's per-thread task runners from a parent that already ran a
    notebook (``render_fresh``, a benchmark): their threads did not survive the fork, and papermill would
    wait on them forever. The worker starts with none; its own are made when needed."""
    from jupyter_core import utils

    getattr(utils, "_runner_map", {}).clear()


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
    for outcome in _render_all(plan, jobs, progress, meanwhile=forms):
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


def _render_all(plan: list[BriefJob], jobs: int, progress: bool, meanwhile=lambda: None) -> list[BriefOutcome]:
    """Every brief of ``plan``; ``meanwhile`` runs in this process while the workers start their kernels."""
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
    try:
        meanwhile()
        return _collect(plan, processes, results, progress)
    finally:
        for process in processes:
            process.join(timeout=KERNEL_START_TIMEOUT_S)
            if process.is_alive():
                process.terminate()


def _collect(plan, processes, results, progress: bool) -> list[BriefOutcome]:
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
            outcomes[index] = payload
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
