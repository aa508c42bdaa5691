"""Shared fixtures. Tests that read ../shared skip when it is absent (a user's clone)."""
from __future__ import annotations

import shutil
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


SERVER_TEST_FILES = ("test_dashboard.py", "test_lab.py")
DEMO_RAW = ROOT / "data" / "raw" / "2023年1-7月"  # the notice's round of the demo county


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory) -> Path:
    """The committed demo county through ingest, checks and metrics, once per test session.

    Read-only for the tests that use it: a test that changes tables works on ``demo_county_copy``.
    """
    from jixiao.config.settings import Settings
    from jixiao.pipeline import process_folder

    return process_folder(DEMO_RAW, tmp_path_factory.mktemp("demo-county"), Settings())


@pytest.fixture
def demo_county_copy(demo_county, tmp_path) -> Path:
    copy = tmp_path / "demo-county"
    shutil.copytree(demo_county, copy)
    return copy


def pytest_collection_modifyitems(items):
    """Tests on the whole demo county are slow by nature; mark them so a quick run can skip them."""
    for item in items:
        if "demo_county" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        # The tests that start a Voilà or JupyterLab server run one after another on one worker: two
        # servers with their kernels starting at once on two cores once left a page request hanging.
        if item.path.name in SERVER_TEST_FILES and item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.xdist_group("servers"))
