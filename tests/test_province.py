"""Province-scale batches: other counties from the demo generator, and checks and metrics that do not
depend on what else is in the batch (a province is its counties side by side)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jixiao.config.settings import Settings
from jixiao.demo import generator as demo
from jixiao.pipeline import process_folder
from jixiao.read.workbook import read_workbook
from jixiao.store.tables import read_findings, read_table

COUNTIES = {"安乐县": 2024, "平川县": 2025}
COPIED = "COPIED_REASON_TEXT"  # the one rule that compares across projects: more counties, more copies


def _texts(path: Path) -> list[str]:
    return [cell.value for grid in read_workbook(path) for cell in grid.cells.values() if isinstance(cell.value, str)]


def test_another_county_has_its_own_names_and_the_same_files(tmp_path):
    home = demo.write_demo_county(tmp_path / "demo")
    other = demo.write_demo_county(tmp_path / "other", seed=2024, county="安乐县")
    assert [p.relative_to(tmp_path / "other").as_posix() for p in other] == \
        [p.relative_to(tmp_path / "demo").as_posix().replace("湟源县", "安乐县").replace("湟源", "安乐") for p in home]
    assert not any("湟源" in p.as_posix() for p in other)
    first = _texts(other[0])
    assert "安乐县教育局（302001）" in first and not any("湟源" in text for text in first)
    assert [p.stat().st_mtime for p in other] == [p.stat().st_mtime for p in home]  # the same re-submission wins
    with pytest.raises(ValueError):
        demo.county_names(10_000)
    assert len(set(demo.county_names(300))) == 300 and "湟源县" not in demo.county_names(300)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict[str, Path]:
    """Two counties in one folder and each on its own, through ingest, checks and metrics."""
    raw = tmp_path_factory.mktemp("province-raw")
    for county, seed in COUNTIES.items():
        demo.write_demo_county(raw / county, seed=seed, county=county)
    out = {"province": process_folder(raw, tmp_path_factory.mktemp("province"), Settings(), jobs=1)}
    for county in COUNTIES:
        out[county] = process_folder(raw / county, tmp_path_factory.mktemp(county), Settings(), jobs=1)
    return out


def _findings(folder: Path, prefix: str = "") -> pd.DataFrame:
    """Findings with file names as seen from the province folder (a county's own run names them without it)."""
    found = read_findings(folder)
    message = found["message"].astype(str)
    for county in COUNTIES:  # re-submission notes quote the other file's path
        message = message.str.replace(f"“{county}/", "“", regex=False)
    return found.assign(source_file=prefix + found["source_file"].astype(str), message=message)[
        ["source_file", "cell", "code", "message"]]


@pytest.mark.slow
def test_a_province_finds_what_its_counties_find(province):
    whole = _findings(province["province"])
    alone = pd.concat([_findings(province[county], f"{county}/") for county in COUNTIES], ignore_index=True)
    key = ["source_file", "cell", "code", "message"]
    local = [frame[frame["code"] != COPIED].sort_values(key).reset_index(drop=True) for frame in (whole, alone)]
    assert len(local[0]) > 2 * 10  # the demo's mix of problems, twice
    pd.testing.assert_frame_equal(*local)
    # A text copied within a county is still reported, and a province finds copies across counties too.
    copied = [set(zip(frame.loc[frame["code"] == COPIED, "source_file"], frame.loc[frame["code"] == COPIED, "cell"]))
              for frame in (whole, alone)]
    assert copied[1] and copied[1] <= copied[0]
    assert (whole.loc[whole["code"] == COPIED, "message"].str.count("“") <= 1 + 3).all()  # the indicator + 3 projects


@pytest.mark.slow
def test_a_province_ranks_its_counties_departments_as_they_are(province):
    whole = read_table(province["province"], "department_summary").set_index("dept_name")
    alone = pd.concat([read_table(province[county], "department_summary") for county in COUNTIES]).set_index("dept_name")
    assert len(whole) == len(alone) == 2 * len(demo.CATALOG)  # no department of one county merged with another's
    # and no project of one county taken for a re-submission of another's (units are named with their county)
    assert whole["n_projects"].sum() == alone["n_projects"].sum() == 2 * sum(len(d.projects) for d in demo.CATALOG)
    columns = ["n_projects", "budget_total", "execution_rate", "n_red", "n_yellow", "n_green", "target_score"]
    pd.testing.assert_frame_equal(whole.loc[alone.index, columns], alone[columns])
    # Quality differs only by texts copied from the other county (5 points each by default).
    copies = _copies(whole.loc[alone.index, "quality_reason"]) - _copies(alone["quality_reason"])
    assert (copies >= 0).all()
    same = copies == 0
    assert same.any()
    pd.testing.assert_series_equal(whole.loc[alone.index[same], "quality_score"], alone.loc[same, "quality_score"])


def _copies(reasons: pd.Series) -> pd.Series:
    """照抄原因说明 N 处 in each quality reason (0 when none)."""
    return pd.to_numeric(reasons.str.extract(r"照抄原因说明 (\d+) 处")[0], errors="coerce").fillna(0).astype(int)
