"""Ingest speed: jixiao against the raw read of the fastest reader (python-calamine), and at scale.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py [RAW_DIR] [--scale 2000] [--rounds 7]

Part 1 reads every readable workbook of RAW_DIR (default: the demo county in data/raw/2023年1-7月)
with ``jixiao.normalise.ingest.read_submission`` (hash, sniff, open, locate the form, parse every
value) and with calamine's plain cell dump, side by side: each round times every workbook both
ways, one right after the other, in CPU time (see :func:`timed`), so a busy machine disturbs both
alike; the text caches are emptied at the start of every round (see :func:`clear_caches`). It prints
the median over the rounds of the per-workbook time of each and of their ratio, and where jixiao's
time goes, stage by stage, for the .xlsx files (the stages are timed separately in the same rounds,
after the total, so their sum is close to, not equal to, the total):

- sniff/open  the file's hash and the sniff of its real format (a zip is tested member by member)
- values      calamine's cell values, merges and sheet visibility
- styles      number formats, formulas, hidden lines and extents from the package (xlsx_parts)
- grid        the rest of read_workbook: the cell grids, control characters, formulas without results
- layout      locating the form on each sheet (anchors, indicator headers, other forms)
- normalise   reading the located forms: identity, funds, indicators, values coerced

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
import zipfile
from dataclasses import replace
from pathlib import Path

import python_calamine as calamine

from jixiao.config.settings import Settings
from jixiao.normalise import layout as layout_mod
from jixiao.normalise import values as values_mod
from jixiao.normalise.ingest import _sha256, discover, ingest, read_submission
from jixiao.normalise.layout import SheetReader
from jixiao.read import workbook, xlsx_parts
from jixiao.read.grid import ReadLimits

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("sniff/open", "values", "styles", "grid", "layout", "normalise")
GOAL_RATIO = 10  # issue 15: ingest within 10x of calamine's raw read per workbook


def timed(func) -> float:
    """CPU seconds of this process spent in ``func``: both readers are single-threaded, and on a shared
    machine CPU time is what the read costs, where wall time also counts the waits for a core."""
    start = time.process_time()
    func()
    return time.process_time() - start


def clear_caches() -> None:
    """Empty the text caches of the normalising stage: each round then starts as a fresh worker does
    (warm only with what the files before it in the round left), not with this very file's texts."""
    for module in (values_mod, layout_mod):
        for name in dir(module):
            clear = getattr(getattr(module, name), "cache_clear", None)
            if clear is not None:
                clear()


def calamine_dump(path: Path) -> None:
    book = calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def readable(paths: list[Path], root: Path, settings: Settings) -> list[Path]:
    return [p for p in paths if read_submission(p, root, settings).status != "failed"]


def stage_times(path: Path, settings: Settings) -> dict[str, float]:
    """Seconds of each stage of one .xlsx read, each timed on its own."""
    limits = ReadLimits.from_settings(settings)
    out = {"sniff/open": timed(lambda: (_sha256(path), workbook.sniff(path, limits)))}
    out["values"] = timed(lambda: workbook._calamine_cells(path))  # noqa: SLF001 - the stage itself

    def styles() -> None:
        with zipfile.ZipFile(path) as archive:
            workbook._calamine_safe(archive, xlsx_parts.read_parts(archive, limits), limits)  # noqa: SLF001

    out["styles"] = timed(styles)
    grids: list = []
    read = timed(lambda: grids.extend(workbook.read_workbook(path, limits, kind="xlsx")))
    out["grid"] = max(0.0, read - out["values"] - out["styles"])
    readers = [SheetReader(g, settings.year, settings.period_end_month, settings.money_unit,
                           settings.yuan_suspect_threshold) for g in grids]
    out["layout"] = timed(lambda: [r for r in readers if r.other_form_kind() is None and r.looks_like_form()])
    located = [r for r in readers if r.looks_like_form()]
    out["normalise"] = timed(lambda: [r.read() for r in located])
    return out


def per_workbook(raw_dir: Path, settings: Settings, rounds: int) -> list[Path]:
    paths = readable(discover(raw_dir), raw_dir, settings)
    xlsx = [p for p in paths if workbook.sniff(p) in ("xlsx", "xlsm")]
    ours: dict[Path, list[float]] = {p: [] for p in paths}
    raw: dict[Path, list[float]] = {p: [] for p in paths}
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    load_before = os.getloadavg()
    for _ in range(rounds):
        clear_caches()
        split = dict.fromkeys(STAGES, 0.0)
        for path in paths:
            ours[path].append(timed(lambda path=path: read_submission(path, raw_dir, settings)))
            raw[path].append(timed(lambda path=path: calamine_dump(path)))
            if path in xlsx:
                for name, seconds in stage_times(path, settings).items():
                    split[name] += seconds
        for name in STAGES:
            stages[name].append(split[name] / len(xlsx))
    load_after = os.getloadavg()
    round_ours = [sum(ours[p][i] for p in paths) / len(paths) for i in range(rounds)]
    round_raw = [sum(raw[p][i] for p in paths) / len(paths) for i in range(rounds)]
    round_ratio = [o / r for o, r in zip(round_ours, round_raw)]
    ratios = [statistics.median(o / r for o, r in zip(ours[p], raw[p])) for p in paths]
    print(f"== 1. 每个工作簿：jixiao 读取解析 vs calamine 原始读取（{len(paths)} 个可读文件，{rounds} 轮交替计时，取中位数）")
    print(f"   负载（1/5/15 分钟）：开始 {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}，"
          f"结束 {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}")
    print(f"   jixiao   {statistics.median(round_ours) * 1000:7.2f} ms/个（各轮 {min(round_ours) * 1000:.2f}–{max(round_ours) * 1000:.2f}）")
    print(f"   calamine {statistics.median(round_raw) * 1000:7.2f} ms/个（各轮 {min(round_raw) * 1000:.2f}–{max(round_raw) * 1000:.2f}）")
    print(f"   倍数（jixiao / calamine）：总体 {statistics.median(round_ratio):.1f}×（各轮 {min(round_ratio):.1f}–{max(round_ratio):.1f}×），"
          f"按工作簿 中位数 {statistics.median(ratios):.1f}×，最小 {min(ratios):.1f}×，最大 {max(ratios):.1f}×；目标 ≤{GOAL_RATIO}×")
    raw_xlsx = statistics.median([sum(raw[p][i] for p in xlsx) / len(xlsx) for i in range(rounds)])
    print(f"   时间去向（{len(xlsx)} 个 .xlsx，各阶段单独计时，ms/个 与 相当于 calamine 原始读取的倍数）：")
    for name in STAGES:
        median = statistics.median(stages[name])
        print(f"     {name:<11} {median * 1000:7.2f} ms  {median / raw_xlsx:5.1f}×")
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
    parser.add_argument("--rounds", type=int, default=7, help="rounds of part 1 (medians are taken over them)")
    args = parser.parse_args()
    settings = Settings()
    sources = per_workbook(Path(args.raw_dir), settings, args.rounds)
    if args.scale:
        scale_run(sources, settings, args.scale)


if __name__ == "__main__":
    main()
