from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.config.settings import Settings, load_settings, settings_from_mapping, with_overrides


def test_defaults_follow_the_2023_notice():
    settings = Settings()
    assert (settings.year, settings.period_end_month, settings.money_unit) == (2023, 7, "万元")
    assert settings.period_label == "1-7月"
    assert settings.paths.raw == Path("data/raw")


def test_toml_file_overrides_defaults(tmp_path):
    (tmp_path / "jixiao.toml").write_text(
        '[monitoring]\nyear = 2024\nperiod_end_month = 8\n[paths]\nraw = "inbox"\n', encoding="utf-8")
    settings = load_settings(tmp_path / "jixiao.toml")
    assert (settings.year, settings.period_end_month) == (2024, 8)
    assert settings.paths.raw == tmp_path / "inbox"
    assert settings.money_unit == "万元"


def test_environment_variable_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "other.toml"
    path.write_text("[monitoring]\nperiod_end_month = 6\n", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_CONFIG", str(path))
    assert load_settings().period_end_month == 6


def test_missing_default_file_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIXIAO_CONFIG", raising=False)
    assert load_settings() == Settings()


@pytest.mark.parametrize("mapping, message", [
    ({"monitoring": {"yaer": 2024}}, "无法识别"),
    ({"monitoring": {"period_end_month": 13}}, "period_end_month 不能大于 12"),
    ({"monitoring": {"year": "二〇二三"}}, "year 必须是整数"),
    ({"monitoring": {"money_unit": "千元"}}, "money_unit 只能是 万元 或 元"),
    ({"paths": {"store": "x.duckdb", "raww": "inbox"}}, "paths.raww"),
    ({"output": {"x": 1}}, "无法识别的设置项：\\[output\\]"),
    ({"monitoring": 2024}, "\\[monitoring\\] 必须是一个表"),
])
def test_bad_settings_are_rejected_in_chinese(mapping, message):
    with pytest.raises(ValueError, match=message):
        settings_from_mapping(mapping)


def test_overrides_are_validated_like_the_file():
    settings = with_overrides(Settings(), year=2024, period_end_month=10)
    assert (settings.year, settings.period_label) == (2024, "1-10月")
    with pytest.raises(ValueError, match="period_end_month 不能小于 1"):
        with_overrides(Settings(), period_end_month=0)


def test_a_named_config_file_that_is_missing_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(FileNotFoundError, match="找不到配置文件"):
        load_settings()
