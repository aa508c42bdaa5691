"""Judgements a finance bureau can defend: hand-computed cases for every rule of docs/metrics.md §3-§8."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from test_metrics import PROFILE, SETTINGS, P, indicator, judge, project, tables

from jixiao.config.profile import profile_from_text
from jixiao.config.settings import Settings
from jixiao.metrics import wording
from jixiao.metrics.compute import compute_metrics, judge_indicator, period_end_date
from jixiao.metrics.deadline import parse_deadline
from jixiao.store import schema

JULY = dt.date(2023, 7, 31)


def with_funds(data: dict, rows: list[dict]) -> dict:
    return {**data, "funds": schema.conform(pd.DataFrame(rows), "funds")}


def carryover(pid: str, budget: float, executed: float) -> dict:
    return {"project_id": pid, "source": "carryover", "budget": budget, "executed": executed}


# ---------------------------------------------------------------- period

def test_other_period_is_judged_on_its_own_and_kept_out_of_county_comparisons():
    data = tables(
        [project("p1", dept="甲局", budget=100.0, executed=50.0),
         project("p8", dept="林草局", budget=300.0, executed=100.0, month=8)],
        [indicator("p1", target=100.0, actual=60.0, forecast=100.0),
         indicator("p8", target=100.0, actual=60.0, forecast=100.0)])
    out = compute_metrics(data, PROFILE, SETTINGS)
    ps = out["project_status"].set_index("project_id")
    assert ps.loc["p8", "time_progress"] == pytest.approx(8 / 12 * 100)  # its own 序时进度 66.7 %
    assert ps.loc["p8", "period_label"] == "2023年1-8月"
    assert not ps.loc["p8", "period_matches"] and not ps.loc["p8", "in_comparison"]
    assert ps.loc["p1", "period_matches"] and ps.loc["p1", "in_comparison"]
    ind = out["indicator_status"].set_index("project_id")
    assert not ind.loc["p8", "in_comparison"] and "1-8月" in ind.loc["p8", "light_reason"]
    depts = out["department_summary"].set_index("dept_name")
    assert pd.isna(depts.loc["林草局", "rank"]) and "不参加排名" in depts.loc["林草局", "rank_note"]
    assert depts.loc["甲局", "rank"] == 1
    county = out["county_summary"].iloc[0]
    assert county["n_projects"] == 1 and county["budget_total"] == 100.0 and county["execution_rate"] == 50.0
    assert county["n_excluded_projects"] == 1 and county["excluded_departments"] == "林草局"
    assert "林草局按2023年1-8月填报的 1 个项目单独计算" in county["scope_note"]
    allowed = profile_from_text("[period]\ncompare_other_periods = true\n")
    both = compute_metrics(data, allowed, SETTINGS)
    assert both["department_summary"]["rank"].notna().all() and both["county_summary"].iloc[0]["n_projects"] == 2


# ---------------------------------------------------------------- deadline targets

def deadline_row(target_text: str, actual: str, name: str = "工程完工时间", expected: str = "") -> dict:
    return indicator(name=name, level2="时效指标", op="qualitative", target=None, unit="", target_text=target_text,
                     actual_text=actual, expected_text=expected)


@pytest.mark.parametrize("target, actual, light", [
    ("2023年6月底前", "已完成", "green"),          # due 6-30, done
    ("2023年5月底前", "阶段性完成", "yellow"),     # passed, partly done: yellow at best
    ("2023年5月底前", "正在推进", "red"),          # passed, still in progress
    ("2023年5月底前", "尚未启动", "red"),          # passed, not started
    ("2023年9月底前", "尚未启动", "yellow"),       # due in 61 days (< 92), not started
    ("2023年12月底前", "尚未启动", "green"),       # due in 153 days
    ("2023年10月底前", "正在推进", "green"),       # not due, in progress
    ("2023年10月底前", "", "unknown"),             # state not reported
])
def test_deadline_is_judged_against_the_monitoring_date_and_state(target, actual, light):
    result = judge_indicator(deadline_row(target, actual), P, PROFILE, "1-7月", monitoring_date=JULY)
    assert result.direction == "deadline" and result.light == light
    assert result.deadline is not None and result.deadline.isoformat() in "；".join(result.reasons)


def test_deadline_from_the_name_holidays_quarters_and_year_end():
    rules = PROFILE.indicator.deadline
    assert parse_deadline("清明节前完成修缮", 2023, rules) == dt.date(2023, 4, 5)
    assert parse_deadline("汛期前完成主体工程", 2023, rules) == dt.date(2023, 6, 1)
    assert parse_deadline("第三季度末前", 2023, rules) == dt.date(2023, 9, 30)
    assert parse_deadline("年底前", 2023, rules) == dt.date(2023, 12, 31)
    assert parse_deadline("２０２３年１０月底前", 2023, rules) == dt.date(2023, 10, 31)
    assert parse_deadline("按季拨付", 2023, rules) is None and parse_deadline("≥95%", 2023, rules) is None
    by_name = judge_indicator(deadline_row("按时完成", "达到预期", name="清明节前完成修缮"), P, PROFILE, "1-7月",
                              monitoring_date=JULY)
    assert by_name.deadline == dt.date(2023, 4, 5) and by_name.light == "green"


def test_deadline_uses_the_projects_own_period_and_lands_in_the_table():
    data = tables([project("p8", month=8), project("p7")],
                  [{**deadline_row("2023年8月底前", "正在推进"), "project_id": "p8", "indicator_id": "a"},
                   {**deadline_row("2023年8月底前", "正在推进"), "project_id": "p7", "indicator_id": "b"}])
    ind = compute_metrics(data, PROFILE, SETTINGS)["indicator_status"].set_index("project_id")
    assert ind.loc["p8", "light"] == "red" and ind.loc["p7", "light"] == "green"  # 8-31 passed only for 1-8月
    assert ind.loc["p7", "target_deadline"] == "2023-08-31" and ind.loc["p7", "reported_state"] == "推进中"
    assert period_end_date(2023, 8) == dt.date(2023, 8, 31)


# ---------------------------------------------------------------- direction-aware tolerances

def test_reverse_indicator_has_a_yellow_band_and_says_percentage_points():
    slightly = judge(name="受理审批时限", level2="时效指标", op="<=", target=7.0, unit="个工作日", forecast=7.6)
    assert slightly.deviation == pytest.approx(0.6 / 7 * 100) and slightly.light == "yellow"  # 8.6 % ≤ 10 %
    clearly = judge(name="受理审批时限", level2="时效指标", op="<=", target=7.0, unit="个工作日", forecast=8.0)
    assert clearly.light == "red"  # 14.3 %
    rate = judge(name="预算执行偏差率", level2="成本指标", op="<=", target=5.0, unit="%", forecast=6.2)
    reason = "；".join(rate.reasons)
    assert "1.2 个百分点" in reason and "超出目标值的 24.0%" in reason and "超出目标 5，" not in reason


def test_bottom_line_indicators_tolerate_no_shortfall():
    compliance = judge(name="资金使用合规率", level2="质量指标", op="=", target=100.0, unit="%", forecast=98.0)
    assert compliance.is_bottom_line and compliance.light == "red"  # 2 % short: red, not yellow
    ordinary = judge(name="路面优良率", level2="质量指标", op="=", target=100.0, unit="%", forecast=98.0)
    assert not ordinary.is_bottom_line and ordinary.light == "green"
    violations = judge(name="违规问题发生率", level2="质量指标", op="<=", target=1.0, unit="%", forecast=1.05)
    assert violations.light == "red"  # 5 % over: inside the yellow band, but bottom line
    by_level = profile_from_text('[indicator.bottom_line]\nlevel2 = ["质量指标"]\n')
    assert judge(by_level, name="路面优良率", level2="质量指标", op="=", target=100.0, unit="%",
                 forecast=98.0).light == "red"


def test_blue_from_120_percent_and_one_off_builds_are_not_paced():
    renewed = judge(name="更新村级健身器材", target=30.0, unit="套", actual=1.0, forecast=37.0)
    assert not renewed.is_cumulative and renewed.pace_ratio is None
    assert renewed.light == "blue"  # 37 / 30 = 123 % > 120 %
    built = judge(name="建设智慧教室", target=20.0, unit="间", actual=0.0, forecast=20.0)
    assert not built.is_cumulative and built.light == "green"
    for word in ("建设", "更新", "治理", "修缮", "改造", "购置"):
        assert word in PROFILE.indicator.cumulative.one_off_name_keywords


def test_plausibility_comes_before_blue():
    literacy = judge(name="居民健康素养水平", level2="社会效益指标", target=25.0, unit="%", actual=54.5, forecast=69.7)
    assert literacy.light == "unknown" and "疑似" in "；".join(literacy.reasons)  # 279 % > 200 %
    contradiction = judge(name="农村生活污水治理率", level2="生态效益指标", target=30.0, unit="%", actual=79.8,
                          forecast=51.3)
    assert contradiction.light == "unknown" and "高于全年预计" in "；".join(contradiction.reasons)
    fine = judge(name="农村生活污水治理率", level2="生态效益指标", target=30.0, unit="%", actual=40.0, forecast=40.0)
    assert fine.light == "blue"  # 133 %, consistent


# ---------------------------------------------------------------- 重点监控, 存量, suggestions

def _key_case() -> dict:
    """Five candidates: budget red (executed 10 of 100-500) with a red indicator; one more with budget green."""
    projects, indicators = [], []
    for pid, budget, expected in (("k1", 500.0, 100.0), ("k2", 300.0, 290.0), ("k3", 200.0, 50.0),
                                  ("k4", 100.0, 60.0), ("k5", 60.0, 60.0)):
        projects.append(project(pid, budget=budget, executed=budget * 0.1, expected=expected))
        indicators.append(indicator(pid, target=100.0, actual=10.0, forecast=50.0))  # 50 % short: red
    return tables(projects, indicators)


def test_key_list_is_capped_and_ranked_by_money_at_risk_times_severity():
    capped = profile_from_text("[key_monitoring]\nmax_projects = 3\n")
    ps = compute_metrics(_key_case(), capped, SETTINGS)["project_status"].set_index("project_id")
    # budget red (3) + target red (3) = severity 6; risk = expected 结余: k1 400, k3 150, k4 40, k2 10, k5 0
    assert ps["severity"].eq(6).all()
    assert ps.loc["k1", "key_score"] == pytest.approx(2400.0)
    assert list(ps.sort_values("key_rank").index) == ["k1", "k3", "k4", "k2", "k5"]
    assert set(ps.index[ps["key_monitoring"]]) == {"k1", "k3", "k4"}
    assert ps.loc["k1", "monitoring_level"] == "重点监控" and ps.loc["k2", "monitoring_level"] == "一般监控"
    assert "风险资金 400 万元 × 严重程度 6" in ps.loc["k1", "key_reason"]
    assert "超出 3 个的上限，列入一般监控" in ps.loc["k2", "key_reason"]
    assert PROFILE.key_monitoring.max_projects == 15


def test_stock_analysis_and_its_part_in_the_budget_adjustment():
    data = with_funds(tables(
        [project("s1", dept="林草局", name="天然林保护修复", budget=400.0, executed=40.0, expected=390.0),
         project("s2", dept="林草局", name="林业有害生物防治", budget=400.0, executed=40.0, expected=390.0)],
        [indicator("s1", target=100.0, actual=10.0, forecast=50.0),      # red: poor results
         indicator("s2", target=100.0, actual=60.0, forecast=100.0)]),    # green
        [carryover("s1", 119.13, 20.35), carryover("s2", 119.13, 20.35)])
    out = compute_metrics(data, PROFILE, SETTINGS)
    ps = out["project_status"].set_index("project_id")
    s1 = ps.loc["s1"]
    assert s1["carryover_rate"] == pytest.approx(20.35 / 119.13 * 100)            # 17.1 %
    assert s1["stock_idle"] == pytest.approx(98.78) and s1["stock_flag"]          # ≥ 20 万元, 29 % of pace < 60 %
    assert s1["money_at_risk"] == pytest.approx(98.78)                            # > expected 结余 10
    assert s1["suggestion"] == "建议调减预算"
    assert "收回存量资金 98.78 万元" in s1["suggestions"][0] and "建议按程序" in s1["suggestions"][0]
    # low execution and large 存量 but good results: the notice's three conditions are not all met
    assert ps.loc["s2", "stock_flag"] and ps.loc["s2", "suggestion"] != "建议调减预算"
    dept = out["department_summary"].iloc[0]
    assert dept["carryover_budget"] == pytest.approx(238.26) and dept["n_stock_flagged"] == 2
    assert "存量资金" in wording.stock_sentence(out["project_status"], "1-7月")
    assert "天然林保护修复（未支出 98.78 万元）" in wording.stock_sentence(out["project_status"], "1-7月")


def test_every_applicable_suggestion_is_kept_with_amounts_and_kinds_decide():
    # 500 万元, 50 spent (ratio 17 %), forecast 146 -> 354 万元 expected unspent; an indicator red
    build = tables([project("b1", name="县人民医院医疗设备购置", budget=500.0, executed=50.0, expected=146.0)],
                   [indicator("b1", target=100.0, actual=10.0, forecast=50.0)])
    row = compute_metrics(build, PROFILE, SETTINGS)["project_status"].iloc[0]
    acts = list(row["suggestions"])
    assert row["suggestion"] == "建议调减预算" and "调减预算 354.00 万元" in acts[0]
    assert any(act.startswith("暂缓拨款并整改") for act in acts) and any(act.startswith("督促纠偏整改") for act in acts)
    assert all("建议" in act for act in acts) and not any("约谈" in act for act in acts)
    subsidy = tables([project("f1", name="耕地地力保护补贴", budget=780.0, executed=100.0, expected=780.0)],
                     [indicator("f1", target=100.0, actual=10.0, forecast=50.0)])
    row = compute_metrics(subsidy, PROFILE, SETTINGS)["project_status"].iloc[0]
    assert row["project_kind"] == "直接补贴到人" and row["suggestion"] == "督促加快兑付"
    assert not any(act.startswith("暂缓") for act in row["suggestions"])


# ---------------------------------------------------------------- ranking

def test_target_score_is_budget_weighted():
    data = tables([project("big", dept="甲局", budget=705.0, executed=400.0, expected=700.0),
                   project("small", dept="甲局", budget=10.0, executed=6.0, expected=10.0)],
                  [indicator("big", target=100.0, actual=0.0, forecast=0.0)]
                  + [indicator("small", name=f"满意度{i}", level2="服务对象满意度指标", op=">=", target=90.0, unit="%",
                               forecast=95.0) for i in range(5)])
    dept = compute_metrics(data, PROFILE, SETTINGS)["department_summary"].iloc[0]
    assert dept["target_score"] == round((0 * 705 + 100 * 10) / 715, 1) == 1.4      # not the mean 83.3
    plain = profile_from_text('[ranking]\ntarget_weighting = "indicators"\n')
    assert compute_metrics(data, plain, SETTINGS)["department_summary"].iloc[0]["target_score"] == \
        round(500 / 6, 1)


@pytest.mark.parametrize("ratio, points", [(0.0, 0.0), (50.0, 45.0), (100.0, 90.0), (125.0, 95.0), (200.0, 100.0)])
def test_execution_score_curve(ratio, points):
    from jixiao.metrics.compute import execution_score

    assert execution_score(ratio, PROFILE) == pytest.approx(points)
    assert execution_score(ratio, profile_from_text('[ranking]\nexecution_basis = "uncapped"\n')) == ratio


def test_quality_score_counts_the_monitoring_work():
    data = tables([project("q1", dept="甲局"), project("q2", dept="乙局")],
                  [indicator("q1", target=100.0, actual=20.0, forecast=60.0, reason_text="资金未到位"),
                   indicator("q2", target=100.0, actual=20.0, forecast=60.0)])
    data["projects"]["source_file"] = ["甲局/甲局监控表.xlsx", "乙局/乙局监控表.xlsx"]
    data["submissions"] = schema.conform(pd.DataFrame([
        {"source_file": "甲局/甲局监控表.xlsx", "status": "ok", "modified": "2023-08-30T17:30:00+00:00"},  # 8-31 01:30 北京
        {"source_file": "甲局/甲局监控表（损坏）.xlsx", "status": "failed", "modified": "2023-08-20T10:00:00+08:00"},
        {"source_file": "乙局/乙局监控表.xlsx", "status": "ok", "modified": "2023-08-30T16:00:00+08:00"},
    ]), "submissions")
    data["findings"] = schema.conform(pd.DataFrame([
        {"source_file": "甲局/甲局监控表.xlsx", "code": "COPIED_REASON_TEXT", "severity": "warning", "project_id": "q1"},
        {"source_file": "甲局/甲局监控表.xlsx", "code": "FUNDS_SUM_MISMATCH", "severity": "error", "project_id": "q1"},
    ]), "findings")
    depts = compute_metrics(data, PROFILE, SETTINGS)["department_summary"].set_index("dept_name")
    # 甲: late 10 + unreadable 10 + copied 5 + one error 2 = 27 off; 乙: on time, its red indicator has no 原因说明: 20 off
    assert depts.loc["甲局", "quality_score"] == pytest.approx(73.0)
    assert "1 份文件晚于报送截止日 2023-08-30" in depts.loc["甲局", "quality_reason"]
    assert "1 份文件无法读取" in depts.loc["甲局", "quality_reason"]
    assert depts.loc["乙局", "quality_score"] == pytest.approx(80.0)
    late = Settings(submission_deadline="09-05")
    assert compute_metrics(data, PROFILE, late)["department_summary"].set_index("dept_name").loc[
        "甲局", "quality_score"] == pytest.approx(83.0)



def test_target_score_by_completion_caps_each_indicator_and_weights_projects_by_budget():
    data = tables([project("c1", dept="甲局", budget=300.0, executed=200.0, expected=300.0),
                   project("c2", dept="甲局", budget=100.0, executed=60.0, expected=100.0),
                   project("c3", dept="甲局", budget=0.0, executed=0.0, expected=0.0)],  # no budget: no weight
                  [indicator("c1", name="培训人次", target=100.0, actual=80.0, forecast=150.0),
                   indicator("c1", name="覆盖人数", target=100.0, actual=30.0, forecast=50.0),
                   indicator("c2", name="覆盖人数", target=200.0, actual=60.0, forecast=100.0),
                   indicator("c3", name="覆盖人数", target=100.0, actual=0.0, forecast=0.0)])
    by_completion = profile_from_text('[ranking]\ntarget_basis = "completion"\n')
    out = compute_metrics(data, by_completion, SETTINGS)
    completion = out["indicator_status"].set_index(["project_id", "name"])["completion"].clip(upper=100)
    c1 = (completion["c1", "培训人次"] + completion["c1", "覆盖人数"]) / 2
    assert completion["c1", "培训人次"] == 100  # over-fulfilment is capped
    expected = (c1 * 300 + completion["c2", "覆盖人数"] * 100) / 400
    assert out["department_summary"].iloc[0]["target_score"] == round(expected, 1)  # stored with one decimal


def test_a_finding_counts_for_its_project_and_for_the_department_that_sent_the_file():
    data = tables([project("a1", dept="甲局"), project("b1", dept="乙局"), project("c1", dept="丙局")],
                  [indicator(pid, target=100.0, actual=60.0, forecast=100.0) for pid in ("a1", "b1", "c1")])
    # 甲局 sent one file carrying its own project and 乙局's (乙局 sent nothing itself)
    data["projects"]["source_file"] = ["甲局/监控表.xlsx", "甲局/监控表.xlsx", "丙局/监控表.xlsx"]
    data["submissions"] = schema.conform(pd.DataFrame([
        {"source_file": "甲局/监控表.xlsx", "status": "ok", "modified": "2023-08-20T10:00:00+08:00"},
        {"source_file": "丙局/监控表.xlsx", "status": "ok", "modified": "2023-08-20T10:00:00+08:00"},
    ]), "submissions")
    data["findings"] = schema.conform(pd.DataFrame([
        {"source_file": "甲局/监控表.xlsx", "code": "FUNDS_SUM_MISMATCH", "severity": "error", "project_id": "b1"},
        {"source_file": "甲局/监控表.xlsx", "code": "COPIED_REASON_TEXT", "severity": "warning", "project_id": "a1"},
    ]), "findings")
    depts = compute_metrics(data, PROFILE, SETTINGS)["department_summary"].set_index("dept_name")
    # 甲局: the error in its file (2) and its copied text (5); 乙局: the error on its project (2); 丙局: nothing
    assert depts.loc["甲局", "quality_score"] == pytest.approx(93.0)
    assert "必须改正的填报问题 1 条" in depts.loc["甲局", "quality_reason"]
    assert depts.loc["乙局", "quality_score"] == pytest.approx(98.0)
    assert depts.loc["丙局", "quality_score"] == 100.0 and depts.loc["丙局", "quality_reason"] == "未发现扣分事项"

# ---------------------------------------------------------------- sentences only from facts

def test_counts_are_sorted_and_ties_are_named():
    counts = {"制度保障": 3, "经费保障": 5, "其他": 3, "人员保障": 0}
    order = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
    assert wording.sorted_counts(counts, order=order) == "经费保障（5 次）、制度保障（3 次）、其他（3 次）"
    assert wording.sorted_counts(counts, top=2, unit="", order=order) == "经费保障（5）、制度保障（3）、其他（3）"
    assert wording.top_items_text({"经费保障": 4, "制度保障": 4, "其他": 1}, order=order) == \
        "最多的是经费保障、制度保障（并列，各 4 次）"
    assert wording.top_items_text({"其他": 2}) == "最多的是其他（2 次）" and wording.top_items_text({}) == ""


def test_rigidity_claim_only_when_the_comparison_ran():
    none = pd.DataFrame(columns=["code"])
    assert "未提供年初批复目标，未比对" in wording.rigidity_sentence(False, none, ["TARGET_CHANGED"])
    assert "未发现单位自行调整" not in wording.rigidity_sentence(False, none, ["TARGET_CHANGED"])
    assert "已与年初批复的绩效目标比对，未发现" in wording.rigidity_sentence(True, none, ["TARGET_CHANGED"])
    changed = pd.DataFrame({"code": ["TARGET_CHANGED", "COPIED_REASON_TEXT"]})
    assert "发现 1 处" in wording.rigidity_sentence(True, changed, ["TARGET_CHANGED"])


def test_no_claim_about_missing_reasons_without_deviating_indicators():
    assert "均未填写" not in wording.reasons_filled_sentence(0, 0)
    assert "没有偏离目标的指标" in wording.reasons_filled_sentence(0, 0)
    assert "3 个偏差指标均未填写原因说明" in wording.reasons_filled_sentence(3, 0)


def test_expected_achievement_counts_forecast_against_target_not_lights():
    # cumulative count on track for the year (F = T) but behind pace (yellow light): still expected to be met
    paced = judge(target=100.0, actual=40.0, forecast=100.0)  # pace 68.6 % -> yellow
    assert paced.light == "yellow" and paced.meets_target is True
    short = judge(name="验收合格率", level2="质量指标", target=95.0, unit="%", forecast=90.0)
    assert short.meets_target is False
    frame = pd.DataFrame({"forecast_meets_target": [True, True, False, None]})
    assert wording.forecast_on_track(frame) == (2, 3)


def test_file_times_that_cannot_be_receipt_times_are_not_counted_late():
    from jixiao.metrics.quality import file_times_usable

    copied = pd.DataFrame({"modified": ["2026-12-05T14:24:29+00:00", "2026-12-05T14:24:30+00:00"]})
    received = pd.DataFrame({"modified": ["2023-08-29T10:00:00+08:00", "2023-09-04T09:30:00+08:00"]})
    assert not file_times_usable(copied, dt.date(2023, 8, 30)) and file_times_usable(received, dt.date(2023, 8, 30))
    data = tables([project("q1", dept="甲局")], [indicator("q1", target=100.0, actual=60.0, forecast=100.0)])
    data["projects"]["source_file"] = ["甲局/a.xlsx"]
    data["submissions"] = schema.conform(pd.DataFrame({"source_file": ["甲局/a.xlsx", "乙局/b.xlsx"],
                                                       "status": ["ok", "ok"], "modified": copied["modified"]}),
                                         "submissions")
    dept = compute_metrics(data, PROFILE, SETTINGS)["department_summary"].iloc[0]
    assert dept["quality_score"] == 100.0 and "未据此计逾期" in dept["quality_reason"]


def test_project_kind_words_the_speed_up_advice():
    works = tables([project("w1", name="农村供水保障工程", budget=100.0, executed=20.0, expected=95.0)],
                   [indicator("w1", target=100.0, actual=60.0, forecast=100.0)])
    row = compute_metrics(works, PROFILE, SETTINGS)["project_status"].iloc[0]
    assert row["project_kind"] == "建设工程类" and row["suggestion"] == "督促加快执行"
    assert "按工程进度节点" in row["suggestions"][0]
    campaign = tables([project("c1", name="根治欠薪专项整治", budget=100.0, executed=20.0, expected=95.0)],
                      [indicator("c1", target=100.0, actual=60.0, forecast=100.0)])
    assert compute_metrics(campaign, PROFILE, SETTINGS)["project_status"].iloc[0]["project_kind"] == ""


def test_money_at_risk_takes_the_larger_or_the_sum_as_configured():
    from jixiao.metrics.compute import money_at_risk

    assert money_at_risk(354.05, 98.78) == pytest.approx(354.05) and money_at_risk(-5.0, None) == 0.0
    assert money_at_risk(354.05, 98.78, "sum") == pytest.approx(452.83)
    data = with_funds(tables([project("r1", budget=400.0, executed=40.0, expected=300.0)],
                             [indicator("r1", target=100.0, actual=10.0, forecast=50.0)]),
                      [carryover("r1", 119.13, 20.35)])
    summed = profile_from_text('[key_monitoring]\nrisk_money = "sum"\n')
    assert compute_metrics(data, summed, SETTINGS)["project_status"].iloc[0]["money_at_risk"] == \
        pytest.approx(100.0 + 98.78)


def test_monitoring_point_and_submission_deadline_are_settings():
    from jixiao.config.settings import settings_from_mapping

    settings = settings_from_mapping({"monitoring": {"year": 2024, "period_end_month": 6,
                                                     "submission_deadline": "07-25"}})
    assert settings.monitoring_date == dt.date(2024, 6, 30) and settings.deadline_date == dt.date(2024, 7, 25)
    assert Settings().monitoring_date == dt.date(2023, 7, 31) and Settings().deadline_date == dt.date(2023, 8, 30)
    with pytest.raises(ValueError, match="submission_deadline"):
        settings_from_mapping({"monitoring": {"submission_deadline": "8月30日"}})
