"""The value parser: properties over generated texts, plus the hand-typed forms seen in submissions."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.normalise import values as V

UNITS = ["%", "台", "个", "套", "次", "人", "人次", "户", "所", "座", "公里", "平方米", "亩", "吨", "万元", "元",
         "万元/台", "天", "小时", "分钟", "万亩", "起", "项"]
AT_LEAST = ["≥", "≧", ">=", "不低于", "不少于", "至少", "达到", "大于等于"]
AT_MOST = ["≤", "≦", "<=", "不超过", "不高于", "不大于", "小于等于"]
SUFFIXES = [("以上", ">="), ("及以上", ">="), ("以内", "<="), ("以下", "<="), ("之内", "<=")]

numbers = st.builds(lambda whole, cents: float(f"{whole}.{cents:02d}"),
                    st.integers(0, 10**7), st.integers(0, 99))


def written(number: float) -> str:
    return V.format_number(number)


def full_width(text: str) -> str:
    """ASCII characters to their full-width forms (the way a Chinese IME types them)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# -- targets -----------------------------------------------------------------------------------
@given(numbers, st.sampled_from(UNITS), st.sampled_from([(w, ">=") for w in AT_LEAST] + [(w, "<=") for w in AT_MOST]))
def test_prefix_comparator_words(number, unit, word_op):
    word, op = word_op
    assert V.parse_target(f"{word}{written(number)}{unit}") == V.Target(op, number, None, unit)


@given(numbers, st.sampled_from(UNITS), st.sampled_from(SUFFIXES))
def test_suffix_comparator_words(number, unit, suffix_op):
    suffix, op = suffix_op
    assert V.parse_target(f"{written(number)}{unit}{suffix}") == V.Target(op, number, None, unit)


@given(numbers, st.sampled_from(UNITS))
def test_control_within_is_at_most(number, unit):
    assert V.parse_target(f"控制在{written(number)}{unit}以内") == V.Target("<=", number, None, unit)


@given(numbers, st.sampled_from(UNITS))
def test_bare_number_is_equal(number, unit):
    assert V.parse_target(f"{written(number)}{unit}") == V.Target("=", number, None, unit)


@given(st.text(alphabet="≥≤<>=不低于超过以上内 0123456789.,%台人次万元/", max_size=20), st.sampled_from(UNITS))
def test_full_width_text_parses_like_half_width(text, unit):
    half = f"{text}{unit}"
    assert V.parse_target(full_width(half)) == V.parse_target(half)
    assert V.parse_measure(full_width(half)) == V.parse_measure(half)


@given(st.integers(1000, 10**9), st.sampled_from(["", "人", "元", "万元"]))
def test_thousands_separators(number, unit):
    assert V.parse_target(f"≥{number:,}{unit}").value == number
    assert V.parse_measure(f"{number:,}{unit}").value == number
    assert V.parse_amount(f"{number:,}.50") == number + 0.5


@given(numbers, numbers, st.sampled_from(["-", "~", "～", "至", "—"]))
def test_ranges(low, high, dash):
    target = V.parse_target(f"{written(low)}%{dash}{written(high)}%")
    assert (target.op, target.value, target.value_max, target.unit) == ("range", min(low, high), max(low, high), "%")


@pytest.mark.parametrize("text", ["达到预期", "有效提升", "明显改善", "应保尽保", "按时完成", "较高", "2023年12月底前完成",
                                  "10月31日前", "每月15日前发放", "—", None])
def test_qualitative_targets(text):
    assert V.parse_target(text) == V.Target("qualitative")


@pytest.mark.parametrize("text, expected", [
    ("≥95%（含）", V.Target(">=", 95, None, "%")),
    ("≥90%满意度", V.Target(">=", 90, None, "%")),
    ("满意度≥90%", V.Target(">=", 90, None, "%")),
    ("10个工作日内", V.Target("<=", 10, None, "个工作日")),
    ("≥ 90 %", V.Target(">=", 90, None, "%")),
    ("＞＝９５％", V.Target(">=", 95, None, "%")),
    ("不低于三个", V.Target(">=", 3, None, "个")),
    ("≤10万元/台", V.Target("<=", 10, None, "万元/台")),
    ("0起", V.Target("=", 0, None, "起")),
    (">0.5", V.Target(">", 0.5, None, None)),
])
def test_hand_typed_targets(text, expected):
    assert V.parse_target(text) == expected


@given(st.floats(0, 10, allow_nan=False).map(lambda x: round(x, 4)), st.sampled_from(["0%", "0.00%", "0.0%"]))
def test_percent_formatted_numbers_read_in_percent(fraction, fmt):
    assert V.parse_target(fraction, fmt).value == pytest.approx(fraction * 100)
    assert V.parse_target(fraction, fmt).unit == "%"
    assert V.parse_measure(fraction, fmt) == V.Measure(pytest.approx(fraction * 100), "%")


# -- measures ----------------------------------------------------------------------------------
@given(st.text(max_size=40))
@settings(max_examples=300)
def test_parsers_never_raise(text):
    measure = V.parse_measure(text)
    assert measure.value is None or math.isfinite(measure.value)
    assert V.parse_target(text).op in ("qualitative", ">=", "<=", "=", ">", "<", "range")
    V.parse_amount(text)
    V.parse_possibility(text)
    V.parse_reasons_text(text)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text()))
def test_parse_measure_accepts_any_cell_value(value):
    assert isinstance(V.parse_measure(value), V.Measure)


@pytest.mark.parametrize("text, value, unit", [
    ("已完成60%", 60, "%"), ("截至7月底完成60%", 60, "%"), ("7月底已完成3座", 3, "座"), ("1-7月完成60%", 60, "%"),
    ("约95%", 95, "%"), ("95%左右", 95, "%"), ("≥95%", 95, "%"), ("6台", 6, "台"), ("已发放1,200人", 1200, "人"),
    ("2023年完成120公里", 120, "公里"), ("十二次", 12, "次"),
    ("正在推进", None, None), ("招标中", None, None), ("预计年底完成", None, None), ("/", None, None),
    ("—", None, None), ("无", None, None), ("已于5月完成", None, None),
])
def test_execution_texts(text, value, unit):
    measure = V.parse_measure(text)
    assert (measure.value, measure.unit) == (value, unit)


# -- cell text ---------------------------------------------------------------------------------
@given(st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 4)))
def test_cell_text_round_trips_through_the_parsers(number):
    assert V.parse_measure(V.cell_text(number, "0.00%")).value == pytest.approx(number * 100, abs=1e-6)
    assert V.parse_measure(V.cell_text(number)).value == pytest.approx(number, abs=1e-6)
    assert V.cell_text(number, "0%").endswith("%")


def test_cell_text_of_blank_and_text():
    assert V.cell_text(None) is None and V.cell_text("  ") is None and V.cell_text(" 达到预期 ") == "达到预期"


# -- Chinese numerals --------------------------------------------------------------------------
CN_DIGITS = "零一二三四五六七八九"


def _section(number: int) -> str:
    """0 < number < 10000 in Chinese numerals, with 零 for skipped places ('一千零五')."""
    out, gap = "", False
    for unit, place in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit = number // place % 10
        if digit == 0:
            gap = bool(out)
            continue
        out += ("零" if gap else "") + CN_DIGITS[digit] + unit
        gap = False
    return out


def to_chinese(number: int) -> str:
    high, low = divmod(number, 10_000)
    if not high:
        return _section(low)
    return _section(high) + "万" + (("零" if low < 1000 else "") + _section(low) if low else "")


@given(st.integers(1, 10**8 - 1))
def test_chinese_numerals(number):
    assert V.cn_to_number(to_chinese(number)) == number


@pytest.mark.parametrize("text, number", [("十", 10), ("十二", 12), ("两", 2), ("一百零五", 105), ("三千", 3000),
                                          ("一亿", 1e8), ("〇", 0), ("五十万", 500_000)])
def test_chinese_numeral_forms(text, number):
    assert V.cn_to_number(text) == number


def test_chinese_numerals_reject_other_text():
    assert V.cn_to_number("三个") is None and V.cn_to_number("") is None


# -- units -------------------------------------------------------------------------------------
FAMILIES = [["元", "万元", "亿元", "千元"], ["秒", "分钟", "小时"], ["米", "公里", "千米"], ["平方米", "平方公里"],
            ["亩", "公顷", "万亩"], ["克", "千克", "公斤", "吨"], ["人", "万人"], ["元/台", "万元/台"], ["%", "‰"]]


@given(st.sampled_from(FAMILIES).flatmap(lambda family: st.tuples(st.sampled_from(family), st.sampled_from(family))),
       st.floats(0, 1e9, allow_nan=False))
def test_convert_round_trips_within_a_family(units, value):
    a, b = units
    there = V.convert(value, a, b)
    assert V.convert(there, b, a) == pytest.approx(value, rel=1e-9, abs=1e-9)


@given(st.sampled_from(FAMILIES), st.sampled_from(FAMILIES))
def test_convert_refuses_other_families(one, other):
    if one != other:
        assert V.convert(1.0, one[0], other[0]) is None


@pytest.mark.parametrize("value, source, target, expected", [
    (90, "分钟", "小时", 1.5), (45_000, "元", "万元", 4.5), (9000, "人", "万人", 0.9), (2, "公里", "米", 2000),
    (1.5, "万亩", "亩", 15_000), (95_000, "元/台", "万元/台", 9.5), (5, "台", None, 5)])
def test_convert_examples(value, source, target, expected):
    assert V.convert(value, source, target) == pytest.approx(expected)


def test_measure_in_unit_converts_or_keeps():
    assert V.measure_in_unit(V.Measure(90, "分钟"), "小时") == V.Measure(1.5, "小时", converted=True)
    assert V.measure_in_unit(V.Measure(3, "台"), "%") == V.Measure(3, "台")
    assert V.measure_in_unit(V.Measure(3), "%") == V.Measure(3)


# -- ticks, possibility, reasons, amounts ------------------------------------------------------
@pytest.mark.parametrize("mark", ["√", "✓", "✔", "☑", "是", "●", "■", "1", 1, 1.0, "Y", "v", " √ "])
def test_ticks(mark):
    assert V.is_ticked(mark)


@pytest.mark.parametrize("mark", [None, "", " ", "否", "×", "✕", "0", 0, "□", "☐", "○", "/", "—", "无", False])
def test_not_ticks(mark):
    assert not V.is_ticked(mark)


@pytest.mark.parametrize("text, level", [
    ("确定能", "确定能"), ("能", "确定能"), ("√", "确定能"), ("有可能", "有可能"), ("可能", "有可能"),
    ("基本能", "有可能"), ("不可能", "完全不可能"), ("完全不可能", "完全不可能"), ("不能", "完全不可能"),
    ("完全\n不可能", "完全不可能"), ("", None), ("/", None)])
def test_possibility_texts(text, level):
    assert V.parse_possibility(text) == level


@pytest.mark.parametrize("text, reasons", [
    ("经费保障、人员保障", ["经费保障", "人员保障"]), ("人员保障;经费保障", ["经费保障", "人员保障"]),
    ("经费，制度", ["经费保障", "制度保障"]), ("硬件条件保障", ["硬件条件保障"]), ("资金未及时到位", ["经费保障"]),
    ("设备采购延迟，技术人员不足", ["人员保障", "硬件条件保障"]), ("天气原因", ["其他"]), ("无", []),
    ("经费保障、其他：上级资金尚未下达", ["经费保障", "其他"]), ("人员保障；其他：受高原气候影响", ["人员保障", "其他"])])
def test_reason_texts(text, reasons):
    assert V.parse_reasons_text(text) == reasons


@pytest.mark.parametrize("text, reasons", [
    ("人员保障 其他", ["人员保障", "其他"]), ("经费保障\n硬件条件保障", ["经费保障", "硬件条件保障"]),
    ("资金未到位、人员不足", ["经费保障", "人员保障"]), ("经 费 保 障", ["经费保障"]), ("资金 未到位", ["经费保障"])])
def test_reason_texts_read_each_item_on_its_own(text, reasons):
    """A named category in one item no longer hides the others (space-separated or prose items)."""
    assert V.parse_reasons_text(text) == reasons


@pytest.mark.parametrize("label, category", [("经费\n保障", "经费保障"), ("硬件保障", "硬件条件保障"), ("其它", "其他"),
                                             ("制 度 保 障", "制度保障"), ("原因说明", None)])
def test_reason_labels(label, category):
    assert V.reason_from_label(label) == category


@pytest.mark.parametrize("text, op", [("≥", ">="), ("大于等于", ">="), ("正向", ">="), ("正向指标", ">="),
                                      ("≤", "<="), ("反向指标", "<="), ("＝", "="), ("定性", "qualitative"),
                                      ("定量", None), ("", None)])
def test_comparator_cells(text, op):
    assert V.parse_comparator(text) == op


@pytest.mark.parametrize("value, amount", [("1,234.50", 1234.5), (" 40 ", 40), ("１２３", 123), ("12,345,600.00", 12345600),
                                           ("100万元", 100), ("¥12,345.60", 12345.6), ("￥ 800元", 800), (0, 0), ("—", None), ("", None), (None, None), ("约100", None)])
def test_amounts(value, amount):
    assert V.parse_amount(value) == amount


@pytest.mark.parametrize("value, fmt, rate", [(0.5107, "0.00%", 51.07), ("51.07%", "General", 51.07),
                                              (51.07, "General", 51.07), (0.4, "General", 40), ("—", "General", None)])
def test_reported_rates(value, fmt, rate):
    assert V.parse_rate(value, fmt) == pytest.approx(rate) if rate is not None else V.parse_rate(value, fmt) is None


def test_tidy_name_and_normalize():
    assert V.tidy_name("  农村公路 养护\n项目 ") == "农村公路养护项目"
    assert V.tidy_name("PPP 项目 Phase II") == "PPP项目Phase II"
    assert V.normalize("年 度\n指 标 值（万元）") == "年度指标值(万元)"


@pytest.mark.parametrize("text, op, value, unit", [("提高0.5个百分点", ">=", 0.5, "个百分点"), ("增加50个", ">=", 50, "个"),
                                                   ("有效提升", "qualitative", None, None)])
def test_increase_words_are_lower_bounds(text, op, value, unit):
    target = V.parse_target(text)
    assert (target.op, target.value, target.unit) == (op, value, unit)


@pytest.mark.parametrize("value, number", [(0.92, 0.92), (" 0.92 ", 0.92), ("１２", 12), ("92%", None), ("约1", None),
                                           (None, None)])
def test_plain_numbers_typed_as_text(value, number):
    assert V.plain_number(value) == number


@pytest.mark.parametrize("fmt, shown", [("0%", (95.0, "%")), ('0"%"', (0.95, "%")), ("0.0\\%", (0.95, "%")),
                                        ('0"台"', (0.95, "台")), ("#,##0.00_ ", (0.95, None)), ("General", (0.95, None))])
def test_custom_formats_that_only_print_a_sign_keep_the_number(fmt, shown):
    assert V.displayed_number(0.95, fmt) == shown


def test_number_with_a_literal_percent_format_is_a_percent_as_typed():
    assert V.parse_target(95, '0"%"') == V.Target("=", 95, None, "%")
    assert V.parse_measure(10, '0"台"') == V.Measure(10, "台")
    assert V.cell_text(95, '0.0"%"') == "95%" and V.parse_rate(51.07, '0.00"%"') == 51.07
