"""Comparisons and project identity on hand-made rounds (tables written to a real store)."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from jixiao.store import schema
from jixiao.store.compare import compare_rounds, comparison_path, write_comparison
from jixiao.store.identity import assign_identities, known_projects, read_mapping
from jixiao.store.warehouse import Round, Store

JULY, OCTOBER = Round(2023, 7), Round(2023, 10)


def _round(projects: list[tuple], indicators: list[tuple], depts: list[tuple]) -> dict[str, pd.DataFrame]:
    """projects: (id, dept, name, rate, budget light, dual light); indicators: (project id, name, light, completion);
    depts: (dept, rate, score, rank)."""
    status = pd.DataFrame([{"project_id": pid, "dept_name": dept, "unit_name": dept, "project_name": name,
                            "execution_rate": rate, "budget_light": budget, "target_light": "green",
                            "dual_light": dual, "key_monitoring": False} for pid, dept, name, rate, budget, dual in projects])
    ind = pd.DataFrame([{"project_id": pid, "indicator_id": f"{pid}-{name}", "dept_name": "甲局", "unit_name": "甲局",
                         "project_name": pid, "level2": "数量指标", "name": name, "light": light, "completion": completion}
                        for pid, name, light, completion in indicators])
    summary = pd.DataFrame([{"dept_name": d, "execution_rate": r, "score": s, "rank": k, "n_red": 0}
                            for d, r, s, k in depts])
    identity = pd.DataFrame([{"project_id": p[0], "identity_id": p[0].rstrip("'"), "match": "exact"} for p in projects])
    return {"project_status": status, "indicator_status": ind, "department_summary": summary,
            "project_identity": identity}


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.write_round(JULY, _round(
        [("a", "甲局", "道路养护", 30.0, "red", "red"), ("b", "甲局", "桥梁维修", 20.0, "red", "red"),
         ("c", "乙局", "旧项目", 60.0, "green", "green")],
        [("a", "养护里程", "red", 40.0), ("b", "维修座数", "green", 100.0)],
        [("甲局", 25.0, 40.0, 2), ("乙局", 60.0, 90.0, 1)]), {"input_hash": "1"})
    store.write_round(OCTOBER, _round(  # a's id differs this round; its identity (a) is the same
        [("a'", "甲局", "道路养护项目", 85.0, "green", "green"), ("b", "甲局", "桥梁维修", 30.0, "red", "red"),
         ("d", "乙局", "新项目", 10.0, "yellow", "yellow")],
        [("a'", "养护里程", "green", 95.0), ("b", "维修座数", "yellow", 70.0)],
        [("甲局", 57.5, 95.0, 1), ("乙局", 10.0, 50.0, 2)]), {"input_hash": "2"})
    return store


def test_projects_then_and_now_through_their_identity(store):
    sheets, _ = compare_rounds(store, JULY, OCTOBER)
    projects = sheets["项目对比"].set_index("项目名称")
    assert projects.loc["道路养护项目", "2023年1-7月执行率(%)"] == 30.0
    assert projects.loc["道路养护项目", "2023年1-10月执行率(%)"] == 85.0
    assert projects.loc["道路养护项目", "变化"] == "好转"
    assert projects.loc["桥梁维修", "变化"] == "持平"
    assert sheets["新增项目"]["项目名称"].tolist() == ["新项目"]
    assert sheets["消失项目"]["项目名称"].tolist() == ["旧项目"]


def test_red_in_both_rounds_is_a_continued_warning(store):
    sheets, summary = compare_rounds(store, JULY, OCTOBER)
    assert sheets["连续预警"]["项目名称"].tolist() == ["桥梁维修"]
    assert "连续预警（两轮都是红灯）1 个：桥梁维修" in summary


def test_indicators_improved_and_worsened(store):
    sheets, summary = compare_rounds(store, JULY, OCTOBER)
    changes = dict(zip(sheets["指标变化"]["三级指标"], sheets["指标变化"]["变化"]))
    assert changes == {"养护里程": "好转", "维修座数": "变差"}
    assert "指标：好转 1 个，变差 1 个" in summary


def test_department_rank_changes(store, tmp_path):
    sheets, summary = compare_rounds(store, JULY, OCTOBER)
    depts = sheets["部门对比"].set_index("主管部门")
    assert depts.loc["甲局", "名次变化"] == "上升 1 位" and depts.loc["乙局", "名次变化"] == "下降 1 位"
    assert "上升最多：甲局（上升 1 位）" in summary
    path = write_comparison(sheets, summary, comparison_path(tmp_path, JULY, OCTOBER))
    assert path.name == "2023年1-10月与2023年1-7月对比.xlsx"
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == ["说明", "项目对比", "部门对比", "指标变化", "新增项目", "消失项目", "连续预警"]


# -- identity ---------------------------------------------------------------------------------------
def _projects(*rows: tuple) -> pd.DataFrame:
    """(project id, unit, name, dept code) rows as a projects table."""
    return schema.conform(pd.DataFrame([{"project_id": pid, "unit_name": unit, "dept_name": unit, "dept_code": code,
                                         "project_name": name, "source_file": "a.xlsx", "sheet": "S1",
                                         "project_name_cell": "B3"} for pid, unit, name, code in rows]), "projects")


def _known(*rows: tuple) -> pd.DataFrame:
    projects = _projects(*rows).assign(round_year=2022, round_period=7)
    identity = pd.DataFrame({"project_id": projects["project_id"], "identity_id": projects["project_id"],
                             "round_year": 2022, "round_period": 7})
    return known_projects(identity, projects)


def test_identity_exact_code_fuzzy_and_new():
    known = _known(("p1", "公路段", "农村公路养护", "305001"), ("p2", "公路段", "危桥改造", "305001"),
                   ("p3", "交通局", "客运补贴", "305001"))
    now = _projects(("n1", "公路段", "农村公路养护", "305001"),      # same unit and name
                    ("n2", "公路段", "危桥改造工程项目", "305001"),   # drifted: fuzzy
                    ("n3", "交通运输服务中心", "客运补贴", "305001"),  # unit renamed, same code and name
                    ("n4", "公路段", "桥梁检测", "305001"))          # unrelated: new
    identity, findings = assign_identities(now, known, 0.6)
    got = identity.set_index("project_id")
    assert got.loc["n1", "identity_id"] == "p1" and got.loc["n1", "match"] == "exact"
    assert got.loc["n2", "identity_id"] == "p2" and got.loc["n2", "match"] == "fuzzy"
    assert got.loc["n3", "identity_id"] == "p3" and got.loc["n3", "match"] == "code"
    assert got.loc["n4", "identity_id"] == "n4" and got.loc["n4", "match"] == "new"
    [drift] = findings
    assert drift["code"] == "PROJECT_NAME_DRIFTED" and drift["cell"] == "B3" and "危桥改造" in drift["message"]


def test_dissimilar_names_are_not_forced_together():
    known = _known(("p1", "公路段", "农村公路养护", None))
    identity, findings = assign_identities(_projects(("n1", "公路段", "路政执法装备", None)), known, 0.75)
    assert identity.iloc[0]["match"] == "new" and findings == []


def test_mapping_file_overrides_matching(tmp_path):
    mapping_file = tmp_path / "项目对应表.csv"
    mapping_file.write_text("实施单位,项目名称,对应项目名称\n公路段,乡村振兴路网提升,农村公路养护\n", encoding="gbk")
    known = _known(("p1", "公路段", "农村公路养护", None))
    identity, findings = assign_identities(_projects(("n1", "公路段", "乡村振兴路网提升", None)), known, 0.75,
                                           read_mapping(mapping_file))
    assert identity.iloc[0]["identity_id"] == "p1" and identity.iloc[0]["match"] == "mapping" and findings == []


def test_the_comparison_workbook_keeps_submitted_text_as_text(tmp_path):
    import openpyxl
    import pandas as pd

    from jixiao.store.compare import write_comparison

    payload = '=HYPERLINK("http://x","y")'
    path = write_comparison({"项目对比": pd.DataFrame({"项目名称": [payload], "执行率(%)": [55.5]})}, "摘要", tmp_path / "对比.xlsx")
    cell = openpyxl.load_workbook(path)["项目对比"]["A2"]
    assert (cell.value, cell.data_type) == (payload, "s")
    assert openpyxl.load_workbook(path)["项目对比"]["B2"].value == 55.5
