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
FLAT_SECTIONS = ("monitoring", "ingest")


@dataclass(frozen=True, config=STRICT)
class Paths:
    raw: Path = Path("data/raw")
    processed: Path = Path("data/processed")
    reports: Path = Path("reports")
    rules: Path | None = None  # a rule profile (TOML); None = the built-in default profile


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
