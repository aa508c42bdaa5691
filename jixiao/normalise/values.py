"""Normalising stage: turn hand-typed cell contents into typed values.

Pure functions, no workbook access. Conventions (shared with the sample truth):
percent values are 95 for 95 %, never 0.95; units are the half-width text after
the number; comparators map to ``>=``, ``<=``, ``=``, ``>``, ``<``, ``range`` or
``qualitative``; actual and forecast values are converted into the target's unit.
"""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from jixiao.domain.formatting import is_missing

REASON_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
POSSIBILITY_LEVELS = ("确定能", "有可能", "完全不可能")

# Comparator words, longest and negated forms first so 不低于 wins over 低于.
PREFIX_COMPARATORS: tuple[tuple[str, str], ...] = (
    (">=", ">="), ("<=", "<="), ("=>", ">="), ("=<", "<="),
    ("≥", ">="), ("≧", ">="), ("≮", ">="), ("≤", "<="), ("≦", "<="), ("≯", "<="),
    (">", ">"), ("<", "<"), ("=", "="),
    ("大于等于", ">="), ("大于或等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("高于或等于", ">="), ("至少", ">="), ("达到", ">="), ("提高", ">="), ("提升", ">="), ("增长", ">="), ("增加", ">="), ("超过", ">"), ("多于", ">"), ("高于", ">"), ("大于", ">"),
    ("小于等于", "<="), ("小于或等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不大于", "<="),
    ("不多于", "<="), ("控制在", "<="), ("低于", "<"), ("少于", "<"), ("小于", "<"),
    ("等于", "="),
)
PREFIX_COMPARATORS = tuple(sorted(PREFIX_COMPARATORS, key=lambda pair: -len(pair[0])))
SUFFIX_COMPARATORS: tuple[tuple[str, str], ...] = (
    ("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<="), ("之内", "<="),
)
EMPTY_MARKS = {"", "/", "／", "-", "—", "－", "——", "--", "无", "暂无", "空", "null", "none", "nan", "n/a", "#n/a", "—/—"}
NEGATIVE_TICKS = {"否", "×", "✗", "✘", "✕", "╳", "x", "不", "0", "false", "n", "no", "○", "□", "☐", "◻"} | EMPTY_MARKS

NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+"
NUMBER_RE = re.compile(NUMBER)
RANGE_RE = re.compile(rf"({NUMBER})\s*(%?)\s*(?:-|~|～|至|到|—|–)\s*({NUMBER})")
PERIOD_RE = re.compile(r"(?:20\d{2}年)?(?<!\d)(?:1|一)\s*月?\s*[-~～至到—–]\s*\d{1,2}\s*月(?:份|末|底)?")
# A point in time ('截至7月底', '2023年12月底前', '年底'): a target naming one is a deadline, and
# the digits of one inside an execution text ('截至7月底完成60%') are no measure.
DATE_PHRASE_RE = re.compile(
    r"(?:截[至止]|到)?(?:20\d{2}年(?:\d{1,2}月)?|(?<![\d.])\d{1,2}月)(?:\d{1,2}日)?(?:底|末|份|前|中旬|上旬|下旬)?"
    r"|每月\d{1,2}日前?|年底|年末")
APPROXIMATE_RE = re.compile(r"^(?:大约|约为|约)|左右$")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
CN_NUMBER_RE = re.compile(r"^([零〇一二两三四五六七八九十百千万亿]+)(.{0,4})$")

# Unit conversions into a base unit per family; prefixes 万/亿/千 scale the rest.
UNIT_BASE: dict[str, tuple[str, float]] = {
    "元": ("元", 1.0), "万元": ("元", 1e4), "亿元": ("元", 1e8), "千元": ("元", 1e3),
    "秒": ("小时", 1 / 3600), "分钟": ("小时", 1 / 60), "分": ("小时", 1 / 60), "小时": ("小时", 1.0),
    "h": ("小时", 1.0), "天": ("天", 1.0), "日": ("天", 1.0), "周": ("天", 7.0),
    "米": ("米", 1.0), "m": ("米", 1.0), "公里": ("米", 1000.0), "千米": ("米", 1000.0), "km": ("米", 1000.0),
    "平方米": ("平方米", 1.0), "㎡": ("平方米", 1.0), "m2": ("平方米", 1.0), "平方公里": ("平方米", 1e6),
    "亩": ("亩", 1.0), "公顷": ("亩", 15.0),
    "克": ("千克", 1e-3), "千克": ("千克", 1.0), "公斤": ("千克", 1.0), "kg": ("千克", 1.0), "吨": ("千克", 1000.0),
    "%": ("%", 1.0), "‰": ("%", 0.1),
}
PREFIX_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


# C0 control characters other than tab, line feed and carriage return, DEL, and Excel's XML escape of
# them ('_x0000_'): no text in a form has them; openpyxl refuses to write them.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|_x00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])_")


def strip_control(text: str) -> tuple[str, bool]:
    """(text without control characters, whether any was removed)."""
    if text.isprintable() and "_x" not in text:
        return text, False  # the common case, told without the pattern: no C0 character, no '_x00..' escape
    clean = CONTROL_RE.sub("", text)
    return clean, clean != text


def escape_control(text: str, limit: int = 80) -> str:
    """The raw text with each control character shown as \\xNN (for a finding that keeps the original)."""
    shown = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def normalize(text: Any) -> str:
    """Half-width, no whitespace: the form used to compare labels and parse numbers."""
    if text is None:
        return ""
    text = str(text)
    return _normalize_short(text) if len(text) <= CACHED_TEXT_LEN else _normalize(text)


def text_similarity(a: Any, b: Any) -> float:
    """How alike two names are once normalised (0-1); a missing name (None, NaN, NA) is empty."""
    return difflib.SequenceMatcher(None, _comparable(a), _comparable(b)).ratio()


def _comparable(value: Any) -> str:
    return "" if is_missing(value) else normalize(value)


def best_first_pairs(scored: Iterable[tuple[float, int, int]], min_score: float) -> Iterator[tuple[int, int, float]]:
    """Greedy one-to-one pairing: ``(score, i, j)`` in the caller's order of preference, each ``i`` and
    ``j`` used at most once, scores under ``min_score`` skipped; yields ``(i, j, score)``."""
    used_left, used_right = set(), set()
    for score, i, j in scored:
        if score < min_score or i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        yield i, j, score


# Labels and short values are normalised again and again while a form is located (every header
# scan asks for each cell); long texts (目标, 说明) are few, and the cache must not hold big strings.
CACHED_TEXT_LEN = 64
WHITESPACE_RE = re.compile(r"\s+")


def _normalize(text: str) -> str:
    return WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", text)).replace("％", "%")


_normalize_short = lru_cache(maxsize=16384)(_normalize)


def cached_by_value(parse):
    """``parse(value, number_format)`` remembered for numbers and short texts: the same targets and
    amounts ('≥95%', '100%', 0.95) recur from form to form. Only for pure functions whose results are
    immutable; ``typed`` keeps True apart from 1."""
    cached = lru_cache(maxsize=8192, typed=True)(parse)

    @wraps(parse)
    def remembered(value: Any, number_format: str = "General"):
        if isinstance(value, (int, float)) or isinstance(value, str) and len(value) <= CACHED_TEXT_LEN:
            return cached(value, number_format)
        return parse(value, number_format)

    remembered.cache_clear = cached.cache_clear
    return remembered


def tidy_name(text: Any) -> str | None:
    """A name as written, with stray whitespace removed (kept between two Latin words)."""
    if text is None:
        return None
    collapsed = re.sub(r"\s+", " ", str(text)).strip()
    collapsed = re.sub(r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])", "", collapsed)
    return collapsed or None


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and normalize(value).lower() in EMPTY_MARKS


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(float(value))


def plain_number(value: Any) -> float | None:
    """A number, or a text that is only a number (' 0.92 ', '１２'); None for anything else."""
    if is_number(value):
        return float(value)
    if isinstance(value, str) and re.fullmatch(NUMBER, normalize(value)):
        return _to_float(normalize(value))
    return None


def format_number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


FORMAT_LITERAL_RE = re.compile(r'"([^"]*)"|\\(.)')


def displayed_number(value: float, number_format: str = "General") -> tuple[float, str | None]:
    """A numeric cell as read on screen: (number, unit the format prints after it).

    0.95 with '0%' reads 95 %; a custom format that only prints a sign or a word
    (WPS '0"%"', '0"台"', '0\\%') shows the stored number itself with that unit.
    """
    section = (number_format or "General").split(";")[0]
    bare = FORMAT_LITERAL_RE.sub("", section)
    if "%" in bare:
        return round(float(value) * 100, 10), "%"
    literal = "".join(quoted or escaped for quoted, escaped in FORMAT_LITERAL_RE.findall(section))
    return float(value), normalize(literal) or None


def cell_text(value: Any, number_format: str = "General") -> str | None:
    """How the cell reads on screen: 0.95 with a % format reads '95%'."""
    if value is None:
        return None
    if is_number(value):
        number, unit = displayed_number(value, number_format)
        return f"{format_number(number)}{unit or ''}"
    text = str(value).strip()
    return text or None


def cn_to_number(text: str) -> float | None:
    """Chinese numerals ('十二', '两', '一百零五', '3万') to a number; None when not numeric."""
    if not text:
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            unit = CN_UNITS[ch]
            if unit >= 10_000:
                section = (section + (digit or 0)) * unit
                total += section
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    return float(total + section + (digit or 0))


def parse_amount(value: Any) -> float | None:
    """A money amount as a float in the unit of its table: '1,234.50', ' 40 ', '１２３' all parse."""
    if value is None or isinstance(value, bool):
        return None
    if is_number(value):
        return float(value)
    text = normalize(value)
    if text.lower() in EMPTY_MARKS:
        return None
    text = re.sub(r"^[¥￥]|(万元|元)$", "", text).replace(",", "")
    try:
        return float(text)
    except ValueError:
        match = NUMBER_RE.search(text)
        return float(match.group().replace(",", "")) if match and match.group() == text else None


def parse_rate(value: Any, number_format: str = "General") -> float | None:
    """A reported execution rate in percent: 0.51 (% format), '51.07%', 51.07 all give 51.07."""
    if value is None or isinstance(value, bool):
        return None
    if is_number(value):
        number, unit = displayed_number(value, number_format)
        if unit == "%":
            return number
        return number * 100 if abs(number) <= 1.0 else number
    text = normalize(value)
    number = parse_amount(text.rstrip("%"))
    if number is None:
        return None
    return number if text.endswith("%") or abs(number) > 1.0 else number * 100


@dataclass(frozen=True)
class Target:
    op: str
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None


DIRECTION_WORDS = {"正向": ">=", "反向": "<=", "定性": "qualitative", "定量": None}


def parse_comparator(value: Any) -> str | None:
    """A separate 指标性质 / 指标方向 cell ('≥', '大于等于', '正向指标', '定性') to an op; None if unknown."""
    text = normalize(value).removesuffix("指标")
    words = {**dict(PREFIX_COMPARATORS), **dict(SUFFIX_COMPARATORS), **DIRECTION_WORDS}
    return words.get(text)


def _strip_comparators(text: str) -> tuple[str | None, str]:
    """Remove one comparator word before the number and one after it; return (op, rest)."""
    op = None
    for word, symbol in PREFIX_COMPARATORS:
        index = text.find(word)
        if index == -1 or re.search(r"\d", text[:index]):
            continue
        after = text[index + len(word):]
        if NUMBER_RE.search(after) or _cn_measure(after):
            op, text = symbol, text[:index] + after
            break
    for word, symbol in SUFFIX_COMPARATORS:
        if word in text:
            return op or symbol, text.replace(word, "", 1)
    if text.endswith("内") and NUMBER_RE.search(text):  # '10天内', '3个月内': within
        return op or "<=", text[:-1]
    return op, text


def _cn_measure(text: str) -> tuple[float, str] | None:
    match = CN_NUMBER_RE.match(text)
    if not match:
        return None
    number = cn_to_number(match.group(1))
    return None if number is None else (number, match.group(2))


def _unit_after(text: str) -> str | None:
    unit = text.strip().strip("，,。;；:：()（）")
    unit = APPROXIMATE_RE.sub("", re.split(r"[，,。;；（(]", unit)[0])
    if unit[:1] in ("%", "‰"):  # '≥90%满意度': words after a percent sign name the rate, not a unit
        return unit[0]
    return unit[:8] or None


@cached_by_value
def parse_target(value: Any, number_format: str = "General") -> Target:
    """Parse a 年度指标值: '≥95%', '不低于10台', '48小时以内', '90%-95%', '达到预期', 0.95 (% format)."""
    if is_blank(value):
        return Target("qualitative")
    if is_number(value):
        number, unit = displayed_number(value, number_format)
        return Target("=", number, None, unit)
    text = normalize(value)
    text = PERIOD_RE.sub("", text)
    if DATE_PHRASE_RE.search(text):
        return Target("qualitative")
    op, rest = _strip_comparators(text)
    ranged = RANGE_RE.search(rest)
    if ranged and not rest[: ranged.start()].strip("约共计累计全年"):  # noqa: B005 - any of these characters
        low, high = _to_float(ranged.group(1)), _to_float(ranged.group(3))
        unit = _unit_after(rest[ranged.end():]) or (ranged.group(2) or None)
        return Target("range", min(low, high), max(low, high), unit)
    match = NUMBER_RE.search(rest)
    if match:
        return Target(op or "=", _to_float(match.group()), None, _unit_after(rest[match.end():]))
    cn = _cn_measure(rest)
    if cn:
        return Target(op or "=", cn[0], None, _unit_after(cn[1]))
    return Target("qualitative")


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


@dataclass(frozen=True)
class Measure:
    value: float | None
    unit: str | None = None
    converted: bool = False


@cached_by_value
def parse_measure(value: Any, number_format: str = "General") -> Measure:
    """A number in an execution or forecast cell with the unit written next to it, if any."""
    if is_blank(value) or isinstance(value, bool):
        return Measure(None)
    if is_number(value):
        return Measure(*displayed_number(value, number_format))
    text = DATE_PHRASE_RE.sub("", PERIOD_RE.sub("", normalize(value)))
    _, rest = _strip_comparators(APPROXIMATE_RE.sub("", text))
    match = NUMBER_RE.search(rest)
    if match:
        return Measure(_to_float(match.group()), _unit_after(rest[match.end():]))
    cn = _cn_measure(rest)
    if cn:
        return Measure(cn[0], _unit_after(cn[1]))
    return Measure(None)


def unit_scale(unit: str | None) -> tuple[str, float] | None:
    """(base unit, factor) so that value * factor is in the base unit; None when unknown."""
    if not unit:
        return None
    if unit in UNIT_BASE:
        return UNIT_BASE[unit]
    if "/" in unit:
        head, _, tail = unit.partition("/")
        scaled = unit_scale(head)
        return (f"{scaled[0]}/{tail}", scaled[1]) if scaled else None
    if unit[0] in PREFIX_SCALE and len(unit) > 1:
        inner = unit_scale(unit[1:]) or (unit[1:], 1.0)
        return inner[0], inner[1] * PREFIX_SCALE[unit[0]]
    return unit, 1.0


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float | None:
    """Convert between compatible units ('分钟' to '小时', '元' to '万元'); None when incompatible."""
    if not from_unit or not to_unit or from_unit == to_unit:
        return value
    source, target = unit_scale(from_unit), unit_scale(to_unit)
    if not source or not target or source[0] != target[0]:
        return None
    return value * source[1] / target[1]


def measure_in_unit(measure: Measure, target_unit: str | None) -> Measure:
    """The measure expressed in the target's unit; a bare number is taken as already in it."""
    if measure.value is None or not measure.unit or not target_unit or measure.unit == target_unit:
        return measure
    converted = convert(measure.value, measure.unit, target_unit)
    if converted is None:
        return Measure(measure.value, measure.unit)
    return Measure(round(converted, 10), target_unit, converted=True)


def is_ticked(value: Any) -> bool:
    """√ ✓ ✔ 是 ● 1 Y (or any short text) tick a box; blank, 否, ×, 0 do not."""
    if value is None or value is False:
        return False
    if is_number(value):
        return float(value) != 0
    return normalize(value).lower() not in NEGATIVE_TICKS


def parse_possibility(value: Any) -> str | None:
    """Text of a 完成目标可能性 cell to one of the three levels (不可能 means 完全不可能)."""
    text = normalize(value)
    if not text or text.lower() in EMPTY_MARKS:
        return None
    if re.search(r"不可能|无法|不能|难以|完不成", text) or text == "否":
        return "完全不可能"
    if re.search(r"可能|基本能|基本可以|较大|不确定|有望", text):
        return "有可能"
    if re.search(r"确定|能|可以|肯定|是|√|✓|✔", text):
        return "确定能"
    return None


def possibility_from_label(label: str) -> str | None:
    """A possibility column header ('确定能', '有 可 能', '完全\\n不可能', '不可能') to its level."""
    return parse_possibility(label)


REASON_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("经费", "经费保障"), ("资金", "经费保障"), ("预算", "经费保障"),
    ("制度", "制度保障"), ("程序", "制度保障"), ("审批", "制度保障"), ("政策", "制度保障"), ("方案", "制度保障"),
    ("人员", "人员保障"), ("人手", "人员保障"), ("人力", "人员保障"), ("技术人", "人员保障"),
    ("硬件", "硬件条件保障"), ("条件", "硬件条件保障"), ("设备", "硬件条件保障"), ("场地", "硬件条件保障"),
    ("其他", "其他"), ("其它", "其他"),
)
REASON_LABELS: tuple[tuple[str, str], ...] = (
    ("经费保障", "经费保障"), ("经费", "经费保障"), ("资金保障", "经费保障"),
    ("制度保障", "制度保障"), ("制度", "制度保障"),
    ("人员保障", "人员保障"), ("人员", "人员保障"),
    ("硬件条件保障", "硬件条件保障"), ("硬件保障", "硬件条件保障"), ("条件保障", "硬件条件保障"), ("硬件", "硬件条件保障"),
    ("其他", "其他"), ("其它", "其他"),
)


def reason_from_label(label: str) -> str | None:
    """A reason column header ('经费\\n保障', '硬件保障', '其它') to its category."""
    text = normalize(label)
    for word, category in REASON_LABELS:
        if text == word or text.startswith(word) and len(text) <= len(word) + 2:
            return category
    return None


def parse_reasons_text(value: Any) -> list[str]:
    """Categories named in a free-text reason cell, in canonical order.

    Each part ('经费保障、人员保障', '经费;人员', '人员保障 其他', '其他：资金下达晚') is
    read on its own: a category name wins, else the keywords of its prose
    ('资金未到位' -> 经费保障). Prose without any category counts as 其他.
    """
    if value is None or normalize(value).lower() in EMPTY_MARKS:
        return []
    parts = [p for p in re.split(r"[、,，;；|/。]+", unicodedata.normalize("NFKC", str(value))) if p.strip()]
    found = {category for part in parts for category in _reason_part_categories(part)}
    return [c for c in REASON_CATEGORIES if c in (found or {"其他"})]


def _reason_part_categories(part: str) -> set[str]:
    """Whitespace separates items too ('人员保障 其他'), unless it only spaces out one label ('经 费 保 障')."""
    pieces = [normalize(p) for p in part.split() if normalize(p)]
    if len(pieces) > 1:
        per_piece = [_reason_categories(p) for p in pieces]
        if all(per_piece):
            return set().union(*per_piece)
    return _reason_categories(normalize(part))


def _reason_categories(text: str) -> set[str]:
    # "其他：上级资金未下达" names its category before the colon
    named = reason_from_label(text.split(":", 1)[0])
    if named:
        return {named}
    return {category for word, category in REASON_KEYWORDS if word in text}
