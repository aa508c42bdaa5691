"""Briefs: the analyst's loop (issue 5 baseline) against ``jixiao.outputs.render.run_briefs``, side by side.

Naive, per department: the ``papermill`` CLI, then ``jupyter nbconvert --to html --no-input``,
then one headless Chromium ``--print-to-pdf`` (each a fresh process and kernel): HTML and PDF.
jixiao: ``run_briefs`` on every department plus the county report, HTML, PDF and Word (two workers,
each with one kernel and one Chromium).

    .venv/bin/python benchmarks/bench_briefs.py                      # 3 rounds, naive on 4 departments
    .venv/bin/python benchmarks/bench_briefs.py --rounds 5 --naive-sample 0   # naive on all of them
    .venv/bin/python benchmarks/bench_briefs.py --split-only         # only the cost split and the floor

Each round runs the naive loop and then the batch, so a ratio compares two runs taken moments apart
on a shared machine; the medians of the rounds are printed with the load average at each run.
The naive loop is sampled by default because it takes minutes; its cost per department hardly varies.

Then, in this process (warm, medians over the departments): jixiao's cost split per brief (the
document model, charts, HTML export, PDF print, Word), one notebook executed alone in a warm kernel
with all three outputs (the floor of one brief), and the batch's start-up (a one-department batch
minus that floor). Goal (issue 15): jixiao at least 10x the naive loop per department.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.config.settings import Settings  # noqa: E402
from jixiao.outputs.brief import load_brief_data  # noqa: E402
from jixiao.outputs.chromium import CHROMIUM_PATH  # noqa: E402
from jixiao.outputs.render import run_briefs, safe_name  # noqa: E402
from jixiao.pipeline import process_folder  # noqa: E402

BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "department_brief.ipynb"
DEFAULT_SAMPLE = 4
DEFAULT_ROUNDS = 3
SPLIT_DEPARTMENTS = 8  # enough for a median of the per-brief costs, few enough to stay short
ALONE_RUNS = 4  # one notebook executed again and again in one warm kernel
GOAL = 10


def prepare(processed: Path | None, work: Path) -> Path:
    if processed:
        return processed
    return process_folder(ROOT / "data" / "raw" / "2023年1-7月", work / "processed", Settings())


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


# ---------------------------------------------------------------- the two ways, side by side

def naive_one(department: str, processed: Path, out: Path) -> None:
    stem = out / safe_name(department)
    run = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run([str(BIN / "papermill"), str(NOTEBOOK), f"{stem}.ipynb", "-p", "department", department,
                    "-p", "processed_dir", str(processed)], **run)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", f"{stem}.ipynb"], **run)
    subprocess.run([CHROMIUM_PATH, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={stem}.pdf",
                    Path(f"{stem}.html").as_uri()], **run)


def naive_per_department(departments: list[str], processed: Path, out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for department in departments:
        naive_one(department, processed, out)
    return (time.perf_counter() - started) / len(departments)


def jixiao_per_department(processed: Path, out: Path, jobs: int, count: int) -> tuple[float, object]:
    result = run_briefs(processed, out, jobs=jobs, progress=False)
    if not result.ok:
        raise SystemExit(f"run_briefs failed: {result.failures}")
    return result.seconds / count, result


def side_by_side(processed: Path, departments: list[str], sample: list[str], work: Path, rounds: int,
                 jobs: int) -> tuple[float, float]:
    naive, ours, ratios = [], [], []
    for number in range(rounds):
        naive.append(naive_per_department(sample, processed, work / f"naive{number}"))
        naive_load = load()
        seconds, result = jixiao_per_department(processed, work / f"reports{number}", jobs, len(departments))
        ours.append(seconds)
        ratios.append(naive[-1] / ours[-1])
        print(f"round {number + 1}: naive {naive[-1]:.2f} s/department ({naive_load}); jixiao {ours[-1]:.2f} "
              f"s/department, {result.seconds:.1f} s for {len(result.written)} files ({load()}); "
              f"ratio {ratios[-1]:.1f}x", flush=True)
    print(f"naive (papermill CLI -> nbconvert -> chromium; HTML, PDF), {len(sample)} departments: "
          f"median {median(naive):.2f} s/department")
    print(f"jixiao run_briefs (jobs={jobs}; HTML, PDF, Word), {len(departments)} departments + county report: "
          f"median {median(ours):.2f} s/department")
    print(f"ratio: median {median(ratios):.1f}x (goal {GOAL}x) over {rounds} rounds")
    return median(naive), median(ours)


# ---------------------------------------------------------------- where a brief's time goes

def cost_split(processed: Path, departments: list[str], out: Path) -> dict[str, float]:
    """Median seconds per brief in one warm process: document model, charts (SVG and PNG),
    HTML export, PDF print (with the stamp) and Word."""
    from jixiao.outputs import chromium
    from jixiao.outputs.brief import department_brief
    from jixiao.outputs.document import render_html, write_docx, write_pdf

    out.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {name: [] for name in ("model", "charts", "html", "pdf", "word")}
    warm = department_brief(departments[0], processed).document()
    write_pdf(warm, render_html(warm), out / "warm.pdf")
    write_docx(warm, out / "warm.docx")
    for department in departments:
        stem = out / safe_name(department)
        started = time.perf_counter()
        document = department_brief(department, processed).document()
        times["model"].append(time.perf_counter() - started)
        started = time.perf_counter()
        _ = [(block.svg, block.png) for block in document.blocks if block.kind == "chart"]
        times["charts"].append(time.perf_counter() - started)
        started = time.perf_counter()
        page = render_html(document)
        times["html"].append(time.perf_counter() - started)
        started = time.perf_counter()
        write_pdf(document, page, stem.with_suffix(".pdf"))
        times["pdf"].append(time.perf_counter() - started)
        started = time.perf_counter()
        write_docx(document, stem.with_suffix(".docx"))
        times["word"].append(time.perf_counter() - started)
    chromium.close()
    return {name: median(values) for name, values in times.items()}


def notebook_alone(processed: Path, department: str, out: Path) -> tuple[float, float]:
    """One department's notebook executed ALONE in a warm kernel (its Chromium started): with all three
    outputs, and with none (papermill and the document model only). Medians of ALONE_RUNS."""
    from jixiao.outputs.render import BriefRenderer, installed_notebooks, plan_jobs

    data = load_brief_data(processed)
    full = plan_jobs(data, out, [department], ("html", "pdf", "docx"), None, installed_notebooks(), False)[0]
    bare = plan_jobs(data, out, [department], (), None, installed_notebooks(), False)[0]
    with BriefRenderer() as renderer:
        renderer.render(full)  # the kernel's first brief reads the tables and imports the writers
        with_outputs = [renderer.render(full).seconds for _ in range(ALONE_RUNS)]
        model_only = [renderer.render(bare).seconds for _ in range(ALONE_RUNS)]
    return median(with_outputs), median(model_only)


def batch_of_one(processed: Path, department: str, out: Path) -> float:
    """A one-department batch: its start-up plus one brief (the start-up is this minus one brief alone)."""
    return run_briefs(processed, out, departments=[department], include_overview=False, progress=False).seconds


def split_and_floor(processed: Path, departments: list[str], work: Path, jixiao: float | None) -> None:
    split = cost_split(processed, departments[:SPLIT_DEPARTMENTS], work / "split")
    print(f"jixiao per brief, warm process, medians of {min(len(departments), SPLIT_DEPARTMENTS)} departments "
          f"({load()}): " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in split.items())
          + f"; sum {sum(split.values()):.2f} s")
    one_batch = batch_of_one(processed, departments[0], work / "startup")
    alone, bare = notebook_alone(processed, departments[0], work / "alone")
    print(f"one notebook alone in a warm kernel ({load()}): {alone:.2f} s with HTML, PDF and Word; "
          f"{bare:.2f} s without outputs (papermill + model + display); PDF print alone {split['pdf']:.2f} s")
    start = one_batch - alone
    print(f"batch start-up (one-department batch minus one brief alone; kernels, papermill, Chromium, "
          f"情况表) ({load()}): {start:.1f} s")
    cores = os.cpu_count() or 1
    floor = alone / min(cores, 2) + start / len(departments)
    print(f"floor per department on {cores} cores (one brief alone over two workers + start-up shared by "
          f"{len(departments)} departments): {floor:.2f} s"
          + (f"; achieved {jixiao:.2f} s ({floor / jixiao:.0%} of the floor's speed)" if jixiao else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processed", type=Path, help="a processed folder (default: process data/raw into a temp folder)")
    parser.add_argument("--naive-sample", type=int, default=DEFAULT_SAMPLE,
                        help=f"departments timed with the naive loop (0 = all; default {DEFAULT_SAMPLE})")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="side-by-side rounds (median printed)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--split-only", action="store_true", help="only the cost split, the floor and the start-up")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-briefs-") as tmp:
        work = Path(tmp)
        processed = prepare(args.processed, work)
        departments = load_brief_data(processed).departments()
        print(f"cores: {os.cpu_count()}; departments: {len(departments)} (+ county report in jixiao's runs); {load()}")
        ours = None
        if not args.split_only:
            sample = departments if args.naive_sample <= 0 else departments[:args.naive_sample]
            _, ours = side_by_side(processed, departments, sample, work, args.rounds, args.jobs)
        split_and_floor(processed, departments, work, ours)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
