"""Layout stage: find the monitoring form on a sheet by its header texts and read it.

Nothing here depends on fixed cell addresses. Following tidyxl/unpivotr, cells are
read first, headers are attached by direction from anchor texts (项目名称 → the
value to its right; 年初预算数 → the values below it on the rows labelled
年度资金总额 …; 三级指标/年度指标值 → the indicator table below), and types are
coerced last with :mod:`jixiao.normalise.values`. Anything that drifts from the expected
layout becomes a :class:`Finding` pointing at sheet and cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from openpyxl.utils import get_column_letter

from jixiao.domain.findings import Finding, finding
from jixiao.normalise import values as V
from jixiao.read.grid import Cell, Grid, address

MAX_LABEL_LEN = 16
# Rows under the form (notes, signatures). '注' needs its colon or number: '注册企业数' is an indicator.
STOP_ROW_RE = re.compile(r"^(注(?:[:：\d]|$)|说明[:：]|备注[:：]|填报人|填表人|联系人|经办人|联系电话|审核人|单位负责人|负责人"
                         r"|财务负责人|分管领导|填报日期|制表)")
PERIOD_END_RE = re.compile(r"(?<!\d)1月?[-~～至到—–]+(\d{1,2})月|截[至止](?:20\d{2}年)?(\d{1,2})月")
YEAR_RE = re.compile(r"(20\d{2})年")
UNIT_DECL_RE = re.compile(r"(?:金额)?单位[:：]?(?:人民币)?(万元|元)|[（(](?:人民币)?(万元|元)[）)]")
PAREN_RE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
FUND_SOURCES = ("total", "fiscal", "carryover", "other")
FUND_ROW_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("total", re.compile(r"^(年度|项目)?资金总(额|计)|^(年度|项目)?(资金)?(合计|总计|小计)$|^(年度|项目)?总(资金|额)$"
                         r"|^年度总额")),
    ("other", re.compile(r"^其[他它]|^自筹|^社会资本")),
    ("carryover", re.compile(r"结转")),
    ("fiscal", re.compile(r"财政拨款|一般公共预算|财政资金|本级财政|当年财政|本年财政|上级补助|财政")),
)
# A department code is written in brackets, after a 代码 label, or bare at either end of the name;
# never a year ('（2023年）') nor digits inside a name ('110指挥中心').
DEPT_CODE = r"(?<![0-9０-９A-Za-z])(?P<code>[0-9０-９A-Za-z]*[0-9０-９][0-9０-９A-Za-z]{2,})(?![0-9０-９A-Za-z年])"
CODE_LABEL = r"(?:部门|单位)?(?:代码|编码|编号)\s*[:：]?\s*"
DEPT_CODE_PATTERNS = (
    re.compile(rf"[（(【\[]\s*(?:{CODE_LABEL})?{DEPT_CODE}\s*[）)】\]]"),
    re.compile(rf"{CODE_LABEL}{DEPT_CODE}"),
    re.compile(rf"^{DEPT_CODE}"),
    re.compile(rf"{DEPT_CODE}$"),
)
# Words allowed between a label and its colon ('主管部门及代码：…', '项目名称（全称）：…'), not '负责人'.
INLINE_LABEL_TAIL = r"[及和与代码编号名称全称盖章（）()]{0,8}[:：]"
NAME_SEPARATORS = " -—－_/／:：,，、"
LEVEL1_NAMES = (("产出", "产出指标"), ("效益", "效益指标"), ("满意度", "满意度指标"), ("成本", "成本指标"))
LEVEL2_NAMES = (
    ("服务对象满意度", "服务对象满意度指标"), ("满意度", "服务对象满意度指标"),
    ("经济效益", "经济效益指标"), ("社会效益", "社会效益指标"),
    ("生态效益", "生态效益指标"), ("环境效益", "生态效益指标"), ("可持续", "可持续影响指标"),
    ("经济成本", "经济成本指标"), ("社会成本", "社会成本指标"),
    ("生态环境成本", "生态环境成本指标"), ("环境成本", "生态环境成本指标"), ("生态成本", "生态环境成本指标"),
    ("数量", "数量指标"), ("质量", "质量指标"), ("时效", "时效指标"), ("进度", "时效指标"), ("成本", "成本指标"),
)
LEVEL1_OF_LEVEL2 = {
    "数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标", "成本指标": "产出指标",
    "经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标", "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
    "经济成本指标": "成本指标", "社会成本指标": "成本指标", "生态环境成本指标": "成本指标",
}
# Titles of the other performance forms a unit may send by mistake (申报表, 批复的目标表, 自评表).
OTHER_FORM_TITLE_RE = re.compile(r"(绩效目标|申报|自评|评价|批复)表")
# What tells each other form apart (title words, or a 自评表's 分值/得分 columns), checked in this order.
OTHER_FORM_KINDS = (("绩效自评表", r"自评|自我评价|评价表|分值|得分"), ("绩效目标申报表", r"申报"),
                    ("绩效目标表", r"绩效目标表|目标表|批复"))
# Labels of the possibility tick columns: 确定能 / 有可能 / 完全不可能 and their variants ('不能', '确定能完成').
POSSIBILITY_LABEL_RE = re.compile(r"^(确定|肯定|基本|有|完全)?不?可?能(完成|实现|达到|达成)?$")



@dataclass
class ParsedProject:
    sheet: str
    fields: dict[str, Any]
    funds: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)


def label_key(value: Any) -> str:
    """Normalised text of a label cell, without parentheses content, period or colon."""
    return _label_key(value) if isinstance(value, str) else ""


@lru_cache(maxsize=8192)  # a sheet repeats the same few texts; scanning asks for each many times
def _label_key(value: str) -> str:
    text = V.normalize(value)
    text = re.sub(r"^(其中|含)[:：]?", "", text)
    text = PAREN_RE.sub("", text)
    text = V.PERIOD_RE.sub("", text)
    return text.rstrip(":：")


def is_label(pattern: str, text: str) -> bool:
    """Whether a cell's text is the label ``pattern`` names: the label alone ('项目名称（全称）'), or
    followed by its value after a colon ('项目名称：xx')."""
    return _is_label(pattern, text) if len(text) <= V.CACHED_TEXT_LEN else _label_test(pattern, text)


def _label_test(pattern: str, text: str) -> bool:
    key, whole = label_key(text), V.normalize(text)
    return bool(re.match(pattern, key) and len(key) <= 12
                or re.match(pattern.removesuffix("$") + INLINE_LABEL_TAIL, whole) and len(whole) > len(key) - 1)


_is_label = lru_cache(maxsize=8192)(_label_test)  # every label is looked for in every text of the band


def header_role(value: Any) -> str | None:
    """The indicator-table column a header text names, or None."""
    return _header_role(label_key(value))


@lru_cache(maxsize=8192)  # header scanning asks about every cell of every row; texts repeat
def _header_role(text: str) -> str | None:
    """Roles by anchor words, not by a list of whole headers: a new synonym built from the same
    words ('截至7月底完成值', '预计全年完成值', '考核指标内容') is recognised without a new entry."""
    if not text or len(text) > MAX_LABEL_LEN:
        return None
    if "备注" in text:
        return "remarks"
    if "说明" in text or text in ("原因", "具体原因", "原因及措施") or re.fullmatch(r"(拟采取|纠偏|整改|改进)措施", text):
        return "reason_text"
    if "偏差原因" in text or text.startswith("原因分析") or text == "偏差分析":
        return "reasons"
    if re.search(r"可能性|完成目标可能|能否(完成|实现|达到|达成)|是否能|有望", text):
        return "possibility"
    if re.search(r"预计|预测", text) or re.search(r"(年底|年末|全年|到年).*(完成|实现|达到|达成)", text):
        return "expected"
    if text in ("计量单位", "度量单位", "单位", "指标单位", "指标值单位"):
        return "unit"
    if re.fullmatch(r"指标(性质|方向性?)|(比较|运算)?符号?", text):
        return "op"
    if re.search(r"执行情况|完成情况|实际|完成值|进展|执行值|执行数|完成数|完成进度|实现值|实现情况|已完成"
                 r"|截[至止]|累计完成|目前完成|当前完成", text):
        return "actual"
    if re.search(r"指标值|目标值|目标|计划值|计划数|标准值|预期值|考核值", text):
        return "target"
    if text.startswith("一级"):
        return "level1"
    if text.startswith("二级"):
        return "level2"
    if text.startswith("三级") or re.fullmatch(NAME_HEADER_RE, text):
        return "name"
    return None


# Headers of the indicator-name column: '指标名称', '具体指标', '指标内容', '考核指标', '绩效指标'
# (the last also heads 一级/二级/三级 as a group: see SheetReader._role).
NAME_HEADER_RE = r"(具体|明细|考核|评价|绩效|监控|业绩)?(考核|评价)?指标(名称|内容|明细|描述|项目|项)?(名称|内容)?"
GENERIC_NAME_HEADERS = {"绩效指标", "考核指标", "评价指标", "指标"}


# A unit written at the end of an indicator name: '编发新闻稿件（条）', '达标率(%)', '覆盖面积（万亩）'.
NAME_UNIT_RE = re.compile(r"[（(【\[]\s*(?:计量)?(?:单位\s*[:：]?)?\s*([^（）()【】\[\]]{1,6}?)\s*[）)】\]]$")
# Bracketed words that are not units: '（含…）', '（暂定）', '（2023年）', '（累计）', '（全县）'.
NOT_A_UNIT_RE = re.compile(r"\d|含|暂|估|累计|全|年度|季度|本|其中|以上|以下|左右|等|试|预|新增|当年|上年|合计")
UNIT_TEXT_RE = re.compile(r"^(%|‰|[A-Za-z²³/·.]{1,6}|[\u4e00-\u9fa5]{1,4}(/[\u4e00-\u9fa5A-Za-z]{1,3})?)$")


def unit_in_name(name: Any) -> str | None:
    """The unit written in brackets at the end of an indicator's name, if it reads as a unit."""
    match = NAME_UNIT_RE.search(V.normalize(name)) if isinstance(name, str) else None
    if not match:
        return None
    unit = match.group(1).strip()
    return unit if UNIT_TEXT_RE.match(unit) and not NOT_A_UNIT_RE.search(unit) else None


def fund_column_role(value: Any) -> str | None:
    """The funds-block column a header text names (budget, executed, rate, expected), or None."""
    return _fund_column_role(label_key(value))


@lru_cache(maxsize=8192)
def _fund_column_role(text: str) -> str | None:
    if not text or len(text) > MAX_LABEL_LEN:
        return None
    if "预计" in text and "率" not in text:
        return "expected"
    if "执行率" in text or "支出率" in text:
        return None if "预计" in text else "rate"
    if re.search(r"执行数|执行金额|实际支出|已支出|支出数|执行额|支付数|支付金额", text):
        return "executed"
    if re.search(r"^(20\d{2}年)?(年初|年度|全年)?(批复)?预算(数|金额|额)?$", text):
        return "budget"
    return None


def canonical_level1(value: Any) -> str | None:
    text = V.normalize(value)
    for key, name in LEVEL1_NAMES:
        if text.startswith(key):
            return name
    return None


def canonical_level2(value: Any) -> str | None:
    text = V.normalize(value).removesuffix("指标")
    for key, name in LEVEL2_NAMES:
        if text.startswith(key):
            return name
    return None


def split_department(text: Any) -> tuple[str | None, str | None]:
    """'湟源县教育局（302001）' -> ('湟源县教育局', '302001'); no code -> (name, None)."""
    raw = V.tidy_name(text)
    if not raw:
        return None, None
    match = next((m for m in (pattern.search(raw) for pattern in DEPT_CODE_PATTERNS) if m), None)
    if not match:
        return raw, None
    # separators are trimmed only where the code was cut out: a name's own leading '-' stays
    name = raw[:match.start()].rstrip(NAME_SEPARATORS) + raw[match.end():].lstrip(NAME_SEPARATORS)
    return V.tidy_name(name), V.normalize(match.group("code"))


@dataclass
class HeaderNotes:
    """What placing the columns of one indicator header met, reported as findings."""

    shadowed: list[tuple[int, int, str]] = field(default_factory=list)  # (hidden col, visible col, role)
    by_position: list[tuple[int, int, str, str]] = field(default_factory=list)  # (row, col, words, role)
    unplaced: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, words)
    older: list[tuple[int, int, str]] = field(default_factory=list)  # (earlier period's col, current col, role)


# The indicator columns in the template's order, used to place a header without anchor words.
CORE_ROLES = ("level1", "level2", "name", "target", "actual", "expected")
ROLE_LABELS = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "target": "年度指标值",
               "actual": "1-N月执行情况", "expected": "全年预计完成情况", "reasons": "偏差原因分析",
               "possibility": "完成目标可能性", "reason_text": "原因说明", "remarks": "备注", "unit": "计量单位",
               "op": "指标性质"}
INDEX_HEADER_RE = re.compile(r"^(序号|编号|行次|序|No\.?|NO\.?|#)$")
SHAPE_ROWS = 20  # rows under a header looked at to tell what its column holds
# Roles a column's values alone can tell (一级/二级 names, possibility levels, reason categories).
SHAPE_ROLES = ("level1", "level2", "possibility", "reasons")
REASON_WORDS = set(V.REASON_CATEGORIES)


class SheetReader:
    """Finds and reads every project form on one sheet."""

    def __init__(self, grid: Grid, default_year: int, default_month: int, default_unit: str,
                 yuan_suspect_threshold: float):
        self.grid = grid
        self.default_year = default_year
        self.default_month = default_month
        self.default_unit = default_unit
        self.yuan_suspect_threshold = yuan_suspect_threshold
        self.rows = self._text_rows()
        self._header_notes: dict[int, HeaderNotes] = {}
        self._band: list[int] = []
        # The grid never changes under a reader: what locating the form finds is found once
        # (ingest asks other_form_kind, looks_like_form and read in turn, each needing the same scans).
        self._found: dict[str, Any] = {}

    def _once(self, name: str, find) -> Any:
        if name not in self._found:
            self._found[name] = find()
        return self._found[name]

    # -- anchors -----------------------------------------------------------------
    def _text_rows(self) -> dict[int, list[tuple[int, str]]]:
        rows: dict[int, list[tuple[int, str]]] = {}
        for (r, c), cell in sorted(self.grid.cells.items()):
            if isinstance(cell.value, str) and cell.value.strip():
                rows.setdefault(r, []).append((c, cell.value))
        return rows

    def project_anchors(self) -> list[tuple[int, int]]:
        return list(self._once("anchors", self._find_project_anchors))

    def _find_project_anchors(self) -> list[tuple[int, int]]:
        anchors = []
        for r, cells in sorted(self.rows.items()):
            for c, text in cells:
                key = label_key(text)
                if key == "项目名称" and self._heads_a_column(r, c):
                    break
                if key == "项目名称" or re.match(r"^项目名称[:：].+", V.normalize(text)):
                    anchors.append((r, c))
                    break
        return anchors

    def _heads_a_column(self, row: int, col: int) -> bool:
        """'项目名称' in the header row of a summary table (汇总表), not the label of one project's name."""
        others = [text for c, text in self.rows.get(row, []) if c > col]
        headings = [t for t in others if self._is_identity_label(t) or fund_column_role(t) or header_role(t)]
        return len(headings) >= 2 and bool(others) and others[0] in headings

    def _role(self, row: int, col: int) -> str | None:
        """The header role of a cell; a generic '绩效指标' merged over several columns is a group
        header (over 一级/二级/三级), not the name column."""
        return self._origin_role(self.grid.origin(row, col))

    def _origin_role(self, origin: tuple[int, int]) -> str | None:
        """The role of what a merged range (or a lone cell) shows, asked once per range: header scans
        ask it of every cell the range covers."""
        roles = self._found.setdefault("roles", {})
        if origin not in roles:
            value = self.grid.value(*origin)
            role = header_role(value) if isinstance(value, str) else None  # only a text heads a column
            if role == "name" and label_key(value) in GENERIC_NAME_HEADERS:
                _, c1, _, c2 = self.grid.span(*origin)
                role = None if c2 > c1 else role
            roles[origin] = role
        return roles[origin]

    def indicator_headers(self) -> list[int]:
        """Rows heading an indicator table: name and target columns, or at least three indicator
        roles (the name column is then placed by position and by its values)."""
        return list(self._once("headers", self._find_indicator_headers))

    def _find_indicator_headers(self) -> list[int]:
        strong, weak = [], []
        for r in sorted({r for r, _ in self.grid.cells}):
            roles = {self._origin_role(origin) for origin in self._text_origins(r)}
            if not ("name" in roles and "target" in roles) and len(self.rows.get(r, [])) >= 2:
                roles |= set(self._split_roles(r).values())
            core = roles & {"level1", "level2", "name", "target", "actual", "expected"}
            if "name" in roles and "target" in roles:
                strong.append(r)
            elif len(core) >= 3 and "target" in roles and not self._is_funds_header(r):
                weak.append(r)
        # a group row above the real header row ('绩效指标' over 一级/二级/三级) defers to it
        weak = [r for r in weak if not any(r < h <= r + 2 for h in strong)]
        headers = []
        for r in sorted(strong + weak):
            if not headers or r > headers[-1] + 2:
                headers.append(r)
        return headers

    def _text_origins(self, row: int) -> set[tuple[int, int]]:
        """What the cells of ``row`` show, as the cells holding it: its own texts and the top-left cells
        of the merged ranges covering it (only a text has a role: the other cells need no look)."""
        return {self.grid.origin(row, c) for c, _ in self.rows.get(row, [])} | self.grid.origins_in_row(row)

    def looks_like_form(self) -> bool:
        if self.is_other_form():
            return False
        return bool(self.project_anchors() or self.indicator_headers())

    def is_other_form(self) -> bool:
        return self.other_form_kind() is not None

    def other_form_kind(self) -> str | None:
        """A 自评表 / 申报表 / 目标表 sent instead of the monitoring table, by what only the monitoring
        table has: a 1-N月 execution column, a 全年预计 column, a 完成可能性 column or its title."""
        return self._once("other form", self._find_other_form_kind)

    def _find_other_form_kind(self) -> str | None:
        texts = [V.normalize(t) for cells in self.rows.values() for _, t in cells]
        if not texts or self._has_monitoring_marks(texts):
            return None
        joined = "".join(t for t in texts if len(t) <= 40)
        for kind, pattern in OTHER_FORM_KINDS:
            if re.search(pattern, joined):
                return kind
        if self.indicator_headers() and not any(header_role(t) == "actual" or fund_column_role(t) == "executed"
                                                for t in texts):
            return "绩效目标表"
        return None

    @staticmethod
    def _has_monitoring_marks(texts: list[str]) -> bool:
        for text in texts:
            if re.search(r"监控表|运行监控|执行监控", text) and len(text) <= 60:
                return True
            role, fund_role = header_role(text), fund_column_role(text)
            if role in ("expected", "possibility") or fund_role == "expected":
                return True
            if (role == "actual" or fund_role == "executed") and PERIOD_END_RE.search(text):
                return True
        return False

    # -- reading -----------------------------------------------------------------
    def read(self) -> list[ParsedProject]:
        anchors = self.project_anchors()
        headers = self.indicator_headers()
        if not anchors and not headers:
            return []
        blocks = self._blocks(anchors, headers)
        projects = []
        for anchor, block_headers, top, bottom in blocks:
            projects.append(self._read_block(anchor, block_headers, top, bottom))
        return projects

    def _blocks(self, anchors, headers):
        """Split the sheet into (anchor, indicator header rows, top row, bottom row) blocks."""
        if not anchors:
            anchors = [(None, None)] * len(headers)
            starts = headers
        else:
            starts = [r for r, _ in anchors]
        blocks = []
        previous_end = 0
        for i, (anchor, start) in enumerate(zip(anchors, starts)):
            next_start = starts[i + 1] if i + 1 < len(starts) else self.grid.max_row + 1
            if anchor[0] is None:
                mine = [start]
            else:
                mine = [h for h in headers if start <= h < next_start]
            top = previous_end + 1
            bottom = self._title_start(next_start, start) - 1 if i + 1 < len(starts) else self.grid.max_row
            blocks.append((anchor, mine, top, bottom))
            previous_end = bottom
        return blocks

    def _title_start(self, anchor_row: int, floor: int) -> int:
        """The first row of the title lines (监控表 title, period, unit) right above an anchor."""
        row = anchor_row
        for r in range(anchor_row - 1, floor, -1):
            texts = [V.normalize(t) for _, t in self.rows.get(r, [])]
            if not texts:
                continue
            joined = "".join(texts)
            if ("监控表" in joined or PERIOD_END_RE.search(joined) or UNIT_DECL_RE.search(joined)
                    or "填报单位" in joined) and not STOP_ROW_RE.match(texts[0]):
                row = r
            else:
                break
        return row

    def _read_block(self, anchor, header_rows, top, bottom) -> ParsedProject:
        grid = self.grid
        findings: list[Finding] = []
        meta_end = header_rows[0] if header_rows else bottom + 1
        fields: dict[str, Any] = {}
        self._read_identity(anchor, top, meta_end, fields, findings)
        unit, factor = self._money_unit(top, meta_end, findings)
        fields["money_unit_declared"] = unit
        fields["period_end_month"] = self._period(top, meta_end + 2)
        fields["year"] = self._year(top, meta_end)
        funds = self._read_funds(*self._funds_range(top, meta_end, bottom), factor, findings)
        self._check_scale(funds, unit, findings, anchor_row=anchor[0] or top)
        totals = next((f for f in funds if f["source"] == "total"), {})
        for source in FUND_SOURCES:
            row = next((f for f in funds if f["source"] == source), {})
            fields[f"budget_{source}"] = row.get("budget")
        fields["executed_total"] = totals.get("executed")
        fields["expected_total"] = totals.get("expected")
        indicators = []
        if not header_rows:
            findings.append(finding("INDICATOR_TABLE_MISSING", grid.name, address(anchor[0], anchor[1]) if anchor[0] else None,
                                    "未找到绩效指标表的表头（应有“三级指标”“年度指标值”等列），本项目的指标未能读取。"))
        for i, h in enumerate(header_rows):
            end = header_rows[i + 1] - 1 if i + 1 < len(header_rows) else bottom
            indicators.extend(self._read_indicators(h, end, findings))
        if header_rows and not indicators:
            findings.append(finding("NO_INDICATORS", grid.name, address(header_rows[0], 1),
                                    "指标表中没有填写任何三级指标，请按年初批复的绩效目标填写。"))
        return ParsedProject(grid.name, fields, funds, indicators, findings)

    # -- identity ----------------------------------------------------------------
    def _value_right_of(self, row: int, col: int) -> tuple[Any, tuple[int, int] | None]:
        _, _, _, c_end = self.grid.span(row, col)
        label = V.normalize(self.grid.value(row, col))
        for c in range(c_end + 1, self.grid.max_col + 1):
            value = self.grid.value(row, c)
            if V.is_blank(value) or V.normalize(value) == label:
                continue  # exporters without merges repeat a merged label in every cell it covered
            if isinstance(value, str) and self._is_identity_label(value):
                return None, None
            return value, (row, c)
        return None, None

    @staticmethod
    def _is_identity_label(text: str) -> bool:
        key = label_key(text)
        return bool(re.match(r"^(项目名称|主管部门|实施单位|部门代码|单位代码|代码|项目负责人|联系电话)", key)) and len(key) <= 10

    def _find_label(self, pattern: str, top: int, end: int) -> list[tuple[int, int, str]]:
        return [(r, c, text) for r in range(top, end) for c, text in self.rows.get(r, []) if is_label(pattern, text)]

    def _labelled_value(self, pattern: str, top: int, end: int) -> tuple[Any, str | None]:
        for r, c, text in self._find_label(pattern, top, end):
            inline = re.split(r"[:：]", str(text), maxsplit=1)
            if len(inline) == 2 and V.tidy_name(inline[1]) and re.match(pattern, label_key(inline[0] + "：")):
                return V.tidy_name(inline[1]), address(r, c)
            value, where = self._value_right_of(r, c)
            if where:
                return value, address(*where)
            return None, address(r, c)
        return None, None

    def _read_identity(self, anchor, top, end, fields, findings) -> None:
        grid = self.grid
        name, where = self._labelled_value(r"^项目名称", top, end)
        fields["project_name"] = V.tidy_name(name) if name is not None else None
        fields["project_name_cell"] = where
        if not fields["project_name"]:
            fields["project_name"] = V.tidy_name(grid.name)
            findings.append(finding("PROJECT_NAME_MISSING", grid.name, where,
                                    f"没有填写“项目名称”，暂以工作表名“{grid.name}”代替。请填写与预算批复一致的项目全称。"))
        dept_text, dept_cell = self._labelled_value(r"^主管部门", top, end)
        if dept_text is None:
            dept_text, dept_cell = self._labelled_value(r"^(填报单位|预算单位|部门名称|单位名称)", top, end)
        dept_name, dept_code = split_department(dept_text)
        code_text, _ = self._labelled_value(r"^(主管部门|部门|单位|预算单位)?(代码|编码)$", top, end)
        if code_text is not None and not dept_code:
            dept_code = V.normalize(code_text).strip("（）()") or None
            if isinstance(code_text, float) and code_text.is_integer():
                dept_code = str(int(code_text))
        fields.update(dept_name=dept_name, dept_code=dept_code, dept_text=V.tidy_name(dept_text), dept_cell=dept_cell)
        if not dept_name:
            findings.append(finding("DEPT_MISSING", grid.name, dept_cell,
                                    "没有填写“主管部门及代码”，请填写主管部门全称和部门代码，如“湟源县教育局（302001）”。"))
        unit_name, unit_cell = self._labelled_value(r"^实施单位", top, end)
        fields["unit_name"] = V.tidy_name(unit_name) if unit_name is not None else None
        fields["unit_cell"] = unit_cell
        if not fields["unit_name"]:
            findings.append(finding("UNIT_MISSING", grid.name, unit_cell,
                                    "没有填写“实施单位”，请填写实际执行项目的单位全称。"))
        goal, goal_cell = self._labelled_value(r"^(年度)?(总体|绩效)?(总体)?目标$", top, end)
        fields["annual_goal"] = str(goal).strip() if goal is not None else None

    # -- period, year, unit ------------------------------------------------------
    def _block_texts(self, top: int, end: int) -> list[str]:
        """Texts of the rows top..end-1, visible rows first (a hidden '1-6月' title line is last round's)."""
        rows = sorted(range(top, end), key=lambda r: r in self.grid.hidden_rows)
        return [V.normalize(t) for r in rows for _, t in self.rows.get(r, [])]

    def _period(self, top: int, end: int) -> int:
        for text in self._block_texts(top, end):
            match = PERIOD_END_RE.search(text)
            month = int(match.group(1) or match.group(2)) if match else 0
            if 1 <= month <= 12:
                return month
        return self.default_month

    def _year(self, top: int, end: int) -> int:
        texts = self._block_texts(top, end)
        for text in texts:
            if PERIOD_END_RE.search(text) or "监控表" in text:
                match = YEAR_RE.search(text)
                if match:
                    return int(match.group(1))
        return self.default_year

    def _money_unit(self, top: int, end: int, findings) -> tuple[str | None, float]:
        """The declared money unit of the block (or of the sheet above the first block)."""
        for rows in (range(top, end), range(1, top)):
            for r in rows:
                for _, text in self.rows.get(r, []):
                    folded = V.normalize(text)
                    if len(folded) > 40:
                        continue
                    match = UNIT_DECL_RE.search(folded)
                    if match:
                        unit = match.group(1) or match.group(2)
                        return unit, (1e-4 if unit == "元" else 1.0)
        return None, (1e-4 if self.default_unit == "元" else 1.0)

    # -- funds -------------------------------------------------------------------
    def _funds_range(self, top: int, meta_end: int, bottom: int) -> tuple[int, int]:
        """Rows holding the funds block: above the indicator table, or else below it (some units put it last)."""
        if self._fund_header(top, meta_end)[0] is not None or meta_end > bottom:
            return top, meta_end
        return meta_end, bottom + 1

    def _is_funds_header(self, row: int) -> bool:
        """A funds header row ('年初预算数 | 1-7月执行数 | …') ends an indicator table placed above it."""
        columns = self._fund_columns(row)
        return "budget" in columns and len(columns) >= 2

    def _read_funds(self, top: int, end: int, factor: float, findings) -> list[dict[str, Any]]:
        grid = self.grid
        header_row, columns = self._fund_header(top, end)
        if header_row is None:
            findings.append(finding("FUNDS_TABLE_MISSING", grid.name, None,
                                    "未找到项目资金表（应有“年初预算数”“1-N月执行数”“全年预计执行数”等列），资金数据未能读取。"))
            return []
        budget_col = columns["budget"][1]
        findings.extend(self._hidden_fund_columns(header_row, columns))
        funds = []
        for r in range(header_row + 1, end):
            label = next((v for v in (grid.value(r, c) for c in range(budget_col - 1, 0, -1))
                          if isinstance(v, str) and v.strip()), None)
            key = label_key(label)
            if not key:
                continue
            if re.match(r"^(年度)?(总体|绩效)?目标|^一级指标|^绩效指标", key) or STOP_ROW_RE.match(V.normalize(label)):
                break
            source = next((s for s, pattern in FUND_ROW_PATTERNS if pattern.search(key)), None)
            if source is None or not self._replaces_fund_row(funds, source, r, findings):
                continue
            record = {"source": source, "label": V.tidy_name(label), "row": r}
            for role in ("budget", "executed", "rate", "expected"):
                cell, where = self._first_in_span(r, columns.get(role))
                record[f"{role}_cell"] = address(*where) if where else None
                raw = cell.value if cell else None
                record[f"{role}_text"] = V.cell_text(raw, cell.number_format if cell else "General")
                if role == "rate":
                    record["executed_rate_reported"] = V.parse_rate(raw, cell.number_format if cell else "General")
                    continue
                amount = V.parse_amount(raw)
                if raw is not None and amount is None and not V.is_blank(raw):
                    findings.append(finding("AMOUNT_UNPARSED", grid.name, record[f"{role}_cell"],
                                            f"金额“{raw}”不是数字，已按空值处理。请只填写数字（单位万元）。"))
                record[role] = None if amount is None else round(amount * factor, 6)
            funds.append(record)
        if not any(f["source"] == "total" for f in funds):
            findings.append(finding("FUNDS_TOTAL_MISSING", grid.name, address(header_row, budget_col),
                                    "资金表中没有“年度资金总额”一行，请补充填写。"))
        return funds

    def _hidden_fund_columns(self, header_row: int, columns: dict) -> list[Finding]:
        """Hidden funds columns that gave way to a visible one of the same role, as findings."""
        out = []
        for r in {header_row - 1, header_row}:
            for c in sorted(self.grid.hidden_cols):
                role = fund_column_role(self.grid.value(r, c))
                if role and role in columns and columns[role][1] != c:
                    out.append(finding("HIDDEN_COLUMN_IGNORED", self.grid.name, address(r, c),
                                       f"第 {get_column_letter(c)} 列是隐藏列，与可见的第 {get_column_letter(columns[role][1])} 列"
                                       f"同为“{V.normalize(self.grid.value(r, c))}”，已以可见列为准，隐藏列的内容未读取。"
                                       "请删除不用的隐藏列。"))
        return out

    def _replaces_fund_row(self, funds: list[dict[str, Any]], source: str, row: int, findings) -> bool:
        """Whether ``row`` is read for ``source``: the first such row, or a visible one after a hidden one."""
        existing = next((f for f in funds if f["source"] == source), None)
        hidden = self.grid.hidden_rows
        if existing is None:
            return True
        if existing["row"] in hidden and row not in hidden:
            funds.remove(existing)
            findings.append(finding("HIDDEN_ROW_IGNORED", self.grid.name, existing.get("budget_cell"),
                                    f"第 {existing['row']} 行是隐藏行，与可见的第 {row} 行同为“{existing['label']}”，已以可见行为准，"
                                    "隐藏行的内容未读取。请删除不用的隐藏行。"))
            return True
        return False

    def _fund_columns(self, row: int) -> dict[str, tuple[int, int, int, int]]:
        """Each funds role's header span in ``row``; a visible column beats a hidden one of the same role."""
        found: dict[str, tuple[int, int, int, int]] = {}
        hidden = self.grid.hidden_cols
        for c, text in self.rows.get(row, []):  # only a text names a column, in column order
            role = fund_column_role(text)
            if role and (role not in found or found[role][1] in hidden and c not in hidden
                         or self._later_period(row, found[role][1], c)):
                found[role] = self.grid.span(row, c)
        return found

    def _later_period(self, row: int, old: int, new: int) -> bool:
        """'1-7月执行数' beside last round's '1-6月执行数': the later period is this round's."""
        months = [PERIOD_END_RE.search(V.normalize(self.grid.value(row, c))) for c in (old, new)]
        if not all(months) or new in self.grid.hidden_cols:
            return False
        old_month, new_month = (int(m.group(1) or m.group(2)) for m in months)
        return new_month > old_month

    def _valued_rows(self) -> set[int]:
        """Rows with at least one cell holding a value."""
        return {r for (r, _), cell in self.grid.cells.items() if cell.value is not None}

    def _fund_header(self, top: int, end: int) -> tuple[int | None, dict]:
        return self._once(f"fund header {top} {end}", lambda: self._find_fund_header(top, end))

    def _find_fund_header(self, top: int, end: int) -> tuple[int | None, dict]:
        """The last row of the funds header band and the column span of each role.

        A band of two rows ('1-7月执行情况' over '执行数 | 执行率') adds the roles of its lower row.
        """
        for r in range(top, end):
            columns = self._fund_columns(r)
            if "budget" not in columns:
                continue
            below = {role: span for role, span in self._fund_columns(r + 1).items() if role not in columns}
            return (r + 1, {**columns, **below}) if below else (r, columns)
        return None, {}

    def _first_in_span(self, row: int, span) -> tuple[Cell | None, tuple[int, int] | None]:
        """The first non-empty cell of ``row`` within a header's column span."""
        if span is None:
            return None, None
        _, c1, _, c2 = span
        for c in range(c1, c2 + 1):
            cell = self.grid.cell(row, c)
            if cell is not None and cell.value is not None:
                return cell, (row, c)
        return None, (row, c1)

    def _check_scale(self, funds, unit, findings, anchor_row) -> None:
        budgets = [f.get("budget") for f in funds if f.get("budget") is not None]
        if not budgets or max(budgets) <= self.yuan_suspect_threshold:
            return
        if unit is None:
            for record in funds:
                for role in ("budget", "executed", "expected"):
                    if record.get(role) is not None:
                        record[role] = round(record[role] * 1e-4, 6)
            findings.append(finding("AMOUNT_ASSUMED_YUAN", self.grid.name, funds[0].get("budget_cell"),
                                    "表中未注明金额单位，且金额超过10万万元，判断为以“元”填写，已折算为万元。请注明“单位：万元”并按万元填写。"))
        else:
            findings.append(finding("AMOUNT_SUSPECT_UNIT", self.grid.name, funds[0].get("budget_cell"),
                                    f"表中注明单位为{unit}，但金额超过10万{unit}，疑似把“元”当作“万元”填写，请核实。"))

    # -- indicators --------------------------------------------------------------
    def _column_roles(self, header: int) -> tuple[dict[str, int], dict[int, str], dict[int, str], int]:
        """Map roles to columns from the header band; returns (roles, reason cols, possibility cols, last header row)."""
        grid = self.grid
        band = [header]
        below = header + 1
        sub_labels = [
            c for c in range(1, grid.max_col + 1)
            if isinstance(grid.value(below, c), str)
            and (V.reason_from_label(grid.value(below, c)) or POSSIBILITY_LABEL_RE.match(label_key(grid.value(below, c))))
        ]
        split = self._split_roles(header)
        header_roles = {header_role(grid.filled(header, c)) for c in range(1, grid.max_col + 1)}
        if len(sub_labels) >= 2 or len(split) >= 2 or split and not {"name", "target"} <= header_roles:
            band.append(below)
        above = header - 1
        if any(header_role(grid.filled(above, c)) in ("reasons", "possibility") for c in range(1, grid.max_col + 1)):
            band.insert(0, above)
        roles: dict[str, int] = {}
        reason_cols: dict[int, str] = {}
        possibility_cols: dict[int, str] = {}
        notes = HeaderNotes()
        self._band = band
        unplaced: list[tuple[int, int, str]] = []
        for c in range(1, grid.max_col + 1):
            stack = [grid.filled(r, c) for r in band]
            stack_roles = [self._role(r, c) for r in band]
            groups = set(stack_roles)
            bottom = stack[-1] if isinstance(stack[-1], str) else None
            if bottom and self._is_tick_label(band, c, bottom):
                reason = V.reason_from_label(bottom)
                level = POSSIBILITY_LABEL_RE.match(label_key(bottom)) and V.possibility_from_label(bottom)
                if reason and ("reasons" in groups or "possibility" not in groups):
                    reason_cols[c] = reason
                    continue
                if level:
                    possibility_cols[c] = level
                    continue
            joined = header_role(self._split_text([header, below], c)) if below in band else None
            if joined and self._claim(roles, joined, c, notes):
                continue
            role = next((role for role in reversed(stack_roles) if role), None)
            if role:
                self._claim(roles, role, c, notes)
                continue
            words = next(((r, t) for r, t in zip(reversed(band), reversed(stack))
                          if isinstance(t, str) and t.strip() and grid.origin(r, c)[1] == c), None)
            if words and not INDEX_HEADER_RE.match(label_key(words[1])):
                unplaced.append((grid.origin(words[0], c)[0], c, words[1]))
        self._place_by_position(band[-1], roles, unplaced, notes)
        for columns in (reason_cols, possibility_cols):
            self._drop_hidden_twins(columns, notes)
        self._header_notes[header] = notes
        return roles, reason_cols, possibility_cols, band[-1]

    def _claim(self, roles: dict[str, int], role: str, col: int, notes: HeaderNotes) -> bool:
        """Give ``role`` to ``col`` unless a column already has it; a visible column beats a hidden one."""
        hidden = self.grid.hidden_cols
        if role not in roles:
            roles[role] = col
            return True
        if roles[role] in hidden and col not in hidden:
            notes.shadowed.append((roles[role], col, role))
            roles[role] = col
            return True
        if col in hidden and roles[role] not in hidden:
            notes.shadowed.append((col, roles[role], role))
            return True
        old_month, new_month = self._header_month(roles[role]), self._header_month(col)
        if old_month and new_month and old_month != new_month:  # last round's 1-6月 column kept beside 1-7月
            older, newer = sorted((roles[role], col), key=self._header_month)
            notes.older.append((older, newer, role))
            roles[role] = newer
            return True
        return False

    def _header_month(self, col: int) -> int:
        """The month N of a '1-N月…' / '截至N月…' header over ``col`` (0 when it names none)."""
        text = "".join(V.normalize(t) for t in (self.grid.filled(r, col) for r in self._band) if isinstance(t, str))
        match = PERIOD_END_RE.search(text)
        return int(match.group(1) or match.group(2)) if match else 0

    def _drop_hidden_twins(self, columns: dict[int, str], notes: HeaderNotes) -> None:
        """A hidden tick column whose label a visible column also has is last round's copy: not read."""
        hidden = self.grid.hidden_cols
        for c in [c for c in columns if c in hidden]:
            twin = next((v for v, label in columns.items() if v not in hidden and label == columns[c]), None)
            if twin is not None:
                notes.shadowed.append((c, twin, columns.pop(c)))

    def _place_by_position(self, last_header: int, roles: dict[str, int], unplaced: list, notes: HeaderNotes) -> None:
        """Headers without anchor words: a column of 一级/二级 names, possibility levels or reason
        categories takes that role; otherwise a column
        takes the first missing role whose neighbours in the template order (一级, 二级, 三级, 年度指标值,
        1-N月执行情况, 全年预计) lie on the right sides, if its values have the role's shape."""
        for row, col, text in unplaced:
            shape = self._column_shape(last_header, col)
            role = shape if shape in SHAPE_ROLES and shape not in roles else None
            for index, candidate in enumerate(CORE_ROLES):
                if role or candidate in roles:
                    continue
                left = [roles[r] for r in CORE_ROLES[:index] if r in roles]
                right = [roles[r] for r in CORE_ROLES[index + 1:] if r in roles]
                if left and max(left) > col or right and min(right) < col:
                    continue
                if candidate in ("level1", "level2") or candidate == "name" and shape != "text":
                    continue
                role = candidate
            if role:
                roles[role] = col
                notes.by_position.append((row, col, text, role))
            else:
                notes.unplaced.append((row, col, text))

    @staticmethod
    def _is_possibility_word(value: Any) -> bool:
        """'确定能', '有可能', '完全不可能' (or '能', '不能') written as a cell's whole text."""
        return (isinstance(value, str) and len(V.normalize(value)) <= 6
                and bool(POSSIBILITY_LABEL_RE.match(label_key(value))) and V.possibility_from_label(value) is not None)

    def _column_shape(self, last_header: int, col: int) -> str | None:
        """What the values below a header look like: level1, level2, tick, number, text (None: empty)."""
        counts: dict[str, int] = {}
        for r in range(last_header + 1, min(last_header + SHAPE_ROWS, self.grid.max_row) + 1):
            texts = self.rows.get(r, [])
            if texts and STOP_ROW_RE.match(V.normalize(texts[0][1])):
                break  # the notes and signatures under the table
            _, c1, _, c2 = self.grid.span(r, col)
            value = self.grid.filled(r, col) if c1 == c2 else None  # a note merged across is no column's value
            if V.is_blank(value):
                continue
            if canonical_level2(value) and len(V.normalize(value)) <= 8:
                kind = "level2" if canonical_level1(value) is None else "level1"
            elif canonical_level1(value) and len(V.normalize(value)) <= 6:
                kind = "level1"
            elif self._is_possibility_word(value):
                kind = "possibility"
            elif isinstance(value, str) and set(re.split(r"[、,，;；|/\s]+", V.normalize(value)) or ["?"]) <= REASON_WORDS:
                kind = "reasons"
            elif V.is_number(value) or V.parse_measure(value).value is not None:
                kind = "number"
            elif V.is_ticked(value) and len(V.normalize(value)) <= 2:
                kind = "tick"
            else:
                kind = "text"
            counts[kind] = counts.get(kind, 0) + 1
        return max(counts, key=counts.get) if counts else None

    def _split_text(self, rows: list[int], col: int) -> str | None:
        """Header words typed into stacked, unmerged cells ('年度' over '指标值') read as one label."""
        texts = [self.grid.value(r, col) for r in rows if self.grid.span(r, col) == (r, col, r, col)]
        texts = [t for t in texts if isinstance(t, str) and t.strip()]
        return "".join(texts) if len(texts) >= 2 else None

    def _split_roles(self, header: int) -> dict[int, str]:
        """Columns whose header only makes sense with the unmerged cell below it: {column: role}."""
        found = {}
        below = {c for c, _ in self.rows.get(header + 1, [])}  # a split header needs words in the cell below
        for c, text in self.rows.get(header, []):
            if c not in below or header_role(text) is not None:
                continue
            role = header_role(self._split_text([header, header + 1], c))
            if role:
                found[c] = role
        return found

    def _is_tick_label(self, band: list[int], col: int, text: str) -> bool:
        """A label of one tick column: on the lower row of a two-row band, or bare ('经费保障') in a one-row header."""
        if len(band) > 1:
            return self.grid.origin(band[-1], col)[0] == band[-1]
        return header_role(text) is None

    def _read_indicators(self, header: int, end: int, findings) -> list[dict[str, Any]]:
        grid = self.grid
        roles, reason_cols, possibility_cols, last_header = self._column_roles(header)
        findings.extend(self._header_findings(header, self._header_notes[header], roles))
        for required, label in (("name", "三级指标"), ("target", "年度指标值")):
            if required not in roles:
                findings.append(finding("KEY_COLUMN_MISSING", grid.name, address(header, 1),
                                        f"指标表缺少“{label}”列，无法读取指标。"))
                return []
        for optional, label in (("actual", "1-N月执行情况"), ("expected", "全年预计完成情况")):
            if optional not in roles:
                findings.append(finding("COLUMN_MISSING", grid.name, address(header, roles["name"]),
                                        f"指标表缺少“{label}”列，相应数值按空值处理。"))
        indicators = []
        level1 = level2 = None
        for r in range(last_header + 1, end + 1):
            texts = self.rows.get(r, [])
            if texts and STOP_ROW_RE.match(V.normalize(texts[0][1])):
                break
            if any("监控表" in V.normalize(t) for _, t in texts) or self._is_funds_header(r):
                break
            if r not in self._once("valued rows", self._valued_rows):
                continue
            l1_raw = grid.filled(r, roles["level1"]) if "level1" in roles else None
            l2_raw = grid.filled(r, roles["level2"]) if "level2" in roles else None
            if not V.is_blank(l1_raw):
                if V.normalize(l1_raw) != V.normalize(level1 and level1[0]):
                    level2 = None
                level1 = (l1_raw, r)
            if not V.is_blank(l2_raw):
                level2 = (l2_raw, r)
            name_col = roles["name"]
            if not grid.is_merge_origin(r, name_col):
                continue
            name = grid.value(r, name_col)
            target_cell = grid.cell(r, roles["target"])
            if V.is_blank(name):
                if target_cell is not None and not V.is_blank(target_cell.value):
                    findings.append(finding("INDICATOR_NAME_MISSING", grid.name, address(r, name_col),
                                            "该行填写了年度指标值，但没有填写三级指标名称。"))
                continue
            if header_role(name) == "name":
                continue  # a repeated header row
            indicators.append(self._indicator(r, roles, reason_cols, possibility_cols, level1, level2, findings))
        return self._settle_hidden_rows(indicators, findings)

    def _settle_hidden_rows(self, indicators: list[dict[str, Any]], findings) -> list[dict[str, Any]]:
        """A hidden row repeating a visible indicator is a stale copy: the visible one is the data.
        A hidden row of its own is read, and said so."""
        hidden = self.grid.hidden_rows
        visible = {(V.normalize(i["name"]), V.normalize(i.get("level2"))) for i in indicators if i["row"] not in hidden}
        visible_names = {name for name, _ in visible}
        kept = []
        for record in indicators:
            if record["row"] not in hidden:
                kept.append(record)
                continue
            name = V.normalize(record["name"])
            if (name, V.normalize(record.get("level2"))) in visible or name in visible_names:
                findings.append(finding("HIDDEN_ROW_IGNORED", self.grid.name, record["name_cell"],
                                        f"第 {record['row']} 行是隐藏行，与可见行中的指标“{record['name']}”重复，已以可见行为准，"
                                        "隐藏行的内容未读取。请删除不用的隐藏行。"))
                continue
            findings.append(finding("HIDDEN_ROW_READ", self.grid.name, record["name_cell"],
                                    f"指标“{record['name']}”在隐藏的第 {record['row']} 行中，已读取。请取消隐藏并核实内容。"))
            kept.append(record)
        return kept

    def _header_findings(self, header: int, notes: HeaderNotes, roles: dict[str, int]) -> list[Finding]:
        name, out = self.grid.name, []
        for hidden, visible, role in notes.shadowed:
            label = ROLE_LABELS.get(role, role)
            out.append(finding("HIDDEN_COLUMN_IGNORED", name, address(header, hidden),
                               f"第 {get_column_letter(hidden)} 列是隐藏列，与可见的第 {get_column_letter(visible)} 列同为“{label}”，"
                               "已以可见列为准，隐藏列的内容未读取。请删除不用的隐藏列。"))
        for role, col in roles.items():
            if col in self.grid.hidden_cols:
                out.append(finding("HIDDEN_COLUMN_READ", name, address(header, col),
                                   f"“{ROLE_LABELS.get(role, role)}”只在隐藏的第 {get_column_letter(col)} 列中填写，已读取。"
                                   "请取消隐藏并核实内容。"))
        for older, newer, role in notes.older:
            out.append(finding("EARLIER_PERIOD_COLUMN_IGNORED", name, address(header, older),
                               f"第 {get_column_letter(older)} 列是较早期间的“{ROLE_LABELS.get(role, role)}”"
                               f"（{self._header_month(older)}月），已以第 {get_column_letter(newer)} 列"
                               f"（{self._header_month(newer)}月）为准。请删除上一期的列。"))
        for row, col, words, role in notes.by_position:
            out.append(finding("HEADER_PLACED_BY_POSITION", name, address(row, col),
                               f"表头“{V.normalize(words)}”按所在位置和内容识别为“{ROLE_LABELS[role]}”列。请使用模板中的表头。"))
        for row, col, words in notes.unplaced:
            out.append(finding("HEADER_UNPLACED", name, address(row, col),
                               f"表头“{V.normalize(words)}”无法识别是哪一列，该列内容未读取。请使用模板中的表头（三级指标、"
                               "年度指标值、1-N月执行情况、全年预计完成情况等）。"))
        return out

    def _cell_of(self, row: int, col: int | None) -> Cell | None:
        return None if col is None else self.grid.cell(row, col)

    def _indicator(self, r, roles, reason_cols, possibility_cols, level1, level2, findings) -> dict[str, Any]:
        grid = self.grid
        name_col = roles["name"]
        target_cell = self._cell_of(r, roles.get("target"))
        actual_cell = self._cell_of(r, roles.get("actual"))
        expected_cell = self._cell_of(r, roles.get("expected"))
        target_raw = target_cell.value if target_cell else None
        target_fmt = target_cell.number_format if target_cell else "General"
        target = self._completed_target(V.parse_target(target_raw, target_fmt), r, roles)
        record: dict[str, Any] = {
            "sheet": grid.name,
            "row": r,
            "name": V.tidy_name(grid.value(r, name_col)),
            "name_cell": address(r, name_col),
            "target_text": V.cell_text(target_raw, target_fmt),
            "target_op": target.op,
            "target_value": target.value,
            "target_value_max": target.value_max,
            "target_unit": target.unit,
            "target_cell": address(r, roles["target"]),
        }
        record.update(self._levels(level1, level2, roles, findings))
        if V.is_blank(target_raw):
            findings.append(finding("TARGET_MISSING", grid.name, record["target_cell"],
                                    f"指标“{record['name']}”没有填写年度指标值，请按年初批复的目标填写。"))
        for key, cell, col in (("actual", actual_cell, roles.get("actual")),
                               ("expected", expected_cell, roles.get("expected"))):
            record.update(self._measure(key, cell, col, r, target, findings))
        record.update(self._reasons(r, roles, reason_cols))
        record.update(self._possibility(r, roles, possibility_cols, findings))
        remarks = self._cell_of(r, roles.get("remarks"))
        record["remarks"] = V.cell_text(remarks.value, remarks.number_format) if remarks else None
        return record

    def _completed_target(self, target: V.Target, r: int, roles) -> V.Target:
        """A bare-number target takes its comparator and unit from 指标性质 / 计量单位 columns, if any."""
        op = V.parse_comparator(self._text_at(r, roles.get("op")))
        unit = self._text_at(r, roles.get("unit"))
        if op and op != "qualitative" and target.op == "=":
            target = replace(target, op=op)
        if unit and target.unit is None and target.value is not None:
            target = replace(target, unit=V.normalize(unit))
        if target.unit is None and target.value is not None and target.op != "qualitative":
            target = replace(target, unit=unit_in_name(self.grid.value(r, roles["name"])))
        return target

    def _text_at(self, row: int, col: int | None) -> str | None:
        cell = self._cell_of(row, col)
        return None if cell is None or V.is_blank(cell.value) else V.cell_text(cell.value, cell.number_format)

    def _levels(self, level1, level2, roles, findings) -> dict[str, Any]:
        out = {"level1_text": None, "level2_text": None, "level1": None, "level2": None}
        if level2:
            out["level2_text"] = V.tidy_name(level2[0])
            out["level2"] = canonical_level2(level2[0])
            if out["level2"] is None:
                findings.append(finding("LEVEL_UNKNOWN", self.grid.name, address(level2[1], roles["level2"]),
                                        f"二级指标“{out['level2_text']}”不在指标体系中（数量、质量、时效、成本、经济效益、社会效益、"
                                        "生态效益、可持续影响、服务对象满意度等），已原样保留。"))
                out["level2"] = out["level2_text"]
        if level1:
            out["level1_text"] = V.tidy_name(level1[0])
            out["level1"] = canonical_level1(level1[0])
            if out["level1"] is None:
                findings.append(finding("LEVEL_UNKNOWN", self.grid.name, address(level1[1], roles["level1"]),
                                        f"一级指标“{out['level1_text']}”不在指标体系中（产出、效益、满意度、成本），已原样保留。"))
                out["level1"] = out["level1_text"]
        if out["level1"] is None and out["level2"] in LEVEL1_OF_LEVEL2:
            out["level1"] = LEVEL1_OF_LEVEL2[out["level2"]]
        return out

    def _measure(self, key, cell, col, r, target, findings) -> dict[str, Any]:
        raw = cell.value if cell else None
        fmt = cell.number_format if cell else "General"
        measure = V.measure_in_unit(V.parse_measure(raw, fmt), target.unit)
        if (measure.value is not None and target.unit == "%" and measure.unit is None
                and V.plain_number(raw) is not None and abs(measure.value) <= 1.0 and (target.value or 0) > 1.0):
            measure = V.Measure(round(measure.value * 100, 10), "%", converted=True)
            findings.append(finding("PERCENT_AS_FRACTION", self.grid.name, address(r, col),
                                    f"数值 {raw} 按百分比理解为 {V.format_number(measure.value)}%。填写百分比时请写成“95%”。"))
        if measure.unit and target.unit and measure.unit != target.unit and not measure.converted:
            findings.append(finding("UNIT_MISMATCH", self.grid.name, address(r, col),
                                    f"单位“{measure.unit}”与年度指标值的单位“{target.unit}”不一致，且无法换算，请按指标值的单位填写。"))
        return {f"{key}_text": V.cell_text(raw, fmt), f"{key}_value": measure.value,
                f"{key}_cell": address(r, col) if col else None}

    def _reasons(self, r, roles, reason_cols) -> dict[str, Any]:
        ticked, notes = [], []
        for c, category in reason_cols.items():
            value = self._down_filled(r, c)
            if V.is_ticked(value):
                ticked.append(category)
                text = V.normalize(value)
                if len(text) > 2 and not re.fullmatch(r"[√✓✔☑●■是YyVv1]+", text):
                    notes.append(str(value).strip())
        if "reasons" in roles and roles["reasons"] not in reason_cols:
            text = self._down_filled(r, roles["reasons"])
            if not V.is_blank(text):
                ticked.extend(V.parse_reasons_text(text))
                notes.append(str(text).strip())
        explanation = self._cell_of(r, roles.get("reason_text"))
        if explanation is not None and not V.is_blank(explanation.value):
            notes.append(str(explanation.value).strip())
        reasons = [c for c in V.REASON_CATEGORIES if c in set(ticked)]
        return {"reasons": reasons, "reason_text": "；".join(dict.fromkeys(notes)) or None,
                "reasons_cell": self._first_address(r, list(reason_cols) or [roles.get("reasons")]),
                "reason_text_cell": self._first_address(r, [roles.get("reason_text")])}

    def _down_filled(self, row: int, col: int) -> Any:
        """A tick or judgement cell merged down over several indicators ('确定能' once for a group) counts for each;
        one merged across several tick columns counts only for its first."""
        r0, c0 = self.grid.origin(row, col)
        return self.grid.value(r0, c0) if c0 == col else self.grid.value(row, col)

    @staticmethod
    def _first_address(row: int, columns: list[int | None]) -> str | None:
        """Where a finding about a (possibly multi-column) group of this row should point."""
        present = [c for c in columns if c is not None]
        return address(row, min(present)) if present else None

    def _possibility(self, r, roles, possibility_cols, findings) -> dict[str, Any]:
        levels = [level for c, level in possibility_cols.items() if V.is_ticked(self._down_filled(r, c))]
        raw = None
        if "possibility" in roles and roles["possibility"] not in possibility_cols:
            raw = self._down_filled(r, roles["possibility"])
            parsed = V.parse_possibility(raw) if isinstance(raw, str) else None
            if parsed:
                levels.append(parsed)
            elif not V.is_blank(raw):
                findings.append(finding("POSSIBILITY_UNPARSED", self.grid.name, address(r, roles["possibility"]),
                                        f"完成目标可能性“{raw}”无法识别，请填写“确定能”“有可能”或“完全不可能”。"))
        unique = list(dict.fromkeys(levels))
        if len(unique) > 1:
            worst = max(unique, key=V.POSSIBILITY_LEVELS.index)
            findings.append(finding("POSSIBILITY_MULTIPLE", self.grid.name, address(r, min(possibility_cols) if possibility_cols else 1),
                                    f"完成目标可能性同时勾选了{'、'.join(unique)}，已按最不利的“{worst}”处理。只能勾选一项。"))
            unique = [worst]
        return {"possibility": unique[0] if unique else None, "possibility_text": V.cell_text(raw),
                "possibility_cell": self._first_address(r, list(possibility_cols) or [roles.get("possibility")])}
