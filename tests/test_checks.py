"""Each validation rule fires on a hand-made case and stays silent on a clean submission."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from test_template import filled_templates, indicator_rows, ingest_and_check, road_sheet

from jixiao.config.profile import profile_from_text
from jixiao.config.settings import Settings
from jixiao.domain.findings import CATALOGUE, RULES_BY_CODE, finding
from jixiao.forms import fill_in as T
from jixiao.normalise.ingest import ingest
from jixiao.store.tables import read_findings, read_ingest_tables
from jixiao.validate import checks
from jixiao.validate.checks import CHECK_FUNCTIONS, check_tables, rules_markdown, run_checks

from conftest import ROOT

FUND = {source: T.FUNDS_HEADER_ROW + i for i, (source, _) in enumerate(T.FUND_ROWS, start=1)}


def cell(role: str, source: str) -> str:
    return f"{'CFIL'[['budget', 'executed', 'rate', 'expected'].index(role)]}{FUND[source]}"


def set_fund(role: str, source: str, value):
    def edit(book):
        road_sheet(book)[cell(role, source)] = value
    return edit


def set_indicator(name: str, **values):
    """Write indicator cells by role; ticks by category or level (True ticks, False clears)."""
    def edit(book):
        sheet = road_sheet(book)
        row = indicator_rows(sheet)[name]
        for role, value in values.items():
            column = (T.INDICATOR_COLUMNS.get(role) or T.REASON_COLUMNS.get(role) or T.POSSIBILITY_COLUMNS.get(role))
            sheet.cell(row, column).value = (T.TICK if value is True else None if value is False else value)
    return edit


def both(*edits):
    def edit(book):
        for one in edits:
            one(book)
    return edit


def doubtful(name: str, **extra):
    return set_indicator(name, 确定能=False, 有可能=True, **extra)


def copied_reason(book):
    text = "资金拨付审批程序较长，影响项目整体实施进度"
    for sheet_name, name in (("农村公路养护项目", "路面优良率"), ("危桥改造项目", "验收合格率")):
        sheet = book[sheet_name]
        row = indicator_rows(sheet)[name]
        sheet.cell(row, T.POSSIBILITY_COLUMNS["确定能"]).value = None
        sheet.cell(row, T.POSSIBILITY_COLUMNS["有可能"]).value = T.TICK
        sheet.cell(row, T.REASON_COLUMNS["经费保障"]).value = T.TICK
        sheet.cell(row, T.INDICATOR_COLUMNS["reason_text"]).value = text


def placeholders(book):
    sheet = road_sheet(book)
    for row in indicator_rows(sheet).values():
        sheet.cell(row, T.INDICATOR_COLUMNS["expected"]).value = "100%"
    for source in ("fiscal", "carryover"):
        sheet[cell("executed", source)] = 2


def other_period(book):
    """The road sheet reported for 1-8月 (headers "1-8月执行数", "1-8月执行情况")."""
    for row in road_sheet(book).iter_rows():
        for one in row:
            if isinstance(one.value, str) and "1-7月" in one.value:
                one.value = one.value.replace("1-7月", "1-8月")


ROW = T.FIRST_INDICATOR_ROW
REASONS_AT = get_column_letter(min(T.REASON_COLUMNS.values()))
POSSIBILITY_AT = get_column_letter(min(T.POSSIBILITY_COLUMNS.values()))
EXPLANATION_AT = get_column_letter(T.INDICATOR_COLUMNS["reason_text"])
CASES = {  # code -> (edit, the cell the finding must point at)
    "FUNDS_SUM_MISMATCH": (set_fund("budget", "total", 120), cell("budget", "total")),
    "EXECUTED_OVER_BUDGET": (set_fund("executed", "fiscal", 90), cell("executed", "fiscal")),
    "RATE_MISMATCH": (set_fund("rate", "fiscal", 0.9), cell("rate", "fiscal")),
    "FORECAST_BELOW_EXECUTED": (set_fund("expected", "fiscal", 10), cell("expected", "fiscal")),
    "AMOUNT_UNIT_SLIP": (set_fund("executed", "fiscal", 480_000), cell("executed", "fiscal")),
    "INDICATOR_RATE_OVER_100": (set_indicator("路面优良率", expected="120%"), f"F{ROW + 2}"),
    "TARGET_UNPARSED": (set_indicator("群众出行条件", target="详见实施方案?"), f"D{ROW + 4}"),
    "TARGET_COMPARATOR_LOST": (set_indicator("路面优良率", target="285%", expected="285%", actual="285%"), f"D{ROW + 2}"),
    "POSSIBILITY_MISSING": (set_indicator("养护里程", 确定能=False), f"{POSSIBILITY_AT}{ROW}"),
    "REASON_NOT_TICKED": (doubtful("路面优良率", reason_text="雨季施工受限"), f"{REASONS_AT}{ROW + 2}"),
    "EXPLANATION_MISSING": (doubtful("路面优良率", 经费保障=True), f"{EXPLANATION_AT}{ROW + 2}"),
    "CERTAIN_BUT_FORECAST_SHORT": (set_indicator("路面优良率", expected="80%"), f"F{ROW + 2}"),
    "REASONS_BUT_ON_TARGET": (set_indicator("养护里程", 人员保障=True), f"{REASONS_AT}{ROW}"),
    "PLACEHOLDER_FORECASTS": (placeholders, f"F{ROW}"),
    "COPIED_REASON_TEXT": (copied_reason, f"{EXPLANATION_AT}{ROW + 2}"),
    "PERIOD_MISMATCH": (other_period, cell("executed", "total")),
}


@pytest.fixture(scope="module")
def clean_findings(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean")
    return ingest_and_check(tmp, filled_templates(tmp))


def test_clean_submission_has_no_findings(clean_findings):
    assert clean_findings.empty, clean_findings[["code", "cell", "message"]].to_string()


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_its_case(tmp_path, code, clean_findings):
    edit, where = CASES[code]
    findings = ingest_and_check(tmp_path, filled_templates(tmp_path, edit))
    mine = findings[findings["code"] == code]
    assert not mine.empty, findings[["code", "cell", "message"]].to_string()
    assert where in set(mine["cell"]), mine[["cell", "message"]].to_string()
    row = mine[mine["cell"] == where].iloc[0]
    rule = RULES_BY_CODE[code]
    assert row["severity"] == rule.severity and row["sheet"] == "农村公路养护项目"
    assert row["suggestion"] and row["message"].endswith(row["suggestion"])
    assert re.search(r"[\u4e00-\u9fff]", row["message"])
    assert code not in set(clean_findings["code"])


def test_possibility_in_nonstandard_words_is_reported(tmp_path):
    factory = pytest.importorskip("factory")
    style = factory.with_style(possibility_as="text")
    ind = factory.Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 120, possibility="基本能",
                      reasons=("经费保障",), reason_text="资金到位较晚")
    raw = tmp_path / "raw"
    raw.mkdir()
    factory.one_project(raw / "a.xlsx", factory.Project(indicators=[ind]), style)
    findings = ingest_and_check(tmp_path, raw)
    found = findings[findings["code"] == "POSSIBILITY_NONSTANDARD"]
    assert len(found) == 1 and "有可能" in found.iloc[0]["message"]


def test_every_check_rule_has_a_case():
    assert set(CHECK_FUNCTIONS) - set(CASES) == {"POSSIBILITY_NONSTANDARD"}  # covered by the factory-built test above


def test_thresholds_come_from_settings(tmp_path):
    edit, _ = CASES["RATE_MISMATCH"]
    raw = filled_templates(tmp_path, edit)
    ingest(raw, tmp_path / "p", Settings())
    tables = read_ingest_tables(tmp_path / "p")
    strict = check_tables(tables)
    lenient = check_tables(tables, profile=profile_from_text("[checks]\nrate_tolerance_pp = 50.0\n"))
    assert "RATE_MISMATCH" in set(strict["code"]) and "RATE_MISMATCH" not in set(lenient["code"])


def test_run_checks_keeps_ingest_findings_and_can_be_repeated(tmp_path):
    def edit(book):
        set_fund("budget", "total", 120)(book)
        road_sheet(book)["C4"] = None  # 项目名称 left blank: an ingest finding

    raw = filled_templates(tmp_path, edit)
    ingest(raw, tmp_path / "p", Settings())
    first = run_checks(tmp_path / "p")
    second = run_checks(tmp_path / "p")
    assert {"PROJECT_NAME_MISSING", "FUNDS_SUM_MISMATCH"} <= set(first["code"])
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns[:7]) == ["source_file", "sheet", "cell", "severity", "code", "message", "project_id"]


def test_a_crashing_rule_becomes_a_finding(tmp_path, monkeypatch):
    raw = filled_templates(tmp_path)
    ingest(raw, tmp_path / "p", Settings())
    monkeypatch.setitem(CHECK_FUNCTIONS, "FUNDS_SUM_MISMATCH", lambda ctx: 1 / 0)
    monkeypatch.setattr(checks, "CHECK_FUNCTIONS", {"FUNDS_SUM_MISMATCH": CHECK_FUNCTIONS["FUNDS_SUM_MISMATCH"]})
    findings = check_tables(read_ingest_tables(tmp_path / "p"))
    assert list(findings["code"]) == ["CHECK_FAILED"]


def test_catalogue_codes_are_unique_and_documented():
    codes = [rule.code for rule in CATALOGUE]
    assert len(codes) == len(set(codes))
    for rule in CATALOGUE:
        assert rule.severity in checks.SEVERITY_LABELS and rule.meaning and rule.example and rule.fix


def test_a_finding_takes_its_severity_from_the_catalogue_and_refuses_unknown_codes():
    made = finding("TARGET_MISSING", "监控表", "D14", "没有年度指标值")
    assert (made.severity, made.code, made.cell) == (RULES_BY_CODE["TARGET_MISSING"].severity, "TARGET_MISSING", "D14")
    with pytest.raises(KeyError, match="not in the catalogue"):
        finding("NO_SUCH_CODE", None, None, "")


def test_rules_document_is_generated_from_the_catalogue():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()


def test_no_rule_crashes_on_the_demo_county(demo_county):
    """Every rule meets the whole messy demo county without falling back to CHECK_FAILED."""
    findings = read_findings(demo_county)
    assert "CHECK_FAILED" not in set(findings["code"]), findings.query("code == 'CHECK_FAILED'")["message"].tolist()
    assert findings["code"].isin(RULES_BY_CODE).all()
