"""Rounds: the round stages of ``jixiao run`` (jixiao.pipeline.ROUND_STAGES) over the demo county's three rounds.

Runs the main job twice on ``data/raw`` (2022年1-7月, 2023年1-7月, 2023年1-10月) into a temporary
store, without the document outputs (briefs are measured by bench_briefs.py):

1. cold — every round is read, checked, computed, compared with the previous one and stored;
2. warm — nothing changed, every round is skipped by its input hash (the store stays byte-identical).

    .venv/bin/python benchmarks/bench_rounds.py

Prints the time of each stage per round (the pipeline's own table), the totals, and whether the
warm run left the store unchanged.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.config.settings import Settings
from jixiao.pipeline import Job, run


def job_in(base: Path, raw: Path, replies: Path) -> Job:
    settings = Settings()
    paths = replace(settings.paths, store=base / "jixiao.duckdb", export=base / "export", replies=replies)
    return Job(replace(settings, paths=paths), raw=raw, processed=base / "processed", reports=base / "reports",
               quiet=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--replies", type=Path, default=ROOT / "data" / "replies")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        start = time.perf_counter()
        run(job_in(base, args.raw, args.replies), outputs=("summary",))
        cold = time.perf_counter() - start
        before = hashlib.sha256((base / "jixiao.duckdb").read_bytes()).hexdigest()
        start = time.perf_counter()
        run(job_in(base, args.raw, args.replies), outputs=("summary",))
        warm = time.perf_counter() - start
        after = hashlib.sha256((base / "jixiao.duckdb").read_bytes()).hexdigest()
    print(f"\n冷启动（全部轮次）：{cold:.1f} 秒；重跑（全部跳过，只生成汇总表）：{warm:.1f} 秒；"
          f"数据库{'未变' if before == after else '发生了变化（不应如此）'}")


if __name__ == "__main__":
    main()
