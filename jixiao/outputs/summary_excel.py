"""The formatted Excel 汇总 workbook for finance staff (reports/<year>-<month>/汇总/).

Sheets 部门汇总, 项目明细, 指标明细, 重点监控清单, 整改清单 and 说明: Chinese headers,
frozen header row, autofilter, 万元 with two decimals, percentages with one, light
colours, widths that fit Chinese text. Text that came from a submission is never
written as a live formula: a cell starting with = + - @ is stored as a string with
Excel's quote prefix (``quotePrefix``), so neither Excel nor LibreOffice evaluates it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.config.settings import Settings, period_dir
from jixiao.domain.formatting import data_period
from jixiao.domain.vocabulary import STATUS_LABELS
from jixiao.metrics.compute import BLUE, DIRECTION_LABELS, GREEN, LIGHT_LABELS, RED, UNKNOWN, YELLOW
from jixiao.outputs.safe import FORMULA_TRIGGERS, write_text  # noqa: F401 - re-exported for explorer
from jixiao.store.schema import as_list, is_missing
from jixiao.validate.checks import SEVERITY_LABELS

MONEY_FORMAT = "#,##0.00"  # 万元, two decimals, thousands separated as finance staff write them
PERCENT_FORMAT = "0.0%"    # one decimal; the tables store 95 for 95 %, the cell holds 0.95
SCORE_FORMAT = "0.00"
INT_FORMAT = "0"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Printing: A4 landscape, one page wide, header row on every page, "第 n 页，共 m 页" in the footer.
PRINT_FOOTER = "第 &P 页，共 &N 页"
TOTAL_LABEL = "合计"

LIGHT_FILLS = {  # Excel's familiar conditional-format palette
    RED: "FFC7CE", YELLOW: "FFEB9C", GREEN: "C6EFCE", BLUE: "BDD7EE", UNKNOWN: "D9D9D9",
}
HEADER_FILL = "DDEBF7"
MIN_WIDTH, MAX_WIDTH, WIDTH_PADDING = 6, 50, 2  # column widths in character cells
WRAP_FROM_WIDTH = MAX_WIDTH  # columns that hit the cap wrap their text

SHEET_NAMES = ("部门汇总", "项目明细", "指标明细", "重点监控清单", "整改清单", "说明")


@dataclass(frozen=True)
class Col:
    header: str
    source: str | None  # column of the frame; None = blank column to fill in by hand
    kind: str = "text"  # text | money | percent | int | score | light | bool | direction | list | status | severity | datetime
    hidden: bool = False  # kept for the bureau (e.g. the rule code) but hidden from the units reading the sheet


def report_dir(reports_root: Path, year: int, month: int) -> Path:
    """reports/<year>-<month>/汇总/ (month zero-padded so folders sort by time)."""
    return period_dir(reports_root, year, month) / "汇总"


def write_summary_workbook(tables: dict[str, pd.DataFrame], out_dir: Path) -> Path:
    """Write the 汇总 workbook under ``out_dir`` (the reports root) and return its path."""
    defaults = Settings()
    year, month = data_period(tables["project_status"], defaults.year, defaults.period_end_month)
    folder = report_dir(out_dir, year, month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{year}年1-{month}月项目支出绩效运行监控汇总.xlsx"
    build_workbook(tables, year, month).save(path)
    return path


def build_workbook(tables: dict[str, pd.DataFrame], year: int, month: int) -> Workbook:
    period = f"1-{month}月"
    projects, indicators = tables["project_status"], tables["indicator_status"]
    departments = tables["department_summary"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    profile_name, profile_hash, method = _profile_info(tables)

    sheet = _table_sheet(workbook, "部门汇总", departments, department_columns(period))
    _total_row(sheet, departments, department_columns(period), label_column="dept_name")
    _append_notes(sheet, [method])
    sheet = _table_sheet(workbook, "项目明细", projects, project_columns(period))
    _total_row(sheet, projects, project_columns(period), label_column="dept_name")
    _table_sheet(workbook, "指标明细", indicators, indicator_columns(period))
    key = projects[projects["key_monitoring"].fillna(False).astype(bool)]
    _table_sheet(workbook, "重点监控清单", key, key_columns(period))
    _table_sheet(workbook, "整改清单", rectification_items(projects, indicators), rectification_columns())
    # Every received file with its status, and every finding, so a clerk never needs the Parquet tables.
    if "submissions" in tables:
        _table_sheet(workbook, "报送文件", tables["submissions"], submission_columns())
    if "findings" in tables:
        _table_sheet(workbook, "问题清单", tables["findings"], finding_columns())
    _notes_sheet(workbook, year, period, profile_name, profile_hash, method)
    return workbook


# ---------------------------------------------------------------- sheet layouts

def department_columns(period: str) -> list[Col]:
    return [
        Col("排名", "rank", "int"), Col("主管部门", "dept_name"), Col("项目数", "n_projects", "int"),
        Col("年初预算数（万元）", "budget_total", "money"), Col(f"{period}执行数（万元）", "executed_total", "money"),
        Col("预算执行率", "execution_rate", "percent"), Col("序时进度", "time_progress", "percent"),
        Col("执行进度比", "execution_ratio", "percent"), Col("全年预计执行率", "expected_rate", "percent"),
        Col("红灯指标数", "n_red", "int"), Col("黄灯指标数", "n_yellow", "int"), Col("绿灯指标数", "n_green", "int"),
        Col("蓝灯指标数", "n_blue", "int"), Col("无法判断指标数", "n_unknown", "int"),
        Col("重点监控项目数", "n_key_projects", "int"), Col("主要偏差原因", "main_reasons"),
        Col("执行得分", "execution_score", "score"), Col("目标得分", "target_score", "score"),
        Col("综合得分", "score", "score"),
        Col("监控工作质量得分", "quality_score", "score"), Col("名次说明", "rank_note"),
        Col("未支出存量资金（万元）", "stock_idle", "money"),
    ]


def project_columns(period: str) -> list[Col]:
    return [
        Col("主管部门", "dept_name"), Col("实施单位", "unit_name"), Col("项目名称", "project_name"),
        Col("年初预算数（万元）", "budget_total", "money"), Col(f"{period}执行数（万元）", "executed_total", "money"),
        Col("预算执行率", "execution_rate", "percent"), Col("序时进度", "time_progress", "percent"),
        Col("执行进度比", "execution_ratio", "percent"), Col("全年预计执行率", "expected_rate", "percent"),
        Col("预计结转结余（万元）", "expected_carryover", "money"),
        Col("预算执行灯", "budget_light", "light"), Col("目标完成灯", "target_light", "light"),
        Col("双监控灯", "dual_light", "light"), Col("重点监控", "key_monitoring", "bool"),
        Col("处理建议", "suggestion"), Col("预算执行判断依据", "budget_reason"),
        Col("目标完成判断依据", "target_reason"), Col("列入重点监控原因", "key_reason"),
        Col("监控级别", "monitoring_level"), Col("全部处理建议（含金额）", "suggestions", "list"),
        Col("未支出存量资金（万元）", "stock_idle", "money"), Col("监控期间", "period_label"),
    ]


def indicator_columns(period: str) -> list[Col]:
    return [
        Col("主管部门", "dept_name"), Col("实施单位", "unit_name"), Col("项目名称", "project_name"),
        Col("一级指标", "level1"), Col("二级指标", "level2"), Col("三级指标", "name"),
        Col("年度指标值", "target_text"), Col(f"{period}执行情况", "actual_text"),
        Col("全年预计完成情况", "expected_text"), Col("方向", "direction", "direction"),
        Col("完成率", "completion", "percent"), Col("偏离度", "deviation", "percent"),
        Col("序时进度比", "pace_ratio", "percent"), Col("指标灯", "light", "light"),
        Col("判断依据", "light_reason"), Col("完成目标可能性", "possibility"),
        Col("偏差原因", "reasons", "list"), Col("原因说明", "reason_text"), Col("备注", "remarks"),
        Col("截止日期", "target_deadline"),
    ]


def key_columns(period: str) -> list[Col]:
    return [
        Col("主管部门", "dept_name"), Col("实施单位", "unit_name"), Col("项目名称", "project_name"),
        Col("年初预算数（万元）", "budget_total", "money"), Col(f"{period}执行数（万元）", "executed_total", "money"),
        Col("预算执行率", "execution_rate", "percent"), Col("执行进度比", "execution_ratio", "percent"),
        Col("预算执行灯", "budget_light", "light"), Col("目标完成灯", "target_light", "light"),
        Col("双监控灯", "dual_light", "light"), Col("列入原因", "key_reason"), Col("处理建议", "suggestion"),
        Col("风险资金（万元）", "money_at_risk", "money"), Col("全部处理建议（含金额）", "suggestions", "list"),
    ]


def submission_columns() -> list[Col]:
    return [
        Col("报送文件", "source_file"), Col("读取状态", "status", "status"), Col("原因", "reason"),
        Col("项目数", "n_projects", "int"), Col("指标数", "n_indicators", "int"),
        Col("被较新报送替代的项目数", "n_replaced", "int"), Col("文件修改时间", "modified", "datetime"),
        Col("文件校验值", "sha256"),
    ]


def finding_columns() -> list[Col]:
    return [
        Col("报送文件", "source_file"), Col("工作表", "sheet"), Col("单元格", "cell"),
        Col("严重程度", "severity", "severity"), Col("问题说明", "message"),
        Col("修改建议", "suggestion"), Col("规则代码", "code", hidden=True),
    ]


def rectification_columns() -> list[Col]:
    return [
        Col("主管部门", "dept_name"), Col("实施单位", "unit_name"), Col("项目名称", "project_name"),
        Col("问题类别", "category"), Col("指标名称", "name"), Col("问题说明", "problem"),
        Col("单位说明的原因", "reason_text"), Col("拟采取的措施", "remarks"),
        Col("整改责任人", None), Col("整改期限", None),
    ]


def rectification_items(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """整改清单: every red budget light and every red indicator, with the unit's own reason and measure."""
    budget = projects[projects["budget_light"] == RED].assign(
        category="预算执行", name="", problem=projects["budget_reason"], reason_text="", remarks="")
    red = indicators[indicators["light"] == RED].assign(category="绩效目标", problem=indicators["light_reason"])
    columns = ["dept_name", "unit_name", "project_name", "category", "name", "problem", "reason_text", "remarks"]
    items = pd.concat([budget[columns], red[columns]], ignore_index=True)
    return items.sort_values(["dept_name", "unit_name", "project_name", "category"], kind="mergesort",
                             na_position="last").reset_index(drop=True)


# ---------------------------------------------------------------- writing cells

def _table_sheet(workbook: Workbook, title: str, frame: pd.DataFrame, columns: list[Col]):
    sheet = workbook.create_sheet(title)
    widths = [_display_width(col.header) for col in columns]
    for index, col in enumerate(columns, start=1):
        _style_header(sheet.cell(row=1, column=index, value=col.header))
    for row_number, record in enumerate(frame.to_dict("records"), start=2):
        for index, col in enumerate(columns, start=1):
            value = record.get(col.source) if col.source else None
            shown = _write_value(sheet.cell(row=row_number, column=index), value, col.kind)
            widths[index - 1] = max(widths[index - 1], _display_width(shown))
    last = get_column_letter(len(columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(len(frame) + 1, 1)}"
    _set_widths(sheet, widths)
    for index, col in enumerate(columns, start=1):
        if col.hidden:
            sheet.column_dimensions[get_column_letter(index)].hidden = True
    print_setup(sheet)
    return sheet


def print_setup(sheet, title_rows: str = "1:1") -> None:
    """A4 landscape, fit to one page wide (any number of pages tall), header rows repeated, page numbers."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # via the class: write-only sheets lack the constants
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = PRINT_FOOTER


def _total_row(sheet, frame: pd.DataFrame, columns: list[Col], label_column: str) -> None:
    """合计 under a department or project table: sums of money and counts, the rate of the sums."""
    row = sheet.max_row + 1
    summed = [col for col in columns if col.source in frame
              and (col.kind == "money" or (col.kind == "int" and col.source.startswith("n_")))]  # counts, not ranks
    sums = {col.source: frame[col.source].sum() for col in summed}
    for index, col in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=index)
        if col.source == label_column:
            write_text(cell, TOTAL_LABEL)
        elif col.source in sums:
            _write_value(cell, sums[col.source], col.kind)
        elif col.source == "execution_rate" and sums.get("budget_total"):
            _write_value(cell, sums["executed_total"] / sums["budget_total"] * 100, "percent")
        cell.font = Font(bold=True)


def _write_value(cell, value, kind: str) -> str:
    """Write one value with its format; return the text shown, for the column width."""
    if is_missing(value) and kind != "list":
        return ""
    if kind == "money":
        cell.value, cell.number_format = float(value), MONEY_FORMAT
        return f"{float(value):.2f}"
    if kind == "percent":
        cell.value, cell.number_format = float(value) / 100.0, PERCENT_FORMAT
        return f"{float(value):.1f}%"
    if kind in ("int", "score"):
        cell.value = int(value) if kind == "int" else float(value)
        cell.number_format = INT_FORMAT if kind == "int" else SCORE_FORMAT
        return str(cell.value)
    if kind == "datetime":
        # ISO 8601 with the machine's offset: the wall-clock time it states is the local time.
        stamp = pd.Timestamp(value)
        cell.value, cell.number_format = stamp.tz_localize(None).to_pydatetime(), DATETIME_FORMAT
        return stamp.strftime("%Y-%m-%d %H:%M")
    if kind == "light":
        cell.fill = PatternFill("solid", fgColor=LIGHT_FILLS.get(value, LIGHT_FILLS[UNKNOWN]))
        cell.alignment = Alignment(horizontal="center")
        return write_text(cell, LIGHT_LABELS.get(value, str(value)))
    if kind == "bool":
        return write_text(cell, "是" if bool(value) else "否")
    if kind == "direction":
        return write_text(cell, DIRECTION_LABELS.get(value, str(value)))
    if kind == "status":
        return write_text(cell, STATUS_LABELS.get(value, str(value)))
    if kind == "severity":
        return write_text(cell, SEVERITY_LABELS.get(value, str(value)))
    if kind == "list":
        return write_text(cell, "、".join(str(v) for v in as_list(value)))
    return write_text(cell, str(value))


def _style_header(cell) -> None:
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin", color="999999")
    cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)


def _display_width(text: str) -> int:
    """Character cells a text needs: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _set_widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        fitted = min(max(width + WIDTH_PADDING, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = fitted
        if width + WIDTH_PADDING >= WRAP_FROM_WIDTH:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _append_notes(sheet, lines: list[str]) -> None:
    """Notes under a table (outside its autofilter range), e.g. the ranking method."""
    start = sheet.max_row + 2
    for offset, line in enumerate(lines):
        write_text(sheet.cell(row=start + offset, column=1), line)


def _notes_sheet(workbook: Workbook, year: int, period: str, profile_name: str, profile_hash: str,
                 method: str) -> None:
    sheet = workbook.create_sheet("说明")
    rows = [
        ("项目", "内容"),
        ("监控期间", f"{year}年{period}"),
        ("规则配置", profile_name),
        ("规则内容哈希", profile_hash),
        ("部门排名方法", method),
        ("灯色", "红灯：严重滞后或偏离；黄灯：需关注；绿灯：正常；蓝灯：超额完成（目标可能偏低）；无法判断：资料不足，见判断依据"),
        ("双监控灯", "预算执行不达标为红；执行达标、绩效目标不达标为黄；两者都达标为绿"),
        ("金额与比率", "金额单位万元（保留两位小数）；执行率、进度、完成率、偏离度为百分比（保留一位小数）"),
        ("计算方法", "执行率 = 1-N月执行数 ÷ 年初预算数；执行进度比 = 执行率 ÷ 序时进度；偏离度按全年预计完成情况计算；"
                     "所有阈值来自上面所列的规则配置，各表“判断依据”列写明每个灯色的理由"),
    ]
    for row_number, (key, value) in enumerate(rows, start=1):
        write_text(sheet.cell(row=row_number, column=1), key)
        write_text(sheet.cell(row=row_number, column=2), value)
    for cell in sheet[1]:
        _style_header(cell)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    print_setup(sheet)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _profile_info(tables: dict[str, pd.DataFrame]) -> tuple[str, str, str]:
    """Profile name, hash and ranking method as recorded in the tables themselves."""
    def first(frame: pd.DataFrame, column: str) -> str:
        values = frame[column].dropna() if column in frame else []
        return str(values.iloc[0]) if len(values) else ""

    projects, departments = tables["project_status"], tables["department_summary"]
    return first(projects, "profile_name"), first(projects, "profile_hash"), first(departments, "ranking_method")
