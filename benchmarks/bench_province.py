"""Province scale: ≈5,000 workbooks through ingest → checks → metrics → history → store, and a sample of briefs.

A province here is many counties, each writing the demo county's mix of files
(:func:`jixiao.demo.generator.write_demo_county` with its own seed and invented county name: 30 files,
4 of them unreadable, 88 projects, ≈630 indicators). The province is generated once OUTSIDE the
repository, into ``--work`` (default: a folder in the system temp dir that is kept), and reused by later
runs; generation is not measured.

    .venv/bin/python benchmarks/bench_province.py                          # 500, 1,500 and 5,000 files
    .venv/bin/python benchmarks/bench_province.py --sizes 500 --briefs 0   # a quick look

Each size runs in a fresh process (so its peak memory is its own) exactly as ``jixiao run`` runs a round
(:func:`jixiao.pipeline.process_round`, both cores for the ingest) into a fresh store, and prints:
time and CPU seconds per step, files per second, s/file against the smallest size (1.00 = linear growth),
the peak memory of the process tree (all ingest workers included), and, at the largest size, the briefs
of a sample of departments with the time all departments of the province would take at that rate.
The goal (issue 15): 5,000 workbooks through metrics and store in ≤ 5 minutes with < 4 GB on 2 cores.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.config.settings import Settings  # noqa: E402
from jixiao.demo import generator  # noqa: E402
from jixiao.demo.generator import SUBMISSIONS, county_names, write_demo_county  # noqa: E402
from jixiao.pipeline import Job, RoundInput, process_round  # noqa: E402
from jixiao.store.warehouse import WORK_DIR, Round  # noqa: E402

FILES_PER_COUNTY = len(SUBMISSIONS)
ROUND = Round(2023, 7)  # the demo's round: every generated county reports 2023年1-7月
FIRST_SEED = 2024  # county i gets seed FIRST_SEED + i (2023 is the demo county's own)
DEFAULT_SIZES = "500,1500,5000"
DEFAULT_BRIEFS = 4  # departments rendered at the largest size; enough for a stable s/department
GOAL_SECONDS = 300.0  # issue 15: 5,000 workbooks through metrics and store in ≤ 5 minutes …
GOAL_MEMORY_GB = 4.0  # … with less than 4 GB
SAMPLE_SECONDS = 0.2  # memory sampling interval: short enough to catch a step's peak, cheap on 2 cores
GB = 1024 ** 3
RESULTS = "results.json"  # the figures of the last run, beside the province
DONE = ".complete"  # written last for a county folder and a batch folder: an interrupted one is redone


# -- the province on disk (generated once, outside the repository) -------------------------------------
def _stamp(name: str, seed: int) -> str:
    """What a finished county folder was made from: a changed generator makes the cached counties stale."""
    return f"{name} {seed} {hashlib.sha256(Path(generator.__file__).read_bytes()).hexdigest()}\n"


def _write_county(args: tuple[Path, str, int]) -> str:
    folder, name, seed = args
    shutil.rmtree(folder, ignore_errors=True)
    write_demo_county(folder, seed, county=name)
    (folder / DONE).write_text(_stamp(name, seed), encoding="utf-8")
    return name


def _is_current(folder: Path, name: str, seed: int) -> bool:
    done = folder / DONE
    return done.is_file() and done.read_text(encoding="utf-8") == _stamp(name, seed)


def generate_province(work: Path, counties: int, jobs: int) -> Path:
    """``work/province/<county>/``: the counties not generated yet are written, both cores at work."""
    province = work / "province"
    todo = [(province / name, name, FIRST_SEED + i) for i, name in enumerate(county_names(counties))
            if not _is_current(province / name, name, FIRST_SEED + i)]
    if todo:
        for stale in work.glob("batch-*"):  # batches linked from a stale county are stale too
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        print(f"生成全省模拟报送文件：{len(todo)} 个县（已有 {counties - len(todo)} 个，不计入测量）……", flush=True)
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_write_county, todo))
    return province


def batch_folder(work: Path, province: Path, counties: int) -> Path:
    """``work/batch-<counties>/``: the first ``counties`` counties as hard links (ingest never follows symlinks)."""
    folder, done = work / f"batch-{counties}", work / f"batch-{counties}{DONE}"  # the mark beside it: not an input
    if done.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for name in county_names(counties):
        source = province / name
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.name != DONE:
                target = folder / name / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, target)  # a link shares the modification time, which decides re-submissions
    done.write_text(f"{counties}\n", encoding="utf-8")
    return folder


# -- measuring one size (in its own process) -------------------------------------------------------
@dataclass
class TreeSampler:
    """Peak RSS of this process and all its descendants, per step of ``job.timings`` (sampled in a thread)."""

    job: Job
    peaks: list[float] = field(default_factory=list)  # bytes, one per finished step, then the rest
    cpu_marks: list[float] = field(default_factory=list)  # CPU seconds of the tree when each step ended
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> TreeSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        peak = 0.0
        while not self._stop.wait(SAMPLE_SECONDS):
            peak = max(peak, tree_rss(me))
            if len(self.job.timings) > len(self.peaks):  # a step ended since the last sample
                self.peaks.append(peak)
                self.cpu_marks.append(cpu_seconds())
                peak = 0.0
        self.peaks.append(peak)
        self.cpu_marks.append(cpu_seconds())


def tree_rss(process: psutil.Process) -> float:
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:  # a worker that ended between listing and reading
            continue
    return total


def cpu_seconds() -> float:
    """User + system seconds of this process and its finished children (the ingest workers, once reaped)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def job_in(work: Path, raw: Path, jobs: int) -> Job:
    run_dir = work / "run"
    shutil.rmtree(run_dir, ignore_errors=True)  # a fresh store: the same inputs would otherwise be skipped
    settings = Settings()
    paths = replace(settings.paths, store=run_dir / "jixiao.duckdb", export=run_dir / "export",
                    replies=run_dir / "replies")
    return Job(replace(settings, paths=paths, jobs=jobs), raw=raw, processed=run_dir / "processed",
               reports=run_dir / "reports", jobs=jobs, quiet=True)


def measure(work: Path, counties: int, jobs: int, briefs: int) -> dict:
    """The round stages on ``counties`` counties, then ``briefs`` departments' briefs; figures as a dict."""
    from jixiao.store.tables import read_table

    raw = work / f"batch-{counties}"
    job = job_in(work, raw, jobs)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    with TreeSampler(job) as sampler:
        process_round(job, RoundInput(raw, ROUND))
    wall = time.perf_counter() - wall0
    steps = []
    cpu_before = cpu0
    for (label, seconds), peak, cpu in zip(job.timings, sampler.peaks, sampler.cpu_marks, strict=False):
        steps.append({"label": label, "seconds": seconds, "cpu": cpu - cpu_before, "peak_gb": peak / GB})
        cpu_before = cpu
    round_dir = job.processed / WORK_DIR / ROUND.key
    summary = read_table(round_dir, "department_summary")
    out = {"counties": counties, "files": len(read_table(round_dir, "submissions")),
           "projects": len(read_table(round_dir, "projects")), "indicators": len(read_table(round_dir, "indicators")),
           "departments": len(summary), "wall": wall, "cpu": cpu_seconds() - cpu0, "steps": steps,
           "peak_gb": max(sampler.peaks) / GB}
    if briefs:
        out["briefs"] = measure_briefs(job, round_dir, list(summary["dept_name"]), briefs)
    return out


def measure_briefs(job: Job, round_dir: Path, departments: list[str], sample: int) -> dict:
    """Briefs (HTML, PDF, Word) of ``sample`` departments spread over the province, without the overview."""
    from jixiao.outputs.render import run_briefs

    step = max(1, len(departments) // sample)
    chosen = departments[::step][:sample]
    start = time.perf_counter()
    result = run_briefs(round_dir, job.reports, departments=chosen, jobs=job.jobs, settings=job.settings,
                        progress=False, include_overview=False)
    seconds = time.perf_counter() - start
    return {"sample": len(chosen), "seconds": seconds, "failures": len(result.failures),
            "per_department": seconds / len(chosen), "all_departments": seconds / len(chosen) * len(departments)}


# -- the report --------------------------------------------------------------------------------------
def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"负载 {one:.2f} / {five:.2f} / {fifteen:.2f}（1/5/15 分钟，{os.cpu_count()} 核）"


def run_size(work: Path, counties: int, jobs: int, briefs: int) -> dict:
    """``measure`` in a fresh interpreter, so each size's peak memory is its own."""
    command = [sys.executable, __file__, "--work", str(work), "--jobs", str(jobs), "--briefs", str(briefs),
               "--measure", str(counties)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{counties} 个县的测量失败（退出码 {done.returncode}）：\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_size(result: dict, smallest: dict) -> None:
    files, wall, cpu = result["files"], result["wall"], result["cpu"]
    growth = (wall / files) / (smallest["wall"] / smallest["files"])
    cpu_growth = (cpu / files) / (smallest["cpu"] / smallest["files"])  # steadier than wall time on a shared machine
    print(f"\n== {files} 个文件（{result['counties']} 个县，{result['departments']} 个部门，{result['projects']} 个项目，"
          f"{result['indicators']} 个指标）  {load()}")
    for step in result["steps"]:
        print(f"   {step['label']:<34} {step['seconds']:7.1f} 秒  CPU {step['cpu']:7.1f} 秒  "
              f"内存峰值 {step['peak_gb']:5.2f} GB")
    goal = "达到" if wall <= GOAL_SECONDS and result["peak_gb"] < GOAL_MEMORY_GB else "未达到"
    print(f"   合计 {wall:.1f} 秒（CPU {cpu:.1f} 秒），{files / wall:.1f} 个文件/秒，{wall / files:.4f} 秒/文件、"
          f"CPU {cpu / files:.4f} 秒/文件（为 {smallest['files']} 个文件时的 {growth:.2f} 倍、CPU {cpu_growth:.2f} 倍；"
          f"1.00 即线性增长），进程树内存峰值 {result['peak_gb']:.2f} GB；"
          f"目标（{GOAL_SECONDS / 60:.0f} 分钟、{GOAL_MEMORY_GB:.0f} GB 以内）{goal}")
    if "briefs" in result:
        b = result["briefs"]
        print(f"   反馈意见抽样 {b['sample']} 个部门：{b['seconds']:.1f} 秒，每个部门 {b['per_department']:.1f} 秒"
              f"（失败 {b['failures']}）；全部 {result['departments']} 个部门估计 {b['all_departments'] / 60:.0f} 分钟"
              f"（{b['all_departments'] / 3600:.1f} 小时）")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "jixiao-province",
                        help="generated province and run folders (kept for reruns; outside the repository)")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="numbers of files, comma-separated")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the ingest and the briefs")
    parser.add_argument("--briefs", type=int, default=DEFAULT_BRIEFS, help="departments whose briefs are rendered "
                        "at the largest size (0: none)")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON on stdout
    args = parser.parse_args()
    work = args.work.resolve()
    if ROOT in [work, *work.parents]:
        parser.error("--work 必须在代码仓库之外")
    if args.measure:
        print(json.dumps(measure(work, args.measure, args.jobs, args.briefs)))
        return
    sizes = sorted(math.ceil(int(size) / FILES_PER_COUNTY) for size in args.sizes.split(","))
    province = generate_province(work, sizes[-1], args.jobs)
    results = []
    for counties in sizes:
        batch_folder(work, province, counties)
        results.append(run_size(work, counties, args.jobs, args.briefs if counties == sizes[-1] else 0))
        print_size(results[-1], results[0])
    (work / RESULTS).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
