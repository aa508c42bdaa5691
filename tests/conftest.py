"""Shared fixtures. Tests that read ../shared skip when it is absent (a user's clone)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def samples_dir() -> Path:
    path = SHARED / "samples"
    if not path.is_dir():
        pytest.skip("../shared/samples is not present in this clone")
    return path


@pytest.fixture
def score_tool() -> Path:
    path = SHARED / "tools" / "score_ingest.py"
    if not path.is_file():
        pytest.skip("../shared/tools/score_ingest.py is not present in this clone")
    return path
