"""监控工作质量得分 per department: the notice counts the monitoring work itself in the 综合绩效考评.

On time (file received by the deadline in the settings), readable, the right period, reasons filled, no
copied texts, few errors. Every deduction is a rule-profile number (``[ranking] quality_*``) and the reason
text lists each deduction, so a department can check its score by hand (docs/metrics.md §7).
"""
from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

import pandas as pd

from jixiao.config.profile import RuleProfile
from jixiao.store import schema

NO_DEPT = "（未填主管部门）"
COPIED_CODE = "COPIED_REASON_TEXT"
UNREADABLE_CODE = "FILE_UNREADABLE"
WARNING_LIGHTS = ("red", "yellow")
FULL_SCORE = 100.0
# The notice's deadline (8月30日) is Beijing time; a file time stored in UTC is converted before comparing.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))


def _folder(path: str) -> str:
    return str(PurePosixPath(str(path).replace("\\", "/")).parent)


def file_departments(submissions: pd.DataFrame, projects: pd.DataFrame) -> dict[str, str]:
    """{source_file: 主管部门}: from the projects a file carries; a file without projects (unreadable)
    belongs to the department whose other files sit in the same folder."""
    owner: dict[str, str] = {}
    if "source_file" in projects:
        for source, dept in zip(projects["source_file"], projects["dept_name"]):
            if not schema.is_missing(source):
                owner.setdefault(str(source), NO_DEPT if schema.is_missing(dept) else str(dept))
    by_folder = {_folder(source): dept for source, dept in owner.items()}
    for source in submissions.get("source_file", pd.Series(dtype=str)):
        if not schema.is_missing(source) and str(source) not in owner and _folder(source) in by_folder:
            owner[str(source)] = by_folder[_folder(source)]
    return owner


def is_late(modified, deadline: dt.date) -> bool:
    """Received after the deadline day (the file's modification time, read as Beijing time)."""
    if schema.is_missing(modified):
        return False
    try:
        stamp = dt.datetime.fromisoformat(str(modified))
    except ValueError:
        return False
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(CHINA_TZ)
    return stamp.date() > deadline


def file_times_usable(submissions: pd.DataFrame, deadline: dt.date) -> bool:
    """Whether file times can stand for receipt times: not when every one of several files is 'late'
    (a copied folder or a git checkout stamps them all with the copy time)."""
    if "modified" not in submissions or len(submissions) < 2:
        return True
    return not all(is_late(modified, deadline) for modified in submissions["modified"])


def quality_scores(project_table: pd.DataFrame, indicator_table: pd.DataFrame, submissions: pd.DataFrame | None,
                   findings: pd.DataFrame | None, profile: RuleProfile, settings,
                   projects: pd.DataFrame | None = None) -> dict[str, tuple[float, str]]:
    """{主管部门: (质量得分, 扣分说明)} for every department of ``project_table``.

    Every count is taken for all departments at once (a province has thousands of them); only the
    reason text is written department by department.
    """
    rules = profile.ranking
    submissions = submissions if submissions is not None else pd.DataFrame()
    findings = findings if findings is not None else pd.DataFrame()
    sources = _project_sources(project_table, projects)
    project_table = project_table.assign(dept_name=project_table["dept_name"].fillna(NO_DEPT))
    dept_of_project = project_table.drop_duplicates("project_id").set_index("project_id")["dept_name"]
    deadline = settings.deadline_date
    times_usable = file_times_usable(submissions, deadline)
    owner = file_departments(submissions, sources)
    departments = sorted(project_table["dept_name"].unique())
    counts = pd.concat([_file_counts(submissions, owner, deadline, times_usable),
                        _finding_counts(findings, dept_of_project, owner),
                        _warned_counts(indicator_table, dept_of_project)], axis=1)
    counts = counts.reindex(departments).fillna(0).astype(int)
    off_periods = project_table[~project_table["period_matches"].fillna(True).astype(bool)]
    off_by_dept = dict(tuple(off_periods.groupby("dept_name", sort=False)))
    scores = {}
    for dept in departments:
        deductions = []
        late, failed, copied, errors, n_warned, missing = (
            int(counts.at[dept, column]) for column in ("late", "failed", "copied", "errors", "warned", "missing"))
        if late:
            deductions.append((late * rules.quality_late_file_points, f"{late} 份文件晚于报送截止日 {deadline.isoformat()}"))
        if failed:
            deductions.append((failed * rules.quality_unreadable_file_points, f"{failed} 份文件无法读取"))
        off = off_by_dept.get(dept)
        off_files = _file_count(off, sources) if off is not None else 0
        if off_files:
            labels = "、".join(sorted(off["period_label"].dropna().unique()))
            deductions.append((off_files * rules.quality_period_points, f"{off_files} 份文件按{labels}填报，未按规定期间"))
        if copied:
            deductions.append((copied * rules.quality_copied_text_points, f"照抄原因说明 {copied} 处"))
        if errors:
            deductions.append((min(errors * rules.quality_error_points, rules.quality_error_cap),
                               f"必须改正的填报问题 {errors} 条"))
        if n_warned and missing:
            deductions.append((missing / n_warned * rules.quality_reasons_missing_points,
                               f"{n_warned} 个红黄灯指标中 {missing} 个未填原因说明"))
        score = max(FULL_SCORE - sum(points for points, _ in deductions), 0.0)
        reason = "；".join(f"{why}，扣 {points:.2f} 分" for points, why in deductions) or "未发现扣分事项"
        if not times_usable:
            reason += "（全部文件的修改时间都晚于报送截止日，不像收件时间（如复制或从仓库检出），未据此计逾期）"
        scores[dept] = (score, reason)
    return scores


def _file_counts(submissions: pd.DataFrame, owner: dict[str, str], deadline: dt.date,
                 times_usable: bool) -> pd.DataFrame:
    """Per department (index): files received late and files that could not be read."""
    if submissions.empty or "source_file" not in submissions:
        return pd.DataFrame(columns=["late", "failed"])
    dept = submissions["source_file"].astype(str).map(owner)
    late = submissions["modified"].map(lambda modified: is_late(modified, deadline)) \
        if times_usable and "modified" in submissions else pd.Series(False, index=submissions.index)
    failed = submissions["status"] == "failed" if "status" in submissions else pd.Series(False, index=submissions.index)
    return pd.DataFrame({"late": late.astype(int), "failed": failed.astype(int)}).groupby(dept).sum()


def _finding_counts(findings: pd.DataFrame, dept_of_project: pd.Series, owner: dict[str, str]) -> pd.DataFrame:
    """Per department (index): copied reason texts and errors among the findings of its projects or its files.

    A finding counts once for the department of its project and once for the department that sent
    its file, when that is another one.
    """
    if findings.empty:
        return pd.DataFrame(columns=["copied", "errors"])
    by_project = findings["project_id"].map(dept_of_project)
    by_file = findings["source_file"].map(owner)
    dept = pd.concat([by_project[by_project.notna()], by_file[by_file.notna() & (by_file != by_project)]])
    kinds = pd.DataFrame({
        "copied": (findings["code"] == COPIED_CODE).astype(int),
        "errors": ((findings["severity"] == "error") & (findings["code"] != UNREADABLE_CODE)).astype(int),
    })
    return kinds.loc[dept.index].groupby(dept.to_numpy()).sum()


def _warned_counts(indicator_table: pd.DataFrame, dept_of_project: pd.Series) -> pd.DataFrame:
    """Per department (index): red and yellow indicators, and how many of them lack a 原因说明."""
    warned = indicator_table[indicator_table["light"].isin(WARNING_LIGHTS)]
    reason = warned["reason_text"]
    missing = reason.isna() | reason.astype(str).str.strip().eq("")
    dept = warned["project_id"].map(dept_of_project)
    return pd.DataFrame({"warned": 1, "missing": missing.astype(int)}, index=warned.index).groupby(dept).sum()


def _file_count(projects: pd.DataFrame, sources: pd.DataFrame) -> int:
    """How many submitted files carry ``projects`` (1 when the files are unknown but projects exist)."""
    if projects.empty:
        return 0
    if sources.empty:
        return 1
    files = projects["project_id"].map(sources.drop_duplicates("project_id").set_index("project_id")["source_file"])
    return max(int(files.nunique()), 1)


def _project_sources(project_table: pd.DataFrame, projects: pd.DataFrame | None) -> pd.DataFrame:
    """project_id, dept_name, source_file (the metrics table has no source_file; the ingest table does)."""
    if projects is not None and "source_file" in projects:
        return projects[["project_id", "dept_name", "source_file"]]
    if "source_file" in project_table:
        return project_table[["project_id", "dept_name", "source_file"]]
    return pd.DataFrame(columns=["project_id", "dept_name", "source_file"])
