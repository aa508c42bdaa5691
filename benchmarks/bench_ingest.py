"""Ingest speed: jixiao against the raw read of the fastest reader (python-calamine), and at scale.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py [RAW_DIR] [--scale 2000] [--repeat 5]

Part 1 reads every readable workbook of RAW_DIR (default: the demo county in data/raw/2023年1-7月)
once with ``jixiao.normalise.ingest.read_submission`` (open, locate the form, parse every value)
and once with calamine's plain cell dump, and prints the per-workbook ratio.
Part 2 copies those workbooks into a temporary batch of ``--scale`` files and runs the
whole ``ingest`` (with Parquet output) at growing sizes, serial and with both cores,
printing time per file, the speed-up and the CPU use (CPU seconds / wall seconds).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import python_calamine as calamine

from jixiao.config.settings import Settings
from jixiao.normalise.ingest import discover, ingest, read_submission

ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, func) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def calamine_dump(path: Path) -> None:
    book = calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def readable(paths: list[Path], root: Path, settings: Settings) -> list[Path]:
    return [p for p in paths if read_submission(p, root, settings).status != "failed"]


def per_workbook(raw_dir: Path, settings: Settings, repeat: int) -> list[Path]:
    paths = readable(discover(raw_dir), raw_dir, settings)
    ratios, ours_total, raw_total = [], 0.0, 0.0
    for path in paths:
        ours = best_of(repeat, lambda path=path: read_submission(path, raw_dir, settings))
        raw = best_of(repeat, lambda path=path: calamine_dump(path))
        ratios.append(ours / raw)
        ours_total += ours
        raw_total += raw
    print(f"== 1. 每个工作簿：jixiao 读取解析 vs calamine 原始读取（{len(paths)} 个可读文件，各取 {repeat} 次最快）")
    print(f"   jixiao  平均 {ours_total / len(paths) * 1000:7.2f} ms/个")
    print(f"   calamine 平均 {raw_total / len(paths) * 1000:7.2f} ms/个")
    print(f"   倍数（jixiao / calamine）：总体 {ours_total / raw_total:.1f}×，中位数 {statistics.median(ratios):.1f}×，"
          f"最小 {min(ratios):.1f}×，最大 {max(ratios):.1f}×")
    return paths


def make_batch(sources: list[Path], folder: Path, count: int) -> None:
    """``count`` files cycling through ``sources`` (copies; duplicates are resolved by ingest as in real life)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        source = sources[i % len(sources)]
        shutil.copyfile(source, folder / f"{i:05d}_{source.name}")


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed_ingest(folder: Path, out: Path, settings: Settings, jobs: int) -> tuple[float, float]:
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    ingest(folder, out, settings, jobs=jobs)
    wall = time.perf_counter() - wall0
    return wall, (cpu_seconds() - cpu0) / wall


def scale_run(sources: list[Path], settings: Settings, largest: int) -> None:
    sizes = sorted({n for n in (largest // 8, largest // 4, largest // 2, largest) if n > 0})
    print(f"== 2. 规模测试：整批 ingest（含写 Parquet），单进程 vs 双进程（{os.cpu_count()} 核）")
    print(f"   {'文件数':>6} {'单进程 s':>9} {'ms/个':>7} {'双进程 s':>9} {'ms/个':>7} {'加速':>6} {'CPU 占用':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for size in sizes:
            folder = tmp_path / f"batch{size}"
            make_batch(sources, folder, size)
            serial, _ = timed_ingest(folder, tmp_path / "out1", replace(settings, parallel_threshold=size + 1), 1)
            parallel, cpu_use = timed_ingest(folder, tmp_path / "out2", replace(settings, parallel_threshold=1), 2)
            print(f"   {size:>6} {serial:>9.2f} {serial / size * 1000:>7.2f} {parallel:>9.2f} "
                  f"{parallel / size * 1000:>7.2f} {serial / parallel:>5.2f}× {cpu_use:>7.2f}")
            shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", nargs="?", default=str(ROOT / "data" / "raw" / "2023年1-7月"))
    parser.add_argument("--scale", type=int, default=2000, help="largest batch size (0 skips part 2)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    sources = per_workbook(Path(args.raw_dir), settings, args.repeat)
    if args.scale:
        scale_run(sources, settings, args.scale)


if __name__ == "__main__":
    main()
