"""The public sample submissions in ../shared, scored by the shared scoring tool (skipped without ../shared)."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from jixiao.config.settings import Settings
from jixiao.normalise.ingest import ingest


def test_samples_score_at_least_099_and_failed_files_fail(samples_dir, score_tool, tmp_path):
    tables = ingest(samples_dir, tmp_path / "out", Settings())
    result = subprocess.run([sys.executable, str(score_tool), str(samples_dir), str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    score = float(re.search(r"score: ([0-9.]+)", result.stdout).group(1))
    assert score >= 0.99, result.stdout
    statuses = tables["submissions"].set_index("source_file")["status"]
    for truth in samples_dir.glob("*.expected.json"):
        expected = json.loads(truth.read_text(encoding="utf-8"))
        if expected["status"] == "failed":
            assert statuses[expected["file"]] == "failed", expected["file"]
        else:
            assert statuses[expected["file"]] in ("ok", "partial"), expected["file"]
