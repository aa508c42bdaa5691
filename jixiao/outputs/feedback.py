"""Feedback workbooks: a marked-up copy of each submitted workbook that has findings.

The copy (the original is only read) gets the offending cells filled in a warning colour
with a cell comment holding the message, and a first sheet 问题清单 listing every finding
of the file with its suggested fix. A short summary text for the bureau's reply is written
beside it and at the top of 问题清单. Files are named after the unit so a clerk can mail
them straight back.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string

from jixiao.domain.findings import RULES_BY_CODE
from jixiao.forms.fill_in import safe_name
from jixiao.outputs.safe import clean_text, put
from jixiao.outputs.summary_excel import print_setup
from jixiao.read.workbook import DEFAULT_LIMITS, UnreadableWorkbook, merged_cell_count, read_workbook, sniff
from jixiao.store.tables import read_ingest_tables
from jixiao.validate.checks import SEVERITY_LABELS, rule_meaning, text_or_none

ISSUE_SHEET = "问题清单"
COMMENT_AUTHOR = "县财政局绩效监控"
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C"),
         "info": PatternFill("solid", fgColor="DDEBF7")}
# Units read this sheet: Chinese only; the rule code stays for the bureau in the last, hidden column.
ISSUE_HEADERS = ("序号", "工作表", "单元格", "严重程度", "规则", "问题说明", "修改建议", "规则代码")
ISSUE_WIDTHS = (6, 16, 8, 10, 30, 60, 50, 26)
ISSUE_CODE_COLUMN = "H"
SUMMARY_TOP_RULES = 4  # the reply names the most frequent problems only


def write_feedback(processed_dir: Path, raw_dir: Path, out_dir: Path) -> list[Path]:
    """A feedback workbook (and reply text) for every submitted file with an error, a warning or an open 整改事项."""
    from jixiao.store.rectification import open_items_by_file

    tables = read_ingest_tables(Path(processed_dir))
    findings = tables["findings"].dropna(subset=["source_file"])
    items = open_items_by_file(Path(processed_dir))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    groups = {source: group for source, group in findings.groupby("source_file", sort=True)}
    units = unit_names(tables["projects"], sorted(set(groups) | set(items)))
    files_per_unit = Counter(units.values())
    subs = tables["submissions"]
    failed = set(subs.loc[subs["status"].isin(["failed", "skipped"]), "source_file"])  # never reopen those
    on_disk = raw_paths(subs)
    paths = []
    for source_file in sorted(set(groups) | set(items)):
        group = groups.get(source_file, findings.iloc[0:0])
        if not group["severity"].isin(["error", "warning"]).any() and source_file not in items:
            continue
        unit = units[source_file]
        stem = Path(source_file).stem
        name = f"{unit}_问题反馈" if files_per_unit[unit] == 1 else f"{unit}_{stem}_问题反馈"
        path = out_dir / f"{safe_name(name, 120)}.xlsx"
        rows = ordered(group)
        summary = summary_text(unit, source_file, rows, n_items=len(items.get(source_file, ())))
        write_one(Path(raw_dir) / on_disk.get(source_file, source_file), rows, summary, path,
                  items.get(source_file), readable=source_file not in failed)
        path.with_suffix(".txt").write_text(summary + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def raw_paths(submissions: pd.DataFrame) -> dict[str, str]:
    """{source_file: path on disk} for names that are not UTF-8 (source_file is then a decoded form)."""
    if "raw_name" not in submissions:
        return {}
    return {row.source_file: os.fsdecode(bytes.fromhex(row.raw_name))
            for row in submissions.itertuples() if isinstance(row.raw_name, str) and row.raw_name}


def unit_names(projects: pd.DataFrame, source_files) -> dict[str, str]:
    """Who gets the reply for a file: its one 实施单位; the 主管部门 that consolidated several units; else the file name."""
    names = {}
    for source_file in source_files:
        mine = projects[projects["source_file"] == source_file]
        units = mine["unit_name"].dropna().unique().tolist()
        depts = mine["dept_name"].dropna().tolist()
        if len(units) == 1:
            names[source_file] = units[0]
        elif depts:
            names[source_file] = Counter(depts).most_common(1)[0][0]
        else:
            names[source_file] = units[0] if units else Path(source_file).stem
    return names


def ordered(findings: pd.DataFrame) -> pd.DataFrame:
    """Errors first, then by sheet and row, so the list reads top to bottom."""
    keys = findings.assign(
        _sev=findings["severity"].map(SEVERITY_ORDER).fillna(3),
        _row=findings["cell"].map(_row_number),
        _sheet=findings["sheet"].fillna(""),
    )
    return keys.sort_values(["_sev", "_sheet", "_row"], kind="stable").drop(columns=["_sev", "_row", "_sheet"])


def _row_number(cell) -> int:
    try:
        return coordinate_from_string(cell)[1] if text_or_none(cell) else 0
    except ValueError:
        return 0


def split_message(row) -> tuple[str, str]:
    """(problem, fix): rule messages end with their suggestion; ingest ones get the catalogue fix."""
    message, suggestion = str(row.message), text_or_none(getattr(row, "suggestion", None))
    if suggestion and message.endswith(suggestion):
        return message[: -len(suggestion)], suggestion
    rule = RULES_BY_CODE.get(row.code)
    return message, suggestion or (rule.fix if rule else "")


def summary_text(unit: str, source_file: str, findings: pd.DataFrame, n_items: int = 0) -> str:
    items = (f"另有整改事项 {n_items} 项，请在“整改事项”工作表中逐项填写整改措施、责任人和完成时限后报回。"
             if n_items else "")
    if not findings["severity"].isin(["error", "warning"]).any():
        return f"{unit}：你单位报送的《{Path(source_file).name}》填报无误。{items}"
    return _findings_summary(unit, source_file, findings) + items


def _findings_summary(unit: str, source_file: str, findings: pd.DataFrame) -> str:
    counts = findings["severity"].value_counts()
    if (findings["code"] == "FILE_UNREADABLE").any():
        reason = findings.loc[findings["code"] == "FILE_UNREADABLE", "message"].iloc[0]
        return (f"{unit}：你单位报送的《{Path(source_file).name}》无法读取：{reason}"
                "请按附件《问题清单》处理后重新报送。")
    top = Counter(findings.loc[findings["severity"] != "info", "code"]).most_common(SUMMARY_TOP_RULES)
    named = "；".join(f"{_rule_title(code)}（{n}处）" for code, n in top)
    info = f"（另有 {counts.get('info', 0)} 处已自动处理，仅供参考）" if counts.get("info", 0) else ""
    return (f"{unit}：你单位报送的《{Path(source_file).name}》经审核，发现必须改正的问题 {counts.get('error', 0)} 处、"
            f"需要核实的问题 {counts.get('warning', 0)} 处{info}，主要是：{named}。"
            "问题所在单元格已在附件工作簿中标色并加批注，第一张工作表“问题清单”逐条列出了问题和修改建议。"
            "请逐项改正，经主管部门审核后重新报送。")


def _rule_title(code: str) -> str:
    """The rule's meaning without its bracketed detail, short enough for a letter."""
    rule = RULES_BY_CODE.get(code)
    return re.sub(r"（[^）]*）", "", rule_meaning(rule)) if rule else code


# -- the workbook ---------------------------------------------------------------------------------
def write_one(original: Path, findings: pd.DataFrame, summary: str, path: Path,
              items: pd.DataFrame | None = None, readable: bool = True) -> Path:
    """``readable`` False (a failed or skipped file): the original is not opened again, only the list is sent."""
    book = _copy_of(original) if readable else _empty_copy()
    _mark_cells(book, findings)
    _issue_sheet(book, findings, summary, original.name)
    if items is not None and len(items):
        from jixiao.store.rectification import add_items_sheet

        add_items_sheet(book, items)
    book.save(path)
    return path


def _copy_of(original: Path) -> openpyxl.Workbook:
    """The submitted workbook as openpyxl sees it (.xls rebuilt from its values); empty when unreadable."""
    try:
        kind = sniff(original)
        # sniff tells macro-enabled workbooks apart; openpyxl reads both
        if kind in ("xlsx", "xlsm") and merged_cell_count(original) <= DEFAULT_LIMITS.max_cells:
            return _without_control_characters(openpyxl.load_workbook(original))
        return _rebuilt(original)  # .xls, or merges openpyxl would expand cell by cell (A1:XFD1048576)
    except (UnreadableWorkbook, OSError, Exception):  # noqa: BLE001 - still send the list of problems
        return _empty_copy()


def _empty_copy() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.active.title = "原文件无法打开"
    return book


def _without_control_characters(book: openpyxl.Workbook) -> openpyxl.Workbook:
    """Text cells a workbook cannot save (control characters) cleaned; only stored cells are visited."""
    for sheet in book.worksheets:
        for cell in list(sheet._cells.values()):  # noqa: SLF001 - iter_rows would walk the declared range
            if isinstance(cell.value, str) and cell.data_type == "s":
                cleaned = clean_text(cell.value)
                if cleaned != cell.value:
                    cell.value = cleaned
    return book


def _rebuilt(original: Path) -> openpyxl.Workbook:
    """An .xls copy: values, number formats and merges (openpyxl cannot write .xls)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for grid in read_workbook(original):
        sheet = book.create_sheet(grid.name)
        for (r, c), cell in grid.cells.items():
            target = put(sheet, r, c, cell.value)
            target.number_format = cell.number_format
        for r1, c1, r2, c2 in grid.merged:
            sheet.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    return book


def _mark_cells(book: openpyxl.Workbook, findings: pd.DataFrame) -> None:
    marks: dict[tuple[str, str], list] = {}
    for row in findings.itertuples():
        sheet, cell = text_or_none(row.sheet), text_or_none(row.cell)
        if sheet in book.sheetnames and cell:
            target = _anchor(book[sheet], cell)
            marks.setdefault((sheet, target), []).append(row)
    for (sheet, cell), rows in marks.items():
        target = book[sheet][cell]
        worst = min((r.severity for r in rows), key=lambda s: SEVERITY_ORDER.get(s, 3))
        target.fill = FILLS.get(worst, FILLS["warning"])
        text = "\n".join(f"【{SEVERITY_LABELS.get(r.severity, r.severity)}】{r.message}" for r in rows)
        comment = Comment(clean_text(text), COMMENT_AUTHOR)
        comment.width, comment.height = 360, 40 + 60 * len(rows)
        target.comment = comment


def _anchor(sheet, cell: str) -> str:
    """The top-left cell of the merged range containing ``cell`` (comments live there)."""
    if not isinstance(sheet[cell], MergedCell):
        return cell
    for merged in sheet.merged_cells.ranges:
        if cell in merged:
            return merged.start_cell.coordinate
    return cell


def _issue_sheet(book: openpyxl.Workbook, findings: pd.DataFrame, summary: str, file_name: str) -> None:
    sheet = book.create_sheet(ISSUE_SHEET, 0)
    put(sheet, 1, 1, f"问题清单：{file_name}").font = Font(size=14, bold=True)
    put(sheet, 2, 1, summary).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(ISSUE_HEADERS))
    sheet.row_dimensions[2].height = 80
    for col, (header, width) in enumerate(zip(ISSUE_HEADERS, ISSUE_WIDTHS), start=1):
        sheet.cell(4, col, header).font = Font(bold=True)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width
    for number, row in enumerate(findings.itertuples(), start=1):
        _issue_row(sheet, 4 + number, number, row, book.sheetnames)
    sheet.freeze_panes = "A5"
    sheet.column_dimensions[ISSUE_CODE_COLUMN].hidden = True
    print_setup(sheet, title_rows="4:4")
    book.active = 0
    for other in book.worksheets[1:]:
        other.sheet_view.tabSelected = False


def _issue_row(sheet, r: int, number: int, row, sheet_names: list[str]) -> None:
    problem, fix = split_message(row)
    rule = RULES_BY_CODE.get(row.code)
    values = (number, text_or_none(row.sheet), text_or_none(row.cell),
              SEVERITY_LABELS.get(row.severity, row.severity), rule_meaning(rule) if rule else "", problem, fix, row.code)
    for col, value in enumerate(values, start=1):
        cell = put(sheet, r, col, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(r, 4).fill = FILLS.get(row.severity, FILLS["warning"])
    if text_or_none(row.sheet) in sheet_names and text_or_none(row.cell):
        link = sheet.cell(r, 3)
        link.hyperlink = f"#'{row.sheet}'!{row.cell}"
        link.font = Font(color="0563C1", underline="single")
