"""Command line: ``jixiao ingest``, ``jixiao run`` (the main job), ``jixiao demo``, ``jixiao schema``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .config import Settings, load_settings

STATUS_LABELS = {"ok": "完整读取", "partial": "部分读取", "failed": "无法读取"}


def _settings(args) -> Settings:
    settings = load_settings(Path(args.config) if getattr(args, "config", None) else None)
    overrides = {k: v for k, v in (("year", getattr(args, "year", None)),
                                   ("period_end_month", getattr(args, "month", None))) if v is not None}
    if overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)
    return settings


def cmd_ingest(args) -> int:
    from .ingest import ingest

    raw_dir, out_dir = Path(args.raw_dir), Path(args.out)
    if not raw_dir.is_dir():
        print(f"错误：找不到报送文件夹 {raw_dir}", file=sys.stderr)
        return 2
    settings = _settings(args)
    try:
        tables = ingest(raw_dir, out_dir, settings, jobs=args.jobs, progress=not args.quiet)
    except OSError as exc:
        print(f"错误：无法写入输出文件夹 {out_dir}（{exc.strerror or exc}）", file=sys.stderr)
        return 2
    print_summary(tables, out_dir, verbose=not args.quiet)
    return 0


def print_summary(tables, out_dir: Path, verbose: bool = True) -> None:
    subs = tables["submissions"]
    findings = tables["findings"]
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
        f"失败 {counts.get('failed', 0)}）；{len(tables['projects'])} 个项目，{len(tables['indicators'])} 个指标，"
        f"{len(findings)} 条问题提示。结果已写入 {out_dir}"
    )


def cmd_run(args) -> int:
    """The main job on the configured folders (defaults: data/raw -> data/processed)."""
    settings = _settings(args)
    args.raw_dir = str(args.raw or settings.paths.raw)
    args.out = str(args.processed or settings.paths.processed)
    print(f"== 第1步：读取报送文件 {args.raw_dir} ==")
    return cmd_ingest(args)


def cmd_demo(args) -> int:
    from .demo import write_demo_county

    paths = write_demo_county(Path(args.out), seed=args.seed)
    print(f"已生成示范县报送文件 {len(paths)} 个：{args.out}")
    return 0


def cmd_schema(args) -> int:
    from .schema import markdown

    sys.stdout.write(markdown())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jixiao", description="绩效运行监控工作台：汇总、校验、分析项目支出绩效目标执行监控表。")
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def common(p):
        p.add_argument("--config", help="配置文件（默认：当前目录下的 jixiao.toml）")
        p.add_argument("--year", type=int, help="监控年度（表头未写明时使用，默认取配置）")
        p.add_argument("--month", type=int, help="监控期末月份 N（1-N月，默认取配置）")
        p.add_argument("--jobs", type=int, default=None, help="并行进程数（默认取配置；0 表示每核一个）")
        p.add_argument("-q", "--quiet", action="store_true", help="不显示进度条和逐个文件的结果")

    p = sub.add_parser("ingest", help="读取报送的监控表，生成整洁数据表（Parquet）")
    p.add_argument("raw_dir", help="报送文件所在文件夹（含子文件夹）")
    p.add_argument("--out", required=True, help="输出文件夹")
    common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("run", help="主流程：在示范数据（或配置的文件夹）上运行全部步骤")
    p.add_argument("--raw", help="报送文件夹（默认 data/raw）")
    p.add_argument("--processed", help="数据输出文件夹（默认 data/processed）")
    common(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="重新生成示范县的报送文件")
    p.add_argument("--out", default="data/raw", help="输出文件夹（默认 data/raw）")
    p.add_argument("--seed", type=int, default=2023, help="随机种子（默认 2023）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("schema", help="输出数据表结构说明（Markdown）")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
