"""The one findings catalogue: every code any stage emits, with severity, meaning, example and fix.

``docs/rules.md`` is generated from it (``jixiao rules``). Every emitter builds findings through
:func:`finding` (or gives a code whose severity :func:`severity_of` looks up), so a code that is not in
the catalogue fails at once instead of reaching a table, and a severity is never written twice.
"""
from __future__ import annotations

from dataclasses import dataclass

from jixiao.domain.vocabulary import SEVERITIES


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # error | warning | info
    stage: str  # 读取 (ingest) | 校验 (checks) | 批复 (approved targets) | 轮次 (between rounds)
    meaning: str
    example: str
    fix: str


@dataclass
class Finding:
    """One finding as the reader collects it (the tables hold the same fields plus the file)."""

    sheet: str | None
    cell: str | None
    severity: str
    code: str
    message: str
    project_id: str | None = None


def _ingest(code: str, severity: str, meaning: str, example: str, fix: str) -> Rule:
    return Rule(code, severity, "读取", meaning, example, fix)


INGEST_RULES = (
    _ingest("FILE_UNREADABLE", "error", "文件无法读取（损坏、加密、不是 Excel、空文件或不是监控表）",
            "把 Word 文档改了扩展名报送", "请用 Excel 或 WPS 打开检查，另存为 .xlsx 后重新报送。"),
    _ingest("SHEET_UNREADABLE", "error", "某个工作表读取失败，其余工作表照常读取", "工作表结构异常",
            "请检查该工作表是否按监控表格式填写。"),
    _ingest("EXTENSION_MISMATCH", "info", "扩展名与实际格式不符，已按实际格式读取", ".xls 文件实际是 .xlsx",
            "保存时请选择正确的文件类型。"),
    _ingest("FORMULA_NOT_COMPUTED", "warning", "公式没有保存计算结果且无法重新计算", "=VLOOKUP(…) 未计算",
            "请在 Excel 中打开并保存一次，或直接填写数值。"),
    _ingest("HIDDEN_SHEET_READ", "info", "隐藏的工作表中含有监控表，已一并读取", "隐藏工作表“项目2”",
            "不需要报送的工作表请删除。"),
    _ingest("HIDDEN_SHEET_IGNORED", "warning", "隐藏的工作表与可见工作表中的项目重复，以可见工作表为准，隐藏工作表未读取",
            "隐藏的上期监控表", "请删除不用的隐藏工作表。"),
    _ingest("HIDDEN_COLUMN_IGNORED", "warning", "隐藏列与可见列同为一列（如 1-N月执行情况），以可见列为准，隐藏列未读取",
            "隐藏的上期执行情况列", "请删除不用的隐藏列。"),
    _ingest("EARLIER_PERIOD_COLUMN_IGNORED", "warning", "表中同时有上一期（如 1-6月）和本期（1-7月）的执行情况列，以本期为准",
            "保留了上期的“1-6月执行情况”列", "请删除上一期的列。"),
    _ingest("HIDDEN_COLUMN_READ", "warning", "某一列只在隐藏列中填写，已读取", "年度指标值列被隐藏",
            "请取消隐藏并核实内容。"),
    _ingest("HIDDEN_ROW_IGNORED", "warning", "隐藏行与可见行重复（同一指标或资金行），以可见行为准，隐藏行未读取",
            "隐藏的上期指标行", "请删除不用的隐藏行。"),
    _ingest("HIDDEN_ROW_READ", "warning", "指标只在隐藏行中填写，已读取", "隐藏的指标行", "请取消隐藏并核实内容。"),
    _ingest("HEADER_PLACED_BY_POSITION", "info", "表头用词不在模板中，按所在位置和该列内容识别了它的含义",
            "“考核内容”识别为三级指标", "请使用模板中的表头。"),
    _ingest("HEADER_UNPLACED", "warning", "表头无法识别是哪一列，该列内容未读取", "表头“情况”",
            "请使用模板中的表头（三级指标、年度指标值、1-N月执行情况、全年预计完成情况等）。"),
    _ingest("DUPLICATE_REPLACED", "warning", "同一项目在较新的文件中再次报送，本文件中的该项目不再计算",
            "同一项目报送两次", "以较新的文件为准；如报错了文件请说明。"),
    _ingest("DUPLICATE_REPLACES", "info", "本文件替代了此前报送的同一项目", "第二次报送", "无需处理。"),
    _ingest("DUPLICATE_IN_WORKBOOK", "warning", "同一项目在一个工作簿中报了两次（复制工作表后未修改），只计算第一份",
            "复制工作表后忘了改项目名称", "请删除重复的工作表，或改正项目名称后重新报送。"),
    _ingest("CONTROL_CHARACTERS", "warning", "单元格中有不可见的控制字符，已删除后读取（提示中保留原文）",
            "名称中夹带 \\x00", "请删除该单元格中的特殊字符后重新保存。"),
    _ingest("CONTENT_CLIPPED", "warning", "工作表内容超过读取上限（合并单元格或单元格过多），超出部分未处理",
            "整张表被合并成一个单元格", "请取消多余的合并单元格，只保留监控表内容后重新报送。"),
    _ingest("AMOUNT_IMPLAUSIBLE", "error", "金额不可能正确（无穷大、为负数或超过合理上限），不计入合计",
            "年初预算数填成 1e309 或 -500", "请核实后按万元填写正确的金额。"),
    _ingest("ENTRY_SKIPPED", "info", "报送文件夹中的这一项不是可读取的工作簿（锁定文件、快捷方式、文件夹、其他文件），已列出但未读取",
            "~$监控表.xlsx", "如确为报送文件，请把工作簿本身（.xlsx/.xls）放入报送文件夹。"),
    _ingest("PROJECT_NAME_MISSING", "error", "没有填写项目名称", "项目名称空白", "请填写与预算批复一致的项目全称。"),
    _ingest("DEPT_MISSING", "warning", "没有填写主管部门及代码", "主管部门空白",
            "请填写主管部门全称和代码，如“湟源县教育局（302001）”。"),
    _ingest("UNIT_MISSING", "warning", "没有填写实施单位", "实施单位空白", "请填写实际执行项目的单位全称。"),
    _ingest("FUNDS_TABLE_MISSING", "error", "找不到项目资金表", "删除了资金表", "请按监控表格式填写资金表。"),
    _ingest("FUNDS_TOTAL_MISSING", "error", "资金表中没有年度资金总额一行", "只填了各来源", "请补充年度资金总额一行。"),
    _ingest("AMOUNT_UNPARSED", "warning", "金额不是数字，按空值处理", "“约40万”", "请只填写数字（单位万元）。"),
    _ingest("AMOUNT_ASSUMED_YUAN", "warning", "未注明金额单位且金额很大，已按元折算为万元", "年初预算数 3000000",
            "请注明“单位：万元”并按万元填写。"),
    _ingest("AMOUNT_SUSPECT_UNIT", "warning", "注明了单位，但金额大得像是按元填写", "单位万元，预算 3000000",
            "请核实金额单位。"),
    _ingest("INDICATOR_TABLE_MISSING", "error", "找不到绩效指标表的表头", "缺少“三级指标”列",
            "请按监控表格式填写指标表。"),
    _ingest("NO_INDICATORS", "error", "指标表中没有任何三级指标", "指标表空白", "请按年初批复的绩效目标填写。"),
    _ingest("COLUMN_MISSING", "warning", "指标表缺少某一列", "没有“全年预计完成情况”列", "请使用统一的监控表格式。"),
    _ingest("KEY_COLUMN_MISSING", "error", "指标表缺少三级指标或年度指标值列，指标无法读取", "没有“年度指标值”列",
            "请使用统一的监控表格式，补上三级指标和年度指标值。"),
    _ingest("INDICATOR_NAME_MISSING", "error", "填写了年度指标值但没有三级指标名称", "三级指标空白",
            "请按年初批复填写三级指标名称。"),
    _ingest("TARGET_MISSING", "error", "三级指标没有年度指标值", "年度指标值空白", "请按年初批复的目标填写。"),
    _ingest("LEVEL_UNKNOWN", "warning", "一级或二级指标不在指标体系中，原样保留", "二级指标“工作指标”",
            "请按产出、效益、满意度、成本指标体系填写。"),
    _ingest("PERCENT_AS_FRACTION", "info", "小数按百分比理解（0.95 → 95%）", "执行情况填 0.95",
            "填写百分比时请写成“95%”。"),
    _ingest("UNIT_MISMATCH", "warning", "执行值的单位与年度指标值的单位不一致且无法换算", "指标值“10台”，执行“3套”",
            "请按年度指标值的单位填写。"),
    _ingest("POSSIBILITY_UNPARSED", "warning", "完成目标可能性的文字无法识别", "“待定”",
            "请填写“确定能”“有可能”或“完全不可能”。"),
    _ingest("POSSIBILITY_MULTIPLE", "warning", "完成目标可能性勾选了多项，按最不利的一项处理", "确定能、有可能都打了“√”",
            "只能勾选一项。"),
)

CHECK_RULES = (
    Rule("FUNDS_SUM_MISMATCH", "error", "校验", "年度资金总额不等于当年财政拨款、上年结转资金、其他资金之和（容差 amount_tolerance）",
         "总额 100，财政拨款 80 + 结转 10 + 其他 0 = 90", "使总额等于各来源之和。"),
    Rule("EXECUTED_OVER_BUDGET", "error", "校验", "1-N月执行数超过年初预算数", "预算 100，执行 120",
         "核对执行数，执行数不应超过年初预算数。"),
    Rule("RATE_MISMATCH", "warning", "校验", "填报的执行率与“执行数 ÷ 年初预算数”相差超过 rate_tolerance_pp 个百分点",
         "预算 100，执行 40，执行率填 80%（按到位资金计算）", "按年初预算数重新计算执行率。"),
    Rule("FORECAST_BELOW_EXECUTED", "error", "校验", "全年预计执行数小于已执行数", "执行 40，全年预计 30",
         "全年预计执行数应不少于已执行数。"),
    Rule("AMOUNT_UNIT_SLIP", "warning", "校验", "某金额是其预算数（或年度资金总额）的 unit_slip_ratio 倍以上，疑似按元填写",
         "预算 40（万元），执行 300000", "按万元填写（元 ÷ 10000）。"),
    Rule("INDICATOR_RATE_OVER_100", "warning", "校验", "百分比类指标的执行值或预计值超过 rate_ceiling",
         "合格率目标 ≥95%，预计 120%", "核实并填写实际比率。"),
    Rule("TARGET_UNPARSED", "error", "校验", "年度指标值含数字却无法识别，或是“待定”“详见附件”之类", "“95左右吧”、“详见方案”",
         "写成“比较符+数值+单位”或定性目标。"),
    Rule("TARGET_COMPARATOR_LOST", "warning", "校验", "百分比指标值在 200%-300% 之间且以“2”开头，疑似“≥”丢失",
         "“292%”（原为“≥92%”）", "改回“≥92%”。"),
    Rule("POSSIBILITY_MISSING", "error", "校验", "没有填写完成目标可能性", "三项都没有打“√”",
         "在三项中选一项打“√”。"),
    Rule("POSSIBILITY_NONSTANDARD", "info", "校验", "完成目标可能性不是规定的三种写法之一，已按含义归类", "“基本能”→有可能",
         "只填“确定能”“有可能”“完全不可能”。"),
    Rule("REASON_NOT_TICKED", "error", "校验", "可能性为有可能或完全不可能，却没有勾选偏差原因", "有可能，偏差原因空白",
         "勾选经费、制度、人员、硬件条件保障或其他。"),
    Rule("EXPLANATION_MISSING", "error", "校验", "可能性为有可能或完全不可能，却没有原因说明（或备注）", "完全不可能，原因说明空白",
         "写明具体原因和拟采取的措施。"),
    Rule("CERTAIN_BUT_FORECAST_SHORT", "warning", "校验", "可能性填“确定能”，但全年预计完成值达不到年度指标值",
         "目标 ≥95%，预计 90%，确定能", "改正预计值或改选可能性并说明原因。"),
    Rule("REASONS_BUT_ON_TARGET", "warning", "校验", "全年预计已达到年度指标值，却勾选了偏差原因", "目标 ≥10台，预计 10台，勾选经费保障",
         "删除勾选或改正预计值。"),
    Rule("PLACEHOLDER_FORECASTS", "warning", "校验",
         "项目全部指标（至少 placeholder_min_indicators 个）预计都填“100%/已完成”，而预算执行率 ÷ 序时进度低于规则配置 [budget] red_below（红灯标准）",
         "执行率 10%，所有指标预计 100%", "逐项如实预计。"),
    Rule("COPIED_REASON_TEXT", "warning", "校验", "同一段原因说明（至少 copied_text_min_chars 个字）出现在不同项目中",
         "三个项目写着同一句“资金到位较晚，影响项目实施进度”", "针对本项目写明原因。"),
    Rule("PERIOD_MISMATCH", "warning", "校验",
         "监控表的期间（表头“1-N月”）与配置的监控时点（jixiao.toml [monitoring]，默认 7月31日即 1-7月）不一致；"
         "该项目按自身期间计算，标明期间，不纳入全县比较和排名（规则配置 [period]）",
         "表头为“1-8月执行数”", "按通知规定的期间重新填报。"),
    Rule("CHECK_FAILED", "warning", "校验", "某条校验规则运行出错，已跳过（程序问题，不是填报问题）", "—",
         "请把报送文件转交技术人员。"),
)

RIGIDITY_RULES = (
    Rule("TARGET_CHANGED", "error", "批复", "年度指标值与年初批复不一致（比较符、数值或单位）", "批复 ≥95%，填报 ≥90%",
         "改回批复的年度指标值；确需调整的按程序报批。"),
    Rule("INDICATOR_MISSING", "error", "批复", "年初批复的指标没有填报", "批复有“群众满意度”，表中没有",
         "补填该指标和批复的年度指标值。"),
    Rule("INDICATOR_ADDED", "error", "批复", "填报了年初批复中没有的指标", "自行增加“宣传次数”", "删除该指标。"),
    Rule("INDICATOR_RENAMED", "warning", "批复", "三级指标名称与批复的名称相近但不同（名称相似度 ≥ rename_min_similarity）",
         "“农村公路养护里程”写成“农村公路养护总里程”", "改回批复的名称。"),
    Rule("LEVEL_CHANGED", "warning", "批复", "指标与批复的指标对上了（同名或改名），但放在了不同的一级指标或二级指标下（按规范名比较，空白不算改动）",
         "批复“路面优良率”属于质量指标，填报放在数量指标下", "移回批复的一级、二级指标。"),
    Rule("BUDGET_CHANGED", "warning", "批复",
         "年初预算数与年初批复不一致：批复表含年初预算数时，年度资金总额及两边都填了的各资金来源逐项比较，相差超过 amount_tolerance",
         "批复年初预算数 100，填报 110", "按批复填写年初预算数；年中已调整的在备注中注明调整文号。"),
    Rule("PROJECT_NOT_APPROVED", "warning", "批复", "报送的项目在年初批复中找不到（按实施单位和项目名称，忽略空格和全半角）",
         "项目名称写成简称", "按预算批复填写项目全称和实施单位。"),
    Rule("PROJECT_NOT_SUBMITTED", "warning", "批复", "年初批复的项目没有收到监控表（按实施单位和项目名称比对）",
         "批复有“危桥改造项目”，所有报送文件中都没有", "督促该单位报送；如项目已撤销，请在批复清单中注明。"),
)

ROUND_RULES = (  # between rounds (jixiao.validate.between_rounds, jixiao.store.identity, jixiao.pipeline)
    Rule("CUMULATIVE_DECREASED", "error", "轮次",
         "1-N月执行数或累计型指标的完成值比同一年度上一轮报送的少（累计数只增不减；金额容差 amount_tolerance）",
         "1-7月执行数 60 万元，1-10月执行数填 55 万元", "按年初至今的累计数填写；确有冲回、退款的在备注中说明。"),
    Rule("PROJECT_NAME_DRIFTED", "warning", "轮次",
         "项目名称与上一轮（或上一年）同一单位的项目名称相近但不同（相似度 ≥ project_name_min_similarity），已按同一项目跟踪",
         "上年“农村公路养护”，今年“农村公路养护项目”", "改回原名称；不是同一项目的，告知财政局在项目对应表中注明。"),
    Rule("ROUND_FOLDER_MISMATCH", "warning", "轮次", "表头的监控年度或期间与所在轮次文件夹不一致，已按文件夹归入该轮次",
         "放在“2023年1-10月”文件夹中的表头写“2023年1-7月”", "请按本轮的期间（1-N月）重新填报，或把文件放入正确的文件夹。"),
)

CATALOGUE: tuple[Rule, ...] = INGEST_RULES + CHECK_RULES + RIGIDITY_RULES + ROUND_RULES
RULES_BY_CODE = {rule.code: rule for rule in CATALOGUE}
assert all(rule.severity in SEVERITIES for rule in CATALOGUE)


def severity_of(code: str) -> str:
    """The catalogue's severity of ``code``; an unknown code is a program error, raised at once."""
    try:
        return RULES_BY_CODE[code].severity
    except KeyError:
        raise KeyError(f"finding code {code!r} is not in the catalogue (jixiao/domain/findings.py)") from None


def finding(code: str, sheet: str | None, cell: str | None, message: str) -> Finding:
    """A finding of ``code`` with the catalogue's severity."""
    return Finding(sheet, cell, severity_of(code), code, message)
