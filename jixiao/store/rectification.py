"""整改 follow-up: what a round asks units to correct, and whether they did by the next round.

Every error finding, red light (预算执行 or 目标完成) and 重点监控 project of a round becomes a
rectification item (整改事项). Items are keyed by the project's cross-round identity and the
problem's kind/code, so the same problem has the same ``item_id`` in every round.

In the next round each open item of the previous round is marked

* 已整改 — the problem is gone from the new data;
* 整改中 — still there, but the unit replied with measures (整改措施) in the returned feedback;
* 未整改 — still there and no measures (or the project was not reported again);

and the new round's own problems are added as 待整改. The feedback workbook carries the open
items with empty columns 整改措施 / 责任人 / 完成时限; :func:`read_replies` reads them back.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd

from jixiao.normalise import values as V
from jixiao.outputs.safe import put
from jixiao.store import schema
from jixiao.store.schema import is_missing
from jixiao.store.tables import has_table, read_table

SHEET = "整改事项"
FILE_KEY = "file:"  # identity of an item about a whole file (no project)
NEW, DONE, DOING, OPEN = "待整改", "已整改", "整改中", "未整改"
STILL_OPEN = (NEW, DOING, OPEN)
# Columns of the 整改事项 sheet; the last three are the unit's to fill.
REPLY_COLUMNS = ("整改措施", "责任人", "完成时限")
SHEET_COLUMNS = ("序号", "事项编号", "项目名称", "整改事项", "首次发现", "本轮状态", "财政局建议", *REPLY_COLUMNS)
KIND_LABELS = {"finding": "必须改正的问题", "budget_red": "预算执行红灯", "target_red": "目标完成红灯",
               "key_monitoring": "重点监控"}


def _text(value) -> str:
    return "" if is_missing(value) else str(value).strip()


def item_id(identity: str, kind: str, code: str) -> str:
    return hashlib.sha1(f"{identity}|{kind}|{code}".encode()).hexdigest()[:10]


# -- items of one round ---------------------------------------------------------------------------
def round_items(tables: dict[str, pd.DataFrame], identity: pd.DataFrame, label: str) -> pd.DataFrame:
    """This round's problems as rectification items (status 待整改, first seen in ``label``)."""
    to_identity = dict(zip(identity["project_id"], identity["identity_id"]))
    projects = tables["projects"].set_index("project_id", drop=False)
    status = tables["project_status"].set_index("project_id", drop=False)
    rows = []
    findings = tables["findings"]
    errors = findings[findings["severity"] == "error"]
    # A problem of a whole file (unreadable, not a form) has no project: the file stands for it.
    owner = errors["project_id"].where(errors["project_id"].notna(), FILE_KEY + errors["source_file"].fillna(""))
    for (pid, code), group in errors.assign(_owner=owner).groupby(["_owner", "code"], sort=True):
        first = group.iloc[0]
        more = f"（共 {len(group)} 处，见问题清单）" if len(group) > 1 else ""
        where = f"{_text(first['sheet'])}!{_text(first['cell'])}：" if _text(first["cell"]) else ""
        rows.append(_item(pid, "finding", code, f"{where}{_problem(first)}{more}", _text(first["suggestion"]),
                          to_identity, projects, label, source_file=first["source_file"]))
    for row in status.itertuples():
        advice = _text(row.suggestion)
        if row.budget_light == "red":
            rows.append(_item(row.project_id, "budget_red", "BUDGET_RED", f"预算执行红灯：{_text(row.budget_reason)}",
                              advice, to_identity, projects, label))
        if row.target_light == "red":
            rows.append(_item(row.project_id, "target_red", "TARGET_RED", f"目标完成红灯：{_text(row.target_reason)}",
                              advice, to_identity, projects, label))
        if bool(row.key_monitoring) if not is_missing(row.key_monitoring) else False:
            rows.append(_item(row.project_id, "key_monitoring", "KEY_MONITORING",
                              f"列入财政重点监控：{_text(row.key_reason)}", advice, to_identity, projects, label))
    return schema.conform(pd.DataFrame(rows), "rectification")


def _problem(finding) -> str:
    message, suggestion = _text(finding["message"]), _text(finding["suggestion"])
    return message[: -len(suggestion)] if suggestion and message.endswith(suggestion) else message


def _item(pid, kind, code, what, suggestion, to_identity, projects, label, source_file=None) -> dict:
    identity = to_identity.get(pid, pid)
    project = projects.loc[pid] if pid in projects.index else None
    get = (lambda k: None) if project is None else project.get
    return {"item_id": item_id(identity, kind, code), "kind": kind, "code": code, "identity_id": identity,
            "project_id": None if str(pid).startswith(FILE_KEY) else pid, "dept_name": get("dept_name"),
            "unit_name": get("unit_name"), "project_name": get("project_name") or (
                f"（文件）{Path(str(source_file)).name}" if source_file else None),
            "source_file": get("source_file") or source_file, "what": what,
            "suggestion": suggestion or None, "since_round": label, "status": NEW,
            "status_reason": f"{label}新发现"}


# -- follow-up ------------------------------------------------------------------------------------
def follow_up(previous: pd.DataFrame, current: pd.DataFrame, replies: pd.DataFrame, projects: pd.DataFrame,
              identity: pd.DataFrame, previous_label: str) -> pd.DataFrame:
    """This round's rectification table: the previous round's open items with their status, then new items."""
    still = set(current["item_id"])
    by_id = current.set_index("item_id", drop=False)
    reported = set(identity["identity_id"])
    replies = replies if replies is not None else pd.DataFrame(columns=["item_id", "project_name", *REPLY_COLUMNS])
    rows, carried = [], set()
    for item in previous[previous["status"].isin(STILL_OPEN)].itertuples():
        reply = _reply_for(item, replies)
        row = by_id.loc[item.item_id].to_dict() if item.item_id in still else {
            k: getattr(item, k) for k in ("item_id", "kind", "code", "identity_id", "dept_name", "unit_name",
                                          "project_name", "what", "suggestion")}
        row.update(since_round=item.since_round, reply_measures=reply.get("整改措施"),
                   reply_person=reply.get("责任人"), reply_deadline=reply.get("完成时限"))
        if item.identity_id not in reported and not str(item.identity_id).startswith(FILE_KEY):
            row.update(status=OPEN, status_reason=f"本轮未报送该项目，无法核实整改情况（{previous_label}提出）",
                       project_id=None, source_file=None)
        elif item.item_id not in still:
            row.update(status=DONE, status_reason="本轮报送的数据中该问题已消除", project_id=_current_pid(item, identity),
                       source_file=_source_of(_current_pid(item, identity), projects))
        elif reply.get("整改措施"):
            row.update(status=DOING, status_reason=f"问题仍在，单位已回复整改措施：{reply['整改措施']}")
        else:
            row.update(status=OPEN, status_reason="问题仍在，单位未回复整改措施")
        rows.append(row)
        carried.add(item.item_id)
    rows += [row for row in current.to_dict("records") if row["item_id"] not in carried]
    return schema.conform(pd.DataFrame(rows), "rectification")


def _current_pid(item, identity: pd.DataFrame) -> str | None:
    match = identity.loc[identity["identity_id"] == item.identity_id, "project_id"]
    return None if match.empty else match.iloc[0]


def _source_of(pid, projects: pd.DataFrame) -> str | None:
    match = projects.loc[projects["project_id"] == pid, "source_file"] if pid else pd.Series(dtype=object)
    return None if match.empty else match.iloc[0]


def _reply_for(item, replies: pd.DataFrame) -> dict:
    """The unit's answer to ``item``: by 事项编号, else a reply row for the whole project (no 编号)."""
    if replies.empty:
        return {}
    exact = replies[replies["item_id"] == item.item_id]
    if exact.empty:
        exact = replies[replies["item_id"].map(_text).eq("")
                        & replies["project_name"].map(V.normalize).eq(V.normalize(item.project_name))]
    if exact.empty:
        return {}
    row = exact.iloc[-1]
    return {key: _text(row[key]) or None for key in REPLY_COLUMNS}


# -- replies (returned feedback workbooks) --------------------------------------------------------
def read_replies(folder: Path | None) -> pd.DataFrame:
    """Every row of every 整改事项 sheet in the returned workbooks under ``folder`` that has an answer."""
    columns = ["item_id", "project_name", *REPLY_COLUMNS, "reply_file"]
    rows = []
    if folder is None or not Path(folder).is_dir():
        return pd.DataFrame(columns=columns)
    for path in sorted(Path(folder).rglob("*.xlsx")):
        if path.name.startswith("~$"):
            continue
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001, S112 - a broken reply must not stop the round; it gives no answer
            continue
        try:
            if SHEET not in book.sheetnames:
                continue
            rows += _sheet_rows(book[SHEET], path.name)
        finally:
            book.close()
    return pd.DataFrame(rows, columns=columns)


def _sheet_rows(sheet, file_name: str) -> list[dict]:
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next((i for i, r in enumerate(values) if "整改措施" in [_text(v) for v in r]), None)
    if header_at is None:
        return []
    header = [_text(v) for v in values[header_at]]
    where = {name: header.index(name) for name in ("事项编号", "项目名称", *REPLY_COLUMNS) if name in header}
    out = []
    for r in values[header_at + 1:]:
        cell = {name: (_text(r[i]) if i < len(r) else "") for name, i in where.items()}
        if not any(cell.get(name) for name in REPLY_COLUMNS):
            continue
        out.append({"item_id": cell.get("事项编号") or None, "project_name": cell.get("项目名称") or None,
                    **{name: cell.get(name) or None for name in REPLY_COLUMNS}, "reply_file": file_name})
    return out


# -- facts for the briefs -------------------------------------------------------------------------
def followup_facts(rectification: pd.DataFrame, dept_name: str | None = None) -> dict:
    """“上轮问题整改情况”: counts per status of the items carried from earlier rounds, and the open ones.

    ``rectification`` is a round's table (``rectification.parquet`` beside the tidy tables).
    """
    frame = rectification if dept_name is None else rectification[rectification["dept_name"] == dept_name]
    carried = frame[frame["status"] != NEW]
    counts = {status: int((carried["status"] == status).sum()) for status in (DONE, DOING, OPEN)}
    total = sum(counts.values())
    open_items = carried[carried["status"] != DONE][["unit_name", "project_name", "what", "status", "status_reason",
                                                     "since_round"]]
    sentence = ("上轮没有需要跟踪的整改事项。" if not total else
                f"上轮提出的整改事项 {total} 项：已整改 {counts[DONE]} 项，整改中 {counts[DOING]} 项，"
                f"未整改 {counts[OPEN]} 项（整改率 {counts[DONE] / total:.0%}）。")
    return {"total": total, **counts, "new": int((frame["status"] == NEW).sum()), "sentence": sentence,
            "open_items": open_items.to_dict("records")}


# -- the 整改事项 sheet of a feedback workbook ------------------------------------------------------
def open_items_by_file(processed_dir: Path) -> dict[str, pd.DataFrame]:
    """source_file -> the round's open items (待整改, 整改中, 未整改) of the projects in that file."""
    if not has_table(processed_dir, "rectification"):
        return {}
    items = read_table(processed_dir, "rectification")
    items = items[items["status"].isin(STILL_OPEN) & items["source_file"].notna()]
    return {source: group for source, group in items.groupby("source_file", sort=True)}


def add_items_sheet(book: openpyxl.Workbook, items: pd.DataFrame) -> None:
    """A 整改事项 sheet after 问题清单: the open items, with empty 整改措施 / 责任人 / 完成时限 for the unit."""
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = book.create_sheet(SHEET, 1 if len(book.sheetnames) else 0)
    sheet.cell(1, 1, "整改事项：请逐项填写整改措施、责任人和完成时限（黄色列），随下一轮监控表一并报回；"
                     "“事项编号”请勿改动。").font = Font(bold=True)
    widths = (6, 12, 24, 60, 14, 10, 40, 40, 10, 14)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for col, (header, width) in enumerate(zip(SHEET_COLUMNS, widths), start=1):
        cell = sheet.cell(2, col, header)
        cell.font = Font(bold=True)
        if header in REPLY_COLUMNS:
            cell.fill = fill
        sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width
    for n, item in enumerate(items.itertuples(), start=1):
        values = (n, item.item_id, item.project_name, item.what, item.since_round, item.status, item.suggestion,
                  item.reply_measures, item.reply_person, item.reply_deadline)
        for col, value in enumerate(values, start=1):
            cell = put(sheet, 2 + n, col, None if is_missing(value) else value)  # units' replies are untrusted
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if SHEET_COLUMNS[col - 1] in REPLY_COLUMNS:
                cell.fill = fill
    sheet.freeze_panes = "A3"


def load_followup_facts(processed_dir: Path, dept_name: str | None = None) -> dict | None:
    """:func:`followup_facts` of the round in ``processed_dir``; None when the run kept no 整改 items."""
    if not has_table(processed_dir, "rectification"):
        return None
    return followup_facts(read_table(processed_dir, "rectification"), dept_name)
