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
    store = "data/jixiao.duckdb"  # the store of every round (DuckDB)
    export = "data/export"        # Parquet per round, hive-partitioned year=/period=/
    replies = "data/replies"      # returned feedback workbooks, one folder per round (2023-07/)
    identity_map = "项目对应表.csv"  # optional: 实施单位, 项目名称, 对应项目名称

    [ingest]
    jobs = 2                 # worker processes for large batches (0 = one per core)
    parallel_threshold = 40  # below this many files the batch runs in one process
    yuan_suspect_threshold = 100000  # a 万元 amount above this looks like 元
    file_timeout_seconds = 30    # 每个文件的读取时间上限（秒），超时记为无法读取，其余文件照常
    file_memory_mb = 1024        # 每个文件的读取内存上限（MB）
    max_unpacked_mb = 200        # 工作簿解压后任一部件的大小上限（MB），防“压缩炸弹”
    max_sheets = 200             # 工作表数上限
    max_cells = 2000000          # 每张工作表读取的单元格数上限（按实际填写的内容计）
    amount_ceiling = 1000000     # 金额上限（万元，即 100 亿元）；超过、为负或非数值的金额不计入合计

    [document]               # the bureau's documents (docs/briefs.md)
    county = "湟源县"
    issuer = "湟源县财政局"   # 落款
    issue_date = "2023年9月15日"  # 成文日期; empty = the run date
    doc_number = "源财绩〔2023〕  号"  # 文号 placeholder
"""
from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from pydantic.dataclasses import dataclass

from jixiao.config.environment import environment
from jixiao.config.errors import chinese_errors

CONFIG_FILE_NAME = "jixiao.toml"
# Unknown keys are an error: a typo must never fall back silently to a default.
STRICT = ConfigDict(extra="forbid")
# Sections of jixiao.toml whose keys are fields of Settings itself (the others are nested tables).
FLAT_SECTIONS = ("monitoring", "ingest", "document")


@dataclass(frozen=True, config=STRICT)
class Paths:
    raw: Path = Path("data/raw")
    processed: Path = Path("data/processed")
    reports: Path = Path("reports")
    rules: Path | None = None  # a rule profile (TOML); None = the built-in default profile
    store: Path = Path("data/jixiao.duckdb")  # every round's tables (DuckDB), see jixiao.store.warehouse
    export: Path = Path("data/export")  # Parquet per round: <table>/year=<Y>/period=<N>/
    replies: Path = Path("data/replies")  # returned feedback workbooks: <round, e.g. 2023-07>/*.xlsx
    identity_map: Path | None = None  # CSV/xlsx: 实施单位, 项目名称, 对应项目名称 (overrides project matching)
    templates: Path | None = None  # the bureau's own document templates (document.docx, document.html.j2); None = built in


@dataclass(frozen=True, config=STRICT)
class Settings:
    year: int = Field(2023, ge=2000, le=2100)  # 监控年度 (the notice's year)
    period_end_month: int = Field(7, ge=1, le=12)  # 监控时点：1-N月 (the notice: 7月31日)
    money_unit: Literal["万元", "元"] = "万元"  # the unit of amounts when a table does not say
    paths: Paths = Field(default_factory=Paths)
    jobs: int = Field(2, ge=0)  # worker processes for large batches (0 = one per core)
    parallel_threshold: int = Field(40, ge=1)  # below this many files one process reads them all
    yuan_suspect_threshold: float = Field(100_000.0, gt=0)  # a 万元 amount above this looks like 元
    # The notice (源财〔2023〕432号 五、3): tables reach the bureau "于2023年8月30日前"; "MM-DD" in the monitoring year.
    submission_deadline: str = "08-30"
    # Hostile input: limits that keep one file from stopping or exhausting a batch (README 读取限制).
    file_timeout_seconds: float = Field(30.0, gt=0)  # a file still being read after this is failed
    file_memory_mb: int = Field(1024, ge=1)  # memory one worker may use for one file
    max_unpacked_mb: int = Field(200, ge=1)  # total uncompressed size of a workbook's zip members
    max_sheets: int = Field(200, ge=1)  # sheets per workbook
    max_cells: int = Field(2_000_000, ge=1)  # formatted cells of an old .xls read with their formats
    amount_ceiling: float = Field(1_000_000.0, gt=0)  # 万元: an amount above this is implausible (excluded from totals)
    # [document]: the bureau's voice in briefs and the county report (docs/briefs.md)
    county: str = "湟源县"
    issuer: str = "湟源县财政局"  # 落款 and the "我局" of every document
    issue_date: str = ""  # 成文日期 as printed (e.g. 2023年9月15日); empty: the run date
    doc_number: str = "〔    〕  号"  # 文号 placeholder the clerk fills in Word
    brief_title: str = "{issuer}关于{department}{period}项目支出绩效运行监控情况的反馈意见"
    report_title: str = "{issuer}关于{year}年度县级部门项目支出绩效运行监控情况的报告"
    report_recipient: str = "县人民政府"

    @field_validator("submission_deadline")
    @classmethod
    def _month_day(cls, value: str) -> str:
        try:
            dt.date.fromisoformat(f"2024-{value}")  # a leap year, so 02-29 is a real day
        except ValueError:
            raise ValueError("应写成“月-日”，如 08-30") from None
        return value

    @property
    def period_label(self) -> str:
        return f"1-{self.period_end_month}月"

    @property
    def monitoring_date(self) -> dt.date:
        """The monitoring point: the last day of month N of the monitoring year (default 2023-07-31)."""
        return dt.date(self.year, self.period_end_month, calendar.monthrange(self.year, self.period_end_month)[1])

    @property
    def deadline_date(self) -> dt.date:
        """The submission deadline in the monitoring year (default 2023-08-30)."""
        month, day = (int(part) for part in self.submission_deadline.split("-"))
        return dt.date(self.year, month, day)


SETTINGS = TypeAdapter(Settings)


def period_dir(reports_root: Path, year: int, month: int) -> Path:
    """reports/<year>-<MM>/: every output of one monitoring period (month zero-padded so folders sort by time)."""
    return Path(reports_root) / f"{year}-{month:02d}"


def settings_from_mapping(data: dict, base: Path | None = None) -> Settings:
    """Settings from a parsed jixiao.toml mapping; errors are Chinese and name the key."""
    flat: dict = {}
    for section, value in data.items():
        if not isinstance(value, dict):
            raise ValueError(f"配置文件中 [{section}] 必须是一个表")
        if section in FLAT_SECTIONS:
            flat.update(value)
        elif section in _nested_sections():
            flat[section] = _resolve_paths(value, base or Path.cwd()) if section == "paths" else value
        else:
            raise ValueError(f"配置文件中有无法识别的设置项：[{section}]")
    try:
        return SETTINGS.validate_python(flat)
    except ValidationError as exc:
        raise ValueError("配置文件有误：" + "；".join(chinese_errors(exc))) from None


def with_overrides(settings: Settings, **overrides) -> Settings:
    """A copy of ``settings`` with some fields changed, validated like a file (command-line options)."""
    current = {f.name: getattr(settings, f.name) for f in fields(settings)}
    try:
        return SETTINGS.validate_python({**current, **overrides})
    except ValidationError as exc:
        raise ValueError("；".join(chinese_errors(exc))) from None


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path``, ``$JIXIAO_CONFIG`` or ``./jixiao.toml``; defaults otherwise."""
    candidate = path or environment().config
    candidate = candidate or Path.cwd() / CONFIG_FILE_NAME
    if not candidate.exists():
        if path is not None or environment().config is not None:
            raise FileNotFoundError(f"找不到配置文件：{candidate}")
        return Settings()
    try:
        with candidate.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"配置文件 {candidate} 不是有效的 TOML：{exc}") from None
    return settings_from_mapping(data, base=candidate.parent)


def _nested_sections() -> set[str]:
    defaults = Settings()
    return {f.name for f in fields(Settings) if is_dataclass(getattr(defaults, f.name))}


def _resolve_paths(paths: dict, base: Path) -> dict:
    """Relative paths in jixiao.toml are relative to the file, not to wherever the command runs."""
    return {k: (v if not isinstance(v, str) or Path(v).is_absolute() else str(base / v)) for k, v in paths.items()}
