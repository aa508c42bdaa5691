"""Rule profiles: every threshold and choice the metrics use, kept in a TOML file.

The default profile (``jixiao/profiles/default.toml``, Chinese comments) follows
the domain notes §4. A bureau copies it, edits it and passes it with ``--rules``;
keys it leaves out keep their default, unknown keys are an error (a typo must not
silently fall back to a default). Every output records the profile's name and a
hash of the file's bytes, so a brief can say exactly which rules it used.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from jixiao.config.errors import chinese_errors

DEFAULT_PROFILE_PATH = Path(__file__).resolve().parents[1] / "profiles" / "default.toml"
PERCENT = 100.0  # percentages are stored as 95 for 95 %, like the ingest tables
MONTHS_PER_YEAR = 12
HASH_LENGTH = 16  # hex characters of the SHA-256 shown in outputs; enough to tell files apart

Light = Literal["red", "yellow", "green", "blue", "unknown"]
LIGHTS: tuple[str, ...] = Light.__args__
ProjectKind = Literal["salary_like", "direct_subsidy", "scheduled", "construction", "procurement"]
PROJECT_KINDS: tuple[str, ...] = ProjectKind.__args__
# Every section refuses unknown keys (a typo must not silently fall back to a default) and is immutable.
SECTION = ConfigDict(extra="forbid")


class RuleProfileError(ValueError):
    """A rule profile that cannot be used; the message is Chinese and names the key."""


@dataclass(frozen=True, config=SECTION)
class TimeProgressRules:
    basis: Literal["months", "days"]


@dataclass(frozen=True, config=SECTION)
class BudgetRules:
    denominator: Literal["budget_total", "budget_fiscal"]
    red_below: float
    green_from: float
    expected_rate_yellow_below: float


@dataclass(frozen=True, config=SECTION)
class RateRules:
    units: tuple[str, ...]
    name_keywords: tuple[str, ...]


@dataclass(frozen=True, config=SECTION)
class CumulativeRules:
    level2: tuple[str, ...]
    one_off_name_keywords: tuple[str, ...]


@dataclass(frozen=True, config=SECTION)
class QualitativeRules:
    not_achieved: tuple[str, ...]
    partly_achieved: tuple[str, ...]
    achieved: tuple[str, ...]
    achieved_completion: float
    partly_completion: float
    not_achieved_completion: float


@dataclass(frozen=True, config=SECTION)
class BottomLineRules:
    name_keywords: tuple[str, ...]
    level2: tuple[str, ...]


@dataclass(frozen=True, config=SECTION)
class PlausibilityRules:
    forecast_ratio_max: float
    actual_over_forecast_max: float


@dataclass(frozen=True, config=SECTION)
class DeadlineRules:
    done: tuple[str, ...]
    partly: tuple[str, ...]
    in_progress: tuple[str, ...]
    not_started: tuple[str, ...]
    holidays: tuple[str, ...]
    not_started_warn_days: int


@dataclass(frozen=True, config=SECTION)
class IndicatorRules:
    deviation_red_above: float
    deviation_yellow_above: float
    pace_red_below: float
    pace_green_from: float
    blue_pace_from: float
    blue_pace_forecast_from: float
    blue_forecast_ratio_above: float
    negative_yellow_band: float
    equal_rate_as_positive: bool
    actual_when_forecast_missing: bool
    rate: RateRules
    cumulative: CumulativeRules
    qualitative: QualitativeRules
    bottom_line: BottomLineRules
    plausibility: PlausibilityRules
    deadline: DeadlineRules


@dataclass(frozen=True, config=SECTION)
class PossibilityRules:
    at_least_yellow: tuple[str, ...]
    red: tuple[str, ...]


@dataclass(frozen=True, config=SECTION)
class DualLightRules:
    execution_ok: tuple[Light, ...]
    targets_ok: tuple[Light, ...]


@dataclass(frozen=True, config=SECTION)
class PeriodRules:
    compare_other_periods: bool


@dataclass(frozen=True, config=SECTION)
class KeyMonitoringRules:
    money_threshold: float
    max_projects: int
    risk_money: Literal["max", "sum"]
    min_severity: int
    budget_red_points: int
    budget_yellow_points: int
    target_red_points: int
    target_yellow_points: int


@dataclass(frozen=True, config=SECTION)
class StockRules:
    large_amount: float
    slow_ratio_below: float
    poor_result_lights: tuple[Light, ...]


@dataclass(frozen=True, config=SECTION)
class ProjectKindRules:
    salary_like: tuple[str, ...]
    direct_subsidy: tuple[str, ...]
    scheduled: tuple[str, ...]
    construction: tuple[str, ...]
    procurement: tuple[str, ...]
    no_suspend_kinds: tuple[ProjectKind, ...]


@dataclass(frozen=True, config=SECTION)
class SuggestionRules:
    reduce_expected_rate_below: float


@dataclass(frozen=True, config=SECTION)
class RankingRules:
    execution_weight: float
    target_weight: float
    target_basis: Literal["lights", "completion"]
    green_points: float
    blue_points: float
    yellow_points: float
    red_points: float
    score_decimals: int
    top_reasons: int
    execution_basis: Literal["capped", "uncapped", "curve"]
    execution_par_ratio: float
    execution_par_points: float
    execution_full_ratio: float
    target_weighting: Literal["budget", "indicators"]
    quality_weight: float
    quality_late_file_points: float
    quality_unreadable_file_points: float
    quality_period_points: float
    quality_copied_text_points: float
    quality_error_points: float
    quality_error_cap: float
    quality_reasons_missing_points: float


@dataclass(frozen=True, config=SECTION)
class CheckRules:
    """Tolerances of the submission checks (jixiao.validate.checks; domain notes §7)."""

    amount_tolerance: float
    rate_tolerance_pp: float
    unit_slip_ratio: float
    rate_ceiling: float
    placeholder_min_indicators: int
    copied_text_min_chars: int
    rename_min_similarity: float


@dataclass(frozen=True, config=SECTION)
class ProfileInfo:
    name: str
    description: str


@dataclass(frozen=True, config=SECTION)
class RuleProfile:
    profile: ProfileInfo
    time_progress: TimeProgressRules
    budget: BudgetRules
    indicator: IndicatorRules
    possibility: PossibilityRules
    dual_light: DualLightRules
    period: PeriodRules
    key_monitoring: KeyMonitoringRules
    stock: StockRules
    project_kind: ProjectKindRules
    suggestion: SuggestionRules
    ranking: RankingRules
    checks: CheckRules
    content_hash: str = ""
    source: str = ""

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def label(self) -> str:
        """How outputs name the profile: 名称（哈希 …）."""
        return f"{self.name}（哈希 {self.content_hash}）"


PROFILE = TypeAdapter(RuleProfile)


def time_progress(year: int, month: int, basis: str) -> float:
    """序时进度 p in percent: N/12 by months, or elapsed days to the end of month N / days in year."""
    if basis == "months":
        return month / MONTHS_PER_YEAR * PERCENT
    last_day = calendar.monthrange(year, month)[1]
    elapsed = dt.date(year, month, last_day).timetuple().tm_yday
    days_in_year = 366 if calendar.isleap(year) else 365
    return elapsed / days_in_year * PERCENT


def load_profile(path: Path | None = None) -> RuleProfile:
    """The rule profile at ``path`` merged over the default; the default when ``path`` is None."""
    default_data = _read_toml(DEFAULT_PROFILE_PATH)
    if path is None:
        return _build_profile(default_data, DEFAULT_PROFILE_PATH.read_bytes(), DEFAULT_PROFILE_PATH)
    path = Path(path)
    if not path.is_file():
        raise RuleProfileError(f"找不到规则配置文件：{path}")
    user_data = _read_toml(path)
    merged = _deep_merge(default_data, user_data)
    # A copied profile must not carry the default's name: fall back to the file name.
    merged["profile"]["name"] = user_data.get("profile", {}).get("name") or path.stem
    return _build_profile(merged, path.read_bytes(), path)


def profile_from_text(text: str, name_hint: str = "自定义规则") -> RuleProfile:
    """A profile from TOML text (tests and notebooks); same merging and checks as a file."""
    default_data = _read_toml(DEFAULT_PROFILE_PATH)
    try:
        user_data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleProfileError(f"规则配置不是有效的 TOML：{exc}") from exc
    merged = _deep_merge(default_data, user_data)
    merged["profile"]["name"] = user_data.get("profile", {}).get("name") or name_hint
    return _build_profile(merged, text.encode("utf-8"), None)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def _read_toml(path: Path) -> dict:
    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise RuleProfileError(f"规则配置文件 {path} 不是有效的 TOML：{exc}") from exc


def _deep_merge(base: dict, override: dict) -> dict:
    merged = {k: (_deep_merge(v, {}) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build_profile(data: dict, raw: bytes, source: Path | None) -> RuleProfile:
    try:
        profile = PROFILE.validate_python(data)
    except ValidationError as exc:
        raise RuleProfileError("规则配置有误：" + "；".join(chinese_errors(exc))) from None
    profile = replace(profile, content_hash=content_hash(raw), source=str(source or ""))
    _validate(profile)
    return profile


def _validate(profile: RuleProfile) -> None:
    def require(ok: bool, message: str) -> None:
        if not ok:
            raise RuleProfileError(message)

    require(profile.budget.red_below <= profile.budget.green_from, "budget.red_below 不能大于 budget.green_from")
    ind = profile.indicator
    require(ind.pace_red_below <= ind.pace_green_from <= ind.blue_pace_from,
            "indicator 中应满足 pace_red_below ≤ pace_green_from ≤ blue_pace_from")
    require(ind.deviation_yellow_above <= ind.deviation_red_above,
            "indicator.deviation_yellow_above 不能大于 indicator.deviation_red_above")
    require(ind.negative_yellow_band >= 0, "indicator.negative_yellow_band 不能为负数")
    rank = profile.ranking
    require(rank.execution_weight >= 0 and rank.target_weight >= 0, "ranking 的权重不能为负数")
    require(rank.execution_weight + rank.target_weight > 0, "ranking 的两个权重不能都为 0")
    require(rank.score_decimals >= 0 and rank.top_reasons >= 0, "ranking.score_decimals 和 top_reasons 不能为负数")
    require(0 < rank.execution_par_ratio < rank.execution_full_ratio and 0 <= rank.execution_par_points <= 100,
            "ranking 中应满足 0 < execution_par_ratio < execution_full_ratio，且 0 ≤ execution_par_points ≤ 100")
    require(rank.quality_weight >= 0, "ranking.quality_weight 不能为负数")
    require(profile.key_monitoring.money_threshold >= 0, "key_monitoring.money_threshold 不能为负数")
    require(profile.key_monitoring.max_projects >= 0, "key_monitoring.max_projects 不能为负数")
    for entry in ind.deadline.holidays:
        require(_holiday_ok(entry), f"indicator.deadline.holidays 中“{entry}”应写成“名称 YYYY-MM-DD”")
    checks = profile.checks
    require(min(checks.amount_tolerance, checks.rate_tolerance_pp) >= 0, "checks 中的容差不能为负数")
    require(0 <= checks.rename_min_similarity <= 1, "checks.rename_min_similarity 应在 0 到 1 之间")


def _holiday_ok(entry: str) -> bool:
    parts = entry.split()
    if len(parts) != 2:
        return False
    try:
        dt.date.fromisoformat(parts[1])
    except ValueError:
        return False
    return True


def holiday_dates(entries: tuple[str, ...]) -> dict[tuple[str, int], dt.date]:
    """{(节日名称, 年份): 日期} from the profile's "名称 YYYY-MM-DD" entries."""
    dates = {}
    for entry in entries:
        name, day = entry.split()
        date = dt.date.fromisoformat(day)
        dates[(name, date.year)] = date
    return dates
