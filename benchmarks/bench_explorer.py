"""Explorer speed: one filter update on a province-size table (about 100,000 indicators).

Usage::

    .venv/bin/python benchmarks/bench_explorer.py [PROCESSED_DIR] [--rows 100000] [--repeat 5]

PROCESSED_DIR holds the demo county after ``jixiao ingest`` and ``jixiao metrics`` (default
/tmp/demo_proc; built from data/raw into a temporary folder when missing). Its tables are
replicated as many counties as it takes to reach ``--rows`` indicators, each copy with its
own county name in the department and unit names, its own ids, reason texts naming the county
and deviations perturbed, so neither categories nor search texts collapse to 629 distinct values.

Then scripted sessions of filter changes (a drill-down: county, department, light, slider, a search
word, sort, 重点监控, unit; and province-wide search, slider and sort) are timed twice, best of ``--repeat`` runs per step:

- ``jixiao.outputs.explorer``: set the widget value; the explorer updates summary, table, chart and the
  project list from its precomputed arrays.
- naive: re-filter the joined DataFrame with ``==`` and ``str.contains``, sort it, count with
  groupby, render the table with ``to_html`` and build a new ``go.FigureWidget`` — what a
  notebook that "just re-runs the cell" does.
"""
from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from jixiao.config.settings import Settings
from jixiao.metrics.compute import LIGHT_LABELS
from jixiao.outputs import plots
from jixiao.outputs.explorer import (
    LIGHT_SEVERITY,
    LIGHTS_OF_CHOICE,
    SEARCH_COLUMNS,
    TABLE_PAGE_ROWS,
    Explorer,
    county_of,
    indicator_frame,
    table_columns,
)
from jixiao.pipeline import process_folder
from jixiao.store.tables import read_tables

ROOT = Path(__file__).resolve().parents[1]
DEMO_COUNTY = "湟源县"
DEVIATION_JITTER = (0.5, 1.5)  # each copy scales deviations by a random factor in this range
SEED = 6
GOAL_MS = 100.0
COPIED_TABLES = ("indicator_status", "project_status", "department_summary")


# ---------------------------------------------------------------- data

def demo_tables(processed_dir: Path | None, with_departments: bool = False) -> dict[str, pd.DataFrame]:
    """The demo county's metrics tables (built from data/raw when no processed folder is given).

    ``with_departments``: the department totals too, which the dashboard's overview needs.
    """
    if processed_dir is None or not (processed_dir / "indicator_status.parquet").is_file():
        processed_dir = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
        process_folder(ROOT / "data" / "raw" / "2023年1-7月", processed_dir, Settings())
    return read_tables(processed_dir, COPIED_TABLES if with_departments else COPIED_TABLES[:2])


def county_copy(tables: dict[str, pd.DataFrame], number: int, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    county = f"样例{number:03d}县"
    copies = {name: frame.copy() for name, frame in tables.items()}
    indicators, projects = copies["indicator_status"], copies["project_status"]
    for frame in copies.values():
        for column in ("dept_name", "unit_name"):
            if column in frame:
                frame[column] = frame[column].str.replace(DEMO_COUNTY, county, regex=False)
    for frame in (indicators, projects):
        frame["project_id"] = frame["project_id"] + f"-{number}"
    indicators["indicator_id"] = indicators["indicator_id"] + f"-{number}"
    has_reason = indicators["reason_text"].notna()
    indicators.loc[has_reason, "reason_text"] = indicators.loc[has_reason, "reason_text"] + f"（{county}）"
    indicators["deviation"] = indicators["deviation"] * rng.uniform(*DEVIATION_JITTER, len(indicators))
    return copies


def province_tables(tables: dict[str, pd.DataFrame], rows: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    copies = [county_copy(tables, number, rng)
              for number in range(math.ceil(rows / len(tables["indicator_status"])))]
    return {name: pd.concat([copy[name] for copy in copies], ignore_index=True).head(rows)
            if name == "indicator_status" else pd.concat([copy[name] for copy in copies], ignore_index=True)
            for name in tables}


# ---------------------------------------------------------------- the session

RESET = {"county": None, "dept_name": None, "unit_name": None, "light": "all", "deviation": 0.0, "search": "",
         "sort": "deviation", "key_only": False}


def sessions(frame: pd.DataFrame) -> list[list[tuple[str, dict]]]:
    """Analyst sessions: each starts from the full table; a step applies on top of the previous ones."""
    # The largest department of a county with several (a city bureau's branch is a county of its own).
    departments_per_county = frame.drop_duplicates("dept_name")["county"].value_counts()
    shared = frame[frame["county"].map(departments_per_county) > 1]
    department = shared["dept_name"].value_counts().index[0]
    units = frame.loc[frame["dept_name"] == department, "unit_name"].value_counts().index
    drill_down = [
        ("县区", {"county": county_of(department)}),  # a province's 3,500 departments are listed by county
        ("主管部门", {"dept_name": department}),
        ("指标灯 红黄", {"light": "attention"}),
        ("偏离度 ≥ 10", {"deviation": 10.0}),
        ("搜索“资金”", {"search": "资金"}),
        ("按完成率排序", {"sort": "completion"}),
        ("只看重点监控", {"key_only": True}),
        ("实施单位", {"unit_name": units[0]}),
    ]
    province = [
        ("全省 搜索“到位”", {"search": "到位"}),
        ("全省 偏离度 ≥ 30", {"deviation": 30.0}),
        ("全省 只看重点监控", {"key_only": True}),
        ("全省 按指标灯排序", {"sort": "severity"}),
    ]
    return [drill_down, province]


def apply_to_explorer(explorer: Explorer, changes: dict) -> None:
    """Set the widgets one step changes (a reset step touches several; each is one update)."""
    controls = {"county": explorer.county, "dept_name": explorer.department, "unit_name": explorer.unit}
    for column, control in controls.items():
        if column in changes:
            name = changes[column]
            control.value = -1 if name is None else explorer.index.labels[column].index(name)
    simple = {"light": explorer.light, "deviation": explorer.deviation, "search": explorer.search,
              "sort": explorer.sort_by, "key_only": explorer.key_only}
    for name, control in simple.items():
        if name in changes:
            control.value = changes[name]


def naive_update(frame: pd.DataFrame, state: dict, period: str) -> tuple[str, str, go.FigureWidget]:
    """Everything from scratch on the DataFrame, the way a re-run notebook cell does it."""
    selected = frame
    for column in ("county", "dept_name", "unit_name"):
        if state.get(column):
            selected = selected[selected[column] == state[column]]
    if state.get("light", "all") != "all":
        selected = selected[selected["light"].isin(LIGHTS_OF_CHOICE[state["light"]])]
    if state.get("key_only"):
        selected = selected[selected["key_monitoring"]]
    if state.get("deviation", 0) > 0:
        selected = selected[selected["deviation"] >= state["deviation"]]
    for word in state.get("search", "").split():
        found = np.zeros(len(selected), dtype=bool)
        for column in SEARCH_COLUMNS:
            found |= selected[column].fillna("").str.contains(word, case=False, regex=False).to_numpy()
        selected = selected[found]
    sort = state.get("sort", "deviation")
    if sort == "severity":
        selected = selected.assign(severity=selected["light"].map(LIGHT_SEVERITY))
    selected = selected.sort_values(sort, ascending=False, na_position="last")
    lights = selected["light"].value_counts()
    summary = (f"{len(selected)} 个指标，{selected['dept_name'].nunique()} 个部门，"
               f"{selected['project_id'].nunique()} 个项目；"
               + "，".join(f"{LIGHT_LABELS[k]} {v}" for k, v in lights.items()))
    columns = table_columns(period)
    shown = selected.head(TABLE_PAGE_ROWS)[[c.key for c in columns]]
    table = shown.to_html(escape=True, header=True, index=False)
    counts = selected.groupby(["level2", "light"]).size().unstack(fill_value=0)
    figure = go.FigureWidget(plots.apply_template(go.Figure(
        [go.Bar(name=LIGHT_LABELS[light], y=list(counts.index), x=counts.get(light, pd.Series(0, counts.index)).tolist(),
                orientation="h", marker_color=plots.LIGHT_COLORS[light]) for light in plots.LIGHT_ORDER])))
    selected.drop_duplicates("project_id")[["project_id", "project_name", "unit_name"]].head(500)
    return summary, table, figure


def best_ms(repeat: int, before, step) -> float:
    """Fastest of ``repeat`` runs of ``step`` in ms; ``before`` restores the prior state untimed."""
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def time_explorer(explorer: Explorer, steps, repeat: int) -> list[float]:
    results = []
    for position, (_name, changes) in enumerate(steps):
        def before(previous=tuple(change for _, change in steps[:position])):
            apply_to_explorer(explorer, RESET)
            for change in previous:
                apply_to_explorer(explorer, change)
            explorer.index._last_search = None  # a search is timed uncached, as if just typed
        results.append(best_ms(repeat, before, lambda c=changes: apply_to_explorer(explorer, c)))
    return results


def time_naive(frame: pd.DataFrame, steps, repeat: int, period: str) -> list[float]:
    results, state = [], {}
    for _name, changes in steps:
        state = {**state, **changes}
        results.append(best_ms(repeat, lambda: None, lambda s=dict(state): naive_update(frame, s, period)))
    return results


def argument_parser(doc: str) -> argparse.ArgumentParser:
    """The options both explorer benchmarks take (see their usage lines)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("processed_dir", nargs="?", type=Path, default=Path("/tmp/demo_proc"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    return parser


def main() -> None:
    args = argument_parser(__doc__).parse_args()

    tables = province_tables(demo_tables(args.processed_dir), args.rows)
    start = time.perf_counter()
    explorer = Explorer(tables, export_dir=Path(tempfile.mkdtemp(prefix="jixiao-bench-export-")))
    build_s = time.perf_counter() - start
    frame = indicator_frame(tables)
    print(f"{len(frame):,} 个指标，{frame['project_id'].nunique():,} 个项目，{frame['dept_name'].nunique():,} 个部门；"
          f"构建 Explorer（含预计算）{build_s:.2f} s")

    steps, ours, naive = [], [], []
    for steps_of_session in sessions(frame):
        steps += steps_of_session
        ours += time_explorer(explorer, steps_of_session, args.repeat)
        naive += time_naive(frame, steps_of_session, args.repeat, explorer.period)
    print(f"\n{'step':<22}{'jixiao ms':>12}{'naive ms':>12}{'ratio':>8}")
    for (name, _), mine, theirs in zip(steps, ours, naive):
        print(f"{name:<22}{mine:>12.1f}{theirs:>12.1f}{theirs / mine:>8.1f}")
    print(f"\nmedian per filter update: jixiao {statistics.median(ours):.1f} ms, naive {statistics.median(naive):.1f} ms, "
          f"ratio {statistics.median(naive) / statistics.median(ours):.1f}x")
    print(f"worst step: jixiao {max(ours):.1f} ms (goal <= {GOAL_MS:.0f} ms), naive {max(naive):.1f} ms")


if __name__ == "__main__":
    main()
