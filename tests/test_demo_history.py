"""The demo county's history (jixiao/demo/history.py): derived rounds are what docs/demo.md says, and reproducible."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from jixiao.demo import history
from jixiao.demo.generator import CATALOG, simulate_county

ROOT = Path(__file__).resolve().parents[1]


def _names(county) -> set[str]:
    return {p.spec.name for projects in county.values() for p in projects}


def test_october_is_july_moved_on():
    july, october = simulate_county(2023), history.county_2023_10(2023)
    assert history.DROPPED in _names(july) and history.DROPPED not in _names(october)
    assert history.NEW_PROJECT[1].name in _names(october)
    by_name = {p.spec.name: p for projects in july.values() for p in projects}
    for projects in october.values():
        for project in projects:
            before = by_name.get(project.spec.name)
            if before is None:
                continue
            assert project.executed_total >= before.executed_total  # the falling figure is an indicator
            if project.spec.name in history.STUCK:
                assert project.executed_total < 0.5 * project.budget_total
            else:
                assert project.executed_total >= 0.78 * project.budget_total - 0.05
    name, indicator, factor = history.FALLING
    then = next(i.actual for i in by_name[name].indicators if i.name == indicator)
    now = next(i.actual for p in october["教育局"] if p.spec.name == name for i in p.indicators if i.name == indicator)
    assert now < then and now == pytest.approx(then * factor, abs=1)


def test_2022_has_earlier_names_and_no_later_projects():
    county = history.county_2022(2023)
    names = _names(county)
    assert set(history.NAMES_2022.values()) <= names and not set(history.NAMES_2022) & names
    assert not set(history.NOT_IN_2022) & names
    assert set(county) == {d.short for d in CATALOG}


@pytest.mark.slow  # writes the 23 workbooks of a round twice
def test_a_derived_round_is_byte_for_byte_reproducible(tmp_path):
    def digest(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*.xlsx"))}

    county = history.county_2023_10(2023)
    a = history._write_round(tmp_path / "a", "2023-10", county, 2023, "1-10月", 2023)
    b = history._write_round(tmp_path / "b", "2023-10", county, 2023, "1-10月", 2023)
    assert len(a) == len(b) == len(CATALOG)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert a[0].stat().st_mtime == b[0].stat().st_mtime


def test_committed_demo_has_the_three_rounds_and_replies():
    raw = ROOT / "data" / "raw"
    assert sorted(p.name for p in raw.iterdir() if p.is_dir()) == sorted(history.ROUND_FOLDERS.values())
    replies = list((ROOT / "data" / "replies" / "2023-07").glob("*.xlsx"))
    assert len(replies) == len({unit for unit, *_ in history.REPLIES})
