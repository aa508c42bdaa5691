"""Recompute formula cells whose cached result is missing.

Workbooks written by scripts (openpyxl, some WPS exports) store formulas without
results. The monitoring form only uses simple arithmetic (``=F7/C7``,
``=SUM(C8:C10)``, ``=ROUND(F7/C7,4)``, ``=IFERROR(F7/C7,0)``,
``=IF(C7=0,"",F7/C7)``), so a small, safe evaluator over same-sheet references
covers it; anything else stays empty and is reported.
"""
from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from openpyxl.utils import column_index_from_string

if TYPE_CHECKING:
    from jixiao.read.grid import Grid

REF = r"\$?([A-Z]{1,3})\$?(\d+)"
RANGE_RE = re.compile(rf"{REF}:{REF}")
REF_RE = re.compile(REF)
FUNCTIONS = {
    "SUM": lambda *a: sum(_flatten(a)),
    "ROUND": lambda x, n=0: round(x, int(n)),
    "ABS": abs,
    "MIN": lambda *a: min(_flatten(a)),
    "MAX": lambda *a: max(_flatten(a)),
    "AVERAGE": lambda *a: sum(_flatten(a)) / len(_flatten(a)),
}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.Pow: operator.pow}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
           ast.Gt: operator.gt, ast.GtE: operator.ge}


class FormulaError(ValueError):
    pass


def _flatten(items) -> list[float]:
    out: list[float] = []
    for item in items:
        if isinstance(item, list):
            out.extend(_flatten(item))
        elif item is not None:
            out.append(item)
    return out


PERCENT_LITERAL_RE = re.compile(r"=\s*[-+]?(\d+(?:\.\d+)?|\.\d+)\s*%\s*")
PERCENT_TERM_RE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*%")


def mark_percent_literals(grid: Grid) -> None:
    """A target typed as '=100%' is a formula whose result is 1 and reads '100%': give it a percent format."""
    for cell in grid.cells.values():
        if cell.formula and PERCENT_LITERAL_RE.fullmatch(cell.formula) and "%" not in (cell.number_format or ""):
            cell.number_format = "0%"


def fill_missing_results(grid: Grid) -> None:
    """Give every formula cell without a cached value the recomputed one (or leave it empty)."""
    for key, cell in list(grid.cells.items()):
        if cell.formula and cell.value is None:
            try:
                cell.value = evaluate(grid, cell.formula, seen={key})
                cell.recomputed = True
            except (FormulaError, ZeroDivisionError, TypeError, SyntaxError):
                cell.value = None
                from jixiao.read.grid import address

                grid.notes.append((address(*key), f"公式 {cell.formula} 没有保存计算结果，且无法重新计算"))


def evaluate(grid: Grid, formula: str, seen: set[tuple[int, int]]) -> float | None:
    """The value of ``formula`` on ``grid``; an empty text result ('""') gives None."""
    text = formula.lstrip("=").strip().upper()
    if "!" in text:
        raise FormulaError("cross-sheet reference")
    names: dict[str, Callable[[], Any]] = {}

    def bind(thunk: Callable[[], Any]) -> str:
        name = f"_v{len(names)}"
        names[name] = thunk
        return name

    text = PERCENT_TERM_RE.sub(r"(\1/100)", text)  # Excel's postfix percent: 95% is 0.95
    expr = RANGE_RE.sub(lambda m: bind(lambda: _range_values(grid, m, seen)), text)
    expr = REF_RE.sub(lambda m: bind(lambda: _ref_value(grid, int(m.group(2)), column_index_from_string(m.group(1)), seen)),
                      expr)
    result = _eval_node(ast.parse(_python_operators(expr), mode="eval").body, names)
    return None if result == "" else result


def _python_operators(expr: str) -> str:
    """Excel's comparison and power operators in Python spelling ('=' -> '==', '<>' -> '!=', '^' -> '**')."""
    expr = expr.replace("<>", "!=").replace("^", "**")
    return re.sub(r"(?<![<>!=])=(?!=)", "==", expr)


def _ref_value(grid: Grid, row: int, col: int, seen: set) -> Any:
    key = (row, col)
    if key in seen:
        raise FormulaError("circular reference")
    cell = grid.cell(row, col)
    if cell is None:
        return 0.0
    if cell.formula and cell.value is None:
        cell.value = evaluate(grid, cell.formula, seen | {key})
        cell.recomputed = True
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    from jixiao.normalise.values import parse_amount

    parsed = parse_amount(value)
    return 0.0 if parsed is None else parsed


def _range_values(grid: Grid, match: re.Match, seen: set) -> list:
    c1, r1, c2, r2 = match.groups()
    cols = sorted((column_index_from_string(c1), column_index_from_string(c2)))
    rows = sorted((int(r1), int(r2)))
    return [
        _ref_value(grid, r, c, seen)
        for r in range(rows[0], rows[1] + 1)
        for c in range(cols[0], cols[1] + 1)
    ]


def _eval_node(node: ast.AST, names: dict[str, Callable[[], Any]]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value if isinstance(node.value, str) else float(node.value)
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]()
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return BINARY[type(node.op)](_eval_node(node.left, names), _eval_node(node.right, names))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval_node(node.operand, names)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE:
        return COMPARE[type(node.ops[0])](_eval_node(node.left, names), _eval_node(node.comparators[0], names))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _call(node.func.id, node.args, names)
    raise FormulaError(f"unsupported formula element {type(node).__name__}")


def _call(function: str, args: list[ast.AST], names: dict[str, Callable[[], Any]]) -> Any:
    # IF and IFERROR evaluate only the branch they take: =IF(C7=0,0,F7/C7) must not divide by zero.
    if function == "IF" and len(args) in (2, 3):
        chosen = args[1] if _eval_node(args[0], names) else (args[2] if len(args) == 3 else None)
        return False if chosen is None else _eval_node(chosen, names)
    if function == "IFERROR" and len(args) == 2:
        try:
            return _eval_node(args[0], names)
        except (FormulaError, ZeroDivisionError, TypeError):
            return _eval_node(args[1], names)
    if function in FUNCTIONS:
        return FUNCTIONS[function](*(_eval_node(a, names) for a in args))
    raise FormulaError(f"unsupported function {function}")
