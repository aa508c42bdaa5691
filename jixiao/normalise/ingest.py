"""Ingest stage: a folder of submitted workbooks -> tidy tables (Parquet).

Every input file is accounted for in ``submissions`` with its status and a Chinese
reason; one bad file never stops the batch. Raw files are only read, never
written. When two submissions carry the same project (same 实施单位 and 项目名称),
the later one (modification time, then path) wins and both files get a finding.
"""
from __future__ import annotations

import datetime as dt
import faulthandler
import hashlib
import math
import multiprocessing
import os
import resource
import stat as stat_mod
import sys
import time
import traceback
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jixiao.config.settings import Settings
from jixiao.domain.findings import Finding, finding
from jixiao.domain.vocabulary import DEMO_MARKER
from jixiao.normalise import documents as D
from jixiao.normalise import values as V
from jixiao.normalise.layout import ParsedProject, SheetReader
from jixiao.read.workbook import ReadLimits, UnreadableWorkbook, kind_name, read_workbook, sniff
from jixiao.store import schema
from jixiao.store.tables import PRODUCERS, remove_downstream, write_tables

# The suffixes that are read (the real type is then decided by content): spreadsheets in every format units
# send, and the documents (written reports) sent with them. The one list to extend for new formats.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et", ".ett", ".csv", ".tsv", ".htm", ".html",
                     ".mht", ".mhtml", ".xml", ".docx", ".doc", ".wps", ".pdf", ".rtf", ".odt")
EXTENSIONS = set(WORKBOOK_SUFFIXES)
# A worker that died or ran out of time: the file's structure is abnormal (never the clerk's wording fault).
WORKER_FAILED = "文件结构异常，读取超时或占用内存过大（已超过每个文件 {seconds:g} 秒、{megabytes} MB 的上限），请另存为新的 .xlsx 后重新报送。"
WORKER_DIED = "文件结构异常，读取程序异常退出（可能占用内存过大），请另存为新的 .xlsx 后重新报送。"
TASKS_PER_WORKER = 25  # a fresh worker now and then: memory of one file never carries over for long
# Amount fields of a project (万元) checked for plausibility; fund rows carry budget/executed/expected.
PROJECT_AMOUNTS = ("budget_total", "budget_fiscal", "budget_carryover", "budget_other", "executed_total",
                   "expected_total")
FUND_AMOUNTS = ("budget", "executed", "expected")
INDICATOR_NUMBERS = ("target_value", "target_value_max", "actual_value", "expected_value")


@dataclass
class FileResult:
    source_file: str
    sha256: str
    size_bytes: int
    modified: float
    file_type: str | None = None
    status: str = "ok"
    reason: str = ""
    projects: list[ParsedProject] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    n_replaced: int = 0
    raw_name: str | None = None  # the path's bytes (hex) when they are not valid UTF-8
    seconds: float = 0.0         # reading time in the worker
    peak_mb: float = 0.0         # the worker's peak resident memory after reading
    document: dict | None = None  # a written report (not a table): its ``documents`` row


@dataclass(frozen=True)
class Entry:
    """One entry under the input folder: read when ``skip`` is None, else listed with that reason."""

    path: Path
    name: str                    # relative path as shown (valid UTF-8)
    raw_name: str | None = None  # hex of the relative path's bytes when they are not UTF-8
    skip: str | None = None


def discover(raw_dir: Path) -> list[Path]:
    """Every workbook under ``raw_dir`` (recursively) that is read; see :func:`discover_entries` for all."""
    return [entry.path for entry in discover_entries(raw_dir) if entry.skip is None]


def discover_entries(raw_dir: Path) -> list[Entry]:
    """Every entry under ``raw_dir``, once, sorted: workbooks to read, everything else with a reason.

    Links are never followed (a link could lead outside the folder or to a file read twice),
    special files (FIFOs, devices) are never opened, and directories are entered but a
    directory named like a workbook is listed too, so a clerk sees why nothing was read.
    """
    root = Path(raw_dir)
    entries: list[Entry] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda e: os.fsencode(e.name))
        except OSError:
            if folder != root:
                entries.append(_entry(root, Path(folder), "文件夹无法打开（没有权限或已被删除），其中的文件未读取。"))
                continue
            raise
        for child in children:
            path = Path(child.path)
            if child.is_symlink():
                entries.append(_entry(root, path, "这是一个快捷方式（符号链接），为安全起见不跟随读取。请把文件本身放入报送文件夹。"))
            elif child.is_dir(follow_symlinks=False):
                pending.append(path)
                if _looks_like_workbook(child.name):
                    entries.append(_entry(root, path, "这是一个文件夹（名称像 Excel 文件），不是工作簿；其中的文件另行列出。"))
            elif not child.is_file(follow_symlinks=False):
                entries.append(_entry(root, path, "这不是普通文件（管道、设备等特殊文件），未读取。"))
            elif child.name == DEMO_MARKER and folder == root:
                continue  # jixiao's own list of the demo files, not a submission
            elif child.name.startswith("~$"):
                entries.append(_entry(root, path, "这是 Office 打开文件时留下的临时锁定文件（~$ 开头），不是报送文件，未读取。"))
            elif not _looks_like_workbook(child.name):
                suffix = Path(child.name).suffix or "（无扩展名）"
                entries.append(_entry(root, path, f"不是 Excel 工作簿（扩展名 {suffix}），未读取。"))
            else:
                entries.append(_entry(root, path, None))
    return sorted(entries, key=lambda e: (e.name, e.raw_name or ""))


def _looks_like_workbook(name: str) -> bool:
    return name.lower().endswith(WORKBOOK_SUFFIXES)


def _entry(root: Path, path: Path, skip: str | None) -> Entry:
    name, raw_name = display_name(path.relative_to(root))
    return Entry(path, name, raw_name, skip)


def display_name(relative: Path) -> tuple[str, str | None]:
    """(name shown, hex of the raw bytes or None): UTF-8 as is, else GBK (Windows zips), else replaced."""
    raw = os.fsencode(relative)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), raw.hex()
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), raw.hex()


def project_id(unit_name: str | None, dept_name: str | None, project_name: str | None) -> str:
    key = f"{V.normalize(unit_name or dept_name)}|{V.normalize(project_name)}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_submission(path: Path, root: Path, settings: Settings, entry: Entry | None = None) -> FileResult:
    """Read one file into projects and findings; never raises (run it in a worker: native readers can abort)."""
    started = time.perf_counter()
    result = _base_result(entry or _entry(Path(root), Path(path), None))
    try:
        limits = ReadLimits.from_settings(settings)
        result.file_type = sniff(path, limits)
        grids = read_workbook(path, limits, kind=result.file_type)
    except UnreadableWorkbook as exc:
        result.file_type = result.file_type or exc.kind
        if exc.kind in D.DOCUMENT_KINDS:
            result.file_type = exc.kind  # also when the reader, not the sniff, found the document
            result.document = D.describe(path, exc.kind, result.source_file)
            return _failed(result, _document_reason(result.document))
        return _failed(result, exc.reason)
    except MemoryError:
        return _failed(result, WORKER_DIED)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the batch
        traceback.print_exc(file=sys.stderr)
        return _failed(result, f"读取文件时发生程序错误（{type(exc).__name__}），请把该文件转交技术人员。")
    _note_extension(result, path)
    form_sheets, other_forms = _read_sheets(grids, settings, result)
    result.seconds = time.perf_counter() - started
    if not any(grid.cells for grid in grids):
        return _failed(result, "工作簿是空的，没有填写任何内容。")
    if form_sheets == 0 and other_forms:
        return _failed(result, _other_form_reason(other_forms))
    if form_sheets == 0:
        return _failed(result, "未在任何工作表中找到《项目支出绩效目标执行监控表》（缺少“项目名称”“三级指标”“年度指标值”等表头），"
                               "该文件可能不是监控表。")
    check_amounts(result, settings.amount_ceiling)
    return _settle_status(result)


def _base_result(entry: Entry) -> FileResult:
    """File name, size, time and hash; the hash only for regular files (never open a FIFO or follow a link)."""
    info = os.lstat(entry.path)
    regular = stat_mod.S_ISREG(info.st_mode)
    return FileResult(source_file=entry.name, sha256=_sha256(entry.path) if regular else None,
                      size_bytes=info.st_size if regular else None, modified=info.st_mtime, raw_name=entry.raw_name)


def skipped_result(entry: Entry) -> FileResult:
    result = _base_result(entry)
    result.status, result.reason = "skipped", entry.skip
    result.findings = [finding("ENTRY_SKIPPED", None, None, entry.skip)]
    return result


def check_amounts(result: FileResult, ceiling: float) -> None:
    """Non-finite, negative or absurdly large amounts become findings and are left out (never inf/NaN in totals)."""
    for project in result.projects:
        for record in project.funds:
            for role in FUND_AMOUNTS:
                problem = implausible_amount(record.get(role), ceiling)
                if problem:
                    project.findings.append(finding("AMOUNT_IMPLAUSIBLE", project.sheet, record.get(f"{role}_cell"),
                                                    f"金额“{record.get(f'{role}_text')}”{problem}，不计入合计。请核实后按万元填写。"))
                    record[role] = None
        for name in PROJECT_AMOUNTS:
            if implausible_amount(project.fields.get(name), ceiling):
                project.fields[name] = None
        for record in project.indicators:
            for name in INDICATOR_NUMBERS:
                value = record.get(name)
                if isinstance(value, float) and not math.isfinite(value):
                    record[name] = None


def implausible_amount(value, ceiling: float) -> str | None:
    """Why a 万元 amount cannot be right, or None."""
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    if not math.isfinite(value):
        return "不是有效数字（无穷大或非数值）"
    if value < 0:
        return "为负数"
    if value > ceiling:
        return f"超过 {ceiling:,.0f} 万元的合理上限"
    return None


# Extensions that truthfully name each sniffed format (anything else gets an EXTENSION_MISMATCH note).
HONEST_EXTENSIONS = {"xlsx": {"xlsx"}, "xlsm": {"xlsm"}, "xls": {"xls"}, "et": {"et", "ett"}, "xlsb": {"xlsb"},
                     "ods": {"ods"}, "csv": {"csv", "tsv", "txt"}, "xls-html": {"htm", "html"},
                     "xls-mht": {"mht", "mhtml"}, "xls-xml": {"xml"}}
FORMAT_NAMES = {"xlsx": "xlsx 工作簿", "xlsm": "xlsm 工作簿（含宏）", "xls": "xls 工作簿", "et": "WPS 表格（.et）",
                "xlsb": "Excel 二进制工作簿（.xlsb）", "ods": "ODS 表格", "csv": "CSV 文本表格",
                "xls-html": "网页（HTML）表格", "xls-mht": "单个文件网页（MHT）", "xls-xml": "Excel 2003 XML 表格"}


def _note_extension(result: FileResult, path: Path) -> None:
    ext = path.suffix.lower().lstrip(".")
    honest = HONEST_EXTENSIONS.get(result.file_type or "", set())
    if ext not in honest and not (result.file_type == "xlsm" and ext == "xlsx"):
        result.findings.append(finding("EXTENSION_MISMATCH", None, None,
                                       f"文件扩展名为 .{ext}，实际内容是{FORMAT_NAMES.get(result.file_type, result.file_type)}，"
                                       "已按实际格式读取。"))


def _document_reason(document: dict) -> str:
    whose = f"（{document['dept_name']}）" if document.get("dept_name") else ""
    what = "" if document["kind"] == "其他文档" else f"，内容是{document['kind']}"
    return (f"这是一个{kind_name(document['file_type'])}{whose}{what}，"
            "不是监控表工作簿，已登记为收到的书面材料。监控表请另行报送 Excel 格式的《项目支出绩效目标执行监控表》。")


def _other_form_reason(other_forms: list[tuple[str, str]]) -> str:
    kinds = list(dict.fromkeys(kind for _, kind in other_forms))
    sheets = "”“".join(name for name, _ in other_forms)
    return (f"这是{'、'.join(kinds)}（工作表“{sheets}”），不是执行监控表。"
            "请报送《项目支出绩效目标执行监控表》（含1-N月执行数、执行情况和全年预计完成情况）。")


def _read_sheets(grids, settings: Settings, result: FileResult) -> tuple[int, list[tuple[str, str]]]:
    """Read every form sheet into ``result``; returns (form sheets, (sheet, kind) of other forms sent instead)."""
    form_sheets, other_forms = 0, []
    for grid in grids:
        for where, message in grid.notes:
            result.findings.append(finding("FORMULA_NOT_COMPUTED", grid.name, where, message))
        for where, code, message in grid.issues:
            result.findings.append(finding(code, grid.name, where, message))
        try:
            reader = SheetReader(grid, settings.year, settings.period_end_month, settings.money_unit,
                                 settings.yuan_suspect_threshold)
            other_kind = reader.other_form_kind()
            if other_kind:
                other_forms.append((grid.name, other_kind))
            if not reader.looks_like_form():
                continue
            form_sheets += 1
            if grid.hidden:
                result.findings.append(finding("HIDDEN_SHEET_READ", grid.name, None,
                                               f"工作表“{grid.name}”是隐藏的，但含有监控表，已一并读取。"))
            result.projects.extend(reader.read())
        except Exception as exc:  # noqa: BLE001 - one broken sheet leaves the others readable
            result.findings.append(finding("SHEET_UNREADABLE", grid.name, None,
                                           f"工作表“{grid.name}”读取失败（{type(exc).__name__}），其余工作表照常读取。"))
            traceback.print_exc(file=sys.stderr)
    _drop_hidden_sheet_twins(result, {grid.name for grid in grids if grid.hidden})
    return form_sheets, other_forms


def _drop_hidden_sheet_twins(result: FileResult, hidden_sheets: set[str]) -> None:
    """A hidden sheet repeating a visible sheet's project is last round's copy: the visible one is the data."""
    visible = {V.normalize(p.fields.get("project_name")) for p in result.projects if p.sheet not in hidden_sheets}
    for project in [p for p in result.projects if p.sheet in hidden_sheets]:
        if V.normalize(project.fields.get("project_name")) in visible:
            result.projects.remove(project)
            result.findings.append(finding("HIDDEN_SHEET_IGNORED", project.sheet, project.fields.get("project_name_cell"),
                                           f"隐藏的工作表“{project.sheet}”与可见工作表中的项目“{project.fields.get('project_name')}”重复，"
                                           "已以可见工作表为准，隐藏工作表的内容未读取。请删除不用的隐藏工作表。"))
    still_read = {p.sheet for p in result.projects}
    result.findings = [f for f in result.findings if not (f.code == "HIDDEN_SHEET_READ" and f.sheet not in still_read)]


def _settle_status(result: FileResult) -> FileResult:
    """ok, partial (some error findings) or failed (a form without any data)."""
    for project in result.projects:
        result.findings.extend(project.findings)
    usable = [p for p in result.projects if p.indicators or any(f.get("budget") is not None for f in p.funds)]
    if not usable:
        return _failed(result, "找到了监控表的表头，但没有读到任何资金或指标数据。", keep_findings=True)
    result.projects = usable
    errors = [f for f in result.findings if f.severity == "error"]
    if errors:
        result.status = "partial"
        result.reason = f"部分内容未能读取（{len(errors)} 处问题）：{errors[0].message}" + (
            f"（{errors[0].sheet}!{errors[0].cell}）" if errors[0].cell else "")
    return result


def _failed(result: FileResult, reason: str, keep_findings: bool = False) -> FileResult:
    result.status = "failed"
    result.reason = reason
    result.projects = []
    kept = result.findings if keep_findings else [f for f in result.findings if f.code == "EXTENSION_MISMATCH"]
    result.findings = [finding("FILE_UNREADABLE", None, None, reason), *kept]
    return result


def _read_one(args) -> FileResult:
    entry, root, settings = args
    result = read_submission(entry.path, root, settings, entry)
    result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def read_all(paths: list[Path] | list[Entry], root: Path, settings: Settings, jobs: int | None = None,
             progress: bool = False) -> list[FileResult]:
    """Read every entry, each workbook in a worker process with a time and memory limit.

    A native reader can abort the process (allocation failure) or panic; a hostile file
    can take unbounded time. The worker dies instead of the batch: the pool replaces it
    and the file gets status ``failed`` with a Chinese reason. Serial mode is one worker.
    """
    root = Path(root)
    entries = [p if isinstance(p, Entry) else _entry(root, Path(p), None) for p in paths]
    jobs = settings.jobs if jobs is None else jobs
    jobs = jobs or os.cpu_count() or 1
    readable = [e for e in entries if e.skip is None]
    workers = max(1, min(jobs if len(readable) >= settings.parallel_threshold else 1, len(readable)))
    bar = _progress(len(entries), progress)
    results: dict[int, FileResult] = {}
    for index, entry in enumerate(entries):
        if entry.skip is not None:
            results[index] = skipped_result(entry)
            bar.update(1)
    if readable:
        for index, result in _read_isolated(entries, root, settings, workers, bar):
            results[index] = result
    bar.close()
    return [results[i] for i in range(len(entries))]


def _read_isolated(entries: list[Entry], root: Path, settings: Settings, workers: int, bar):
    """(index, result) of every readable entry, read in a pebble process pool with per-task limits."""
    from pebble import ProcessExpired, ProcessPool

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPool(max_workers=workers, max_tasks=TASKS_PER_WORKER, initializer=limit_memory,
                     initargs=(settings.file_memory_mb,), context=context) as pool:
        futures = {index: pool.schedule(_read_one, args=((entry, root, settings),),
                                        timeout=settings.file_timeout_seconds)
                   for index, entry in enumerate(entries) if entry.skip is None}
        for index, future in futures.items():
            try:
                result = future.result()
            except FutureTimeout:
                result = _worker_failure(entries[index], WORKER_FAILED.format(
                    seconds=settings.file_timeout_seconds, megabytes=settings.file_memory_mb))
            except (ProcessExpired, MemoryError):
                result = _worker_failure(entries[index], WORKER_DIED)
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                result = _worker_failure(entries[index], f"读取文件时发生程序错误（{type(exc).__name__}），请把该文件转交技术人员。")
            bar.update(1)
            yield index, result


def _worker_failure(entry: Entry, reason: str) -> FileResult:
    try:
        result = _base_result(entry)
    except OSError:
        result = FileResult(source_file=entry.name, sha256=None, size_bytes=None, modified=0.0, raw_name=entry.raw_name)
    return _failed(result, reason)


def limit_memory(megabytes: int) -> None:
    """Worker initializer: allow ``megabytes`` of address space above what the worker already maps.

    An allocation beyond it fails (MemoryError in Python, an abort in native code, both
    contained in this worker) instead of exhausting the machine. A native crash of the
    worker is reported as the file's reason, so no crash dump or backtrace is printed.
    """
    faulthandler.disable()
    os.environ["RUST_BACKTRACE"] = "0"
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return  # not Linux: the time limit still holds
    limit = mapped + (int(megabytes) << 20)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="读取报送文件", unit="个", disable=not enabled, file=sys.stderr, ncols=80)


def resolve_duplicates(results: list[FileResult]) -> None:
    """Keep the latest submission of each project; name the replaced file in findings."""
    order = sorted(results, key=lambda r: (r.modified, r.source_file))
    owner: dict[str, tuple[FileResult, ParsedProject]] = {}
    for result in order:
        kept = []
        for project in list(result.projects):  # a copy: projects of this very file may be removed
            pid = project_id(project.fields.get("unit_name"), project.fields.get("dept_name"),
                             project.fields.get("project_name"))
            project.fields["project_id"] = pid
            if pid in owner and owner[pid][0] is result:
                _note_copy_in_workbook(result, owner[pid][1], project)
                continue
            if pid in owner:
                old_result, old_project = owner[pid]
                old_result.projects.remove(old_project)
                old_result.n_replaced += 1
                name = project.fields.get("project_name")
                old_result.findings.append(finding("DUPLICATE_REPLACED", old_project.sheet, old_project.fields.get("project_name_cell"),
                                                   f"项目“{name}”又在较新的文件“{result.source_file}”中报送，本文件中的该项目已被替代，不重复计算。"))
                result.findings.append(finding("DUPLICATE_REPLACES", project.sheet, project.fields.get("project_name_cell"),
                                               f"项目“{name}”此前已在“{old_result.source_file}”（工作表“{old_project.sheet}”）中报送，以本文件为准。"))
            owner[pid] = (result, project)
            kept.append(project)
        result.projects = kept


def _note_copy_in_workbook(result: FileResult, first: ParsedProject, copy: ParsedProject) -> None:
    """The same project twice in one workbook (a sheet copied and not changed): the first sheet counts."""
    name = copy.fields.get("project_name")
    where = "同一工作表中" if first.sheet == copy.sheet else f"工作表“{first.sheet}”和“{copy.sheet}”中"
    result.findings.append(finding("DUPLICATE_IN_WORKBOOK", copy.sheet, copy.fields.get("project_name_cell"),
                                   f"项目“{name}”在本工作簿的{where}各报了一次，只计算工作表“{first.sheet}”中的一份，不重复计算。"
                                   "请删除重复的工作表，或改正另一个项目的名称后重新报送。"))


def build_tables(results: list[FileResult]) -> dict[str, pd.DataFrame]:
    submissions, projects, funds, indicators, findings = [], [], [], [], []
    documents = [{**r.document, "sha256": r.sha256} for r in results if r.document]
    D.match_known(documents, [p.fields.get("dept_name") for r in results for p in r.projects])
    for result in results:
        submissions.append({
            "source_file": result.source_file, "sha256": result.sha256, "status": result.status,
            "reason": result.reason, "n_projects": len(result.projects),
            "n_indicators": sum(len(p.indicators) for p in result.projects), "n_replaced": result.n_replaced,
            "file_type": result.file_type, "size_bytes": result.size_bytes,
            "modified": _local_time(result.modified), "raw_name": result.raw_name,
        })
        for project in result.projects:
            pid = project.fields["project_id"]
            projects.append({**project.fields, "source_file": result.source_file, "sheet": project.sheet})
            funds.extend({**f, "project_id": pid, "sheet": project.sheet} for f in project.funds)
            indicators.extend(_with_ids(pid, project.indicators))
        for item in result.findings:
            findings.append({"source_file": result.source_file, **item.__dict__})
    tables = {
        "submissions": pd.DataFrame(submissions),
        "projects": pd.DataFrame(projects),
        "funds": pd.DataFrame(funds),
        "indicators": pd.DataFrame(indicators),
        "findings": pd.DataFrame(findings),
        "documents": pd.DataFrame(documents),
    }
    return {name: schema.conform(frame, name) for name, frame in tables.items()}


def _local_time(timestamp: float) -> str:
    """ISO 8601 with the machine's UTC offset, so the time cannot be misread across time zones."""
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).astimezone().isoformat(timespec="seconds")


def _with_ids(pid: str, indicators: list[dict]) -> list[dict]:
    seen: dict[str, int] = {}
    out = []
    for record in indicators:
        key = f"{V.normalize(record.get('level2'))}|{V.normalize(record.get('name'))}"
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        suffix = "" if seen[digest] == 1 else f"-{seen[digest]}"
        out.append({**record, "project_id": pid, "indicator_id": f"{pid}-{digest}{suffix}"})
    return out


def ingest(raw_dir: Path, out_dir: Path, settings: Settings, jobs: int | None = None,
           progress: bool = False) -> dict[str, pd.DataFrame]:
    """Read every workbook under ``raw_dir`` and write the tidy tables to ``out_dir``."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    results = read_all(discover_entries(raw_dir), raw_dir, settings, jobs=jobs, progress=progress)
    resolve_duplicates(results)
    for result in results:
        result.findings = _attach_project_ids(result)
    tables = build_tables(results)
    write_tables(out_dir, tables)
    remove_downstream(out_dir, PRODUCERS["submissions"])
    return tables


def _attach_project_ids(result: FileResult) -> list[Finding]:
    """Findings of a project carry its id (so later stages can group them)."""
    by_sheet_project = {id(f): p.fields.get("project_id") for p in result.projects for f in p.findings}
    for item in result.findings:
        item.project_id = by_sheet_project.get(id(item))
    return result.findings
