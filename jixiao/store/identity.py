"""Project identity across rounds and years.

Within a round a project is its ``project_id`` (hash of 实施单位 + 项目名称). Across rounds
names drift (“…项目” added, a word changed) and units get renamed, so each round's projects
are matched to the projects seen before, in this order:

1. the mapping file (``paths.identity_map``: 实施单位, 项目名称, 对应项目名称[, 对应实施单位]);
2. exact: the same normalised unit and name (the same ``project_id``);
3. code: the same 主管部门代码 and normalised name (the unit was renamed);
4. fuzzy: the same unit (or 主管部门代码) and a name similarity of at least
   ``[checks] project_name_min_similarity`` — with a finding, so a clerk can confirm it;
5. otherwise the project is new.

The stable ``identity_id`` is the ``project_id`` of the project's first appearance.
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from jixiao.normalise import values as V
from jixiao.store.schema import is_missing
from jixiao.store.warehouse import Round

MAPPING_HEADERS = {"实施单位": "unit_name", "项目名称": "project_name", "对应项目名称": "earlier_name",
                   "对应实施单位": "earlier_unit"}


def _key(value) -> str:
    return "" if is_missing(value) else V.normalize(value)


def read_mapping(path: Path | None) -> pd.DataFrame:
    """The override table (CSV in UTF-8/GBK, or .xlsx): one row per current name -> earlier name."""
    columns = list(MAPPING_HEADERS.values())
    if path is None or not Path(path).is_file():
        return pd.DataFrame(columns=columns)
    path = Path(path)
    if path.suffix.lower() == ".csv":  # clerks save CSV from Excel in GBK as often as in UTF-8
        raw = path.read_bytes()
        text = str(from_bytes(raw).best()) if raw else ""
        frame = pd.read_csv(io.StringIO(text), dtype=str)
    else:
        frame = pd.read_excel(path, dtype=str)
    frame = frame.rename(columns={c: MAPPING_HEADERS.get(str(c).strip(), c) for c in frame.columns})
    missing = [h for h, name in MAPPING_HEADERS.items() if name in ("project_name", "earlier_name") and name not in frame]
    if missing:
        raise ValueError(f"项目对应表 {path} 缺少列：{'、'.join(missing)}")
    return frame.reindex(columns=columns)


def known_projects(identities: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """The latest appearance of every identity before this round: names, unit, code, round."""
    if identities.empty:
        return pd.DataFrame(columns=["identity_id", "project_id", "unit_name", "dept_name", "dept_code",
                                     "project_name", "round_year", "round_period"])
    merged = identities[["round_year", "round_period", "project_id", "identity_id"]].merge(
        projects[["round_year", "round_period", "project_id", "unit_name", "dept_name", "dept_code", "project_name"]],
        on=["round_year", "round_period", "project_id"], how="inner")
    merged = merged.sort_values(["round_year", "round_period"]).drop_duplicates("identity_id", keep="last")
    return merged.reset_index(drop=True)


def assign_identities(projects: pd.DataFrame, known: pd.DataFrame, min_similarity: float,
                      mapping: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """(project_identity rows, findings) for this round's ``projects``."""
    open_known = {row.identity_id: row for row in known.itertuples()}
    result: dict[str, dict] = {}
    for project in projects.itertuples():
        match = _mapped(project, open_known, mapping) or _exact(project, open_known) or _by_code(project, open_known)
        if match:
            result[project.project_id] = match
            open_known.pop(match["identity_id"], None)
    findings = []
    unmatched = [p for p in projects.itertuples() if p.project_id not in result]
    for project, row, score in _fuzzy_pairs(unmatched, list(open_known.values()), min_similarity):
        result[project.project_id] = _row(project, row, "fuzzy", score)
        findings.append(_drift_finding(project, row, score))
    for project in projects.itertuples():
        result.setdefault(project.project_id, {"project_id": project.project_id, "identity_id": project.project_id,
                                               "match": "new"})
    return pd.DataFrame([result[p.project_id] for p in projects.itertuples()]), findings


def _round_label(row) -> str:
    return Round(int(row.round_year), int(row.round_period)).label


def _row(project, known_row, how: str, score: float | None = None) -> dict:
    return {"project_id": project.project_id, "identity_id": known_row.identity_id, "match": how,
            "matched_round": _round_label(known_row), "matched_name": known_row.project_name, "similarity": score}


def _same_unit(project, row) -> bool:
    unit = _key(project.unit_name) or _key(project.dept_name)
    return unit == (_key(row.unit_name) or _key(row.dept_name))


def _mapped(project, open_known: dict, mapping: pd.DataFrame | None) -> dict | None:
    if mapping is None or mapping.empty:
        return None
    for entry in mapping.itertuples():
        if _key(entry.project_name) != _key(project.project_name):
            continue
        if not is_missing(entry.unit_name) and _key(entry.unit_name) != _key(project.unit_name):
            continue
        for row in open_known.values():
            unit_ok = _key(entry.earlier_unit) == _key(row.unit_name) if not is_missing(entry.earlier_unit) \
                else _same_unit(project, row)
            if unit_ok and _key(row.project_name) == _key(entry.earlier_name):
                return _row(project, row, "mapping")
    return None


def _exact(project, open_known: dict) -> dict | None:
    for row in open_known.values():
        if row.project_id == project.project_id or (
                _same_unit(project, row) and _key(row.project_name) == _key(project.project_name)):
            return _row(project, row, "exact")
    return None


def _by_code(project, open_known: dict) -> dict | None:
    code = _key(project.dept_code)
    if not code:
        return None
    for row in open_known.values():
        if _key(row.dept_code) == code and _key(row.project_name) == _key(project.project_name):
            return _row(project, row, "code")
    return None


def _fuzzy_pairs(projects: list, known: list, min_similarity: float):
    """Best-first pairs of similar names within the same unit or the same 主管部门代码."""
    scored = sorted(
        ((V.text_similarity(p.project_name, k.project_name), i, j) for i, p in enumerate(projects)
         for j, k in enumerate(known)
         if _same_unit(p, k) or (_key(p.dept_code) and _key(p.dept_code) == _key(k.dept_code))),
        key=lambda t: (-t[0], t[1], t[2]))
    for i, j, score in V.best_first_pairs(scored, min_similarity):
        yield projects[i], known[j], round(score, 3)


def _drift_finding(project, row, score: float) -> dict:
    earlier = _round_label(row)
    suggestion = ("项目名称应与预算批复一致、各轮次保持不变；如确是同一项目，请改回原名称；"
                  "如不是同一项目，请告知财政局在项目对应表中注明。")
    return {"source_file": project.source_file, "sheet": project.sheet, "cell": project.project_name_cell,
            "code": "PROJECT_NAME_DRIFTED", "project_id": project.project_id,
            "message": f"项目名称“{project.project_name}”与{earlier}报送的“{row.project_name}”相近"
                       f"（相似度 {score:.0%}），已按同一项目跟踪。{suggestion}",
            "suggestion": suggestion}
