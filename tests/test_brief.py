"""Brief content (jixiao.outputs.brief), safe names and the notebook rules; no kernel, no browser."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from jixiao.config.settings import Settings
from jixiao.outputs import brief
from jixiao.outputs.chromium import stable_svg
from jixiao.outputs.document import external_references
from jixiao.outputs.render import assign_file_names, inside, safe_name

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
INJECTION = '<script>window.__jixiaoInjected = 1;</script>'


@pytest.fixture(scope="module")
def processed(demo_county) -> Path:
    return demo_county


# ---------------------------------------------------------------- notebooks

@pytest.mark.parametrize("name, parameters", [
    ("department_brief.ipynb", {"department", "year", "month", "processed_dir", "rules", "outputs", "templates",
                                "settings"}),
    ("county_report.ipynb", {"year", "month", "processed_dir", "rules", "outputs", "templates", "settings"}),
])
def test_notebook_only_sets_parameters_and_displays(name, parameters):
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in cells[0]["metadata"].get("tags", [])
    assigned = {t.id for node in ast.parse("".join(cells[0]["source"])).body for t in node.targets}
    assert assigned == parameters
    for cell in cells:
        tree = ast.parse("".join(cell["source"]))
        defined = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                                 ast.Lambda))]
        assert not defined, f"{name}: a notebook cell defines code; move it into jixiao"
        assert cell is cells[0] or len(cell["source"]) <= 4, f"{name}: a cell longer than a few lines is a missing library function"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


# ---------------------------------------------------------------- escaping and tables

def test_missing_numbers_show_a_dash():
    assert brief.money(None) == "—" and brief.percent(float("nan")) == "—" and brief.text(None) == ""


def test_stable_svg_replaces_the_random_uid():
    svg = '<svg><defs id="defs-a1b2c3"></defs><clipPath id="clipa1b2c3xy"/></svg>'
    once, twice = stable_svg(svg, "seed"), stable_svg(svg.replace("a1b2c3", "ffffff"), "seed")
    assert once == twice and "a1b2c3" not in once


# ---------------------------------------------------------------- the department brief

def _inject(processed: Path, department: str) -> str:
    """Put a script into the reason of one warned indicator of ``department``; returns its indicator_id.

    Written into the ingest table and the stored metrics table alike (the brief reads the stored metrics).
    """
    data = brief.load_brief_data(processed)
    status = data.tables["indicator_status"]
    warned = status[(status["dept_name"] == department) & status["light"].isin(["red", "yellow"])]
    target = warned["indicator_id"].iloc[0]
    for name in ("indicators", "indicator_status"):
        table = pd.read_parquet(processed / f"{name}.parquet")
        table.loc[table["indicator_id"] == target, ["reason_text", "remarks"]] = [INJECTION, INJECTION]
        table.to_parquet(processed / f"{name}.parquet", index=False)
    return target


def _sections_text(*sections) -> str:
    return _model_text(brief.Document("brief", "", "", "", "", "", list(sections)))


def _model_text(document) -> str:
    """Every text of a document model (body, attachments, stamp), as the renderers receive it."""
    parts = [document.title, document.recipient, document.issuer, document.date] + list(document.provenance)
    blocks = document.blocks + [b for a in document.attachments for b in a.blocks] + [document.provenance_table]
    for block in blocks:
        if block is None:
            continue
        parts += [getattr(block, "lead", ""), getattr(block, "text", ""), getattr(block, "caption", "")]
        parts += list(getattr(block, "items", []) or []) + list(getattr(block, "notes", []) or [])
        parts += [cell for row in getattr(block, "rows", []) or [] for cell in row]
    return "\n".join(str(part) for part in parts)


def test_department_brief_follows_the_outline_and_escapes(demo_county_copy):
    from jixiao.outputs.document import render_html

    processed = demo_county_copy
    _inject(processed, "湟源县司法局")
    report = brief.department_brief("湟源县司法局", processed, settings=Settings())
    document = report.document()
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert [h for h in headings if h in brief.SECTION_HEADINGS] == list(brief.SECTION_HEADINGS)
    for sub in (brief.SUBSECTION_FUNDS, brief.SUBSECTION_TARGETS, brief.SUBSECTION_CORRECTION,
                brief.SUBSECTION_IMPROVEMENT):
        assert sub in headings
    text = _model_text(document)
    assert f"“{INJECTION}”" in text  # the unit's words, quoted as written
    assert document.recipient == "湟源县司法局" and document.issuer == Settings().issuer
    assert document.title == "湟源县财政局关于湟源县司法局2023年1-7月项目支出绩效运行监控情况的反馈意见"
    row = report.data.tables["department_summary"].set_index("dept_name").loc["湟源县司法局"]
    assert brief.money(row["budget_total"]) in text and brief.percent(row["execution_rate"]) in text
    body = "".join(_model_text(brief.Document("brief", "", "", "", "", "", document.sections)))
    for jargon in ("进度比", "累计型", "红 <60%", "哈希", "SHA-256", "jixiao 版本"):
        assert jargon not in body, jargon
    assert body.count("灯色标准") == 1  # the threshold legend, once
    assert report.data.profile.content_hash in " ".join(document.provenance)
    subs = report.data.tables["submissions"]
    stamped = {row[1] for row in document.provenance_table.rows}
    assert set(subs[subs["source_file"].isin(report.source_files())]["sha256"]) == stamped
    assert sum(b.kind == "chart" for b in document.blocks) == 2
    page = render_html(brief.Document("brief", document.title, "", "", "", "", document.sections[4:5]))
    assert "<script>window" not in page and "&lt;script&gt;window.__jixiaoInjected" in page


def test_briefs_claim_only_checks_that_ran_and_state_stock_and_period(processed):
    report = brief.department_brief("湟源县林业和草原局", processed, settings=Settings())
    page = _sections_text(report.organisation(), report.execution(), report.targets())
    assert "未提供年初批复目标，未比对" in page and "未发现单位自行调整" not in page  # no approved list given
    assert "存量资金" in page and "上年结转资金" in page
    assert "按2023年1-8月填报" in page and "未纳入全县比较和部门排名" in page
    for department in report.data.departments():
        other = brief.DepartmentBrief(report.data, department)
        assert "未发现单位自行调整" not in other._adjustment_text()
    overview = brief.county_overview(processed, settings=Settings())
    summary = _sections_text(overview.summary())
    assert "湟源县林业和草原局按2023年1-8月填报" in summary and "存量资金" in summary
    departments = overview.departments()
    [ranking] = [b for b in departments.blocks if b.kind == "table"]
    assert "湟源县林业和草原局" not in {row[1] for row in ranking.rows}  # the 1-8月 department is not compared
    behind = departments.blocks[1].text
    assert "湟源县林业和草原局" not in behind
    assert "约谈" not in _sections_text(overview.result_use())


def test_county_figures_count_only_projects_of_the_monitoring_period(processed):
    overview = brief.county_report(processed, settings=Settings())
    ps = overview.data.tables["project_status"]
    own = ps[ps["in_comparison"].fillna(False).astype(bool)]
    assert len(own) < len(ps)  # the demo county has a department that reported 1-8月
    first = overview.summary().blocks[1].text
    assert f"年初预算合计 {brief.money(own['budget_total'].sum())} 万元" in first
    assert brief.money(ps["budget_total"].sum()) not in first


def test_targets_count_forecast_against_target_not_lights(processed):
    report = brief.department_brief("湟源县教育局", processed, settings=Settings())
    known = report.indicators["forecast_meets_target"].dropna().astype(bool)
    text = _sections_text(report.targets())
    assert f"全年预计可与目标比较的 {len(known)} 个指标中，预计能够达到年度指标值的 {int(known.sum())} 个" in text


def test_unknown_department_names_the_choices(processed):
    with pytest.raises(ValueError, match="湟源县教育局"):
        brief.department_brief("不存在的局", processed)


def test_county_report_has_ranking_method_key_list_and_failed_files(processed):
    report = brief.county_report(processed, settings=Settings())
    document = report.document()
    text = _model_text(document)
    key = report.data.tables["project_status"]["key_monitoring"].sum()
    assert f"列入财政重点监控的项目 {int(key)} 个" in text
    assert "综合得分" in text
    documents = report.data.tables["documents"]
    sent = sorted(set(documents["dept_name"].dropna())) if len(documents) and "dept_name" in documents else []
    assert (f"报送书面监控报告的部门 {len(sent)} 个" if sent else "书面监控报告的报送情况：未提供") in text
    subs = report.data.tables["submissions"]
    for record in subs[subs["status"] == "failed"].itertuples():
        assert f"{record.source_file}：{record.reason}" in text
    assert document.recipient == Settings().report_recipient
    assert sum(b.kind == "chart" for b in document.blocks) == 3
    assert [a.title for a in document.attachments] == ["各部门预算执行和绩效目标完成情况表", "重点监控项目清单"]


def test_written_reports_come_from_the_documents_table(processed):
    data = brief.load_brief_data(processed)
    data.tables["documents"] = pd.DataFrame({"dept_name": ["湟源县教育局"], "source_file": ["教育局/报告.docx"]})
    try:
        assert "书面监控报告已报送" in brief.written_report_text(data, "湟源县教育局")
        assert "书面监控报告未报送" in brief.written_report_text(data, "湟源县水利局")
        text = brief.CountyReport(data, Settings()).organisation().blocks[-1].text
        assert "报送书面监控报告的部门 1 个：湟源县教育局" in text
    finally:
        del data.tables["documents"]


def test_plain_reason_drops_the_legend_and_the_jargon():
    assert brief.plain_reason("执行进度比 43.5%（红 <60%，绿 ≥80%）") == "执行率为序时进度的 43.5%"
    assert "累计型" not in brief.plain_reason("全年预计 12（目标 ≥12个）：完成率 100.0%；累计型：1-7月完成 8，序时应完成 7，进度比 114.3%")


# ---------------------------------------------------------------- safe output names

@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", "..", ".", "a\\b", "C:evil", "/abs/path", "x\x00y",
                                  "  ", "部门<script>", "." * 300])
def test_safe_name_stays_one_plain_file_name(name, tmp_path):
    stem = safe_name(name)
    assert stem and "/" not in stem and "\\" not in stem and not stem.startswith(".") and len(stem) <= 80
    assert inside(tmp_path, tmp_path / "briefs" / f"{stem}.html").parent == (tmp_path / "briefs").resolve()


def test_safe_name_keeps_chinese_names():
    assert safe_name("湟源县教育局") == "湟源县教育局"
    assert safe_name("西宁市生态环境局（湟源分局）") == "西宁市生态环境局（湟源分局）"


def test_distinct_departments_get_distinct_files():
    assert len(set(assign_file_names(["a/b", "a_b", "a:b", brief.OVERVIEW_NAME, brief.OVERVIEW_NAME]))) == 5


def test_inside_refuses_escaping_paths(tmp_path):
    with pytest.raises(ValueError):
        inside(tmp_path / "reports", tmp_path / "reports" / ".." / "x.html")


def test_external_references_are_found():
    page = ('<script src="https://cdn.example/require.js"></script><link href="//fonts.example/a.css">'
            '<style>@import url("http://x.example/b.css")</style><img src="data:image/svg+xml;base64,AA">')
    assert len(external_references(page)) == 3


def test_judgement_columns_are_rendered_when_the_metrics_carry_them(processed):
    data = brief.load_brief_data(processed)
    status = data.tables["project_status"]
    saved = status.copy()
    own = status["dept_name"] == "湟源县教育局"
    first = status.index[own][0]
    status["carryover_budget"] = 0.0
    status["carryover_executed"] = 0.0
    status["stock_flag"] = False
    status["stock_reason"] = ""
    status["suggestions"] = [[] for _ in range(len(status))]
    status["stock_idle"] = 0.0
    status.loc[first, ["carryover_budget", "carryover_executed", "stock_idle", "stock_flag"]] = [119.13, 20.35, 98.78, True]
    status.loc[first, "stock_reason"] = "存量资金 119.13 万元，已支出 20.35 万元"
    status.at[first, "suggestions"] = ["建议调减预算：建议按程序调减 98.78 万元", "督促加快执行"]
    try:
        document = brief.DepartmentBrief(data, "湟源县教育局", Settings()).document()
        text = _model_text(document)
        assert "上年结转（存量）资金 119.13 万元" in text and "执行率 17.1%" in text
        assert f"存量资金数额偏大且支出较慢的项目 1 个：{status.loc[first, 'project_name']}（未支出 98.78 万元）" in text
        assert f"{status.loc[first, 'project_name']}：建议调减预算：建议按程序调减 98.78 万元；督促加快执行" in text
        assert "上年结转（存量）资金 119.13 万元" in _model_text(brief.CountyReport(data, Settings()).document())
    finally:
        data.tables["project_status"] = saved


# ---------------------------------------------------------------- 整改 follow-up and result use

def _followup_round(processed: Path) -> None:
    """A second round's 整改 items: three carried from 2023年1-7月 (one per status) and one new, all 教育局."""
    from jixiao.store.tables import write_table

    rows = [("已整改", "农村学校营养餐", "预算执行红灯：执行率为序时进度的 40.0%"),
            ("整改中", "校舍维修改造", "目标完成红灯：全年预计偏离目标 45.0%"),
            ("未整改", "教师培训", "列入财政重点监控：执行进度比 30.0%"),
            ("待整改", "学前教育补助", "预算执行红灯：执行率为序时进度的 20.0%")]
    frame = pd.DataFrame([{"item_id": f"i{n}", "kind": "budget_red", "code": "BUDGET_RED", "dept_name": "湟源县教育局",
                           "project_name": project, "what": what, "status": status,
                           "since_round": "2023年1-10月" if status == "待整改" else "2023年1-7月"}
                          for n, (status, project, what) in enumerate(rows)])
    write_table(processed, "rectification", frame)


def test_followup_is_reported_from_the_second_round_on(demo_county_copy):
    first = brief.department_brief("湟源县教育局", demo_county_copy, settings=Settings())
    assert brief.SUBSECTION_FOLLOWUP not in _sections_text(first.measures())  # a first round has nothing to follow up
    assert brief.SUBSECTION_FOLLOWUP not in _sections_text(brief.county_report(demo_county_copy).result_use())
    _followup_round(demo_county_copy)
    measures = _sections_text(brief.department_brief("湟源县教育局", demo_county_copy, settings=Settings()).measures())
    assert brief.SUBSECTION_FOLLOWUP in measures
    assert "上轮提出的整改事项 3 项：已整改 1 项，整改中 1 项，未整改 1 项（整改率 33%）" in measures
    assert "校舍维修改造：目标完成红灯：全年预计偏离目标 45.0%（整改中，2023年1-7月提出）" in measures
    assert "教师培训：列入财政重点监控：执行率为序时进度的 30.0%（未整改" in measures  # no jargon
    assert "农村学校营养餐：" not in measures and "学前教育补助" not in measures  # done, and this round's own
    other = _sections_text(brief.department_brief("湟源县水利局", demo_county_copy, settings=Settings()).measures())
    assert brief.SUBSECTION_FOLLOWUP not in other
    county = brief.county_report(demo_county_copy, settings=Settings()).result_use()
    headings = [b.text for b in county.blocks if b.kind == "heading"]
    assert headings[3:6] == ["（三）上轮问题整改情况", "（四）督促纠偏整改", "（五）2024年度预算安排"]


def test_result_use_follows_the_notice(processed):
    report = brief.county_report(processed, settings=Settings())
    ps = report.data.tables["project_status"]
    section = report.result_use()
    funds, adjustment = section.blocks[2].text, section.blocks[4].text
    reduce = ps[ps["suggestion"] == "建议调减预算"]
    assert len(reduce) and f"结果差的 {len(reduce)} 个项目" in adjustment
    assert all(name in adjustment for name in reduce["project_name"])
    idle = reduce["stock_idle"].where(reduce["stock_flag"].astype(bool)).sum()
    assert f"预计结转结余 {brief.money(reduce['expected_carryover'].sum())} 万元、未支出存量资金 {brief.money(idle)} 万元" \
        in adjustment
    suspend = ps[ps["suggestions"].map(lambda acts: any(str(a).startswith("暂缓拨款") for a in acts))]
    assert f"均严重滞后的 {len(suspend)} 个项目" in funds
    paid_out = ps[ps["suggestion"] == "督促加快兑付"]
    assert set(paid_out["project_id"]).isdisjoint(suspend["project_id"])  # subsidies and salaries are never held back
    assert f"发放资金且支出进度偏低的 {len(paid_out)} 个项目" in funds and "不暂缓拨付" in funds
    text = _sections_text(section)
    assert "约谈" not in text and "建议按程序" in text


def test_key_monitoring_list_is_ranked_and_its_cap_stated(processed):
    report = brief.county_report(processed, settings=Settings())
    ps = report.data.tables["project_status"]
    key = ps[ps["key_monitoring"].astype(bool)].sort_values("key_rank")
    candidates = int(ps["key_rank"].notna().sum())
    text = report.key_monitoring().blocks[1].text
    assert f"符合重点监控条件的项目 {candidates} 个" in text
    assert f"至多 {report.data.profile.key_monitoring.max_projects} 个列入财政重点监控" in text
    [table] = report.attachments()[1].blocks
    assert [row[1] for row in table.rows] == list(key["project_name"])


def test_plain_reason_keeps_the_key_monitoring_place_not_its_arithmetic():
    reason = "风险资金 173.13 万元 × 严重程度 6 = 风险得分 1038.78，在 10 个候选项目中排第 1"
    assert brief.plain_reason(reason) == "风险资金 173.13 万元，按风险资金和问题严重程度在 10 个候选项目中排第 1"
    assert brief.to_department("绩效目标存在偏差，建议督促单位针对偏差指标及时纠正调整") == "绩效目标存在偏差，请针对偏差指标及时纠正调整"


def test_no_empty_paragraph_where_a_note_does_not_apply(processed):
    organisation = brief.department_brief("湟源县教育局", processed, settings=Settings()).organisation()
    assert all(b.text for b in organisation.blocks if b.kind == "paragraph")
    assert "填报，与通知规定的监控时点" not in _sections_text(organisation)  # 教育局 reported the notice's period
