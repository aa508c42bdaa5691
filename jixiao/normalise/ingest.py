"""Ingest stage: a folder of submitted workbooks -> tidy tables (Parquet).

Every input file is accounted for in ``submissions`` with its status and a Chinese
reason; one bad file never stops the batch. Raw files are only read, never
written. When two submissions carry the same project (same 实施单位 and 项目名称),
the later one (modification time, then path) wins and both files get a finding.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jixiao.store import schema
from jixiao.store.tables import PRODUCERS, remove_downstream, write_tables
from jixiao.normalise import values as V
from jixiao.config.settings import Settings
from jixiao.normalise.layout import Finding, ParsedProject, SheetReader
from jixiao.read.workbook import UnreadableWorkbook, read_workbook, sniff

EXTENSIONS = {".xlsx", ".xlsm", ".xls"}
STATUS_LABELS = {"ok": "完整读取", "partial": "部分读取", "failed": "无法读取"}


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


def discover(raw_dir: Path) -> list[Path]:
    """Every workbook under ``raw_dir`` (recursively), skipping Office lock files (~$…)."""
    return sorted(
        p for p in Path(raw_dir).rglob("*")
        if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith("~$")
    )


def project_id(unit_name: str | None, dept_name: str | None, project_name: str | None) -> str:
    key = f"{V.normalize(unit_name or dept_name)}|{V.normalize(project_name)}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_submission(path: Path, root: Path, settings: Settings) -> FileResult:
    """Read one file into projects and findings; never raises."""
    stat = path.stat()
    result = FileResult(
        source_file=path.relative_to(root).as_posix(),
        sha256=_sha256(path),
        size_bytes=stat.st_size,
        modified=stat.st_mtime,
    )
    try:
        result.file_type = sniff(path)
        grids = read_workbook(path)
    except UnreadableWorkbook as exc:
        return _failed(result, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the batch
        return _failed(result, f"读取文件时发生程序错误（{type(exc).__name__}: {exc}），请把该文件转交技术人员。")
    _note_extension(result, path)
    form_sheets, other_forms = _read_sheets(grids, settings, result)
    if not any(grid.cells for grid in grids):
        return _failed(result, "工作簿是空的，没有填写任何内容。")
    if form_sheets == 0 and other_forms:
        return _failed(result, f"这是绩效目标申报表、自评表等其他表格（工作表“{'”“'.join(other_forms)}”），不是执行监控表。"
                               "请报送《项目支出绩效目标执行监控表》（含1-N月执行数和执行情况）。")
    if form_sheets == 0:
        return _failed(result, "未在任何工作表中找到《项目支出绩效目标执行监控表》（缺少“项目名称”“三级指标”“年度指标值”等表头），"
                               "该文件可能不是监控表。")
    return _settle_status(result)


def _note_extension(result: FileResult, path: Path) -> None:
    ext = path.suffix.lower().lstrip(".")
    if result.file_type == "xls" and ext != "xls" or result.file_type == "xlsx" and ext == "xls":
        result.findings.append(Finding(None, None, "info", "EXTENSION_MISMATCH",
                                       f"文件扩展名为 .{ext}，实际内容是 {result.file_type} 格式，已按实际格式读取。"))


def _read_sheets(grids, settings: Settings, result: FileResult) -> tuple[int, list[str]]:
    """Read every form sheet into ``result``; returns (form sheets, names of other forms sent instead)."""
    form_sheets, other_forms = 0, []
    for grid in grids:
        for where, message in grid.notes:
            result.findings.append(Finding(grid.name, where, "warning", "FORMULA_NOT_COMPUTED", message))
        try:
            reader = SheetReader(grid, settings.year, settings.period_end_month, settings.money_unit,
                                 settings.yuan_suspect_threshold)
            if reader.is_other_form():
                other_forms.append(grid.name)
            if not reader.looks_like_form():
                continue
            form_sheets += 1
            if grid.hidden:
                result.findings.append(Finding(grid.name, None, "info", "HIDDEN_SHEET_READ",
                                               f"工作表“{grid.name}”是隐藏的，但含有监控表，已一并读取。"))
            result.projects.extend(reader.read())
        except Exception as exc:  # noqa: BLE001 - one broken sheet leaves the others readable
            result.findings.append(Finding(grid.name, None, "error", "SHEET_UNREADABLE",
                                           f"工作表“{grid.name}”读取失败（{type(exc).__name__}），其余工作表照常读取。"))
            traceback.print_exc(file=sys.stderr)
    return form_sheets, other_forms


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
    result.findings = [Finding(None, None, "error", "FILE_UNREADABLE", reason), *kept]
    return result


def _read_one(args) -> FileResult:
    path, root, settings = args
    return read_submission(path, root, settings)


def read_all(paths: list[Path], root: Path, settings: Settings, jobs: int | None = None,
             progress: bool = False) -> list[FileResult]:
    """Read every path, in worker processes when the batch is large enough."""
    jobs = settings.jobs if jobs is None else jobs
    jobs = jobs or os.cpu_count() or 1
    tasks = [(p, root, settings) for p in paths]
    bar = _progress(len(tasks), progress)
    results: list[FileResult] = []
    if jobs > 1 and len(tasks) >= settings.parallel_threshold:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for result in pool.map(_read_one, tasks, chunksize=max(1, len(tasks) // (jobs * 8))):
                results.append(result)
                bar.update(1)
    else:
        for task in tasks:
            results.append(_read_one(task))
            bar.update(1)
    bar.close()
    return results


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="读取报送文件", unit="个", disable=not enabled, file=sys.stderr, ncols=80)


def resolve_duplicates(results: list[FileResult]) -> None:
    """Keep the latest submission of each project; name the replaced file in findings."""
    order = sorted(results, key=lambda r: (r.modified, r.source_file))
    owner: dict[str, tuple[FileResult, ParsedProject]] = {}
    for result in order:
        kept = []
        for project in result.projects:
            pid = project_id(project.fields.get("unit_name"), project.fields.get("dept_name"),
                             project.fields.get("project_name"))
            project.fields["project_id"] = pid
            if pid in owner:
                old_result, old_project = owner[pid]
                old_result.projects.remove(old_project)
                old_result.n_replaced += 1
                name = project.fields.get("project_name")
                old_result.findings.append(Finding(old_project.sheet, old_project.fields.get("project_name_cell"),
                                                   "warning", "DUPLICATE_REPLACED",
                                                   f"项目“{name}”又在较新的文件“{result.source_file}”中报送，本文件中的该项目已被替代，不重复计算。"))
                result.findings.append(Finding(project.sheet, project.fields.get("project_name_cell"), "info",
                                               "DUPLICATE_REPLACES",
                                               f"项目“{name}”此前已在“{old_result.source_file}”（工作表“{old_project.sheet}”）中报送，以本文件为准。"))
            owner[pid] = (result, project)
            kept.append(project)
        result.projects = kept


def build_tables(results: list[FileResult]) -> dict[str, pd.DataFrame]:
    submissions, projects, funds, indicators, findings = [], [], [], [], []
    for result in results:
        submissions.append({
            "source_file": result.source_file, "sha256": result.sha256, "status": result.status,
            "reason": result.reason, "n_projects": len(result.projects),
            "n_indicators": sum(len(p.indicators) for p in result.projects), "n_replaced": result.n_replaced,
            "file_type": result.file_type, "size_bytes": result.size_bytes,
            "modified": _local_time(result.modified),
        })
        for project in result.projects:
            pid = project.fields["project_id"]
            projects.append({**project.fields, "source_file": result.source_file, "sheet": project.sheet})
            funds.extend({**f, "project_id": pid, "sheet": project.sheet} for f in project.funds)
            indicators.extend(_with_ids(pid, project.indicators))
        for finding in result.findings:
            findings.append({"source_file": result.source_file, **finding.__dict__})
    tables = {
        "submissions": pd.DataFrame(submissions),
        "projects": pd.DataFrame(projects),
        "funds": pd.DataFrame(funds),
        "indicators": pd.DataFrame(indicators),
        "findings": pd.DataFrame(findings),
    }
    return {name: schema.conform(frame, name) for name, frame in tables.items()}


def _local_time(timestamp: float) -> str:
    """ISO 8601 with the machine's UTC offset, so the time cannot be misread across time zones."""
    return dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).astimezone().isoformat(timespec="seconds")


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
    results = read_all(discover(raw_dir), raw_dir, settings, jobs=jobs, progress=progress)
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
    for finding in result.findings:
        finding.project_id = by_sheet_project.get(id(finding))
    return result.findings
