"""Rounds end to end: three folders of real workbooks through jixiao.pipeline into the store.

2022年1-7月 → 2023年1-7月 → 2023年1-10月 of one unit (湟源县公路段):

* 农村公路养护项目 was 农村公路养护 in 2022 (drifted name), fixes its missing explanation by October,
  but lowers its cumulative 执行数 and 养护里程 and changes its budget and a target;
* 危桥改造项目 keeps its problem and replies with measures (→ 整改中);
* 公路安全生命防护工程 keeps its problem without a reply (→ 未整改);
* 客运站维修 is dropped in October, 农村客运站建设 is new;
* a late 1-8月 file sits in the 1-7月 folder.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from jixiao.config.settings import Settings
from jixiao.outputs.feedback import write_feedback
from jixiao.pipeline import Job, folder_round, run
from jixiao.store.compare import compare_rounds
from jixiao.store.rectification import SHEET, followup_facts
from jixiao.store.warehouse import Round, Store

from factory import Ind, Project, SheetSpec, Style, build, default_indicators

pytestmark = pytest.mark.slow  # one pipeline run over three small rounds (~8 s), shared by the tests

Y22, JULY, OCTOBER = Round(2022, 7), Round(2023, 7), Round(2023, 10)
UNEXPLAINED = Ind("效益指标", "社会效益指标", "群众出行条件", "明显改善", "部分改善", "基本达到",
                  reasons=("经费保障",), possibility="有可能")  # no 原因说明: EXPLANATION_MISSING (error)
EXPLAINED = replace(UNEXPLAINED, reason_text="资金到位较晚，四季度集中实施")
JULY_FUNDS = [("年度资金总额", 100.0, 40.0, 95.0), ("其中：当年财政拨款", 80.0, 30.0, 76.0),
              ("上年结转资金", 20.0, 10.0, 19.0), ("其他资金", 0, 0, 0)]
OCTOBER_FUNDS = [("年度资金总额", 110.0, 35.0, 100.0), ("其中：当年财政拨款", 90.0, 25.0, 81.0),
                 ("上年结转资金", 20.0, 10.0, 19.0), ("其他资金", 0, 0, 0)]


def _indicators(last: Ind, mileage_target: str = "≥120公里", mileage: float = 70) -> list[Ind]:
    rows = [ind for ind in default_indicators() if ind.name != "群众出行条件"]
    rows[0] = replace(rows[0], target=mileage_target, actual=mileage)
    return [*rows, last]


def _project(name: str, last: Ind = UNEXPLAINED, **changes) -> Project:
    return Project(name=name, indicators=_indicators(last), funds=JULY_FUNDS, **changes)


def _write(folder: Path, sheets: list[SheetSpec], name: str = "交通运输局监控表.xlsx") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    build(folder / name, sheets)


def _sheet(project: Project, style: Style, n: int) -> SheetSpec:
    return SheetSpec(f"项目{n}", [project], style)


def write_2022(raw: Path) -> None:
    style = Style(year=2022)
    _write(raw / "2022年1-7月", [_sheet(_project("农村公路养护", EXPLAINED), style, 1),
                                 _sheet(_project("危桥改造项目", EXPLAINED), style, 2)])


def write_july(raw: Path) -> None:
    names = ("农村公路养护项目", "危桥改造项目", "公路安全生命防护工程", "客运站维修")
    _write(raw / "2023年1-7月", [_sheet(_project(name), Style(), n) for n, name in enumerate(names, 1)])
    late = Project(name="乡村道路保洁", funds=JULY_FUNDS, indicators=_indicators(EXPLAINED))
    _write(raw / "2023年1-7月", [_sheet(late, Style(period="1-8月"), 1)], name="迟报1-8月.xlsx")
    (raw / "2023年1-7月" / "新建 Microsoft Excel 工作表.xlsx").write_bytes(b"")  # unreadable: a file-level item


def write_october(raw: Path) -> None:
    style = Style(period="1-10月")
    fixed = Project(name="农村公路养护项目", funds=OCTOBER_FUNDS,
                    indicators=_indicators(EXPLAINED, mileage_target="≥100公里", mileage=60))
    sheets = [_sheet(fixed, style, 1), _sheet(_project("危桥改造项目"), style, 2),
              _sheet(_project("公路安全生命防护工程"), style, 3),
              _sheet(_project("农村客运站建设", EXPLAINED), style, 4)]
    _write(raw / "2023年1-10月", sheets)


def make_job(base: Path) -> Job:
    settings = Settings()
    paths = replace(settings.paths, store=base / "jixiao.duckdb", export=base / "export", replies=base / "replies")
    return Job(replace(settings, paths=paths), raw=base / "raw", processed=base / "processed",
               reports=base / "reports", jobs=1, quiet=True)


def reply_to_feedback(base: Path, job: Job) -> Path:
    """The July feedback workbook as the unit returns it: measures filled in for 危桥改造项目 only."""
    work = job.processed / "rounds" / JULY.key
    [path] = [p for p in write_feedback(work, job.raw / "2023年1-7月", base / "feedback")
              if "交通运输局监控表" in p.name]
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    header = [c.value for c in sheet[2]]
    filled = 0
    for row in sheet.iter_rows(min_row=3):
        if row[header.index("项目名称")].value == "危桥改造项目":
            row[header.index("整改措施")].value = "已完成招标，10月开工"
            row[header.index("责任人")].value = "张三"
            row[header.index("完成时限")].value = "2023年12月31日"
            filled += 1
    assert filled
    target = job.settings.paths.replies / JULY.key / "湟源县公路段_问题反馈（回复）.xlsx"
    target.parent.mkdir(parents=True)
    book.save(target)
    return target


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    base = tmp_path_factory.mktemp("rounds")
    job = make_job(base)
    write_2022(job.raw)
    write_july(job.raw)
    run(job, outputs=())
    reply_to_feedback(base, job)
    write_october(job.raw)
    run(make_job(base), outputs=())
    return base, Store(job.settings.paths.store)


def _findings(store: Store, round_: Round, code: str) -> pd.DataFrame:
    findings = store.read_round(round_, ("findings",))["findings"]
    return findings[findings["code"] == code]


def test_every_round_folder_is_a_round_in_the_store(history):
    _, store = history
    rounds = store.rounds()
    assert rounds["round_label"].tolist() == ["2022年1-7月", "2023年1-7月", "2023年1-10月"]
    assert rounds["n_projects"].tolist() == [2, 5, 4]


def test_drifted_name_keeps_its_identity_with_a_finding(history):
    _, store = history
    identity = store.read_round(JULY, ("project_identity", "projects"))
    ids = identity["project_identity"].merge(identity["projects"][["project_id", "project_name"]], on="project_id")
    drifted = ids[ids["project_name"] == "农村公路养护项目"].iloc[0]
    earlier = store.read_round(Y22, ("project_identity",))["project_identity"]
    assert drifted["match"] == "fuzzy" and drifted["matched_name"] == "农村公路养护"
    assert drifted["identity_id"] in set(earlier["identity_id"])
    [finding] = _findings(store, JULY, "PROJECT_NAME_DRIFTED").itertuples()
    assert finding.cell and "农村公路养护" in finding.message
    assert set(ids.loc[ids["project_name"] == "危桥改造项目", "match"]) == {"exact"}
    october = store.read_round(OCTOBER, ("project_identity",))["project_identity"]
    assert drifted["identity_id"] in set(october["identity_id"])  # followed into the next round too


def test_falling_cumulative_figures_are_found_at_their_cells(history):
    _, store = history
    found = _findings(store, OCTOBER, "CUMULATIVE_DECREASED")
    funds = found[found["message"].str.contains("年度资金总额")]
    assert len(funds) == 1 and funds.iloc[0]["severity"] == "error" and funds.iloc[0]["cell"]
    assert "35" in funds.iloc[0]["message"] and "40" in funds.iloc[0]["message"]
    mileage = found[found["message"].str.contains("养护里程")]
    assert len(mileage) == 1 and mileage.iloc[0]["cell"]
    assert _findings(store, JULY, "CUMULATIVE_DECREASED").empty  # the first round of a year has no reference


def test_budget_and_target_changed_against_the_earlier_round(history):
    _, store = history
    budget = _findings(store, OCTOBER, "BUDGET_CHANGED")
    assert any("110" in m and "100" in m and "2023年1-7月" in m for m in budget["message"])
    target = _findings(store, OCTOBER, "TARGET_CHANGED")
    assert len(target) == 1 and "≥120公里" in target.iloc[0]["message"] and target.iloc[0]["cell"]
    assert _findings(store, OCTOBER, "PROJECT_NOT_APPROVED").empty  # a new project is a comparison, not rigidity


def test_header_contradicting_its_folder_gets_a_finding(history):
    _, store = history
    [finding] = _findings(store, JULY, "ROUND_FOLDER_MISMATCH").itertuples()
    assert finding.source_file.endswith("迟报1-8月.xlsx") and "2023年1-8月" in finding.message


def test_rectification_items_carry_their_status_into_the_next_round(history):
    _, store = history
    items = store.read_round(OCTOBER, ("rectification",))["rectification"]
    july_items = items[(items["since_round"] == "2023年1-7月") & (items["code"] == "EXPLANATION_MISSING")]
    status = dict(zip(july_items["project_name"], july_items["status"]))
    assert status["农村公路养护项目"] == "已整改"
    assert status["危桥改造项目"] == "整改中"
    assert status["公路安全生命防护工程"] == "未整改"
    assert status["客运站维修"] == "未整改"  # not reported again: cannot be verified
    doing = july_items[july_items["project_name"] == "危桥改造项目"].iloc[0]
    assert doing["reply_measures"] == "已完成招标，10月开工" and doing["reply_person"] == "张三"
    [empty_file] = items[items["code"] == "FILE_UNREADABLE"].itertuples()
    assert empty_file.status == "已整改" and empty_file.since_round == "2023年1-7月"  # the unit sent a readable file
    new = items[items["status"] == "待整改"]
    assert "CUMULATIVE_DECREASED" in set(new["code"]) and set(new["since_round"]) == {"2023年1-10月"}
    facts = followup_facts(items)
    assert facts["已整改"] >= 1 and facts["整改中"] >= 1 and facts["未整改"] >= 2 and "整改率" in facts["sentence"]


def test_comparison_of_the_two_rounds(history):
    _, store = history
    sheets, summary = compare_rounds(store, JULY, OCTOBER)
    assert "农村客运站建设" in set(sheets["新增项目"]["项目名称"])
    assert {"客运站维修", "乡村道路保洁"} == set(sheets["消失项目"]["项目名称"])
    row = sheets["项目对比"].set_index("项目名称").loc["农村公路养护项目"]
    assert row["2023年1-7月执行率(%)"] == 40.0 and row["2023年1-10月执行率(%)"] == pytest.approx(31.82)
    assert "新增项目 1 个，消失项目 2 个" in summary


def test_compare_and_rounds_commands(history, capsys):
    from jixiao.cli import main

    base, store = history
    assert main(["rounds", "--store", str(store.path)]) == 0
    listing = capsys.readouterr().out
    assert all(label in listing for label in ("2022年1-7月", "2023年1-7月", "2023年1-10月"))
    out = base / "compare-out"
    assert main(["compare", "--from", "2022-07", "--to", "2023年1-7月", "--store", str(store.path),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2023年1-7月与2022年1-7月对比" in printed and (out / "2023年1-7月与2022年1-7月对比.xlsx").is_file()
    assert main(["compare", "--from", "2021-07", "--to", "2023-07", "--store", str(store.path)]) == 2
    assert "数据库中没有2021年1-7月" in capsys.readouterr().err


def test_rerunning_changes_nothing_in_the_store(history):
    base, store = history
    before = hashlib.sha256(store.path.read_bytes()).hexdigest(), store.rounds()["loaded_at"].tolist()
    run(make_job(base), outputs=())
    assert (hashlib.sha256(store.path.read_bytes()).hexdigest(), store.rounds()["loaded_at"].tolist()) == before


def test_round_folder_names():
    assert folder_round("2023年1-10月") == OCTOBER and folder_round("2023年度1-7月") == JULY
    assert folder_round("教育局") is None and folder_round("2023年1-13月") is None
