"""Recompute formula cells whose cached result is missing.

Workbooks written by scripts (openpyxl, some WPS exports) store formulas without
results. The monitoring form only uses simple arithmetic (``=F7/C7``,
``=SUM(C8:C10)``, ``=ROUND(F7/C7,4)``, ``=IFERROR(F7/C7,0)``), so a small,
safe evaluator over same-sheet references covers it; anything else stays empty
and is reported.
"""
from __future__ import annotations

import ast
import operator
import re
from typing import TYPE_CHECKING, Any

from openpyxl.utils import column_index_from_string

if TYPE_CHECKING:
    from .workbook import Grid

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
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


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


def fill_missing_results(grid: "Grid") -> None:
    """Give every formula cell without a cached value the recomputed one (or leave it empty)."""
    for key, cell in list(grid.cells.items()):
        if cell.formula and cell.value is None:
            try:
                cell.value = evaluate(grid, cell.formula, seen={key})
                cell.recomputed = True
            except (FormulaError, ZeroDivisionError, TypeError, SyntaxError):
                cell.value = None
                from .workbook import address

                grid.notes.append((address(*key), f"公式 {cell.formula} 没有保存计算结果，且无法重新计算"))


def evaluate(grid: "Grid", formula: str, seen: set[tuple[int, int]]) -> float:
    text = formula.lstrip("=").strip().upper()
    if "!" in text:
        raise FormulaError("cross-sheet reference")
    if text.startswith("IFERROR(") and text.endswith(")"):
        inner, _, fallback = _split_last_arg(text[len("IFERROR("):-1])
        try:
            return evaluate(grid, inner, seen)
        except (FormulaError, ZeroDivisionError, TypeError):
            return evaluate(grid, fallback, seen)
    ranges: dict[str, list] = {}

    def range_sub(match: re.Match) -> str:
        name = f"_r{len(ranges)}"
        ranges[name] = _range_values(grid, match, seen)
        return name

    expr = RANGE_RE.sub(range_sub, text)
    refs: dict[str, Any] = {}

    def ref_sub(match: re.Match) -> str:
        name = f"_c{len(refs)}"
        refs[name] = _ref_value(grid, int(match.group(2)), column_index_from_string(match.group(1)), seen)
        return name

    expr = REF_RE.sub(ref_sub, expr)
    return _eval_node(ast.parse(expr, mode="eval").body, {**ranges, **refs})


def _split_last_arg(args: str) -> tuple[str, str, str]:
    depth = 0
    for i in range(len(args) - 1, -1, -1):
        ch = args[i]
        depth += ch == ")"
        depth -= ch == "("
        if ch == "," and depth == 0:
            return args[:i], ",", args[i + 1:]
    raise FormulaError("IFERROR without fallback")


def _ref_value(grid: "Grid", row: int, col: int, seen: set) -> Any:
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
    from .values import parse_amount

    parsed = parse_amount(value)
    return 0.0 if parsed is None else parsed


def _range_values(grid: "Grid", match: re.Match, seen: set) -> list:
    c1, r1, c2, r2 = match.groups()
    cols = sorted((column_index_from_string(c1), column_index_from_string(c2)))
    rows = sorted((int(r1), int(r2)))
    return [
        _ref_value(grid, r, c, seen)
        for r in range(rows[0], rows[1] + 1)
        for c in range(cols[0], cols[1] + 1)
    ]


def _eval_node(node: ast.AST, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return BINARY[type(node.op)](_eval_node(node.left, names), _eval_node(node.right, names))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval_node(node.operand, names)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        return FUNCTIONS[node.func.id](*(_eval_node(a, names) for a in node.args))
    raise FormulaError(f"unsupported formula element {type(node).__name__}")
