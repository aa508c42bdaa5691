"""The tidy tables' written schema: column, type, unit, meaning.

This is the single source of truth: ``docs/schema.md`` is generated from it
(``jixiao schema``) and the tests check both the document and every written table
against it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from jixiao.domain.formatting import is_missing  # noqa: F401 - the tables' missing-value test, used as schema.is_missing
from jixiao.domain.vocabulary import FUND_SOURCES, LIGHTS, SEVERITIES, STATUSES

# "str" is pandas 3's string dtype with NaN for missing values (plain None/NaN for consumers).
DTYPES = {"string": "str", "float": "float64", "int": "Int64", "bool": "boolean", "list": "object"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | float | int | bool | list
    unit: str
    meaning: str


@dataclass(frozen=True)
class Constraint:
    allowed: tuple[str, ...] = ()  # the only values a code column may hold
    minimum: float | None = None
    maximum: float | None = None


# Constraints as "table.column" (or "column" in every table). Only values the code itself sets are
# constrained: a value read from a submission that is out of range becomes a finding at ingest, so a
# failure here is a program error, never a bad workbook stopping the batch.
CONSTRAINTS: dict[str, Constraint] = {
    "submissions.status": Constraint(allowed=STATUSES),
    "findings.severity": Constraint(allowed=SEVERITIES),
    "check_findings.severity": Constraint(allowed=SEVERITIES),
    "history_findings.severity": Constraint(allowed=SEVERITIES),
    "funds.source": Constraint(allowed=FUND_SOURCES),
    "light": Constraint(allowed=LIGHTS),
    "budget_light": Constraint(allowed=LIGHTS),
    "target_light": Constraint(allowed=LIGHTS),
    "dual_light": Constraint(allowed=LIGHTS),
    "indicator_status.direction": Constraint(allowed=("positive", "negative", "equal", "qualitative", "deadline")),
    "size_bytes": Constraint(minimum=0),
}
COUNT_PREFIX = "n_"  # n_projects, n_red…: counts are never negative


def constraint(table: str, column: str) -> Constraint:
    """What the pandera model of ``table`` checks on ``column`` beyond its type."""
    found = CONSTRAINTS.get(f"{table}.{column}") or CONSTRAINTS.get(column)
    if found:
        return found
    return Constraint(minimum=0) if column.startswith(COUNT_PREFIX) else Constraint()


def _cols(*rows: tuple[str, str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*row) for row in rows)


TABLES: dict[str, tuple[Column, ...]] = {
    "submissions": _cols(
        ("source_file", "string", "", "报送文件相对 RAW_DIR 的路径"),
        ("sha256", "string", "", "文件内容的 SHA-256，用于核对文件是否被改动"),
        ("status", "string", "", "ok（完整读取）、partial（部分读取，见 findings）、failed（无法读取）、skipped（未读取：锁定文件、快捷方式、文件夹、非 Excel 文件等，原因见 reason）"),
        ("reason", "string", "", "状态原因（中文，ok 时为空）"),
        ("n_projects", "int", "个", "读取到并保留的项目数（被较新文件替代的不计）"),
        ("n_indicators", "int", "个", "读取到的三级指标数"),
        ("n_replaced", "int", "个", "本文件中被较新报送替代的项目数"),
        ("file_type", "string", "", ("按内容识别的格式：xlsx、xlsm、xls、et（WPS）、xlsb、ods、xls-html（网页表格）、"
                                     "xls-mht（单个文件网页）、xls-xml（Excel 2003 XML）、csv；不是表格时为其实际类型"
                                     "（docx、doc、pdf、png、jpg、zip、txt 等），无法识别时为空")),
        ("size_bytes", "int", "字节", "文件大小"),
        ("modified", "string", "", "文件修改时间（ISO 8601，带时区），同一项目重复报送时以较新者为准"),
        ("raw_name", "string", "", "文件名不是 UTF-8 编码时，路径原始字节的十六进制（source_file 为 GBK 解码或替换后的名称）；否则为空"),
    ),
    "projects": _cols(
        ("project_id", "string", "", "项目标识：实施单位与项目名称的哈希，多次运行保持不变"),
        ("source_file", "string", "", "报送文件相对 RAW_DIR 的路径"),
        ("sheet", "string", "", "工作表名"),
        ("year", "int", "年", "监控年度（表头读取，缺省取配置）"),
        ("period_end_month", "int", "月", "监控期末月份 N（表头“1-N月”读取，缺省取配置）"),
        ("dept_name", "string", "", "主管部门名称"),
        ("dept_code", "string", "", "主管部门代码（文本，未填为空）"),
        ("unit_name", "string", "", "实施单位名称"),
        ("project_name", "string", "", "项目名称（去除多余空格）"),
        ("annual_goal", "string", "", "年度总体目标"),
        ("budget_total", "float", "万元", "年度资金总额的年初预算数"),
        ("budget_fiscal", "float", "万元", "其中当年财政拨款的年初预算数"),
        ("budget_carryover", "float", "万元", "上年结转资金的年初预算数"),
        ("budget_other", "float", "万元", "其他资金的年初预算数"),
        ("executed_total", "float", "万元", "年度资金总额的 1-N 月执行数"),
        ("expected_total", "float", "万元", "年度资金总额的全年预计执行数"),
        ("money_unit_declared", "string", "", "表中注明的金额单位（万元/元），未注明为空"),
        ("dept_text", "string", "", "“主管部门及代码”单元格原文"),
        ("project_name_cell", "string", "", "项目名称所在单元格"),
        ("dept_cell", "string", "", "主管部门所在单元格"),
        ("unit_cell", "string", "", "实施单位所在单元格"),
    ),
    "funds": _cols(
        ("project_id", "string", "", "所属项目"),
        ("source", "string", "", "资金来源：total（年度资金总额）、fiscal（当年财政拨款）、carryover（上年结转）、other（其他资金）"),
        ("budget", "float", "万元", "年初预算数"),
        ("executed", "float", "万元", "1-N 月执行数"),
        ("executed_rate_reported", "float", "%", "表中填报的执行率（仅供核对，分析时重新计算）"),
        ("expected", "float", "万元", "全年预计执行数"),
        ("label", "string", "", "行标签原文"),
        ("budget_text", "string", "", "年初预算数原文"),
        ("executed_text", "string", "", "执行数原文"),
        ("rate_text", "string", "", "执行率原文"),
        ("expected_text", "string", "", "全年预计执行数原文"),
        ("sheet", "string", "", "工作表名"),
        ("budget_cell", "string", "", "年初预算数所在单元格"),
        ("executed_cell", "string", "", "执行数所在单元格"),
        ("rate_cell", "string", "", "执行率所在单元格"),
        ("expected_cell", "string", "", "全年预计执行数所在单元格"),
    ),
    "indicators": _cols(
        ("project_id", "string", "", "所属项目"),
        ("indicator_id", "string", "", "指标标识：项目标识 + 二级指标与三级指标名称的哈希"),
        ("level1", "string", "", "一级指标（规范名：产出指标、效益指标、满意度指标、成本指标）"),
        ("level2", "string", "", "二级指标（规范名，带“指标”后缀，如 数量指标）"),
        ("name", "string", "", "三级指标名称"),
        ("target_text", "string", "", "年度指标值原文"),
        ("target_op", "string", "", "比较方式：>=、<=、=、>、<、range、qualitative"),
        ("target_value", "float", "target_unit", "年度指标值数值（95% 记 95）；区间时为下限"),
        ("target_value_max", "float", "target_unit", "区间指标的上限"),
        ("target_unit", "string", "", "指标单位（半角，如 %、台、万元/台），无单位为空"),
        ("actual_text", "string", "", "1-N 月执行情况原文"),
        ("actual_value", "float", "target_unit", "1-N 月执行数值，已换算为指标单位"),
        ("expected_text", "string", "", "全年预计完成情况原文"),
        ("expected_value", "float", "target_unit", "全年预计完成数值，已换算为指标单位"),
        ("reasons", "list", "", "偏差原因类别列表：经费保障、制度保障、人员保障、硬件条件保障、其他"),
        ("reason_text", "string", "", "原因说明（含偏差原因栏中写的文字）"),
        ("possibility", "string", "", "完成目标可能性：确定能、有可能、完全不可能；未填为空"),
        ("remarks", "string", "", "备注"),
        ("sheet", "string", "", "工作表名"),
        ("row", "int", "行", "所在行号"),
        ("level1_text", "string", "", "一级指标原文"),
        ("level2_text", "string", "", "二级指标原文"),
        ("possibility_text", "string", "", "可能性为单列文字时的原文"),
        ("name_cell", "string", "", "三级指标名称所在单元格"),
        ("target_cell", "string", "", "年度指标值所在单元格"),
        ("actual_cell", "string", "", "1-N 月执行情况所在单元格"),
        ("expected_cell", "string", "", "全年预计完成情况所在单元格"),
        ("reasons_cell", "string", "", "偏差原因分析（第一列）所在单元格"),
        ("reason_text_cell", "string", "", "原因说明所在单元格"),
        ("possibility_cell", "string", "", "完成目标可能性（第一列）所在单元格"),
    ),
    "findings": _cols(
        ("source_file", "string", "", "报送文件相对 RAW_DIR 的路径"),
        ("sheet", "string", "", "工作表名（整个文件的问题为空）"),
        ("cell", "string", "", "单元格地址，如 D14（无法定位时为空）"),
        ("severity", "string", "", "error（必须改正）、warning（请核实）、info（已自动处理）"),
        ("code", "string", "", "规则代码，如 TARGET_MISSING"),
        ("message", "string", "", "给填报人的中文说明：哪里有问题、应如何填写"),
        ("project_id", "string", "", "相关项目（可为空）"),
        ("suggestion", "string", "", "修改建议：应如何填写（校验规则给出；读取阶段的提示为空）"),
    ),
    "documents": _cols(
        ("source_file", "string", "", "收到的书面材料（Word/PDF 等，不是监控表）相对 RAW_DIR 的路径"),
        ("file_type", "string", "", "按内容识别的格式：docx、doc、wps、pdf、rtf、odt"),
        ("kind", "string", "", "材料类别：绩效监控报告、书面报告、其他文档（按文件名和标题判断）"),
        ("dept_name", "string", "", "所属部门（能从文件名或标题判断时；与监控表中的部门名称一致时取其全称），否则为空"),
        ("dept_from", "string", "", "部门的判断依据：文件名、文件内容"),
        ("title", "string", "", "文档标题（首个较长的段落；PDF 需有文字层）"),
        ("sha256", "string", "", "文件内容的 SHA-256"),
    ),
}


INGEST_TABLES = tuple(TABLES)
# The checks' findings: same columns as the reader's, kept in their own table (each stage owns its files).
TABLES["check_findings"] = TABLES["findings"]
TABLES["history_findings"] = TABLES["findings"]  # cross-round findings of jixiao run

PROFILE_COLUMNS = (
    ("profile_name", "string", "", "所用规则配置的名称"),
    ("profile_hash", "string", "", "所用规则配置文件内容的 SHA-256（前 16 位）"),
)

METRICS_TABLES: dict[str, tuple[Column, ...]] = {  # written by jixiao.metrics.compute
    "project_status": _cols(
        ("project_id", "string", "", "项目标识（同 projects）"),
        ("dept_name", "string", "", "主管部门名称"),
        ("unit_name", "string", "", "实施单位名称"),
        ("project_name", "string", "", "项目名称"),
        ("budget_total", "float", "万元", "年度资金总额的年初预算数"),
        ("executed_total", "float", "万元", "1-N 月执行数"),
        ("execution_rate", "float", "%", "预算执行率 = 执行数 ÷ 年初预算数（重新计算，分母见规则配置）"),
        ("time_progress", "float", "%", "序时进度 p（按月 N/12 或按天，见规则配置）"),
        ("execution_ratio", "float", "%", "执行进度比 = 预算执行率 ÷ 序时进度"),
        ("expected_rate", "float", "%", "全年预计执行率 = 全年预计执行数 ÷ 年初预算数"),
        ("expected_carryover", "float", "万元", "预计结转结余 = 年初预算数 − 全年预计执行数"),
        ("budget_light", "string", "", "预算执行灯：red、yellow、green、unknown"),
        ("target_light", "string", "", "目标完成灯：各指标灯中最差者（无法判断的指标不计入）"),
        ("dual_light", "string", "", "双监控灯：执行不达标红，执行达标目标不达标黄，都达标绿"),
        ("key_monitoring", "bool", "", "是否列入财政重点监控（候选项目按风险得分排序，不超过规则配置的上限）"),
        ("key_reason", "string", "", "列入重点监控的原因，或符合条件但超出上限而列入一般监控的说明（中文）"),
        ("suggestion", "string", "", "主要处理建议：建议调减预算、暂缓拨款并整改、督促加快兑付、督促加快执行、督促纠偏整改、补充资料后判断、按进度拨付"),
        ("budget_reason", "string", "", "预算执行灯的判断依据（中文）"),
        ("target_reason", "string", "", "目标完成灯的判断依据（中文）"),
        ("n_indicators", "int", "个", "三级指标数"),
        ("n_red", "int", "个", "红灯指标数"),
        ("n_yellow", "int", "个", "黄灯指标数"),
        ("n_unknown", "int", "个", "无法判断的指标数"),
        ("year", "int", "年", "监控年度"),
        ("period_end_month", "int", "月", "监控期末月份 N"),
        ("period_label", "string", "", "本行按其计算的期间，如“2023年1-7月”（取自表头）"),
        ("period_matches", "bool", "", "期间是否与配置的监控时点一致（默认 2023年1-7月，即 7月31日）"),
        ("in_comparison", "bool", "", "是否纳入全县合计、部门比较和排名（期间一致，或规则配置 period.compare_other_periods 允许）"),
        ("suggestions", "list", "", "全部适用的处理建议（“类别：建议按程序……”，附调减、收回金额），第一条为主要建议"),
        ("project_kind", "string", "", "项目类型（按名称关键词）：直接补贴到人、工资类、按期发放、运行维护类、建设工程类、采购储备类；其他为空"),
        ("target_score", "float", "分", "项目目标得分：可判断指标灯色得分的平均值（部门目标得分按年初预算数加权时使用）"),
        ("carryover_budget", "float", "万元", "上年结转资金（存量资金）的年初预算数"),
        ("carryover_executed", "float", "万元", "上年结转资金的 1-N 月执行数"),
        ("carryover_rate", "float", "%", "存量资金执行率 = 上年结转执行数 ÷ 上年结转预算数"),
        ("stock_idle", "float", "万元", "未支出的存量资金 = 上年结转预算数 − 执行数"),
        ("stock_flag", "bool", "", "存量资金数额偏大且支出慢（阈值见规则配置 [stock]）"),
        ("stock_reason", "string", "", "存量资金的判断依据（中文）"),
        ("money_at_risk", "float", "万元", "风险资金 = max(预计结转结余, 未支出存量资金)"),
        ("severity", "int", "", "严重程度 = 预算执行灯得分 + 目标完成灯得分（见规则配置 [key_monitoring]）"),
        ("key_score", "float", "", "重点监控风险得分 = 风险资金 × 严重程度"),
        ("key_rank", "int", "名", "在重点监控候选项目中按风险得分的名次（非候选为空）"),
        ("monitoring_level", "string", "", "重点监控（候选中风险得分前 max_projects 个）或 一般监控"),
        *PROFILE_COLUMNS,
    ),
    "indicator_status": _cols(
        ("project_id", "string", "", "所属项目"),
        ("indicator_id", "string", "", "指标标识（同 indicators）"),
        ("direction", "string", "", "方向：positive（正向）、negative（反向）、equal（等值，含区间）、qualitative（定性）；目标无法识别时为空"),
        ("completion", "float", "%", "完成率：正向 F/T，反向 T/F（F≤T 为 100），等值 较小值/较大值，定性按等级折算"),
        ("deviation", "float", "%", "偏离度（按全年预计 F）：正向 (T−F)/T，反向 (F−T)/T，等值 |F−T|/T，不足 0 记 0"),
        ("pace_ratio", "float", "%", "序时进度比 = 1-N月完成值 ÷ (T × 序时进度)，仅累计型数量指标"),
        ("light", "string", "", "指标灯：red、yellow、green、blue（超额，目标可能偏低）、unknown（无法判断）"),
        ("light_reason", "string", "", "判断依据（中文）"),
        ("is_rate", "bool", "", "是否比率型指标（直接与目标比较）"),
        ("is_cumulative", "bool", "", "是否累计型数量指标（按序时进度检查）"),
        ("dept_name", "string", "", "主管部门名称"),
        ("unit_name", "string", "", "实施单位名称"),
        ("project_name", "string", "", "项目名称"),
        ("level1", "string", "", "一级指标"),
        ("level2", "string", "", "二级指标"),
        ("name", "string", "", "三级指标名称"),
        ("target_text", "string", "", "年度指标值原文"),
        ("actual_text", "string", "", "1-N 月执行情况原文"),
        ("expected_text", "string", "", "全年预计完成情况原文"),
        ("possibility", "string", "", "完成目标可能性"),
        ("reasons", "list", "", "偏差原因类别"),
        ("reason_text", "string", "", "原因说明"),
        ("remarks", "string", "", "备注（拟采取的措施）"),
        ("is_bottom_line", "bool", "", "是否底线指标（合规、准确发放、安全事故等，不达标即红灯）"),
        ("target_deadline", "string", "", "时限类目标的截止日期（YYYY-MM-DD，从年度指标值或指标名称解析）"),
        ("reported_state", "string", "", "时限类目标的填报状态：完成、阶段性完成、推进中、未启动"),
        ("forecast_meets_target", "bool", "", "全年预计是否达到年度指标值（定性按等级，时限按截止日和状态；无法判断为空）"),
        ("period_label", "string", "", "本行按其计算的期间，如“2023年1-7月”（取自表头）"),
        ("period_matches", "bool", "", "期间是否与配置的监控时点一致（默认 2023年1-7月，即 7月31日）"),
        ("in_comparison", "bool", "", "是否纳入全县合计、部门比较和排名（期间一致，或规则配置 period.compare_other_periods 允许）"),
        *PROFILE_COLUMNS,
    ),
    "department_summary": _cols(
        ("dept_name", "string", "", "主管部门名称"),
        ("n_projects", "int", "个", "项目数"),
        ("budget_total", "float", "万元", "年初预算数合计"),
        ("executed_total", "float", "万元", "1-N 月执行数合计"),
        ("execution_rate", "float", "%", "部门预算执行率 = 执行数合计 ÷ 年初预算数合计"),
        ("expected_rate", "float", "%", "部门全年预计执行率"),
        ("n_red", "int", "个", "红灯指标数"),
        ("n_yellow", "int", "个", "黄灯指标数"),
        ("n_green", "int", "个", "绿灯指标数"),
        ("n_key_projects", "int", "个", "重点监控项目数"),
        ("main_reasons", "string", "", "主要偏差原因：红黄灯指标最常勾选的原因及次数"),
        ("score", "float", "分", "综合得分（满分 100，公式见 ranking_method_text）"),
        ("rank", "int", "名", "排名（1 为最好；同分并列、名次相同；无法计分或期间不一致的部门为空）"),
        ("n_blue", "int", "个", "蓝灯指标数"),
        ("n_unknown", "int", "个", "无法判断的指标数"),
        ("time_progress", "float", "%", "序时进度"),
        ("execution_ratio", "float", "%", "部门执行进度比"),
        ("execution_score", "float", "分", "执行得分：按执行进度比分段计算、封顶或不封顶，见规则配置 ranking.execution_basis"),
        ("ranking_method", "string", "", "排名方法说明：公式、权重、并列规则和所用规则配置（每行相同，便于随排名引用）"),
        ("target_score", "float", "分", "目标得分：按灯色计分或指标完成率（封顶 100），按项目年初预算数加权或简单平均，见规则配置 [ranking]"),
        ("budget_light", "string", "", "部门预算执行灯（按部门执行进度比，标准同项目）"),
        ("budget_reason", "string", "", "部门预算执行灯的判断依据"),
        ("expected_carryover", "float", "万元", "预计结转结余合计"),
        ("carryover_budget", "float", "万元", "上年结转资金（存量资金）年初预算数合计"),
        ("carryover_executed", "float", "万元", "上年结转资金 1-N 月执行数合计"),
        ("carryover_rate", "float", "%", "存量资金执行率"),
        ("stock_idle", "float", "万元", "未支出的存量资金合计"),
        ("n_stock_flagged", "int", "个", "存量资金数额偏大且支出慢的项目数"),
        ("quality_score", "float", "分", "监控工作质量得分（按时、可读取、期间正确、原因填写、不照抄、填报问题），见规则配置 [ranking]"),
        ("quality_reason", "string", "", "监控工作质量得分的扣分说明"),
        ("rank_note", "string", "", "名次说明：并列（与哪些部门同分）、不排名的原因"),
        ("period_label", "string", "", "部门项目的期间，如“2023年1-7月”（取自表头）"),
        ("period_matches", "bool", "", "期间是否与配置的监控时点一致（默认 2023年1-7月，即 7月31日）"),
        ("in_comparison", "bool", "", "是否纳入全县合计、部门比较和排名（期间一致，或规则配置 period.compare_other_periods 允许）"),
        *PROFILE_COLUMNS,
    ),
    "county_summary": _cols(
        ("period_label", "string", "", "监控期间（配置的监控时点）"),
        ("monitoring_date", "string", "", "监控时点（YYYY-MM-DD）"),
        ("n_departments", "int", "个", "纳入全县合计的主管部门数"),
        ("n_projects", "int", "个", "纳入全县合计的项目数"),
        ("budget_total", "float", "万元", "年初预算数合计"),
        ("executed_total", "float", "万元", "执行数合计"),
        ("execution_rate", "float", "%", "全县预算执行率"),
        ("time_progress", "float", "%", "序时进度"),
        ("execution_ratio", "float", "%", "全县执行进度比"),
        ("expected_rate", "float", "%", "全县全年预计执行率"),
        ("budget_light", "string", "", "全县预算执行灯"),
        ("expected_carryover", "float", "万元", "预计结转结余合计"),
        ("carryover_budget", "float", "万元", "上年结转资金（存量资金）合计"),
        ("carryover_executed", "float", "万元", "上年结转资金执行数合计"),
        ("stock_idle", "float", "万元", "未支出的存量资金合计"),
        ("n_stock_flagged", "int", "个", "存量资金数额偏大且支出慢的项目数"),
        ("n_key_projects", "int", "个", "重点监控项目数（不超过上限）"),
        ("n_key_candidates", "int", "个", "符合重点监控条件的候选项目数"),
        ("n_red", "int", "个", "红灯指标数"),
        ("n_yellow", "int", "个", "黄灯指标数"),
        ("n_green", "int", "个", "绿灯指标数"),
        ("n_blue", "int", "个", "蓝灯指标数"),
        ("n_unknown", "int", "个", "无法判断的指标数"),
        ("n_excluded_projects", "int", "个", "期间不一致、单独计算未纳入合计的项目数"),
        ("excluded_departments", "string", "", "未纳入合计的部门（、分隔）"),
        ("scope_note", "string", "", "合计口径说明（中文）"),
        *PROFILE_COLUMNS,
    ),
}
TABLES.update(METRICS_TABLES)

ROUND_KEY_COLUMNS = _cols(
    ("round_year", "int", "年", "轮次：监控年度"),
    ("round_period", "int", "月", "轮次：监控期末月份 N（1-N月）"),
)

STORE_TABLES: dict[str, tuple[Column, ...]] = {  # kept in the DuckDB store (jixiao.store.warehouse), one set per round
    "rounds": _cols(
        *((c.name, c.type, c.unit, c.meaning) for c in ROUND_KEY_COLUMNS),
        ("round_label", "string", "", "轮次名称，如 2023年1-7月"),
        ("loaded_at", "string", "", "载入时间（ISO 8601，带时区）"),
        ("input_hash", "string", "", "本轮输入（报送文件、规则配置、批复目标、上轮整改回复、上一轮）的 SHA-256；不变时跳过"),
        ("raw_dir", "string", "", "本轮报送文件所在文件夹"),
        ("n_files", "int", "个", "报送文件数"),
        ("n_projects", "int", "个", "项目数"),
        ("n_indicators", "int", "个", "三级指标数"),
        ("profile_name", "string", "", "所用规则配置的名称"),
        ("profile_hash", "string", "", "所用规则配置文件内容的 SHA-256（前 16 位）"),
        ("profile_text", "string", "", "所用规则配置的全文（TOML），便于日后复核"),
    ),
    "round_inputs": _cols(
        ("kind", "string", "", "输入类别：submission（报送文件）、approved（批复目标）、reply（上轮整改回复）、mapping（项目对应表）"),
        ("path", "string", "", "文件路径（报送文件相对本轮文件夹）"),
        ("sha256", "string", "", "文件内容的 SHA-256"),
    ),
    "project_identity": _cols(
        ("project_id", "string", "", "本轮的项目标识（同 projects）"),
        ("identity_id", "string", "", "跨轮次、跨年度不变的项目标识（项目首次出现时的 project_id）"),
        ("match", "string", "", "如何认定：new（首次出现）、exact（单位与名称相同）、code（部门代码与名称相同）、fuzzy（名称相近）、mapping（项目对应表指定）"),
        ("matched_round", "string", "", "对应的上一次出现所在轮次，如 2022年1-7月"),
        ("matched_name", "string", "", "上一次出现时的项目名称"),
        ("similarity", "float", "", "名称相似度（0-1，仅 fuzzy）"),
    ),
    "rectification": _cols(
        ("item_id", "string", "", "整改事项编号（同一问题在各轮次相同）"),
        ("kind", "string", "", "来源：finding（必须改正的问题）、budget_red（预算执行红灯）、target_red（目标完成红灯）、key_monitoring（重点监控）"),
        ("code", "string", "", "规则代码或灯色类别"),
        ("identity_id", "string", "", "跨轮次项目标识（同 project_identity）"),
        ("project_id", "string", "", "本轮的项目标识（项目本轮未报送时为空）"),
        ("dept_name", "string", "", "主管部门名称"),
        ("unit_name", "string", "", "实施单位名称"),
        ("project_name", "string", "", "项目名称"),
        ("source_file", "string", "", "本轮报送文件（反馈工作簿据此分发）"),
        ("what", "string", "", "整改事项：问题是什么（中文）"),
        ("suggestion", "string", "", "财政局建议"),
        ("since_round", "string", "", "首次发现的轮次，如 2023年1-7月"),
        ("status", "string", "", "本轮状态：待整改（本轮新发现）、已整改、整改中、未整改（上轮事项的跟踪结果）"),
        ("status_reason", "string", "", "状态的依据（中文）"),
        ("reply_measures", "string", "", "单位回复的整改措施"),
        ("reply_person", "string", "", "单位回复的责任人"),
        ("reply_deadline", "string", "", "单位回复的完成时限"),
    ),
}
TABLES.update(STORE_TABLES)


def empty_frame(table: str) -> pd.DataFrame:
    return conform(pd.DataFrame(), table)


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Select, order and type the columns of ``table``; missing columns become empty."""
    columns = TABLES[table]
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        series = frame[column.name] if column.name in frame else pd.Series([None] * len(frame), index=frame.index)
        if column.type == "list":
            out[column.name] = series.map(as_list)
        elif column.type in ("float", "int"):
            out[column.name] = _numeric(series, f"{table}.{column.name}").astype(DTYPES[column.type])
        elif column.type == "string":
            out[column.name] = _strings(series)
        else:
            out[column.name] = series.astype(DTYPES[column.type])
    return out.reset_index(drop=True)


def _strings(series: pd.Series) -> pd.Series:
    """Text as pandas strings, anything else through ``str``; missing stays missing.

    Column-wise (a province's tables have millions of cells): only the cells that are neither text nor
    missing are converted one by one.
    """
    if isinstance(series.dtype, pd.StringDtype):
        return series.astype(DTYPES["string"])
    values = series.astype(object).where(series.notna(), None)
    other = values.map(type).ne(str) & values.notna()
    if other.any():
        values = values.where(~other, values[other].map(str))
    return values.astype(DTYPES["string"])


def _numeric(series: pd.Series, where: str) -> pd.Series:
    """Numbers as numbers; a value that is not a number is a program error, never silently blanked."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return pd.to_numeric(series)  # already numbers (the usual case): nothing to clean cell by cell
    cleaned = series.map(lambda v: None if is_missing(v) or (isinstance(v, str) and not v.strip()) else v)
    try:
        return pd.to_numeric(cleaned, errors="raise")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where} 中有不是数值的值：{exc}") from None




def as_list(value) -> list:
    """Lists come back from Parquet as numpy arrays; anything else that is not a list is empty."""
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and not isinstance(value, str)):
        return list(value)
    return []


def check(frame: pd.DataFrame, table: str) -> list[str]:
    """Differences between ``frame`` and the schema of ``table`` (empty when it conforms)."""
    problems = []
    expected = [c.name for c in TABLES[table]]
    if list(frame.columns) != expected:
        problems.append(f"{table}: columns {list(frame.columns)} != {expected}")
    for column in TABLES[table]:
        if column.name in frame and column.type != "list":
            actual = str(frame[column.name].dtype)
            if actual != DTYPES[column.type]:
                problems.append(f"{table}.{column.name}: dtype {actual} != {DTYPES[column.type]}")
    return problems


def markdown() -> str:
    """The schema document (docs/schema.md)."""
    lines = [
        "# 数据表结构 / Tidy table schema",
        "",
        "由 `jixiao/store/schema.py` 生成（`jixiao schema > docs/schema.md`），请勿手工修改。",
        "Generated from `jixiao/store/schema.py`; do not edit by hand. Amounts are 万元; percentages are 95 for 95 %.",
        "",
    ]
    lines += [
        "Every table is validated with its pandera model (`jixiao/store/tables.py`) whenever a stage writes or",
        "reads it: exact columns in this order, these types, and the values in the column 取值.",
        "",
    ]
    for table, columns in TABLES.items():
        lines += [f"## {table}", "", "| column | type | unit | 取值 | meaning |", "|---|---|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {c.unit} | {_rule_text(table, c)} | {c.meaning} |" for c in columns]
        lines.append("")
    return "\n".join(lines)


def _rule_text(table: str, column: Column) -> str:
    """The pandera checks of a column in words (same logic as jixiao.store.tables._checks)."""
    rule = constraint(table, column.name)
    parts = []
    if rule.allowed:
        parts.append("、".join(rule.allowed))
    if column.type == "float":
        parts.append("有限数值")
    if rule.minimum is not None:
        parts.append(f"≥ {rule.minimum:g}")
    if rule.maximum is not None:
        parts.append(f"≤ {rule.maximum:g}")
    return "；".join(parts)
