"""Every environment variable jixiao reads, in one place (pydantic-settings, prefix JIXIAO_)."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(BaseSettings):
    """Machine-specific choices that do not belong in a bureau's jixiao.toml."""

    model_config = SettingsConfigDict(env_prefix="JIXIAO_", extra="ignore", frozen=True)

    config: Path | None = None  # JIXIAO_CONFIG: a jixiao.toml elsewhere than the working directory
    chromium: Path = Path("/usr/bin/chromium")  # JIXIAO_CHROMIUM: the browser that prints PDFs
    dashboard_port: int = Field(8866, ge=1, le=65535)  # JIXIAO_DASHBOARD_PORT
    lab_port: int = Field(8888, ge=1, le=65535)  # JIXIAO_LAB_PORT


def environment() -> Environment:
    """The environment as it is now (read afresh: cheap, and tests change it with monkeypatch)."""
    return Environment()
