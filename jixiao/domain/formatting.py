"""How numbers, amounts, percentages and periods are written in every output (one place, one style)."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

MISSING = "—"  # what a table cell or a sentence shows for a value nobody reported


def is_missing(value: Any) -> bool:
    """A cell of a tidy table holds nothing: None, pandas NA or NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def number_or_none(value: Any) -> float | None:
    """A finite float, or None for missing, non-numeric or infinite values."""
    if is_missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def plain_number(value: Any, digits: int = 2) -> str:
    """A number for Chinese sentences: rounded to ``digits``, no trailing zeros (12.50 -> 12.5)."""
    number = number_or_none(value)
    if number is None:
        return MISSING
    text = f"{number:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def score_text(value: Any) -> str:
    """A 0-100 score as stored (the profile's ``score_decimals``): 97.5, 96.0, 83.33; one trailing zero dropped.

    Scores are rounded once, by the metrics stage; printing them as stored keeps a tie visible as a tie.
    """
    number = number_or_none(value)
    if number is None:
        return MISSING
    text = f"{number:.2f}"
    return text[:-1] if text.endswith("0") else text


def money(value: Any) -> str:
    """万元 with two decimals and thousands separators (1,234.50)."""
    number = number_or_none(value)
    return MISSING if number is None else f"{number:,.2f}"


def percent(value: Any, digits: int = 1) -> str:
    """A percentage stored as 95 for 95 % (58.3%)."""
    number = number_or_none(value)
    return MISSING if number is None else f"{number:.{digits}f}%"


def period_label(end_month: Any) -> str:
    """“1-7月” for a period ending in July; “1-N月” when the month is unknown."""
    month = number_or_none(end_month)
    return f"1-{int(month)}月" if month else "1-N月"


def data_period(frame: pd.DataFrame, default_year: int, default_month: int) -> tuple[int, int]:
    """The most common (year, end month) of a table's rows; the defaults where none is known."""
    def most_common(column: str, default: int) -> int:
        if column not in frame:
            return default
        values = frame[column].dropna()
        return int(values.mode().iloc[0]) if len(values) else default

    return most_common("year", default_year), most_common("period_end_month", default_month)


def sorted_counts(counts: Mapping[str, int], top: int | None = None, unit: str = " 次",
                  order: Iterable[str] = ()) -> str:
    """'经费保障（5 次）、制度保障（3 次）': largest first; equal counts in ``order`` then by name.

    With ``top``, items tied with the last one shown are shown too (a cut never splits a tie).
    """
    rank = {name: i for i, name in enumerate(order)}
    items = sorted(((name, n) for name, n in counts.items() if n),
                   key=lambda item: (-item[1], rank.get(item[0], len(rank)), item[0]))
    if top is not None and len(items) > top:
        floor = items[top - 1][1]
        items = [item for item in items if item[1] >= floor]
    return "、".join(f"{name}（{n}{unit}）" for name, n in items)
