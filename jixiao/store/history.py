"""The history stage of a round: what earlier rounds in the store say about this one.

Runs after metrics, on the round's folder of tidy tables, and writes back into it:

* ``project_identity.parquet`` — each project's cross-round identity (:mod:`jixiao.store.identity`);
* findings of the round rules (PROJECT_NAME_DRIFTED, CUMULATIVE_DECREASED) and, without an approved
  list, the rigidity findings against the same year's previous round
  (:mod:`jixiao.validate.between_rounds`);
* ``rectification.parquet`` — this round's 整改 items and the follow-up of the previous round's
  (:mod:`jixiao.store.rectification`).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from jixiao.store import schema
from jixiao.store.identity import assign_identities, known_projects, read_mapping
from jixiao.store.rectification import follow_up, round_items
from jixiao.store.tables import FINDINGS_OF_LATER_STAGES, has_table, read_findings, read_table, table_path, write_tables
from jixiao.store.warehouse import ROUND_TABLES, Round, Store
from jixiao.validate.between_rounds import cumulative_findings, rigidity_between

WORK_TABLES = tuple(name for name in ROUND_TABLES if name != "round_inputs")


def read_work_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The round's tables in ``folder`` (missing ones empty); ``findings`` holds every stage's findings."""
    folder = Path(folder)
    tables = {name: read_table(folder, name) if has_table(folder, name) else schema.empty_frame(name)
              for name in WORK_TABLES}
    if has_table(folder, "findings"):
        tables["findings"] = read_findings(folder)
    return tables


def restore_work_tables(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    """A round folder rebuilt from the store, whose ``findings`` already hold every stage's findings."""
    folder = Path(folder)
    write_tables(folder, {name: tables[name] for name in WORK_TABLES if name in tables})
    for name in FINDINGS_OF_LATER_STAGES:
        table_path(folder, name).unlink(missing_ok=True)


def _previous(store: Store, round_: Round, same_year: bool) -> Round | None:
    earlier = [r for r in store.round_list() if r < round_ and (r.year == round_.year or not same_year)]
    return earlier[-1] if earlier else None


def apply_history(folder: Path, round_: Round, store: Store, settings, profile, approved_given: bool) -> str:
    """Identity, round findings and 整改 items for the round in ``folder``; returns a Chinese summary."""
    from jixiao.domain.findings import severity_of

    tables = read_work_tables(folder)
    limits = profile.checks
    earlier_identity = store.read_table("project_identity", before=round_)
    earlier_projects = store.read_table("projects", before=round_)
    identity, findings = assign_identities(tables["projects"], known_projects(earlier_identity, earlier_projects),
                                           limits.project_name_min_similarity,
                                           read_mapping(settings.paths.identity_map))
    tables["project_identity"] = schema.conform(identity, "project_identity")
    notes = [_identity_note(identity)]
    same_year = _previous(store, round_, same_year=True)
    if same_year is not None:
        before = store.read_round(same_year, ("projects", "funds", "indicators", "project_identity"))
        findings += cumulative_findings(tables, before, round_.label, same_year.label, limits.amount_tolerance)
        if not approved_given:
            findings += rigidity_between(tables, before, same_year.label, limits.rename_min_similarity,
                                         limits.amount_tolerance)
        notes.append(f"与{same_year.label}比对")
    for item in findings:
        item["severity"] = severity_of(item["code"])
    history_findings = schema.conform(pd.DataFrame(findings), "history_findings")
    tables["findings"] = pd.concat([tables["findings"], history_findings], ignore_index=True)
    items = round_items(tables, identity, round_.label)
    previous = _previous(store, round_, same_year=False)
    if previous is not None:
        from jixiao.store.rectification import read_replies

        earlier_items = store.read_round(previous, ("rectification",))["rectification"]
        replies = read_replies(settings.paths.replies / previous.key)
        items = follow_up(earlier_items, items, replies, tables["projects"], identity, previous.label)
        counts = items["status"].value_counts()
        notes.append(f"{previous.label}的整改事项：已整改 {counts.get('已整改', 0)}，整改中 {counts.get('整改中', 0)}，"
                     f"未整改 {counts.get('未整改', 0)}（收到回复 {len(replies)} 条）")
    tables["rectification"] = items
    write_tables(folder, {"history_findings": history_findings, "project_identity": tables["project_identity"],
                          "rectification": items})
    codes = pd.Series([f["code"] for f in findings], dtype=object).value_counts()
    found = "，".join(f"{code} {n}" for code, n in codes.items()) or "无"
    new = int((items["status"] == "待整改").sum())
    return f"{'；'.join(notes)}；跨轮次问题：{found}；本轮新发现整改事项 {new} 项。"


def _identity_note(identity: pd.DataFrame) -> str:
    counts = identity["match"].value_counts()
    return (f"项目对应：沿用 {int(counts.drop('new', errors='ignore').sum())} 个"
            f"（其中名称相近 {int(counts.get('fuzzy', 0))} 个），新出现 {int(counts.get('new', 0))} 个")
