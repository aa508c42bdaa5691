"""The browser dashboard for people who do not code: a leadership overview and the explorer.

Served by Voilà (``bash scripts/dashboard.sh`` → notebooks/dashboard.ipynb, no code shown).
Two tabs: 全县总览 (county execution against 序时进度, lights by department, 重点监控 projects,
ranking) and 指标查询 (``Explorer``). Everything shown comes from the stored metrics tables;
nothing is recomputed except totals over departments.

Data loading is one function, ``load_round``: a round selector (the store's rounds) plugs in
there; today a round is a processed folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from jixiao.outputs import charts, plots
from jixiao.outputs.explorer import (
    EXPORT_SUBDIR,
    Column,
    Explorer,
    find_base,
    format_cell,
    html_table,
    message_html,
    render,
    show_figure,
)
from jixiao.store.warehouse import round_folders

TITLE = "预算绩效运行监控 · 看板"
VOILA_FILES = "voila/files/"  # where Voilà serves allow-listed files of its root folder (relative to the page)
KEY_COLUMNS = [Column("dept_name", "主管部门"), Column("unit_name", "实施单位"), Column("project_name", "项目名称"),
               Column("budget_total", "年初预算数（万元）", "money"), Column("execution_rate", "预算执行率", "percent"),
               Column("dual_light", "双监控灯", "light"), Column("key_reason", "列入原因"),
               Column("suggestion", "处理建议")]


@dataclass(frozen=True)
class Round:
    label: str   # shown in the round selector, e.g. "2023年1-7月"
    source: Path  # where its tables are (a processed folder today; a store round later)


def load_round(source: Path | str) -> dict[str, pd.DataFrame]:
    """The metrics tables of one round (and the county totals when stored): the only place the dashboard reads data."""
    from jixiao.store.tables import has_table, read_table

    source = Path(source)
    tables = charts.load_tables(source)
    if has_table(source, "county_summary"):
        tables["county_summary"] = read_table(source, "county_summary")
    return tables


def rounds_of(processed: Path) -> list[Round]:
    """Every round ``jixiao run`` kept under ``processed/rounds/`` (oldest first); else the folder itself."""
    kept = round_folders(processed)
    if kept:
        return [Round(label, folder) for label, folder in kept.items()]
    return [Round(round_label(load_round(processed)), processed)]


def round_label(tables: dict[str, pd.DataFrame]) -> str:
    return charts.caption_text(tables).split("　")[0].replace("数据期间：", "") or "本轮"


# ---------------------------------------------------------------- overview

def headline_cards(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    """County totals for the top of the page: budget, executed, rate against 序时进度, lights, 重点监控.

    The stored county totals (``county_summary``) when the metrics wrote them, else sums over departments.
    """
    county = tables.get("county_summary")
    if county is not None and len(county):
        return _stored_cards(county.iloc[0])
    summary, projects = tables["department_summary"], tables["project_status"]
    budget, executed = summary["budget_total"].sum(), summary["executed_total"].sum()
    rate = executed / budget * 100 if budget else None
    progress = plots._time_progress_value(projects)
    n_key = int(projects["key_monitoring"].fillna(False).astype(bool).sum()) if "key_monitoring" in projects else 0
    lights = "／".join(f"{int(summary[column].sum())}" for column in ("n_red", "n_yellow", "n_green"))
    return [("部门数", f"{len(summary)} 个"), ("项目数", f"{len(projects)} 个"),
            ("年初预算数（万元）", format_cell(budget, "money")), ("已执行（万元）", format_cell(executed, "money")),
            ("全县预算执行率", format_cell(rate, "percent") or "—"), ("序时进度", format_cell(progress, "percent") or "—"),
            ("红／黄／绿灯指标", lights), ("重点监控项目", f"{n_key} 个")]


def _stored_cards(county: pd.Series) -> list[tuple[str, str]]:
    def count(column: str) -> str:
        return f"{int(county[column])}" if column in county and pd.notna(county[column]) else "—"

    lights = "／".join(count(column) for column in ("n_red", "n_yellow", "n_green"))
    return [("部门数", f"{count('n_departments')} 个"), ("项目数", f"{count('n_projects')} 个"),
            ("年初预算数（万元）", format_cell(county.get("budget_total"), "money")),
            ("已执行（万元）", format_cell(county.get("executed_total"), "money")),
            ("全县预算执行率", format_cell(county.get("execution_rate"), "percent") or "—"),
            ("序时进度", format_cell(county.get("time_progress"), "percent") or "—"),
            ("红／黄／绿灯指标", lights), ("重点监控项目", f"{count('n_key_projects')} 个")]


def headline_note(tables: dict[str, pd.DataFrame]) -> str:
    """What the county totals leave out (projects of another period), so the numbers explain themselves."""
    county = tables.get("county_summary")
    if county is None or not len(county) or "n_excluded_projects" not in county:
        return ""
    row = county.iloc[0]
    excluded = int(row["n_excluded_projects"]) if pd.notna(row["n_excluded_projects"]) else 0
    if not excluded:
        return ""
    departments = row.get("excluded_departments")
    named = f"（{departments}）" if isinstance(departments, str) and departments else ""
    return f"另有 {excluded} 个项目报送期间与监控时点不一致，单独计算，未纳入全县合计{named}。"


def key_projects_html(projects: pd.DataFrame) -> str:
    key = projects[projects["key_monitoring"].fillna(False).astype(bool)] if "key_monitoring" in projects else projects[:0]
    if key.empty:
        return message_html("本轮没有列入重点监控的项目。", kind="empty", tag="p")
    key = key.sort_values("budget_total", ascending=False, na_position="last").reset_index(drop=True)
    values = {c.key: key[c.key].to_numpy(dtype=object) if c.key in key else [None] * len(key) for c in KEY_COLUMNS}
    return html_table(values, range(len(key)), KEY_COLUMNS, shorten=True, name="key")


class Overview:
    """The leadership page: headline numbers and four charts, all from stored metrics."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.tables = tables
        figures = overview_figures(tables)
        caption = "　".join(part for part in (charts.caption_text(tables), headline_note(tables)) if part)
        self.headline = widgets.HTML(render("overview.html.j2", cards=headline_cards(tables), caption=caption))
        self.figures = figures
        self.views = {name: widgets.Output() for name in figures}
        for name, figure in figures.items():
            show_figure(self.views[name], figure)
        self.key_table = widgets.HTML(key_projects_html(tables["project_status"]),
                                      layout=widgets.Layout(max_height="420px", overflow="auto"))
        self.widget = widgets.VBox([self.headline, self.views["execution"], self.views["lights"],
                                    widgets.HTML("<h4>重点监控项目</h4>"), self.key_table, self.views["ranking"]])


def overview_figures(tables: dict[str, pd.DataFrame]) -> dict[str, go.Figure]:
    summary = tables["department_summary"]
    caption = charts.caption_text(tables)
    figures = {"execution": plots.execution_by_department(summary),
               "lights": plots.lights_by_department(summary),
               "ranking": plots.ranking_chart(summary)}
    return {name: charts.add_caption(figure, caption) for name, figure in figures.items()}


# ---------------------------------------------------------------- the dashboard

PAGES = ("全县总览", "指标查询")


class Dashboard:
    """Round selector and a page switch: 全县总览 or 指标查询.

    A page switch rather than ``Tab``: a plotly FigureWidget first drawn inside a hidden tab
    stays empty in the browser, so only the page on screen is attached to the layout.
    """

    def __init__(self, rounds: list[Round], export_dir: Path | str, served_root: Path | str | None = None,
                 download_prefix: str = VOILA_FILES):
        if not rounds:
            raise ValueError("没有可显示的监控轮次：请先运行 jixiao run（或 jixiao ingest 和 jixiao metrics）")
        self.rounds = rounds
        self.export_dir, self.served_root, self.download_prefix = Path(export_dir), served_root, download_prefix
        # The latest round first on screen; the others a click away (jixiao run keeps every round).
        self.round = widgets.Dropdown(description="监控轮次", options=[(r.label, i) for i, r in enumerate(rounds)],
                                      value=len(rounds) - 1, style={"description_width": "initial"})
        # One round: nothing to choose.
        self.round.layout.display = "" if len(rounds) > 1 else "none"
        self.page = widgets.ToggleButtons(options=PAGES, value=PAGES[0])
        self.body = widgets.Box(layout=widgets.Layout(display="block"))
        self.round.observe(lambda change: self.show(change["new"]), names="value")
        self.page.observe(lambda _change: self._attach_page(), names="value")
        self.widget = widgets.VBox([widgets.HTML(f"<h2>{TITLE}</h2>"), widgets.HBox([self.round, self.page]),
                                    self.body])
        self.show(len(rounds) - 1)

    @classmethod
    def from_processed(cls, processed_dir: Path | str = "data/processed",
                       export_dir: Path | str = Path("reports") / EXPORT_SUBDIR,
                       served_root: Path | str | None = None) -> Dashboard:
        """The dashboard over one processed folder (relative paths found from the working directory up).

        ``served_root``: the folder Voilà serves files from; exports below it download by URL.
        """
        processed_dir = Path(processed_dir)
        base = find_base(processed_dir) if not processed_dir.is_absolute() else Path("/")
        folder = base / processed_dir
        # A relative export folder lies below the served folder (so it downloads by URL), else the project.
        export_dir = Path(export_dir)
        if not export_dir.is_absolute():
            export_dir = (Path(served_root) if served_root else find_base(Path("reports"))) / export_dir
        dashboard = cls(rounds_of(folder), export_dir, served_root=served_root)
        return dashboard



    def show(self, index: int) -> None:
        tables = load_round(self.rounds[index].source)
        self.overview = Overview(tables)
        self.explorer = Explorer(tables, export_dir=self.export_dir, served_root=self.served_root,
                                 download_prefix=self.download_prefix)
        self._attach_page()

    def _attach_page(self) -> None:
        self.body.children = [self.overview.widget if self.page.value == PAGES[0] else self.explorer.widget]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
