"""Rule profiles: the default, partial overrides, errors in Chinese, the content hash."""
from __future__ import annotations

import re

import pytest

from jixiao.config.profile import DEFAULT_PROFILE_PATH, RuleProfileError, load_profile, profile_from_text


def test_default_profile_follows_the_domain_notes():
    profile = load_profile()
    assert profile.time_progress.basis == "months"
    assert profile.budget.denominator == "budget_total"
    assert (profile.budget.red_below, profile.budget.green_from) == (60.0, 80.0)
    assert profile.budget.expected_rate_yellow_below == 80.0
    assert (profile.indicator.pace_red_below, profile.indicator.pace_green_from) == (60.0, 80.0)
    assert profile.indicator.blue_pace_from == 120.0
    assert profile.indicator.blue_forecast_ratio_above == 120.0  # 一体化 positiveindex
    assert (profile.indicator.deviation_yellow_above, profile.indicator.deviation_red_above) == (10.0, 30.0)
    assert profile.key_monitoring.money_threshold == 50.0
    assert "%" in profile.indicator.rate.units and "率" in profile.indicator.rate.name_keywords
    assert profile.indicator.cumulative.level2 == ("数量指标",)
    assert profile.possibility.red == ("完全不可能",)


KEY_LINE = re.compile(r"^\s*([a-z_]+)\s*=")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def unexplained_keys(text: str) -> list[str]:
    """Keys with no Chinese comment beside them or above their group of keys."""
    lines = text.splitlines()
    missing = []
    for number, line in enumerate(lines):
        key = KEY_LINE.match(line)
        if not key or key.group(1) in ("name", "description"):
            continue
        above = number - 1
        while above >= 0 and lines[above].strip() and not lines[above].lstrip().startswith(("#", "[")):
            above -= 1  # other keys of the group (and their continued lists) share the comment above
        comment_above = lines[above].lstrip() if above >= 0 else ""
        inline = line.partition("#")[2]
        if not (comment_above.startswith("#") and CHINESE.search(comment_above)) and not CHINESE.search(inline):
            missing.append(key.group(1))
    return missing


def test_every_setting_of_the_default_profile_is_explained_in_chinese():
    """A bureau edits this file by hand: each key has a Chinese comment."""
    assert unexplained_keys(DEFAULT_PROFILE_PATH.read_text(encoding="utf-8")) == []
    assert unexplained_keys("[budget]\n# 红灯界限\nred_below = 60\n\n[x]\nlonely = 1\n") == ["lonely"]


def test_profile_records_name_and_content_hash():
    profile = load_profile()
    assert profile.name == "默认规则（县级）"
    assert re.fullmatch(r"[0-9a-f]{16}", profile.content_hash)
    assert profile.content_hash in profile.label and profile.name in profile.label


def test_a_partial_profile_keeps_the_other_defaults_and_takes_the_file_name(tmp_path):
    path = tmp_path / "西宁口径.toml"
    path.write_text("[budget]\nred_below = 50\n\n[key_monitoring]\nmoney_threshold = 200\n", encoding="utf-8")
    profile = load_profile(path)
    assert profile.budget.red_below == 50.0
    assert profile.key_monitoring.money_threshold == 200.0
    assert profile.budget.green_from == 80.0  # untouched key keeps the default
    assert profile.name == "西宁口径"  # not the default's name
    assert profile.content_hash != load_profile().content_hash


def test_the_hash_changes_with_the_content():
    a = profile_from_text("[ranking]\nexecution_weight = 0.6\n")
    b = profile_from_text("[ranking]\nexecution_weight = 0.7\n")
    assert a.content_hash != b.content_hash


@pytest.mark.parametrize("text, words", [
    ("[budget]\nred_belo = 50\n", "budget.red_belo"),
    ("[budgets]\nred_below = 50\n", "budgets"),
    ("[budget]\nred_below = \"很低\"\n", "必须是数字"),
    ("[time_progress]\nbasis = \"weeks\"\n", "months 或 days"),
    ("[budget]\nred_below = 90\n", "red_below"),
    ("[ranking]\nexecution_weight = 0\ntarget_weight = 0\n", "权重"),
    ("[dual_light]\nexecution_ok = [\"purple\"]\n", "dual_light.execution_ok"),
    ("[budget\n", "TOML"),
])
def test_bad_profiles_are_refused_with_a_chinese_reason(text, words):
    with pytest.raises(RuleProfileError) as info:
        profile_from_text(text)
    assert words in str(info.value)


def test_a_missing_profile_file_is_reported(tmp_path):
    with pytest.raises(RuleProfileError, match="找不到规则配置文件"):
        load_profile(tmp_path / "none.toml")
