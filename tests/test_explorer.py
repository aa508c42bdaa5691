"""The explorer driven headlessly: set widget values, assert on summary, table, chart, detail and export.

Widgets work without a kernel (setting ``.value`` fires the observers at once), so these tests
use the explorer as an analyst would. No timing here: speed is benchmarks/bench_explorer.py.
"""
from __future__ import annotations

import ast
import functools
import html
import re
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_metrics import indicator, project, tables

from jixiao.config.profile import load_profile
from jixiao.config.settings import Settings
from jixiao.metrics.compute import compute_metrics
from jixiao.outputs import explorer as explorer_module
from jixiao.outputs import light_chart
from jixiao.outputs.explorer import ALL, NO_PROJECT, Explorer, factorize, normalise_text
from jixiao.store.tables import TableError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
NOTEBOOK_TIMEOUT = 120  # seconds per cell; a cold kernel imports plotly and pandas
INJECTION = "=cmd()"
SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"


def _level(row: dict, level1: str, level2: str) -> dict:
    return {**row, "level1": level1, "level2": level2}


def _metrics_tables() -> dict[str, pd.DataFrame]:
    return dict(_computed_tables())  # a fresh dict: a test may swap a table; the frames are never mutated


@functools.lru_cache(maxsize=1)
def _computed_tables() -> dict[str, pd.DataFrame]:
    """Three projects in two departments; lights green/red/yellow, one qualitative (no deviation)."""
    data = tables(
        [project("p1", dept="湟源县教育局", unit="湟源县城关第二幼儿园", name="校舍维修", budget=412.08, executed=340.3,
                 expected=405.39),
         project("p2", dept="湟源县应急管理局", name="应急物资储备", budget=38.9, executed=0.0, expected=28.24),
         project("p3", dept="湟源县教育局", unit="湟源县教育局", name="教师培训", budget=100.0, executed=50.0,
                 expected=95.0)],
        [indicator("p1", name="校舍维修改造面积", target=4200.0, unit="平方米", actual=2803.0, forecast=4200.0),
         _level(indicator("p1", name="家长满意度", target=90.0, unit="%", actual=92.0, forecast=92.0),
                "满意度指标", "服务对象满意度指标"),
         indicator("p2", name="储备棉被", target=1000.0, unit="床", actual=245.0, forecast=693.0,
                   possibility="完全不可能", reasons=["经费保障"], reason_text=INJECTION, remarks="已向上级申请追加资金"),
         _level(indicator("p2", name="帐篷完好率", target=100.0, unit="%", actual=80.0, forecast=80.0,
                          reasons=["硬件条件保障"], reason_text=f"{SCRIPT} ＡＢＣ资金未到位", remarks="+督促供应商"),
                "产出指标", "质量指标"),
         indicator("p3", name="培训人次", target=100.0, unit="人次", actual=50.0, forecast=88.0, reason_text="师资不足",
                   remarks="外聘讲师补足课时"),
         _level(indicator("p3", name="教学质量", op="qualitative", target=None, unit=None, target_text="明显提升",
                          actual_text="有所提升", expected_text="明显提升"), "效益指标", "社会效益指标")])
    return compute_metrics(data, load_profile(), Settings())


@pytest.fixture
def explorer(tmp_path) -> Explorer:
    return Explorer(_metrics_tables(), export_dir=tmp_path / "exports")


def _choose(control, label: str) -> None:
    """Pick a dropdown entry by its visible label, as the analyst does."""
    control.value = dict(control.options)[label]


def _table_rows(explorer: Explorer) -> list[list[str]]:
    """The body cells of the rendered table, unescaped."""
    body = explorer.table.value.split("<tbody>", 1)[1] if "<tbody>" in explorer.table.value else ""
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


def _chart(explorer: Explorer) -> ElementTree.Element:
    """The chart as the browser gets it: it must parse as SVG (XML)."""
    return ElementTree.fromstring(explorer.chart_view.value)


def _chart_bars(explorer: Explorer) -> list[tuple[str, str, int]]:
    """(二级指标, light, count) per drawn segment, read from its hover text."""
    hovers = [bar.find(f"{SVG}title").text for bar in _chart(explorer).iter(f"{SVG}rect")
              if bar.get("class") == "jx-bar"]
    return [(level2, light, int(count.replace(",", "")))
            for level2, light, count in (re.fullmatch(r"(.+)　(.+)：([\d,]+) 个指标", hover).groups()
                                         for hover in hovers)]


def _chart_totals(explorer: Explorer) -> dict[str, int]:
    totals = dict.fromkeys(["红灯", "黄灯", "绿灯", "蓝灯", "无法判断"], 0)
    for _level2, light, count in _chart_bars(explorer):
        totals[light] += count
    return totals


def _chart_texts(explorer: Explorer, kind: str) -> list[str]:
    return [text.text for text in _chart(explorer).iter(f"{SVG}text") if text.get("class") == kind]


def _names(explorer: Explorer) -> list[str]:
    return explorer.selection["name"].tolist()


# ---------------------------------------------------------------- filters, summary, table, chart

def test_starts_with_everything(explorer):
    assert "6 个指标" in explorer.summary.value and "2 个部门、3 个项目" in explorer.summary.value
    assert "重点监控 1 个" in explorer.summary.value
    assert len(_table_rows(explorer)) == 6
    assert _chart_totals(explorer) == {"红灯": 1, "黄灯": 2, "绿灯": 3, "蓝灯": 0, "无法判断": 0}


def test_department_filters_summary_table_chart_and_narrows_units(explorer):
    _choose(explorer.department, "湟源县教育局")
    assert "4 个指标" in explorer.summary.value and "1 个部门、2 个项目" in explorer.summary.value
    rows = _table_rows(explorer)
    assert {row[0] for row in rows} == {"湟源县教育局"}
    assert sum(_chart_totals(explorer).values()) == 4
    assert [label for label, _ in explorer.unit.options] == ["（全部）", "湟源县城关第二幼儿园", "湟源县教育局"]
    _choose(explorer.unit, "湟源县教育局")
    assert sorted(_names(explorer)) == sorted(["培训人次", "教学质量"])


def test_changing_department_drops_a_unit_of_another_department(explorer):
    _choose(explorer.unit, "湟源县教育局")
    _choose(explorer.department, "湟源县应急管理局")
    assert explorer.unit.value == ALL
    assert sorted(_names(explorer)) == ["储备棉被", "帐篷完好率"]


def test_level1_narrows_level2_and_filters(explorer):
    _choose(explorer.level1, "效益指标")
    assert [label for label, _ in explorer.level2.options] == ["（全部）", "社会效益指标"]
    assert _names(explorer) == ["教学质量"]
    _choose(explorer.level1, "产出指标")
    _choose(explorer.level2, "质量指标")
    assert _names(explorer) == ["帐篷完好率"]


def test_light_filter_and_chart_show_only_that_light(explorer):
    _choose(explorer.light, "红灯")
    assert _names(explorer) == ["储备棉被"]
    assert _chart_totals(explorer) == {"红灯": 1, "黄灯": 0, "绿灯": 0, "蓝灯": 0, "无法判断": 0}
    _choose(explorer.light, "红灯和黄灯")
    assert set(explorer.selection["light"]) == {"red", "yellow"} and len(explorer.selection) == 3
    assert _chart_texts(explorer, "jx-row") == ["数量指标", "质量指标"]
    assert [level2 for level2, light, _ in _chart_bars(explorer) if light == "黄灯"] == ["数量指标", "质量指标"]


def test_key_monitoring_only(explorer):
    explorer.key_only.value = True
    assert set(explorer.selection["project_id"]) == {"p2"}
    assert "重点监控 1 个" in explorer.summary.value


def test_deviation_slider_filters_by_deviation(explorer):
    explorer.deviation.value = 15
    assert sorted(_names(explorer)) == ["储备棉被", "帐篷完好率"]
    assert (explorer.selection["deviation"] >= 15).all()
    explorer.deviation.value = 0
    assert len(explorer.selection) == 6  # back to everything, the qualitative one (no deviation) included


def test_search_finds_reason_text_regardless_of_width_and_case(explorer):
    explorer.search.value = "abc 到位"  # typed half-width and lower case; the unit wrote ＡＢＣ
    assert _names(explorer) == ["帐篷完好率"]
    explorer.search.value = "外聘讲师"  # the measures (备注) are searched too
    assert _names(explorer) == ["培训人次"]
    explorer.search.value = "应急物资"  # and project names
    assert sorted(_names(explorer)) == ["储备棉被", "帐篷完好率"]
    explorer.search.value = "没有这个词"
    assert "无符合条件的数据" in explorer.summary.value and _table_rows(explorer) == []
    assert sum(_chart_totals(explorer).values()) == 0


def test_filters_combine(explorer):
    _choose(explorer.department, "湟源县应急管理局")
    explorer.search.value = "到位"
    explorer.deviation.value = 25
    assert explorer.selection.empty
    explorer.deviation.value = 15
    assert _names(explorer) == ["帐篷完好率"]


def test_sort_by_column_and_direction_unknown_last(explorer):
    assert _names(explorer)[:3] == ["储备棉被", "帐篷完好率", "培训人次"]  # deviation, high to low
    assert _names(explorer)[-1] == "教学质量"  # no deviation: last
    explorer.sort_direction.value = "asc"
    assert _names(explorer)[-2:] == ["储备棉被", "教学质量"]  # still last when ascending
    explorer.sort_by.value = "severity"
    explorer.sort_direction.value = "desc"
    assert explorer.selection["light"].tolist()[:3] == ["red", "yellow", "yellow"]
    assert [row[4] for row in _table_rows(explorer)][0] == "储备棉被"  # the table follows the sort


def test_submission_text_is_escaped_in_table_and_detail(explorer):
    assert SCRIPT not in explorer.table.value and html.escape(SCRIPT) in explorer.table.value
    explorer.select_project("p2")
    assert SCRIPT not in explorer.detail.value and html.escape(SCRIPT) in explorer.detail.value


def test_a_submitted_indicator_category_is_text_in_the_chart(tmp_path):
    data = _metrics_tables()
    data["indicator_status"] = data["indicator_status"].assign(level2=f"{SCRIPT}&质量")  # as a unit typed it
    explorer = Explorer(data, export_dir=tmp_path)
    assert SCRIPT not in explorer.chart_view.value
    assert _chart_texts(explorer, "jx-row") == [f"{SCRIPT}&质量"]  # parsed back: the very text, escaped once


def test_table_pages_through_the_sorted_selection(explorer, monkeypatch):
    monkeypatch.setattr(explorer_module, "TABLE_PAGE_ROWS", 4)
    explorer.refresh()
    names = _names(explorer)
    assert [row[4] for row in _table_rows(explorer)] == names[:4] and "第 1／2 页" in explorer.table.value
    assert "共 6 行" in explorer.table.value and explorer.previous_page.disabled and not explorer.next_page.disabled
    explorer.next_page.click()
    assert [row[4] for row in _table_rows(explorer)] == names[4:] and "第 5–6 行" in explorer.table.value
    assert explorer.next_page.disabled and not explorer.previous_page.disabled
    _choose(explorer.light, "红灯和黄灯")  # a new selection starts on its first page, without page buttons
    assert explorer.page_number == 0 and len(_table_rows(explorer)) == 3 and explorer.pager.layout.display == "none"


# ---------------------------------------------------------------- project detail

def test_project_list_follows_the_filters(explorer):
    _choose(explorer.department, "湟源县应急管理局")
    labels = [label for label, _ in explorer.project.options]
    assert labels == ["（请选择项目）", "红灯 · 应急物资储备（湟源县应急管理局）"]


def test_selecting_a_project_shows_its_indicators_and_measures(explorer):
    explorer.light.value = "red"
    explorer.project.value = explorer.project.options[1][1]
    detail = html.unescape(explorer.detail.value)
    for text in ("应急物资储备", "储备棉被", "帐篷完好率", ">=1000.0床", "693", "245", "完全不可能", "经费保障", INJECTION,
                 "已向上级申请追加资金", "+督促供应商", "1-7月执行情况", "暂缓拨款并整改", "预算执行红灯"):
        assert text in detail, text
    explorer.light.value = "green"  # the project drops out of the list: the detail clears
    assert explorer.project.value == NO_PROJECT and explorer.detail.value == ""


# ---------------------------------------------------------------- export

def test_export_writes_the_selection_with_chinese_headers_and_text_stays_text(explorer, tmp_path):
    explorer.light.value = "attention"
    explorer.export_button.click()
    path = explorer.last_export
    assert path is not None and path.parent == tmp_path / "exports" and path.suffix == ".xlsx"
    assert html.escape(str(path)) in explorer.export_path.value and "3 行" in explorer.export_path.value
    frame = pd.read_excel(path, sheet_name="筛选结果", engine="openpyxl")
    assert len(frame) == len(explorer.selection) == 3
    assert frame["三级指标"].tolist() == _names(explorer)
    assert {"主管部门", "项目名称", "年度指标值", "1-7月执行情况", "偏离度", "原因说明", "备注（拟采取的措施）"} <= set(frame.columns)
    sheet = openpyxl.load_workbook(path)["筛选结果"]
    headers = [cell.value for cell in sheet[1]]
    reasons = [row[headers.index("原因说明")] for row in sheet.iter_rows(min_row=2)]
    injected = next(cell for cell in reasons if cell.value == INJECTION)
    assert injected.data_type == "s" and injected.quotePrefix
    measures = [row[headers.index("备注（拟采取的措施）")] for row in sheet.iter_rows(min_row=2)]
    assert any(cell.value == "+督促供应商" and cell.data_type == "s" for cell in measures)
    deviation = [row[headers.index("偏离度")].value for row in sheet.iter_rows(min_row=2)]
    assert deviation[0] == pytest.approx(0.307)  # a real percentage, 30.7 %
    conditions = dict(openpyxl.load_workbook(path)["筛选条件"].iter_rows(min_row=2, values_only=True))
    assert conditions["指标灯"] == "红灯和黄灯" and conditions["指标数"] == "3"


def test_two_exports_keep_both_files(explorer):
    first, second = explorer.export(), explorer.export()
    assert first != second and first.exists() and second.exists()


def test_export_of_an_empty_selection_says_so_and_writes_nothing(explorer, tmp_path):
    explorer.search.value = "没有这个词"
    assert explorer.export(tmp_path / "empty.xlsx") is None
    assert not (tmp_path / "empty.xlsx").exists() and not explorer.export_dir.exists()
    assert "无符合条件的数据，未导出文件" in explorer.export_path.value and "<a " not in explorer.export_path.value


# ---------------------------------------------------------------- helpers

def test_normalise_text_folds_width_case_and_spaces():
    assert normalise_text("ＡＢＣ 资金\u3000未到位") == "abc资金未到位"


def test_factorize_puts_canonical_names_first():
    codes, labels = factorize(pd.Series(["质量指标", "其他指标", "数量指标", "质量指标"]), ("数量指标", "质量指标"))
    assert labels == ["数量指标", "质量指标", "其他指标"]
    assert codes.tolist() == [1, 2, 0, 1]


def test_no_indicators_at_all(tmp_path):
    data = _metrics_tables()
    data["indicator_status"] = data["indicator_status"].iloc[0:0]
    empty = Explorer(data, export_dir=tmp_path)
    assert "无符合条件的数据" in empty.summary.value and np.array_equal(empty.rows, [])


# ---------------------------------------------------------------- the demo county and the notebook

@pytest.fixture(scope="module")
def demo_processed(demo_county) -> Path:
    return demo_county


def test_from_processed_finds_a_relative_folder_from_a_subdirectory(demo_processed, tmp_path, monkeypatch):
    project_root = demo_processed.parent
    notebooks = project_root / "notebooks_here"
    notebooks.mkdir(exist_ok=True)
    monkeypatch.chdir(notebooks)  # JupyterLab runs the kernel in notebooks/
    demo = Explorer.from_processed(demo_processed.name, export_dir="exports")
    statuses = pd.read_parquet(demo_processed / "indicator_status.parquet")
    assert f"{len(statuses)} 个指标" in demo.summary.value
    assert demo.export_dir == project_root / "exports"


def test_from_processed_explains_missing_metrics(tmp_path):
    with pytest.raises(TableError, match="jixiao metrics"):
        Explorer.from_processed(tmp_path)


def test_notebook_cells_only_call_jixiao():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    for source in code:
        tree = ast.parse(source)
        assert not any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
                       for node in ast.walk(tree)), source
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1 and 'processed_dir = "data/processed"' in tagged[0].source


@pytest.mark.slow
def test_notebook_executes_under_papermill_on_the_demo_county(demo_processed, tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "explore-run.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), cwd=str(ROOT), progress_bar=False,
                               execution_timeout=NOTEBOOK_TIMEOUT,
                               parameters={"processed_dir": str(demo_processed), "export_dir": str(tmp_path / "exports")})
    run = nbformat.read(out, as_version=4)
    outputs = [output for cell in run.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("个指标" in o.get("text", "") for o in outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


# ---------------------------------------------------------------- issue 14: what a user reaches for

def _headers(explorer: Explorer) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", explorer.table.value)]


def test_table_explains_each_light_with_its_basis_and_shows_the_progress_ratio(explorer):
    headers = _headers(explorer)
    assert "判断依据" in headers and "进度比" in headers
    _choose(explorer.light, "红灯")
    row = dict(zip(headers, _table_rows(explorer)[0], strict=True))
    stored = explorer.selection["light_reason"].iloc[0]
    assert row["判断依据"] and stored.startswith(row["判断依据"].rstrip("…"))


def test_basis_column_is_read_when_the_metrics_store_it(tmp_path):
    data = _metrics_tables()
    data["indicator_status"] = data["indicator_status"].assign(basis="按全年预计判断：偏离度超过红灯界限")
    explorer = Explorer(data, export_dir=tmp_path)
    assert set(explorer.selection["basis"]) == {"按全年预计判断：偏离度超过红灯界限"}


def test_an_empty_result_says_so_instead_of_junk_axes(explorer):
    explorer.search.value = "没有这个词"
    assert "无符合条件的数据" in explorer.table.value and "<table" not in explorer.table.value
    assert _chart_texts(explorer, "jx-chart-empty") == ["无符合条件的数据"]
    assert _chart_bars(explorer) == [] and _chart_texts(explorer, "jx-tick") == []  # no junk axes
    explorer.search.value = ""
    assert _chart_texts(explorer, "jx-chart-empty") == [] and _chart_texts(explorer, "jx-tick")


def test_count_axis_has_integer_ticks_and_hover_texts_read_in_chinese(explorer):
    assert _chart_texts(explorer, "jx-tick") == ["0", "1", "2", "3"]  # 3 green 数量指标 at most: whole steps
    assert [bar.find(f"{SVG}title").text for bar in _chart(explorer).iter(f"{SVG}rect")
            if bar.get("class") == "jx-bar"][0] == "数量指标　红灯：1 个指标"


@pytest.mark.parametrize(("largest", "ticks"), [(3, "0 1 2 3"), (10, "0 1 2 3 4 5 6 7 8 9 10"),
                                                 (11, "0 2 4 6 8 10 12"), (95, "0 20 40 60 80 100"),
                                                 (48_213, "0 10,000 20,000 30,000 40,000 50,000")])
def test_count_axis_steps_by_one_two_or_five_times_a_power_of_ten(largest, ticks):
    counts = pd.DataFrame({light: [0] for light in explorer_module.LIGHT_ORDER}, index=["数量指标"])
    counts.iloc[0, 0] = largest
    context = light_chart.chart_context(counts, "t")
    assert " ".join(label for _x, label in context["ticks"]) == ticks


def test_search_shows_a_first_word_at_once_then_waits_for_a_pause_in_typing(explorer, monkeypatch):
    import asyncio

    refreshes = []
    # A pause long against a keystroke even on a loaded machine: the keystrokes only yield to the loop.
    pause = 1.0
    monkeypatch.setattr(explorer_module, "SEARCH_DEBOUNCE_SECONDS", pause)
    original = explorer.refresh
    monkeypatch.setattr(explorer, "refresh", lambda: (refreshes.append(explorer.search.value), original()))

    async def type_slowly():
        for prefix in ("外", "外聘", "外聘讲", "外聘讲师"):
            explorer.search.value = prefix
            await asyncio.sleep(0)
        await asyncio.sleep(pause * 3)
        explorer.search.value = "师资"  # after a pause: a word from an input method shows at once
        shown_at_once = _names(explorer)
        await asyncio.sleep(pause * 1.5)
        return shown_at_once

    assert asyncio.run(type_slowly()) == ["培训人次"]
    assert refreshes == ["外", "外聘讲师", "师资"]  # not 外聘 nor 外聘讲: typing went on
    assert explorer.search.continuous_update and explorer.search.layout.width == explorer_module.SEARCH_WIDTH


def _two_counties() -> dict[str, pd.DataFrame]:
    data = _metrics_tables()
    renamed = {"湟源县教育局": "湟中区教育局", "湟源县应急管理局": "湟源县应急管理局"}
    extra = data["indicator_status"].assign(dept_name=data["indicator_status"]["dept_name"].map(renamed) + "二")
    data["indicator_status"] = pd.concat([data["indicator_status"].assign(
        dept_name=data["indicator_status"]["dept_name"].map(renamed)), extra], ignore_index=True)
    return data


def test_county_filter_appears_for_province_size_lists_and_narrows_departments(tmp_path):
    explorer = Explorer(_two_counties(), export_dir=tmp_path)
    assert explorer.county.layout.display == "" and [label for label, _ in explorer.county.options][1:] == ["湟中区", "湟源县"]
    _choose(explorer.county, "湟中区")
    assert [label for label, _ in explorer.department.options][1:] == ["湟中区教育局", "湟中区教育局二"]
    assert set(explorer.selection["dept_name"]) == {"湟中区教育局", "湟中区教育局二"}


def test_a_county_level_list_shows_no_county_filter(explorer):
    assert explorer.county.layout.display == "none"


def test_export_offers_a_download_link(explorer, tmp_path):
    path = explorer.export()
    assert 'download="' + path.name + '"' in explorer.export_path.value
    assert 'href="data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,' in explorer.export_path.value
    served = Explorer(_metrics_tables(), export_dir=tmp_path / "exports", served_root=tmp_path, download_prefix="files/")
    target = served.export()
    assert f'href="files/exports/{urllib.parse.quote(target.name)}"' in served.export_path.value


def test_explorer_html_comes_from_autoescaped_templates():
    assert explorer_module.TEMPLATES.autoescape is True
    assert "f\"<" not in Path(explorer_module.__file__).read_text(encoding="utf-8")


def test_export_prints_on_a4_landscape_and_dates_are_real_dates(explorer):
    book = openpyxl.load_workbook(explorer.export())
    rows = book["筛选结果"]
    assert rows.page_setup.orientation == "landscape" and rows.print_title_rows == "$1:$1"
    assert rows.sheet_properties.pageSetUpPr.fitToPage and "&P" in rows.oddFooter.center.text
    stamp = dict((row[0].value, row[1]) for row in book["筛选条件"].iter_rows())["导出时间"]
    assert stamp.is_date


def test_long_department_and_unit_lists_wait_for_a_county_or_department(tmp_path, monkeypatch):
    monkeypatch.setattr(explorer_module, "CATEGORY_OPTION_LIMIT", 2)  # 4 departments and 3 units count as long
    explorer = Explorer(_two_counties(), export_dir=tmp_path)
    assert explorer.department.options == (("（全部 4 个，请先选县区）", ALL),)
    assert explorer.unit.options == (("（全部 3 个，请先选主管部门）", ALL),)
    assert len(explorer.selection) == 12  # nothing is filtered meanwhile
    _choose(explorer.county, "湟中区")
    assert [label for label, _ in explorer.department.options][1:] == ["湟中区教育局", "湟中区教育局二"]
    _choose(explorer.department, "湟中区教育局")
    assert [label for label, _ in explorer.unit.options][1:] == ["湟源县城关第二幼儿园", "湟源县教育局"]
    assert dict(explorer.filter_description())["实施单位"] == "（全部）"
    _choose(explorer.county, "（全部）")
    assert explorer.department.options == (("（全部 4 个，请先选县区）", ALL),) and explorer.department.value == ALL
    assert len(explorer.selection) == 12


def test_a_county_list_lists_all_its_departments_however_many(explorer, tmp_path, monkeypatch):
    monkeypatch.setattr(explorer_module, "CATEGORY_OPTION_LIMIT", 1)
    explorer = Explorer(_metrics_tables(), export_dir=tmp_path)  # one county: no county filter to narrow with
    assert [label for label, _ in explorer.department.options][1:] == ["湟源县应急管理局", "湟源县教育局"]
