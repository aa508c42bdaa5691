"""Command line: a thin layer over the library, one sub-command per stage, plus ``run`` (the main job).

Every command prints in Chinese, and exits non-zero only when it could not run at
all (missing folder, bad rule profile); problems inside submissions are findings.
"""
from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import replace
from pathlib import Path

from jixiao import __version__
from jixiao.config.settings import Settings, load_settings, with_overrides
from jixiao.pipeline import (
    CommandError,
    briefs_stage,
    charts_stage,
    check_stage,
    display_width,
    feedback_stage,
    ingest_stage,
    metrics_stage,
    period_folder,
    print_ingest_summary,
    write_demo_marker,
)
from jixiao.store.schema import METRICS_TABLES
from jixiao.store.tables import TableError, has_table, read_ingest_tables, read_tables

__all__ = ["CommandError", "build_parser", "main", "print_ingest_summary"]



ARGPARSE_MESSAGES = (("the following arguments are required", "缺少必需的参数"),
                     ("unrecognized arguments", "无法识别的参数"), ("invalid choice", "无效的选择"),
                     ("expected one argument", "需要一个值"), ("invalid int value", "不是整数"),
                     ("argument ", "参数 "))


# Plausible monitoring years: the 财预〔2020〕10号 framework starts in 2020; a year outside this
# window is a typo (1800, 20233), not data.
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_CANDIDATES = 5  # closest department names or commands suggested after a typo


def year_arg(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度“{text}”不是整数") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"年度 {year} 不合理（应在 {MIN_YEAR}-{MAX_YEAR} 之间）")
    return year


def month_arg(text: str) -> int:
    try:
        month = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份“{text}”不是整数") from None
    if not 1 <= month <= 12:
        raise argparse.ArgumentTypeError(f"月份 {month} 不存在（应为 1-12，表示 1-N月 的 N）")
    return month


def examples(*lines: str) -> str:
    """The epilog every --help ends with: two commands a clerk can copy."""
    return "示例：\n" + "\n".join(f"  {line}" for line in lines)


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its own words (usage, section titles, -h) in Chinese, like the rest of the help."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message):
        self.print_usage(sys.stderr)
        unknown = self._unknown_command(message)
        if unknown is not None:
            self.exit(2, unknown)
        for english, chinese in ARGPARSE_MESSAGES:
            message = message.replace(english, chinese)
        self.exit(2, f"错误：{message}\n")

    def _unknown_command(self, message: str) -> str | None:
        """“您是不是要…” for a mistyped command, instead of argparse's English list."""
        if "invalid choice" not in message or self._subparsers is None:
            return None
        commands = [choice for action in self._subparsers._group_actions
                    for choice in getattr(action, "choices", None) or {}]
        typed = message.split("'")[1] if "'" in message else ""
        if typed not in commands and typed:
            close = difflib.get_close_matches(typed, commands, n=MAX_CANDIDATES, cutoff=0.4)
            hint = f"您是不是要：{'、'.join(f'jixiao {c}' for c in close)}？" if close else ""
            return f"错误：没有“{typed}”这个命令。{hint}可用的命令：{'、'.join(commands)}（jixiao -h 查看说明）\n"
        return None


def _settings(args) -> Settings:
    overrides = {key: value for key, value in (("year", getattr(args, "year", None)),
                                               ("period_end_month", getattr(args, "month", None)))
                 if value is not None}
    try:
        settings = load_settings(Path(args.config) if getattr(args, "config", None) else None)
        return with_overrides(settings, **overrides) if overrides else settings
    except (ValueError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None


def _rules_path(args, settings: Settings) -> Path | None:
    given = getattr(args, "rules", None)
    return Path(given) if given else settings.paths.rules


def _settings_and_tables(args, needs_metrics: bool = False) -> tuple[Settings, Path]:
    """Settings, and the processed folder a stage command works on, its tables checked before any slow work.

    A missing, truncated or foreign table stops the command here with a Chinese TableError (exit 2).
    """
    processed_dir = Path(args.processed_dir)
    if not has_table(processed_dir, "projects"):
        raise CommandError(f"{processed_dir} 中没有整洁数据表，请先运行 jixiao ingest")
    settings = _settings(args)
    read_ingest_tables(processed_dir)
    if needs_metrics:
        read_tables(processed_dir, METRICS_TABLES)
    return settings, processed_dir


# -- commands -------------------------------------------------------------------------------------
def cmd_ingest(args) -> int:
    settings = _settings(args)
    out_dir = Path(args.out) if args.out else settings.paths.processed
    ingest_stage(Path(args.raw_dir), out_dir, settings, args.jobs, args.quiet)
    check_stage(out_dir, args.approved, settings, _rules_path(args, settings))
    return 0


def cmd_check(args) -> int:
    settings, processed = _settings_and_tables(args)
    check_stage(processed, args.approved, settings, _rules_path(args, settings))
    return 0


def cmd_metrics(args) -> int:
    settings, processed = _settings_and_tables(args)
    metrics_stage(processed, Path(args.out) if args.out else settings.paths.reports, settings,
                  _rules_path(args, settings))
    return 0


def cmd_feedback(args) -> int:
    settings, processed = _settings_and_tables(args)
    out = Path(args.out) if args.out else period_folder(settings, settings.paths.reports, processed) / "反馈"
    feedback_stage(processed, Path(args.raw) if args.raw else settings.paths.raw, out)
    return 0


def cmd_charts(args) -> int:
    settings, processed = _settings_and_tables(args, needs_metrics=True)
    out = Path(args.out) if args.out else period_folder(settings, settings.paths.reports, processed) / "charts"
    charts_stage(processed, out, _rules_path(args, settings))
    return 0


def known_departments(processed_dir: Path) -> list[str]:
    from jixiao.store.tables import read_table

    names = read_table(processed_dir, "projects")["dept_name"].dropna().unique()
    return sorted(str(name) for name in names)


def resolve_department(given: str, known: list[str]) -> str:
    """The full department name for a short or partial one (“教育局” → “湟源县教育局”), or CommandError.

    Exact wins; else the one name containing what was typed; else the closest names are suggested.
    """
    if given in known:
        return given
    containing = [name for name in known if given in name]
    if len(containing) == 1:
        return containing[0]
    candidates = containing or difflib.get_close_matches(given, known, n=MAX_CANDIDATES, cutoff=0.3)
    if containing:
        raise CommandError(f"“{given}”对应多个主管部门：{'、'.join(containing[:MAX_CANDIDATES])}，请写出全称")
    hint = f"最接近的有：{'、'.join(candidates)}" if candidates else "用 jixiao briefs 不带 --department 可生成全部部门"
    raise CommandError(f"数据中没有主管部门“{given}”。{hint}")


def cmd_briefs(args) -> int:
    """Exit code 0 when every brief was written, 1 when any failed, 2 when nothing could start."""
    from jixiao.outputs.render import FORMATS

    formats = tuple(part.strip() for part in args.format.split(",") if part.strip())
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:  # refused before any table is read or any browser starts
        raise CommandError(f"不支持的格式 {', '.join(unknown) or '（空）'}，只能是 {', '.join(FORMATS)}")
    settings, processed = _settings_and_tables(args, needs_metrics=True)
    # Checked before any slow work: a typo stops at once, not after the first briefs.
    departments = None
    if args.department:
        known = known_departments(processed)
        departments = [resolve_department(name, known) for name in args.department]
    result = briefs_stage(processed, Path(args.out) if args.out else settings.paths.reports, settings,
                          _rules_path(args, settings), departments=departments, formats=formats,
                          jobs=args.jobs, quiet=args.quiet, overview=not args.no_overview)
    return 0 if result.ok else 1


def cmd_template(args) -> int:
    from jixiao.forms.fill_in import write_templates
    from jixiao.validate.approved import ApprovedTargetsError

    try:
        paths = write_templates(Path(args.approved), Path(args.out), _settings(args))
    except ApprovedTargetsError as exc:
        raise CommandError(str(exc)) from exc
    print(f"已生成填报模板 {len(paths)} 个（每个实施单位一个）：{args.out}")
    return 0


def cmd_run(args) -> int:
    """The main job over every round (jixiao.pipeline); exit 1 if a brief failed."""
    from jixiao.pipeline import Job, run

    settings = _settings(args)
    paths = settings.paths
    if args.store:
        paths = replace(paths, store=Path(args.store))
    job = Job(replace(settings, paths=paths), raw=Path(args.raw) if args.raw else paths.raw,
              processed=Path(args.processed) if args.processed else paths.processed,
              reports=Path(args.reports) if args.reports else paths.reports, rules_path=_rules_path(args, settings),
              approved=args.approved, jobs=args.jobs, quiet=args.quiet)
    return run(job, args.round)


def _store(args, settings: Settings):
    from jixiao.store.warehouse import Store

    return Store(Path(args.store) if getattr(args, "store", None) else settings.paths.store)


def cmd_rounds(args) -> int:
    from jixiao.store.warehouse import StoreError

    store = _store(args, _settings(args))
    try:
        rounds = store.rounds()
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    if rounds.empty:
        print(f"数据库 {store.path} 中还没有任何轮次，请先运行 jixiao run")
        return 0
    print(f"数据库 {store.path} 中的轮次：")
    rows = [("轮次", "年度", "期间", "文件", "项目", "指标", "载入时间")]
    rows += [(r.round_label, str(r.round_year), f"1-{r.round_period}月", str(r.n_files), str(r.n_projects),
              str(r.n_indicators), str(r.loaded_at)) for r in rounds.itertuples()]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths)).rstrip())
    return 0


def cmd_compare(args) -> int:
    from jixiao.store.compare import compare_and_write
    from jixiao.store.warehouse import Round, StoreError

    settings = _settings(args)
    try:
        earlier, later = Round.parse(args.from_round), Round.parse(args.to_round)
        out = Path(args.out) if args.out else settings.paths.reports / later.key / "对比"
        path, summary = compare_and_write(_store(args, settings), earlier, later, out)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    print(summary)
    print(f"对比工作簿：{path}")
    return 0


def cmd_demo(args) -> int:
    from jixiao.demo.generator import write_demo_county
    from jixiao.demo.history import write_demo_history

    out = Path(args.out)
    # Never mix the invented county into real submissions: only an empty folder, unless asked.
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise CommandError(f"{out} 中已有文件，示范数据不能混入真实报送。请换一个空文件夹，"
                           f"或确认可以覆盖后加 --force")
    if args.single_round:
        paths = write_demo_county(out, seed=args.seed)
        write_demo_marker(out, paths)
        print(f"已生成示范县报送文件 {len(paths)} 个：{args.out}")
        return 0
    replies = Path(args.replies) if args.replies else _settings(args).paths.replies
    written = write_demo_history(out, replies, seed=args.seed)
    write_demo_marker(out, [path for paths in written.values() for path in paths])
    for label, paths in written.items():
        print(f"{label}：{len(paths)} 个文件")
    print(f"已生成示范县三个轮次的报送文件：{args.out}（各轮一个子文件夹）；整改回复：{replies}")
    return 0


def cmd_schema(args) -> int:
    from jixiao.store.schema import markdown

    sys.stdout.write(markdown())
    return 0


def cmd_rules(args) -> int:
    from jixiao.validate.checks import rules_markdown

    sys.stdout.write(rules_markdown())
    return 0


# -- parser ---------------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser, period: bool = False, rules: bool = False) -> None:
    p.add_argument("--config", help="配置文件（默认：当前目录下的 jixiao.toml）")
    if period:
        p.add_argument("--year", type=year_arg, help="监控年度（表头未写明时使用，默认取配置）")
        p.add_argument("--month", type=month_arg, help="监控期末月份 N（1-N月，默认取配置）")
    if rules:
        p.add_argument("--rules", help="规则配置文件（TOML；默认取配置 paths.rules，未配置时用内置默认规则）")


def _batch(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=int, default=None, help="并行进程数（默认取配置；0 表示每核一个）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度条和逐个文件的结果")
    p.add_argument("--approved", help="年初批复的绩效目标：表格（.xlsx/.csv）或年初批复的监控表，文件或文件夹；给出时逐项比对")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="jixiao", description="绩效运行监控工作台：汇总、校验、分析项目支出绩效目标执行监控表。",
                                   epilog=examples("jixiao run", "jixiao briefs data/processed --department 教育局"))
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令",
                                parser_class=ChineseArgumentParser)

    p = sub.add_parser("run", help="主流程：读取 → 校验 → 指标与汇总表 → 反馈工作簿 → 图表 → 部门报告（默认用 data/raw 中的示范数据）",
                       epilog=examples("jixiao run", "jixiao run --raw 收到的报送文件 --rules 我县规则.toml"))
    p.add_argument("--raw", help="报送文件夹（默认取配置，data/raw）")
    p.add_argument("--processed", help="数据输出文件夹（默认取配置，data/processed）")
    p.add_argument("--reports", help="报告文件夹（默认取配置，reports）")
    p.add_argument("--round", help="生成哪一轮的报告，如 2023-10 或 2023年1-10月（默认最新一轮）")
    p.add_argument("--store", help="数据库文件（默认取配置 paths.store，data/jixiao.duckdb）")
    _common(p, period=True, rules=True)
    _batch(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("rounds", help="列出数据库中的轮次（年度、期间、文件数、项目数、指标数、载入时间）",
                       epilog=examples("jixiao rounds", "jixiao rounds --store 其他县.duckdb"))
    p.add_argument("--store", help="数据库文件（默认取配置 paths.store）")
    _common(p)
    p.set_defaults(func=cmd_rounds)

    p = sub.add_parser("compare", help="对比两个轮次（如 1-7月与1-10月，或上年同期），写出对比工作簿并显示摘要",
                       epilog=examples("jixiao compare --from 2023-07 --to 2023-10", "jixiao compare --from 2022-07 --to 2023-07"))
    p.add_argument("--from", dest="from_round", required=True, metavar="轮次", help="较早的轮次，如 2023-07")
    p.add_argument("--to", dest="to_round", required=True, metavar="轮次", help="较晚的轮次，如 2023-10")
    p.add_argument("--out", help="输出文件夹（默认 reports/<较晚轮次>/对比）")
    p.add_argument("--store", help="数据库文件（默认取配置 paths.store）")
    _common(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("ingest", help="读取报送的监控表，生成整洁数据表（Parquet）并校验",
                       epilog=examples("jixiao ingest 收到的报送文件", "jixiao ingest data/raw --out data/processed --approved 批复目标.xlsx"))
    p.add_argument("raw_dir", help="报送文件所在文件夹（含子文件夹）")
    p.add_argument("--out", help="输出文件夹（默认取配置 paths.processed，data/processed）")
    _common(p, period=True, rules=True)
    _batch(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("check", help="对整洁数据表运行全部校验规则（可与年初批复的绩效目标比对），结果写入 findings",
                       epilog=examples("jixiao check data/processed", "jixiao check data/processed --approved 批复目标.xlsx"))
    p.add_argument("processed_dir", help="jixiao ingest 的输出文件夹")
    p.add_argument("--approved", help="年初批复的绩效目标：表格（.xlsx/.csv）或年初批复的监控表，文件或文件夹")
    _common(p, rules=True)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("metrics", help="计算执行率、偏离度、红黄绿灯、重点监控和部门排名，并生成 Excel 汇总表",
                       epilog=examples("jixiao metrics data/processed", "jixiao metrics data/processed --rules 我县规则.toml"))
    p.add_argument("processed_dir", help="ingest 输出的数据文件夹（结果表也写在这里）")
    p.add_argument("--out", help="报告文件夹（默认取配置 paths.reports，汇总表写入 <年>-<月>/汇总/）")
    _common(p, rules=True)
    p.set_defaults(func=cmd_metrics)

    p = sub.add_parser("feedback", help="为每个有问题的报送文件生成反馈工作簿（标色、批注、问题清单）和回复文字",
                       epilog=examples("jixiao feedback data/processed", "jixiao feedback data/processed --out reports/反馈 --raw data/raw"))
    p.add_argument("processed_dir", help="已校验的数据文件夹")
    p.add_argument("--out", help="反馈文件输出文件夹（默认 reports/<年>-<月>/反馈，与 jixiao run 相同）")
    p.add_argument("--raw", help="报送文件所在文件夹（默认取配置，data/raw）")
    _common(p)
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("charts", help="导出领导汇报图表（PNG 和 SVG，可直接放入幻灯片或 Word）",
                       epilog=examples("jixiao charts data/processed", "jixiao charts data/processed --out reports/图表"))
    p.add_argument("processed_dir", help="已计算指标的数据文件夹")
    p.add_argument("--out", help="图表输出文件夹（默认 reports/<年>-<月>/charts）")
    _common(p, rules=True)
    p.set_defaults(func=cmd_charts)

    p = sub.add_parser("briefs", help="生成给各部门的反馈意见、全县监控情况报告（Word、PDF、网页）和各部门监控情况表",
                       epilog=examples("jixiao briefs data/processed --department 教育局", "jixiao briefs data/processed --format docx --no-overview"))
    p.add_argument("processed_dir", help="已计算指标的数据文件夹")
    p.add_argument("--out", help="报告文件夹（写入 <年>-<月>/briefs/，默认取配置 paths.reports）")
    p.add_argument("--department", action="append", metavar="名称", help="只生成这个主管部门（可多次给出）")
    p.add_argument("--format", default="html,pdf,docx", help="输出格式，逗号分隔：html、pdf、docx（默认三种都要）")
    p.add_argument("--jobs", type=int, default=2, help="并行进程数（默认 2）")
    p.add_argument("--no-overview", action="store_true", help="不生成全县监控情况报告")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度条")
    _common(p, rules=True)
    p.set_defaults(func=cmd_briefs)

    p = sub.add_parser("template", help="按年初批复的绩效目标为每个实施单位生成填报模板",
                       epilog=examples("jixiao template --approved 批复目标.xlsx --out reports/templates", "jixiao template --approved 年初批复的监控表/ --out reports/templates"))
    p.add_argument("--approved", required=True, help="年初批复的绩效目标：表格（.xlsx/.csv）或年初批复的监控表，文件或文件夹")
    p.add_argument("--out", required=True, help="模板输出文件夹")
    _common(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("demo", help="重新生成示范县的报送文件（三个轮次，各一个子文件夹）和整改回复",
                       epilog=examples("jixiao demo --out 示范县", "jixiao demo --out data/raw --force"))
    p.add_argument("--out", default="data/raw", help="输出文件夹（默认 data/raw）")
    p.add_argument("--replies", help="整改回复文件夹（默认取配置 paths.replies，data/replies）")
    p.add_argument("--seed", type=int, default=2023, help="随机种子（默认 2023）")
    p.add_argument("--single-round", action="store_true", help="只生成 2023年1-7月 一轮，直接写在输出文件夹中")
    p.add_argument("--force", action="store_true", help="文件夹中已有文件时仍然写入（会覆盖同名文件）")
    p.set_defaults(func=cmd_demo)

    sub.add_parser("schema", help="输出数据表结构说明（Markdown，即 docs/schema.md）",
                       epilog=examples("jixiao schema", "jixiao schema > docs/schema.md")).set_defaults(func=cmd_schema)
    sub.add_parser("rules", help="输出校验规则目录（Markdown，即 docs/rules.md）",
                       epilog=examples("jixiao rules", "jixiao rules > docs/rules.md")).set_defaults(func=cmd_rules)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CommandError, TableError) as exc:  # both carry a Chinese message for the person at the desk
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
