"""Metrics: hand-computed cases for every rule of docs/metrics.md, built from DataFrames in code."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from jixiao.config.profile import load_profile, profile_from_text, time_progress
from jixiao.config.settings import Settings
from jixiao.metrics.compute import (
    OUTPUT_TABLES,
    budget_light,
    compute_metrics,
    dual_light,
    judge_indicator,
    rank_departments,
    ranking_method_text,
    run_metrics,
)
from jixiao.store import schema
from jixiao.store.schema import METRICS_TABLES
from jixiao.store.tables import write_tables

PROFILE = load_profile()
P = 7 / 12 * 100  # 序时进度 of 1-7月 by months: 58.33 %
SETTINGS = Settings()


# ---------------------------------------------------------------- builders (docs/schema.md columns)

def project(pid="p1", dept="湟源县教育局", unit=None, name=None, budget=100.0, executed=50.0, expected=95.0,
            fiscal=None, year=2023, month=7) -> dict:
    return {"project_id": pid, "dept_name": dept, "unit_name": unit or dept, "project_name": name or f"项目{pid}",
            "year": year, "period_end_month": month, "budget_total": budget, "budget_fiscal": fiscal,
            "executed_total": executed, "expected_total": expected}


def indicator(pid="p1", name="培训人次", level2="数量指标", op=">=", target=100.0, unit="人次", actual=None,
              forecast=None, target_text=None, actual_text=None, expected_text=None, possibility="确定能",
              reasons=(), target_max=None, remarks=None, reason_text=None, iid=None) -> dict:
    return {"project_id": pid, "indicator_id": iid or f"{pid}-{name}", "level1": "产出指标", "level2": level2,
            "name": name, "target_text": target_text or f"{op}{target}{unit}", "target_op": op,
            "target_value": target, "target_value_max": target_max, "target_unit": unit,
            "actual_text": actual_text if actual_text is not None else ("" if actual is None else str(actual)),
            "actual_value": actual,
            "expected_text": expected_text if expected_text is not None else ("" if forecast is None else str(forecast)),
            "expected_value": forecast, "reasons": list(reasons), "reason_text": reason_text,
            "possibility": possibility, "remarks": remarks}


def tables(projects: list[dict], indicators: list[dict]) -> dict[str, pd.DataFrame]:
    return {"projects": schema.conform(pd.DataFrame(projects), "projects"),
            "indicators": schema.conform(pd.DataFrame(indicators), "indicators")}


def judge(profile=PROFILE, **kwargs):
    return judge_indicator(indicator(**kwargs), P, profile, period_label="1-7月")


# ---------------------------------------------------------------- time progress and budget

def test_time_progress_by_months_and_by_days():
    assert time_progress(2023, 7, "months") == pytest.approx(58.333, abs=1e-3)
    assert time_progress(2023, 7, "days") == pytest.approx(212 / 365 * 100)
    assert time_progress(2024, 7, "days") == pytest.approx(213 / 366 * 100)  # leap year


@pytest.mark.parametrize("executed, expected, light", [
    (30.0, 95.0, "red"),      # 30 / 58.33 = 51.4 % < 60 %
    (40.0, 95.0, "yellow"),   # 68.6 %
    (50.0, 95.0, "green"),    # 85.7 %
    (50.0, 75.0, "yellow"),   # green by pace, but the full-year forecast 75 % < 80 %
])
def test_budget_light_uses_execution_against_time_progress(executed, expected, light):
    out = compute_metrics(tables([project(executed=executed, expected=expected)], []), PROFILE, SETTINGS)
    row = out["project_status"].iloc[0]
    assert row["execution_rate"] == pytest.approx(executed)
    assert row["execution_ratio"] == pytest.approx(executed / P * 100)
    assert row["expected_rate"] == pytest.approx(expected)
    assert row["expected_carryover"] == pytest.approx(100.0 - expected)
    assert row["budget_light"] == light


def test_execution_rate_is_recomputed_and_missing_budget_is_unknown():
    light, reason = budget_light(None, None, PROFILE)
    assert light == "unknown" and "无法计算" in reason
    out = compute_metrics(tables([project(budget=None)], []), PROFILE, SETTINGS)
    assert out["project_status"].iloc[0]["budget_light"] == "unknown"


def test_denominator_setting_switches_to_the_fiscal_appropriation():
    profile = profile_from_text('[budget]\ndenominator = "budget_fiscal"\n')
    out = compute_metrics(tables([project(budget=100.0, fiscal=80.0, executed=40.0)], []), profile, SETTINGS)
    assert out["project_status"].iloc[0]["execution_rate"] == pytest.approx(50.0)


# ---------------------------------------------------------------- directions

@pytest.mark.parametrize("forecast, deviation, light", [(93.0, 2 / 95 * 100, "green"),
                                                          (80.0, 15 / 95 * 100, "yellow"),
                                                          (60.0, 35 / 95 * 100, "red")])
def test_positive_rate_is_compared_directly_with_the_target(forecast, deviation, light):
    result = judge(name="验收合格率", level2="质量指标", target=95.0, unit="%", actual=50.0, forecast=forecast)
    assert result.direction == "positive" and result.is_rate and not result.is_cumulative
    assert result.completion == pytest.approx(forecast / 95 * 100)
    assert result.deviation == pytest.approx(deviation)
    assert result.pace_ratio is None  # a rate is never pro-rated, A = 50 % does not matter
    assert result.light == light


@pytest.mark.parametrize("actual, pace, light", [(70.0, 100.0, "green"), (49.0, 70.0, "yellow"),
                                                 (30.0, 30 / 70 * 100, "red")])
def test_pace_rule_for_cumulative_quantities(actual, pace, light):
    # T = 120 人次, p = 7/12: the time-progress share is 70; F = T so only the pace decides.
    result = judge(target=120.0, actual=actual, forecast=120.0)
    assert result.is_cumulative
    assert result.pace_ratio == pytest.approx(pace)
    assert result.light == light


def test_one_off_deliverables_are_not_paced():
    result = judge(name="购置DR设备数量", target=3.0, unit="台", actual=0.0, forecast=3.0)
    assert not result.is_cumulative and result.pace_ratio is None and result.light == "green"


def test_blue_band_for_over_achievement():
    by_forecast = judge(name="旅游综合收入增长率", level2="经济效益指标", target=10.0, unit="%", forecast=13.0)
    assert by_forecast.light == "blue" and by_forecast.completion == pytest.approx(130.0)  # > 120 %
    just_above_target = judge(name="旅游综合收入增长率", level2="经济效益指标", target=10.0, unit="%", forecast=11.9)
    assert just_above_target.light == "green"  # 119 % is not blue
    by_pace = judge(target=100.0, actual=80.0, forecast=115.0)  # pace 137 %, F/T 115 %
    assert by_pace.pace_ratio == pytest.approx(80 / (100 * P / 100) * 100) and by_pace.light == "blue"
    stock = judge(name="低保保障人数", target=100.0, actual=102.0, forecast=102.0)  # full from January
    assert stock.pace_ratio > 120 and stock.light == "green"


def test_negative_indicator_above_target_is_red():
    late = judge(name="维修响应时间", level2="时效指标", op="<=", target=2.0, unit="小时", forecast=3.0)
    assert late.direction == "negative"
    assert late.completion == pytest.approx(2 / 3 * 100) and late.deviation == pytest.approx(50.0)
    assert late.light == "red"
    on_time = judge(name="维修响应时间", level2="时效指标", op="<=", target=2.0, unit="小时", forecast=1.5)
    assert on_time.completion == 100.0 and on_time.deviation == 0.0 and on_time.light == "green"


def test_zero_target_rule_for_reverse_indicators():
    kwargs = dict(name="食品安全事故发生数", level2="质量指标", op="=", target=0.0, unit="起")
    none = judge(forecast=0.0, **kwargs)
    assert none.direction == "negative" and none.light == "green" and none.completion == 100.0
    one = judge(forecast=1.0, **kwargs)
    assert one.light == "red" and one.completion == 0.0 and one.deviation is None
    assert "目标为 0" in "；".join(one.reasons)


def test_equal_and_range_targets():
    exact = judge(name="亩均补贴标准", level2="成本指标", op="=", target=72.5, unit="元/亩", forecast=72.5)
    assert exact.direction == "equal" and exact.light == "green"
    low = judge(name="亩均补贴标准", level2="成本指标", op="=", target=72.5, unit="元/亩", forecast=60.0)
    assert low.deviation == pytest.approx(12.5 / 72.5 * 100) and low.light == "yellow"
    high = judge(name="亩均补贴标准", level2="成本指标", op="=", target=50.0, unit="元/亩", forecast=70.0)
    assert high.deviation == pytest.approx(40.0) and high.light == "red"
    band = judge(name="室内温度", level2="质量指标", op="range", target=18.0, target_max=22.0, unit="℃", forecast=25.0)
    assert band.direction == "equal" and band.deviation == pytest.approx(3 / 22 * 100) and band.light == "yellow"


def test_a_bare_rate_target_reads_as_at_least():
    result = judge(name="资金发放准确率", level2="质量指标", op="=", target=95.0, unit="%", forecast=99.0)
    assert result.direction == "positive" and result.light == "green"
    strict = profile_from_text("[indicator]\nequal_rate_as_positive = false\n")
    result = judge(profile=strict, name="资金发放准确率", level2="质量指标", op="=", target=95.0, unit="%",
                   forecast=99.0)
    assert result.direction == "equal"


@pytest.mark.parametrize("expected_text, actual_text, level_light, completion", [
    ("达到预期", "", "green", 100.0),
    ("基本达到", "", "yellow", 70.0),
    ("效果不明显", "达到预期", "red", 30.0),   # the forecast text decides; "不明显" beats "明显"
    ("/", "部分达到", "yellow", 70.0),         # no forecast: the 1-N月 text is used
    ("有效改善", "", "green", 100.0),          # same words as the target
])
def test_qualitative_levels_from_the_text(expected_text, actual_text, level_light, completion):
    result = judge(name="居住条件", level2="社会效益指标", op="qualitative", target=None, unit=None,
                   target_text="有效改善", expected_text=expected_text, actual_text=actual_text)
    assert result.direction == "qualitative"
    assert (result.light, result.completion) == (level_light, completion)


def test_qualitative_without_usable_text_is_unknown():
    result = judge(name="居住条件", level2="社会效益指标", op="qualitative", target=None, unit=None,
                   target_text="有效改善", expected_text="/", actual_text="—")
    assert result.light == "unknown" and "无法" in "；".join(result.reasons)


def test_possibility_signal():
    maybe = judge(name="验收合格率", level2="质量指标", target=95.0, unit="%", forecast=96.0, possibility="有可能")
    assert maybe.light == "yellow"
    never = judge(name="验收合格率", level2="质量指标", target=95.0, unit="%", forecast=96.0, possibility="完全不可能")
    assert never.light == "red"
    unknown_but_maybe = judge(name="居住条件", op="qualitative", target=None, unit=None, expected_text="/",
                              possibility="有可能")
    assert unknown_but_maybe.light == "yellow"


def test_missing_forecasts_use_what_is_there_or_say_unknown():
    rate = judge(name="验收合格率", level2="质量指标", target=95.0, unit="%", actual=96.0, forecast=None)
    assert rate.light == "green" and "未填全年预计" in "；".join(rate.reasons)
    paced = judge(target=120.0, actual=35.0, forecast=None)  # cumulative: A is never used as a forecast
    assert paced.completion is None and paced.pace_ratio == pytest.approx(50.0) and paced.light == "red"
    nothing = judge(target=120.0, actual=None, forecast=None)
    assert nothing.light == "unknown" and "未填" in "；".join(nothing.reasons)
    words = judge(name="保障标准", level2="成本指标", target=1900.0, unit="元", actual_text="正在推进",
                  expected_text="达到预期")  # a numeric target answered in words: quote them, do not guess
    assert words.light == "unknown" and "“达到预期”" in words.reasons[0]
    no_target = judge(op=None, target=None, target_text="见附件", forecast=5.0)
    assert no_target.direction is None and no_target.light == "unknown"
    assert "无法识别" in "；".join(no_target.reasons)


# ---------------------------------------------------------------- projects

@pytest.mark.parametrize("budget, target, dual", [
    ("red", "green", "red"), ("yellow", "green", "red"), ("green", "yellow", "yellow"),
    ("green", "red", "yellow"), ("green", "green", "green"), ("green", "blue", "green"),
    ("unknown", "green", "unknown"), ("green", "unknown", "unknown"), ("red", "unknown", "red"),
])
def test_dual_light_matrix(budget, target, dual):
    assert dual_light(budget, target, PROFILE) == dual


def _one_project(budget=100.0, executed=50.0, expected=95.0, **indicator_kwargs):
    data = tables([project(budget=budget, executed=executed, expected=expected)], [indicator(**indicator_kwargs)])
    return data


def test_project_target_light_is_the_worst_indicator():
    data = tables([project()], [
        indicator(name="验收合格率", level2="质量指标", target=95.0, unit="%", forecast=96.0),
        indicator(name="培训人次", target=120.0, actual=49.0, forecast=120.0),          # yellow by pace
        indicator(name="居住条件", op="qualitative", target=None, unit=None, expected_text="/"),  # unknown
    ])
    row = compute_metrics(data, PROFILE, SETTINGS)["project_status"].iloc[0]
    assert row["target_light"] == "yellow"
    assert (row["n_indicators"], row["n_yellow"], row["n_unknown"]) == (3, 1, 1)
    assert row["dual_light"] == "yellow" and row["suggestion"] == "督促纠偏整改"


@pytest.mark.parametrize("budget, executed, indicator_kwargs, key", [
    # budget red (30 % of 58.33 % = 51 %) and an indicator yellow -> key, whatever the amount
    (10.0, 3.0, dict(target=120.0, actual=49.0, forecast=120.0), True),
    # budget green, indicator red, 年初预算数 ≥ 50 万元 -> key
    (50.0, 25.0, dict(target=120.0, actual=20.0, forecast=120.0), True),
    # same, just under the threshold -> not key
    (49.99, 25.0, dict(target=120.0, actual=20.0, forecast=120.0), False),
    # budget red but every indicator green -> not key
    (100.0, 30.0, dict(target=120.0, actual=70.0, forecast=120.0), False),
])
def test_key_monitoring_rule(budget, executed, indicator_kwargs, key):
    data = _one_project(budget=budget, executed=executed, **indicator_kwargs)
    row = compute_metrics(data, PROFILE, SETTINGS)["project_status"].iloc[0]
    assert bool(row["key_monitoring"]) is key
    assert bool(row["key_reason"]) is key


def test_a_changed_money_threshold_changes_key_monitoring():
    data = _one_project(budget=45.0, executed=25.0, target=120.0, actual=20.0, forecast=120.0)
    assert not compute_metrics(data, PROFILE, SETTINGS)["project_status"].iloc[0]["key_monitoring"]
    lower = profile_from_text("[key_monitoring]\nmoney_threshold = 40\n")
    assert compute_metrics(data, lower, SETTINGS)["project_status"].iloc[0]["key_monitoring"]


@pytest.mark.parametrize("executed, expected, indicator_kwargs, suggestion", [
    (10.0, 95.0, dict(target=120.0, actual=10.0, forecast=120.0), "暂缓拨款并整改"),  # red × red
    # red, 40 万元 expected unspent (≥ 20, forecast rate 60 % < 80 %) and a red indicator: 调减 before 暂缓
    (10.0, 60.0, dict(target=120.0, actual=20.0, forecast=60.0), "建议调减预算"),
    (10.0, 60.0, dict(target=120.0, actual=70.0, forecast=120.0), "督促加快执行"),    # red, low forecast, targets fine
    (10.0, 95.0, dict(target=120.0, actual=70.0, forecast=120.0), "督促加快执行"),    # red, targets fine
    (50.0, 95.0, dict(target=120.0, actual=49.0, forecast=120.0), "督促纠偏整改"),    # green × yellow
    (50.0, 95.0, dict(target=120.0, actual=70.0, forecast=120.0), "按进度拨付"),      # green × green
])
def test_suggestions_follow_the_use_of_results(executed, expected, indicator_kwargs, suggestion):
    data = _one_project(executed=executed, expected=expected, **indicator_kwargs)
    assert compute_metrics(data, PROFILE, SETTINGS)["project_status"].iloc[0]["suggestion"] == suggestion


def test_a_changed_profile_changes_the_results_as_documented():
    data = _one_project(executed=33.0, target=120.0, actual=70.0, forecast=120.0)  # ratio 56.6 %
    assert compute_metrics(data, PROFILE, SETTINGS)["project_status"].iloc[0]["budget_light"] == "red"
    lenient = profile_from_text("[budget]\nred_below = 50\n")
    assert compute_metrics(data, lenient, SETTINGS)["project_status"].iloc[0]["budget_light"] == "yellow"
    by_days = profile_from_text('[time_progress]\nbasis = "days"\n')
    row = compute_metrics(data, by_days, SETTINGS)["project_status"].iloc[0]
    assert row["time_progress"] == pytest.approx(212 / 365 * 100)
    assert row["profile_hash"] == by_days.content_hash


# ---------------------------------------------------------------- departments and ranking

def test_equal_scores_share_a_rank_with_the_reason():
    frame = pd.DataFrame({
        "dept_name": ["甲局", "乙局", "丙局", "丁局", "戊局"],
        "execution_score": [100.0, 60.0, 90.0, None, 50.0],
        "target_score": [60.0, 100.0, 90.0, 80.0, 50.0],
        "quality_score": [80.0, 80.0, 90.0, 100.0, 50.0],
        "n_red": [1, 0, 0, 0, 3],
    })
    ranked = rank_departments(frame, PROFILE).set_index("dept_name")
    # 0.4 e + 0.4 t + 0.2 q: 丙 90; 甲 and 乙 both 80 -> both 2nd, the next is 4th; 丁 cannot be scored.
    assert ranked.loc["丙局", "score"] == 90.0 and ranked.loc["丙局", "rank"] == 1
    assert ranked.loc["甲局", "score"] == ranked.loc["乙局", "score"] == 80.0
    assert ranked.loc["甲局", "rank"] == ranked.loc["乙局", "rank"] == 2 and ranked.loc["戊局", "rank"] == 4
    assert "与乙局得分同为 80.0 分，并列第 2 名" in ranked.loc["甲局", "rank_note"]
    assert pd.isna(ranked.loc["丁局", "rank"]) and "不计分" in ranked.loc["丁局", "rank_note"]
    targets_first = profile_from_text("[ranking]\nexecution_weight = 0\ntarget_weight = 1\nquality_weight = 0\n")
    assert list(rank_departments(frame, targets_first)["dept_name"][:2]) == ["乙局", "丙局"]


def test_department_summary_totals_reasons_and_score():
    data = tables(
        [project("a1", dept="甲局", budget=100.0, executed=35.0, expected=90.0),
         project("a2", dept="甲局", budget=300.0, executed=105.0, expected=290.0),
         project("b1", dept="乙局", budget=200.0, executed=140.0, expected=200.0)],
        [indicator("a1", name="培训人次", target=120.0, actual=20.0, forecast=120.0, reasons=["经费保障", "其他"]),
         indicator("a2", name="验收合格率", level2="质量指标", target=95.0, unit="%", forecast=80.0,
                   reasons=["经费保障"]),
         indicator("b1", name="验收合格率", level2="质量指标", target=95.0, unit="%", forecast=96.0)])
    out = compute_metrics(data, PROFILE, SETTINGS)["department_summary"].set_index("dept_name")
    a = out.loc["甲局"]
    assert a["n_projects"] == 2 and a["budget_total"] == pytest.approx(400.0)
    assert a["execution_rate"] == pytest.approx(35.0)                # 140 / 400
    assert a["expected_rate"] == pytest.approx(95.0)                 # 380 / 400
    assert (a["n_red"], a["n_yellow"], a["n_green"]) == (1, 1, 0)
    assert a["main_reasons"] == "经费保障（2）、其他（1）"
    # ratio 35 / 58.33 = 60 % -> curve 60 / 100 × 90 = 54 points
    assert a["execution_score"] == pytest.approx(54.0)
    # budget-weighted: a1 (100 万元) red 0, a2 (300 万元) yellow 60 -> (0 × 100 + 60 × 300) / 400 = 45
    assert a["target_score"] == pytest.approx(45.0)
    # both warned indicators lack 原因说明: 2 / 2 × 20 points off
    assert a["quality_score"] == pytest.approx(80.0) and "2 个红黄灯指标中 2 个未填原因说明" in a["quality_reason"]
    assert a["score"] == pytest.approx(round(0.4 * 54 + 0.4 * 45 + 0.2 * 80, 2))  # 55.6
    b = out.loc["乙局"]
    # ratio 70 / 58.33 = 120 % -> 90 + (120 - 100) / 50 × 10 = 94
    assert b["execution_score"] == pytest.approx(94.0) and b["target_score"] == 100.0 and b["rank"] == 1
    assert b["score"] == pytest.approx(round(0.4 * 94 + 0.4 * 100 + 0.2 * 100, 2))
    assert a["rank"] == 2
    assert "排名方法" in a["ranking_method"]


def test_ranking_method_text_names_formula_weights_and_tie_break():
    text = ranking_method_text(profile_from_text(
        "[ranking]\nexecution_weight = 0.6\ntarget_weight = 0.2\nquality_weight = 0.2\n"))
    assert "0.6 × 执行得分 + 0.2 × 目标得分 + 0.2 × 监控工作质量得分" in text
    assert "得分相同的部门并列，名次相同" in text and "哈希" in text
    assert "按项目年初预算数加权" in text and "分段计算" in text and "逾期报送" in text
    assert "不参加排名" in text  # other periods are kept apart by default


# ---------------------------------------------------------------- the stage

def _sample_tables():
    return tables(
        [project("p1", dept="湟源县教育局", budget=412.08, executed=340.3, expected=405.39),
         project("p2", dept="湟源县应急管理局", budget=38.9, executed=0.0, expected=28.24),
         project("p3", dept=None, budget=None, executed=None, expected=None)],
        [indicator("p1", name="校舍维修改造面积", target=4200.0, unit="平方米", actual=2803.0, forecast=4200.0),
         indicator("p1", name="工程验收合格率", level2="质量指标", op="=", target=100.0, unit="%", forecast=100.0),
         indicator("p2", name="储备棉被", target=1000.0, unit="床", actual=245.0, forecast=693.0,
                   possibility="有可能", reasons=["经费保障"], remarks="=cmd()"),
         indicator("p2", name="安全事故", level2="质量指标", op="=", target=0.0, unit="起", forecast=0.0),
         indicator("p3", name="群众满意度", level2="满意度指标", target=90.0, unit="%"),
         indicator("p3", name="办学条件", op="qualitative", target=None, unit=None, expected_text="明显改善")])


def test_run_metrics_writes_complete_conforming_tables(tmp_path):
    write_tables(tmp_path, _sample_tables())
    out = run_metrics(tmp_path, None, SETTINGS)
    for name in OUTPUT_TABLES:
        written = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert list(written.columns) == [c.name for c in METRICS_TABLES[name]]
        assert (written["profile_hash"] == PROFILE.content_hash).all()
        conformed = schema.conform(out[name], name)
        assert list(conformed.dtypes.astype(str)) == list(out[name].dtypes.astype(str))
    projects, indicators = out["project_status"], out["indicator_status"]
    assert len(projects) == 3 and len(indicators) == 6
    assert projects[["budget_light", "target_light", "dual_light", "suggestion"]].notna().all().all()
    assert indicators["light"].isin(["red", "yellow", "green", "blue", "unknown"]).all()
    assert (indicators["light_reason"].str.len() > 0).all()
    assert projects.set_index("project_id").loc["p3", "budget_light"] == "unknown"
    meta = json.loads((tmp_path / "metrics_meta.json").read_text(encoding="utf-8"))
    assert meta["profile_hash"] == PROFILE.content_hash and "排名方法" in meta["ranking_method"]


def test_contract_columns_are_present():
    contract = {
        "project_status": ["project_id", "dept_name", "unit_name", "project_name", "budget_total", "executed_total",
                           "execution_rate", "time_progress", "execution_ratio", "expected_rate",
                           "expected_carryover", "budget_light", "target_light", "dual_light", "key_monitoring",
                           "key_reason", "suggestion"],
        "indicator_status": ["project_id", "indicator_id", "direction", "completion", "deviation", "pace_ratio",
                             "light", "light_reason"],
        "department_summary": ["dept_name", "n_projects", "budget_total", "executed_total", "execution_rate",
                               "expected_rate", "n_red", "n_yellow", "n_green", "n_key_projects", "main_reasons",
                               "score", "rank"],
    }
    for table, columns in contract.items():
        names = [c.name for c in METRICS_TABLES[table]]
        assert names[:len(columns)] == columns
        assert all(c.type in schema.DTYPES and c.meaning for c in METRICS_TABLES[table])


def test_every_project_and_indicator_gets_a_status_on_the_public_samples(samples_dir, tmp_path):
    from jixiao.normalise.ingest import ingest

    ingest(samples_dir, tmp_path, SETTINGS)
    out = run_metrics(tmp_path, None, SETTINGS)
    projects = pd.read_parquet(tmp_path / "projects.parquet")
    indicators = pd.read_parquet(tmp_path / "indicators.parquet")
    assert set(out["project_status"]["project_id"]) == set(projects["project_id"])
    assert set(out["indicator_status"]["indicator_id"]) == set(indicators["indicator_id"])
    for frame, column in ((out["project_status"], "budget_light"), (out["project_status"], "dual_light"),
                          (out["indicator_status"], "light")):
        assert frame[column].isin(["red", "yellow", "green", "blue", "unknown"]).all()
    assert out["indicator_status"]["light_reason"].str.len().gt(0).all()
    assert not math.isnan(out["department_summary"]["score"].iloc[0])


@pytest.mark.parametrize("value, text", [(95.9, "95.9"), (96.0, "96.0"), (83.33, "83.33"), (None, "—")])
def test_scores_print_as_stored(value, text):
    from jixiao.domain.formatting import score_text
    assert score_text(value) == text
