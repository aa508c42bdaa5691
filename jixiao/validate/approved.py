"""Approved (年初批复) performance targets and the rigidity comparison against submissions.

The notice forbids units to change the approved targets and indicators. The approved
list comes in either of two forms, in a file or a folder of files:

(a) a table (.xlsx, .xls or .csv) with the Chinese headers 主管部门, 实施单位, 项目名称,
    一级指标, 二级指标, 三级指标, 年度指标值 (optional: 年度总体目标, 年初预算数/年度资金总额,
    当年财政拨款, 上年结转资金, 其他资金); blank or merged project cells repeat the row above;
(b) monitoring-table workbooks as approved at the start of the year, read with the
    ordinary ingest reader.

Both become one tidy frame, one row per approved indicator (:data:`APPROVED_COLUMNS`).
Projects match on the same key as ingest's ``project_id`` (unit and project name,
whitespace- and width-insensitive), then on the project name alone.
"""
from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from jixiao.config.settings import Settings
from jixiao.domain.formatting import money
from jixiao.normalise import values as V
from jixiao.normalise.ingest import EXTENSIONS, project_id, read_submission
from jixiao.normalise.layout import canonical_level1, canonical_level2, split_department
from jixiao.read.workbook import UnreadableWorkbook, read_workbook

APPROVED_COLUMNS = (
    "project_id", "dept_name", "dept_code", "dept_text", "unit_name", "project_name", "annual_goal",
    "budget_total", "budget_fiscal", "budget_carryover", "budget_other",
    "level1", "level2", "name", "target_text", "target_op", "target_value", "target_value_max", "target_unit",
    "approved_file",
)
# Header text (normalised) -> field of the approved table.
TABLE_HEADERS = {
    "主管部门": "dept_text", "主管部门及代码": "dept_text", "主管部门代码": "dept_code", "部门代码": "dept_code",
    "实施单位": "unit_name", "项目名称": "project_name", "年度总体目标": "annual_goal", "总体目标": "annual_goal",
    "一级指标": "level1", "二级指标": "level2", "三级指标": "name", "年度指标值": "target_text",
    "年初预算数": "budget_total", "年度资金总额": "budget_total", "当年财政拨款": "budget_fiscal",
    "上年结转资金": "budget_carryover", "其他资金": "budget_other",
}
REQUIRED_HEADERS = ("项目名称", "三级指标", "年度指标值")
# Fields that a blank (or merged) cell inherits from the row above.
CARRIED_FIELDS = ("dept_text", "dept_code", "unit_name", "project_name", "annual_goal", "level1", "level2",
                  "budget_total", "budget_fiscal", "budget_carryover", "budget_other")
PROJECT_FIELDS = CARRIED_FIELDS[:5] + CARRIED_FIELDS[7:]
HEADER_SCAN_ROWS = 15  # a title or a note may sit above the header row
RIGIDITY_CODES = ("TARGET_CHANGED", "INDICATOR_MISSING", "INDICATOR_ADDED", "INDICATOR_RENAMED", "LEVEL_CHANGED",
                  "BUDGET_CHANGED", "PROJECT_NOT_APPROVED", "PROJECT_NOT_SUBMITTED")
# Funds source (funds table) -> its row label in the monitoring table; budgets compare per source.
BUDGET_SOURCES = (("total", "年度资金总额"), ("fiscal", "当年财政拨款"), ("carryover", "上年结转资金"),
                  ("other", "其他资金"))


class ApprovedTargetsError(ValueError):
    """The approved targets cannot be read; the message says why, in Chinese."""


# -- reading ------------------------------------------------------------------------------------
def read_approved(path: Path, settings: Settings | None = None) -> pd.DataFrame:
    """All approved indicators in ``path`` (a file or a folder), one row each."""
    path = Path(path)
    settings = settings or Settings()
    if not path.exists():
        raise ApprovedTargetsError(f"找不到年初批复的绩效目标文件：{path}")
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS | {".csv"}
        and not p.name.startswith("~$"))
    records: list[dict[str, Any]] = []
    for file in files:
        records.extend(_read_file(file, path if path.is_dir() else file.parent, settings))
    if not records:
        raise ApprovedTargetsError(f"在 {path} 中没有读到任何年初批复的绩效指标"
                                   "（应为含“项目名称”“三级指标”“年度指标值”等列的表格，或年初批复的监控表）。")
    return _tidy(records)


def _read_file(file: Path, root: Path, settings: Settings) -> list[dict[str, Any]]:
    if file.suffix.lower() == ".csv":
        return _table_records(_csv_rows(file), file.name)
    try:
        rows = _sheet_rows(file)
    except UnreadableWorkbook as exc:
        raise ApprovedTargetsError(f"年初批复文件 {file.name} 无法读取：{exc.reason}") from exc
    for sheet_rows in rows:
        if _header_row(sheet_rows) is not None:
            return [r for sheet in rows for r in _table_records(sheet, file.name)]
    return _form_records(file, root, settings)


def _csv_rows(file: Path) -> list[list[Any]]:
    raw = file.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return list(csv.reader(io.StringIO(raw.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ApprovedTargetsError(f"无法识别 {file.name} 的文字编码，请另存为 UTF-8 编码的 CSV 或 .xlsx。")


def _sheet_rows(file: Path) -> list[list[list[Any]]]:
    """Cell texts per sheet (as shown on screen, so 0.95 in a % cell reads 95%)."""
    sheets = []
    for grid in read_workbook(file):
        rows = [[None] * grid.max_col for _ in range(grid.max_row)]
        for (r, c), cell in grid.cells.items():
            rows[r - 1][c - 1] = V.cell_text(cell.value, cell.number_format)
        for r1, c1, r2, _ in grid.merged:  # a merged cell counts for every row it covers
            for r in range(r1, r2 + 1):
                rows[r - 1][c1 - 1] = rows[r1 - 1][c1 - 1]
        sheets.append(rows)
    return sheets


def _header_row(rows: list[list[Any]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = {V.normalize(v) for v in row if v}
        if all(h in texts for h in REQUIRED_HEADERS):
            return index
    return None


def _table_records(rows: list[list[Any]], file_name: str) -> list[dict[str, Any]]:
    header = _header_row(rows)
    if header is None:
        return []
    columns = {i: TABLE_HEADERS[V.normalize(v)] for i, v in enumerate(rows[header]) if V.normalize(v) in TABLE_HEADERS}
    records, carried = [], {}
    for number, row in enumerate(rows[header + 1:], start=header + 2):
        record = {field: _text(row[i]) if i < len(row) else None for i, field in columns.items()}
        if not record.get("name") and not record.get("target_text"):
            continue
        if record.get("project_name") and record["project_name"] != carried.get("project_name"):
            carried = {k: carried.get(k) for k in ("dept_text", "dept_code", "unit_name")}  # a new project
        for field in CARRIED_FIELDS:
            record[field] = record.get(field) or carried.get(field)
        carried = {k: record.get(k) for k in CARRIED_FIELDS}
        records.append({**record, "approved_file": f"{file_name} 第{number}行"})
    return records


def _text(value: Any) -> str | None:
    return None if V.is_blank(value) else V.tidy_name(value)


def _form_records(file: Path, root: Path, settings: Settings) -> list[dict[str, Any]]:
    result = read_submission(file, root, settings)
    records = []
    for project in result.projects:
        fields = project.fields
        for indicator in project.indicators:
            records.append({
                **{k: fields.get(k) for k in ("dept_text", "dept_code", "unit_name", "project_name", "annual_goal",
                                              "budget_total", "budget_fiscal", "budget_carryover", "budget_other")},
                **{k: indicator.get(k) for k in ("level1", "level2", "name", "target_text")},
                "approved_file": f"{result.source_file} {project.sheet}!{indicator.get('target_cell')}",
            })
    return records


def _tidy(records: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for record in records:
        dept_name, code = split_department(record.get("dept_text"))
        target = V.parse_target(record.get("target_text"))
        rows.append({
            **record,
            "dept_name": dept_name,
            "dept_code": record.get("dept_code") or code,
            "project_name": V.tidy_name(record.get("project_name")),
            "unit_name": V.tidy_name(record.get("unit_name")),
            "level1": canonical_level1(record.get("level1")) or record.get("level1"),
            "level2": canonical_level2(record.get("level2")) or record.get("level2"),
            "project_id": project_id(record.get("unit_name"), dept_name, record.get("project_name")),
            "target_op": target.op, "target_value": target.value, "target_value_max": target.value_max,
            "target_unit": target.unit,
            **{k: V.parse_amount(record.get(k)) for k in ("budget_total", "budget_fiscal", "budget_carryover",
                                                            "budget_other")},
        })
    frame = pd.DataFrame(rows)
    return frame.reindex(columns=list(APPROVED_COLUMNS))


def approved_projects(approved: pd.DataFrame) -> pd.DataFrame:
    """One row per approved project, in first-seen order."""
    return approved.drop_duplicates("project_id")[["project_id", *PROJECT_FIELDS, "dept_name"]].reset_index(drop=True)


# -- comparison ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pair:
    submitted: Any  # an indicators row (namedtuple) or None
    approved: Any  # an approved row (namedtuple) or None
    renamed: bool = False


def same_target(submitted, approved) -> bool:
    """Equal comparator, number(s) and unit (units converted: 10万元 = 100000元)."""
    if submitted.target_op != approved.target_op:
        return False
    if submitted.target_op == "qualitative":
        return _plain_text(submitted.target_text) == _plain_text(approved.target_text)
    for key in ("target_value", "target_value_max"):
        a, b = _number(getattr(submitted, key)), _number(getattr(approved, key))
        if (a is None) != (b is None):
            return False
        if a is not None:
            converted = V.convert(a, _str(submitted.target_unit), _str(approved.target_unit))
            if converted is None or abs(converted - b) > 1e-9 * max(1.0, abs(b)):
                return False
    return True


def _plain_text(text: Any) -> str:
    return V.normalize(text).strip("。.;；,，")


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _str(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def pair_indicators(submitted: list, approved: list, min_similarity: float) -> list[Pair]:
    """Exact name matches first, then small name edits as renames; the rest stay unpaired."""
    pairs: list[Pair] = []
    open_approved = list(approved)
    unmatched = []
    for row in submitted:
        match = next((a for a in open_approved if V.normalize(a.name) == V.normalize(row.name)), None)
        if match is None:
            unmatched.append(row)
            continue
        open_approved.remove(match)
        pairs.append(Pair(row, match))
    for row, match in _renames(unmatched, open_approved, min_similarity):
        unmatched.remove(row)
        open_approved.remove(match)
        pairs.append(Pair(row, match, renamed=True))
    pairs += [Pair(row, None) for row in unmatched]
    pairs += [Pair(None, a) for a in open_approved]
    return pairs


def _renames(submitted: list, approved: list, min_similarity: float) -> Iterable[tuple[Any, Any]]:
    """Greedy best-first pairing of similar names within compatible 二级指标."""
    scored = sorted(
        ((V.text_similarity(s.name, a.name), i, j) for i, s in enumerate(submitted) for j, a in enumerate(approved)
         if _compatible_level(s.level2, a.level2)),
        reverse=True,
    )
    for i, j, _score in V.best_first_pairs(scored, min_similarity):
        yield submitted[i], approved[j]


def _compatible_level(a: Any, b: Any) -> bool:
    return not _str(a) or not _str(b) or a == b


def match_projects(projects: pd.DataFrame, approved: pd.DataFrame) -> dict[str, str | None]:
    """Submitted project_id -> approved project_id (same unit and name, else same name if unique)."""
    approved_ids = set(approved["project_id"])
    by_name: dict[str, list[str]] = {}
    for row in approved_projects(approved).itertuples():
        by_name.setdefault(V.normalize(row.project_name), []).append(row.project_id)
    matches = {}
    for row in projects.itertuples():
        if row.project_id in approved_ids:
            matches[row.project_id] = row.project_id
        else:
            candidates = by_name.get(V.normalize(row.project_name), [])
            matches[row.project_id] = candidates[0] if len(candidates) == 1 else None
    return matches


def rigidity_findings(projects: pd.DataFrame, indicators: pd.DataFrame, approved: pd.DataFrame,
                      min_similarity: float, funds: pd.DataFrame | None = None,
                      amount_tolerance: float = 0.0) -> list[dict[str, Any]]:
    """Every rigidity finding (:data:`RIGIDITY_CODES`); budgets are compared only when ``funds`` is given."""
    findings = []
    matches = match_projects(projects, approved)
    approved_by_project = {pid: list(group.itertuples()) for pid, group in approved.groupby("project_id", sort=False)}
    submitted_by_project = {pid: list(group.itertuples()) for pid, group in indicators.groupby("project_id", sort=False)}
    approved_project_rows = {p.project_id: p for p in approved_projects(approved).itertuples()}
    budget_rows = _budget_rows(funds)
    for project in projects.itertuples():
        approved_id = matches[project.project_id]
        if approved_id is None:
            findings.append(_not_approved(project, approved))
            continue
        pairs = pair_indicators(submitted_by_project.get(project.project_id, []),
                                approved_by_project[approved_id], min_similarity)
        findings += [f for pair in pairs for f in _pair_findings(project, pair)]
        findings += _budget_findings(project, approved_project_rows[approved_id],
                                     budget_rows.get(project.project_id, {}), amount_tolerance)
    submitted = set(matches.values())
    findings += [_not_submitted(p) for p in approved_projects(approved).itertuples() if p.project_id not in submitted]
    return findings


def _not_submitted(approved_project) -> dict[str, Any]:
    """An approved project nobody reported on: no file to point at, so the finding names the project."""
    unit = _str(approved_project.unit_name) or _str(approved_project.dept_name) or "未注明实施单位"
    return {"source_file": None, "sheet": None, "cell": None, "code": "PROJECT_NOT_SUBMITTED",
            "project_id": approved_project.project_id,
            "message": f"年初批复的项目“{approved_project.project_name}”（{unit}）没有收到监控表。"
                       "请督促该单位按时报送。", "suggestion": "请督促该单位按时报送。"}


def _finding(project, sheet, cell, code, message, suggestion) -> dict[str, Any]:
    """A finding without severity: the rule catalogue (jixiao.validate.checks) assigns it."""
    return {"source_file": project.source_file, "sheet": sheet, "cell": cell, "code": code,
            "message": f"{message}{suggestion}", "suggestion": suggestion, "project_id": project.project_id}


def _not_approved(project, approved: pd.DataFrame) -> dict[str, Any]:
    names = approved_projects(approved)["project_name"].dropna().tolist()
    close = difflib.get_close_matches(project.project_name or "", names, n=1, cutoff=0.5)
    hint = f"年初批复中有相近的项目“{close[0]}”，如为同一项目请改用批复的名称；" if close else ""
    return _finding(project, project.sheet, _str(project.project_name_cell), "PROJECT_NOT_APPROVED",
                    f"项目“{project.project_name}”（实施单位“{_str(project.unit_name) or '未填'}”）在年初批复的绩效目标中找不到。",
                    f"{hint}请按预算批复填写项目全称和实施单位；确属年中新增项目的，请在备注中注明批复文号。")


def _pair_findings(project, pair: Pair) -> list[dict[str, Any]]:
    s, a = pair.submitted, pair.approved
    if s is None:
        return [_finding(project, project.sheet, _str(project.project_name_cell), "INDICATOR_MISSING",
                         f"年初批复的指标“{a.name}”（{_str(a.level2) or '二级指标未注明'}，年度指标值“{a.target_text}”）没有填报。",
                         f"请在指标表中补填该指标，三级指标填“{a.name}”，年度指标值填“{a.target_text}”。")]
    if a is None:
        return [_finding(project, s.sheet, _str(s.name_cell), "INDICATOR_ADDED",
                         f"指标“{s.name}”（年度指标值“{_str(s.target_text) or '未填'}”）不在年初批复的绩效目标中。",
                         "绩效指标不得自行增加，请删除该行；如果是批复指标改了名称，请改回批复时的名称。")]
    out = []
    if level_changed(s, a):
        out.append(_level_changed(project, s, a))
    if pair.renamed:
        out.append(_finding(project, s.sheet, _str(s.name_cell), "INDICATOR_RENAMED",
                            f"三级指标名称“{s.name}”与年初批复的“{a.name}”不一致（疑似改了名称）。",
                            f"请改回批复的名称“{a.name}”。"))
    if not same_target(s, a):
        out.append(_finding(project, s.sheet, _str(s.target_cell), "TARGET_CHANGED",
                            f"指标“{a.name}”的年度指标值填为“{_str(s.target_text) or '空'}”，与年初批复的“{a.target_text}”不一致。",
                            f"年初批复的绩效目标不得擅自调整，请改回“{a.target_text}”；确需调整的，应按程序报批。"))
    return out


# -- levels (一级/二级指标) ----------------------------------------------------------------------
LEVEL_CANONICALS = (("level1", canonical_level1), ("level2", canonical_level2))


def _canonical_level(value: Any, canonical) -> str | None:
    """The standard level name, or the normalised text of a level outside the system; blank -> None."""
    text = _str(value)
    if not text or not V.normalize(text):
        return None
    return canonical(text) or V.normalize(text)


def level_changed(submitted, approved) -> bool:
    """Filed under another 一级 or 二级指标 than approved; a blank level on either side is no change."""
    for field, canonical in LEVEL_CANONICALS:
        s, a = (_canonical_level(getattr(row, field), canonical) for row in (submitted, approved))
        if s and a and s != a:
            return True
    return False


def _level_path(row) -> str:
    level1, level2 = _str(row.level1) or "一级指标未填", _str(row.level2) or "二级指标未填"
    return f"{level1}—{level2}"


def _level_changed(project, s, a) -> dict[str, Any]:
    # The indicators table keeps no level cell, so the finding points at the indicator's name.
    return _finding(project, s.sheet, _str(s.name_cell), "LEVEL_CHANGED",
                    f"指标“{a.name}”在年初批复中属于“{_level_path(a)}”，填报时放在了“{_level_path(s)}”下。",
                    f"批复的指标体系不得自行调整，请把该指标移回“{_level_path(a)}”。")


# -- budgets (年初预算数) ------------------------------------------------------------------------
def _budget_rows(funds: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """project_id -> source -> its first funds row (the row whose 年初预算数 cell a finding points at)."""
    rows: dict[str, dict[str, Any]] = {}
    if funds is None or funds.empty:
        return rows
    for row in funds.itertuples():
        rows.setdefault(row.project_id, {}).setdefault(row.source, row)
    return rows


def _budget_findings(project, approved_project, funds_rows: dict[str, Any], tolerance: float) -> list[dict[str, Any]]:
    """BUDGET_CHANGED per funds source where both the approval and the submission state an amount."""
    out = []
    for source, label in BUDGET_SOURCES:
        approved_amount = _number(getattr(approved_project, f"budget_{source}"))
        row = funds_rows.get(source)
        submitted_amount = None if row is None else _number(row.budget)
        if approved_amount is None or submitted_amount is None:
            continue  # no approved budget, or nothing filed: omissions are the reader's findings, not changes
        if abs(submitted_amount - approved_amount) > tolerance + 1e-9:
            out.append(_budget_changed(project, row, label, submitted_amount, approved_amount))
    return out


def _budget_changed(project, row, label: str, submitted: float, approved: float) -> dict[str, Any]:
    return _finding(project, _str(row.sheet) or project.sheet, _str(row.budget_cell), "BUDGET_CHANGED",
                    f"{label}的年初预算数填为 {money(submitted)} 万元，与年初批复的 {money(approved)} 万元不一致"
                    f"（相差 {money(submitted - approved)} 万元）。",
                    f"年初预算数应按批复填写，请改为 {money(approved)}；年中已按程序调整预算的，请在备注中注明调整文号。")
