"""Paint the monitoring form (《项目支出绩效目标执行监控表》) into workbooks.

One form painter serves the demo county and the test fixtures:

* :class:`Form` says what one project's form holds, already as the cells it should show
  (texts, numbers, :class:`Formatted` values, tick marks);
* :class:`FormStyle` says how the form is laid out, one switch per layout variant met in
  real submissions (titles, identity, funds block, indicator header band, tick columns ...);
* :func:`paint_form` draws a form onto a :class:`Canvas` (cells, merges, number formats and
  formulas of one sheet, independent of the file format) from a given top row;
* :func:`xlsx_bytes` and :func:`xls_bytes` (or :func:`write_workbook`) turn canvases into files.

The painter writes what it is told: deciding what a clerk types (units, comparators, marks)
stays with the caller.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl.utils import get_column_letter

from jixiao.normalise.values import POSSIBILITY_LEVELS, REASON_CATEGORIES

REASONS = REASON_CATEGORIES
LEVELS = POSSIBILITY_LEVELS
CANONICAL_COLUMNS = ("level1", "level2", "name", "target", "actual", "expected",
                     "reasons", "possibility", "reason_text", "remarks")
LEVEL_COLUMNS = ("level1", "level2", "name")
FORM_TITLE = "项目支出绩效目标执行监控表"
MIN_WIDTH = 16  # columns A..P of the central template
RATE_FORMAT = "0.00%"


# -- canvas ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Formatted:
    """A value shown with a number format (0.95 with '0%' reads 95%)."""

    value: Any
    fmt: str


@dataclass
class Put:
    """One cell: its value (a formula's cached result, if any), number format and formula."""

    value: Any
    fmt: str | None = None
    formula: str | None = None  # without the leading '='
    wrap: bool = False


def wraps(value: Any) -> bool:
    """Long or line-broken texts wrap, as a clerk's form shows them."""
    return isinstance(value, str) and ("\n" in value or len(value) > 30)


def ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


@dataclass
class Canvas:
    """Cells and merged ranges of one sheet, independent of the file format (1-based)."""

    name: str = "Sheet1"
    hidden: bool = False
    cells: dict[tuple[int, int], Put] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def put(self, row: int, col: int, value: Any, width: int = 1, height: int = 1,
            fmt: str | None = None) -> None:
        """Write ``value`` (nothing for None or ''), merged over ``width`` x ``height`` cells."""
        if isinstance(value, Formatted):
            value, fmt = value.value, value.fmt
        if value is not None and value != "":
            self.cells[(row, col)] = Put(value, fmt, wrap=wraps(value))
        self.merge(row, col, width, height)

    def formula(self, row: int, col: int, text: str, cached: Any = None, fmt: str | None = None) -> None:
        """A formula (without '='); ``cached`` is the result a spreadsheet program would have saved."""
        self.cells[(row, col)] = Put(cached, fmt, text)

    def merge(self, row: int, col: int, width: int = 1, height: int = 1) -> None:
        if width > 1 or height > 1:
            self.merges.append((row, col, row + height - 1, col + width - 1))

    def shifted(self, rows: int, cols: int) -> Canvas:
        """The same sheet moved down and right; formula references move along."""
        from openpyxl.formula.translate import Translator

        moved = Canvas(self.name, self.hidden)
        for (r, c), put in self.cells.items():
            formula = put.formula and Translator(f"={put.formula}", ref(r, c)).translate_formula(ref(r + rows, c + cols))
            moved.cells[(r + rows, c + cols)] = replace(put, formula=formula and formula.lstrip("="))
        moved.merges = [(r1 + rows, c1 + cols, r2 + rows, c2 + cols) for r1, c1, r2, c2 in self.merges]
        return moved


def rows_sheet(name: str, rows: Sequence[Sequence[Any]], hidden: bool = False, width: int = 1) -> Canvas:
    """A plain sheet of rows from A1 (instructions, lists); ``width`` merges each row's first cell."""
    canvas = Canvas(name, hidden)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            canvas.put(r, c, value, width=width if c == 1 else 1)
    return canvas


# -- what a form holds and how it is laid out ----------------------------------------------------
@dataclass(frozen=True)
class FundRow:
    """One row of the funds block, as the cells show it; ``rate`` is the 执行率 (None: no budget)."""

    label: Any
    budget: Any
    executed: Any
    expected: Any
    rate: Any = None


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the indicator table.

    ``cells`` maps a one-column role (name, target, actual, expected, reason_text, remarks,
    op, unit; reasons and possibility when written as text) to its value; ``ticks`` maps a
    reason category or a possibility level to the mark in its tick column.
    """

    level1: Any
    level2: Any
    cells: Mapping[str, Any]
    ticks: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    name: Any
    dept: Any
    unit: Any
    goal: Any
    funds: Sequence[FundRow]
    indicators: Sequence[IndicatorRow]
    notes: str | None = None  # the 注： line under the table
    signature: tuple[str, ...] = ()  # 填报人：…, 联系电话：…, four columns each


def indicator_headers(period: str) -> dict[str, str]:
    """Role -> header text of the indicator table, as in the central template."""
    return {"index": "序号", "level1": "一级指标", "level2": "二级指标", "name": "三级指标",
            "target": "年度指标值", "actual": f"{period}执行情况", "expected": "全年预计完成情况",
            "reasons": "偏差原因分析", "possibility": "完成目标可能性", "reason_text": "原因说明", "remarks": "备注",
            "op": "指标性质", "unit": "度量单位"}


def fund_headers(period: str) -> dict[str, str]:
    """Role -> header text of the funds block, as in the central template."""
    return {"budget": "年初预算数", "executed": f"{period}执行数", "rate": f"{period}执行率",
            "expected": "全年预计执行数"}


@dataclass(frozen=True)
class FormStyle:
    """Layout switches; the defaults give the central template as in the notice."""

    title: str | None = FORM_TITLE
    year: int = 2023
    period: str = "1-7月"
    period_line: bool = True  # the '（2023年1-7月）' line under the title
    money_unit: str = "万元"  # written in '单位：…' and '项目资金（…）'
    inline_name: bool = False  # '项目名称：XXX' in one cell
    columns: tuple[str, ...] = CANONICAL_COLUMNS  # indicator roles, in order ('index' adds 序号)
    headers: Mapping[str, str] = field(default_factory=dict)  # role -> indicator header text override
    reasons_as: str = "ticks"  # ticks (one column per category) | text (one column)
    possibility_as: str = "ticks"  # ticks (one column per level) | text (one column)
    reason_labels: tuple[str, ...] = REASONS  # tick column labels, by position of REASONS
    possibility_labels: tuple[str, ...] = LEVELS  # tick column labels, by position of LEVELS
    untick: Any = None  # what an unticked box holds ('□' on checkbox-style forms)
    level_fill: str = "merged"  # merged | repeat | first (一级/二级 only on a group's first row)
    blank_rows: bool = False  # a blank row after each 二级 group
    group_above: bool = False  # '绩效指标' spanning 一级/二级/三级 on the row above
    flat_ticks: bool = False  # tick columns with no group header over them
    index_column: bool = False  # a leading 序号 column in the funds block and the indicator table
    funds_col: int = 1  # first column of the funds block
    funds_side_label: bool = False  # '项目资金' merged down the left side of the fund rows
    fund_headers: Mapping[str, str] = field(default_factory=dict)  # budget/executed/rate/expected -> text
    rate_column: bool = True  # a 执行率 column
    fund_band: bool = False  # '1-7月执行情况' over the sub-headers '执行数 | 执行率'
    fund_remarks: bool = False  # an empty '备注' column right of 全年预计执行数
    formulas: str | None = None  # None | cached | uncached: SUM for 年度资金总额 and F/C for 执行率
    blank_rate_without_budget: bool = False  # formulas: no 执行率 formula in rows whose rate is None


class Column(NamedTuple):
    role: str
    tick: str | None = None  # the category or level a tick column stands for
    label: str | None = None  # its header text


def indicator_columns(style: FormStyle) -> list[Column]:
    """The indicator table's sheet columns; tick groups take one column per category or level."""
    out = [Column("index")] if style.index_column else []
    for role in style.columns:
        if role == "reasons" and style.reasons_as == "ticks":
            out.extend(Column(role, key, label) for key, label in zip(REASONS, style.reason_labels))
        elif role == "possibility" and style.possibility_as == "ticks":
            out.extend(Column(role, key, label) for key, label in zip(LEVELS, style.possibility_labels))
        else:
            out.append(Column(role))
    return out


# -- the painter -------------------------------------------------------------------------------
def paint_form(canvas: Canvas, form: Form, style: FormStyle, top: int = 1) -> int:
    """Paint ``form`` on ``canvas`` from row ``top``; returns the next free row."""
    return FormPainter(canvas, form, style, top).paint()


class FormPainter:
    """Paints one project form; ``row`` is the next free row while painting."""

    def __init__(self, canvas: Canvas, form: Form, style: FormStyle, top: int):
        self.canvas, self.form, self.style = canvas, form, style
        self.columns = indicator_columns(style)
        self.width = max(MIN_WIDTH, len(self.columns))
        self.row = top

    def paint(self) -> int:
        self._titles()
        self._identity()
        self._funds()
        self._goal()
        self._indicator_header()
        self._indicator_rows()
        self._notes()
        return self.row

    def _titles(self) -> None:
        s, put = self.style, self.canvas.put
        if s.title:
            put(self.row, 1, s.title, width=self.width)
            self.row += 1
        if s.period_line:
            put(self.row, 1, f"（{s.year}年{s.period}）", width=self.width)
            self.row += 1
        put(self.row, 1, "填报单位（盖章）：" + (self.form.unit or ""), width=self.width - 4)
        put(self.row, self.width - 3, f"单位：{s.money_unit}", width=4)
        self.row += 1

    def _identity(self) -> None:
        form, put, w = self.form, self.canvas.put, self.width
        if self.style.inline_name:
            put(self.row, 1, f"项目名称：{form.name}", width=w)
        else:
            put(self.row, 1, "项目名称", width=2)
            put(self.row, 3, form.name, width=w - 2)
        put(self.row + 1, 1, "主管部门及代码", width=2)
        put(self.row + 1, 3, form.dept, width=6)
        put(self.row + 1, 9, "实施单位", width=2)
        put(self.row + 1, 11, form.unit, width=w - 10)
        self.row += 2

    def _goal(self) -> None:
        self.canvas.put(self.row, 1, "年度总体目标", width=2)
        self.canvas.put(self.row, 3, self.form.goal, width=self.width - 2)
        self.row += 1

    def _notes(self) -> None:
        self.canvas.put(self.row, 1, self.form.notes, width=self.width)
        for i, text in enumerate(self.form.signature):
            self.canvas.put(self.row + 1, 1 + 4 * i, text, width=4)
        self.row += 2

    # -- funds ---------------------------------------------------------------------------
    def _fund_columns(self) -> dict[str, int]:
        """Role -> first column of its 3-column span (after the label and the optional 序号)."""
        s = self.style
        label = s.funds_col + (1 if s.index_column else 0)
        roles = ["budget", "executed"] + (["rate"] if s.rate_column else []) + ["expected"]
        columns = {"index": s.funds_col, "label": label, **{role: label + 2 + 3 * i for i, role in enumerate(roles)}}
        return {**columns, "remarks": columns["expected"] + 3}

    def _funds(self) -> None:
        s, c = self.style, self._fund_columns()
        depth = 2 if s.fund_band else 1
        header = self.row + depth - 1  # the last header row; fund rows follow it
        self._fund_header(c, depth)
        for i, fund in enumerate(self.form.funds, start=1):
            self._fund_row(header, i, fund, c)
        self.row = header + len(self.form.funds) + 1

    def _fund_header(self, c: dict[str, int], depth: int) -> None:
        s, put, top = self.style, self.canvas.put, self.row
        texts = {**fund_headers(s.period), **s.fund_headers}
        label = f"项目资金（{s.money_unit}）"
        if s.index_column:
            put(top, c["index"], "序号", height=depth)
        if s.funds_side_label:
            put(top, c["label"], label, height=len(self.form.funds) + depth)
        else:
            put(top, c["label"], label, width=2, height=depth)
        for role in ("budget", "executed", "rate", "expected"):
            if role in c and s.fund_band and role in ("executed", "rate"):
                put(top + 1, c[role], {"executed": "执行数", "rate": "执行率"}[role], width=3)
            elif role in c:
                put(top, c[role], texts[role], width=3, height=depth)
        if s.fund_band:
            put(top, c["executed"], f"{s.period}执行情况", width=6 if "rate" in c else 3)
        if s.fund_remarks:
            put(top, c["remarks"], "备注", width=self.width - c["remarks"] + 1, height=depth)

    def _fund_row(self, header: int, i: int, fund: FundRow, c: dict[str, int]) -> None:
        s, r, canvas = self.style, header + i, self.canvas
        if s.index_column:
            canvas.put(r, c["index"], i)
        if s.funds_side_label:
            canvas.put(r, c["label"] + 1, fund.label)
        else:
            canvas.put(r, c["label"], fund.label, width=2)
        first, last = header + 2, header + len(self.form.funds)  # the rows a 年度资金总额 SUM adds up
        for role in ("budget", "executed", "expected"):
            col, amount = c[role], getattr(fund, role)
            if s.formulas and i == 1 and len(self.form.funds) > 1:
                letter = get_column_letter(col)
                canvas.formula(r, col, f"SUM({letter}{first}:{letter}{last})", self._cached(amount))
            else:
                canvas.put(r, col, amount)
            canvas.merge(r, col, width=3)
        if "rate" in c:
            self._rate_cell(r, c, fund.rate)
            canvas.merge(r, c["rate"], width=3)
        if s.fund_remarks:
            canvas.merge(r, c["remarks"], width=self.width - c["remarks"] + 1)

    def _rate_cell(self, r: int, c: dict[str, int], rate: Any) -> None:
        s = self.style
        if s.formulas and not (s.blank_rate_without_budget and rate is None):
            formula = f"{ref(r, c['executed'])}/{ref(r, c['budget'])}"
            self.canvas.formula(r, c["rate"], formula, self._cached(rate), RATE_FORMAT)
        else:
            self.canvas.put(r, c["rate"], rate, fmt=None if isinstance(rate, str) else RATE_FORMAT)

    def _cached(self, value: Any) -> Any:
        return value if self.style.formulas == "cached" else None

    # -- indicator table ------------------------------------------------------------------
    def _header_text(self, role: str) -> str:
        return self.style.headers.get(role, indicator_headers(self.style.period)[role])

    def _indicator_header(self) -> None:
        s, put = self.style, self.canvas.put
        grouped = any(column.tick for column in self.columns) and not s.flat_ticks
        depth = 2 if (grouped or s.group_above) else 1
        top, sub_row = self.row, self.row + depth - 1
        levels = [i for i, column in enumerate(self.columns, start=1) if column.role in LEVEL_COLUMNS]
        if s.group_above and levels:
            put(top, levels[0], "绩效指标", width=levels[-1] - levels[0] + 1)
        for col, column in enumerate(self.columns, start=1):
            if column.tick is not None:
                if grouped and column.tick == self._first_tick(column.role):
                    span = sum(1 for other in self.columns if other.role == column.role)
                    put(top, col, self._header_text(column.role), width=span)
                put(sub_row, col, column.label)
            elif s.group_above and column.role in LEVEL_COLUMNS:
                put(sub_row, col, self._header_text(column.role))
            else:
                put(top, col, self._header_text(column.role), height=depth)
        self.row += depth

    def _first_tick(self, role: str) -> str | None:
        return next(column.tick for column in self.columns if column.role == role)

    def _indicator_rows(self) -> None:
        indicators = self.form.indicators
        rows: list[int] = []
        for i, indicator in enumerate(indicators):
            if i and self.style.blank_rows and _group(indicator, 2) != _group(indicators[i - 1], 2):
                self.row += 1
            rows.append(self.row)
            self._indicator_row(self.row, i + 1, indicator)
            self.row += 1
        for level in (1, 2):
            self._level_cells(level, rows)

    def _indicator_row(self, r: int, number: int, indicator: IndicatorRow) -> None:
        for col, column in enumerate(self.columns, start=1):
            if column.role == "index":
                self.canvas.put(r, col, number)
            elif column.tick is not None:
                self.canvas.put(r, col, indicator.ticks.get(column.tick, self.style.untick))
            elif column.role not in ("level1", "level2"):  # painted per run by _level_cells
                self.canvas.put(r, col, indicator.cells.get(column.role))

    def _level_cells(self, level: int, rows: list[int]) -> None:
        """一级/二级 texts per run of equal groups: merged, repeated or on the first row only."""
        role = f"level{level}"
        if role not in self.style.columns:
            return
        col = next(i for i, column in enumerate(self.columns, start=1) if column.role == role)
        indicators = self.form.indicators
        runs: list[list[int]] = []
        for i, indicator in enumerate(indicators):
            if i and _group(indicator, level) == _group(indicators[i - 1], level):
                runs[-1].append(i)
            else:
                runs.append([i])
        fill = self.style.level_fill
        for run in runs:
            text = getattr(indicators[run[0]], role)
            for n, i in enumerate(run):
                if n == 0 or fill == "repeat":
                    self.canvas.put(rows[i], col, text)
            if fill == "merged" and len(run) > 1:
                self.canvas.merges.append((rows[run[0]], col, rows[run[-1]], col))


def _group(indicator: IndicatorRow, level: int) -> tuple:
    return (indicator.level1,) if level == 1 else (indicator.level1, indicator.level2)


# -- writers -----------------------------------------------------------------------------------
def xlsx_bytes(sheets: Sequence[Canvas], column_widths: Mapping[int, float] | None = None,
               cached_results: bool = False, properties: Mapping[str, Any] | None = None) -> bytes:
    """An .xlsx of ``sheets`` written with openpyxl.

    openpyxl saves formulas without results; ``cached_results`` puts each formula's cached
    value in, as Excel would have. ``properties`` sets document properties (creator, created).
    """
    import openpyxl
    from openpyxl.styles import Alignment

    book = openpyxl.Workbook()
    book.remove(book.active)
    wrap = Alignment(wrap_text=True, vertical="center")
    for canvas in sheets:
        sheet = book.create_sheet(canvas.name)
        sheet.sheet_state = "hidden" if canvas.hidden else "visible"
        for (r, c), put in canvas.cells.items():
            cell = sheet.cell(r, c, value=f"={put.formula}" if put.formula else put.value)
            if put.fmt:
                cell.number_format = put.fmt
            if put.wrap:
                cell.alignment = wrap
        for r1, c1, r2, c2 in canvas.merges:
            sheet.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for col, width in (column_widths or {}).items():
            sheet.column_dimensions[get_column_letter(col)].width = width
    for name, value in (properties or {}).items():
        setattr(book.properties, name, value)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    return _store_cached_results(data, sheets) if cached_results else data


def _store_cached_results(data: bytes, sheets: Sequence[Canvas]) -> bytes:
    """Fill the empty <v/> openpyxl writes after each formula with the canvas's cached value."""
    results = {index: {ref(r, c): put.value for (r, c), put in canvas.cells.items()
                       if put.formula and put.value is not None}
               for index, canvas in enumerate(sheets, start=1)}
    if not any(results.values()):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for index, cached in results.items():
        name = f"xl/worksheets/sheet{index}.xml"
        xml = parts[name].decode("utf-8")
        for address, value in cached.items():
            # openpyxl writes an empty value as <v/> or, when lxml is installed, as <v></v>
            xml = re.sub(rf'(<c r="{address}"[^>]*><f>[^<]*</f>)<v\s*(?:/>|></v>)', rf"\g<1><v>{value}</v>", xml)
        parts[name] = xml.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return out.getvalue()


def xls_bytes(sheets: Sequence[Canvas], column_widths: Mapping[int, float] | None = None) -> bytes:
    """A BIFF8 .xls of ``sheets`` written with xlwt (which stores no formula results)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[tuple[str, bool], Any] = {}
    for canvas in sheets:
        sheet = book.add_sheet(canvas.name, cell_overwrite_ok=True)
        sheet.visibility = 1 if canvas.hidden else 0
        for (r, c), put in canvas.cells.items():
            key = (put.fmt or "General", put.wrap)
            if key not in styles:
                styles[key] = xlwt.easyxf("align: wrap on, vert centre" if put.wrap else "", num_format_str=key[0])
            value = xlwt.Formula(put.formula) if put.formula else put.value
            sheet.write(r - 1, c - 1, value, styles[key])
        for r1, c1, r2, c2 in canvas.merges:
            sheet.merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1)
        for col, width in (column_widths or {}).items():
            sheet.col(col - 1).width = int(width * 256)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_workbook(path: Path, sheets: Sequence[Canvas], cached_results: bool = False) -> Path:
    """Write ``sheets`` to ``path``; the suffix (.xls or else .xlsx) picks the format."""
    path = Path(path)
    data = xls_bytes(sheets) if path.suffix == ".xls" else xlsx_bytes(sheets, cached_results=cached_results)
    path.write_bytes(data)
    return path
