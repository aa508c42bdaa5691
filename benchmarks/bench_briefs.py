"""Briefs: the analyst's loop (issue 5 baseline) against ``jixiao.outputs.render.run_briefs``, side by side.

Baseline, per department: the ``papermill`` CLI, then ``jupyter nbconvert --to html --no-input``,
then one headless Chromium ``--print-to-pdf`` (each a fresh process and kernel).
jixiao: ``run_briefs`` on every department plus the county overview (two workers, each with one
kernel, one exporter and one browser; static SVG charts).

    .venv/bin/python benchmarks/bench_briefs.py                  # baseline on 4 departments
    .venv/bin/python benchmarks/bench_briefs.py --baseline-sample 0   # baseline on all of them

Prints seconds per department for both and the ratio (goal: at least 5×). The baseline is
sampled by default because the full loop takes minutes; its cost per department hardly varies.
jixiao's run writes HTML, PDF and Word (.docx); ``word_cost`` then measures in one warm process
what the .docx adds to a department (print-resolution PNG charts + docxtpl), against the HTML alone.

    .venv/bin/python benchmarks/bench_briefs.py --word-only      # only the Word cost, no batch
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao.config.settings import Settings  # noqa: E402
from jixiao.outputs.brief import load_brief_data  # noqa: E402
from jixiao.outputs.render import CHROMIUM_PATH, run_briefs, safe_name  # noqa: E402
from jixiao.pipeline import process_folder  # noqa: E402

BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "department_brief.ipynb"
DEFAULT_SAMPLE = 4


def prepare(processed: Path | None, work: Path) -> Path:
    if processed:
        return processed
    out = work / "processed"
    return process_folder(ROOT / "data" / "raw" / "2023年1-7月", out, Settings())


def baseline_one(department: str, processed: Path, out: Path) -> None:
    stem = out / safe_name(department)
    run = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run([str(BIN / "papermill"), str(NOTEBOOK), f"{stem}.ipynb", "-p", "department", department,
                    "-p", "processed_dir", str(processed)], **run)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", f"{stem}.ipynb"], **run)
    subprocess.run([CHROMIUM_PATH, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={stem}.pdf",
                    Path(f"{stem}.html").as_uri()], **run)


def word_cost(processed: Path, departments: list[str], out: Path) -> dict[str, float]:
    """Median seconds per department, in one warm process: the HTML page alone, the .docx added to it
    (wall clock), and of that the print PNGs of the charts (kaleido's Chromium) and this process's CPU.
    On a shared machine the wall clock waits for the CPU; the CPU time is what the .docx itself costs."""
    from statistics import median

    from jixiao.outputs.brief import department_brief, write_document

    out.mkdir(parents=True, exist_ok=True)
    write_document(department_brief(departments[0], processed).document(), {"html": out / "warm.html",
                                                                             "docx": out / "warm.docx"})
    times: dict[str, list[float]] = {"html": [], "docx": [], "png": [], "docx_cpu": []}
    for department in departments:
        document = department_brief(department, processed).document()
        started = time.perf_counter()
        write_document(document, {"html": out / f"{safe_name(department)}.html"})
        times["html"].append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        _ = [block.png for block in document.blocks if block.kind == "chart"]
        times["png"].append(time.perf_counter() - started)
        write_document(document, {"docx": out / f"{safe_name(department)}.docx"})
        times["docx"].append(time.perf_counter() - started)
        times["docx_cpu"].append(time.process_time() - cpu)
    return {name: median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processed", type=Path, help="ingest output (default: ingest data/raw into a temp folder)")
    parser.add_argument("--baseline-sample", type=int, default=DEFAULT_SAMPLE,
                        help=f"departments timed with the baseline (0 = all; default {DEFAULT_SAMPLE})")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--word-only", action="store_true", help="only measure what Word adds per department")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-briefs-") as tmp:
        work = Path(tmp)
        processed = prepare(args.processed, work)
        departments = load_brief_data(processed).departments()
        cost = word_cost(processed, departments, work / "word")
        print(f"Word (.docx) per department, warm process (medians): +{cost['docx']:.2f} s wall, of which chart PNGs "
              f"{cost['png']:.2f} s; CPU in this process {cost['docx_cpu']:.2f} s (HTML page alone {cost['html']:.2f} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        if args.word_only:
            return 0
        sample = departments if args.baseline_sample <= 0 else departments[:args.baseline_sample]

        (work / "baseline").mkdir()
        started = time.perf_counter()
        for department in sample:
            baseline_one(department, processed, work / "baseline")
        baseline = (time.perf_counter() - started) / len(sample)

        result = run_briefs(processed, work / "reports", jobs=args.jobs, progress=False)
        ours = result.seconds / len(departments)
        print(f"cores: {os.cpu_count()}; departments: {len(departments)} (+ county overview in jixiao's run)")
        print(f"baseline (papermill CLI → nbconvert → chromium), {len(sample)} departments: "
              f"{baseline:.2f} s/department")
        print(f"jixiao run_briefs, jobs={args.jobs}, all {len(departments)} departments + overview: "
              f"{result.seconds:.1f} s total, {ours:.2f} s/department")
        print(f"ratio: {baseline / ours:.1f}× faster; files written {len(result.written)}, "
              f"failures {len(result.failures)}")
        return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
