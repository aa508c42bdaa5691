"""Hostile input at full size (issue 16): a large seeded corpus read with the default limits.

Usage::

    .venv/bin/python benchmarks/bench_hostile.py [--size 200] [--seed 16] [--bomb-mb 2048] [--sheets 5000]

Writes ``--size`` damaged workbooks (every kind of :mod:`tests.hostile`, the rest drawn at
random), a decompression bomb inflating to ``--bomb-mb`` MB, a workbook with ``--sheets``
sheets and one formatted down to row 1,048,576, mixed with good files, into a temporary
folder; then runs the real ``jixiao ingest`` batch (worker pool, default limits: 30 s and
1 GB per file) with one file per worker so that each file's peak memory is its own.
Prints every file over one second, the largest per-file time and peak memory, the batch's
wall time and the parent's peak memory, and checks: 0 crashes, every entry listed once.
"""
from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile

from jixiao.config.settings import Settings
from jixiao.normalise import ingest as ingest_mod
from jixiao.normalise.ingest import (
    build_tables,
    discover_entries,
    read_all,
    resolve_duplicates,
)


def write_large_cases(folder: Path, bomb_mb: int, sheets: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    good = hostile.good_workbook(folder, "base.xlsx", hostile.Project(name="大文件基础项目")).read_bytes()
    (folder / "base.xlsx").unlink()
    (folder / "big_bomb.xlsx").write_bytes(hostile.bomb(good, rng, megabytes=bomb_mb))
    (folder / "big_many_sheets.xlsx").write_bytes(hostile.many_sheets(good, rng, count=sheets))
    (folder / "big_formatted.xlsx").write_bytes(hostile.formatted_to_the_end(good, rng))
    return {"big_bomb.xlsx": "bomb", "big_many_sheets.xlsx": "many_sheets", "big_formatted.xlsx": "formatted_to_the_end"}


def generate(folder: Path, args) -> dict[str, str]:
    """Write the corpus in a child process: writing it (xlwt's 16.7 million blanks) would otherwise
    swell this process, and every forked worker would start from that size."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_generate, (folder, args.size, args.seed, args.bomb_mb, args.sheets))


def _generate(folder: Path, size: int, seed: int, bomb_mb: int, sheets: int) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "tests"))
    kinds = hostile.corpus(folder, size, seed, large=True)
    kinds.update(write_large_cases(folder, bomb_mb, sheets, seed))
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--bomb-mb", type=int, default=2048)
    parser.add_argument("--sheets", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    settings = Settings(jobs=args.jobs, parallel_threshold=1)
    ingest_mod.TASKS_PER_WORKER = 1  # a fresh worker per file: its peak memory is that file's alone
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "raw"
        started = time.perf_counter()
        kinds = generate(folder, args)
        print(f"语料：{len(kinds)} 个文件，生成用时 {time.perf_counter() - started:.1f} 秒")
        entries = discover_entries(folder)
        started = time.perf_counter()
        results = read_all(entries, folder, settings)
        wall = time.perf_counter() - started
        resolve_duplicates(results)
        tables = build_tables(results)
    subs = tables["submissions"]
    for result in sorted(results, key=lambda r: -r.seconds):
        if result.seconds >= 1 or result.status == "failed" and "超时" in result.reason:
            print(f"  {result.seconds:6.2f} 秒 {result.peak_mb:7.0f} MB  {kinds.get(result.source_file)}  "
                  f"{result.source_file}  {result.status}")
    counts = subs["status"].value_counts().to_dict()
    by_kind: dict[str, dict[str, int]] = {}
    for result in results:
        by_kind.setdefault(kinds.get(result.source_file, "?"), {}).setdefault(result.status, 0)
        by_kind[kinds.get(result.source_file, "?")][result.status] += 1
    for kind, statuses in sorted(by_kind.items()):
        print(f"  {kind:22s} {statuses}")
    slowest = max(results, key=lambda r: r.seconds)
    largest = max(results, key=lambda r: r.peak_mb)
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"状态：{counts}；批次用时 {wall:.1f} 秒（{len(results)} 个文件，{args.jobs} 个进程）")
    print(f"单个文件最长用时 {slowest.seconds:.2f} 秒（{slowest.source_file}），"
          f"单个文件最大内存 {largest.peak_mb:.0f} MB（{largest.source_file}），主进程峰值内存 {parent_mb:.0f} MB")
    crashes = [r.source_file for r in results if "程序错误" in r.reason]
    listed_once = subs["source_file"].is_unique and len(subs) == len(entries) == len(kinds)
    print(f"程序错误 {len(crashes)} 个；每个文件恰好列出一次：{'是' if listed_once else '否'}")
    return 0 if not crashes and listed_once else 1


if __name__ == "__main__":
    sys.exit(main())
