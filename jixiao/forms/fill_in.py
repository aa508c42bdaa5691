"""Fill-in templates: one workbook per unit, one sheet per project, prefilled from the approved targets.

The sheets follow the central template (财预〔2019〕136号 annex, as in the 2023 notice) so the
ordinary reader ingests a filled template back without loss. What the unit must not change
(project identity, approved budget, indicator names and 年度指标值) is locked with sheet
protection without a password: it guards against slips, not against intent, and a clerk can
still lift it. Tick columns carry a one-item list ("√") and amounts a number check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.config.settings import Settings
from jixiao.forms.painter import FORM_TITLE, fund_headers, indicator_headers
from jixiao.normalise.values import POSSIBILITY_LEVELS, REASON_CATEGORIES
from jixiao.outputs import safe
from jixiao.validate.approved import approved_projects, read_approved

TICK = "√"
WIDTH = 16  # columns A..P
# Indicator table: role -> column (1-based); ticks take one column per category or level.
INDICATOR_COLUMNS = {"level1": 1, "level2": 2, "name": 3, "target": 4, "actual": 5, "expected": 6,
                     "reason_text": 15, "remarks": 16}
REASON_COLUMNS = {category: 7 + i for i, category in enumerate(REASON_CATEGORIES)}  # G..K
POSSIBILITY_COLUMNS = {level: 12 + i for i, level in enumerate(POSSIBILITY_LEVELS)}  # L..N
# Funds block: role -> first column of its three-column span; rows follow FUND_ROWS.
FUND_COLUMNS = {"budget": 3, "executed": 6, "rate": 9, "expected": 12}
FUND_ROWS = (("total", "年度资金总额"), ("fiscal", "其中：当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
TITLE_ROW, PERIOD_ROW, UNIT_ROW, NAME_ROW, DEPT_ROW, FUNDS_HEADER_ROW = 1, 2, 3, 4, 5, 6
GOAL_ROW = FUNDS_HEADER_ROW + len(FUND_ROWS) + 1
INDICATOR_HEADER_ROW = GOAL_ROW + 1
FIRST_INDICATOR_ROW = INDICATOR_HEADER_ROW + 2
INSTRUCTIONS_SHEET = "填报说明"
COLUMN_WIDTHS = {"A": 10, "B": 12, "C": 22, "D": 14, "E": 14, "F": 14, "O": 26, "P": 18}
TICK_COLUMN_WIDTH = 6

LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")  # prefilled, not to be changed
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")
UNLOCKED = Protection(locked=False)

NOTES = ("注：1.偏差原因分析：针对与年度指标值产生偏差的指标，分别从经费保障、制度保障、人员保障、硬件条件保障等方面分析原因，"
         "在对应栏内打“√”，并在“原因说明”栏写明具体原因。2.完成目标可能性：根据1-{m}月执行情况判断全年能否完成年度指标值，"
         "在“确定能”“有可能”“完全不可能”中选一项打“√”；选“有可能”或“完全不可能”的，必须勾选偏差原因并填写原因说明。"
         "3.备注：说明预计全年不能完成目标的原因及拟采取的措施。4.三级指标和年度指标值为年初批复数，不得修改（已锁定）。")


def instructions(settings: Settings) -> list[str]:
    m, y = settings.period_end_month, settings.year
    return [
        f"《项目支出绩效目标执行监控表》填报说明（{y}年1-{m}月）",
        "1. 本工作簿按年初批复的绩效目标生成，每个项目一张工作表。灰色单元格（项目名称、主管部门、实施单位、年初预算数、"
        "一级至三级指标、年度指标值）为批复内容，已锁定，不得修改。",
        f"2. 资金：金额单位为万元。请填写各资金来源的1-{m}月执行数和全年预计执行数；年度资金总额和执行率由公式自动计算"
        "（执行率=执行数÷年初预算数）。全年预计执行数应不少于已执行数。",
        f"3. 指标：在“1-{m}月执行情况”和“全年预计完成情况”中填写数值和单位（如“96%”“8台”），或定性指标的完成情况"
        "（如“达到预期”）。",
        "4. 偏差原因分析：有偏差的指标，在经费保障、制度保障、人员保障、硬件条件保障、其他中相应栏内选择“√”，"
        "并在“原因说明”中写明具体原因；没有偏差的指标不填。",
        "5. 完成目标可能性：每个指标在“确定能”“有可能”“完全不可能”中只选一项“√”。选“有可能”或“完全不可能”的，"
        "必须勾选偏差原因、填写原因说明，并在备注中写明拟采取的措施。",
        "6. 不得增加、删除或改名指标，不得调整年度指标值；确需调整的，应按程序报批。",
        "7. 填好后请保存为 .xlsx，文件名保留单位名称，由主管部门审核汇总后报送县财政局。",
    ]


@dataclass
class SheetWriter:
    """Writes one project form on ``sheet`` from its approved rows."""

    sheet: Worksheet
    project: Any  # a row of approved_projects()
    indicators: pd.DataFrame
    settings: Settings

    def write(self) -> None:
        self._titles()
        self._identity()
        self._funds()
        self._goal()
        self._indicator_header()
        last = self._indicator_rows()
        self._notes(last + 1)
        self._layout()
        self.sheet.protection.sheet = True  # no password: a guard against slips
        self.sheet.protection.formatColumns = False
        self.sheet.protection.formatRows = False

    # -- helpers ------------------------------------------------------------------------------
    def put(self, row: int, col: int, value: Any, width: int = 1, height: int = 1, locked: bool = True,
            align: Alignment = WRAP, fmt: str | None = None, own_formula: bool = False) -> None:
        # Only formulas this module builds are live; approved and submitted text is written formula-safe.
        cell = self.sheet.cell(row, col, value=value) if own_formula else safe.put(self.sheet, row, col, value)
        cell.alignment = align
        if fmt:
            cell.number_format = fmt
        for r in range(row, row + height):
            for c in range(col, col + width):
                target = self.sheet.cell(r, c)
                target.border = BORDER
                target.protection = Protection(locked=locked)
        if width > 1 or height > 1:
            self.sheet.merge_cells(start_row=row, start_column=col, end_row=row + height - 1, end_column=col + width - 1)

    def prefilled(self, row: int, col: int, value: Any, width: int = 1, height: int = 1) -> None:
        self.put(row, col, value, width, height, align=WRAP_LEFT)
        self.sheet.cell(row, col).fill = LOCKED_FILL

    # -- header -------------------------------------------------------------------------------
    def _titles(self) -> None:
        s = self.settings
        self.sheet.cell(TITLE_ROW, 1, FORM_TITLE).font = Font(size=16, bold=True)
        self.sheet.cell(PERIOD_ROW, 1, f"（{s.year}年1-{s.period_end_month}月）")
        safe.put(self.sheet, UNIT_ROW, 1, f"填报单位（盖章）：{_text(self.project.unit_name) or ''}")
        self.sheet.cell(UNIT_ROW, WIDTH - 3, "单位：万元")
        for row, width in ((TITLE_ROW, WIDTH), (PERIOD_ROW, WIDTH), (UNIT_ROW, WIDTH - 4)):
            self.sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            self.sheet.cell(row, 1).alignment = Alignment(horizontal="center" if row != UNIT_ROW else "left")
        self.sheet.merge_cells(start_row=UNIT_ROW, start_column=WIDTH - 3, end_row=UNIT_ROW, end_column=WIDTH)

    def _identity(self) -> None:
        p = self.project
        self.put(NAME_ROW, 1, "项目名称", width=2)
        self.prefilled(NAME_ROW, 3, p.project_name, width=WIDTH - 2)
        self.put(DEPT_ROW, 1, "主管部门及代码", width=2)
        self.prefilled(DEPT_ROW, 3, _dept_text(p), width=6)
        self.put(DEPT_ROW, 9, "实施单位", width=2)
        self.prefilled(DEPT_ROW, 11, _text(p.unit_name), width=WIDTH - 10)

    def _funds(self) -> None:
        header = FUNDS_HEADER_ROW
        self.put(header, 1, "项目资金（万元）", width=2)
        titles = fund_headers(f"1-{self.settings.period_end_month}月")
        for role, col in FUND_COLUMNS.items():
            self.put(header, col, titles[role], width=3)
        self.put(header, 15, None, width=2)
        for i, (source, label) in enumerate(FUND_ROWS, start=1):
            self._fund_row(header + i, source, label)

    def _fund_row(self, row: int, source: str, label: str) -> None:
        self.put(row, 1, label, width=2, align=WRAP_LEFT)
        first, last = FUNDS_HEADER_ROW + 2, FUNDS_HEADER_ROW + len(FUND_ROWS)
        budget = _number(getattr(self.project, f"budget_{source}"))
        for role in ("budget", "executed", "expected"):
            col = FUND_COLUMNS[role]
            letter = get_column_letter(col)
            if role == "budget" and budget is not None:
                self.prefilled(row, col, budget, width=3)
            elif source == "total":  # the total adds up its parts: one arithmetic slip less
                self.put(row, col, f"=SUM({letter}{first}:{letter}{last})", width=3, fmt="0.00", own_formula=True)
            else:
                self.put(row, col, None, width=3, locked=False, fmt="0.00")
        executed, planned = (get_column_letter(FUND_COLUMNS[r]) for r in ("executed", "budget"))
        self.put(row, FUND_COLUMNS["rate"], f"=IFERROR({executed}{row}/{planned}{row},0)", width=3, fmt="0.00%",
                 own_formula=True)
        self.put(row, 15, None, width=2)

    def _goal(self) -> None:
        self.put(GOAL_ROW, 1, "年度总体目标", width=2)
        self.prefilled(GOAL_ROW, 3, _text(self.project.annual_goal), width=WIDTH - 2)
        self.sheet.row_dimensions[GOAL_ROW].height = 45

    # -- indicators ---------------------------------------------------------------------------
    def _indicator_header(self) -> None:
        top = INDICATOR_HEADER_ROW
        titles = indicator_headers(f"1-{self.settings.period_end_month}月")
        for role, col in INDICATOR_COLUMNS.items():
            self.put(top, col, titles[role], height=2)
        for role, columns in (("reasons", REASON_COLUMNS), ("possibility", POSSIBILITY_COLUMNS)):
            first = min(columns.values())
            self.put(top, first, titles[role], width=len(columns))
            for label, col in columns.items():
                self.put(top + 1, col, label)
        for row in (top, top + 1):
            for col in range(1, WIDTH + 1):
                self.sheet.cell(row, col).font = Font(bold=True)

    def _indicator_rows(self) -> int:
        rows = list(self.indicators.itertuples())
        for offset, indicator in enumerate(rows):
            row = FIRST_INDICATOR_ROW + offset
            self.prefilled(row, INDICATOR_COLUMNS["name"], indicator.name)
            self.prefilled(row, INDICATOR_COLUMNS["target"], indicator.target_text)
            for role in ("actual", "expected", "reason_text", "remarks"):
                self.put(row, INDICATOR_COLUMNS[role], None, locked=False, align=WRAP_LEFT)
            for col in (*REASON_COLUMNS.values(), *POSSIBILITY_COLUMNS.values()):
                self.put(row, col, None, locked=False)
        last = FIRST_INDICATOR_ROW + len(rows) - 1
        for level in ("level1", "level2"):
            self._level_runs(level, rows)
        self._tick_lists(last)
        return last

    def _level_runs(self, level: str, rows: list) -> None:
        """One merged cell per run of equal 一级/二级 labels, as in the central template."""
        col, start = INDICATOR_COLUMNS[level], 0
        keys = [(r.level1, r.level2)[: 1 if level == "level1" else 2] for r in rows]
        for i in range(1, len(rows) + 1):
            if i == len(rows) or keys[i] != keys[start]:
                self.prefilled(FIRST_INDICATOR_ROW + start, col, _text(getattr(rows[start], level)), height=i - start)
                start = i

    def _tick_lists(self, last: int) -> None:
        if last < FIRST_INDICATOR_ROW:
            return
        for group, columns in (("偏差原因", REASON_COLUMNS), ("完成目标可能性", POSSIBILITY_COLUMNS)):
            rule = DataValidation(type="list", formula1=f'"{TICK}"', allow_blank=True, showErrorMessage=True,
                                  errorTitle="请选择“√”", error=f"{group}请在下拉列表中选择“√”，不选的留空。",
                                  promptTitle=group, prompt="选择“√”或留空" + ("（只能选一项）" if columns is POSSIBILITY_COLUMNS else ""),
                                  showInputMessage=True)
            first, final = get_column_letter(min(columns.values())), get_column_letter(max(columns.values()))
            rule.add(f"{first}{FIRST_INDICATOR_ROW}:{final}{last}")
            self.sheet.add_data_validation(rule)
        amounts = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                 showErrorMessage=True, errorTitle="请填写数字", error="金额请填写以万元为单位的数字。")
        for role in ("budget", "executed", "expected"):
            letter = get_column_letter(FUND_COLUMNS[role])
            amounts.add(f"{letter}{FUNDS_HEADER_ROW + 2}:{letter}{FUNDS_HEADER_ROW + len(FUND_ROWS)}")
        self.sheet.add_data_validation(amounts)

    def _notes(self, row: int) -> None:
        self.sheet.cell(row, 1, NOTES.format(m=self.settings.period_end_month)).alignment = WRAP_LEFT
        self.sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
        self.sheet.row_dimensions[row].height = 75
        sign = row + 1
        for col, label in ((1, "填报人："), (6, "联系电话："), (11, "填报日期：")):
            self.sheet.cell(sign, col, label)
            self.sheet.merge_cells(start_row=sign, start_column=col + 2, end_row=sign, end_column=col + 4)
            self.sheet.cell(sign, col + 2).protection = UNLOCKED

    def _layout(self) -> None:
        for col in range(1, WIDTH + 1):
            letter = get_column_letter(col)
            self.sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(letter, TICK_COLUMN_WIDTH)
        self.sheet.freeze_panes = f"A{FIRST_INDICATOR_ROW}"
        self.sheet.print_options.horizontalCentered = True
        self.sheet.page_setup.orientation = "landscape"


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _dept_text(project) -> str | None:
    name, code = _text(project.dept_name), _text(project.dept_code)
    return f"{name}（{code}）" if name and code else name or _text(project.dept_text)


def safe_name(text: str, limit: int) -> str:
    """A file or sheet name: no characters Excel or file systems refuse."""
    cleaned = re.sub(r'[\\/:*?"<>|\[\]]', "_", safe.clean_text(text)).strip()[:limit]
    return safe.windows_safe(cleaned, "项目")


def unit_of(project) -> str:
    return _text(project.unit_name) or _text(project.dept_name) or "未注明单位"


def write_unit_workbook(path: Path, projects: list, approved: pd.DataFrame, settings: Settings) -> Path:
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_SHEET
    for row, line in enumerate(instructions(settings), start=1):
        guide.cell(row, 1, line).alignment = WRAP_LEFT
    guide.column_dimensions["A"].width = 110
    guide.cell(1, 1).font = Font(size=14, bold=True)
    used: set[str] = {INSTRUCTIONS_SHEET}
    for project in projects:
        title = _unique(safe_name(project.project_name or "项目", 31), used)
        sheet = book.create_sheet(title)
        rows = approved[approved["project_id"] == project.project_id]
        SheetWriter(sheet, project, rows, settings).write()
    book.active = 1 if len(book.worksheets) > 1 else 0
    book.save(path)
    return path


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        suffix = f"（{n}）"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def write_templates(approved_path: Path, out_dir: Path, settings: Settings | None = None) -> list[Path]:
    """One fill-in workbook per unit from the approved targets at ``approved_path``."""
    settings = settings or Settings()
    approved = read_approved(Path(approved_path), settings)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_unit: dict[str, list] = {}
    for project in approved_projects(approved).itertuples():
        by_unit.setdefault(unit_of(project), []).append(project)
    paths = []
    for unit, projects in by_unit.items():
        name = f"{safe_name(unit, 80)}_{settings.year}年1-{settings.period_end_month}月项目支出绩效目标执行监控表.xlsx"
        paths.append(write_unit_workbook(out_dir / name, projects, approved, settings))
    return paths
