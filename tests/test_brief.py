"""Brief content (jixiao.outputs.brief), safe names and the notebook rules; no kernel, no browser."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from jixiao.outputs import brief
from jixiao.outputs.render import assign_file_names, external_references, inside, safe_name

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
INJECTION = '<script>window.__jixiaoInjected = 1;</script>'


@pytest.fixture(scope="module")
def processed(demo_county) -> Path:
    return demo_county


# ---------------------------------------------------------------- notebooks

@pytest.mark.parametrize("name, parameters", [
    ("department_brief.ipynb", {"department", "year", "month", "processed_dir", "rules"}),
    ("overview.ipynb", {"year", "month", "processed_dir", "rules"}),
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

def test_html_table_escapes_every_text_cell():
    frame = pd.DataFrame({"name": [INJECTION], "budget": [1234.5], "rate": [58.333], "light": ["red"]})
    table = brief.html_table(frame, [brief.Column("name", "名称"), brief.Column("budget", "预算", "money"),
                                     brief.Column("rate", "执行率", "pct"), brief.Column("light", "灯", "light")])
    assert "<script>" not in table
    assert "&lt;script&gt;window.__jixiaoInjected = 1;&lt;/script&gt;" in table
    assert "1,234.50" in table and "58.3%" in table and "红灯" in table


def test_missing_numbers_show_a_dash():
    assert brief.money(None) == "—" and brief.pct(float("nan")) == "—" and brief.esc(None) == ""


def test_stable_svg_replaces_the_random_uid():
    svg = '<svg><defs id="defs-a1b2c3"></defs><clipPath id="clipa1b2c3xy"/></svg>'
    once, twice = brief.stable_svg(svg, "seed"), brief.stable_svg(svg.replace("a1b2c3", "ffffff"), "seed")
    assert once == twice and "a1b2c3" not in once


# ---------------------------------------------------------------- the department brief

def _inject(processed: Path, department: str) -> str:
    """Put a script into the reason of one warned indicator of ``department``; returns its indicator_id."""
    data = brief.load_brief_data(processed)
    status = data.tables["indicator_status"]
    warned = status[(status["dept_name"] == department) & status["light"].isin(["red", "yellow"])]
    target = warned["indicator_id"].iloc[0]
    indicators = pd.read_parquet(processed / "indicators.parquet")
    indicators.loc[indicators["indicator_id"] == target, ["reason_text", "remarks"]] = [INJECTION, INJECTION]
    indicators.to_parquet(processed / "indicators.parquet", index=False)
    return target


def test_department_brief_follows_the_outline_and_escapes(processed):
    _inject(processed, "湟源县司法局")
    report = brief.department_brief("湟源县司法局", processed)
    page = report.html()
    for heading in brief.SECTION_HEADINGS + (brief.SUBSECTION_FUNDS, brief.SUBSECTION_TARGETS,
                                             brief.SUBSECTION_CORRECTION, brief.SUBSECTION_IMPROVEMENT):
        assert heading in page
    assert "<script" not in page
    assert "“&lt;script&gt;window.__jixiaoInjected = 1;&lt;/script&gt;”" in page  # quoted, as written
    row = report.data.tables["department_summary"].set_index("dept_name").loc["湟源县司法局"]
    assert brief.money(row["budget_total"]) in page and brief.pct(row["execution_rate"]) in page
    assert report.data.profile.content_hash in page
    subs = report.data.tables["submissions"]
    for sha in subs[subs["source_file"].isin(report.source_files())]["sha256"]:
        assert sha in page
    assert page.count('<img class="chart-img"') == 2


def test_briefs_claim_only_checks_that_ran_and_state_stock_and_period(processed):
    report = brief.department_brief("湟源县林业和草原局", processed)
    page = report.organisation().html + report.execution().html + report.targets().html
    assert "未提供年初批复目标，未比对" in page and "未发现单位自行调整" not in page  # no approved list given
    assert "存量资金" in page and "上年结转资金" in page
    assert "按2023年1-8月填报" in page and "未纳入全县比较和部门排名" in page
    for department in report.data.departments():
        other = brief.DepartmentBrief(report.data, department)
        assert "未发现单位自行调整" not in other._adjustment_text()
    overview = brief.county_overview(processed)
    summary = overview.summary().html
    assert "湟源县林业和草原局按2023年1-8月填报" in summary and "存量资金" in summary
    execution = overview.execution().html
    assert "湟源县林业和草原局" not in execution  # the 1-8月 department is not compared with the others
    assert "约谈" not in overview.result_use().html


def test_unknown_department_names_the_choices(processed):
    with pytest.raises(ValueError, match="湟源县教育局"):
        brief.department_brief("不存在的局", processed)


def test_overview_has_ranking_method_and_key_list(processed):
    overview = brief.county_overview(processed)
    page = overview.html()
    from jixiao.metrics.compute import ranking_method_text

    assert brief.esc(ranking_method_text(overview.data.profile)) in page
    key = overview.data.tables["project_status"]["key_monitoring"].sum()
    assert f"列入财政重点监控的项目 {int(key)} 个" in page
    for category in brief.REASON_CATEGORIES:
        assert category in page
    assert page.count('<img class="chart-img"') == 4


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
