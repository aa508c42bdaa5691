from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.config.settings import Settings, load_settings, settings_from_mapping


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
    ({"monitoring": {"period_end_month": 13}}, "1 到 12"),
    ({"monitoring": {"money_unit": "千元"}}, "万元 或 元"),
])
def test_bad_settings_are_rejected_in_chinese(mapping, message):
    with pytest.raises(ValueError, match=message):
        settings_from_mapping(mapping)
