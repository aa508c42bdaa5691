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
import typing
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path

DEFAULT_PROFILE_PATH = Path(__file__).resolve().parents[1] / "profiles" / "default.toml"
PERCENT = 100.0  # percentages are stored as 95 for 95 %, like the ingest tables
MONTHS_PER_YEAR = 12
HASH_LENGTH = 16  # hex characters of the SHA-256 shown in outputs; enough to tell files apart

LIGHTS = ("red", "yellow", "green", "blue", "unknown")
TIME_BASES = ("months", "days")
DENOMINATORS = ("budget_total", "budget_fiscal")
TARGET_BASES = ("lights", "completion")


class RuleProfileError(ValueError):
    """A rule profile that cannot be used; the message is Chinese and names the key."""


@dataclass(frozen=True)
class TimeProgressRules:
    basis: str


@dataclass(frozen=True)
class BudgetRules:
    denominator: str
    red_below: float
    green_from: float
    expected_rate_yellow_below: float


@dataclass(frozen=True)
class RateRules:
    units: tuple[str, ...]
    name_keywords: tuple[str, ...]


@dataclass(frozen=True)
class CumulativeRules:
    level2: tuple[str, ...]
    one_off_name_keywords: tuple[str, ...]


@dataclass(frozen=True)
class QualitativeRules:
    not_achieved: tuple[str, ...]
    partly_achieved: tuple[str, ...]
    achieved: tuple[str, ...]
    achieved_completion: float
    partly_completion: float
    not_achieved_completion: float


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class PossibilityRules:
    at_least_yellow: tuple[str, ...]
    red: tuple[str, ...]


@dataclass(frozen=True)
class DualLightRules:
    execution_ok: tuple[str, ...]
    targets_ok: tuple[str, ...]


@dataclass(frozen=True)
class KeyMonitoringRules:
    money_threshold: float


@dataclass(frozen=True)
class SuggestionRules:
    reduce_expected_rate_below: float


@dataclass(frozen=True)
class RankingRules:
    execution_weight: float
    target_weight: float
    target_basis: str
    green_points: float
    blue_points: float
    yellow_points: float
    red_points: float
    score_decimals: int
    top_reasons: int


@dataclass(frozen=True)
class CheckRules:
    """Tolerances of the submission checks (jixiao.validate.checks; domain notes §7)."""

    amount_tolerance: float
    rate_tolerance_pp: float
    unit_slip_ratio: float
    rate_ceiling: float
    placeholder_min_indicators: int
    copied_text_min_chars: int
    rename_min_similarity: float
    project_name_min_similarity: float


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    description: str


@dataclass(frozen=True)
class RuleProfile:
    profile: ProfileInfo
    time_progress: TimeProgressRules
    budget: BudgetRules
    indicator: IndicatorRules
    possibility: PossibilityRules
    dual_light: DualLightRules
    key_monitoring: KeyMonitoringRules
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
    _check_known_keys(user_data, default_data, prefix="")
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
    _check_known_keys(user_data, default_data, prefix="")
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


def _check_known_keys(user: dict, default: dict, prefix: str) -> None:
    for key, value in user.items():
        dotted = f"{prefix}{key}"
        if key not in default:
            raise RuleProfileError(f"规则配置中有无法识别的设置项：{dotted}")
        if isinstance(default[key], dict):
            if not isinstance(value, dict):
                raise RuleProfileError(f"规则配置中 [{dotted}] 必须是一个表")
            _check_known_keys(value, default[key], prefix=f"{dotted}.")


def _deep_merge(base: dict, override: dict) -> dict:
    merged = {k: (_deep_merge(v, {}) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build_profile(data: dict, raw: bytes, source: Path | None) -> RuleProfile:
    profile = _build(RuleProfile, data, prefix="")
    profile = replace(profile, content_hash=content_hash(raw), source=str(source or ""))
    _validate(profile)
    return profile


def _build(cls, mapping: dict, prefix: str):
    """Instantiate dataclass ``cls`` from ``mapping``, converting lists to tuples and checking types."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in fields(cls):
        if field.name in ("content_hash", "source"):
            continue
        dotted = f"{prefix}{field.name}"
        if field.name not in mapping:
            raise RuleProfileError(f"规则配置缺少设置项：{dotted}")
        values[field.name] = _convert(hints[field.name], mapping[field.name], dotted)
    return cls(**values)


def _convert(hint, value, dotted: str):
    if is_dataclass(hint):
        if not isinstance(value, dict):
            raise RuleProfileError(f"规则配置中 [{dotted}] 必须是一个表")
        return _build(hint, value, prefix=f"{dotted}.")
    if hint is bool:
        if not isinstance(value, bool):
            raise RuleProfileError(f"规则配置中 {dotted} 必须是 true 或 false")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RuleProfileError(f"规则配置中 {dotted} 必须是数字")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleProfileError(f"规则配置中 {dotted} 必须是整数")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise RuleProfileError(f"规则配置中 {dotted} 必须是文字")
        return value
    # tuple[str, ...]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleProfileError(f"规则配置中 {dotted} 必须是文字列表")
    return tuple(value)


def _validate(profile: RuleProfile) -> None:
    def require(ok: bool, message: str) -> None:
        if not ok:
            raise RuleProfileError(message)

    require(profile.time_progress.basis in TIME_BASES, "time_progress.basis 只能是 months 或 days")
    require(profile.budget.denominator in DENOMINATORS, "budget.denominator 只能是 budget_total 或 budget_fiscal")
    require(profile.budget.red_below <= profile.budget.green_from, "budget.red_below 不能大于 budget.green_from")
    ind = profile.indicator
    require(ind.pace_red_below <= ind.pace_green_from <= ind.blue_pace_from,
            "indicator 中应满足 pace_red_below ≤ pace_green_from ≤ blue_pace_from")
    require(ind.deviation_yellow_above <= ind.deviation_red_above,
            "indicator.deviation_yellow_above 不能大于 indicator.deviation_red_above")
    require(ind.negative_yellow_band >= 0, "indicator.negative_yellow_band 不能为负数")
    for key, lights in (("dual_light.execution_ok", profile.dual_light.execution_ok),
                        ("dual_light.targets_ok", profile.dual_light.targets_ok)):
        require(set(lights) <= set(LIGHTS), f"{key} 只能包含 {', '.join(LIGHTS)}")
    rank = profile.ranking
    require(rank.target_basis in TARGET_BASES, "ranking.target_basis 只能是 lights 或 completion")
    require(rank.execution_weight >= 0 and rank.target_weight >= 0, "ranking 的权重不能为负数")
    require(rank.execution_weight + rank.target_weight > 0, "ranking 的两个权重不能都为 0")
    require(rank.score_decimals >= 0 and rank.top_reasons >= 0, "ranking.score_decimals 和 top_reasons 不能为负数")
    require(profile.key_monitoring.money_threshold >= 0, "key_monitoring.money_threshold 不能为负数")
    checks = profile.checks
    require(min(checks.amount_tolerance, checks.rate_tolerance_pp) >= 0, "checks 中的容差不能为负数")
    require(0 <= checks.rename_min_similarity <= 1, "checks.rename_min_similarity 应在 0 到 1 之间")
