"""Comparing two rounds: then and now, per project, indicator and department.

``compare_rounds(store, earlier, later)`` pairs projects through their cross-round identity and
indicators through identity + 二级/三级指标 names, and returns the sheets of the comparison
workbook (``…对比.xlsx``) plus a short Chinese summary for the terminal:

* 项目对比 — execution rate and lights then and now, per project;
* 部门对比 — department execution rate, score and rank then and now, rank change;
* 指标变化 — indicators whose light improved or worsened;
* 新增项目 / 消失项目 — projects only in the later / only in the earlier round;
* 连续预警 — projects with a red light (预算执行 or 双监控) in both rounds.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from jixiao.domain.formatting import is_missing
from jixiao.normalise import values as V
from jixiao.outputs.safe import put
from jixiao.store.warehouse import Round, Store, StoreError

LIGHT_ORDER = {"red": 3, "yellow": 2, "green": 1, "blue": 1}  # unknown is not ranked
LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯", "unknown": "无法判断"}
PROJECT_KEYS = ["dept_name", "unit_name", "project_name"]

NAMES_SHOWN = 5  # projects named in the printed summary; the workbook lists them all


def _light(value) -> str:
    return LIGHT_LABELS.get(value, "—") if isinstance(value, str) else "—"


def _with_identity(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    ids = tables["project_identity"][["project_id", "identity_id"]]
    return tables[name].merge(ids, on="project_id", how="left")


def _read(store: Store, round_: Round) -> dict[str, pd.DataFrame]:
    if round_ not in store.round_list():
        raise StoreError(f"数据库中没有{round_.label}，现有轮次：{'、'.join(r.label for r in store.round_list()) or '无'}")
    return store.read_round(round_, ("project_status", "indicator_status", "department_summary", "project_identity"))


def compare_rounds(store: Store, earlier: Round, later: Round) -> tuple[dict[str, pd.DataFrame], str]:
    """(sheet name -> table, Chinese summary) comparing ``earlier`` with ``later``."""
    then, now = _read(store, earlier), _read(store, later)
    a, b = earlier.label, later.label
    projects = project_comparison(then, now, a, b)
    sheets = {
        "项目对比": projects,
        "部门对比": department_comparison(then["department_summary"], now["department_summary"], a, b),
        "指标变化": indicator_changes(then, now, a, b),
        "新增项目": projects[projects["变化"] == "新增"][PROJECT_COLUMNS + [f"{b}执行率(%)", f"{b}预算执行灯"]],
        "消失项目": projects[projects["变化"] == "消失"][PROJECT_COLUMNS + [f"{a}执行率(%)", f"{a}预算执行灯"]],
        "连续预警": projects[projects["连续预警"] == "是"],
    }
    return sheets, summary_text(sheets, a, b)


PROJECT_COLUMNS = ["主管部门", "实施单位", "项目名称"]


def project_comparison(then: dict, now: dict, a: str, b: str) -> pd.DataFrame:
    cols = ["identity_id", *PROJECT_KEYS, "execution_rate", "budget_light", "target_light", "dual_light",
            "key_monitoring"]
    left = _with_identity(then, "project_status")[cols]
    right = _with_identity(now, "project_status")[cols]
    merged = left.merge(right, on="identity_id", how="outer", suffixes=("_a", "_b"), indicator="side")
    rows = []
    for row in merged.itertuples():
        in_a, in_b = row.side != "right_only", row.side != "left_only"
        name_side = "_b" if in_b else "_a"
        red_both = in_a and in_b and ("red" in (row.budget_light_a, row.dual_light_a)) and (
            "red" in (row.budget_light_b, row.dual_light_b))
        rate_a, rate_b = row.execution_rate_a, row.execution_rate_b
        rows.append({
            "主管部门": getattr(row, f"dept_name{name_side}"), "实施单位": getattr(row, f"unit_name{name_side}"),
            "项目名称": getattr(row, f"project_name{name_side}"),
            f"{a}执行率(%)": _round(rate_a), f"{b}执行率(%)": _round(rate_b),
            "执行率变化(百分点)": _round(rate_b - rate_a) if pd.notna(rate_a) and pd.notna(rate_b) else None,
            f"{a}预算执行灯": _light(row.budget_light_a), f"{b}预算执行灯": _light(row.budget_light_b),
            f"{a}双监控灯": _light(row.dual_light_a), f"{b}双监控灯": _light(row.dual_light_b),
            "变化": "新增" if not in_a else "消失" if not in_b else _trend(row.dual_light_a, row.dual_light_b),
            "连续预警": "是" if red_both else "",
        })
    frame = pd.DataFrame(rows)
    return frame.sort_values(["主管部门", "实施单位", "项目名称"], kind="stable", na_position="last").reset_index(drop=True)


def _round(value):
    return None if value is None or pd.isna(value) else round(float(value), 2)


def _trend(before, after) -> str:
    x, y = LIGHT_ORDER.get(before), LIGHT_ORDER.get(after)
    if x is None or y is None:
        return "无法比较"
    return "好转" if y < x else "变差" if y > x else "持平"


def indicator_changes(then: dict, now: dict, a: str, b: str) -> pd.DataFrame:
    """Indicators present in both rounds whose light got better or worse."""
    cols = ["identity_id", "dept_name", "unit_name", "project_name", "level2", "name", "light", "completion"]

    def keyed(tables):
        frame = _with_identity(tables, "indicator_status")[cols].copy()
        frame["key"] = frame["level2"].map(V.normalize) + "|" + frame["name"].map(V.normalize)
        return frame.drop_duplicates(["identity_id", "key"])

    merged = keyed(then).merge(keyed(now), on=["identity_id", "key"], suffixes=("_a", "_b"))
    merged["变化"] = [_trend(x, y) for x, y in zip(merged["light_a"], merged["light_b"])]
    changed = merged[merged["变化"].isin(["好转", "变差"])]
    return pd.DataFrame({
        "主管部门": changed["dept_name_b"], "实施单位": changed["unit_name_b"], "项目名称": changed["project_name_b"],
        "三级指标": changed["name_b"], f"{a}指标灯": changed["light_a"].map(_light),
        f"{b}指标灯": changed["light_b"].map(_light), f"{a}完成率(%)": changed["completion_a"].map(_round),
        f"{b}完成率(%)": changed["completion_b"].map(_round), "变化": changed["变化"],
    }).sort_values(["变化", "主管部门", "项目名称"], kind="stable").reset_index(drop=True)


def department_comparison(then: pd.DataFrame, now: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    cols = ["dept_name", "execution_rate", "score", "rank", "n_red"]
    merged = then[cols].merge(now[cols], on="dept_name", how="outer", suffixes=("_a", "_b"))
    change = merged["rank_a"] - merged["rank_b"]  # positive: moved up
    frame = pd.DataFrame({
        "主管部门": merged["dept_name"],
        f"{a}执行率(%)": merged["execution_rate_a"].map(_round), f"{b}执行率(%)": merged["execution_rate_b"].map(_round),
        f"{a}得分": merged["score_a"].map(_round), f"{b}得分": merged["score_b"].map(_round),
        f"{a}排名": merged["rank_a"], f"{b}排名": merged["rank_b"],
        "名次变化": [None if pd.isna(c) else (f"上升 {int(c)} 位" if c > 0 else f"下降 {int(-c)} 位" if c < 0 else "不变")
                 for c in change],
        f"{a}红灯指标数": merged["n_red_a"], f"{b}红灯指标数": merged["n_red_b"],
    })
    return frame.sort_values(f"{b}排名", na_position="last", kind="stable").reset_index(drop=True)


def summary_text(sheets: dict[str, pd.DataFrame], a: str, b: str) -> str:
    projects, indicators, depts = sheets["项目对比"], sheets["指标变化"], sheets["部门对比"]
    both = projects[~projects["变化"].isin(["新增", "消失"])]
    trend = both["变化"].value_counts()
    rate_a = pd.to_numeric(both[f"{a}执行率(%)"], errors="coerce").mean()
    rate_b = pd.to_numeric(both[f"{b}执行率(%)"], errors="coerce").mean()
    moved = depts.dropna(subset=[f"{a}排名", f"{b}排名"])
    ups = moved[moved["名次变化"].astype(str).str.startswith("上升")]
    downs = moved[moved["名次变化"].astype(str).str.startswith("下降")]
    lines = [
        (f"{b}与{a}对比：两轮都有的项目 {len(both)} 个，平均预算执行率 {rate_a:.1f}% → {rate_b:.1f}%；"
         f"双监控灯好转 {trend.get('好转', 0)} 个、变差 {trend.get('变差', 0)} 个、持平 {trend.get('持平', 0)} 个。"),
        f"指标：好转 {int((indicators['变化'] == '好转').sum())} 个，变差 {int((indicators['变化'] == '变差').sum())} 个。",
        (f"新增项目 {len(sheets['新增项目'])} 个，消失项目 {len(sheets['消失项目'])} 个；"
         f"连续预警（两轮都是红灯）{len(sheets['连续预警'])} 个"
         + (f"：{'、'.join(sheets['连续预警']['项目名称'].astype(str).head(NAMES_SHOWN))}"
            + ("等（全部见对比工作簿）" if len(sheets["连续预警"]) > NAMES_SHOWN else "") if len(sheets["连续预警"]) else "")
         + "。"),
        (f"部门排名上升 {len(ups)} 个、下降 {len(downs)} 个"
         + (f"；上升最多：{ups.iloc[0]['主管部门']}（{ups.iloc[0]['名次变化']}）" if len(ups) else "") + "。"),
    ]
    return "\n".join(lines)


def write_comparison(sheets: dict[str, pd.DataFrame], summary: str, path: Path) -> Path:
    """The comparison workbook: a 说明 sheet with the summary, then one sheet per table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in {"说明": pd.DataFrame({"对比说明": summary.splitlines()}), **sheets}.items():
        sheet = book.create_sheet(name)
        for col, header in enumerate(frame.columns, start=1):
            put(sheet, 1, col, header)
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for col, value in enumerate(row, start=1):
                put(sheet, r, col, None if is_missing(value) else value)  # project names come from submissions
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column[:50])
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 1.6))
    book.save(path)
    return path


def comparison_path(out_dir: Path, earlier: Round, later: Round) -> Path:
    return Path(out_dir) / f"{later.label}与{earlier.label}对比.xlsx"


def compare_and_write(store: Store, earlier: Round, later: Round, out_dir: Path) -> tuple[Path, str]:
    sheets, summary = compare_rounds(store, earlier, later)
    return write_comparison(sheets, summary, comparison_path(out_dir, earlier, later)), summary


def comparisons_for(store: Store, round_: Round, out_dir: Path) -> list[tuple[Path, str]]:
    """The round against the previous round, and every round of its year against the same period a year before."""
    stored = store.round_list()
    earlier = [r for r in stored if r < round_]
    pairs = [(earlier[-1], round_)] if earlier else []
    for later in (r for r in stored if r.year == round_.year and r <= round_):
        last_year = Round(later.year - 1, later.period)
        if last_year in stored and (last_year, later) not in pairs:
            pairs.append((last_year, later))
    return [compare_and_write(store, a, b, out_dir) for a, b in pairs]
