"""《部门项目支出绩效运行监控情况表》: one formatted workbook per 主管部门, ready to check and seal.

One row per project (budget, 1-N月 executed, rate, 序时进度, forecast, lights, the main deviating
indicators, the units' reasons and measures), a 合计 row, the 填报单位/审核人/日期 lines, and a
print setup for A4 landscape (fit to width, header rows repeated on every page). Texts go through
the formula-safe writer, so a reason starting with "=" stays text.
"""
from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from jixiao.metrics.compute import LIGHT_LABELS, UNKNOWN
from jixiao.outputs.brief import WARNING_LIGHTS, BriefData, plain_reason, text
from jixiao.outputs.summary_excel import write_text

FORM_TITLE = "部门项目支出绩效运行监控情况表"
MAX_INDICATORS_LISTED = 3  # the main deviating indicators of a project; the rest are in the brief's 附件2
MONEY_FORMAT = "#,##0.00"
PCT_FORMAT = '0.0"%"'
THIN = Side(style="thin", color="000000")
BORDER = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
# (header, width in character cells, kind)
COLUMNS = (
    ("序号", 5, "int"), ("项目名称", 22, "text"), ("实施单位", 16, "text"), ("年初预算（万元）", 11, "money"),
    ("{period}执行（万元）", 11, "money"), ("执行率", 8, "pct"), ("序时进度", 8, "pct"),
    ("全年预计执行率", 9, "pct"), ("预算执行", 7, "text"), ("目标完成", 7, "text"),
    ("主要偏差指标", 26, "text"), ("偏差原因", 26, "text"), ("整改措施", 26, "text"),
)


def project_rows(data: BriefData, department: str) -> list[list]:
    """The form's rows for one department, from the stored metrics tables."""
    ps = data.tables["project_status"]
    projects = ps[ps["dept_name"] == department].sort_values("execution_rate", na_position="first")
    ind = data.tables["indicator_status"]
    rows = []
    for number, p in enumerate(projects.itertuples(), 1):
        warned = ind[(ind["project_id"] == p.project_id) & ind["light"].isin(WARNING_LIGHTS)]
        main = warned.head(MAX_INDICATORS_LISTED)
        rows.append([
            number, text(p.project_name), text(p.unit_name), _num(p.budget_total), _num(p.executed_total),
            _num(p.execution_rate), _num(p.time_progress), _num(p.expected_rate),
            LIGHT_LABELS.get(p.budget_light, LIGHT_LABELS[UNKNOWN]), LIGHT_LABELS.get(p.target_light, LIGHT_LABELS[UNKNOWN]),
            "；".join(f"{text(r.name)}（{plain_reason(r.light_reason)}）" for r in main.itertuples()),
            "；".join(dict.fromkeys(text(r.reason_text) for r in main.itertuples() if text(r.reason_text))),
            "；".join(dict.fromkeys(text(r.remarks) for r in main.itertuples() if text(r.remarks))),
        ])
    return rows


def build_form(data: BriefData, department: str) -> Workbook:
    period = f"1-{data.month}月"
    headers = [h.format(period=period) for h, _, _ in COLUMNS]
    rows = project_rows(data, department)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "监控情况表"
    last = get_column_letter(len(COLUMNS))
    sheet.merge_cells(f"A1:{last}1")
    write_text(sheet["A1"], f"{data.year}年{period}{FORM_TITLE}")
    sheet["A1"].font = Font(name="黑体", size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(f"A2:{last}2")
    write_text(sheet["A2"], f"主管部门：{department}　　　　金额单位：万元")
    _fit_height(sheet, 3, headers)
    for col, header in enumerate(headers, 1):
        cell = sheet.cell(row=3, column=col)
        write_text(cell, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    for r, values in enumerate(rows, 4):
        for col, (value, (_, _, kind)) in enumerate(zip(values, COLUMNS), 1):
            _write(sheet.cell(row=r, column=col), value, kind)
        _fit_height(sheet, r, values)
    total_row = 4 + len(rows)
    budget = sum(v[3] or 0 for v in rows)
    executed = sum(v[4] or 0 for v in rows)
    totals = ["合计", "", "", budget, executed, executed / budget * 100 if budget else None] + [""] * (len(COLUMNS) - 6)
    for col, (value, (_, _, kind)) in enumerate(zip(totals, COLUMNS), 1):
        cell = sheet.cell(row=total_row, column=col)
        _write(cell, value, "text" if col == 1 else kind)
        cell.font = Font(bold=True)
    sign_row = total_row + 2
    for col, label in ((1, "填报单位（盖章）："), (6, "审核人："), (11, "日期：　　年　　月　　日")):
        write_text(sheet.cell(row=sign_row, column=col), label)
    for col, (_, width, _) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    _print_setup(sheet)
    return workbook


LINE_HEIGHT_PT = 14  # one wrapped line of 11 pt text


def _fit_height(sheet, row: int, values: list) -> None:
    """Row height for the wrapped texts: Excel and LibreOffice do not grow rows written by openpyxl."""
    lines = 1
    for value, (_, width, kind) in zip(values, COLUMNS):
        if kind == "text" and value:
            lines = max(lines, math.ceil(_display_width(str(value)) / max(width - 1, 1)))
    sheet.row_dimensions[row].height = LINE_HEIGHT_PT * lines + 4


def _display_width(text: str) -> int:
    """Character cells a text needs: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _write(cell, value, kind: str) -> None:
    if kind in ("money", "pct") and isinstance(value, (int, float)):
        cell.value = value
        cell.number_format = MONEY_FORMAT if kind == "money" else PCT_FORMAT
        cell.alignment = Alignment(horizontal="right", vertical="center")
    elif kind == "int" and isinstance(value, int):
        cell.value = value
        cell.alignment = Alignment(horizontal="center", vertical="center")
    else:
        write_text(cell, "" if value is None else str(value))
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    cell.border = BORDER


def _print_setup(sheet) -> None:
    """A4 landscape, every column on the page width, header rows on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:3"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.freeze_panes = "C4"


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def write_forms(data: BriefData, departments: list[str], folder: Path, stems: list[str]) -> list[Path]:
    """One 情况表 per department into ``folder`` (file names from the brief's safe stems)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for department, stem in zip(departments, stems):
        path = folder / f"{stem}_{FORM_TITLE}.xlsx"
        partial = path.with_name(path.name + ".part")
        build_form(data, department).save(partial)
        partial.replace(path)
        written.append(path)
    return written
