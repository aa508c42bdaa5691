"""The main job, declared once: ingest → checks → metrics → history → store, per round; then outputs.

``data/raw/`` holds one subfolder per round (``2023年1-7月/``, ``2023年1-10月/`` …) or, as
before, the files of a single round. :func:`run` processes every round in time order,
skipping a round whose inputs (files, rule profile, approved targets, replies to the previous
round's feedback, the previous round itself) are unchanged since it was stored, and then
renders the documents of the latest round (or the one asked for). ``jixiao run``, the
notebooks and the benchmarks call these functions; :data:`ROUND_STAGES` and
:data:`OUTPUT_STAGES` are the one place that says what runs in which order.

The stage helpers (``ingest_stage`` …) print in Chinese and raise :class:`CommandError`
when a stage cannot run at all; problems inside submissions are findings.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import time
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from jixiao import __version__
from jixiao.config.settings import Settings, period_dir
from jixiao.domain.formatting import data_period
from jixiao.domain.vocabulary import DEMO_MARKER, STATUS_LABELS
from jixiao.store.schema import METRICS_TABLES
from jixiao.store.tables import read_findings, read_table, read_tables, write_table
from jixiao.store.warehouse import WORK_DIR, Round, Store, StoreError

ROUND_DIR_RE = re.compile(r"^(\d{4})\s*年(?:度)?\s*1\s*[-－—~～至到]\s*(\d{1,2})\s*月$")
CURRENT_FILES = ("*.parquet", "metrics_meta.json", "checks_meta.json")  # what processed/ holds of the rendered round


class CommandError(Exception):
    """The command cannot run; the message is Chinese and goes to stderr with exit code 2."""


# A folder holding DEMO_MARKER is a demo folder: reading it together with anything else would mix
# invented and real data.
NAMES_SHOWN = 5  # extra files named in the error; the rest are counted


def write_demo_marker(out: Path, paths) -> None:
    """DEMO_MARKER in ``out``, listing the files the demo wrote there (replies elsewhere are not listed)."""
    root = out.resolve()
    listed = sorted(Path(path).resolve().relative_to(root).as_posix() for path in paths
                    if Path(path).resolve().is_relative_to(root))
    (out / DEMO_MARKER).write_text("\n".join(listed) + "\n", encoding="utf-8")


def check_not_mixed_with_demo(raw_dir: Path) -> None:
    """A demo folder with any file the demo did not write is refused: invented data never joins real data."""
    marker = raw_dir / DEMO_MARKER
    if not marker.is_file():
        return
    listed = set(marker.read_text(encoding="utf-8").splitlines())
    present = {path.relative_to(raw_dir).as_posix() for path in raw_dir.rglob("*")
               if path.is_file() and path.name != DEMO_MARKER}
    extra = sorted(present - listed)
    if extra:
        shown = "、".join(extra[:NAMES_SHOWN]) + ("……" if len(extra) > NAMES_SHOWN else "")
        raise CommandError(f"{raw_dir} 是 jixiao demo 生成的示范县文件夹，其中混入了其他文件：{shown}。"
                           f"真实报送请放在另一个文件夹（如 jixiao run --raw 报送文件夹）；"
                           f"确要把它们和示范数据一起读取时，删除 {marker}")


# -- stage helpers (also the single-stage commands) ---------------------------------------------------
def profile_of(rules_path: Path | None):
    from jixiao.config.profile import RuleProfileError, load_profile

    try:
        return load_profile(rules_path)
    except RuleProfileError as exc:
        raise CommandError(str(exc)) from exc


def process_folder(raw_dir: Path, out_dir: Path, settings: Settings, rules_path: Path | None = None,
                   approved: str | None = None, jobs: int | None = None, quiet: bool = True) -> Path:
    """The stages of one round without store or outputs (ingest → checks → metrics) into ``out_dir``.

    For notebooks, benchmarks and tests that need a processed folder; ``jixiao run`` adds the history,
    the store and the outputs around the same stages.
    """
    ingest_stage(Path(raw_dir), Path(out_dir), settings, jobs, quiet)
    check_stage(Path(out_dir), approved, settings, rules_path)
    metrics_stage(Path(out_dir), None, settings, rules_path)
    return Path(out_dir)


def ingest_stage(raw_dir: Path, out_dir: Path, settings: Settings, jobs: int | None, quiet: bool) -> dict:
    from jixiao.normalise.ingest import ingest

    if not raw_dir.is_dir():
        raise CommandError(f"找不到报送文件夹 {raw_dir}")
    check_not_mixed_with_demo(raw_dir)
    try:
        tables = ingest(raw_dir, out_dir, settings, jobs=jobs, progress=not quiet)
    except OSError as exc:
        raise CommandError(f"无法写入输出文件夹 {out_dir}（{exc.strerror or exc}）") from exc
    print_ingest_summary(tables, out_dir, verbose=not quiet)
    return tables


def check_stage(processed_dir: Path, approved: str | None, settings: Settings, rules_path: Path | None):
    from jixiao.validate.approved import ApprovedTargetsError
    from jixiao.validate.checks import run_checks, summary_line

    try:
        findings = run_checks(processed_dir, Path(approved) if approved else None, settings, profile_of(rules_path))
    except ApprovedTargetsError as exc:
        raise CommandError(str(exc)) from exc
    print(f"校验完成，{summary_line(findings)}。问题清单：{processed_dir / 'check_findings.parquet'}")
    return findings


def metrics_stage(processed_dir: Path, reports_dir: Path | None, settings: Settings, rules_path: Path | None) -> dict:
    """Metrics tables; with ``reports_dir`` also the 汇总 workbook (the single-stage command does both)."""
    from jixiao.metrics.compute import run_metrics, summary_text

    profile = profile_of(rules_path)
    tables = run_metrics(processed_dir, rules_path, settings)
    print(summary_text(tables, profile))
    if reports_dir is not None:
        summary_stage(processed_dir, reports_dir)
    return tables


def summary_stage(processed_dir: Path, reports_dir: Path) -> Path:
    from jixiao.outputs.summary_excel import write_summary_workbook

    tables = read_tables(processed_dir, METRICS_TABLES)
    intake = {"submissions": read_table(processed_dir, "submissions"), "findings": read_findings(processed_dir)}
    workbook = write_summary_workbook({**tables, **intake}, reports_dir)
    print(f"结果表已写入 {processed_dir}；Excel 汇总表：{workbook}")
    return workbook


def feedback_stage(processed_dir: Path, raw_dir: Path, out_dir: Path) -> list[Path]:
    from jixiao.outputs.feedback import write_feedback

    paths = write_feedback(processed_dir, raw_dir, out_dir)
    print(f"已生成反馈工作簿 {len(paths)} 个：{out_dir}")
    return paths


def charts_stage(processed_dir: Path, out_dir: Path, rules_path: Path | None = None) -> list[Path]:
    from jixiao.outputs.charts import write_charts

    try:
        paths = write_charts(processed_dir, out_dir, profile=profile_of(rules_path))
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from exc
    print(f"已导出图表 {len(paths)} 个文件（PNG 与 SVG）：{out_dir}")
    return paths


def briefs_stage(processed_dir: Path, reports_dir: Path, settings: Settings, rules_path: Path | None,
                 departments=None, formats=("html", "pdf", "docx"), jobs: int = 2, quiet: bool = False,
                 overview: bool = True):
    from jixiao.outputs.render import FORMATS, run_briefs

    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise CommandError(f"不支持的格式 {', '.join(unknown) or '（空）'}，只能是 {', '.join(FORMATS)}")
    try:
        result = run_briefs(processed_dir, reports_dir, departments=departments, formats=formats, jobs=jobs,
                            rules_path=rules_path, settings=settings, progress=not quiet,
                            include_overview=overview)
    except (FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    print(result.summary())
    return result


def print_ingest_summary(tables, out_dir: Path, verbose: bool = True) -> None:
    subs, findings = tables["submissions"], tables["findings"]
    if verbose:
        for row in subs.itertuples():
            n_issues = int((findings["source_file"] == row.source_file).sum())
            line = f"[{STATUS_LABELS[row.status]}] {row.source_file}：{row.n_projects} 个项目，{row.n_indicators} 个指标"
            if n_issues:
                line += f"，{n_issues} 条提示"
            if row.reason:
                line += f"\n        原因：{row.reason}"
            print(line)
    counts = subs["status"].value_counts()
    print(
        f"合计：{len(subs)} 个文件（完整 {counts.get('ok', 0)}，部分 {counts.get('partial', 0)}，"
        f"失败 {counts.get('failed', 0)}" + (f"，未读取 {counts.get('skipped')}" if counts.get('skipped') else "") + "）；"
        f"{len(tables['projects'])} 个项目，{len(tables['indicators'])} 个指标，"
        f"{len(findings)} 条问题提示。结果已写入 {out_dir}"
    )


def period_folder(settings: Settings, reports_dir: Path, processed_dir: Path) -> Path:
    """reports/<year>-<MM>/ of the data in ``processed_dir`` (the period the headers say, else the settings)."""
    year, month = header_round(processed_dir, settings)
    return period_dir(reports_dir, year, month)


def header_round(processed_dir: Path, settings: Settings) -> tuple[int, int]:
    """(year, month) most headers in ``processed_dir`` say; the settings when none does."""
    return data_period(read_table(Path(processed_dir), "projects"), settings.year, settings.period_end_month)


# -- rounds in the inputs ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RoundInput:
    """A folder of one round's submissions; ``round`` is None for a flat folder (taken from the headers)."""

    folder: Path
    round: Round | None = None


def folder_round(name: str) -> Round | None:
    """'2023年1-7月' -> Round(2023, 7); anything else -> None."""
    match = ROUND_DIR_RE.match(name.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return Round(int(match.group(1)), int(match.group(2)))


def discover_rounds(raw_dir: Path) -> list[RoundInput]:
    """The round folders under ``raw_dir`` in time order, or ``raw_dir`` itself when it has none."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise CommandError(f"找不到报送文件夹 {raw_dir}")
    found = sorted((RoundInput(p, folder_round(p.name)) for p in raw_dir.iterdir()
                    if p.is_dir() and folder_round(p.name)), key=lambda r: r.round)
    if not found:
        return [RoundInput(raw_dir, None)]
    from jixiao.normalise.ingest import discover

    inside = {r.folder for r in found}
    loose = [p for p in discover(raw_dir) if not inside.intersection(p.parents)]
    if loose:
        print(f"注意：{len(loose)} 个文件不在任何轮次文件夹（如“2023年1-10月”）中，未读取："
              f"{'、'.join(p.relative_to(raw_dir).as_posix() for p in loose[:5])}{'……' if len(loose) > 5 else ''}")
    return found


def file_hashes(folder: Path) -> list[tuple[str, str]]:
    """(relative path, SHA-256) of every candidate submission under ``folder``."""
    from jixiao.normalise.ingest import discover

    return [(p.relative_to(folder).as_posix(), _sha256(p)) for p in discover(folder)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(folder: Path | None, pattern: str = "*") -> list[Path]:
    if folder is None or not Path(folder).exists():
        return []
    folder = Path(folder)
    return [folder] if folder.is_file() else sorted(p for p in folder.rglob(pattern) if p.is_file())


# -- the job ----------------------------------------------------------------------------------------
@dataclass
class Job:
    """Everything one ``jixiao run`` needs, and the time each step took."""

    settings: Settings
    raw: Path
    processed: Path
    reports: Path
    rules_path: Path | None = None
    approved: str | None = None
    jobs: int | None = None
    quiet: bool = False
    timings: list[tuple[str, float]] = field(default_factory=list)
    briefs_result: object | None = None

    @property
    def store(self) -> Store:
        return Store(self.settings.paths.store)

    @contextmanager
    def step(self, label: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings.append((label, time.perf_counter() - start))


@dataclass
class RoundWork:
    """One round being processed: where its tables are, its inputs, what it found."""

    job: Job
    source: RoundInput
    work_dir: Path
    round: Round | None = None
    settings: Settings | None = None
    input_hash: str = ""
    inputs: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.round.label if self.round else "（轮次待定）"


def _stage_ingest(work: RoundWork) -> None:
    settings = work.settings
    ingest_stage(work.source.folder, work.work_dir, settings, work.job.jobs, work.job.quiet)
    if work.source.round is None:  # a flat folder: the round is what most headers say
        work.round = Round(*header_round(work.work_dir, settings))
        work.settings = replace(settings, year=work.round.year, period_end_month=work.round.period)
    else:
        _note_folder_mismatch(work)


def _note_folder_mismatch(work: RoundWork) -> None:
    """ROUND_FOLDER_MISMATCH once per file whose header names another year or period than its folder."""

    projects = read_table(work.work_dir, "projects")
    findings = read_table(work.work_dir, "findings")
    new = []
    for source_file, group in projects.groupby("source_file", sort=True):
        row = group.iloc[0]
        said = Round(int(row["year"]), int(row["period_end_month"])) if pd.notna(row["year"]) and pd.notna(
            row["period_end_month"]) else work.round
        if said != work.round:
            fix = f"请按本轮（{work.round.label}）的期间重新填报，或把文件放入“{said.label}”文件夹。"
            new.append({"source_file": source_file, "sheet": row["sheet"], "cell": None, "severity": "warning",
                        "code": "ROUND_FOLDER_MISMATCH", "project_id": None, "suggestion": fix,
                        "message": f"表头写的是{said.label}，文件却放在“{work.source.folder.name}”文件夹中，"
                                   f"已按文件夹归入{work.round.label}。{fix}"})
    if new:
        # Part of the round's ingest: the folder a file was found in is only known here.
        write_table(work.work_dir, "findings", pd.concat([findings, pd.DataFrame(new)], ignore_index=True))


def _stage_checks(work: RoundWork) -> None:
    check_stage(work.work_dir, work.job.approved, work.settings, work.job.rules_path)


def _stage_metrics(work: RoundWork) -> None:
    metrics_stage(work.work_dir, None, work.settings, work.job.rules_path)


def _stage_history(work: RoundWork) -> None:
    from jixiao.store.history import apply_history

    summary = apply_history(work.work_dir, work.round, work.job.store, work.settings, profile_of(work.job.rules_path),
                            approved_given=bool(work.job.approved))
    print(summary)


def _stage_store(work: RoundWork) -> None:
    from jixiao.store.history import read_work_tables

    job, round_ = work.job, work.round
    profile = profile_of(job.rules_path)
    tables = read_work_tables(work.work_dir)
    tables["round_inputs"] = pd.DataFrame(work.inputs)
    meta = {"input_hash": work.input_hash, "raw_dir": str(work.source.folder),
            "n_files": len(tables["submissions"]), "n_projects": len(tables["projects"]),
            "n_indicators": len(tables["indicators"]), "profile_name": profile.name,
            "profile_hash": profile.content_hash, "profile_text": _profile_text(profile)}
    try:
        job.store.write_round(round_, tables, meta)
        job.store.export_parquet(job.settings.paths.export, round_)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    print(f"已存入数据库 {job.settings.paths.store}（{round_.label}）；Parquet 导出：{job.settings.paths.export}")


def _profile_text(profile) -> str | None:
    source = getattr(profile, "source", None)
    try:
        return Path(source).read_text(encoding="utf-8") if source and Path(source).is_file() else None
    except OSError:
        return None


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    run: Callable[[RoundWork], None]


# The order of the main job, per round. Outputs follow, once, for the rendered round.
ROUND_STAGES: tuple[Stage, ...] = (
    Stage("ingest", "读取报送文件", _stage_ingest),
    Stage("checks", "校验填报内容", _stage_checks),
    Stage("metrics", "计算执行率、偏离度、红黄绿灯、重点监控和排名", _stage_metrics),
    Stage("history", "与上一轮比对：项目对应、累计数、目标调整、整改跟踪", _stage_history),
    Stage("store", "存入数据库并导出 Parquet", _stage_store),
)


def _inputs_of(job: Job, source: RoundInput, previous: dict | None) -> tuple[str, list[dict]]:
    """The round's input hash and the list of its inputs (files and their SHA-256)."""
    rows = [{"kind": "submission", "path": path, "sha256": digest} for path, digest in file_hashes(source.folder)]
    extra = [("approved", _files_under(Path(job.approved)) if job.approved else []),
             ("mapping", _files_under(job.settings.paths.identity_map)),
             ("rules", _files_under(job.rules_path))]
    if previous is not None:
        prev_round = Round(int(previous["round_year"]), int(previous["round_period"]))
        extra.append(("reply", _files_under(job.settings.paths.replies / prev_round.key, "*.xlsx")))
    for kind, paths in extra:
        rows += [{"kind": kind, "path": str(p), "sha256": _sha256(p)} for p in paths]
    digest = hashlib.sha256()
    settings = job.settings
    header = [__version__, code_hash(), settings.money_unit, str(settings.yuan_suspect_threshold),
              "" if source.round else f"{settings.year}-{settings.period_end_month}",
              "" if previous is None else str(previous["input_hash"])]
    for part in header + [f"{r['kind']}|{r['path']}|{r['sha256']}" for r in rows]:
        digest.update(part.encode("utf-8") + b"\n")
    return digest.hexdigest(), rows


def code_hash() -> str:
    """SHA-256 of jixiao's own code and built-in rules: a new version of a rule re-processes every round."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.toml")]):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _previous_stored(store: Store, round_: Round | None) -> dict | None:
    rounds = store.rounds()
    if round_ is not None:
        rounds = rounds[rounds["round_year"] * 100 + rounds["round_period"] < round_.year * 100 + round_.period]
    return None if rounds.empty else rounds.iloc[-1].to_dict()


def process_round(job: Job, source: RoundInput) -> Round:
    """Run the round stages on one folder unless its inputs are unchanged; returns the round."""
    store = job.store
    previous = _previous_stored(store, source.round)
    input_hash, inputs = _inputs_of(job, source, previous)
    stored = store.rounds()
    same = stored[stored["input_hash"] == input_hash]
    if len(same):
        round_ = Round(int(same.iloc[0]["round_year"]), int(same.iloc[0]["round_period"]))
        print(f"== {round_.label}：报送文件和规则都没有变化，跳过（数据库中已有，载入于 {same.iloc[0]['loaded_at']}）")
        return round_
    settings = job.settings
    if source.round is not None:
        settings = replace(settings, year=source.round.year, period_end_month=source.round.period)
    staging = job.processed / WORK_DIR / ".incoming"
    shutil.rmtree(staging, ignore_errors=True)
    work = RoundWork(job, source, staging, source.round, settings, input_hash, inputs)
    for n, stage in enumerate(ROUND_STAGES, start=1):
        if stage.name == "store":  # the round is known now: move its tables to their own folder first
            work.work_dir = _settle(staging, job.processed / WORK_DIR / work.round.key)
        print(f"== {work.label} 第{n}步：{stage.title} ==")
        start = time.perf_counter()
        stage.run(work)
        job.timings.append((f"{work.label} {stage.title}", time.perf_counter() - start))
    return work.round


def _settle(staging: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(target)
    return target


# -- outputs of the rendered round ------------------------------------------------------------------
def round_work_dir(job: Job, round_: Round) -> Path:
    """processed/rounds/<key>/, rebuilt from the store when it is missing (e.g. a fresh clone)."""
    from jixiao.store.history import restore_work_tables

    folder = job.processed / WORK_DIR / round_.key
    if not (folder / "project_status.parquet").is_file():
        restore_work_tables(job.store.read_round(round_), folder)
    return folder


def make_current(work_dir: Path, processed: Path) -> None:
    """processed/ holds the rendered round's tables, where the notebooks and the explorer look."""
    processed.mkdir(parents=True, exist_ok=True)
    for pattern in CURRENT_FILES:
        for path in work_dir.glob(pattern):
            shutil.copy2(path, processed / path.name)


def _output_summary(job: Job, round_: Round, work_dir: Path) -> None:
    summary_stage(work_dir, job.reports)


def _output_compare(job: Job, round_: Round, work_dir: Path) -> None:
    from jixiao.store.compare import comparisons_for

    for path, text in comparisons_for(job.store, round_, period_dir(job.reports, round_.year, round_.period) / "对比"):
        print(text)
        print(f"对比工作簿：{path}")


def _output_feedback(job: Job, round_: Round, work_dir: Path) -> None:
    raw = next((r.folder for r in discover_rounds(job.raw) if r.round == round_), job.raw)
    feedback_stage(work_dir, raw, period_dir(job.reports, round_.year, round_.period) / "反馈")


def _output_charts(job: Job, round_: Round, work_dir: Path) -> None:
    charts_stage(work_dir, period_dir(job.reports, round_.year, round_.period) / "charts", job.rules_path)


def _output_briefs(job: Job, round_: Round, work_dir: Path) -> None:
    settings = replace(job.settings, year=round_.year, period_end_month=round_.period)
    job.briefs_result = briefs_stage(work_dir, job.reports, settings, job.rules_path, jobs=job.jobs or 2,
                                     quiet=job.quiet)


OUTPUT_STAGES: tuple[tuple[str, str, Callable], ...] = (
    ("summary", "生成 Excel 汇总表", _output_summary),
    ("compare", "与上一轮、上年同期对比", _output_compare),
    ("feedback", "生成给各单位的反馈工作簿（含整改事项）", _output_feedback),
    ("charts", "导出领导汇报图表", _output_charts),
    ("briefs", "生成给各部门的反馈意见和全县监控情况报告（Word、PDF、网页）", _output_briefs),
)
STAGE_ORDER = tuple(s.name for s in ROUND_STAGES) + tuple(name for name, _, _ in OUTPUT_STAGES)


def render_round(job: Job, round_: Round, only: tuple[str, ...] | None = None) -> None:
    work_dir = round_work_dir(job, round_)
    make_current(work_dir, job.processed)
    for n, (name, title, run_output) in enumerate(OUTPUT_STAGES, start=1):
        if only is not None and name not in only:
            continue
        print(f"== {round_.label} 输出{n}：{title} ==")
        with job.step(f"{round_.label} {title}"):
            run_output(job, round_, work_dir)


def run(job: Job, round_key: str | None = None, outputs: tuple[str, ...] | None = None) -> int:
    """Every round in ``job.raw``, then the outputs of ``round_key`` (default: the latest). Exit code."""
    start = time.perf_counter()
    check_not_mixed_with_demo(job.raw)
    sources = discover_rounds(job.raw)
    if len(sources) > 1 or sources[0].round is not None:
        print(f"找到 {len(sources)} 个轮次：{'、'.join(s.round.label for s in sources)}")
    for source in sources:
        process_round(job, source)
    try:
        wanted = Round.parse(round_key) if round_key else job.store.round_list()[-1]
    except (StoreError, IndexError) as exc:
        raise CommandError(str(exc) if isinstance(exc, StoreError) else "数据库中没有任何轮次") from exc
    if wanted not in job.store.round_list():
        raise CommandError(f"数据库中没有{wanted.label}，现有轮次："
                           f"{'、'.join(r.label for r in job.store.round_list()) or '无'}")
    render_round(job, wanted, outputs)
    print_timings(job, time.perf_counter() - start)
    return 0 if job.briefs_result is None or job.briefs_result.ok else 1


def print_timings(job: Job, total: float) -> None:
    print("== 各步骤用时 ==")
    width = max((display_width(label) for label, _ in job.timings), default=0)
    for label, seconds in [*job.timings, ("合计", total)]:
        print(f"  {label}{' ' * (width - display_width(label))}  {seconds:6.1f} 秒")


def display_width(text: str) -> int:
    """Columns the text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
