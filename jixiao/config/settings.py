"""The one place for configuration: monitoring year and month, money unit, paths, rule profile.

Thresholds (lights, 重点监控, tolerances of the checks, ranking weights) live in the
rule profile named by ``paths.rules`` (default: ``jixiao/profiles/default.toml``),
so that a bureau can hand a single TOML file with its local rules to every run.

Defaults follow the 2023 notice of 湟源县财政局 (源财〔2023〕432号): monitoring point
7月31日, period 1-7月, amounts in 万元. A ``jixiao.toml`` in the working directory
(or the file named by ``JIXIAO_CONFIG``) overrides any of them::

    [monitoring]
    year = 2024
    period_end_month = 8
    money_unit = "万元"

    [paths]
    raw = "data/raw"
    processed = "data/processed"
    reports = "reports"
    rules = "湟源县规则.toml"   # thresholds: a copy of jixiao/profiles/default.toml (optional)

    [ingest]
    jobs = 2                 # worker processes for large batches (0 = one per core)
    parallel_threshold = 40  # below this many files the batch runs in one process
    yuan_suspect_threshold = 100000  # a 万元 amount above this looks like 元

    [document]               # the bureau's documents (docs/briefs.md)
    county = "湟源县"
    issuer = "湟源县财政局"   # 落款
    issue_date = "2023年9月15日"  # 成文日期; empty = the run date
    doc_number = "源财绩〔2023〕  号"  # 文号 placeholder
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

CONFIG_FILE_NAME = "jixiao.toml"


@dataclass(frozen=True)
class Paths:
    raw: Path = Path("data/raw")
    processed: Path = Path("data/processed")
    reports: Path = Path("reports")
    rules: Path | None = None  # a rule profile (TOML); None = the built-in default profile
    templates: Path | None = None  # the bureau's own document templates (document.docx, document.html.j2); None = built in


@dataclass(frozen=True)
class Settings:
    year: int = 2023
    period_end_month: int = 7
    money_unit: str = "万元"
    paths: Paths = field(default_factory=Paths)
    jobs: int = 2
    parallel_threshold: int = 40
    yuan_suspect_threshold: float = 100_000.0
    # [document]: the bureau's voice in briefs and the county report (docs/briefs.md)
    county: str = "湟源县"
    issuer: str = "湟源县财政局"  # 落款 and the "我局" of every document
    issue_date: str = ""  # 成文日期 as printed (e.g. 2023年9月15日); empty: the run date
    doc_number: str = "〔    〕  号"  # 文号 placeholder the clerk fills in Word
    brief_title: str = "{issuer}关于{department}{period}项目支出绩效运行监控情况的反馈意见"
    report_title: str = "{issuer}关于{year}年度县级部门项目支出绩效运行监控情况的报告"
    report_recipient: str = "县人民政府"

    @property
    def period_label(self) -> str:
        return f"1-{self.period_end_month}月"


def period_dir(reports_root: Path, year: int, month: int) -> Path:
    """reports/<year>-<MM>/: every output of one monitoring period (month zero-padded so folders sort by time)."""
    return Path(reports_root) / f"{year}-{month:02d}"


def _section(data: dict, name: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ValueError(f"配置文件中 [{name}] 必须是一个表")
    return value


def settings_from_mapping(data: dict, base: Path | None = None) -> Settings:
    """Build settings from a parsed TOML mapping; unknown keys are an error."""
    monitoring = _section(data, "monitoring")
    ingest = _section(data, "ingest")
    document = _section(data, "document")
    paths = _section(data, "paths")
    known = {f.name for f in fields(Settings)} - {"paths"}
    flat = {**monitoring, **ingest, **document}
    unknown = set(flat) - known
    unknown |= set(paths) - {f.name for f in fields(Paths)}
    if unknown:
        raise ValueError(f"配置文件中有无法识别的设置项：{', '.join(sorted(unknown))}")
    base = base or Path.cwd()
    resolved = {k: (base / v if not Path(v).is_absolute() else Path(v)) for k, v in paths.items()}
    settings = replace(Settings(), **flat, paths=replace(Paths(), **resolved))
    if not 1 <= settings.period_end_month <= 12:
        raise ValueError("period_end_month 必须在 1 到 12 之间")
    if settings.money_unit not in ("万元", "元"):
        raise ValueError("money_unit 只能是 万元 或 元")
    return settings


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path``, ``$JIXIAO_CONFIG`` or ``./jixiao.toml``; defaults otherwise."""
    candidate = path or (Path(os.environ["JIXIAO_CONFIG"]) if os.environ.get("JIXIAO_CONFIG") else None)
    candidate = candidate or Path.cwd() / CONFIG_FILE_NAME
    if not candidate.exists():
        if path is not None:
            raise FileNotFoundError(f"找不到配置文件：{candidate}")
        return Settings()
    with candidate.open("rb") as handle:
        return settings_from_mapping(tomllib.load(handle), base=candidate.parent)
