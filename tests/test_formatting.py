"""The one way numbers, amounts, percentages and periods are written."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from jixiao.domain.formatting import MISSING, data_period, money, percent, period_label, plain_number


@pytest.mark.parametrize("value, text", [(1234.5, "1,234.50"), (0, "0.00"), (None, MISSING), (math.inf, MISSING),
                                         ("n/a", MISSING), (pd.NA, MISSING)])
def test_money_has_two_decimals_and_separators(value, text):
    assert money(value) == text


@pytest.mark.parametrize("value, text", [(58.333, "58.3%"), (100, "100.0%"), (float("nan"), MISSING)])
def test_percent(value, text):
    assert percent(value) == text


@pytest.mark.parametrize("value, text", [(12.50, "12.5"), (3.0, "3"), (-0.001, "0"), (2.345, "2.35")])
def test_plain_numbers_drop_trailing_zeros(value, text):
    assert plain_number(value) == text


def test_period_labels():
    assert period_label(7) == "1-7月" and period_label(None) == "1-N月" and period_label(12.0) == "1-12月"


def test_the_data_period_is_the_most_common_one_and_falls_back_to_the_settings():
    frame = pd.DataFrame({"year": [2023, 2023, 2022], "period_end_month": [7, 8, 7]})
    assert data_period(frame, 2024, 6) == (2023, 7)
    assert data_period(pd.DataFrame({"year": [None]}), 2024, 6) == (2024, 6)
